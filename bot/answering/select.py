"""The question-answering service every channel (CLI, web, Slack) calls."""

from __future__ import annotations

import re

from bot.answering.index import Hit, LoadedIndex, SearchResult
from bot.answering.question import Question
from bot.answering.retrieve import Retriever
from bot.answering.scope import out_of_scope
from bot.taught import TaughtQuestions
from ingest.records import Record
from ingest.settings import Settings

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
        # words that ask for anything at all ("なんか使える支援ない？", "what kind of support can I
        # get?"), as tokenize() gives them: Sudachi's normalised forms, kana folded
        "使う",
        "有る",
        "有ル",
        "無い",
        "無イ",
        "為る",
        "為ル",
        "何か",
        "ナンカ",
        "相談",
        "色々",
        "所",
        "ミタイ",
        "貰える",
        "出来る",
        "kind",
        "get",
        "hi",
        "hello",
        "available",
        "offer",
    ]
)


class Navigator:
    def __init__(
        self,
        settings: Settings,
        retriever: Retriever | None = None,
        taught: TaughtQuestions | None = None,
    ) -> None:
        self.settings = settings
        self.retriever = retriever or Retriever(settings)
        self.taught = taught

    def search(self, question: Question | str, index: LoadedIndex | None = None) -> SearchResult:
        """Retrieval, then scope: a household's or a person's need is not covered even when it
        shares words with a business program (bot/answering/scope.py). A question staff taught
        (bot/taught.py) is answered by the records they chose, first, whatever retrieval found."""
        question = Question.of(question)
        index = index or self.retriever.index()
        result = self.retriever.search(question, index=index)
        taught = self._taught(question, index)
        if taught:
            first = [
                Hit(
                    record=index.records[rid],
                    score=1.0,
                    dense=1.0,
                    keyword=result.signals["keyword_top"],
                    taught=True,
                )
                for rid in taught
            ]
            result.hits = first + [h for h in result.hits if h.record.id not in taught]
            result.covered = True
            result.scope = None
            result.signals["taught"] = taught
            return result
        # the owner named a program by an alias, a document by words of its title, or spoke only in
        # the knowledge's own words with keyword evidence enough to cover the question (a document's
        # 個別相談会 asked for as it is written): the model must be surer before declining
        signals = result.signals
        names_program = (
            signals["alias_top"] >= self.settings.min_alias_chars
            or any(h.title > 0 for h in result.hits[:3])
            or (
                signals["query_terms"] > 0
                and signals["known_terms"] == signals["query_terms"]
                and signals["keyword_top"] >= self.settings.min_keyword
            )
        )
        scope = out_of_scope(question, covered=result.covered, names_program=names_program)
        if scope is not None:
            result.covered = False
            result.scope = scope
        return result

    def _taught(self, question: Question, index: LoadedIndex) -> list[str]:
        """The taught records of this question that the index version holds (a rollback to a
        version without them skips them)."""
        if self.taught is None:
            return []
        return list(dict.fromkeys(rid for rid in self.taught.match(question.normal) if rid in index.records))

    def measures(self, index: LoadedIndex | None = None) -> list[Record]:
        index = index or self.retriever.index()
        return sorted(
            (r for r in index.records.values() if r.kind == "measure"),
            key=lambda r: [int(p) if p.isdigit() else p for p in re.split(r"[-]", r.id)],
        )

    def is_vague(self, question: Question, result: SearchResult) -> bool:
        if result.signals["alias_top"] > 0 or result.signals.get("taught"):
            return False
        text = question.normal
        short = len(text.split()) <= 8 if text.isascii() else len(text) <= 30  # English in words
        return all(t in _VAGUE for t in question.tokens) and short
