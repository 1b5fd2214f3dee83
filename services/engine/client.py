"""Streaming chat client over the OpenAI SDK; engine failures become our fixed-message errors.

`LLMClient.stream(messages)` yields content deltas as they arrive. It asks for usage in the stream
(vLLM sends a final `choices: []` chunk; transformers serve puts usage on its finish chunk) and
exposes what it saw as a `StreamStats`. Nothing here logs message content, and no exception text
from the SDK or the engine ever leaves this module.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from typing import Any, AsyncIterator, Callable, Sequence

import httpx2
import openai

from .supervisor import Endpoint
from ..errors import EngineError, EngineTimeout, EngineUnavailable

__all__ = ["LLMClient", "StreamStats"]

log = logging.getLogger("hushdesk.llm")


@dataclass(frozen=True)
class StreamStats:
    """What one completed stream reported: token counts (None when the engine sent none)."""

    prompt_tokens: int | None
    completion_tokens: int | None
    chunks: int


class _Stream:
    """One streaming completion; iterate it for text deltas, then read `stats`."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream
        self.prompt_tokens: int | None = None
        self.completion_tokens: int | None = None
        self.chunks = 0

    @property
    def stats(self) -> StreamStats:
        """Counts seen so far."""
        return StreamStats(self.prompt_tokens, self.completion_tokens, self.chunks)

    async def __aiter__(self) -> AsyncIterator[str]:
        try:
            # Hot path: one iteration per token. The SDK itself raises APIError for the in-stream
            # `{"error": ...}` event vLLM sends after HTTP 200, so no per-chunk error probe is needed.
            async for chunk in self._stream:
                choices = chunk.choices
                if choices:
                    delta = choices[0].delta
                    text = delta.content if delta is not None else None
                    if text:
                        self.chunks += 1
                        yield text
                usage = chunk.usage
                if usage is not None:
                    self.prompt_tokens = usage.prompt_tokens
                    self.completion_tokens = usage.completion_tokens
        except openai.APITimeoutError:
            raise EngineTimeout() from None
        except openai.APIConnectionError:
            raise EngineError() from None
        except openai.APIError as exc:
            log.warning("engine stream failed: %s", type(exc).__name__)
            raise EngineError() from None
        except (httpx2.HTTPError, ValueError, KeyError, TypeError, AttributeError) as exc:
            # Broken connections and malformed chunks surface from below the SDK.
            log.warning("engine stream broken: %s", type(exc).__name__)
            raise EngineError() from None
        finally:
            await self._close()

    async def _close(self) -> None:
        try:
            await self._stream.close()
        except Exception:  # closing a broken stream must not mask the real outcome
            pass


class LLMClient:
    """Streams chat completions from whichever endpoint `endpoint()` currently returns."""

    def __init__(self, endpoint: Callable[[], Endpoint | None], *, request_timeout: float,
                 max_tokens: int, temperature: float) -> None:
        self._endpoint = endpoint
        self._timeout = request_timeout
        self._max_tokens = max_tokens
        self._temperature = temperature
        self._clients: dict[tuple[str, str], openai.AsyncOpenAI] = {}
        self._closing: list[asyncio.Future] = []

    def _client(self, ep: Endpoint) -> openai.AsyncOpenAI:
        key = (ep.base_url, ep.api_key)
        client = self._clients.get(key)
        if client is None:
            # The supervisor picks a new port and key per launch: close clients of old launches
            # (their engine is gone, so no live stream uses them).
            for old in self._clients.values():
                self._closing.append(asyncio.ensure_future(old.close()))
            self._clients.clear()
            self._closing = [t for t in self._closing if not t.done()]
            timeout = httpx2.Timeout(self._timeout, connect=5.0)
            client = openai.AsyncOpenAI(
                base_url=ep.base_url,
                api_key=ep.api_key or "none",
                max_retries=0,
                timeout=timeout,
                # trust_env=False: a proxy from the environment must never see prompts, replies or
                # the engine's key.
                http_client=openai.DefaultAsyncHttpx2Client(timeout=timeout, trust_env=False),
            )
            self._clients[key] = client
        return client

    async def aclose(self) -> None:
        """Close every HTTP client this object opened."""
        for client in self._clients.values():
            await client.close()
        self._clients.clear()
        if self._closing:
            await asyncio.gather(*self._closing, return_exceptions=True)
        self._closing.clear()

    @property
    def model_name(self) -> str | None:
        """The served model name of the current endpoint, or None when not ready."""
        ep = self._endpoint()
        return ep.model_name if ep else None

    async def stream(self, messages: Sequence[dict[str, str]]) -> _Stream:
        """Start a streaming completion; raise EngineUnavailable if no endpoint or no connection."""
        ep = self._endpoint()
        if ep is None:
            raise EngineUnavailable()
        started = time.perf_counter()
        try:
            raw = await self._client(ep).chat.completions.create(
                model=ep.model_name,
                messages=list(messages),
                stream=True,
                stream_options={"include_usage": True},
                max_tokens=self._max_tokens,
                temperature=self._temperature,
            )
        except openai.APITimeoutError:
            raise EngineTimeout() from None
        except openai.APIConnectionError:
            raise EngineUnavailable() from None
        except openai.APIStatusError as exc:
            log.warning("engine refused the request: HTTP %s", exc.status_code)
            raise EngineError() from None
        except (openai.APIError, httpx2.HTTPError) as exc:
            log.warning("engine request failed: %s", type(exc).__name__)
            raise EngineError() from None
        log.debug("engine stream opened in %.1f ms", (time.perf_counter() - started) * 1000)
        return _Stream(raw)
