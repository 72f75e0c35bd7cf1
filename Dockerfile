# The navigator's image: the default offline stack (bundled embedder, no torch), the knowledge seed.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    NAVIGATOR_KNOWLEDGE_DIR=/app/knowledge \
    NAVIGATOR_DATA_DIR=/data

WORKDIR /app
COPY pyproject.toml README.md ./
COPY ingest ./ingest
COPY bot ./bot
RUN pip install . \
    && useradd --system --uid 10001 --home-dir /app navigator \
    && mkdir -p /data \
    && chown navigator /data
COPY --chown=navigator knowledge ./knowledge

USER navigator
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=3)"]
CMD ["navigator", "serve", "--host", "0.0.0.0", "--port", "8000"]
