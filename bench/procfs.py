"""What the benchmarks read of processes from Linux's /proc: a process and its descendants,
resident memory (now and peak), and CPU seconds, so a figure can say where the time went.

/proc rather than psutil: the benchmarks run on Linux only, and this is all they need.
"""

from __future__ import annotations

import os
from pathlib import Path

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list[int]:
    """`pid` and every process below it (the dramatiq CLI forks its worker processes)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            try:
                todo.extend(int(child) for child in (task / "children").read_text().split())
            except OSError:
                continue
    return found


def memory_kib(pid: int) -> dict[str, int]:
    """{"rss": resident now, "peak": the highest it has been (VmHWM)}, in KiB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values["rss" if name == "VmRSS" else "peak"] = int(rest.split()[0])
    return values


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU seconds the process has used; None once it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime (fields 14 and 15 of stat)


def machine_cpu() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, all cores."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    total = sum(fields[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


class CpuWatch:
    """CPU seconds used by named groups of processes between `start()` and `stop()`, and how
    busy the machine was meanwhile (others' work included: the machine is shared).

    A group is a function giving its pids now; it is asked at both ends, so processes started
    meanwhile (database connections opened by a pool) count from zero. A process gone before
    `stop()` counts nothing.
    """

    def __init__(self, groups: dict):
        self._groups = groups
        self._before: dict[str, dict[int, float]] = {}

    def start(self) -> None:
        self._before = {name: self._sample(pids()) for name, pids in self._groups.items()}
        self._machine = machine_cpu()

    def stop(self) -> dict:
        used = {}
        for name, pids in self._groups.items():
            now = self._sample(set(pids()) | set(self._before[name]))
            used[name] = sum(seconds - self._before[name].get(pid, 0.0) for pid, seconds in now.items())
        busy, total = (after - before for after, before in zip(machine_cpu(), self._machine, strict=True))
        return {"groups": used, "machine_busy_share": busy / total if total else 0.0, "seconds": total / os.cpu_count()}

    @staticmethod
    def _sample(pids) -> dict[int, float]:
        return {pid: seconds for pid in pids if (seconds := cpu_seconds(pid)) is not None}
