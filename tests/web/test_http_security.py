"""The security middleware on a tiny ASGI app (the real app is checked in tests/browser/test_browser.py)."""

from __future__ import annotations

import asyncio
import base64
import hashlib

from services.web.security import SecurityMiddleware, csp_for

PAGE = [b"<html><head><script>const global = globalThis;</script>",
        b"<script src=\"/assets/x.js\"></script></head></html>"]


def make_app(ctype=b"text/html; charset=utf-8", cookies=(b"access_token=abc; Path=/; SameSite=lax",)):
    async def app(scope, receive, send):
        if scope["type"] == "websocket":
            await send({"type": "websocket.accept"})
            return
        headers = [(b"content-type", ctype), (b"cache-control", b"max-age=600")]
        headers += [(b"set-cookie", c) for c in cookies]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        for i, part in enumerate(PAGE):
            await send({"type": "http.response.body", "body": part, "more_body": i < len(PAGE) - 1})
    return app


def call(mw, path="/", headers=(), kind="http"):
    sent = []

    async def receive():
        return {"type": "http.request"}

    async def send(message):
        sent.append(message)

    scope = {"type": kind, "path": path, "headers": [(b"host", b"hushdesk.local:8000"), *headers]}
    asyncio.run(mw(scope, receive, send))
    return sent


def head(sent):
    return {k.decode(): v.decode() for k, v in sent[0]["headers"] if k != b"set-cookie"}


def test_html_gets_a_policy_with_the_hash_of_its_inline_script_only():
    sent = call(SecurityMiddleware(make_app()))
    digest = base64.b64encode(hashlib.sha256(b"const global = globalThis;").digest()).decode()
    h = head(sent)
    assert f"script-src 'self' 'sha256-{digest}';" in h["content-security-policy"]
    assert h["x-frame-options"] == "DENY" and h["cache-control"] == "no-store"
    assert b"".join(m.get("body", b"") for m in sent[1:]) == b"".join(PAGE)  # body intact


def test_static_assets_keep_their_cache_header_and_get_the_plain_policy():
    sent = call(SecurityMiddleware(make_app(ctype=b"text/javascript")), path="/assets/x.js")
    h = head(sent)
    assert h["cache-control"] == "max-age=600"
    assert h["content-security-policy"] == csp_for(None).decode()


def test_cookies_are_httponly_and_secure_when_asked():
    plain = call(SecurityMiddleware(make_app()))[0]["headers"]
    secure = call(SecurityMiddleware(make_app(), secure_cookies=True))[0]["headers"]
    assert dict(plain)[b"set-cookie"].endswith(b"HttpOnly") and b"Secure" not in dict(plain)[b"set-cookie"]
    assert b"; Secure" in dict(secure)[b"set-cookie"]


def test_origins():
    mw = SecurityMiddleware(make_app(), allowed_origins=frozenset({"https://portal.example.com"}))
    assert call(mw, headers=[(b"origin", b"http://hushdesk.local:8000")])[0]["status"] == 200
    assert call(mw, headers=[(b"origin", b"https://portal.example.com")])[0]["status"] == 200
    refused = call(mw, headers=[(b"origin", b"https://evil.example")])
    assert refused[0]["status"] == 403 and len(refused) == 2
    assert call(mw, headers=[(b"origin", b"https://evil.example")], kind="websocket") == [
        {"type": "websocket.close", "code": 1008}]
    assert call(mw, kind="websocket") == [{"type": "websocket.accept"}]


def test_login_cookie_samesite_is_set_and_the_oauth_state_cookie_stays_lax():
    cookies = (b"access_token=abc; Path=/; SameSite=lax", b"oauth_state=xyz; Path=/; SameSite=lax")
    sent = call(SecurityMiddleware(make_app(cookies=cookies), samesite="strict"))
    set_cookies = [v for k, v in sent[0]["headers"] if k == b"set-cookie"]
    assert set_cookies[0].startswith(b"access_token=abc") and b"SameSite=strict" in set_cookies[0]
    assert b"lax" not in set_cookies[0].lower()
    assert b"SameSite=lax" in set_cookies[1]
    lax = call(SecurityMiddleware(make_app(cookies=cookies[:1]), samesite="lax"))
    assert b"SameSite=lax" in dict(lax[0]["headers"])[b"set-cookie"]


def test_null_origin_is_accepted_only_for_our_own_form_routes():
    mw = SecurityMiddleware(make_app())
    assert call(mw, path="/hushdesk/admin/users", headers=[(b"origin", b"null")])[0]["status"] == 200
    assert call(mw, path="/project/action", headers=[(b"origin", b"null")])[0]["status"] == 403
    assert call(mw, path="/hushdesk/admin", headers=[(b"origin", b"null")], kind="websocket") == [
        {"type": "websocket.close", "code": 1008}]


def test_a_gzipped_page_gets_the_hashes_of_its_decompressed_scripts():
    import gzip

    page = b"<html><head><script>const global = globalThis;</script></head></html>"

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"text/html"), (b"content-encoding", b"gzip")]})
        await send({"type": "http.response.body", "body": gzip.compress(page)})

    sent = call(SecurityMiddleware(app))
    digest = base64.b64encode(hashlib.sha256(b"const global = globalThis;").digest()).decode()
    assert f"'sha256-{digest}'" in head(sent)["content-security-policy"]
    assert gzip.decompress(sent[1]["body"]) == page
