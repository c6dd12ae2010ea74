from lianxin.assessment.main import cli

cli()
