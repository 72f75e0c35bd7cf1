"""`navigator eval`: retrieval and answer quality on question sets, beside a naive baseline.

Both systems are built fresh in a temporary folder from the same knowledge and the same embedder,
so the numbers compare retrieval designs, not index states. A question that should be answered
but is declined (no-match or clarify) counts as a miss at every k.

A question file is either a list of questions (the plan's set) or a mapping with `questions`,
`documents` (folders added to the knowledge for this evaluation) and `today` (the date application
periods are judged on). Questions about documents name the expected `document` and the `fact` that
must be inside the answer's quoted span; those are asked through the whole conversation path
(retrieval, quote selection, composer), as an owner would.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import time
import unicodedata
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import yaml
from langchain_core.embeddings import Embeddings

from bot.answering.conversation import Conversation
from bot.answering.index import LoadedIndex
from bot.answering.question import Question as Parsed
from bot.answering.retrieve import Retriever
from bot.answering.select import Navigator
from bot.db import open_database
from bot.reply_shape import ReplyShape
from bot.store import ConversationStore
from ingest.embeddings import make_embedder
from ingest.knowledge import load_knowledge
from ingest.loaders import SUPPORTED_SUFFIXES, load_text
from ingest.pipeline import discover, load_records, run_ingest
from ingest.settings import REPO_ROOT, Settings
from ingest.textnorm import normalize

DEFAULT_QUESTIONS = REPO_ROOT / "eval" / "questions.yaml"
DEFAULT_SETS = (DEFAULT_QUESTIONS, REPO_ROOT / "eval" / "documents.yaml", REPO_ROOT / "eval" / "sheets.yaml")


@dataclass
class Question:
    q: str
    expect: list[str]
    lang: str = "ja"
    document: str | None = None  # the expected document id (its passages count)
    fact: str = ""  # must appear in the answer's quoted span
    kind: str = ""
    verdict: str = ""
    documents: list[str] = field(default_factory=list)  # every accepted document (``document`` first)
    facts: list[str] = field(default_factory=list)  # every accepted wording of the fact (``fact`` first)
    holdout: bool = False  # in the set-aside part: reported beside the rest, never tuned on

    @property
    def covered(self) -> bool:
        return bool(self.expect or self.document)


@dataclass
class QuestionSet:
    questions: list[Question]
    documents: list[Path] = field(default_factory=list)
    today: str | None = None


@dataclass
class Outcome:
    question: Question
    ranked: list[str]
    declined: bool
    verdict: str = ""  # yes | partial | none, as the answer would say it

    @property
    def rank(self) -> int | None:
        if self.declined:
            return None
        return next((i + 1 for i, rid in enumerate(self.ranked) if rid in self.question.expect), None)


@dataclass
class Metrics:
    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    shape: ReplyShape | None = None  # the navigator's whole replies, when it answered them

    def _covered(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.question.expect]

    def hit_at(self, k: int) -> float:
        covered = self._covered()
        return sum(1 for o in covered if o.rank is not None and o.rank <= k) / max(len(covered), 1)

    def mrr(self) -> float:
        covered = self._covered()
        return sum(1 / o.rank for o in covered if o.rank) / max(len(covered), 1)

    def no_match_precision(self) -> float:
        declined = [o for o in self.outcomes if o.declined]
        return sum(1 for o in declined if not o.question.expect) / max(len(declined), 1)

    def no_match_recall(self) -> float:
        uncovered = [o for o in self.outcomes if not o.question.expect]
        return sum(1 for o in uncovered if o.declined) / max(len(uncovered), 1)

    def wrongly_declined(self) -> float:
        covered = self._covered()
        return sum(1 for o in covered if o.declined) / max(len(covered), 1)

    def verdict_right(self) -> float | None:
        labelled = [o for o in self.outcomes if o.question.verdict]
        if not labelled:
            return None
        return sum(1 for o in labelled if o.verdict == o.question.verdict) / len(labelled)

    def row(self) -> dict[str, float]:
        row = {
            "hit@1": self.hit_at(1),
            "hit@3": self.hit_at(3),
            "MRR": self.mrr(),
            "no-match precision": self.no_match_precision(),
            "no-match recall": self.no_match_recall(),
            "covered wrongly declined": self.wrongly_declined(),
        }
        if (verdicts := self.verdict_right()) is not None:
            row["verdict kind right"] = verdicts
        row["ms/question"] = 1000 * self.seconds / max(len(self.outcomes), 1)
        return row


def load_questions(path: Path) -> list[Question]:
    return load_question_set(path).questions


def load_question_set(path: Path) -> QuestionSet:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    items = raw.get("questions", []) if isinstance(raw, dict) else raw
    questions = [_question(i) for i in items]
    if not isinstance(raw, dict):
        return QuestionSet(questions)
    # `uploads` are folders of documents as published (real PDFs); like `documents`, they are added
    # to the scratch knowledge for this evaluation.
    folders = [path.parent / str(f) for f in [*(raw.get("documents") or []), *(raw.get("uploads") or [])]]
    return QuestionSet(questions, folders, str(raw["today"]) if raw.get("today") else None)


def _as_list(value: Any) -> list[str]:
    """A YAML value that is one string, a list of them, or absent."""
    if value is None or value == "":
        return []
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _question(item: dict[str, Any]) -> Question:
    documents, facts = _as_list(item.get("document")), _as_list(item.get("fact"))
    return Question(
        q=str(item["q"]),
        expect=list(item.get("expect") or []),
        lang=item.get("lang", "ja"),
        document=documents[0] if documents else None,
        fact=facts[0] if facts else "",
        kind=str(item.get("kind") or ""),
        verdict=str(item.get("verdict") or ""),
        documents=documents,
        facts=facts,
        holdout=bool(item.get("holdout")),
    )


def _measure(
    name: str, questions: Sequence[Question], ask: Callable[[str], tuple[list[str], bool, str]]
) -> Metrics:
    metrics = Metrics(name)
    started = time.perf_counter()
    for question in questions:
        ranked, declined, verdict = ask(question.q)
        metrics.outcomes.append(Outcome(question, ranked, declined, verdict))
    metrics.seconds = time.perf_counter() - started
    return metrics


def evaluate_navigator(settings: Settings, questions: Sequence[Question], embedder: Embeddings) -> Metrics:
    run_ingest(settings, embedder=embedder)
    navigator = Navigator(settings, Retriever(settings, embedder=embedder))
    conversation = Conversation(navigator, ConversationStore(open_database(settings)))
    shape = ReplyShape()

    def ask(text: str) -> tuple[list[str], bool, str]:
        reply = conversation.respond(text)  # the whole reply: its verdict and its shape
        shape.add(text, reply)
        parsed = Parsed.parse(text)
        result = navigator.search(parsed)
        declined = navigator.is_vague(parsed, result) or not result.covered
        index = navigator.retriever.index()
        ranked = [rid for h in result.hits for rid in _as_programs(h.record.id, index)]
        verdict = "none" if declined else (reply.get("verdict") or {}).get("kind", "none")
        return list(dict.fromkeys(ranked)), declined, verdict

    metrics = _measure("navigator", questions, ask)
    metrics.shape = shape
    return metrics


def _as_programs(record_id: str, index: LoadedIndex) -> list[str]:
    """A document's passage answers the plan program the document details first (a program sheet's
    limit answers the program's question), so it counts for it; other ids count for themselves."""
    record = index.records[record_id]
    if record.kind in ("document", "passage"):
        return index.programs_of.get(record.document_id, [])[:1] or [record_id]  # the one it details first
    return [record_id]


@dataclass
class AnswerOutcome:
    question: Question
    cited: list[str]
    documents: list[str]
    quoted: str
    declined: bool
    said: str = ""  # the whole answer: text and contact cards

    @property
    def in_answer(self) -> bool:
        return not self.declined and _any_in(self.question.facts, self.said)

    @property
    def document_hit(self) -> bool:
        return not self.declined and any(d in self.documents[:3] for d in self.question.documents)

    @property
    def fact_hit(self) -> bool:
        return not self.declined and _any_in(self.question.facts, self.quoted)

    @property
    def program_hit(self) -> bool:
        return not self.declined and any(i in self.question.expect for i in self.cited[:3])


@dataclass
class AnswerMetrics:
    name: str
    outcomes: list[AnswerOutcome] = field(default_factory=list)
    seconds: float = 0.0
    shape: ReplyShape = field(default_factory=ReplyShape)

    def row(self) -> dict[str, float]:
        with_document = [o for o in self.outcomes if o.question.document]
        with_fact = [o for o in self.outcomes if o.question.fact]
        with_program = [o for o in self.outcomes if o.question.expect and not o.question.document]
        uncovered = [o for o in self.outcomes if not o.question.covered]
        covered = [o for o in self.outcomes if o.question.covered]
        row = {
            "document in first 3 citations": _share(with_document, lambda o: o.document_hit),
            "asked fact in the quote": _share(with_fact, lambda o: o.fact_hit),
            "asked fact in the answer": _share(with_fact, lambda o: o.in_answer),
            **({"uncovered declined": _share(uncovered, lambda o: o.declined)} if uncovered else {}),
            "covered wrongly declined": _share(covered, lambda o: o.declined),
        }
        if with_program:
            row["program in first 3 citations"] = _share(with_program, lambda o: o.program_hit)
        row["ms/question"] = 1000 * self.seconds / max(len(self.outcomes), 1)
        return row

    def failures(self) -> list[dict[str, Any]]:
        return [
            {
                "q": o.question.q,
                "document": o.question.document,
                "fact": o.question.fact,
                "got": o.documents[:3] or o.cited[:3],
                "quoted": o.quoted[:160],
                "declined": o.declined,
            }
            for o in self.outcomes
            if not o.question.holdout  # the set-aside part's failures are never listed: never tuned on
            and (
                (o.question.document and not (o.document_hit and (o.fact_hit or not o.question.fact)))
                or (o.question.expect and not o.question.document and not o.program_hit)
                or (not o.question.covered and not o.declined)
            )
        ]


def _share(outcomes: list[AnswerOutcome], good: Callable[[AnswerOutcome], bool]) -> float:
    return sum(1 for o in outcomes if good(o)) / max(len(outcomes), 1)


def _any_in(facts: list[str], text: str) -> bool:
    squashed = _squash(text)
    return any(_squash(f) in squashed for f in facts)


def _squash(text: str) -> str:
    return re.sub(r"[\s,，]", "", unicodedata.normalize("NFKC", text))


def evaluate_answers(settings: Settings, question_set: QuestionSet, embedder: Embeddings) -> AnswerMetrics:
    """Ask every question through the conversation path and check citations and quotes."""
    run_ingest(settings, embedder=embedder)
    navigator = Navigator(settings, Retriever(settings, embedder=embedder))
    conversation = Conversation(navigator, ConversationStore(open_database(settings)))
    metrics = AnswerMetrics("navigator")
    started = time.perf_counter()
    for question in question_set.questions:
        reply = conversation.respond(question.q)
        index = navigator.retriever.index()
        cited = [c["id"] for c in reply["citations"]]
        documents = [index.records[i].document_id for i in cited if i in index.records]
        programs = list(dict.fromkeys(p for i in cited for p in _as_programs(i, index)))
        quoted = " ".join(str(c.get("quote") or "") for c in reply["citations"])
        # "the asked fact in the answer": in the main text, a citation's quote or a contact card
        said = " ".join(
            [reply["answer"], quoted, *(" ".join(str(v) for v in c.values()) for c in reply["contacts"])]
        )
        metrics.shape.add(question.q, reply)
        metrics.outcomes.append(
            AnswerOutcome(question, programs, documents, quoted, reply["status"] != "answered", said)
        )
    metrics.seconds = time.perf_counter() - started
    return metrics


def scratch_knowledge(settings: Settings, question_set: QuestionSet, folder: Path) -> Settings:
    """A copy of the knowledge with the question set's documents added, in ``folder``."""
    knowledge = folder / "knowledge"
    shutil.copytree(settings.knowledge_dir, knowledge)
    for source in question_set.documents:
        target = knowledge / "documents" / f"eval-{source.name}"
        target.mkdir(parents=True, exist_ok=True)
        for file in sorted(source.iterdir()):
            if file.suffix.lower() in SUPPORTED_SUFFIXES:
                shutil.copy2(file, target / file.name)
    today = date.fromisoformat(question_set.today) if question_set.today else settings.today
    return settings.model_copy(
        update={"knowledge_dir": knowledge, "data_dir": folder / "data", "today": today}
    )


def run_answer_eval(
    settings: Settings, questions_file: Path, embedder_spec: str | None = None
) -> AnswerMetrics:
    question_set = load_question_set(questions_file)
    embedder = make_embedder(embedder_spec or settings.embedder, settings.embed_threads)
    with tempfile.TemporaryDirectory(prefix="navigator-eval-") as tmp:
        return evaluate_answers(scratch_knowledge(settings, question_set, Path(tmp)), question_set, embedder)


def is_answer_set(questions_file: Path) -> bool:
    """A set about documents (expected document and quoted fact) rather than the plan's records."""
    return any(q.document or q.fact for q in load_questions(questions_file))


def format_answer_table(metrics: AnswerMetrics, questions: int) -> str:
    """The set's figures; where it keeps a set-aside part, the tuned and set-aside parts beside them."""
    parts = {"navigator": metrics}
    held = [o for o in metrics.outcomes if o.question.holdout]
    if held:
        tuned = [o for o in metrics.outcomes if not o.question.holdout]
        parts["tuned part"] = AnswerMetrics(
            "tuned", tuned, metrics.seconds * len(tuned) / len(metrics.outcomes)
        )
        parts["set aside"] = AnswerMetrics(
            "set aside", held, metrics.seconds * len(held) / len(metrics.outcomes)
        )
    rows = {name: part.row() for name, part in parts.items()}
    lines = [
        f"questions: {questions}",
        "| metric | " + " | ".join(parts) + " |",
        "|---" * (len(parts) + 1) + "|",
    ]
    for key in rows["navigator"]:
        fmt = "{:.1f}" if key == "ms/question" else "{:.3f}"
        lines.append(f"| {key} | " + " | ".join(fmt.format(r.get(key, 0.0)) for r in rows.values()) + " |")
    return "\n".join(lines)


def evaluate_baseline(settings: Settings, questions: Sequence[Question], embedder: Embeddings) -> Metrics:
    """RecursiveCharacterTextSplitter chunks of the raw documents, top-k similarity in Chroma.

    A chunk counts for a record when the record's title appears in it. The baseline has no no-match
    logic of its own, so it gets the similarity threshold that suits it best on this very question
    set (balanced accuracy): a generous comparison.
    """
    import chromadb
    from chromadb.config import Settings as ChromaSettings
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=400, chunk_overlap=80)
    files = discover([settings.documents_dir])
    knowledge = load_knowledge(settings.contacts_file, settings.catalog_file)
    records = load_records(files, knowledge, settings, None).records
    titles = [(r.id, normalize(r.title)) for r in records if r.kind in ("program", "indicator")]
    # a program sheet's chunks count for the programs its front matter names, like the navigator's
    sheets = {r.source: list(r.info.get("programs") or []) for r in records if r.kind == "document"}
    pieces = [
        (c, sheets.get(f.name, []))
        for f in files
        for c in splitter.split_text(load_text(f, max_bytes=settings.max_document_bytes))
    ]
    chunks = [c for c, _ in pieces]
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    # one in-memory client per process: a second set's baseline gets a collection of its own
    collection = client.create_collection(f"baseline-{uuid.uuid4().hex}", metadata={"hnsw:space": "cosine"})
    collection.add(
        ids=[f"c{i}" for i in range(len(chunks))],
        documents=chunks,
        embeddings=embedder.embed_documents(chunks),
    )
    chunk_ids = [
        [rid for rid, title in titles if title in normalize(chunk)]
        + [p for p in programs if p in dict(titles)]
        for chunk, programs in pieces
    ]

    def search(text: str) -> tuple[list[str], float]:
        got = collection.query(query_embeddings=[embedder.embed_query(text)], n_results=min(10, len(chunks)))
        ranked: list[str] = []
        for chunk_id in got["ids"][0]:
            ranked.extend(r for r in chunk_ids[int(chunk_id[1:])] if r not in ranked)
        return ranked, 1 - got["distances"][0][0]

    started = time.perf_counter()
    searched = [search(q.q) for q in questions]
    seconds = time.perf_counter() - started
    threshold = _best_threshold([sim for _, sim in searched], [bool(q.expect) for q in questions])
    metrics = Metrics(f"baseline (threshold {threshold:.2f})", seconds=seconds)
    for question, (ranked, similarity) in zip(questions, searched, strict=True):
        declined = similarity < threshold
        metrics.outcomes.append(Outcome(question, ranked, declined, "none" if declined else "yes"))
    return metrics


def _best_threshold(similarities: list[float], covered: list[bool]) -> float:
    def balanced_accuracy(t: float) -> float:
        pos = [s >= t for s, c in zip(similarities, covered, strict=True) if c]
        neg = [s < t for s, c in zip(similarities, covered, strict=True) if not c]
        return (sum(pos) / max(len(pos), 1) + sum(neg) / max(len(neg), 1)) / 2

    return max(sorted(set(similarities)), key=balanced_accuracy, default=0.0)


def run_eval(settings: Settings, questions_file: Path, embedder_spec: str | None = None) -> list[Metrics]:
    questions = load_questions(questions_file)
    embedder = make_embedder(embedder_spec or settings.embedder, settings.embed_threads)
    with tempfile.TemporaryDirectory(prefix="navigator-eval-") as tmp:
        scratch = settings.model_copy(update={"data_dir": Path(tmp)})
        return [
            evaluate_navigator(scratch, questions, embedder),
            evaluate_baseline(scratch, questions, embedder),
        ]


def format_table(results: list[Metrics], questions: int) -> str:
    """The navigator beside the baseline; where the set keeps a set-aside part, the navigator's
    tuned and set-aside parts too."""
    first = results[0]
    if held := [o for o in first.outcomes if o.question.holdout]:
        tuned = [o for o in first.outcomes if not o.question.holdout]
        share = first.seconds / max(len(first.outcomes), 1)
        results = [
            first,
            Metrics("navigator, tuned part", tuned, share * len(tuned)),
            Metrics("navigator, set aside", held, share * len(held)),
            *results[1:],
        ]
    names = [m.name for m in results]
    rows = [m.row() for m in results]
    lines = [
        f"questions: {questions}",
        "| metric | " + " | ".join(names) + " |",
        "|---" * (len(names) + 1) + "|",
    ]
    for key in rows[0]:
        fmt = "{:.1f}" if key == "ms/question" else "{:.3f}"
        lines.append(f"| {key} | " + " | ".join(fmt.format(r[key]) for r in rows) + " |")
    return "\n".join(lines)


def failures(metrics: Metrics) -> list[dict[str, Any]]:
    """Questions ranked wrong, not declined when they should be, or with the wrong verdict kind
    (``verdict``: [expected, given])."""
    listed = []
    for o in metrics.outcomes:
        if o.question.holdout:  # the set-aside part's failures are never listed: never tuned on
            continue
        ranked_wrong = (o.question.expect and (o.rank is None or o.rank > 1)) or (
            not o.question.expect and not o.declined
        )
        verdict_wrong = bool(o.question.verdict) and o.verdict != o.question.verdict
        if ranked_wrong or verdict_wrong:
            item = {
                "q": o.question.q,
                "expect": o.question.expect,
                "got": o.ranked[:3],
                "declined": o.declined,
            }
            if verdict_wrong:
                item["verdict"] = [o.question.verdict, o.verdict]
            listed.append(item)
    return listed
