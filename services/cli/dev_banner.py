"""What `jobpub dev` prints once it runs: where everything is, and shell lines a user copies as
they are, on the first run and on every later one (no job id is written into them: the shell
keeps the new job's id in $JOB)."""

from __future__ import annotations

import typer

from services.api.schemas.common import BOTH_PLATFORMS
from services.emulators.registry import EMULATORS
from services.emulators.server import RunningServer
from shared.data_dir import DataDir

JOB_BODY = (
    '{"platforms": ["both"], "job": {"title": "Backend Engineer", "company": "Acme", '
    '"location": "Bengaluru, India", "apply_url": "https://acme.example/careers/1", '
    '"description": "Build and run the services that publish our jobs. You will own APIs, queues and '
    'data end to end, with a small team that ships every day.", '
    '"board_fields": {"naukri": {"experience_years": {"min": 2, "max": 5}, "ctc_lakhs": {"min": 12, "max": 18}, '
    '"industry": "software_product", "functional_area": "engineering_software", "role": "Back End Developer"}}}}'
)
JSON_HEADER = "-H 'Content-Type: application/json'"


def _emulator_lines(servers: dict[str, RunningServer]) -> str:
    """A line per running emulator, in the registry's order; a platform "both" leaves out is named."""
    lines = []
    for name, entry in EMULATORS.items():
        by_name = "" if name in BOTH_PLATFORMS else f'   (publish to it by name: "platforms": ["{name}"])'
        lines.append(f"  {entry.title + ' emulator':<18}{servers[name].url}{by_name}")
    return "\n".join(lines)


def print_welcome(
    base: str | None, api_key: str, home: DataDir, servers: dict[str, RunningServer], sync_seconds: float
) -> None:
    key = f"-H 'X-API-Key: {api_key}'"
    linkedin, naukri = servers["linkedin"].url, servers["naukri"].url  # the examples below use these two
    read = "python3 -c 'import json, sys; print(json.load(sys.stdin)[\"job_id\"])'"
    external_id = (
        f"curl -s {base}/jobs/publishing/$JOB/status/ {key} | python3 -c "
        "\"import json, sys; print(json.load(sys.stdin)['platforms']['$1']['external_id'])\""
    )
    faults = f"curl -s -X POST {naukri}/_emulator/faults {JSON_HEADER} -d"
    typer.echo(
        f"""
jobpub dev is running: the API, relay, publishers, scheduler and the platform emulators, in this process
  Data directory    {home.path}   (database, keys, the emulators' postings: a restart resumes from here)
  API               {base}   docs: {base}/docs
  Console           {base}/console/   (paste the API key there)
  API key           {api_key}   (kept in {home.api_key})
{_emulator_lines(servers)}
Every jobpub command finds this setup with nothing configured: jobpub log, jobpub failures list, jobpub --help.

Publish a job to both platforms (the shell keeps its id in $JOB):
  JOB=$(curl -s -X POST {base}/jobs/publishing/publish/ {key} {JSON_HEADER} -d '{JOB_BODY}' | {read}); echo "job $JOB"
Follow it: its status on both platforms, and its publishing log:
  curl -s {base}/jobs/publishing/$JOB/status/ {key}
  jobpub log $JOB
Let candidates apply on LinkedIn and on Naukri (each emulator knows the posting by its external_id):
  external_id() {{ {external_id}; }}
  curl -s -X POST {linkedin}/_emulator/applications {JSON_HEADER} -d '{{"external_id": "'$(external_id linkedin)'", "count": 2}}'
  curl -s -X POST {naukri}/_emulator/applications {JSON_HEADER} -d '{{"external_id": "'$(external_id naukri)'", "count": 3}}'
LinkedIn's arrive at once (by webhook), Naukri's within {sync_seconds:.0f} s; or pull them now, and list them:
  curl -s -X POST {base}/jobs/publishing/sync-applications/ {key}
  curl -s {base}/jobs/publishing/applications/ {key}
Make a platform fail, then publish again: two server errors (watch the retries with jobpub log $JOB),
a refused create (the posting fails: jobpub failures list), and back to normal. The same switches work on
LinkedIn's emulator; a wrong fault name answers with the valid ones.
  {faults} '{{"server_error": {{"times": 2}}}}'
  {faults} '{{"reject": {{"times": 1}}}}'
  curl -s -X DELETE {naukri}/_emulator/faults
"""
    )
