"""Notification emails through SES v2: a text part and an HTML part rendered from templates.

Company names, roles and feedback are user-controlled, so the HTML template is rendered with
autoescaping on. Jinja2 is imported on first use: functions that never email never pay for it.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

from bounceback.model import Notification

if TYPE_CHECKING:
    from jinja2 import Environment
    from mypy_boto3_sesv2 import SESV2Client


@cache
def _templates() -> Environment:
    from jinja2 import Environment, PackageLoader, select_autoescape

    return Environment(
        loader=PackageLoader("bounceback", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        keep_trailing_newline=True,
    )


def render(notification: Notification, display_name: str) -> tuple[str, str, str]:
    """Subject, text and HTML of a notification's email."""
    env = _templates()
    context = {"notification": notification, "display_name": display_name}
    text = env.get_template("notification.txt").render(context)
    html = env.get_template("notification.html").render(context)
    return notification.title, text, html


def header_text(value: str, limit: int = 200) -> str:
    """Text fit for an email header: control characters (CR, LF, NUL...) become spaces, runs
    of whitespace one space, and it is cut to ``limit``. Subjects quote companies and roles
    that users and job boards chose; none of it may start a new header line."""
    cleaned = "".join(" " if ord(c) < 32 or ord(c) == 127 else c for c in value)
    return " ".join(cleaned.split())[:limit]


CODE_SUBJECT = "Your Bounceback verification code"


def code_text(code: str, valid_minutes: int) -> str:
    """The one email an unverified address can receive: the code, and nothing a user chose."""
    return (
        f"Your Bounceback verification code is {code}\n\n"
        f"Enter it in the app within {valid_minutes} minutes to confirm that this address is "
        "yours. Until then, nothing is sent to it but this code.\n\n"
        "If you did not ask for it, you can ignore this email: the address stays unconfirmed."
    )


class Mailer:
    def __init__(self, client: SESV2Client, sender: str) -> None:
        self._client = client
        self._sender = sender

    def send_code(self, to: str, code: str, valid_minutes: int) -> None:
        self._client.send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={
                "Simple": {
                    "Subject": {"Data": CODE_SUBJECT, "Charset": "UTF-8"},
                    "Body": {"Text": {"Data": code_text(code, valid_minutes), "Charset": "UTF-8"}},
                }
            },
            EmailTags=[{"Name": "kind", "Value": "verification_code"}],
        )

    def send(self, to: str, notification: Notification, display_name: str) -> None:
        subject, text, html = render(notification, display_name)
        subject = header_text(subject)
        self._client.send_email(
            FromEmailAddress=self._sender,
            Destination={"ToAddresses": [to]},
            Content={
                "Simple": {
                    "Subject": {"Data": subject, "Charset": "UTF-8"},
                    "Body": {
                        "Text": {"Data": text, "Charset": "UTF-8"},
                        "Html": {"Data": html, "Charset": "UTF-8"},
                    },
                }
            },
            EmailTags=[{"Name": "kind", "Value": notification.kind.value}],
        )
