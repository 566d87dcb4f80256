"""Where the pipeline keeps its state: the database URL and the var/ folder, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """CREDIT_DB_URL, CREDIT_VAR_DIR, CREDIT_LOCK_TIMEOUT and CREDIT_RULES_DIR; the embedded SQLite file in var/ by default."""

    db_url: str
    var_dir: Path
    lock_timeout: float = 300.0  # CREDIT_LOCK_TIMEOUT: seconds a writer waits for another (store/uow.py)
    rules_dir: Path = REPO_ROOT / "rules"  # CREDIT_RULES_DIR: the rules/ folder in force (credit/rules.py)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached: call get_settings.cache_clear() after changing the environment)."""
    var_dir = Path(os.environ.get("CREDIT_VAR_DIR") or REPO_ROOT / "var").resolve()
    db_url = os.environ.get("CREDIT_DB_URL") or f"sqlite:///{var_dir / 'credit.db'}"
    lock_timeout = float(os.environ.get("CREDIT_LOCK_TIMEOUT") or 300)
    rules_dir = Path(os.environ.get("CREDIT_RULES_DIR") or REPO_ROOT / "rules").resolve()
    return Settings(db_url=db_url, var_dir=var_dir, lock_timeout=lock_timeout, rules_dir=rules_dir)
