"""Provenance checker for the program sheets (`knowledge/documents/programs/*.md`).

A sheet states amounts, rates, dates, periods, hours and phone numbers that owners quote back to
staff, so each of them must come from a published fact: `knowledge/facts/*.yaml` records the facts
program by program, each with the page it was seen on (`source`) and that page's date (`as_of`).

The rules (`check_sheet`):

- the front matter has `title`, `programs`, `issuer`, `url`, `written`, `status` and `sources`
  (each `{url, as_of}`); every source URL (and `url`) is a primary source (`PRIMARY_DOMAINS`) and
  is listed in the facts files, with the `as_of` the facts give it;
- every body line states its source: it ends with `[^sN]` markers, or its `##` heading carries one;
  every marker is defined in `sources`, and every source is used;
- every token with digits (5,000万円, 年1.8%, 令和7年4月1日, 0466-27-8888, 9:00～11:30, 12か月 …)
  appears in a fact (its `fact`, `value` or `as_of`, or a `contacts` entry) whose source is one of
  the line's markers; the comparison is made after normalising width (NFKC), thousands separators,
  range signs and phone forms (`(27)8888` = `0466・27・8888` = `0466-27-8888`). English figures are
  compared in their Japanese form (`50 million yen` = `5,000万円`, `1 April 2025` = `令和7年4月1日`).
  A figure found only under another primary source is a warning; one found nowhere is an error.

`check_contacts` applies the same figure rule to `contacts.yaml` fields that name a per-field
source (`sources: {phone: URL, hours: URL}`) listed in the facts files (for `address` fields a
mismatch is only a warning). Fields whose sources are not in the facts files are not checked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import yaml

# Pages of these hosts (and their subdomains) are primary sources. Everything else (news sites,
# blogs, aggregators, document mirrors, other municipalities) is secondary and stays out of sheets.
PRIMARY_DOMAINS: tuple[str, ...] = (
    "city.fujisawa.kanagawa.jp",  # 藤沢市, 広報ふじさわ (also fj2.city.fujisawa.kanagawa.jp)
    "cityfujisawa.ne.jp",  # the city's older foundation site (ssc.cityfujisawa.ne.jp)
    "shonan.or.jp",  # (公財)湘南産業振興財団
    "fujisawa-cci.or.jp",  # 藤沢商工会議所
    "pref.kanagawa.jp",  # 神奈川県
    "kipc.or.jp",  # (公財)神奈川産業振興センター
    "go.jp",  # national agencies: jfc.go.jp, jetro.go.jp, smrj.go.jp, meti.go.jp, inpit.go.jp …
)

REQUIRED_FRONT = ("title", "programs", "issuer", "url", "written", "status", "sources")
STATUSES = ("active", "ended")
MARKER = re.compile(r"\[\^(s\d+)\]")
PROGRAM_ID = re.compile(r"^I-\d+-\d+$")

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}


def is_primary(url: str) -> bool:
    host = (urlsplit(str(url)).hostname or "").lower()
    return any(host == d or host.endswith("." + d) for d in PRIMARY_DOMAINS)


def url_key(url: str) -> str:
    """http/https, `www.` and a trailing slash do not make another page."""
    parts = urlsplit(str(url).strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    key = host + parts.path.rstrip("/")
    return key + ("?" + parts.query if parts.query else "")


# ---------------------------------------------------------------- normalisation


def normalize(text: str) -> str:
    """Width, separators, range signs and phone forms made comparable; whitespace kept."""
    s = unicodedata.normalize("NFKC", str(text))
    s = s.replace("〜", "~").replace("–", "~").replace("—", "~").replace("―", "~")
    s = re.sub(r"(?<=\d)\s*[・･]\s*(?=\d)", "-", s)  # 0466・27・8888
    s = re.sub(r"(?<=\d:\d\d)\s*-\s*(?=\d{1,2}:\d\d)", "~", s)  # 9:00-11:30 is a range
    s = re.sub(r"(?<=\d),(?=\d{3})", "", s)  # 5,000 → 5000
    s = re.sub(r"(?<=\d)\s+(?=\d{3}(?!\d))", "", s)  # 5 000 → 5000
    # 0466(27)8888 and (27)8888 (the area code 0466 implied) → 0466-27-8888
    s = re.sub(r"(?<![\d-])(0\d{1,4})\s*\((\d{1,4})\)\s*(\d{4})(?!\d)", r"\1-\2-\3", s)
    s = re.sub(r"(?<![\d)-])\((\d{2})\)\s*(\d{4})(?!\d)", r"0466-\1-\2", s)
    return s


def squash(text: str) -> str:
    return re.sub(r"\s+", "", normalize(text))


def _era(year: int) -> list[str]:
    if year >= 2019:
        return [f"令和{year - 2018}年"] + (["令和元年"] if year == 2019 else [])
    if year >= 1989:
        return [f"平成{year - 1988}年"] + (["平成元年"] if year == 1989 else [])
    return []


def _man(n: int) -> str:
    """20841 → 2万841, 400000 → 40万, 340650000 → 3億4065万."""
    oku, rest = divmod(n, 10**8)
    man, one = divmod(rest, 10**4)
    out = (f"{oku}億" if oku else "") + (f"{man}万" if man else "") + (str(one) if one else "")
    return out


def _yen(n: int) -> list[str]:
    alts = [f"{n}円"]
    if n >= 10**4:
        alts.append(_man(n) + "円")
    return alts


@dataclass
class Token:
    raw: str  # as found (after normalisation), for messages
    alts: list[str]  # any of these (squashed) found in the corpus satisfies the token
    parts: list[Token] = field(default_factory=list)  # a range: each side may be found alone
    needs_year: str = ""  # `M月D日` alternatives also need the year somewhere in the corpus


NUM = r"\d+(?:[.:]\d+)*"
JOIN = r"(?:分の|か月|ヵ月|ヶ月|カ月|ケ月|箇月|[年月日時分万億千~\-/])"
UNIT = (
    r"(?:万円|千円|億円|円|%|か月|ヵ月|ヶ月|カ月|ケ月|箇月|年度|年|月|日|時|分|秒|人|件|社|者|回|歳|号|階|倍|割|"
    r"弾|店舗|店|講座|事業所|団体|セット|kWh|kW|平方メートル|万|千|億)"
)
TOKEN = re.compile(rf"(?:令和|平成|昭和)?{NUM}(?:{JOIN}{NUM})*{UNIT}?")
MONTH_RE = "|".join(MONTHS)
EN_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"(\d+(?:\.\d+)?)\s*million\s*yen", re.I), "million"),
    (re.compile(r"(\d+)[\s-]*yen", re.I), "yen"),
    (re.compile(rf"(\d{{1,2}})\s+({MONTH_RE})\s+(\d{{4}})", re.I), "dmy"),
    (re.compile(rf"({MONTH_RE})\s+(\d{{1,2}}),?\s+(\d{{4}})", re.I), "mdy"),
    (re.compile(rf"({MONTH_RE})\s+(\d{{4}})", re.I), "my"),
    (re.compile(rf"(\d{{1,2}})\s+({MONTH_RE})", re.I), "dm"),
    (re.compile(r"(?<![\d-])(\d{4})-(\d{2})-(\d{2})(?![\d-])"), "iso"),
]


def _date_token(raw: str, y: int | None, m: int, d: int | None) -> Token:
    md = f"{m}月" + (f"{d}日" if d else "")
    if y is None:
        return Token(raw, [md])
    alts = [f"{y}年{md}"] + [e + md for e in _era(y)]
    return Token(raw, alts, parts=[Token(raw, [md])], needs_year=str(y))


def _english_tokens(line: str) -> tuple[list[Token], str]:
    tokens: list[Token] = []
    for pattern, kind in EN_PATTERNS:

        def take(m: re.Match[str], kind: str = kind) -> str:
            g = m.groups()
            if kind == "million":
                tokens.append(Token(m.group(0), _yen(round(float(g[0]) * 10**6))))
            elif kind == "yen":
                tokens.append(Token(m.group(0), _yen(int(g[0]))))
            elif kind == "dmy":
                tokens.append(_date_token(m.group(0), int(g[2]), MONTHS[g[1].lower()], int(g[0])))
            elif kind == "mdy":
                tokens.append(_date_token(m.group(0), int(g[2]), MONTHS[g[0].lower()], int(g[1])))
            elif kind == "my":
                tokens.append(_date_token(m.group(0), int(g[1]), MONTHS[g[0].lower()], None))
            elif kind == "dm":
                tokens.append(_date_token(m.group(0), None, MONTHS[g[1].lower()], int(g[0])))
            else:
                tokens.append(_date_token(m.group(0), int(g[0]), int(g[1]), int(g[2])))
            return " "

        line = pattern.sub(take, line)
    return tokens, line


def _time_alts(text: str) -> list[str]:
    """9:00 → 9時, 8:30 → 8時30分 / 8時半, 15:00 → 午後3時."""
    m = re.fullmatch(r"(\d{1,2}):(\d{2})", text)
    if not m:
        return []
    h, mi = int(m.group(1)), int(m.group(2))
    hours = [f"{h}時"] + ([f"午後{h - 12}時"] if h > 12 else [])
    if mi == 0:
        return hours
    return [f"{x}{mi}分" for x in hours] + ([f"{x}半" for x in hours] if mi == 30 else [])


def _alts(raw: str) -> list[str]:
    alts = [raw]
    alts += _time_alts(raw)
    m = re.match(r"(\d{4})(年度|年)?(.*)", raw)
    if m and 1989 <= int(m.group(1)) <= 2099 and (m.group(2) or not m.group(3)):
        y = int(m.group(1))
        alts += [e.removesuffix("年") + (m.group(2) or "年") + m.group(3) for e in _era(y)]
    m = re.fullmatch(r"(\d{5,})(.*)", raw)
    if m:
        alts.append(_man(int(m.group(1))) + m.group(2))
    return alts


def number_tokens(line: str) -> list[Token]:
    """The tokens with digits in a line (markers and URLs removed)."""
    text = MARKER.sub(" ", line)
    text = re.sub(r"https?://\S+", " ", text)
    tokens, text = _english_tokens(normalize(text))
    for m in TOKEN.finditer(text):
        raw = m.group(0)
        tok = Token(raw, _alts(raw))
        if "~" in raw:
            tok.parts = [Token(p, _alts(p)) for p in raw.split("~") if re.search(r"\d", p)]
        tokens.append(tok)
    return tokens


def found(token: Token, corpus: str) -> bool:
    """Any alternative of the token is in the corpus, or (a range, a date without its year) each part is."""
    if any(squash(a) in corpus for a in token.alts):
        return True
    if not token.parts or not all(found(p, corpus) for p in token.parts):
        return False
    if not token.needs_year:
        return True
    year = int(token.needs_year)
    return token.needs_year in corpus or any(squash(e) in corpus for e in _era(year))


# ---------------------------------------------------------------- facts


@dataclass
class Facts:
    texts: dict[str, list[str]]  # url key → the fact/value/as_of/contact texts seen on that page
    as_of: dict[str, set[str]]  # url key → the as_of values the facts give that page
    programs: dict[str, list[dict]]  # program id → its facts
    primary_programs: set[str]  # programs with at least one fact from a primary source

    def corpus(self, urls: Iterable[str]) -> str:
        return "\n".join(squash(t) for u in urls for t in self.texts.get(url_key(u), []))

    def primary_corpus(self) -> str:
        return "\n".join(squash(t) for k, ts in self.texts.items() if is_primary("http://" + k) for t in ts)

    def has(self, url: str) -> bool:
        return url_key(url) in self.texts


def _iso_forms(as_of: str) -> list[str]:
    m = re.search(r"(\d{4})-(\d{2})(?:-(\d{2}))?", as_of)
    if not m:
        return []
    y, mo = int(m.group(1)), int(m.group(2))
    md = f"{mo}月" + (f"{int(m.group(3))}日" if m.group(3) else "")
    return [f"{y}年{md}"] + [e + md for e in _era(y)]


def load_facts(facts_dir: Path) -> Facts:
    facts = Facts({}, {}, {}, set())
    for path in sorted(Path(facts_dir).glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for program, entry in data.items():
            entry = entry or {}
            facts.programs[program] = list(entry.get("facts") or [])
            for fact in entry.get("facts") or []:
                key = url_key(fact.get("source", ""))
                as_of = str(fact.get("as_of") or "")
                texts = facts.texts.setdefault(key, [])
                texts += [
                    str(fact.get("fact") or ""),
                    str(fact.get("value") or ""),
                    as_of,
                    *_iso_forms(as_of),
                ]
                facts.as_of.setdefault(key, set()).add(as_of)
                if is_primary(fact.get("source", "")):
                    facts.primary_programs.add(program)
            for contact in entry.get("contacts") or []:
                key = url_key(contact.get("source", ""))
                texts = facts.texts.setdefault(key, [])
                texts += [str(contact.get(k) or "") for k in ("org", "phone", "hours")]
                facts.as_of.setdefault(key, set())
    return facts


# ---------------------------------------------------------------- sheets


@dataclass
class Problem:
    file: str
    line: int  # 0: the front matter as a whole
    message: str
    level: str = "error"  # or "warning"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.level}: {self.message}"


@dataclass
class Sheet:
    path: Path
    front: dict
    body: list[tuple[int, str]]  # (line number in the file, text)
    front_lines: int


def parse_sheet(path: Path) -> Sheet:
    lines = Path(path).read_text(encoding="utf-8").splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in [x.strip() for x in lines[1:]]:
        return Sheet(Path(path), {}, list(enumerate(lines, 1)), 0)
    end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    front = yaml.safe_load("\n".join(lines[1:end])) or {}
    body = [(i + 1, lines[i]) for i in range(end + 1, len(lines))]
    return Sheet(Path(path), front if isinstance(front, dict) else {}, body, end + 1)


def _check_front(sheet: Sheet, facts: Facts) -> tuple[list[Problem], dict[str, str]]:
    name = sheet.path.name
    problems: list[Problem] = []
    front = sheet.front
    if not front:
        return [Problem(name, 1, "no front matter (--- … ---) at the top")], {}
    for key in REQUIRED_FRONT:
        if front.get(key) in (None, "", [], {}):
            problems.append(Problem(name, 1, f"front matter lacks `{key}`"))
    programs = front.get("programs") or []
    if not isinstance(programs, list) or not all(PROGRAM_ID.match(str(p)) for p in programs):
        problems.append(Problem(name, 1, f"`programs` must be a list of plan program ids, got {programs!r}"))
    else:
        for p in programs:
            if p not in facts.programs:
                problems.append(Problem(name, 1, f"program {p} is not in the facts files"))
    if front.get("status") and front["status"] not in STATUSES:
        problems.append(Problem(name, 1, f"`status` must be one of {STATUSES}, got {front['status']!r}"))
    if front.get("url") and not is_primary(front["url"]):
        problems.append(Problem(name, 1, f"`url` {front['url']} is not a primary source"))
    urls: dict[str, str] = {}
    sources = front.get("sources") or {}
    if not isinstance(sources, dict):
        problems.append(Problem(name, 1, "`sources` must map s1, s2 … to {url, as_of}"))
        sources = {}
    for key, src in sources.items():
        if not isinstance(src, dict) or "url" not in src or "as_of" not in src:
            problems.append(Problem(name, 1, f"source {key} must have `url` and `as_of`"))
            continue
        url, as_of = str(src["url"]), str(src["as_of"] or "")
        urls[str(key)] = url
        if not is_primary(url):
            problems.append(Problem(name, 1, f"source {key} ({url}) is not a primary source"))
        if not facts.has(url):
            problems.append(Problem(name, 1, f"source {key} ({url}) is not a source in the facts files"))
        elif facts.as_of.get(url_key(url)) and as_of not in facts.as_of[url_key(url)]:
            seen = sorted(facts.as_of[url_key(url)])
            problems.append(Problem(name, 1, f"source {key} as_of {as_of!r}: the facts give {seen}"))
    return problems, urls


def check_sheet(path: Path, facts: Facts) -> list[Problem]:
    sheet = parse_sheet(path)
    name = sheet.path.name
    problems, urls = _check_front(sheet, facts)
    if not sheet.front:
        return problems
    everything = facts.primary_corpus()
    all_sources = facts.corpus(urls.values())
    used: set[str] = set()
    heading_markers: list[str] = []
    body_text = []
    for number, line in sheet.body:
        text = line.strip()
        if not text:
            continue
        markers = MARKER.findall(text)
        used.update(markers)
        for m in markers:
            if m not in urls:
                problems.append(Problem(name, number, f"marker [^{m}] is not defined in `sources`"))
        if text.startswith("#"):
            heading_markers = markers if text.startswith("## ") else []
            corpus_urls = [urls[m] for m in markers if m in urls]
            corpus = facts.corpus(corpus_urls) if corpus_urls else all_sources
        else:
            body_text.append(text)
            own = markers or heading_markers
            if not own:
                problems.append(Problem(name, number, f"line has no source marker [^sN]: 「{text}」"))
            corpus = facts.corpus(urls[m] for m in own if m in urls)
        for token in number_tokens(text):
            if found(token, corpus):
                continue
            if found(token, everything):
                problems.append(
                    Problem(
                        name,
                        number,
                        f"'{token.raw}' is in a primary fact, but not under this line's source: 「{text}」",
                        "warning",
                    )
                )
            else:
                problems.append(
                    Problem(name, number, f"'{token.raw}' is not in any primary fact: 「{text}」")
                )
    for token in number_tokens(str(sheet.front.get("title", ""))):
        if not found(token, all_sources):
            problems.append(Problem(name, 1, f"title: '{token.raw}' is not in the sheet's sources"))
    for key in urls:
        if key not in used:
            problems.append(Problem(name, 1, f"source {key} is never cited"))
    if sheet.front.get("status") == "ended" and not re.search(r"終了|終わ", "".join(body_text)):
        problems.append(Problem(name, 1, "status is `ended` but the sheet does not say so (終了)"))
    return problems


def check_sheets(programs_dir: Path, facts: Facts) -> list[Problem]:
    problems: list[Problem] = []
    for path in sorted(Path(programs_dir).glob("*.md")):
        problems += check_sheet(path, facts)
    return problems


# ---------------------------------------------------------------- contacts.yaml


def check_contacts(path: Path, facts: Facts) -> list[Problem]:
    """Fields with a per-field source listed in the facts files must match those facts."""
    name = Path(path).name
    problems: list[Problem] = []
    entries = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or []
    for entry in entries if isinstance(entries, list) else []:
        sources = entry.get("sources") if isinstance(entry, dict) else None
        if not isinstance(sources, dict):
            continue  # no per-field sources (yet): nothing to check
        for fld, src in sources.items():
            value = entry.get(fld)
            if value in (None, "", []):
                continue
            src_urls = [str(u) for u in (src if isinstance(src, list) else [src]) if u]
            known = [u for u in src_urls if facts.has(u)]
            if not known or len(known) < len(src_urls):
                continue  # a page the facts files do not record: nothing to check against
            where = f"{entry.get('id', '?')}.{fld}"
            for url in known:
                if not is_primary(url):
                    problems.append(Problem(name, 0, f"{where}: source {url} is secondary", "warning"))
            corpus = facts.corpus(known)
            # street numbers and postal codes are not what owners quote back: a warning only
            level = "warning" if fld.startswith("address") else "error"
            for token in number_tokens(str(value)):
                if not found(token, corpus):
                    problems.append(
                        Problem(name, 0, f"{where}: '{token.raw}' is not in the facts of {known}", level)
                    )
    return problems
