"""Calls back to an employer's ATS API (Lever, Teamtailor, SmartRecruiters) with the employer's key.

Built on urllib3, which botocore already depends on: the Lambda runtime ships it and every
function imports it with boto3, so it adds nothing to a layer or a cold start
(docs/decisions.md). Only APIs that urllib3 1.26 and 2.x share are used, because the runtime's
copy may be either.

What the client promises:
- **The key goes only under ``api_base_url``.** Every URL is checked before the key is attached:
  same scheme, host and port, a path under the base path, no user info, no dot segments (plain or
  percent-encoded). Redirects are never followed (a 3xx is an unusable answer), so an ATS cannot
  bounce the key elsewhere either.
- **Bounded time.** Connect and read timeouts per attempt, and one budget for every call of one
  client (one lookup), waits included, well inside a 20 s function timeout.
- **Bounded retries.** 429, 5xx and connection failures are retried a few times with full-jitter
  exponential backoff; a ``Retry-After`` is honoured when it fits the budget and a small bound,
  and otherwise handed to the caller in ``AtsRateLimitedError``.
- **Typed failures** (``bounceback.errors``): key refused, rate limited, unavailable,
  unreachable, not found, unusable answer, foreign URL. Each says whether retrying later can help.
- **Nothing personal in logs or errors**: a retry is logged with the API's host, the attempt and
  the status; never the URL (it carries ids), the key, or the answer.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from functools import cache
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlencode, urlsplit

import urllib3
from pydantic import BaseModel, ValidationError
from urllib3.exceptions import HTTPError as Urllib3Error

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
from bounceback.observability import logger
from bounceback.providers._common import usable_emails

USER_AGENT = "Bounceback/1 (candidate rejection lookup)"
_DEFAULT_PORTS = {"http": 80, "https": 443}
# Characters that have no business in a URL we send a key to; some servers or proxies read them
# in ways urlsplit does not (a backslash as a slash, a tab stripped).
_UNSAFE_URL = re.compile(r"[\\\s\x00-\x1f\x7f]")

ModelT = TypeVar("ModelT", bound=BaseModel)


@dataclass(frozen=True)
class ClientSettings:
    """Timeouts, retries and limits. The defaults leave a 20 s function several seconds to spare
    after a lookup of up to four calls that all hit their worst case."""

    connect_timeout: float = 3.0
    read_timeout: float = 5.0
    attempts: int = 3  # per call: the first try and two retries
    backoff_base: float = 0.25  # the first retry waits up to this, the next up to twice this, …
    backoff_cap: float = 2.0
    max_retry_after: float = 5.0  # a longer Retry-After is the caller's to honour (requeue)
    budget: float = 12.0  # for every call of one client, retries and waits included
    min_attempt_time: float = 0.5  # an attempt with less time left than this is not started
    max_answer_bytes: int = 1024 * 1024  # real answers are a few KiB


DEFAULT_SETTINGS = ClientSettings()


# --- base URLs ------------------------------------------------------------------------------------


def normalise_api_base_url(value: str) -> str:
    """An absolute http(s) URL with a host and no user info, query or fragment, without its
    trailing slash; ``ValueError`` otherwise. The provider's paths are appended to it."""
    text = value.strip()
    if not text or _UNSAFE_URL.search(text) or not text.isascii():
        raise ValueError("api_base_url must be an absolute http(s) URL")
    parts = urlsplit(text)
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        raise ValueError("api_base_url must be an absolute http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise ValueError("api_base_url must not carry user info")
    if parts.query or parts.fragment or "?" in text or "#" in text:
        raise ValueError("api_base_url must not have a query or fragment")
    try:
        port = parts.port
    except ValueError:
        raise ValueError("api_base_url has an invalid port") from None
    path = parts.path.rstrip("/")
    if _has_dot_segment(path):
        raise ValueError("api_base_url must not contain . or .. segments")
    host = parts.hostname.lower()
    if ":" in host:  # an IPv6 literal keeps its brackets
        host = f"[{host}]"
    netloc = host if port is None else f"{host}:{port}"
    return f"{parts.scheme.lower()}://{netloc}{path}"


def is_under(base_url: str, url: str) -> bool:
    """Whether ``url`` lies under ``base_url`` (a normalised base): the one test that decides
    whether the key may be sent."""
    if _UNSAFE_URL.search(url) or not url.isascii():
        return False
    base = urlsplit(base_url)
    try:
        target = urlsplit(url)
        target_port = target.port
    except ValueError:
        return False
    if target.scheme.lower() != base.scheme or target.fragment or "#" in url:
        return False
    if target.username is not None or target.password is not None or "@" in target.netloc:
        return False
    if (target.hostname or "").lower() != (base.hostname or ""):
        return False
    if _port(base.scheme, target_port) != _port(base.scheme, base.port):
        return False
    if _has_dot_segment(target.path):
        return False
    return target.path == base.path or target.path.startswith(base.path + "/")


def _port(scheme: str, port: int | None) -> int:
    return port if port is not None else _DEFAULT_PORTS[scheme]


def _has_dot_segment(path: str) -> bool:
    """``.``/``..`` segments, also percent-encoded or hidden behind an encoded slash, which a
    server could resolve to a path outside the base."""
    for segment in path.split("/"):
        decoded = unquote(unquote(segment))
        if decoded in (".", "..") or "/" in decoded or "\\" in decoded:
            return True
    return False


# --- the client -----------------------------------------------------------------------------------


@cache
def _shared_pool() -> urllib3.PoolManager:
    """One pool per container: a warm function reuses its TLS connections to the ATS."""
    return urllib3.PoolManager(num_pools=8, maxsize=2, retries=False)


def _full_jitter(upper: float) -> float:
    return secrets.SystemRandom().uniform(0.0, upper)


@dataclass
class AtsApiClient:
    """GETs JSON from one connection's ATS API. Make one per lookup: the time budget starts when
    it is made. ``headers`` carry the key (and any header the provider requires); they are sent
    only to URLs under ``base_url`` and never appear in ``repr``."""

    base_url: str
    headers: Mapping[str, str] = field(repr=False)
    settings: ClientSettings = DEFAULT_SETTINGS
    pool: urllib3.PoolManager | None = field(default=None, repr=False)
    clock: Callable[[], float] = field(default=time.monotonic, repr=False)
    sleep: Callable[[float], None] = field(default=time.sleep, repr=False)
    jitter: Callable[[float], float] = field(default=_full_jitter, repr=False)
    _deadline: float = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.base_url = normalise_api_base_url(self.base_url)
        self._deadline = self.clock() + self.settings.budget

    @property
    def host(self) -> str:
        """The API's host: what logs may say about where a call went."""
        return urlsplit(self.base_url).hostname or ""

    def url(self, *segments: str | int, query: Mapping[str, str] | None = None) -> str:
        """The URL of ``segments`` under the base, each segment percent-encoded on its own (an id
        such as ``../x`` stays one segment)."""
        path = "".join("/" + quote(str(segment), safe="") for segment in segments)
        suffix = f"?{urlencode(dict(query))}" if query else ""
        return f"{self.base_url}{path}{suffix}"

    def is_under_base(self, url: str) -> bool:
        return is_under(self.base_url, url)

    def get(self, *segments: str | int, query: Mapping[str, str] | None = None) -> Any:
        """The JSON answer of ``GET <base>/<segments>?<query>``."""
        return self.get_url(self.url(*segments, query=query))

    def get_url(self, url: str) -> Any:
        """The JSON answer of ``GET url``; ``AtsUrlRefusedError`` unless it lies under the base."""
        if not self.is_under_base(url):
            raise AtsUrlRefusedError("refused to send the API key outside api_base_url")
        headers = {"user-agent": USER_AGENT, "accept": "application/json", **self.headers}
        settings = self.settings
        for attempt in range(1, settings.attempts + 1):
            try:
                return self._attempt(url, headers)
            except (AtsRateLimitedError, AtsUnavailableError, AtsUnreachableError) as error:
                wait = self._backoff(attempt, error)
                if attempt == settings.attempts or wait is None:
                    raise
                logger.info(
                    "ats api call retried",
                    extra={
                        "ats_host": self.host,
                        "attempt": attempt,
                        "failure": str(error),
                        "wait_s": round(wait, 2),
                    },
                )
                self.sleep(wait)
        raise AssertionError("unreachable: the loop returns or raises")  # pragma: no cover

    # --- one attempt ------------------------------------------------------------------------------

    def _remaining(self) -> float:
        return self._deadline - self.clock()

    def _attempt(self, url: str, headers: Mapping[str, str]) -> Any:
        remaining = self._remaining()
        if remaining < self.settings.min_attempt_time:
            raise AtsUnreachableError("ATS API time budget spent")
        timeout = urllib3.Timeout(
            connect=min(self.settings.connect_timeout, remaining),
            read=min(self.settings.read_timeout, remaining),
        )
        pool = self.pool or _shared_pool()
        try:
            response = pool.urlopen(
                "GET",
                url,
                headers=dict(headers),
                retries=False,
                redirect=False,
                timeout=timeout,
                preload_content=False,
            )
            try:
                data = response.read(self.settings.max_answer_bytes + 1)
                if len(data) > self.settings.max_answer_bytes:
                    response.close()  # unread bytes left: the connection cannot be reused
            finally:
                response.release_conn()
        except Urllib3Error as error:
            # The exception's text names the URL: only its class is kept.
            raise AtsUnreachableError(f"ATS API unreachable ({type(error).__name__})") from None
        status = response.status
        if 200 <= status < 300:
            if len(data) > self.settings.max_answer_bytes:
                raise AtsAnswerInvalidError("ATS API answer is too large")
            return _json(data)
        raise _status_error(status, response.headers.get("retry-after"))

    def _backoff(self, attempt: int, error: AtsApiError) -> float | None:
        """How long to wait before the next attempt, or None when waiting would not fit (the
        error then goes to the caller, who can retry the whole delivery later)."""
        settings = self.settings
        wait = self.jitter(min(settings.backoff_cap, settings.backoff_base * 2 ** (attempt - 1)))
        if isinstance(error, AtsRateLimitedError) and error.retry_after is not None:
            if error.retry_after > settings.max_retry_after:
                return None
            wait = max(wait, error.retry_after)
        if wait + settings.min_attempt_time > self._remaining():
            return None
        return wait


def _status_error(status: int, retry_after: str | None) -> AtsApiError:
    if status in (401, 403):
        return AtsKeyRefusedError(f"ATS API refused the key ({status})")
    if status == 429:
        return AtsRateLimitedError("ATS API rate limit (429)", _retry_after_seconds(retry_after))
    if status >= 500:
        return AtsUnavailableError(f"ATS API failed ({status})")
    if status in (404, 410):
        return AtsNotFoundError(f"ATS API has no such resource ({status})")
    return AtsAnswerInvalidError(f"ATS API answered {status}")


def _retry_after_seconds(value: str | None) -> float | None:
    """``Retry-After`` as seconds from now: delta-seconds or an HTTP date; None when absent or
    unreadable."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    if text.isdigit():
        return float(min(int(text), 86_400))
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, moment.timestamp() - time.time())


def _json(data: bytes) -> Any:
    try:
        return json.loads(data)
    # UnicodeDecodeError is a ValueError; RecursionError comes from very deep nesting.
    except (ValueError, RecursionError):
        raise AtsAnswerInvalidError("ATS API answer is not JSON") from None


# --- reading answers ------------------------------------------------------------------------------


def read_answer(model: type[ModelT], data: object, what: str) -> ModelT:
    """Validate an answer (or part of one) against a lenient model; a mismatch is unusable."""
    try:
        return model.model_validate(data)
    except ValidationError:
        raise AtsAnswerInvalidError(f"ATS API {what} does not have the expected shape") from None
    except RecursionError:
        raise AtsAnswerInvalidError(f"ATS API {what} is nested too deeply") from None


def answer_emails(candidates: list[str | None]) -> tuple[str, ...]:
    emails = usable_emails(candidates)
    if not emails:
        raise AtsAnswerInvalidError("ATS API names no usable candidate email")
    return emails


def answer_role(value: str | None) -> str:
    role = (value or "").strip()
    if not role:
        raise AtsAnswerInvalidError("ATS API names no job title")
    return role


__all__ = [
    "DEFAULT_SETTINGS",
    "USER_AGENT",
    "AtsApiClient",
    "ClientSettings",
    "answer_emails",
    "answer_role",
    "is_under",
    "normalise_api_base_url",
    "read_answer",
]
