"""The OIDC stand-in is a working provider for exactly what Chainlit 2.12's OAuth clients send.

Chainlit (oauth_providers.py, server.py): authorize redirect with client_id, redirect_uri, state,
scope and response_type=code (no PKCE, no nonce); token request as a form POST with client_id and
client_secret in the body; userinfo GET with `Authorization: Bearer`. No chainlit here.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import parse_qs, urljoin, urlsplit

import httpx
import pytest

from tests.support.oidc_provider import OidcProvider, OidcProviderUnavailable

REDIRECT_URI = "http://127.0.0.1:8000/auth/oauth/keycloak/callback"
GENERIC_REDIRECT_URI = "http://127.0.0.1:8000/auth/oauth/generic/callback"
USERS = {
    "alice": {"password": "alice-password-1", "email": "alice@example.com", "email_verified": True,
              "preferred_username": "alice", "groups": ["/hushdesk-admins", "/other"],
              "realm_access": {"roles": ["auditors"]}},
    "bob": {"password": "bob-password-22", "email": "bob@example.com", "preferred_username": "bob",
            "groups": ["hushdesk-staff"]},
}


@pytest.fixture(scope="module")
def provider(tmp_path_factory):
    try:
        p = OidcProvider(tmp_path_factory.mktemp("oidc"), [REDIRECT_URI, GENERIC_REDIRECT_URI], USERS)
    except OidcProviderUnavailable as e:
        pytest.fail(str(e))
    yield p
    p.stop()


def _login(provider: OidcProvider, client: httpx.Client, login: str, password: str, *,
           scope: str = "profile email openid", redirect_uri: str = REDIRECT_URI) -> httpx.Response:
    """Start as Chainlit's /auth/oauth/{id} redirect does, submit the login form; the last response."""
    state = secrets.token_urlsafe(24)
    params = {"client_id": provider.client_id, "redirect_uri": redirect_uri, "state": state,
              "scope": scope, "response_type": "code"}
    page = client.get(provider.auth_url, params=params, follow_redirects=True)
    assert page.status_code == 200, page.text
    assert 'name="login"' in page.text and 'name="password"' in page.text
    assert "http" not in page.text.split("<form", 1)[0].replace(provider.client_id, "")  # no external resources
    action = re.search(r'<form method="post" action="([^"]+)"', page.text).group(1)
    response = client.post(urljoin(str(page.url), action), data={"login": login, "password": password})
    # Follow redirects inside the provider only; stop at the application's callback.
    while response.is_redirect:
        location = urljoin(str(response.url), response.headers["location"])
        if location.startswith(redirect_uri):
            query = parse_qs(urlsplit(location).query)
            assert query["state"] == [state]
            return response
        response = client.get(location)
    return response


def _code(response: httpx.Response) -> str:
    location = response.headers["location"]
    return parse_qs(urlsplit(location).query)["code"][0]


def _token(provider: OidcProvider, code: str, *, secret: str | None = None,
           redirect_uri: str = REDIRECT_URI) -> httpx.Response:
    """The token request exactly as Chainlit's Keycloak and generic providers send it."""
    payload = {"client_id": provider.client_id,
               "client_secret": provider.client_secret if secret is None else secret,
               "code": code, "grant_type": "authorization_code", "redirect_uri": redirect_uri}
    return httpx.post(provider.token_url, data=payload)


def test_discovery_uses_keycloak_layout(provider):
    meta = httpx.get(provider.discovery_url).json()
    assert meta["issuer"] == provider.issuer == f"{provider.base_url}/realms/hushdesk"
    assert meta["authorization_endpoint"] == provider.auth_url
    assert meta["token_endpoint"] == provider.token_url
    assert meta["userinfo_endpoint"] == provider.userinfo_url
    assert "client_secret_post" in meta["token_endpoint_auth_methods_supported"]


@pytest.mark.parametrize("scope,redirect_uri", [
    ("profile email openid", REDIRECT_URI),          # Chainlit's Keycloak provider
    ("openid profile email", GENERIC_REDIRECT_URI),  # generic provider with OAUTH_GENERIC_SCOPES
])
def test_authorization_code_flow_as_chainlit_does_it(provider, scope, redirect_uri):
    with httpx.Client() as client:
        callback = _login(provider, client, "alice", USERS["alice"]["password"], scope=scope,
                          redirect_uri=redirect_uri)
    assert callback.is_redirect
    token = _token(provider, _code(callback), redirect_uri=redirect_uri)
    assert token.status_code == 200, token.text
    body = token.json()
    assert body["token_type"].lower() == "bearer" and body["access_token"]
    info = httpx.get(provider.userinfo_url, headers={"Authorization": f"Bearer {body['access_token']}"})
    assert info.status_code == 200, info.text
    claims = info.json()
    assert claims["sub"] == "alice"
    assert claims["email"] == "alice@example.com"
    assert claims["preferred_username"] == "alice"
    assert claims["groups"] == ["/hushdesk-admins", "/other"]
    assert claims["realm_access"] == {"roles": ["auditors"]}
    assert "password" not in claims


def test_second_user_and_code_is_single_use(provider):
    with httpx.Client() as client:
        callback = _login(provider, client, "bob", USERS["bob"]["password"])
    code = _code(callback)
    first = _token(provider, code)
    assert first.status_code == 200, first.text
    info = httpx.get(provider.userinfo_url, headers={"Authorization": f"Bearer {first.json()['access_token']}"})
    assert info.json()["email"] == "bob@example.com" and info.json()["groups"] == ["hushdesk-staff"]
    assert _token(provider, code).status_code == 400


@pytest.mark.parametrize("login,password", [
    ("alice", "wrong-password"),
    ("alice", ""),
    ("mallory", "anything-at-all"),
    ("alice", USERS["bob"]["password"]),
])
def test_wrong_password_is_refused(provider, login, password):
    with httpx.Client() as client:
        response = _login(provider, client, login, password)
    assert response.status_code == 401
    assert not response.is_redirect
    assert "Invalid username or password" in response.text


def test_wrong_client_secret_is_refused_at_token_endpoint(provider):
    with httpx.Client() as client:
        callback = _login(provider, client, "alice", USERS["alice"]["password"])
    refused = _token(provider, _code(callback), secret="not-the-secret")
    assert refused.status_code == 401
    assert refused.json()["error"] == "invalid_client"


def test_unregistered_redirect_uri_is_refused(provider):
    params = {"client_id": provider.client_id, "redirect_uri": "http://127.0.0.1:9/evil/callback",
              "state": "s", "scope": "openid", "response_type": "code"}
    response = httpx.get(provider.auth_url, params=params)
    assert response.status_code == 400
    assert "location" not in response.headers


def test_userinfo_refuses_bad_token(provider):
    response = httpx.get(provider.userinfo_url, headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401
