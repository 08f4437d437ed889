"""How `jobpub … --help` shows options.

Typer prints a type beside every option, so a flag such as `--dry-run` reads `--dry-run <bool>`
as if it took a value. A flag takes none: show no type for it.
"""

from __future__ import annotations

from typing import Any

from typer.core import TyperOption

_typer_display_type = TyperOption.display_type_rich


def _display_type(option: TyperOption, ctx: Any) -> str | None:  # typer's own (vendored) click Context
    return None if option.is_flag else _typer_display_type(option, ctx)


def show_no_type_for_flags() -> None:
    """Patch typer's option display once, for this process's help screens only."""
    TyperOption.display_type_rich = _display_type  # type: ignore[method-assign,assignment]
