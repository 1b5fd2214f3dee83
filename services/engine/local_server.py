"""What our own small OpenAI-style servers share (the CPU embedding server and the demo engine): the
per-launch key check, fixed error answers, `/health` and `/v1/models`, and the command line that reads
the key from the environment (never argv) and serves on the given loopback port without an access log."""

from __future__ import annotations

import argparse
import hmac
import logging
import os
import sys
from typing import Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

__all__ = ["error", "authorised", "common_routes", "serve"]


def error(status: int, message: str) -> JSONResponse:
    """An OpenAI-style error with a fixed message (never the request's text)."""
    return JSONResponse({"error": {"message": message, "type": "invalid_request_error", "code": status}},
                        status_code=status)


def authorised(request: Request, api_key: str) -> bool:
    given = request.headers.get("authorization", "")
    return hmac.compare_digest(given.encode(), f"Bearer {api_key}".encode())


def common_routes(name: str, api_key: str) -> list[Route]:
    """`GET /health` (200 once loaded) and `GET /v1/models` (the served name, with the key)."""
    async def health(_request: Request) -> Response:
        return Response(status_code=200)

    async def models(request: Request) -> Response:
        if not authorised(request, api_key):
            return error(401, "Unauthorized")
        return JSONResponse({"object": "list", "data": [{"id": name, "object": "model", "owned_by": "hushdesk"}]})

    return [Route("/health", health), Route("/v1/models", models)]


def serve(prog: str, key_env: str, default_name: str, build: Callable[[argparse.Namespace, str], object],
          argv: list[str] | None = None, extra: Callable[[argparse.ArgumentParser], None] | None = None) -> int:
    """The command line: --model, --host, --port, --served-model-name (and `extra`'s options); the key
    from `key_env`; `build(args, api_key)` makes the app. 2 without a key."""
    parser = argparse.ArgumentParser(prog=prog)
    parser.add_argument("--model", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--served-model-name", default=default_name)
    if extra is not None:
        extra(parser)
    args = parser.parse_args(argv)
    api_key = os.environ.get(key_env, "")
    if not api_key:
        print(f"{key_env} is not set; refusing to serve without a key.", file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.WARNING)
    import uvicorn  # deferred: only the server process needs it

    uvicorn.run(build(args, api_key), host=args.host, port=args.port, access_log=False, log_level="warning",
                lifespan="off")
    return 0
