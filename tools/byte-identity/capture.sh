#!/usr/bin/env bash
# Capture everything the CLI and the web page produce on the FSI example (and the
# small SONATA fixture, a cell, a scenario) into OUTDIR, so that two builds can be
# compared byte for byte: `diff -r A B`. Wall-clock fields (`elapsed_ms`) and the
# served port are the only things removed.
#
# Usage: tools/byte-identity/capture.sh SYNAPTUNE_BINARY OUTDIR
# Run from the repository root. Needs curl and python3.
set -euo pipefail
BIN=$(realpath "$1")
OUT=$(realpath -m "$2")
rm -rf "$OUT"; mkdir -p "$OUT"
S=examples/fsi/settings.json
G=examples/fsi/gap.json
C=tests/fixtures/sonata/basic/config.json
n=0
run() { # name, then the command's arguments; stdout, stderr (timings removed) and status kept
    local name=$1; shift
    set +e
    "$BIN" "$@" >"$OUT/$name.out" 2>"$OUT/$name.err.raw"
    echo $? >"$OUT/$name.status"
    set -e
    # stderr lines with wall-clock times vary from run to run
    grep -v -E '^\(([0-9.]+ (ms|s))\)$' "$OUT/$name.err.raw" | sed -E 's/[0-9]+(\.[0-9]+)? (ms|s)\b/T/g' >"$OUT/$name.err" || true
    rm "$OUT/$name.err.raw"
    n=$((n+1))
}
cd "$(dirname "$0")/../.."
for conv in default bmtool; do
  for conn in Dep2FSI Fac2FSI; do
    for vc in --vclamp --no-vclamp; do
      k="$conv-$conn$vc"
      run "single-$k" single-event --settings $S --connection $conn --compat $conv $vc --json --traces "$OUT/single-$k.csv" --plot "$OUT/single-$k.svg"
      run "train-$k" train --settings $S --connection $conn --compat $conv $vc --json --traces "$OUT/train-$k.csv" --plot "$OUT/train-$k.svg" --record record_use
      run "trainpng-$k" train --settings $S --connection $conn --compat $conv $vc --plot "$OUT/train-$k.png"
      run "train-text-$k" train --settings $S --connection $conn --compat $conv $vc --freq 20 --delay 500
      run "single-text-$k" single-event --settings $S --connection $conn --compat $conv $vc
    done
    run "cont-$conv-$conn" continuous --settings $S --connection $conn --compat $conv --freq 20 --duration 500 --json --traces "$OUT/cont-$conv-$conn.csv" --plot "$OUT/cont-$conv-$conn.svg"
    run "cont-text-$conv-$conn" continuous --settings $S --connection $conn --compat $conv --freq 20 --duration 500
    run "fr-$conv-$conn" freq-response --settings $S --connection $conn --compat $conv --json --plot "$OUT/fr-$conv-$conn.svg"
    run "fr-text-$conv-$conn" freq-response --settings $S --connection $conn --compat $conv --freqs 5,50
  done
  run "table-$conv" table --settings $S --compat $conv --json --csv "$OUT/table-$conv.csv"
  run "table-text-$conv" table --settings $S --compat $conv
done
run set single-event --settings $S --connection Dep2FSI --set Use=0.5 --set Dep=100 --json
run optimize optimize --settings $S --connection Dep2FSI --target induction=-0.6 --target ppr=0.8 --weight ppr=3 --bound Dep=0:800 --bound Fac=0:100 --bound Use=0.1:1 --json --plot "$OUT/opt.svg"
run optimize-bm optimize --settings $S --connection Dep2FSI --compat bmtool --target induction=-0.3 --bound Use=0.1:1 --method gradient --json
run optimize-nm optimize --settings $S --connection Fac2FSI --target ppr=1.2 --bound Fac=0:300 --method nelder-mead --max-evaluations 30 --json
run optimize-pso optimize --settings $S --connection Fac2FSI --target ppr=1.2 --bound Fac=0:300 --method pso --max-evaluations 40 --json
run optimize-text optimize --settings $S --connection Dep2FSI --target induction=-0.6 --bound Use=0.1:1
run gap gap --settings $G --g 0.001 --json
run gap-text gap --settings $G --g 0.001
run gap-implicit gap --settings $G --g 0.001 --implicit --json
run gap-opt gap-optimize --settings $G --target-cc 0.37 --bounds 1e-4:1e-2 --json --plot "$OUT/gapopt.svg"
run gap-opt-text gap-optimize --settings $G --target-cc 0.37 --bounds 1e-4:1e-2
run gap-sweep gap-sweep --settings $G --g 1e-4:1e-2 --n 8 --log --json --plot "$OUT/sweep.svg"
run gap-sweep-text gap-sweep --settings $G --g 1e-4:1e-2 --n 8
run networks networks --config $C --json
run networks-text networks --config $C
run connections connections --config $C --json
run connections-full connections --config $C --full
run connections-text connections --config $C
run connections-settings connections --settings $S --json
run connections-settings-full connections --settings $S --full
run mechanisms mechanisms --json
run mechanisms-text mechanisms
run simulate simulate --cell tests/fixtures/cells/hh_soma.json --iclamp 'soma[0]:0.5:5:50:0.3' --tstop 60 --record 'soma[0]:0.5:v' --record 'soma[0]:0.5:m_hh' --record 'soma[0]:0.5:ina' --csv "$OUT/simulate.csv"
run simulate-json simulate --cell tests/fixtures/cells/hh_soma.json --iclamp 'soma[0]:0.5:5:50:0.3' --tstop 20 --json
for sc in tests/fixtures/scenarios/*.json; do
  b=$(basename "$sc" .json)
  run "scenario-$b" scenario "$sc" --csv "$OUT/scenario-$b.csv"
  run "scenario-json-$b" scenario "$sc" --json
done
# bad input: messages and exit codes
run bad-freq train --settings $S --freq -1
run bad-conn train --settings $S --connection Nope
run bad-set train --settings $S --set Use=abc
run bad-param train --settings $S --set Nope=1
run bad-settings train --settings /nonexistent.json
run bad-cell simulate --cell /nonexistent.json
run bad-iclamp simulate --cell tests/fixtures/cells/hh_soma.json --iclamp 'soma[0]:2:5:50:0.3'
run no-model train
run demo demo --out "$OUT/demo"
# the page and its API
"$BIN" serve --settings $S --port 0 2>"$OUT/serve.log" &
PID=$!
trap 'kill $PID 2>/dev/null || true' EXIT
for i in $(seq 100); do
  URL=$(grep -o 'http://127.0.0.1:[0-9]*/' "$OUT/serve.log" || true)
  [ -n "$URL" ] && break
  sleep 0.1
done
api() { # name method path [body]
  local name=$1 method=$2 path=$3 body=${4:-}
  if [ "$method" = GET ]; then
    curl -s -w '\n%{http_code}\n' "${URL}${path#/}" >"$OUT/api-$name.raw"
  else
    curl -s -w '\n%{http_code}\n' -X POST -H 'content-type: application/json' --data "$body" "${URL}${path#/}" >"$OUT/api-$name.raw"
  fi
  python3 - "$OUT/api-$name.raw" "$OUT/api-$name.json" <<'PY'
import json, sys, re
raw = open(sys.argv[1]).read().rstrip("\n")
body, code = raw.rsplit("\n", 1)
try:
    v = json.loads(body)
    def strip(x):
        if isinstance(x, dict):
            return {k: strip(y) for k, y in x.items() if k != "elapsed_ms"}
        if isinstance(x, list):
            return [strip(y) for y in x]
        return x
    body = json.dumps(strip(v), indent=1, sort_keys=False)
except Exception:
    pass
open(sys.argv[2], "w").write(code + "\n" + body + "\n")
PY
  rm "$OUT/api-$name.raw"
}
api index GET /
api appjs GET /app.js
api plotjs GET /plot.js
api css GET /style.css
api health GET /api/health
api model GET /api/model
api train POST /api/train '{"freq": 50, "delay": 250}'
api train-dep POST /api/train '{"connection": "Dep2FSI", "freq": 20, "delay": 500, "vclamp": true, "vclamp_amp": -60}'
api train-params POST /api/train '{"connection": "Fac2FSI", "params": {"Use": 0.2}}'
api single POST /api/single-event '{"connection": "Dep2FSI"}'
api single-cc POST /api/single-event '{"connection": "Dep2FSI", "vclamp": false}'
api cont POST /api/continuous '{"freq": 20, "duration": 300}'
api fr POST /api/freq-response '{"freqs": [5, 50], "delay": 250}'
api gap POST /api/gap '{"g": 0.002}'
api params POST /api/params '{"connection": "Fac2FSI"}'
api dyn GET '/api/export/dynamics?connection=Dep2FSI'
api settings GET /api/export/settings
api bad-freq POST /api/train '{"freq": -5}'
api bad-key POST /api/train '{"frq": 5}'
api bad-conn POST /api/train '{"connection": "Nope"}'
api bad-json POST /api/train '{'
kill $PID; wait $PID 2>/dev/null || true
sed -i -E 's#http://127.0.0.1:[0-9]+/#URL#' "$OUT/serve.log"
# wall-clock figures and the output folder's own name vary between runs
python3 - "$OUT" <<'PY'
import os, re, sys
out = sys.argv[1]
for d, _, files in os.walk(out):
    for f in files:
        p = os.path.join(d, f)
        if f.endswith((".png",)):
            continue
        try:
            s = open(p, encoding="utf-8").read()
        except UnicodeDecodeError:
            continue
        t = s.replace(out, "OUTDIR")
        t = re.sub(r'"wall_time_s": \{[^}]*\}', '"wall_time_s": T', t, flags=re.S)
        t = re.sub(r'"wall_time_s": [-0-9.e+]+', '"wall_time_s": T', t)
        t = re.sub(r'\b[0-9]+\.[0-9]+ s\b', 'T s', t)
        if t != s:
            open(p, "w", encoding="utf-8").write(t)
PY
echo "captured $n commands and the API into $OUT"
