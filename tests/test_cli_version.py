"""`iadsim --version` prints the installed package's version and exits 0."""

from typer.testing import CliRunner

from iadsim import __version__
from iadsim.cli import app


def test_version_option_prints_the_package_version():
    res = CliRunner().invoke(app, ["--version"])
    assert res.exit_code == 0
    assert res.output.strip() == f"iadsim {__version__}"
