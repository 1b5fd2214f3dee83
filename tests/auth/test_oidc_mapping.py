"""Mapping an OIDC provider's claims to a hushdesk name and role (services.auth.oidc)."""

from __future__ import annotations

import pytest

from services.auth.oidc import (OidcIdentity, groups_from_claims, identity_from_userinfo, parse_claim_path, parse_role_map,
                           role_from_claims)

MAP = parse_role_map("hushdesk-staff=staff, /hushdesk-admins=admin,auditors=auditor")


@pytest.mark.parametrize("raw,expected", [
    ("", ()),
    ("   ", ()),
    (" , ,", ()),
    ("a=staff", (("a", "staff"),)),
    ("hushdesk-staff=staff, /hushdesk-admins=admin,auditors=auditor",
     (("hushdesk-staff", "staff"), ("/hushdesk-admins", "admin"), ("auditors", "auditor"))),
    ("b=admin a=staff", (("b", "admin"), ("a", "staff"))),
    ("b=admin\n\ta=staff,,", (("b", "admin"), ("a", "staff"))),
    ("x=Admin", (("x", "admin"),)),
    ("/parent/child=auditor", (("/parent/child", "auditor"),)),
])
def test_parse_role_map(raw, expected):
    assert parse_role_map(raw) == expected


@pytest.mark.parametrize("raw", [
    "staff",                 # no "="
    "a=b=staff",             # two "="
    "=staff",                # empty group
    "/=admin",               # only the slash
    "a=",                    # empty role
    "a=root",                # unknown role
    "a=staff,b",             # second pair malformed
    "a = staff",             # whitespace separates: "a", "=", "staff"
    "a=staff,/a=admin",      # same group twice (after the leading slash)
])
def test_parse_role_map_rejects(raw):
    with pytest.raises(ValueError):
        parse_role_map(raw)


@pytest.mark.parametrize("raw,expected", [
    ("groups", ("groups",)),
    (" groups ", ("groups",)),
    ("realm_access.roles", ("realm_access", "roles")),
    ("resource_access.hushdesk.roles", ("resource_access", "hushdesk", "roles")),
])
def test_parse_claim_path(raw, expected):
    assert parse_claim_path(raw) == expected


@pytest.mark.parametrize("raw", ["", " ", ".", "groups.", ".groups", "a..b", "a. .b", "a b"])
def test_parse_claim_path_rejects(raw):
    with pytest.raises(ValueError):
        parse_claim_path(raw)


GROUPS = ("groups",)
REALM = ("realm_access", "roles")


@pytest.mark.parametrize("claims,path,expected", [
    ({"groups": ["hushdesk-staff"]}, GROUPS, "staff"),
    ({"groups": ["/hushdesk-staff"]}, GROUPS, "staff"),          # Keycloak path, map without "/"
    ({"groups": ["/hushdesk-admins"]}, GROUPS, "admin"),         # both with "/"
    ({"groups": ["hushdesk-admins"]}, GROUPS, "admin"),          # map with "/", claim without
    ({"groups": ["/auditors"]}, GROUPS, "auditor"),
    ({"groups": ["/parent/hushdesk-admins"]}, GROUPS, None),     # a subgroup is not the group
    ({"groups": ["//hushdesk-admins"]}, GROUPS, None),           # only one leading "/" is dropped
    ({"groups": ["HUSHDESK-STAFF"]}, GROUPS, None),              # case-sensitive
    ({"groups": [" hushdesk-staff "]}, GROUPS, "staff"),
    ({"groups": "hushdesk-staff"}, GROUPS, "staff"),             # a single string
    ({"groups": "other /hushdesk-admins"}, GROUPS, "admin"),     # space-separated string
    ({"groups": "other,auditors"}, GROUPS, "auditor"),           # comma-separated string
    ({"groups": ("auditors",)}, GROUPS, "auditor"),
    # several matches: the first pair in the operator's map wins, whatever the claim's order
    ({"groups": ["auditors", "/hushdesk-admins", "hushdesk-staff"]}, GROUPS, "staff"),
    ({"groups": ["auditors", "/hushdesk-admins"]}, GROUPS, "admin"),
    ({"realm_access": {"roles": ["offline_access", "auditors"]}}, REALM, "auditor"),
    ({"realm_access": {"roles": ["offline_access"]}}, REALM, None),
    ({"groups": ["other"]}, GROUPS, None),
    ({"groups": []}, GROUPS, None),
    ({"groups": ""}, GROUPS, None),
    ({"groups": ["/"]}, GROUPS, None),
    ({}, GROUPS, None),
    # garbage never raises
    ({"groups": None}, GROUPS, None),
    ({"groups": 7}, GROUPS, None),
    ({"groups": {"hushdesk-staff": True}}, GROUPS, None),
    ({"groups": [None, 3, ["hushdesk-staff"], {"x": 1}, b"auditors"]}, GROUPS, None),
    ({"groups": [None, 3, "auditors"]}, GROUPS, "auditor"),
    ({"realm_access": ["auditors"]}, REALM, None),
    ({"realm_access": "auditors"}, REALM, None),
    ({"realm_access": None}, REALM, None),
    ({"realm_access": {"roles": {"roles": ["auditors"]}}}, REALM, None),
    ({"groups": ["hushdesk-staff"]}, (), None),
    (None, GROUPS, None),
    (["hushdesk-staff"], GROUPS, None),
    ("groups", GROUPS, None),
    (42, REALM, None),
])
def test_role_from_claims(claims, path, expected):
    assert role_from_claims(claims, path, MAP) == expected


def test_role_from_claims_empty_map():
    assert role_from_claims({"groups": ["hushdesk-staff"]}, GROUPS, ()) is None


def test_map_order_decides_between_matches():
    claims = {"groups": ["/hushdesk-admins", "hushdesk-staff"]}
    assert role_from_claims(claims, GROUPS, parse_role_map("hushdesk-admins=admin hushdesk-staff=staff")) == "admin"
    assert role_from_claims(claims, GROUPS, parse_role_map("hushdesk-staff=staff hushdesk-admins=admin")) == "staff"


@pytest.mark.parametrize("userinfo,claim,expected", [
    ({"email": "alice@example.com", "groups": ["/hushdesk-admins"]}, "email",
     OidcIdentity("alice@example.com", "admin")),
    ({"preferred_username": "bob.b-1_x", "groups": ["other"]}, "preferred_username",
     OidcIdentity("bob.b-1_x", None)),
    ({"preferred_username": "a" * 64}, "preferred_username", OidcIdentity("a" * 64, None)),
    ({"preferred_username": "a" * 65}, "preferred_username", None),
    ({"preferred_username": ""}, "preferred_username", None),
    ({"preferred_username": "alice smith"}, "preferred_username", None),
    ({"preferred_username": "alice\n"}, "preferred_username", None),
    ({"preferred_username": "al/ice"}, "preferred_username", None),
    ({"preferred_username": "ålice"}, "preferred_username", None),
    ({"preferred_username": 12}, "preferred_username", None),
    ({"preferred_username": ["alice"]}, "preferred_username", None),
    ({"email": "alice@example.com"}, "preferred_username", None),
    (None, "email", None),
    ("alice", "email", None),
    ([("email", "alice@example.com")], "email", None),
])
def test_identity_from_userinfo(userinfo, claim, expected):
    assert identity_from_userinfo(userinfo, identifier_claim=claim, claim_path=GROUPS, role_map=MAP) == expected


def test_identity_with_nested_roles_claim():
    userinfo = {"email": "carol@example.com", "realm_access": {"roles": ["auditors", "hushdesk-staff"]}}
    identity = identity_from_userinfo(userinfo, identifier_claim="email",
                                      claim_path=parse_claim_path("realm_access.roles"), role_map=MAP)
    assert identity == OidcIdentity("carol@example.com", "staff")


@pytest.mark.parametrize("claims, path, expected", [
    ({"groups": ["/support", "billing", "/support"]}, ("groups",), ("billing", "support")),
    ({"realm_access": {"roles": ["a", "b"]}}, ("realm_access", "roles"), ("a", "b")),
    ({"groups": "x, y z"}, ("groups",), ("x", "y", "z")),
    ({"groups": [1, None, {"a": 1}, "ok"]}, ("groups",), ("ok",)),
    ({"groups": ["bad\tname", "x" * 129, "fine"]}, ("groups",), ("fine",)),
    ({"groups": None}, ("groups",), ()),
    ("not a mapping", ("groups",), ()),
    ({"realm_access": "flat"}, ("realm_access", "roles"), ()),
])
def test_the_groups_a_sign_in_carries(claims, path, expected) -> None:
    assert groups_from_claims(claims, path) == expected


def test_the_groups_a_sign_in_carries_are_bounded() -> None:
    assert len(groups_from_claims({"groups": [f"g{i}" for i in range(500)]}, ("groups",))) == 64
