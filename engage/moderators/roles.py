"""What a moderator account may do: its role, and the sites it is limited to.

- ``admin``: everything: every site, sites, moderators' settings, the overview.
- ``moderator``: decides and blocks (the queue, decisions, the blocklist, articles), on every
  site or only on the sites the account is given (``moderator_sites``); reads the settings.
- ``analyst``: reads the overview and articles' counts, on every site or on its sites; never
  the queue, so never an email or an IP.
A token carries a role too (``ApiToken.role``): what a request may do is the weaker of the
token's and the account's (``weaker``), so lowering an account's role also lowers the tokens
it issued. Site limits are the account's. The guards (``guards``) enforce both with 403.
"""

from __future__ import annotations

import enum


class Role(enum.StrEnum):
    ADMIN = "admin"
    MODERATOR = "moderator"
    ANALYST = "analyst"


# What each role may do, strongest first: a role may do what the roles after it may.
_STRENGTH = {Role.ADMIN: 3, Role.MODERATOR: 2, Role.ANALYST: 1}
ALL_ROLES = (Role.ADMIN, Role.MODERATOR, Role.ANALYST)
DECIDERS = (Role.ADMIN, Role.MODERATOR)


def parse_role(raw: object) -> Role:
    """The role named by ``raw``, or ValueError listing the roles."""
    try:
        return Role(raw)
    except ValueError:
        raise ValueError("a role is one of: " + ", ".join(role.value for role in Role)) from None


def weaker(first: Role | str, second: Role | str) -> Role:
    """The role of the two that may do less."""
    first, second = Role(first), Role(second)
    return first if _STRENGTH[first] <= _STRENGTH[second] else second
