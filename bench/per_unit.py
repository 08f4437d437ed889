"""What a unit of work (a publish, a request, an application) cost in a run: round trips to
PostgreSQL and Redis (counted by bench/counting.py) and CPU milliseconds (measured by
bench/procfs.py), as the table's cells print them."""

from __future__ import annotations

EMULATOR = "emulator"  # the platform's stand-in: shown apart, not part of jobpub's own CPU


def figure(value: float) -> str:
    # An application costs a hundredth of a page's statements: below 1, two decimals say something.
    return f"{value:.2f}" if value < 1 else f"{value:.1f}"


def round_trips(counts: dict[str, int] | None, units: int) -> str:
    """`SQL 9.0 (2.0 tx, 13.0 trips) · Redis 6.0 (4.0 trips)` per unit; `—` when not counted."""
    if counts is None:
        return "—"
    per = {name: figure(value / units) for name, value in counts.items()}
    return (
        f"SQL {per['statements']} ({per['transactions']} tx, {per['db_round_trips']} trips) · "
        f"Redis {per['redis_commands']} ({per['redis_round_trips']} trips)"
    )


def cpu_ms(used: dict, units: int, ceiling: dict | None = None) -> str:
    """Total and per-group CPU ms per unit of jobpub's processes (the emulator apart), and the
    ceiling's total when it was measured: `10.2 = workers 7.9 + PostgreSQL 1.9 …; emulator 0.5`."""
    groups = {name: seconds * 1000 / units for name, seconds in used["groups"].items()}
    own = {name: ms for name, ms in groups.items() if name != EMULATOR}
    text = f"{figure(sum(own.values()))} = " + " + ".join(f"{name} {figure(ms)}" for name, ms in own.items())
    if EMULATOR in groups:
        text += f"; {EMULATOR} {figure(groups[EMULATOR])}"
    if ceiling is not None:
        text += f"; ceiling {figure(sum(seconds * 1000 / units for seconds in ceiling['groups'].values()))}"
    return text
