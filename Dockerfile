# phase-gates in a container: `docker build -t phase-gates .` then
# `docker run --env-file phase-gates.env -p 3000:3000 phase-gates` (the README's
# "Run the server" shows an env file Docker reads as it should; see .env.example).
#
# No Docker daemon runs in CI: `npm run smoke:production` (the last step of
# .ci/run) proves this recipe without one — the same production install
# command, the same start command, NODE_ENV=production, JSON logs, healthy
# /healthz, exit 0 on SIGTERM. Change both together.

# --- build: the README's production install (lib/ built, dev dependencies pruned) ---
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm ci && npm run build && npm prune --omit=dev

# --- run: production dependencies and lib/ only ---
FROM node:24-slim
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json app.yml ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/lib ./lib
# The image's `node` user: the app writes nothing, so it needs no root.
USER node
EXPOSE 3000
# node, not curl: the slim image has no curl.
HEALTHCHECK --interval=30s --timeout=3s --start-period=15s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# node as PID 1 gets SIGTERM directly and drains the queue (src/app/http/shutdown.ts);
# Docker's default 10 s before SIGKILL covers SHUTDOWN_DEADLINE_MS (8 s).
# lib/start.js is `npm start`: JSON logs in production, the private key checked first.
STOPSIGNAL SIGTERM
CMD ["node", "lib/start.js"]
