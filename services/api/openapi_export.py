"""Print the API's OpenAPI document as JSON, the same on every machine: sorted keys, no server
addresses, nothing read from the environment's settings. The TypeScript client
(clients/typescript/) is generated from it:

    python -m services.api.openapi_export > clients/typescript/openapi.json
"""

from __future__ import annotations

import json
import sys
from typing import Any

from services.api.app import create_app
from shared.config import Settings

# The app is only built, never served: nothing connects to this address.
_UNUSED_DATABASE = "postgresql://openapi-export@127.0.0.1:1/unused"


class _DefaultSettings(Settings):
    """The settings' defaults only: no JOBPUB_ variable of this shell changes the document."""

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, *sources, **named_sources):
        return (init_settings,)


def openapi_document() -> dict[str, Any]:
    return create_app(_DefaultSettings(database_url=_UNUSED_DATABASE)).openapi()


def openapi_json() -> str:
    return json.dumps(openapi_document(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(openapi_json())
