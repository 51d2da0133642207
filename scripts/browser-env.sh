# Sourced by the browser checks: Debian's chromium and chromium-driver (installed when missing) and selenium from
# PyPI in a venv (BROWSER_VENV, default .build/browser-venv). Sets VENV.
VENV=$(realpath -m "${BROWSER_VENV:-.build/browser-venv}")
for package in chromium chromium-driver; do
    dpkg -s "$package" >/dev/null 2>&1 || { apt-get update -q && apt-get install -y -q chromium chromium-driver; break; }
done
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import selenium' 2>/dev/null; then
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q selenium
fi
