"""The one check every fault scenario ends with: nothing lost, nothing doubled.

For every posting of the jobs asked for (one per job and platform, or one per part of a job in
more places than a platform takes): the platform's emulator holds exactly one posting for it
(counted per organization's client, by our external id), the posting is `published` in jobpub,
and the publishing log has exactly one `JobPublished` for it.
"""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from shared.models import Posting, PostingStatus, PublishingLog


def held_by_emulators(emulators) -> Counter:
    """(platform, client id, external id) -> how many postings the platform holds."""
    held = Counter()
    for platform in ("linkedin", "naukri"):
        emulator = getattr(emulators, platform)
        for posting in emulator.all_postings():
            held[(platform, posting["owner_client_id"], posting.get(emulator.external_id_field))] += 1
    return held


def published_once_each(rig, tenants, job_ids) -> list[str]:
    """What is wrong with these jobs' publishing, one line per problem (empty: all is well)."""
    client_of = {(t.id, platform): client for t in tenants for platform, (client, _) in t.clients.items()}
    with rig.sessions() as session:
        postings = session.scalars(select(Posting).where(Posting.job_id.in_(job_ids))).all()
        logged = Counter(
            payload["posting_id"]
            for payload in session.scalars(
                select(PublishingLog.payload).where(
                    PublishingLog.job_id.in_(job_ids), PublishingLog.event_type == "JobPublished"
                )
            )
        )
    held = held_by_emulators(rig.emulators)
    problems = []
    if {p.job_id for p in postings} != set(job_ids):
        problems.append(f"jobs without postings: {sorted(set(job_ids) - {p.job_id for p in postings})[:10]}")
    for posting in postings:
        where = f"job {posting.job_id} on {posting.platform} (part {posting.part})"
        count = held[(posting.platform, client_of[(posting.organization_id, posting.platform)], posting.external_id)]
        if count != 1:
            problems.append(f"{where}: the platform holds {count} postings")
        if posting.status != PostingStatus.PUBLISHED:
            problems.append(f"{where}: status {posting.status} ({posting.last_error})")
        published_rows = logged.get(posting.id, 0)
        if published_rows != 1:
            problems.append(f"{where}: {published_rows} JobPublished rows")
    return problems


def assert_published_exactly_once(rig, tenants, job_ids) -> None:
    problems = published_once_each(rig, tenants, job_ids)
    assert not problems, f"{len(problems)} problems, first ones:\n" + "\n".join(problems[:20])
