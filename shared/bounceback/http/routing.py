"""Requests no route takes. An unknown path is a 404; a path that exists with other methods is a
405 whose ``Allow`` header lists them. Both with the one error body (``ErrorOut``).

On AWS these requests reach the function on the HTTP API's ``$default`` route, which has no
authorizer: API Gateway matches every route of the API (each with its JWT authorizer) first,
so a request on ``$default`` never runs a route, whatever its method and path.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

DEFAULT_ROUTE = "$default"

# A path parameter, as Powertools (``<id>``) or API Gateway (``{id}``) writes it: one segment.
_PARAMETER = re.compile(r"<[^>/]+>|\{[^}/]+\}")


_POWERTOOLS_PARAMETER = re.compile(r"<([^>/]+)>")


def _as_gateway(parameter: re.Match[str]) -> str:
    return "{" + parameter.group(1) + "}"


def _pattern(rule: str) -> re.Pattern[str]:
    parts = _PARAMETER.split(rule)
    return re.compile("[^/]+".join(re.escape(part) for part in parts))


@dataclass(frozen=True)
class RouteTable:
    """Every (method, path template) the HTTP API routes, whichever function serves it."""

    routes: tuple[tuple[str, str, re.Pattern[str]], ...]  # method, rule, what it matches

    @classmethod
    def of(cls, keys: Iterable[tuple[str, str]]) -> RouteTable:
        return cls(tuple((method.upper(), rule, _pattern(rule)) for method, rule in keys))

    def methods_for(self, path: str) -> list[str]:
        """The methods the API answers on ``path`` (none: no such path), sorted."""
        return sorted({method for method, _, pattern in self.routes if pattern.fullmatch(path)})

    def route_keys(self) -> list[str]:
        """Each route as API Gateway names it: ``METHOD /path/{parameter}``."""
        return [
            f"{method} {_POWERTOOLS_PARAMETER.sub(_as_gateway, rule)}"
            for method, rule, _ in self.routes
        ]

    def route_key(self, method: str, path: str) -> str:
        """The route key API Gateway gives a request for ``method path``: its route's, or
        ``$default`` when no route takes it."""
        for (route_method, _, pattern), key in zip(self.routes, self.route_keys(), strict=True):
            if route_method == method.upper() and pattern.fullmatch(path):
                return key
        return DEFAULT_ROUTE


@dataclass(frozen=True)
class Unmatched:
    status: int
    message: str
    allow: str | None  # the Allow header of a 405


def unmatched(table: RouteTable, method: str, path: str) -> Unmatched:
    """The answer to ``method path`` when no route of the API took it."""
    allowed = table.methods_for(path)
    if not allowed or method.upper() in allowed:
        # The second case only when the routes here and the gateway's disagree: a route the
        # gateway did not authorize is never run.
        return Unmatched(404, "no such route", None)
    allow = ", ".join(allowed)
    return Unmatched(405, f"this path answers only {allow}", allow)
