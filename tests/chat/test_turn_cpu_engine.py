"""The whole turn with every part real: the runtime generates the demo model, its supervisor launches the
demo engine on it (services/engine/demo_server.py: transformers on the CPU), and a turn streams a reply
through input and output redaction into the encrypted audit store. The reply quotes what the engine
received (the placeholder, never the number), then noise (random weights)."""

from __future__ import annotations

import asyncio

import pytest

from services.ops.bootstrap import ensure_initialised
from services.config import load_settings
from services.runtime import Runtime
from tests.support.standins import alive

pytestmark = pytest.mark.engine


@pytest.mark.timeout(240)
def test_turn_through_the_real_cpu_engine(tmp_path):
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data"),
                              "HUSHDESK_ENGINE": "transformers",
                              "HUSHDESK_MAX_OUTPUT_TOKENS": "24"}, dotenv=False)
    ensure_initialised(settings)

    async def scenario():
        runtime = Runtime.open(settings)
        assert runtime.demo
        await runtime.start()
        try:
            await runtime.wait_ready(180)
            pid = runtime.engine.pid
            conv = runtime.conversation("cpu-session", "carol", "staff")
            pieces: list[str] = []

            async def on_text(piece: str) -> None:
                pieces.append(piece)

            result = await runtime.chat.turn(conv, "我的手机号是13812345678，请回电。", on_text)
            return runtime, pid, result, pieces
        finally:
            await runtime.stop()

    runtime, pid, result, pieces = asyncio.run(scenario())
    assert result.outcome == "ok", result.outcome
    # The engine quoted what it received: the placeholder; the staff member's screen shows their number.
    assert "> 我的手机号是[PHONE_1]，请回电。" in result.reply and "13812345678" not in result.reply
    assert pieces and "".join(pieces) == result.reply.replace("[PHONE_1]", "13812345678")
    assert result.reply.startswith("演示引擎。模型收到的消息是：")
    assert dict(result.record.redactions_in) == {"PHONE": 1}
    assert result.record.completion_tokens and result.record.completion_tokens <= 24
    assert result.record.model == "hushdesk-model"
    assert result.record.ttft_ms is not None
    row = runtime.audit.tail(1)[-1]
    assert row["kind"] == "turn" and row["outcome"] == "ok"
    assert not alive(pid)  # stopping the runtime stopped the engine
