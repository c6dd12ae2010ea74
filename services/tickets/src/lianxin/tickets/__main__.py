from lianxin.tickets.main import cli

cli()
