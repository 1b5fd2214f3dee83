"""Batch redaction: collect detector matches, resolve overlaps, replace spans with placeholders."""

from __future__ import annotations

import re
from itertools import repeat
from typing import Iterable, Iterator, NamedTuple, Sequence

from .detectors import DEFAULT_DETECTORS, PatternDetector
from .placeholders import Placeholders
from .spans import Redaction, Span


class _Match(NamedTuple):
    """A validated match of detector `rank` (its index in the detector list, i.e. its priority)."""

    start: int
    end: int
    rank: int


def _groups(detectors: Sequence[PatternDetector]) -> tuple:
    """Detectors grouped by pattern, so a regex shared by several labels (the cards) runs once."""
    groups: dict[str, list] = {}
    for rank, det in enumerate(detectors):
        required = re.compile("[" + re.escape("".join(sorted(det.required))) + "]") if det.required else None
        groups.setdefault(det.pattern, [det.regex, [], required])[1].append((rank, det.validate))
    return tuple((regex, tuple(members), required) for regex, members, required in groups.values())


def _matches(text: str, pos: int, groups: tuple, stop: int | None = None) -> list[_Match]:
    """Each detector's match at every start in [pos, stop) (lookbehinds still see text before pos).

    Not finditer: after a match, the search resumes at start + 1, so a rejected long match cannot hide a
    valid one inside it, and the matches from pos on never depend on where an earlier scan stopped.
    """
    out: list[_Match] = []
    end_at = len(text) if stop is None else stop
    # A few starts before a long held-back tail (streaming): trying each start is cheaper than a search,
    # which would walk the whole tail (a leading lookbehind defeats the regex engine's fast prefix scan).
    per_start = (end_at - pos) * 8 < len(text) - pos
    for regex, members, required in groups:
        if required is not None and required.search(text, pos) is None:
            continue  # no character every match needs: nothing to find (matches lie within text[pos:])
        if per_start:
            found = filter(None, map(regex.match, repeat(text), range(pos, end_at)))
        else:
            found = _search_all(regex, text, pos, end_at)
        for m in found:
            value = m.group()
            for rank, validate in members:
                if validate is None or validate(value):
                    out.append(_Match(m.start(), m.end(), rank))
    return out


def _search_all(regex: re.Pattern[str], text: str, pos: int, end_at: int) -> Iterator[re.Match[str]]:
    """The match at every start in [pos, end_at), found by searching."""
    search = regex.search
    while pos < end_at:
        m = search(text, pos)
        if m is None or m.start() >= end_at:
            return
        yield m
        pos = m.start() + 1


def _select(matches: Iterable[_Match]) -> list[_Match]:
    """Non-overlapping matches: earlier start wins, then longer, then detector order."""
    chosen: list[_Match] = []
    last_end = -1
    for m in sorted(matches, key=lambda m: (m.start, -m.end, m.rank)):
        if m.start >= last_end:
            chosen.append(m)
            last_end = m.end
    return chosen


def _replace(
    text: str, start: int, end: int, chosen: Sequence[_Match],
    detectors: Sequence[PatternDetector], placeholders: Placeholders, counts: dict[str, int],
) -> str:
    """text[start:end] with each chosen match replaced by its placeholder; bumps counts per label."""
    parts: list[str] = []
    at = start
    for m in chosen:
        label = detectors[m.rank].label
        parts.append(text[at:m.start])
        parts.append(placeholders.placeholder(label, text[m.start:m.end]))
        counts[label] = counts.get(label, 0) + 1
        at = m.end
    parts.append(text[at:end])
    return "".join(parts)


def find_spans(text: str, detectors: Sequence[PatternDetector] | None = None) -> list[Span]:
    """Sorted, non-overlapping PII spans in text (DEFAULT_DETECTORS as they are at call time if None)."""
    dets = DEFAULT_DETECTORS if detectors is None else detectors
    return [Span(m.start, m.end, dets[m.rank].label) for m in _select(_matches(text, 0, _groups(dets)))]


def redact(
    text: str, placeholders: Placeholders | None = None, detectors: Sequence[PatternDetector] | None = None
) -> Redaction:
    """Replace every PII span with its placeholder (a fresh Placeholders if None)."""
    dets = tuple(DEFAULT_DETECTORS if detectors is None else detectors)
    chosen = _select(_matches(text, 0, _groups(dets)))
    # `is None`, not `or`: an empty Placeholders is falsy (it has __len__) but must still be shared.
    placeholders = Placeholders() if placeholders is None else placeholders
    counts: dict[str, int] = {}
    out = _replace(text, 0, len(text), chosen, dets, placeholders, counts)
    spans = tuple(Span(m.start, m.end, dets[m.rank].label) for m in chosen)
    return Redaction(out, spans, counts)
