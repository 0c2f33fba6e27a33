"""The overview: the last 30 days of a site at a glance, for admins and analysts, with no
email or IP anywhere."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from engage.admin.chart import nice_ceiling, stacked_bars
from engage.admin.overview import overview
from engage.articles import get_or_create_article
from engage.comments.models import Comment, CommentStatus
from engage.db import utcnow
from engage.pageviews.extension import app_views
from engage.queue.events import ModerationEvent
from tests.moderator_fixtures import log_in

EMAIL = "hidden.reader@example.org"
IP = "203.0.113.0/24"
FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture
def config_overrides():
    return {"TRUSTED_PROXIES": ("127.0.0.1",)}


@pytest.fixture
def seeded(db_session, make_site):
    """On "blog": 3 published, 2 held (one decided 2 h later by bea), 1 spam (rejected by cy
    10 days ago), 1 older than the period; one comment on another site."""
    make_site("blog", name="The Blog")
    make_site("shop")
    now = utcnow()
    budget = get_or_create_article(db_session, "/budget", "blog")
    budget.title, budget.url = "Budget day", "https://blog.example/budget"
    other = get_or_create_article(db_session, "/other", "blog")
    shop = get_or_create_article(db_session, "/budget", "shop")

    def add(article, status, ago, events=()):
        comment = Comment(article_id=article.id, site_id=article.site_id, status=status,
                          author_name="Reader", author_email=EMAIL, body="text",
                          body_html="<p>text</p>", ip_prefix=IP, reasons=[],
                          created_at=now - ago)
        db_session.add(comment)
        db_session.flush()
        for who, before, after, later in events:
            db_session.add(ModerationEvent(comment_id=comment.id, moderator=who,
                                           from_status=before, to_status=after,
                                           created_at=now - ago + later))
        return comment

    add(budget, CommentStatus.APPROVED, timedelta(seconds=5))
    add(budget, CommentStatus.APPROVED, timedelta(days=1))
    add(other, CommentStatus.APPROVED, timedelta(days=2))
    add(budget, CommentStatus.APPROVED, timedelta(days=3),
        [("bea", "pending", "approved", timedelta(hours=2))])
    add(other, CommentStatus.PENDING, timedelta(days=4))
    add(other, CommentStatus.REJECTED, timedelta(days=10),
        [("cy", "spam", "rejected", timedelta(minutes=5))])
    add(budget, CommentStatus.APPROVED, timedelta(days=40))
    add(shop, CommentStatus.APPROVED, timedelta(days=1))
    db_session.commit()
    return now


def test_the_figures_follow_what_moderation_decided_on_arrival(app, db_session, seeded):
    data = overview(db_session, "blog", seeded.date(), views=[("/budget", 7)])
    assert data.totals == {"published": 3, "held": 2, "spam": 1}
    assert data.total == 6 and data.hold_rate == pytest.approx(2 / 6)
    assert data.held_to_decided == [2 * 3600] and data.waiting == 1
    assert data.median_hours == pytest.approx(2.0)
    assert data.decisions == {"bea": 1, "cy": 1}
    assert [(a.key, a.count) for a in data.top_commented] == [("/budget", 3), ("/other", 1)]
    assert [(a.title, a.count) for a in data.top_viewed] == [("Budget day", 7)]
    assert len(data.per_day) == 30 and sum(data.per_day[seeded.date()].values()) == 1


def test_an_analyst_sees_the_overview_and_no_email_or_ip(app, client, seeded, make_account):
    # from eight networks: the top list's rule (VIEWS_TOP_MIN_NETWORKS: 3) counts one bit of a
    # 31-bit mask per network: eight networks set three bits, all but surely, whatever the salt
    for n in range(8):
        client.post("/api/v1/views?site=blog&article=/budget",
                    headers={"User-Agent": FIREFOX, "X-Forwarded-For": f"198.51.{n}.7"})
    client.post("/api/v1/views?site=blog&article=/one-network", headers={"User-Agent": FIREFOX})
    app_views(app).counter.force_flush(utcnow())
    analyst = make_account("ana", "analyst")
    page = analyst.page.get("/moderate/overview?site=blog")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert EMAIL not in html and "@" not in html and IP not in html
    assert not re.search(r"\d+\.\d+\.\d+\.\d+", html)
    assert re.search(r'data-stat="total">6<', html)
    assert re.search(r'data-stat="hold-rate">33 %<', html)
    assert re.search(r'data-stat="median">2\.0 h<', html)
    assert "<svg" in html and html.count("<rect") >= 6
    assert re.search(r"<td>bea</td><td>1</td>", html)
    commented = re.search(r'<ol class="top" id="top-commented">(.*?)</ol>', html, re.S).group(1)
    assert commented.index("Budget day") < commented.index("/other")
    viewed = re.search(r'<ol class="top" id="top-viewed">(.*?)</ol>', html, re.S).group(1)
    assert "Budget day" in viewed and "8 views" in viewed and "/one-network" not in viewed


def test_who_may_see_which_overview(client, seeded, make_account):
    admin = make_account("root", "admin")
    assert admin.page.get("/moderate/overview?site=shop").status_code == 200
    moderator = make_account("mod", "moderator")
    assert moderator.page.get("/moderate/overview").status_code == 403
    scoped = make_account("blog-analyst", "analyst", sites=["blog"])
    landing = scoped.page.get("/moderate/overview")
    assert landing.status_code == 200 and "The Blog" in landing.get_data(as_text=True)
    assert scoped.page.get("/moderate/overview?site=shop").status_code == 403
    assert scoped.page.get("/moderate/overview?site=nope").status_code == 404
    assert client.get("/moderate/overview").status_code == 302  # to the login page


def test_an_analyst_logs_in_to_the_overview(app, db_session):
    from engage.moderators.accounts import create_moderator
    from engage.moderators.roles import Role

    create_moderator(db_session, "dana", "a long analyst password", role=Role.ANALYST)
    db_session.commit()
    with app.app_context():
        response = log_in(app.test_client(), "dana", "a long analyst password")
    assert response.status_code == 302 and response.headers["Location"] == "/moderate/overview"


def test_the_chart_is_well_formed_svg_scaled_to_a_round_peak():
    assert [nice_ceiling(n) for n in (0, 1, 3, 7, 12, 50, 51)] == [1, 1, 5, 10, 20, 50, 100]
    day = utcnow().date()
    svg = stacked_bars([day, day + timedelta(days=1)],
                       {"a": [3, 0], "b<&>": [4, 1]}, {"a": "#000", "b<&>": "#fff"}, "x & y")
    root = ET.fromstring(str(svg))
    rects = root.findall("{http://www.w3.org/2000/svg}rect")
    assert len(rects) == 3  # a zero draws nothing
    heights = [float(rect.get("height")) for rect in rects]
    assert heights[0] / heights[1] == pytest.approx(3 / 4)
    assert rects[1].find("{http://www.w3.org/2000/svg}title").text.endswith("4 b<&>")
