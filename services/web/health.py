"""Health, readiness and metrics for operators (no session needed, nothing about anyone in them).

    GET /hushdesk/health  liveness: 200 {"status": "ok"} while this process's event loop answers
    GET /hushdesk/ready   200 {"status": "ready"}, or 503 {"status": "not_ready", "reason": <code>}:
                          engine_unavailable   the engine is not answering (starting, restarting, down)
                          audit_writer_down    the audit writer has stopped
                          disk_low             the store's disk is below HUSHDESK_AUDIT_MIN_FREE_MB
                          store_unwritable     the store could not take a write transaction in 5 s
    GET /metrics          Prometheus text format (services/metrics.py), for HUSHDESK_METRICS_ACCESS:
                          loopback  a client on this machine only (as the proxy saw it): else 403
                          token     `Authorization: Bearer <metrics_token>` from the key file: else 401
                          off       404

Readiness is what a proxy, systemd or a monitor should act on: a turn would fail for each reason it
names. The checks run at most once a second (concurrent probes share one), the store's off the event
loop. Reasons are fixed codes; no exception text is ever shown.
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import logging
import time
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from ..metrics import CONTENT_TYPE
from ..store import transaction

if TYPE_CHECKING:
    from ..runtime import Runtime

__all__ = ["Health", "HEALTH_PATH", "READY_PATH", "METRICS_PATH", "REASONS"]

log = logging.getLogger("hushdesk.health")

HEALTH_PATH = "/hushdesk/health"
READY_PATH = "/hushdesk/ready"
METRICS_PATH = "/metrics"
REASONS = ("engine_unavailable", "audit_writer_down", "disk_low", "store_unwritable")
_STORE_WAIT = 5.0
_ENGINE_WAIT = 3.0
_KEEP = 1.0  # seconds a readiness answer is reused
_NO_STORE = {"Cache-Control": "no-store"}


class Health:
    """The three routes' handlers, bound to one runtime."""

    def __init__(self, runtime: "Runtime") -> None:
        self.runtime = runtime
        self._checked: tuple[float, str | None] = (-_KEEP, None)
        self._lock = asyncio.Lock()

    async def health(self, request: Request) -> Response:
        return JSONResponse({"status": "ok"}, headers=_NO_STORE)

    async def ready(self, request: Request) -> Response:
        reason = await self.not_ready()
        if reason is None:
            return JSONResponse({"status": "ready"}, headers=_NO_STORE)
        return JSONResponse({"status": "not_ready", "reason": reason}, status_code=503, headers=_NO_STORE)

    async def not_ready(self) -> str | None:
        """The first reason this process cannot serve a turn now, or None."""
        async with self._lock:
            at, reason = self._checked
            if time.monotonic() - at < _KEEP:
                return reason
            reason = await self._check()
            self._checked = (time.monotonic(), reason)
            if reason is not None:
                log.warning("not ready: %s", reason)
            return reason

    async def _check(self) -> str | None:
        runtime = self.runtime
        if not await self._engine_answers(runtime.engine):
            return "engine_unavailable"
        if (why := runtime.audit.unwritable()) is not None:  # the same check a turn makes first
            return why
        try:
            await asyncio.wait_for(asyncio.to_thread(_take_write_lock, runtime.audit.engine), _STORE_WAIT)
        except Exception as exc:  # noqa: BLE001  (locked, damaged, gone, read-only: all "cannot write")
            log.error("store write check failed: %s", type(exc).__name__)
            return "store_unwritable"
        return None

    @staticmethod
    async def _engine_answers(engine: Any) -> bool:
        if engine.state != "ready":
            return False
        probe = getattr(engine, "probe", None)  # an external engine is not watched between turns: ask it
        if probe is None:
            return True
        try:
            return bool(await asyncio.wait_for(probe(), _ENGINE_WAIT))
        except Exception:  # noqa: BLE001
            return False

    async def metrics(self, request: Request) -> Response:
        access = self.runtime.settings.metrics_access
        if access == "off" or self.runtime.metrics is None:
            return PlainTextResponse("Not Found", status_code=404)
        if access == "loopback" and not _local(request):
            return PlainTextResponse("Forbidden: metrics are served to this machine only.", status_code=403)
        if access == "token" and not self._bearer_ok(request):
            return PlainTextResponse("Unauthorized", status_code=401, headers={"WWW-Authenticate": "Bearer"})
        body = await asyncio.to_thread(self.runtime.metrics.exposition)  # counts sessions in the store
        return Response(body, media_type=CONTENT_TYPE, headers=_NO_STORE)

    def _bearer_ok(self, request: Request) -> bool:
        token = self.runtime.metrics_token  # read from the key file once, at start
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        return (token is not None and scheme.lower() == "bearer"
                and hmac.compare_digest(value.strip().encode(), token.encode()))


def _take_write_lock(engine: Any) -> None:
    with transaction(engine, write=True) as conn:  # BEGIN IMMEDIATE: the write lock, then nothing written
        conn.exec_driver_sql("SELECT 1")


def _local(request: Request) -> bool:
    """The client is on this machine. Behind hushdesk's nginx the server reads the client's address from
    the proxy's X-Forwarded-For (trusted from loopback only), so a browser elsewhere is not local."""
    client = request.scope.get("client")
    try:
        return client is not None and ipaddress.ip_address(client[0]).is_loopback
    except ValueError:
        return False
