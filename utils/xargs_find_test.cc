// xargs and find -exec / -execdir / -printf tests.
//
// Differential: a real directory is built on disk and imported into a
// SQLite store; every command is answered by CmdXargs / CmdFind called
// directly (the commands they run found with FindCommand, as a shell
// would) and by real bash + GNU findutils 4.9 on the directory itself.
// stdout, stderr and the exit status must agree. Recursive outputs are
// compared as sorted lines (GNU walks in readdir order, memhook in byte
// order); cases whose grouping depends on that order use single-entry
// directories or commands that sort (ls -d).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/support/disk_tree.h"
#include "tests/support/test_support.h"
#include "utils/utils.h"
#include "vfs/vfs.h"

namespace {

using memhook::testing::DiskTree;
using memhook::testing::ShellQuote;
using memhook::testing::ShellWords;
using memhook::testing::SortedLines;
using memhook::utils::CommandEnv;
using memhook::utils::CommandIo;
using memhook::utils::UtilOptions;

struct Result {
  std::string out, err;
  int status = 0;
  std::string unsupported;
};

struct Fixture : DiskTree {
  // `many`: also a folder of 3000 one-line files with 44-byte names, more
  // than one -exec ... + command line holds.
  explicit Fixture(bool many = false) : DiskTree("memhook-xargs-find") {
    if (many) {
      MakeDirs("many");
      for (int i = 0; i < 3000; ++i) {
        std::string n = std::to_string(10000 + i);
        Write("many/session-log-with-a-rather-long-name-" + n + ".md", "line\n");
      }
    }
    MakeDirs("notes/deep");
    MakeDirs("one");
    MakeDirs("chain/a/b");
    MakeDirs("empty-dir");
    MakeDirs("logs");
    Write("MEMORY.md", "# Memory\nfoo line\nbar\n");
    Write("notes/a.md", "alpha\nfoo\n");
    Write("notes/b.md", "beta\n");
    Write("notes/with space.md", "spaced foo\n");
    Write("notes/empty.md", "");
    Write("notes/deep/x.md", "deep foo\n");
    Write("notes/deep/y.txt", "yy\n");
    Write("one/only.md", "only\n");
    Write("chain/a/b/c.md", "c\n");
    Write("logs/s1.jsonl", "{\"a\":1}\n{\"b\":2}\n");
    Write("list.txt", "notes/a.md\nnotes/b.md\n");
    std::filesystem::permissions(tree / "notes/b.md", std::filesystem::perms(0600));
    std::filesystem::permissions(tree / "one", std::filesystem::perms(0700));
    memhook::vfs::StoreOptions store_options;
    store_options.virtual_index = false;  // bash sees no generated index.md
    Import(store_options);
    if (const char* path = std::getenv("PATH")) environment.push_back(std::string("PATH=") + path);
    environment.push_back("TZ=UTC");
    environment.push_back("LC_ALL=" + locale());
    if (passwd* pw = getpwuid(geteuid())) owner = pw->pw_name;
    if (group* gr = getgrgid(getegid())) group_name = gr->gr_name;
  }

  // CmdFind / CmdXargs called directly, in `cwd_rel` below the mount
  // ("" = the mount itself).
  Result Direct(const std::string& command, const std::string& cwd_rel, const std::string& input) {
    UtilOptions options;
    options.mount = tree.string();
    options.home = root.string();
    options.cwd = cwd_rel.empty() ? tree.string() : (tree / cwd_rel).string();
    options.owner = owner;
    options.group = group_name;
    CommandEnv env{*store, options, options.cwd, &environment, nullptr};
    // The shell's runner: utilities by name; unknown names are 127.
    env.run_command = [&env](const std::vector<std::string>& argv, CommandIo& io) {
      const memhook::utils::CommandSpec* spec = memhook::utils::FindCommand(argv[0]);
      if (spec == nullptr) return 127;
      spec->fn(argv, env, io);
      return io.status;
    };
    CommandIo io;
    io.stdin_data = input;
    std::vector<std::string> words = ShellWords(command);
    if (words[0] == "find") {
      memhook::utils::CmdFind(words, env, io);
    } else {
      memhook::utils::CmdXargs(words, env, io);
    }
    return {io.out.str(), io.err.str(), io.status, io.unsupported};
  }

  // Real bash + GNU tools, stdin holding `input`.
  Result Real(const std::string& command, const std::string& cwd_rel, const std::string& input) {
    const std::string cd = cwd_rel.empty() ? "." : cwd_rel;
    const auto real = Bash("cd " + ShellQuote(cd) + " && " + command, ".", input);
    return {real.out, real.err, real.status, ""};
  }

  void Agree(const std::string& command, const std::string& cwd_rel = "", bool sorted = false,
             const std::string& input = "") {
    CAPTURE(command);
    CAPTURE(input);
    Result ours = Direct(command, cwd_rel, input);
    REQUIRE_MESSAGE(ours.unsupported.empty(), ours.unsupported);
    Result real = Real(command, cwd_rel, input);
    if (sorted) {
      CHECK(SortedLines(ours.out) == SortedLines(real.out));
      CHECK(SortedLines(ours.err) == SortedLines(real.err));
    } else {
      CHECK(ours.out == real.out);
      CHECK(ours.err == real.err);
    }
    CHECK(ours.status == real.status);
    ++cases;
  }

  std::vector<std::string> environment;
  std::string owner = "root";
  std::string group_name = "root";
  int cases = 0;
};

struct Case {
  const char* command;
  bool sorted;
  const char* cwd;
};

}  // namespace

TEST_CASE("find -exec and -execdir agree with GNU find 4.9") {
  Fixture f;
  const Case cases[] = {
      {"find . -name '*.md' -exec grep -l foo {} \\;", true, ""},
      {"find . -name '*.md' -exec grep -l foo {} +", true, ""},
      {"find . -type f -exec wc -l {} +", true, ""},
      {"find . -type f -exec wc -c {} \\;", true, ""},
      {"find notes -name '*.md' -exec echo found {} \\;", true, ""},
      {"find . -exec echo x{}y \\;", true, ""},
      {"find . -name '*.md' -exec grep -q foo {} \\; -print", true, ""},
      {"find . -name '*.md' ! -exec grep -q foo {} \\; -print", true, ""},
      {"find . -type f -exec cat {} +", true, ""},
      {"find one -exec cat {} \\;", false, ""},
      {"find . -exec echo x{} +", false, ""},
      {"find . -exec echo {} {} +", false, ""},
      {"find . -execdir echo a{}b +", false, ""},
      {"find . -execdir echo {} {} +", false, ""},
      {"find . -exec", false, ""},
      {"find . -exec echo", false, ""},
      {"find . -exec \\;", false, ""},
      {"find . -execdir", false, ""},
      {"find . -name only.md -exec nosuchcmd {} \\;", false, ""},
      {"find . -name '*.md' -exec nosuchcmd {} +", false, ""},
      {"find . -type f -exec false {} +", false, ""},
      {"find . -type f -exec false {} \\;", false, ""},
      {"find one -exec true \\; -print", false, ""},
      {"find . -name '*.md' -exec ls -d {} +", true, ""},
      {"find notes -execdir pwd \\;", true, ""},
      {"find notes -execdir echo {} \\;", true, ""},
      {"find notes/ -execdir echo {} \\;", true, ""},
      {"find one -execdir echo {} +", false, ""},
      {"find chain -execdir echo {} +", false, ""},
      {"find chain -execdir pwd \\;", false, ""},
      {"find . -name '*.md' -execdir ls -d {} +", true, ""},
      {"find . -type d -execdir ls -d {} +", true, ""},
      {"find chain/a -execdir echo {} \\;", false, ""},
      {"find . -maxdepth 1 -execdir echo {} \\;", true, ""},
      {"find one -execdir echo {} + -quit", false, ""},
      {"find chain -depth -execdir echo {} +", false, ""},
      {"find chain -depth -exec echo {} \\;", false, ""},
      {"find one -exec echo {} \\; -exec echo again {} \\;", false, ""},
      {"find one -print -exec echo {} \\; -print", false, ""},
      {"find chain -exec echo {} + -print", false, ""},
      {"find chain one -exec echo {} +", false, ""},
      {"find one chain -execdir echo {} +", false, ""},
      {"find . -name nothing -exec echo {} +", false, ""},
      {"find . -name nothing -execdir echo {} +", false, ""},
      {"find . -name '*.md' -exec grep -H foo {} \\;", true, ""},
      {"find notes -name '*.md' -exec head -1 {} \\;", true, ""},
      {"find . -path './notes/*' -exec echo {} \\;", true, ""},
      {"find . -exec echo {} \\; -prune", false, ""},
      {"find notes -name deep -prune -o -name '*.md' -exec echo {} \\;", true, ""},
      {"find one -exec echo '{}' '{}' \\;", false, ""},
      {"find one -exec echo {}{} \\;", false, ""},
      {"find one -exec echo -n {} \\;", false, ""},
      {"find one -execdir echo {}x \\;", false, ""},
      {"find -execdir echo {} \\;", true, ""},
      {"find . -name '*.md' -exec false \\; -o -print", true, ""},
      {"find . -maxdepth 0 -execdir pwd \\;", false, "notes"},
      {"find .. -maxdepth 1 -name one -execdir pwd \\; -execdir echo {} \\;", false, "notes"},
      {"find ../one -execdir echo {} \\;", false, "notes"},
      {"find deep -exec cat {} + -exec echo done \\;", true, "notes"},
      {"find one -exec echo {} + -exec echo {} \\;", false, ""},
      {"find chain -name c.md -exec echo {} \\; -quit", false, ""},
      {"find chain -mindepth 2 -execdir echo {} +", false, ""},
      {"find chain -maxdepth 1 -execdir echo {} +", false, ""},
      {"find one missing -exec echo {} +", false, ""},
      {"find . -name 'with*' -exec cat {} \\;", false, ""},
      {"find . -name 'with*' -execdir cat {} \\;", false, ""},
      {"find logs -type f -exec grep -c a {} \\;", false, ""},
      {"find one -exec grep nomatch {} +", false, ""},
      {"find one -exec echo {} \\; , -print", false, ""},
  };
  for (const Case& c : cases) {
    if (std::string(c.command).find(" , ") != std::string::npos) continue;  // ',' not served
    f.Agree(c.command, c.cwd, c.sorted);
  }
  MESSAGE("find -exec cases: " << f.cases);
}

TEST_CASE("find -printf agrees with GNU find 4.9") {
  Fixture f;
  const Case cases[] = {
      {"find . -printf '%p\\n'", true, ""},
      {"find . -printf '%f|%h|%P|%H|%d\\n'", true, ""},
      {"find notes/ -printf '%f|%h|%P|%H|%d\\n'", true, ""},
      {"find notes// -maxdepth 1 -printf '%f|%h|%P|%H|%d\\n'", true, ""},
      {"find ../notes -printf '%f|%h|%P|%H|%d\\n'", true, "one"},
      {"find . -type f -printf '%s %k %b %m %M %y %Y %n\\n'", true, ""},
      {"find . -type d -printf '%s %k %m %M %n %y %p\\n'", true, ""},
      {"find . -printf '%-20p|%5d|%05d|%.3f|%+d|%#m|%-6m|\\n'", true, ""},
      {"find . -type f -printf '%T@ %t\\n'", true, ""},
      {"find . -type f -printf '%TY-%Tm-%Td %TH:%TM:%TS %T+ %TT %Tk\\n'", true, ""},
      {"find . -type f -printf '%Ta %Tb %Te %Tj %Tp %Tr %TD %Tc %TX %Tx %Ts\\n'", true, ""},
      {"find . -type d -printf '%T@ %TT %p\\n'", true, ""},
      {"find . -printf 'a\\tb\\\\n\\0x\\101\\n'", true, ""},
      {"find one -printf 'x\\cy\\n'", false, ""},
      {"find one -printf '%Q\\n'", false, ""},
      {"find one -printf '%-5Q|%p\\n'", false, ""},
      {"find one -printf '%{'", false, ""},
      {"find one -printf '%['", false, ""},
      {"find one -printf 'a%'", false, ""},
      {"find one -printf '\\q%p\\n'", false, ""},
      {"find one -printf '%p %T'", false, ""},
      {"find one -printf '%%|%5s|%-5s|%.1p|\\n'", false, ""},
      {"find . -maxdepth 0 -printf '%u %g\\n'", false, ""},
      {"find . -name '*.md' -printf '%p ' -exec echo {} \\;", true, ""},
      {"find one -printf", false, ""},
      {"find . -type f -printf '%S %l|\\n'", true, ""},
      {"find one -printf '%p\\n' -printf '%f\\n'", false, ""},
      {"find one -name '*.md' -printf '%p\\n' -o -printf 'dir %p\\n'", false, ""},
      {"find . -printf '\\a\\b\\f\\r\\v\\\\\\n'", true, ""},
      {"find one -printf '\\0101\\08\\n'", false, ""},
      {"find one -printf '%d%d%d\\n' -quit", false, ""},
      {"find one -printf '%10T@|%-12TY|\\n'", false, ""},
      {"find one -printf '%y%Y%%%p\\n'", false, ""},
  };
  for (const Case& c : cases) f.Agree(c.command, c.cwd, c.sorted);
  MESSAGE("find -printf cases: " << f.cases);
}

TEST_CASE("xargs agrees with GNU xargs 4.9") {
  Fixture f;
  struct XCase {
    const char* input;
    const char* command;
    const char* cwd;
  };
  std::string big;
  for (int i = 1; i <= 30000; ++i) big += std::to_string(i) + "\n";
  const std::string nul_input("a\0b c\0", 6);
  const std::string nul_in_line("a\0b c\n", 6);
  const XCase cases[] = {
      {"a b c\n", "xargs", ""},
      {"a b c\n", "xargs echo", ""},
      {"a\nb\nc\n", "xargs -n 1 echo", ""},
      {"a b c d e\n", "xargs -n 2", ""},
      {"a b\nc d\ne\n", "xargs -L 1", ""},
      {"a b \nc d\ne\n", "xargs -L 1 echo", ""},
      {"a b\nc\n", "xargs -L 2 echo", ""},
      {"", "xargs echo", ""},
      {"", "xargs -r echo", ""},
      {"  \n\n", "xargs echo hi", ""},
      {"a\nb\n", "xargs -I{} echo x{}y", ""},
      {"a b\n  c d  \n", "xargs -I % echo [%] %%", ""},
      {"a,b,,c", "xargs -d , echo", ""},
      {"a\nb\n\nc\n", "xargs -d '\\n' echo", ""},
      {"a\tb c\t", "xargs -d '\\t' -n 1 echo", ""},
      {"a,b", "xargs -d '\\x2c' echo", ""},
      {"a,b", "xargs -d '\\054' echo", ""},
      {"a\n", "xargs -d ab echo", ""},
      {"a\n", "xargs -d '\\q' echo", ""},
      {"a\n", "xargs -d '\\x100' echo", ""},
      {"a\n", "xargs -d '\\777' echo", ""},
      {"a\n", "xargs -d '\\x4g' echo", ""},
      {"it's\n", "xargs echo", ""},
      {"a \"b\nc\"\n", "xargs echo", ""},
      {"a b c 'd\n", "xargs -n1 echo", ""},
      {"'a b' \"c d\" e\\ f\n", "xargs -n1 echo", ""},
      {"a\\\nb\n", "xargs echo", ""},
      {"'' x\n", "xargs -n1 echo", ""},
      {"notes/a.md notes/b.md\n", "xargs cat", ""},
      {"notes/a.md\nnotes/b.md\n", "xargs -n1 grep -l foo", ""},
      {"notes/a.md\nmissing.md\n", "xargs cat", ""},
      {"x\ny\n", "xargs -n1 nosuchcmd", ""},
      {"a b\n", "xargs -t echo", ""},
      {"a b\n", "xargs -t", ""},
      {"a b\nc\n", "xargs -t -n1 echo", ""},
      {"a b\n", "xargs -t -I{} echo {} 'x y'", ""},
      {"a\n", "xargs -n 0", ""},
      {"a\n", "xargs -n x", ""},
      {"a\n", "xargs -L 0", ""},
      {"a\n", "xargs -I{} -n 2 echo {}", ""},
      {"a\n", "xargs -n2 -L 3 echo", ""},
      {"a\n", "xargs -L2 -I{} echo {}", ""},
      {"a\n", "xargs -L2 -n 3 echo", ""},
      {"a\n", "xargs -I{} -L 1 echo {}", ""},
      {"a\n", "xargs -n 1 -I{} echo {}", ""},
      {"a b c\n", "xargs -I{} -n 1 echo {}", ""},
      {"a b stop c\nd\n", "xargs -E stop echo", ""},
      {"stop a\n", "xargs -E stop echo", ""},
      {"a b\nstop\nc\n", "xargs -E stop -n 1 echo", ""},
      {"a x b\n", "xargs -e x echo", ""},
      {"1 2 3 4 5 6 7\n", "xargs -n 3 echo", ""},
      {"a b\n", "xargs --max-args=1 echo", ""},
      {"a b\n", "xargs --max-args 1 echo", ""},
      {"a b\n", "xargs --no-run-if-empty --verbose echo", ""},
      {"a b\n", "xargs --no-run --verb echo", ""},
      {"a\nb\n", "xargs --replace echo {}-x", ""},
      {"a\nb\n", "xargs --replace=@ echo @-x", ""},
      {"a\nb\n", "xargs -i echo {}-x", ""},
      {"a\nb\n", "xargs -i@ echo @-x", ""},
      {"a\nb\nc\n", "xargs -l echo", ""},
      {"a\nb\nc\n", "xargs -l2 echo", ""},
      {"a b\nc\n", "xargs --max-lines echo", ""},
      {"x y\n", "xargs -- echo", ""},
      {"a b\n", "xargs -0 echo", ""},
      {"-n\nfoo\n", "xargs echo", ""},
      {"a\r\nb\n", "xargs echo", ""},
      {"  a  \n", "xargs -I{} echo [{}]", ""},
      {"a\n\nb\n", "xargs -I{} echo [{}]", ""},
      {"a\nb\n", "xargs -d '\\n' -n1 echo", ""},
      {"", "xargs -I{} echo {}", ""},
      {"x", "xargs echo", ""},
      {"a b", "xargs -L1 echo", ""},
      {"'a", "xargs echo", ""},
      {"a '", "xargs echo", ""},
      {"a\nb 'c\n", "xargs -L1 echo", ""},
      {"one/only.md\n", "xargs -I{} cat {}", ""},
      {"a.md b.md\n", "xargs wc -l", "notes"},
      {"foo\nzzz\n", "xargs -I{} grep -c {} MEMORY.md", ""},
      {"x\n", "xargs false", ""},
      {"a\nb\n", "xargs -P 1 echo", ""},
      {"a\nb\n", "xargs -rt0 echo", ""},
      {"a b c d\n", "xargs -tn2 echo", ""},
      {"a\n", "xargs -I", ""},
      {"notes\n", "xargs ls", ""},
      {"a.md\nb.md\n", "xargs -n1 -t ls", "notes"},
      {"a b c\n", "xargs -x -n 1 echo", ""},
  };
  for (const XCase& c : cases) {
    std::string command = c.command;
    if (command == "xargs -I" || command == "xargs -x -n 1 echo") continue;  // refused
    f.Agree(command, c.cwd, false, c.input);
  }
  f.Agree("xargs -0 echo", "", false, nul_input);
  f.Agree("xargs -0 -n1 echo", "", false, nul_input);
  f.Agree("xargs echo", "", false, nul_in_line);
  f.Agree("xargs -0 -E x echo", "", false, nul_input);
  f.Agree("xargs echo", "", false, big);
  f.Agree("xargs -n 7000 echo", "", false, big);
  f.Agree("xargs -L 3000 echo", "", false, big);
  f.Agree("xargs -0 -I{} echo [{}]", "", false, nul_input);
  MESSAGE("xargs cases: " << f.cases);
}

TEST_CASE("xargs and find -exec ... + pack 128 KiB of arguments per command, as GNU does") {
  Fixture f(/*many=*/true);
  std::string names;
  for (int i = 0; i < 12000; ++i) names += "notes/a.md\n";
  f.Agree("xargs wc -l", "", false, names);
  f.Agree("find many -type f -exec grep -c line {} +", "", true);
  f.Agree("find many -type f -execdir grep -H -c line {} +", "", true);
  // All names have the same length: the batches hold the same number of
  // files whatever the walk order, and `wc -l` prints one total for each
  // (its other lines are padded to the batch's widest count).
  auto totals = [](const std::string& out) {
    std::string lines;
    size_t begin = 0;
    for (size_t end; (end = out.find('\n', begin)) != std::string::npos; begin = end + 1) {
      std::string line = out.substr(begin, end - begin);
      if (line.size() > 6 && line.compare(line.size() - 6, 6, " total") == 0) lines += line + "\n";
    }
    return SortedLines(lines);
  };
  for (const char* command :
       {"find many -type f -exec wc -l {} +", "find many -type f -execdir wc -l {} +",
        "find . -path './many/*' -exec wc -l {} +"}) {
    CAPTURE(command);
    Result ours = f.Direct(command, "", "");
    Result real = f.Real(command, "", "");
    CHECK(ours.unsupported.empty());
    CHECK(totals(ours.out) == totals(real.out));
    CHECK(ours.status == real.status);
    CHECK(std::count(ours.out.begin(), ours.out.end(), '\n') == 3002);
  }
}

TEST_CASE("xargs stops once the next stage of the pipeline has read enough") {
  Fixture f;
  UtilOptions options;
  options.mount = f.tree.string();
  options.cwd = f.tree.string();
  CommandEnv env{*f.store, options, options.cwd, nullptr, nullptr};
  int runs = 0;
  env.run_command = [&](const std::vector<std::string>& argv, CommandIo& io) {
    ++runs;
    memhook::utils::FindCommand(argv[0])->fn(argv, env, io);
    return io.status;
  };
  CommandIo io;
  io.stdin_data = "1\n2\n3\n4\n5\n";
  io.need.lines = 2;
  memhook::utils::CmdXargs({"xargs", "-n1", "echo"}, env, io);
  CHECK(io.out.str() == "1\n2\n");
  CHECK(runs == 2);
}

TEST_CASE("what xargs and find cannot answer exactly is refused") {
  Fixture f;
  const char* refused[] = {
      "find . -ok echo {} \\;", "find . -okdir echo {} \\;", "find . -fls x",
      "find . -printf %i",      "find . -printf %U",         "find . -printf %G",
      "find . -printf %D",      "find . -printf %F",         "xargs -P 2 echo",
      "xargs -P 0 echo",        "xargs -s 100 echo",         "xargs -x echo",
      "xargs -p echo",          "xargs -a list.txt echo",    "xargs --show-limits",
      "xargs --help",           "xargs --version",           "xargs -k",
  };
  for (const char* command : refused) {
    CAPTURE(command);
    Result r = f.Direct(command, "", "a\n");
    CHECK(!r.unsupported.empty());
  }
  // Without a shell there is nothing to run commands with.
  UtilOptions options;
  options.mount = f.tree.string();
  options.cwd = f.tree.string();
  CommandEnv env{*f.store, options, options.cwd, nullptr, nullptr};
  CommandIo io;
  memhook::utils::CmdXargs({"xargs", "echo"}, env, io);
  CHECK(io.unsupported == "xargs without a shell");
  CommandIo io2;
  memhook::utils::CmdFind({"find", ".", "-exec", "echo", "{}", ";"}, env, io2);
  CHECK(!io2.unsupported.empty());
  // find -exec with piped stdin: the command could read it.
  Result piped = f.Direct("find one -exec cat \\;", "", "data\n");
  CHECK(!piped.unsupported.empty());
}

// The hook's profile opens the store read-only: find's file-writing
// primaries are refused there (they are served under `memhook run`, see
// write_test.cc), and nothing is created.
TEST_CASE("find -fprint and friends are refused on a read-only store") {
  Fixture f;
  memhook::vfs::StoreOptions store_options;
  store_options.read_only = true;
  memhook::vfs::Status status;
  auto store =
      memhook::vfs::OpenSqliteStore((f.root / "db.sqlite").string(), store_options, &status);
  REQUIRE(store != nullptr);
  UtilOptions options;
  options.mount = f.tree.string();
  options.cwd = f.tree.string();
  CommandEnv env{*store, options, options.cwd, nullptr, nullptr};
  for (const char* command :
       {"find . -fprint x", "find . -fprintf x %p", "find . -fprint0 x", "find . -fls x",
        "find one -fprint MEMORY.md", "find one -name nomatch -fprint x",
        "find one -fprint /dev/stdout -fprint x"}) {
    const std::string text = command;
    CAPTURE(text);
    CommandIo io;
    memhook::utils::CmdFind(ShellWords(command), env, io);
    CHECK_FALSE(io.unsupported.empty());
    CHECK(io.out.str().empty());
  }
  memhook::vfs::Stat st;
  CHECK(store->GetStat("x", &st).code() == memhook::vfs::Status::Code::kNotFound);
  CHECK(store->GetStat("MEMORY.md", &st).ok());
  CHECK(st.size > 0);
}
