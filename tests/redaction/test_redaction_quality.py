"""Regression gate on detection quality: the real redaction.find_spans on the dev split of the labelled
synthetic chat (bench.pii_data, fixed seed). Matching rules: see bench.quality (a prediction matches a gold
span when they overlap). On failure the message lists the most frequent error patterns with an example."""

from __future__ import annotations

from collections import Counter

import pytest

from bench import quality
from bench.pii_data import LABELS, samples

N = 1000
RECALL, PRECISION, PII_FREE_FLAGGED, LABEL_RECALL = 0.98, 0.98, 0.02, 0.95


class _Scored(tuple):
    """(samples, result); a short repr keeps pytest's failure output to the assertion message."""

    def __repr__(self) -> str:
        return f"<dev split: {len(self[0])} samples scored>"


@pytest.fixture(scope="module")
def dev():
    from redaction import find_spans

    data = samples("dev", n=N)
    result = quality.score(data, find_spans, max_errors=1_000_000)  # every error, for the messages below
    return _Scored((data, result))


def _worst(errors: list[dict], k: int = 8) -> str:
    """The k most frequent (kind, label, found as / gold label) patterns, each with a count and an example."""
    def key(e: dict) -> tuple:
        return (e["kind"], e["label"], e.get("found_as") or e.get("gold"))

    counts = Counter(key(e) for e in errors)
    example = {}
    for e in errors:
        example.setdefault(key(e), e)
    lines = []
    for (kind, label, other), count in counts.most_common(k):
        e = example[(kind, label, other)]
        note = {"FN": f"missed{f' (found as {other})' if other else ''}",
                "FP": f"false alarm{f' (gold {other})' if other else ''}"}[kind]
        text = e["text"] if len(e["text"]) <= 160 else e["text"][:157] + "..."
        lines.append(f"  {count}x {kind} {label} {note}: {e['value']!r} in {text!r}")
    return "\n".join(lines) or "  (no errors recorded)"


def test_any_label_recall(dev):
    _, r = dev
    fn = [e for e in r["errors"] if e["kind"] == "FN" and not e["found_as"]]
    assert r["any"]["recall"] >= RECALL, (
        f"any-label recall {r['any']['recall']:.4f} < {RECALL}; worst misses:\n{_worst(fn)}")


def test_any_label_precision(dev):
    _, r = dev
    fp = [e for e in r["errors"] if e["kind"] == "FP" and not e["gold"]]
    assert r["any"]["precision"] is not None and r["any"]["precision"] >= PRECISION, (
        f"any-label precision {r['any']['precision']} < {PRECISION}; worst false alarms:\n{_worst(fp)}")


def test_pii_free_messages_not_flagged(dev):
    data, r = dev
    free = {s.text for s in data if not s.spans}
    fp = [e for e in r["errors"] if e["kind"] == "FP" and e["text"] in free]
    share = r["pii_free_flagged_share"]
    assert share <= PII_FREE_FLAGGED, (
        f"{r['pii_free_flagged']}/{r['pii_free']} PII-free messages flagged ({share:.2%} > "
        f"{PII_FREE_FLAGGED:.0%}); worst false alarms:\n{_worst(fp)}")


@pytest.mark.parametrize("label", LABELS)
def test_label_recall(dev, label):
    _, r = dev
    m = r["per_label"].get(label)
    assert m is not None and m["gold"] > 0, f"no gold {label} in the dev sample"
    fn = [e for e in r["errors"] if e["kind"] == "FN" and e["label"] == label]
    assert m["recall"] >= LABEL_RECALL, (
        f"{label} recall {m['recall']:.4f} ({m['tp']}/{m['gold']}) < {LABEL_RECALL}; worst misses:\n{_worst(fn)}")
