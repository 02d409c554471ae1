// awk against Debian 12's mawk 1.3.4 20200120 (/usr/bin/awk is mawk).
//
// Differential: a real directory is imported into a SQLite store; each
// command line is answered by the utility called directly on the store and
// by real bash + mawk on the directory itself. stdout, stderr and status
// must agree and the utility must not report itself unsupported. Commands
// run by awk (system(), pipes) go to the real shell in both cases. Programs
// that write files (print > FILE) run on a fresh tree each, and the store
// (exported) must then hold what mawk left on the disk. Programs memhook
// refuses are listed and checked to be refused, never answered.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/disk_tree.h"
#include "tests/support/test_support.h"
#include "utils/utils.h"
#include "vfs/vfs.h"

namespace {

namespace fs = std::filesystem;
using memhook::testing::DiskTree;
using memhook::testing::ShellQuote;
using memhook::testing::ShellWords;
using memhook::utils::CommandEnv;
using memhook::utils::CommandIo;
using memhook::utils::UtilOptions;

struct Result {
  std::string out, err;
  int status = 0;
  std::string unsupported;
};

// `sh -c SCRIPT` in `dir` for the commands awk runs: Debian's /bin/sh, as
// mawk runs them.
int RunSh(const std::string& dir, const std::string& script, CommandIo& io) {
  memhook::testing::ExecSpec spec;
  spec.program = "/bin/sh";
  spec.argv = {"/bin/sh", "-c", script};
  spec.cwd = dir;
  spec.stdin_data = std::string(io.stdin_data);
  auto r = memhook::testing::RunProcess(spec);
  io.out += r.out;
  io.err += r.err;
  return r.status;
}

std::string Jsonl() {
  std::string s;
  const char* roles[] = {"user", "assistant", "tool"};
  for (int i = 0; i < 40; ++i) {
    s += "{\"type\":\"" + std::string(roles[i % 3]) + "\",\"id\":" + std::to_string(i) +
         ",\"text\":\"line " + std::to_string(i * 7 % 13) +
         " of the log\",\"tokens\":" + std::to_string(i * 37 % 101) + "}\n";
  }
  return s;
}

// The files every case can read.
void BuildTree(DiskTree& t) {
  t.MakeDirs("d/sub");
  t.MakeDirs("sessions");
  t.Write("a.txt", "alpha\nbeta\ngamma\ndelta\nepsilon\n");
  t.Write("b.txt", "one\ntwo\nthree\n");
  t.Write("nonl.txt", "first\nlast without newline");
  t.Write("empty.txt", "");
  t.Write("crlf.txt", "dos line\r\nsecond\r\n");
  t.Write("utf8.txt", "café crème\nÀ la carte\nnaïve ÉTÉ\nplain\n");
  t.Write("num.txt", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
  t.Write("words.txt", "foo bar baz\nhello world\nfoo foo foo\nthe end\n");
  t.Write("md.md", "# Title\n\nSome *text* here.\n\n## Section\n- item one\n- item two\n");
  t.Write("tabs.txt", "a\tb\tc\n1\t2\t3\n\tlead\ttab\n");
  t.Write("nul.txt", std::string("a\0b\nc\0d\n", 8));
  t.Write("data.csv",
          "name,age,city\nalice,30,paris\nbob,25,london\ncarol,35,paris\ndave,,berlin\n"
          "eve,28,london\n");
  t.Write("scores.txt",
          "alice 90 85\nbob 70 95\ncarol 88 92\nalice 60 70\nbob 100 40\ndave 55 65\n");
  t.Write("mixed.txt", "10 apples\n9 pears\n10.0 plums\n0x1A hex\n1e3 sci\n -5  neg\n.5 half\n");
  t.Write("para.txt", "\n\nfirst para\nline two\n\n\nsecond para\n\nthird\n\n");
  t.Write("sessions/s1.jsonl", Jsonl());
  t.Write(
      "sessions/s2.jsonl",
      "{\"type\":\"user\",\"text\":\"hello\"}\n{\"type\":\"assistant\",\"text\":\"hi there\"}\n");
  t.Write("prog.awk",
          "BEGIN { FS = \",\" }\nNR > 1 { n[$3]++ }\nEND { for (c in n) print c, n[c] }\n");
  t.Write("bad.awk", "BEGIN { print \"x\" \n");
  t.Write("lib.awk", "function twice(x) { return 2 * x }\n");
  t.Write("main.awk", "{ print twice($1) }\n");
  t.Write("d/x.md", "inner\n");
}

class Fixture {
 public:
  explicit Fixture(const char* locale) : tree_("awk-test", locale) {
    BuildTree(tree_);
    memhook::vfs::StoreOptions store_options;
    store_options.virtual_index = false;
    tree_.Import(store_options);
    options_ = tree_.Options("");
    options_.cwd = tree_.tree.string();
  }

  int RunScript(const std::string& script, CommandIo& io) {
    return RunSh(tree_.tree.string(), script, io);
  }

  Result Ours(const std::string& command, const std::string& input,
              const std::vector<std::string>* environment = nullptr) {
    std::vector<std::string> argv = ShellWords(command);
    std::vector<std::string> process_env =
        memhook::testing::EnvironWith({"HOME=" + tree_.root.string()});
    if (environment == nullptr) environment = &process_env;
    CommandEnv env{*tree_.store, options_, options_.cwd, environment, nullptr};
    env.run_script = [this](const std::string& script, CommandIo& io) {
      return RunScript(script, io);
    };
    CommandIo io;
    io.stdin_data = input;
    memhook::utils::CmdAwk(argv, env, io);
    return {io.out.str(), io.err.str(), io.status, io.unsupported};
  }

  // stdout and stderr merged in the order the writes happened (2>&1).
  std::string OursMerged(const std::string& command, const std::string& input) {
    std::vector<std::string> argv = ShellWords(command);
    std::vector<std::string> process_env =
        memhook::testing::EnvironWith({"HOME=" + tree_.root.string()});
    CommandEnv env{*tree_.store, options_, options_.cwd, &process_env, nullptr};
    env.run_script = [this](const std::string& script, CommandIo& io) {
      return RunScript(script, io);
    };
    CommandIo io;
    io.stdin_data = input;
    memhook::utils::CmdAwk(argv, env, io);
    REQUIRE_MESSAGE(io.unsupported.empty(), io.unsupported);
    std::string merged;
    for (const auto& chunk : io.log) merged += chunk.bytes;
    return merged;
  }

  void CompareMerged(const std::string& command, const std::string& input = "") {
    CAPTURE(command);
    Result real = Real(command + " 2>&1", input);
    CHECK(OursMerged(command, input) == real.out);
    ++compared;
  }

  Result Real(const std::string& command, const std::string& input) {
    auto r = tree_.Bash("cd " + ShellQuote(tree_.tree.string()) + " && " + command, "", input);
    return {r.out, r.err, r.status, ""};
  }

  void Compare(const std::string& command, const std::string& input = "") {
    CAPTURE(command);
    CAPTURE(input);
    Result real = Real(command, input);
    Result ours = Ours(command, input);
    REQUIRE_MESSAGE(ours.unsupported.empty(), ours.unsupported);
    CHECK(ours.out == real.out);
    CHECK(ours.err == real.err);
    CHECK(ours.status == real.status);
    ++compared;
  }

  void Refused(const std::string& command, const std::string& input = "") {
    CAPTURE(command);
    CHECK(Ours(command, input).unsupported != "");
    ++refused;
  }

  int compared = 0;
  int refused = 0;

 private:
  DiskTree tree_;
  UtilOptions options_;
};

Fixture& Utf8() {
  static Fixture* f = new Fixture("C.UTF-8");
  return *f;
}

void CompareAll(const std::vector<std::string>& commands, const std::string& input = "") {
  for (const std::string& c : commands) Utf8().Compare(c, input);
}

const char* kLines = "one two three\nfour five six\nseven eight nine\n";

TEST_CASE("awk: one-liners") {
  CompareAll({
      "awk '{print}' a.txt",
      "awk '{print $1}' words.txt",
      "awk '{print $2}' words.txt",
      "awk '{print $NF}' words.txt",
      "awk '{print $(NF-1)}' words.txt",
      "awk '{print NF}' words.txt md.md",
      "awk 'NR>1' data.csv",
      "awk 'NR==2' a.txt",
      "awk 'NR==2,NR==4' a.txt",
      "awk '/beta/,/delta/' a.txt",
      "awk '/a/' a.txt",
      "awk '!/a/' a.txt",
      "awk '/foo/{c++} END{print c+0}' words.txt",
      "awk '/nothing/{c++} END{print c+0}' words.txt",
      "awk '/nothing/{c++} END{print c}' words.txt",
      "awk 'END{print NR}' a.txt b.txt",
      "awk '{print FILENAME, FNR, NR}' a.txt b.txt",
      "awk -F, '{print $2}' data.csv",
      "awk -F , '{print $1, $3}' data.csv",
      "awk -F',' 'NR>1{s+=$2} END{print s}' data.csv",
      "awk -F, 'NR>1{s+=$2; n++} END{print s/n}' data.csv",
      "awk -F, '$3==\"paris\"' data.csv",
      "awk -F, '$2>26' data.csv",
      "awk -F, '$2>26{print $1}' data.csv",
      "awk -F'\\t' '{print $2}' tabs.txt",
      "awk -F'\\t' '{print NF}' tabs.txt",
      "awk -F: '{print $1}' a.txt",
      "awk '{a[$1]++} END{for(k in a) print k, a[k]}' words.txt",
      "awk '{a[$1]+=$2} END{for(k in a) print k, a[k]}' scores.txt",
      "awk '{s+=$2} END{print s}' scores.txt",
      "awk '{s+=$2} END{print s/NR}' scores.txt",
      "awk '$2 > max {max=$2; who=$1} END{print who, max}' scores.txt",
      "awk '{print length($0)}' a.txt",
      "awk '{print length}' a.txt",
      "awk 'length > 4' a.txt",
      "awk '{print toupper($0)}' a.txt",
      "awk '{print tolower($0)}' md.md",
      "awk '{print substr($0, 2, 3)}' a.txt",
      "awk '{$1=\"\"; print}' words.txt",
      "awk '{$2=\"X\"; print}' words.txt",
      "awk '{$5=\"E\"; print; print NF}' words.txt",
      "awk '{NF=2; print}' words.txt",
      "awk 'BEGIN{OFS=\"-\"}{$1=$1; print}' words.txt",
      "awk 'BEGIN{OFS=\",\"} {print $1, $2}' words.txt",
      "awk '{print $1 \",\" $2}' words.txt",
      "awk 'NF' md.md",
      "awk 'NF==0' md.md",
      "awk 'END{print}' a.txt",
      "awk 'END{print $0, NF}' words.txt",
      "awk '{print NR\": \"$0}' b.txt",
      "awk '{printf \"%-10s|%5d\\n\", $1, $2}' scores.txt",
      "awk '{printf \"%s %s\\n\", $2, $1}' scores.txt",
      "awk 'BEGIN{print \"hello\"}'",
      "awk 'BEGIN{print 1+1}'",
      "awk 'BEGIN { printf \"%d items\\n\", 3 }'",
      "awk '{ gsub(/o/, \"0\"); print }' words.txt",
      "awk '{ sub(/o/, \"0\"); print }' words.txt",
      "awk '{ n = gsub(/foo/, \"&-&\"); print n, $0 }' words.txt",
      "awk 'NR%2' num.txt",
      "awk 'NR%2==0' num.txt",
      "awk '{print $1*2}' num.txt",
      "awk '{s=s $0} END{print s}' b.txt",
      "awk 'BEGIN{while((getline l < \"b.txt\")>0) n++; print n}'",
      "awk 'FNR==1{print FILENAME}' a.txt b.txt num.txt",
      "awk '{print > \"/dev/stderr\"}' b.txt",
      "awk 'BEGIN{printf \"no newline\"}'",
      "awk '{print $0}' nonl.txt",
      "awk 'END{print NR}' nonl.txt empty.txt",
      "awk '{print NR}' empty.txt",
      "awk -v n=3 'NR<=n' a.txt",
      "awk -v x=5 'BEGIN{print x*2}'",
      "awk -v s='a b' 'BEGIN{print s}'",
      "awk 'BEGIN{x=\"abc\"; print length(x), index(x,\"c\"), substr(x,2)}'",
      "awk '{ print $1 > \"/dev/stdout\" }' b.txt",
      "awk 'NR==1{print; exit}' a.txt",
      "awk 'NR==3{exit} {print}' a.txt",
      "awk '{print $3}' crlf.txt",
      "awk '{print length($0)}' crlf.txt",
      "awk '{print $2}' utf8.txt",
      "awk '{print length($1)}' utf8.txt",
      "awk '{print toupper($0)}' utf8.txt",
      "awk '/É/' utf8.txt",
      "awk '{print substr($0,1,2)}' utf8.txt",
      "awk '{print}' nul.txt",
      "awk '{print length}' nul.txt",
  });
  Utf8().Compare("awk '{print $2}'", kLines);
  Utf8().Compare("awk '{print NR, $0}' -", kLines);
  Utf8().Compare("awk '{print}' - b.txt", kLines);
  Utf8().Compare("awk '{print}'", "no final newline");
  Utf8().Compare("awk 'END{print NR}'", "");
}

TEST_CASE("awk: JSONL and markdown") {
  CompareAll({
      "awk -F'\"type\":\"' '{split($2, a, \"\\\"\"); print a[1]}' sessions/s1.jsonl",
      "awk -F'\"' '{print $4}' sessions/s1.jsonl",
      "awk '/\"type\":\"user\"/{n++} END{print n}' sessions/s1.jsonl",
      "awk 'NR==1{print; exit}' sessions/s1.jsonl",
      "awk '{print length($0)}' sessions/s2.jsonl",
      "awk 'match($0, /\"tokens\":[0-9]+/){print substr($0, RSTART+9, RLENGTH-9)}' "
      "sessions/s1.jsonl",
      "awk 'match($0, /\"id\":[0-9]+/){s+=substr($0, RSTART+5, RLENGTH-5)} END{print s}' "
      "sessions/s1.jsonl",
      "awk -F'\"tokens\":' '{sub(/}.*/, \"\", $2); t+=$2} END{print t, NR}' sessions/s1.jsonl",
      "awk '{print substr($0, 1, 30)}' sessions/s1.jsonl",
      "awk 'FNR==1{print FILENAME\": \"$0}' sessions/s1.jsonl sessions/s2.jsonl",
      "awk '/^#/' md.md",
      "awk '/^##/{print $2}' md.md",
      "awk '/^- /{sub(/^- /, \"\"); print}' md.md",
      "awk 'BEGIN{RS=\"\"}{print NR\": \"$0}' md.md",
      "awk 'BEGIN{RS=\"\"}{print NF}' para.txt",
      "awk 'BEGIN{RS=\"\"; FS=\"\\n\"}{print $1}' para.txt",
      "awk -v RS= '{print NR, $1}' para.txt",
      "awk 'BEGIN{RS=\"\"}{n++} END{print n}' para.txt",
  });
}

TEST_CASE("awk: numbers and strings") {
  CompareAll({
      "awk 'BEGIN{print 1e6, 1e16, 2^31, 2^53, 0.1+0.2, 1/3, -0, 100000000000000000000}'",
      "awk 'BEGIN{print 2147483647, -2147483647, -2147483648, 2147483648}'",
      "awk 'BEGIN{print 1/0, -1/0, log(-1), -log(-1), int(-3.7), int(\"3abc\")}'",
      "awk 'BEGIN{x=0.1; print x \"\"; CONVFMT=\"%.2g\"; y=3.14159; print y \"\", y}'",
      "awk 'BEGIN{OFMT=\"%.3f\"; print 3.14159, 17, 1e20}'",
      "awk 'BEGIN{print 1==1.0, \"a\"<\"b\", \"10\"<\"9\", 10<9, \"abc\"<\"abd\"}'",
      "awk '{print ($1 > 5), ($1 == 10), ($1 < \"5\")}' mixed.txt",
      "awk '{print $1+0}' mixed.txt",
      "awk '$1==10' mixed.txt",
      "awk '$1' mixed.txt",
      "awk 'BEGIN{x; print x+0, x \"\", length(x), (x==0), (x==\"\")}'",
      "awk 'BEGIN{print substr(\"hello\",0), substr(\"hello\",-1,3), substr(\"hello\",1.5), "
      "substr(\"hello\",2.5,2), substr(\"hello\",5,10), substr(\"hello\",6)}'",
      "awk 'BEGIN{print index(\"abc\",\"\"), index(\"\",\"a\"), index(\"foobar\",\"bar\")}'",
      "awk 'BEGIN{print length(12345), length(1/3), length()}'",
      "awk 'BEGIN{print toupper(123), tolower(\"MiXeD\")}'",
      "awk 'BEGIN{x = \"3\" + \"4\"; print x, \"3\" \"4\", -\"3\", +\"4x\"}'",
      "awk 'BEGIN{print 7%3, -7%3, 7.5%2, 2^10, 2**3}'",
      "awk 'BEGIN{print 2^-1, -2^2, 2^3^2, !0, !1, !\"\", !\"a\"}'",
      "awk 'BEGIN{x=5; x+=2; x-=1; x*=3; x/=2; x%=5; x^=2; print x}'",
      "awk 'BEGIN{x=1; print x++ + ++x, x--, --x, x}'",
      "awk 'BEGIN{print 1 \" \" -1, 1 - 1, \"a\" (1 < 2)}'",
      "awk 'BEGIN{print (1,2) in a; a[1,2]=3; print ((1,2) in a), length(a)}'",
      "awk 'BEGIN{print sin(0), cos(0), atan2(0,-1), exp(1), log(10), sqrt(2), int(9.99)}'",
      "awk 'BEGIN{print 010+0, \"0x10\"+0, \"1e3\"+0, \".5\"+0, \"+5\"+0}'",
      "awk 'BEGIN{print -0 \"\", 0 * -1, 1e300*1e300}'",
      "awk 'BEGIN{a[0.1+0.2]=1; a[1e6]=2; a[\"01\"]=3; a[1]=4; for(k in a) print k, a[k]}'",
  });
}

TEST_CASE("awk: printf") {
  CompareAll({
      "awk 'BEGIN{printf \"%d %i %o %x %X %u %c %s %%\\n\", 42, 42, 8, 255, 255, 7, 65, \"str\"}'",
      "awk 'BEGIN{printf \"%5.2f|%-8.3e|%G|%g|%E\\n\", 3.14159, 1234.5, 0.00001, 1e100, 5}'",
      "awk 'BEGIN{printf \"%5s|%-5s|%05d|%+d|% d|%#o|%#x|%.3d\\n\", \"ab\", \"ab\", 42, 5, 5, 8, "
      "255, 7}'",
      "awk 'BEGIN{printf \"%*d|%-*d|%.*f\\n\", 5, 1, 4, 2, 2, 3.14159}'",
      "awk 'BEGIN{printf \"%d %d %d\\n\", 2^31, -2^63, 1e30}'",
      "awk 'BEGIN{printf \"%x %o %u\\n\", -1, -1, 2^40}'",
      "awk 'BEGIN{printf \"%c%c%c|\\n\", 65, \"hello\", 256+66}'",
      "awk 'BEGIN{printf \"%.2s|%5.1s|%-3c|%3c\\n\", \"abc\", \"xyz\", \"q\", \"r\"}'",
      "awk 'BEGIN{printf \"%s\\n\"}'",
      "awk 'BEGIN{printf \"%d\\n\", \"abc\"}'",
      "awk 'BEGIN{printf \"%z\\n\", 1}'",
      "awk 'BEGIN{printf \"%F\\n\", 1}'",
      "awk 'BEGIN{printf \"%ld %lx %hd\\n\", -5, 255, 70000}'",
      "awk 'BEGIN{x = sprintf(\"%05.1f\", 3.14159); print x, length(x)}'",
      "awk 'BEGIN{printf \"%s %s %s\\n\", 1e20, 123456789, 0.000001}'",
      "awk '{printf \"%-6s %3d %6.2f\\n\", $1, $2, $3/7}' scores.txt",
      "awk 'BEGIN{printf(\"%s-%s\\n\", \"a\", \"b\")}'",
      "awk 'BEGIN{printf \"%c\", \"\"}'",
      "awk 'BEGIN{printf \"%i|%5%|\\n\", 3}'",
  });
}

TEST_CASE("awk: split, sub, gsub, match") {
  CompareAll({
      "awk 'BEGIN{n=split(\"a b  c\", x); print n, x[1], x[3]}'",
      "awk 'BEGIN{n=split(\"a,b,,c\", x, \",\"); print n, x[3], x[4]}'",
      "awk 'BEGIN{n=split(\"abc\", x, \"\"); print n, x[1], x[3]}'",
      "awk 'BEGIN{n=split(\"a1b22c\", x, /[0-9]+/); print n, x[2], x[3]}'",
      "awk 'BEGIN{n=split(\"\", x); print n, length(x)}'",
      "awk 'BEGIN{n=split(\" a b \", x, \" \"); print n, x[1]}'",
      "awk 'BEGIN{n=split(\"a.b.c\", x, \".\"); print n, x[2]}'",
      "awk 'BEGIN{n=split(\"a|b|c\", x, \"|\"); print n, x[3]}'",
      "awk 'BEGIN{s=\"hello\"; gsub(/l/, \"L\", s); print s}'",
      "awk 'BEGIN{s=\"aaa\"; print gsub(/a*/, \"-\", s), s}'",
      "awk 'BEGIN{s=\"abc\"; print gsub(/x*/, \"-\", s), s}'",
      "awk 'BEGIN{s=\"abc\"; print gsub(//, \"-\", s), s}'",
      "awk 'BEGIN{s=\"baaac\"; print gsub(/a*/, \"X\", s), s}'",
      "awk 'BEGIN{s=\"abcabc\"; print gsub(/b|c/, \"[&]\", s), s}'",
      "awk 'BEGIN{s=\"a.b\"; gsub(\".\", \"x\", s); print s}'",
      "awk 'BEGIN{s=\"a.b\"; gsub(/\\./, \"x\", s); print s}'",
      "awk 'BEGIN{s=\"aaa\"; sub(/a/, \"\\\\&\", s); print s}'",
      "awk 'BEGIN{s=\"aaa\"; sub(/a/, \"\\\\\\\\&\", s); print s}'",
      "awk 'BEGIN{s=\"abc\"; gsub(/b/, \"[\\\\\\\\]\", s); print s}'",
      "awk 'BEGIN{s=\"hello world\"; print match(s, /o w/), RSTART, RLENGTH}'",
      "awk 'BEGIN{print match(\"abc\", /x/), RSTART, RLENGTH}'",
      "awk 'BEGIN{print match(\"aaa\", /a*/), RLENGTH; print match(\"xaaa\", /a*/), RLENGTH}'",
      "awk 'BEGIN{print match(\"foo123bar\", \"[0-9]+\"), RSTART, RLENGTH}'",
      "awk '{gsub(/[aeiou]/, \"\"); print}' a.txt",
      "awk '{sub(/$/, \"!\"); print}' b.txt",
      "awk '{sub(/^/, \">\"); print}' b.txt",
      "awk '{gsub(/^a|a$/, \"_\"); print}' a.txt",
      "awk '{$2 = \"\"; gsub(/  /, \" \"); print}' words.txt",
      "awk '{n = split($0, c, \"\"); print n, c[n]}' b.txt",
      "awk 'BEGIN{s=\"x\"; gsub(/x/, \"&&\", s); gsub(/x/, \"y&\", s); print s}'",
      "awk '{ sub(/o+/, \"<&>\", $2); print; print $2 }' words.txt",
      "awk '{ gsub(/o/, \"0\", $0); print NF, $2 }' words.txt",
  });
}

TEST_CASE("awk: regular expressions") {
  for (const char* re : {"a{2}",
                         "^a",
                         "a^b",
                         "a$b",
                         "\\\\.",
                         "[[:alpha:]]+",
                         "[^[:space:]]+",
                         "\\\\d",
                         "\\\\w+",
                         "a|b",
                         "(ab)+",
                         "[a-]",
                         "[]a]",
                         "[^]a]",
                         "a**",
                         "\\\\(",
                         "\\\\/",
                         "[\\\\]]",
                         "x*",
                         ".",
                         "\\\\x41",
                         "\\\\101",
                         "[z-a]",
                         "a(|b)",
                         "a+?",
                         "$*",
                         "x$$",
                         "(^a)",
                         "^^a",
                         ".+",
                         "(.)+",
                         "a\\\\",
                         "[[.a.]]",
                         "[a[:digit:]b]",
                         "[[:upper:][:digit:]]+",
                         "a.c",
                         "[.]",
                         "a?b",
                         "(a|b)*c",
                         "\\\\t",
                         "[\\\\t ]+",
                         "()",
                         "*x",
                         "a|",
                         "(a",
                         "[abc",
                         "^*",
                         "+",
                         "[[:foo:]]",
                         "?",
                         "[^]",
                         "[]"}) {
    Utf8().Compare(std::string("awk -v re='") + re + "' '{n=match($0, re); print n, RLENGTH}'",
                   "aa{2} a^b a$b x.y ab-c d123 ]a ( / \\ A z- foo_bar\tTAB\n");
  }
  CompareAll({
      "awk '/[0-9]+/{print}' mixed.txt",
      "awk '/^[a-z]+$/' a.txt",
      "awk '$1 ~ /^a/' scores.txt",
      "awk '$1 !~ /^a/' scores.txt",
      "awk '$0 ~ \"foo\"' words.txt",
      "awk '{if ($0 ~ /e$/) print \"e:\" $0}' a.txt",
      "awk 'BEGIN{r=\"^b\"} $0 ~ r' a.txt",
      "awk '/a|e/' a.txt",
      "awk '/(al|ga)/' a.txt",
      "awk '/^(foo|the) /' words.txt",
      "awk '/o{2}/' words.txt",
      "awk 'BEGIN{print \"a.b\" ~ /a.b/, \"axb\" ~ \"a.b\", \"a\\nb\" ~ /a.b/}'",
      "awk '/\\//' a.txt",
      "awk '/[/]/' a.txt",
  });
}

TEST_CASE("awk: arrays and for-in order") {
  CompareAll({
      "awk 'BEGIN{a[3];a[1];a[10];a[2];a[\"b\"];a[\"a\"];a[-1];a[\"\"]; for(k in a) printf "
      "\"%s,\", k; print \"\"}'",
      "awk 'BEGIN{for(i=1;i<=100;i++) b[i]; for(k in b) printf \"%s \", k; print \"\"}'",
      "awk 'BEGIN{for(i=1;i<=2000;i++) b[i*7]; n=0; for(k in b) if (n++ < 30) printf \"%s \", "
      "k; print \"\"}'",
      "awk 'BEGIN{for(i=1;i<=1000;i++) b[\"k\" i]; n=0; for(k in b) if (n++ < 30) printf \"%s "
      "\", k; print \"\"}'",
      "awk 'BEGIN{n=split(\"q w e r t y\",a); for(k in a) printf \"%s \", k; print \"\"}'",
      "awk 'BEGIN{n=split(\"q w e r t y\",a); a[\"x\"]; for(k in a) printf \"%s \", k; print "
      "\"\"}'",
      "awk 'BEGIN{n=split(\"q w e\",a); delete a[2]; for(k in a) printf \"%s \", k; print "
      "length(a)}'",
      "awk 'BEGIN{a[1]=1; a[\"1\"]=2; a[01]=3; print length(a), a[1]}'",
      "awk 'BEGIN{a[\"x\"]=1; delete a; print length(a); a[\"y\"]; for (k in a) print k}'",
      "awk 'BEGIN{a[1]; a[2]; a[3]; for (k in a) delete a[k]; print length(a)}'",
      "awk 'BEGIN{a[1,2]=3; for (k in a) {split(k, p, SUBSEP); print p[1], p[2]}}'",
      "awk 'BEGIN{SUBSEP=\":\"; a[1,2]=3; for (k in a) print k}'",
      "awk '{a[$1]++} END{for(k in a) print k, a[k]}' scores.txt",
      "awk '{a[NR]=$0} END{for(i=NR;i>0;i--) print a[i]}' a.txt",
      "awk '{a[$1]=a[$1] \" \" $2} END{for (k in a) print k \":\" a[k]}' scores.txt",
      "awk 'BEGIN{print (\"x\" in a); a[\"x\"]; print (\"x\" in a); if (\"y\" in a) print "
      "\"no\"; print length(a)}'",
      "awk 'BEGIN{a[\"x\"]=1; b=a[\"y\"]; print length(a)}'",
      "awk -F, 'NR>1{c[$3]++} END{for (k in c) print k, c[k]}' data.csv",
      "awk '{w[$1]; w[$2]; w[$3]} END{for (k in w) print k}' words.txt",
      "awk '{for(i=1;i<=NF;i++) c[$i]++} END{for(w in c) print c[w], w}' words.txt",
      "awk 'BEGIN{for(i=0;i<50;i++) a[i/4]; for (k in a) printf \"%s \", k; print \"\"}'",
      "awk 'BEGIN{for(i=-20;i<20;i++) a[i]; for (k in a) printf \"%s \", k; print \"\"}'",
      "awk 'BEGIN{for(i=1;i<=10;i++) a[i]; for(i=1;i<=10;i+=2) delete a[i]; for (k in a) "
      "printf \"%s \", k; print \"\"}'",
      "awk 'BEGIN{for(i=1;i<=800;i++) a[\"s\" i]=i; for(i=1;i<=800;i++) x+=a[i]; n=0; for(k "
      "in a) if(n++<20) printf \"%s \", k; print x}'",
  });
}

TEST_CASE("awk: control flow and functions") {
  CompareAll({
      "awk 'BEGIN{for(i=0;i<5;i++){if(i==3) continue; if (i==4) break; print i}}'",
      "awk 'BEGIN{i=0; while(i<3) print i++; do print \"d\" i; while (i-- > 1)}'",
      "awk 'function f(n){return n<2?n:f(n-1)+f(n-2)} BEGIN{print f(20)}'",
      "awk 'function fill(a, n,  i){for(i=1;i<=n;i++) a[i]=i*i} BEGIN{fill(sq, 5); for(i=1;i<=5;"
      "i++) printf \"%d \", sq[i]; print \"\"}'",
      "awk 'function g(x){x=5} BEGIN{y=1; g(y); print y}'",
      "awk 'function h(){return} BEGIN{x=h(); print x \"|\" length(x)}'",
      "awk 'function max(a,b){return a>b?a:b} {m=max(m,$2)} END{print m}' scores.txt",
      "awk 'function r(s){return s==\"\"?\"\":r(substr(s,2)) substr(s,1,1)} {print r($0)}' a.txt",
      "awk 'function f(a){a[\"k\"]=1} BEGIN{f(arr); print length(arr), arr[\"k\"]}'",
      "awk 'BEGIN{f(1)} function f(x){print x*2}'",
      "awk 'NR==2{next} {print}' a.txt",
      "awk 'FNR==2{nextfile} {print FILENAME, $0}' a.txt b.txt",
      "awk 'BEGIN{exit 3} END{print \"end\"}'",
      "awk 'BEGIN{exit} END{print \"end\"}'",
      "awk '{print; exit 4} END{print \"end\"; exit}' a.txt",
      "awk 'END{exit 5; print \"no\"}' a.txt",
      "awk 'BEGIN{exit -1}'",
      "awk 'BEGIN{exit 256}'",
      "awk 'BEGIN{if (1) print \"a\"; else print \"b\"}'",
      "awk 'BEGIN{if (0) {print \"a\"} else if (1) {print \"b\"} else print \"c\"}'",
      "awk 'BEGIN { x = 1\nif (x)\nprint \"multi\"\nelse\nprint \"no\" }'",
      "awk 'BEGIN{getline; print \"got \" $0; getline x; print \"x=\" x, NR}' b.txt",
      "awk 'NR==1{getline; print \"after getline:\", $0, NR}' a.txt",
      "awk '{while ((getline line < \"b.txt\") > 0) print $0, line; close(\"b.txt\")}' num.txt",
      "awk 'BEGIN{print getline < \"nonexistent\"; print close(\"nonexistent\")}'",
      "awk 'BEGIN{while ((getline < \"a.txt\") > 0) print NF, $0; print NR}'",
      "awk 'BEGIN{getline l < \"b.txt\"; getline l < \"b.txt\"; print l; close(\"b.txt\"); "
      "getline l < \"b.txt\"; print l}'",
      "awk '{print $1; if (NR == 2) print \"two\" > \"/dev/stderr\"}' a.txt",
      "awk 'BEGIN{x[1]; for (k in x) { delete x; print k } print length(x)}'",
  });
  Utf8().Compare("awk '{ getline; print }'", "1\n2\n3\n");
  Utf8().Compare("awk 'BEGIN{while((getline l) > 0) n++; print n, NR}'", kLines);
}

TEST_CASE("awk: fields and NF") {
  CompareAll({
      "awk '{NF=5; print; print NF}' b.txt",
      "awk '{$3=\"\"; print NF \":\" $0}' words.txt",
      "awk '{$0=\"x y z\"; print NF, $2}' b.txt",
      "awk '{$1=$1}1' tabs.txt",
      "awk -F'\\t' -v OFS=, '{$1=$1}1' tabs.txt",
      "awk '{print $NF; NF--; print}' words.txt",
      "awk '{$NF=\"\"; print}' words.txt",
      "awk '{print $NF++; print NF}' words.txt",
      "awk '{i=1; print $i++; print i, $1}' num.txt",
      "awk '{$2++; print}' scores.txt",
      "awk '{$2+=10; print $0}' scores.txt",
      "awk '{print $(1+1)}' words.txt",
      "awk '{print $-1}' b.txt",
      "awk 'BEGIN{NF=-1}'",
      "awk '{ NF = 1; $3 = \"c\"; print; print NF }' words.txt",
      "awk 'BEGIN{FS=\",\"} {print $2}' data.csv",
      "awk 'BEGIN{FS=\"[,:]\"} {print $2}' data.csv",
      "awk -F '' '{print NF, $2}' b.txt",
      "awk -F 'o' '{print NF}' words.txt",
      "awk -F 't' '{print $1}' b.txt",
      "awk -F '|' '{print $2}'",
      "awk '{print $1.5}' b.txt",
      "awk '{ $0 = $2; print NF, $1 }' scores.txt",
      "awk '{ print; $0 = 5; print $0 + 1 }' b.txt",
  });
  Utf8().Compare("awk -F '|' '{print $2}'", "a|b|c\n");
  Utf8().Compare("awk -F. '{print $2}'", "a.b.c\n");
  Utf8().Compare("awk -F '\\\\|' '{print $3}'", "a|b|c\n");
  Utf8().Compare("awk 'BEGIN{RS=\";\"} {print NR\": \"$0}'", "a;b;c\n");
  Utf8().Compare("awk 'BEGIN{RS=\"[0-9]+\"} {print NR\": \"$0}'", "a1b22c333d");
  Utf8().Compare("awk 'BEGIN{RS=\"XX\"} {print NR\": [\"$0\"]\"}'", "aXXbXXc\n");
  Utf8().Compare("awk 'BEGIN{RS=\" \"} {print NR\": [\"$0\"]\"}'", "a b\n");
  Utf8().Compare("awk '{print NF}'", " a  b\t\tc \r\n");
}

TEST_CASE("awk: options and operands") {
  CompareAll({
      "awk -f prog.awk data.csv",
      "awk -f lib.awk -f main.awk num.txt",
      "awk -f bad.awk",
      "awk -f nofile.awk",
      "awk -v 'x=a\\tb' 'BEGIN{print x}'",
      "awk -v x=010 'BEGIN{print x+0, (x==10), (x<9)}'",
      "awk -v x=' 12 ' 'BEGIN{print (x==12)}'",
      "awk '{print x, $0}' x=1 b.txt x=2 b.txt",
      "awk '{print FS}' FS=, b.txt",
      "awk 'END{print x}' b.txt x=5",
      "awk -- 'BEGIN{print \"dashdash\"}'",
      "awk -F: -v x=1 -- 'BEGIN{print x FS}'",
      "awk -vx=3 'BEGIN{print x}'",
      "awk -F '\\t' 'BEGIN{printf \"[%s]\\n\", FS}'",
      "awk -Ft 'BEGIN{printf \"[%s]\\n\", FS}'",
      "awk '{print}' nofile",
      "awk '{print}' a.txt nofile b.txt",
      "awk '{print}' d",
      "awk '{print}' b.txt d",
      "awk 'BEGIN{print ARGC, ARGV[0], ARGV[1], ARGV[2]}' a.txt b.txt",
      "awk 'BEGIN{ARGV[1]=\"b.txt\"} {print}' a.txt",
      "awk 'BEGIN{ARGV[1]=\"\"} {print}' a.txt b.txt",
      "awk 'BEGIN{delete ARGV[1]} {print}' a.txt b.txt",
      "awk 'BEGIN{ARGC=2} {print}' b.txt a.txt",
      "awk 'BEGIN{ARGV[ARGC++]=\"b.txt\"} {print}'",
      "awk",
      "awk -x 'BEGIN{}'",
      "awk -f",
      "awk -v",
      "awk -F",
      "awk -v 1x=3 'BEGIN{}'",
      "awk -v print=3 'BEGIN{}'",
      "awk --lint 'BEGIN{print 1}'",
      "awk --posix 'BEGIN{print 1}'",
      "awk --foo 'BEGIN{print 1}'",
      "awk '' a.txt",
      "awk '# just a comment' a.txt",
      "awk - a.txt",
      "mawk 'BEGIN{print \"mawk\"}'",
      "awk 'BEGIN{print ENVIRON[\"HOME\"] != \"\"}'",
      "awk '{print}' FS=: a.txt",
      "awk 'BEGIN{printf \"%s\", ARGV[1]}' 'a b'",
  });
}

TEST_CASE("awk: syntax errors") {
  CompareAll({
      "awk '{print $1'",
      "awk '{print $1}}'",
      "awk 'BEGIN{x=1;;}'",
      "awk '{if (x) }'",
      "awk '{print 1,}'",
      "awk 'BEGIN{a[1]=1; a=2}'",
      "awk 'function f(a){a[1]=1} BEGIN{x=1; f(x)}'",
      "awk 'BEGIN{f()}'",
      "awk '{x=}'",
      "awk '/abc'",
      "awk '{print \"abc}'",
      "awk '{print > }'",
      "awk 'BEGIN{next}'",
      "awk 'END{next}'",
      "awk 'function f(){next}'",
      "awk 'BEGIN{return}'",
      "awk '{a = 1 +* 2}'",
      "awk '{@}'",
      "awk 'BEGIN {x = 1e999}'",
      "awk 'BEGIN{printf}'",
      "awk 'BEGIN{print substr(\"a\")}'",
      "awk 'BEGIN{print length(1,2)}'",
      "awk 'BEGIN { while (1) { break } ; continue }'",
      "awk 'BEGIN{ if (1) else print 2}'",
      "awk 'BEGIN{x[\"a\"]; x}'",
      "awk 'BEGIN{split(\"a\", x); x=1}'",
      "awk '{ print $NF-1 '",
      "awk \"BEGIN{print 'a'}\"",
      "awk 'BEGIN { print 1 } }'",
      "awk 'BEGIN { print 1 ) }'",
      "awk 'func f(x) { return x } BEGIN{print f(1)}'",
      "awk 'BEGIN { if (x > 1 { print } }'",
      "awk 'BEGIN{x = 1 ~ }'",
      "awk 'BEGIN{print 1 +}'",
      "awk 'BEGIN\n{print 1}'",
      "awk '{print $1; print $2; } } {'",
      "awk 'BEGIN{getline x y}'",
      "awk 'BEGIN{a = \"x\" ; a[1] = 2}'",
      "awk '{print $1 \"a\" ++}'",
      "awk 'function f(f){return 1}'",
      "awk 'function f(a,a){return 1}'",
      "awk 'function f(x){return x} function f(y){return y}'",
      "awk 'BEGIN{print f(1,2)} function f(a){return a}'",
      "awk 'BEGIN{x = /[/}'",
      "awk '/*x/'",
      "awk 'BEGIN{print match(\"a\", \"(\")}'",
      "awk 'BEGIN{x=4; y = x++ / 2; print y}'",
      "awk 'BEGIN{ print length / 2 }'",
      "awk 'BEGIN { x = 1; x++ ; print x }'",
      "awk 'BEGIN{print 1' 'extra'",
      "awk '{ print \"a\" > \"b\" > \"c\" }'",
      "awk 'BEGIN{ @; @; @; @; @; @ }'",
      "awk 'BEGIN { getline < }'",
      "awk 'BEGIN{ a b c = 1 }'",
      "awk 'BEGIN{ x = (1,2) }'",
      "awk 'BEGIN { print -(1,2) in a }'",
      "awk 'BEGIN { for (k in a; ;) x }'",
      "awk 'BEGIN { $ }'",
      "awk 'BEGIN { print \\ 1 }'",
      "awk 'BEGIN { print 1 \\\n + 2 }'",
  });
}

TEST_CASE("awk: run time errors") {
  CompareAll({
      "awk '{print $(-1)}' b.txt",
      "awk 'NR==2{print $(-1)}' a.txt",
      "awk 'BEGIN{printf \"%d %d\\n\", 1}'",
      "awk 'BEGIN{x=sprintf(\"%q\", 1)}'",
      "awk 'BEGIN{OFMT=\"%x%y\"; print 1.5}'",
      "awk 'BEGIN{CONVFMT=\"abc\"; print 1.5 \"\"}'",
      "awk 'BEGIN{x = \"(\"; print \"a\" ~ x}'",
      "awk '{print \"line\"; print 1 > \"nodir/x\"}' b.txt",
      "awk 'BEGIN{print \"x\" > \"d\"}'",
      "awk 'BEGIN{print \"x\" > \"\"}'",
      "awk 'BEGIN{x = sprintf(\"%9000s\", \"a\"); print length(x)}'",
      "awk 'BEGIN{x = sprintf(\"%8190s\", \"a\"); print length(x)}'",
      "awk 'BEGIN{getline x < \"d\"; print x}'",
      "awk 'BEGIN{print \"a\"; x = \"a(b\"; sub(x, \"y\")}'",
  });
}

TEST_CASE("awk: output order with commands") {
  CompareAll({
      "awk 'BEGIN{print \"x\"; system(\"echo sys\"); print \"y\"}'",
      "awk 'BEGIN{print \"b\\na\" | \"sort\"; print \"done\"}'",
      "awk 'BEGIN{print \"b\\na\" | \"sort\"; close(\"sort\"); print \"done\"}'",
      "awk 'BEGIN{print \"x\"; print \"p\" | \"cat\"; print \"z\"}'",
      "awk 'BEGIN { \"echo a b\" | getline; print $2, NR; \"echo q\" | getline v; print v, NR }'",
      "awk 'BEGIN { while ((\"printf \\\"1\\\\n2\\\\n\\\"\" | getline l) > 0) s += l; print s }'",
      "awk 'BEGIN{print system(\"exit 3\")}'",
      "awk 'BEGIN{x=\"hi\"; \"echo \" x | getline y; print y}'",
      "awk '{print $1 | \"sort -r\"}' a.txt",
      "awk '{print $1 | \"sort -r\"} END{close(\"sort -r\"); print \"end\"}' a.txt",
      "awk 'BEGIN{printf \"x\" | \"cat\"; r = close(\"cat\"); print \" r=\" r}'",
      "awk 'BEGIN{\"exit 4\" | getline; print close(\"exit 4\")}'",
      "awk 'BEGIN{print \"to err\" | \"cat 1>&2\"; print \"out\"}'",
      "awk 'BEGIN{print \"a\"; fflush(); system(\"echo b\"); print \"c\"}'",
      "awk '{print; system(\"echo \" NR)}' b.txt",
      "awk 'BEGIN{print \"e\" > \"/dev/stderr\"; print \"o\"}'",
  });
}

// The order of stdout and stderr writes, as `2>&1` shows it: mawk's stdout
// is a stdio buffer (4096 bytes on a pipe), flushed at exit, by system(),
// fflush() and when a pipe is opened; stderr is unbuffered.
TEST_CASE("awk: stdout and stderr interleaved") {
  for (const char* cmd : {
           "awk '{print $1}' a.txt nofile",
           "awk '{print}' b.txt d",
           "awk 'NR==2{print $(-1)} {print}' a.txt",
           "awk 'BEGIN{for(i=0;i<1000;i++) print \"abcdefghi\"; print $(-1)}'",
           "awk 'BEGIN{x=sprintf(\"%5000s\",\"a\"); print x; print \"z\"; print $(-1)}'",
           "awk 'BEGIN{x=sprintf(\"%3000s\",\"a\"); print x; print x; print \"z\"; print "
           "$(-1)}'",
           "awk 'BEGIN{x=sprintf(\"%4095s\",\"a\"); print x; printf \"q\"; print $(-1)}'",
           "awk '{print; print \"err\" > \"/dev/stderr\"}' b.txt",
           "awk 'BEGIN{print \"x\"; system(\"echo sys; echo e 1>&2\"); print \"y\"; print "
           "\"e2\" > \"/dev/stderr\"}'",
           "awk 'BEGIN{print \"a\"; print \"b\" | \"cat 1>&2\"; print \"c\"}'",
           "awk 'BEGIN{print \"a\"; fflush(); print \"b\" > \"/dev/stderr\"}'",
           "awk 'BEGIN{printf \"%d %d\\n\", 1}'",
           "awk '{print} END{print \"x\" > \"/dev/stderr\"; exit 2}' b.txt",
           "awk 'BEGIN{print \"a\"; \"echo b 1>&2\" | getline; print \"c\"}'",
       }) {
    Utf8().CompareMerged(cmd);
  }
}

// Commands that write (print > FILE): a fresh tree for each, mawk run on
// the disk, memhook on the store; outputs and the resulting trees compared.
struct WriteCase {
  const char* command;
  const char* setup = "";
};

std::vector<std::string> Describe(const fs::path& dir) {
  std::vector<std::string> lines;
  for (auto it = fs::recursive_directory_iterator(dir); it != fs::recursive_directory_iterator();
       ++it) {
    struct stat st;
    REQUIRE(lstat(it->path().c_str(), &st) == 0);
    std::string line = fs::relative(it->path(), dir).string();
    char mode[16];
    std::snprintf(mode, sizeof mode, " %04o", st.st_mode & 07777);
    line += S_ISDIR(st.st_mode) ? " dir" : " file";
    line += mode;
    if (!S_ISDIR(st.st_mode)) line += " [" + memhook::testing::Slurp(it->path()) + "]";
    lines.push_back(line);
  }
  std::sort(lines.begin(), lines.end());
  return lines;
}

int g_write_cases = 0;

void AgreeWrite(const WriteCase& c) {
  const std::string command = c.command;
  CAPTURE(command);
  DiskTree t("awk-write", "C.UTF-8");
  BuildTree(t);
  if (*c.setup != '\0') {
    auto r = t.Bash(std::string("cd ") + ShellQuote(t.tree.string()) + " && " + c.setup);
    REQUIRE(r.status == 0);
  }
  memhook::vfs::StoreOptions store_options;
  store_options.virtual_index = false;
  t.Import(store_options);
  UtilOptions options = t.Options("");
  options.cwd = t.tree.string();
  CommandEnv env{*t.store, options, options.cwd, nullptr, nullptr};
  std::string dir = t.tree.string();
  env.run_script = [&dir](const std::string& script, CommandIo& child) {
    return RunSh(dir, script, child);
  };
  CommandIo io;
  std::vector<std::string> argv = ShellWords(command);
  CHECK(memhook::utils::AwkWrites(argv));
  memhook::utils::CmdAwk(argv, env, io);
  REQUIRE_MESSAGE(io.unsupported.empty(), io.unsupported);
  auto real = t.Bash("umask 022 && cd " + ShellQuote(t.tree.string()) + " && " + command);
  CHECK(io.out.str() == real.out);
  CHECK(io.err.str() == real.err);
  CHECK(io.status == real.status);
  fs::path out = t.root / "export";
  REQUIRE(memhook::vfs::ExportTree(*t.store, out.string()).ok());
  CHECK(Describe(out) == Describe(t.tree));
  ++g_write_cases;
}

TEST_CASE("awk: print > FILE") {
  for (const WriteCase& c : std::vector<WriteCase>{
           {"awk '{print > \"out.txt\"}' a.txt"},
           {"awk '{print $1 > ($1 \".txt\")}' scores.txt"},
           {"awk '{print >> \"b.txt\"}' a.txt"},
           {"awk 'NR==1{print > \"o\"; close(\"o\")} NR==2{print > \"o\"}' a.txt"},
           {"awk 'NR==1{print > \"o\"; close(\"o\")} NR==2{print >> \"o\"}' a.txt"},
           {"awk '{print > \"d/new.txt\"}' b.txt"},
           {"awk 'BEGIN{printf \"%s\", \"\" > \"empty-out\"}'"},
           {"awk '{print > \"existing.txt\"}' b.txt", "echo old > existing.txt"},
           {"awk 'BEGIN{print \"x\" > \"nodir/f\"}'"},
           {"awk 'BEGIN{print \"x\" > \"out\"; print \"y\" >> \"out\"; print \"z\" > \"out\"}'"},
           {"awk -F, 'NR>1{print $1 > $3 \".csv\"} END{print \"done\"}' data.csv"},
           {"awk 'BEGIN{print \"x\" > \"f1\"; system(\"echo sys\"); print \"y\" > \"f1\"}'"},
           {"awk '{print $2 > \"out\"; print $1 | \"sort\"}' scores.txt"},
           {"awk '{ print > \"-\" }' b.txt"},
           {"awk '{ print $0 > (\"out_\" NR) } END { close(\"out_1\"); while ((getline l < "
            "\"out_1\") > 0) print \"read\", l }' b.txt"},
           {"awk 'BEGIN { printf \"a\" > \"o\"; close(\"o\"); printf \"b\" >> \"o\"; "
            "getline x < \"o\"; print x }'"},
           {"awk '{ print FILENAME \": \" $0 > \"all.txt\" }' a.txt b.txt nofile"},
       }) {
    AgreeWrite(c);
  }
  MESSAGE("write cases: ", g_write_cases);
}

TEST_CASE("awk: refused") {
  for (const char* cmd : {
           "awk 'BEGIN{print rand()}'",
           "awk 'BEGIN{srand(); print rand()}'",
           "awk 'BEGIN{print srand()}'",
           "awk 'BEGIN{print systime()}'",
           "awk 'BEGIN{print strftime()}'",
           "awk 'BEGIN{while(1) x++}'",
           "awk 'function f(){f()} BEGIN{f()}'",
           "awk --version",
           "awk --help",
           "awk -W version",
           "awk '{print}' /etc/passwd",
           "awk 'BEGIN{CONVFMT=\"%d\"; x = 1.5 \"\"}'",
           "awk 'BEGIN{print \"x\" > \"/dev/tty\"}'",
           "awk 'BEGIN{CONVFMT=\"%d\"; a[0.5]=1; for(k in a) print k}'",
       }) {
    Utf8().Refused(cmd);
  }
}

TEST_CASE("awk: srand and rand") {
  CompareAll({
      "awk 'BEGIN{srand(1); print rand(), rand(); print srand(2)}'",
      "awk 'BEGIN{srand(42); for(i=0;i<5;i++) printf \"%d \", int(rand()*100); print \"\"}'",
      "awk 'BEGIN{srand(0); print rand()}'",
      "awk 'BEGIN{srand(-7); print rand()}'",
  });
}

TEST_CASE("awk: streams stop early") {
  DiskTree t("awk-big", "C.UTF-8");
  std::string big;
  for (int i = 0; i < 200000; ++i) big += "line " + std::to_string(i) + "\n";
  t.Write("big.txt", big);
  t.Import();
  UtilOptions options = t.Options("");
  options.cwd = t.tree.string();
  CommandEnv env{*t.store, options, options.cwd, nullptr, nullptr};
  {
    CommandIo io;
    memhook::utils::CmdAwk({"awk", "NR==3{print; exit}", "big.txt"}, env, io);
    CHECK(io.unsupported.empty());
    CHECK(io.out.str() == "line 2\n");
  }
  {
    CommandIo io;
    io.need.lines = 1;
    memhook::utils::CmdAwk({"awk", "{print}", "big.txt"}, env, io);
    CHECK(io.unsupported.empty());
    CHECK(io.out.str().rfind("line 0\n", 0) == 0);
    CHECK(io.out.size() < big.size());
  }
  {
    CommandIo io;
    memhook::utils::CmdAwk({"awk", "END{print NR, $0}", "big.txt"}, env, io);
    CHECK(io.out.str() == "200000 line 199999\n");
  }
}

TEST_CASE("awk: AwkWrites") {
  using memhook::utils::AwkWrites;
  CHECK(AwkWrites({"awk", "{print > \"out\"}", "f"}));
  CHECK(AwkWrites({"awk", "{print >> \"out\"}", "f"}));
  CHECK(AwkWrites({"awk", "{printf \"x\" > $1}", "f"}));
  CHECK(AwkWrites({"awk", "-f", "prog.awk", "f"}));
  CHECK(AwkWrites({"awk", "-F,", "{print > \"o\"}"}));
  CHECK_FALSE(AwkWrites({"awk", "{print}", "f"}));
  CHECK_FALSE(AwkWrites({"awk", "$1 > 5", "f"}));
  CHECK_FALSE(AwkWrites({"awk", "{print (a > b)}", "f"}));
  CHECK_FALSE(AwkWrites({"awk", "{print > \"/dev/stderr\"}", "f"}));
  CHECK_FALSE(AwkWrites({"awk", "{print | \"sort\"}", "f"}));
  CHECK_FALSE(AwkWrites({"awk", "-v", "x=1", "{print x}", "f"}));
}

TEST_CASE("awk: C locale") {
  static Fixture* c = new Fixture("C");
  for (const char* cmd : {
           "awk '{print toupper($0)}' utf8.txt",
           "awk '{print length($0)}' utf8.txt",
           "awk '/[[:alpha:]]+/' utf8.txt",
           "awk '{print substr($0, 2, 2)}' utf8.txt",
       }) {
    c->Compare(cmd);
  }
}

// Development aid: AWK_ADHOC=FILE compares each line of FILE (a command
// line; stdin after a TAB, with \n escapes) and prints the differences.
TEST_CASE("awk: ad hoc") {
  const char* path = std::getenv("AWK_ADHOC");
  if (path == nullptr) return;
  std::string text = memhook::testing::Slurp(path);
  size_t pos = 0;
  int bad = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line.empty()) continue;
    std::string input;
    size_t tab = line.find('\t');
    if (tab != std::string::npos) {
      std::string raw = line.substr(tab + 1);
      line = line.substr(0, tab);
      for (size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size() && raw[i + 1] == 'n') {
          input += '\n';
          ++i;
        } else {
          input += raw[i];
        }
      }
    }
    Result real = Utf8().Real(line, input);
    Result ours = Utf8().Ours(line, input);
    if (!ours.unsupported.empty()) {
      MESSAGE("UNSUPPORTED ", line, " -> ", ours.unsupported);
      continue;
    }
    if (ours.out != real.out || ours.err != real.err || ours.status != real.status) {
      ++bad;
      MESSAGE("DIFF ", line, "\n--- real (", real.status, ")\n", real.out, "\n", real.err,
              "\n--- ours (", ours.status, ")\n", ours.out, "\n", ours.err);
    }
  }
  MESSAGE("ad hoc differences: ", bad);
}

TEST_CASE("awk: summary") {
  MESSAGE("compared ", Utf8().compared, " command lines, refused ", Utf8().refused);
}

}  // namespace
