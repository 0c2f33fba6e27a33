"""``engage views flush`` stores pending counts now."""

import pytest

from engage.pageviews.cli import views
from tests.pageviews.conftest import stored_views

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


@pytest.fixture(params=["embedded", "redis"])
def config_overrides(request):
    if request.param == "redis":
        return {"REDIS_URL": request.getfixturevalue("redis_url"),
                "REDIS_PREFIX": request.getfixturevalue("redis_prefix"),
                "VIEWS_FLUSH_SECONDS": 600}
    return {"VIEWS_FLUSH_SECONDS": 600}


def test_flush_command_stores_pending_views(app, client):
    client.post("/api/v1/views?article=/a", headers={"User-Agent": FIREFOX})
    assert stored_views("/a") == 0
    result = app.test_cli_runner().invoke(views, ["flush"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "stored 1 views"
    assert stored_views("/a") == 1
