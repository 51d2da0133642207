#!/usr/bin/env bash
# The layering rules of the README's "Layout" section, checked on the import lines of every Swift source file and
# on Package.swift's target dependencies. Exits 1, naming each offending file or target, when a rule is broken.
#
#   1. Nothing under Sources/Bexy or Sources/Jail imports an HTTP or service module (Hummingbird*, NIO*,
#      AsyncHTTPClient, ServiceLifecycle) or any target under Sources/Services or Sources/Gateway.
#   2. Nothing under Sources/Services/LogLama, Sources/Services/{Ollama,PyLLM,PyLLMCLI,PyLamaService,PyLamaCLI,WebLama,WebLamaCLI} or Sources/Gateway imports a target of
#      Sources/Bexy or Sources/Jail: only a service that runs sandboxes (BexyService) may.
#   3. Jail imports nothing of ours but its C targets.
#   4. Contracts and PyLamaEnvironment import nothing of ours.
#   5. Nothing under Sources/Jail or Sources/Bexy reads the environment (getenv): the front doors' loaders
#      (PyLamaEnvironment, read by bexy and bexy-server) hand plain values down.
set -euo pipefail
cd "$(dirname "$0")/.."

# Our targets, by domain: each leaf folder is one target.
targets_under() { for dir in "$@"; do find "$dir" -mindepth 1 -maxdepth 1 -type d -printf '%f\n'; done | sort -u; }
service_targets=$(targets_under Sources/Services Sources/Gateway)
engine_targets=$(targets_under Sources/Bexy Sources/Jail)
all_targets=$(printf '%s\n%s\nContracts\nPyLamaEnvironment\n' "$service_targets" "$engine_targets" | sort -u)
jail_c_targets="CJailShim CSeccomp CCap"

# The module each Swift file under $1 imports, as "file module" lines (`@testable import`, `import struct M.T` too).
imports() {
    find "$@" -name '*.swift' -print0 | xargs -0 -r awk '
        /^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*import[[:space:]]/ {
            line = $0; sub(/^[[:space:]]*(@[A-Za-z_]+[[:space:]]+)*import[[:space:]]+/, "", line)
            sub(/^(struct|class|enum|protocol|func|var|let|typealias)[[:space:]]+/, "", line)
            sub(/[.[:space:]].*$/, "", line)
            print FILENAME, line
        }'
}

failures=0
fail() { echo "layering: $*" >&2; failures=$((failures + 1)); }
in_list() { local word=$1; shift; for item in $*; do [[ $item == "$word" ]] && return 0; done; return 1; }

# Rule 1
while read -r file module; do
    if [[ $module =~ ^(Hummingbird|NIO|AsyncHTTPClient|ServiceLifecycle) ]] || in_list "$module" "$service_targets"; then
        fail "$file imports $module: the engine (Sources/Bexy, Sources/Jail) imports no HTTP or service module"
    fi
done < <(imports Sources/Bexy Sources/Jail)

# Rule 2
while read -r file module; do
    if in_list "$module" "$engine_targets"; then
        fail "$file imports $module: LogLama, PyLLM and the gateway speak Contracts, never the engine"
    fi
done < <(imports Sources/Services/LogLama Sources/Services/Ollama Sources/Services/PyLLM Sources/Services/PyLLMCLI \
    Sources/Services/PyLamaService Sources/Services/PyLamaCLI Sources/Services/WebLama Sources/Services/WebLamaCLI \
    Sources/Gateway)

# Rule 3
while read -r file module; do
    if in_list "$module" "$all_targets" && ! in_list "$module" "$jail_c_targets"; then
        fail "$file imports $module: Jail imports nothing of ours but its C targets ($jail_c_targets)"
    fi
done < <(imports Sources/Jail/Jail)

# Rule 4
while read -r file module; do
    if in_list "$module" "$all_targets"; then
        fail "$file imports $module: Contracts is a leaf and imports nothing of ours"
    fi
done < <(imports Sources/Contracts)
while read -r file module; do
    if in_list "$module" "$all_targets"; then
        fail "$file imports $module: PyLamaEnvironment is a leaf and imports nothing of ours"
    fi
done < <(imports Sources/PyLamaEnvironment)

# Rule 5
while IFS= read -r hit; do
    fail "$hit: the engine reads no environment variable; take the value from the front door's loader"
done < <(grep -rn --include='*.swift' --include='*.c' --include='*.h' -E '\b(secure_)?getenv\(' Sources/Jail Sources/Bexy || true)

# The same rules on Package.swift's dependency lists (needs swift and python3; skipped without them).
if command -v swift >/dev/null && command -v python3 >/dev/null; then
    swift package dump-package | python3 -c '
import json, sys
package = json.load(sys.stdin)
targets = {t["name"]: t for t in package["targets"]}
def path(t): return t.get("path") or ""
def deps(t):
    names = []
    for d in t.get("dependencies", []):
        for kind in ("byName", "target", "product"):
            if kind in d: names.append((kind, d[kind][0]))
    return names
ours = set(targets)
service = {n for n, t in targets.items() if path(t).startswith(("Sources/Services/", "Sources/Gateway/"))}
engine = {n for n, t in targets.items() if path(t).startswith(("Sources/Bexy/", "Sources/Jail/"))}
http = ("Hummingbird", "NIO", "AsyncHTTPClient", "ServiceLifecycle")
bad = 0
for name, t in targets.items():
    p = path(t)
    for kind, dep in deps(t):
        why = None
        if p.startswith(("Sources/Bexy/", "Sources/Jail/")) and (dep in service or dep.startswith(http)):
            why = "the engine depends on no HTTP or service module"
        elif (p in ("Sources/Services/LogLama", "Sources/Services/Ollama", "Sources/Services/PyLLM",
                    "Sources/Services/PyLLMCLI", "Sources/Services/PyLamaService", "Sources/Services/PyLamaCLI",
                    "Sources/Services/WebLama", "Sources/Services/WebLamaCLI") or p.startswith("Sources/Gateway/")) and dep in engine:
            why = "LogLama, PyLLM and the gateway depend on Contracts, never the engine"
        elif p == "Sources/Jail/Jail" and dep in ours and dep not in ("CJailShim", "CSeccomp", "CCap"):
            why = "Jail depends on nothing of ours but its C targets"
        elif p in ("Sources/Contracts", "Sources/PyLamaEnvironment") and (dep in ours or kind == "product"):
            why = "Contracts and PyLamaEnvironment depend on nothing"
        if why:
            print(f"layering: Package.swift: {name} depends on {dep}: {why}", file=sys.stderr)
            bad += 1
sys.exit(1 if bad else 0)
' || failures=$((failures + 1))
fi

if ((failures > 0)); then
    echo "layering: $failures rule(s) broken (see the README's Layout section)" >&2
    exit 1
fi
echo "layering: ok"
