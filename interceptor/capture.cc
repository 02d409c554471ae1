#include "interceptor/capture.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "interceptor/paths.h"

extern char** environ;

namespace memhook::interceptor {

const char kSummaryPrompt[] =
    "Standard input holds the log of one coding-agent session, one JSON object per line "
    "(the user's prompts, the agent's messages, its tool calls and their results; secrets "
    "appear masked as [REDACTED:...]). Write a summary of it in Markdown for the agent's "
    "long-term memory, to be found later with grep: a first line '# <what the session was "
    "about>', then the sections Goal, What was done (the files, commands and results that "
    "matter), Decisions (and why), Problems and fixes, Open ends. Be concrete: names of "
    "files, functions, commands, errors. At most 400 words. Print only the Markdown.";

namespace {

using vfs::Status;
using Code = vfs::Status::Code;

Status Err(Code code, std::string message) { return Status::Error(code, std::move(message)); }

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// "2026-01" (UTC) for a time in nanoseconds since the epoch.
std::string MonthOf(int64_t ns) {
  const time_t seconds = static_cast<time_t>(ns / 1000000000);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04d-%02d", tm.tm_year + 1900, tm.tm_mon + 1);
  return buffer;
}

std::string TimestampOf(int64_t ns) {
  const time_t seconds = static_cast<time_t>(ns / 1000000000);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer;
}

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string CurrentDirectory() {
  std::vector<char> buffer(4096);
  if (getcwd(buffer.data(), buffer.size()) == nullptr) return "/";
  return buffer.data();
}

// Owns one descriptor.
class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

bool WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

// `mkdir -p dir`, new directories private to the user.
bool MakeHostDirs(const std::string& dir) {
  if (dir.empty()) return false;
  std::string path;
  size_t start = 0;
  while (start <= dir.size()) {
    size_t slash = dir.find('/', start);
    if (slash == std::string::npos) slash = dir.size();
    path = dir.substr(0, slash);
    if (!path.empty() && mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return false;
    start = slash + 1;
  }
  struct stat st;
  return stat(dir.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

// One line appended to a log file under the state directory (best effort:
// these logs exist for the user to read when something went wrong).
void AppendLog(const std::string& state_dir, const char* file, const std::string& text) {
  if (!MakeHostDirs(state_dir)) return;
  const std::string path = state_dir + "/" + file;
  Fd fd(open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600));
  if (fd.get() >= 0) WriteAll(fd.get(), text);
}

bool ValidSessionId(std::string_view id) {
  if (id.empty() || id.size() > 128 || id.front() == '.') return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_' || c == '.';
  });
}

Status InvalidSessionId(std::string_view id) {
  return Err(Code::kInvalidArgument,
             "invalid session id '" + std::string(id.substr(0, 64)) +
                 "': only letters, digits, '.', '_' and '-', not starting with '.'");
}

// ------------------------------------------------------------ capture state
// Kept under the meta key "capture/<session id>" as JSON.
struct CaptureState {
  std::string log;         // the session log's VFS path
  uint64_t offset = 0;     // transcript bytes captured (just after a '\n')
  uint64_t tail_hash = 0;  // FNV-1a of the tail_len bytes before offset
  uint64_t tail_len = 0;
  uint64_t restarts = 0;  // times the transcript had to be taken again from 0
  std::string agent;
};

std::string MetaKey(const std::string& session_id) { return "capture/" + session_id; }

std::string EncodeState(const CaptureState& state) {
  nlohmann::ordered_json j = {
      {"log", state.log},           {"offset", state.offset},
      {"tail_len", state.tail_len}, {"tail_hash", state.tail_hash},
      {"restarts", state.restarts}, {"agent", state.agent},
  };
  return j.dump();
}

bool DecodeState(const std::string& text, CaptureState* state) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return false;
  auto text_of = [&j](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto number_of = [&j](const char* key) {
    auto it = j.find(key);
    return it != j.end() && it->is_number_unsigned() ? it->get<uint64_t>() : uint64_t{0};
  };
  state->log = text_of("log");
  state->agent = text_of("agent");
  state->offset = number_of("offset");
  state->tail_len = number_of("tail_len");
  state->tail_hash = number_of("tail_hash");
  state->restarts = number_of("restarts");
  return !state->log.empty();
}

uint64_t Fnv1a(std::string_view bytes) {
  uint64_t hash = 1469598103934665603ull;
  for (char c : bytes) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

constexpr uint64_t kTailBytes = 256;

Status PreadAll(int fd, uint64_t offset, size_t length, std::string* out, uint64_t* bytes_read) {
  out->resize(length);
  size_t got = 0;
  while (got < length) {
    ssize_t n = pread(fd, out->data() + got, length - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Err(Code::kIoError,
                 std::string("cannot read the transcript: ") + std::strerror(errno));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  out->resize(got);
  *bytes_read += got;
  return Status::Ok();
}

// What one capture will do, decided from the captured state and the
// transcript as it is now.
struct CapturePlan {
  CaptureState state;  // the state to continue from (offset reset when restarting)
  bool restarted = false;
  std::string restart_why;
};

Status MakePlan(bool found, const CaptureState& old, int fd, uint64_t size, const std::string& log,
                const std::string& agent, CapturePlan* plan, uint64_t* bytes_read) {
  *plan = CapturePlan();
  if (!found) {
    plan->state.log = log;
    plan->state.agent = agent;
    return Status::Ok();
  }
  plan->state = old;
  if (!agent.empty()) plan->state.agent = agent;
  if (old.offset > size) {
    plan->restart_why = "the transcript shrank from " + std::to_string(old.offset) + " to " +
                        std::to_string(size) + " bytes";
  } else if (old.tail_len > 0 && old.tail_len <= old.offset) {
    std::string tail;
    Status st = PreadAll(fd, old.offset - old.tail_len, old.tail_len, &tail, bytes_read);
    if (!st.ok()) return st;
    if (tail.size() != old.tail_len || Fnv1a(tail) != old.tail_hash) {
      plan->restart_why = "the transcript was replaced (other bytes before offset " +
                          std::to_string(old.offset) + ")";
    }
  }
  if (!plan->restart_why.empty()) {
    plan->restarted = true;
    plan->state.offset = 0;
    plan->state.tail_len = 0;
    plan->state.tail_hash = 0;
    ++plan->state.restarts;
  }
  return Status::Ok();
}

// Creates `dir` (a VFS path) and its parents that are missing.
Status EnsureStoreDirs(vfs::Store& store, const std::string& dir, int64_t now) {
  size_t start = 0;
  while (start <= dir.size()) {
    size_t slash = dir.find('/', start);
    if (slash == std::string::npos) slash = dir.size();
    const std::string prefix = dir.substr(0, slash);
    vfs::Stat stat;
    Status st = store.GetStat(prefix, &stat);
    if (st.IsNotFound()) {
      st = store.MakeDirectory(prefix, 0755, now);
      if (st.code() == Code::kAlreadyExists) st = Status::Ok();
    } else if (st.ok() && stat.kind != vfs::NodeKind::kDirectory) {
      st = Err(Code::kNotADirectory, prefix + " is not a directory");
    }
    if (!st.ok()) return st;
    start = slash + 1;
  }
  return Status::Ok();
}

std::string Dirname(const std::string& path) {
  const size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Appends to the session log, creating it (and its directory) first.
class LogWriter {
 public:
  LogWriter(vfs::Store& store, std::string path, int64_t now)
      : store_(store), path_(std::move(path)), now_(now) {}
  Status Write(const std::string& bytes) {
    if (bytes.empty()) return Status::Ok();
    if (!checked_) {
      vfs::Stat stat;
      Status st = store_.GetStat(path_, &stat);
      if (st.ok()) {
        exists_ = true;
      } else if (!st.IsNotFound()) {
        return st;
      }
      checked_ = true;
    }
    if (exists_) return store_.AppendFile(path_, bytes, now_);
    Status st = EnsureStoreDirs(store_, Dirname(path_), now_);
    if (st.ok()) st = store_.WriteFile(path_, bytes, 0644, now_);
    if (st.ok()) exists_ = true;
    return st;
  }

 private:
  vfs::Store& store_;
  std::string path_;
  int64_t now_;
  bool checked_ = false;
  bool exists_ = false;
};

constexpr size_t kReadChunk = size_t{1} << 20;
constexpr size_t kFlushBytes = size_t{4} << 20;

// Reads [offset, size) of the transcript, appends its whole lines redacted.
Status CopyLines(int fd, uint64_t offset, uint64_t size, uint64_t max_bytes, LogWriter* writer,
                 CaptureResult* result, uint64_t* consumed) {
  *consumed = offset;
  std::string carry;  // the bytes after the last '\n' read so far
  std::string out;
  std::string chunk;
  uint64_t pos = offset;
  const uint64_t budget = max_bytes == 0 ? UINT64_MAX : max_bytes;
  while (pos < size) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(kReadChunk, size - pos));
    Status st = PreadAll(fd, pos, want, &chunk, &result->bytes_read);
    if (!st.ok()) return st;
    if (chunk.empty()) break;  // the file shrank while we read it
    pos += chunk.size();
    carry.append(chunk);
    const size_t last = carry.rfind('\n');
    if (last == std::string::npos) continue;
    size_t start = 0;
    bool full = false;
    while (start <= last && !full) {
      const size_t nl = carry.find('\n', start);
      out.append(Redact(std::string_view(carry).substr(start, nl - start), &result->redactions));
      out.push_back('\n');
      ++result->lines;
      start = nl + 1;
      full = *consumed + start - offset >= budget;
    }
    *consumed += start;
    carry.erase(0, start);
    if (out.size() >= kFlushBytes) {
      st = writer->Write(out);
      if (!st.ok()) return st;
      out.clear();
    }
    if (full) {
      // What was read past the budget is read again by the next call.
      result->more = *consumed < size;
      break;
    }
  }
  return writer->Write(out);
}

}  // namespace

// ---------------------------------------------------------------- capture
bool CaptureRequestFromHook(const nlohmann::json& hook_request, const Config& config, bool codex,
                            CaptureRequest* out) {
  *out = CaptureRequest();
  auto text = [&hook_request](const char* key) {
    auto it = hook_request.find(key);
    return it != hook_request.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  out->session_id = text("session_id");
  out->transcript_path = text("transcript_path");
  out->cwd = text("cwd");
  out->agent = codex || hook_request.contains("turn_id") ? "codex" : "claude";
  out->home = config.home;
  out->capture_setting = EnvOr("MEMHOOK_CAPTURE", "");
  return !out->session_id.empty() && !out->transcript_path.empty();
}

bool CaptureDisabled(const CaptureRequest& request, std::string* reason) {
  if (request.capture_setting == "0") {
    *reason = "MEMHOOK_CAPTURE=0";
    return true;
  }
  if (request.cwd.empty() || request.cwd.front() != '/') return false;
  const std::string home = request.home.empty() ? "" : NormalisePath(request.home);
  std::string dir = NormalisePath(request.cwd);
  // Up to HOME when the project is below it, else up to the root.
  const bool below_home =
      !home.empty() && home != "/" && (dir == home || dir.rfind(home + "/", 0) == 0);
  while (true) {
    const std::string file = (dir == "/" ? "" : dir) + "/.memhook-ignore";
    if (access(file.c_str(), F_OK) == 0) {
      *reason = file + " exists";
      return true;
    }
    if (dir == "/" || (below_home && dir == home)) return false;
    dir = Dirname(dir);
    if (dir.empty()) dir = "/";
  }
}

Status CaptureTranscript(vfs::Store& store, const CaptureRequest& request, CaptureResult* result) {
  *result = CaptureResult();
  if (!ValidSessionId(request.session_id)) return InvalidSessionId(request.session_id);
  if (CaptureDisabled(request, &result->skip_reason)) {
    result->skipped = true;
    return Status::Ok();
  }
  const int64_t now = request.now_ns >= 0 ? request.now_ns : NowNs();
  Fd fd(open(request.transcript_path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) {
      result->skipped = true;
      result->skip_reason = "no transcript at " + request.transcript_path + " yet";
      return Status::Ok();
    }
    return Err(Code::kIoError,
               "cannot open " + request.transcript_path + ": " + std::strerror(errno));
  }
  struct stat st;
  if (fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
    return Err(Code::kIoError, request.transcript_path + " is not a regular file");
  }
  const std::string key = MetaKey(request.session_id);
  const std::string new_log = "sessions/" + MonthOf(now) + "/" + request.session_id + ".jsonl";

  // Decide without the lock, then check the decision under it: the usual
  // "nothing new" costs no write lock at all, and a change's command line
  // can say what it does (a restart) before it begins.
  for (int attempt = 0;; ++attempt) {
    std::string raw;
    bool found = false;
    Status s = store.GetMeta(key, &raw, &found);
    if (!s.ok()) return s;
    CaptureState old;
    const bool have_state = found && DecodeState(raw, &old);  // unreadable: start afresh
    // The size after the state: another process may have captured past a
    // size measured before it, and that is no shrinking.
    if (fstat(fd.get(), &st) != 0) {
      return Err(Code::kIoError,
                 "cannot stat " + request.transcript_path + ": " + std::strerror(errno));
    }
    const uint64_t size = static_cast<uint64_t>(st.st_size);
    CapturePlan plan;
    s = MakePlan(have_state, old, fd.get(), size, new_log, request.agent, &plan,
                 &result->bytes_read);
    if (!s.ok()) return s;
    result->log_path = plan.state.log;
    result->offset_before = result->offset_after = plan.state.offset;
    result->restarted = plan.restarted;
    if (!plan.restarted && plan.state.offset == size) return Status::Ok();  // nothing new

    std::string command = "capture " + request.transcript_path;
    if (plan.restarted) command += " (" + plan.restart_why + ": taken again from 0)";
    s = store.BeginChange({command, request.session_id, request.cwd, "capture"});
    if (s.ok()) s = store.LockChange();
    std::string locked_raw;
    bool locked_found = false;
    if (s.ok()) s = store.GetMeta(key, &locked_raw, &locked_found);
    if (!s.ok()) {
      store.RollbackChange();
      return s;
    }
    if (locked_found != found || locked_raw != raw) {
      // Another capture committed in between: decide again.
      store.RollbackChange();
      if (attempt < 8) continue;
      return Err(Code::kBusy, "the session is being captured by another process");
    }

    LogWriter writer(store, plan.state.log, now);
    uint64_t consumed = plan.state.offset;
    s = CopyLines(fd.get(), plan.state.offset, size, request.max_bytes, &writer, result, &consumed);
    if (s.ok() && consumed == plan.state.offset && !plan.restarted) {
      store.RollbackChange();  // only part of a line is new: nothing to record
      return Status::Ok();
    }
    CaptureState next = plan.state;
    next.offset = consumed;
    next.tail_len = std::min<uint64_t>(kTailBytes, consumed);
    if (s.ok() && next.tail_len > 0) {
      std::string tail;
      s = PreadAll(fd.get(), consumed - next.tail_len, next.tail_len, &tail, &result->bytes_read);
      if (s.ok() && tail.size() != next.tail_len) {
        s = Err(Code::kIoError, "the transcript shrank while it was captured");
      }
      next.tail_hash = Fnv1a(tail);
    }
    if (s.ok()) s = store.PutMeta(key, EncodeState(next));
    if (s.ok()) s = store.CommitChange(&result->change_id);
    if (!s.ok()) {
      store.RollbackChange();
      *result = CaptureResult();
      return s;
    }
    result->offset_after = consumed;
    return Status::Ok();
  }
}

Status FindSessionLog(vfs::Store& store, const std::string& session_id, std::string* path) {
  path->clear();
  if (!ValidSessionId(session_id)) return InvalidSessionId(session_id);
  std::string raw;
  bool found = false;
  Status st = store.GetMeta(MetaKey(session_id), &raw, &found);
  if (!st.ok()) return st;
  CaptureState state;
  vfs::Stat stat;
  if (found && DecodeState(raw, &state) && store.GetStat(state.log, &stat).ok()) {
    *path = state.log;
    return Status::Ok();
  }
  std::vector<vfs::DirEntry> months;
  st = store.ListDir("sessions", &months);
  if (st.IsNotFound()) return Status::Ok();
  if (!st.ok()) return st;
  for (const vfs::DirEntry& month : months) {
    if (month.stat.kind != vfs::NodeKind::kDirectory) continue;
    const std::string candidate = "sessions/" + month.name + "/" + session_id + ".jsonl";
    if (store.GetStat(candidate, &stat).ok() && stat.kind == vfs::NodeKind::kFile) {
      *path = candidate;
      return Status::Ok();
    }
  }
  return Status::Ok();
}

// ------------------------------------------------------ SessionStart context
namespace {

// `text` cut to at most `max` bytes, not inside a UTF-8 sequence.
std::string CutUtf8(std::string_view text, size_t max) {
  if (text.size() <= max) return std::string(text);
  size_t cut = max;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

size_t CountFiles(vfs::Store& store, const std::string& dir, std::string_view suffix) {
  std::vector<std::string> files;
  if (!store.ListFiles(dir, &files).ok()) return 0;
  return static_cast<size_t>(
      std::count_if(files.begin(), files.end(), [suffix](const std::string& f) {
        return f.size() >= suffix.size() &&
               f.compare(f.size() - suffix.size(), suffix.size(), suffix) == 0;
      }));
}

}  // namespace

std::string SessionStartContext(vfs::Store& store, const std::string& mount,
                                const SessionContextOptions& options) {
  std::vector<std::string> lines;
  lines.push_back("Your long-term memory is the directory " + mount +
                  " (memhook keeps it in a database; it is not on the disk, but ordinary shell "
                  "commands work on it as on any directory: cat, grep -rn, ls, find, head, tail, "
                  "wc, jq, sed, awk, and pipes of them).");
  lines.push_back(
      "Writes to it are recorded: `memhook log` lists them and `memhook undo` takes "
      "the last one back.");
  std::vector<vfs::DirEntry> entries;
  if (store.ListDir("", &entries).ok() && !entries.empty()) {
    lines.push_back("Layout:");
    size_t shown = 0;
    for (const vfs::DirEntry& entry : entries) {
      if (shown++ == options.max_entries) {
        lines.push_back("  ... (" + std::to_string(entries.size() - options.max_entries) +
                        " more)");
        break;
      }
      const bool dir = entry.stat.kind == vfs::NodeKind::kDirectory;
      std::string line = "  " + CutUtf8(entry.name, 80) + (dir ? "/" : "");
      if (dir && entry.name == "sessions") {
        line += " (" + std::to_string(CountFiles(store, "sessions", ".jsonl")) +
                " session logs: sessions/YYYY-MM/<session-id>.jsonl, one JSON object per line)";
      } else if (dir && entry.name == "summaries") {
        line += " (" + std::to_string(CountFiles(store, "summaries", ".md")) +
                " session summaries: summaries/YYYY-MM/<session-id>.md)";
      }
      lines.push_back(line);
    }
  }
  std::vector<vfs::Line> index;
  bool ends_with_newline = false;
  if (options.index_lines > 0 &&
      store.ReadLines("index.md", 1, options.index_lines, &index, &ends_with_newline).ok() &&
      !index.empty()) {
    lines.push_back("The first lines of " + mount + "/index.md:");
    for (const vfs::Line& line : index) lines.push_back("  " + CutUtf8(line.text, 160));
  }
  // Whole lines only, within the budget (the index excerpt comes last, so
  // it is what a small budget cuts).
  std::string text;
  for (const std::string& line : lines) {
    if (text.size() + line.size() + 1 > options.max_bytes) break;
    text += line;
    text += '\n';
  }
  return text;
}

std::string SessionStartHookJson(std::string_view context) {
  nlohmann::ordered_json specific = {{"hookEventName", "SessionStart"},
                                     {"additionalContext", std::string(context)}};
  return nlohmann::ordered_json{{"hookSpecificOutput", specific}}.dump(
             -1, ' ', false, nlohmann::json::error_handler_t::replace) +
         "\n";
}

// -------------------------------------------------------------- summaries
namespace {

struct CommandOutcome {
  std::string spawn_error;  // the command could not be started
  bool timed_out = false;
  int exit_status = -1;  // when it exited
  int signal = 0;        // when a signal ended it
  std::string out;
  std::string err;  // its last bytes
};

constexpr size_t kStderrKept = 4096;

// Runs argv[0] with `input` on its stdin, in a process group of its own,
// for at most `timeout_ms`; `extra_env` entries ("NAME=value") replace or
// add to this process's environment.
CommandOutcome RunWithInput(const std::vector<std::string>& argv,
                            const std::vector<std::string>& extra_env, std::string_view input,
                            int timeout_ms, size_t max_out) {
  CommandOutcome outcome;
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
    const std::string_view entry(*e);
    const std::string_view name = entry.substr(0, entry.find('='));
    const bool replaced =
        std::any_of(extra_env.begin(), extra_env.end(), [name](const std::string& x) {
          return x.compare(0, name.size() + 1, std::string(name) + "=") == 0;
        });
    if (!replaced) env.emplace_back(entry);
  }
  env.insert(env.end(), extra_env.begin(), extra_env.end());
  std::vector<char*> envp;
  for (std::string& e : env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> args = argv;
  std::vector<char*> argp;
  for (std::string& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) {
    outcome.spawn_error = std::strerror(errno);
    return outcome;
  }
  if (pipe2(out, O_CLOEXEC) != 0) {
    outcome.spawn_error = std::strerror(errno);
    close(in[0]);
    close(in[1]);
    return outcome;
  }
  if (pipe2(err, O_CLOEXEC) != 0) {
    outcome.spawn_error = std::strerror(errno);
    for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
    return outcome;
  }
  // A summariser that stops reading its input must not kill us with
  // SIGPIPE: blocked in this thread while we write, then discarded.
  sigset_t pipe_set, old_set;
  sigemptyset(&pipe_set);
  sigaddset(&pipe_set, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_set, &old_set);

  const pid_t pid = fork();
  if (pid == 0) {
    setpgid(0, 0);
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(argp[0], argp.data(), envp.data());
    _exit(127);
  }
  for (int fd : {in[0], out[1], err[1]}) close(fd);
  Fd in_w(in[1]), out_r(out[0]), err_r(err[0]);
  if (pid < 0) {
    outcome.spawn_error = std::string("fork: ") + std::strerror(errno);
    pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
    return outcome;
  }
  setpgid(pid, pid);  // also here: whichever runs first
  fcntl(in_w.get(), F_SETFL, fcntl(in_w.get(), F_GETFL) | O_NONBLOCK);

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  size_t written = 0;
  if (input.empty()) in_w.Reset();
  bool exited = false;
  int status = 0;
  char buffer[65536];
  while (true) {
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) {
      outcome.timed_out = true;
      break;
    }
    const int wait_ms = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count() + 1);
    std::vector<pollfd> fds;
    if (in_w.get() >= 0) fds.push_back({in_w.get(), POLLOUT, 0});
    if (out_r.get() >= 0) fds.push_back({out_r.get(), POLLIN, 0});
    if (err_r.get() >= 0) fds.push_back({err_r.get(), POLLIN, 0});
    if (fds.empty()) {
      // Every pipe is closed: wait for the exit itself.
      const pid_t r = waitpid(pid, &status, WNOHANG);
      if (r == pid) {
        exited = true;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(std::min(wait_ms, 10)));
      continue;
    }
    const int ready = poll(fds.data(), fds.size(), std::min(wait_ms, 1000));
    if (ready < 0 && errno != EINTR) break;
    for (const pollfd& p : fds) {
      if (p.revents == 0) continue;
      if (p.fd == in_w.get()) {
        const ssize_t n = write(p.fd, input.data() + written, input.size() - written);
        if (n > 0) written += static_cast<size_t>(n);
        if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == input.size()) in_w.Reset();
      } else {
        const ssize_t n = read(p.fd, buffer, sizeof buffer);
        if (n < 0 && (errno == EAGAIN || errno == EINTR)) continue;
        if (n <= 0) {
          (p.fd == out_r.get() ? out_r : err_r).Reset();
          continue;
        }
        std::string& sink = p.fd == out_r.get() ? outcome.out : outcome.err;
        sink.append(buffer, static_cast<size_t>(n));
        if (p.fd == out_r.get() && sink.size() > max_out) sink.resize(max_out);
        if (p.fd != out_r.get() && sink.size() > 2 * kStderrKept) {
          sink.erase(0, sink.size() - kStderrKept);
        }
      }
    }
  }
  if (!exited) {
    if (outcome.timed_out) {
      // The whole group: a shell's children too. Politely first.
      kill(-pid, SIGTERM);
      const auto grace = std::chrono::steady_clock::now() + std::chrono::seconds(1);
      while (std::chrono::steady_clock::now() < grace && waitpid(pid, &status, WNOHANG) == 0) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      kill(-pid, SIGKILL);
    }
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
  }
  if (!outcome.timed_out) {
    if (WIFEXITED(status)) outcome.exit_status = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) outcome.signal = WTERMSIG(status);
  }
  // Drop a SIGPIPE our writes raised, then give the thread its mask back.
  sigset_t pending;
  sigpending(&pending);
  if (sigismember(&pending, SIGPIPE)) {
    const timespec zero{0, 0};
    sigtimedwait(&pipe_set, nullptr, &zero);
  }
  pthread_sigmask(SIG_SETMASK, &old_set, nullptr);
  if (outcome.err.size() > kStderrKept) outcome.err.erase(0, outcome.err.size() - kStderrKept);
  return outcome;
}

// The session log as the summariser gets it: whole, or its first quarter
// and last three quarters of `max` bytes (cut at line ends when it can),
// with a line saying what is left out between them.
std::string SummaryInput(const std::string& log, size_t max, bool* cut) {
  *cut = log.size() > max;
  if (!*cut) return log;
  size_t head = max / 4;
  size_t tail = max - head;
  if (const size_t nl = log.rfind('\n', head); nl != std::string::npos && nl > head / 2) {
    head = nl + 1;
  }
  size_t tail_start = log.size() - tail;
  if (const size_t nl = log.find('\n', tail_start);
      nl != std::string::npos && nl + 1 < log.size() && nl - tail_start < tail / 2) {
    tail_start = nl + 1;
  }
  return log.substr(0, head) + "[memhook: " + std::to_string(tail_start - head) +
         " bytes of the session log left out here]\n" + log.substr(tail_start);
}

bool Blank(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; });
}

Status SummaryFailure(const SummarizeOptions& options, const std::string& session_id, int64_t now,
                      Code code, const std::string& message, const std::string& stderr_tail) {
  std::string entry = TimestampOf(now) + " summarize " + session_id + ": " + message + "\n";
  size_t start = 0;
  while (start < stderr_tail.size()) {
    size_t nl = stderr_tail.find('\n', start);
    if (nl == std::string::npos) nl = stderr_tail.size();
    entry += "  | " + stderr_tail.substr(start, nl - start) + "\n";
    start = nl + 1;
  }
  AppendLog(options.state_dir, "summarize.log", entry);
  return Err(code, message);
}

std::string SelfExe() {
  std::vector<char> buffer(4096);
  const ssize_t n = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  return n > 0 ? std::string(buffer.data(), static_cast<size_t>(n)) : "memhook";
}

std::string QueueDir(const SummarizeOptions& options) {
  return options.state_dir + "/summarize-queue";
}

// The queued session ids, oldest first.
std::vector<std::string> QueuedSessions(const SummarizeOptions& options) {
  std::vector<std::pair<int64_t, std::string>> queued;
  const std::string dir = QueueDir(options);
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return {};
  while (dirent* entry = readdir(d)) {
    if (!ValidSessionId(entry->d_name)) continue;
    struct stat st;
    if (stat((dir + "/" + entry->d_name).c_str(), &st) != 0 || !S_ISREG(st.st_mode)) continue;
    queued.emplace_back(int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec,
                        entry->d_name);
  }
  closedir(d);
  std::sort(queued.begin(), queued.end());
  std::vector<std::string> ids;
  for (auto& q : queued) ids.push_back(std::move(q.second));
  return ids;
}

Fd OpenLock(const SummarizeOptions& options) {
  if (!MakeHostDirs(options.state_dir)) return Fd();
  return Fd(
      open((options.state_dir + "/summarize.lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600));
}

// Summarises `session_id` on a store of its own (opened for this session
// only: a drainer runs for long, and must not hold a connection meanwhile).
Status SummarizeWithStore(const Config& config, const SummarizeOptions& options,
                          const std::string& session_id, SummarizeResult* result) {
  Status status;
  std::unique_ptr<vfs::Store> store =
      vfs::OpenSqliteStore(config.db_path, WritableStoreOptions(config), &status);
  if (!store) {
    const int64_t now = options.now_ns >= 0 ? options.now_ns : NowNs();
    return SummaryFailure(options, session_id, now, status.code(), status.message(), "");
  }
  return Summarize(*store, session_id, options, result);
}

int DrainQueue(const Config& config, const SummarizeOptions& options) {
  Fd lock = OpenLock(options);
  if (lock.get() < 0) return 1;
  while (true) {
    if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) return 0;  // another drainer has it
    for (std::vector<std::string> queued = QueuedSessions(options); !queued.empty();
         queued = QueuedSessions(options)) {
      SummarizeResult result;
      (void)SummarizeWithStore(config, options, queued.front(), &result);  // failures are logged
      unlink((QueueDir(options) + "/" + queued.front()).c_str());
    }
    flock(lock.get(), LOCK_UN);
    // A session queued after our last look, whose own drainer found the
    // lock still held, is ours: look again now that it is free.
    if (QueuedSessions(options).empty()) return 0;
  }
}

}  // namespace

SummarizeOptions SummarizeOptionsFromEnvironment(const Config& config) {
  SummarizeOptions options;
  options.command = EnvOr("MEMHOOK_SUMMARIZE_COMMAND", options.command);
  const std::string timeout = EnvOr("MEMHOOK_SUMMARIZE_TIMEOUT", "");
  if (!timeout.empty() && timeout.size() <= 6 &&
      timeout.find_first_not_of("0123456789") == std::string::npos && std::stoi(timeout) > 0) {
    options.timeout_ms = std::stoi(timeout) * 1000;
  }
  options.state_dir = EnvOr("XDG_STATE_HOME", config.home + "/.local/state") + "/memhook";
  return options;
}

Status Summarize(vfs::Store& store, const std::string& session_id, const SummarizeOptions& options,
                 SummarizeResult* result) {
  *result = SummarizeResult();
  const int64_t now = options.now_ns >= 0 ? options.now_ns : NowNs();
  if (!ValidSessionId(session_id)) return InvalidSessionId(session_id);
  std::string log_path;
  Status st = FindSessionLog(store, session_id, &log_path);
  if (!st.ok()) return SummaryFailure(options, session_id, now, st.code(), st.message(), "");
  if (log_path.empty()) {
    return SummaryFailure(options, session_id, now, Code::kNotFound,
                          "no session log for " + session_id, "");
  }
  std::string log;
  st = store.ReadFile(log_path, &log);
  if (!st.ok()) return SummaryFailure(options, session_id, now, st.code(), st.message(), "");
  const std::string input = SummaryInput(log, options.max_input_bytes, &result->input_cut);
  log.clear();
  result->input_bytes = input.size();

  const CommandOutcome run = RunWithInput(
      {"/bin/sh", "-c", options.command + " \"$@\"", "memhook-summarize", kSummaryPrompt},
      {"MEMHOOK_CAPTURE=0", "MEMHOOK_SUMMARIZING=1"}, input, options.timeout_ms,
      options.max_output_bytes);
  std::string failure;
  if (!run.spawn_error.empty()) {
    failure = "cannot run the summariser: " + run.spawn_error;
  } else if (run.timed_out) {
    failure = "the summariser (" + options.command + ") did not finish within " +
              std::to_string(options.timeout_ms) + " ms and was killed";
  } else if (run.signal != 0) {
    failure = "the summariser (" + options.command + ") was killed by signal " +
              std::to_string(run.signal);
  } else if (run.exit_status != 0) {
    failure = "the summariser (" + options.command + ") exited with status " +
              std::to_string(run.exit_status);
  } else if (Blank(run.out)) {
    failure = "the summariser (" + options.command + ") printed nothing";
  }
  if (!failure.empty()) {
    return SummaryFailure(options, session_id, now, Code::kIoError, failure, run.err);
  }

  std::string summary = run.out;
  if (summary.back() != '\n') summary += '\n';
  // The session's month: sessions/<YYYY-MM>/<id>.jsonl.
  const std::string month_dir = Dirname(log_path);
  const std::string month = month_dir.substr(month_dir.rfind('/') + 1);
  result->summary_path = "summaries/" + month + "/" + session_id + ".md";
  st = store.BeginChange(
      {"memhook summarize " + session_id, session_id, CurrentDirectory(), "summarize"});
  if (st.ok()) st = EnsureStoreDirs(store, "summaries/" + month, now);
  if (st.ok()) st = store.WriteFile(result->summary_path, summary, 0644, now);
  if (st.ok()) st = store.CommitChange(&result->change_id);
  if (!st.ok()) {
    store.RollbackChange();
    return SummaryFailure(options, session_id, now, st.code(),
                          "cannot save the summary: " + st.message(), "");
  }
  return Status::Ok();
}

int RunSummarize(const Config& config, const SummarizeOptions& options,
                 const std::vector<std::string>& args) {
  if (args.size() != 1) {
    std::fputs("usage: memhook summarize SESSION_ID | --queue\n", stderr);
    return 2;
  }
  if (args[0] == "--queue") return DrainQueue(config, options);
  const std::string& session_id = args[0];
  if (!ValidSessionId(session_id)) {
    std::fprintf(stderr, "memhook: summarize: %s\n",
                 InvalidSessionId(session_id).message().c_str());
    return 2;
  }
  Fd lock = OpenLock(options);
  if (lock.get() < 0) {
    std::fprintf(stderr, "memhook: summarize: cannot create %s/summarize.lock: %s\n",
                 options.state_dir.c_str(), std::strerror(errno));
    return 1;
  }
  if (flock(lock.get(), LOCK_EX | LOCK_NB) != 0) {
    std::fputs("memhook: summarize: waiting for the summariser already running\n", stderr);
    while (flock(lock.get(), LOCK_EX) != 0 && errno == EINTR) {
    }
  }
  SummarizeResult result;
  const Status st = SummarizeWithStore(config, options, session_id, &result);
  unlink((QueueDir(options) + "/" + session_id).c_str());  // done: no need to queue it again
  if (!st.ok()) {
    std::fprintf(stderr, "memhook: summarize: %s\n", st.message().c_str());
    return 1;
  }
  std::printf("%s/%s\n", config.mount.c_str(), result.summary_path.c_str());
  return 0;
}

Status StartSummaryDetached(const SummarizeOptions& options, const std::string& session_id,
                            const std::vector<std::string>& drainer_argv) {
  if (!ValidSessionId(session_id)) return InvalidSessionId(session_id);
  if (!MakeHostDirs(QueueDir(options))) {
    return Err(Code::kIoError, "cannot create " + QueueDir(options) + ": " + std::strerror(errno));
  }
  const std::string entry = QueueDir(options) + "/" + session_id;
  {
    Fd fd(open(entry.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
    if (fd.get() < 0) {
      return Err(Code::kIoError, "cannot create " + entry + ": " + std::strerror(errno));
    }
  }
  std::vector<std::string> args = drainer_argv;
  if (args.empty()) args = {SelfExe(), "summarize", "--queue"};
  std::vector<char*> argp;
  for (std::string& a : args) argp.push_back(a.data());
  argp.push_back(nullptr);

  // Only async-signal-safe calls between fork and exec.
  const pid_t child = fork();
  if (child < 0) return Err(Code::kIoError, std::string("fork: ") + std::strerror(errno));
  if (child == 0) {
    setsid();  // no controlling terminal, no signal from the agent's group
    const pid_t grandchild = fork();
    if (grandchild != 0) _exit(grandchild < 0 ? 1 : 0);
    const int null = open("/dev/null", O_RDWR);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
      dup2(null, 2);
    }
    if (close_range(3, ~0U, 0) != 0) {
      for (int fd = 3; fd < 1024; ++fd) close(fd);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execv(argp[0], argp.data());
    _exit(127);
  }
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return Err(Code::kIoError, "cannot start the summariser in the background");
  }
  return Status::Ok();
}

// ------------------------------------------------------------ hook events
namespace {

constexpr std::string_view kSessionEvents[] = {"SessionStart", "UserPromptSubmit", "PreCompact",
                                               "Stop",         "SubagentStop",     "SessionEnd"};
// One capture call's share of the transcript, and the time the hook spends
// capturing before it leaves the rest to the next event (the hook's own
// watchdog stops it at 20 s).
constexpr uint64_t kHookCaptureBytes = uint64_t{8} << 20;
constexpr auto kHookCaptureTime = std::chrono::seconds(10);

std::string EventOf(const nlohmann::json& request) {
  auto it = request.find("hook_event_name");
  return it != request.end() && it->is_string() ? it->get<std::string>() : std::string();
}

}  // namespace

bool IsSessionEvent(const nlohmann::json& request) {
  const std::string event = EventOf(request);
  return std::find(std::begin(kSessionEvents), std::end(kSessionEvents), event) !=
         std::end(kSessionEvents);
}

HookOutput HandleSessionEvent(const nlohmann::json& request, const Config& config) {
  HookOutput output;
  // The summariser's own agent session (claude -p) is neither captured nor
  // told about the memory.
  if (EnvOr("MEMHOOK_SUMMARIZING", "") == "1") return output;
  const std::string event = EventOf(request);
  const SummarizeOptions summarize = SummarizeOptionsFromEnvironment(config);
  auto log_error = [&](const std::string& what) {
    AppendLog(summarize.state_dir, "capture.log",
              TimestampOf(NowNs()) + " " + event + ": " + what + "\n");
  };
  try {
    CaptureRequest capture;
    const bool capturing = CaptureRequestFromHook(request, config, config.codex, &capture);
    // Most of a session's events are PostToolUse, one per tool call: one
    // that cannot capture anything opens no store.
    std::string reason;
    if (event == "PostToolUse" && (!capturing || CaptureDisabled(capture, &reason))) return output;
    Status status;
    std::unique_ptr<vfs::Store> store =
        vfs::OpenSqliteStore(config.db_path, WritableStoreOptions(config), &status);
    if (!store) {
      log_error("cannot open " + config.db_path + ": " + status.message());
      return output;
    }
    if (capturing) {
      capture.max_bytes = kHookCaptureBytes;
      const auto start = std::chrono::steady_clock::now();
      CaptureResult result;
      uint64_t bytes = 0;
      do {
        status = CaptureTranscript(*store, capture, &result);
        bytes += result.offset_after - result.offset_before;
      } while (status.ok() && result.more &&
               std::chrono::steady_clock::now() - start < kHookCaptureTime);
      if (!status.ok()) log_error("capture of " + capture.session_id + ": " + status.message());
      if (!status.ok() || bytes > 0) {
        output.log_call = true;  // the caller fills in the time and latency
        output.call.event = event;
        output.call.route = "capture";
        output.call.kind = capture.agent;
        output.call.bytes = static_cast<int64_t>(bytes);
        output.call.status = status.ok() ? 0 : 1;
        output.call.error = status.ok() ? "" : status.message();
      }
      if (event == "SessionEnd" && !result.skipped && EnvOr("MEMHOOK_SUMMARIZE", "1") != "0") {
        std::string log_path;
        if (FindSessionLog(*store, capture.session_id, &log_path).ok() && !log_path.empty()) {
          status = StartSummaryDetached(summarize, capture.session_id);
          if (!status.ok()) log_error("summary of " + capture.session_id + ": " + status.message());
        }
      }
    }
    if (event == "SessionStart") {
      output.stdout_text = SessionStartHookJson(SessionStartContext(*store, config.mount));
      if (!output.log_call) {
        output.log_call = true;
        output.call.event = event;
        output.call.route = "context";
        output.call.bytes = static_cast<int64_t>(output.stdout_text.size());
      }
    }
  } catch (const std::exception& e) {
    log_error(std::string("internal error: ") + e.what());
    output = HookOutput();
  }
  return output;
}

}  // namespace memhook::interceptor
