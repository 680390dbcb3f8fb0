#!/usr/bin/env bash
# Browser test of the web workbench: starts `innomesh demo` on a free port with a temporary data
# directory, drives Debian's headless Chromium through chromedriver (W3C WebDriver, Python stdlib
# only) and saves screenshots under target/screenshots/. Usage: tests/browser/run.sh path/to/innomesh
# Needs: apt-get install -y chromium chromium-driver fonts-noto-cjk
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: $0 path/to/innomesh" >&2
  exit 2
fi
bin="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
cd "$(dirname "$0")/../.."
exec python3 tests/browser/webtest.py "$bin"
