"""Server-side login sessions for moderator pages, with their CSRF tokens.

Contracts
- The cookie (``engage_session``) holds only a random 256-bit id. The database stores the
  SHA-256 of it, so a copy of the sessions table cannot be replayed as cookies.
- Cookie flags: HttpOnly, SameSite=Lax, Path=/, Secure when the request came over HTTPS.
- A session lives ``MODERATION_SESSION_HOURS`` from login, then must log in again;
  logging out deletes the row, so the cookie is dead even if someone kept a copy.
- Every session has its own CSRF token; every POST form carries it in ``csrf_token`` and
  ``check_csrf`` compares it in constant time. SameSite=Lax already stops most cross-site posts;
  the token also stops same-site ones (another app on a sibling subdomain) and old browsers.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from flask import Response, request
from sqlalchemy import ForeignKey, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from engage.db import Base, UTCDateTime
from engage.moderators.accounts import Moderator

COOKIE_NAME = "engage_session"


class ModeratorSession(Base):
    __tablename__ = "moderator_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    moderator_id: Mapped[int] = mapped_column(
        ForeignKey("moderators.id", ondelete="CASCADE"), index=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)

    moderator: Mapped[Moderator] = relationship(lazy="joined")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def start(session: Session, moderator: Moderator, now: datetime,
          hours: float) -> tuple[str, ModeratorSession]:
    """Open a session for ``moderator``; return (cookie value, row). Also drops expired rows."""
    session.execute(delete(ModeratorSession).where(ModeratorSession.expires_at < now))
    cookie = secrets.token_urlsafe(32)
    row = ModeratorSession(id_hash=_digest(cookie), moderator_id=moderator.id,
                           csrf_token=secrets.token_urlsafe(32), created_at=now,
                           expires_at=now + timedelta(hours=hours))
    session.add(row)
    session.flush()
    return cookie, row


def current(session: Session, cookie: str | None, now: datetime) -> ModeratorSession | None:
    """The live session for ``cookie``, or None if absent, unknown or expired."""
    if not cookie or len(cookie) > 128:
        return None
    row = session.scalar(select(ModeratorSession).where(ModeratorSession.id_hash == _digest(cookie)))
    if row is None or row.expires_at <= now:
        return None
    return row


def end(session: Session, cookie: str | None) -> None:
    """Delete the session behind ``cookie`` (no error if there is none)."""
    if cookie:
        session.execute(delete(ModeratorSession).where(ModeratorSession.id_hash == _digest(cookie)))


def check_csrf(expected: str | None, sent: str | None) -> bool:
    """True if the form's token matches the session's (constant-time)."""
    if not expected or not sent:
        return False
    return hmac.compare_digest(expected.encode(), sent.encode())


def set_cookie(response: Response, cookie: str, row: ModeratorSession) -> None:
    response.set_cookie(COOKIE_NAME, cookie, expires=row.expires_at, path="/", httponly=True,
                        samesite="Lax", secure=request.is_secure)


def clear_cookie(response: Response) -> None:
    response.delete_cookie(COOKIE_NAME, path="/", httponly=True, samesite="Lax",
                           secure=request.is_secure)
