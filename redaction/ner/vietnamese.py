"""Vietnamese names, with or without their diacritics (Nguyễn Thị Hương, Trần Văn Minh, Hoang Minh Khoa):
a family name from the commonest few, then one to three syllables.

The census lists do not hold them and the English word pattern ends a word at ễ or ạ, so they need their
own rule. Written with diacritics, one syllable after the family name will do (the marks leave no other
reading); written without, two or three, and the family name must be one that is no English word (not
Le, Ho, Mai, Van). In lower case, as transcripts write them, a middle name that marks a Vietnamese name
(thi, van, quoc…) must stand between the two.
"""

from __future__ import annotations

import re

from ..normalise import normalise

# Family names as written with their marks (about nine Vietnamese in ten bear one of these).
_MARKED = ("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương Lý Đinh Đào Trịnh Lương Đoàn "
           "Trương Lâm Tạ Châu Quách Tôn Thái Phùng Kiều Mạc Lưu Cao Hà Tô").split()
# ... and without them: only those that are no English word.
_PLAIN = "Nguyen Tran Pham Hoang Huynh Phan Dang Bui Ngo Duong Dinh Trinh Truong Luong Doan Quach Phung Kieu".split()
_LETTER = "A-Za-zÀ-ÖØ-öø-ÿĀ-ſƠơƯưẠ-ỹ"
_LOWER = "a-zà-öø-ÿā-ſơưạ-ỹ"
_UPPER = "A-ZÀ-ÖØ-ÞĀ-ſƠƯẠ-Ỹ"
# What a Vietnamese place or firm goes on with (Phan Thiet City, Bui Vien Street, Nguyen Family Dental).
_PLACE_WORDS = ("Street|St|Road|Rd|Avenue|Ave|Boulevard|Blvd|City|Province|District|Ward|Bridge|Market|Park|"
                "Hotel|Restaurant|School|University|Hospital|Company|Co|Ltd|Group|Jsc|Corp|Bank|Pagoda|Lake|"
                "Family|Dental|Nails|Salon|Foods|Law|Pho|Bakery|Cafe|Store|Shop|Services|Insurance|Trading")
# A syllable: capitalised, up to seven letters (Nguyễn, Hương, Khoa); in the detection view (redaction.normalise)
# ơ reads as o' (its confusable skeleton), so Hương is Hưo'ng there.
_SYLLABLE = f"(?!(?:{_PLACE_WORDS})(?![{_LETTER}]))[{_UPPER}](?:[{_LOWER}']{{0,6}}[{_LOWER}])?"
_FAMILY = "|".join(dict.fromkeys(normalise(w).text for w in _MARKED + _PLAIN))
_NAME = re.compile(f"(?<![{_LETTER}0-9@_'-])({_FAMILY})((?: {_SYLLABLE}){{1,3}})(?![{_LETTER}0-9@_'-])")
_MARKS = re.compile("[À-ÖØ-öø-ÿĂ-ăĐđĨ-ĩŨ-ũƠơƯưẠ-ỹ']")
# In lower case (transcripts: nguyen thi lan, le quoc huy): any of the family names, without marks, then one
# of the middle names that mark a Vietnamese name, then a given name.
_LOWER_FAMILY = "|".join(dict.fromkeys(w.lower() for w in _PLAIN + "Le Ho Vu Vo Do Ly Mai Cao Ha Lam Dao Lu Ta".split()))
_MIDDLE = "thi|van|thu|ngoc|duc|quoc|huu|xuan|thanh|minh|hong|kim|gia|bao|tuan|quang|cong|dinh"
_LOWER_NAME = re.compile(f"(?<![{_LETTER}0-9@_'-])(?:{_LOWER_FAMILY}) (?:{_MIDDLE}) "
                         f"(?!(?:the|a|an|and|to|of|in|on|at|it|is|for|or|so|but|my|me|we|you|he|she|was|are|be)"
                         f"(?![a-z]))[a-z]{{2,6}}(?![{_LETTER}0-9@_'-])")
_LOWER_PLACE_AFTER = re.compile(f" (?i:{_PLACE_WORDS})(?![{_LETTER}])")
_PLACE_AFTER = re.compile(f" (?:{_PLACE_WORDS})(?![{_LETTER}])|[ ,]*(?:路|街|市|省|区|坊|郡)")


def vietnamese_names(text: str) -> list[tuple[int, int, str, float]]:
    """PERSON spans of Vietnamese names in `text`."""
    out: list[tuple[int, int, str, float]] = []
    for m in _NAME.finditer(text):
        given = m.group(2).split()
        marked = _MARKS.search(m.group()) is not None
        if not marked and (m.group(1) not in _PLAIN or len(given) < 2):
            continue
        if _PLACE_AFTER.match(text, m.end()):
            continue
        out.append((m.start(), m.end(), "PERSON", 0.8))
    for m in _LOWER_NAME.finditer(text) if " " in text else ():
        if not _PLACE_AFTER.match(text, m.end()) and not _LOWER_PLACE_AFTER.match(text, m.end()):
            out.append((m.start(), m.end(), "PERSON", 0.8))
    return out
