#!/usr/bin/env bash
# memhook's main job on the embedded default: install what is missing, build,
# import corpus/tree into a fresh database and replay every command variant of
# corpus/commands.txt through the real hook path, against real bash + GNU on
# an export of the same tree. Prints agreement and hook latency per command type.
set -euo pipefail
cd "$(dirname "$0")/.."
bash .ci/install-deps
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" >/dev/null
exec build/tests/corpus_replay --memhook build/interceptor/memhook --corpus corpus "$@"
