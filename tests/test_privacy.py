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


def _reference_network(address):
    import ipaddress

    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return str(ipaddress.ip_network(f"{ip}/{24 if ip.version == 4 else 48}", strict=False))


from hypothesis import given, strategies as st  # noqa: E402

_octet = st.one_of(st.integers(0, 300).map(str), st.sampled_from(["01", "00", "", "x", "٣", "1_0"]))


@given(st.lists(_octet, min_size=3, max_size=5).map(".".join))
def test_the_ipv4_fast_path_agrees_with_the_ipaddress_module(address):
    assert anonymize_ip(address) == _reference_network(address)
