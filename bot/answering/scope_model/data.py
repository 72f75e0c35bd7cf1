"""The scope model's training examples: written questions and the catalog's own words.

Out of scope: ``training/scope/out.yaml`` (department -> questions). Every written question, in or
out, is also asked once after a business owner's opener ("飲食店を経営しています。…"): the asker
being a business does not make a resident's matter (their child's nursery place, their own
pension) a business need, so the opener must carry no signal either way; given to one class only,
the model would learn "工務店" as a reason to decline or to answer. In scope: ``training/scope/in.yaml`` and, from
knowledge/catalog.yaml, every record's plain sentence, aliases and English words: the programs'
own words. None of it comes from eval/, which measures the model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from ingest.settings import REPO_ROOT

TRAINING_DIR = REPO_ROOT / "training" / "scope"
IN_SCOPE = "in"
# Openers a business owner writes before a private matter (used to build the examples above).
_OWNER_OPENERS = (
    "飲食店を経営しています。",
    "個人で美容室をやってます。",
    "小さな工務店の社長です。",
    "I run a small shop. ",
)


@dataclass(frozen=True)
class Example:
    text: str
    label: str  # "in", or the department of an out-of-scope question
    source: str  # written | catalog | owner-prefixed


def examples(training_dir: Path = TRAINING_DIR, catalog: Path | None = None) -> list[Example]:
    """Every training example, in a stable order (the build is reproducible)."""
    found: list[Example] = []
    out = yaml.safe_load((training_dir / "out.yaml").read_text(encoding="utf-8"))
    written = [(str(q), str(d)) for d, questions in out.items() for q in questions]
    written += [
        (str(q), IN_SCOPE) for q in yaml.safe_load((training_dir / "in.yaml").read_text(encoding="utf-8"))
    ]
    for n, (question, label) in enumerate(written):
        found.append(Example(question, label, "written"))
        # in scope, every opener: the in class also holds the catalog's words, so one opener each
        # would leave the openers more frequent, relative to their class, among the declined
        openers = _OWNER_OPENERS if label == IN_SCOPE else (_OWNER_OPENERS[n % len(_OWNER_OPENERS)],)
        found.extend(
            Example(opener + question, label, "owner-prefixed")
            for opener in openers
            if opener.isascii() == question.isascii()
        )
    found.extend(_catalog_examples(catalog or REPO_ROOT / "knowledge" / "catalog.yaml"))
    return found


# The ways a question is put around its topic. The catalog's aliases are bare noun phrases while
# the written out-of-scope questions are whole questions ("…はどこでできますか"); without putting the
# aliases into the same forms, the model would learn the form of a question ("どこで", "教えて")
# as a sign of a resident. Each alias is asked in one form, in turn.
# The same holds for the asks about details (papers, phone, limits, deadlines): residents ask them
# about their own matters, owners about the programs.
_ASKED_JA = (
    "{}",
    "{}の相談はどこでできますか",
    "{}について教えて",
    "{}の支援はありますか",
    "{}って、どこに聞いたらええの？",
    "{}の申し込みはどうすればいいですか",
    "{}、いつからやってる？",
    "{}の補助の上限はいくら？",
    "{}の申請に必要な書類は？",
    "{}の問い合わせの電話番号は？",
    "{}はいつまでに申請すればいい？",
    "{}って何割出るの？",
)
_ASKED_EN = (
    "{}",
    "Where can I ask about {}?",
    "Tell me about {}.",
    "Is there support for {}?",
    "What papers do I need for {}?",
    "What is the phone number for {}?",
    "How much can we get for {}?",
)


def _catalog_examples(path: Path) -> list[Example]:
    records = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("records", {})
    found = []
    for entry in records.values():
        texts = [entry.get("plain"), entry.get("plain_en"), entry.get("title_en"), entry.get("summary_en")]
        found.extend(Example(str(t), IN_SCOPE, "catalog") for t in texts if t)
        for n, alias in enumerate(entry.get("aliases") or []):
            found.append(Example(_ASKED_JA[n % len(_ASKED_JA)].format(alias), IN_SCOPE, "catalog"))
        for n, alias in enumerate(entry.get("aliases_en") or []):
            found.append(Example(_ASKED_EN[n % len(_ASKED_EN)].format(alias), IN_SCOPE, "catalog"))
    return found
