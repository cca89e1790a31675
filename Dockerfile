FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    PATH=/opt/venv/bin:$PATH \
    MONITOR_CONFIG=/app/config

RUN pip install --no-cache-dir uv && useradd --create-home --uid 10001 monitor

WORKDIR /app
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --locked --no-dev --no-install-project
COPY monitor ./monitor
COPY config ./config
RUN uv sync --locked --no-dev \
    && sed -i 's|^database: .*|database: /data/monitor.db|' config/monitor.yaml \
    && mkdir -p /data && chown monitor:monitor /data

USER monitor
VOLUME ["/data"]
ENTRYPOINT ["monitor"]
CMD ["run"]
