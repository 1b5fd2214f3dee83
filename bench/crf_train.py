"""Train the context model (redaction/ner/crf.py) on the tuning sets of bench/helper_sets.

    python -m bench.crf_train                       # writes redaction/data/values_crf.model
    python -m bench.crf_train --out F --without tune6_chat,tune6_transcript_en

Only the `tune*` sets (less NOT_TRAINED) and round 1's sets (read line by line since round 2) are used; never a held-out
`check*` set, never ../shared/data. Training is deterministic: the same sets give the same bytes, whose
sha256 redaction.ner.crf.MODEL_SHA256 records. About two minutes on 2 cores.

What the model was trained on is fingerprinted too: TRAINING_SHA256 is the sha256 of every line's
features and tags, as the trainer makes them, and of PARAMS. A test computes it again in seconds, so a
change to the sets or to the features that is not followed by retraining fails `make test`; `make bench`
rebuilds the model itself and reports whether its bytes match MODEL_SHA256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from redaction.ner.crf import MODEL, Features, tokens
from redaction.ner.english import EnglishNames
from redaction.normalise import input_view

from .helper_sets import ORDER, SETS, _gold

# Round 10's sets (tune9_*) were read line by line for the rules but are not trained on: a model retrained
# with them lost recall on eight of the older tuning sets (gained on two) and flagged words the shipped one
# leaves (`Les Miserables`, `code QX9 9ZZ`), so they stay text the model never saw, and the helper-set
# table shows it on them.
NOT_TRAINED = ("tune9_chat", "tune9_transcript_zh", "tune9_transcript_en", "tune9_free")
TRAIN = tuple(name for name in ORDER if not name.startswith("check") and name not in NOT_TRAINED)
PARAMS = {"c1": 0.1, "c2": 0.05, "max_iterations": 150, "feature.possible_transitions": True}
# fingerprint() of the sets and features the shipped model was trained on; printed by main().
TRAINING_SHA256 = "298ee13d5bd3e6e552d51006c5111111416e7973fbdcb5eed35578c3e970c966"


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


def sequences(names: tuple[str, ...] = TRAIN, features: Features | None = None):
    """Every training line of the sets `names` as (features, tags), in training order."""
    features = Features(EnglishNames()) if features is None else features
    for name in names:
        if name.startswith("check"):
            raise ValueError("held-out sets are never trained on")
        for line in (SETS / f"{name}.jsonl").read_text(encoding="utf-8").splitlines():
            seq = sequence(json.loads(line), features)
            if seq is not None:
                yield seq


def fingerprint(names: tuple[str, ...] = TRAIN, params: dict | None = None) -> str:
    """sha256 of what training on `names` with `params` (PARAMS) would read: every sequence, in order."""
    digest = hashlib.sha256(json.dumps(PARAMS if params is None else params, sort_keys=True).encode())
    for feats, tags in sequences(names):
        digest.update(json.dumps([feats, tags], ensure_ascii=False).encode("utf-8"))
    return digest.hexdigest()


def train(out: Path, names: tuple[str, ...] = TRAIN, features: Features | None = None,
          params: dict | None = None) -> int:
    """Train on the sets `names` with `params` (PARAMS), write the model to `out`; the number of lines."""
    import pycrfsuite

    trainer = pycrfsuite.Trainer(verbose=False)
    count = 0
    for feats, tags in sequences(names, features):
        trainer.append(feats, tags)
        count += 1
    trainer.set_params(PARAMS if params is None else params)
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
    names = tuple(s for s in TRAIN if s not in left)
    n = train(args.out, names)
    print(f"trained on {n} lines -> {args.out}")
    print(f"model sha256 {hashlib.sha256(args.out.read_bytes()).hexdigest()}  (redaction.ner.crf.MODEL_SHA256)")
    print(f"training sha256 {fingerprint(names)}  (bench.crf_train.TRAINING_SHA256)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
