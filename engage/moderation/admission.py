"""What the comments service asks before it judges and stores a comment.

``admit`` runs the checks that refuse a comment outright, in this order, and then reads the
form token:

1. closed article → 403 ``Forbidden`` (nothing else matters on a closed article);
2. duplicate (same text and article, same reader key or, unproven, same network) → 409
   ``Conflict`` (before the flood limit, so a double-click is told "already posted" rather
   than "too fast");
3. flood limit (network and reader key) → 429 ``TooManyRequests`` with ``Retry-After``;
   claims the reader's slot on the article's site (each site has its own limit, which its
   settings may change);
4. the form token is inspected, last, so that a refused post leaves the reader's token
   usable for the retry.

The database claims (the flood marks without Redis, the form token's nonce without Redis) are
writes, and on SQLite a transaction's first write takes the database's single write lock until
the commit: taken here, every other post of every process would wait for this one's rules
and filter too. So with the database they are only read here (a flood or a reused token is
still refused or flagged before judging), and ``Admission.claim`` takes them with the
comment's own writes, just before it is stored (issue 22: the lock is held for the writes
only). A concurrent post that took the same slot or token in between makes the claim raise
the same 429, or a 409 for the token (the same form sent twice at once: one is stored).

None of them looks at the email: who the poster is comes from ``reader``
(engage/readers.py), so no refusal, ``Retry-After`` or amount of work depends on whether an
address has posted before.

Nothing is stored when it raises, as long as the caller does not commit (the database claims
are part of the caller's transaction; the request teardown rolls it back).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy.orm import Session

from engage.articles import Article, article_ref
from engage.moderation import form_token
from engage.moderation.settings import store as settings
from engage.moderation.closed import check_open
from engage.moderation.duplicate import check_duplicate
from engage.moderation.flood import check_flood, flood_gate
from engage.readers import ReaderIdentity


@dataclass(frozen=True)
class Admission:
    """What ``admit`` found: the form token's check (for the Submission), and the database
    claims to take in the comment's write transaction (``claim``, before storing it)."""

    token: form_token.TokenCheck
    claims: tuple[Callable[[], None], ...]

    def claim(self) -> None:
        for take in self.claims:
            take()


def admit(session: Session, article: Article, *, reader: ReaderIdentity, body: str,
          ip_prefix: str | None, token: str | None, now: datetime,
          config: Mapping[str, Any]) -> Admission:
    """Refuse the comment (403/409/429) or return what the Submission needs and the claims."""
    options = settings.current(session, config, site=article.site_id).options
    check_open(article, now, options.auto_close_days)
    check_duplicate(session, article.id, body, reader.author_key, ip_prefix)
    flood_claim = check_flood(flood_gate(session), ip_prefix, reader.reader_key, now,
                              options.flood_seconds, config["SECRET_KEY"], site=article.site_id)
    check, spend = form_token.inspect_later(token, article_ref(article.site_id, article.key),
                                            now, config, form_token.replay_guard(session))
    return Admission(check, (flood_claim, spend))
