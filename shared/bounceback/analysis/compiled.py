"""The compiled lexicon, ahead of time: a file that turns a cold start's second of regex
compilation into a few milliseconds, and a pattern into code only when first used.

``python -m bounceback.analysis.compiled DIR`` (run by the layer build, ``shared/Makefile``, and
by ``make install``) builds the lexicon and writes, for every regex in it, what CPython's regex
compiler produced: the pattern, its flags, groups and the SRE code. Loading that file skips the
TOML parse, the pattern building and the compiler; each regex is handed to the SRE engine on
first use (``_sre.compile``, exactly what ``re.compile`` does last), so a function that only
reads a reapply hint never materialises the skill tables.

The file is only ever used for the exact inputs it was made from: its name and contents carry a
digest of ``lexicon.toml``, ``lexicon.py``, this module and the interpreter (version, SRE code
format). Anything else (another Python, an edited lexicon, a damaged or unreadable file, a
private API that changed) falls back to compiling from ``lexicon.toml``, as without a file.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import re
import sys
from array import array
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from typing import Any

from bounceback.analysis import lexicon as lexicon_module
from bounceback.analysis.lexicon import AreaRules, Lexicon

_HERE = os.path.dirname(os.path.abspath(__file__))
FORMAT = 1
CACHE_DIR_NAME = "__lexcache__"
# Where else a cache may be looked for (a directory): for a deployment that keeps it apart.
CACHE_DIR_VARIABLE = "BOUNCEBACK_LEXICON_CACHE"

# (pattern, flags, SRE code as 4-byte words, groups, groupindex, indexgroup)
Recipe = tuple[str, int, bytes, int, dict[str, int], tuple[str | None, ...]]


def _engine() -> Any:
    import _sre  # type: ignore[import-not-found]

    return _sre


def digest() -> str:
    """What a cache must have been made from: the lexicon, the code that builds and loads it,
    and the regex engine's code format."""
    sre = _engine()
    h = hashlib.sha256()
    for name in ("lexicon.toml", "lexicon.py", "compiled.py"):
        with open(os.path.join(_HERE, name), "rb") as stream:
            h.update(stream.read())
    h.update(f"{FORMAT}|{sys.version}|{sys.implementation.cache_tag}".encode())
    h.update(f"|{sre.MAGIC}|{sre.CODESIZE}|{sre.MAXREPEAT}|{sre.MAXGROUPS}".encode())
    return h.hexdigest()


def file_name(key: str) -> str:
    return f"lexicon.{sys.implementation.cache_tag}.{key[:16]}.marshal"


def search_path() -> list[str]:
    extra = os.environ.get(CACHE_DIR_VARIABLE)
    return [*([extra] if extra else []), os.path.join(_HERE, CACHE_DIR_NAME)]


# ---------------------------------------------------------------------------- writing


def recipe(pattern: re.Pattern[str]) -> Recipe:
    """What ``re.compile`` hands the SRE engine for ``pattern``."""
    from re import _compiler, _parser  # type: ignore[attr-defined]

    parsed = _parser.parse(pattern.pattern, pattern.flags)
    code = _compiler._code(parsed, pattern.flags)
    words = array("I", [int(c) for c in code])
    groupindex = {str(k): int(v) for k, v in parsed.state.groupdict.items()}
    indexgroup: list[str | None] = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (
        pattern.pattern,
        int(pattern.flags | parsed.state.flags),
        words.tobytes(),
        int(parsed.state.groups - 1),
        groupindex,
        tuple(indexgroup),
    )


def _encode(value: Any, recipes: list[Recipe], areas: dict[str, tuple[Any, Any]]) -> Any:
    """A field's value for marshal: patterns and area rules become tagged tuples (no field of
    the lexicon holds a tuple of its own, so a tuple is always a tag)."""
    if isinstance(value, re.Pattern):
        recipes.append(recipe(value))
        return ("re", len(recipes) - 1)
    if isinstance(value, AreaRules):
        if value.area not in areas:
            areas[value.area] = (
                _encode(value.ignore, recipes, areas),
                _encode(value.skill_bound, recipes, areas),
            )
        return ("area", value.area)
    if isinstance(value, dict):
        return {str(k): _encode(v, recipes, areas) for k, v in value.items()}
    if is_dataclass(value) and not isinstance(value, type):
        # A group of regexes of the lexicon's own (``SkillFrames``): rebuilt whole on load.
        cls = type(value)
        if getattr(lexicon_module, cls.__name__, None) is not cls:
            raise TypeError(f"the lexicon cache cannot hold a {cls.__name__}")
        members = {f.name: _encode(getattr(value, f.name), recipes, areas) for f in fields(value)}
        return ("dataclass", cls.__name__, members)
    if value is None or isinstance(value, str | int | float | frozenset):
        return value
    raise TypeError(f"the lexicon cache cannot hold a {type(value).__name__}")


def dumps(lex: Lexicon, key: str) -> bytes:
    recipes: list[Recipe] = []
    areas: dict[str, tuple[Any, Any]] = {}
    encoded = {name: _encode(getattr(lex, name), recipes, areas) for name in _field_names()}
    return marshal.dumps(
        {"format": FORMAT, "key": key, "fields": encoded, "areas": areas, "recipes": recipes}
    )


def write(directory: str) -> str:
    """Build the lexicon and write its cache into ``directory``; returns the file's path."""
    from bounceback.analysis.lexicon import build, read_data

    key = digest()
    data = dumps(build(read_data()), key)
    os.makedirs(directory, exist_ok=True)
    path = os.path.join(directory, file_name(key))
    temporary = f"{path}.{os.getpid()}.tmp"
    with open(temporary, "wb") as stream:
        stream.write(data)
    os.replace(temporary, path)
    for stale in os.listdir(directory):  # other lexicons' files for this interpreter
        if stale.startswith(f"lexicon.{sys.implementation.cache_tag}.") and stale != file_name(key):
            os.remove(os.path.join(directory, stale))
    return path


# ---------------------------------------------------------------------------- reading


def _field_names() -> list[str]:
    return [f.name for f in fields(Lexicon)]


def materialise(recipe: Recipe) -> re.Pattern[str]:
    """The compiled pattern of a recipe: the SRE engine given the stored code, or, should the
    engine refuse it, ``re.compile`` of the pattern itself."""
    pattern, flags, code, groups, groupindex, indexgroup = recipe
    try:
        compiled: re.Pattern[str] = _engine().compile(
            pattern, flags, array("I", code).tolist(), groups, groupindex, indexgroup
        )
    except Exception:  # a private API: never let it decide whether analysis works
        return re.compile(pattern, flags)
    return compiled


class _Lazy:
    """Fields that are patterns are made on first access: a slot left empty raises
    AttributeError, Python then asks ``__getattr__``, which fills the slot for good."""

    __slots__ = ()
    _pending: dict[str, Recipe]

    def __getattr__(self, name: str) -> Any:
        pending = object.__getattribute__(self, "_pending")
        if name not in pending:
            raise AttributeError(name)
        value = materialise(pending[name])
        object.__setattr__(self, name, value)
        return value


class LazyLexicon(_Lazy, Lexicon):
    __slots__ = ("_pending",)


class LazyAreaRules(_Lazy, AreaRules):
    __slots__ = ("_pending",)


def _instance(cls: type[Any], values: dict[str, Any], pending: dict[str, Recipe]) -> Any:
    instance = object.__new__(cls)
    for name, value in values.items():
        object.__setattr__(instance, name, value)
    object.__setattr__(instance, "_pending", pending)
    return instance


def loads(data: bytes, key: str) -> Lexicon | None:
    """The lexicon from a cache's bytes, or None when they are not a cache of ``key``."""
    document = marshal.loads(data)  # noqa: S302 - our own file, keyed by the digest of its inputs
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        return None
    if document.get("key") != key:
        return None
    recipes: list[Recipe] = document["recipes"]
    areas: dict[str, AreaRules] = {}

    def split(
        encoded: dict[str, Any], decode: Callable[[Any], Any]
    ) -> tuple[dict[str, Any], dict[str, Recipe]]:
        values: dict[str, Any] = {}
        pending: dict[str, Recipe] = {}
        for name, value in encoded.items():
            if isinstance(value, tuple) and value[0] == "re":
                pending[name] = recipes[value[1]]
            else:
                values[name] = decode(value)
        return values, pending

    def decode(value: Any) -> Any:
        if isinstance(value, tuple):
            if value[0] == "re":
                return materialise(recipes[value[1]])
            if value[0] == "dataclass":
                cls = getattr(lexicon_module, value[1])
                return cls(**{k: decode(v) for k, v in value[2].items()})
            return areas[value[1]]
        if isinstance(value, dict):
            return {k: decode(v) for k, v in value.items()}
        return value

    for area, (ignore, skill_bound) in document["areas"].items():
        values, pending = split({"ignore": ignore, "skill_bound": skill_bound}, decode)
        areas[area] = _instance(LazyAreaRules, {"area": area, **values}, pending)
    names = set(_field_names())
    if set(document["fields"]) != names:
        return None
    values, pending = split(document["fields"], decode)
    lex: Lexicon = _instance(LazyLexicon, values, pending)
    return lex


def load() -> Lexicon | None:
    """The lexicon from the first cache made from today's inputs, or None."""
    try:
        key = digest()
    except OSError:
        return None
    name = file_name(key)
    for directory in search_path():
        try:
            with open(os.path.join(directory, name), "rb") as stream:
                data = stream.read()
        except OSError:
            continue
        try:
            lex = loads(data, key)
        except Exception:  # damaged or foreign: compile instead
            lex = None
        if lex is not None:
            return lex
    return None


def prime(lex: Lexicon) -> None:
    """Materialise every pattern now (before a snapshot, say) rather than on first use."""
    for name in _field_names():
        value = getattr(lex, name)
        if isinstance(value, dict):
            for rules in value.values():
                if isinstance(rules, AreaRules):
                    _ = (rules.ignore, rules.skill_bound)


def main(argv: list[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else argv
    directory = arguments[0] if arguments else os.path.join(_HERE, CACHE_DIR_NAME)
    try:
        print(write(directory))
    except TypeError as error:  # a new kind of lexicon field: slower first use, never wrong
        print(
            f"lexicon not compiled ahead of time ({error}): it compiles on first use",
            file=sys.stderr,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
