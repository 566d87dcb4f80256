"""The store, built once at the edge, and its unit of work: one transaction, one writer at a time.

`Store.open(url)` makes the engine and migrates once per process. `with store.unit_of_work() as uow:`
begins a transaction, holds the store's writer lock for all of it (a PostgreSQL advisory lock, or
`BEGIN IMMEDIATE` on SQLite), exposes the repositories, and commits when the block ends (rolls back on
an error). Because the lock is taken before anything is read, a writer that waited re-reads the state
the previous writer left: it never writes a stale before-image into the audit log.
`store.unit_of_work(write=False)` reads without the lock.
"""

from __future__ import annotations

import json
import os
import socket
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from store.audit import AuditLog
from store.digests import DigestRepository
from store.engine import at_head, make_engine, migrate
from store.lifecycle import Lifecycle
from store.notices import NoticeRepository
from store.objections import ObjectionRepository
from store.repository import Repository
from store.supervision import SupervisionRepository

DEFAULT_LOCK_TIMEOUT = 300.0  # seconds a second writer waits before giving up
LOCK_CLASS = 20_251  # first key of the PostgreSQL advisory lock; the second is the schema's


class WriterBusyError(RuntimeError):
    """Another run held the store's writer lock for longer than this one would wait (exit code 1)."""


@dataclass(frozen=True)
class Holder:
    """Who holds the writer lock, shown to a writer that gave up waiting."""

    run: str
    since: datetime

    def describe(self) -> str:
        return f"{self.run}（自 {self.since.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC 起）"


def describe_process(label: str) -> str:
    """A run's name for the lock: the command or flow, with its process, user and host."""
    user = os.environ.get("USER") or os.environ.get("LOGNAME") or "?"
    return f"{label} (pid {os.getpid()}, {user}@{socket.gethostname()})"


class Store:
    """One engine per process for one database URL, migrated once; makes units of work."""

    _opened: dict[str, Store] = {}
    _guard = threading.Lock()

    def __init__(self, engine: Engine, *, lock_timeout: float = DEFAULT_LOCK_TIMEOUT, run: str = "credit") -> None:
        self.engine = engine
        self.lock_timeout = lock_timeout
        self.run = run
        self._writer_engine = engine.execution_options(credit_writer=True, credit_store=self)
        self._local = threading.local()

    @classmethod
    def open(cls, url: str, *, lock_timeout: float | None = None, run: str | None = None) -> Store:
        """The store of `url` for this process: the engine is made and migrated on the first call only."""
        with cls._guard:
            store = cls._opened.get(url)
            if store is None:
                store = cls(make_engine(url))
                cls._opened[url] = store
                fresh = True
            else:
                fresh = False
            if lock_timeout is not None:
                store.lock_timeout = lock_timeout
            if run is not None:
                store.run = run
            if fresh:
                _migrate(store, url)
        return store

    @classmethod
    def close(cls, url: str) -> None:
        """Dispose and forget the store of `url` (with or without a password), if this process opened it."""
        same = make_url(url).set(password=None)
        with cls._guard:
            keys = [key for key, store in cls._opened.items()
                    if key == url or store.engine.url.set(password=None) == same]
            stores = [cls._opened.pop(key) for key in keys]
        for store in stores:
            store.engine.dispose()

    @classmethod
    def close_all(cls) -> None:
        """Dispose every engine this process opened (tests, and the end of a command)."""
        with cls._guard:
            for store in cls._opened.values():
                store.engine.dispose()
            cls._opened.clear()

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    def unit_of_work(self, write: bool = True) -> SqlUnitOfWork:
        """A transaction with the repositories; `write` holds the writer lock for its whole length."""
        return SqlUnitOfWork(self, write)

    def writing(self) -> bool:
        return bool(getattr(self._local, "writing", False))

    def _set_writing(self, value: bool) -> None:
        self._local.writing = value


def _migrate(store: Store, url: str) -> None:
    """Migrations run under the writer lock too; a store that cannot be migrated is not kept open."""
    try:
        if not at_head(store.engine):
            migrate(store._writer_engine, lock_timeout=store.lock_timeout)
    except OperationalError as error:
        Store._opened.pop(url, None)
        busy = sqlite_busy(store, error) or _postgres_busy(store, error)
        if busy is None:
            raise
        raise busy from None
    except BaseException:
        Store._opened.pop(url, None)
        raise


class SqlUnitOfWork:
    """The repositories over one session; commits on a clean exit, rolls back on an error."""

    audit: AuditLog
    digests: DigestRepository
    evaluations: Repository
    lifecycle: Lifecycle
    objections: ObjectionRepository
    supervision: SupervisionRepository
    notices: NoticeRepository

    def __init__(self, store: Store, write: bool) -> None:
        self.store = store
        self.write = write
        self.session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        if self.write and self.store.writing():
            raise RuntimeError("a writing unit of work is already open in this thread: nest no writers")
        bind = self.store._writer_engine if self.write else self.store.engine
        self.session = Session(bind, expire_on_commit=False)
        self.session.begin()
        try:
            if self.write:
                _take_writer_lock(self.session, self.store)
                self.store._set_writing(True)
        except BaseException:
            self.session.rollback()
            self.session.close()
            raise
        self._make_repositories(self.session)
        return self

    def _make_repositories(self, session: Session) -> None:
        self.audit = AuditLog(session)
        self.evaluations = Repository(session, self.audit)
        self.lifecycle = Lifecycle(session, self.audit)
        self.objections = ObjectionRepository(session, self.audit)
        self.supervision = SupervisionRepository(session, self.audit)
        self.digests = DigestRepository(session)
        self.notices = NoticeRepository(session)  # issue 13: result notices and deliveries

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        assert self.session is not None
        try:
            if kind is None and self.write:
                self.session.commit()
            else:
                self.session.rollback()
        finally:
            self.session.close()
            if self.write:
                self.store._set_writing(False)
                _release_note(self.store)

    def flush(self) -> None:
        assert self.session is not None
        self.session.flush()


# ---- the writer lock ------------------------------------------------------------------------------


def _take_writer_lock(session: Session, store: Store) -> None:
    try:
        connection = session.connection()  # SQLite: BEGIN IMMEDIATE runs here (store.engine's "begin" hook)
    except OperationalError as error:
        busy = sqlite_busy(store, error)
        if busy is None:
            raise
        raise busy from None
    if connection.dialect.name == "postgresql":
        _take_postgres_lock(session, store)
    _write_note(store)


def _take_postgres_lock(session: Session, store: Store) -> None:
    key = _schema_key(session)
    session.execute(text("select set_config('application_name', :run, true)"), {"run": _ascii_name(store.run)})
    session.execute(text(f"set local lock_timeout = '{int(store.lock_timeout * 1000)}ms'"))
    try:
        session.execute(text("select pg_advisory_xact_lock(:a, :b)"), {"a": LOCK_CLASS, "b": key})
    except OperationalError as error:
        if getattr(error.orig, "sqlstate", None) != "55P03":  # lock_not_available
            raise
        session.rollback()
        raise _busy(store, _postgres_holder(store, key)) from None
    session.execute(text("set local lock_timeout to default"))


def _ascii_name(run: str) -> str:
    """PostgreSQL keeps only printable ASCII of an application_name, at most 63 bytes: escape the rest."""
    name = run.encode("unicode_escape").decode("ascii")[:63]
    while name:
        try:
            _from_ascii_name(name, strict=True)
            return name
        except UnicodeDecodeError:
            name = name[:-1]  # a \uXXXX escape cut in half by the length limit
    return name


def _from_ascii_name(name: str, strict: bool = False) -> str:
    try:
        return name.encode("ascii").decode("unicode_escape")
    except UnicodeDecodeError:
        if strict:
            raise
        return name


def _schema_key(session: Session) -> int:
    # The same key as store.engine.migrate: one lock per database and schema (tests use a schema each).
    query = "select hashtext(current_database() || '.' || current_schema()) & 2147483647"
    return int(session.execute(text(query)).scalar_one())


def _postgres_holder(store: Store, key: int) -> Holder | None:
    query = text(
        "select a.application_name, a.xact_start from pg_locks l join pg_stat_activity a on a.pid = l.pid "
        "where l.locktype = 'advisory' and l.granted and l.classid = :a and l.objid = :b"
    )
    with store.engine.connect() as connection:
        row = connection.execute(query, {"a": LOCK_CLASS, "b": key}).first()
    return None if row is None else Holder(_from_ascii_name(row[0] or "?"), row[1])


def _busy(store: Store, holder: Holder | None) -> WriterBusyError:
    who = holder.describe() if holder else "另一运行（未能读出其名称）"
    return WriterBusyError(
        f"存储 {store.url} 正由 {who} 写入；已等待 {store.lock_timeout:g} 秒仍未释放，本次未做任何更改。"
        f"请待其结束后重试（等待时长可用 CREDIT_LOCK_TIMEOUT 设置）"
    )


def _postgres_busy(store: Store, error: OperationalError) -> WriterBusyError | None:
    if getattr(error.orig, "sqlstate", None) != "55P03":
        return None
    with store.engine.connect() as connection:
        query = "select hashtext(current_database() || '.' || current_schema()) & 2147483647"
        key = int(connection.exec_driver_sql(query).scalar_one())
    return _busy(store, _postgres_holder(store, key))


def sqlite_busy(store: Store, error: OperationalError) -> WriterBusyError | None:
    """The clear message for SQLite's 'database is locked' after the busy timeout, naming the holder."""
    if "locked" not in str(error.orig) and "busy" not in str(error.orig):
        return None
    return _busy(store, _read_note(store))


def _note_path(store: Store) -> Path | None:
    """SQLite keeps no lock owner: the holder writes its name beside the database file while it holds it."""
    url = make_url(store.engine.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(f"{url.database}-writer.json")


def _write_note(store: Store) -> None:
    path = _note_path(store)
    if path is not None:
        note = {"run": store.run, "since": datetime.now(UTC).isoformat(), "pid": os.getpid()}
        path.write_text(json.dumps(note, ensure_ascii=False), encoding="utf-8")


def _release_note(store: Store) -> None:
    path = _note_path(store)
    if path is None:
        return
    try:
        note = json.loads(path.read_text(encoding="utf-8"))
        if note.get("pid") == os.getpid():
            path.unlink()
    except (OSError, ValueError):
        pass


def _read_note(store: Store) -> Holder | None:
    path = _note_path(store)
    try:
        note: dict[str, Any] = json.loads(path.read_text(encoding="utf-8")) if path else {}
        return Holder(str(note["run"]), datetime.fromisoformat(note["since"]))
    except (OSError, ValueError, KeyError):
        return None


class StoreNotConfiguredError(RuntimeError):
    """A flow run started from a deployment with no store configured: it never falls back to SQLite."""


def open_store(db_url: str | None = None, run: str = "credit") -> Store:
    """The edge's one call: the store of `db_url` (default: the settings), with the configured lock timeout.

    A run started from a Prefect deployment must be given its store (CREDIT_DB_URL, or db_url in the
    file CREDIT_CONFIG names): it fails here, before anything is read or written, rather than fall back
    to the embedded SQLite file, which stays the default of the CLI and the demo. The password of a
    PostgreSQL URL may come from the Prefect Secret block `db_password_secret` names (or PGPASSWORD).
    """
    from store.settings import get_settings

    settings = get_settings()
    if db_url is None and not settings.db_configured:
        deployment = deployment_of_this_run()
        if deployment is not None:
            raise StoreNotConfiguredError(
                f"本次运行由 Prefect 部署 {deployment} 启动，但未配置存储：请在工作进程的环境中设置 CREDIT_DB_URL，"
                "或以 CREDIT_CONFIG 指定含 db_url 的设置文件（见 deploy/README.md）。"
                "部署运行不使用内置的 SQLite 文件；本次未读写任何数据")
    url = with_secret_password(db_url or settings.db_url, settings.db_password_secret)
    return Store.open(url, lock_timeout=settings.lock_timeout, run=describe_process(run))


def deployment_of_this_run() -> str | None:
    """The deployment that started this flow run ("flow/deployment"), or None: a CLI run, a test, no flow run."""
    import sys

    if "prefect" not in sys.modules:  # no flow run without Prefect loaded: a single-record CLI action
        return None
    from prefect.context import FlowRunContext
    from prefect.runtime import deployment, flow_run

    context = FlowRunContext.get()
    if context is not None and context.flow_run is not None and context.flow_run.deployment_id is None:
        return None  # a flow called in this process (the CLI, a test): no API call needed to know
    if deployment.id is None:
        return None
    return f"{flow_run.flow_name}/{deployment.name}" if deployment.name else str(deployment.id)


def with_secret_password(url: str, secret: str | None) -> str:
    """`url` with the password of the Prefect Secret block `secret`, unless it has one already."""
    parsed = make_url(url)
    if secret is None or parsed.password or parsed.get_backend_name() == "sqlite":
        return url
    return parsed.set(password=read_secret(secret)).render_as_string(hide_password=False)


@lru_cache(maxsize=8)
def read_secret(name: str) -> str:
    """The value of the Prefect Secret block `name` (the server must have it), read once per process."""
    from prefect.blocks.system import Secret

    return str(Secret.load(name, _sync=True).get())
