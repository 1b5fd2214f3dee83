"""Real agent replies (`../shared/data/replies/replies.jsonl`, public dialogue sets) cut into LLM-like
tokens, for the fake engine to stream when a benchmark asks it to.

Tokens as the shared `holdback_stats.py` cuts them: English, a word with its leading whitespace
(punctuation attached); Chinese, 1 or 2 characters, drawn from a random generator seeded per reply.
The reply for a request is picked by the number after the first `#` of its last user message (a
ticket number, which redaction leaves alone, so the engine picks the same reply whether it was sent
the message or its redacted form), else by a hash of the message.
"""

from __future__ import annotations

import json
import random
import re
import zlib
from functools import lru_cache
from pathlib import Path

__all__ = ["load", "reply_for"]

_SEED = 1234
_KEY = re.compile(r"#(\d{1,9})")


def _tokens_en(text: str) -> list[str]:
    toks = re.findall(r"\s*\S+", text)
    rest = text[len("".join(toks)):]
    if rest:
        toks = [*toks[:-1], toks[-1] + rest] if toks else [rest]
    return toks


def _tokens_zh(text: str, key: str) -> list[str]:
    rng = random.Random(f"{_SEED}:{key}")
    toks, i = [], 0
    while i < len(text):
        n = rng.choice((1, 2))
        toks.append(text[i:i + n])
        i += n
    return toks


@lru_cache(maxsize=4)
def load(path: str) -> tuple[tuple[str, ...], ...]:
    """Every reply of the file, as its tokens."""
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines()):
        if line.strip():
            row = json.loads(line)
            text = row["text"]
            toks = _tokens_zh(text, str(n)) if row.get("lang") == "zh" else _tokens_en(text)
            if toks:
                out.append(tuple(toks))
    if not out:
        raise ValueError("no replies in the file")
    return tuple(out)


def reply_for(path: str, message: str, tokens: int = 0) -> list[str]:
    """The reply to `message`: one real reply (tokens = 0), or replies following it, joined by a
    space, cut to exactly `tokens` tokens."""
    replies = load(path)
    key = _KEY.search(message)
    i = (int(key.group(1)) if key else zlib.crc32(message.encode("utf-8"))) % len(replies)
    out = list(replies[i])
    while tokens and len(out) < tokens:
        i = (i + 1) % len(replies)
        nxt = list(replies[i])
        out += [" " + nxt[0].lstrip(), *nxt[1:]] if nxt[0][:1] not in " \n" else nxt
    return out[:tokens] if tokens else out
