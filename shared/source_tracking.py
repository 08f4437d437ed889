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
# A template: text, `{{` and `}}` for braces, and our placeholders as they are (no format spec or
# conversion, which `str.format` would apply to our values and could fail on at publish time).
# No NUL, as nothing the API takes holds one. In the OpenAPI document as the template's pattern.
TEMPLATE_PATTERN = "^(?:[^{}\\x00]|\\{\\{|\\}\\}|\\{(?:" + "|".join(PLACEHOLDERS) + ")\\})*$"
_TEMPLATE = re.compile(TEMPLATE_PATTERN)


def parameters_of(setting: Mapping[str, Any] | None) -> dict[str, str]:
    """The parameter templates an organization's setting asks for ({} when tracking is off)."""
    if setting is None:
        return dict(DEFAULT_PARAMETERS)
    if not setting.get("enabled", True):
        return {}
    return dict(setting.get("parameters") or DEFAULT_PARAMETERS)


def template_problem(template: str) -> str | None:
    """What is wrong with a template, in words ("plattform", "(a lone { or })"); None if nothing is."""
    if _TEMPLATE.match(template):
        return None
    try:
        fields = [(field, spec, conversion) for _, field, spec, conversion in string.Formatter().parse(template)]
    except ValueError:
        return "(a lone { or })"
    unknown = [field for field, _, _ in fields if field is not None and field not in PLACEHOLDERS]
    if unknown:
        return ", ".join(unknown)
    return "a format spec or conversion (:… or !…)"


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
