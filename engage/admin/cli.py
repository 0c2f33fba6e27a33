"""``engage site …``: the sites one engage serves.

- ``create ID [--name N] [--origin O]… [--set FIELD=VALUE]…``
- ``update ID [--name N] [--origin O]… [--no-origins] [--set FIELD=VALUE]… [--unset FIELD]…``
  (``--origin`` replaces the list; ``--set`` and ``--unset`` change one override each)
- ``list``: id, name, origins and overrides, one site per line.
``VALUE`` is read as JSON when it is JSON (``--set links_hold=3``,
``--set 'moderation_words=["casino"]'``), else as text (``--set mode=premod``). Values are
checked as by the sites API; a bad one names the field and changes nothing.
"""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from engage.admin.site_input import parse_site
from engage.db import db
from engage.errors import ValidationFailed
from engage.sites import create_site, get_site, list_sites, update_site


@click.group("site")
def site() -> None:
    """Manage the sites this engage serves."""


def _settings(pairs: tuple[str, ...], unset: tuple[str, ...] = ()) -> dict | None:
    if not pairs and not unset:
        return None
    settings: dict = {name: None for name in unset}
    for pair in pairs:
        name, equals, raw = pair.partition("=")
        if not equals:
            raise click.BadParameter(f"{pair!r} is not FIELD=VALUE", param_hint="--set")
        try:
            settings[name.strip()] = json.loads(raw)
        except ValueError:
            settings[name.strip()] = raw
    return settings


def _parse(data: dict, creating: bool) -> dict:
    try:
        return parse_site(data, creating)
    except ValidationFailed as error:
        details = "; ".join(f"{field}: {' '.join(messages)}"
                            for field, messages in (error.fields or {}).items())
        raise click.ClickException(details or error.message) from None


def _line(record) -> str:
    overrides = json.dumps(record.settings or {}, sort_keys=True)
    return f"{record.id}\t{record.name}\t{','.join(record.origins or []) or '-'}\t{overrides}"


@site.command("create")
@click.argument("site_id")
@click.option("--name", default=None, help="Display name (default: the id).")
@click.option("--origin", "origins", multiple=True, help="A page origin, e.g. https://blog.example.")
@click.option("--set", "pairs", multiple=True, metavar="FIELD=VALUE",
              help="Override a moderation setting for this site.")
@with_appcontext
def create(site_id: str, name: str | None, origins: tuple[str, ...], pairs: tuple[str, ...]):
    """Create site SITE_ID."""
    data = {"id": site_id, "origins": list(origins)}
    if name is not None:
        data["name"] = name
    settings = _settings(pairs)
    if settings is not None:
        data["settings"] = settings
    values = _parse(data, creating=True)
    if get_site(db.session, site_id) is not None:
        raise click.ClickException(f"a site with id {site_id!r} already exists")
    record = create_site(db.session, site_id, values.get("name"), values.get("origins"),
                         values.get("settings"))
    click.echo(f"Created site {record.id}.")


@site.command("update")
@click.argument("site_id")
@click.option("--name", default=None, help="New display name.")
@click.option("--origin", "origins", multiple=True, help="Replace the origins with these.")
@click.option("--no-origins", is_flag=True, help="Remove every origin.")
@click.option("--set", "pairs", multiple=True, metavar="FIELD=VALUE",
              help="Override a moderation setting for this site.")
@click.option("--unset", multiple=True, metavar="FIELD",
              help="Drop an override (the global setting applies again).")
@with_appcontext
def update(site_id: str, name: str | None, origins: tuple[str, ...], no_origins: bool,
           pairs: tuple[str, ...], unset: tuple[str, ...]):
    """Change site SITE_ID."""
    record = get_site(db.session, site_id)
    if record is None:
        raise click.ClickException(f"no site with id {site_id!r}")
    data: dict = {}
    if name is not None:
        data["name"] = name
    if origins or no_origins:
        data["origins"] = list(origins)
    settings = _settings(pairs, unset)
    if settings is not None:
        data["settings"] = settings
    values = _parse(data, creating=False)
    update_site(db.session, record, name=values.get("name"), origins=values.get("origins"),
                settings=values.get("settings"))
    click.echo(_line(record))


@site.command("list")
@with_appcontext
def list_command():
    """List the sites: id, name, origins, overrides."""
    for record in list_sites(db.session):
        click.echo(_line(record))
