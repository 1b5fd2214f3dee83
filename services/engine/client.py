"""Streaming chat client for OpenAI-compatible engines; engine failures become our fixed-message errors.

`LLMClient.stream(messages)` yields content deltas as they arrive. It asks for usage in the stream
(vLLM sends a final `choices: []` chunk; transformers serve puts usage on its finish chunk) and
exposes what it saw as a `StreamStats`. Nothing here logs message content, and no exception text
from the HTTP stack or the engine ever leaves this module.

The request is the OpenAI chat-completions protocol spoken over aiohttp (its HTTP parser is C), and
the server-sent events are parsed here with one `json.loads` a chunk. The OpenAI SDK, which the rest
of hushdesk uses for embeddings, costs about 1.4 ms of CPU to open a stream (its parameter
transforms and request building) and builds a pydantic object per chunk; with 100 staff sending at
once those were the first thing each of them waited for (issue 16's profile; `bench/load.py`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Sequence

import aiohttp

from .supervisor import Endpoint
from ..errors import EngineError, EngineTimeout, EngineUnavailable

__all__ = ["LLMClient", "StreamStats"]

log = logging.getLogger("hushdesk.llm")

_MAX_LINE = 1 << 20  # one server-sent event line (a chunk) at most; longer is a broken engine (EngineError)


@dataclass(frozen=True)
class StreamStats:
    """What one completed stream reported: token counts (None when the engine sent none)."""

    prompt_tokens: int | None
    completion_tokens: int | None
    chunks: int


class _Stream:
    """One streaming completion; iterate it for text deltas, then read `stats`.

    Server-sent events as the protocol defines them: `data:` lines joined until a blank line, `[DONE]`
    ends the stream; an `{"error": ...}` event after HTTP 200 (vLLM sends one when generation fails)
    is an engine error.
    """

    def __init__(self, response: aiohttp.ClientResponse) -> None:
        self._response: aiohttp.ClientResponse | None = response
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self.chunks = 0

    @property
    def stats(self) -> StreamStats:
        """Counts seen so far."""
        return StreamStats(self.prompt_tokens, self.completion_tokens, self.chunks)

    def _usage(self, usage: Any) -> None:
        if isinstance(usage, dict):
            prompt, completion = usage.get("prompt_tokens"), usage.get("completion_tokens")
            self.prompt_tokens = prompt if type(prompt) is int else None
            self.completion_tokens = completion if type(completion) is int else None

    async def __aiter__(self) -> AsyncIterator[str]:
        loads = json.loads
        data: list[bytes] = []
        response = self._response
        try:
            if response is None:
                raise EngineError()
            async for raw in response.content:
                line = raw.rstrip(b"\r\n")
                if line:
                    if line.startswith(b"data:"):
                        data.append(line[6:] if line.startswith(b"data: ") else line[5:])
                    continue  # `event:`, `id:`, `retry:` and comments carry nothing we use
                if not data:
                    continue
                payload = data[0] if len(data) == 1 else b"\n".join(data)
                data = []
                if payload == b"[DONE]":
                    break
                chunk = loads(payload)
                if not isinstance(chunk, dict) or "error" in chunk:
                    log.warning("engine stream failed: an error event")
                    raise EngineError()
                choices = chunk.get("choices")
                if choices:
                    delta = choices[0].get("delta")
                    text = delta.get("content") if delta else None
                    if text:
                        if not isinstance(text, str):
                            raise TypeError("content is not text")
                        self.chunks += 1
                        yield text
                usage = chunk.get("usage")
                if usage is not None:
                    self._usage(usage)
            else:
                if data:  # the last event without its blank line: the connection ended after it
                    log.warning("engine stream ended inside an event")
                    raise EngineError()
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
            log.warning("engine stream timed out")
            raise EngineTimeout() from None
        except (aiohttp.ClientError, ValueError, KeyError, TypeError, AttributeError, IndexError) as exc:
            # Broken connections and malformed chunks (json.JSONDecodeError is a ValueError).
            log.warning("engine stream broken: %s", type(exc).__name__)
            raise EngineError() from None
        finally:
            await self.aclose()

    async def aclose(self) -> None:
        """Close the response (idempotent), also when iteration never started: the engine sees the
        connection end and stops generating."""
        response, self._response = self._response, None
        if response is not None:
            response.close()


class LLMClient:
    """Streams chat completions from whichever endpoint `endpoint()` currently returns.

    `connections` bounds the connections kept open to the engine (at least the turns answered at
    once, so a busy server reuses them instead of opening new ones)."""

    def __init__(self, endpoint: Callable[[], Endpoint | None], *, request_timeout: float,
                 max_tokens: int, temperature: float, connections: int = 256,
                 affinity_header: str | None = None) -> None:
        self._affinity_header = affinity_header
        self._endpoint = endpoint
        self._timeout = request_timeout
        self._max_tokens = max_tokens
        self._temperature = temperature
        self._connections = max(1, connections)
        self._sessions: dict[tuple[str, str], aiohttp.ClientSession] = {}
        self._closing: list[asyncio.Future] = []

    def _session(self, ep: Endpoint) -> aiohttp.ClientSession:
        key = (ep.base_url, ep.api_key)
        session = self._sessions.get(key)
        if session is None:
            # The supervisor picks a new port and key per launch: close sessions of old launches
            # (their engine is gone, so no live stream uses them).
            for old in self._sessions.values():
                self._closing.append(asyncio.ensure_future(old.close()))
            self._sessions.clear()
            self._closing = [t for t in self._closing if not t.done()]
            # trust_env=False: a proxy from the environment must never see prompts, replies or the
            # engine's key. sock_read: the longest silence allowed between two pieces of a reply.
            session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._connections, limit_per_host=self._connections,
                                               keepalive_timeout=60),
                timeout=aiohttp.ClientTimeout(total=None, connect=5.0, sock_connect=5.0, sock_read=self._timeout),
                headers={"Authorization": f"Bearer {ep.api_key or 'none'}"},
                trust_env=False, read_bufsize=_MAX_LINE // 2, raise_for_status=False)
            self._sessions[key] = session
        return session

    async def aclose(self) -> None:
        """Close every HTTP session this object opened."""
        for session in self._sessions.values():
            await session.close()
        self._sessions.clear()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        self._closing.clear()

    @property
    def model_name(self) -> str | None:
        """The served model name of the current endpoint, or None when not ready."""
        ep = self._endpoint()
        return ep.model_name if ep else None

    async def stream(self, messages: Sequence[dict[str, str]], *, affinity: str | None = None) -> _Stream:
        """Start a streaming completion; raise EngineUnavailable if no endpoint or no connection.
        `affinity` (a keyed hash of the conversation) goes in the affinity header, when one is set."""
        ep = self._endpoint()
        if ep is None:
            raise EngineUnavailable()
        started = time.perf_counter()
        body = {"model": ep.model_name, "messages": list(messages), "stream": True,
                "stream_options": {"include_usage": True}, "max_tokens": self._max_tokens,
                "temperature": self._temperature}
        try:
            headers = {self._affinity_header: affinity} if self._affinity_header and affinity else None
            response = await self._session(ep).post(ep.base_url.rstrip("/") + "/chat/completions", json=body,
                                                    headers=headers, allow_redirects=False)
        except (asyncio.TimeoutError, aiohttp.ServerTimeoutError):
            raise EngineTimeout() from None
        except (aiohttp.ClientConnectionError, OSError):
            raise EngineUnavailable() from None
        except (aiohttp.ClientError, ValueError) as exc:
            log.warning("engine request failed: %s", type(exc).__name__)
            raise EngineError() from None
        if response.status != 200:
            log.warning("engine refused the request: HTTP %s", response.status)
            response.close()
            raise EngineError()
        log.debug("engine stream opened in %.1f ms", (time.perf_counter() - started) * 1000)
        return _Stream(response)
