#!/usr/bin/env bash
# Integration tests: drive the real sim binary ($SIM) on real files, from
# the repository root. `make integration` sets SIM. Every check counts;
# nothing is skipped: a missing tool (jq, or python3 in its place) fails.
set -euo pipefail

: "${SIM:?set SIM to the sim binary (make integration does)}"
cd "$(dirname "$0")/.."

TMP=$(mktemp -d /tmp/sim_integration.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
passed=0
failed=0

ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# run WANT DESC CMD...: run CMD, stdout to $TMP/out, stderr to $TMP/err,
# and check its exit status is WANT.
run() {
    local want=$1 desc=$2 status=0
    shift 2
    "$@" >"$TMP/out" 2>"$TMP/err" || status=$?
    if [ "$status" -eq "$want" ]; then
        ok
    else
        bad "$desc: exit $status, wanted $want"
        sed 's/^/    /' "$TMP/err" >&2
    fi
}

# contains FILE TEXT DESC
contains() {
    if grep -qF -- "$2" "$1"; then ok; else bad "$3: '$2' not in $1"; sed 's/^/    /' "$1" >&2; fi
}

# JSON checks: jq when installed, else python3; neither is a failure.
if command -v jq >/dev/null 2>&1; then
    json_makespans_positive() { jq -e -s 'length > 0 and all(.[]; .makespan_s > 0 and .tasks > 0)' "$1" >/dev/null; }
    json_count() { jq -s "map(select($2)) | length" "$1"; }
elif command -v python3 >/dev/null 2>&1; then
    json_makespans_positive() {
        python3 -c 'import json,sys; r=[json.loads(l) for l in open(sys.argv[1])]; sys.exit(0 if r and all(x["makespan_s"] > 0 and x["tasks"] > 0 for x in r) else 1)' "$1"
    }
    json_count() { echo "jq is needed for '$2'" >&2; echo -1; }
else
    echo "FAIL: neither jq nor python3 is installed; cannot check JSON output" >&2
    exit 1
fi

# --- help and usage -------------------------------------------------------
run 0 "sim --help" "$SIM" --help
contains "$TMP/out" "usage: sim" "sim --help"
commands=$("$SIM" --help | awk '/^commands:/ {on=1; next} on && /^  [a-z]/ {print $1}')
[ -n "$commands" ] && ok || bad "sim --help lists no commands"
for c in $commands; do
    run 0 "sim $c --help" "$SIM" "$c" --help
    [ -s "$TMP/out" ] && ok || bad "sim $c --help printed nothing on stdout"
done
run 2 "sim with no command" "$SIM"
run 2 "sim unknown command" "$SIM" frobnicate
run 2 "sim run with nothing to run" "$SIM" run
contains "$TMP/err" "usage: sim run" "sim run misuse prints usage"
run 2 "sim run unknown option" "$SIM" run --frobnicate experiments/quick.yaml
run 2 "sim run unknown format" "$SIM" run --format xml experiments/quick.yaml
run 2 "sim run two files" "$SIM" run experiments/quick.yaml experiments/quick.yaml
run 2 "sim run incomplete single run" "$SIM" run --workload double --size 10
run 2 "sim run file and --workload" "$SIM" run experiments/quick.yaml --workload double
run 2 "sim run option without value" "$SIM" run --workers

# --- bad input: exit 1, a message with its place, nothing written --------
cat >"$TMP/bad.yaml" <<'EOF'
name: bad
seed: 1
replications: 1
sweep:
  workload: [double]
  size: [10]
  executor: [threads]
  wokers: [4]
  logging: [on]
EOF
run 1 "unknown key in an experiment" "$SIM" run "$TMP/bad.yaml" --db "$TMP/bad.db"
contains "$TMP/err" "sim: error: $TMP/bad.yaml:8:3: unknown key 'wokers' in 'sweep'" "unknown key message"
[ ! -e "$TMP/bad.db" ] && ok || bad "a bad experiment created its database"
[ ! -s "$TMP/out" ] && ok || bad "a bad experiment printed rows"

sed 's/wokers: \[4\]/workers: [0]/' "$TMP/bad.yaml" >"$TMP/zero.yaml"
run 1 "workers 0 in an experiment" "$SIM" run "$TMP/zero.yaml" --db "$TMP/bad.db"
contains "$TMP/err" "$TMP/zero.yaml:8:13: workers must be from 1 to 1000000, not 0" "workers 0 message"
[ ! -e "$TMP/bad.db" ] && ok || bad "workers 0 created the database"

run 1 "--workers 0" "$SIM" run --workload double --size 10 --executor threads --workers 0 --db "$TMP/bad.db"
contains "$TMP/err" "sim: error: --workers must be from 1 to 1000000, not 0" "--workers 0 message"
run 1 "--workers -3" "$SIM" run --workload double --size 10 --executor threads --workers -3 --no-db
run 1 "unknown workload" "$SIM" run --workload triple --size 10 --executor threads --workers 4 --no-db
contains "$TMP/err" "unknown --workload 'triple'" "unknown workload message"
run 1 "size beyond memory" "$SIM" run --workload fibonacci --size 40 --executor threads --workers 4 --no-db
contains "$TMP/err" "more than the 50000000 one run can hold in memory" "huge size message"
run 1 "missing experiment file" "$SIM" run "$TMP/none.yaml" --db "$TMP/bad.db"
contains "$TMP/err" "sim: error: cannot open '$TMP/none.yaml': No such file or directory" "missing file message"
run 1 "missing model file" "$SIM" run --model "$TMP/none.yaml" --workload double --size 10 --executor threads --workers 4 --db "$TMP/bad.db"
[ ! -e "$TMP/bad.db" ] && ok || bad "bad input created the database"

# --- the six single runs ---------------------------------------------------
: >"$TMP/six.json"
for w in double:100 increment:101 fibonacci:8; do
    for x in threads htex; do
        run 0 "single run ${w%%:*} $x" "$SIM" run --workload "${w%%:*}" --size "${w##*:}" \
            --executor "$x" --workers 4 --format json --no-db
        cat "$TMP/out" >>"$TMP/six.json"
        contains "$TMP/err" "model: models/default.yaml (5bce98f73f3e, calibrated, parsl " "model line"
    done
done
[ "$(wc -l <"$TMP/six.json")" -eq 6 ] && ok || bad "six single runs gave $(wc -l <"$TMP/six.json") lines"
json_makespans_positive "$TMP/six.json" && ok || bad "a single run's makespan_s is not > 0"
[ "$(json_count "$TMP/six.json" '.thread_cpu_s.main > 0 and .thread_cpu_s.launch > 0 and .thread_dead_s.main >= 0')" -eq 6 ] && ok || bad "single runs: thread CPU by role"
[ "$(json_count "$TMP/six.json" '.executor == "htex" and .thread_cpu_s.result > 0 and .thread_cpu_s.workers == 0')" -eq 3 ] && ok || bad "single runs: HTEX's result thread, no pool workers"
[ "$(json_count "$TMP/six.json" '.executor == "htex" and .thread_cpu_s.interchange > 0 and .thread_cpu_s.manager > 0 and .thread_cpu_s.htex_workers > 0')" -eq 3 ] && ok || bad "single runs: HTEX's processes by role"
[ "$(json_count "$TMP/six.json" '.executor == "threads" and .thread_cpu_s.interchange == 0')" -eq 3 ] && ok || bad "single runs: no HTEX process on the thread pool"
run 0 "the table names the busiest thread" "$SIM" run --workload double --size 1000 --executor threads --workers 4 --no-db
contains "$TMP/out" "busiest thread" "table header: busiest thread"
contains "$TMP/out" " main " "double on threads: the main thread is the busiest"

# --- determinism -------------------------------------------------------------
for f in json csv table; do
    "$SIM" run --workload fibonacci --size 10 --executor htex --workers 4 --seed 42 --format $f --no-db >"$TMP/a.$f" 2>/dev/null
    "$SIM" run --workload fibonacci --size 10 --executor htex --workers 4 --seed 42 --format $f --no-db >"$TMP/b.$f" 2>/dev/null
    cmp -s "$TMP/a.$f" "$TMP/b.$f" && ok || bad "the same seed gave different $f output"
done
"$SIM" run --workload fibonacci --size 10 --executor htex --workers 4 --seed 43 --format json --no-db >"$TMP/c.json" 2>/dev/null
cmp -s "$TMP/a.json" "$TMP/c.json" && bad "seeds 42 and 43 gave identical output" || ok

# --- an experiment, stored, resumed, fresh -----------------------------------
run 0 "quick.yaml" "$SIM" run experiments/quick.yaml --db "$TMP/r.db" --format json
cp "$TMP/out" "$TMP/quick1.json"
n=$(grep -c '"makespan_s"' "$TMP/quick1.json")
[ "$n" -gt 0 ] && ok || bad "quick.yaml printed no rows"
json_makespans_positive <(grep '"makespan_s"' "$TMP/quick1.json") && ok || bad "quick.yaml makespan_s not > 0"
[ "$(json_count "$TMP/quick1.json" 'has("speedup_logging_off")')" -gt 0 ] && ok || bad "quick.yaml printed no logging speedups"
run 0 "quick.yaml resumed" "$SIM" run experiments/quick.yaml --db "$TMP/r.db" --format json
contains "$TMP/err" "$n of $n configurations were already in '$TMP/r.db'" "resume reports skipped configurations"
cmp -s "$TMP/out" "$TMP/quick1.json" && ok || bad "a resumed run printed different output"
run 0 "quick.yaml fresh" "$SIM" run experiments/quick.yaml --db "$TMP/r.db" --fresh --format csv
[ "$(wc -l <"$TMP/out")" -eq $((n + 1)) ] && ok || bad "csv should have a header and $n rows"
if command -v sqlite3 >/dev/null 2>&1; then
    [ "$(sqlite3 "$TMP/r.db" 'SELECT count(*) FROM experiments')" -eq 2 ] && ok || bad "--fresh did not add an experiment row"
    [ "$(sqlite3 "$TMP/r.db" 'SELECT count(*) FROM metrics')" -eq $((2 * n)) ] && ok || bad "metrics rows"
else
    python3 - "$TMP/r.db" "$n" <<'EOF' && ok || bad "results store row counts"
import sqlite3, sys
c = sqlite3.connect(sys.argv[1]); n = int(sys.argv[2])
assert c.execute('SELECT count(*) FROM experiments').fetchone()[0] == 2
assert c.execute('SELECT count(*) FROM metrics').fetchone()[0] == 2 * n
EOF
fi
run 0 "quick.yaml as a table" "$SIM" run experiments/quick.yaml --no-db
contains "$TMP/out" "logging speedup" "table format has the speedup report"

# --- sim calibrate ---------------------------------------------------------
run 2 "calibrate without -o" "$SIM" calibrate tests/data/calibrate/threads_100
run 0 "calibrate from a run folder" "$SIM" calibrate tests/data/calibrate/threads_100 \
    tests/data/calibrate/htex_100 -o "$TMP/m.yaml" --no-store --report
contains "$TMP/out" "parsl.log span" "calibrate report names its sources"
contains "$TMP/out" "two records back to back (n=" "calibrate measures a record in place from parsl.log"
run 0 "the calibrated model runs" "$SIM" run --model "$TMP/m.yaml" --workload double \
    --size 100 --executor threads --workers 4 --no-db
echo "kept" >"$TMP/keep.yaml"
mkdir -p "$TMP/empty"
run 1 "calibrate from an empty folder" "$SIM" calibrate "$TMP/empty" -o "$TMP/keep.yaml" --no-store
contains "$TMP/err" "neither a trace bundle nor a runinfo" "empty folder message"
[ "$(cat "$TMP/keep.yaml")" = kept ] && ok || bad "a failed calibrate touched the model file"
printf '{"root_frame": {"function": "x",\n  "time": 1.0, "chil' >"$TMP/trunc.json"
run 1 "calibrate from a truncated profile" "$SIM" calibrate "$TMP/trunc.json" -o "$TMP/keep.yaml" --no-store
contains "$TMP/err" "trunc.json:2:" "truncated JSON names file and line"
mkdir -p "$TMP/badlog"
printf 'this is not\na parsl log\n' >"$TMP/badlog/parsl.log"
run 1 "calibrate from an unknown log format" "$SIM" calibrate "$TMP/badlog" -o "$TMP/keep.yaml" --no-store
contains "$TMP/err" "badlog/parsl.log:1" "unknown log format names file and line"
[ "$(cat "$TMP/keep.yaml")" = kept ] && ok || bad "a failed calibrate touched the model file"
[ ! -e "$TMP/keep.yaml.tmp" ] && ok || bad "a failed calibrate left a temporary file"

# --- sim validate ------------------------------------------------------------
# A synthetic bundle: two calibration configurations (one with logging on
# and off), held-out threads configurations of every workload, no held-out
# htex one (so --check must fail whatever the model).
mkdir -p "$TMP/vb"
printf '%s\n' '{"complete": true, "machine": {"cores": 2, "cpu_model": "AMD EPYC", "host_id": "h"},' \
    ' "versions": {"parsl": "2026.10.26", "python": "3.11.7"}}' >"$TMP/vb/manifest.json"
cat >"$TMP/vb/runs.csv" <<'EOF'
run_id,workload,size,tasks,executor,workers_requested,workers_started,logging,rep,role,profile,monitoring,status,makespan_s
a0,double,100,100,threads,4,4,on,0,calibration,0,0,ok,0.25
b0,double,100,100,threads,4,4,off,0,calibration,0,0,ok,0.125
c0,increment,101,100,threads,4,4,on,0,heldout,0,0,ok,0.06
d0,fibonacci,8,134,threads,4,4,on,0,heldout,0,0,ok,0.08
e0,double,300,300,threads,4,4,on,0,heldout,0,0,ok,0.15
h0,double,100,100,htex,2,2,on,0,calibration,0,0,ok,0.2
a1,double,100,100,threads,4,4,on,1,calibration,0,0,ok,0.75
b1,double,100,100,threads,4,4,off,1,calibration,0,0,failed,
p1,double,100,100,threads,4,4,on,1,calibration,1,0,ok,9.9
EOF
run 0 "sim validate --help" "$SIM" validate --help
contains "$TMP/out" "usage: sim validate" "validate --help"
run 2 "validate without a bundle" "$SIM" validate --no-db
run 2 "validate unknown what-if" "$SIM" validate --what-if cores --no-db "$TMP/vb"
run 2 "validate unknown format" "$SIM" validate --format csv --no-db "$TMP/vb"
run 0 "validate a synthetic bundle" "$SIM" validate --no-db "$TMP/vb"
contains "$TMP/out" "predicted_s" "validate table header"
contains "$TMP/out" "(0.2500..0.7500)" "validate table shows the repetitions' range"
contains "$TMP/out" "held-out (evidence)" "validate summaries label the held-out set"
contains "$TMP/out" "fitted (not evidence)" "validate summaries label the fitted set"
contains "$TMP/out" "logging-off what-if" "validate prints the what-if when pairs exist"
contains "$TMP/out" "(90% interval)" "validate prints the measured speedup's interval"
contains "$TMP/out" "no held-out htex configuration" "validate names the missed target"
contains "$TMP/err" "model: models/default.yaml" "validate uses the default model"
run 0 "validate as JSON, stored" "$SIM" validate --format json --replications 2 --db "$TMP/v.db" "$TMP/vb"
[ "$(json_count "$TMP/out" 'has("rel_error")')" -eq 6 ] && ok || bad "validate JSON: 6 configuration lines"
[ "$(json_count "$TMP/out" 'has("rel_error") and .held_out == true')" -eq 3 ] && ok || bad "validate JSON: 3 held out"
[ "$(json_count "$TMP/out" '.workload == "double" and .size == 100 and .executor == "threads" and .logging == "on" and .runs == 2 and .measured_s == 0.5 and .measured_min_s == 0.25 and .measured_max_s == 0.75')" -eq 1 ] && ok || bad "validate JSON: median and range of the repetitions"
[ "$(json_count "$TMP/out" '.what_if == "logging" and .measured_speedup == 4')" -eq 1 ] && ok || bad "validate JSON: the what-if pair"
[ "$(json_count "$TMP/out" '.what_if == "logging" and .measured_speedup_low <= .measured_speedup and .measured_speedup <= .measured_speedup_high')" -eq 1 ] && ok || bad "validate JSON: the measured speedup's interval holds it"
[ "$(json_count "$TMP/out" 'has("rel_error") and .measured_switches == null and .predicted_switches >= 0')" -eq 6 ] && ok || bad "validate JSON: switches (none counted in this bundle)"
[ "$(json_count "$TMP/out" 'has("rel_error") and .measured_thread_cpu_s.main == null and .predicted_thread_cpu_s.main > 0 and .predicted_thread_dead_s.launch >= 0')" -eq 6 ] && ok || bad "validate JSON: thread CPU by role (none measured in this bundle)"
[ "$(json_count "$TMP/out" 'has("rel_error") and .measured_main_logging_share == null and .predicted_main_logging_share >= 0 and .predicted_main_logging_share <= 1')" -eq 6 ] && ok || bad "validate JSON: main thread's logging share (no profile in this bundle)"
[ "$(json_count "$TMP/out" '.summary == "overall"')" -eq 2 ] && ok || bad "validate JSON: overall summaries for both sets"
[ "$(json_count "$TMP/out" '.summary == "targets" and .met == false')" -eq 1 ] && ok || bad "validate JSON: targets summary"
[ "$(json_count "$TMP/out" '.summary == "cpu"')" -eq 0 ] && ok || bad "validate JSON: no CPU check without measured CPU"
if command -v sqlite3 >/dev/null 2>&1; then
    [ "$(sqlite3 "$TMP/v.db" "SELECT count(*) FROM experiments WHERE name = 'validate:vb'")" -eq 1 ] && ok || bad "validate experiment row"
    [ "$(sqlite3 "$TMP/v.db" 'SELECT count(*) FROM configurations')" -eq 12 ] && ok || bad "validate stores 6 configurations x 2 replications"
fi
# A shipped model is what its recipe gives (docs/validate.md): the EPYC
# model of 2026-12-03 from its three captures, in that order; only the
# provenance line (the day it ran) may differ.
E=traces/epyc-2026-12-03
run 0 "calibrate the 2026-12-03 EPYC recipe" "$SIM" calibrate "$E/2026-12-03-5bce98f73f3e-logging_off" \
    "$E/2026-12-03-5bce98f73f3e-logging_off-2" "$E/2026-12-03-5bce98f73f3e-logging_off-3" \
    --start models/2026-11-24-5bce98f73f3e.yaml -o "$TMP/epyc.yaml" --no-store
diff <(grep -v '^provenance' "$TMP/epyc.yaml") \
     <(grep -v '^provenance' models/2026-12-03-5bce98f73f3e-epyc.yaml) >/dev/null \
    && ok || bad "the 2026-12-03 EPYC model is what its recipe gives"
# and the shipped model from every committed bundle, in the order of
# traces/bundles/*/ (named here, so that a bundle captured but not
# committed does not change the recipe).
B=traces/bundles
run 0 "calibrate the shipped model's recipe" "$SIM" calibrate "$B/2026-11-24-5bce98f73f3e" \
    "$B/2026-12-01-5bce98f73f3e-logging_off-2" "$B/2026-12-01-5bce98f73f3e-logging_off" \
    "$B/2026-12-02-5bce98f73f3e-logging_off" "$B/2026-12-04-5bce98f73f3e-logging_off-2" \
    "$B/2026-12-04-5bce98f73f3e-logging_off" \
    --start models/2026-11-24-5bce98f73f3e.yaml -o "$TMP/shipped.yaml" --no-store
diff <(grep -v '^provenance' "$TMP/shipped.yaml") <(grep -v '^provenance' models/default.yaml) >/dev/null \
    && ok || bad "the shipped model is what its recipe gives"
grep -q 'submit: .*records: 8, debug_records: 6}' models/default.yaml && ok || bad "the shipped model counts submit's DEBUG records"
# Logging info: the parsl logger at INFO, between on and off.
run 0 "run logging on, info and off" "$SIM" run --workload double --size 1000 --executor threads \
    --workers 4 --logging on --no-db --format json
on_s=$(jq -r .makespan_s "$TMP/out")
run 0 "run logging info" "$SIM" run --workload double --size 1000 --executor threads \
    --workers 4 --logging info --no-db --format json
info_s=$(jq -r .makespan_s "$TMP/out")
[ "$(jq -r .logging "$TMP/out")" = info ] && ok || bad "logging info is named info"
run 0 "run logging off" "$SIM" run --workload double --size 1000 --executor threads \
    --workers 4 --logging off --no-db --format json
off_s=$(jq -r .makespan_s "$TMP/out")
awk -v a="$on_s" -v b="$info_s" -v c="$off_s" 'BEGIN { exit !(a > b && b > c) }' \
    && ok || bad "logging info between on and off ($on_s, $info_s, $off_s)"
# A busy machine (--set machine.background_cores=1): logging on, the
# writer keeps the GIL through its flush, so the run is faster.
run 0 "run on a busy machine" "$SIM" run --workload double --size 1000 --executor threads \
    --workers 4 --no-db --format json --set machine.background_cores=1
busy_s=$(jq -r .makespan_s "$TMP/out")
awk -v a="$on_s" -v b="$busy_s" 'BEGIN { exit !(b < 0.8 * a) }' && ok || bad "a busy machine runs logging on faster ($on_s, $busy_s)"
run 2 "run --set without a value" "$SIM" run --workload double --size 10 --executor threads --workers 4 --no-db --set machine.background_cores
contains "$TMP/err" "--set wants KEY=VALUE" "--set names its form"
run 1 "run --set of an unknown key" "$SIM" run --workload double --size 10 --executor threads --workers 4 --no-db --set machine.speed=2
contains "$TMP/err" "unknown model key 'machine.speed'" "--set names the unknown key"
run 0 "store a busy run" "$SIM" run --workload double --size 10 --executor threads --workers 4 --db "$TMP/busy.db" --set machine.background_cores=1
run 0 "store an idle run" "$SIM" run --workload double --size 10 --executor threads --workers 4 --db "$TMP/busy.db"
contains "$TMP/err" "model:" "the idle run ran"
if command -v sqlite3 >/dev/null 2>&1; then
    [ "$(sqlite3 "$TMP/busy.db" 'SELECT count(*) FROM configurations')" -eq 2 ] && ok || bad "--set keeps the busy run apart from the idle one in the store"
fi
# A capture made beside another busy process is named for it; a quiet one is not.
run 0 "validate a capture made on a busy machine" "$SIM" validate --no-db \
    traces/epyc-2026-12-03-info/2026-12-03-5bce98f73f3e-logging_info
contains "$TMP/err" "39 of 83 timing runs had another process busy beside them" "validate names a busy machine's runs"
run 0 "validate a quiet capture" "$SIM" validate --no-db traces/epyc-2026-12-03/2026-12-03-5bce98f73f3e-logging_off
grep -q "busy beside" "$TMP/err" && bad "a quiet capture is not called busy" || ok
# The 2026-12-02 bundle measured its threads' CPU and switches: the CPU
# check's one figure a switch and its errors.
run 0 "validate the CPU check" "$SIM" validate --no-db --format json --model models/default.yaml \
    traces/bundles/2026-12-02-5bce98f73f3e-logging_off
[ "$(json_count "$TMP/out" 'has("rel_error") and .measured_cpu_switches_per_task > 0')" -ge 10 ] && ok || bad "validate JSON: the CPU runs' switches a task"
[ "$(json_count "$TMP/out" '.summary == "cpu" and .configurations >= 10 and .cpu_per_switch_s > 5e-6 and .cpu_per_switch_s < 1e-4 and .median_abs_rel_error < .worst_abs_rel_error')" -eq 1 ] && ok || bad "validate JSON: the CPU check"
run 0 "validate the CPU check, table" "$SIM" validate --no-db --model models/default.yaml \
    traces/bundles/2026-12-02-5bce98f73f3e-logging_off
contains "$TMP/out" "the submitting process's CPU, measured against predicted + " "validate: the CPU check's line"
# A harness since 2026-12-03 measures a switch's CPU in its hand-off
# micro-benchmark: 90 us of CPU over 2 switches a round trip.
cp -r traces/bundles/2026-12-02-5bce98f73f3e-logging_off "$TMP/cb"
jq '.benchmarks.thread_handoff_roundtrip += {"cpu_median_s": 9e-05, "vcsw_per_op": 2}' \
    traces/bundles/2026-12-02-5bce98f73f3e-logging_off/micro.json >"$TMP/cb/micro.json"
run 0 "validate the CPU check beside the micro-benchmark" "$SIM" validate --no-db --model models/default.yaml "$TMP/cb"
contains "$TMP/out" "(the hand-off micro-benchmark: 45.0 us of CPU a voluntary switch)" "validate: the micro-benchmark's CPU a switch"
# The first committed bundle has pyinstrument profiles: their logging
# share stands beside the model's; a broken one is named.
run 0 "validate beside pyinstrument" "$SIM" validate --no-db --model models/default.yaml \
    traces/bundles/2026-11-24-5bce98f73f3e
contains "$TMP/out" "the main thread's time in logging, share of the makespan: pyinstrument" "validate: the profiles' table"
grep -Eq '^double +1000 threads +4 on +1 +61\.8% +[0-9.]+%' "$TMP/out" && ok || bad "validate: double 1000's profiled logging share"
mkdir -p "$TMP/pb/runs/p"
cp traces/bundles/2026-11-24-5bce98f73f3e/manifest.json "$TMP/pb/"
printf '%s\n' 'run_id,workload,size,tasks,executor,workers_requested,workers_started,logging,rep,role,profile,monitoring,status,makespan_s' \
    'p,double,100,100,threads,4,4,on,0,calibration,1,0,ok,0.5' 'q,double,100,100,threads,4,4,on,0,calibration,0,0,ok,0.1' >"$TMP/pb/runs.csv"
printf '{"root_frame": {"function": "x",\n  "time": 1.0, "chil' >"$TMP/pb/runs/p/profile.json"
run 1 "validate with a broken profile" "$SIM" validate --no-db --model models/default.yaml "$TMP/pb"
contains "$TMP/err" "runs/p/profile.json:2:" "validate names the broken profile and its line"
run 1 "validate --check" "$SIM" validate --check --no-db "$TMP/vb"
contains "$TMP/err" "sim: error: validation targets missed: " "validate --check reason"
[ "$(grep -c . "$TMP/err")" -eq 2 ] && ok || bad "validate --check: the model line and one reason line"
mkdir -p "$TMP/vx"
cp "$TMP/vb/runs.csv" "$TMP/vx/"
sed 's/AMD EPYC/Intel Xeon/' "$TMP/vb/manifest.json" >"$TMP/vx/manifest.json"
run 0 "validate a bundle of another CPU" "$SIM" validate --no-db "$TMP/vx"
contains "$TMP/err" "sim: warning: bundle 'vx' is from another CPU (Intel Xeon) than the model's (AMD EPYC)" "another CPU is named"
run 1 "pool bundles of two CPUs" "$SIM" validate --pool --no-db "$TMP/vb" "$TMP/vx"
contains "$TMP/err" "cannot pool bundles of different machines" "two CPUs are not pooled"
mkdir -p "$TMP/vb2"
cp "$TMP/vb/manifest.json" "$TMP/vb/runs.csv" "$TMP/vb2/"
run 0 "validate --pool of two captures" "$SIM" validate --pool --format json --no-db "$TMP/vb" "$TMP/vb2"
[ "$(json_count "$TMP/out" 'has("rel_error") and .bundle == "pooled"')" -eq 6 ] && ok || bad "validate --pool: one line per configuration, not per bundle"
[ "$(json_count "$TMP/out" '.workload == "double" and .size == 100 and .logging == "on" and .executor == "threads" and .runs == 4 and .measured_s == 0.5')" -eq 1 ] && ok || bad "validate --pool: the repetitions of both captures"
run 0 "validate --pool table" "$SIM" validate --pool --no-db "$TMP/vb" "$TMP/vb2"
contains "$TMP/out" "2 bundles pooled (vb to vb2): 2 cores" "validate --pool names its bundles"
# The committed captures against each other: a capture's median differs
# from the other captures' by the host's noise, which the model's error
# stands beside.
run 0 "validate --pool: each capture apart" "$SIM" validate --pool --format json --no-db traces/bundles/*/
[ "$(json_count "$TMP/out" '.summary == "captures" and .configurations >= 5 and .capture_medians > .configurations and .others_median_abs_rel_error > 0.01 and .model_median_abs_rel_error > 0')" -eq 1 ] && ok || bad "validate --pool: the captures' own noise beside the model's error"
run 1 "validate a missing bundle" "$SIM" validate --db "$TMP/vbad.db" "$TMP/none"
contains "$TMP/err" "sim: error: $TMP/none: not a trace bundle (no manifest.json)" "missing bundle message"
mkdir -p "$TMP/vm"
cp "$TMP/vb/manifest.json" "$TMP/vm/"
printf 'run_id,workload,size,tasks,executor,workers_requested,logging,status,makespan_s\na,double,10,10,threads,4,on,ok\n' >"$TMP/vm/runs.csv"
run 1 "validate a malformed bundle" "$SIM" validate --db "$TMP/vbad.db" "$TMP/vb" "$TMP/vm"
contains "$TMP/err" "sim: error: $TMP/vm/runs.csv:2:1: 8 fields where the header has 9" "malformed bundle names file and line"
run 1 "validate with a missing model" "$SIM" validate --model "$TMP/none.yaml" --db "$TMP/vbad.db" "$TMP/vb"
[ ! -e "$TMP/vbad.db" ] && ok || bad "a failed validate created its database"
[ ! -s "$TMP/out" ] && ok || bad "a failed validate printed rows"

# --- the collector: gc.csv in a bundle --------------------------------------
# The synthetic bundle with micro-benchmarks and a gc.csv of one long run:
# a check every 2000 submits, pauses 50 ms + 10 us a task.
cp -r "$TMP/vb" "$TMP/gb"
printf '%s\n' '{"benchmarks": {"log_record_enabled": {"median_s": 1e-05},' \
    ' "log_record_disabled": {"median_s": 1e-07}}}' >"$TMP/gb/micro.json"
{
    echo "run_id,t_s,generation,duration_s,tasks_submitted,collected"
    echo "a0,0.001,0,2e-05,3,0"
    for k in 700 2700 4700 6700 8700; do
        echo "a0,0.$k,2,$(awk -v k=$k 'BEGIN { printf "%.6f", 0.05 + 1e-5 * k }'),$k,10"
    done
} >"$TMP/gb/gc.csv"
run 0 "calibrate a bundle with gc.csv" "$SIM" calibrate "$TMP/gb" -o "$TMP/gc.yaml" --no-store --report
contains "$TMP/out" "full collections (5 in 1 runs)" "calibrate reports the collections"
contains "$TMP/out" "a check every 2000 submits" "calibrate fits the check period"
contains "$TMP/gc.yaml" "full_check_tasks: 2000" "the model has the collector"
run 0 "the model with a collector runs" "$SIM" run --model "$TMP/gc.yaml" --workload double \
    --size 5000 --executor threads --workers 4 --format json --no-db
[ "$(json_count "$TMP/out" '.gc_full_collections >= 2 and .gc_busy_s > 0.1')" -eq 1 ] && ok || bad "collections in a 5000-task run"
printf 'run_id,t_s,generation,duration_s,tasks_submitted,collected\na0,0.1,2,-1,700,0\n' >"$TMP/gb/gc.csv"
echo "kept" >"$TMP/keep.yaml"
run 1 "calibrate with a bad gc.csv" "$SIM" calibrate "$TMP/gb" -o "$TMP/keep.yaml" --no-store
contains "$TMP/err" "gb/gc.csv:2:10: '-1' is not a number >= 0 (column duration_s)" "bad gc.csv names file, line and column"
[ "$(cat "$TMP/keep.yaml")" = kept ] && ok || bad "a failed calibrate touched the model file"

# --- the what-if from logging-on runs alone ---------------------------------
# Four logging-on calibration configurations (two factors move): the report
# gives the submit side's profile interval and the speedups at its ends.
mkdir -p "$TMP/ob"
cp "$TMP/gb/manifest.json" "$TMP/gb/micro.json" "$TMP/ob/"
cat >"$TMP/ob/runs.csv" <<'EOF2'
run_id,workload,size,tasks,executor,workers_requested,workers_started,logging,rep,role,profile,monitoring,status,makespan_s
a0,double,100,100,threads,4,4,on,0,calibration,0,0,ok,0.08
a1,double,300,300,threads,4,4,on,0,calibration,0,0,ok,0.25
a2,increment,101,100,threads,4,4,on,0,calibration,0,0,ok,0.09
a3,double,100,100,htex,2,2,on,0,calibration,0,0,ok,0.12
a4,double,100,100,threads,4,4,off,0,calibration,0,0,ok,0.01
EOF2
run 0 "calibrate on logging-on runs alone" "$SIM" calibrate "$TMP/ob" --logging-on-only \
    -o "$TMP/on.yaml" --no-store --report
contains "$TMP/out" "logging-off what-if from logging-on runs alone: the submit side's scale" "the what-if's profile"
contains "$TMP/out" "95% profile interval" "the what-if's interval"
[ "$(grep -cE '^(double|increment) +[0-9]+ (threads|htex) +[0-9]+( +[0-9.]+){6}$' "$TMP/out")" -eq 4 ] \
    && ok || bad "a speedup row per logging-on configuration"
run 0 "calibrate with the interval's ends" "$SIM" calibrate "$TMP/ob" --logging-on-only \
    --ends "$TMP/ends" -o "$TMP/on2.yaml" --no-store
[ -s "$TMP/ends.most.yaml" ] && [ -s "$TMP/ends.least.yaml" ] && ok || bad "--ends writes both models"
contains "$TMP/ends.most.yaml" "most-speedup end" "an end's provenance says which"
run 0 "an end model runs" "$SIM" run --model "$TMP/ends.least.yaml" --workload double --size 100 \
    --executor threads --workers 4 --no-db
run 2 "--ends without --logging-on-only" "$SIM" calibrate "$TMP/ob" --ends "$TMP/e2" -o "$TMP/x.yaml" --no-store
[ ! -e "$TMP/x.yaml" ] && [ ! -e "$TMP/e2.most.yaml" ] && ok || bad "misuse wrote nothing"
run 0 "calibrate with one logging-off configuration" "$SIM" calibrate "$TMP/ob" \
    --logging-off-from double:100:threads -o "$TMP/one.yaml" --no-store
contains "$TMP/one.yaml" "logging-off runs of double:100:threads only" "the model says which"
echo "kept" >"$TMP/keep.yaml"
run 1 "--logging-off-from a configuration without logging-off runs" "$SIM" calibrate "$TMP/ob" \
    --logging-off-from double:300:threads -o "$TMP/keep.yaml" --no-store
contains "$TMP/err" "no calibration run of that configuration has logging off" "names the reason"
[ "$(cat "$TMP/keep.yaml")" = kept ] && ok || bad "a failed calibrate touched the model file"
run 2 "--logging-off-from not a configuration" "$SIM" calibrate "$TMP/ob" \
    --logging-off-from double:100 -o "$TMP/x.yaml" --no-store
run 0 "calibrate with the logging-off run" "$SIM" calibrate "$TMP/ob" -o "$TMP/full.yaml" --no-store --report
! grep -q "profile interval" "$TMP/out" && ok || bad "no profile when a logging-off run is fitted"

echo "integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
