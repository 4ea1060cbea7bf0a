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


class Mailer:
    def __init__(self, client: SESV2Client, sender: str) -> None:
        self._client = client
        self._sender = sender

    def send(self, to: str, notification: Notification, display_name: str) -> None:
        subject, text, html = render(notification, display_name)
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
