"""What every test shares: the suite's settings (tests/support/suite_env.py), set before anything reads
them and inherited by the CLI subprocesses, Prefect servers and workers the tests start."""

import os

from tests.support.suite_env import SUITE_ENVIRONMENT

os.environ.update(SUITE_ENVIRONMENT)
