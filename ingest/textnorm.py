"""Japanese text handling for the whole product, in one place.

Both sides of retrieval must see text the same way: the index is built from normalised text and
every query goes through the same functions, so a full-width digit, a half-width katakana word or a
hiragana spelling of a katakana term still meets its counterpart.
"""

from __future__ import annotations

import gzip
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import jaconv

# Long-vowel look-alikes that NFKC leaves alone; owners type all of them.
_LONG_VOWEL_LIKE = re.compile(r"[-\u2010-\u2015\u2212\uff0d\u30fc\uff70~\u301c\uff5e]")
_SPACES = re.compile(r"\s+")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_LATIN_WORD = re.compile(r"[a-z][a-z0-9\-']*")

# Old/variant kanji owners (and OCR) produce for the same word.
_KANJI_VARIANTS = str.maketrans(
    {"髙": "高", "﨑": "崎", "邊": "辺", "邉": "辺", "澤": "沢", "濱": "浜", "廣": "広"}
)

# Words that carry no topic in a question ("I want to…", "please tell me…").
_STOPWORDS = frozenset(
    [
        "する",
        "ある",
        "いる",
        "なる",
        "できる",
        "れる",
        "られる",
        "せる",
        "思う",
        "言う",
        "知る",
        "教える",
        "下さる",
        "くださる",
        "頂く",
        "いただく",
        "良い",
        "よい",
        "いい",
        "欲しい",
        "ほしい",
        "出来る",
        "分かる",
        "わかる",
        "聞く",
        "伺う",
        "考える",
        "使える",
        "可能",
        "方法",
        "こと",
        "もの",
        "ため",
        "よう",
        "場合",
        "ところ",
        "何",
        "なに",
        "どこ",
        "どう",
        "どの",
        "どれ",
        "いつ",
        "誰",
        "だれ",
        "方",
        "ほう",
        "今",
        "これ",
        "それ",
        "あれ",
        "ここ",
        "そこ",
        "私",
        "わたし",
        "僕",
        "うち",
        "当社",
        "弊社",
        "自分",
        "相談",
        "支援",
        "について",
        "the",
        "a",
        "an",
        "of",
        "to",
        "in",
        "for",
        "on",
        "and",
        "or",
        "is",
        "are",
        "be",
        "do",
        "does",
        "i",
        "we",
        "my",
        "our",
        "me",
        "you",
        "your",
        "can",
        "could",
        "how",
        "what",
        "which",
        "where",
        "who",
        "please",
        "want",
        "need",
        "about",
        "with",
        "there",
        "any",
        "have",
        "has",
        "it",
        "this",
        "that",
        "from",
        "by",
    ]
)
# Parts of speech that carry content for keyword search.
_CONTENT_POS = frozenset({"名詞", "動詞", "形容詞", "形状詞", "副詞", "接頭辞", "接尾辞"})


def normalize(text: str) -> str:
    """NFKC, unified long-vowel marks, variant kanji, lower-case Latin, single spaces."""
    text = unicodedata.normalize("NFKC", text).translate(_KANJI_VARIANTS)
    text = _LONG_VOWEL_LIKE.sub(_long_vowel_or_dash, text)
    return _SPACES.sub(" ", text).strip().lower()


def _long_vowel_or_dash(match: re.Match[str]) -> str:
    """A dash after kana is a long-vowel mark; elsewhere (numbers, Latin) it stays a hyphen."""
    start = match.start()
    before = match.string[start - 1] if start else ""
    if "\u3041" <= before <= "\u30fa" or before == "ー":
        return "ー"
    return "-"


_TITLE_RUN = re.compile(r"[\u30a0-\u30ff\u3400-\u9fff\uf900-\ufaff]+")
_ACRONYM = re.compile(r"(?<![A-Za-z])[A-Z][A-Z0-9]+(?![A-Za-z])")


def title_bigrams(text: str, normal: str | None = None) -> frozenset[str]:
    """Character pairs within runs of kanji and katakana, and acronyms (DX, IT, BCP, LED) whole: how
    an owner's 省エネ設備の補助金 meets a title's 省エネルギー設備導入支援補助金 whatever the tokenizer
    makes of either (particles and okurigana in hiragana break the runs; English words do not count,
    or an English question's "it" would name every IT leaflet). ``normal``: the text already
    normalised, by a caller that holds it."""
    normalised = normalize(text) if normal is None else normal
    pairs = {run[i : i + 2] for run in _TITLE_RUN.findall(normalised) for i in range(len(run) - 1)}
    pairs.update(f"#{word.lower()}" for word in _ACRONYM.findall(unicodedata.normalize("NFKC", text)))
    return frozenset(pairs)


_HIRAGANA_RUN = re.compile(r"[\u3041-\u309fー]{3,}")


def sound_trigrams(text: str, kana_only: bool = False, normal: str | None = None) -> frozenset[str]:
    """Triples of kana of the text's reading, or (``kana_only``) of the words it spells in hiragana:
    how an owner's てんじかい meets a title's 展示会. ``normal``: the text already normalised."""
    if kana_only:
        normalised = normalize(text) if normal is None else normal
        runs = [jaconv.hira2kata(run) for run in _HIRAGANA_RUN.findall(normalised)]
    else:
        runs = [reading(text)]
    return frozenset(run[i : i + 3] for run in runs for i in range(len(run) - 2))


def fold_kana(text: str) -> str:
    """Normalised text with hiragana turned into katakana, so まるけい meets マルケイ."""
    return jaconv.hira2kata(normalize(text))


def is_japanese(text: str) -> bool:
    """Whether a question is Japanese: any kana or kanji decides it (owners mix in Latin words)."""
    return bool(_JAPANESE.search(text))


class _Tokenizer:
    """SudachiPy with the core dictionary: the dictionary loaded once per process (≈50 ms), a
    tokenizer per thread because a tokenizer is not thread-safe (creating one from the loaded
    dictionary takes microseconds, so a server thread's first answer does not load it again)."""

    def __init__(self) -> None:
        self._local = threading.local()
        self._dictionary: Any = None
        self._loading = threading.Lock()

    def tokenizer(self):  # noqa: ANN201 - sudachipy has no public type for it
        tok = getattr(self._local, "tok", None)
        if tok is None:
            with self._loading:
                if self._dictionary is None:
                    from sudachipy import Dictionary

                    self._dictionary = Dictionary(dict="core")
            tok = self._dictionary.tokenizer()
            self._local.tok = tok
        return tok


_TOKENIZER = _Tokenizer()


# SudachiPy refuses an input longer than 49,149 bytes of UTF-8 ("Input is too long"): one long line
# in an uploaded document would otherwise fail every re-ingest. Pieces stay well under that.
SUDACHI_MAX_BYTES = 32 * 1024
_PIECE_END = re.compile(r"(?<=[\n。．！？!?])")


def sudachi_pieces(text: str, max_bytes: int = SUDACHI_MAX_BYTES) -> list[str]:
    """``text`` cut into pieces of at most ``max_bytes`` UTF-8 bytes, at line and sentence ends where
    it can (a word cut in two only in a piece that has no sentence end within the limit)."""
    if len(text) * 4 <= max_bytes or len(text.encode("utf-8")) <= max_bytes:
        return [text]
    pieces: list[str] = []
    current, size = [], 0
    for sentence in _PIECE_END.split(text):
        length = len(sentence.encode("utf-8"))
        if size + length > max_bytes and current:
            pieces.append("".join(current))
            current, size = [], 0
        if length > max_bytes:  # no sentence end for too long: cut by characters
            pieces.extend(_hard_cut(sentence, max_bytes))
            continue
        current.append(sentence)
        size += length
    if current:
        pieces.append("".join(current))
    return [piece for piece in pieces if piece]


def _hard_cut(text: str, max_bytes: int) -> list[str]:
    step = max(1, max_bytes // 4)  # a character is at most 4 bytes of UTF-8
    return [text[i : i + step] for i in range(0, len(text), step)]


def _morphemes(text: str, mode: object) -> Iterator[Any]:
    """Sudachi's morphemes of ``text`` of any length, piece by piece."""
    tokenizer = _TOKENIZER.tokenizer()
    for piece in sudachi_pieces(text):
        yield from tokenizer.tokenize(piece, mode)


@lru_cache(maxsize=4096)
def tokenize(text: str) -> tuple[str, ...]:
    """Content words for keyword search: Sudachi normalised forms (short units), Latin words lower-cased.

    Short units (mode A) split compounds such as 中小企業融資制度 so that an owner's 融資 meets them.
    """
    from sudachipy import SplitMode

    return _content_words(list(_morphemes(normalize(text), SplitMode.A)))


def _content_words(short_units: list[Any]) -> tuple[str, ...]:
    tokens: list[str] = []
    for morpheme in short_units:
        surface = morpheme.surface()
        if _LATIN_WORD.fullmatch(surface):
            if surface not in _STOPWORDS:
                tokens.append(_singular(surface))
            continue
        if morpheme.part_of_speech()[0] not in _CONTENT_POS:
            continue
        form = (
            jaconv.hira2kata(morpheme.normalized_form()) if _is_kana(surface) else morpheme.normalized_form()
        )
        if form in _STOPWORDS or morpheme.normalized_form() in _STOPWORDS:
            continue
        if len(form) == 1 and not _JAPANESE.match(form):
            continue
        tokens.append(form)
    return tuple(tokens)


_PLURAL = (
    (re.compile(r"([a-z]{2})ies$"), r"\1y"),
    (re.compile(r"([a-z]{2}(?:ch|sh|ss|x))es$"), r"\1"),
    (re.compile(r"([a-z]{3}[^su'])s$"), r"\1"),
)


def _singular(word: str) -> str:
    """An English plural as its singular (disabilities → disability, taxes → tax, loans → loan), so an
    English question meets an English section whichever number either uses."""
    for plural, ending in _PLURAL:
        if plural.search(word):
            return plural.sub(ending, word)
    return word


def _is_kana(text: str) -> bool:
    return all("\u3041" <= ch <= "\u30ff" for ch in text)


def reading(text: str) -> str:
    """The katakana reading of a text (symbols and spaces dropped), so ごうどうめんせつかい meets 合同面接会."""
    return reading_boundaries(text)[0]


@lru_cache(maxsize=4096)
def reading_boundaries(text: str) -> tuple[str, frozenset[int]]:
    """The reading, and the offsets in it where words start or end: a reading must match whole
    words, or 意匠 (イショウ) would be heard inside 対象 (タイショウ)."""
    from sudachipy import SplitMode

    return _reading_of(list(_morphemes(normalize(text), SplitMode.C)))


def _reading_of(long_units: list[Any]) -> tuple[str, frozenset[int]]:
    parts = []
    for morpheme in long_units:
        if morpheme.part_of_speech()[0] in ("補助記号", "空白"):
            continue
        surface = morpheme.surface()
        parts.append(jaconv.hira2kata(surface) if _is_kana(surface) else morpheme.reading_form())
    return _joined(parts)


@lru_cache(maxsize=4096)
def word_boundaries(text: str) -> tuple[str, frozenset[int]]:
    """The kana-folded text without spaces, and the offsets where its words (Sudachi long units) start or end.

    Lets a phrase match only whole words: 人を採用したい must not match inside 外国人を採用したい.
    """
    from sudachipy import SplitMode

    return _words_of(list(_morphemes(normalize(text), SplitMode.C)))


def _words_of(long_units: list[Any]) -> tuple[str, frozenset[int]]:
    return _joined([jaconv.hira2kata(m.surface()).replace(" ", "") for m in long_units])


def _joined(parts: list[str]) -> tuple[str, frozenset[int]]:
    """The parts as one string, and the offsets where each starts or ends."""
    offsets = {0}
    position = 0
    for part in parts:
        position += len(part)
        offsets.add(position)
    return "".join(parts), frozenset(offsets)


_SYNONYMS_FILE = Path(__file__).resolve().parent / "data" / "synonyms.tsv.gz"


@lru_cache(maxsize=1)
def synonym_table() -> dict[str, tuple[str, ...]]:
    """Word → the other words of its synonym groups, from Sudachi's synonym dictionary
    (ingest/data/synonyms.tsv.gz, built by scripts/build_synonyms.py), normalised."""
    table: dict[str, list[str]] = {}
    with gzip.open(_SYNONYMS_FILE, "rt", encoding="utf-8") as lines:
        for line in lines:
            words = [w for w in line.rstrip("\n").split("\t") if w]
            members = [normalize(w.lstrip("~")) for w in words]
            for word, member in zip(words, members, strict=True):
                if word.startswith("~"):
                    continue  # a synonym others expand to, which does not expand itself
                others = table.setdefault(member, [])
                others.extend(m for m in members if m != member and m not in others)
    return {word: tuple(others) for word, others in table.items()}


def synonyms(text: str) -> list[str]:
    """Japanese synonyms of the words of ``text`` (交通費 → 旅費, 締め切り → 期日; English words and
    phrases → their Japanese: generator → 発電機, trade show → 見本市), in order, without repeats.

    Words are looked up as Sudachi's long and short units (surface and normalised form), and, in
    Latin text, as phrases of up to three words."""
    from sudachipy import SplitMode

    normalised = normalize(text)
    long_units = list(_morphemes(normalised, SplitMode.C))
    return _synonyms_of(normalised, long_units, list(_morphemes(normalised, SplitMode.A)))


def _synonyms_of(normalised: str, long_units: list[Any], short_units: list[Any]) -> list[str]:
    return synonyms_of_words(_synonym_candidates(normalised, long_units, short_units))


def _synonym_candidates(normalised: str, long_units: list[Any], short_units: list[Any]) -> tuple[str, ...]:
    """The words a text's synonyms are looked up by, without repeats."""
    words: list[str] = []
    for morphemes in (long_units, short_units):
        for morpheme in morphemes:
            if morpheme.part_of_speech()[0] in _CONTENT_POS:
                words += [morpheme.surface(), morpheme.normalized_form()]
    latin = [_singular(w) for w in re.findall(r"[a-z][a-z0-9\-]*", normalised)]
    words += [" ".join(latin[i : i + n]) for n in (3, 2, 1) for i in range(len(latin) - n + 1)]
    return tuple(dict.fromkeys(words))


def synonyms_of_words(words: tuple[str, ...]) -> list[str]:
    """The Japanese synonyms of already-read words (``Analysis.synonym_words``), in order."""
    table = synonym_table()
    found: list[str] = []
    for word in words:
        if word in _STOPWORDS:
            continue
        for other in table.get(word, ()):
            if other not in found and _JAPANESE.search(other):
                found.append(other)
    return found


@dataclass(frozen=True)
class Analysis:
    """Everything the answering side reads of one text, from one normalisation and one Sudachi pass
    per split mode (short units for keywords, long units for readings and word boundaries): a
    question is read once, not once per function that wants a view of it."""

    normal: str
    tokens: tuple[str, ...]
    reading: str
    reading_bounds: frozenset[int]
    words: str  # the kana-folded text without spaces (see word_boundaries)
    word_bounds: frozenset[int]
    synonym_words: tuple[str, ...]  # what synonyms_of_words looks up: the table is read only if asked


def analyse(text: str) -> Analysis:
    """One text read once: the same values as normalize, tokenize, reading_boundaries,
    word_boundaries and synonyms give, from one pass of each."""
    from sudachipy import SplitMode

    normal = normalize(text)
    short_units = list(_morphemes(normal, SplitMode.A))
    long_units = list(_morphemes(normal, SplitMode.C))
    sound, sound_bounds = _reading_of(long_units)
    words, word_bounds = _words_of(long_units)
    return Analysis(
        normal=normal,
        tokens=_content_words(short_units),
        reading=sound,
        reading_bounds=sound_bounds,
        words=words,
        word_bounds=word_bounds,
        synonym_words=_synonym_candidates(normal, long_units, short_units),
    )
