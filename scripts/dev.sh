#!/usr/bin/env sh
# `npm run dev`: build, rebuild on every change, restart the app on every rebuild.
# GitHub cannot reach localhost: WEBHOOK_PROXY_URL (in .env) names a smee.io
# channel that smee-client (a dev dependency) forwards to the local webhook path.
set -e
npm run build
if [ -z "${WEBHOOK_PROXY_URL:-}" ] && ! grep -qs '^WEBHOOK_PROXY_URL=.' .env; then
  echo "[dev] WEBHOOK_PROXY_URL is not set: GitHub's webhooks will not reach this machine." >&2
  echo "[dev] Create a channel at https://smee.io/new and set WEBHOOK_PROXY_URL in .env (see .env.example)." >&2
fi
npx tsc -p tsconfig.build.json --watch --preserveWatchOutput &
watcher=$!
trap 'kill "$watcher" 2>/dev/null' EXIT INT TERM
node --watch-path=./lib node_modules/probot/bin/probot.js run ./lib/index.js
