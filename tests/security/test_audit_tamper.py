"""The service account turned attacker against the audit trail (issue 11, item 3).

It can do what that account can: read the app's key file (store and chain keys), run SQL on the
store, rewrite or delete the checkpoint file, and talk to the signer's socket. It cannot read the
signer's key: the real signer runs in a subprocess with its key in a folder only the signer is
given. Each attack must leave `python -m services.audit verify` failing with a named fault.
"""

from __future__ import annotations

import json
import secrets
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from services.audit.checkpoints import Signer, checkpoint_message
from services.audit.records import COLUMNS, ZERO_MAC, canonical_json, next_mac
from services.config import Settings
from services.keys import Keys, load_keys, update_key_file
from services.store import open_store, transaction
from tests.support.signer import SignerProcess, app_settings, ask, audit_cli, write_rows


@pytest.fixture
def trail(tmp_path: Path, signer: SignerProcess) -> tuple[Settings, Keys]:
    """12 rows with checkpoints at 5, 10 and 12 (shutdown), signed by the signer service."""
    settings = app_settings(tmp_path, signer, HUSHDESK_AUDIT_CHECKPOINT_ROWS="5")
    keys = load_keys(settings, create=True)
    write_rows(settings, keys, 12)
    assert verify(settings).returncode == 0
    return settings, keys


def verify(settings: Settings, *args: str):
    return audit_cli(settings, "verify", *args)


def fault(settings: Settings, *args: str) -> str:
    """The fault `verify` names (it must fail)."""
    result = verify(settings, *args)
    assert result.returncode == 1, (result.stdout, result.stderr)
    return result.stderr.strip()


def store(settings: Settings, keys: Keys) -> Engine:
    return open_store(settings, keys, create=False)


def edit_and_rechain(settings: Settings, keys: Keys, statement: str) -> None:
    """Change rows with SQL, then recompute every chain value with the chain key, as the writer would."""
    engine = store(settings, keys)
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql(statement)
        rows = conn.exec_driver_sql(f"SELECT {', '.join(COLUMNS)} FROM audit_events ORDER BY seq").all()
        mac = ZERO_MAC
        for values in rows:
            row = dict(zip(COLUMNS, values))
            mac = next_mac(keys.chain_key, mac, row)
            conn.exec_driver_sql("UPDATE audit_events SET mac = ? WHERE seq = ?", (mac.hex(), row["seq"]))
    engine.dispose()


def chain_value(settings: Settings, keys: Keys, seq: int) -> str:
    engine = store(settings, keys)
    with transaction(engine) as conn:
        mac = conn.exec_driver_sql("SELECT mac FROM audit_events WHERE seq = ?", (seq,)).scalar()
    engine.dispose()
    return mac


def lines(settings: Settings) -> list[str]:
    return settings.checkpoint_path.read_text().splitlines()


def write_lines(settings: Settings, kept: list[str]) -> None:
    settings.checkpoint_path.write_text("".join(line + "\n" for line in kept))


def signed_by(key: Signer, kind: str, seq: int, mac: str, n: int) -> str:
    """A checkpoint line signed with a key the attacker made."""
    body = {"kind": kind, "seq": seq, "mac": mac, "ts": "2026-01-01T00:00:00.000Z", "key": key.fingerprint, "n": n}
    return canonical_json({**body, "sig": key.sign(checkpoint_message(body))})


def test_the_service_account_holds_no_signing_key(trail, signer) -> None:
    settings, keys = trail
    assert keys.signing_key is None
    assert set(json.loads(settings.key_file_path.read_text())) == {"db_key", "pepper", "chain_key", "auth_secret"}
    seed = json.loads(signer.key_file.read_text())["seed"]
    assert all(seed not in p.read_text(errors="replace") for p in settings.data_dir.rglob("*") if p.is_file())


def test_an_edited_row_re_chained_cannot_be_re_signed(trail, signer) -> None:
    settings, keys = trail
    edit_and_rechain(settings, keys, "UPDATE audit_events SET outcome = 'rejected_input' WHERE seq = 3")
    assert fault(settings) == "seq 5: edited"  # the signed chain value at 5 no longer matches
    # The signer will not sign the rewritten chain at a seq it has signed already…
    for seq in (5, 10, 12):
        reply = ask(signer.socket, {"op": "sign", "kind": "rows", "seq": seq, "mac": chain_value(settings, keys, seq)})
        assert reply == {"ok": False, "error": "refused: the chain cannot go back to an already signed seq"}
    # …a key of the attacker's own is not the instance's…
    own = Signer(secrets.token_bytes(32))
    write_lines(settings, [signed_by(own, "rows", s, chain_value(settings, keys, s), n)
                           for n, s in enumerate((5, 10, 12), start=1)])
    assert fault(settings) == "seq 5: checkpoint"
    # …and a fresh signature past the end, with the old lines dropped, leaves a gap in the count.
    write_rows(settings, keys, 1, start=12)  # row 13, signed as checkpoint n=4
    write_lines(settings, lines(settings)[-1:])
    assert json.loads(lines(settings)[0])["n"] == 4
    assert fault(settings) == "seq 13: checkpoint-gap"


def test_a_purge_anchor_cannot_be_forged(trail, signer) -> None:
    settings, keys = trail
    original = lines(settings)
    altered = json.loads(original[-1])
    altered["kind"] = "purge"  # a real signature, re-labelled
    write_lines(settings, [*original, json.dumps(altered)])
    assert fault(settings) == "seq 12: checkpoint"
    own = Signer(secrets.token_bytes(32))
    write_lines(settings, [*original, signed_by(own, "purge", 12, chain_value(settings, keys, 12), 4)])
    assert fault(settings) == "seq 12: checkpoint"
    # The signer signs no purge of rows it signed a moment ago (it keeps them a day here).
    reply = ask(signer.socket, {"op": "sign", "kind": "purge", "seq": 12, "mac": chain_value(settings, keys, 12)})
    assert reply == {"ok": False, "error": "refused: those rows are too recent to purge"}
    write_lines(settings, original)
    engine = store(settings, keys)
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("DELETE FROM audit_events")
    engine.dispose()
    assert fault(settings) == "seq 1: truncated"  # wiping the store is no purge


def test_a_cut_tail_with_its_last_checkpoint_line_dropped_is_caught(trail, signer) -> None:
    settings, keys = trail
    engine = store(settings, keys)
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("DELETE FROM audit_events WHERE seq > 10")
    engine.dispose()
    assert fault(settings) == "seq 11: truncated"
    write_lines(settings, lines(settings)[:-1])  # the file now ends at seq 10, n=2: no gap left in it
    assert fault(settings) == "seq 12: checkpoints-shortened"  # the signer's ledger says n=3, seq 12


def test_a_dropped_checkpoint_line_is_a_gap(trail) -> None:
    settings, _ = trail
    kept = lines(settings)
    write_lines(settings, [kept[0], kept[2]])
    assert fault(settings) == "seq 12: checkpoint-gap"
    write_lines(settings, kept[1:])
    assert fault(settings) == "seq 10: checkpoint-gap"


def test_a_deleted_checkpoint_file_is_a_failure_not_a_note(trail) -> None:
    settings, _ = trail
    settings.checkpoint_path.unlink()
    assert fault(settings) == "seq 12: checkpoints-shortened"


def test_a_wrong_pinned_fingerprint_fails(trail, signer) -> None:
    settings, _ = trail
    assert verify(settings, "--expect-key", signer.fingerprint).returncode == 0
    wrong = fault(settings, "--expect-key", "ed25519:" + "0" * 64)
    assert wrong == "wrong-key: the checkpoints' signing key is not the pinned one"


def test_without_a_signer_only_the_pin_and_the_mirror_catch_a_re_signed_trail(tmp_path: Path) -> None:
    """The embedded key (no signer service): the service account can re-sign, as doctor warns."""
    settings = app_settings(tmp_path, None, HUSHDESK_AUDIT_CHECKPOINT_ROWS="5")
    keys = load_keys(settings, create=True)
    write_rows(settings, keys, 12)
    pinned = audit_cli(settings, "fingerprint").stdout.strip()
    mirror = tmp_path / "journal-extract.txt"  # what `journalctl -t hushdesk-audit -o cat` would print
    mirror.write_text(settings.checkpoint_path.read_text())
    # Cut the tail and drop the last checkpoint line: the file alone cannot tell, the mirror can.
    engine = store(settings, keys)
    with transaction(engine, write=True) as conn:
        conn.exec_driver_sql("DELETE FROM audit_events WHERE seq > 10")
    engine.dispose()
    write_lines(settings, lines(settings)[:-1])
    assert verify(settings).returncode == 0
    assert fault(settings, "--checkpoints-from", str(mirror)) == "seq 12: checkpoints-shortened"
    # Rewrite everything under a new key: the file verifies, the pinned fingerprint does not.
    edit_and_rechain(settings, keys, "UPDATE audit_events SET outcome = 'rejected_input' WHERE seq = 3")
    new = secrets.token_bytes(32)
    update_key_file(settings, {"signing_key": new.hex()})
    write_lines(settings, [signed_by(Signer(new), "rows", s, chain_value(settings, keys, s), n)
                           for n, s in enumerate((5, 10), start=1)])
    assert verify(settings).returncode == 0
    assert fault(settings, "--expect-key", pinned) == "wrong-key: the checkpoints' signing key is not the pinned one"
    assert fault(settings, "--checkpoints-from", str(mirror)) == "seq 5: checkpoint"
