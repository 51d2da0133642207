#!/bin/sh
# BEXY on a real cgroup v2 kernel: boots Debian's user-mode-linux (apt-get install -y user-mode-linux) with this
# host's root read-only through hostfs, mounts cgroup2 and runs `bexy` in the root cgroup, in a delegated service
# cgroup, in one whose controllers are not delegated and in one shared with another process. The guest prints one
# JSON line per check ({"check", "placement", "ok", "detail"}); this side asserts that every expected check ran
# and passed.
#
# Usage: scripts/uml-cgroup-v2.sh [BEXY]   (default .build/release/bexy, else .build/debug/bexy)
# UML_TIMEOUT bounds the guest (default 600 s).
set -eu
cd "$(dirname "$0")/.."
repo=$(pwd)
bexy=${1:-}
if [ -z "$bexy" ]; then
    if [ -x .build/release/bexy ]; then bexy=.build/release/bexy; else bexy=.build/debug/bexy; fi
fi
case $bexy in /*) ;; *) bexy=$repo/$bexy ;; esac
[ -x "$bexy" ] || { echo "uml-cgroup-v2: no bexy binary at $bexy (build it first)" >&2; exit 2; }
command -v linux.uml >/dev/null || { echo "uml-cgroup-v2: needs linux.uml: apt-get install -y user-mode-linux" >&2; exit 2; }

# The guest sees the checkout at /run/repo (see the init below), so BEXY must be inside it.
case $bexy in
    "$repo"/*) guest_bexy=/run/repo/${bexy#"$repo"/} ;;
    *) echo "uml-cgroup-v2: $bexy is outside the checkout $repo" >&2; exit 2 ;;
esac

work=$repo/.build/uml-cgroup-v2
mkdir -p "$work"
init=$work/init.sh
out=$work/console.log

# The guest's init (pid 1). The root file system is the host's, read-only: everything bexy writes goes to tmpfs.
cat > "$init" <<EOF
#!/bin/sh
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export PATH
mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev 2>/dev/null
mount -t tmpfs tmpfs /run
# The checkout is seen at /run/repo: the tmpfs on /tmp would hide one that lives under /tmp (as CI's clone may).
mkdir -p /run/repo
mount --bind $repo /run/repo
mount -t tmpfs tmpfs /tmp
mount -t cgroup2 none /sys/fs/cgroup
ip link set lo up
BEXY=$guest_bexy
REPO=/run/repo
. /run/repo/scripts/uml-cgroup-v2-guest.sh
poweroff -f
EOF
chmod +x "$init"

start=$(date +%s)
status=0
timeout "${UML_TIMEOUT:-600}" linux.uml mem=1G root=/dev/root rootfstype=hostfs rootflags=/ ro init="$init" \
    con=null con0=fd:0,fd:1 noreboot quiet < /dev/null > "$out" 2>&1 || status=$?
elapsed=$(( $(date +%s) - start ))
echo "uml-cgroup-v2: guest ran ${elapsed}s (exit $status), console in $out"

python3 - "$out" <<'EOF'
import json, sys
placed = ["doctor", "warm", "hello", "memory", "cpu", "wall", "pids", "fork bomb", "supervisor killed", "serve",
          "two instances", "layout"]
expected = {
    "root": placed,
    "delegated": placed,
    "container": placed,
    "not delegated": ["refused"],
    "shared": ["refused"],
}
results = []
for line in open(sys.argv[1], errors="replace"):
    line = line.strip()
    if line.startswith('{"check"'):
        results.append(json.loads(line))
failed = 0
for r in results:
    print(("ok   " if r["ok"] else "FAIL ") + r["placement"] + ": " + r["check"] + ": " + r["detail"])
    failed += 0 if r["ok"] else 1
seen = {(r["placement"], r["check"]) for r in results}
missing = [p + ": " + c for p, checks in expected.items() for c in checks if (p, c) not in seen]
for m in missing:
    print("MISSING " + m)
print("uml-cgroup-v2: %d checks, %d failed, %d missing" % (len(results), failed, len(missing)))
sys.exit(1 if failed or missing else 0)
EOF
