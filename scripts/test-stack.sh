# Sourced by scripts that need a real stack: starts LogLama, BEXY, SheLLama and APILama from $BIN (default .build/debug) in
# a throwaway directory (free loopback ports, own databases, audit spool, HOME and central .env), stops it and
# removes the directory on exit. Sets: work, loglama_port, bexy_port, shellama_port, apilama_port, token (an admin API token).
# Extra central .env lines may be given in $STACK_ENV.
BIN=$(realpath "${BIN:-.build/debug}")
work=$(mktemp -d /tmp/pylama-stack.XXXXXX)
read -r loglama_port bexy_port apilama_port shellama_port < <(python3 -c '
import socket
sockets = [socket.socket() for _ in range(4)]
for s in sockets: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))')
token=$(python3 -c 'import secrets; print(secrets.token_hex(32))')
cat > "$work/central.env" <<ENV
LOGLAMA_PORT=$loglama_port
BEXY_PORT=$bexy_port
APILAMA_PORT=$apilama_port
SHELLAMA_PORT=$shellama_port
SHELLAMA_ROOT=$work/workspaces
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
    rm -rf "$work"
}
trap stop_stack EXIT
"$BIN/loglama" start-all --services loglama,bexy,shellama,apilama
