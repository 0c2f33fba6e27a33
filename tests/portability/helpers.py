"""Running engage's commands on the test app, and building the Isso fixture's database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from engage.cli import main

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def run(app, *args: str):
    """``engage ARGS`` against ``app`` (its database); the click result."""
    return app.test_cli_runner(mix_stderr=False).invoke(main, list(args)) \
        if _supports_mix_stderr() else app.test_cli_runner().invoke(main, list(args))


def _supports_mix_stderr() -> bool:
    import inspect

    from click.testing import CliRunner
    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def isso_database(directory: Path, script: str = "isso.sql") -> Path:
    """The Isso fixture as the SQLite file Isso would serve from."""
    path = directory / "isso.db"
    connection = sqlite3.connect(path)
    connection.executescript((FIXTURES / script).read_text())
    connection.commit()
    connection.close()
    return path
