# wenjiao: one image for the bot workers and the one-shot `wenjiao db upgrade` (docker-compose.yml).
# Slim Debian base pinned to an exact Python release; the app runs as an unprivileged user.
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 wenjiao \
 && useradd --system --uid 10001 --gid wenjiao --home-dir /app --shell /usr/sbin/nologin wenjiao

WORKDIR /app
# Every dependency is pinned in pyproject.toml (wheels exist for all of them: no compiler needed).
# Installed in editable mode so that the content (faq_data/) and the migrations/ folder are read
# from /app, where the code expects them next to its packages.
COPY --chown=wenjiao:wenjiao . /app
RUN pip install --editable . \
 && mkdir -p /app/var \
 && chown wenjiao:wenjiao /app/var

USER wenjiao
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/readyz', timeout=3)"]
CMD ["wenjiao", "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
