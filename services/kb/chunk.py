"""Sections into passages of about `size` characters that never cross a heading, cut at sentence ends
(Chinese 。！？； and English . ! ? ;), the last `overlap` characters of one passage repeated at the start
of the next so an answer cut in two is still found whole in one of them."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable

from .parse import Section

__all__ = ["Passage", "passages"]

_SENTENCE = re.compile(r".+?(?:[。！？；!?;]+[”’」』）)]*|\.(?=\s)|\n|$)", re.S)


@dataclass(frozen=True)
class Passage:
    """A passage to index: the section's heading, the headings above it, its page and its text."""

    heading: str | None
    path: tuple[str, ...]
    page: int | None
    text: str


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


def _pieces(sentence: str, size: int) -> list[str]:
    """A sentence longer than `size` cut at spaces (or anywhere, for Chinese without spaces)."""
    if len(sentence) <= size:
        return [sentence]
    out, rest = [], sentence
    while len(rest) > size:
        cut = rest.rfind(" ", size // 2, size)
        cut = size if cut <= 0 else cut
        out.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    return out + ([rest] if rest else [])


def passages(sections: Iterable[Section], *, size: int, overlap: int) -> list[Passage]:
    """Every section's text as passages (a heading with no text of its own gives none)."""
    out: list[Passage] = []
    for section in sections:
        units = [p for s in _sentences(section.text) for p in _pieces(s, size)]
        current: list[str] = []
        length = 0
        for unit in units:
            if current and length + len(unit) > size:
                out.append(Passage(section.heading, section.path, section.page, _join(current)))
                kept: list[str] = []
                for previous in reversed(current):  # the tail of this passage starts the next one
                    if sum(len(k) for k in kept) + len(previous) > overlap:
                        break
                    kept.insert(0, previous)
                current, length = kept, sum(len(k) for k in kept)
            current.append(unit)
            length += len(unit)
        if current:
            out.append(Passage(section.heading, section.path, section.page, _join(current)))
    return out


def _join(parts: list[str]) -> str:
    text = ""
    for part in parts:
        if text and not (re.search(r"[\u3000-\u9fff\uff00-\uffef]$", text) and re.match(r"[\u3000-\u9fff]", part)):
            text += " "
        text += part
    return text
