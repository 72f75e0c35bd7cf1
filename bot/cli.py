"""`navigator`: the command line of the Support Navigator (see `navigator --help`)."""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from ingest.settings import Settings, get_settings

EPILOG = """settings come from environment variables (NAVIGATOR_KNOWLEDGE_DIR, NAVIGATOR_DATA_DIR,
NAVIGATOR_EMBEDDER, NAVIGATOR_CHROMA_URL, ...); see docs/operations.md, "Configuration", for the full list."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="navigator",
        description="Fujisawa SME Support Navigator: which public support programs fit, why, and whom to call.",
        epilog=EPILOG,
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log what happens (to stderr)")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser(
        "ingest",
        help="(re)build the index from knowledge/ or the given paths",
        description="Load the documents, parse them into records, embed what changed and switch the new "
        "index version live. Exits 0 when at least one document was ingested; bad files are "
        "listed as errors and skipped.",
    )
    p.add_argument("paths", nargs="*", type=Path, help="documents or folders (default: knowledge/documents)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    p.add_argument(
        "--allow-shrink",
        action="store_true",
        help="publish even if programs, measures or indicators drop by half or more (refused by default)",
    )
    p.add_argument(
        "--candidate",
        action="store_true",
        help="build and check the new version but leave the live one answering; "
        "try it in the console, then `navigator switch N`",
    )

    p = sub.add_parser(
        "rollback",
        help="make the previous index version live again",
        description="Switch the live pointer back to an earlier ready version (the previous one by default).",
    )
    p.add_argument("--to", type=int, metavar="N", help="the version to make live")

    sub.add_parser("versions", help="list the index versions and which one is live")

    p = sub.add_parser(
        "switch",
        help="make a ready index version (a candidate) live",
        description="Move the live pointer to version N, e.g. a candidate built with `ingest --candidate`.",
    )
    p.add_argument("number", type=int, metavar="N", help="the version to make live")

    p = sub.add_parser("ask", help="answer one question", description="Answer one question from the index.")
    p.add_argument("question", help="the question, in Japanese or English")
    p.add_argument("--json", action="store_true", help="print the JSON answer of docs/design.md")
    p.add_argument("--session", metavar="ID", help="continue a conversation")
    p.add_argument(
        "--details", action="store_true", help="print the details and sources too, not only the main text"
    )

    p = sub.add_parser(
        "eval",
        help="retrieval and answer quality on question sets, beside a naive baseline",
        description="Builds a scratch index per question set. For the plan's set: hit@1, hit@3, MRR and "
        "no-match precision/recall for the navigator and for a RecursiveCharacterTextSplitter + Chroma "
        "baseline. For a set about documents (questions naming a `document` and a `fact`, with the "
        "documents folder to add): the expected document among the first 3 citations, the asked fact "
        "inside the answer's quote, uncovered questions declined.",
    )
    p.add_argument(
        "file",
        nargs="*",
        type=Path,
        help="question sets (default: eval/questions.yaml, eval/documents.yaml, eval/sheets.yaml)",
    )
    p.add_argument("--embedder", help="embedder spec to evaluate (default: NAVIGATOR_EMBEDDER)")
    p.add_argument("--failures", action="store_true", help="list the questions the navigator got wrong")

    sub.add_parser(
        "train-scope",
        help="retrain the scope model from training/scope/ and write its calibration report",
        description="Train, calibrate and report the scope model (bot/answering/scope_model/build.py).",
    )

    p = sub.add_parser(
        "serve",
        help="API, widget, demo page, admin endpoints (and Slack's HTTP endpoint when configured)",
        description="Start the web server. With an empty data directory it ingests knowledge/ first.",
    )
    p.add_argument("--host", help="address to bind (default: NAVIGATOR_HOST or 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: NAVIGATOR_PORT or 8000)")

    sub.add_parser(
        "slack",
        help="Slack Socket Mode worker (needs SLACK_BOT_TOKEN and SLACK_APP_TOKEN)",
        description="Answer Slack mentions, DMs and /navigator over Socket Mode, for installs without a public URL.",
    )

    p = sub.add_parser(
        "db",
        help="the store's schema: `navigator db upgrade` migrates it (servers also do at start-up)",
        description="Schema migrations of the store (NAVIGATOR_DATABASE_URL, or SQLite in the data folder).",
    )
    p.add_argument("action", choices=["upgrade", "current"], help="upgrade to the newest schema, or show it")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    settings = get_settings()
    handler = {
        "ingest": cmd_ingest,
        "ask": cmd_ask,
        "eval": cmd_eval,
        "serve": cmd_serve,
        "rollback": cmd_rollback,
        "switch": cmd_switch,
        "versions": cmd_versions,
        "slack": cmd_slack,
        "db": cmd_db,
        "train-scope": cmd_train_scope,
    }[args.command]
    try:
        return handler(args, settings)
    except KeyboardInterrupt:
        return 130


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db.shared_uploads import sync_uploads
    from ingest.pipeline import IngestError, run_ingest

    if not args.paths:
        sync_uploads(settings)  # several hosts: the uploads any of them took, from the shared store
    try:
        report = run_ingest(
            settings,
            args.paths or None,
            progress=not args.json and sys.stderr.isatty(),
            allow_shrink=args.allow_shrink,
            publish=not args.candidate,
        )
    except IngestError as exc:
        if args.json:
            body = exc.report.to_dict() if exc.report else {}
            print(json.dumps({**body, "error": str(exc)}, ensure_ascii=False, indent=2))
        print(f"navigator ingest: {exc}", file=sys.stderr)
        if exc.report:
            for error in exc.report.errors:
                print(f"  {error['file']}: {error['error']}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        counts = ", ".join(f"{n} {kind}s" for kind, n in report.records.items())
        print(f"ingested {report.documents} document(s): {counts}")
        if report.nothing_changed:
            where = f"nothing changed: live version {report.version} stays"
        elif report.candidate:
            where = f"candidate version {report.version}, not live (`navigator switch {report.version}`)"
        else:
            where = f"live version {report.version}"
        print(
            f"added {report.added}, updated {report.updated}, deleted {report.deleted}, "
            f"unchanged {report.unchanged}; embedded {report.embedded} record(s); "
            f"{where} ({report.seconds:.1f} s)"
        )
        for error in report.errors:
            print(f"error: {error['file']}: {error['error']}")
    return 0


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from bot.answering.index import IndexNotReady
    from bot.runtime import build_runtime
    from bot.store import UnknownSession
    from ingest.embeddings import EmbedderMismatch

    try:
        reply = build_runtime(settings).conversation.respond(args.question, args.session, channel="cli")
    except (IndexNotReady, EmbedderMismatch, UnknownSession) as exc:
        print(f"navigator ask: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(reply, ensure_ascii=False, indent=2))
        return 0
    print(reply["answer"])
    if args.details:  # everything behind 「詳しく」: the records, notes, eligibility, desks, sources
        for item in reply.get("details") or []:
            print(item["text"])
        for c in reply["citations"]:
            print(f"  [{c['n']}] {c['id']} {c['title']} — {c['source']} {c['location']}")
    for card in reply["contacts"]:
        fields = "  ".join(v for v in (card["phone"], card["url"], card["hours"]) if v)
        print(f"  ☎ {card['name']}  {fields}".rstrip())
    print(f"(session {reply['session_id']}: continue with --session {reply['session_id']})", file=sys.stderr)
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    from bot.dialogue_eval import format_parts, run_conversation_eval, run_scope_eval, set_kind
    from bot.evaluation import (
        DEFAULT_SETS,
        failures,
        format_answer_table,
        format_table,
        is_answer_set,
        load_questions,
        run_answer_eval,
        run_eval,
    )
    from bot.reply_shape import ReplyShape, format_shape

    print(f"embedder: {args.embedder or settings.embedder}")
    for questions_file in args.file or [f for f in DEFAULT_SETS if f.exists()]:
        print(f"\n## {questions_file.name}")
        kind = set_kind(questions_file)
        if kind == "scope":
            scope = run_scope_eval(settings, questions_file, args.embedder)
            print(format_parts(scope, lambda o: bool(o.item.get("holdout"))))
            print(format_shape(scope.shape))
            _print_failures(args.failures, scope.failures() + scope.shape.failures())
            continue
        if kind == "conversations":
            turns = run_conversation_eval(settings, questions_file, args.embedder)
            print(format_parts(turns, lambda o: o.holdout))
            print(format_shape(turns.shape))
            _print_failures(args.failures, turns.failures() + turns.shape.failures())
            continue
        count = len(load_questions(questions_file))
        if is_answer_set(questions_file):
            metrics = run_answer_eval(settings, questions_file, args.embedder)
            print(format_answer_table(metrics, count))
            shape = metrics.shape
            found = metrics.failures()
        else:
            results = run_eval(settings, questions_file, args.embedder)
            print(format_table(results, count))
            shape = results[0].shape or ReplyShape()
            found = failures(results[0])
        print(format_shape(shape))
        found += shape.failures()
        _print_failures(args.failures, found)
    return 0


def _print_failures(wanted: bool, found: list[dict[str, Any]]) -> None:
    if wanted:
        for failure in found:
            print(json.dumps(failure, ensure_ascii=False))


def cmd_train_scope(args: argparse.Namespace, settings: Settings) -> int:
    from bot.answering.scope_model.build import main as build

    return build([])


def cmd_rollback(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.index_store import IndexStore
    from ingest.pipeline import IngestBusy, writer_lock

    store = IndexStore(settings)
    before = store.live_number()
    try:
        with writer_lock(settings):
            target = store.rollback(args.to)
    except (ValueError, IngestBusy) as exc:
        print(f"navigator rollback: {exc}", file=sys.stderr)
        return 1
    print(f"live index version: {before} → {target}")
    return 0


def cmd_switch(args: argparse.Namespace, settings: Settings) -> int:
    from ingest.index_store import IndexStore
    from ingest.pipeline import IngestBusy, writer_lock

    store = IndexStore(settings)
    before = store.live_number()
    try:
        with writer_lock(settings):
            store.publish(args.number)
    except (ValueError, IngestBusy) as exc:
        print(f"navigator switch: {exc}", file=sys.stderr)
        return 1
    print(f"live index version: {before} → {args.number}")
    return 0


def cmd_versions(args: argparse.Namespace, settings: Settings) -> int:
    import datetime

    from ingest.index_store import IndexStore

    store = IndexStore(settings)
    live = store.live_number()
    for info in store.versions():
        created = datetime.datetime.fromtimestamp(info.created).isoformat(timespec="seconds")
        records = (info.snapshot.get("report") or {}).get("records", {})
        candidate = info.status == "ready" and not info.was_live and (live is None or info.number > live)
        marker = "* live" if info.number == live else "candidate" if candidate else ""
        print(f"{info.number:>4}  {info.status:<8} {created}  {info.embedder}  {records}  {marker}".rstrip())
    return 0


def cmd_serve(args: argparse.Namespace, settings: Settings) -> int:
    from bot.web.app import serve

    overrides = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    return serve(settings.model_copy(update=overrides))


def cmd_slack(args: argparse.Namespace, settings: Settings) -> int:
    from bot.slack.socket_mode import run_socket_mode

    return run_socket_mode(settings)


def cmd_db(args: argparse.Namespace, settings: Settings) -> int:
    from bot.db import open_database
    from bot.db.migrate import current_revision

    database = open_database(settings)  # opening upgrades (and imports an old data folder's files)
    url = database.engine.url.render_as_string(hide_password=True)
    verb = "at" if args.action == "current" else "upgraded to"
    print(f"store {url}: schema {verb} revision {current_revision(database)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
