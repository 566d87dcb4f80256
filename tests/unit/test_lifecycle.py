"""Deadlines of the procedure after scoring, counted in statutory working days (R-15–R-17)."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from credit.calendar import WorkCalendar
from credit.indexsystem import RULES_DIR
from credit.lifecycle import (
    LATE,
    NO_EVIDENCE,
    ListDates,
    ObjectionView,
    Procedure,
    ResultDates,
    Suspension,
    Window,
    admissibility,
    determination_date,
    final_list_dates,
    next_state,
    package_dates,
    publicity_window,
    publish_by,
    review_deadline,
)

CALENDAR = WorkCalendar.load()
PROCEDURE = Procedure.from_rules(yaml.safe_load((RULES_DIR / "procedure.yaml").read_text(encoding="utf-8")))


def test_R15_a_window_published_before_spring_festival_ends_on_the_make_up_saturday():
    # 2026-02-02 + 15: Feb 3–6, 9–13, Sat 14 (调休上班) = 10; Feb 15–23 off; Feb 24–27 = 14; Sat 28 (调休) = 15.
    assert publicity_window(CALENDAR, date(2026, 2, 2), PROCEDURE) == Window(date(2026, 2, 2), date(2026, 2, 28))


def test_R15_the_publication_day_itself_is_never_counted():
    # 2025-09-26 (Fri) + 7 = 2025-10-13 (SPEC "Deadlines, counted").
    assert CALENDAR.add_working_days(date(2025, 9, 26), 7) == date(2025, 10, 13)


@pytest.mark.parametrize(
    ("received", "evidence", "expected"),
    [
        (date(2026, 2, 28), True, (True, None)),  # on the last day: in time
        (date(2026, 3, 1), True, (False, LATE)),
        (date(2026, 2, 10), False, (False, NO_EVIDENCE)),
        (date(2026, 3, 2), False, (False, LATE)),  # late is named first
    ],
)
def test_R16_late_or_without_evidence_is_deemed_no_objection(received, evidence, expected):
    window = Window(date(2026, 2, 2), date(2026, 2, 28))
    assert admissibility(received, evidence, window) == expected


def test_R16_review_deadline_is_15_working_days_from_receipt():
    # 2026-02-10 + 15: Feb 11–13, Sat 14 = 4; Feb 24–27, Sat 28 = 9; Mar 2–6 = 14; Mar 9 = 15.
    assert review_deadline(CALENDAR, date(2026, 2, 10), [], PROCEDURE) == date(2026, 3, 9)


def test_R16_on_site_verification_days_do_not_count():
    # SPEC: 2025-09-30 + 15 with 2025-10-13..2025-10-15 excluded → 2025-10-31.
    spans = [Suspension(date(2025, 10, 13), date(2025, 10, 15))]
    assert review_deadline(CALENDAR, date(2025, 9, 30), spans, PROCEDURE) == date(2025, 10, 31)


def test_R16_an_open_suspension_stops_the_clock():
    spans = [Suspension(date(2026, 2, 12), None)]
    assert review_deadline(CALENDAR, date(2026, 2, 10), spans, PROCEDURE) is None


def test_determination_is_the_later_of_the_day_after_the_window_and_the_last_decision():
    window = Window(date(2026, 2, 2), date(2026, 2, 28))
    assert determination_date(window, []) == date(2026, 3, 1)
    assert determination_date(window, [date(2026, 2, 20)]) == date(2026, 3, 1)
    assert determination_date(window, [date(2026, 3, 5), date(2026, 3, 3)]) == date(2026, 3, 5)


def test_R17_publication_within_7_working_days_after_determination():
    # Determined Sunday 2026-03-01: Mar 2–6 = 5, Mar 9 = 6, Mar 10 = 7.
    assert publish_by(CALENDAR, date(2026, 3, 1), PROCEDURE) == date(2026, 3, 10)


# ---- next_state: every transition at its boundary (第十九、二十条; CLI.md "Determination") ---------------

LAST_DAY = date(2026, 2, 28)  # the window of 2026-02-02 (R-15 above)
ID = "91140100134455246H"


def in_window(state: str = "in_publicity", version: int = 1) -> ResultDates:
    return ResultDates(ID, version, state, publicity_on=date(2026, 2, 2), publicity_last_day=LAST_DAY)


def objection(decided_on: date | None = None, *, admissible: bool = True, version: int = 1,
              institution_id: str = ID) -> ObjectionView:
    decision = None if decided_on is None else "rejected"
    return ObjectionView(institution_id, version, admissible, decision, decided_on)


def move(result: ResultDates, objections=(), as_of: date = date(2026, 3, 2)):
    return next_state(result, list(objections), as_of, CALENDAR, PROCEDURE)


def test_R15_on_the_window_s_last_day_a_result_stays_in_publicity():
    assert move(in_window(), as_of=LAST_DAY) is None


def test_R17_the_day_after_the_window_a_result_is_determined_with_its_publish_by_date():
    # determined Sunday 2026-03-01, the day after the window; publish by Mar 2–6, 9, 10
    assert move(in_window(), as_of=date(2026, 3, 1)) == {
        "state": "determined", "determined_on": date(2026, 3, 1), "publish_by": date(2026, 3, 10)}


def test_a_later_run_still_dates_the_determination_the_day_after_the_window():
    assert move(in_window(), as_of=date(2026, 3, 9))["determined_on"] == date(2026, 3, 1)


def test_R16_an_open_admissible_objection_puts_the_result_under_review_even_after_the_window():
    assert move(in_window(), [objection()], as_of=date(2026, 2, 10)) == {"state": "under_review"}
    assert move(in_window(), [objection()], as_of=date(2026, 3, 9)) == {"state": "under_review"}
    assert move(in_window("under_review"), [objection()]) is None


def test_R16_an_objection_decided_within_the_window_returns_the_result_to_publicity():
    decided = [objection(date(2026, 2, 20))]
    assert move(in_window("under_review"), decided, as_of=date(2026, 2, 25)) == {"state": "in_publicity"}
    assert move(in_window("under_review"), decided, as_of=LAST_DAY) == {"state": "in_publicity"}
    assert move(in_window("under_review"), decided, as_of=date(2026, 3, 1))["determined_on"] == date(2026, 3, 1)


def test_R16_a_decision_later_than_the_window_dates_the_determination_and_nothing_moves_before_it():
    decided = [objection(date(2026, 3, 5))]
    assert move(in_window("under_review"), decided, as_of=date(2026, 3, 4)) is None
    # determined 2026-03-05 (Thu): publish by Mar 6, 9–13, 16
    assert move(in_window("under_review"), decided, as_of=date(2026, 3, 5)) == {
        "state": "determined", "determined_on": date(2026, 3, 5), "publish_by": date(2026, 3, 16)}


def test_the_last_of_several_decisions_dates_the_determination():
    decided = [objection(date(2026, 3, 5)), objection(date(2026, 3, 3))]
    assert move(in_window("under_review"), decided, as_of=date(2026, 3, 9))["determined_on"] == date(2026, 3, 5)


def test_R16_objections_deemed_none_of_an_older_version_or_of_another_institution_do_not_hold_a_result():
    ignored = [objection(admissible=False), objection(version=1), objection(institution_id="121405241225528314")]
    assert move(in_window(version=2), ignored)["state"] == "determined"


def test_only_results_in_publicity_or_under_review_move():
    for state in ("scored", "determined", "published", "shared", "revoked"):
        assert move(in_window(state)) is None


def test_a_result_in_publicity_without_a_window_is_refused():
    with pytest.raises(ValueError, match="without a publicity window"):
        move(ResultDates(ID, 1, "in_publicity"))


# ---- the dates a final list and a share package state (第二十条) --------------------------------------


def shared(determined: date, published: date | None) -> ResultDates:
    return ResultDates(ID, 1, "shared", determined_on=determined, published_on=published)


def test_the_final_list_is_dated_by_the_latest_publication_and_determination():
    results = [shared(date(2026, 3, 1), date(2026, 3, 2)), shared(date(2026, 4, 10), date(2026, 4, 10)),
               ResultDates(ID, 2, "in_publicity")]
    assert final_list_dates(results, [date(2026, 4, 1)]) == ListDates(date(2026, 4, 10), date(2026, 4, 10))


def test_a_final_list_of_revocations_only_is_dated_by_the_latest_revocation():
    results = [ResultDates(ID, 2, "in_publicity")]
    dates = final_list_dates(results, [date(2026, 4, 1), date(2026, 4, 3)])
    assert dates == ListDates(date(2026, 4, 3), date(2026, 4, 3))


def test_a_share_package_is_dated_by_the_latest_determination_and_publication_or_its_own_day():
    as_of = date(2026, 3, 2)
    assert package_dates([shared(date(2026, 3, 1), None)], as_of) == ListDates(date(2026, 3, 1), as_of)
    assert package_dates([shared(date(2026, 3, 1), date(2026, 3, 2))], date(2026, 4, 3)) == ListDates(
        date(2026, 3, 1), date(2026, 3, 2))
    assert package_dates([ResultDates(ID, 1, "in_publicity")], as_of) == ListDates(as_of, as_of)
