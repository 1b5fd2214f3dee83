"""Korean names in Latin letters (Park Seo-yeon, choi hyun woo, PARK JIHOON, Ji-woo Kim, eun-ji): a family
name from the commonest few and a given name of two syllables, joined by a hyphen, a space or nothing.

The census lists hold some family names (Kim, Lee, Park) but not the given names, and the syllables are short
enough to read as English words (min, jun, woo) one at a time; so the rule wants the two syllables together,
each from the list of syllables Korean given names are made of, beside a family name. A hyphenated pair of
such syllables (Eun-ji, Seo-yeon) is a given name on its own: no English word is written that way.
"""

from __future__ import annotations

import re

# Family names as romanised (Revised Romanization and the older spellings people keep in passports).
_FAMILY = ("kim lee yi rhee park pak bak choi choe jung jeong chung kang cho jo yoon yun jang chang lim im han "
           "oh seo suh shin sin kwon hwang ahn an song jeon jun hong yoo yu ryu ko go moon mun yang son sohn bae "
           "baek paik heo huh nam noh roh ha kwak gwak sung seong cha joo ju woo koo gu min na jin chae won "
           "chun cheon bang gong hyun ham yeo pyo").split()
# Syllables of given names.
_SYLLABLES = ("min jun joon seo yeon ji woo hyun hoon eun soo su young yeong jin ho jae sung seong hye kyung "
              "gyeong hee jeong yoon yun seung dong hyo ah na ra ye won hwa sook mi ja bin yu kyu gyu tae il chul "
              "cheol sang han hyuk sik beom bum gi ki jung seon sun mee bo da in ha chan hwan jong kwang gwang "
              "myung myeong nam seok suk yong hun woong ung geun keun hyeon ju joo chae rin rim si so hae hui "
              "yul kyeong gun geon hong eon jee jeon deok duk young hak ok nyeon ryeong byung byeong do").split()
_SYL = "(?:" + "|".join(sorted(_SYLLABLES, key=len, reverse=True)) + ")"
_FAM = "(?:" + "|".join(sorted(_FAMILY, key=len, reverse=True)) + ")"
_EDGE_BEFORE = r"(?<![A-Za-z0-9@_'-])"
_EDGE_AFTER = r"(?![A-Za-z0-9@_'-])"
# A given name: two syllables with a hyphen (seo-yeon), a space (hyun woo) or nothing (jihoon).
_GIVEN_HYPHEN = f"{_SYL}-{_SYL}"
_GIVEN = f"(?:{_GIVEN_HYPHEN}|{_SYL} {_SYL}|{_SYL}{_SYL})"
_FAMILY_SET = frozenset(_FAMILY)
_TOKEN = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")
_FAMILY_FIRST = re.compile(f"(?i:{_EDGE_BEFORE}{_FAM} {_GIVEN}{_EDGE_AFTER})")
_GIVEN_FIRST = re.compile(f"(?i:{_EDGE_BEFORE}(?:{_GIVEN_HYPHEN}|{_SYL}{_SYL}) {_FAM}{_EDGE_AFTER})")
_HYPHENATED = re.compile(f"(?i:{_EDGE_BEFORE}{_GIVEN_HYPHEN}{_EDGE_AFTER})")
# Pairs of syllables that are English words when joined or spaced (Dong Ha is a place; `sun mi`…): written
# without a hyphen they need the family name; a few English words made of two syllables are never names.
_WORDS = frozenset("union sunday bingo hojo yoyo dodo mimi nana gogo juju dojo bonsai hana".split())
_STOP_AFTER = re.compile(r" (?i:street|st|road|rd|station|province|city|district|university|hospital|group|"
                         r"electronics|motors|bank|restaurant|bbq|market)(?![A-Za-z])")


def korean_names(text: str) -> list[tuple[int, int, str, float]]:
    """PERSON spans of Korean names written in Latin letters in `text`."""
    from .english import dictionary, listed

    words_list = dictionary()
    out: list[tuple[int, int, str, float]] = []
    taken: list[tuple[int, int]] = []
    # The patterns are tried only where a word allows them (a family name, a word before one, a hyphenated
    # pair of syllables): a search over the whole text tries every family name at every position.
    tokens = [(t.start(), t.group().lower()) for t in _TOKEN.finditer(text)]
    starts: dict = {_FAMILY_FIRST: [], _GIVEN_FIRST: [], _HYPHENATED: []}
    for i, (at, low) in enumerate(tokens):
        if low in _FAMILY_SET:
            starts[_FAMILY_FIRST].append(at)
        if i + 1 < len(tokens) and tokens[i + 1][1] in _FAMILY_SET:
            starts[_GIVEN_FIRST].append(at)
        if "-" in low:
            starts[_HYPHENATED].append(at)
    for rx in (_FAMILY_FIRST, _GIVEN_FIRST, _HYPHENATED):
        for at in starts[rx]:
            m = rx.match(text, at)
            if m is None:
                continue
            a, b = m.span()
            words = m.group().lower().replace("-", " ").split()
            if any(a < e and s < b for s, e in taken) or "".join(words[-2:]) in _WORDS or _STOP_AFTER.match(text, b):
                continue
            if rx is not _HYPHENATED and m.group().islower() and "-" not in m.group() and len(words) == 2:
                continue  # `park jihoon` alone in lower case: also `go minho`, `an dojo`… leave it to a cue
            said = m.group().split()
            if "-" not in m.group() and not all(w[:1].isupper() for w in said) and all(
                    listed(w.lower(), words_list) for w in said):
                continue  # oh so young, Oh so young, ha ha ha: English words, not written as a name
            out.append((a, b, "PERSON", 0.75))
            taken.append((a, b))
    return out
