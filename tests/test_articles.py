"""normalize_article_key: the one definition of "the same article"."""

import pytest

from engage.articles import MAX_ARTICLE_KEY, normalize_article_key


@pytest.mark.parametrize("raw, key", [
    ("/news/a", "/news/a"),
    ("/news/a/", "/news/a"),
    ("  /news/a  ", "/news/a"),
    ("https://site.example/news/a/?utm=x#c", "/news/a"),
    ("http://site.example", "/"),
    ("/", "/"),
    ("slug-only", "slug-only"),
])
def test_the_same_article_has_one_key(raw, key):
    assert normalize_article_key(raw) == key


@pytest.mark.parametrize("raw", ["", "   ", "?x", "#frag", "/a\x00b", "/a\nb",
                                 "/" + "a" * MAX_ARTICLE_KEY,
                                 "/a?" + "q" * MAX_ARTICLE_KEY])
def test_invalid_keys_are_refused_with_a_reason(raw):
    with pytest.raises(ValueError):
        normalize_article_key(raw)
