"""The demo journey played by `bounceback-local serve --demo`, over HTTP like any app.

One rejection walks through the whole recovery using the samples in events/: it is logged,
the encouragement and the feedback request arrive, feedback comes in and becomes a plan, the
local clock moves past the waiting period, and "you can reapply now" arrives. Each moment is
printed as a line of a timeline; then the stack keeps serving for you to try it yourself.

The journey is the demo user's own (no one else's data is touched), and the clock goes back
to today when it is told: the README's "Try it" then starts, as written, on a fresh day.
"""

from __future__ import annotations

import json
import textwrap
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from bounceback_local import demo_ats

EVENTS = Path(__file__).resolve().parents[2] / "events"
DEMO_USER = "demo-ada"


class _Client:
    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.token = ""

    def call(self, method: str, path: str, body: Any = None) -> tuple[int, Any]:
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(  # noqa: S310 - the local stack's own loopback URL
            self.base_url + path, data=data, method=method, headers=headers
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310
                raw = answer.read()
                return answer.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")

    def sign_in(self) -> None:
        """A token for the demo user, with the address they confirmed at sign-up (as a
        Cognito ID token carries it), so that address is verified at once."""
        self.token = ""
        email = _sample("app.profile.json")["emails"][0]
        _, answer = self.call("POST", "/_local/token", {"sub": DEMO_USER, "email": email})
        self.token = answer["token"]


def _sample(name: str) -> dict[str, Any]:
    return dict(json.loads((EVENTS / name).read_text(encoding="utf-8")))


def _say(headline: str, detail: str = "") -> None:
    print(f"demo  {headline}", flush=True)
    for line in textwrap.wrap(" ".join(detail.split()), 88):
        print(f"        {line}", flush=True)


def _inbox(client: _Client) -> dict[str, dict[str, Any]]:
    _, page = client.call("GET", "/notifications?limit=50")
    return {n["kind"]: n for n in page["items"]}


def _first_paragraph(body: str) -> str:
    return body.split("\n\n")[1] if body.count("\n\n") else body


def run(base_url: str) -> None:
    """Play the journey against the local stack at ``base_url``, printing a timeline."""
    client = _Client(base_url)
    try:
        _play(client)
    except (OSError, KeyError, TypeError, ValueError) as error:  # the demo must not stop serving
        print(f"demo  stopped: {type(error).__name__}: {error}", flush=True)


def _play(client: _Client) -> None:
    print(
        "demo  ------------------------------------------------------------ a journey", flush=True
    )
    client.sign_in()
    profile = _sample("app.profile.json")
    client.call("PUT", "/me", profile)
    _say(f"{profile['display_name']} signs up with {profile['emails'][0]}  (PUT /me)")

    _, info = client.call("GET", "/_local/info")
    body = _sample("app.rejection.json") | {"rejected_at": info["now"]}
    status, rejection = client.call("POST", "/rejections", body)
    cooldown = rejection["cooldown"]
    _say(
        f"a rejection from {rejection['company']} for {rejection['role']}  "
        f"(POST /rejections -> {status})",
        f"waiting period {cooldown['days']} days ({cooldown['basis']}: {cooldown['source']}); "
        f"reapply from {rejection['reapply_at'][:10]}",
    )
    client.call("POST", "/_local/drain")
    inbox = _inbox(client)
    encouragement = inbox["encouragement"]
    _say(
        f"1. don't take it personally: {encouragement['title']!r}",
        _first_paragraph(encouragement["body"]),
    )
    request = inbox["feedback_request"]
    _say(f"2. ask for feedback: {request['title']!r}", request["body"].split("\n\n")[0])

    feedback = _sample("app.feedback.json")
    status, _ = client.call("POST", f"/rejections/{rejection['id']}/feedback", feedback)
    _say(f"feedback arrives  (POST /rejections/{{id}}/feedback -> {status})", feedback["text"])
    client.call("POST", "/_local/drain")
    _, plan = client.call("GET", "/plan")
    ranked = ", ".join(
        a["area"] + (f" ({', '.join(a['skills'])})" if a["skills"] else "") for a in plan["areas"]
    )
    _say("3. be more prepared: the plan  (GET /plan)", f"areas, most pressing first: {ranked}")
    if plan["areas"] and plan["areas"][0]["actions"]:
        _say("   first action", plan["areas"][0]["actions"][0])

    days = cooldown["days"] + 1
    _, moved = client.call("POST", "/_local/clock/advance", {"days": days})
    _say(
        f"the clock moves {days} days  (POST /_local/clock/advance)",
        f"fired: {', '.join(moved['fired'])}",
    )
    client.sign_in()  # the first token has expired on the new date
    reapply = _inbox(client)["reapply_open"]
    _say(f"4. keep going: {reapply['title']!r}", " ".join(reapply["body"].split("\n\n")[:2]))

    _, outbox = client.call("GET", "/_local/outbox")
    _say(f"{len(outbox['emails'])} emails sent to {profile['emails'][0]}  (GET /_local/outbox)")
    demo_ats.play(client, _say)  # an ATS whose webhooks name ids only
    _, today = client.call("POST", "/_local/clock/reset")
    _say(f"the clock is back to today, {today['now'][:10]}  (POST /_local/clock/reset)")
    print(
        "demo  ------------------------------------------------------------ your turn", flush=True
    )
    _say(f"Swagger UI: {client.base_url}/docs    the README's 'Try it' has a curl for each route")
