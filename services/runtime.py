"""Everything one hushdesk process needs, built once from Settings; the UI layer only calls this.

`Runtime.open(settings)` loads keys and the store (set-up must have run: it never creates them),
picks the model and the engine, and wires the chat service. `start()` launches the engine in the
background so the UI is up while a large model loads; `stop()` stops it and drains the audit log.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from redaction import Redactor, build_detectors

from .audit import AuditLog, AuthRecord
from .chat import ChatService, Conversation
from .config import Settings
from .engine import ExternalEngine, EngineSupervisor, create_engine, resolve_engine_kind
from .errors import HushdeskError
from .keys import Keys, hash_id, load_keys
from .llm import LLMClient
from .store import open_store
from .users import User, UserStore

__all__ = ["Runtime", "resolve_model_dir"]

log = logging.getLogger("hushdesk.runtime")

_FIRST_START_RETRY = 10.0


def resolve_model_dir(settings: Settings) -> tuple[Path | None, bool]:
    """The model directory to serve and whether it is the generated demo model."""
    if resolve_engine_kind(settings) == "external":
        return None, False
    if settings.model_path is not None:
        return settings.model_path, False
    from .demo_model import ensure_demo_model  # imports torch only when the demo model is needed

    return ensure_demo_model(settings.demo_model_dir), True


@dataclass
class Runtime:
    """The wired services of one process."""

    settings: Settings
    keys: Keys
    users: UserStore
    audit: AuditLog
    engine: EngineSupervisor | ExternalEngine
    llm: LLMClient
    chat: ChatService
    demo: bool
    _task: asyncio.Task | None = None

    @classmethod
    def open(cls, settings: Settings) -> "Runtime":
        """Load keys and store, choose the engine; raise a HushdeskError with a safe message."""
        keys = load_keys(settings, create=False)
        store = open_store(settings, keys, create=False)
        model_dir, demo = resolve_model_dir(settings)
        if demo:
            log.warning("No HUSHDESK_MODEL_PATH set: serving the generated demo model; "
                        "its replies are random noise.")
        engine = create_engine(settings, model_dir=model_dir)
        llm = LLMClient(lambda: engine.endpoint, request_timeout=settings.engine_request_timeout,
                        max_tokens=settings.max_output_tokens, temperature=settings.temperature)
        audit = AuditLog(store, keys.chain_key)
        chat = ChatService(llm, audit, system_prompt=settings.system_prompt,
                           max_input_chars=settings.max_input_chars,
                           history_turns=settings.history_turns,
                           redactor=Redactor(build_detectors(settings.order_id_patterns)),
                           policy=settings.output_policy, reveal=settings.reveal_placeholders)
        return cls(settings, keys, UserStore(store), audit, engine, llm, chat, demo)

    async def start(self) -> None:
        """Start the audit writer now and the engine in the background."""
        self.audit.start()
        self._task = asyncio.create_task(self._start_engine())

    async def wait_ready(self, timeout: float) -> None:
        """Wait until the engine answers (tests and benchmarks; the UI does not wait)."""
        if self._task is not None:
            await asyncio.wait_for(asyncio.shield(self._task), timeout)
        await self.engine.wait_ready(timeout)

    async def _start_engine(self) -> None:
        # A first start that fails (a slow first load, a GPU still busy at boot) is retried with
        # back-off like a crash after start; turns meanwhile get "not available".
        delay = _FIRST_START_RETRY
        while True:
            try:
                await self.engine.start()
                return
            except HushdeskError as exc:
                log.error("%s Retrying in %g s.", exc.message, delay)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 300.0)

    async def stop(self) -> None:
        """Stop the engine (no orphan process) and flush the audit log."""
        if self._task is not None and not self._task.done():
            self._task.cancel()
        await self.engine.stop()
        await self.llm.aclose()
        await asyncio.to_thread(self.audit.close)  # drains queued rows without blocking the loop

    def session_hash(self, session_id: str) -> str:
        """Keyed hash of a chat session id."""
        return hash_id(self.keys.pepper, "session", session_id)

    def user_hash(self, name: str) -> str:
        """Keyed hash of a user name, case-folded: names are unique regardless of case."""
        return hash_id(self.keys.pepper, "user", name.casefold())

    def conversation(self, session_id: str, user_name: str, role: str) -> Conversation:
        """A fresh conversation for a chat session."""
        return Conversation(self.session_hash(session_id), self.user_hash(user_name), role)

    async def login(self, name: str, password: str) -> User | None:
        """Check a password off the event loop and audit the attempt with a hashed name."""
        user = await asyncio.to_thread(self.users.authenticate, name, password)
        if user is None:
            await self.audit.write(AuthRecord("login_failed", self.user_hash(name), outcome="denied"))
            return None
        await self.audit.write(AuthRecord("login", self.user_hash(name), role=user.role))
        return user

    async def logout(self, name: str, role: str | None) -> None:
        """Audit a logout."""
        await self.audit.write(AuthRecord("logout", self.user_hash(name), role=role))
