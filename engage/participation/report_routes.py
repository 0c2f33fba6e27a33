"""Reader reports over HTTP (DESIGN.md §3, Reader actions), and the admin export of notices.

- ``POST /api/v1/comments/{id}/reports`` ``{"reason", "message"?, "email"?, "good_faith"?,
  "site"?}`` → 201 ``{"reference"}``; a repeat by the same visitor → 200 with the first
  reference. ``illegal`` needs ``message`` and ``good_faith: true`` (422 otherwise); ``email``
  is validated like a comment's ``author_email`` and kept only for the receipt. 404: not a
  published comment of the site (or an id no comment can have); 429 past the network's
  hourly allowance.
- ``GET /api/v1/reports/{reference}`` → the receipt (``reports.receipt``): status, outcome and
  statement of reasons; no email, no message.
- ``GET /api/v1/moderation/reports/notices.csv`` (admins) → every illegal-content notice and
  its decision, for the transparency report; reporters' emails are left out.
Every answer is ``no-store``: it is about one reader (or is an admin's export).
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, current_app, jsonify
from marshmallow import (EXCLUDE, Schema, ValidationError, fields, pre_load, validate,
                         validates_schema)

from engage.comments.schemas import EMAIL_MAX, MAX_ID, SafeString
from engage.db import db, utcnow
from engage.errors import NotFound
from engage.moderators.guards import admin_required
from engage.participation import report_export, reports
from engage.participation.report_models import MESSAGE_MAX, ReportReason
from engage.participation.visitor import request_visitor
from engage.web.json_body import json_body, load
from engage.web.site_param import site_param

bp = Blueprint("reports", __name__)

_REFERENCE = re.compile(r"^[A-Za-z0-9_-]{1,32}$")


class StrictBool(fields.Field):
    """JSON ``true`` or ``false`` only (marshmallow's Boolean also takes 1, "yes", …)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise ValidationError("Must be true or false.")
        return value


class ReportInputSchema(Schema):
    """``POST /api/v1/comments/{id}/reports`` body."""

    class Meta:
        unknown = EXCLUDE

    site = SafeString(load_default=None, allow_none=True)  # checked by web.site_param
    reason = fields.String(required=True, validate=validate.OneOf(
        [r.value for r in ReportReason],
        error="Must be one of: " + ", ".join(r.value for r in ReportReason) + "."))
    message = SafeString(load_default=None, allow_none=True, validate=validate.Length(
        max=MESSAGE_MAX, error="The note must be at most {max} characters."))
    email = fields.Email(load_only=True, load_default=None, allow_none=True,
                         validate=validate.Length(max=EMAIL_MAX,
                                                  error="Email must be at most {max} characters."))
    good_faith = StrictBool(load_default=False)

    @pre_load
    def _empty_email_is_none(self, data, **kwargs):
        if isinstance(data, dict) and data.get("email") == "":
            data = {**data, "email": None}
        return data

    @validates_schema
    def _notice_rules(self, data, **kwargs):
        """DSA art. 16(2): a notice explains why the content is illegal and is in good faith."""
        if data.get("reason") != ReportReason.ILLEGAL.value:
            return
        errors = {}
        if not (data.get("message") or "").strip():
            errors["message"] = ["Explain why this comment is illegal."]
        if data.get("good_faith") is not True:
            errors["good_faith"] = ["Confirm that the notice is accurate and made in good faith."]
        if errors:
            raise ValidationError(errors)


_report_input = ReportInputSchema()


def _no_store(response, status: int = 200):
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/api/v1/comments/<int(signed=False):comment_id>/reports")
def report(comment_id: int):
    if comment_id > MAX_ID:  # ids are 32-bit: PostgreSQL would refuse the query
        raise NotFound("There is no published comment with this id.")
    body = json_body()
    site = site_param(body.get("site") if isinstance(body, dict) else None)
    data = load(_report_input, body)
    email = data.get("email")
    # Only a notice asks for an address (for its receipt); another report's is not kept.
    reason = ReportReason(data["reason"])
    keep_email = reason is ReportReason.ILLEGAL and email
    report_input = reports.ReportInput(
        reason=reason, message=(data.get("message") or "").strip() or None,
        email=email.strip().lower() if keep_email else None,
        good_faith=bool(data.get("good_faith")))
    now = utcnow()
    config = current_app.config
    filed = reports.file_report(db.session, comment_id, site.id, request_visitor(now),
                                report_input, now,
                                per_network_hour=config["REPORTS_PER_NETWORK_HOUR"],
                                hold_at=config["REPORTS_HOLD"])
    return _no_store(jsonify({"reference": filed.reference}), 201 if filed.created else 200)


@bp.get("/api/v1/reports/<reference>")
def receipt(reference: str):
    if not _REFERENCE.match(reference):
        raise NotFound("There is no report with this reference.")
    return _no_store(jsonify(reports.receipt(db.session, reference)))


@bp.get("/api/v1/moderation/reports/notices.csv")
@admin_required
def notices_csv():
    response = Response(report_export.notices_csv(db.session), mimetype="text/csv")
    response.headers["Content-Disposition"] = 'attachment; filename="notices.csv"'
    return _no_store(response)
