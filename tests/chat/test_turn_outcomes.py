"""Every outcome of a turn comes back in TurnResult: role and consent refusals before anything runs (no
engine call, no audit row), an audit trail that cannot be written (returned with `retract`), and a
session that ends is audited once by the registry's `on_end`. Real SQLCipher store, real audit writer;
the engine is a closed port (nothing may reach it)."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from services.audit import AuditLog
from services.auth.sessions import SessionRegistry, SessionStore
from services.auth.signin import SessionEndAudit
from services.auth.users import UserStore
from services.chat import ChatService, ConsentRequired, Conversation, RoleCannotChat, TurnPolicy
from services.config import load_settings
from services.engine.client import LLMClient
from services.engine.specs import Endpoint
from services.errors import AuditUnavailable
from services.ops.bootstrap import ensure_initialised
from services.store import transaction
from tests.support.process import free_port, make_token

HASH = "h" * 64


def _store(tmp: Path):
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp / "data"), "HUSHDESK_ENGINE": "external",
                              "HUSHDESK_ENGINE_URL": f"http://127.0.0.1:{free_port()}/v1"}, dotenv=False)
    keys, engine, _ = ensure_initialised(settings)
    return keys, engine


def _rows(engine, kind: str | None = None) -> int:
    with transaction(engine) as conn:
        if kind is None:
            return int(conn.exec_driver_sql("SELECT COUNT(*) FROM audit_events").scalar())
        return int(conn.exec_driver_sql("SELECT COUNT(*) FROM audit_events WHERE kind = ?", (kind,)).scalar())


def _chat(audit: AuditLog) -> ChatService:
    closed = Endpoint(f"http://127.0.0.1:{free_port()}/v1", "none", "m")  # nothing listens there
    llm = LLMClient(lambda: closed, request_timeout=2, max_tokens=16, temperature=0)
    return ChatService(llm, audit, TurnPolicy(system_prompt="s", max_input_chars=100, history_turns=2))


def test_role_and_consent_refusals_come_back_before_anything_runs(tmp_path: Path) -> None:
    keys, engine = _store(tmp_path)
    audit = AuditLog(engine, keys.chain_key)
    audit.start()
    shown: list[str] = []

    async def sink(piece: str) -> None:
        shown.append(piece)

    async def run():
        chat = _chat(audit)
        return [await chat.turn(None, "hello", sink),
                await chat.turn(Conversation(HASH, HASH, "auditor"), "hello", sink),
                await chat.turn(Conversation(HASH, HASH, "staff", consent_pending=True), "hello", sink)]

    try:
        before = _rows(engine)
        nobody, auditor, pending = asyncio.run(run())
        audit.close()
        after = _rows(engine)
    finally:
        engine.dispose()
    assert isinstance(nobody.error, RoleCannotChat) and isinstance(auditor.error, RoleCannotChat)
    assert isinstance(pending.error, ConsentRequired)
    assert all(r.record is None and r.seq is None and not r.retract for r in (nobody, auditor, pending))
    assert after == before and shown == []


def test_a_trail_that_cannot_be_written_is_returned_with_retract(tmp_path: Path) -> None:
    keys, engine = _store(tmp_path)
    audit = AuditLog(engine, keys.chain_key)  # never started: its writer is not alive

    async def sink(piece: str) -> None:
        raise AssertionError("nothing may be shown")

    try:
        result = asyncio.run(_chat(audit).turn(Conversation(HASH, HASH, "staff"), "hello", sink))
    finally:
        engine.dispose()
    assert isinstance(result.error, AuditUnavailable) and result.retract and result.record is None
    assert result.outcome == "audit_unavailable"


def test_an_ended_session_is_audited_once_whoever_notices(tmp_path: Path) -> None:
    keys, engine = _store(tmp_path)
    audit = AuditLog(engine, keys.chain_key)
    audit.start()
    now = [time.time()]
    store = SessionStore(engine, keys.pepper)
    registry = SessionRegistry(store, keys.auth_secret, idle_seconds=60, max_seconds=3600, clock=lambda: now[0],
                               on_end=SessionEndAudit(audit, store))
    registry.load()
    try:
        UserStore(engine).provision("clerk", "staff", "test")
        token = make_token(keys.auth_secret, "clerk", registry.begin("clerk", "staff"))
        assert registry.check(token).ok
        now[0] += 61
        verdicts = [registry.check(token), registry.check(token, touch=False), registry.check(token)]
        audit.close()
        ended = _rows(engine, "session_end")
    finally:
        engine.dispose()
    assert [v.newly_ended for v in verdicts] == [True, False, False]
    assert all(not v.ok for v in verdicts)
    assert ended == 1
