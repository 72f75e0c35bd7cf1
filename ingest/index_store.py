"""The index layout in Chroma: one collection per index version, and a small meta collection.

Every ingest that changes anything builds a new version beside the live one and then moves the
``live`` pointer in a single upsert. Readers follow the pointer, so they see the old version or the
new one, never a half-built mix, and a failed or killed ingest leaves the live version untouched.
The pointer and each version's knowledge snapshot live in Chroma itself, so that several processes
sharing a Chroma server agree on what is live.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ingest.settings import Settings

if TYPE_CHECKING:  # chromadb takes most of a second to import: only when a store is opened
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)

LIVE_ID = "live"
LEASE_ID = "writer-lease"
_PLACEHOLDER_VECTOR = [0.0]  # the meta collection holds JSON, not vectors, but Chroma wants one


class LeaseHeld(RuntimeError):
    """Another ingest holds the writer lease."""

    def __init__(self, owner: str, expires: float) -> None:
        super().__init__(f"another ingest is running ({owner}); try again when it has finished")
        self.owner = owner
        self.expires = expires


def lease_owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _lease_is_stale(held: dict[str, Any]) -> bool:
    if float(held["expires"]) < time.time():
        return True
    host, _, rest = str(held["owner"]).partition(":")
    pid = rest.partition(":")[0]
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


@dataclass(frozen=True)
class VersionInfo:
    number: int
    collection: str
    embedder: str
    status: str  # building | ready
    created: float
    snapshot: dict[str, Any]
    published: bool = False  # has been live at some time (a candidate only once it is switched to)

    @property
    def was_live(self) -> bool:
        """Whether this version has been live: a candidate build only once switched to; every other
        ready build went live when it was made (stores from before candidates carry no flag)."""
        if self.status != "ready":
            return False
        return self.published or not (self.snapshot.get("report") or {}).get("candidate", False)


def make_client(settings: Settings) -> ClientAPI:
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        return chromadb.HttpClient(
            host=url.hostname or "localhost",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(settings.chroma_dir), settings=chroma_settings)


class IndexStore:
    def __init__(self, settings: Settings, client: ClientAPI | None = None) -> None:
        self.settings = settings
        self.client = client or make_client(settings)
        self.prefix = settings.collection_prefix
        self._meta = self.client.get_or_create_collection(f"{self.prefix}-meta")

    # --- names -------------------------------------------------------------------------------
    def collection_name(self, number: int) -> str:
        return f"{self.prefix}-v{number:06d}"

    def _number_of(self, name: str) -> int | None:
        head = f"{self.prefix}-v"
        if name.startswith(head) and name[len(head) :].isdigit():
            return int(name[len(head) :])
        return None

    # --- the live pointer ----------------------------------------------------------------------
    def live_number(self) -> int | None:
        got = self._meta.get(ids=[LIVE_ID], include=["metadatas"])
        if not got["ids"]:
            return None
        return int(got["metadatas"][0]["version"])

    def live(self) -> VersionInfo | None:
        number = self.live_number()
        return self.version(number) if number is not None else None

    def switched_at(self) -> float | None:
        """When the live pointer last moved (None before the first version)."""
        got = self._meta.get(ids=[LIVE_ID], include=["metadatas"])
        if not got["ids"]:
            return None
        at = got["metadatas"][0].get("switched_at")
        return float(at) if at is not None else None

    def publish(self, number: int) -> None:
        """Make a ready version live: one upsert, atomic for every reader."""
        info = self.version(number)
        if info is None or info.status != "ready":
            raise ValueError(f"version {number} is not ready to go live")
        if not info.published:  # remembered, so that a rollback returns to versions that were live
            self._write_version(
                number, info.collection, info.embedder, "ready", info.snapshot, info.created, published=True
            )
        self._meta.upsert(
            ids=[LIVE_ID],
            embeddings=[_PLACEHOLDER_VECTOR],
            documents=[""],
            metadatas=[{"version": number, "switched_at": time.time()}],
        )
        log.info("index version %s is live", number)

    # --- versions ------------------------------------------------------------------------------
    def version(self, number: int) -> VersionInfo | None:
        got = self._meta.get(ids=[f"version:{number}"], include=["metadatas", "documents"])
        if not got["ids"]:
            return None
        meta = got["metadatas"][0]
        return VersionInfo(
            number=number,
            collection=str(meta["collection"]),
            embedder=str(meta["embedder"]),
            status=str(meta["status"]),
            created=float(meta["created"]),
            snapshot=json.loads(got["documents"][0] or "{}"),
            published=bool(meta.get("published", False)),
        )

    def versions(self) -> list[VersionInfo]:
        got = self._meta.get(where={"kind": "version"}, include=["metadatas"])
        numbers = sorted(int(m["version"]) for m in got["metadatas"])
        return [v for n in numbers if (v := self.version(n)) is not None]

    def begin_version(self, embedder: str) -> tuple[int, Collection]:
        """Reserve the next number and create its (empty) collection, marked as building."""
        existing = [v.number for v in self.versions()]
        existing += [n for c in self.client.list_collections() if (n := self._number_of(c.name)) is not None]
        number = max(existing, default=0) + 1
        name = self.collection_name(number)
        collection = self.client.create_collection(
            name, metadata={"hnsw:space": "cosine", "embedder": embedder}
        )
        self._write_version(number, name, embedder, "building", {})
        return number, collection

    def finish_version(self, number: int, snapshot: dict[str, Any]) -> None:
        info = self.version(number)
        if info is None:
            raise ValueError(f"version {number} was never begun")
        self._write_version(number, info.collection, info.embedder, "ready", snapshot)

    def _write_version(
        self,
        number: int,
        name: str,
        embedder: str,
        status: str,
        snapshot: dict,
        created: float | None = None,
        *,
        published: bool = False,
    ) -> None:
        self._meta.upsert(
            ids=[f"version:{number}"],
            embeddings=[_PLACEHOLDER_VECTOR],
            documents=[json.dumps(snapshot, ensure_ascii=False)],
            metadatas=[
                {
                    "kind": "version",
                    "version": number,
                    "collection": name,
                    "embedder": embedder,
                    "status": status,
                    "created": created if created is not None else time.time(),
                    "published": published,
                }
            ],
        )

    def collection(self, number: int) -> Collection:
        return self.client.get_collection(self.collection_name(number))

    def drop(self, number: int) -> None:
        name = self.collection_name(number)
        if name in {c.name for c in self.client.list_collections()}:
            self.client.delete_collection(name)
        self._meta.delete(ids=[f"version:{number}"])

    def cleanup(self, keep: int) -> list[int]:
        """Delete half-built versions, and ready ones older than the live one beyond the newest ``keep``
        that were live (rollback targets). Ready candidates newer than the live one are never deleted;
        an older candidate that never went live (passed over by a later switch) is.

        Also removes orphan collections (a crashed ingest that never wrote its meta entry).
        """
        live = self.live_number()
        versions = self.versions()
        ready = [v for v in versions if v.status == "ready" and v.number != live]
        candidates = {v.number for v in ready if live is None or v.number > live}
        older = sorted((v.number for v in ready if v.number not in candidates and v.was_live), reverse=True)
        keep_numbers = {live, *candidates, *older[:keep]}
        dropped = []
        known = {v.number for v in versions}
        on_disk = {n for c in self.client.list_collections() if (n := self._number_of(c.name)) is not None}
        for number in sorted(known | on_disk):
            if number not in keep_numbers:
                self.drop(number)
                dropped.append(number)
        if dropped:
            log.info("removed index versions %s", dropped)
        return dropped

    # --- the writer lease (one ingest at a time across hosts sharing a Chroma server) ---------
    def acquire_lease(self, owner: str, ttl_seconds: float) -> None:
        """Take the writer lease or raise LeaseHeld. A lease whose holder died (same host, gone pid)
        or that expired is taken over, so a killed ingest never blocks the next one for long."""
        got = self._meta.get(ids=[LEASE_ID], include=["metadatas"])
        if got["ids"]:
            held = got["metadatas"][0]
            if str(held["owner"]) != owner and not _lease_is_stale(held):
                raise LeaseHeld(str(held["owner"]), float(held["expires"]))
        self._meta.upsert(
            ids=[LEASE_ID],
            embeddings=[_PLACEHOLDER_VECTOR],
            documents=[""],
            metadatas=[{"owner": owner, "expires": time.time() + ttl_seconds}],
        )
        confirmed = self._meta.get(ids=[LEASE_ID], include=["metadatas"])
        if str(confirmed["metadatas"][0]["owner"]) != owner:  # lost a race with another host
            raise LeaseHeld(
                str(confirmed["metadatas"][0]["owner"]), float(confirmed["metadatas"][0]["expires"])
            )

    def release_lease(self, owner: str) -> None:
        got = self._meta.get(ids=[LEASE_ID], include=["metadatas"])
        if got["ids"] and str(got["metadatas"][0]["owner"]) == owner:
            self._meta.delete(ids=[LEASE_ID])

    def rollback(self, to: int | None = None) -> int:
        """Make an earlier ready version live again (the previous one by default)."""
        target = to if to is not None else self.previous_ready()
        if target is None:
            raise ValueError("there is no earlier version to roll back to")
        self.publish(target)
        return target

    def previous_ready(self) -> int | None:
        """The newest ready version older than the live one that has been live (a candidate that was
        passed over is no version to go back to)."""
        live = self.live_number()
        older = [v.number for v in self.versions() if v.was_live and live is not None and v.number < live]
        return max(older, default=None)
