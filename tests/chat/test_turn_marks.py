"""What the page may show of each sent message, and "something was not masked", over whole turns against
the fake engine process: the text the model received and the values masked in it are kept per turn in
memory; a reported miss takes that exchange out of the history, masks the missed text from then on and
is audited with its label only.
"""

from __future__ import annotations

import asyncio
import json
import logging

from services.logs import configure_logging
from services.runtime import Runtime
from tests.chat.test_turn_redaction import make_settings, sent_since

PHONE, NAME, MEMBER = "13812345678", "张伟", "蓝鲸会员"


async def _script(settings, steps):
    """steps: ("say", turn id, text) or ("miss", turn id, label, text); returns runtime, conv, outcomes."""
    runtime = Runtime.open(settings)
    await runtime.start()
    await runtime.wait_ready(10)
    conv = runtime.conversation("chainlit-session-m", "alice.staff", "staff", login_sid="login-1")
    out = []

    async def ignore(piece):
        return None

    try:
        for step in steps:
            if step[0] == "say":
                out.append(await runtime.chat.turn(conv, step[2], ignore, turn_id=step[1]))
            else:
                out.append(await runtime.chat.report_miss(conv, *step[1:]))
    finally:
        await runtime.stop()
    return runtime, conv, out


def run(settings, steps):
    return asyncio.run(_script(settings, steps))


def test_each_turn_keeps_what_the_model_saw_and_the_values_masked(tmp_path, fake_engine):
    settings = make_settings(tmp_path, fake_engine.base_url)
    runtime, conv, [first, second] = run(settings, [("say", "t1", f"客户{NAME}，手机{PHONE}"),
                                                    ("say", "t2", f"{NAME}又来电话了")])
    assert first.shown.turn == "t1" and first.shown.sent == "客户[PERSON_1]，手机[PHONE_1]"
    assert [(m.placeholder, m.label, m.value) for m in first.shown.marks] == [
        ("[PERSON_1]", "PERSON", NAME), ("[PHONE_1]", "PHONE", PHONE)]
    assert [(m.placeholder, m.value) for m in second.shown.marks] == [("[PERSON_1]", NAME)]  # the same value
    assert [s.turn for s in conv.shown] == ["t1", "t2"] and conv.turn_ids == ["t1", "t2"]
    assert len(conv.history) == 4
    # Only the login session that owns the conversation finds it.
    assert runtime.conversations_of("login-1") == [conv]
    assert runtime.conversations_of("login-2") == [] and runtime.conversations_of("") == []
    conv.clear()
    assert not conv.shown and not conv.turn_ids and not conv.masks


def test_a_reported_miss_leaves_the_history_masks_from_then_on_and_is_audited_without_text(
        tmp_path, fake_engine, caplog):
    configure_logging("DEBUG")
    caplog.set_level(logging.DEBUG)
    settings = make_settings(tmp_path, fake_engine.base_url)
    before = len(fake_engine.requests())
    runtime, conv, out = run(settings, [
        ("say", "t1", "第一条消息"),
        ("say", "t2", f"{MEMBER}的卡号要退款"),
        ("say", "t3", "第三条消息"),
        ("miss", "t2", "CUSTOM", MEMBER),
        ("say", "t4", f"{MEMBER}还在吗"),
        ("miss", "t4", "NOT_A_LABEL", ""),
        ("miss", "nope", "PERSON", ""),
        ("miss", "t4", "PERSON", "x" * 201),
    ])
    assert out[3] is True and out[5:] == [False, False, False]
    # t2 is out of the history: t4's request holds t1 and t3 only, and the member number as a placeholder.
    last = json.loads(fake_engine.requests()[-1])["messages"]
    contents = [m["content"] for m in last if m["role"] == "user"]
    assert contents == ["第一条消息", "第三条消息", "[CUSTOM_1]还在吗"]
    assert MEMBER not in json.dumps(last, ensure_ascii=False)
    assert sent_since(fake_engine, before)[-1] == "[CUSTOM_1]还在吗"
    assert conv.turn_ids == ["t1", "t3", "t4"]
    # The page shows the hand-made mask like any other.
    assert [(m.placeholder, m.value) for m in out[4].shown.marks] == [("[CUSTOM_1]", MEMBER)]
    rows = runtime.audit.tail(20)
    [miss] = [r for r in rows if r["kind"] == "redaction_miss_reported"]
    assert miss["outcome"] == "CUSTOM" and miss["user_hash"] == conv.user_hash
    assert miss["session_hash"] == conv.session_hash
    turn4 = [r for r in rows if r["kind"] == "turn"][-1]
    assert turn4["redactions_in"] == {"CUSTOM": 1}
    everything = json.dumps(rows, ensure_ascii=False) + caplog.text
    assert MEMBER not in everything and "退款" not in everything
    # The dashboard's rollups count it, by label, in the same transaction as the row.
    from services.store import transaction

    with transaction(runtime.audit.engine) as conn:
        misses = conn.exec_driver_sql("SELECT label, n FROM rollup_redaction_days WHERE direction = 'miss'").all()
    assert [tuple(m) for m in misses] == [("CUSTOM", 1)]


def test_a_turn_without_an_id_keeps_nothing_for_a_page(tmp_path, fake_engine):
    settings = make_settings(tmp_path, fake_engine.base_url)
    _, conv, [result] = run(settings, [("say", "", f"手机{PHONE}")])
    assert result.shown is None and not conv.shown


async def _checked(settings, fake_engine):
    runtime = Runtime.open(settings)
    await runtime.start()
    await runtime.wait_ready(10)
    conv = runtime.conversation("chainlit-session-c", "alice.staff", "staff", login_sid="login-c")
    shown: list[str] = []

    async def on_text(piece):
        shown.append(piece)

    try:
        assert conv.check is True  # HUSHDESK_CHECK_BEFORE_SENDING
        before = len(fake_engine.requests())
        first = runtime.chat.preview(conv, f"会员{MEMBER}，手机{PHONE} [[echo]]", "p1")
        masked = runtime.chat.mask_pending(conv, "p1", MEMBER, "CUSTOM")
        refused = [runtime.chat.mask_pending(conv, "p1", MEMBER, "NOPE"), runtime.chat.mask_pending(conv, "zz", "x", "CUSTOM"),
                   runtime.chat.mask_pending(conv, "p1", "  ", "CUSTOM")]
        waited = len(fake_engine.requests()) - before
        result = await runtime.chat.send_pending(conv, "p1", on_text)
        again = await runtime.chat.send_pending(conv, "p1", on_text)
        runtime.chat.preview(conv, "不发了", "p2")
        dropped = conv.cancel("p2")
        rows = runtime.audit.tail(20)
    finally:
        await runtime.stop()
    return conv, first, masked, refused, waited, result, again, dropped, rows, before, "".join(shown)


def test_check_before_sending(tmp_path, fake_engine):
    settings = make_settings(tmp_path, fake_engine.base_url, HUSHDESK_CHECK_BEFORE_SENDING="true")
    conv, first, masked, refused, waited, result, again, dropped, rows, before, shown = asyncio.run(
        _checked(settings, fake_engine))
    assert first.pending and first.sent == f"会员{MEMBER}，手机[PHONE_1] [[echo]]"
    assert masked.pending and masked.sent == "会员[CUSTOM_1]，手机[PHONE_1] [[echo]]"
    assert [m.value for m in masked.marks] == [MEMBER, PHONE]
    assert refused == [None, None, None] and waited == 0  # nothing reached the engine while it waited
    assert result.outcome == "ok" and not result.shown.pending
    assert sent_since(fake_engine, before) == ["会员[CUSTOM_1]，手机[PHONE_1] [[echo]]"]
    assert MEMBER in shown and PHONE in shown  # the staff member's screen shows their values back
    assert again is None and dropped is True
    assert [s.turn for s in conv.shown] == ["p1"] and conv.pending == {}  # one entry per message
    assert [r["kind"] for r in rows].count("turn") == 1  # a cancelled message is never a turn


def test_the_setting_and_each_conversation_choose(tmp_path, fake_engine):
    from services.chat import ChatService

    settings = make_settings(tmp_path, fake_engine.base_url)
    assert settings.check_before_sending is False
    runtime = Runtime.open(settings)
    conv = runtime.conversation("s", "alice.staff", "staff")
    assert conv.check is False
    ChatService.choose(conv, {"check": True})
    assert conv.check is True
    ChatService.choose(conv, {"check": "yes"})  # the wrong type is ignored
    assert conv.check is True
