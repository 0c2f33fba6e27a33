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
4. the form token is inspected and its nonce spent, last, so that a refused post leaves the
   reader's token usable for the retry.

None of them looks at the email: who the poster is comes from ``reader``
(engage/readers.py), so no refusal, ``Retry-After`` or amount of work depends on whether an
address has posted before.

Nothing is stored when it raises, as long as the caller does not commit (the database claims
of steps 3 and 4 are part of the caller's transaction; the request teardown rolls it back).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from sqlalchemy.orm import Session

from engage.articles import Article, article_ref
from engage.moderation import form_token
from engage.moderation.settings import store as settings
from engage.moderation.closed import check_open
from engage.moderation.duplicate import check_duplicate
from engage.moderation.flood import check_flood, flood_gate
from engage.readers import ReaderIdentity


def admit(session: Session, article: Article, *, reader: ReaderIdentity, body: str,
          ip_prefix: str | None, token: str | None, now: datetime,
          config: Mapping[str, Any]) -> form_token.TokenCheck:
    """Refuse the comment (403/409/429) or return its form-token check for the Submission."""
    options = settings.current(session, config, site=article.site_id).options
    check_open(article, now, options.auto_close_days)
    check_duplicate(session, article.id, body, reader.author_key, ip_prefix)
    check_flood(flood_gate(session), ip_prefix, reader.reader_key, now,
                options.flood_seconds, config["SECRET_KEY"], site=article.site_id)
    return form_token.inspect(token, article_ref(article.site_id, article.key), now, config,
                              form_token.replay_guard(session))
