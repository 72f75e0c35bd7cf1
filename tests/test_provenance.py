"""The program sheets state only published facts of primary sources (see tests/provenance.py)."""

from __future__ import annotations

import re
import shutil
import unicodedata
from pathlib import Path

import pytest
import yaml

from tests.provenance import (
    Facts,
    check_contacts,
    check_sheet,
    is_primary,
    load_facts,
    number_tokens,
    parse_sheet,
    squash,
)

REPO = Path(__file__).resolve().parents[1]
KNOWLEDGE = REPO / "knowledge"
FACTS_DIR = KNOWLEDGE / "facts"
PROGRAMS_DIR = KNOWLEDGE / "documents" / "programs"
CONTACTS = KNOWLEDGE / "contacts.yaml"
QUESTIONS = REPO / "eval" / "sheets.yaml"
SHEETS = sorted(PROGRAMS_DIR.glob("*.md"))


@pytest.fixture(scope="module")
def facts() -> Facts:
    return load_facts(FACTS_DIR)


def _copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copy(PROGRAMS_DIR / name, target)
    return target


def _errors(problems) -> list[str]:
    return [str(p) for p in problems if p.level == "error"]


# ---------------------------------------------------------------- the shipped files


def test_facts_files_are_there_and_keyed_by_program(facts: Facts) -> None:
    assert sorted(p.name for p in FACTS_DIR.glob("*.yaml")) == ["I-1-to-4.yaml", "I-5-to-8.yaml"]
    assert len(facts.programs) == 35
    assert all(re.fullmatch(r"I-\d-\d", p) for p in facts.programs)


def test_there_are_sheets_with_ascii_names() -> None:
    assert len(SHEETS) >= 10
    for path in SHEETS:
        assert re.fullmatch(r"[a-z0-9][a-z0-9-]*", path.stem), path.name


@pytest.mark.parametrize("path", SHEETS, ids=[p.stem for p in SHEETS])
def test_shipped_sheet_is_sourced(path: Path, facts: Facts) -> None:
    problems = check_sheet(path, facts)
    assert not problems, "\n".join(map(str, problems))


def test_sheets_cover_only_programs_with_primary_facts(facts: Facts) -> None:
    for path in SHEETS:
        for program in parse_sheet(path).front["programs"]:
            assert program in facts.primary_programs, f"{path.name}: {program} has no primary fact"


def test_shipped_contacts_pass(facts: Facts) -> None:
    assert not _errors(check_contacts(CONTACTS, facts))


# ---------------------------------------------------------------- the checker catches


def test_planted_unsourced_number_fails(tmp_path: Path, facts: Facts) -> None:
    sheet = _copy("city-loans.md", tmp_path)
    lines = sheet.read_text(encoding="utf-8").splitlines()
    at = lines.index("## 内容・限度額") + 1
    lines.insert(at, "- 限度額は9,876万円です。[^s2]")
    sheet.write_text("\n".join(lines) + "\n", encoding="utf-8")
    errors = _errors(check_sheet(sheet, facts))
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"city-loans.md:{at + 1}:")
    assert "9876万円" in errors[0] and "限度額は9,876万円です" in errors[0]


def test_planted_english_figure_and_phone_fail(tmp_path: Path, facts: Facts) -> None:
    sheet = _copy("marukei.md", tmp_path)
    text = sheet.read_text(encoding="utf-8")
    text = text.replace("up to 20 million yen", "up to 30 million yen")
    text = text.replace("電話は0466-27-8888です。", "電話は0466-27-9999です。")
    sheet.write_text(text, encoding="utf-8")
    errors = _errors(check_sheet(sheet, facts))
    assert any("30 million yen" in e for e in errors), errors
    assert any("0466-27-9999" in e for e in errors), errors


def test_figure_under_another_source_is_flagged(tmp_path: Path, facts: Facts) -> None:
    sheet = _copy("city-loans.md", tmp_path)
    text = sheet.read_text(encoding="utf-8").replace(
        "限度額は5,000万円です。[^s2]", "限度額は5,000万円です。[^s3]"
    )
    sheet.write_text(text, encoding="utf-8")
    problems = check_sheet(sheet, facts)
    assert [p.level for p in problems] == ["warning"], problems
    assert "5000万円" in str(problems[0])


def test_sheet_without_sources_fails(tmp_path: Path, facts: Facts) -> None:
    sheet = _copy("chizai.md", tmp_path)
    text = sheet.read_text(encoding="utf-8")
    text = re.sub(r"sources:\n(  s\d+: .*\n)+", "", text)
    sheet.write_text(text, encoding="utf-8")
    errors = _errors(check_sheet(sheet, facts))
    assert any("lacks `sources`" in e for e in errors), errors
    assert any("[^s1] is not defined" in e for e in errors), errors


def test_sheet_without_front_matter_fails(tmp_path: Path, facts: Facts) -> None:
    sheet = tmp_path / "bare.md"
    sheet.write_text("# 融資\n\n- 限度額は5,000万円です。\n", encoding="utf-8")
    errors = _errors(check_sheet(sheet, facts))
    assert errors and "no front matter" in errors[0]


def test_secondary_source_fails(tmp_path: Path, facts: Facts) -> None:
    sheet = _copy("past-relief.md", tmp_path)
    text = sheet.read_text(encoding="utf-8")
    news = "https://townnews.co.jp/0601/amp/2021/10/22/597002.html"
    text = text.replace("https://www.city.fujisawa.kanagawa.jp/indus1/202002korona.html", news)
    text = text.replace('as_of: "2020-06-17"', 'as_of: "2021-10-22"')
    sheet.write_text(text, encoding="utf-8")
    errors = _errors(check_sheet(sheet, facts))
    assert any(news in e and "not a primary source" in e for e in errors), errors


def test_line_without_marker_and_undefined_marker_fail(tmp_path: Path, facts: Facts) -> None:
    sheet = _copy("kyosai.md", tmp_path)
    text = sheet.read_text(encoding="utf-8")
    text = text.replace("500円単位で選べます。[^s1]", "500円単位で選べます。")
    text = text.replace("減らすこともできます。[^s1]", "減らすこともできます。[^s7]")
    sheet.write_text(text, encoding="utf-8")
    errors = _errors(check_sheet(sheet, facts))
    assert any("no source marker" in e and "500円単位" in e for e in errors), errors
    assert any("[^s7] is not defined" in e for e in errors), errors


def test_heading_marker_covers_its_section(tmp_path: Path, facts: Facts) -> None:
    sheet = _copy("kyosai.md", tmp_path)
    text = sheet.read_text(encoding="utf-8").replace("## 内容・限度額", "## 内容・限度額[^s1]")
    text = text.replace("500円単位で選べます。[^s1]", "500円単位で選べます。")
    sheet.write_text(text, encoding="utf-8")
    assert not check_sheet(sheet, facts)


def test_ended_sheet_must_say_so(tmp_path: Path, facts: Facts) -> None:
    sheet = _copy("covid-loan-2020.md", tmp_path)
    text = sheet.read_text(encoding="utf-8").replace("すでに終了しています", "取り扱いました")
    text = text.replace("終了した制度なので、今は申し込めません。", "市の制度でした。")
    text = text.replace("and has ended", "")
    sheet.write_text(text, encoding="utf-8")
    assert any("does not say so" in e for e in _errors(check_sheet(sheet, facts)))


# ---------------------------------------------------------------- normalisation


def test_phone_forms_and_widths_compare_equal() -> None:
    same = ["0466-27-8888", "(27)8888", "0466・27・8888", "０４６６－２７－８８８８", "0466(27)8888"]
    assert {squash(s) for s in same} == {"0466-27-8888"}
    assert squash("１，０００万円") == squash("1,000万円") == "1000万円"
    assert squash("9:00～17:00") == squash("9:00〜17:00") == squash("9:00-17:00") == "9:00~17:00"
    assert [t.raw for t in number_tokens("令和7年4月1日から10年以内、年1.2%、[^s1]")] == [
        "令和7年4月1日",
        "10年",
        "1.2%",
    ]


def test_primary_domains() -> None:
    assert is_primary("https://fj2.city.fujisawa.kanagawa.jp/indus1/press/x.html")
    assert is_primary("https://www.jfc.go.jp/") and is_primary("https://www.kipc.or.jp/x")
    assert not is_primary("https://www.city.chigasaki.kanagawa.jp/sangyo/1007032.html")
    assert not is_primary("http://210.140.77.22/indus1/x.html")
    assert not is_primary("https://townnews.co.jp/0601/x.html")


# ---------------------------------------------------------------- contacts.yaml


def test_contact_fields_with_sources_are_checked(tmp_path: Path, facts: Facts) -> None:
    loans = "https://shonan.or.jp/yushi/forbiz"
    cci = "https://www.fujisawa-cci.or.jp/special/20200316-2/"
    entries = [
        {"id": "ok", "phone": "0466-27-8888", "hours": "平日 9:00-11:30、13:00-16:30", "sources": {}},
        {
            "id": "ok",
            "phone": "0466-27-8888",
            "hours": "平日 8:30〜17:00",
            "sources": {"phone": cci, "hours": cci},
        },
        {
            "id": "bad",
            "phone": "0466-27-1234",
            "hours": "平日 9:00〜11:30",
            "sources": {"phone": cci, "hours": loans},
        },
        {"id": "unknown-source", "phone": "03-1234-5678", "sources": {"phone": "https://example.org/"}},
        {"id": "no-sources", "phone": "03-1234-5678"},
    ]
    path = tmp_path / "contacts.yaml"
    path.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    errors = _errors(check_contacts(path, facts))
    assert len(errors) == 1 and "bad.phone" in errors[0] and "0466-27-1234" in errors[0], errors


# ---------------------------------------------------------------- eval/sheets.yaml


def _fold(text: str) -> str:
    return re.sub(r"[\s,，、]", "", unicodedata.normalize("NFKC", str(text)))


def test_sheet_questions_point_at_sheet_lines(facts: Facts) -> None:
    data = yaml.safe_load(QUESTIONS.read_text(encoding="utf-8"))
    questions = data["questions"]
    assert len(questions) >= 45
    english = sum(q["lang"] == "en" for q in questions)
    assert len(questions) / 4 <= english <= len(questions) / 2
    sheets = {p.stem: p for p in SHEETS}
    covered = {prog for p in SHEETS for prog in parse_sheet(p).front["programs"]}
    kinds = {"amount", "rate", "period", "window", "papers", "steps", "ended", "eligibility", "unknown"}
    for q in questions:
        assert q["kind"] in kinds and q["lang"] in ("ja", "en"), q
        if q["kind"] == "unknown":
            assert q["document"] is None, q
            for program in q["expect"]:
                assert program in facts.programs and program not in facts.primary_programs, q
                assert program not in covered, q
            continue
        sheet = parse_sheet(sheets[q["document"]])
        assert set(q["expect"]) <= set(sheet.front["programs"]), q
        lines = [_fold(text) for _, text in sheet.body]
        assert any(_fold(q["fact"]) in line for line in lines), q
    assert sum(q["kind"] == "unknown" for q in questions) >= 3
