"""A request's Host header cannot put links into what other readers get (issue 15, #11).

Against running servers, with raw requests (an HTTP library sets Host itself): one engage
without ``PUBLIC_URL`` (links follow the Host, so those answers must stay out of shared caches)
and one with it (the Host changes nothing).
"""

from __future__ import annotations

import json
import re

import pytest

from tests import raw_http
from tests.conftest import BASE_TEST_CONFIG
from tests.servers import EngageServer, free_port

EVIL = "evil.example"
PUBLIC_URL = "https://comments.example"
ARTICLE = "/host/attack"


@pytest.fixture(scope="module")
def configured_server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("public-url-instance")
    server = EngageServer({**BASE_TEST_CONFIG, "INSTANCE_PATH": str(instance),
                           "DEMO_ENABLED": True, "PUBLIC_URL": PUBLIC_URL}, port=free_port())
    server.start()
    yield server
    server.stop()


def _comment(server, article=ARTICLE):
    body = json.dumps({"article": article, "author_name": "Ada", "author_email": "a@example.org",
                       "body": "A remark on the story."}).encode()
    answer = raw_http.request(server.port, "POST", "/api/v1/comments", body=body,
                              headers={"Content-Type": "application/json"})
    assert answer.status == 201


def _thread(server, host, article=ARTICLE) -> raw_http.RawAnswer:
    return raw_http.request(server.port, "GET", f"/api/v1/comments?article={article}", host=host)


def test_without_public_url_a_thread_built_from_the_host_is_never_shared_cached(live_server):
    _comment(live_server)
    answer = _thread(live_server, EVIL)
    assert answer.status == 200
    cache_control = answer.headers["cache-control"]
    assert "private" in cache_control and "public" not in cache_control
    # The links in it are the asker's own business: only they get them.
    assert answer.json["comments"][0]["avatar_url"].startswith(f"http://{EVIL}/")


def test_the_page_cache_never_serves_one_hosts_links_to_another(live_server):
    _comment(live_server, "/host/cache")
    assert EVIL in _thread(live_server, EVIL, "/host/cache").body.decode()
    own = f"127.0.0.1:{live_server.port}"
    answer = _thread(live_server, own, "/host/cache")
    assert EVIL not in answer.body.decode()
    assert answer.json["comments"][0]["avatar_url"].startswith(f"http://{own}/")


def test_with_public_url_the_host_changes_no_link(configured_server):
    _comment(configured_server)
    answer = _thread(configured_server, EVIL)
    assert answer.status == 200
    assert "public" in answer.headers["cache-control"]
    assert EVIL not in answer.body.decode()
    [comment] = answer.json["comments"]
    assert comment["avatar_url"].startswith(PUBLIC_URL + "/api/v1/avatars/")
    own = _thread(configured_server, f"127.0.0.1:{configured_server.port}")
    assert own.body == answer.body and own.headers["etag"] == answer.headers["etag"]


def _script_src(html: str) -> str:
    [src] = re.findall(r'<script\b[^>]*\bsrc="([^"]+)"', html)
    return src


@pytest.mark.parametrize("path", ["/demo", "/demo/articles"])
def test_the_demo_page_never_loads_script_from_the_host_header(live_server, path):
    answer = raw_http.request(live_server.port, "GET", path, host=EVIL)
    assert answer.status == 200
    assert EVIL not in answer.body.decode() and EVIL not in json.dumps(answer.headers)
    assert _script_src(answer.body.decode()).startswith("/widget/v")
    assert "script-src 'self';" in answer.headers["content-security-policy"]


def test_the_demo_page_with_public_url_loads_the_widget_from_there(configured_server):
    answer = raw_http.request(configured_server.port, "GET", "/demo", host=EVIL)
    assert EVIL not in answer.body.decode() and EVIL not in json.dumps(answer.headers)
    assert _script_src(answer.body.decode()).startswith(PUBLIC_URL + "/widget/v")
    assert f"script-src {PUBLIC_URL};" in answer.headers["content-security-policy"]


def test_the_demo_still_crosses_origins_between_loopback_names(live_server):
    answer = raw_http.request(live_server.port, "GET", "/demo",
                              host=f"127.0.0.1:{live_server.port}")
    assert _script_src(answer.body.decode()).startswith(f"http://localhost:{live_server.port}/")


@pytest.mark.parametrize("host", ["evil.example/x?", "a@evil.example", "evil.example:8000:9"])
def test_a_host_that_is_not_a_host_name_is_refused(live_server, host):
    answer = _thread(live_server, host)
    assert answer.status == 400
    assert "evil" not in answer.body.decode()
    assert answer.json["error"]["code"] == "bad_host"


def test_a_comment_sent_with_a_bad_host_is_refused_before_it_is_stored(live_server):
    body = json.dumps({"article": "/host/refused", "author_name": "Ada",
                       "author_email": "a@example.org", "body": "Never stored."}).encode()
    answer = raw_http.request(live_server.port, "POST", "/api/v1/comments", body=body,
                              host="evil.example/x?", headers={"Content-Type": "application/json"})
    assert answer.status == 400
    thread = _thread(live_server, f"127.0.0.1:{live_server.port}", "/host/refused")
    assert thread.json["count"] == 0
