"""PostgreSQL roles (issue 11 item 8): the migration owner owns the tables; the application role may not
change the audit log.

The owner runs `credit migrate`; the worker and the officers' CLI connect as the application role, which
may read and write every table the way the program does, but may only SELECT and INSERT on `audit_log`.
UPDATE, DELETE and TRUNCATE are not granted to it, and ALTER TABLE (DISABLE TRIGGER among it) needs the
table's owner; `session_replication_role` (which skips triggers) needs a superuser. So neither the
triggers nor the privileges of audit_log can be set aside with the application's credentials, and the
hash chain (store/audit.py) shows whatever the owner might change.

Run the statements as the owner after every `credit migrate` (a migration may add tables):
`python -m store.roles <application role> [<schema>]` prints them for psql (deploy/README.md "数据库角色").
"""

from __future__ import annotations

import re
import sys

NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")


def _name(value: str, what: str) -> str:
    """A role or schema name quoted for SQL, refused unless plain (lowercase letters, digits, underscore)."""
    if not NAME.fullmatch(value):
        raise ValueError(f"{what} {value!r}: use lowercase letters, digits and underscores only")
    return f'"{value}"'


def application_grants(role: str, schema: str = "public") -> list[str]:
    """The GRANTs (and REVOKEs) that give `role` the program's work but not the power to rewrite the log."""
    app, where = _name(role, "role"), _name(schema, "schema")
    return [
        f"GRANT USAGE ON SCHEMA {where} TO {app}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {where} TO {app}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {where} TO {app}",
        f"REVOKE ALL ON {where}.audit_log FROM PUBLIC",
        f"REVOKE UPDATE, DELETE, TRUNCATE, REFERENCES, TRIGGER ON {where}.audit_log FROM {app}",
        f"GRANT SELECT, INSERT ON {where}.audit_log TO {app}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {where}.alembic_version FROM {app}",  # only the owner migrates
    ]


def main(argv: list[str]) -> int:
    if len(argv) not in (1, 2):
        print("usage: python -m store.roles <application role> [<schema>]", file=sys.stderr)
        return 2
    for statement in application_grants(*argv):
        print(f"{statement};")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
