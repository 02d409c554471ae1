// ImportTree / ExportTree: copying between a host directory and a Store.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <string>
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

Status ReadHostFile(const std::string& path, std::string* out) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return HostError("cannot open", path, errno);
  struct stat st;
  if (::fstat(fd.get(), &st) == 0 && st.st_size > 0) {
    out->resize(static_cast<size_t>(st.st_size));
  } else {
    out->clear();
  }
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
// transaction, cached statements), or the public Store API for any other.
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
    if (path.empty()) return Status::Ok();  // the root's metadata needs the bulk writer
    Status st = store_.MakeDirectory(path, mode, mtime_ns);
    return st.code() == Code::kAlreadyExists ? Status::Ok() : st;
  }
  Status File(std::string_view path, std::string_view bytes, uint32_t mode, int64_t mtime_ns) {
    if (writer_ != nullptr) return writer_->PutFile(path, bytes, mode, mtime_ns);
    return store_.WriteFile(path, bytes, mode, mtime_ns);
  }
  Status Commit() { return writer_ != nullptr ? writer_->Commit() : Status::Ok(); }

 private:
  Store& store_;
  std::unique_ptr<internal::BulkWriter> writer_;
};

struct DirMeta {
  std::string path;
  uint32_t mode;
  int64_t mtime_ns;
};

class Importer {
 public:
  Importer(Sink* sink, std::string root) : sink_(sink), root_(std::move(root)) {}

  Status ImportDir(const std::string& rel, const struct stat& st) {
    const auto mode = static_cast<uint32_t>(st.st_mode & 07777);
    Status status = sink_->Dir(rel, mode, MtimeNs(st));
    if (!status.ok()) return status;
    dirs_.push_back(DirMeta{rel, mode, MtimeNs(st)});

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
      const std::string child_rel = JoinRel(rel, name);
      const std::string child = Join(root_, child_rel);
      struct stat cst;
      if (::lstat(child.c_str(), &cst) != 0) return HostError("cannot stat", child, errno);
      if (S_ISLNK(cst.st_mode)) {
        // Followed for files only: a linked directory could loop.
        if (::stat(child.c_str(), &cst) != 0 || !S_ISREG(cst.st_mode)) continue;
      }
      if (S_ISDIR(cst.st_mode)) {
        status = ImportDir(child_rel, cst);
      } else if (S_ISREG(cst.st_mode)) {
        status = ReadHostFile(child, &buffer_);
        if (status.ok()) {
          status = sink_->File(child_rel, buffer_, static_cast<uint32_t>(cst.st_mode & 07777),
                               MtimeNs(cst));
        }
        if (status.ok()) ++files_;
      }
      if (!status.ok()) return status;
    }
    return Status::Ok();
  }

  // Directory times last, deepest first, so nothing written afterwards can
  // have touched them.
  Status FinishDirs() {
    for (auto it = dirs_.rbegin(); it != dirs_.rend(); ++it) {
      Status st = sink_->Dir(it->path, it->mode, it->mtime_ns);
      if (!st.ok()) return st;
    }
    return Status::Ok();
  }

  uint64_t files() const { return files_; }

 private:
  Sink* sink_;
  std::string root_;
  std::vector<DirMeta> dirs_;
  std::string buffer_;
  uint64_t files_ = 0;
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

Status ImportTree(Store& store, const std::string& src_dir, uint64_t* files_imported) {
  if (files_imported != nullptr) *files_imported = 0;
  struct stat st;
  if (::stat(src_dir.c_str(), &st) != 0) return HostError("cannot import", src_dir, errno);
  if (!S_ISDIR(st.st_mode)) return HostError("cannot import", src_dir, ENOTDIR);
  Sink sink(store);
  Status status = sink.Begin();
  if (!status.ok()) return status;
  Importer importer(&sink, src_dir);
  status = importer.ImportDir("", st);
  if (status.ok()) status = importer.FinishDirs();
  if (status.ok()) status = sink.Commit();
  if (status.ok() && files_imported != nullptr) *files_imported = importer.files();
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
