"""Errors with fixed, user-safe messages.

Every error hushdesk raises carries a message written here, never text taken from another
library's exception or from a chat message, so it can be shown to a user or logged as is.

    HushdeskError
    ├── ConfigError          a setting is missing or malformed (names the setting, never its value)
    ├── KeyFileError         a key is missing, malformed or does not open the store (names the key)
    ├── RedactionSetupError  a redaction model layer or a Python recognizer cannot be loaded
    ├── StoreError           the encrypted store cannot be opened, read or written
    │   └── AuditUnavailable     a turn was refused: its audit row could not be written
    ├── InputRejected        a chat message was refused before reaching the engine
    ├── ReplyBlocked         the model's reply held a label the output policy blocks
    └── EngineError          the model engine failed
        ├── EngineUnavailable    not reachable or not ready
        ├── EngineTimeout        no answer in time
        └── EngineStartError     the supervised engine could not be started
            └── ModelIntegrityError  (services/engine/integrity.py) the model's files fail their signed manifest
"""

from __future__ import annotations

import logging

# Library loggers stay silent unless the app configures logging (services/logs.py): a command line
# then prints only its own fixed messages, never Python's last-resort log lines.
for _name in ("services", "hushdesk"):
    logging.getLogger(_name).addHandler(logging.NullHandler())

__all__ = [
    "HushdeskError",
    "ConfigError",
    "KeyFileError",
    "RedactionSetupError",
    "StoreError",
    "AuditUnavailable",
    "InputRejected",
    "ReplyBlocked",
    "EngineError",
    "EngineUnavailable",
    "EngineTimeout",
    "EngineStartError",
]


class HushdeskError(Exception):
    """Base class: `message` is fixed, safe to show and to log; `outcome` is its audit label."""

    outcome = "error"
    default_message = "Something went wrong. Please try again."
    notice = "failed"  # the pages' notice code (services.i18n "notice.<code>"); subclasses name their own

    def __init__(self, message: str | None = None) -> None:
        self.message = message or self.default_message
        super().__init__(self.message)


class ConfigError(HushdeskError):
    """A setting is missing or malformed; the message names the setting, never its value."""

    outcome = "config_error"


class KeyFileError(HushdeskError):
    """A key is missing, malformed or wrong; the message names the key."""

    outcome = "key_error"


class RedactionSetupError(HushdeskError):
    """The name model is missing or damaged, or a Python recognizer cannot be used: hushdesk does not
    start on rules alone."""

    outcome = "redaction_setup"
    default_message = "The redaction model could not be loaded; reinstall the requirements."


class StoreError(HushdeskError):
    """The encrypted store could not be opened, read or written."""

    outcome = "store_error"
    default_message = "The audit store could not be used."


class AuditUnavailable(StoreError):
    """A turn was refused because its audit row could not be written (disk full, locked, I/O)."""

    outcome = "audit_unavailable"
    default_message = ("The audit trail cannot be written right now, so this message was not answered. "
                       "Please tell your administrator.")


class InputRejected(HushdeskError):
    """A chat message was refused before it reached the engine."""

    outcome = "rejected_input"
    default_message = "That message could not be sent."


class ReplyBlocked(HushdeskError):
    """The model's reply held a value the output policy blocks; it was withheld."""

    outcome = "reply_blocked"
    default_message = "The reply was withheld because it contained personal data that may not be shown."


class EngineError(HushdeskError):
    """The model engine failed while answering."""

    outcome = "engine_error"
    default_message = "The assistant could not finish its answer. Please try again."


class EngineUnavailable(EngineError):
    """The engine is not reachable or not ready yet."""

    outcome = "engine_unavailable"
    default_message = "The assistant is not available right now. Please try again in a moment."


class EngineTimeout(EngineError):
    """The engine did not answer within the configured time."""

    outcome = "engine_timeout"
    default_message = "The assistant took too long to answer. Please try again."


class EngineStartError(EngineError):
    """The supervised engine could not be started."""

    outcome = "engine_start_failed"
    default_message = "The model engine could not be started."
