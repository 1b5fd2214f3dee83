"""Whole-turn streaming cost: hushdesk's turn (redact in, stream, redact out, audit) against the
same fake engine read directly by a lean client (aiohttp, one `json.loads` a chunk), both as fast as
they can."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
from pathlib import Path

import aiohttp

from bench.lean import lean_read

from services.ops.bootstrap import ensure_initialised
from services.config import load_settings
from services.runtime import Runtime
from tests.support.engine import FakeEngine

TOKENS = 2000
ROUNDS = 30
PROMPT = "客户手机13812345678，邮箱zhang.wei@example.com，订单ORD-12345678，请帮忙查询物流。"


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def _direct(client: aiohttp.ClientSession, url: str) -> tuple[float, float, int]:
    """The engine read by the lean client (bench/lean.py)."""
    r = await lean_read(client, url, {"model": "fake-model", "messages": [{"role": "user", "content": PROMPT}],
                                      "stream": True, "stream_options": {"include_usage": True}})
    n = len(r.parts)
    return (r.first - r.started) * 1000, n / (r.ended - r.first), n


async def _turn(runtime: Runtime, i: int) -> tuple[float, float, int]:
    conv = runtime.conversation(f"bench-{i}", "bench-user", "staff")
    marks: list[float] = []

    async def on_text(piece: str) -> None:
        marks.append(time.perf_counter())

    t0 = time.perf_counter()
    result = await runtime.chat.turn(conv, PROMPT, on_text)
    assert result.outcome == "ok", result.outcome
    n = result.record.completion_tokens
    return (marks[0] - t0) * 1000, n / (marks[-1] - marks[0]), n


async def _measure(engine: FakeEngine, data_dir: Path) -> dict:
    settings = load_settings({"HUSHDESK_DATA_DIR": str(data_dir), "HUSHDESK_ENGINE": "external",
                              "HUSHDESK_ENGINE_URL": engine.base_url,
                              "HUSHDESK_MODEL_NAME": "fake-model",
                              "HUSHDESK_MAX_OUTPUT_TOKENS": str(TOKENS + 10),
                              # Paired rounds send far more than a person would: no per-user rate here.
                              "HUSHDESK_MESSAGES_PER_MINUTE": "1000000"}, dotenv=False)
    ensure_initialised(settings)
    runtime = Runtime.open(settings)
    await runtime.start()
    await runtime.wait_ready(10)
    client = aiohttp.ClientSession(trust_env=False)
    direct, turn = [], []
    try:
        await _direct(client, engine.base_url)
        await _turn(runtime, -1)  # warm both paths
        for i in range(ROUNDS):  # interleaved so machine noise hits both alike
            direct.append(await _direct(client, engine.base_url))
            turn.append(await _turn(runtime, i))
    finally:
        await client.close()
        await runtime.stop()
    d_ttft = statistics.median(x[0] for x in direct)
    t_ttft = statistics.median(x[0] for x in turn)
    d_tps = statistics.median(x[1] for x in direct)
    t_tps = statistics.median(x[1] for x in turn)
    # Each round's turn is compared with the direct read just before it, so slow drift of the
    # machine (two cores shared with the engine process) cancels out of the ratio.
    paired = [t[1] / d[1] for d, t in zip(direct, turn)]
    return {
        "rounds": ROUNDS, "tokens": TOKENS,
        "direct_ttft_ms": d_ttft, "turn_ttft_ms": t_ttft, "ttft_added_ms": t_ttft - d_ttft,
        "ttft_added_p95_ms": _pct([t[0] - d[0] for d, t in zip(direct, turn)], 0.95),
        "direct_tps": d_tps, "turn_tps": t_tps, "tps_ratio": statistics.median(paired),
        "tps_ratio_p25": _pct(paired, 0.25), "tps_ratio_p75": _pct(paired, 0.75),
    }


def run() -> dict:
    """Measure and return the figures."""
    with tempfile.TemporaryDirectory() as tmp:
        engine = FakeEngine(Path(tmp), tokens=TOKENS)
        try:
            return asyncio.run(_measure(engine, Path(tmp) / "data"))
        finally:
            engine.stop()


def report(r: dict) -> str:
    """The Markdown section for docs/BENCHMARKS.md."""
    ok_ratio = "met" if r["tps_ratio"] >= 0.95 else "NOT met"
    ok_ttft = "met" if r["ttft_added_ms"] <= 20 else "NOT met"
    return f"""## Whole turn vs. the engine read directly (issue 2)

Fake OpenAI-compatible engine (real HTTP process, {r['tokens']} tokens per reply, no delay), read
directly by a lean client (aiohttp, one `json.loads` a chunk) and through `ChatService.turn` (input
redaction, the engine client, streaming output redaction, audit row). {r['rounds']} interleaved rounds; medians; the ratio is
the median over rounds of (turn tokens/s ÷ direct tokens/s of the read just before it).

| figure | direct | through the turn | result | goal |
|---|---|---|---|---|
| tokens/s (first to last token) | {r['direct_tps']:,.0f} | {r['turn_tps']:,.0f} | ratio **{r['tps_ratio']:.3f}** (median of paired rounds; quartiles {r['tps_ratio_p25']:.3f}–{r['tps_ratio_p75']:.3f}) | ≥ 0.95 ({ok_ratio}) |
| time to first token, median | {r['direct_ttft_ms']:.2f} ms | {r['turn_ttft_ms']:.2f} ms | added **{r['ttft_added_ms']:.2f} ms** (p95 {r['ttft_added_p95_ms']:.2f} ms) | ≤ 20 ms ({ok_ttft}) |

Where the time goes (profiled while tuning, not re-measured by each run): the engine client reads
the stream as the baseline does (issue 16 replaced the OpenAI SDK there, whose pydantic object per
chunk had been about 70% of the client's CPU); what remains is hushdesk's own work a token, mostly
the streaming redactor (6-10 µs a token on real prose with the twelve built-in labels, up to about
9 µs on this synthetic `tok tok …` stream). Runs on this shared 2-core machine vary by ±2%.
"""
