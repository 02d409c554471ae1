// Internal to the vfs library: the bulk-load interface ImportTree uses to
// write many nodes in one transaction, and host filesystem helpers shared by
// the store and tree_io.cc. Not part of the public contract (vfs/vfs.h).
#ifndef MEMHOOK_VFS_STORE_INTERNAL_H_
#define MEMHOOK_VFS_STORE_INTERNAL_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "vfs/vfs.h"

namespace memhook::vfs::internal {

// Writes inside one open write transaction. Unlike the public Store writes,
// Put* replace whatever node is at the path (a directory's mode and mtime
// are updated in place, a file replaced by a directory or the reverse), and
// "" names the root, whose mode and mtime are then recorded. Parent
// directories are created (0755, now) when missing. Destroying the object
// without Commit() rolls everything back.
//
// Begun inside an open change (Store::BeginChange), the writer joins the
// change's transaction and records each path's prior state before its
// first write, as the public writes do, so the change can be undone; its
// Commit() then leaves the change open for the caller's CommitChange, and
// destroying it undoes its writes only. Outside a change nothing is
// recorded.
class BulkWriter {
 public:
  virtual ~BulkWriter() = default;
  virtual Status PutDirectory(std::string_view path, uint32_t mode, int64_t mtime_ns) = 0;
  virtual Status PutFile(std::string_view path, std::string_view bytes, uint32_t mode,
                         int64_t mtime_ns) = 0;
  // Removes a file, or a directory with everything below it: NotFound when
  // missing; the generated index (not stored) cannot be removed.
  virtual Status Remove(std::string_view path) = 0;
  virtual Status Commit() = 0;
};

// Implemented by stores that support BulkWriter (the SQLite store).
class BulkCapable {
 public:
  virtual ~BulkCapable() = default;
  // Takes the write lock (in a change, its transaction: waiting for
  // another writer as the change would); only one BulkWriter may be live
  // per store.
  virtual Status BeginBulk(std::unique_ptr<BulkWriter>* out) = 0;
};

// `mkdir -p dir` on the host; new directories get `mode` (less umask).
Status MakeHostDirs(const std::string& dir, uint32_t mode);

// Current wall-clock time in nanoseconds since the Unix epoch.
int64_t NowNs();

}  // namespace memhook::vfs::internal

#endif  // MEMHOOK_VFS_STORE_INTERNAL_H_
