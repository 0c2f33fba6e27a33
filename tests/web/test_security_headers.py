"""Every response says nosniff and a referrer policy; only engage's own pages refuse framing."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("path,framed", [
    ("/healthz", False), ("/moderate", False), ("/api/v1/comments?article=/a", True),
    ("/widget/engage.js", True), ("/no/such/page", False)])
def test_security_headers(client, path, framed):
    response = client.get(path)
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert ("X-Frame-Options" not in response.headers) is framed
    if not framed:
        assert response.headers["X-Frame-Options"] == "DENY"


def test_flask_session_is_never_used(app):
    """engage keeps no state in Flask's cookie session: writing to it is an error, not a cookie."""
    from flask import session

    with app.test_request_context("/"):
        assert dict(session) == {}
        with pytest.raises(RuntimeError, match="does not use Flask's cookie session"):
            session["moderator"] = 1
