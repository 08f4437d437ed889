"""Reading a pull's pages one ahead: while a page is being stored, the next is already on its way.

A page read ahead is only a guess at what comes next. The pull still takes the cursor it stores
from the database, under its lock (syncing.py), and uses the page read ahead only when it was
read from that very cursor; otherwise (another pull of the same organization moved the cursor
meanwhile) the guess is dropped and the page is read again. So reading ahead changes when a page
is read, never which page is stored or where the cursor stands after it.

A read that fails ahead of time fails the pull when its page is wanted, as the same read made
then would have (also in the rare case that another pull had moved the cursor meanwhile and the
page would have been dropped); a page dropped costs one request of the platform's quota.
"""

from __future__ import annotations

import contextvars
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

from shared.platforms.base import ApplicationPage, Platform, PlatformCredentials


@dataclass(frozen=True)
class PageAhead:
    read_from: str | None  # the cursor the page was read from
    page: ApplicationPage


class PageReader:
    def __init__(
        self, platform: Platform, credentials: PlatformCredentials, page_size: int, job_external_id: str | None
    ) -> None:
        self._platform = platform
        self._credentials = credentials
        self._page_size = page_size
        self._job_external_id = job_external_id
        # One thread: one read ahead at a time, in page order, as the platform's cursor expects.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-read-ahead")
        self._ahead: tuple[str | None, Future[ApplicationPage]] | None = None

    def read(self, cursor: str | None) -> ApplicationPage:
        """The page at `cursor`: the one read ahead when it was read from this cursor, else read now."""
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == cursor:
            return ahead[1].result()
        if ahead is not None:
            ahead[1].cancel()  # a guess from a cursor that is no longer the stored one
        return self._fetch(cursor)

    def take_ahead(self) -> PageAhead | None:
        """The page read ahead (waiting for it; its read's error is raised here), or None if none was."""
        ahead, self._ahead = self._ahead, None
        if ahead is None:
            return None
        return PageAhead(ahead[0], ahead[1].result())

    def read_ahead(self, cursor: str | None) -> None:
        """Start reading the page at `cursor` (the one `read` will most likely be asked for next)."""
        # The read runs with this pull's log context (sync id, organization), like every other line of it.
        context = contextvars.copy_context()
        self._ahead = (cursor, self._executor.submit(context.run, self._fetch, cursor))

    def close(self) -> None:
        """Drop any guess not yet started and wait for one under way: nothing of the pull outlives it."""
        self._executor.shutdown(wait=True, cancel_futures=True)

    def _fetch(self, cursor: str | None) -> ApplicationPage:
        return self._platform.fetch_applications(
            self._credentials, cursor, page_size=self._page_size, job_external_id=self._job_external_id
        )
