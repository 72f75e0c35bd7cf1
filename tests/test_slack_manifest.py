"""slack/manifest.yaml and the bolt app agree: every subscribed event and command is handled, and
every listener the app registers is for something the manifest subscribes to."""

from __future__ import annotations

import pytest
import yaml
from slack_bolt import BoltRequest, BoltResponse

from bot.runtime import build_runtime
from bot.slack import blocks
from bot.slack.app import build_app
from bot.slack.handlers import BOT_EVENTS, COMMAND
from bot.slack.http import EVENTS_PATH
from ingest.settings import REPO_ROOT
from tests.slack_standin import (
    SlackStandIn,
    action_body,
    command_body,
    direct_message,
    event_body,
    mention,
    running_bot,
    slack_settings,
)

MANIFEST = yaml.safe_load((REPO_ROOT / "slack" / "manifest.yaml").read_text(encoding="utf-8"))
EVENTS = MANIFEST["settings"]["event_subscriptions"]["bot_events"]
COMMANDS = [c["command"] for c in MANIFEST["features"]["slash_commands"]]
SCOPES = set(MANIFEST["oauth_config"]["scopes"]["bot"])
# the scope Slack requires for each event we might subscribe to
EVENT_SCOPES = {
    "app_mention": "app_mentions:read",
    "message.im": "im:history",
    "message.channels": "channels:history",
}
NOT_SUBSCRIBED = [
    "message.channels",
    "message.groups",
    "message.mpim",
    "reaction_added",
    "member_joined_channel",
    "app_home_opened",
    "app_uninstalled",
    "team_join",
]


def event_for(name: str) -> dict:
    """A minimal event of a manifest event name (`message.im` is a message with channel_type im)."""
    if name == "app_mention":
        return mention("")  # a bare mention: the bot answers with its help
    if name.startswith("message."):
        channel_type = {"channels": "channel", "groups": "group"}.get(name[8:], name[8:])
        return {**direct_message(""), "channel_type": channel_type}
    return {"type": name, "user": "U0001", "event_ts": "1.1"}


def action_ids() -> list[str]:
    return [
        blocks.FEEDBACK_UP,
        blocks.FEEDBACK_DOWN,
        blocks.SHARE,
        blocks.DETAILS,
        blocks.SUGGEST_PREFIX + "0",
    ]


def test_the_manifest_parses_and_lists_exactly_what_the_code_subscribes_to():
    assert MANIFEST["display_information"]["name"]
    assert sorted(EVENTS) == sorted(BOT_EVENTS)
    assert COMMANDS == [COMMAND]
    for event in EVENTS:
        assert EVENT_SCOPES[event] in SCOPES
    assert {"commands", "chat:write"} <= SCOPES
    assert MANIFEST["settings"]["interactivity"]["is_enabled"] is True  # the buttons need it
    assert MANIFEST["features"]["app_home"]["messages_tab_enabled"] is True  # DMs to the bot
    assert MANIFEST["features"]["app_home"]["messages_tab_read_only_enabled"] is False
    urls = [
        MANIFEST["settings"]["event_subscriptions"]["request_url"],
        MANIFEST["settings"]["interactivity"]["request_url"],
        *(c["url"] for c in MANIFEST["features"]["slash_commands"]),
    ]
    assert all(url.endswith(EVENTS_PATH) for url in urls)


@pytest.fixture
def bot(built_index, navigator, tmp_path):
    with running_bot(built_index, navigator.retriever, tmp_path / "data") as harness:
        yield harness


def test_every_manifest_event_and_command_is_handled_and_nothing_else_is(bot):
    for name in EVENTS:
        assert bot.event(event_for(name)).status_code == 200, name
    for name in NOT_SUBSCRIBED:
        assert bot.event(event_for(name)).status_code == 404, name  # bolt: no listener for it
    for command in COMMANDS:
        body = command_body("help", bot.standin.response_url()).replace(
            "%2Fnavigator", command.replace("/", "%2F")
        )
        assert bot.post(body, content_type="application/x-www-form-urlencoded").status_code == 200, command
    other = command_body("help", bot.standin.response_url()).replace("%2Fnavigator", "%2Fother")
    assert bot.post(other, content_type="application/x-www-form-urlencoded").status_code == 404
    for action_id in action_ids():
        assert bot.action(action_id, "0", bot.standin.response_url()).status_code == 200, action_id
    assert bot.action("somebody_elses_button", "0", bot.standin.response_url()).status_code == 404


def test_every_listener_of_the_bolt_app_serves_something_in_the_manifest(built_index, navigator, tmp_path):
    standin = SlackStandIn()
    try:
        settings = slack_settings(built_index, standin, tmp_path / "data")
        app = build_app(build_runtime(settings, retriever=navigator.retriever))
        form = "application/x-www-form-urlencoded"
        requests = [
            BoltRequest(body=event_body(event_for(name)), headers={"content-type": ["application/json"]})
            for name in EVENTS
        ]
        requests += [
            BoltRequest(
                body=command_body("help", "http://x").replace("%2Fnavigator", c.replace("/", "%2F")),
                headers={"content-type": [form]},
            )
            for c in COMMANDS
        ]
        requests += [
            BoltRequest(body=action_body(a, "0", "http://x"), headers={"content-type": [form]})
            for a in action_ids()
        ]
        listeners = app._listeners  # bolt keeps no public list of them
        assert listeners
        for listener in listeners:
            assert any(listener.matches(req=r, resp=BoltResponse(status=200)) for r in requests), (
                listener.ack_function
            )
        # and an unsubscribed event matches none of them
        stray = BoltRequest(
            body=event_body(event_for("message.channels")), headers={"content-type": ["application/json"]}
        )
        assert not any(listener.matches(req=stray, resp=BoltResponse(status=200)) for listener in listeners)
    finally:
        standin.close()
