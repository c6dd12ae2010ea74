"""Test support shared by every lianxin test suite; load the fixtures with
`pytest_plugins = ["lianxin.kit.testing.fixtures"]`."""
