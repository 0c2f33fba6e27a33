"""What is not a reader's view: known bots, missing user agents, prefetch/prerender, HEAD."""

import pytest

from engage.pageviews.bots import NotCounted, classify, is_bot, is_prefetch

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
]
BOTS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)",
    "Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.0; +https://openai.com/gptbot)",
    "curl/8.5.0",
    "python-requests/2.32.3",
]


@pytest.mark.parametrize("user_agent", BROWSERS)
def test_browsers_are_readers(user_agent):
    assert not is_bot(user_agent)
    assert classify("POST", {}, user_agent) is None


@pytest.mark.parametrize("user_agent", BOTS)
def test_known_crawlers_and_tools_are_bots(user_agent):
    assert is_bot(user_agent)
    assert classify("POST", {}, user_agent) is NotCounted.BOT


@pytest.mark.parametrize("user_agent", [None, "", "   "])
def test_a_request_without_user_agent_is_a_bot(user_agent):
    assert is_bot(user_agent)


def test_answers_are_cached():
    is_bot.cache_clear()
    for _ in range(10):
        is_bot(BROWSERS[0])
    info = is_bot.cache_info()
    assert (info.misses, info.hits) == (1, 9)


@pytest.mark.parametrize("headers", [
    {"Sec-Purpose": "prefetch"},
    {"Sec-Purpose": "prefetch;prerender"},
    {"Purpose": "prefetch"},
    {"X-Moz": "prefetch"},
    {"X-Purpose": "preview"},
])
def test_speculative_loads_are_not_views(headers):
    assert is_prefetch(headers)
    assert classify("POST", headers, BROWSERS[0]) is NotCounted.PREFETCH


def test_ordinary_headers_are_not_prefetch():
    assert not is_prefetch({"Accept": "*/*", "Sec-Fetch-Mode": "no-cors"})


def test_head_is_not_a_view():
    assert classify("HEAD", {}, BROWSERS[0]) is NotCounted.HEAD
