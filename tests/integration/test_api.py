"""The app and admin API through its handler, on moto: the BRIEF's routes and their promises."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from bounceback.errors import PublishError
from bounceback.providers.registry import LOOKUP_PROVIDERS, PROVIDERS
from bounceback.services import Bus
from bounceback.store import keys
from bounceback.store.rekey import rekey
from bounceback.store.table import Table
from tests.support.api import API_NOW, call_api
from tests.support.cloud import Cloud, iter_kinds, schedule_due_at
from tests.support.events import SAMPLE_USER, load_event

OTHER_USER = "0c1d2e3f-4a5b-4c6d-8e7f-901a2b3c4d5e"


def rejection_body(**changes: Any) -> dict[str, Any]:
    return load_event("app.rejection.json") | changes


def stored(cloud: Cloud, kind: str) -> list[dict[str, Any]]:
    return list(iter_kinds(cloud.items(), kind))


def register(user: str | None = None, email: str = "ada@example.com") -> None:
    """Sign up with the address the token says is verified."""
    body = load_event("app.profile.json") | {"emails": [email]}
    kwargs: dict[str, Any] = {"user": user} if user else {}
    answer = call_api("PUT", "/me", body, token_email=email, **kwargs)
    assert answer.status == 200
    assert answer.body["verified_emails"] == [email]


# ------------------------------------------------------------------ profile
def test_a_profile_is_saved_and_read_back(cloud: Cloud) -> None:
    saved = call_api("PUT", "/me", load_event("app.profile.json") | {"emails": ["Ada@Example.com"]})
    assert saved.status == 200
    assert saved.body["emails"] == ["ada@example.com"]
    assert call_api("GET", "/me").body["display_name"] == "Ada Lovelace"


def test_naming_an_address_another_user_owns_is_answered_as_any_other(cloud: Cloud) -> None:
    register()  # owns the sample's address
    answer = call_api("PUT", "/me", load_event("app.profile.json"), user=OTHER_USER)
    assert answer.status == 200
    assert answer.body["emails"] == load_event("app.profile.json")["emails"]
    assert answer.body["verified_emails"] == []


def test_an_unknown_timezone_is_a_422(cloud: Cloud) -> None:
    answer = call_api("PUT", "/me", load_event("app.profile.json") | {"timezone": "Mars/Olympus"})
    assert answer.status == 422
    assert stored(cloud, "profile") == []


# ------------------------------------------------------------------ rejections
def test_a_rejection_is_logged_with_its_cooldown_and_event(cloud: Cloud) -> None:
    answer = call_api("POST", "/rejections", rejection_body())

    assert answer.status == 201
    assert answer.body["source"] == "app"
    assert answer.body["cooldown"]["basis"] == "message_hint"
    assert answer.body["cooldown"]["days"] == 182
    assert answer.headers["Location"] == f"/rejections/{answer.body['id']}"
    published = cloud.take_published()
    assert [e["detail-type"] for e in published] == ["Rejection Logged"]
    assert published[0]["detail"]["data"]["rejection_id"] == answer.body["id"]
    assert "ada@example.com" not in str(published)


def test_a_retried_request_logs_one_rejection_and_one_event(cloud: Cloud) -> None:
    headers = {"idempotency-key": "retry-me-1"}
    first = call_api("POST", "/rejections", rejection_body(), headers=headers)
    again = call_api("POST", "/rejections", rejection_body(), headers=headers)

    assert first.status == again.status == 201
    assert again.body["id"] == first.body["id"]
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(stored(cloud, "rejection")) == 1
    assert len(cloud.take_published()) == 1


def test_a_key_reused_for_another_rejection_is_a_conflict(cloud: Cloud) -> None:
    headers = {"idempotency-key": "same-key"}
    call_api("POST", "/rejections", rejection_body(), headers=headers)
    answer = call_api("POST", "/rejections", rejection_body(company="Other Co"), headers=headers)
    assert answer.status == 409


def test_the_same_rejection_in_other_letter_case_is_the_one_first_stored(cloud: Cloud) -> None:
    # Given a rejection logged without an Idempotency-Key
    first = call_api("POST", "/rejections", rejection_body(company="Acme", role="Engineer"))

    # When the same one is logged again, its company and role in other letter case
    again = call_api("POST", "/rejections", rejection_body(company="ACME", role="engineer"))

    # Then it is the same rejection (the natural key ignores case), not a key conflict
    assert first.status == again.status == 201
    assert again.body["id"] == first.body["id"]
    assert again.body["company"] == "Acme"
    assert again.headers.get("Idempotent-Replayed") == "true"
    assert len(stored(cloud, "rejection")) == 1


def test_a_key_reused_in_other_letter_case_is_the_same_rejection(cloud: Cloud) -> None:
    headers = {"idempotency-key": "case-key"}
    first = call_api("POST", "/rejections", rejection_body(company="Acme"), headers=headers)
    again = call_api("POST", "/rejections", rejection_body(company="ACME"), headers=headers)
    assert (again.status, again.body["id"]) == (201, first.body["id"])


def test_a_refused_publish_loses_no_event_even_when_the_client_never_retries(
    cloud: Cloud, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the bus refuses the first event
    real = Bus.publish
    attempts = {"n": 0}

    def flaky(self: Bus, *events: Any) -> None:
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise PublishError("1 of 1 events refused")
        real(self, *events)

    monkeypatch.setattr(Bus, "publish", flaky)

    # When the app posts once (and never retries)
    answer = call_api("POST", "/rejections", rejection_body())

    # Then the rejection is stored, and its event reaches the bus once, from the table's
    # stream: the relay's first try is refused and the stream hands the record over again
    assert answer.status == 201
    assert cloud.relay() != []
    assert [e["detail-type"] for e in cloud.take_published()] == ["Rejection Logged"]
    assert cloud.take_published() == []
    assert len(stored(cloud, "rejection")) == 1


@pytest.mark.parametrize(
    ("raw_body", "field"),
    [
        ("{not json", None),
        ('{"company": "X"}', "role"),
        ('{"company": "X", "role": "Y", "colour": "blue"}', "colour"),
        ('{"company": 42, "role": "Y"}', "company"),
        ('{"company": "X", "role": "Y", "rejected_at": "2026-02-30T10:00:00Z"}', "rejected_at"),
        ('{"company": "X", "role": "Y", "cooldown_days": -3}', "cooldown_days"),
        ('{"company": "' + "x" * 201 + '", "role": "Y"}', "company"),
        ('{"company": "X", "role": "Y", "message": "' + "m" * 10_001 + '"}', "message"),
    ],
)
def test_bad_input_is_a_clear_422_and_stores_nothing(
    cloud: Cloud, raw_body: str, field: str | None
) -> None:
    answer = call_api("POST", "/rejections", raw_body=raw_body)

    assert answer.status == 422
    assert answer.body["message"] == "the request is not valid"
    if field:
        assert any(field in d["loc"] for d in answer.body["details"])
    assert cloud.items() == []
    assert cloud.take_published() == []


def test_a_rejection_dated_in_the_future_is_a_400(cloud: Cloud) -> None:
    future = (API_NOW + timedelta(days=2)).isoformat()
    answer = call_api("POST", "/rejections", rejection_body(rejected_at=future))
    assert answer.status == 400
    assert "future" in answer.body["message"]
    assert cloud.items() == []


def test_any_unicode_is_kept(cloud: Cloud) -> None:
    text = "Merci 🙏 — on a choisi un·e candidat·e plus expérimenté·e. 谢谢"
    created = call_api("POST", "/rejections", rejection_body(message=text)).body
    assert call_api("GET", f"/rejections/{created['id']}").body["message"] == text


def test_rejections_are_listed_newest_first_in_pages(cloud: Cloud) -> None:
    for day in range(5):
        when = (API_NOW - timedelta(days=10 - day)).isoformat()
        call_api("POST", "/rejections", rejection_body(role=f"Role {day}", rejected_at=when))

    first = call_api("GET", "/rejections", query={"limit": "2"}).body
    second = call_api(
        "GET", "/rejections", query={"limit": "2", "next_token": first["next_token"]}
    ).body
    roles = [r["role"] for r in first["items"] + second["items"]]
    assert roles == ["Role 4", "Role 3", "Role 2", "Role 1"]


def test_rejections_are_listed_by_instant_whatever_their_offset(cloud: Cloud) -> None:
    # Given a rejection at 20:00 on the 1st in Kiribati (+14:00: 06:00 UTC on the 1st) and
    # one at 07:00 UTC the same day, an hour later, and one at 05:00 UTC, an hour earlier
    kiribati = call_api(
        "POST",
        "/rejections",
        rejection_body(role="Kiribati", rejected_at="2026-11-01T20:00:00+14:00"),
    ).body
    later = call_api(
        "POST", "/rejections", rejection_body(role="Later", rejected_at="2026-11-01T07:00:00Z")
    ).body
    earlier = call_api(
        "POST", "/rejections", rejection_body(role="Earlier", rejected_at="2026-11-01T05:00:00Z")
    ).body

    # When they are listed, one per page
    seen: list[str] = []
    query = {"limit": "1"}
    while True:
        page = call_api("GET", "/rejections", query=query).body
        seen += [r["id"] for r in page["items"]]
        if not page.get("next_token"):
            break
        query = {"limit": "1", "next_token": page["next_token"]}

    # Then they come newest first by the instant, not by the text of the time
    assert seen == [later["id"], kiribati["id"], earlier["id"]]


def test_a_page_token_cannot_open_another_users_list(cloud: Cloud) -> None:
    for day in range(3):
        when = (API_NOW - timedelta(days=day)).isoformat()
        call_api("POST", "/rejections", rejection_body(role=f"R{day}", rejected_at=when))
    token = call_api("GET", "/rejections", query={"limit": "1"}).body["next_token"]

    answer = call_api("GET", "/rejections", user=OTHER_USER, query={"next_token": token})
    assert answer.status == 400


def test_users_see_only_their_own_rejections(cloud: Cloud) -> None:
    mine = call_api("POST", "/rejections", rejection_body()).body

    assert call_api("GET", f"/rejections/{mine['id']}", user=OTHER_USER).status == 404
    assert call_api("DELETE", f"/rejections/{mine['id']}", user=OTHER_USER).status == 404
    assert (
        call_api(
            "POST", f"/rejections/{mine['id']}/feedback", {"text": "hi"}, user=OTHER_USER
        ).status
        == 404
    )
    assert call_api("GET", "/rejections", user=OTHER_USER).body["items"] == []
    assert call_api("GET", f"/rejections/{mine['id']}").status == 200


def test_no_identity_is_a_401_and_an_admin_route_without_the_group_a_403(cloud: Cloud) -> None:
    assert call_api("GET", "/rejections", user=None).status == 401
    answer = call_api("POST", "/admin/connections", {"provider": "greenhouse", "company": "X"})
    assert answer.status == 403


def test_patching_the_waiting_period_moves_the_reapply_timer(cloud: Cloud) -> None:
    from tests.support.cloud import InProcessWorkflow

    created = call_api("POST", "/rejections", rejection_body()).body
    InProcessWorkflow(cloud).run_until_quiet()

    patched = call_api("PATCH", f"/rejections/{created['id']}", {"cooldown_days": 30})

    assert patched.status == 200
    assert patched.body["cooldown"] == {
        "days": 30,
        "basis": "user_override",
        "source": "you set it",
    }
    timers = {s["Name"]: schedule_due_at(s) for s in cloud.schedules()}
    # Logged without a date: rejected when it was logged
    assert timers[f"reapply-{created['id']}"] == API_NOW + timedelta(days=30)


def test_deleting_a_rejection_removes_it_and_cancels_its_timers(cloud: Cloud) -> None:
    from tests.support.cloud import InProcessWorkflow

    created = call_api("POST", "/rejections", rejection_body()).body
    InProcessWorkflow(cloud).run_until_quiet()
    assert cloud.schedules()

    assert call_api("DELETE", f"/rejections/{created['id']}").status == 204

    assert call_api("GET", f"/rejections/{created['id']}").status == 404
    assert cloud.schedules() == []
    assert stored(cloud, "notification") == []


# ------------------------------------------------------------------ feedback, plan, inbox
def test_feedback_is_accepted_analysed_and_shown_on_the_rejection(cloud: Cloud) -> None:
    from tests.support.cloud import InProcessWorkflow

    register()
    created = call_api("POST", "/rejections", rejection_body()).body
    feedback = load_event("app.feedback.json")
    accepted = call_api("POST", f"/rejections/{created['id']}/feedback", feedback)
    InProcessWorkflow(cloud).run_until_quiet()

    assert accepted.status == 202
    detail = call_api("GET", f"/rejections/{created['id']}").body
    assert [f["id"] for f in detail["feedback"]] == [accepted.body["id"]]
    areas = {a["area"] for a in detail["feedback"][0]["areas"]}
    assert "technical_skills" in areas
    assert detail["recovery"]["encouraged"] is True
    assert detail["recovery"]["plan_ready"] is True
    assert detail["recovery"]["feedback_followup"] == "not_needed"
    plan = call_api("GET", "/plan").body
    assert plan["feedback_count"] == 1
    assert plan["areas"]
    kinds = [n["kind"] for n in call_api("GET", "/notifications").body["items"]]
    assert sorted(kinds) == ["encouragement", "feedback_request", "plan_ready"]


def test_the_same_feedback_posted_twice_is_stored_once(cloud: Cloud) -> None:
    created = call_api("POST", "/rejections", rejection_body()).body
    for _ in range(2):
        call_api("POST", f"/rejections/{created['id']}/feedback", {"text": "Too junior."})
    assert len(stored(cloud, "feedback")) == 1


def test_export_holds_everything_and_delete_me_removes_it(cloud: Cloud) -> None:
    from tests.support.cloud import InProcessWorkflow

    register()
    created = call_api("POST", "/rejections", rejection_body()).body
    call_api("POST", f"/rejections/{created['id']}/feedback", load_event("app.feedback.json"))
    InProcessWorkflow(cloud).run_until_quiet()

    export = call_api("GET", "/me/export").body
    assert export["profile"]["emails"] == ["ada@example.com"]
    assert [r["id"] for r in export["rejections"]] == [created["id"]]
    assert len(export["rejections"][0]["feedback"]) == 1
    assert len(export["notifications"]) == 3

    assert call_api("DELETE", "/me").status == 204
    assert cloud.items() == []
    assert cloud.schedules() == []
    assert call_api("GET", "/me").status == 404


# ------------------------------------------------------------------ admin, docs
def test_an_admin_creates_lists_and_deletes_connections(cloud: Cloud) -> None:
    admin = {"groups": ("admin",)}
    created = call_api(
        "POST", "/admin/connections", {"provider": "greenhouse", "company": "Northwind"}, **admin
    )
    assert created.status == 201
    assert created.body["webhook_path"] == f"/webhooks/greenhouse/{created.body['id']}"
    assert len(created.body["secret"]) >= 32
    # the secret is stored encrypted, and never listed again
    assert created.body["secret"] not in str(cloud.items())
    listed = call_api("GET", "/admin/connections", **admin).body["items"]
    assert [c["id"] for c in listed] == [created.body["id"]]
    assert "secret" not in listed[0]

    assert call_api("DELETE", f"/admin/connections/{created.body['id']}", **admin).status == 204
    assert call_api("GET", "/admin/connections", **admin).body["items"] == []


def test_an_unknown_provider_is_refused_with_the_known_ones(cloud: Cloud) -> None:
    # The document lists the providers as an enum: another name does not match the schema.
    answer = call_api(
        "POST", "/admin/connections", {"provider": "nope", "company": "X"}, groups=("admin",)
    )
    assert answer.status == 422
    known = ", ".join(sorted([*PROVIDERS, *LOOKUP_PROVIDERS]))
    assert answer.body["message"] == (
        f"the request is not valid: body.provider: unknown provider 'nope' (one of: {known})"
    )
    (detail,) = answer.body["details"]
    assert detail["loc"] == ["body", "provider"]
    assert "greenhouse" in detail["msg"]
    assert "standard" in detail["msg"]
    assert cloud.items() == []


def test_openapi_and_swagger_need_no_token(cloud: Cloud) -> None:
    spec = call_api("GET", "/openapi.json", user=None)
    assert spec.status == 200
    assert "/rejections/{rejection_id}" in spec.body["paths"]
    docs = call_api("GET", "/docs", user=None)
    assert docs.status == 200
    assert "swagger" in docs.body.lower()


def test_the_committed_openapi_document_is_current() -> None:
    from pathlib import Path

    from functions.api.app import openapi_document

    committed = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
    assert committed.read_text().strip() == openapi_document().strip(), "run: make openapi"


def test_a_body_that_is_not_json_is_a_415(cloud: Cloud) -> None:
    answer = call_api(
        "POST",
        "/rejections",
        raw_body="company=X&role=Y",
        headers={"content-type": "application/x-www-form-urlencoded"},
    )
    assert answer.status == 415
    assert "application/json" in answer.body["message"]
    assert cloud.items() == []


def test_a_changed_rejection_keeps_its_event_published_and_drops_cleared_fields(
    cloud: Cloud,
) -> None:
    # Given a rejection logged with a key, and its event published
    headers = {"idempotency-key": "patch-then-retry"}
    created = call_api("POST", "/rejections", rejection_body(), headers=headers).body
    cloud.take_published()

    # When the user clears the stage and the app then retries the original request
    patched = call_api("PATCH", f"/rejections/{created['id']}", {"stage": None})
    call_api("POST", "/rejections", rejection_body(), headers=headers)

    # Then the stage is gone, and no second "Rejection Logged" is published
    assert patched.status == 200
    assert patched.body["stage"] is None
    assert call_api("GET", f"/rejections/{created['id']}").body["stage"] is None
    assert [e["detail-type"] for e in cloud.take_published()] == []


def test_a_change_answers_the_rejection_as_reading_it_does(cloud: Cloud) -> None:
    # Given a rejection with feedback, and its recovery under way
    created = call_api("POST", "/rejections", rejection_body()).body
    call_api("POST", f"/rejections/{created['id']}/feedback", {"text": "Too junior for now."})

    # When its waiting period is changed
    patched = call_api("PATCH", f"/rejections/{created['id']}", {"cooldown_days": 30})

    # Then the answer is what GET reads: the feedback and the recovery included
    assert patched.status == 200
    assert patched.body["cooldown"]["days"] == 30
    assert [f["text"] for f in patched.body["feedback"]] == ["Too junior for now."]
    assert patched.body["recovery"] is not None
    assert patched.body == call_api("GET", f"/rejections/{created['id']}").body


def test_export_lists_every_rejection_newest_first_with_its_own_feedback(cloud: Cloud) -> None:
    older = call_api(
        "POST", "/rejections", rejection_body(role="Analyst", rejected_at="2026-10-01T09:00:00Z")
    ).body
    newer = call_api("POST", "/rejections", rejection_body(role="Engineer")).body
    call_api("POST", f"/rejections/{older['id']}/feedback", {"text": "Too junior for now."})

    export = call_api("GET", "/me/export").body

    assert [r["id"] for r in export["rejections"]] == [newer["id"], older["id"]]
    assert [len(r["feedback"]) for r in export["rejections"]] == [0, 1]


def test_sort_keys_written_before_times_were_spelled_in_utc_are_rewritten(cloud: Cloud) -> None:
    # Given rejections listed by instant, one of them stored with its key in the old spelling
    # (the time's own offset, no fraction), which sorts by text
    kiribati = call_api(
        "POST",
        "/rejections",
        rejection_body(role="Kiribati", rejected_at="2026-11-01T20:00:00+14:00"),
    ).body
    later = call_api(
        "POST", "/rejections", rejection_body(role="Later", rejected_at="2026-11-01T07:00:00Z")
    ).body
    table = Table(cloud.dynamodb, cloud.table)
    table.update(
        keys.rejection(SAMPLE_USER, kiribati["id"]),
        set_values={"GSI1SK": f"2026-11-01T20:00:00+14:00#{kiribati['id']}"},
    )
    listed = call_api("GET", "/rejections").body["items"]
    assert [r["id"] for r in listed] == [kiribati["id"], later["id"]]

    # When the keys are rewritten (twice: the second finds nothing left to do)
    assert rekey(table) == 1
    assert rekey(table) == 0

    # Then they sort by instant again
    listed = call_api("GET", "/rejections").body["items"]
    assert [r["id"] for r in listed] == [later["id"], kiribati["id"]]
