"""hemokg._hints: the run-time stand-ins for typing's names on the hot path behave as typing's own."""

from __future__ import annotations

import pickle
import typing

import pytest

from hemokg import _hints
from hemokg.cli.spec import Argument, CommandSpec, Option
from hemokg.lineage import Step
from hemokg.lookup import Match, Term
from hemokg.sparql.queries import Param, StoredQuery


def _twins() -> tuple[type, type]:
    """The same record class body, built by typing.NamedTuple and by the stand-in."""

    def body(base: typing.Any) -> type:
        class Record(base):  # type: ignore[misc,valid-type]
            """A record."""

            name: str
            size: int = 1
            note: str | None = None

            def twice(self) -> int:
                return 2 * self.size

            @classmethod
            def make(cls, name: str) -> typing.Any:
                return cls(name, 3)

        return Record

    return body(typing.NamedTuple), body(_hints.NamedTuple)


def test_a_record_behaves_as_typing_namedtuple_builds_it() -> None:
    real, lite = _twins()
    assert lite is not real and not issubclass(lite, real)
    assert lite._fields == real._fields == ("name", "size", "note")
    assert lite._field_defaults == real._field_defaults == {"size": 1, "note": None}
    assert lite.__doc__ == real.__doc__ == "A record."
    a, b = real("x"), lite("x")
    assert tuple(a) == tuple(b) == ("x", 1, None)
    assert repr(b) == repr(a) == "Record(name='x', size=1, note=None)"
    assert b.twice() == a.twice() == 2 and lite.make("y") == ("y", 3, None)
    assert b._replace(size=5) == ("x", 5, None) and b._asdict() == {"name": "x", "size": 1, "note": None}
    assert hash(b) == hash(("x", 1, None)) and b == ("x", 1, None)
    assert isinstance(b, tuple) and lite.__module__ == real.__module__ == __name__
    with pytest.raises(AttributeError):
        b.name = "z"  # type: ignore[misc]


def test_a_field_without_default_after_one_with_default_is_refused() -> None:
    with pytest.raises(TypeError):

        class Bad(_hints.NamedTuple):  # type: ignore[misc]
            a: int = 1
            b: int


def test_the_hot_records_are_tuples_with_their_fields() -> None:
    for record in (Step, Param, StoredQuery, Term, Match, Option, Argument, CommandSpec):
        assert issubclass(record, tuple) and record._fields == tuple(record.__annotations__), record
        assert record.__doc__ and record.__module__.startswith("hemokg."), record
    step = Step("a", "b")
    assert step == ("a", "b", True) and pickle.loads(pickle.dumps(step)) == step


def test_the_placeholders_are_never_read_as_types() -> None:
    assert _hints.Any["x"] is _hints.Any and _hints.Literal["a", "b"] is _hints.Literal
    assert _hints.TYPE_CHECKING is False
    assert _hints.overload(len) is len
