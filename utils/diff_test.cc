// diff, cmp, comm, join and column against Debian 12's own (GNU diffutils
// 3.8, coreutils 9.1, util-linux 2.38).
//
// Differential: a real directory is imported into a SQLite store; each
// command line is answered by the utility called directly on the store and
// by real bash + the real tool on the directory itself. stdout, stderr and
// status must agree and the utility must not report itself unsupported.
// diff's hunks are also checked on thousands of generated file pairs, and
// process substitutions through the shell (shell::RunScript).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "shell/shell.h"
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

std::string MaskNowTimes(const std::string& text) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string::npos) eol = text.size();
    std::string line = text.substr(pos, eol - pos);
    for (const char* prefix : {"--- ", "+++ ", "*** "}) {
      if (line.rfind(prefix, 0) != 0) continue;
      size_t tab = line.find('\t');
      if (tab == std::string::npos) continue;
      std::string name = line.substr(4, tab - 4);
      if (name == "-" || name.rfind("/dev/fd/", 0) == 0 || name == "/dev/stdin")
        line = line.substr(0, tab) + "\tNOW";
    }
    out += line;
    if (eol < text.size()) out += '\n';
    pos = eol + 1;
  }
  return out;
}

// The files every case can read.
void BuildTree(DiskTree& t) {
  t.MakeDirs("d1/sub");
  t.MakeDirs("d1/only1dir");
  t.MakeDirs("d2/sub");
  t.MakeDirs("d2/only2dir/deep");
  t.MakeDirs("d3");
  t.MakeDirs("e1");
  t.MakeDirs("e2");
  t.Write("a.txt", "alpha\nbeta\ngamma\ndelta\nepsilon\n");
  t.Write("b.txt", "alpha\nBETA\ngamma\ndelta\nepsilon\nzeta\n");
  t.Write("c.txt", "one\ntwo\nthree\n");
  t.Write("same.txt", "alpha\nbeta\ngamma\ndelta\nepsilon\n");
  t.Write("empty.txt", "");
  t.Write("nonl.txt", "alpha\nbeta\ngamma");
  t.Write("nonl2.txt", "alpha\nbeta\nGAMMA");
  t.Write("nonl3.txt", "alpha\nbeta\ngamma\n");
  t.Write("ws1.txt", "a b\n  lead\ntrail  \nx\ty\n\nend\n");
  t.Write("ws2.txt", "a  b\nlead\ntrail\nx y\n\n\nEND\n");
  t.Write("tabs1.txt", "\tindented\nmid\tdle\n");
  t.Write("tabs2.txt", "        indented\nmid     dle\n");
  t.Write("blank1.txt", "a\n\nb\nc\n");
  t.Write("blank2.txt", "a\nb\n\n\nc\n");
  t.Write("case1.txt", "Hello World\nfoo\n");
  t.Write("case2.txt", "hello world\nFOO\n");
  t.Write("crlf.txt", "line one\r\nline two\r\n");
  t.Write("lf.txt", "line one\nline two\n");
  t.Write("utf8a.txt", "café crème\nÀ la carte\nnaïve\n");
  t.Write("utf8b.txt", "café creme\nÀ la carte\nnaïve ÉTÉ\n");
  t.Write("bin1.bin", std::string("abc\0def\n", 8));
  t.Write("bin2.bin", std::string("abc\0xyz\n", 8));
  t.Write("bin3.bin", std::string("abc\0def\n", 8));
  t.Write("invalid.txt", "ok\n\xff\xfe bytes\n");
  t.Write("invalid2.txt", "ok\n\xff\xfd bytes\n");
  t.Write("name with space.txt", "spaced\n");
  t.Write("name2 with space.txt", "spaced out\n");
  t.Write("long1.txt", [] {
    std::string s;
    for (int i = 1; i <= 60; ++i) s += "line " + std::to_string(i) + "\n";
    return s;
  }());
  t.Write("long2.txt", [] {
    std::string s;
    for (int i = 1; i <= 60; ++i) {
      if (i == 5 || i == 30) continue;
      s += "line " + std::to_string(i) + (i == 17 || i == 45 ? " changed" : "") + "\n";
      if (i == 50) s += "inserted\n";
    }
    return s;
  }());
  t.Write("d1/f.txt", "x\n");
  t.Write("d2/f.txt", "y\n");
  t.Write("d1/same.txt", "same\n");
  t.Write("d2/same.txt", "same\n");
  t.Write("d1/only1.txt", "only in d1\n");
  t.Write("d2/only2.txt", "only in d2\n");
  t.Write("d1/sub/s.txt", "sub one\n");
  t.Write("d2/sub/s.txt", "sub two\n");
  t.Write("d1/only1dir/z.txt", "z\n");
  t.Write("d2/only2dir/deep/w.txt", "w\n");
  t.Write("d1/kind", "a file here\n");
  t.MakeDirs("d2/kind");
  t.Write("d1/empty-vs-dir", "");
  t.MakeDirs("d2/empty-vs-dir");
  t.Write("d1/bin.bin", std::string("\0\1", 2));
  t.Write("d2/bin.bin", std::string("\0\2", 2));
  t.Write("d1/a.txt", "alpha\n");
  t.Write("d3/a.txt", "alpha\nbeta\n");
  t.Write("d1/sp ace.txt", "one\n");
  t.Write("d2/sp ace.txt", "two\n");
  t.Write("d1/\xc3\xa9t\xc3\xa9.txt", "summer\n");
  t.Write("d2/\xc3\xa9t\xc3\xa9.txt", "winter\n");
  t.Write("e1/x", "same\n");
  t.Write("e2/x", "same\n");
  // cmp
  t.Write("c1", "abc\ndef\nghi\n");
  t.Write("c2", "abc\ndeX\nghY\n");
  t.Write("c3", "abc\nde");
  t.Write("c4", "abc\ndef\n");
  t.Write("c5", "ABC\ndef\nghi\n");
  t.Write("cbin1", std::string("\x01\x80\xff\x7f a\0", 7));
  t.Write("cbin2", std::string("\x02\x81\xfe\x7e b\0", 7));
  // comm and join
  t.Write("s1.txt", "apple\nbanana\ncherry\ndate\n");
  t.Write("s2.txt", "banana\ncherry\nelder\nfig\n");
  t.Write("s3.txt", "apple\ncherry\nfig");
  t.Write("u1.txt", "cherry\napple\nbanana\n");
  t.Write("u2.txt", "banana\napple\nzebra\n");
  t.Write("dup1.txt", "a\na\nb\nc\nc\n");
  t.Write("dup2.txt", "a\nb\nb\nc\n");
  t.Write("z1.txt", std::string("a\0b\0d\0", 6));
  t.Write("z2.txt", std::string("b\0c\0d\0", 6));
  t.Write("j1.txt", "1 alice\n2 bob\n3 carol\n5 eve\n");
  t.Write("j2.txt", "1 engineer\n2 manager\n4 intern\n5 tester\n");
  t.Write("j3.txt", "alice 30 paris\nbob 25 rome\ndave 40 oslo\n");
  t.Write("j4.txt", "alice F\ncarol F\ndave M\n");
  t.Write("jh1.txt", "id name\n1 alice\n2 bob\n");
  t.Write("jh2.txt", "id role\n1 eng\n3 ops\n");
  t.Write("jm1.txt", "1 a\n1 b\n2 c\n3 d\n");
  t.Write("jm2.txt", "1 x\n1 y\n2 z\n4 w\n");
  t.Write("ju1.txt", "2 b\n1 a\n3 c\n");
  t.Write("ju2.txt", "1 x\n3 y\n2 z\n");
  t.Write("jb1.txt", "  1   a  \n2\tb c\n\n3 d\n");
  t.Write("jb2.txt", "1 A\n2 B\n3 D\n");
  t.Write("jc1.csv", "a,1,x\nb,2,y\nc,3,z\n");
  t.Write("jc2.csv", "a,one\nc,three\nd,four\n");
  t.Write("jcase1.txt", "Apple 1\nbanana 2\nCherry 3\n");
  t.Write("jcase2.txt", "apple red\nBANANA yellow\ncherry dark\n");
  t.Write("jnonl.txt", "1 alice\n2 bob");
  t.Write("jz1.txt", std::string("1 a\0002 b\0", 8));
  t.Write("jz2.txt", std::string("1 x\0003 y\0", 8));
  t.Write("jtab1.txt", "k1\tv1\tw1\nk2\t\tw2\n");
  t.Write("jtab2.txt", "k1\tz1\nk2\tz2\n");
  // column
  t.Write("words.txt", [] {
    std::string s;
    for (int i = 1; i <= 40; ++i)
      s += "word" + std::to_string(i * 7 % 13) + std::string(i % 5, 'x') + "\n";
    return s;
  }());
  t.Write("table.txt",
          "name age city\nalice 30 paris\nbob 5 rome\n\n  carol   41   oslo  \ndave\n");
  t.Write("table.csv", "name,age,,city\nalice,30,x,paris\nbob,,y,\n,\n");
  t.Write("wide.txt", [] {
    std::string s = "short a\nshort b\n";
    s += "key " + std::string(120, 'v') + "\n";
    return s;
  }());
  t.Write("utf8table.txt",
          "café 1\nnaïve ÉTÉ 22\n日本語 x\n\xff\xfe y\nesc \x1b[1mbold\x1b[0m z\n");
  t.Write("tabs.txt", "a\tb\tc\nlonger\tx\ty\n");
  t.Write("crlfcol.txt", "a b\r\nc d\r\n");
  t.Write("blank-only.txt", "\n   \n\t\n");
}

class Fixture : public memhook::testing::UtilityDiff {
 public:
  Fixture() : UtilityDiff("diff-test", "C.UTF-8", Build) {
    options().now_ns = 1'700'000'000'000'000'000;
  }

  // The shell over the store: `diff <(...) <(...)` and pipelines.
  void CompareShell(const std::string& script) {
    CAPTURE(script);
    memhook::shell::ShellOptions options;
    options.util = this->options();
    options.environment = {"HOME=" + tree().root.string(), "LC_ALL=C.UTF-8", "TZ=UTC",
                           "PATH=/usr/bin:/bin"};
    memhook::shell::ShellResult ours = memhook::shell::RunScript(script, store(), options);
    REQUIRE_MESSAGE(ours.outcome == memhook::shell::ShellResult::Outcome::kDone, ours.reason);
    const memhook::testing::UtilityResult real = Real(script);
    CHECK(MaskNowTimes(ours.out) == MaskNowTimes(real.out));
    CHECK(ours.err == real.err);
    CHECK(ours.status == real.status);
    ++compared;
  }

  // Generated pairs: r/N.a and r/N.b for N < kPairs.
  static constexpr int kPairs = 3000;

  static void GeneratePairs(DiskTree& t) {
    std::mt19937 rng(20261205);
    // Small alphabets make many equal lines (moves, duplicates, ties).
    const std::vector<std::vector<std::string>> alphabets = {
        {"a", "b", "c"},
        {"a", "b", "c", "d", "e", "f", "g", "h"},
        {"x", "", "y", " ", "x ", " x", "X", "\ty"},
        {"{", "}", "", "  return 0;", "int f() {", "  x++;", "  y++;"},
        {"a", "a", "a", "b"},
    };
    for (int n = 0; n < kPairs; ++n) {
      const auto& alphabet = alphabets[rng() % alphabets.size()];
      size_t length = rng() % (n % 10 == 9 ? 120 : 25);
      std::vector<std::string> a;
      for (size_t i = 0; i < length; ++i) a.push_back(alphabet[rng() % alphabet.size()]);
      std::vector<std::string> b = a;
      int edits = static_cast<int>(rng() % 6);
      for (int e = 0; e < edits; ++e) {
        switch (rng() % 5) {
          case 0:  // insert
            b.insert(b.begin() + (b.empty() ? 0 : rng() % (b.size() + 1)),
                     alphabet[rng() % alphabet.size()]);
            break;
          case 1:  // delete
            if (!b.empty()) b.erase(b.begin() + rng() % b.size());
            break;
          case 2:  // replace
            if (!b.empty()) b[rng() % b.size()] = alphabet[rng() % alphabet.size()];
            break;
          case 3: {  // move a block
            if (b.size() < 2) break;
            size_t from = rng() % b.size(), len = 1 + rng() % std::min<size_t>(4, b.size() - from);
            std::vector<std::string> block(b.begin() + from, b.begin() + from + len);
            b.erase(b.begin() + from, b.begin() + from + len);
            size_t to = rng() % (b.size() + 1);
            b.insert(b.begin() + to, block.begin(), block.end());
            break;
          }
          default:  // a fresh line
            b.insert(b.begin() + (b.empty() ? 0 : rng() % (b.size() + 1)),
                     "new" + std::to_string(rng() % 3));
            break;
        }
      }
      auto join = [&](const std::vector<std::string>& lines) {
        std::string s;
        for (const std::string& l : lines) s += l + "\n";
        if (!s.empty() && rng() % 8 == 0) s.pop_back();  // no final newline
        return s;
      };
      t.Write("r/" + std::to_string(n) + ".a", join(a));
      t.Write("r/" + std::to_string(n) + ".b", join(b));
    }
  }

  // Large pairs: r/big-N.a and r/big-N.b, where GNU's cost cut-off
  // (too_expensive) and the discarding of frequent lines come into play.
  static constexpr int kBigPairs = 10;

  static void GenerateBigPairs(DiskTree& t) {
    std::mt19937 rng(4242);
    for (int n = 0; n < kBigPairs; ++n) {
      size_t lines = 3000 + rng() % 12000;
      size_t distinct = n % 2 == 0 ? 50 : 5000;
      std::vector<std::string> a;
      for (size_t i = 0; i < lines; ++i) a.push_back("l" + std::to_string(rng() % distinct));
      std::vector<std::string> b = a;
      if (n % 3 == 0) {
        std::shuffle(b.begin(), b.end(), rng);  // nearly everything moves
      } else {
        size_t edits = 50 + rng() % (n % 3 == 1 ? 3000 : 300);
        for (size_t e = 0; e < edits; ++e) {
          size_t at = rng() % (b.size() + 1);
          if (rng() % 2 && at < b.size()) {
            b.erase(b.begin() + at);
          } else {
            b.insert(b.begin() + at, "l" + std::to_string(rng() % distinct));
          }
        }
      }
      auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const std::string& l : v) s += l + "\n";
        return s;
      };
      t.Write("r/big-" + std::to_string(n) + ".a", join(a));
      t.Write("r/big-" + std::to_string(n) + ".b", join(b));
    }
  }

  // Stdout compared with the times of "now" (a file read from stdin)
  // masked: the two sides do not run at the same instant.
  std::string Normalise(const std::string& out) const override { return MaskNowTimes(out); }

 private:
  static void Build(DiskTree& t) {
    BuildTree(t);
    // Generated pairs for the hunk tests.
    t.MakeDirs("r");
    GeneratePairs(t);
    GenerateBigPairs(t);
  }
};

Fixture& F() {
  static Fixture f;  // its tree is removed at exit
  return f;
}

void CompareAll(const std::vector<std::string>& commands, const std::string& input = "") {
  for (const std::string& c : commands) F().Compare(c, input);
}

// The option sets the generated pairs are compared under, in turn.
const std::vector<std::string> kPairOptions = {
    "",    "-u",    "-c",  "-U0",   "-U1",  "-C 2", "-i",
    "-w",  "-b",    "-B",  "-E",    "-Z",   "-bB",  "-wB",
    "-d",  "-u -d", "-uB", "-u -w", "-U 5", "-H",   "--horizon-lines=2",
    "-iw", "-c -B",
};

TEST_CASE("diff: generated pairs agree hunk for hunk") {
  Fixture& f = F();
  // One bash run prints every real answer, separated by markers.
  std::string script = "cd " + ShellQuote(f.tree().tree.string()) + " || exit; ";
  script += "for n in $(seq 0 " + std::to_string(Fixture::kPairs - 1) + "); do ";
  script += "case $((n % " + std::to_string(kPairOptions.size()) + ")) in ";
  for (size_t k = 0; k < kPairOptions.size(); ++k)
    script += std::to_string(k) + ") o=" + ShellQuote(kPairOptions[k]) + ";; ";
  script += "esac; diff $o r/$n.a r/$n.b; echo \"@@status $?\"; done";
  memhook::testing::BashOptions bash;
  bash.timeout_ms = 600'000;
  memhook::testing::ProcResult real = memhook::testing::RunBash(script, bash);
  REQUIRE(real.status == 0);
  size_t pos = 0;
  int mismatches = 0;
  int differing = 0;
  for (int n = 0; n < Fixture::kPairs; ++n) {
    size_t marker = real.out.find("@@status ", pos);
    REQUIRE(marker != std::string::npos);
    size_t eol = real.out.find('\n', marker);
    std::string expected = real.out.substr(pos, marker - pos);
    int expected_status = std::stoi(real.out.substr(marker + 9, eol - marker - 9));
    differing += expected_status == 1;
    pos = eol + 1;
    const std::string& options = kPairOptions[n % kPairOptions.size()];
    std::string command = "diff " + options + (options.empty() ? "" : " ") + "r/" +
                          std::to_string(n) + ".a r/" + std::to_string(n) + ".b";
    const memhook::testing::UtilityResult ours = f.Ours(command, "");
    if (ours.out != expected || ours.status != expected_status || !ours.unsupported.empty()) {
      ++mismatches;
      if (mismatches <= 5) {
        CAPTURE(command);
        CHECK(ours.unsupported == "");
        CHECK(ours.out == expected);
        CHECK(ours.status == expected_status);
      }
    }
    ++f.compared;
  }
  CHECK(mismatches == 0);
  CHECK(differing > Fixture::kPairs / 2);  // the pairs do differ
}

TEST_CASE("diff: large inputs (cost cut-off, -H, --minimal)") {
  for (int n = 0; n < Fixture::kBigPairs; ++n) {
    std::string pair = " r/big-" + std::to_string(n) + ".a r/big-" + std::to_string(n) + ".b";
    F().Compare("diff" + pair);
    F().Compare("diff -u" + pair);
    F().Compare("diff -H" + pair);
    if (n < 4) F().Compare("diff -d" + pair);
  }
  // The cut-off and the discards changed some answers: GNU's own
  // --minimal differs from its default there.
  CHECK(F().Real("cmp -s <(diff r/big-0.a r/big-0.b) <(diff -d r/big-0.a r/big-0.b)", "").status ==
        1);
}

TEST_CASE("diff: basics") {
  CompareAll({
      "diff a.txt b.txt",
      "diff a.txt same.txt",
      "diff -u a.txt b.txt",
      "diff -c a.txt b.txt",
      "diff long1.txt long2.txt",
      "diff -u long1.txt long2.txt",
      "diff -c long1.txt long2.txt",
      "diff -U1 long1.txt long2.txt",
      "diff nonl.txt nonl2.txt",
      "diff nonl.txt nonl3.txt",
      "diff -u nonl.txt nonl3.txt",
      "diff -c nonl3.txt nonl.txt",
      "diff a.txt empty.txt",
      "diff -u empty.txt a.txt",
      "diff bin1.bin bin2.bin",
      "diff bin1.bin bin3.bin",
      "diff -a bin1.bin bin2.bin",
      "diff -q a.txt b.txt",
      "diff -s a.txt same.txt",
      "diff a.txt nofile",
      "diff",
      "diff a.txt",
      "diff a.txt b.txt c.txt",
      "diff -r d1 d2",
      "diff d1 d2",
      "diff -ru d1 d2",
      "diff -rN d1 d2",
      "diff -rq d1 d2",
      "diff d1 f.txt",
      "diff a.txt d1",
      "diff -u 'name with space.txt' 'name2 with space.txt'",
      "diff utf8a.txt utf8b.txt",
      "diff invalid.txt invalid2.txt",
      "diff -u invalid.txt invalid2.txt",
  });
}

TEST_CASE("diff: output styles and context") {
  CompareAll({
      "diff -U0 long1.txt long2.txt",
      "diff -U 0 a.txt b.txt",
      "diff -U2 long1.txt long2.txt",
      "diff -U 100 long1.txt long2.txt",
      "diff -C0 long1.txt long2.txt",
      "diff -C 1 long1.txt long2.txt",
      "diff --context long1.txt long2.txt",
      "diff --context=1 long1.txt long2.txt",
      "diff --unified long1.txt long2.txt",
      "diff --unified=4 long1.txt long2.txt",
      "diff --unified= a.txt b.txt",
      "diff -u -U1 long1.txt long2.txt",
      "diff -U1 -u long1.txt long2.txt",
      "diff -5 -u long1.txt long2.txt",
      "diff -u -1 long1.txt long2.txt",
      "diff -1 -2 -u long1.txt long2.txt",
      "diff -12u long1.txt long2.txt",
      "diff -c -7 long1.txt long2.txt",
      "diff -U3 -9 long1.txt long2.txt",
      "diff -3 long1.txt long2.txt",
      "diff --normal long1.txt long2.txt",
      "diff --normal -u a.txt b.txt",
      "diff -u -c a.txt b.txt",
      "diff -c --unified a.txt b.txt",
      "diff -u --label old --label new a.txt b.txt",
      "diff -c --label=old --label=new a.txt b.txt",
      "diff -u --label only-one a.txt b.txt",
      "diff -L x -L y -L z a.txt b.txt",
      "diff --label old a.txt b.txt",
      "diff -u -L 'a b' -L $'tab\there' a.txt b.txt",
      "diff -q -L one -L two a.txt b.txt",
      "diff -s -L one -L two a.txt same.txt",
      "diff -t tabs1.txt tabs2.txt",
      "diff -T tabs1.txt tabs2.txt",
      "diff -u -T tabs1.txt tabs2.txt",
      "diff -c -T tabs1.txt tabs2.txt",
      "diff -t -u tabs1.txt tabs2.txt",
      "diff --tabsize=4 -t tabs1.txt tabs2.txt",
      "diff --tabsize=0 a.txt b.txt",
      "diff --tabsize=x a.txt b.txt",
      "diff --suppress-blank-empty blank1.txt blank2.txt",
      "diff --suppress-blank-empty -u blank1.txt blank2.txt",
      "diff --suppress-blank-empty -c blank1.txt blank2.txt",
      "diff --suppress-blank-empty -T -u blank1.txt blank2.txt",
      "diff -u nonl.txt nonl2.txt",
      "diff -c nonl.txt nonl2.txt",
      "diff -U0 nonl.txt nonl3.txt",
      "diff empty.txt nonl.txt",
      "diff -u nonl.txt empty.txt",
      "diff -u crlf.txt lf.txt",
      "diff --strip-trailing-cr crlf.txt lf.txt",
      "diff --strip-trailing-cr -u crlf.txt a.txt",
      "diff --horizon-lines=5 -u long1.txt long2.txt",
      "diff --horizon-lines=x a.txt b.txt",
      "diff -d long1.txt long2.txt",
      "diff --minimal -u long1.txt long2.txt",
      "diff -H long1.txt long2.txt",
      "diff --speed-large-files a.txt b.txt",
      "diff -h a.txt b.txt",
      "diff --inhibit-hunk-merge a.txt b.txt",
      "diff --binary a.txt b.txt",
      "diff --color=never -u a.txt b.txt",
      "diff --color -u a.txt b.txt",
      "diff --color=auto a.txt b.txt",
      "diff --color=sometimes a.txt b.txt",
      "diff -W 80 a.txt b.txt",
      "diff -W 0 a.txt b.txt",
      "diff --width=x a.txt b.txt",
      "diff -W 80 -W 70 a.txt b.txt",
      "diff --left-column --suppress-common-lines a.txt b.txt",
      "diff --no-dereference a.txt b.txt",
      "diff -u utf8a.txt utf8b.txt",
  });
}

TEST_CASE("diff: whitespace, case and blank lines") {
  CompareAll({
      "diff ws1.txt ws2.txt",
      "diff -b ws1.txt ws2.txt",
      "diff -w ws1.txt ws2.txt",
      "diff -Z ws1.txt ws2.txt",
      "diff -E ws1.txt ws2.txt",
      "diff -B ws1.txt ws2.txt",
      "diff -i ws1.txt ws2.txt",
      "diff -iw ws1.txt ws2.txt",
      "diff -bB ws1.txt ws2.txt",
      "diff -wB ws1.txt ws2.txt",
      "diff -ZB ws1.txt ws2.txt",
      "diff -EZ ws1.txt ws2.txt",
      "diff -u -w ws1.txt ws2.txt",
      "diff -E tabs1.txt tabs2.txt",
      "diff -E --tabsize=4 tabs1.txt tabs2.txt",
      "diff -b tabs1.txt tabs2.txt",
      "diff -w tabs1.txt tabs2.txt",
      "diff -i case1.txt case2.txt",
      "diff --ignore-case -u case1.txt case2.txt",
      "diff -q -i case1.txt case2.txt",
      "diff -s -i case1.txt case2.txt",
      "diff -B blank1.txt blank2.txt",
      "diff -B -u blank1.txt blank2.txt",
      "diff -B -c blank1.txt blank2.txt",
      "diff -B -U0 blank1.txt blank2.txt",
      "diff -q -B blank1.txt blank2.txt",
      "diff -B a.txt b.txt",
      "diff -w nonl.txt nonl3.txt",
      "diff -b nonl.txt nonl3.txt",
      "diff -Z nonl.txt nonl3.txt",
      "diff -E nonl.txt nonl3.txt",
      "diff -i nonl.txt nonl2.txt",
      "diff --ignore-all-space --ignore-blank-lines ws1.txt ws2.txt",
      "diff --ignore-space-change ws1.txt ws2.txt",
      "diff --ignore-tab-expansion --ignore-trailing-space ws1.txt ws2.txt",
      "diff -w crlf.txt lf.txt",
      "diff -b crlf.txt lf.txt",
      "diff -Z crlf.txt lf.txt",
  });
}

TEST_CASE("diff: binary files") {
  CompareAll({
      "diff bin1.bin bin2.bin",
      "diff -q bin1.bin bin2.bin",
      "diff -s bin1.bin bin3.bin",
      "diff bin1.bin a.txt",
      "diff a.txt bin1.bin",
      "diff -u bin1.bin bin2.bin",
      "diff --text -u bin1.bin bin2.bin",
      "diff -a -q bin1.bin bin2.bin",
      "diff -q a.txt b.txt",
      "diff -q a.txt same.txt",
      "diff -q a.txt nonl3.txt",
      "diff -q empty.txt a.txt",
      "diff -i bin1.bin bin2.bin",
      "diff -r d1 d2",
  });
}

TEST_CASE("diff: directories") {
  CompareAll({
      "diff d1 d2",
      "diff -r d1 d2",
      "diff -r d2 d1",
      "diff -ru d1 d2",
      "diff -rc d1 d2",
      "diff -rq d1 d2",
      "diff -rs d1 d2",
      "diff -s d1 d2",
      "diff -rN d1 d2",
      "diff -N d1 d2",
      "diff -rNu d1 d2",
      "diff -r --unidirectional-new-file d1 d2",
      "diff -r -P d2 d1",
      "diff -r d1/ d2/",
      "diff -r d1// d2",
      "diff -r ./d1 d2/.",
      "diff -r -x '*.txt' d1 d2",
      "diff -r -x sub -x 'only*' d1 d2",
      "diff -r --exclude=f.txt d1 d2",
      "diff -r -S only d1 d2",
      "diff -r --starting-file=sub d1 d2",
      "diff -r -U1 --label L1 --label L2 d1 d2",
      "diff -r -i -w -B d1 d2",
      "diff -r d1 d1",
      "diff -r e1 e2",
      "diff -rs e1 e2",
      "diff e1 e2",
      "diff d1 d3",
      "diff d3 d1",
      "diff -u d1 d3",
      "diff d1 a.txt",
      "diff a.txt d1",
      "diff d1/a.txt d3",
      "diff d1 c.txt",
      "diff c.txt d1",
      "diff d1 nofile",
      "diff nofile d1",
      "diff -N d1 nofile",
      "diff -r d1 a.txt",
      "diff d1/kind d2/kind",
      "diff d1/sub d2/sub",
      "diff -r d1/sub d2/sub",
      "diff --from-file=a.txt b.txt same.txt c.txt",
      "diff --from-file a.txt b.txt nofile c.txt",
      "diff --to-file=a.txt b.txt same.txt",
      "diff --from-file=d1 d2 d3",
      "diff --from-file=a.txt",
      "diff --from-file=a.txt --to-file=b.txt c.txt",
      "diff --from-file=a.txt --from-file=b.txt c.txt",
      "diff -q --from-file=a.txt b.txt same.txt nonl.txt",
  });
}

TEST_CASE("diff: operands, stdin and errors") {
  CompareAll({
      "diff",
      "diff a.txt",
      "diff -u",
      "diff -U 2",
      "diff -- a.txt",
      "diff a.txt --",
      "diff a.txt b.txt c.txt",
      "diff a.txt nofile",
      "diff nofile a.txt",
      "diff nofile nofile2",
      "diff nofile nofile",
      "diff -N nofile a.txt",
      "diff -N a.txt nofile",
      "diff -N nofile nofile2",
      "diff -u -N nofile a.txt",
      "diff -P nofile a.txt",
      "diff -P a.txt nofile",
      "diff a.txt/ b.txt",
      "diff a.txt a.txt",
      "diff a.txt ./a.txt",
      "diff -s a.txt a.txt",
      "diff -s a.txt ./a.txt",
      "diff -q a.txt a.txt",
      "diff -k a.txt b.txt",
      "diff --bogus a.txt b.txt",
      "diff --co a.txt b.txt",
      "diff --s a.txt b.txt",
      "diff --brief=yes a.txt b.txt",
      "diff -C",
      "diff -C x a.txt b.txt",
      "diff -C -1 a.txt b.txt",
      "diff -U ' 2' a.txt b.txt",
      "diff --context=x a.txt b.txt",
      "diff -L",
      "diff --label",
      "diff -C x --bogus a.txt b.txt",
      "diff --bogus -C x a.txt b.txt",
      "diff -S a -S b d1 d2",
      "diff '' a.txt",
      "diff a.txt ''",
      "diff -r nofile d1",
  });
  F().Compare("diff - b.txt", "alpha\nbeta\n");
  F().Compare("diff b.txt -", "alpha\nbeta\n");
  F().Compare("diff -u - b.txt", "alpha\nbeta\n");
  F().Compare("diff -c b.txt -", "alpha\nbeta\n");
  F().Compare("diff - -", "x\n");
  F().Compare("diff -s - -", "x\n");
  F().Compare("diff - a.txt", "alpha\nbeta\ngamma\ndelta\nepsilon\n");
  F().Compare("diff -s - a.txt", "alpha\nbeta\ngamma\ndelta\nepsilon\n");
  F().Compare("diff -q - a.txt", "alpha\n");
  F().Compare("diff - d1", "x\n");
  F().Compare("diff d1 -", "x\n");
  F().Compare("diff - empty.txt", "");
  F().Compare("diff - nonl.txt", "alpha\nbeta\ngamma");
  F().Compare("diff - bin1.bin", std::string("abc\0", 4));
  F().Compare("diff -N - nofile", "x\n");
  F().Compare("diff -u --label in - a.txt", "alpha\n");
}

TEST_CASE("diff: locale, time zone and refusals") {
  F().CompareWith({"LC_ALL=C"}, "diff -c a.txt b.txt");
  F().CompareWith({"LC_ALL=C"}, "diff -u a.txt b.txt");
  F().CompareWith({"LC_ALL=POSIX"}, "diff -C1 long1.txt long2.txt");
  F().CompareWith({"LC_ALL="}, "diff -c a.txt b.txt");
  F().CompareWith({"LC_TIME=C"}, "diff -c a.txt b.txt");
  F().CompareWith({"TZ=UTC0"}, "diff -u a.txt b.txt");
  F().CompareWith({"TZ=GMT"}, "diff -c a.txt b.txt");
  F().CompareWith({"TZ=Europe/Paris"}, "diff a.txt b.txt");
  F().CompareWith({"TZ=Europe/Paris"}, "diff -u --label x --label y a.txt b.txt");
  std::vector<std::string> paris = {"TZ=Europe/Paris"};
  CHECK(F().Ours("diff -u a.txt b.txt", "", &paris).unsupported != "");
  for (const char* c :
       {"diff -e a.txt b.txt", "diff -y a.txt b.txt", "diff -n a.txt b.txt",
        "diff -D X a.txt b.txt", "diff -I alpha a.txt b.txt", "diff -p a.txt b.txt",
        "diff -F x a.txt b.txt", "diff --help", "diff -v", "diff --color=always a.txt b.txt",
        "diff -u /dev/null a.txt", "diff -l a.txt b.txt", "diff --line-format=%L a.txt b.txt",
        "diff --ignore-file-name-case -r d1 d2", "diff -X pats d1 d2"}) {
    F().Refused(c);
  }
  F().Compare("diff /dev/null a.txt");
  F().Compare("diff a.txt /dev/null");
  F().Compare("diff -u --label a --label b /dev/null a.txt");
  F().Compare("diff /dev/null /dev/null");
}

TEST_CASE("diff: process substitution and pipelines through the shell") {
  for (const char* script : {
           "diff <(sort a.txt) <(sort b.txt)",
           "diff -u <(sort a.txt) <(sort b.txt)",
           "diff <(cat a.txt) a.txt && echo same",
           "diff -q <(head -2 a.txt) <(head -3 a.txt)",
           "cat b.txt | diff a.txt -",
           "cat b.txt | diff -u a.txt - | tail -n +3",
           "diff long1.txt long2.txt | head -3",
           "diff -r d1 d2 | grep -c '^Only'",
           "diff <(printf 'x\\ny\\n') <(printf 'x\\nz')",
           "diff -c <(echo one) <(echo two)",
           "cmp <(echo abc) <(echo abd)",
           "cmp -l c1 c2 >/dev/null",
           "cmp c1 c2 >/dev/null; echo $?",
           "cmp c1 c3 >/dev/null",
           "cmp -l c1 c3 2>&1",
           "cmp -l long1.txt long2.txt 2>&1 | head -3",
           "comm <(sort u1.txt) <(sort u2.txt)",
           "comm -12 <(sort u1.txt) <(sort u2.txt)",
           "join <(sort j1.txt) <(sort j2.txt)",
           "sort u1.txt | comm - s1.txt",
           "column -t jc1.csv -s, | head -2",
           "cat j3.txt | column -t",
       }) {
    F().CompareShell(script);
  }
}

TEST_CASE("cmp") {
  CompareAll({
      "cmp c1 c2",
      "cmp c1 c1",
      "cmp c1 ./c1",
      "cmp c1 c4",
      "cmp c4 c1",
      "cmp c1 c3",
      "cmp c3 c1",
      "cmp c1 empty.txt",
      "cmp empty.txt c1",
      "cmp empty.txt empty.txt",
      "cmp -b c1 c2",
      "cmp --print-bytes c1 c5",
      "cmp -l c1 c2",
      "cmp -l c1 c3",
      "cmp -l c1 c5",
      "cmp -lb c1 c2",
      "cmp --verbose --print-bytes cbin1 cbin2",
      "cmp -b cbin1 cbin2",
      "cmp -l cbin1 cbin2",
      "cmp -s c1 c2",
      "cmp -s c1 c1",
      "cmp -s c1 c3",
      "cmp --quiet c1 c4",
      "cmp --silent c1 nofile",
      "cmp -s nofile c1",
      "cmp -n 5 c1 c2",
      "cmp -n 6 c1 c2",
      "cmp -n 0 c1 c2",
      "cmp --bytes=3 c1 c3",
      "cmp -n 1K c1 c2",
      "cmp -n x c1 c2",
      "cmp -n -1 c1 c2",
      "cmp -i 4 c1 c2",
      "cmp -i 4:4 c1 c4",
      "cmp -i 1:2 c1 c2",
      "cmp -i 0x2 c1 c2",
      "cmp -i 010 c1 c2",
      "cmp -i 1k c1 c2",
      "cmp -i 1kB c1 c2",
      "cmp -i 1KiB c1 c2",
      "cmp -i x c1 c2",
      "cmp -i 1:x c1 c2",
      "cmp -i 1: c1 c2",
      "cmp --ignore-initial=2 c1 c2",
      "cmp c1 c2 4",
      "cmp c1 c2 4 5",
      "cmp c1 c2 2 2 2",
      "cmp c1 c2 x",
      "cmp -l -s c1 c2",
      "cmp -s -l c1 c2",
      "cmp -l -i 8 c1 c2",
      "cmp -l -n 100 c1 c2",
      "cmp -l -n 2 c1 c2",
      "cmp c1 nofile",
      "cmp nofile c1",
      "cmp nofile nofile",
      "cmp d1 c1",
      "cmp c1 d1",
      "cmp -s d1 c1",
      "cmp d1 d1",
      "cmp",
      "cmp --bogus c1 c2",
      "cmp -k c1 c2",
      "cmp -n",
      "cmp --print c1 c2",
      "cmp --bytes c1 c2",
      "cmp a.txt b.txt",
      "cmp long1.txt long2.txt",
      "cmp -l long1.txt long2.txt",
      "cmp utf8a.txt utf8b.txt",
      "cmp -b utf8a.txt utf8b.txt",
  });
  F().Compare("cmp c1", "abc\ndef\nghi\n");
  F().Compare("cmp c1", "abc\n");
  F().Compare("cmp - c2", "abc\ndef\nghi\n");
  F().Compare("cmp c2 -", "abc\ndeX\nghY\n");
  F().Compare("cmp -l - c3", "abc\ndef\nghi\n");
  F().Compare("cmp - -", "abc\n");
  F().Compare("cmp -i 2 - c1", "xxc\ndef\nghi\n");
  F().CompareWith({"LC_ALL=C"}, "cmp c1 c2");
  F().CompareWith({"LC_ALL=C"}, "cmp -b c1 c2");
  F().CompareWith({"LC_ALL=C"}, "cmp c1 c3");
  F().CompareWith({"LC_MESSAGES=C"}, "cmp c1 c2");
}

TEST_CASE("comm") {
  CompareAll({
      "comm s1.txt s2.txt",
      "comm -1 s1.txt s2.txt",
      "comm -2 s1.txt s2.txt",
      "comm -3 s1.txt s2.txt",
      "comm -12 s1.txt s2.txt",
      "comm -13 s1.txt s2.txt",
      "comm -23 s1.txt s2.txt",
      "comm -123 s1.txt s2.txt",
      "comm s1.txt s3.txt",
      "comm s3.txt s1.txt",
      "comm s1.txt s1.txt",
      "comm s1.txt empty.txt",
      "comm empty.txt s1.txt",
      "comm dup1.txt dup2.txt",
      "comm --output-delimiter=, s1.txt s2.txt",
      "comm --output-delimiter='|' -3 s1.txt s2.txt",
      "comm --output-delimiter= s1.txt s2.txt",
      "comm --output-delimiter=:: --total s1.txt s2.txt",
      "comm --output-delimiter= --total s1.txt s2.txt",
      "comm --output-delimiter=a --output-delimiter=b s1.txt s2.txt",
      "comm --output-delimiter=a --output-delimiter=a s1.txt s2.txt",
      "comm --total s1.txt s2.txt",
      "comm --total -123 s1.txt s2.txt",
      "comm -z z1.txt z2.txt",
      "comm --zero-terminated --total z1.txt z2.txt",
      "comm u1.txt u2.txt",
      "comm u1.txt s1.txt",
      "comm s1.txt u1.txt",
      "comm --check-order u1.txt u2.txt",
      "comm --check-order s1.txt u1.txt",
      "comm --nocheck-order u1.txt u2.txt",
      "comm --check-order s1.txt s2.txt",
      "comm u1.txt u1.txt",
      "comm --check-order u1.txt u1.txt",
      "comm -3 u2.txt s2.txt",
      "comm s1.txt nofile",
      "comm nofile s1.txt",
      "comm d1 s1.txt",
      "comm s1.txt d1",
      "comm",
      "comm s1.txt",
      "comm s1.txt s2.txt s3.txt",
      "comm -4 s1.txt s2.txt",
      "comm --bogus s1.txt s2.txt",
      "comm --output-delimiter",
      "comm --che s1.txt s2.txt",
      "comm -- s1.txt",
      "comm utf8a.txt utf8b.txt",
      "comm invalid.txt invalid2.txt",
      "comm a.txt b.txt",
      "comm 'name with space.txt' nofile",
  });
  F().Compare("comm - s2.txt", "apple\nbanana\nfig\n");
  F().Compare("comm s1.txt -", "banana\ndate\n");
  F().Compare("comm -3 - s1.txt", "b\na\n");
  F().CompareWith({"LC_ALL=C"}, "comm s1.txt s2.txt");
  F().CompareWith({"LC_ALL=C"}, "comm invalid.txt invalid2.txt");
  F().CompareWith({"LC_ALL=C"}, "comm u1.txt u2.txt");
  F().Refused("comm - -", "a\n");
}

TEST_CASE("join") {
  CompareAll({
      "join j1.txt j2.txt",
      "join j2.txt j1.txt",
      "join -a1 j1.txt j2.txt",
      "join -a 2 j1.txt j2.txt",
      "join -a1 -a2 j1.txt j2.txt",
      "join -v1 j1.txt j2.txt",
      "join -v 2 j1.txt j2.txt",
      "join -v1 -v2 j1.txt j2.txt",
      "join -a3 j1.txt j2.txt",
      "join -a x j1.txt j2.txt",
      "join -e EMPTY -a1 -a2 -o 0,1.2,2.2 j1.txt j2.txt",
      "join -o 1.2,2.2 j1.txt j2.txt",
      "join -o '1.2 2.2' j1.txt j2.txt",
      "join -o 0 j1.txt j2.txt",
      "join -o 2.1,1.1,0 -a1 j1.txt j2.txt",
      "join -o 1.5 j1.txt j2.txt",
      "join -o 1.5 -e X j1.txt j2.txt",
      "join -o auto -a1 -a2 j3.txt j4.txt",
      "join -o auto -e - -a1 -a2 j3.txt j4.txt",
      "join -o 3.1 j1.txt j2.txt",
      "join -o 1.0 j1.txt j2.txt",
      "join -o 1x j1.txt j2.txt",
      "join -o 00 j1.txt j2.txt",
      "join -o 1.1, j1.txt j2.txt",
      "join -o 1.1 2.2 j1.txt j2.txt",
      "join -o 1.1 2.2 0 j1.txt j2.txt",
      "join j3.txt j4.txt",
      "join -1 1 -2 1 j3.txt j4.txt",
      "join -j 1 j3.txt j4.txt",
      "join -j1 j3.txt j4.txt",
      "join -j2 j1.txt j2.txt",
      "join -j1 2 j1.txt j2.txt",
      "join -1 2 -2 2 j1.txt j2.txt",
      "join -1 0 j1.txt j2.txt",
      "join -1 x j1.txt j2.txt",
      "join -1 1 -j 2 j1.txt j2.txt",
      "join -2 3 j1.txt j2.txt",
      "join -t , jc1.csv jc2.csv",
      "join -t, -a1 -e NA -o auto jc1.csv jc2.csv",
      "join -t , -1 1 -2 1 -o 1.3,2.2 jc1.csv jc2.csv",
      "join -t ab jc1.csv jc2.csv",
      "join -t , -t ';' jc1.csv jc2.csv",
      "join -t '' j1.txt j1.txt",
      "join -t $'\\t' jtab1.txt jtab2.txt",
      "join -t $'\\t' -e X -o 1.2,2.2 jtab1.txt jtab2.txt",
      "join -i jcase1.txt jcase2.txt",
      "join --ignore-case -a1 jcase1.txt jcase2.txt",
      "join jcase1.txt jcase2.txt",
      "join --header jh1.txt jh2.txt",
      "join --header -a1 -a2 jh1.txt jh2.txt",
      "join --header jh1.txt empty.txt",
      "join jm1.txt jm2.txt",
      "join -a1 -a2 jm1.txt jm2.txt",
      "join jb1.txt jb2.txt",
      "join -a1 jb1.txt jb2.txt",
      "join -o auto -a1 jb1.txt jb2.txt",
      "join ju1.txt ju2.txt",
      "join -a1 ju1.txt ju2.txt",
      "join --check-order ju1.txt ju2.txt",
      "join --nocheck-order ju1.txt ju2.txt",
      "join --check-order j1.txt j2.txt",
      "join ju1.txt ju1.txt",
      "join -v1 ju1.txt j2.txt",
      "join -z jz1.txt jz2.txt",
      "join -z -a1 -a2 jz1.txt jz2.txt",
      "join jnonl.txt j2.txt",
      "join j1.txt empty.txt",
      "join -a1 j1.txt empty.txt",
      "join j1.txt nofile",
      "join nofile j1.txt",
      "join d1 j1.txt",
      "join j1.txt d1",
      "join",
      "join j1.txt",
      "join j1.txt j2.txt j3.txt",
      "join -e a -e b j1.txt j2.txt",
      "join --bogus j1.txt j2.txt",
      "join -k j1.txt j2.txt",
      "join -a",
      "join -- j1.txt j2.txt",
      "join -j1 j1.txt j2.txt -- j3.txt",
      "join utf8a.txt utf8b.txt",
  });
  F().Compare("join - j2.txt", "1 one\n4 four\n");
  F().Compare("join j1.txt -", "2 two\n3 three\n");
  F().CompareWith({"LC_ALL=C"}, "join j1.txt j2.txt");
  F().CompareWith({"LC_ALL=C"}, "join -a1 ju1.txt ju2.txt");
  F().Refused("join - -", "1 a\n");
}

TEST_CASE("column") {
  CompareAll({
      "column words.txt",
      "column -c 40 words.txt",
      "column -c 120 words.txt",
      "column -c 0 words.txt",
      "column -c 5 words.txt",
      "column -c 9 words.txt",
      "column -x words.txt",
      "column -x -c 40 words.txt",
      "column -x -c 9 words.txt",
      "column --fillrows --columns=60 words.txt",
      "column --output-width 30 words.txt",
      "column table.txt",
      "column -L table.txt",
      "column -x -L table.txt",
      "column utf8table.txt",
      "column -c 20 utf8table.txt",
      "column words.txt table.txt",
      "column empty.txt",
      "column blank-only.txt",
      "column -L blank-only.txt",
      "column -t table.txt",
      "column -t -L table.txt",
      "column --table --keep-empty-lines table.txt",
      "column -t -o '|' table.txt",
      "column -t -o '' table.txt",
      "column -t -o ' | ' -N A,B,C table.txt",
      "column -t -N name,age,city table.txt",
      "column -t -N name,age,city -d table.txt",
      "column -t -N x table.txt",
      "column -t -N a,,b table.txt",
      "column -t -N '' table.txt",
      "column -t -N a,b,c,d,e table.txt",
      "column -t -R 2 table.txt",
      "column -t -R 3 table.txt",
      "column -t -R 0 table.txt",
      "column -t -N a,b,c -R b,C table.txt",
      "column -t -N a,b,c -R zz table.txt",
      "column -t -R x table.txt",
      "column -t -H 2 table.txt",
      "column -t -H 3 table.txt",
      "column -t -N a -H - table.txt",
      "column -t -N a,b -H a table.txt",
      "column -t -H 1,2,3 table.txt",
      "column -t -H 9 table.txt",
      "column -t -l 2 table.txt",
      "column -t -l 1 table.txt",
      "column -t -l 0 table.txt",
      "column -t -l x table.txt",
      "column -t -s , table.csv",
      "column -t -s, -l 3 table.csv",
      "column -t -s ',' -N a,b,c,d table.csv",
      "column -t -s ',a' table.csv",
      "column -t -s '' table.csv",
      "column -s , table.csv",
      "column -t tabs.txt",
      "column -t -s $'\\t' tabs.txt",
      "column -t wide.txt",
      "column -t -R 2 wide.txt",
      "column -t -R 2 -c 200 wide.txt",
      "column -t -c 10 -R 2 wide.txt",
      "column wide.txt",
      "column -t utf8table.txt",
      "column -t -R 2 utf8table.txt",
      "column -t crlfcol.txt",
      "column -t empty.txt",
      "column -t blank-only.txt",
      "column -t -L blank-only.txt",
      "column -t -n mytable table.txt",
      "column -n x table.txt",
      "column -N a table.txt",
      "column -R 1 table.txt",
      "column -H 1 table.txt",
      "column -t -x table.txt",
      "column -x -t table.txt",
      "column -c abc table.txt",
      "column -c -5 table.txt",
      "column -c 99999999999 table.txt",
      "column -c '' table.txt",
      "column -k",
      "column --bogus",
      "column --table-c x",
      "column --o x table.txt",
      "column nofile",
      "column nofile table.txt",
      "column -t table.txt nofile",
      "column d1",
      "column table.txt d1",
      "column -t -d table.txt",
      "column -t -i 1 -p 2 table.txt",
  });
  F().Compare("column", "a\nb\nc\n");
  F().Compare("column -t", "x y\nlong z\n");
  F().Compare("column -t -s:", "root:x:0\nuser:x:1000\n");
  F().Compare("column -t -", "x y\n");
  F().Compare("column", "");
  F().CompareWith({"COLUMNS=30"}, "column words.txt");
  F().CompareWith({"COLUMNS=0"}, "column words.txt");
  F().CompareWith({"COLUMNS=x"}, "column words.txt");
  F().CompareWith({"COLUMNS=200"}, "column -c 20 words.txt");
  for (const char* c : {"column -J -N a table.txt", "column -t -T 1 table.txt",
                        "column -t -W 1 table.txt", "column -t -E 1 table.txt",
                        "column -t -O 2 table.txt", "column -t -r 1 -i 1 -p 2 table.txt",
                        "column -t -e table.txt", "column --help", "column -V"}) {
    F().Refused(c);
  }
}

}  // namespace
