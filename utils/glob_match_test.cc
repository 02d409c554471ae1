// GlobMatch against bash's own matcher: `[[ NAME == PATTERN ]]` under
// C.UTF-8, for patterns over multibyte names, brackets, classes, escapes.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "utils/utils.h"

namespace {

std::string Quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

// One bash run answers every case: a line of 0/1 per pair.
std::string BashAnswers(const std::vector<std::pair<std::string, std::string>>& cases) {
  std::string script;
  for (const auto& [pattern, name] : cases) {
    script += "p=" + Quote(pattern) + "; n=" + Quote(name) +
              "; [[ $n == $p ]] && echo 1 || echo 0\n";
  }
  std::string path = "/tmp/memhook-glob-match-test.sh";
  FILE* f = std::fopen(path.c_str(), "w");
  REQUIRE(f != nullptr);
  std::fputs(script.c_str(), f);
  std::fclose(f);
  FILE* out = popen(("LC_ALL=C.UTF-8 bash " + path).c_str(), "r");
  REQUIRE(out != nullptr);
  std::string answers;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, out)) > 0) answers.append(buf, n);
  pclose(out);
  std::remove(path.c_str());
  return answers;
}

}  // namespace

TEST_CASE("GlobMatch agrees with bash on characters, brackets and escapes") {
  setenv("LC_ALL", "C.UTF-8", 1);
  std::setlocale(LC_ALL, "");
  const std::vector<std::string> names = {"résumé-ü.md", "é.md", "ab.md", ".hidden", "a[b].md",
                                          "x*y", "A-Z", "naïve", "\xff\xfe.bin", "日本語.txt",
                                          "a\\b", "-notes.md", ""};
  const std::vector<std::string> patterns = {
      "??.md",    "?.md",         "r?sum?-?.md", "r?\?sum?\?-?\?.md", "*.md",     "*",
      ".*",       "a\\[b].md",    "a[[]b].md",   "x\\*y",          "x*y",      "[A-Z]-[A-Z]",
      "[!a]*",    "[^a]*",        "na?ve",       "[[:alpha:]]*",   "[[:upper:]]*", "??.bin",
      "?\?.bin",  "???.txt",      "*.t?t",       "[a-c]*",         "a\\\\b",   "[]]*",
      "[-n]*",    "*[!.]md",      "[é]*",        "[à-ë]*",         "",         "*[",
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
  memhook::utils::GlobMatchOptions glob{true, false, false};
  CHECK_FALSE(memhook::utils::GlobMatch("*", ".hidden", glob));
  CHECK_FALSE(memhook::utils::GlobMatch("?hidden", ".hidden", glob));
  CHECK_FALSE(memhook::utils::GlobMatch("[.]hidden", ".hidden", glob));
  CHECK(memhook::utils::GlobMatch(".*", ".hidden", glob));
  CHECK(memhook::utils::GlobMatch("*", ".hidden", {}));
}
