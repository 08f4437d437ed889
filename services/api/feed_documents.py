"""What a job seeker's crawler reads: a live job as an Indeed XML `<job>` and as a job page with
schema.org `JobPosting` data (JSON-LD, the shape Google for Jobs documents).

Only what a seeker should see goes out: the job's own fields and our reference for it (the
posting's external id), never a database id or anything of the organization's account.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lxml import etree

# XML 1.0 refuses these characters outright, CDATA or not; they carry nothing a reader needs.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
INDEED_JOB_TYPES = {
    "full_time": "fulltime",
    "part_time": "parttime",
    "contract": "contract",
    "internship": "internship",
    "temporary": "temporary",
    "volunteer": "volunteer",
}
SCHEMA_EMPLOYMENT_TYPES = {
    "full_time": "FULL_TIME",
    "part_time": "PART_TIME",
    "contract": "CONTRACTOR",
    "internship": "INTERN",
    "temporary": "TEMPORARY",
    "volunteer": "VOLUNTEER",
}
SALARY_UNITS = {"yearly": ("YEAR", "per year"), "monthly": ("MONTH", "per month"), "hourly": ("HOUR", "per hour")}


@dataclass(frozen=True)
class FeedJob:
    reference: str  # the posting's external id: unique, and never changes while the posting lives
    title: str
    description: str
    location: str
    employment_type: str
    workplace_type: str
    apply_url: str
    company: str
    salary: dict[str, Any] | None
    expires_at: datetime | None
    published_at: datetime
    page_url: str  # the job's page, as its JSON-LD names it
    listed_url: str  # the same page as the XML feed lists it: with the source parameters (shared/source_tracking.py)

    @property
    def place(self) -> tuple[str, str, str]:
        """City, state and country from our one free-text location ("City, State, Country")."""
        parts = [part.strip() for part in self.location.split(",") if part.strip()] or [""]
        city, country = parts[0], parts[-1] if len(parts) > 1 else ""
        return city, ", ".join(parts[1:-1]), country


def _cdata(text: str) -> etree.CDATA:
    # "]]>" would end the section early; lxml refuses it rather than split it, so break it visibly.
    return etree.CDATA(_NOT_XML.sub("", text).replace("]]>", "]] >"))


def _salary_text(salary: dict[str, Any]) -> str:
    unit = SALARY_UNITS.get(salary.get("period", "yearly"), ("YEAR", "per year"))[1]
    return f"{salary['currency']} {_amount(salary['minimum'])} - {_amount(salary['maximum'])} {unit}"


def _amount(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.2f}"  # never "2.4e+06"


def feed_head(company: str, base_url: str) -> str:
    source = etree.Element("source")
    etree.SubElement(source, "publisher").text = _cdata(company)
    etree.SubElement(source, "publisherurl").text = _cdata(base_url)
    opening = etree.tostring(source, encoding="unicode").removesuffix("</source>")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + opening + "\n"


FEED_TAIL = "</source>\n"


def indeed_job(job: FeedJob) -> str:
    """One `<job>` of Indeed's XML feed, every value in CDATA."""
    city, state, country = job.place
    values = [
        ("title", job.title),
        ("date", job.published_at.isoformat()),
        ("referencenumber", job.reference),
        ("requisitionid", job.reference),
        ("url", job.listed_url),
        ("company", job.company),
        ("sourcename", job.company),
        ("city", city),
        ("state", state),
        ("country", country),
        ("postalcode", ""),
        ("description", job.description),
        ("salary", _salary_text(job.salary) if job.salary else ""),
        ("jobtype", INDEED_JOB_TYPES.get(job.employment_type, "")),
        ("expirationdate", job.expires_at.isoformat() if job.expires_at else ""),
        ("remotetype", "Fully remote" if job.workplace_type == "remote" else ""),
    ]
    element = etree.Element("job")
    for tag, value in values:
        etree.SubElement(element, tag).text = _cdata(value)
    return etree.tostring(element, encoding="unicode") + "\n"


def indeed_feed(jobs: Iterable[FeedJob], company: str, base_url: str) -> Iterator[str]:
    """The whole feed, a job at a time: memory stays bounded however many jobs there are."""
    yield feed_head(company, base_url)
    for job in jobs:
        yield indeed_job(job)
    yield FEED_TAIL


def _description_html(text: str) -> str:
    paragraphs = [html.escape(part).replace("\n", "<br>") for part in re.split(r"\n\s*\n", text.strip())]
    return "".join(f"<p>{paragraph}</p>" for paragraph in paragraphs)


def job_posting_data(job: FeedJob) -> dict[str, Any]:
    """schema.org `JobPosting`, with the fields Google documents as required and recommended."""
    city, state, country = job.place
    data: dict[str, Any] = {
        "@context": "https://schema.org/",
        "@type": "JobPosting",
        "title": job.title,
        "description": _description_html(job.description),
        "datePosted": job.published_at.isoformat(),
        "hiringOrganization": {"@type": "Organization", "name": job.company},
        "identifier": {"@type": "PropertyValue", "name": job.company, "value": job.reference},
        "directApply": False,  # the application is made on the employer's own apply page
        "url": job.page_url,
    }
    if job.employment_type in SCHEMA_EMPLOYMENT_TYPES:
        data["employmentType"] = SCHEMA_EMPLOYMENT_TYPES[job.employment_type]
    if job.expires_at:
        data["validThrough"] = job.expires_at.isoformat()
    if job.workplace_type == "remote":
        data["jobLocationType"] = "TELECOMMUTE"
        data["applicantLocationRequirements"] = {"@type": "Country", "name": country or city}
    else:
        address = {"@type": "PostalAddress", "addressLocality": city, "addressCountry": country}
        if state:
            address["addressRegion"] = state
        data["jobLocation"] = {"@type": "Place", "address": address}
    if job.salary:
        unit = SALARY_UNITS.get(job.salary.get("period", "yearly"), ("YEAR", ""))[0]
        value = {"@type": "QuantitativeValue", "minValue": job.salary["minimum"], "maxValue": job.salary["maximum"]}
        data["baseSalary"] = {
            "@type": "MonetaryAmount",
            "currency": job.salary["currency"],
            "value": value | {"unitText": unit},
        }
    return data


def job_page(job: FeedJob) -> str:
    # "<" escaped inside the JSON so no value can close the <script> element early.
    structured = json.dumps(job_posting_data(job), ensure_ascii=False).replace("<", "\\u003c")
    text = html.escape
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{text(job.title)} at {text(job.company)}</title>"
        f'<script type="application/ld+json">{structured}</script></head>'
        f"<body><main><h1>{text(job.title)}</h1><p>{text(job.company)} · {text(job.location)}</p>"
        f"{_description_html(job.description)}"
        f'<p><a href="{text(job.apply_url, quote=True)}" rel="nofollow">Apply</a></p></main></body></html>\n'
    )
