"""Operators' metrics in Prometheus's text format, from the Prometheus project's own client library.

One `Metrics` per process, on a registry of its own (never the library's global one). Two kinds of
figures:

- counted as turns end (`turn(record)`, called by the chat service with each turn's audit record, or
  with its outcome alone when the audit row could not be written): turns by outcome, busy refusals,
  time to first token and whole-turn latency histograms, redactions by direction and label, and
  knowledge-base retrievals by result with their latency;
- read when scraped (`_State`): the engine's state, restarts and recycles, turns running and waiting,
  the limits in force, the audit writer, and signed-in sessions by role.

Nothing here names a user, a session or a conversation: every label is a fixed word (an outcome, a
redaction label, an engine state, a role). Sessions by role are counted in the store, so every process
reports the same figure, and a role with fewer sessions than the dashboard's minimum group size
(`HUSHDESK_DASHBOARD_MIN_GROUP`) is left out, as the dashboard would hide it. Figures other than the
sessions are this process's own: with several workers, scrape each (docs/DEPLOYMENT.md).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest

if TYPE_CHECKING:
    from .audit.records import TurnRecord

__all__ = ["Metrics", "CONTENT_TYPE"]

log = logging.getLogger("hushdesk.metrics")

# The classic text format (every Prometheus and compatible scraper reads it; our names need no escaping).
CONTENT_TYPE = CONTENT_TYPE_PLAIN_0_0_4
# Seconds. A GPU engine's first token comes in tens of milliseconds, a queued or CPU one in seconds.
_TTFT_BUCKETS = (0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_TURN_BUCKETS = (0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0)
_KB_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)
_ENGINE_STATES = ("stopped", "starting", "ready", "restarting", "failed")


class Metrics:
    """This process's metrics; `sources` are read at each scrape (see `_State`)."""

    def __init__(self, *, engine: Any = None, limiter: Any = None, audit: Any = None,
                 sessions: Callable[[], dict[str, int]] | None = None, min_group: int = 5,
                 kb_engines: dict[str, Any] | None = None) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        reg = self.registry
        self.turns = Counter("hushdesk_turns", "Chat turns ended, by outcome (the audit row's outcome).",
                             ["outcome"], registry=reg)
        self.busy = Counter("hushdesk_busy_refusals", "Turns refused because the engine's share of turns at once "
                            "and the queue were full.", registry=reg)
        self.ttft = Histogram("hushdesk_time_to_first_token_seconds", "From a message's arrival to the first "
                              "reply text released to the screen (after redaction).", buckets=_TTFT_BUCKETS, registry=reg)
        self.latency = Histogram("hushdesk_turn_duration_seconds", "Whole turns answered by the engine, arrival "
                                 "to the audit row.", buckets=_TURN_BUCKETS, registry=reg)
        self.redactions = Counter("hushdesk_redactions", "Values masked, by direction (in: staff messages; out: "
                                  "model replies) and label.", ["direction", "label"], registry=reg)
        self.kb = Counter("hushdesk_kb_retrievals", "Knowledge-base searches made for a turn, by result "
                          "(passages: some given to the model; none: nothing found).", ["result"], registry=reg)
        self.kb_latency = Histogram("hushdesk_kb_retrieval_seconds", "Knowledge-base search time per turn.",
                                    buckets=_KB_BUCKETS, registry=reg)
        self.write_failures = Counter("hushdesk_audit_write_failures", "Turns whose audit row could not be "
                                      "written (the turn was refused or its reply withdrawn).", registry=reg)
        reg.register(_State(engine, limiter, audit, sessions, min_group, kb_engines or {}))
        ProcessCollector(registry=reg)  # CPU seconds, resident memory, open files of this process

    def turn(self, record: "TurnRecord | None", outcome: str | None = None) -> None:
        """Count one ended turn from its audit record (or, with `record` None, its outcome alone)."""
        outcome = record.outcome if record is not None else (outcome or "error")
        self.turns.labels(outcome).inc()
        if outcome == "busy":
            self.busy.inc()
        if record is None:
            self.write_failures.inc()
            return
        for direction, counts in (("in", record.redactions_in), ("out", record.redactions_out)):
            for label, n in counts.items():
                if n > 0:
                    self.redactions.labels(direction, label).inc(n)
        if record.ttft_ms is not None:
            self.ttft.observe(record.ttft_ms / 1000)
        if record.completion_tokens is not None or record.ttft_ms is not None:  # the engine answered
            self.latency.observe(record.latency_ms / 1000)
        if record.kb_passages is not None:
            self.kb.labels("passages" if record.kb_passages > 0 else "none").inc()
            if record.kb_latency_ms is not None:
                self.kb_latency.observe(record.kb_latency_ms / 1000)

    def exposition(self) -> bytes:
        """The text format (blocking: the sessions are counted in the store; call it off the event loop)."""
        return generate_latest(self.registry)


class _State:
    """Figures read when scraped: the engine, the limiter, the audit writer, sessions by role."""

    def __init__(self, engine: Any, limiter: Any, audit: Any, sessions: Callable[[], dict[str, int]] | None,
                 min_group: int, kb_engines: dict[str, Any]) -> None:
        self.engine, self.limiter, self.audit, self.sessions = engine, limiter, audit, sessions
        self.min_group, self.kb_engines = min_group, kb_engines

    def describe(self) -> list[Metric]:
        return []  # names only known when collected; nothing to check at registration

    def collect(self) -> Iterator[Metric]:
        if self.engine is not None:
            yield from _engine_metrics("hushdesk_engine", "The chat engine", self.engine)
        for kind, engine in self.kb_engines.items():  # "embedding", "rerank"
            yield from _engine_metrics(f"hushdesk_kb_{kind}_engine", f"The knowledge base's {kind} engine", engine)
        if self.limiter is not None:
            yield _gauge("hushdesk_turns_running", "Turns being answered now in this process.", self.limiter.running)
            yield _gauge("hushdesk_turns_waiting", "Turns waiting for a slot in this process (the queue's depth).",
                         self.limiter.waiting)
            yield _gauge("hushdesk_turns_max_running", "This process's share of turns at once.",
                         self.limiter.max_concurrent)
            yield _gauge("hushdesk_turns_max_waiting", "This process's share of the queue.", self.limiter.queue)
        if self.audit is not None:
            yield _gauge("hushdesk_audit_writer_up", "1 while the audit writer runs.", 1 if self.audit.alive else 0)
        if self.sessions is not None:
            yield self._sessions()

    def _sessions(self) -> Metric:
        family = GaugeMetricFamily("hushdesk_sessions_active", "Signed-in sessions not ended or idle, by role, "
                                   "across all processes; roles below the minimum group size are left out.",
                                   labels=["role"])
        try:
            counts = self.sessions()
        except Exception as exc:  # noqa: BLE001  (a store that cannot be read: the figure is left out)
            log.error("sessions could not be counted for the metrics: %s", type(exc).__name__)
            return family
        for role, n in sorted(counts.items()):
            if n >= self.min_group:
                family.add_metric([role], n)
        return family


def _gauge(name: str, doc: str, value: float) -> Metric:
    return GaugeMetricFamily(name, doc, value=value)


def _engine_metrics(prefix: str, what: str, engine: Any) -> Iterator[Metric]:
    state = engine.state
    yield _gauge(f"{prefix}_up", f"{what} answers (1) or not (0).", 1 if state == "ready" else 0)
    family = GaugeMetricFamily(f"{prefix}_state", f"{what}'s state: 1 for the current one.", labels=["state"])
    for name in _ENGINE_STATES:
        family.add_metric([name], 1 if state == name else 0)
    yield family
    yield CounterMetricFamily(f"{prefix}_restarts", f"{what} restarted after it exited or stopped answering.",
                              value=engine.restarts)
    yield CounterMetricFamily(f"{prefix}_recycles", f"{what} restarted on purpose after its turn or age limit.",
                              value=engine.recycles)
