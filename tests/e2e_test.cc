// End-to-end tests of the `memhook` binary as the agent meets it: large
// answers through the spool, bad input, concurrent writers, and the CLI.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>

#include "tests/support/test_support.h"

namespace fs = std::filesystem;

namespace {

const char* Memhook() {
  const char* path = std::getenv("MEMHOOK_BIN");
  REQUIRE_MESSAGE(path != nullptr, "MEMHOOK_BIN must name the memhook binary");
  return path;
}

using memhook::testing::ShellQuote;
using Result = memhook::testing::ProcResult;

struct Sandbox {
  memhook::testing::TempDir temp{"memhook-e2e"};
  fs::path root;
  fs::path home;
  Sandbox() {
    root = temp.path();
    home = root / "home";
    fs::create_directories(home);
    fs::create_directories(root / "run");
  }

  std::string Env() const {
    return "env -i PATH=/usr/bin:/bin LC_ALL=C.UTF-8 TZ=UTC HOME=" + ShellQuote(home.string()) +
           " MEMHOOK_DB=" + ShellQuote((root / "db.sqlite").string()) +
           " XDG_RUNTIME_DIR=" + ShellQuote((root / "run").string()) + " ";
  }

  // Runs a command line with /bin/sh, stdin holding `input`.
  Result Shell(const std::string& command, const std::string& input = "") const {
    memhook::testing::ExecSpec spec;
    spec.program = "/bin/sh";
    spec.argv = {"sh", "-c", command};
    spec.stdin_data = input;
    return memhook::testing::RunProcess(spec);
  }

  Result Memhook(const std::string& args, const std::string& input = "") {
    return Shell(Env() + ShellQuote(::Memhook()) + " " + args, input);
  }

  std::string Request(const std::string& command) const {
    return nlohmann::json{{"session_id", "e2e"},
                          {"hook_event_name", "PreToolUse"},
                          {"cwd", home.string()},
                          {"tool_name", "Bash"},
                          {"tool_input", {{"command", command}, {"description", "e2e"}}}}
        .dump();
  }

  // The hook, then bash on its rewritten command, as the agent pays it.
  Result AsAgent(const std::string& command) {
    Result hook = Memhook("hook", Request(command));
    REQUIRE(hook.status == 0);
    if (hook.out.empty()) return Shell("cd " + ShellQuote(home.string()) + " && " + command);
    auto json = nlohmann::json::parse(hook.out);
    std::string rewritten = json["hookSpecificOutput"]["updatedInput"]["command"];
    return Shell(Env() + "bash -c " + ShellQuote(rewritten));
  }
};

}  // namespace

TEST_CASE("answers of 10 MB and more go through the spool byte for byte") {
  Sandbox box;
  fs::create_directories(box.root / "src" / "sessions" / "2026");
  std::string notes, session;
  std::mt19937 rng(7);
  while (notes.size() < 11 * 1024 * 1024) {
    notes += "line " + std::to_string(rng()) + " \xc3\xa9t\xc3\xa9 'quoted' $HOME `x`\n";
  }
  while (session.size() < 12 * 1024 * 1024) {
    session += "{\"type\":\"user\",\"n\":" + std::to_string(rng()) + "}\n";
  }
  std::ofstream(box.root / "src" / "big.md", std::ios::binary) << notes;
  std::ofstream(box.root / "src" / "sessions" / "2026" / "s.jsonl", std::ios::binary) << session;
  REQUIRE(box.Memhook("import " + ShellQuote((box.root / "src").string())).status == 0);

  // Spooled answers are replayed by the small memhook-replay.
  Result hook = box.Memhook("hook", box.Request("cat ~/.memhook/memory/big.md"));
  std::string rewritten =
      nlohmann::json::parse(hook.out)["hookSpecificOutput"]["updatedInput"]["command"];
  CHECK(rewritten.find("memhook-replay") != std::string::npos);
  CHECK(box.Shell(box.Env() + "bash -c " + ShellQuote(rewritten)).out == notes);
  // Into a file opened for appending, which sendfile refuses: the same bytes.
  hook = box.Memhook("hook", box.Request("cat ~/.memhook/memory/big.md"));
  rewritten = nlohmann::json::parse(hook.out)["hookSpecificOutput"]["updatedInput"]["command"];
  const fs::path appended = box.root / "appended.txt";
  std::ofstream(appended) << "before\n";
  CHECK(box.Shell(box.Env() + "bash -c " +
                  ShellQuote(rewritten + " >> " + ShellQuote(appended.string())))
            .status == 0);
  CHECK(memhook::testing::Slurp(appended) == "before\n" + notes);
  // Stdout, stderr and status of a spooled answer, each in its place.
  Result both = box.AsAgent("cat ~/.memhook/memory/big.md ~/.memhook/memory/nope");
  CHECK(both.out == notes);
  CHECK(both.err.find("nope: No such file or directory\n") != std::string::npos);
  CHECK(both.status == 1);

  Result cat = box.AsAgent("cat ~/.memhook/memory/big.md ~/.memhook/memory/sessions/2026/s.jsonl");
  CHECK(cat.status == 0);
  CHECK(cat.out.size() == notes.size() + session.size());
  CHECK(cat.out == notes + session);
  CHECK(cat.err.empty());
  // The spooled answer is consumed by its replay.
  CHECK(fs::is_empty(box.root / "run" / ("memhook-" + std::to_string(geteuid()))));

  // Past 8 MiB the answer's stdout goes to the spool file while the
  // command runs: what follows it keeps its place, in the hook and under
  // memhook run alike.
  Result then = box.AsAgent("cat ~/.memhook/memory/big.md; echo end; ls nope");
  CHECK(then.out == notes + "end\n");
  CHECK(then.err == "ls: cannot access 'nope': No such file or directory\n");
  CHECK(then.status == 2);
  Result run = box.Memhook("run -c " + ShellQuote("cat ~/.memhook/memory/big.md 2>&1; echo end"));
  CHECK(run.out == notes + "end\n");
  CHECK(run.status == 0);
  // Refused after its stdout began to spill: the agent gets the refusal,
  // and no spool file is left behind.
  Result refused = box.AsAgent("cat ~/.memhook/memory/big.md; echo x | sort -R");
  CHECK(refused.status == 126);
  CHECK(refused.out.empty());
  CHECK(fs::is_empty(box.root / "run" / ("memhook-" + std::to_string(geteuid()))));

  Result wc = box.AsAgent("cat ~/.memhook/memory/sessions/2026/s.jsonl | wc -l");
  CHECK(wc.out == std::to_string(std::count(session.begin(), session.end(), '\n')) + "\n");
  Result tail = box.AsAgent("tail -n 2 ~/.memhook/memory/sessions/2026/s.jsonl");
  size_t cut = session.rfind('\n', session.rfind('\n', session.size() - 2) - 1) + 1;
  CHECK(tail.out == session.substr(cut));
}

TEST_CASE("bad input never crashes or hangs the hook") {
  Sandbox box;
  for (const std::string& input :
       {std::string(""), std::string("{"), std::string("null"), std::string("[]"),
        std::string("{\"tool_name\":3}"), std::string("\xff\xfe garbage"),
        std::string("{\"tool_name\":\"Bash\",\"tool_input\":{}}")}) {
    CAPTURE(input);
    Result r = box.Memhook("hook", input);
    CHECK(r.out.empty());
    CHECK((r.status == 0 || r.status == 1));
    if (r.status == 1) CHECK(r.err.rfind("memhook: ", 0) == 0);
  }
  // Unparseable bash naming the mount: a clear refusal, not a pass-through.
  Result hook = box.Memhook("hook", box.Request("cat ~/.memhook/memory/x.md | | head"));
  REQUIRE(hook.status == 0);
  auto json = nlohmann::json::parse(hook.out);
  CHECK(json["hookSpecificOutput"]["permissionDecisionReason"].get<std::string>().find(
            "next-tier") != std::string::npos);
  // No database yet: a clear error through the answer, never a crash.
  Result missing = box.AsAgent("cat ~/.memhook/memory/x.md");
  CHECK(missing.status == 126);
  CHECK(missing.err.rfind("memhook: ", 0) == 0);
  CHECK(box.Memhook("frobnicate").status == 2);
  CHECK(box.Memhook("replay ../../etc/passwd").status == 1);
  // The small replayer refuses anything but a spooled answer, and deletes
  // nothing it refused.
  std::string replayer = fs::path(Memhook()).parent_path() / "memhook-replay";
  std::ofstream(box.root / "not-an-answer") << "hello\n";
  Result refused =
      box.Shell(ShellQuote(replayer) + " " + ShellQuote((box.root / "not-an-answer").string()));
  CHECK(refused.status == 1);
  CHECK(refused.out.empty());
  CHECK(refused.err.rfind("memhook: replay: ", 0) == 0);
  CHECK(fs::exists(box.root / "not-an-answer"));
}

TEST_CASE("reads stay exact while another process writes") {
  Sandbox box;
  fs::create_directories(box.root / "src" / "notes");
  for (int i = 0; i < 50; ++i) {
    std::ofstream(box.root / "src" / "notes" / ("n" + std::to_string(i) + ".md"))
        << "note " << i << "\n";
  }
  REQUIRE(box.Memhook("import " + ShellQuote((box.root / "src").string())).status == 0);
  // A second tree the writer imports over and over (same files, new bytes).
  fs::create_directories(box.root / "src2" / "notes");
  for (int i = 0; i < 50; ++i) {
    std::ofstream(box.root / "src2" / "notes" / ("n" + std::to_string(i) + ".md"))
        << "note " << i << "\n";
  }
  std::atomic<bool> stop{false};
  std::thread writer([&] {
    std::string command = box.Env() + ShellQuote(Memhook()) + " import " +
                          ShellQuote((box.root / "src2").string()) + " >/dev/null 2>&1";
    while (!stop) box.Shell(command);
  });
  int agreed = 0;
  for (int i = 0; i < 20; ++i) {
    Result r =
        box.AsAgent("cat ~/.memhook/memory/notes/n7.md && ls ~/.memhook/memory/notes | wc -l");
    agreed += r.out == "note 7\n50\n" && r.status == 0 && r.err.empty();
  }
  stop = true;
  writer.join();
  CHECK(agreed == 20);
}

TEST_CASE("explain shows the parse, the route and the SQL") {
  Sandbox box;
  fs::create_directories(box.root / "src");
  std::ofstream(box.root / "src" / "a.md") << "alpha\n";
  REQUIRE(box.Memhook("import " + ShellQuote((box.root / "src").string())).status == 0);
  Result r = box.Memhook("explain 'cat ~/.memhook/memory/a.md | head -n 1'");
  CHECK(r.status == 0);
  CHECK(r.out.find("route: fast-path") != std::string::npos);
  CHECK(r.out.find("SELECT") != std::string::npos);
  CHECK(r.out.find("(program") != std::string::npos);
  Result pass = box.Memhook("explain 'git status'");
  CHECK(pass.out.find("route: pass-through") != std::string::npos);
  Result run = box.Memhook("run -c 'cat ~/.memhook/memory/a.md ~/.memhook/memory/nope'");
  CHECK(run.out == "alpha\n");
  CHECK(run.err.find("cat: ") == 0);
  CHECK(run.status == 1);
}

TEST_CASE("memhook rm removes memory paths as one change that undo brings back") {
  Sandbox box;
  fs::create_directories(box.root / "src" / "notes" / "deep");
  std::ofstream(box.root / "src" / "a.md") << "alpha\n";
  std::ofstream(box.root / "src" / "keep.md") << "kept\n";
  std::ofstream(box.root / "src" / "notes" / "b.md") << "bee\n";
  std::ofstream(box.root / "src" / "notes" / "deep" / "c.md") << "sea\n";
  REQUIRE(box.Memhook("import " + ShellQuote((box.root / "src").string())).status == 0);
  const std::string before = box.Memhook("run -c 'find ~/.memhook/memory | sort'").out;
  REQUIRE(before.find("notes/deep/c.md") != std::string::npos);

  // Relative to the mount, and as ~/ path: both removed in one change.
  Result rm = box.Memhook("rm a.md '~/.memhook/memory/notes'");
  CHECK(rm.status == 0);
  CHECK(rm.err.empty());
  CHECK(box.Memhook("run -c 'ls ~/.memhook/memory'").out == "index.md\nkeep.md\n");
  Result log = box.Memhook("log -n 1");
  CHECK(log.out.find("(rm)") != std::string::npos);
  CHECK(log.out.find("- a.md\n") != std::string::npos);
  CHECK(log.out.find("- notes/\n") != std::string::npos);
  CHECK(log.out.find("- notes/deep/c.md\n") != std::string::npos);

  CHECK(box.Memhook("undo").status == 0);
  CHECK(box.Memhook("run -c 'find ~/.memhook/memory | sort'").out == before);
  CHECK(box.Memhook("run -c 'cat ~/.memhook/memory/notes/deep/c.md'").out == "sea\n");

  // A missing path: one line, status 1, and nothing removed (not even the
  // paths named before it).
  Result missing = box.Memhook("rm a.md missing.md");
  CHECK(missing.status == 1);
  CHECK(missing.err ==
        "memhook: rm: cannot remove 'missing.md': no such file or directory "
        "(nothing was removed)\n");
  CHECK(box.Memhook("run -c 'cat ~/.memhook/memory/a.md'").out == "alpha\n");
  CHECK(box.Memhook("rm /etc/passwd").status == 1);
  CHECK(box.Memhook("rm").status == 2);
  CHECK(box.Memhook("rm -rf notes").status == 2);
}

TEST_CASE("memhook import mirrors the source, says what it skipped, and undo reverts it") {
  Sandbox box;
  const fs::path src = box.root / "src";
  fs::create_directories(src / "notes");
  std::ofstream(src / "a.md") << "alpha\n";
  std::ofstream(src / "notes" / "b.md") << "bee\n";
  std::ofstream(box.root / "secret") << "secret\n";
  fs::create_symlink(box.root / "secret", src / "notes" / "x");
  Result first = box.Memhook("import " + ShellQuote(src.string()));
  CHECK(first.status == 0);
  CHECK(first.err.find("memhook: import: skipped notes/x: a symbolic link to a file outside " +
                       src.string() + "\n") == 0);
  CHECK(first.err.find("1 skipped") != std::string::npos);
  CHECK(box.Memhook("run -c 'ls ~/.memhook/memory/notes'").out == "b.md\n");

  fs::remove(src / "a.md");
  Result second = box.Memhook("import " + ShellQuote(src.string()));
  CHECK(second.status == 0);
  CHECK(box.Memhook("run -c 'ls ~/.memhook/memory'").out == "index.md\nnotes\n");
  CHECK(box.Memhook("log -n 1").out.find("(import)") != std::string::npos);
  CHECK(box.Memhook("undo").status == 0);
  CHECK(box.Memhook("run -c 'cat ~/.memhook/memory/a.md'").out == "alpha\n");
  // Unchanged: nothing written, no change recorded.
  Result again = box.Memhook("import " + ShellQuote(src.string()));
  CHECK(again.err.find("nothing changed") == std::string::npos);  // a.md goes again
  Result same = box.Memhook("import " + ShellQuote(src.string()));
  CHECK(same.err.find("nothing changed") != std::string::npos);
}

TEST_CASE("every hook call that touches the memory is logged; stats and log --errors report them") {
  Sandbox box;
  fs::create_directories(box.root / "src" / "notes");
  std::ofstream(box.root / "src" / "notes" / "a.md") << "alpha\nbeta\n";
  REQUIRE(box.Memhook("import " + ShellQuote((box.root / "src").string())).status == 0);
  const std::vector<std::string> commands = {
      "cat ~/.memhook/memory/notes/a.md",          // fast-path
      "grep -c a ~/.memhook/memory/notes/a.md",    // fast-path
      "echo x >> ~/.memhook/memory/notes/a.md",    // run (a write)
      "cat ~/.memhook/memory/notes/a.md &",        // next-tier (a background job)
      "git status",                                // pass-through: never logged
      "ls /tmp",                                   // pass-through
  };
  for (const std::string& c : commands) REQUIRE(box.Memhook("hook", box.Request(c)).status == 0);
  Result stats = box.Memhook("stats");
  REQUIRE(stats.status == 0);
  INFO(stats.out);
  CHECK(stats.out.find("4 hook calls touched the memory") != std::string::npos);
  CHECK(stats.out.find("fast-path       2") != std::string::npos);
  CHECK(stats.out.find("run             1") != std::string::npos);
  CHECK(stats.out.find("next-tier       1") != std::string::npos);
  CHECK(stats.out.find("fast-path hit rate: 50.0% (2 of 4") != std::string::npos);
  CHECK(stats.out.find("latency histogram") != std::string::npos);
  CHECK(stats.out.find("grep ") != std::string::npos);
  CHECK(box.Memhook("stats --since 1h").out.find("(last 1h): 4 hook calls") != std::string::npos);
  CHECK(box.Memhook("stats --since yesterday").status == 2);
  Result errors = box.Memhook("log --errors");
  REQUIRE(errors.status == 0);
  CHECK(errors.out.find("next-tier  cat+pipe  status 126") != std::string::npos);
  CHECK(errors.out.find("background") != std::string::npos);
  CHECK(errors.out.find("fast-path") == std::string::npos);
}

TEST_CASE("doctor: hook registration, other Bash hooks, the database and private directories") {
  Sandbox box;
  fs::create_directories(box.root / "src");
  std::ofstream(box.root / "src" / "a.md") << "alpha\n";
  REQUIRE(box.Memhook("import " + ShellQuote((box.root / "src").string())).status == 0);
  // Nothing registered: warnings with the install command, no failure.
  Result bare = box.Memhook("doctor");
  INFO(bare.out);
  CHECK(bare.status == 0);
  CHECK(bare.out.find("warn  Claude Code: no hook settings") != std::string::npos);
  CHECK(bare.out.find("fix: if you use Claude Code: `memhook install claude`") != std::string::npos);
  CHECK(bare.out.find("integrity_check ok") != std::string::npos);
  // Registered (this binary) beside another PreToolUse Bash hook, Read missing.
  fs::create_directories(box.home / ".claude");
  const std::string self = Memhook();
  std::ofstream(box.home / ".claude" / "settings.json")
      << nlohmann::json{{"permissions", {{"allow", {"Bash(ls:*)"}}}},
                        {"hooks",
                         {{"PreToolUse",
                           {{{"matcher", "Bash"},
                             {"hooks", {{{"type", "command"}, {"command", self + " hook"}}}}},
                            {{"matcher", "Bash|Edit"},
                             {"hooks", {{{"type", "command"}, {"command", "/opt/guard.sh"}}}}}}},
                          {"SessionStart",
                           {{{"hooks", {{{"type", "command"}, {"command", self + " hook"}}}}}}}}}}
             .dump(2);
  Result some = box.Memhook("doctor");
  INFO(some.out);
  CHECK(some.status == 0);
  CHECK(some.out.find("ok    Claude Code: PreToolUse (Bash) hook registered") != std::string::npos);
  CHECK(some.out.find("warn  Claude Code: PreToolUse (Read) hook missing") != std::string::npos);
  CHECK(some.out.find("ok    Claude Code: SessionStart hook registered") != std::string::npos);
  CHECK(some.out.find("another PreToolUse hook also sees Bash commands: ~/.claude/settings.json: "
                      "/opt/guard.sh") != std::string::npos);
  // A registered binary that is gone, and a malformed file: failures, status 1.
  std::ofstream(box.home / ".claude" / "settings.json")
      << R"({"hooks":{"PreToolUse":[{"matcher":"Bash","hooks":[{"type":"command","command":"/gone/memhook hook"}]}]}})";
  Result gone = box.Memhook("doctor");
  CHECK(gone.status == 1);
  CHECK(gone.out.find("FAIL  Claude Code: the registered hook /gone/memhook cannot be run") !=
        std::string::npos);
  std::ofstream(box.home / ".claude" / "settings.json") << "{\"hooks\": [";
  Result bad = box.Memhook("doctor");
  CHECK(bad.status == 1);
  CHECK(bad.out.find("is not valid JSON") != std::string::npos);
  // A spool directory open to others.
  const fs::path spool = box.root / "run" / ("memhook-" + std::to_string(geteuid()));
  fs::create_directories(spool);
  fs::permissions(spool, fs::perms::all);
  Result open_dir = box.Memhook("doctor");
  CHECK(open_dir.out.find("has mode 0777") != std::string::npos);
}
