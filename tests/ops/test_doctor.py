"""The self-check: a healthy box passes; each broken promise is a named fail and exit 1.

Real files throughout: an initialised data folder, the repo's .chainlit config and a built frontend
copy in a scratch folder, a small model folder with a signed manifest.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from services.audit.checkpoints import Signer
from services.ops.bootstrap import ensure_initialised
from services.config import load_settings
from services.ops.doctor import FAIL, PASS, WARN, run_checks
from services.web.frontend import ensure_frontend
from services.engine.integrity import write_manifest
from services.store import transaction
from tests.support.process import ROOT, base_env, free_port


@pytest.fixture
def site(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / ".chainlit", tmp_path / ".chainlit")
    ensure_frontend(tmp_path)
    return tmp_path


def env_for(site: Path, **extra: str) -> dict[str, str]:
    return {"HUSHDESK_DATA_DIR": str(site / "data"), "HUSHDESK_ENGINE": "external",
            "HUSHDESK_ENGINE_URL": f"http://127.0.0.1:{free_port()}/v1", **extra}


def results(site: Path, environ: dict[str, str] | None = None, **extra: str) -> dict[str, tuple[str, str]]:
    settings = load_settings(env_for(site, **extra), dotenv=False)
    return {c.name: (c.result, c.detail) for c in run_checks(settings, root=site, environ=environ or {})}


def test_a_healthy_box_passes_with_the_tls_and_embedded_signing_key_warnings(site: Path) -> None:
    ensure_initialised(load_settings(env_for(site), dotenv=False))
    found = results(site)
    assert {name: r for name, (r, _) in found.items() if r != PASS} == {"cookies and TLS": WARN,
                                                                          "audit signing key": WARN}
    assert "the service account can re-sign" in found["audit signing key"][1]
    assert set(found) >= {"engine bound to loopback", "no Chainlit persistence", "frontend without external URLs",
                          "chainlit features off", "file permissions", "audit chain verifies", "CORS origins",
                          "session limits", "model manifest", "audit signing key"}
    assert results(site, HUSHDESK_SECURE_COOKIES="true")["cookies and TLS"][0] == PASS


def test_each_broken_promise_fails(site: Path) -> None:
    settings = load_settings(env_for(site), dotenv=False)
    keys, engine, _ = ensure_initialised(settings)
    from services.audit import AuditLog
    from tests.support.audit import turn

    log = AuditLog(engine, keys.chain_key)
    log.start()
    for i in range(3):
        log.submit(turn(keys, i)).result(timeout=10)
    log.close()
    unsigned = results(site, HUSHDESK_AUDIT_CHECKPOINT_ROWS="2")["audit chain verifies"]
    assert unsigned[0] == WARN and "hushdesk signs them when it starts" in unsigned[1]  # never blocks a restart
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("UPDATE audit_events SET outcome = 'x' WHERE seq = 2")
    engine.dispose()
    assert results(site)["audit chain verifies"] == (FAIL, "seq 2: edited")
    os.chmod(settings.key_file_path, 0o644)
    index = site / ".hushdesk-frontend" / "index.html"
    index.write_text(index.read_text().replace("</head>", '<link href="https://cdn.example/x.css"></head>'))
    found = results(site, environ={"DATABASE_URL": "postgres://x"},
                    HUSHDESK_ALLOWED_ORIGINS="http://portal.example.com")
    assert found["no Chainlit persistence"][0] == FAIL and "DATABASE_URL" in found["no Chainlit persistence"][1]
    assert found["frontend without external URLs"][0] == FAIL
    assert found["file permissions"][0] == FAIL and "keys.json" in found["file permissions"][1]
    assert found["audit chain verifies"][0] == FAIL  # the key file is refused too
    assert found["CORS origins"][0] == FAIL
    vllm = results(site, HUSHDESK_ENGINE="vllm", HUSHDESK_ENGINE_EXTRA_ARGS="--host 0.0.0.0")
    assert vllm["engine bound to loopback"][0] == FAIL and vllm["engine telemetry off"][0] == PASS
    plain = results(site, HUSHDESK_ENGINE_URL="http://10.1.2.3:8000/v1")
    assert plain["engine bound to loopback"][0] == FAIL


def test_the_model_manifest_is_checked(site: Path) -> None:
    settings = load_settings(env_for(site), dotenv=False)
    keys, engine, _ = ensure_initialised(settings)
    engine.dispose()
    model = site / "model"
    model.mkdir()
    (model / "config.json").write_text("{}")
    (model / "weights.bin").write_bytes(b"\1" * 4096)
    write_manifest(model, Signer(keys.signing_key))
    local = {"HUSHDESK_ENGINE": "transformers", "HUSHDESK_MODEL_PATH": str(model)}
    assert results(site, **local)["model manifest"][0] == PASS
    (model / "weights.bin").write_bytes(b"\2" * 4096)
    failed = results(site, **local)["model manifest"]
    assert failed[0] == FAIL and "weights.bin" in failed[1]
    (model / "hushdesk-manifest.json").unlink()
    assert results(site, **local, HUSHDESK_REQUIRE_MODEL_MANIFEST="false")["model manifest"][0] == WARN


def test_command_line_exit_codes(site: Path) -> None:
    ensure_initialised(load_settings(env_for(site), dotenv=False))
    env = base_env(site / "data", HUSHDESK_ENGINE="external", HUSHDESK_ENGINE_URL="http://127.0.0.1:9/v1")
    ok = subprocess.run([sys.executable, "-m", "services.ops.doctor"], cwd=site, env=env, capture_output=True,
                        text=True, timeout=120)
    assert ok.returncode == 0 and ok.stdout.startswith("CHECK") and "WARN" in ok.stdout, ok.stderr
    bad = subprocess.run([sys.executable, "-m", "services.ops.doctor", "--json"], cwd=site,
                         env={**env, "LITERAL_API_KEY": "x"}, capture_output=True, text=True, timeout=120)
    assert bad.returncode == 1 and '"result": "fail"' in bad.stdout and "Traceback" not in bad.stderr
    broken = subprocess.run([sys.executable, "-m", "services.ops.doctor"], cwd=site,
                            env={**env, "HUSHDESK_ENGINE": "warp"}, capture_output=True, text=True, timeout=60)
    assert broken.returncode == 2 and "HUSHDESK_ENGINE" in broken.stderr


def test_a_signer_service_passes_and_a_pinned_key_must_match(site: Path) -> None:
    from tests.support.signer import SignerProcess

    signer = SignerProcess(site / "signer-home")
    try:
        env = {"HUSHDESK_SIGNER_SOCKET": str(signer.socket)}
        ensure_initialised(load_settings(env_for(site, **env), dotenv=False))
        found = results(site, **env, HUSHDESK_AUDIT_EXPECT_KEY=signer.fingerprint)
        assert found["audit signing key"] == (PASS, f"held by the signer service ({signer.fingerprint}); pinned")
        assert found["file permissions"][0] == PASS and found["audit chain verifies"][0] == PASS
        from services.keys import update_key_file

        settings = load_settings(env_for(site, **env), dotenv=False)
        update_key_file(settings, {"signing_key": "ab" * 32})  # left over from before the signer
        leftover = results(site, **env)["audit signing key"]
        assert leftover[0] == WARN and "still in the key file" in leftover[1]
        update_key_file(settings, {"signing_key": None})
        wrong = results(site, **env, HUSHDESK_AUDIT_EXPECT_KEY="ed25519:" + "0" * 64)
        assert wrong["audit signing key"][0] == FAIL and wrong["audit chain verifies"] == (
            FAIL, "wrong-key: the checkpoints' signing key is not the pinned one")
        signer.stop()
        down = results(site, **env)
        assert down["audit signing key"] == (FAIL, f"The audit signer at {signer.socket} could not be reached.")
    finally:
        signer.close()


def test_the_knowledge_base_search_in_use_is_reported(site: Path, monkeypatch) -> None:
    ensure_initialised(load_settings(env_for(site), dotenv=False))
    assert results(site)["knowledge-base search"] == (PASS, "keyword search (no embedder configured)")
    result, detail = results(site, HUSHDESK_KB_EMBEDDING_BUILTIN="true")["knowledge-base search"]
    assert result == PASS and "built-in CPU embedder" in detail and "files verified" in detail
    from services.kb import builtin

    monkeypatch.setitem(builtin.FILE_SHA256, "sp.model", "0" * 64)  # a changed tokenizer file
    result, detail = results(site, HUSHDESK_KB_EMBEDDING_BUILTIN="true")["knowledge-base search"]
    assert result == FAIL and "changed" in detail
