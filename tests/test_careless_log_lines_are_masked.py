"""The safety net under the rule that no log line names a candidate (shared/logging.py): a line
written by mistake with personal fields, or an e-mail address in its text, is written masked."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.test_candidates_stay_out_of_logs import Candidate


def test_a_line_that_names_a_candidates_fields_by_mistake_is_written_masked(tmp_path):
    """In a process set up as every `jobpub` process is: a careless line keyed by personal fields
    (ours and the platforms'), and quoting an e-mail address in its text."""
    someone = Candidate.made_up()
    careless = f"""
import structlog
from shared.config import Settings
from shared.logging import configure_logging

configure_logging(Settings(log_json=True, log_level="DEBUG"))
structlog.get_logger("careless").debug(
    "application.stored",
    application_id=7,
    candidate_name={someone.name!r},
    email={someone.email!r},
    phone={someone.phone!r},
    payload={{"jobApplicationId": "urn:li:jobApplication:1", "lastName": {someone.last_name!r}, "phoneNumber": "x"}},
    error="no mailbox for {someone.email.upper()}",
)
"""
    run = subprocess.run([sys.executable, "-c", careless], capture_output=True, text=True, timeout=60, cwd=tmp_path)
    [line] = [json.loads(line) for line in run.stderr.splitlines()]
    assert line["event"] == "application.stored" and line["application_id"] == 7  # the line itself is kept
    assert someone.found_in(run.stderr) == []
    assert line["candidate_name"] == line["email"] == line["phone"] == "***"
    assert line["payload"] == {"jobApplicationId": "urn:li:jobApplication:1", "lastName": "***", "phoneNumber": "***"}
