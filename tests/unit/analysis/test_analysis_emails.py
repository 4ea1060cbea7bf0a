"""Whole emails: the reason sits in one or two clauses among greetings, boilerplate, a sign-off,
a signature and footers. Boilerplate is never an area (BRIEF)."""

from __future__ import annotations

from bounceback.analysis import analyse
from bounceback.model import Area


def areas_of(text: str) -> list[Area]:
    return [f.area for f in analyse(text)]


ATS_TEMPLATE = """Subject: Your application for Senior Data Engineer (R-10482)

Dear Priya,

Thank you for your interest in Northwind and for taking the time to apply for the Senior Data
Engineer position. After careful consideration, we will not be moving forward with your
candidacy at this time.

Kind regards,
Talent Acquisition
Northwind Analytics

This message was sent from an unmonitored mailbox via Workday. Please do not reply. Northwind is
an Equal Opportunity Employer. All qualified applicants will receive consideration for employment
without regard to race, color, religion, sex, national origin, disability, or protected veteran
status. If you require an accommodation during the application process, please contact HR. To
manage your communication preferences, log in to your candidate home page. Northwind plc,
registered in England and Wales. Any views or opinions expressed are solely those of the author.
"""


def test_a_template_with_footers_gives_no_area() -> None:
    # Given an ATS rejection with an equal-opportunity, accommodation and privacy footer
    # When analysed / Then nothing in the boilerplate is read as a reason
    assert areas_of(ATS_TEMPLATE) == []


def test_the_reason_inside_a_whole_email_is_found() -> None:
    # Given the same template with a reason in the body
    text = ATS_TEMPLATE.replace(
        "candidacy at this time.",
        "candidacy at this time. The panel felt your Spark experience was limited.",
    )
    # When analysed / Then the reason is found and the footers still add nothing
    findings = analyse(text)
    assert [f.area for f in findings] == [Area.TECHNICAL_SKILLS]
    assert findings[0].skills == ("Spark",)


def test_the_signature_after_a_sign_off_is_not_read() -> None:
    # Given a signature naming a skill-like company and a job title after "Cheers,"
    text = (
        "Hi Sam,\n\nThanks for coming in. We won't be taking it further this time.\n\n"
        "Cheers,\nGav\nSenior Recruiter - Python & Data Engineering | Apex SAP Recruitment Ltd\n"
    )
    # When analysed / Then no area comes from the signature
    assert areas_of(text) == []


def test_a_postscript_after_the_sign_off_is_read() -> None:
    text = (
        "Hi Sam,\n\nThanks for coming in. We won't be taking it further.\n\nBest,\nJo\n"
        "P.S. For what it's worth, you seemed very nervous in the first half.\n"
    )
    assert areas_of(text) == [Area.CONFIDENCE]


def test_header_lines_are_not_read() -> None:
    text = (
        "Subject: Feedback - weak Kubernetes knowledge?\nFrom: Jo\n\n"
        "Hi Sam, thanks for your time, we enjoyed meeting you."
    )
    assert areas_of(text) == []


def test_formula_sentences_are_not_read_but_a_turn_after_thanks_is() -> None:
    # Given a greeting, thanks and an emoji around nothing else
    assert areas_of("Hi Sam,\n\nThank you for taking the time to interview with us. 🙂") == []
    # When thanks turns to a reason / Then the reason is read
    text = "Thanks for your time, but your answers were quite long-winded."
    assert areas_of(text) == [Area.COMMUNICATION]
