"""What every admin page shares: which columns may be shown, a read-only view, and the
confirmation page through which an action changes something.

Columns are listed from the model when the view is made, so a column another change adds to a
table appears here with nothing to edit; a column whose name says it holds a secret (secret,
password, hash, token, encrypted, credential) never appears unless a view names it on purpose
(the API key view shows a hash's first characters, formatted).

sqladmin's actions are GET requests; a GET must not change anything, so each action here only
shows what it would do, and its form POSTs (with the CSRF token) to a separate `do` address.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, ClassVar

from sqladmin import ModelView
from sqlalchemy import inspect as inspect_model
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from services.api.admin.guards import CSRF_FIELD, csrf_token

SECRET_LIKE = re.compile(r"secret|password|hash|token|encrypted|credential", re.IGNORECASE)
PAGE_SIZE = 50


def visible_columns(model: type, *, revealed: Sequence[str] = (), leave_out: Sequence[str] = ()) -> list[str]:
    """The model's columns an operator may see: all but those named like a secret (unless `revealed`);
    a list page may `leave_out` bulky ones its details page shows."""
    mapper: Any = inspect_model(model)
    names: list[str] = [attribute.key for attribute in mapper.column_attrs]
    return [name for name in names if (name in revealed or not SECRET_LIKE.search(name)) and name not in leave_out]


class ReadOnlyView(ModelView):
    """Browse and search; no create, edit, delete, export or import (history stays as it happened)."""

    can_create = False
    can_edit = False
    can_delete = False
    can_export = False  # a page of candidates at a time, never a file of them
    can_import = False
    page_size = PAGE_SIZE
    page_size_options: ClassVar[list[int]] = [25, 50, 100]
    column_default_sort: ClassVar[Any] = ("id", True)  # newest first

    def selected_ids(self, request: Request) -> list[int]:
        """The rows an action was asked for (`pks`, comma-separated), as ids; junk is ignored."""
        raw = request.query_params.get("pks", "") or ""
        return [int(part) for part in raw.split(",") if part.strip().isdigit()]

    async def confirm(
        self, request: Request, *, title: str, explain: str, rows: list[str], ids: list[int], do: str
    ) -> Response:
        """The page that asks before an action: what will happen to which rows, and a POST form."""
        context = {
            "model_view": self,
            "title": title,
            "explain": explain,
            "rows": rows,
            "ids": ",".join(map(str, ids)),
            "do_url": request.url_for(f"admin:view-{self.identity}-{do}"),
            "back_url": request.url_for("admin:list", identity=self.identity),
            "csrf_field": CSRF_FIELD,
            "csrf_token": csrf_token(request.session),
        }
        return await self.templates.TemplateResponse(request, "jobpub_admin/confirm.html", context)

    async def posted_ids(self, request: Request) -> list[int]:
        form = await request.form()
        raw = form.get("pks")
        return [int(part) for part in str(raw or "").split(",") if part.strip().isdigit()]

    def back_to_list(self, request: Request) -> RedirectResponse:
        return RedirectResponse(request.url_for("admin:list", identity=self.identity), status_code=303)
