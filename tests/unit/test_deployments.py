"""prefect.yaml's deployments name real flows and only parameters those flows have (NOTES: deploy accepts any),
share the writers' queue when they change the store, and carry no store or secret of their own."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
import yaml

from cli.server import POOL, WRITERS_QUEUE

ROOT = Path(__file__).resolve().parents[2]
PROJECT = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))
DEPLOYMENTS = PROJECT["deployments"]
NAMES = [d["name"] for d in DEPLOYMENTS]
STATE_CHANGING = {"annual-evaluation", "publicize", "daily-advance", "rescore"}  # site-publication only reads


def flow_of(entrypoint: str):
    path, name = entrypoint.split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=NAMES)
def test_each_deployment_passes_only_parameters_its_flow_takes(deployment):
    flow = flow_of(deployment["entrypoint"])
    signature = inspect.signature(flow.fn)
    assert set(deployment.get("parameters", {})) <= set(signature.parameters)


@pytest.mark.parametrize("deployment", [d for d in DEPLOYMENTS if d.get("schedules")],
                         ids=[d["name"] for d in DEPLOYMENTS if d.get("schedules")])
def test_a_scheduled_deployment_carries_every_parameter_its_flow_requires(deployment):
    signature = inspect.signature(flow_of(deployment["entrypoint"]).fn)
    required = {n for n, p in signature.parameters.items() if p.default is inspect.Parameter.empty}
    assert required <= set(deployment.get("parameters", {}))


@pytest.mark.parametrize("deployment", [d for d in DEPLOYMENTS if not d.get("schedules")],
                         ids=[d["name"] for d in DEPLOYMENTS if not d.get("schedules")])
def test_an_on_demand_deployment_says_how_to_run_it_with_its_required_parameters(deployment):
    signature = inspect.signature(flow_of(deployment["entrypoint"]).fn)
    missing = {n for n, p in signature.parameters.items()
               if p.default is inspect.Parameter.empty and n not in deployment.get("parameters", {})}
    flow_name = flow_of(deployment["entrypoint"]).name
    assert f"prefect deployment run {flow_name}/{deployment['name']}" in deployment["description"]
    assert all(f"-p {name}=" in deployment["description"] for name in missing)


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=NAMES)
def test_scheduled_deployments_run_in_shanghai_time_one_at_a_time(deployment):
    for schedule in deployment.get("schedules", []):
        assert schedule["timezone"] == "Asia/Shanghai"
    assert deployment.get("concurrency_limit") == 1
    assert deployment["work_pool"]["job_variables"]["env"]["TZ"] == "Asia/Shanghai"


def test_publicize_is_a_deployment_and_every_step_of_the_year_has_one():
    assert set(NAMES) == STATE_CHANGING | {"site-publication"}
    assert not next(d for d in DEPLOYMENTS if d["name"] == "publicize").get("schedules")


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=NAMES)
def test_state_changing_deployments_share_the_writers_queue_and_all_carry_the_alert_tag(deployment):
    pool = deployment["work_pool"]
    assert pool["name"] == POOL
    assert (pool.get("work_queue_name") == WRITERS_QUEUE) == (deployment["name"] in STATE_CHANGING)
    assert "credit" in deployment["tags"]  # deploy/automation.yaml matches the tag


def test_the_alert_matches_the_tag_of_the_deployments_and_failed_or_crashed_runs():
    automation = yaml.safe_load((ROOT / "deploy" / "automation.yaml").read_text(encoding="utf-8"))
    trigger = automation["trigger"]
    assert trigger["match_related"] == {"prefect.resource.role": "tag", "prefect.resource.id": "prefect.tag.credit"}
    assert set(trigger["expect"]) == {"prefect.flow-run.Failed", "prefect.flow-run.Crashed"}
    assert [a["type"] for a in automation["actions"]] == ["send-notification"]


def test_no_deployment_carries_a_store_or_a_secret():
    text = (ROOT / "prefect.yaml").read_text(encoding="utf-8")
    for deployment in DEPLOYMENTS:
        assert "db_url" not in deployment.get("parameters", {})
        assert not {"CREDIT_DB_URL", "PGPASSWORD"} & set(deployment["work_pool"]["job_variables"]["env"])
    assert "postgresql://" not in text and "password" not in text.lower()


def test_the_alert_is_a_valid_prefect_automation_once_given_its_block():
    from prefect.events.schemas.automations import AutomationCore, EventTrigger

    spec = yaml.safe_load((ROOT / "deploy" / "automation.yaml").read_text(encoding="utf-8"))
    spec["actions"][0]["block_document_id"] = "00000000-0000-0000-0000-000000000001"
    automation = AutomationCore.model_validate(spec)
    assert isinstance(automation.trigger, EventTrigger) and automation.trigger.posture == "Reactive"
