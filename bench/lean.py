"""The baseline reader of the benchmarks: the engine's stream read with as little client work as can
be (aiohttp's C HTTP parser, one `json.loads` a chunk), so what it measures is the engine's own timing."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import aiohttp

__all__ = ["LeanRead", "lean_read"]


@dataclass(frozen=True)
class LeanRead:
    """One streamed completion: its HTTP status, the content deltas, and when (perf_counter) it was
    sent, its first delta arrived (None: none did) and it ended."""

    status: int
    parts: tuple[str, ...]
    started: float
    first: float | None
    ended: float


async def lean_read(client: aiohttp.ClientSession, url: str, body: dict) -> LeanRead:
    """POST `body` to `url`/chat/completions and read the stream to its end."""
    parts: list[str] = []
    first = None
    started = time.perf_counter()
    async with client.post(url + "/chat/completions", json=body) as response:
        if response.status == 200:
            async for line in response.content:
                if not line.startswith(b"data: ") or line.startswith(b"data: [DONE]"):
                    continue
                choices = json.loads(line[6:]).get("choices")
                text = choices[0]["delta"].get("content") if choices else None
                if text:
                    if first is None:
                        first = time.perf_counter()
                    parts.append(text)
    return LeanRead(response.status, tuple(parts), started, first, time.perf_counter())
