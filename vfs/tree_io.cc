// ImportTree / ExportTree: copying between a host directory and a Store.
// Import mirrors: the store's tree becomes the source's, writing only what
// differs, so that a re-import of an unchanged tree writes (and records in
// history) nothing.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <unordered_map>
#include <vector>

#include "vfs/store_internal.h"
#include "vfs/vfs.h"

namespace memhook::vfs {
namespace {

using Code = Status::Code;

Status HostError(std::string_view what, const std::string& path, int err) {
  const Code code = err == ENOENT    ? Code::kNotFound
                    : err == ENOTDIR ? Code::kNotADirectory
                    : err == EISDIR  ? Code::kIsADirectory
                                     : Code::kIoError;
  return Status::Error(code, std::string(what) + " " + path + ": " + std::strerror(err));
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // close() can report a failed write-back; callers writing files check it.
  int Close() {
    const int rc = ::close(fd_);
    fd_ = -1;
    return rc;
  }

 private:
  int fd_;
};

struct DirCloser {
  void operator()(DIR* dir) const { ::closedir(dir); }
};

int64_t MtimeNs(const struct stat& st) {
  return static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
}

struct timespec ToTimespec(int64_t ns) {
  struct timespec ts;
  int64_t sec = ns / 1000000000;
  int64_t rem = ns % 1000000000;
  if (rem < 0) {
    rem += 1000000000;
    --sec;
  }
  ts.tv_sec = static_cast<time_t>(sec);
  ts.tv_nsec = static_cast<long>(rem);
  return ts;
}

std::string Join(const std::string& base, std::string_view rel) {
  if (rel.empty()) return base;
  std::string out = base;
  if (out.empty() || out.back() != '/') out += '/';
  out += rel;
  return out;
}

std::string JoinRel(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (!out.empty()) out += '/';
  out += name;
  return out;
}

// Reads a regular file. Not through a symbolic link, and never blocking on
// a fifo: the scan saw a regular file at `path`, and anything else there
// now (the source changed under us) is an error, not an import.
Status ReadHostFile(const std::string& path, std::string* out) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  if (fd.get() < 0) return HostError("cannot open", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return HostError("cannot stat", path, errno);
  if (!S_ISREG(st.st_mode)) {
    return Status::Error(Code::kIoError, "cannot import " + path + ": no longer a regular file");
  }
  out->resize(st.st_size > 0 ? static_cast<size_t>(st.st_size) : 0);
  size_t used = 0;
  while (true) {
    if (used == out->size()) out->resize(std::max<size_t>(out->size() * 2, 4096));
    const ssize_t n = ::read(fd.get(), out->data() + used, out->size() - used);
    if (n < 0) {
      if (errno == EINTR) continue;
      return HostError("cannot read", path, errno);
    }
    if (n == 0) break;
    used += static_cast<size_t>(n);
  }
  out->resize(used);
  return Status::Ok();
}

// Where a tree is written: the bulk writer of a SQLite store (one
// transaction, or the open change; cached statements), or the public Store
// API for any other.
class Sink {
 public:
  explicit Sink(Store& store) : store_(store) {}

  Status Begin() {
    if (auto* bulk = dynamic_cast<internal::BulkCapable*>(&store_); bulk != nullptr) {
      return bulk->BeginBulk(&writer_);
    }
    return Status::Ok();
  }
  Status Dir(std::string_view path, uint32_t mode, int64_t mtime_ns) {
    if (writer_ != nullptr) return writer_->PutDirectory(path, mode, mtime_ns);
    Stat stat;
    Status st = store_.GetStat(path, &stat);
    if (st.IsNotFound()) return store_.MakeDirectory(path, mode, mtime_ns);
    if (!st.ok()) return st;
    Store::Attributes attributes;
    attributes.set_mode = attributes.set_mtime = true;
    attributes.mode = mode;
    attributes.mtime_ns = mtime_ns;
    return store_.SetAttributes(path, attributes);
  }
  Status File(std::string_view path, std::string_view bytes, uint32_t mode, int64_t mtime_ns) {
    if (writer_ != nullptr) return writer_->PutFile(path, bytes, mode, mtime_ns);
    return store_.WriteFile(path, bytes, mode, mtime_ns);
  }
  Status Remove(std::string_view path) {
    if (writer_ != nullptr) return writer_->Remove(path);
    return store_.Remove(path);
  }
  Status Commit() { return writer_ != nullptr ? writer_->Commit() : Status::Ok(); }

 private:
  Store& store_;
  std::unique_ptr<internal::BulkWriter> writer_;
};

// A node of the source tree as it is to be stored.
struct SourceNode {
  std::string rel;  // VFS path
  bool dir = false;
  uint32_t mode = 0;
  int64_t mtime_ns = 0;
  std::string host;  // the file to read: the node itself or a link's target
};

// Whether the resolved path `resolved` is `real_root` or below it.
bool IsInside(const std::string& real_root, const std::string& resolved) {
  if (real_root == "/" || resolved == real_root) return true;
  return resolved.size() > real_root.size() && resolved.starts_with(real_root) &&
         resolved[real_root.size()] == '/';
}

// Lists the source tree (metadata only), in pre-order with siblings sorted
// in byte order, and what it leaves out with why.
class Scanner {
 public:
  Scanner(const std::string& src_dir, std::string real_root, ImportResult* result)
      : root_(src_dir), real_root_(std::move(real_root)), result_(result) {}

  Status Scan(const std::string& rel, std::vector<SourceNode>* out) {
    const std::string host = Join(root_, rel);
    std::unique_ptr<DIR, DirCloser> dir(::opendir(host.c_str()));
    if (dir == nullptr) return HostError("cannot open directory", host, errno);
    std::vector<std::string> names;
    errno = 0;
    while (const struct dirent* entry = ::readdir(dir.get())) {
      const std::string_view name = entry->d_name;
      if (name != "." && name != "..") names.emplace_back(name);
      errno = 0;
    }
    if (errno != 0) return HostError("cannot read directory", host, errno);
    dir.reset();
    std::sort(names.begin(), names.end());

    for (const std::string& name : names) {
      SourceNode node;
      node.rel = JoinRel(rel, name);
      node.host = Join(root_, node.rel);
      struct stat st;
      if (::lstat(node.host.c_str(), &st) != 0) return HostError("cannot stat", node.host, errno);
      if (S_ISLNK(st.st_mode)) {
        std::string reason;
        Status status = ResolveLink(&node, &st, &reason);
        if (!status.ok()) return status;
        if (!reason.empty()) {
          Skip(node.rel, reason);
          continue;
        }
      }
      node.mode = static_cast<uint32_t>(st.st_mode & 07777);
      node.mtime_ns = MtimeNs(st);
      if (S_ISDIR(st.st_mode)) {
        node.dir = true;
        out->push_back(node);
        Status status = Scan(node.rel, out);
        if (!status.ok()) return status;
      } else if (S_ISREG(st.st_mode)) {
        out->push_back(std::move(node));
      } else {
        Skip(node.rel, S_ISFIFO(st.st_mode)                         ? "a fifo"
                       : S_ISSOCK(st.st_mode)                       ? "a socket"
                       : S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device"
                                                                    : "a special file");
      }
    }
    return Status::Ok();
  }

 private:
  // A symbolic link: `*node` and `*st` become its target's when that is a
  // regular file inside the source; otherwise `*reason` says why it is
  // skipped.
  Status ResolveLink(SourceNode* node, struct stat* st, std::string* reason) const {
    char* resolved = ::realpath(node->host.c_str(), nullptr);
    if (resolved == nullptr) {
      const int err = errno;
      *reason = err == ENOENT ? "a dangling symbolic link"
                : err == ELOOP
                    ? "a symbolic link loop"
                    : std::string("a symbolic link that cannot be resolved: ") + std::strerror(err);
      return Status::Ok();
    }
    std::string target(resolved);
    std::free(resolved);
    if (::stat(target.c_str(), st) != 0) {
      *reason = std::string("a symbolic link whose target cannot be read: ") + std::strerror(errno);
      return Status::Ok();
    }
    const bool inside = IsInside(real_root_, target);
    if (S_ISDIR(st->st_mode)) {
      // Never followed: a link to an ancestor would loop, and a directory
      // inside the source is imported where it is anyway.
      *reason = inside ? "a symbolic link to a directory (not followed)"
                       : "a symbolic link to a directory outside " + root_;
    } else if (!inside) {
      *reason = std::string(S_ISREG(st->st_mode) ? "a symbolic link to a file outside "
                                                 : "a symbolic link to a special file outside ") +
                root_;
    } else if (!S_ISREG(st->st_mode)) {
      *reason = "a symbolic link to a special file";
    } else {
      node->host = std::move(target);
    }
    return Status::Ok();
  }

  void Skip(const std::string& rel, std::string reason) {
    result_->skipped.push_back(ImportResult::Skipped{rel, std::move(reason)});
  }

  std::string root_;
  std::string real_root_;
  ImportResult* result_;
};

// Makes the store's tree the source's, writing only what differs.
class Mirror {
 public:
  Mirror(Store& store, Sink* sink, const ImportOptions& options, ImportResult* result)
      : store_(store), sink_(sink), options_(options), result_(result) {}

  Status Run(const SourceNode& root, const std::vector<SourceNode>& nodes) {
    Status status = ReadStoredTree();
    std::unordered_map<std::string_view, const SourceNode*> source;
    source.reserve(nodes.size());
    for (const SourceNode& node : nodes) source.emplace(node.rel, &node);
    // Removals first: a directory that became a file (or the reverse) must
    // be gone before its new node is written.
    std::string removed_dir;
    for (size_t i = 0; status.ok() && i < stored_order_.size(); ++i) {
      const std::string& path = stored_order_[i];
      if (!removed_dir.empty() && path.size() > removed_dir.size() &&
          path.starts_with(removed_dir) && path[removed_dir.size()] == '/') {
        continue;  // went with its directory
      }
      const Stat& stat = stored_.at(path);
      const auto it = source.find(path);
      const bool absent = it == source.end();
      if (!absent && it->second->dir == (stat.kind == NodeKind::kDirectory)) continue;
      if (absent && !options_.mirror) continue;
      status = sink_->Remove(path);
      if (absent) ++result_->removed;
      if (stat.kind == NodeKind::kDirectory) removed_dir = path;
      stored_.erase(path);
    }
    // Files, parents before children (a missing parent is created, its
    // attributes set below).
    for (size_t i = 0; status.ok() && i < nodes.size(); ++i) {
      if (!nodes[i].dir) status = File(nodes[i]);
    }
    // Directory attributes last, deepest first, root included.
    for (auto it = nodes.rbegin(); status.ok() && it != nodes.rend(); ++it) {
      if (it->dir) status = Dir(*it);
    }
    if (status.ok()) status = Dir(root);
    return status;
  }

 private:
  // What the store holds now (the generated index.md is not stored).
  Status ReadStoredTree() {
    Status status = store_.Walk("", [this](const std::string& path, const Stat& stat) {
      if (stat.storage == Storage::kVirtual) return true;
      stored_.emplace(path, stat);
      stored_order_.push_back(path);
      return true;
    });
    if (!status.ok()) return status;
    Stat root;
    status = store_.GetStat("", &root);
    if (status.ok()) stored_.emplace("", root);
    return status;
  }

  Status Dir(const SourceNode& node) {
    const auto it = stored_.find(node.rel);
    if (it != stored_.end() && it->second.kind == NodeKind::kDirectory &&
        it->second.mode == node.mode && it->second.mtime_ns == node.mtime_ns) {
      return Status::Ok();
    }
    ++result_->written;
    return sink_->Dir(node.rel, node.mode, node.mtime_ns);
  }

  Status File(const SourceNode& node) {
    ++result_->files;
    Status status = ReadHostFile(node.host, &bytes_);
    if (!status.ok()) return status;
    const auto it = stored_.find(node.rel);
    if (it != stored_.end() && it->second.kind == NodeKind::kFile &&
        it->second.size == bytes_.size() && it->second.mode == node.mode &&
        it->second.mtime_ns == node.mtime_ns) {
      // Same size and times: most likely the same file, but an edit
      // within the same nanosecond and size is possible.
      status = store_.ReadFile(node.rel, &stored_bytes_);
      if (!status.ok()) return status;
      if (stored_bytes_ == bytes_) return Status::Ok();
    }
    ++result_->written;
    return sink_->File(node.rel, bytes_, node.mode, node.mtime_ns);
  }

  Store& store_;
  Sink* sink_;
  const ImportOptions& options_;
  ImportResult* result_;
  std::unordered_map<std::string, Stat> stored_;  // "" is the root
  std::vector<std::string> stored_order_;         // Walk order, root excluded
  std::string bytes_;
  std::string stored_bytes_;
};

Status WriteHostFile(const std::string& path, std::string_view bytes, uint32_t mode,
                     int64_t mtime_ns) {
  int raw = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (raw < 0 && errno == EACCES) {
    // A read-only file left by an earlier export.
    if (::chmod(path.c_str(), 0600) == 0) {
      raw = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    }
  }
  Fd fd(raw);
  if (fd.get() < 0) return HostError("cannot create", path, errno);
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0) {
      if (errno == EINTR) continue;
      return HostError("cannot write", path, errno);
    }
    done += static_cast<size_t>(n);
  }
  const struct timespec times[2] = {{0, UTIME_OMIT}, ToTimespec(mtime_ns)};
  if (::fchmod(fd.get(), mode) != 0) return HostError("cannot chmod", path, errno);
  if (::futimens(fd.get(), times) != 0) return HostError("cannot set times on", path, errno);
  if (fd.Close() != 0) return HostError("cannot write", path, errno);
  return Status::Ok();
}

Status SetDirMeta(const std::string& path, uint32_t mode, int64_t mtime_ns) {
  if (::chmod(path.c_str(), mode) != 0) return HostError("cannot chmod", path, errno);
  const struct timespec times[2] = {{0, UTIME_OMIT}, ToTimespec(mtime_ns)};
  if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) {
    return HostError("cannot set times on", path, errno);
  }
  return Status::Ok();
}

}  // namespace

namespace internal {

Status MakeHostDirs(const std::string& dir, uint32_t mode) {
  if (dir.empty()) return Status::Ok();
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return Status::Ok();
    return HostError("cannot create directory", dir, ENOTDIR);
  }
  const size_t last = dir.find_last_not_of('/');
  const size_t slash = last == std::string::npos ? std::string::npos : dir.rfind('/', last);
  if (slash != std::string::npos && slash > 0) {
    Status parent = MakeHostDirs(dir.substr(0, slash), mode);
    if (!parent.ok()) return parent;
  }
  if (::mkdir(dir.c_str(), mode) != 0 && errno != EEXIST) {
    return HostError("cannot create directory", dir, errno);
  }
  return Status::Ok();
}

int64_t NowNs() {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace internal

Status ImportTree(Store& store, const std::string& src_dir, const ImportOptions& options,
                  ImportResult* result) {
  *result = ImportResult();
  struct stat st;
  if (::stat(src_dir.c_str(), &st) != 0) return HostError("cannot import", src_dir, errno);
  if (!S_ISDIR(st.st_mode)) return HostError("cannot import", src_dir, ENOTDIR);
  char* real_root = ::realpath(src_dir.c_str(), nullptr);
  if (real_root == nullptr) return HostError("cannot import", src_dir, errno);
  Scanner scanner(src_dir, real_root, result);
  std::free(real_root);
  SourceNode root;
  root.dir = true;
  root.mode = static_cast<uint32_t>(st.st_mode & 07777);
  root.mtime_ns = MtimeNs(st);
  // The source is listed before the write lock is taken; the store is read
  // and compared after, so that nothing another writer commits meanwhile
  // is compared with a stale view.
  std::vector<SourceNode> nodes;
  Status status = scanner.Scan("", &nodes);
  if (!status.ok()) return status;
  Sink sink(store);
  status = sink.Begin();
  if (!status.ok()) return status;
  Mirror mirror(store, &sink, options, result);
  status = mirror.Run(root, nodes);
  if (status.ok()) status = sink.Commit();
  return status;
}

Status ImportTree(Store& store, const std::string& src_dir, uint64_t* files_imported) {
  ImportResult result;
  Status status = ImportTree(store, src_dir, ImportOptions(), &result);
  if (files_imported != nullptr) *files_imported = status.ok() ? result.files : 0;
  return status;
}

Status ExportTree(Store& store, const std::string& dest_dir) {
  struct Entry {
    std::string path;
    Stat stat;
  };
  std::vector<Entry> entries;
  Status status = store.Walk("", [&entries](const std::string& path, const Stat& stat) {
    entries.push_back(Entry{path, stat});
    return true;
  });
  if (!status.ok()) return status;
  Stat root;
  status = store.GetStat("", &root);
  if (!status.ok()) return status;
  status = internal::MakeHostDirs(dest_dir, 0755);
  if (!status.ok()) return status;

  std::string bytes;
  for (const Entry& entry : entries) {
    const std::string host = Join(dest_dir, entry.path);
    if (entry.stat.kind == NodeKind::kDirectory) {
      // Owner-writable until its own mode is applied at the end.
      if (::mkdir(host.c_str(), 0700) != 0) {
        const int err = errno;
        struct stat st;
        if (err != EEXIST || ::lstat(host.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
          return HostError("cannot create directory", host, err);
        }
        if (::chmod(host.c_str(), 0700 | (st.st_mode & 07777)) != 0) {
          return HostError("cannot chmod", host, errno);
        }
      }
      continue;
    }
    status = store.ReadFile(entry.path, &bytes);
    if (status.ok()) status = WriteHostFile(host, bytes, entry.stat.mode, entry.stat.mtime_ns);
    if (!status.ok()) return status;
  }
  // Pre-order puts every directory before its contents: reversed, each
  // directory comes after everything below it.
  for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
    if (it->stat.kind != NodeKind::kDirectory) continue;
    status = SetDirMeta(Join(dest_dir, it->path), it->stat.mode, it->stat.mtime_ns);
    if (!status.ok()) return status;
  }
  return SetDirMeta(dest_dir, root.mode, root.mtime_ns);
}

}  // namespace memhook::vfs
