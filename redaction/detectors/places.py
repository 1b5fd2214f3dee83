"""Addresses: Chinese administrative/road/number forms and English street addresses."""

from __future__ import annotations

import re

from .base import CJK_CHARS, DIGITS, LETTERS, LOOKBEHIND, UPPER, PatternDetector, after_cue, lead

# A word for a street, a building or a unit (the context layer's address check and its growing over the
# rules' matches, redaction.ner.crf and Redactor.fused): with a number, what makes an address; 中国国籍,
# 上海市 and `San Francisco` alone are no one's.
ADDRESS_WORD = re.compile(
    r"[路街道巷弄号號村组組屯栋棟幢楼樓室座苑邨里坊寓厦廈园園]|胡同|单元|小区|(?<![A-Za-z])(?i:street|st|road|rd|avenue|ave|"
    r"lane|ln|drive|dr|close|crescent|cres|way|court|ct|place|pl|terrace|tce|boulevard|blvd|highway|hwy|parade|"
    r"row|square|sq|grove|gardens|mews|walk|hill|flat|unit|apt|apartment|suite|block|blk|floor|level|house|"
    r"cottage|farm|estate|village|barangay|nagar|colony|sector|residency|towers?|heights|park|po box|"
    r"postcode|zip)(?![A-Za-z])")

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
_NC = _class_without(_STOP)
# Inside a name (after its first character) only the plainest particles and pronouns end it: 和平路,
# 东直门外大街, 首都机场 hold characters that may not start one.
_INNER_STOP = set("的了是在我你他她它们这哪吗呢吧啊呀哦嗯就也都还很太最更已想能应该需帮找寄送住说讲告诉看见叫过着得址请问您")
_NI = _class_without(_INNER_STOP)
# Each with its own unit (新疆维吾尔自治区, not 内蒙古维吾尔自治区): the bound stays within 64.
_PROVINCE = (
    "(?:(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
    "四川|贵州|云南|陕西|甘肃|青海|台湾)(?:省|市)?|(?:香港|澳门)(?:特别行政区)?|内蒙古(?:自治区)?|西藏(?:自治区)?|"
    "广西(?:壮族自治区)?|宁夏(?:回族自治区)?|新疆(?:维吾尔自治区)?)"
)
# A province or municipality named with its unit (北京市, not 北京).
_PROVINCE_UNIT = (
    "(?:(?:北京|天津|上海|重庆|河北|山西|辽宁|吉林|黑龙江|江苏|浙江|安徽|福建|江西|山东|河南|湖北|湖南|广东|海南|"
    "四川|贵州|云南|陕西|甘肃|青海|台湾)(?:省|市)|(?:香港|澳门)特别行政区|(?:内蒙古|西藏)自治区|"
    "广西壮族自治区|宁夏回族自治区|新疆维吾尔自治区)"
)
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
# 街 of 街道 (a sub-district) is no street.
_ROAD_SUFFIX = "(?:大道|大街|路|街(?!道)|巷|胡同|弄|村|屯)"
# A place name: up to six characters before its unit (banners: 科尔沁左翼后旗).
_PLACE = _N + "[" + _NI + "]{0,5}?" + _ADMIN_SUFFIX
_ROAD = _N + "[0-9" + _NI + "]{0,5}" + _ROAD_SUFFIX  # greedy: 中关村大街, not 中关村
# 号线 is a metro line, 号口/号出口 an exit: not a door.
_NUMBER = "[甲乙丙]?[0-9]{1,4}(?:-[0-9]{1,3})?(?:号院|号(?![线])|弄|组)(?:[0-9]{1,4}(?:号(?![线])|组))?"
# A door number said in Chinese numerals (transcripts, 建国路八十八号): only right after a road, where a
# number is a door, never a date (十一号).
_ZH_NUMERAL_DOOR = "[一二三四五六七八九十百零〇两幺]{1,6}(?:号院|号(?![线])|弄)"
_ESTATE = "[0-9A-Za-z" + _NC + "]{1,6}?(?:小区|大厦|大楼|花园|公寓|广场|中心|新村|家园|苑|园|村|城)"
_UNIT = "(?:[0-9A-Za-z]{1,4}|[一二三四五六七八九十]{1,3}|十?两)(?:号楼|栋|幢|座|楼|单元|层|室|号)"
# The lookahead first: most positions in Chinese text fail it within a few characters, which keeps the
# per-position cost of the (long, optional-heavy) body away from ordinary prose.
# An address starts after a character that ends a place name (a particle, punctuation, a digit, the
# start), right after an administrative unit (…商务区李天路27号), or with a province name wherever it
# stands: not in the middle of a place name, which would find 东省深圳市… inside 广东省深圳市… and cost a
# match attempt at every character of Chinese prose.
_ZH_ADDRESS = (
    "(?:(?<![" + _NC + "])(?=" + _N + "[" + _NI + "]{0,6}?(?:" + _ADMIN_SUFFIX[3:-1] + "|" + _ROAD_SUFFIX[3:-1] + "))"
    "|(?<=[区县旗镇乡路街道巷同村屯])(?=" + _N + "[" + _NI + "]{0,5}?" + _ROAD_SUFFIX + ")"
    "|(?=" + _PROVINCE + "|(?:" + "|".join(_CITIES) + ")市))"
    # A road or a house number must follow the place names, so the engine backtracks over a place
    # name that was really the start of a road (红旗 as a banner, 红旗大道 as the road).
    "(?:" + _PROVINCE + ")?(?:" + _PLACE + "){0,3}(?:" + _ROAD + "(?:" + _NUMBER + "|" + _ZH_NUMERAL_DOOR + "|(?![店]))|"
    + _N + "?[" + _NI + "]{0,5}" + _NUMBER + ")"
    "(?:" + _ESTATE + ")?"
)
# A road, its section and the door (红星路三段1号, 复兴南路一段390号): its own match, as the place names before
# it grow over it (redaction.extend), so the main pattern's bound is unchanged.
# ... and Taiwan's lanes and alleys after it (复兴南路一段235巷8弄5号, 中山路二三五巷八弄五号).
_TW_LANE = "(?:[0-9]{1,4}|[一二三四五六七八九十零〇百两]{1,5})"
_ZH_SECTION_ROAD = ("(?:(?<![" + _NC + "])|(?<=[区县旗镇乡市]))" + _N + "[" + _NI + "]{0,5}" + _ROAD_SUFFIX
                    + "(?:[一二三四五六七八九十0-9]{1,2}段(?:" + _TW_LANE + "巷)?|" + _TW_LANE + "巷)(?:" + _TW_LANE
                    + "弄)?(?:" + _NUMBER + "|" + _ZH_NUMERAL_DOOR + ")")
# Beijing-style lanes and hutongs with a door number: 三丰北里3号, 廊坊二条18号, 后海北沿46号, 南二里庄19号.
# Not 家里/这里/那里/心里 (a place in a sentence) nor 一条/这条 (a count).
_ZH_LANE = (
    "(?:(?<![" + _NC + "])|(?<=[区县街路道]))" + _N + "[" + _NI + "]{1,5}(?<![家这那哪心城店屋手夜村])(?:里|条|沿|庄)"
    + "[甲乙丙]?[0-9]{1,4}(?:-[0-9]{1,3})?号院?(?![线])"
)
# A named building with a floor: 金茂大厦西二楼, 泽源居7楼, 长兴电子城3楼E区74-1 (a floor alone is not an address).
_ZH_FLOOR = (
    "(?:(?<![" + _NC + "])|(?<=[区县镇乡路街道号]))" + _N + "[0-9A-Za-z" + _NI + "]{1,7}?"
    "(?:大厦|大楼|商厦|广场|中心|大酒店|酒店|饭店|宾馆|商场|百货|电子城|城|苑|园|居|公寓|写字楼)"
    "[东西南北]?(?:[0-9]{1,2}|[一二三四五六七八九十]{1,2}|[Bb负][0-9一二三])(?:楼|层)"
    "(?:[A-Za-z东西南北]区)?(?:[0-9]{1,4}(?:-[0-9]{1,3})?(?:室|号)?)?"
)
_GENERIC_BUILDINGS = re.compile(
    "^(?:购物|服务|客服|活动|文化|体育|商业|会展|展览|会议|社区|医疗|健康|培训|数据|研发|物流|配送|客户|售后|维修)"
    "(?:中心|广场|大楼)")
# The flat (`5号楼1203室`) is its own span: the stream never holds more than either part.
_ZH_BUILDING = "(?:" + _UNIT + "){1,3}"
_PLACE_RE = re.compile(
    "(?:" + _PROVINCE + "(?:" + _PLACE + "){0,3}|(?:" + _PLACE + "){1,3})")
# Without a door number a road needs a place with its unit before it: 北京市学清路, not 北京学清路(店).
_UNIT_PLACE_RE = re.compile("(?:" + _PROVINCE_UNIT + "(?:" + _PLACE + "){0,3}|(?:" + _PROVINCE + ")?(?:" + _PLACE + "){1,3})")
_ROAD_AFTER_RE = re.compile(_ROAD)
_ROAD_RE = re.compile(_ROAD_SUFFIX)
_NUMBER_RE = re.compile("[0-9](?:号|弄|组)|(?:路|街|道|巷|同|弄|村|屯)" + _ZH_NUMERAL_DOOR)
_UNIT_RE = re.compile("(?:号楼|栋|幢|座|单元|层|室)")
# Words that end in a unit character but name no place (家乡, 市区, 小区, 社区…).
_FAKE_PLACE = re.compile(
    "^(?:[家城故老下回同他异水]乡|[市城郊社园景小山林矿厂校营]区|街道|[全本该各此某外][市区县镇乡旗省])")


def zh_address(value: str) -> bool:
    """Fine enough to find a door: a door number after a road or a real place, or a road in a place."""
    if value[:2] in ("条路", "段路", "号路", "路路"):
        return False  # 这条路3号出口: a count word, not a road name
    number = _NUMBER_RE.search(value) is not None
    if not number and ("高速" in value or value.endswith(("铁路", "公路"))):
        return False  # 江苏省高速公路, 北京铁路(局): a highway or railway, not a street
    place = (_PLACE_RE if number else _UNIT_PLACE_RE).match(value)
    if place is not None and _FAKE_PLACE.match(value):
        place = None
    if number and (place is not None or _ROAD_RE.search(value) is not None):
        return True
    if place is None:
        return False
    # A road must follow the place (苏州街 is a street name holding 州, not a street in a city).
    end = place.end()
    while True:
        if _ROAD_AFTER_RE.match(value, end) is not None:
            return True
        # The place match may have been greedy over a road's first characters (红旗大道).
        shorter = _UNIT_PLACE_RE.match(value[:end - 1]) if end > 1 else None
        if shorter is None:
            return False
        end = shorter.end()


# Hong Kong roads end in 道 (弥敦道, 轩尼诗道), which the road rule leaves alone (it also ends 知道, 频道):
# a 道 road is taken with its door number, after Hong Kong districts that carry no unit (九龙旺角…); it
# may start after a district's last character too (香港九龙 + 尖沙咀弥敦道100号: the address growth takes the
# districts before it), and after Cantonese 系 (is), 喺 (at), 嘅 ('s). A 街/路/里 street is taken here too when
# districts come first (新界沙田石门 + 安群街3号): the general road rule has no Hong Kong places.
_HK_DISTRICTS = (
    "香港|九龙|新界|旺角|尖沙咀|油麻地|深水埗|长沙湾|太子|红磡|土瓜湾|黄大仙|观塘|将军澳|西贡|沙田|大埔|荃湾|葵涌|"
    "青衣|屯门|元朗|中环|上环|西环|湾仔|铜锣湾|北角|鲗鱼涌|柴湾|筲箕湾|香港仔|跑马地|天水围|马鞍山|东涌"
)
# Words ending in 道 that are no road: know, taste, channel, passage, lane, report, said…
_NOT_ROADS = frozenset(
    "知道 味道 频道 渠道 轨道 通道 管道 跑道 赛道 车道 隧道 街道 报道 难道 一道 行道 步道 顺道 地道 公道 厚道 霸道 "
    "王道 说道 问道 笑道 答道 叫道 写道 讲道 喊道 骂道 称道 门道 孔道 航道 水道 食道 弯道 坡道 栈道 古道 "
    "人道 正道 当道 邪道 道道 早道 绕道 改道 取道".split())
_HK_START = "(?:(?<![" + _NC + "])|(?<=[区县镇路街道港龙界角咀仔环系喺嘅]))"
_HK_DOOR_NUMBER = "[0-9]{1,4}(?:-[0-9]{1,3})?号(?![线])"
_HK_ROAD_DOOR = (_HK_START + "(?:(?:" + _HK_DISTRICTS + "){0,2}" + _N + "[" + _NI + "]{0,3}道(?:中|东|西)?)"
                 + _HK_DOOR_NUMBER)
_HK_STREET_DOOR = (_HK_START + "(?:" + _HK_DISTRICTS + "){1,3}" + _N + "[" + _NI + "]{0,3}[街路里]"
                   + _HK_DOOR_NUMBER)
_HK_DOOR = re.compile("[0-9]")


def hk_not_road(word: str) -> bool:
    """A two-character word ending in 道 that names no road (知道, 频道, 报道…)."""
    return word in _NOT_ROADS


def hk_road(value: str) -> bool:
    """A 道 road with its door, not 知道3号."""
    door = _HK_DOOR.search(value)
    return door is not None and not hk_not_road(value[max(0, door.start() - 2):door.start()])


def zh_floor(value: str) -> bool:
    """A named building's floor, not a generic one (购物中心三楼)."""
    return _GENERIC_BUILDINGS.match(value) is None


def zh_building(value: str) -> bool:
    """A flat or building: a room, unit or building number (`3楼` alone is just a floor; `一栋`, `一座`
    alone are "a building", "a bridge", `两栋` "two buildings")."""
    return _UNIT_RE.search(value) is not None and not (len(value) == 2 and value[0] in "一两")


# English: house number, 1-3 words (capitalised, all capitals, lower case, or an ordinal), a street type.
_SUFFIXES = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Way|Parkway|Pkwy|Place|Pl|"
    "Terrace|Ter|Circle|Cir|Highway|Hwy|Square|Sq|Trail|Trl|Plaza|Alley|Row|Close|Crescent|Loop|Pike|"
    "Path|Walk|Point|Pt|Expressway|Expy|Freeway|Fwy|Turnpike|Tpke|Center|Centre|Mall|Gardens|Mews|Grove|"
    "Rise|Parade|Wharf|Esplanade"
).split("|")
# Street types that are also everyday words: in lower case only after a capitalised name (1 Hosking place).
_STRONG = {"street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "dr",
           "highway", "hwy", "parkway", "pkwy"}
_SUFFIX = "|".join(sorted({v for s in _SUFFIXES for v in (s, s.upper(), s.lower())}, key=lambda s: (-len(s), s)))
_STREET_WORD = r"(?:[A-Z][a-z]{1,11}|[A-Z]{1,12}|[a-z]{2,12}|[0-9]{1,3}(?:st|nd|rd|th))"
_LONG_STREET_WORD = r"[A-Z][a-z]{12,14}"  # one long word alone (Massachusetts Ave): the bound stays 64
# Streets without a type: Broadway, El Camino Real, The Alameda.
_NAMED = "(?:El )?Camino Real|EL CAMINO REAL|Broadway|BROADWAY|broadway|The Alameda|Alameda de las Pulgas"
_EN_ADDRESS = (
    r"[1-9](?<![0-9A-Za-z$:][1-9])[0-9]{0,5}(?:-[0-9]{2})?[A-Za-z]? (?:[NSEW]\.? )?(?:(?:" + _LONG_STREET_WORD + "|"
    + _STREET_WORD + r"(?: " + _STREET_WORD + r"){0,2}) (?:" + _SUFFIX + r")|(?:(?:[Nn]orth|[Ss]outh|[Ee]ast|[Ww]est) )?(?:" + _NAMED
    + r"))\.?(?![A-Za-z])"
)
# Words that make `5 minute drive`, `a 4 lane road`, `walked 2 miles down the road` no address.
_EN_STOP = set(
    "a an the of to in on at for with and or by from into onto my your our their his her its this that these "
    "those more less other next last same per each every some any many few best different another one two "
    "minute minutes min mins hour hours hr hrs second seconds day days week weeks month months year years "
    "mile miles km kilometer kilometers kilometre kilometres meter meters metre metres foot feet block blocks "
    "time times people person persons guests lane lanes way ways car cars bed beds bath baths bedroom "
    "bedrooms star stars dollar dollars am pm is are was were be been it i we you he she they me us them "
    "not no yes very just only also".split())
_EN_STOP_CAPS = {w.capitalize() for w in "a an of to in on at for and or by from my your our their his her its this "
                 "that these those is are was were it i we you he she they".split()} | {"I"}


def en_address(value: str, cued: bool = False) -> bool:
    """A house number and a street: no function word, unit of measure or count among the words; after an
    address cue (`cued`) also a lower-case street type that is an everyday word (`42 wallaby way`)."""
    words = value.rstrip(".").split(" ")[1:]
    if words and words[0] in ("N", "S", "E", "W", "N.", "S.", "E.", "W."):
        words = words[1:]
    if len(words) < 2:
        return True  # a named street (Broadway)
    *names, suffix = words
    if value.endswith(("Camino Real", "CAMINO REAL", "Alameda", "Pulgas")):
        return True
    # `of` between two capitalised words belongs to the name (Prince of Wales Road, Isle of Man Way).
    names = [w for i, w in enumerate(names) if not (w == "of" and 0 < i < len(names) - 1
                                                     and names[i - 1][:1].isupper() and names[i + 1][:1].isupper())]
    if any(w in _EN_STOP or w in _EN_STOP_CAPS or w in ("AM", "PM") for w in names):
        return False  # 12 PM PT: a time and its zone
    if not cued and suffix.islower() and suffix not in _STRONG and all(w.islower() or w[0].isdigit() for w in names):
        return False
    return True


# After words that say an address follows (`I live at`, `ship it to`), a street type that is also an
# everyday word counts in lower case too (`42 wallaby way`, `7 rose close`): en_address refuses it elsewhere.
_ADDRESS_CUES = [c + " " for c in ("live at", "living at", "address is", "address:", "ship to", "ship it to",
                                   "deliver to", "deliver it to", "send it to", "mail it to", "post it to",
                                   "located at", "staying at", "moved to", "reside at", "resides at", "i'm at",
                                   "im at", "i am at", "we're at", "we are at")]
_EN_ADDRESS_CUED = "[1-9]" + after_cue(_ADDRESS_CUES, "1-9", ignore_case=True) + _EN_ADDRESS[len("[1-9]"):]


def en_address_cued(value: str) -> bool:
    return en_address(value, cued=True)


# A house number read out in words (speech-to-text: `one two three main street`, `twenty two baker street`,
# `four fifty elm avenue`): two or three number words, one or two street words, a street type. One number
# word alone (`two main street entrances`) is not taken; nor are counts with their units (_EN_STOP).
_EN_NUMBER_WORD = ("(?:zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|"
                   "fifteen|sixteen|seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|"
                   "ninety|hundred)")
# Speech-to-text writes the street type out: full words only (`way` and the abbreviations are left to the
# written forms; as `required` strings they would be in nearly every English text).
_SPOKEN_TYPES = ("street", "avenue", "road", "boulevard", "lane", "drive", "court", "place", "terrace", "circle",
                 "highway", "parkway")
_EN_SPOKEN_ADDRESS = (
    r"(?<![A-Za-z0-9-])(?i:" + _EN_NUMBER_WORD + r"(?:[ -]" + _EN_NUMBER_WORD + r"){1,2})"
    + r" (?:(?:[A-Z][a-z]{1,9}|[A-Z]{2,10}|[a-z]{2,10}) ){1,2}(?i:" + "|".join(_SPOKEN_TYPES) + r")(?![A-Za-z])"
)


# ... or one number word before a capitalised street name and its capitalised type, the clause ending there
# (`fourteen Restalrig Terrace, Edinburgh`, `nine Cedar Close`): a capital after the number says a name.
_SPOKEN_TYPES_CAPS = ("Street", "Avenue", "Road", "Boulevard", "Lane", "Drive", "Court", "Place", "Terrace", "Close",
                      "Crescent", "Mews", "Grove", "Gardens", "Row", "Square", "Parade", "Walk", "Way", "Hill")
_EN_SPOKEN_ONE = (
    r"(?<![A-Za-z0-9-])(?i:" + _EN_NUMBER_WORD + r")(?<!hundred)(?<!oh)(?<!zero)"
    + r" (?:[A-Z][a-z]{1,11}(?:['’]s)? ){1,2}(?:" + "|".join(_SPOKEN_TYPES_CAPS) + r")(?=[,.;\n]|$| [A-Z0-9]| and )"
)


def en_spoken_address(value: str) -> bool:
    words = value.split(" ")
    names = [w for w in words[:-1] if not re.fullmatch(_EN_NUMBER_WORD, w, re.I) and "-" not in w]
    return bool(names) and not any(w.lower() in _EN_STOP for w in names)


_UPPER_L = "A-ZÀ-ÖØ-ÞĀ-ſ"
_LOWER_L = "a-zß-öø-ÿĀ-ſ"
_LATIN = "".join(chr(c) for c in list(range(0xC0, 0x100)) + list(range(0x100, 0x180)) if chr(c).isalpha())
# Continental streets with the house number after the name: Hauptstrasse 5, Ringvej 144, Villacher Strasse
# 89, Rue de Piétrain 371, ul. Cicha 86 (or a number before: 1 Rue Bayard).
_COMPOUND = "strasse|straße|weg|gasse|vej|vägen|gatan|gata|veien|vegen|gade|straat|laan|bakken|tie|katu|utca"
_SEPARATE = "Strasse|Straße|Str\\.|Weg|Gasse|Platz|Allee|Baan|Laan|Straat|Vej|Gade|útja|utca|út"
_PREFIX = "Rue|Rua|Via|Viale|Calle|Avenida|Carrer|Piazza|Corso|Chemin|Praça|Travessa|ul\\.|C/|rue|rua|calle"
_PARTICLE = "(?:de|del|da|do|dos|das|di|della|la|le|les|des|du|dei|von|van|der) "
_EN_INTL = (
    "(?<![0-9A-Za-z" + _LATIN + "])(?:"
    "[" + _UPPER_L + _LOWER_L + "][" + _LOWER_L + "]{1,16}(?:" + _COMPOUND + ")"
    "|[" + _UPPER_L + _LOWER_L + "][" + _LOWER_L + "]{2,14} (?:" + _SEPARATE + ")"
    "|(?:[1-9][0-9]{0,4} )?(?:" + _PREFIX + ") " + "(?:" + _PARTICLE + ")?[" + _UPPER_L + "][" + _LOWER_L + "]{1,12}"
    "(?: [" + _UPPER_L + _LOWER_L + "][" + _LOWER_L + "]{1,12})?"
    ")(?: [1-9][0-9]{0,3}[a-z]?(?![0-9A-Za-z]))?"
)
# The house number after an English street word, or a German `Am`/`Im`/`Zum` street, the continental
# way, where a postcode and a town follow (`Main Street 42, 12345 Sampletown`, `Am Stadtpark 3, 20095
# Hamburg`): the postcode makes it an address, not a count (`Chapter Street 3 times`).
_EN_NUMBER_AFTER = (
    "(?<![0-9A-Za-z" + _LATIN + "])(?:(?:Am|Im|Zum|Zur|An der|Auf der|In der|Unter den) [" + _UPPER_L + "][" + _LOWER_L
    + "]{2,20}|[" + _UPPER_L + "][" + _LOWER_L + "]{1,15}(?: [" + _UPPER_L + "][" + _LOWER_L + "]{1,15})? "
    "(?:Street|St\\.|Road|Rd\\.|Avenue|Ave\\.|Lane|Drive|Dr\\.|Way|Place|Square|Close|Court|Boulevard|Blvd\\.))"
    " [1-9][0-9]{0,3}[a-z]?(?=,? ?[0-9]{4,5} [" + _UPPER_L + "])"
)
# A house number, a street name and a second number (the building, the way some countries write it), then
# a street type or a line break before a town in capitals (`87818 Dalmatinova 68 St.`, `4241 Steinfelden
# 73` / `SAVONLINNA`): address-book exports.
_EN_TWO_NUMBERS = (
    "(?<![0-9A-Za-z" + _LATIN + "])[0-9]{1,5} [" + _UPPER_L + "][" + _LOWER_L + "]{2,20}"
    "(?:[ -][" + _UPPER_L + "][" + _LOWER_L + "]{2,20})? [1-9][0-9]{0,3}[a-z]?"
    "(?=(?: (?:St|Rd|Ave)\\.| (?:Street|Road|Avenue))(?![A-Za-z])|[ \t]*\n[ \t]*[" + _UPPER_L + "]{3,}(?:[ -][" + _UPPER_L + "]+)*[ \t]*\n)"
)


def two_numbers_street(value: str) -> bool:
    """The street's name is no English word (`Dalmatinova`, not `12 Boxes 4 Street vendors`)."""
    from ..ner.english import INFLECTIONS, dictionary, listed  # web2's words, loaded once with the name layer

    words = dictionary()
    name = value.split("\n", 1)[0].split(" ")[1:-1]
    return not any(listed(w.lower(), words, INFLECTIONS[:3]) for w in name)  # boxes, parties


_NOT_STREETS = ("auntie", "cutie", "sweetie", "hottie", "bowtie", "necktie", "rookie")


def intl_address(value: str) -> bool:
    """A continental street needs its house number (before or after the name)."""
    if not (value[0].isdigit() or value[-1].isdigit() or value[-2:-1].isdigit()):
        return False
    return not value.split(" ")[0].lower().startswith(_NOT_STREETS)


# UK postcodes: a real postcode area, the inward code's letters never C I K M O V (SW1A 2AA, M60 1QD).
_UK_AREAS = (
    "AB AL B BA BB BD BH BL BN BR BS BT CA CB CF CH CM CO CR CT CV CW DA DD DE DG DH DL DN DT DY E EC EH EN EX "
    "FK FY G GL GU GY HA HD HG HP HR HS HU HX IG IM IP IV JE KA KT KW KY L LA LD LE LL LN LS LU M ME MK ML N NE "
    "NG NN NP NR NW OL OX PA PE PH PL PO PR RG RH RM S SA SE SG SK SL SM SN SO SP SR SS ST SW SY TA TD TF TN TQ "
    "TR TS TW UB W WA WC WD WF WN WR WS WV YO ZE"
).split()
# Also Girobank's `GIR 0AA`. Without its space (`M11AA`, `EC1A1BB`), or in lower case, only after a cue:
# alone it reads as a product code.
_UK_POSTCODE = (
    lead("A-Z", "0-9A-Za-z") + "(?:[A-Z]?[0-9][0-9A-Z]? [0-9][ABD-HJLNP-UW-Z]{2}|(?<=G)IR 0AA)(?![0-9A-Za-z])"
)
_UK_POSTCODE_CUES = [c + sep for c in ("postcode", "post code", "postal code", "postcode is", "post code is",
                                       "postal code is") for sep in (" ", ": ", ":") if len(c + sep) <= LOOKBEHIND]
_UK_POSTCODE_CUED = (lead("A-Za-z", "0-9A-Za-z") + after_cue(_UK_POSTCODE_CUES, "A-Za-z", ignore_case=True)
                     + "(?:[A-Za-z]?[0-9][0-9A-Za-z]? ?[0-9][ABD-HJLNP-UW-Zabd-hjlnp-uw-z]{2}|(?<=[Gg])(?i:ir ?0aa))"
                     + "(?![0-9A-Za-z])")
_UK_OUTWARD = re.compile("([A-Z]{1,2})[0-9]")
# Canada: letter, digit, letter, a space, digit, letter, digit (`V5Z 3A7`); Canada Post never uses D, F, I, O, Q
# or U, nor W or Z first. With its space only: without it the shape is a product code's as often.
_CA_FIRST = "ABCEGHJ-NPRSTVXY"
_CA_LETTER = "ABCEGHJ-NPRSTV-Z"
_CA_POSTCODE = lead(_CA_FIRST, "0-9A-Za-z") + f"[0-9][{_CA_LETTER}] [0-9][{_CA_LETTER}][0-9](?![0-9A-Za-z])"


def uk_postcode(value: str) -> bool:
    value = value.upper()
    if value.replace(" ", "") == "GIR0AA":
        return True
    m = _UK_OUTWARD.match(value)
    return m is not None and m.group(1) in _UK_AREAS


# US military mail: PSC 4296, Box 4371 / APO AE 09012. (A ZIP code alone after `zip code is` is left
# alone: it names an area, not a door.)
_EN_MILITARY = (
    lead("PCUAFD", "0-9A-Za-z") + "(?:(?<=P)SC|(?<=C)MR|(?<=U)nit) [0-9]{3,5}, Box [0-9]{3,5}(?![0-9])"
    "|" + lead("AFD", "0-9A-Za-z") + "PO (?:AA|AE|AP) [0-9]{5}(?![0-9])"
)
_EN_UNIT = (lead("ASUPFas", "A-Za-z") + r"(?:(?<=A)pt|(?<=A)partment|(?<=S)uite|(?<=S)te|(?<=U)nit|(?<=F)lat|"
            r"(?<=a)pt|(?<=s)uite|"
            r"(?<=P)\.? ?O\.? ?Box|(?<=P)ost Office Box)\.? ?#?[0-9][0-9A-Za-z-]{0,5}(?![0-9A-Za-z])")
# City, state and ZIP after a street: `, Springfield, IL 62704` (a separate span, as its own line often).
_STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"
).split()
_EN_CITY_ZIP = (
    lead("A-Z", "A-Za-z") + r"[a-z]{1,14}(?: [A-Z][a-z]{1,14})?,? (?:" + "|".join(_STATES)
    + r") [0-9]{5}(?:-[0-9]{4})?(?![0-9])"
)

_ZH_ALPHABET = CJK_CHARS | frozenset(DIGITS + LETTERS + "-")
# An address starts with a place name, never with a particle or pronoun: the stream holds back a
# Chinese run only from its first character that could begin one.
_ZH_STARTS = CJK_CHARS - _STOP
_EN_ALPHABET = frozenset(DIGITS + LETTERS + _LATIN + " .,#-/'")

DETECTORS: list[PatternDetector] = [
    PatternDetector("ADDRESS", _ZH_ADDRESS, None, _ZH_ALPHABET, validate=zh_address,
                    required=("路", "街", "大道", "巷", "弄", "胡同", "村", "屯", "号"), starts=_ZH_STARTS),
    PatternDetector("ADDRESS", _ZH_LANE, None, _ZH_ALPHABET, required=("号",), starts=_ZH_STARTS),
    PatternDetector("ADDRESS", _ZH_SECTION_ROAD, None, _ZH_ALPHABET, required=("段", "巷"), starts=_ZH_STARTS),
    PatternDetector("ADDRESS", _HK_ROAD_DOOR, None, _ZH_ALPHABET, validate=hk_road, required=("道",),
                    starts=_ZH_STARTS),
    PatternDetector("ADDRESS", _HK_STREET_DOOR, None, _ZH_ALPHABET, required=("号",), starts=_ZH_STARTS),
    PatternDetector("ADDRESS", _ZH_FLOOR, None, _ZH_ALPHABET, validate=zh_floor, required=("楼", "层"),
                    starts=_ZH_STARTS),
    PatternDetector("ADDRESS", _ZH_BUILDING, None, _ZH_ALPHABET, validate=zh_building,
                    required=("号楼", "室", "栋", "幢", "座", "单元", "层"), starts=_ZH_STARTS | frozenset(DIGITS + LETTERS) | set("一二三四五六七八九十")),
    PatternDetector("ADDRESS", _EN_UNIT, None, DIGITS + LETTERS + " .#-", required="ASUPFas", starts="ASUPFas"),
    # Both need a digit and a letter.
    PatternDetector("ADDRESS", _EN_ADDRESS, None, DIGITS + LETTERS + " .,#-", validate=en_address,
                    required=DIGITS, starts=DIGITS),
    PatternDetector("ADDRESS", _EN_ADDRESS_CUED, None, DIGITS + LETTERS + " .,#-", validate=en_address_cued,
                    required=tuple(c[-3:] for c in _ADDRESS_CUES), starts=DIGITS),
    PatternDetector("ADDRESS", _EN_INTL, None, _EN_ALPHABET, validate=intl_address, required=DIGITS,
                    starts=_EN_ALPHABET - frozenset(" .,#-/'")),
    PatternDetector("ADDRESS", _EN_NUMBER_AFTER, None, _EN_ALPHABET, required=DIGITS, starts=LETTERS[:26]),
    PatternDetector("ADDRESS", _EN_TWO_NUMBERS, None, _EN_ALPHABET | frozenset("\n\t"), validate=two_numbers_street,
                    required=DIGITS, starts=DIGITS),
    PatternDetector("ADDRESS", _UK_POSTCODE, None, DIGITS + LETTERS + " ", validate=uk_postcode,
                    required=DIGITS, starts=LETTERS[:26]),
    PatternDetector("ADDRESS", _UK_POSTCODE_CUED, None, DIGITS + LETTERS + " ", validate=uk_postcode,
                    required=("ode", "ODE", "Ode")),
    PatternDetector("ADDRESS", _CA_POSTCODE, None, DIGITS + UPPER + " ", required=DIGITS, starts="ABCEGHJKLMNPRSTVXY"),
    PatternDetector("ADDRESS", _EN_MILITARY, None, DIGITS + LETTERS + " ,", required=("Box", "PO "),
                    starts="PCUAFD"),
    PatternDetector("ADDRESS", _EN_CITY_ZIP, None, DIGITS + LETTERS + " ,-", required=LETTERS[:26],
                    starts=LETTERS[:26]),
    PatternDetector("ADDRESS", _EN_SPOKEN_ADDRESS, None, LETTERS + " -", validate=en_spoken_address,
                    required=tuple(" " + w for s in _SPOKEN_TYPES for w in (s, s.title(), s.upper())),
                    starts=LETTERS),
    PatternDetector("ADDRESS", _EN_SPOKEN_ONE, None, LETTERS + " ", validate=en_spoken_address,
                    required=tuple(" " + w for w in _SPOKEN_TYPES_CAPS), starts=LETTERS),
]
