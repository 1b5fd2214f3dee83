"""hushdesk's own HTTP routes (Starlette, no chainlit): session status, admin and auditor pages.

Every route reads the `Verdict` the session guard left in the request state and checks the role
server-side: `/hushdesk/admin…` is for admins only, `/hushdesk/audit…` for auditors only; staff get
403 on both. Forms are protected against cross-site requests three times: the login cookie is SameSite, the
`Origin` must be this server (or `null`, which browsers send under `Referrer-Policy: no-referrer`),
and a per-session token (keyed hash of the session id) must come back with the form. Pages use no
script and load nothing from elsewhere; text is escaped.

    GET  /hushdesk/session            status for the page's script (not counted as activity)
    GET  /hushdesk/static/hushdesk.js the page's script: redirects to the login page when the
                                      session ends, saying why; sends auditors to their page
    GET  /hushdesk/static/fonts.css   the Inter font, served from here instead of Google Fonts
    GET  /hushdesk/admin              users, their status, live sessions; forms below
    POST /hushdesk/admin/users        action=add|disable|enable|unlock|set-role|end-sessions
    POST /hushdesk/admin/end-all      end every live session
    GET  /hushdesk/audit              chain verification and export (auditors)
    GET  /hushdesk/audit/export       audit rows as JSON lines (metadata and hashes only)
"""

from __future__ import annotations

import asyncio
import hmac
import html
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, RedirectResponse, Response, StreamingResponse
from starlette.routing import Route

from .errors import HushdeskError
from .keys import hash_id
from .session_guard import CHAT_ROLES, STATUS_PATH
from .sessions import Claims, Verdict
from .users import ROLES, status

if TYPE_CHECKING:
    from .runtime import Runtime

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


def _verdict(request: Request) -> Verdict | None:
    return request.scope.get("state", {}).get("hushdesk_verdict")


def _claims(request: Request, role: str) -> Claims | Response:
    verdict = _verdict(request)
    if verdict is None or not verdict.ok or verdict.claims is None:
        return JSONResponse({"detail": "sessionRequired"}, status_code=401)
    if verdict.claims.role != role:
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


def _page(title: str, body: str) -> HTMLResponse:
    return HTMLResponse(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:system-ui,sans-serif;margin:2rem;max-width:70rem;color:#222}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}"
        "form{display:inline}fieldset{margin:1rem 0}.ok{color:#075}.bad{color:#a00}.note{color:#555}"
        "</style></head><body>" + body + "</body></html>")


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
            "不存储、不显示任何对话内容。</p>"
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

    async def audit_page(request: Request) -> Response:
        claims = _claims(request, "auditor")
        if isinstance(claims, Response):
            return claims
        from .audit import verify_chain

        ok, bad = await asyncio.to_thread(verify_chain, runtime.audit.engine, runtime.keys.chain_key)
        state = ("<p class=\"ok\" id=\"verify\">Chain verified / 审计链完整</p>" if ok else
                 f"<p class=\"bad\" id=\"verify\">Chain broken at seq {bad} / 审计链在序号 {bad} 处损坏</p>")
        body = ("<h1>hushdesk — Audit / 审计</h1>" + state +
                "<p class=\"note\">Rows hold keyed hashes, times, counts and outcomes; never what was said. "
                "记录仅含哈希、时间、计数和结果，从不含对话内容。</p>"
                "<p><a id=\"export\" href=\"/hushdesk/audit/export\">Export (JSON lines) / 导出</a></p>"
                + _signout(csrf(claims)))
        return _page("hushdesk audit", body)

    async def audit_export(request: Request) -> Response:
        claims = _claims(request, "auditor")
        if isinstance(claims, Response):
            return claims
        from .audit import export_rows

        lines = await asyncio.to_thread(export_rows, runtime.audit.engine)
        return StreamingResponse(iter(lines), media_type="application/x-ndjson",
                                 headers={"content-disposition": "attachment; filename=hushdesk-audit.jsonl"})

    async def logout(request: Request) -> Response:
        verdict = _verdict(request)
        form = await request.form()
        if verdict is None or verdict.claims is None or not form_ok(request, verdict.claims, form):
            return PlainTextResponse("Forbidden. 无权访问。", status_code=403)
        from .sessions import tokens_from_headers

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
            from .users import UnknownUser
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
