"""Words an owner uses meet the words documents use: synonyms, English plurals, years in two calendars."""

from __future__ import annotations

from ingest.dates import years
from ingest.textnorm import synonyms, title_bigrams, tokenize


def test_synonyms_come_from_sudachis_dictionary_in_japanese_only():
    assert {"宿泊費", "旅費"} <= set(synonyms("展示会に行く交通費やホテル代"))
    assert "発電機" in synonyms("a backup generator for my factory")
    assert "見本市" in synonyms("exhibiting at trade shows")  # the plural is read as its singular
    assert all(not word.isascii() for word in synonyms("trade show deadline"))


def test_english_plurals_meet_their_singulars():
    assert tokenize("disabilities subsidies taxes loans business") == (
        "disability",
        "subsidy",
        "tax",
        "loan",
        "business",
    )


def test_years_in_the_western_and_the_japanese_calendar_are_the_same():
    assert years("令和8年4月1日から令和９年3月31日まで") == {2026, 2027}
    assert years("From July 2026") == {2026} and years("令和元年") == {2019}
    assert years("電話 0466-25-1111") == set()


def test_title_pairs_stay_within_words_and_acronyms_count_whole():
    pairs = title_bigrams("省エネ設備の補助金（DX）")
    assert {"省エ", "エネ", "設備", "補助", "助金", "#dx"} <= pairs
    assert "備の" not in pairs and "dx" not in pairs
    assert title_bigrams("Is it open for IT tools?") == {"#it"}  # the pronoun is no acronym
