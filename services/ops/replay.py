"""Replay a fixed set of already-redacted prompts against an engine, and compare two runs.

    python -m services.ops.replay run SET.jsonl --engine-url URL --out REPORT.json [--model NAME] ...
    python -m services.ops.replay diff OLD.json NEW.json [--max-latency-p95-increase 0.2] ...

A set line is `{"id", "prompt"}` or `{"id", "messages": [{"role", "content"}]}`, with an optional
`"expect": {"format": "json"|"text", "max_chars": N, "must_include": [...]}`. A set that still holds
personal data is refused, naming line numbers only. Prompts stream through `LLMClient`, as a chat
turn does. Reports hold timings, lengths, format errors, output redaction counts by label and a
SHA-256 of each reply, never prompt text, and reply text only with `--keep-text` (replies can echo
customer context). They are written atomically, mode 0600, and never overwritten without `--force`.

Exit codes. run: 0 report written; 1 report written but every prompt failed; 2 set refused or
unreadable, bad arguments, or report not writable. diff: 0 within thresholds; 1 past at least one;
2 a report unreadable, or the reports are of different sets.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import math
import os
import re
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Sequence
from urllib.parse import urlsplit

import redaction

from ..engine.specs import Endpoint
from ..errors import EngineError
from ..engine.client import LLMClient

__all__ = ["Entry", "Expect", "PromptResult", "ReplayError", "Thresholds", "diff_reports", "load_set",
           "load_report", "main", "run_set", "summarise"]

SCHEMA = "hushdesk-replay/1"
_ROOT = Path(__file__).resolve().parents[2]
_ROLES = ("system", "user", "assistant")  # a tuple: `in` must not hash what a line holds
_ENTRY_KEYS = frozenset({"id", "prompt", "messages", "expect"})
_EXPECT_KEYS = frozenset({"format", "max_chars", "must_include"})
_SHOWN_PROBLEMS = 20
# The shape of the placeholders the redactor issues (redaction/vault.py): never personal data.
_PLACEHOLDER = re.compile(r"\[[A-Z][A-Z0-9_]{0,30}_[0-9]{1,6}\]")
_FIGURES = (("latency ms", "latency_ms"), ("ttft ms", "ttft_ms"), ("output chars", "output_chars"),
            ("output tokens", "output_tokens"))


class ReplayError(Exception):
    """A set or report was refused: `args` are fixed messages naming line numbers or paths, never text."""


@dataclass(frozen=True)
class Expect:
    """What a well-formed reply looks like: `format` json or text, a length cap, strings it must hold."""

    format: str = "text"
    max_chars: int | None = None
    must_include: tuple[str, ...] = ()


@dataclass(frozen=True)
class Entry:
    """One set line: its id, the (role, content) messages sent and what the reply should look like."""

    id: str
    messages: tuple[tuple[str, str], ...]
    expect: Expect


@dataclass(frozen=True)
class PromptResult:
    """What one prompt measured; `outcome` is "ok" or an engine error kind, never engine text."""

    id: str
    outcome: str
    ttft_ms: float | None = None
    latency_ms: float | None = None
    output_chars: int | None = None
    output_tokens: int | None = None
    tokens_from: str | None = None  # "usage" when the engine reported it, else "chunks"
    format_errors: tuple[str, ...] = ()
    redactions: dict[str, int] | None = None
    output_sha256: str | None = None
    output: str | None = None


@dataclass(frozen=True)
class Thresholds:
    """When `diff` fails: relative increases (0.2 = 20%), rate-point increases, label count increases."""

    latency_p95: float = 0.20
    ttft_p95: float = 0.20
    latency_floor_ms: float = 50.0  # smaller rises are noise on a fast engine, never a failure
    error_rate: float = 0.0
    format_error_rate: float = 0.0
    redaction: int = 0
    length_change: float = 0.5


def pii_labels(text: str) -> list[str]:
    """Labels of the personal data in `text`, ignoring spans inside `[LABEL_n]` placeholders."""
    spans = redaction.find_spans(text)
    holes = [m.span() for m in _PLACEHOLDER.finditer(text)] if spans else []
    return [s.label for s in spans if not any(a <= s.start and s.end <= b for a, b in holes)]


def _check(ok: bool, reason: str) -> None:
    if not ok:
        raise ReplayError(reason)


def _entry(raw: bytes) -> Entry:
    try:
        obj = json.loads(raw.decode("utf-8"))
    except ValueError:  # UnicodeDecodeError included
        raise ReplayError("malformed JSON or not UTF-8") from None
    _check(isinstance(obj, dict), "not a JSON object")
    _check(not set(obj) - _ENTRY_KEYS, "unknown key")
    _check(isinstance(obj.get("id"), str) and obj["id"].strip() != "", "missing or empty id")
    _check(("prompt" in obj) != ("messages" in obj), "needs exactly one of prompt or messages")
    msgs = [{"role": "user", "content": obj["prompt"]}] if "prompt" in obj else obj["messages"]
    _check(isinstance(msgs, list) and bool(msgs) and all(
        isinstance(m, dict) and set(m) == {"role", "content"} and m["role"] in _ROLES
        and isinstance(m["content"], str) and m["content"].strip() != "" for m in msgs),
        "prompt or messages empty or malformed")
    _check(any(m["role"] == "user" for m in msgs), "no user message")
    exp = obj.get("expect", {})
    _check(isinstance(exp, dict) and not set(exp) - _EXPECT_KEYS, "malformed expect")
    fmt, cap, inc = exp.get("format", "text"), exp.get("max_chars"), exp.get("must_include", [])
    _check(fmt in ("json", "text") and (cap is None or (type(cap) is int and cap > 0)) and isinstance(inc, list)
           and all(isinstance(s, str) and s != "" for s in inc), "malformed expect")
    return Entry(obj["id"], tuple((m["role"], m["content"]) for m in msgs), Expect(fmt, cap, tuple(inc)))


def load_set(path: str) -> tuple[list[Entry], str]:
    """Parse and check a set; return its entries and SHA-256 digest, or raise ReplayError naming lines."""
    try:
        data = Path(path).read_bytes()
    except OSError:
        raise ReplayError("the set file cannot be read") from None
    entries, problems, seen = [], [], {}  # seen: id -> line number
    for number, raw in enumerate(data.splitlines(), start=1):
        if not raw.strip():
            continue
        try:
            entry = _entry(raw)
        except ReplayError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        texts = [entry.id, *(c for _, c in entry.messages), *entry.expect.must_include]
        labels = sorted({label for t in texts for label in pii_labels(t)})
        if labels:
            problems.append(f"line {number}: still holds personal data ({', '.join(labels)}); redact it first")
        elif entry.id in seen:
            problems.append(f"line {number}: duplicate id (first on line {seen[entry.id]})")
        else:
            seen[entry.id] = number
            entries.append(entry)
    if len(problems) > _SHOWN_PROBLEMS:
        problems[_SHOWN_PROBLEMS:] = [f"... and {len(problems) - _SHOWN_PROBLEMS} more lines"]
    if problems or not entries:
        raise ReplayError(*(problems or ["the set is empty"]))
    canon = [{"id": e.id, "messages": [list(m) for m in e.messages], "expect": asdict(e.expect)} for e in entries]
    blob = json.dumps(canon, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return entries, hashlib.sha256(blob).hexdigest()


def format_errors(text: str, expect: Expect) -> tuple[str, ...]:
    """Kinds of format error in a reply: empty, not_json, too_long, missing:<index into must_include>."""
    errors: list[str] = []
    if not text.strip():
        errors.append("empty")
    elif expect.format == "json":
        try:
            json.loads(text)
        except ValueError:
            errors.append("not_json")
    if expect.max_chars is not None and len(text) > expect.max_chars:
        errors.append("too_long")
    return tuple(errors + [f"missing:{i}" for i, s in enumerate(expect.must_include) if s not in text])


async def _one(client: LLMClient, entry: Entry, timeout: float, keep_text: bool) -> PromptResult:
    started, first, parts = time.perf_counter(), None, []
    try:
        async with asyncio.timeout(timeout):
            stream = await client.stream([{"role": r, "content": c} for r, c in entry.messages])
            async with contextlib.aclosing(stream.__aiter__()) as deltas:
                async for text in deltas:
                    first = first or time.perf_counter()
                    parts.append(text)
    except EngineError as exc:
        return PromptResult(entry.id, exc.outcome)
    except TimeoutError:
        return PromptResult(entry.id, "engine_timeout")
    ended, out, stats = time.perf_counter(), "".join(parts), stream.stats
    usage = stats.completion_tokens is not None
    return PromptResult(
        entry.id, "ok", ttft_ms=round((first - started) * 1000, 1) if first is not None else None,
        latency_ms=round((ended - started) * 1000, 1), output_chars=len(out),
        output_tokens=stats.completion_tokens if usage else stats.chunks, tokens_from="usage" if usage else "chunks",
        format_errors=format_errors(out, entry.expect), redactions=dict(sorted(Counter(pii_labels(out)).items())),
        output_sha256=hashlib.sha256(out.encode("utf-8")).hexdigest(), output=out if keep_text else None)


async def run_set(entries: Sequence[Entry], endpoint: Endpoint, *, concurrency: int = 1, timeout: float = 120.0,
                  max_tokens: int = 1024, temperature: float = 0.0, warmup: int = 0,
                  keep_text: bool = False) -> list[PromptResult]:
    """Stream every entry (at most `concurrency` at once) after `warmup` untimed sends of the first."""
    client = LLMClient(lambda: endpoint, request_timeout=timeout, max_tokens=max_tokens, temperature=temperature)
    gate = asyncio.Semaphore(concurrency)

    async def gated(entry: Entry) -> PromptResult:
        async with gate:
            return await _one(client, entry, timeout, keep_text)

    try:
        for _ in range(warmup):  # the first request pays for connecting and the SDK's lazy set-up
            await _one(client, entries[0], timeout, False)
        return list(await asyncio.gather(*(gated(e) for e in entries)))
    finally:
        await client.aclose()


def _pct(values: Sequence[float], q: float) -> float | None:
    s, k = sorted(values), (len(values) - 1) * q  # linear between closest ranks, as numpy's default
    lo, hi = math.floor(k), math.ceil(k)
    return round(s[lo] + (s[hi] - s[lo]) * (k - lo), 1) if s else None


def summarise(results: Sequence[PromptResult]) -> dict[str, Any]:
    """Summary figures of a run: counts, error and format error rates, percentiles, redaction totals."""
    ok = [r for r in results if r.outcome == "ok"]
    totals = sum((Counter(r.redactions) for r in ok), Counter())
    bad_format = sum(1 for r in ok if r.format_errors)
    summary: dict[str, Any] = {
        "count": len(results), "ok": len(ok), "errors": len(results) - len(ok),
        "error_rate": round((len(results) - len(ok)) / len(results), 4) if results else 0.0,
        "errors_by_kind": dict(sorted(Counter(r.outcome for r in results if r.outcome != "ok").items())),
        "format_errors": bad_format,
        "format_error_rate": round(bad_format / len(ok), 4) if ok else None,  # of answered prompts
        "redactions": dict(sorted(totals.items())),
        "prompts_with_pii": sum(1 for r in ok if r.redactions),
    }
    for _, key in _FIGURES:
        values = [getattr(r, key) for r in ok if getattr(r, key) is not None]
        summary[f"{key}_p50"], summary[f"{key}_p95"] = _pct(values, 0.50), _pct(values, 0.95)
    return summary


def _version() -> str:
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        done = subprocess.run(["git", "describe", "--always", "--dirty", "--tags"], cwd=_ROOT,
                              capture_output=True, text=True, timeout=5)
        return (done.returncode == 0 and done.stdout.strip()) or "unknown"
    return "unknown"


def write_report(path: str, report: dict[str, Any], force: bool = False) -> None:
    """Write JSON via a 0600 temporary file in the same folder and os.replace; OSError if impossible."""
    target = Path(path)
    if not force and os.path.lexists(target):
        raise FileExistsError(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name[:100]}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(json.dumps(report, ensure_ascii=False, indent=2).encode("utf-8") + b"\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def load_report(path: str) -> dict[str, Any]:
    """Read a report written by `run`, or raise ReplayError naming the path."""
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        report = json.loads(Path(path).read_text(encoding="utf-8"))
        if (report["schema"] == SCHEMA and isinstance(report["summary"], dict)
                and isinstance(report["set"]["digest"], str) and isinstance(report["config"], dict)):
            report["by_id"] = {p["id"]: p for p in report["prompts"]}
            return report
    raise ReplayError(f"{path}: not a readable replay report ({SCHEMA})")


def _rel(old: float | None, new: float | None) -> float | None:
    if old is None or new is None:
        return None
    return (new - old) / old if old else (0.0 if new == old else math.inf)


def _table(o: dict[str, Any], n: dict[str, Any], labels: list[str]) -> list[str]:
    rows = [("prompts", o["count"], n["count"], ""), ("errors", o["errors"], n["errors"], "")]
    rows += [(name, o[key], n[key], "pt") for name, key in (("error rate", "error_rate"),
                                                            ("format error rate", "format_error_rate"))]
    rows += [(f"{name} {q}", o[f"{key}_{q}"], n[f"{key}_{q}"], "%") for name, key in _FIGURES for q in ("p50", "p95")]
    rows += [(f"PII in replies {lb}", o["redactions"].get(lb, 0), n["redactions"].get(lb, 0), "") for lb in labels]
    out = [f"{'figure':<24}{'old':>12}{'new':>12}{'change':>12}"]
    for name, a, b, kind in rows:
        r = _rel(a, b)
        change = ("n/a" if r is None else f"{(b - a) * 100:+.1f} pt" if kind == "pt" else f"{b - a:+d}" if not kind
                  else "new" if r == math.inf else f"{r:+.1%}")
        a, b = ("n/a" if v is None else f"{v:.1%}" if kind == "pt" else str(v) for v in (a, b))
        out.append(f"{name:<24}{a:>12}{b:>12}{change:>12}")
    return out


def _failures(o: dict[str, Any], n: dict[str, Any], labels: list[str], t: Thresholds) -> list[str]:
    fails = []
    for name, key, limit in (("latency p95", "latency_ms_p95", t.latency_p95), ("ttft p95", "ttft_ms_p95", t.ttft_p95)):
        a, b = o[key], n[key]
        if (r := _rel(a, b)) is not None and r > limit and b - a > t.latency_floor_ms:
            fails.append(f"{name} rose {a} -> {b} ms: more than {limit:.0%} and {t.latency_floor_ms:g} ms")
    for name, key, limit in (("error rate", "error_rate", t.error_rate),
                             ("format error rate", "format_error_rate", t.format_error_rate)):
        a, b = o[key], n[key]
        if a is not None and b is not None and b - a > limit + 1e-9:
            fails.append(f"{name} rose {a:.1%} -> {b:.1%}")
    for lb in labels:
        a, b = o["redactions"].get(lb, 0), n["redactions"].get(lb, 0)
        if b - a > t.redaction:
            fails.append(f"{lb} found in replies {a} -> {b} times")
    for q in ("p50", "p95"):
        if (r := _rel(o[f"output_chars_{q}"], n[f"output_chars_{q}"])) is not None and abs(r) > t.length_change:
            fails.append(f"output chars {q} changed by more than {t.length_change:.0%}")
    return fails


def _per_prompt(old: dict[str, Any], new: dict[str, Any], t: Thresholds) -> list[str]:
    titles = ("new errors", "fixed errors", "new format errors", f"length changes over {t.length_change:.0%}",
              "more PII in reply")
    lists: list[list[str]] = [[] for _ in titles]
    changed = both = 0
    for pid, b in new["by_id"].items():
        a = old["by_id"].get(pid)
        if a is None or (a["outcome"] != "ok" and b["outcome"] != "ok"):
            continue
        if a["outcome"] != b["outcome"]:  # one of them failed
            i, what = (0, b["outcome"]) if a["outcome"] == "ok" else (1, f"was {a['outcome']}")
            lists[i].append(f"{pid} ({what})")
            continue
        both += 1
        changed += a["output_sha256"] != b["output_sha256"]
        added = sorted(set(b["format_errors"]) - set(a["format_errors"]))
        if added:
            lists[2].append(f"{pid} ({', '.join(added)})")
        r = _rel(a["output_chars"], b["output_chars"])
        if r is not None and abs(r) > t.length_change:
            lists[3].append(f"{pid} ({a['output_chars']} -> {b['output_chars']} chars)")
        more = [f"{lb} +{c - a['redactions'].get(lb, 0)}" for lb, c in b["redactions"].items()
                if c > a["redactions"].get(lb, 0)]
        if more:
            lists[4].append(f"{pid} ({', '.join(more)})")
    out = [f"{title}: {len(items)}" + (f"  {'; '.join(items)}" if items else "") for title, items in zip(titles, lists)]
    return out + [f"replies changed (SHA-256): {changed} of {both}"]


def diff_reports(old: dict[str, Any], new: dict[str, Any], t: Thresholds) -> tuple[list[str], list[str]]:
    """Compare two loaded reports of the same set: (lines to print, failures past `t`)."""
    o, n = old["summary"], new["summary"]
    labels = sorted(set(o["redactions"]) | set(n["redactions"]))
    lines = _table(o, n, labels) + [""] + _per_prompt(old, new, t)
    lines += [f"note: {key} differs between the runs" for key in ("model", "max_tokens", "temperature")
              if old["config"].get(key) != new["config"].get(key)]
    return lines, _failures(o, n, labels, t)


def _num(kind: type, low: float, above: bool = False) -> Any:
    def parse(text: str) -> Any:
        value = kind(text)
        if not math.isfinite(value) or value < low or (above and value == low):
            raise argparse.ArgumentTypeError(f"must be {'>' if above else '>='} {low}")
        return value
    return parse


_THRESHOLD_FLAGS = (  # flag, Thresholds field, help
    ("--max-latency-p95-increase", "latency_p95", "relative; default 0.2 = 20%%"),
    ("--max-ttft-p95-increase", "ttft_p95", "relative; default 0.2"),
    ("--latency-floor-ms", "latency_floor_ms", "latency rises smaller than this never fail; default 50"),
    ("--max-error-rate-increase", "error_rate", "rise of the rate, 0.05 = 5 points; default 0: any rise fails"),
    ("--max-format-error-increase", "format_error_rate", "rise of the rate of answered prompts; default 0"),
    ("--max-redaction-increase", "redaction", "per label; default 0: any more PII in replies fails"),
    ("--max-length-change", "length_change", "relative change of output chars p50/p95; default 0.5"),
)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m services.ops.replay", description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("run", help="replay a set against an engine and write a report")
    r.add_argument("set", metavar="SET.jsonl")
    r.add_argument("--engine-url", required=True, help="OpenAI-compatible base URL ending in /v1")
    r.add_argument("--out", required=True, metavar="REPORT.json")
    r.add_argument("--model", default="hushdesk-model", help="model name sent; default hushdesk-model")
    r.add_argument("--api-key", help="engine API key (prefer the REPLAY_API_KEY environment variable)")
    r.add_argument("--concurrency", type=_num(int, 1), default=1, help="prompts in flight; default 1")
    r.add_argument("--timeout", type=_num(float, 0, True), default=120.0, help="seconds per prompt; default 120")
    r.add_argument("--max-tokens", type=_num(int, 1), default=1024)
    r.add_argument("--temperature", type=_num(float, 0), default=0.0, help="default 0, for repeatability")
    r.add_argument("--warmup", type=_num(int, 0), default=1, help="untimed sends of the first prompt; default 1")
    r.add_argument("--label", default="", help="a note stored in the report, e.g. the engine version")
    r.add_argument("--keep-text", action="store_true", help="also store reply text (it may echo customer context)")
    r.add_argument("--force", action="store_true", help="overwrite an existing report")
    d = sub.add_parser("diff", help="compare two reports of the same set; exit 1 past a threshold")
    d.add_argument("old", metavar="OLD.json")
    d.add_argument("new", metavar="NEW.json")
    for flag, field, text in _THRESHOLD_FLAGS:
        kind = int if field == "redaction" else float
        d.add_argument(flag, dest=field, type=_num(kind, 0), default=getattr(Thresholds, field), metavar="X", help=text)
    return p


def _refuse(*problems: str) -> int:
    print("\n".join(f"replay: {problem}" for problem in problems), file=sys.stderr)
    return 2


def _run(args: argparse.Namespace, api_key: str) -> int:
    url = urlsplit(args.engine_url)
    if url.scheme not in ("http", "https") or not url.hostname:
        return _refuse("--engine-url must be an http or https URL")
    try:
        entries, digest = load_set(args.set)
    except ReplayError as exc:
        return _refuse(*exc.args, "set refused; nothing was sent")
    out = Path(args.out)
    if (os.path.lexists(out) and not args.force) or not os.access(out.parent, os.W_OK):
        return _refuse("the report exists (use --force) or its folder is not writable; nothing was sent")
    started, wall = datetime.now(timezone.utc), time.perf_counter()
    results = asyncio.run(run_set(
        entries, Endpoint(args.engine_url, api_key or "none", args.model), concurrency=args.concurrency,
        timeout=args.timeout, max_tokens=args.max_tokens, temperature=args.temperature, warmup=args.warmup,
        keep_text=args.keep_text))
    summary = summarise(results)
    report = {
        "schema": SCHEMA, "created": started.isoformat(timespec="seconds"), "hushdesk_version": _version(),
        "label": args.label, "wall_s": round(time.perf_counter() - wall, 2),
        "engine": {"url": f"{url.scheme}://{url.netloc.rpartition('@')[2]}{url.path}"},  # no credentials
        "config": {k: getattr(args, k) for k in ("model", "concurrency", "timeout", "max_tokens", "temperature",
                                                 "warmup", "keep_text")},
        "set": {"file": Path(args.set).name, "digest": digest, "count": len(entries)},
        "summary": summary,
        "prompts": [{k: v for k, v in asdict(r).items() if k != "output" or args.keep_text} for r in results],
    }
    try:
        write_report(args.out, report, args.force)
    except OSError:
        return _refuse("the report could not be written")
    print(f"replay: {summary['count']} prompts, {summary['errors']} errors, latency p50/p95 "
          f"{summary['latency_ms_p50']}/{summary['latency_ms_p95']} ms, format errors {summary['format_errors']}, "
          f"PII in replies {sum(summary['redactions'].values())}; report {args.out}")
    return 1 if summary["ok"] == 0 else 0


def _diff(args: argparse.Namespace) -> int:
    try:
        old, new = load_report(args.old), load_report(args.new)
    except ReplayError as exc:
        return _refuse(*exc.args)
    if old["set"]["digest"] != new["set"]["digest"]:
        return _refuse("the reports are of different sets")
    t = Thresholds(**{field: getattr(args, field) for _, field, _ in _THRESHOLD_FLAGS})
    try:
        lines, fails = diff_reports(old, new, t)
    except (KeyError, TypeError, AttributeError, ValueError):
        return _refuse("a report is not a readable replay report")
    print("\n".join(lines + [""] + [f"FAIL {f}" for f in fails] + ["FAIL" if fails else "OK"]))
    return 1 if fails else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args, args.api_key or os.environ.get("REPLAY_API_KEY", ""))
    return _diff(args)


if __name__ == "__main__":
    sys.exit(main())
