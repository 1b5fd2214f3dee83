"""Addresses: Chinese administrative/road/number forms and English street addresses."""

from __future__ import annotations

import re

from .base import CJK_CHARS, DIGITS, LETTERS, PatternDetector, lead

# Characters that end a place name rather than belong to one: particles, pronouns, verbs of sending
# and living. `我住在朝阳区建国路88号` must start the address at 朝, not at 我.
_STOP = set(
    "的了是在我你他她它们这那哪有和与及或从到往向于给把被让请问您好吗呢吧啊呀哦嗯就也都还又再很太最更已经"
    "要想能会可以应该需帮找寄送发收住说讲告诉看见叫去来回过着得地址之其此每各个些位件次将对为因所如若虽但"
    "而且并即便至号码电话手机邮箱订单快递包裹地方附近旁边对面里面外面责自办达"
)


def _class_without(stop: set[str]) -> str:
    """A regex class of every CJK character except `stop` (as ranges: the regex engine keeps a bitmap)."""
    cps = sorted(ord(c) for c in CJK_CHARS if c not in stop)
    ranges: list[list[int]] = []
    for cp in cps:
        if ranges and cp == ranges[-1][1] + 1:
            ranges[-1][1] = cp
        else:
            ranges.append([cp, cp])
    return "".join(chr(a) if a == b else f"{chr(a)}-{chr(b)}" for a, b in ranges)


_N = "[" + _class_without(_STOP) + "]"
_PROVINCE = (
    "(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
    "四川|贵州|云南|陕西|甘肃|青海|台湾|内蒙古|广西|西藏|宁夏|新疆|香港|澳门)"
    "(?:省|市|壮族自治区|回族自治区|维吾尔自治区|自治区|特别行政区)?"
)
_NC = _class_without(_STOP)
# Big cities, which may start an address right after any word (她负责厦门市思明区…).
_CITIES = (
    "北京 上海 天津 重庆 广州 深圳 杭州 南京 苏州 无锡 常州 南通 扬州 徐州 宁波 温州 绍兴 嘉兴 金华 台州 湖州 "
    "合肥 芜湖 福州 厦门 泉州 漳州 南昌 赣州 济南 青岛 烟台 潍坊 临沂 淄博 威海 郑州 洛阳 开封 武汉 宜昌 襄阳 "
    "长沙 株洲 湘潭 衡阳 岳阳 常德 珠海 佛山 东莞 中山 惠州 江门 汕头 湛江 肇庆 茂名 南宁 柳州 桂林 海口 三亚 "
    "成都 绵阳 德阳 宜宾 南充 乐山 眉山 贵阳 遵义 昆明 大理 丽江 拉萨 西安 咸阳 宝鸡 兰州 西宁 银川 乌鲁木齐 "
    "哈尔滨 大庆 齐齐哈尔 长春 吉林 沈阳 大连 鞍山 石家庄 唐山 保定 邯郸 廊坊 秦皇岛 太原 大同 呼和浩特 包头 "
    "鄂尔多斯 阜阳 蚌埠 安庆 六安 马鞍山"
).split()
_ADMIN_SUFFIX = "(?:市|州|盟|地区|区|县|旗|街道|镇|乡)"
_ROAD_SUFFIX = "(?:大道|大街|路|街|巷|胡同|弄|村|屯)"
_PLACE = _N + "{1,4}?" + _ADMIN_SUFFIX
_ROAD = _N + "[0-9" + _NC + "]{0,4}" + _ROAD_SUFFIX  # greedy: 中关村大街, not 中关村
_NUMBER = "(?:[0-9]{1,4}(?:-[0-9]{1,3})?(?:号院|号|弄|组)){1,2}"
_ESTATE = "[0-9A-Za-z" + _NC + "]{1,6}?(?:小区|大厦|大楼|花园|公寓|广场|中心|新村|家园|苑|园|村|城)"
_UNIT = "(?:[0-9A-Za-z]{1,4}|[一二三四五六七八九十]{1,2})(?:号楼|栋|幢|座|楼|单元|层|室|号)"
# The lookahead first: most positions in Chinese text fail it within a few characters, which keeps the
# per-position cost of the (long, optional-heavy) body away from ordinary prose.
# An address starts after a character that ends a place name (a particle, punctuation, a digit, the
# start), or with a province name wherever it stands: not in the middle of a place name, which would
# find 东省深圳市… inside 广东省深圳市… and cost a match attempt at every character of Chinese prose.
_ZH_ADDRESS = (
    "(?:(?<![" + _NC + "])(?=" + _N + "{1,5}?(?:" + _ADMIN_SUFFIX[3:-1] + "|" + _ROAD_SUFFIX[3:-1] + "))"
    "|(?=" + _PROVINCE + "|(?:" + "|".join(_CITIES) + ")市))"
    # A road or a house number must follow the place names, so the engine backtracks over a place
    # name that was really the start of a road (红旗 as a banner, 红旗大道 as the road).
    "(?:" + _PROVINCE + ")?(?:" + _PLACE + "){0,3}(?:" + _ROAD + "(?:" + _NUMBER + ")?|" + _NUMBER + ")"
    "(?:" + _ESTATE + ")?"
)
# The flat (`5号楼1203室`) is its own span: the stream never holds more than either part.
_ZH_BUILDING = "(?:" + _UNIT + "){1,3}"
_ADMIN = re.compile("省|市|自治区|行政区|州|盟|地区|区|县|旗|街道|镇|乡")
_ROAD_RE = re.compile("(?:大道|大街|路|街|巷|胡同|弄|村|屯)")
_NUMBER_RE = re.compile("[0-9](?:号|弄)")
_UNIT_RE = re.compile("(?:号楼|栋|幢|座|单元|层|室)")


def zh_address(value: str) -> bool:
    """Fine enough to find a door: a road with a number or within a named area."""
    return _ROAD_RE.search(value) is not None and (
        _NUMBER_RE.search(value) is not None or _ADMIN.search(value) is not None)


def zh_building(value: str) -> bool:
    """A flat or building: a room, unit or building number (`3楼` alone is just a floor; `一栋`, `一座`
    alone are "a building", "a bridge")."""
    return _UNIT_RE.search(value) is not None and not (len(value) == 2 and value[0] == "一")


# English: house number, 1-3 capitalised words (or an ordinal), a street type, an optional unit.
_SUFFIX = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Parkway|Pkwy|Place|Pl|"
    "Terrace|Ter|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Plaza|Alley|Row|Close|Crescent|Loop|Pike|"
    "Path|Walk|Point|Pt|Expressway|Expy|Freeway|Fwy|Turnpike|Tpke"
)
_STREET_WORD = r"(?:[A-Z][a-z]{1,11}|[0-9]{1,3}(?:st|nd|rd|th))"
_EN_ADDRESS = (
    r"[1-9](?<![0-9A-Za-z][1-9])[0-9]{0,5}[A-Z]? (?:[NSEW]\.? |(?:North|South|East|West) )?" + _STREET_WORD
    + r"(?: " + _STREET_WORD + r"){0,1} (?:" + _SUFFIX + r")\.?(?![A-Za-z])(?: #[0-9]{1,5}(?![0-9]))?"
)
_EN_UNIT = (lead("ASUP", "A-Za-z") + r"(?:(?<=A)pt|(?<=A)partment|(?<=S)uite|(?<=S)te|(?<=U)nit|"
            r"(?<=P)\.? ?O\.? ?Box|(?<=P)ost Office Box)\.? ?#?[0-9][0-9A-Za-z-]{0,5}(?![0-9A-Za-z])")
# City, state and ZIP after a street: `, Springfield, IL 62704` (a separate span, as its own line often).
_STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"
).split()
_EN_CITY_ZIP = (
    lead("A-Z", "A-Za-z") + r"[a-z]{1,14}(?: [A-Z][a-z]{1,14})?, (?:" + "|".join(_STATES)
    + r") [0-9]{5}(?:-[0-9]{4})?(?![0-9])"
)

_ZH_ALPHABET = CJK_CHARS | frozenset(DIGITS + LETTERS + "-")
# An address starts with a place name, never with a particle or pronoun: the stream holds back a
# Chinese run only from its first character that could begin one.
_ZH_STARTS = CJK_CHARS - _STOP

DETECTORS: list[PatternDetector] = [
    PatternDetector("ADDRESS", _ZH_ADDRESS, None, _ZH_ALPHABET, validate=zh_address,
                    required=("路", "街", "大道", "巷", "弄", "胡同", "村", "屯"), starts=_ZH_STARTS),
    PatternDetector("ADDRESS", _ZH_BUILDING, None, _ZH_ALPHABET, validate=zh_building,
                    required=("号楼", "室", "栋", "幢", "座", "单元", "层"), starts=_ZH_STARTS | frozenset(DIGITS + LETTERS) | set("一二三四五六七八九十")),
    PatternDetector("ADDRESS", _EN_UNIT, None, DIGITS + LETTERS + " .#-", required="ASUP", starts="ASUP"),
    # Both need a digit and a capital; the capital is the rarer in Chinese text.
    PatternDetector("ADDRESS", _EN_ADDRESS, None, DIGITS + LETTERS + " .,#-", required=LETTERS[:26],
                    starts=DIGITS),
    PatternDetector("ADDRESS", _EN_CITY_ZIP, None, DIGITS + LETTERS + " ,-", required=LETTERS[:26],
                    starts=LETTERS[:26]),
]
