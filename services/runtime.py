"""Everything one hushdesk process needs, built once from Settings: wiring only, no decisions.

`Runtime.open(settings)` loads keys and the store (set-up must have run: it never creates them),
picks the model and the engine, and wires the services: `chat` (one turn: redact, search the knowledge
base, stream, audit),
`signin` (sign-in, consent, logout and their audit rows), `sessions` (the live session registry, whose
endings are audited once through `SessionEndAudit`). `start()` launches the engine in the background so
the UI is up while a large model loads; `stop()` stops it and drains the audit log.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import NoReturn

from .audit import AuditLog
from .audit.remote import checkpoints_for, signer_for
from .auth.sessions import SessionRegistry, SessionStore
from .auth.signin import SessionEndAudit, SignIn
from .auth.throttle import LoginThrottle
from .auth.users import UserStore
from .chat import ChatService, Conversation, TurnPolicy
from .config import Settings, load_settings
from .engine.client import LLMClient
from .engine.demo_model import ensure_demo_model
from .engine.integrity import manifest_path_for
from .engine.supervisor import Engine, create_engine, create_kb_engines, resolve_engine_kind
from .errors import HushdeskError, StoreError
from .keys import Keys, hash_id, load_keys, metrics_token
from .kb.answer import Knowledge, knowledge_base
from .kb.builtin import BuiltinEmbedder
from .kb.index import KnowledgeBase
from .limits import SharedRate, TurnLimiter, sizes_for
from .logs import configure_logging
from .metrics import Metrics
from .redact import redaction_layers, redactor_for
from .store import DAMAGED, damaged_pages, lock_instance, open_store

__all__ = ["Runtime", "resolve_model_dir", "refuse_start", "open_for_server"]

log = logging.getLogger("hushdesk.runtime")

_FIRST_START_RETRY = 10.0


def resolve_model_dir(settings: Settings, keys: Keys | None = None) -> tuple[Path | None, bool]:
    """The model directory to serve and whether it is the generated demo model.

    The demo model is generated with a manifest signed by the instance key (`keys`, else the key
    file), so it passes the check every launch makes.
    """
    if resolve_engine_kind(settings) == "external":
        return None, False
    if settings.model_path is not None:
        return settings.model_path, False
    path = settings.demo_model_dir
    signer = signer_for(settings, keys)
    return ensure_demo_model(path, signer=signer, manifest=manifest_path_for(settings, path)), True


@dataclass
class Runtime:
    """The wired services of one process."""

    settings: Settings
    keys: Keys
    users: UserStore
    audit: AuditLog
    engine: Engine
    llm: LLMClient
    chat: ChatService
    demo: bool
    sessions: SessionRegistry
    signin: SignIn
    lock_fd: int
    started_at: float  # epoch seconds: the dashboard's uptime
    knowledge_base: KnowledgeBase | None = None  # the chat's and the admin pages' (one per process)
    kb_engines: tuple = ()  # the embedding and reranking engines, when configured
    metrics: Metrics | None = None  # GET /metrics (services/web/health.py)
    metrics_token: str | None = None  # its bearer token (HUSHDESK_METRICS_ACCESS=token), read at start
    _task: asyncio.Task | None = None
    _kb_tasks: tuple = ()
    # Each login session's open conversations (a login may have several tabs), for the page's marks.
    _by_login: dict[str, "weakref.WeakSet[Conversation]"] = field(default_factory=dict)

    @classmethod
    def open(cls, settings: Settings) -> "Runtime":
        """Load keys and store, choose the engine; raise a HushdeskError with a safe message."""
        keys = load_keys(settings, create=False)
        lock = lock_instance(settings, shared=settings.workers > 1)  # see lock_instance
        try:
            return cls._wire(settings, keys, lock)
        except BaseException:
            os.close(lock)
            raise

    @classmethod
    def _wire(cls, settings: Settings, keys: Keys, lock: int) -> "Runtime":
        store = open_store(settings, keys, create=False)  # PostgreSQL with HUSHDESK_DATABASE_URL, else the file
        try:
            local = open_store(settings, keys, create=False, local=True) if settings.database_url else store
        except BaseException:
            store.dispose()
            raise
        if damaged_pages(local):  # a damaged store stops the server at start, with a clear message
            store.dispose()
            local.dispose()
            raise StoreError(DAMAGED)
        recognizers = redaction_layers(settings)  # before the engine: a missing model stops start-up
        model_dir, demo = resolve_model_dir(settings)
        if demo:
            log.warning("No HUSHDESK_MODEL_PATH set: serving the generated demo model; its replies quote "
                        "what it received, then random noise.")
        engine = create_engine(settings, model_dir=model_dir, keys=keys, demo=demo)
        sizes = sizes_for(resolve_engine_kind(settings), settings.max_concurrent_turns, settings.turn_queue,
                          settings.workers)
        llm = LLMClient(lambda: engine.endpoint, request_timeout=settings.engine_request_timeout,
                        max_tokens=settings.max_output_tokens, temperature=settings.temperature,
                        connections=sizes.max_concurrent, affinity_header=settings.engine_affinity_header)
        audit = AuditLog(store, keys.chain_key,
                         checkpoints=checkpoints_for(settings, keys),
                         checkpoint_rows=settings.audit_checkpoint_rows,
                         checkpoint_seconds=settings.audit_checkpoint_minutes * 60,
                         store_dir=settings.data_dir, min_free_bytes=settings.audit_min_free_mb * 2**20)
        redactor = redactor_for(settings, recognizers)
        # Embedding and reranking engines only when configured (keyword search alone otherwise).
        embed_engine, rerank_engine = create_kb_engines(settings, keys=keys)
        kb_engines = tuple(e for e in (embed_engine, rerank_engine) if e is not None)
        # The chat's redactor: the name layers load once. Collection names reach the audit row keyed.
        kb = knowledge_base(settings, local, redactor, embed_engine=embed_engine, rerank_engine=rerank_engine)
        if isinstance(kb.embedder, BuiltinEmbedder):
            kb.embedder.warm_up()  # checked and loaded before the first turn; a changed file stops start-up
        knowledge = Knowledge(kb, lambda name: hash_id(keys.pepper, "kb_collection", name))
        policy = TurnPolicy(system_prompt=settings.system_prompt, max_input_chars=settings.max_input_chars,
                            history_turns=settings.history_turns, output=settings.output_policy,
                            reveal=settings.reveal_placeholders)
        limiter = TurnLimiter(per_minute=settings.messages_per_minute, max_concurrent=sizes.max_concurrent,
                              queue=sizes.queue, queue_wait=settings.queue_wait_seconds,
                              shared=SharedRate(store, settings.messages_per_minute)
                              if settings.workers > 1 or settings.database_url else None)
        session_store = SessionStore(store, keys.pepper)
        metrics = Metrics(engine=engine, limiter=limiter, audit=audit, min_group=settings.dashboard_min_group,
                          kb_engines=dict(zip(("embedding", "rerank"), kb_engines)),  # a reranker needs an embedder
                          sessions=lambda: _open_sessions(session_store, settings))
        # The router sees neither the session id nor the audit trail's hash of it: a hash keyed again.
        chat = ChatService(llm, audit, policy, redactor=redactor, limiter=limiter, on_engine_turn=engine.note_turn,
                           knowledge=knowledge, on_record=metrics.turn,
                           affinity=(lambda session_hash: hash_id(keys.pepper, "engine_affinity", session_hash)[:32])
                           if settings.engine_affinity_header else None)
        registry = SessionRegistry(session_store, keys.auth_secret, idle_seconds=settings.session_idle_seconds,
                                   max_seconds=settings.session_max_seconds,
                                   on_end=SessionEndAudit(audit, session_store))
        registry.load()
        throttle = LoginThrottle(free_attempts=settings.login_free_attempts,
                                 address_free_attempts=settings.login_address_free_attempts,
                                 max_delay=settings.login_backoff_max_seconds)
        users = UserStore(store, min_password=settings.password_min_length)
        signin = SignIn(settings, users, registry, throttle, audit)
        return cls(settings, keys, users, audit, engine, llm, chat, demo, registry, signin, lock, time.time(),
                   knowledge_base=kb, kb_engines=kb_engines, metrics=metrics,
                   metrics_token=metrics_token(settings) if settings.metrics_access == "token" else None)

    async def start(self) -> None:
        """Start the audit writer now and the engine in the background."""
        self.audit.start()
        self._task = asyncio.create_task(self._start_engine())
        # Each knowledge-base engine starts in the background the same way; until it answers, adding a
        # document waits for it and a search falls back to keywords.
        self._kb_tasks = tuple(asyncio.create_task(self._start_engine(e)) for e in self.kb_engines)

    async def wait_ready(self, timeout: float) -> None:
        """Wait until the engine answers (tests and benchmarks; the UI does not wait)."""
        if self._task is not None:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        await self.engine.wait_ready(timeout)

    async def _start_engine(self, engine: Engine | None = None) -> None:
        # A first start that fails (a slow first load, a GPU still busy at boot) is retried with
        # back-off like a crash after start; turns meanwhile get "not available".
        engine = self.engine if engine is None else engine
        delay = _FIRST_START_RETRY
        while True:
            try:
                await engine.start()
                return
            except HushdeskError as exc:
                log.error("%s Retrying in %g s.", exc.message, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 300.0)

    async def stop(self) -> None:
        """Stop the engine (no orphan process) and flush the audit log."""
        for task in (self._task, *self._kb_tasks):
            if task is not None and not task.done():
                task.cancel()
        await self.engine.stop()
        for kb_engine in self.kb_engines:
            await kb_engine.stop()
        await self.llm.aclose()
        await asyncio.to_thread(self.audit.close)  # drains queued rows, signs a last checkpoint
        try:
            os.close(self.lock_fd)
        except OSError:
            pass

    def session_hash(self, session_id: str) -> str:
        """Keyed hash of a chat session id."""
        return hash_id(self.keys.pepper, "session", session_id)

    def user_hash(self, name: str) -> str:
        """Keyed hash of a user name, case-folded: names are unique regardless of case (the sign-in's,
        the sessions' and the audit trail's one hash)."""
        return self.signin.user_hash(name)

    def conversation(self, session_id: str, user_name: str, role: str, *, consent_pending: bool = False,
                     groups: object = None, login_sid: str = "") -> Conversation:
        """A fresh conversation for a chat session; `groups` (the identity provider's, when the sign-in
        carried them) decide knowledge-base grants together with the role; `login_sid` is the login
        session it belongs to (its page may then read what the model saw of its messages)."""
        groups = tuple(g for g in groups if isinstance(g, str)) if isinstance(groups, (list, tuple)) else ()
        login = self.login_hash(login_sid) if login_sid else ""
        conv = Conversation(self.session_hash(session_id), self.user_hash(user_name), role,
                            consent_pending=consent_pending, groups=groups, check=self.settings.check_before_sending)
        if login:
            for key in [k for k, convs in self._by_login.items() if not convs]:
                del self._by_login[key]  # logins whose conversations are all gone
            self._by_login.setdefault(login, weakref.WeakSet()).add(conv)
        return conv

    def login_hash(self, login_sid: str) -> str:
        """Keyed hash of a login session id (the key of its conversations here)."""
        return hash_id(self.keys.pepper, "login", login_sid)

    def conversations_of(self, login_sid: str) -> list[Conversation]:
        """The open conversations of one login session (none for an empty id)."""
        convs = self._by_login.get(self.login_hash(login_sid)) if login_sid else None
        return list(convs) if convs else []


def _open_sessions(store: SessionStore, settings: Settings) -> dict[str, int]:
    """Signed-in sessions by role, not ended, expired or idle (the admin page's count)."""
    now = time.time()
    return store.open_count(now - settings.session_max_seconds, now - settings.session_idle_seconds)


def refuse_start(message: str) -> NoReturn:
    """Stop a server that cannot start: the reason on stderr, exit status 2."""
    print(f"hushdesk cannot start: {message}", file=sys.stderr)
    raise SystemExit(2)


def open_for_server() -> Runtime:
    """Settings (with logging configured) and the runtime for the chat server; refuse_start naming a
    missing, malformed or wrong key or setting."""
    try:
        settings = load_settings()
        configure_logging(settings.log_level)
        return Runtime.open(settings)
    except HushdeskError as exc:
        refuse_start(exc.message)
