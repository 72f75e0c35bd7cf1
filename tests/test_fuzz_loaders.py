"""Issue 11: every loader, fed mutated files (bytes flipped, cut, inserted, blocks duplicated), either
returns text or raises DocumentError: never another exception, never a hang.

Each seed is a small real document of its format (a slice of the plan); Hypothesis mutates it. The
loaders run in the sandbox with a short timeout, so a hang shows up as "stopped: took longer" and
an unexpected exception as "the reader failed", and both fail the test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ingest.file_limits import FileLimits
from ingest.loaders import DocumentError
from ingest.sandbox import Sandbox, SandboxLimits
from ingest.untrusted import read_checked
from tests.plan_formats import read_plan, write_docx, write_pdf

EXAMPLES = int(os.environ.get("NAVIGATOR_FUZZ_EXAMPLES", "50"))
SEED_TEXT = "\n".join(read_plan().splitlines()[:60])


def _seed(suffix: str, folder: Path) -> bytes:
    path = folder / f"seed{suffix}"
    if suffix == ".docx":
        write_docx(SEED_TEXT, path)
    elif suffix == ".pdf":
        write_pdf(SEED_TEXT, path)
    elif suffix == ".html":
        rows = "".join(
            f"<tr><td>{cells[0]}</td><td>{cells[-1]}</td></tr>"
            for line in SEED_TEXT.splitlines()
            if "\t" in line and (cells := line.split("\t"))
        )
        path.write_text(
            f"<html><body><h1>計画</h1><p>{SEED_TEXT[:300]}</p><table>{rows}</table></body></html>"
        )
    elif suffix == ".txt":
        path.write_bytes(SEED_TEXT.encode("cp932", errors="replace"))
    else:
        path.write_text(SEED_TEXT, encoding="utf-8")
    return path.read_bytes()


@pytest.fixture(scope="module")
def sandbox():
    box = Sandbox(SandboxLimits(memory_mb=512, cpu_seconds=20, timeout_seconds=20, workers=2))
    yield box
    box.close()


@st.composite
def mutations(draw: st.DrawFn, data: bytes) -> bytes:
    """A few edits of ``data``: flipped bytes, a cut, an insertion, a duplicated block."""
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["flip", "cut", "insert", "duplicate", "truncate"]))
        at = draw(st.integers(0, max(0, len(out) - 1)))
        if kind == "flip" and out:
            out[at] = draw(st.integers(0, 255))
        elif kind == "cut":
            del out[at : at + draw(st.integers(1, 512))]
        elif kind == "insert":
            out[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif kind == "duplicate":
            block = out[at : at + draw(st.integers(1, 256))]
            out[at:at] = block * draw(st.integers(1, 8))
        else:
            del out[at:]
    return bytes(out)


@pytest.mark.parametrize("suffix", [".txt", ".md", ".html", ".docx", ".pdf"])
def test_a_mutated_document_gives_text_or_a_reason(suffix, sandbox, tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz" + suffix.strip("."))
    seed = _seed(suffix, folder)
    target = folder / f"mutant{suffix}"

    @given(mutated=mutations(seed))
    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    def run(mutated: bytes) -> None:
        target.write_bytes(mutated)
        try:
            records = sandbox.run(read_checked, target, 20 * 1024 * 1024, FileLimits(), target.name)
        except DocumentError as exc:
            reason = str(exc)
            assert not reason.startswith("stopped:"), reason  # a hang or a runaway
            assert not reason.startswith("the reader failed"), reason  # a crash, not a reason
            return
        assert isinstance(records, list) and records  # a document record at least

    run()
