"""The deployment files, checked without a Docker engine: structure, and agreement with the code."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version

import pytest
import yaml

from ingest.settings import REPO_ROOT, env_names

COMPOSE = yaml.safe_load((REPO_ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
SERVICES = COMPOSE["services"]
KNOWN_ENV = set(env_names().values())


def test_services_and_named_volumes():
    assert set(SERVICES) == {"chroma", "postgres", "api", "slack"}
    declared = set(COMPOSE["volumes"])
    for name, service in SERVICES.items():
        assert "image" in service or "build" in service, name
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            assert source in declared, f"{name} mounts undeclared volume {source}"
        assert "healthcheck" in service and service["healthcheck"]["test"], name


@pytest.mark.parametrize("service", ["api", "slack"])
def test_knowledge_comes_from_the_image_and_uploads_live_in_the_data_volume(service):
    """An upgrade must bring the new shipped documents (no volume seeded once over /app/knowledge)
    and keep what admins uploaded (in the data volume)."""
    mounts = {m.split(":")[1]: m.split(":")[0] for m in SERVICES[service]["volumes"]}
    environment = SERVICES[service]["environment"]
    assert environment["NAVIGATOR_KNOWLEDGE_DIR"] == "/app/knowledge"
    assert not any(target == "/app/knowledge" or target.startswith("/app/knowledge/") for target in mounts)
    assert environment["NAVIGATOR_UPLOADS_DIR"].startswith("/data/")
    assert mounts["/data"] == "navigator-data"
    assert "knowledge" not in COMPOSE["volumes"]


def test_chroma_image_is_pinned_to_the_client_version():
    image = SERVICES["chroma"]["image"]
    assert image == f"chromadb/chroma:{version('chromadb')}"


def test_postgres_is_the_official_image_pinned_by_tag_and_checked_with_pg_isready():
    postgres = SERVICES["postgres"]
    assert postgres["image"] == "postgres:17"
    assert "pg_isready" in postgres["healthcheck"]["test"]
    assert any(str(m).endswith(":/var/lib/postgresql/data") for m in postgres["volumes"])
    for service in ("api", "slack"):
        url = SERVICES[service]["environment"]["NAVIGATOR_DATABASE_URL"]
        assert url.startswith("postgresql+psycopg://navigator:") and url.endswith("@postgres:5432/navigator")
        assert SERVICES[service]["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_the_app_is_built_from_the_dockerfile_without_torch():
    assert SERVICES["api"]["build"] == "."
    dockerfile = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
    assert "pip install ." in dockerfile
    installs = " ".join(re.findall(r"^RUN (.+)$", dockerfile, flags=re.M))
    assert "torch" not in installs and "sentence-transformers" not in installs and "[" not in installs
    for copied in re.findall(r"^COPY (?:--\S+ )?(.+?) \./", dockerfile, flags=re.M):
        for path in copied.split():
            assert (REPO_ROOT / path).exists(), path
    assert SERVICES["slack"]["image"] == SERVICES["api"]["image"]


def test_api_port_health_and_startup_order():
    api = SERVICES["api"]
    assert any(str(p).endswith(":8000") for p in api["ports"])
    assert "--port" in api["command"] and "8000" in api["command"]
    assert api["depends_on"]["chroma"]["condition"] == "service_healthy"
    assert "/readyz" in " ".join(api["healthcheck"]["test"])
    assert SERVICES["slack"]["command"] == ["navigator", "slack"]


@pytest.mark.parametrize("service", ["api", "slack"])
def test_every_environment_variable_is_a_setting_the_code_reads(service):
    environment = SERVICES[service]["environment"]
    assert set(environment) <= KNOWN_ENV
    assert environment["NAVIGATOR_CHROMA_URL"] == "http://chroma:8000"
    assert environment["NAVIGATOR_DATA_DIR"] == "/data"


def test_env_example_lists_every_setting_and_is_up_to_date():
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    listed = set(re.findall(r"^#?([A-Z][A-Z0-9_]+)=", example, flags=re.M))
    assert listed == KNOWN_ENV
    generated = subprocess.run(
        [sys.executable, str(REPO_ROOT / "scripts/env_example.py")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert example == generated, "regenerate: .venv/bin/python scripts/env_example.py > .env.example"


def test_the_compose_commands_exist_in_the_cli():
    from bot.cli import build_parser

    commands = set(build_parser()._subparsers._group_actions[0].choices)  # noqa: SLF001
    for service in ("api", "slack"):
        assert SERVICES[service]["command"][1] in commands
