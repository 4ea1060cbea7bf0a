"""The demo's ATS moment: a SmartRecruiters status change that names ids only, read back from a
fake SmartRecruiters API (``fake_ats``) on 127.0.0.1, as the deployed lookup reads the real one.

An admin connects the employer's SmartRecruiters (its signing key, its API key, and where its
API is: here, the fake), SmartRecruiters posts ``application.status.updated`` signed as it
signs, is answered 202 at once, and the lookup logs the rejection with the job and reason the
API gave. The fake keeps serving afterwards, so the connection works for a hand-made try too.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from bounceback_local import sample_delivery
from bounceback_local.fake_ats import FakeAtsApi
from bounceback_local.send_webhook import post_delivery

EVENTS = Path(__file__).resolve().parents[2] / "events"
PROVIDER = "smartrecruiters"

_RUNNING: list[FakeAtsApi] = []  # the fake keeps serving after the demo


class Client(Protocol):
    base_url: str
    token: str

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]: ...

    def sign_in(self) -> None: ...


def play(client: Client, say: Callable[..., None]) -> None:
    """Connect a fake SmartRecruiters, deliver one of its rejections, show what was logged."""
    _, info = client.call("GET", "/_local/info")
    secrets = json.loads((EVENTS / "webhooks" / "secrets.json").read_text(encoding="utf-8"))
    # The sample as SmartRecruiters would send it at the stack's clock (its dates moved to the
    # day before), and the fake's documents about its candidate moved with it.
    delivery = sample_delivery.prepare(
        sample_delivery.load(PROVIDER),
        secret=secrets[PROVIDER],
        now=datetime.fromisoformat(info["now"]),
        email=None,
    )
    fake = FakeAtsApi({PROVIDER: delivery.documents or {}}).start()
    _RUNNING.append(fake)
    client.token = ""
    _, answer = client.call("POST", "/_local/token", {"sub": "demo-admin", "groups": ["admin"]})
    client.token = answer["token"]
    status, connection = client.call(
        "POST",
        "/admin/connections",
        {
            "provider": PROVIDER,
            "company": "Difference Engines plc",
            "secret": secrets[PROVIDER],
            "api_key": fake.key(PROVIDER),
            "api_base_url": fake.base_url(PROVIDER),
        },
    )
    say(
        f"an employer connects SmartRecruiters  (POST /admin/connections -> {status})",
        "its webhooks name ids only: the job, the reason and the candidate's address are read "
        f"back from its API with the employer's key (here a fake at {fake.base_url(PROVIDER)})",
    )

    status, _ = post_delivery(client.base_url + connection["webhook_path"], delivery)
    client.sign_in()
    client.call("POST", "/_local/drain")
    _, page = client.call("GET", "/rejections?limit=50")
    found = next((r for r in page["items"] if r["source"] == PROVIDER), None)
    detail = (
        f"looked up after the answer: {found['role']} at {found['company']}, "
        f"reason {found['reason']!r}, rejected {found['rejected_at'][:10]}"
        if found
        else "the lookup has not logged it yet"
    )
    say(f"SmartRecruiters posts a status change (ids only) -> {status} at once", detail)
