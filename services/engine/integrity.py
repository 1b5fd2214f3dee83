"""Model integrity: a signed SHA-256 manifest of a model's files, and AES-256-GCM encryption at rest.

    python -m services.engine.integrity manifest PATH [--out FILE]     sign a manifest of every file under PATH
    python -m services.engine.integrity verify PATH [--manifest FILE]  exit 0, or 1 naming what differs
    python -m services.engine.integrity encrypt SRC DST                encrypt a model (then signs DST's manifest)
    python -m services.engine.integrity decrypt SRC DST                the plaintext model, back on disk

A manifest `{format, files: {name: {sha256, size}}, created, fingerprint, signature}` is signed
with the instance's Ed25519 key (the signer service's, or `keys.signing_key`): a file changed,
missing, added or renamed, or a manifest edited or signed by another key, fails `verify_manifest`.
Every byte is hashed each time (sizes and times prove nothing); files are hashed in parallel.

An encrypted model keeps its file names; each file is `MAGIC, segment size` then segments of
`nonce(12) ‖ AES-256-GCM(plaintext ≤ segment)` whose associated data binds the file name, the
segment's index and whether it is the last, so an altered, swapped, reordered or truncated
segment fails to decrypt. A marker file (`hushdesk-encrypted.json`) says the folder is encrypted.
The manifest covers the encrypted files, so it is checked before any decryption. Before each
engine launch `engine_spec.ModelGuard` does both: verify, then decrypt into a private 0700 folder
on tmpfs that is removed once the engine has loaded the model (or failed to).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import secrets
import stat
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Sequence

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from ..audit.checkpoints import Signer, fingerprint, signature_ok
from ..audit.records import canonical_json
from ..audit.remote import signer_for
from ..config import Settings, load_settings
from ..errors import EngineStartError, HushdeskError, KeyFileError
from ..keys import _read_key_file, update_key_file

__all__ = [
    "ManifestCheck", "ModelIntegrityError", "MANIFEST_NAME", "ENCRYPTED_MARKER",
    "write_manifest", "verify_manifest", "encrypt_model", "decrypt_model", "is_encrypted",
    "manifest_path_for", "load_model_key", "refusal", "main",
]

MANIFEST_NAME = "hushdesk-manifest.json"
ENCRYPTED_MARKER = "hushdesk-encrypted.json"
MANIFEST_FORMAT = "hushdesk-model-manifest/1"
ENCRYPTED_FORMAT = "hushdesk-encrypted-model/1"
_HASH_CHUNK = 1 << 20
_SEGMENT = 4 << 20
_MAX_SEGMENT = 64 << 20
_MAGIC = b"HDMENC\x00\x01"
_NONCE = 12
_TAG = 16
_KEY_CHECK = b"hushdesk model key check v1"
_OURS = (MANIFEST_NAME, ENCRYPTED_MARKER)
_SHOWN = 3


class ModelIntegrityError(EngineStartError):
    """A model's files failed a check (manifest, decryption, scratch space); never launched."""

    outcome = "model_integrity"
    default_message = "The model's files could not be verified; refusing to launch."


class _Stopped(ModelIntegrityError):
    default_message = "Decrypting the model was stopped."


@dataclass(frozen=True)
class ManifestCheck:
    """The result of `verify_manifest`: `reason` is ok, absent, missing, malformed, signature, mismatch or unsafe."""

    ok: bool
    reason: str
    changed: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    files: int = 0
    bytes: int = 0

    def describe(self) -> str:
        """A short summary such as `1 changed: model.safetensors; 1 added: extra.bin`."""
        parts = [f"{len(names)} {kind}: {_names(names)}"
                 for kind, names in (("changed", self.changed), ("missing", self.missing), ("added", self.added))
                 if names]
        return "; ".join(parts) or self.reason


def _names(names: Sequence[str]) -> str:
    shown = [n if len(n) <= 60 else n[:28] + "…" + n[-28:] for n in names[:_SHOWN]]
    more = f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else ""
    return ", ".join(shown) + more


# ---------------------------------------------------------------------------------------- manifest

def manifest_path_for(settings: Settings, model_dir: Path) -> Path:
    """HUSHDESK_MODEL_MANIFEST when set (for the configured model), else `<model_dir>/hushdesk-manifest.json`."""
    if settings.model_manifest is not None:
        return Path(settings.model_manifest)
    return Path(model_dir) / MANIFEST_NAME


def _files(model_dir: Path, skip: Path | None) -> list[tuple[str, Path]]:
    """Every regular file under `model_dir` as (relative POSIX name, path), sorted; links must stay inside."""
    root = Path(model_dir).resolve()
    if not root.is_dir():
        raise ModelIntegrityError(f"The model folder {model_dir} does not exist or is not a folder.")
    skip = skip.resolve() if skip is not None else None
    out: list[tuple[str, Path]] = []
    for here, dirs, names in os.walk(root):
        for name in sorted(dirs + names):
            path = Path(here) / name
            rel = path.relative_to(root).as_posix()
            if path.is_symlink():
                target = path.resolve()
                if not target.is_relative_to(root):
                    raise ModelIntegrityError(
                        f"The model file {_names([rel])} is a link pointing outside the model folder; "
                        "copy the real files in (cp -rL) and sign that folder.")
                if target.is_dir():
                    continue  # its files are listed under their real names
            if name in dirs:
                continue
            try:
                mode = path.stat().st_mode
            except OSError:
                raise ModelIntegrityError(f"The model file {_names([rel])} could not be read.") from None
            if not stat.S_ISREG(mode):
                raise ModelIntegrityError(f"The model folder holds {_names([rel])}, which is not a regular file.")
            if skip is not None and path.resolve() == skip:
                continue
            out.append((rel, path))
    out.sort()
    return out


def _hash(path: Path) -> tuple[str, int]:
    digest, size, buf = hashlib.sha256(), 0, bytearray(_HASH_CHUNK)
    view = memoryview(buf)
    with open(path, "rb", buffering=0) as f:
        while n := f.readinto(buf):
            digest.update(view[:n])
            size += n
    return digest.hexdigest(), size


def _hash_all(paths: Sequence[Path], workers: int | None) -> list[tuple[str, int]]:
    """Hash files in parallel (hashlib and reads release the GIL): a sharded model hashes on many cores."""
    workers = workers or min(8, os.cpu_count() or 1)
    if workers <= 1 or len(paths) <= 1:
        return [_hash(p) for p in paths]
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="hushdesk-hash") as pool:
        return list(pool.map(_hash, paths))


def write_manifest(model_dir: Path, signer: Signer, manifest_path: Path | None = None, *,
                   workers: int | None = None) -> Path:
    """Hash every file under `model_dir` and write the signed manifest (atomically); return its path."""
    path = Path(manifest_path) if manifest_path is not None else Path(model_dir) / MANIFEST_NAME
    listed = _files(model_dir, path)
    try:
        hashes = _hash_all([p for _, p in listed], workers)
    except OSError:
        raise ModelIntegrityError("A model file could not be read while writing the manifest.") from None
    body = {
        "format": MANIFEST_FORMAT,
        "files": {rel: {"sha256": h, "size": n} for (rel, _), (h, n) in zip(listed, hashes)},
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "fingerprint": signer.fingerprint,
    }
    signed = {**body, "signature": signer.sign_bytes("manifest", canonical_json(body).encode("ascii"))}
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        tmp.write_text(json.dumps(signed, indent=1, sort_keys=True, ensure_ascii=True) + "\n", encoding="ascii")
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)
        raise ModelIntegrityError(f"The manifest {path} could not be written (use --out elsewhere).") from None
    return path


def verify_manifest(model_dir: Path, public: bytes, manifest_path: Path | None = None, *,
                    workers: int | None = None) -> ManifestCheck:
    """Check the manifest's signature with `public`, then every file's size and SHA-256 against it."""
    path = Path(manifest_path) if manifest_path is not None else Path(model_dir) / MANIFEST_NAME
    if not Path(model_dir).is_dir():
        return ManifestCheck(False, "absent")
    try:
        raw = json.loads(path.read_text(encoding="ascii"))
    except FileNotFoundError:
        return ManifestCheck(False, "missing")
    except (OSError, ValueError):
        return ManifestCheck(False, "malformed")
    try:
        body = {k: raw[k] for k in ("format", "files", "created", "fingerprint")}
        expected = {str(rel): (str(e["sha256"]), int(e["size"])) for rel, e in body["files"].items()}
        sig = raw["signature"]
    except (KeyError, TypeError, ValueError, AttributeError):
        return ManifestCheck(False, "malformed")
    if body["format"] != MANIFEST_FORMAT:
        return ManifestCheck(False, "malformed")
    if body["fingerprint"] != fingerprint(public) or not signature_ok(
            public, canonical_json(body).encode("ascii"), sig):
        return ManifestCheck(False, "signature")
    try:
        present = dict(_files(model_dir, path))
    except ModelIntegrityError:
        return ManifestCheck(False, "unsafe")
    missing = tuple(sorted(set(expected) - set(present)))
    added = tuple(sorted(set(present) - set(expected)))
    both = sorted(set(expected) & set(present))
    try:
        # A size that differs already proves a change; equal sizes prove nothing, so those are hashed.
        changed = [rel for rel in both if present[rel].stat().st_size != expected[rel][1]]
        to_hash = [rel for rel in both if rel not in changed]
        hashes = _hash_all([present[rel] for rel in to_hash], workers)
    except OSError:
        return ManifestCheck(False, "unsafe")
    changed += [rel for rel, got in zip(to_hash, hashes) if got != expected[rel]]
    total = sum(n for _, n in hashes)
    ok = not (missing or added or changed)
    return ManifestCheck(ok, "ok" if ok else "mismatch", tuple(sorted(changed)), missing, added,
                         len(present), total)


def refusal(check: ManifestCheck, model_dir: Path) -> ModelIntegrityError:
    """The fixed message for a failed check, naming the command that shows the details."""
    verify = f"Run python -m services.engine.integrity verify {model_dir}."
    if check.reason == "absent":
        return ModelIntegrityError(f"The model folder {model_dir} does not exist or is not a folder; "
                                   "refusing to launch.")
    if check.reason == "missing":
        return ModelIntegrityError(
            f"The model in {model_dir} has no signed manifest; refusing to launch. Create one with "
            f"python -m services.engine.integrity manifest {model_dir} (HUSHDESK_REQUIRE_MODEL_MANIFEST=false turns "
            "the check off, which the doctor flags).")
    if check.reason == "signature":
        return ModelIntegrityError("The model's manifest is not signed by this instance's key (edited, or "
                                   f"signed elsewhere); refusing to launch. {verify}")
    if check.reason == "malformed":
        return ModelIntegrityError("The model's manifest is not a readable hushdesk manifest; "
                                   f"refusing to launch. {verify}")
    if check.reason == "unsafe":
        return ModelIntegrityError("The model folder holds a link outside it, a special or unreadable file; "
                                   f"refusing to launch. {verify}")
    return ModelIntegrityError(f"The model's files do not match its signed manifest ({check.describe()}); "
                               f"refusing to launch. {verify}")


# -------------------------------------------------------------------------------------- encryption

def _key_check(key: bytes) -> str:
    return hmac.new(key, _KEY_CHECK, hashlib.sha256).hexdigest()[:32]


def _aad(header: bytes, name: str, index: int, final: bool) -> bytes:
    encoded = name.encode("utf-8")
    tail = index.to_bytes(8, "big") + (b"\x01" if final else b"\x00")
    return header + len(encoded).to_bytes(4, "big") + encoded + tail


def is_encrypted(model_dir: Path) -> bool:
    """Whether `model_dir` holds a model encrypted by `encrypt_model` (its marker file exists)."""
    return (Path(model_dir) / ENCRYPTED_MARKER).is_file()


def _fresh_dir(path: Path) -> Path:
    path = Path(path)
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise ModelIntegrityError(f"{path} already exists and is not an empty folder.")
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _encrypt_file(src: Path, dst: Path, aes: AESGCM, name: str, segment: int) -> None:
    header = _MAGIC + segment.to_bytes(4, "big")
    with open(src, "rb") as fin, open(dst, "xb") as fout:
        fout.write(header)
        chunk, index = fin.read(segment), 0
        while True:
            ahead = fin.read(segment) if len(chunk) == segment else b""
            nonce = os.urandom(_NONCE)
            fout.write(nonce + aes.encrypt(nonce, chunk, _aad(header, name, index, not ahead)))
            if not ahead:
                return
            chunk, index = ahead, index + 1


def _decrypt_file(src: Path, dst: Path, aes: AESGCM, name: str, cancel: threading.Event | None) -> None:
    bad = ModelIntegrityError(f"The encrypted model file {_names([name])} failed authentication (altered, "
                              "truncated, reordered or swapped); refusing to use it.")
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with open(src, "rb") as fin, os.fdopen(fd, "wb") as fout:
        header = fin.read(len(_MAGIC) + 4)
        if len(header) != len(_MAGIC) + 4 or not header.startswith(_MAGIC):
            raise bad
        segment = int.from_bytes(header[-4:], "big")
        if not 0 < segment <= _MAX_SEGMENT:
            raise bad
        record, size = fin.read(_NONCE + segment + _TAG), _NONCE + segment + _TAG
        index = 0
        while True:
            if cancel is not None and cancel.is_set():
                raise _Stopped()
            ahead = fin.read(size) if len(record) == size else b""
            if len(record) < _NONCE + _TAG:
                raise bad
            try:
                plain = aes.decrypt(record[:_NONCE], record[_NONCE:], _aad(header, name, index, not ahead))
            except InvalidTag:
                raise bad from None
            fout.write(plain)
            if not ahead:
                return
            record, index = ahead, index + 1


def encrypt_model(src_dir: Path, dst_dir: Path, key: bytes, *, segment_bytes: int = _SEGMENT) -> tuple[str, ...]:
    """Encrypt every file of `src_dir` (not a manifest) into the new folder `dst_dir`; return the names."""
    if len(key) != 32 or not 0 < segment_bytes <= _MAX_SEGMENT:
        raise ValueError("a 32-byte key and a segment of 1 byte to 64 MiB are required")
    if is_encrypted(src_dir):
        raise ModelIntegrityError(f"{src_dir} is already encrypted.")
    listed = [(rel, p) for rel, p in _files(src_dir, None) if rel not in _OURS]
    dst = _fresh_dir(dst_dir)
    aes = AESGCM(key)
    for rel, path in listed:
        out = dst / rel
        out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        _encrypt_file(path, out, aes, rel, segment_bytes)
    marker = {"format": ENCRYPTED_FORMAT, "cipher": "AES-256-GCM", "segment_bytes": segment_bytes,
              "key_check": _key_check(key)}
    (dst / ENCRYPTED_MARKER).write_text(json.dumps(marker, indent=1, sort_keys=True) + "\n", encoding="ascii")
    return tuple(rel for rel, _ in listed)


def decrypt_model(src_dir: Path, dst_dir: Path, key: bytes, *, cancel: threading.Event | None = None,
                  workers: int | None = None) -> tuple[str, ...]:
    """Decrypt into the new folder `dst_dir` (files 0600, several at once); ModelIntegrityError if altered."""
    try:
        marker = json.loads((Path(src_dir) / ENCRYPTED_MARKER).read_text(encoding="ascii"))
        ok = marker["format"] == ENCRYPTED_FORMAT
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise ModelIntegrityError(f"{src_dir} is not a model encrypted by hushdesk.")
    if len(key) != 32 or not hmac.compare_digest(str(marker.get("key_check", "")), _key_check(key)):
        raise ModelIntegrityError("The model key does not open this encrypted model (HUSHDESK_MODEL_KEY or "
                                  "model_key in the key file).")
    listed = [(rel, p) for rel, p in _files(src_dir, None) if rel not in _OURS]
    dst = _fresh_dir(dst_dir)
    aes, stop = AESGCM(key), cancel or threading.Event()

    def one(item: tuple[str, Path]) -> None:
        out = dst / item[0]
        out.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            _decrypt_file(item[1], out, aes, item[0], stop)
        except BaseException:
            stop.set()  # the other files need not finish: the whole copy is thrown away
            raise

    with ThreadPoolExecutor(max_workers=workers or min(8, os.cpu_count() or 1)) as pool:
        futures = [pool.submit(one, item) for item in listed]
    errors = [f.exception() for f in futures if f.exception() is not None]
    if errors:  # the file that failed, not the ones stopped because of it
        raise next((e for e in errors if not isinstance(e, _Stopped)), errors[0])
    return tuple(rel for rel, _ in listed)


def load_model_key(settings: Settings) -> bytes | None:
    """The model key: HUSHDESK_MODEL_KEY, else `model_key` in the key file, else None."""

    if settings.model_key is not None:
        raw, where = settings.model_key.get(), "HUSHDESK_MODEL_KEY"
    else:
        raw = (_read_key_file(settings.key_file_path) or {}).get("model_key")
        where = f"model_key in {settings.key_file_path}"
        if raw is None:
            return None
    try:
        if isinstance(raw, str) and len(raw) == 64:
            return bytes.fromhex(raw)
    except ValueError:
        pass
    raise KeyFileError(f"{where} is malformed: expected 64 hex digits.")


# --------------------------------------------------------------------------------------------- CLI

def _cli_key(settings: Settings, create: bool) -> bytes:

    key = load_model_key(settings)
    if key is not None:
        return key
    if not create:
        raise KeyFileError("No model key: set HUSHDESK_MODEL_KEY or model_key in the key file.")
    update_key_file(settings, {"model_key": secrets.token_hex(32)})
    print(f"Created a new model key (model_key in {settings.key_file_path}). Back it up with the key file: "
          "without it the encrypted model cannot be read.")
    return load_model_key(settings) or b""


def _manifest_arg(settings: Settings, model: Path, given: str | None) -> Path:
    if given:
        return Path(given)
    same = settings.model_path is not None and Path(settings.model_path).resolve() == model.resolve()
    return manifest_path_for(settings, model) if same else model / MANIFEST_NAME


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; exit 0 ok, 1 a model that does not verify, 2 an error (fixed message)."""
    parser = argparse.ArgumentParser(prog="python -m services.engine.integrity", description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("manifest", help="write the signed manifest of a model folder")
    p.add_argument("path"), p.add_argument("--out")
    p = sub.add_parser("verify", help="check a model folder against its signed manifest")
    p.add_argument("path"), p.add_argument("--manifest")
    for name in ("encrypt", "decrypt"):
        p = sub.add_parser(name, help=f"{name} a model folder (AES-256-GCM) into a new folder")
        p.add_argument("src"), p.add_argument("dst")
    args = parser.parse_args(argv)

    try:
        settings = load_settings()
        if args.command in ("manifest", "verify"):
            model = Path(args.path)
            where = _manifest_arg(settings, model, args.out if args.command == "manifest" else args.manifest)
            signer = signer_for(settings)
            if args.command == "manifest":
                started = time.monotonic()
                write_manifest(model, signer, where)
                print(f"Wrote {where} ({time.monotonic() - started:.1f} s), signed by {signer.fingerprint}.")
                return 0
            check = verify_manifest(model, signer.public, where)
            if check.ok:
                print(f"ok: {check.files} files match {where}, signed by {signer.fingerprint}.")
                return 0
            print("The model's files do not match its signed manifest:" if check.reason == "mismatch"
                  else refusal(check, model).message)
            for kind, names in (("changed", check.changed), ("missing", check.missing), ("added", check.added)):
                for name in names:
                    print(f"  {kind}: {name}")
            return 1
        src, dst = Path(args.src), Path(args.dst)
        if args.command == "encrypt":
            names = encrypt_model(src, dst, _cli_key(settings, create=True))
            signed = write_manifest(dst, signer_for(settings), _manifest_arg(settings, dst, None))
            print(f"Encrypted {len(names)} files into {dst}; signed manifest {signed}. "
                  f"Point HUSHDESK_MODEL_PATH at {dst} and remove the plaintext copy.")
        else:
            names = decrypt_model(src, dst, _cli_key(settings, create=False))
            print(f"Decrypted {len(names)} files into {dst}: it holds the plaintext model.")
        return 0
    except HushdeskError as exc:
        print(exc.message, file=sys.stderr)
        return 2
    except OSError as exc:  # e.g. a full disk: name the kind, never text from elsewhere
        print(f"A model file could not be read or written ({type(exc).__name__}).", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
