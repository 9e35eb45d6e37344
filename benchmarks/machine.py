"""What the numbers were measured on: CPU, cores, memory, Python and library versions, load.

Example::

    machine_info()["cores"]  # 2
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from typing import Any

__all__ = ["load_average", "machine_info"]

_LIBRARIES = ("aiohttp", "msgspec", "phonenumbers", "pywa", "httpx", "whatsapp-async")


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gib() -> float | None:
    try:
        with open("/proc/meminfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return None


def load_average() -> list[float] | None:
    """The 1, 5 and 15 minute load averages, or None where the OS has none.

    Example::

        load_average()  # [0.12, 0.30, 0.41]
    """
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None


def _version(name: str) -> str | None:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return None


def machine_info() -> dict[str, Any]:
    """A description of this machine and interpreter for the results file.

    Example::

        machine_info()  # {'cpu': 'AMD EPYC', 'cores': 2, 'memory_gib': 23.5, ...}
    """
    return {
        "cpu": _cpu_model(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": f"{platform.system()} {platform.release()}",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "executable": sys.executable,
        "event_loop": "asyncio (default selector loop, no uvloop)",
        "libraries": {name: _version(name) for name in _LIBRARIES},
        "load_average_at_start": load_average(),
    }
