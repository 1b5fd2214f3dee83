"""hushdesk's own HTTP routes (Starlette, no chainlit): session status, admin and auditor pages.

Every route reads the `Verdict` the session guard left in the request state and checks the role
server-side: `/hushdesk/admin…` is for admins only, `/hushdesk/audit…` for auditors only,
`/hushdesk/dashboard…` for both; staff get 403 on all three. Forms are protected against cross-site requests three times: the login cookie is SameSite, the
`Origin` must be this server (or `null`, which browsers send under `Referrer-Policy: no-referrer`),
and a per-session token (keyed hash of the session id) must come back with the form. Pages use no
inline script (the dashboard loads its own and Chart.js from /hushdesk/static/) and load nothing
from elsewhere; text is escaped.

    GET  /hushdesk/session            status for the page's script (not counted as activity)
    GET  /hushdesk/static/hushdesk.js the page's script: redirects to the login page when the
                                      session ends, saying why; sends auditors to their page
    GET  /hushdesk/static/fonts.css   the Inter font, served from here instead of Google Fonts
    GET  /hushdesk/admin              users, their status, live sessions; forms below
    POST /hushdesk/admin/users        action=add|disable|enable|unlock|set-role|end-sessions
    POST /hushdesk/admin/end-all      end every live session
    GET  /hushdesk/audit              chain verification and export (auditors)
    GET  /hushdesk/audit/export       audit rows as JSON lines (metadata and hashes only)
    GET  /hushdesk/dashboard          anonymized usage charts (admins; auditors also see the chain's
                                      verification and the export link); its script is static
    GET  /hushdesk/dashboard/data     ?from=YYYY-MM-DD&to=YYYY-MM-DD: the aggregates as JSON
                                      (admins and auditors); 400 {"error", "message"} on a bad range
"""

from __future__ import annotations

import asyncio
import hmac
import html
import logging
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

from ..audit.dashboard import BadRange, build, parse_range, to_json
from ..errors import HushdeskError
from ..keys import hash_id
from .session_guard import STATUS_PATH
from ..auth.sessions import Claims, Verdict
from ..auth.users import status
from ..roles import CHAT_ROLES, DASHBOARD_ROLES, ROLES

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["routes", "SCRIPT_PATH"]

_log = logging.getLogger(__name__)
SCRIPT_PATH = "/hushdesk/static/hushdesk.js"
_STATIC = Path(__file__).resolve().parent / "static"
# Only these files are served (a fixed list: no path from the request ever reaches the disk).
_STATIC_FILES = {p.relative_to(_STATIC).as_posix(): p for p in _STATIC.rglob("*")
                 if p.is_file() and p.suffix in (".js", ".css", ".woff2")}
_TYPES = {".js": "text/javascript", ".css": "text/css", ".woff2": "font/woff2"}
HOME = {"auditor": "/hushdesk/audit"}
_ACTIONS = ("add", "disable", "enable", "unlock", "set-role", "end-sessions")
_DASHBOARD_LINK = "<p><a id=\"dashboard-link\" href=\"/hushdesk/dashboard\">Usage dashboard / 使用情况</a></p>"


def _verdict(request: Request) -> Verdict | None:
    return request.scope.get("state", {}).get("hushdesk_verdict")


def _claims(request: Request, role: str | tuple[str, ...]) -> Claims | Response:
    verdict = _verdict(request)
    if verdict is None or not verdict.ok or verdict.claims is None:
        return JSONResponse({"detail": "sessionRequired"}, status_code=401)
    if verdict.claims.role not in ((role,) if isinstance(role, str) else role):
        return PlainTextResponse("Forbidden. 无权访问。", status_code=403)
    return verdict.claims


def _same_origin(request: Request) -> bool:
    """This server's origin, or `null`: what a browser sends with our forms under no-referrer."""
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    return origin == "null" or (bool(origin) and urlsplit(origin).netloc.lower() == host.lower())


def _signout(token: str) -> str:
    return (f"<form method=\"post\" action=\"/hushdesk/logout\"><input type=\"hidden\" name=\"csrf\" "
            f"value=\"{html.escape(token)}\"><button id=\"signout\">Sign out / 退出</button></form>")


def _page(title: str, body: str, scripts: tuple[str, ...] = ()) -> HTMLResponse:
    # Scripts only by URL from this server (the CSP allows no inline script without its hash).
    tags = "".join(f"<script src=\"{html.escape(src)}\" defer></script>" for src in scripts)
    return HTMLResponse(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}"
        "form{display:inline}fieldset{margin:1rem 0}.ok{color:#075}.bad{color:#a00}.note{color:#555}"
        ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(30rem,1fr));gap:1rem}"
        ".chart{position:relative;height:16rem}td.num{text-align:right}.muted{color:#888}"
        "</style>" + tags + "</head><body>" + body + "</body></html>")


_DASHBOARD_SCRIPTS = ("/hushdesk/static/vendor/chart.umd.min.js", "/hushdesk/static/dashboard.js")
_CHARTS = (
    ("chart-turns-day", "Turns per day (UTC) / 每日对话轮次"),
    ("chart-turns-hour", "Turns per hour (UTC, ranges up to 31 days) / 每小时对话轮次"),
    ("chart-users", "Distinct active users per day / 每日活跃用户数"),
    ("chart-tokens", "Tokens in and out per day / 每日输入与输出词元"),
    ("chart-latency", "Latency p50 / p95 per day (ms) / 每日延迟"),
    ("chart-ttft", "Time to first token p50 / p95 per day (ms) / 每日首词元时间"),
    ("chart-rates", "Failure and refusal rates per day / 每日失败率与拒绝率"),
    ("chart-redactions", "Redactions by type / 按类型的脱敏"),
)


def _dashboard_body(role: str, start: str, end: str, k: int, verify: str, error: str) -> str:
    """The dashboard page's body; its tables and charts are filled by dashboard.js from the data URL."""
    back = ("<a href=\"/hushdesk/admin\">Administration / 管理</a> · <a href=\"/\">Chat / 聊天</a>"
            if role == "admin" else "<a href=\"/hushdesk/audit\">Audit / 审计</a>")
    auditor = (verify + "<p><a id=\"export\" href=\"/hushdesk/audit/export\">Export (JSON lines) / 导出</a></p>"
               if role == "auditor" else "")
    charts = "".join(f"<figure><figcaption>{title}</figcaption><div class=\"chart\"><canvas id=\"{cid}\">"
                     "</canvas></div></figure>" for cid, title in _CHARTS)
    return (
        "<h1>hushdesk — Usage dashboard / 使用情况</h1>"
        f"<p class=\"note\" id=\"privacy\" data-k=\"{k}\">Anonymized: counts and timings only, never what was "
        f"said and never per user. Any hour, day or range with fewer than {k} distinct users is suppressed. "
        f"Days are UTC. 匿名统计：仅计数与时间，不含对话内容，不按用户显示；少于 {k} 位用户的时段不显示。</p>"
        f"<p>{back}</p>" + auditor +
        "<form id=\"range\" method=\"get\" action=\"/hushdesk/dashboard\">"
        f"<label>From / 从 <input type=\"date\" id=\"from\" name=\"from\" value=\"{html.escape(start)}\" required></label> "
        f"<label>To / 至 <input type=\"date\" id=\"to\" name=\"to\" value=\"{html.escape(end)}\" required></label> "
        "<button id=\"apply\">Show / 显示</button></form>"
        + (f"<p class=\"bad\" id=\"range-error\">{html.escape(error)}</p>" if error else "") +
        "<p id=\"status\" role=\"status\">Loading… / 加载中…</p>"
        "<h2>Engine / 引擎</h2><table id=\"health\"></table>"
        "<h2>Summary / 汇总</h2><table id=\"summary\"></table>"
        "<h2>Redactions by type / 按类型的脱敏</h2><table id=\"redactions\"></table>"
        "<div class=\"charts\">" + charts + "</div>"
        "<h2>Per day / 每日</h2><table id=\"days\"></table>")


def routes(runtime: "Runtime") -> list[Route]:
    """The routes, bound to a runtime."""

    def csrf(claims: Claims) -> str:
        return hash_id(runtime.keys.pepper, "csrf", claims.sid)

    def form_ok(request: Request, claims: Claims, form: Any) -> bool:
        token = form.get("csrf")
        return _same_origin(request) and isinstance(token, str) and hmac.compare_digest(token, csrf(claims))

    async def session_status(request: Request) -> Response:
        verdict = _verdict(request)
        if verdict is None or verdict.claims is None:
            return JSONResponse({"detail": "sessionRequired"}, status_code=401)
        role = verdict.claims.role
        return JSONResponse({
            "state": verdict.state, "role": role, "home": HOME.get(role, "/"),
            "chat": role in CHAT_ROLES, "admin": role == "admin",
            "check_ms": int(runtime.sessions.check_interval * 1000),
            "link_hosts": sorted(runtime.settings.link_allow_hosts),
        })

    async def static(request: Request) -> Response:
        name = request.path_params["name"]
        path = _STATIC_FILES.get(name)
        if path is None:
            return PlainTextResponse("Not found.", status_code=404)
        return Response(path.read_bytes(), media_type=_TYPES[path.suffix], headers={"cache-control": "no-cache"})

    async def admin_page(request: Request) -> Response:
        claims = _claims(request, "admin")
        if isinstance(claims, Response):
            return claims
        users = await asyncio.to_thread(runtime.users.list)
        now = time.time()
        live = await asyncio.to_thread(runtime.sessions.store.open_count, now - runtime.sessions.max,
                                       now - runtime.sessions.idle)
        notice = _NOTICES.get(request.query_params.get("done", ""), "")
        token = html.escape(csrf(claims))
        rows = "".join(
            f"<tr><td>{html.escape(u.name)}</td><td>{u.role}</td><td data-status=\"{status(u)}\">{status(u)}</td>"
            f"<td>{u.failed_logins}</td><td>{html.escape(u.source)}</td><td>{'yes' if u.consent_version else 'no'}</td>"
            "<td>" + "".join(
                f"<form method=\"post\" action=\"/hushdesk/admin/users\"><input type=\"hidden\" name=\"csrf\" "
                f"value=\"{token}\"><input type=\"hidden\" name=\"name\" value=\"{html.escape(u.name)}\">"
                f"<button name=\"action\" value=\"{a}\">{a}</button></form> "
                for a in ("disable" if not u.disabled else "enable", "unlock", "end-sessions")
                if a != "unlock" or u.locked) + "</td></tr>"
            for u in users)
        role_options = "".join(f"<option>{r}</option>" for r in ROLES)
        body = (
            "<h1>hushdesk — Administration / 管理</h1>"
            "<p class=\"note\">Usage is anonymized; no conversation is stored or shown here. "
            "不存储、不显示任何对话内容。</p>" + _DASHBOARD_LINK
            + (f"<p class=\"ok\" id=\"notice\">{html.escape(notice)}</p>" if notice else "")
            + "<h2>Live sessions / 在线会话</h2><p id=\"live\">"
            + ", ".join(f"{r}: {live.get(r, 0)}" for r in ROLES)
            + f"</p><form method=\"post\" action=\"/hushdesk/admin/end-all\"><input type=\"hidden\" "
              f"name=\"csrf\" value=\"{token}\"><button id=\"end-all\">End all sessions / 结束所有会话</button></form>"
            "<h2>Users / 用户</h2><table id=\"users\"><tr><th>name</th><th>role</th><th>status</th>"
            "<th>failed sign-ins</th><th>sign-in</th><th>consent</th><th>actions</th></tr>" + rows + "</table>"
            "<fieldset><legend>Add a user / 添加用户</legend><form method=\"post\" action=\"/hushdesk/admin/users\">"
            f"<input type=\"hidden\" name=\"csrf\" value=\"{token}\"><input type=\"hidden\" name=\"action\" value=\"add\">"
            "<input name=\"name\" placeholder=\"name\" required> <select name=\"role\">" + role_options +
            "</select> <input name=\"password\" type=\"password\" placeholder=\"password\" autocomplete=\"new-password\">"
            " <button>Add</button></form></fieldset>"
            "<fieldset><legend>Change a role / 更改角色</legend><form method=\"post\" action=\"/hushdesk/admin/users\">"
            f"<input type=\"hidden\" name=\"csrf\" value=\"{token}\"><input type=\"hidden\" name=\"action\" value=\"set-role\">"
            "<input name=\"name\" placeholder=\"name\" required> <select name=\"role\">" + role_options +
            "</select> <button>Set role</button></form></fieldset>"
            "<p><a href=\"/\">Back to the chat / 返回聊天</a></p>" + _signout(csrf(claims)))
        return _page("hushdesk administration", body)

    async def admin_form(request: Request) -> tuple[Claims, Any] | Response:
        """An admin's form post with its origin and form token checked, or the refusal."""
        claims = _claims(request, "admin")
        if isinstance(claims, Response):
            return claims
        form = await request.form()
        if not form_ok(request, claims, form):
            return PlainTextResponse("Forbidden. 无权访问。", status_code=403)
        return claims, form

    async def admin_users(request: Request) -> Response:
        checked = await admin_form(request)
        if isinstance(checked, Response):
            return checked
        claims, form = checked
        action, name = form.get("action"), form.get("name")
        if action not in _ACTIONS or not isinstance(name, str):
            return PlainTextResponse("Unknown action.", status_code=400)
        try:
            done = await _apply(runtime, action, name, form)
        except HushdeskError as exc:
            done = _ERROR_CODES.get(type(exc).__name__, "failed")
        else:
            await runtime.admin_action(claims.user, action.replace("-", "_"), name)
        # A fixed code, never a name or free text, goes into the URL (proxy logs, history).
        return RedirectResponse("/hushdesk/admin?done=" + done, status_code=303)

    async def admin_end_all(request: Request) -> Response:
        checked = await admin_form(request)
        if isinstance(checked, Response):
            return checked
        claims, _ = checked
        count = await asyncio.to_thread(runtime.sessions.end_all, "ended_by_admin")
        await runtime.admin_action(claims.user, "end_all_sessions")
        # The admin's own session ended too: the next request lands on the login page.
        return RedirectResponse(f"/login?error=sessionRevoked&ended={count}", status_code=303)

    async def verify_state() -> str:
        """The same verification as `python -m services.audit verify`, as a paragraph (auditors' pages)."""
        from ..audit.trail import verify_trail

        try:
            verdict = await asyncio.to_thread(verify_trail, runtime.settings, runtime.keys, runtime.audit.engine)
        except HushdeskError as exc:
            return ("<p class=\"bad\" id=\"verify\">Chain not verified / 审计链未能验证: "
                    f"{html.escape(exc.message)}</p>")
        if verdict.ok:
            return f"<p class=\"ok\" id=\"verify\">Chain verified / 审计链完整: {html.escape(verdict.describe())}</p>"
        return (f"<p class=\"bad\" id=\"verify\">Chain broken / 审计链损坏: {html.escape(verdict.describe())}</p>")

    async def audit_page(request: Request) -> Response:
        claims = _claims(request, "auditor")
        if isinstance(claims, Response):
            return claims
        body = ("<h1>hushdesk — Audit / 审计</h1>" + await verify_state() +
                "<p class=\"note\">Rows hold keyed hashes, times, counts and outcomes; never what was said. "
                "记录仅含哈希、时间、计数和结果，从不含对话内容。</p>"
                "<p><a id=\"export\" href=\"/hushdesk/audit/export\">Export (JSON lines) / 导出</a></p>"
                + _DASHBOARD_LINK + _signout(csrf(claims)))
        return _page("hushdesk audit", body)

    def engine_status() -> dict[str, Any]:
        engine = runtime.engine
        return {"state": engine.state, "restarts": engine.restarts, "recycles": engine.recycles,
                "up_since": runtime.started_at}

    async def dashboard_page(request: Request) -> Response:
        claims = _claims(request, DASHBOARD_ROLES)
        if isinstance(claims, Response):
            return claims
        today = datetime.now(timezone.utc).date()
        error = ""
        try:
            chosen = parse_range(request.query_params.get("from"), request.query_params.get("to"), today=today)
        except BadRange as exc:
            chosen, error = parse_range(None, None, today=today), exc.message
        verify = await verify_state() if claims.role == "auditor" else ""
        body = _dashboard_body(claims.role, chosen.start.isoformat(), chosen.end.isoformat(),
                              runtime.settings.dashboard_min_group, verify, error)
        return _page("hushdesk dashboard", body + _signout(csrf(claims)), scripts=_DASHBOARD_SCRIPTS)

    async def dashboard_data(request: Request) -> Response:
        claims = _claims(request, DASHBOARD_ROLES)
        if isinstance(claims, Response):
            return claims
        today = datetime.now(timezone.utc).date()
        try:
            chosen = parse_range(request.query_params.get("from"), request.query_params.get("to"), today=today)
            result = await asyncio.to_thread(build, runtime.audit.engine, chosen,
                                             k=runtime.settings.dashboard_min_group, engine_status=engine_status)
        except BadRange as exc:
            return JSONResponse({"error": exc.code, "message": exc.message}, status_code=400)
        except HushdeskError as exc:
            return JSONResponse({"error": "unavailable", "message": exc.message}, status_code=503)
        return JSONResponse(to_json(result))

    async def audit_export(request: Request) -> Response:
        """A signed bundle of the chosen days (`?from=&to=`, default the last 7), as the CLI's export."""
        claims = _claims(request, "auditor")
        if isinstance(claims, Response):
            return claims
        from ..audit.bundle import export_bundle
        from ..audit.remote import checkpoints_for

        try:
            chosen = parse_range(request.query_params.get("from"), request.query_params.get("to"),
                                 today=datetime.now(timezone.utc).date())
        except BadRange as exc:
            return JSONResponse({"error": exc.code, "message": exc.message}, status_code=400)

        def make() -> bytes:
            import tempfile

            checkpoints = checkpoints_for(runtime.settings, runtime.keys)
            signer, anchor = checkpoints.signer, checkpoints.anchor()
            with tempfile.TemporaryDirectory(prefix="hushdesk-export-") as folder:
                out = Path(folder) / "bundle.jsonl"
                export_bundle(runtime.audit.engine, signer, chosen.start, chosen.end, out, anchor)
                return out.read_bytes()

        try:
            body = await asyncio.to_thread(make)
        except HushdeskError as exc:
            return PlainTextResponse(exc.message, status_code=503)
        await runtime.audit_access(claims.user, "export")
        name = f"hushdesk-audit-{chosen.start.isoformat()}-{chosen.end.isoformat()}.jsonl"
        return Response(body, media_type="application/x-ndjson",
                        headers={"content-disposition": f"attachment; filename={name}"})

    async def logout(request: Request) -> Response:
        verdict = _verdict(request)
        form = await request.form()
        if verdict is None or verdict.claims is None or not form_ok(request, verdict.claims, form):
            return PlainTextResponse("Forbidden. 无权访问。", status_code=403)
        from ..auth.sessions import tokens_from_headers

        token = tokens_from_headers(request.scope.get("headers", ()))
        if token:
            await runtime.logout(token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie("access_token", path="/")
        return response

    return [
        Route("/hushdesk/logout", logout, methods=["POST"]),
        Route(STATUS_PATH, session_status, methods=["GET"]),
        Route("/hushdesk/static/{name:path}", static, methods=["GET"]),
        Route("/hushdesk/admin", admin_page, methods=["GET"]),
        Route("/hushdesk/admin/users", admin_users, methods=["POST"]),
        Route("/hushdesk/admin/end-all", admin_end_all, methods=["POST"]),
        Route("/hushdesk/audit", audit_page, methods=["GET"]),
        Route("/hushdesk/audit/export", audit_export, methods=["GET"]),
        Route("/hushdesk/dashboard", dashboard_page, methods=["GET"]),
        Route("/hushdesk/dashboard/data", dashboard_data, methods=["GET"]),
    ]


_NOTICES = {
    "add": "User created. 已创建用户。", "disable": "User disabled; their sessions ended. 已停用用户并结束其会话。",
    "enable": "User enabled. 已启用用户。", "unlock": "User unlocked. 已解锁用户。",
    "set-role": "Role changed; their sessions ended. 已更改角色并结束其会话。",
    "end-sessions": "Their sessions ended. 已结束其会话。",
    "unknown": "There is no user with that name. 没有该用户。",
    "exists": "A user with that name already exists. 该用户名已存在。",
    "weak": "That password does not meet the policy. 密码不符合要求。",
    "invalid": "That name or role is not valid. 用户名或角色无效。",
    "last-admin": "The last enabled admin cannot be disabled or lose the role. 不能停用最后一个管理员。",
    "failed": "The change could not be made. 无法完成更改。",
}
_ERROR_CODES = {
    "UnknownUser": "unknown", "UserExists": "exists", "InvalidUserName": "invalid", "InvalidRole": "invalid",
    "LastAdmin": "last-admin", **{name: "weak" for name in (
        "PasswordRejected", "PasswordTooShort", "PasswordTooLong", "PasswordCommon", "PasswordContextual",
        "PasswordRepetitive")},
}


async def _apply(runtime: "Runtime", action: str, name: str, form: Any) -> str:
    """Carry out one admin action; its notice code (the action's name)."""
    users, sessions = runtime.users, runtime.sessions
    run: Callable[..., Any] = asyncio.to_thread
    if action == "add":
        role, password = form.get("role"), form.get("password") or ""
        await run(users.add, name, role, password)
        return "add"
    if action == "unlock":
        await run(users.unlock, name)
        return "unlock"
    if action == "end-sessions":
        if await run(users.get, name) is None:
            from ..auth.users import UnknownUser
            raise UnknownUser()
        await run(sessions.end_user, name, "ended_by_admin")
        return "end-sessions"
    if action == "set-role":
        await run(users.set_role, name, form.get("role"))
        await run(sessions.end_user, name, "set_role")
        return "set-role"
    await run(users.disable if action == "disable" else users.enable, name)
    if action == "disable":
        await run(sessions.end_user, name, "disable")
    return action
