# voicectl bridge: ACS / Asterisk / Twilio media <-> Azure OpenAI Realtime, many calls per process.
# Build:  docker build -t voicectl-bridge .
# Run:    docker run --rm -p 8000:8000 --env-file .env voicectl-bridge
# Port, health path and stop behaviour match src/bridge/defaults.ts (checked by
# test/unit/deploy-manifests.test.ts).

# --- build: compile TypeScript to dist/ -----------------------------------------------------
FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: `prepare` would build before the sources are copied
RUN npm ci --no-audit --no-fund --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies and the built dist/ only --------------------------------
FROM node:20-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY templates ./templates
# The image's unprivileged user (uid 1000); the bridge needs no write access anywhere.
USER node
EXPOSE 8000
# Liveness from inside the container: node's fetch (node:20-slim has no curl).
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:8000/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# SIGTERM starts the bridge's drain: no new calls, active ones run on up to --drain-timeout.
STOPSIGNAL SIGTERM
ENTRYPOINT ["node", "bin/voicectl.js", "bridge", "--listen", "8000"]
# NDJSON events on stdout for the log pipeline; override with other bridge flags.
CMD ["--json"]
