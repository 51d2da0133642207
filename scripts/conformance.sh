#!/usr/bin/env bash
# The gateway against its own OpenAPI document: starts LogLama, BEXY and APILama from BIN (default .build/debug)
# in a throwaway directory (own ports, databases, audit spool, HOME), then lets schemathesis send generated
# requests to every documented operation for CONFORMANCE_SECONDS (default 150) with every check it has: no 5xx,
# only documented statuses, bodies and headers as documented, 405 with Allow for undocumented methods, bad input
# refused. Exits non-zero on any failure. schemathesis is installed from PyPI into a venv under .build.
# PyLLM's and PyLama's routes (/api/getllm/*, /api/pylama/*) are documented but not fuzzed here: each valid request is a model generation
# of seconds, and without a model they answer 503 by design; PyLLMTests and PyLamaServiceTests check their
# bad-input answers, and the gateway's OpenAPI tour each operation's documented shape.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-.build/debug}
BUDGET=${CONFORMANCE_SECONDS:-150}
VENV=$(realpath -m "${CONFORMANCE_VENV:-.build/conformance-venv}")
SCHEMATHESIS_VERSION=4.32.5

if [ ! -x "$VENV/bin/schemathesis" ]; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q "schemathesis==$SCHEMATHESIS_VERSION"
fi

# The fuzzer's requests must reach the services, not the per-token rate limit.
STACK_ENV=$'APILAMA_RATE_PER_SECOND=1000\nAPILAMA_RATE_BURST=2000'
source scripts/test-stack.sh

# From the throwaway directory: schemathesis keeps its caches in the working directory, not in the repository.
# One worker: with two, hypothesis's lambda-source cache races (a "Runtime Error: AST constructor recursion depth
# mismatch" in its own code, seen on /api/shellama/* query parameters), failing the run with no request at fault.
cd "$work"
"$VENV/bin/schemathesis" run "http://127.0.0.1:$apilama_port/api/openapi.json" \
    --header "Authorization: Bearer $token" \
    --checks all \
    --exclude-path-regex '^/api/(getllm|pylama)/' \
    --max-time "$BUDGET" \
    --workers 1 \
    --request-timeout 30 \
    --suppress-health-check all \
    --generation-database none \
    --no-color
