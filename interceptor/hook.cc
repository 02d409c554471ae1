#include "interceptor/hook.h"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <sys/random.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <iostream>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <vector>

#include "interceptor/capture.h"
#include "interceptor/doctor.h"
#include "interceptor/file_tools.h"
#include "interceptor/history_cli.h"
#include "interceptor/install.h"
#include "interceptor/paths.h"
#include "interceptor/server.h"
#include "interceptor/stats.h"
#include "vfs/vfs.h"

namespace memhook::interceptor {
// Declared in interceptor/paths.h.
std::string NormalisePath(const std::string& path) {
  std::vector<std::string> stack;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string::npos) slash = path.size();
    std::string part = path.substr(start, slash - start);
    if (part == "..") {
      if (!stack.empty()) stack.pop_back();
    } else if (!part.empty() && part != ".") {
      stack.push_back(part);
    }
    start = slash + 1;
  }
  std::string out;
  for (const std::string& s : stack) out += "/" + s;
  return out.empty() ? "/" : out;
}

namespace {

std::string EnvOr(const char* name, const std::string& fallback) {
  const char* value = std::getenv(name);
  return value != nullptr && *value != '\0' ? std::string(value) : fallback;
}

std::string ExpandTilde(const std::string& path, const std::string& home) {
  if (path == "~") return home;
  if (path.rfind("~/", 0) == 0) return home + path.substr(1);
  return path;
}

std::string CurrentDirectory() {
  std::vector<char> buffer(4096);
  if (getcwd(buffer.data(), buffer.size()) == nullptr) return "/";
  return buffer.data();
}

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

// How the hook, `run` and `explain` open the store: read-only, never
// creating it (a missing store is an error for the agent to see).
vfs::StoreOptions ReadOnlyStoreOptions(bool trace = false) {
  vfs::StoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  options.trace = trace;
  // A second reader for large recursive reads; not when tracing, so that
  // `explain` shows every statement.
  options.parallel_reads = !trace;
  return options;
}

// Owns an open Store for one process; opened lazily by the engine.
class LazyStore {
 public:
  LazyStore(const Config& config, vfs::StoreOptions options) : config_(config), options_(options) {}
  vfs::Store* Open(std::string* error) {
    if (store_) return store_.get();
    vfs::Status status;
    store_ = vfs::OpenSqliteStore(config_.db_path, options_, &status);
    if (!store_) *error = status.message();
    return store_.get();
  }
  // The store, if it was opened, for the caller to close.
  std::unique_ptr<vfs::Store> Release() { return std::move(store_); }

 private:
  const Config& config_;
  vfs::StoreOptions options_;
  std::unique_ptr<vfs::Store> store_;
};

// 128 random bits from the kernel, in hex; empty when the kernel cannot
// give them (no predictable fallback: the caller then fails closed).
std::string RandomToken() {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof bytes) {
    ssize_t n = getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return "";
    }
    got += static_cast<size_t>(n);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

// Removes spooled answers nobody replayed (denied or abandoned commands).
void SweepSpool(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  // An allowed answer is replayed within seconds; ten minutes covers a
  // permission prompt left open.
  time_t cutoff = time(nullptr) - 10 * 60;
  while (dirent* entry = readdir(d)) {
    if (entry->d_name[0] == '.') continue;
    std::string path = dir + "/" + entry->d_name;
    struct stat st;
    if (lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_mtime < cutoff) {
      unlink(path.c_str());
    }
  }
  closedir(d);
}

// Copies the first `size` bytes of `fd` to `out` (sendfile where `out`
// takes it). A closed output is not an error of ours, as for WriteAll.
void CopySpill(int fd, uint64_t size, int out) {
  off_t offset = 0;
  while (size > 0) {
    ssize_t n = sendfile(out, fd, &offset, std::min<uint64_t>(size, 1u << 30));
    if (n > 0) {
      size -= static_cast<uint64_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EINVAL || errno == ENOSYS)) break;
    return;
  }
  std::string buffer(1 << 16, '\0');
  while (size > 0) {
    ssize_t n = pread(fd, buffer.data(), std::min<uint64_t>(size, buffer.size()), offset);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || !WriteAll(out, std::string_view(buffer.data(), static_cast<size_t>(n)))) return;
    offset += n;
    size -= static_cast<uint64_t>(n);
  }
}

// Creates a new private spool file; returns its descriptor, or -1 (and
// *error).
int CreateSpoolFile(const Config& config, std::string* token, std::string* error) {
  if (!EnsurePrivateDirectory(config.spool_dir, error)) return -1;
  SweepSpool(config.spool_dir);
  *token = RandomToken();
  if (token->empty()) {
    *error = std::string("no random bytes for a spool token: ") + std::strerror(errno);
    return -1;
  }
  std::string path = config.spool_dir + "/" + *token;
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) *error = "cannot create " + path + ": " + std::strerror(errno);
  return fd;
}

// The spool file a large stdout goes to while the command runs, so that
// the hook never holds it whole (fastpath::RunFlags::open_stdout_spill).
// Its header has a fixed width, reserved first and written last, in the
// layout memhook-replay reads ("%d %llu %llu": leading zeros are fine).
class AnswerSpill {
 public:
  explicit AnswerSpill(const Config& config) : config_(config) {}
  ~AnswerSpill() {
    if (fd_ >= 0) close(fd_);
    if (!token_.empty() && !kept_) unlink((config_.spool_dir + "/" + token_).c_str());
  }
  AnswerSpill(const AnswerSpill&) = delete;
  AnswerSpill& operator=(const AnswerSpill&) = delete;

  // The callback: the file, positioned after the reserved header; -1 when
  // it cannot be made (stdout then stays in memory).
  int Open() {
    std::string error;
    fd_ = CreateSpoolFile(config_, &token_, &error);
    if (fd_ < 0) {
      token_.clear();
      return -1;
    }
    const std::string blank(kHeaderBytes, ' ');
    if (!WriteAll(fd_, blank)) return -1;
    return fd_;
  }

  // Appends stderr and the header: the file is then a whole answer, kept
  // for memhook-replay. False (and *error) on a write error.
  bool Finish(const fastpath::Answer& answer, std::string* token, std::string* error) {
    char header[kHeaderBytes + 1];
    std::snprintf(header, sizeof header, "%s%03d %020llu %020llu\n", kMagic, answer.status & 255,
                  static_cast<unsigned long long>(answer.out_spilled),
                  static_cast<unsigned long long>(answer.err.size()));
    if (fd_ < 0 || !WriteAll(fd_, answer.err) ||
        pwrite(fd_, header, kHeaderBytes, 0) != static_cast<ssize_t>(kHeaderBytes)) {
      *error = "cannot write the spooled answer: " + std::string(std::strerror(errno));
      return false;
    }
    kept_ = true;
    *token = token_;
    return true;
  }

 private:
  static constexpr char kMagic[] = "memhook-answer v1\n";
  // The magic, then "SSS OOOOOOOOOOOOOOOOOOOO EEEEEEEEEEEEEEEEEEEE\n".
  static constexpr size_t kHeaderBytes = sizeof kMagic - 1 + 3 + 1 + 20 + 1 + 20 + 1;

  const Config& config_;
  int fd_ = -1;
  std::string token_;
  bool kept_ = false;
};

// Spool file layout: "memhook-answer v1\n<status> <out bytes> <err bytes>\n" out err.
bool WriteSpool(const fastpath::Answer& answer, const Config& config, std::string* token,
                std::string* error) {
  int fd = CreateSpoolFile(config, token, error);
  if (fd < 0) return false;
  std::string path = config.spool_dir + "/" + *token;
  std::string header = "memhook-answer v1\n" + std::to_string(answer.status) + " " +
                       std::to_string(answer.out.size()) + " " + std::to_string(answer.err.size()) +
                       "\n";
  bool ok = WriteAll(fd, header) && WriteAll(fd, answer.out) && WriteAll(fd, answer.err);
  ok = (close(fd) == 0) && ok;
  if (!ok) {
    *error = "cannot write " + path;
    unlink(path.c_str());
  }
  return ok;
}

int Replay(const Config& config, const std::string& token) {
  if (token.empty() || token.find_first_not_of("0123456789abcdef") != std::string::npos) {
    std::fprintf(stderr, "memhook: replay: invalid token\n");
    return 1;
  }
  std::string path = config.spool_dir + "/" + token;
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    std::fprintf(stderr, "memhook: replay: the answer %s is gone (%s)\n", path.c_str(),
                 std::strerror(errno));
    return 1;
  }
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
      (st.st_mode & 077) != 0) {
    close(fd);
    std::fprintf(stderr, "memhook: replay: %s is not a private answer of this user\n",
                 path.c_str());
    return 1;
  }
  std::string data;
  char buffer[1 << 16];
  ssize_t n;
  while ((n = read(fd, buffer, sizeof buffer)) > 0) data.append(buffer, static_cast<size_t>(n));
  close(fd);
  unlink(path.c_str());
  int status = 0;
  unsigned long long out_size = 0, err_size = 0;
  size_t header_end = data.find('\n', data.find('\n') + 1);
  if (data.rfind("memhook-answer v1\n", 0) != 0 || header_end == std::string::npos ||
      std::sscanf(data.c_str() + 18, "%d %llu %llu", &status, &out_size, &err_size) != 3 ||
      header_end + 1 + out_size + err_size != data.size()) {
    std::fprintf(stderr, "memhook: replay: %s is not a memhook answer\n", path.c_str());
    return 1;
  }
  std::string_view body(data);
  body.remove_prefix(header_end + 1);
  WriteAll(1, body.substr(0, out_size));
  WriteAll(2, body.substr(out_size, err_size));
  return status;
}

std::string SelfPath() {
  std::vector<char> buffer(4096);
  ssize_t n = readlink("/proc/self/exe", buffer.data(), buffer.size() - 1);
  if (n <= 0) return "memhook";
  return std::string(buffer.data(), static_cast<size_t>(n));
}

// The engine's flags for a command run by the hook or by `memhook run`.
fastpath::RunFlags MakeRunFlags(const Config& config, bool allow_host) {
  fastpath::RunFlags flags;
  flags.fast_path = config.fast_path;
  flags.allow_host = allow_host;
  flags.allow_writes = allow_host;  // both only under `memhook run`
  flags.shell_millis = allow_host ? 0 : 10'000;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) flags.environment.emplace_back(*e);
  return flags;
}

// Well-formed UTF-8 (no overlongs, surrogates or code points past U+10FFFF),
// which JSON carries unchanged.
bool IsUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    size_t len = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
    if (len == 0 || c > 0xF4 || i + len > s.size()) return false;
    unsigned char c1 = static_cast<unsigned char>(s[i + 1]);
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
        (c == 0xF4 && c1 > 0x8F))
      return false;
    for (size_t k = 1; k < len; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xC0) != 0x80) return false;
    }
    i += len;
  }
  return true;
}

fastpath::Answer Diagnostic(std::string message, int status) {
  fastpath::Answer answer;
  answer.route = fastpath::Route::kNextTier;
  answer.err = "memhook: " + message + "\n";
  answer.status = status;
  return answer;
}

fastpath::Answer NextTierAnswer(const fastpath::Answer& routed) {
  fastpath::Answer answer =
      Diagnostic("not answered: " + routed.reason + " is not supported yet", 126);
  answer.writes = routed.writes;
  return answer;
}

}  // namespace

Config ConfigFromEnvironment() {
  Config config;
  // The hook starts once per agent command: no passwd lookup unless $HOME
  // is missing, no readlink until an answer is spooled.
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') {
    config.home = home;
  } else if (passwd* pw = getpwuid(geteuid()); pw != nullptr && pw->pw_dir != nullptr) {
    config.home = pw->pw_dir;
  } else {
    config.home = "/";
  }
  config.mount =
      NormalisePath(ExpandTilde(EnvOr("MEMHOOK_MOUNT", "~/.memhook/memory"), config.home));
  std::string data_home = EnvOr("XDG_DATA_HOME", config.home + "/.local/share");
  config.db_path = ExpandTilde(EnvOr("MEMHOOK_DB", data_home + "/memhook/memhook.db"), config.home);
  config.grep_rank_bm25 = EnvOr("MEMHOOK_GREP_RANK", "") == "bm25";
  config.fast_path = EnvOr("MEMHOOK_FASTPATH", "1") != "0";
  config.spool_dir = EnvOr("XDG_RUNTIME_DIR", "/tmp") + "/memhook-" + std::to_string(geteuid());
  config.allow_memory_writes = EnvOr("MEMHOOK_ALLOW_MEMORY_WRITES", "0") == "1";
  // A malformed number keeps the default rather than failing every command.
  auto number = [](const char* name, uint64_t fallback) {
    const std::string text = EnvOr(name, "");
    if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != text.npos)
      return fallback;
    return static_cast<uint64_t>(std::stoull(text));
  };
  config.history_max_versions = number("MEMHOOK_HISTORY_VERSIONS", config.history_max_versions);
  config.history_max_bytes = number("MEMHOOK_HISTORY_BYTES", config.history_max_bytes);
  return config;
}

vfs::StoreOptions WritableStoreOptions(const Config& config) {
  vfs::StoreOptions options;
  options.history_max_versions = config.history_max_versions;
  options.history_max_bytes = config.history_max_bytes;
  return options;
}

fastpath::EngineOptions MakeEngineOptions(const Config& config, const std::string& cwd) {
  fastpath::EngineOptions options;
  options.mount = config.mount;
  options.home = config.home;
  options.cwd = NormalisePath(cwd.empty() ? CurrentDirectory() : cwd);
  options.grep_rank_bm25 = config.grep_rank_bm25;
  options.now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  return options;
}

void FillOwner(fastpath::EngineOptions* options) {
  if (passwd* pw = getpwuid(geteuid()); pw != nullptr) {
    options->owner = pw->pw_name;
  } else {
    options->owner = std::to_string(geteuid());
  }
  if (group* gr = getgrgid(getegid()); gr != nullptr) {
    options->group = gr->gr_name;
  } else {
    options->group = std::to_string(getegid());
  }
}

std::string ShellQuote(std::string_view text) {
  std::string out = "'";
  for (char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

// The command that replays spool file `token`. The small memhook-replay
// beside this binary starts several times faster than memhook itself;
// `memhook replay` is the fallback.
std::string ReplayCommand(const Config& config, const std::string& token) {
  std::string self = config.self_path.empty() ? SelfPath() : config.self_path;
  std::string replayer = self.substr(0, self.rfind('/') + 1) + "memhook-replay";
  if (access(replayer.c_str(), X_OK) == 0)
    return ShellQuote(replayer) + " " + ShellQuote(config.spool_dir + "/" + token);
  return ShellQuote(self) + " replay " + token;
}

bool EncodeReplay(const fastpath::Answer& answer, const Config& config, std::string* command,
                  std::string* error) {
  // The hook's JSON carries text: bytes that are not UTF-8 (a Latin-1
  // file) would become U+FFFD, so such answers are spooled, byte-exact.
  bool has_nul = answer.out.find('\0') != std::string::npos ||
                 answer.err.find('\0') != std::string::npos || !IsUtf8(answer.out) ||
                 !IsUtf8(answer.err);
  // Quoting at most quadruples a byte ('\''), so larger answers cannot fit.
  if (!has_nul && answer.out.size() + answer.err.size() <= config.inline_limit) {
    std::string parts;
    auto add = [&parts](const std::string& part) { parts += (parts.empty() ? "" : "; ") + part; };
    if (!answer.out.empty()) add("printf '%s' " + ShellQuote(answer.out));
    if (!answer.err.empty()) add("printf '%s' " + ShellQuote(answer.err) + " >&2");
    if (answer.status != 0) add("(exit " + std::to_string(answer.status & 255) + ")");
    if (parts.size() <= config.inline_limit) {
      *command = parts.empty() ? ":" : parts;
      return true;
    }
  }
  std::string token;
  if (!WriteSpool(answer, config, &token, error)) return false;
  *command = ReplayCommand(config, token);
  return true;
}

// The opt-in check of Config::allow_memory_writes: the command, run in a
// change that is always rolled back with host access denied, completes.
// Then it reads and writes nothing but the memory, and `memhook run` will
// do the same writes (modulo what other writers change meanwhile).
bool WritesOnlyMemory(const std::string& command, const fastpath::EngineOptions& options,
                      const Config& config, fastpath::Engine& engine) {
  vfs::Status status;
  std::unique_ptr<vfs::Store> store = vfs::OpenSqliteStore(config.db_path, {}, &status);
  if (!store || !store->BeginChange({command, "", options.cwd, "dry run"}).ok()) return false;
  fastpath::RunFlags flags = MakeRunFlags(config, false);
  flags.allow_writes = true;
  fastpath::Answer answer = engine.Run(
      command, options, [&store](std::string*) { return store.get(); }, flags);
  store->RollbackChange();
  return answer.route == fastpath::Route::kFastPath || answer.route == fastpath::Route::kShell;
}

namespace {

// One parsed request (HandleHook's body).
// `used_store`, when given, receives the store the answer opened, for the
// caller to close once the answer is out: closing unmaps what a large read
// mapped, which takes milliseconds the agent need not wait for.
HookOutput HandleHookRequest(const nlohmann::json& request, const Config& config,
                             std::unique_ptr<vfs::Store>* used_store = nullptr) {
  HookOutput output;
  try {
    // Session events (capture, SessionStart context, summaries): capture.cc.
    if (IsSessionEvent(request)) return HandleSessionEvent(request, config);
    // After a tool call: a Write/Edit of a memory file is imported
    // (file_tools.cc), then the transcript's new lines are captured. The
    // file tool's answer (an import error) is what the agent sees.
    if (auto event = request.find("hook_event_name");
        event != request.end() && *event == "PostToolUse") {
      HookOutput imported = HandleFileTool(request, config);
      HookOutput captured = HandleSessionEvent(request, config);
      if (captured.log_call) {
        if (imported.log_call) {
          imported.more_calls.push_back(std::move(captured.call));
        } else {
          imported.log_call = true;
          imported.call = std::move(captured.call);
        }
      }
      return imported;
    }
    // The agent's file tools and PostToolUse: file_tools.cc.
    if (IsFileToolRequest(request)) return HandleFileTool(request, config);
    auto tool = request.find("tool_name");
    if (tool == request.end() || !tool->is_string() || *tool != "Bash") return output;
    auto input = request.find("tool_input");
    if (input == request.end() || !input->is_object()) return output;
    auto command_it = input->find("command");
    if (command_it == input->end() || !command_it->is_string()) return output;
    std::string command = command_it->get<std::string>();
    std::string cwd;
    if (auto it = request.find("cwd"); it != request.end() && it->is_string())
      cwd = it->get<std::string>();

    fastpath::EngineOptions options = MakeEngineOptions(config, cwd);
    if (!fastpath::MayTouchMount(command, options)) return output;
    // GNU tools sort and classify characters by the environment's locale.
    // Loading it costs a pass-through command a quarter of a millisecond,
    // so only commands that may touch the mount pay it.
    std::setlocale(LC_ALL, "");
    FillOwner(&options);

    fastpath::Engine engine;
    LazyStore store(config, ReadOnlyStoreOptions());
    AnswerSpill spill(config);
    fastpath::RunFlags flags = MakeRunFlags(config, false);
    flags.open_stdout_spill = [&spill] { return spill.Open(); };
    fastpath::Answer answer = engine.Run(
        command, options, [&store](std::string* error) { return store.Open(error); }, flags);
    if (answer.route == fastpath::Route::kPassThrough) return output;
    output.log_call = true;
    output.call.event = "PreToolUse";
    output.call.route = fastpath::RouteName(answer.route);
    output.call.kind = CommandKind(command);
    output.call.bytes =
        static_cast<int64_t>(answer.out_spilled + answer.out.size() + answer.err.size());
    output.call.status = answer.status;
    if (answer.route == fastpath::Route::kNextTier) output.call.error = answer.reason;
    if (used_store != nullptr) *used_store = store.Release();

    std::string session_id;
    if (auto it = request.find("session_id"); it != request.end() && it->is_string())
      session_id = it->get<std::string>();
    const bool codex = config.codex || request.contains("turn_id");
    const bool writes = answer.writes;
    const std::string reason =
        std::string("memhook: ") + fastpath::RouteName(answer.route) + " (" + answer.reason + ")";
    const bool answered =
        answer.route == fastpath::Route::kFastPath || answer.route == fastpath::Route::kShell;
    const bool run_later = answer.route == fastpath::Route::kRun;
    std::string rewritten, error;
    if (run_later) {
      // Reads host files or runs host programs: not here, but by `memhook
      // run` once the agent's permission flow has allowed the command.
      std::string self = config.self_path.empty() ? SelfPath() : config.self_path;
      rewritten = ShellQuote(self) + " run --cwd " + ShellQuote(options.cwd) +
                  (session_id.empty() ? "" : " --session " + ShellQuote(session_id)) + " -c " +
                  ShellQuote(command);
      if (codex) {
        // Codex would ignore the rewrite without "allow", and run the
        // original on the disk: block it and hand the agent the command.
        output.stderr_text = "memhook: this command " +
                             std::string(writes ? "writes to" : "reads host files beside") +
                             " the memory at " + config.mount +
                             ", which is not on the disk; run it through memhook instead "
                             "(your approval flow applies):\n" +
                             rewritten + "\n";
        output.exit_code = 2;
        return output;
      }
    } else {
      fastpath::Answer replay = answered ? std::move(answer) : NextTierAnswer(answer);
      std::string token;
      if (replay.out_spilled > 0 && spill.Finish(replay, &token, &error)) {
        rewritten = ReplayCommand(config, token);
      } else if (replay.out_spilled > 0 || !EncodeReplay(replay, config, &rewritten, &error)) {
        replay = Diagnostic("cannot deliver the answer: " + error, 126);
        EncodeReplay(replay, config, &rewritten, &error);
      }
    }
    nlohmann::json updated = *input;
    updated["command"] = rewritten;
    nlohmann::json specific = {
        {"hookEventName", "PreToolUse"},
        {"permissionDecisionReason", reason},
        {"updatedInput", updated},
    };
    // A read answered from the store needs no prompt; anything that would
    // write stays under the agent's normal permission flow.
    if (!writes && !run_later) specific["permissionDecision"] = "allow";
    if (writes && config.allow_memory_writes &&
        WritesOnlyMemory(command, options, config, engine)) {
      specific["permissionDecision"] = "allow";
      specific["permissionDecisionReason"] =
          reason + "; its writes stay in the memory (undo: memhook undo)";
    }
    output.stdout_text = nlohmann::json{{"hookSpecificOutput", specific}}.dump(
                             -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                         "\n";
  } catch (const std::exception& e) {
    output = HookOutput{};
    output.stderr_text = std::string("memhook: hook failed: ") + e.what() + "\n";
    output.exit_code = 1;
  }
  return output;
}

HookOutput HookFailure(const std::exception& e) {
  HookOutput output;
  output.stderr_text = std::string("memhook: hook failed: ") + e.what() + "\n";
  output.exit_code = 1;
  return output;
}

// Parses a request: false (and *output, the failure) when it is not a JSON
// object.
bool ParseRequest(std::string_view request_json, nlohmann::json* request, HookOutput* output) {
  try {
    *request = nlohmann::json::parse(request_json);
    if (!request->is_object()) throw std::runtime_error("the request is not a JSON object");
    return true;
  } catch (const std::exception& e) {
    *output = HookFailure(e);
    return false;
  }
}

}  // namespace

HookOutput HandleHook(std::string_view request_json, const Config& config) {
  nlohmann::json request;
  HookOutput failure;
  if (!ParseRequest(request_json, &request, &failure)) return failure;
  return HandleHookRequest(request, config);
}

namespace {

const char kUsage[] =
    "usage: memhook hook                      PreToolUse hook (JSON on stdin)\n"
    "       memhook run [--cwd DIR] -c CMD    run CMD as if the mount were a real directory\n"
    "       memhook import SRC_DIR            make the store a copy of SRC_DIR (one change)\n"
    "       memhook export DEST_DIR           write the store to a real directory\n"
    "       memhook explain [--cwd DIR] CMD   show the parse, route and SQL of CMD\n"
    "       memhook replay TOKEN              print a spooled answer (used by the hook)\n"
    "       memhook log [PATH] [--session ID] [-n N]  the memory's changes, newest first\n"
    "       memhook show PATH[@CHANGE]        a memory file as it was after CHANGE (or now)\n"
    "       memhook undo [CHANGE]             undo the last change (or CHANGE), all its writes\n"
    "       memhook restore PATH@CHANGE       put PATH back as it was after CHANGE\n"
    "       memhook rm PATH...                remove memory files or directories (one change)\n"
    "       memhook stats [--since 1h]        what the hook did: routes, hit rate, latency\n"
    "       memhook log --errors [--since 1h] hook calls that ended in an error or refusal\n"
    "       memhook doctor                    check hooks, database, directories; how to fix\n"
    "       memhook summarize SESSION_ID | --queue  summarise a captured session\n"
    "       memhook install claude|codex|all [--scope user|project] [--dry-run]\n"
    "       memhook uninstall claude|codex|all [--scope user|project] [--dry-run]\n"
    "environment: MEMHOOK_DB (database file), MEMHOOK_MOUNT (default ~/.memhook/memory)\n";

// The hook's last resort: a blocking error whose text the agent sees, and
// nothing run. Async-signal-safe: write(2) and _exit(2) only.
constexpr unsigned kHookWatchdogSeconds = 20;
void HookWatchdog(int) {
  static const char kMessage[] =
      "memhook: the command could not be answered within 20 s inside the hook; nothing was "
      "run\n";
  (void)!write(2, kMessage, sizeof kMessage - 1);
  _exit(2);
}

int Usage() {
  std::fputs(kUsage, stderr);
  return 2;
}

// `memhook run`: after the agent's permission flow. The command line is one
// change: its writes reach the store together when it ends, or not at all
// (a refusal, a limit, a kill).
int RunCommand(const Config& config, const std::string& cwd, const std::string& session_id,
               const std::string& command) {
  fastpath::EngineOptions options = MakeEngineOptions(config, cwd);
  FillOwner(&options);
  fastpath::Engine engine;
  LazyStore store(config, WritableStoreOptions(config));
  vfs::Store* opened = nullptr;
  std::string change_error;
  auto open = [&](std::string* error) -> vfs::Store* {
    if (opened != nullptr) return opened;
    vfs::Store* s = store.Open(error);
    if (s == nullptr) return nullptr;
    vfs::Status st = s->BeginChange({command, session_id, options.cwd, "shell"});
    if (!st.ok()) {
      *error = st.message();
      return nullptr;
    }
    return opened = s;
  };
  // A large stdout waits in an unlinked private file, not in memory, and
  // is printed only once the command line is done (or not at all).
  struct SpillFile {
    int fd = -1;
    ~SpillFile() {
      if (fd >= 0) close(fd);
    }
  } spill;
  fastpath::RunFlags flags = MakeRunFlags(config, true);
  flags.open_stdout_spill = [&config, &spill]() {
    std::string token, error;
    spill.fd = CreateSpoolFile(config, &token, &error);
    if (spill.fd >= 0) unlink((config.spool_dir + "/" + token).c_str());
    return spill.fd;
  };
  fastpath::Answer answer = engine.Run(command, options, open, flags);
  if (answer.route == fastpath::Route::kPassThrough) {
    if (!cwd.empty() && chdir(cwd.c_str()) != 0) {
      std::fprintf(stderr, "memhook: cannot enter %s: %s\n", cwd.c_str(), std::strerror(errno));
      return 1;
    }
    execl("/bin/bash", "bash", "-c", command.c_str(), static_cast<char*>(nullptr));
    std::fprintf(stderr, "memhook: cannot run bash: %s\n", std::strerror(errno));
    return 127;
  }
  const bool answered =
      answer.route == fastpath::Route::kFastPath || answer.route == fastpath::Route::kShell;
  if (answer.route != fastpath::Route::kFastPath && answer.route != fastpath::Route::kShell)
    answer = NextTierAnswer(answer);
  int status = answer.status;
  if (opened != nullptr) {
    if (answered) {
      int64_t change_id = 0;
      vfs::Status st = opened->CommitChange(&change_id);
      if (!st.ok()) {
        answer.err +=
            "memhook: the command's writes to the memory were not saved: " + st.message() + "\n";
        if (status == 0) status = 1;
      }
    } else {
      opened->RollbackChange();
    }
  }
  if (answer.out_spilled > 0) CopySpill(spill.fd, answer.out_spilled, 1);
  WriteAll(1, answer.out);
  WriteAll(2, answer.err);
  return status;
}

// `memhook import SRC_DIR`: the store becomes a mirror of SRC_DIR, as one
// change (`memhook undo` puts the previous tree back).
int ImportCommand(const Config& config, const std::string& source) {
  vfs::Status status;
  std::unique_ptr<vfs::Store> store =
      vfs::OpenSqliteStore(config.db_path, WritableStoreOptions(config), &status);
  if (!store) {
    std::fprintf(stderr, "memhook: import: %s\n", status.message().c_str());
    return 1;
  }
  const auto start = std::chrono::steady_clock::now();
  status = store->BeginChange({"memhook import " + source, "", CurrentDirectory(), "import"});
  vfs::ImportResult result;
  if (status.ok()) status = vfs::ImportTree(*store, source, vfs::ImportOptions(), &result);
  int64_t change_id = 0;
  if (status.ok()) {
    status = store->CommitChange(&change_id);
  } else {
    store->RollbackChange();
  }
  // What was left out is said even when the import failed later: it is
  // part of why the store does not hold the whole source.
  for (const vfs::ImportResult::Skipped& skipped : result.skipped) {
    std::fprintf(stderr, "memhook: import: skipped %s: %s\n", skipped.path.c_str(),
                 skipped.reason.c_str());
  }
  if (!status.ok()) {
    std::fprintf(stderr, "memhook: import: %s\n", status.message().c_str());
    return 1;
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const std::string change =
      change_id != 0 ? ", change " + std::to_string(change_id) : ", nothing changed";
  std::fprintf(stderr,
               "memhook: imported %llu files from %s into %s in %.3f s (%llu written, %llu "
               "removed, %zu skipped%s)\n",
               static_cast<unsigned long long>(result.files), source.c_str(),
               config.db_path.c_str(), seconds, static_cast<unsigned long long>(result.written),
               static_cast<unsigned long long>(result.removed), result.skipped.size(),
               change.c_str());
  return 0;
}

int ExportCommand(const Config& config, const std::string& dest) {
  vfs::Status status;
  std::unique_ptr<vfs::Store> store =
      vfs::OpenSqliteStore(config.db_path, ReadOnlyStoreOptions(), &status);
  if (!store) {
    std::fprintf(stderr, "memhook: export: %s\n", status.message().c_str());
    return 1;
  }
  status = vfs::ExportTree(*store, dest);
  if (!status.ok()) {
    std::fprintf(stderr, "memhook: export: %s\n", status.message().c_str());
    return 1;
  }
  return 0;
}

int ExplainCommand(const Config& config, const std::string& cwd, const std::string& command) {
  fastpath::EngineOptions options = MakeEngineOptions(config, cwd);
  FillOwner(&options);
  fastpath::Engine engine;
  LazyStore store(config, ReadOnlyStoreOptions(/*trace=*/true));
  std::fputs(
      engine.Explain(command, options, [&store](std::string* error) { return store.Open(error); })
          .c_str(),
      stdout);
  return 0;
}

int64_t WallNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

// A request whose answer is empty whatever happens: the session events
// other than SessionStart, and PostToolUse of tools other than the file
// tools (whose import may fail). Their capture can follow the answer.
bool AnswersNothing(const nlohmann::json& request) {
  static constexpr std::string_view kSilentEvents[] = {"UserPromptSubmit", "Stop", "SubagentStop",
                                                       "SessionEnd"};
  static constexpr std::string_view kFileTools[] = {"Write", "Edit", "MultiEdit"};
  auto text = [&request](const char* key) {
    auto it = request.find(key);
    return it != request.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  const std::string event = text("hook_event_name");
  if (std::find(std::begin(kSilentEvents), std::end(kSilentEvents), event) !=
      std::end(kSilentEvents))
    return true;
  const std::string tool = text("tool_name");
  return event == "PostToolUse" &&
         std::find(std::begin(kFileTools), std::end(kFileTools), tool) == std::end(kFileTools);
}

// `memhook hook`, in its own process or in a hook server's child (see
// server.h): answers `input` on fds 1 and 2, calls `answered`, then logs
// the call. `defer_capture`: answer a request that AnswersNothing() before
// capturing its transcript.
int HookVerb(const std::vector<std::string>& args, std::string_view input, int64_t started_ns,
             bool defer_capture, const AnsweredFn& answered) {
  Config config = ConfigFromEnvironment();
  bool from_front = false;
  for (const std::string& arg : args) {
    config.codex |= arg == "--codex";
    from_front |= arg == "--front";
  }
  // The interpreter stops itself after 10 s; a computation it cannot
  // interrupt (libjq's evaluator, a regex) must not hang the agent either.
  signal(SIGALRM, HookWatchdog);
  alarm(kHookWatchdogSeconds);
  HookOutput output;
  nlohmann::json request;
  if (!ParseRequest(input, &request, &output)) {
    WriteAll(2, output.stderr_text);
    answered(output.exit_code, config.db_path);
    return output.exit_code;
  }
  std::unique_ptr<vfs::Store> used_store;
  if (defer_capture && AnswersNothing(request)) {
    answered(0, config.db_path);
    output = HandleHookRequest(request, config);
    output.exit_code = 0;
  } else {
    output = HandleHookRequest(request, config, &used_store);
    WriteAll(1, output.stdout_text);
    WriteAll(2, output.stderr_text);
    answered(output.exit_code, config.db_path);
  }
  used_store.reset();
  if (output.log_call) {
    // The answer is out; a busy store loses the rows rather than wait.
    output.more_calls.insert(output.more_calls.begin(), output.call);
    const int64_t latency_us = (WallNs() - started_ns) / 1000;
    for (vfs::Store::HookCall& call : output.more_calls) {
      call.time_ns = started_ns;
      call.latency_us = latency_us;
    }
    LogHookCalls(config, output.more_calls, 20);
  }
  // memhook-front found no server: start one for the agent's next calls.
  if (from_front) StartHookServerDetached(config);
  return output.exit_code;
}

// A hook server's standby (server.h), before its request: one answer to a
// typical read of the store the last request used goes through the parser,
// the interpreter, the utilities, SQLite and the JSON encoder, and is
// dropped: the code, the heap, the locale and the store's pages are then
// warm in this process. No store stays open while the standby waits (a
// connection held for minutes in an idle process would see whatever is
// done to the database files meanwhile). The server forks a standby only
// once the last answer has been replayed, and the agent's next command
// comes much later: this costs it nothing.
HookVerbFn PrepareHook(std::string_view store_path) {
  if (!store_path.empty()) {
    try {
      Config config = ConfigFromEnvironment();
      config.db_path = store_path;
      const std::string mount = ShellQuote(config.mount);
      const nlohmann::json request = {
          {"hook_event_name", "PreToolUse"},
          {"tool_name", "Bash"},
          {"cwd", config.home},
          {"tool_input",
           {{"command", "cat " + mount + "/index.md | head -n 3; ls -l " + mount +
                            " | wc -l; grep -rc memhook " + mount + "/index.md"}}}};
      (void)HandleHookRequest(request, config);
      std::setlocale(LC_ALL, "C");  // as in a fresh process: the request sets its own
    } catch (const std::exception&) {
      // Nothing warmed up: the request runs cold.
    }
  }
  return [](const std::vector<std::string>& args, std::string_view input, bool defer_capture,
            const AnsweredFn& answered) {
    return HookVerb(args, input, WallNs(), defer_capture, answered);
  };
}

int MainImpl(int argc, char** argv) {
  const int64_t started_ns = WallNs();
  if (argc < 2) return Usage();
  Config config = ConfigFromEnvironment();
  std::string verb = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (verb == "hook") {
    std::string input((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    return HookVerb(args, input, started_ns, /*defer_capture=*/false, [](int, std::string_view) {});
  }
  if (verb == "hook-server") {
    return HookServerCommand(config, PrepareHook);
  }
  std::setlocale(LC_ALL, "");  // every other verb may format names or dates
  if (verb == "run" || verb == "explain") {
    std::string cwd, command, session_id;
    bool have_command = false;
    for (size_t i = 0; i < args.size(); ++i) {
      if (args[i] == "--cwd" && i + 1 < args.size()) {
        cwd = args[++i];
      } else if (args[i] == "--session" && i + 1 < args.size() && verb == "run") {
        session_id = args[++i];
      } else if (args[i] == "-c" && i + 1 < args.size() && verb == "run") {
        command = args[++i];
        have_command = true;
      } else if (verb == "explain" && !have_command) {
        command = args[i];
        have_command = true;
      } else {
        return Usage();
      }
    }
    if (!have_command) return Usage();
    return verb == "run" ? RunCommand(config, cwd, session_id, command)
                         : ExplainCommand(config, cwd, command);
  }
  if (verb == "import" && args.size() == 1) return ImportCommand(config, args[0]);
  if (verb == "export" && args.size() == 1) return ExportCommand(config, args[0]);
  if (verb == "replay" && args.size() == 1) return Replay(config, args[0]);
  if (verb == "install" || verb == "uninstall")
    return InstallMain(args, verb == "uninstall", config);
  if (verb == "summarize")
    return RunSummarize(config, SummarizeOptionsFromEnvironment(config), args);
  if (verb == "stats") return StatsCommand(config, args);
  if (verb == "doctor") return DoctorCommand(config, args);
  if (verb == "log" && std::find(args.begin(), args.end(), "--errors") != args.end())
    return ErrorLogCommand(config, args);
  if (IsHistoryVerb(verb)) return HistoryCommand(config, verb, args, "");
  return Usage();
}

}  // namespace

int Main(int argc, char** argv) {
  try {
    return MainImpl(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "memhook: internal error: %s\n", e.what());
    return 1;
  } catch (...) {
    std::fprintf(stderr, "memhook: internal error\n");
    return 1;
  }
}

}  // namespace memhook::interceptor
