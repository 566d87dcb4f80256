"""Where the pipeline keeps its state: the database URL and the var/ folder, read once from the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Settings:
    """CREDIT_DB_URL and CREDIT_VAR_DIR, with the embedded SQLite file in var/ as the default."""

    db_url: str
    var_dir: Path


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this process (cached: call get_settings.cache_clear() after changing the environment)."""
    var_dir = Path(os.environ.get("CREDIT_VAR_DIR") or REPO_ROOT / "var").resolve()
    db_url = os.environ.get("CREDIT_DB_URL") or f"sqlite:///{var_dir / 'credit.db'}"
    return Settings(db_url=db_url, var_dir=var_dir)
