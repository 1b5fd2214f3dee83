"""What an OAuth/OIDC sign-in turns into: role mapping, auto-provisioning off and on, disabled users.

The claims are given as Chainlit hands them to the callback (the provider is exercised for real in
tests/browser/test_browser_oidc.py); the store and audit trail are real.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from services.ops.bootstrap import ensure_initialised
from services.config import load_settings
from services.runtime import Runtime
from services.auth.users import UserStore
from tests.support.process import free_port

MAP = "hushdesk-admins=admin,hushdesk-staff=staff"


def run(tmp_path: Path, provision: bool, scenario):
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data"), "HUSHDESK_ENGINE": "external",
                              "HUSHDESK_ENGINE_URL": f"http://127.0.0.1:{free_port()}/v1",
                              "HUSHDESK_OIDC_ROLE_MAP": MAP, "HUSHDESK_OIDC_ROLE_CLAIM": "realm_access.roles",
                              "HUSHDESK_OIDC_AUTO_PROVISION": str(provision).lower()}, dotenv=False)
    _, engine, _ = ensure_initialised(settings)
    UserStore(engine).provision("known@example.com", "staff", "keycloak")
    UserStore(engine).provision("gone@example.com", "staff", "keycloak")
    UserStore(engine).disable("gone@example.com")
    UserStore(engine).add("local@example.com", "admin", "a long enough password")

    async def main():
        runtime = Runtime.open(settings)
        runtime.audit.start()
        try:
            return await scenario(runtime), runtime.audit.tail(20), runtime.users.list()
        finally:
            runtime.audit.close()

    return asyncio.run(main())


def claims(*roles: str) -> dict:
    return {"email": "x", "realm_access": {"roles": list(roles)}}


def test_unknown_users_are_refused_without_auto_provisioning(tmp_path: Path) -> None:
    async def scenario(rt: Runtime):
        return [await rt.signin.oauth_login("keycloak", "new@example.com", claims("hushdesk-staff")),
                await rt.signin.oauth_login("keycloak", "known@example.com", claims("hushdesk-admins")),
                await rt.signin.oauth_login("keycloak", "known@example.com", claims()),
                await rt.signin.oauth_login("keycloak", "gone@example.com", claims("hushdesk-staff")),
                await rt.signin.oauth_login("keycloak", "bad name!", claims("hushdesk-staff")),
                await rt.signin.oauth_login("keycloak", None, "not even a dict"),
                await rt.signin.oauth_login("keycloak", "local@example.com", claims("hushdesk-admins")),
                await rt.signin.oauth_login("generic", "known@example.com", claims("hushdesk-staff")),
                await rt.signin.oauth_login("keycloak", "known@example.com",
                                     {**claims("hushdesk-staff"), "email_verified": False})]

    results, rows, users = run(tmp_path, False, scenario)
    assert results[0] is None
    assert results[1].role == "admin"  # the provider's groups decide, and the account follows
    assert results[2].role == "admin"  # no mapped group: the account's own role
    assert results[3:] == [None] * 6
    assert "new@example.com" not in [u.name for u in users]
    assert {u.name: u.role for u in users}["local@example.com"] == "admin"  # never taken over
    outcomes = [r["outcome"] for r in rows if r["kind"] in ("login", "login_failed")]
    assert outcomes == ["oauth_unknown_user", "oauth", "oauth", "disabled", "oauth_bad_identity",
                        "oauth_bad_identity", "oauth_other_account", "oauth_other_account",
                        "oauth_unverified"]


def test_auto_provisioning_creates_mapped_users_only(tmp_path: Path) -> None:
    async def scenario(rt: Runtime):
        return [await rt.signin.oauth_login("generic", "new@example.com", claims("hushdesk-staff")),
                await rt.signin.oauth_login("generic", "nobody@example.com", claims("other-group")),
                await rt.signin.login("new@example.com", "!"), await rt.signin.login("new@example.com", "")]

    results, rows, users = run(tmp_path, True, scenario)
    assert results[0].role == "staff" and results[1:] == [None, None, None]
    made = {u.name: u for u in users}
    assert made["new@example.com"].source == "generic" and "nobody@example.com" not in made
    # A provisioned account has no password: a password sign-in never works for it (results[2:]).
