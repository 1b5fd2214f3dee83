"""Per-conversation placeholders: the same value always becomes the same `[LABEL_n]`."""

from __future__ import annotations

import hashlib
import os


class Placeholders:
    """Maps (label, value) to `[LABEL_n]`, n counting per label from 1 in order of first appearance.

    In memory only: it is never persisted or logged. It keeps keyed digests of the values (the key is
    random per object), not the values, so the map itself holds no PII.
    """

    __slots__ = ("_key", "_issued", "_next")

    def __init__(self) -> None:
        self._key = os.urandom(16)
        self._issued: dict[tuple[str, bytes], str] = {}
        self._next: dict[str, int] = {}

    def placeholder(self, label: str, value: str) -> str:
        """Return the placeholder for this value, issuing the next `[LABEL_n]` on first sight."""
        # surrogatepass: a lone surrogate in chat text must not crash redaction.
        digest = hashlib.blake2b(
            value.encode("utf-8", "surrogatepass"), key=self._key, digest_size=16
        ).digest()
        key = (label, digest)
        issued = self._issued.get(key)
        if issued is None:
            n = self._next.get(label, 0) + 1
            self._next[label] = n
            issued = self._issued[key] = f"[{label}_{n}]"
        return issued

    def clear(self) -> None:
        """Forget every placeholder; numbering restarts at 1."""
        self._issued.clear()
        self._next.clear()

    def __len__(self) -> int:
        """Number of distinct placeholders issued."""
        return len(self._issued)
