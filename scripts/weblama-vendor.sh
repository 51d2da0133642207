#!/usr/bin/env bash
# WebLama's libraries, installed at set-up time (never copied into the repository): CodeMirror 5, marked,
# highlight.js and DOMPurify from Debian; Mermaid's browser bundle from the `mermaidx` wheel on PyPI (Mermaid is
# not packaged by Debian), pinned by version and sha256, unpacked to WEBLAMA_VENDOR_DIR/mermaid/mermaid.min.js.
# Idempotent: does nothing when everything is there.
set -euo pipefail
VENDOR_DIR=${WEBLAMA_VENDOR_DIR:-/usr/local/share/weblama/vendor}
MERMAIDX_VERSION=0.10.1  # carries Mermaid 11.16.0
MERMAIDX_SHA256=aa2e44648a96629df21acab3cac0ee2d6caca044be72898819d09736ea2f160e
MERMAID_SHA256=74d7c46dabca328c2294733910a8aa1ed0c37451776e8d5295da38a2b758fb9b

missing=$(for p in libjs-codemirror libjs-marked libjs-highlight.js node-dompurify python3-pip unzip; do
    dpkg -s "$p" >/dev/null 2>&1 || echo "$p"; done)
if [ -n "$missing" ]; then
    echo "installing:" $missing
    apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing
fi

target="$VENDOR_DIR/mermaid/mermaid.min.js"
if [ -f "$target" ] && echo "$MERMAID_SHA256  $target" | sha256sum -c --status; then
    exit 0
fi
download=$(mktemp -d)
trap 'rm -rf "$download"' EXIT
echo "mermaidx==$MERMAIDX_VERSION --hash=sha256:$MERMAIDX_SHA256" > "$download/requirements.txt"
python3 -m pip download -q --no-deps --require-hashes --only-binary=:all: --python-version 3.12 \
    -r "$download/requirements.txt" -d "$download"
unzip -q -o "$download"/mermaidx-"$MERMAIDX_VERSION"-*.whl mermaidx/assets/mermaid.js -d "$download"
echo "$MERMAID_SHA256  $download/mermaidx/assets/mermaid.js" | sha256sum -c --status || {
    echo "weblama-vendor: the Mermaid bundle in mermaidx $MERMAIDX_VERSION is not the one pinned" >&2; exit 1; }
install -D -m 0644 "$download/mermaidx/assets/mermaid.js" "$target"
echo "installed Mermaid 11.16.0 in $target"
