#!/usr/bin/env bash
# The whole suite, N times in a row, from a fresh clone, while two CPU-bound processes keep both cores busy.
#
#   scripts/stress_suite.sh [RUNS=3] [REPO=the checkout this script is in]
#
# Clones REPO (its committed HEAD) into a scratch directory beside a `shared` link to ../shared (the datasets
# CI has), then runs `CI=true bash .ci/run` RUNS times. Exits non-zero at the first failing run; logs stay in
# the scratch directory, whose path is printed.
set -euo pipefail
runs=${1:-3}
repo=$(cd "${2:-$(dirname "$0")/..}" && pwd)
scratch=$(mktemp -d)
[ -d "$repo/../shared" ] && ln -s "$(cd "$repo/../shared" && pwd)" "$scratch/shared"
git clone -q "$repo" "$scratch/repo"
echo "stress: $runs runs in $scratch/repo with 2 CPU burners"

burners=()
cleanup() { kill "${burners[@]}" 2>/dev/null || true; }
trap cleanup EXIT
for _ in 1 2; do
  (while :; do :; done) &
  burners+=($!)
done

for i in $(seq 1 "$runs"); do
  start=$(date +%s)
  if (cd "$scratch/repo" && CI=true bash .ci/run) >"$scratch/run$i.log" 2>&1; then
    status=passed
  else
    status=FAILED
  fi
  summary=$(grep -E '^=+ .*(passed|failed|error).* =+$' "$scratch/run$i.log" | tail -1)
  echo "run $i: $status in $(( $(date +%s) - start )) s: $summary"
  [ "$status" = passed ] || { echo "log: $scratch/run$i.log"; exit 1; }
done
echo "stress: all $runs runs passed"
