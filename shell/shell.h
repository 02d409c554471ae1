// memhook virtual shell: bash 5.2 semantics over the union filesystem (the
// mount from the store, everything else from the host), with the utilities
// of utils/.
//
// The only public header of the shell library. One call runs one command
// line to completion and returns its stdout, stderr and status, exactly as
// `bash -c` would print them on a real directory; or says why it could not
// (a construct or utility it does not serve exactly, a write, a host
// program in a context that forbids it, a limit), in which case nothing it
// computed is to be shown. Nothing here throws across the library boundary.
//
// Thread-safety: none needed; every call owns its state.
#ifndef MEMHOOK_SHELL_SHELL_H_
#define MEMHOOK_SHELL_SHELL_H_

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "parser/ast.h"
#include "utils/utils.h"
#include "vfs/vfs.h"

namespace memhook::shell {

struct ShellLimits {
  // Loop iterations (all loops together) before the run stops. Default 1e6.
  uint64_t max_loop_iterations = 1'000'000;
  // Function call depth. Default 1000 (bash's own limit is the C stack).
  int max_call_depth = 1000;
  // Bytes of stdout + stderr. Default 512 MiB.
  uint64_t max_output_bytes = 512ull << 20;
  // Wall time in milliseconds; 0 = none. The hook sets it so that a
  // `while true` never hangs the agent. Default 0.
  int64_t max_millis = 0;
  // Nesting of substitutions, subshells and eval. Default 200.
  int max_nesting = 200;
};

struct ShellOptions {
  // mount, home, cwd, now, owner/group: as for the utilities.
  utils::UtilOptions util;
  // The initial environment, "NAME=value" (exported variables).
  std::vector<std::string> environment;
  // True under `memhook run` (after the agent's permission flow): host
  // files may be read and host programs run. False inside the hook: the run
  // stops with kNeedsHost at the first such access. Default false.
  bool allow_host = false;
  // True under `memhook run`: redirections and the writing utilities
  // (mkdir, rm, mv, cp, touch, tee, ...) write the store (inside the
  // change the caller opened with vfs::Store::BeginChange, so that the
  // command line is one transaction) and host files. False: the run stops
  // with kWrites at the first write. Default false.
  bool allow_writes = false;
  ShellLimits limits;
  // Where stdout goes once more than `spill_threshold` bytes of it would be
  // held in memory: the callback returns a descriptor open for writing (the
  // hook's spool file, positioned after its header), or -1 to keep stdout
  // in memory. Called at most once per run; null: never spill. A run that
  // ends in anything but kDone leaves the file's contents meaningless.
  std::function<int()> open_stdout_spill;
  // Default 8 MiB: small answers never touch a file.
  uint64_t spill_threshold = 8u << 20;
};

struct ShellResult {
  enum class Outcome {
    kDone,         // out/err/status are the answer
    kUnsupported,  // a construct or utility memhook does not serve exactly
    kNeedsHost,    // reads host files or runs a host program (allow_host false)
    kWrites,       // would modify the store or the host
    kLimit,        // a limit of ShellLimits was reached
  };
  Outcome outcome = Outcome::kDone;
  std::string reason;  // for everything but kDone: what, in a few words
  std::string out;
  // Non-zero: stdout was spilled (ShellOptions::open_stdout_spill) and all
  // of it, these many bytes, is in that file; `out` is then empty.
  uint64_t out_spilled = 0;
  std::string err;
  int status = 0;
};

// Parses and runs `source` as `bash -c` would, in options.util.cwd.
ShellResult RunScript(std::string_view source, vfs::Store& store, const ShellOptions& options);

// Runs an already parsed command line (the hook parses once to classify).
// `script` must outlive the call.
ShellResult RunProgram(const parser::ast::Command& script, vfs::Store& store,
                       const ShellOptions& options);

}  // namespace memhook::shell

#endif  // MEMHOOK_SHELL_SHELL_H_
