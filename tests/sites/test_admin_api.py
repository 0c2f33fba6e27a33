"""The sites API and ``engage site``: create, read, change; bad input names its field."""

from __future__ import annotations

import pytest

from engage.cli import main


def test_create_read_list_and_change_a_site(client, auth_headers):
    created = client.post("/api/v1/admin/sites", headers=auth_headers, json={
        "id": "blog", "name": "The Blog", "origins": ["HTTPS://Blog.Example:443/"],
        "settings": {"mode": "first", "links_hold": 3}})
    assert created.status_code == 201
    assert created.json == {"id": "blog", "name": "The Blog", "origins": ["https://blog.example"],
                            "settings": {"mode": "first", "links_hold": 3}}
    assert client.get("/api/v1/admin/sites/blog", headers=auth_headers).json == created.json
    listed = client.get("/api/v1/admin/sites", headers=auth_headers).json["sites"]
    assert [site["id"] for site in listed] == ["blog", "default"]
    changed = client.patch("/api/v1/admin/sites/blog", headers=auth_headers, json={
        "name": "Blog", "origins": ["https://blog.example", "http://localhost:8080"],
        "settings": {"links_hold": None, "profanity": "off"}})
    assert changed.json == {"id": "blog", "name": "Blog",
                            "origins": ["https://blog.example", "http://localhost:8080"],
                            "settings": {"mode": "first", "profanity": "off"}}


@pytest.mark.parametrize("body, field", [
    ({"id": "Not A Slug"}, "id"), ({"id": "-edge"}, "id"), ({"id": "x" * 65}, "id"),
    ({"id": "ok", "origins": ["https://a.example/path"]}, "origins"),
    ({"id": "ok", "origins": ["ftp://a.example"]}, "origins"),
    ({"id": "ok", "origins": "https://a.example"}, "origins"),
    ({"id": "ok", "settings": {"mode": "sometimes"}}, "settings.mode"),
    ({"id": "ok", "settings": {"no_such_setting": 1}}, "settings.no_such_setting"),
    ({"id": "ok", "name": ""}, "name"), ({"id": "ok", "colour": "red"}, "colour")])
def test_bad_input_is_a_422_naming_the_field(client, auth_headers, body, field):
    response = client.post("/api/v1/admin/sites", headers=auth_headers, json=body)
    assert response.status_code == 422, response.json
    assert field in response.json["error"]["fields"]
    assert client.get("/api/v1/admin/sites/ok", headers=auth_headers).status_code == 404


def test_duplicates_unknown_sites_and_id_changes_are_refused(client, auth_headers, make_site):
    make_site("blog")
    assert client.post("/api/v1/admin/sites", headers=auth_headers,
                       json={"id": "blog"}).status_code == 409
    assert client.patch("/api/v1/admin/sites/nope", headers=auth_headers,
                        json={"name": "x"}).status_code == 404
    renamed = client.patch("/api/v1/admin/sites/blog", headers=auth_headers, json={"id": "b2"})
    assert renamed.status_code == 422 and "id" in renamed.json["error"]["fields"]


def test_the_sites_api_needs_a_moderator(client):
    assert client.get("/api/v1/admin/sites").status_code == 401


def run(app, *args):
    return app.test_cli_runner().invoke(main, ["site", *args])


def test_engage_site_create_list_update(app, client):
    created = run(app, "create", "podcast", "--name", "The Podcast",
                  "--origin", "https://pod.example", "--set", "mode=premod",
                  "--set", 'moderation_words=["casino"]')
    assert created.exit_code == 0, created.output
    listed = run(app, "list")
    assert "podcast\tThe Podcast\thttps://pod.example" in listed.output
    assert '"mode": "premod"' in listed.output
    updated = run(app, "update", "podcast", "--unset", "mode", "--set", "links_hold=4",
                  "--no-origins")
    assert updated.exit_code == 0, updated.output
    assert updated.output.strip() == (
        'podcast\tThe Podcast\t-\t{"links_hold": 4, "moderation_words": ["casino"]}')
    # the API sees what the command stored
    assert client.get("/api/v1/counts?site=podcast&article=/x").status_code == 200


def test_engage_site_refuses_bad_input_and_changes_nothing(app):
    bad = run(app, "create", "Bad Id")
    assert bad.exit_code != 0 and "id:" in bad.output
    run(app, "create", "blog")
    wrong = run(app, "update", "blog", "--set", "mode=sometimes")
    assert wrong.exit_code != 0 and "settings.mode" in wrong.output
    assert run(app, "create", "blog").exit_code != 0
    assert "blog\tblog\t-\t{}" in run(app, "list").output
