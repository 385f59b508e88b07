"""ostbot installs like any Python application: a wheel carries the catalog inside the package.

The wheel is built and installed offline: no build isolation (setuptools comes with the dev
dependencies), and the fresh virtualenv sees the dependencies already installed here.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from bot.core.catalog import DATA_DIR

ROOT = Path(__file__).resolve().parents[1]
PIP = [sys.executable, "-m", "pip"]
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".*_cache", ".hypothesis"
)


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # Built from a copy, so nothing (build/, *.egg-info) is left in the checkout.
    source = tmp_path_factory.mktemp("source") / "ostbot"
    shutil.copytree(ROOT, source, ignore=NOT_SOURCE)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [
            *PIP,
            "wheel",
            "--quiet",
            "--no-index",
            "--no-deps",
            "--no-build-isolation",
            "--wheel-dir",
            str(out),
            str(source),
        ],
        check=True,
        capture_output=True,
    )
    (built,) = out.glob("ostbot-*.whl")
    return built


def test_the_checkout_reads_its_own_data_folder() -> None:
    # make run / make test use an editable install: an edit in data/ is what the bot reads.
    assert DATA_DIR == ROOT / "data"


def test_wheel_carries_the_catalog_and_every_module(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    catalog = {f"bot/data/{p.name}" for p in (ROOT / "data").iterdir() if p.is_file()}
    modules = {p.relative_to(ROOT).as_posix() for p in (ROOT / "bot").rglob("*.py")}
    assert catalog and catalog <= names
    assert modules <= names
    assert not any(n.startswith(("data/", "tests/")) for n in names)


def test_installed_wheel_answers_from_another_directory(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    subprocess.run(
        [
            *PIP,
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-index",
            "--no-deps",
            str(wheel),
        ],
        check=True,
        capture_output=True,
    )
    # The dependencies: those installed here, appended after the venv's own site-packages, so
    # `bot` can only come from the wheel (a path added by a .pth runs none of its .pth files,
    # so this checkout's editable install stays invisible).
    site = Path(
        subprocess.check_output(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            text=True,
        ).strip()
    )
    here = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "dependencies.pth").write_text("\n".join(sorted(here)) + "\n")

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "OSTBOT_DB")}
    env["HOME"] = str(elsewhere)
    where = subprocess.run(
        [str(python), "-c", "import bot.core.catalog as c; print(c.DATA_DIR)"],
        cwd=elsewhere,
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    assert Path(where.stdout.strip()).is_relative_to(venv)

    asked = subprocess.run(
        [str(venv / "bin" / "ostbot"), "ask", "--json", "recommend a healing OST"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert asked.returncode == 0, asked.stderr
    tracks = json.loads(asked.stdout)["tracks"]
    assert tracks and all("healing" in t["tags"] for t in tracks)
    # The database went to the default place under HOME, not into the checkout.
    assert (elsewhere / ".local" / "share" / "ostbot" / "ostbot.db").is_file()
