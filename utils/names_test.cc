// File names: GlobMatch against bash's own matcher (`[[ NAME == PATTERN ]]`
// under C.UTF-8, for patterns over multibyte names, brackets, classes,
// escapes), and names holding a newline as GNU wc prints them.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "tests/support/test_support.h"
#include "utils/utils.h"
#include "vfs/vfs.h"

namespace {

using memhook::testing::ShellQuote;

// One bash run answers every case: a line of 0/1 per pair.
std::string BashAnswers(const std::vector<std::pair<std::string, std::string>>& cases) {
  std::string script;
  for (const auto& [pattern, name] : cases) {
    script += "p=" + ShellQuote(pattern) + "; n=" + ShellQuote(name) +
              "; [[ $n == $p ]] && echo 1 || echo 0\n";
  }
  memhook::testing::BashOptions options;
  options.env = {"LC_ALL=C.UTF-8"};
  memhook::testing::ProcResult r = memhook::testing::RunBash(script, options);
  REQUIRE(r.status == 0);
  return r.out;
}

}  // namespace

TEST_CASE("GlobMatch agrees with bash on characters, brackets and escapes") {
  setenv("LC_ALL", "C.UTF-8", 1);
  std::setlocale(LC_ALL, "");
  const std::vector<std::string> names = {
      "résumé-ü.md", "é.md",         "ab.md",      ".hidden", "a[b].md",   "x*y", "A-Z",
      "naïve",       "\xff\xfe.bin", "日本語.txt", "a\\b",    "-notes.md", ""};
  const std::vector<std::string> patterns = {
      "??.md",
      "?.md",
      "r?sum?-?.md",
      "r?\?sum?\?-?\?.md",
      "*.md",
      "*",
      ".*",
      "a\\[b].md",
      "a[[]b].md",
      "x\\*y",
      "x*y",
      "[A-Z]-[A-Z]",
      "[!a]*",
      "[^a]*",
      "na?ve",
      "[[:alpha:]]*",
      "[[:upper:]]*",
      "??.bin",
      "?\?.bin",
      "???.txt",
      "*.t?t",
      "[a-c]*",
      "a\\\\b",
      "[]]*",
      "[-n]*",
      "*[!.]md",
      "[é]*",
      "[à-ë]*",
      "",
      "*[",
  };
  std::vector<std::pair<std::string, std::string>> cases;
  for (const std::string& p : patterns) {
    for (const std::string& n : names) cases.emplace_back(p, n);
  }
  const std::string answers = BashAnswers(cases);
  REQUIRE(answers.size() == 2 * cases.size());
  int checked = 0;
  for (size_t i = 0; i < cases.size(); ++i) {
    CAPTURE(cases[i].first);
    CAPTURE(cases[i].second);
    bool bash = answers[2 * i] == '1';
    CHECK(memhook::utils::GlobMatch(cases[i].first, cases[i].second, {}) == bash);
    ++checked;
  }
  CHECK(checked == static_cast<int>(patterns.size() * names.size()));
}

TEST_CASE("a leading dot needs a literal dot when period is set") {
  memhook::utils::GlobMatchOptions glob{true, false, false, std::nullopt};
  CHECK_FALSE(memhook::utils::GlobMatch("*", ".hidden", glob));
  CHECK_FALSE(memhook::utils::GlobMatch("?hidden", ".hidden", glob));
  CHECK_FALSE(memhook::utils::GlobMatch("[.]hidden", ".hidden", glob));
  CHECK(memhook::utils::GlobMatch(".*", ".hidden", glob));
  CHECK(memhook::utils::GlobMatch("*", ".hidden", {}));
}

TEST_CASE("wc quotes a name that holds a newline, as GNU wc does") {
  setenv("LC_ALL", "C.UTF-8", 1);
  std::setlocale(LC_ALL, "");
  memhook::testing::TempDir temp("memhook-names");
  REQUIRE(temp.ok());
  const std::filesystem::path dir = temp.path();
  const std::filesystem::path tree = dir / "tree";
  std::filesystem::create_directories(tree);
  std::ofstream(tree / "a\nb") << "x\n";
  std::ofstream(tree / "c d") << "y\nz\n";
  memhook::vfs::Status status;
  auto store = memhook::vfs::OpenSqliteStore((dir / "db").string(), {}, &status);
  REQUIRE(store != nullptr);
  REQUIRE(memhook::vfs::ImportTree(*store, tree.string(), nullptr).ok());
  memhook::utils::UtilOptions options;
  options.mount = tree.string();
  options.cwd = tree.string();
  memhook::utils::CommandEnv env{*store, options, options.cwd, nullptr, nullptr};
  for (const std::vector<std::string>& argv : {std::vector<std::string>{"wc", "-l", "a\nb"},
                                               {"wc", "-l", "a\nb", "c d"},
                                               {"wc", "a\nb"}}) {
    memhook::utils::CommandIo io;
    memhook::utils::CmdWc(argv, env, io);
    REQUIRE(io.unsupported.empty());
    std::string command = "wc";
    for (size_t i = 1; i < argv.size(); ++i) command += " " + ShellQuote(argv[i]);
    memhook::testing::BashOptions in_tree;
    in_tree.cwd = tree.string();
    memhook::testing::ProcResult gnu = memhook::testing::RunBash(command, in_tree);
    CHECK(io.out.str() == gnu.out);
  }
}
