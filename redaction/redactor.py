"""Batch redaction: normalise, collect detector matches and recognizer spans, resolve overlaps, replace
spans in the original.

`Redactor` compiles a detector list once, with the recognizers (redaction.recognizers) it is given, or the
built-in layers; `find_spans`/`redact` use one built from DEFAULT_DETECTORS as they are at call time
(rebuilt only when that list changes). `Redactor.output` is the reduced set a reply stream runs.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from itertools import repeat
from typing import Iterable, Iterator, NamedTuple, Sequence

from .detectors import DEFAULT_DETECTORS, LABELS, PatternDetector, codes, contact, names, numbers, phones, places
from .detectors.base import LOOKBEHIND
from .detectors.places import ADDRESS_WORD
from .normalise import BIDI_CONTROLS, Normalised, bidi_views, has_bidi, input_view, normalise
from .agents import agent_names, own_addresses, own_lines
from .custom import ALLOW
from .extend import (corrected_codes, extend_addresses, extend_names, extend_phones, join_addresses, repeat_codes,
                     repeat_names)
from .custom import MAX_LEN as MAX_TERM
from .recognizers import Recognizer, begin_all, collect_all, load_layers, spans_of
from .ner.spoken import spelled_out
from .spans import Redaction, Span
from .surnames import lone_surnames
from .turns import turn_openers
from .versions import versions
from .vault import Placeholders


# How far before a position lookbehinds may look: a cue of LOOKBEHIND characters, the character before
# it (English cues must start a word) and one spare.
CONTEXT = LOOKBEHIND + 2
_NO_BIDI = dict.fromkeys(map(ord, BIDI_CONTROLS))


class Match(NamedTuple):
    """A validated match: span [start, end) in normalised text, its detector's rank (priority), score."""

    start: int
    end: int
    rank: int
    score: float


class _Group(NamedTuple):
    regex: re.Pattern[str]
    members: tuple  # (rank, validate, score)
    required: re.Pattern[str] | None  # finds any required string; None: no promise
    max_len: int
    starts: frozenset[str]


class Redactor:
    """A compiled detector list: batch redaction now, streaming through `stream()`."""

    __slots__ = ("detectors", "recognizers", "groups", "labels", "_limits", "_stream_required", "_output",
                 "_rec_rank", "_allow")

    def __init__(self, detectors: Sequence[PatternDetector],
                 recognizers: Sequence[Recognizer] | None = None) -> None:
        """`recognizers`: None for the built-in layers (LayerError if they cannot load), () for none."""
        self.detectors = tuple(detectors)
        self.recognizers = load_layers() if recognizers is None else tuple(recognizers)
        rec_labels = tuple(dict.fromkeys(label for r in self.recognizers for label in r.labels))
        # Recognizer spans rank after every pattern: on a tie, a rule's label wins.
        self._rec_rank = {label: len(self.detectors) + i for i, label in enumerate(rec_labels)}
        self.labels = tuple(d.label for d in self.detectors) + rec_labels
        self._output: Redactor | None = None
        # Allowed terms (a recognizer file's [allow]): a span inside one is never masked.
        allow = [d for d in self.detectors if d.label == ALLOW]
        self._allow = Redactor(allow, ()) if allow and len(allow) < len(self.detectors) else None
        groups: dict[tuple[str, int], list] = {}
        for rank, det in enumerate(self.detectors):
            entry = groups.setdefault((det.pattern, det.flags),
                                      [det.regex, [], required_search(det.required, bool(det.flags & re.I)),
                                       set(), det.max_len])
            entry[1].append((rank, det.validate, det.score))
            entry[3] |= det.starts
        self.groups = tuple(_Group(r, tuple(m), q, frozenset(s), n) for r, m, q, s, n in groups.values())
        self._limits: tuple | None = None
        self._stream_required: re.Pattern[str] | None | bool = False  # False: not computed yet

    @property
    def output(self) -> "Redactor":
        """The reply side's Redactor: these detectors less the input-only ones, no recognizer (see
        output_detectors). A StreamRedactor runs it; its redact() is the stream's batch equivalent."""
        if self._output is None:
            kept = output_detectors(self.detectors)
            self._output = self if kept == self.detectors and not self.recognizers else Redactor(kept, ())
            self._output._output = self._output
        return self._output

    def fused(self, text: str) -> list[Match]:
        """The chosen matches in normalised `text`: patterns, and recognizer spans that overlap no chosen
        pattern match of another label (a span other than a name that holds such matches whole replaces
        them, unless one is an administrator's own label: a code read out after its cue says what it is), and
        a gap filler's spans (`fills_only`) where nothing else was found; with recognizers (the input side), each address grown over the
        rest of its address, each phone over its extension and each name to its other mentions and its title (redaction.extend), less staff
        introducing themselves and a firm's own address (redaction.agents), a title or 姓 with a surname alone
        (redaction.surnames), a speaker's turn opening with a capitalised word (redaction.turns) and a version
        number read as an IP address (redaction.versions)."""
        if not self.recognizers:
            return select(self.all_matches(text))
        begun = begin_all(self.recognizers, text)  # a model's run overlaps the patterns (recognizers.py)
        try:
            chosen = select(self.all_matches(text))
            spans = spans_of(self.recognizers, text, begun)
        except BaseException:
            collect_all(begun)  # nothing left running: a run that comes back as the interpreter exits aborts it
            raise
        allowed = self._allow.matches(text) if self._allow is not None else ()
        extra = []
        # chosen is sorted and without overlaps, so its ends are sorted too: the matches a span crosses are
        # found by bisection (a long text may hold tens of thousands of each).
        ends = [m.end for m in chosen]
        removed: set[int] = set()
        gaps: list[Match] = []
        for start, end, label, score, fills in spans:
            rank = self._rec_rank.get(label)
            if rank is None:
                continue  # a label the recognizer did not declare
            if allowed and any(a.start <= start and end <= a.end for a in allowed):
                continue
            if fills:
                gaps.append(Match(start, end, rank, score))
                continue
            crossed = []
            j = bisect_right(ends, start)
            while j < len(chosen) and chosen[j].start < end:
                if j not in removed and self.labels[chosen[j].rank] != label:
                    crossed.append(j)
                j += 1
            # A name never replaces a rule's match, nor does anything replace an administrator's own label
            # (MEMBER_ID after 会员号 stays a MEMBER_ID).
            if crossed and (label == "PERSON" or not all(start <= chosen[k].start and chosen[k].end <= end
                                                         and self.labels[chosen[k].rank] in LABELS for k in crossed)):
                continue
            removed.update(crossed)  # a code read out after its cue holds a rule's match (C zero three ...)
            extra.append(Match(start, end, rank, score))
        if removed:
            chosen = [m for k, m in enumerate(chosen) if k not in removed]
        chosen = select(chosen + extra) if extra else chosen
        chosen = extend_phones(text, extend_addresses(text, chosen, self.labels), self.labels)
        chosen = repeat_codes(text, corrected_codes(text, chosen, self.labels), self.labels)
        chosen = turn_openers(text, chosen, self.labels)
        chosen = repeat_names(text, lone_surnames(text, chosen, self.labels), self.labels)
        chosen = own_addresses(text, agent_names(text, extend_names(text, chosen, self.labels), self.labels), self.labels)
        chosen = versions(text, own_lines(text, chosen, self.labels), self.labels)
        if not gaps:
            return chosen
        # A gap filler's span (the CRF layer) stands where nothing else was found, after every pass (so it
        # never cuts a spelled name from its name); it also replaces matches it holds whole (`_grows`): of its
        # own label (阿依古丽 in 阿依古丽·买买提, `Flat 12C, Block` in `Flat 12C, Block 3, Kwun Tong Garden
        # Estate`), or names in a value it is sure of (`Jalan Mawar` in an address, `JDVA` in an order
        # number). A name or a code it found is then found again where it is said again (Echo Yankee Five
        # Lima Quebec Two / EY5LQ2), and staff introducing themselves and a firm's own address are taken out
        # as before.
        chosen = sorted(chosen, key=lambda m: m.start)
        ends = [m.end for m in chosen]
        free = []
        grown: set[int] = set()
        for g in gaps:
            j = k = bisect_right(ends, g.start)
            while k < len(chosen) and chosen[k].start < g.end:
                k += 1
            if j == k:
                free.append(g)
                continue
            g = _trimmed(text, g)
            held = chosen[j:k]
            label = self.labels[g.rank]
            same = [m for m in held if self.labels[m.rank] == label]
            if all(g.start <= m.start and m.end <= g.end for m in held) and (len(same) == len(held) or (
                    g.score >= GROW_OVER_NAMES and all(self.labels[m.rank] in (label, "PERSON") for m in held))) \
                    and _grows(text, g, same, label):
                free.append(g)
                grown.update(range(j, k))
        if not free:
            return chosen
        if grown:
            chosen = [m for i, m in enumerate(chosen) if i not in grown]
        chosen = join_addresses(text, select(chosen + free), self.labels)
        chosen = repeat_codes(text, repeat_names(text, chosen, self.labels), self.labels)
        return own_lines(text, own_addresses(text, agent_names(text, chosen, self.labels), self.labels), self.labels)

    @property
    def limits(self) -> tuple:
        """(alphabet, hold limit, search for a start character) per distinct detector shape (the hold).

        An entry whose alphabet and start characters are subsets of another's, with no larger limit,
        never sets the hold and is dropped. Computed once (the CJK alphabets make it slow).
        """
        if self._limits is None:
            # +1: a lookahead may peek one character past a match that reaches the end of the text.
            pairs = {(d.alphabet, d.max_len + 1, d.starts) for d in self.detectors}
            kept = [p for p in pairs if not any(
                q != p and p[0] <= q[0] and p[1] <= q[1] and p[2] <= q[2] for q in pairs)]
            # Each with a compiled search for its start characters (the hold scans for one in C).
            self._limits = tuple((a, n, required_search(s)) for a, n, s in kept)
        return self._limits

    @property
    def stream_required(self) -> "re.Pattern[str] | None":
        """One search for any detector's required strings, None if one detector requires none (the
        stream's no-PII-possible fast path). Computed once."""
        if self._stream_required is False:
            dets = self.detectors
            if not dets or any(not d.required for d in dets):
                self._stream_required = None
            else:
                cased = frozenset().union(*(d.required for d in dets if not d.flags & re.I))
                uncased = frozenset().union(*(d.required for d in dets if d.flags & re.I))
                parts = ([required_pattern(cased)] if cased else []) + (
                    [required_pattern(uncased, True)] if uncased else [])
                self._stream_required = re.compile("|".join(parts))
        return self._stream_required  # type: ignore[return-value]

    def matches(self, text: str, pos: int = 0, stop: int | None = None) -> list[Match]:
        """Each detector's match for every start in [pos, stop) of normalised `text`.

        Lookbehinds still see text before pos. Not finditer: after a match the search resumes at its
        start + 1, so a rejected long match cannot hide a valid one inside it, and the matches
        from pos on never depend on where an earlier scan stopped.
        """
        out: list[Match] = []
        end_at = len(text) if stop is None else stop
        # A few starts before a long held-back tail (streaming): trying each start is cheaper than a
        # search, which would walk the whole tail.
        per_start = (end_at - pos) * 8 < len(text) - pos
        # Matches, their lookaheads and lookbehinds lie in text[pos - CONTEXT:].
        back = max(pos - CONTEXT, 0)
        firsts: dict[re.Pattern[str], int] = {}  # groups often share a requirement (digits)
        for regex, members, required, starts, max_len in self.groups:
            if per_start:
                # A few starts (a streamed token): a start character must be there before anything else.
                cands = [j for j in range(pos, end_at) if text[j] in starts]
                if not cands:
                    continue
            start_at = pos
            if required is not None:
                first = firsts.get(required)
                if first is None:
                    found_req = required.search(text, back)
                    first = firsts[required] = -1 if found_req is None else found_req.start()
                if first < 0:
                    continue  # nothing every match needs is there
                # A match holds (or follows) the first required string: it starts at most max_len before.
                start_at = max(pos, first - max_len)
            if per_start:
                found: Iterable = filter(None, map(regex.match, repeat(text), [j for j in cands if j >= start_at]))
            else:
                m = regex.search(text, start_at)
                if m is None or m.start() >= end_at:
                    continue  # the common case: one search, nothing found
                found = _search_all(regex, text, m, end_at)
            for m in found:
                start, end = m.span()
                if start == end:
                    continue
                value = text[start:end]
                for rank, validate, score in members:
                    if validate is not None:
                        verdict = validate(value)
                        if not verdict:
                            continue
                        if verdict is not True:
                            score = float(verdict)
                    out.append(Match(start, end, rank, score))
        if self._allow is not None:
            # An allowed term that began before pos still covers what starts after it.
            allowed = self._allow.matches(text, max(pos - MAX_TERM, 0), stop)
            out = [m for m in out if self.labels[m.rank] != ALLOW
                   and not any(a.start <= m.start and m.end <= a.end for a in allowed)]
        return out

    def all_matches(self, text: str, pos: int = 0, stop: int | None = None) -> list[Match]:
        """matches(), and where normalised `text` holds bidi controls, the matches in each of its
        bidi_views (controls removed; right-to-left runs reversed) that start in [pos, stop) once mapped
        back: a match there covers from the first to the last position its characters come from."""
        out = self.matches(text, pos, stop)
        if not text.isascii() and has_bidi(text):
            end_at = len(text) if stop is None else stop
            for view in bidi_views(text):
                for m in self.matches("".join(map(text.__getitem__, view))):
                    taken = view[m.start:m.end]
                    start = min(taken)
                    if pos <= start < end_at:
                        out.append(m._replace(start=start, end=max(taken) + 1))
        return out

    def _normalise(self, text: str) -> Normalised:
        """The detection view of a whole message; on the input side (with recognizers) financial numerals
        are read as everyday ones too (normalise.capital_numerals) and the spaces that split a Chinese
        number or address are dropped (normalise.join_chinese), and numbers read out in Chinese numerals are
        read in digits (normalise.spoken_numerals)."""
        return input_view(text) if self.recognizers else normalise(text)

    def find_spans(self, text: str) -> list[Span]:
        """Sorted, non-overlapping PII spans (offsets into the original text)."""
        norm = self._normalise(text)
        return [Span(norm.start(m.start), norm.end(m.end), self.labels[m.rank], m.score)
                for m in self.fused(norm.text)]

    def redact(self, text: str, placeholders: Placeholders | None = None, *, revealable: bool = False
               ) -> Redaction:
        """Replace every PII span with its placeholder (a fresh Placeholders if None).

        `revealable` marks the values as typed by staff (see Placeholders.reveal).
        """
        norm = self._normalise(text)
        chosen = self.fused(norm.text)
        # `is None`, not `or`: an empty Placeholders is falsy (it has __len__) but must still be shared.
        placeholders = Placeholders() if placeholders is None else placeholders
        counts: dict[str, int] = {}
        out = self.replace(text, norm, 0, len(norm.text), chosen, placeholders, counts, revealable)
        spans = tuple(Span(norm.start(m.start), norm.end(m.end), self.labels[m.rank], m.score)
                      for m in chosen)
        return Redaction(out, spans, counts)

    def replace(
        self, original: str, norm: Normalised, start: int, end: int, chosen: Sequence[Match],
        placeholders: Placeholders, counts: dict[str, int], revealable: bool,
    ) -> str:
        """original[norm.start(start):norm.start(end)] with each chosen match replaced; bumps counts.

        From 0 when start is 0: characters normalisation removed before the first kept one (a BOM, a
        zero-width space) are text like any other.
        """
        parts: list[str] = []
        at = 0 if start == 0 else norm.start(start)
        for m in chosen:
            label = self.labels[m.rank]
            s, e = norm.start(m.start), norm.end(m.end)
            parts.append(original[at:s])
            value = norm.text[m.start:m.end]
            if not value.isascii():
                value = value.translate(_NO_BIDI)  # `138<LRM>12345678` is the value 13812345678
            parts.append(placeholders.placeholder(label, value, shown=original[s:e],
                                                  revealable=revealable))
            counts[label] = counts.get(label, 0) + 1
            at = e
        parts.append(original[at:norm.start(end)])
        return "".join(parts)


_REQUIRED: dict[tuple[frozenset[str], bool], "re.Pattern[str] | None"] = {}


def required_pattern(required: frozenset[str], ignore_case: bool = False) -> str:
    """A regex for any of `required` (longer strings first, single characters as one class)."""
    items = sorted(required, key=lambda x: (-len(x), x))
    chars = "".join(i for i in items if len(i) == 1)
    words = [re.escape(i) for i in items if len(i) > 1]
    body = "|".join(words + (["[" + re.escape(chars) + "]"] if chars else []))
    return f"(?i:{body})" if ignore_case else f"(?:{body})"


def required_search(required: frozenset[str], ignore_case: bool = False) -> "re.Pattern[str] | None":
    """One compiled search for any of `required` (the same object for the same set), None if empty."""
    if not required:
        return None
    key = (required, ignore_case)
    found = _REQUIRED.get(key)
    if found is None:
        found = _REQUIRED[key] = re.compile(required_pattern(required, ignore_case))
    return found


def _search_all(regex: re.Pattern[str], text: str, first: "re.Match[str] | int", end_at: int
                ) -> Iterator[re.Match[str]]:
    """The match at every start in [pos, end_at), found by searching (from a first match, or a pos)."""
    search = regex.search
    m = search(text, first) if isinstance(first, int) else first
    while m is not None and m.start() < end_at:
        yield m
        m = search(text, m.start() + 1)


# A gap span's least marginal for it to replace names it holds whole (a value of another label).
GROW_OVER_NAMES = 0.8
_EDGE_PUNCT = " \t,.;:!?，。；：！？、"
_LIST_JOIN = re.compile(r"[,;，；、&]|(?<![A-Za-z])(?:and|or)(?![A-Za-z])|和|及|与")
_WORD = re.compile(r"[^\W\d_]+")
_NUMBER_OR_STREET = re.compile(r"\d|" + ADDRESS_WORD.pattern)
_AND_OR = re.compile(r"(?<![A-Za-z])(?i:and|or|with)(?![A-Za-z])")
_SMALL_WORD = re.compile(r"(?<![A-Za-z])[a-z]+(?![A-Za-z])")


def _trimmed(text: str, g: Match) -> Match:
    """`g` without spaces and punctuation at either end."""
    start, end = g.start, g.end
    while start < end and text[start] in _EDGE_PUNCT:
        start += 1
    while end > start and text[end - 1] in _EDGE_PUNCT:
        end -= 1
    return g._replace(start=start, end=end)


def _grows(text: str, g: Match, inside: list[Match], label: str) -> bool:
    """Whether the gap span `g` may replace the matches it holds (`inside`: those of its own label): it lies
    on one line, and unless it is an address what it adds is no list (`Wilhelmina, Desmond and ...` are
    three people; `KL4P7Q, two adults`) and, for a name, words in capitals (`kevin pls`, `sarah hahahaha`:
    no surname)."""
    if "\n" in text[g.start:g.end]:
        return False
    added, at = [], g.start
    for m in inside:
        added.append(text[at:m.start])
        at = m.end
    added.append(text[at:g.end])
    more = " ".join(added)
    if label == "ADDRESS":
        # Its commas are the address's, but not `and` or a small word that is no street's (`12 Main Street, 3
        # kids`: the sentence goes on); what it adds before or after the rules' matches holds a number or a
        # street or building word (not `12 Main Street Thanks`, `T2N 1N4, in Calgary`, 杭州 before 西湖区 ...).
        ends = (added[0], added[-1]) if inside else (more,)
        return _AND_OR.search(more) is None and all(
            ADDRESS_WORD.fullmatch(w) for w in _SMALL_WORD.findall(more) if len(w) >= 4) and all(
            not part.strip(_EDGE_PUNCT) or _NUMBER_OR_STREET.search(part) for part in ends)
    if label == "PERSON" and spelled_out(text[g.start:g.end]):
        return True  # Victor, Alpha, November, space, Delta: a name spelled, not a list of names
    if _LIST_JOIN.search(more):
        return False
    if label == "PERSON":
        return all(w[0].isupper() or not w.isascii() for w in _WORD.findall(more))
    return True


def select(matches: Iterable[Match]) -> list[Match]:
    """Non-overlapping matches: earlier start wins, then longer, then detector order."""
    chosen: list[Match] = []
    last_end = -1
    for m in sorted(matches, key=lambda m: (m.start, -m.end, m.rank)):
        if m.start >= last_end:
            chosen.append(m)
            last_end = m.end
    return chosen


# Detectors that run on the input only, never on a reply stream (by pattern; see README, Redaction: what
# the output side must catch): every address rule (they hold from any Chinese character, digit or
# capital), the name rules that hold without their cue (names.INPUT_ONLY), and the spelled-out e-mail
# (`john at gmail dot com`: its alphabet holds the space, so it would hold every English reply's tail),
# and digits read out in English words (`one three eight ...`, the same reason) or one by one (`2 0 6 5 …`:
# it would hold every digit and space of a reply), and cards read out in Chinese numerals (every 一, 三), and
# order numbers read out after their cue (letters, digits and digit words between spaces), and UK National
# Insurance and NHS numbers (numbers.INPUT_ONLY: two letters before digits would hold every short word).
INPUT_ONLY_PATTERNS: frozenset[str] = frozenset(
    d.pattern for d in places.DETECTORS + names.INPUT_ONLY + phones.INPUT_ONLY + numbers.INPUT_ONLY
    + numbers.CUED_INPUT_ONLY + [contact.SPELLED_EMAIL]
    + codes.SPOKEN_ORDER_DETECTORS)


def output_detectors(detectors: Sequence[PatternDetector]) -> tuple[PatternDetector, ...]:
    """`detectors` less those that only run on input (INPUT_ONLY_PATTERNS), in the same order."""
    return tuple(d for d in detectors if d.pattern not in INPUT_ONLY_PATTERNS)


_CACHE: dict[tuple[int, ...], Redactor] = {}


def compiled(detectors: Sequence[PatternDetector] | None = None) -> Redactor:
    """The Redactor for `detectors` (DEFAULT_DETECTORS as they are now if None), built once per list."""
    dets = DEFAULT_DETECTORS if detectors is None else detectors
    key = tuple(map(id, dets))
    redactor = _CACHE.get(key)
    if redactor is None or redactor.detectors != tuple(dets):
        if len(_CACHE) > 16:
            _CACHE.clear()
        redactor = _CACHE[key] = Redactor(dets)
    return redactor


def find_spans(text: str, detectors: Sequence[PatternDetector] | None = None) -> list[Span]:
    """Sorted, non-overlapping PII spans in text (offsets into the original text, end exclusive)."""
    return compiled(detectors).find_spans(text)


def redact(
    text: str, placeholders: Placeholders | None = None, detectors: Sequence[PatternDetector] | None = None,
    *, revealable: bool = False,
) -> Redaction:
    """Replace every PII span with its placeholder (a fresh Placeholders if None)."""
    return compiled(detectors).redact(text, placeholders, revealable=revealable)


def redact_output(
    text: str, placeholders: Placeholders | None = None, detectors: Sequence[PatternDetector] | None = None,
) -> Redaction:
    """Batch redaction as a reply stream does it (the output set): what StreamRedactor's joined output equals."""
    return compiled(detectors).output.redact(text, placeholders)
