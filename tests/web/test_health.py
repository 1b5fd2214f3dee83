"""Health, readiness and metrics over the real runtime: a real store, the real audit writer, the fake engine as
a real process (tests/support/engine_server.py), requests through the real ASGI stack (our middleware and
routes, as `secure_http` installs them). The client's address is set by the ASGI transport: that is the one
thing the server reads from the socket, and the loopback rule is about it."""

from __future__ import annotations

import asyncio
import re
import threading
from pathlib import Path

import httpx
import pytest
import socketio
from fastapi import FastAPI

from services.audit.records import TurnRecord
from services.keys import metrics_token
from services.metrics import Metrics
from services.ops.bootstrap import ensure_initialised
from services.runtime import Runtime
from services.store import transaction
from services.web import health as health_module
from services.web.wiring import secure_http
from tests.support.engine import FakeEngine
from tests.support.process import make_token
from tests.support.turns import settings_for

LOCAL, ELSEWHERE = ("127.0.0.1", 50000), ("10.20.30.40", 50000)
PHONE = "13812345678"


def _value(body: str, sample: str) -> float | None:
    """A sample's value in the text format (`name{labels}` exactly as written), or None."""
    m = re.search(rf"^{re.escape(sample)} (\S+)$", body, re.M)
    return float(m.group(1)) if m else None


async def _site(tmp_path: Path, engine: FakeEngine, **env: str):
    settings = settings_for(tmp_path, engine.base_url, **env)
    ensure_initialised(settings)[1].dispose()
    runtime = Runtime.open(settings)
    await runtime.start()
    await runtime.wait_ready(10)
    app = FastAPI()
    secure_http(app, socketio.AsyncServer(async_mode="asgi"), runtime)
    return runtime, app


def _client(app, client=LOCAL) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app, client=client), base_url="http://hushdesk.test")


@pytest.fixture
def engine(tmp_path):
    fake = FakeEngine(tmp_path)
    yield fake
    fake.stop()


def test_health_and_ready_answer_without_a_session_and_ready_names_each_fault(tmp_path, engine, monkeypatch):
    monkeypatch.setattr(health_module, "_STORE_WAIT", 0.5)

    async def run():
        runtime, app = await _site(tmp_path, engine)
        forged = make_token("not-our-secret-" * 4, "someone", {"role": "staff", "sid": "x"})
        try:
            async with _client(app) as client:
                for headers in ({}, {"Cookie": f"access_token={forged}"}):  # a stale cookie never blocks a probe
                    live = await client.get("/hushdesk/health", headers=headers)
                    assert live.status_code == 200 and live.json() == {"status": "ok"}
                ready = await client.get("/hushdesk/ready")
                assert ready.status_code == 200 and ready.json() == {"status": "ready"}
                assert ready.headers["cache-control"] == "no-store"

                # The store's write lock held by someone else for longer than the check waits.
                held, release = threading.Event(), threading.Event()

                def hold():
                    with transaction(runtime.audit.engine, write=True):
                        held.set()
                        release.wait(10)

                holder = threading.Thread(target=hold)
                holder.start()
                held.wait(5)
                await asyncio.sleep(1.05)  # past the one-second reuse of the last answer
                try:
                    busy = await client.get("/hushdesk/ready")
                finally:
                    release.set()
                    holder.join()
                assert busy.status_code == 503 and busy.json() == {"status": "not_ready", "reason": "store_unwritable"}
                await asyncio.sleep(1.05)
                assert (await client.get("/hushdesk/ready")).status_code == 200  # and back

                engine.stop()  # an external engine that stopped answering
                await asyncio.sleep(1.05)
                down = await client.get("/hushdesk/ready")
                assert down.status_code == 503 and down.json()["reason"] == "engine_unavailable"
                assert (await client.get("/hushdesk/health")).status_code == 200  # alive all the same
        finally:
            await runtime.stop()

    asyncio.run(run())


def test_ready_says_audit_writer_down_and_disk_low(tmp_path, engine):
    async def run():
        runtime, app = await _site(tmp_path / "a", engine)
        try:
            await asyncio.to_thread(runtime.audit.close)
            async with _client(app) as client:
                answer = await client.get("/hushdesk/ready")
            assert answer.status_code == 503 and answer.json()["reason"] == "audit_writer_down"
        finally:
            await runtime.stop()
        # More free space asked for than any disk has: the same refusal a turn would get.
        runtime, app = await _site(tmp_path / "b", engine, HUSHDESK_AUDIT_MIN_FREE_MB=str(2**40))
        try:
            async with _client(app) as client:
                answer = await client.get("/hushdesk/ready")
            assert answer.status_code == 503 and answer.json()["reason"] == "disk_low"
        finally:
            await runtime.stop()

    asyncio.run(run())


def test_metrics_count_turns_redactions_and_refusals_and_name_nobody(tmp_path, engine):
    async def run():
        runtime, app = await _site(tmp_path, engine, HUSHDESK_MESSAGES_PER_MINUTE="2")
        conv = runtime.conversation("chainlit-session-0001", "alice.staff", "staff")
        try:
            async def on_text(piece):
                pass

            for text in (f"my phone is {PHONE}, please call", "second question", "third, over the limit"):
                await runtime.chat.turn(conv, text, on_text)
            async with _client(app) as client:
                answer = await client.get("/metrics")
            assert answer.status_code == 200
            assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
            body = answer.text
            assert _value(body, 'hushdesk_turns_total{outcome="ok"}') == 2
            assert _value(body, 'hushdesk_turns_total{outcome="rate_limited"}') == 1
            assert _value(body, 'hushdesk_redactions_total{direction="in",label="PHONE"}') == 1
            assert _value(body, "hushdesk_time_to_first_token_seconds_count") == 2
            assert _value(body, "hushdesk_turn_duration_seconds_count") == 2
            assert _value(body, "hushdesk_busy_refusals_total") == 0
            assert _value(body, "hushdesk_engine_up") == 1
            assert _value(body, 'hushdesk_engine_state{state="ready"}') == 1
            assert _value(body, "hushdesk_turns_running") == 0
            assert _value(body, "hushdesk_turns_max_running") == 128  # an external engine's share
            assert _value(body, "hushdesk_audit_writer_up") == 1
            assert _value(body, "process_resident_memory_bytes") > 0
            for secret in (PHONE, "alice", conv.user_hash, conv.session_hash, "my phone", "question"):
                assert secret not in body
            labels = set(re.findall(r'(\w+)="', body))
            assert labels <= {"outcome", "direction", "label", "state", "result", "role", "le"}, labels  # le: buckets
        finally:
            await runtime.stop()

    asyncio.run(run())


def _record(**extra) -> TurnRecord:
    fields = dict(session_hash="s" * 64, user_hash="u" * 64, role="staff", model="m", prompt_tokens=3,
                  completion_tokens=5, ttft_ms=40.0, latency_ms=900.0, redactions_in={"PHONE": 2, "EMAIL": 0},
                  redactions_out={"CN_ID": 1}, outcome="ok")
    return TurnRecord(**{**fields, **extra})


def test_metrics_leave_out_small_session_groups_and_count_retrievals():
    counts = {"staff": 7, "admin": 1, "auditor": 4}
    metrics = Metrics(sessions=lambda: counts, min_group=5)
    metrics.turn(_record(kb_passages=3, kb_latency_ms=12.0))
    metrics.turn(_record(kb_passages=0, kb_latency_ms=8.0, ttft_ms=None, completion_tokens=None, outcome="busy"))
    metrics.turn(None, "audit_unavailable")
    body = metrics.exposition().decode()
    assert _value(body, 'hushdesk_sessions_active{role="staff"}') == 7
    assert "admin" not in body and "auditor" not in body  # fewer than the dashboard would show
    assert _value(body, 'hushdesk_kb_retrievals_total{result="passages"}') == 1
    assert _value(body, 'hushdesk_kb_retrievals_total{result="none"}') == 1
    assert _value(body, "hushdesk_kb_retrieval_seconds_count") == 2
    assert _value(body, "hushdesk_busy_refusals_total") == 1
    assert _value(body, 'hushdesk_turns_total{outcome="audit_unavailable"}') == 1
    assert _value(body, "hushdesk_audit_write_failures_total") == 1
    assert _value(body, 'hushdesk_redactions_total{direction="in",label="PHONE"}') == 4
    assert _value(body, 'hushdesk_redactions_total{direction="out",label="CN_ID"}') == 2
    assert 'label="EMAIL"' not in body  # zero counts add no series
    assert _value(body, "hushdesk_turn_duration_seconds_count") == 1  # the busy turn never reached the engine
    counts["admin"] = 5
    assert _value(metrics.exposition().decode(), 'hushdesk_sessions_active{role="admin"}') == 5

    def broken():
        raise OSError("store gone")

    assert "hushdesk_sessions_active{" not in Metrics(sessions=broken).exposition().decode()


@pytest.mark.parametrize("access", ["loopback", "token", "off"])
def test_metrics_are_served_only_as_the_setting_says(tmp_path, engine, access):
    async def run():
        runtime, app = await _site(tmp_path, engine, HUSHDESK_METRICS_ACCESS=access)
        try:
            async with _client(app) as local, _client(app, ELSEWHERE) as remote:
                if access == "off":
                    assert (await local.get("/metrics")).status_code == 404
                    return
                if access == "loopback":
                    assert (await local.get("/metrics")).status_code == 200
                    refused = await remote.get("/metrics")
                    assert refused.status_code == 403 and "hushdesk_" not in refused.text
                    return
                token = metrics_token(runtime.settings)
                assert len(token) >= 32
                for who in (local, remote):  # the token, not the address, decides
                    missing = await who.get("/metrics")
                    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
                    wrong = await who.get("/metrics", headers={"Authorization": "Bearer " + "x" * len(token)})
                    assert wrong.status_code == 401 and "hushdesk_" not in wrong.text
                    right = await who.get("/metrics", headers={"Authorization": f"Bearer {token}"})
                    assert right.status_code == 200 and "hushdesk_engine_up 1.0" in right.text
                # Rotating it in the key file takes effect at the next start; the key file keeps its mode.
                assert metrics_token(runtime.settings, rotate=True) != token
                assert (runtime.settings.key_file_path.stat().st_mode & 0o777) == 0o600
        finally:
            await runtime.stop()

    asyncio.run(run())


def test_the_monitor_command_waits_for_liveness_and_names_the_readiness_reason(tmp_path, engine):
    """`python -m services.ops.monitor` against a real server (uvicorn serving the routes, a real socket)."""
    import subprocess
    import sys

    import uvicorn

    from tests.support.process import ROOT, base_env, free_port

    port = free_port()
    url = f"http://127.0.0.1:{port}"

    def monitor(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "services.ops.monitor", *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=60, env=base_env(tmp_path / "data"))

    assert monitor("live", "--url", url).returncode == 1  # nothing there yet
    result: dict = {}

    async def serve():
        runtime, app = await _site(tmp_path, engine, HUSHDESK_AUDIT_MIN_FREE_MB=str(2**40))
        server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
        task = asyncio.create_task(server.serve())
        try:
            result["live"] = await asyncio.to_thread(monitor, "live", "--url", url, "--wait", "30")
            result["ready"] = await asyncio.to_thread(monitor, "ready", "--url", url)
        finally:
            server.should_exit = True
            await task
            await runtime.stop()

    asyncio.run(serve())
    assert result["live"].returncode == 0, result["live"].stderr
    assert result["ready"].returncode == 1 and result["ready"].stderr.strip() == "hushdesk is not ready: disk_low"
    first = monitor("token")
    assert first.returncode == 0 and len(first.stdout.strip()) >= 32
    assert monitor("token").stdout == first.stdout  # kept
    assert monitor("token", "--rotate").stdout != first.stdout
