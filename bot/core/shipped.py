"""Where the files shipped with ostbot are: the catalog, vocabulary, registry and lexicon.

A built wheel carries the repository's data/ as the package's `bot/data` (see setup.py), beside
the package's code wherever ostbot is installed. An editable install or a plain checkout has no
copy there and reads the repository's data/, the one source of those files.

Cheap to import (pathlib only), like its users: the package is found from this file, not with
importlib.resources, whose import (tempfile, zipfile and more) cost 4-5 ms of every start, and
which gives the same folder for a package installed as files (the only kind read here).
"""

from __future__ import annotations

from pathlib import Path


def shipped_data_dir() -> Path:
    packaged = Path(__file__).resolve().parents[1] / "data"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


DATA_DIR = shipped_data_dir()
