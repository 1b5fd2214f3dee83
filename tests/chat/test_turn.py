"""The whole turn against a fake OpenAI-compatible engine process (the fake is the boundary:
a real model cannot stream fast or misbehave on cue). Proves that PII reaches neither the engine
nor the audit store (DB and WAL bytes) nor any log, and that engine failures are safe and audited."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from services.ops.bootstrap import ensure_initialised
from services.logs import configure_logging
from tests.support.engine_server import DEFAULT_REPLY, tokens_of
from tests.support.process import free_port
from tests.support.turns import run_turns, settings_for

RAW = {
    "phone": "13812345678",
    "email": "zhang.wei@example.com",
    "id": "110101199003071234",
    "order": "ORD-12345678",
    "card": "6222021234567890123",
}
CANARY = "plumtreecanary"  # not PII: proves no prompt text at all reaches logs or the store
MESSAGE = (f"客户手机{RAW['phone']}，邮箱{RAW['email']}，身份证{RAW['id']}，订单{RAW['order']}，"
           f"卡号 {RAW['card']}. {CANARY} 请帮忙查询。")


@pytest.fixture
def initialised(tmp_path, fake_engine):
    settings = settings_for(tmp_path, fake_engine.base_url)
    ensure_initialised(settings)
    return settings


def test_pii_reaches_neither_engine_nor_store_nor_logs(initialised, fake_engine, caplog):
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    before = len(fake_engine.requests())
    runtime, conv, results = asyncio.run(run_turns(initialised, [MESSAGE, f"再确认一下 {RAW['phone']}"]))
    (first, shown1), (second, shown2) = results
    assert first.outcome == "ok" and second.outcome == "ok"
    # The reply streamed in several pieces and arrived whole.
    assert len(shown1) > 3
    assert "".join(shown1) == DEFAULT_REPLY
    assert dict(first.record.redactions_in) == {"PHONE": 1, "EMAIL": 1, "CN_ID": 1, "ORDER_ID": 1,
                                                "BANK_CARD": 1}
    # What the engine received: placeholders, the canary, the system prompt and the history.
    sent = fake_engine.requests()[before:]
    assert len(sent) == 2
    for body in sent:
        for value in RAW.values():
            assert value.encode() not in body
    req1, req2 = (json.loads(b) for b in sent)
    assert req1["messages"][0]["role"] == "system"
    assert "[PHONE_1]" in req1["messages"][-1]["content"] and CANARY in req1["messages"][-1]["content"]
    # Same value, same placeholder; history is the redacted one.
    assert "[PHONE_1]" in req2["messages"][-1]["content"]
    assert req2["messages"][1] == {"role": "user", "content": req1["messages"][-1]["content"]}
    assert req2["messages"][2]["content"] == DEFAULT_REPLY
    # Nothing of the message or the raw identities at rest or in logs.
    data = initialised.data_dir
    blobs = {p.name: p.read_bytes() for p in data.iterdir() if p.name.startswith("audit.db")}
    assert "audit.db" in blobs
    logs = caplog.text.encode()
    for name, blob in [*blobs.items(), ("logs", logs)]:
        for needle in [*RAW.values(), CANARY, "alice.staff", "chainlit-session-0001", "请帮忙查询"]:
            assert needle.encode() not in blob, f"{needle!r} found in {name}"
    rows = runtime.audit.tail(10)
    turns = [r for r in rows if r["kind"] == "turn"]
    assert len(turns) == 2
    assert turns[0]["session_hash"] == conv.session_hash != "chainlit-session-0001"
    assert turns[0]["prompt_tokens"] > 0
    assert turns[0]["completion_tokens"] == len(tokens_of(DEFAULT_REPLY))
    assert turns[0]["ttft_ms"] is not None and turns[0]["latency_ms"] >= turns[0]["ttft_ms"]
    assert turns[0]["outcome"] == "ok" and turns[0]["model"] == "fake-model"


def test_reply_pii_is_redacted_before_it_is_shown(initialised):
    _, conv, results = asyncio.run(run_turns(initialised, [f"订单 {RAW['order']} [[pii]]"]))
    result, shown = results[0]
    text = "".join(shown)
    assert result.outcome == "ok"
    assert "13912345678" not in text and "alice.wong@example.com" not in text
    assert "[PHONE_1]" in text and "[EMAIL_1]" in text
    assert "[ORDER_ID_2]" in text  # a new order number in the reply gets its own placeholder
    assert dict(result.record.redactions_out) == {"PHONE": 1, "EMAIL": 1, "ORDER_ID": 1}
    # Even in the history kept for the next turn the reply is redacted.
    assert "13912345678" not in json.dumps(conv.history)


@pytest.mark.parametrize("marker, outcome", [("[[die]]", "engine_error"), ("[[error]]", "engine_error")])
def test_engine_failure_mid_stream_is_safe_and_audited(initialised, marker, outcome):
    runtime, conv, results = asyncio.run(run_turns(initialised, [f"hello {marker}"]))
    result, shown = results[0]
    assert result.outcome == outcome
    assert result.error is not None and "engine failure" not in result.error.message
    assert result.error.message == "The assistant could not finish its answer. Please try again."
    assert runtime.audit.tail(1)[-1]["outcome"] == outcome
    assert conv.history == []  # a failed turn does not poison the history


def test_engine_timeout(tmp_path, fake_engine):
    settings = settings_for(tmp_path, fake_engine.base_url, HUSHDESK_ENGINE_REQUEST_TIMEOUT="1")
    ensure_initialised(settings)
    runtime, _, results = asyncio.run(run_turns(settings, ["hello [[hang]]"]))
    assert results[0][0].outcome == "engine_timeout"
    assert runtime.audit.tail(1)[-1]["outcome"] == "engine_timeout"


def test_unreachable_engine(tmp_path):
    settings = settings_for(tmp_path, f"http://127.0.0.1:{free_port()}/v1")
    ensure_initialised(settings)
    runtime, _, results = asyncio.run(run_turns(settings, ["hello"]))
    result = results[0][0]
    assert result.outcome == "engine_unavailable"
    assert result.error.message.startswith("The assistant is not available")
    assert runtime.audit.tail(1)[-1]["outcome"] == "engine_unavailable"


@pytest.mark.parametrize("text, message", [
    ("x" * 8001, "That message is too long: 8000 characters at most."),
    ("   \n ", "Please type a message."),
    ("\x00\x01\x02", "Please type a message."),
])
def test_bad_input_is_refused_before_the_engine(initialised, fake_engine, text, message):
    before = len(fake_engine.requests())
    runtime, _, results = asyncio.run(run_turns(initialised, [text]))
    result = results[0][0]
    assert result.outcome == "rejected_input" and result.error.message == message
    assert len(fake_engine.requests()) == before
    assert runtime.audit.tail(1)[-1]["outcome"] == "rejected_input"


def test_lone_surrogates_and_controls_do_not_break_a_turn(initialised):
    _, _, results = asyncio.run(run_turns(initialised, ["hi \ud800 there \x07 13812345678"]))
    assert results[0][0].outcome == "ok"


@pytest.mark.parametrize("typed, raw", [
    ("１３８１２３４５６７８", "13812345678"),                    # full-width digits (IME full-width mode)
    ("138\u200b1234\u200b5678", "13812345678"),               # zero-width spaces between digits
    ("138\u00a01234\u00a05678", "13812345678"),               # no-break spaces as separators
    ("zhang＠example.com", "zhang@example.com"),              # full-width at sign
    ("ＯＲＤ－１２３４５６７８", "ORD-12345678"),               # full-width order number
    ("4111\u00a01111\u00a01111\u00a01111", "4111111111111111"),
])
def test_disguised_pii_is_folded_and_redacted_before_the_engine(initialised, fake_engine, typed, raw):
    before = len(fake_engine.requests())
    _, _, results = asyncio.run(run_turns(initialised, [f"客户信息：{typed}，请处理"]))
    assert results[0][0].outcome == "ok"
    assert sum(results[0][0].record.redactions_in.values()) == 1
    (body,) = fake_engine.requests()[before:]
    text = json.loads(body)["messages"][-1]["content"]
    assert raw not in text.replace(" ", "").replace("-", "") and typed not in text
    assert "，请处理" in text  # full-width Chinese punctuation is left as typed


def test_a_proxy_in_the_environment_never_sees_engine_traffic(initialised, monkeypatch):
    dead = f"http://127.0.0.1:{free_port()}"  # a proxy that would refuse every connection
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.setenv(name, dead)
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    _, _, results = asyncio.run(run_turns(initialised, ["hello"]))
    assert results[0][0].outcome == "ok"


def test_history_keeps_only_the_turns_that_are_sent(tmp_path, fake_engine):
    settings = settings_for(tmp_path, fake_engine.base_url, HUSHDESK_HISTORY_TURNS="1")
    ensure_initialised(settings)
    before = len(fake_engine.requests())
    _, conv, results = asyncio.run(run_turns(settings, ["one", "two", "three"]))
    assert [r.outcome for r, _ in results] == ["ok"] * 3
    assert [m["content"] for m in conv.history if m["role"] == "user"] == ["three"]
    last = json.loads(fake_engine.requests()[before:][-1])["messages"]
    assert [m["role"] for m in last] == ["system", "user", "assistant", "user"]
    assert last[1]["content"] == "two"


def test_a_conversation_keeps_one_affinity_key_that_is_not_its_audit_hash(tmp_path) -> None:
    """Issue 16 part 4: with HUSHDESK_ENGINE_AFFINITY_HEADER set, every request of one conversation
    carries the same key (a router keeps it on one engine replica), keyed again so that neither the
    session id nor the audit trail's session hash reaches the router; none without the setting."""
    from services.ops.bootstrap import ensure_initialised
    from tests.support.engine import FakeEngine
    from tests.support.turns import run_turns, settings_for

    engine = FakeEngine(tmp_path)
    try:
        settings = settings_for(tmp_path, engine.base_url, HUSHDESK_ENGINE_AFFINITY_HEADER="x-user-id")
        ensure_initialised(settings)[1].dispose()
        _, conv, results = asyncio.run(run_turns(settings, ["first", "second"]))
        assert [r.outcome for r, _ in results] == ["ok", "ok"]
        keys = engine.affinities()
        assert len(keys) == 2 and keys[0] == keys[1] and len(keys[0]) == 32
        assert keys[0] not in conv.session_hash and "chainlit-session-0001" not in keys[0]
        plain = settings_for(tmp_path / "plain", engine.base_url)
        ensure_initialised(plain)[1].dispose()
        asyncio.run(run_turns(plain, ["third"]))
        assert engine.affinities()[2:] == ["-"]
    finally:
        engine.stop()
