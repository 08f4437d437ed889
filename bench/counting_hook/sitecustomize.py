"""Loaded at start-up by every Python process the bench starts with bench.counting.counted_env
(this directory is first on its PYTHONPATH): counts its round trips into the bench's directory."""

import os

if os.environ.get("BENCH_COUNTS_DIR"):
    from pathlib import Path

    from bench import counting

    counting.install()
    counting.write_periodically(Path(os.environ["BENCH_COUNTS_DIR"]))
