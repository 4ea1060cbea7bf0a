"""The local stack: embedded AWS + template resources + gateway + router + event sources +
scheduler."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from bounceback_local.activity import Activity
from bounceback_local.aws import EmbeddedAws
from bounceback_local.clock import LocalClock
from bounceback_local.fake_ats import PREFIXES, FakeAtsApi
from bounceback_local.faults import FaultSpecError, validate
from bounceback_local.functions import FunctionRuntime
from bounceback_local.gateway import Gateway, GatewayServer, LocalAnswer
from bounceback_local.queue_source import QueuePoller
from bounceback_local.router import EventRouter
from bounceback_local.scheduler import LocalScheduler
from bounceback_local.stream_source import StreamPoller
from bounceback_local.template import LocalDeployment, read_deployment
from bounceback_local.tokens import TokenIssuer

log = logging.getLogger("bounceback_local.stack")

LOCAL_AUDIENCE = "bounceback-local"
LOCAL_ISSUER = "{local-issuer}"
# How often due schedules are looked for while nobody calls advance or drain.
SCHEDULER_TICK_SECONDS = 1.0


class BadRequestError(Exception):
    """A /_local/ request the stack cannot act on (answered 400)."""


def _json_object(body: bytes) -> dict[str, Any]:
    if not body.strip():
        return {}
    try:
        value = json.loads(body)
    except ValueError as error:
        raise BadRequestError("the body is not valid JSON") from error
    if not isinstance(value, dict):
        raise BadRequestError("the body must be a JSON object")
    return value


@dataclass(frozen=True)
class StackOptions:
    template: Path
    port: int
    parameters: Mapping[str, str]
    retry_base_delay: float = 0.2
    function_logs: bool = False  # show the functions' own stdout/stderr (their CloudWatch logs)


class LocalStack:
    def __init__(self, options: StackOptions) -> None:
        self._options = options
        self.clock = LocalClock()
        self.aws = EmbeddedAws(self.clock)
        self._server = GatewayServer(options.port)
        self.base_url = f"http://127.0.0.1:{self._server.port}"
        self._stopping = threading.Event()
        self._advance_lock = threading.Lock()
        self._threads: list[threading.Thread] = []
        # Shared by the router and the event source pollers: one drain sees all of them.
        self.activity = Activity()
        self.sources: list[QueuePoller | StreamPoller] = []
        # The ATS APIs that Lever, Teamtailor and SmartRecruiters deliveries are read back
        # from, faked on 127.0.0.1 for as long as the stack runs: `send-webhook` connects them
        # and tells the fake about the candidate it sends (GET /_local/info names it).
        self.fake_ats = FakeAtsApi()

    # ------------------------------------------------------------------------ lifecycle

    def start(self) -> None:
        self.aws.start()
        self.fake_ats.start()
        issuer = f"{self.base_url}/_local"
        # The issuer names this run's port: the template is read with a stand-in for it, so
        # the transformed template is the same from one run to the next (and cached).
        overrides = {
            "JwtIssuer": LOCAL_ISSUER,
            "JwtAudience": LOCAL_AUDIENCE,
            **self._options.parameters,
        }
        deployment = read_deployment(self._options.template, overrides, self.aws.endpoint)
        deployment.fill_in({LOCAL_ISSUER: issuer})
        self.deployment = deployment
        self._queue_urls = self.aws.create(deployment)
        self._describe(deployment)

        # Each function runs in containers of its own, with its own environment (as on
        # Lambda). No X-Ray daemon runs locally: Powertools' Tracer would try to send to one.
        self.runtime = FunctionRuntime(
            deployment.functions,
            logs=sys.stderr if self._options.function_logs else subprocess.DEVNULL,
            overrides={"POWERTOOLS_TRACE_DISABLED": "true"},
        )
        # Tokens are issued for the template's first JWT authorizer, whatever it is set to.
        authorizer = next(
            (a for api in deployment.apis.values() for a in api.authorizers.values()), None
        )
        self.tokens = TokenIssuer(
            self.clock,
            authorizer.issuer if authorizer else issuer,
            authorizer.audience[0] if authorizer and authorizer.audience else LOCAL_AUDIENCE,
        )
        self.router = EventRouter(
            self.aws,
            self.runtime,
            deployment.rules,
            deployment.buses.values(),
            self._queue_urls,
            self.clock,
            retry_base_delay=self._options.retry_base_delay,
            activity=self.activity,
            queue_rules=deployment.queue_rules,
        )
        self.router.start()
        for mapping in deployment.event_source_mappings:
            if not mapping.enabled:
                continue
            source: QueuePoller | StreamPoller
            if mapping.is_queue:
                source = QueuePoller(mapping, self.aws, self.runtime, self.activity)
            else:
                source = StreamPoller(
                    mapping,
                    self.aws,
                    self.runtime,
                    self.activity,
                    self.clock,
                    retry_base_delay=self._options.retry_base_delay,
                )
            source.start()
            self.sources.append(source)
        self.scheduler = LocalScheduler(
            self.aws,
            self.clock,
            {spec.arn: spec.logical_id for spec in deployment.functions.values()},
            lambda function, payload: self.router.invoke_async(function, payload, "schedule"),
        )
        self._server.gateway = Gateway(
            deployment.routes,
            deployment.apis,
            self.runtime,
            self.tokens,
            self.clock,
            self.handle_local,
        )
        self._spawn("scheduler-tick", self._tick)
        self._spawn("gateway", self._server.serve_forever)

    def warm(self) -> None:
        self._spawn("warm-handlers", self.runtime.warm)

    def stop(self) -> None:
        self._stopping.set()
        self._server.shutdown()
        self._server.server_close()
        for source in self.sources:
            source.stop()
        self.router.stop()
        self.runtime.stop()
        self.aws.stop()
        self.fake_ats.stop()

    def _spawn(self, name: str, target: Any) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _describe(self, deployment: LocalDeployment) -> None:
        log.info(
            "%d functions, %d rules, %d event source mappings, %d routes; table %s, bus %s",
            len(deployment.functions),
            len(deployment.rules) + len(deployment.queue_rules),
            len(deployment.event_source_mappings),
            len(deployment.routes),
            ", ".join(t.name for t in deployment.tables) or "-",
            ", ".join(deployment.buses.values()) or "-",
        )

    def _tick(self) -> None:
        while not self._stopping.wait(SCHEDULER_TICK_SECONDS):
            try:
                self.scheduler.fire_due()
            except Exception:
                log.exception("the scheduler tick failed")

    # ------------------------------------------------------------------------ operations

    def idle(self) -> bool:
        """Nothing waits anywhere: the router's taps, the mapped queues (a message waiting out
        a visibility timeout included) and the streams (every record handled)."""
        return not self.waiting()

    def waiting(self) -> list[str]:
        """Where work still waits: "router" and the event source mappings not yet idle."""
        places = [] if self.router.idle() else ["router"]
        for source in self.sources:
            backlog = source.backlog() if isinstance(source, StreamPoller) else 0
            if backlog:
                places.append(f"{source.spec.logical_id} ({backlog} records)")
            elif not source.idle():
                places.append(source.spec.logical_id)
        return places

    def drain(self) -> list[str]:
        fired: list[str] = []
        try:
            self.activity.settle(self.idle, between=lambda: fired.extend(self.scheduler.fire_due()))
        except TimeoutError as error:
            raise TimeoutError(f"{error}; still waiting: {', '.join(self.waiting())}") from None
        return fired

    def advance(self, days: float) -> tuple[str, list[str]]:
        with self._advance_lock:
            now = self.clock.advance(timedelta(days=days))
            fired = self.scheduler.fire_due()
            # Handlers woken by these may create schedules already due: drain fires those too.
            fired.extend(self.drain())
            return now.isoformat(), fired

    def reset_clock(self) -> str:
        """The local clock back on the machine's time, once the work in flight is done."""
        with self._advance_lock:
            self.drain()
            return self.clock.reset().isoformat()

    def dead_letters(self) -> dict[str, list[Any]]:
        return {
            logical_id: self.aws.peek_queue(url)
            for logical_id, url in self._queue_urls.items()
            if logical_id.endswith("DeadLetterQueue")
        }

    def info(self) -> dict[str, Any]:
        return {
            "aws_endpoint": self.aws.endpoint,
            "bus_name": next(iter(self.deployment.buses.values()), None),
            "table_name": self.deployment.tables[0].name if self.deployment.tables else None,
            "schedule_group": next(iter(self.deployment.schedule_groups.values()), None),
            "now": self.clock.now().isoformat(),
            "region": "us-east-1",
            "functions": sorted(self.deployment.functions),
            # Enough to run any handler by hand against this stack: each function's variables
            # as its containers see them (template, Lambda runtime and local endpoint).
            "environment": {
                name: dict(sorted(env.items()))
                for name, env in sorted(self.runtime.environments.items())
            },
            "event_sources": [
                {
                    "mapping": source.spec.logical_id,
                    "function": source.spec.function,
                    "source": source.spec.event_source_arn,
                }
                for source in self.sources
            ],
            "faults": self.faults(),
            "fake_ats": {
                "origin": self.fake_ats.origin,
                "api_base_urls": {p: self.fake_ats.base_url(p) for p in sorted(PREFIXES)},
            },
        }

    def faults(self) -> list[dict[str, Any]]:
        """The faults in force: at the embedded AWS, then in functions."""
        functions = [
            {"function": name, "times": times} for name, times in self.runtime.faults().items()
        ]
        return [*self.aws.faults.describe(), *functions]

    # ------------------------------------------------------------------------ /_local routes

    def handle_local(self, method: str, path: str, body: bytes) -> LocalAnswer | None:
        routes: dict[str, dict[str, Any]] = {
            "/_local/token": {"POST": self._token},
            "/_local/clock/advance": {"POST": self._advance},
            "/_local/clock/reset": {"POST": self._reset_clock},
            "/_local/drain": {"POST": self._drain},
            "/_local/outbox": {"GET": lambda _: (200, {"emails": self.aws.sent_emails()})},
            "/_local/faults": {"POST": self._faults, "DELETE": self._clear_faults},
            "/_local/dead-letters": {"GET": lambda _: (200, {"queues": self.dead_letters()})},
            "/_local/info": {"GET": lambda _: (200, self.info())},
            "/_local/.well-known/jwks.json": {"GET": lambda _: (200, self.tokens.jwks())},
            "/_local/.well-known/openid-configuration": {"GET": self._openid_configuration},
        }
        if path not in routes:
            return None
        action = routes[path].get(method)
        if action is None:
            return 405, {"message": f"{path} answers {' and '.join(routes[path])} only"}
        try:
            answer: LocalAnswer = action(_json_object(body))
            return answer
        except BadRequestError as error:
            return 400, {"message": str(error)}
        except TimeoutError as error:  # a drain (or an advance's) that never settled
            return 504, {"message": str(error)}

    def _token(self, body: dict[str, Any]) -> LocalAnswer:
        sub = body.get("sub")
        if not isinstance(sub, str) or not sub:
            raise BadRequestError("sub is required: a non-empty string")
        email = body.get("email")
        if email is not None and not isinstance(email, str):
            raise BadRequestError("email must be a string")
        groups = body.get("groups", [])
        if not isinstance(groups, list) or not all(isinstance(g, str) for g in groups):
            raise BadRequestError("groups must be a list of strings")
        verified = body.get("email_verified", True)
        if not isinstance(verified, bool):
            raise BadRequestError("email_verified must be true or false")
        token = self.tokens.issue(sub, email=email, groups=groups, email_verified=verified)
        return 200, {"token": token}

    def _drain(self, _: dict[str, Any]) -> LocalAnswer:
        self.drain()
        return 200, {"drained": True}

    def _advance(self, body: dict[str, Any]) -> LocalAnswer:
        days = body.get("days")
        if isinstance(days, bool) or not isinstance(days, int | float) or days < 0:
            raise BadRequestError("days is required: a number >= 0 (the clock only moves forward)")
        if days > 36500:
            raise BadRequestError("days must be at most 36500")
        now, fired = self.advance(float(days))
        return 200, {"now": now, "fired": fired}

    def _reset_clock(self, _: dict[str, Any]) -> LocalAnswer:
        return 200, {"now": self.reset_clock()}

    def _faults(self, body: dict[str, Any]) -> LocalAnswer:
        if "function" in body:
            return self._function_faults(body)
        unknown = set(body) - {"service", "operation", "rate", "times", "error"}
        if unknown:
            raise BadRequestError(f"unknown fields: {sorted(unknown)}")
        try:
            fault = validate(
                body.get("service"),
                body.get("operation"),
                body.get("rate"),
                body.get("times"),
                body.get("error", "throttle"),
            )
        except FaultSpecError as error:
            raise BadRequestError(str(error)) from error
        self.aws.faults.set(fault)
        log.info(
            "faults: %s %s answers %s at rate %.2f%s",
            fault.service,
            fault.operation,
            fault.error,
            fault.rate,
            "" if fault.times is None else f", at most {fault.times} times",
        )
        return 200, fault.describe()

    def _function_faults(self, body: dict[str, Any]) -> LocalAnswer:
        function = body.get("function")
        times = body.get("times", 1)
        unknown = set(body) - {"function", "times"}
        if unknown:
            raise BadRequestError(f"unknown fields: {sorted(unknown)}")
        if not isinstance(function, str) or function not in self.runtime.specs:
            raise BadRequestError(f"function must be one of {sorted(self.runtime.specs)}")
        if isinstance(times, bool) or not isinstance(times, int) or times < 0:
            raise BadRequestError("times must be an integer >= 0")
        self.runtime.inject_faults(function, times)
        log.info("the next %d invocations of %s will fail", times, function)
        return 200, {"function": function, "times": times}

    def _clear_faults(self, _: dict[str, Any]) -> LocalAnswer:
        cleared = len(self.faults())
        self.aws.faults.clear()
        self.runtime.clear_faults()
        log.info("faults cleared")
        return 200, {"cleared": cleared, "faults": self.faults()}

    def _openid_configuration(self, _: dict[str, Any]) -> LocalAnswer:
        return 200, {
            "issuer": self.tokens.issuer,
            "jwks_uri": f"{self.base_url}/_local/.well-known/jwks.json",
            "id_token_signing_alg_values_supported": ["RS256"],
        }
