#include "tests/support/test_support.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>
#include <utility>

#include "tests/support/unique_fd.h"

extern char** environ;

namespace memhook::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// posix_spawn attributes and file actions, destroyed on scope exit.
struct SpawnSetup {
  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  SpawnSetup() {
    posix_spawn_file_actions_init(&actions);
    posix_spawnattr_init(&attr);
  }
  ~SpawnSetup() {
    posix_spawn_file_actions_destroy(&actions);
    posix_spawnattr_destroy(&attr);
  }
  SpawnSetup(const SpawnSetup&) = delete;
  SpawnSetup& operator=(const SpawnSetup&) = delete;
};

// A spawned process group leader. The destructor kills the group and
// reaps the child if it was not waited for.
class ChildProcess {
 public:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  ~ChildProcess() {
    if (pid_ > 0) {
      KillGroup();
      int status = 0;
      while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  void KillGroup() const {
    if (pid_ > 0) ::kill(-pid_, SIGKILL);
  }
  // Blocks until the child exits; returns the raw wait status, -1 on error.
  int Wait() {
    int status = 0;
    while (::waitpid(pid_, &status, 0) < 0) {
      if (errno != EINTR) {
        status = -1;
        break;
      }
    }
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_;
};

// The value of `name` in an environment of "K=V" entries, or null.
const char* FindVar(const std::vector<std::string>& env, std::string_view name) {
  for (const std::string& e : env) {
    if (e.size() > name.size() && e[name.size()] == '=' && e.compare(0, name.size(), name) == 0) {
      return e.c_str() + name.size() + 1;
    }
  }
  return nullptr;
}

// `program` if it has a '/', else the first executable regular file of
// that name in `path_var` (an empty entry is the working directory; no
// PATH: execvp's default); "" if there is none.
std::string ResolveProgram(const std::string& program, const char* path_var) {
  if (program.find('/') != std::string::npos) return program;
  std::string_view rest = path_var != nullptr ? path_var : "/bin:/usr/bin";
  while (true) {
    const size_t colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    if (colon == std::string_view::npos) return "";
    rest.remove_prefix(colon + 1);
  }
}

// write(2) that never raises SIGPIPE in this process: SIGPIPE is blocked
// in this thread around the call, and one it raised is consumed.
ssize_t WriteNoSigpipe(int fd, const char* data, size_t size) {
  sigset_t pipe_only, old_mask, pending;
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  ::pthread_sigmask(SIG_BLOCK, &pipe_only, &old_mask);
  sigemptyset(&pending);
  ::sigpending(&pending);
  const bool was_pending = sigismember(&pending, SIGPIPE) == 1;
  const ssize_t put = ::write(fd, data, size);
  const int saved_errno = errno;
  if (put < 0 && saved_errno == EPIPE && !was_pending) {
    const timespec no_wait = {0, 0};
    while (::sigtimedwait(&pipe_only, nullptr, &no_wait) < 0 && errno == EINTR) {
    }
  }
  ::pthread_sigmask(SIG_SETMASK, &old_mask, nullptr);
  errno = saved_errno;
  return put;
}

void Append(std::string* sink, const char* data, size_t size, size_t limit) {
  if (sink->size() < limit) sink->append(data, std::min(size, limit - sink->size()));
}

}  // namespace

ProcResult RunProcess(const ExecSpec& spec) {
  ProcResult result;
  if (spec.argv.empty()) {
    result.spawn_error = "no argv";
    return result;
  }
  const std::string& wanted = spec.program.empty() ? spec.argv[0] : spec.program;
  const std::string program = ResolveProgram(
      wanted, spec.env != nullptr ? FindVar(*spec.env, "PATH") : std::getenv("PATH"));
  const std::string where = spec.cwd.empty() ? "" : " in " + spec.cwd;
  if (program.empty()) {
    result.spawn_error = "cannot run " + wanted + ": not found in PATH";
    return result;
  }
  std::vector<char*> argv;
  for (const std::string& a : spec.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  if (spec.env != nullptr) {
    for (const std::string& e : *spec.env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
  }

  UniqueFd in_r, in_w, out_r, out_w, err_r, err_w;
  if ((!spec.stdin_null && !MakePipe(&in_r, &in_w)) ||
      (spec.stdout_path.empty() && !MakePipe(&out_r, &out_w)) ||
      (!spec.merge_stderr && !MakePipe(&err_r, &err_w))) {
    result.spawn_error = std::string("pipe: ") + std::strerror(errno);
    return result;
  }
  SpawnSetup setup;
  posix_spawn_file_actions_t* actions = &setup.actions;
  if (spec.stdin_null) {
    posix_spawn_file_actions_addopen(actions, 0, "/dev/null", O_RDONLY, 0);
  } else {
    posix_spawn_file_actions_adddup2(actions, in_r.get(), 0);
  }
  if (spec.stdout_path.empty()) {
    posix_spawn_file_actions_adddup2(actions, out_w.get(), 1);
  } else {
    posix_spawn_file_actions_addopen(actions, 1, spec.stdout_path.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0600);
  }
  if (spec.merge_stderr) {
    posix_spawn_file_actions_adddup2(actions, 1, 2);
  } else {
    posix_spawn_file_actions_adddup2(actions, err_w.get(), 2);
  }
  if (!spec.cwd.empty()) posix_spawn_file_actions_addchdir_np(actions, spec.cwd.c_str());
  sigset_t none, pipe_only;
  sigemptyset(&none);
  sigemptyset(&pipe_only);
  sigaddset(&pipe_only, SIGPIPE);
  posix_spawnattr_setsigmask(&setup.attr, &none);
  posix_spawnattr_setsigdefault(&setup.attr, &pipe_only);
  posix_spawnattr_setpgroup(&setup.attr, 0);
  posix_spawnattr_setflags(&setup.attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);

  const auto start = Clock::now();
  pid_t pid = -1;
  // glibc reports a failed chdir, open or exec as the return value.
  const int rc = ::posix_spawn(&pid, program.c_str(), actions, &setup.attr, argv.data(),
                               spec.env != nullptr ? envp.data() : environ);
  if (rc != 0) {
    result.spawn_error = "cannot run " + program + where + ": " + std::strerror(rc);
    return result;
  }
  ChildProcess child(pid);
  in_r.Reset();
  out_w.Reset();
  err_w.Reset();

  if (spec.stdin_data.empty()) in_w.Reset();
  if (in_w.get() >= 0) ::fcntl(in_w.get(), F_SETFL, O_NONBLOCK);
  size_t written = 0;
  const auto deadline = start + std::chrono::milliseconds(spec.timeout_ms);
  std::vector<char> buf(1 << 16);
  while (out_r.get() >= 0 || err_r.get() >= 0 || in_w.get() >= 0) {
    const auto now = Clock::now();
    if (now >= deadline) {
      result.timed_out = true;
      child.KillGroup();
      break;
    }
    pollfd fds[3];
    UniqueFd* owners[3];
    nfds_t n = 0;
    for (UniqueFd* fd : {&out_r, &err_r, &in_w}) {
      if (fd->get() < 0) continue;
      owners[n] = fd;
      fds[n++] = {fd->get(), static_cast<short>(fd == &in_w ? POLLOUT : POLLIN), 0};
    }
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now);
    if (::poll(fds, n, static_cast<int>(left.count()) + 1) < 0) {
      if (errno == EINTR) continue;
      result.spawn_error = std::string("poll: ") + std::strerror(errno);
      child.KillGroup();
      break;
    }
    for (nfds_t i = 0; i < n; ++i) {
      if (fds[i].revents == 0) continue;
      if (owners[i] == &in_w) {
        const ssize_t put = WriteNoSigpipe(in_w.get(), spec.stdin_data.data() + written,
                                           spec.stdin_data.size() - written);
        if (put > 0) written += static_cast<size_t>(put);
        if ((put < 0 && errno != EAGAIN && errno != EINTR) || written == spec.stdin_data.size()) {
          in_w.Reset();  // done, or the child closed its stdin (EPIPE)
        }
        continue;
      }
      const ssize_t got = ::read(owners[i]->get(), buf.data(), buf.size());
      if (got > 0) {
        const size_t size = static_cast<size_t>(got);
        if (owners[i] == &out_r) {
          result.out_bytes += size;
          Append(&result.out, buf.data(), size, spec.max_out);
        } else {
          Append(&result.err, buf.data(), size, spec.max_err);
        }
      } else if (got == 0 || (errno != EINTR && errno != EAGAIN)) {
        owners[i]->Reset();
      }
    }
  }
  const int status = child.Wait();
  result.elapsed_us =
      std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
  if (!spec.stdout_path.empty()) {
    const std::string data = Slurp(spec.stdout_path);
    result.out_bytes = data.size();
    Append(&result.out, data.data(), data.size(), spec.max_out);
  }
  if (status >= 0 && WIFEXITED(status)) result.status = WEXITSTATUS(status);
  if (status >= 0 && WIFSIGNALED(status)) result.status = 128 + WTERMSIG(status);
  return result;
}

ProcResult RunSelfTestCase(const std::string& test_case,
                           const std::vector<std::string>& overrides) {
  std::error_code ec;
  const std::string self = std::filesystem::read_symlink("/proc/self/exe", ec).string();
  ProcResult result;
  if (ec) {
    result.spawn_error = "cannot read /proc/self/exe: " + ec.message();
    return result;
  }
  const std::vector<std::string> env = EnvironWith(overrides);
  ExecSpec spec;
  spec.program = self;
  spec.argv = {self, "--test-case=" + test_case};
  spec.env = &env;
  spec.timeout_ms = 600'000;
  return RunProcess(spec);
}

std::vector<std::string> EnvironWith(const std::vector<std::string>& overrides) {
  std::vector<std::string> env;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) env.emplace_back(*e);
  for (const std::string& kv : overrides) {
    const std::string_view name = std::string_view(kv).substr(0, kv.find('='));
    auto same = [&](const std::string& e) {
      return e.size() > name.size() && e[name.size()] == '=' &&
             e.compare(0, name.size(), name) == 0;
    };
    auto it = std::find_if(env.begin(), env.end(), same);
    if (it == env.end()) {
      env.push_back(kv);
    } else {
      *it = kv;
      // A variable may appear twice in a raw environment: keep one.
      env.erase(std::remove_if(std::next(it), env.end(), same), env.end());
    }
  }
  return env;
}

ProcResult RunBash(const std::string& script, const BashOptions& options) {
  const std::vector<std::string> env = EnvironWith(options.env);
  ExecSpec spec;
  spec.program = options.bash;
  spec.argv = {"bash", "-c", script};
  spec.env = &env;
  spec.cwd = options.cwd;
  spec.stdin_null = !options.stdin_data.has_value();
  spec.stdin_data = options.stdin_data.value_or("");
  spec.timeout_ms = options.timeout_ms;
  return RunProcess(spec);
}

std::string ShellQuote(std::string_view s) {
  std::string q = "'";
  for (char c : s) {
    if (c == '\'') {
      q += "'\\''";
    } else {
      q += c;
    }
  }
  return q + "'";
}

std::vector<std::string> ShellWords(std::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  bool in_word = false;
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(cur);
      cur.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      const size_t end = s.find('\'', i + 1);
      cur += s.substr(i + 1, end - i - 1);
      i = end;
    } else if (c == '$' && i + 1 < s.size() && s[i + 1] == '\'') {
      for (i += 2; s[i] != '\''; ++i) {
        if (s[i] != '\\') {
          cur += s[i];
          continue;
        }
        const char e = s[++i];
        if (e == 'n') {
          cur += '\n';
        } else if (e == 't') {
          cur += '\t';
        } else if (e == 'x') {
          cur += static_cast<char>(std::stoi(std::string(s.substr(i + 1, 2)), nullptr, 16));
          i += 2;
        } else {
          cur += e;
        }
      }
    } else if (c == '"') {
      for (++i; s[i] != '"'; ++i) {
        if (s[i] == '\\' && (s[i + 1] == '"' || s[i + 1] == '\\' || s[i + 1] == '$')) ++i;
        cur += s[i];
      }
    } else if (c == '\\') {
      cur += s[++i];
    } else {
      cur += c;
    }
  }
  if (in_word) words.push_back(cur);
  return words;
}

std::string Slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

std::string SortedLines(std::string_view text, LastLine last) {
  std::vector<std::string> lines;
  while (!text.empty()) {
    const size_t nl = text.find('\n');
    if (nl == std::string_view::npos) {
      lines.emplace_back(text);
      lines.back() += last == LastLine::kMark ? "\\(no newline)\n" : "\n";
      break;
    }
    lines.emplace_back(text.substr(0, nl + 1));
    text.remove_prefix(nl + 1);
  }
  if (last == LastLine::kMark) {
    std::sort(lines.begin(), lines.end());
  } else {
    // By the text before the '\n', as lines read with std::getline sort.
    std::sort(lines.begin(), lines.end(), [](const std::string& a, const std::string& b) {
      return std::string_view(a).substr(0, a.size() - 1) <
             std::string_view(b).substr(0, b.size() - 1);
    });
  }
  std::string out;
  for (const std::string& line : lines) out += line;
  return out;
}

TempDir::TempDir(std::string_view prefix, std::string_view parent) {
  std::string templ = std::string(parent) + "/" + std::string(prefix) + "-XXXXXX";
  if (::mkdtemp(templ.data()) != nullptr) path_ = templ;
}

TempDir::~TempDir() { Remove(); }

TempDir::TempDir(TempDir&& other) noexcept
    : path_(std::exchange(other.path_, {})), keep_(other.keep_) {}

TempDir& TempDir::operator=(TempDir&& other) noexcept {
  if (this != &other) {
    Remove();
    path_ = std::exchange(other.path_, {});
    keep_ = other.keep_;
  }
  return *this;
}

void TempDir::Remove() {
  if (!path_.empty() && !keep_) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  path_.clear();
}

}  // namespace memhook::testing
