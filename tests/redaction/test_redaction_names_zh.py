"""Chinese names without a cue (LAC PER, filtered in redaction.ner.chinese): our own example rows."""

from __future__ import annotations

import pytest

from tests.support.redaction import names


@pytest.mark.parametrize("text,expected", [
    # a transliterated name joined by a middle dot, longer than six characters
    ("董事会邀请了亚历山大·彼得罗维奇出席", ["亚历山大·彼得罗维奇"]),
    ("小说作者克里斯托弗·安德森昨天到访", ["克里斯托弗·安德森"]),
    # a full name after an agent's role is a name (an alias such as 客服小美 is not)
    ("他助理叶晓彤也一直没消息", ["叶晓彤"]),
    # a form's field for the insured, the payee, the owner
    ("理赔登记｜案件号：CL2025051700358｜被保险人：上官宁｜出险地点：揭阳", ["上官宁"]),
    ("车主：栾大伟，车型轩逸", ["栾大伟"]),
    # round 11: the parties a loan or a policy names, with no colon; 川 as a given name's character
    ("借款人印小川逾期47天，合同号HT-202", ["印小川"]),
    ("投保人王小明已缴费", ["王小明"]),
    ("借款人数量比去年增加", []),
    ("他们下周去四川出差", []),
])
def test_dotted_foreign_names(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "他说江总书记的讲话很重要",  # 总 and 书记 both cut: a surname alone is left
    "据说赵氏在当地很有名",  # a clan (X氏), not a person
    "本报罗马4月2日电 会议今天开幕",  # a dateline's city
    "联系人：黄小姐，电话稍后发您",  # a surname and a title after a cue (Ms Huang) names nobody
    "收件人 陈小姐",
    "客户欧阳女士来电",  # a compound surname alone before a title
    # Cantonese: function characters (搵, 佢, 唔), 张 as a measure word, 生/太 after a surname (Mr, Mrs)
    "電話係六三九八 二七一五，搵陳生就得，佢下晝先喺度。",
    "我想報失張八達通，唔係，係信用卡",
    "麻煩send張收據畀我",
    "陳生你好，你嘅個案已經轉交上級處理",
    # a brand named after a person; a department in a form's name field
    "我上周买的李宁跑鞋尺码不对",
    "退货联系人：仓库",
    "户主：空",
    # round 5: brands and characters that read as names; 話 (says) after 陳生 or 李太
    "王致和腐乳买一送一吗", "钟薛高雪糕化了", "我家猫吃了麦富迪之后吐了", "潘婷洗发水有没有小瓶装",
    "小杨生煎的券能在机场店用吗", "孙悟空款盲盒是隐藏款吗",
    "陳生話部機仲喺保養期", "李太話想去分行開通網上理財",
    # speakers labelled by their role or by a title; a reply after a label that is also a form's; a firm
    "房东：押金退到哪张卡？\n租客：招行的", "黄大爷：我在村口等\n师傅：好的", "快递员：喂\n寄件人：是的",
    "坐席：车牌对吗？\n车主：不是，是F", "客服：是二零二二款，对吧？\n车主：对对。", "物业：可以刷卡\n业主：好嘞", "户名是宁波远景贸易有限公司", "我在诸葛烤鱼点的外卖少了米饭",
    "请问是房东吗？", "小区名字叫阳光花园，在高新区", "他叫车了，马上到", "客服：请问怎么称呼？\n客户：好的谢谢",
    # round 10: a number said in numerals; Cantonese 啱啱 (just now); a surname before 醫師 or 教练
    "用户：你们电话打不通，九五五八八一直占线。", "A：李生啱啱打嚟話遲到半個鐘。", "病人家屬：下週三上午，掛林醫師的門診。",
    "spin class 由李教练代课", "这周的课是王教练带",
])
def test_not_names(text):
    assert names(text) == []


@pytest.mark.parametrize("text,expected", [
    # a surname with 某 or 老, as news and court reports name people
    ("法院查明，梁某与郭某于去年登记结婚", ["梁某", "郭某"]),
    # a speaker's turn opening the text or a line
    ("姜山：这场比赛的关键在中场", ["姜山"]),
    ("主持人开场。\n王诚：各位来宾大家好", ["王诚"]),
    # a mention that is a name
    ("转发微博 //@王人平:好主意", ["王人平"]),
    # what a customer asks to be called: a given name or a pet name, said again later
    ("用户：叫我思彤就行\n客服：好的思彤，工单已经提交", ["思彤", "思彤"]),
    ("客户：我叫贝贝就好", ["贝贝"]),
    # the whole next turn after a name question; the full name said after the surname; 他叫, 患者叫, 名字写
    ("坐席：登记人姓名？\n来电人：仝嘉怡。\n坐席：好的", ["仝嘉怡"]),
    ("客户：那个师傅姓裘，裘建国\n客服：好的", ["裘", "裘建国"]),
    ("家属：患者叫祁秀英，我是她儿子", ["祁秀英"]),
    ("对，收件人名字写伍梓涵", ["伍梓涵"]),
])
def test_names_by_form(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text,expected", [
    # a caller describing the characters of a name right after it: taken with the name
    ("我叫张伟，弓长张，伟大的伟", ["张伟，弓长张，伟大的伟"]),
    ("客户：我姓陈，耳东陈，单名一个晨字", ["陈，耳东陈，单名一个晨字"]),
    ("我叫王芳，三横王，芬芳的芳，谢谢", ["王芳，三横王，芬芳的芳"]),
    # not a description: a word after the name, or a phrase that spells none of its characters
    ("我叫张伟，今天的事情", ["张伟"]),
    ("王芳，好的好的", ["王芳"]),
    # a character of the cue before the name is not one of the name's (`電話係` spells no 係 of the name)
    ("我係陳大文，電話係9876 5432", ["陳大文"]),
    ("我是刘晓东，地址是", ["刘晓东"]),
    # a description after a second mention spells a character of the first
    ("我是李明，木子李，明天的明", ["李明", "木子李，明天的明"]),
    # typed one character at a time, a compound surname and one given character
    ("客户：我叫 欧阳 娜", ["欧阳 娜"]),
    ("我叫 王 你好", []),
])
def test_names_described_character_by_character(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "方法：先登录再下单",  # a field label opening a line is no speaker
    "@客服小美 请帮我查一下",  # an agent's alias
    "某某公司的老总来了",
    # what to be called that is an alias, a title, or no name at all
    "叫我小张就好", "叫我王先生就行", "叫我老师就行", "你叫我怎么办就好了",
    "客户：对，艾克斯",  # the letter X said in Chinese
    "客户：我是韩国人，用护照可以吗",  # a nationality after 我是
])
def test_forms_that_are_not_names(text):
    assert names(text) == []


@pytest.mark.parametrize("text,expected", [
    # Latin-script names in Chinese text: glued first name and surname, a Latin word after a role
    ("就像电影里的KelseyGrammer一样", ["KelseyGrammer"]),
    ("前魔兽著名选手Moon夺得亚军", ["Moon"]),
    ("领队RURU透露了新包装", ["RURU"]),
])
def test_latin_names_in_chinese_text(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "用户iPhone无法开机",  # a product after a role word
    "主持人SPL的比赛",  # an acronym
    "我们用PowerPoint做报告",  # a glued product name: no first name first
    "请问MacBook Air现在多少钱",  # a first name and a surname that are also words: a product
    "用户admin登录失败",
])
def test_latin_words_in_chinese_text_that_are_not_names(text):
    assert names(text) == []


@pytest.mark.parametrize("text,expected", [
    # a name the model cut by one character, made whole at the line's end or after 名
    ("收件人卜佳音\n客户：对", ["卜佳音"]),
    ("SSN 409-20-7690，中文名马诗涵，她是 F-1 student", ["马诗涵"]),
    # ... and never over a particle, a verb or a title after it
    ("张伟说明天再来", ["张伟"]),
    ("我同事王小明先生", ["王小明"]),
])
def test_a_chinese_name_cut_short_is_made_whole(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text,expected", [
    # the answer to a name question, whatever its given name's characters
    ("护士：丈夫姓名\n孕妇：汤国梁", ["汤国梁"]),
    # ... never a title or a reply
    ("客服：请问怎么称呼\n客户：王先生", []),
    ("客服：您贵姓\n客户：李经理", []),
    ("客服：请问怎么称呼\n客户：好的", []),
])
def test_a_chinese_name_answered_on_the_next_turn(text, expected):
    assert names(text) == expected
