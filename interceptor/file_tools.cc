// The agent's own file tools on memory paths (see file_tools.h).
//
// Staged files live in <spool_dir>/files/<session>/<vfs path>: the basename
// and extension are kept (the Read tool picks its reader by extension), and
// one memory path maps to one staged path per session. Claude Code keeps,
// per path, whether a file was read and its mtime at that moment: an Edit
// or Write fails unless the file was read first and has not been modified
// since. So a staged file that already holds the store's bytes is never
// rewritten, a materialised file carries the store's mtime, and an import
// stores the staged file's own mtime: a file removed after its import, or
// by the sweep, comes back with the very mtime the agent recorded.
#include "interceptor/file_tools.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interceptor/paths.h"
#include "vfs/vfs.h"

namespace memhook::interceptor {
namespace {

constexpr char kStagingDirName[] = "files";  // below the spool directory
// Stamped at each sweep of the staging tree, so that hooks running in
// parallel do not all walk it.
constexpr char kSweepStamp[] = ".swept";
// A materialisation is written to a temporary file beside its target and
// renamed over it: a tool never sees a half-written file.
constexpr char kTempPrefix[] = ".memhook-tmp-";
// A staged file nothing touched for this long is removed (by its ctime: its
// mtime is the store's, possibly years old). An hour covers a permission
// prompt left open on an Edit; a Read materialisation removed any earlier
// would come back identical at the next call anyway.
constexpr time_t kStagedMaxAgeSeconds = 60 * 60;
constexpr time_t kSweepIntervalSeconds = 5 * 60;
// The sweep and tree removal recurse no deeper (one fd per level).
constexpr int kMaxDepth = 200;
// Attempts at staging when a concurrent hook removed an empty staging
// directory between our open and our create (both sides retry-safe).
constexpr int kStagingAttempts = 3;

enum class Tool { kRead, kWrite, kEdit, kMultiEdit, kOther };

Tool ToolFromName(std::string_view name) {
  if (name == "Read") return Tool::kRead;
  if (name == "Write") return Tool::kWrite;
  if (name == "Edit") return Tool::kEdit;
  if (name == "MultiEdit") return Tool::kMultiEdit;
  return Tool::kOther;
}

// An owned file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  Fd(Fd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
  Fd& operator=(Fd&& other) noexcept {
    if (this != &other) {
      Reset();
      fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
  }
  ~Fd() { Reset(); }
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }

 private:
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }
  int fd_ = -1;
};

std::string ErrnoText(int error) { return std::strerror(error); }

// ------------------------------------------------------------------ paths

// The components of `path` after NormalisePath (".", empty and ".."
// resolved lexically, as Claude Code does with a tool's path: the mount is
// not on disk, so no symlink is resolved).
std::vector<std::string> Components(const std::string& path) {
  const std::string normal = NormalisePath(path);
  std::vector<std::string> parts;
  for (size_t start = 1; start < normal.size();) {
    const size_t slash = std::min(normal.find('/', start), normal.size());
    parts.push_back(normal.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

std::string CurrentDirectory() {
  std::vector<char> buffer(4096);
  if (getcwd(buffer.data(), buffer.size()) == nullptr) return "/";
  return buffer.data();
}

// `file_path` as an absolute, lexically normal path. A relative path is
// taken against the request's cwd. `~` is not expanded: Claude Code passes
// the path as the model wrote it, and a leading "~" is a relative name.
std::string ResolvePath(const std::string& file_path, const std::string& cwd) {
  if (!file_path.empty() && file_path[0] == '/') return NormalisePath(file_path);
  std::string base = cwd.empty() ? CurrentDirectory() : cwd;
  return NormalisePath(base + "/" + file_path);
}

// The components of `path` below `root` (both absolute and normal), or
// nullopt when `path` is not `root` or below it.
std::optional<std::vector<std::string>> Below(const std::string& path, const std::string& root) {
  std::vector<std::string> path_parts = Components(path);
  std::vector<std::string> root_parts = Components(root);
  if (path_parts.size() < root_parts.size() ||
      !std::equal(root_parts.begin(), root_parts.end(), path_parts.begin())) {
    return std::nullopt;
  }
  return std::vector<std::string>(
      path_parts.begin() + static_cast<std::ptrdiff_t>(root_parts.size()), path_parts.end());
}

std::string VfsPath(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& part : parts) out += (out.empty() ? "" : "/") + part;
  return out;
}

bool IsSafeNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.';
}

// A session id as it is (Claude's are UUIDs) when it is a harmless file
// name starting with a letter or digit; anything else as "_" and a hash,
// so that no id can name "..", the sweep stamp, or another session's
// directory.
std::string SessionDirName(const std::string& session_id) {
  bool plain = !session_id.empty() && session_id.size() <= 128 && session_id[0] != '.' &&
               session_id[0] != '-' && session_id[0] != '_' &&
               std::all_of(session_id.begin(), session_id.end(), IsSafeNameChar);
  if (plain) return session_id;
  uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : session_id) {
    hash ^= c;
    hash *= 1099511628211ull;
  }
  static const char kHex[] = "0123456789abcdef";
  std::string name = "_";
  for (int shift = 60; shift >= 0; shift -= 4) name += kHex[(hash >> shift) & 15];
  return name;
}

// A name SessionDirName can return.
bool IsSessionDirName(const std::string& name) {
  if (name.size() == 17 && name[0] == '_') {
    return std::all_of(name.begin() + 1, name.end(),
                       [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
  }
  return SessionDirName(name) == name;
}

// ------------------------------------------------- the private staging area

bool ReadAll(int fd, std::string* out) {
  out->clear();
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    if (n == 0) return true;
    out->append(buffer, static_cast<size_t>(n));
  }
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

// Opens the directory `name` in `parent` (creating it, mode 0700, when
// `create`), never through a symlink, and checks that it is ours. In create
// mode a non-directory in the way (a stale staged file where the memory
// now has a directory) is removed first. -1 and *error (an errno) on failure.
Fd OpenDirAt(int parent, const std::string& name, bool create, int* error) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (create && mkdirat(parent, name.c_str(), 0700) != 0 && errno != EEXIST) {
      *error = errno;
      return Fd();
    }
    Fd fd(openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!fd.ok()) {
      *error = errno;
      if (create && attempt == 0 && (errno == ENOTDIR || errno == ELOOP) &&
          unlinkat(parent, name.c_str(), 0) == 0) {
        continue;
      }
      return Fd();
    }
    struct stat st;
    if (fstat(fd.get(), &st) != 0 || st.st_uid != geteuid()) {
      *error = EPERM;
      return Fd();
    }
    return fd;
  }
  return Fd();
}

std::vector<std::string> ListNames(int dir_fd) {
  std::vector<std::string> names;
  int copy = dup(dir_fd);
  if (copy < 0) return names;
  DIR* dir = fdopendir(copy);
  if (dir == nullptr) {
    close(copy);
    return names;
  }
  std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, closedir);
  rewinddir(dir);  // the copy shares the original's offset
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name != "." && name != "..") names.push_back(std::move(name));
  }
  return names;
}

// Removes `name` in `parent`, a directory with everything below it, never
// following a symlink.
void RemoveTreeAt(int parent, const std::string& name, int depth = 0) {
  struct stat st;
  if (fstatat(parent, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return;
  if (!S_ISDIR(st.st_mode)) {
    unlinkat(parent, name.c_str(), 0);
    return;
  }
  if (depth < kMaxDepth) {
    Fd dir(openat(parent, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (dir.ok()) {
      for (const std::string& child : ListNames(dir.get()))
        RemoveTreeAt(dir.get(), child, depth + 1);
    }
  }
  unlinkat(parent, name.c_str(), AT_REMOVEDIR);
}

// Removes staged files untouched since `cutoff` below `dir_fd`, and the
// directories that are then empty and were not added to since (a directory
// made for a pending Write stays for the whole permission prompt).
void SweepTree(int dir_fd, time_t cutoff, int depth) {
  for (const std::string& name : ListNames(dir_fd)) {
    if (depth == 0 && name == kSweepStamp) continue;
    struct stat st;
    if (fstatat(dir_fd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (depth < kMaxDepth) {
        Fd sub(openat(dir_fd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (sub.ok()) SweepTree(sub.get(), cutoff, depth + 1);
      }
      if (st.st_mtime < cutoff) unlinkat(dir_fd, name.c_str(), AT_REMOVEDIR);  // fails unless empty
    } else if (st.st_ctime < cutoff) {
      unlinkat(dir_fd, name.c_str(), 0);
    }
  }
}

// Sweeps the staging tree when the last sweep is older than the interval.
void MaybeSweep(int files_fd) {
  time_t now = time(nullptr);
  struct stat st;
  if (fstatat(files_fd, kSweepStamp, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
      st.st_mtime > now - kSweepIntervalSeconds && st.st_mtime <= now) {
    return;
  }
  // Stamp first: a hook starting meanwhile skips the walk.
  Fd stamp(openat(files_fd, kSweepStamp, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                  0600));
  if (stamp.ok()) futimens(stamp.get(), nullptr);
  SweepTree(files_fd, now - kStagedMaxAgeSeconds, 0);
}

// A random file name for a temporary file; empty when the kernel has no
// random bytes to give.
std::string TempName() {
  unsigned char bytes[8];
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
  std::string name = kTempPrefix;
  for (unsigned char b : bytes) {
    name += kHex[b >> 4];
    name += kHex[b & 15];
  }
  return name;
}

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

struct timespec ToTimespec(int64_t ns) {
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(ns / 1'000'000'000);
  ts.tv_nsec = static_cast<long>(ns % 1'000'000'000);
  if (ts.tv_nsec < 0) {
    ts.tv_nsec += 1'000'000'000;
    ts.tv_sec -= 1;
  }
  return ts;
}

// One session's staging directory, <spool_dir>/files/<session>, and the
// paths below it. Every path is opened component by component from the
// spool directory with O_NOFOLLOW, and every directory is checked to be
// ours: a symlink planted anywhere in the tree is never followed.
class Staging {
 public:
  // The staging root, <spool_dir>/files, lexically normal.
  static std::string Root(const Config& config) {
    return NormalisePath(config.spool_dir + "/" + kStagingDirName);
  }

  // Opens (creating when `create`) the session's directory. False and
  // *error (a message) on failure; *errno_out gets the errno.
  bool Open(const Config& config, const std::string& session_dir, bool create, std::string* error,
            int* errno_out) {
    *errno_out = 0;
    if (config.spool_dir.empty() || config.spool_dir[0] != '/') {
      *error = "the spool directory '" + config.spool_dir + "' is not an absolute path";
      return false;
    }
    std::string spool = NormalisePath(config.spool_dir);
    if (create) {
      if (!EnsurePrivateDirectory(spool, error)) return false;
    }
    Fd spool_fd(open(spool.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    struct stat st;
    if (!spool_fd.ok() || fstat(spool_fd.get(), &st) != 0) {
      *errno_out = errno;
      *error = "cannot open " + spool + ": " + ErrnoText(errno);
      return false;
    }
    // EnsurePrivateDirectory checked it by path; this is the directory we
    // hold open, which is what every later *at call goes through.
    if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
      *error = spool + " is not a private directory of this user";
      return false;
    }
    int err = 0;
    files_ = OpenDirAt(spool_fd.get(), kStagingDirName, create, &err);
    if (files_.ok()) {
      // Before the session's directory is opened: the sweep may remove it.
      MaybeSweep(files_.get());
      session_ = OpenDirAt(files_.get(), session_dir, create, &err);
    }
    if (!files_.ok() || !session_.ok()) {
      *errno_out = err;
      *error = "cannot open the staging directory " + Root(config) + "/" + session_dir + ": " +
               (err == EPERM ? std::string("not owned by this user") : ErrnoText(err));
      return false;
    }
    path_ = Root(config) + "/" + session_dir;
    return true;
  }

  // The staged path of a memory path (its components; none: the root).
  std::string PathOf(const std::vector<std::string>& parts) const {
    std::string out = path_;
    for (const std::string& part : parts) out += "/" + part;
    return out;
  }

  // The directories from the session's directory down to the parent of
  // `parts.back()`, opened (created when `create`). Empty and *error (an
  // errno) on failure.
  std::vector<Fd> OpenParents(const std::vector<std::string>& parts, bool create,
                              int* error) const {
    std::vector<Fd> chain;
    Fd session(dup(session_.get()));
    if (!session.ok()) {
      *error = errno;
      return {};
    }
    chain.push_back(std::move(session));
    for (size_t i = 0; i + 1 < parts.size(); ++i) {
      Fd next = OpenDirAt(chain.back().get(), parts[i], create, error);
      if (!next.ok()) return {};
      chain.push_back(std::move(next));
    }
    return chain;
  }

  // Removes the now empty directories of `chain` (see OpenParents),
  // deepest first; the session's directory stays.
  static void PruneEmpty(const std::vector<Fd>& chain, const std::vector<std::string>& parts) {
    for (size_t k = chain.size() - 1; k >= 1; --k) {
      if (unlinkat(chain[k - 1].get(), parts[k - 1].c_str(), AT_REMOVEDIR) != 0) break;
    }
  }

 private:
  Fd files_;
  Fd session_;
  std::string path_;
};

// Reads the regular file `name` in `dir` (no symlink, no FIFO: a planted
// FIFO would block the open) that is ours. False and *error (an errno).
bool ReadStagedFile(int dir, const std::string& name, std::string* bytes, struct stat* st,
                    int* error) {
  Fd fd(openat(dir, name.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.ok()) {
    *error = errno;
    return false;
  }
  if (fstat(fd.get(), st) != 0) {
    *error = errno;
    return false;
  }
  if (!S_ISREG(st->st_mode)) {
    *error = S_ISDIR(st->st_mode) ? EISDIR : EINVAL;
    return false;
  }
  if (st->st_uid != geteuid()) {
    *error = EPERM;
    return false;
  }
  if (!ReadAll(fd.get(), bytes)) {
    *error = errno;
    return false;
  }
  return true;
}

// What the store holds at one memory path.
struct Node {
  enum class Kind { kMissing, kFile, kDirectory };
  Kind kind = Kind::kMissing;
  std::string bytes;
  uint32_t mode = 0644;
  int64_t mtime_ns = 0;
};

// Materialises `node` (a file) at the staged path of `parts`. A staged file
// that already holds these bytes is left alone: same inode, same mtime, so
// the agent's record of having read it stays valid. Otherwise the file gets
// the store's mode (owner bits; a read-only memory file stays read-only, as
// on disk) and mtime; when it replaces different bytes, an mtime later than
// the replaced one, so that an agent that read the old bytes sees "modified
// since read", as it would on disk.
bool MaterialiseFile(const Staging& staging, const std::vector<std::string>& parts,
                     const Node& node, int* error) {
  std::vector<Fd> chain = staging.OpenParents(parts, /*create=*/true, error);
  if (chain.empty()) return false;
  int dir = chain.back().get();
  const std::string& name = parts.back();
  int64_t mtime_ns = node.mtime_ns;
  struct stat st;
  if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0) {
    if (S_ISREG(st.st_mode)) {
      std::string current;
      struct stat current_st;
      int ignored = 0;
      if (ReadStagedFile(dir, name, &current, &current_st, &ignored) && current == node.bytes) {
        return true;
      }
      // Claude Code compares mtimes in whole milliseconds.
      mtime_ns = std::max(mtime_ns, MtimeNs(st) + 1'000'000);
    } else if (S_ISDIR(st.st_mode)) {
      RemoveTreeAt(dir, name);
    }
  }
  std::string temp = TempName();
  if (temp.empty()) {
    *error = errno;
    return false;
  }
  Fd fd(openat(dir, temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!fd.ok()) {
    *error = errno;
    return false;
  }
  struct timespec times[2] = {ToTimespec(mtime_ns), ToTimespec(mtime_ns)};
  bool ok = WriteAll(fd.get(), node.bytes) && fchmod(fd.get(), (node.mode & 0700) | 0400) == 0 &&
            futimens(fd.get(), times) == 0;
  if (ok) ok = renameat(dir, temp.c_str(), dir, name.c_str()) == 0;
  if (!ok) {
    *error = errno;
    unlinkat(dir, temp.c_str(), 0);
  }
  return ok;
}

// Makes the staged path of `parts` an empty directory: the stand-in for a
// memory directory, on which the tool gives its own "is a directory" error.
bool StageDirectory(const Staging& staging, const std::vector<std::string>& parts, int* error) {
  if (parts.empty()) return true;  // the session's directory stands for the root
  std::vector<Fd> chain = staging.OpenParents(parts, /*create=*/true, error);
  if (chain.empty()) return false;
  Fd dir = OpenDirAt(chain.back().get(), parts.back(), /*create=*/true, error);
  return dir.ok();
}

// Makes sure nothing but a directory is at the staged path of `parts` (a
// stale materialisation of a file the memory no longer has), and, when
// `make_parents`, that its parent directories exist, as a new file's
// would on disk. False and *error (an errno) on failure.
bool StageMissing(const Staging& staging, const std::vector<std::string>& parts, bool make_parents,
                  int* error) {
  if (parts.empty()) return true;
  std::vector<Fd> chain = staging.OpenParents(parts, make_parents, error);
  if (chain.empty()) {
    // No parent: nothing stale below it either.
    return !make_parents && (*error == ENOENT || *error == ENOTDIR || *error == ELOOP);
  }
  struct stat st;
  if (fstatat(chain.back().get(), parts.back().c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
      !S_ISDIR(st.st_mode)) {
    if (unlinkat(chain.back().get(), parts.back().c_str(), 0) != 0 && errno != ENOENT) {
      *error = errno;
      return false;
    }
  }
  return true;
}

// Opens the store the hook reads from: read-only, never created.
std::unique_ptr<vfs::Store> OpenReadOnly(const Config& config, std::string* error) {
  vfs::StoreOptions options;
  options.read_only = true;
  options.create_if_missing = false;
  vfs::Status status;
  std::unique_ptr<vfs::Store> store = vfs::OpenSqliteStore(config.db_path, options, &status);
  if (!store) *error = status.message();
  return store;
}

// Looks `vfs_path` up in the store. A store that does not exist yet holds
// nothing but its root.
bool LookUp(const Config& config, const std::string& vfs_path, Node* node, std::string* error) {
  struct stat db_st;
  if (stat(config.db_path.c_str(), &db_st) != 0 && errno == ENOENT) {
    node->kind = vfs_path.empty() ? Node::Kind::kDirectory : Node::Kind::kMissing;
    return true;
  }
  std::unique_ptr<vfs::Store> store = OpenReadOnly(config, error);
  if (!store) return false;
  vfs::Stat stat;
  vfs::Status status = store->GetStat(vfs_path, &stat);
  if (status.code() == vfs::Status::Code::kNotFound ||
      status.code() == vfs::Status::Code::kNotADirectory) {
    node->kind = Node::Kind::kMissing;
    return true;
  }
  if (!status.ok()) {
    *error = status.message();
    return false;
  }
  if (stat.kind == vfs::NodeKind::kDirectory) {
    node->kind = Node::Kind::kDirectory;
    return true;
  }
  node->kind = Node::Kind::kFile;
  node->mode = stat.mode;
  node->mtime_ns = stat.mtime_ns;
  status = store->ReadFile(vfs_path, &node->bytes);
  if (!status.ok()) {
    *error = status.message();
    return false;
  }
  return true;
}

std::string StringField(const nlohmann::json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Dump(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

HookOutput Redirect(const nlohmann::json& input, const std::string& staged_path, bool allow,
                    const std::string& reason) {
  nlohmann::json updated = input;  // updatedInput replaces the whole input
  updated["file_path"] = staged_path;
  nlohmann::json specific = {{"hookEventName", "PreToolUse"}, {"updatedInput", updated}};
  if (allow) {
    specific["permissionDecision"] = "allow";
    specific["permissionDecisionReason"] = reason;
  }
  HookOutput output;
  output.stdout_text = Dump(nlohmann::json{{"hookSpecificOutput", specific}});
  return output;
}

// The call cannot be served from the memory. Letting it through would read
// or write the real ~/.memhook/memory, which memhook never sees: refuse it,
// with the reason shown to the model.
HookOutput Deny(const std::string& reason) {
  nlohmann::json specific = {{"hookEventName", "PreToolUse"},
                             {"permissionDecision", "deny"},
                             {"permissionDecisionReason", reason}};
  HookOutput output;
  output.stdout_text = Dump(nlohmann::json{{"hookSpecificOutput", specific}});
  output.call.error = reason;  // for `memhook log --errors`
  return output;
}

HookOutput PreToolUse(const nlohmann::json& request, const Config& config, Tool tool) {
  auto input = request.find("tool_input");
  if (input == request.end() || !input->is_object()) return {};
  auto path_it = input->find("file_path");
  if (path_it == input->end() || !path_it->is_string()) return {};
  std::string file_path = path_it->get<std::string>();
  if (file_path.find('\0') != std::string::npos) return {};  // no file has such a name
  std::string absolute = ResolvePath(file_path, StringField(request, "cwd"));
  std::optional<std::vector<std::string>> parts = Below(absolute, config.mount);
  if (!parts) return {};  // not the memory: the tool runs as it is

  const std::string vfs_path = VfsPath(*parts);
  const std::string shown = vfs_path.empty() ? "the memory root" : vfs_path;
  Node node;
  std::string error;
  if (!LookUp(config, vfs_path, &node, &error)) {
    return Deny("memhook: cannot read " + shown + " from the memory: " + error);
  }

  if (tool == Tool::kRead && node.kind != Node::Kind::kFile) {
    // The tool's own error ("does not exist", "is a directory") is best
    // given on the path the agent asked for. The mount is not on disk, so
    // the call is passed through when the disk agrees with the store
    // there (usually: nothing at all); a stale real file or directory
    // under the mount is shadowed by a staged stand-in of the right kind
    // instead, at the price of an error that names the staged path.
    struct stat disk;
    bool on_disk = lstat(absolute.c_str(), &disk) == 0;
    bool agrees = node.kind == Node::Kind::kMissing ? !on_disk : on_disk && S_ISDIR(disk.st_mode);
    if (agrees) return {};
  }

  std::string session = SessionDirName(StringField(request, "session_id"));
  std::string staging_error;
  for (int attempt = 0;; ++attempt) {
    Staging staging;
    int err = 0;
    bool ok = staging.Open(config, session, /*create=*/true, &staging_error, &err);
    if (ok) {
      switch (node.kind) {
        case Node::Kind::kFile:
          // A Write too: the tool then insists on a prior Read of an
          // existing file, and on no change since, as it does on disk.
          ok = MaterialiseFile(staging, *parts, node, &err);
          break;
        case Node::Kind::kDirectory:
          ok = StageDirectory(staging, *parts, &err);
          break;
        case Node::Kind::kMissing:
          // A Write creates the file (and, on disk, its parents); an Edit
          // fails on it, or creates it from an empty old_string.
          ok = StageMissing(staging, *parts, /*make_parents=*/tool != Tool::kRead, &err);
          break;
      }
      if (ok) {
        return Redirect(*input, staging.PathOf(*parts), tool == Tool::kRead,
                        "memhook: Read " + shown + " from the memory");
      }
      staging_error = "cannot stage " + staging.PathOf(*parts) + ": " +
                      (err == EPERM ? std::string("not owned by this user") : ErrnoText(err));
    }
    // A concurrent hook may have removed an empty staging directory
    // between our open and our create: start again from the top.
    if (err != ENOENT || attempt + 1 >= kStagingAttempts) break;
  }
  return Deny("memhook: cannot stage " + shown + " for " + StringField(request, "tool_name") +
              ": " + staging_error);
}

// Whether tool_response reports a failure. PostToolUse is documented to
// run after a successful call only (failures go to PostToolUseFailure);
// this is the belt to that braces.
bool ToolFailed(const nlohmann::json& request) {
  auto response = request.find("tool_response");
  if (response == request.end() || !response->is_object()) return false;
  auto success = response->find("success");
  if (success != response->end() && success->is_boolean() && !success->get<bool>()) return true;
  auto is_error = response->find("is_error");
  if (is_error != response->end() && is_error->is_boolean() && is_error->get<bool>()) return true;
  auto error = response->find("error");
  return error != response->end() && !error->is_null() && !(error->is_string() && error->empty()) &&
         !(error->is_boolean() && !error->get<bool>());
}

HookOutput ImportError(const std::string& what, const std::string& message) {
  HookOutput output;
  output.stderr_text = "memhook: " + what + ": not saved to the memory: " + message + "\n";
  output.exit_code = 1;
  return output;
}

HookOutput PostToolUse(const nlohmann::json& request, const Config& config, Tool tool) {
  if (tool == Tool::kRead) return {};
  auto input = request.find("tool_input");
  if (input == request.end() || !input->is_object()) return {};
  auto path_it = input->find("file_path");
  if (path_it == input->end() || !path_it->is_string()) return {};
  std::string file_path = path_it->get<std::string>();
  if (file_path.find('\0') != std::string::npos) return {};
  std::string absolute = ResolvePath(file_path, StringField(request, "cwd"));

  // The tool ran on a staged path (the updated input); accept the memory
  // path too, in case the original input is what reaches this hook.
  std::string session;
  std::vector<std::string> parts;
  bool named_staged = false;
  if (auto staged = Below(absolute, Staging::Root(config))) {
    if (staged->size() < 2 || !IsSessionDirName((*staged)[0])) return {};
    session = (*staged)[0];
    parts.assign(staged->begin() + 1, staged->end());
    named_staged = true;
  } else if (auto memory = Below(absolute, config.mount)) {
    if (memory->empty()) return {};
    session = SessionDirName(StringField(request, "session_id"));
    parts = std::move(*memory);
  } else {
    return {};  // neither ours nor the memory: not our business
  }
  const std::string tool_name = StringField(request, "tool_name");
  const std::string vfs_path = VfsPath(parts);
  const std::string what = tool_name + " " + vfs_path;
  // A failed tool left nothing to import; its staged file goes with the sweep.
  if (ToolFailed(request)) return {};

  Staging staging;
  std::string error;
  int err = 0;
  if (!staging.Open(config, session, /*create=*/false, &error, &err)) {
    if (!named_staged && (err == ENOENT || err == ENOTDIR)) return {};
    return ImportError(what, error);
  }
  const std::string staged_path = staging.PathOf(parts);
  std::vector<Fd> chain = staging.OpenParents(parts, /*create=*/false, &err);
  std::string bytes;
  struct stat st;
  if (chain.empty() || !ReadStagedFile(chain.back().get(), parts.back(), &bytes, &st, &err)) {
    // Nothing staged for a memory path: the tool wrote no file of ours.
    if (!named_staged && (err == ENOENT || err == ENOTDIR)) return {};
    return ImportError(what, "cannot read " + staged_path + ": " +
                                 (err == EPERM    ? std::string("not owned by this user")
                                  : err == EINVAL ? std::string("not a regular file")
                                                  : ErrnoText(err)));
  }
  auto remove_staged = [&]() {
    unlinkat(chain.back().get(), parts.back().c_str(), 0);
    Staging::PruneEmpty(chain, parts);
  };
  const std::string keep_note = " (the file is kept at " + staged_path + ")";

  vfs::Status status;
  std::unique_ptr<vfs::Store> store =
      vfs::OpenSqliteStore(config.db_path, WritableStoreOptions(config), &status);
  if (!store) return ImportError(what, status.message() + keep_note);
  vfs::Stat current;
  status = store->GetStat(vfs_path, &current);
  uint32_t mode = st.st_mode & 0777;  // a new file: the mode the tool gave it
  if (status.ok()) {
    if (current.kind == vfs::NodeKind::kDirectory) {
      return ImportError(what, vfs_path + " is a directory in the memory" + keep_note);
    }
    std::string stored;
    status = store->ReadFile(vfs_path, &stored);
    if (!status.ok()) return ImportError(what, status.message() + keep_note);
    if (stored == bytes) {
      remove_staged();  // unchanged: nothing to record
      return {};
    }
    mode = current.mode;  // the staged copy's mode is the staging area's business
  } else if (status.code() != vfs::Status::Code::kNotFound &&
             status.code() != vfs::Status::Code::kNotADirectory) {
    return ImportError(what, status.message() + keep_note);
  }

  vfs::Store::ChangeInfo info;
  info.command = what;
  info.session_id = StringField(request, "session_id");
  info.cwd = StringField(request, "cwd");
  info.origin = tool_name;
  status = store->BeginChange(info);
  // The file's mtime is when the tool wrote it: the time the agent recorded
  // for it, which the next materialisation gives back (see the top).
  if (status.ok()) status = store->WriteFile(vfs_path, bytes, mode, MtimeNs(st));
  if (status.ok()) status = store->CommitChange(nullptr);
  if (!status.ok()) {
    if (store->InChange()) store->RollbackChange();
    return ImportError(what, status.message() + keep_note);
  }
  remove_staged();
  HookOutput imported;
  imported.log_call = true;  // the rest of the record: HandleFileTool
  imported.call.bytes = static_cast<int64_t>(bytes.size());
  return imported;
}

}  // namespace

bool EnsurePrivateDirectory(const std::string& dir, std::string* error) {
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    *error = "cannot create " + dir + ": " + std::strerror(errno);
    return false;
  }
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
    *error = dir + " is not a private directory of this user";
    return false;
  }
  // Ours but open to others (another user could replace what is in it):
  // close it first, or give up.
  if ((st.st_mode & 077) != 0 && chmod(dir.c_str(), 0700) != 0) {
    *error = dir + " is open to other users and cannot be made private: " + std::strerror(errno);
    return false;
  }
  return true;
}

bool IsFileToolRequest(const nlohmann::json& request) {
  auto event = request.find("hook_event_name");
  if (event != request.end() && event->is_string() && *event != "PreToolUse") return true;
  auto tool = request.find("tool_name");
  return tool != request.end() && tool->is_string() && *tool != "Bash";
}

HookOutput HandleFileTool(const nlohmann::json& request, const Config& config) {
  try {
    auto tool_it = request.find("tool_name");
    if (tool_it == request.end() || !tool_it->is_string()) return {};
    Tool tool = ToolFromName(tool_it->get<std::string>());
    if (tool == Tool::kOther) return {};
    std::string event = StringField(request, "hook_event_name");
    if (event.empty()) event = "PreToolUse";
    HookOutput output;
    if (event == "PreToolUse") {
      output = PreToolUse(request, config, tool);
    } else if (event == "PostToolUse") {
      output = PostToolUse(request, config, tool);
    }
    // A call on a memory path (staged, refused, imported or failed) is
    // logged for `memhook stats`; one that was not ours answered nothing.
    if (output.log_call || !output.stdout_text.empty() || output.exit_code != 0) {
      output.log_call = true;
      output.call.event = event;
      output.call.route = "file-tool";
      output.call.kind = tool_it->get<std::string>();
      output.call.status = output.exit_code;
      if (output.call.error.empty() && output.exit_code != 0) {
        output.call.error = output.stderr_text;
        while (!output.call.error.empty() && output.call.error.back() == '\n')
          output.call.error.pop_back();
      }
    }
    return output;
  } catch (const std::exception& e) {
    HookOutput output;
    output.stderr_text = std::string("memhook: hook failed: ") + e.what() + "\n";
    output.exit_code = 1;
    return output;
  }
}

}  // namespace memhook::interceptor
