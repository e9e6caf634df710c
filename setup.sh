#!/usr/bin/env bash
# One command from a fresh clone to a running chat page:
#   .venv (Python 3.11) -> dependencies (pinned, CPU torch) -> verified models -> ingest -> serve.
# Options: --no-serve (stop after ingest; CI uses it), --dev (also Debian's chromium, for the
# browser tests; they are skipped without it, except in CI).
set -euo pipefail
cd "$(dirname "$0")"

serve=1; dev=0
for arg in "$@"; do
  case "$arg" in
    --no-serve) serve=0 ;;
    --dev) dev=1 ;;
    *) echo "usage: ./setup.sh [--no-serve] [--dev]" >&2; exit 2 ;;
  esac
done

py=""
for cand in python3.11 python3; do
  if command -v "$cand" >/dev/null && "$cand" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    py="$cand"; break
  fi
done
if [ -z "$py" ]; then
  echo "Vraagbaak needs Python 3.11 (python3.11 on the PATH)." >&2; exit 1
fi

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv with $py"
  "$py" -m venv .venv
fi
stamp=".venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  echo "==> installing dependencies (first time: several minutes)"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
  # torch first, pinned: this takes the local CPU wheel instead of CUDA builds.
  .venv/bin/python -m pip install --quiet --disable-pip-version-check "torch==2.13.0"
  .venv/bin/python -m pip install --quiet --disable-pip-version-check -e ".[dev]"
  rm -f .venv/.installed-*; touch "$stamp"
fi

if [ "$dev" = 1 ] && ! command -v chromium >/dev/null; then
  echo "==> installing Debian's chromium for the browser tests"
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  fi
fi

echo "==> models (verified by sha256; cached in ~/.cache/vraagbaak/models)"
.venv/bin/vraagbaak models fetch
echo "==> ingesting the bundled corpus (only what changed is embedded)"
.venv/bin/vraagbaak ingest

if [ "$serve" = 1 ]; then
  if .venv/bin/vraagbaak serve --help >/dev/null 2>&1; then
    exec .venv/bin/vraagbaak serve
  fi
  echo "Ready. Ask a question: .venv/bin/vraagbaak ask \"Hoeveel asielaanvragen waren er?\""
fi
