"""English and pinyin person names without a cue word, from public-domain name lists and capitalisation.

A candidate is two or three capitalised words (`Maria Gonzalez`, `Mary Ann Smith`, `ZHANG Wei`) whose
first word is a first name of the US Census 1990 lists and whose last word a surname of the same census
(frequency >= 0.001 %), or a Chinese surname in pinyin followed by one or two pinyin syllables
(`Zhang Wei`, `Wang Xiaoming`, `ZHANG wei`). Words that are far more often ordinary English words than
names (`May`, `Will`, `Grant`...) and words of product, place and company names are never the first or
last word. No list built from leaked data is used (see README, Redaction).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from pathlib import Path

_DATA = Path(__file__).resolve().parent.parent / "data"

# Chinese surnames in Hanyu Pinyin (the frequent ones) and Wade-Giles/Cantonese spellings seen in names.
PINYIN_SURNAMES = frozenset((
    "wang li zhang liu chen yang huang zhao wu zhou xu sun ma zhu hu guo he gao lin luo zheng liang xie song "
    "tang han feng deng cao peng zeng xiao tian dong pan yuan cai jiang yu du ye cheng wei su lu ding ren shen "
    "yao jiang cui zhong tan lu fan wang jin shi jia xia qiu fu fang hou zou xiong meng qin bai mao hao gong "
    "shao wan qian yan lai qin kong tao yin duan lei hao long shi kang mo niu ge xing qiao pang ni zhuang nie "
    "zhai yue bao yin gu ouyang situ zhuge shangguan murong sima "
    "chan cheung chow lau leung wong ng tsang kwok yeung chiu chang hsu tsai lee"
).split())
# Pinyin syllables (without tones), the building blocks of a given name.
_INITIALS = "b p m f d t n l g k h j q x zh ch sh r z c s y w".split()
_FINALS = ("a o e i u v ai ei ao ou an en ang eng ong ia ie iao iu ian in iang ing iong ua uo uai ui uan un uang "
           "ue van vn er").split()
_SYLLABLE = "(?:" + "|".join(sorted(_INITIALS, key=len, reverse=True)) + ")?(?:" + "|".join(
    sorted(_FINALS, key=len, reverse=True)) + ")"
_PINYIN_GIVEN = re.compile(f"(?:{_SYLLABLE}){{1,2}}")
# Common English words that are also census first names or surnames: never a name's first or last word
# without a cue (the rules in detectors/names.py still take them after one).
_COMMON = frozenset((
    "may june april august will grant bill mark rose hope faith joy grace iris ivy lily daisy ruby pearl "
    "crystal amber summer autumn dawn sky star max guy king rich young long white black brown green gray "
    "grey little love hill wood woods field fields rivers lake park parks street lane banks price cash "
    "cook baker miller carter hunter taylor turner walker mason porter page chase lane storm north south "
    "west east day week early light bright sharp strong best good gold silver new major justice "
    "christian man pat sue don ken ray dean art tim ben jack bob gene joy so see son wing thank happy "
    "china chinese english french german american asia europe london paris york united states city "
    "washington lincoln jackson jefferson madison franklin hamilton washington clinton houston dallas austin "
    "charlotte denver phoenix orlando florence beverly victoria georgia carolina virginia "
    "dakota nevada lincoln holiday inn hotel marriott hilton hyatt sheraton motel suite apple google amazon "
    "tesla ford dell chase morgan wells fargo visa master express delta southwest spirit frontier sun "
    "monday tuesday wednesday thursday friday saturday sunday january february march september october "
    "november december christmas easter god lord jesus mom dad sir madam miss mister dear hi hello "
    "happy dear team customer service support order account card please thanks thank you "
    "in my an so on at to the and or no yes ok de la le van von del jan feb mar apr jun jul aug sep sept "
    "oct nov dec america israel karma los las"
).split())
# Words before a capitalised pair that make it part of a place, a street or a title (San Felipe Ortega
# Road, Sir Edwin Parker Boulevard, The Duchess Mabel), and words after it that make it a place.
_PLACE_BEFORE = frozenset("san santa santo sao st saint sir fort mount mt lake port cite vila villa "
                          "princess prince king queen lady lord duke duchess the ft rua".split())
_PLACE_AFTER = frozenset((
    "road rd street st avenue ave boulevard blvd lane ln drive dr way court ct place pl plaza square "
    "parkway pkwy highway hwy terrace circle cir trail apartments apartment apts house hall tower towers "
    "building center centre park garden gardens creek valley river bridge dam airport station hotel inn "
    "international university college school hospital clinic church museum theatre theater library "
    "mall market restaurant cafe bar club stadium arena"
).split())
# A single capitalised first name after one of these words is someone (a table for Maria, send it to
# Oscar, share it with Ivy, Hi Linda): lower case, the word right before the name.
_SINGLE_CUE = re.compile(
    r"(?:^|[^A-Za-z])(?:to|with|for|from|send|sending|paying|pay|call|calling|text|texting|email|ask|"
    r"contact|tell|told|met|meet|named|called|hi|hey|hello|dear|thanks|love|miss|visit|visiting|"
    r"recipient|receiver|of|and|by|is|am|me|thank you|name's|name is) $", re.I)
# ... or after a lower-case word, mid-sentence (a capitalised word there is a proper noun; a census
# first name there is most often a person): `I met Yolanda`, `happy to see Ryan`.
_LOWER_BEFORE = re.compile(r"(?<![A-Za-z'])[a-z][a-z']*,? $")
# ... or opening a sentence, followed by a verb or a comma: `Helen, please...`, `Helen is...`.
_VERB_AFTER = re.compile(r" ?,(?! ?[A-Z]{2}(?![A-Za-z]))| (?:is|was|has|had|said|says|will|would|can|could|and|got|says|wants|called|"
                         r"lives|works|knows|told|asked)(?![A-Za-z])")
_SINGLE = re.compile(r"(?<![A-Za-z0-9@#_.'-])[A-Z][a-z]{2,}(?![A-Za-z0-9_@'-])")


@lru_cache(maxsize=1)
def name_lists() -> tuple[frozenset[str], frozenset[str]]:
    """(first names, surnames), lower case, from redaction/data (OSError if a file is missing)."""
    def read(name: str) -> frozenset[str]:
        with open(_DATA / name, encoding="utf-8") as f:
            return frozenset(w for w in (line.strip() for line in f) if w and not w.startswith("#"))
    return read("census_first_names.txt"), read("census_surnames.txt")


# Two or three words, each capitalised (Maria, McDonald, O'Brien, Smith-Jones) or all capitals (ZHANG).
# Latin-1 and Latin Extended-A letters too (Åsa, Øberg, Łukasz); the lists are looked up without accents.
_UP = "A-ZÀ-ÖØ-ÞĀ-ſ"
_LOW = "a-zß-öø-ÿĀ-ſ"
_WORD = rf"(?:[{_UP}][{_LOW}]+(?:(?:'|-)[{_UP}][{_LOW}]+)?|[{_UP}][{_LOW}]?[{_UP}][{_LOW}]+|[{_UP}]{{2,}})"
_CANDIDATE = re.compile(rf"(?<![A-Za-z0-9@#_.'-]){_WORD}(?: (?:[A-Z]\. )?{_WORD}){{1,2}}(?![A-Za-z0-9_@'-])")
# Pinyin given names are often written lower case after an upper-case surname (ZHANG wei).
_PINYIN_LOWER = re.compile(r"(?<![A-Za-z0-9@#_.'-])([A-Z]{2,}|[A-Z][a-z]+) ([a-z]+)(?![A-Za-z0-9_@'-])")


def _plain(word: str) -> str:
    """The word without accents (åsa -> asa)."""
    if word.isascii():
        return word
    return "".join(c for c in unicodedata.normalize("NFD", word) if not unicodedata.combining(c))


class EnglishNames:
    """Recognizer: cue-less English and pinyin person names (see the module docstring)."""

    labels = ("PERSON",)

    def __init__(self) -> None:
        self.first, self.last = name_lists()

    def _is_name(self, words: list[str]) -> float:
        low = [_plain(w.lower()) for w in words]
        if low[0] in _COMMON or low[-1] in _COMMON:
            return 0.0
        if low[0] in PINYIN_SURNAMES and all(_PINYIN_GIVEN.fullmatch(w) for w in low[1:]) and len(low) == 2:
            return 0.8
        first = low[0].split("-")[0].split("'")[-1]
        last = low[-1].split("-")[-1].replace("'", "")
        if first in self.first and (last in self.last or last in PINYIN_SURNAMES):
            # An all-capitals pair is usually a heading or a shout, unless it is a full name's form.
            return 0.85
        return 0.0

    def _in_place(self, text: str, start: int, end: int) -> bool:
        """Whether text[start:end] is part of a place or a title: a word of _PLACE_BEFORE or a number
        before it, a word of _PLACE_AFTER after it."""
        before = text[max(0, start - 12):start].split()
        after = text[end:end + 16].split()
        if before and (before[-1].lower().strip(",") in _PLACE_BEFORE or before[-1].isdigit()):
            return True
        return bool(after) and after[0].lower().strip(".,;:!?") in _PLACE_AFTER

    def find(self, text: str) -> list[tuple[int, int, str, float]]:
        """PERSON spans on normalised `text`."""
        if text.islower():
            return []
        out = []
        for m in _CANDIDATE.finditer(text):
            words = [(w.start(), w.end()) for w in re.finditer(r"\S+", m.group()) if not w.group().endswith(".")]
            if all(m.group()[a:b].isupper() for a, b in words):
                continue  # BIG SALE: a heading or a shout
            if self._in_place(text, m.start(), m.end()) or any(
                    w.lower() in _PLACE_BEFORE or w.lower() in _PLACE_AFTER for w in m.group().split()):
                continue  # Marvin Hollow Apartments, The Duchess Mabel
            # Longest first: all the words, else the first two, else the last two.
            for a, b in ((0, len(words)), (0, 2), (len(words) - 2, len(words))):
                part = words[a:b]
                if len(part) < 2:
                    continue
                score = self._is_name([m.group()[s:e] for s, e in part])
                if score:
                    out.append((m.start() + part[0][0], m.start() + part[-1][1], "PERSON", score))
                    break
        for m in _PINYIN_LOWER.finditer(text):
            sur, given = m.group(1).lower(), m.group(2)
            if sur in PINYIN_SURNAMES and m.group(1).isupper() and _PINYIN_GIVEN.fullmatch(given):
                out.append((m.start(), m.end(), "PERSON", 0.8))
        taken = [(a, b) for a, b, _, _ in out]
        for m in _SINGLE.finditer(text):
            a, b = m.span()
            if any(x < b and a < y for x, y in taken) or not (_SINGLE_CUE.search(text, max(0, a - 12), a) or _LOWER_BEFORE.search(text, max(0, a - 24), a)
                    or (not text[:a].strip() or text[:a].rstrip()[-1:] in ".!?\n") and _VERB_AFTER.match(text, b)):
                continue
            low = m.group().lower()
            if low in self.first and low not in _COMMON and not self._in_place(text, a, b):
                nxt = text[b:b + 2]
                if not (nxt[:1] == " " and nxt[1:2].isupper()):  # Maria Gardens: part of a longer name
                    out.append((a, b, "PERSON", 0.7))
        return out
