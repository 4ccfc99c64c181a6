# wenjiao: one image for the bot workers and the one-shot `wenjiao db upgrade` (docker-compose.yml).
#
# Two stages. `wheel` builds the package (code, content, migrations, models) from the source;
# the runtime stage installs the pinned dependencies in a layer of their own first, so an edit of
# the content or the code rebuilds only the last, small layer. The code is owned by root; the
# runtime user can write only /srv/wenjiao/var, where the default SQLite database lives.
#
# The base image is pinned by digest (the multi-arch index of python:3.11.11-slim-bookworm):
# a rebuild gets the same bytes. To move to a newer Python, change tag and digest together
# (`docker buildx imagetools inspect python:3.11.X-slim-bookworm` prints the digest).
ARG PYTHON_IMAGE=python:3.11.11-slim-bookworm@sha256:081075da77b2b55c23c088251026fb69a7b2bf92471e491ff5fd75c192fd38e5

FROM ${PYTHON_IMAGE} AS wheel
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . /src
RUN python -m pip wheel --no-deps --wheel-dir /dist .

FROM ${PYTHON_IMAGE}
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN groupadd --system --gid 10001 wenjiao \
 && useradd --system --uid 10001 --gid wenjiao --home-dir /srv/wenjiao --shell /usr/sbin/nologin wenjiao

# Every dependency at the version of requirements.lock (`make lock`); wheels exist for all of
# them, so no compiler is needed. This layer changes only when the lock does.
COPY requirements.lock /tmp/requirements.lock
RUN python -m pip install --no-deps -r /tmp/requirements.lock \
 && rm /tmp/requirements.lock

# The package itself, without resolving anything again: what the lock installed is what runs.
COPY --from=wheel /dist/ /tmp/dist/
RUN python -m pip install --no-deps /tmp/dist/wenjiao-*.whl \
 && python -m pip check \
 && rm -rf /tmp/dist \
 && install -d -o wenjiao -g wenjiao -m 0750 /srv/wenjiao/var

WORKDIR /srv/wenjiao
USER wenjiao
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/readyz', timeout=3)"]
CMD ["wenjiao", "serve", "--host", "0.0.0.0", "--port", "8080", "--workers", "2"]
