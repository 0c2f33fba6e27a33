"""What the comments API accepts and what it shows.

Input is validated field by field (422 with a message per field). Output is an explicit
allow-list: the public schema names every field it shows, so a column added to the model can
never leak by accident. The email is load-only.
"""

from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, post_load, pre_load, validate, validates

from engage.articles import (MAX_ARTICLE_KEY, MAX_TITLE, MAX_URL, normalize_article_key,
                             normalize_title)
from engage.comments import cursors
from engage.comments.websites import normalize_website
from engage.readers import READER_KEY, READER_KEY_MAX, READER_KEY_MIN

NAME_MAX, EMAIL_MAX, URL_MAX, BODY_MAX = 100, 254, 200, 10_000
SORTS = ("oldest", "newest", "best")  # GET /api/v1/comments?sort=
MAX_ID = 2**31 - 1
NOTIFY_CHOICES = ("none", "replies", "article")  # POST /api/v1/comments `notify`  # ids are 32-bit integers on PostgreSQL


class SafeString(fields.String):
    """A string that every database can store: no NUL character, no lone UTF-16 surrogate.

    PostgreSQL refuses both, so they are a 422 here rather than an error at commit.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs)
        if "\x00" in text:
            raise ValidationError("Must not contain NUL characters.")
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as error:
            raise ValidationError("Must be valid Unicode text.") from error
        return text


class Id(fields.Integer):
    """A positive 32-bit id given as a JSON number (not a string, not a boolean)."""

    def __init__(self, **kwargs):
        super().__init__(strict=True, validate=validate.Range(min=1, max=MAX_ID), **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, bool):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class ArticleKey(SafeString):
    """An article key, normalized with ``normalize_article_key``."""

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        if len(raw) > MAX_ARTICLE_KEY:
            raise ValidationError(f"article must be at most {MAX_ARTICLE_KEY} characters")
        try:
            return normalize_article_key(raw)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class Website(SafeString):
    """A reader's website, stored and published in its canonical form (``websites``)."""

    def _deserialize(self, value, attr, data, **kwargs):
        raw = super()._deserialize(value, attr, data, **kwargs)
        if len(raw) > URL_MAX:  # the limit of the text as sent (the OpenAPI document's)
            raise ValidationError(f"Website must be at most {URL_MAX} characters.")
        try:
            return normalize_website(raw)
        except ValueError as error:
            raise ValidationError(str(error)) from error


class CommentInputSchema(Schema):
    """``POST /api/v1/comments`` body."""

    class Meta:
        unknown = EXCLUDE

    article = ArticleKey(required=True)
    site = SafeString(load_default=None, allow_none=True)  # checked by web.site_param
    # the page's title and canonical URL (the URL is checked against the site's origins by
    # ``articles.check_article_url``, which needs the site)
    article_title = SafeString(load_default=None, allow_none=True,
                               validate=validate.Length(max=MAX_TITLE))
    article_url = SafeString(load_default=None, allow_none=True,
                             validate=validate.Length(max=MAX_URL))
    parent_id = Id(load_default=None, allow_none=True)
    author_name = SafeString(required=True, validate=validate.Length(
        min=1, max=NAME_MAX, error="Name must be 1 to {max} characters."))
    author_email = fields.Email(load_only=True, required=True, validate=validate.Length(
        max=EMAIL_MAX, error="Email must be at most {max} characters."))
    # The length is checked again once canonical: that is what is stored.
    author_url = Website(load_default=None, allow_none=True, validate=validate.Length(
        max=URL_MAX, error="Website must be at most {max} characters."))
    body = SafeString(required=True, validate=validate.Length(
        min=1, max=BODY_MAX, error="Comment must be 1 to {max} characters."))
    form_token = SafeString(load_default=None, allow_none=True,
                               validate=validate.Length(max=1000))
    # The browser's secret that proves who wrote the comment (engage/readers.py). Optional:
    # without it the post is "unproven" (no trust, no history). Never stored, never shown.
    reader_key = fields.String(load_only=True, load_default=None, allow_none=True,
                               validate=validate.Length(
                                   min=READER_KEY_MIN, max=READER_KEY_MAX,
                                   error="Reader key must be {min} to {max} characters."))
    # The browser's proof that it opened the author's mailbox confirmation link
    # (engage/readers.py): optional, never stored; a wrong one is ignored.
    reader_proof = fields.String(load_only=True, load_default=None, allow_none=True,
                                 validate=validate.Regexp(
                                     r"[0-9a-f]{64}\Z",
                                     error="Reader proof must be 64 hexadecimal characters."))
    # Mail about this comment's replies or the whole article (double opt-in,
    # engage/notifications/subscriptions); the answer's status is the same either way.
    notify = fields.String(load_default="none", validate=validate.OneOf(
        NOTIFY_CHOICES, error="Must be one of: none, replies, article."))
    # The widget's language (a BCP 47 tag): the language of the mails the reader asked for.
    lang = SafeString(load_default=None, allow_none=True, validate=validate.Length(max=35))
    # Honeypot: a field the widget hides from people; bots that fill every input fill it.
    phone = SafeString(load_default="", allow_none=True, validate=validate.Length(max=1000))

    # Limits apply to the text as sent (as the OpenAPI document says); surrounding
    # whitespace is then trimmed from the name and website.
    @pre_load
    def _empty_url_is_none(self, data, **kwargs):
        if isinstance(data, dict) and data.get("author_url") == "":
            data = {**data, "author_url": None}
        return data

    @post_load
    def _trim(self, data, **kwargs):
        data["author_name"] = data["author_name"].strip()
        data["article_title"] = normalize_title(data.get("article_title"))
        return data

    @validates("author_name")
    def _name_not_blank(self, value, **kwargs):
        if not value.strip():
            raise ValidationError("Name must not be empty.")

    @validates("body")
    def _body_not_blank(self, value, **kwargs):
        if not value.strip():
            raise ValidationError("Comment must not be empty.")

    @validates("reader_key")
    def _reader_key_chars(self, value, **kwargs):
        if value is not None and not READER_KEY.fullmatch(value):
            raise ValidationError("Reader key must use only A-Z, a-z, 0-9, - and _.")


class ThreadQuerySchema(Schema):
    """``GET /api/v1/comments`` query string."""

    class Meta:
        unknown = EXCLUDE

    article = ArticleKey(required=True)
    site = fields.String(load_default=None)  # checked by web.site_param
    limit = fields.Integer(load_default=None, validate=validate.Range(min=1, max=200))
    sort = fields.String(load_default="oldest", validate=validate.OneOf(SORTS))
    # An id ("oldest", "newest") or "rank.id" ("best"): the ``next`` of the page before.
    cursor = fields.String(load_default=None, validate=validate.Length(max=32))

    @post_load
    def _parse_cursor(self, data, **kwargs):
        raw = data.get("cursor")
        try:
            data["cursor"] = None if raw in (None, "") else cursors.parse(raw, data["sort"])
        except ValueError as error:
            raise ValidationError({"cursor": [str(error)]}) from None
        return data


class PublicCommentSchema(Schema):
    """A published comment as anyone may see it. Allow-list: nothing else ever leaves."""

    id = fields.Integer()
    parent_id = fields.Integer(allow_none=True)
    author_name = fields.String()
    author_url = fields.String(allow_none=True)
    avatar_url = fields.String()
    body_html = fields.String()
    created_at = fields.DateTime(format="iso")
    score = fields.Integer()
    up = fields.Integer()
    down = fields.Integer()
    edited = fields.Boolean()
    deleted = fields.Boolean()
    pinned = fields.Boolean()
    staff = fields.String(allow_none=True)  # the staff badge text; None: a reader wrote it


class ThreadSchema(Schema):
    article = fields.String()
    count = fields.Integer()
    comments = fields.List(fields.Nested(PublicCommentSchema))
    next = fields.String(allow_none=True)
    closed = fields.Boolean()


class SubmitResultSchema(Schema):
    status = fields.String()
    comment = fields.Nested(PublicCommentSchema)
    # The author's key for PATCH/DELETE /api/v1/comments/{id}, shown once, and its deadline.
    edit_key = fields.String()
    edit_until = fields.DateTime(format="iso")


class EditInputSchema(Schema):
    """``PATCH /api/v1/comments/{id}`` body."""

    class Meta:
        unknown = EXCLUDE

    site = SafeString(load_default=None, allow_none=True)  # checked by web.site_param
    body = SafeString(required=True, validate=validate.Length(
        min=1, max=BODY_MAX, error="Comment must be 1 to {max} characters."))

    @validates("body")
    def _body_not_blank(self, value, **kwargs):
        if not value.strip():
            raise ValidationError("Comment must not be empty.")


class VoteInputSchema(Schema):
    """``POST /api/v1/comments/{id}/votes`` body."""

    class Meta:
        unknown = EXCLUDE

    site = SafeString(load_default=None, allow_none=True)  # checked by web.site_param
    value = fields.Integer(required=True, strict=True, validate=validate.OneOf(
        (-1, 0, 1), error="Must be 1 (up), -1 (down) or 0 (withdraw)."))
