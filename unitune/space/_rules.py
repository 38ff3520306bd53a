"""The rules every element's arguments follow, and the one style of their error messages."""

from __future__ import annotations

import math
import numbers

from unitune.exceptions import SpaceError, SpaceTypeError

__all__ = ["check_bounds", "check_flags", "check_number", "parameter_error"]


def parameter_error(
    path: str, rule: str, received: str, fix: str, *, kind: type[SpaceError] = SpaceError
) -> SpaceError:
    """The error for the parameter at ``path``, in the one message style: rule, what was received, the fix."""
    return kind(f"parameter {path!r}: {rule}; received {received}. Fix: {fix}.")


def check_number(path: str, what: str, value: object, element: str) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise parameter_error(
            path,
            f"{element} {what} must be a number",
            f"{value!r} ({type(value).__name__})",
            f"pass an int or a float as {what}",
            kind=SpaceTypeError,
        )
    if not math.isfinite(float(value)):
        raise parameter_error(path, f"{element} {what} must be finite", repr(value), f"give a finite {what}")


def check_flags(path: str, element: str, log: object, step: object) -> None:
    if not isinstance(log, bool):
        raise parameter_error(
            path, f"{element} log must be True or False", repr(log), "pass log=True or log=False", kind=SpaceTypeError
        )
    if step is None:
        return
    check_number(path, "step", step, element)
    if float(step) <= 0:  # type: ignore[arg-type]
        raise parameter_error(path, f"{element} step must be > 0", f"step={step!r}", "use a positive step")


def check_bounds(path: str, element: str, low: float, high: float, log: bool) -> None:
    if float(low) > float(high):
        raise parameter_error(
            path,
            f"{element} needs low <= high",
            f"low={low!r}, high={high!r}",
            f"swap them: {element}({high!r}, {low!r})",
        )
    if log and float(low) <= 0:
        raise parameter_error(
            path, f"{element} with log=True needs low > 0", f"low={low!r}", "use a positive low bound or log=False"
        )
