"""Issue 12 item 1: every help text a person reads is Chinese, every date option says YYYY-MM-DD, and
`credit --help` lists the commands in panels in the order of the procedure."""

from __future__ import annotations

import re

import typer
from typer.core import TyperOption
from typer.testing import CliRunner

from cli.common import PANELS
from cli.main import app

CJK = re.compile(r"[\u4e00-\u9fff]")
DATE_WORDS = ("--on", "--as-of", "--from", "--to", "--since", "--received", "--decided", "--verified", "--issued",
              "--rectify-by")
NOT_DATES = {("server", "setup")}  # its --to and --from are mail addresses


def commands(group, path: tuple[str, ...] = ()) -> list:
    """Every command and sub-app under `group`, with its path (typer vendors its own click)."""
    found = []
    for name, command in group.commands.items():
        found.append(((*path, name), command))
        if hasattr(command, "commands"):
            found += commands(command, (*path, name))
    return found


def test_every_command_and_option_has_chinese_help_and_dates_say_yyyy_mm_dd():
    root = typer.main.get_command(app)
    assert hasattr(root, "commands")
    missing = []
    for path, command in commands(root):
        if not CJK.search(command.help or ""):
            missing.append(f"{' '.join(path)}: help")
        for param in command.params:
            if not isinstance(param, TyperOption) or param.name == "help":
                continue
            text = getattr(param, "help", None) or ""
            if not CJK.search(text):
                missing.append(f"{' '.join(path)} {param.opts[0]}: help")
            if set(param.opts) & set(DATE_WORDS) and path not in NOT_DATES and \
                    ("YYYY-MM-DD" not in text or param.metavar != "YYYY-MM-DD"):
                missing.append(f"{' '.join(path)} {param.opts[0]}: YYYY-MM-DD")
    assert missing == []


def test_credit_help_lists_the_panels_in_the_order_of_the_procedure():
    shown = CliRunner().invoke(app, ["--help"], terminal_width=120)
    assert shown.exit_code == 0
    places = [shown.output.index(f"─ {panel} ") for panel in PANELS]
    assert places == sorted(places)
