"""One chat turn: redact in -> search the knowledge base -> stream from the engine -> redact out -> audit.
No UI import here.

The model only ever sees redacted text: the history kept in `Conversation` is the redacted one,
and the reply is passed through a `StreamRedactor` so no character reaches `on_text` before it is
known to be safe. Passages from the knowledge base (redacted at ingestion) go to the model in the
system message of that turn only, numbered as sources; they are never kept in the history. Every
turn, whatever its outcome, is audited as one `TurnRecord` holding counts, timings and hashes
(for a search: how many passages, their documents' SHA-256, the top score, the search's time, keyed
hashes of the collections), never text.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Awaitable, Callable

from redaction import (OutputPolicy, Placeholders, Redaction, Redactor, StreamRedactor, build_detectors,
                       escape_placeholders)
from redaction.normalise import INVISIBLE_CLASS

from .audit import AuditLog, AuthRecord, TurnRecord
from .engine.client import LLMClient
from .errors import AuditUnavailable, EngineError, HushdeskError, InputRejected, ReplyBlocked, StoreError
from .i18n import MESSAGES
from .kb.answer import Knowledge, Retrieval, Source, cited, context_message
from .limits import LimitRefused, TurnLimiter
from .roles import CHAT_ROLES

__all__ = ["Conversation", "ChatService", "TurnPolicy", "TurnResult", "OnText", "RoleCannotChat", "ConsentRequired",
           "KnowledgeUnavailable", "Mark", "Shown", "MISS_LABELS"]

log = logging.getLogger("hushdesk.chat")

OnText = Callable[[str], Awaitable[None]]

_SURROGATES = re.compile(r"[\ud800-\udfff]")
# C0 controls except tab, newline and carriage return, and every invisible character the detectors'
# view removes (format characters, tags, variation selectors, Hangul fillers; see redaction.normalise):
# they carry nothing a person means to send. Accents and keycaps stay (the detectors read through them).
# Bidi controls stay too: the redactor needs them to check a right-to-left run in the order it is shown
# as well as the order it is stored (redaction.normalise.bidi_views); dropped here, a number typed
# reversed inside an override would reach the model unnoticed.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f" + INVISIBLE_CLASS + "]")
# Full-width forms of ASCII letters, digits and the characters PII is written with (a Chinese input
# method in full-width mode types １３８…), and odd spaces, folded to ASCII so the detectors see them.
# Only these: full-width Chinese punctuation such as ，。？ is left as typed.
_FOLD = {ord(c) + 0xFEE0: c for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz@.-+_%()"}
_FOLD.update({0x00A0: " ", 0x2007: " ", 0x202F: " ", 0x3000: " ", 0x2010: "-", 0x2011: "-",
              0x2012: "-", 0x2013: "-", 0x2212: "-"})


AUDIT_UNAVAILABLE = AuditUnavailable.default_message


class RoleCannotChat(HushdeskError):
    """The signed-in role does not chat (auditors read the trail instead). Not audited as a turn."""

    outcome = "role_cannot_chat"
    default_message = MESSAGES["role_cannot_chat"]["en"]
    translations = {"zh-CN": MESSAGES["role_cannot_chat"]["zh-CN"]}


class ConsentRequired(HushdeskError):
    """The user has not accepted the consent notice in force. Not audited as a turn."""

    outcome = "consent_required"
    default_message = MESSAGES["consent_required"]["en"]
    translations = {"zh-CN": MESSAGES["consent_required"]["zh-CN"]}


class KnowledgeUnavailable(HushdeskError):
    """The knowledge base could not be searched for this turn; audited, nothing sent to the engine."""

    outcome = "kb_unavailable"
    default_message = MESSAGES["kb_unavailable"]["en"]
    translations = {"zh-CN": MESSAGES["kb_unavailable"]["zh-CN"]}


# Labels staff may give a value the redaction missed: the built-in ones and CUSTOM (anything else).
MISS_LABELS = ("PERSON", "PHONE", "ADDRESS", "EMAIL", "CN_ID", "BANK_CARD", "CREDIT_CARD", "PASSPORT", "ORDER_ID",
               "LICENSE_PLATE", "IP", "US_SSN", "UK_NINO", "UK_NHS", "CUSTOM")
_MASK_MAX = 200  # characters of one text staff mask by hand
_MASKS_MAX = 50  # such texts per conversation
_SHOWN_MAX = 200  # turns whose marks are kept for the page
_PENDING_MAX = 5  # messages waiting to be sent (check before sending)


@dataclass(frozen=True)
class Mark:
    """One value masked in a staff member's message: its placeholder, label and the value as typed."""

    placeholder: str
    label: str
    value: str


@dataclass(frozen=True)
class Shown:
    """What the page shows of one sent message: the text the model received and the values masked in it.
    In memory only, for the staff member's own page (the values are theirs); never logged or stored."""

    turn: str
    sent: str
    marks: tuple[Mark, ...]
    pending: bool = False  # checked before sending: not sent yet


@dataclass(eq=False)  # compared and hashed by identity: the runtime keeps weak sets of them
class Conversation:
    """One chat session's state, in memory only: hashed identities, redacted history, placeholders,
    and whether the user has yet to accept the consent notice in force (set by the sign-in service).

    `groups`: the identity provider's groups of the user (for knowledge-base grants); `knowledge`:
    whether this conversation answers from the knowledge base; `collections`: the ones it chose
    (None: every collection the user may read)."""

    session_hash: str
    user_hash: str
    role: str
    placeholders: Placeholders = field(default_factory=Placeholders)
    history: list[dict[str, str]] = field(default_factory=list)
    consent_pending: bool = False
    groups: tuple[str, ...] = ()
    knowledge: bool = True
    collections: tuple[str, ...] | None = None
    shown: deque[Shown] = field(default_factory=lambda: deque(maxlen=_SHOWN_MAX))
    turn_ids: list[str] = field(default_factory=list)  # one per exchange in `history`
    masks: list[tuple[str, str]] = field(default_factory=list)  # (text, label) staff masked by hand
    check: bool = False  # check before sending: a message waits, redacted, until staff send it
    pending: dict[str, str] = field(default_factory=dict)  # turn id -> the message waiting to be sent

    def clear(self) -> None:
        """Forget the history, the placeholder vault, the marks and the hand-made masks."""
        self.history.clear()
        self.placeholders.clear()
        self.shown.clear()
        self.turn_ids.clear()
        self.masks.clear()
        self.pending.clear()

    def shown_for(self, turn: str) -> Shown | None:
        return next((s for s in reversed(self.shown) if s.turn == turn), None)

    def forget_turn(self, turn: str) -> bool:
        """Take one exchange out of the history (the model will not see it again); False if not there."""
        if turn not in self.turn_ids:
            return False
        i = self.turn_ids.index(turn)
        del self.turn_ids[i]
        del self.history[2 * i:2 * i + 2]
        return True

    def cancel(self, turn: str) -> bool:
        """Drop a message waiting to be sent (check before sending); False if none waits under `turn`."""
        if self.pending.pop(turn, None) is None:
            return False
        for s in [s for s in self.shown if s.turn == turn]:
            self.shown.remove(s)
        return True

    def mask(self, text: str, label: str) -> None:
        """Mask `text` as `label` in every later message of this conversation."""
        if text not in (t for t, _ in self.masks):
            self.masks.append((text, label))
            del self.masks[:-_MASKS_MAX]


@dataclass(frozen=True)
class TurnPolicy:
    """How turns are run, read once from the settings."""

    system_prompt: str
    max_input_chars: int
    history_turns: int
    output: OutputPolicy = OutputPolicy()
    reveal: bool = True  # put staff's own values back where the reply uses their placeholders


@dataclass(frozen=True)
class TurnResult:
    """How a turn ended; every outcome comes back here (only cancellation raises).

    `outcome` is its audit label; `error` is set unless it succeeded, and the UI shows its text.
    `retract`: whatever was shown of the reply must be taken back and replaced by the error's text
    (a blocked value in the reply, or a turn whose audit row could not be written). `record`/`seq`
    are None for a turn refused before it began (role, consent) or that could not be audited.
    `sources`: the knowledge-base passages given to the model, numbered as it was told to cite them.
    """

    outcome: str
    reply: str
    error: HushdeskError | None
    record: TurnRecord | None = None
    seq: int | None = None
    retract: bool = False
    sources: tuple[Source, ...] = ()
    shown: Shown | None = None  # what the model received of the message, once it was redacted

    @property
    def cited(self) -> tuple[Source, ...]:
        """The sources to show under the reply: those it cites as `[n]` (all, when it cites none)."""
        return cited(self.reply, self.sources) if self.error is None else ()

    @classmethod
    def refused(cls, error: HushdeskError, *, retract: bool = False) -> "TurnResult":
        return cls(error.outcome, "", error, retract=retract)


def clean_input(text: str) -> str:
    """Replace lone surrogates, drop invisible and control characters, fold full-width ASCII forms."""
    return _CONTROLS.sub("", _SURROGATES.sub("\ufffd", text)).translate(_FOLD)


class ChatService:
    """Runs turns against an engine, auditing each; one instance serves all sessions."""

    def __init__(self, llm: LLMClient, audit: AuditLog, policy: TurnPolicy, *, redactor: Redactor | None = None,
                 limiter: TurnLimiter | None = None, on_engine_turn: Callable[[], None] | None = None,
                 knowledge: Knowledge | None = None, affinity: Callable[[str], str] | None = None,
                 on_record: Callable[..., None] | None = None) -> None:
        self._llm = llm
        # Each ended turn's record, once written (None with its outcome when it could not be): metrics.
        self._on_record = on_record
        self._affinity = affinity  # session hash -> the engine router's affinity value (keyed again)
        self._knowledge = knowledge
        self._audit = audit
        self._redactor = redactor if redactor is not None else Redactor(build_detectors())
        self._limiter = limiter
        self._on_engine_turn = on_engine_turn  # the engine answered (or tried): counts toward recycling
        self._policy = policy.output
        self._reveal = policy.reveal
        self._system_prompt = policy.system_prompt
        self._max_input_chars = policy.max_input_chars
        self._history_turns = policy.history_turns

    def _messages(self, conv: Conversation, user_text: str, retrieval: Retrieval | None) -> list[dict[str, str]]:
        # The history is kept trimmed to the turns that are sent (see turn()); passages are this turn's only.
        system = self._system_prompt if retrieval is None else f"{self._system_prompt}\n\n{context_message(retrieval, user_text)}"
        return [{"role": "system", "content": system}, *conv.history, {"role": "user", "content": user_text}]

    async def collections_for(self, conv: Conversation | None) -> tuple[str, ...]:
        """The knowledge-base collections this conversation's user may search (none without a knowledge
        base, or for a role that does not chat)."""
        if self._knowledge is None or conv is None or conv.role not in CHAT_ROLES:
            return ()
        try:
            return await asyncio.to_thread(self._knowledge.readable, conv.role, conv.groups)
        except HushdeskError as exc:
            log.error("knowledge base not readable: %s", exc.outcome)
            return ()

    @staticmethod
    def choose(conv: Conversation | None, values: object) -> None:
        """Apply the chat settings a user sent: `kb` (use the knowledge base), `kb_collections` (which
        ones) and `check` (check before sending). Values of the wrong type are ignored; collections are only ever narrowed to readable ones
        when searching, so naming another changes nothing."""
        if conv is None or not isinstance(values, dict):
            return
        use, chosen, check = values.get("kb"), values.get("kb_collections"), values.get("check")
        if isinstance(use, bool):
            conv.knowledge = use
        if isinstance(check, bool):
            conv.check = check
        if isinstance(chosen, list) and all(isinstance(c, str) for c in chosen):
            conv.collections = tuple(chosen)

    async def _retrieve(self, conv: Conversation, question: str) -> Retrieval | None:
        """Search the knowledge base for the redacted question, off the event loop; None when knowledge is
        off or there is nothing this user may search. KnowledgeUnavailable when the search fails."""
        if self._knowledge is None or not conv.knowledge or self._knowledge.nothing_to_search(conv.role, conv.groups):
            return None  # the last check (seconds ago) found nothing to search: no thread hop, no query
        try:
            return await asyncio.to_thread(self._knowledge.retrieve, question, conv.role, conv.groups,
                                           conv.collections)
        except Exception as exc:  # never the question or a passage in a log: the type only
            log.error("knowledge search failed: %s", type(exc).__name__)
            raise KnowledgeUnavailable() from None

    def _check(self, text: str) -> str:
        text = clean_input(text)
        if not text.strip():
            raise InputRejected("Please type a message.")
        if len(text) > self._max_input_chars:
            raise InputRejected(f"That message is too long: {self._max_input_chars} characters at most.")
        # A typed `[PHONE_1]` must never become, or be revealed as, the vault's [PHONE_1].
        return escape_placeholders(text)

    @staticmethod
    def refusal(conv: Conversation | None) -> HushdeskError | None:
        """Why this conversation may not send a message now (role, consent), or None."""
        if conv is None or conv.role not in CHAT_ROLES:
            return RoleCannotChat()
        if conv.consent_pending:
            return ConsentRequired()
        return None

    async def turn(self, conv: Conversation | None, text: str, on_text: OnText, *, turn_id: str = "") -> TurnResult:
        """Answer one message within the limits; every outcome is returned, none raised but cancellation.

        A role or consent refusal is returned before anything runs (no audit row: nothing was asked);
        a limit refusal is audited and returned; a turn whose row cannot be written is returned with
        `retract` set, so the UI takes back whatever it showed.
        """
        refused = self.refusal(conv)
        if refused is not None:
            return TurnResult.refused(refused)
        assert conv is not None
        try:
            return await self._admitted(conv, text, on_text, turn_id)
        except AuditUnavailable as exc:
            return TurnResult.refused(exc, retract=True)
        except StoreError:  # the shared store could not count the message (a database down): nothing sent
            self._observe(None, AuditUnavailable.outcome)
            return TurnResult.refused(AuditUnavailable(), retract=True)

    async def _admitted(self, conv: Conversation, text: str, on_text: OnText, turn_id: str) -> TurnResult:
        if self._limiter is None:
            return await self._turn(conv, text, on_text, turn_id)
        started = time.perf_counter()
        admitted = False
        try:
            async with self._limiter.admit(conv.user_hash, conv.session_hash):
                admitted = True
                return await self._turn(conv, text, on_text, turn_id)
        except LimitRefused as exc:
            record, seq = await self._record(conv, exc.outcome, started)
            return TurnResult(exc.outcome, "", exc, record, seq)
        except asyncio.CancelledError:
            if not admitted:  # ended while waiting in the queue: audited as cancelled too
                await asyncio.shield(self._record(conv, "cancelled", started))
            raise

    async def _turn(self, conv: Conversation, text: str, on_text: OnText, turn_id: str = "") -> TurnResult:
        """Answer one message, streaming safe text to `on_text`; never raises for engine failures.

        `on_text` receives the redacted reply, with the staff member's own values revealed where the
        reply uses their placeholders (if revealing is on). The history keeps the redacted reply only.
        If the reply holds a label the output policy blocks, the stream stops there and the turn ends
        with ReplyBlocked: the UI must then replace whatever it showed with that error's message.
        Raises AuditUnavailable only when the audit row could not be written (`turn` returns it).
        """
        started = time.perf_counter()
        ttft: float | None = None
        counts_in: dict[str, int] = {}
        reply_parts: list[str] = []
        redactor = StreamRedactor(conv.placeholders, redactor=self._redactor)
        # A label the output policy blocks is never put back on screen, even a value staff typed.
        revealer = conv.placeholders.revealer(self._policy.block) if self._reveal else None
        policy = self._policy
        stats = None
        retrieval: Retrieval | None = None
        error: HushdeskError | None = None
        outcome = "ok"
        shown: Shown | None = None

        async def emit(piece: str) -> None:
            nonlocal ttft
            if not piece:
                return
            if policy.block and policy.blocks(redactor.counts):
                raise ReplyBlocked()
            if ttft is None:
                ttft = (time.perf_counter() - started) * 1000
            reply_parts.append(piece)
            shown = piece if revealer is None else revealer.feed(piece)
            if shown:
                await on_text(shown)

        async def emit_tail() -> None:
            await emit(redactor.flush())
            if revealer is not None:
                tail = revealer.flush()
                if tail:
                    await on_text(tail)

        # Never a turn without its row: when the trail cannot be written, refuse before the engine; and
        # if this process dies before the row is written, its marker becomes an `interrupted` row.
        self._audit.check_writable()
        marker = self._audit.open_turn(self._turn_record(conv, "interrupted", latency_ms=0.0))
        try:
            redacted, counts_in = self._redact_in(conv, text)
            shown = self._shown(conv, turn_id, redacted.text)
            retrieval = await self._retrieve(conv, redacted.text)
            messages = self._messages(conv, redacted.text, retrieval)
            stream = await self._llm.stream(
                messages, affinity=self._affinity(conv.session_hash) if self._affinity is not None else None)
            feed = redactor.feed
            deltas = stream.__aiter__()
            try:
                async for delta in deltas:
                    piece = feed(delta)
                    if piece:
                        await emit(piece)
            except EngineError:
                await emit_tail()  # what was held back is still shown, redacted, after a failure
                raise
            finally:
                await deltas.aclose()  # stops the engine's generation when the reply is blocked
                await stream.aclose()  # also when no delta was read (cancelled at once)
                stats = stream.stats
            await emit_tail()
            exchange = ({"role": "user", "content": redacted.text},
                        {"role": "assistant", "content": "".join(reply_parts)})
        except HushdeskError as exc:
            error, outcome = exc, exc.outcome
        except asyncio.CancelledError:
            outcome = "cancelled"
            await asyncio.shield(self._record(conv, outcome, started, ttft=ttft, counts_in=counts_in,
                                              counts_out=dict(redactor.counts), stats=stats, retrieval=retrieval,
                                              closes=marker))
            raise
        except Exception as exc:  # a bug must not leak its text to the user; log the type only
            log.error("turn failed unexpectedly: %s", type(exc).__name__)
            error, outcome = EngineError(), "internal_error"
        if stats is not None and self._on_engine_turn is not None:
            self._on_engine_turn()
        record, seq = await self._record(conv, outcome, started, ttft=ttft, counts_in=counts_in,
                                        counts_out=dict(redactor.counts), stats=stats, retrieval=retrieval,
                                        closes=marker)
        if error is None:  # kept only once its row is written: an unaudited reply is never built on
            conv.history.extend(exchange)
            conv.turn_ids.append(turn_id)
            del conv.history[:-2 * self._history_turns or len(conv.history)]  # only what is sent
            del conv.turn_ids[:-self._history_turns or len(conv.turn_ids)]
        if error is not None:
            log.info("turn ended: %s", outcome)
        return TurnResult(outcome, "".join(reply_parts), error, record, seq, retract=isinstance(error, ReplyBlocked),
                          sources=retrieval.sources if retrieval is not None else (), shown=shown)

    def _redact_in(self, conv: Conversation, text: str) -> tuple[Redaction, dict[str, int]]:
        """A message as the model receives it: checked, hand-made masks applied, redacted; and its counts
        per label (InputRejected for an empty or oversized one)."""
        clean, masked = self._masked(conv, self._check(text))
        redacted = self._redactor.redact(clean, conv.placeholders, revealable=True)
        counts = dict(redacted.counts)
        for label, n in masked.items():
            counts[label] = counts.get(label, 0) + n
        return redacted, counts

    @staticmethod
    def _masked(conv: Conversation, text: str) -> tuple[str, dict[str, int]]:
        """`text` with what staff masked by hand earlier in this conversation replaced by its placeholder
        (`[CUSTOM_1]`, or the label they chose), and the count per label."""
        counts: dict[str, int] = {}
        for value, label in conv.masks:
            n = text.count(value)
            if n:
                text = text.replace(value, conv.placeholders.placeholder(label, value, revealable=True))
                counts[label] = counts.get(label, 0) + n
        return text, counts

    @staticmethod
    def _shown(conv: Conversation, turn_id: str, sent: str, pending: bool = False) -> Shown | None:
        """Keep what the page may show of this message (no id: a caller without a page); a message
        checked before sending keeps one entry, updated as it is masked and when it is sent."""
        if not turn_id:
            return None
        vault = conv.placeholders
        marks = []
        for tag in vault.issued_in(sent):
            value = vault.value_of(tag)
            if value is not None:
                marks.append(Mark(tag, tag[1:tag.rindex("_")], value))
        shown = Shown(turn_id, sent, tuple(marks), pending)
        for i, old in enumerate(conv.shown):
            if old.turn == turn_id:
                conv.shown[i] = shown
                return shown
        conv.shown.append(shown)
        return shown

    def preview(self, conv: Conversation, text: str, turn_id: str) -> Shown:
        """Check before sending: redact a message as its turn would and keep it waiting (nothing reaches
        the engine, nothing is audited until it is sent). InputRejected for an empty or oversized one."""
        redacted, _ = self._redact_in(conv, text)
        conv.pending[turn_id] = text
        while len(conv.pending) > _PENDING_MAX:
            conv.pending.pop(next(iter(conv.pending)))
        shown = self._shown(conv, turn_id, redacted.text, pending=True)
        assert shown is not None
        return shown

    def mask_pending(self, conv: Conversation, turn_id: str, text: str, label: str) -> Shown | None:
        """Mask `text` as `label` (`CUSTOM` or a built-in label) from now on and show the waiting message
        again as the model would see it; None when there is no such waiting message or the mask is bad."""
        text = clean_input(text).strip()
        if turn_id not in conv.pending or label not in MISS_LABELS or not text or len(text) > _MASK_MAX:
            return None
        conv.mask(text, label)
        return self.preview(conv, conv.pending[turn_id], turn_id)

    async def send_pending(self, conv: Conversation, turn_id: str, on_text: OnText) -> TurnResult | None:
        """Send the waiting message as a turn (with every mask made meanwhile); None if none waits."""
        text = conv.pending.pop(turn_id, None)
        if text is None:
            return None
        return await self.turn(conv, text, on_text, turn_id=turn_id)

    async def report_miss(self, conv: Conversation, turn_id: str, label: str, text: str = "") -> bool:
        """Staff say a value in one of their messages was not masked: that exchange leaves the history
        (the model will not see it again), `text` (if given) is masked as `label` for the rest of the
        conversation, and the audit gains a `redaction_miss_reported` row with the label only. False when
        the turn is not this conversation's or the label or text is not acceptable."""
        text = clean_input(text).strip()
        if label not in MISS_LABELS or conv.shown_for(turn_id) is None or len(text) > _MASK_MAX:
            return False
        conv.forget_turn(turn_id)
        if text:
            conv.mask(text, label)
        try:
            await self._audit.write(AuthRecord("redaction_miss_reported", conv.user_hash, role=conv.role,
                                               session_hash=conv.session_hash, outcome=label))
        except StoreError:
            raise AuditUnavailable() from None
        return True

    def _turn_record(self, conv: Conversation, outcome: str, *, latency_ms: float, ttft: float | None = None,
                     counts_in: dict[str, int] | None = None, counts_out: dict[str, int] | None = None,
                     stats=None, retrieval: Retrieval | None = None) -> TurnRecord:
        """A turn's audit record: the conversation's hashes and role, counts and timings, never text."""
        kb = {} if retrieval is None else {
            "kb_passages": len(retrieval.sources), "kb_documents": retrieval.documents,
            "kb_top_score": min(1.0, max(0.0, float(retrieval.top_score))), "kb_latency_ms": retrieval.latency_ms,
            "kb_collections": retrieval.collection_hashes}
        return TurnRecord(
            session_hash=conv.session_hash,
            user_hash=conv.user_hash,
            role=conv.role,
            model=self._llm.model_name or "",
            prompt_tokens=stats.prompt_tokens if stats else None,
            completion_tokens=(stats.completion_tokens if stats.completion_tokens is not None
                               else stats.chunks) if stats else None,
            ttft_ms=ttft,
            latency_ms=latency_ms,
            redactions_in=counts_in or {},
            redactions_out=counts_out or {},
            outcome=outcome,
            **kb,
        )

    async def _record(self, conv: Conversation, outcome: str, started: float, *, ttft: float | None = None,
                      counts_in: dict[str, int] | None = None, counts_out: dict[str, int] | None = None,
                      stats=None, retrieval: Retrieval | None = None,
                      closes: str | None = None) -> tuple[TurnRecord, int]:
        """Write the turn's row (counts, timings, hashes; never text); AuditUnavailable if it cannot be."""
        record = self._turn_record(conv, outcome, latency_ms=(time.perf_counter() - started) * 1000, ttft=ttft,
                                   counts_in=counts_in, counts_out=counts_out, stats=stats, retrieval=retrieval)
        try:
            seq = await self._audit.write(record, closes=closes)
        except Exception as exc:
            if not isinstance(exc, StoreError):
                log.error("audit write failed: %s", type(exc).__name__)
            self._observe(None, AuditUnavailable.outcome)
            raise AuditUnavailable() from None
        self._observe(record)
        return record, seq

    def _observe(self, record: TurnRecord | None, outcome: str | None = None) -> None:
        if self._on_record is not None:
            try:
                self._on_record(record, outcome)
            except Exception as exc:  # noqa: BLE001  (metrics never fail a turn)
                log.error("turn metrics failed: %s", type(exc).__name__)
