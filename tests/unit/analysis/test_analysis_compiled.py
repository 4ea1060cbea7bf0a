"""The compiled lexicon cache (``bounceback.analysis.compiled``): what it loads is the lexicon
``build`` makes, pattern for pattern (a compiled pattern equals another only when their SRE code
is the same), and anything that is not a cache of today's inputs is refused, so the lexicon is
compiled from ``lexicon.toml`` instead."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import pytest

from bounceback.analysis import compiled
from bounceback.analysis.engine import analyse
from bounceback.analysis.lexicon import AreaRules, Lexicon, build, lexicon, read_data
from tests.support.events import load_event


@pytest.fixture(scope="module")
def built() -> Lexicon:
    return build(read_data())


@pytest.fixture(scope="module")
def cache_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("lexcache")
    compiled.write(str(directory))
    return directory


@pytest.fixture
def only_cache(cache_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """``lexicon()`` looks in the test's cache directory only."""
    monkeypatch.setattr(compiled, "search_path", lambda: [str(cache_dir)])
    lexicon.cache_clear()
    yield cache_dir
    lexicon.cache_clear()


def _the_file(directory: Path) -> Path:
    (path,) = directory.iterdir()
    return path


def _same_rules(a: AreaRules, b: AreaRules) -> bool:
    return (a.area, a.ignore, a.skill_bound) == (b.area, b.ignore, b.skill_bound)


def test_every_field_loaded_from_the_cache_is_what_build_makes(
    only_cache: Path, built: Lexicon
) -> None:
    # Given a cache written from today's lexicon
    # When the lexicon is loaded from it
    loaded = lexicon()
    assert isinstance(loaded, compiled.LazyLexicon)
    # Then each field equals the built one: patterns by their SRE code, the rest by value
    for field in fields(Lexicon):
        mine, theirs = getattr(loaded, field.name), getattr(built, field.name)
        if field.name == "area_groups":
            assert mine.keys() == theirs.keys()
            assert all(_same_rules(mine[k], theirs[k]) for k in theirs)
        else:
            assert mine == theirs, field.name
            assert type(mine) is type(theirs), field.name


def test_patterns_are_compiled_only_when_first_used(only_cache: Path) -> None:
    loaded = lexicon()
    assert "skills" in object.__getattribute__(loaded, "_pending")
    # Reading a reapply hint leaves the skill tables alone...
    assert re.Pattern in type(loaded.reapply_cues).__mro__
    with pytest.raises(AttributeError):
        object.__getattribute__(loaded, "skills")
    # ...and a field, once used, is an ordinary attribute
    first = loaded.skills
    assert object.__getattribute__(loaded, "skills") is first is loaded.skills


def test_analysis_reads_the_same_from_the_cache_and_from_the_toml(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    messages = [
        load_event("app.rejection.json")["message"],
        load_event("app.feedback.json")["text"],
        "We went with an internal candidate. Your SQL and Kubernetes skills were not strong "
        "enough yet, and you seemed nervous. You're welcome to reapply in 6 months.",
    ]
    lexicon.cache_clear()
    monkeypatch.setattr(compiled, "search_path", lambda: [])
    from_toml = [analyse(m) for m in messages]
    assert not isinstance(lexicon(), compiled.LazyLexicon)
    lexicon.cache_clear()
    monkeypatch.setattr(compiled, "search_path", lambda: [str(cache_dir)])
    from_cache = [analyse(m) for m in messages]
    assert isinstance(lexicon(), compiled.LazyLexicon)
    lexicon.cache_clear()
    assert from_cache == from_toml
    assert any(from_toml)


def test_a_cache_of_another_lexicon_is_not_used(
    only_cache: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given lexicon.toml (or the code, or the interpreter) changed since the cache was written
    monkeypatch.setattr(compiled, "digest", lambda: "0" * 64)
    # Then no cache is found, and the lexicon is built from the TOML
    assert compiled.load() is None
    assert type(lexicon()) is Lexicon


def test_a_file_under_the_right_name_with_another_key_inside_is_refused(
    only_cache: Path, tmp_path: Path
) -> None:
    data = _the_file(only_cache).read_bytes()
    assert compiled.loads(data, compiled.digest()) is not None
    assert compiled.loads(data, "f" * 64) is None


@pytest.mark.parametrize("damage", [b"", b"not marshal at all", b"\x00" * 64])
def test_a_damaged_cache_falls_back_to_the_toml(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, damage: bytes
) -> None:
    (tmp_path / _the_file(cache_dir).name).write_bytes(damage)
    monkeypatch.setattr(compiled, "search_path", lambda: [str(tmp_path)])
    assert compiled.load() is None


def test_a_truncated_cache_falls_back_to_the_toml(
    cache_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = _the_file(cache_dir)
    (tmp_path / original.name).write_bytes(original.read_bytes()[:5000])
    monkeypatch.setattr(compiled, "search_path", lambda: [str(tmp_path)])
    assert compiled.load() is None


def test_a_cache_missing_a_field_is_refused(cache_dir: Path) -> None:
    import marshal

    document: dict[str, Any] = marshal.loads(_the_file(cache_dir).read_bytes())  # noqa: S302
    del document["fields"]["skills"]
    assert compiled.loads(marshal.dumps(document), document["key"]) is None


def test_a_pattern_the_engine_refuses_is_compiled_from_its_text(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    pattern = re.compile(r"(?<!\w)(?P<k>re-?apply|apply again)(?!\w)", re.IGNORECASE)
    recipe = compiled.recipe(pattern)
    assert compiled.materialise(recipe) == pattern

    class Refusing:
        @staticmethod
        def compile(*_: object) -> None:
            raise RuntimeError("invalid SRE code")

    monkeypatch.setattr(compiled, "_engine", lambda: Refusing)
    assert compiled.materialise(recipe) == pattern


def test_a_field_of_an_unknown_kind_cannot_be_cached() -> None:
    with pytest.raises(TypeError):
        compiled._encode(("a", "tuple"), [], {})

    @dataclass(frozen=True)
    class Foreign:
        pattern: re.Pattern[str]

    with pytest.raises(TypeError):
        compiled._encode(Foreign(re.compile("x")), [], {})


def test_writing_again_replaces_the_cache_of_an_older_lexicon(tmp_path: Path) -> None:
    stale = tmp_path / f"lexicon.{sys.implementation.cache_tag}.0000000000000000.marshal"
    stale.write_bytes(b"old")
    path = compiled.write(str(tmp_path))
    assert [p.name for p in tmp_path.iterdir()] == [Path(path).name]


def test_prime_compiles_every_pattern(only_cache: Path) -> None:
    loaded = lexicon()
    compiled.prime(loaded)
    for name in object.__getattribute__(loaded, "_pending"):
        assert isinstance(object.__getattribute__(loaded, name), re.Pattern)


def test_a_lexicon_it_cannot_hold_is_left_to_compile_on_first_use(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def refuse(*_: object) -> bytes:
        raise TypeError("the lexicon cache cannot hold a Novelty")

    monkeypatch.setattr(compiled, "dumps", refuse)
    assert compiled.main([str(tmp_path)]) == 0
    assert "compiles on first use" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == []
