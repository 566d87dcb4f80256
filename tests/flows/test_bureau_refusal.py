"""Issue 12 item 7: publicize and advance refuse (exit 2) while rules/bureau.yaml holds example contacts.

The rest of the suite runs with CREDIT_ALLOW_EXAMPLE_BUREAU=1 (tests/conftest.py); here it is removed,
as in a deployment, and the real `credit` command is run.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from credit.rules import Bureau, BureauPlaceholderError, require_filled_bureau
from tests.support.paths import ROOT as REPO_ROOT

RULES = REPO_ROOT / "rules"


def credit(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cli.main", *args], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def deployment_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "CREDIT_ALLOW_EXAMPLE_BUREAU"}
    env.update(CREDIT_VAR_DIR=str(tmp_path / "var"), CREDIT_DB_URL=f"sqlite:///{tmp_path / 'credit.db'}")
    return env


def filled_rules(tmp_path: Path) -> Path:
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    bureau = yaml.safe_load((folder / "bureau.yaml").read_text(encoding="utf-8"))
    bureau["objections"].update(address="晋城市泽州路 1 号信用管理科", email="xinyong@sthjj.jcgov.cn",
                                phone="0356-0000000")
    bureau.setdefault("notices", {})["sender"] = "xinyong@sthjj.jcgov.cn"
    (folder / "bureau.yaml").write_text(yaml.safe_dump(bureau, allow_unicode=True), encoding="utf-8")
    return folder


@pytest.mark.parametrize("command", [["publicize", "--year", "2025", "--on", "2026-02-02"],
                                     ["advance", "--as-of", "2026-03-02"]])
def test_publicize_and_advance_refuse_the_shipped_example_contacts_naming_the_keys(command, deployment_env, tmp_path):
    done = credit(*command, env=deployment_env)

    assert done.returncode == 2, done.stderr
    assert "bureau.yaml" in done.stderr and "objections.email" in done.stderr and "objections.address" in done.stderr
    assert not (tmp_path / "credit.db").exists()  # refused before the store was opened


def test_filled_in_contacts_pass_and_the_example_ones_are_refused_unless_the_suite_allows_them(tmp_path):
    filled = filled_rules(tmp_path)

    assert Bureau.load(filled).placeholders() == []
    require_filled_bureau(Bureau.load(filled), rules_dir=filled)
    with pytest.raises(BureauPlaceholderError, match="objections.phone"):
        require_filled_bureau(Bureau.load(RULES), rules_dir=RULES)
    require_filled_bureau(Bureau.load(RULES), rules_dir=RULES, allow_example=True)


def test_with_filled_in_contacts_advance_goes_past_the_check(deployment_env, tmp_path):
    env = {**deployment_env, "CREDIT_RULES_DIR": str(filled_rules(tmp_path))}

    done = credit("advance", "--as-of", "2026-03-02", env=env)

    assert done.returncode == 0, done.stderr
