from lianxin.people.main import cli

cli()
