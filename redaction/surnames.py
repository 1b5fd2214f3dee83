"""A surname alone is not a name: `Mr Tan`, `Dr Osei's clinic`, `Mrs Byrne`, `我姓何`, `敝姓林`.

Issue 12 names `任经理` (a surname and a title) as a false positive, and the Chinese rules never flag
`王经理`, `李女士` or `陈生`. A title and a surname, or a surname given alone after 姓, tells the model
no more than `the customer`: thousands of people share it. English is treated the same way, so `Thanks,
Mr Okafor` is left as written, like `欧阳女士您好`.

A surname that the same text gives as a name elsewhere is personal data all the same: in `My name is
Daniel Okafor ... thanks Mr Okafor`, `Last name? / Szczepański, S Z C Z ... / okay Mr Szczepański` and
`我姓郑，郑红梅` the surname stays masked (a placeholder next to the surname would give it away). Input
side only (Redactor.fused with the recognizers), before a name is repeated over its other mentions, so a
dropped surname is not repeated either.
"""

from __future__ import annotations

import re
from typing import Sequence

from .detectors.base import CJK_CHARS
from .normalise import strip_accents

# Titles, and the particles a surname may carry (Van der Berg, bin Rashid, d/o Ramasamy).
_TITLES = "mr|mrs|ms|miss|mx|dr|prof|mister|madam|mdm"
_PARTICLE_WORDS = ("van", "von", "de", "der", "den", "del", "della", "di", "da", "du", "la", "le", "bin", "binti",
                   "bte", "ibn", "al", "el", "d/o", "s/o")
_PARTICLE = "(?i:" + "|".join(re.escape(p) for p in _PARTICLE_WORDS) + ")"
_PARTICLES = frozenset((*_PARTICLE_WORDS, "st", "st."))
# A title, then one surname with its particles (Mr Van der Berg, Ms O'Sullivan, dr okafor).
_TITLE_SURNAME = re.compile(r"(?i:" + _TITLES + r"|madame)\.?[^\S\n]+((?:(?:" + _PARTICLE + r"|(?i:st\.?))[^\S\n]+)*[^\s]+)")
_TITLE_BEFORE = re.compile(r"(?<![A-Za-z])(?i:" + _TITLES + r")\.?[^\S\n]+$")
_PARTICLE_TAIL = re.compile(r"(?:[^\S\n]+" + _PARTICLE + r")+[^\S\n]+([A-Z][\w'’-]*)")
_SURNAME_CUE = re.compile("姓[^\\S\n]?$")
# The surname spelled or the given name described after it (耳东陈, 立早章, 单名一个晨字, 名叫...).
_DESCRIBED = re.compile("\0|单名|双名|名字|名叫|全名|叫做")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


def lone_surnames(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` less the PERSON matches that are a title and a surname alone, or a surname alone after
    姓, whose surname is in no other PERSON match of the text."""
    lone: list[tuple[int, str]] = []
    for i, m in enumerate(chosen):
        if labels[m.rank] != "PERSON":
            continue
        surname = _lone(text, m.start, m.end)
        if surname:
            lone.append((i, surname))
    if not lone:
        return list(chosen)
    known: set[str] = set()  # the words of the other names, and the Chinese ones whole
    alone = {i for i, _ in lone}
    for i, m in enumerate(chosen):
        if labels[m.rank] != "PERSON" or i in alone:
            continue
        span = text[m.start:m.end]
        if span and span[0] in CJK_CHARS:
            known.add(span)
        else:
            known.update(_fold(w) for w in _WORD.findall(span))
    dropped = set()
    for i, surname in lone:
        if surname[0] in CJK_CHARS:
            if not any(f.startswith(surname) for f in known):
                dropped.add(i)
        elif _fold(surname) not in known:
            dropped.add(i)
    return [m for i, m in enumerate(chosen) if i not in dropped]


def _fold(word: str) -> str:
    """`word` in lower case without its accents (Szczepański and szczepanski are one surname)."""
    return strip_accents(word.lower())


def _lone(text: str, start: int, end: int) -> str:
    """The surname when text[start:end] is a title and a surname alone, or one or two Chinese characters
    right after 姓; else ''."""
    span = text[start:end]
    if span[0] in CJK_CHARS:
        if len(span) <= 2 and all(c in CJK_CHARS for c in span) and _SURNAME_CUE.search(text, max(0, start - 2), start) \
                and not (end < len(text) and text[end] in CJK_CHARS and text[end] not in "，。、！？；：,先女小生太") \
                and not _DESCRIBED.search(text[end:end + 16].replace(span, "\0")):
            return span
        return ""  # 我姓陈，耳东陈，单名一个晨字: the name is described (redaction.extend grows it)
    m = _TITLE_SURNAME.fullmatch(span)
    if m:
        words = _WORD.findall(m.group(1))
    elif _TITLE_BEFORE.search(text, max(0, start - 12), start):
        words = _WORD.findall(span)
    else:
        return ""
    if not words:
        return ""
    tail = _PARTICLE_TAIL.match(text, end)
    if tail:
        words = words + [tail.group(1)]  # Mr Van | der Berg: the span stopped before the rest of the surname
    core = [w for w in words if w.lower() not in _PARTICLES]
    if len(core) != 1 or (not tail and _NEXT_WORD.match(text, end)):
        return ""  # Mr Tan Wei Ming: a longer name
    return core[0]


_NEXT_WORD = re.compile(r"[^\S\n]+[A-Z][a-z]")
