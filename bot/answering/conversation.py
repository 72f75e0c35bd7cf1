"""Conversations: follow-ups answer about what the previous turn cited, not a fresh search.

"その問い合わせ先は？", "2番目をもっと詳しく", "英語で教えて", "他には？" refer to the last answer;
a vague question is asked back with the measures as choices, and picking one continues. Owners'
stated facts (employees, industry) stay in the session and are checked against the cited programs'
conditions. Every channel (web, Slack, CLI) goes through `Conversation.respond`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from bot.answering import compose, quotes
from bot.answering.contacts import fallback_contacts
from bot.answering.eligibility import Assessment, Facts, assess, read_facts
from bot.answering.index import Hit, LoadedIndex
from bot.answering.intents import correction, has_pronoun, is_restart, is_statement, points_back
from bot.answering.question import Question
from bot.answering.reply import Contact, Reply, Section
from bot.answering.select import Navigator
from bot.answering.tuning import TUNING
from bot.answering.verdict import asked_kind
from bot.store import ConversationStore, new_session_id
from ingest.records import Record
from ingest.textnorm import normalize

_REFERENCE = r"(?:その|それの|それら?の|この|これの|上の|さっきの|今の|前の|those|these|that|this|the|them|it|its|for)?"
_CONTACTS = re.compile(
    rf"^{_REFERENCE}\s*(?:問い?合わ?せ先|問合せ先|連絡先|電話番号|電話|窓口|相談先|申込先|申し込み先|どこに(?:聞け|相談す|連絡す|電話す)|"
    r"contacts?|phone(?: numbers?)?|who (?:do|should) i (?:call|contact|ask)|whom? to (?:call|contact)|where (?:do|can) i (?:ask|apply))"
)
_ORDINALS = {
    "1": 1,
    "一": 1,
    "first": 1,
    "1st": 1,
    "2": 2,
    "二": 2,
    "second": 2,
    "2nd": 2,
    "3": 3,
    "三": 3,
    "third": 3,
    "3rd": 3,
}
_DETAIL = re.compile(
    r"(?:(?P<ja>[123一二三])\s*(?:番目|つ目|個目|件目)|(?:the\s+)?(?P<en>first|second|third|1st|2nd|3rd)(?:\s+one)?)"
)
_MORE_DETAIL = re.compile(r"詳しく|詳細|くわしく|もっと|more|detail|about")
_ENGLISH = re.compile(r"^(?:英語で|えいごで|in english|english)")
_JAPANESE = re.compile(r"^(?:日本語で|にほんごで|in japanese|japanese)")
_OTHERS = re.compile(
    r"^(?:他には|ほかには|他に|ほかに|他の|ほかの|他は|ほかは|別の|anything else|what else|other (?:options|programs)|others|more options|something else)"
)


@dataclass
class Turn:
    reply: Reply
    context: dict[str, Any]


class Conversation:
    def __init__(self, navigator: Navigator, store: ConversationStore) -> None:
        self.navigator = navigator
        self.store = store

    def respond(self, message: str, session_id: str | None = None, *, channel: str = "web") -> dict[str, Any]:
        """Answer one message in a session (a new one when no id is given); returns the JSON answer of docs/design.md + turn_id."""
        new_session = session_id is None
        if session_id is None:
            session_id, previous = new_session_id(), None
        else:
            previous = self.store.previous_turn(session_id)  # UnknownSession for an unknown id
        index = self.navigator.retriever.index()  # one version for everything this answer reads
        turn = _with_usable_referent(self._turn(message, previous, index))
        reply = {"session_id": session_id, **turn.reply.as_json(), "index_version": index.number}
        turn_id = self.store.add_turn(
            session_id, message, reply, turn.context, new_session_channel=channel if new_session else None
        )
        return {**reply, "turn_id": turn_id}

    def answer_once(self, message: str, index: LoadedIndex) -> dict[str, Any]:
        """A fresh question answered from the given index version (any version, not only the live
        one), stored nowhere: an admin trying a candidate before switching to it. The reply is the
        chat's, without session and turn ids."""
        turn = self._turn(message, None, index)
        return {**turn.reply.as_json(), "index_version": index.number}

    # --- dispatch ------------------------------------------------------------------------------
    def _turn(self, message: str, previous: dict[str, Any] | None, index: LoadedIndex) -> Turn:
        question = Question.parse(message)  # the one reading of the message; every stage takes it
        text = question.normal
        prev_context = previous["context"] if previous else {}
        prev_reply = previous["reply"] if previous else {}
        stated = read_facts(question, index.knowledge)
        facts = stated.merged_over(prev_context.get("facts", {}))
        cited = [c["id"] for c in prev_reply.get("citations", [])]
        language = question.language

        referent = _referent(prev_context, prev_reply)
        if previous and is_restart(text):
            # a fresh start: no referent, no facts; the opener's question again
            return Turn(compose.clarify(self.navigator.measures(index), index.knowledge, language), {})
        if previous and prev_context.get("choices") and (pick := self._picked(question, prev_context, index)):
            pending = prev_context.get("pending")
            asked = Question.from_stored(pending) if pending else question
            return self._about(asked, [pick], index, facts, language)
        if previous and referent and (need := correction(text)):
            # the need is replaced; the owner's facts stay (they are merged above)
            return self._search_answer(Question.parse(need), index, facts, language)
        if len(referent) > 1 and points_back(text):
            return self._which_one(question, referent, index, facts, language, prev_context)
        if previous and len(text) <= TUNING.max_follow_up:
            if _OTHERS.search(text) and prev_reply.get("status") in ("clarify", "no_match"):
                return self._nothing_more(prev_reply, index, facts, language, prev_context)
            if cited and _only_facts(question, stated):
                return self._recheck(cited, index, facts, language, prev_context)
            if prev_reply.get("status") == "clarify" and (choice := self._chosen_measure(question, index)):
                return self._measure_answer(choice, index, facts, prev_reply.get("language", language))
            if cited and _CONTACTS.search(text):
                return self._contacts_answer(cited, index, facts, language, prev_context)
            if cited and (match := _DETAIL.search(text)) and (_MORE_DETAIL.search(text) or len(text) <= 12):
                n = _ORDINALS[(match.group("ja") or match.group("en")).lower()]
                return self._detail_answer(cited, n, index, facts, language, prev_context)
            if cited and _ENGLISH.search(text):
                return self._render(cited, index, facts, "en", prev_context)
            if cited and _JAPANESE.search(text):
                return self._render(cited, index, facts, "ja", prev_context)
            if prev_context.get("ranked") and _OTHERS.search(text):
                return self._more_answer(prev_context, index, facts, language)
        if referent and points_back(text):
            return self._about(question, referent, index, facts, language)
        if referent and cited and is_statement(text) and stated:
            return self._recheck(cited, index, facts, language, prev_context)
        turn = self._search_answer(question, index, facts, language)
        if referent and turn.reply.status == "no_match" and len(text) <= TUNING.max_follow_up:
            scope = turn.context.get("scope_declined")
            if not scope:
                # names nothing the knowledge covers, and is no one's other matter: read it in the
                # conversation's context ("専門家に来てもらうこともできる？" after the DX answer)
                return self._about(question, referent, index, facts, language)
        if previous and not referent and turn.reply.status == "no_match" and has_pronoun(text):
            # "その問い合わせ先は？" with nothing on file to point at (after 「最初から」): ask what about
            return Turn(
                compose.clarify(self.navigator.measures(index), index.knowledge, language), turn.context
            )
        return turn

    # --- fresh questions -----------------------------------------------------------------------
    def _search_answer(self, question: Question, index: LoadedIndex, facts: Facts, language: str) -> Turn:
        result = self.navigator.search(question, index)
        ranked = [h.record.id for h in result.hits]
        context = {"facts": facts.as_dict(), "ranked": ranked, "shown": [], "version": result.version}
        if self.navigator.is_vague(question, result):
            return Turn(compose.clarify(self.navigator.measures(index), index.knowledge, language), context)
        if not result.covered:
            context["scope_declined"] = bool(result.scope and result.scope.declined)
            return Turn(compose.no_match(index.knowledge, language, result.scope), context)
        hits = compose.pick_hits(
            result, self.navigator.settings.top_k, question.asks_terms, index, asked=asked_kind(question)
        )
        quoted: dict[str, str] = {}
        for n, hit in enumerate(hits):
            if hit.record.kind == "passage":
                hits[n], text = quotes.best_passage(hit, result, index, question)
                quoted[hits[n].record.id] = text
        hits = _excluded_after_alternative(hits, facts, index, language)
        context["shown"] = [h.record.id for h in hits]
        context["quotes"] = quoted
        context["question"] = question.stored()
        context["referent"] = _main_programs(question, hits, result.hits, index)
        return Turn(self._with_eligibility(hits, index, facts, language, quoted, question), context)

    def _with_eligibility(
        self,
        hits: list[Hit],
        index: LoadedIndex,
        facts: Facts,
        language: str,
        quoted: dict[str, str] | None = None,
        question: Question | None = None,
        recheck: bool = False,
    ) -> Reply:
        wants_fact = question is not None and question.asks_terms and not recheck
        assessments: list[Assessment] = []
        for hit in list(hits):
            title = _title(hit.record, index, language)
            verdict = assess(hit.record.id, title, facts, index.knowledge, language)
            if verdict is None:
                continue
            assessments.append(verdict)
            shown = {h.record.id for h in hits}
            if (
                verdict.alternative
                and verdict.alternative not in shown
                and verdict.alternative in index.records
            ):
                hits.append(Hit(record=index.records[verdict.alternative], score=hit.score))
        reply = compose.answered(
            hits,
            index,
            language,
            quotes=quoted,
            today=self.navigator.settings.today,
            question=question,
            wants_fact=wants_fact,
            assessments=assessments,
        )
        if recheck and (unknown := _unknown_conditions(hits, assessments, index, language)):
            # what the re-check found for the first program is the answer; the others are details
            first, *others = unknown
            said = [Section(part="conditions", text=first, main=first.startswith("[1]"))]
            said += [Section(part="conditions", text=line, main=False) for line in others]
            reply = reply.adding(*said, after="fact" if reply.parts("fact") else "verdict")
        return reply

    # --- follow-ups ----------------------------------------------------------------------------
    def _hits(self, ids: list[str], index: LoadedIndex) -> list[Hit]:
        return [Hit(record=index.records[i], score=1.0) for i in ids if i in index.records]

    def _render(
        self, cited: list[str], index: LoadedIndex, facts: Facts, language: str, prev: dict[str, Any]
    ) -> Turn:
        hits = self._hits(cited, index)
        reply = self._with_eligibility(hits, index, facts, language, prev.get("quotes"), _asked(prev))
        return Turn(reply, {**prev, "facts": facts.as_dict()})

    def _recheck(
        self, cited: list[str], index: LoadedIndex, facts: Facts, language: str, prev: dict[str, Any]
    ) -> Turn:
        """Facts said after an answer ("従業員は10人です") re-check the programs that answer cited."""
        hits = self._hits(cited, index)
        reply = self._with_eligibility(
            hits, index, facts, language, prev.get("quotes"), _asked(prev), recheck=True
        )
        said = _facts_said(facts, language)
        lead = (
            f"伺った内容（{said}）で、前の回答の制度の条件を確かめました。"
            if language == "ja"
            else f"With what you told me ({said}), I checked the conditions of the programs above again."
        )
        reply = reply.adding(Section(part="lead", text=lead), after="verdict")
        return Turn(reply, {**prev, "facts": facts.as_dict()})

    def _contacts_answer(
        self, cited: list[str], index: LoadedIndex, facts: Facts, language: str, prev: dict[str, Any]
    ) -> Turn:
        """The desks of what the last answer was about (its referent first: the alternative the owner
        can use when their facts excluded the first program), at most two."""
        about = [i for i in prev.get("referent", []) if i in cited or i in index.records]
        hits = self._hits(list(dict.fromkeys([*about, *cited])), index)
        reply = compose.answered(
            hits, index, language, quotes=prev.get("quotes"), today=self.navigator.settings.today
        )
        lines = ["お問い合わせ先です。" if language == "ja" else "Whom to contact:"]
        numbers = {h.record.id: n for n, h in enumerate(hits, 1)}
        for card in reply.contacts:
            name = card.name if language == "ja" else card.name_en or card.name
            fields = [v for v in (card.phone, card.url, card.hours) if v]
            refs = "".join(f"[{numbers[i]}]" for i in card.for_ if i in numbers)
            lines.append(f"- {name} {refs}: {' / '.join(fields)}" if fields else f"- {name} {refs}")
        contacts = reply.contacts
        if not contacts:
            lines.append(
                "登録された連絡先がありません。市の代表電話でお尋ねください。"
                if language == "ja"
                else "No contact is on file; please ask the city's main number."
            )
            contacts = [Contact.model_validate(c) for c in fallback_contacts(index.knowledge)]
        reply = reply.replacing([Section(part="message", text="\n".join(lines))], contacts=contacts)
        return Turn(reply, {**prev, "facts": facts.as_dict()})

    def _detail_answer(
        self, cited: list[str], n: int, index: LoadedIndex, facts: Facts, language: str, prev: dict[str, Any]
    ) -> Turn:
        if n > len(cited):
            hits = self._hits(cited, index)
            reply = compose.answered(
                hits, index, language, quotes=prev.get("quotes"), today=self.navigator.settings.today
            )
            lead = (
                f"前の回答で挙げたのは{len(cited)}件です。番号を選んでください。"
                if language == "ja"
                else f"The last answer named {len(cited)}. Please pick one of them."
            )
            reply = reply.adding(Section(part="lead", text=lead), first=True)
            return Turn(reply, {**prev, "facts": facts.as_dict()})
        record = index.records.get(cited[n - 1])
        if record is None:
            return self._search_answer(Question.parse(cited[n - 1]), index, facts, language)
        hits = self._hits([record.id], index)
        reply = self._with_eligibility(hits, index, facts, language)
        details = Section(part="record", text=compose.details(record, index.knowledge, language))
        reply = reply.replacing([details], keep=("eligibility",))
        return Turn(reply, {**prev, "facts": facts.as_dict(), "shown": [record.id]})

    def _more_answer(self, prev: dict[str, Any], index: LoadedIndex, facts: Facts, language: str) -> Turn:
        seen = set(prev.get("shown", [])) | set(prev.get("seen", []))
        kinds = {index.records[i].kind for i in prev.get("shown", []) if i in index.records} or {"program"}
        rest = [
            i
            for i in prev.get("ranked", [])
            if i not in seen and i in index.records and index.records[i].kind in kinds
        ]
        if not rest:
            text = (
                "ほかに合いそうな支援策は見つかりませんでした。窓口でご相談ください。"
                if language == "ja"
                else "I found nothing else that fits. Please ask a person at one of these desks."
            )
            reply = compose.no_match(index.knowledge, language).replacing(
                [Section(part="message", text=text)]
            )
            return Turn(reply, {**prev, "facts": facts.as_dict()})
        hits = self._hits(rest[: self.navigator.settings.top_k], index)
        shown = [h.record.id for h in hits]
        context = {**prev, "facts": facts.as_dict(), "shown": shown, "seen": sorted(seen | set(shown))}
        return Turn(self._with_eligibility(hits, index, facts, language), context)

    def _nothing_more(
        self,
        prev_reply: dict[str, Any],
        index: LoadedIndex,
        facts: Facts,
        language: str,
        prev: dict[str, Any],
    ) -> Turn:
        """ "他には？" after a question asked back offers the topics again; after a decline it says so
        plainly and names the desks, rather than listing programs the decline already ruled out."""
        if prev_reply.get("status") == "clarify":
            return Turn(compose.clarify(self.navigator.measures(index), index.knowledge, language), prev)
        text = (
            "ほかにご案内できる支援も見つかりませんでした。困っていることを別の言葉で教えていただくか、"
            "窓口にご相談ください。"
            if language == "ja"
            else "I found nothing else either. Tell me what you need in other words, or ask a person at these desks."
        )
        reply = compose.no_match(index.knowledge, language).replacing([Section(part="message", text=text)])
        return Turn(reply, {**prev, "facts": facts.as_dict()})

    def _chosen_measure(self, question: Question, index: LoadedIndex) -> Record | None:
        wanted = question.normal
        for record in index.records.values():
            if record.kind != "measure":
                continue
            names = {normalize(record.title), normalize(record.measure)}
            title_en = index.knowledge.overlay(record.id).get("title_en")
            if title_en:
                names.add(normalize(str(title_en)))
            if wanted in names or any(name and name in wanted for name in names):
                return record
        return None

    def _measure_answer(self, measure: Record, index: LoadedIndex, facts: Facts, language: str) -> Turn:
        programs = [r for r in index.records.values() if r.kind == "program" and r.measure_id == measure.id]
        programs.sort(key=lambda r: int(r.id.rsplit("-", 1)[1]))
        hits = self._hits([r.id for r in programs], index)
        title = _title(measure, index, language)
        intro = (
            f"「{title}」の支援策です。気になるものを番号で聞いてください（例: 2番目をもっと詳しく）。"
            if language == "ja"
            else f"The programs of “{title}”. Ask about one by its number (e.g. “tell me more about the second”)."
        )
        reply = compose.answered(hits, index, language, intro=intro, today=self.navigator.settings.today)
        context = {
            "facts": facts.as_dict(),
            "ranked": [h.record.id for h in hits],
            "shown": [h.record.id for h in hits],
        }
        return Turn(reply, context)

    # --- the referent ---------------------------------------------------------------------------
    def _about(
        self, question: Question, referent: list[str], index: LoadedIndex, facts: Facts, language: str
    ) -> Turn:
        """A follow-up that points back ("それ、いつ申請するの？", "Who runs it?"): asked again with
        the referent's name in place of the pronoun, so retrieval and the quote look for the asked
        fact in that program and its documents; the referent is cited first."""
        record = index.records.get(referent[0])
        if record is None:
            return self._search_answer(question, index, facts, language)
        named = f"{record.title} {_title(record, index, 'en')}" if language == "en" else record.title
        turn = self._search_answer(Question.parse(f"{named} {question.text}"), index, facts, language)
        cited = [c.id for c in turn.reply.citations]
        if referent[0] not in cited:
            hits = self._hits(
                [referent[0], *[c for c in cited if c != referent[0]]][: self.navigator.settings.top_k], index
            )
            reply = self._with_eligibility(hits, index, facts, language, turn.context.get("quotes"), question)
            turn = Turn(reply, {**turn.context, "shown": [h.record.id for h in hits]})
        turn.context["referent"] = [referent[0]]
        return turn

    def _which_one(
        self,
        question: Question,
        referent: list[str],
        index: LoadedIndex,
        facts: Facts,
        language: str,
        prev: dict[str, Any],
    ) -> Turn:
        """The last answer was about two programs and the follow-up could mean either: ask."""
        titles = [_title(index.records[i], index, language) for i in referent if i in index.records]
        text = (
            "どちらの制度についてですか？ " + "／".join(f"「{t}」" for t in titles)
            if language == "ja"
            else "Which one do you mean? " + " / ".join(f"“{t}”" for t in titles)
        )
        reply = compose.clarify([], index.knowledge, language).replacing(
            [Section(part="message", text=text)], suggestions=titles
        )
        # the follow-up waits for the choice, then is answered about the program chosen
        return Turn(
            reply, {**prev, "facts": facts.as_dict(), "choices": referent, "pending": question.stored()}
        )

    def _picked(self, question: Question, prev: dict[str, Any], index: LoadedIndex) -> str | None:
        """Which of the offered programs the answer to "which one?" picks: the first of them that
        retrieval ranks for the message."""
        choices = [c for c in prev.get("choices", []) if c in index.records]
        result = self.navigator.retriever.search(question, index=index)
        for hit in result.hits:
            for rid in _as_program_ids(hit.record.id, index):
                if rid in choices:
                    return rid
        return None

    def feedback(
        self,
        turn_id: int,
        rating: int,
        comment: str = "",
        *,
        session_id: str,
        user: str | None = None,
        channel: str = "web",
    ) -> int:
        """Rate an answer of the conversation ``session_id`` (UnknownTurn if it has no such answer)."""
        return self.store.add_feedback(
            turn_id, rating, comment, session_id=session_id, user=user, channel=channel
        )


def _with_usable_referent(turn: Turn) -> Turn:
    """After a reply that says the owner's facts exclude the program, what the conversation is about
    is the alternative it offered: "その問い合わせ先は？" asks for that desk."""
    verdict, eligibility = turn.reply.verdict, turn.reply.eligibility or []
    if (
        verdict is not None
        and verdict.reason == "not_eligible"
        and eligibility
        and eligibility[0].alternative
    ):
        turn.context["referent"] = [eligibility[0].alternative]
    return turn


def _excluded_after_alternative(
    hits: list[Hit], facts: Facts, index: LoadedIndex, language: str
) -> list[Hit]:
    """A program the owner's facts exclude is not the answer to a question that did not name it
    ("じゃあ他に借りられるのは？" from a 7-person salon): its alternative comes first, and the
    excluded program after it (its eligibility note says why). A question that names the program
    (an alias or its title: "マル経は使えますか") is answered about it."""
    if not hits or not facts or hits[0].alias > 0 or hits[0].title > 0:
        return hits
    first = hits[0]
    assessed = assess(first.record.id, first.record.title, facts, index.knowledge, language)
    if assessed is None or assessed.fits is not False or assessed.alternative not in index.records:
        return hits
    alternative = next((h for h in hits if h.record.id == assessed.alternative), None) or Hit(
        record=index.records[assessed.alternative], score=first.score
    )
    return [alternative, *(h for h in hits if h is not alternative)]


def _as_program_ids(record_id: str, index: LoadedIndex) -> list[str]:
    """A document's or passage's plan programs (the ones it details); a record stands for itself."""
    record = index.records.get(record_id)
    if record is not None and record.kind in ("document", "passage"):
        return index.programs_of.get(record.document_id, []) or [record_id]
    return [record_id]


# Two things asked for together: "AとB", "A、B両方", "A and B", "both".
_COORDINATION = re.compile(
    r"[\u4e00-\u9fff\u30a0-\u30ffa-z]と[、,\s]?[\u4e00-\u9fff\u30a0-\u30ff]|両方|どちらも|\band\b|\bboth\b"
)


def _main_programs(question: Question, shown: list[Hit], ranked: list[Hit], index: LoadedIndex) -> list[str]:
    """What an answer was about: the two programs the owner asked for together, by their aliases
    and with a coordination ("見本市の出展支援と、海外展開のセミナー", "the job fairs and the
    benefits center"), else the first record the answer cites (a document's passage standing for
    the program it details)."""
    named = list(
        dict.fromkeys(
            pid
            for h in ranked[:6]
            if h.alias > 0
            for pid in _as_program_ids(h.record.id, index)
            if pid in index.records and index.records[pid].kind == "program"
        )
    )
    if len(named) >= 2 and _COORDINATION.search(question.normal):
        return named[:2]
    if not shown:
        return []
    return _as_program_ids(shown[0].record.id, index)[:1]


def _asked(context: dict[str, Any]) -> Question | None:
    """The question an earlier answer was composed for, as its turn stored it (not parsed again)."""
    stored = context.get("question")
    return Question.from_stored(stored) if stored else None


def _referent(context: dict[str, Any], reply: dict[str, Any]) -> list[str]:
    """The previous turn's referent; a turn stored before referents were kept has its citations."""
    if "referent" in context:
        return list(context["referent"])
    return [c["id"] for c in reply.get("citations", [])][:1]


def _title(record: Record, index: LoadedIndex, language: str) -> str:
    if language == "en":
        return str(index.knowledge.overlay(record.id).get("title_en") or record.title)
    return record.title


_FACT_WORDS = re.compile(
    r"従業員|社員|スタッフ|パート|人|名|業|店|工場|年|か月|ヶ月|創業|開業|設立|運転資金|設備資金|です|ます|うち|は|の|で|"
    r"\b(?:we|have|employees|staff|people|years|months|in business|working capital|equipment|our|is|are|a|an|the|"
    r"run|shop|company|firm)\b"
)


def _only_facts(question: Question, stated: Facts) -> bool:
    """Whether a message only states facts about the business ("従業員は10人です", "We have 8 staff")
    rather than asking something new (``stated``: the facts read from it)."""
    if not stated:
        return False
    rest = _FACT_WORDS.sub(" ", question.normal)
    rest = re.sub(r"[\d\s。、,.!?！？]+", "", rest)
    return len(rest) <= 6


def _facts_said(facts: Facts, language: str) -> str:
    parts = []
    if facts.employees is not None:
        parts.append(f"従業員{facts.employees}人" if language == "ja" else f"{facts.employees} employees")
    if facts.industry_word:
        parts.append(facts.industry_word)
    if facts.months_in_business is not None:
        parts.append(
            f"営業{facts.months_in_business}か月"
            if language == "ja"
            else f"{facts.months_in_business} months in business"
        )
    if facts.purpose:
        parts.append(facts.purpose)
    return "、".join(parts) if language == "ja" else ", ".join(parts)


def _unknown_conditions(
    hits: list[Hit], assessments: list[Assessment], index: LoadedIndex, language: str
) -> list[str]:
    """For cited programs whose conditions the knowledge base does not hold: say so, and name the desk."""
    assessed = {a.record_id for a in assessments}
    lines = []
    for n, hit in enumerate(hits, 1):
        if hit.record.id in assessed or hit.record.kind != "program":
            continue
        first = index.knowledge.overlay(hit.record.id).get("first_contact") or {}
        contact = index.knowledge.contact_by_id(str(first.get("id") or ""))
        desk = (
            (contact["name"] if language == "ja" else contact.get("name_en") or contact["name"])
            if contact
            else ""
        )
        if language == "ja":
            lines.append(
                f"[{n}] この制度の利用条件（従業員数など）は、このナビゲーターの情報にはありません。"
                + (f"{desk}にご確認ください。" if desk else "窓口にご確認ください。")
            )
        else:
            lines.append(
                f"[{n}] The conditions of this program (such as staff numbers) are not in my information."
                + (f" Please check with {desk}." if desk else " Please check with the desk.")
            )
    return lines
