"""The fake ATS API: each provider's auth exactly as the real API checks it, its documents, and
the faults tests and the demo switch on (over Python or HTTP)."""

from __future__ import annotations

import base64
import json
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest

from bounceback_local.fake_ats import (
    DEFAULT_KEYS,
    FakeAtsApi,
    Fault,
    demo_documents,
    refused_base_url,
)


def auth(provider: str, key: str | None = None) -> dict[str, str]:
    """The headers each real API wants the key in."""
    key = DEFAULT_KEYS[provider] if key is None else key
    return {
        "lever": {"authorization": "Basic " + base64.b64encode(f"{key}:".encode()).decode()},
        "teamtailor": {"authorization": f"Token token={key}", "x-api-version": "20240404"},
        "smartrecruiters": {"x-smarttoken": key},
    }[provider]


AUTH = {provider: auth(provider) for provider in DEFAULT_KEYS}
PATHS = {
    "lever": "/opportunities/8c2f6a1e-3b4d-4e5f-9a6b-7c8d9e0f1a2b",
    "teamtailor": "/job-applications/48151623",
    "smartrecruiters": "/candidates/3b6a1e2f-5c7d-4e8f-9a0b-1c2d3e4f5a6b",
}


@pytest.fixture
def fake() -> Iterator[FakeAtsApi]:
    with FakeAtsApi(demo_documents()) as server:
        yield server


def call(
    url: str, headers: dict[str, str] | None = None, method: str = "GET", body: Any = None
) -> tuple[int, dict[str, str], Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, headers=headers or {}, method=method, data=data)  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 (loopback)
            return answer.status, dict(answer.headers), json.loads(answer.read())
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), json.loads(error.read())


@pytest.mark.parametrize("provider", sorted(AUTH))
def test_each_provider_answers_its_documents_to_its_own_auth(
    fake: FakeAtsApi, provider: str
) -> None:
    status, headers, document = call(fake.base_url(provider) + PATHS[provider], AUTH[provider])
    assert status == 200
    assert document == demo_documents()[provider][PATHS[provider]]
    expected_type = "application/vnd.api+json" if provider == "teamtailor" else "application/json"
    assert headers["content-type"] == expected_type


@pytest.mark.parametrize("provider", sorted(AUTH))
def test_a_wrong_or_missing_key_is_401(fake: FakeAtsApi, provider: str) -> None:
    url = fake.base_url(provider) + PATHS[provider]
    assert call(url)[0] == 401
    assert call(url, auth(provider, "stolen-key"))[0] == 401
    # Another provider's scheme with the right key does not pass either
    other = "smartrecruiters" if provider != "smartrecruiters" else "lever"
    assert call(url, auth(other, DEFAULT_KEYS[provider]))[0] == 401


def test_lever_wants_basic_auth_with_the_key_as_user_name(fake: FakeAtsApi) -> None:
    url = fake.base_url("lever") + PATHS["lever"]
    as_password = "Basic " + base64.b64encode(b":fake-lever-api-key").decode()
    assert call(url, {"authorization": as_password})[0] == 401
    assert call(url, {"authorization": "Bearer fake-lever-api-key"})[0] == 401


def test_teamtailor_wants_an_api_version(fake: FakeAtsApi) -> None:
    url = fake.base_url("teamtailor") + PATHS["teamtailor"]
    status, _, document = call(url, {"authorization": AUTH["teamtailor"]["authorization"]})
    assert status == 400
    assert "X-Api-Version" in document["errors"][0]["title"]


def test_unknown_paths_are_404_and_requests_are_recorded(fake: FakeAtsApi) -> None:
    assert call(fake.base_url("smartrecruiters") + "/jobs/none", AUTH["smartrecruiters"])[0] == 404
    assert call(fake.origin + "/elsewhere")[0] == 404
    recorded = fake.requests
    assert [(r.provider, r.path) for r in recorded] == [
        ("smartrecruiters", "/jobs/none"),
        (None, "/elsewhere"),
    ]
    assert recorded[0].headers["x-smarttoken"] == DEFAULT_KEYS["smartrecruiters"]


def test_a_fault_answers_its_status_the_given_number_of_times(fake: FakeAtsApi) -> None:
    url = fake.base_url("lever") + PATHS["lever"]
    fake.add_fault(Fault(status=429, retry_after="7", times=2))
    first, second, third = (call(url, AUTH["lever"]) for _ in range(3))
    assert (first[0], first[1]["retry-after"]) == (429, "7")
    assert second[0] == 429
    assert third[0] == 200


def test_a_fault_can_be_limited_to_one_provider(fake: FakeAtsApi) -> None:
    fake.add_fault(Fault(status=500, provider="teamtailor"))
    assert call(fake.base_url("lever") + PATHS["lever"], AUTH["lever"])[0] == 200
    url = fake.base_url("teamtailor") + PATHS["teamtailor"]
    assert call(url, AUTH["teamtailor"])[0] == 500
    fake.clear_faults()
    assert call(url, AUTH["teamtailor"])[0] == 200


def test_a_fault_comes_before_the_auth_check(fake: FakeAtsApi) -> None:
    # A 503 from a load balancer does not care about the key.
    fake.add_fault(Fault(status=503, times=1))
    assert call(fake.base_url("lever") + PATHS["lever"])[0] == 503


def test_a_slow_fault_delays_the_answer(fake: FakeAtsApi) -> None:
    fake.add_fault(Fault(delay=0.3, times=1))
    started = time.monotonic()
    assert call(fake.base_url("lever") + PATHS["lever"], AUTH["lever"])[0] == 200
    assert time.monotonic() - started >= 0.3


def test_a_disconnect_fault_drops_the_connection(fake: FakeAtsApi) -> None:
    fake.add_fault(Fault(disconnect=True, times=1))
    with pytest.raises((urllib.error.URLError, ConnectionError)):
        call(fake.base_url("lever") + PATHS["lever"], AUTH["lever"])
    assert call(fake.base_url("lever") + PATHS["lever"], AUTH["lever"])[0] == 200


def test_faults_can_be_switched_over_http(fake: FakeAtsApi) -> None:
    url = fake.base_url("smartrecruiters") + PATHS["smartrecruiters"]
    status, _, answer = call(fake.origin + "/_fake/faults", method="POST", body={"status": 401})
    assert (status, answer) == (200, {"faults": 1})
    assert call(url, AUTH["smartrecruiters"])[0] == 401
    assert call(fake.origin + "/_fake/faults", method="DELETE")[0] == 200
    assert call(url, AUTH["smartrecruiters"])[0] == 200
    assert call(fake.origin + "/_fake/faults", method="POST", body={"colour": "red"})[0] == 400


def test_a_redirect_answers_302_with_its_location(fake: FakeAtsApi) -> None:
    fake.redirect("lever", "/postings/p", "http://elsewhere.invalid/x")
    request = urllib.request.Request(  # noqa: S310
        fake.base_url("lever") + "/postings/p", headers=AUTH["lever"]
    )

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: Any, **kwargs: Any) -> None:
            return None

    with pytest.raises(urllib.error.HTTPError) as caught:
        urllib.request.build_opener(NoRedirect).open(request, timeout=5)
    assert caught.value.code == 302
    assert caught.value.headers["location"] == "http://elsewhere.invalid/x"


def test_refused_base_url_names_a_port_nothing_listens_on() -> None:
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(refused_base_url() + "/x", timeout=2)  # noqa: S310


def test_documents_can_be_changed_while_serving(fake: FakeAtsApi) -> None:
    url = fake.base_url("smartrecruiters") + "/jobs/new"
    fake.put("smartrecruiters", "/jobs/new", {"title": "New"})
    assert call(url, AUTH["smartrecruiters"])[2] == {"title": "New"}
    fake.remove("smartrecruiters", "/jobs/new")
    assert call(url, AUTH["smartrecruiters"])[0] == 404


def test_documents_can_be_given_over_http_by_another_process() -> None:
    # Given the local stack's fake, started with no documents
    with FakeAtsApi() as fake:
        url = fake.base_url("lever") + "/postings/p-1"
        assert call(url, AUTH["lever"])[0] == 404

        # When another process tells it about a posting
        document = {"data": {"id": "p-1", "text": "Data Engineer"}}
        body = {"provider": "lever", "documents": {"/postings/p-1": document}}
        status, _, answer = call(fake.origin + "/_fake/documents", method="POST", body=body)

        # Then it answers it, to that provider's auth only
        assert (status, answer) == (200, {"documents": 1})
        assert call(url, AUTH["lever"])[2] == document
        assert (
            call(fake.base_url("smartrecruiters") + "/postings/p-1", AUTH["smartrecruiters"])[0]
            == 404
        )


@pytest.mark.parametrize(
    "body",
    [
        {"provider": "workday", "documents": {"/x": {}}},
        {"provider": "lever", "documents": [{"/x": {}}]},
        {"provider": "lever", "documents": {"no-slash": {}}},
        {"documents": {"/x": {}}},
    ],
)
def test_documents_that_name_no_provider_or_no_paths_are_400(body: dict[str, Any]) -> None:
    with FakeAtsApi() as fake:
        status, _, answer = call(fake.origin + "/_fake/documents", method="POST", body=body)
        assert status == 400
        assert "documents are" in answer["message"]


def test_a_client_that_gives_up_leaves_no_traceback(
    fake: FakeAtsApi, capfd: pytest.CaptureFixture[str]
) -> None:
    # A timeout test hangs up while the fake is still answering: that is expected, not an error.
    fake.add_fault(Fault(delay=0.3, times=1))
    request = urllib.request.Request(  # noqa: S310
        fake.base_url("lever") + PATHS["lever"], headers=AUTH["lever"]
    )
    with pytest.raises((TimeoutError, urllib.error.URLError)):
        urllib.request.urlopen(request, timeout=0.05)  # noqa: S310
    time.sleep(0.6)
    assert "Traceback" not in capfd.readouterr().err
