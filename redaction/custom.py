"""Company-defined recognizers: a TOML file of patterns, cue words, validators and deny/allow lists.

Every company has identifiers of its own (member numbers, employee IDs, contract numbers, project
names, VIP names) and words that must never be masked (its brand, products, hotline, agents' aliases).
A recognizer file says both; `load_rules(path)` checks it whole and raises `RuleFileError` naming the
line of the first problem. Example:

    [[recognizer]]
    label = "MEMBER_ID"                 # upper case, becomes [MEMBER_ID_1]
    patterns = ["M[0-9]{8}", "VIP-[0-9]{6}"]
    cues = ["会员号", "member no"]        # optional: only right after one of these (":" or a space between)
    validator = "luhn"                  # optional: luhn, cn_id or not_all_same (digits)
    case_sensitive = false              # optional, default false

    [[recognizer]]
    label = "PROJECT"
    deny = ["Project Phoenix", "凤凰计划"]  # always masked, wherever they appear

    [allow]
    terms = ["hushdesk", "400-820-8820", "客服小美"]  # never masked, whatever a detector says

Patterns are regular expressions over the normalised text (full-width forms folded, see
redaction.normalise), matched as whole tokens (no letter or digit directly before or after), at most
64 characters long, written with explicit characters or classes (`.` and negated classes are refused: the
stream must know which characters a value can hold). Custom labels are placeholders, reveal, output
policy (`HUSHDESK_OUTPUT_POLICY=MEMBER_ID=block`), audit counts and the dashboard like built-in ones.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .detectors import LABELS, luhn_ok
from .detectors.base import END, LOOKBEHIND, START, PatternDetector, _sre_parse, widths

__all__ = ["ALLOW", "CustomRules", "HookError", "RuleFileError", "load_hooks", "load_rules", "parse_rules",
           "with_rules", "VALIDATORS", "ENTRY_POINT_GROUP"]

ENTRY_POINT_GROUP = "hushdesk.recognizers"

ALLOW = "_ALLOW"  # the label of allow-list terms: never a placeholder (a custom label cannot start with _)
MAX_LEN = 64
MAX_CUE = LOOKBEHIND - 3  # the cue and up to two separator characters fit the stream's lookbehind
_LABEL = re.compile(r"[A-Z][A-Z0-9_]{1,30}")
_KEYS = {"label", "patterns", "cues", "validator", "case_sensitive", "deny"}
_CUE_SEPARATORS = ("", " ", ":", ": ", "#", " #")


def _digits(value: str) -> str:
    return "".join(c for c in value if c.isdigit())


def _cn_id(value: str) -> bool:
    from .detectors.numbers import cn_id_score

    return cn_id_score(value) > 0


VALIDATORS: dict[str, Callable[[str], Any]] = {
    "luhn": lambda v: len(_digits(v)) > 1 and luhn_ok(_digits(v)),
    "cn_id": _cn_id,
    "not_all_same": lambda v: len(set(_digits(v))) > 1,
}


class RuleFileError(ValueError):
    """A recognizer file that cannot be used; the message names the file's line and the rule it breaks."""


@dataclass(frozen=True)
class CustomRules:
    """What a recognizer file adds: detectors (deny terms and allow terms included) and its labels."""

    detectors: tuple[PatternDetector, ...] = ()
    labels: tuple[str, ...] = ()
    allow: tuple[str, ...] = ()


def _alphabet(pattern: str, flags: int) -> frozenset[str]:
    """Every character a match of `pattern` can consume; ValueError for `.` or a negated class."""
    chars: set[str] = set()

    def walk(items) -> None:
        for op, arg in items:
            name = str(op)
            if name == "LITERAL":
                chars.add(chr(arg))
            elif name == "IN":
                for sub, sarg in arg:
                    sname = str(sub)
                    if sname == "LITERAL":
                        chars.add(chr(sarg))
                    elif sname == "RANGE":
                        if sarg[1] - sarg[0] > 0x5200:
                            raise ValueError("a class range too wide to stream")
                        chars.update(map(chr, range(sarg[0], sarg[1] + 1)))
                    elif sname == "CATEGORY" and str(sarg) == "CATEGORY_DIGIT":
                        chars.update("0123456789")
                    elif sname == "CATEGORY" and str(sarg) == "CATEGORY_WORD":
                        chars.update("0123456789_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
                    elif sname == "CATEGORY" and str(sarg) == "CATEGORY_SPACE":
                        chars.update(" \t")
                    else:  # NEGATE and the negated categories
                        raise ValueError("a negated class")
            elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                walk(arg[2])
            elif name == "SUBPATTERN":
                walk(arg[-1])
            elif name == "BRANCH":
                for branch in arg[1]:
                    walk(branch)
            elif name == "ATOMIC_GROUP":
                walk(arg)
            elif name in ("AT", "ASSERT", "ASSERT_NOT"):
                continue  # consumes nothing
            else:  # ANY, GROUPREF, ...
                raise ValueError("a character the stream cannot know")

    walk(_sre_parse.parse(pattern, flags))
    if flags & re.IGNORECASE:
        chars |= {c.swapcase() for c in chars}
    return frozenset(chars)


def _cue_lookbehind(cues: list[str]) -> str:
    """True right after a cue followed by one of the separators (`会员号:`, `member no `)."""
    forms = sorted({c + s for c in cues for s in _CUE_SEPARATORS}, key=len, reverse=True)
    by_len: dict[int, list[str]] = {}
    for form in forms:
        by_len.setdefault(len(form), []).append(re.escape(form))
    return "(?:" + "|".join(f"(?<={'|'.join(v)})" for _, v in sorted(by_len.items(), reverse=True)) + ")"


def _term_pattern(term: str) -> str:
    body = re.escape(term)
    head = START if term[0].isascii() and term[0].isalnum() else ""
    tail = END if term[-1].isascii() and term[-1].isalnum() else ""
    return head + body + tail


def _term_detector(label: str, terms: list[str]) -> PatternDetector:
    alphabet = frozenset("".join(terms)) | frozenset("".join(terms).swapcase())
    pattern = "(?:" + "|".join(_term_pattern(t) for t in sorted(terms, key=len, reverse=True)) + ")"
    return PatternDetector(label, pattern, None, alphabet, flags=re.IGNORECASE,
                           required=tuple({t[0].lower() for t in terms} | {t[0].upper() for t in terms}),
                           starts=frozenset(t[0] for t in terms) | frozenset(t[0].swapcase() for t in terms))


class _Lines:
    """Line numbers of `[[recognizer]]` tables and of values inside them, for error messages."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.tables = [i + 1 for i, line in enumerate(self.lines) if line.strip().startswith("[[recognizer]]")]

    def of(self, index: int, needle: str | None = None) -> int:
        start = self.tables[index] if index < len(self.tables) else 1
        end = self.tables[index + 1] if index + 1 < len(self.tables) else len(self.lines) + 1
        if needle:
            for n in range(start, end):
                if needle in self.lines[n - 1]:
                    return n
        return start


def _strings(value: Any, what: str, fail: Callable[[str], RuleFileError]) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise fail(f"{what} must be a list of non-empty strings")
    return [v.strip() for v in value]


def _recognizer(index: int, entry: Any, lines: _Lines, path: str) -> tuple[str, list[PatternDetector]]:
    def fail(rule: str, needle: str | None = None) -> RuleFileError:
        return RuleFileError(f"{path}, line {lines.of(index, needle)}: {rule}.")

    if not isinstance(entry, dict):
        raise fail("a [[recognizer]] must be a table")
    unknown = sorted(set(entry) - _KEYS)
    if unknown:
        raise fail(f"unknown key {unknown[0]!r} (known: {', '.join(sorted(_KEYS))})", unknown[0])
    label = entry.get("label")
    if not isinstance(label, str) or not _LABEL.fullmatch(label):
        raise fail("label must be upper-case letters, digits and _ (2 to 31, starting with a letter)", "label")
    if "patterns" not in entry and "deny" not in entry:
        raise fail("a recognizer needs patterns, deny terms or both")
    flags = 0 if entry.get("case_sensitive", False) is True else re.IGNORECASE
    if not isinstance(entry.get("case_sensitive", False), bool):
        raise fail("case_sensitive must be true or false", "case_sensitive")
    validator = entry.get("validator")
    if validator is not None and validator not in VALIDATORS:
        raise fail(f"validator must be one of {', '.join(sorted(VALIDATORS))}", "validator")
    cues = _strings(entry["cues"], "cues", lambda r: fail(r, "cues")) if "cues" in entry else []
    for cue in cues:
        if len(cue) > MAX_CUE:
            raise fail(f"a cue is at most {MAX_CUE} characters", cue)
    detectors = []
    for pattern in _strings(entry["patterns"], "patterns", lambda r: fail(r, "patterns")) if "patterns" in entry else []:
        try:
            low, high = widths(pattern, flags | re.ASCII)
            alphabet = _alphabet(pattern, flags | re.ASCII)
        except (re.error, RecursionError, OverflowError):
            raise fail("a pattern is not a valid regular expression", pattern) from None
        except ValueError as exc:
            raise fail(f"a pattern uses {exc}; write the characters a value may hold explicitly", pattern) from None
        if low == 0:
            raise fail("a pattern can match an empty string", pattern)
        if high >= _sre_parse.MAXREPEAT or high > MAX_LEN:
            raise fail(f"a pattern can match more than {MAX_LEN} characters", pattern)
        full = (_cue_lookbehind(cues) if cues else "") + START + "(?:" + pattern + ")" + END
        detectors.append(PatternDetector(label, full, None, alphabet, validate=VALIDATORS.get(validator or ""),
                                         flags=flags, required=tuple(cues)))
    if "deny" in entry:
        terms = _strings(entry["deny"], "deny", lambda r: fail(r, "deny"))
        for term in terms:
            if len(term) > MAX_LEN:
                raise fail(f"a deny term is at most {MAX_LEN} characters", term)
        detectors.append(_term_detector(label, terms))
    return label, detectors


def parse_rules(text: str, path: str = "recognizer file") -> CustomRules:
    """Rules from the text of a recognizer file (see the module docstring); RuleFileError names the line."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = getattr(exc, "lineno", None) or _toml_line(str(exc))
        raise RuleFileError(f"{path}, line {line}: not valid TOML.") from None
    lines = _Lines(text)
    unknown = sorted(set(data) - {"recognizer", "allow"})
    if unknown:
        raise RuleFileError(f"{path}: unknown table {unknown[0]!r} (known: [[recognizer]], [allow]).")
    entries = data.get("recognizer", [])
    if not isinstance(entries, list):
        raise RuleFileError(f"{path}: recognizers are written [[recognizer]].")
    detectors: list[PatternDetector] = []
    labels: list[str] = []
    for index, entry in enumerate(entries):
        label, made = _recognizer(index, entry, lines, path)
        detectors += made
        if label not in LABELS and label not in labels:
            labels.append(label)
    allow: list[str] = []
    if "allow" in data:
        table = data["allow"]
        line = next((i + 1 for i, l in enumerate(lines.lines) if l.strip().startswith("[allow]")), 1)
        if not isinstance(table, dict) or set(table) != {"terms"}:
            raise RuleFileError(f"{path}, line {line}: [allow] holds one key, terms.")
        allow = _strings(table["terms"], "terms", lambda r: RuleFileError(f"{path}, line {line}: {r}."))
        if any(len(t) > MAX_LEN for t in allow):
            raise RuleFileError(f"{path}, line {line}: an allowed term is at most {MAX_LEN} characters.")
        detectors.append(_term_detector(ALLOW, allow))
    return CustomRules(tuple(detectors), tuple(labels), tuple(allow))


def _toml_line(message: str) -> int:
    m = re.search(r"line (\d+)", message)
    return int(m.group(1)) if m else 1


def load_rules(path: Path) -> CustomRules:
    """Rules from a recognizer file; RuleFileError (naming the line) when it is unreadable or wrong."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        raise RuleFileError(f"{path}: cannot be read as UTF-8 text.") from None
    return parse_rules(text, str(path))


def with_rules(rules: CustomRules, detectors: list[PatternDetector]) -> list[PatternDetector]:
    """`detectors` with a file's rules ahead of them: a company's rule wins a tie with a built-in one."""
    return list(rules.detectors) + list(detectors)


class HookError(ValueError):
    """A Python recognizer that cannot be used; the message names the hook, never its exception's text."""


def _build_hook(name: str, factory: Any) -> Any:
    try:
        recognizer = factory()
    except Exception:
        raise HookError(f"recognizer {name} could not be built (calling it raised an error).") from None
    labels = getattr(recognizer, "labels", None)
    if not isinstance(labels, tuple) or not labels or not all(
            isinstance(label, str) and _LABEL.fullmatch(label) for label in labels):
        raise HookError(f"recognizer {name} must have labels, a tuple of upper-case label names.")
    if not callable(getattr(recognizer, "find", None)):
        raise HookError(f"recognizer {name} must have a method find(text).")
    try:
        spans = list(recognizer.find("hushdesk self-check 13812345678"))
        if not all(len(sp) == 4 and sp[2] in labels for sp in spans):
            raise HookError(f"recognizer {name} returned a span that is not (start, end, label, score) with "
                            "one of its labels.")
    except HookError:
        raise
    except Exception:
        raise HookError(f"recognizer {name} failed on a test text.") from None
    return recognizer


def load_hooks(specs: tuple[str, ...] | list[str] = (), entry_points: bool = True) -> tuple[Any, ...]:
    """The Python recognizers named `module:attribute` in `specs`, then those registered as entry points of
    the `hushdesk.recognizers` group; each attribute is a class or factory called once with no arguments.
    HookError (naming the hook) when one cannot be imported, built or used."""
    import importlib
    from importlib.metadata import entry_points as _entry_points

    out = []
    for spec in specs:
        module, _, attr = spec.partition(":")
        try:
            target: Any = importlib.import_module(module)
            for part in attr.split("."):
                target = getattr(target, part)
        except Exception:
            raise HookError(f"recognizer {spec} could not be imported.") from None
        out.append(_build_hook(spec, target))
    if entry_points:
        for ep in _entry_points(group=ENTRY_POINT_GROUP):
            try:
                target = ep.load()
            except Exception:
                raise HookError(f"recognizer entry point {ep.name} could not be imported.") from None
            out.append(_build_hook(f"entry point {ep.name}", target))
    return tuple(out)
