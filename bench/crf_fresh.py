"""The context layer (redaction/ner/crf.py) on text its model never saw.

The shipped model is trained on every tuning set, so its figures on them flatter it. Here a model is
trained the same way (bench.crf_train) without the newest round's sets (FRESH, written for round 8 by
helpers who never saw the code) and those sets are scored twice with `bench.helper_sets.score`: with the
rules and the other layers alone, and with the layer added.

It also rebuilds the shipped model from every tuning set and reports whether its bytes match
redaction.ner.crf.MODEL_SHA256 (`make test` checks only the training fingerprint, in seconds). About
four minutes (two trainings).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

from bench import crf_train
from bench.helper_sets import SETS, score

FRESH = ("tune8_chat", "tune8_transcript_zh", "tune8_transcript_en", "tune8_free")


def run() -> dict:
    from redaction import DEFAULT_DETECTORS, Redactor, load_layers
    from redaction.ner.crf import MODEL_SHA256, CrfValues

    layers = load_layers()
    base = tuple(layer for layer in layers if not isinstance(layer, CrfValues))
    with tempfile.TemporaryDirectory() as folder:
        model = Path(folder) / "fresh.model"
        lines = crf_train.train(model, tuple(s for s in crf_train.TRAIN if s not in FRESH))
        fresh = CrfValues(base[1], path=model, check=False)
        without = Redactor(DEFAULT_DETECTORS, base)
        with_layer = Redactor(DEFAULT_DETECTORS, base + (fresh,))
        rebuilt = Path(folder) / "rebuilt.model"
        crf_train.train(rebuilt, crf_train.TRAIN)
        out: dict = {"trained_lines": lines, "sets": {},
                     "rebuilt_identical": hashlib.sha256(rebuilt.read_bytes()).hexdigest() == MODEL_SHA256}
        for name in FRESH:
            path = SETS / f"{name}.jsonl"
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            out["sets"][name] = (score(rows, without.find_spans), score(rows, with_layer.find_spans))
    return out


def report(r: dict) -> str:
    lines = ["## The context layer on sets its model never saw", "",
             f"`bench/crf_fresh.py`: a model trained like the shipped one on {r['trained_lines']} lines, without "
             "round 8's tuning sets; those sets scored with the rules and the other layers alone, then with the "
             "layer. Recall and leaked as in the helper-set table; PII-free lines flagged: any span.", "",
             "| set | recall without → with | leaked without → with | stray spans without → with | PII-free lines flagged without → with |",
             "|---|---|---|---|---|"]
    for name, (a, b) in r["sets"].items():
        rec = f"{a['recall']:.3f} → {b['recall']:.3f}" if a["values"] else "-"
        leak = f"{a['leaked']:.1%} → {b['leaked']:.1%}" if a["values"] else "-"
        lines.append(f"| {name} | {rec} | {leak} | {a['stray']} → {b['stray']} | "
                     f"{a['free_flagged']} → {b['free_flagged']} of {a['free']} |")
    lines += ["", "The shipped model rebuilt from every tuning set (`python -m bench.crf_train`): "
              + ("**identical bytes** (its sha256 is `MODEL_SHA256`)." if r["rebuilt_identical"] else
                 "**different bytes**: the shipped model is not what the trainer makes from the sets today."), ""]
    return "\n".join(lines)


def main() -> None:
    print(report(run()))


if __name__ == "__main__":
    main()
