"""hushdesk's own HTTP routes (Starlette, no chainlit): session status, admin and auditor pages.

Every route reads the `Verdict` the session guard left in the request state and checks the role
server-side: `/hushdesk/admin…` is for admins only, `/hushdesk/audit…` for auditors only,
`/hushdesk/dashboard…` for both; staff get 403 on all three. Forms are protected against cross-site requests three times: the login cookie is SameSite, the
`Origin` must be this server (or `null`, which browsers send under `Referrer-Policy: no-referrer`),
and a per-session token (keyed hash of the session id) must come back with the form. Pages use no
inline script (the dashboard loads its own and Chart.js from /hushdesk/static/) and load nothing
from elsewhere; they are rendered by `services.web.pages` from templates, in the user's language.

    GET  /hushdesk/health             liveness; GET /hushdesk/ready: readiness with a fixed reason code;
                                      GET /metrics: Prometheus text (health.py; no session needed)
    GET  /hushdesk/session            status for the page's script (not counted as activity)
    GET  /hushdesk/turns              what the model saw of this login's messages (turns.py)
    POST /hushdesk/miss               "something was not masked" for one message (turns.py)
    POST /hushdesk/mask               mask more of a message waiting to be sent (turns.py)
    GET  /hushdesk/static/hushdesk.js the page's script: redirects to the login page when the
                                      session ends, saying why; sends auditors to their page
    GET  /hushdesk/static/fonts.css   the Inter font, served from here instead of Google Fonts
    GET  /hushdesk/static/pages.css   the pages' one stylesheet (light and dark)
    GET  /hushdesk/admin              users, their status, live sessions; forms below (?done=<notice code>)
    POST /hushdesk/admin/users        action=add|disable|enable|unlock|set-role|end-sessions
    POST /hushdesk/admin/end-all      end every live session
    GET  /hushdesk/admin/kb           knowledge-base collections (handlers in kb_pages.py); create form
    GET  /hushdesk/admin/kb/collection?name=   one collection: documents, upload, access, search
    POST /hushdesk/admin/kb/collections        action=create|delete|grant|revoke
    POST /hushdesk/admin/kb/documents          action=remove|reindex
    POST /hushdesk/admin/kb/search             the top passages (redacted) for a question
    POST /hushdesk/admin/kb/upload             files (plain form, redirect) or one file (kb_upload.js, JSON)
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
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, Awaitable, Callable
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import (
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Route

from ..audit.bundle import export_bundle
from ..audit.dashboard import BadRange, DateRange, build, parse_range, to_json
from ..audit.remote import checkpoints_for
from ..auth.sessions import Claims, Verdict, tokens_from_headers
from ..auth.users import UnknownUser
from ..errors import HushdeskError
from ..keys import hash_id
from ..roles import CHAT_ROLES, DASHBOARD_ROLES
from .health import HEALTH_PATH, METRICS_PATH, READY_PATH, Health
from .kb_pages import BASE as KB, KbPages
from .pages import Pages
from .session_guard import STATUS_PATH
from .turns import MASK_PATH, MISS_PATH, TURNS_PATH, TurnRoutes

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
_FORBIDDEN = "Forbidden. 无权访问。"
Roles = str | tuple[str, ...]


def _verdict(request: Request) -> Verdict | None:
    return request.scope.get("state", {}).get("hushdesk_verdict")


def _claims(request: Request, role: Roles) -> Claims | Response:
    verdict = _verdict(request)
    if verdict is None or not verdict.ok or verdict.claims is None:
        return JSONResponse({"detail": "sessionRequired"}, status_code=401)
    if verdict.claims.role not in ((role,) if isinstance(role, str) else role):
        return PlainTextResponse(_FORBIDDEN, status_code=403)
    return verdict.claims


def _same_origin(request: Request) -> bool:
    """This server's origin, or `null`: what a browser sends with our forms under no-referrer."""
    origin = request.headers.get("origin")
    host = request.headers.get("host", "")
    return origin == "null" or (bool(origin) and urlsplit(origin).netloc.lower() == host.lower())


def _range(request: Request) -> DateRange:
    """The `?from=&to=` range (BadRange if malformed)."""
    return parse_range(request.query_params.get("from"), request.query_params.get("to"),
                       today=datetime.now(timezone.utc).date())


class _Handlers:
    """The routes' handlers other than the pages, bound to one runtime."""

    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime

    def csrf(self, claims: Claims) -> str:
        """The session's form token: a keyed hash of its id."""
        return hash_id(self.runtime.keys.pepper, "csrf", claims.sid)

    def form_ok(self, request: Request, claims: Claims, form: Any) -> bool:
        """The form came from this server's page and carries the session's token."""
        token = form.get("csrf")
        return (_same_origin(request) and isinstance(token, str)
                and hmac.compare_digest(token, self.csrf(claims)))

    async def session_status(self, request: Request) -> Response:
        verdict = _verdict(request)
        if verdict is None or verdict.claims is None:
            return JSONResponse({"detail": "sessionRequired"}, status_code=401)
        role = verdict.claims.role
        return JSONResponse({
            "state": verdict.state, "role": role, "home": HOME.get(role, "/"),
            "chat": role in CHAT_ROLES, "admin": role == "admin",
            "check_ms": int(self.runtime.sessions.check_interval * 1000),
            "link_hosts": sorted(self.runtime.settings.link_allow_hosts),
        })

    async def static(self, request: Request) -> Response:
        path = _STATIC_FILES.get(request.path_params["name"])
        if path is None:
            return PlainTextResponse("Not found.", status_code=404)
        return Response(path.read_bytes(), media_type=_TYPES[path.suffix], headers={"cache-control": "no-cache"})

    async def admin_form(self, request: Request) -> tuple[Claims, Any] | Response:
        """An admin's form post with its origin and form token checked, or the refusal."""
        claims = _claims(request, "admin")
        if isinstance(claims, Response):
            return claims
        form = await request.form()
        if not self.form_ok(request, claims, form):
            return PlainTextResponse(_FORBIDDEN, status_code=403)
        return claims, form

    async def admin_users(self, request: Request) -> Response:
        checked = await self.admin_form(request)
        if isinstance(checked, Response):
            return checked
        claims, form = checked
        action, name = form.get("action"), form.get("name")
        if action not in _ACTIONS or not isinstance(name, str):
            return PlainTextResponse("Unknown action.", status_code=400)
        try:
            done = await _apply(self.runtime, action, name, form)
        except HushdeskError as exc:
            done = exc.notice  # each error class names its own notice code
        else:
            await self.runtime.signin.admin_action(claims.user, action.replace("-", "_"), name)
        # A fixed code, never a name or free text, goes into the URL (proxy logs, history).
        return RedirectResponse("/hushdesk/admin?done=" + done, status_code=303)

    async def admin_end_all(self, request: Request) -> Response:
        checked = await self.admin_form(request)
        if isinstance(checked, Response):
            return checked
        claims, _ = checked
        count = await asyncio.to_thread(self.runtime.sessions.end_all, "ended_by_admin")
        await self.runtime.signin.admin_action(claims.user, "end_all_sessions")
        # The admin's own session ended too: the next request lands on the login page.
        return RedirectResponse(f"/login?error=sessionRevoked&ended={count}", status_code=303)

    def engine_status(self) -> dict[str, Any]:
        engine = self.runtime.engine
        return {"state": engine.state, "restarts": engine.restarts, "recycles": engine.recycles,
                "up_since": self.runtime.started_at}

    async def dashboard_data(self, request: Request) -> Response:
        claims = _claims(request, DASHBOARD_ROLES)
        if isinstance(claims, Response):
            return claims
        try:
            result = await asyncio.to_thread(build, self.runtime.audit.engine, _range(request),
                                             k=self.runtime.settings.dashboard_min_group,
                                             engine_status=self.engine_status)
        except BadRange as exc:
            return JSONResponse({"error": exc.code, "message": exc.message}, status_code=400)
        except HushdeskError as exc:
            return JSONResponse({"error": "unavailable", "message": exc.message}, status_code=503)
        return JSONResponse(to_json(result))

    async def audit_export(self, request: Request) -> Response:
        """A signed bundle of the chosen days (`?from=&to=`, default the last 7), as the CLI's export."""
        claims = _claims(request, "auditor")
        if isinstance(claims, Response):
            return claims

        try:
            chosen = _range(request)
        except BadRange as exc:
            return JSONResponse({"error": exc.code, "message": exc.message}, status_code=400)
        runtime = self.runtime

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
        await runtime.signin.audit_access(claims.user, "export")
        name = f"hushdesk-audit-{chosen.start.isoformat()}-{chosen.end.isoformat()}.jsonl"
        return Response(body, media_type="application/x-ndjson",
                        headers={"content-disposition": f"attachment; filename={name}"})

    async def logout(self, request: Request) -> Response:
        verdict = _verdict(request)
        form = await request.form()
        if verdict is None or verdict.claims is None or not self.form_ok(request, verdict.claims, form):
            return PlainTextResponse(_FORBIDDEN, status_code=403)

        token = tokens_from_headers(request.scope.get("headers", ()))
        if token:
            await self.runtime.signin.logout(token)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie("access_token", path="/")
        return response


def _page(roles: Roles, render: Callable[[Request, Claims], Awaitable[Response]]):
    """A page handler: the role checked server-side, then `render(request, claims)`."""

    async def handler(request: Request) -> Response:
        claims = _claims(request, roles)
        return claims if isinstance(claims, Response) else await render(request, claims)

    return handler


def routes(runtime: "Runtime") -> list[Route]:
    """The routes, bound to a runtime."""
    h = _Handlers(runtime)
    pages = Pages(runtime, h.csrf)
    kb = KbPages(runtime, pages, _claims, _same_origin)
    turns = TurnRoutes(runtime, _claims, _same_origin, h.csrf)
    health = Health(runtime)
    return [
        Route(HEALTH_PATH, health.health, methods=["GET"]),
        Route(READY_PATH, health.ready, methods=["GET"]),
        Route(METRICS_PATH, health.metrics, methods=["GET"]),
        Route(TURNS_PATH, turns.turns, methods=["GET"]),
        Route(MISS_PATH, turns.miss, methods=["POST"]),
        Route(MASK_PATH, turns.mask, methods=["POST"]),
        Route("/hushdesk/logout", h.logout, methods=["POST"]),
        Route(STATUS_PATH, h.session_status, methods=["GET"]),
        Route("/hushdesk/static/{name:path}", h.static, methods=["GET"]),
        Route("/hushdesk/admin", _page("admin", pages.admin), methods=["GET"]),
        Route("/hushdesk/admin/users", h.admin_users, methods=["POST"]),
        Route("/hushdesk/admin/end-all", h.admin_end_all, methods=["POST"]),
        Route(KB, _page("admin", kb.index), methods=["GET"]),
        Route(KB + "/collection", _page("admin", kb.collection), methods=["GET"]),
        Route(KB + "/collections", kb.change_collection, methods=["POST"]),
        Route(KB + "/documents", kb.change_documents, methods=["POST"]),
        Route(KB + "/search", kb.search, methods=["POST"]),
        Route(KB + "/upload", kb.upload, methods=["POST"]),
        Route("/hushdesk/audit", _page("auditor", pages.audit), methods=["GET"]),
        Route("/hushdesk/audit/export", h.audit_export, methods=["GET"]),
        Route("/hushdesk/dashboard", _page(DASHBOARD_ROLES, pages.dashboard), methods=["GET"]),
        Route("/hushdesk/dashboard/data", h.dashboard_data, methods=["GET"]),
    ]


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
