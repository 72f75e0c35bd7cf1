"""`navigator eval`: retrieval quality on a question set, beside a naive baseline, in one run.

Both systems are built fresh in a temporary folder from the same knowledge and the same embedder,
so the numbers compare retrieval designs, not index states. A question that should be answered
but is declined (no-match or clarify) counts as a miss at every k.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from langchain_core.embeddings import Embeddings

from bot.navigator import Navigator
from bot.retrieval import Retriever
from ingest.embeddings import make_embedder
from ingest.knowledge import load_knowledge
from ingest.loaders import load_text
from ingest.pipeline import discover, load_records, run_ingest
from ingest.settings import REPO_ROOT, Settings
from ingest.textnorm import normalize

DEFAULT_QUESTIONS = REPO_ROOT / "eval" / "questions.yaml"


@dataclass
class Question:
    q: str
    expect: list[str]
    lang: str = "ja"


@dataclass
class Outcome:
    question: Question
    ranked: list[str]
    declined: bool

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

    def row(self) -> dict[str, float]:
        return {
            "hit@1": self.hit_at(1),
            "hit@3": self.hit_at(3),
            "MRR": self.mrr(),
            "no-match precision": self.no_match_precision(),
            "no-match recall": self.no_match_recall(),
            "covered wrongly declined": self.wrongly_declined(),
            "ms/question": 1000 * self.seconds / max(len(self.outcomes), 1),
        }


def load_questions(path: Path) -> list[Question]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [
        Question(q=str(i["q"]), expect=list(i.get("expect") or []), lang=i.get("lang", "ja")) for i in raw
    ]


def _measure(
    name: str, questions: Sequence[Question], ask: Callable[[str], tuple[list[str], bool]]
) -> Metrics:
    metrics = Metrics(name)
    started = time.perf_counter()
    for question in questions:
        ranked, declined = ask(question.q)
        metrics.outcomes.append(Outcome(question, ranked, declined))
    metrics.seconds = time.perf_counter() - started
    return metrics


def evaluate_navigator(settings: Settings, questions: Sequence[Question], embedder: Embeddings) -> Metrics:
    run_ingest(settings, embedder=embedder)
    navigator = Navigator(settings, Retriever(settings, embedder=embedder))

    def ask(text: str) -> tuple[list[str], bool]:
        result = navigator.search(text)
        declined = navigator.is_vague(text, result) or not result.covered
        return [h.record.id for h in result.hits], declined

    return _measure("navigator", questions, ask)


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
    chunks = [
        c for f in files for c in splitter.split_text(load_text(f, max_bytes=settings.max_document_bytes))
    ]
    client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
    collection = client.create_collection("baseline", metadata={"hnsw:space": "cosine"})
    collection.add(
        ids=[f"c{i}" for i in range(len(chunks))],
        documents=chunks,
        embeddings=embedder.embed_documents(chunks),
    )
    chunk_ids = [[rid for rid, title in titles if title in normalize(chunk)] for chunk in chunks]

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
        metrics.outcomes.append(Outcome(question, ranked, similarity < threshold))
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
    return [
        {"q": o.question.q, "expect": o.question.expect, "got": o.ranked[:3], "declined": o.declined}
        for o in metrics.outcomes
        if (o.question.expect and (o.rank is None or o.rank > 1))
        or (not o.question.expect and not o.declined)
    ]
