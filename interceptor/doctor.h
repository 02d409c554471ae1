// Internal to the interceptor: `memhook doctor`, a check of everything
// memhook depends on, each finding with its fix.
#ifndef MEMHOOK_INTERCEPTOR_DOCTOR_H_
#define MEMHOOK_INTERCEPTOR_DOCTOR_H_

#include <string>
#include <vector>

#include "interceptor/hook.h"

namespace memhook::interceptor {

// One finding. `fix` is empty for kOk.
struct Finding {
  enum class Level { kOk, kWarn, kFail };
  Level level = Level::kOk;
  std::string what;
  std::string fix;
};

struct DoctorContext {
  std::string cwd;        // the project directory (project-scope settings)
  std::string self_path;  // this memhook binary (absolute)
  int64_t now_ns = 0;
};

// Checks, in order:
//  - hook registration per agent: Claude Code's settings files (user and
//    project) and Codex's hooks.json: which of memhook's events are
//    registered, whether the registered binary exists and is this one, and
//    other PreToolUse Bash hooks beside memhook's (Claude Code drops
//    `updatedInput` when several hooks answer the same call);
//  - the database: it opens, integrity_check, WAL size;
//  - the spool and staging directories: owner, mode 0700, no symlink;
//    staged files left behind;
//  - a real directory at the mount path (the agent's tools would write
//    there if memhook's hooks were missing).
std::vector<Finding> RunDoctor(const Config& config, const DoctorContext& context);

// `memhook doctor`: prints the findings; status 0 when none failed, 1 else.
int DoctorCommand(const Config& config, const std::vector<std::string>& args);

}  // namespace memhook::interceptor

#endif  // MEMHOOK_INTERCEPTOR_DOCTOR_H_
