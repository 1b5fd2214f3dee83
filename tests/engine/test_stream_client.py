"""The engine client (`services.engine.client.LLMClient`) reads the OpenAI streaming protocol itself
(aiohttp, one `json.loads` a chunk: issue 16). Each row is a response a real or broken engine can send,
served byte for byte by a small HTTP server on a real loopback socket, and what the client must make
of it: the text deltas and usage, or one of our fixed-message errors (never the engine's text)."""

from __future__ import annotations

import asyncio
import json
import logging

import pytest

from services.engine.client import LLMClient
from services.engine.specs import Endpoint
from services.errors import EngineError, EngineTimeout, EngineUnavailable
from tests.support.process import free_port


def _event(obj) -> bytes:
    return b"data: " + json.dumps(obj).encode() + b"\n\n"


def _delta(text) -> bytes:
    return _event({"choices": [{"index": 0, "delta": {"content": text}, "finish_reason": None}]})


USAGE = _event({"choices": [], "usage": {"prompt_tokens": 7, "completion_tokens": 3, "total_tokens": 10}})
DONE = b"data: [DONE]\n\n"
SECRET = "engine-internal-detail-4711"


class _Server:
    """Answers every request with `status` and `body` (chunked), then closes; records the requests."""

    def __init__(self, body: bytes, status: int = 200, *, stall: float = 0.0) -> None:
        self.body, self.status, self.stall = body, status, stall
        self.requests: list[tuple[str, dict, bytes]] = []
        self.port = free_port()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        headers = {k.lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        self.requests.append((lines[0], headers, body))
        writer.write(f"HTTP/1.1 {self.status} X\r\nContent-Type: text/event-stream\r\n"
                     "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n".encode())
        for part in (self.body[:40], self.body[40:]):  # an event split across reads
            if part:
                writer.write(f"{len(part):x}\r\n".encode() + part + b"\r\n")
                await writer.drain()
                if self.stall:
                    await asyncio.sleep(self.stall)
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        writer.close()

    async def __aenter__(self) -> "_Server":
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", self.port)
        return self

    async def __aexit__(self, *exc) -> None:
        self._server.close()


async def _read(body: bytes, status: int = 200, *, stall: float = 0.0, timeout: float = 5.0):
    async with _Server(body, status, stall=stall) as server:
        llm = LLMClient(lambda: Endpoint(f"http://127.0.0.1:{server.port}/v1", "k3y", "served"),
                        request_timeout=timeout, max_tokens=64, temperature=0.5)
        try:
            stream = await llm.stream([{"role": "user", "content": "hi"}])
            parts = [text async for text in stream]
            return parts, stream.stats, server.requests
        finally:
            await llm.aclose()


def test_reads_deltas_and_usage_and_sends_the_protocol() -> None:
    body = (b'data: {"choices":[{"index":0,"delta":{"role":"assistant","content":""}}]}\n\n'
            + _delta("你好") + b": a comment line\n\n" + _delta(", world") + USAGE + DONE)
    parts, stats, requests = asyncio.run(_read(body))
    assert parts == ["你好", ", world"]
    assert (stats.prompt_tokens, stats.completion_tokens, stats.chunks) == (7, 3, 2)
    line, headers, raw = requests[0]
    assert line == "POST /v1/chat/completions HTTP/1.1"
    assert headers["authorization"] == "Bearer k3y"
    sent = json.loads(raw)
    assert sent == {"model": "served", "messages": [{"role": "user", "content": "hi"}], "stream": True,
                    "stream_options": {"include_usage": True}, "max_tokens": 64, "temperature": 0.5}


def test_an_event_of_several_data_lines_and_crlf_line_ends() -> None:
    first = json.dumps({"choices": [{"delta": {"content": "one "}}]})
    cut = first.index("[")  # between two JSON tokens
    body = (b"data: " + first[:cut].encode() + b"\r\ndata:" + first[cut:].encode() + b"\r\n\r\n"
            + _delta("two") + DONE)
    # SSE joins the data lines of one event with a newline: JSON does not mind one between tokens.
    parts, _, _ = asyncio.run(_read(body))
    assert parts == ["one ", "two"]


def test_no_usage_from_the_engine_leaves_counts_unknown() -> None:
    parts, stats, _ = asyncio.run(_read(_delta("a") + _delta("b") + DONE))
    assert parts == ["a", "b"] and (stats.prompt_tokens, stats.completion_tokens, stats.chunks) == (None, None, 2)


@pytest.mark.parametrize("body, status, error", [
    (_delta("a") + _event({"error": {"message": SECRET, "code": 500}}), 200, EngineError),  # vLLM after HTTP 200
    (_delta("a") + b"data: {not json " + SECRET.encode() + b"\n\n", 200, EngineError),
    (_delta("a") + _event({"choices": [{"delta": {"content": 42}}]}), 200, EngineError),
    (_delta("a") + _event(["a list", SECRET]), 200, EngineError),
    (_delta("a") + b"data: " + json.dumps({"choices": [{"delta": {"content": "x"}}]}).encode(), 200, EngineError),
    (json.dumps({"error": {"message": SECRET}}).encode(), 400, EngineError),
    (json.dumps({"error": {"message": SECRET}}).encode(), 500, EngineError),
], ids=["error-event", "malformed-json", "content-not-text", "not-an-object", "cut-inside-an-event",
        "http-400", "http-500"])
def test_a_broken_engine_is_a_fixed_error(body: bytes, status: int, error, caplog) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(error) as raised:
        asyncio.run(_read(body, status))
    assert SECRET not in str(raised.value) and SECRET not in caplog.text


def test_an_engine_silent_past_the_timeout_is_an_engine_timeout() -> None:
    with pytest.raises(EngineTimeout):
        asyncio.run(_read(_delta("a") + _delta("b") + DONE, stall=1.5, timeout=0.5))


def test_no_engine_listening_is_unavailable() -> None:
    async def run():
        llm = LLMClient(lambda: Endpoint(f"http://127.0.0.1:{free_port()}/v1", "k", "m"),
                        request_timeout=2, max_tokens=8, temperature=0)
        try:
            await llm.stream([{"role": "user", "content": "hi"}])
        finally:
            await llm.aclose()

    with pytest.raises(EngineUnavailable):
        asyncio.run(run())
    llm = LLMClient(lambda: None, request_timeout=2, max_tokens=8, temperature=0)
    with pytest.raises(EngineUnavailable):
        asyncio.run(llm.stream([]))


def test_a_stream_closed_before_reading_lets_the_engine_go() -> None:
    """Closing a stream nobody read (a turn cancelled at once) ends the connection: the engine sees it."""
    async def run():
        gone = asyncio.Event()

        async def handle(reader, writer):
            await reader.readuntil(b"\r\n\r\n")
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
            await writer.drain()
            await reader.read()  # returns when the client closes the connection
            gone.set()

        port = free_port()
        server = await asyncio.start_server(handle, "127.0.0.1", port)
        llm = LLMClient(lambda: Endpoint(f"http://127.0.0.1:{port}/v1", "k", "m"), request_timeout=5,
                        max_tokens=8, temperature=0)
        try:
            stream = await llm.stream([{"role": "user", "content": "hi"}])
            await stream.aclose()
            await stream.aclose()  # idempotent
            await asyncio.wait_for(gone.wait(), 5)
        finally:
            await llm.aclose()
            server.close()

    asyncio.run(run())


def test_the_affinity_header_carries_the_conversation_key_only_when_set() -> None:
    """Issue 16 part 4: a router in front of engine replicas keeps a conversation on one replica (its
    prefix cache) by a header; hushdesk sends a keyed hash there, and nothing when no header is set."""
    async def run(header):
        async with _Server(_delta("a") + DONE) as server:
            llm = LLMClient(lambda: Endpoint(f"http://127.0.0.1:{server.port}/v1", "k", "m"), request_timeout=5,
                            max_tokens=8, temperature=0, affinity_header=header)
            try:
                stream = await llm.stream([{"role": "user", "content": "hi"}], affinity="f" * 32)
                assert [t async for t in stream] == ["a"]
            finally:
                await llm.aclose()
            return server.requests[0][1]

    sent = asyncio.run(run("x-user-id"))
    assert sent["x-user-id"] == "f" * 32
    assert "x-user-id" not in asyncio.run(run(None))


@pytest.mark.parametrize("value, ok", [("x-user-id", True), ("X-Session-Affinity", True), ("", True),
                                       ("authorization", False), ("bad header", False), ("x:y", False)])
def test_the_affinity_header_setting(tmp_path, value, ok) -> None:
    from services.config import load_settings
    from services.errors import ConfigError

    env = {"HUSHDESK_DATA_DIR": str(tmp_path), "HUSHDESK_ENGINE_AFFINITY_HEADER": value}
    if ok:
        assert load_settings(env, dotenv=False).engine_affinity_header == (value.lower() or None)
    else:
        with pytest.raises(ConfigError, match="HUSHDESK_ENGINE_AFFINITY_HEADER"):
            load_settings(env, dotenv=False)
