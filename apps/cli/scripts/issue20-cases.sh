#!/usr/bin/env bash
# Runs every command-line case of issue 20 ("reliability and security") and prints, for each: the
# case, the exit code, the seconds it took and the first line printed (stderr, else stdout).
# Exit 124 means the case was stopped by its time limit (a hang). Run after `pnpm build`:
#
#   bash apps/cli/scripts/issue20-cases.sh            # all cases (a few minutes)
#   EMMS="node apps/cli/dist/bin.js" bash apps/cli/scripts/issue20-cases.sh
#
# Needs python3 with numpy (fixtures) and redis-server (the queue cases; skipped, saying so,
# when it is missing). Everything is written under one temporary folder, removed at the end;
# the Redis server and workers it starts are stopped by their process ids.
set -u
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
EMMS="${EMMS:-node $ROOT/apps/cli/dist/bin.js}"
T="$(mktemp -d "${TMPDIR:-/tmp}/emms-issue20-XXXXXX")"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$T"
}
trap cleanup EXIT
export EMMS_LINALG="${EMMS_LINALG:-js}"
N=0

# first_line FILE...: the first non-empty line of the first file that has one
first_line() {
  for f in "$@"; do
    local l
    l="$(grep -m1 -v '^[[:space:]]*$' "$f" 2>/dev/null)"
    if [ -n "$l" ]; then printf '%s' "${l:0:220}"; return; fi
  done
  printf '(nothing printed)'
}

# says FILE: the first "emms: …" line (the message, when progress lines came first)
says() {
  local l
  l="$(grep -m1 '^emms: ' "$1" 2>/dev/null)"
  printf '%s' "${l:0:220}"
}

# now: a clock in milliseconds; since START_MS: seconds since then, one decimal
now() { echo $(($(date +%s%N) / 1000000)); }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", (b - a) / 1000 }'; }

# show NAME CODE SECONDS [NOTE]: one line of the list
show() {
  N=$((N + 1))
  local first msg
  first="$(first_line "$T/err" "$T/out")"
  msg="$(says "$T/err")"
  printf '%2d  %s\n    exit %s, %ss: %s%s\n' "$N" "$1" "$2" "$3" "$first" "${4:+ [$4]}"
  if [ -n "$msg" ] && [ "${msg:0:120}" != "${first:0:120}" ]; then printf '    says: %s\n' "$msg"; fi
}

# case NAME LIMIT CMD...: runs CMD (words, in $T/work) with a time limit
case_() {
  local name="$1" limit="$2"
  shift 2
  local start code
  start=$(now)
  (cd "$T/work" && timeout -k 5 "$limit" "$@" >"$T/out" 2>"$T/err" </dev/null)
  code=$?
  show "$name" "$code" "$(since "$start")" "${NOTE:-}"
  NOTE=""
}

# skip NAME WHY
skip() {
  N=$((N + 1))
  printf '%2d  %s\n    skipped: %s\n' "$N" "$1" "$2"
}

mkdir -p "$T/work"
cd "$T/work" || exit 1

# ---- fixtures ------------------------------------------------------------------------------
python3 - "$T/work" <<'PY'
import json, os, sys
import numpy as np
os.chdir(sys.argv[1])
r = np.random.RandomState(0)
y = np.arange(60) % 3
np.save("y.npy", y)
np.save("X.npy", (r.randn(60, 8) + y[:, None]).astype(np.float32))
np.savetxt("y_savetxt.txt", y)                       # 0.000000000000000000e+00 …
np.savetxt("y_half.txt", y / 2)                      # 0.5 is not a class index
x = r.randn(60, 8); x[3, 2] = 1e300; np.save("X_1e300.npy", x)
x = r.randn(60, 8); x[3, 2] = np.nan; np.save("X_nan.npy", x)
for d, names in [("feats", ["a", "b", "c"]), ("feats_nan", ["a", "b"])]:
    os.makedirs(d, exist_ok=True)
    np.save(f"{d}/labels.npy", y)
    for k, m in enumerate(names):
        np.save(f"{d}/{m}.npy", (r.randn(60, 5) + (k + 1) * y[:, None]).astype(np.float32))
f = np.load("feats_nan/a.npy"); f[0, 0] = np.nan; np.save("feats_nan/a.npy", f)
# report cases: model names that are a markdown link and a spreadsheet formula
LINK_NAMES = ["[click](javascript:alert(1))", "=HYPERLINK(\"http:evil\",\"x\")", "plain"]
os.makedirs("feats_names", exist_ok=True)
np.save("feats_names/labels.npy", y)
for k, m in enumerate(LINK_NAMES):
    np.save(f"feats_names/{m}.npy", (r.randn(60, 5) + (k + 1) * y[:, None]).astype(np.float32))
json.dump({"__proto__": 0.9, "a": 0.1, "b": 0.5, "c": 0.7}, open("scores_proto.json", "w"))
json.dump({"__proto__": 0.8, "a": 0.2, "b": 0.4, "c": 0.6}, open("truth_proto.json", "w"))
truth = {"t": {"a": 0.5, "b": 0.7, "c": 0.9}}
json.dump(truth, open("truth.json", "w"))
task = {"id": "t", "featuresDir": "feats", "labels": "feats/labels.npy"}
json.dump({"tasks": [task], "scores": ["leep"], "groundTruth": {"table": "truth.json"}, "out": "out-none", "cache": False}, open("spec_nothing.json", "w"))
json.dump({"tasks": [task], "scores": ["logme"], "groundTruth": {"table": "truth.json"}, "out": "out-spec", "cache": False}, open("spec.json", "w"))
names = {"t": dict(zip(LINK_NAMES, [0.5, 0.7, 0.9]))}
json.dump(names, open("truth_names.json", "w"))
json.dump({"tasks": [{"id": "t", "featuresDir": "feats_names", "labels": "feats_names/labels.npy"}], "scores": ["logme", "hscore"],
           "groundTruth": {"table": "truth_names.json"}, "out": "out-names", "cache": False}, open("spec_names.json", "w"))
PY
mkfifo fifo.npy
echo x > a-file

echo "emms issue 20: each case, its exit code and the first line printed ($(date -u +%FT%TZ), $(uptime | sed 's/.*load/load/'))"
echo

# ---- secrets -------------------------------------------------------------------------------
REDIS_PORT=""
if command -v redis-server >/dev/null; then
  REDIS_PORT=$((20000 + RANDOM % 20000))
  redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --requirepass right --save '' --appendonly no \
    --dir "$T" >"$T/redis.log" 2>&1 &
  PIDS+=($!)
  OPEN_PORT=$((REDIS_PORT + 1))
  redis-server --port "$OPEN_PORT" --bind 127.0.0.1 --save '' --appendonly no --dir "$T" >"$T/redis2.log" 2>&1 &
  PIDS+=($!)
  sleep 1
fi
TINY=(--models pixels,ppocr-cls,ppocr-rec --train-per-class 2 --test-per-class 1 --no-cache --out "$T/work/out-q")
if [ -n "$REDIS_PORT" ]; then
  case_ "bench --queue redis://user:WRONG@127.0.0.1 (Redis refuses the password)" 60 \
    $EMMS bench --queue "redis://user:WRONG@127.0.0.1:$REDIS_PORT" "${TINY[@]}"
  printf '    the password appears %s time(s) in the output\n' "$(cat "$T/out" "$T/err" | grep -o WRONG | wc -l)"
  case_ "bench --queue with EMMS_REDIS_PASSWORD=WRONG" 60 \
    env EMMS_REDIS_PASSWORD=WRONG $EMMS bench --queue "redis://127.0.0.1:$REDIS_PORT" "${TINY[@]}"
  printf '    the password appears %s time(s) in the output\n' "$(cat "$T/out" "$T/err" | grep -o WRONG | wc -l)"
else
  skip "bench --queue with a wrong Redis password (URL and EMMS_REDIS_PASSWORD)" "redis-server is not installed"
fi

# ---- silent wrong answers ------------------------------------------------------------------
case_ "rank: one model's features hold a NaN" 120 $EMMS rank --features-dir feats_nan --labels feats_nan/labels.npy
case_ "agreement: a model named __proto__" 60 $EMMS agreement --scores scores_proto.json --truth truth_proto.json --format json
printf '    models counted: %s\n' "$($EMMS agreement --scores scores_proto.json --truth truth_proto.json 2>/dev/null | grep models)"
case_ "bench: nothing can be scored (leep without probabilities)" 120 $EMMS bench --spec spec_nothing.json
case_ "rank: every score fails (leep without probabilities)" 120 $EMMS rank --features-dir feats --labels feats/labels.npy --metrics leep
case_ "bench --spec with --models" 60 $EMMS bench --spec spec.json --models pixels
case_ "bench --spec with --train-per-class" 60 $EMMS bench --spec spec.json --train-per-class 5
case_ "score --labels with --targets" 60 $EMMS score --features X.npy --labels y.npy --targets X.npy --metrics logme
case_ "EMMS_OPENBLAS_LIB names a missing library" 60 \
  env -u EMMS_LINALG EMMS_OPENBLAS_LIB=/nonexistent/libopenblas.so $EMMS score --features X.npy --labels y.npy --metrics logme

# ---- hangs ---------------------------------------------------------------------------------
# worker_case NAME URL: starts a worker, sends SIGTERM after 3 s, reports how it ended
worker_case() {
  local start code
  start=$(now)
  (cd "$T/work" && exec $EMMS worker --queue "$2" --store "$T/store" >"$T/out" 2>"$T/err" </dev/null) &
  local pid=$!
  PIDS+=($pid)
  sleep 8
  kill -TERM "$pid" 2>/dev/null
  for _ in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null
    NOTE="still running 10 s after SIGTERM: killed"
  fi
  wait "$pid" 2>/dev/null
  code=$?
  show "$1" "$code" "$(since "$start")" "${NOTE:-stopped after SIGTERM}"
  NOTE=""
}
worker_case "worker: Redis unreachable, SIGTERM after 8 s" "redis://127.0.0.1:1"
if [ -n "$REDIS_PORT" ]; then
  worker_case "worker: Redis refuses the password, SIGTERM after 8 s" "redis://:WRONG@127.0.0.1:$REDIS_PORT"
  printf '    the password appears %s time(s) in the output\n' "$(cat "$T/out" "$T/err" | grep -o WRONG | wc -l)"
else
  skip "worker: Redis refuses the password" "redis-server is not installed"
fi
case_ "bench --queue with Redis down" 60 $EMMS bench --queue "redis://127.0.0.1:1" "${TINY[@]}"
case_ "bench --out /proc/x" 60 $EMMS bench --models pixels,ppocr-cls --train-per-class 2 --test-per-class 1 --no-cache --out /proc/x
case_ "rank --cache /proc/x" 30 $EMMS rank --features-dir feats --labels feats/labels.npy --metrics logme --cache /proc/x
case_ "score --features FIFO.npy" 30 $EMMS score --features fifo.npy --labels y.npy --metrics logme
case_ "inspect FIFO.npy" 30 $EMMS inspect fifo.npy

# ---- memory --------------------------------------------------------------------------------
python3 -c "
import numpy as np
z = np.zeros((250_000_000,), np.float32)
np.savez_compressed('bomb.npz', a0=z, a1=z, a2=z)
"
echo "    (bomb.npz: $(stat -c %s bomb.npz) bytes, three entries of 1,000,000,128 bytes inflated)"
NOTE="$(/usr/bin/time -f '%e s, peak RSS %M KB' $EMMS inspect bomb.npz 2>&1 >/dev/null | tail -1)"
case_ "inspect bomb.npz (2.9 MB, 3 × 1 GB inflated)" 120 $EMMS inspect bomb.npz
NOTE="$(/usr/bin/time -f '%e s, peak RSS %M KB' $EMMS score --features bomb.npz:a0 --labels y.npy --metrics logme 2>&1 >/dev/null | tail -1)"
case_ "score --features bomb.npz:a0 (one entry of three)" 120 $EMMS score --features bomb.npz:a0 --labels y.npy --metrics logme
rm -f bomb.npz

# ---- messages that mislead -----------------------------------------------------------------
case_ "rank --cache <a file>" 60 $EMMS rank --features-dir feats --labels feats/labels.npy --metrics logme --cache a-file
case_ "bench --cache <a file>" 120 $EMMS bench --models pixels,ppocr-cls --train-per-class 2 --test-per-class 1 --cache a-file --out "$T/work/out-c"
start=$(now)
(cd "$T/work" && $EMMS score --features X.npy --labels y.npy --metrics logme >/dev/full 2>"$T/err")
code=$?
: >"$T/out"
show "score … > /dev/full (stdout on a full disk)" "$code" "$(since "$start")"
start=$(now)
(cd "$T/work" && $EMMS score --features X.npy --labels y.npy --metrics logme 2>"$T/err" | head -c0; exit "${PIPESTATUS[0]}")
code=$?
show "score … | head -c0 (stdout closed)" "$code" "$(since "$start")"
case_ "score --preset rank on features holding 1e300" 60 $EMMS score --features X_1e300.npy --labels y.npy --metrics logme,emms --preset rank
case_ "score --preset rank on features holding NaN" 60 $EMMS score --features X_nan.npy --labels y.npy --metrics logme,emms --preset rank
case_ "rank --preset rank with a model holding NaN" 120 $EMMS rank --features-dir feats_nan --labels feats_nan/labels.npy --metrics logme,emms
case_ "labels written by np.savetxt" 60 $EMMS score --features X.npy --labels y_savetxt.txt --metrics logme
case_ "labels 0.5 written by np.savetxt (still refused)" 60 $EMMS score --features X.npy --labels y_half.txt --metrics logme
case_ "score --features --labels y (a flag where a value belongs)" 60 $EMMS score --features --labels y.npy --metrics logme
case_ "bench --train-per-class -1" 60 $EMMS bench --train-per-class -1
case_ "score --features <a folder>" 60 $EMMS score --features feats --labels y.npy --metrics logme
if [ -n "$REDIS_PORT" ]; then
  (cd "$T/work" && exec $EMMS worker --queue "redis://127.0.0.1:$OPEN_PORT" --store "$T/store2" --allow-path "$T/elsewhere" \
    >"$T/worker.out" 2>"$T/worker.err" </dev/null) &
  PIDS+=($!)
  case_ "bench --queue: a job outside the worker's --allow-path" 90 \
    $EMMS bench --queue "redis://127.0.0.1:$OPEN_PORT" --store "$T/store2" --spec spec.json
else
  skip "bench --queue: a job outside --allow-path" "redis-server is not installed"
fi
skip "library calls with null inputs" "a library case (createScorer/score with null), not reachable from the command line"

# ---- reports -------------------------------------------------------------------------------
case_ "bench: model names that are a javascript: link and a =HYPERLINK formula" 120 $EMMS bench --spec spec_names.json
md="$(grep -cE '[^\\]\]\(javascript:' out-names/report.md 2>/dev/null)"
# a cell opening with = + @, or with - not followed by a number (negative numbers are fine)
csv="$(grep -cE '(^|,)"?([=+@]|-[^0-9.])' out-names/report.csv 2>/dev/null)"
printf '    lines of report.md with a live javascript: link: %s; of report.csv with a cell starting with =: %s\n' \
  "${md:-no report}" "${csv:-no report}"

# ---- side effects --------------------------------------------------------------------------
mkdir -p "$T/home"
touch "$T/marker"
before=$(ls /tmp/mat-debug-*.log 2>/dev/null | wc -l)
case_ "extract (HOME=$T/home): writes outside --out?" 300 \
  env HOME="$T/home" $EMMS extract --dataset mnist --split test --limit 2 --model ppocr-cls --out "$T/work/extracted"
printf '    files written under HOME: %s; new /tmp/mat-debug-*.log files: %s\n' \
  "$(cd "$T/home" && find . -type f | head -3 | tr '\n' ' ')" "$(($(ls /tmp/mat-debug-*.log 2>/dev/null | wc -l) - before))"

# ---- late errors ---------------------------------------------------------------------------
# default sizes (40 + 20 per class): the error should come before any extraction, not after it
case_ "bench --models ppocr-rec,ppocr-cls,nope,pixels (an unknown model)" 300 $EMMS bench --models ppocr-rec,ppocr-cls,nope,pixels --no-cache --out "$T/work/out-late"
case_ "bench --models pixels (a task with one model)" 300 $EMMS bench --models pixels --no-cache --out "$T/work/out-late"
