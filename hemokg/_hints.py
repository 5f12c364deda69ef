"""The :mod:`typing` names the hot commands' modules use, without importing :mod:`typing` when they run.

Importing :mod:`typing` costs a cold start ~15 M instructions (~3 ms here: more than any of hemokg's own modules),
and a cold ``hemokg lineage`` has 1.5x a bare pyoxigraph script doing the same work to spend in all (issue 18).
Type checkers read the real names (``TYPE_CHECKING`` is true for them). At run time the modules take stand-ins:

- the names used in annotations only (``Any``, ``Literal``, ``Protocol``'s members' types, ...) are a placeholder
  that is never read: each such module has ``from __future__ import annotations``;
- :func:`overload` hands back its function: the implementation that follows replaces the variants anyway;
- :class:`NamedTuple` builds the record class with :func:`collections.namedtuple`, its fields, defaults, docstring
  and methods as :class:`typing.NamedTuple` builds them (a tuple subclass with ``_fields``, ``_replace`` ...);
- :class:`Protocol` is a plain base class (no ``isinstance`` against these protocols: they are for type checkers).

Modules off the hot path import :mod:`typing` itself. Layer: the bottom; imports :mod:`collections` only.
"""

from __future__ import annotations

TYPE_CHECKING = False

if TYPE_CHECKING:
    from typing import Any, Literal, NamedTuple, Protocol, SupportsIndex, overload
else:
    import collections

    class _Placeholder:
        """A name read only by type checkers (``Any``, ``Literal["a", "b"]``): subscripting it gives itself."""

        __slots__ = ()

        def __getitem__(self, item: object) -> _Placeholder:
            return self

        def __repr__(self) -> str:
            return "<annotation placeholder>"

    Any = Literal = SupportsIndex = _Placeholder()

    def overload(func):
        return func

    class Protocol:
        """A protocol's base at run time: a plain class (type checkers read :class:`typing.Protocol`)."""

        __slots__ = ()

    #: Names a record class body may hold that are not copied onto the record.
    _OWN = frozenset({"__annotations__", "__module__", "__qualname__", "__slots__"})

    class _RecordMaker(type):
        def __new__(mcs, typename, bases, namespace):
            fields = list(namespace.get("__annotations__", {}))
            defaults = [namespace[name] for name in fields if name in namespace]
            if fields[len(fields) - len(defaults) :] != [name for name in fields if name in namespace]:
                raise TypeError(f"{typename}: a field without a default follows one with a default")
            record = collections.namedtuple(typename, fields, defaults=defaults, module=namespace["__module__"])
            record.__qualname__ = namespace.get("__qualname__", typename)
            record.__annotations__ = dict(namespace.get("__annotations__", {}))
            for key, value in namespace.items():
                if key not in _OWN and key not in fields:
                    setattr(record, key, value)
            return record

    _Record = type.__new__(_RecordMaker, "NamedTuple", (), {})

    def NamedTuple(typename, fields=None, /):
        raise TypeError("hemokg._hints.NamedTuple supports the class syntax only")

    NamedTuple.__mro_entries__ = lambda bases: (_Record,)

__all__ = ["TYPE_CHECKING", "Any", "Literal", "NamedTuple", "Protocol", "SupportsIndex", "overload"]
