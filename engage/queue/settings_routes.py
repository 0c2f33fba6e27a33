"""Moderator API for moderation settings and the blocklist (bearer token or session login).

Admins change the settings; admins and moderators read them. The blocklist applies to every
site, so a moderator limited to some sites may neither read nor change it (403).

- ``GET /api/v1/moderation/settings`` → ``{"settings": {…}, "defaults": {…}}``
- ``PATCH /api/v1/moderation/settings`` with some fields (``null`` resets one) → the same
- ``GET /api/v1/moderation/blocklist[?kind=…]`` → ``{"entries": [{id, kind, value, …}]}``
- ``POST /api/v1/moderation/blocklist`` ``{kind, value}`` → 201 ``{"entry"}`` (200 if present)
- ``DELETE /api/v1/moderation/blocklist/<id>`` or ``DELETE /api/v1/moderation/blocklist``
  with ``{kind, value}`` → 204; 404 when no such entry.

Changes apply to new comments in every process within about a second (see ``settings``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from engage.db import db, utcnow
from engage.errors import NotFound
from engage.web.json_body import json_body, load, load_args
from engage.moderation.settings import store as settings
from engage.moderators.guards import admin_required, check_every_site, moderator_required
from engage.moderation.settings.options import BlockKind, options_from_config
from engage.moderation.settings.schemas import (BlocklistQuerySchema, BlockSchema,
                                                SettingsPatchSchema)

bp = Blueprint("moderation_settings", __name__)

_patch = SettingsPatchSchema()
_block = BlockSchema()
_block_query = BlocklistQuerySchema()


def _settings_body(options):
    return {"settings": options.as_dict(),
            "defaults": options_from_config(current_app.config).as_dict()}


@bp.get("/api/v1/moderation/settings")
@moderator_required
def get_settings():
    return jsonify(_settings_body(settings.load_options(db.session, current_app.config)))


@bp.patch("/api/v1/moderation/settings")
@admin_required
def patch_settings():
    changes = load(_patch, json_body())
    options = settings.update_options(db.session, changes, current_app.config,
                                      g.moderator.name, utcnow())
    return jsonify(_settings_body(options))


@bp.get("/api/v1/moderation/blocklist")
@moderator_required
def list_blocklist():
    check_every_site()  # the blocklist applies to every site
    kind = load_args(_block_query)["kind"]
    entries = settings.list_blocked(db.session, BlockKind(kind) if kind else None)
    return jsonify({"entries": [entry.as_dict() for entry in entries]})


@bp.post("/api/v1/moderation/blocklist")
@moderator_required
def add_block():
    check_every_site()  # the blocklist applies to every site
    data = load(_block, json_body())
    entry, created = settings.add_blocked(db.session, data["kind"], data["value"],
                                          g.moderator.name, utcnow(), current_app.config)
    return jsonify({"entry": entry.as_dict()}), 201 if created else 200


@bp.delete("/api/v1/moderation/blocklist/<int:entry_id>")
@moderator_required
def delete_block_by_id(entry_id: int):
    check_every_site()  # the blocklist applies to every site
    entry = db.session.get(settings.BlockedEntry, entry_id)
    if entry is None:
        raise NotFound("No blocklist entry with this id.")
    settings.remove_blocked(db.session, entry, utcnow(), current_app.config)
    return "", 204


@bp.delete("/api/v1/moderation/blocklist")
@moderator_required
def delete_block():
    check_every_site()  # the blocklist applies to every site
    data = load(_block, json_body())
    entry = settings.find_blocked(db.session, data["kind"], data["value"])
    if entry is None:
        raise NotFound("This value is not on the blocklist.")
    settings.remove_blocked(db.session, entry, utcnow(), current_app.config)
    return "", 204
