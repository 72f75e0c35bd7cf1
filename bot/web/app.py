"""The web server of `navigator serve`: API, widget, demo page, staff view (and Slack when set up).

``create_app`` assembles the pieces (each in its own module) around one shared runtime;
``serve`` makes sure an index exists, then runs uvicorn. Middleware, outermost first: security
headers, CORS (only the configured origins), the request body size limit.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import anyio.to_thread
import uvicorn
from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from bot.answering.retrieve import Retriever
from bot.db.accounts import Accounts
from bot.jobs import IngestJobs
from bot.runtime import Runtime, build_runtime, warm_up
from bot.web import (
    routes_admin,
    routes_chat,
    routes_console,
    routes_documents,
    routes_health,
    routes_ingest,
    routes_pages,
    routes_programs,
    routes_questions,
    routes_signin,
    routes_staff,
    routes_versions,
)
from bot.web.admin_auth import AdminAuth
from bot.web.bodylimit import BodySizeLimit
from bot.web.bodytimeout import BodyTimeout
from bot.web.context import WebContext
from bot.web.errors import install_error_handlers
from bot.web.observability import AccessLog, Metrics, configure_json_logging
from bot.web.observability import router as metrics_router
from bot.web.ratelimit import RateLimiter
from bot.web.security import SecurityHeaders
from ingest.background_embedder import BackgroundEmbedder
from ingest.embeddings import embedder_name
from ingest.settings import Settings

log = logging.getLogger(__name__)

try:  # the Slack channel is optional: the web works without it
    from bot.slack.http import attach_http
except ImportError:  # pragma: no cover - depends on which parts are installed
    attach_http = None


def create_app(settings: Settings, runtime: Runtime | None = None) -> FastAPI:
    runtime = runtime or build_runtime(settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Answers are CPU work on a few cores: a handful of threads keeps them all busy, where
        # the default 40 would only queue inside the process (and each thread holds its own
        # SudachiPy tokenizer, tens of MB).
        anyio.to_thread.current_default_thread_limiter().total_tokens = max(1, settings.web_threads)
        yield
        ingest_embedder.close()

    app = FastAPI(
        lifespan=lifespan,
        title="Fujisawa SME Support Navigator",
        version="1",
        description="Which of Fujisawa's SME support programs fit, why, and whom to call. "
        'Errors are {"error": {"code", "message"}}.',
        docs_url=None,  # the interactive docs load scripts from a CDN; /openapi.json is enough offline
        redoc_url=None,
    )
    chat_embedder = runtime.navigator.retriever.embedder
    # Re-ingests embed in a child process that only gets idle cores (ingest/background_embedder.py).
    ingest_embedder = BackgroundEmbedder(
        settings.embedder, settings.embed_threads, embedder_name(chat_embedder)
    )
    jobs = IngestJobs(settings, ingest_embedder, runtime.store.db)
    jobs.recover()  # a job a stopped process left `running` is `interrupted`
    accounts = Accounts(runtime.store.db)
    if accounts.ensure_first_admin(settings.console_admin, settings.console_admin_password):
        log.info("console administrator %s created from settings", settings.console_admin)
    app.state.web = WebContext(
        settings,
        runtime,
        RateLimiter(settings.rate_limit_per_minute, trusted_proxies=settings.trusted_proxies),
        jobs,
    )
    app.state.metrics = Metrics(lambda: runtime.navigator.retriever.loaded_version)
    install_error_handlers(app)
    for module in (
        routes_chat,
        routes_programs,
        routes_admin,
        routes_questions,
        routes_documents,
        routes_ingest,
        routes_versions,
        routes_staff,
        routes_signin,
        routes_console,
        routes_health,
        routes_pages,
    ):
        app.include_router(module.router)
    app.include_router(routes_pages.config_router)
    app.include_router(metrics_router)
    app.mount("/static", routes_pages.static_files, name="static")

    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        # Slack's interaction payloads carry the whole message; uploads carry a whole document.
        per_path={"/slack/events": 1024 * 1024, "/admin/documents": settings.max_document_bytes + 64 * 1024},
    )
    # Inside the size limit, outside everything that reads a body: a stalled upload is cut off, and an
    # unauthenticated one is refused before any of it is read.
    app.add_middleware(
        BodyTimeout,
        idle_seconds=settings.body_idle_timeout_seconds,
        total_seconds=settings.body_timeout_seconds,
    )
    app.add_middleware(AdminAuth, settings=settings, accounts=accounts)
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(settings.cors_origins),
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        expose_headers=["Retry-After"],
        max_age=600,
    )
    app.add_middleware(SecurityHeaders)
    app.add_middleware(AccessLog)

    if attach_http is not None and attach_http(app, runtime):
        log.info("Slack events endpoint mounted at /slack/events")
    return app


def serve(settings: Settings) -> int:
    """Ingest on first start, then serve until interrupted; returns the process exit code."""
    from bot.web.bootstrap import ensure_index
    from ingest.embeddings import make_embedder
    from ingest.pipeline import IngestError

    configure_json_logging(logging.getLevelName(settings.log_level.upper()))
    # Admin work (an ingest thread, multipart parsing on the loop) is Python holding the GIL; a chat
    # thread waiting for it would wait up to the switch interval (5 ms) at every native call it
    # makes (embedding, SQLite). A shorter interval hands the GIL over sooner.
    sys.setswitchinterval(settings.gil_switch_ms / 1000)
    embedder = make_embedder(settings.embedder, settings.serve_embed_threads)
    try:
        report = ensure_index(settings, embedder)
    except IngestError as exc:
        print(f"navigator serve: cannot build the index: {exc}", file=sys.stderr)
        return 1
    if report is not None:
        print(
            f"navigator serve: first start, ingested {report.documents} document(s) "
            f"into {settings.data_dir} (version {report.version})",
            file=sys.stderr,
        )
    base = (settings.public_url or f"http://{settings.host}:{settings.port}").rstrip("/")
    print(f"navigator serve: demo page {base}/  (API: {base}/openapi.json)", flush=True)
    options = {"host": settings.host, "port": settings.port, "log_level": "warning", "access_log": False}
    if settings.web_workers > 1:
        if not settings.chroma_url:
            log.warning(
                "%s worker processes share the embedded Chroma folder: fine for answering, but re-ingest "
                "with one worker or use a Chroma server (NAVIGATOR_CHROMA_URL)",
                settings.web_workers,
            )
        # Each worker process builds its own runtime from the environment (see worker_app).
        del embedder
        uvicorn.run("bot.web.app:worker_app", factory=True, workers=settings.web_workers, **options)
        return 0
    runtime = build_runtime(settings, Retriever(settings, embedder=embedder))
    app = create_app(settings, runtime)
    warm_up(runtime)
    uvicorn.run(app, **options)
    return 0


def worker_app() -> FastAPI:
    """App factory for `NAVIGATOR_WEB_WORKERS` > 1: each uvicorn worker process calls it once."""
    from ingest.embeddings import make_embedder
    from ingest.settings import get_settings

    settings = get_settings()
    embedder = make_embedder(settings.embedder, settings.serve_embed_threads)
    runtime = build_runtime(settings, Retriever(settings, embedder=embedder))
    app = create_app(settings, runtime)
    warm_up(runtime)
    return app
