"""Shared fixtures: real Chroma, the real bundled embedder, the repository's own knowledge."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from ingest.embeddings import make_embedder
from ingest.settings import REPO_ROOT, Settings

KNOWLEDGE = REPO_ROOT / "knowledge"
PLAN = KNOWLEDGE / "documents" / "fujisawa-sme-plan.txt"


@pytest.fixture(scope="session")
def embedder():
    return make_embedder("bundled")


@pytest.fixture
def knowledge_dir(tmp_path: Path) -> Path:
    """A private copy of knowledge/ that a test may change."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE, target)
    return target


@pytest.fixture
def settings(tmp_path: Path, knowledge_dir: Path) -> Settings:
    return Settings(knowledge_dir=knowledge_dir, data_dir=tmp_path / "data")


@pytest.fixture(scope="session")
def built_index(tmp_path_factory: pytest.TempPathFactory, embedder) -> Settings:
    """One index of the repository's knowledge, built once and shared by read-only tests."""
    from ingest.pipeline import run_ingest

    settings = Settings(knowledge_dir=KNOWLEDGE, data_dir=tmp_path_factory.mktemp("index") / "data")
    run_ingest(settings, embedder=embedder)
    return settings


@pytest.fixture(scope="session")
def navigator(built_index: Settings, embedder):
    from bot.navigator import Navigator
    from bot.retrieval import Retriever

    return Navigator(built_index, Retriever(built_index, embedder=embedder))


def cli_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NAVIGATOR_")}
    env.update(
        NAVIGATOR_KNOWLEDGE_DIR=str(settings.knowledge_dir),
        NAVIGATOR_DATA_DIR=str(settings.data_dir),
        HF_HUB_OFFLINE="1",
        **extra,
    )
    return env


def run_cli(settings: Settings, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    """The installed command as a user runs it: a real process with real settings."""
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args],
        capture_output=True,
        text=True,
        env=cli_env(settings, **extra_env),
        cwd=REPO_ROOT,
        timeout=300,
    )


def run_json(settings: Settings, *args: str, **extra_env: str) -> tuple[int, dict]:
    done = run_cli(settings, *args, "--json", **extra_env)
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout)
