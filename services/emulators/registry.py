"""Every platform emulator, by platform name: the one list `jobpub dev`, `jobpub emulator` and
the tests' `emulators` fixture start from. Adding a platform's emulator is adding its module's
`EMULATOR` here; each entry (app.py: `EmulatorEntry`) also says which settings point jobpub at it,
so `jobpub dev` connects every platform to its emulator with nothing configured.

The job feed has no emulator: it is our own database, served by our own API.
"""

from __future__ import annotations

from services.emulators import indeed, linkedin, naukri
from services.emulators.app import EmulatorEntry

EMULATORS: dict[str, EmulatorEntry] = {
    entry.name: entry for entry in (linkedin.EMULATOR, naukri.EMULATOR, indeed.EMULATOR)
}
