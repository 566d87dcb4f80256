"""prefect.yaml's deployments name real flows and only parameters those flows have (NOTES: deploy accepts any)."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOYMENTS = yaml.safe_load((ROOT / "prefect.yaml").read_text(encoding="utf-8"))["deployments"]


def flow_of(entrypoint: str):
    path, name = entrypoint.split(":")
    module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
    return getattr(module, name)


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_each_deployment_passes_only_parameters_its_flow_takes(deployment):
    flow = flow_of(deployment["entrypoint"])
    signature = inspect.signature(flow.fn)
    assert set(deployment.get("parameters", {})) <= set(signature.parameters)
    required = {n for n, p in signature.parameters.items() if p.default is inspect.Parameter.empty}
    assert required <= set(deployment.get("parameters", {}))


@pytest.mark.parametrize("deployment", DEPLOYMENTS, ids=[d["name"] for d in DEPLOYMENTS])
def test_scheduled_deployments_run_in_shanghai_time_one_at_a_time(deployment):
    for schedule in deployment.get("schedules", []):
        assert schedule["timezone"] == "Asia/Shanghai"
    assert deployment.get("concurrency_limit") == 1
