"""Prints .env.example from the settings object, so the example always lists every setting.

.venv/bin/python scripts/env_example.py > .env.example
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ingest.settings import Settings, env_names  # noqa: E402

HEADER = """\
# Support Navigator settings (docker compose reads .env; copy this file to .env).
# Every variable is optional: uncomment a line to set it; the value shown is the default.
# docker-compose.yml itself sets NAVIGATOR_CHROMA_URL, NAVIGATOR_DATABASE_URL (its postgres service),
# NAVIGATOR_DATA_DIR and NAVIGATOR_KNOWLEDGE_DIR. It also reads POSTGRES_PASSWORD from .env (default: navigator).
"""


def main() -> None:
    lines = [HEADER]
    for name, field in Settings.model_fields.items():
        default = field.get_default(call_default_factory=True)
        shown = "" if default is None else (",".join(default) if isinstance(default, list) else str(default))
        if name in ("knowledge_dir", "data_dir"):
            shown = f"<repository>/{Path(str(default)).name}"
        lines.append(f"# {field.description or name}")
        lines.append(f"#{env_names()[name]}={shown}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
