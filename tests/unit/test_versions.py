"""credit/versions.py (R-12, R-21): which result versions an evaluation writes, decided without a store."""

from __future__ import annotations

from credit.versions import Current, Stored, diff_versions, same_apart_from_snapshot, started_states

A, B, C, D = "A1", "B2", "C3", "D4"


def stored(version: int, values: dict, state: str = "scored", latest: int | None = None) -> Stored:
    return Stored(Current(result_id=version * 10, version=version, values=values, state=state), latest or version)


def test_same_values_are_unchanged_and_other_values_get_the_next_version():
    plan = diff_versions({A: stored(1, {"score": 90}), B: stored(2, {"score": 80})},
                         {A: {"score": 90}, B: {"score": 81}})
    assert (plan.new, plan.changed, plan.unchanged, plan.withdrawn) == ((), (B,), (A,), ())
    assert plan.next_version == {B: 3}
    assert plan.written == plan.retired == plan.touched == (B,)


def test_an_institution_not_in_the_evaluation_is_withdrawn_and_a_first_one_gets_version_1():
    plan = diff_versions({D: stored(1, {"score": 70}), A: stored(1, {"score": 90})}, {C: {"score": 60}, A: {"score": 90}})
    assert (plan.new, plan.withdrawn, plan.reinstated) == ((C,), (D,), ())
    assert plan.next_version == {C: 1}
    assert plan.touched == (C, D)


def test_a_withdrawn_institution_that_comes_back_is_reinstated_with_the_number_after_its_highest():
    plan = diff_versions({A: Stored(current=None, latest=3)}, {A: {"score": 90}})
    assert (plan.new, plan.reinstated, plan.withdrawn) == ((A,), (A,), ())
    assert plan.next_version == {A: 4}


def test_new_and_changed_keep_the_incoming_order_and_withdrawn_are_sorted():
    current = {i: stored(1, {"score": 1}) for i in (A, B, C, D)}
    incoming = {D: {"score": 2}, "Z9": {"score": 1}, B: {"score": 2}, "E5": {"score": 1}}
    plan = diff_versions(current, incoming)
    assert plan.new == ("Z9", "E5") and plan.changed == (D, B) and plan.withdrawn == (A, C)
    assert plan.written == ("Z9", "E5", D, B)


def test_started_states_are_the_states_past_scoring():
    assert started_states({A: stored(1, {}, "in_publicity"), B: stored(1, {}), C: Stored(None, 2)}) == ["in_publicity"]
    assert started_states({A: stored(1, {})}) == []


def test_a_rescored_result_differing_only_by_snapshot_is_the_same():
    assert same_apart_from_snapshot({"score": 1, "snapshot": "x"}, {"score": 1, "snapshot": "y"})
    assert not same_apart_from_snapshot({"score": 1, "snapshot": "x"}, {"score": 2, "snapshot": "x"})
