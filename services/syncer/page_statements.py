"""The statements a pulled page adds to storing its applications (syncing.py), built once.

Core statements with bound parameters, not ORM updates rebuilt on every page: building and running
an ORM bulk UPDATE through the session cost this process more CPU than the whole page's INSERT.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table, bindparam, exists, update

from shared.models import NotificationEndpoint, SyncCursor, SyncRun

CURSORS = cast(Table, SyncCursor.__table__)
RUNS = cast(Table, SyncRun.__table__)
ENDPOINTS = cast(Table, NotificationEndpoint.__table__)
COUNTED = ("fetched", "new", "duplicates", "unmatched")

# The stored cursor moved past the page read ahead, only if it still stands where that page was read
# from (`read_from`); its rowcount says whether it did. Parameters: of_organization, of_platform,
# read_from, next_cursor, moved_at (named unlike any column: an UPDATE would set a column so named).
MOVING_THE_CURSOR = (
    update(CURSORS)
    .where(
        CURSORS.c.organization_id == bindparam("of_organization"),
        CURSORS.c.platform == bindparam("of_platform"),
        CURSORS.c.cursor.is_not_distinct_from(bindparam("read_from")),
    )
    .values(cursor=bindparam("next_cursor"), updated_at=bindparam("moved_at"))
)

# The page's counts added to its run, returning whether the organization has an endpoint to notify:
# most have none, and then the page asks nothing more. Parameters: of_run, notified_organization,
# counted_at and add_<name> for each of COUNTED.
COUNTING = (
    update(RUNS)
    .where(RUNS.c.id == bindparam("of_run"))
    .values(
        {name: RUNS.c[name] + bindparam(f"add_{name}") for name in COUNTED} | {"updated_at": bindparam("counted_at")}
    )
    .returning(
        exists().where(ENDPOINTS.c.organization_id == bindparam("notified_organization"), ENDPOINTS.c.enabled.is_(True))
    )
)
