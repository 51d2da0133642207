# The checks scripts/uml-cgroup-v2.sh runs inside user-mode-linux (sourced by the guest's init, which sets BEXY and
# REPO and has mounted cgroup2 at /sys/fs/cgroup). Prints one JSON line per check.
export BEXY_RUNTIME_DIR=/run/bexy BEXY_STATE_DIR=/run/bexy-state BEXY_PROFILES_DIR=$REPO/profiles
export PYLAMA_ENV=/run/no-env HOME=/run
cg=/sys/fs/cgroup

# report PLACEMENT CHECK OK(true|false) DETAIL
report() {
    detail=$(printf '%s' "$4" | tr -d '"\\' | tr '\n\t' '  ' | cut -c1-400)
    printf '{"check":"%s","placement":"%s","ok":%s,"detail":"%s"}\n' "$2" "$1" "$3" "$detail"
}

# in_cgroup DIR COMMAND...: run COMMAND as a member of the cgroup DIR ("" = the root cgroup, where init is). A
# service cgroup is made afresh for each command, as systemd does for each start of a unit: once a bexy has run
# there it holds enabled controllers and takes no process.
in_cgroup() {
    where=$1
    shift
    if [ -z "$where" ]; then "$@"; return; fi
    if [ -d "$cg/$where" ]; then
        for child in "$cg/$where"/*/; do
            for job in "$child"*/; do [ -d "$job" ] && rmdir "$job"; done
            [ -d "$child" ] && rmdir "$child"
        done
        rmdir "$cg/$where" 2>/dev/null
    fi
    mkdir -p "$cg/$where"
    sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg/$where" "$@"
}

# field NAME: the field NAME of the JSON object on stdin.
field() {
    python3 -c 'import json, sys; print(json.loads(sys.stdin.read() or "{}").get(sys.argv[1]))' "$1"
}

# job PLACEMENT CHECK CGROUP FIELD=WANT... -- BEXY-EXEC-ARGS...: one `bexy exec --json` and what its result must say.
job() {
    placement=$1 check=$2 where=$3
    shift 3
    wants=""
    while [ "$1" != "--" ]; do wants="$wants $1"; shift; done
    shift
    result=$(in_cgroup "$where" "$BEXY" exec --json "$@" 2>/run/stderr)
    ok=true
    got=""
    for want in $wants; do
        value=$(printf '%s' "$result" | field "${want%%=*}")
        got="$got ${want%%=*}=$value"
        [ "$value" = "${want#*=}" ] || ok=false
    done
    report "$placement" "$check" $ok "$got $(head -c 200 /run/stderr)"
}

# checks PLACEMENT CGROUP PARENT: doctor, jobs, limits and the cgroup layout with bexy in CGROUP, whose job
# group is PARENT.
checks() {
    placement=$1 where=$2 parent=$3
    doctor=$(in_cgroup "$where" "$BEXY" doctor 2>&1)
    rc=$?
    row=$(printf '%s\n' "$doctor" | grep 'cgroup v2' | tr -s ' ' | paste -sd ';')
    ok=false
    case $placement in
        root) printf '%s' "$row" | grep -q '(root cgroup' && [ $rc = 0 ] && ok=true ;;
        *) printf '%s' "$row" | grep -q '(delegated' && [ $rc = 0 ] && ok=true ;;
    esac
    report "$placement" doctor $ok "exit $rc: $row"
    # The doctor's warm-path row started bexy serve's pool: a zygote and a ready warm sandbox in a job cgroup.
    warm=$(printf '%s\n' "$doctor" | grep '^warm path' | tr -s ' ')
    ok=false
    case $warm in "warm path ok"*) ok=true ;; esac
    report "$placement" warm $ok "$warm"

    job "$placement" hello "$where" status=ok stdout=1 -- -c 'print(1)'
    job "$placement" memory "$where" status=memory_limit limit_hit=memory -- --memory 64M -c 'b = bytearray(512 << 20)'
    job "$placement" wall "$where" status=timeout limit_hit=wall -- --timeout 1 -c 'while True: pass'
    job "$placement" pids "$where" limit_hit=pids -- -c '
import os, sys, time
try:
    for _ in range(100):
        if os.fork() == 0:
            time.sleep(5)
            os._exit(0)
except OSError:
    sys.exit(3)'

    # Two instances (different runtime directories) at once: two job cgroups side by side, both jobs ok. Below
    # the root each is its own service (a delegated cgroup holds one bexy).
    parents=$parent
    [ -n "$where" ] && parents="$cg/$where-a/bexy $cg/$where-b/bexy"
    for instance in a b; do
        [ -n "$where" ] && instance_where=$where-$instance || instance_where=""
        BEXY_RUNTIME_DIR=/run/bexy-$instance in_cgroup "$instance_where" "$BEXY" exec --json \
            -c 'import time; time.sleep(4); print(1)' > /run/two-$instance 2>&1 &
    done
    most=0
    for _ in $(seq 60); do
        count=$(ls $parents 2>/dev/null | grep -c '^job-')
        [ "$count" -gt "$most" ] && most=$count
        [ "$most" -ge 2 ] && break
        sleep 0.1
    done
    wait
    a=$(field status < /run/two-a)
    b=$(field status < /run/two-b)
    ok=false
    [ "$most" = 2 ] && [ "$a" = ok ] && [ "$b" = ok ] && ok=true
    report "$placement" "two instances" $ok "job cgroups at once: $most, statuses $a $b"

    leftovers=$(ls "$parent" | grep -c '^job-')
    ok=false
    layout="parent $parent: $(cat "$parent/cgroup.subtree_control"), $leftovers job cgroup(s) left"
    case $placement in
        root) [ ! -e "$cg/bexy-supervisor" ] && ok=true ;;
        *)
            own=${parent%/bexy}
            layout="$layout; own: $(cat "$own/cgroup.subtree_control"); supervisor leaf procs: \
$(wc -l < "$own/bexy-supervisor/cgroup.procs")"
            [ -d "$own/bexy-supervisor" ] && grep -q memory "$own/cgroup.subtree_control" && ok=true ;;
    esac
    [ "$leftovers" = 0 ] && grep -q pids "$parent/cgroup.subtree_control" || ok=false
    report "$placement" layout $ok "$layout"
}

# refused PLACEMENT CGROUP WANT: bexy exec must refuse to run (exit 125) with WANT in its message.
refused() {
    in_cgroup "$2" "$BEXY" exec -c 'print(1)' > /run/refused 2>&1
    rc=$?
    ok=false
    [ $rc = 125 ] && grep -q "$3" /run/refused && ok=true
    report "$1" refused $ok "exit $rc: $(head -c 300 /run/refused)"
}

checks root "" "$cg/bexy"

echo "+memory +pids +cpu" > $cg/cgroup.subtree_control
mkdir -p $cg/system.slice/bexy.service
echo "+memory +pids +cpu" > $cg/system.slice/cgroup.subtree_control
checks delegated system.slice/bexy.service "$cg/system.slice/bexy.service/bexy"
for instance in a b; do
    [ -d "$cg/system.slice/bexy.service-$instance/bexy-supervisor" ] || report delegated "two instances" false "no leaf in $instance"
done

mkdir -p $cg/plain.slice/bexy.service
refused "not delegated" plain.slice/bexy.service "not delegated"

mkdir -p $cg/system.slice/shared.service
sh -c 'echo $$ > /sys/fs/cgroup/system.slice/shared.service/cgroup.procs; exec sleep 600' &
sleep 0.2
refused shared system.slice/shared.service "other processes still live"
kill $! 2>/dev/null
