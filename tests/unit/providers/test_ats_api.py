"""The outbound client: the key stays under api_base_url, time and retries are bounded, failures
are typed, and nothing personal reaches an error or a log line. Against the fake ATS API (a real
HTTP server on loopback), plus a stub pool for answers the fake cannot give."""

from __future__ import annotations

import json
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from typing import Any

import pytest

from bounceback.errors import (
    AtsAnswerInvalidError,
    AtsApiError,
    AtsKeyRefusedError,
    AtsNotFoundError,
    AtsRateLimitedError,
    AtsUnavailableError,
    AtsUnreachableError,
    AtsUrlRefusedError,
)
from bounceback.providers.ats_api import (
    AtsApiClient,
    ClientSettings,
    is_under,
    normalise_api_base_url,
)
from bounceback_local.fake_ats import FakeAtsApi, Fault, refused_base_url

KEY = "sk-live-9f8e7d6c5b4a"
HEADERS = {"x-smarttoken": KEY}
FAST = ClientSettings(backoff_base=0.01, backoff_cap=0.02, budget=10.0)


@dataclass
class Sleeps:
    waits: list[float] = field(default_factory=list)

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def fake() -> Iterator[FakeAtsApi]:
    with FakeAtsApi(
        {"smartrecruiters": {"/candidates/c-1": {"id": "c-1", "email": "ada@example.com"}}},
        keys={"smartrecruiters": KEY},
    ) as server:
        yield server


def client_for(
    fake: FakeAtsApi, settings: ClientSettings = FAST, sleeps: Sleeps | None = None
) -> AtsApiClient:
    return AtsApiClient(
        fake.base_url("smartrecruiters"), HEADERS, settings=settings, sleep=sleeps or Sleeps()
    )


# --- base URLs ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        ("https://api.lever.co/v1", "https://api.lever.co/v1"),
        ("https://API.Lever.co/v1/", "https://api.lever.co/v1"),
        ("HTTPS://api.smartrecruiters.com", "https://api.smartrecruiters.com"),
        ("http://127.0.0.1:8123/lever/v1", "http://127.0.0.1:8123/lever/v1"),
        ("http://[::1]:8123/v1", "http://[::1]:8123/v1"),
        ("  https://api.na.teamtailor.com/v1  ", "https://api.na.teamtailor.com/v1"),
    ],
)
def test_api_base_url_is_normalised(given: str, normalised: str) -> None:
    assert normalise_api_base_url(given) == normalised


@pytest.mark.parametrize(
    "given",
    [
        "",
        "api.lever.co/v1",
        "ftp://api.lever.co/v1",
        "file:///etc/passwd",
        "https:///v1",
        "https://user:pw@api.lever.co/v1",
        "https://api.lever.co@evil.example/v1",
        "https://api.lever.co/v1?x=1",
        "https://api.lever.co/v1#frag",
        "https://api.lever.co/v1/../admin",
        "https://api.lever.co/v1/%2e%2e/admin",
        "https://api.lever.co:99999/v1",
        "https://api.lever.co/v1\\evil",
        "https://api.lever.co/v 1",
        "https://api.lévér.co/v1",
    ],
)
def test_api_base_url_that_is_not_a_plain_http_url_is_refused(given: str) -> None:
    with pytest.raises(ValueError, match="api_base_url"):
        normalise_api_base_url(given)


BASE = "https://api.lever.co/v1"


@pytest.mark.parametrize(
    ("url", "under"),
    [
        ("https://api.lever.co/v1", True),
        ("https://api.lever.co/v1/opportunities/abc?expand=applications", True),
        ("https://API.LEVER.CO/v1/postings/p", True),
        ("https://api.lever.co:443/v1/postings/p", True),
        ("https://api.lever.co/v1/opportunities/a%20b", True),
        ("http://api.lever.co/v1/postings/p", False),  # another scheme: the key in clear
        ("https://api.lever.co:8443/v1/postings/p", False),
        ("https://api.lever.co.evil.example/v1/postings/p", False),
        ("https://evil.example/v1/postings/p", False),
        ("https://api.lever.co@evil.example/v1/postings/p", False),
        ("https://evil.example@api.lever.co/v1/postings/p", False),  # user info at all
        ("https://api.lever.co/v10/postings", False),  # a sibling path, not under /v1
        ("https://api.lever.co/v2/postings", False),
        ("https://api.lever.co/", False),
        ("https://api.lever.co/v1/../admin", False),
        ("https://api.lever.co/v1/%2e%2e/admin", False),
        ("https://api.lever.co/v1/%252e%252e/admin", False),
        ("https://api.lever.co/v1/..%2fadmin", False),
        ("https://api.lever.co/v1/x%5c..%5cadmin", False),
        ("https://api.lever.co/v1/postings\\..\\..", False),
        ("https://api.lever.co/v1/postings#x", False),
        ("https://api.lever.co/v1/post ings", False),
        ("https://api.lever.co/v1/\r\nHost: evil", False),
        ("https://api.lever.co:notaport/v1", False),
        ("//api.lever.co/v1/postings", False),
        ("/v1/postings", False),
    ],
)
def test_is_under_accepts_only_urls_below_the_base(url: str, under: bool) -> None:
    assert is_under(BASE, url) is under


def test_is_under_a_base_without_a_path_takes_every_path_of_that_origin() -> None:
    base = normalise_api_base_url("https://api.smartrecruiters.com/")
    assert is_under(base, "https://api.smartrecruiters.com/candidates/c/jobs/j")
    assert not is_under(base, "https://api.smartrecruiters.com.evil.example/candidates")


def test_segments_are_encoded_one_by_one(fake: FakeAtsApi) -> None:
    client = client_for(fake)
    url = client.url("candidates", "a b", "jobs", 42, query={"include": "candidate,job"})
    assert (
        url
        == fake.base_url("smartrecruiters") + "/candidates/a%20b/jobs/42?include=candidate%2Cjob"
    )


# --- the key goes nowhere else ------------------------------------------------------------------


def test_a_url_outside_the_base_is_refused_and_never_contacted(fake: FakeAtsApi) -> None:
    # Given a second server standing for a foreign host
    with FakeAtsApi(keys={"smartrecruiters": KEY}) as foreign:
        client = client_for(fake)
        # When the client is asked to call it
        with pytest.raises(AtsUrlRefusedError):
            client.get_url(foreign.base_url("smartrecruiters") + "/candidates/c-1")
        # Then nothing reached it, so the key did not either
        assert foreign.requests == []
    assert fake.requests == []


def test_an_id_that_would_leave_the_base_is_refused_before_sending(fake: FakeAtsApi) -> None:
    client = client_for(fake)
    for hostile in ("../../admin", "..", "a/../../b", "%2e%2e"):
        with pytest.raises(AtsUrlRefusedError):
            client.get("candidates", hostile)
    assert fake.requests == []


def test_redirects_are_not_followed_so_the_key_cannot_be_bounced(fake: FakeAtsApi) -> None:
    with FakeAtsApi(keys={"smartrecruiters": KEY}) as foreign:
        target = foreign.base_url("smartrecruiters") + "/candidates/c-1"
        fake.redirect("smartrecruiters", "/candidates/c-2", target)
        with pytest.raises(AtsAnswerInvalidError, match="302"):
            client_for(fake).get("candidates", "c-2")
        assert foreign.requests == []


def test_the_key_is_sent_with_every_call_under_the_base(fake: FakeAtsApi) -> None:
    answer = client_for(fake).get("candidates", "c-1")
    assert answer == {"id": "c-1", "email": "ada@example.com"}
    (request,) = fake.requests
    assert request.headers["x-smarttoken"] == KEY
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("Bounceback/")
    assert request.path == "/candidates/c-1"


def test_the_key_is_not_in_the_clients_repr(fake: FakeAtsApi) -> None:
    assert KEY not in repr(client_for(fake))


# --- failures, typed -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (401, AtsKeyRefusedError),
        (403, AtsKeyRefusedError),
        (404, AtsNotFoundError),
        (410, AtsNotFoundError),
        (400, AtsAnswerInvalidError),
        (422, AtsAnswerInvalidError),
    ],
)
def test_statuses_that_a_retry_cannot_change_fail_at_once(
    fake: FakeAtsApi, status: int, error: type[AtsApiError]
) -> None:
    sleeps = Sleeps()
    fake.add_fault(Fault(status=status))
    with pytest.raises(error):
        client_for(fake, sleeps=sleeps).get("candidates", "c-1")
    assert len(fake.requests) == 1
    assert sleeps.waits == []


def test_a_wrong_key_is_key_refused(fake: FakeAtsApi) -> None:
    client = AtsApiClient(fake.base_url("smartrecruiters"), {"x-smarttoken": "wrong"})
    with pytest.raises(AtsKeyRefusedError) as caught:
        client.get("candidates", "c-1")
    assert caught.value.retryable


def test_a_missing_resource_is_not_found(fake: FakeAtsApi) -> None:
    with pytest.raises(AtsNotFoundError) as caught:
        client_for(fake).get("candidates", "nobody")
    assert not caught.value.retryable


def test_server_errors_are_retried_with_backoff_then_succeed(fake: FakeAtsApi) -> None:
    sleeps = Sleeps()
    fake.add_fault(Fault(status=503, times=2))
    assert client_for(fake, sleeps=sleeps).get("candidates", "c-1")["id"] == "c-1"
    assert len(fake.requests) == 3
    assert len(sleeps.waits) == 2
    assert all(0 <= w <= FAST.backoff_cap for w in sleeps.waits)


def test_server_errors_that_last_are_unavailable_after_bounded_attempts(fake: FakeAtsApi) -> None:
    fake.add_fault(Fault(status=500))
    with pytest.raises(AtsUnavailableError) as caught:
        client_for(fake).get("candidates", "c-1")
    assert caught.value.retryable
    assert len(fake.requests) == FAST.attempts


def test_a_short_retry_after_is_waited_out(fake: FakeAtsApi) -> None:
    sleeps = Sleeps()
    fake.add_fault(Fault(status=429, retry_after="2", times=1))
    assert client_for(fake, sleeps=sleeps).get("candidates", "c-1")["id"] == "c-1"
    assert sleeps.waits == [2.0]


def test_a_retry_after_as_an_http_date_is_honoured(fake: FakeAtsApi) -> None:
    sleeps = Sleeps()
    when = datetime.now(tz=UTC) + timedelta(seconds=3)
    fake.add_fault(Fault(status=429, retry_after=format_datetime(when, usegmt=True), times=1))
    client_for(fake, sleeps=sleeps).get("candidates", "c-1")
    assert len(sleeps.waits) == 1
    assert 1.0 <= sleeps.waits[0] <= 3.5


def test_a_long_retry_after_goes_back_to_the_caller_at_once(fake: FakeAtsApi) -> None:
    sleeps = Sleeps()
    fake.add_fault(Fault(status=429, retry_after="120"))
    with pytest.raises(AtsRateLimitedError) as caught:
        client_for(fake, sleeps=sleeps).get("candidates", "c-1")
    assert caught.value.retry_after == 120.0
    assert caught.value.retryable
    assert sleeps.waits == []
    assert len(fake.requests) == 1


def test_rate_limits_without_retry_after_back_off_then_give_up(fake: FakeAtsApi) -> None:
    sleeps = Sleeps()
    fake.add_fault(Fault(status=429))
    with pytest.raises(AtsRateLimitedError) as caught:
        client_for(fake, sleeps=sleeps).get("candidates", "c-1")
    assert caught.value.retry_after is None
    assert len(fake.requests) == FAST.attempts
    assert len(sleeps.waits) == FAST.attempts - 1


def test_a_slow_answer_times_out_as_unreachable(fake: FakeAtsApi) -> None:
    fake.add_fault(Fault(delay=1.0))
    settings = ClientSettings(read_timeout=0.2, attempts=2, backoff_base=0.01, budget=5.0)
    with pytest.raises(AtsUnreachableError, match="ReadTimeoutError"):
        client_for(fake, settings).get("candidates", "c-1")
    assert len(fake.requests) == 2


def test_a_dropped_connection_is_unreachable_and_retried(fake: FakeAtsApi) -> None:
    fake.add_fault(Fault(disconnect=True, times=1))
    assert client_for(fake).get("candidates", "c-1")["id"] == "c-1"
    fake.add_fault(Fault(disconnect=True))
    with pytest.raises(AtsUnreachableError):
        client_for(fake).get("candidates", "c-1")


def test_a_refused_connection_is_unreachable() -> None:
    client = AtsApiClient(
        refused_base_url("/smartrecruiters"), HEADERS, settings=FAST, sleep=Sleeps()
    )
    with pytest.raises(AtsUnreachableError) as caught:
        client.get("candidates", "c-1")
    assert caught.value.retryable


def test_the_time_budget_covers_every_call_of_one_client(fake: FakeAtsApi) -> None:
    # Given a client whose clock moves to just before the budget ends after its first call
    now = [0.0]
    client = AtsApiClient(
        fake.base_url("smartrecruiters"), HEADERS, settings=FAST, clock=lambda: now[0]
    )
    client.get("candidates", "c-1")
    now[0] = FAST.budget - FAST.min_attempt_time / 2
    # When a second call starts / Then it is not even sent
    with pytest.raises(AtsUnreachableError, match="budget"):
        client.get("candidates", "c-1")
    assert len(fake.requests) == 1


def test_a_retry_that_would_not_fit_the_budget_is_not_waited_for(fake: FakeAtsApi) -> None:
    sleeps = Sleeps()
    fake.add_fault(Fault(status=429, retry_after="4"))
    settings = ClientSettings(budget=3.0, max_retry_after=5.0)
    with pytest.raises(AtsRateLimitedError):
        client_for(fake, settings, sleeps).get("candidates", "c-1")
    assert sleeps.waits == []


def test_an_answer_larger_than_the_limit_is_unusable(fake: FakeAtsApi) -> None:
    fake.put("smartrecruiters", "/candidates/big", {"notes": "x" * 5000})
    with pytest.raises(AtsAnswerInvalidError, match="too large"):
        client_for(fake, ClientSettings(max_answer_bytes=1000)).get("candidates", "big")
    # The pool stays usable afterwards
    assert client_for(fake).get("candidates", "c-1")["id"] == "c-1"


# --- answers the fake cannot give: a stub pool ---------------------------------------------------


class _StubResponse:
    def __init__(self, status: int, data: bytes) -> None:
        self.status = status
        self._data = data
        self.headers: dict[str, str] = {}

    def read(self, amount: int) -> bytes:
        return self._data[:amount]

    def release_conn(self) -> None:
        return None

    def close(self) -> None:
        return None


class _StubPool:
    def __init__(self, status: int, data: bytes) -> None:
        self.response = _StubResponse(status, data)

    def urlopen(self, method: str, url: str, **_: Any) -> _StubResponse:
        return self.response


@pytest.mark.parametrize("data", [b"<html>maintenance</html>", b"", b"\xff\xfe", b"[" * 100_000])
def test_an_answer_that_is_not_json_is_unusable(data: bytes) -> None:
    client = AtsApiClient(BASE, HEADERS, pool=_StubPool(200, data))  # type: ignore[arg-type]
    with pytest.raises(AtsAnswerInvalidError, match="not JSON"):
        client.get("postings", "p")


# --- nothing personal in errors or logs ----------------------------------------------------------


def test_errors_and_retry_logs_never_carry_the_url_ids_key_or_answer(
    fake: FakeAtsApi, caplog: pytest.LogCaptureFixture
) -> None:
    candidate = "c-ada-lovelace-1815"
    fake.put("smartrecruiters", f"/candidates/{candidate}", {"email": "ada@example.com"})
    messages: list[str] = []
    for fault in (
        Fault(status=500),
        Fault(status=401),
        Fault(status=429, retry_after="999"),
        Fault(disconnect=True),
        Fault(status=404),
    ):
        fake.clear_faults()
        fake.add_fault(fault)
        with pytest.raises(AtsApiError) as caught:
            client_for(fake).get("candidates", candidate)
        # The whole traceback a logger would print, chained exceptions included.
        messages.append("".join(traceback.format_exception(caught.value)))
    fake.clear_faults()
    client_for(fake).get("candidates", candidate)
    records = [r for r in caplog.records if r.name == "bounceback"]
    logged = [json.dumps({k: str(v) for k, v in vars(r).items()}) for r in records]
    for text in (*messages, *logged):
        assert candidate not in text
        assert KEY not in text
        assert "ada@example.com" not in text
        assert "/candidates" not in text
    retries = [r for r in records if r.getMessage() == "ats api call retried"]
    assert retries
    assert {vars(r)["ats_host"] for r in retries} == {"127.0.0.1"}
