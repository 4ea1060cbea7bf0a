"""The local stack's throughput: whole journeys with 8 concurrent clients, and latency per route.

``python bench/throughput.py [--journeys 48] [--clients 8]`` (``make bench`` runs it). A stack of
its own is started; each journey is a new user's profile, a rejection, the list, feedback and
the inbox, and a journey is done when every step it started has finished (the stack drained).
The figures depend on the machine: they are for comparing one change with another on it, so
the run with one client is printed beside the run with eight, as a ratio.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import uuid
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.local_stack import LocalStack, serving  # noqa: E402

FEEDBACK = "Your answers needed more concrete examples of impact; research our product first."


class Journeys:
    def __init__(self, stack: LocalStack) -> None:
        self.stack = stack
        self.latencies: dict[str, list[float]] = defaultdict(list)

    def _timed(self, route: str, method: str, path: str, ok: int, **kwargs: object) -> object:
        started = time.perf_counter()
        answer = self.stack.request(method, path, **kwargs)  # type: ignore[arg-type]
        self.latencies[route].append(time.perf_counter() - started)
        if answer.status != ok:
            raise RuntimeError(f"{route}: {answer.status} {answer.body[:200]!r}")
        return answer.json()

    def one(self, _: int) -> None:
        sub = f"bench-{uuid.uuid4().hex[:12]}"
        email = f"{sub}@example.com"
        token = self.stack.token(sub, email=email)
        profile = {"display_name": "Bench", "emails": [email]}
        self._timed("PUT /me", "PUT", "/me", 200, json=profile, token=token)
        body = {"company": "Acme", "role": "Engineer", "cooldown_days": 30}
        created = self._timed(
            "POST /rejections", "POST", "/rejections", 201, json=body, token=token
        )
        self._timed("GET /rejections", "GET", "/rejections", 200, token=token)
        rejection_id = created["id"]  # type: ignore[index]
        path = f"/rejections/{rejection_id}/feedback"
        route = "POST /rejections/{id}/feedback"
        self._timed(route, "POST", path, 202, json={"text": FEEDBACK}, token=token)
        self._timed("GET /notifications", "GET", "/notifications", 200, token=token)

    def run(self, journeys: int, clients: int) -> float:
        """Journeys per second: from the first request until every step has finished."""
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=clients) as pool:
            list(pool.map(self.one, range(journeys)))
        self.stack.drain()
        return journeys / (time.perf_counter() - started)


def _warm_up(stack: LocalStack, clients: int) -> None:
    """Every function's containers started (cold starts are not throughput): a first journey
    may time out on a busy machine, so it is tried again."""
    for attempt in range(3):
        try:
            Journeys(stack).run(clients, clients)
            return
        except RuntimeError:
            if attempt == 2:
                raise


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--journeys", type=int, default=48)
    parser.add_argument("--clients", type=int, default=8)
    args = parser.parse_args(argv)
    with serving() as stack:
        _warm_up(stack, args.clients)
        single = Journeys(stack).run(max(4, args.journeys // 4), 1)
        measured = Journeys(stack)
        rate = measured.run(args.journeys, args.clients)
    print(f"   journeys per second, {args.clients} clients: {rate:6.2f}")
    speedup = f"({rate / single:.2f}x with {args.clients})"
    print(f"   journeys per second, 1 client:  {single:6.2f}   {speedup}")
    print(f"   {'route':<34} {'p50 ms':>8} {'p95 ms':>8} {'calls':>6}")
    for route, seconds in sorted(measured.latencies.items()):
        ordered = sorted(seconds)
        p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
        print(
            f"   {route:<34} {statistics.median(ordered) * 1000:8.0f} {p95 * 1000:8.0f}"
            f" {len(ordered):6d}"
        )


if __name__ == "__main__":
    main()
