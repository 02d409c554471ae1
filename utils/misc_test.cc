// basename, dirname, seq, realpath, readlink, stat, env, printenv, date,
// sleep, yes against GNU coreutils 9.1.
//
// Differential: a real directory is imported into a SQLite store; each
// command is answered by the utility called directly (the mount pointed at
// that directory) and by real bash + the GNU tool on the directory itself,
// under LC_ALL=C.UTF-8 TZ=UTC. stdout, stderr and status must agree, and
// the utility must not report itself unsupported.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/disk_tree.h"
#include "tests/support/test_support.h"
#include "utils/utils.h"

namespace {

using memhook::testing::DiskTree;
using memhook::testing::RunBash;
using memhook::testing::ShellQuote;
using memhook::testing::ShellWords;
using memhook::utils::CommandEnv;
using memhook::utils::CommandIo;
using memhook::utils::FindCommand;
using memhook::utils::UtilOptions;

struct Result {
  std::string out;
  std::string err;
  int status = 0;
  std::string unsupported;
};

std::string CurrentUser() {
  struct passwd* pw = getpwuid(getuid());
  return pw != nullptr ? pw->pw_name : "root";
}
std::string CurrentGroup() {
  struct group* gr = getgrgid(getgid());
  return gr != nullptr ? gr->gr_name : "root";
}

constexpr int64_t kNowSec = 1700000000;  // Tue Nov 14 22:13:20 UTC 2023
constexpr int64_t kNowNs = kNowSec * 1000000000 + 123456789;

class Fixture {
 public:
  Fixture() : tree_("misc-test") {
    tree_.MakeDirs("d/sub");
    tree_.MakeDirs("other");
    tree_.Write("a.txt", "hello\n");
    tree_.Write("empty", "");
    tree_.Write("d/x.md", "# title\nbody\n");
    tree_.Write("d/sub/deep.txt", "deep\n");
    tree_.Write("sp ace.txt", "s\n");
    // Fixed times and modes, so both sides agree.
    REQUIRE(RunBash("cd " + ShellQuote(tree_.tree.string()) +
                    " && touch -d '2024-03-01 12:34:56.789' a.txt empty d/x.md 'sp ace.txt'"
                    " && touch -d '2023-01-02 03:04:05' d/sub/deep.txt"
                    " && chmod 600 empty && chmod 755 d/x.md && chmod 4755 'sp ace.txt'")
                .status == 0);
    tree_.Import();
    options_ = tree_.Options("d");
    options_.now_ns = kNowNs;
    options_.owner = CurrentUser();
    options_.group = CurrentGroup();
  }

  // The utility, called directly.
  Result Ours(const std::string& command, const std::vector<std::string>* environment = nullptr,
              CommandEnv* custom = nullptr) {
    std::vector<std::string> argv = ShellWords(command);
    const memhook::utils::CommandSpec* spec = FindCommand(argv[0]);
    REQUIRE(spec != nullptr);
    CommandEnv env{*tree_.store, options_, options_.cwd, environment, nullptr};
    CommandIo io;
    spec->fn(argv, custom != nullptr ? *custom : env, io);
    return {io.out.str(), io.err.str(), io.status, io.unsupported};
  }

  Result Bash(const std::string& command) {
    auto r = tree_.Bash(command, "d");
    return {r.out, r.err, r.status, ""};
  }

  // Ours on `command`, bash on `bash_command` (the same by default).
  void Compare(const std::string& command, const std::string& bash_command = "",
               const std::vector<std::string>* environment = nullptr) {
    CAPTURE(command);
    Result expected = Bash(bash_command.empty() ? command : bash_command);
    Result got = Ours(command, environment);
    CHECK(got.unsupported == "");
    CHECK(got.out == expected.out);
    CHECK(got.err == expected.err);
    CHECK(got.status == expected.status);
    ++compared;
  }

  void Unsupported(const std::string& command) {
    CAPTURE(command);
    CHECK(Ours(command).unsupported != "");
  }

  DiskTree& tree() { return tree_; }
  UtilOptions& options() { return options_; }
  int compared = 0;

 private:
  DiskTree tree_;
  UtilOptions options_;
};

Fixture& F() {
  static Fixture* fixture = new Fixture();
  return *fixture;
}

TEST_CASE("basename and dirname") {
  for (const char* c : {
           "basename", "basename a/b/c.txt", "basename a/b/c.txt .txt", "basename c.txt c.txt",
           "basename /", "basename //", "basename ''", "basename a/b/", "basename a b c",
           "basename -a a/b c/d", "basename -s .md x/y.md z.md w", "basename --suffix=.md a.md",
           "basename -z a/b", "basename -az a/b c", "basename a -s x", "basename -- -x",
           "basename '/usr/lib/'", "basename .txt .txt", "basename a.txt.txt .txt",
           "basename -s '' a", "dirname", "dirname a/b/c", "dirname a/b/", "dirname /",
           "dirname //", "dirname ''", "dirname a", "dirname //a", "dirname /a/b//c//",
           "dirname a b/c /x/y", "dirname -z a/b c", "dirname -- -a/b", "dirname a//b",
       }) {
    F().Compare(c);
  }
}

TEST_CASE("seq") {
  for (const char* c : {
           "seq",           "seq 3",          "seq 0",          "seq 2 5",
           "seq 5 2",       "seq 1 2 9",      "seq 10 -3 1",    "seq 1 0.5 3",
           "seq -w 8 10",   "seq -w 1 100 | tail -3 | head -1", "seq -w -5 5",
           "seq -w 0.5 0.25 1.5", "seq 0.1 0.1 0.5", "seq -s, 5", "seq -s ' : ' 3",
           "seq -s '' 4",   "seq -f %.2f 1 3", "seq -f '%05.1f' 2", "seq -f 'x%gy' 2",
           "seq -f '%e' 1 2", "seq -f '%%%g%%' 2", "seq -f %d 3",  "seq -f '%g %g' 3",
           "seq -f 'a%' 3", "seq -f abc 3",    "seq -w -f %g 3", "seq abc",
           "seq 1 0 3",      "seq nan",        "seq 1 2 3 4",    "seq -1 1",
           "seq -3 -1",      "seq 1 -1 -2",    "seq -.5 .5 1",   "seq 1e2 1e2 3e2",
           "seq 0x10 0x12",  "seq 1.0 3",      "seq 1. 3",       "seq -x",
           "seq --foo 1",    "seq --sep=: 3",  "seq 0 0.000001 0.000003", "seq 1 1e0 3",
           "seq -w 9 11 | head -2",  "seq 2 -0.5 0", "seq -0 2", "seq 5 -1 5",
       }) {
    std::string command = c;
    size_t pipe = command.find(" |");
    if (pipe != std::string::npos) {
      // Compare the whole sequence; the pipe is only for bash's readability.
      F().Compare(command.substr(0, pipe));
    } else {
      F().Compare(command);
    }
  }
}

TEST_CASE("seq stops when its reader has enough") {
  CommandEnv env{*F().tree().store, F().options(), F().options().cwd, nullptr, nullptr};
  CommandIo io;
  io.need.lines = 3;
  memhook::utils::CmdSeq({"seq", "1000000000"}, env, io);
  CHECK(io.unsupported == "");
  CHECK(io.out.str().substr(0, 6) == "1\n2\n3\n");
}

TEST_CASE("realpath and readlink") {
  for (const char* c : {
           "realpath",
           "realpath x.md",
           "realpath .",
           "realpath ..",
           "realpath sub sub/deep.txt ../a.txt",
           "realpath nosuch",
           "realpath nosuch/x",
           "realpath nosuch/",
           "realpath x.md/",
           "realpath x.md/y",
           "realpath x.md/..",
           "realpath ''",
           "realpath -e nosuch",
           "realpath -e x.md sub/",
           "realpath -m nosuch/x/../y",
           "realpath -m a/../../b",
           "realpath -q nosuch/x x.md",
           "realpath -z x.md sub",
           "realpath -s ./sub/../x.md",
           "realpath '../sp ace.txt'",
           "realpath nosuch/../x.md",
           "realpath -e ../other",
           "realpath ./././sub//deep.txt",
           "readlink",
           "readlink x.md",
           "readlink -v x.md",
           "readlink -v nosuch",
           "readlink -f x.md",
           "readlink -f nosuch/x",
           "readlink -fv nosuch/x",
           "readlink -e nosuch",
           "readlink -ev nosuch",
           "readlink -m nosuch/x",
           "readlink -f .",
           "readlink -n -f x.md",
           "readlink -n -f x.md sub",
           "readlink -fz x.md sub",
           "readlink -f ../d/./sub/..",
       }) {
    F().Compare(c);
  }
  F().Unsupported("realpath /etc");
  F().Unsupported("readlink -f /etc/passwd");
  F().Unsupported("realpath --relative-to=. sub");
}

TEST_CASE("stat with a format") {
  for (const char* c : {
           "stat",
           "stat nosuch",
           "stat -c '%n|%N|%s|%F|%a|%A|%h|%f|%B|%r|%R|%t|%T|%%|%' ../a.txt ../empty x.md",
           "stat -c '%n %F %a %A %f %h' sub",
           "stat -c '%U %G %u %g' x.md",
           "stat -c '%y|%Y' ../a.txt",
           "stat -c '%.3Y %.9Y %.0Y' ../a.txt",
           "stat -c %y sub/deep.txt",
           "stat --printf='%n\\t%s\\n' x.md ../a.txt",
           "stat --printf='%n\\q\\x41\\101\\e|\\n' x.md",
           "stat -c '%-6s|%6n|%.2n|%05s|%#a|%-8A|' x.md",
           "stat -c '%N' '../sp ace.txt'",
           "stat -c '%A %a' '../sp ace.txt' ../empty",
           "stat -c %n nosuch x.md",
           "stat -c %s sub/",
           "stat -c %s x.md/",
           "stat --format=%s x.md",
           "stat -c '%Q %H' x.md",
           "stat -L -c %n x.md",
       }) {
    F().Compare(c);
  }
  F().Unsupported("stat x.md");
  // No access or change times in the store: they are the modification time.
  CHECK(F().Ours("stat -c '%x|%X|%z|%Z' ../a.txt").out ==
        F().Ours("stat -c '%y|%Y|%y|%Y' ../a.txt").out);
  F().Unsupported("stat -c %i x.md");
  F().Unsupported("stat -c %d x.md");
  F().Unsupported("stat -c %b x.md");
  F().Unsupported("stat -c %n /etc/passwd");
}

TEST_CASE("env and printenv") {
  const std::vector<std::string> environment = {"A=1", "B=two words", "C=", "TZ=UTC",
                                                "LC_ALL=C.UTF-8"};
  // Bash runs the command under exactly this environment.
  const std::string prefix = "env -i A=1 'B=two words' C= TZ=UTC LC_ALL=C.UTF-8 ";
  for (const char* c : {
           "env", "env -0", "env -u B", "env -u B -u A", "env --unset=C", "env A=9", "env D=4",
           "env -i", "env -i X=1 Y=2", "env - X=1", "env -i A=1 A=2", "env -u a=b", "env -0 true",
           "env -u NOPE", "env -- A=5", "printenv", "printenv A", "printenv B A", "printenv NOPE",
           "printenv A NOPE C", "printenv -0 A B", "printenv C", "printenv A=1",
       }) {
    F().Compare(c, prefix + c, &environment);
  }
  // A command run through the shell's runner.
  CommandEnv env{*F().tree().store, F().options(), F().options().cwd, &environment, nullptr};
  env.run_command = [](const std::vector<std::string>& argv, CommandIo& io) {
    std::string line;
    for (size_t i = 1; i < argv.size(); ++i) line += (i > 1 ? " " : "") + argv[i];
    io.out += line + "\n";
    return 3;
  };
  Result r = F().Ours("env echo hi there", &environment, &env);
  CHECK(r.out == "hi there\n");
  CHECK(r.status == 3);
  CHECK(F().Ours("env A=1 echo x", &environment, &env).unsupported != "");
  CHECK(F().Ours("env echo x", &environment).unsupported != "");  // no runner
}

TEST_CASE("date") {
  // now = @1700000000.123456789
  const std::string at_now = "date -d @1700000000.123456789 ";
  struct Case {
    const char* ours;
    const char* bash;  // "" = same arguments after at_now
  };
  for (const Case& c : std::vector<Case>{
           {"date", ""},
           {"date -u", ""},
           {"date +%s.%N", ""},
           {"date '+%Y-%m-%d %H:%M:%S %Z %z'", ""},
           {"date -R", ""},
           {"date -I", ""},
           {"date -Ih", ""},
           {"date -Iminutes", ""},
           {"date -Iseconds", ""},
           {"date -Ins", ""},
           {"date --iso-8601=sec", ""},
           {"date --rfc-3339=seconds", ""},
           {"date --rfc-3339=ns", ""},
           {"date --rfc-3339=date", ""},
           {"date '+%-d|%_H|%5d|%e|%-e|%^a|%#a|%#p|%#Z|%P|%:z|%::z|%:::z|%3N|%q|%10a|%010a|%-5d'",
            ""},
           {"date '+%_5d|%s|%Q|%k|%l|%C|%G|%g|%V|%U|%W|%u|%w|%j|%-j|%y|%D|%F|%T|%R|%r|%c|%x|%X'", ""},
           {"date '+%A %B %b %h %p %I %M %S %n%t%%'", ""},
           {"date '+%-H:%-M %^B %12B %-m/%-d'", ""},
           {"date -u +%Z", ""},
           {"date +%Y +%m", ""},
           {"date -R +%Y", ""},
           {"date -d @0", "date -d @0"},
           {"date -d @86399 +%T", "date -d @86399 +%T"},
           {"date -d @-1 '+%F %T'", "date -d @-1 '+%F %T'"},
           {"date -d @1.5 +%s.%N", "date -d @1.5 +%s.%N"},
           {"date -d 2024-02-29", "date -d 2024-02-29"},
           {"date -d '2024-02-29 13:45'", "date -d '2024-02-29 13:45'"},
           {"date -d '2024-02-29 13:45:07' +%s", "date -d '2024-02-29 13:45:07' +%s"},
           {"date -d 2024-01-01T10:20:30 +%T", "date -d 2024-01-01T10:20:30 +%T"},
           {"date -d 2024-02-30", "date -d 2024-02-30"},
           {"date -d 2024-13-01", "date -d 2024-13-01"},
           {"date -d '2024-01-31 1 month' +%F", "date -d '2024-01-31 1 month' +%F"},
           {"date -d '2024-03-01 -1 day' +%F", "date -d '2024-03-01 -1 day' +%F"},
           {"date --date=2000-01-01 +%A", "date --date=2000-01-01 +%A"},
           {"date -d now +%s", "date -d @1700000000 +%s"},
           {"date -d today '+%F %T'", "date -d @1700000000 '+%F %T'"},
           {"date -d yesterday '+%F %T'", "date -d '2023-11-14 22:13:20 yesterday' '+%F %T'"},
           {"date -d tomorrow '+%F %T'", "date -d '2023-11-14 22:13:20 tomorrow' '+%F %T'"},
           {"date -d '2 days ago' '+%F %T'", "date -d '2023-11-14 22:13:20 2 days ago' '+%F %T'"},
           {"date -d '3 hours ago' '+%F %T'", "date -d '2023-11-14 22:13:20 3 hours ago' '+%F %T'"},
           {"date -d '+5 days' '+%F %T'", "date -d '+5 days 2023-11-14 22:13:20' '+%F %T'"},
           {"date -d '1 week ago' +%F", "date -d '2023-11-14 22:13:20 1 week ago' +%F"},
           {"date -d '90 minutes' +%T", "date -d '2023-11-14 22:13:20 90 minutes' +%T"},
           {"date -d '1 day 2 hours ago' '+%F %T'",
            "date -d '2023-11-14 22:13:20 1 day 2 hours ago' '+%F %T'"},
           {"date -d '-1 year' +%F", "date -d '-1 year 2023-11-14 22:13:20' +%F"},
           {"date -d '' '+%F %T'", "date -d '2023-11-14' '+%F %T'"},
           {"date -d 12:30 '+%F %T'", "date -d '2023-11-14 12:30' '+%F %T'"},
           {"date -r x.md '+%F %T.%N'", "date -r x.md '+%F %T.%N'"},
           {"date -r nosuch", "date -r nosuch"},
           {"date -ud @0", "date -ud @0"},
       }) {
    std::string bash = *c.bash != '\0' ? std::string(c.bash)
                                       : at_now + std::string(c.ours).substr(std::string("date").size());
    F().Compare(c.ours, bash);
  }
  F().Unsupported("date -d 'next thursday'");
  F().Unsupported("date 0101");
  F().Unsupported("date -s 2024-01-01");
  // Another time zone than the process's.
  const std::vector<std::string> paris = {"TZ=Europe/Paris"};
  CHECK(F().Ours("date", &paris).unsupported != "");
  const std::vector<std::string> utc = {"TZ=UTC"};
  CHECK(F().Ours("date", &utc).out == "Tue Nov 14 22:13:20 UTC 2023\n");
}

TEST_CASE("sleep") {
  for (const char* c : {"sleep", "sleep abc", "sleep -1", "sleep 1x", "sleep 0", "sleep 0.01",
                        "sleep 0.001s 0.001", "sleep -- 0", "sleep 1 abc 2y", "sleep --foo",
                        "sleep -- -1", "sleep 0m", "sleep ''"}) {
    F().Compare(c);
  }
  const auto start = std::chrono::steady_clock::now();
  CHECK(F().Ours("sleep 0.2").unsupported == "");
  CHECK(std::chrono::steady_clock::now() - start >= std::chrono::milliseconds(190));
  F().Unsupported("sleep 11");
  F().Unsupported("sleep 1m");
  F().Unsupported("sleep inf");
}

TEST_CASE("yes") {
  for (const char* c : {"yes -x", "yes --foo"}) F().Compare(c);
  CommandEnv env{*F().tree().store, F().options(), F().options().cwd, nullptr, nullptr};
  struct Case {
    std::vector<std::string> argv;
    const char* bash;
  };
  for (const Case& c : std::vector<Case>{
           {{"yes"}, "yes | head -n 3"},
           {{"yes", "a", "b"}, "yes a b | head -n 5"},
           {{"yes", "--", "-n"}, "yes -- -n | head -n 2"},
           {{"yes", "x", "--", "y"}, "yes x -- y | head -n 2"},
           {{"yes", "-"}, "yes - | head -n 2"},
           {{"yes", ""}, "yes '' | head -n 4"},
       }) {
    CAPTURE(c.bash);
    CommandIo io;
    std::string expected = F().Bash(c.bash).out;
    io.need.lines = static_cast<uint64_t>(std::count(expected.begin(), expected.end(), '\n'));
    memhook::utils::CmdYes(c.argv, env, io);
    CHECK(io.unsupported == "");
    std::string out = io.out.str();
    // What `head` keeps of it.
    size_t pos = 0;
    for (uint64_t n = 0; n < io.need.lines; ++n) pos = out.find('\n', pos) + 1;
    CHECK(out.substr(0, pos) == expected);
    ++F().compared;
  }
  CommandIo bytes;
  bytes.need.bytes = 7;
  memhook::utils::CmdYes({"yes"}, env, bytes);
  CHECK(bytes.out.size() >= 7);
  CHECK(bytes.out.str().substr(0, 7) == "y\ny\ny\ny");
  CommandIo unbounded;
  memhook::utils::CmdYes({"yes"}, env, unbounded);
  CHECK(unbounded.unsupported == "yes without a reader that stops it");
}

TEST_CASE("count") {
  MESSAGE("differential cases compared: " << F().compared);
  CHECK(F().compared >= 100);
}

}  // namespace
