"""PII detection quality on public text nobody on the project wrote: `../shared/data/pii-public/check.jsonl`.

Labelled utterances from public NER and dialogue corpora, converted to our labels by someone else (see
that folder's README for sources and licences). It is read from the shared folder beside the checkout
when present, never copied into the repository; without it this section says so and measures nothing.
Scored with the same overlap rules as the synthetic set (`bench.quality`), through `redaction.find_spans`
(the input side) and, for leaks, through `StreamRedactor` fed word-sized pieces (the output side).
BANK_CARD and CREDIT_CARD are merged into CARD, as the corpus does not tell them apart. Net precision
drops predictions that fall on spans the corpus marks as neither PII nor not-PII (`ignored_spans`).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from bench.quality import _num, _overlaps, _pct, _score

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT.parent / "shared" / "data" / "pii-public" / "check.jsonl"
TARGETS = {"recall": 0.85, "precision": 0.95, "pii_free_flagged": 0.02, "leaked_share": 0.05}
_CARD = {"BANK_CARD": "CARD", "CREDIT_CARD": "CARD"}
_PIECE = re.compile(r"\S+\s*|\s+")


@dataclass(frozen=True)
class Utterance:
    """One labelled public utterance (gold spans with cards merged)."""

    text: str
    spans: tuple[tuple[int, int, str], ...]
    lang: str
    ignored: tuple[tuple[int, int], ...]
    sources: tuple[str, ...] = ()  # the source family of each gold span (weibo_train, wnut17, ...)


def load(path: Path = CHECK) -> list[Utterance] | None:
    """The corpus, or None when the shared folder is not there."""
    if not path.is_file():
        return None
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            row = json.loads(line)
            spans = tuple((s["start"], s["end"], _CARD.get(s["label"], s["label"])) for s in row["spans"])
            ignored = tuple((s["start"], s["end"]) for s in row.get("ignored_spans", ()))
            sources = tuple(str(s.get("tag", "?")) for s in row["spans"])
            out.append(Utterance(row["text"], spans, row["lang"], ignored, sources))
    return out


def _merged(spans) -> list[tuple[int, int, str]]:
    return [(int(s.start), int(s.end), _CARD.get(str(s.label), str(s.label))) for s in spans]


def _stream_leaked(data: Sequence[Utterance]) -> tuple[int, int]:
    """(gold values that appear whole in a StreamRedactor's output when fed word-sized pieces, gold values)."""
    from redaction import Placeholders, StreamRedactor

    leaked = total = 0
    for u in data:
        if not u.spans:
            continue
        stream = StreamRedactor(Placeholders())
        out = "".join(stream.feed(p) for p in _PIECE.findall(u.text)) + stream.flush()
        for start, end, _ in u.spans:
            total += 1
            leaked += u.text[start:end] in out
    return leaked, total


def run() -> dict:
    """Score find_spans (and the stream's leaks) on check.jsonl; {"present": False} without the folder."""
    from redaction import find_spans

    data = load()
    if data is None:
        return {"present": False, "path": str(CHECK)}
    predictions = [_merged(find_spans(u.text)) for u in data]
    result = _score(data, predictions, 0)  # type: ignore[arg-type]
    net_pred = net_ok = 0
    for u, preds in zip(data, predictions):
        for p in preds:
            if any(p[0] < e and s < p[1] for s, e in u.ignored):
                continue
            net_pred += 1
            net_ok += any(g[2] == p[2] and _overlaps(p, g) for g in u.spans)
    result["net_precision"] = net_ok / net_pred if net_pred else None
    # Per label, net of ignored spans too; and the PII-free messages that carry no ignored span either
    # (a contact's name in `给晓琴发短信` or an @handle is ignored by the corpus, not PII-free).
    net_label: dict[str, list[int]] = {}
    strict = strict_flagged = 0
    for u, preds in zip(data, predictions):
        for p in preds:
            if not any(p[0] < e and s < p[1] for s, e in u.ignored):
                cell = net_label.setdefault(p[2], [0, 0])
                cell[0] += 1
                cell[1] += any(g[2] == p[2] and _overlaps(p, g) for g in u.spans)
        if not u.spans and not u.ignored:
            strict += 1
            strict_flagged += bool(preds)
    result["net_precision_by_label"] = {k: v[1] / v[0] for k, v in sorted(net_label.items())}
    result["strict_free"], result["strict_free_flagged"] = strict, strict_flagged
    by_source: dict[str, list[int]] = {}
    for u, preds in zip(data, predictions):
        for g, src in zip(u.spans, u.sources or ("?",) * len(u.spans)):
            cell = by_source.setdefault(src, [0, 0])
            cell[0] += 1
            cell[1] += any(_overlaps(p, g) for p in preds)
    result["recall_by_source"] = {k: (v[1] / v[0], v[0]) for k, v in sorted(by_source.items())}
    by_lang: dict[str, list[int]] = {}
    for u, preds in zip(data, predictions):
        for g in u.spans:
            cell = by_lang.setdefault(f"{g[2]} {u.lang}", [0, 0])
            cell[0] += 1
            cell[1] += any(p[2] == g[2] and _overlaps(p, g) for p in preds)
    result["recall_by_language"] = {k: v[1] / v[0] for k, v in sorted(by_lang.items()) if v[0] >= 5}
    result["stream_leaked"], result["stream_values"] = _stream_leaked(data)
    result["present"] = True
    result["path"] = "../shared/data/pii-public/check.jsonl"
    return result


def report(result: dict, synthetic: dict | None = None) -> str:
    """Markdown section: public figures beside the synthetic holdout's, per label."""
    lines = ["## PII detection quality on public text (not ours)", ""]
    if not result.get("present"):
        return "\n".join(lines + [f"`{result['path']}` was not present in this run: nothing measured.", ""])
    t = TARGETS
    lines += [
        f"`{result['path']}`: {result['samples']} utterances from public NER and dialogue corpora "
        f"({result['pii_free']} without PII), labelled by others; read from the shared folder, never copied "
        "here. Through `redaction.find_spans` with default settings; same overlap rules as the synthetic "
        "set below; BANK_CARD and CREDIT_CARD merged into CARD. Leaks through the stream: the same texts fed "
        "to `StreamRedactor` in word-sized pieces; the share of gold values that appear whole in its output. Goals are the held-out targets of issue 12 (public test cases: recall ≥ 0.85, "
        "precision ≥ 0.95, PII-free flagged ≤ 2%; transcripts: leaked ≤ 5%).",
        "",
        "| figure | public check.jsonl | synthetic holdout | goal |",
        "|---|---|---|---|",
    ]
    a = result["any"]
    syn = synthetic or {}
    sa = syn.get("any", {})

    def met(ok: bool) -> str:
        return "met" if ok else "NOT met"

    rows = [
        ("any-label recall", _num(a["recall"]), _num(sa.get("recall")),
         f"≥ {t['recall']} ({met((a['recall'] or 0) >= t['recall'])})"),
        ("any-label precision", _num(a["precision"]), _num(sa.get("precision")),
         f"≥ {t['precision']} ({met((a['precision'] or 0) >= t['precision'])})"),
        ("net precision (ignored spans dropped)", _num(result["net_precision"]), "n/a", ""),
        ("PII characters leaked (find_spans)", _pct(result["leaked_share"], 1), _pct(syn.get("leaked_share"), 2),
         f"≤ {_pct(t['leaked_share'], 0)} ({met((result['leaked_share'] or 0) <= t['leaked_share'])})"),
        ("gold values shown whole (stream)",
         _pct(result["stream_leaked"] / result["stream_values"] if result["stream_values"] else None, 1),
         "n/a", ""),
        ("PII-free messages flagged", f"{_pct(result['pii_free_flagged_share'])} "
         f"({result['pii_free_flagged']}/{result['pii_free']})", _pct(syn.get("pii_free_flagged_share")),
         f"≤ {_pct(t['pii_free_flagged'], 0)} ({met((result['pii_free_flagged_share'] or 0) <= t['pii_free_flagged'])})"),
        ("... of them with no ignored span either", f"{_pct(result['strict_free_flagged'] / result['strict_free'] if result['strict_free'] else None)} "
         f"({result['strict_free_flagged']}/{result['strict_free']})", "n/a", ""),
    ]
    for row in rows:
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "| label | gold (public) | predicted | precision | net precision | recall | F1 | synthetic precision | synthetic recall |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    syn_labels = syn.get("per_label", {})
    net_by = result.get("net_precision_by_label", {})
    for label, m in result["per_label"].items():
        s = syn_labels.get(label, {})
        lines.append(f"| {label} | {m['gold']} | {m['predicted']} | {_num(m['precision'])} | {_num(net_by.get(label))} | "
                     f"{_num(m['recall'])} | {_num(m['f1'])} | {_num(s.get('precision'))} | {_num(s.get('recall'))} |")
    lines += ["", "Recall by label and language (public, cells of 5 or more gold spans): " + ", ".join(
        f"{k} {v:.3f}" for k, v in result["recall_by_language"].items()) + ".", "",
              "Any-label recall by source family (gold spans): " + ", ".join(
        f"{k} {r:.3f} (n={n})" for k, (r, n) in result.get("recall_by_source", {}).items()) + ".", ""]
    return "\n".join(lines)
