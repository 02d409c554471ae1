#!/usr/bin/env bash
# Regenerates bench/RESULTS.md and bench/latency.png: per-command-type latency
# of memhook against GNU bash + coreutils (tmpfs and disk) and the just-bash
# CLI, on generated memory trees. Installs what it needs (build deps, gnuplot,
# just-bash into a cache dir), builds, and keeps trees and DBs out of the repo
# (under $TMPDIR or /tmp, and /dev/shm), removed at the end.
#
#   bash bench/run.sh [--sizes 1000,10000,100000] [--runs N] [--jb-runs N]
#                     [--no-just-bash] [--build-dir DIR] [--out FILE] [--plot FILE]
#                     [other memhook_bench options, e.g. --keep --seed S,
#                      --appends N --append-runs N for the session-log series]
#   bash bench/run.sh --smoke --memhook BIN --bench BIN --floor BIN --out FILE
#
# --smoke (the ctest `bench_smoke`): a 50-file tree, one run, 100 appends in
# the session-log series, no just-bash, no plot, no network; fails unless the
# report has a row for every command type.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")

sizes=1000,10000,100000
runs=5
jb_runs=2
use_jb=1
smoke=0
build_dir="$repo/build"
out="$here/RESULTS.md"
plot="$here/latency.png"
memhook="" bench="" floor=""
extra=()
while (($#)); do
  case "$1" in
    --sizes) sizes=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --jb-runs) jb_runs=$2; shift 2 ;;
    --no-just-bash) use_jb=0; shift ;;
    --build-dir) build_dir=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --plot) plot=$2; shift 2 ;;
    --smoke) smoke=1; shift ;;
    --memhook) memhook=$2; shift 2 ;;
    --bench) bench=$2; shift 2 ;;
    --floor) floor=$2; shift 2 ;;
    *) extra+=("$1"); shift ;;
  esac
done

tmpfs=/dev/shm
[ -d "$tmpfs" ] && [ -w "$tmpfs" ] || tmpfs=${TMPDIR:-/tmp}

if ((smoke)); then
  [ -n "$memhook" ] && [ -n "$bench" ] && [ -n "$floor" ] || {
    echo "bench/run.sh: --smoke needs --memhook, --bench and --floor" >&2
    exit 2
  }
  mkdir -p "$(dirname "$out")"
  rm -f "$out"
  "$bench" --memhook "$memhook" --floor "$floor" --out "$out" --sizes 50 --runs 1 \
    --pass-reps 2 --appends 100 --tmpfs "$tmpfs" "${extra[@]}"
  # Every command type has its row in the latency table, and the targets are stated.
  section=$(sed -n '/^## Latency at 50 files/,/^## /p' "$out")
  missing=0
  while IFS= read -r type; do
    if ! grep -qF "| $type | " <<<"$section"; then
      echo "bench_smoke: no row for '$type' in $out" >&2
      missing=1
    fi
  done < <("$bench" --list-types)
  grep -q '^## Targets' "$out" || { echo "bench_smoke: no targets in $out" >&2; missing=1; }
  ((missing == 0)) && echo "bench_smoke: report has every command type"
  exit "$missing"
fi

cd "$repo"
bash .ci/install-deps
if ! command -v gnuplot >/dev/null 2>&1; then
  echo "bench: installing gnuplot-nox" >&2
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gnuplot-nox
fi

cmake -S . -B "$build_dir" >/dev/null
cmake --build "$build_dir" -j"$(nproc 2>/dev/null || echo 2)" \
  --target memhook memhook-front memhook_bench memhook_bench_floor memhook_bench_rss memhook_bench_gen >/dev/null
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$build_dir/CMakeCache.txt")

jb_args=()
if ((use_jb)); then
  cache=${MEMHOOK_BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/memhook-bench}/just-bash-3.4.2
  jb="$cache/node_modules/.bin/just-bash"
  if [ ! -x "$jb" ]; then
    echo "bench: installing just-bash@3.4.2 into $cache" >&2
    mkdir -p "$cache"
    [ -f "$cache/package.json" ] || echo '{"private":true}' >"$cache/package.json"
    (cd "$cache" && npm install --ignore-scripts --no-audit --no-fund just-bash@3.4.2 >&2)
  fi
  # The CLI's --version prints its own number: check the package's.
  version=$(node -p "require('$cache/node_modules/just-bash/package.json').version")
  [ "$version" = 3.4.2 ] || { echo "bench: just-bash is $version, expected 3.4.2" >&2; exit 1; }
  jb_args=(--just-bash "$jb" --jb-runs "$jb_runs")
fi

label="memhook $(git -C "$repo" describe --always --dirty 2>/dev/null || echo unknown), ${build_type:-default} build"
exec "$build_dir/bench/memhook_bench" \
  --memhook "$build_dir/interceptor/memhook" --front "$build_dir/interceptor/memhook-front" --floor "$build_dir/bench/memhook_bench_floor" \
  --rss "$build_dir/bench/memhook_bench_rss" \
  --out "$out" --plot "$plot" --sizes "$sizes" --runs "$runs" --tmpfs "$tmpfs" \
  --label "$label" "${jb_args[@]}" "${extra[@]}"
