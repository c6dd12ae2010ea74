"""Generated protobuf modules for lianxin events, version 1."""
