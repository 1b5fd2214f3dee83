"""A fake OpenAI-compatible engine: the boundary we cannot run with a real model at full speed.

It is a real HTTP server (Starlette under uvicorn, in its own process) speaking the streaming
chat-completions protocol as vLLM does: a role delta, content deltas, a finish chunk, a usage chunk
when asked, then `data: [DONE]`. It records every request body it receives (JSON lines) so tests
can prove what reached the engine. Markers in the last user message pick a behaviour:

    [[die]]    stream a few tokens, then drop the connection (engine died mid-stream)
    [[error]]  HTTP 200, then an in-stream `{"error": ...}` event (as vLLM does)
    [[hang]]   send the role delta, then nothing
    [[pii]]    the reply contains PII that the output redactor must catch
    [[html]]   the reply tries to render HTML and a script
    [[echo]]   the reply is "You said: " and the last user message as received (the redacted text,
               markers removed), in pieces of at most 4 characters so placeholders are split
    [[id]]     the reply holds a CN resident ID after a first sentence that streams before it
    [[ph]]     the reply uses the placeholder [PHONE_1] (a model referring to a value it was given)
    [[long]]   a long reply (400 tokens): time enough to end the session while it streams

Each stream's end is recorded beside the request bodies (`<record>.ends`): `done` when the whole reply
was sent, `cut` when the client went away first (a cancelled turn must stop generation).

`--pii` makes every reply without another reply marker the [[pii]] reply (a model that leaks).
`--replies FILE` streams real agent replies instead (`tests.support.replies`: one a request, picked by
its last user message; with `--tokens N`, replies joined up to exactly N tokens): benchmarks only.

Run: python -m tests.support.engine_server --port P [--record FILE] [--delay S] [--tokens N] [--pii]
                                           [--replies FILE]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.support.replies import reply_for

DEFAULT_REPLY = (
    "Thank you for contacting us. I have checked the account you mentioned and everything looks "
    "in order. 我们已经为您处理好了，请问还有什么可以帮您？ Is there anything else I can help with today?"
)
PII_REPLY = "Sure. Please call 13912345678 or write to alice.wong@example.com about order ORD-87654321."
HTML_REPLY = "<script>alert('x')</script><img src=x onerror=alert(1)> done"
ID_VALUE = "11010519491231002X"
ID_REPLY = ("Before anything else, here is what I found in the file for this customer today. "
            f"The ID is {ID_VALUE}. After that, nothing more.")
ECHO_PREFIX = "You said: "
PH_REPLY = "Noted: [PHONE_1] is on file."
_MARKER = re.compile(r"\[\[[a-z]+\]\]")
_TOKEN = re.compile(r"\S+\s*|\s+")


def tokens_of(text: str) -> list[str]:
    """Split a reply into word-sized tokens, as an engine would stream them."""
    return _TOKEN.findall(text)


def _chunk(model: str, delta: dict, finish: str | None = None) -> str:
    body = {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def create_app(*, record: str | None = None, delay: float = 0.0, tokens: int = 0,
               model: str = "fake-model", api_key: str | None = None, pii: bool = False,
               replies: str | None = None) -> Starlette:
    """Build the fake engine; `tokens` > 0 streams that many tokens instead of the default reply."""

    def reply_tokens(last_user: str) -> list[str]:
        if "[[pii]]" in last_user:
            return tokens_of(PII_REPLY)
        if "[[html]]" in last_user:
            return tokens_of(HTML_REPLY)
        if "[[id]]" in last_user:
            return tokens_of(ID_REPLY)
        if "[[ph]]" in last_user:
            return tokens_of(PH_REPLY)
        if "[[long]]" in last_user:
            return ["word "] * 400
        if "[[echo]]" in last_user:
            said = ECHO_PREFIX + _MARKER.sub("", last_user).strip()
            return [t[i:i + 4] for t in tokens_of(said) for i in range(0, len(t), 4)]
        if pii:
            return tokens_of(PII_REPLY)
        if replies:
            return reply_for(replies, last_user, tokens)
        if tokens:
            return ["tok "] * tokens
        return tokens_of(DEFAULT_REPLY)

    async def health(request: Request) -> Response:
        return Response(status_code=200)

    async def models(request: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": model, "object": "model"}]})

    async def chat(request: Request) -> Response:
        if api_key and request.headers.get("authorization") != f"Bearer {api_key}":
            return JSONResponse({"error": {"message": "unauthorized"}}, status_code=401)
        raw = await request.body()
        if record:
            with open(record, "ab") as fh:
                fh.write(raw.replace(b"\n", b" ") + b"\n")
            with open(record + ".affinity", "a") as fh:  # a router's session key (x-user-id), or "-"
                fh.write((request.headers.get("x-user-id") or "-") + "\n")
        body = json.loads(raw)
        last_user = next((m["content"] for m in reversed(body["messages"]) if m["role"] == "user"), "")
        toks = reply_tokens(last_user)
        usage = (body.get("stream_options") or {}).get("include_usage")

        async def events():
            finished = False
            try:
                async for event in _events():
                    yield event
                finished = True
            finally:
                if record:
                    with open(record + ".ends", "a") as fh:
                        fh.write("done\n" if finished else "cut\n")

        async def _events():
            yield _chunk(model, {"role": "assistant", "content": ""})
            if "[[hang]]" in last_user:
                await asyncio.sleep(3600)
            for i, tok in enumerate(toks):
                if "[[die]]" in last_user and i == 3:
                    raise ConnectionResetError  # uvicorn drops the connection mid-body
                if "[[error]]" in last_user and i == 3:
                    yield 'data: {"error": {"message": "engine failure", "code": 500}}\n\n'
                    return
                yield _chunk(model, {"content": tok})
                if delay:
                    await asyncio.sleep(delay)
            yield _chunk(model, {}, "stop")
            if usage:
                prompt = sum(len(m["content"]) // 4 + 1 for m in body["messages"])
                body_u = {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "model": model,
                          "choices": [], "usage": {"prompt_tokens": prompt, "completion_tokens": len(toks),
                                                   "total_tokens": prompt + len(toks)}}
                yield f"data: {json.dumps(body_u)}\n\n"
            yield "data: [DONE]\n\n"

        if not body.get("stream"):
            return JSONResponse({"error": {"message": "only streaming is faked"}}, status_code=400)
        return StreamingResponse(events(), media_type="text/event-stream")

    return Starlette(routes=[
        Route("/health", health),
        Route("/v1/models", models),
        Route("/v1/chat/completions", chat, methods=["POST"]),
    ])


def main() -> None:
    """Serve the fake engine on 127.0.0.1."""
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--record")
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--tokens", type=int, default=0)
    parser.add_argument("--api-key")
    parser.add_argument("--pii", action="store_true")
    parser.add_argument("--replies")
    args = parser.parse_args()
    app = create_app(record=args.record, delay=args.delay, tokens=args.tokens, api_key=args.api_key,
                     pii=args.pii, replies=args.replies)
    uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
