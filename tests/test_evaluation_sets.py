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


def test_a_turn_is_checked_against_what_it_lists() -> None:
    from bot.dialogue_eval import check_turn

    reply = {
        "status": "answered",
        "language": "ja",
        "verdict": {"kind": "yes"},
        "answer": "マル経融資は従業員5人以下の商業・サービス業が対象です。",
        "citations": [{"id": "I-4-3"}],
        "contacts": [{"id": "fujisawa-cci", "name": "藤沢商工会議所"}],
        "eligibility": [{"id": "I-4-3"}],
    }
    turn = {"cites": ["I-4-3"], "says": ["５人", "商工会議所"], "not_says": ["設備"], "status": "answered"}
    assert check_turn(turn, reply) == []
    wrong = {"cites": ["I-4-1"], "says": ["20人"], "not_says": ["マル経"], "status": "no_match"}
    assert len(check_turn(wrong, reply)) == 4
    assert check_turn({"expect_eligibility": ["I-4-3"], "expect_contacts": ["fujisawa-cci"]}, reply) == []


def test_scope_and_conversation_sets_are_told_apart(tmp_path: Path) -> None:
    from bot.dialogue_eval import set_kind

    (tmp_path / "s.yaml").write_text('- q: "保育園"\n  scope: out\n', encoding="utf-8")
    (tmp_path / "c.yaml").write_text('- name: a\n  turns: [{say: "x"}]\n', encoding="utf-8")
    (tmp_path / "q.yaml").write_text('- q: "x"\n  expect: []\n', encoding="utf-8")
    assert [set_kind(tmp_path / f"{n}.yaml") for n in "scq"] == ["scope", "conversations", "questions"]
