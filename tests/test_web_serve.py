"""`navigator serve` as a user runs it: a fresh data directory, a restart, a hostile 1 MB post.

Done-when 1 and 4: the first start ingests knowledge/ by itself and serves the demo page, the
widget and the API; a conversation continues after a restart; a 1 MB body is refused from its
headers, before the body is sent.
"""

from __future__ import annotations

import os
import re
import socket

import httpx

from tests.web_support import ADMIN_TOKEN, free_port, start_serve, stop, wait_ready


def _env(data_dir) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NAVIGATOR_", "SLACK_"))}
    env.update(NAVIGATOR_DATA_DIR=str(data_dir), NAVIGATOR_ADMIN_TOKEN=ADMIN_TOKEN, HF_HUB_OFFLINE="1")
    return env


def _declared_megabyte(port: int) -> bytes:
    """Announce a 1 MB body, send only its first kilobyte, and read what the server says."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            b"POST /api/chat HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1048576\r\n\r\n" + b'{"message": "' + b"a" * 1000
        )
        return sock.recv(4096)


def test_first_start_serves_the_demo_and_a_restart_keeps_the_session(tmp_path):
    data_dir = tmp_path / "data"  # empty: the server must ingest knowledge/ itself
    port = free_port()
    base = f"http://127.0.0.1:{port}"

    server = start_serve(_env(data_dir), port)
    try:
        wait_ready(base, server)
        page = httpx.get(base + "/")
        assert page.status_code == 200 and "/widget.js" in page.text
        assert httpx.get(base + "/widget.js").status_code == 200
        assert httpx.get(base + "/static/widget.css").status_code == 200
        first = httpx.post(base + "/api/chat", json={"message": "設備を買うためにお金を借りたい"}).json()
        assert first["citations"][0]["id"] == "I-4-1"
        assert _declared_megabyte(port).startswith(b"HTTP/1.1 413")
    finally:
        output = stop(server)
    assert re.search(r"first start, ingested \d+ document\(s\)", output)
    assert f"demo page http://127.0.0.1:{port}/" in output

    server = start_serve(_env(data_dir), port)
    try:
        wait_ready(base, server)
        follow = httpx.post(
            base + "/api/chat", json={"message": "その問い合わせ先は？", "session_id": first["session_id"]}
        )
        assert follow.status_code == 200
        assert [c["id"] for c in follow.json()["citations"]] == [c["id"] for c in first["citations"]]
        assert "0466-25-1111" in follow.json()["answer"]
    finally:
        output = stop(server)
    assert "first start" not in output  # the index from the first run was kept
