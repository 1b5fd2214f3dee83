"""Train the context model (redaction/ner/crf.py) on the tuning sets of bench/helper_sets.

    python -m bench.crf_train                       # writes redaction/data/values_crf.model
    python -m bench.crf_train --out F --without tune6_chat,tune6_transcript_en

Only the `tune*` sets and round 1's sets (read line by line since round 2) are used; never a held-out
`check*` set, never ../shared/data. Training is deterministic: the same sets give the same bytes, whose
sha256 redaction.ner.crf.MODEL_SHA256 records. About a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from redaction.ner.crf import MODEL, Features, tokens
from redaction.ner.english import EnglishNames
from redaction.normalise import input_view

from .helper_sets import ORDER, SETS, _gold

TRAIN = tuple(name for name in ORDER if not name.startswith("check"))
PARAMS = {"c1": 0.1, "c2": 0.05, "max_iterations": 150, "feature.possible_transitions": True}


def sequence(row: dict, features: Features) -> tuple[list[list[str]], list[str]] | None:
    """(features, BIO tags) of one labelled line, on the input side's view of it (what the layer sees: Chinese
    numerals read as digits...); None for a line with no token."""
    text = row["text"]
    norm = input_view(text)
    toks = tokens(norm.text)
    if not toks:
        return None
    tags = ["O"] * len(toks)
    # Longer values first: a value inside another (京N in 京N8K2741) keeps the outer one's label.
    for start, end, label in sorted(_gold(row), key=lambda g: g[0] - g[1]):
        first = True
        for i, (a, b, _) in enumerate(toks):
            if tags[i] == "O" and start <= norm.start(a) and norm.end(b) <= end:
                tags[i] = ("B-" if first else "I-") + label
                first = False
            elif not first and norm.start(a) >= end:
                break
    return features.of(norm.text, toks), tags


def train(out: Path, names: tuple[str, ...] = TRAIN, features: Features | None = None) -> int:
    """Train on the sets `names`, write the model to `out`; the number of lines trained on."""
    import pycrfsuite

    features = Features(EnglishNames()) if features is None else features
    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for name in names:
        if name.startswith("check"):
            raise ValueError("held-out sets are never trained on")
        for line in (SETS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            seq = sequence(json.loads(line), features)
            if seq is not None:
                trainer.append(*seq)
                count += 1
    trainer.set_params(PARAMS)
    trainer.train(str(out))
    return count


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.crf_train", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, default=MODEL)
    parser.add_argument("--without", default="", help="comma-separated sets to leave out")
    args = parser.parse_args(argv)
    left = {s for s in args.without.split(",") if s}
    unknown = left - set(TRAIN)
    if unknown:
        parser.error("not a tuning set: " + ", ".join(sorted(unknown)))
    n = train(args.out, tuple(s for s in TRAIN if s not in left))
    print(f"trained on {n} lines -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
