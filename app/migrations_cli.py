"""`flask db ...` and `flask_migrate.upgrade()` without Flask-Migrate in every web worker.

Importing Flask-Migrate imports alembic (the DDL of every dialect), mako and pygments: about 11 MB and
150 modules in each process, used only by `flask db` and by the set-up of tests and benches. The app
registers two stand-ins instead; the first use of either imports Flask-Migrate and sets it up for real
(bench/worker_rss.py)."""
from __future__ import annotations

import click
from flask import Flask

OPTIONS = {"render_as_batch": True, "compare_type": True}


def init_app(app: Flask, db, directory: str) -> None:
    app.extensions["migrate"] = _Deferred(app, db, directory)
    app.cli.add_command(_DbCommands(app, db, directory))


def _load(app: Flask, db, directory: str):
    """Flask-Migrate for real: replaces both stand-ins; returns its `db` command group."""
    from flask_migrate import Migrate
    from flask_migrate.cli import db as commands

    if isinstance(app.extensions.get("migrate"), _Deferred):
        Migrate(app, db, directory=directory, **OPTIONS)
    return commands


class _Deferred:
    """`app.extensions["migrate"]` until something reads it (flask_migrate.upgrade, migrations/env.py)."""

    def __init__(self, app: Flask, db, directory: str):
        self._args = (app, db, directory)

    def __getattr__(self, name: str):
        app = self._args[0]
        _load(*self._args)
        return getattr(app.extensions["migrate"], name)


class _DbCommands(click.Group):
    """`flask db`: its options, subcommands and help are Flask-Migrate's own, parsed by its group."""

    def __init__(self, app: Flask, db, directory: str):
        super().__init__("db", help="Perform database migrations.")
        self._args = (app, db, directory)

    def make_context(self, info_name, args, parent=None, **extra):
        return _load(*self._args).make_context(info_name, args, parent=parent, **extra)
