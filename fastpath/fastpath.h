// memhook fast path: decides whether a bash command touches the mount and,
// when it does, answers it from the virtual filesystem exactly as bash +
// GNU coreutils would on a real directory.
//
// The only public header of the fastpath library. Flow:
//   MayTouchMount (text prefilter, no parser, no DB)
//   -> Parse -> classify (does any resolved word name the mount?)
//   -> execute against a vfs::Store (read-only) -> Answer.
// Every command's supported flags are listed in tables in commands.h;
// anything outside them yields Route::kNextTier with a reason naming the
// unsupported part, never a guessed answer.
//
// Thread-safety: an Engine is not thread-safe; use one per thread.
#ifndef MEMHOOK_FASTPATH_FASTPATH_H_
#define MEMHOOK_FASTPATH_FASTPATH_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "utils/utils.h"
#include "vfs/vfs.h"

namespace memhook::fastpath {

// The options of a command line (mount, home, cwd, now, ls owner).
using EngineOptions = utils::UtilOptions;

enum class Route {
  kPassThrough,  // does not touch the mount: run the command unchanged
  kFastPath,     // answered from the store by the fast path's profile
  kShell,        // answered from the store by the virtual shell
  kRun,          // writes, reads host files or runs host programs: to be
                 // run by `memhook run` after the agent's permission flow
  kNextTier,     // touches the mount but memhook cannot answer it
                 // exactly; `reason` names the unsupported part
};

// How Engine::Run may answer.
struct RunFlags {
  // Try the fast path's profile first. False forces the plain interpreter
  // (MEMHOOK_FASTPATH=0): both must give the same bytes. Default true.
  bool fast_path = true;
  // Under `memhook run`: host files and programs are allowed. Default false
  // (inside the hook: such a command is routed kRun instead).
  bool allow_host = false;
  // Under `memhook run`: the command may write the store (inside the
  // change the caller opened) and host files. Default false (inside the
  // hook: a writing command is routed kRun, with Answer::writes set).
  bool allow_writes = false;
  // The virtual shell's wall-time limit in ms (0 = none). Default 10 s, so
  // that a `while true` never hangs the agent.
  int64_t shell_millis = 10'000;
  // The environment the command runs with ("NAME=value").
  std::vector<std::string> environment;
  // Where a large stdout goes while the command runs, as
  // shell::ShellOptions::open_stdout_spill (null: kept in memory).
  std::function<int()> open_stdout_spill;
};

const char* RouteName(Route route);

// The complete answer to one command.
struct Answer {
  Route route = Route::kPassThrough;
  std::string reason;  // why kNextTier / how it was classified
  std::string out;     // stdout bytes (empty when out_spilled)
  // Non-zero: all of stdout, these many bytes, went to the descriptor
  // RunFlags::open_stdout_spill returned.
  uint64_t out_spilled = 0;
  std::string err;      // stderr bytes
  int status = 0;       // exit status
  bool writes = false;  // the command would modify the store or the host
};

// Cheap text test: false only when `command` cannot name the mount (no
// component of the mount path, no glob, and `cwd` is outside the mount).
// Used by the hook to return before building a parser or opening the DB.
bool MayTouchMount(std::string_view command, const EngineOptions& options);

// Opens the store on first use; returns null (and a message) on failure.
using StoreOpener = std::function<vfs::Store*(std::string* error)>;

class Engine {
 public:
  Engine();
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Classifies and, for kFastPath, executes `command`. The store is opened
  // only when the command touches the mount.
  Answer Run(std::string_view command, const EngineOptions& options, const StoreOpener& open_store,
             const RunFlags& flags = RunFlags());

  // Human-readable report: the parse tree, the IR, the route with its
  // reason and the SQL statements the answer used.
  std::string Explain(std::string_view command, const EngineOptions& options,
                      const StoreOpener& open_store);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace memhook::fastpath

#endif  // MEMHOOK_FASTPATH_FASTPATH_H_
