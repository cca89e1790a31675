# The monitor image: `docker build -t monitor .`; running it is in docs/deploy.md.
# Two stages: uv installs the locked dependencies and the package into /opt/venv,
# and only that virtual environment is copied into a clean slim image.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS build
ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/venv
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
# Dependencies first, so that a change to the code alone reuses this layer.
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY README.md ./
COPY monitor ./monitor
RUN uv sync --locked --no-dev --no-editable

FROM ${PYTHON_IMAGE}
ENV PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    MONITOR_CONFIG=/config \
    MONITOR_HEALTHCHECK_URL=http://127.0.0.1:8787/healthz
RUN useradd --system --uid 10001 --user-group --no-create-home \
        --home-dir /nonexistent --shell /usr/sbin/nologin monitor \
    && mkdir /data \
    && chown monitor:monitor /data
COPY --from=build /opt/venv /opt/venv
# The shipped config; mount your own over /config (read-only is enough).
COPY config /config
USER monitor
# config/monitor.yaml says `database: ../data/monitor.db`, relative to the config
# directory: from /config that is /data/monitor.db, on the volume.
WORKDIR /
VOLUME ["/data"]
# /healthz answers 200 when the daemon is healthy and 503 otherwise; urlopen
# raises on a 503 or a refused connection, so python exits 1: unhealthy.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as u; u.build_opener(u.ProxyHandler({})).open(os.environ['MONITOR_HEALTHCHECK_URL'], timeout=4)"]
ENTRYPOINT ["monitor"]
CMD ["run"]
