"""The demo engine: the generated demo model served by a small OpenAI-style chat server that first quotes
the message it received, so a first run shows what hushdesk sent the model (placeholders, not values).

    python -m services.engine.demo_server --model DIR --port N [--host 127.0.0.1] [--served-model-name NAME]

    GET  /health               200 once the model is loaded
    GET  /v1/models            the served name
    POST /v1/chat/completions  {"model", "messages", "stream"?, "max_tokens"?, "stream_options"?}: the reply
                               is a line saying it is the demo engine, the last user message exactly as
                               received (quoted), then the random model's own tokens (noise), streamed as
                               server-sent events like any OpenAI-compatible engine, usage at the end

Launched and supervised like any engine when no model is configured (`demo_server_spec`); a real engine
process on the real path (the reply still streams through output redaction and the turn is audited).
Every /v1 request must carry `Authorization: Bearer <key>`, the key read from DEMO_SERVER_API_KEY (set per
launch by the supervisor; never argv). Bound to loopback by its launcher. Nothing of a request is logged:
the access log is off and errors are answered with fixed messages.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
import threading
import time
import uuid
from typing import Any, AsyncIterator

from .local_server import authorised, common_routes, error, serve

KEY_ENV = "DEMO_SERVER_API_KEY"  # same as services.engine.specs.DEMO_KEY_ENV (not imported: a light process)
_MAX_BODY = 4 << 20
_MAX_NEW = 256
_QUOTE_MAX = 600
_PIECE = 6  # characters per streamed piece of the quote
_HEAD = {"en": "Demo engine. The model received your message as:",
         "zh": "演示引擎。模型收到的消息是："}
_TAIL = {"en": "(A demo model with random weights: the words after the line are noise. Set HUSHDESK_MODEL_PATH "
               "for a real one.)",
         "zh": "（演示模型的权重是随机的，分隔线之后的文字没有意义。设置 HUSHDESK_MODEL_PATH 以使用真实模型。）"}

log = logging.getLogger("hushdesk.demo_server")


def quoted(message: str) -> tuple[str, str]:
    """The demo reply's opening (what the model received, as a Markdown quote) and closing line, in the
    message's language (Chinese when it has more Chinese characters than Latin words)."""
    han = sum("\u4e00" <= c <= "\u9fff" for c in message)
    latin = sum(1 for w in message.split() if w[:1].isascii() and w[:1].isalpha())
    lang = "zh" if han > latin else "en"
    text = message if len(message) <= _QUOTE_MAX else message[:_QUOTE_MAX] + "…"
    lines = "\n".join("> " + line for line in text.splitlines() or [""])
    return f"{_HEAD[lang]}\n\n{lines}\n\n---\n\n", f"\n\n{_TAIL[lang]}"


class Model:
    """The loaded demo model and tokenizer; one generation at a time (torch on the CPU)."""

    def __init__(self, path: str) -> None:
        import torch  # deferred: loaded only in the server process
        from transformers import AutoModelForCausalLM, AutoTokenizer

        torch.manual_seed(0)
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModelForCausalLM.from_pretrained(path, local_files_only=True).eval()
        self.lock = threading.Lock()

    def prompt_ids(self, messages: list[dict[str, str]]):
        text = self.tokenizer.apply_chat_template(messages, add_generation_prompt=True, tokenize=False)
        return self.tokenizer(text, return_tensors="pt", add_special_tokens=False)["input_ids"]

    def generate(self, ids, max_new: int, emit) -> int:
        """Sample up to `max_new` tokens after `ids`, calling emit(text) per token; the number generated."""
        torch = self.torch
        made = 0
        with self.lock, torch.inference_mode():
            past = None
            current = ids
            for _ in range(max_new):
                out = self.model(input_ids=current, past_key_values=past, use_cache=True)
                past = out.past_key_values
                probs = torch.softmax(out.logits[:, -1, :].float(), dim=-1)
                token = torch.multinomial(probs, 1)
                if int(token) == self.tokenizer.eos_token_id:
                    break
                made += 1
                # Byte-level tokens of random weights rarely form whole characters: the bytes that do not
                # are dropped rather than shown as U+FFFD (it is noise either way).
                piece = self.tokenizer.decode(token[0], skip_special_tokens=True).replace("\ufffd", "")
                if piece:
                    emit(piece)
                current = token
        return made


def build_app(model: Model, *, name: str, api_key: str):  # -> Starlette
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response, StreamingResponse
    from starlette.routing import Route

    async def chat(request: Request) -> Response:
        if not authorised(request, api_key):
            return error(401, "Unauthorized")
        raw = await request.body()
        try:
            if len(raw) > _MAX_BODY:
                raise ValueError
            req = json.loads(raw)
            messages = req["messages"]
            if not (isinstance(messages, list) and messages and all(
                    isinstance(m, dict) and isinstance(m.get("content"), str) and m.get("role") in
                    ("system", "user", "assistant") for m in messages)):
                raise ValueError
        except (ValueError, KeyError, TypeError):
            return error(400, "The request is not a chat completion request.")
        if req.get("model") not in (None, name):
            return error(404, "The model does not exist.")
        limit = req.get("max_completion_tokens") or req.get("max_tokens") or _MAX_NEW
        max_new = max(1, min(int(limit) if isinstance(limit, int) else _MAX_NEW, _MAX_NEW))
        last = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
        head, tail = quoted(last)
        ids = await asyncio.to_thread(model.prompt_ids, [{"role": m["role"], "content": m["content"]} for m in messages])
        prompt_tokens = int(ids.shape[-1])
        created, cid = int(time.time()), "chatcmpl-" + uuid.uuid4().hex

        async def pieces() -> AsyncIterator[tuple[str, int | None]]:
            for i in range(0, len(head), _PIECE):
                yield head[i:i + _PIECE], None
            queue: asyncio.Queue = asyncio.Queue()
            loop = asyncio.get_running_loop()
            counted: list[int] = []

            def run() -> None:
                try:
                    counted.append(model.generate(ids, max_new, lambda t: loop.call_soon_threadsafe(queue.put_nowait, t)))
                finally:
                    loop.call_soon_threadsafe(queue.put_nowait, None)  # after the count: read once this arrives

            threading.Thread(target=run, daemon=True).start()
            while (token := await queue.get()) is not None:
                if token:
                    yield token, None
            yield tail, (counted[0] if counted else 0)

        def chunk(delta: dict[str, Any], finish: str | None = None, usage: dict | None = None) -> str:
            body: dict[str, Any] = {"id": cid, "object": "chat.completion.chunk", "created": created, "model": name,
                                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}] if delta is not None else []}
            if usage is not None:
                body["usage"] = usage
            return "data: " + json.dumps(body, ensure_ascii=False) + "\n\n"

        if req.get("stream"):
            include_usage = bool((req.get("stream_options") or {}).get("include_usage"))

            async def events() -> AsyncIterator[str]:
                yield chunk({"role": "assistant", "content": ""})
                generated = 0
                async for text, n in pieces():
                    yield chunk({"content": text})
                    generated = n if n is not None else generated
                yield chunk({}, "stop")
                if include_usage:
                    yield chunk(None, usage={"prompt_tokens": prompt_tokens, "completion_tokens": generated,  # type: ignore[arg-type]
                                             "total_tokens": prompt_tokens + generated})
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")
        parts, generated = [], 0
        async for text, n in pieces():
            parts.append(text)
            generated = n if n is not None else generated
        return JSONResponse({"id": cid, "object": "chat.completion", "created": created, "model": name,
                             "choices": [{"index": 0, "message": {"role": "assistant", "content": "".join(parts)},
                                          "finish_reason": "stop"}],
                             "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": generated,
                                       "total_tokens": prompt_tokens + generated}})

    return Starlette(routes=[*common_routes(name, api_key), Route("/v1/chat/completions", chat, methods=["POST"])])


def main(argv: list[str] | None = None) -> int:
    def build(args, api_key: str):
        return build_app(Model(args.model), name=args.served_model_name, api_key=api_key)

    return serve("python -m services.engine.demo_server", KEY_ENV, "hushdesk-demo", build, argv)


if __name__ == "__main__":
    sys.exit(main())
