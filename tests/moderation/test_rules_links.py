from engage.moderation.links import find_links, host_of
from engage.config import DEFAULTS
from engage.moderation.settings.options import ModerationOptions
from engage.moderation.pipeline import Action
from engage.moderation.rules.links import LinksRule, TooManyLinksRule
from tests.moderation.builders import run, submission


def links(n):
    return " ".join(f"https://site{i}.example/page" for i in range(n))


def test_links_are_found_in_every_usual_form_and_counted_once():
    text = ('<a href="http://a.example/x">http://a.example/x</a> [b](https://b.example) '
            "www.c.example, bit.ly/abc. not.a.link e.g. 2.0/3")
    assert find_links(text) == ("http://a.example/x", "https://b.example", "www.c.example",
                                "bit.ly/abc")
    assert [host_of(url) for url in find_links(text)] == ["a.example", "b.example", "c.example",
                                                          "bit.ly"]


def test_a_link_has_the_host_it_starts_with_even_when_its_query_holds_another_url():
    # the scheme is only ever at the start: a URL in the query is where the link sends you
    # next, and hiding it behind a shortener is exactly what the shortener check is for
    assert host_of("bit.ly/r?to=https://example.org/") == "bit.ly"
    assert host_of("www.example.org/?u=http://other.example") == "example.org"
    assert host_of("HTTPS://user@WWW.Example.org.:8080/path") == "example.org"


def test_one_link_passes_two_are_held_six_are_spam():
    assert run(submission(body="see " + links(1))).action is None
    assert run(submission(body="see " + links(2))).action is Action.HOLD
    assert run(submission(body="see " + links(5))).action is Action.HOLD
    verdict = run(submission(body="see " + links(6)))
    assert verdict.action is Action.SPAM
    assert str(verdict.findings[-1].rule) == "too_many_links"


DEFAULT_SHORTENERS = DEFAULTS["MODERATION_LINK_SHORTENERS"]


def test_a_shortened_link_is_held_even_alone():
    finding = LinksRule(2, DEFAULT_SHORTENERS).check(submission(body="look https://bit.ly/x1"), None)
    assert finding.action is Action.HOLD
    assert finding.evidence == ["https://bit.ly/x1"]
    assert LinksRule(2, DEFAULT_SHORTENERS).check(submission(body="https://youtu.be/x"), None) \
        is None


def test_thresholds_are_settings_and_zero_turns_them_off():
    assert TooManyLinksRule(0).check(submission(body=links(50)), None) is None
    options = ModerationOptions(links_hold=0, links_spam=0, link_shorteners=())
    assert run(submission(body=links(50)), options).action is None
    assert run(submission(body=links(3)), ModerationOptions(links_hold=4)).action is None
