"""Map an OAuth/OpenID Connect provider's claims (userinfo) to a hushdesk user name and role.

The operator configures which claim holds the user's groups (a dotted path such as `groups` or
Keycloak's `realm_access.roles`) and an ordered map of groups to roles, e.g.
`hushdesk-staff=staff, /hushdesk-admins=admin, auditors=auditor`.

Matching rules:
- A group matches exactly or with one leading "/" removed on either side, so Keycloak's group paths
  (`/hushdesk-admins`) match `hushdesk-admins` and the reverse. Subgroups keep their full path
  (`/parent/child` matches `parent/child`, never `child`). Matching is case-sensitive.
- When several of the user's groups are mapped, the role of the FIRST matching pair in the
  operator's map order wins (list the most privileged group first if that is what you want).
- Odd provider data (missing claims, wrong types, nested garbage) never raises: no role.
- Group names cannot contain commas or whitespace (they separate pairs in the setting).

Parsing the setting lives in `services.roles` (a leaf, so the settings can use it); it is re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..roles import SEPARATORS as _SEPARATORS, RoleMap, norm_group as _norm, parse_claim_path, parse_role_map

__all__ = ["RoleMap", "OidcIdentity", "parse_role_map", "parse_claim_path", "role_from_claims", "groups_from_claims",
           "identity_from_userinfo"]

_NAME = re.compile(r"[A-Za-z0-9._@-]{1,64}")


def _groups(value: Any) -> set[str]:
    if isinstance(value, str):
        items: Any = _SEPARATORS.split(value)
    elif isinstance(value, (list, tuple)):
        items = value
    else:
        return set()
    return {_norm(v.strip()) for v in items if isinstance(v, str) and _norm(v.strip())}


def groups_from_claims(claims: Any, claim_path: tuple[str, ...], *, limit: int = 64) -> tuple[str, ...]:
    """The groups in the claim at `claim_path` (leading "/" removed, sorted, at most `limit` of them, each
    a group name of 1 to 128 visible characters); none for odd provider data."""
    node: Any = claims
    for segment in claim_path:
        if not isinstance(node, Mapping):
            return ()
        node = node.get(segment)
    found = sorted(g for g in _groups(node) if len(g) <= 128 and not any(c.isspace() or ord(c) < 32 for c in g))
    return tuple(found[:limit])


def role_from_claims(claims: Mapping[str, Any], claim_path: tuple[str, ...], role_map: RoleMap) -> str | None:
    """The role of the first `role_map` pair whose group is in the claim at `claim_path`, or None."""
    node: Any = claims
    for segment in claim_path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(segment)
    groups = _groups(node)
    for group, role in role_map:
        if _norm(group) in groups:
            return role
    return None


@dataclass(frozen=True)
class OidcIdentity:
    """A hushdesk user name and role (None: no mapped group) taken from a provider's userinfo."""

    name: str
    role: str | None


def identity_from_userinfo(userinfo: Any, *, identifier_claim: str, claim_path: tuple[str, ...],
                           role_map: RoleMap) -> OidcIdentity | None:
    """The identity in `userinfo`, or None when its identifier claim is not a valid user name."""
    if not isinstance(userinfo, Mapping):
        return None
    name = userinfo.get(identifier_claim)
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        return None
    return OidcIdentity(name=name, role=role_from_claims(userinfo, claim_path, role_map))
