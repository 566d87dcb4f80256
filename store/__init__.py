"""The credit store: SQLAlchemy models, the unit of work, repositories and Alembic migrations.

Names are imported on first use, so `store.settings` (read by every command) costs no SQLAlchemy or pandas.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_WHERE = {
    "AuditRecord": "store.audit",
    "Repository": "store.repository",
    "SaveReport": "store.repository",
    "Settings": "store.settings",
    "get_settings": "store.settings",
    "make_engine": "store.engine",
    "migrate": "store.engine",
    "transaction": "store.engine",
    "Store": "store.uow",
    "open_store": "store.uow",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'store' has no attribute {name!r}")
    return getattr(import_module(_WHERE[name]), name)
