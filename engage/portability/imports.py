"""One import from start to end: open the source, pick its parser, load what it yields.

``run_import(session, source, path, site, …)`` returns the loader's ``Summary``; a source of
another format or a broken file raises ``BadSource`` (records.py), after the batches before
the broken part were written (``loader``: each batch is whole or absent).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session

from engage.db import utcnow
from engage.portability import disqus, engage_format, isso, wordpress
from engage.portability.loader import Loader, Summary
from engage.portability.records import BadSource
from engage.portability.xmlstream import Context
from engage.queue.search_index import index_pending
from engage.sites import DEFAULT_SITE, Site, create_site, get_site

XML_PARSERS = {"wordpress": wordpress.batches, "disqus": disqus.batches}


def run_import(session: Session, source: str, path: Path, site: Site | None, *,
               dry_run: bool = False,
               train: bool = False, wrap: Callable = lambda handle: handle,
               progress: Callable[[int], None] | None = None,
               set_length: Callable[[int], None] = lambda n: None) -> Summary:
    """Import ``path`` (a ``source`` file) into ``site``. ``wrap`` wraps the open binary file
    (the CLI counts bytes read); Isso reports ``progress`` in comments, after ``set_length``.
    ``site`` None (engage exports only): each article into the site it was exported from.
    What was imported is in the queue search index when this returns (SQLite:
    engage/queue/search_index.py), also when a broken part ends the import."""
    try:
        return _load(session, source, path, site, dry_run=dry_run, train=train, wrap=wrap,
                     progress=progress, set_length=set_length)
    finally:
        if not dry_run:  # each batch was committed or rolled back: this writes the index only
            index_pending(session)


def _load(session: Session, source: str, path: Path, site: Site | None, *, dry_run: bool,
          train: bool, wrap: Callable, progress: Callable[[int], None] | None,
          set_length: Callable[[int], None]) -> Summary:
    context = Context(now=utcnow(), origins=tuple(site.origins or ()) if site else ())
    loader = Loader(session, source, site.id if site else DEFAULT_SITE, dry_run=dry_run,
                    train=train,
                    defer=source == "disqus", progress=progress)
    if source == "isso":
        connection = isso.open_database(path)
        try:
            set_length(isso.count_comments(connection))
            return loader.load(isso.batches(connection, context))
        finally:
            connection.close()
    with path.open("rb") as handle:
        if source == "engage":
            stream = wrap(handle)
            header = engage_format.read_header(stream)
            if site is None and not dry_run:
                _create_sites(session, header.get("sites") or [])
            return loader.load(engage_format.batches(stream, context,
                                                     site.id if site else None))
        return loader.load(XML_PARSERS[source](wrap(handle), context))


def _create_sites(session: Session, sites: list[dict]) -> None:
    """Sites of an engage export that this engage lacks, created as exported."""
    for data in sites:
        if isinstance(data, dict) and get_site(session, str(data.get("id"))) is None:
            try:
                create_site(session, str(data["id"]), data.get("name"), data.get("origins"),
                            data.get("settings"))
            except (KeyError, ValueError) as error:
                raise BadSource(f"a site of the export cannot be created: {error}") from None
