# syntax=docker/dockerfile:1.7
# The Hive Gateway, built from the repository root:
#   docker build -f deploy/docker/gateway.Dockerfile -t lianxin-gateway .
# Settings are LIANXIN_* variables (gateway/src/settings.ts); the subgraphs' URLs come from
# LIANXIN_PEOPLE_URL, LIANXIN_TICKETS_URL and LIANXIN_ASSESSMENT_URL.
ARG NODE_VERSION=20

FROM node:${NODE_VERSION}-bookworm-slim AS build
WORKDIR /gateway
# The lock alone first: `npm ci` installs exactly what `make install` does, cached across code edits.
COPY gateway/package.json gateway/package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --loglevel=error
# The config, its modules, the composed supergraph and the persisted-documents manifest.
COPY gateway/gateway.config.ts gateway/supergraph.graphql gateway/persisted-documents.json ./
COPY gateway/src ./src

FROM node:${NODE_VERSION}-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /gateway
COPY --from=build --chown=root:root /gateway /gateway
COPY --chmod=0755 deploy/docker/gateway-entrypoint.sh /usr/local/bin/gateway-entrypoint
# The node image's unprivileged user; the code stays root-owned and read-only to it.
USER node
EXPOSE 4000
ENTRYPOINT ["/usr/local/bin/gateway-entrypoint"]
