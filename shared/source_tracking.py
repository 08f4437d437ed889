"""Where candidates came from: the parameters each board's apply URL carries.

By default every board's apply URL gets `utm_source=<platform>&utm_medium=job_board&
utm_campaign=<job id>`, so an application made on the employer's own site is credited to the
board that sent the candidate there. An organization may turn it off or set its own parameters
(`organizations.source_tracking`), each value a template of `{platform}`, `{job_id}` and
`{external_id}`.

The URL's own query stays as it is, in its order, and a parameter the URL already carries is
never added again (so tagging twice changes nothing, and a link that names its own campaign keeps it).
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

DEFAULT_PARAMETERS = {"utm_source": "{platform}", "utm_medium": "job_board", "utm_campaign": "{job_id}"}
PLACEHOLDERS = ("platform", "job_id", "external_id")
PARAMETER_NAME = re.compile(r"[A-Za-z0-9_.\-]{1,64}")  # what a parameter's name may be (no escaping needed)


def parameters_of(setting: Mapping[str, Any] | None) -> dict[str, str]:
    """The parameter templates an organization's setting asks for ({} when tracking is off)."""
    if setting is None:
        return dict(DEFAULT_PARAMETERS)
    if not setting.get("enabled", True):
        return {}
    return dict(setting.get("parameters") or DEFAULT_PARAMETERS)


def unknown_placeholders(template: str) -> list[str]:
    """The `{names}` of a template that are not ours (and ValueError for a template that is no template)."""
    names = [field for _, field, _, _ in string.Formatter().parse(template) if field is not None]
    return [name for name in names if name not in PLACEHOLDERS]


def tagged_url(url: str, templates: Mapping[str, str], *, platform: str, job_id: int, external_id: str) -> str:
    """`url` with the parameters it does not carry yet, each template filled in."""
    if not templates:
        return url
    parts = urlsplit(url)
    present = {key for key, _ in parse_qsl(parts.query, keep_blank_values=True)}
    values = {"platform": platform, "job_id": str(job_id), "external_id": external_id}
    added = [(key, template.format(**values)) for key, template in templates.items() if key not in present]
    if not added:
        return url
    query = "&".join(part for part in (parts.query, urlencode(added)) if part)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, query, parts.fragment))
