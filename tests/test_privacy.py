"""Unit specification of engage.privacy."""

import pytest

from engage.privacy import anonymize_ip, avatar_token, client_ip, mask_emails


@pytest.mark.parametrize("address, network", [
    ("203.0.113.77", "203.0.113.0/24"),
    ("2001:db8:abcd:12::1", "2001:db8:abcd::/48"),
    ("::ffff:192.0.2.9", "192.0.2.0/24"),
    ("not an ip", None),
    ("", None),
    (None, None),
])
def test_addresses_are_cut_to_their_network(address, network):
    assert anonymize_ip(address) == network


def test_forwarded_for_from_an_untrusted_peer_is_ignored():
    assert client_ip("192.0.2.1", "6.6.6.6", ("10.0.0.1",)) == "192.0.2.1"


def test_forwarded_for_skips_every_trusted_hop_from_the_right():
    proxies = ("10.0.0.1", "10.0.0.2")
    assert client_ip("10.0.0.1", "6.6.6.6, 198.51.100.4, 10.0.0.2", proxies) == "198.51.100.4"


def test_avatar_tokens_depend_on_the_secret():
    assert avatar_token("a@b.org", "s1") == avatar_token(" A@B.org ", "s1")
    assert avatar_token("a@b.org", "s1") != avatar_token("a@b.org", "s2")


def test_mask_emails_leaves_other_text_alone():
    assert mask_emails("mail x.y+z@sub.example.co.uk now") == "mail [email hidden] now"
    assert mask_emails("@handle and 5@3 are not emails") == "@handle and 5@3 are not emails"
