"""Features of a comment for the learning spam filter: a set of string tokens.

Contract: ``features(body, author_name, author_email, author_url)`` returns a ``frozenset`` of
tokens; each token counts once per comment (SpamBayes does the same: a word said ten times is
no more evidence than a word said once, and it keeps one shouting spammer from dominating).
Pure and deterministic: the same comment always gives the same tokens, so that what was
learned for a comment can be un-learned exactly (the store also keeps the learned tokens).

Token families (a prefix keeps families apart; plain words have none):
- ``word``            lower-cased words of the body (HTML entities decoded, tags removed);
- ``bi:a_b``          adjacent word pairs: "check out", "my channel", "subscribe to";
- ``c:abcd``          character 4-grams of each word, ``^`` and ``$`` marking its ends, so
  that "subscribe", "subscibe" and "suscribe" share evidence;
- ``url:host:H``      every link host (with and without ``www.``), ``url:count:N`` (0, 1, 2, 3+),
  ``url:path`` when a link has a path, ``url:tld:T``;
- ``name:w``          words of the author's name, ``name:digits`` when it has digits;
- ``email:domain:D``  the email's domain, ``email:local:digits`` when the local part has digits;
- ``site:host:H``     the author's website host;
- ``shape:...``       length bucket, repeated characters, capitals, "!!", digits, emoji, empty;
- ``promo:...``       channel-promotion and link patterns (``engage.spamfilter.promotion``).

Body text is normalised first: HTML entities decoded, ``<br>`` and tags removed (link targets
kept as text), the byte-order mark dropped. Comments arrive as Markdown from the widget, but
imported and API comments often carry HTML; the filter must see the same words either way.
"""

from __future__ import annotations

import html
import math
import re
from typing import Iterable

from engage.moderation.links import host_of, url_host
from engage.spamfilter.promotion import promotion_tokens

MAX_WORD_LENGTH = 24  # longer "words" are hashes, base64 or keyboard mashing: one token for all
MAX_TOKENS = 600  # content tokens kept of a very long comment: bounds the work
GRAM = 4  # character n-gram length; 3 and 3+4 were no better on the training folds

_HREF = re.compile(r"""href\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{0,500}>")
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'()\[\]]+"
    # bare hosts such as "murdev.com" or "bit.ly/x": a dotted name ending in a common TLD
    r"|\b(?:[a-z0-9-]+\.)+(?:com|net|org|info|biz|ly|co|me|tv|io|us|uk|de|ru|gl|tk|be|fm|to)"
    r"\b(?:/[^\s<>\"'()\[\]]*)?",
    re.IGNORECASE,
)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_REPEAT = re.compile(r"(.)\1{3,}")
_BANG = re.compile(r"[!?]{2,}")
_EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF]")


def normalize_text(body: str) -> str:
    """Decode entities, turn tags into spaces, keep link targets (appended) and drop the BOM."""
    targets = [html.unescape(url) for url in _HREF.findall(body)]
    text = html.unescape(_TAG.sub(" ", body)).replace("\ufeff", "")
    missing = [url for url in targets if url not in text]
    return " ".join([text, *missing]) if missing else text


def urls_in(text: str) -> list[str]:
    """Every link-like substring of ``text`` (with or without a scheme), in order."""
    return _URL.findall(text)


def _url_tokens(urls: list[str]) -> Iterable[str]:
    yield f"url:count:{min(len(urls), 3)}"
    for url in urls:
        bare = host_of(url)
        if not bare:
            continue
        yield f"url:host:{bare}"
        yield f"url:tld:{bare.rsplit('.', 1)[-1]}"
        if re.search(r"[a-z0-9]/[^\s]", url.lower().split("://", 1)[-1]):
            yield "url:path"


def _word_tokens(words: list[str]) -> Iterable[str]:
    for word in words:
        yield word if len(word) <= MAX_WORD_LENGTH else "shape:longword"
    for first, second in zip(words, words[1:]):
        if len(first) <= MAX_WORD_LENGTH and len(second) <= MAX_WORD_LENGTH:
            yield f"bi:{first}_{second}"


def _gram_tokens(words: list[str]) -> Iterable[str]:
    for word in words:
        marked = f"^{word}$"
        for start in range(len(marked) - GRAM + 1):
            yield "c:" + marked[start:start + GRAM]


def _shape_tokens(text: str, words: list[str]) -> Iterable[str]:
    stripped = text.strip()
    if not stripped:
        yield "shape:empty"
        return
    # log2 buckets: 1-char answers and 500-char sermons are different kinds of comment
    yield f"shape:len:{min(int(math.log2(len(stripped))), 10)}"
    yield f"shape:words:{min(int(math.log2(len(words) + 1)), 7)}"
    letters = list(filter(str.isalpha, stripped))  # map/filter: the loop runs in C
    if len(letters) >= 8:
        upper = sum(map(str.isupper, letters)) / len(letters)
        yield "shape:caps:high" if upper > 0.6 else "shape:caps:some" if upper > 0.2 else "shape:caps:low"
    if _REPEAT.search(stripped):
        yield "shape:repeat"
    if _BANG.search(stripped):
        yield "shape:bangs"
    if any(map(str.isdigit, stripped)):
        yield "shape:digits"
    if _EMOJI.search(stripped):
        yield "shape:emoji"
    if "\n" in stripped:
        yield "shape:lines"


def _name_tokens(name: str) -> Iterable[str]:
    for word in _WORD.findall(name.lower()):
        yield f"name:{word[:MAX_WORD_LENGTH]}"
    if any(map(str.isdigit, name)):
        yield "name:digits"


def _email_tokens(email: str) -> Iterable[str]:
    local, _, domain = email.strip().lower().rpartition("@")
    if domain:
        yield f"email:domain:{domain}"
    if any(map(str.isdigit, local)):
        yield "email:local:digits"


def features(body: str, author_name: str = "", author_email: str = "",
             author_url: str | None = None) -> frozenset[str]:
    """The token set of one comment; see the module docstring for the families."""
    text = normalize_text(body)
    urls = urls_in(text)
    # words are read with the links blanked out, so "youtube.com/watch?v=x1" adds host
    # tokens and not a trail of fragments
    words = _WORD.findall(_URL.sub(" ", text).lower())
    meta: list[str] = []
    meta.extend(_url_tokens(urls))
    meta.extend(_shape_tokens(text, words))
    meta.extend(sorted(promotion_tokens(text)))
    meta.extend(_name_tokens(author_name or ""))
    meta.extend(_email_tokens(author_email or ""))
    if author_url:
        meta.append(f"site:host:{url_host(author_url)}")
    # dict.fromkeys dedupes in order, so the cap keeps the first words of a long comment
    content = list(dict.fromkeys(_word_tokens(words)))
    content.extend(dict.fromkeys(_gram_tokens(words)))
    content = content[:MAX_TOKENS]
    return frozenset(content).union(meta)
