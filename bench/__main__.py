"""`python -m bench`: every benchmark, one table (bench/suite.py)."""

from bench.suite import main

main()
