"""The audit log: every admin action with who, when and what, kept (retention does not touch it).

What is recorded names documents, records, versions and accounts, never an owner's question text:
those follow the retention setting in the conversation tables, and the log is kept for good.
"""

from __future__ import annotations

import json
import time
from typing import Any

from sqlalchemy import select

from bot.db.engine import Database
from bot.db.schema import audit_log

ACTIONS = (
    "sign_in",
    "sign_in_failed",
    "sign_in_throttled",
    "sign_out",
    "session_ended",
    "upload",
    "delete",
    "restore",
    "reingest",
    "publish",
    "switch",
    "rollback",
    "teach",
    "untaught",
    "out_of_scope",
    "feedback_handled",
    "account_added",
    "account_removed",
    "password_changed",
    "role_changed",
)


class AuditLog:
    def __init__(self, database: Database) -> None:
        self.db = database

    def record(self, actor: str, action: str, target: str = "", **detail: Any) -> None:
        if action not in ACTIONS:
            raise ValueError(f"unknown audit action {action!r}")
        with self.db.write() as conn:
            conn.execute(
                audit_log.insert().values(
                    at=time.time(),
                    actor=actor,
                    action=action,
                    target=target,
                    detail=json.dumps(detail, ensure_ascii=False, default=str),
                )
            )

    def entries(self, limit: int = 200, action: str | None = None) -> list[dict[str, Any]]:
        """Newest first."""
        query = select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
        if action:
            query = query.where(audit_log.c.action == action)
        with self.db.read() as conn:
            rows = conn.execute(query).all()
        return [
            {
                "id": row.id,
                "at": row.at,
                "actor": row.actor,
                "action": row.action,
                "target": row.target,
                "detail": json.loads(row.detail or "{}"),
            }
            for row in rows
        ]
