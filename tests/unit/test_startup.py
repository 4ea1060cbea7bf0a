"""Start-up shims of the ``bounceback`` package, checked in fresh interpreters."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pydantic

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import sys
import bounceback
from pydantic import BaseModel

class Rejection(BaseModel):
    company: str

assert Rejection.model_validate({"company": "Northwind"}).company == "Northwind"
print("importlib.metadata" in sys.modules)
"""


def _run(**env: str) -> str:
    variables = {k: v for k, v in os.environ.items() if k != "PYDANTIC_DISABLE_PLUGINS"}
    completed = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", PROBE],
        env=variables | env | {"PYTHONPATH": str(ROOT / "shared")},
        capture_output=True,
        text=True,
        check=True,
    )
    return completed.stdout.strip()


def test_with_plugins_disabled_models_work_without_importing_the_plugin_scan() -> None:
    assert _run(PYDANTIC_DISABLE_PLUGINS="__all__") == "False"


def test_without_the_setting_pydantic_loads_its_plugins_as_usual() -> None:
    assert _run() == "True"


def test_the_stand_in_provides_what_pydantic_imports_from_its_loader() -> None:
    # pydantic imports one name from its plugin loader; a new one would need the stand-in too.
    source = Path(pydantic.__file__).parent / "plugin" / "_schema_validator.py"
    imports = [line.strip() for line in source.read_text().splitlines() if "_loader" in line]
    assert imports == ["from ._loader import get_plugins"]
