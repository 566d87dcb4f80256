"""What every test shares.

rules/bureau.yaml ships with example contacts, which publicize and advance refuse (issue 12 item 7). The
suite runs them on the shipped rules, and its golden files hold those example contacts, so it says
once, here, that example contacts are expected: CREDIT_ALLOW_EXAMPLE_BUREAU=1, inherited by the CLI
subprocesses, Prefect servers and workers the tests start. The refusal itself is tested with the
variable removed (tests/flows/test_bureau_refusal.py).
"""

import os

os.environ["CREDIT_ALLOW_EXAMPLE_BUREAU"] = "1"
# Printing a notice to PDF takes Chromium 1–2 s; every publicity in the suite would pay it for each
# institution. The notice tests (tests/integration/test_notices.py, tests/flows/test_notice_delivery.py)
# switch it back on and check the PDFs.
os.environ["CREDIT_NOTICE_PDF"] = "0"
