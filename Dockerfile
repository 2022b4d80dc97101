# syntax=docker/dockerfile:1.7
# One multi-target Dockerfile for every deployable; pick one with --target:
#   docker build --target api       -t flashsale/api .
#   docker build --target relay     -t flashsale/relay .
#   docker build --target persister -t flashsale/persister .
#   docker build --target operator  -t flashsale/operator .
#   docker build --target web       -t flashsale/web .
# (or `buildah bud --target api ...`: `npx flashsale cluster up` builds them that way, with no
# Docker engine and a locally built base image; see docs/cluster.md).
# The server processes run JavaScript compiled at build time (scripts/build-server.mjs,
# esbuild), on Node 24 LTS; no TypeScript loader at run time.

ARG NODE_IMAGE=node:24-bookworm-slim

# ---- every workspace's manifest: npm ci checks the lock file against all of them ----
FROM ${NODE_IMAGE} AS manifests
WORKDIR /app
COPY package.json package-lock.json ./
COPY runtime/package.json runtime/
COPY contract/package.json contract/
COPY platform/package.json platform/
COPY operator/package.json operator/
COPY stack/package.json stack/
COPY tools/package.json tools/
COPY testkit/package.json testkit/
COPY cmd/flashsale/package.json cmd/flashsale/
COPY web/package.json web/

# ---- production dependencies of the server workspaces (no devDependencies, no Angular) ----
FROM manifests AS server-deps
# The optional `npm-ca` secret is a CA bundle for networks that inspect TLS (it is read from a
# secret mount, never stored in a layer).
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi; \
    npm ci --omit=dev --no-audit --no-fund \
      --include-workspace-root --workspace=runtime --workspace=contract --workspace=platform \
      --workspace=operator

# ---- the server code compiled to JavaScript: one bundle per process under dist/ ----
FROM server-deps AS server-build
COPY tsconfig.base.json ./
COPY runtime/src runtime/src
COPY contract/src contract/src
COPY platform/src platform/src
COPY operator/src operator/src
COPY operator/api operator/api
COPY cmd/api cmd/api
COPY cmd/relay cmd/relay
COPY cmd/persister cmd/persister
COPY cmd/operator cmd/operator
COPY scripts/build-server.mjs scripts/build-server.mjs
# esbuild is a production dependency (through tsx), so the deps stage already has it.
RUN node scripts/build-server.mjs

# ---- the runtime shared by api, relay, persister and operator ----
FROM ${NODE_IMAGE} AS server
ENV NODE_ENV=production
WORKDIR /app
COPY --from=server-deps /app/node_modules node_modules
COPY package.json ./
COPY --from=server-build /app/dist dist
# Non-root; the chart mounts the root filesystem read-only.
USER 10001:10001
ENTRYPOINT ["node", "--enable-source-maps"]

FROM server AS api
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["dist/api.mjs"]

FROM server AS relay
EXPOSE 9465
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9465)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["dist/relay.mjs"]

FROM server AS persister
EXPOSE 9464
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9464)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["dist/persister.mjs"]

FROM server AS operator
EXPOSE 9466
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.METRICS_PORT||9466)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["dist/operator.mjs"]

# ---- the storefront: Angular build (needs devDependencies), then static files only ----
FROM manifests AS web-build
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi; \
    npm ci --no-audit --no-fund --workspace=web
COPY contract/src contract/src
COPY web web
RUN npm run build -w web

# The static server's runtime packages (Koa, compression, ETags, helmet), without dev tools.
FROM manifests AS web-deps
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=npm-ca \
    if [ -s /run/secrets/npm-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/npm-ca; fi; \
    npm ci --omit=dev --no-audit --no-fund --workspace=web && mkdir -p web/node_modules

# The repository's static server (web/server/serve-storefront.mjs): it generates config.json
# from STOREFRONT_* variables, so one image serves any environment.
FROM ${NODE_IMAGE} AS web
ENV NODE_ENV=production STOREFRONT_ROOT=/app/browser HOST=0.0.0.0 STOREFRONT_PORT=8088
WORKDIR /app
COPY --from=web-deps /app/node_modules node_modules
# Versions the web workspace needs apart from the root's, found first from server/.
COPY --from=web-deps /app/web/node_modules server/node_modules
COPY --from=web-build /app/web/dist/browser browser
COPY web/server/serve-storefront.mjs server/serve-storefront.mjs
USER 10001:10001
EXPOSE 8088
HEALTHCHECK --interval=10s --timeout=3s \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.STOREFRONT_PORT||8088)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
CMD ["node", "server/serve-storefront.mjs"]
