// memhook interceptor: the agent-facing edge. Turns a PreToolUse hook
// request (JSON on stdin) into a decision, encodes fast-path answers as a
// replacement command that reproduces stdout, stderr and exit status, and
// implements the `memhook` command line.
//
// The only public header of the interceptor library. Nothing here throws:
// every entry point catches internally and reports a one-line error, so the
// hook never crashes or hangs the agent.
#ifndef MEMHOOK_INTERCEPTOR_HOOK_H_
#define MEMHOOK_INTERCEPTOR_HOOK_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fastpath/fastpath.h"

namespace memhook::interceptor {

// Settings read from the environment once per process.
struct Config {
  std::string home;     // $HOME (or the passwd entry)
  std::string mount;    // $MEMHOOK_MOUNT, default ~/.memhook/memory; absolute, normalised
  std::string db_path;  // $MEMHOOK_DB, default ${XDG_DATA_HOME:-~/.local/share}/memhook/memhook.db
  std::string spool_dir;        // where large answers wait for `memhook replay`:
                                // ${XDG_RUNTIME_DIR:-/tmp}/memhook-<uid>
  bool grep_rank_bm25 = false;  // $MEMHOOK_GREP_RANK == "bm25"
  bool fast_path = true;        // $MEMHOOK_FASTPATH != "0" (0 forces the plain interpreter)
  std::string self_path;        // the memhook binary, for replay; empty = /proc/self/exe
  // Answers whose replay command would be longer than this many bytes, or
  // that contain NUL bytes, are spooled to a file instead of being inlined.
  // Default 8000: some agents cap hook output strings around 10,000
  // characters, and an inline answer spares a second process start.
  size_t inline_limit = 8000;
  // The agent is Codex (`memhook hook --codex`, or a request carrying
  // Codex's `turn_id`): Codex honours a rewritten command only together
  // with "allow", so a command that must run later (a write, a host file)
  // is blocked (exit 2) with the exact `memhook run` command to run instead.
  bool codex = false;
  // $MEMHOOK_ALLOW_MEMORY_WRITES == "1": a command whose writes all land in
  // the memory (each one undoable with `memhook undo`) is allowed without a
  // prompt. Checked by a dry run in a change that is always rolled back;
  // writes to the host are never allowed this way. Default false.
  bool allow_memory_writes = false;
  // History retention ($MEMHOOK_HISTORY_VERSIONS, $MEMHOOK_HISTORY_BYTES):
  // see vfs::StoreOptions. Defaults 100 versions per path, 256 MiB.
  uint64_t history_max_versions = 100;
  uint64_t history_max_bytes = uint64_t{256} << 20;
};

Config ConfigFromEnvironment();

// Options for a store that writes (`memhook run`, the file tools' imports,
// undo/restore): the retention settings of `config`.
vfs::StoreOptions WritableStoreOptions(const Config& config);

// Engine options for a command run in `cwd` under `config`.
// Owner and group are left at their defaults: FillOwner() looks them up (a
// passwd/group read) once a command is known to touch the mount.
fastpath::EngineOptions MakeEngineOptions(const Config& config, const std::string& cwd);
void FillOwner(fastpath::EngineOptions* options);

struct HookOutput {
  std::string stdout_text;  // JSON for the agent, or empty for pass-through
  std::string stderr_text;  // a one-line diagnostic on failure
  int exit_code = 0;        // 0 normally; 1 = non-blocking error
  // A call that touched the mount, for `memhook stats` (latency and time
  // are filled in by the caller once the answer is written). False for
  // pass-through: those are never logged.
  bool log_call = false;
  vfs::Store::HookCall call;
  // More records of the same request, logged with the same time and
  // latency (PostToolUse: the capture after a file tool's import).
  std::vector<vfs::Store::HookCall> more_calls;
};

// Handles one hook request: PreToolUse of Bash here; the agent's file tools
// (Read, Write, Edit, MultiEdit) and PostToolUse in file_tools.cc.
// Pass-through commands and paths produce no output and never open the
// store. A command that may touch the mount sets the process locale from
// the environment (setlocale(LC_ALL, "")), as GNU does.
HookOutput HandleHook(std::string_view request_json, const Config& config);

// Builds a bash command that writes `answer.out` to stdout and
// `answer.err` to stderr and exits with `answer.status`. Small answers are
// inlined as single-quoted printf arguments; large ones are spooled to a
// private file read back by `memhook replay TOKEN`. Returns false (and
// *error) if spooling failed.
bool EncodeReplay(const fastpath::Answer& answer, const Config& config, std::string* command,
                  std::string* error);

// Quotes `text` as one single-quoted bash word ('\'' for quotes).
std::string ShellQuote(std::string_view text);

// The whole `memhook` command line; returns the process exit status.
int Main(int argc, char** argv);

}  // namespace memhook::interceptor

#endif  // MEMHOOK_INTERCEPTOR_HOOK_H_
