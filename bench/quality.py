"""PII detection quality: precision, recall and leaks of the redaction detectors on the labelled synthetic
chat of bench.pii_data (dev split through the Python API, holdout split through `python -m redaction spans`).

Matching rules (overlap, not exact boundaries):

- A predicted span and a gold span *match* when they overlap (share at least one character).
- Per label: TP = gold spans of that label overlapped by a predicted span of the same label;
  recall = TP / gold spans of that label; precision = predicted spans of that label that overlap a gold
  span of the same label / predicted spans of that label; F1 = 2PR / (P + R).
- Any label: the same, ignoring labels (a phone number found as a bank card still counts: it is hidden).
- Leaked characters = gold PII characters covered by no predicted span (of any label) / all gold PII
  characters.
- PII-free flagged = PII-free messages with at least one predicted span / PII-free messages.

A precision with no predicted spans is undefined (None, shown as "n/a").
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Callable, Iterable, Sequence

from bench.pii_data import LABELS, Sample, samples

ROOT = Path(__file__).resolve().parents[1]
SEED = 20261122
MAX_ERRORS = 15
TARGETS = {"recall": 0.98, "precision": 0.98, "pii_free_flagged": 0.02}

Triple = tuple[int, int, str]


def _overlaps(a: Triple, b: Triple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def _f1(p: float | None, r: float | None) -> float | None:
    if r is None:  # no gold spans of the label
        return None
    if p is None:  # nothing predicted: recall is 0
        return 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


def _as_triples(spans: Iterable) -> list[Triple]:
    return [(int(s.start), int(s.end), str(s.label)) for s in spans]


def _errors_of(sample: Sample, preds: Sequence[Triple]) -> list[dict]:
    """False negatives (gold not overlapped by a same-label prediction) and false positives (prediction
    overlapping no same-label gold) of one sample."""
    out = []
    text = sample.text
    for g in sample.spans:
        if not any(p[2] == g[2] and _overlaps(p, g) for p in preds):
            other = [p[2] for p in preds if _overlaps(p, g)]
            out.append({"kind": "FN", "label": g[2], "value": text[g[0]:g[1]],
                        "found_as": other[0] if other else None, "text": text})
    for p in preds:
        if not any(g[2] == p[2] and _overlaps(p, g) for g in sample.spans):
            gold = [g[2] for g in sample.spans if _overlaps(p, g)]
            out.append({"kind": "FP", "label": p[2], "value": text[p[0]:p[1]],
                        "gold": gold[0] if gold else None, "text": text})
    return out


def _diverse(errors: list[dict], limit: int) -> list[dict]:
    """Up to `limit` errors, round-robin over (kind, label) so that one noisy label does not hide the rest."""
    buckets: dict[tuple, list[dict]] = {}
    for e in errors:
        buckets.setdefault((e["kind"], e["label"]), []).append(e)
    order = sorted(buckets, key=lambda k: (-len(buckets[k]), k))
    out: list[dict] = []
    depth = 0
    while len(out) < limit and any(depth < len(buckets[k]) for k in order):
        for k in order:
            if depth < len(buckets[k]) and len(out) < limit:
                out.append(buckets[k][depth])
        depth += 1
    return out


def _score(data: Sequence[Sample], predictions: Sequence[Sequence[Triple]], max_errors: int) -> dict:
    labels = list(LABELS) + sorted({p[2] for preds in predictions for p in preds} - set(LABELS))
    gold_n = dict.fromkeys(labels, 0)
    tp = dict.fromkeys(labels, 0)
    pred_n = dict.fromkeys(labels, 0)
    pred_ok = dict.fromkeys(labels, 0)
    any_gold = any_tp = any_pred = any_pred_ok = 0
    pii_chars = leaked_chars = 0
    free_n = free_flagged = 0
    errors: list[dict] = []
    for sample, preds in zip(data, predictions, strict=True):
        gold = sample.spans
        if not gold:
            free_n += 1
            free_flagged += bool(preds)
        for g in gold:
            gold_n[g[2]] += 1
            any_gold += 1
            hits = [p for p in preds if _overlaps(p, g)]
            tp[g[2]] += any(p[2] == g[2] for p in hits)
            any_tp += bool(hits)
            covered = set()
            for p in hits:
                covered.update(range(max(p[0], g[0]), min(p[1], g[1])))
            pii_chars += g[1] - g[0]
            leaked_chars += g[1] - g[0] - len(covered)
        for p in preds:
            pred_n[p[2]] += 1
            any_pred += 1
            hits = [g for g in gold if _overlaps(p, g)]
            pred_ok[p[2]] += any(g[2] == p[2] for g in hits)
            any_pred_ok += bool(hits)
        errors.extend(_errors_of(sample, preds))
    per_label = {}
    for label in labels:
        if not gold_n[label] and not pred_n[label]:
            continue
        p, r = _ratio(pred_ok[label], pred_n[label]), _ratio(tp[label], gold_n[label])
        per_label[label] = {"gold": gold_n[label], "tp": tp[label], "predicted": pred_n[label],
                            "predicted_ok": pred_ok[label], "precision": p, "recall": r, "f1": _f1(p, r)}
    p, r = _ratio(any_pred_ok, any_pred), _ratio(any_tp, any_gold)
    return {
        "samples": len(data),
        "pii_free": free_n,
        "per_label": per_label,
        "any": {"gold": any_gold, "tp": any_tp, "predicted": any_pred, "predicted_ok": any_pred_ok,
                "precision": p, "recall": r, "f1": _f1(p, r)},
        "pii_chars": pii_chars,
        "leaked_chars": leaked_chars,
        "leaked_share": _ratio(leaked_chars, pii_chars),
        "pii_free_flagged": free_flagged,
        "pii_free_flagged_share": _ratio(free_flagged, free_n),
        "error_count": len(errors),
        "errors": _diverse(errors, max_errors),
    }


def score(samples: Sequence[Sample], find_spans: Callable[[str], Iterable], *, max_errors: int = MAX_ERRORS) -> dict:
    """Score `find_spans(text)` (objects with .start .end .label) against the gold spans of samples."""
    data = list(samples)
    return _score(data, [_as_triples(find_spans(s.text)) for s in data], max_errors)


def cli_spans(texts: Sequence[str]) -> list[list[Triple]]:
    """Spans for each text from ONE `python -m redaction spans` process (one JSON line in, one out)."""
    payload = "".join(json.dumps({"text": t}) + "\n" for t in texts).encode("utf-8")
    proc = subprocess.run([sys.executable, "-m", "redaction", "spans"], input=payload, cwd=ROOT,
                          capture_output=True, check=False, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"`python -m redaction spans` exited with {proc.returncode}: "
                           f"{proc.stderr.decode('utf-8', 'replace')[-2000:]}")
    lines = proc.stdout.decode("utf-8").splitlines()
    if len(lines) != len(texts):
        raise RuntimeError(f"`python -m redaction spans` answered {len(lines)} lines for {len(texts)} texts")
    out = []
    for i, line in enumerate(lines):
        obj = json.loads(line)
        if "spans" not in obj:
            raise RuntimeError(f"`python -m redaction spans` answered {line!r} for sample {i}")
        out.append([(int(s["start"]), int(s["end"]), str(s["label"])) for s in obj["spans"]])
    return out


def score_cli(samples: Sequence[Sample], *, max_errors: int = MAX_ERRORS) -> dict:
    """Like score(), with the spans read from the `python -m redaction spans` command line."""
    data = list(samples)
    return _score(data, cli_spans([s.text for s in data]), max_errors)


def targets_met(split_result: dict) -> dict[str, bool]:
    """Which of the targets (any-label recall, precision, PII-free flagged share) a split meets."""
    a = split_result["any"]
    flagged = split_result["pii_free_flagged_share"]
    return {
        "recall": a["recall"] is not None and a["recall"] >= TARGETS["recall"],
        "precision": a["precision"] is not None and a["precision"] >= TARGETS["precision"],
        "pii_free_flagged": flagged is not None and flagged <= TARGETS["pii_free_flagged"],
    }


def run(n: int = 2000) -> dict:
    """Score the dev split through redaction.find_spans and the holdout split through the command line."""
    from redaction import find_spans

    dev = score(samples("dev", n, SEED), find_spans)
    holdout = score_cli(samples("holdout", n, SEED))
    return assemble(dev, holdout, n=n, seed=SEED)


def assemble(dev: dict, holdout: dict, *, n: int, seed: int = SEED,
             via: tuple[str, str] = ("redaction.find_spans", "python -m redaction spans")) -> dict:
    """The result dict report() reads: both splits' scores, how they were obtained, targets met."""
    for split, how in zip((dev, holdout), via):
        split["via"] = how
        split["targets_met"] = targets_met(split)
    return {"seed": seed, "n": n, "targets": dict(TARGETS), "dev": dev, "holdout": holdout}


def _pct(x: float | None, digits: int = 1) -> str:
    return "n/a" if x is None else f"{100 * x:.{digits}f}%"


def _num(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.3f}"


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def report(result: dict) -> str:
    """Markdown section for docs/BENCHMARKS.md (no example texts: only figures)."""
    n, seed = result["n"], result["seed"]
    t = result["targets"]
    lines = [
        "## PII detection quality",
        "",
        f"Synthetic, labelled customer-service chat (Chinese, English, mixed) from `bench/pii_data.py`, seed "
        f"{seed}: {n} messages per split, a quarter of them PII-free and made largely of hard negatives "
        "(prices, dates, versions, service hotlines, masked numbers, verification codes, ordinary words). "
        "**dev** holds the templates the detectors are tuned on, scored through `redaction.find_spans`; "
        "**holdout** holds other sentences and partly other value formats, used only to check generalisation, "
        "scored through `python -m redaction spans` (one process, one JSON line per message). Produced by "
        "`make bench` (`.venv/bin/python -m bench`).",
        "",
        "Matching: a predicted and a gold span match when they overlap. Per label, recall = gold spans "
        "overlapped by a prediction of the same label / gold spans; precision = predictions overlapping a "
        "gold span of the same label / predictions. Any label: the same, ignoring labels. Leaked characters "
        "= gold PII characters covered by no prediction / all gold PII characters. PII-free flagged = "
        "PII-free messages with at least one prediction / PII-free messages.",
        "",
        "| target | " + " | ".join(s for s in ("dev", "holdout")) + " | goal |",
        "|---|---|---|---|",
    ]
    rows = (
        ("any-label recall", lambda r: _num(r["any"]["recall"]), "recall", f"≥ {t['recall']}"),
        ("any-label precision", lambda r: _num(r["any"]["precision"]), "precision", f"≥ {t['precision']}"),
        ("PII-free messages flagged", lambda r: f"{_pct(r['pii_free_flagged_share'])} "
         f"({r['pii_free_flagged']}/{r['pii_free']})", "pii_free_flagged", f"≤ {_pct(t['pii_free_flagged'], 0)}"),
    )
    for name, fmt, key, goal in rows:
        cells = [f"{fmt(result[s])} ({_met(result[s]['targets_met'][key])})" for s in ("dev", "holdout")]
        lines.append(f"| {name} | " + " | ".join(cells) + f" | {goal} |")
    cells = [f"{_pct(result[s]['leaked_share'], 2)} ({result[s]['leaked_chars']}/{result[s]['pii_chars']})"
             for s in ("dev", "holdout")]
    lines.append("| PII characters leaked | " + " | ".join(cells) + " | (lower is better) |")
    for split in ("dev", "holdout"):
        r = result[split]
        lines += [
            "",
            f"### {split} ({r['samples']} messages, {r['pii_free']} PII-free; via `{r['via']}`)",
            "",
            "| label | gold | predicted | precision | recall | F1 |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for label, m in r["per_label"].items():
            lines.append(f"| {label} | {m['gold']} | {m['predicted']} | {_num(m['precision'])} | "
                         f"{_num(m['recall'])} | {_num(m['f1'])} |")
        a = r["any"]
        lines.append(f"| **any label** | {a['gold']} | {a['predicted']} | {_num(a['precision'])} | "
                     f"{_num(a['recall'])} | {_num(a['f1'])} |")
    return "\n".join(lines) + "\n"
