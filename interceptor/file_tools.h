// Internal to the interceptor library: the agent's own file tools (Claude
// Code's Read, Write, Edit and MultiEdit) on memory paths.
//
// The memory is not on disk, so a file tool cannot open a memory path. The
// PreToolUse hook materialises the file from the store into a private
// staging directory and points the tool's `file_path` there; the
// PostToolUse hook imports what Write/Edit/MultiEdit left in the staged
// file back into the store, as one change, after the agent's permission
// flow and the tool itself have run.
#ifndef MEMHOOK_INTERCEPTOR_FILE_TOOLS_H_
#define MEMHOOK_INTERCEPTOR_FILE_TOOLS_H_

#include <nlohmann/json.hpp>
#include <string>

#include "interceptor/hook.h"

namespace memhook::interceptor {

// True for the requests HandleFileTool answers: every PostToolUse event, and
// PreToolUse of every tool but Bash (HandleHook keeps Bash).
bool IsFileToolRequest(const nlohmann::json& request);

// Answers one such request. A tool other than Read/Write/Edit/MultiEdit, or
// a path outside the mount (PreToolUse) or outside the staging directory
// (PostToolUse), returns at once with no output: no store, no locale, no
// staging directory. Never throws.
HookOutput HandleFileTool(const nlohmann::json& request, const Config& config);

// Creates `dir` (mode 0700) if it is missing, and checks that it is a
// directory (not a symlink) owned by this user; one open to other users is
// made private first. Shared by the answer spool and the staging area: both
// hold files another user must not replace. False (and *error) otherwise.
bool EnsurePrivateDirectory(const std::string& dir, std::string* error);

}  // namespace memhook::interceptor

#endif  // MEMHOOK_INTERCEPTOR_FILE_TOOLS_H_
