"""What an objective returns, read as a value and trial attributes."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any

from unitune.exceptions import ObjectiveError

__all__ = ["VALUE_KEY", "unpack"]

#: Key of the objective value when an objective returns a dict; the other entries become trial attributes.
VALUE_KEY = "value"


def unpack(value: Any) -> tuple[float, dict[str, Any]]:
    """``(value, attributes)`` from a number, a 0-d array or a dict holding the number under ``"value"``.

    Raises:
        ObjectiveError: if no number can be read, saying what was returned.

    Example:
        >>> unpack({"value": 0.5, "epochs": 3})
        (0.5, {'epochs': 3})
    """
    if type(value) is float or type(value) is int:  # the common case, before the ABC checks below
        return float(value), {}
    attrs: dict[str, Any] = {}
    if isinstance(value, Mapping):
        if VALUE_KEY not in value:
            raise ObjectiveError(
                f"the objective returned a dict without the key {VALUE_KEY!r}: {sorted(map(str, value))}. "
                f"Fix: return a number, or a dict with the number under {VALUE_KEY!r}"
            )
        attrs = {str(k): v for k, v in value.items() if k != VALUE_KEY}
        value = value[VALUE_KEY]
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:  # 0-d arrays, torch scalars and friends
            import numpy as np

            if isinstance(value, np.ndarray) and value.size == 1 and value.dtype.kind in "fiu":
                return float(value.reshape(())), attrs
        except ImportError:  # pragma: no cover
            pass
        raise ObjectiveError(
            f"the objective must return a number; it returned {value!r} ({type(value).__name__}). "
            f"Fix: return a float, or a dict with the float under {VALUE_KEY!r}"
        )
    return float(value), attrs
