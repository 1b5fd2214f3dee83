"""The supervisor checks the model before every launch, decrypts an encrypted one into RAM only while
it loads, and recycles the engine after N turns: real stand-in processes, real files."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import sys
import time
from pathlib import Path

import pytest

from services.audit.checkpoints import Signer
from services.config import Settings, load_settings
from services.engine.supervisor import LaunchSpec, ModelGuard, create_engine
from services.engine.specs import is_tmpfs
from services.keys import load_keys
from services.engine.integrity import MANIFEST_NAME, ModelIntegrityError, encrypt_model, verify_manifest, write_manifest
from tests.support.standins import FAKE_ENGINE, Launches, alive, fake_spec, supervisor

pytestmark = pytest.mark.timeout(30)

SIGNER = Signer(bytes(range(32)))
KEY = bytes(range(100, 132))
SHM = Path("/dev/shm")

# Runs in place of an engine: records what it found in the model folder it was given, then serves
# /health as the fake engine does.
PEEK = """
import hashlib, json, os, runpy, stat, sys
folder, out = sys.argv[1], sys.argv[2]
weights = os.path.join(folder, "model.safetensors")
json.dump({"folder": folder, "files": sorted(os.listdir(folder)),
           "sha": hashlib.sha256(open(weights, "rb").read()).hexdigest(),
           "mode": stat.S_IMODE(os.stat(os.path.dirname(folder)).st_mode),
           "file_mode": stat.S_IMODE(os.stat(weights).st_mode)}, open(out, "w"))
sys.argv = [sys.argv[3]] + sys.argv[4:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def run(coro):
    return asyncio.run(coro)


def make_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"model_type": "qwen2"}\n')
    (folder / "model.safetensors").write_bytes(os.urandom(200_000))
    return folder


def guard(model: Path, **kwargs) -> ModelGuard:
    kwargs.setdefault("scratch", SHM)
    return ModelGuard(model, public=lambda: SIGNER.public, model_key=lambda: KEY, **kwargs)


def peek_spec(g: ModelGuard, out: Path, *flags: str):
    def make(port: int, api_key: str) -> LaunchSpec:
        argv = (sys.executable, "-c", PEEK, str(g.serving_dir), str(out), str(FAKE_ENGINE), "--port", str(port), *flags)
        return LaunchSpec(argv=argv, env=dict(os.environ), base_url=f"http://127.0.0.1:{port}/v1",
                          health_url=f"http://127.0.0.1:{port}/health", api_key=api_key, model_name="m")
    return make


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return make_model(tmp_path / "model")


def test_a_verified_model_launches(model: Path, tmp_path: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="hushdesk.engine")
    write_manifest(model, SIGNER)
    record = tmp_path / "record.json"
    engine = supervisor(fake_spec(record=record), model_guard=guard(model))

    async def scenario():
        await engine.start()
        await engine.stop()

    run(scenario())
    assert record.exists()
    assert "model verified: 2 files" in caplog.text


@pytest.mark.parametrize("tamper,named", [
    (lambda m: (m / "model.safetensors").write_bytes(os.urandom(200_000)), "1 changed: model.safetensors"),
    (lambda m: (m / "config.json").unlink(), "1 missing: config.json"),
    (lambda m: (m / "evil.py").write_text("import os"), "1 added: evil.py"),
])
def test_a_tampered_model_is_never_launched(model: Path, tmp_path: Path, tamper, named) -> None:
    write_manifest(model, SIGNER)
    tamper(model)
    record = tmp_path / "record.json"
    engine = supervisor(fake_spec(record=record), model_guard=guard(model))
    with pytest.raises(ModelIntegrityError) as info:
        run(engine.start())
    assert info.value.message == (
        f"The model's files do not match its signed manifest ({named}); refusing to launch. "
        f"Run python -m services.engine.integrity verify {model}.")
    assert engine.state == "failed" and engine.pid is None
    assert not record.exists()  # the stand-in never ran


def test_a_model_without_manifest_is_refused_unless_not_required(model: Path, tmp_path: Path) -> None:
    record = tmp_path / "record.json"
    engine = supervisor(fake_spec(record=record), model_guard=guard(model))
    with pytest.raises(ModelIntegrityError) as info:
        run(engine.start())
    assert f"Create one with python -m services.engine.integrity manifest {model}" in info.value.message
    assert "HUSHDESK_REQUIRE_MODEL_MANIFEST=false" in info.value.message
    assert not record.exists()
    relaxed = supervisor(fake_spec(record=record), model_guard=guard(model, require_manifest=False))

    async def scenario():
        await relaxed.start()
        await relaxed.stop()

    run(scenario())
    assert record.exists()


def test_a_model_changed_while_running_is_not_relaunched(model: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="hushdesk.engine")
    write_manifest(model, SIGNER)
    launches = Launches(("--die-after", "0.6"))
    engine = supervisor(launches, model_guard=guard(model), backoff=(0.05,), integrity_retry=60)

    async def scenario():
        await engine.start()
        (model / "model.safetensors").write_bytes(b"swapped")
        while "engine restart 1 failed" not in caplog.text:
            await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)  # the next attempt waits integrity_retry, not the back-off
        state = engine.state
        await engine.stop()
        return state

    assert run(scenario()) == "restarting"
    assert len(launches.times) == 1
    assert "do not match its signed manifest (1 changed: model.safetensors)" in caplog.text
    assert "engine restart 2 in 60 s" in caplog.text


def test_create_engine_checks_the_configured_model(model: Path, tmp_path: Path) -> None:
    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data"), "HUSHDESK_ENGINE": "transformers",
                              "HUSHDESK_MODEL_PATH": str(model)}, dotenv=False)
    keys = load_keys(settings, create=True)
    write_manifest(model, Signer(keys.signing_key))
    (model / "config.json").write_text("{}")
    for given in (keys, None):  # None: the key is read from the key file at launch
        engine = create_engine(settings, model_dir=model, keys=given)
        with pytest.raises(ModelIntegrityError, match=r"\(1 changed: config.json\)"):
            run(engine.start())
        assert engine.pid is None


# ------------------------------------------------------------------------------------------ encrypted

def encrypted_model(model: Path, tmp_path: Path) -> Path:
    enc = tmp_path / "enc"
    encrypt_model(model, enc, KEY, segment_bytes=50_000)
    write_manifest(enc, SIGNER)  # the manifest covers the encrypted files
    return enc


def shm_entries() -> set[str]:
    return {p.name for p in SHM.glob("hushdesk-model-*")}


needs_tmpfs = pytest.mark.skipif(not is_tmpfs(SHM), reason="/dev/shm is not tmpfs here")


@needs_tmpfs
def test_encrypted_model_is_decrypted_into_private_tmpfs_until_loaded(model: Path, tmp_path: Path) -> None:
    enc = encrypted_model(model, tmp_path)
    before = shm_entries()
    g = guard(enc)
    seen = tmp_path / "seen.json"
    engine = supervisor(peek_spec(g, seen), model_guard=g)

    async def scenario():
        await engine.start()
        left = shm_entries() - before
        serving = g.serving_dir
        await engine.stop()
        return left, serving

    left, serving = run(scenario())
    info = json.loads(seen.read_text())
    assert info["sha"] == hashlib.sha256((model / "model.safetensors").read_bytes()).hexdigest()
    assert info["files"] == ["config.json", "model.safetensors"]  # no marker, no manifest
    assert info["mode"] == 0o700 and info["file_mode"] == 0o600
    assert Path(info["folder"]).parent.parent == SHM and is_tmpfs(Path(info["folder"]))
    assert left == set() and serving == enc  # removed as soon as the engine was healthy
    assert not Path(info["folder"]).exists()


@needs_tmpfs
@pytest.mark.parametrize("flags", [("--ready-after", "30", "--die-after", "0.3", "--exit-code", "4"),
                                   ("--ready-after", "30",)])
def test_decrypted_copy_is_removed_after_a_failed_or_stopped_start(model: Path, tmp_path: Path, flags) -> None:
    enc = encrypted_model(model, tmp_path)
    before = shm_entries()
    g = guard(enc)
    seen = tmp_path / "seen.json"
    engine = supervisor(peek_spec(g, seen, *flags), model_guard=g)

    async def scenario():
        start = asyncio.create_task(engine.start())
        while not seen.exists():
            await asyncio.sleep(0.02)
        assert shm_entries() - before  # there while the engine loads
        if "--die-after" not in flags:
            await engine.stop()
        with pytest.raises(Exception):
            await start

    run(scenario())
    assert shm_entries() == before


@needs_tmpfs
def test_encrypted_model_tampered_or_without_key_is_never_decrypted(model: Path, tmp_path: Path) -> None:
    enc = encrypted_model(model, tmp_path)
    before = shm_entries()
    record = tmp_path / "record.json"
    no_key = ModelGuard(enc, public=lambda: SIGNER.public, model_key=lambda: None)
    with pytest.raises(ModelIntegrityError, match="no model key"):
        run(supervisor(fake_spec(record=record), model_guard=no_key).start())
    data = bytearray((enc / "model.safetensors").read_bytes())
    data[1000] ^= 1
    (enc / "model.safetensors").write_bytes(bytes(data))
    assert verify_manifest(enc, SIGNER.public).changed == ("model.safetensors",)
    with pytest.raises(ModelIntegrityError, match="1 changed: model.safetensors"):
        run(supervisor(fake_spec(record=record), model_guard=guard(enc)).start())
    # Without a manifest check, AES-GCM itself refuses the altered segment.
    (enc / MANIFEST_NAME).unlink()
    with pytest.raises(ModelIntegrityError, match="failed authentication"):
        run(supervisor(fake_spec(record=record), model_guard=guard(enc, require_manifest=False)).start())
    assert not record.exists() and shm_entries() == before


# --------------------------------------------------------------------------------------------- recycle

def test_recycle_after_n_turns_replaces_the_process(model: Path, caplog) -> None:
    caplog.set_level(logging.INFO, logger="hushdesk.engine")
    write_manifest(model, SIGNER)
    launches = Launches()
    engine = supervisor(launches, model_guard=guard(model), recycle_turns=3, recycle_drain=0.1,
                        liveness_interval=0.1)

    async def scenario():
        await engine.start()
        first = engine.pid
        engine.note_turn()
        engine.note_turn()
        await asyncio.sleep(0.3)
        assert engine.pid == first and engine.state == "ready"
        engine.note_turn()
        await asyncio.sleep(0)
        deadline = time.monotonic() + 10
        saw_unavailable = False
        while engine.recycles < 1 or engine.state != "ready":
            saw_unavailable |= engine.state == "restarting" and engine.endpoint is None
            assert time.monotonic() < deadline
            await asyncio.sleep(0.01)
        second = engine.pid
        await engine.stop()
        return first, second, saw_unavailable

    first, second, saw_unavailable = run(scenario())
    assert second != first and not alive(first) and not alive(second)
    assert saw_unavailable
    assert engine.recycles == 1 and engine.restarts == 0 and len(launches.times) == 2
    assert caplog.text.count("model verified") == 2  # checked again before the new launch
    assert "engine recycled after 3 turns" in caplog.text


def test_recycle_is_off_by_default_and_for_external(model: Path) -> None:
    write_manifest(model, SIGNER)
    engine = supervisor(Launches(), model_guard=guard(model), liveness_interval=0.1)

    async def scenario():
        await engine.start()
        first = engine.pid
        for _ in range(50):
            engine.note_turn()
        await asyncio.sleep(0.3)
        pid = engine.pid
        await engine.stop()
        return first, pid

    first, pid = run(scenario())
    assert first == pid and engine.recycles == 0
    external = create_engine(Settings(engine="external", engine_url="http://127.0.0.1:9/v1",
                                      engine_recycle_turns=1), model_dir=Path("/nonexistent"))
    external.note_turn()
    assert external.recycles == 0


# ------------------------------------------------------------------------------------------- demo model

def test_demo_model_is_signed_at_set_up_and_regenerated_when_found_unsigned(tmp_path: Path) -> None:
    from services.engine.demo_model import ensure_demo_model
    from services.runtime import resolve_model_dir

    settings = load_settings({"HUSHDESK_DATA_DIR": str(tmp_path / "data"), "HUSHDESK_ENGINE": "transformers"},
                             dotenv=False)
    keys = load_keys(settings, create=True)
    public = Signer(keys.signing_key).public
    path, demo = resolve_model_dir(settings)
    assert demo and verify_manifest(path, public).ok
    assert resolve_model_dir(settings, keys) == (path, True)
    # A demo model found without its manifest (older set-up, or someone removed it) is never signed as found.
    (path / MANIFEST_NAME).unlink()
    weights = path / "model.safetensors"
    original = weights.read_bytes()
    weights.write_bytes(original[:-4] + b"\x00\x00\x00\x01")
    ensure_demo_model(path, signer=Signer(keys.signing_key))
    assert weights.read_bytes() == original and verify_manifest(path, public).ok
