"""The base class of every sampled element: how it reduces to a Primitive, decodes, encodes and serializes."""

from __future__ import annotations

import abc
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from unitune.space._transform import Primitive

__all__ = ["Element"]


class Element(abc.ABC):
    """Base class of the sampled leaves of a space.

    A subclass says once how it checks its arguments (:meth:`_check`), how it
    reduces to a neutral :class:`Primitive` (:meth:`primitive`) and how it reads
    and writes its plain-dict form (:attr:`type_name`, :meth:`to_dict`,
    :meth:`from_dict`). What the objective receives for a raw value is
    :meth:`decode` (the primitive's by default); override it, with
    :meth:`encode`, for an element whose values are not the primitive's.
    """

    #: The ``"type"`` of the element in a space file; subclasses with a name are registered for :meth:`from_dict`.
    type_name: ClassVar[str] = ""
    _by_type: ClassVar[dict[str, type[Element]]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("type_name"):
            Element._by_type[cls.type_name] = cls

    @abc.abstractmethod
    def _check(self, path: str) -> None:
        """Raise a SpaceError naming ``path`` if the arguments break a rule."""

    @abc.abstractmethod
    def primitive(self) -> Primitive:
        """The neutral primitive this element reduces to (call after :meth:`_check`)."""

    def decode(self, raw: Any) -> Any:
        """What the objective receives for a raw value."""
        return self.primitive().decode(raw)

    def encode(self, value: Any) -> Any:
        """The raw value of what the objective received (inverse of :meth:`decode`).

        Raises:
            ValueError: if ``value`` is not a value of this element (see :meth:`problem`).
        """
        return self.primitive().encode(value, repr(self))

    def problem(self, value: Any) -> str | None:
        """Why ``value`` is not a value of this element, or None if it is."""
        return self.primitive().problem(value, repr(self))

    def decoder(self) -> Callable[[Any], Any]:
        """:meth:`decode`, specialised once (the primitive's fast decoder unless a subclass overrides decode)."""
        if type(self).decode is Element.decode:
            return self.primitive().decoder()
        return self.decode

    def to_dict(self) -> dict[str, Any]:
        """The plain-dict form (JSON/YAML-ready): ``{"type": type_name, ...arguments}``."""
        raise NotImplementedError(f"{type(self).__name__} has no plain-dict form")

    @classmethod
    def from_dict(cls, fields: Mapping[str, Any]) -> Element:
        """Build the element from the fields of its plain-dict form (without ``"type"``)."""
        return cls(**fields)

    #: Fields of the plain-dict form: (required, optional).
    fields: ClassVar[tuple[frozenset[str], frozenset[str]]] = (frozenset(), frozenset())
