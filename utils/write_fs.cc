#include "utils/write_fs.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "utils/write_util.h"

namespace memhook::utils::wfs {

namespace {

using Code = vfs::Status::Code;

// The store's parent of a VFS path ("" for a top-level name).
std::string ParentOf(std::string_view vfs_path) {
  size_t slash = vfs_path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(vfs_path.substr(0, slash));
}

// Whether the last component of `operand` (trailing slashes ignored) is
// "." or "..".
bool DotLast(std::string_view operand) {
  while (operand.size() > 1 && operand.back() == '/') operand.remove_suffix(1);
  size_t slash = operand.rfind('/');
  std::string_view last = slash == std::string_view::npos ? operand : operand.substr(slash + 1);
  return last == "." || last == "..";
}

// The last component of an operand, trailing slashes ignored.
std::string_view LastComponent(std::string_view operand) {
  while (operand.size() > 1 && operand.back() == '/') operand.remove_suffix(1);
  size_t slash = operand.rfind('/');
  return slash == std::string_view::npos ? operand : operand.substr(slash + 1);
}

int WriteAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    ssize_t n = ::write(fd, bytes.data(), bytes.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno;
    }
    bytes.remove_prefix(static_cast<size_t>(n));
  }
  return 0;
}

int HostOpenWrite(const std::string& path, int flags, std::string_view bytes, uint32_t mode) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | flags, mode);
  if (fd < 0) return errno;
  int err = WriteAll(fd, bytes);
  if (::close(fd) != 0 && err == 0) err = errno;
  return err;
}

}  // namespace

std::string ErrnoMessage(int err) {
  // The texts of glibc's strerror in the C locale, fixed here so that a
  // translated process locale cannot change them.
  switch (err) {
    case ENOENT:
      return "No such file or directory";
    case ENOTDIR:
      return "Not a directory";
    case EISDIR:
      return "Is a directory";
    case EEXIST:
      return "File exists";
    case ENOTEMPTY:
      return "Directory not empty";
    case EINVAL:
      return "Invalid argument";
    case EBUSY:
      return "Device or resource busy";
    case EPERM:
      return "Operation not permitted";
    case EACCES:
      return "Permission denied";
    case EROFS:
      return "Read-only file system";
    case EXDEV:
      return "Invalid cross-device link";
    case EFBIG:
      return "File too large";
    case ENOSPC:
      return "No space left on device";
    case ELOOP:
      return "Too many levels of symbolic links";
    case ENAMETOOLONG:
      return "File name too long";
    case EIO:
      return "Input/output error";
    default:
      return std::strerror(err);
  }
}

bool Fs::Resolve(std::string_view operand, const std::string& program, Loc* out, CommandIo& io) {
  *out = Loc();
  if (operand.empty()) {
    // The kernel fails every lookup of "" with ENOENT.
    out->lookup_error = Code::kNotFound;
    return true;
  }
  out->operand = std::string(operand);
  ResolvedPath r = env_.Resolve(operand);
  out->trailing_slash = r.trailing_slash;
  out->dot_last = DotLast(operand);
  out->dotdot_last = LastComponent(operand) == "..";
  if (r.where == ResolvedPath::Where::kMount) {
    out->vfs = r.vfs_path;
    out->lookup_error = r.lookup_error;
    return true;
  }
  if (!env_.allow_host) {
    io.unsupported = program + " of a host path " + std::string(operand);
    return false;
  }
  out->host = true;
  out->host_path = operand[0] == '/' ? std::string(operand) : env_.cwd + "/" + std::string(operand);
  return true;
}

Loc Fs::Refresh(const Loc& loc) {
  if (loc.host || loc.operand.empty()) return loc;
  Loc fresh = loc;
  fresh.lookup_error = env_.Resolve(loc.operand).lookup_error;
  return fresh;
}

Loc Fs::Child(const Loc& dir, std::string_view name) {
  Loc child;
  child.host = dir.host;
  if (dir.host) {
    child.host_path = dir.host_path;
    if (child.host_path.empty() || child.host_path.back() != '/') child.host_path += '/';
    child.host_path += name;
  } else {
    child.vfs = dir.vfs.empty() ? std::string(name) : dir.vfs + "/" + std::string(name);
    child.lookup_error = dir.lookup_error;
  }
  return child;
}

int64_t Fs::Now() const { return env_.options.now_ns > 0 ? env_.options.now_ns : -1; }

int Fs::FromStatus(const vfs::Status& status) {
  if (status.code() == Code::kReadOnly && io_.unsupported.empty()) {
    io_.unsupported = "a write on a read-only store";
  }
  switch (status.code()) {
    case Code::kOk:
      return 0;
    case Code::kNotFound:
      return ENOENT;
    case Code::kNotADirectory:
      return ENOTDIR;
    case Code::kIsADirectory:
      return EISDIR;
    case Code::kAlreadyExists:
      return EEXIST;
    case Code::kNotEmpty:
      return ENOTEMPTY;
    case Code::kInvalidArgument:
      return EINVAL;
    case Code::kReadOnly:
      return EROFS;
    default:
      return EIO;
  }
}

int Fs::Stat(const Loc& loc, Node* out) {
  *out = Node();
  if (loc.host) {
    struct stat st;
    if (::lstat(loc.host_path.c_str(), &st) != 0) return errno;
    out->kind = S_ISREG(st.st_mode) ? Kind::kFile : S_ISDIR(st.st_mode) ? Kind::kDir : Kind::kOther;
    out->mode = st.st_mode & 07777;
    out->mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    out->size = static_cast<uint64_t>(st.st_size);
    return 0;
  }
  if (loc.lookup_error) return FromStatus(vfs::Status::Error(*loc.lookup_error, ""));
  vfs::Stat st;
  vfs::Status status = env_.store.GetStat(loc.vfs, &st);
  if (!status.ok()) return FromStatus(status);
  if (loc.trailing_slash && st.kind != vfs::NodeKind::kDirectory) return ENOTDIR;
  out->kind = st.kind == vfs::NodeKind::kDirectory ? Kind::kDir : Kind::kFile;
  out->mode = st.mode;
  out->mtime_ns = st.mtime_ns;
  out->size = st.size;
  out->is_virtual = st.storage == vfs::Storage::kVirtual;
  return 0;
}

int Fs::ReadFile(const Loc& loc, std::string* out) {
  out->clear();
  if (loc.host) {
    int fd = ::open(loc.host_path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return errno;
    char buf[65536];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0) {
        if (errno == EINTR) continue;
        int err = errno;
        ::close(fd);
        return err;
      }
      if (n == 0) break;
      out->append(buf, static_cast<size_t>(n));
    }
    ::close(fd);
    return 0;
  }
  if (loc.lookup_error) return FromStatus(vfs::Status::Error(*loc.lookup_error, ""));
  return FromStatus(env_.store.ReadFile(loc.vfs, out));
}

int Fs::CheckParent(const Loc& loc) {
  if (loc.lookup_error) return FromStatus(vfs::Status::Error(*loc.lookup_error, ""));
  if (loc.vfs.empty()) return 0;  // the mount root exists
  std::string parent = ParentOf(loc.vfs);
  if (parent.empty()) return 0;
  vfs::Stat st;
  vfs::Status status = env_.store.GetStat(parent, &st);
  if (!status.ok()) return FromStatus(status);
  return st.kind == vfs::NodeKind::kDirectory ? 0 : ENOTDIR;
}

int Fs::WriteFile(const Loc& loc, std::string_view bytes, uint32_t mode) {
  if (loc.host) return HostOpenWrite(loc.host_path, O_TRUNC, bytes, mode);
  if (int err = CheckParent(loc); err != 0) return err;
  vfs::Stat st;
  vfs::Status status = env_.store.GetStat(loc.vfs, &st);
  // open(O_CREAT) refuses a name ending in '/' (or "." / ".."), existing
  // or not, once its directory is found.
  if (loc.trailing_slash) {
    if (!status.ok() && status.code() != Code::kNotFound) return FromStatus(status);
    return EISDIR;
  }
  if (status.ok()) {
    if (st.kind == vfs::NodeKind::kDirectory) return EISDIR;
    mode = st.storage == vfs::Storage::kVirtual ? mode : st.mode;
  } else if (status.code() != Code::kNotFound) {
    return FromStatus(status);
  }
  return FromStatus(env_.store.WriteFile(loc.vfs, bytes, mode, Now()));
}

int Fs::AppendFile(const Loc& loc, std::string_view bytes, uint32_t mode) {
  if (loc.host) return HostOpenWrite(loc.host_path, O_APPEND, bytes, mode);
  if (int err = CheckParent(loc); err != 0) return err;
  vfs::Stat st;
  vfs::Status status = env_.store.GetStat(loc.vfs, &st);
  if (loc.trailing_slash) {
    if (!status.ok() && status.code() != Code::kNotFound) return FromStatus(status);
    return EISDIR;
  }
  if (status.ok()) {
    if (st.kind == vfs::NodeKind::kDirectory) return EISDIR;
    if (st.storage == vfs::Storage::kVirtual) {
      // Appending to the generated index makes it a real file.
      std::string content;
      if (int err = FromStatus(env_.store.ReadFile(loc.vfs, &content)); err != 0) return err;
      content.append(bytes);
      return FromStatus(env_.store.WriteFile(loc.vfs, content, mode, Now()));
    }
    if (bytes.empty()) return 0;  // open + write of nothing changes nothing
    return FromStatus(env_.store.AppendFile(loc.vfs, bytes, Now()));
  }
  if (status.code() != Code::kNotFound) return FromStatus(status);
  return FromStatus(env_.store.WriteFile(loc.vfs, bytes, mode, Now()));
}

int Fs::MakeDir(const Loc& loc, uint32_t mode) {
  if (loc.host) {
    if (::mkdir(loc.host_path.c_str(), mode) != 0) return errno;
    // mkdir(2) applies the process's umask; the caller's mode is final.
    if (::chmod(loc.host_path.c_str(), mode) != 0) return errno;
    return 0;
  }
  if (loc.lookup_error) return FromStatus(vfs::Status::Error(*loc.lookup_error, ""));
  vfs::Stat st;
  vfs::Status status = env_.store.GetStat(loc.vfs, &st);
  if (status.ok()) return EEXIST;
  if (status.code() != Code::kNotFound) return FromStatus(status);
  if (loc.dot_last) return ENOENT;
  if (int err = CheckParent(loc); err != 0) return err;
  return FromStatus(env_.store.MakeDirectory(loc.vfs, mode, Now()));
}

int Fs::Unlink(const Loc& loc) {
  if (loc.host) return ::unlink(loc.host_path.c_str()) == 0 ? 0 : errno;
  Node node;
  if (int err = Stat(loc, &node); err != 0) return err;
  if (node.kind == Kind::kDir) return EISDIR;
  // The generated index.md is no file of the store: nothing to unlink.
  if (node.is_virtual) return EPERM;
  return FromStatus(env_.store.Remove(loc.vfs));
}

int Fs::Rmdir(const Loc& loc) {
  if (loc.host) return ::rmdir(loc.host_path.c_str()) == 0 ? 0 : errno;
  Node node;
  if (int err = Stat(loc, &node); err != 0) return err;
  if (node.kind != Kind::kDir) return ENOTDIR;
  // rmdir(2) refuses "x/." and "x/.." by name, before looking inside.
  if (loc.dot_last) return loc.dotdot_last ? ENOTEMPTY : EINVAL;
  if (loc.vfs.empty()) return EBUSY;  // the mount itself
  std::vector<vfs::DirEntry> entries;
  if (int err = FromStatus(env_.store.ListDir(loc.vfs, &entries)); err != 0) return err;
  if (!entries.empty()) return ENOTEMPTY;
  return FromStatus(env_.store.Remove(loc.vfs));
}

int Fs::List(const Loc& dir, std::vector<std::string>* names) {
  names->clear();
  if (dir.host) {
    DIR* d = ::opendir(dir.host_path.c_str());
    if (d == nullptr) return errno;
    while (dirent* e = ::readdir(d)) {
      std::string name = e->d_name;
      if (name != "." && name != "..") names->push_back(std::move(name));
    }
    ::closedir(d);
    std::sort(names->begin(), names->end());
    return 0;
  }
  if (dir.lookup_error) return FromStatus(vfs::Status::Error(*dir.lookup_error, ""));
  std::vector<vfs::DirEntry> entries;
  if (int err = FromStatus(env_.store.ListDir(dir.vfs, &entries)); err != 0) return err;
  for (vfs::DirEntry& e : entries) names->push_back(std::move(e.name));
  return 0;
}

int Fs::SetAttributes(const Loc& loc, std::optional<uint32_t> mode,
                      std::optional<int64_t> mtime_ns) {
  if (loc.host) {
    if (mode && ::chmod(loc.host_path.c_str(), *mode) != 0) return errno;
    if (mtime_ns) {
      struct timespec times[2];
      times[0].tv_sec = 0;
      times[0].tv_nsec = UTIME_OMIT;
      if (*mtime_ns < 0) {
        times[1].tv_sec = 0;
        times[1].tv_nsec = UTIME_NOW;
      } else {
        times[1].tv_sec = static_cast<time_t>(*mtime_ns / 1000000000);
        times[1].tv_nsec = static_cast<long>(*mtime_ns % 1000000000);
      }
      if (::utimensat(AT_FDCWD, loc.host_path.c_str(), times, 0) != 0) return errno;
    }
    return 0;
  }
  Node node;
  if (int err = Stat(loc, &node); err != 0) return err;
  if (node.is_virtual) return EPERM;
  vfs::Store::Attributes attributes;
  if (mode) {
    attributes.set_mode = true;
    attributes.mode = *mode;
  }
  if (mtime_ns) {
    attributes.set_mtime = true;
    // The store takes "now" as a negative time, as WriteFile does; the
    // command line's own "now" keeps runs reproducible.
    attributes.mtime_ns = *mtime_ns < 0 ? Now() : *mtime_ns;
  }
  return FromStatus(env_.store.SetAttributes(loc.vfs, attributes));
}

int Fs::Rename(const Loc& from, const Loc& to) {
  if (from.host != to.host) return EXDEV;
  if (from.host) {
    return ::rename(from.host_path.c_str(), to.host_path.c_str()) == 0 ? 0 : errno;
  }
  if (from.lookup_error) return FromStatus(vfs::Status::Error(*from.lookup_error, ""));
  if (from.vfs.empty() || to.vfs.empty()) return EBUSY;
  Node source;
  if (int err = Stat(from, &source); err != 0) return err;
  if (from.vfs == to.vfs) return 0;
  // A directory into itself: refused before anything is touched.
  if (to.vfs.size() > from.vfs.size() && to.vfs.compare(0, from.vfs.size(), from.vfs) == 0 &&
      to.vfs[from.vfs.size()] == '/') {
    return EINVAL;
  }
  if (to.trailing_slash && source.kind != Kind::kDir) return ENOTDIR;
  Node target;
  int err = Stat(to, &target);
  if (err == 0) {
    // rename(2) replaces a file or an empty directory; the store's Rename
    // wants a free name, so the old one goes first (in the same change).
    if (target.kind == Kind::kDir) {
      if (source.kind != Kind::kDir) return EISDIR;
      if (int e = Rmdir(to); e != 0) return e;
    } else if (source.kind == Kind::kDir) {
      return ENOTDIR;
    } else if (int e = Unlink(to); e != 0) {
      return e;
    }
  } else if (err != ENOENT) {
    return err;
  } else if (int e = CheckParent(to); e != 0) {
    return e;
  }
  return FromStatus(env_.store.Rename(from.vfs, to.vfs));
}

}  // namespace memhook::utils::wfs

// ------------------------------------------------------------ write_util.h

namespace memhook::utils::wfs {

void UsageError(const std::string& program, const std::string& message, CommandIo& io) {
  if (!message.empty()) io.err += program + ": " + message + "\n";
  io.err += "Try '" + program + " --help' for more information.\n";
  io.status = 1;
}

void Diagnose(const std::string& program, const std::string& message, CommandIo& io) {
  io.err += program + ": " + message + "\n";
}

void DiagnoseErrno(const std::string& program, const std::string& message, int err, CommandIo& io) {
  io.err += program + ": " + message + ": " + ErrnoMessage(err) + "\n";
}

bool ParseOrRoute(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs,
                  ParsedArgs* parsed, CommandIo& io) {
  *parsed = ParseOptions(argv, 1, specs);
  if (!parsed->unsupported.empty()) {
    io.unsupported = argv[0] + " " + parsed->unsupported;
    return false;
  }
  return true;
}

std::string FtsRootName(std::string_view operand) {
  size_t len = operand.size();
  if (len > 2 && operand[len - 1] == '/') {
    while (len > 1 && operand[len - 2] == '/') --len;
  }
  return std::string(operand.substr(0, len));
}

std::string FtsChildName(std::string_view dir, std::string_view name) {
  std::string out(dir);
  if (out.empty() || out.back() != '/') out += '/';
  out += name;
  return out;
}

bool IsDotOrDotDot(std::string_view operand) {
  while (operand.size() > 1 && operand.back() == '/') operand.remove_suffix(1);
  size_t slash = operand.rfind('/');
  std::string_view last = slash == std::string_view::npos ? operand : operand.substr(slash + 1);
  return last == "." || last == "..";
}

}  // namespace memhook::utils::wfs
