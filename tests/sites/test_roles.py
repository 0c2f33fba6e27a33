"""Roles: admins do everything, moderators decide (on their sites only, when limited),
analysts read counts and never see an email or an IP; tokens carry the role. Everything a
role may not do is a 403 and changes nothing."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from engage.cli import main
from engage.comments.models import Comment
from engage.moderators.accounts import create_moderator, find_moderator
from tests.factories import comment_payload

EMAIL = "private.reader@example.org"


@pytest.fixture
def two_sites(client, make_site):
    """Comments on "blog" and on "shop"; returns {body: id}."""
    make_site("blog")
    make_site("shop")
    ids = {}
    for site, body in (("blog", "blog comment"), ("shop", "shop comment"),
                       ("blog", "another blog comment")):
        answer = client.post("/api/v1/comments", json=comment_payload(
            site=site, article="/same", body=body, author_email=EMAIL))
        ids[body] = answer.json["comment"]["id"]
    return ids


def status_of(db_session, comment_id: int) -> str:
    db_session.expire_all()
    return db_session.scalar(select(Comment.status).where(Comment.id == comment_id)).value


def test_the_first_account_is_an_admin_and_later_ones_moderators(db_session):
    assert create_moderator(db_session, "first", "a long enough password").role == "admin"
    assert create_moderator(db_session, "second", "a long enough password").role == "moderator"


def test_a_scoped_moderator_sees_and_decides_only_their_sites(client, db_session, two_sites,
                                                             make_account):
    blogger = make_account("blogger", "moderator", sites=["blog"])
    page = client.get("/api/v1/moderation/comments?status=all", headers=blogger.headers).json
    assert sorted(c["body"] for c in page["comments"]) == ["another blog comment",
                                                           "blog comment"]
    assert page["counts"]["all"] == 2
    shop = two_sites["shop comment"]
    for response in (
            client.get("/api/v1/moderation/comments?site=shop", headers=blogger.headers),
            client.post(f"/api/v1/moderation/comments/{shop}", headers=blogger.headers,
                        json={"action": "spam"}),
            client.post("/api/v1/moderation/comments/bulk", headers=blogger.headers,
                        json={"ids": [two_sites["blog comment"], shop], "action": "spam"}),
            client.patch("/api/v1/moderation/articles?site=shop&article=/same",
                         headers=blogger.headers, json={"closed": True}),
            client.get("/api/v1/moderation/articles?site=shop&article=/same",
                       headers=blogger.headers)):
        assert response.status_code == 403, response.json
        assert response.json["error"]["code"] == "forbidden_site"
    assert {status_of(db_session, i) for i in two_sites.values()} == {"approved"}
    assert client.get("/api/v1/comments?site=shop&article=/same").json["closed"] is False
    done = client.post(f"/api/v1/moderation/comments/{two_sites['blog comment']}",
                       headers=blogger.headers, json={"action": "reject"})
    assert done.status_code == 200 and done.json["counts"]["rejected"] == 1


def test_a_scoped_moderator_gets_403_on_the_other_site_through_the_page(client, db_session,
                                                                       two_sites, make_account):
    blogger = make_account("blogger", "moderator", sites=["blog"])
    queue = blogger.page.get("/moderate?status=all").get_data(as_text=True)
    assert "blog comment" in queue and "shop comment" not in queue
    assert blogger.page.get("/moderate?site=shop").status_code == 403
    shop = two_sites["shop comment"]
    refused = blogger.page.post("/moderate/actions", data={
        "csrf_token": blogger.page.csrf, "one": f"{shop}:spam"})
    assert refused.status_code == 403 and status_of(db_session, shop) == "approved"
    article_id = db_session.scalar(select(Comment.article_id).where(Comment.id == shop))
    closing = blogger.page.post("/moderate/articles", data={
        "csrf_token": blogger.page.csrf, "article": f"{article_id}:close"})
    assert closing.status_code == 403
    assert client.get("/api/v1/comments?site=shop&article=/same").json["closed"] is False


def test_the_blocklist_and_settings_are_not_for_scoped_moderators(client, two_sites,
                                                                 make_account):
    blogger = make_account("blogger", "moderator", sites=["blog"])
    everywhere = make_account("everywhere", "moderator")
    blog = two_sites["blog comment"]
    assert client.post(f"/api/v1/moderation/comments/{blog}/block", headers=blogger.headers,
                       json={"kind": "email"}).status_code == 403
    assert client.post("/api/v1/moderation/blocklist", headers=blogger.headers,
                       json={"kind": "word", "value": "casino"}).status_code == 403
    assert client.get("/api/v1/moderation/blocklist", headers=blogger.headers).status_code == 403
    assert client.post("/api/v1/moderation/blocklist", headers=everywhere.headers,
                       json={"kind": "word", "value": "casino"}).status_code == 201
    assert client.get("/api/v1/moderation/settings", headers=everywhere.headers).status_code == 200
    assert client.patch("/api/v1/moderation/settings", headers=everywhere.headers,
                        json={"mode": "premod"}).status_code == 403
    assert client.get("/api/v1/admin/sites", headers=everywhere.headers).status_code == 403


def test_an_analyst_reads_counts_but_never_an_email_or_an_ip(client, two_sites, make_account):
    analyst = make_account("ana", "analyst")
    article = client.get("/api/v1/moderation/articles?site=blog&article=/same",
                         headers=analyst.headers)
    assert article.status_code == 200 and article.json["counts"]["approved"] == 2
    assert EMAIL not in article.get_data(as_text=True)
    for path in ("/api/v1/moderation/comments?status=all", "/api/v1/moderation/blocklist",
                 "/api/v1/moderation/settings"):
        refused = client.get(path, headers=analyst.headers)
        assert refused.status_code == 403 and refused.json["error"]["code"] == "forbidden_role"
        assert EMAIL not in refused.get_data(as_text=True)
    assert client.patch("/api/v1/moderation/articles?site=blog&article=/same",
                        headers=analyst.headers, json={"closed": True}).status_code == 403
    queue = analyst.page.get("/moderate?status=all")
    assert queue.status_code == 403
    assert EMAIL not in queue.get_data(as_text=True)
    assert not re.search(r"\d+\.\d+\.\d+\.0/24", queue.get_data(as_text=True))


def test_a_token_does_at_most_what_its_role_and_its_account_may(app, client, db_session,
                                                                two_sites, moderator):
    runner = app.test_cli_runner()
    read_only = runner.invoke(main, ["moderator", "token", moderator.name, "--role", "analyst"])
    headers = {"Authorization": f"Bearer {read_only.output.strip().splitlines()[-1]}"}
    assert client.get("/api/v1/moderation/comments", headers=headers).status_code == 403
    full = runner.invoke(main, ["moderator", "token", moderator.name])
    full_headers = {"Authorization": f"Bearer {full.output.strip().splitlines()[-1]}"}
    assert client.get("/api/v1/admin/sites", headers=full_headers).status_code == 200
    # lowering the account lowers what its tokens may do
    runner.invoke(main, ["moderator", "update", moderator.name, "--role", "moderator"])
    assert client.get("/api/v1/admin/sites", headers=full_headers).status_code == 403
    assert client.get("/api/v1/moderation/comments", headers=full_headers).status_code == 200


def test_engage_moderator_create_and_update_roles_and_sites(app, db_session, make_site):
    make_site("blog")
    runner = app.test_cli_runner()
    first = runner.invoke(main, ["moderator", "create", "root", "--password-stdin"],
                          input="a long root password\n")
    assert "(admin on every site)" in first.output
    scoped = runner.invoke(main, ["moderator", "create", "bea", "--site", "blog",
                                  "--password-stdin"], input="a long bea password\n")
    assert scoped.exit_code == 0 and "(moderator on blog)" in scoped.output
    unknown = runner.invoke(main, ["moderator", "create", "cy", "--site", "nope",
                                   "--password-stdin"], input="a long cy password\n")
    assert unknown.exit_code != 0 and "no site 'nope'" in unknown.output
    assert find_moderator(db_session, "cy") is None
    changed = runner.invoke(main, ["moderator", "update", "bea", "--role", "analyst",
                                   "--all-sites"])
    assert changed.output.strip() == "bea: analyst on every site."
    listed = runner.invoke(main, ["moderator", "list"]).output
    assert re.search(r"^bea\tanalyst\tevery site\t", listed, re.M)
    assert re.search(r"^root\tadmin\tevery site\t", listed, re.M)


def test_a_long_bulk_action_reaching_another_site_changes_nothing(client, db_session, make_site,
                                                                  make_account):
    """Long actions are written in chunks (queue.service.DECISION_CHUNK); the site check comes
    before the first one."""
    from engage.queue.service import DECISION_CHUNK

    make_site("blog")
    make_site("shop")
    ids = [client.post("/api/v1/comments", json=comment_payload(
        site="blog", article="/bulk", body=f"blog comment {n}")).json["comment"]["id"]
        for n in range(DECISION_CHUNK + 5)]
    shop = client.post("/api/v1/comments", json=comment_payload(
        site="shop", article="/bulk", body="shop comment")).json["comment"]["id"]
    blogger = make_account("blogger", "moderator", sites=["blog"])
    refused = client.post("/api/v1/moderation/comments/bulk", headers=blogger.headers,
                          json={"ids": ids + [shop], "action": "spam"})
    assert refused.status_code == 403
    assert {status_of(db_session, i) for i in ids + [shop]} == {"approved"}
