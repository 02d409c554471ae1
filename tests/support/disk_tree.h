// Test support for the differential fastpath and utils tests (not part of
// memhook): a real directory tree on disk, which is also the mount, the
// SQLite store imported from it, and real bash + GNU tools run on it.
//
// A test writes its files with Write(), calls Import() once, then compares
// what the engine (or a command called directly) answers from the store
// with what Bash() prints for the same command on the directory itself.
// Failures to set up are doctest REQUIREs: for doctest binaries only.
#ifndef MEMHOOK_TESTS_SUPPORT_DISK_TREE_H_
#define MEMHOOK_TESTS_SUPPORT_DISK_TREE_H_

#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include "tests/support/test_support.h"
#include "utils/utils.h"
#include "vfs/vfs.h"

namespace memhook::testing {

class DiskTree {
 public:
  // Sets LC_ALL=`locale` and TZ=UTC in this process's environment (so for
  // the shells it runs too) and its C locale, and makes an empty mount
  // `root/mem` in a new folder /tmp/`temp_prefix`-XXXXXX, removed with
  // the tree.
  explicit DiskTree(const char* temp_prefix, const char* locale = "C.UTF-8");
  ~DiskTree();  // closes the store, then removes the folder
  DiskTree(const DiskTree&) = delete;
  DiskTree& operator=(const DiskTree&) = delete;

  // Creates `rel` (and its parents) below the mount.
  void MakeDirs(const std::string& rel);
  // Writes a file below the mount; its folder must exist.
  void Write(const std::string& rel, const std::string& content);

  // Imports the tree into a new store at `root/db.sqlite`. The tree is
  // frozen from then on: the engine answers from the store, bash from disk.
  void Import(const vfs::StoreOptions& options = {});

  // The engine's view: the mount is the tree, HOME is `root`, and the
  // working directory `cwd_rel` below the mount ("" = `root`).
  utils::UtilOptions Options(const std::string& cwd_rel = "") const;

  // Real bash + GNU tools on the directory: `bash -c COMMAND` in `cwd_rel`
  // below the mount ("" = `root`), with this process's environment and
  // HOME=`root`, stdin from /dev/null or holding `stdin_data`.
  ProcResult Bash(const std::string& command, const std::string& cwd_rel = "",
                  const std::optional<std::string>& stdin_data = std::nullopt) const;

  const std::string& locale() const { return locale_; }

  std::filesystem::path root;
  std::filesystem::path tree;  // the real directory, also the mount
  std::unique_ptr<vfs::Store> store;

 private:
  TempDir temp_;
  std::string locale_;
};

}  // namespace memhook::testing

#endif  // MEMHOOK_TESTS_SUPPORT_DISK_TREE_H_
