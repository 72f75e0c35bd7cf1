"""How a message in a conversation relates to the one before it, by general rules of language.

Not a list of the phrasings in a test set: each rule is a grammatical signal that holds for any
topic. A message *points back* when it uses a demonstrative or a pronoun (それ, その制度, そこ, あれ,
this, that, it, them) or, being short, names no topic of its own and only asks (いくら？, 場所は？,
who runs it?): Japanese drops the subject an earlier turn set. A *correction* replaces the need
(「Xじゃなくて Y のほう」, "not X, I meant Y", "actually, Y"). A *statement* tells something and asks
nothing (no question mark, no question word or ending): with facts in it, it adds to the case on
file. A *restart* asks to begin again.
"""

from __future__ import annotations

import re

from bot.answering.tuning import TUNING

# demonstratives and pronouns that stand for something said before
_POINTING = re.compile(
    r"(?:^|[^\u4e00-\u9fff])(?:それ|その|そこ|そちら|そっち|あれ|あの|これ|この制度|この支援|こちら|同じ制度)"
    r"|\b(?:that|those|it|its|them|they|this one|the same|there)\b"
)
# asks that need a referent when nothing else is named: when, who, how much, where, papers, phone,
# seminars, how to apply, conditions
_ASK = re.compile(
    r"いつ|何時|誰|だれ|どこ|どちら|いくら|何円|何万|金額|上限|場所|住所|電話|連絡先|問い?合わ?せ|窓口|書類|"
    r"必要な|申込|申し込|申請|手続|条件|対象|費用|無料|セミナー|講座|主催|やって(?:る|ん)|運営|期限|締切|"
    r"何社|何件|何人|何回|"
    r"\b(?:when|who|whom|where|how much|how many|how do|how can|phone|call|talk to|contact|papers|documents|apply|"
    r"sign up|seminars?|free|cost|deadline|organi[sz]e|run)\b"
)
# a question: its mark, a question ending (か, の, Kansai ん but not the negative ません), a request
# to be told, or an English sentence that opens with a question word or an inverted verb
_QUESTION = re.compile(
    r"[?？]|(?:ですか|ますか|でしょうか|かな|かね|の$|(?<!ませ)ん$|か$)|教えて|知りたい|"
    r"(?:^|[.!]\s*)(?:what|when|who|where|how|why|which|is|are|can|could|do|does)\b"
)
# 「Xじゃなくて（Yのほう）」, 「Xではなく」, 「Xより Yのほう」, "not X but Y", "actually (I meant) Y"
# (tried in this order: the replacing need after じゃなくて wins over a bare いや、…)
_CORRECTIONS = (
    re.compile(r"(?:じゃなくて|じゃなく|ではなくて|ではなく|やなくて|でなくて)[、,\s]*(?P<need>.+)$"),
    re.compile(r"\bnot\b.+?\b(?:but|i meant|i mean)\b\s*(?P<need>.+)$"),
    re.compile(r"\b(?:actually|sorry)[, ]+(?:i meant |i mean |it's |it is )?(?P<need>.+)$"),
    re.compile(r"^(?:いや|いえ|ちがう|違う|違います)[、,\s]+(?P<need>.+)$"),
)
_RESTART = re.compile(
    r"^(?:最初から|はじめから|初めから|やり直|リセット)|\b(?:start over|start again|restart|reset)\b"
)


def points_back(text: str) -> bool:
    """Whether a normalised message is about what the conversation was about."""
    if len(text) > TUNING.max_pointing:
        return False
    short = (
        len(text.split()) <= TUNING.max_bare_ask_words if text.isascii() else len(text) <= TUNING.max_bare_ask
    )
    return bool(_POINTING.search(text)) or (short and bool(_ASK.search(text)))


def has_pronoun(text: str) -> bool:
    """Whether a normalised message uses a demonstrative or pronoun (それ, その, that, it…)."""
    return len(text) <= TUNING.max_pointing and bool(_POINTING.search(text))


def correction(text: str) -> str | None:
    """The need a correction puts in place of the last one, or None."""
    match = next((m for pattern in _CORRECTIONS if (m := pattern.search(text))), None)
    if not match:
        return None
    need = re.sub(r"(?:の)?(?:ほう|方)(?:です|で|だ|や)?[。.!！]*$", "", match.group("need")).strip(" 、,。.")
    return need or None


def is_statement(text: str) -> bool:
    """Tells something and asks nothing."""
    return not _QUESTION.search(text) and not _ASK.search(text)


def is_restart(text: str) -> bool:
    return bool(_RESTART.search(text))
