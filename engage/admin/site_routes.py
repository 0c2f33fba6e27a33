"""The sites API (admins): list, create, read and change sites.

- ``GET /api/v1/admin/sites`` → ``{"sites": [site, …]}``
- ``POST /api/v1/admin/sites`` ``{"id", "name"?, "origins"?, "settings"?}`` → 201 site;
  409 when the id is taken
- ``GET /api/v1/admin/sites/<id>`` → site; 404 when there is none
- ``PATCH /api/v1/admin/sites/<id>`` ``{"name"?, "origins"?, "settings"?}`` → site
A site is ``{"id", "name", "origins": […], "settings": {…overrides}}``; bad fields → 422
naming each (``admin.site_input``). Every process applies a change within about a second.
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from engage.admin.site_input import parse_site
from engage.db import db, utcnow
from engage.errors import Conflict, NotFound
from engage.moderators.guards import admin_required
from engage.site_directory import site_directory
from engage.sites import Site, create_site, get_site, list_sites, update_site
from engage.web.json_body import json_body

bp = Blueprint("admin_sites", __name__)


@bp.after_request
def _no_store(response):
    response.headers["Cache-Control"] = "no-store"
    return response


def _site_or_404(site_id: str) -> Site:
    site = get_site(db.session, site_id)
    if site is None:
        raise NotFound(f"There is no site {site_id!r}.")
    return site


@bp.get("/api/v1/admin/sites")
@admin_required
def api_list():
    return jsonify({"sites": [site.as_dict() for site in list_sites(db.session)]})


@bp.post("/api/v1/admin/sites")
@admin_required
def api_create():
    values = parse_site(json_body(), creating=True)
    if get_site(db.session, values["id"]) is not None:
        raise Conflict(f"A site with id {values['id']!r} already exists.", code="site_exists")
    site = create_site(db.session, values["id"], values.get("name"), values.get("origins"),
                       values.get("settings"), utcnow())
    site_directory().invalidate()
    return jsonify(site.as_dict()), 201


@bp.get("/api/v1/admin/sites/<site_id>")
@admin_required
def api_get(site_id: str):
    return jsonify(_site_or_404(site_id).as_dict())


@bp.patch("/api/v1/admin/sites/<site_id>")
@admin_required
def api_update(site_id: str):
    site = _site_or_404(site_id)
    values = parse_site(json_body(), creating=False)
    update_site(db.session, site, name=values.get("name"), origins=values.get("origins"),
                settings=values.get("settings"), now=utcnow())
    site_directory().invalidate()
    return jsonify(site.as_dict())
