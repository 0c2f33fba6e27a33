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


# ------------------------------------------------------------ masking what is published

from engage.privacy import MASKED_EMAIL, mask_emails_in_html, url_has_email  # noqa: E402


@pytest.mark.parametrize("text", [
    "ada&#64;example.org", "ada&#x40;example.org", "ada&#0064;example.org", "ada&commat;example.org",
    "ada%40example.org", "ada%EF%BC%A0example.org", "ada\uff20example.org", "ada\ufe6bexample.org",
    "ada\u200b@example.org", "ad\u00ada@example.org", "ada@example\u3002org",
    "ada@\uff45\uff58\uff41\uff4d\uff50\uff4c\uff45.org", "jose\u0301@example.org",
    "ada!x@example.org", "ada@b\u00fccher.example", "ada@example.xn--p1ai",
])
def test_every_encoding_of_an_address_is_masked_in_plain_text(text):
    assert mask_emails(f"mail {text} now") == f"mail {MASKED_EMAIL} now"


@pytest.mark.parametrize("html, masked", [
    ("<p>ada@example.org</p>", f"<p>{MASKED_EMAIL}</p>"),
    ("<p>ada<em>@</em>example.org</p>", f"<p>{MASKED_EMAIL}<em></em></p>"),
    ("<p><code>ada</code>@example.org</p>", f"<p><code>{MASKED_EMAIL}</code></p>"),
    ("<p>ada</p><p>@example.org</p>", "<p>ada</p><p>@example.org</p>"),  # blocks separate
    ('<p><a href="http://ada@example.org/" rel="nofollow">site</a> ok</p>', "<p>site ok</p>"),
    ('<p><a href="https://e.org/?m=ada%40example.org">x</a></p>', "<p>x</p>"),
    ('<p><a href="https://e.org/">ada@example.org</a></p>',
     f'<p><a href="https://e.org/">{MASKED_EMAIL}</a></p>'),
    ("<p>a &lt;ada@example.org&gt; &amp; b</p>", f"<p>a &lt;{MASKED_EMAIL}&gt; &amp; b</p>"),
    ("<p>nothing &amp; here</p>", "<p>nothing &amp; here</p>"),
])
def test_rendered_html_is_masked_as_a_browser_shows_it(html, masked):
    assert mask_emails_in_html(html) == masked


def test_urls_showing_an_address_are_recognised():
    assert url_has_email("https://e.org/?to=ada%40example.org")
    assert url_has_email("http://ada@example.org/")
    assert not url_has_email("https://example.org/@handle")


_pieces = st.sampled_from(list("ad.@-x ") + ["org", "&#64;", "%40", "\uff20", "<", "&amp;"])


@given(st.lists(_pieces, max_size=30).map("".join))
def test_masking_is_idempotent_and_leaves_no_address_behind(text):
    # A second pass finds nothing: no address survives the first.
    once = mask_emails(text)
    assert mask_emails(once) == once
