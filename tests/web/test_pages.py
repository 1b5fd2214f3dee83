"""The admin, audit and dashboard pages from their templates: one language at a time, escaped, local only.

The real routes (`services.web.routes.routes`) over ASGI; the runtime holds only what the pages use (users
and sessions as plain objects), and the chain's verification is replaced by a fixed verdict.
"""

from __future__ import annotations

import asyncio
import inspect
import re
from datetime import date
from types import SimpleNamespace

import httpx
import pytest
from starlette.applications import Starlette

import services.auth.passwords
import services.auth.users
import services.errors
import services.web.pages
from services.audit.dashboard import BadRange, parse_range
from services.auth.sessions import ACTIVE, Claims, Verdict
from services.auth.users import User
from services.errors import HushdeskError
from services.i18n import MESSAGES, text
from services.keys import hash_id
from services.web.pages import LANG_COOKIE, notice_text
from services.web.routes import routes
from services.web.security import csp_for
from tests.support.html_tags import Tags

CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]")
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'
PEPPER = b"p" * 32
PAGES = {"admin": "/hushdesk/admin", "auditor": "/hushdesk/audit", "dashboard": "/hushdesk/dashboard"}
TITLES = {"/hushdesk/admin": "admin.title", "/hushdesk/audit": "audit.title", "/hushdesk/dashboard": "dash.title"}


class Users:
    """The user store as the admin page and form use it; `fail` is raised by every change."""

    def __init__(self, fail: Exception | None = None) -> None:
        self.fail = fail

    def list(self) -> list[User]:
        return [User(HOSTILE, "staff", False, "2025-01-01T00:00:00Z"),
                User("bo.clerk", "auditor", True, "2025-01-01T00:00:00Z", locked=True, consent_version="v1")]

    def _change(self, *args: object) -> None:
        if self.fail is not None:
            raise self.fail

    add = set_role = disable = enable = unlock = _change

    def get(self, name: str) -> None:
        return None


def make_app(role: str = "admin", users: Users | None = None):
    """hushdesk's routes on a minimal runtime, with the session guard's verdict for `role`."""
    async def admin_action(*args: object) -> None:
        return None

    sessions = SimpleNamespace(store=SimpleNamespace(open_count=lambda *a: {"staff": 3}), max=3600, idle=600,
                               end_user=lambda *a: None, end_all=lambda *a: 0)
    runtime = SimpleNamespace(settings=SimpleNamespace(dashboard_min_group=5), keys=SimpleNamespace(pepper=PEPPER),
                              users=users or Users(), sessions=sessions, audit=SimpleNamespace(engine=None),
                              admin_action=admin_action, signin=SimpleNamespace(admin_action=admin_action))
    inner = Starlette(routes=routes(runtime))  # type: ignore[arg-type]

    async def app(scope, receive, send):
        if scope["type"] == "http":
            scope.setdefault("state", {})["hushdesk_verdict"] = Verdict(ACTIVE, Claims("ada", role, "sid-1", 0.0))
        await inner(scope, receive, send)

    return app


@pytest.fixture(autouse=True)
def verified(monkeypatch: pytest.MonkeyPatch) -> None:
    # The pages call the trail's full verification (signer, mirror, pinned key); here it is a stand-in,
    # as these tests are about rendering. tests/audit/test_audit_page.py runs the real one.
    monkeypatch.setattr(services.web.pages, "verify_trail",
                        lambda *a: SimpleNamespace(ok=True, describe=lambda: "ok (3 rows, 1 signed checkpoint)"))


def request(app, method: str, path: str, **kwargs) -> httpx.Response:
    async def go() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://hushdesk") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


def get(path: str, role: str = "admin", lang: str | None = None, **kwargs) -> httpx.Response:
    headers = {"Accept-Language": lang} if lang else {}
    response = request(make_app(role), "GET", path, headers=headers, **kwargs)
    assert response.status_code == 200, response.text
    return response


def visible(html: str) -> str:
    """The page's text without tags, and without the language switch (named in the other language)."""
    html = re.sub(r'<a id="lang-switch".*?</a>', "", html, flags=re.S)
    html = re.sub(r'<ul id="dashboard-text".*?</ul>', "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


ALL = [(role, path) for role, path in PAGES.items() if role != "dashboard"] + [
    ("admin", "/hushdesk/dashboard"), ("auditor", "/hushdesk/dashboard")]


@pytest.mark.parametrize(("role", "path"), ALL)
def test_each_page_in_english_or_chinese_from_accept_language(role: str, path: str) -> None:
    en = get(path, role, "en-US,en;q=0.9").text
    assert '<html lang="en">' in en and text(TITLES[path], "en") in en
    assert not CJK.search(visible(en)), CJK.findall(visible(en))
    assert ">中文</a>" in en and f'href="{path}?' in en  # the switch, named in its own language
    zh = get(path, role, "zh-CN,zh;q=0.9,en;q=0.8").text
    assert '<html lang="zh-CN">' in zh and text(TITLES[path], "zh-CN") in zh
    assert text(TITLES[path], "en") not in zh and "Sign out" not in zh and text("page.signout", "zh-CN") in zh
    assert ">English</a>" in zh
    assert '<html lang="en">' in get(path, role).text  # no header: English


@pytest.mark.parametrize(("role", "path"), ALL)
def test_the_language_switch_wins_over_the_browser_and_is_remembered(role: str, path: str) -> None:
    chosen = get(path + "?lang=zh-CN", role, "en")
    assert '<html lang="zh-CN">' in chosen.text
    cookie = chosen.headers["set-cookie"]
    assert cookie.startswith(f"{LANG_COOKIE}=zh-CN;") and "Path=/hushdesk" in cookie and "HttpOnly" in cookie
    again = get(path, role, "en", cookies={LANG_COOKIE: "zh-CN"})
    assert '<html lang="zh-CN">' in again.text and "set-cookie" not in again.headers
    assert '<html lang="en">' in get(path + "?lang=en", role, "zh-CN", cookies={LANG_COOKIE: "zh-CN"}).text
    assert '<html lang="en">' in get(path + "?lang=fr", role, "en", cookies={LANG_COOKIE: "<b>"}).text


def test_the_dashboard_switch_keeps_the_chosen_range_never_raw_input() -> None:
    page = get("/hushdesk/dashboard?from=2025-06-10&to=2025-06-11", "admin", "en").text
    assert 'href="/hushdesk/dashboard?from=2025-06-10&amp;to=2025-06-11&amp;lang=zh-CN"' in page
    bad = get("/hushdesk/dashboard?from=<b>2025</b>", "admin", "zh-CN").text
    assert "<b>2025" not in bad and "&lt;b&gt;2025" not in bad
    assert f'id="range-error" role="alert">{text("notice.badDate", "zh-CN")}</p>' in bad


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_a_hostile_user_name_is_escaped(lang: str) -> None:
    page = get("/hushdesk/admin", "admin", lang).text
    assert HOSTILE not in page and "<img" not in page and "<script>" not in page
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in page
    assert 'name="name" value="&lt;script&gt;' in page


def test_the_stylesheet_is_served_locally_as_css() -> None:
    css = get("/hushdesk/static/pages.css")
    assert css.headers["content-type"].startswith("text/css")
    assert "prefers-color-scheme: dark" in css.text and ":focus-visible" in css.text
    assert "overflow-x: auto" in css.text and "@media (max-width" in css.text
    assert not re.search(r"url\(|@import|//", css.text.replace("/* ", "").replace("*/", ""))


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
@pytest.mark.parametrize(("role", "path"), ALL)
def test_no_external_url_inline_script_or_style_in_any_page(role: str, path: str, lang: str) -> None:
    page = get(path, role, lang).text
    assert not re.search(r"(?:https?:)?//", page), re.findall(r"\S*//\S*", page)
    assert page.count('<link rel="stylesheet" href="/hushdesk/static/pages.css">') == 1
    tags = Tags()
    tags.feed(page)
    assert "style" not in tags.names and not {a for a in tags.attributes if a == "style" or a.startswith("on")}
    assert re.findall(r'<script src="([^"]+)"', page) == (
        ["/hushdesk/static/vendor/chart.umd.min.js", "/hushdesk/static/dashboard.js"] if "dashboard" in path else [])
    assert csp_for(page.encode()) == csp_for(None)  # nothing inline that the policy would have to allow


@pytest.mark.parametrize("lang", ["en", "zh-CN"])
def test_every_input_has_a_label_and_the_page_a_skip_link(lang: str) -> None:
    for role, path in ALL:
        page = get(path, role, lang).text
        assert re.search(r'<a class="skip" href="#main">', page) and '<main id="main"' in page
        for field in re.findall(r"<(?:input|select)\b[^>]*>", page):
            if 'type="hidden"' in field:
                continue
            ident = re.search(r'id="([^"]+)"', field)
            assert ident and f'<label for="{ident.group(1)}">' in page, field


def _notice_classes() -> list[type[HushdeskError]]:
    found = [BadRange]
    for module in (services.errors, services.auth.users, services.auth.passwords):
        for _, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, HushdeskError) and obj.__module__ == module.__name__:
                found.append(obj)
    return found


@pytest.mark.parametrize("cls", _notice_classes(), ids=lambda c: c.__name__)
def test_each_error_class_names_a_notice_with_text_in_both_languages(cls: type[HushdeskError]) -> None:
    code = cls.__dict__.get("notice") or cls.notice
    assert isinstance(code, str) and f"notice.{code}" in MESSAGES, cls.__name__
    assert LATIN.search(notice_text(code, "en")) and CJK.search(notice_text(code, "zh-CN")), cls.__name__


def test_bad_range_instances_carry_their_own_code() -> None:
    for args, code in ((("2025-6-1", None), "badDate"), (("2025-06-02", "2025-06-01"), "badRange"),
                       (("2024-01-01", "2025-06-01"), "rangeTooLong")):
        with pytest.raises(BadRange) as caught:
            parse_range(*args, today=date(2025, 6, 1))
        assert caught.value.notice == caught.value.code == code
        assert CJK.search(notice_text(code, "zh-CN")) and notice_text(code, "en")


@pytest.mark.parametrize(("error", "code"), [
    (services.auth.users.UserExists(), "exists"), (services.auth.users.UnknownUser(), "unknown"),
    (services.auth.users.InvalidUserName(), "invalid"), (services.auth.users.InvalidRole(), "invalid"),
    (services.auth.users.LastAdmin(), "last-admin"), (services.auth.passwords.PasswordCommon(), "weak"),
    (services.auth.passwords.PasswordTooShort(16), "weak"), (services.errors.StoreError(), "failed"),
    (None, "add"),
])
def test_a_form_post_redirects_with_the_error_class_notice_and_the_page_shows_it(error, code) -> None:
    app = make_app(users=Users(fail=error))
    token = hash_id(PEPPER, "csrf", "sid-1")
    posted = request(app, "POST", "/hushdesk/admin/users", headers={"Origin": "null"},
                     data={"csrf": token, "action": "add", "name": "newbie", "role": "staff", "password": "x"})
    assert posted.status_code == 303 and posted.headers["location"] == f"/hushdesk/admin?done={code}"
    for lang in ("en", "zh-CN"):
        page = request(app, "GET", posted.headers["location"], headers={"Accept-Language": lang}).text
        css = "ok" if error is None else "bad"
        assert f'<p class="{css}" id="notice" role="status">{notice_text(code, lang)}</p>' in page


def test_an_unknown_notice_code_shows_nothing() -> None:
    page = get("/hushdesk/admin?done=evil+text", "admin", "en").text
    assert 'id="notice"' not in page and "evil" not in page


def test_roles_are_still_checked_on_the_pages() -> None:
    assert request(make_app("staff"), "GET", "/hushdesk/admin").status_code == 403
    assert request(make_app("admin"), "GET", "/hushdesk/audit").status_code == 403
    assert request(make_app("staff"), "GET", "/hushdesk/dashboard").status_code == 403
