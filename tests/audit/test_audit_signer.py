"""The signer service: a real `python -m services.audit.signer` on a Unix socket, and the app asking it.

The signer runs as this test's uid (CI cannot create accounts), but its key lives in a folder only
the signer is told about; the app's settings name the socket alone, and its key file never holds a
signing key. Every check goes through the real socket, the real store and the real command line.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import tempfile
import time
from pathlib import Path

import pytest

from services.audit.checkpoints import checkpoint_message
from services.audit.remote import RemoteSigner
from services.errors import StoreError
from services.keys import load_keys
from tests.support.signer import SignerProcess, app_settings, ask, audit_cli, write_rows


def test_the_signer_signs_only_forward_and_remembers_across_restarts(signer: SignerProcess) -> None:
    remote = RemoteSigner(signer.socket)
    assert remote.fingerprint == signer.fingerprint == signer.tool("--fingerprint").stdout.strip()
    assert os.stat(signer.key_file).st_mode & 0o777 == 0o600
    assert os.stat(signer.socket).st_mode & 0o777 == 0o660
    first = remote.sign_checkpoint("rows", 5, "a" * 64, 0)
    second = remote.sign_checkpoint("rows", 10, "b" * 64, 0)
    assert (first["n"], second["n"]) == (1, 2) and first["key"] == signer.fingerprint
    assert remote.sign_checkpoint("shutdown", 10, "b" * 64, 0)["n"] == 3  # the same point again is fine
    for kind, seq, mac in (("rows", 9, "c" * 64), ("rows", 10, "c" * 64), ("time", 3, "a" * 64)):
        reply = ask(signer.socket, {"op": "sign", "kind": kind, "seq": seq, "mac": mac})
        assert reply == {"ok": False, "error": "refused: the chain cannot go back to an already signed seq"}
    # Rows signed a moment ago are not old enough to be purged (at least a day here).
    assert ask(signer.socket, {"op": "sign", "kind": "purge", "seq": 5, "mac": "a" * 64})["error"] == \
        "refused: those rows are too recent to purge"
    for bad in ({"op": "sign", "kind": "rows", "seq": "11", "mac": "d" * 64},
                {"op": "sign", "kind": "edit", "seq": 11, "mac": "d" * 64}, {"op": "nope"}, ["sign"]):
        assert ask(signer.socket, bad) == {"ok": False, "error": "bad request"}
    signer.stop()
    with pytest.raises(StoreError) as down:
        remote.sign_checkpoint("rows", 15, "e" * 64, 0)
    assert down.value.message == f"The audit signer at {signer.socket} could not be reached."
    signer.start()
    assert remote.last() == ask(signer.socket, {"op": "last"})["last"] and remote.last()["n"] == 3
    assert remote.sign_checkpoint("rows", 15, "e" * 64, 0)["n"] == 4  # its ledger outlived the restart
    assert ask(signer.socket, {"op": "sign", "kind": "rows", "seq": 12, "mac": "f" * 64})["ok"] is False


def test_export_and_manifest_signatures_can_never_pass_for_a_checkpoint(signer: SignerProcess) -> None:
    remote = RemoteSigner(signer.socket)
    body = {"kind": "purge", "seq": 99, "mac": "0" * 64, "ts": "2020-01-01T00:00:00.000Z",
            "key": signer.fingerprint, "n": 1}
    for purpose, data in (("export", checkpoint_message(body)), ("manifest", checkpoint_message(body)),
                          ("manifest", json.dumps(body, sort_keys=True, separators=(",", ":")).encode()),
                          ("checkpoint", b"\0" * 32)):
        reply = ask(signer.socket, {"op": "sign_bytes", "purpose": purpose,
                                    "data": base64.b64encode(data).decode()})
        assert reply == {"ok": False, "error": "refused: not signable for that purpose"}, purpose
    assert remote.sign_bytes("export", b"\1" * 32)  # a SHA-256 digest of a bundle is fine


def test_the_app_gets_signatures_but_holds_no_signing_key(tmp_path: Path, signer: SignerProcess) -> None:
    settings = app_settings(tmp_path, signer, HUSHDESK_AUDIT_CHECKPOINT_ROWS="5")
    keys = load_keys(settings, create=True)
    assert keys.signing_key is None
    assert "signing_key" not in json.loads(settings.key_file_path.read_text())
    seed = json.loads(signer.key_file.read_text())["seed"]
    write_rows(settings, keys, 12)
    lines = [json.loads(line) for line in settings.checkpoint_path.read_text().splitlines()]
    assert [(c["n"], c["seq"], c["kind"]) for c in lines] == [(1, 5, "rows"), (2, 10, "rows"), (3, 12, "shutdown")]
    assert {c["key"] for c in lines} == {signer.fingerprint}
    for path in [*settings.data_dir.rglob("*"), settings.checkpoint_path]:
        if path.is_file():
            assert seed.encode() not in path.read_bytes(), path
    verified = audit_cli(settings, "verify", "--expect-key", signer.fingerprint)
    assert verified.returncode == 0, verified.stderr
    assert verified.stdout.startswith("ok (12 rows, 3 signed checkpoints, 1 held by the signer or mirror)")
    assert "could re-sign" not in verified.stderr
    assert audit_cli(settings, "fingerprint").stdout.strip() == signer.fingerprint
    today = time.strftime("%Y-%m-%d", time.gmtime())
    out = tmp_path / "bundle.jsonl"
    assert audit_cli(settings, "export", "--from", today, "--to", today, "--out", str(out)).returncode == 0
    checked = audit_cli(settings, "verify-export", str(out), "--fingerprint", signer.fingerprint)
    assert checked.returncode == 0 and checked.stdout.strip() == f"ok: 12 rows, signed by {signer.fingerprint}"


def test_rows_are_written_while_the_signer_is_down_and_signed_when_it_is_back(tmp_path: Path,
                                                                             signer: SignerProcess) -> None:
    settings = app_settings(tmp_path, signer, HUSHDESK_AUDIT_CHECKPOINT_ROWS="3")
    keys = load_keys(settings, create=True)
    write_rows(settings, keys, 3)
    signer.stop()
    write_rows(settings, keys, 3, start=3)  # every turn is still recorded and chained; checkpoints wait
    assert len(settings.checkpoint_path.read_text().splitlines()) == 1
    down = audit_cli(settings, "verify")
    assert down.returncode == 2 and down.stderr.strip() == f"The audit signer at {signer.socket} could not be reached."
    signer.start()
    write_rows(settings, keys, 1, start=6)
    # The writer signs what the outage left (6) as it starts, then its own row at shutdown (7).
    assert [json.loads(line)["seq"] for line in settings.checkpoint_path.read_text().splitlines()] == [3, 6, 7]
    assert audit_cli(settings, "verify").returncode == 0


def test_each_checkpoint_reaches_a_udp_syslog_collector(tmp_path: Path, signer: SignerProcess) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as collector:
        collector.bind(("127.0.0.1", 0))
        collector.settimeout(5)
        port = collector.getsockname()[1]
        settings = app_settings(tmp_path, signer, HUSHDESK_AUDIT_CHECKPOINT_ROWS="4",
                                HUSHDESK_AUDIT_CHECKPOINT_MIRROR=f"udp://127.0.0.1:{port}")
        keys = load_keys(settings, create=True)
        write_rows(settings, keys, 9)
        received = [collector.recv(65536).decode() for _ in range(3)]
    lines = settings.checkpoint_path.read_text().splitlines()
    assert len(lines) == 3
    for message, line in zip(received, lines):
        assert message.startswith("<85>1 ") and " hushdesk-audit " in message  # RFC 5424, authpriv.notice
        assert message.endswith(" " + line)
    extract = tmp_path / "collector.log"
    extract.write_text("".join(f"Jan  1 00:00:00 host {m}\n" for m in received))
    assert audit_cli(settings, "verify", "--checkpoints-from", str(extract)).returncode == 0


def test_a_purge_may_only_cover_rows_checkpointed_long_enough_ago(tmp_path: Path) -> None:
    from services.audit.signer import Ledger, SignerError, SignerService

    home = tmp_path / "signer"
    home.mkdir(mode=0o700)
    service = SignerService(bytes(range(32)), home / "ledger.jsonl", purge_min_age_days=30)
    for seq, mac in ((5, "a" * 64), (10, "b" * 64)):
        service.handle({"op": "sign", "kind": "rows", "seq": seq, "mac": mac}, None)
    ledger = Ledger(home / "ledger.jsonl", service.key.public)  # as read back after a restart
    month = 31 * 86400
    with pytest.raises(SignerError):
        ledger.check("purge", 5, "a" * 64, 30 * 86400, time.time())
    ledger.check("purge", 10, "b" * 64, 30 * 86400, time.time() + month)
    with pytest.raises(SignerError):
        ledger.check("purge", 11, "c" * 64, 30 * 86400, time.time() + month)  # past what was signed
    ledger.append(service.key.sign_checkpoint("purge", 10, "b" * 64, ledger.n + 1))
    with pytest.raises(SignerError):
        ledger.check("purge", 5, "a" * 64, 30 * 86400, time.time() + month)  # never backwards
    assert (ledger.n, ledger.purge_seq) == (3, 10)


def test_the_signer_and_the_app_mirror_over_unix_and_tcp_syslog(tmp_path: Path) -> None:
    import threading

    folder = Path(tempfile.mkdtemp(prefix="hd-log-"))
    journal = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)  # stands in for /dev/log
    journal.bind(str(folder / "log"))
    journal.settimeout(5)
    collector = socket.create_server(("127.0.0.1", 0))
    collector.settimeout(5)
    framed: list[bytes] = []

    def accept(count: int) -> None:
        for _ in range(count):
            conn, _ = collector.accept()
            with conn:
                framed.append(conn.recv(65536))

    listener = threading.Thread(target=accept, args=(2,))
    listener.start()
    signer = SignerProcess(tmp_path / "signer-home", mirror=f"unix:{folder / 'log'}")
    try:
        settings = app_settings(tmp_path, signer, HUSHDESK_AUDIT_CHECKPOINT_ROWS="4",
                                HUSHDESK_AUDIT_CHECKPOINT_MIRROR=f"tcp://127.0.0.1:{collector.getsockname()[1]}")
        write_rows(settings, load_keys(settings, create=True), 5)  # checkpoints at 4 and 5 (shutdown)
        listener.join(10)
        from_signer = [journal.recv(65536).decode() for _ in range(2)]
    finally:
        signer.close()
        journal.close()
        collector.close()
        shutil.rmtree(folder, ignore_errors=True)
    lines = settings.checkpoint_path.read_text().splitlines()
    assert [m.split(": ", 1)[1] for m in from_signer] == lines  # RFC 3164: "<85>hushdesk-audit[pid]: {…}"
    assert all(m.startswith("<85>hushdesk-audit[") for m in from_signer)
    for message, line in zip(framed, lines):
        length, _, rest = message.decode().partition(" ")  # RFC 6587 octet counting
        assert int(length) == len(rest.encode()) and rest.endswith(" " + line)


def test_only_the_allowed_uid_gets_signatures(tmp_path: Path) -> None:
    other = SignerProcess(tmp_path / "signer-home", extra=("--allow-uid", str(os.getuid() + 1)))
    try:
        assert ask(other.socket, {"op": "public"})["fingerprint"] == other.fingerprint  # anyone may check
        assert ask(other.socket, {"op": "sign", "kind": "rows", "seq": 1, "mac": "a" * 64}) == {
            "ok": False, "error": "not allowed"}  # SO_PEERCRED: this uid is not the one allowed
        with pytest.raises(StoreError) as refused:
            RemoteSigner(other.socket).sign_bytes("export", b"\0" * 32)
        assert refused.value.message == "The audit signer refused the request."
    finally:
        other.close()
    mine = SignerProcess(tmp_path / "signer-home-2", extra=("--allow-uid", str(os.getuid())))
    try:
        assert RemoteSigner(mine.socket).sign_checkpoint("rows", 1, "a" * 64, 0)["n"] == 1
    finally:
        mine.close()
