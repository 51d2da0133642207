# Sourced by scripts that need a real stack: starts LogLama, BEXY, PyLLM, SheLLama, PyLama, APILama and WebLama from $BIN
# (default .build/debug) in a throwaway directory (free loopback ports, own databases, audit spool, HOME and
# central .env), stops it and removes the directory on exit. PyLLM and PyLama run without an Ollama (OLLAMA_HOST
# is a closed port unless the caller starts something there: their LLM routes answer 503). Sets: work, loglama_port,
# bexy_port, shellama_port, apilama_port, weblama_port, ollama_port, token (an admin API token).
# Extra central .env lines may be given in $STACK_ENV.
BIN=$(realpath "${BIN:-.build/debug}")
work=$(mktemp -d /tmp/pylama-stack.XXXXXX)
read -r loglama_port bexy_port apilama_port shellama_port pyllm_port pylama_port ollama_port weblama_port < <(python3 -c '
import socket
sockets = [socket.socket() for _ in range(8)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))')
token=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
cat > "$work/central.env" <<ENV
LOGLAMA_PORT=$loglama_port
BEXY_PORT=$bexy_port
APILAMA_PORT=$apilama_port
SHELLAMA_PORT=$shellama_port
SHELLAMA_ROOT=$work/workspaces
PYLLM_PORT=$pyllm_port
PYLAMA_PORT=$pylama_port
WEBLAMA_PORT=$weblama_port
OLLAMA_HOST=http://127.0.0.1:$ollama_port
LOGLAMA_DB=$work/loglama.db
APILAMA_DB=$work/apilama.db
BEXY_STATE_DIR=$work/bexy
PYLAMA_API_TOKEN=$token
PYLAMA_INTERNAL_TOKEN=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
${STACK_ENV:-}
ENV
export PYLAMA_ENV="$work/central.env" HOME="$work" PYLAMA_RUN_DIR="$work/run"
stop_stack() {
    "$BIN/loglama" stop-all >/dev/null 2>&1 || true
    # The services' logs outlive the stack, for whoever reads a failed run (.build/stack-logs/<stack>/).
    local logs
    logs=$(realpath -m ".build/stack-logs/$(basename "$work")")
    mkdir -p "$logs" && cp "$work"/run/*.log "$logs"/ 2>/dev/null || true
    rm -rf "$work"
}
trap stop_stack EXIT
"$BIN/loglama" start-all --services loglama,bexy,pyllm,shellama,pylama,apilama,weblama
