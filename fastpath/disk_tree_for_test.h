// Test support for the differential fastpath tests (not part of the
// library): a real directory tree on disk, which is also the mount, the
// SQLite store imported from it, and real bash + GNU tools run on it.
//
// A test writes its files with Write(), calls Import() once, then compares
// what the engine (or a command called directly) answers from the store
// with what Bash() prints for the same command on the directory itself.
#ifndef MEMHOOK_FASTPATH_DISK_TREE_FOR_TEST_H_
#define MEMHOOK_FASTPATH_DISK_TREE_FOR_TEST_H_

#include <doctest/doctest.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <algorithm>
#include <clocale>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "fastpath/fastpath.h"
#include "vfs/vfs.h"

namespace memhook::fastpath::testing {

// stdout, stderr and exit status of one command.
struct ShellResult {
  std::string out;
  std::string err;
  int status = 0;
};

class DiskTree {
 public:
  // Sets LC_ALL=`locale` and TZ=UTC for this process and the shells it
  // runs, and makes an empty mount `root/mem` in a new temporary folder
  // named after `temp_prefix`.
  explicit DiskTree(const char* temp_prefix, const char* locale = "C.UTF-8") : locale_(locale) {
    setenv("LC_ALL", locale, 1);
    setenv("TZ", "UTC", 1);
    std::setlocale(LC_ALL, "");
    std::string tmpl = std::string("/tmp/") + temp_prefix + "-XXXXXX";
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    root = tmpl;
    tree = root / "mem";
    std::filesystem::create_directories(tree);
  }
  ~DiskTree() { std::filesystem::remove_all(root); }
  DiskTree(const DiskTree&) = delete;
  DiskTree& operator=(const DiskTree&) = delete;

  // Creates `rel` (and its parents) below the mount.
  void MakeDirs(const std::string& rel) { std::filesystem::create_directories(tree / rel); }
  // Writes a file below the mount; its folder must exist.
  void Write(const std::string& rel, const std::string& content) {
    std::ofstream(tree / rel, std::ios::binary) << content;
  }

  // Imports the tree into a new store at `root/db.sqlite`. The tree is
  // frozen from then on: the engine answers from the store, bash from disk.
  void Import(const vfs::StoreOptions& options = {}) {
    vfs::Status status;
    store = vfs::OpenSqliteStore((root / "db.sqlite").string(), options, &status);
    REQUIRE_MESSAGE(store != nullptr, status.message());
    REQUIRE(vfs::ImportTree(*store, tree.string(), nullptr).ok());
  }

  // The engine's view: the mount is the tree, HOME is `root`, and the
  // working directory `cwd_rel` below the mount ("" = `root`).
  EngineOptions Options(const std::string& cwd_rel = "") const {
    EngineOptions options;
    options.mount = tree.string();
    options.home = root.string();
    options.cwd = cwd_rel.empty() ? root.string() : (tree / cwd_rel).string();
    return options;
  }

  // Real bash + GNU tools on the directory, stdin from /dev/null.
  ShellResult Bash(const std::string& command, const std::string& cwd_rel = "") const {
    const std::filesystem::path out = root / "bash.out", err = root / "bash.err";
    const std::string cwd = cwd_rel.empty() ? root.string() : (tree / cwd_rel).string();
    const std::string script = "cd " + ShellQuote(cwd) + " && HOME=" + ShellQuote(root.string()) +
                               " bash -c " + ShellQuote(command) + " >" + ShellQuote(out.string()) +
                               " 2>" + ShellQuote(err.string()) + " </dev/null";
    const int raw = std::system(script.c_str());
    return ShellResult{Slurp(out), Slurp(err), WEXITSTATUS(raw)};
  }

  static std::string ShellQuote(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
  }
  static std::string Slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  const std::string& locale() const { return locale_; }

  std::filesystem::path root;
  std::filesystem::path tree;  // the real directory, also the mount
  std::unique_ptr<vfs::Store> store;

 private:
  std::string locale_;
};

// The lines of `text`, sorted, each with its '\n': GNU walks directories in
// readdir order, memhook in byte order.
inline std::string SortedLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  std::sort(lines.begin(), lines.end());
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

}  // namespace memhook::fastpath::testing

#endif  // MEMHOOK_FASTPATH_DISK_TREE_FOR_TEST_H_
