"""Candidates applying, as both emulators share it: the applications an emulator holds (in the
order they were made, each with a per-emulator sequence number), made-up candidates, opaque
cursors, one page of a client's applications, the resume files, and the `/_emulator/applications`
control API.

Each platform subclass only says what an application looks like on its wire
(`_application_wire`) and what else happens once one is made (`_after_apply`: LinkedIn pushes
it to a webhook). An application is rendered once, when made, so every pull and every push of it
carries the same bytes.
"""

from __future__ import annotations

import base64
import binascii
import copy
import dataclasses
import re
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from services.emulators import base, control
from services.emulators.http_edge import ErrorAnswer

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 100
DEFAULT_PUBLIC_URL = "http://127.0.0.1"  # until a server says where it listens (server.py)
FIRST_NAMES = ("Asha", "Rahul", "Priya", "Vikram", "Neha", "Arjun", "Kavya", "Rohan", "Meera", "Sanjay")
LAST_NAMES = ("Rao", "Sharma", "Iyer", "Patel", "Menon", "Gupta", "Nair", "Reddy", "Das", "Khan")
# What `candidate=` may set, under our names or LinkedIn's ("name" is split at its first space).
# `answers`: {question id: answer} to the posting's screening questions (others get made-up ones).
CANDIDATE_FIELDS = ("first_name", "last_name", "email", "phone", "cover_letter", "answers")
CANDIDATE_ALIASES = {
    "firstName": "first_name",
    "lastName": "last_name",
    "phoneNumber": "phone",
    "coverLetter": "cover_letter",
}
CURSOR_TEXT = re.compile(r"after:(\d+)")
RESUME_NAME = re.compile(r"(\d+)\.pdf")
# The smallest file a PDF reader opens without complaint: one empty page.
FAKE_RESUME = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


class UnknownPosting(ValueError):
    """`apply` was given an external id the emulator holds no posting under."""


@dataclass(frozen=True)
class Candidate:
    first_name: str
    last_name: str
    email: str
    phone: str
    cover_letter: str | None  # None: the platform writes one about the posting
    answers: dict[str, Any] | None = None  # to the posting's screening questions, by question id


@dataclass(frozen=True)
class Application:
    """One application as the emulator keeps it: whose it is, and its wire form."""

    number: int  # the per-emulator sequence number
    owner_client_id: str
    external_id: str  # the posting's external id
    wire: dict


@dataclass(frozen=True)
class Page:
    elements: list[dict]
    next_cursor: str | None  # None: this page reached the end
    resume_cursor: str | None  # after this page's last element, even at the end (None: nothing seen yet)


def make_candidate(number: int, given: dict | None) -> Candidate:
    """The candidate of application `number`: `given` fields over made-up ones. ValueError for an unknown field."""
    fields = _candidate_fields(given or {})
    index = number - 1  # application 1 is the first name with the first surname
    first = fields.get("first_name", FIRST_NAMES[index % len(FIRST_NAMES)])
    last = fields.get("last_name", LAST_NAMES[(index // len(FIRST_NAMES)) % len(LAST_NAMES)])
    return Candidate(
        first_name=first,
        last_name=last,
        email=fields.get("email", f"{first}.{last}.{number}@candidates.example".lower()),
        phone=fields.get("phone", f"+91 98{number * 7919 % 10**8:08d}"),  # spread, yet the same every run
        cover_letter=fields.get("cover_letter"),
        answers=_answers(fields.get("answers")),
    )


def _answers(given: object) -> dict[str, Any] | None:
    if given is not None and not isinstance(given, dict):
        raise ValueError("candidate.answers must be an object: {question id: answer}")
    return given


def _candidate_fields(given: dict) -> dict:
    if not isinstance(given, dict):
        raise ValueError("candidate must be an object")
    fields: dict[str, Any] = {}
    for key, value in given.items():
        if key == "name":
            first, _, last = str(value).partition(" ")
            fields.update(first_name=first, last_name=last)
            continue
        name = CANDIDATE_ALIASES.get(key, key)
        if name not in CANDIDATE_FIELDS:
            raise ValueError(f"unknown candidate field {key!r}; use {', '.join(CANDIDATE_FIELDS)} or name")
        fields[name] = value
    return fields


def encode_cursor(number: int) -> str:
    return base64.urlsafe_b64encode(f"after:{number}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """The sequence number a cursor stands after. ValueError for one we did not make."""
    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    match = CURSOR_TEXT.fullmatch(text)
    if match is None:
        raise ValueError("malformed cursor: pass back a cursor this API gave you")
    return int(match.group(1))


def page_query(request: Request, size_param: str, filter_param: str) -> tuple[int, int, str | None]:
    """(after, size, external id filter) from a pull's query string. ValueError for a bad one."""
    query = request.query_params
    cursor = query.get("cursor")
    after = decode_cursor(cursor) if cursor else 0
    size_text = query.get(size_param, str(DEFAULT_PAGE_SIZE))
    if not size_text.isdigit() or not 1 <= int(size_text) <= MAX_PAGE_SIZE:
        raise ValueError(f"{size_param} must be a whole number from 1 to {MAX_PAGE_SIZE}")
    return after, int(size_text), query.get(filter_param) or None


class EmulatorWithApplications(base.EmulatorState):
    """An emulator that candidates apply to. Subclasses render the wire form of an application."""

    def __init__(self) -> None:
        super().__init__()
        self.public_url = DEFAULT_PUBLIC_URL  # where resume links point; set by server.py
        self._applications: list[Application] = []

    def apply(
        self, external_id: str, *, count: int = 1, candidate: dict | None = None, client_id: str | None = None
    ) -> list[dict]:
        """Make `count` applications to the newest posting under `external_id` (of `client_id`
        only, when given). Returns them in wire form. Raises UnknownPosting, or ValueError for a
        bad count or candidate field."""
        if not isinstance(count, int) or isinstance(count, bool) or count < 1:
            raise ValueError("count must be a whole number of at least 1")
        with self._lock:
            posting = self._posting_to_apply_to(external_id, client_id)
            made = [self._record(posting, candidate) for _ in range(count)]
        self._after_apply(posting, made)  # outside the lock: it may be slow
        return [copy.deepcopy(application.wire) for application in made]

    def _posting_to_apply_to(self, external_id: str, client_id: str | None) -> dict:
        # The newest: tests sharing one emulator reuse external ids across clients.
        for posting in reversed(self._postings):
            if posting.get(self.external_id_field) == external_id and client_id in (None, posting["owner_client_id"]):
                return copy.deepcopy(posting)
        raise UnknownPosting(f"no posting with external id {external_id!r}")

    def _record(self, posting: dict, given: dict | None) -> Application:
        number = len(self._applications) + 1
        wire = self._application_wire(posting, number, make_candidate(number, given))
        application = Application(number, posting["owner_client_id"], posting[self.external_id_field], wire)
        self._applications.append(application)
        return application

    def _application_wire(self, posting: dict, number: int, candidate: Candidate) -> dict:
        raise NotImplementedError

    def _after_apply(self, posting: dict, made: list[Application]) -> None:
        """What happens once applications are made; nothing, unless the platform pushes them."""

    def resume_url(self, number: int) -> str:
        return f"{self.public_url}/media/resumes/{number}.pdf"

    def application_count(self) -> int:
        with self._lock:
            return len(self._applications)

    def all_applications(self) -> list[dict]:
        with self._lock:
            return [copy.deepcopy(application.wire) for application in self._applications]

    def has_application(self, number: int) -> bool:
        with self._lock:
            return 1 <= number <= len(self._applications)

    def applications_page(self, client_id: str, *, after: int, size: int, external_id: str | None = None) -> Page:
        """The client's applications after sequence number `after`, oldest first, at most `size`."""
        with self._lock:
            # Numbers are 1, 2, 3…, so the ones after `after` start at index `after`.
            later = [
                a
                for a in self._applications[after:]
                if a.owner_client_id == client_id and external_id in (None, a.external_id)
            ]
            taken = later[:size]
            elements = [copy.deepcopy(a.wire) for a in taken]
        position = taken[-1].number if taken else after
        return Page(
            elements,
            next_cursor=encode_cursor(position) if len(later) > size else None,
            resume_cursor=encode_cursor(position) if position else None,
        )

    def snapshot(self) -> dict:
        with self._lock:
            return {**super().snapshot(), "applications": [dataclasses.asdict(a) for a in self._applications]}

    def restore(self, saved: dict) -> None:
        super().restore(saved)
        with self._lock:
            self._applications = [Application(**application) for application in saved["applications"]]

    def stats(self) -> dict:
        return {**super().stats(), "applications": self.application_count()}


def control_router() -> APIRouter:
    """`/_emulator/applications`: make candidates apply, and see every application made."""
    router = APIRouter(prefix="/_emulator", include_in_schema=False)

    @router.post("/applications", status_code=201)
    async def apply(request: Request) -> dict:
        body = await control.read_json_object(request)
        external_id = body.get("external_id")
        if not isinstance(external_id, str) or not external_id:
            raise ErrorAnswer(400, {"error": "bad_request", "message": "external_id is a required string"})
        try:
            made = request.app.state.emulator.apply(
                external_id,
                count=body.get("count", 1),
                candidate=body.get("candidate"),
                client_id=body.get("client_id"),
            )
        except UnknownPosting as error:
            raise ErrorAnswer(404, {"error": str(error)}) from error
        except ValueError as error:
            raise ErrorAnswer(400, {"error": "bad_request", "message": str(error)}) from error
        return {"applications": made}

    @router.get("/applications")
    async def applications(request: Request) -> dict:
        made = request.app.state.emulator.all_applications()
        return {"count": len(made), "applications": made}

    return router


def media_router() -> APIRouter:
    """The resume files that applications link to: public, like the platforms' media links."""
    router = APIRouter(include_in_schema=False)

    @router.get("/media/resumes/{name}", response_model=None)
    async def resume(name: str, request: Request) -> Response:
        match = RESUME_NAME.fullmatch(name)
        if match is None or not request.app.state.emulator.has_application(int(match.group(1))):
            return Response(b"not found", status_code=404, media_type="text/plain")
        return Response(FAKE_RESUME, media_type="application/pdf")

    return router
