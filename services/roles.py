"""Roles and the OAuth group-to-role settings: a leaf module that imports nothing of the project.

Every other module takes its role names from here (the user store, the session cookie check, the
OIDC mapping, the web pages, the settings parser), so there is one list and no import circle.

Role-map rules (`HUSHDESK_OAUTH_ROLE_MAP`):
- `GROUP=ROLE` pairs separated by commas or whitespace, in the operator's order; a role is one of ROLES.
- A group matches exactly or with one leading "/" removed on either side, so Keycloak's group paths
  (`/hushdesk-admins`) match `hushdesk-admins` and the reverse. Subgroups keep their full path.
- Group names cannot contain commas or whitespace (they separate pairs in the setting).
"""

from __future__ import annotations

import re

__all__ = ["ROLES", "CHAT_ROLES", "DASHBOARD_ROLES", "RoleMap", "parse_role_map", "parse_claim_path",
           "norm_group"]

ROLES = ("staff", "admin", "auditor")
CHAT_ROLES = ("staff", "admin")  # auditors read the trail; they never chat
DASHBOARD_ROLES = ("admin", "auditor")

RoleMap = tuple[tuple[str, str], ...]
SEPARATORS = re.compile(r"[,\s]+")


def norm_group(group: str) -> str:
    """A group name with one leading "/" removed (Keycloak group paths)."""
    return group[1:] if group.startswith("/") else group


def parse_role_map(raw: str) -> RoleMap:
    """Parse `GROUP=ROLE` pairs separated by commas or whitespace, keeping their order."""
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in SEPARATORS.split(raw.strip()):
        if not item:
            continue
        if item.count("=") != 1:
            raise ValueError(f"role map entry {item!r} is not GROUP=ROLE")
        group, role = item.split("=")
        role = role.lower()
        if not norm_group(group):
            raise ValueError(f"role map entry {item!r} has an empty group")
        if role not in ROLES:
            raise ValueError(f"role map entry {item!r}: role must be one of {', '.join(ROLES)}")
        if norm_group(group) in seen:
            raise ValueError(f"role map maps group {group!r} more than once")
        seen.add(norm_group(group))
        pairs.append((group, role))
    return tuple(pairs)


def parse_claim_path(raw: str) -> tuple[str, ...]:
    """Parse a dotted claim path such as `groups` or `realm_access.roles`."""
    segments = tuple(s.strip() for s in raw.strip().split("."))
    if any(not s or any(c.isspace() for c in s) for s in segments):
        raise ValueError(f"claim path {raw!r} has an empty or blank segment")
    return segments
