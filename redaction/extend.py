"""Spans grown from what was chosen: each address over the rest of the same address, each name to its
other mentions in the same message and over the title and credentials written with it.

Addresses. The address rules find the part of an address that proves it is one (a road and a door, a street and a
house number). The rest of the address is still personal data and is what the rules leave behind:
`7277 Valjean Avenue, Van Nuys, California 91406, United States`, `555 Knowles Drive #203`,
`北京市朝阳区朝阳门外日坛北路6号`, `护国寺大街93号(人民剧场对面)`, `民族园路9号院甲1号楼`. Measured on
public text (docs/BENCHMARKS.md), those leftovers were half of all PII characters the redaction left in
place.

This runs on the input side only (Redactor.fused with recognizers), after the matches are chosen:
- two address matches with only separators, a joining word or non-stop place characters between them
  become one;
- an English address takes what follows it on the same or the next lines: units (`Suite 2300`, `# C`),
  a compass suffix, city, state and country words (capitalised, never a common sentence word), ZIP and
  postal codes; and a bare number right before its house number;
- a Chinese address takes the place names before it back to a province, city or district
  (朝阳门外 between 朝阳区 and 日坛北路), and after it the building, floor and landmark characters up to
  the clause's end: a stop word (的, 是, 吗 …), a time word (明天, 下午), punctuation or a bracketed
  landmark of at most 20 characters; a Hong Kong 道 road and its districts before a door number.

An extension never crosses another label's match and is bounded (MAX_EXTRA characters each way).
"""

from __future__ import annotations

import re
from typing import Sequence

from .detectors.base import CJK, CJK_CHARS
from .detectors.names import COMPOUND_SURNAMES as _ZH_COMPOUND
from .detectors.names import SURNAMES as _ZH_SURNAMES
from .detectors.phones import _EN_DIGIT
from .detectors.places import _STOP as _ZH_START_STOP
from .detectors.places import _CITIES as _CITY_LIST
from .detectors.places import _HK_DISTRICTS, _class_without, hk_not_road
from .detectors.places import _STATES, _UNIT_PLACE_RE, uk_postcode
from .normalise import NUMERAL_DIGITS as _NUMERAL_DIGITS
from .normalise import SPOKEN_DIGITS
from .ner.spoken import LETTER_NAMES, NATO, NATO_RE, NUMBER_WORDS, _TEENS, _TENS

MAX_EXTRA = 96  # characters an address may grow by on either side

# Chinese: characters that end an address's tail (particles, pronouns, verbs of asking and sending).
# 号 and 外 (外面) belong to addresses; 附近/旁边/对面/里面 are read as words below.
_ZH_TAIL_STOP = frozenset(_ZH_START_STOP - set("号附近旁边对面里外内至达和地方")) | frozenset("上下等打见接拿取放交签坐走停开进吃玩买卖付"
                                                                                        "嘅啱唔係系喺咗呀㗎啦嗎吗架")
_ZH_TAIL_WORDS = ("附近", "旁边", "对面", "里面", "外面", "东侧", "西侧", "南侧", "北侧", "上方", "下方", "楼上",
                  "楼下")
_ZH_TIME = re.compile("今天|明天|后天|昨天|前天|今晚|明晚|上午|下午|中午|晚上|早上|凌晨|周[一二三四五六日末]|星期|"
                      "刚才|刚刚|现在|马上|立刻|一会|待会|等会|稍后|晚点|之前|之后|以后|以前|"
                      "礼拜|[0-9一二三四五六七八九十两]{1,3}(?:点|时|月|日|年|元|块|分钟|小时|天|岁|个|件|次|公斤)")
# Digits and letters inside a Chinese tail (6层601, B-106号, 74-1).
_ZH_ALNUM = re.compile("[0-9A-Za-z][0-9A-Za-z-]*")
_ZH_BRACKET = re.compile("[(（][^()（）。，；！？!?;\n]{1,20}[)）]")
_ZH_JOIN = frozenset("和、及与")
# Between two parts of one Chinese address, the way there described (对面就是那个农民巷牛肉面，你进来以后):
# a landmark word, at most this many characters, no sentence end, and no second address announced (那邊沒有
# 人收…改送到公司好了地址是…: two addresses).
_ZH_LANDMARK = re.compile("对面|旁边|后面|附近|隔壁|门口|边上|对过|斜对|楼下|进来|进去|上去|往里")
_ZH_SENTENCE_END = re.compile("[。！？!?\n]|地址")
_ZH_LANDMARK_GAP = 26
# Before an address: back over place names, never over a verb of moving (到, 去, 住 are stops) or 的.
_ZH_HEAD_STOP = frozenset(_ZH_START_STOP - set("地外内都和方机")) | frozenset("系喺嘅")  # Cantonese is, at, 's
_ZH_HEAD_MAX = 20
_ZH_ROAD_ENDS = ("大街", "大道", "胡同", "路", "街", "巷", "村")
_ZH_NUMERALS = frozenset("一二三四五六七八九十")
_ZH_ESTATE_ENDS = ("小区", "花园", "家园", "公寓", "新村", "社区")
_CITIES = frozenset(_CITY_LIST)  # 成都 before 市武侯区…: the place rules never start a name at 都
# Hong Kong: roads end in 道 (弥敦道, 轩尼诗道; the rules leave 道 alone, it ends 知道 and 频道 too), after
# districts with no unit (九龙旺角弥敦道688号): taken only right before a door number.
_HK_ROAD_START = re.compile("(?:" + _HK_DISTRICTS + ")*[" + _class_without(set("道")) + "]{1,4}道[0-9]")
_HK_LEAD = re.compile("(?:" + _HK_DISTRICTS + ")+[" + _class_without(set(_ZH_START_STOP) - set("告")) + "]?$")
_HK_ROAD = re.compile("(?:" + _HK_DISTRICTS + ")*[" + _class_without(set(_ZH_START_STOP) | set("道")) + "]{1,4}道$")

# English tails. One step: a separator (spaces, one comma or line break, mail quoting `>`) and one part.
_SEP = re.compile(r"[ \t]*[,;\n]?[ \t>]*[,;\n]?[ \t>]*")
_L = "A-Za-zÀ-ÖØ-öø-ſΆΈ-ΊΌΎ-ώЀ-ӿ"  # Latin, Greek and Cyrillic letters
_UP = "A-ZÀ-ÖØ-ÞĀ-ſΆΈ-ΊΌΎ-ΩЀ-Я"
_EN_UNIT = re.compile(
    r"(?:#|No\.|Apt\.?|Apartment|Suite|Ste\.?|Unit|Room|Rm\.?|Floor|Fl\.?|Flat|Bldg\.?|Building|"
    r"APT\.?|SUITE|STE\.?|UNIT|ROOM|FLOOR|apt\.?|apartment|suite|ste\.?|unit|room|rm\.?|floor|fl\.?|flat|bldg\.?|building)"
    r" ?#? ?(?:[0-9A-Z][0-9A-Za-z-]{0,5}(?![" + _L + "0-9])|[a-z]" r"(?=[.,;!?]|\s*$))"  # suite j.
    r"|[0-9]{1,3}(?:st|nd|rd|th) (?:Floor|FLOOR|floor|Fl\.?)(?![" + _L + "])"  # 4th Floor
    r"|(?:United|UNITED|united) (?:states|kingdom)(?![" + _L + "])")  # the country in lower case
_EN_DIRECTION = re.compile(r"(?:North|South|East|West)(?:east|west)?(?![" + _L + "])|(?:N|S)[EW]?(?![" + _L + "0-9.])")
_EN_CODE = re.compile(
    r"[0-9]{4,6}(?:-[0-9]{4})?(?![0-9" + _L + "])"          # ZIP / postal code
    r"|[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2}(?![" + _L + "0-9])"  # UK postcode
    r"|[A-Z][0-9][A-Z] ?[0-9][A-Z][0-9](?![" + _L + "0-9])"   # Canadian postcode
    r"|(?:[ACDEFHKNPRTVWXY][0-9]{2}|D6W) ?[0-9ACDEFHKNPRTVWXY]{4}(?![" + _L + "0-9])"  # Eircode
    r"|[A-Z]{2}(?![" + _L + "0-9])")                            # state or country code
_EN_WORD = "(?:[" + _UP + "][" + _L + "'.]{1,20}|[" + _UP + "]{2,20})"
_EN_PLACE = re.compile(
    r"\(?" + _EN_WORD + r"\)?(?:[ -](?:de |del |la |le |of |upon |on |sur |am |an der |u |v )?\(?" + _EN_WORD
    + r"\)?){0,4}(?![" + _L + "0-9])")
# Capitalised words that start a sentence or name a time, never a city.
_EN_NOT_PLACE = frozenset(
    "I I'm I'll I've I'd A An The This That These Those It Its It's My Your Our Their His Her We You He She They "
    "And But Or So If When What Where Which Who Whom Why How Is Are Was Were Be Been Am Do Does Did Can Could "
    "Will Would Shall Should May Might Must Please Thanks Thank Thx Hi Hello Hey Dear Yes No Not Ok OK Okay Sure "
    "Also Then Just Only Call Text Email Phone Tel Mobile Cell Fax Office Home Work Send Ship Deliver Bill "
    "Monday Tuesday Wednesday Thursday Friday Saturday Sunday Today Tomorrow Tonight Yesterday "
    "January February March April June July August September October November December Jan Feb Mar Apr "
    "Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun Mr Mrs Ms Miss Dr Prof "
    "Sir Madam Regards Best Cheers Sincerely Attn Attention Let Let's There There's Here Here's At In On To "
    "For From By With Of About After Before As Near Next Via Please Order Account Card Number Ref Reference "
    "Name Address Zip ZIP Postcode Code Contact Customer Agent Support Team Thanks Rating Reservation".split())
_EN_MAX_PARTS = 8
# Speech-to-text and chat write whole addresses in lower case: city words are taken only up to a state
# and its ZIP code, or up to a state written out (`12 elm st springfield il 62701`, `… redwood city
# california`); a lower-case city alone (`12 main st boston`) is left (no list of places ships here).
_US_STATE_NAMES = (
    "alabama alaska arizona arkansas california colorado connecticut delaware florida georgia hawaii idaho "
    "illinois indiana iowa kansas kentucky louisiana maine maryland massachusetts michigan minnesota "
    "mississippi missouri montana nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah "
    "vermont virginia washington wisconsin wyoming"
).split() + ["new hampshire", "new jersey", "new mexico", "new york", "north carolina", "north dakota",
             "rhode island", "south carolina", "south dakota", "west virginia"]
_STATE_NAME = "(?:" + "|".join(sorted(_US_STATE_NAMES, key=len, reverse=True)) + ")"
_STATE_CODE = "(?:" + "|".join(c.lower() for c in _STATES) + "|" + "|".join(_STATES) + ")"
_LOWER_CITY_WORD = r"(?:(?!(?:and|but|then|the|is|are|was|at|to|of|for|from|with|near|by|my|we|it|you)\b)[a-z]{2,20},? )"
# Australia: a suburb, a state or territory and a four-digit postcode (`fitzroy vic 3065`).
_AU_STATE = "(?:vic|nsw|qld|tas|act|wa|sa|nt|VIC|NSW|QLD|TAS|ACT|WA|SA|NT)"
_EN_LOWER_PLACE = re.compile(
    _LOWER_CITY_WORD + r"{0,3}?(?:(?:" + _STATE_CODE + "|" + _STATE_NAME + r"),? )?[0-9]{5}(?:-[0-9]{4})?(?![0-9A-Za-z])"
    r"|" + _LOWER_CITY_WORD + "{0,3}?" + _AU_STATE + r",? [0-9]{4}(?![0-9A-Za-z])"
    r"|" + _LOWER_CITY_WORD + "{0,3}?" + _STATE_NAME + r"(?![A-Za-z])")


# A lower-case city with nothing after it that proves it is one (`42 wallaby way sydney`, `221b baker
# street london nw1 6xe`): a word of 4+ letters that web2 lists in no lower-case form (places are
# capitalised there: sydney, leeds, houston), and then the clause's end, a lower-case UK postcode or a state
# code. A word such as `boston` or `reading` stays (web2 lists it in lower case).
# State codes that are also words (in, me, or, ok, hi …) never count in lower case.
_LOWER_STATES = "|".join(c.lower() for c in _STATES if c.lower() not in ("in", "me", "or", "ok", "hi", "oh", "id",
                                                                           "de", "la", "pa", "al", "co"))
_LOWER_CITY = re.compile(r"([a-z]{4,20})(?:,? (?:" + _LOWER_STATES + r")(?![A-Za-z0-9])|(?= ?(?:[.,;!?)\n]|$| "
                         r"[a-z]{1,2}[0-9][0-9a-z]? [0-9][a-z]{2}(?![A-Za-z0-9]))))")
_LOWER_POSTCODE = re.compile(r"[a-z]{1,2}[0-9][0-9a-z]? [0-9][abd-hjlnp-uw-z]{2}(?![A-Za-z0-9])")
_CHAT_WORDS = frozenset("okay yeah yep yup nope lol lmao omg thanks thx pls plz please asap tho though btw "
                        "tomorrow today tonight".split())


def _lower_city_or_code(text: str, j: int) -> int | None:
    """The end of a lower-case UK postcode at `j`, or of an unlisted lower-case city (above), else None."""
    m = _LOWER_POSTCODE.match(text, j)
    if m is not None and uk_postcode(m.group()):
        return m.end()
    m = _LOWER_CITY.match(text, j)
    if m is None or m.group(1) in _CHAT_WORDS:
        return None
    from .ner.english import dictionary

    return None if m.group(1) in dictionary() else m.end()


def extend_addresses(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` (sorted, non-overlapping matches on normalised `text`: NamedTuples with start, end and
    rank) with each ADDRESS grown over the rest of its address and touching addresses merged."""
    if not any(labels[m.rank] == "ADDRESS" for m in chosen):
        return list(chosen)
    out: list = []
    n = len(chosen)
    taken = -1  # a one-word name the previous address's tail took as its city (`42 Wallaby Way Sydney`)
    for i, m in enumerate(chosen):
        if i == taken:
            continue
        if labels[m.rank] != "ADDRESS":
            out.append(m)
            continue
        left_limit = out[-1].end if out else 0
        right_limit = chosen[i + 1].start if i + 1 < n else len(text)
        cjk = any(c in CJK_CHARS for c in text[m.start:m.end])
        start, end = m.start, m.end
        if cjk:
            start = _zh_head(text, start, max(left_limit, start - _ZH_HEAD_MAX))
            end = _zh_tail(text, end, min(right_limit, end + MAX_EXTRA))
            cue = _ZH_ADDRESS_CUE.search(text, max(left_limit, start - _ZH_CUE_GAP - 6), start)
            if cue is not None and _zh_clause_end(text, cue.end(), start) == start:
                # After 地址是 / 位于 the address is the clause: from the cue to its end.
                start = cue.end()
                end = max(end, _zh_clause_end(text, end, min(right_limit, end + MAX_EXTRA)))
        else:
            start = _en_head(text, start, left_limit)
            end = _en_tail(text, end, min(right_limit, end + MAX_EXTRA))
            if end == right_limit or _SEP.fullmatch(text, end, right_limit) or _PLACE_GAP.fullmatch(text, end, right_limit):
                name = chosen[i + 1] if i + 1 < n else None
                words = len(text[name.start:name.end].split()) if name is not None else 0
                if name is not None and labels[name.rank] == "PERSON" and words <= 2:
                    # The name rules read a city after a street as a first name (42 Wallaby Way Sydney), or
                    # a suburb as a name (Grey Lynn, Surry Hills): the tail may take it (still masked, now as
                    # part of the address); a two-word one only when the address goes on after it.
                    beyond = chosen[i + 2].start if i + 2 < n else len(text)
                    further = _en_tail(text, end, min(beyond, end + MAX_EXTRA))
                    plain = end == right_limit or _SEP.fullmatch(text, end, right_limit)
                    if further >= name.end and (words == 1 and plain or _MORE_ADDRESS.match(text, name.end)):
                        end, taken = further, i + 1
        if out and labels[out[-1].rank] == "ADDRESS" and _joins(text, out[-1].end, start, cjk):
            prev = out.pop()
            out.append(prev._replace(end=max(prev.end, end)))
        else:
            out.append(m._replace(start=start, end=end) if (start, end) != (m.start, m.end) else m)
    return out


def join_addresses(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` (sorted, non-overlapping) with two addresses in a row merged where what stands between them
    belongs to one address (`_joins`): for the parts the context layer found after extend_addresses ran."""
    out: list = []
    for m in chosen:
        if (out and labels[m.rank] == "ADDRESS" and labels[out[-1].rank] == "ADDRESS"
                and _joins(text, out[-1].end, m.start, any(c in CJK_CHARS for c in text[m.start:m.end]))):
            out[-1] = out[-1]._replace(end=max(out[-1].end, m.end))
        else:
            out.append(m)
    return out


def _joins(text: str, a: int, b: int, cjk: bool) -> bool:
    """Whether text[a:b], between two addresses, belongs to one address."""
    if b <= a:
        return True
    gap = text[a:b]
    if cjk and len(gap) <= _ZH_LANDMARK_GAP and _ZH_LANDMARK.search(gap) and not _ZH_SENTENCE_END.search(gap):
        # 二十一号 那个 山西路地铁站旁边的 嗯 紫金大厦 B座: a landmark said on the way, in one sentence
        return True
    if len(gap) > 8:
        return False
    if cjk:
        return all(c in _ZH_JOIN or c.isascii() and c.isalnum() or c == "-"
                   or (c in CJK_CHARS and c not in _ZH_TAIL_STOP) for c in gap)
    return gap.strip(" \t,;>\n#/-") == "" and gap.count("\n") <= 2  # `Unit 4/12 Smith Street`


def _zh_head(text: str, start: int, limit: int) -> int:
    """Back over place names before a Chinese address, to the first province/city/district among them."""
    i = start
    while i > limit and text[i - 1] in CJK_CHARS and (text[i - 1] not in _ZH_HEAD_STOP or (
            text[i - 1] == "里" and text.startswith(_ZH_ESTATE_ENDS, i))):  # 和平里小区, 西溪里花园: an estate's name
        i -= 1
    for j in range(i, start):
        # A place with its unit that reaches the address (成都 + 市武侯区…, 北京市朝阳区 + 朝阳门外…).
        m = _UNIT_PLACE_RE.match(text, j)
        if m is not None and m.end() >= start:
            return j
        m = _UNIT_PLACE_RE.match(text, j, start)
        if m is not None or text[j:start] in _CITIES:
            return j
    if start - i >= 3 and text.endswith(_ZH_ROAD_ENDS, i, start):
        return i  # a road or village right before the one found (王府井大街 + 帅府园胡同9号, 西白辛庄村 + 开发街5号)
    if text[start:start + 1].isdigit() and text[start - 1:start] == "道" and not hk_not_road(text[start - 2:start]):
        m = _HK_ROAD.search(text, limit, start)
        if m is not None:
            return m.start()
    if _HK_ROAD_START.match(text, start) is not None:
        m = _HK_LEAD.search(text, max(limit, start - 24), start)
        if m is not None:
            return m.start()  # 香港湾仔告 + 士打道200号: the road's first character is a stop character
    if start > limit and text[start - 1] == "和" and text[start:start + 1] == "平" and (
            start < 2 or text[start - 2] in _ZH_HEAD_STOP or text[start - 2] not in CJK_CHARS):
        return start - 1  # 住在和平路5号: 和 is a particle everywhere but in 和平
    return start


# An address after its own cue (地址是, 地址在, 住址:, 位于) runs to the clause's end: a shop's or a building's
# name inside it may hold any character the tail stops at elsewhere (左岸酒吧街北口, 理想国际大厦, 太仆寺街,
# 将台地区). It still ends at a pronoun, a particle that ends a sentence, a time word or English.
_ZH_ADDRESS_CUE = re.compile("(?:地址|住址|地点|位于|坐落于|坐落在|在址)(?:是在|是|在|为|系|喺|:|: )?")
_ZH_CUE_GAP = 12  # characters the cued head may take back beyond what the rules found
_ZH_CLAUSE_STOP = frozenset("。,;!?\n\t 我你他她您咱它吗呢啊呀哦嘛哈谢请给说问")


def _zh_clause_end(text: str, i: int, limit: int) -> int:
    """The end of the address clause from `i`: up to a clause stop, a time word or English, within limit."""
    while i < limit:
        c = text[i]
        if c in _ZH_CLAUSE_STOP or _ZH_TIME.match(text, i):
            break
        if c == "、" and not text[i + 1:i + 2].isdigit():
            break
        if c.isascii() and c.isalpha() and i + 1 < limit and text[i + 1].isascii() and text[i + 1].isalpha() \
                and text.find(" ", i, i + 12) != -1:
            break  # English after the address
        if not (c in CJK_CHARS or c.isascii() and c.isalnum() or c in "()（）-/·#、"):
            break
        i += 1
    while i > 0 and text[i - 1] in "-、(（":
        i -= 1
    return i


def _zh_tail(text: str, end: int, limit: int) -> int:
    """Forward over building, floor and landmark characters after a Chinese address."""
    i = end
    while i < limit:
        c = text[i]
        if c in "(（":
            m = _ZH_BRACKET.match(text, i)
            if m is None or m.end() > limit:
                break
            i = m.end()
            continue
        if _ZH_TIME.match(text, i):
            break
        if text.startswith(_ZH_TAIL_WORDS, i):
            i += 2
            continue
        if c == "之" and i > 0 and text[i - 1] in "号號楼樓" and text[i + 1:i + 2] in _ZH_NUMERALS and i + 2 <= limit:
            i += 2  # 七百五十号之一, 十八樓之三: a door or floor divided
            continue
        if c.isascii() and c.isalnum():
            m = _ZH_ALNUM.match(text, i)
            stop = m.end()
            if stop > limit or stop < len(text) and text[stop] in " \t" and stop + 1 < len(text) \
                    and text[stop + 1].isascii() and text[stop + 1].isalpha():
                break  # English after the address (88号 please …)
            i = stop
            continue
        if c in CJK_CHARS and c not in _ZH_TAIL_STOP:
            i += 1
            continue
        break
    # Never end on a dangling joiner or hyphen.
    while i > end and text[i - 1] in "-、和及与":
        i -= 1
    return i


# ... or a unit number and a slash before it (Australia: `unit 4/12 smith street`).
_SPACED_DIGITS_BEFORE = re.compile(r"(?<![0-9A-Za-z.,$])(?:[0-9] ){1,4}$")
_EN_HOUSE_BEFORE = re.compile(r"(?<![0-9A-Za-z.,$])(?:(?:[Uu]nit|UNIT|[Aa]pt|APT|[Aa]partment|APARTMENT|[Ff]lat|FLAT|[Ss]uite|SUITE|Blk|BLK|Block|Tower) )?(?:#[0-9]{1,3}-)?"
                              r"[0-9]{1,6}(?:[ ,]{1,2}|/)$")  # (unit #12-04, 88 ...; Blk 512 Bedok ...; Tower 2, 19 ...)


# The street before an address the rules found from its unit (`34 Auerstrasse 84\n Apt. 469`,
# `51709 Spinatsch 94 Apt. 615`): a house number and up to six words, the whole line before the unit's
# line, or on the unit's line when it ends in a number after a capitalised word.
_EN_STREET_LINE = re.compile(r"(?:^|(?<=\n))[ \t>]*([0-9]{1,6}[A-Za-z]?,? (?:[" + _L + r"0-9.'/-]+ ){0,5}[" + _L
                             + r"0-9.'/-]+)[ \t,]*\n[ \t>]*\Z")
_EN_STREET_SAME = re.compile(r"(?:^|(?<=[\s>:,]))([0-9]{1,6}[A-Za-z]?,? (?:[" + _L + r".'/-]+ ){1,4}[0-9]{1,5}"
                             r"[A-Za-z]?\.?)[ \t]*,?[ \t]*\Z")


def _en_head(text: str, start: int, limit: int) -> int:
    """A bare number right before the house number or street (`7943 2027 Prospect St`, `34 Auerstrasse 84`),
    or the street before an address found from its unit (above)."""
    if _EN_UNIT.match(text, start):
        lo = max(limit, start - 72)
        m = _EN_STREET_LINE.search(text, lo, start)
        if m is not None and any(c.isalpha() for c in m.group(1)):
            return m.start(1)
        m = _EN_STREET_SAME.search(text, lo, start)
        if m is not None and any(w[:1].isupper() for w in m.group(1).split()):
            return m.start(1)
        return start
    if text[start:start + 1].islower():  # a house number in words (two | oh two one Maple Crest Drive)
        m = _NUM_WORD_BEFORE.search(text, max(limit, start - 40), start)
        if m is not None:
            start = m.start()
        m = _SPOKEN_UNIT_BEFORE.search(text, max(limit, start - 40), start)
        return m.start() if m is not None else start  # unit five, eighteen Wattle Street
    if not (text[start:start + 1].isdigit() or text[start:start + 1].isupper()):
        return start
    m = _EN_HOUSE_BEFORE.search(text, max(limit, start - 16), start)
    if m is not None:
        if text[start:start + 1].isdigit() and m.end() - m.start() == 2:
            more = _SPACED_DIGITS_BEFORE.search(text, max(limit, m.start() - 12), m.start())
            if more is not None:
                return more.start()  # 4 1 8 West Belmont Avenue: a house number typed out digit by digit
        return m.start()
    m = _BLOCK_BEFORE.search(text, max(limit, start - 8), start)  # Blk 512 Bedok North Ave 3
    return m.start() if m is not None and text[start:start + 1].isdigit() else start


# A postcode read out after the address (`E H six, eight D W`, `B eleven four Q Z`, an Eircode `D zero nine,
# X two C four`): capitals said one at a time and number words, two of each at least.
_NUM_WORD = "(?:" + "|".join((*NUMBER_WORDS, "double")) + ")"
_BLOCK_BEFORE = re.compile(r"(?<![A-Za-z])(?:Blk|BLK|Block|Tower)\.? $")
_STREET_NUMBER = re.compile(r"[0-9]{1,2}(?=[ \t]+#|,)")  # Bedok North Ave 3 #08-221: the avenue's number
# (one hundred and | six Ladypool Road, eleven stroke | forty Harris Street, two over | fifteen Elizabeth Street)
_NUM_WORD_BEFORE = re.compile(r"(?<![A-Za-z])" + _NUM_WORD + r"(?:[ -](?:" + _NUM_WORD
                              + r"|hundred|thousand|and|stroke|over|slash))*[ -]$")
_SPOKEN_UNIT = r"(?i:unit|flat|apartment|apt|suite|room|floor|level) " + _NUM_WORD + r"(?:[ -]" + _NUM_WORD + r"){0,3}(?: [A-Za-z](?![A-Za-z]))?"
# A unit read out before the house number, or after the street (unit five, / apartment three B, / unit twelve oh four).
_SPOKEN_UNIT_BEFORE = re.compile(r"(?<![A-Za-z])" + _SPOKEN_UNIT + r",? $")
_SPOKEN_UNIT_AFTER = re.compile(r"(?:" + _SPOKEN_UNIT + r"|(?i:unit|flat|apartment|apt|suite) [A-Za-z])(?![A-Za-z])")  # apartment b
_EN_SPOKEN_CODE = re.compile(r"[A-Z](?:,? (?:[A-Z]|" + _NUM_WORD + "(?:-" + _NUM_WORD + r")?)(?![A-Za-z])){3,9}")


# A suburb's first word before a name the name rules found in it (, Grey | Lynn, Auckland), and what says the
# address goes on after that name (a comma and a capitalised town or a postcode).
_PLACE_GAP = re.compile(r"[ \t]*,[ \t]*(?:[A-Z][a-z]+[ \t]){1,2}")
_MORE_ADDRESS = re.compile(r"[ \t]*(?:,[ \t]*(?:[A-Z][a-z]{2,}|[0-9]{3,})|,?[ \t]*[A-Z]{2,3}[ \t]+[0-9]{3,})")  # (, Auckland / NT 0871)
# ... or a postcode of digits read out after the town (Brisbane, four one oh one; Auckland, ten twenty one).
_SPOKEN_NUMBER_CODE = re.compile(r"(?i:" + _NUM_WORD + r"(?:[ -]" + _NUM_WORD + r"){2,7})(?![A-Za-z])")
_DUBLIN_DISTRICT = re.compile(r"(?<=Dublin)[ ]+(?:[0-9]{1,2}[wW]?|(?i:" + _NUM_WORD + r")(?:[ -](?i:" + _NUM_WORD
                               + r"))?)(?![A-Za-z0-9])")
_TURN_LABEL = re.compile(r"(?:\[[0-9:.]{4,12}\][^\S\n]*)?[A-Za-z][A-Za-z0-9 ]{0,20}:")


def _spoken_code(text: str, j: int):
    m = _EN_SPOKEN_CODE.match(text, j)
    if m is None:
        return None
    tokens = re.findall(r"[A-Za-z]+", m.group())
    letters = sum(len(t) == 1 for t in tokens)
    return m if letters >= 3 and len(tokens) - letters >= 1 and len(tokens) >= 5 else None


def _en_tail(text: str, end: int, limit: int) -> int:
    """Forward over units, compass suffix, city, state, country and postal code after an English address."""
    i = end
    first = True
    for _ in range(_EN_MAX_PARTS):
        district = _DUBLIN_DISTRICT.match(text, i)
        if district is not None and district.end() <= limit:
            i = district.end()  # Dublin 9, Dublin nine: the postal district is part of the address
            continue
        sep = _SEP.match(text, i)
        j = sep.end()
        if j >= limit or sep.group().count("\n") > 1:
            break
        if "\n" in sep.group() and _TURN_LABEL.match(text, j):
            break  # the next speaker's turn (Nurse: ok)
        if j == i and i > 0 and text[i - 1].isalnum():
            break  # no separator: `Ave.Thanks`
        part = _EN_UNIT.match(text, j) or _SPOKEN_UNIT_AFTER.match(text, j) or (_EN_DIRECTION.match(text, j) if first else None) \
            or (_STREET_NUMBER.match(text, j) if first and j == i + 1 else None) \
            or _EN_CODE.match(text, j) or _spoken_code(text, j) or (None if first else _SPOKEN_NUMBER_CODE.match(text, j))
        stop = part.end() if part is not None and part.group() not in _EN_NOT_PLACE else None
        if stop is None and text[j:j + 1].islower():
            lower = _EN_LOWER_PLACE.match(text, j)
            stop = lower.end() if lower is not None else _lower_city_or_code(text, j)
            if stop is None:
                break
        elif stop is None:
            place = _EN_PLACE.match(text, j)
            if place is None:
                break
            # Up to the first word that starts a sentence or names a time (`Boston Thanks`).
            stop = j
            for word in re.finditer(r"[^ -]+", place.group()):
                bare = word.group().strip("().")
                if bare in _EN_NOT_PLACE:
                    break
                if bare[:1].isupper():
                    stop = j + word.end()  # never end on a particle (`Springfield on Monday`)
            if stop == j:
                break
        if stop > limit:
            break
        i = stop
        first = False
    return i


# Names. A name found once is found everywhere in the message: the customer named in the first line of
# a transcript and again later (`… Maria Gonzalez … thanks Maria`, `张伟说… 张伟的电话`), where the later
# mention has no cue and no surname beside it. A full English name's first and last words count too,
# capitalised and on their own. Input side only, like the address growth.
_LATIN_WORD = re.compile(r"[A-Za-zÀ-ÖØ-öø-ſ][A-Za-zÀ-ÖØ-öø-ſ'-]*")
_NOT_REPEATED = frozenset("The This That And But For With From Dear Hello Thanks Mr Mrs Ms Dr Miss Sir Madam".split())


def _english_word(low: str) -> bool:
    """Whether `low` is a word web2 lists in lower case (will, may, grace): never matched in another case."""
    from .ner.english import dictionary, proper_nouns

    return low in dictionary() and low not in proper_nouns()


# A code said again (the agent reads it back, the caller repeats it): the same letters and digits, numerals
# read as digits, with separators anywhere between them (`订单号 二八幺四 五五九零 三七二幺` ... `好的
# 二八一四五五九零三七二一`, `C L M dash zero zero four...` ... `CLM-0048213`).
_CODE_LABELS = frozenset(("PHONE", "CN_ID", "BANK_CARD", "CREDIT_CARD", "ORDER_ID", "PASSPORT", "LICENSE_PLATE",
                          "US_SSN", "UK_NINO", "UK_NHS"))
_CODE_SEP = r"(?:[ ,，\-·.()（）/]|括号|BRACKET| (?:FOR|AS IN) [A-Z]+ ){0,3}"  # on upper-cased text: J FOR JULIET T
_REPEAT_VALUES = 24  # distinct codes looked for again, at most
_NOT_CODE_CHAR = re.compile("[^0-9A-Z]+")
# Words the code's key leaves out (J FOR JULIET, IN BRACKETS, DASH), taken out before looking for the key.
_SPELLING_AID = re.compile("(?<![A-Z])(?:(?:FOR|AS IN) [A-Z]+|(?:IN )?BRACKETS?|DASH|HYPHEN|THEN|AND|UH|UM)(?![A-Z])")
_REPEAT_TEXT = 20_000  # a longer text is not searched (a document's passage is shorter)
_NATO_WORD = re.compile(r"(?<![A-Za-z])(?i:" + NATO_RE + r")(?![A-Za-z])")
# A code's characters said as words: digits (SIX, OH), letters in the NATO alphabet (ECHO) or by name (BEE).
_WORD_CHAR = {**{w.upper(): d for w, d in _EN_DIGIT.items() if len(w) > 1},
              **{w.upper(): w[0].upper() for w in NATO}, **{w.upper(): c for w, c in LETTER_NAMES.items()}}
_SPOKEN_WORD = re.compile(r"(?<![A-Z])(?:" + "|".join(sorted(_WORD_CHAR, key=len, reverse=True)) + r")(?![A-Z])")
_SAID_AS = {ch: "(?:" + "|".join([re.escape(ch), *sorted(w for w, c in _WORD_CHAR.items() if c == ch)]) + ")"
            for ch in set(_WORD_CHAR.values())}


_AID_WORD = re.compile(r"(?i:(?<![A-Za-z])(?:for|as in|like) [a-z]+(?![A-Za-z]))")  # W for whisky: the W alone


_RUN_GAP = 40  # characters between two lines' parts of one code read out (an agent's 嗯 between them)


def _add_run(found: dict, run: list) -> None:
    """The whole code of parts read over several lines, as it is read back at once (202403167788 51)."""
    if len(run) >= 2:
        key = "".join(k for _, k in run)
        if len(key) >= 8 and sum(ch.isdigit() for ch in key) >= 4:
            found[key] = run[0][0]  # its label over a rule's reading of the same digits (the read-back as a phone)


def _spoken_char(m: "re.Match[str]") -> str:
    return _WORD_CHAR[m.group()]




def _code_key(value: str) -> str:
    """A code's letters and digits: numerals and digit words read as digits, other words (dash, uh) left out."""
    out: list[str] = []
    times = 1
    tens = ""  # sixty eight: 68; sixty alone: 60
    for token in re.findall(r"[A-Za-z]+|[0-9]+|[零〇洞幺一二两三四五六七拐八九]",
                            _AID_WORD.sub(" ", value).replace("艾克斯", " X ").replace("埃克斯", " X ")):
        low = token.lower()
        if tens:
            if low in _EN_DIGIT and low not in ("o", "oh", "zero"):
                out.append(tens + _EN_DIGIT[low])
                tens = ""
                continue
            out.append(tens + "0")
            tens = ""
        if low in _TENS:
            tens = _TENS[low]
            continue
        if low in _TEENS:
            out.append(_TEENS[low] * times)
            times = 1
            continue
        if low in ("double", "triple"):
            times = 2 if low == "double" else 3
            continue
        if low in _EN_DIGIT and low != "o":  # a lone o is a letter in a code
            token = _EN_DIGIT[low]
        elif low in NATO or low in LETTER_NAMES:
            token = LETTER_NAMES.get(low, low[0])  # echo romeo: E R; four bee: 4 B
        elif token.isalpha() and token.isascii() and not (len(token) == 1 or (token.isupper() and len(token) <= 4)):
            continue  # a word said between the pieces
        out.append(token.translate(_NUMERAL_DIGITS).upper() * times)
        times = 1
    return "".join(out) + (tens + "0" if tens else "")


# An extension after a phone number (021-68752341转806, 022 6654 3120 ext 412, 415-555-2671 x204).
_EXTENSION = re.compile(r"[^\S\n]*(?:转|分机|(?i:ext|extn|extension|x)\.?)[^\S\n]*[:#]?[^\S\n]*[0-9]{1,6}(?![0-9])")
# A country code said after 加 (plus), in the digits the numerals read as (加八六 is `加86` by then).
_SAID_COUNTRY = re.compile("(?:86|852|853|886|44|61|65|60|81|82|1)[ ,]")


# Letters said one at a time right before a code read out in number words (X Q H nine one four…, A, four
# seven two…), and `plus` before a phone read out (plus nine one…).
_LEAD_LETTERS = re.compile(r"(?<![A-Za-z'’])(?:(?:[A-Z](?:,[^\S\n]?|[^\S\n]))+|(?:[b-hj-np-z](?:,[^\S\n]?|[^\S\n])){2,})$")
# ... and after it (four oh K, three one g b): up to three letters, each alone (not `a`, `i` or `o`, words or a
# zero in lower case), for a reference only (a phone has none).
_TRAIL_LETTERS = re.compile(r"(?:,?[^\S\n](?:[A-Z]|[b-hj-np-z])){1,3}(?![A-Za-z0-9'’])")
_LEAD_PLUS = re.compile(r"(?<![A-Za-z])(?i:plus)[^\S\n]$")
_EN_DIGIT_WORDS = frozenset((*_EN_DIGIT, *NUMBER_WORDS))
_LETTERED = frozenset(("ORDER_ID", "PASSPORT", "LICENSE_PLATE", "UK_NINO"))  # codes that may end in letters
_NUMBER_WORD_START = re.compile(r"(?i:" + _NUM_WORD + r"|o|triple)(?![A-Za-z])")  # (a digit word, `o` among them)


def extend_phones(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` with each PHONE grown over the extension said after it, and each code read out in number
    words over the letters (or, for a phone, the `plus`) said right before it."""
    out = list(chosen)
    for i, m in enumerate(out):
        label = labels[m.rank]
        if label == "PHONE":
            ext = _EXTENSION.match(text, m.end)
            if ext is not None and (i + 1 == len(out) or out[i + 1].start >= ext.end()):
                m = out[i] = m._replace(end=ext.end())
            if m.start and text[m.start - 1] == "加" and _SAID_COUNTRY.match(text, m.start) and (
                    not i or out[i - 1].end < m.start):
                m = out[i] = m._replace(start=m.start - 1)  # 加八六，幺八三…: the plus of a country code, said
        if label in _CODE_LABELS and _NUMBER_WORD_START.match(text, m.start):
            floor = out[i - 1].end if i else 0
            window = text[max(floor, m.start - 16):m.start]
            lead = _LEAD_PLUS.search(window) if label == "PHONE" else None
            letters = _LEAD_LETTERS.search(window) if lead is None else None
            if letters is not None and letters.group().strip(" ,") != "I":
                # A phone has no letters: digits read out after some (M C B, two one, eight…) are a reference.
                rank = labels.index("ORDER_ID") if label == "PHONE" and "ORDER_ID" in labels else m.rank
                out[i] = m._replace(start=m.start - len(window) + letters.start(), rank=rank)
            elif lead is not None:
                out[i] = m._replace(start=m.start - len(window) + lead.start())
        m = out[i]
        label = labels[m.rank]  # (letters before a phone's digits made it a reference)
        if label in _LETTERED and text[m.end - 1:m.end].isalpha():
            trail = _TRAIL_LETTERS.match(text, m.end)
            if trail is not None and (i + 1 == len(out) or out[i + 1].start >= trail.end()) and \
                    text[m.start:m.end].split()[-1].lower() in _EN_DIGIT_WORDS:
                out[i] = m._replace(end=trail.end())
    return out


# A correction after a code (哦不对, 不是, sorry, no wait), then the corrected part or the whole code again.
_CORRECTED = re.compile(r"不对|不是|说错了|错了|搞错|(?<![A-Za-z])(?i:sorry|no wait|wait no|i mean|actually|correction)(?![A-Za-z])")
_ZH_DIGIT_CHARS = "0-9" + "".join(SPOKEN_DIGITS)  # digits and the numerals a caller says them with
# The last digits said again: 最后两位是13, 最后四位是 四零二七, 最后是幺七四七, last four are 2281.
_LAST_DIGITS = re.compile(rf"(?:最后|后面|末尾?)(?:[0-9一二三四五六七八九两]位)?(?:是|应该是|为|改成)?[^\S\n]*[:：]?[^\S\n]*"
                          rf"([{_ZH_DIGIT_CHARS}](?:[^\S\n]?[{_ZH_DIGIT_CHARS}]){{1,7}})(?![{_ZH_DIGIT_CHARS}])"
                          r"|(?i:the )?(?i:last (?:[0-9]|two|three|four|five|six)(?: digits?)? (?:is|are|should be)) ([0-9]{1,8})(?![0-9])")
_REREAD = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{6,24}(?![A-Za-z0-9])")
_CORRECTION_REACH = 40  # characters from a code to its correction, and from the correction to what it says


def corrected_codes(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` plus what a correction right after a code says of it: its last digits said again, or the whole
    code said again with a digit changed (the same label; a code given, corrected and read back)."""
    extra = []
    for m in chosen:
        if labels[m.rank] not in _CODE_LABELS:
            continue
        cue = _CORRECTED.search(text, m.end, min(len(text), m.end + _CORRECTION_REACH))
        if cue is None:
            continue
        reach = min(len(text), cue.end() + _CORRECTION_REACH)
        part = _LAST_DIGITS.search(text, cue.end(), reach)
        if part is not None:
            g = 1 if part.group(1) is not None else 2
            extra.append(m._replace(start=part.start(g), end=part.end(g)))
        key = _code_key(text[m.start:m.end])
        for r in _REREAD.finditer(text, cue.end(), reach + 24):
            value = r.group().upper()
            if len(key) >= 6 and abs(len(value) - len(key)) <= 1 and value[:4] == key[:4] and value != key:
                extra.append(m._replace(start=r.start(), end=r.end()))
    if not extra:
        return list(chosen)
    out = list(chosen)
    for e in extra:
        if not any(o.start < e.end and e.start < o.end for o in out):
            out.append(e)
    return sorted(out, key=lambda x: x.start)


def repeat_codes(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` plus a match at every other place a code among them is said again, with its label."""
    if len(text) > _REPEAT_TEXT:
        return list(chosen)
    found: dict[str, object] = {}
    run: list = []  # a code read over several lines (客户：2024 / 客服：嗯 / 客户：0316 ...): its parts in order
    for m in chosen:
        if labels[m.rank] in _CODE_LABELS:
            key = _code_key(text[m.start:m.end])
            digits = sum(ch.isdigit() for ch in key)
            # BD51SMR, a plate; a booking code spelled in NATO words may hold one digit (Zulu Kilo Four Mike
            # Romeo Tango / ZK4MRT).
            nato = digits == 1 and len(key) >= 6 and _NATO_WORD.search(text, m.start, m.end) is not None
            if (len(key) >= 5 and digits >= 3) or (len(key) >= 6 and digits >= 2) or nato:
                found.setdefault(key, m)
            if run and (m.rank != run[-1][0].rank or "\n" not in text[run[-1][0].end:m.start]
                        or m.start - run[-1][0].end > _RUN_GAP):
                _add_run(found, run)
                run = []
            run.append((m, key))
    _add_run(found, run)
    if not found or len(found) > _REPEAT_VALUES:
        return list(chosen)
    folded = text.translate(_NUMERAL_DIGITS).upper()
    # Only a code said again elsewhere, separators aside, is looked for (a pattern per code costs a compile);
    # in words too (Y R six eight W K T read back for YR68WKT), looked for only where a digit word is.
    spoken = _SPOKEN_WORD.search(folded) is not None
    said: dict[str, bool] = {}
    for key, m in found.items():
        rest = _SPELLING_AID.sub(" ", folded[:m.start] + " " + folded[m.end:])
        if key in _NOT_CODE_CHAR.sub("", rest):
            said[key] = False
        elif spoken and key in _NOT_CODE_CHAR.sub("", _SPOKEN_WORD.sub(_spoken_char, rest)):
            said[key] = True
    found = {key: m for key, m in found.items() if key in said}
    if not found:
        return list(chosen)
    taken = bytearray(len(text))
    for m in chosen:
        taken[m.start:m.end] = b"\x01" * (m.end - m.start)
    extra = []
    replaced: set[int] = set()
    for key, like in sorted(found.items(), key=lambda item: -len(item[0])):  # a whole code before its parts
        chars = [_SAID_AS.get(ch, re.escape(ch)) for ch in key] if said[key] else [re.escape(ch) for ch in key]
        for r in re.finditer(r"(?<![0-9A-Z])" + _CODE_SEP.join(chars) + r"(?![0-9A-Z])", folded):
            a, b = r.span()
            if any(taken[a:b]):
                # A code read back in words holding a rule's shorter reading of its digits (E four four one
                # seven eight two three K, where the spoken-digits rule saw a phone): the code replaces it.
                inside = [k for k, m in enumerate(chosen) if m.start < b and a < m.end]
                if not said[key] or not inside or any(
                        k in replaced or not (a <= chosen[k].start and chosen[k].end <= b)
                        or labels[chosen[k].rank] not in _CODE_LABELS for k in inside):
                    continue
                replaced.update(inside)
            extra.append(like._replace(start=a, end=b))
            taken[a:b] = b"\x01" * (b - a)
    if not extra:
        return list(chosen)
    return sorted([m for k, m in enumerate(chosen) if k not in replaced] + extra, key=lambda m: m.start)


def repeat_names(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` plus a PERSON match at every other mention of a name among them (see above)."""
    names = {text[m.start:m.end] for m in chosen if labels[m.rank] == "PERSON"}
    if not names:
        return list(chosen)
    like = next(m for m in chosen if labels[m.rank] == "PERSON")
    targets: set[str] = set()
    addressed: set[str] = set()  # first words that are English words too, looked for only where addressed
    targets_at: list[tuple[int, int]] = []
    for name in names:
        if any(c in CJK_CHARS for c in name):
            if len(name) >= 2 and all(c in CJK_CHARS or c in "·•" for c in name):
                targets.add(name)
            continue
        words = _LATIN_WORD.findall(name)
        if not words or len(name) < 3:
            continue
        targets.add(name)
        if len(words) >= 2:
            targets.update(w for w in (words[0], words[-1])
                           if len(w) >= 3 and w[0].isupper() and not w.isupper() and w not in _NOT_REPEATED)
            # Transcripts change case between turns (`Rosalind Abernathy … abernathy is spelled?`): a name
            # word that is no English word counts in lower case and capitalised too.
            for w in (words[0], words[-1]):
                low = w.lower()
                if len(w) >= 3 and (w.islower() or w[1:].islower()) and low.capitalize() not in _NOT_REPEATED \
                        and not _english_word(low):
                    targets.update((low, low.capitalize()))
                elif len(w) >= 3 and w.islower() and w is words[0] and low.capitalize() not in _NOT_REPEATED:
                    addressed.add(low.capitalize())  # hope ramírez … Hope, thanks: a word, so only when addressed
    for word in addressed:
        for m in re.finditer(r"(?:(?<![A-Za-z])(?i:okay|ok|thanks|thank you|hi|hello|ma'am|sir|yes|right|sorry|so|and)"
                             r",?[ \t]+|(?:^|(?<=\n))[ \t]*(?:[A-Za-z][A-Za-z0-9 ]{0,14}:[ \t]*)?)(" + re.escape(word) + r")(?=[ \t]*[,.!?]|[ \t]+(?:thanks|thank you|noted|"
                             r"did|can|could|would|I|I'll|I've|we|we'll)(?![A-Za-z]))", text):
            targets_at.append(m.span(1))
    if not targets and not targets_at:
        return list(chosen)
    taken = bytearray(len(text))  # characters already in a span: linear in the text, not in the spans
    for m in chosen:
        taken[m.start:m.end] = b"\x01" * (m.end - m.start)
    extra = []
    for at, end in (*_mentions(text, targets), *targets_at):
        if not any(taken[at:end]):
            extra.append(like._replace(start=at, end=end))
            taken[at:end] = b"\x01" * (end - at)
    if not extra:
        return list(chosen)
    return sorted(list(chosen) + extra, key=lambda m: m.start)


_FIND_MAX = 16  # names looked for one by one (str.find) up to this many; beyond, one regex pass


def _mentions(text: str, targets: set[str]) -> list[tuple[int, int]]:
    """Where the names occur, left to right and not overlapping, the longest at each position; a Latin
    name as a whole word only (no letter or digit on either side). A message names a few people: each
    is found with str.find (compiling a pattern per message cost more than the search). Many names
    (a pasted list) take one pass of one alternation instead, so the time stays linear in the text."""
    if len(targets) > _FIND_MAX:
        alternatives = (re.escape(t) if any(c in CJK_CHARS for c in t) else r"(?<![^\W_])" + re.escape(t) + r"(?![^\W_])"
                        for t in sorted(targets, key=len, reverse=True))
        return [m.span() for m in re.finditer("|".join(alternatives), text)]
    found = []
    n = len(text)
    for t in targets:
        latin = not any(c in CJK_CHARS for c in t)
        at = text.find(t)
        while at >= 0:
            end = at + len(t)
            if not latin or ((at == 0 or not text[at - 1].isalnum()) and (end == n or not text[end].isalnum())):
                found.append((at, end))
            at = text.find(t, at + 1)
    found.sort(key=lambda span: (span[0], span[0] - span[1]))
    out: list[tuple[int, int]] = []
    for at, end in found:
        if not out or at >= out[-1][1]:
            out.append((at, end))
    return out


# Titles and credentials written with a name are part of how the name is written (`Dr. Robert Greenberg`,
# `Amita Kachru, MD`, `Ben L. Littlejohn III`, `Aunt Jenny`): public dialogue data labels them inside the
# name, and the span left beside a placeholder (`Dr. <PERSON_1>, MD`) tells nobody anything the model
# needs. Two Latin-script names with only spaces between them are one (`Dr. david Matz`; `张伟 李娜` are
# two people). Input side only.
_TITLE_BEFORE = re.compile(
    r"(?<![A-Za-z])(?:(?:Dr|DR|dr|Mr|MR|mr|Mrs|MRS|mrs|Ms|MS|ms|Mx|Prof|Sgt|Capt|Lt|Rev|Fr)\.?|Doctor|Professor|"
    r"Mister|Miss|Madam|Uncle|Aunt|Auntie|Grandma|Grandpa|Cousin|uncle|aunt|auntie)[ \t]{1,2}$")
_CREDENTIAL = re.compile(
    r"(?:,?[ \t]{0,2}(?:M\.D\.|MD|Ph\.D\.|PhD|DDS|D\.D\.S\.|Jr\.?|Sr\.?|III|II|IV|Iii)"
    r"|,[ \t]{0,2}(?:DO|D\.O\.|RN|R\.N\.|NP|PA-C|Esq\.?|MBBS|FACS|DNP))(?![A-Za-z0-9])")


# A name found up to a middle initial (`Dr. Ben L.`, `Sharon Y.`) goes on over its surname, which the name
# rules missed (`LittleJohn`, `de Edwards`, `O'callahan`): any capitalised word but a sentence's first
# word (`Ben L. He said`), or a lower-case word on no list of English words.
_INITIAL_END = re.compile(r"[A-Za-zÀ-ÖØ-öø-ſ]{2,}\.?[ \t]+[A-Z]\.$")
_AFTER_INITIAL = re.compile(
    r"[ \t]+(?:(?:de|De|van|Van|von|Von|der|den|da|di|du|del|della|dos|das|la|le|La|Le)[ \t]+){0,2}"
    r"([A-Za-zÀ-ÖØ-öø-ſ](?:[A-Za-zÀ-ÖØ-öø-ſ]|['’-](?=[A-Za-zÀ-ÖØ-öø-ſ]))+)(?![A-Za-z0-9À-ÖØ-öø-ſ])")
_NOT_AFTER_INITIAL = frozenset((
    "i he she it we you they his her its our your their my me him them this that these those the a an and "
    "but or so if then there here when where what who why how is are was were be been has have had do does "
    "did will would can could should may might must at on in to of for from with by as not no yes ok okay "
    "hi hello thanks thank please also just"
).split())


# A name spelled out after it (transcripts: `maria gonzalez g o n z a l e z`, `Jorge Ramirez, R-A-M-I-R-E-Z`,
# `Smith, that's s as in sam...` is not taken): four or more single letters, one space, hyphen or dot apart.
_SPELLED_AFTER = re.compile(
    r"[ \t]?[,;:]?[ \t]{1,2}(?:(?i:that's|thats|that is|spelled|spelt|spelling|it's|its)[ \t:,]{1,3})?"
    r"[A-Za-z](?:(?: |-|\. ?|, )[A-Za-z]){3,30}\.?(?![A-Za-z0-9])")


# Shorter spellings count when they spell a word of the name (`Jon, J-O-N`, `Li, L I`).
_SPELLED_SHORT = re.compile(r"[ \t]?[,;:]?[ \t]{1,2}([A-Za-z](?:(?: |-|\. ?)[A-Za-z]){1,2})\.?(?![A-Za-z0-9])")


def _spelled_word(text: str, start: int, end: int, limit: int) -> "re.Match[str] | None":
    m = _SPELLED_SHORT.match(text, end, limit)
    if m is None:
        return None
    letters = "".join(c for c in m.group(1) if c.isalpha()).lower()
    return m if letters in {w.lower() for w in re.findall(r"[A-Za-z]+", text[start:end])} else None


# A Chinese name described character by character right after it (a caller on the phone): `张伟，弓长张，
# 伟大的伟`, `姓陈，耳东陈，单名一个晨字`. Each description spells a character of the name (two characters
# before it, or a word and 的 before it), or names the one-character given name (单名一个晨字); left alone
# it gives the name back to the model.
_ZH_DESCRIBED = re.compile("[，,、 ]{1,2}(?:([^\\s，,。！？!?、的]{1,4}的|[^\\s，,。！？!?、的]{2})([" + CJK + "])|单名(?:一个|就一个)?([" + CJK
                           + "])字?)(?=[，,。！？!?、 ]|$)")


def _zh_described(text: str, start: int, end: int, limit: int) -> int:
    """The end of the descriptions of the Chinese name text[start:end]'s characters right after it, else
    `end` (`start` may be an earlier name's, whose characters are described after this one)."""
    while end < limit and text[end - 1] in CJK_CHARS:
        m = _ZH_DESCRIBED.match(text, end, limit)
        # The character is one of the name's, or of one described before it (李明，木子李，明天的明); never
        # one of the cue before the name (`我係陳大文，電話係…`: 電話 does not spell 係).
        if m is None or (m.group(2) is not None and m.group(2) not in text[start:end]):
            return end
        end = m.end()
    return end


def _surname_after_initial(text: str, start: int, end: int, limit: int) -> int:
    """The end of the surname right after a name that ends in a middle initial, else `end`."""
    if not _INITIAL_END.search(text, start, end):
        return end
    m = _AFTER_INITIAL.match(text, end, limit)
    if m is None:
        return end
    word = m.group(1)
    low = word.lower()
    if low in _NOT_AFTER_INITIAL:
        return end
    if word[0].islower() and _english_word(low):
        return end  # `Ben L. said`, `Ann B. and`: an English word
    return m.end()


# Characters that follow a Chinese name without being part of it (particles, verbs, the first of a title).
_ZH_AFTER_NAME = frozenset("的了是在和说讲叫吗呢吧啊呀也都就还又被把给对跟与及或等们先女小生太总经老师医工同"
                           "收寄签取付来去到送办问看买卖打发找拿用开回住要有家")
# Characters that may stand right before a full name (是应海涛, 中文名马诗涵, 叫…).
_ZH_BEFORE_NAME = frozenset("是叫名为為:：人")


def _zh_whole_name(text: str, start: int, end: int, left: int, right: int) -> tuple[int, int]:
    """A Chinese name the model cut short by one character, made whole where the text around it leaves no
    other reading: `收件人卜佳音` read as 卜佳 (the given name's second character before the line's end),
    `中文名马诗涵` read as 诗涵 (a surname on the list after 名)."""
    word = text[start:end]
    if len(word) not in (2, 3) or not all(c in CJK_CHARS for c in word):
        return start, end
    surname = word[:2] in _ZH_COMPOUND if len(word) == 3 else word[0] in _ZH_SURNAMES
    if (surname and end < right and text[end] in CJK_CHARS and text[end] not in _ZH_AFTER_NAME
            and (end + 1 == len(text) or text[end + 1] not in CJK_CHARS)):
        return start, end + 1
    if (len(word) == 2 and word[0] not in _ZH_SURNAMES and start - 1 >= left and text[start - 1] in _ZH_SURNAMES
            and (start - 1 == 0 or text[start - 2] not in CJK_CHARS or text[start - 2] in _ZH_BEFORE_NAME)):
        return start - 1, end
    return start, end


# After a name, a particle and the family name it opens (bin, binti, a/l, van der, de la ...).
_PARTICLES = "bin|binti|binte|bte|a/l|a/p|van der|van den|van de|van|von|de la|de|da|dos|del|della|di|du|ter|ten"
_PARTICLE_TAIL = re.compile(r" (?:de los|" + _PARTICLES + r")(?: [A-Z][a-z'’-]+){1,2}(?![A-Za-z])")
_PARTICLE_END = re.compile(r" (?:" + _PARTICLES + r")$")
_FAMILY_AFTER = re.compile(r"(?: [A-Z][a-z'’-]+){1,2}(?![A-Za-z])")
# One capitalised word between two names of one person (a middle name).
_MIDDLE_NAME = re.compile(r" [A-Z][a-z'’-]+ ")


def extend_names(text: str, chosen: Sequence, labels: Sequence[str]) -> list:
    """`chosen` with each PERSON grown over a title before it and credentials after it, and names with
    only spaces between them merged (see above)."""
    if not any(labels[m.rank] == "PERSON" for m in chosen):
        return list(chosen)
    out: list = []
    n = len(chosen)
    for i, m in enumerate(chosen):
        if labels[m.rank] != "PERSON":
            out.append(m)
            continue
        start, end = m.start, m.end
        left_limit = out[-1].end if out else 0
        right_limit = chosen[i + 1].start if i + 1 < n else len(text)
        title = _TITLE_BEFORE.search(text, max(left_limit, start - 12), start)
        if title is not None:
            start = title.start()
        end = _surname_after_initial(text, start, end, right_limit)
        if text.endswith((" Jr", " Sr"), start, end) and text.startswith(".", end) and end < right_limit:
            end += 1  # the name rules took `Jr` as a name word, without its dot
        while end < right_limit:
            more = _CREDENTIAL.match(text, end, right_limit)
            if more is None or more.end() == end:
                break
            end = more.end()
        prev = out[-1] if out else None
        named = prev.start if prev is not None and labels[prev.rank] == "PERSON" and start - prev.end <= 12 else start
        end = _zh_described(text, named, end, right_limit)
        spelled = _SPELLED_AFTER.match(text, end, right_limit) or _spelled_word(text, start, end, right_limit)
        if spelled is not None:
            end = spelled.end()
        if (end + 2 <= right_limit and text[end:end + 1] == " " and text[end + 1] in _ZH_SURNAMES
                and text[end - 1].isascii() and text[end - 1].isalpha()
                and (end + 2 == len(text) or text[end + 2] not in CJK_CHARS)):
            end += 2  # Helen 刘, Kelvin 谢: an English given name and a Chinese surname
        start, end = _zh_whole_name(text, start, end, left_limit, right_limit)
        particle = _PARTICLE_TAIL.match(text, end, right_limit)
        if particle is None and _PARTICLE_END.search(text, start, end):
            particle = _FAMILY_AFTER.match(text, end, right_limit)  # the rules took `binti` and stopped
        if particle is not None:
            end = particle.end()  # Nurul Aisyah binti Rahman, Pieter van der Merwe
        if (prev is not None and labels[prev.rank] == "PERSON" and prev.end < start
                and (text[prev.end:start].strip(" \t") == "" or _MIDDLE_NAME.fullmatch(text, prev.end, start))
                and text[prev.end - 1] not in CJK_CHARS
                and text[start] not in CJK_CHARS):  # 张伟 李娜: two people
            out[-1] = prev._replace(end=end)  # (Venkatesh Ramaswamy Iyer: a middle name between them)
        else:
            out.append(m._replace(start=start, end=end) if (start, end) != (m.start, m.end) else m)
    return out
