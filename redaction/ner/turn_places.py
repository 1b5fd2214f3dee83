"""An address asked for part by part, each part answered on its own turn (`Agent: House number?` /
`Caller: Seventeen.` / `Agent: Street?` / `Caller: Protea Avenue.` / `Agent: Suburb?` / `Caller:
Bellville.`; `客服：小区名字` / `客户：嘉绿苑` / `客服：门牌号` / `客户：四零二`).

Alone, `Seventeen`, `Bellville` or `嘉绿苑` is a number, a place or a word; after a turn that asked for a
part of an address, it is that part of someone's address. The answer is the whole of the next turn when it
is short and says nothing else (not `I'm not sure`, `same as before`, `稍等`). A question for a city, a
district or a postcode alone is left: each locates an area, not a home.

Input side only (a recognizer, called from CuedValues): what makes the answer an address is the line before.
"""

from __future__ import annotations

import re

from ..detectors.places import ADDRESS_WORD
from .spoken import NATO_RE, NUMBER_WORDS
from .turn_numbers import SPEAKER, line_spans

# A turn that asks for a part of an address finer than a town.
_ASKED = re.compile(
    r"(?i:(?:house|street|door|flat|unit|apartment|apt|building|block|lot)[ -](?:number|no\.?|name)|"
    r"(?<![a-z])(?:street|road|post ?code|postal code|zip(?: code)?|eircode|estate|village|barangay|"
    r"subdivision|house name|unit|flat|apartment)(?![a-z])|"
    r"(?:full|delivery|postal|mailing|home|new|installation|billing|shipping|supply|service|property|current|"
    r"correspondence|registered|complete|your|the) address|"
    r"first line of (?:your|the) (?:[a-z]+ )?address|(?:city|town) and (?:the )?(?:post|zip|postal )?code)|"
    r"小区|小區|屋苑|几栋|幾棟|几幢|幾座|边座|邊座|几号楼|幾號樓|几单元|幾單元|门牌|門牌|房号|房號|路名|巷弄|第几期|第幾期|"
    r"哪个村|哪個村|详细地址|詳細地址|(?:收货|寄送|送货|安装|装机|通讯|通訊|交收|取件|新)地址"
)
# ... one that asks for the postcode alone ...
_CODE_ONLY = re.compile(r"(?i:post ?code|postal code|zip(?: code)?|eircode)")
# ... and one that asks only for a city or a district (收货地址是哪个城市, which city).
_TOWN_ONLY = re.compile(r"(?i:哪个城市|哪個城市|城市|哪个区|哪個區|邊區|边区|哪个省|哪個省|哪个市|哪個市|"
                        r"(?<![a-z])(?:which|what) (?:city|town|state|province)(?![a-z]))")
# ... and one that asks a price or a fee, whatever place it names (小区停车场月卡多少钱: the answer is prices).
_PRICE = re.compile(r"(?i:多少钱|多少錢|几多钱|幾多錢|几钱|价格|價格|价钱|價錢|收费|收費|费用|費用|(?<![a-z])(?:how much|price|prices|"
                    r"cost|costs|fee|fees|charge|charges)(?![a-z]))")
_LEAD = re.compile(r"(?i:(?:yeah|yes|yep|it's|its|it is|that's|so|um|uh|er|ok|okay)(?![a-z])[ ,，.]*|(?:嗯|是|就是|在)[ ,，.]*)*")
_END = " \t\r.,，。!！"
_CJK = re.compile("[\u4e00-\u9fff]")
# A Chinese answer that names a province, city, district or town and nothing finer (台北市大安區).
_ZH_TOWN = re.compile("[\u4e00-\u9fff]+(?:省|市|区|區|县|縣|镇|鎮)")
# Chinese words that ask (请, 说一下, 几, 哪, 呢).
_ZH_ASK = re.compile("请|請|麻烦|麻煩|说一下|說一下|报一下|報一下|几|幾|哪|多少|呢|邊")
# What an answer says instead of a part of an address.
_NOT_ANSWER = re.compile(
    r"(?i:(?<![a-z])(?:i|i'm|i am|don't|dont|not sure|same|why|what|which|how|no idea|hang on|hold on|"
    r"one sec(?:ond)?|just a (?:sec|moment|minute)|sorry|the same|as before|please|you|we|it's not|there's no|"
    r"thanks|thank|great|perfect|lovely|sure|right|cheers|bye|hello|hi|correct|yes|no|okay|ok|fine|cool)(?![a-z'])|"
    r"\?|？|好的|请|請|谢谢|謝謝|可以|不知道|不清楚|稍等|等一下|等等|一样|同上|和之前|不用|没有|沒有|唔知|你|您|吗|嗎|呢)"
)
# What every answer holds: in English a digit, a number word or two capitalised words (Seventeen, Protea
# Avenue; not `Later`, `Rather not say`); in Chinese a numeral or a character that names a place's part.
_NUMBER_WORDS = "|".join(NUMBER_WORDS)  # zero/oh to nine, the teens and the tens
# A number written or said (17, seventeen, two hundred).
_A_NUMBER = r"[0-9]|(?i:(?<![a-z])(?:" + _NUMBER_WORDS + r"|hundred)(?![a-z]))"
_HAS_PART = re.compile(_A_NUMBER + r"|"
                       r"[A-Z][a-z'’-]+,? [A-Z]|[零〇一二三四五六七八九十百两幺洞]|"
                       r"[苑园園村楼樓栋棟幢座单單元室号號路街道巷弄区區城庭府里湾灣邨屋苑阁閣轩軒居坊庄莊]")


# A turn that goes on with the town, a region and a postcode said in number words or digits (`Hurstville, New
# South Wales, two two two oh`, `Calgary, T three E, six K two`): one of the lines before it spoke of an address.
_NUM = "(?:" + _NUMBER_WORDS + r"|o|double|triple|hundred|thousand|[0-9]{1,6}|[A-Z]|" + NATO_RE + ")"  # (Alpha Bravo)
_TOWN_CODE = re.compile(r"((?:[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){0,3}, ){1,3}(?P<code>[0-9]{4,6}|(?i:" + _NUM
                        + r")(?:[ ,-]+(?i:" + _NUM + r")){2,7}))[ \t.,!]*$")
_ADDRESS_BEFORE = re.compile(r"(?i:(?<![a-z])(?:address|unit|flat|apartment|block|blk)(?![a-z]))|[A-Z][a-z]+ "
                             r"(?:Street|St|Road|Rd|Avenue|Ave|Lane|Drive|Close|Crescent|Way|Place|Terrace|Court)"
                             r"(?![A-Za-z])")


# A question for a whole address (`And the installation address?`, `your billing address?`), answered on
# a speaker's turn ...
_WHOLE_ASKED = re.compile(r"(?i:(?<![a-z])address(?:es)?(?![a-z]))")
# ... is answered by its first sentence (a pause `...` goes on), read out in words and commas: `Number twelve,
# Jalan SS two slash twenty-four, Petaling Jaya, Selangor`, `Nine twenty-one North Ashland, unit four, Chicago`.
_SENTENCE_END = re.compile(r"(?<!\.)(?<!St)(?<!Rd)(?<!Ave)(?<!Apt)(?<!No)(?<!Dr)(?<!Mt)(?<!Ft)(?<!Blk)(?<!Ste)"
                           r"[.!?;](?!\.)(?=[^\S\n]+[A-Z]|[^\S\n]*$)")
_SAID_NUMBER = re.compile(_A_NUMBER)
# A request said as a statement, which asks as a question does (`I'll need the complete delivery address.`,
# `Please confirm the address for the visit.`, `Go ahead with the address.`).
_ASK_SAID = re.compile(r"(?i:(?<![a-z])(?:(?:i'll|i will|i'd|i would|we'll|we will|we'd|we would|i|we) (?:just )?need|"
                       r"(?:can|could|may|would) (?:i|we|you|ye|u) (?:have|get|take|grab|confirm)|please (?:give|tell|read|confirm|"
                       r"provide|say|spell)|(?:give|tell|read) (?:me|us)|let me (?:have|get|take)|go ahead with|"
                       r"read out)(?![a-z]))")
_PLACE_PAIR = re.compile(r"[A-Z][a-z'’-]+,? [A-Z][a-z]")  # Moorland Rise, Halifax (not `It came on the 12th`)
_STAMP = re.compile(r"\[?[0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?\]?")


def _whole_address(text: str, at: int, end: int) -> int | None:
    """Where the address said in answer to a question for a whole address ends (its first sentence), or None
    when the answer is no address: longer than 160 characters or 28 words, without a number said or
    written, with fewer than two commas and no street or building word, or saying something else."""
    stop = _SENTENCE_END.search(text, at, end)
    stop = stop.start() if stop is not None else end
    while stop > at and text[stop - 1] in _END:
        stop -= 1
    said = text[at:stop]
    if not said or len(said) > 160 or len(said.split()) > 28 or _SAID_NUMBER.search(said) is None:
        return None
    if said.count(",") < 2 and ADDRESS_WORD.search(said) is None:
        return None
    if _NOT_ANSWER.search(said) or _ZH_TOWN.fullmatch(said):
        return None
    return stop


def _speaker(text: str, start: int, end: int) -> str:
    """The speaker's label opening the line (`Caller:`), without its time stamp and spaces, or ''."""
    return _STAMP.sub("", text[start:SPEAKER.match(text, start, end).end()]).strip()


def _answer(text: str, start: int, end: int) -> tuple[int, int, int]:
    """Where the answer a line holds starts and ends (its speaker, a filler and closing punctuation left out),
    and how many Chinese characters it holds."""
    at = _LEAD.match(text, SPEAKER.match(text, start, end).end(), end).end()
    while end > at and text[end - 1] in _END:
        end -= 1
    return at, end, sum("\u4e00" <= c <= "\u9fff" for c in text[at:end])


def _part(text: str, at: int, end: int, cjk: int) -> bool:
    """Whether text[at:end] says a part of an address alone: short, a number or a place's word, nothing else."""
    answer = text[at:end]
    if not answer or len(answer) > (30 if cjk else 80) or len(answer.split()) > 12:
        return False
    return not (_NOT_ANSWER.search(answer) or _HAS_PART.search(answer) is None or _ZH_TOWN.fullmatch(answer))


def turn_places(text: str) -> list[tuple[int, int, str, float]]:
    """ADDRESS spans of the answers to a turn that asked for a part of an address (above)."""
    if "\n" not in text or (_ASKED.search(text) is None and _ADDRESS_BEFORE.search(text) is None):
        return []
    out: list[tuple[int, int, str, float]] = []
    lines = line_spans(text)
    for k in range(1, len(lines)):
        line_start, line_end = lines[k]
        line_end -= text.endswith("\r", line_start, line_end)  # (CRLF)
        at = _LEAD.match(text, SPEAKER.match(text, line_start, line_end).end(), line_end).end()
        m = _TOWN_CODE.match(text, at, line_end)
        if m is not None and _ADDRESS_BEFORE.search(text, lines[max(0, k - 3)][0], line_start):
            out.append((m.start(1), m.end(1), "ADDRESS", 0.75))
    for k in range(len(lines) - 1):
        question = text[lines[k][0]:lines[k][1]]
        if len(question) > 120 or _ASKED.search(question) is None or _TOWN_ONLY.search(question) \
                or _PRICE.search(question):
            continue
        if _CODE_ONLY.search(question) and not _ASKED.search(_CODE_ONLY.sub("", question)):
            continue  # a postcode alone locates an area, not a home (as in CuedValues)
        content = question[SPEAKER.match(question).end():]
        short = len(content.strip()) <= 10 if _CJK.search(content) else len(content.split()) <= 4
        asks = "?" in content or "？" in content or _ASK_SAID.search(content) is not None
        if not (asks or _ZH_ASK.search(content) or short):
            continue  # a turn that says something about an address (updating your address now), not asks
        a_start, a_end = lines[k + 1]
        at, end, cjk = _answer(text, a_start, a_end)
        answer = text[at:end]
        if not cjk and (asks and _WHOLE_ASKED.search(content)
                        and SPEAKER.match(text, a_start, a_end).end() > a_start):  # a question, a speaker's turn
            whole = _whole_address(text, at, end)
            if whole is not None:
                out.append((at, whole, "ADDRESS", 0.75))
                continue
        if not _part(text, at, end, cjk):
            continue
        out.append((at, end, "ADDRESS", 0.75))
        if k + 2 < len(lines) and _speaker(text, *lines[k + 1]) and \
                _speaker(text, *lines[k + 1]) == _speaker(text, *lines[k + 2]):
            # The same speaker goes on on the next line with a street or a building (`Caller: fourteen` /
            # `Caller: Moorland Rise, that's in Halifax`): the address's too.
            more = _answer(text, *lines[k + 2])
            if _part(text, *more) and (ADDRESS_WORD.search(text, more[0], more[1])
                                       or _PLACE_PAIR.search(text, more[0], more[1])):
                out.append((more[0], more[1], "ADDRESS", 0.75))
        # The agent says it back on the next line or the one after (嘉绿苑 几幢几单元, Protea Avenue, and…).
        head = answer.split()[0].rstrip(",，")
        if len(head) >= (2 if cjk else 4):
            stop = lines[k + 3][1] if k + 3 < len(lines) else len(text)
            echo = re.compile(("" if cjk else "(?<![A-Za-z0-9])") + re.escape(head) + ("" if cjk else "(?![A-Za-z0-9])"))
            said_back = echo.search(text, a_end, stop)
            if said_back is not None:
                out.append((*said_back.span(), "ADDRESS", 0.75))
    return out
