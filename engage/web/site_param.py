"""The site a public request is for: ``site`` in the query string or the JSON body.

A request without ``site`` is on ``default``. A value that is no site id is a 422 naming the
field ``site``; a site that does not exist is a 404. The site found is kept on ``flask.g`` for
the rest of the request: the CORS hook answers with that site's origins.
"""

from __future__ import annotations

from flask import g, request

from engage.errors import NotFound, ValidationFailed
from engage.site_directory import SiteInfo, site_directory
from engage.sites import DEFAULT_SITE, validate_site_id

G_KEY = "engage_site"


def site_param(raw: object = None) -> SiteInfo:
    """The site named by ``raw`` (a JSON body's ``site``), else by the query string's ``site``,
    else ``default``; see the module docstring."""
    value = raw if raw not in (None, "") else request.args.get("site") or DEFAULT_SITE
    if raw not in (None, "") and request.args.get("site") not in (None, "", raw):
        raise ValidationFailed("The query string and the body name different sites.",
                               fields={"site": ["must be the same in the query and the body"]})
    site = find_site(value)
    g.engage_site = site
    return site


def find_site(value: object) -> SiteInfo:
    """The site ``value`` names: 422 when it is no site id, 404 when there is no such site."""
    try:
        validate_site_id(value)
    except ValueError as error:
        raise ValidationFailed("Invalid site.", fields={"site": [str(error)]}) from None
    site = site_directory().get(value)
    if site is None:
        raise NotFound(f"There is no site {value!r}.")
    return site


def request_site() -> SiteInfo | None:
    """The site this request named, if it named a valid, existing one (or none: ``default``);
    None when its ``site`` is invalid or unknown. Never raises (the CORS hook asks)."""
    site = g.get(G_KEY)
    if site is not None:
        return site
    value = request.args.get("site") or DEFAULT_SITE
    try:
        validate_site_id(value)
    except ValueError:
        return None
    return site_directory().get(value)
