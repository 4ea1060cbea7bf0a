"""The Makefile is the command surface: `make help` names every target, and `make build`
says what it needs before it fails."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
INTERNAL = {"build-runtime"}  # a step of `make build`, not a command of its own
SELF = {"help"}  # what `make` alone runs


def _make(*arguments: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    make = shutil.which("make")
    assert make is not None
    environment = os.environ | ({"PATH": path} if path is not None else {})
    return subprocess.run(  # noqa: S603 - make, on this repository's Makefile
        [make, "-s", "-C", str(REPO), *arguments],
        capture_output=True,
        text=True,
        env=environment,
        timeout=60,
        check=False,
    )


def _targets() -> set[str]:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    phony = re.search(r"^\.PHONY:(.*)$", text, re.MULTILINE)
    assert phony is not None
    return set(phony.group(1).split()) - INTERNAL


def test_help_names_every_target() -> None:
    shown = _make("help")
    assert shown.returncode == 0, shown.stderr
    named = set(re.findall(r"^make (\S+)", shown.stdout, re.MULTILINE))
    assert named == _targets() - SELF


def test_every_target_has_a_rule() -> None:
    text = (REPO / "Makefile").read_text(encoding="utf-8")
    for target in _targets() | INTERNAL:
        assert re.search(rf"^{re.escape(target)}:", text, re.MULTILINE), target


@pytest.mark.skipif(shutil.which("bash") is None, reason="the recipes run in bash")
def test_build_without_python_3_13_says_how_to_build(tmp_path: Path) -> None:
    # Given a PATH with make's shell but no python3.13 (and no Docker)
    for tool in ("bash", "sh"):
        found = shutil.which(tool)
        assert found is not None
        (tmp_path / tool).symlink_to(found)

    # When the build's first step runs
    checked = _make("build-runtime", path=str(tmp_path))

    # Then it stops, naming the runtime and the container build
    assert checked.returncode != 0
    assert "python3.13" in checked.stdout
    assert "make build CONTAINER=1" in checked.stdout
