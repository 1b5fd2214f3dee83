"""Redaction on chat and call transcripts written for the project by helper sessions that never saw the
redaction code (`bench/helper_sets/`, see its README): recall per label (a gold value counts when any
predicted span overlaps it, whatever its label), PII characters left in place, predicted spans on no gold
value, and PII-free lines with any span. `check_*` were scored only as totals; `tune_*` were read line by
line while fixing the rules, so their figures flatter us.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

SETS = Path(__file__).resolve().parent / "helper_sets"
ORDER = ("check2_chat", "check2_transcript_zh", "check2_transcript_en", "check2_free", "check3_free",
         "check6_transcript_zh", "check6_transcript_en",
         "round1_check_chat", "round1_check_transcript", "tune_chat", "tune_transcript", "tune_transcript_zh",
         "tune_transcript_en", "tune2_mixed", "tune2_transcript_en", "tune2_free", "tune3_free",
         "tune5_transcript_zh", "tune5_transcript_en", "tune5_free",
         "tune6_chat", "tune6_transcript_zh", "tune6_transcript_en",
         "tune7_written", "tune7_transcript_zh", "tune7_transcript_en", "tune7_free",
         "tune8_chat", "tune8_transcript_zh", "tune8_transcript_en", "tune8_free",
         "tune9_chat", "tune9_transcript_zh", "tune9_transcript_en", "tune9_free")
# A title and a surname alone (Mr Lee, Ms Okafor): the helper sets leave it unlabelled and so does hushdesk
# since round 3 (redaction.surnames; Presidio's templates in dev.jsonl label 7 such); still counted apart
# among PII-free lines, so the two columns can be compared with earlier runs.
_TITLE_ONLY = re.compile(r"(?i:mr|mrs|ms|miss|mx|dr|mdm|madam|sir)\.? [A-Z][A-Za-z'’-]+")


def _gold(row: dict) -> list[tuple[int, int, str]]:
    """Every occurrence of every labelled value (the sets give values, not offsets)."""
    text, out = row["text"], []
    for item in row["pii"]:
        value = item["value"]
        at = text.find(value)
        while at >= 0:
            out.append((at, at + len(value), item["label"]))
            at = text.find(value, at + 1)
    return out


def score(rows: list[dict], find_spans=None) -> dict:
    """Figures for `rows` with `find_spans` (redaction.find_spans, the default layers, if None)."""
    if find_spans is None:
        from redaction import find_spans

    total, hit = Counter(), Counter()
    chars = leaked = predicted = stray = free = free_flagged = free_untitled = 0
    by_lang: dict[str, list[int]] = {}
    for row in rows:
        text = row["text"]
        gold = _gold(row)
        spans = find_spans(text)
        covered = bytearray(len(text))
        for s in spans:
            covered[s.start:s.end] = b"\x01" * (s.end - s.start)
        predicted += len(spans)
        stray += sum(not any(s.start < e and a < s.end for a, e, _ in gold) for s in spans)
        cell = by_lang.setdefault(row.get("lang", "?"), [0, 0])
        for a, e, label in gold:
            found = any(s.start < e and a < s.end for s in spans)
            total[label] += 1
            hit[label] += found
            cell[0] += 1
            cell[1] += found
            chars += e - a
            leaked += (e - a) - sum(covered[a:e])
        if not row["pii"]:
            free += 1
            free_flagged += bool(spans)
            free_untitled += any(not _TITLE_ONLY.fullmatch(text[sp.start:sp.end]) for sp in spans)
    n = sum(total.values())
    return {"lines": len(rows), "values": n, "recall": sum(hit.values()) / n if n else float("nan"),
            "leaked": leaked / chars if chars else float("nan"), "spans": predicted, "stray": stray,
            "free": free, "free_flagged": free_flagged, "free_untitled": free_untitled,
            "labels": {k: (hit[k], total[k]) for k in sorted(total)},
            "langs": {k: (v[1], v[0]) for k, v in sorted(by_lang.items())}}


def run() -> dict:
    out = {}
    for name in ORDER:
        path = SETS / f"{name}.jsonl"
        if path.exists():
            rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
            out[name] = score(rows)
    return out


def report(result: dict) -> str:
    lines = ["## Redaction on chat and call transcripts written by others (helper sets)", "",
             "`bench/helper_sets.py`, input: `bench/helper_sets/*.jsonl` (written for the project by helper "
             "sessions that never saw the redaction code; provenance in its README). `find_spans` with the "
             "default layers. Recall: gold values any predicted span overlaps, any label. Leaked: PII "
             "characters no span covers. Stray: predicted spans on no gold value (the sets leave dates, "
             "hotlines, codes and surname-with-title unlabelled, so some are over-redaction by their rules, "
             "some labelling gaps). `check2_*` and `check3_free` (round 2) were scored only as totals while the "
             "rules were changed; `round1_check_*` (held out in round 1) and `tune*` were read line by line, so "
             "their figures flatter us; round 3 read the tuning sets again; `tune5_*` were written for round 5 and "
             "read line by line in it, `tune6_*` for round 6 and read line by line in it; `check6_*` were written "
             "for round 6 and scored only as totals, once, in its final run; since round 7 the context layer's model is "
             "trained on every `tune*` and `round1_*` set, so their figures are no measure (see the fresh-set "
             "table below). PII-free lines flagged: any span; then "
             "less the lines whose only spans are a title and a surname (Mr Lee), which the helper sets leave "
             "unlabelled and hushdesk no longer flags alone (redaction.surnames).", "",
             "| set | lines | values | recall | leaked | stray / spans | PII-free lines flagged (less Mr Lee) | by language | weakest labels |",
             "|---|---:|---:|---:|---:|---|---|---|---|"]
    for name, r in result.items():
        weakest = sorted(((h / t, k, h, t) for k, (h, t) in r["labels"].items() if t >= 5))[:3]
        recall = f"{r['recall']:.3f}" if r["values"] else "-"
        leaked = f"{r['leaked']:.1%}" if r["values"] else "-"
        share = f" ({r['free_flagged'] / r['free']:.1%}; {r['free_untitled']})" if r["free"] else ""
        lines.append(
            f"| {name} | {r['lines']} | {r['values']} | {recall} | {leaked} | "
            f"{r['stray']} / {r['spans']} | {r['free_flagged']} of {r['free']}{share} | "
            + ", ".join(f"{k} {h / t:.2f}" for k, (h, t) in r["langs"].items() if t) + " | "
            + ", ".join(f"{k} {h}/{t}" for _, k, h, t in weakest) + " |")
    lines += ["", "Goals (issue 12, held-out transcript-style text): recall >= 0.95, leaked <= 5 %; "
              "PII-free lines flagged <= 2 %.", ""]
    return "\n".join(lines)


def main() -> None:
    print(report(run()))


if __name__ == "__main__":
    main()
