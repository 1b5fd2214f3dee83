"""Chinese names without a cue (LAC PER, filtered in redaction.ner.chinese): our own example rows."""

from __future__ import annotations

import pytest

from redaction import find_spans


def names(text: str) -> list[str]:
    return [text[s.start:s.end] for s in find_spans(text) if s.label == "PERSON"]


@pytest.mark.parametrize("text,expected", [
    # a transliterated name joined by a middle dot, longer than six characters
    ("董事会邀请了亚历山大·彼得罗维奇出席", ["亚历山大·彼得罗维奇"]),
    ("小说作者克里斯托弗·安德森昨天到访", ["克里斯托弗·安德森"]),
])
def test_dotted_foreign_names(text, expected):
    assert names(text) == expected


@pytest.mark.parametrize("text", [
    "他说江总书记的讲话很重要",  # 总 and 书记 both cut: a surname alone is left
    "据说赵氏在当地很有名",  # a clan (X氏), not a person
    "本报罗马4月2日电 会议今天开幕",  # a dateline's city
])
def test_not_names(text):
    assert names(text) == []


@pytest.mark.parametrize("text", [
    "谈判桌上美方向巴方提出新的条件",  # X方: a country's side in a talk
    "协议要求以方向巴方交还土地",
    "吴吴吴开启了假期模式",  # one character three times: a nickname, not a full name
    "今天是林林林开启学霸模式的日子",
])
def test_sides_and_reduplications_not_names(text):
    assert names(text) == []


class _StubTagger:
    """Gives fixed PER words (start, end, margin), so a filter rule is tested without the model's say."""

    def __init__(self, words):
        self.words = words

    def persons(self, text):
        return [(text.index(w), text.index(w) + len(w), m) for w, m in self.words]


@pytest.mark.parametrize("text,word,kept", [
    ("奥克兰多红军攻下了城堡", "奥克兰多红", False),  # followed by 军: a force's name
    ("他们去了维拉克罗州旅游", "维拉克罗", False),  # followed by 州: a place
    ("贝罗内队昨晚赢了比赛", "贝罗内", False),  # followed by 队: a team
    ("王大明军长亲自视察了部队", "王大明", True),  # 军长: a title, the name is kept
    ("李建华州长宣布了新规", "李建华", True),
    ("陈方，男，今年三十岁", "陈方", True),  # 方 after a surname: a name
])
def test_place_or_force_after_word(text, word, kept):
    from redaction.ner.chinese import ChineseNames

    found = [text[s:e] for s, e, _, _ in ChineseNames(_StubTagger([(word, 6.0)])).find(text)]
    assert found == ([word] if kept else [])
