"""Question sets whose items accept several documents or wordings, and keep a set-aside part."""

from __future__ import annotations

from pathlib import Path

from bot.evaluation import AnswerMetrics, AnswerOutcome, format_answer_table, load_question_set

SET = """
today: "2025-05-20"
uploads: [pdfs]
questions:
  - q: "上限いくら？"
    document: [a-koubo, a-faq]
    fact: ["50万円", "５０万円"]
    kind: amount
  - q: "パソコンは対象？"
    document: a-faq
    fact: "汎用性"
    holdout: true
  - q: "住宅ローンの金利は？"
    document: null
"""


def _set(tmp_path: Path):
    file = tmp_path / "set.yaml"
    file.write_text(SET, encoding="utf-8")
    return load_question_set(file)


def test_lists_of_documents_and_facts_are_read_and_uploads_are_added(tmp_path: Path) -> None:
    loaded = _set(tmp_path)
    first, second, third = loaded.questions
    assert (first.document, first.documents, first.facts) == (
        "a-koubo",
        ["a-koubo", "a-faq"],
        ["50万円", "５０万円"],
    )
    assert (second.documents, second.facts, second.holdout) == (["a-faq"], ["汎用性"], True)
    assert not third.covered and third.documents == []
    assert loaded.documents == [tmp_path / "pdfs"] and loaded.today == "2025-05-20"


def test_any_accepted_document_and_wording_counts(tmp_path: Path) -> None:
    first = _set(tmp_path).questions[0]
    hit = AnswerOutcome(first, [], ["a-faq", "plan"], "上限は５０万円です", False, "上限は50万円")
    assert hit.document_hit and hit.fact_hit and hit.in_answer
    miss = AnswerOutcome(first, [], ["plan", "x", "y", "a-koubo"], "対象外", False)
    assert not miss.document_hit and not miss.fact_hit


def test_the_set_aside_part_is_reported_beside_the_tuned_part(tmp_path: Path) -> None:
    questions = _set(tmp_path).questions
    outcomes = [AnswerOutcome(q, [], [q.document or ""], q.fact, not q.covered) for q in questions]
    table = format_answer_table(AnswerMetrics("navigator", outcomes, 3.0), len(questions))
    assert "| metric | navigator | tuned part | set aside |" in table
    assert "| document in first 3 citations | 1.000 | 1.000 | 1.000 |" in table
