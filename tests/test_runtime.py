"""The process's shared parts: built once, and warmed before the first request."""

from __future__ import annotations

import gc

from bot.runtime import build_runtime, warm_up
from ingest.settings import Settings


def test_warm_up_loads_the_index_and_freezes_what_it_loaded(built_index: Settings) -> None:
    runtime = build_runtime(built_index)
    try:
        warm_up(runtime)
        assert runtime.navigator.retriever.loaded_version != -1  # the first answer loads nothing
        assert gc.get_freeze_count() > 0  # full collections no longer walk the loaded index
    finally:
        gc.unfreeze()


def test_warm_up_without_an_index_leaves_the_server_to_say_not_ready(settings: Settings) -> None:
    runtime = build_runtime(settings)  # nothing ingested into this data folder
    try:
        warm_up(runtime)  # no exception: /readyz reports index_not_ready
    finally:
        gc.unfreeze()
