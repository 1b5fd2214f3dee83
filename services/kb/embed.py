"""The knowledge base's clients of its pooling engines: embeddings (OpenAI SDK) and reranking (`/v1/rerank`).

Both take a callable returning the engine's current `Endpoint` (a supervised engine gets a new port and
key at each relaunch), or None while it is not ready. Blocking (the knowledge base runs off the event
loop). Every failure becomes a fixed-message `KbError` subclass; no text of a passage or question is
ever logged, only the exception's type.
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, Sequence

import httpx2
import numpy as np
import openai

from ..engine.specs import Endpoint
from .index import KbError

__all__ = ["Embedder", "Reranker", "EmbeddingUnavailable", "EmbeddingFailed"]

log = logging.getLogger("hushdesk.kb")

EndpointSource = Callable[[], "Endpoint | None"]


class EmbeddingUnavailable(KbError):
    """The embedding (or reranker) engine is not ready: starting, restarting or stopped."""

    default_message = "The knowledge base's embedding engine is not available right now."
    notice = "kb_embedding_unavailable"


class EmbeddingFailed(KbError):
    """The engine answered with an error, an unexpected shape, or not in time."""

    default_message = "The knowledge base's embedding engine could not embed the text."
    notice = "kb_embedding_failed"


class _Clients:
    """One OpenAI client per (base URL, key), made on first use; proxies from the environment never used."""

    def __init__(self, endpoint: EndpointSource | Endpoint, timeout: float) -> None:
        self._source = endpoint if callable(endpoint) else (lambda: endpoint)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], openai.OpenAI] = {}

    def current(self) -> tuple[Endpoint, openai.OpenAI]:
        endpoint = self._source()
        if endpoint is None:
            raise EmbeddingUnavailable()
        key = (endpoint.base_url, endpoint.api_key)
        with self._lock:
            client = self._cache.get(key)
            if client is None:
                for old in self._cache.values():
                    old.close()
                self._cache.clear()
                client = openai.OpenAI(base_url=endpoint.base_url, api_key=endpoint.api_key, max_retries=1,
                                       timeout=self._timeout,
                                       http_client=openai.DefaultHttpx2Client(timeout=self._timeout, trust_env=False))
                self._cache[key] = client
        return endpoint, client


class Embedder:
    """`embed(texts)` -> float32 array (len(texts), dim), rows L2-normalised, in batches of `batch`."""

    def __init__(self, endpoint: EndpointSource | Endpoint, *, batch: int = 32, timeout: float = 60.0) -> None:
        if batch < 1:
            raise ValueError("batch must be at least 1")
        self._clients = _Clients(endpoint, timeout)
        self._batch = batch

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        endpoint, client = self._clients.current()
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), self._batch):
            part = [t if t.strip() else " " for t in texts[start:start + self._batch]]
            try:
                answer = client.embeddings.create(model=endpoint.model_name, input=part, encoding_format="float")
                data = sorted(answer.data, key=lambda d: d.index)
                block = np.asarray([d.embedding for d in data], dtype=np.float32)
            except openai.APITimeoutError:
                log.warning("embedding request timed out")
                raise EmbeddingFailed() from None
            except openai.APIConnectionError:
                log.warning("embedding engine did not answer")
                raise EmbeddingUnavailable() from None
            except openai.APIError as exc:
                log.warning("embedding request failed (%s)", type(exc).__name__)
                raise EmbeddingFailed() from None
            except (httpx2.HTTPError, ValueError, TypeError, AttributeError) as exc:
                log.warning("embedding answer unusable (%s)", type(exc).__name__)
                raise EmbeddingFailed() from None
            if block.ndim != 2 or block.shape[0] != len(part) or block.shape[1] == 0 or not np.isfinite(block).all():
                log.warning("embedding answer has the wrong shape")
                raise EmbeddingFailed()
            rows.append(block)
        matrix = np.concatenate(rows)
        norms = np.linalg.norm(matrix, axis=1, keepdims=True)
        return matrix / np.where(norms > 0, norms, 1.0)


class Reranker:
    """`rerank(query, documents)` -> one relevance score per document (vLLM's `/v1/rerank`), in their order."""

    def __init__(self, endpoint: EndpointSource | Endpoint, *, timeout: float = 60.0) -> None:
        self._source = endpoint if callable(endpoint) else (lambda: endpoint)
        self._timeout = timeout

    def rerank(self, query: str, documents: Sequence[str]) -> list[float]:
        if not documents:
            return []
        endpoint = self._source()
        if endpoint is None:
            raise EmbeddingUnavailable()
        try:
            with httpx2.Client(timeout=self._timeout, trust_env=False) as http:
                answer = http.post(endpoint.base_url + "/rerank",
                                   headers={"Authorization": f"Bearer {endpoint.api_key}"},
                                   json={"model": endpoint.model_name, "query": query, "documents": list(documents)})
            if answer.status_code != 200:
                log.warning("rerank request failed (HTTP %d)", answer.status_code)
                raise EmbeddingFailed()
            scores = [float("nan")] * len(documents)
            for item in answer.json()["results"]:
                scores[int(item["index"])] = float(item["relevance_score"])
        except httpx2.TimeoutException:
            log.warning("rerank request timed out")
            raise EmbeddingFailed() from None
        except httpx2.HTTPError as exc:
            log.warning("rerank engine did not answer (%s)", type(exc).__name__)
            raise EmbeddingUnavailable() from None
        except (ValueError, KeyError, TypeError, IndexError) as exc:
            log.warning("rerank answer unusable (%s)", type(exc).__name__)
            raise EmbeddingFailed() from None
        if any(s != s for s in scores):
            log.warning("rerank answer left documents out")
            raise EmbeddingFailed()
        return scores
