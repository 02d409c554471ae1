// Every input is bounded: pathological command lines get a clear refusal in
// bounded time and memory, never a crash or a hang of the hook.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include "fastpath/fastpath.h"
#include "tests/support/test_support.h"
#include "vfs/vfs.h"

namespace {

using memhook::fastpath::Answer;
using memhook::fastpath::Engine;
using memhook::fastpath::EngineOptions;
using memhook::fastpath::Route;

struct Fixture {
  memhook::testing::TempDir temp{"memhook-limits"};
  std::filesystem::path dir = temp.path();
  std::unique_ptr<memhook::vfs::Store> store;
  Engine engine;
  Fixture() {
    REQUIRE(temp.ok());
    memhook::vfs::Status status;
    store = memhook::vfs::OpenSqliteStore((dir / "db").string(), {}, &status);
    REQUIRE(store != nullptr);
    REQUIRE(store->WriteFile("MEMORY.md", "# Memory\nline\n", 0644, -1).ok());
  }
  EngineOptions Options() const {
    EngineOptions options;
    options.home = dir.string();
    options.mount = (dir / ".memhook/memory").string();
    options.cwd = dir.string();
    return options;
  }
  // The answer. A hang or a crash fails the test (ctest's timeout, the
  // sanitizers); speed itself is measured in bench/, not asserted here.
  Answer Run(const std::string& command) {
    return engine.Run(command, Options(), [this](std::string*) { return store.get(); });
  }
};

std::string Repeat(const std::string& s, int n) {
  std::string out;
  for (int i = 0; i < n; ++i) out += s;
  return out;
}

}  // namespace

TEST_CASE("pathological command lines are refused, clearly and quickly") {
  Fixture f;
  const std::string m = "~/.memhook/memory";
  struct Case {
    const char* what;
    std::string command;
  } cases[] = {
      {"70k -o terms", "find " + m + Repeat(" -name x -o", 70000) + " -name y"},
      {"80k negations", "find " + m + " " + Repeat("! ", 80000) + "-name x"},
      {"100k-stage pipeline", "cat " + m + "/MEMORY.md" + Repeat(" | cat", 100000)},
      {"1 MB grep pattern", "grep -c '" + Repeat("ab", 500000) + "' " + m + "/MEMORY.md"},
      {"9k find terms, within the limits", "find " + m + Repeat(" ! -name x", 3000)},
  };
  for (const Case& c : cases) {
    CAPTURE(std::string(c.what));
    Answer a = f.Run(c.command);
    if (c.command.size() > 64 * 1024) {
      CHECK(a.route == Route::kNextTier);
      CHECK(a.reason.find("limit") != std::string::npos);
    } else {
      // Within the limits: answered (GNU find takes 10,000 terms).
      CHECK(a.route == Route::kFastPath);
      CHECK(a.status == 0);
    }
  }
}

TEST_CASE("a glob does not walk the host from inside the hook") {
  Fixture f;
  Answer a = f.Run("ls /*/*/*/*/*/*/*/*/*/x ~/.memhook/memory");
  CHECK(a.route == Route::kRun);
}

TEST_CASE("loops that never end stop at a limit") {
  Fixture f;
  Answer a = f.Run("while true; do :; done; cat ~/.memhook/memory/MEMORY.md");
  CHECK(a.route == Route::kNextTier);
  CHECK(a.reason.find("limit") != std::string::npos);
  a = f.Run("f() { f; }; f; cat ~/.memhook/memory/MEMORY.md");
  CHECK(a.route == Route::kNextTier);
  CHECK(a.reason.find("depth") != std::string::npos);
}
