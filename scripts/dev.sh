#!/usr/bin/env sh
# `npm run dev`: compile, rebuild on every change, restart the app after each rebuild.
# GitHub cannot reach localhost: WEBHOOK_PROXY_URL (in .env) names a smee.io
# channel that smee-client (a dev dependency) forwards to the local webhook path;
# a channel that cannot be reached is one line in the log, and the app keeps running.
set -e
if [ -z "${WEBHOOK_PROXY_URL:-}" ] && ! grep -qs '^WEBHOOK_PROXY_URL=.' .env; then
  echo "[dev] WEBHOOK_PROXY_URL is not set: GitHub's webhooks will not reach this machine." >&2
  echo "[dev] Create a channel at https://smee.io/new and set WEBHOOK_PROXY_URL in .env (see .env.example)." >&2
fi
# One compiler in watch mode does the first build too: the app starts once that
# build is written (a separate `npm run build` first, then the watcher's own
# first build rewriting lib/, restarted it a second time).
compiler_log=$(mktemp)
npx tsc -p tsconfig.build.json --watch --preserveWatchOutput >"$compiler_log" 2>&1 &
watcher=$!
trap 'kill "$watcher" "${shower:-}" 2>/dev/null; rm -f "$compiler_log"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
until grep -q "Watching for file changes" "$compiler_log"; do
  if ! kill -0 "$watcher" 2>/dev/null; then
    cat "$compiler_log" >&2
    exit 1
  fi
  sleep 0.3
done
tail -n +1 -f "$compiler_log" &
shower=$!
node --watch-path=./lib lib/start.js
