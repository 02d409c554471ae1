#include "tests/support/disk_tree.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <clocale>
#include <fstream>

namespace memhook::testing {

DiskTree::DiskTree(const char* temp_prefix, const char* locale)
    : temp_(temp_prefix), locale_(locale) {
  setenv("LC_ALL", locale, 1);
  setenv("TZ", "UTC", 1);
  std::setlocale(LC_ALL, "");
  REQUIRE(temp_.ok());
  root = temp_.path();
  tree = root / "mem";
  std::filesystem::create_directories(tree);
}

DiskTree::~DiskTree() { store.reset(); }

void DiskTree::MakeDirs(const std::string& rel) { std::filesystem::create_directories(tree / rel); }

void DiskTree::Write(const std::string& rel, const std::string& content) {
  std::ofstream(tree / rel, std::ios::binary) << content;
}

void DiskTree::Import(const vfs::StoreOptions& options) {
  vfs::Status status;
  store = vfs::OpenSqliteStore((root / "db.sqlite").string(), options, &status);
  REQUIRE_MESSAGE(store != nullptr, status.message());
  REQUIRE(vfs::ImportTree(*store, tree.string(), nullptr).ok());
}

utils::UtilOptions DiskTree::Options(const std::string& cwd_rel) const {
  utils::UtilOptions options;
  options.mount = tree.string();
  options.home = root.string();
  options.cwd = cwd_rel.empty() ? root.string() : (tree / cwd_rel).string();
  return options;
}

ProcResult DiskTree::Bash(const std::string& command, const std::string& cwd_rel,
                          const std::optional<std::string>& stdin_data) const {
  BashOptions options;
  options.cwd = cwd_rel.empty() ? root.string() : (tree / cwd_rel).string();
  options.env = {"HOME=" + root.string()};
  options.stdin_data = stdin_data;
  return RunBash(command, options);
}

}  // namespace memhook::testing
