"""What a cold start loads before its first event, checked in fresh interpreters: only what
that event needs (docs/decisions.md, "Cold starts")."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bounceback.providers.registry import (
    LOOKUP_PROVIDERS,
    PROVIDERS,
    get_adapter,
    get_lookup_adapter,
)

ROOT = Path(__file__).resolve().parents[2]


def _fresh(probe: str) -> object:
    """What ``probe`` prints as JSON, run in a fresh interpreter with the shared package."""
    completed = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", probe],
        env=dict(os.environ) | {"PYTHONPATH": str(ROOT / "shared")},
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout)


def test_a_webhook_loads_only_the_provider_it_names() -> None:
    loaded = _fresh(
        "import json, sys\n"
        "from bounceback.providers.registry import get_adapter, get_lookup_adapter\n"
        "assert get_adapter('standard').name == 'standard'\n"
        "assert get_lookup_adapter('standard') is None\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('bounceback.providers.'))))"
    )
    assert loaded == [
        "bounceback.providers._common",
        "bounceback.providers.base",
        "bounceback.providers.registry",
        "bounceback.providers.standard",
    ]


def test_every_provider_listed_is_its_own_modules_adapter() -> None:
    assert list(PROVIDERS) == ["greenhouse", "ashby", "workable", "jazzhr", "standard"]
    assert list(LOOKUP_PROVIDERS) == ["lever", "teamtailor", "smartrecruiters"]
    for name, adapter in [*PROVIDERS.items(), *LOOKUP_PROVIDERS.items()]:
        assert adapter.name == name


@pytest.mark.parametrize("name", ["base", "registry", "_common", "ats_api", "lever", "", "os"])
def test_a_url_naming_a_module_that_is_no_provider_finds_no_adapter(name: str) -> None:
    # Only the names listed are ever imported: the URL's {provider} cannot load other code.
    assert get_adapter(name) is None
    assert name not in PROVIDERS


def test_a_lookup_provider_is_not_a_signed_rejection_provider() -> None:
    assert get_lookup_adapter("lever") is LOOKUP_PROVIDERS["lever"]
    assert get_lookup_adapter("greenhouse") is None
    with pytest.raises(KeyError):
        LOOKUP_PROVIDERS["greenhouse"]


def test_reading_a_reapply_hint_does_not_load_the_area_rules() -> None:
    result = _fresh(
        "import json, sys\n"
        "from bounceback.analysis import find_reapply_hint\n"
        "hint = find_reapply_hint('You are welcome to reapply in 6 months.')\n"
        "print(json.dumps([hint, 'bounceback.analysis.engine' in sys.modules]))"
    )
    assert result == [182, False]


def test_the_area_rules_load_when_asked_for() -> None:
    from bounceback import analysis

    assert analysis.analyse.__module__ == "bounceback.analysis.engine"
    with pytest.raises(AttributeError):
        analysis.no_such_thing  # noqa: B018


def test_importing_the_api_builds_no_body_validator() -> None:
    built = _fresh(
        "import json\n"
        "import bounceback.http.api\n"
        "from pydantic import BaseModel\n"
        "from bounceback.http import schemas\n"
        "models = [m for m in vars(schemas).values()\n"
        "          if isinstance(m, type) and issubclass(m, BaseModel) and m is not BaseModel]\n"
        "assert len(models) > 20\n"
        "print(json.dumps(sorted(m.__name__ for m in models if m.__pydantic_complete__)))"
    )
    assert built == []


def test_the_webhook_function_loads_no_powertools_event_classes() -> None:
    loaded = _fresh(
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT / 'functions' / 'webhooks')!r})\n"
        "import app\n"
        "print(json.dumps('aws_lambda_powertools.utilities.data_classes' in sys.modules))"
    )
    assert loaded is False
