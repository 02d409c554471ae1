// Internal to the interceptor: what memhook does for the agent, seen from
// the hook calls it logs in the store (vfs::Store::LogHookCall).
//
// The hook logs one row per call that touched the mount (never for a
// pass-through) once its answer is written, with a short lock budget: a
// busy store loses the row rather than delay the agent.
#ifndef MEMHOOK_INTERCEPTOR_STATS_H_
#define MEMHOOK_INTERCEPTOR_STATS_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "interceptor/hook.h"
#include "vfs/vfs.h"

namespace memhook::interceptor {

// The command type of a hook call for stats: the first command's name,
// with "+pipe" when the line has a pipeline or list after it ("grep+pipe").
// Cheap (no parser): it is computed for every call that touched the mount.
std::string CommandKind(std::string_view command);

// Appends `calls` (the records of one hook request) to the store at
// config.db_path, waiting at most `lock_budget_ms` for the write lock.
// Errors are ignored: stats are best effort and must never fail or slow
// the hook.
void LogHookCalls(const Config& config, const std::vector<vfs::Store::HookCall>& calls,
                  int lock_budget_ms);

// Parses "90s", "30m", "1h", "7d", "2w" into nanoseconds; false otherwise.
bool ParseDuration(std::string_view text, int64_t* ns);

// `memhook stats [--since DURATION]`: counts per route and command type,
// the fast-path hit rate, latency p50/p95/p99, a latency histogram, bytes
// served, writes, errors and captured lines, on stdout. Returns the exit
// status (2: usage).
int StatsCommand(const Config& config, const std::vector<std::string>& args);

// `memhook log --errors [--since DURATION] [-n N]`: the hook calls that
// ended in an error or a refusal, newest first.
int ErrorLogCommand(const Config& config, const std::vector<std::string>& args);

// The report for a list of calls (what StatsCommand prints); for tests.
std::string FormatStats(const std::vector<vfs::Store::HookCall>& calls, std::string_view since);

}  // namespace memhook::interceptor

#endif  // MEMHOOK_INTERCEPTOR_STATS_H_
