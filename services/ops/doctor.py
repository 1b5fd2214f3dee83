"""`python -m services.ops.doctor`: the box proves its own settings. A pass/warn/fail table; exit 1 on a fail.

Checks (each a function returning Check results; nothing here changes a file):
engine bound to loopback only, telemetry off in its environment, no `DATABASE_URL` or
`LITERAL_API_KEY`, the served frontend free of external URLs, Chainlit's risky features off, key
file and data folder permissions, the audit store's pages and chain (with signed checkpoints, the
signer's last one and the pinned key), who holds the checkpoint signing key, cookie, CORS, TLS and session settings,
the redaction layers in use (rules, the name model, a recognizer file, Python recognizers), and the model's
signed manifest.

    python -m services.ops.doctor [--json]      exit 0: no fail (warnings allowed); 1: a fail; 2: cannot run
"""

from __future__ import annotations

import argparse
import ipaddress
import json
import os
import re
import stat
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Iterable, Sequence
from urllib.parse import urlsplit

import tomllib

from redaction.recognizers import LAYERS

from ..audit.remote import signer_for
from ..audit.trail import verify_trail
from ..config import Settings, load_settings
from ..engine.integrity import refusal, verify_manifest
from ..engine.specs import resolve_engine_kind, transformers_spec, vllm_spec
from ..errors import HushdeskError
from ..keys import load_keys
from ..limits import sizes_for
from ..redact import redaction_layers
from ..store import damaged_pages, open_store
from ..web.frontend import FRONTEND_DIR, FrontendError, _source_id, chainlit_dist

__all__ = ["Check", "run_checks", "main"]

PASS, WARN, FAIL = "pass", "warn", "fail"
_EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//|@import\s+url\(\s*["']?https?:""", re.I)
_TELEMETRY = {"VLLM_NO_USAGE_STATS": "1", "VLLM_DO_NOT_TRACK": "1", "DO_NOT_TRACK": "1", "HF_HUB_OFFLINE": "1",
              "HF_HUB_DISABLE_TELEMETRY": "1"}


@dataclass(frozen=True)
class Check:
    """One line of the table: what was checked, pass/warn/fail, and a short safe detail."""

    name: str
    result: str
    detail: str


def _mode(path: Path) -> int | None:
    try:
        return stat.S_IMODE(path.lstat().st_mode)
    except OSError:
        return None


def _loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_engine(settings: Settings) -> Iterable[Check]:
    """The engine listens on loopback only, with telemetry and hub access off; the turn limits in force."""

    kind = resolve_engine_kind(settings)
    yield check_limits(settings, kind)
    if settings.workers > 1:
        yield check_workers(settings)
    if kind == "external":
        url = urlsplit(settings.engine_url or "")
        if _loopback(url.hostname):
            yield Check("engine bound to loopback", PASS, f"external engine at {url.hostname}")
        elif url.scheme == "https":
            yield Check("engine bound to loopback", WARN, "external engine on another host, over HTTPS")
        else:
            yield Check("engine bound to loopback", FAIL, "external engine on another host over plain HTTP")
        return
    build = vllm_spec if kind == "vllm" else transformers_spec
    spec = build(Path(settings.model_path or settings.demo_model_dir), port=8, api_key="x", model_name=settings.model_name,
                 settings=settings, executable=kind)
    argv = list(spec.argv)
    hosts = [argv[i + 1] for i, a in enumerate(argv[:-1]) if a == "--host"]
    hosts += [a.split("=", 1)[1] for a in argv if a.startswith("--host=")]
    if "--uds" in argv or not hosts or not all(_loopback(h) for h in hosts):
        yield Check("engine bound to loopback", FAIL, "HUSHDESK_ENGINE_EXTRA_ARGS changes --host or --uds")
    else:
        yield Check("engine bound to loopback", PASS, f"{kind} on 127.0.0.1")
    missing = [k for k, v in _TELEMETRY.items() if spec.env.get(k) != v]
    debug = "VLLM_DEBUG_LOG_API_SERVER_RESPONSE" in spec.env
    if missing or debug:
        yield Check("engine telemetry off", FAIL, "not set: " + ", ".join(missing) if missing else
                    "VLLM_DEBUG_LOG_API_SERVER_RESPONSE is set (logs replies)")
    else:
        yield Check("engine telemetry off", PASS, ", ".join(sorted(_TELEMETRY)))


def check_workers(settings: Settings) -> Check:
    """Several app processes need the distribution's nginx (services/ops/workers.py) and, for TLS, both files."""
    from .workers import nginx_path

    if nginx_path() is None:
        return Check("app processes", FAIL, f"HUSHDESK_WORKERS={settings.workers} needs nginx: apt-get install nginx-light")
    if (settings.tls_cert is None) != (settings.tls_key is None):
        return Check("app processes", FAIL, "HUSHDESK_TLS_CERT and HUSHDESK_TLS_KEY must be set together")
    tls = "with TLS" if settings.tls_cert is not None else "without TLS (set HUSHDESK_TLS_CERT/KEY or put TLS in front)"
    return Check("app processes", PASS if settings.tls_cert is not None else WARN,
                 f"{settings.workers} behind the bundled nginx, {tls}")


def check_shared_store(settings: Settings) -> Iterable[Check]:
    """With HUSHDESK_DATABASE_URL: the database reached over TLS that checks the server, unless on loopback."""
    if settings.database_url is None:
        return
    from sqlalchemy.engine import make_url

    from ..postgres import where as database_where

    url = make_url(settings.database_url.get())
    where = database_where(settings.database_url.get())
    mode = str(url.query.get("sslmode", "prefer"))
    local = (url.host or "localhost") in ("localhost", "127.0.0.1", "::1") or (url.host or "").startswith("/")
    if mode == "verify-full":
        yield Check("shared store", PASS, f"PostgreSQL at {where}, TLS with the server's name checked")
    elif local:
        yield Check("shared store", PASS, f"PostgreSQL at {where} on this machine (sslmode={mode})")
    elif mode in ("require", "verify-ca"):
        yield Check("shared store", WARN, f"PostgreSQL at {where} over TLS without checking the server's name "
                    "(sslmode=verify-full with sslrootcert is safer)")
    else:
        yield Check("shared store", FAIL, f"PostgreSQL at {where} without required TLS (sslmode={mode}): hashes "
                    "and metadata would cross the network readable; set sslmode=verify-full")


def check_limits(settings: Settings, kind: str) -> Check:
    """The effective turn limits: sized for the engine kind where the settings say auto."""
    sizes = sizes_for(kind, settings.max_concurrent_turns, settings.turn_queue, settings.workers)

    def origin(auto: bool) -> str:
        return f"auto for {kind}" if auto else "set"

    each = f" in each of {settings.workers} app processes" if settings.workers > 1 else ""
    shared = " (counted in the store, across the processes)" if settings.workers > 1 else ""
    return Check("turn limits", PASS,
                 f"{sizes.max_concurrent} at once ({origin(sizes.auto_concurrent)}), {sizes.queue} waiting "
                 f"({origin(sizes.auto_queue)}){each} up to {settings.queue_wait_seconds:g} s, "
                 f"{settings.messages_per_minute} messages a minute per user{shared}")


def check_environment(settings: Settings, environ: dict[str, str]) -> Iterable[Check]:
    """No variable that would switch on Chainlit's persistence of message text."""
    found = [n for n in ("DATABASE_URL", "LITERAL_API_KEY") if environ.get(n)]
    dotenv = Path(".env")
    if dotenv.is_file():
        text = dotenv.read_text(encoding="utf-8", errors="replace")
        found += [n for n in ("DATABASE_URL", "LITERAL_API_KEY") if re.search(rf"(?m)^\s*{n}\s*=", text)]
    if found:
        yield Check("no Chainlit persistence", FAIL, "set: " + ", ".join(sorted(set(found))))
    else:
        yield Check("no Chainlit persistence", PASS, "DATABASE_URL and LITERAL_API_KEY unset")


def check_frontend(root: Path) -> Iterable[Check]:
    """The served frontend copy exists, is current, and references no other host."""

    copy = root / FRONTEND_DIR
    index = copy / "index.html"
    if not index.is_file():
        yield Check("frontend without external URLs", FAIL, f"{FRONTEND_DIR} missing: run python -m services.ops.bootstrap")
        return
    external = [p.name for p in [index, *copy.glob("assets/*.css")] if _EXTERNAL.search(p.read_text("utf-8", "replace"))]
    try:
        current = (copy / ".hushdesk-source").read_text(encoding="utf-8") == _source_id(chainlit_dist())
    except (OSError, FrontendError):
        current = False
    if external:
        yield Check("frontend without external URLs", FAIL, "external references in " + ", ".join(external))
    elif not current:
        yield Check("frontend without external URLs", WARN, "copy is from another Chainlit: set-up rebuilds it")
    else:
        yield Check("frontend without external URLs", PASS, "index.html and stylesheets load nothing from elsewhere")
    try:
        config = tomllib.loads((root / ".chainlit" / "config.toml").read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError):
        yield Check("chainlit features off", FAIL, ".chainlit/config.toml unreadable")
        return
    features = config.get("features", {})
    risky = [name for name, on in (
        ("uploads", features.get("spontaneous_file_upload", {}).get("enabled", True)),
        ("MCP", features.get("mcp", {}).get("enabled", False)),
        ("HTML", features.get("unsafe_allow_html", False)),
        ("custom build", config.get("UI", {}).get("custom_build") != f"./{FRONTEND_DIR}")) if on]
    yield Check("chainlit features off", FAIL if risky else PASS,
                "on: " + ", ".join(risky) if risky else "uploads, MCP and HTML off; our frontend copy served")


def check_permissions(settings: Settings) -> Iterable[Check]:
    """Key file, data folder, store files and checkpoints readable by their owner only."""
    wanted = [(settings.data_dir, 0o700), (settings.key_file_path, 0o600)]
    wanted += [(p, 0o600) for p in sorted(settings.data_dir.glob("audit.db*"))]
    wanted += [(settings.checkpoint_path, 0o600)]
    if settings.engine_log_file is not None:
        wanted.append((settings.engine_log_file, 0o600))
    loose = []
    for path, mode in wanted:
        actual = _mode(path)
        if actual is not None and actual & 0o077:
            loose.append(f"{path.name} {oct(actual)}")
    needed = ("db_key", "pepper", "chain_key", "auth_secret") + (() if settings.signer_socket else ("signing_key",))
    missing_keys = _mode(settings.key_file_path) is None and not all(getattr(settings, n) for n in needed)
    if loose:
        yield Check("file permissions", FAIL, "too open: " + "; ".join(loose))
    elif missing_keys:
        yield Check("file permissions", FAIL, "no key file and not every key set: run set-up")
    else:
        yield Check("file permissions", PASS, "data folder 0700; keys, store and checkpoints 0600")


def check_audit(settings: Settings) -> Iterable[Check]:
    """The store's pages pass their HMAC check and the chain verifies against the signed checkpoints."""

    try:
        keys = load_keys(settings, create=False)
        engine = open_store(settings, keys, create=False)
    except HushdeskError as exc:
        yield Check("audit chain verifies", FAIL, exc.message)
        return
    try:
        if damaged_pages(engine) or (settings.database_url is not None and _local_damaged(settings, keys)):
            yield Check("audit chain verifies", FAIL, "the store is damaged")
            return
        verdict = verify_trail(settings, keys, engine)
    except HushdeskError as exc:
        yield Check("audit chain verifies", FAIL, exc.message)
        return
    finally:
        engine.dispose()
    if not verdict.ok and verdict.kind in ("checkpoints-behind", "checkpoints-missing") and verdict.rows:
        # After a crash or a signer outage: hushdesk signs those rows as it starts (doctor runs first).
        yield Check("audit chain verifies", WARN, f"{verdict.describe()}: rows after the last signed checkpoint; "
                    "hushdesk signs them when it starts")
    elif not verdict.ok:
        yield Check("audit chain verifies", FAIL, verdict.describe())
    elif not verdict.checkpoints and verdict.rows:
        yield Check("audit chain verifies", WARN, f"{verdict.rows} rows verify, but there are no signed checkpoints")
    else:
        yield Check("audit chain verifies", PASS, verdict.describe())


def _local_damaged(settings: Settings, keys) -> int:  # type: ignore[no-untyped-def]
    """With a shared PostgreSQL store: this host's encrypted file (its knowledge base) checked page by page."""
    local = open_store(settings, keys, create=False, local=True)
    try:
        return damaged_pages(local)
    finally:
        local.dispose()


def check_signer(settings: Settings) -> Iterable[Check]:
    """Who holds the checkpoint signing key: a signer service (pass) or the service account (warn)."""
    import json as _json


    name = "audit signing key"
    try:
        signer = signer_for(settings)
        fingerprint = signer.fingerprint
    except HushdeskError as exc:
        yield Check(name, FAIL, exc.message)
        return
    if settings.audit_expect_key and fingerprint != settings.audit_expect_key:
        yield Check(name, FAIL, f"signed by {fingerprint}, not the pinned HUSHDESK_AUDIT_EXPECT_KEY")
        return
    pinned = "; pinned" if settings.audit_expect_key else "; pin it with HUSHDESK_AUDIT_EXPECT_KEY"
    if not signer.remote:
        yield Check(name, WARN, "in the key file: the service account can re-sign the audit trail; run the signer "
                    "service (HUSHDESK_SIGNER_SOCKET, docs/DEPLOYMENT.md)")
        return
    try:
        stored = _json.loads(settings.key_file_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        stored = {}
    if isinstance(stored, dict) and stored.get("signing_key") or settings.signing_key is not None:
        yield Check(name, WARN, f"signer service {fingerprint}, but an old signing_key is still in the key file or "
                    "environment: remove it")
        return
    yield Check(name, PASS, f"held by the signer service ({fingerprint}){pinned}")


def check_web(settings: Settings) -> Iterable[Check]:
    """Cookies, origins, TLS and session limits."""
    if settings.secure_cookies:
        yield Check("cookies and TLS", PASS, f"HttpOnly, Secure, SameSite={settings.cookie_samesite}")
    else:
        yield Check("cookies and TLS", WARN, "HUSHDESK_SECURE_COOKIES is off: serve over HTTPS (a TLS proxy) and set it")
    if settings.cookie_samesite != "strict":
        yield Check("cookie SameSite", WARN, "SameSite=lax: strict is safer")
    plain = sorted(o for o in settings.allowed_origins if o.startswith("http://") and not _loopback(urlsplit(o).hostname))
    if plain:
        yield Check("CORS origins", FAIL, "plain-HTTP origins allowed: " + ", ".join(plain))
    else:
        yield Check("CORS origins", PASS, "same origin only" if not settings.allowed_origins else
                    f"{len(settings.allowed_origins)} HTTPS origin(s) allowed")
    long = settings.session_idle_seconds > 3600 or settings.session_max_seconds > 86400
    yield Check("session limits", WARN if long else PASS,
                f"idle {settings.session_idle_seconds:g} s, at most {settings.session_max_seconds:g} s")


def check_model(settings: Settings) -> Iterable[Check]:
    """The model to be served matches its signed manifest."""

    if resolve_engine_kind(settings) == "external":
        yield Check("model manifest", PASS, "external engine: its operator vouches for the model")
        return
    model_dir = settings.model_path or settings.demo_model_dir
    try:

        check = verify_manifest(model_dir, signer_for(settings).public, settings.model_manifest)
    except HushdeskError as exc:
        yield Check("model manifest", FAIL, exc.message)
        return
    if check.ok:
        yield Check("model manifest", PASS, "every file matches the signed manifest")
    elif not settings.require_model_manifest:
        yield Check("model manifest", WARN, f"manifest {check.reason}; HUSHDESK_REQUIRE_MODEL_MANIFEST is off")
    else:
        yield Check("model manifest", FAIL, refusal(check, model_dir).message)


def check_redaction(settings: Settings) -> Iterable[Check]:
    """Which redaction layers are active: the rules, the name model, a recognizer file, Python hooks."""


    try:
        recognizers = redaction_layers(settings)
    except HushdeskError as exc:
        yield Check("redaction layers", FAIL, exc.message)
        return
    rules = settings.recognizers_file
    parts = ["rules", *LAYERS]
    if rules.detectors:
        parts.append(f"recognizer file ({len(rules.labels)} labels of its own, {len(rules.allow)} allowed terms)")
    hooks = len(recognizers) - len(LAYERS)
    if hooks:
        parts.append(f"{hooks} Python recognizer{'s' if hooks > 1 else ''}")
    yield Check("redaction layers", PASS, ", ".join(parts))


def check_kb_search(settings: Settings) -> Iterable[Check]:
    """Which retrieval the knowledge base uses; the built-in embedder's files are checked and loaded."""
    if settings.kb_embedding_url:
        yield Check("knowledge-base search", PASS, "hybrid: external embeddings server")
    elif settings.kb_embedding_model is not None:
        yield Check("knowledge-base search", PASS, "hybrid: supervised embedding engine")
    elif settings.kb_embedding_builtin:
        from ..kb.builtin import BuiltinEmbedder

        embedder = BuiltinEmbedder()
        try:
            embedder.warm_up()
        except HushdeskError as exc:  # a missing or changed model file: its fixed message
            yield Check("knowledge-base search", FAIL, exc.message)
            return
        yield Check("knowledge-base search", PASS, f"hybrid: built-in CPU embedder ({embedder.name}), files verified")
    else:
        yield Check("knowledge-base search", PASS, "keyword search (no embedder configured)")


def run_checks(settings: Settings, *, root: Path | None = None, environ: dict[str, str] | None = None) -> list[Check]:
    """Every check, in order; a check that cannot run is a fail naming its error type."""
    root = Path.cwd() if root is None else root
    env = dict(os.environ if environ is None else environ)
    steps: list[Callable[[], Iterable[Check]]] = [
        lambda: check_engine(settings), lambda: check_environment(settings, env), lambda: check_frontend(root),
        lambda: check_permissions(settings), lambda: check_shared_store(settings), lambda: check_audit(settings),
        lambda: check_signer(settings),
        lambda: check_web(settings), lambda: check_redaction(settings),
        lambda: check_model(settings), lambda: check_kb_search(settings),
    ]
    out: list[Check] = []
    for step in steps:
        try:
            out.extend(step())
        except HushdeskError as exc:
            out.append(Check(getattr(step, "__name__", "check"), FAIL, exc.message))
        except Exception as exc:  # noqa: BLE001 - a broken check is a fail, never a traceback
            out.append(Check("check could not run", FAIL, type(exc).__name__))
    return out


def _table(checks: Sequence[Check]) -> str:
    rows = [("CHECK", "RESULT", "DETAIL"), *((c.name, c.result.upper(), c.detail) for c in checks)]
    widths = [max(len(r[i]) for r in rows) for i in range(2)]
    return "\n".join(f"{r[0].ljust(widths[0])}  {r[1].ljust(widths[1])}  {r[2]}" for r in rows)


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: print the table (or JSON); exit 1 when any check fails."""
    parser = argparse.ArgumentParser(prog="python -m services.ops.doctor", description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="one JSON object per check")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
    except HushdeskError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    checks = run_checks(settings)
    if args.json:
        for c in checks:
            print(json.dumps(asdict(c), ensure_ascii=False))
    else:
        print(_table(checks))
    failed = sum(c.result == FAIL for c in checks)
    warned = sum(c.result == WARN for c in checks)
    print(f"\n{len(checks)} checks: {failed} failed, {warned} warnings.", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
