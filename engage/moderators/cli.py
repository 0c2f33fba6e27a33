"""``engage moderator …``: create moderators, issue and revoke API tokens, list accounts.

- ``create NAME [--role admin|moderator|analyst] [--site S]… [--password-stdin]``: the first
  account is an admin, later ones moderators unless ``--role`` says otherwise; ``--site``
  limits the account to those sites (none: every site). The password is read from stdin (one
  line) with ``--password-stdin``; otherwise it is asked for twice on a terminal; with no
  terminal (or an empty answer) a random one-time password is generated and printed once.
- ``update NAME [--role R] [--site S]… [--all-sites]``: changes the role or the sites.
- ``token NAME [--role R]``: prints a new API token (that may do at most what ``R`` may; the
  account's role by default); the token is alone on the LAST line of output, so scripts can
  take ``| tail -n1``.
- ``revoke NAME [--token PREFIX]``: revokes all of NAME's tokens, or the one starting PREFIX.
- ``password NAME [--password-stdin]``: sets a new password and ends NAME's sessions.
- ``notify NAME --on held,reported|none --every now|hourly|daily [--site S]``: mail alerts
  (``create``/``update --email E`` sets where they go).
- ``list``: names, roles, sites, creation dates and live tokens.
"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext
from sqlalchemy import delete, select

from engage.db import db
from engage.moderators.accounts import (ApiToken, Moderator, create_moderator, find_moderator,
                                        issue_token, moderator_sites, revoke_tokens, set_password,
                                        set_sites, validate_email)
from engage.moderators.roles import Role
from engage.moderators.passwords import generate_password
from engage.moderators.sessions import ModeratorSession


def _moderator_or_fail(name: str):
    moderator = find_moderator(db.session, name)
    if moderator is None:
        raise click.ClickException(f"no moderator named {name!r}")
    return moderator


def _read_password(password_stdin: bool) -> tuple[str, bool]:
    """(password, generated?)"""
    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n"), False
    if sys.stdin.isatty():
        entered = click.prompt("Password (empty: generate one)", hide_input=True,
                               confirmation_prompt=True, default="", show_default=False)
        if entered:
            return entered, False
    return generate_password(), True


@click.group("moderator")
def moderator() -> None:
    """Manage moderator accounts and API tokens."""


_ROLE = click.Choice([role.value for role in Role])


@moderator.command("create")
@click.argument("name")
@click.option("--role", type=_ROLE, default=None,
              help="admin, moderator or analyst (default: admin for the first account, "
                   "then moderator).")
@click.option("--site", "sites", multiple=True, help="Limit the account to this site.")
@click.option("--email", default=None, help="Where moderator alerts go (engage moderator notify).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create(name: str, role: str | None, sites: tuple[str, ...], email: str | None,
           password_stdin: bool) -> None:
    """Create moderator NAME."""
    password, generated = _read_password(password_stdin)
    try:
        account = create_moderator(db.session, name, password,
                                   role=Role(role) if role else None, sites=list(sites))
        if email is not None:
            account.email = validate_email(email)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"Created moderator {name} ({account.role}{_sites_text(sites)}).")
    if generated:
        click.echo("One-time password (shown only now; change it with "
                   f"`engage moderator password {name}`):")
        click.echo(password)


@moderator.command("password")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def password(name: str, password_stdin: bool) -> None:
    """Set a new password for NAME and log out their sessions."""
    account = _moderator_or_fail(name)
    new, generated = _read_password(password_stdin)
    try:
        set_password(account, new)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.execute(delete(ModeratorSession).where(ModeratorSession.moderator_id == account.id))
    db.session.commit()
    click.echo(f"Password of {name} changed; their sessions were ended.")
    if generated:
        click.echo(new)


def _sites_text(sites) -> str:
    return f" on {', '.join(sorted(sites))}" if sites else " on every site"


@moderator.command("update")
@click.argument("name")
@click.option("--role", type=_ROLE, default=None, help="The new role.")
@click.option("--site", "sites", multiple=True, help="Limit the account to these sites.")
@click.option("--all-sites", is_flag=True, help="Let the account act on every site.")
@click.option("--email", default=None, help="Where alerts go; an empty value removes it.")
@with_appcontext
def update(name: str, role: str | None, sites: tuple[str, ...], all_sites: bool,
           email: str | None) -> None:
    """Change NAME's role, sites or email."""
    account = _moderator_or_fail(name)
    if role:
        account.role = role
    try:
        if email is not None:
            account.email = validate_email(email) if email else None
        if sites or all_sites:
            set_sites(db.session, account, [] if all_sites else list(sites))
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"{name}: {account.role}{_sites_text(moderator_sites(db.session, account))}.")


@moderator.command("token")
@click.argument("name")
@click.option("--role", type=_ROLE, default=None,
              help="What the token may do at most (default: the account's role).")
@with_appcontext
def token(name: str, role: str | None) -> None:
    """Issue a new API token for NAME (printed on the last line)."""
    value = issue_token(db.session, _moderator_or_fail(name), role=Role(role) if role else None)
    db.session.commit()
    click.echo(f"New API token for {name} (store it now; engage keeps only a hash). "
               "Send it as 'Authorization: Bearer <token>'.")
    click.echo(value)


@moderator.command("revoke")
@click.argument("name")
@click.option("--token", "prefix", default=None, help="Revoke only the token starting with this.")
@with_appcontext
def revoke(name: str, prefix: str | None) -> None:
    """Revoke NAME's API tokens."""
    count = revoke_tokens(db.session, _moderator_or_fail(name), hint=prefix)
    db.session.commit()
    click.echo(f"Revoked {count} token(s) of {name}.")


@moderator.command("notify")
@click.argument("name")
@click.option("--on", "events", required=True, help="held, reported, held,reported or none.")
@click.option("--every", type=click.Choice(["now", "hourly", "daily"]), default="now",
              show_default=True, help="At once, or one digest an hour or a day.")
@click.option("--site", default=None, help="Only for this site (default: every site).")
@with_appcontext
def notify(name: str, events: str, every: str, site: str | None) -> None:
    """Choose which mail alerts NAME gets (held or reported comments) and how often."""
    # imported here: alerts need the queue and the outbox, which other commands never load
    from engage.notifications.alerts.preferences import parse_events, set_preference

    account = _moderator_or_fail(name)
    try:
        chosen = parse_events(events)
        set_preference(db.session, account, chosen, every, site)
    except ValueError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    where = f"on {site}" if site else "on every site"
    what = " and ".join(chosen) + f" comments, {every}" if chosen else "nothing"
    click.echo(f"{name} hears of {what} {where}" + ("" if account.email or not chosen else
               f" (no email yet: engage moderator update {name} --email E)") + ".")


@moderator.command("list")
@with_appcontext
def list_moderators() -> None:
    """List moderators and their live tokens."""
    for account in db.session.scalars(select(Moderator).order_by(Moderator.name)):
        live = db.session.scalars(select(ApiToken).where(
            ApiToken.moderator_id == account.id, ApiToken.revoked_at.is_(None)))
        tokens = ", ".join(
            f"{t.hint}… (last used {t.last_used_at:%Y-%m-%d})" if t.last_used_at
            else f"{t.hint}… (never used)" for t in live) or "no tokens"
        sites = ",".join(sorted(moderator_sites(db.session, account) or ())) or "every site"
        click.echo(f"{account.name}\t{account.role}\t{sites}\t"
                   f"created {account.created_at:%Y-%m-%d}\t{tokens}")
