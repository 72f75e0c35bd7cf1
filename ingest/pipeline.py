"""`navigator ingest`: documents → records → a new index version, switched live only when it is good.

Content hashes decide the work: a record whose text (and catalog overlay) is unchanged keeps the
embedding it already has in the live version, so an unchanged re-run embeds nothing and a changed
program row re-embeds exactly that record.

Why not `langchain_core.indexing.index`: it keys documents by a hash of their content, so a changed
program becomes "one added, one deleted" instead of an update of its stable id, and it writes into
the live collection in place. We need per-id change reports and a new version built beside the live
one (never a half-written live index), so we keep the same idea, a record manager of content
hashes, in the version's own metadata.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from tqdm import tqdm

from ingest.advisory_lock import LockHeld, advisory_lock
from ingest.embeddings import embedder_name, make_embedder
from ingest.index_store import IndexStore, LeaseHeld, lease_owner
from ingest.knowledge import Knowledge, KnowledgeError, load_knowledge
from ingest.loaders import SUPPORTED_SUFFIXES, DocumentError
from ingest.records import KINDS, Record
from ingest.settings import Settings
from ingest.untrusted import read_records
from ingest.views import record_documents

log = logging.getLogger(__name__)

EMBED_BATCH = 32
WRITE_BATCH = 256
WRITE_BATCH_BACKGROUND = 16
BACKGROUND_PAUSE = 2.0  # after each background write, pause this many times as long as it took
LEASE_SECONDS = 30 * 60  # longest an ingest may hold the writer lease before others may take it over


class IngestError(RuntimeError):
    """The run produced nothing that may go live; the live version is untouched."""

    def __init__(self, message: str, report: IngestReport | None = None) -> None:
        super().__init__(message)
        self.report = report


class IngestBusy(IngestError):
    """Another ingest holds the writer lock."""


@dataclass
class IngestReport:
    documents: int = 0
    records: dict[str, int] = field(default_factory=lambda: dict.fromkeys(KINDS, 0))
    added: int = 0
    updated: int = 0
    deleted: int = 0
    unchanged: int = 0
    embedded: int = 0
    version: int | None = None
    previous_version: int | None = None
    changes: dict[str, list[Any]] = field(default_factory=dict)
    changes_by_document: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    files: list[dict[str, Any]] = field(default_factory=list)  # each ingested file and its record count
    seconds: float = 0.0
    candidate: bool = False  # built and checked but not made live (an admin switches to it later)
    # No new version was made: ``version`` is the live one (``unchanged`` above counts records).
    nothing_changed: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class _Loaded:
    records: list[Record]
    documents: int
    errors: list[dict[str, str]]
    counts: dict[str, int] = field(default_factory=dict)  # records per ingested file label


@contextmanager
def writer_lock(settings: Settings) -> Iterator[None]:
    """One writer at a time: a second ingest is refused at once rather than interleaved.

    With a PostgreSQL store the lock is an advisory lock in the database (hosts share it); with
    SQLite, a file lock in the data folder. The Chroma lease (`run_ingest_locked`) comes on top."""
    if settings.store_is_postgres:
        try:
            with advisory_lock(settings.store_url):
                yield
        except LockHeld as exc:
            raise IngestBusy("another ingest is running; try again when it has finished") from exc
        return
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    path = settings.data_dir / "ingest.lock"
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise IngestBusy("another ingest is running; try again when it has finished") from exc
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def discover(paths: Sequence[Path]) -> list[Path]:
    """The document files under the given files and folders, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and not p.name.startswith("."))
        else:
            found.append(path)
    return found


def document_sources(settings: Settings) -> list[tuple[Path, str]]:
    """Every document file ingest reads, with its label: the shipped ones (``documents/…``) first,
    then admins' uploads (``uploads/…``). An upload named like a shipped file takes its place."""
    shipped = discover([settings.documents_dir]) if settings.documents_dir.is_dir() else []
    uploads_dir = settings.uploads_folder
    uploads = discover([uploads_dir]) if uploads_dir.is_dir() else []
    uploaded_names = {p.name for p in uploads}
    sources = [
        (p, f"documents/{_label(p, settings.documents_dir)}") for p in shipped if p.name not in uploaded_names
    ]
    sources += [(p, f"uploads/{_label(p, uploads_dir)}") for p in uploads]
    return sources


def load_records(
    files: Sequence[Path],
    knowledge: Knowledge,
    settings: Settings,
    root: Path | None,
    labels: dict[Path, str] | None = None,
) -> _Loaded:
    records: list[Record] = []
    errors: list[dict[str, str]] = []
    seen: dict[str, str] = {}
    documents = 0
    counts: dict[str, int] = {}
    organisations = knowledge.organisation_names()
    for path in files:
        label = (labels or {}).get(path) or _label(path, root)
        try:
            if path.suffix.lower() not in SUPPORTED_SUFFIXES:
                raise DocumentError(
                    f"unsupported file type '{path.suffix or '(none)'}' "
                    f"(supported: {', '.join(sorted(SUPPORTED_SUFFIXES))})"
                )
            parsed = read_records(path, settings, path.name, organisations)  # in a limited worker process
            if not parsed:
                raise DocumentError("no records found in the document")
        except DocumentError as exc:
            errors.append({"file": label, "error": str(exc)})
            log.warning("skipped %s: %s", label, exc)
            continue
        except Exception as exc:  # one file's unforeseen failure must not stop the others
            log.exception("skipped %s: unexpected error", label)
            errors.append(
                {"file": label, "error": f"could not be read: {type(exc).__name__}: {str(exc)[:200]}"}
            )
            continue
        clashes = [r.id for r in parsed if r.id in seen]
        if clashes:
            errors.append(
                {
                    "file": label,
                    "error": f"record ids {', '.join(clashes[:5])} already come from {seen[clashes[0]]}; "
                    "the document was skipped (is it a second copy of the plan?)",
                }
            )
            continue
        seen.update(dict.fromkeys((r.id for r in parsed), path.name))
        records.extend(parsed)
        counts[label] = len(parsed)
        documents += 1
    return _Loaded(records, documents, errors, counts)


def _label(path: Path, root: Path | None) -> str:
    try:
        return str(path.relative_to(root)) if root else str(path)
    except ValueError:
        return str(path)


def run_ingest(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    *,
    embedder: Embeddings | None = None,
    store: IndexStore | None = None,
    progress: bool | Callable[[int, int], None] = False,
    allow_shrink: bool = False,
    publish: bool = True,
) -> IngestReport:
    """Build, check and publish a new index version if anything changed (``publish=False``: build and
    check it as a candidate, and leave the live pointer where it is).

    Raises IngestError when nothing loadable was found or the new version fails its checks, and
    IngestBusy when another ingest runs; in every failure the live version stays as it was.
    """
    with writer_lock(settings):
        return run_ingest_locked(
            settings,
            paths,
            embedder=embedder,
            store=store,
            progress=progress,
            allow_shrink=allow_shrink,
            publish=publish,
        )


def run_ingest_locked(
    settings: Settings,
    paths: Sequence[Path] | None = None,
    *,
    embedder: Embeddings | None = None,
    store: IndexStore | None = None,
    progress: bool | Callable[[int, int], None] = False,
    allow_shrink: bool = False,
    publish: bool = True,
) -> IngestReport:
    """`run_ingest` for a caller that already holds `writer_lock` (a server starting a background job
    takes the lock first, so that a second request is refused at once rather than failing later)."""
    started = time.monotonic()
    store = store or IndexStore(settings)
    owner = lease_owner()
    try:
        store.acquire_lease(owner, ttl_seconds=LEASE_SECONDS)
    except LeaseHeld as exc:
        raise IngestBusy(str(exc)) from exc
    try:
        return _ingest(settings, paths, embedder, store, progress, allow_shrink, started, publish)
    finally:
        store.release_lease(owner)


def _ingest(
    settings: Settings,
    paths: Sequence[Path] | None,
    embedder: Embeddings | None,
    store: IndexStore,
    progress: bool | Callable[[int, int], None],
    allow_shrink: bool,
    started: float,
    publish: bool = True,
) -> IngestReport:
    store.cleanup(settings.keep_versions)  # a crashed run's half-built version goes first
    try:
        knowledge = load_knowledge(settings.contacts_file, settings.catalog_file)
    except KnowledgeError as exc:
        raise IngestError(str(exc)) from exc
    if paths:
        files = discover(list(paths))
        labels: dict[Path, str] = {}
    else:
        sources = document_sources(settings)
        files, labels = [p for p, _ in sources], dict(sources)
    loaded = load_records(files, knowledge, settings, settings.knowledge_dir, labels)
    report = IngestReport(
        documents=loaded.documents,
        errors=loaded.errors,
        files=[{"file": label, "records": n} for label, n in loaded.counts.items()],
        candidate=not publish,
    )
    save_file_outcomes(settings, report)
    if not loaded.records:
        reason = (
            "no document could be ingested" if files else f"no documents found in {settings.documents_dir}"
        )
        raise IngestError(reason, report)
    report.records.update(Counter(r.kind for r in loaded.records))

    embedder = embedder or make_embedder(settings.embedder, settings.embed_threads)
    name = embedder_name(embedder)
    live = store.live()
    live_entries = _live_entries(store, live.number) if live else {}
    previous_records = _records_of(live_entries)
    # Stored vectors are reusable only if the same embedder made them.
    previous = live_entries if live and live.embedder == name else {}

    documents = [doc for r in loaded.records for doc in record_documents(r, knowledge.overlay(r.id))]
    _count_changes(report, loaded.records, documents, previous)
    report.changes = describe_changes(previous_records, {r.id: r for r in loaded.records})
    report.changes_by_document = changes_by_document(report.changes)
    report.previous_version = live.number if live else None
    snapshot = {"knowledge": knowledge.to_dict(), "embedder": name}
    if (
        live is not None
        and live.embedder == name
        and not (report.added or report.updated or report.deleted)
        and live.snapshot.get("knowledge") == snapshot["knowledge"]
    ):
        report.version = live.number
        report.nothing_changed = True
        report.seconds = round(time.monotonic() - started, 2)
        return report
    if not allow_shrink:
        check_no_collapse(previous_records.values(), loaded.records, report)

    number, collection = store.begin_version(name)
    log.info("building index version %s", number)
    try:
        report.embedded = _write_version(collection, documents, previous, embedder, progress)
        check_smoke_queries(collection, documents, embedder, report)
        report.version = number
        report.seconds = round(time.monotonic() - started, 2)
        store.finish_version(number, {**snapshot, "report": report.to_dict()})
        if publish:
            store.publish(number)
        else:
            log.info(
                "index version %s is ready as a candidate; version %s stays live",
                number,
                report.previous_version,
            )
    except BaseException:
        store.drop(number)
        raise
    store.cleanup(settings.keep_versions)
    return report


def save_file_outcomes(settings: Settings, report: IngestReport) -> None:
    """What the last run made of each file (records or the reason it failed), for GET /admin/documents:
    kept even when the run as a whole fails, so an admin sees which file to fix."""
    outcomes = {entry["file"]: {"records": entry["records"], "error": None} for entry in report.files}
    outcomes.update({entry["file"]: {"records": 0, "error": entry["error"]} for entry in report.errors})
    path = settings.data_dir / "last-ingest-files.json"
    scratch = path.with_suffix(".tmp")
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        scratch.write_text(json.dumps({"at": time.time(), "files": outcomes}, ensure_ascii=False), "utf-8")
        os.replace(scratch, path)
    except OSError:
        log.warning("could not save the per-file outcome of this ingest", exc_info=True)


def load_file_outcomes(settings: Settings) -> dict[str, Any]:
    try:
        return json.loads((settings.data_dir / "last-ingest-files.json").read_text("utf-8"))
    except (OSError, ValueError):
        return {"at": None, "files": {}}


def check_no_collapse(live: Iterable[Record], new: Sequence[Record], report: IngestReport) -> None:
    """Refuse a version whose record counts collapse (a plan whose program table went missing)."""
    before = Counter(r.kind for r in live)
    after = Counter(r.kind for r in new)
    for kind in ("program", "measure", "indicator"):
        if before[kind] >= 4 and after[kind] < before[kind] / 2:
            raise IngestError(
                f"refused: the new version has {after[kind]} {kind}s where the live one has {before[kind]} "
                f"(is the {'program table' if kind == 'program' else kind + ' list'} missing?); the live version "
                "is unchanged. Use --allow-shrink if the removal is intended.",
                report,
            )


def check_smoke_queries(
    collection: Any, documents: Sequence[Document], embedder: Embeddings, report: IngestReport
) -> None:
    """Before going live, the new collection must hold every entry and answer queries: a few records'
    own texts, embedded afresh, must find those records (catches a broken write or stale vectors)."""
    stored = collection.count()
    if stored != len(documents):
        raise IngestError(
            f"refused: the new version holds {stored} entries, {len(documents)} were written", report
        )
    mains = [d for d in documents if d.metadata["view"] == "main"]
    probes = [mains[i] for i in sorted({0, len(mains) // 2, len(mains) - 1})]
    vectors = embedder.embed_documents([p.page_content for p in probes])
    for probe, vector in zip(probes, vectors, strict=True):
        got = collection.query(
            query_embeddings=[vector], n_results=min(3, stored), include=["metadatas", "documents"]
        )
        # Several documents may hold the very same passage (eight copies of one leaflet): then any of
        # them is a right answer, so a hit with the probe's own text counts as found.
        hits = zip(got["metadatas"][0], got["documents"][0], strict=True)
        if not any(
            m["record_id"] == probe.metadata["record_id"] or text == probe.page_content for m, text in hits
        ):
            raise IngestError(
                f"refused: smoke query for {probe.metadata['record_id']} did not find it in the new version",
                report,
            )


def _live_entries(store: IndexStore, number: int) -> dict[str, dict[str, Any]]:
    got = store.collection(number).get(include=["metadatas", "embeddings"])
    return {
        entry_id: {"metadata": meta, "embedding": embedding}
        for entry_id, meta, embedding in zip(got["ids"], got["metadatas"], got["embeddings"], strict=True)
    }


def _records_of(entries: dict[str, dict[str, Any]]) -> dict[str, Record]:
    return {
        e["metadata"]["record_id"]: Record.from_json(e["metadata"]["record"])
        for e in entries.values()
        if e["metadata"].get("view") == "main"
    }


def _count_changes(
    report: IngestReport,
    records: list[Record],
    documents: list[Document],
    previous: dict[str, dict[str, Any]],
) -> None:
    old_hashes = {e["metadata"]["record_id"]: e["metadata"]["record_hash"] for e in previous.values()}
    new_hashes = {d.metadata["record_id"]: d.metadata["record_hash"] for d in documents}
    for record in records:
        old = old_hashes.get(record.id)
        if old is None:
            report.added += 1
        elif old != new_hashes[record.id]:
            report.updated += 1
        else:
            report.unchanged += 1
    report.deleted = len(set(old_hashes) - set(new_hashes))


def _write_version(
    collection: Any,
    documents: list[Document],
    previous: dict[str, dict[str, Any]],
    embedder: Embeddings,
    progress: bool | Callable[[int, int], None],
) -> int:
    """Copy reusable embeddings, embed the rest in batches; returns how many records were embedded."""
    vectors: dict[str, list[float]] = {}
    to_embed: list[Document] = []
    for doc in documents:
        old = previous.get(doc.id or "")
        if old is not None and old["metadata"].get("view_hash") == doc.metadata["view_hash"]:
            vectors[doc.id or ""] = list(old["embedding"])
        else:
            to_embed.append(doc)
    bar = tqdm(
        total=len(to_embed), desc="embedding", unit="text", disable=progress is not True or not to_embed
    )
    for start in range(0, len(to_embed), EMBED_BATCH):
        batch = to_embed[start : start + EMBED_BATCH]
        for doc, vector in zip(batch, embedder.embed_documents([d.page_content for d in batch]), strict=True):
            vectors[doc.id or ""] = vector
        bar.update(len(batch))
        if callable(progress):
            progress(min(start + EMBED_BATCH, len(to_embed)), len(to_embed))
    bar.close()
    # Embedded Chroma holds the interpreter lock for the whole of each add (~20 ms plus 0.4 ms per
    # entry, measured). In a server, a re-ingest runs in a thread beside the chat's, so it writes in
    # small batches and pauses after each twice as long as the batch took: answers get the interpreter in
    # between (back to back, ten adds stalled chat answers by 0.5 s). The command line does not wait.
    background = threading.current_thread() is not threading.main_thread()
    size = WRITE_BATCH_BACKGROUND if background else WRITE_BATCH
    for start in range(0, len(documents), size):
        batch = documents[start : start + size]
        began = time.monotonic()
        collection.add(
            ids=[d.id or "" for d in batch],
            documents=[d.page_content for d in batch],
            metadatas=[d.metadata for d in batch],
            embeddings=[vectors[d.id or ""] for d in batch],
        )
        if background:
            time.sleep(BACKGROUND_PAUSE * (time.monotonic() - began))
    return len({d.metadata["record_id"] for d in to_embed})


_COMPARED_FIELDS = ("title", "text", "bodies", "measure", "unit", "baseline", "target", "aims")


def describe_changes(old: dict[str, Record], new: dict[str, Record]) -> dict[str, list[Any]]:
    """The change report for people: which programs came, went or changed, and in which fields; each
    entry names its document (the file's name, or "plan" for the plan's records)."""
    changes: dict[str, list[Any]] = {"added": [], "removed": [], "changed": []}
    for record_id in sorted(new.keys() - old.keys()):
        record = new[record_id]
        changes["added"].append(
            {"id": record_id, "kind": record.kind, "title": record.title, "document": document_of(record)}
        )
    for record_id in sorted(old.keys() - new.keys()):
        record = old[record_id]
        changes["removed"].append(
            {"id": record_id, "kind": record.kind, "title": record.title, "document": document_of(record)}
        )
    for record_id in sorted(old.keys() & new.keys()):
        fields = [f for f in _COMPARED_FIELDS if getattr(old[record_id], f) != getattr(new[record_id], f)]
        if fields:
            entry: dict[str, Any] = {
                "id": record_id,
                "kind": new[record_id].kind,
                "fields": fields,
                "document": document_of(new[record_id]),
            }
            if new[record_id].kind == "indicator":
                entry["figures"] = {
                    "before": [old[record_id].baseline, old[record_id].target],
                    "after": [new[record_id].baseline, new[record_id].target],
                }
            changes["changed"].append(entry)
    return changes


PLAN_DOCUMENT = "plan"


def document_of(record: Record) -> str:
    """Which document a record belongs to, for people: the file's name for a document and its
    passages (its title when the file is unknown), "plan" for the plan's programs, measures, etc."""
    if record.kind in ("document", "passage"):
        return record.source or record.document or record.document_id
    return PLAN_DOCUMENT


def changes_by_document(changes: dict[str, list[Any]]) -> list[dict[str, Any]]:
    """`describe_changes` summed per document: added, updated and deleted records and the changed
    fields, one item per document touched, in the documents' order by name."""
    summary: dict[str, dict[str, Any]] = {}

    def item(name: str) -> dict[str, Any]:
        return summary.setdefault(
            name, {"document": name, "added": 0, "updated": 0, "deleted": 0, "fields": set()}
        )

    for entry in changes.get("added", []):
        item(entry["document"])["added"] += 1
    for entry in changes.get("removed", []):
        item(entry["document"])["deleted"] += 1
    for entry in changes.get("changed", []):
        found = item(entry["document"])
        found["updated"] += 1
        found["fields"].update(entry["fields"])
    return [{**summary[name], "fields": sorted(summary[name]["fields"])} for name in sorted(summary)]
