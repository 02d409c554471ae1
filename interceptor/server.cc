#include "interceptor/server.h"

#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

#include "interceptor/file_tools.h"

namespace memhook::interceptor {

namespace {

constexpr char kMagic[8] = {'M', 'E', 'M', 'H', 'O', 'O', 'K', '1'};
// A request is the hook's JSON (a Write tool's input holds a whole file)
// plus the environment: far below this.
constexpr uint32_t kMaxMessageBytes = 256u << 20;
// How long a child waits for the rest of a request the front is sending.
constexpr int kReceiveTimeoutSeconds = 5;
// How often the idle server wakes to check its socket and binary.
constexpr int kCheckIntervalMs = 5000;
constexpr int kDefaultIdleSeconds = 600;
// A standby's exit status when the binary changed under it: the server
// leaves too.
constexpr int kStaleExit = 3;
// A standby's exit status after a connection that was not a request of
// ours: it is replaced, and that is not a failure.
constexpr int kNotARequestExit = 4;
// Standbys that died in a row without answering a request: the server
// gives up (the front then runs memhook itself, as without a server).
constexpr int kMaxFailedStandbys = 3;
// Standbys kept ready: a second agent's request does not wait for the
// first one's answer.
constexpr size_t kStandbys = 2;
// What the server does after an answer (a child's stats row or capture, the
// fork of the next standby) waits this long: the agent is starting bash on
// the answer, and on a machine of two cores that work would slow the very
// command it answered. The agent's next call comes much later.
constexpr int kYieldToReplayMs = 50;

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  void Reset(int fd = -1) {
    if (fd_ >= 0) close(fd_);
    fd_ = fd;
  }

 private:
  int fd_;
};

std::string Hex(uint64_t value) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%llx", static_cast<unsigned long long>(value));
  return buf;
}

// The identity of a binary file: a rebuilt or reinstalled binary gets
// another inode or mtime.
struct BinaryId {
  uint64_t dev = 0, ino = 0, sec = 0, nsec = 0;
  bool operator==(const BinaryId&) const = default;
};

bool StatBinary(const char* path, BinaryId* id) {
  struct stat st;
  if (stat(path, &st) != 0) return false;
  *id = {static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino),
         static_cast<uint64_t>(st.st_mtim.tv_sec), static_cast<uint64_t>(st.st_mtim.tv_nsec)};
  return true;
}

std::string SocketPathFor(const Config& config, const BinaryId& id) {
  std::string path =
      config.spool_dir + "/hook-" + Hex(id.ino) + "-" + Hex(id.sec) + "-" + Hex(id.nsec) + ".sock";
  return path.size() < sizeof(sockaddr_un{}.sun_path) ? path : "";
}

bool ReadFull(int fd, char* data, size_t size) {
  while (size > 0) {
    const ssize_t n = read(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteFull(int fd, const void* data, size_t size) {
  const char* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool PeerIsUs(int fd) {
  ucred cred{};
  socklen_t size = sizeof cred;
  return getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &size) == 0 && cred.uid == geteuid();
}

// A request as the front sent it.
struct Request {
  std::vector<std::string> argv;
  std::vector<std::string> env;
  std::string cwd;
  uint32_t umask_bits = 022;
  std::string input;
  int out_fd = -1, err_fd = -1;
};

// Reads the fields of the message body; false on a malformed one.
class BodyReader {
 public:
  explicit BodyReader(std::string_view body) : rest_(body) {}
  bool U32(uint32_t* value) {
    if (rest_.size() < 4) return false;
    std::memcpy(value, rest_.data(), 4);
    rest_.remove_prefix(4);
    return true;
  }
  bool String(std::string* value) {
    uint32_t size = 0;
    if (!U32(&size) || rest_.size() < size) return false;
    value->assign(rest_.data(), size);
    rest_.remove_prefix(size);
    return true;
  }
  bool Strings(std::vector<std::string>* values) {
    uint32_t count = 0;
    if (!U32(&count) || count > rest_.size() / 4) return false;
    values->resize(count);
    for (std::string& value : *values)
      if (!String(&value)) return false;
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// Receives one request on `conn`: the fixed header with the front's stdout
// and stderr attached, then the body.
bool ReceiveRequest(int conn, Request* request) {
  char header[12];
  alignas(cmsghdr) char control[CMSG_SPACE(2 * sizeof(int))];
  iovec iov{header, sizeof header};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t got;
  do {
    got = recvmsg(conn, &msg, MSG_CMSG_CLOEXEC);
  } while (got < 0 && errno == EINTR);
  if (got <= 0) return false;
  for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
    const size_t count = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
    int fds[2] = {-1, -1};
    std::memcpy(fds, CMSG_DATA(c), std::min<size_t>(count, 2) * sizeof(int));
    if (count == 2) {
      request->out_fd = fds[0];
      request->err_fd = fds[1];
    } else {
      for (size_t i = 0; i < std::min<size_t>(count, 2); ++i) close(fds[i]);
    }
  }
  if (request->out_fd < 0 || (msg.msg_flags & MSG_CTRUNC) != 0) return false;
  if (!ReadFull(conn, header + got, sizeof header - static_cast<size_t>(got))) return false;
  if (std::memcmp(header, kMagic, sizeof kMagic) != 0) return false;
  uint32_t size = 0;
  std::memcpy(&size, header + 8, 4);
  if (size > kMaxMessageBytes) return false;
  std::string body(size, '\0');
  if (!ReadFull(conn, body.data(), body.size())) return false;
  BodyReader reader(body);
  return reader.Strings(&request->argv) && reader.Strings(&request->env) &&
         reader.String(&request->cwd) && reader.U32(&request->umask_bits) &&
         reader.String(&request->input) && reader.done();
}

// The process becomes the front's `memhook hook`: its environment,
// directory, umask and stdio. Locale and time zone come from the new
// environment, as in a fresh process.
void TakeOverFrontState(const Request& request) {
  clearenv();
  for (const std::string& entry : request.env) {
    const size_t eq = entry.find('=');
    if (eq == std::string::npos || eq == 0) continue;
    setenv(entry.substr(0, eq).c_str(), entry.c_str() + eq + 1, 1);
  }
  if (!request.cwd.empty()) (void)!chdir(request.cwd.c_str());
  umask(static_cast<mode_t>(request.umask_bits & 0777));
  tzset();
  const int null_fd = open("/dev/null", O_RDWR);
  if (null_fd >= 0) {
    dup2(null_fd, 0);
    if (null_fd > 2) close(null_fd);
  }
  dup2(request.out_fd, 1);
  dup2(request.err_fd, 2);
  if (request.out_fd > 2) close(request.out_fd);
  if (request.err_fd > 2 && request.err_fd != request.out_fd) close(request.err_fd);
}

// Points fds 1 and 2 at /dev/null: the agent's pipes are closed, so it
// sees the end of the answer while this process finishes its own work.
void ReleaseAgentOutput() {
  const int null_fd = open("/dev/null", O_WRONLY);
  if (null_fd < 0) return;
  dup2(null_fd, 1);
  dup2(null_fd, 2);
  if (null_fd > 2) close(null_fd);
}

// A child's report on the done pipe once its answer is out: its pid (i32)
// and the path of the store its request was for (u32 length, bytes), which
// the next standby warms up on. One write of at most PIPE_BUF bytes, so the
// reports of several children never interleave.
std::string DoneReport(pid_t pid, std::string_view store_path) {
  if (store_path.size() > PIPE_BUF - 8) store_path = {};
  const int32_t wire_pid = pid;
  const uint32_t size = static_cast<uint32_t>(store_path.size());
  std::string report(8 + store_path.size(), '\0');
  std::memcpy(report.data(), &wire_pid, 4);
  std::memcpy(report.data() + 4, &size, 4);
  std::memcpy(report.data() + 8, store_path.data(), store_path.size());
  return report;
}

// Takes the whole reports off the front of `pending`.
void TakeDoneReports(std::string* pending,
                     const std::function<void(pid_t, std::string_view)>& take) {
  size_t at = 0;
  while (pending->size() - at >= 8) {
    int32_t pid;
    uint32_t size;
    std::memcpy(&pid, pending->data() + at, 4);
    std::memcpy(&size, pending->data() + at + 4, 4);
    if (pending->size() - at - 8 < size) break;
    take(pid, std::string_view(*pending).substr(at + 8, size));
    at += 8 + size;
  }
  pending->erase(0, at);
}

// A server child: one request, then exit. Never returns.
// Serves the request on `conn`; once answered, reports to the server on
// `done_fd` (DoneReport), which then forks the next standby, off the
// answer's path. Never returns.
[[noreturn]] void ServeRequest(int conn, int done_fd, const HookVerbFn& hook_verb) {
  timeval timeout{kReceiveTimeoutSeconds, 0};
  setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  Request request;
  if (!ReceiveRequest(conn, &request) || request.argv.size() < 2 || request.argv[1] != "hook") {
    _exit(kNotARequestExit);  // the front sees no 'A' and runs memhook itself
  }
  const char accepted = 'A';
  if (!WriteFull(conn, &accepted, 1)) _exit(1);
  TakeOverFrontState(request);
  bool reported = false;
  auto answered = [&](int status, std::string_view store_path) {
    if (reported) return;
    reported = true;
    const int32_t wire = status;
    (void)WriteFull(conn, &wire, sizeof wire);
    close(conn);
    ReleaseAgentOutput();
    const std::string report = DoneReport(getpid(), store_path);
    (void)!write(done_fd, report.data(), report.size());
    close(done_fd);
    // What is left (closing the store, the stats row, a capture) yields to
    // the agent's work.
    setpriority(PRIO_PROCESS, 0, 19);
    std::this_thread::sleep_for(std::chrono::milliseconds(kYieldToReplayMs));
  };
  const std::vector<std::string> args(request.argv.begin() + 2, request.argv.end());
  const int status = hook_verb(args, request.input, /*defer_capture=*/true, answered);
  answered(status, "");
  std::fflush(nullptr);
  _exit(status);
}

// A standby child: warms up on `store_path` unless a request already
// waits, takes the next request, serves it alone, tells the server
// (`done_fd`), exits. Never returns.
[[noreturn]] void RunStandby(int listener, int done_fd, const PrepareHookFn& prepare,
                             const std::function<bool()>& still_current,
                             const std::string& store_path) {
  for (int sig : {SIGPIPE, SIGHUP}) signal(sig, SIG_DFL);
  pollfd waiting{listener, POLLIN, 0};
  int ready;
  do {
    ready = poll(&waiting, 1, 0);
  } while (ready < 0 && errno == EINTR);
  const HookVerbFn run = prepare(ready == 0 ? std::string_view(store_path) : std::string_view());
  int conn;
  do {
    conn = accept4(listener, nullptr, nullptr, SOCK_CLOEXEC);
  } while (conn < 0 && (errno == EINTR || errno == ECONNABORTED));
  if (conn < 0) _exit(1);
  prctl(PR_SET_PDEATHSIG, 0);  // the request is this child's to finish
  close(listener);
  // The front sees no 'A' and runs memhook (the new one) itself.
  if (!still_current()) _exit(kStaleExit);
  if (!PeerIsUs(conn)) _exit(kNotARequestExit);
  ServeRequest(conn, done_fd, run);
}

}  // namespace

std::string HookServerSocketPath(const Config& config) {
  BinaryId id;
  if (!StatBinary("/proc/self/exe", &id)) return "";
  return SocketPathFor(config, id);
}

void StartHookServerDetached(const Config& config) {
  const char* flag = std::getenv("MEMHOOK_SERVER");
  if (flag != nullptr && std::strcmp(flag, "0") == 0) return;
  if (HookServerSocketPath(config).empty()) return;
  char self[4096];
  const ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return;
  self[n] = '\0';
  const pid_t child = fork();
  if (child < 0) return;
  if (child == 0) {
    // The grandchild is the server: no parent to wait for it, no terminal,
    // nothing of the agent's pipes.
    setsid();
    if (fork() != 0) _exit(0);
    const int null_fd = open("/dev/null", O_RDWR);
    if (null_fd >= 0) {
      for (int fd = 0; fd <= 2; ++fd) dup2(null_fd, fd);
      if (null_fd > 2) close(null_fd);
    }
    char* argv[] = {self, const_cast<char*>("hook-server"), nullptr};
    execv(self, argv);
    _exit(127);
  }
  int ignored;
  while (waitpid(child, &ignored, 0) < 0 && errno == EINTR) {
  }
}

int HookServerCommand(const Config& config, const PrepareHookFn& prepare) {
  BinaryId binary;
  char exe_path[4096];
  const ssize_t exe_size = readlink("/proc/self/exe", exe_path, sizeof exe_path - 1);
  if (exe_size <= 0 || !StatBinary("/proc/self/exe", &binary)) return 1;
  exe_path[exe_size] = '\0';
  const std::string path = SocketPathFor(config, binary);
  std::string error;
  if (path.empty() || !EnsurePrivateDirectory(config.spool_dir, &error)) {
    std::fprintf(stderr, "memhook hook-server: %s\n",
                 path.empty() ? "no socket path (too long?)" : error.c_str());
    return 1;
  }
  // One server per binary and spool directory.
  Fd lock(open((path + ".lock").c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600));
  if (!lock.ok() || flock(lock.get(), LOCK_EX | LOCK_NB) != 0) return 0;
  Fd listener(socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!listener.ok()) return 1;
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  unlink(path.c_str());
  const mode_t old_umask = umask(0177);
  const int bound = bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address);
  umask(old_umask);
  if (bound != 0 || listen(listener.get(), 128) != 0) {
    std::fprintf(stderr, "memhook hook-server: %s: %s\n", path.c_str(), std::strerror(errno));
    return 1;
  }
  struct stat socket_stat;
  if (stat(path.c_str(), &socket_stat) != 0) return 1;
  // Still the server it started as: its socket in place and its binary
  // unchanged on disk.
  auto still_current = [&] {
    struct stat now;
    BinaryId on_disk;
    return stat(path.c_str(), &now) == 0 && now.st_ino == socket_stat.st_ino &&
           now.st_dev == socket_stat.st_dev && StatBinary(exe_path, &on_disk) && on_disk == binary;
  };

  // What every standby would otherwise load again, loaded once here and
  // inherited: the locale of the agent's environment (glibc keeps loaded
  // locales), the name service modules behind the owner names of `ls -l`.
  std::setlocale(LC_ALL, "");
  std::setlocale(LC_ALL, "C");
  (void)getpwuid(geteuid());
  (void)getgrgid(getegid());
  for (int sig : {SIGPIPE, SIGHUP}) signal(sig, SIG_IGN);

  int idle_seconds = kDefaultIdleSeconds;
  if (const char* idle = std::getenv("MEMHOOK_SERVER_IDLE"); idle != nullptr && *idle != '\0') {
    char* end = nullptr;
    const long value = std::strtol(idle, &end, 10);
    if (*end == '\0' && value > 0 && value < 86400 * 7) idle_seconds = static_cast<int>(value);
  }
  // A child reports here once it has answered its request (DoneReport).
  int done_pipe[2];
  if (pipe2(done_pipe, O_CLOEXEC) != 0) return 1;
  Fd done_read(done_pipe[0]), done_write(done_pipe[1]);
  std::vector<pid_t> standbys;
  auto forget = [&standbys](pid_t pid) {
    auto it = std::find(standbys.begin(), standbys.end(), pid);
    if (it == standbys.end()) return false;
    standbys.erase(it);
    return true;
  };
  int failed_standbys = 0;  // in a row, none of them answered a request
  bool stale = false;
  auto last_request = std::chrono::steady_clock::now();
  // A standby that answered is replaced at once when none is left ready,
  // else once the answer has been replayed (kYieldToReplayMs).
  auto refill_at = last_request;
  std::string warm_store = config.db_path;  // the last request's
  std::string pending_reports;
  while (!stale) {
    int status = 0;
    for (pid_t done; (done = waitpid(-1, &status, WNOHANG)) > 0;) {
      if (!forget(done)) continue;  // answered already (or never a standby)
      const int code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      stale = code == kStaleExit;
      if (code != kNotARequestExit) ++failed_standbys;
    }
    if (stale || failed_standbys >= kMaxFailedStandbys) break;
    while (standbys.size() < kStandbys &&
           (standbys.empty() || std::chrono::steady_clock::now() >= refill_at)) {
      if (failed_standbys > 0) sleep(1);  // a standby that fails at once must not spin
      const pid_t server = getpid();
      const pid_t standby = fork();
      if (standby == 0) {
        // A standby dies with its server (killed, crashed): it would wait on
        // the listener for ever.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != server) _exit(0);
        lock.Reset();  // the lock dies with the server, not with a child
        done_read.Reset();
        RunStandby(listener.get(), done_write.get(), prepare, still_current, warm_store);
      }
      if (standby < 0) {  // no process to be had now: try again in a while
        refill_at = std::chrono::steady_clock::now() + std::chrono::seconds(1);
        break;
      }
      standbys.push_back(standby);
    }
    if (standbys.empty()) break;
    pollfd waiting{done_read.get(), POLLIN, 0};
    int wait_ms = std::min(kCheckIntervalMs, idle_seconds * 1000);
    if (standbys.size() < kStandbys) {
      const auto until_refill = std::chrono::duration_cast<std::chrono::milliseconds>(
          refill_at - std::chrono::steady_clock::now());
      wait_ms = std::clamp(static_cast<int>(until_refill.count()) + 1, 0, wait_ms);
    }
    const int ready = poll(&waiting, 1, wait_ms);
    if (ready < 0 && errno != EINTR) break;
    if (ready > 0) {
      char buffer[PIPE_BUF];
      const ssize_t got = read(done_read.get(), buffer, sizeof buffer);
      if (got > 0) pending_reports.append(buffer, static_cast<size_t>(got));
      TakeDoneReports(&pending_reports, [&](pid_t answered, std::string_view store_path) {
        forget(answered);  // replaced above
        failed_standbys = 0;
        last_request = std::chrono::steady_clock::now();
        refill_at = last_request + std::chrono::milliseconds(kYieldToReplayMs);
        if (!store_path.empty()) warm_store = store_path;
      });
      continue;
    }
    if (std::chrono::steady_clock::now() - last_request >= std::chrono::seconds(idle_seconds) ||
        !still_current())
      break;
  }
  for (pid_t standby : standbys) kill(standby, SIGTERM);
  // Leave the name to a newer server if one took it.
  struct stat now;
  if (stat(path.c_str(), &now) == 0 && now.st_ino == socket_stat.st_ino) unlink(path.c_str());
  return 0;
}

}  // namespace memhook::interceptor
