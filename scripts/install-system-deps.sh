#!/usr/bin/env bash
# Debian packages the test suite uses beyond Node: poppler-utils (pdftoppm, to render generated PDFs) and
# chromium (headless browser tests of the dashboard, driven by playwright-core). Idempotent; root or sudo.
set -euo pipefail
SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
need=()
command -v pdftoppm >/dev/null 2>&1 || need+=(poppler-utils)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ "${#need[@]}" -gt 0 ]; then
  echo "install-system-deps: installing ${need[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${need[@]}"
else
  echo "install-system-deps: pdftoppm and chromium present"
fi
