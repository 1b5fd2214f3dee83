"""The coalescer: first piece at once, the rest in time slices, nothing lost, nothing after discard."""

from __future__ import annotations

import asyncio

from services.web.coalesce import Coalescer


def test_first_piece_at_once_then_slices_and_all_text_arrives() -> None:
    async def run():
        sent: list[tuple[float, str]] = []
        loop = asyncio.get_running_loop()
        start = loop.time()

        async def emit(text: str) -> None:
            sent.append((loop.time() - start, text))

        c = Coalescer(emit, interval=0.05)
        pieces = [f"p{i} " for i in range(200)]
        for piece in pieces:
            await c.feed(piece)
            await asyncio.sleep(0.001)
        await c.close()
        return sent, "".join(pieces)

    sent, whole = asyncio.run(run())
    assert sent[0] == (sent[0][0], "p0 ") and sent[0][0] < 0.01
    assert "".join(t for _, t in sent) == whole
    assert len(sent) < 40  # ~200 pieces over ~0.3 s in 50 ms slices, not 200 messages


def test_discard_sends_nothing_more() -> None:
    async def run():
        sent: list[str] = []

        async def emit(text: str) -> None:
            sent.append(text)

        c = Coalescer(emit, interval=0.05)
        await c.feed("a")
        await c.feed("b")
        c.discard()
        await asyncio.sleep(0.1)
        await c.close()
        return sent

    assert asyncio.run(run()) == ["a"]
