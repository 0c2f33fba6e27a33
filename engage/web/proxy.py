"""Believe ``X-Forwarded-Proto`` only from the configured proxies.

Behind nginx with TLS, engage itself is reached over plain HTTP; without this, cookies would
lose their ``Secure`` flag and absolute URLs would say ``http``. Unlike werkzeug's ProxyFix
(which trusts a number of hops, whoever sent them), only a direct peer listed in
``TRUSTED_PROXIES`` may set the scheme. Client addresses are handled in ``engage.privacy``.
"""

from __future__ import annotations


class TrustedProxyScheme:
    """WSGI middleware: take the scheme from ``X-Forwarded-Proto`` of trusted peers only."""

    def __init__(self, app, trusted_proxies: tuple[str, ...]):
        self.app = app
        self.trusted = frozenset(trusted_proxies)

    def __call__(self, environ, start_response):
        if environ.get("REMOTE_ADDR") in self.trusted:
            forwarded = environ.get("HTTP_X_FORWARDED_PROTO", "").split(",")[0].strip().lower()
            if forwarded in ("http", "https"):
                environ["wsgi.url_scheme"] = forwarded
        return self.app(environ, start_response)
