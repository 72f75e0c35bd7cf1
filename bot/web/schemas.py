"""Request and response shapes of the web API, for validation and for ``/openapi.json``.

Responses are documented with these models but returned as plain JSON: the conversation layer
already produces docs/design.md's answer from its typed Reply (``Reply.as_json``), and re-validating
it on every request would only add latency.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.answering.reply import Reply


class ChatRequest(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"message": "設備を買うためにお金を借りたい", "session_id": None}]}
    )

    message: str = Field(description="the owner's question or follow-up (Japanese or English)")
    session_id: str | None = Field(
        default=None, description="the session of an earlier answer; omit to start a new conversation"
    )


class ChatAnswer(Reply):
    """The reply (bot/answering/reply.py), with the conversation's ids."""

    session_id: str
    turn_id: int = Field(description="id of this answer, for POST /api/feedback")
    index_version: int = Field(description="the index version the whole answer was read from")


class FeedbackRequest(BaseModel):
    turn_id: int = Field(ge=1, le=2**63 - 1, description="the turn_id of the answer being rated")
    rating: Literal["up", "down", 1, -1] = Field(description='"up" / 1 (👍) or "down" / -1 (👎)')
    comment: str = Field(default="", description="optional words from the user")
    session_id: str = Field(
        max_length=64, description="the conversation the answer belongs to (the chat's session_id)"
    )


class FeedbackRecorded(BaseModel):
    feedback_id: int
    turn_id: int
    rating: Literal[1, -1]


class AskVersionRequest(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"message": "マル経融資の条件は？"}]})

    message: str = Field(description="a question, answered from the given index version and stored nowhere")


class RollbackRequest(BaseModel):
    to: int | None = Field(default=None, description="the version to make live; null: the previous one")


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorBody(BaseModel):
    error: ErrorDetail


ERRORS: dict[int | str, dict[str, object]] = {
    status: {"model": ErrorBody, "description": description}
    for status, description in {
        400: "invalid_json",
        404: "unknown_session / unknown_turn / unknown_program",
        408: "request_timeout (the body arrived too slowly)",
        413: "payload_too_large",
        422: "empty_message / message_too_long / control_characters / invalid_characters / invalid_request",
        429: "rate_limited (see Retry-After)",
        503: "index_not_ready",
    }.items()
}

# Admin endpoints add their own refusals (bot/web/admin_auth.py answers 401 before the route runs).
ADMIN_ERRORS: dict[int | str, dict[str, object]] = {
    **ERRORS,
    **{
        status: {"model": ErrorBody, "description": description}
        for status, description in {
            401: "unauthorized / admin_disabled",
            403: "csrf_failed / admins_only",
            404: "unknown_job / unknown_document / unknown_version / unknown_record / unknown_taught / unknown_feedback",
            409: "ingest_running / shipped_document / not_ready / cannot_rollback / account_refused",
            415: "unsupported_document_type",
            503: "index_not_ready / taught_unavailable",
        }.items()
    },
}
