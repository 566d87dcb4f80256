"""A small client of a Prefect server's REST API for the end-to-end test: no prefect import in the test process.

The test process keeps its own Prefect settings (other tests run a harness in it): everything here speaks
HTTP to the server the test started. `run_record` gathers what a person sees of a run in the UI: its
state, its log lines and its artifacts.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import httpx

TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}
RETRY = {429, 502, 503}
FINISHED = "Finished in state"  # Prefect's last line of a flow run


@dataclass
class RunRecord:
    """A flow run as the UI shows it: state, message, log lines and artifacts."""

    id: str
    name: str
    state: str
    message: str
    logs: list[str] = field(default_factory=list)
    artifacts: list[dict[str, Any]] = field(default_factory=list)
    flow_finished: bool = False  # the flow run's own last line ("Finished in state …") has arrived

    def artifact(self, key: str) -> dict[str, Any]:
        return next(a for a in self.artifacts if a.get("key") == key)


class PrefectApi:
    def __init__(self, api_url: str) -> None:
        self.http = httpx.Client(base_url=api_url.rstrip("/") + "/", timeout=30)

    def close(self) -> None:
        self.http.close()

    def healthy(self) -> bool:
        try:
            return self.http.get("health").status_code == 200
        except httpx.HTTPError:
            return False

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        """One call, retried as Prefect's own client retries: 429, 502, 503 (a busy SQLite database)."""
        for attempt in range(6):
            response = self.http.request(method, path, **kwargs)
            if response.status_code not in RETRY or attempt == 5:
                break
            time.sleep(0.5 * 2 ** attempt)
        response.raise_for_status()
        return response.json() if response.content else None

    def create_queue(self, pool: str, name: str) -> None:
        self._json("POST", f"work_pools/{pool}/queues", json={"name": name})

    def queue(self, pool: str, name: str) -> dict[str, Any]:
        return self._json("GET", f"work_pools/{pool}/queues/{name}")

    def deployment(self, flow: str, name: str) -> dict[str, Any]:
        return self._json("GET", f"deployments/name/{flow}/{name}")

    def automations(self) -> list[dict[str, Any]]:
        return self._json("POST", "automations/filter", json={})

    def runs_of(self, flow: str) -> list[str]:
        """The ids of the flow's runs, newest first."""
        runs = self._json("POST", "flow_runs/filter", json={"flows": {"name": {"any_": [flow]}},
                                                            "sort": "EXPECTED_START_TIME_DESC"})
        return [run["id"] for run in runs]

    def start(self, flow: str, deployment: str, parameters: dict[str, Any], queue: str | None = None) -> str:
        """A run of the deployment, as `prefect deployment run` would make it; its id."""
        body: dict[str, Any] = {"parameters": parameters}
        if queue is not None:
            body["work_queue_name"] = queue
        found = self.deployment(flow, deployment)
        return self._json("POST", f"deployments/{found['id']}/create_flow_run", json=body)["id"]

    def wait(self, run_id: str, timeout: float) -> RunRecord:
        """Wait for the run to end (any terminal state), then read its record."""
        deadline = time.monotonic() + timeout
        while True:
            run = self._json("GET", f"flow_runs/{run_id}")
            if run["state"]["type"] in TERMINAL or time.monotonic() > deadline:
                return self.settled_record(run_id)
            time.sleep(0.5)

    def settled_record(self, run_id: str, timeout: float = 15) -> RunRecord:
        """The run's record once its last log line ("Finished in state …") has reached the API.

        The flow-run process sends its lines in batches and the last ones as it exits, just after the
        terminal state is set: reading at once could miss them."""
        deadline = time.monotonic() + timeout
        while True:
            record = self.run_record(run_id)
            if record.flow_finished or time.monotonic() > deadline:
                return record
            time.sleep(0.3)

    def run_record(self, run_id: str) -> RunRecord:
        """State, log lines and artifacts of a flow run, read through the API as the UI reads them."""
        run = self._json("GET", f"flow_runs/{run_id}")
        logs = self._json("POST", "logs/filter", json={"logs": {"flow_run_id": {"any_": [run_id]}},
                                                       "sort": "TIMESTAMP_ASC", "limit": 200})
        artifacts = self._json("POST", "artifacts/filter",
                               json={"artifacts": {"flow_run_id": {"any_": [run_id]}}, "limit": 200})
        finished = any(line["message"].startswith(FINISHED) and not line.get("task_run_id") for line in logs)
        return RunRecord(run_id, run["name"], run["state"]["type"], run["state"].get("message") or "",
                         [line["message"] for line in logs], artifacts, finished)
