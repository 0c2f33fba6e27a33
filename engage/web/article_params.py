"""Article keys from the query string, for every endpoint that takes ``article``."""

from __future__ import annotations

from functools import lru_cache

from flask import request

from engage.articles import normalize_article_key
from engage.errors import ValidationFailed

MAX_ARTICLES_PER_CALL = 100


def article_param(raw: str | None) -> str:
    """The normalized key of one ``article`` value; 422 naming the field when it is bad."""
    try:
        return _normalized(raw or "")
    except ValueError as error:
        raise ValidationFailed("Invalid article.", fields={"article": [str(error)]}) from error


# normalize_article_key is pure, and a site's readers send the same few keys all day (every
# view beacon normalizes one); a bad key raises and is not kept.
_normalized = lru_cache(maxsize=4096)(normalize_article_key)


def article_params() -> dict[str, str]:
    """Each ``article`` query value as sent → its normalized key (1 to 100 of them, else 422)."""
    raw = request.args.getlist("article")
    if not raw:
        raise ValidationFailed("Give at least one article.", fields={"article": ["Required."]})
    if len(raw) > MAX_ARTICLES_PER_CALL:
        raise ValidationFailed("Too many articles.", fields={
            "article": [f"At most {MAX_ARTICLES_PER_CALL} per call."]})
    return {value: article_param(value) for value in raw}
