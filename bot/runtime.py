"""The parts a running process shares, built once: retriever, navigator, conversation store."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from bot.answering.conversation import Conversation
from bot.answering.index import IndexNotReady
from bot.answering.question import Question
from bot.answering.retrieve import Retriever
from bot.answering.scope_model import scope_model
from bot.answering.select import Navigator
from bot.db import open_database
from bot.store import ConversationStore
from bot.taught import TaughtQuestions
from ingest.embeddings import EmbedderMismatch
from ingest.settings import Settings

log = logging.getLogger(__name__)


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


def warm_up(runtime: Runtime) -> None:
    """Load before the first request what it would otherwise load (the index's arrays, Sudachi's
    dictionary, the scope model: seconds, not milliseconds), then freeze the garbage collector's
    view of everything loaded so far. The loaded index is hundreds of thousands of long-lived
    objects; without the freeze every full collection walks them all, a pause of ~0.1 s that falls
    on whichever answers are running (docs/performance.md)."""
    scope_model()
    Question.parse("設備を入れたい")
    try:
        runtime.navigator.search("マル経融資")
    except (IndexNotReady, EmbedderMismatch) as exc:  # served anyway: /readyz says why
        log.warning("warm-up skipped: %s", exc)
    gc.collect()
    gc.freeze()
