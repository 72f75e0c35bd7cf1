"""Issue 11: the whole API, driven from its own /openapi.json by Schemathesis: no input gets a 500,
and every response matches what the schema says (status codes, content types, bodies).

The app runs in-process (ASGI) over a temporary knowledge folder with a copy of the plan and its
own index; admin endpoints get the token. Examples per operation and time are bounded so the suite
stays within a couple of minutes (NAVIGATOR_SCHEMA_EXAMPLES raises the count for a deeper run).
"""

from __future__ import annotations

import os
import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from bot.answering.retrieve import Retriever
from bot.runtime import build_runtime
from bot.web.app import create_app
from ingest.pipeline import run_ingest
from tests.conftest import KNOWLEDGE, make_settings
from tests.web_support import ADMIN_TOKEN, web_settings

EXAMPLES = int(os.environ.get("NAVIGATOR_SCHEMA_EXAMPLES", "60"))
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory, embedder, chroma_url):
    root = tmp_path_factory.mktemp("schema")
    knowledge = root / "knowledge"
    shutil.copytree(KNOWLEDGE, knowledge)
    base = make_settings(knowledge, root / "data", chroma_url)
    run_ingest(base, embedder=embedder)
    web = web_settings(base, body_idle_timeout_seconds=5.0)
    app = create_app(web, build_runtime(web, Retriever(web, embedder=embedder)))
    return schemathesis.openapi.from_asgi("/openapi.json", app)


def _operations(api_schema) -> list:
    return [result.ok() for result in api_schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_server_errors_and_responses_match_the_schema(api_schema, mode):
    """Every operation, valid and invalid data. (Schemathesis's own pytest plugin would do the
    same per operation, but its lazy fixture loader does not work with pytest 9: hence the
    strategies driven by Hypothesis here.)"""
    failures: list[str] = []
    for operation in _operations(api_schema):

        @given(case=operation.as_strategy(generation_mode=mode))
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
        )
        def run(case) -> None:
            case.call_and_validate(headers=AUTH, checks=CHECKS)

        try:
            run()
        except Unsatisfiable:
            pass  # nothing of this operation can be made invalid (no parameters, or only a path string)
        except Exception as exc:  # noqa: BLE001 - collected, so one run reports every operation
            failures.append(f"{operation.label}: {str(exc)[:1500]}")
    assert not failures, "\n\n".join(failures)
