"""Precision rules: general readings that keep a mention of an area's subject from becoming a
gap in it when the sentence does not state one."""

from __future__ import annotations

import pytest

from bounceback.analysis import analyse
from bounceback.model import Area


def areas_of(text: str) -> set[Area]:
    return {f.area for f in analyse(text)}


@pytest.mark.parametrize(
    "text",
    [
        # Given a sentence that names the kind of experience the role needs, and no amount
        "They need someone with Lloyd's market experience and the slip process.",
        "We don't see any macOS or Jamf experience on your application.",
        "We're looking for someone with consumer lending experience for this product.",
    ],
)
def test_a_kind_of_experience_without_an_amount_is_no_career_gap(text: str) -> None:
    # When it is read / Then experience is not a gap: the kind named is a skill or domain
    assert Area.EXPERIENCE not in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # Given the same mention with an amount, a level or a shortfall
        "You don't yet have enough acute ward experience for a Band 6 post.",
        "The role needs at least three years' experience in a busy kitchen.",
        "Most of your background is in agency work, and this is an in-house role.",
        "Your experience so far is mainly front of house in quieter venues.",
        "We felt there was a gap in your experience of managing large capital budgets.",
        "Your experience doesn't quite match what we need for this role.",
    ],
)
def test_experience_with_an_amount_or_shortfall_is_a_career_gap(text: str) -> None:
    assert Area.EXPERIENCE in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # Given someone other than the candidate who is keen, excited or (not) confident
        "The panel was keen to hear more about your time at Deloitte.",
        "Priya was really keen that I tell you how much she enjoyed meeting you.",
        "We're excited about where the team is heading and sorry not to bring you along.",
        "The team did not feel confident that the timing was right for a new hire.",
    ],
)
def test_someone_elses_keenness_or_confidence_is_no_confidence_gap(text: str) -> None:
    assert Area.CONFIDENCE not in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # Given the candidate's own state, however it is phrased
        "You didn't seem particularly excited about the role.",
        "I wasn't confident when they pushed back on my numbers.",
        "She seemed to lack confidence when presenting to the panel.",
    ],
)
def test_the_candidates_own_state_is_still_confidence(text: str) -> None:
    assert Area.CONFIDENCE in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # Given "resume" as a verb
        "The shift starts at 6am and you said you could not resume work before 9am.",
        "We hope to resume hiring for the team in the spring.",
    ],
)
def test_resume_the_verb_is_not_the_document(text: str) -> None:
    assert Area.RESUME not in areas_of(text)


def test_resume_the_document_is_still_read() -> None:
    assert Area.RESUME in areas_of("Your resume was four pages long and hard to scan.")


@pytest.mark.parametrize(
    "text",
    [
        # Given the decision spoken of as an outcome
        "I'm sorry it's not the outcome either of us wanted.",
        "Please find below the outcome of your application and some feedback.",
        "I know this is a disappointing outcome after three stages.",
    ],
)
def test_the_outcome_of_the_process_is_no_storytelling_gap(text: str) -> None:
    assert Area.STORYTELLING not in areas_of(text)


def test_outcomes_missing_from_answers_are_still_storytelling() -> None:
    text = "Your answers described the tasks but we didn't hear the outcomes of your work."
    assert Area.STORYTELLING in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # Given preparing as the work of the role, not preparation for the interview
        "The role requires preparing the month-end accruals, which you haven't done before.",
        "You confirmed you have not yet prepared PPAP documentation for a customer.",
        "The post involves the preparation of board papers every month.",
        # Given questions invited about the decision, and a start date
        "If you have any questions about this decision, please ask.",
        "I'm happy to answer any questions you have about the feedback.",
        "We'd need you to complete a DBS check in advance of starting, and you said you couldn't.",
    ],
)
def test_work_preparation_and_invited_questions_are_no_preparation_gap(text: str) -> None:
    assert Area.PREPARATION not in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # Given preparation for the interview itself
        "You hadn't prepared for the competency questions.",
        "It would have helped to spend more time preparing for the case study.",
        "When we asked if you had any questions for us, you didn't have any.",
        "It would also help to research our product before the interview.",
    ],
)
def test_interview_preparation_is_still_preparation(text: str) -> None:
    assert Area.PREPARATION in areas_of(text)


def test_a_learning_curve_after_a_named_skill_gap_is_that_skills() -> None:
    # Given a skill gap, then the time it would take to learn it
    text = (
        "All of our reporting runs in NetSuite and you haven't used it. "
        "We can't support a systems learning curve at the moment."
    )
    # Then the learning curve is the skill's, not a career-length gap
    assert areas_of(text) == {Area.TECHNICAL_SKILLS}


def test_a_learning_curve_on_its_own_is_still_experience() -> None:
    text = "We felt there would be too steep a learning curve for you in this role."
    assert Area.EXPERIENCE in areas_of(text)
