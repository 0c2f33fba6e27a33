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


@pytest.mark.parametrize("raw, key", [
    ("/caf%C3%A9", "/caf\u00e9"),
    ("/cafe\u0301", "/caf\u00e9"),
    ("/caf\u200b\u00e9", "/caf\u00e9"),
    ("/\u202ereversed", "/reversed"),
    ("/a%2Fb", "/a/b"),
    ("/a%20/", "/a"),
    ("/a%3fb", "/a%3Fb"),        # would split the key if decoded
    ("/a%23b", "/a%23b"),
    ("/100%25", "/100%25"),
    ("/100%", "/100%"),
    ("/a%0Ab", "/a%0Ab"),        # a control character stays escaped
    ("/x%FFy", "/x%FFy"),        # not UTF-8
    ("HTTPS://site.example/a/", "/a"),
    ("https%3A%2F%2Fsite.example%2Fa", "/a"),
])
def test_one_article_has_one_key_however_it_is_spelled(raw, key):
    assert normalize_article_key(raw) == key


from hypothesis import given, strategies as st  # noqa: E402

_pieces = st.sampled_from(["/", "a", "é", "e\u0301", "%C3%A9", "%2F", "%3F", "%25", "%", "?",
                           "#", " ", "\u200b", "%E2%80%8B", "http://", "https%3A%2F%2F", "x.y"])


@given(st.lists(_pieces, min_size=1, max_size=12).map("".join))
def test_a_canonical_key_is_its_own_canonical_key(raw):
    try:
        key = normalize_article_key(raw)
    except ValueError:
        return
    assert normalize_article_key(key) == key
    assert len(key) <= len(raw) or len(key) <= MAX_ARTICLE_KEY
