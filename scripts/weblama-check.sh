#!/usr/bin/env bash
# WebLama tried by a person with a browser, in headless Chromium (Debian's chromium + chromium-driver, selenium
# from PyPI), against the real stack `loglama start-all` starts (LogLama, BEXY, PyLLM, SheLLama, PyLama, APILama,
# WebLama) with an Ollama stand-in serving the real small model: sign in, files, Run, Stop, Fix with LLM, markdown
# and mermaid, logs, keyboard and labels, no console error (scripts/weblama_check.py). Screenshots go to
# SCREENSHOTS (default .build/screenshots/weblama). Any failed check exits non-zero.
#
# `scripts/weblama-check.sh --serve` starts the same stack, prints its address and token, and keeps it up until
# interrupted (to try the page by hand or while writing checks). WEBLAMA_ROOT may name another web/ directory.
set -euo pipefail
cd "$(dirname "$0")/.."
SCREENSHOTS=$(realpath -m "${SCREENSHOTS:-.build/screenshots/weblama}")
OLLAMA_PYTHON=${OLLAMA_STANDIN_PYTHON:-.build/ollama-venv/bin/python}
source scripts/browser-env.sh
scripts/weblama-vendor.sh
scripts/ollama-standin-venv.sh
mkdir -p "$SCREENSHOTS"
STACK_ENV="OLLAMA_MODEL=smollm2:135m
${WEBLAMA_ROOT:+WEBLAMA_ROOT=$(realpath "$WEBLAMA_ROOT")}"
source scripts/test-stack.sh
# The stand-in exits when its stdin (this script's pipe) closes, so it never outlives the check.
exec 3> >("$OLLAMA_PYTHON" Tests/Fixtures/ollama-standin/ollama_standin.py --port "$ollama_port" --exit-with-stdin \
          > "$work/ollama.log" 2>&1)
for _ in $(seq 100); do
    curl -sf "http://127.0.0.1:$ollama_port/api/version" >/dev/null && break
    sleep 0.2
done
base="http://127.0.0.1:$apilama_port"
if [ "${1:-}" = "--serve" ]; then
    echo "WebLama: $base/web/   token: $token"
    echo "(Ctrl-C stops the stack)"
    sleep infinity
fi
status=0
"$VENV/bin/python" scripts/weblama_check.py "$base" "$token" "$SCREENSHOTS" || status=$?
if [ "$status" -ne 0 ]; then
    # What the services said (a crash's "Fatal error" included), for whoever reads the failed run's output.
    for log in "$work"/run/*.log; do echo "--- $(basename "$log") (last 25 lines)"; tail -n 25 "$log"; done
fi
exit "$status"
