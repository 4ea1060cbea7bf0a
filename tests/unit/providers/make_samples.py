"""Writes the signed webhook samples in ``events/webhooks/`` and the sample secrets beside them.

Run ``python tests/unit/providers/make_samples.py`` after changing a payload or an adapter's
signing. ``test_provider_samples.py`` rebuilds everything here and compares it with the files, so
the samples cannot drift from the code that signs and reads them.

Each sample is an API Gateway HTTP API (payload 2.0) event for ``POST /webhooks/{provider}/
{connection_id}``, signed with ``SECRETS[provider]`` exactly as the provider signs (the adapters'
``signature_headers``). The secrets are sample-only and are never used by a real connection.
Payloads follow each provider's documented shape; the people are fictional.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bounceback.providers import lever, teamtailor
from bounceback.providers.base import SignedSender
from bounceback.providers.registry import get_adapter, get_lookup_adapter
from bounceback_local import fake_ats

OUT_DIR = Path(__file__).resolve().parents[3] / "events" / "webhooks"

# Fixed, so the generated files are reproducible (and the Standard Webhooks timestamp is known:
# the samples test verifies with ``now`` equal to it).
SAMPLE_TIME = datetime(2025, 3, 14, 10, 15, 0, tzinfo=UTC)

SECRETS: dict[str, str] = {
    "greenhouse": "sample-only-greenhouse-secret-NOT-FOR-PRODUCTION",
    "ashby": "sample-only-ashby-secret-NOT-FOR-PRODUCTION",
    "workable": "sample-only-workable-api-token-NOT-FOR-PRODUCTION",
    "jazzhr": "sample-only-jazzhr-secret-NOT-FOR-PRODUCTION",
    # whsec_ + base64 of the 32 bytes b"sample-only-standard-key-32bytes"
    "standard": "whsec_c2FtcGxlLW9ubHktc3RhbmRhcmQta2V5LTMyYnl0ZXM=",
    # Issued by the ATS in real life (Lever's signature token, Teamtailor's webhook key,
    # SmartRecruiters' secret-key): these stand in for them.
    "lever": "sample-only-lever-signature-token-NOT-FOR-PRODUCTION",
    "teamtailor": "sample-only-teamtailor-signature-key-NOT-FOR-PRODUCTION",
    "smartrecruiters": "sample-only-smartrecruiters-secret-key-NOT-FOR-PRODUCTION",
}
# Lever puts a per-delivery token beside the signature in the body.
LEVER_TOKEN = "3b8d2f4a9c1e6b7d0a5f2e8c4b1d9a6f"


@dataclass(frozen=True)
class Sample:
    name: str  # file name without ".json", "<provider>.<what>"
    provider: str
    body: str  # the exact text that is signed and sent
    delivery_id: str
    user_agent: str
    # Headers sent instead of the adapter's signature headers (an unsigned setup request).
    headers: dict[str, str] | None = None


def _compact(payload: Any) -> str:
    return json.dumps(payload, separators=(",", ":"), ensure_ascii=False)


def _greenhouse_json(payload: Any) -> str:
    # Greenhouse escapes HTML-significant characters in its JSON before signing (``<`` as
    # ``\u003c``): the sample keeps them escaped so the signature covers the bytes as sent.
    return _compact(payload).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _greenhouse_application(*, rejected: bool) -> dict[str, Any]:
    return {
        "id": 69306314,
        "rejected_at": "2025-03-14T10:00:00Z" if rejected else None,
        "prospect": False,
        "status": "rejected" if rejected else "active",
        "applied_at": "2025-02-03T09:12:44Z",
        "last_activity_at": "2025-03-14T10:00:00Z" if rejected else "2025-03-14T10:12:31Z",
        "url": "https://app.greenhouse.io/people/57683957?application_id=69306314",
        "source": {"id": 27, "public_name": "LinkedIn"},
        "credited_to": None,
        "rejection_reason": {
            "id": 14,
            "name": "Another candidate's experience was a closer match",
            "type": {"id": 1, "name": "We rejected them"},
        }
        if rejected
        else None,
        "rejection_details": {
            "custom_fields": {
                "internal_note": {
                    "name": "Internal note",
                    "type": "short_text",
                    "value": "Strong systems design; <2 years with Kafka",
                }
            }
        }
        if rejected
        else None,
        "current_stage": {"id": 2708728, "name": "Onsite Interview", "interviews": []},
        "custom_fields": {},
        "candidate": {
            "id": 57683957,
            "first_name": "Ada",
            "last_name": "Lovelace",
            "title": "Software Engineer",
            "company": "Difference Engines Co",  # her current employer, not the hiring company
            "created_at": "2025-02-03T09:12:44Z",
            "external_id": None,
            "photo_url": None,
            "url": "https://app.greenhouse.io/people/57683957",
            "is_private": False,
            "can_email": True,
            "phone_numbers": [{"value": "+44 20 7946 0018", "type": "mobile"}],
            "email_addresses": [
                {"value": "ada@example.com", "type": "personal"},
                {"value": "ada.lovelace@work.example.com", "type": "work"},
            ],
            "addresses": [],
            "website_addresses": [],
            "social_media_addresses": [],
            "educations": [],
            "employments": [],
            "recruiter": {
                "id": 169779,
                "email": "grace.hopper@example.com",
                "name": "Grace Hopper",
                "employee_id": "R-042",
            },
            "coordinator": None,
            "attachments": [],
            "tags": ["Backend"],
            "custom_fields": {},
        },
        "jobs": [
            {
                "id": 371417,
                "name": "Senior Backend Engineer, Payments & Billing",
                "requisition_id": "ENG-311",
                "notes": None,
                "confidential": False,
                "job_post_id": 54321,
                "status": "open",
                "created_at": "2025-01-10T08:00:00Z",
                "opened_at": "2025-01-10T08:00:00Z",
                "closed_at": None,
                "departments": [{"id": 237, "name": "Engineering", "external_id": None}],
                "offices": [
                    {"id": 9099, "name": "London", "location": "London, UK", "external_id": None}
                ],
                "custom_fields": {},
            }
        ],
    }


def _ashby_application(reason_type: str, reason_text: str) -> dict[str, Any]:
    return {
        "id": "4d6c2f9e-1b3a-4c5d-8e7f-9a0b1c2d3e4f",
        "createdAt": "2025-02-03T09:12:44.512Z",
        "updatedAt": "2025-03-14T10:00:02.118Z",
        "status": "Archived",
        "customFields": [],
        "candidate": {
            "id": "7f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
            "name": "Ada Lovelace",
            "primaryEmailAddress": {
                "value": "ada@example.com",
                "type": "Personal",
                "isPrimary": True,
            },
            "primaryPhoneNumber": {
                "value": "+44 20 7946 0018",
                "type": "Mobile",
                "isPrimary": True,
            },
        },
        "currentInterviewStage": {
            "id": "b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d6e",
            "title": "Technical Interview",
            "type": "Active",
            "orderInInterviewPlan": 3,
            "interviewStageGroupId": "c3d4e5f6-a7b8-4c9d-0e1f-2a3b4c5d6e7f",
            "interviewPlanId": "d4e5f6a7-b8c9-4d0e-1f2a-3b4c5d6e7f8a",
        },
        "source": {
            "id": "e5f6a7b8-c9d0-4e1f-2a3b-4c5d6e7f8a9b",
            "title": "Applied",
            "isArchived": False,
            "sourceType": {
                "id": "f6a7b8c9-d0e1-4f2a-3b4c-5d6e7f8a9b0c",
                "title": "Inbound",
                "isArchived": False,
            },
        },
        "archiveReason": {
            "id": "a7b8c9d0-e1f2-4a3b-4c5d-6e7f8a9b0c1d",
            "text": reason_text,
            "reasonType": reason_type,
            "isArchived": False,
        },
        "archivedAt": "2025-03-14T10:00:00.000Z",
        "job": {
            "id": "0a1b2c3d-4e5f-4a6b-7c8d-9e0f1a2b3c4d",
            "title": "Data Engineer",
            "locationId": "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e",
            "departmentId": "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
        },
        "creditedToUser": None,
    }


def _workable_candidate(*, disqualified: bool) -> dict[str, Any]:
    return {
        "id": "3fc9a80f",
        "name": "Ada Lovelace",
        "firstname": "Ada",
        "lastname": "Lovelace",
        "headline": "Software Engineer",
        "account": {"subdomain": "analytical-engines", "name": "Analytical Engines Ltd"},
        "job": {"shortcode": "GROOV003", "title": "Machine Learning Engineer"},
        "stage": "Interview" if disqualified else "Phone screen",
        "disqualified": disqualified,
        "disqualification_reason": "Not enough experience with production ML systems"
        if disqualified
        else None,
        "disqualified_at": "2025-03-14T10:00:00Z" if disqualified else None,
        "hired_at": None,
        "sourced": False,
        "profile_url": "https://analytical-engines.workable.com/backend/candidates/3fc9a80f",
        "address": "London, United Kingdom",
        "phone": "+44 20 7946 0018",
        "email": "ada@example.com",
        "domain": "linkedin.com",
        "created_at": "2025-02-03T09:12:44Z",
        "updated_at": "2025-03-14T10:00:00Z",
    }


def _jazzhr_export() -> dict[str, Any]:
    person_id = 48213377
    profile_id = 91234567
    job_id = 2210458
    return {
        "candidate": {
            "documentId": {
                "value": "export-91234567-20250314",
                "schemeId": "JazzHR Candidate Export",
                "schemeAgencyId": "JazzHR",
            },
            "person": {
                "id": {
                    "value": person_id,
                    "schemeId": "JazzHR Candidate",
                    "schemeAgencyId": "JazzHR",
                },
                "name": {"formattedName": "Ada Lovelace", "given": "Ada", "family": "Lovelace"},
                "gender": "Female",
                "citizenShip": ["No Answer"],
                "communication": {
                    "address": [
                        {
                            "useCode": "private",
                            "countrySubdivisions": [{"type": "state", "value": "England"}],
                            "city": "London",
                            "postalCode": "W1A 1AA",
                            "line": "12 St James's Square",
                            "formattedAddress": "12 St James's Square, London W1A 1AA",
                        }
                    ],
                    "phone": [
                        {
                            "useCode": "private",
                            "preference": 1,
                            "formattedNumber": "+44 20 7946 0018",
                        }
                    ],
                    "email": [
                        {"useCode": "private", "preference": 1, "address": "ada@example.com"}
                    ],
                    "web": [],
                },
            },
            "profiles": [
                {
                    "languageCode": "en-US",
                    "profileId": {
                        "value": profile_id,
                        "schemeId": "JazzHR Job Application",
                        "schemeAgencyId": "JazzHR",
                    },
                    "profileName": "Candidate Profile",
                    "associatedPositionOpenings": [
                        {
                            "positionOpeningId": {
                                "value": job_id,
                                "schemeId": "JazzHR Job",
                                "schemeAgencyId": "JazzHR",
                            },
                            "positionTitle": "Product Analyst",
                            "positionUri": "https://analyticalengines.applytojob.com/apply/x7Yz2Q",
                        }
                    ],
                    "attachments": [],
                }
            ],
        },
        "positionOpenings": [
            {
                "documentId": {
                    "value": "export-91234567-20250314",
                    "schemeId": "JazzHR Candidate Export",
                    "schemeAgencyId": "JazzHR",
                },
                "language": "en-US",
                "statusCode": "Open",
                "approvalStatusCode": "Approved",
                "positionProfiles": [
                    {
                        "positionId": {
                            "value": job_id,
                            "schemeId": "JazzHR Job",
                            "schemeAgencyId": "JazzHR",
                        },
                        "profileName": "Job Posting",
                        "language": "en-US",
                        "positionTitle": "Product Analyst",
                        "positionLocation": [{"city": "London", "postalCode": "W1A 1AA"}],
                        "positionOrganizations": [
                            {"name": "Product", "responsibilityCode": "Department"}
                        ],
                        "positionScheduleTypeCodes": ["Full Time"],
                    }
                ],
            }
        ],
        "personDocuments": {},
        "additionalPersonInformation": {str(person_id): {"referrer": "", "languagesSpoken": ""}},
        "additionalProfileInformation": {
            str(profile_id): {
                "rating": 3,
                "workflowStatus": "Not Qualified",
                "workflowStatusCategory": "Not Hired",
                "workflowDispositionDatetime": "2025-03-14 10:00:00",
            }
        },
        "additionalPositionOpeningsInformation": {
            str(job_id): {"isTelecommute": "No", "internalJobCode": "PA-07"}
        },
    }


def _standard_rejection() -> dict[str, Any]:
    return {
        "type": "candidate.rejected",
        "timestamp": "2025-03-14T10:15:00Z",
        "data": {
            "candidate": {"email": "ada@example.com", "name": "Ada Lovelace"},
            "company": "Analytical Engines Ltd",
            "role": "Platform Engineer",
            "stage": "Final interview",
            "reason": "Position filled by an internal candidate",
            "message": "Dear Ada, thank you for your time with us. We have decided to fill the "
            "role internally. You are welcome to reapply in 6 months.",
            "rejected_at": "2025-03-14T10:00:00Z",
            "recruiter": {"name": "Grace Hopper", "email": "grace.hopper@example.com"},
        },
    }


def _lever_body(to_archived: dict[str, Any] | None, from_archived: dict[str, Any] | None) -> str:
    opportunity = fake_ats.LEVER_OPPORTUNITY
    payload: dict[str, Any] = {
        "event": "candidateArchiveChange",
        "data": {
            "opportunityId": opportunity,
            "candidateId": opportunity,
            "contactId": "5e6f7a8b-9c0d-4e1f-8a2b-3c4d5e6f7a8b",
            "fromArchived": from_archived,
            "toArchived": to_archived,
        },
    }
    return _lever_signed(payload)


def _lever_signed(payload: dict[str, Any]) -> str:
    body = lever.sign_body(payload, SECRETS["lever"], token=LEVER_TOKEN, now=SAMPLE_TIME)
    return body.decode()


_LEVER_ARCHIVED = {
    "archivedAt": fake_ats.LEVER_ARCHIVED_AT_MS,
    "reason": fake_ats.LEVER_NON_HIRED_REASON,
}


def _teamtailor_body(*, rejected: bool) -> str:
    application = fake_ats.TEAMTAILOR_APPLICATION
    payload = {
        "event_name": "job_application.update",
        "data": {
            "id": application,
            "type": "job_application",
            "attributes": {
                "id": int(application),
                "updated_at": "2025-03-14T10:00:00.000Z",
                "job_id": int(fake_ats.TEAMTAILOR_JOB),
                "job_title": "Frontend Developer",
                "last_moved_at": "2025-03-10T14:00:00.000Z",
                "stage_name": "Interview" if rejected else "Phone screen",
                "referring_site": None,
                "referring_url": None,
                "referer_id": None,
                "rejected_at": "2025-03-14T10:00:00.000Z" if rejected else None,
                "promotion_id": None,
                "company_uuid": "c0ffee00-1234-4abc-8def-0123456789ab",
                "transparent_recruiting_visible_at": "2025-03-17T09:00:00.000Z"
                if rejected
                else None,
            },
        },
    }
    return teamtailor.signed_body(_compact(payload), SECRETS["teamtailor"], SAMPLE_TIME).decode()


def _smartrecruiters_body() -> str:
    return _compact(
        {
            "job_id": fake_ats.SMARTRECRUITERS_JOB,
            "candidate_id": fake_ats.SMARTRECRUITERS_CANDIDATE,
        }
    )


def samples() -> list[Sample]:
    gh_agent = "Greenhouse Web Hooks"
    return [
        Sample(
            "greenhouse.rejection",
            "greenhouse",
            _greenhouse_json(
                {
                    "action": "reject_candidate",
                    "payload": {"application": _greenhouse_application(rejected=True)},
                }
            ),
            "3ce5180d-9119-4ddc-9ef6-21edb6e76f8a",
            gh_agent,
        ),
        Sample(
            "greenhouse.unreject",
            "greenhouse",
            _greenhouse_json(
                {
                    "action": "unreject_candidate",
                    "payload": {"application": _greenhouse_application(rejected=False)},
                }
            ),
            "8f0a2b4c-6d1e-4f3a-9b5c-7d8e9f0a1b2c",
            gh_agent,
        ),
        Sample(
            "greenhouse.ping",
            "greenhouse",
            _greenhouse_json({"action": "ping", "payload": {"web_hook_id": 412987}}),
            "c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e5f",
            gh_agent,
        ),
        Sample(
            "ashby.rejection",
            "ashby",
            _compact(
                {
                    "action": "applicationUpdate",
                    "webhookActionId": "9b8a7c6d-5e4f-4a3b-2c1d-0e9f8a7b6c5d",
                    "data": {
                        "application": _ashby_application(
                            "RejectedByOrg", "Needs more hands-on experience with Spark"
                        )
                    },
                }
            ),
            "",
            "Ashby-Webhooks",
        ),
        Sample(
            "ashby.withdrawn",
            "ashby",
            _compact(
                {
                    "action": "applicationUpdate",
                    "webhookActionId": "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
                    "data": {
                        "application": _ashby_application(
                            "RejectedByCandidate", "Accepted another offer"
                        )
                    },
                }
            ),
            "",
            "Ashby-Webhooks",
        ),
        Sample(
            "ashby.ping",
            "ashby",
            _compact({"action": "ping", "data": {"webhookActionType": "ping"}}),
            "",
            "Ashby-Webhooks",
        ),
        Sample(
            "workable.rejection",
            "workable",
            _compact(
                {
                    "id": "8d1c4e2a",
                    "event_type": "candidate_moved",
                    "fired_at": "2025-03-14T10:00:03Z",
                    "resource_type": "candidate",
                    "data": _workable_candidate(disqualified=True),
                }
            ),
            "",
            "Workable",
        ),
        Sample(
            "workable.moved",
            "workable",
            _compact(
                {
                    "id": "2b7f9a3e",
                    "event_type": "candidate_moved",
                    "fired_at": "2025-03-10T15:30:00Z",
                    "resource_type": "candidate",
                    "data": _workable_candidate(disqualified=False),
                }
            ),
            "",
            "Workable",
        ),
        Sample("jazzhr.rejection", "jazzhr", _compact(_jazzhr_export()), "", "JazzHR Webhooks"),
        Sample(
            "jazzhr.verify",
            "jazzhr",
            _compact({"data": "JazzHR Verify Event"}),
            "",
            "JazzHR Webhooks",
        ),
        Sample(
            "standard.rejection",
            "standard",
            _compact(_standard_rejection()),
            "msg_2uB7Sbq1PaV9lWk4d0mJzQ",
            "Acme-Jobs-Webhooks/1.0",
        ),
        Sample(
            "lever.rejection", "lever", _lever_body(_LEVER_ARCHIVED, None), "", "Lever-Webhooks"
        ),
        Sample(
            "lever.unarchive", "lever", _lever_body(None, _LEVER_ARCHIVED), "", "Lever-Webhooks"
        ),
        Sample(
            "lever.test",
            "lever",
            _lever_signed({"event": "candidateArchiveChange", "data": {}}),
            "",
            "Lever-Webhooks",
        ),
        Sample(
            "teamtailor.rejection",
            "teamtailor",
            _teamtailor_body(rejected=True),
            "",
            "Teamtailor-Webhooks",
        ),
        Sample(
            "teamtailor.update",
            "teamtailor",
            _teamtailor_body(rejected=False),
            "",
            "Teamtailor-Webhooks",
        ),
        Sample(
            "smartrecruiters.rejection",
            "smartrecruiters",
            _smartrecruiters_body(),
            "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0",
            "SmartRecruiters-Webhooks",
        ),
        Sample(
            "smartrecruiters.activation",
            "smartrecruiters",
            "",
            "",
            "SmartRecruiters-Webhooks",
            headers={"x-hook-secret": "hs_sample-only-7f3a9c2e5b8d1f4a"},
        ),
    ]


def api_gateway_event(sample: Sample) -> dict[str, Any]:
    """The HTTP API (payload 2.0) event API Gateway would hand the webhook function."""
    adapter: SignedSender | None = get_adapter(sample.provider) or get_lookup_adapter(
        sample.provider
    )
    if adapter is None:
        raise KeyError(sample.provider)
    raw_body = sample.body.encode()
    connection_id = f"conn-{sample.provider}-sample"
    path = f"/webhooks/{sample.provider}/{connection_id}"
    signature = (
        sample.headers
        if sample.headers is not None
        else adapter.signature_headers(
            raw_body, SECRETS[sample.provider], SAMPLE_TIME, sample.delivery_id
        )
    )
    request_id = f"{sample.name.replace('.', '-')}-req"
    headers = {
        "content-length": str(len(raw_body)),
        "content-type": "application/json",
        "host": "abc123defg.execute-api.eu-west-1.amazonaws.com",
        "user-agent": sample.user_agent,
        "x-amzn-trace-id": "Root=1-67d401a4-0123456789abcdef01234567",
        "x-forwarded-for": "203.0.113.10",
        "x-forwarded-port": "443",
        "x-forwarded-proto": "https",
        **signature,
    }
    return {
        "version": "2.0",
        "routeKey": "POST /webhooks/{provider}/{connection_id}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": dict(sorted(headers.items())),
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "abc123defg",
            "domainName": "abc123defg.execute-api.eu-west-1.amazonaws.com",
            "domainPrefix": "abc123defg",
            "http": {
                "method": "POST",
                "path": path,
                "protocol": "HTTP/1.1",
                "sourceIp": "203.0.113.10",
                "userAgent": sample.user_agent,
            },
            "requestId": request_id,
            "routeKey": "POST /webhooks/{provider}/{connection_id}",
            "stage": "$default",
            "time": SAMPLE_TIME.strftime("%d/%b/%Y:%H:%M:%S +0000"),
            "timeEpoch": int(SAMPLE_TIME.timestamp() * 1000),
        },
        "pathParameters": {"provider": sample.provider, "connection_id": connection_id},
        "body": sample.body,
        "isBase64Encoded": False,
    }


def render(document: Any) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def build() -> dict[str, str]:
    """File name → content of everything this script writes."""
    files = {f"{s.name}.json": render(api_gateway_event(s)) for s in samples()}
    # {provider: secret}; every value says it is sample-only (the whsec_ key decodes to
    # "sample-only-standard-key-32bytes").
    files["secrets.json"] = render(SECRETS)
    return files


def main() -> int:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    for name, content in build().items():
        (OUT_DIR / name).write_text(content, encoding="utf-8")
        print(f"wrote {OUT_DIR / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
