"""What ``PATCH /api/v1/moderation/settings`` and ``POST /api/v1/moderation/blocklist`` accept.

Every field is optional in a PATCH; ``null`` resets a field to its default; an unknown field
is a 422, so a typo never silently does nothing. Values come out in their stored JSON form.
"""

from __future__ import annotations

from marshmallow import (RAISE, Schema, ValidationError, fields, post_load, validate,
                         validates_schema)

from engage.moderation.settings.options import (BlockKind, ModerationMode, ProfanityGrade,
                                       ProfanityMode, normalize_block_value)

_MAX_LIST = 5000


def _int(low: int, high: int, **kwargs) -> fields.Integer:
    return fields.Integer(allow_none=True, strict=True, validate=validate.Range(low, high),
                          **kwargs)


def _float(low: float, high: float) -> fields.Float:
    return fields.Float(allow_none=True, allow_nan=False, validate=validate.Range(low, high))


class SettingsPatchSchema(Schema):
    class Meta:
        unknown = RAISE

    mode = fields.String(allow_none=True, validate=validate.OneOf([m.value for m in ModerationMode]))
    flood_seconds = _int(0, 86_400)
    min_submit_seconds = _float(0, 3600)
    auto_close_days = _int(0, 36_500)
    links_hold = _int(0, 1000)
    links_spam = _int(0, 1000)
    link_shorteners = fields.List(fields.String(validate=validate.Length(1, 253)),
                                  allow_none=True, validate=validate.Length(max=_MAX_LIST))
    profanity = fields.String(allow_none=True,
                              validate=validate.OneOf([m.value for m in ProfanityMode]))
    profanity_hold_grade = fields.String(allow_none=True,
                                         validate=validate.OneOf([g.value for g in ProfanityGrade]))
    # word → grade, over the shipped grading (a word it lacks is added to the list)
    profanity_grades = fields.Dict(keys=fields.String(validate=validate.Length(1, 100)),
                                   values=fields.String(
                                       validate=validate.OneOf([g.value for g in ProfanityGrade])),
                                   allow_none=True, validate=validate.Length(max=_MAX_LIST))
    moderation_words = fields.List(fields.String(validate=validate.Length(1, 100)),
                                   allow_none=True, validate=validate.Length(max=_MAX_LIST))
    shouting_ratio = _float(0, 1)
    shouting_min_letters = _int(0, 10_000)
    repeat_char_run = _int(0, 1000)
    repeat_word_run = _int(0, 1000)
    trust_approved_authors = fields.Boolean(allow_none=True)

    @validates_schema
    def _links_order(self, data, **kwargs):
        hold, spam = data.get("links_hold"), data.get("links_spam")
        if hold and spam and spam <= hold:
            raise ValidationError("links_spam must be above links_hold (or 0 for off).",
                                  field_name="links_spam")

    @post_load
    def _normalize(self, data, **kwargs):
        if data.get("link_shorteners") is not None:
            hosts, errors = [], []
            for raw in data["link_shorteners"]:
                try:
                    hosts.append(normalize_block_value(BlockKind.HOST, raw))
                except ValueError as error:
                    errors.append(f"{raw!r}: {error}")
            if errors:
                raise ValidationError(errors, field_name="link_shorteners")
            data["link_shorteners"] = sorted(set(hosts))
        if data.get("profanity_grades") is not None:
            grades = {" ".join(word.lower().split()): grade
                      for word, grade in data["profanity_grades"].items()}
            if "" in grades:
                raise ValidationError(["a word must have a letter"], field_name="profanity_grades")
            data["profanity_grades"] = dict(sorted(grades.items()))
        if data.get("moderation_words") is not None:
            words = {" ".join(word.lower().split()) for word in data["moderation_words"]}
            data["moderation_words"] = sorted(word for word in words if word.strip("*"))
        return data


class BlockSchema(Schema):
    """One blocklist entry: ``{"kind": "email|domain|ip|host|word", "value": "…"}``."""

    class Meta:
        unknown = RAISE

    kind = fields.String(required=True, validate=validate.OneOf([k.value for k in BlockKind]))
    value = fields.String(required=True, validate=validate.Length(1, 254))

    @post_load
    def _normalize(self, data, **kwargs):
        kind = BlockKind(data["kind"])
        try:
            value = normalize_block_value(kind, data["value"])
        except ValueError as error:
            raise ValidationError(str(error), field_name="value") from error
        return {"kind": kind, "value": value}


class BlocklistQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    kind = fields.String(load_default=None, validate=validate.OneOf([k.value for k in BlockKind]))
