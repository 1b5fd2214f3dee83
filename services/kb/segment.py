"""Words for the keyword index, the same for documents and questions, in Chinese and English.

SQLite FTS5's own tokenizers cannot find Chinese words (unicode61 takes a run of Chinese as one token;
the trigram tokenizer misses two-character words such as 退款), so text is segmented here and stored
space-joined: Chinese runs by jieba's search mode (a long word and the words inside it: 多长时间 gives
多长, 时间, 长时间, 多长时间), English words lower-cased and stemmed by Snowball (refunds, refunded →
refund), digits kept. Character pairs of each Chinese run are kept apart (`grams`), so a word jieba
splits differently in a question and in a document still meets its match.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
import unicodedata
from dataclasses import dataclass

import jieba
import snowballstemmer

__all__ = ["Segmented", "segment", "index_row", "query_terms", "english_terms", "key_pairs", "pairs", "STOPWORDS",
           "warm_up"]

jieba.setLogLevel(logging.WARNING)
_lock = threading.Lock()
_ready = False
_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:['’][a-z]+)?")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_stemmer = snowballstemmer.stemmer("english")

# Words that carry no topic in a question (asked in any form): left out of queries, never of the index.
STOPWORDS = frozenset("""
a an the and or but if of to in on at by for from with about as into over under is are was were be been
being am do does did doing have has had having i me my we our us you your he she it its they them their
this that these those there here what which who whom whose when where why how can could would should
will shall may might must not no nor so than too very just also any some all each every much many more
most other such only own same s t don't doesn't isn't can't won't please tell know want need get got
let hi hello thanks thank okay ok
的 了 是 吗 呢 吧 啊 呀 么 嘛 我 你 您 他 她 它 我们 你们 他们 这 那 这个 那个 哪 哪个 哪些 什么 怎么 怎样
怎么样 如何 为什么 多少 几 能 能否 可以 可不可以 会 要 需要 想 请问 请 一下 和 与 及 或 或者 在 有 没有 没 就 都
也 还 又 把 被 给 让 对 从 到 吗 不 是否 一个 个 些 上 下 中 里 时 时候 呀 哦 嗯 谢谢 你好 您好 好
多久 多长 多长时间 几天 几个 哪里 哪儿 怎么办 能不能 是不是 有没有 可不可以 吗 呢 啥 咋 咋办
""".split())
# A number of days is written 七日/15日 in policies and 七天/15天 when people ask: one form for both.
_DAYS = re.compile(r"([0-9０-９一二三四五六七八九十两百]+)天")
_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_]*_\d+\]")  # a redacted value says nothing about the topic


@dataclass(frozen=True)
class Segmented:
    """Space-joined index words and Chinese character pairs of one text."""

    words: str
    grams: str


@functools.lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """Snowball's English stem (pure Python, some 30 µs a word: words repeat, so they are kept)."""
    return _stemmer.stemWord(word)


def warm_up() -> None:
    """Load jieba's dictionary now (about 0.7 s once per process) rather than on the first search."""
    global _ready
    with _lock:
        if not _ready:
            jieba.initialize()
            _ready = True


def _clean(text: str) -> str:
    return _DAYS.sub(r"\1日", unicodedata.normalize("NFKC", _PLACEHOLDER.sub(" ", text)))


def _abbreviations(run: str) -> list[str]:
    """The short forms of a run of Chinese characters' words (module docstring)."""
    words = [w if w not in STOPWORDS else "" for w in jieba.cut(run) if w.strip()]
    out = [w[0] + w[2] for w in words if len(w) in (3, 4)]
    out += [a[0] + b[0] for a, b in zip(words, words[1:]) if len(a) > 1 and len(b) > 1]
    return out


def _words(text: str) -> list[str]:
    warm_up()
    out: list[str] = []
    for match in _RUN.finditer(_clean(text).lower()):
        run = match.group(0)
        if _CJK.match(run):
            out += [w for w in jieba.cut_for_search(run) if w.strip()]
            out += _abbreviations(run)
        else:
            out.append(_stem(run.replace("’", "'")))
    return out


def _grams(text: str) -> list[str]:
    out: list[str] = []
    for run in re.findall(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}", _clean(text)):
        out += [run[i:i + 2] for i in range(len(run) - 1)]
    return out


def segment(text: str) -> Segmented:
    """The index form of a document's text."""
    return Segmented(" ".join(_words(text)), " ".join(_grams(text)))


def index_row(title_words: str, headings: tuple[str | None, ...], text: str, collection_id: int) -> tuple[str, str, str, str, str]:
    """A passage's keyword-index columns: title (its document's, segmented once per document by the
    caller: `segment(title).words`), heading path, body, Chinese pairs, collection token."""
    heads = segment(" ".join(h for h in headings if h))
    body = segment(text)
    return (title_words, heads.words, body.words, " ".join(filter(None, (heads.grams, body.grams))),
            f"c{collection_id}")


def query_terms(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(words, Chinese character pairs) of a question to match with, without stopwords, each once."""
    words = [w for w in _words(text) if w not in STOPWORDS and not (len(w) == 1 and _CJK.match(w))]
    grams = [g for g in _grams(text) if g not in STOPWORDS and not all(c in STOPWORDS for c in g)]
    return tuple(dict.fromkeys(words)), tuple(dict.fromkeys(grams))


def english_terms(text: str) -> list[str]:
    """The index forms (Snowball stems) of an English text's words, stopwords left out, in order."""
    return [_stem(w) for w in re.findall(r"[a-z]+(?:'[a-z]+)?", text.lower()) if w not in STOPWORDS]


def key_pairs(text: str) -> tuple[str, ...]:
    """The Chinese character pairs that say what a question is about (for the answerability score).

    Pairs are taken inside the question's words (jieba's accurate mode) and inside runs of single
    characters it could not join (a word its dictionary lacks, such as a product name), never across
    two words: 产假有多少天 gives 产假, not 假有 or 少天."""
    grams: list[str] = []
    for run in _CJK_RUN.findall(_clean(text)):
        pieces = [w for w in jieba.cut(run) if w.strip()]
        singles: list[str] = []
        for piece in [*pieces, ""]:
            if len(piece) == 1 and piece not in STOPWORDS:
                singles.append(piece)
                continue
            if len(singles) > 1:
                grams += _grams("".join(singles))
            singles = []
            if len(piece) > 1 and piece not in STOPWORDS:
                grams += _grams(piece)
    return tuple(dict.fromkeys(g for g in grams if g not in STOPWORDS))


def pairs(word: str) -> tuple[str, ...]:
    """The Chinese character pairs of a word (none for a word without two Chinese characters in a row)."""
    return tuple(_grams(word))
