"""OAuth/OIDC sign-in in a real browser through Chainlit's Keycloak and generic providers.

The identity provider is real: panva's oidc-provider (certified OpenID Connect) on Node, started by
tests/support/oidc_provider.py with Keycloak's endpoint layout. What it cannot stand in for: Keycloak's own
admin features (realms, group management, token exchange); only the protocol Chainlit speaks is
exercised: authorization code, client_secret_post at the token endpoint, userinfo with groups.
"""

from __future__ import annotations

import json

import pytest

from tests.support.app import App
from tests.support.browser import close_context, fresh_page
from tests.support.engine import FakeEngine
from tests.support.oidc_provider import OidcProvider, OidcProviderUnavailable
from tests.support.process import free_port

pytestmark = pytest.mark.browser

USERS = {
    "alice": {"password": "alice-provider-pass", "email": "alice@example.com", "preferred_username": "alice",
              "groups": ["/hushdesk-admins", "/hushdesk-staff"]},
    "sam": {"password": "sam-provider-pass", "email": "sam@example.com", "preferred_username": "sam",
            "groups": ["/hushdesk-staff"]},
    "ivy": {"password": "ivy-provider-pass", "email": "ivy@example.com", "preferred_username": "ivy",
            "groups": ["hushdesk-auditors"]},
    "mallory": {"password": "mallory-provider-pass", "email": "mallory@example.com",
                "preferred_username": "mallory", "groups": ["/everyone"]},
}


@pytest.fixture(scope="module")
def oidc_site(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("oidc")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    try:
        provider = OidcProvider(tmp, [f"{base}/auth/oauth/keycloak/callback", f"{base}/auth/oauth/generic/callback"],
                                USERS)
    except OidcProviderUnavailable as exc:
        pytest.fail(str(exc))
    engine = FakeEngine(tmp, delay=0.01)
    app = App(tmp, engine, port=port,
              OAUTH_KEYCLOAK_CLIENT_ID=provider.client_id, OAUTH_KEYCLOAK_CLIENT_SECRET=provider.client_secret,
              OAUTH_KEYCLOAK_REALM=provider.realm, OAUTH_KEYCLOAK_BASE_URL=provider.base_url,
              OAUTH_GENERIC_CLIENT_ID=provider.client_id, OAUTH_GENERIC_CLIENT_SECRET=provider.client_secret,
              OAUTH_GENERIC_AUTH_URL=provider.auth_url, OAUTH_GENERIC_TOKEN_URL=provider.token_url,
              OAUTH_GENERIC_USER_INFO_URL=provider.userinfo_url, OAUTH_GENERIC_SCOPES="openid profile email",
              OAUTH_GENERIC_USER_IDENTIFIER="preferred_username",
              HUSHDESK_OIDC_ROLE_MAP="hushdesk-admins=admin,hushdesk-auditors=auditor,hushdesk-staff=staff",
              HUSHDESK_OIDC_AUTO_PROVISION="true", HUSHDESK_PUBLIC_URL=base)
    yield app, provider
    app.stop()
    engine.stop()
    provider.stop()


def sign_in(browser, app, provider_label: str, login: str):
    page = fresh_page(browser)
    context = page.context
    page.goto(app.url + "/login")
    page.get_by_role("button", name=provider_label).click()
    page.wait_for_selector("input[name=login]")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", USERS[login]["password"])
    page.locator("button[type=submit], input[type=submit]").first.click()
    return context, page


def session(page) -> dict:
    return page.evaluate("() => fetch('/hushdesk/session').then(r => r.json())")


def test_keycloak_groups_map_to_admin_and_the_user_is_provisioned(oidc_site, browser):
    app, _ = oidc_site
    context, page = sign_in(browser, app, "Continue with Keycloak", "alice")
    page.wait_for_selector("#chat-input")
    info = session(page)
    assert info["role"] == "admin" and info["state"] == "active"  # first matching pair in the map wins
    out = app.cli("services.auth", "list").stdout
    assert any(line.split()[:4] == ["alice@example.com", "admin", "enabled", "keycloak"] for line in out.splitlines())
    rows = [json.loads(r) for r in app.cli("services.audit", "tail", "-n", "50", "--json").stdout.splitlines()]
    assert ("login", "oauth") in [(r["kind"], r["outcome"]) for r in rows]
    close_context(context)


def test_generic_provider_staff_and_auditor(oidc_site, browser):
    app, _ = oidc_site
    context, page = sign_in(browser, app, "Continue with Generic", "sam")
    page.wait_for_selector("#chat-input")
    assert session(page)["role"] == "staff"
    close_context(context)
    context, page = sign_in(browser, app, "Continue with Generic", "ivy")
    page.wait_for_url("**/hushdesk/audit")
    assert session(page)["role"] == "auditor"
    close_context(context)


def test_a_user_whose_groups_map_to_no_role_is_refused(oidc_site, browser):
    app, _ = oidc_site
    context, page = sign_in(browser, app, "Continue with Keycloak", "mallory")
    page.wait_for_url("**/login?**error=**")
    assert page.evaluate("() => fetch('/hushdesk/session').then(r => r.status)") == 401
    out = app.cli("services.auth", "list").stdout
    assert "mallory" not in out
    rows = [json.loads(r) for r in app.cli("services.audit", "tail", "-n", "50", "--json").stdout.splitlines()]
    assert ("login_failed", "oauth_unknown_user") in [(r["kind"], r["outcome"]) for r in rows]
    close_context(context)
