"""Result types: spans are offsets into the original text, never copies of the matched value."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Span:
    """A detected PII value at text[start:end] (end exclusive); holds no text, only offsets and a label."""

    start: int
    end: int
    label: str
    score: float = 1.0


@dataclass(frozen=True, slots=True)
class Redaction:
    """Redacted text, the spans it replaced (offsets into the original text) and span counts per label."""

    text: str
    spans: tuple[Span, ...]
    counts: dict[str, int]
