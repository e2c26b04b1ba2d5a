#!/usr/bin/env bash
# Run both halves of the test suite, each in its own environment, with coverage:
# `test.sh [pytest options]` (e.g. -m "not slow"). Both halves always run, even when
# one fails; the summary at the end reports each, and the exit code fails if either
# failed. They run at the same time (much of each waits on servers and browsers): the
# app half prints as it goes, the bot half's output follows it.
set -uo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export PYTHONPATH="$root${PYTHONPATH:+:$PYTHONPATH}"

run_half() {  # run_half NAME VENV COVERED_PACKAGES... -- TEST_PATHS...
  local name=$1 venv=$2; shift 2
  local cov=() paths=()
  while [ "$1" != "--" ]; do cov+=("--cov=$1"); shift; done
  shift
  paths=("$@")
  echo "==> Test dell'ambiente $name: ${paths[*]}"
  COVERAGE_FILE="$root/.coverage-$name" "$venv/bin/python" -m pytest "${paths[@]}" "${cov[@]}" \
    --cov-report=term:skip-covered --cov-report= ${PYTEST_ARGS[@]+"${PYTEST_ARGS[@]}"}
}

PYTEST_ARGS=("$@")
bot_log=$(mktemp -t sportello-test-bot.XXXXXX)
trap 'rm -f "$bot_log"' EXIT
# Disjoint port ranges (below the kernel's ephemeral ones): one half's starting
# server never lands on a port the other just probed free.
TEST_PORT_RANGE=20000-25999 run_half bot .venv-bot bot sportello -- tests/bot >"$bot_log" 2>&1 &
bot_pid=$!
echo "==> Test dell'ambiente bot avviati in parallelo (il loro esito segue quello dell'ambiente app)"
TEST_PORT_RANGE=26000-31999 run_half app .venv-app api connectors sportello scripts -- tests/test_conftest.py tests/api tests/connectors tests/sportello tests/scripts
app_status=$?
wait "$bot_pid"
bot_status=$?
cat "$bot_log"

percent() {  # percent NAME VENV
  COVERAGE_FILE="$root/.coverage-$1" "$2/bin/python" -m coverage report --format=total 2>/dev/null || echo "?"
}
outcome() { [ "$1" -eq 0 ] && echo "superati" || echo "FALLITI (codice $1)"; }
echo
echo "==> Riepilogo dei test"
echo "    ambiente bot (Rasa, Python 3.10): $(outcome $bot_status); copertura $(percent bot .venv-bot)%"
echo "    ambiente app (API, Telegram):     $(outcome $app_status); copertura $(percent app .venv-app)%"
[ "$bot_status" -eq 0 ] && [ "$app_status" -eq 0 ]
