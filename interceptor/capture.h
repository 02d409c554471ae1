// Internal to the interceptor: the agent's own sessions kept in the memory.
//
//   sessions/<YYYY-MM>/<session_id>.jsonl   the transcript, line for line,
//                                           secrets masked (redact.h)
//   summaries/<YYYY-MM>/<session_id>.md     a summary written by a model
//
// YYYY-MM is the UTC month of the session's first capture; the summary
// takes the month of its session log. Both are ordinary memory files:
// readable with cat/grep, and every write is a change (`memhook log`,
// `memhook undo`) with origin "capture" or "summarize".
//
// Hook wiring (HandleSessionEvent does all of it):
//   SessionStart       capture, then answer the SessionStartContext text
//   UserPromptSubmit   capture (what the last turn added)
//   PostToolUse        capture (what the tool call added), after the file
//                      tools' own PostToolUse (HandleHook does both)
//   PreCompact, Stop, SubagentStop   capture
//   SessionEnd         capture, then StartSummaryDetached
// Codex has no SessionEnd: its sessions are captured (SessionStart,
// UserPromptSubmit, Stop) and summarised with `memhook summarize ID`.
//
// Nothing here throws: errors are Status values or exit statuses.
#ifndef MEMHOOK_INTERCEPTOR_CAPTURE_H_
#define MEMHOOK_INTERCEPTOR_CAPTURE_H_

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "interceptor/hook.h"
#include "interceptor/redact.h"
#include "vfs/vfs.h"

namespace memhook::interceptor {

// ------------------------------------------------------------- capture
struct CaptureRequest {
  std::string session_id;       // the agent's session id: [A-Za-z0-9._-], 1-128
                                // bytes, not starting with '.'; anything else
                                // is refused (it becomes a file name)
  std::string transcript_path;  // the JSONL transcript on the host
  std::string agent;            // "claude" or "codex", recorded with the state
  std::string cwd;              // the agent's project directory
  std::string home;             // where the .memhook-ignore search stops
  int64_t now_ns = -1;          // the time of this capture; < 0 = now
  // $MEMHOOK_CAPTURE: "0" turns capture off. Filled by
  // CaptureRequestFromHook; tests set it directly.
  std::string capture_setting;
  // Captures at most about this many transcript bytes per call (whole
  // lines; a longer single line is still taken whole), so that one call
  // stays short; CaptureResult::more says that the rest waits. 0 = all.
  uint64_t max_bytes = 0;
};

struct CaptureResult {
  bool skipped = false;        // nothing done: capture is off or there is no transcript
  std::string skip_reason;     // why, for the log
  std::string log_path;        // the session's VFS path, sessions/YYYY-MM/ID.jsonl
  uint64_t offset_before = 0;  // transcript bytes captured before this call
  uint64_t offset_after = 0;   // ... and after it (always just after a '\n')
  uint64_t bytes_read = 0;     // transcript bytes this call read (pread)
  uint64_t lines = 0;          // lines appended to the session log
  bool restarted = false;      // the transcript no longer held what was
                               // captured (shrank or replaced): taken again from 0
  bool more = false;           // max_bytes stopped the call before the end
  int64_t change_id = 0;       // the change written, 0 if none
  RedactStats redactions;
};

// Fills a request from a hook's JSON (session_id, transcript_path, cwd;
// Codex when `codex` or the request has `turn_id`) and the environment
// ($MEMHOOK_CAPTURE). False when the request names no session or no
// transcript.
bool CaptureRequestFromHook(const nlohmann::json& hook_request, const Config& config, bool codex,
                            CaptureRequest* out);

// True (and *reason) when capture is off for this request: capture_setting
// is "0", or a `.memhook-ignore` file exists in `cwd` or one of its parents
// up to `home` (or up to / when cwd is not below home).
bool CaptureDisabled(const CaptureRequest& request, std::string* reason);

// Appends to the session log the transcript's whole lines (through its
// last '\n') that were not captured yet, each one redacted, as one change
// (origin "capture") that also advances the captured offset (meta key
// "capture/<session_id>"). Costs O(new bytes): the transcript is read with
// pread from the captured offset, never again from its start (but for 256
// bytes before the offset, whose hash tells whether the file still holds
// what was captured).
//
// Concurrency: the change takes the write lock (Store::LockChange) before
// it reads the offset, so two processes capturing the same session append
// each line exactly once, in order.
//
// A transcript that no longer holds what was captured (shorter than the
// offset, or other bytes before it) is captured again from 0; the log
// keeps what it had, the change's command line and the meta state say so.
// A session log removed by the user is not refilled: later lines go to a
// new file at the same path.
//
// Errors: kInvalidArgument (a bad session id), kIoError (the transcript
// cannot be read), the store's errors (kBusy...). On error nothing is
// written. Capture off or no transcript yet: Ok with result->skipped.
vfs::Status CaptureTranscript(vfs::Store& store, const CaptureRequest& request,
                              CaptureResult* result);

// The session log's VFS path from the capture state ("" when the session
// was never captured); falls back to a search of sessions/*/ID.jsonl.
vfs::Status FindSessionLog(vfs::Store& store, const std::string& session_id, std::string* path);

// --------------------------------------------------- SessionStart context
struct SessionContextOptions {
  size_t max_bytes = 2000;  // the whole text, at most (cut at a line)
  size_t index_lines = 20;  // lines of index.md shown
  size_t max_entries = 30;  // top-level entries listed
};

// A short text for the model: where the memory is, its top-level layout
// (with the number of session logs and summaries), the start of index.md,
// that ordinary shell commands work on it and that writes can be undone.
// Best effort: what the store cannot say is left out.
std::string SessionStartContext(vfs::Store& store, const std::string& mount,
                                const SessionContextOptions& options = SessionContextOptions());

// The SessionStart answer for Claude Code and Codex, one line:
// {"hookSpecificOutput":{"hookEventName":"SessionStart","additionalContext":TEXT}}
std::string SessionStartHookJson(std::string_view context);

// ------------------------------------------------------------ summaries
// The prompt given to the summariser (its last argument); the session log
// is on its stdin.
extern const char kSummaryPrompt[];

struct SummarizeOptions {
  // A /bin/sh command line; it runs as `sh -c 'COMMAND "$@"' memhook PROMPT`
  // so the prompt is its last argument, unquoted problems impossible.
  // $MEMHOOK_SUMMARIZE_COMMAND, default "claude -p".
  std::string command = "claude -p";
  // Killed (its whole process group) after this long: a failure.
  // $MEMHOOK_SUMMARIZE_TIMEOUT in seconds, default 300.
  int timeout_ms = 300000;
  // summarize.log (failures), summarize.lock and summarize-queue/ live
  // here: ${XDG_STATE_HOME:-~/.local/state}/memhook. Created as needed.
  std::string state_dir;
  // A longer session log is cut to its first quarter and last three
  // quarters of this budget, with a line saying what was left out.
  size_t max_input_bytes = 512 * 1024;
  // The summary is cut at this many bytes.
  size_t max_output_bytes = 256 * 1024;
  int64_t now_ns = -1;  // < 0 = now
};

SummarizeOptions SummarizeOptionsFromEnvironment(const Config& config);

struct SummarizeResult {
  std::string summary_path;  // summaries/YYYY-MM/ID.md
  int64_t change_id = 0;
  size_t input_bytes = 0;  // bytes given on stdin
  bool input_cut = false;  // the log was longer than max_input_bytes
};

// Summarises one session: runs the command with the session log on stdin
// (its environment gains MEMHOOK_CAPTURE=0, so that a `claude -p` run is
// neither captured nor summarised in turn), and writes its stdout to
// summaries/<YYYY-MM>/<id>.md as one change (origin "summarize"),
// replacing an earlier summary. A failure (exit status not 0, timeout,
// empty output, no session log) changes nothing in the store, is appended
// to <state_dir>/summarize.log and returned: kNotFound (no session log),
// kIoError (the command failed; the message says how).
vfs::Status Summarize(vfs::Store& store, const std::string& session_id,
                      const SummarizeOptions& options, SummarizeResult* result);

// `memhook summarize SESSION_ID`: waits for a running summariser (the
// lock), summarises the session and prints the summary's path; 0 done,
// 1 failed (one line on stderr), 2 usage.
// `memhook summarize --queue`: drains the queue StartSummaryDetached fills
// (one summariser at a time: a second one exits at once, leaving the queue
// to the first); 0.
int RunSummarize(const Config& config, const SummarizeOptions& options,
                 const std::vector<std::string>& args);

// SessionEnd: queues the session (a file in <state_dir>/summarize-queue)
// and starts `drainer_argv` (default: this binary `summarize --queue`)
// fully detached: double fork and setsid, stdin/stdout/stderr on
// /dev/null, no other descriptor inherited. Returns at once; the caller
// never waits for the summary. At most one drainer works at a time (flock
// on summarize.lock, held while it runs): a session ended meanwhile waits
// in the queue and the running drainer takes it before it exits, so none
// is lost and none runs twice at once.
vfs::Status StartSummaryDetached(const SummarizeOptions& options, const std::string& session_id,
                                 const std::vector<std::string>& drainer_argv = {});

// --------------------------------------------------------- hook events
// True for the events HandleSessionEvent answers: SessionStart,
// UserPromptSubmit, PreCompact, Stop, SubagentStop and SessionEnd.
bool IsSessionEvent(const nlohmann::json& request);

// Captures the transcript (in rounds of 8 MiB, starting none after 10 s;
// also for PostToolUse, which IsSessionEvent leaves to HandleHook),
// then answers SessionStart with the context, and on SessionEnd starts the
// summariser ($MEMHOOK_SUMMARIZE=0: never). Sets HookOutput::log_call
// (route "capture" with the bytes captured, or "context" for a
// SessionStart that captured nothing) for the caller to log. Never fails
// the agent: errors go to <state_dir>/capture.log and the exit status
// stays 0. Inside the summariser's own agent run (MEMHOOK_SUMMARIZING=1)
// it does nothing at all.
HookOutput HandleSessionEvent(const nlohmann::json& request, const Config& config);

}  // namespace memhook::interceptor

#endif  // MEMHOOK_INTERCEPTOR_CAPTURE_H_
