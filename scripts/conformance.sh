#!/usr/bin/env bash
# The gateway against its own OpenAPI document: starts LogLama, BEXY and APILama from BIN (default .build/debug)
# in a throwaway directory (own ports, databases, audit spool, HOME), then lets schemathesis send generated
# requests to every documented operation for CONFORMANCE_SECONDS (default 150) with every check it has: no 5xx,
# only documented statuses, bodies and headers as documented, 405 with Allow for undocumented methods, bad input
# refused. Exits non-zero on any failure. schemathesis is installed from PyPI into a venv under .build.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath "${1:-.build/debug}")
BUDGET=${CONFORMANCE_SECONDS:-150}
VENV=$(realpath -m "${CONFORMANCE_VENV:-.build/conformance-venv}")
SCHEMATHESIS_VERSION=4.32.5

if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

work=$(mktemp -d /tmp/pylama-conformance.XXXXXX)
read -r loglama_port bexy_port apilama_port < <(python3 -c '
import socket
sockets = [socket.socket() for _ in range(3)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))')
token=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
cat > "$work/central.env" <<ENV
LOGLAMA_PORT=$loglama_port
BEXY_PORT=$bexy_port
APILAMA_PORT=$apilama_port
LOGLAMA_DB=$work/loglama.db
APILAMA_DB=$work/apilama.db
BEXY_STATE_DIR=$work/bexy
PYLAMA_API_TOKEN=$token
PYLAMA_INTERNAL_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
APILAMA_RATE_PER_SECOND=1000
APILAMA_RATE_BURST=2000
ENV
export PYLAMA_ENV="$work/central.env" HOME="$work" PYLAMA_RUN_DIR="$work/run"
stop() {
    "$BIN/loglama" stop-all >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap stop EXIT
"$BIN/loglama" start-all --services loglama,bexy,apilama

# From the throwaway directory: schemathesis keeps its caches in the working directory, not in the repository.
cd "$work"
"$VENV/bin/schemathesis" run "http://127.0.0.1:$apilama_port/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --max-time "$BUDGET" \
    --workers 2 \
    --request-timeout 30 \
    --suppress-health-check all \
    --generation-database none \
    --no-color
