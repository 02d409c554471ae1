// Internal to the interceptor: the history verbs of the `memhook` command
// line (log, show, undo, restore) over vfs::Store's changes, and rm, a
// removal recorded as a change so that it can be undone.
#ifndef MEMHOOK_INTERCEPTOR_HISTORY_CLI_H_
#define MEMHOOK_INTERCEPTOR_HISTORY_CLI_H_

#include <string>
#include <vector>

#include "interceptor/hook.h"

namespace memhook::interceptor {

// True when `verb` is one of the history verbs.
bool IsHistoryVerb(const std::string& verb);

// Runs `memhook VERB ARGS...` (a history verb) and returns the process exit
// status: 0 done, 1 refused or failed (one `memhook: VERB: ...` line on
// stderr), 2 usage. `cwd` resolves relative memory paths when it is inside
// the mount; otherwise they are relative to the mount.
//   memhook log [PATH] [--session ID] [-n N]   changes, newest first
//   memhook show PATH[@CHANGE]                 the bytes of a file then (or now)
//   memhook undo [CHANGE]                      undo the last change, or CHANGE
//   memhook restore PATH@CHANGE                PATH as it was right after CHANGE
//   memhook rm PATH...                         remove files or directories (one change)
int HistoryCommand(const Config& config, const std::string& verb,
                   const std::vector<std::string>& args, const std::string& cwd);

}  // namespace memhook::interceptor

#endif  // MEMHOOK_INTERCEPTOR_HISTORY_CLI_H_
