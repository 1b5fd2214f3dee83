"""Model integrity on real files: signed manifests catch every change, AES-256-GCM files catch every edit."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from services.engine import integrity as models
from services.audit.checkpoints import Signer
from services.config import load_settings
from services.engine.specs import decrypt_to_tmpfs, is_tmpfs
from services.keys import load_keys
from services.engine.integrity import (
    ENCRYPTED_MARKER,
    MANIFEST_NAME,
    ModelIntegrityError,
    decrypt_model,
    encrypt_model,
    is_encrypted,
    refusal,
    verify_manifest,
    write_manifest,
)

pytestmark = pytest.mark.timeout(30)

REPO = Path(__file__).resolve().parents[2]
SHM = Path("/dev/shm")
SIGNER = Signer(bytes(range(32)))
OTHER = Signer(bytes(range(1, 33)))
KEY = bytes(range(100, 132))


def make_model(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "config.json").write_text('{"model_type": "qwen2"}\n')
    (folder / "model.safetensors").write_bytes(os.urandom(300_000))
    (folder / "empty.txt").write_bytes(b"")
    (folder / "tok").mkdir()
    (folder / "tok" / "tokenizer.json").write_text('{"vocab": {"a": 1}}')
    return folder


@pytest.fixture
def model(tmp_path: Path) -> Path:
    return make_model(tmp_path / "model")


def test_manifest_round_trip(model: Path) -> None:
    path = write_manifest(model, SIGNER)
    assert path == model / MANIFEST_NAME
    data = json.loads(path.read_text())
    assert data["format"] == "hushdesk-model-manifest/1" and data["fingerprint"] == SIGNER.fingerprint
    assert sorted(data["files"]) == ["config.json", "empty.txt", "model.safetensors", "tok/tokenizer.json"]
    assert data["files"]["model.safetensors"]["size"] == 300_000
    check = verify_manifest(model, SIGNER.public)
    assert check.ok and check.reason == "ok" and check.files == 4 and check.bytes > 300_000
    assert (check.changed, check.missing, check.added) == ((), (), ())


def flip_byte(model: Path) -> None:
    path = model / "model.safetensors"
    data = bytearray(path.read_bytes())
    data[150_000] ^= 1
    path.write_bytes(bytes(data))


TAMPER = [
    ("changed byte", flip_byte, {"changed": ("model.safetensors",)}),
    ("grown", lambda m: (m / "config.json").open("a").write(" "), {"changed": ("config.json",)}),
    ("missing", lambda m: (m / "tok" / "tokenizer.json").unlink(), {"missing": ("tok/tokenizer.json",)}),
    ("added", lambda m: (m / "extra.py").write_text("print()"), {"added": ("extra.py",)}),
    ("renamed", lambda m: (m / "config.json").rename(m / "config2.json"),
     {"missing": ("config.json",), "added": ("config2.json",)}),
]


@pytest.mark.parametrize("name,tamper,expected", TAMPER, ids=[t[0] for t in TAMPER])
def test_each_tamper_is_detected_and_named(model: Path, name, tamper, expected) -> None:
    write_manifest(model, SIGNER)
    tamper(model)
    check = verify_manifest(model, SIGNER.public)
    assert not check.ok and check.reason == "mismatch"
    for kind in ("changed", "missing", "added"):
        assert getattr(check, kind) == expected.get(kind, ())
    message = refusal(check, model).message
    assert message.startswith("The model's files do not match its signed manifest (")
    assert "refusing to launch. Run python -m services.engine.integrity verify" in message
    for names in expected.values():
        assert all(n in message for n in names)


def test_forged_or_foreign_manifest_is_refused(model: Path) -> None:
    path = write_manifest(model, SIGNER)
    flip_byte(model)
    forged = json.loads(path.read_text())  # the attacker updates the hash but cannot re-sign
    from services.engine.integrity import _hash
    forged["files"]["model.safetensors"]["sha256"] = _hash(model / "model.safetensors")[0]
    path.write_text(json.dumps(forged))
    assert verify_manifest(model, SIGNER.public).reason == "signature"
    write_manifest(model, OTHER)  # signed by another instance's key
    check = verify_manifest(model, SIGNER.public)
    assert (check.ok, check.reason) == (False, "signature")
    assert "not signed by this instance's key" in refusal(check, model).message


def test_missing_and_malformed_manifests(model: Path, tmp_path: Path) -> None:
    check = verify_manifest(model, SIGNER.public)
    assert (check.ok, check.reason) == (False, "missing")
    message = refusal(check, model).message
    assert f"python -m services.engine.integrity manifest {model}" in message
    assert "HUSHDESK_REQUIRE_MODEL_MANIFEST=false" in message
    (model / MANIFEST_NAME).write_text("{not json")
    assert verify_manifest(model, SIGNER.public).reason == "malformed"
    other = {"format": "other", "files": {}, "created": 1, "fingerprint": 2, "signature": ""}
    (model / MANIFEST_NAME).write_text(json.dumps(other))
    assert verify_manifest(model, SIGNER.public).reason == "malformed"


def test_manifest_elsewhere_and_links(model: Path, tmp_path: Path) -> None:
    out = write_manifest(model, SIGNER, tmp_path / "m.json")
    assert not (model / MANIFEST_NAME).exists()
    assert verify_manifest(model, SIGNER.public, out).ok
    (model / "alias.json").symlink_to(model / "config.json")  # a link inside the folder is hashed
    assert verify_manifest(model, SIGNER.public, out).added == ("alias.json",)
    (model / "alias.json").unlink()
    (tmp_path / "secret").write_text("x")
    (model / "leak").symlink_to(tmp_path / "secret")
    assert verify_manifest(model, SIGNER.public, out).reason == "unsafe"
    with pytest.raises(ModelIntegrityError, match="link pointing outside"):
        write_manifest(model, SIGNER, out)


def test_hashing_uses_every_byte_not_mtime(model: Path) -> None:
    write_manifest(model, SIGNER)
    path = model / "model.safetensors"
    before = path.stat()
    flip_byte(model)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # same size, same time
    assert verify_manifest(model, SIGNER.public, workers=1).changed == ("model.safetensors",)


# ------------------------------------------------------------------------------------------ encryption

def encrypted(model: Path, tmp_path: Path, segment: int = 1000) -> Path:
    dst = tmp_path / "enc"
    names = encrypt_model(model, dst, KEY, segment_bytes=segment)
    assert set(names) == {"config.json", "empty.txt", "model.safetensors", "tok/tokenizer.json"}
    return dst


def test_encrypted_round_trip(model: Path, tmp_path: Path) -> None:
    write_manifest(model, SIGNER)  # a plaintext manifest is not carried over
    enc = encrypted(model, tmp_path)
    assert is_encrypted(enc) and not is_encrypted(model) and not (enc / MANIFEST_NAME).exists()
    secret = (model / "model.safetensors").read_bytes()
    assert secret[:64] not in (enc / "model.safetensors").read_bytes()
    # 300 kB in 1000-byte segments: header + 300 segments of nonce, ciphertext, tag
    assert (enc / "model.safetensors").stat().st_size == 12 + 300 * (12 + 1000 + 16)
    out = tmp_path / "plain"
    decrypt_model(enc, out, KEY, workers=2)
    for name in ("config.json", "empty.txt", "model.safetensors", "tok/tokenizer.json"):
        assert (out / name).read_bytes() == (model / name).read_bytes()
        assert stat.S_IMODE((out / name).stat().st_mode) == 0o600
    assert not (out / ENCRYPTED_MARKER).exists()


def records(path: Path, segment: int = 1000) -> tuple[bytes, list[bytes]]:
    data = path.read_bytes()
    size = 12 + segment + 16
    return data[:12], [data[i:i + size] for i in range(12, len(data), size)]


def swap_segments(path: Path) -> None:
    header, recs = records(path)
    recs[3], recs[4] = recs[4], recs[3]
    path.write_bytes(header + b"".join(recs))


def drop_last_segment(path: Path) -> None:
    header, recs = records(path)
    path.write_bytes(header + b"".join(recs[:-1]))


def flip_cipher_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[5000] ^= 0x80
    path.write_bytes(bytes(data))


CIPHER_TAMPER = [
    ("one ciphertext byte", flip_cipher_byte),
    ("swapped segments", swap_segments),
    ("truncated at a segment boundary", drop_last_segment),
    ("truncated mid-segment", lambda p: p.write_bytes(p.read_bytes()[:-7])),
    ("segment appended", lambda p: p.write_bytes(p.read_bytes() + records(p)[1][0])),
    ("another file's ciphertext", None),  # same size, encrypted under another name
]


@pytest.mark.parametrize("name,tamper", CIPHER_TAMPER, ids=[t[0] for t in CIPHER_TAMPER])
def test_ciphertext_tampering_is_detected(model: Path, tmp_path: Path, name, tamper) -> None:
    enc = encrypted(model, tmp_path)
    if name == "another file's ciphertext":
        (model / "config.json").write_bytes((model / "model.safetensors").read_bytes())
        enc2 = tmp_path / "enc2"
        encrypt_model(model, enc2, KEY, segment_bytes=1000)
        (enc / "model.safetensors").write_bytes((enc2 / "config.json").read_bytes())
    else:
        tamper(enc / "model.safetensors")
    with pytest.raises(ModelIntegrityError) as info:
        decrypt_model(enc, tmp_path / "plain", KEY)
    assert "model.safetensors failed authentication" in info.value.message


def test_wrong_key_and_misuse(model: Path, tmp_path: Path) -> None:
    enc = encrypted(model, tmp_path)
    with pytest.raises(ModelIntegrityError, match="model key does not open"):
        decrypt_model(enc, tmp_path / "plain", bytes(32))
    with pytest.raises(ModelIntegrityError, match="already encrypted"):
        encrypt_model(enc, tmp_path / "again", KEY)
    with pytest.raises(ModelIntegrityError, match="not an empty folder"):
        encrypt_model(model, enc, KEY)
    with pytest.raises(ModelIntegrityError, match="not a model encrypted"):
        decrypt_model(model, tmp_path / "x", KEY)


@pytest.mark.skipif(not is_tmpfs(SHM), reason="/dev/shm is not tmpfs here")
def test_decrypt_to_tmpfs_is_private_and_cleaned_on_failure(model: Path, tmp_path: Path) -> None:
    enc = encrypted(model, tmp_path)
    out = decrypt_to_tmpfs(enc, KEY)
    try:
        assert is_tmpfs(out) and out.parent.parent == SHM
        assert stat.S_IMODE(out.parent.stat().st_mode) == 0o700
        assert (out / "model.safetensors").read_bytes() == (model / "model.safetensors").read_bytes()
    finally:
        import shutil
        shutil.rmtree(out.parent)
    before = set(SHM.iterdir())
    flip_cipher_byte(enc / "model.safetensors")
    with pytest.raises(ModelIntegrityError):
        decrypt_to_tmpfs(enc, KEY)
    assert set(SHM.iterdir()) == before  # nothing left behind


def test_decrypt_refuses_a_disk_folder(model: Path, tmp_path: Path) -> None:
    enc = encrypted(model, tmp_path)
    if is_tmpfs(tmp_path):
        pytest.skip("tmp_path is on tmpfs here")
    with pytest.raises(ModelIntegrityError, match="not a tmpfs"):
        decrypt_to_tmpfs(enc, KEY, base=tmp_path)
    assert {p.name for p in tmp_path.iterdir()} == {"model", "enc"}  # no folder left on the disk
    out = decrypt_to_tmpfs(enc, KEY, base=tmp_path, require_tmpfs=False)  # the test override
    assert (out / "config.json").read_bytes() == (model / "config.json").read_bytes()


def test_stale_plaintext_of_a_dead_process_is_swept(model: Path, tmp_path: Path) -> None:
    enc = encrypted(model, tmp_path)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    stale = tmp_path / "scratch" / f"hushdesk-model-{dead.stdout.strip()}-abc"
    (stale / "model").mkdir(parents=True)
    out = decrypt_to_tmpfs(enc, KEY, base=tmp_path / "scratch", require_tmpfs=False)
    assert not stale.exists() and out.exists()


# ------------------------------------------------------------------------------------------------- CLI

@pytest.fixture
def instance(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    for name in list(os.environ):
        if name.startswith("HUSHDESK_"):
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("HUSHDESK_DATA_DIR", str(tmp_path / "data"))
    settings = load_settings(dotenv=False)
    keys = load_keys(settings, create=True)
    return settings, Signer(keys.signing_key)


def test_cli_manifest_verify_encrypt_decrypt(model: Path, tmp_path: Path, instance, capsys) -> None:
    settings, signer = instance
    assert models.main(["manifest", str(model)]) == 0
    assert signer.fingerprint in capsys.readouterr().out
    assert models.main(["verify", str(model)]) == 0
    assert "ok: 4 files match" in capsys.readouterr().out
    (model / "extra.bin").write_bytes(b"x")
    flip_byte(model)
    assert models.main(["verify", str(model)]) == 1
    out = capsys.readouterr().out
    assert "  changed: model.safetensors" in out and "  added: extra.bin" in out
    (model / "extra.bin").unlink()

    assert models.main(["encrypt", str(model), str(tmp_path / "enc")]) == 0
    out = capsys.readouterr().out
    assert "Created a new model key" in out and "signed manifest" in out
    assert "model_key" in json.loads(settings.key_file_path.read_text())
    assert models.main(["verify", str(tmp_path / "enc")]) == 0  # the manifest covers the encrypted files
    capsys.readouterr()
    assert models.main(["encrypt", str(model), str(tmp_path / "enc2")]) == 0
    assert "Created a new model key" not in capsys.readouterr().out  # reuses the key
    assert models.main(["decrypt", str(tmp_path / "enc"), str(tmp_path / "plain")]) == 0
    assert (tmp_path / "plain" / "model.safetensors").read_bytes() == (model / "model.safetensors").read_bytes()
    assert models.main(["decrypt", str(tmp_path / "enc"), str(tmp_path / "plain")]) == 2
    assert "not an empty folder" in capsys.readouterr().err


def test_cli_runs_as_a_module(model: Path, tmp_path: Path, instance) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUSHDESK_")}
    env.update(HUSHDESK_DATA_DIR=str(tmp_path / "data"), PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "services.engine.integrity", "verify", str(model)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 1
    assert "has no signed manifest" in done.stdout and "python -m services.engine.integrity manifest" in done.stdout


def test_an_absent_model_folder_is_named(tmp_path: Path) -> None:
    check = verify_manifest(tmp_path / "nowhere", SIGNER.public, tmp_path / "m.json")
    assert (check.ok, check.reason) == (False, "absent")
    assert refusal(check, tmp_path / "nowhere").message == (
        f"The model folder {tmp_path / 'nowhere'} does not exist or is not a folder; refusing to launch.")
