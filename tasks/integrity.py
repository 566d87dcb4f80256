"""The audit log's hash chain, checked before anything is built on the store (issue 11 item 8).

`advance` and `cycle status` call `require_intact_audit` first: a log whose rows were edited, deleted or
forged is not a record the bureau can stand behind, so nothing more is decided on it until it is
investigated (`credit audit verify` names the first broken or missing row).
"""

from __future__ import annotations

from typing import Any

from store.audit import ChainCheck


class AuditChainBroken(Exception):
    """The audit log does not verify (exit code 1): the message says which row and what is wrong, in Chinese."""

    def __init__(self, check: ChainCheck) -> None:
        self.check = check
        super().__init__(
            f"审计日志校验未通过：{check.problem}（其前 {check.rows} 行完好）。审计日志可能被篡改，本次不予继续；"
            "请先查明原因（`credit audit verify` 可复核），由数据库管理员处理后再运行")


def audit_chain(uow: Any) -> ChainCheck:
    """The whole chain walked in id order (store/audit.py says what it detects and what it cannot)."""
    check: ChainCheck = uow.audit.verify_chain()
    return check


def require_intact_audit(uow: Any) -> None:
    """Raise AuditChainBroken unless every audit row is intact, linked to the one before, and none is missing."""
    check = audit_chain(uow)
    if not check.ok:
        raise AuditChainBroken(check)
