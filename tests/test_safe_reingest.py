"""Safe re-ingestion: refused versions, one writer at a time, crashes and rollback (issue 5)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest

from ingest.index_store import IndexStore, lease_owner
from ingest.pipeline import IngestBusy, IngestError, run_ingest
from ingest.settings import REPO_ROOT
from tests.conftest import cli_env, run_cli, run_json


def live_answer(settings, question="マル経融資の条件は？") -> dict:
    code, reply = run_json(settings, "ask", question)
    assert code == 0
    return reply


def write_bulk_document(folder, sections: int = 2500) -> None:
    """A long notice: enough distinct sections that embedding them takes a few seconds."""
    lines = [
        f"# お知らせ {n}\n第{n}回 商店街の清掃と防犯の打合せ、議題{n * 7 % 101}について。\n"
        for n in range(sections)
    ]
    (folder / "bulk-notices.md").write_text("\n".join(lines), encoding="utf-8")


def start_ingest(settings) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bot.cli", "-v", "ingest"],
        env=cli_env(settings),
        cwd=REPO_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def wait_for_building(process: subprocess.Popen[str]) -> None:
    """Block until the ingest logs that it is writing a new version (bounded by the process' end)."""
    assert process.stderr is not None
    for line in process.stderr:
        if "building index version" in line:
            return
    pytest.fail("the ingest ended before building a version")


def test_a_plan_without_its_program_table_is_refused_and_the_live_version_stays(settings, embedder):
    first = run_ingest(settings, embedder=embedder)
    plan = settings.documents_dir / "fujisawa-sme-plan.txt"
    kept = [line for line in plan.read_text(encoding="utf-8").splitlines() if not line.startswith("(")]
    plan.write_text("\n".join(kept), encoding="utf-8")

    with pytest.raises(
        IngestError, match="refused: the new version has 0 programs where the live one has 35"
    ):
        run_ingest(settings, embedder=embedder)

    store = IndexStore(settings)
    assert store.live_number() == first.version
    assert [v.number for v in store.versions()] == [first.version]
    assert live_answer(settings)["citations"][0]["id"] == "I-4-3"


def test_the_refusal_reaches_the_command_line_with_its_reason(settings):
    assert run_cli(settings, "ingest").returncode == 0
    plan = settings.documents_dir / "fujisawa-sme-plan.txt"
    plan.write_text(plan.read_text(encoding="utf-8").split("I-施策1")[0], encoding="utf-8")
    done = run_cli(settings, "ingest")
    assert done.returncode == 1
    assert "refused" in done.stderr and "programs" in done.stderr


def test_a_second_concurrent_ingest_is_refused_not_interleaved(settings):
    assert run_cli(settings, "ingest").returncode == 0
    write_bulk_document(settings.documents_dir)
    first = start_ingest(settings)
    try:
        wait_for_building(first)
        second = run_cli(settings, "ingest")
        assert second.returncode == 1
        assert "another ingest is running" in second.stderr
    finally:
        first.communicate(timeout=300)
    assert first.returncode == 0


def test_a_lease_held_by_another_host_refuses_and_a_dead_holder_is_taken_over(settings, embedder):
    store = IndexStore(settings)
    store.acquire_lease("other-host:123:abcd", ttl_seconds=60)
    with pytest.raises(IngestBusy, match="other-host"):
        run_ingest(settings, embedder=embedder, store=store)
    store.release_lease("other-host:123:abcd")

    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True
    )
    host = lease_owner().split(":")[0]
    store.acquire_lease(f"{host}:{dead.stdout.strip()}:dead", ttl_seconds=600)
    assert run_ingest(settings, embedder=embedder, store=store).records["program"] == 35


def test_an_ingest_killed_half_way_leaves_the_last_good_version_and_the_next_one_cleans_up(settings):
    assert run_cli(settings, "ingest").returncode == 0
    store = IndexStore(settings)
    good = store.live_number()
    write_bulk_document(settings.documents_dir)
    process = start_ingest(settings)
    wait_for_building(process)
    time.sleep(0.5)
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)

    assert IndexStore(settings).live_number() == good
    assert live_answer(settings)["citations"][0]["id"] == "I-4-3"

    code, report = run_json(settings, "ingest")
    assert code == 0
    assert report["version"] > good
    store = IndexStore(settings)
    numbers = sorted(
        int(c.name.rsplit("-v", 1)[1])
        for c in store.client.list_collections()
        if c.name.startswith(store.prefix + "-v")
    )
    assert numbers == sorted(v.number for v in store.versions())  # no orphan collections
    assert all(v.status == "ready" for v in store.versions())


def test_rollback_brings_the_old_answers_back(settings):
    assert run_cli(settings, "ingest").returncode == 0
    before = live_answer(settings)["citations"][0]["text"]  # the plan's own words, which the answer cites
    plan = settings.documents_dir / "fujisawa-sme-plan.txt"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(
            "の商工業者への貸付", "の商工業者への無担保・無保証人の貸付"
        ),
        encoding="utf-8",
    )
    assert run_cli(settings, "ingest").returncode == 0
    after = live_answer(settings)["citations"][0]["text"]
    assert after != before and "無担保・無保証人の貸付" in after

    done = run_cli(settings, "rollback")
    assert done.returncode == 0, done.stderr
    assert live_answer(settings)["citations"][0]["text"] == before


def test_a_candidate_from_the_command_line_waits_for_switch(settings):
    assert run_cli(settings, "ingest").returncode == 0
    before = live_answer(settings)["citations"][0]["text"]
    plan = settings.documents_dir / "fujisawa-sme-plan.txt"
    plan.write_text(
        plan.read_text(encoding="utf-8").replace(
            "の商工業者への貸付", "の商工業者への無担保・無保証人の貸付"
        ),
        encoding="utf-8",
    )
    built = run_cli(settings, "ingest", "--candidate")
    assert built.returncode == 0, built.stderr
    assert "candidate version 2, not live (`navigator switch 2`)" in built.stdout
    assert live_answer(settings)["citations"][0]["text"] == before  # the live version still answers
    listed = run_cli(settings, "versions").stdout.splitlines()
    assert listed[0].endswith("* live") and listed[1].endswith("candidate")

    switched = run_cli(settings, "switch", "2")
    assert switched.returncode == 0 and "1 → 2" in switched.stdout
    assert "無担保・無保証人の貸付" in live_answer(settings)["citations"][0]["text"]
    unknown = run_cli(settings, "switch", "9")
    assert unknown.returncode == 1 and "version 9 is not ready" in unknown.stderr
    again = run_cli(settings, "ingest")
    assert "nothing changed: live version 2 stays" in again.stdout


def test_old_versions_beyond_the_configured_count_are_deleted(settings, embedder):
    plan = settings.documents_dir / "fujisawa-sme-plan.txt"
    text = plan.read_text(encoding="utf-8")
    kept = settings.model_copy(update={"keep_versions": 1})
    for n in range(4):
        plan.write_text(text.replace("の商工業者への貸付", f"の商工業者への貸付({n})"), encoding="utf-8")
        run_ingest(kept, embedder=embedder)
    store = IndexStore(kept)
    assert len(store.versions()) == 2  # the live one and one to roll back to
