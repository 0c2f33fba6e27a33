"""Moderator accounts and API tokens (the route guards that check them are in ``guards``).

Contracts
- Every account has a role (``roles``); the first account is an admin, later ones are
  moderators unless told otherwise. ``moderator_sites`` limits an account to some sites (no
  rows: every site). Accounts made before roles existed are admins (migration 0014).
- Passwords are hashed with scrypt (see ``passwords``).
- API tokens are ``eng_`` + 32 random bytes (url-safe base64). Only their SHA-256 is stored, so a
  database leak does not hand out working tokens; a token is shown once, when issued.
  A revoked token is kept (with ``revoked_at``) so that using it answers 403, not 401.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime

from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engage.db import Base, UTCDateTime, utcnow
from engage.moderators.passwords import dummy_hash, hash_password, verify_password
from engage.moderators.roles import Role, weaker
from engage.sites import MAX_SITE_ID, get_site

NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
TOKEN_PREFIX = "eng_"
MIN_PASSWORD_LENGTH = 10


class Moderator(Base):
    __tablename__ = "moderators"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # a row inserted without a role (as every account was before roles) is an admin
    role: Mapped[str] = mapped_column(String(16), server_default=Role.ADMIN.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # where moderator alerts go (engage/notifications/alerts); None: no alerts
    email: Mapped[str | None] = mapped_column(String(254), nullable=True)

    def __repr__(self) -> str:
        return f"<Moderator {self.name}>"


class ModeratorSite(Base):
    """One site an account is limited to; an account without rows may act on every site."""

    __tablename__ = "moderator_sites"

    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), primary_key=True)
    site_id: Mapped[str] = mapped_column(String(MAX_SITE_ID), ForeignKey("sites.id"),
                                         primary_key=True)


class ApiToken(Base):
    __tablename__ = "moderator_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # the most the token may do (the account's role may be lower: see roles.weaker)
    role: Mapped[str] = mapped_column(String(16), server_default=Role.ADMIN.value)
    # first characters of the token, so `engage moderator list` can tell tokens apart
    hint: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), nullable=True)

    moderator: Mapped[Moderator] = relationship(lazy="joined")

    @property
    def effective_role(self) -> Role:
        return weaker(self.role, self.moderator.role)


def validate_name(name: str) -> str:
    """Return ``name`` if it is a valid moderator name, else raise ValueError saying why."""
    if not NAME_PATTERN.match(name or ""):
        raise ValueError("a moderator name is 1-64 letters, digits, '.', '_' or '-', "
                         "starting with a letter or digit")
    return name


def validate_email(email: str) -> str:
    """The address, trimmed and lower-cased, or ValueError: where a moderator's alerts go."""
    email = (email or "").strip().lower()
    if len(email) > 254 or not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", email):
        raise ValueError("not a valid email address")
    return email


def validate_password(password: str) -> str:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise ValueError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    return password


# --- accounts -------------------------------------------------------------------------------

def find_moderator(session: Session, name: str) -> Moderator | None:
    return session.scalar(select(Moderator).where(Moderator.name == name))


def create_moderator(session: Session, name: str, password: str, *,
                     now: datetime | None = None, role: Role | None = None,
                     sites: list[str] = ()) -> Moderator:
    """Add a moderator (flushed, not committed): ``role`` (default: admin for the first
    account, else moderator), limited to ``sites`` (none: every site). Raises ValueError for a
    bad or taken name, or an unknown site."""
    validate_name(name)
    validate_password(password)
    if find_moderator(session, name) is not None:
        raise ValueError(f"a moderator named {name!r} already exists")
    _check_sites(session, sites)
    if role is None:
        role = Role.MODERATOR if has_moderators(session) else Role.ADMIN
    moderator = Moderator(name=name, password_hash=hash_password(password), role=role.value,
                          created_at=now or utcnow())
    session.add(moderator)
    session.flush()
    set_sites(session, moderator, sites)
    return moderator


def moderator_sites(session: Session, moderator: Moderator) -> frozenset[str] | None:
    """The sites ``moderator`` is limited to; None: every site."""
    sites = frozenset(session.scalars(select(ModeratorSite.site_id).where(
        ModeratorSite.moderator_id == moderator.id)))
    return sites or None


def _check_sites(session: Session, sites: list[str]) -> None:
    unknown = [site for site in sites if get_site(session, site) is None]
    if unknown:
        raise ValueError(f"no site {', '.join(map(repr, unknown))}")


def set_sites(session: Session, moderator: Moderator, sites: list[str]) -> None:
    """Limit ``moderator`` to ``sites`` (empty: every site); ValueError for an unknown one."""
    _check_sites(session, sites)
    session.execute(delete(ModeratorSite).where(ModeratorSite.moderator_id == moderator.id))
    session.add_all(ModeratorSite(moderator_id=moderator.id, site_id=site)
                    for site in dict.fromkeys(sites))
    session.flush()


def set_password(moderator: Moderator, password: str) -> None:
    moderator.password_hash = hash_password(validate_password(password))


def authenticate(session: Session, name: str, password: str) -> Moderator | None:
    """The moderator if ``name``/``password`` match, else None (same cost either way)."""
    moderator = find_moderator(session, name) if name else None
    if moderator is None:
        verify_password(password, dummy_hash())
        return None
    return moderator if verify_password(password, moderator.password_hash) else None


def has_moderators(session: Session) -> bool:
    return session.scalar(select(Moderator.id).limit(1)) is not None


# --- API tokens -----------------------------------------------------------------------------

def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, moderator: Moderator, *, now: datetime | None = None,
                role: Role | None = None) -> str:
    """Create a new API token for ``moderator`` and return it; only its hash is stored. The
    token may do what ``role`` may (default: the account's role), never more than the
    account."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    role = weaker(role or moderator.role, moderator.role)
    session.add(ApiToken(moderator_id=moderator.id, token_hash=token_digest(token),
                         hint=token[: len(TOKEN_PREFIX) + 6], role=role.value,
                         created_at=now or utcnow()))
    session.flush()
    return token


def revoke_tokens(session: Session, moderator: Moderator, *, hint: str | None = None,
                  now: datetime | None = None) -> int:
    """Revoke the moderator's live tokens (only the one starting with ``hint`` if given)."""
    query = select(ApiToken).where(ApiToken.moderator_id == moderator.id,
                                   ApiToken.revoked_at.is_(None))
    count = 0
    for token in session.scalars(query):
        if hint is None or token.hint.startswith(hint) or hint.startswith(token.hint):
            token.revoked_at = now or utcnow()
            count += 1
    session.flush()
    return count


def find_token(session: Session, token: str) -> ApiToken | None:
    """The stored token matching ``token`` (revoked or not), or None."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    return session.scalar(select(ApiToken).where(ApiToken.token_hash == token_digest(token)))
