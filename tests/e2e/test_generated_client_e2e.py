"""An app generated from the contract works: a typed Python client is generated from the
document the stack serves (openapi-python-client, offline, in a temporary folder) and a user's
journey runs through it, every answer read as the model the document names."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.e2e.conftest import LocalStack
from tests.support.events import load_event

pytestmark = pytest.mark.e2e

PACKAGE = "bounceback_generated_client"


@pytest.fixture
def generated(local_stack: LocalStack, tmp_path: Path) -> Iterator[ModuleType]:
    served = local_stack.request("GET", "/openapi.json")
    assert served.status == 200
    (tmp_path / "openapi.json").write_bytes(served.body)
    # No formatting of the generated code: nothing here reads it but Python.
    (tmp_path / "config.yaml").write_text("post_hooks: []\n", encoding="utf-8")
    run = subprocess.run(  # noqa: S603 - a dev dependency's console script
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path",
            "openapi.json",
            "--config",
            "config.yaml",
            "--meta",
            "none",
            "--output-path",
            PACKAGE,
            "--fail-on-warning",  # a document it cannot fully read is a failure
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [m for m in sys.modules if m == PACKAGE or m.startswith(PACKAGE + ".")]:
            del sys.modules[name]


def part(client: ModuleType, name: str) -> Any:
    return importlib.import_module(f"{client.__name__}.{name}")


def test_a_journey_through_the_generated_client(
    local_stack: LocalStack, generated: ModuleType
) -> None:
    models = part(generated, "models")
    put_me = part(generated, "api.profile.put_me")
    create_rejection = part(generated, "api.rejections.create_rejection")
    list_rejections = part(generated, "api.rejections.list_rejections")
    get_rejection = part(generated, "api.rejections.get_rejection")
    add_feedback = part(generated, "api.rejections.add_feedback")
    get_plan = part(generated, "api.plan.get_plan")
    list_notifications = part(generated, "api.notifications.list_notifications")

    token = local_stack.token("client-journey", email="client.journey@example.com")
    client = generated.AuthenticatedClient(base_url=local_stack.base_url, token=token)

    # PUT /me: the profile, the token's own address verified at once
    profile = load_event("app.profile.json") | {"emails": ["client.journey@example.com"]}
    answer = put_me.sync_detailed(client=client, body=models.ProfileIn.from_dict(profile))
    assert answer.status_code == 200
    assert isinstance(answer.parsed, models.ProfileOut)
    assert answer.parsed.verified_emails == ["client.journey@example.com"]

    # POST /rejections: 201, the stored rejection as its model, and where it lives
    sample = {k: v for k, v in load_event("app.rejection.json").items() if k != "rejected_at"}
    answer = create_rejection.sync_detailed(
        client=client, body=models.RejectionIn.from_dict(sample)
    )
    assert answer.status_code == 201
    rejection = answer.parsed
    assert isinstance(rejection, models.RejectionOut)
    assert (rejection.company, rejection.source) == (sample["company"], "app")
    assert isinstance(rejection.cooldown, models.CooldownOut)
    assert answer.headers["location"] == f"/rejections/{rejection.id}"

    # GET /rejections: a page of the models
    page = list_rejections.sync(client=client)
    assert isinstance(page, models.RejectionPage)
    assert [r.id for r in page.items] == [rejection.id]

    # POST /rejections/{id}/feedback: 202, accepted for analysis
    feedback = models.FeedbackIn.from_dict(load_event("app.feedback.json"))
    answer = add_feedback.sync_detailed(rejection.id, client=client, body=feedback)
    assert answer.status_code == 202
    assert isinstance(answer.parsed, models.FeedbackAccepted)
    assert answer.parsed.rejection_id == rejection.id

    # GET /plan and GET /notifications: whatever the steps did so far, in their models
    assert isinstance(get_plan.sync(client=client), models.Plan)
    assert isinstance(list_notifications.sync(client=client), models.NotificationPage)

    # A 4xx is the error model, with the details of a 422 typed too
    answer = get_rejection.sync_detailed("no-such-rejection", client=client)
    assert answer.status_code == 404
    assert isinstance(answer.parsed, models.ErrorOut)
    assert answer.parsed.message == "rejection not found"
    answer = put_me.sync_detailed(
        client=client, body=models.ProfileIn.from_dict(profile | {"timezone": "Mars/Olympus"})
    )
    assert answer.status_code == 422
    assert isinstance(answer.parsed, models.ErrorOut)
    (detail,) = answer.parsed.details
    assert isinstance(detail, models.ErrorDetail)
    assert detail.loc == ["body", "timezone"]
