"""Build step: ship the catalog inside the package.

`data/` at the top of the repository is the only copy of the catalog and the vocabulary. A
built wheel (so `pip install .`, `pipx install .`, a container image) carries it as `bot/data/`,
where `bot.core.shipped` finds it beside the code. An editable install
(`pip install -e .`, as `make run` and `make test` do) copies nothing: it reads `data/` from the
checkout, so an edit there is seen at the next start.

Everything else about the package is declared in pyproject.toml.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

CATALOG = Path(__file__).resolve().parent / "data"


class BuildWithCatalog(build_py):
    """build_py that also copies data/ into the built package as bot/data/."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        target = Path(self.build_lib, "bot", "data")
        self.mkpath(str(target))
        for source in sorted(CATALOG.iterdir()):
            if source.is_file() and not source.name.startswith("."):
                self.copy_file(str(source), str(target / source.name))


setup(cmdclass={"build_py": BuildWithCatalog})
