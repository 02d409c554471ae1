#!/bin/sh
# Summarise today's session logs: number of events per file.
set -eu
dir="${1:-$HOME/.memhook/memory/sessions}"
for f in "$dir"/*/*.jsonl; do
  printf '%s %s\n' "$(wc -l < "$f")" "$f"
done
