"""Reveal, output policy and configured order numbers, over whole turns against the fake engine process.

The staff member sees their own values back where the reply uses their placeholders; the engine,
the history, the audit store and the logs only ever hold placeholders. Values first seen in a reply
are never revealed, a blocked label stops the reply where it appears, and placeholders belong to
one conversation.
"""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from services.ops.bootstrap import ensure_initialised
from services.config import load_settings
from services.errors import ReplyBlocked
from services.logs import configure_logging
from services.runtime import Runtime
from redaction import escape_placeholders
from tests.support.engine_server import ECHO_PREFIX, ID_VALUE, PH_REPLY

PHONE = "13812345678"
EMAIL = "zhang.wei@example.com"
ECHO_MESSAGE = f"客户手机{PHONE}，邮箱{EMAIL} [[echo]]"
REPLY_PII = ("13912345678", "alice.wong@example.com", "ORD-87654321")  # what [[pii]] replies with


def make_settings(tmp_path, url, **extra):
    env = {"HUSHDESK_DATA_DIR": str(tmp_path / "data"), "HUSHDESK_ENGINE": "external",
           "HUSHDESK_ENGINE_URL": url, "HUSHDESK_MODEL_NAME": "fake-model", **extra}
    settings = load_settings(env, dotenv=False)
    ensure_initialised(settings)
    return settings


async def run_script(settings, script):
    """Run `script`, a list of (conversation name, text) or (conversation name, "clear").

    Returns the runtime (stopped), the conversations by name and, per turn, (result, shown pieces).
    """
    runtime = Runtime.open(settings)
    await runtime.start()
    await runtime.wait_ready(10)
    convs = {}
    results = []
    try:
        for name, text in script:
            conv = convs.get(name)
            if conv is None:
                conv = convs[name] = runtime.conversation(f"chainlit-session-{name}", "alice.staff", "staff")
            if text == "clear":
                conv.clear()
                continue
            shown: list[str] = []

            async def on_text(piece, shown=shown):
                shown.append(piece)

            results.append((await runtime.chat.turn(conv, text, on_text), shown))
    finally:
        await runtime.stop()
    return runtime, convs, results


def run(settings, script):
    return asyncio.run(run_script(settings, script))


def sent_since(fake_engine, before):
    """The last user message of each request the engine received since `before`."""
    return [json.loads(b)["messages"][-1]["content"] for b in fake_engine.requests()[before:]]


def turn_rows(runtime):
    return [r for r in runtime.audit.tail(50) if r["kind"] == "turn"]


def test_reveal_shows_staff_their_own_values_and_nothing_else_holds_them(tmp_path, fake_engine, caplog):
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    settings = make_settings(tmp_path, fake_engine.base_url)
    assert settings.reveal_placeholders is True  # the default
    before = len(fake_engine.requests())
    runtime, convs, [(result, shown)] = run(settings, [("a", ECHO_MESSAGE)])
    assert result.outcome == "ok" and result.error is None
    # The engine received placeholders only.
    bodies = fake_engine.requests()[before:]
    assert len(bodies) == 1
    assert PHONE.encode() not in bodies[0] and EMAIL.encode() not in bodies[0]
    (sent,) = sent_since(fake_engine, before)
    assert sent == "客户手机[PHONE_1]，邮箱[EMAIL_1] [[echo]]"
    # The echo streamed in small pieces (placeholders split across them) and the staff saw their values.
    # (A placeholder that ends a piece waits for the next one: it must not turn out to be before `@`.)
    assert len(shown) >= 5
    text = "".join(shown)
    assert text == f"{ECHO_PREFIX}客户手机{PHONE}，邮箱{EMAIL}"
    # The reply kept, and the history, hold placeholders only.
    assert result.reply == f"{ECHO_PREFIX}客户手机[PHONE_1]，邮箱[EMAIL_1]"
    history = json.dumps(convs["a"].history, ensure_ascii=False)
    assert "[PHONE_1]" in history and "[EMAIL_1]" in history
    assert convs["a"].history[-1] == {"role": "assistant", "content": result.reply}
    assert dict(result.record.redactions_in) == {"PHONE": 1, "EMAIL": 1}
    assert dict(result.record.redactions_out) == {}  # placeholders in a reply are not PII
    # Nothing at rest or in the logs holds a value (revealed or not).
    rows = turn_rows(runtime)
    assert rows and rows[-1]["outcome"] == "ok"
    blobs = {p.name: p.read_bytes() for p in settings.data_dir.iterdir() if p.name.startswith("audit.db")}
    assert "audit.db" in blobs
    blobs["rows"] = json.dumps(rows, ensure_ascii=False, default=str).encode()
    blobs["logs"] = caplog.text.encode()
    blobs["repr"] = repr(convs["a"].placeholders).encode()
    for name, blob in blobs.items():
        for needle in (PHONE, EMAIL, "客户手机", "alice.staff"):
            assert needle.encode() not in blob, f"{needle!r} found in {name}"


def test_reveal_off_shows_placeholders(tmp_path, fake_engine):
    settings = make_settings(tmp_path, fake_engine.base_url, HUSHDESK_REVEAL_PLACEHOLDERS="false")
    assert settings.reveal_placeholders is False
    _, convs, [(result, shown)] = run(settings, [("a", ECHO_MESSAGE)])
    assert result.outcome == "ok"
    text = "".join(shown)
    assert text == result.reply == f"{ECHO_PREFIX}客户手机[PHONE_1]，邮箱[EMAIL_1]"
    assert PHONE not in text and EMAIL not in text


@pytest.mark.parametrize("typed, masked", [
    ("请查一下 [[pii]]", ("[PHONE_1]", "[EMAIL_1]", "[ORDER_ID_1]")),
    # The staff's own phone and order take the first numbers; the reply's own values are new ones.
    (f"客户手机{PHONE} 订单ORD-12345678 [[pii]]", ("[PHONE_2]", "[EMAIL_1]", "[ORDER_ID_2]")),
])
def test_values_first_seen_in_a_reply_are_never_revealed(tmp_path, fake_engine, typed, masked):
    settings = make_settings(tmp_path, fake_engine.base_url)  # reveal on
    _, convs, results = run(settings, [("a", typed), ("a", f"{' '.join(masked)} [[echo]]")])
    (first, shown1), (second, shown2) = results
    assert first.outcome == "ok" and second.outcome == "ok"
    text = "".join(shown1)
    for value in REPLY_PII:
        assert value not in text
    for placeholder in masked:
        assert placeholder in text
    assert PHONE not in text  # the reply did not use the staff's placeholder
    assert dict(first.record.redactions_out) == {"PHONE": 1, "EMAIL": 1, "ORDER_ID": 1}
    # Later, even when the staff types the reply's placeholders, they stay masked (typed shapes reach
    # the model escaped, so they are never the vault's placeholders).
    echoed = "".join(shown2)
    assert echoed == ECHO_PREFIX + escape_placeholders(" ".join(masked))
    for value in REPLY_PII:
        assert value not in json.dumps(convs["a"].history, ensure_ascii=False)


def test_a_blocked_label_stops_the_reply_where_it_appears(tmp_path, fake_engine):
    settings = make_settings(tmp_path, fake_engine.base_url, HUSHDESK_OUTPUT_POLICY="CN_ID=block")
    runtime, convs, [(result, shown)] = run(settings, [("a", "查身份证 [[id]]")])
    assert result.outcome == "reply_blocked"
    assert isinstance(result.error, ReplyBlocked)
    assert result.error.message == ReplyBlocked.default_message
    assert result.error.message == ("The reply was withheld because it contained personal data that "
                                    "may not be shown.")
    text = "".join(shown)
    assert text.startswith("Before anything else")  # what came before streamed first
    assert ID_VALUE not in text and "[CN_ID_1]" not in text and "After" not in text
    assert ID_VALUE not in result.reply and "After" not in result.reply
    assert convs["a"].history == []  # the blocked reply is not kept
    row = turn_rows(runtime)[-1]
    assert row["outcome"] == "reply_blocked"
    assert row["redactions_out"] == {"CN_ID": 1}
    assert dict(result.record.redactions_out) == {"CN_ID": 1}


def test_a_blocked_label_is_never_revealed_even_when_staff_typed_it(tmp_path, fake_engine):
    settings = make_settings(tmp_path, fake_engine.base_url, HUSHDESK_OUTPUT_POLICY="CN_ID=block")
    typed_id = "110101199003071234"
    _, _, [(result, shown)] = run(settings, [("a", f"身份证{typed_id}，手机{PHONE} [[echo]]")])
    assert result.outcome == "ok"  # the reply only repeats placeholders: nothing to block
    text = "".join(shown)
    assert typed_id not in text and "[CN_ID_1]" in text
    assert PHONE in text  # other labels are still revealed


def test_without_a_policy_the_same_reply_is_masked(tmp_path, fake_engine):
    settings = make_settings(tmp_path, fake_engine.base_url)
    runtime, convs, [(result, shown)] = run(settings, [("a", "查身份证 [[id]]")])
    assert result.outcome == "ok" and result.error is None
    text = "".join(shown)
    assert ID_VALUE not in text
    assert "The ID is [CN_ID_1]. After that, nothing more." in text
    assert dict(result.record.redactions_out) == {"CN_ID": 1}
    assert ID_VALUE not in json.dumps(convs["a"].history)
    assert turn_rows(runtime)[-1]["outcome"] == "ok"


def test_configured_order_patterns_redact_before_the_engine(tmp_path, fake_engine):
    settings = make_settings(tmp_path, fake_engine.base_url,
                             HUSHDESK_ORDER_ID_PATTERNS="ORD-[0-9]{8} TK[0-9]{6}")
    before = len(fake_engine.requests())
    _, _, results = run(settings, [("a", "工单TK123456"), ("a", "订单ORD-12345678，工单tk123456")])
    assert [r.outcome for r, _ in results] == ["ok", "ok"]
    first, second = sent_since(fake_engine, before)
    assert first == "工单[ORDER_ID_1]"
    # The default pattern still applies; a pattern matches in any case, the same value is the same number.
    assert second == "订单[ORDER_ID_2]，工单[ORDER_ID_1]"
    assert b"TK123456" not in b"".join(fake_engine.requests()[before:]).upper()


def test_placeholders_belong_to_one_conversation(tmp_path, fake_engine):
    settings = make_settings(tmp_path, fake_engine.base_url)
    other = "13900001111"
    before = len(fake_engine.requests())
    _, convs, results = run(settings, [
        ("a", f"客户手机{PHONE} [[echo]]"),
        ("b", "what is on file [[ph]]"),           # the model writes [PHONE_1]: b cannot reveal a's value
        ("b", f"另一个手机{other} [[echo]]"),       # b numbers from 1 again
        ("a", "what is on file [[ph]]"),           # a still can
    ])
    assert [r.outcome for r, _ in results] == ["ok"] * 4
    shown = ["".join(s) for _, s in results]
    assert shown[0] == f"{ECHO_PREFIX}客户手机{PHONE}"
    assert shown[1] == PH_REPLY
    assert shown[2] == f"{ECHO_PREFIX}另一个手机{other}"
    assert shown[3] == PH_REPLY.replace("[PHONE_1]", PHONE)
    sent = sent_since(fake_engine, before)
    assert sent[0] == "客户手机[PHONE_1] [[echo]]"
    assert sent[2] == "另一个手机[PHONE_1] [[echo]]"
    b_history = json.dumps(convs["b"].history, ensure_ascii=False)
    assert PHONE not in b_history and other not in b_history


def test_clear_forgets_the_values(tmp_path, fake_engine):
    settings = make_settings(tmp_path, fake_engine.base_url)
    before = len(fake_engine.requests())
    _, convs, results = run(settings, [
        ("a", f"客户手机{PHONE} [[echo]]"),
        ("a", "clear"),
        ("a", "what is on file [[ph]]"),
        ("a", "号码13900001111 [[echo]]"),
    ])
    assert [r.outcome for r, _ in results] == ["ok"] * 3
    shown = ["".join(s) for _, s in results]
    assert shown[0] == f"{ECHO_PREFIX}客户手机{PHONE}"
    assert shown[1] == PH_REPLY  # the value is gone
    assert shown[2] == f"{ECHO_PREFIX}号码13900001111"
    sent = sent_since(fake_engine, before)
    assert sent[2] == "号码[PHONE_1] [[echo]]"  # numbering restarted
    after_clear = json.loads(fake_engine.requests()[before:][1])["messages"]
    assert [m["role"] for m in after_clear] == ["system", "user"]  # the history went too
    assert PHONE not in json.dumps(convs["a"].history)
