# syntax=docker/dockerfile:1.7
# One image per Python service, built from the repository root:
#   docker build -f deploy/docker/service.Dockerfile --build-arg SERVICE=tickets -t lianxin-tickets .
# The container runs `lianxin-$SERVICE <command>`: `prestart`, `serve --host 0.0.0.0 --port 8000`,
# `work`, `migrate`, or a service's own command (people `import`, assessment `replay`).
# The interpreter the workspace is developed and tested on (.venv).
ARG PYTHON_VERSION=3.11

FROM python:${PYTHON_VERSION}-slim AS build
ARG SERVICE
# The uv pinned in pyproject's dev group: the same resolver as `make install`, so --frozen holds.
ARG UV_VERSION=0.13.8
RUN case "$SERVICE" in people|tickets|assessment) ;; \
      *) echo "build with --build-arg SERVICE=people|tickets|assessment (got '$SERVICE')" >&2; exit 1;; \
    esac
RUN pip install --no-cache-dir "uv==${UV_VERSION}"
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never UV_PROJECT_ENVIRONMENT=/app/.venv
WORKDIR /app
# Dependencies first, from the lock alone, so a source change does not reinstall them. uv needs
# every workspace member's pyproject.toml to read the workspace.
COPY pyproject.toml uv.lock ./
COPY libs/kit/pyproject.toml libs/kit/
COPY proto/pyproject.toml proto/
COPY services/people/pyproject.toml services/people/
COPY services/tickets/pyproject.toml services/tickets/
COPY services/assessment/pyproject.toml services/assessment/
RUN uv sync --frozen --no-dev --no-install-workspace --package "lianxin-${SERVICE}"
# The sources: installed editable, since each service finds its migrations/ and schema.graphql
# beside its package (services/<name>/, see main.py SERVICE_DIR).
COPY libs/kit libs/kit
COPY proto proto
COPY services/${SERVICE} services/${SERVICE}
RUN uv sync --frozen --no-dev --package "lianxin-${SERVICE}"

FROM python:${PYTHON_VERSION}-slim AS runtime
ARG SERVICE
# Read by the entrypoint to pick the console script; not a LIANXIN_* setting.
ENV SERVICE=${SERVICE} PATH=/app/.venv/bin:$PATH PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1
RUN groupadd --system --gid 10001 lianxin \
    && useradd --system --uid 10001 --gid lianxin --home-dir /app --shell /usr/sbin/nologin lianxin
WORKDIR /app
COPY --from=build --chown=root:root /app /app
COPY --chmod=0755 deploy/docker/service-entrypoint.sh /usr/local/bin/service-entrypoint
# Read-only code owned by root; the process runs as an unprivileged user.
USER 10001:10001
EXPOSE 8000 9464
ENTRYPOINT ["/usr/local/bin/service-entrypoint"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
