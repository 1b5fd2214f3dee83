"""Small views of what the detectors find, shared by the redaction tests."""

from __future__ import annotations

from redaction import find_spans


def values(text: str, label: str) -> list[str]:
    """The substrings found as `label`, in order."""
    return [text[s.start:s.end] for s in find_spans(text) if s.label == label]


def names(text: str) -> list[str]:
    """The substrings found as PERSON, in order."""
    return values(text, "PERSON")


def split_at(text: str, cuts: list[int]) -> list[str]:
    """`text` cut into pieces at `cuts` (the chunks of a stream)."""
    bounds = [0, *sorted(cuts), len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:])]
