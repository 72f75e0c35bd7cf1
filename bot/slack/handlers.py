"""What the bot does with each Slack request: mentions, DMs, `/navigator`, and button presses.

Every listener is split in two (bolt's lazy listeners): an *ack* part that only decides what to
say at once and calls `ack()`, and a *lazy* part that does the work (answering, reindexing). The app
runs with `process_before_response=True`, so the ack part runs right in the request's own thread
and the HTTP response (or the Socket Mode ack) leaves as soon as it returns; the lazy part runs in
bolt's thread pool. Slack therefore gets its answer within 3 seconds however long the navigator
takes, and even when every worker thread is busy with slow answers. The answer then goes out with
`chat.postMessage` or the command's `response_url`.

Answers come from `Conversation.respond`, exactly as on the web; a Slack thread is one conversation
(`ConversationStore.session_for_key`), so "問い合わせ先は？" in a thread refers to what the thread's
last answer cited. Feedback goes through `Conversation.feedback` with the Slack user id, the same
store the widget writes to.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.db.audit import AuditLog
from bot.runtime import Runtime
from bot.slack import blocks
from bot.slack.dedupe import SeenEvents
from bot.slack.escape import escape, question_text
from bot.store import UnknownTurn
from ingest.pipeline import IngestBusy, IngestError, IngestReport, run_ingest

log = logging.getLogger(__name__)

# What the app subscribes to; slack/manifest.yaml must list exactly these (tests check both ways).
BOT_EVENTS = ("app_mention", "message.im")
COMMAND = "/navigator"

_USER_SUBTYPES = (None, "thread_broadcast")  # message subtypes a person writes; the rest are system events
_DEFAULT_UNANSWERED = 10
_MAX_UNANSWERED = 50

HELP_JA = (
    "*Support Navigator の使い方*\n"
    "• `/navigator 質問` … 支援策をお答えします（あなただけに表示。ボタンでチャンネルに投稿できます）\n"
    "• チャンネルで @メンション して質問 … スレッドでお答えします。同じスレッドで続けて質問できます\n"
    "• DM でもそのまま質問できます\n"
    "• `/navigator unanswered` … 最近回答できなかった質問の一覧\n"
    "• `/navigator reindex` … knowledge/ を取り込み直します（管理者のみ）"
)
REFUSAL = (
    "申し訳ありません。`/navigator reindex` は管理者として登録された方だけが実行できます。"
    "必要な場合は担当の管理者にご依頼ください。\n"
    "Sorry, only registered administrators can run `/navigator reindex`. Please ask one of them."
)
UNAVAILABLE = (
    "申し訳ありません。ただいま回答を用意できません。しばらくしてからもう一度お試しください。\n"
    "Sorry, I cannot answer right now. Please try again in a moment."
)


class SlackHandlers:
    """The listeners of one bolt app, bound to one runtime (navigator, store, conversation)."""

    def __init__(
        self,
        runtime: Runtime,
        seen: SeenEvents,
        ingest: Callable[..., IngestReport] | None = None,
    ) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.store = runtime.store
        self.seen = seen
        self.ingest = ingest

    def register(self, app: App) -> None:
        """Wire every listener (ack part, lazy part); keep in step with BOT_EVENTS, COMMAND and the manifest."""
        app.use(self.skip_repeated_events)
        app.event("app_mention")(ack=_acknowledge, lazy=[self.on_mention])
        app.event("message", matchers=[_is_direct_message])(ack=_acknowledge, lazy=[self.on_direct_message])
        app.command(COMMAND)(ack=self.ack_command, lazy=[self.on_command])
        app.action(blocks.FEEDBACK_UP)(ack=_acknowledge, lazy=[self.on_feedback])
        app.action(blocks.FEEDBACK_DOWN)(ack=_acknowledge, lazy=[self.on_feedback])
        app.action(blocks.SHARE)(ack=_acknowledge, lazy=[self.on_share])
        app.action(blocks.DETAILS)(ack=_acknowledge, lazy=[self.on_details])
        app.action(re.compile(rf"^{blocks.SUGGEST_PREFIX}\d+$"))(ack=_acknowledge, lazy=[self.on_suggestion])

    # --- middleware ----------------------------------------------------------------------------
    def skip_repeated_events(self, req: BoltRequest, body: dict[str, Any], next: Callable[[], Any]) -> Any:
        """Acknowledge a redelivered event (same event_id) without handling it again.

        Runs after bolt's signature check, so an unsigned request cannot claim an event id.
        """
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not self.seen.claim(f"event:{event_id}"):
            retry = (req.headers.get("x-slack-retry-num") or [None])[0]
            log.info("skipping repeated Slack event %s (retry %s)", event_id, retry)
            return BoltResponse(status=200, body="")
        return next()

    # --- events --------------------------------------------------------------------------------
    def on_mention(
        self, event: dict[str, Any], body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """`@navigator question` in a channel: answer in the thread (started here if need be)."""
        if _from_bot(event):
            return
        self._answer_message(event, body, context, client, thread_ts=event.get("thread_ts") or event["ts"])

    def on_direct_message(
        self, event: dict[str, Any], body: dict[str, Any], context: BoltContext, client: WebClient
    ) -> None:
        """A DM: answer in place (top level stays top level, a thread reply stays in its thread)."""
        if _from_bot(event) or event.get("subtype") not in _USER_SUBTYPES:
            return
        self._answer_message(event, body, context, client, thread_ts=event.get("thread_ts"))

    def _answer_message(
        self,
        event: dict[str, Any],
        body: dict[str, Any],
        context: BoltContext,
        client: WebClient,
        thread_ts: str | None,
    ) -> None:
        channel = event["channel"]
        team = body.get("team_id") or context.team_id or ""
        keys = [f"message:{team}:{channel}:{event['ts']}"]
        if event.get("client_msg_id"):
            keys.append(f"client_msg:{event['client_msg_id']}")
        if not self.seen.claim(*keys):  # the same message delivered as app_mention and message.im
            return
        question = question_text(event.get("text") or "", context.bot_user_id)
        user = event.get("user")
        if not question:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=HELP_JA)
            return
        if len(question) > self.settings.max_message_chars:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=self._too_long())
            return
        session = self.store.session_for_key("slack", f"slack:{team}:{channel}:{thread_ts or 'im'}")
        reply = self._respond(question, session, user)
        if reply is None:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=UNAVAILABLE)
            return
        client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=blocks.fallback_text(reply),
            blocks=blocks.answer_blocks(reply),
            unfurl_links=False,
            unfurl_media=False,
        )

    # --- the slash command ---------------------------------------------------------------------
    def plan_command(self, command: dict[str, Any]) -> CommandPlan:
        """What `/navigator ...` asks for; the ack part and the lazy part both read it from here."""
        text = question_text(command.get("text") or "")
        word, _, rest = text.partition(" ")
        word = word.lower()
        user = command.get("user_id") or ""
        if word in ("", "help", "ヘルプ"):
            return CommandPlan("help", text, user)
        if word == "unanswered":
            return CommandPlan("unanswered", rest.strip(), user)
        if word == "reindex" and not rest:
            return CommandPlan(
                "reindex" if user in self.settings.slack_admin_users else "refused", text, user
            )
        if len(text) > self.settings.max_message_chars:
            return CommandPlan("too_long", text, user)
        return CommandPlan("question", text, user)

    def ack_command(self, ack: Ack, command: dict[str, Any]) -> None:
        """The immediate, private reply: help, the unanswered list, a refusal, or "working on it"."""
        plan = self.plan_command(command)
        if plan.kind == "help":
            ack(response_type="ephemeral", text=HELP_JA)
        elif plan.kind == "unanswered":
            limit = int(plan.text) if plan.text.isdigit() else _DEFAULT_UNANSWERED
            rows = self.store.unanswered(max(1, min(limit, _MAX_UNANSWERED)))
            ack(response_type="ephemeral", text="Unanswered questions", blocks=blocks.unanswered_blocks(rows))
        elif plan.kind == "refused":
            log.warning("refused /navigator reindex from %s", plan.user)
            ack(response_type="ephemeral", text=REFUSAL)
        elif plan.kind == "reindex":
            ack(
                response_type="ephemeral",
                text="🔄 knowledge/ の再インデックスを開始しました… / Reindexing knowledge/…",
            )
        elif plan.kind == "too_long":
            ack(response_type="ephemeral", text=self._too_long())
        else:
            ack(response_type="ephemeral", text=f"🔎 {escape(plan.text)}")

    def on_command(self, command: dict[str, Any], respond: Respond) -> None:
        """The slow part of `/navigator`: a reindex by an admin, or the answer only the caller sees."""
        plan = self.plan_command(command)
        if plan.kind == "reindex":
            self._reindex(respond, plan.user)
            return
        if plan.kind != "question":  # everything else was said in the ack; nothing more runs
            return
        team = command.get("team_id") or ""
        session = self.store.session_for_key(
            "slack", f"slack:{team}:{command.get('channel_id')}:command:{plan.user}"
        )
        _answer_privately(respond, self._respond(plan.text, session, plan.user))

    def _reindex(self, respond: Respond, user: str) -> None:
        """Re-ingest knowledge/ and post the report to the channel (who ran it, what changed)."""
        AuditLog(self.store.db).record(f"slack:{user}", "reingest", "knowledge")
        try:
            ingest = self.ingest or run_ingest  # looked up at call time: tests may slow it down
            report = ingest(self.settings, embedder=self.runtime.navigator.retriever.embedder)
        except IngestBusy as exc:
            respond(response_type="ephemeral", replace_original=False, text=f"⏳ {escape(str(exc))}")
            return
        except IngestError as exc:
            failed = exc.report.to_dict() if exc.report else {"errors": []}
            lines = [
                f"*再インデックスに失敗しました。公開中の索引はそのままです / Reindex failed; the live index is unchanged*: {escape(str(exc))}"
            ]
            lines += [
                f"• `{escape(str(e.get('file')))}`: {escape(str(e.get('error')))}"
                for e in failed["errors"][:20]
            ]
            respond(
                response_type="in_channel",
                replace_original=False,
                text="Reindex failed",
                blocks=blocks.sections("\n".join(lines)),
            )
            return
        except Exception:
            log.exception("reindex failed")
            respond(
                response_type="ephemeral", replace_original=False, text="Reindex failed; see the server log."
            )
            return
        report_dict = report.to_dict()
        respond(
            response_type="in_channel",
            replace_original=False,
            text=blocks.report_text(report_dict),
            blocks=blocks.report_blocks(report_dict, user),
        )

    # --- buttons -------------------------------------------------------------------------------
    def on_feedback(self, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        """👍/👎: stored like the widget's feedback, with the Slack user id and channel "slack"."""
        rating = 1 if action.get("action_id") == blocks.FEEDBACK_UP else -1
        user = (body.get("user") or {}).get("id")
        try:
            turn_id, session_id = blocks.parse_feedback_value(action.get("value") or "")
            self.runtime.conversation.feedback(
                turn_id, rating, session_id=session_id, user=user, channel="slack"
            )
        except (ValueError, UnknownTurn):
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="この回答は見つかりませんでした。 / That answer no longer exists.",
            )
            return
        turn = self.store.turn(turn_id) or {}
        english = (turn.get("language") or "ja") == "en"
        thanks = (
            ("Thank you for the feedback." if rating > 0 else "Thank you; staff will review this answer.")
            if english
            else (
                "フィードバックありがとうございます。"
                if rating > 0
                else "ありがとうございます。担当者がこの回答を見直します。"
            )
        )
        respond(response_type="ephemeral", replace_original=False, text=thanks)

    def on_share(self, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        """The "post to channel" button of a private answer: post it for all, remove the private copy."""
        turn = self._pressed_turn(action, respond)
        if turn is None:
            return
        reply = {**turn["reply"], "turn_id": turn["id"]}
        user = (body.get("user") or {}).get("id")
        respond(
            response_type="in_channel",
            replace_original=False,
            text=blocks.fallback_text(reply),
            blocks=blocks.answer_blocks(reply, question=turn["question"], asked_by=user),
        )
        respond(delete_original=True)

    def on_details(
        self, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        """「詳しく / More」: the answer's details, posted in its thread (privately for a private answer)."""
        turn = self._pressed_turn(action, respond)
        if turn is None:
            return
        reply = {**turn["reply"], "turn_id": turn["id"]}
        payload = {"text": blocks.fallback_text(reply), "blocks": blocks.details_blocks(reply)}
        if (body.get("container") or {}).get("is_ephemeral"):
            respond(response_type="ephemeral", replace_original=False, **payload)
            return
        channel = (body.get("channel") or {}).get("id") or ""
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts") or message.get("ts")
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False, **payload)
        except SlackApiError as exc:
            log.info("chat.postMessage failed (%s); details through response_url", exc.response.get("error"))
            respond(response_type="ephemeral", replace_original=False, **payload)

    def on_suggestion(
        self, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        """A suggestion button: ask it in the same conversation and answer where the button was."""
        try:
            data = json.loads(action.get("value") or "{}")
            question = str(data["q"])
            turn = self._turn(data.get("turn"))
        except (ValueError, KeyError, TypeError):
            log.warning("malformed suggestion value %r", action.get("value"))
            return
        user = (body.get("user") or {}).get("id")
        session = turn["session_id"] if turn else self.store.create_session("slack")
        reply = self._respond(question, session, user)
        if (body.get("container") or {}).get("is_ephemeral"):
            _answer_privately(respond, reply, question=question)
            return
        channel = (body.get("channel") or {}).get("id") or ""
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts") or (None if channel.startswith("D") else message.get("ts"))
        payload: dict[str, Any] = (
            {"text": UNAVAILABLE}
            if reply is None
            else {
                "text": blocks.fallback_text(reply),
                "blocks": blocks.answer_blocks(reply, question=question, asked_by=user),
            }
        )
        try:
            client.chat_postMessage(channel=channel, thread_ts=thread_ts, unfurl_links=False, **payload)
        except SlackApiError as exc:  # e.g. a shared answer in a channel the bot has not joined
            log.info(
                "chat.postMessage failed (%s); answering through response_url", exc.response.get("error")
            )
            respond(response_type="in_channel", replace_original=False, **payload)

    # --- helpers -------------------------------------------------------------------------------
    def _pressed_turn(self, action: dict[str, Any], respond: Respond) -> dict[str, Any] | None:
        """The stored turn a button names, or None after telling the presser it is gone."""
        turn = self._turn(action.get("value"))
        if turn is None:
            respond(
                response_type="ephemeral",
                replace_original=False,
                text="この回答は見つかりませんでした。 / That answer no longer exists.",
            )
        return turn

    def _respond(self, question: str, session_id: str, user: str | None) -> dict[str, Any] | None:
        """The navigator's answer, or None (logged) when it cannot answer (no index, a crash)."""
        try:
            return self.runtime.conversation.respond(question, session_id, channel="slack")
        except Exception:
            log.exception("could not answer a Slack question")
            return None

    def _turn(self, value: Any) -> dict[str, Any] | None:
        try:
            return self.store.turn(int(value))
        except (TypeError, ValueError):
            return None

    def _too_long(self) -> str:
        limit = self.settings.max_message_chars
        return f"質問が長すぎます（{limit}文字まで）。短くしてもう一度お送りください。 / Please keep questions under {limit} characters."


@dataclass(frozen=True)
class CommandPlan:
    kind: str  # help | unanswered | reindex | refused | too_long | question
    text: str
    user: str


def _acknowledge(ack: Ack) -> None:
    """The ack part of listeners whose reply comes later (events, buttons): a bare 200 at once."""
    ack()


def _is_direct_message(event: dict[str, Any]) -> bool:
    """`message.im` only: the app subscribes to no other message events."""
    return event.get("channel_type") == "im"


def _from_bot(event: dict[str, Any]) -> bool:
    """Other bots' (and our own) messages are never answered: no loops between bots."""
    return bool(event.get("bot_id") or event.get("bot_profile") or event.get("subtype") == "bot_message")


def _answer_privately(respond: Respond, reply: dict[str, Any] | None, question: str | None = None) -> None:
    """An answer only the asker sees (slash command, or a suggestion pressed under one), with the
    button to share it; a short apology when no answer could be made."""
    if reply is None:
        respond(response_type="ephemeral", replace_original=False, text=UNAVAILABLE)
        return
    respond(
        response_type="ephemeral",
        replace_original=False,
        text=blocks.fallback_text(reply),
        blocks=blocks.answer_blocks(reply, question=question, share=True),
    )
