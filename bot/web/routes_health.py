"""GET /healthz (the process answers) and GET /readyz (the index is loaded and a query runs).

Two probes because they fail for different reasons: a live process with no index should be kept
running (an ingest will fix it) but taken out of a load balancer's rotation.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from bot.answering.index import IndexNotReady
from bot.web.context import context
from bot.web.errors import error_response
from bot.web.schemas import ErrorBody
from ingest.embeddings import EmbedderMismatch

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="The process is up")
async def healthz() -> JSONResponse:
    return JSONResponse({"status": "ok"})


@router.get(
    "/readyz",
    summary="The index is loaded and answers a query",
    responses={503: {"model": ErrorBody, "description": "index_not_ready"}},
)
def readyz(request: Request) -> JSONResponse:
    navigator = context(request).runtime.navigator
    try:
        result = navigator.search("マル経融資")
        index = navigator.retriever.index()
    except (IndexNotReady, EmbedderMismatch) as exc:
        return error_response(503, "index_not_ready", str(exc))
    return JSONResponse(
        {
            "status": "ready",
            "index_version": index.number,
            "records": len(index.records),
            "embedder": index.embedder,
            "query_ok": bool(result.hits),
        }
    )
