"""Web components any frontend can use, served as plain JavaScript modules under /components/.

`<jobpub-publish-actions>` (static/jobpub-publish-actions.js) is a job's publish buttons; the
console uses the same file. No build step and no CDN: a page imports the module from the API that
serves it. The files hold no secret, so any origin may load them (a module script from another
origin needs CORS); `no-cache` with the ETag StaticFiles sends makes a reload cheap (304) and
never mixes an old module with a new one after an upgrade. docs/components.md says how to use it.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI

from services.api.console import SECURITY_HEADERS, FilesWithHeaders

COMPONENTS_PATH = "/components"
STATIC_DIRECTORY = Path(__file__).parent / "static"

COMPONENT_HEADERS = {
    **SECURITY_HEADERS,  # the example page is held to the console's policy: own scripts, this API only
    "access-control-allow-origin": "*",
    "cross-origin-resource-policy": "cross-origin",
}


def mount_components(app: FastAPI) -> None:
    """Serve the components at /components/, outside the OpenAPI schema."""
    app.mount(
        COMPONENTS_PATH, FilesWithHeaders(directory=STATIC_DIRECTORY, headers=COMPONENT_HEADERS), name="components"
    )
