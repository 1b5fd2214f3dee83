"""Fixtures of the knowledge-base tests."""

from __future__ import annotations

import pytest

from redaction import Redactor, build_detectors
from redaction.recognizers import load_layers


@pytest.fixture(scope="module")
def redactor() -> Redactor:
    """The chat's redactor with its name layers (loaded once per test module)."""
    return Redactor(build_detectors(), load_layers())
