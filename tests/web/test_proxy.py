"""X-Forwarded-Proto is believed only from a trusted proxy (cookies keep Secure behind TLS);
trusted proxies are addresses or networks (CIDR), and an invalid entry stops engage at start."""

import pytest
from sqlalchemy import select

from engage import create_app
from engage.comments.models import Comment
from engage.web.proxy import TrustedProxies, trusted_proxies
from tests.conftest import BASE_TEST_CONFIG
from tests.factories import comment_payload


@pytest.fixture
def config_overrides():
    return {"TRUSTED_PROXIES": ("10.0.0.1",)}


def login_cookie(client, remote_addr):
    client.get("/", environ_base={"REMOTE_ADDR": remote_addr})  # fresh jar per call below
    response = client.get("/login", environ_base={"REMOTE_ADDR": remote_addr},
                          headers={"X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    return " ".join(response.headers.getlist("Set-Cookie"))


def test_https_behind_a_trusted_proxy_gives_secure_cookies(app):
    assert "Secure" in login_cookie(app.test_client(), "10.0.0.1")


def test_a_client_cannot_claim_https_itself(app):
    assert "Secure" not in login_cookie(app.test_client(), "203.0.113.9")


# --------------------------------------------------------------------------- CIDR entries


def test_networks_and_addresses_are_trusted_by_what_they_contain():
    proxies = trusted_proxies(("10.0.0.0/8", "192.0.2.1", "fd00::/8"))
    assert "10.200.3.4" in proxies and "192.0.2.1" in proxies and "fd12::1" in proxies
    assert "::ffff:10.1.1.1" in proxies  # an IPv4 peer on a dual-stack socket
    assert "11.0.0.1" not in proxies and "192.0.2.2" not in proxies
    assert "nonsense" not in proxies and None not in proxies and "" not in proxies


@pytest.mark.parametrize("entry, says", [
    ("nginx", "neither an IP address nor a network"),
    ("10.0.0.0/33", "neither an IP address nor a network"),
    ("10.0.0.1/8", "host bits set; write the network as 10.0.0.0/8"),
])
def test_an_invalid_entry_stops_engage_at_start_with_the_entry_named(tmp_path, entry, says):
    with pytest.raises(ValueError) as refused:
        create_app({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(tmp_path),
                    "TRUSTED_PROXIES": ("127.0.0.1", entry)})
    assert "ENGAGE_TRUSTED_PROXIES" in str(refused.value) and entry in str(refused.value)
    assert says in str(refused.value)


def test_the_setting_may_be_a_comma_separated_string():
    assert "10.9.8.7" in trusted_proxies("127.0.0.1, 10.0.0.0/8")
    assert not TrustedProxies(())


class TestBehindAProxyNetwork:
    @pytest.fixture
    def config_overrides(self):
        return {"TRUSTED_PROXIES": ("10.0.0.0/8", "fd00::/8")}

    def test_https_from_a_proxy_in_a_trusted_network_gives_secure_cookies(self, app):
        assert "Secure" in login_cookie(app.test_client(), "10.20.30.40")

    def test_the_reader_behind_a_proxy_network_is_the_forwarded_address(self, client,
                                                                        db_session):
        for proxy, reader in (("10.20.30.40", "198.51.100.9"), ("fd00::5", "2001:db8:7::1")):
            answer = client.post("/api/v1/comments", json=comment_payload(body=f"From {reader}"),
                                 headers={"X-Forwarded-For": f"{reader}, {proxy}"},
                                 environ_base={"REMOTE_ADDR": proxy})
            assert answer.status_code == 201, answer.json
        assert list(db_session.scalars(select(Comment.ip_prefix).order_by(Comment.id))) == [
            "198.51.100.0/24", "2001:db8:7::/48"]


def test_the_dotted_quad_shortcut_answers_as_parsing_does():
    """Without networks, a canonical dotted quad is answered without parsing it; every other
    spelling still goes through ipaddress, so the answers are those of parsing every time."""
    import ipaddress  # only this test compares with the parsing

    proxies = TrustedProxies(["127.0.0.1", "::1", "10.0.0.7"])
    for address in ["127.0.0.1", "10.0.0.7", "11.2.3.1", "0.0.0.0", "255.255.255.255",
                    "127.000.000.001", "010.0.0.7", "10.0.0.07", " 10.0.0.7", "::ffff:10.0.0.7",
                    "0:0:0:0:0:0:0:1", "::1", "256.1.1.1", "1.2.3", "a.b.c.d", "", "١٠.0.0.7"]:
        try:
            ip = ipaddress.ip_address(address.strip())
            ip = getattr(ip, "ipv4_mapped", None) or ip
            expected = str(ip) in {"127.0.0.1", "::1", "10.0.0.7"}
        except ValueError:
            expected = False
        assert (address in proxies) is expected, address
