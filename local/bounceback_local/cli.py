"""`bounceback-local serve --port PORT [--demo]`: the whole product on one machine.
`bounceback-local send-webhook PROVIDER [--email ADDRESS]`: a signed sample delivery to it."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from bounceback_local import demo, send_webhook
from bounceback_local.stack import LocalStack, StackOptions
from bounceback_local.template import TemplateError


class _Formatter(logging.Formatter):
    """`12:03:04 gateway  GET /me -> 200 (GET /me) 4ms`: short, one line per thing."""

    def format(self, record: logging.LogRecord) -> str:
        record.component = record.name.rsplit(".", 1)[-1]
        return super().format(record)


def _configure_logging(verbose: bool) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(_Formatter("%(asctime)s %(component)-9s %(message)s", "%H:%M:%S"))
    ours = logging.getLogger("bounceback_local")
    ours.addHandler(handler)
    ours.setLevel(logging.DEBUG if verbose else logging.INFO)
    ours.propagate = False
    # moto's server logs every AWS call through werkzeug; that is noise here.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


# Locally, a failed step is tried again within seconds, not minutes: the same backoff, on a
# scale a developer (and drain) can wait for. Template parameters; --parameter overrides them.
LOCAL_PARAMETERS = {
    "RetryBackoffSeconds": "1",
    "RetryBackoffLimitSeconds": "4",
    "StepQueueVisibilitySeconds": "30",
}


def _default_template() -> Path:
    here = Path.cwd() / "template.yaml"
    if here.is_file():
        return here
    # An editable install: the repository root is two levels above this package.
    return Path(__file__).resolve().parents[2] / "template.yaml"


def _parameter(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"expected KEY=VALUE, not {text!r}")
    return key, value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="bounceback-local", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="run the local stack on 127.0.0.1")
    serve.add_argument("--port", type=int, default=3000, help="gateway port (0: any free port)")
    serve.add_argument("--demo", action="store_true", help="play the demo journey after start")
    serve.add_argument("--template", type=Path, default=None, help="default: ./template.yaml")
    serve.add_argument(
        "--parameter",
        type=_parameter,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="override a template parameter (repeatable)",
    )
    serve.add_argument(
        "--verbose",
        action="store_true",
        help="debug logging, and the functions' own logs and metrics",
    )
    send = commands.add_parser(
        "send-webhook",
        help="sign the provider's sample rejection and send it to a running local stack",
        description=(
            "Sends events/webhooks/<provider>.rejection.json as the provider would send it "
            "now: its dates moved to today, signed as the provider signs, with the stack's "
            "time and the secret of its connection for that provider (created through the "
            "admin API if there is none), to that connection's URL. Lever, Teamtailor and "
            "SmartRecruiters deliveries name ids only: their connection reads the stack's "
            "fake ATS API, which is told about the candidate first, and the command returns "
            "once the stack has looked the delivery up."
        ),
    )
    send.add_argument("provider", choices=send_webhook.providers())
    send.add_argument(
        "--email", default=None, help="the candidate's address (default: the sample's)"
    )
    send.add_argument("--url", default="http://127.0.0.1:3000", help="the running stack")
    send.add_argument("--connection", default=None, help="a connection id (default: the first)")
    send.add_argument(
        "--company",
        default=send_webhook.DEFAULT_COMPANY,
        help="the company of a connection created for this (default: %(default)s)",
    )
    return parser


def send(args: argparse.Namespace) -> int:
    try:
        sent = send_webhook.send(
            args.url.rstrip("/"),
            args.provider,
            email=args.email,
            company=args.company,
            connection_id=args.connection,
        )
    except send_webhook.SendError as error:
        print(f"send-webhook: {error}", file=sys.stderr)
        return 1
    if sent.created_connection:
        print(f"created a {sent.provider} connection: {sent.connection_id}")
    print(f"POST {sent.url} -> {sent.status}")
    if sent.answer:
        print(sent.answer)
    if sent.looked_up is not None:
        print(
            f"looked up at {sent.ats_api} (the ats_lookup step)"
            if sent.looked_up
            else f"still being looked up at {sent.ats_api}: POST /_local/drain waits for it"
        )
    return 0 if sent.status < 300 else 1


def _raise_keyboard_interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def serve(args: argparse.Namespace) -> int:
    started = time.monotonic()
    template: Path = args.template or _default_template()
    log = logging.getLogger("bounceback_local.cli")
    parameters = {**LOCAL_PARAMETERS, **dict(args.parameter)}
    if not args.verbose:
        # The functions' JSON logs and metric lines would bury the readable timeline; on
        # Lambda they go to CloudWatch. --verbose shows them as they are.
        parameters.setdefault("PowertoolsLogLevel", "WARNING")
        os.environ.setdefault("POWERTOOLS_METRICS_DISABLED", "true")
    stack = LocalStack(
        StackOptions(
            template=template,
            port=args.port,
            parameters=parameters,
            function_logs=args.verbose,
        )
    )
    try:
        stack.start()
    except TemplateError as error:
        log.error("cannot run %s locally: %s", template, error)
        return 2
    log.info("started in %.2fs", time.monotonic() - started)
    print(f"ready {stack.base_url}", flush=True)
    stack.warm()
    if args.demo:
        threading.Thread(target=demo.run, args=(stack.base_url,), name="demo", daemon=True).start()
    # SIGTERM (e.g. from a test fixture) stops as cleanly as Ctrl-C.
    signal.signal(signal.SIGTERM, _raise_keyboard_interrupt)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        log.info("stopping")
    finally:
        stack.stop()
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    _configure_logging(getattr(args, "verbose", False))
    if args.command == "serve":
        return serve(args)
    if args.command == "send-webhook":
        return send(args)
    return 2


if __name__ == "__main__":
    sys.exit(main())
