"""What reaches an email's headers, and what an unverified address may receive."""

from __future__ import annotations

import pytest

from bounceback.mail import CODE_SUBJECT, code_text, header_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Acme\r\nBcc: victim@example.com", "Acme Bcc: victim@example.com"),
        ("Acme\x00Corp", "Acme Corp"),
        ("Tabs\tand\x7fdeletes", "Tabs and deletes"),
        ("  plain   words ", "plain words"),
    ],
)
def test_a_header_never_holds_a_control_character(value: str, expected: str) -> None:
    assert header_text(value) == expected


def test_a_header_is_bounded() -> None:
    assert len(header_text("x" * 1000)) == 200


def test_the_code_email_holds_the_code_and_nothing_a_user_chose() -> None:
    text = code_text("123456", 30)
    assert "123456" in text
    assert "30 minutes" in text
    assert CODE_SUBJECT == "Your Bounceback verification code"
