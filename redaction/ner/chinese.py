"""Chinese person names without a cue word: LAC's PER words, filtered.

Unfiltered, LAC's PER tag also falls on titles and forms of address (小姐, 导游), courtesy words (感谢),
a surname alone before a title (任经理), agents' aliases (小王, 客服小美) and brand or place words; on
PII-free messages that flagged 5-11 %. The filter keeps a word of two to six characters that is not on
the lists below and not an alias; a two-character word only when the model is sure of it. A surname alone
(what is left of 任经理 once the title is cut) is never kept.
"""

from __future__ import annotations

import re
from typing import Callable

from ..detectors.names import COMPOUND_SURNAMES, GIVEN_CHARS, SURNAMES
from .lac import LacTagger

# Words LAC may tag PER that name nobody in particular (titles, address forms, roles, courtesy words,
# brands and places that read like names).
NOT_NAMES = frozenset((
    "小姐 先生 女士 太太 夫人 老师 同学 经理 总监 主任 医生 大夫 律师 师傅 阿姨 叔叔 大爷 大姐 大哥 大妈 "
    "导游 司机 客服 管家 店长 店员 掌柜 老板 老板娘 亲 亲爱的 宝宝 宝贝 美女 帅哥 小哥 小妹 小伙 小朋友 "
    "感谢 谢谢 多谢 您好 你好 抱歉 对不起 麻烦 辛苦 恭喜 欢迎 再见 好的 明白 理解 "
    "爸爸 妈妈 爷爷 奶奶 外公 外婆 哥哥 姐姐 弟弟 妹妹 儿子 女儿 老公 老婆 媳妇 丈夫 妻子 "
    "天猫 淘宝 京东 拼多多 美团 饿了么 支付宝 微信 顺丰 中通 圆通 韵达 申通 菜鸟 小米 华为 苹果 "
    "戴森 戴尔 罗技 方太 苏泊尔 华硕 荣耀 "
    "如家 汉庭 全季 锦江 希尔顿 万豪 喜来登 肯德基 麦当劳 星巴克 海底捞 "
    "上帝 老天 天哪 菩萨 佛祖 奥特曼 超人 紫百合 艾特 爱特 艾克斯 "
    # countries, as in 我是韩国人
    "中国 韩国 日本 美国 英国 法国 德国 泰国 越南 印度 俄罗斯 加拿大 澳洲 新加坡 马来西亚 "
    # brands named after a person, and departments that stand where a contact's name would
    "李宁 周大福 周生生 老娘舅 王老吉 张小泉 李锦记 陈李济 马应龙 周黑鸭 钱大妈 谢馥春 六福 老凤祥 "
    "杨国福 杨铭宇 谭鸭血 陈香贵 马记永 刘一手 王致和 钟薛高 麦富迪 潘婷 老干妈 孙悟空 猪八戒 "
    "仓库 前台 物业 财务 售后 门卫 保安 店铺 门店 总部 客服部 售后部 "
    # roles that label a speaker's turn (房东：, 车主：)
    "房东 房客 租客 中介 顾问 家长 家属 乘客 车主 业主 职员 坐席 快递员 导购 店员 护士 患者 候选人 玩家 客人 "
    "来电人 寄件人 收件人 柜员 窗口 骑手 司机"
).split())
# Characters that start an alias or a form of address (小王, 老李, 阿强) when the word is two long.
ALIAS_FIRST = "小老阿"
# Agent roles right before a word make it the agent's alias (客服小美, 导游阿明, 工号).
_ROLES_BEFORE = ("客服", "专员", "导游", "管家", "工号", "小助手", "助理", "机器人")
TITLE_END = ("先生", "女士", "小姐", "经理", "老师", "总监", "主任", "师傅", "阿姨", "同学", "会计", "主席",
              "会长", "书记", "总理", "院长", "局长", "部长", "市长", "省长", "县长", "校长", "处长", "科长",
              "教授", "医生", "律师", "先森", "主管", "经纪人", "组长", "店长", "顾问", "工程师", "护士", "警官",
              "专员", "大爷", "大妈", "大姐", "大哥", "叔叔", "伯伯", "婆婆", "奶奶", "爷爷", "阿婆", "阿伯", "医师", "药师",
              "教练", "导师", "教官", "技师", "总")
# A two-character word is kept only when LAC is sure of it (margin, see LacTagger.persons): on the
# development set the unsure ones were as often a word (a tool, a colour, a verb) or an alias as a name.
_MIN_MARGIN_2 = 1.0
# ... unless it starts with a surname and a word around it says a person speaks or is contacted (张伟说,
# 给李娜打电话, 记者王芳报道): then any positive margin will do.
_MIN_MARGIN_2_CUED = 0.0
_CUE_AFTER = ("说", "表示", "认为", "告诉", "打电话", "发短信", "发信息", "报道", "推荐", "指出", "介绍", "强调",
              "回答")
_CUE_BEFORE = ("给", "记者", "我叫", "岁的", "名叫", "同事", "得主")
# A transliterated name with its parts joined by a middle dot (安德鲁·葛鲁夫) may be this long.
_MAX_DOTTED = 16
# Endings of a nickname or kinship form (千哥, 靖哥哥, 红姐, 张某): not a full name.
ALIAS_END = "哥姐弟妹某老子儿仔氏"
# A surname with 某 or 老 (梁某, 胡老): a person the text names by surname only; kept when LAC is sure.
_SURNAME_FORM_END = "某老"
# Words joining two people (阳靖和胡卫红, 阳靖与王芳): a name LAC is unsure of next to one it is sure
# of is kept.
_JOIN = ("和", "与", "及", "跟", "同")
# A speaker's turn opening a line (姜山：..., 王诚：...): a surname and one or two given-name characters.
_SPEAKER = re.compile("(?:^|(?<=\n))([" + SURNAMES + "][" + GIVEN_CHARS + "]{1,2})[：:](?![0-9])")
# A Weibo-style mention that is a name (@严之吟, //@王人平:): a surname and one or two given-name
# characters, then the mention's end.
_MENTION = re.compile("@([" + SURNAMES + "][" + GIVEN_CHARS + r"]{1,2})(?=[@:：/\s,，。!！?？]|$)")
# What follows a firm's, a shop's or a street's name (司利达律师事务所, 某某烤全羊, 赵登禹路口).
_ORG_AFTER = ("律师事务所", "事务所", "公司", "集团", "银行", "会所", "酒店", "饭店", "餐厅", "烤全羊", "烤鱼", "路口",
              "大街", "大道", "街道", "中学", "小学", "大学", "医院",
              # a chain named after its founder (张亮麻辣烫, 杨国福点的外卖 is caught by the word list)
              "麻辣烫", "黄焖鸡", "米线", "火锅", "烤鸭", "牛肉面", "拉面", "酒家", "超市", "大药房", "药房", "眼镜",
              "珠宝", "专卖店", "旗舰店", "加盟")


# Cantonese function characters, in no name (搵陈生 "look for Mr Chan", 佢下昼 "he, afternoon", 仲可唔可以
# "still can or not", 陳生話 "Mr Chan says"): LAC, trained on Mandarin, reads some as a surname and the next as a
# given name.
_CANTONESE = frozenset("搵揾佢嘅啲咗冇嚟喺唔嗰哋噉乜睇咩嘢咁㗎話话啱")
# 张 as a measure word before a paper or a card (查下张单, send张收据, 报失张八达通): no surname there.
_MEASURED = frozenset(("单", "收据", "八达", "八达通", "卡", "票", "发票", "相", "单据", "表", "纸", "凭证", "支票", "保单",
                      "券", "图"))

_PARTICLES = frozenset("哈啊呀嘛吧呢哦嗯噢哟")
_NUMERALS = frozenset("零〇一二三四五六七八九十百千万幺两洞")
# Brands named after a person that open a product's name (李宁韦德之道11), or that LAC may read as a longer
# word (钟薛高雪, 小杨生).
_BRANDS_FIRST = ("李宁", "周大福", "周生生", "王老吉", "张小泉", "李锦记", "王致和", "小杨生煎", "钟薛高", "麦富迪", "潘婷",
                 "老干妈")
_ORG_AFTER_RE = re.compile("|".join(_ORG_AFTER))
# A customer saying what to call them (叫我晓雯就行, 我叫丽丽就好): the name they go by, even a given name
# alone or a pet name (an alias such as 小王, a title or 红姐 aside, as everywhere).
_CALL_ME = re.compile("(?:叫我|我叫|喊我|称呼我)([\u4e00-\u9fff]{2,3}?)(?=就行|就好|就可以|就得|好了|便可|即可)")
# ... but no word with a pronoun, a question word or a verb in it (你叫我怎么办就好了).
_NOT_IN_CALLED = frozenset("怎什么哪谁这那你我他她它们的了吗呢吧去来做说看到给让把被也都还要会能在是有没不办")
_COMPOUND = frozenset(COMPOUND_SURNAMES)
# A name question's answer, the whole of the next turn (机主姓名？ / 说话人2：仝晓雯。), and the full name said
# after the surname (姓沙，沙立军).
_ASKED = re.compile(r"(?:姓名|名字|贵姓|怎么称呼|全名|叫什么)[^\n]{0,12}\n")
# Characters no given name is said with alone on its line (particles, replies): the answer's other
# characters may be any, as the question asked for a name (丈夫姓名 / 汤国梁).
_NOT_GIVEN = "的了是吗呢吧啊呀哦嗯好对不没有在先女士生总经理师傅a-zA-Z"
_ANSWER = re.compile(r"[^\S\n]*(?:\[[0-9:.]{4,12}\][^\S\n]*)?(?:[^\n：:]{1,12}[：:])?[^\S\n]*(?:我叫|我是|叫|是)?"
                     "([" + SURNAMES + "][" + GIVEN_CHARS + r"]{1,2}|[" + SURNAMES + "][^\\W\\d_" + _NOT_GIVEN
                     + r"]{1,2})[。.！!]?[^\S\n]*(?:\n|$)")
_SURNAME_THEN_NAME = re.compile("姓([" + SURNAMES + r"])[，,、 ]+(?:[^\n，,。]{0,6}[，,、 ]+)?(\1[" + GIVEN_CHARS
                                + "]{1,2})(?![\u4e00-\u9fff])")


class ChineseNames:
    """Recognizer: cue-less Chinese person names (LAC PER, filtered)."""

    labels = ("PERSON",)

    def __init__(self, tagger: LacTagger | None = None) -> None:
        self.tagger = LacTagger() if tagger is None else tagger

    def find(self, text: str) -> list[tuple[int, int, str, float]]:
        """PERSON spans on normalised `text`."""
        return self._names(text, self.tagger.persons(text))

    def begin(self, text: str) -> Callable[[], list[tuple[int, int, str, float]]]:
        """Start the model on `text` on its own thread (see recognizers.begin_all); the returned call gives
        find(text)."""
        pending = self.tagger.begin(text)
        return lambda: self._names(text, self.tagger.persons(text, pending))

    def _names(self, text: str, persons: list[tuple[int, int, float]]) -> list[tuple[int, int, str, float]]:
        out = []
        found: list[tuple[int, int, float]] = []
        for start, end, margin in persons:
            if found and end - start >= 2 and text[found[-1][1]:start] in ("·", "•"):
                found[-1] = (found[-1][0], end, min(found[-1][2], margin))  # 亚历山大·彼得罗维奇 in two words
            else:
                found.append((start, end, margin))
        sure: list[tuple[int, int]] = []
        unsure: list[tuple[int, int]] = []
        for start, end, margin in found:
            word = text[start:end]
            cut = True
            while cut and word:  # 王经理 tagged whole: the name is what comes before the title (江总书记: twice)
                cut = False
                for title in TITLE_END:
                    if word.endswith(title):
                        word = word[: -len(title)]
                        end = start + len(word)
                        cut = True
                        break
            if len(word) == 3 and word[0] in _PARTICLES and word[1] in ALIAS_FIRST:
                continue  # 谢谢你哈小王: a particle before an alias
            if any((word.startswith(b) and len(word) > len(b)) or text.startswith(b, start) for b in _BRANDS_FIRST):
                continue  # 李宁韦德之道, 小杨生煎 (read 小杨生): a brand or its product
            dotted = "·" in word.strip("·") and all(word.split("·"))
            if not 2 <= len(word) <= (_MAX_DOTTED if dotted else 6) or word in NOT_NAMES:
                continue
            if all(c in _NUMERALS for c in word):
                continue  # 九五五八八: a number said in numerals
            if not _CANTONESE.isdisjoint(word) or (word[0] == "张" and word[1:] in _MEASURED):
                continue
            if start and text[start - 1] == word[0] and len(word) >= 2:
                continue  # 謝謝林小姐: the second 谢 of 谢谢, not a surname
            if text.startswith("的", end) and text[end + 1:end + 2] in word:
                continue  # 刘备的刘, 建设的建: a word that spells a character, not a person
            if len(word) == 2:
                if word[0] in ALIAS_FIRST or word[0] == word[1]:
                    continue  # 小王, 老李, 婷婷: an alias or a pet name
                if word[1] in "生太" and word[0] in SURNAMES:
                    continue  # 陈生, 李太: a surname and the Cantonese Mr or Mrs, as 陈先生
                if word in _COMPOUND and text.startswith(TITLE_END, end):
                    continue  # 上官女士: a surname alone before a title, as 吴女士
                if word[-1] in _SURNAME_FORM_END:
                    if word[0] in SURNAMES and margin >= _MIN_MARGIN_2 and not _ORG_AFTER_RE.match(text, end):
                        out.append((start, end, "PERSON", 0.8))  # 梁某, 胡老
                    continue
                cued = word[0] in SURNAMES and (text.startswith(_CUE_AFTER, end)
                                                or any(text.endswith(c, 0, start) for c in _CUE_BEFORE))
                if margin < (_MIN_MARGIN_2_CUED if cued else _MIN_MARGIN_2):
                    if margin > 0 and word[0] in SURNAMES:
                        unsure.append((start, end))
                    continue
            if word[-1] in ALIAS_END:
                continue
            if any(text.endswith(role, 0, start) for role in _ROLES_BEFORE) and (len(word) < 3 or word[0] not in SURNAMES):
                continue  # 客服小美 (an alias), but 助理叶晓彤 is a full name
            if text.startswith(_ORG_AFTER, end):
                continue
            if word[0] in "年月日号" and start and text[start - 1].isdigit():
                continue  # 6月凯弈: the date's unit read as a surname
            if text.endswith("本报", 0, start):
                continue  # 本报开罗5月3日电: a dateline's city
            if not all("\u3400" <= c <= "\u9fff" or c in "·•." for c in word):
                continue
            out.append((start, end, "PERSON", 0.85))
            sure.append((start, end))
        # An unsure two-character name joined to a sure one (阳靖和胡卫红).
        for start, end in unsure:
            if any((b == start - 1 and text[b:start] in _JOIN) or (a == end + 1 and text[end:a] in _JOIN)
                   for a, b in sure) and self._plain(text, start, end):
                out.append((start, end, "PERSON", 0.75))
        taken = {i for a, b, _, _ in out for i in range(a, b)}
        for m in _CALL_ME.finditer(text) if "我" in text else ():
            a, b = m.span(1)
            word = m.group(1)
            if taken.isdisjoint(range(a, b)) and word not in NOT_NAMES and word[0] not in ALIAS_FIRST and (
                    word[-1] not in ALIAS_END and not word.endswith(TITLE_END) and _CANTONESE.isdisjoint(word)
                    and _NOT_IN_CALLED.isdisjoint(word)):
                out.append((a, b, "PERSON", 0.8))
                taken.update(range(a, b))
        for q in _ASKED.finditer(text) if "\n" in text else ():
            m = _ANSWER.match(text, q.end())
            if m is not None and m.group(1) not in NOT_NAMES and m.group(1)[-1] not in ALIAS_END \
                    and m.group(1)[0] not in ALIAS_FIRST:
                a, b = m.span(1)  # the whole answer, over a part of it LAC took (晓雯 of 仝晓雯)
                out = [span for span in out if not (a <= span[0] and span[1] <= b)]
                out.append((a, b, "PERSON", 0.8))
                taken.update(range(a, b))
        for m in _SURNAME_THEN_NAME.finditer(text) if "姓" in text else ():
            if taken.isdisjoint(range(*m.span(2))) and m.group(2) not in NOT_NAMES:
                out.append((*m.span(2), "PERSON", 0.8))
                taken.update(range(*m.span(2)))
        for rx in (_SPEAKER, _MENTION) if ("：" in text or ":" in text or "@" in text) else ():
            for m in rx.finditer(text):
                a, b = m.span(1)
                if taken.isdisjoint(range(a, b)) and text[a:b] not in NOT_NAMES and text[b - 1] not in ALIAS_END:
                    out.append((a, b, "PERSON", 0.75))
                    taken.update(range(a, b))
        return out

    @staticmethod
    def _plain(text: str, start: int, end: int) -> bool:
        """text[start:end] is not part of a firm, a place or a dateline."""
        return not (text.startswith(_ORG_AFTER, end) or text.endswith("本报", 0, start)
                    or any(text.endswith(role, 0, start) for role in _ROLES_BEFORE))
