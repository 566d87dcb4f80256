"""One settings source for the CLI and a worker: environment over the CREDIT_CONFIG file over the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

import store.uow
from store.settings import REPO_ROOT, SettingsError, get_settings, read_settings
from store.uow import StoreNotConfiguredError, open_store, with_secret_password


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_with_nothing_set_the_embedded_sqlite_file_is_the_default_and_marked_unconfigured():
    settings = read_settings({})
    assert settings.var_dir == REPO_ROOT / "var"
    assert settings.db_url == f"sqlite:///{REPO_ROOT / 'var' / 'credit.db'}"
    assert (settings.lock_timeout, settings.rules_dir) == (300.0, REPO_ROOT / "rules")
    assert not settings.db_configured
    assert settings.db_password_secret is None and settings.config_file is None


def test_the_file_gives_every_key_and_relative_folders_are_read_from_its_folder(tmp_path):
    config = write(tmp_path / "credit.toml", 'db_url = "postgresql+psycopg://credit@db:5432/credit"\n'
                   'var_dir = "var"\nlock_timeout = 60\nrules_dir = "/srv/credit/rules"\n'
                   'db_password_secret = "credit-db-password"\n')
    settings = read_settings({"CREDIT_CONFIG": str(config)})
    assert settings.db_url == "postgresql+psycopg://credit@db:5432/credit" and settings.db_configured
    assert settings.var_dir == tmp_path / "var"
    assert settings.lock_timeout == 60.0 and settings.rules_dir == Path("/srv/credit/rules")
    assert settings.db_password_secret == "credit-db-password" and settings.config_file == config


def test_the_environment_wins_over_the_file_key_by_key(tmp_path):
    config = write(tmp_path / "credit.toml", 'db_url = "sqlite:///from-file.db"\nvar_dir = "/from/file"\n'
                   "lock_timeout = 60\n")
    settings = read_settings({"CREDIT_CONFIG": str(config), "CREDIT_DB_URL": "sqlite:///from-env.db",
                              "CREDIT_LOCK_TIMEOUT": "5", "CREDIT_VAR_DIR": ""})  # empty: not set
    assert settings.db_url == "sqlite:///from-env.db" and settings.lock_timeout == 5.0
    assert settings.var_dir == Path("/from/file")


def test_without_a_store_url_the_sqlite_file_follows_the_var_folder(tmp_path):
    settings = read_settings({"CREDIT_VAR_DIR": str(tmp_path / "state")})
    assert settings.db_url == f"sqlite:///{tmp_path / 'state' / 'credit.db'}" and not settings.db_configured


def test_a_missing_file_names_the_variable_and_the_path(tmp_path):
    with pytest.raises(SettingsError, match=r"CREDIT_CONFIG=.*nowhere\.toml：设置文件不存在"):
        read_settings({"CREDIT_CONFIG": str(tmp_path / "nowhere.toml")})


def test_a_file_that_is_not_toml_names_the_file_and_the_line(tmp_path):
    config = write(tmp_path / "credit.toml", 'db_url = "sqlite:///x.db"\nvar_dir = /no/quotes\n')
    with pytest.raises(SettingsError, match=r"credit\.toml 不是有效的 TOML.*line 2"):
        read_settings({"CREDIT_CONFIG": str(config)})


def test_an_unknown_key_names_the_file_and_the_key(tmp_path):
    config = write(tmp_path / "credit.toml", 'database_url = "sqlite:///x.db"\n')
    with pytest.raises(SettingsError, match=r"credit\.toml：未知的键 'database_url'"):
        read_settings({"CREDIT_CONFIG": str(config)})


@pytest.mark.parametrize(("line", "key"), [("lock_timeout = \"soon\"", "lock_timeout"),
                                           ("lock_timeout = -1", "lock_timeout"),
                                           ("db_url = 5", "db_url"), ("var_dir = \"\"", "var_dir")])
def test_a_bad_value_in_the_file_names_the_file_and_the_key(tmp_path, line, key):
    config = write(tmp_path / "credit.toml", line + "\n")
    with pytest.raises(SettingsError, match=rf"设置文件 .*credit\.toml 的键 {key}："):
        read_settings({"CREDIT_CONFIG": str(config)})


def test_a_bad_variable_names_the_variable():
    with pytest.raises(SettingsError, match=r"^CREDIT_LOCK_TIMEOUT：应为不小于 0 的秒数"):
        read_settings({"CREDIT_LOCK_TIMEOUT": "five minutes"})


def test_get_settings_reads_the_process_environment_once(monkeypatch, tmp_path):
    config = write(tmp_path / "credit.toml", 'db_url = "sqlite:///configured.db"\n')
    monkeypatch.delenv("CREDIT_DB_URL", raising=False)
    monkeypatch.setenv("CREDIT_CONFIG", str(config))
    get_settings.cache_clear()
    try:
        assert get_settings().db_url == "sqlite:///configured.db"
        assert get_settings() is get_settings()
    finally:
        get_settings.cache_clear()


@pytest.fixture
def unconfigured(monkeypatch, tmp_path):
    for name in ("CREDIT_DB_URL", "CREDIT_CONFIG", "CREDIT_DB_PASSWORD_SECRET"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("CREDIT_VAR_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    yield tmp_path / "var"
    get_settings.cache_clear()


def test_a_deployment_run_with_no_store_fails_naming_the_settings_and_creates_no_file(monkeypatch, unconfigured):
    monkeypatch.setattr(store.uow, "deployment_of_this_run", lambda: "advance/daily-advance")
    with pytest.raises(StoreNotConfiguredError, match="advance/daily-advance.*CREDIT_DB_URL.*CREDIT_CONFIG"):
        open_store(run="advance")
    assert not (unconfigured / "credit.db").exists()


def test_outside_a_deployment_the_cli_keeps_the_embedded_sqlite_file(monkeypatch, unconfigured):
    monkeypatch.setattr(store.uow, "deployment_of_this_run", lambda: None)
    try:
        store_ = open_store(run="cli")
        assert store_.url == f"sqlite:///{unconfigured / 'credit.db'}"
    finally:
        store.uow.Store.close_all()


def test_no_flow_run_means_no_deployment():
    assert store.uow.deployment_of_this_run() is None


def test_the_password_comes_from_the_named_secret_only_when_the_url_has_none(monkeypatch):
    monkeypatch.setattr(store.uow, "read_secret", lambda name: {"credit-db-password": "s3cret"}[name])
    url = "postgresql+psycopg://credit@db:5432/credit"
    assert with_secret_password(url, "credit-db-password") == "postgresql+psycopg://credit:s3cret@db:5432/credit"
    assert with_secret_password(url, None) == url
    assert with_secret_password("postgresql+psycopg://credit:given@db/credit", "credit-db-password").endswith(
        ":given@db/credit")
    assert with_secret_password("sqlite:///x.db", "credit-db-password") == "sqlite:///x.db"
