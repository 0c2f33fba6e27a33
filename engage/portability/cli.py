"""``engage import …``, ``engage export``, ``engage author …`` and ``engage purge``.

- ``import wordpress|disqus|isso|engage FILE [--site S] [--dry-run] [--train]``: a progress
  bar on a terminal, then one line (``loader.Summary.line``). A file of another format, a
  broken file or an unknown site: one line on stderr, exit status 1; what was written before
  a broken part of the file stays and a second run resumes after it.
- ``export [--site S] [--format engage|wxr] [-o FILE]`` (stdout without ``-o``).
- ``author export EMAIL`` (JSON on stdout), ``author erase EMAIL [--keep-comments] --yes``.
- ``purge``: applies the retention settings once.
The parsers and the database code are imported inside the commands: ``engage.cli`` loads this
module before ``engage serve`` patches the standard library (tests/test_layout.py).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

SOURCES = ("wordpress", "disqus", "isso", "engage")


class _CountingFile:
    """A binary file that reports how many bytes were read (the progress bar's unit)."""

    def __init__(self, handle, on_read):
        self._handle, self._on_read = handle, on_read

    def read(self, size=-1):
        data = self._handle.read(size)
        self._on_read(len(data))
        return data

    def readline(self):
        line = self._handle.readline()
        self._on_read(len(line))
        return line

    def __iter__(self):
        return iter(self.readline, b"")


@click.command("import")
@click.argument("source", type=click.Choice(SOURCES))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--site", default=None,
              help="The site to import into (default: default; engage exports: their own).")
@click.option("--dry-run", is_flag=True, help="Read and check everything, write nothing.")
@click.option("--train", is_flag=True,
              help="Teach the spam filter the imported comments' statuses.")
@with_appcontext
def import_command(source: str, file: Path, site: str, dry_run: bool, train: bool) -> None:
    """Import comments from a WordPress (WXR), Disqus or engage export or an Isso database."""
    # the database and the parsers load only when a command runs (module docstring)
    from engage.db import db
    from engage.portability.imports import run_import
    from engage.portability.records import BadSource
    from engage.sites import get_site
    from sqlalchemy.exc import SQLAlchemyError

    if not file.is_file():
        raise click.ClickException(f"{file}: no such file")
    if site is None and source != "engage":
        site = "default"
    record = get_site(db.session, site) if site is not None else None
    if site is not None and record is None:
        raise click.ClickException(f"no site {site!r}; create it with: engage site create {site}")
    total = file.stat().st_size
    show = sys.stderr.isatty()
    with click.progressbar(length=total, label=f"importing {file.name}", file=sys.stderr,
                           hidden=not show) as bar:
        try:
            summary = run_import(db.session, source, file, record, dry_run=dry_run, train=train,
                                 wrap=lambda handle: _CountingFile(handle, bar.update),
                                 progress=bar.update if source == "isso" else None,
                                 set_length=lambda n: setattr(bar, "length", n))
        except BadSource as error:
            raise click.ClickException(f"{file}: {error}") from None
        except SQLAlchemyError as error:  # a value the database refuses: what came before stays
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            raise click.ClickException(f"{file}: the database refused a batch ({reason}); "
                                       "what came before it was imported") from None
    click.echo(summary.line())


@click.command("export")
@click.option("--site", default=None, help="Only this site (default: every site).")
@click.option("--format", "format_", type=click.Choice(("engage", "wxr")), default="engage",
              show_default=True)
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write here instead of stdout.")
@with_appcontext
def export_command(site: str | None, format_: str, output: Path | None) -> None:
    """Export comments, articles, sites, moderation events and views."""
    # database code loads only when a command runs (module docstring)
    from engage.db import db
    from engage.portability import exporter, wxr
    from engage.sites import get_site

    if site is not None and get_site(db.session, site) is None:
        raise click.ClickException(f"no site {site!r}")
    if format_ == "wxr" and site is None:
        site = "default"
    write = exporter.write_export if format_ == "engage" else wxr.write_wxr
    if output is None:
        write(db.session, sys.stdout, site)
    else:
        with output.open("w", encoding="utf-8") as handle:
            write(db.session, handle, site)
        click.echo(f"exported to {output}", err=True)


@click.group("author")
def author() -> None:
    """A reader's data on request: export it, erase it."""


@author.command("export")
@click.argument("email")
@with_appcontext
def author_export(email: str) -> None:
    """Print everything engage stores about EMAIL as JSON."""
    # database code loads only when a command runs (module docstring)
    from engage.db import db
    from engage.portability.authors import export_author

    try:
        data = export_author(db.session, email, actor="cli")
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(data, indent=2, ensure_ascii=False))


@author.command("erase")
@click.argument("email")
@click.option("--keep-comments", is_flag=True,
              help="Keep the comments, anonymised as [deleted], instead of deleting them.")
@click.option("--yes", is_flag=True, help="Confirm: this cannot be undone.")
@with_appcontext
def author_erase(email: str, keep_comments: bool, yes: bool) -> None:
    """Erase what engage stores about EMAIL."""
    # database code loads only when a command runs (module docstring)
    from engage.db import db
    from engage.portability.authors import erase_author

    if not yes:
        raise click.ClickException("erasing cannot be undone: add --yes")
    try:
        result = erase_author(db.session, email, keep_comments=keep_comments, actor="cli")
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"erased {result['comments']} comments "
               f"({'kept anonymised' if keep_comments else 'deleted'})")


@click.command("purge")
@with_appcontext
def purge_command() -> None:
    """Apply the retention settings now (the server also does it on its own)."""
    # database code loads only when a command runs (module docstring)
    from engage.db import db
    from engage.portability.retention import purge

    result = purge(db.session, current_app.config)
    click.echo(f"purged {result['comments']} spam and rejected comments; cleared the network "
               f"and user agent of {result['cleared']} comments")
