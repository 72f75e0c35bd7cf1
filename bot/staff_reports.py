"""What the console's dashboard and feedback pages read from the store: counts of today's answers,
answers by program per month, and feedback with the whole turn it rates.

Queries run on both backends (SQLite, PostgreSQL): times are Unix seconds, so days and months are
cut in Python over bounded row sets rather than with a dialect's date functions.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from bot.db.engine import Database
from bot.db.schema import feedback, sessions, turns
from bot.spreadsheet import excel_csv
from ingest.dates import JST

MONTHS_SHOWN = 12


def start_of_today(now: float | None = None) -> float:
    moment = datetime.fromtimestamp(now or time.time(), JST)
    return moment.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def today_counts(db: Database, now: float | None = None) -> dict[str, Any]:
    since = start_of_today(now)
    with db.read() as conn:
        by_status = dict(
            conn.execute(
                select(turns.c.status, func.count()).where(turns.c.created >= since).group_by(turns.c.status)
            ).all()
        )
        down = conn.scalar(select(func.count()).where(feedback.c.created >= since, feedback.c.rating < 0))
    total = sum(by_status.values())
    no_match = by_status.get("no_match", 0)
    return {
        "answers": total,
        "no_match": no_match,
        "no_match_rate": round(no_match / total, 3) if total else 0.0,
        "thumbs_down": int(down or 0),
    }


def answers_by_program(db: Database, titles: dict[str, str], now: float | None = None) -> dict[str, Any]:
    """Answered turns per program and month (a turn counts once for each program it cites), for
    the last twelve months; ``titles`` maps the live index's program ids to their titles."""
    moment = datetime.fromtimestamp(now or time.time(), JST)
    first_month = (moment.year * 12 + moment.month - 1) - (MONTHS_SHOWN - 1)
    since = datetime(first_month // 12, first_month % 12 + 1, 1, tzinfo=JST).timestamp()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    with db.read() as conn:
        rows = conn.execute(
            select(turns.c.created, turns.c.cited_ids).where(
                turns.c.created >= since, turns.c.status == "answered"
            )
        )
        for created, cited in rows:
            month = datetime.fromtimestamp(created, JST).strftime("%Y-%m")
            for record_id in dict.fromkeys(json.loads(cited or "[]")):
                if record_id in titles:
                    counts[record_id][month] += 1
    months = sorted({m for c in counts.values() for m in c})
    rows_out = [
        {
            "id": rid,
            "title": titles[rid],
            "months": {m: counts[rid][m] for m in months},
            "total": sum(counts[rid].values()),
        }
        for rid in sorted(counts, key=lambda r: -sum(counts[r].values()))
    ]
    return {"months": months, "rows": rows_out}


def answers_csv(table: dict[str, Any]) -> str:
    """The table as CSV for Excel (bot/spreadsheet.py)."""
    rows = (
        [row["id"], row["title"], *(row["months"][m] for m in table["months"]), row["total"]]
        for row in table["rows"]
    )
    return excel_csv(["program_id", "program", *table["months"], "total"], rows)


def feedback_items(db: Database, rating: int | None, limit: int = 100) -> list[dict[str, Any]]:
    """Feedback newest first with its whole turn: question, answer, citations, channel, comment."""
    query = (
        select(
            feedback.c.id,
            feedback.c.created,
            feedback.c.rating,
            feedback.c.comment,
            feedback.c.question,
            feedback.c.cited_ids,
            feedback.c.channel,
            feedback.c.user,
            feedback.c.handled_at,
            feedback.c.handled_by,
            turns.c.reply,
            turns.c.status,
            sessions.c.channel.label("session_channel"),
        )
        .join(turns, turns.c.id == feedback.c.turn_id)
        .join(sessions, sessions.c.id == turns.c.session_id)
        .order_by(feedback.c.id.desc())
        .limit(limit)
    )
    if rating is not None:
        query = query.where(feedback.c.rating == rating)
    items = []
    with db.read() as conn:
        for row in conn.execute(query):
            reply = json.loads(row.reply or "{}")
            items.append(
                {
                    "id": row.id,
                    "created": row.created,
                    "rating": row.rating,
                    "comment": row.comment,
                    "question": row.question,
                    "answer": reply.get("answer", ""),
                    "status": row.status,
                    "citations": [
                        {"id": c.get("id", ""), "title": c.get("title", "")}
                        for c in reply.get("citations", [])
                    ]
                    or [{"id": i, "title": ""} for i in json.loads(row.cited_ids or "[]")],
                    "channel": row.channel or row.session_channel,
                    "handled_at": row.handled_at,
                    "handled_by": row.handled_by,
                }
            )
    return items


def mark_feedback_handled(db: Database, feedback_id: int, by: str) -> bool:
    with db.write() as conn:
        return bool(
            conn.execute(
                update(feedback)
                .where(feedback.c.id == feedback_id)
                .values(handled_at=time.time(), handled_by=by)
            ).rowcount
        )
