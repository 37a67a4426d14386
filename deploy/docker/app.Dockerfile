# syntax=docker/dockerfile:1.7
# One image recipe for every app of the workspace (the five connector apps and both simulators):
#   docker build -f deploy/docker/app.Dockerfile --build-arg APP=mapper -t connector/mapper .
# Build context: the repository root (deploy/docker/app.Dockerfile.dockerignore keeps it small).
ARG NODE_IMAGE=node:20-bookworm-slim

# 1. Build: the whole workspace, then `nx build <app>` → dist/apps/<app>/{main.js,package.json,package-lock.json}
#    (webpack output path in apps/<app>/webpack.config.js; generatePackageJson writes the pruned manifests).
FROM ${NODE_IMAGE} AS build
WORKDIR /workspace
ENV NX_DAEMON=false NX_NO_CLOUD=true CI=true
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
ARG APP
RUN test -n "${APP}" || (echo "build with --build-arg APP=<app>" >&2; exit 1)
RUN npx nx build "${APP}" --skip-nx-cache && test -f "dist/apps/${APP}/main.js" && test -f "dist/apps/${APP}/package.json"

# 2. Production dependencies only, from the generated manifest and lockfile (no dev tools, no workspace).
FROM ${NODE_IMAGE} AS deps
ARG APP
WORKDIR /app
COPY --from=build /workspace/dist/apps/${APP}/package*.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund && npm cache clean --force

# 3. Runtime: slim Node, non-root (numeric uid so Kubernetes can verify runAsNonRoot), read-only friendly.
FROM ${NODE_IMAGE} AS runtime
ARG APP
LABEL org.opencontainers.image.title="connector-${APP}" \
      org.opencontainers.image.description="ServiceTitan to Sage X3 connector: ${APP}"
ENV NODE_ENV=production \
    APP_NAME=${APP} \
    PORT=3000 \
    HEALTHCHECK_PATH=/health/live
WORKDIR /app
COPY --from=deps --chown=1000:1000 /app/node_modules ./node_modules
COPY --from=build --chown=1000:1000 /workspace/dist/apps/${APP}/ ./
COPY --chown=1000:1000 deploy/docker/healthcheck.js /app/healthcheck.js
USER 1000:1000
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=5s --start-period=40s --retries=3 CMD ["node", "/app/healthcheck.js"]
ENTRYPOINT ["node", "main.js"]
