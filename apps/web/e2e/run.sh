#!/usr/bin/env bash
# The browser suite, as CI runs it on a fresh machine: Debian's Chromium (installed when missing: browsers cannot be
# downloaded here, Debian's package can), the server and the page built, then the suite against the real demo server.
# Usage: bash apps/web/e2e/run.sh        (from anywhere; screenshots land in apps/web/e2e/screenshots/)
set -euo pipefail
cd "$(dirname "$0")/../../.."

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
if [ ! -x "$CHROMIUM" ]; then
  echo "== installing Chromium from Debian"
  SUDO=()
  if [ "$(id -u)" -ne 0 ]; then SUDO=(sudo); fi
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq chromium >/dev/null
fi
"$CHROMIUM" --version

PNPM=(npx -y "$(node -p "require('./package.json').packageManager")")
if [ ! -d node_modules ]; then "${PNPM[@]}" install --frozen-lockfile; fi

echo "== building the server and the page"
"${PNPM[@]}" exec turbo run build --filter=@reelpost/server... --output-logs=errors-only

echo "== browser suite (apps/web/e2e)"
# E2E_TAP_REPORT=<file> also writes TAP there (CI totals its pass and fail counts).
REPORTERS=(--test-reporter=spec --test-reporter-destination=stdout)
if [ -n "${E2E_TAP_REPORT:-}" ]; then REPORTERS+=(--test-reporter=tap "--test-reporter-destination=$(realpath -m "$E2E_TAP_REPORT")"); fi
"${PNPM[@]}" --filter @reelpost/web exec tsx --test "${REPORTERS[@]}" e2e/posting.e2e.ts e2e/live-latency.e2e.ts
