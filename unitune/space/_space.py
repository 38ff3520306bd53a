"""The Space: a validated search space, its flat names and its raw form."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING, Any, TypeAlias

from unitune.exceptions import ConfigError, SpaceTypeError, UnknownNameError
from unitune.space._compile import Condition, Param, _Entry, compile_entries, normalize
from unitune.space._elements import Categorical, Conditional, Float, Int, parameter_error
from unitune.space._serialize import space_from_dict, space_to_dict
from unitune.space._transform import _safe_eq

__all__ = ["Categorical", "Condition", "Conditional", "Float", "Int", "Param", "Space", "SpaceLike"]


if TYPE_CHECKING:
    import numpy as np


class Space:
    """A validated search space.

    Args:
        mapping: A dict of name -> element, nested dict or constant (or a Space).

    Raises:
        SpaceError: if any rule is broken; the message names the parameter's path,
            the rule, what was received and how to fix it.

    Example:
        >>> Space({"x": Float(0, 1, step=0.5), "n": Int(1, 3)}).grid_size()
        9
        >>> Space({"x": Float(1, 0)})
        Traceback (most recent call last):
        ...
        unitune.exceptions.SpaceError: parameter 'x': Float needs low <= high; received low=1, high=0. Fix: ...
    """

    __slots__ = ("_by_key", "_entries", "_mapping", "_plan", "params")

    def __init__(self, mapping: SpaceLike) -> None:
        if isinstance(mapping, Space):
            mapping = mapping._mapping
        if not isinstance(mapping, Mapping):
            raise SpaceTypeError(
                f"a search space must be a dict of name -> element; received {type(mapping).__name__}. "
                "Fix: write e.g. {'lr': Float(1e-4, 1e-1, log=True)}."
            )
        self._mapping: Mapping[str, Any] = normalize(_plain(mapping))
        self._entries: list[_Entry] = compile_entries(self._mapping)
        self.params: tuple[Param, ...] = tuple(e.param for e in self._entries if e.param is not None)
        self._by_key = {p.key: p for p in self.params}
        # decode() runs once per trial: paths split and converters chosen once, here
        self._plan = tuple(
            (
                e.conditions,
                tuple(e.name.split(".")),
                "copy" if e.kind == "const" and isinstance(e.value, (list, dict, set)) else e.kind,
                None if e.param is None else e.param.element.decoder(),
                None if e.param is None else e.param.key,
                e.value,
            )
            for e in self._entries
        )

    # -- introspection -----------------------------------------------------------------
    @property
    def names(self) -> tuple[str, ...]:
        """Flat dotted names of the sampled parameters, in order (reused names once)."""
        return tuple(dict.fromkeys(p.name for p in self.params))

    @property
    def param_keys(self) -> tuple[str, ...]:
        """Unique keys of the sampled parameters, in order (see :class:`Param`)."""
        return tuple(self._by_key)

    @property
    def mapping(self) -> Mapping[str, Any]:
        """The dict this space was built from."""
        return self._mapping

    @property
    def is_conditional(self) -> bool:
        """Whether the space holds a :class:`Conditional`."""
        return any(p.branching for p in self.params)

    def param(self, key: str) -> Param:
        """The parameter with this unique key."""
        return self._by_key[key]

    def __repr__(self) -> str:
        return f"Space({dict(self._mapping)!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Space):
            return NotImplemented
        return self._entries == other._entries

    def __hash__(self) -> int:
        return hash(self.param_keys)

    def __len__(self) -> int:
        return len(self.params)

    # -- raw assignments (what backends produce) ---------------------------------------------
    def active_keys(self, raw: Mapping[str, Any]) -> list[str]:
        """Keys of the parameters that are active for a raw assignment."""
        return [p.key for p in self.params if conditions_hold(p.conditions, raw)]

    def decode(self, raw: Mapping[str, Any]) -> dict[str, Any]:
        """Build the nested configuration for a raw assignment ``{key: value}``.

        Every call builds new dicts (and copies constant lists and dicts), so each
        configuration is the caller's to change; choices are the very objects.
        Raw values are numbers: floats and ints as such, categorical choices and
        conditional labels as their index. Values come back as Python ``int``,
        ``float`` or the original choice object, snapped to the grid and bounds.

        Example:
            >>> Space({"n": Int(1, 3), "act": Categorical(["relu", None])}).decode({"n": 2.0, "act": 1})
            {'n': 2, 'act': None}
        """
        config: dict[str, Any] = {}
        for conditions, path, kind, convert, key, value in self._plan:
            if conditions and not conditions_hold(conditions, raw):
                continue
            if convert is not None:
                value = convert(raw[key])  # type: ignore[index]  # key is set with convert
            elif kind == "dict":
                value = {}
            elif kind == "copy":  # a constant container: each configuration gets its own
                value = _fresh(value)
            node = config
            for part in path[:-1]:
                node = node.setdefault(part, {})
            node[path[-1]] = value
        return config

    def encode(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """The raw assignment ``{key: value}`` of a nested configuration (inverse of :meth:`decode`).

        Only the sampled parameters are read: constants and extra keys are ignored.

        Raises:
            ConfigError: if a parameter is missing or its value does not fit.
        """
        raw: dict[str, Any] = {}
        for p in self.params:
            if not conditions_hold(p.conditions, raw):
                continue
            value = _get(config, p.name)
            try:
                raw[p.key] = p.element.encode(value)
            except ValueError as error:
                raise ConfigError(f"configuration does not fit the space: {p.name!r}: {error}") from None
        return raw

    # -- configurations (what objectives receive) ----------------------------------------------
    def _active_entries(self, config: Mapping[str, Any]) -> list[_Entry]:
        labels: dict[str, Any] = {}
        active = []
        for entry in self._entries:
            if all(labels.get(c.key, _MISSING) == c.label for c in entry.conditions):
                active.append(entry)
                if entry.param is not None and isinstance(entry.param.element, Conditional):
                    labels[entry.param.key] = _get(config, entry.name, _MISSING)
        return active

    def active(self, config: Mapping[str, Any]) -> set[str]:
        """Flat names of the parameters that are active in ``config``."""
        return {e.name for e in self._active_entries(config) if e.param is not None}

    def is_active(self, name: str, config: Mapping[str, Any]) -> bool:
        """Whether the parameter ``name`` (flat dotted) is active in ``config``.

        Raises:
            KeyError: if no parameter has that name.
        """
        if name not in self.names:
            raise UnknownNameError(f"no parameter named {name!r}; the space has {list(self.names)}")
        return name in self.active(config)

    def flatten(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """``{flat dotted name: value}`` for every active parameter and constant of ``config``.

        Example:
            >>> Space({"a": {"b": Int(0, 3)}, "c": 1}).flatten({"a": {"b": 2}, "c": 1})
            {'a.b': 2, 'c': 1}
        """
        return {e.name: _get(config, e.name, None) for e in self._active_entries(config) if e.kind != "dict"}

    def unflatten(self, flat: Mapping[str, Any]) -> dict[str, Any]:
        """The nested configuration of a flat ``{dotted name: value}`` dict (inverse of :meth:`flatten`)."""
        config: dict[str, Any] = {}
        labels: dict[str, Any] = {}
        for entry in self._entries:
            if not all(labels.get(c.key, _MISSING) == c.label for c in entry.conditions):
                continue
            if entry.kind == "dict":
                _put(config, entry.name, {})
            elif entry.name in flat:
                _put(config, entry.name, flat[entry.name])
                if entry.param is not None and isinstance(entry.param.element, Conditional):
                    labels[entry.param.key] = flat[entry.name]
        return config

    def validate(self, config: Mapping[str, Any]) -> None:
        """Check that ``config`` is a configuration of this space.

        Raises:
            ConfigError: listing every problem, each with the parameter's path.

        Example:
            >>> Space({"n": Int(1, 3)}).validate({"n": 7})
            Traceback (most recent call last):
            ...
            unitune.exceptions.ConfigError: configuration does not fit the space:
              - 'n': 7 is outside Int(1, 3)
        """
        problems: list[str] = []
        if not isinstance(config, Mapping):
            raise ConfigError(f"a configuration must be a dict; received {type(config).__name__}")
        expected = set()
        leaves = set()
        for entry in self._active_entries(config):
            expected.add(entry.name)
            if entry.kind != "dict":
                leaves.add(entry.name)
            value = _get(config, entry.name, _MISSING)
            if value is _MISSING:
                problems.append(f"{entry.name!r}: missing")
            elif entry.kind == "dict":
                if not isinstance(value, Mapping):
                    problems.append(f"{entry.name!r}: expected a dict, got {value!r}")
            elif entry.param is not None:
                problem = entry.param.element.problem(value)
                if problem:
                    problems.append(f"{entry.name!r}: {problem}")
            elif not (value is entry.value or _safe_eq(value, entry.value)):
                problems.append(f"{entry.name!r}: the constant is {entry.value!r}, got {value!r}")
        for name in _flat_names(config):
            if name not in expected and not any(name.startswith(e + ".") for e in leaves):
                problems.append(f"{name!r}: not an active parameter of the space")
        if problems:
            raise ConfigError("configuration does not fit the space:\n  - " + "\n  - ".join(problems))

    # -- reference sampling and grids -----------------------------------------------------------
    def sample(self, rng: np.random.Generator | int | None = None) -> dict[str, Any]:
        """Draw one configuration with NumPy: the reference distribution of every element.

        Example:
            >>> Space({"n": Int(1, 3)}).sample(0)["n"] in (1, 2, 3)
            True
        """
        import numpy as np

        gen = np.random.default_rng(rng)
        raw: dict[str, Any] = {}
        for p in self.params:
            if conditions_hold(p.conditions, raw):
                raw[p.key] = p.primitive.sample(gen)
        return self.decode(raw)

    def _finite_values(self, p: Param) -> list[Any]:
        try:
            return p.primitive.values()
        except ValueError:
            raise parameter_error(
                p.name,
                "grid() needs a finite space",
                repr(p.element),
                "give Float a step, or list the values with Categorical",
            ) from None

    def grid(self) -> Iterator[dict[str, Any]]:
        """Every configuration of a finite space, in order (the last parameter varies fastest).

        Raises:
            SpaceError: if a parameter has infinitely many values (a Float without step).

        Example:
            >>> list(Space({"a": Int(0, 1), "b": Categorical(["x", "y"])}).grid())
            [{'a': 0, 'b': 'x'}, {'a': 0, 'b': 'y'}, {'a': 1, 'b': 'x'}, {'a': 1, 'b': 'y'}]
        """
        values = {p.key: self._finite_values(p) for p in self.params}
        return self._grid(0, {}, values)

    def grid_size(self) -> int:
        """Number of configurations :meth:`grid` yields, counted without enumerating them."""
        values = {p.key: self._finite_values(p) for p in self.params}

        def count(i: int, raw: dict[str, Any]) -> int:
            while i < len(self.params) and not conditions_hold(self.params[i].conditions, raw):
                i += 1
            if i == len(self.params):
                return 1
            p = self.params[i]
            if not isinstance(p.element, Conditional):
                return len(values[p.key]) * count(i + 1, raw)
            return sum(count(i + 1, {**raw, p.key: v}) for v in values[p.key])

        return count(0, {})

    def _grid(self, i: int, raw: dict[str, Any], values: Mapping[str, list[Any]]) -> Iterator[dict[str, Any]]:
        while i < len(self.params) and not conditions_hold(self.params[i].conditions, raw):
            i += 1
        if i == len(self.params):
            yield self.decode(raw)
            return
        p = self.params[i]
        for v in values[p.key]:
            yield from self._grid(i + 1, {**raw, p.key: v}, values)

    # -- serialization ------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A plain dict (JSON/YAML-ready) describing the space; see :meth:`from_dict`.

        Example:
            >>> Space({"lr": Float(1e-4, 1e-1, log=True), "epochs": 10}).to_dict()
            {'lr': {'type': 'float', 'low': 0.0001, 'high': 0.1, 'log': True},
             'epochs': {'type': 'constant', 'value': 10}}
        """
        return space_to_dict(_plain(self._mapping))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Space:
        """Build a space from :meth:`to_dict`'s format (as loaded from JSON or YAML).

        Example:
            >>> Space.from_dict({"n": {"type": "int", "low": 1, "high": 3}}).params[0].element
            Int(1, 3)
        """
        return cls(space_from_dict(data))


SpaceLike: TypeAlias = Space | Mapping[str, Any]

_MISSING: Any = object()
_REQUIRED: Any = object()  # _get's "no default": raise instead of returning one


def as_space(space: SpaceLike) -> Space:
    """``space`` as a :class:`Space` (built and validated if it is a dict)."""
    return space if isinstance(space, Space) else Space(space)


def conditions_hold(conditions: tuple[Condition, ...], raw: Mapping[str, Any]) -> bool:
    """Whether every (conditional, label) condition holds in a raw assignment (labels as indices)."""
    return all(raw.get(c.key) == c.index for c in conditions)


def _tags(conds: tuple[Condition, ...]) -> str:
    return ",".join(f"{c.name.rsplit('.', 1)[-1]}={c.label}" for c in conds)


def _put(config: dict[str, Any], name: str, value: Any) -> None:
    *parents, leaf = name.split(".")
    node = config
    for part in parents:
        node = node.setdefault(part, {})
    node[leaf] = value


def _get(config: Mapping[str, Any], name: str, default: Any = _REQUIRED) -> Any:
    node: Any = config
    for part in name.split("."):
        if not isinstance(node, Mapping) or part not in node:
            if default is _REQUIRED:
                raise ConfigError(f"{name!r}: missing from the configuration")
            return default
        node = node[part]
    return node


def _flat_names(config: Mapping[str, Any], prefix: str = "") -> Iterator[str]:
    for key, value in config.items():
        name = f"{prefix}{key}"
        yield name
        if isinstance(value, Mapping):
            yield from _flat_names(value, name + ".")


def _plain(mapping: Mapping[str, Any]) -> dict[str, Any]:
    """``mapping`` with every nested Space replaced by its dict (inside branches too)."""
    return {key: _plain_value(value) for key, value in mapping.items()}


def _plain_value(value: Any) -> Any:
    if isinstance(value, Space):
        return _plain(value.mapping)
    if isinstance(value, Conditional) and isinstance(value.branches, Mapping):
        return Conditional({label: _plain_value(branch) for label, branch in value.branches.items()})
    if isinstance(value, Mapping):
        return _plain(value)
    if isinstance(value, list) and any(isinstance(v, Space) for v in value):
        return [_plain_value(v) for v in value]
    return value


def _fresh(value: Any) -> Any:
    """A copy of the containers (dicts, lists, sets) of a constant; what they hold is kept."""
    if isinstance(value, dict):
        return {k: _fresh(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_fresh(v) for v in value]
    if isinstance(value, set):
        return set(value)
    return value
