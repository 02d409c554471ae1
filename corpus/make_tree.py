#!/usr/bin/env python3
"""Regenerates corpus/tree, the agent memory tree used by corpus_replay.

The tree is committed as files; this script only documents how it was made
and lets it be rebuilt deterministically:  python3 corpus/make_tree.py
Odd bytes are deliberate (CRLF, missing final newline, empty files, unicode
names, a leading dash, a space); .gitattributes marks corpus/tree/** -text.
Files named .gitkeep are placeholders for empty directories: corpus_replay
drops them when it copies the tree.
"""
import json
import os
import random
import shutil
import uuid

HERE = os.path.dirname(os.path.abspath(__file__))
TREE = os.path.join(HERE, "tree")
RNG = random.Random(20261121)


def put(rel, data, mode=0o644):
    path = os.path.join(TREE, rel)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    with open(path, "wb") as f:
        f.write(data)
    os.chmod(path, mode)


def uid():
    return str(uuid.UUID(int=RNG.getrandbits(128), version=4))


def toolu():
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "toolu_01" + "".join(RNG.choice(alphabet) for _ in range(22))


MEMORY_MD = """# Memory

Long-lived facts for this workspace. Keep it short; details live in notes/.

## Project
- Repo: `payments-api` (Go 1.22 service + TypeScript admin UI in `web/`).
- Main branch is `main`; release branches are `release/2026.N`.
- CI runs `make check` (lint, unit tests, migrations dry-run).
- Staging deploys from `main` every night at 02:00 UTC.

## Conventions
- Error wrapping: `fmt.Errorf("op: %w", err)`, never `errors.New` with context.
- SQL lives in `internal/store/queries/*.sql`, generated with sqlc.
- Feature flags: `internal/flags`, default off, remove within two releases.
- Tests: table-driven, `t.Parallel()` unless they touch the shared DB.

## People
- Dana (tech lead) reviews anything under `internal/ledger/`.
- Priya owns the admin UI; ping her before changing `web/src/api/`.
- On-call rotation is in PagerDuty, schedule "payments-primary".

## Gotchas
- `make migrate` needs `DATABASE_URL`; the `.env.example` one is wrong.
- The ledger tests are flaky under `-race` on ARM; rerun once before digging.
- Never run `go mod tidy` on release branches (pins break).
- Time zones: all timestamps are UTC in the DB, rendered local in the UI.

## Open threads
1. Idempotency keys for refunds (see notes/todo.md).
2. Migrate cron jobs to the scheduler service (see project.md).
3. Flaky `TestSettlementBatch` (sessions/2026-11, three occurrences).
"""

PROJECT_MD = """# payments-api — project notes

## Architecture
The service is split in three layers:

| layer | package | notes |
| --- | --- | --- |
| transport | `internal/http`, `internal/grpc` | chi router, grpc-gateway |
| domain | `internal/ledger`, `internal/refunds` | pure Go, no I/O |
| storage | `internal/store` | pgx v5, sqlc |

### Request flow
1. `http.Handler` validates and maps the request.
2. The domain service runs inside `store.WithTx`.
3. Outbox rows are written in the same transaction.
4. `cmd/relay` publishes outbox rows to Kafka.

## Build
```sh
make build        # bin/payments-api
make check        # lint + tests
make migrate-up   # needs DATABASE_URL
```

## Scheduler migration
- [x] inventory cron jobs (11 of them, `deploy/cron/*.yaml`)
- [x] port `settlement-batch` and `fx-refresh`
- [ ] port `dunning-emails` (blocked on template service)
- [ ] delete `deploy/cron/` after two green weeks

## Decisions
- 2026-09-14: keep sqlc, reject GORM (perf, explicit SQL).
- 2026-10-02: outbox over CDC; Debezium too heavy for the team.
- 2026-11-05: refunds get idempotency keys (24 h retention).
"""

PREFS_MD = """# User preferences

- Prefers small PRs (< 400 lines) with a one-line summary first.
- Wants tests run before any commit: `make check`.
- Dislikes trailing summaries in chat; answer first, details after.
- Uses `fish` locally; write shell snippets in POSIX sh anyway.
- Editor: Neovim. Don't suggest VS Code settings.
"""

TODO_MD = """# TODO

- [ ] refunds: idempotency key column + unique index
- [ ] refunds: return 409 on key reuse with a different body
- [x] ledger: fix rounding in `SplitAmount` (banker's rounding)
- [ ] settlement: investigate flaky TestSettlementBatch
- [ ] docs: update runbook for the new scheduler
- [ ] web: remove the legacy `/v1/admin/export` button
- [x] ci: cache Go build dir between jobs
- [ ] ops: alert on outbox lag > 60 s
"""

IDEAS_MD = """# Ideas

## Observability
- Trace IDs in outbox rows so Kafka consumers can join spans.
- A `/debug/ledger` page with the last 50 postings (admin only).

## Performance
- Batch the FX refresh (one query instead of 160).
- `EXPLAIN ANALYZE` the settlement query; seq scan on `postings`?

## Developer experience
- `make dev` that starts Postgres + Kafka via compose and seeds data.
- Pre-commit hook running `gofumpt` and `sqlc vet`.
"""

MEETING_MD = """# Meeting notes — weekly sync

## 2026-11-03
- Dana: ledger freeze until the audit is done (ETA Nov 20).
- Priya: admin export button removal approved.
- Action: agent to draft the idempotency-key migration.

## 2026-11-10
- Audit moved to Nov 27.
- Settlement flake seen twice more; assign to agent.
- Action: collect failing seeds from CI logs.
"""

DASH_MD = """# -notes

This file starts with a dash on purpose: `cat -notes.md` parses it as options.
Use `cat -- -notes.md` or `cat ./-notes.md`.
"""

RESUME_MD = """# Résumé — über-notes ü

Notes with non-ASCII text: café, naïve, Zürich, Ångström, 東京, emoji ✓.
- wc -c counts bytes, wc -m counts characters.
- Größe: 42 Kilobytes (ungefähr).
"""

CRLF_MD = ("# Windows notes\r\n"
           "\r\n"
           "Copied from a Windows machine; lines end in CRLF.\r\n"
           "- cat -A shows ^M$ at each line end\r\n"
           "- wc -l still counts newlines only\r\n"
           "last line\r\n")

NO_EOL_MD = """# No final newline

The last line of this file has no newline character.
So `wc -l` reports one less than the number of lines,
and `tail -n 1` prints it without a newline."""

HIDDEN_MD = """# Hidden notes

Only visible with `ls -a` / `ls -A`; `find` sees it, `*` globs do not.
"""

ZEBRA_MD = """# Zebra

Uppercase names sort before lowercase ones in C / C.UTF-8 collation,
but are interleaved with them in en_US.UTF-8.
"""

APPLE_MD = """# apple

Lowercase name; in C order it sorts after every uppercase name.
"""

DRAFT_MD = """# _draft

Underscore (0x5F) sorts between uppercase and lowercase in C order;
locales that ignore punctuation put it next to "draft".
"""

RETRO_MD = """# Retro 10

Numbered files: `10-retro.md` sorts before `9-standup.md` in byte order.
- went well: refunds API review
- to improve: flaky tests triage
"""

STANDUP_MD = """# Standup 9

- yesterday: outbox relay metrics
- today: settlement flake
- blockers: none
"""

DEEP_MD = """# deep

A file five directories down: notes/a/b/c/d/e/f.md.
"""

SCRIPT_SH = """#!/bin/sh
# Summarise today's session logs: number of events per file.
set -eu
dir="${1:-$HOME/.memhook/memory/sessions}"
for f in "$dir"/*/*.jsonl; do
  printf '%s %s\\n' "$(wc -l < "$f")" "$f"
done
"""

UPPER_TXT = """plain text file, not markdown
second line
third line
"""


def summary_md(day, title, bullets):
    lines = ["# Session summary — %s" % title, "", "Date: %s" % day, "", "## What happened"]
    lines += ["- " + b for b in bullets]
    lines += ["", "## Follow-ups", "- see notes/todo.md", ""]
    return "\n".join(lines)


def long_markdown():
    # > 4 KiB so that ls -l shows more than one block and ls -h shows K.
    out = ["# Architecture decision records", ""]
    for i in range(1, 41):
        out.append("## ADR-%03d: decision number %d" % (i, i))
        out.append("")
        out.append("Status: %s. Context: the team discussed option %s versus option %s "
                   "and picked the simpler one." % (RNG.choice(["accepted", "superseded", "draft"]),
                                                    RNG.choice("ABC"), RNG.choice("DEF")))
        out.append("")
    return "\n".join(out) + "\n"


USER_PROMPTS = [
    "Fix the flaky TestSettlementBatch test; it fails about once in twenty runs.",
    "Add an idempotency key to the refunds endpoint.",
    "Why does make migrate fail on my machine?",
    "Summarise what changed in internal/ledger this week.",
    "Remove the legacy admin export button from the web UI.",
    "Run the tests and tell me what fails.",
]

BASH_CMDS = [
    ("go test ./internal/settlement/... -run TestSettlementBatch -count=20", "Run the flaky test 20 times"),
    ("git log --oneline -n 10 -- internal/ledger", "Recent ledger commits"),
    ("cat ~/.memhook/memory/MEMORY.md", "Read memory"),
    ("ls ~/.memhook/memory/notes", "List notes"),
    ("make check", "Run lint and tests"),
    ("rg -n 'SplitAmount' internal/", "Find SplitAmount"),
    ("grep -rn idempotency ~/.memhook/memory/notes", "Search notes"),
    ("head -n 40 internal/store/queries/refunds.sql", "Read refunds queries"),
]


def ts(base_min, i):
    total = base_min * 60 + i * 7 + RNG.randint(0, 5)
    h, rem = divmod(total, 3600)
    m, s = divmod(rem, 60)
    return h % 24, m, s


def session_lines(session_id, day, n_turns, long_output=0):
    """Claude Code-like transcript events, one JSON object per line."""
    lines = []
    parent = None
    clock = RNG.randint(8 * 60, 16 * 60)
    step = 0

    def stamp():
        nonlocal step
        step += 1
        h, m, s = ts(clock, step)
        return "%sT%02d:%02d:%02d.%03dZ" % (day, h, m, s, RNG.randint(0, 999))

    def base(kind):
        nonlocal parent
        u = uid()
        ev = {"parentUuid": parent, "isSidechain": False, "userType": "external",
              "cwd": "/home/dev/payments-api", "sessionId": session_id, "version": "2.0.37",
              "gitBranch": RNG.choice(["main", "fix/settlement-flake", "feat/refund-idempotency"]),
              "type": kind, "uuid": u, "timestamp": stamp()}
        parent = u
        return ev

    for turn in range(n_turns):
        ev = base("user")
        ev["message"] = {"role": "user", "content": RNG.choice(USER_PROMPTS)}
        lines.append(ev)
        for _ in range(RNG.randint(1, 3)):
            cmd, desc = RNG.choice(BASH_CMDS)
            tid = toolu()
            ev = base("assistant")
            ev["requestId"] = "req_011C" + "".join(RNG.choice("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789")
                                                   for _ in range(20))
            ev["message"] = {
                "id": "msg_01" + "".join(RNG.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                         for _ in range(22)),
                "type": "message", "role": "assistant", "model": "claude-sonnet-4-5-20250929",
                "content": [{"type": "text", "text": "Let me check that. I'll run `%s`." % cmd},
                            {"type": "tool_use", "id": tid, "name": "Bash",
                             "input": {"command": cmd, "description": desc}}],
                "stop_reason": "tool_use", "stop_sequence": None,
                "usage": {"input_tokens": RNG.randint(3, 900),
                          "cache_creation_input_tokens": RNG.randint(0, 4000),
                          "cache_read_input_tokens": RNG.randint(10000, 90000),
                          "output_tokens": RNG.randint(20, 600), "service_tier": "standard"}}
            lines.append(ev)
            if long_output and RNG.random() < 0.35:
                body = "\n".join("=== RUN   TestSettlementBatch/seed_%05d\n--- PASS: "
                                 "TestSettlementBatch/seed_%05d (0.%02ds)" % (k, k, k % 97)
                                 for k in range(long_output))
            else:
                body = "ok  \tgithub.com/acme/payments-api/internal/%s\t%d.%03ds" % (
                    RNG.choice(["ledger", "refunds", "store", "settlement"]),
                    RNG.randint(0, 9), RNG.randint(0, 999))
            ev = base("user")
            ev["message"] = {"role": "user", "content": [
                {"tool_use_id": tid, "type": "tool_result", "content": body, "is_error": False}]}
            ev["toolUseResult"] = {"stdout": body, "stderr": "", "interrupted": False,
                                   "isImage": False}
            lines.append(ev)
        ev = base("assistant")
        ev["message"] = {"id": "msg_01" + "".join(RNG.choice("abcdefghijklmnopqrstuvwxyz0123456789")
                                                 for _ in range(22)),
                         "type": "message", "role": "assistant",
                         "model": "claude-sonnet-4-5-20250929",
                         "content": [{"type": "text", "text": RNG.choice([
                             "Done. The test passes 20/20 now; the race was in the batch cursor.",
                             "The migration needs DATABASE_URL; I added a note to MEMORY.md.",
                             "I removed the button and its handler; `make check` is green.",
                             "Two tests fail: TestRefundTwice and TestFXRefresh (network).",
                             "Résumé: the ledger changes are all rounding fixes — café-safe ✓."])}],
                         "stop_reason": "end_turn", "stop_sequence": None,
                         "usage": {"input_tokens": 12, "output_tokens": RNG.randint(40, 300)}}
        lines.append(ev)
    lines.append({"type": "summary", "summary": RNG.choice(USER_PROMPTS)[:60],
                  "leafUuid": parent})
    return [json.dumps(ev, ensure_ascii=False, separators=(",", ":")) for ev in lines]


def main():
    if os.path.exists(TREE):
        shutil.rmtree(TREE)
    os.makedirs(TREE)

    put("MEMORY.md", MEMORY_MD)
    put("project.md", PROJECT_MD)
    put("user-preferences.md", PREFS_MD)
    put("README.txt", UPPER_TXT)

    put("notes/todo.md", TODO_MD)
    put("notes/ideas.md", IDEAS_MD)
    put("notes/meeting notes.md", MEETING_MD)
    put("notes/-notes.md", DASH_MD)
    put("notes/résumé-ü.md", RESUME_MD)
    put("notes/crlf-windows.md", CRLF_MD)
    put("notes/no-final-newline.md", NO_EOL_MD)
    put("notes/empty.md", "")
    put("notes/.hidden.md", HIDDEN_MD)
    put("notes/Zebra.md", ZEBRA_MD)
    put("notes/apple.md", APPLE_MD)
    put("notes/_draft.md", DRAFT_MD)
    put("notes/10-retro.md", RETRO_MD)
    put("notes/9-standup.md", STANDUP_MD)
    put("notes/adr.md", long_markdown())
    put("notes/a/b/c/d/e/f.md", DEEP_MD)
    put("notes/scripts/summarize.sh", SCRIPT_SH, 0o755)
    put("archive/.gitkeep", "")  # an empty directory once copied

    put("summaries/2026-11-03-settlement-flake.md",
        summary_md("2026-11-03", "settlement flake",
                   ["Reproduced TestSettlementBatch failure with -count=20.",
                    "Root cause: batch cursor reused across goroutines.",
                    "Fix in PR #812, merged."]))
    put("summaries/2026-11-05-refund-idempotency.md",
        summary_md("2026-11-05", "refund idempotency",
                   ["Drafted migration 0042_refund_idempotency.sql.",
                    "Added 409 on key reuse with a different body.",
                    "Open: retention job for old keys."]))
    put("summaries/2026-10-28-admin-export.md",
        summary_md("2026-10-28", "admin export removal",
                   ["Removed the legacy export button and handler.",
                    "Priya approved; release note added."]))

    s1, s2, s3, s4, s5, s6 = (uid() for _ in range(6))
    put("sessions/2026-10/%s.jsonl" % s1,
        "\n".join(session_lines(s1, "2026-10-28", 4)) + "\n")
    put("sessions/2026-10/%s.jsonl" % s2,
        "\n".join(session_lines(s2, "2026-10-30", 2)) + "\n")
    put("sessions/2026-11/%s.jsonl" % s3,
        "\n".join(session_lines(s3, "2026-11-03", 6, long_output=60)) + "\n")
    # No final newline (a session cut short).
    put("sessions/2026-11/%s.jsonl" % s4, "\n".join(session_lines(s4, "2026-11-05", 3)))
    put("sessions/2026-11/%s.jsonl" % s5, "")  # empty: session started, nothing logged
    put("sessions/2026-11/%s.jsonl" % s6,
        "\n".join(session_lines(s6, "2026-11-10", 5)) + "\n")
    print("sessions:", s1, s2, s3, s4, s5, s6)


if __name__ == "__main__":
    main()
