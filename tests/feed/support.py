"""What the feed tests share: reading the feed strictly, and the JSON-LD shape Google documents."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree, html

SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).with_name("indeed_feed.xsd"))))
NEW_ADDRESS = "/jobs/publishing/platforms/feed/new-address/"
# A leaf element written any other way than <tag><![CDATA[…]]></tag> (or empty CDATA).
CDATA = re.compile(r"<!\[CDATA\[.*?\]\]>", re.DOTALL)


def path_of(url: str) -> str:
    return urlsplit(url).path


def feed_jobs(client, feed_url: str, **headers) -> dict[str, dict[str, str]]:
    """The feed's jobs by reference, after checking it against Indeed's documented elements."""
    answer = client.get(path_of(feed_url), headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("application/xml")
    body = answer.content
    outside_cdata = CDATA.sub("", body.decode())
    assert "&" not in outside_cdata  # no entity anywhere: every "&" sits raw inside a CDATA section
    stray = [text for text in re.findall(r">([^<]*)<", outside_cdata) if text.strip()]
    assert not stray, stray  # every value in CDATA: no text between tags outside a CDATA section
    document = etree.fromstring(body, etree.XMLParser(resolve_entities=False, no_network=True))
    SCHEMA.assertValid(document)
    return {
        job.findtext("referencenumber"): {child.tag: child.text or "" for child in job} for job in document.iter("job")
    }


def job_posting(client, page_url: str) -> dict:
    answer = client.get(path_of(page_url))
    assert answer.status_code == 200, answer.text
    [script] = html.fromstring(answer.text).xpath('//script[@type="application/ld+json"]')
    return json.loads(script.text)


def assert_google_job_posting(data: dict, *, remote: bool = False) -> None:
    """Google for Jobs' required and recommended JobPosting fields, present and of their types."""
    assert data["@context"].startswith("https://schema.org") and data["@type"] == "JobPosting"
    for field in ("title", "description", "datePosted", "validThrough", "employmentType"):
        assert isinstance(data[field], str) and data[field], field
    assert data["employmentType"] in {"FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER"}
    assert data["hiringOrganization"]["@type"] == "Organization" and data["hiringOrganization"]["name"]
    assert data["identifier"]["@type"] == "PropertyValue" and data["identifier"]["value"]
    assert isinstance(data["directApply"], bool)
    if remote:
        assert data["jobLocationType"] == "TELECOMMUTE"
        assert data["applicantLocationRequirements"]["@type"] == "Country"
    else:
        address = data["jobLocation"]["address"]
        assert data["jobLocation"]["@type"] == "Place" and address["@type"] == "PostalAddress"
        assert address["addressLocality"] and address["addressCountry"]
    salary = data["baseSalary"]
    assert salary["@type"] == "MonetaryAmount" and re.fullmatch(r"[A-Z]{3}", salary["currency"])
    value = salary["value"]
    assert value["@type"] == "QuantitativeValue" and value["unitText"] in {"HOUR", "DAY", "WEEK", "MONTH", "YEAR"}
    assert isinstance(value["minValue"], int | float) and isinstance(value["maxValue"], int | float)
