"""The Slack channel: the same answers as the web API, rendered as Block Kit.

One bolt `App` (`app.py`) serves both ways of connecting: HTTP (`http.py`, mounted at
`POST /slack/events` in the web server) and Socket Mode (`socket_mode.py`, `navigator slack`).
Listeners live in `handlers.py`, rendering in `blocks.py`, Slack's text rules in `escape.py`, and
the "answer each event once" memory in `dedupe.py`.
"""
