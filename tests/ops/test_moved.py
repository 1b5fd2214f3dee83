"""Command lines keep working under the names they had before the packages-by-noun layout."""

from __future__ import annotations

import subprocess
import sys

import pytest

from services.moved import MOVED
from tests.support.process import ROOT


@pytest.mark.parametrize("old", sorted(MOVED))
def test_an_old_command_name_says_the_new_one_and_runs_it(old: str) -> None:
    new = MOVED[old]
    done = subprocess.run([sys.executable, "-m", old, "--help"], cwd=ROOT, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    assert f"`python -m {new}`" in done.stderr
    assert "usage:" in done.stdout.lower()
    direct = subprocess.run([sys.executable, "-m", new, "--help"], cwd=ROOT, capture_output=True, text=True,
                            timeout=120)
    assert direct.returncode == 0 and direct.stdout == done.stdout
