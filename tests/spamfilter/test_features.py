"""The spam filter's features: what a comment turns into (pure, no app)."""

from engage.moderation.links import url_host
from engage.spamfilter.features import MAX_TOKENS, features, normalize_text


def test_html_from_imported_comments_reads_like_the_typed_text():
    imported = features("Check &quot;this&quot;<br />out&#39;s ﻿")
    typed = features('Check "this"\nout\'s')
    assert {"check", "this", "out's", "bi:check_this"} <= imported
    assert imported - {t for t in imported if t.startswith("shape:")} == \
        typed - {t for t in typed if t.startswith("shape:")}


def test_link_hosts_count_and_tld_are_tokens_and_links_leave_no_word_fragments():
    tokens = features('see <a href="https://www.Example.com/x?v=1">here</a> and murdev.com')
    assert {"url:host:example.com", "url:host:murdev.com", "url:tld:com", "url:count:2",
            "url:path"} <= tokens
    assert "v" not in tokens and "1" not in tokens


def test_misspellings_share_character_grams():
    right, wrong = features("subscribe"), features("subscibe")
    assert {"c:^sub", "c:subs"} <= right & wrong


def test_author_name_and_email_domain_are_their_own_families():
    tokens = features("hello", author_name="Music Channel 99", author_email="x1@Mail.Example")
    assert {"name:music", "name:channel", "name:digits", "email:domain:mail.example",
            "email:local:digits"} <= tokens
    assert "music" not in tokens  # a name word is not a body word


def test_shape_tokens_describe_shouting_repetition_and_emptiness():
    assert {"shape:repeat", "shape:bangs", "shape:caps:high"} <= features("SOOOOO GOOD SONG!!!")
    assert "shape:empty" in features("   ")


def test_the_same_comment_always_gives_the_same_tokens():
    text = "Please subscribe to my channel http://bit.ly/abc"
    assert features(text, "A", "a@b.c") == features(text, "A", "a@b.c")


def test_a_very_long_comment_is_bounded():
    words = " ".join(f"word{n}" for n in range(5000))
    assert len(features(words)) < MAX_TOKENS + 30


def test_helpers_normalize_and_extract_hosts():
    assert normalize_text("a&amp;b<br/>c\ufeff") == "a&b c"
    assert url_host("HTTPS://user@Sub.Example.org:8080/path") == "sub.example.org"


def test_issue_21_promotion_patterns():
    from engage.spamfilter.promotion import promotion_tokens

    cases = {
        "Like this comment if you're watching in 2015": "promo:likecomment",
        "help me get to 100 subscribers": "promo:subscribers",
        "please visit my page": "promo:visit",
        "Follow me on twitter @mscalifornia95": "promo:handle",
        "share this video everywhere": "promo:share",
        "sub 4 sub anyone": "promo:f4f",
        "Check out this video on YouTube: nice": "promo:ytvideo",
        "+447935454150 lovely girl talk to me": "promo:phone",
        "marketglory . com/strategygame": "promo:domain",
        "See my new track.": "promo:newrelease",
    }
    for text, token in cases.items():
        assert token in promotion_tokens(text), text
    assert not promotion_tokens("The council voted 7-2 to repair the bridge by 2027.")


def test_promotion_patterns_read_pathological_input_without_backtracking_blowup():
    from engage.spamfilter.promotion import promotion_tokens

    # these took seconds with unbounded runs; the test checks the result, not the time
    assert "promo:phone" in promotion_tokens("1-" * 5000)
    assert promotion_tokens("a-" * 5000) == set()


def _every_pattern_searched(text: str) -> set[str]:
    import re

    from engage.spamfilter.promotion import PATTERNS

    return {token for token, pattern in PATTERNS.items() if re.search(pattern, text, re.I)}


def test_the_patterns_word_check_skips_no_match_on_any_tubespam_comment():
    # promotion_tokens searches a pattern only when one of its words occurs (NEEDS): the
    # tokens must be those of searching every pattern, comment by comment
    import csv
    from pathlib import Path

    from engage.spamfilter.promotion import promotion_tokens

    paths = sorted(Path("/work/shared/data/tubespam").glob("*.csv"))
    assert paths, "the TubeSpam files are missing"
    texts = [normalize_text(row["CONTENT"]) for path in paths
             for row in csv.DictReader(path.open(encoding="utf-8"))]
    assert len(texts) > 1500
    differ = [text for text in texts if promotion_tokens(text) != _every_pattern_searched(text)]
    assert differ == []
    assert sum(bool(promotion_tokens(text)) for text in texts) > 500  # the check has matches


def test_the_word_check_folds_the_letters_ignorecase_matches():
    from engage.spamfilter.promotion import promotion_tokens

    # long s, dotted capital I and the Kelvin sign match s, i and k case-insensitively
    for text in ("PLEASE sub\u017fcribe to my channel", "\u0130f you are watching",
                 "chec\u212a out my page", "vi\u017fit my page"):
        assert promotion_tokens(text) == _every_pattern_searched(text) != set(), text
