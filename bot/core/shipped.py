"""Where the files shipped with ostbot are: the catalog, vocabulary, registry and lexicon.

A built wheel carries the repository's data/ as the package's `bot/data` (see setup.py), found
with importlib.resources wherever ostbot is installed. An editable install or a plain checkout
has no copy there and reads the repository's data/, the one source of those files.

Cheap to import (importlib.resources and pathlib only), like its users.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def shipped_data_dir() -> Path:
    packaged = resources.files("bot") / "data"
    if isinstance(packaged, Path) and packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "data"


DATA_DIR = shipped_data_dir()
