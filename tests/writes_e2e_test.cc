// The memhook binary writing, as the agent meets it: a write goes hook ->
// `memhook run` -> one change in the store; what a command line leaves when
// it is cut short (a limit, a refusal); here-documents; special files;
// history through the CLI (log, show, undo, restore).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/test_support.h"

namespace fs = std::filesystem;

namespace {

using memhook::testing::ShellQuote;
using Result = memhook::testing::ProcResult;

const char* MemhookBin() {
  const char* path = std::getenv("MEMHOOK_BIN");
  REQUIRE_MESSAGE(path != nullptr, "MEMHOOK_BIN must name the memhook binary");
  return path;
}

struct Sandbox {
  memhook::testing::TempDir temp{"memhook-writes-e2e"};
  fs::path root = temp.path();
  fs::path home = root / "home";
  std::string mount = (home / ".memhook/memory").string();

  Sandbox() {
    fs::create_directories(home);
    fs::create_directories(root / "run");
    fs::create_directories(root / "src/notes");
    Shell("printf 'alpha\\nbeta\\n' > " + ShellQuote((root / "src/notes/a.md").string()));
    REQUIRE(Memhook("import " + ShellQuote((root / "src").string())).status == 0);
  }

  std::string Env() const {
    return "env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 TZ=UTC HOME=" + ShellQuote(home.string()) +
           " MEMHOOK_DB=" + ShellQuote((root / "db.sqlite").string()) +
           " XDG_RUNTIME_DIR=" + ShellQuote((root / "run").string()) + " ";
  }
  Result Shell(const std::string& command, const std::string& input = "") const {
    memhook::testing::ExecSpec spec;
    spec.program = "/bin/sh";
    spec.argv = {"sh", "-c", command};
    spec.stdin_data = input;
    spec.timeout_ms = 60000;
    return memhook::testing::RunProcess(spec);
  }
  Result Memhook(const std::string& args, const std::string& input = "") const {
    return Shell(Env() + ShellQuote(MemhookBin()) + " " + args, input);
  }
  // The hook, then bash on its rewrite, as the agent pays it. Writes carry
  // no permission decision: the agent's flow would ask, then run it.
  Result AsAgent(const std::string& command, bool* decided = nullptr) const {
    const std::string request =
        nlohmann::json{{"session_id", "sess-1"},
                       {"hook_event_name", "PreToolUse"},
                       {"cwd", home.string()},
                       {"tool_name", "Bash"},
                       {"tool_input", {{"command", command}, {"description", "e2e"}}}}
            .dump();
    Result hook = Memhook("hook", request);
    REQUIRE(hook.status == 0);
    REQUIRE_FALSE(hook.out.empty());
    auto json = nlohmann::json::parse(hook.out);
    if (decided != nullptr) *decided = json["hookSpecificOutput"].contains("permissionDecision");
    const std::string rewritten = json["hookSpecificOutput"]["updatedInput"]["command"];
    return Shell(Env() + "bash -c " + ShellQuote(rewritten));
  }
  // The id of the newest change `memhook log` lists (0: none).
  int Latest() const {
    const std::string log = Memhook("log -n 1").out;
    return log.rfind("change ", 0) == 0 ? std::stoi(log.substr(7)) : 0;
  }
  std::string Cat(const std::string& rel) const {
    return AsAgent("cat " + ShellQuote(mount + "/" + rel)).out;
  }
};

}  // namespace

TEST_CASE("a write through the hook lands in the store as one change with the session id") {
  Sandbox box;
  bool decided = true;
  Result r = box.AsAgent(
      "echo gamma >> ~/.memhook/memory/notes/a.md && cat > "
      "~/.memhook/memory/notes/b.md <<'EOF'\nline one\n$HOME stays\nEOF\n"
      "wc -l ~/.memhook/memory/notes/*.md",
      &decided);
  CHECK_FALSE(decided);
  CHECK(r.status == 0);
  // GNU's width: the digits of the files' total size (37 bytes).
  CHECK(r.out == " 3 " + box.mount + "/notes/a.md\n 2 " + box.mount + "/notes/b.md\n 5 total\n");
  CHECK(box.Cat("notes/b.md") == "line one\n$HOME stays\n");
  CHECK_FALSE(fs::exists(box.mount));  // nothing on the disk
  const int write = box.Latest();
  REQUIRE(write > 0);

  Result log = box.Memhook("log");
  CHECK(log.status == 0);
  CHECK(log.out.find("session sess-1") != std::string::npos);
  CHECK(log.out.find("~ notes/a.md") != std::string::npos);
  CHECK(log.out.find("+ notes/b.md") != std::string::npos);
  CHECK(box.Memhook("show notes/a.md@" + std::to_string(write - 1)).out == "alpha\nbeta\n");
  CHECK(box.Memhook("show notes/a.md@" + std::to_string(write)).out == "alpha\nbeta\ngamma\n");
  CHECK(box.Memhook("show " + ShellQuote(box.mount + "/notes/a.md")).out == "alpha\nbeta\ngamma\n");

  Result undo = box.Memhook("undo");
  CHECK(undo.status == 0);
  CHECK(undo.out.find("undid change " + std::to_string(write)) != std::string::npos);
  CHECK(box.Cat("notes/a.md") == "alpha\nbeta\n");
  CHECK(box.AsAgent("ls ~/.memhook/memory/notes").out == "a.md\n");
  // Undo of an undo: the change again.
  CHECK(box.Memhook("undo " + std::to_string(box.Latest())).status == 0);
  CHECK(box.Cat("notes/b.md") == "line one\n$HOME stays\n");
}

TEST_CASE("a command line cut short by a limit or a refusal leaves the store as it was") {
  Sandbox box;
  const std::string log_before = box.Memhook("log").out;
  Result loop = box.AsAgent(
      "echo lost > ~/.memhook/memory/notes/a.md; rm -r ~/.memhook/memory/notes;"
      " for ((i = 0; ; i++)); do :; done");
  CHECK(loop.status == 126);
  CHECK(loop.err.find("memhook: ") == 0);
  CHECK(loop.err.find("loop limit") != std::string::npos);
  CHECK(box.Cat("notes/a.md") == "alpha\nbeta\n");
  // A construct memhook does not serve, after writes: nothing of the line.
  Result refused = box.AsAgent("echo lost > ~/.memhook/memory/x.md; ls -i ~/.memhook/memory");
  CHECK(refused.status == 126);
  CHECK(box.AsAgent("ls ~/.memhook/memory").out == "index.md\nnotes\n");
  CHECK(box.Memhook("log").out == log_before);
}

TEST_CASE("links, fifos and devices cannot be made in the memory") {
  Sandbox box;
  for (const std::string command :
       {"ln -s notes/a.md ~/.memhook/memory/link.md", "mkfifo ~/.memhook/memory/fifo",
        "ln ~/.memhook/memory/notes/a.md ~/.memhook/memory/hard.md"}) {
    Result r = box.AsAgent(command);
    CHECK(r.status == 1);
    CHECK(r.err.find("memhook: ") == 0);
    CHECK(r.err.find("only regular files and directories") != std::string::npos);
  }
  CHECK(box.AsAgent("ls ~/.memhook/memory").out == "index.md\nnotes\n");
}

TEST_CASE("restore brings back a deleted directory, and retention is configurable") {
  Sandbox box;
  CHECK(
      box.AsAgent("mkdir -p ~/.memhook/memory/proj/sub && echo p > ~/.memhook/memory/proj/sub/p.md")
          .status == 0);
  const int made = box.Latest();
  CHECK(box.AsAgent("rm -r ~/.memhook/memory/proj").status == 0);
  CHECK(box.AsAgent("ls ~/.memhook/memory").out == "index.md\nnotes\n");
  Result restore = box.Memhook("restore proj@" + std::to_string(made));
  CHECK(restore.status == 0);
  CHECK(box.Cat("proj/sub/p.md") == "p\n");
  CHECK(box.Memhook("restore proj").status == 2);  // usage: a version is needed
  Result missing = box.Memhook("show nope.md@" + std::to_string(made));
  CHECK(missing.status == 1);
  CHECK(missing.err ==
        "memhook: show: 'nope.md' did not exist after change " + std::to_string(made) + "\n");

  // Two versions per path: older changes are pruned whole.
  for (int i = 0; i < 4; ++i) {
    Result r = box.Shell(box.Env() + "MEMHOOK_HISTORY_VERSIONS=2 " + ShellQuote(MemhookBin()) +
                         " run --cwd " + ShellQuote(box.home.string()) + " -c " +
                         ShellQuote("echo " + std::to_string(i) + " > ~/.memhook/memory/hot.md"));
    CHECK(r.status == 0);
  }
  Result log = box.Memhook("log hot.md");
  size_t changes = 0;
  for (size_t at = log.out.find("change "); at != std::string::npos;
       at = log.out.find("change ", at + 1)) {
    ++changes;
  }
  CHECK(changes == 2);
}

TEST_CASE("a read-only database: a clear error, status 1, the store intact") {
  if (geteuid() == 0) {
    MESSAGE("skipped: root writes through file permissions");
    return;
  }
  Sandbox box;
  const std::string db = (box.root / "db.sqlite").string();
  // The database and its folder (SQLite needs it for the journal) read-only.
  box.Shell("chmod 0444 " + ShellQuote(db) + " && chmod 0555 " + ShellQuote(box.root.string()));
  Result r = box.AsAgent("echo x >> ~/.memhook/memory/notes/a.md");
  box.Shell("chmod 0755 " + ShellQuote(box.root.string()) + " && chmod 0644 " + ShellQuote(db));
  CHECK(r.status != 0);
  CHECK(r.err.find("memhook: ") != std::string::npos);
  CHECK(box.Cat("notes/a.md") == "alpha\nbeta\n");
}

TEST_CASE("a computation the interpreter cannot interrupt still never hangs the hook") {
  Sandbox box;
  // libjq's evaluator loops without output: the hook's watchdog answers.
  const std::string request =
      nlohmann::json{
          {"session_id", "s"},
          {"hook_event_name", "PreToolUse"},
          {"cwd", box.home.string()},
          {"tool_name", "Bash"},
          {"tool_input", {{"command", "jq -n 'until(false; .)' ~/.memhook/memory/notes/a.md"}}}}
          .dump();
  Result hook = box.Memhook("hook", request);
  CHECK(hook.status == 2);  // blocks; the agent sees why
  CHECK(hook.out.empty());
  CHECK(hook.err.find("memhook: the command could not be answered within 20 s") == 0);
}
