// Engine tests. Differential: a real directory is built on disk, imported
// into a SQLite store, and every command is answered twice — by the engine
// (with the mount pointed at that directory, answering from the store) and
// by real bash + GNU tools on the directory itself. They must agree.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "fastpath/fastpath.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "tests/support/disk_tree.h"
#include "tests/support/test_support.h"
#include "vfs/vfs.h"

namespace fs = std::filesystem;
using memhook::fastpath::Answer;
using memhook::fastpath::Engine;
using memhook::fastpath::EngineOptions;
using memhook::fastpath::Route;
using memhook::fastpath::RunFlags;

namespace {

struct Fixture : memhook::testing::DiskTree {
  Engine engine;

  Fixture() : DiskTree("memhook-fastpath") {
    MakeDirs("notes/deep/er");
    MakeDirs("sessions/2026");
    MakeDirs("empty-dir");
    Write("MEMORY.md", "# Memory\n\nline two\nline three\n");
    Write("notes/a.md",
          "alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\neta\ntheta\niota\nkappa\nlambda\nmu\n");
    Write("notes/no-newline.md", "first\nsecond\nlast without newline");
    Write("notes/crlf.md", "one\r\ntwo\r\n");
    Write("notes/empty.md", "");
    Write("notes/with space.md", "spaced out\n");
    Write("notes/-dash.md", "dash\n");
    Write("notes/tabs.md", "a\tb\x01\x7f\xc3\xa9 caf\xc3\xa9\n\n\n\nend\n");
    Write("notes/.hidden.md", "hidden\n");
    Write("notes/deep/er/x.md", "deep\n");
    MakeDirs("rank");
    Write("rank/a-low.md", "zebra once, among a great many other words that dilute it\n" +
                               std::string(2000, 'x') + "\n");
    Write("rank/b-high.md", "zebra zebra zebra\n");
    MakeDirs("data");
    Write("data/nums.txt", "10 b\n9 a\n-3 c\n1.5 d\n 2 e\nx f\n10 a\n0 z\n-0 y\n007 q\n");
    Write("data/colon.txt", "a:3:x\nb:1:y\nc:2:x\nd:1:x\nno delim\n");
    Write("data/case.txt", "B\na\nb\nA\nb\n_x\n.y\n");
    Write("data/dups.txt", "x\nx\ny\nX\nx");
    Write("data/tabs.tsv", "a\tb\tc\nd\te\n");
    Write("sessions/2026/s1.jsonl", "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
    Write("sessions/2026/s2.jsonl", "{\"x\":1}\n{\"y\":2}");
    Import();
  }

  EngineOptions Options(const std::string& cwd_rel = "") const {
    EngineOptions options = DiskTree::Options(cwd_rel);
    options.now_ns = 0;
    return options;
  }

  Answer Run(const std::string& command, const std::string& cwd_rel = "") {
    return engine.Run(command, Options(cwd_rel), [this](std::string*) { return store.get(); });
  }

  void Agree(const std::string& command, const std::string& cwd_rel = "") {
    CAPTURE(command);
    Answer ours = Run(command, cwd_rel);
    REQUIRE_MESSAGE(ours.route == Route::kFastPath, ours.reason);
    const auto real = Bash(command, cwd_rel);
    CHECK(ours.out == real.out);
    CHECK(ours.err == real.err);
    CHECK(ours.status == real.status);
  }
};

// Replaces the placeholder `M` (as "M/" or a lone " M ") by the mount
// path, left to right, so that a mount path containing "M/" is not
// expanded again.
std::string ExpandMount(const std::string& command, const std::string& mount) {
  std::string out;
  for (size_t i = 0; i < command.size(); ++i) {
    bool word_start = i == 0 || command[i - 1] == ' ' || command[i - 1] == '\'';
    bool word_end = i + 1 == command.size() || command[i + 1] == '/' || command[i + 1] == ' ';
    if (command[i] == 'M' && word_start && word_end) {
      out += mount;
    } else {
      out += command[i];
    }
  }
  return out;
}

}  // namespace

TEST_CASE("cat, head, tail and wc agree with GNU") {
  Fixture f;
  const std::string m = f.tree.string();
  const char* commands[] = {
      "cat M/MEMORY.md",
      "cat M/notes/a.md M/MEMORY.md",
      "cat -n M/notes/no-newline.md M/notes/a.md",
      "cat -A M/notes/tabs.md M/notes/crlf.md",
      "cat -b M/notes/tabs.md",
      "cat -s -n M/notes/tabs.md",
      "cat -vET M/notes/tabs.md",
      "cat M/notes/nope.md",
      "cat M/notes M/MEMORY.md",
      "cat M/notes/a.md/ M/MEMORY.md/",
      "cat -- M/notes/-dash.md",
      "cat 'M/notes/with space.md' 'M/notes/no such.md'",
      "cat M/notes/../MEMORY.md M/notes/a.md/../b",
      "head M/notes/a.md",
      "head -n 3 M/notes/a.md",
      "head -3 M/notes/a.md",
      "head -n3 M/notes/a.md",
      "head --lines=2 M/notes/a.md M/MEMORY.md",
      "head -n -4 M/notes/a.md",
      "head -n -1 M/notes/no-newline.md",
      "head -c 5 M/notes/a.md",
      "head -c -5 M/notes/a.md",
      "head -q -n 1 M/notes/a.md M/MEMORY.md",
      "head -v -n 1 M/notes/a.md",
      "head -n 1 M/notes/a.md M/nope M/notes M/MEMORY.md",
      "head -n 0 M/notes/a.md",
      "tail M/notes/a.md",
      "tail -n 2 M/notes/no-newline.md",
      "tail -n +3 M/notes/a.md",
      "tail -n +0 M/notes/a.md",
      "tail -3 M/notes/a.md M/notes/no-newline.md",
      "tail -c 4 M/notes/no-newline.md",
      "tail -c +4 M/notes/a.md",
      "tail -n 1 M/nope M/notes",
      "wc M/MEMORY.md",
      "wc -l M/notes/no-newline.md",
      "wc -l M/notes/a.md M/notes/no-newline.md",
      "wc -w M/notes/tabs.md",
      "wc -m M/notes/tabs.md",
      "wc -c -l M/notes/tabs.md",
      "wc -L M/notes/tabs.md M/notes/a.md",
      "wc M/nope M/MEMORY.md",
      "wc M/MEMORY.md M/nope",
      "wc M/notes M/MEMORY.md",
      "wc -l < M/notes/a.md",
      "wc < M/notes/a.md",
      "cat M/notes/a.md | wc",
      "cat M/notes/a.md | wc -l",
      "cat M/notes/a.md | head -n 5 | tail -n 2",
      "cat M/notes/a.md M/nope 2>&1 | head -n 20",
      "cat M/nope 2>/dev/null; echo after",
      "cat M/nope 2>/dev/null; echo \"exit: $?\"",
      "cat M/MEMORY.md >/dev/null; echo $? && cat M/nope 2>&1 | head -n 1; echo $?",
      "! cat M/MEMORY.md >/dev/null; echo $?",
      "cat M/nope 2>/dev/null || echo fallback",
      "cat M/MEMORY.md >/dev/null && echo ok",
      "cat M/MEMORY.md M/nope 2>&1",
      "head -n 2 M/sessions/2026/s1.jsonl M/sessions/2026/s2.jsonl",
      "tail -n 1 M/sessions/2026/s2.jsonl",
      "tail -n 2 M/sessions/2026/s2.jsonl M/sessions/2026/s1.jsonl",
      "tail -n 9 M/sessions/2026/s1.jsonl",
      "tail -n 0 M/sessions/2026/s1.jsonl",
      "head -n 0 M/sessions/2026/s1.jsonl",
      "head -n 1 M/sessions/2026/s2.jsonl",
      "head -n 2 M/sessions/2026/s2.jsonl",
      "head -n 5 M/sessions/2026/s2.jsonl",
      "tail -n 3 M/sessions/2026/s2.jsonl",
      "wc -l -c M/sessions/2026/s2.jsonl M/notes/tabs.md",
      "wc -l M/sessions/2026/*.jsonl",
      "cat M/notes/*.md | wc -l",
      "cat M/notes/{a,empty}.md",
      "cat M/notes/*.nomatch",
      "cat M/notes/deep/*/x.md",
      "cat M/MEMORY.md >/dev/null; echo hello; pwd >/dev/null; true && false || echo recovered",
      "! cat M/nope 2>/dev/null",
      "cd M/notes && cat a.md | head -n 1",
      "cd M/nope",
      "cat M/MEMORY.md - <<< 'from stdin'",
  };
  for (const char* c : commands) {
    std::string command = c;
    command = ExpandMount(command, m);
    f.Agree(command);
  }
}

TEST_CASE("sort, uniq and cut agree with GNU") {
  Fixture f;
  const std::string m = f.tree.string();
  const char* commands[] = {
      "sort M/notes/a.md",
      "sort -r M/notes/a.md M/MEMORY.md",
      "cat M/notes/*.md | sort",
      "cat M/notes/*.md | sort -u",
      "cat M/notes/*.md | sort | uniq -c",
      "cat M/notes/*.md | sort | uniq -c | sort -rn",
      "cat M/notes/*.md | sort | uniq -d",
      "cat M/notes/*.md | sort | uniq -u",
      "cat M/notes/*.md | sort -f",
      "sort -n M/data/nums.txt",
      "sort -rn M/data/nums.txt",
      "sort -k2 M/data/nums.txt",
      "cat M/data/nums.txt | sort -k1,1n -k2r",
      "sort -t: -k2,2n M/data/colon.txt",
      "sort -t : -k3,3 -k1,1r M/data/colon.txt",
      "sort -t: -k2n -u M/data/colon.txt",
      "sort M/data/case.txt",
      "sort -f M/data/case.txt",
      "uniq -i M/data/dups.txt",
      "uniq -c M/data/dups.txt",
      "cut -d: -f2 M/data/colon.txt",
      "cut -d: -f1,3 -s M/data/colon.txt",
      "cat M/data/colon.txt | cut -d : -f 2-",
      "cut -f2 M/data/tabs.tsv",
      "sort -u M/data/nums.txt M/data/case.txt",
      "sort -n -u M/data/nums.txt",
      "sort -b -k2 M/data/nums.txt",
      "sort -s -k1,1n M/data/nums.txt",
      "uniq M/data/dups.txt",
      "uniq -d M/data/dups.txt",
      "cut -c1-3 M/notes/a.md M/MEMORY.md",
      "cut -b2,4- M/notes/a.md",
      "cut -c-2 M/nope M/notes/a.md",
      "cut -f1 M/notes M/MEMORY.md",
      "sort M/nope",
      "sort M/notes",
      "uniq M/nope",
      "uniq M/notes",
      "sort M/notes/a.md | head -n 3",
      "ls M/notes | sort -r",
      "find M/notes -type f | sort",
      "find M -name '*.md' ! -name index.md | cut -d/ -f5- | sort",
  };
  for (const char* c : commands) {
    std::string command = c;
    command = ExpandMount(command, m);
    f.Agree(command);
  }
}

TEST_CASE("relative operands from a working directory inside the mount") {
  Fixture f;
  f.Agree("cat a.md | head -n 2", "notes");
  f.Agree("cat ../MEMORY.md ./a.md", "notes");
  f.Agree("wc -l -- *.md", "notes");
  f.Agree("head -n 1 deep/er/x.md nope", "notes");
  f.Agree("echo start; cat empty.md; echo end", "notes");
}

TEST_CASE("routes") {
  Fixture f;
  const std::string m = f.tree.string();
  SUBCASE("commands that cannot name the mount pass through") {
    CHECK(f.Run("ls /tmp").route == Route::kPassThrough);
    CHECK(f.Run("cat /etc/hostname | head -n 1").route == Route::kPassThrough);
    CHECK(f.Run("git status && echo done").route == Route::kPassThrough);
    CHECK(f.Run("cat " + m + "-old/x").route == Route::kPassThrough);
    CHECK(f.Run("echo 'unterminated").route == Route::kPassThrough);
  }
  SUBCASE("the interpreter answers whole command lines; what it cannot is refused") {
    // Writes run later, by `memhook run`, after the permission flow.
    Answer write = f.Run("echo x > " + m + "/new.md");
    CHECK(write.route == Route::kRun);
    CHECK(write.writes);
    CHECK(write.reason.find("writing") != std::string::npos);
    Answer substitution = f.Run("cat $(ls " + m + "/MEMORY.md)");
    CHECK(substitution.route == Route::kFastPath);
    CHECK(substitution.out == f.Run("cat " + m + "/MEMORY.md").out);
    CHECK(f.Run("for f in " + m + "/*.md; do cat $f; done").route == Route::kFastPath);
    CHECK(f.Run("LC_ALL=C cat " + m + "/MEMORY.md").route == Route::kFastPath);
    CHECK(f.Run("sed -n 1p " + m + "/MEMORY.md").route == Route::kFastPath);
    CHECK(f.Run("cat " + m + "/MEMORY.md | python3 -c 1").route == Route::kRun);
    // A host program cannot open a memory path: a clear message, 127,
    // nothing run (and no permission asked: nothing reaches the host).
    Answer host = f.Run("python3 " + m + "/MEMORY.md");
    CHECK(host.route == Route::kFastPath);
    CHECK(host.status == 127);
    CHECK(host.err.find("pipe the file in") != std::string::npos);
    CHECK(host.out.empty());
    // awk is memhook's own now: answered from the store.
    Answer awk = f.Run("awk 'NR<=3' " + m + "/MEMORY.md");
    CHECK(awk.route == Route::kFastPath);
    CHECK(awk.status == 0);
    CHECK_FALSE(awk.out.empty());
    Answer in_place = f.Run("sed -i s/a/b/ " + m + "/MEMORY.md");
    CHECK(in_place.route == Route::kRun);
    CHECK(in_place.writes);
    Answer mkdir = f.Run("mkdir " + m + "/d");
    CHECK(mkdir.route == Route::kRun);
    CHECK(mkdir.writes);
    CHECK(f.Run("find " + m + " -name x -delete").route == Route::kRun);
    // cat reads host files itself under `memhook run`.
    Answer mixed = f.Run("cat " + m + "/MEMORY.md /etc/hostname");
    CHECK(mixed.route == Route::kRun);
    CHECK_FALSE(mixed.writes);
    CHECK(f.Run("cat -z " + m + "/MEMORY.md").route == Route::kNextTier);
    CHECK(f.Run("cat " + m + "/MEMORY.md &").route == Route::kNextTier);
    CHECK(f.Run("cat '" + m + "/MEMORY.md").route == Route::kNextTier);         // unparseable
    CHECK(f.Run("while true; do :; done; ls " + m).route == Route::kNextTier);  // a limit
    RunFlags forced;
    forced.fast_path = false;
    Answer plain = f.engine.Run(
        "cat " + m + "/MEMORY.md", f.Options(), [&](std::string*) { return f.store.get(); },
        forced);
    CHECK(plain.route == Route::kShell);
    CHECK(plain.out == f.Run("cat " + m + "/MEMORY.md").out);
  }
  SUBCASE("the store is opened only when the mount is named") {
    bool opened = false;
    Answer a = f.engine.Run("ls *.txt", f.Options(), [&](std::string*) {
      opened = true;
      return f.store.get();
    });
    CHECK(a.route == Route::kPassThrough);
    CHECK_FALSE(opened);
  }
  SUBCASE("an unavailable store is a clear next-tier reason") {
    Answer a = f.engine.Run("cat " + m + "/MEMORY.md", f.Options(), [](std::string* error) {
      *error = "no database";
      return static_cast<memhook::vfs::Store*>(nullptr);
    });
    CHECK(a.route == Route::kNextTier);
    CHECK(a.reason.find("no database") != std::string::npos);
  }
}

TEST_CASE("MEMHOOK_GREP_RANK=bm25 orders recursive grep by relevance, same lines") {
  Fixture f;
  const std::string m = f.tree.string();
  EngineOptions options = f.Options();
  Answer by_path =
      f.engine.Run("grep -rl zebra " + m, options, [&f](std::string*) { return f.store.get(); });
  options.grep_rank_bm25 = true;
  Answer by_rank =
      f.engine.Run("grep -rl zebra " + m, options, [&f](std::string*) { return f.store.get(); });
  REQUIRE(by_path.route == Route::kFastPath);
  CHECK(by_path.out == m + "/rank/a-low.md\n" + m + "/rank/b-high.md\n");
  CHECK(by_rank.out == m + "/rank/b-high.md\n" + m + "/rank/a-low.md\n");
  CHECK(by_rank.status == by_path.status);
}

TEST_CASE("prefilter") {
  EngineOptions options;
  options.mount = "/home/u/.memhook/memory";
  options.cwd = "/home/u/project";
  CHECK_FALSE(memhook::fastpath::MayTouchMount("git status", options));
  CHECK_FALSE(memhook::fastpath::MayTouchMount("npm test -- --watch=false", options));
  CHECK(memhook::fastpath::MayTouchMount("cat ~/.memhook/memory/a.md", options));
  CHECK(memhook::fastpath::MayTouchMount("ls ~/.mem*/m*", options));
  options.cwd = "/home/u/.memhook/memory/notes";
  CHECK(memhook::fastpath::MayTouchMount("git status", options));
}

TEST_CASE("ls -la of the mount root when its parent does not exist on disk") {
  // A fresh install has the database and no ~/.memhook on disk: `..` of the
  // mount root is shown as the directory an export creates (0755, holding
  // the mount alone, as old as the mount root).
  memhook::testing::TempDir temp("memhook-fresh");
  REQUIRE(temp.ok());
  memhook::vfs::Status status;
  auto store = memhook::vfs::OpenSqliteStore((temp.path() / "db").string(), {}, &status);
  REQUIRE(store != nullptr);
  REQUIRE(store->WriteFile("MEMORY.md", "# m\n", 0644, 1700000000LL * 1000000000).ok());
  REQUIRE(store->MakeDirectory("notes", 0755, 1700000100LL * 1000000000).ok());
  const fs::path home = temp.path() / "home";
  fs::create_directories(home);
  EngineOptions options;
  options.home = home.string();
  options.mount = (home / ".memhook/memory").string();
  options.cwd = home.string();
  options.now_ns = 1800000000LL * 1000000000;
  Engine engine;
  Answer ours =
      engine.Run("ls -la ~/.memhook/memory", options, [&](std::string*) { return store.get(); });
  REQUIRE_MESSAGE(ours.route == Route::kFastPath, ours.reason);
  CHECK_FALSE(fs::exists(home / ".memhook"));

  // The same tree exported, its parent made as described.
  const fs::path other = temp.path() / "other";
  REQUIRE(memhook::vfs::ExportTree(*store, (other / ".memhook/memory").string()).ok());
  memhook::vfs::Stat root;
  REQUIRE(store->GetStat("", &root).ok());
  fs::permissions(other / ".memhook", fs::perms(0755));
  const timespec times[2] = {{root.mtime_ns / 1000000000, root.mtime_ns % 1000000000},
                             {root.mtime_ns / 1000000000, root.mtime_ns % 1000000000}};
  REQUIRE(utimensat(AT_FDCWD, (other / ".memhook").c_str(), times, 0) == 0);
  memhook::testing::BashOptions gnu;
  gnu.env = {"HOME=" + other.string(), "LC_ALL=C.UTF-8", "TZ=UTC"};
  memhook::testing::ProcResult real = memhook::testing::RunBash(
      "ls -la ~/.memhook/memory | sed -e 's/ [A-Z][a-z][a-z] [ 0-9][0-9] [ "
      "0-9][0-9][:0-9][0-9][0-9] / DATE /'",
      gnu);
  // Dates aside (the engine's "now" differs from the clock), the listing agrees.
  memhook::testing::ProcResult ours_normalised = memhook::testing::RunBash(
      "printf %s " + memhook::testing::ShellQuote(ours.out) +
          " | sed -e 's/ [A-Z][a-z][a-z] [ 0-9][0-9] [ 0-9][0-9][:0-9][0-9][0-9] / DATE /'",
      gnu);
  CHECK(ours_normalised.out == real.out);
}
