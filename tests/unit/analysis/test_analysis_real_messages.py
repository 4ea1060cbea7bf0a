"""Generalisations found on real-world messages: skill names as written, implied reasons,
neighbouring areas and phrases that only look like an area."""

from __future__ import annotations

import pytest

from bounceback.analysis import analyse
from bounceback.model import Area


def areas_of(text: str) -> set[str]:
    return {f.area.value for f in analyse(text)}


def skills_of(text: str) -> tuple[str, ...]:
    return next((f.skills for f in analyse(text) if f.area is Area.TECHNICAL_SKILLS), ())


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        (
            "We need someone who can grade in DaVinci Resolve, which you haven't used.",
            "DaVinci Resolve",
        ),
        ("The DCF in your model had errors.", "DCF"),
        ("We also need a valid Driver CPC, and yours has expired.", "Driver CPC"),
        ("Your ML fundamentals were weak.", "machine learning"),
        ("You lacked hands-on experience with Postgres.", "PostgreSQL"),
        ("Your K8s knowledge was limited.", "Kubernetes"),
    ],
)
def test_a_skill_written_as_a_name_is_reported_as_written(text: str, skill: str) -> None:
    # Given a named tool or technique whose alias maps to a broader skill, or a plain spelling
    # of a known skill / When analysed / Then a name is reported as written, a spelling as known
    assert skills_of(text) == (skill,)


def test_the_demo_feedback_asks_for_research_before_the_interview() -> None:
    # Given the demo's feedback, whose last sentence advises researching the product
    text = "It would also help to research our product before the interview."
    # When analysed / Then that hedged advice is a preparation point
    assert areas_of(text) == {"preparation"}


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("It'd be worth reading up on our latest campaigns next time.", "preparation"),
        ("It might be helpful to bring a few more concrete examples.", "storytelling"),
        ("In the SQL section, several queries returned incorrect results.", "technical_skills"),
        ("He had to repeat himself a couple of times before you heard.", "communication"),
        ("You tended to go quiet while working through problems.", "communication"),
        ("When we asked about our biggest event, you weren't aware of it.", "preparation"),
        ("The team didn't feel there was the rapport we'd need.", "culture_fit"),
        ("We weren't convinced you see your future in retail.", "culture_fit"),
    ],
)
def test_implied_and_hedged_reasons(text: str, area: str) -> None:
    assert areas_of(text) == {area}


@pytest.mark.parametrize(
    "text",
    [
        "As a result we are not in a position to make an appointment to this role.",
        "We will keep your CV on file for 2 years and will not hesitate to contact you.",
        "They haven't been able to give me anything specific, so I don't have any more detail.",
        "We appreciated the opportunity to learn about your background.",
        "Please apply to any roles that match your skills and experience.",
        "If a more senior role comes up we would be happy to speak with you again.",
        "We asked for a 10-minute recommendation on the inventory problem.",
        "We are not able to provide feedback to everyone who was unsuccessful at the online test.",
    ],
)
def test_phrases_that_only_look_like_an_area(text: str) -> None:
    # Given a sentence that mentions an area's words without giving a reason / Then no area
    assert areas_of(text) == set()


def test_a_sponsor_licence_is_about_visas_not_a_skill() -> None:
    # Given an employer that cannot sponsor a visa, describing itself as a small firm
    text = "As a small firm we do not currently hold a sponsor licence."
    # When analysed / Then it is logistics only: no licence skill, no culture fit
    assert areas_of(text) == {"logistics"}


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        # a title, not the configuration tool
        ("You weren't calling back the orders when Chef called them.", ()),
        ("We need real experience with Chef and Ansible.", ("Chef", "Ansible")),
        # the role and the employer named by a field are no gap
        ("I've also got a backend role at a healthtech that's more Go-heavy.", ()),
        ("It will now sit in the procurement team with a heavier focus.", ()),
        # the setting of a gap counts when the sentence names no other area
        (
            "In the SQL section the joins returned incorrect results, and the Power BI task was "
            "not completed.",
            ("SQL", "Power BI"),
        ),
    ],
)
def test_where_a_skill_is_named(text: str, skills: tuple[str, ...]) -> None:
    assert tuple(sorted(skills_of(text))) == tuple(sorted(skills))


def test_years_named_with_a_skill_are_the_skills() -> None:
    # Given a minimum of years of experience in a named product
    text = (
        "The position requires minimum 5 years of relevant hands on experience in Guidewire "
        "PolicyCenter, which is not there in your profile."
    )
    # When analysed / Then it is a skill gap only (LABELS.md: experience with a named skill)
    assert areas_of(text) == {"technical_skills"}
    assert skills_of(text) == ("Guidewire PolicyCenter",)


def test_a_comparison_naming_a_skill_is_no_experience_gap() -> None:
    text = (
        "We offered the position to another candidate whose background more closely matched "
        "the role, in particular business-level Mandarin."
    )
    assert areas_of(text) == {"outside_control", "technical_skills"}
    assert skills_of(text) == ("Mandarin",)


def test_a_requirement_the_candidate_meets_is_praise() -> None:
    text = "You clearly have the typing speed and the audio-typing experience we need."
    assert areas_of(text) == set()


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        (
            "Your cover letter was well written but quite general, and it did not address the "
            "criteria one by one.",
            {"resume"},
        ),
        (
            "The personal statement described your current duties but did not link them to the "
            "essential criteria.",
            {"resume"},
        ),
        # the decision itself, or a gap with a subject of its own, takes nothing from before
        (
            "Your enthusiasm really shone through. We have, however, decided not to move forward.",
            set(),
        ),
        (
            "Good energy, but when asked about your biggest deal you couldn't give the deal size.",
            set(),
        ),
    ],
)
def test_a_gap_takes_the_subject_it_leaves_implied(text: str, areas: set[str]) -> None:
    assert areas_of(text) == areas


def test_a_short_aside_does_not_cut_a_requirement() -> None:
    # Given a requirement with a praise word and a short aside in brackets
    text = "For this position very good German language skills (minimum C1) are necessary."
    # When analysed / Then the language is a skill gap
    assert skills_of(text) == ("German",)


def test_materials_that_do_not_show_a_skill_name_a_skill_gap() -> None:
    text = "Your portfolio didn't show much experience of SEO, which is central to the role."
    assert areas_of(text) == {"technical_skills"}
    # but materials that leave out the candidate's own skill undersold it
    text = "Your CV didn't mention your Kubernetes work at all, and your Go was rusty."
    assert "resume" in areas_of(text)


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        ("I have no experience to work in a GMP environment.", ("GMP",)),
        (
            "Your experience with MODFLOW and FEFLOW is limited to coursework.",
            ("MODFLOW", "FEFLOW"),
        ),
        ("They also wanted ISO 26262 experience, which you don't have yet.", ("ISO 26262",)),
        (
            "We can't send anyone out without Gas Safe registration, and your ACS has expired.",
            ("Gas Safe registration", "ACS"),
        ),
    ],
)
def test_skill_names_read_from_their_frame(text: str, skills: tuple[str, ...]) -> None:
    assert sorted(skills_of(text)) == sorted(skills)


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        # a description of the role is the setting of a gap named elsewhere in the sentence
        (
            "This role is about leading a team of forty, and the presentation was delivered in a "
            "flat way, with little eye contact.",
            {"confidence"},
        ),
        # and the gap itself when the sentence names no other
        ("The role is four days a week in our Leeds office.", {"logistics"}),
        ("Where the team hesitated was around values.", {"culture_fit"}),
        (
            "You mentioned you found the last reorganisation at your current company frustrating.",
            set(),
        ),
        ("She said they will keep my CV for the next intake.", set()),
        (
            "Your cover letter was addressed to a different agency and two portfolio links "
            "returned a 404.",
            {"resume"},
        ),
    ],
)
def test_more_real_message_families(text: str, areas: set[str]) -> None:
    assert areas_of(text) == areas


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        (
            "I have only 1 year practical experience as Scrum Master and they need someone with "
            "min. 3 years.",
            {"experience"},
        ),
        (
            "My answers were chaotic, I jumped between topics and didn't finish my thoughts.",
            {"communication"},
        ),
        (
            "When they asked why this studio specifically, I said I just want to get into games.",
            {"culture_fit"},
        ),
    ],
)
def test_roles_chaos_and_motivation_questions(text: str, areas: set[str]) -> None:
    assert areas_of(text) == areas


@pytest.mark.parametrize(
    "text",
    [
        "The framework contract this role was created to support will not be renewed, and the "
        "budget line for the position has gone.",
        "We've decided to fill the A&R Coordinator role internally.",
        "The decision has been made to pause all open roles in both teams.",
        "All places in the Manchester office have now been filled.",
        "Your overall ranking was 47th; 21 posts were available in this specialism.",
        "Unfortunately we've only got 4 places this year and you haven't been offered one.",
        "We've now made an offer to another candidate which has been accepted.",
        "The governing body has had to reduce the number of classes, and we are no longer able to "
        "appoint to this post.",
    ],
)
def test_more_outside_control_forms(text: str) -> None:
    assert areas_of(text) == {"outside_control"}


def test_praise_that_sounds_like_a_hedge_is_praise() -> None:
    text = "Your presentation was excellent and you would have been a very strong contender."
    assert areas_of(text) == set()
