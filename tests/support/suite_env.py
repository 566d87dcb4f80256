"""The settings every test process runs with (tests/conftest.py), also for the subprocesses a test starts
with an otherwise clean environment (CREDIT_* and PREFECT_* removed)."""

SUITE_ENVIRONMENT = {
    # rules/bureau.yaml ships example contacts, which publicize and advance refuse (issue 12 item 7); the
    # suite runs the lifecycle on the shipped rules and golden files, so it allows them. Refusal is tested
    # with the variable removed (tests/flows/test_bureau_refusal.py).
    "CREDIT_ALLOW_EXAMPLE_BUREAU": "1",
    # Printing a notice to PDF takes Chromium 1–2 s; every publicity of the suite would pay it for each
    # institution. The notice tests switch it back on and check the PDFs.
    "CREDIT_NOTICE_PDF": "0",
}
