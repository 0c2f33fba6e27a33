"""engage keeps no state in Flask's signed-cookie session.

Moderator logins are server-side sessions (``engage.moderators.sessions``) and readers have no
session at all. Flask's default session interface would still build a signing serializer and
look for its cookie on every request (about a tenth of a bare request's time), so engage
replaces it with one that never opens a session; code that tries to write to ``flask.session``
fails loudly instead of silently setting a cookie nobody reads.
"""

from __future__ import annotations

from typing import NoReturn

from flask.sessions import NullSession, SessionInterface


class NoSession(NullSession):
    """The empty, read-only ``flask.session`` of every engage request."""

    def _fail(self, *args, **kwargs) -> NoReturn:
        raise RuntimeError("engage does not use Flask's cookie session; keep moderator state in "
                           "engage.moderators.sessions")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail


class SessionlessInterface(SessionInterface):
    """Never opens or saves a cookie session (Flask then uses ``null_session_class``)."""

    null_session_class = NoSession

    def open_session(self, app, request) -> None:
        return None

    def save_session(self, app, session, response) -> None:  # pragma: no cover - never called
        return None
