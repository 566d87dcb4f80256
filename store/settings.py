"""Where the pipeline keeps its state: one settings source for the CLI and a worker alike.

Each setting comes from the environment, else from the TOML file that CREDIT_CONFIG names, else its
default; the environment wins over the file. The keys of the file and their variables:

    db_url              CREDIT_DB_URL              the store (default: the embedded SQLite file var/credit.db)
    var_dir             CREDIT_VAR_DIR             snapshots, outbox, published lists, letters (default: var/)
    lock_timeout        CREDIT_LOCK_TIMEOUT        seconds a writer waits for another (default 300)
    rules_dir           CREDIT_RULES_DIR           the rules/ folder in force (default: the checkout's)
    db_password_secret  CREDIT_DB_PASSWORD_SECRET  a Prefect Secret block holding the PostgreSQL password
    prefect_port        CREDIT_PREFECT_PORT        the port of `credit server start` (default 4200, else a free one)
    smtp_url            CREDIT_SMTP_URL            where result notices are mailed: smtp://host:25, smtps://user@host:465,
                                                   smtp://user@host:587?starttls (none: delivery off, notices go by post)
    smtp_sender         CREDIT_SMTP_SENDER         the From address of the notices (default: the bureau's objection e-mail)
    smtp_password_secret CREDIT_SMTP_PASSWORD_SECRET a Prefect Secret block with the SMTP password
    notice_pdf          CREDIT_NOTICE_PDF          print the result notices to PDF with Chromium (default on;
                                                   off: HTML only, listed for the post; ~1–2 s a notice)

CREDIT_ALLOW_EXAMPLE_BUREAU=1 (environment only, never in the file) lets publicize and advance run while
rules/bureau.yaml still holds the shipped example contacts: the test suite sets it, and nothing else
should; a deployment that forgot to fill in the bureau's contacts is refused (credit/rules.py).

The SMTP password itself is only ever read from the environment (CREDIT_SMTP_PASSWORD) or that Secret
block, never from a file.

Relative paths in the file are read from the file's folder. A file or value that cannot be read is a
`SettingsError` naming the file (or variable) and the key. This module imports neither pandas nor
SQLAlchemy: every command reads it.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_LOCK_TIMEOUT = 300.0

# key in the settings file -> environment variable
VARIABLES = {
    "db_url": "CREDIT_DB_URL",
    "var_dir": "CREDIT_VAR_DIR",
    "lock_timeout": "CREDIT_LOCK_TIMEOUT",
    "rules_dir": "CREDIT_RULES_DIR",
    "db_password_secret": "CREDIT_DB_PASSWORD_SECRET",
    "prefect_port": "CREDIT_PREFECT_PORT",
    "smtp_url": "CREDIT_SMTP_URL",
    "smtp_sender": "CREDIT_SMTP_SENDER",
    "smtp_password_secret": "CREDIT_SMTP_PASSWORD_SECRET",
    "notice_pdf": "CREDIT_NOTICE_PDF",
}
SMTP_PASSWORD_VARIABLE = "CREDIT_SMTP_PASSWORD"  # environment only: a password never sits in a file
CONFIG_VARIABLE = "CREDIT_CONFIG"
ALLOW_EXAMPLE_BUREAU_VARIABLE = "CREDIT_ALLOW_EXAMPLE_BUREAU"  # environment only: the tests' example contacts


class SettingsError(ValueError):
    """A settings file or variable that cannot be read (exit code 2): names the file or variable and the key."""


@dataclass(frozen=True)
class Settings:
    """The store URL, the var folder, the writer's lock timeout and the rules folder of this process."""

    db_url: str
    var_dir: Path
    lock_timeout: float = DEFAULT_LOCK_TIMEOUT  # seconds a writer waits for another (store/uow.py)
    rules_dir: Path = REPO_ROOT / "rules"  # the rules/ folder in force (credit/rules.py)
    db_configured: bool = True  # False: db_url is the embedded default, named by no variable or file
    db_password_secret: str | None = None  # Prefect Secret block with the database password (store/uow.py)
    config_file: Path | None = None  # the file CREDIT_CONFIG named, if any
    prefect_port: int | None = None  # the port `credit server start` listens on (cli/server.py); None: 4200 or free
    smtp_url: str | None = None  # the notices' SMTP server (tasks/notices.py); None: delivery off
    smtp_sender: str | None = None  # From of the notices' mails
    smtp_password_secret: str | None = None  # Prefect Secret block with the SMTP password
    notice_pdf: bool = True  # print the result notices to PDF (tasks/pdf.py); off: HTML only, sent by post
    allow_example_bureau: bool = False  # True only with CREDIT_ALLOW_EXAMPLE_BUREAU=1 (the test suite)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached: call get_settings.cache_clear() after changing the environment)."""
    return read_settings(os.environ)


def read_settings(environ: Any) -> Settings:
    """Settings from `environ` (a mapping like os.environ) and the file its CREDIT_CONFIG names."""
    config = environ.get(CONFIG_VARIABLE) or None
    path = Path(config).expanduser().resolve() if config else None
    values: dict[str, Any] = {} if path is None else _read_file(path)
    where: dict[str, str] = {key: str(path) for key in values}
    for key, variable in VARIABLES.items():
        if environ.get(variable):
            values[key] = environ[variable]
            where[key] = variable
    var_dir = _path(values, "var_dir", where) or REPO_ROOT / "var"
    rules_dir = _path(values, "rules_dir", where) or REPO_ROOT / "rules"
    db_url = _text(values, "db_url", where)
    return Settings(
        db_url=db_url or f"sqlite:///{var_dir / 'credit.db'}",
        var_dir=var_dir,
        lock_timeout=_seconds(values, where),
        rules_dir=rules_dir,
        db_configured=db_url is not None,
        db_password_secret=_text(values, "db_password_secret", where),
        config_file=path,
        prefect_port=_port(values, where),
        smtp_url=_text(values, "smtp_url", where),
        smtp_sender=_text(values, "smtp_sender", where),
        smtp_password_secret=_text(values, "smtp_password_secret", where),
        notice_pdf=_switch(values, "notice_pdf", where),
        allow_example_bureau=environ.get(ALLOW_EXAMPLE_BUREAU_VARIABLE) == "1",
    )


def _switch(values: dict[str, Any], key: str, where: dict[str, str]) -> bool:
    """An on/off setting, on by default: true/1/on or false/0/off (a TOML boolean in the file)."""
    value = values.get(key, True)
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"1", "true", "on", "yes"}:
        return True
    if text in {"0", "false", "off", "no"}:
        return False
    raise SettingsError(f"{_origin(key, where)}：应为 on 或 off（1/0、true/false），实为 {value!r}")


def _read_file(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            values = tomllib.load(handle)
    except FileNotFoundError:
        raise SettingsError(f"{CONFIG_VARIABLE}={path}：设置文件不存在") from None
    except OSError as error:
        raise SettingsError(f"{CONFIG_VARIABLE}={path}：无法读取设置文件（{error.strerror}）") from None
    except tomllib.TOMLDecodeError as error:
        raise SettingsError(f"设置文件 {path} 不是有效的 TOML：{error}") from None
    unknown = sorted(set(values) - set(VARIABLES))
    if unknown:
        raise SettingsError(f"设置文件 {path}：未知的键 {unknown[0]!r}（可用的键：{', '.join(VARIABLES)}）")
    return values


def _text(values: dict[str, Any], key: str, where: dict[str, str]) -> str | None:
    value = values.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise SettingsError(f"{_origin(key, where)}：应为非空字符串，实为 {value!r}")
    return value.strip()


def _path(values: dict[str, Any], key: str, where: dict[str, str]) -> Path | None:
    """A folder; a relative one is read from the settings file's folder (from the working folder for a variable)."""
    text = _text(values, key, where)
    if text is None:
        return None
    base = Path.cwd() if where[key] == VARIABLES[key] else Path(where[key]).parent
    return (base / Path(text).expanduser()).resolve()


def _seconds(values: dict[str, Any], where: dict[str, str]) -> float:
    value = values.get("lock_timeout")
    if value is None:
        return DEFAULT_LOCK_TIMEOUT
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = -1.0
    if isinstance(value, bool) or not seconds >= 0:
        raise SettingsError(f"{_origin('lock_timeout', where)}：应为不小于 0 的秒数，实为 {value!r}")
    return seconds


def _port(values: dict[str, Any], where: dict[str, str]) -> int | None:
    value = values.get("prefect_port")
    if value is None:
        return None
    try:
        port = int(value)
    except (TypeError, ValueError):
        port = 0
    if isinstance(value, bool) or not 0 < port < 65536 or str(value).strip() != str(port):
        raise SettingsError(f"{_origin('prefect_port', where)}：应为 1–65535 的端口号，实为 {value!r}")
    return port


def _origin(key: str, where: dict[str, str]) -> str:
    """Where a value came from: the variable's name, or the settings file and its key."""
    origin = where.get(key, "")
    return origin if origin == VARIABLES[key] else f"设置文件 {origin} 的键 {key}"
