"""The one place the version is written: pyproject reads it (dynamic version),
the CLI's ``--version`` and SARIF's ``tool.driver.version`` import it."""

__version__ = "0.1.0"
