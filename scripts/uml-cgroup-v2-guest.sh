# The checks scripts/uml-cgroup-v2.sh runs inside user-mode-linux (sourced by the guest's init, which sets BEXY and
# REPO and has mounted cgroup2 at /sys/fs/cgroup). Prints one JSON line per check.
export BEXY_RUNTIME_DIR=/run/bexy BEXY_STATE_DIR=/run/bexy-state BEXY_PROFILES_DIR=$REPO/profiles
export PYLAMA_ENV=/run/pylama.env HOME=/run
printf 'PYLAMA_INTERNAL_TOKEN=uml-check-token\nLOGLAMA_PORT=5999\n' > $PYLAMA_ENV
cg=/sys/fs/cgroup
# CONTAINER=1: every command starts as a container's entrypoint would, alone in its cgroup and in a cgroup
# namespace of its own, with cgroup2 mounted afresh (it sees its cgroup as "/").
CONTAINER=0

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
    if [ "$CONTAINER" = 1 ]; then
        set -- unshare --cgroup --mount sh -c \
            'umount /sys/fs/cgroup && mount -t cgroup2 cgroup2 /sys/fs/cgroup && exec "$@"' sh "$@"
    fi
    sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg/$where" "$@"
}

# in_leaf DIR COMMAND...: run COMMAND in DIR's supervisor leaf (where an earlier bexy moved itself), as a restarted
# bexy of the same service would start without its cgroup being made afresh; in the root cgroup just run it.
in_leaf() {
    where=$1
    shift
    if [ -z "$where" ]; then "$@"; return; fi
    sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg/$where/bexy-supervisor" "$@"
}

# job_cgroups PARENT: how many job cgroups PARENT holds.
job_cgroups() {
    ls "$1" 2>/dev/null | grep -c '^job-'
}

# wait_for SECONDS COMMAND...: retry COMMAND every 0.1 s until it succeeds or SECONDS pass.
wait_for() {
    tries=$(( $1 * 10 ))
    shift
    while [ $tries -gt 0 ]; do
        "$@" && return 0
        tries=$(( tries - 1 ))
        sleep 0.1
    done
    return 1
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
    # 16 MiB at a time: each step crosses the 32 MiB limit by more than the cgroup can reclaim, so the kernel kills
    # at once. (Touching 512 MiB in one go used up strict's 5 s of CPU in UML's slow page faults first; 1 MiB steps
    # let the kernel reclaim the interpreter's file pages again and again, over hostfs, until the CPU limit fired.)
    job "$placement" memory "$where" status=memory_limit limit_hit=memory -- --memory 32M -c '
chunks = [bytearray(16 << 20) for _ in range(32)]'
    job "$placement" cpu "$where" limit_hit=cpu -- --timeout 10 -c 'while True: pass'
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

    fork_bomb "$placement" "$where" "$parent"
    supervisor_killed "$placement" "$where" "$parent"
    serve "$placement" "$where" "$parent"

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

# fork_bomb PLACEMENT CGROUP PARENT: a fork bomb stays inside its pids limit, the wall limit ends it, and no process
# or job cgroup outlives it.
fork_bomb() {
    placement=$1 where=$2 parent=$3
    result=$(in_cgroup "$where" "$BEXY" exec --json --timeout 5 -c '
import os
while True:
    try:
        os.fork()
    except OSError:
        pass' 2>/run/stderr)
    status=$(printf '%s' "$result" | field status)
    limit=$(printf '%s' "$result" | field limit_hit)
    wait_for 10 sh -c '! pgrep -x python3 > /dev/null'
    settled=$?
    left=$(job_cgroups "$parent")
    ok=false
    [ "$status" = timeout ] && [ $settled = 0 ] && [ "$left" = 0 ] && ok=true
    report "$placement" "fork bomb" $ok "status=$status limit_hit=$limit, python3 processes left: \
$(pgrep -c -x python3), $left job cgroup(s) left $(head -c 200 /run/stderr)"
}

# supervisor_killed PLACEMENT CGROUP PARENT: kill -9 of `bexy exec` mid-job takes the job with it (its cgroup
# empties); the next bexy of the same service removes the dead job's cgroup. A container's cgroup goes with the
# container, so there only the first half applies.
supervisor_killed() {
    placement=$1 where=$2 parent=$3
    in_cgroup "$where" "$BEXY" exec -c 'import time; time.sleep(61)' > /dev/null 2>&1 &
    wait_for 60 sh -c 'cat "$0"/job-*/cgroup.procs 2>/dev/null | grep -q .' "$parent"
    started=$?
    # The oldest match: the job's init is a clone of bexy and has the same command line.
    supervisor=$(pgrep -o -f 'exec -c import time. time.sleep.61')
    kill -9 $supervisor 2>/dev/null
    wait
    wait_for 10 sh -c '! cat "$0"/job-*/cgroup.procs 2>/dev/null | grep -q .' "$parent"
    died=$?
    ok=false
    [ $started = 0 ] && [ -n "$supervisor" ] && [ $died = 0 ] && ok=true
    detail="job started: $started, supervisor pid ${supervisor:-none}, job processes gone: $died"
    if [ "$placement" != container ]; then
        next=$(in_leaf "$where" "$BEXY" exec --json -c 'print(1)' 2>&1 | field status)
        left=$(job_cgroups "$parent")
        [ "$next" = ok ] && [ "$left" = 0 ] || ok=false
        detail="$detail; next job $next, $left job cgroup(s) left"
    fi
    report "$placement" "supervisor killed" $ok "$detail"
}

# serve PLACEMENT CGROUP PARENT: `bexy serve` (the warm path: zygote and ready sandboxes) answers POST /execute over
# HTTP with warm sandboxes whose memory limit holds, and leaves no zygote or job cgroup behind when stopped.
serve() {
    placement=$1 where=$2 parent=$3
    in_cgroup "$where" "$BEXY" serve --host 127.0.0.1 --port 8000 > /run/serve.log 2>&1 &
    answers=$(python3 "$REPO/scripts/uml-serve-client.py" 2>&1)
    pkill -TERM -f 'bexy-server --host 127.0.0.1 --port 8000'
    wait
    wait_for 10 sh -c '! pgrep -x bexy-zygote > /dev/null'
    zygote=$?
    left=$(job_cgroups "$parent")
    ok=false
    case $answers in
        *'"hello": ["ok", "2\n", "warm"], "memory": ["memory_limit", "memory", "warm"]'*)
            [ $zygote = 0 ] && [ "$left" = 0 ] && ok=true ;;
    esac
    report "$placement" serve $ok "$answers; zygote gone: $zygote, $left job cgroup(s) left; \
$(tail -c 300 /run/serve.log)"
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

mkdir -p $cg/container.slice
echo "+memory +pids +cpu" > $cg/container.slice/cgroup.subtree_control
CONTAINER=1
checks container container.slice/box "$cg/container.slice/box/bexy"
CONTAINER=0

mkdir -p $cg/plain.slice/bexy.service
refused "not delegated" plain.slice/bexy.service "not delegated"

mkdir -p $cg/system.slice/shared.service
sh -c 'echo $$ > /sys/fs/cgroup/system.slice/shared.service/cgroup.procs; exec sleep 600' &
sleep 0.2
refused shared system.slice/shared.service "other processes still live"
kill $! 2>/dev/null
