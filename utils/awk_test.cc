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
#include <filesystem>
#include <string>
#include <vector>

#include "tests/support/disk_tree.h"
#include "tests/support/test_support.h"
#include "tests/support/utility_diff.h"
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

// awk's commands (`print | "cmd"`, system()) run by Debian's /bin/sh in the
// tree; HOME is the tree's root unless a case gives its own environment.
class Fixture : public memhook::testing::UtilityDiff {
 public:
  explicit Fixture(const char* locale)
      : UtilityDiff("awk-test", locale, BuildTree),
        home_env_(memhook::testing::EnvironWith({"HOME=" + tree().root.string()})) {}

 protected:
  void PrepareEnv(CommandEnv& env) override {
    if (env.environment == nullptr) env.environment = &home_env_;
    env.run_script = [this](const std::string& script, CommandIo& io) {
      return RunSh(tree().tree.string(), script, io);
    };
  }

 private:
  std::vector<std::string> home_env_;
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

// Recursion as deep as memhook accepts: mawk's evaluation stack (1024
// values) bounds it, so deeper recursions are refused (see "refused").
TEST_CASE("awk: deep recursion") {
  CompareAll({
      "awk 'function f(n){return n?f(n-1)+1:0} BEGIN{print f(150)}'",
      "awk 'function f(n,  a, s){a[n]=n; s = \"x\" substr(\"abc\", 1, 2); if (n) { for (k in a) "
      "if (k) s = s f(n-1) \"\"; return length(s) } return 0} BEGIN{print f(60)}'",
      "awk 'function f(n){if (n > 0) { while (1) { return (n % 2 ? f(n-1) : f(n-1)) + (1 < 2 ? 1 "
      ": 0) } } return 0} BEGIN{print f(100)}'",
  });
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

TEST_CASE("awk: stdin, program files and bytes") {
  Utf8().Compare("awk -f - b.txt", "{ print \"prog:\", $0 }\n");
  Utf8().Compare("awk -f -", "END { print NR }\n");
  Utf8().Compare("awk -f - -", "END { print NR }\n");
  Utf8().Compare("awk '{print length, toupper($0), substr($0, 2, 1)}'",
                 "a\xff\xfe"
                 "b\n\xc3\n");
  Utf8().Compare("awk '/\\xff/{print NR}'",
                 "a\xff"
                 "b\nplain\n");
  Utf8().Compare("awk -F'\\xfe' '{print $2}'",
                 "a\xfe"
                 "b\n");
  Utf8().Compare("awk '{n=split($0, c, \"\"); print n}'", "\xe2\x82\xac\n");
  Utf8().Compare("awk '{print}'", std::string("nul\0inside\n", 12));
  Utf8().Compare("awk 'BEGIN{RS=\"\\0\"} {print NR\": \"$0}'", std::string("a\0b\0", 4));
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
    Utf8().Compare(cmd, "", /*merged=*/true);
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
           "awk 'function f(n){return n?f(n-1)+1:0} BEGIN{print f(990)}'",
           "awk 'function f(n,  a, s){s = \"x\"; if (n) s = s f(n-1); return s} BEGIN{print "
           "f(990)}'",
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

struct Case {
  const char* command;
  const char* input;
};

// Corner cases met while comparing with mawk: the grammar's precedences and
// error recovery, conversions, printf, getline forms, I/O order, options.
TEST_CASE("awk: corner cases") {
  static const Case kCases[] = {
      {"awk 'BEGIN { if (x > 1 { print } }'", ""},
      {"awk '{ print $1; print $2; } } {'", ""},
      {"awk 'BEGIN{ @; @; @; @; @; @ }'", ""},
      {"awk 'BEGIN{ a b c = 1 }'", ""},
      {"awk 'BEGIN{ x = (1,2) }'", ""},
      {"awk 'BEGIN { for (k in a; ;) x }'", ""},
      {"awk 'BEGIN { $ }'", ""},
      {"awk 'BEGIN { print \\ 1 }'", ""},
      {"awk 'BEGIN{x = /[/}'", ""},
      {"awk '/*x/'", ""},
      {"awk 'BEGIN { getline < }'", ""},
      {"awk 'BEGIN{ if (1) print 1 else print 2 }'", ""},
      {"awk 'BEGIN { x = 1 + }'", ""},
      {"awk 'BEGIN { print \"a\" \"b\" + }'", ""},
      {"awk 'BEGIN { f( }'", ""},
      {"awk 'BEGIN { a[1 }'", ""},
      {"awk 'BEGIN { a[1] = }'", ""},
      {"awk '{ print $1 ; ; ; }'", ""},
      {"awk 'BEGIN { print 1,, 2 }'", ""},
      {"awk 'BEGIN { print ~ 1 }'", ""},
      {"awk 'BEGIN { print 1 ~ }'", ""},
      {"awk 'BEGIN { x ++ y }'", ""},
      {"awk 'BEGIN { 1 = 2 }'", ""},
      {"awk 'BEGIN { print (1 }'", ""},
      {"awk 'BEGIN { print 1) }'", ""},
      {"awk 'BEGIN { while ( ) print }'", ""},
      {"awk 'BEGIN { for ( ; ; print }'", ""},
      {"awk 'BEGIN { do print 1 while (0) }'", ""},
      {"awk 'BEGIN { do print 1; while (0) }'", ""},
      {"awk 'BEGIN { delete }'", ""},
      {"awk 'BEGIN { delete a[ }'", ""},
      {"awk 'BEGIN { exit exit }'", ""},
      {"awk 'function () { }'", ""},
      {"awk 'function f( { }'", ""},
      {"awk 'function f(a b) { }'", ""},
      {"awk 'BEGIN { print length length }'", ""},
      {"awk 'BEGIN { print substr(\"abc\", 2) substr(\"abc\") }'", ""},
      {"awk 'BEGIN { printf(\"%d\\n\") }'", ""},
      {"awk 'BEGIN { getline getline }'", ""},
      {"awk 'BEGIN { \"cmd\" | getline | getline }'", ""},
      {"awk 'BEGIN { x = y = z = 3; print x y z }'", ""},
      {"awk 'BEGIN { x = 1; x += x += 2; print x }'", ""},
      {"awk 'BEGIN { print 1 == 1 == 1, 2 < 1 < 3 }'", ""},
      {"awk 'BEGIN { a = 1; print a == 1 ? \"y\" : \"n\" }'", ""},
      {"awk 'BEGIN { print 1 ? 2 ? 3 : 4 : 5 }'", ""},
      {"awk 'BEGIN { print (1 in a) ? \"y\" : \"n\" }'", ""},
      {"awk 'BEGIN { x == y = 3; print y }'", ""},
      {"awk 'BEGIN { print !x = 3 }'", ""},
      {"awk 'BEGIN { print 1 - - 1, 1 - -1, - - 1 }'", ""},
      {"awk 'BEGIN { print 2 ^ 3 ^ 2, (2 ^ 3) ^ 2, -2 ^ 2 }'", ""},
      {"awk 'BEGIN { print 10 % 3 * 2, 10 / 4 * 2 }'", ""},
      {"awk 'BEGIN { print \"x\" > \"/dev/stdout\" }'", ""},
      {"awk 'BEGIN { print(\"a\", \"b\") }'", ""},
      {"awk 'BEGIN { print (\"a\") (\"b\") }'", ""},
      {"awk 'BEGIN { print (\"a\", \"b\") > \"/dev/stdout\" }'", ""},
      {"awk 'BEGIN { print (1,2) in a, \"x\" }'", ""},
      {"awk 'BEGIN { print 1, 2 > \"/dev/stderr\" }'", ""},
      {"awk 'BEGIN { print (1 > 2) }'", ""},
      {"awk 'BEGIN { print 1 > 2 ? \"/dev/stdout\" : \"/dev/stderr\" }'", ""},
      {"awk 'BEGIN { printf \"%s %s\\n\", \"a\" , \"b\" }'", ""},
      {"awk 'BEGIN { $0 = \"a b c\"; print NF; $5 = \"e\"; print; print NF }'", ""},
      {"awk 'BEGIN { $3 = \"x\"; print; print NF }'", ""},
      {"awk 'BEGIN { NF = 3; print $0 \"|\" }'", ""},
      {"awk 'BEGIN { print NF; $0 = \"a b\"; print NF }'", ""},
      {"awk 'BEGIN { print length(NF) }'", ""},
      {"awk 'BEGIN { x[\"a\"] = 1; for (k in x) print k, x[k]; print length(x) }'", ""},
      {"awk 'BEGIN { print index(\"abc\", \"c\") index(\"abc\", \"\") }'", ""},
      {"awk 'BEGIN { s = \"a\\tb\"; n = split(s, p); print n, p[2] }'", ""},
      {"awk 'BEGIN { s = \"a\\nb\"; n = split(s, p); print n, p[2] }'", ""},
      {"awk 'BEGIN { s = \"a\\rb\"; n = split(s, p); print n, p[1] }'", ""},
      {"awk 'BEGIN { printf \"%s|%d|%.2f\\n\", \"\", \"\", \"\" }'", ""},
      {"awk 'BEGIN { printf \"[%5c][%-5c]\\n\", 65, \"BC\" }'", ""},
      {"awk 'BEGIN { printf \"[% 5s][%+5s][%#5s][%05s][%-05s]\\n\", \"a\", \"b\", \"c\", \"d\", "
       "\"e\" }'",
       ""},
      {"awk 'BEGIN { printf \"[% s][% 3s]\\n\", \"\", \"\" }'", ""},
      {"awk 'BEGIN { printf \"[%.0s][%.0c]\\n\", \"abc\", \"x\" }'", ""},
      {"awk 'BEGIN { printf \"[%*s][%-*s][%*s]\\n\", 4, \"a\", 4, \"b\", -4, \"c\" }'", ""},
      {"awk 'BEGIN { printf \"[%.*s]\\n\", 2, \"abcdef\" }'", ""},
      {"awk 'BEGIN { printf \"[%*.*s]\\n\", 6, 2, \"abcdef\" }'", ""},
      {"awk 'BEGIN { printf \"[%'\"'\"'d]\\n\", 1234567 }'", ""},
      {"awk 'BEGIN { printf \"[%5.3d][%-+8.2f][%#x][%#o][%e]\\n\", 7, 3.14159, 0, 0, 0 }'", ""},
      {"awk 'BEGIN { printf \"%d %d %d %d\\n\", \"1e3\", \" 12 \", \"-0\", \"+7x\" }'", ""},
      {"awk 'BEGIN { printf \"%c\", 10 }'", ""},
      {"awk 'BEGIN { printf \"%c%c\", 0, 255 }'", ""},
      {"awk 'BEGIN { printf \"%s\\n\", 1/3 }'", ""},
      {"awk 'BEGIN { OFMT = \"%.2f\"; x = 1/3; print x; print x \"\" ; printf \"%s\\n\", x }'", ""},
      {"awk 'BEGIN { CONVFMT = \"%.2f\"; x = 1/3; print x; print x \"\" ; printf \"%s\\n\", x }'",
       ""},
      {"awk 'BEGIN { OFMT = \"%.2f\"; print 2, 2.0, 2.5, 1e6, 1e10 }'", ""},
      {"awk 'BEGIN { OFS = 1.5; $0 = \"a b\"; $1 = $1; print; print 1, 2 }'", ""},
      {"awk 'BEGIN { ORS = \"|\"; print \"a\"; print \"b\" }'", ""},
      {"awk 'BEGIN { ORS = \"\"; print \"a\"; print \"b\" }'", ""},
      {"awk 'BEGIN { SUBSEP = \"\"; a[\"x\",\"y\"]; for (k in a) print k }'", ""},
      {"awk '{ x = $1; y = $2 } END { print (x < y), (x \"\" < y \"\"), x, y }'", "10 9\n"},
      {"awk '{ print ($1 == $2) }'", "1.0 1\n1e1 10\n abc abc\n0x10 16\n"},
      {"awk '{ a[$1] = 1 } END { print (1 in a), (\"1\" in a), (\"1.0\" in a) }'", "1.0\n"},
      {"awk '{ print ($1 < $2) }'", "abc 10\n10 abc\n-1 1\n"},
      {"awk '{ x[NR] = $0 } END { print x[1] < x[2] }'", "10\n9\n"},
      {"awk 'BEGIN { getline x; print (x < 9) }'", "10\n"},
      {"awk '{ print $1 + 0, ($1 == 0) }'", "inf\nnan\n-0\n+0\n.0\n0.\n"},
      {"awk '{ print substr($0, 2) }'", "x\n"},
      {"awk '$0 == 0'", "0\n0.0\n-0\nabc\n\n 0 \n"},
      {"awk '!$0'", "0\n0.0\n-0\nabc\n\n 0 \n1\n"},
      {"awk '{ print !$1, !$0 }'", "0 0\n1 1\na b\n"},
      {"awk '{ n = split($0, a, \",\"); for (i = n; i > 0; i--) printf \"%s%s\", a[i], (i > 1 ? "
       "\",\" : \"\\n\") }'",
       "a,b,c\n,x,\n"},
      {"awk '{ $0 = toupper($0); print $1 }'", "abc def\n"},
      {"awk '{ print NF \":\" $0 }'", "  \n\\t\n a \n"},
      {"awk 'BEGIN { FS = \",\" } { $2 = \"X\"; print }'", "a,b,c\n"},
      {"awk 'BEGIN { FS = \",\" ; OFS = \";\" } { $2 = \"X\"; print }'", "a,b,c\n"},
      {"awk '{ print $1; FS = \",\" ; print $1 }'", "a,b c\nd,e f\n"},
      {"awk 'BEGIN { RS = \"\" } { print NR \": \" $0 }'", "\n\n\n"},
      {"awk 'BEGIN { RS = \"\" } { print NR \": \" $0 \"|\" }'", "a\n\n\nb\n\n"},
      {"awk 'BEGIN { RS = \"\" } END { print NR }'", "a\nb\n"},
      {"awk 'BEGIN { RS = \"\\n\\n\" } { print NR \": \" $0 \"|\" }'", "a\n\n\nb\n\n"},
      {"awk 'BEGIN { RS = \"a|b\" } { print NR \": \" $0 \"|\" }'", "xaybz\n"},
      {"awk 'BEGIN { RS = \"\" ; FS = \":\" } { print NF, $1 }'", "a:b\nc:d\n\ne\n"},
      {"awk 'BEGIN { RS = \"x*\" } { print NR \": \" $0 \"|\" }'", "abxxc\n"},
      {"awk 'BEGIN { RS = \"^a\" } { print NR \": \" $0 \"|\" }'", "abab\n"},
      {"awk 'BEGIN { RS = \"b$\" } { print NR \": \" $0 \"|\" }'", "abab\n"},
      {"awk 'BEGIN { RS = \"\\n\" } { print }'", "a\nb"},
      {"awk 'END { print $0, NF }'", "a b\nc d e\n"},
      {"awk 'NR == 1 { NR = 10 } { print NR, FNR }'", "a\nb\nc\n"},
      {"awk '{ FNR = 5; print NR, FNR }'", "a\nb\n"},
      {"awk 'BEGIN { NR = \"x\" } { print NR }'", "a\nb\n"},
      {"awk '{ print; getline; print \"after\", $0, NR }'", "1\n2\n3\n"},
      {"awk '{ r = getline; print r, $0 }'", "1\n2\n3\n"},
      {"awk '{ r = getline x; print r, x, $0 }'", "1\n2\n3\n"},
      {"awk 'END { r = getline; print r, $0 }'", "1\n2\n"},
      {"awk 'END { r = getline x; print r, x }'", "1\n2\n"},
      {"awk '{ getline $2; print; print NF }'", "a b c\nX Y\n"},
      {"awk '{ getline a[\"k\"]; print a[\"k\"] }'", "1\n2\n"},
      {"awk 'NR == 1 { while ((getline line) > 0) last = line } END { print last, NR }'",
       "a\nb\nc\n"},
      {"awk 'BEGIN { while ((\"echo x; echo y\" | getline line) > 0) print \"got\", line }'", ""},
      {"awk 'BEGIN { \"echo 1 2 3\" | getline; print NF, $2 }'", ""},
      {"awk 'BEGIN { \"echo a\" | getline x; \"echo a\" | getline y; print x \"|\" y \"|\" }'", ""},
      {"awk 'BEGIN { cmd = \"echo a\"; cmd | getline x; close(cmd); cmd | getline y; print x \"|\" "
       "y \"|\" }'",
       ""},
      {"awk 'BEGIN { print length(ENVIRON) > 0 }'", ""},
      {"awk 'BEGIN { for (k in ENVIRON) if (k == \"HOME\") print \"home found\" }'", ""},
      {"awk 'BEGIN { x = \"A\"; printf x \"\\n\" }'", ""},
      {"awk 'BEGIN { printf \"%s\" }'", ""},
      {"awk 'BEGIN { printf \"abc\" \"\\n\" }'", ""},
      {"awk 'BEGIN { printf \"%%d\\n\" }'", ""},
      {"awk 'BEGIN { printf \"%5%\\n\" }'", ""},
      {"awk 'BEGIN { printf \"%5%\\n\", 1 }'", ""},
      {"awk 'BEGIN { printf \"%-\", 1 }'", ""},
      {"awk 'BEGIN { printf \"%\", 1 }'", ""},
      {"awk 'BEGIN { printf \"%l\", 1 }'", ""},
      {"awk 'BEGIN { printf \"%lld\\n\", 1 }'", ""},
      {"awk 'BEGIN { printf \"%hhd\\n\", 300 }'", ""},
      {"awk 'BEGIN { printf \"%ls\\n\", \"a\" }'", ""},
      {"awk 'BEGIN { printf \"%lf\\n\", 1.5 }'", ""},
      {"awk 'BEGIN { printf \"%5.2i|%x|%X\\n\", 3, 3000000000, -3 }'", ""},
      {"awk 'BEGIN { x = sprintf(\"%c\", 256); print length(x) }'", ""},
      {"awk 'BEGIN { x = sprintf(\"%c\", \"\"); print length(x) }'", ""},
      {"awk 'BEGIN { x = sprintf(\"abc%c\", 0) \"def\"; print length(x) }'", ""},
      {"awk 'BEGIN { x = sprintf(\"%s\", \"a\\0b\"); print length(x) }'", ""},
      {"awk 'BEGIN { x = sprintf(1.5); print x }'", ""},
      {"awk 'BEGIN { x = sprintf(\"%d%%\", 50); print x }'", ""},
      {"awk 'function f(a, b) { return a + b } BEGIN { print f(1) f(1, 2) }'", ""},
      {"awk 'function f(a) { a[\"x\"] = 1 } BEGIN { f(z); print length(z); for (k in z) print k }'",
       ""},
      {"awk 'function f(a) { return length(a) } BEGIN { x[1]; x[2]; print f(x) }'", ""},
      {"awk 'function f(a) { return length(a) } BEGIN { print f(\"abc\") }'", ""},
      {"awk 'function f(a) { split(\"a b\", a) } BEGIN { f(q); print q[2] }'", ""},
      {"awk 'function g(b) { b[1] = \"g\" } function f(a) { g(a) } BEGIN { f(q); print q[1] }'",
       ""},
      {"awk 'function f(a) { g(a) } function g(b) { b[1] = \"g\" } BEGIN { f(q); print q[1] }'",
       ""},
      {"awk 'BEGIN { f(q); print q[1] } function f(a) { g(a) } function g(b) { b[1] = \"g\" }'",
       ""},
      {"awk 'function f(n,  i, s) { for (i = 0; i < n; i++) s = s i; return s } BEGIN { print "
       "f(5), i, s }'",
       ""},
      {"awk 'function f() { $0 = \"x y\"; return NF } { print f(), $1 }'", "a\n"},
      {"awk 'function f() { next } { f() }'", "a\n"},
      {"awk 'function f(x) { x[1] = 1; return x[1] } BEGIN { print f() }'", ""},
      {"awk 'function f(x) { return x } BEGIN { a[\"k\"]; print f(a) }'", ""},
      {"awk 'function f(x) { x = 1 } BEGIN { a[\"k\"]; f(a) }'", ""},
      {"awk 'function fact(n) { return n <= 1 ? 1 : n * fact(n - 1) } BEGIN { print fact(10), "
       "fact(20), fact(30) }'",
       ""},
      {"awk 'function f(a,b,c) { print a, b, c } BEGIN { f(1, 2) }'", ""},
      {"awk 'function f(a) { print a } BEGIN { f(1, 2) }'", ""},
      {"awk 'function f() { exit 3 } BEGIN { f(); print \"no\" } END { print \"end\" }'", ""},
      {"awk 'function f() { return 5; print \"no\" } BEGIN { print f() }'", ""},
      {"awk 'function f(x) { while (1) { if (x++ > 3) return x } } BEGIN { print f(0) }'", ""},
      {"awk 'function f(x) { for (k in x) return k } BEGIN { a[\"only\"]; print f(a) }'", ""},
      {"awk 'BEGIN { x = 1; f(x); print x } function f(y) { y = 2 }'", ""},
      {"awk 'BEGIN { print f(2) } function f(x,   y) { y = x * 2; return y \"\" }'", ""},
      {"awk 'BEGIN { print length() }'", "abc\n"},
      {"awk '{ print length() }'", "abc\n"},
      {"awk 'BEGIN { x = \"abc\"; print length x }'", ""},
      {"awk '{ print length $0 }'", "abc\n"},
      {"awk 'BEGIN { n = split(\"a:b:c\", arr, \":\"); print arr[n] arr[1] }'", ""},
      {"awk 'BEGIN { print split(\"abc\", a, //), a[1] }'", ""},
      {"awk 'BEGIN { print split(\"a b\", a, / /), a[2] }'", ""},
      {"awk 'BEGIN { print split(\"  a  b  \", a, \" \"), a[1], a[2] }'", ""},
      {"awk 'BEGIN { print split(\"  a  b  \", a, / /), a[1], a[3] }'", ""},
      {"awk 'BEGIN { print split(\"a1b2c3\", a, /[0-9]/), a[3], a[4] \"|\" }'", ""},
      {"awk 'BEGIN { print split(\"abc\", a, \"b*\"), a[1], a[2] }'", ""},
      {"awk 'BEGIN { print split(\"aXbXc\", a, \"X\"), a[3] }'", ""},
      {"awk 'BEGIN { print split(\"a\\\\b\", a, \"\\\\\"), a[2] }'", ""},
      {"awk 'BEGIN { s = \"aaa\"; print sub(/b*/, \"x\", s), s }'", ""},
      {"awk 'BEGIN { s = \"aaa\"; print gsub(/b*/, \"x\", s), s }'", ""},
      {"awk 'BEGIN { s = \"abcabc\"; print gsub(/^a/, \"x\", s), s }'", ""},
      {"awk 'BEGIN { s = \"abcabc\"; print gsub(/c$/, \"x\", s), s }'", ""},
      {"awk 'BEGIN { s = \"abab\"; print gsub(/(ab)*/, \"<&>\", s), s }'", ""},
      {"awk 'BEGIN { s = \"hello\"; print gsub(/l*/, \"-\", s), s }'", ""},
      {"awk 'BEGIN { s = \"hello\"; print gsub(/x*$/, \"-\", s), s }'", ""},
      {"awk 'BEGIN { s = \"abc\"; print gsub(\"\", \"-\", s), s }'", ""},
      {"awk 'BEGIN { s = \"\"; print gsub(/x*/, \"-\", s), s }'", ""},
      {"awk 'BEGIN { s = \"\"; print sub(/^/, \"-\", s), s }'", ""},
      {"awk 'BEGIN { s = 12345; print gsub(/3/, \"x\", s), s, length(s) }'", ""},
      {"awk 'BEGIN { s = \"a&b\"; print gsub(/&/, \"and\", s), s }'", ""},
      {"awk 'BEGIN { s = \"ab\"; print gsub(/b/, \"\\\\\\\\\\\\&\", s), s }'", ""},
      {"awk 'BEGIN { s = \"ab\"; print gsub(/b/, \"x\\\\y\", s), s }'", ""},
      {"awk 'BEGIN { s = \"ab\"; r = \"[&]\"; gsub(/a|b/, r, s); print s }'", ""},
      {"awk '{ gsub(/[ \\t]+/, \" \"); print \"[\" $0 \"]\" }'", "  a \\t b  \n"},
      {"awk '{ sub(/^[ \\t]+/, \"\"); sub(/[ \\t]+$/, \"\"); print \"[\" $0 \"]\" }'", "  a b  \n"},
      {"awk '{ gsub(/\"/, \"\\\\\\\"\"); print }'", "say \"hi\"\n"},
      {"awk '{ gsub(/\\\\/, \"/\"); print }'", "a\\\\b\\\\c\n"},
      {"awk '{ $2 = \"\"; print; print NF }'", "a b c\n"},
      {"awk '{ gsub(/ +/, \"\", $0); print NF, $0 }'", "a b c\n"},
      {"awk '{ gsub(\"a\", \"b\", $3); print; print NF }'", "x y\n"},
      {"awk '{ sub(\"z\", \"b\", $5); print; print NF }'", "x y\n"},
      {"awk '{ print match($0, \"^[a-z]+\"), RSTART, RLENGTH }'", "abc123\n"},
      {"awk '{ if (match($0, /[0-9]+/)) print substr($0, RSTART, RLENGTH) }'", "abc123def456\n"},
      {"awk 'BEGIN { print RSTART, RLENGTH, \"|\" }'", ""},
      {"awk 'BEGIN { print match(\"\", //), RSTART, RLENGTH }'", ""},
      {"awk 'BEGIN { print match(\"abc\", /$/), RSTART, RLENGTH }'", ""},
      {"awk 'BEGIN { print toupper(substr(\"hello\", 1, 1)) substr(\"hello\", 2) }'", ""},
      {"awk 'BEGIN { printf(\"%s\\n\", substr(\"hello\", 2, 100)) }'", ""},
      {"awk 'BEGIN { print substr(\"hello\", 0, 2) \"|\" substr(\"hello\", -1) \"|\" "
       "substr(\"hello\", 3, -1) \"|\" }'",
       ""},
      {"awk 'BEGIN { print substr(\"hello\", \"2\", \"2\") }'", ""},
      {"awk 'BEGIN { print substr(123.456, 3) }'", ""},
      {"awk 'BEGIN { print index(123456, 34), index(\"abc\", 98) }'", ""},
      {"awk 'BEGIN { print int(\"0x1A\"), int(\" 3 \"), int(-0.1), int(1e300) }'", ""},
      {"awk 'BEGIN { print 1e300 * 10, -1e300 * 1e300, 2^1024 }'", ""},
      {"awk 'BEGIN { x = 2^53 + 1; printf \"%d %.0f %s\\n\", x, x, x }'", ""},
      {"awk 'BEGIN { print 3/2, 7/7, -7/2, 1e-5, 123456.7, 1234567.8 }'", ""},
      {"awk 'BEGIN { print 0.1 * 3, 1 - 0.9, 100 * 1.1 }'", ""},
      {"awk 'BEGIN { print length(0.1 * 3), (0.1 * 3 == 0.3) }'", ""},
      {"awk 'BEGIN { x = 0.1; y = x \"\"; print (y == 0.1), y }'", ""},
      {"awk 'BEGIN { a = \"10\"; b = 9; print (a > b), (a \"\" > b \"\") }'", ""},
      {"awk 'BEGIN { print (\"a\" > 1), (\"\" < 0), (x < 1), (x == \"\") }'", ""},
      {"awk 'BEGIN { print 1e3 == \"1000\", 1000 == \"1e3\", \"1e3\" == 1000 }'", ""},
      {"awk 'BEGIN { print \"a\" | \"cat\"; print \"b\" | \"cat\"; close(\"cat\"); print \"c\" }'",
       ""},
      {"awk 'BEGIN { print \"a\" | \"cat 1>&2\"; print \"b\" }'", ""},
      {"awk 'BEGIN { print \"a\" | \"sort\"; print \"c\" | \"sort\"; print \"b\" | \"sort\" } END "
       "{ print \"end\" }'",
       "x\n"},
      {"awk '{ print $0 | \"sort -n\" } END { print \"total\", NR }'", "3\n1\n2\n"},
      {"awk '{ print $0 | \"sort -n\"; print \"seen\", $0 }'", "3\n1\n2\n"},
      {"awk 'BEGIN { print \"x\" > \"/dev/stderr\"; print \"y\" > \"/dev/stdout\"; print \"z\" }'",
       ""},
      {"awk 'BEGIN { printf \"a\"; printf \"b\" > \"/dev/stderr\"; printf \"c\\n\" }'", ""},
      {"awk 'BEGIN { print \"1\"; fflush(); print \"2\" > \"/dev/stderr\"; print \"3\" }'", ""},
      {"awk 'BEGIN { print \"1\"; fflush(\"/dev/stdout\"); print \"2\" > \"/dev/stderr\"; print "
       "\"3\" }'",
       ""},
      {"awk 'BEGIN { print \"1\"; fflush(\"\"); print \"2\" > \"/dev/stderr\"; print \"3\" }'", ""},
      {"awk 'BEGIN { print fflush(\"nonexistent\"), fflush() }'", ""},
      {"awk 'BEGIN { print close(\"x\"), close(\"/dev/nonexistent\") }'", ""},
      {"awk 'BEGIN { print system(\"echo hi; exit 2\"), \"after\" }'", ""},
      {"awk 'BEGIN { printf \"before \"; system(\"echo sys\"); print \"after\" }'", ""},
      {"awk 'BEGIN { system(\"echo err 1>&2\"); print \"out\" }'", ""},
      {"awk 'BEGIN { system(\"\"); print \"empty\" }'", ""},
      {"awk 'BEGIN { print system(\"true\"), system(\"false\") }'", ""},
      {"awk '{ system(\"echo \" $1) }'", "a\nb\n"},
      {"awk 'BEGIN { \"pwd\" | getline d; print (d != \"\") }'", ""},
      {"awk 'BEGIN { while ((\"echo a b c\" | getline) > 0) print NF; print NR }'", ""},
      {"awk 'BEGIN { cmd = \"cat\"; print \"q\" | cmd; close(cmd); print \"r\" }'", ""},
      {"awk 'BEGIN { print \"a\" > \"/dev/null\"; print \"ok\" }'", ""},
      {"awk 'BEGIN { getline x < \"/dev/null\"; print \"[\" x \"]\" }'", ""},
      {"awk 'BEGIN { print (getline x < \"/dev/null\") }'", ""},
      {"awk 'BEGIN { while ((getline line < \"-\") > 0) n++; print n }'", "a\nb\n"},
      {"awk 'BEGIN { getline line < \"/dev/stdin\"; print line }'", "a\nb\n"},
      {"awk '{ print \"x\" }' /dev/null", ""},
      {"awk 'END { print NR }' /dev/null a.txt", ""},
      {"awk '{ print }' /dev/stdin", "from stdin\n"},
      {"awk '{ print FILENAME }' -", "s\n"},
      {"awk '{ print FILENAME }'", "s\n"},
      {"awk 'BEGIN { print FILENAME } END { print FILENAME }' b.txt", ""},
      {"awk 'BEGIN { getline; print FILENAME, $0 }' b.txt", ""},
      {"awk 'END { print FILENAME }'", "x\n"},
      {"awk '{ nextfile } END { print NR }' a.txt b.txt", ""},
      {"awk 'FNR == 3 { nextfile } { print FILENAME, FNR }' a.txt b.txt num.txt", ""},
      {"awk 'BEGIN { nextfile }'", ""},
      {"awk 'NR == 1 { print; next; print \"no\" } { print \"two\", $0 }' b.txt", ""},
      {"awk 'BEGIN { exit 1 } { print } END { print \"end\", NR }' a.txt", ""},
      {"awk '{ exit } END { print \"end\", NR }' a.txt", ""},
      {"awk 'END { print \"e1\" } END { print \"e2\"; exit 3 } END { print \"e3\" }' b.txt", ""},
      {"awk 'BEGIN { print \"b1\" } BEGIN { print \"b2\" }'", ""},
      {"awk 'BEGIN { printf \"x\" } END { }' empty.txt", ""},
      {"awk 'BEGIN { printf \"x\" } END { }'", ""},
      {"awk '{ }' a.txt", ""},
      {"awk 'BEGIN { } ; END { print NR } ;' b.txt", ""},
      {"awk '/a/ ; /b/' a.txt", ""},
      {"awk 'NR==1 ; NR==2 { print \"two\" }' a.txt", ""},
      {"awk $'\\n# comment\\nBEGIN {\\n  x = 1   # trailing\\n  print x\\n}\\n'", ""},
      {"awk $'BEGIN { print 1,\\n2 }'", ""},
      {"awk $'BEGIN { x = 1 +\\n2; print x }'", ""},
      {"awk $'BEGIN { if (1 &&\\n1) print \"and\" }'", ""},
      {"awk $'BEGIN { print \\\\\\n\"cont\" }'", ""},
      {"awk $'BEGIN { s = \"a\" \\\\\\n\"b\"; print s }'", ""},
      {"awk $'BEGIN\\t{\\tprint\\t\"tabs\"\\t}'", ""},
      {"awk 'BEGIN { print \"semi\" ; } ; ; END { }' ", ""},
      {"awk 'BEGIN { a[\"x\"]; delete a[\"x\"]; delete a[\"y\"]; print length(a) }'", ""},
      {"awk 'BEGIN { a[1]; a[2]; delete a; a[3]; for (k in a) print k }'", ""},
      {"awk 'BEGIN { split(\"a b c\", a); delete a[1]; a[1] = \"z\"; for (k in a) print k, a[k] }'",
       ""},
      {"awk 'BEGIN { split(\"a b c\", a); a[4] = \"d\"; for (k in a) print k, a[k] }'", ""},
      {"awk 'BEGIN { split(\"a b c\", a); print a[\"1\"]; for (k in a) print k, a[k] }'", ""},
      {"awk 'BEGIN { split(\"a b c\", a); print (\"2\" in a), (2 in a), (4 in a); for (k in a) "
       "print k }'",
       ""},
      {"awk 'BEGIN { split(\"a b c\", a); x = a[2.0]; for (k in a) print k }'", ""},
      {"awk 'BEGIN { a[\"1\"] = 1; a[1] = 2; a[1.0] = 3; for (k in a) print k, a[k] }'", ""},
      {"awk 'BEGIN { a[-0] = 1; a[0] = 2; a[\"-0\"] = 3; for (k in a) print k, a[k] }'", ""},
      {"awk 'BEGIN { a[2147483647] = 1; a[2147483648] = 2; a[-2147483648] = 3; for (k in a) print "
       "k, a[k] }'",
       ""},
      {"awk 'BEGIN { a[\"\"] = 1; a[x] = 2; for (k in a) print \"[\" k \"]\", a[k] }'", ""},
      {"awk 'BEGIN { print 1 +* 2; print 3 +* 4 }'", ""},
      {"awk $'BEGIN { print 1 +* 2\\nprint 3 +* 4\\nprint 5 +* 6 }'", ""},
      {"awk $'BEGIN { x = ; y = ; z = }'", ""},
      {"awk $'BEGIN { x = \\n y = \\n z = \\n}'", ""},
      {"awk 'BEGIN { a[ = 1 }'", ""},
      {"awk 'BEGIN { print ) }'", ""},
      {"awk 'BEGIN { print ( }'", ""},
      {"awk 'BEGIN { print ( ; }'", ""},
      {"awk 'BEGIN { f(1 }'", ""},
      {"awk 'BEGIN { x = \"a\" \"b\" c d + }'", ""},
      {"awk 'BEGIN } {'", ""},
      {"awk '} BEGIN {'", ""},
      {"awk '{ print } } }'", ""},
      {"awk 'BEGIN { print 1 } END'", ""},
      {"awk 'BEGIN { print 1 } END {'", ""},
      {"awk 'BEGIN { print 1 } BEGIN'", ""},
      {"awk 'function f( { return 1 } BEGIN { print f() }'", ""},
      {"awk 'function (x) { return 1 }'", ""},
      {"awk 'function f(x) return x'", ""},
      {"awk 'function f(x) { return x } }'", ""},
      {"awk '{ print $1 } { print $ }'", ""},
      {"awk '{ print $1 } +'", ""},
      {"awk 'BEGIN { printf \"%d\" 1 }'", ""},
      {"awk 'BEGIN { print > \"x\" > \"y\" }'", ""},
      {"awk 'BEGIN { getline x < \"a\" < \"b\" }'", ""},
      {"awk 'BEGIN { x = 1 y = 2 }'", ""},
      {"awk 'BEGIN { if () print }'", ""},
      {"awk 'BEGIN { if (1) }'", ""},
      {"awk 'BEGIN { if (1) else }'", ""},
      {"awk 'BEGIN { for (i = 0; i < 3; i++) }'", ""},
      {"awk 'BEGIN { for (k in a) }'", ""},
      {"awk 'BEGIN { do }'", ""},
      {"awk 'BEGIN { do ; while (0) }'", ""},
      {"awk 'BEGIN { else }'", ""},
      {"awk 'BEGIN { in }'", ""},
      {"awk 'BEGIN { getline in }'", ""},
      {"awk 'BEGIN { print getline }'", ""},
      {"awk 'BEGIN { split() }'", ""},
      {"awk 'BEGIN { split(a) }'", ""},
      {"awk 'BEGIN { split(a, b c) }'", ""},
      {"awk 'BEGIN { split(a, \"b\") }'", ""},
      {"awk 'BEGIN { match(a) }'", ""},
      {"awk 'BEGIN { sub(a) }'", ""},
      {"awk 'BEGIN { sub(/a/, \"b\", \"c\") }'", ""},
      {"awk 'BEGIN { gsub(/a/, \"b\", substr(x, 1)) }'", ""},
      {"awk 'BEGIN { sub(/a/, \"b\", $1 $2) }'", ""},
      {"awk 'BEGIN { close() }'", ""},
      {"awk 'BEGIN { system() }'", ""},
      {"awk 'BEGIN { srand(1, 2) }'", ""},
      {"awk 'BEGIN { rand(1) }'", ""},
      {"awk 'BEGIN { index(\"a\") }'", ""},
      {"awk 'BEGIN { atan2(1) }'", ""},
      {"awk 'BEGIN { sprintf() }'", ""},
      {"awk 'BEGIN { toupper() }'", ""},
      {"awk 'BEGIN { fflush(1, 2) }'", ""},
      {"awk 'BEGIN { substr(\"abc\", 1, 2, 3) }'", ""},
      {"awk 'BEGIN { x = y[1] = 2; y = 3 }'", ""},
      {"awk 'BEGIN { NF[1] = 2 }'", ""},
      {"awk 'BEGIN { NR[1] = 2 }'", ""},
      {"awk 'BEGIN { length[1] = 2 }'", ""},
      {"awk 'BEGIN { ENVIRON = 1 }'", ""},
      {"awk 'BEGIN { ARGV = 1 }'", ""},
      {"awk 'BEGIN { getline ARGV }'", ""},
      {"awk 'function f(x) { x[1] = 1; x = 2 }'", ""},
      {"awk 'function f(x) { x = 2; x[1] = 1 }'", ""},
      {"awk 'function f(NR) { return NR } BEGIN { print f(3), NR }'", ""},
      {"awk 'function f(f) { return f }'", ""},
      {"awk 'function length() { return 1 }'", ""},
      {"awk 'function split(a) { return 1 }'", ""},
      {"awk 'function f(a) { return a } BEGIN { f = 2 }'", ""},
      {"awk 'BEGIN { f = 2 } function f(a) { return a }'", ""},
      {"awk 'BEGIN { x = 1; x(2) }'", ""},
      {"awk 'BEGIN { x(2) ; x = 1 }'", ""},
      {"awk 'BEGIN { f(1); f(a) } function f(x) { x[1] = 1 }'", ""},
      {"awk 'BEGIN { f(a); f(1) } function f(x) { x[1] = 1 }'", ""},
      {"awk 'function f(x) { x[1] = 1 } BEGIN { f(1) }'", ""},
      {"awk 'function f(x) { g(x) } function g(y) { y[1] } BEGIN { f(1) }'", ""},
      {"awk 'function f(x, y) { } BEGIN { f(1, 2, 3) }'", ""},
      {"awk 'BEGIN { f(1, 2, 3) } function f(x, y) { }'", ""},
      {"awk 'BEGIN { g(); h() }'", ""},
      {"awk 'BEGIN { next; next }'", ""},
      {"awk 'BEGIN { return; return }'", ""},
      {"awk 'BEGIN { break; continue; break }'", ""},
      {"awk -f bad.awk a.txt", ""},
      {"awk -f prog.awk -f bad.awk", ""},
      {"awk -f bad.awk -f prog.awk", ""},
      {"awk -f lib.awk 'BEGIN{}'", ""},
      {"awk -f d", ""},
      {"awk -f nonexist.awk -f prog.awk", ""},
      {"awk -f prog.awk -- data.csv", ""},
      {"awk -f - a.txt", ""},
      {"awk -f empty.txt a.txt", ""},
      {"awk -f a.txt", ""},
      {"awk -F '[' '{print $1}' a.txt", ""},
      {"awk -F '(' '{print $1}' a.txt", ""},
      {"awk -F '\\\\' '{print $1}' a.txt", ""},
      {"awk -F 'a*' '{print $1}' a.txt", ""},
      {"awk -F '' '{print NF}' a.txt", ""},
      {"awk -F ' ' '{print $1}' words.txt", ""},
      {"awk -F '  ' '{print $1}' words.txt", ""},
      {"awk -F 'x\\ty' '{print $1}' a.txt", ""},
      {"awk -v 'x' 'BEGIN{}'", ""},
      {"awk -v '=x' 'BEGIN{}'", ""},
      {"awk -v 'x=' 'BEGIN{print \"[\" x \"]\", length(x)}'", ""},
      {"awk -v 'NF=3' 'BEGIN{print NF}'", ""},
      {"awk -v 'FS=,' '{print $1}' data.csv", ""},
      {"awk -v 'OFS=-' '{$1=$1; print}' words.txt", ""},
      {"awk -v 'NR=10' '{print NR}' b.txt", ""},
      {"awk -v 'CONVFMT=%.2f' 'BEGIN{x=3.14159; print x \"\"}'", ""},
      {"awk -v 'ENVIRON=1' 'BEGIN{}'", ""},
      {"awk -v 'ARGV=1' 'BEGIN{print ARGV}'", ""},
      {"awk -v 'x=1' -v 'x=2' 'BEGIN{print x}'", ""},
      {"awk -v 'x=\\n' 'BEGIN{print length(x)}'", ""},
      {"awk -v 'x=\\\\' 'BEGIN{print x}'", ""},
      {"awk -v 'x=a\\\"b' 'BEGIN{print x}'", ""},
      {"awk -v 'x=\\101\\x42' 'BEGIN{print x}'", ""},
      {"awk -v 'x=3.0' 'BEGIN{print x, (x == 3)}'", ""},
      {"awk -v 'x=abc' '$0 == x' a.txt", ""},
      {"awk '{print}' 'x=1'", ""},
      {"awk 'END{print x}' 'x=1'", ""},
      {"awk '{print x}' x=1 - ", "in\n"},
      {"awk '{print}' '1x=2'", ""},
      {"awk '{print}' '=x'", ""},
      {"awk '{print}' 'NF=2' b.txt", ""},
      {"awk '{print $1}' 'FS=e' a.txt", ""},
      {"awk '{print}' 'length=2'", ""},
      {"awk '{print}' 'ENVIRON=2'", ""},
      {"awk 'function f(){} {print}' 'f=2'", ""},
      {"awk '{a[1]} {print}' 'a=2'", ""},
      {"awk '{print}' 'x=\\t' b.txt", ""},
      {"awk '{print}' ''", ""},
      {"awk '{print}' '' b.txt", ""},
      {"awk 'BEGIN{ARGV[1]=\"\"; ARGC=2} {print}'", "stdin\n"},
      {"awk 'BEGIN{ARGC=1} {print}' a.txt", "stdin\n"},
      {"awk 'BEGIN{ARGV[2]=\"b.txt\"; ARGC=3} {print FILENAME}' a.txt", ""},
      {"awk 'BEGIN{ARGV[1]=\"x=5\"} {print x}' b.txt", "in\n"},
      {"awk '{print FILENAME}' ./b.txt", ""},
      {"awk '{print FILENAME}' d/x.md", ""},
      {"awk '{print FILENAME}' d/../b.txt", ""},
      {"awk '{print}' b.txt/", ""},
      {"awk '{print}' d/", ""},
      {"awk '{print}' nofile/x", ""},
      {"awk 'BEGIN { x = \"A\"; x = x x; x = x x; print x, length(x) }'", ""},
      {"awk 'BEGIN { print length(\"héllo\"), toupper(\"héllo\"), substr(\"héllo\", 2, 2) }'", ""},
      {"awk '{ print length($0), toupper($0) }' utf8.txt", ""},
      {"awk '/[éè]/' utf8.txt", ""},
      {"awk '/caf./' utf8.txt", ""},
      {"awk '{ n = split($0, c, \"\"); print n }' utf8.txt", ""},
      {"awk 'BEGIN { printf \"%5s|%-5s|\\n\", \"é\", \"é\" }'", ""},
      {"awk 'BEGIN { printf \"%c\\n\", \"é\" }'", ""},
      {"awk 'BEGIN { printf \"%.1s\\n\", \"é\" }'", ""},
      {"awk '{ print index($0, \"è\") }' utf8.txt", ""},
      {"awk '{ gsub(/[^a-z ]/, \"?\"); print }' utf8.txt", ""},
      {"awk '{ print match($0, /[[:upper:]]+/), RLENGTH }' utf8.txt", ""},
      {"awk 'BEGIN { s = \"\\xff\\xfe\"; print length(s) }'", ""},
      {"awk 'BEGIN { print \"\\x41\\102\\t|\" }'", ""},
      {"awk 'BEGIN { print \"a\\qb\" }'", ""},
      {"awk 'BEGIN { print \"\\/\" }'", ""},
      {"awk 'BEGIN { print \"\\\"\" }'", ""},
      {"awk 'BEGIN { print \"tab\\there\" }'", ""},
      {"awk 'BEGIN { print \"x\" \"\\012\" \"y\" }'", ""},
      {"awk 'BEGIN { print \"\\1\" \"\\12\" \"\\123\" \"\\1234\" }'", ""},
      {"awk 'BEGIN { print \"\\xg\" \"\\x4g\" }'", ""},
      {"awk '{ print }' tabs.txt", ""},
      {"awk -F'\\t' '{ print $1 \"|\" $2 }' tabs.txt", ""},
      {"awk 'BEGIN{FS=\"\\t\"} { print NF }' tabs.txt", ""},
      {"awk 'BEGIN{FS=\"[ \\t]+\"} { print NF \":\" $1 }' tabs.txt", ""},
      {"awk 'BEGIN{RS=\"\\r\\n\"} { print $0 \"|\" }' crlf.txt", ""},
      {"awk '{ sub(/\\r$/, \"\"); print $0 \"|\" }' crlf.txt", ""},
      {"awk '{ print length($1) }' nul.txt", ""},
      {"awk 'BEGIN { print \"x\" > x }'", ""},
      {"awk 'BEGIN { printf \"\" > \"/dev/stdout\" }'", ""},
      {"awk 'BEGIN { print \"x\" | \"\" }'", ""},
      {"awk 'BEGIN { \"\" | getline x; print \"[\" x \"]\" }'", ""},
      {"awk 'BEGIN { while ((\"ls notthere 2>&1\" | getline l) > 0) print \"got:\", l }'", ""},
      {"awk 'BEGIN { system(\"exit 300\") ; print system(\"exit 255\") }'", ""},
      {"awk 'BEGIN { printf \"%d %d\\n\", system(\"true\"), system(\"sh -c \\\"exit 7\\\"\") }'",
       ""},
      {"awk 'BEGIN{print gensub(/a/,\"b\",\"g\",\"aaa\")}'", ""},
      {"awk 'BEGINFILE{print FILENAME}' a.txt", ""},
      {"awk '{ switch($1) { case \"a\": print } }' a.txt", ""},
      {"awk '@include \"x\"'", ""},
      {"awk '{ print $1 ** 2 }' num.txt", ""},
      {"awk '{ x **= 2 }' num.txt", ""},
      {"awk '{ a[$1][$2]++ }' words.txt", ""},
      {"awk -i inplace '{print}' a.txt", ""},
      {"awk --re-interval '/a{2}/' a.txt", ""},
      {"awk '{print $1}' RS='\\n\\n' para.txt", ""},
      {"awk 'BEGIN { IGNORECASE = 1 } /ALPHA/' a.txt", ""},
      {"awk '{ print tolower($0) }' a.txt", ""},
      {"awk 'BEGIN { PROCINFO[\"sorted_in\"] = \"@ind_str_asc\" }'", ""},
      {"awk '{ print length(a) }' a.txt", ""},
      {"awk 'BEGIN { printf \"%s\\n\", strtonum(\"0x11\") }'", ""},
      {"awk '{ print $1 }' FS=',' data.csv", ""},
      {"awk -F, -v OFS='\\t' '{ $1 = $1 } 1' data.csv", ""},
      {"awk -F, 'BEGIN { OFS = \",\" } { print $3, $1 }' data.csv", ""},
      {"awk -F',' '{ print NF; exit }' data.csv", ""},
      {"awk -F',' 'NR == 1 { for (i = 1; i <= NF; i++) print i, $i }' data.csv", ""},
      {"awk -F, '{ sum[$3] += $2; cnt[$3]++ } END { for (c in sum) printf \"%s %.2f\\n\", c, "
       "sum[c]/cnt[c] }' data.csv",
       ""},
      {"awk -F, 'NR > 1 && $2 != \"\" { print $1 }' data.csv", ""},
      {"awk -F, '$2 == \"\" { print \"missing age:\", $1 }' data.csv", ""},
      {"awk -F, '{ print $NF }' data.csv", ""},
      {"awk -F, '{ $2 = $2 + 1 } 1' OFS=, data.csv", ""},
      {"awk '{ printf \"%s%s\", $0, (NR % 2 ? \" \" : \"\\n\") }' a.txt", ""},
      {"awk 'ORS = NR % 3 ? \" \" : \"\\n\"' num.txt", ""},
      {"awk '{ print > \"/dev/stderr\" }' b.txt", ""},
      {"awk 'NR == FNR { a[$1] = $2; next } $1 in a { print $0, a[$1] }' scores.txt scores.txt",
       ""},
      {"awk 'FNR == NR { next } { print FILENAME, FNR }' a.txt b.txt", ""},
      {"awk 'BEGIN { while ((getline line < ARGV[1]) > 0) n++; print n }' a.txt", ""},
      {"awk '{ $1 = $1 }; { print }' tabs.txt", ""},
      {"awk '{ print substr($0, index($0, \" \") + 1) }' words.txt", ""},
      {"awk '{ print $0 }' RS='' para.txt", ""},
      {"awk '{ print; print \"---\" }' nonl.txt", ""},
      {"awk 'BEGIN { x[\"a\"] = 1; x[\"b\"] = 2; n = asort(x) }'", ""},
      {"awk '{ line[NR] = $0 } END { for (i = 1; i <= NR; i++) if (line[i] ~ /a/) print i\": "
       "\"line[i] }' a.txt",
       ""},
      {"awk 'BEGIN { s = sprintf(\"%c%c%c\", 72, 105, 33); print s }'", ""},
      {"awk 'BEGIN { print substr(\"2024-01-15\", 6, 2) + 0 }'", ""},
      {"awk 'BEGIN { split(\"2024-01-15\", d, \"-\"); print d[1] * 1, d[2] + 0, d[3] }'", ""},
      {"awk 'BEGIN { printf \"%-20s%s\\n\", \"Name\", \"Value\"; printf \"%-20s%d\\n\", \"x\", 1 "
       "}'",
       ""},
      {"awk '{ total += $2 } END { printf \"Total: %d, Avg: %.2f\\n\", total, total / NR }' "
       "scores.txt",
       ""},
      {"awk 'NR > 2 { exit } { print }' a.txt", ""},
      {"awk 'BEGIN { for (i = 1; i <= 5; i++) printf \"%d%s\", i, (i < 5 ? \",\" : \"\\n\") }'",
       ""},
      {"awk 'BEGIN { n = 10; for (i = 2; i <= n; i++) { p = 1; for (j = 2; j * j <= i; j++) if (i "
       "% j == 0) p = 0; if (p) printf \"%d \", i } print \"\" }'",
       ""},
      {"awk 'length($0) > 3 { count++ } END { print count \" long lines\" }' a.txt", ""},
      {"awk '/^$/ { print \"blank at\", NR }' md.md", ""},
      {"awk 'BEGIN { FS = \"\" } { for (i = NF; i > 0; i--) printf \"%s\", $i; print \"\" }' a.txt",
       ""},
      {"awk '{ $3 = sprintf(\"%05.1f\", $3) } 1' scores.txt", ""},
      {"awk '{ print ($2 >= 80 ? \"pass\" : \"fail\"), $1 }' scores.txt", ""},
      {"awk 'BEGIN { x = \"5\"; y = \"10\"; print (x < y), (x + 0 < y + 0) }'", ""},
      {"awk '{ print ($1 < $2) }' scores.txt", ""},
      {"awk '$2 ~ /^[0-9]+$/ && $2 > 80' scores.txt", ""},
      {"awk '{ if (max == \"\" || $2 > max) max = $2 } END { print max }' scores.txt", ""},
      {"awk '{ print NR, NF, length }' md.md", ""},
      {"awk 'BEGIN { RS = \".\" } { print NR \": \" $0 }' md.md", ""},
      {"awk 'BEGIN { printf \"%s\", \"\" }'", ""},
      {"awk 'BEGIN { print -3 % 2, 3 % -2, -3 % -2, 0 % 5 }'", ""},
      {"awk 'BEGIN { print 1e-300 * 1e-300, -1e-300 * 1e-300 }'", ""},
      {"awk 'BEGIN { print 100 / 3 * 3 == 100, 0.1 + 0.7 }'", ""},
      {"awk 'BEGIN { printf \"%.15g %.17g\\n\", 0.1, 0.1 }'", ""},
      {"awk 'BEGIN { printf \"%e\\n\", 0 }'", ""},
      {"awk 'BEGIN { printf \"%g %g %g %g\\n\", 100000, 1000000, 0.0001, 0.00001 }'", ""},
      {"awk 'BEGIN { x = 17; printf \"%o %x %X %#o %#x\\n\", x, x, x, x, x }'", ""},
      {"awk 'BEGIN { printf \"%5.3s|\\n\", \"abcdef\" }'", ""},
      {"awk 'BEGIN { printf \"%-5d|%-5.2f|%5s|\\n\", -3, -3.14159, \"ab\" }'", ""},
  };
  for (const Case& c : kCases) Utf8().Compare(c.command, c.input);
}

// Programs with one to five random edits: the syntax errors mawk reports,
// their lines and its recovery after them (yacc's error productions).
TEST_CASE("awk: mutated programs") {
  for (const char* c : {
           "awk $'{ for (i = 1; i <= NF;~ i++) s += $i } END { print  }' /dev/null",
           "awk $'{ while (i  3) { i++; -rintf \"%d\\\\n\", i } }' /dev/null",
           "awk $'{ $2 = \"\"; sub(/^ +/, \"\"|); print }' /dev/null",
           "awk $'BEGIN {\\n  FS = \",\"\\n=} }\\n{\\n  for: (i = 1; i <= NF; i++) {\\n    if ($i "
           "~ /^[0-9]+$/) n++\\n  }\\n}\\nEND { print n }' /dev/null",
           "awk $'{ print (>$1 > 2 ? \"big\" : \"small\"), l }ength($0) }' /dev/null",
           "awk $'{; p gsub(/o/, \"0\"); print $0 > \"/dev/stderr\" }' /dev/null",
           "awk $'BEGI { n = split\"\\na b c\", arr); print n, arr[1] }' /dev/null",
           "awk $'BEGIN { n = split(\"a b c\", ,arr); print n,- arr[1] }' /dev/null",
           "awk $'BEGIN { n = spl>it(\"a b c\", arr); pri.nt n, arr[1] }' /dev/null",
           "awk $'function f(x, y) { return uncx + y } BEGIN { print f(1, 2) }' /dev/null",
           "awk $'BEGIN { n = split[(\"a b c\",a arr); print n,arr[1] }' /dev/null",
           "awk $'NR > 1 && $2 ~ /a1/ { a[$1]++ } END { for (k in a) print k, a[k }' /dev/null",
           "awk $'/{ or (i = 1; i <= NF; i++) s += $i } END { print s }' /dev/null",
           "awk $'NR > 1 && $2 ~ /a/ { a[$1]++ } END { for (k in a) print , a[k]/a/ }' /dev/null",
           "awk $'{ while (i < 3) {{ i i++; prinf \"%d\\\\n\", i } }' /dev/null",
           "awk $'{ gsub(/o/, \"0\");print $0 > \"/dev/stderr\" }' /dev/null",
           "awk $'{ for (i = ; i1; i <= NF; i++) s += $i } END { prin (it s} E }' /dev/null",
           "awk $'/x/,$ /y/ { print/ NR \": \" $0 }' /dev/null",
           "awk $'NR > 1 && \\\\$2 ~ /a/ { a[$1]++ } END { for (k in a) print , a[k] }' /dev/null",
           "awk $'NR >  (k1 && $2 ~ /a/ { a[$1]++ } END { for (k in a) print k, a[k] }' /dev/null",
           "awk $'{ gsub(/o/, \"0\");r\"  pr it $0 > \"/dev/stderr\" ' /dev/null",
           "awk $'{ pri ntf(\"%s %d\\n\", $1, $ * 2) | \"sort\" }' /dev/null",
           "awk $'{! $2= \"\"; sub(/^ +/, \"\"); print }' /dev/null",
           "awk $'{ while (i < 3) { i++; pintf \"%dn\", i } }' /dev/null",
           "awk $'{ gsub(/o/, \"0\"); print $0 > \"/dev/stderr\" }.' /dev/null",
           "awk $'{ gsub(/o/, \"0\"); print $0 > \"/daev/st/daderr\" }' /dev/null",
           "awk $'{ for(i = 1; i <= NF; i++) s += $i } END { print s }' /dev/null",
           "awk $'{ for (i =1; i <= NF i++) s += $i }b END { print s }' /dev/null",
           "awk $'{ while (i< 3) { i++; pr;itf \"%d\\\\n\", i } }' /dev/null",
           "awk $'BEGIN { d 3);{ x++ } while (x < 3); print! *x }' /dev/null",
           "awk $'{ while (i < 3) { i++; printf\"%d\\\\n\", i } }' /dev/null",
           "awk $'{ $2 = \"\"; sub(/^ /, \"\"); p$rint ~}' /dev/null",
           "awk $'{ for (i = 1;  <= NF; i++) s += $i } END { print s }' /dev/null",
           "awk $'{ gsub(/ont /, \"0\"); print $0 +> \"/dev/stderr\" }' /dev/null",
           "awk $'{ $2 = \"\"; sub/^+/, \"\"); rint }' /dev/null",
           "awk $'BEGIN { n =,\\n arrsplit=(\"a b c\", arrb); print n, arr[1] }' /dev/null",
           "awk $'{ wile (i  3) { i++; printf \"%d\\\\n=\", i } }' /dev/null",
           "awk $'{ gsub(/o/, \"0\"); print $ > \"/dev/stderr\" }' /dev/null",
           "awk $'BE&GIN { do { intx+ } while (x < 3)= print x }' /dev/null",
           "awk $'BEGIN { get~line line < \"f\"; 1print aline }' /dev/null",
           "awk $'{ while (i < 3) { i++; pricntf \"% (id\\\\n\", i } }' /dev/null",
           "awk $'{ $2 =\"\"; sub(/ +/, \"\"); print}' /dev/null",
           "awk $'BEGIN { while ((gtline l < \"f&\") > 0) { split(l, p, \":\"); print p?[1] } "
           "close(\"f\") }' /dev/null",
           "awk $'function\" max(a, b) {\\n  return a > b ? a : b\\n}\\n{ m  max(m, $1) }\\nEND { "
           "prib\\n}nt $ }' /dev/null",
           "awk $'{ while (i < 3) ={ i++ printf\\\\n\" \"%d\\\\n\", i } }' /dev/null",
           "awk $'{ w\", tf hile (i < 3){ i++; printf \"%d\\\\n\", i } }' /dev/null",
           "awk $'{ wh%d\\\\ile (i < 3) { i++; printf \"%d\\\\n\", i } }' /dev/null",
           "awk $'{ gsub(/$o/, \"0$o/\"); print $0 > \"/dev/stderr\"[ }' /dev/null",
           "awk $'NR > 1 && $2 ~ /a/ { a[$1]++ } END { for (k in a) print k, a[k] ' /dev/null",
           "awk $'{ whi;le (i < 3) { i++; printf \"%d\\\\n\", i } }' /dev/null",
           "awk $'BEGI > N { x = 1; if (x > 0) print \"pos\"; else print\"neg\" }' /dev/null",
           "awk $'{ printf(\"]%s %d\\n\", $1, $2 * 2) | \"sort\" }' /dev/null",
           "awk $'{ print ($1 > 2 ? \"big\" : \"small), length($0) }' /dev/null",
           "awk $'function f(x, y) { return x + y } BEy }GIN { print 1f(1, 2) }' /dev/null",
           "awk $'{$ $2 = 1\"\"; sub(/^ +/, \"\"); print ' /dev/null",
           "awk $'BEGIN { do { x++ } w?hle (x < 3);, print x }' /dev/null",
           "awk $'B&GIN { getlinea$ line < \"f\"; print line }' /dev/null",
           "awk $'BEGIN { n = split(\" b c\", arr); print n, arr[1] }' /dev/null",
           "awk $'{ gsub(/o/, \"0); print $0 > \"/dev/tderr\" }' /dev/null",
           "awk $'{ gsub(/o/, \"0\"); print $0 > \"/de/sterr\" }' /dev/null",
           "awk $'BEGIN { x = 1; if (x > 01; ) print \"pos\"; else print \"neg x\" }' /dev/null",
           "awk $'{ pr{in=tf(\"%s %d\", {$1, $2 * 2) | \"sort\" }' /dev/null",
           "awk $'function f(x, +y) { return x + y } BEGIN { print f(1, 2) }unc' /dev/null",
           "awk $'BEGIN { x\"= 1; if (x > 0) print \"pos\"; else 1prbint \"neg\" }' /dev/null",
           "awk $'BEGI|N {\\n  FS = \",\"\\n}\\n{\\n  for (i = 1; i <= NF; i++a) {\\n    if ($i ~ "
           "/^[0-9]+$/) n++\\n  }\\n}\\nEND { print n  }' /dev/null",
           "awk $'{ x[$1]= [$1] \" \" $2 }\\nEND {\\n  for (k in x)\\n   prin&t k \":\" x[k]\\n}' "
           "/dev/null",
           "awk $'{ for (i  1; i <= NF; i++) s& +~= $i } END { print s }' /dev/null",
           "awk $'NR > 1 && $2 ~+ } /a { a[$1]++ ;} END { for (k in a) print k, a[k] }' /dev/null",
           "awk $'{ for (i = 1;  ENi &<=NF; i++) s +|= $i } END { print s }' /dev/null",
           "awk $'N *> 1 && $2 ~ /a/ { a[$ 1]++ } END { for (k in a ~ ) print k, ;a[k] }' "
           "/dev/null",
           "awk $'{ $2 = \"\"; ub(/^ +/, \"\"); prnt }' /dev/null",
           "awk $'{ x[$1] = x$1] \" \" $2 }\\nEN {\\n  for (k in x)\\n    print k \":\" x[k]\\n}' "
           "/dev/null",
           "awk $'{ while (i < 3-) { i++; printf \"%d\\\\n\", i } }' /dev/null",
           "awk $'BEGIN {do { x++ } whle (x < 3); rint x }' /dev/null",
           "awk $'BEGIN { n = split(\"a b c\", arr)rr); print n, arr[1] }' /dev/null",
           "awk $'function ma\\nENx(a~, b) {\\n  return a t m> b ? a : b\\n}\\n{ m = max(m, $1) "
           "}\\nEND { print m }' /dev/null",
           "awk $'{ gsub \"0(/o/, \"0\"); print $ > \"/dev/tderr\" }' /dev/null",
           "awk $'//, /y/, { print NR \": \" <$0 }' /dev/null",
           "awk $'{ gsub(/o/, \"0); print $0 > \"/dev/stderr\" }> \" ' /dev/null",
           "awk $'{ sub(/o/v/s, \"0\") rint $0 > \"/dev/stderr\" }' /dev/null",
           "awk $'function max(a b){ {\\n  return a > b ? a : b\\n}\\n{ m = max(m, $1) }\\nEND { "
           "print m }' /dev/null",
           "awk $'/x/, /y/ { pr=int NR\": \" $0 }' /dev/null",
           "awk $'BEGIN { x = 1; if (x > 0)| print \"pos\"; else print \"neg\"\"po }' /dev/null",
           "awk $'BEGIN { n = split(\"a b c\", arr); prin#t n, arr[1] }' /dev/null",
           "awk $'function f(x, y~)< { return x + y } EGIN { print f>(1, 2) }' /dev/null",
           "awk $'function f(x, y) { returnn x x + y } BEGIN{ { print f(1, 2) }' /dev/null",
           "awk $'{ for (i = 1; i <\\\\= NF; i++!)( s += $i }END{ print s }' /dev/null",
           "awk $'x/, /y/ { pint NR \":\" $0 }\\n' /dev/null",
           "awk $'BEG \"fIN { ge\\\\tline line < \"f\"; print lpriine }' /dev/null",
           "awk $'BEGIN { do { x++ } wh<ile (x < 3); prnt x }' /dev/null",
           "awk $'BEGIN {<{\\n  FS = \",\"\\n}\\n{\\n  for (i =a 1; i <= NF; i++) {\\n    if ($i ~ "
           "/^[0-9]+$/) n+\\n+\\n  }\\n}\\nEND { print n }' /dev/null",
           "awk $'function f(x, y) { >return x + y } BEGIN { print f(1,/ 2) }' /dev/null",
           "awk $'BEGIN { n = s*lit(\"ab c\", arr); pN {(rint n, arr[1] }' /dev/null",
           "awk $'/x/, /:y/ { print NR \": \" ${0 }' /dev/null",
           "awk $'{ gsub(//, \"0\"); print  }$0 > \"/dev/stderr\" }' /dev/null",
           "awk $'{ while (i <3 { i++; printf \"%d\\\\n\"n\",, i } }' /dev/null",
           "awk $'{ for+ (i = 1; i <= NF; i++  + $i } END { print s ' /dev/null",
           "awk $'{ x[$1] = x[$1] \" \" $2for }\\nEND {\\n  for (k in x)\\n    print k \":\" "
           "x[k]\\n}' /dev/null",
           "awk $'{ while (i < 3) { i++; printf \"%d\\\\n\", ;i } }' /dev/null",
           "awk $' gsub(/o/, \"0\"); print $0 > \"/dev/stderr\" }' /dev/null",
           "awk $'{ gsub(/o/<, \"0\")); prin $0  pr> \"/=dev/stderr\" }' /dev/null",
           "awk $'{ printf(\"%s %d\\n\", $1, $/2 * 2) | \"sort\"[ }' /dev/null",
           "awk $'|nt { gsub(/o/, \"0\"); print $0 b> \"/dev/stderr\" }' /dev/null",
           "awk $'BEGIN { <  getl < ine line < \"f\"; pint l)ine}' /dev/null",
           "awk $'{ print ($1 > 2 ? big\"/ : \"small\"#), length$0) }' /dev/null",
           "awk $'{ while (i <3) { i++; printf \"%d\\\\n.\", i } }' /dev/null",
           "awk $'BEGIN { do { x++ } while (x < 3); print x }1' /dev/null",
           "awk $'{ print ($1 > 2 ?\"big\" : \"smal\"), length($0) }' /dev/null",
           "awk $'BEGIN { n = slit(\"a b c\", arr); print n, arr[1] }' /dev/null",
           "awk $'BEGIN { x = 1; if (x > 0) print \"pos\"; else p+rint \"neg\" }' /dev/null",
           "awk $'{ $2 =\"\"*; sub(/^ +/, \"\"); printb }' /dev/null",
           "awk $'{ gsub(/o/, \"0\"); print $0 > :\"/de}v/stderr\" }' /dev/null",
           "awk $'NR > 1 && $2< ~ /a/ { a[$1]++ } END { for (k in aor ) print k, a[k] }' /dev/null",
           "awk $'{ print ($1 > 2 ? \"ig\" : \"small\",), ength($0)  }' /dev/null",
           "awk $'{ gsub(/o/, \"0\"); prit $0 >$ :\"/dev/stder> :r\" }' /dev/null",
           "awk $'{ $2 =\"\"; sub(/^+/, \"\"); print }' /dev/null",
           "awk $'{ $2 = \"\";1 sub(/^ +/, =  \"\"-); prin }' /dev/null",
           "awk $'NR > 1 && $2 ~ /a/ { a[$1++ } END { for (k in$1+ a) print k, a[] }' /dev/null",
           "awk $'BEIN { do { x++ } while (x? < 3); print x }' /dev/null",
           "awk $'function maretx(a, b) {\\n  return a > b ? a\\n : b\\n}\\n\\n{  = max(m, $1) "
           "}\\nEND { print m }' /dev/null",
           "awk $'function f(x, y) { retu$rn x + y } BEGIN { print f(1, 2) }' /dev/null",
           "awk $'{ gsb(/o/, \"0\"); print $0 >< \"/dev/stderr\"  }' /dev/null",
           "awk $'BGIN { getlne line c< \"f\"; print l\"ine 1}' /dev/null",
           "awk $'func:tion max(a, b) {\\n  return a > b ? a :b\\n}\\n{ m = max(m, $1) }\\nEND { "
           "print m }' /dev/null",
           "awk $'BEGIN { do  < { )<  x++ } *while (x < 3); print  }' /dev/null",
           "awk $'{BEGI(N { x = 1; if (x > 0) print \"pos\"; else print \"neg\" }' /dev/null",
           "awk $'{ for (i = 1; i <= NF; += i++) s += $i } END { print s }' /dev/null",
           "awk $'function f(x, y) { return x + y } BEGIN {  { print f(1, 2) }' /dev/null",
           "awk $'{ print :($1 > 2 ? \"big\" : \"small\"), length($0) }' /dev/null",
           "awk $'/x/, /y/ { prin~t; NR \": \" $0}' /dev/null",
           "awk $'BEGIN { do { x++\\n } while (x < 3); print x }' /dev/null",
           "awk $'{ gsub(>/o/, std\"0\"); print $0 > \"/dev/stderr\" }' /dev/null",
           "awk $'function f(x, y) { return x + y } BEGIN  print f(1, 2 }' /dev/null",
           "awk $'NR > 1 && $2 ~ /a/ { a[$1]++ } E/ND { for (k in a) print k, ak] }' /dev/null",
           "awk $'{ sub(/o/, \"0\"); print $0 > \"/de }v/stderr\" }' /dev/null",
           "awk $'{ $2 = \"\" sub(/^ +//, \"); print }' /dev/null",
           "awk $'BEGIN { n = splt(\"ab c\"N {, arr); prin n, arr[1] }1' /dev/null",
           "awk $'/\\nx/, /y#/ { prin NR \":x/, \" $0 ' /dev/null",
           "awk $'{ printf(\"%s %d?\\n\", $1, $2 * 2) | \"sort\" }' /dev/null",
           "awk $'#NR > 1 && $2 ~ a/ { a[$1]++ } END { for ( }k in a) print k, a[k] }' /dev/null",
           "awk $'BEG,IN { do { |x++ } while x < 3); print x }' /dev/null",
           "awk $'{ gsub(+/o/, \"0\"); print $0 > \"/dev/stderr\" }' /dev/null",
           "awk $'function f(x, y) { returtion  + y } BEGIN{ print (1, 2) }' /dev/null",
           "awk $'NR > ;1 & $2 1~ /a/ { a[$1]++ } EN[D { for (kin a) print k, a[k] }' /dev/null",
           "awk $'{ print($1 > 2 ? \"big\" : \"small\"), length($0) }' /dev/null",
           "awk $'{ while (i < 3) { i+; printf \"%d\\\\n\", i } }' /dev/null",
           "awk $'{ for (i= 1; i < NF; i++) s += $i } END { pr(int s }' /dev/null",
           "awk $'{ for (i =1; i <= NF; i++) s += $i } END { print s }' /dev/null",
           "awk $'{ gsub(/o/, \"0\"); pr1int $ > \"/dev/stdrr\" }' /dev/null",
           "awk $'/x/, /y/ { printNR \": \" $0 }' /dev/null",
           "awk $'unction f(x, yre) { retur x + y } BE-GIN { print f(1, 2) }' /dev/null",
           "awk $'{ fr (i = 1-; i <= }NF:; i++) s += $i } EN.D { print s }' /dev/null",
           "awk $'functi BEon f(, y) { return x + y } BEGIN { print f(1, 2) }' /dev/null",
           "awk $'{ for (i = 1; i <= NF; i++) s += $i } END { pr) sint s }' /dev/null",
           "awk $'function mx(a, b) {\\n  return a > b ? a : b\\n}\\n{ m = max(m, $1) }\\nEND { "
           "print m }' /dev/null",
           "awk $'{ gsub(/o/, \"0\"; print $0 > \"/dev/stderr\" }' /dev/null",
           "awk $'BEIN ;{ do { x++ } hile (x < 3); print x }' /dev/null",
           "awk $'BEGIaN { x = 1; if (x > 0) print \"pos\"; ese print \"neg\" }' /dev/null",
           "awk $'//, // { rint NR \": \" $0 /y/}' /dev/null",
           "awk $'{ for (i = 1; i < fo=NF; i++) s += $i } END { p rint s }' /dev/null",
       }) {
    Utf8().Compare(c);
  }
}

// Random sequences of array operations: `for (k in a)` must walk the keys
// in mawk's order after insertions, deletions, integer and string keys,
// split() arrays and table doubling.
TEST_CASE("awk: array order under random operations") {
  for (
      const char* c : {
          "awk 'BEGIN { for (i = 6; i < 2323; i++) a[\"163\"]; a[\"2971\"] = 1; a[800] = 1; x = "
          "a[(i % 97) \"x\"]; x = a[(i % 97) \"x\"]; a[(i % 97) \"x\"] = 1; x = (2288 in a); x = "
          "a[2795]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { x = a[\"k\" i]; delete a[i]; x = a[(i % 97) \"x\"]; for (i = 0; i < 628; "
          "i++) a[(i % 97) \"x\"]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print "
          "length(a) }'",
          "awk 'BEGIN { for (i = 2; i < 1888; i++) a[i]; x = a[i SUBSEP 1]; a[i/2] = 1; for (i = "
          "0; i < 2039; i++) a[i/2]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; "
          "print length(a) }'",
          "awk 'BEGIN { a[i \"\"] = 1; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; "
          "print length(a) }'",
          "awk 'BEGIN { delete a[(i % 97) \"x\"]; delete a[\"2915\"]; split(\"w0 w1 w2 w3 w4 w5 w6 "
          "w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18\", a); x = a[1571]; x = (i SUBSEP 1 in a); "
          "for (i = 3; i < 1869; i++) a[\"k1774\"]; a[45.5] = 1; a[2387] = 1; n = 0; for (k in a) "
          "{ if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { a[i] = 1; x = (\"k399\" in a); a[-i] = 1; for (k in a) if (k %% 3 == 0) "
          "delete a[k]; x = (i \"\" in a); n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k "
          "}; print length(a) }'",
          "awk 'BEGIN { x = (i in a); split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 "
          "w15 w16 w17 w18 w19 w20 w21 w22 w23 w24 w25 w26 w27\", a); for (k in a) if (k %% 3 == "
          "0) delete a[k]; for (i = 7; i < 1277; i++) a[(i % 97) \"x\"]; for (i = 3; i < 2012; "
          "i++) a[i]; x = (i/2 in a); x = a[429]; for (i = 10; i < 210; i++) a[i \"\"]; n = 0; for "
          "(k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { delete a[-i]; for (i = 1; i < 2434; i++) a[i]; a[i*7] = 1; a[\"2193\"] = "
          "1; for (i = 6; i < 1376; i++) a[289]; a[2237] = 1; n = 0; for (k in a) { if (n++ < 40) "
          "printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { x = a[i]; a[\"k\" i] = 1; delete a[1925]; n = 0; for (k in a) { if (n++ < "
          "40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { a[\"k1567\"] = 1; split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 "
          "w14\", a); for (k in a) if (k %% 3 == 0) delete a[k]; a[i] = 1; for (i = 3; i < 611; "
          "i++) a[i SUBSEP 1]; x = (\"k1761\" in a); x = (i*7 in a); n = 0; for (k in a) { if (n++ "
          "< 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 0; i < 271; i++) delete a[i]; for (i = 5; i < 541; i++) "
          "a[\"k1938\"]; a[1608] = 1; for (i = 4; i < 1136; i++) a[1790]; for (i = 0; i < 1; i++) "
          "delete a[i]; for (i = 5; i < 1960; i++) a[\"k1618\"]; a[\"k1838\"] = 1; n = 0; for (k "
          "in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { x = a[1726]; for (i = 4; i < 1615; i++) a[\"1003\"]; x = a[857]; for (k in "
          "a) if (k %% 3 == 0) delete a[k]; a[17.5] = 1; n = 0; for (k in a) { if (n++ < 40) "
          "printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 5; i < 2226; i++) a[1249]; split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 "
          "w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20 w21 w22 w23 w24\", a); n = 0; for (k in a) "
          "{ if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 8; i < 2306; i++) a[2646]; for (k in a) if (k %% 3 == 0) delete "
          "a[k]; delete a[\"2253\"]; split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 "
          "w16 w17 w18 w19 w20\", a); for (i = 10; i < 571; i++) a[(i % 97) \"x\"]; a[\"k536\"] = "
          "1; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 5; i < 1678; i++) a[i/2]; for (i = 0; i < 398; i++) delete a[i]; "
          "for (i = 10; i < 515; i++) a[i]; x = a[\"k174\"]; for (i = 8; i < 1933; i++) a[-i]; for "
          "(i = 4; i < 1851; i++) a[i]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; "
          "print length(a) }'",
          "awk 'BEGIN { for (k in a) if (k %% 3 == 0) delete a[k]; delete a[i \"\"]; x = (\"2043\" "
          "in a); x = a[1076]; for (k in a) if (k %% 3 == 0) delete a[k]; delete a[\"k1604\"]; n = "
          "0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { x = (\"677\" in a); a[\"1354\"] = 1; delete a[3.5]; for (i = 3; i < 1104; "
          "i++) a[\"k1359\"]; for (k in a) if (k %% 3 == 0) delete a[k]; n = 0; for (k in a) { if "
          "(n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (k in a) if (k %% 3 == 0) delete a[k]; for (k in a) if (k %% 3 == 0) "
          "delete a[k]; for (k in a) if (k %% 3 == 0) delete a[k]; n = 0; for (k in a) { if (n++ < "
          "40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { a[\"k1178\"] = 1; a[\"k653\"] = 1; a[i] = 1; a[\"k\" i] = 1; a[(i % 97) "
          "\"x\"] = 1; a[\"774\"] = 1; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; "
          "print length(a) }'",
          "awk 'BEGIN { delete a[i]; split(\"w0 w1 w2 w3 w4\", a); for (k in a) if (k %% 3 == 0) "
          "delete a[k]; for (i = 0; i < 2487; i++) a[\"k138\"]; delete a[i]; for (i = 1; i < 283; "
          "i++) a[28.5]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) "
          "}'",
          "awk 'BEGIN { split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12\", a); x = (i SUBSEP 1 "
          "in a); a[438] = 1; for (k in a) if (k %% 3 == 0) delete a[k]; for (i = 10; i < 2113; "
          "i++) a[i/2]; delete a[i]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; "
          "print length(a) }'",
          "awk 'BEGIN { for (i = 10; i < 1117; i++) a[\"k\" i]; for (i = 5; i < 2199; i++) "
          "a[1607]; split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 "
          "w20 w21\", a); x = a[2371]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; "
          "print length(a) }'",
          "awk 'BEGIN { a[i] = 1; x = (i SUBSEP 1 in a); for (i = 0; i < 428; i++) delete a[i]; "
          "a[-i] = 1; for (k in a) if (k %% 3 == 0) delete a[k]; for (i = 9; i < 1719; i++) "
          "a[\"k\" i]; split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 "
          "w19 w20 w21 w22 w23 w24 w25 w26 w27 w28\", a); n = 0; for (k in a) { if (n++ < 40) "
          "printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 10; i < 2174; i++) a[i]; x = (\"k\" i in a); split(\"w0 w1 w2 w3 "
          "w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20 w21 w22 w23 w24 w25 w26 "
          "w27\", a); delete a[\"409\"]; for (i = 4; i < 1106; i++) a[680]; for (i = 6; i < 769; "
          "i++) a[\"k\" i]; delete a[\"k1118\"]; n = 0; for (k in a) { if (n++ < 40) printf \"%s "
          "\", k }; print length(a) }'",
          "awk 'BEGIN { for (k in a) if (k %% 3 == 0) delete a[k]; split(\"w0 w1 w2 w3 w4 w5 w6 w7 "
          "w8\", a); for (i = 5; i < 720; i++) a[1730]; n = 0; for (k in a) { if (n++ < 40) printf "
          "\"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 2; i < 311; i++) a[\"k280\"]; n = 0; for (k in a) { if (n++ < 40) "
          "printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { a[\"k597\"] = 1; split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 "
          "w15 w16 w17 w18\", a); a[\"k\" i] = 1; delete a[\"k158\"]; for (i = 3; i < 1994; i++) "
          "a[i]; x = (\"k\" i in a); n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; "
          "print length(a) }'",
          "awk 'BEGIN { a[(i % 97) \"x\"] = 1; for (i = 2; i < 695; i++) a[i]; split(\"w0 w1 w2 w3 "
          "w4\", a); a[\"k1564\"] = 1; a[(i % 97) \"x\"] = 1; n = 0; for (k in a) { if (n++ < 40) "
          "printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 6; i < 1582; i++) a[\"k\" i]; n = 0; for (k in a) { if (n++ < 40) "
          "printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 3; i < 1681; i++) a[(i % 97) \"x\"]; for (i = 1; i < 578; i++) "
          "a[\"541\"]; for (i = 0; i < 867; i++) a[i]; for (i = 2; i < 1194; i++) a[i \"\"]; n = "
          "0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 0; i < 290; i++) a[2914]; for (i = 8; i < 2017; i++) a[i/2]; for "
          "(i = 6; i < 1605; i++) a[\"782\"]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", "
          "k }; print length(a) }'",
          "awk 'BEGIN { a[2823] = 1; a[i] = 1; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", "
          "k }; print length(a) }'",
          "awk 'BEGIN { split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 "
          "w19 w20 w21 w22\", a); for (k in a) if (k %% 3 == 0) delete a[k]; n = 0; for (k in a) { "
          "if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { a[\"2590\"] = 1; for (k in a) if (k %% 3 == 0) delete a[k]; split(\"w0 w1 "
          "w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18\", a); split(\"w0 w1 w2 w3 "
          "w4 w5 w6 w7 w8 w9 w10 w11 w12\", a); for (i = 0; i < 2253; i++) a[1103]; for (i = 7; i "
          "< 1505; i++) a[\"k1858\"]; x = (29.5 in a); n = 0; for (k in a) { if (n++ < 40) printf "
          "\"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 1; i < 1027; i++) a[1265]; for (i = 3; i < 1673; i++) "
          "a[\"k862\"]; split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9\", a); n = 0; for (k in a) { if (n++ "
          "< 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 5; i < 702; i++) a[\"k631\"]; n = 0; for (k in a) { if (n++ < 40) "
          "printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 5; i < 1730; i++) a[\"553\"]; for (i = 5; i < 335; i++) a[1600]; "
          "split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20\", "
          "a); x = (i in a); delete a[-i]; for (i = 8; i < 2046; i++) a[2035]; split(\"w0 w1 w2 w3 "
          "w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19\", a); n = 0; for (k in a) { "
          "if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 1; i < 1691; i++) a[1744]; x = a[2512]; n = 0; for (k in a) { if "
          "(n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { x = a[(i % 97) \"x\"]; delete a[\"k1772\"]; n = 0; for (k in a) { if (n++ "
          "< 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { x = a[i \"\"]; split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12\", a); "
          "split(\"w0 w1 w2 w3 w4 w5 w6 w7\", a); x = (i in a); for (i = 4; i < 38; i++) a[i "
          "\"\"]; for (i = 4; i < 2344; i++) a[i/2]; for (i = 0; i < 300; i++) delete a[i]; n = 0; "
          "for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 3; i < 681; i++) a[1187]; for (i = 2; i < 2098; i++) a[(i % 97) "
          "\"x\"]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 5; i < 691; i++) a[i]; a[i SUBSEP 1] = 1; n = 0; for (k in a) { "
          "if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 0; i < 434; i++) delete a[i]; delete a[\"k322\"]; n = 0; for (k "
          "in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 4; i < 1114; i++) a[i \"\"]; x = a[i \"\"]; for (i = 4; i < 1865; "
          "i++) a[i/2]; delete a[i]; delete a[\"k141\"]; a[\"k596\"] = 1; n = 0; for (k in a) { if "
          "(n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { a[i \"\"] = 1; delete a[\"2525\"]; split(\"w0 w1 w2 w3 w4 w5 w6\", a); for "
          "(i = 1; i < 183; i++) a[\"k308\"]; x = a[i/2]; n = 0; for (k in a) { if (n++ < 40) "
          "printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 10; i < 1796; i++) a[i]; a[34.5] = 1; delete a[i]; x = (i in a); "
          "n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 5; i < 523; i++) a[702]; split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 "
          "w10 w11 w12 w13 w14\", a); x = a[978]; for (i = 9; i < 1977; i++) a[i/2]; for (i = 9; i "
          "< 2008; i++) a[27.5]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print "
          "length(a) }'",
          "awk 'BEGIN { split(\"w0 w1 w2 w3 w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14\", a); for (i = "
          "2; i < 468; i++) a[1791]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; "
          "print length(a) }'",
          "awk 'BEGIN { for (k in a) if (k %% 3 == 0) delete a[k]; n = 0; for (k in a) { if (n++ < "
          "40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 7; i < 2015; i++) a[2968]; delete a[i]; x = a[\"k1075\"]; x = (-i "
          "in a); n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 4; i < 100; i++) a[i*7]; a[\"2684\"] = 1; n = 0; for (k in a) { "
          "if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { split(\"\", a); for (i = 7; i < 1578; i++) a[890]; for (i = 7; i < 59; "
          "i++) a[1138]; delete a[\"92\"]; for (i = 6; i < 2058; i++) a[42.5]; x = (92 in a); n = "
          "0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 8; i < 2325; i++) a[\"k\" i]; n = 0; for (k in a) { if (n++ < 40) "
          "printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 10; i < 120; i++) a[32.5]; a[\"2373\"] = 1; for (k in a) if (k %% "
          "3 == 0) delete a[k]; x = (26.5 in a); a[\"k1069\"] = 1; for (i = 4; i < 328; i++) "
          "a[i/2]; x = (i in a); n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print "
          "length(a) }'",
          "awk 'BEGIN { for (k in a) if (k %% 3 == 0) delete a[k]; for (i = 9; i < 1962; i++) "
          "a[2748]; for (i = 1; i < 1385; i++) a[\"k\" i]; delete a[\"749\"]; x = a[i]; x = (416 "
          "in a); split(\"w0 w1 w2 w3 w4 w5\", a); n = 0; for (k in a) { if (n++ < 40) printf \"%s "
          "\", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 2; i < 2182; i++) a[2531]; for (k in a) if (k %% 3 == 0) delete "
          "a[k]; a[i] = 1; a[i] = 1; for (i = 9; i < 2430; i++) a[i SUBSEP 1]; x = (\"k\" i in a); "
          "for (i = 0; i < 457; i++) delete a[i]; n = 0; for (k in a) { if (n++ < 40) printf \"%s "
          "\", k }; print length(a) }'",
          "awk 'BEGIN { for (i = 4; i < 485; i++) a[i \"\"]; for (i = 4; i < 2041; i++) a[2546]; n "
          "= 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (k in a) if (k %% 3 == 0) delete a[k]; for (i = 7; i < 1094; i++) "
          "a[\"1155\"]; for (k in a) if (k %% 3 == 0) delete a[k]; x = (\"k553\" in a); x = "
          "a[2497]; x = (\"775\" in a); n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; "
          "print length(a) }'",
          "awk 'BEGIN { for (k in a) if (k %% 3 == 0) delete a[k]; for (k in a) if (k %% 3 == 0) "
          "delete a[k]; x = (i*7 in a); x = (289 in a); n = 0; for (k in a) { if (n++ < 40) printf "
          "\"%s \", k }; print length(a) }'",
          "awk 'BEGIN { for (k in a) if (k %% 3 == 0) delete a[k]; a[i*7] = 1; split(\"w0 w1 w2 w3 "
          "w4 w5 w6 w7 w8 w9 w10 w11 w12 w13 w14 w15 w16 w17 w18 w19 w20\", a); for (i = 5; i < "
          "472; i++) a[\"2676\"]; for (k in a) if (k %% 3 == 0) delete a[k]; for (k in a) if (k %% "
          "3 == 0) delete a[k]; x = a[i]; n = 0; for (k in a) { if (n++ < 40) printf \"%s \", k }; "
          "print length(a) }'",
      }) {
    Utf8().Compare(c);
  }
}

TEST_CASE("awk: summary") {
  MESSAGE("compared ", Utf8().compared, " command lines, refused ", Utf8().refused);
}

}  // namespace
