"""The setup block of a report: unitune's version, the libraries', Python's and the machine's."""

from __future__ import annotations

import os
import platform
from collections.abc import Iterable
from importlib import metadata

__all__ = ["environment", "version_of"]


def version_of(distribution: str) -> str:
    """The installed version of a distribution, or ``"not installed"``.

    Example:
        >>> version_of("no-such-distribution-here")
        'not installed'
    """
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return "not installed"


def _processor() -> str:
    name = platform.processor()
    if not name and os.path.exists("/proc/cpuinfo"):  # Linux leaves platform.processor() empty
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as info:
            for line in info:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    return name or platform.machine()


def environment(libraries: Iterable[str] = ()) -> dict[str, str]:
    """What a reader needs to repeat a run: unitune's version, the libraries', Python's and the machine's.

    Args:
        libraries: Distribution names whose versions to list (e.g. ``["optuna", "hyperopt"]``).

    Returns:
        An ordered ``{item: value}`` dict, ready for a two-column table.

    Example:
        >>> info = environment(["numpy"])
        >>> list(info)[:3], info["numpy"] != "not installed"
        (['unitune', 'python', 'platform'], True)
    """
    info = {
        "unitune": version_of("unitune"),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "processor": _processor(),
        "cpus": str(os.cpu_count()),
    }
    for name in libraries:
        info[name] = version_of(name)
    return info
