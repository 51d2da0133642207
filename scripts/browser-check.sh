#!/usr/bin/env bash
# A person with a browser, tried in headless Chromium (Debian's chromium + chromium-driver, selenium from PyPI):
# on a real stack, open LogLama's page through the gateway, get sent to the sign-in page, sign in with a token,
# land on LogLama's page, open the Audit tab and an execution's detail (the code it ran). Screenshots go to
# SCREENSHOTS (default .build/screenshots) to be looked at; any step that fails exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
SCREENSHOTS=$(realpath -m "${SCREENSHOTS:-.build/screenshots}")
source scripts/browser-env.sh
mkdir -p "$SCREENSHOTS"
source scripts/test-stack.sh
for code in 'print(6 * 7)' 'while True: pass'; do
    curl -sf "http://127.0.0.1:$apilama_port/api/bexy/execute" -H "Authorization: Bearer $token" \
         -H 'Content-Type: application/json' \
         -d "$(python3 -c 'import json, sys; print(json.dumps({"code": sys.argv[1], "timeout": 1}))' "$code")" >/dev/null
done
sleep 3  # the audit forwarder's interval
"$VENV/bin/python" scripts/browser_check.py "http://127.0.0.1:$apilama_port" "$token" "$SCREENSHOTS"
