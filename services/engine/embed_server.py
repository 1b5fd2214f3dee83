"""The CPU's embedding (or reranking) engine: a small OpenAI-style server over transformers and torch.

    python -m services.engine.embed_server --model DIR --port N [--host 127.0.0.1]
                                           [--served-model-name NAME] [--rerank]

`transformers serve` has no embeddings route, so on a host without a GPU the knowledge base's embedding
model is served by this process, launched and supervised like any engine (`create_pooling_engine`):

    GET  /health          200 once the model is loaded
    GET  /v1/models       the served name
    POST /v1/embeddings   {"model", "input": str | [str], "encoding_format": "float" | "base64"}: mean of
                          the last hidden states over the tokens (attention mask), L2-normalised
    POST /v1/rerank       (with --rerank) {"model", "query", "documents": [str], "top_n"?}: a cross-encoder's
                          relevance, sigmoid of its one logit, as vLLM's `/v1/rerank` answers

Every /v1 request must carry `Authorization: Bearer <key>`, the key read from EMBED_SERVER_API_KEY (set
per launch by the supervisor; never argv). Bound to loopback by its launcher. Nothing of a request's text
is ever logged: the access log is off and errors are answered with fixed messages.
"""

from __future__ import annotations

import asyncio
import base64
import logging
import sys
import threading
from typing import Any

from .local_server import authorised as key_ok, common_routes, error, serve

_MAX_INPUTS = 256
_MAX_TOKENS = 512
_MAX_BODY = 8 << 20
KEY_ENV = "EMBED_SERVER_API_KEY"  # same as services.engine.specs.EMBED_KEY_ENV (not imported: a light process)

log = logging.getLogger("hushdesk.embed_server")


class Model:
    """The loaded model and tokenizer; `embed` and `rerank` run one at a time (torch on the CPU)."""

    def __init__(self, path: str, rerank: bool) -> None:
        import torch  # deferred: loaded only in the server process
        from transformers import AutoModel, AutoModelForSequenceClassification, AutoTokenizer

        torch.manual_seed(0)
        self.torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        loader = AutoModelForSequenceClassification if rerank else AutoModel
        self.model = loader.from_pretrained(path, local_files_only=True).eval()
        self.lock = threading.Lock()

    def embed(self, texts: list[str]) -> list[list[float]]:
        torch = self.torch
        with self.lock, torch.inference_mode():
            batch = self.tokenizer(texts, padding=True, truncation=True, max_length=_MAX_TOKENS, return_tensors="pt")
            hidden = self.model(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1.0)
            return torch.nn.functional.normalize(pooled.float(), dim=-1).tolist()

    def rerank(self, query: str, documents: list[str]) -> list[float]:
        torch = self.torch
        with self.lock, torch.inference_mode():
            batch = self.tokenizer([query] * len(documents), documents, padding=True, truncation=True,
                                   max_length=_MAX_TOKENS, return_tensors="pt")
            logits = self.model(**batch).logits
            return torch.sigmoid(logits[:, -1].float()).tolist()

    def tokens(self, texts: list[str]) -> int:
        return sum(len(ids) for ids in self.tokenizer(texts, truncation=True, max_length=_MAX_TOKENS)["input_ids"])


def build_app(model: Model, *, name: str, api_key: str, rerank: bool):  # -> Starlette
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse, Response
    from starlette.routing import Route

    def authorised(request: Request) -> bool:
        return key_ok(request, api_key)

    async def body(request: Request) -> dict[str, Any] | None:
        raw = await request.body()
        if len(raw) > _MAX_BODY:
            return None
        try:
            import json

            value = json.loads(raw)
        except ValueError:
            return None
        return value if isinstance(value, dict) else None

    async def embeddings(request: Request) -> Response:
        if not authorised(request):
            return error(401, "Unauthorized")
        if rerank:
            return error(404, "This server reranks; it has no embeddings.")
        req = await body(request)
        if req is None:
            return error(400, "The request is not a JSON object.")
        texts = req.get("input")
        if isinstance(texts, str):
            texts = [texts]
        if (not isinstance(texts, list) or not texts or len(texts) > _MAX_INPUTS
                or not all(isinstance(t, str) for t in texts)):
            return error(400, f"input must be a string or a list of 1 to {_MAX_INPUTS} strings.")
        if req.get("model") not in (None, name):
            return error(404, "The model does not exist.")
        fmt = req.get("encoding_format") or "float"
        if fmt not in ("float", "base64"):
            return error(400, "encoding_format must be float or base64.")
        vectors = await asyncio.to_thread(model.embed, texts)
        tokens = await asyncio.to_thread(model.tokens, texts)
        data = []
        for i, vec in enumerate(vectors):
            value: Any = vec
            if fmt == "base64":
                import numpy as np

                value = base64.b64encode(np.asarray(vec, dtype="<f4").tobytes()).decode("ascii")
            data.append({"object": "embedding", "index": i, "embedding": value})
        return JSONResponse({"object": "list", "data": data, "model": name,
                             "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    async def rerank_route(request: Request) -> Response:
        if not authorised(request):
            return error(401, "Unauthorized")
        if not rerank:
            return error(404, "This server embeds; it does not rerank.")
        req = await body(request)
        if req is None:
            return error(400, "The request is not a JSON object.")
        query, docs = req.get("query"), req.get("documents")
        if (not isinstance(query, str) or not isinstance(docs, list) or not 1 <= len(docs) <= _MAX_INPUTS
                or not all(isinstance(d, str) for d in docs)):
            return error(400, f"query must be a string and documents a list of 1 to {_MAX_INPUTS} strings.")
        scores = await asyncio.to_thread(model.rerank, query, docs)
        order = sorted(range(len(docs)), key=lambda i: -scores[i])
        top_n = req.get("top_n")
        if isinstance(top_n, int) and top_n > 0:
            order = order[:top_n]
        return JSONResponse({"model": name, "results": [
            {"index": i, "relevance_score": scores[i], "document": {"text": docs[i]}} for i in order]})

    return Starlette(routes=[
        *common_routes(name, api_key),
        Route("/v1/embeddings", embeddings, methods=["POST"]),
        Route("/v1/rerank", rerank_route, methods=["POST"]),
        Route("/rerank", rerank_route, methods=["POST"]),
    ])


def main(argv: list[str] | None = None) -> int:
    def build(args, api_key: str):
        return build_app(Model(args.model, args.rerank), name=args.served_model_name, api_key=api_key, rerank=args.rerank)

    return serve("python -m services.engine.embed_server", KEY_ENV, "hushdesk-embed", build, argv,
                 extra=lambda parser: parser.add_argument("--rerank", action="store_true"))


if __name__ == "__main__":
    sys.exit(main())
