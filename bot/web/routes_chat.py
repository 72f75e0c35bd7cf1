"""POST /api/chat and POST /api/feedback: the conversation, exposed as docs/design.md specifies.

The handlers are plain ``def``: answering is CPU work (embedding, ranking) plus SQLite, so FastAPI
runs them in its thread pool and the event loop keeps accepting connections meanwhile.
"""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from bot.answering.index import IndexNotReady
from bot.store import UnknownSession, UnknownTurn
from bot.web.context import context, rate_limited
from bot.web.errors import ApiError
from bot.web.observability import note_answer
from bot.web.schemas import ERRORS, ChatAnswer, ChatRequest, FeedbackRecorded, FeedbackRequest
from bot.web.validation import clean_text, is_clean_id
from ingest.embeddings import EmbedderMismatch

router = APIRouter(tags=["chat"])

_RATINGS = {"up": 1, "down": -1, 1: 1, -1: -1}


@router.post(
    "/api/chat",
    response_model=ChatAnswer,
    responses=ERRORS,
    summary="Answer a question or a follow-up",
    dependencies=[Depends(rate_limited)],
)
def chat(body: ChatRequest, request: Request) -> JSONResponse:
    ctx = context(request)
    message = clean_text(body.message, ctx.settings.max_message_chars)
    session_id = body.session_id or None
    if session_id is not None and not is_clean_id(session_id):
        raise _unknown_session()
    try:
        reply = ctx.runtime.conversation.respond(message, session_id, channel="web")
    except UnknownSession as exc:
        raise _unknown_session() from exc
    except (IndexNotReady, EmbedderMismatch) as exc:
        raise ApiError(503, "index_not_ready", str(exc)) from exc
    note_answer(request, message, reply)
    return JSONResponse(reply)


@router.post(
    "/api/feedback",
    status_code=201,
    response_model=FeedbackRecorded,
    responses=ERRORS,
    summary="Rate an answer 👍 or 👎, with an optional comment",
    dependencies=[Depends(rate_limited)],
)
def feedback(body: FeedbackRequest, request: Request) -> JSONResponse:
    ctx = context(request)
    comment = clean_text(body.comment, ctx.settings.max_message_chars, field="comment", required=False)
    rating = _RATINGS[body.rating]
    if body.session_id is not None and not is_clean_id(body.session_id):
        raise ApiError(404, "unknown_turn", f"no answer {body.turn_id} in this conversation")
    try:
        feedback_id = ctx.runtime.conversation.feedback(
            body.turn_id, rating, comment, session_id=body.session_id, channel="web"
        )
    except UnknownTurn as exc:
        raise ApiError(404, "unknown_turn", f"no answer {body.turn_id} in this conversation") from exc
    return JSONResponse(
        {"feedback_id": feedback_id, "turn_id": body.turn_id, "rating": rating}, status_code=201
    )


def _unknown_session() -> ApiError:
    return ApiError(
        404, "unknown_session", "this conversation is not known (it may have expired); start a new one"
    )
