import pytest

from engage.moderation.settings.options import BlockKind, Blocklist, normalize_block_value
from engage.moderation.pipeline import Action
from engage.moderation.rules.blocklist import BlocklistRule
from tests.moderation.builders import submission


def blocklist(*entries):
    return Blocklist.from_entries([(kind, normalize_block_value(BlockKind(kind), value))
                                   for kind, value in entries])


def check(sub, *entries):
    return BlocklistRule(blocklist(*entries)).check(sub, None)


def test_blocked_email_is_spam_case_insensitively():
    finding = check(submission(author_email="Spammer@Example.com"), ("email", "spammer@example.COM"))
    assert finding.action is Action.SPAM
    assert finding.evidence == "spammer@example.com"


def test_blocked_domain_covers_its_subdomains_only():
    entries = [("domain", "@spam.test")]
    assert check(submission(author_email="a@spam.test"), *entries).action is Action.SPAM
    assert check(submission(author_email="a@mail.spam.test"), *entries).action is Action.SPAM
    assert check(submission(author_email="a@notspam.test"), *entries) is None


def test_blocked_network_matches_the_anonymised_prefix():
    assert check(submission(ip_prefix="198.51.100.0/24"), ("ip", "198.51.0.0/16")).action \
        is Action.SPAM
    # one address blocks its whole /24: engage never knows more than the prefix
    assert check(submission(ip_prefix="198.51.100.0/24"), ("ip", "198.51.100.7")) is not None
    assert check(submission(ip_prefix="198.51.101.0/24"), ("ip", "198.51.100.7")) is None
    assert check(submission(ip_prefix="2001:db8:1::/48"), ("ip", "2001:db8::/32")) is not None
    assert check(submission(ip_prefix=None), ("ip", "198.51.0.0/16")) is None


def test_blocked_host_in_a_link_or_the_author_website():
    entries = [("host", "https://www.casino.test/promo")]
    assert check(submission(body="win at http://casino.test/x now"), *entries).evidence \
        == "casino.test"
    assert check(submission(body="see www.eu.casino.test"), *entries) is not None
    assert check(submission(author_url="https://casino.test"), *entries) is not None
    assert check(submission(body="the casino.test.org story"), *entries) is None


def test_clean_submission_passes():
    assert check(submission(), ("email", "x@y.test"), ("domain", "y.test"),
                 ("ip", "10.0.0.0/8"), ("host", "y.test")) is None


@pytest.mark.parametrize("kind,raw", [("email", "nope"), ("email", "a b@c.d"), ("domain", "com"),
                                      ("ip", "300.1.1.1"), ("host", "no spaces.com"),
                                      ("word", "   ")])
def test_invalid_values_are_refused_with_a_reason(kind, raw):
    with pytest.raises(ValueError):
        normalize_block_value(BlockKind(kind), raw)
