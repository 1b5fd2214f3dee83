"""The admin, audit and dashboard pages: Jinja2 templates (templates/) in one language at a time.

The language is `?lang=` (kept in the `hushdesk_lang` cookie for the pages under /hushdesk), else that
cookie, else the browser's Accept-Language as the chat picks it (`services.i18n.language`). Every
word on a page comes from `services.i18n.MESSAGES`; templates autoescape everything they are given.
Pages load one stylesheet and, for the dashboard, two scripts, all from /hushdesk/static/: no inline
script or style, so the Content-Security-Policy needs nothing more than 'self'.

A notice (`?done=<code>` on the admin page, a dashboard range error) is a fixed code looked up as
"notice.<code>": an admin action's name, or an error's class attribute `notice`.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Mapping
from urllib.parse import urlencode

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from ..audit.dashboard import BadRange, parse_range
from ..audit.trail import verify_trail
from ..auth.sessions import Claims
from ..auth.users import status
from ..errors import HushdeskError
from ..i18n import LANGUAGES, MESSAGES, error_text, language, text
from ..roles import ROLES

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["LANG_COOKIE", "Pages", "notice_text", "page_language"]

LANG_COOKIE = "hushdesk_lang"
_TEMPLATES = Path(__file__).resolve().parent / "templates"
_ENV = jinja2.Environment(loader=jinja2.FileSystemLoader(_TEMPLATES), autoescape=True,
                          undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
templates = Jinja2Templates(env=_ENV)
_DASHBOARD_SCRIPTS = ("/hushdesk/static/vendor/chart.umd.min.js", "/hushdesk/static/dashboard.js")
_DONE = ("add", "disable", "enable", "unlock", "set-role", "end-sessions")  # notices of actions carried out
_CHARTS = ("turns-day", "turns-hour", "users", "tokens", "latency", "ttft", "rates", "redactions")
# The strings dashboard.js draws its tables and charts with, handed over in a hidden list.
_SCRIPT_TEXT = tuple(k for k in MESSAGES if k.startswith("dash.") and not k.startswith("dash.chart.")) + (
    "notice.badDate", "notice.badRange", "notice.rangeTooLong")


def page_language(request: Request) -> str:
    """`?lang=`, else the `hushdesk_lang` cookie, else Accept-Language: "zh-CN" or "en"."""
    for chosen in (request.query_params.get("lang"), request.cookies.get(LANG_COOKIE)):
        if chosen in LANGUAGES:
            return chosen  # type: ignore[return-value]
    return language(request.headers.get("accept-language"))


def notice_text(code: str, lang: str) -> str:
    """The text of a notice code in `lang`; an unknown code (anything typed into a URL) shows nothing."""
    key = "notice." + code
    return text(key, lang) if key in MESSAGES else ""


@dataclass(frozen=True)
class Verification:
    """The audit chain's verification as a page shows it: `css` ok|bad, a label key and a detail."""

    css: str
    label: str
    detail: str


class Pages:
    """The three pages, bound to a runtime; `csrf(claims)` is the form token of a session."""

    def __init__(self, runtime: "Runtime", csrf: Callable[[Claims], str]) -> None:
        self.runtime = runtime
        self.csrf = csrf

    def render(self, request: Request, claims: Claims, name: str, lang: str, keep: Mapping[str, str],
               **context: Any) -> Response:
        """Render template `name` in `lang`; `keep` are the query fields the language switch carries."""
        other = next(x for x in LANGUAGES if x != lang)
        context = {
            "lang": lang, "t": lambda key, **fmt: text(key, lang, **fmt), "role": claims.role,
            "csrf": self.csrf(claims), "other_lang": other, "other_name": text("page.language_name", other),
            "switch_href": request.url.path + "?" + urlencode({**keep, "lang": other}), "scripts": (),
            **context}
        response = templates.TemplateResponse(request, name, context)
        if request.query_params.get("lang") in LANGUAGES:
            response.set_cookie(LANG_COOKIE, lang, max_age=365 * 86400, path="/hushdesk", httponly=True,
                                samesite="lax")
        return response

    async def admin(self, request: Request, claims: Claims) -> Response:
        """Users, their status, live sessions by role; the admin forms."""
        runtime, lang = self.runtime, page_language(request)
        done = request.query_params.get("done", "")
        users = await asyncio.to_thread(runtime.users.list)
        now = time.time()
        live = await asyncio.to_thread(runtime.sessions.store.open_count, now - runtime.sessions.max,
                                       now - runtime.sessions.idle)
        rows = [{"user": u, "status": status(u),
                 "actions": [a for a in ("enable" if u.disabled else "disable", "unlock", "end-sessions")
                             if a != "unlock" or u.locked]}
                for u in users]
        return self.render(request, claims, "admin.html", lang, {}, title=text("admin.title", lang), rows=rows,
                           roles=ROLES, live=[(r, live.get(r, 0)) for r in ROLES],
                           notice=notice_text(done, lang), notice_css="ok" if done in _DONE else "bad")

    async def verification(self, lang: str) -> Verification:
        """The same verification as `python -m services.audit verify`, for auditors' pages."""

        runtime = self.runtime
        try:
            verdict = await asyncio.to_thread(verify_trail, runtime.settings, runtime.keys, runtime.audit.engine)
        except HushdeskError as exc:
            return Verification("bad", "verify.failed", error_text(exc, lang))
        return Verification("ok" if verdict.ok else "bad", "verify.ok" if verdict.ok else "verify.broken",
                            verdict.describe())

    async def audit(self, request: Request, claims: Claims) -> Response:
        """Chain verification and the export link (auditors)."""
        lang = page_language(request)
        return self.render(request, claims, "audit.html", lang, {}, title=text("audit.title", lang),
                           verify=await self.verification(lang))

    async def dashboard(self, request: Request, claims: Claims) -> Response:
        """The dashboard's frame; dashboard.js fills its tables and charts from the data URL."""
        lang = page_language(request)
        today = datetime.now(timezone.utc).date()
        error = ""
        try:
            chosen = parse_range(request.query_params.get("from"), request.query_params.get("to"), today=today)
        except BadRange as exc:
            chosen, error = parse_range(None, None, today=today), notice_text(exc.notice, lang)
        start, end = chosen.start.isoformat(), chosen.end.isoformat()
        verify = await self.verification(lang) if claims.role == "auditor" else None
        return self.render(
            request, claims, "dashboard.html", lang, {"from": start, "to": end}, title=text("dash.title", lang),
            start=start, end=end, k=self.runtime.settings.dashboard_min_group, error=error, verify=verify,
            charts=_CHARTS, script_text={key: text(key, lang) for key in _SCRIPT_TEXT},
            scripts=_DASHBOARD_SCRIPTS)
