"""Every feature's models, so that ``Base.metadata`` holds every table.

This is the metadata that Alembic compares with the database (``migrations/env.py``) and that
``create_app`` loads: no route module has to import a model only to make its table known.
A module that defines a model is added to ``MODEL_MODULES`` (``tests/test_layout.py`` checks).
"""

from __future__ import annotations

from engage import articles, sites
from engage.comments import models as comments
from engage.db import Base
from engage.live import models as live
from engage.moderation import flood, form_token
from engage.moderation.settings import store as moderation_settings
from engage.moderators import accounts, login_limits, sessions
from engage.notifications import models as notifications
from engage.notifications.alerts import models as alerts
from engage.notifications.subscriptions import models as subscriptions
from engage.participation import models as participation
from engage.participation import report_models as participation_reports
from engage.pageviews import models as pageviews
from engage.portability import models as portability
from engage.queue import counts, events, suspension_models
from engage.spamfilter import model_store as spamfilter_weights
from engage.spamfilter import store as spamfilter

MODEL_MODULES = (sites, articles, comments, flood, form_token, moderation_settings, accounts,
                 login_limits, sessions, pageviews, counts, events, spamfilter,
                 spamfilter_weights, live, participation, participation_reports, portability,
                 suspension_models, notifications, subscriptions, alerts)

metadata = Base.metadata
