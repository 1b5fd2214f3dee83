"""Output policy per label: mask (the default) or block the whole reply with a safe notice."""

from __future__ import annotations

from dataclasses import dataclass

from .detectors import LABELS

MASK = "mask"
BLOCK = "block"


@dataclass(frozen=True, slots=True)
class OutputPolicy:
    """Labels whose presence in a model reply blocks the reply; every other label is masked."""

    block: frozenset[str] = frozenset()

    @classmethod
    def parse(cls, spec: str, labels: tuple[str, ...] = LABELS) -> "OutputPolicy":
        """From `LABEL=block,LABEL=mask,...` (empty: mask everything); ValueError names the bad entry."""
        block: set[str] = set()
        for entry in filter(None, (e.strip() for e in spec.split(","))):
            label, sep, action = (p.strip() for p in entry.partition("="))
            if not sep or label.upper() not in labels or action.lower() not in (MASK, BLOCK):
                raise ValueError(f"expected LABEL=mask|block with LABEL one of {', '.join(labels)}")
            if action.lower() == BLOCK:
                block.add(label.upper())
        return cls(frozenset(block))

    def blocks(self, counts: dict[str, int]) -> bool:
        """True when any label counted in `counts` is one this policy blocks."""
        return any(counts.get(label) for label in self.block)
