#!/usr/bin/env bash
# Every measurement of benchmarks/PROFILE.md, in order, into one log (~10 minutes on 2 cores).
#   bash benchmarks/profile/run_all.sh [LOG]        (from the repository, its venv active)
set -euo pipefail
cd "$(dirname "$0")/../.."
log="${1:-benchmarks/out/profile.log}"
mkdir -p benchmarks/out
work="$(mktemp -d /tmp/demands-profile.XXXXXX)"
trap 'rm -rf "$work"' EXIT
export XDG_CACHE_HOME="$work/cache" XDG_STATE_HOME="$work/state" COLUMNS=120
unset DEMANDS_NO_CACHE DEMANDS_FILE PYTHONDONTWRITEBYTECODE
p=benchmarks/profile
{
  echo "== $(date '+%F %T'), $(nproc) cores, load $(cut -d' ' -f1 /proc/loadavg), $(python -V)"
  python benchmarks/generate.py 10000 "$work/d10k.yaml" >/dev/null
  python benchmarks/generate.py 100000 "$work/d100k.yaml" >/dev/null
  cp "$work/d10k.yaml" "$work/mark.yaml"
  demands list -o ids -f "$work/d10k.yaml" >/dev/null
  demands list -o ids -f "$work/mark.yaml" >/dev/null
  entry="$work/entry.json"  # a copy: (d) empties the cache
  cp "$(ls -S "$XDG_CACHE_HOME"/tradedemands/*.demands-cache.json | head -1)" "$entry"

  echo "== (a) warm list --party us, table"
  python $p/fresh.py 5 $p/list_phases.py "$work/d10k.yaml"
  echo "-- the same, collector on"
  NOGC=0 python $p/fresh.py 5 $p/list_phases.py "$work/d10k.yaml"
  echo "-- inside Rich's console.print(table) (the fallback)"
  python $p/fresh.py 5 $p/rich_split.py "$work/d10k.yaml"
  python $p/rich_profile.py "$work/d10k.yaml" cprofile

  echo "== (b) warm mark"
  python $p/fresh.py 7 $p/mark_phases.py "$work/mark.yaml"

  echo "== (c) list after one item changed by other means"
  cp "$work/d10k.yaml" "$work/pull.yaml"
  demands list -o ids -f "$work/pull.yaml" >/dev/null
  python $p/fresh.py 3 $p/pull_phases.py "$work/pull.yaml" whole
  echo "-- the cyclic GC"
  python $p/fresh.py 3 $p/gc_cost.py parse "$work/d10k.yaml" on
  python $p/fresh.py 3 $p/gc_cost.py parse "$work/d10k.yaml" off
  python $p/fresh.py 7 $p/gc_cost.py cache "$entry" on
  python $p/fresh.py 7 $p/gc_cost.py cache "$entry" off

  echo "== (d) memory, 100,000 items"
  rm -rf "$XDG_CACHE_HOME"
  for argv in "list -o json" "list -o json" "list --party us" "mark US-7 rejected"; do
    python -c "
import os, sys; sys.path.insert(0, 'benchmarks'); from launch import Launcher
with Launcher() as launcher:
    r = launcher.run(['demands', *sys.argv[2].split(), '-f', sys.argv[1]], dict(os.environ))
print(f'demands {sys.argv[2]}: {r.seconds:.1f} s, peak RSS {r.peak_mb:,.0f} MB, exit {r.code}')
" "$work/d100k.yaml" "$argv"
  done
  rm -rf "$XDG_CACHE_HOME"
  python $p/memory.py "$work/d100k.yaml"
  python $p/weigh_data.py "$work/d10k.yaml" "$entry"
  echo "== done $(date '+%T'), load $(cut -d' ' -f1 /proc/loadavg)"
} 2>&1 | tee "$log"
