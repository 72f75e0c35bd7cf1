from ingest.plan_parser import parse_plan, split_bodies
from tests.conftest import PLAN

PROGRAMS_PER_MEASURE = {1: 5, 2: 4, 3: 6, 4: 4, 5: 6, 6: 5, 7: 2, 8: 3}


def plan_records():
    return {r.id: r for r in parse_plan(PLAN.read_text(encoding="utf-8"), PLAN.name, ())}


def test_the_plan_has_its_measures_programs_indicators_and_sections():
    records = plan_records()
    kinds = {}
    for record in records.values():
        kinds.setdefault(record.kind, []).append(record.id)
    assert len(kinds["measure"]) == 8
    assert len(kinds["program"]) == 35
    assert len(kinds["indicator"]) == 5
    assert {"I-aim", "I-purpose"} <= set(kinds["section"])
    expected = {f"I-{m}-{n}" for m, count in PROGRAMS_PER_MEASURE.items() for n in range(1, count + 1)}
    assert set(kinds["program"]) == expected


def test_program_fields_come_from_the_row():
    record = plan_records()["I-4-3"]
    assert record.title == "マル経融資(小規模事業者経営改善資金)による支援"
    assert record.measure == "施策4 金融支援の推進"
    assert record.location == "I-施策4 (3)"
    assert "経営指導を6ヵ月以上" in record.text
    assert record.bodies == ("藤沢商工会議所", "日本政策金融公庫")


def test_rows_after_blank_lines_and_separators_and_cross_references():
    records = plan_records()
    assert records["I-4-4"].title == "災害や感染症などの影響に対応する金融対策の実施"
    assert records["I-6-2"].title == "経営力向上に資する知識や技術の習得支援"
    assert records["I-3-3"].title == "市内企業のロボット関連製品分野への参入支援"
    assert records["I-3-3"].see_also == "III-4-(3)"


def test_indicators_keep_unit_baseline_and_target():
    record = plan_records()["I-KPI-4"]
    assert record.title == "湘南勤労者福祉サービスセンター事業会員数(市内)"
    assert (record.unit, record.baseline, record.target) == ("人", "7,166", "7,400")
    assert (record.baseline_label, record.target_label) == ("令和6年度", "令和11年度")


def test_measures_keep_their_aims():
    measure = plan_records()["I-1"]
    assert measure.aims == ("中小企業の従業員確保を支援します。", "健康経営に取り組む企業を支援します。")


def test_bodies_are_split_into_organisations_even_without_spaces():
    assert split_bodies("藤沢市、鎌倉市、茅ヶ崎市 ハローワーク藤沢", []) == (
        "藤沢市",
        "鎌倉市",
        "茅ヶ崎市",
        "ハローワーク藤沢",
    )
    assert split_bodies("藤沢市藤沢商工会議所 (公財)湘南産業振興財団 ほか", []) == (
        "藤沢市",
        "藤沢商工会議所",
        "(公財)湘南産業振興財団",
    )
