#!/usr/bin/env bash
# Installs what the browser tests use from Debian, only when it is missing:
# Chromium (they never download a browser of their own: playwright-core only)
# and poppler's pdftotext, which reads back the PDFs the product issues.
set -euo pipefail
if [ -x /usr/bin/chromium ] && [ -x /usr/bin/pdftotext ]; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium or /usr/bin/pdftotext is missing and apt-get is not available" >&2
  exit 1
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core poppler-utils
/usr/bin/chromium --version
