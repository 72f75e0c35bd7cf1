"""Save the navigator's replies to a fixed sample of questions, to show a change's before and after.

    .venv/bin/python scripts/snapshot_answers.py eval/snapshots/answers-before-issue-21.json

The sample is every n-th question of eval/questions.yaml and eval/documents.yaml (30 in all), asked
through the conversation path on a scratch index of the shipped knowledge plus the documents set's
folders, with the documents set's `today`. The JSON keeps each reply whole (answer, verdict,
citations, contacts), so that lengths, contacts and wording can be compared later.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

from bot.answering.conversation import Conversation
from bot.answering.retrieve import Retriever
from bot.answering.select import Navigator
from bot.db import open_database
from bot.evaluation import load_question_set, scratch_knowledge
from bot.store import ConversationStore
from ingest.embeddings import make_embedder
from ingest.pipeline import run_ingest
from ingest.settings import REPO_ROOT, Settings

SAMPLE = 30


def main(out: Path) -> int:
    plan = load_question_set(REPO_ROOT / "eval" / "questions.yaml").questions
    documents = load_question_set(REPO_ROOT / "eval" / "documents.yaml")
    sample = (
        plan[:: max(len(plan) // 20, 1)][:20]
        + documents.questions[:: max(len(documents.questions) // 10, 1)][:10]
    )
    settings = Settings()
    embedder = make_embedder(settings.embedder, settings.embed_threads)
    with tempfile.TemporaryDirectory(prefix="navigator-snapshot-") as tmp:
        scratch = scratch_knowledge(settings, documents, Path(tmp))
        run_ingest(scratch, embedder=embedder)
        navigator = Navigator(scratch, Retriever(scratch, embedder=embedder))
        conversation = Conversation(navigator, ConversationStore(open_database(scratch)))
        replies = [{"q": q.q, "reply": conversation.respond(q.q)} for q in sample[:SAMPLE]]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(replies, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    print(f"snapshot: {len(replies)} replies in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1])))
