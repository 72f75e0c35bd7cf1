"""The question-answering service every channel (CLI, web, Slack) calls."""

from __future__ import annotations

import re

from bot.retrieval import LoadedIndex, Retriever, SearchResult
from bot.scope import out_of_scope
from ingest.records import Record
from ingest.settings import Settings
from ingest.textnorm import is_japanese, normalize, tokenize

# Words that name no topic: a question made only of these is too vague to pick programs.
_VAGUE = frozenset(
    [
        "支援",
        "助ける",
        "助け",
        "困る",
        "受ける",
        "利用",
        "制度",
        "補助",
        "サポート",
        "事業",
        "会社",
        "中小企業",
        "経営",
        "お願い",
        "ヘルプ",
        "手伝う",
        "情報",
        "help",
        "support",
        "assistance",
        "info",
        "information",
        "business",
        "company",
        "program",
        "programs",
        "something",
    ]
)


def detect_language(text: str) -> str:
    return "ja" if is_japanese(text) else "en"


class Navigator:
    def __init__(self, settings: Settings, retriever: Retriever | None = None) -> None:
        self.settings = settings
        self.retriever = retriever or Retriever(settings)

    def search(self, question: str, index: LoadedIndex | None = None) -> SearchResult:
        """Retrieval, then the scope rule: a household's or a person's need is not covered even
        when it shares words with a business program (bot/scope.py)."""
        result = self.retriever.search(question, index=index)
        scope = out_of_scope(normalize(question))
        if scope is not None:
            result.covered = False
            result.scope = scope
        return result

    def measures(self, index: LoadedIndex | None = None) -> list[Record]:
        index = index or self.retriever.index()
        return sorted(
            (r for r in index.records.values() if r.kind == "measure"),
            key=lambda r: [int(p) if p.isdigit() else p for p in re.split(r"[-]", r.id)],
        )

    def is_vague(self, question: str, result: SearchResult) -> bool:
        if result.signals["alias_top"] > 0:
            return False
        tokens = tokenize(question)
        return all(t in _VAGUE for t in tokens) and len(normalize(question)) <= 30
