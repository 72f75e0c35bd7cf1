"""The parts a running process shares, built once: retriever, navigator, conversation store."""

from __future__ import annotations

from dataclasses import dataclass

from bot.answering.conversation import Conversation
from bot.answering.retrieve import Retriever
from bot.answering.select import Navigator
from bot.db import open_database
from bot.store import ConversationStore
from bot.taught import TaughtQuestions
from ingest.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    navigator: Navigator
    store: ConversationStore
    conversation: Conversation


def build_runtime(settings: Settings, retriever: Retriever | None = None) -> Runtime:
    retriever = retriever or Retriever(settings)
    database = open_database(settings)
    taught = TaughtQuestions(database, retriever.embedder, settings.taught_similarity)
    navigator = Navigator(settings, retriever, taught)
    store = ConversationStore(database, settings.retention_days)
    return Runtime(settings, navigator, store, Conversation(navigator, store))
