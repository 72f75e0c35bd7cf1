"""The tables, as SQLAlchemy Core objects the queries are written with.

The migrations in ``bot/db/migrations/versions`` create them; this module only describes them for
queries, and a test checks that the two agree. Times are Unix seconds (float), as the first SQLite
store had them, so an old data folder's rows keep their meaning.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    false,
    true,
)

metadata = MetaData()

sessions = Table(
    "sessions",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("external_key", Text, unique=True),  # a Slack thread: one conversation per thread
    Column("created", Float, nullable=False),
    Column("updated", Float, nullable=False),
)

turns = Table(
    "turns",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("session_id", String(40), ForeignKey("sessions.id"), nullable=False),
    Column("created", Float, nullable=False),
    Column("question", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("language", String(8), nullable=False),
    Column("cited_ids", Text, nullable=False),  # JSON list
    Column("reply", Text, nullable=False),  # JSON of the answer
    Column("context", Text, nullable=False, server_default="{}"),  # JSON: facts, ranking for follow-ups
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("turn_id", Integer, ForeignKey("turns.id"), nullable=False, unique=True),  # one rating per turn
    Column("session_id", String(40), nullable=False),
    Column("created", Float, nullable=False),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("cited_ids", Text, nullable=False),
    Column("user", Text),
    Column("channel", String(16), nullable=False),
    Column("handled_at", Float),  # staff marked it handled in the console
    Column("handled_by", String(200)),
)

slack_events = Table(
    "slack_events",
    metadata,
    Column("key", String(200), primary_key=True),  # the unique insert is the de-duplication
    Column("at", Float, nullable=False),
)

ingest_jobs = Table(
    "ingest_jobs",
    metadata,
    Column("id", String(40), primary_key=True),
    Column("status", String(16), nullable=False),  # running | succeeded | failed | interrupted
    Column("started", Float, nullable=False),
    Column("finished", Float),
    Column("progress", Text, nullable=False),  # JSON {"embedded", "to_embed"}
    Column("report", Text),  # JSON change report
    Column("error", Text),
    Column("owner", Text, nullable=False, server_default=""),  # host:pid that ran it
)

login_attempts = Table(
    "login_attempts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),  # an account name or a client address
    Column("at", Float, nullable=False),
    Column("ok", Boolean, nullable=False),
)

# The staff console's accounts (argon2 hashes); role "admin" may manage accounts.
accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(200), nullable=False, unique=True),
    Column("password_hash", Text, nullable=False),
    Column("role", String(32), nullable=False, server_default="staff"),
    Column("created", Float, nullable=False),
    Column("disabled", Boolean, nullable=False, server_default=false()),
    sqlite_autoincrement=True,  # a re-created account never gets a removed one's id
)

# Console sign-ins (bot/db/console_sessions.py): the cookie carries a random token, the row its hash.
console_sessions = Table(
    "console_sessions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("account_id", Integer, ForeignKey("accounts.id"), nullable=False),
    Column("created", Float, nullable=False),
    Column("last_seen", Float, nullable=False),
    Column("expires", Float, nullable=False),
    Column("user_agent", String(300), nullable=False, server_default=""),
    sqlite_autoincrement=True,
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("at", Float, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(64), nullable=False),
    Column("target", Text, nullable=False, server_default=""),
    Column("detail", Text, nullable=False, server_default="{}"),
)

taught_questions = Table(
    "taught_questions",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("question", Text, nullable=False),
    Column("record_ids", Text, nullable=False),  # JSON list of the records that answer it
    Column("created", Float, nullable=False),
    Column("created_by", String(200), nullable=False),
    Column("active", Boolean, nullable=False, server_default=true()),
)


# Unanswered questions staff marked out of scope, keyed by their normalised text (bot/unanswered.py).
question_marks = Table(
    "question_marks",
    metadata,
    Column("key", String(500), primary_key=True),
    Column("status", String(16), nullable=False),
    Column("at", Float, nullable=False),
    Column("by", String(200), nullable=False),
)

# Documents admins upload, with their kept previous copies, when the store is shared (PostgreSQL):
# a re-ingest on any host materialises the current ones (bot/db/documents.py). A row with
# `replaced_at` set is a kept copy; at most one row per name has it unset (the current document).
documents = Table(
    "documents",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("name", String(255), nullable=False),
    Column("content", LargeBinary, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("size", Integer, nullable=False),
    Column("uploaded_by", String(200), nullable=False),
    Column("uploaded_at", Float, nullable=False),
    Column("replaced_at", Float),
)

__all__ = [
    "accounts",
    "audit_log",
    "console_sessions",
    "documents",
    "feedback",
    "ingest_jobs",
    "login_attempts",
    "metadata",
    "question_marks",
    "sessions",
    "slack_events",
    "taught_questions",
    "turns",
]
