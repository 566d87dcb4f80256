"""The credit store: SQLAlchemy models, engine factory, Alembic migrations and the repository."""

from store.engine import make_engine, migrate, transaction
from store.repository import AuditRecord, Repository, SaveReport
from store.settings import Settings, get_settings

__all__ = [
    "AuditRecord",
    "Repository",
    "SaveReport",
    "Settings",
    "get_settings",
    "make_engine",
    "migrate",
    "transaction",
]
