"""The redactor every text is redacted with, built once from the settings: the chat's input, the
knowledge base's documents and questions, the command lines. One place, so they cannot drift apart.

Detectors (with the configured order-number patterns and the company's recognizer file), the built-in
name layers, then the Python hooks (HUSHDESK_RECOGNIZER_HOOKS and entry points). A layer or hook that
cannot be loaded raises RedactionSetupError: hushdesk never runs on the rules alone.
"""

from __future__ import annotations

from redaction import Redactor, build_detectors
from redaction.custom import HookError, load_hooks, with_rules
from redaction.recognizers import LayerError, load_layers

from .config import Settings
from .errors import RedactionSetupError

__all__ = ["redaction_layers", "redactor_for"]


def redaction_layers(settings: Settings) -> tuple:
    """The recognizers: the built-in name layers, then the Python hooks."""
    try:
        layers = load_layers()
    except LayerError as exc:
        raise RedactionSetupError(exc.MESSAGE + ".") from None
    try:
        hooks = load_hooks(settings.recognizer_hooks)
    except HookError as exc:
        raise RedactionSetupError(f"HUSHDESK_RECOGNIZER_HOOKS: {exc}") from None
    return (*layers, *hooks)


def redactor_for(settings: Settings, recognizers: tuple | None = None) -> Redactor:
    """The configured redactor (`recognizers` when already loaded, else loaded now)."""
    detectors = with_rules(settings.recognizers_file, build_detectors(settings.order_id_patterns))
    return Redactor(detectors, redaction_layers(settings) if recognizers is None else recognizers)
