"""Person names: Chinese names from surname lists with a cue word, English names after a cue.

A name alone is ambiguous (马上, 高兴, 方便 start with surnames), so every form needs a cue: a word
before it (客户, 联系人:, 我叫, `my name is`, `Mr.`) or a title after a full name (王小明先生; a surname
alone before a title, 吴女士 or 任经理, is not a name). Only the name is redacted, never the cue.
"""

from __future__ import annotations

from .base import CJK, CJK_CHARS, LETTERS, LOOKBEHIND, UPPER, PatternDetector, after_cue

COMPOUND_SURNAMES = (
    "欧阳 司马 诸葛 上官 东方 慕容 尉迟 令狐 皇甫 公孙 司徒 夏侯 长孙 宇文 轩辕 端木 独孤 南宫 西门 闻人 "
    "呼延 澹台 公冶 太史 申屠 钟离 宗政 濮阳 淳于 单于 赫连 万俟 司空 东郭 百里 左丘 第五"
).split()
# Common single surnames (the Hundred Family Surnames' frequent part). Characters that are far more
# often function words than surnames (和 于 向 但 都 那 由 来 时 位 门 平 国 计 全 利 可 ...) are left
# out: `我和王先生` must find 王, not 和王.
SURNAMES = (
    "王李张刘陈杨黄吴赵周徐孙马朱胡林郭何高罗郑梁谢宋唐许邓冯韩曹曾彭萧蔡潘田董袁余叶蒋杜苏魏程吕丁沈任"
    "姚卢傅钟姜崔谭廖范汪陆金石戴贾韦夏邱方侯邹熊孟秦白江阎闫薛尹段雷黎史龙陶贺顾毛郝龚邵万钱严赖覃洪武"
    "莫孔汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童"
    "凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳穆农司卓古吉缪简车项连芦"
    "麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂佟应臧闵苟邬边卞姬师仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩佘池"
    "查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻厉伊仝郜阚花权帅屠豆朴盖练廉禹"
    "井祖漆巴丰支卿狄索宣晋初容敬扈晁芮普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况宿鲜印逯隆茹诸战慕危银亢"
    "嵇哈湛宾戎勾茅呼揭尉冶束檀衣展阴昝智幸奉植衡富尧闭"
    "云强斯明海玉"
)
# Characters common in given names (a gazetteer, not a dictionary of words).
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红娥玲芬燕彬鹏辉飞鑫波斌宇浩凯健俊帆帅旭宁龙林"
    "欢阳建亮成佳琳雪慧晶颖婷倩雯琪瑶璐怡欣悦晨曦彤馨妍萱涵梓轩子睿博文然泽宸航豪思雨嘉心诗梦琴月凤春梅"
    "莉莹荣菲薇蓉蕾丹冬青清晓小志国海东峰岩山松柏楠森金鸿永长德光正新瑞祥福贵安庆喜乐忠义礼仁孝杨柳桃菊"
    "莲荷芝兵武伦坤胜利发财富才学立中和维达远江河湖洪浪源泉彦哲铭毅宏振家庭艺舒蔚婉淑娴媛姝姗嫣婧妮娇婕"
    "娅菁蓓芸茜茹莎蔓翠珊珍琼瑾瑜璇珠碧钰铃锦秋霜虹岚云彩昭晴景暄昊晗昕昱炜烨煜熙焕鹤鸣凌峻崇巍嵘坚均培"
    "基堂壮士卫兴升奇奎奕威宪宾尧庆康廷彪征恒恩慈承捷敬斐旺昌晋朗朝柯栋树桐楷歌毓沛沐泰洁润淼渊湘滨澜灿"
    "烁焱照熠爽珂琦琛琨瑛璋甜皓盈硕祯程童笑策纯绍继群羽翔耀聪育胤致舟良若苗茂莺蓝蕊虎言诚谦贤赫越跃辰迪"
    "进逸遥邦郁钧铁锋镇阔雁雄雅露韬韵顺颜风飘驰骏麟黎鼎想三四五冰凡淑红岳倩丰亭宜尚贞娣妹婵"
    "儿卿翊骁琬芊妤沁灵晏筱琰瑄珞歆霖澄朵溪苒依伊念语墨诺允初柔笙韩宁馨荣蓉菡琦菲"
    "畅花雷香川"
)
_CUE_BEFORE = (
    "客户|用户|顾客|联系人|联系|姓名|名字|收件人|收货人|寄件人|持卡人|开户名|户名|申请人|投诉人|乘客|患者|业主|"
    "会员|本人|我叫|我是|名叫|来电人|经办人|负责人|代理人|同事|家属|父亲|母亲|丈夫|妻子|爱人|老公|老婆|儿子|女儿|"
    "朋友|致|亲爱的|尊敬的|签名|署名|转告|转交|找|问候|请问是|他叫|她叫|患者叫|病人叫|孩子叫|儿子叫|女儿叫|老公叫|老婆叫|"
    "司机叫|名字写|名字写的是|"
    # the parties a loan, a policy or a report names (借款人印小川逾期47天)
    "借款人|担保人|被保险人|投保人|受益人|监护人|报案人|当事人|缴费人|办理人"
)
# 总 alone (王总) but not in words (公司总部, 总是, 总共).
_TITLE_AFTER = ("先生|女士|小姐|太太|同学|老师|经理|总监|主任|医生|大夫|律师(?!事务所)|师傅|阿姨|叔叔|大爷|大姐|"
                "总(?![部是共结计体之算统额价值数量经监裁站台线店厂局署会])")
_SEPARATORS = ("", "是", "为", ":", ": ", " ")
_ZH_CUES = [c + sep for c in _CUE_BEFORE.split("|") for sep in _SEPARATORS if len(c + sep) <= LOOKBEHIND]

# Patterns start with a consumed character class and check what came before with a lookbehind that
# includes that character: the regex engine then skips non-candidate positions in C (5x faster than a
# pattern that starts with a lookbehind).
_FIRST = "".join(sorted(set(SURNAMES) | {c[0] for c in COMPOUND_SURNAMES}))
_SURNAME_REST = "(?:" + "|".join(f"(?<={c[0]}){c[1]}" for c in COMPOUND_SURNAMES) + "|(?<=[" + SURNAMES + "]))"
_GIVEN = "[" + GIVEN_CHARS + "]"


# Never a surname and a title (联系人：王小姐 is Ms Wang), nor a compound surname alone before a title
# (客户欧阳女士: its second character reads as a given name).
_NOT_TITLE = "(?!" + _TITLE_AFTER + ")"
# (Two-character titles only there: that lookahead starts inside the match, and the stream lets a lookahead
# read at most two characters past it.)
_TWO_CHAR_TITLES = "女士|先生|小姐|太太|老师|经理|总监|主任|医生|大夫|师傅|阿姨|叔叔|同学"
_NOT_COMPOUND_TITLE = "(?!" + "|".join(f"(?<={c[0]}){c[1]}(?:{_TWO_CHAR_TITLES})" for c in COMPOUND_SURNAMES) + ")"
# (Not before 人: 我是韩国人 is a nationality.)
_ZH_AFTER_CUE = ("[" + _FIRST + "]" + after_cue(_ZH_CUES, _FIRST) + _NOT_COMPOUND_TITLE + _SURNAME_REST + _NOT_TITLE
                 + _GIVEN + "{1,2}(?!人)")
# Typed or transcribed one character at a time (我叫 李 小 红, 我叫 张 三): one or two given characters, one space apart. Input
# only: on a reply stream its longer reach would hold more after every surname character.
_ZH_AFTER_CUE_SPACED = ("[" + _FIRST + "]" + after_cue(_ZH_CUES, _FIRST) + _SURNAME_REST + "(?: " + _GIVEN
                        + "){1,2}(?![" + CJK + "])")
# After a form label (姓名: 李建), any two or three Chinese characters up to the next non-Chinese one;
# after 姓 (我姓张，) the surname alone.
_FORM_CUES = [c + sep for c in ("姓名", "名字", "联系人", "收件人", "收货人", "寄件人", "户名", "开户名", "持卡人", "被保险人",
                                "被保人", "投保人", "受益人", "就诊人", "入住人", "申请人", "报案人", "签收人", "收款人", "户主",
                                "车主", "业主", "借款人", "缴费人", "监护人")
              for sep in (":", ": ")]
_ZH_FORM = ("[" + CJK + "]" + after_cue(_FORM_CUES, CJK) + _NOT_TITLE + "[" + CJK + "](?:" + _NOT_TITLE + "["
            + CJK + "])?(?![" + CJK + "])")
# After 姓 a character is a surname even when it is more often a function word elsewhere (我姓向, 姓于).
_SURNAME_ONLY_MORE = "和于向但都那由来时位门平国计全利可"
_ZH_SURNAME_ONLY = ("[" + _FIRST + _SURNAME_ONLY_MORE + "](?<=姓[" + _FIRST + _SURNAME_ONLY_MORE + "])(?:"
                    + _SURNAME_REST + ")?(?![" + CJK + "])")
# A surname character that ends a common word is not a name: 语文老师, 公司经理.
# 任 after 担/历/出/兼... is the verb "serve as" (历任经理), not the surname.
_IN_WORD = "(?<![语中英天人作日法德]文)(?<![公上]司)(?<!新闻)(?!(?<=班)主任)(?<![担历出兼现曾升继转就连留主调]任)"

# No cue word, but what follows says it is a person: 张伟的手机, 李娜 13812345678.
_OWNED = "的(?:手机|电话|号码|订单|账户|账号|地址|邮箱|身份证|银行卡|快递|包裹|护照|车牌)"
_MOBILE_NEXT = "[ ,:]{0,2}(?:\\+?86[ -]?)?1[3-9][0-9]{9}(?![0-9])"
# One pattern with the title form (one search instead of two): a full name before a title (王小明先生),
# what it owns or a mobile number. A surname alone before a title (吴女士, 任经理, 李总) identifies nobody
# and is not taken.
_ZH_BEFORE_TITLE_OR_CONTEXT = (
    "[" + _FIRST + "]" + _IN_WORD + _NOT_COMPOUND_TITLE + _SURNAME_REST + _GIVEN + "{1,2}(?=" + _TITLE_AFTER + "|"
    + _OWNED + "|"
    + _MOBILE_NEXT + ")"
)
# Its lookahead reads up to 17 characters past the name: the stream must hold them too, so they count
# in max_len and the alphabet.
_CONTEXT_LOOKAHEAD = 17

# English: a capitalised given name, optional middle names or initials, a surname (Mary Ann Smith,
# Andrew P. Harvey, O'Brien, McDonald, Smith-Jones).
# Lower-case letters with their marks too (Brandstätter, Håkansson): a name is never cut at one.
_LOW_MARKED = "ß-öø-ÿā-ž"
_TAIL = r"(?:[a-z" + _LOW_MARKED + r"]{1,11}|a?c[A-Z][a-z]{1,8}|'[A-Z][a-z]{1,8})"  # Smith, McDonald, O'Brien
_EN_NAME_REST = (_TAIL + r"(?: [A-Z]\.)?(?:[ -][A-ZÀ-ÖØ-Þ]" + _TAIL + r"){0,2}(?![A-Za-z" + _LOW_MARKED
                 + "À-ÖØ-Þ])")
_EN_CUE_WORDS = [
    "Mr", "Mrs", "Ms", "Miss", "Mx", "Dr", "Prof", "my name is", "my name's", "name is", "name's", "i am", "i'm",
    "this is", "name", "customer", "client", "cardholder", "dear", "contact", "contact person", "recipient",
    "regards", "sincerely", "signed", "attn", "passenger", "patient", "account holder", "applicant",
    "traveller", "traveler", "policyholder", "policy holder", "insured", "beneficiary",
]
_EN_CUES = [w + sep for w in _EN_CUE_WORDS for sep in (" ", ". ", ": ", ", ", ",\n", ":", "\n")]
# Greetings and sign-offs name someone too: `Hi John,`, `Best,\nSarah`.
_EN_CUES += [w + sep for w in ("hi", "hello", "hey") for sep in (" ", ", ")]
_EN_CUES += [w + sep for w in ("best", "thanks", "cheers", "best wishes", "kind regards") for sep in (", ", ",\n")]
_EN_CUES = [c for c in _EN_CUES if len(c) <= LOOKBEHIND]
# Chinese cues before an English name: 客户Harry Duarte, 收件人: John Hartman.

# No cue, but a first and last name owning something personal: `John Smith's phone`.
_EN_OWNED_REST = (  # after the first capital, as _EN_PERSON consumes it
    _TAIL + "(?: [A-Z]\\.)? [A-Z]" + _TAIL + "(?='s (?:phone|mobile|cell|number|order|account|email|"
    "address|card|passport|SSN|ID)(?![A-Za-z]))"
)
_EN_OWNED_LOOKAHEAD = 14
# One search for both English forms: after a cue, or owning something.
_EN_PERSON = (
    "[A-Z](?:(?:" + after_cue(_EN_CUES, "A-Z", ignore_case=True) + "|" + after_cue(_ZH_CUES, "A-Z") + ")"
    + _EN_NAME_REST + "|" + _EN_OWNED_REST + ")"
)

# Capitalised words that follow those cues without being a name.
_NOT_NAMES = frozenset(
    "Customer Customers Client Clients Sir Madam Team Support Service Services Valued User Users All Friend "
    "Friends The This That Order Orders Thanks Thank Happy Sorry Here Not Just Calling Writing Glad Fine "
    "Good Okay Ok Please Hello Hi Member Members Care Center Centre Account Manager Agent Staff Apple "
    "Google Microsoft Amazon Your Our My We Mr Mrs Ms Dr Best Kind Warm Regards Sincerely Dear Name "
    "Number Phone Email Address Card Bank Refund Payment Delivery Shipping Product Store Shop Online "
    "Premium Gold Silver VIP New Old Monday Tuesday Wednesday Thursday Friday Saturday Sunday January "
    "February March July September October November December China Chinese "
    "Beijing Shanghai Still Really Very Looking Interested Unable Trying Going Aware Sure World There "
    "Everyone Again Guys Folks Sorry Welcome Great Nice Again Time Off Back Done Home Out "
    # verbs that open a customer's turn after its label (`Customer: Cancel it`); census surnames too
    "Cancel Check Wait Call Send Ship Track Change Update Help Stop Reset Confirm Resend Deliver Open Close "
    "Return Replace Hold Book Pay Charge Transfer Add Remove Fix Keep Leave Let Give Get Tell Ask "
    # products and accounts after 用户 or 客户 (用户App版本)
    "App Apps Android Web Windows Mac Linux Admin Test Guest Version".split()
)


# A name's last word never names a firm, a team or a place (Regards, Marketing Dept; Best, Global Logistics).
_NOT_LAST = frozenset("dept department team logistics services service solutions systems group ltd limited inc "
                      "llc plc corp company co partners associates holdings trading consulting support road rd "
                      "street st avenue ave boulevard blvd drive way place plaza square parkway highway terrace "
                      "apartments building center centre tower station airport hotel university college school "
                      "hospital clinic museum theatre theater library mall restaurant cafe stadium arena".split())


def _en_name(value: str) -> bool:
    words = [w for w in value.replace("-", " ").split(" ") if not w.endswith(".")]
    if words[0] in _NOT_NAMES or words[-1] in _NOT_NAMES:
        return False
    if len(words) > 1 and words[-1].lower() in _NOT_LAST:
        return False
    if len(words) == 1:
        # One word after a speaker's label or a cue: an everyday word on neither census list opens the
        # turn (`Customer: Send it to me`, `Client: Check again`), not a name (`Customer: Grace`, `Mr Brown`).
        from ..ner.english import _INTERJECTIONS, dictionary, name_lists, proper_nouns

        low = words[0].lower()
        if low in _INTERJECTIONS:
            return False  # Customer: So I was..., Patient: Erm, Customer: Ma'am
        first, last = name_lists()
        return not (low in dictionary() and low not in proper_nouns() and low not in first and low not in last)
    return True


# ... and a speaker's answer after a label that is also a form's (寄件人：是的, 车主：不是).
_NOT_FORM_NAMES = frozenset("本人 同上 见上 如上 无 暂无 不详 未知 空 待定 是的 是啊 不是 对的 对啊 不对 好的 没有 没错 可以 "
                            "知道 明白 稍等 喂 您好 你好 谢谢 嗯嗯 对对 对对对 是是 是是是 好好 好嘞 好咧 行行 行的 嗯呢 哦哦 "
                            "对呀 是呀 好呀 收到 没问题 不用 不用了".split())


def _zh_form_name(value: str) -> bool:
    """What a form's name field holds, unless it names a place or a role (联系人：仓库, 收件人：前台) or nobody."""
    word = value.strip()
    return _zh_cued_name(word) and word not in _NOT_FORM_NAMES


def _zh_cued_name(value: str) -> bool:
    """A name after its cue, unless it is a role or a word that names nobody (请问是房东: the landlord)."""
    from ..ner.chinese import NOT_NAMES

    return value not in NOT_NAMES


_SURNAME_CHARS = frozenset(SURNAMES + "".join(c[0] for c in COMPOUND_SURNAMES))
_ZH_ALPHABET = CJK_CHARS | frozenset(": ")
_EN_ALPHABET = frozenset(LETTERS + " '-." + "".join(chr(c) for c in range(0xC0, 0x17F) if chr(c).isalpha()))

DETECTORS: list[PatternDetector] = [
    # Every match follows a cue (in its lookbehind), hence holds nearby the cue's first character.
    PatternDetector("PERSON", _ZH_AFTER_CUE, None, _ZH_ALPHABET, validate=_zh_cued_name, starts=_SURNAME_CHARS,
                    required={c[0] for c in _ZH_CUES} | {c[0] for c in _CUE_BEFORE.split("|")}),
    PatternDetector("PERSON", _ZH_FORM, None, _ZH_ALPHABET, validate=_zh_form_name, required=":"),
    PatternDetector("PERSON", _ZH_SURNAME_ONLY, None, _ZH_ALPHABET, required="姓", starts=_SURNAME_CHARS),
    PatternDetector("PERSON", _ZH_BEFORE_TITLE_OR_CONTEXT, 4 + _CONTEXT_LOOKAHEAD,
                    _ZH_ALPHABET | frozenset("0123456789 ,:+-"),
                    required={c[0] for c in _TITLE_AFTER.split("|")} | set("总的0123456789"),
                    starts=_SURNAME_CHARS),
    PatternDetector("PERSON", _EN_PERSON, 30 + _EN_OWNED_LOOKAHEAD, _EN_ALPHABET, validate=_en_name,
                    required=UPPER, starts=UPPER),
]

# A name spelled out letter by letter after a cue (transcripts: `my last name is spelled k o w a l s k i`,
# `surname: K-O-W-A-L-S-K-I`): four or more single letters, one space, hyphen or dot apart. After a
# name the rules found, the spelling joins it (redaction.extend).
_SPELL_CUES = [c + sep for c in ("spelled", "spelt", "spelling is", "spell it", "spelled as", "spelling",
                                 "last name is", "surname is", "first name is", "name is", "last name",
                                 "surname", "first name", "name's", "name")
               for sep in (" ", ": ", ", ", " - ") if len(c + sep) <= LOOKBEHIND]
# After a name's first letter, three to thirty more, each a space, hyphen or dot apart (redaction.ner.cued too).
SPELLED_LETTERS = r"(?:(?: |-|\. ?)[A-Za-z]){3,30}\.?"
_SPELLED = "[A-Za-z]" + after_cue(_SPELL_CUES, "A-Za-z", ignore_case=True) + SPELLED_LETTERS + "(?![A-Za-z0-9])"
ZH_SPACED_NAME = PatternDetector("PERSON", _ZH_AFTER_CUE_SPACED, None, _ZH_ALPHABET, starts=_SURNAME_CHARS,
                                 required=(" ",))
SPELLED_NAME = PatternDetector("PERSON", _SPELLED, None, frozenset(LETTERS + " -.,:'"), required=("pell", "PELL", "ame", "AME"))

# Run on input only, never on a reply stream (see README, Redaction): the form rule holds any Chinese
# text, the title/context rule any surname character for 22 characters, the English rule any capital, the
# spelled name any letter after a space, the spaced Chinese name more after a surname character.
# SPELLED_NAME and ZH_SPACED_NAME are not in DETECTORS: build_detectors adds them after it (EXTRA).
EXTRA: list[PatternDetector] = [SPELLED_NAME, ZH_SPACED_NAME]
INPUT_ONLY: list[PatternDetector] = [DETECTORS[1], DETECTORS[3], DETECTORS[4], *EXTRA]
