// Internal to the utils library: the file system the writing utilities
// (mkdir, rm, rmdir, mv, cp, touch, chmod, truncate, tee, find -delete) work
// on, with the kernel's semantics.
//
// A path is either in the mount (the vfs::Store) or, under `memhook run`
// (CommandEnv::allow_host), on the host, where the real system calls run.
// Every operation answers like its system call: 0 or an errno value, which
// the utilities turn into GNU's messages (ErrnoMessage). The store creates
// parent directories on its own and knows no trailing slashes nor "." and
// "..": the checks the kernel would make (a missing parent, a file used as
// a directory, `x/.` as a name to create) are made here, once, so that
// every utility fails the way GNU's does.
#ifndef MEMHOOK_UTILS_WRITE_FS_H_
#define MEMHOOK_UTILS_WRITE_FS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "utils/utils.h"
#include "vfs/vfs.h"

namespace memhook::utils::wfs {

// Kinds of node: the store has files and directories; the host may have
// anything else (symlinks, devices), which the utilities do not handle.
enum class Kind { kFile, kDir, kOther };

struct Node {
  Kind kind = Kind::kFile;
  uint32_t mode = 0;  // permission bits (07777)
  int64_t mtime_ns = 0;
  uint64_t size = 0;
  bool is_virtual = false;  // the store's generated index.md
};

// One path: an operand as typed, or a path below one.
struct Loc {
  bool host = false;
  // Host: the path for system calls, as typed (joined to the working
  // directory when relative), so that the kernel resolves it.
  std::string host_path;
  // Mount: the normalised VFS path ("" = the mount root).
  std::string vfs;
  bool trailing_slash = false;  // ends in '/', "/." or "/.."
  bool dot_last = false;        // the last component is "." or ".."
  bool dotdot_last = false;     // it is ".."
  // Mount: the lookup fails before the last component (see ResolvedPath).
  std::optional<vfs::Status::Code> lookup_error;
  // The operand this came from (empty for a path built below one).
  std::string operand;
  bool IsMountRoot() const { return !host && vfs.empty(); }
};

// GNU's text for an errno value (strerror in the C locale).
std::string ErrnoMessage(int err);

// The umask the tests' GNU side and the agent's shell run with.
constexpr uint32_t kUmask = 022;

class Fs {
 public:
  // A write refused because the store is read-only (the fast path's)
  // sets io.unsupported: the command belongs to a tier that may write.
  Fs(CommandEnv& env, CommandIo& io) : env_(env), io_(io) {}

  // Maps an operand. A host path (or /dev/null) without env.allow_host sets
  // io.unsupported ("PROGRAM of a host path OPERAND") and returns false.
  bool Resolve(std::string_view operand, const std::string& program, Loc* out, CommandIo& io);
  // `loc` looked up again: an earlier operand may have created or removed
  // the directories its ".." components pass through.
  Loc Refresh(const Loc& loc);
  // The entry `name` of the directory `dir`.
  static Loc Child(const Loc& dir, std::string_view name);

  // stat(2) (lstat on the host; a symlink is kOther): ENOENT, ENOTDIR (a
  // component, or a trailing slash on a file).
  int Stat(const Loc& loc, Node* out);
  int ReadFile(const Loc& loc, std::string* out);
  // open(O_WRONLY|O_CREAT|O_TRUNC) and write: replaces the content of an
  // existing file (keeping its mode), or creates one with `mode`. EISDIR
  // for a directory or a name ending in '/'.
  int WriteFile(const Loc& loc, std::string_view bytes, uint32_t mode);
  // open(O_WRONLY|O_CREAT|O_APPEND) and write.
  int AppendFile(const Loc& loc, std::string_view bytes, uint32_t mode);
  // mkdir(2) with the mode as given (the caller applies the umask).
  int MakeDir(const Loc& loc, uint32_t mode);
  // unlink(2) of a non-directory (EISDIR for a directory).
  int Unlink(const Loc& loc);
  // rmdir(2): ENOTDIR, ENOTEMPTY, EINVAL for "x/.", EBUSY for the mount.
  int Rmdir(const Loc& loc);
  // The names in a directory, in C byte order (the store's order; on the
  // host sorted to match).
  int List(const Loc& dir, std::vector<std::string>* names);
  // chmod(2) / utimensat(2); nullopt leaves the field.
  int SetAttributes(const Loc& loc, std::optional<uint32_t> mode, std::optional<int64_t> mtime_ns);
  // rename(2) within one side (EXDEV across the mount's edge). `to` must
  // not exist, or be a file replaced by a file, or an empty directory
  // replaced by a directory (the caller checks the kinds, as mv does).
  int Rename(const Loc& from, const Loc& to);

  // "Now" for new mtimes: the command line's time (UtilOptions::now_ns).
  int64_t Now() const;

 private:
  // The errno of creating the last component of `loc`: 0 when its parent is
  // an existing directory.
  int CheckParent(const Loc& loc);
  int FromStatus(const vfs::Status& status);

  CommandEnv& env_;
  CommandIo& io_;
};

}  // namespace memhook::utils::wfs

#endif  // MEMHOOK_UTILS_WRITE_FS_H_
