"""Every setting engage reads, with its default and a one-line reason.

Each key ``FOO`` can be set from the environment as ``ENGAGE_FOO``. Values from the
environment are parsed to the type of the default (bool, int, float, tuple of strings).
``create_app(config)`` applies, in order: these defaults, the environment, then ``config``.
Keys are grouped by feature prefix. This is the only place a default is written: code reads
``config["KEY"]`` (``create_app`` and ``load_config`` always hold every key), and a parameter
or field that needs a default of its own takes it from ``DEFAULTS``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any, Mapping

DEFAULTS: dict[str, Any] = {
    # --- core -------------------------------------------------------------------------
    "INSTANCE_PATH": "instance",        # where SQLite, the generated secret and salts live
    "DATABASE_URL": "",                 # empty: sqlite:///<INSTANCE_PATH>/engage.sqlite3
    "REDIS_URL": "",                    # empty: embedded counters and limits, no Redis
    "REDIS_PREFIX": "engage:",          # namespace for every Redis key (several sites per Redis)
    "SECRET_KEY": "",                   # empty: generated once and kept in INSTANCE_PATH
    "ALLOWED_ORIGINS": (),              # site origins that browsers may call the public API from
    "TRUSTED_PROXIES": (),              # proxy addresses whose X-Forwarded-For is believed
    "MAX_BODY_BYTES": 64 * 1024,        # request bodies above this get 413
    "PUBLIC_URL": "",                   # absolute base for links (avatars); empty: request host
    "DEMO_ENABLED": True,               # serve /demo; turn off in production
    "SITES_REFRESH_SECONDS": 1.0,       # how often a process re-reads sites changed elsewhere
    # --- comments ---------------------------------------------------------------------
    "COMMENTS_PAGE_SIZE": 50,           # default page size of GET /api/v1/comments
    "COMMENTS_MAX_PAGE_SIZE": 200,      # largest `limit` a client may ask for
    "COMMENTS_CACHE_SECONDS": 10,       # public Cache-Control max-age of thread reads
    "COMMENTS_PAGE_CACHE_BYTES": 32 * 1024 * 1024,  # built thread pages kept per process (LRU)
    "FEEDS_SIZE": 50,                   # comments in an Atom feed (/feeds/comments.atom)
    "FEEDS_CACHE_SECONDS": 60,          # public Cache-Control max-age of the feeds
    # --- participation (votes, author edits, reports) -------------------------------------------
    "EDIT_WINDOW_SECONDS": 600,         # an author may edit or delete their comment this long
    "VOTES_PER_NETWORK_HOUR": 300,      # votes one /24 (/48) may cast per hour; more: 429
    # --- staff (replies from the queue, pins, suspensions) -----------------------------
    "STAFF_BADGE": "Staff",             # the badge text on staff replies (public JSON `staff`)
    "PINS_PER_ARTICLE": 3,              # pinned comments one article may have; one more: 409
    "SUSPENSION_MAX_HOURS": 8760,       # the longest suspension a moderator may set (1 year)
    "REPORTS_HOLD": 3,                  # distinct visitors whose reports hold a comment; 0 = never
    "REPORTS_PER_NETWORK_HOUR": 20,     # reports one /24 (/48) may file per hour; more: 429
    # --- live updates (GET /api/v1/stream, engage/live) -----------------------------------
    "LIVE_STREAMS": "auto",             # auto (only under gevent) | on | off; off: 204, widget polls
    "LIVE_POLL_SECONDS": 1.0,           # how often a process reads the change log without Redis
    "LIVE_HEARTBEAT_SECONDS": 15.0,     # comment line sent on an idle stream (proxies, dead peers)
    "LIVE_MAX_STREAM_SECONDS": 1800.0,  # a stream ends after this; the browser resumes it
    "LIVE_MAX_STREAMS": 8000,           # streams one worker process holds; more: 429
    "LIVE_MAX_STREAMS_PER_NETWORK": 100,  # streams of one /24 or /48 per worker process; more: 429
    "LIVE_RETENTION_SECONDS": 900,      # how long change-log rows stay for resuming clients
    "LIVE_RETRY_MS": 5000,              # the browser's reconnect delay after a dropped stream
    # --- moderation -------------------------------------------------------------------
    "MODERATION_MODE": "auto",          # auto | premod | first
    "FLOOD_SECONDS": 15,                # minimum gap between two comments of one reader; 0 = off
    "MIN_SUBMIT_SECONDS": 3,            # minimum time between form token and post; 0 = off
    "FORM_TOKEN_MAX_AGE": 2 * 3600,     # a form token older than this is expired
    "SEARCH_INDEX_INTERVAL_SECONDS": 0.5,  # SQLite: new comments join the queue search index this often; 0 = only at a search (engage/queue/search_index.py)
    # Defaults of the moderator-editable settings (PATCH /api/v1/moderation/settings
    # overrides them in the database, per field).
    "MODERATION_AUTO_CLOSE_DAYS": 0,    # articles older than this take no comments; 0 = never
    "MODERATION_LINKS_HOLD": 2,         # held at or above this many distinct links; 0 = off
    "MODERATION_LINKS_SPAM": 6,         # spam at or above this many distinct links; 0 = off
    # a link to one of these hosts is held (they hide where a link leads; youtu.be is left out
    # on purpose: it names its target)
    "MODERATION_LINK_SHORTENERS": (
        "bit.ly", "goo.gl", "tinyurl.com", "t.co", "ow.ly", "is.gd", "buff.ly", "adf.ly",
        "bit.do", "cutt.ly", "rebrand.ly", "shorturl.at", "tiny.cc", "rb.gy", "t.ly", "s.id",
        "v.gd", "shorte.st", "bc.vc", "clck.ru", "qr.ae", "lnkd.in", "soo.gd", "x.co", "tr.im",
    ),
    "MODERATION_PROFANITY": "hold",     # hold | censor (publish censored) | off
    "MODERATION_PROFANITY_HOLD_GRADE": "abuse",  # words graded this or stronger count: mild | abuse
    "MODERATION_PROFANITY_GRADES": (),  # word=grade pairs over engage/moderation/data/profanity_grades.txt
    "MODERATION_WORDS": (),             # words or phrases that hold a comment (word boundaries)
    "MODERATION_SHOUTING_RATIO": 0.7,   # held when this share of letters is upper case ...
    "MODERATION_SHOUTING_MIN_LETTERS": 20,  # ... and the comment has at least this many letters
    "MODERATION_REPEAT_CHAR_RUN": 10,   # held when one character repeats this often in a row
    "MODERATION_REPEAT_WORD_RUN": 5,    # held when one word repeats this often in a row
    "MODERATION_TRUST_APPROVED_AUTHORS": True,  # approved authors without spam skip hold rules
    "MODERATION_SETTINGS_REFRESH_SECONDS": 1.0,  # how often a process re-reads stored settings
    "MODERATION_PAGE_SIZE": 25,         # queue page and queue API page size
    "MODERATION_SESSION_HOURS": 12,     # a moderator's login lasts this long
    "LOGIN_MAX_FAILURES": 5,            # failed logins per name and network (or known browser)
    "LOGIN_MAX_FAILURES_PER_IP": 20,    # failed logins per IP prefix within the window
    "LOGIN_MAX_FAILURES_PER_NAME": 100,  # per name from all networks (known browsers exempt)
    "LOGIN_WINDOW_SECONDS": 900,        # the lockout window
    # --- spam filter (learned from moderator decisions) ----------------------------------
    "CLASSIFIER_ENABLED": True,         # run the learned spam-filter rule
    "CLASSIFIER_SPAM_THRESHOLD": 0.93,  # score at or above: spam (<=0.5 % of legit, held-out videos)
    "CLASSIFIER_HOLD_THRESHOLD": 0.27,  # score at or above: held for a moderator (>=97.5 % of spam)
    "CLASSIFIER_MIN_SPAM": 20,          # cold start: no verdicts before this many spam examples ...
    "CLASSIFIER_MIN_HAM": 20,           # ... and this many legitimate ones
    "CLASSIFIER_REFRESH_SECONDS": 2.0,  # how often a process checks for new decisions to learn
    "CLASSIFIER_MAX_EXAMPLES": 50_000,  # train on the newest N examples (bounds training time)
    "CLASSIFIER_STARTER_ENABLED": True,  # classify from the first comment with the shipped model
    "CLASSIFIER_STARTER_PATH": "",      # another starter weights file; empty: the shipped one
    # once the site's model has CLASSIFIER_MIN_SPAM/_HAM examples it gets the share
    # n / (n + this) of the score, n its decisions; 0: it replaces the starter
    "CLASSIFIER_STARTER_BLEND_EXAMPLES": 300,  # chosen on inner folds (bench/spam_choose.py)
    # while the starter decides alone: same rule as above, but >= 93 % of spam caught (a fresh
    # install's goal is 90 %); bench/spam_eval.py derives both bands per fold
    "CLASSIFIER_STARTER_SPAM_THRESHOLD": 0.93,
    "CLASSIFIER_STARTER_HOLD_THRESHOLD": 0.60,
    # a score below this share of the hold threshold in effect: the filter is sure the comment
    # is legitimate, and shouting and repetition do not hold it; 0 = they always hold
    "CLASSIFIER_CLEAR_SHARE": 0.5,
    # spam when this similar (estimated Jaccard of character 4-grams) to a comment decided spam
    # (the site's newest 5,000, and the starter's); chosen on inner folds; 0 = off
    "CLASSIFIER_DUPLICATE_SIMILARITY": 0.6,
    # --- page views -------------------------------------------------------------------
    "VIEWS_WINDOW_SECONDS": 30 * 60,    # repeat views of one visitor within this count once
    "VIEWS_FLUSH_SECONDS": 1.0,         # embedded buffer flushes at least this often
    # ... or after this many buffered views (a cap for bursts: each flush has a fixed cost, and
    # at 500 a busy process flushed several times a second, 15 % fewer views/s, bench/views.py)
    "VIEWS_FLUSH_EVERY": 10_000,
    "VIEWS_PERSIST_SECONDS": 5.0,       # Redis mode: pending counts reach the database this often
    "VIEWS_PER_NETWORK": 50,            # views of an article counted per /24 (/48) and window; 0 = off
    "VIEWS_NEW_ARTICLES_PER_NETWORK": 20,  # unknown keys one network may bring in per day; 0 = off
    "VIEWS_TOP_MIN_NETWORKS": 3,        # /views/top lists articles read from this many networks a day
    "VIEWS_BUFFER_MAX": 100_000,        # views held while the database cannot write; more are dropped
    # --- retention (engage/portability/retention.py; `engage purge`) ----------------------
    "RETENTION_SPAM_DAYS": 0,           # spam/rejected comments deleted this long after; 0 = keep
    "RETENTION_IP_DAYS": 0,             # IP networks and user agents cleared after; 0 = keep
    "RETENTION_INTERVAL_SECONDS": 3600.0,  # how often a serving process applies the two above
    # --- notifications (engage/notifications: outbox, webhooks) ---------------------------
    "OUTBOX_IN_SERVER": True,           # every server process delivers in the background; off: only `engage worker`
    "OUTBOX_POLL_SECONDS": 1.0,         # a deliverer looks for due messages this often (a commit wakes it at once)
    "OUTBOX_BATCH": 20,                 # messages one deliverer claims at a time
    "OUTBOX_CONCURRENCY": 4,            # messages one deliverer sends at once (a slow receiver holds one)
    "OUTBOX_BUSY_SHARE": 0.02,          # while requests keep a process busy, its deliverer works at most this share of the time; 1: no limit
    "OUTBOX_BUSY_MAX_DELAY_SECONDS": 30.0,  # ... unless the oldest message it claimed waited this long: then at full speed
    "OUTBOX_LEASE_SECONDS": 300.0,      # a claim lasts this long; a crashed claimer's messages are retaken after
    "OUTBOX_RETRY_SECONDS": 24 * 3600.0,  # transient failures are retried this long, then the message is failed
    "OUTBOX_BACKOFF_SECONDS": 10.0,     # first retry after about this long, doubling each time ...
    "OUTBOX_BACKOFF_MAX_SECONDS": 3600.0,  # ... up to this (with 0.5-1x random jitter)
    "OUTBOX_KEEP_DELIVERED_DAYS": 7.0,  # delivered messages are deleted this long after enqueue
    "OUTBOX_KEEP_FAILED_DAYS": 30.0,    # failed ones (shown to admins, retryable) this long
    "WEBHOOKS_ALLOW_PRIVATE": False,    # allow webhook URLs on loopback/private networks (tests, intranets)
    "WEBHOOKS_TIMEOUT_SECONDS": 5.0,    # connect and read timeout of one webhook request
    "WEBHOOKS_MAX_PER_SITE": 20,        # webhooks one site may have
    "WEBHOOKS_CACHE_SECONDS": 2.0,      # a process re-reads a site's webhooks this often (hot post path)
    # --- mail (engage/notifications/mail, subscriptions, alerts) -----------------------
    # smtp://[user:pass@]host:port[?starttls=1] or smtps://… (implicit TLS); empty: no mail.
    # Mail also needs PUBLIC_URL (its links); without either nothing is enqueued.
    "SMTP_URL": "",
    "SMTP_TIMEOUT_SECONDS": 10.0,       # connect and each SMTP reply; a slower server: retried later
    "MAIL_FROM": "",                    # From: of every mail; empty: engage@<PUBLIC_URL's host>
    "MAIL_CONFIRM_MAX_AGE_DAYS": 7,     # a confirmation link works this long
    "MAIL_CONFIRM_INTERVAL_SECONDS": 86_400,  # at most one confirmation mail per address this often
    "MAIL_LINK_MAX_AGE_DAYS": 7,        # a moderator's one-click decision link works this long
    "MAIL_DIGEST_HOUR": 8,              # daily moderator digests go out at this hour (UTC)
    # --- observability ----------------------------------------------------------------
    "METRICS_ENABLED": True,            # serve GET /metrics and count requests
    "METRICS_TOKEN": "",                # bearer token for /metrics; empty: direct loopback only
    "LOG_LEVEL": "INFO",                # level of engage serve's JSON-lines logs
    # --- server -----------------------------------------------------------------------
    "HOST": "127.0.0.1",                # `engage serve` bind address
    "PORT": 8000,                       # `engage serve` port
    "WORKERS": 1,                       # gunicorn worker processes
    "WORKER_CLASS": "gevent",           # gevent (greenlets) or gthread (engage/serving/worker_classes.py)
    "THREADS": 8,                       # threads per worker, gthread only
    "GRACEFUL_TIMEOUT": 20,             # seconds a stopping worker gets to finish requests
    "WORKER_CONNECTIONS": 10_000,       # connections one gevent worker holds (live streams)
}

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _parse(key: str, raw: str, default: Any) -> Any:
    """Parse an environment string to the type of ``default``; raise ValueError if it cannot."""
    if isinstance(default, bool):
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError(f"ENGAGE_{key} must be a boolean, got {raw!r}")
    if isinstance(default, int):
        return int(raw)
    if isinstance(default, float):
        return float(raw)
    if isinstance(default, tuple):
        return tuple(part.strip() for part in raw.split(",") if part.strip())
    return raw


def load_config(overrides: Mapping[str, Any] | None = None,
                environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Return the effective settings: defaults, then ``ENGAGE_*`` variables, then overrides."""
    environ = os.environ if environ is None else environ
    config = dict(DEFAULTS)
    for key, default in DEFAULTS.items():
        raw = environ.get(f"ENGAGE_{key}")
        if raw is not None:
            config[key] = _parse(key, raw, default)
    config.update(overrides or {})
    for key in ("ALLOWED_ORIGINS", "TRUSTED_PROXIES"):
        if isinstance(config[key], str):
            config[key] = _parse(key, config[key], ())
    instance = Path(config["INSTANCE_PATH"]).resolve()
    config["INSTANCE_PATH"] = str(instance)
    config["DATABASE_URL"] = database_url(config["DATABASE_URL"], instance)
    config["SECRET_KEY_GENERATED"] = not config["SECRET_KEY"]
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _instance_secret(instance)
    return config


def shared_secret_warning(config: Mapping[str, Any]) -> str | None:
    """A warning when instances may share storage but each generated its own secret.

    Form tokens, flood-limit keys and view-dedupe keys are derived from the secret: instances
    with different secrets would call each other's tokens forged and count readers twice.
    """
    shared = config["REDIS_URL"] or not config["DATABASE_URL"].startswith("sqlite")
    if shared and config["SECRET_KEY_GENERATED"]:
        return ("WARNING: ENGAGE_SECRET_KEY is not set, so this instance uses the secret it "
                f"generated in {config['INSTANCE_PATH']}/secret_key. Give every instance that "
                "shares this database or Redis the same ENGAGE_SECRET_KEY.")
    return None


def database_url(url: str, instance: Path) -> str:
    """Fill in the SQLite default and pick the psycopg 3 driver for bare PostgreSQL URLs."""
    if not url:
        return f"sqlite:///{instance / 'engage.sqlite3'}"
    for bare in ("postgresql://", "postgres://"):
        if url.startswith(bare):
            return "postgresql+psycopg://" + url[len(bare):]
    return url


def _instance_secret(instance: Path) -> str:
    """Read the instance's generated secret, creating it (mode 0600) on first start."""
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        # Write to a private temp file and link it into place, so that two processes
        # starting at once agree on one secret and never read a half-written file.
        tmp = instance / f".secret_key.{os.getpid()}"
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            os.unlink(tmp)
    return path.read_text().strip()
