"""Sessions, revocation, login abuse, roles, consent and language in a real browser against the real app.

Debian Chromium driven by Playwright, `chainlit run app.py` with short limits set through the
settings, the fake engine process (it records what it received, so "no engine call" is checked).
A Python socket.io client speaks Chainlit's websocket protocol where a test must send a message
after a session ended (a browser page is sent to the login page first, by design).
"""

from __future__ import annotations

import asyncio
import json
import time
from urllib.parse import urlsplit

import httpx
import pytest
import socketio

from tests.support.app import STAFF, STAFF_PASSWORD, App
from tests.support.browser import accept_consent, close_context, fresh_page, login
from tests.support.engine import FakeEngine
from tests.support.sockets import Socket, audit_rows, give_consent, http_login, run_async, token_of, wait_for

pytestmark = pytest.mark.browser

IDLE, MAX = 5, 16
AUDITOR, AUDITOR_PASSWORD = "ivy.audit", "ledger lantern orchard"
CLERK2, CLERK2_PASSWORD = "bo.clerk", "quiet river pebble mosaic"
LOCKY, LOCKY_PASSWORD = "locky", "marble falcon teapot drift"


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    """An app whose sessions end after 5 s idle or 16 s in all."""
    tmp = tmp_path_factory.mktemp("short")
    engine = FakeEngine(tmp, delay=0.01)
    app = App(tmp, engine, HUSHDESK_SESSION_IDLE_SECONDS=str(IDLE), HUSHDESK_SESSION_MAX_SECONDS=str(MAX))
    yield app, engine
    app.stop()
    engine.stop()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """An app with ordinary session limits and a quick lockout, with staff, auditor and admin users."""
    tmp = tmp_path_factory.mktemp("roles")
    engine = FakeEngine(tmp, delay=0.01)
    app = App(tmp, engine, users=((AUDITOR, "auditor", AUDITOR_PASSWORD), (CLERK2, "staff", CLERK2_PASSWORD),
                                  (LOCKY, "staff", LOCKY_PASSWORD)),
              HUSHDESK_LOGIN_FREE_ATTEMPTS="2", HUSHDESK_LOGIN_BACKOFF_MAX_SECONDS="1",
              HUSHDESK_LOGIN_LOCKOUT_ATTEMPTS="4", HUSHDESK_LOGIN_ADDRESS_FREE_ATTEMPTS="1000")
    yield app, engine
    app.stop()
    engine.stop()


def get(app: App, path: str, token: str | None = None, bearer: bool = False) -> httpx.Response:
    headers = {}
    if token and bearer:
        headers["Authorization"] = f"Bearer {token}"
    cookies = {"access_token": token} if token and not bearer else None
    return httpx.get(app.url + path, headers=headers, cookies=cookies, timeout=30)


# Timeouts --------------------------------------------------------------------------------------


def test_idle_session_lands_on_the_login_page_saying_why(short, browser):
    app, _ = short
    page = fresh_page(browser)
    context = page.context
    login(page, app.url, STAFF, STAFF_PASSWORD)
    page.wait_for_selector("#chat-input")
    accept_consent(page)
    cookie = next(c["value"] for c in context.cookies() if c["name"] == "access_token")
    started = time.monotonic()
    page.wait_for_url("**/login?error=sessionIdle", timeout=(IDLE + 6) * 1000)
    assert time.monotonic() - started >= IDLE - 1
    page.wait_for_function("() => document.body.innerText.includes('inactivity')")
    assert "未操作" in page.inner_text("body")
    assert get(app, "/user", cookie).status_code == 401
    assert get(app, "/user", cookie).json() == {"detail": "sessionIdle"}
    assert [r["outcome"] for r in audit_rows(app) if r["kind"] == "session_end"][-1] == "idle"
    close_context(context)


def test_a_message_after_the_idle_limit_is_refused_without_an_engine_call(short):
    app, engine = short
    give_consent(app, STAFF)
    token = token_of(http_login(app, STAFF, STAFF_PASSWORD))

    async def scenario():
        sock = Socket(app, token)
        await sock.connect()
        before = len(engine.requests())
        await sock.say("hello there")
        assert await wait_for(lambda: len(engine.requests()) == before + 1)
        turns = sum(r["kind"] == "turn" for r in audit_rows(app))
        await asyncio.sleep(IDLE + 0.2)
        if sock.client.connected:  # the watchdog may already have closed it (within a second)
            await sock.say("are you still there")
        await asyncio.sleep(1.5)
        assert not sock.client.connected
        assert len(engine.requests()) == before + 1
        assert sum(r["kind"] == "turn" for r in audit_rows(app)) == turns
        again = Socket(app, token)
        with pytest.raises(socketio.exceptions.ConnectionError):
            await again.connect()

    run_async(scenario)


def test_the_absolute_limit_holds_however_active_and_jwt_refresh_cannot_extend_it(short):
    app, _ = short
    response = http_login(app, STAFF, STAFF_PASSWORD)
    token = token_of(response)
    assert f"Max-Age={MAX}" in response.headers["set-cookie"]
    started = time.monotonic()
    refreshed = None
    while time.monotonic() - started < MAX - 1.5:
        assert get(app, "/user", token).status_code == 200  # active all along
        if refreshed is None and time.monotonic() - started > MAX / 2:
            r = httpx.post(app.url + "/auth/jwt", headers={"Authorization": f"Bearer {token}", "Origin": app.url})
            assert r.status_code == 200
            refreshed = r.cookies["access_token"]
            assert refreshed != token
        time.sleep(1.0)
    time.sleep(2.0)
    assert get(app, "/user", token).json() == {"detail": "sessionExpired"}
    assert get(app, "/user", refreshed).status_code == 401
    r = httpx.post(app.url + "/auth/jwt", headers={"Authorization": f"Bearer {refreshed}", "Origin": app.url})
    assert r.status_code == 401


# Revocation ------------------------------------------------------------------------------------


def test_logout_revokes_the_cookie_and_bearer_token(site, browser):
    app, _ = site
    page = fresh_page(browser)
    context = page.context
    login(page, app.url, CLERK2, CLERK2_PASSWORD)
    page.wait_for_selector("#chat-input")
    cookie = next(c for c in context.cookies() if c["name"] == "access_token")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    token = cookie["value"]
    assert get(app, "/user", token).status_code == 200
    page.click("#user-nav-button")
    page.get_by_role("menuitem", name="Logout").click()
    page.wait_for_url("**/login")
    assert get(app, "/user", token).status_code == 401
    assert get(app, "/user", token, bearer=True).status_code == 401
    r = httpx.post(app.url + "/auth/jwt", headers={"Authorization": f"Bearer {token}", "Origin": app.url})
    assert r.status_code == 401
    close_context(context)


def test_admin_ends_all_sessions_and_every_request_stays_local(site, browser):
    app, _ = site
    staff, admin = fresh_page(browser), fresh_page(browser)
    requested: list[str] = []
    for page in (staff, admin):
        page.on("request", lambda request: requested.append(request.url))
    login(staff, app.url, STAFF, STAFF_PASSWORD)
    staff.wait_for_selector("#chat-input")
    login(admin, app.url, "admin", app.admin_password)
    admin.wait_for_selector("#chat-input")
    admin.wait_for_selector("#hushdesk-admin-link")  # the page's script links admins to their page
    admin.click("#hushdesk-admin-link")
    admin.wait_for_selector("#users")
    assert STAFF in admin.inner_text("#users") and AUDITOR in admin.inner_text("#users")
    assert "clerk: 1" not in admin.inner_text("#live")  # counts by role only, no names
    admin.click("#end-all")
    admin.wait_for_url("**/login?error=sessionRevoked**")
    staff.wait_for_url("**/login?error=sessionRevoked", timeout=20_000)
    staff.wait_for_function("() => document.body.innerText.includes('ended all sessions')")
    hosts = {urlsplit(u).hostname for u in requested if not u.startswith(("data:", "blob:"))}
    assert hosts == {"127.0.0.1"}, sorted(u for u in requested if "127.0.0.1" not in u)
    kinds = [(r["kind"], r["outcome"]) for r in audit_rows(app)]
    assert ("admin_action", "end_all_sessions") in kinds
    close_context(staff.context)
    close_context(admin.context)


def test_disabling_a_user_on_the_admin_page_ends_their_session_at_once(site, browser):
    app, _ = site
    staff, admin = fresh_page(browser), fresh_page(browser)
    login(staff, app.url, CLERK2, CLERK2_PASSWORD)
    staff.wait_for_selector("#chat-input")
    login(admin, app.url, "admin", app.admin_password)
    admin.wait_for_selector("#chat-input")
    admin.goto(app.url + "/hushdesk/admin")
    row = admin.locator("#users tr", has_text=CLERK2)
    row.get_by_role("button", name="disable").click()
    admin.wait_for_selector("#notice")
    assert "disabled" in admin.locator("#users tr", has_text=CLERK2).inner_text()
    staff.wait_for_url("**/login?error=sessionRevoked", timeout=20_000)
    assert http_login(app, CLERK2, CLERK2_PASSWORD).status_code == 401
    admin.locator("#users tr", has_text=CLERK2).get_by_role("button", name="enable").click()
    admin.wait_for_selector("#notice")
    assert http_login(app, CLERK2, CLERK2_PASSWORD).status_code == 200
    close_context(staff.context)
    close_context(admin.context)


# Roles -----------------------------------------------------------------------------------------


def test_roles_are_checked_on_every_route(site, browser):
    app, _ = site
    staff = token_of(http_login(app, CLERK2, CLERK2_PASSWORD))
    auditor = token_of(http_login(app, AUDITOR, AUDITOR_PASSWORD))
    admin = token_of(http_login(app, "admin", app.admin_password))
    for path in ("/hushdesk/admin", "/hushdesk/audit", "/hushdesk/audit/export"):
        assert get(app, path, staff).status_code == 403, path
    assert get(app, "/hushdesk/audit", admin).status_code == 403  # auditing is the auditors' duty
    assert get(app, "/hushdesk/admin", auditor).status_code == 403
    assert get(app, "/hushdesk/admin", admin).status_code == 200
    # Staff cannot act as admin even with a well-formed form.
    r = httpx.post(app.url + "/hushdesk/admin/end-all", cookies={"access_token": staff},
                   headers={"Origin": app.url}, data={"csrf": "x"})
    assert r.status_code == 403
    # An admin's form without its token, or from another origin, is refused.
    r = httpx.post(app.url + "/hushdesk/admin/end-all", cookies={"access_token": admin},
                   headers={"Origin": app.url}, data={"csrf": "forged"})
    assert r.status_code == 403
    # Auditors never reach chat: Chainlit's chat routes and the websocket refuse them.
    assert httpx.post(app.url + "/project/threads", cookies={"access_token": auditor}, json={},
                      headers={"Origin": app.url}).status_code == 403

    async def auditor_socket():
        with pytest.raises(socketio.exceptions.ConnectionError):
            await Socket(app, auditor).connect()

    run_async(auditor_socket)
    export = get(app, "/hushdesk/audit/export", auditor)
    assert export.status_code == 200 and export.text.strip()
    assert STAFF not in export.text and CLERK2 not in export.text
    bundle = app.dir / "bundle.jsonl"
    bundle.write_bytes(export.content)
    from services.audit.bundle import verify_bundle
    check = verify_bundle(bundle)
    assert check.ok and check.rows > 0, check  # the same signed bundle as the command line's export
    assert get(app, "/hushdesk/audit/export?from=2026-13-01", auditor).status_code == 400
    # In the browser an auditor lands on the audit page, which verifies the chain.
    page = fresh_page(browser)
    context = page.context
    login(page, app.url, AUDITOR, AUDITOR_PASSWORD)
    page.wait_for_url("**/hushdesk/audit")
    assert "Chain verified" in page.inner_text("#verify")
    page.click("#signout")
    page.wait_for_url("**/login")
    assert get(app, "/hushdesk/audit", auditor).status_code == 200  # only that browser's session ended
    close_context(context)


# Login abuse -----------------------------------------------------------------------------------


def test_backoff_then_lockout_then_admin_unlock(site, browser):
    app, _ = site
    page = fresh_page(browser)
    context = page.context
    statuses = []
    for _ in range(3):
        statuses.append(http_login(app, LOCKY, "not the right one at all").status_code)
    assert statuses == [401, 401, 429]  # the third comes too soon after two failures
    time.sleep(1.2)
    login(page, app.url, LOCKY, "still not the right one")
    page.wait_for_function("() => document.body.innerText.includes('not correct')")
    time.sleep(1.2)
    assert http_login(app, LOCKY, "nor is this one, sorry").status_code == 401  # the fourth: locked
    time.sleep(1.2)
    login(page, app.url, LOCKY, LOCKY_PASSWORD)  # right password, locked account
    page.wait_for_function("() => document.body.innerText.includes('Too many failed sign-in')")
    assert "/login" in page.url
    out = app.cli("services.auth", "list").stdout
    assert any(line.split()[:3] == [LOCKY, "staff", "locked"] for line in out.splitlines())
    admin = token_of(http_login(app, "admin", app.admin_password))
    admin_page = httpx.get(app.url + "/hushdesk/admin", cookies={"access_token": admin}).text
    csrf = admin_page.split('name="csrf" value="', 1)[1].split('"', 1)[0]
    r = httpx.post(app.url + "/hushdesk/admin/users", cookies={"access_token": admin}, headers={"Origin": app.url},
                   data={"csrf": csrf, "action": "unlock", "name": LOCKY})
    assert r.status_code == 303
    login(page, app.url, LOCKY, LOCKY_PASSWORD)
    page.wait_for_selector("#chat-input")
    rows = audit_rows(app)
    outcomes = [(r["kind"], r["outcome"]) for r in rows]
    assert ("account_locked", "locked") in outcomes and ("login_refused", "throttled") in outcomes
    assert ("admin_action", "unlock") in outcomes
    assert all(LOCKY not in json.dumps(r) for r in rows)
    close_context(context)


# Consent, clearing, language -------------------------------------------------------------------


def test_consent_first_then_chat_and_clear_wipes_screen_and_vault(site, browser):
    app, engine = site
    page = fresh_page(browser)
    context = page.context
    login(page, app.url, CLERK2, CLERK2_PASSWORD)
    page.wait_for_selector("#chat-input")
    page.wait_for_function("() => document.body.innerText.includes('Before you start')")
    before = len(engine.requests())
    page.fill("#chat-input", "hello before accepting")
    page.click("#chat-submit")
    page.wait_for_function("() => document.body.innerText.includes('Please accept the notice')")
    assert len(engine.requests()) == before  # nothing reached the engine
    accept_consent(page)
    page.fill("#chat-input", "客户手机13812345678")
    page.click("#chat-submit")
    page.wait_for_function("() => document.querySelectorAll('[data-step-type=assistant_message]').length >= 3")
    page.get_by_role("button", name="Clear my conversation").last.click()
    page.wait_for_function("() => document.body.innerText.includes('have been cleared')")
    assert "13812345678" not in page.inner_text("body")
    # The vault is gone: the old placeholder is no longer turned back into the number.
    page.fill("#chat-input", "what is on file [[ph]]")  # the model writes [PHONE_1]
    page.click("#chat-submit")
    page.wait_for_function("() => document.body.innerText.includes('PHONE_1')")
    page.wait_for_timeout(500)
    assert "13812345678" not in page.inner_text("body")
    assert ("consent", "accepted") in [(r["kind"], r["outcome"]) for r in audit_rows(app)]
    close_context(context)
    # The next sign-in does not ask again.
    page = fresh_page(browser)
    context = page.context
    login(page, app.url, CLERK2, CLERK2_PASSWORD)
    page.wait_for_selector("#chat-input")
    page.wait_for_timeout(1500)
    assert "Before you start" not in page.inner_text("body")
    close_context(context)


def test_chinese_browser_gets_chinese_pages_and_messages(site, browser):
    app, _ = site
    page = fresh_page(browser, locale="zh-CN", extra_http_headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    context = page.context
    page.goto(app.url + "/login")
    page.wait_for_function("() => document.body.innerText.includes('登录')")
    body = page.inner_text("body")
    assert "从不离开本服务器" in body  # the privacy promise
    login(page, app.url, AUDITOR, "wrong password for sure")
    page.wait_for_function("() => /[\\u4e00-\\u9fff]/.test(document.querySelector('[role=alert]')?.innerText || '')")
    close_context(context)


def test_admin_forms_add_users_under_the_password_policy_and_keep_names_out_of_urls(site):
    app, _ = site
    admin = token_of(http_login(app, "admin", app.admin_password))
    jar = {"access_token": admin}
    page = httpx.get(app.url + "/hushdesk/admin", cookies=jar).text
    csrf = page.split('name="csrf" value="', 1)[1].split('"', 1)[0]

    def post(path: str, **data: str) -> httpx.Response:
        return httpx.post(app.url + path, cookies=jar, headers={"Origin": "null"}, data=data)

    weak = post("/hushdesk/admin/users", csrf=csrf, action="add", name="newbie", role="staff", password="password2024!")
    assert weak.status_code == 303 and weak.headers["location"] == "/hushdesk/admin?done=weak"
    made = post("/hushdesk/admin/users", csrf=csrf, action="add", name="newbie", role="staff",
                password="violet harbour lantern")
    assert made.headers["location"] == "/hushdesk/admin?done=add"
    listing = httpx.get(app.url + "/hushdesk/admin?done=add", cookies=jar).text
    assert "newbie" in listing and "User created" in listing
    assert "evil" not in httpx.get(app.url + "/hushdesk/admin?done=evil+text", cookies=jar).text
    assert post("/hushdesk/logout").status_code == 403  # no form token
    assert post("/hushdesk/logout", csrf=csrf).status_code == 303
    assert get(app, "/hushdesk/admin", admin).status_code == 401
