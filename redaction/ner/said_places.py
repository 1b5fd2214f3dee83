"""Chinese addresses said in pieces: a caller reading an address aloud pauses between its parts, and
speech-to-text writes the pauses as commas, with the fillers between them (安徽省六安市霍邱县，冯井镇，张圩村，
五组，十八号; 温州市鹿城区，车站大道，嗯，五百七十七号，财富中心，二十八楼). The address rules read an address
written in one piece, so each stretch of text in such pieces is read again with its pauses taken out, and
what the rules find there is mapped back over the pauses.
"""

from __future__ import annotations

import re

from ..detectors.base import CJK as _CJK
from ..extend import extend_addresses

# A pause: commas, enumeration commas or spaces, with the fillers said in it.
_FILLERS = "那个|这个|就是|然后|嗯|呃|额|哦|啊"
_PAUSE = f"[，,、 ]+(?:(?:{_FILLERS})[，,、 ]*)*"
# Pieces of Chinese characters, digits and letters; three or more pieces, two or more pauses.
_RUN = re.compile(f"[{_CJK}0-9A-Za-z]+(?:{_PAUSE}[{_CJK}0-9A-Za-z]+){{2,}}")
_PAUSE_RE = re.compile(_PAUSE)
# A piece that is a number alone, in digits, Chinese numerals or letters and digits (四零二, 1203, B3).
_NUMBER = re.compile("(?=.*[0-9零〇一二三四五六七八九十百千幺两])[0-9A-Za-z零〇一二三四五六七八九十百千幺两]{1,6}")
_HAS_CJK = re.compile(f"[{_CJK}]")
# A word that ends an address's part (a division, a road, a village, a door, a floor).
_PART_END = re.compile("(?:省|市|区|區|县|縣|州|旗|镇|鎮|乡|鄉|村|村委会|屯|组|組|路|街|道|巷|弄|胡同|段|号|號|号院|號院|"
                       "栋|棟|座|幢|楼|樓|层|層|室|单元|單元|花园|小区|家园|园|大厦|中心|广场|公寓|苑|"
                       "(?<=[0-9零〇一二三四五六七八九十])房|(?<=[号號楼樓])之[一二三四五六七八九十])$")


class SaidAddresses:
    """Finds ADDRESS spans over pauses with `rules` (a Redactor holding the address patterns alone), each
    grown over the rest of its address as on the whole text (redaction.extend)."""

    def __init__(self, rules) -> None:
        self.rules = rules

    def find(self, text: str) -> list[tuple[int, int, str, float]]:
        out: list[tuple[int, int, str, float]] = []
        if "，" not in text and "," not in text and "、" not in text:
            return out
        for run in _RUN.finditer(text):
            # A pause is taken out only between two pieces that are parts of an address (each ends in a
            # part's word, or is a number alone of up to six characters), one of them in Chinese:
            # 29号，周边的景点有… keeps its comma, and so do 276号，13708725196 and `Flat 5, 18`.
            pieces, pauses = [], []
            pos = run.start()
            for pause in _PAUSE_RE.finditer(text, run.start(), run.end()):
                pieces.append((pos, pause.start()))
                pauses.append(pause.span())
                pos = pause.end()
            pieces.append((pos, run.end()))
            part = [bool(_PART_END.search(text, a, b) or _NUMBER.fullmatch(text, a, b)) for a, b in pieces]
            kept: list[int] = []  # positions in `text` of the run read again
            cut = []
            for i, (a, b) in enumerate(pieces):
                kept.extend(range(a, b))
                if i < len(pauses):
                    if part[i] and part[i + 1] and (_HAS_CJK.search(text, a, b)
                                                    or _HAS_CJK.search(text, *pieces[i + 1])):
                        cut.append(pauses[i])
                    else:
                        kept.extend(range(*pauses[i]))
            if not cut:
                continue
            joined = "".join(text[i] for i in kept)
            out.extend(over_pauses(extend_addresses(joined, self.rules.fused(joined), self.rules.labels),
                                   self.rules.labels, kept, cut))
        return out


def over_pauses(matches, labels, kept: list[int], cuts: list[tuple[int, int]]) -> list[tuple[int, int, str, float]]:
    """The `matches` found in a text read without its pauses (`kept`: where each of its characters stands in
    the text), mapped back; only those that run over a pause (read in one piece, the rules found it already)."""
    out = []
    for m in matches:
        start, end = kept[m.start], kept[m.end - 1] + 1
        if any(start < a and b < end for a, b in cuts):
            out.append((start, end, labels[m.rank], 0.8))
    return out
