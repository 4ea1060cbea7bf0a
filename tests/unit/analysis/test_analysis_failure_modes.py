"""Behaviour of ``analyse`` on the failure modes a held-out set showed once studied, each written
here in words of its own: whose words a cue is (the employer's, a job title's, someone else's),
what a count of years or of applications is about, skill names outside the vocabulary and where
they end, and the outside-control family in agency and trade voices."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from bounceback.analysis import analyse, engine
from bounceback.model import Area


def areas_of(text: str) -> set[Area]:
    return {f.area for f in analyse(text)}


def skills_of(text: str) -> set[str]:
    return {s.lower() for f in analyse(text) if f.area is Area.TECHNICAL_SKILLS for s in f.skills}


# ---------------------------------------------------------------- outside control


@pytest.mark.parametrize(
    "text",
    [
        # the offer accepted, written with a contraction, and the place gone
        "We offered it to another applicant last week and she's accepted, so the place is gone.",
        "They made an offer on Monday and they've accepted.",
        # an allocation used up
        "The work permits allocated to our farm this season have now all been assigned.",
        # an agency's booking withdrawn or covered
        "The trust has cancelled the booking because the rota is now covered.",
        # the work behind the post lost
        "We were not successful in the framework bid, so we won't be recruiting for it.",
        "Without the contract we do not have the workload to justify a second hire.",
        # the person chosen had a head start on the spot
        "We have given the job to a porter who already knows the ward and its routines.",
    ],
)
def test_the_outside_control_family_in_agency_and_trade_voices(text: str) -> None:
    # Given a reason outside the candidate's control / When analysed / Then it is found
    assert Area.OUTSIDE_CONTROL in areas_of(text)


def test_a_count_of_applications_that_explains_missing_feedback_is_no_reason() -> None:
    # Given a message that counts its applications and says the volume is why it gives no feedback
    text = (
        "We received more than 700 applications for this post. Due to the number of "
        "applications, we can only contact those who have been shortlisted."
    )
    # When analysed / Then neither sentence is a reason (BRIEF's rule on volume)
    assert areas_of(text) == set()
    # while a count given as the reason still is one
    alone = (
        "We received over 500 applications for this role and unfortunately yours was not chosen."
    )
    assert areas_of(alone) == {Area.OUTSIDE_CONTROL}


def test_who_the_post_should_go_to_is_not_a_post_already_filled() -> None:
    # Given the client's wish for who fills the post / When analysed / Then not "position filled"
    text = "The client has asked that the position be filled by a more senior surveyor."
    assert areas_of(text) == {Area.EXPERIENCE}


def test_the_person_chosen_named_by_their_job_is_a_comparison_naming_a_skill() -> None:
    text = (
        "We went with another applicant; the electrician we hired already holds his "
        "ECS Gold and CompEx, which decided it."
    )
    assert areas_of(text) == {Area.OUTSIDE_CONTROL, Area.TECHNICAL_SKILLS}
    assert skills_of(text) == {"ecs gold", "compex"}


# ---------------------------------------------------------------- experience


def test_counted_years_of_industry_experience_are_a_career_gap_beside_a_qualification() -> None:
    text = (
        "The post now needs an MSc plus at least four years of industry experience, "
        "which you would not meet yet."
    )
    assert Area.EXPERIENCE in areas_of(text)
    # while counted years of a named skill stay that skill's gap
    kafka = "The client needs a minimum of 4 years experience in Kafka, which you don't have."
    assert areas_of(kafka) == {Area.TECHNICAL_SKILLS}


def test_years_of_daily_work_in_a_named_tool_are_that_tools_gap() -> None:
    text = (
        "We chose a candidate who has several years of daily work with CATIA V5, "
        "which was decisive."
    )
    assert areas_of(text) == {Area.OUTSIDE_CONTROL, Area.TECHNICAL_SKILLS}
    assert skills_of(text) == {"catia v5"}


def test_only_said_of_what_the_client_asked_for_is_a_requirement_not_a_mismatch() -> None:
    # "only" said of the employer's brief, beside a licence gap: the years are still a career gap
    text = (
        "You don't hold a CPCS card, and the client has asked us to put forward experienced "
        "plant operators only."
    )
    assert areas_of(text) == {Area.TECHNICAL_SKILLS, Area.EXPERIENCE}


@pytest.mark.parametrize(
    "text",
    [
        "We encourage you to apply to any other post for which you feel qualified.",
        "The Band 5 pay would be a step down from what you are currently earning.",
    ],
)
def test_boilerplate_and_pay_are_not_a_career_gap(text: str) -> None:
    assert Area.EXPERIENCE not in areas_of(text)


def test_a_minimum_qualification_spelt_out_as_a_certificate_is_a_skill_gap() -> None:
    text = "Reason: does not meet minimum qualifications - required licence not held."
    assert areas_of(text) == {Area.TECHNICAL_SKILLS}


# ---------------------------------------------------------------- skill words


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        # a licence or an endorsement named in lower case keeps its noun
        ("We need a tech who already has their refrigerant licence.", "refrigerant licence"),
        ("The driver we took on has the tanker endorsement.", "tanker endorsement"),
        # a name with dotted initials keeps its last dot
        ("Our buyers need someone who holds the GLOBALG.A.P. certificate.", "globalg.a.p."),
        # a possessive inside a name
        ("The role needs someone who can work independently in Raiser's Edge.", "raiser's edge"),
        # a qualification named, then abbreviated
        ("The post needs a Certified Public Accountant (CPA) and you are not one yet.", "cpa"),
        # a body named after "members of"
        ("We need members of ICAEW for this grade.", "icaew"),
        # the same name punctuated as written
        ("The team needs strong SAP FI/CO skills, which you lack.", "sap fi/co"),
        # a qualifier that is part of the name
        (
            "Everyone in the baby room needs a current paediatric first aid certificate.",
            "paediatric first aid",
        ),
    ],
)
def test_skill_names_are_read_as_written(text: str, skill: str) -> None:
    assert skill in skills_of(text)


@pytest.mark.parametrize(
    ("text", "not_a_skill"),
    [
        # the employer's customers named by their country
        ("As you know, our German and Dutch customers require certified auditors.", "dutch"),
        # a job title before a name
        ("I spoke with Chef Marco and we won't be offering you the role.", "chef"),
        # a kind of workplace
        ("We need someone who has run a pastry kitchen for years, and you have not.", "pastry"),
        # the post offered, named by its title
        ("I'm afraid we won't offer you the Senior Pastry Chef position.", "pastry"),
        # the employer's own insurance
        (
            "Our public liability insurance requires a site supervisor with a CSCS card.",
            "insurance",
        ),
        # a metric named by a code
        ("The deal story had no timeline and no NRR number.", "nrr"),
        # trial monitoring is not observability
        ("We hired someone with more directly relevant monitoring experience.", "observability"),
        # a farewell is no gap of the language praised before it
        ("Your French was excellent and we wish you all the best.", "french"),
    ],
)
def test_words_that_only_look_like_skills_are_not_gaps(text: str, not_a_skill: str) -> None:
    assert not_a_skill not in skills_of(text)


def test_a_skill_the_candidate_has_only_a_little_of_is_still_a_gap() -> None:
    text = "We need someone fluent in Premiere Pro, and you use Premiere Pro only a little."
    assert skills_of(text) == {"premiere pro"}


# ---------------------------------------------------------------- neighbouring areas


@pytest.mark.parametrize(
    ("text", "area"),
    [
        (
            "You never led with your recommendation, so it was hard to tell what you were "
            "actually proposing.",
            Area.COMMUNICATION,
        ),
        ("Throughout, you spoke very softly and looked down at the desk.", Area.CONFIDENCE),
        ("You wouldn't commit to either option when we pressed you.", Area.CONFIDENCE),
        ("She said I didn't seem to know what their platform actually does.", Area.PREPARATION),
        ("The panel were uncomfortable with your notice period.", Area.LOGISTICS),
        ("You did not know that our repair service even exists.", Area.PREPARATION),
        (
            "The panel were unsettled by how you spoke about your former colleagues.",
            Area.CULTURE_FIT,
        ),
        (
            "For us this is the heart of the job, and the team needs someone who believes in it.",
            Area.CULTURE_FIT,
        ),
        (
            "Most answers were about what you would do, not what you had actually done.",
            Area.STORYTELLING,
        ),
        ("Your CV lists your duties but nowhere does it mention your results.", Area.RESUME),
    ],
)
def test_neighbouring_areas_are_told_apart(text: str, area: Area) -> None:
    assert area in areas_of(text)


@pytest.mark.parametrize(
    ("text", "area"),
    [
        ("Others talked over you in the group task.", Area.COMMUNICATION),
        ("The banner on your portfolio was cut off on mobile.", Area.COMMUNICATION),
        ("You mentioned wanting a quiet job close to home.", Area.CONFIDENCE),
        ("For this job we need someone who works confidently in Premiere Pro.", Area.CONFIDENCE),
        ("The panel were uncomfortable with your notice period.", Area.CONFIDENCE),
        ("Your Spanish was excellent and we wish you all the best.", Area.TECHNICAL_SKILLS),
        (
            "The post requires HCPC registration and your application for it is still in "
            "preparation.",
            Area.PREPARATION,
        ),
        ("We recommend the STAR method when preparing for interviews.", Area.PREPARATION),
        ("If you wish to discuss the outcome, please contact the panel chair.", Area.STORYTELLING),
        ("We chose someone with more years managing a comparable spend portfolio.", Area.RESUME),
        (
            "The employer has reviewed your application for Picker Packer - Day Shift and "
            "decided not to move forward.",
            Area.LOGISTICS,
        ),
        ("I've got three more roles I'd like to send you, one of them hybrid.", Area.LOGISTICS),
        ("Our office manager, who is not technical, played the customer.", Area.TECHNICAL_SKILLS),
        ("Most of this job is talking to small business owners.", Area.CULTURE_FIT),
    ],
)
def test_cues_in_someone_elses_words_are_not_gaps(text: str, area: Area) -> None:
    assert area not in areas_of(text)


# ---------------------------------------------------------------- phrasings beyond the set studied


@pytest.mark.parametrize(
    "text",
    [
        "The role calls for at least eight years in a similar position.",
        "You have around two years post-qualification, and we need five.",
        "We felt the jump from coordinator to head of department was too big at this stage.",
        "We'd want to see another year or two of managing budgets before you step into this.",
        "You're relatively new to the profession.",
        "It's a senior post and you're currently at associate level.",
        "We felt you're one step too early for this role.",
        "Your career so far has been mostly in retail, while this is a manufacturing role.",
        "The post needs at least a year in a busy kitchen, which you don't have yet.",
    ],
)
def test_experience_is_read_in_its_many_phrasings(text: str) -> None:
    assert areas_of(text) == {Area.EXPERIENCE}


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        (
            "We need someone confident with Xero and Sage 50, which you haven't used.",
            {"xero", "sage 50"},
        ),
        (
            "The role needs strong Revit and Navisworks skills, and you haven't used Navisworks.",
            {"revit", "navisworks"},
        ),
        ("The client needs a welder coded to ASME IX, and you are not.", {"asme ix"}),
        (
            "We need someone with a Level 3 Diploma in Adult Care, which you don't yet hold.",
            {"level 3 diploma in adult care"},
        ),
    ],
)
def test_skill_names_beyond_the_vocabulary(text: str, skills: set[str]) -> None:
    assert skills_of(text) == skills


@pytest.mark.parametrize(
    "text",
    [
        "The store manager has decided to keep the team as it is for now.",
        "The business has been sold and the new owners are not hiring.",
        "The contract we were recruiting for has fallen through.",
        "We are no longer going ahead with this appointment.",
        "Your answers were strong; we simply had a stronger candidate.",
        "You were one of the strongest candidates we saw and we only had one post.",
        "We loved your enthusiasm; the decision came down to internal budget.",
    ],
)
def test_outside_control_in_its_many_phrasings(text: str) -> None:
    assert areas_of(text) == {Area.OUTSIDE_CONTROL}


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        ("We struggled to follow your reasoning in the case.", {Area.COMMUNICATION}),
        ("Your body language seemed closed and you avoided eye contact.", {Area.CONFIDENCE}),
        ("You didn't seem to understand what the role involves day to day.", {Area.PREPARATION}),
        ("Your CV was very long and hard to follow.", {Area.RESUME}),
        (
            "Unfortunately your Mandarin isn't at the level our clients need.",
            {Area.TECHNICAL_SKILLS},
        ),
        ("You didn't ask us a single question at the end.", {Area.PREPARATION}),
        ("Your CV had gaps that weren't explained.", {Area.RESUME}),
        (
            "Your examples were all about the team, and we couldn't tell what your part was.",
            {Area.STORYTELLING},
        ),
        ("You seemed to lose confidence after the first technical question.", {Area.CONFIDENCE}),
    ],
)
def test_neighbouring_areas_in_other_phrasings(text: str, areas: set[Area]) -> None:
    assert areas_of(text) == areas


def test_every_count_of_applications_holds_a_word_the_engine_looks_for_first() -> None:
    # Given the lexicon's counts of applications / Then each can be found by the cheap pre-check
    lexicon = Path(engine.__file__).with_name("lexicon.toml")
    volume = tomllib.loads(lexicon.read_text("utf-8"))["areas"]["outside_control"]["volume"]
    assert volume
    for pattern in volume:
        assert any(word in pattern for word in engine._VOLUME_WORDS), pattern


# ---------------------------------------------------------------- praise is never a gap


@pytest.mark.parametrize(
    "text",
    [
        # a requirement said to be met, in praise
        "You came across as confident without being pushy, and your background in vendor audits "
        "was exactly the kind of thing we hoped to see.",
        # growing an organisation is not the engineering skill of scaling
        "Your record of scaling the support team from four to forty was exactly what we hoped to "
        "hear about.",
        # the employer's own calendar, and a verdict that points back at a reason given before it
        "Given the timing of our year-end audit, that was the deciding factor.",
    ],
)
def test_praise_and_the_employers_own_words_give_no_gap(text: str) -> None:
    # Given praise, or the employer speaking of itself / When analysed / Then no area is found
    assert areas_of(text) == set()


def test_teams_of_the_employer_named_in_a_list_are_not_skills() -> None:
    # Given a requirement beside the employer's teams named as a list
    text = (
        "The role sits between our finance and procurement teams and needs someone who can start "
        "in May."
    )
    # When analysed / Then the start date is the gap and the teams name no skill
    assert areas_of(text) == {Area.LOGISTICS}


def test_an_emoji_ends_a_chat_sentence_so_praise_after_it_stands_alone() -> None:
    # Given a chat note whose first sentence ends with an emoji and no full stop
    text = (
        "Update from the client: the external requirement is closed 😕 They said your Snowflake "
        "experience was exactly what they were after."
    )
    # When analysed / Then the closed requirement is the reason and the praise after it no gap
    assert areas_of(text) == {Area.OUTSIDE_CONTROL}
    # while a sentence that goes on in lower case after the emoji is still one sentence
    assert engine.analyse("So sorry 🙁 but your Kafka knowledge was too limited for us.")


# ---------------------------------------------------------------- neighbouring areas, in M's voices


@pytest.mark.parametrize(
    ("text", "areas"),
    [
        # at ease with a tool is a skill, not self-assurance
        (
            "We'd need someone already confident with the dispatch software from the first shift.",
            set(),
        ),
        # a contract called an engagement is no one's manner
        (
            "The client needs DV clearance for everyone on the programme, as the engagement starts "
            "next month.",
            {Area.TECHNICAL_SKILLS},
        ),
        # the writer explaining the decision is not the candidate's communication
        (
            "I wanted to explain why rather than send you a template: your Excel modelling was too "
            "basic.",
            {Area.TECHNICAL_SKILLS},
        ),
        # an interview named by its kind is no career gap
        (
            "The gap was in the experience interview: your examples had no numbers in them.",
            {Area.STORYTELLING},
        ),
        # praise closed with "no question there"
        ("Your sales track record is strong - no question there.", set()),
        # an agency asking for papers for other openings
        (
            "Kindly share your updated CV, expected salary and notice period for the other "
            "openings.",
            set(),
        ),
        # driving experience asked for is time, not a need to drive
        (
            "Our insurers need at least two years of driving experience, so the role needs someone "
            "who has driven for longer.",
            {Area.EXPERIENCE},
        ),
        # a reapply instruction is no research gap
        (
            "You will need to re-apply against the revised job description once it is published.",
            set(),
        ),
    ],
)
def test_neighbouring_areas_in_agency_site_and_panel_voices(text: str, areas: set[Area]) -> None:
    # Given a sentence whose cue words belong to someone else or to another area
    # When analysed / Then only the areas it gives are found
    assert areas_of(text) == areas


@pytest.mark.parametrize(
    "text",
    [
        "Management has put a freeze on all permanent hiring for the region.",
        "The client has postponed the solar build until next year, so there is no start date.",
        "The academy has already filled its intake of trainees for this cohort.",
    ],
)
def test_outside_control_when_the_work_or_the_intake_stops(text: str) -> None:
    # Given a freeze, postponed works or a full intake / When analysed / Then outside control
    assert Area.OUTSIDE_CONTROL in areas_of(text)


# ---------------------------------------------------------------- skill names as written, again


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        # a lone everyday word is no name without its noun
        (
            "Nobody goes on site here without a White Card, and you don't have one yet.",
            {"white card"},
        ),
        # a clearance level and a product's edition are part of the name
        (
            "The client needs NV1 clearance before anyone starts, which you don't hold.",
            {"nv1 clearance"},
        ),
        ("You haven't used SystmOne Online or EMIS Web before.", {"systmone online", "emis web"}),
        # a narrower technique or practice written before a known one
        (
            "The role needs spectral flow cytometry and you've only run conventional panels.",
            {"spectral flow cytometry"},
        ),
        (
            "We need residential conveyancing experience you don't have yet.",
            {"residential conveyancing"},
        ),
        # a language the vocabulary did not know
        (
            "Most of our patients speak only Nepali, and you are not comfortable conversing in "
            "Nepali.",
            {"nepali"},
        ),
        # records kept in a system, and codes listed after "including"
        ("You have not charted in Meditech before.", {"meditech"}),
        (
            "The post needs three actuarial exams, including CS1 and CB2, and you have one.",
            {"actuarial", "cs1", "cb2"},
        ),
    ],
)
def test_skill_names_in_trade_clinical_and_exam_voices(text: str, skills: set[str]) -> None:
    # Given a skill gap named as trades, clinics and exam bodies write it
    # When analysed / Then the skill words are the names as written
    assert skills_of(text) == skills


@pytest.mark.parametrize(
    ("text", "skill"),
    [
        # the person chosen set off by a comma
        (
            "We have offered the job to another applicant, who holds the CSCS Gold Card and has "
            "run sites of this size.",
            "cscs gold",
        ),
        # the person chosen described in a sentence of their own
        (
            "The successful candidate holds a PRINCE2 Practitioner certificate and has delivered "
            "two hospital builds.",
            "prince2 practitioner",
        ),
    ],
)
def test_the_person_chosen_in_a_clause_or_a_sentence_of_their_own(text: str, skill: str) -> None:
    # Given a comparison that names what the person chosen holds / When analysed
    # Then it is outside control and the qualification is the skill gap
    assert {Area.OUTSIDE_CONTROL, Area.TECHNICAL_SKILLS} <= areas_of(text)
    assert skill in skills_of(text)


def test_a_belt_is_part_of_its_methods_name() -> None:
    text = "The client needs a Six Sigma Green Belt, which you have not completed yet."
    assert skills_of(text) == {"six sigma green belt"}


@pytest.mark.parametrize(
    "text",
    [
        "We felt you'd be better suited to a Band 5 post at this stage.",
        "Your profile seems better aligned to the Senior Associate grade for now.",
    ],
)
def test_the_candidate_placed_at_another_level_is_experience_not_a_comparison(text: str) -> None:
    assert areas_of(text) == {Area.EXPERIENCE}


def test_a_standard_the_customers_need_is_not_research_into_them() -> None:
    assert areas_of("Your soldering was not neat enough for our clients in defence.") == set()


@pytest.mark.parametrize(
    ("text", "area"),
    [
        # answers beside the question, a stated length run over, no clarifying questions, a hint
        (
            "Several of your replies never really answered the question we had asked.",
            Area.COMMUNICATION,
        ),
        ("Your pitch ran well over the ten minutes allowed.", Area.COMMUNICATION),
        (
            "You dived straight into the schema without asking who the users were.",
            Area.COMMUNICATION,
        ),
        ("You didn't ask any clarifying questions before starting.", Area.COMMUNICATION),
        (
            "When the interviewer nudged you toward caching, you didn't pick up on the hint.",
            Area.COMMUNICATION,
        ),
        # no case told end to end, talk in the abstract
        ("You couldn't talk us through a single project from start to finish.", Area.STORYTELLING),
        ("You spoke about agile mostly in the abstract.", Area.STORYTELLING),
        # a candidate's own notes: no questions when invited
        ("When they asked if I had any questions I said no.", Area.PREPARATION),
    ],
)
def test_communication_and_storytelling_in_plain_phrasing(text: str, area: Area) -> None:
    # Given a gap said plainly, without the area's usual words / When analysed / Then it is found
    assert area in areas_of(text)


@pytest.mark.parametrize(
    ("text", "areas", "skills"),
    [
        # a requirement said to be met is praise
        (
            "Both finalists met the technical requirements, and your knowledge of the regulatory "
            "side impressed us.",
            set(),
            set(),
        ),
        # "that exposure" points back at the skill named before it
        (
            "You have used Kronos for rostering, but we need UKG Dimensions. From the interview, "
            "that exposure is still limited.",
            {Area.TECHNICAL_SKILLS},
            {"ukg dimensions"},
        ),
        # ready for the next intake is advice, not readiness for this post
        (
            "Your SIA licence lapsed in May; renew it so you're ready for the next intake.",
            {Area.TECHNICAL_SKILLS},
            {"sia licence"},
        ),
        # a controls platform the vocabulary did not know
        (
            "The line runs on TIA Portal and you haven't used it.",
            {Area.TECHNICAL_SKILLS},
            {"tia portal"},
        ),
    ],
)
def test_experience_is_not_read_into_praise_back_references_or_advice(
    text: str, areas: set[Area], skills: set[str]
) -> None:
    assert areas_of(text) == areas
    assert skills_of(text) == skills


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        # defensiveness under critique is culture fit, not confidence (LABELS.md)
        (
            "When the editor suggested cuts to your story, you became defensive rather than "
            "talking them through.",
            Area.CULTURE_FIT,
            Area.CONFIDENCE,
        ),
        # independence as the level of the work is experience, not a working style
        (
            "Your audit skills are good, but not yet at the level of independence we need for a "
            "senior.",
            Area.EXPERIENCE,
            Area.CULTURE_FIT,
        ),
        # over-qualification said as a role found frustrating after a long career
        (
            "After twenty years running your own salon, we think you would find this role "
            "frustrating.",
            Area.EXPERIENCE,
            Area.CULTURE_FIT,
        ),
        # answers at odds with how the team works
        (
            "Some of your answers on delegation sat at odds with how our team works.",
            Area.CULTURE_FIT,
            Area.COMMUNICATION,
        ),
    ],
)
def test_culture_fit_told_from_confidence_and_experience(
    text: str, present: Area, absent: Area
) -> None:
    found = areas_of(text)
    assert present in found
    assert absent not in found


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        # a joint standard with a part number
        (
            "The shutdown needs TIG welding to AS/NZS 1554.6 and your root run failed.",
            {"tig welding", "as/nzs 1554.6"},
        ),
        # a level of a language named before it is no skill of its own
        (
            "Spanish at Level 3 is essential for this post, and yours is conversational.",
            {"spanish"},
        ),
        # a code and the words it stands for, side by side, are one name
        (
            "You will need the 2391 Inspection and Testing qualification for this role.",
            {"2391 inspection and testing"},
        ),
    ],
)
def test_standards_levels_and_codes_are_cut_where_their_names_end(
    text: str, skills: set[str]
) -> None:
    assert skills_of(text) == skills


def test_the_person_chosen_described_by_their_time_in_a_post_is_a_comparison() -> None:
    # Given the person chosen, described by the post they have held and what they hold
    text = (
        "We've offered the job to someone who's been a shift lead for two years and already "
        "holds a forklift licence."
    )
    # When analysed / Then the comparison is read, and the licence is the skill it names
    assert {Area.OUTSIDE_CONTROL, Area.TECHNICAL_SKILLS} <= areas_of(text)
    assert skills_of(text) == {"forklift licence"}


# ---------------------------------------------------------------- after holdout_n


@pytest.mark.parametrize(
    "text",
    [
        # the candidate's own short time, set against the post
        "With only two years in post you would sit at the junior end of the range we need.",
        "You were great with customers, but having been a shift lead for only five months, you'd "
        "be quite green to run a store of this size.",
        "The panel felt a newly qualified nurse with four months on the ward would find the unit "
        "hard without support.",
        "Sadly, with only student films behind you, you'd be a bit green for a series with daily "
        "deadlines.",
        "We felt a technician with eight months in the trade would struggle on a site this busy.",
        "We asked for four years in a similar post, and with two years you fell below this "
        "threshold.",
        "They want a couple of years in charge of a kitchen, and you've been a sous chef for "
        "about nine months.",
        "Honestly, with a year and a half as a coordinator you'd be stretching to run the whole "
        "programme.",
    ],
)
def test_a_short_time_in_post_set_against_the_role_is_experience(text: str) -> None:
    # Given the candidate's own time in a post, said to fall short / When analysed
    # Then it is a career gap (experience)
    assert Area.EXPERIENCE in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # a time stated as praise is no gap
        "You came across really well, and with ten years in hospitality your customer skills "
        "were clear.",
        # 'green' as a colour or a card
        "We need someone with green card status to work in the US office.",
        "Our green building team was impressed by your portfolio.",
    ],
)
def test_a_time_in_post_or_a_colour_in_praise_or_logistics_is_no_experience_gap(
    text: str,
) -> None:
    assert Area.EXPERIENCE not in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # a waiting period before applying again, not time to gain
        "Your Python round went well, and I'd encourage you to apply again in a year or so.",
        # the writer's interest in the candidate's story
        "That said, we were glad to hear more about your background, and we'd encourage you to "
        "follow our careers page.",
        # a question put about leading, not a lack of it
        "When we asked about managing people you gave a broad answer rather than a specific case.",
    ],
)
def test_a_wait_an_interest_or_a_question_about_leading_is_no_experience_gap(text: str) -> None:
    assert Area.EXPERIENCE not in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # the post named at length before its verb
        "Sadly the vacancy for Senior Buyer (ref 7781) has now been filled.",
        # the post given to someone described, in the passive
        "The post has been offered to an applicant who was a stronger match for the teaching side "
        "of the job.",
        # the last places of an intake given to others
        "We have given the final places on the programme to applicants who already hold a CSCS "
        "card.",
        # someone already on the staff moved into the post
        "The director decided to transfer a colleague from the Leeds branch into the post.",
        # the article dropped, the person chosen described
        "They chose other applicant who speaks Portuguese.",
        # the candidates going on, set against this one
        "The candidates we progressed forward could describe their results in more depth.",
    ],
)
def test_more_outside_control_phrasings_are_found(text: str) -> None:
    assert Area.OUTSIDE_CONTROL in areas_of(text)


@pytest.mark.parametrize(
    "text",
    [
        # a bare other person is no reason (BRIEF), with or without its article
        "So they choose other person, sadly.",
        "The post has been offered to another candidate.",
    ],
)
def test_a_bare_other_person_is_still_no_reason(text: str) -> None:
    assert Area.OUTSIDE_CONTROL not in areas_of(text)


def test_the_candidates_own_nerves_the_feedback_did_not_name_are_no_confidence_gap() -> None:
    # Given a candidate's own feeling, which the feedback did not mention
    text = (
        "I was really anxious on the day, but the recruiter never brought it up. "
        "They said my SQL was weak though."
    )
    # When analysed / Then only the reason given is read
    assert areas_of(text) == {Area.TECHNICAL_SKILLS}
    # while nerves the panel saw are still a confidence gap
    assert Area.CONFIDENCE in areas_of("You seemed nervous and the panel noticed it.")


def test_a_message_relayed_is_not_a_wish_for_more() -> None:
    # Given praise passed on by the writer / When analysed / Then no gap is read
    assert (
        areas_of("The panel wished me to pass on that they found your presentation engaging.")
        == set()
    )


def test_critique_waved_away_is_culture_fit_not_confidence() -> None:
    # Given defensiveness when the work was questioned
    text = (
        "When the partners questioned your layout, you became defensive and dismissed their "
        "comments instead of discussing them."
    )
    # When analysed / Then it is how one takes critique in the team
    assert areas_of(text) == {Area.CULTURE_FIT}


@pytest.mark.parametrize(
    ("text", "skills"),
    [
        (
            "The lab runs under GMP and you had not done method validation before.",
            {"gmp", "method validation"},
        ),
        (
            "You could not build a pivot table or write a VLOOKUP in the timed task.",
            {"pivot tables", "vlookup"},
        ),
        ("The studio mixes everything in Pro Tools, which you haven't used.", {"pro tools"}),
        (
            "The role needs embedded Rust and Zephyr RTOS, and you have not used either.",
            {"embedded rust", "zephyr rtos"},
        ),
        (
            "The panel needed a teacher with the IB Diploma Programme behind them.",
            {"ib diploma programme"},
        ),
        ("The line runs on Siemens S7-1500 and you have not programmed one.", {"siemens s7-1500"}),
        (
            "We need multiparameter flow cytometry, and your use of it is limited.",
            {"multiparameter flow cytometry"},
        ),
        ("The post requires an NVQ Level 3, and you hold Level 2.", {"nvq level 3"}),
    ],
)
def test_skill_names_from_labs_studios_schools_and_plants_are_read(
    text: str, skills: set[str]
) -> None:
    assert skills_of(text) == skills
