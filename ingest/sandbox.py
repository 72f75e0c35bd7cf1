"""Run untrusted parsing in separate worker processes with limits on memory, CPU and wall-clock time.

Parsers (pdfminer, lxml, BeautifulSoup) can be driven by a hostile file to eat gigabytes, spin for
minutes or recurse until the interpreter dies. In a worker process with ``RLIMIT_AS`` and
``RLIMIT_CPU`` set, and a wall-clock deadline after which the parent kills it, the worst a file can
do is lose its own worker: the API process and the rest of an ingest carry on, and the file is
reported with a reason ("stopped: used more than 512 MB").

Workers are kept and reused (starting an interpreter and importing the parsers costs ~0.5 s, which
300 small documents must not pay each), one task at a time each; a worker that was killed, died
or ran out of memory is replaced by a fresh one. The function to run must be a picklable top-level
function, e.g. ``ingest.untrusted.load_checked``.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ingest.loaders import DocumentError

log = logging.getLogger(__name__)

_MB = 1024 * 1024
_NICE = 10
# Imported once by the fork server, so each worker starts with the parsers already loaded.
_PRELOAD = [
    "ingest.loaders",
    "ingest.file_limits",
    "ingest.plan_parser",
    "ingest.untrusted",
    "ingest.sandbox",
]


@dataclass(frozen=True)
class SandboxLimits:
    memory_mb: int = 512  # address space a worker may add to what it uses after start-up
    cpu_seconds: int = 60  # CPU time one task may use
    timeout_seconds: float = 120.0  # wall-clock time one task may take
    workers: int = 2  # worker processes (tasks beyond that wait for a free one)


# --- what runs inside a worker ------------------------------------------------------------------------


def _worker_main(conn: Connection, memory_mb: int) -> None:
    """Serve tasks from ``conn`` until it closes. The address-space cap is what this process already
    maps plus ``memory_mb``, so the cap means "may grow by" whatever the imported libraries cost."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the parent, which ends us
    with contextlib.suppress(OSError):
        os.nice(_NICE)  # on a small machine, answering people comes before reading documents
    cap = _mapped_bytes() + memory_mb * _MB
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (cap, resource.RLIM_INFINITY))
    while True:
        try:
            func, args, kwargs, cpu_seconds = conn.recv()
        except (EOFError, OSError):
            return
        used = resource.getrusage(resource.RUSAGE_SELF)
        spent = int(used.ru_utime + used.ru_stime)
        with contextlib.suppress(ValueError, OSError):
            # The CPU limit is for the process's life: move it to "what was spent + this task's share".
            resource.setrlimit(resource.RLIMIT_CPU, (spent + cpu_seconds + 1, resource.RLIM_INFINITY))
        try:
            outcome: tuple[str, Any] = ("ok", func(*args, **kwargs))
        except MemoryError:
            outcome = ("memory", None)
        except DocumentError as exc:
            # Parsers report a failed allocation in their own words (lxml: "unknown error"), so a
            # failure with the address space nearly exhausted counts as running out of memory.
            memory = isinstance(exc.__cause__, MemoryError) or _peak_bytes() > cap - 32 * _MB
            outcome = ("memory", None) if memory else ("document", str(exc))
        except RecursionError:
            outcome = ("document", "refused: the document is nested too deeply to read")
        except Exception as exc:  # noqa: BLE001 - any parser bug is this file's failure, nothing more
            outcome = ("error", f"{type(exc).__name__}: {str(exc)[:200]}")
        try:
            conn.send(outcome)
        except (OSError, ValueError):
            return
        if outcome[0] == "memory":
            return  # a process that hit its memory cap may be in a poor state: start afresh


def _peak_bytes() -> int:
    """The most address space this process has mapped (VmPeak)."""
    with contextlib.suppress(OSError, ValueError), open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmPeak:"):
                return int(line.split()[1]) * 1024
    return 0


def _mapped_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")


# --- the parent side ------------------------------------------------------------------------------------


class _Worker:
    def __init__(self, context: Any, memory_mb: int) -> None:
        self.conn, child = context.Pipe()
        self.process = context.Process(target=_worker_main, args=(child, memory_mb), daemon=True)
        self.process.start()
        child.close()

    def kill(self) -> None:
        with contextlib.suppress(Exception):
            self.process.kill()
        with contextlib.suppress(Exception):
            self.process.join(timeout=5)
        with contextlib.suppress(Exception):
            self.conn.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid


class Sandbox:
    """A pool of limited worker processes; ``run`` is thread-safe and blocks its caller only."""

    def __init__(self, limits: SandboxLimits) -> None:
        self.limits = limits
        self._context = multiprocessing.get_context("forkserver")
        with contextlib.suppress(ValueError):
            self._context.set_forkserver_preload(_PRELOAD)
        self._idle: queue.LifoQueue[_Worker | None] = queue.LifoQueue()
        for _ in range(max(1, limits.workers)):
            self._idle.put(None)  # a slot; its worker is started on first use
        self._lock = threading.Lock()
        self._busy: set[_Worker] = set()
        self._closed = False

    def run(self, func: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """``func(*args, **kwargs)`` in a worker; its result, or DocumentError with the reason."""
        if self._closed:
            raise DocumentError("stopped: the document reader is shutting down")
        worker = self._idle.get()
        if worker is None or not worker.process.is_alive():
            if worker is not None:
                worker.kill()
            worker = _Worker(self._context, self.limits.memory_mb)
        with self._lock:
            self._busy.add(worker)
        keep: _Worker | None = None
        try:
            outcome = self._exchange(worker, func, args, kwargs)
            keep = worker if outcome[0] in ("ok", "document", "error") else None
        finally:
            with self._lock:
                self._busy.discard(worker)
            if keep is None:
                worker.kill()
            self._idle.put(keep)
        kind, value = outcome
        if kind == "ok":
            return value
        if kind == "document":
            raise DocumentError(value)
        if kind == "error":
            raise DocumentError(f"the reader failed on this file ({value})")
        raise DocumentError(value)

    def _exchange(
        self, worker: _Worker, func: Callable[..., Any], args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> tuple[str, Any]:
        limits = self.limits
        try:
            worker.conn.send((func, args, kwargs, limits.cpu_seconds))
            deadline = time.monotonic() + limits.timeout_seconds
            while not worker.conn.poll(0.05):
                if not worker.process.is_alive() and not worker.conn.poll(0):
                    return self._death(worker)
                if time.monotonic() > deadline:
                    return ("timeout", f"stopped: took longer than {limits.timeout_seconds:g} s")
            kind, value = worker.conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            return self._death(worker)
        if kind == "memory":
            return ("memory", f"stopped: used more than {limits.memory_mb} MB")
        return (kind, value)

    def _death(self, worker: _Worker) -> tuple[str, str]:
        worker.process.join(timeout=5)
        code = worker.process.exitcode
        if code == -signal.SIGXCPU:
            return ("cpu", f"stopped: used more than {self.limits.cpu_seconds} s of CPU")
        if code == -signal.SIGSEGV:
            return ("died", "stopped: the reader crashed on this file (segmentation fault)")
        return ("died", f"stopped: the reader process died (exit {code}); out of memory?")

    def pids(self) -> list[int]:
        """Worker process ids (tests measure their memory)."""
        with self._lock:
            busy = [w.pid for w in self._busy if w.pid]
        return busy

    def close(self) -> None:
        self._closed = True
        while True:
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                break
            if worker is not None:
                worker.kill()
        with self._lock:
            for worker in list(self._busy):
                worker.kill()


_shared: dict[SandboxLimits, Sandbox] = {}
_shared_lock = threading.Lock()


def shared_sandbox(limits: SandboxLimits) -> Sandbox:
    """One pool per set of limits for the whole process (the server's uploads and its ingests share it)."""
    with _shared_lock:
        sandbox = _shared.get(limits)
        if sandbox is None:
            sandbox = _shared[limits] = Sandbox(limits)
        return sandbox


def sandbox_limits(settings: Any) -> SandboxLimits:
    return SandboxLimits(
        memory_mb=settings.sandbox_memory_mb,
        cpu_seconds=settings.sandbox_cpu_seconds,
        timeout_seconds=settings.sandbox_timeout_seconds,
        workers=settings.sandbox_workers,
    )


@atexit.register
def _close_all() -> None:
    for sandbox in list(_shared.values()):
        sandbox.close()
