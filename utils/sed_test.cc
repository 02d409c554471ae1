// sed against GNU sed 4.9 (Debian 12's /usr/bin/sed).
//
// Differential: a real directory is imported into a SQLite store; each
// command line is answered by the utility called directly on the store and
// by real bash + GNU sed on the directory itself. stdout, stderr and status
// must agree and the utility must not report itself unsupported. Commands
// that write (-i, w FILE) run on a fresh tree each, and the store (exported)
// must then hold what GNU left on the disk. Scripts memhook refuses are
// listed and checked to be refused, never answered.
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
using memhook::testing::ShellWords;
using memhook::utils::CommandEnv;
using memhook::utils::CommandIo;
using memhook::utils::UtilOptions;

// The files every case can read.
void BuildTree(DiskTree& t) {
  t.MakeDirs("d/sub");
  t.Write("a.txt", "alpha\nbeta\ngamma\ndelta\nepsilon\n");
  t.Write("b.txt", "one\ntwo\nthree\n");
  t.Write("nonl.txt", "first\nlast without newline");
  t.Write("nonl2.txt", "x");
  t.Write("empty.txt", "");
  t.Write("crlf.txt", "dos line\r\nsecond\r\n");
  t.Write("utf8.txt", "café crème\nÀ la carte\nnaïve ÉTÉ\nplain\n");
  t.Write("num.txt", "1\n2\n3\n4\n5\n6\n7\n8\n9\n10\n");
  t.Write("words.txt", "foo bar baz\nhello world\nfoo foo foo\nthe end\n");
  t.Write("md.md", "# Title\n\nSome *text* here.\n\n## Section\n- item one\n- item two\n");
  t.Write("tabs.txt", "a\tb\tc\n\x01\x7f bell\a\n");
  t.Write("nul.txt", std::string("a\0b\nc\0d\n", 8));
  t.Write("script.sed", "s/alpha/ALPHA/\n/gamma/d\n");
  t.Write("bad.sed", "p\nk\n");
  t.Write("hashn.sed", "#n\n/beta/p\n");
  t.Write("r.txt", "inserted\n");
  t.Write("rnonl.txt", "no newline");
  t.Write("d/x.md", "inner\n");
}

using Fixture = memhook::testing::UtilityDiff;

Fixture& Utf8() {
  static Fixture* f = new Fixture("sed-test", "C.UTF-8", BuildTree);
  return *f;
}

void CompareAll(const std::vector<std::string>& commands, const std::string& input = "") {
  for (const std::string& c : commands) Utf8().Compare(c, input);
}

const char* kLines = "one\ntwo\nthree\nfour\nfive\n";

TEST_CASE("sed: basics, options and operands") {
  CompareAll({
      "sed p a.txt",
      "sed -n p a.txt",
      "sed --quiet 2p a.txt",
      "sed --silent 2p a.txt",
      "sed -n -e 2p -e 4p a.txt",
      "sed --expression=3p -n a.txt",
      "sed --expression 3p -n a.txt",
      "sed -n '$p' a.txt b.txt",
      "sed -s -n '$p' a.txt b.txt",
      "sed --separate -n '1p' a.txt b.txt",
      "sed -n '$=' a.txt b.txt num.txt",
      "sed -sn '$=' a.txt b.txt num.txt",
      "sed = b.txt",
      "sed -n '/o/=' b.txt",
      "sed F a.txt b.txt",
      "sed -s 1F a.txt b.txt",
      "sed '' nonl.txt",
      "sed p nonl.txt",
      "sed '' nonl.txt b.txt",
      "sed '' nonl2.txt nonl2.txt",
      "sed -s '' nonl2.txt nonl2.txt",
      "sed '$d' nonl.txt",
      "sed '' empty.txt",
      "sed p empty.txt empty.txt",
      "sed -n '$p' b.txt empty.txt",
      "sed -n '$p' b.txt nofile",
      "sed p nofile",
      "sed p a.txt nofile b.txt",
      "sed -n 1p nofile b.txt",
      "sed 2q a.txt nofile",
      "sed p d",
      "sed p b.txt d b.txt",
      "sed -n '$p' b.txt d",
      "sed -f script.sed a.txt",
      "sed --file=script.sed a.txt",
      "sed -f script.sed -e 's/beta/BETA/' a.txt",
      "sed -f hashn.sed a.txt",
      "sed '#n' a.txt",
      "sed -e '#n' -e 2p a.txt",
      "sed '#n\n2p' a.txt",
      "sed ' #n\n2p' a.txt",
      "sed -n p - b.txt",
      "sed -- p b.txt",
      "sed -n -- '$p' b.txt -",
      "sed -e p -- b.txt",
      "sed -z 's/^/X/' nul.txt",
      "sed -z = nul.txt",
      "sed --null-data -n '$p' nul.txt",
      "sed -z 'N;s/\\n/+/' b.txt",
      "sed s/o/0/ crlf.txt",
      "sed -n l crlf.txt",
      "sed 's/\\r$//' crlf.txt",
      "sed -u p b.txt",
      "sed -b p b.txt",
      "sed --posix -n 2p a.txt",
      "sed --help",
      "sed",
      "sed -n",
      "sed -k p",
      "sed --bogus p",
      "sed -e",
      "sed --expression",
      "sed --quiet=3 p",
      "sed -f nofile.sed a.txt",
      "sed -f d a.txt",
      "sed -n --line-length=5 l a.txt",
      "sed -n -l 3 l a.txt",
      "sed -n -l 1 l b.txt",
      "sed -E -n '/(al|be)/p' a.txt",
      "sed -r -n '/(al|be)/p' a.txt",
      "sed --regexp-extended 's/(a)(l)/\\2\\1/' a.txt",
      "sed -e 's/\\(a\\)/[\\1]/' -E a.txt",
      "sed -i",
      "sed --sandbox 'w out' a.txt",
      "sed --sandbox 'r r.txt' a.txt",
      "sed --sandbox p a.txt",
  });
  Utf8().Compare("sed p", kLines);
  Utf8().Compare("sed -n 2p -", kLines);
  Utf8().Compare("sed p - -", kLines);
  Utf8().Compare("sed -s -n '$p' - b.txt", kLines);
  Utf8().Compare("sed -f - b.txt", "s/o/0/g\n");
  Utf8().Compare("sed p", "no final newline");
  Utf8().Compare("sed 'N;N;s/\\n/,/g'", "a\nb\nc\nd\ne");
}

TEST_CASE("sed: addresses") {
  CompareAll({
      "sed -n 3p num.txt",
      "sed -n '$p' num.txt",
      "sed -n '/5/p' num.txt",
      "sed -n '\\,5,p' num.txt",
      "sed -n '\\x5xp' num.txt",
      "sed -n '\\/1/p' num.txt",
      "sed -n '1~3p' num.txt",
      "sed -n '0~4p' num.txt",
      "sed -n '2~0p' num.txt",
      "sed -n '3,5p' num.txt",
      "sed -n '5,3p' num.txt",
      "sed -n '3,+2p' num.txt",
      "sed -n '3,~4p' num.txt",
      "sed -n '4,~4p' num.txt",
      "sed -n '/2/,/4/p' num.txt",
      "sed -n '/2/,4p' num.txt",
      "sed -n '/4/,2p' num.txt",
      "sed -n '0,/1/p' num.txt",
      "sed -n '1,/1/p' num.txt",
      "sed -n '0,/3/p' num.txt",
      "sed -n '2,$p' num.txt",
      "sed -n '$,1p' num.txt",
      "sed -n '/1/,+1p' num.txt",
      "sed -n '/1/,~3p' num.txt",
      "sed -n '8,+5p' num.txt",
      "sed -n '3,+0p' num.txt",
      "sed -n '2,~0p' num.txt",
      "sed '2!d' num.txt",
      "sed -n '2,4!p' num.txt",
      "sed -n '/1/!p' num.txt",
      "sed -n '$!p' num.txt",
      "sed -n '1 ! p' num.txt",
      "sed -n '/ALPHA/Ip' a.txt",
      "sed -n '/^b/Mp' a.txt",
      "sed -n 'N;/^beta/Mp' a.txt",
      "sed -n 'N;/^beta/p' a.txt",
      "sed -n 'N;/a$/Mp' a.txt",
      "sed -n '/A/I,/E/Ip' a.txt",
      "sed -n '/a/,/a/p' a.txt",
      "sed -n '2{p;p}' a.txt",
      "sed -n '2,3{/e/p}' a.txt",
      "sed -n '/l/{/p/!p}' a.txt",
      "sed '2,4{s/^/>/;s/$/</}' a.txt",
      "sed -n '1p;1p' a.txt",
      "sed -n '4,2{p}' num.txt",
      "sed -s -n '2,3p' a.txt b.txt",
      "sed -n '2,3p' a.txt b.txt",
      "sed -n '/gamma/,/two/p' a.txt b.txt",
      "sed -s -n '/gamma/,/two/p' a.txt b.txt",
      "sed -n '0~3F' a.txt b.txt",
  });
}

TEST_CASE("sed: s command") {
  CompareAll({
      "sed s/a/X/ a.txt",
      "sed s/a/X/g a.txt",
      "sed s/a/X/2 a.txt",
      "sed s/a/X/2g a.txt",
      "sed -n s/a/X/p a.txt",
      "sed -n s/a/X/gp a.txt",
      "sed 's/a/X/;s/X/Y/' a.txt",
      "sed 's|a|/|g' a.txt",
      "sed 's,a,\\,,g' a.txt",
      "sed 's:l:\\::' a.txt",
      "sed 'sxaxbx' a.txt",
      "sed 's/.*/[&]/' a.txt",
      "sed 's/.*/[\\&]/' a.txt",
      "sed 's/\\(.\\)\\(.\\)/\\2\\1/' a.txt",
      "sed -E 's/(.)(.)(.)/\\3\\2\\1/' a.txt",
      "sed -E 's/(a|e)+/<&>/g' a.txt",
      "sed 's/a*/x/g' words.txt",
      "sed 's/o/0/3' words.txt",
      "sed 's/foo/bar/2g' words.txt",
      "sed 's/\\<[a-z]/\\u&/g' words.txt",
      "sed 's/[a-z]*/\\U&/' words.txt",
      "sed 's/\\w\\+/\\u&/g' words.txt",
      "sed -E 's/(\\w+) (\\w+)/\\2 \\1/' words.txt",
      "sed 's/.*/\\L&/' md.md",
      "sed 's/\\(.\\)\\(.*\\)/\\U\\1\\E\\2/' a.txt",
      "sed 's/.*/\\U&\\E!/' a.txt",
      "sed 's/a/\\n/g' a.txt",
      "sed 's/a/\\t|/g' a.txt",
      "sed 's/e/\\\n/' a.txt",
      "sed 's/l/\\x41/' a.txt",
      "sed 's/l/\\d66\\o103/' a.txt",
      "sed 's/l/\\cA/' a.txt",
      "sed 's/a/\\x26/' a.txt",
      "sed 's/\\x61/Z/g' a.txt",
      "sed 's/\\t/<T>/g' tabs.txt",
      "sed 's/ /_/2' words.txt",
      "sed -n 's/o/0/w /dev/stdout' b.txt",
      "sed 's/O/0/Ig' b.txt",
      "sed 's/o/0/ig' b.txt",
      "sed 'N;s/^t/T/Mg' b.txt",
      "sed 'N;s/e$/E/M' b.txt",
      "sed 'N;s/.*/[&]/' b.txt",
      "sed 'N;s/[^x]*/[&]/' b.txt",
      "sed 'N;s/[^x]*/[&]/M' b.txt",
      "sed 'N;N;s/\\`./X/gM' b.txt",
      "sed \"N;N;s/.\\\\'/X/gM\" b.txt",
      "sed 's/\\bt/T/g' b.txt",
      "sed 's/\\Bo/O/g' words.txt",
      "sed 's/o\\>/0/g' words.txt",
      "sed 's/\\s/_/g' words.txt",
      "sed 's/\\S\\+/W/2' words.txt",
      "sed 's/\\W/-/g' tabs.txt",
      "sed 's/o\\?/0/' words.txt",
      "sed 's/fo\\|ba/X/g' words.txt",
      "sed 's/o\\{2\\}/00/g' words.txt",
      "sed -E 's/o{2,}/00/g' words.txt",
      "sed 's/[[:upper:]]/u/g' utf8.txt",
      "sed 's/[[:alpha:]]*/<&>/' utf8.txt",
      "sed 's/./X/g' utf8.txt",
      "sed 's/.*/\\U&/' utf8.txt",
      "sed 's/.*/\\L&/' utf8.txt",
      "sed 's/\\(.\\)/\\u\\1/' utf8.txt",
      "sed 's/é/E/g' utf8.txt",
      "sed 's/[éè]/e/g' utf8.txt",
      "sed 's/É/x/Ig' utf8.txt",
      "sed -E 's/()(.)/\\u\\1\\2/' a.txt",
      "sed 's/x/\\U/' a.txt",
      "sed 's/l/\\lL\\uo/' a.txt",
      "sed 's/a/&&/3' a.txt",
      "sed 's/[/]/x/' a.txt",
      "sed 's/[a]/x/' a.txt",
      "sed 's/a\\/b/x/' a.txt",
      "sed 's/a/b/w /dev/stderr' b.txt",
      "sed --posix 's/a/\\U&/' a.txt",
      "sed 's/a/x/ ; s/e/y/' a.txt",
      "sed 's/a/x/g # comment' a.txt",
      "sed '/alpha/s//X/' a.txt",
      "sed -n '/alpha/{s//X/p}' a.txt",
      "sed 's/e/E/;s//F/' a.txt",
      "sed 's/$/\\r/' b.txt",
      "sed 'N;s/[^\\n]*$/X/' b.txt",
      "sed 'N;N;s/\\n/\\\\n/g' b.txt",
      "sed 's/\\./!/g' md.md",
      "sed 's/[.*]/!/g' md.md",
      "sed -E 's/^#+ //' md.md",
      "sed -n '/^#/{s/#//gp}' md.md",
      "sed '/^$/d' md.md",
      "sed -E 's/\\*([^*]+)\\*/<em>\\1<\\/em>/g' md.md",
      "sed 's/^- /* /' md.md",
      "sed -n '/^## /,/^#/p' md.md",
  });
}

TEST_CASE("sed: s on stdin") {
  Utf8().Compare("sed 's/a*/x/g'", "baaac\n");
  Utf8().Compare("sed 's/a*/x/2'", "baaac\n");
  Utf8().Compare("sed 's/x*/-/g'", "hello\n");
  Utf8().Compare("sed 's/l*/-/3'", "hello\n");
  Utf8().Compare("sed 's/$/!/'", "abc\n");
  Utf8().Compare("sed 's/^/!/g'", "abc\n");
  Utf8().Compare("sed 's/b*$/!/'", "abc\n");
  Utf8().Compare("sed 's/b*/!/g'", "abc");
  Utf8().Compare("sed -n 's/a/b/gpw /dev/stdout'", "aaa\n");
}

// Sub-match boundaries where POSIX leaves a choice: glibc's and RE2's
// leftmost-longest readings must agree (or the pattern is refused).
TEST_CASE("sed: captures") {
  struct Probe {
    const char* script;
    const char* input;
  };
  for (const Probe& p : std::vector<Probe>{
           {"s/(a|ab)(c|bcd)(d*)/[\\1][\\2][\\3]/", "abcd\n"},
           {"s/(a|ab)(bc|c)/[\\1][\\2]/", "abc\n"},
           {"s/(a*)(a*)/[\\1][\\2]/", "aaa\n"},
           {"s/(ab)*/[\\1]/", "abab\n"},
           {"s/(a|b)*/[\\1]/", "aba\n"},
           {"s/(x)?(y)?z?/[\\1][\\2]/", "xyz\n"},
           {"s/(x)?(y)?z?/[\\1][\\2]/", "yz\n"},
           {"s/(a*)+/[\\1]/", "aaa\n"},
           {"s/(a*)*b/[\\1]/", "ab\n"},
           {"s/(a(b)c)+/[\\1][\\2]/", "abcabc\n"},
           {"s/(foo|foob)(ar|bar)?/[\\1][\\2]/", "foobar\n"},
           {"s/([a-z]+)([0-9]*)([a-z]*)/[\\1][\\2][\\3]/g", "abc123def ghi\n"},
           {"s/(.*)-(.*)/[\\2][\\1]/", "a-b-c\n"},
           {"s/(.*?)x/[\\1]/", "aax\n"},
           {"s/^(.)(.*)(.)$/\\3\\2\\1/", "hello\n"},
           {"s/(a|)+/[\\1]/", "aa\n"},
           {"s/(b*)(a|ab)/[\\1][\\2]/g", "bab ab\n"},
       }) {
    Utf8().Compare(std::string("sed -E '") + p.script + "'", p.input);
  }
}

TEST_CASE("sed: commands") {
  CompareAll({
      "sed 2q a.txt",
      "sed 2Q a.txt",
      "sed -n '2{p;q}' a.txt",
      "sed '3q5' a.txt",
      "sed '3Q7' a.txt",
      "sed 'q' nonl.txt",
      "sed '$q3' b.txt",
      "sed 2q a.txt b.txt",
      "sed 'a\\\nappended' b.txt",
      "sed 'a appended' b.txt",
      "sed '2a\\  indented' b.txt",
      "sed 'a\\' b.txt",
      "sed '1i\\\nfirst\\\nsecond' b.txt",
      "sed '1i inserted' b.txt",
      "sed '$a end' nonl.txt",
      "sed '$i end' nonl.txt",
      "sed 'i\\' b.txt",
      "sed -e 'a\\' -e 'continued' b.txt",
      "sed -e 'a one\\' -e 'two' b.txt",
      "sed '2c\\\nchanged' b.txt",
      "sed '2c changed' b.txt",
      "sed '1,2c changed' b.txt",
      "sed '2,9c changed' b.txt",
      "sed '$!c changed' b.txt",
      "sed '/two/c\\' b.txt",
      "sed 'a\\ttab\\\\back' b.txt",
      "sed '2{a x\n}' b.txt",
      "sed '1a x' nonl.txt",
      "sed '2i\\' b.txt",
      "sed 'c x' nonl.txt",
      "sed -n '2{a x\np}' b.txt",
      "sed 2d a.txt",
      "sed '2,4d' a.txt",
      "sed '/a/d' a.txt",
      "sed 'N;P;D' a.txt",
      "sed '$!N;D' a.txt",
      "sed 'N;D' a.txt",
      "sed 'D' a.txt",
      "sed -n 'N;N;P' a.txt",
      "sed 'N' a.txt",
      "sed '$!N' a.txt",
      "sed 'N;N' b.txt",
      "sed --posix 'N;N' b.txt",
      "sed n a.txt",
      "sed -n n a.txt",
      "sed -n 'n;p' a.txt",
      "sed 'n;d' a.txt",
      "sed '$!n;s/^/>/' b.txt",
      "sed h a.txt",
      "sed -n 'h;n;G;p' a.txt",
      "sed G b.txt",
      "sed 'x;G' b.txt",
      "sed -n 'H;${x;p}' b.txt",
      "sed -n 'H;${g;p}' b.txt",
      "sed '1!G;h;$!d' a.txt",
      "sed x b.txt",
      "sed x nonl.txt",
      "sed 'G' nonl.txt",
      "sed -s 'x' b.txt nonl.txt",
      "sed 'y/abc/xyz/' a.txt",
      "sed 'y/ae/AE/;s/A/a/' a.txt",
      "sed 'y/é/e/' utf8.txt",
      "sed 'y/eèé/EÈÉ/' utf8.txt",
      "sed 'y,a\\,b,x/y,' a.txt",
      "sed 'y/\\n/_/;N' b.txt",
      "sed 'N;y/\\n/_/' b.txt",
      "sed 'y/\\t/T/' tabs.txt",
      "sed -n l a.txt",
      "sed -n l tabs.txt",
      "sed -n l utf8.txt",
      "sed -n 'l 5' a.txt",
      "sed -n 'l 0' a.txt",
      "sed -n 'l;l 1' b.txt",
      "sed -n l nul.txt",
      "sed -n 'N;l' a.txt",
      "sed l nonl.txt",
      "sed -n 'l' crlf.txt",
      "sed -n '$=' a.txt",
      "sed -n '/e/=' a.txt",
      "sed = nonl.txt",
      "sed F nonl.txt",
      "sed 'z;s/^$/empty/' b.txt",
      "sed '2z' b.txt",
      "sed 'p;p' nonl2.txt",
      "sed -n 'p;p' nonl2.txt",
      "sed -n 'P' a.txt",
      "sed -n 'N;P' a.txt",
      "sed -n '$!N;P;D' a.txt",
      "sed ':a;N;$!ba;s/\\n/,/g' a.txt",
      "sed -e :a -e '$!N;s/\\n//;ta' a.txt",
      "sed ':a;s/a/X/;ta' a.txt",
      "sed 's/a/X/;T;s/$/!/' a.txt",
      "sed 's/a/X/;Tend;s/$/!/;:end' a.txt",
      "sed 's/a/X/;t;s/$/?/' a.txt",
      "sed 'b;p' a.txt",
      "sed -n '/e/bx;p;:x' a.txt",
      "sed -n '/e/b x ; p ; :x' a.txt",
      "sed ': x;/a/{s/a/A/;b x}' a.txt",
      "sed -n '2{p;b};p' a.txt",
      "sed '2r r.txt' b.txt",
      "sed 'r r.txt' b.txt",
      "sed 'r rnonl.txt' b.txt",
      "sed '$r r.txt' nonl.txt",
      "sed 'r nofile' b.txt",
      "sed '0r r.txt' b.txt",
      "sed '1r r.txt\n1a after' b.txt",
      "sed '1a after\n1r r.txt' b.txt",
      "sed 'R r.txt' b.txt",
      "sed 'R num.txt' b.txt",
      "sed 'R rnonl.txt' b.txt",
      "sed 'R nofile' b.txt",
      "sed -s 'R num.txt' b.txt b.txt",
      "sed 'R num.txt' b.txt b.txt",
      "sed '1R r.txt\n1R r.txt' b.txt",
      "sed 'r d' b.txt",
      "sed -n '/two/{s/two/2/;p;}' b.txt",
      "sed '{;p;}' b.txt",
      "sed -n '{{{p}}}' b.txt",
      "sed '1{\np\n}' b.txt",
      "sed 'p # comment' b.txt",
      "sed '# only a comment' b.txt",
      "sed 'v' b.txt",
      "sed 'v 4.2' b.txt",
      "sed 'v 4.9' b.txt",
      "sed 'v 9.0' b.txt",
      "sed -n 'v;p' b.txt",
      "sed '1d\n\n;;  3d' a.txt",
      "sed -n '/two/w /dev/stdout' b.txt",
      "sed -n 'W /dev/stdout' b.txt",
      "sed -n 'N;W /dev/stdout' a.txt",
      "sed 'w /dev/stderr' b.txt",
      "sed -n '$!{h;d};x;G;p' b.txt",
  });
}

TEST_CASE("sed: errors") {
  CompareAll({
      "sed 'k' a.txt",
      "sed '2k' a.txt",
      "sed 's/a/b' a.txt",
      "sed 's/a' a.txt",
      "sed s a.txt",
      "sed 's/a/b/x' a.txt",
      "sed 's/a/b/gg' a.txt",
      "sed 's/a/b/pp' a.txt",
      "sed 's/a/b/2/3' a.txt",
      "sed 's/a/b/1 2' a.txt",
      "sed 's/a/b/0' a.txt",
      "sed 's/a/\\1/' a.txt",
      "sed -E 's/(a)/\\2/' a.txt",
      "sed 's/é/x/;sé' utf8.txt",
      "sed 'y/abc/xy/' a.txt",
      "sed 'y/abc/xyz' a.txt",
      "sed 'y/a/' a.txt",
      "sed 'y/abc/xyz/g' a.txt",
      "sed '/abc' a.txt",
      "sed '/abc/' a.txt",
      "sed '\\' a.txt",
      "sed '1,' a.txt",
      "sed '1,p' a.txt",
      "sed ',p' a.txt",
      "sed '+1p' a.txt",
      "sed '~1p' a.txt",
      "sed '0p' a.txt",
      "sed '0,5p' a.txt",
      "sed '0~0p' a.txt",
      "sed '1!!p' a.txt",
      "sed '{p' a.txt",
      "sed -e '{' -e p a.txt",
      "sed 'p}' a.txt",
      "sed '}' a.txt",
      "sed '1}' a.txt",
      "sed '{p};}' a.txt",
      "sed 'pq' a.txt",
      "sed 'p x' a.txt",
      "sed 'dp' a.txt",
      "sed 'q 5 x' a.txt",
      "sed '1,2q' a.txt",
      "sed '1,2Q' a.txt",
      "sed 'a' a.txt",
      "sed '1,2=' a.txt",
      "sed ':' a.txt",
      "sed '1:a' a.txt",
      "sed '1#x' a.txt",
      "sed 'b nolabel' a.txt",
      "sed 'ba;bb' a.txt",
      "sed 'r' a.txt",
      "sed 'w' a.txt",
      "sed 'R ' a.txt",
      "sed -n '//p' a.txt",
      "sed -e p -e '//p' a.txt",
      "sed '//Ip' a.txt",
      "sed '/x/I,//Mp' a.txt",
      "sed 'v 5.0' a.txt",
      "sed '1~' a.txt",
      "sed 's/a/\\c\\d/' a.txt",
      "sed -f bad.sed a.txt",
      "sed -e p -f bad.sed a.txt",
      "sed '2,3{p' a.txt",
      "sed -n '\np\n{\n' a.txt",
      "sed --posix '1,2a x' a.txt",
      "sed --posix 'a x' a.txt",
      "sed --posix 'F' a.txt",
      "sed --posix 's/a/b/I' a.txt",
      "sed --posix '0,/a/p' a.txt",
      "sed --posix '1,+2p' a.txt",
      "sed 's/a/b/w d' a.txt",
      "sed '1d;k;w x' a.txt",
      "sed 's/a/b/;s/c/d/;y' a.txt",
      "sed 's/\\(a/b/' a.txt",
      "sed -E 's/(a/b/' a.txt",
      "sed -E 's/a)/b/' a.txt",
      "sed 's/a\\)/b/' a.txt",
      "sed -n '/a\\(b/p' a.txt",
      "sed 's/a\\\\\\/b/' a.txt",
      "sed 'p;p;p;\n\nz;zz' a.txt",
      "sed 'l 5x' a.txt",
      "sed 'y/a\\/b/xyz/' a.txt",
      "sed 'e' a.txt --sandbox",
      "sed --sandbox 'e' a.txt",
      "sed --sandbox 's/a/b/e' a.txt",
  });
}

TEST_CASE("sed: C locale") {
  static Fixture* c = new Fixture("sed-test", "C", BuildTree);
  for (const char* cmd : {
           "sed 's/./X/g' utf8.txt",
           "sed 's/.*/\\U&/' utf8.txt",
           "sed -n l utf8.txt",
           "sed 'y/abc/xyz/' a.txt",
           "sed 's/[[:alpha:]]*/<&>/' utf8.txt",
           "sed 's/\\w\\+/[&]/g' utf8.txt",
           "sed 's/\\<[a-z]/\\u&/g' words.txt",
           "sed -n '/ALPHA/Ip' a.txt",
           "sed 's/[^a-z ]/?/g' utf8.txt",
           "sed 's/\\(.\\)\\(.\\)/\\2\\1/' utf8.txt",
       }) {
    c->Compare(cmd);
  }
  MESSAGE("C locale: ", c->compared, " command lines");
}

// Commands that write (-i, w FILE): a fresh tree for each, GNU run on the
// disk, memhook on the store; outputs and the resulting trees compared.
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
  DiskTree t("sed-write", "C.UTF-8");
  BuildTree(t);
  if (*c.setup != '\0') {
    auto r = t.Bash(std::string("cd ") + memhook::testing::ShellQuote(t.tree.string()) + " && " +
                    c.setup);
    REQUIRE(r.status == 0);
  }
  memhook::vfs::StoreOptions store_options;
  store_options.virtual_index = false;
  t.Import(store_options);
  UtilOptions options = t.Options("");
  options.cwd = t.tree.string();
  CommandEnv env{*t.store, options, options.cwd, nullptr, nullptr};
  CommandIo io;
  std::vector<std::string> argv = ShellWords(command);
  memhook::utils::FindCommand("sed")->fn(argv, env, io);
  REQUIRE_MESSAGE(io.unsupported.empty(), io.unsupported);
  auto real =
      t.Bash("umask 022 && cd " + memhook::testing::ShellQuote(t.tree.string()) + " && " + command);
  CHECK(io.out.str() == real.out);
  CHECK(io.err.str() == real.err);
  CHECK(io.status == real.status);
  fs::path out = t.root / "export";
  REQUIRE(memhook::vfs::ExportTree(*t.store, out.string()).ok());
  CHECK(Describe(out) == Describe(t.tree));
  ++g_write_cases;
}

TEST_CASE("sed: -i and w FILE") {
  for (const WriteCase& c : std::vector<WriteCase>{
           {"sed -i s/a/X/ a.txt"},
           {"sed -i -n 2p a.txt b.txt"},
           {"sed -i '$d' a.txt b.txt"},
           {"sed -i.bak s/o/0/g b.txt"},
           {"sed -i'.orig' 1d a.txt b.txt"},
           {"sed -i'bak_*' s/o/0/ b.txt"},
           {"sed -i'old/*' s/o/0/ b.txt", "mkdir old"},
           {"sed -i'nodir/*' s/o/0/ b.txt"},
           {"sed --in-place=.b 's/^/> /' b.txt nonl.txt"},
           {"sed --in-place 's/^/> /' nonl.txt"},
           {"sed -i 2q a.txt b.txt"},
           {"sed -i 2Q a.txt"},
           {"sed -i p nofile b.txt"},
           {"sed -i p d"},
           {"sed -i p b.txt d a.txt"},
           {"sed -i F b.txt a.txt"},
           {"sed -i = b.txt"},
           {"sed -i '1i top' b.txt empty.txt"},
           {"sed -i 'a tail' nonl.txt"},
           {"sed -i -e '$a\\' -e 'added' nonl.txt"},
           {"sed -i 's/x/y/w /dev/stdout' nonl2.txt"},
           {"sed -i s/o/0/ d/x.md", "chmod 600 d/x.md"},
           {"sed -i.bak s/o/0/ b.txt", "chmod 640 b.txt"},
           {"sed -n -i 'w copy.txt' b.txt"},
           {"sed -n 'w out.txt' a.txt"},
           {"sed -n '/e/w out.txt' a.txt b.txt"},
           {"sed -n 's/o/0/w out.txt' b.txt"},
           {"sed 'w out.txt\nW out2.txt' b.txt"},
           {"sed -n 'N;W out.txt' a.txt"},
           {"sed 'w out.txt' nonl.txt"},
           {"sed -n '/nomatch/w out.txt' a.txt"},
           {"sed -n '1w out.txt\n$w out.txt' a.txt"},
           {"sed -n 'w d/new.txt' b.txt"},
           {"sed -n 'w nodir/new.txt' b.txt"},
           {"sed 'w out.txt\nk' b.txt"},
           {"sed -n 'w existing.txt' b.txt", "echo old > existing.txt"},
           {"sed -i s/e/E/ a.txt nofile"},
       }) {
    AgreeWrite(c);
  }
  MESSAGE("write cases: ", g_write_cases);
}

TEST_CASE("sed: refused") {
  for (const char* cmd : {
           "sed e a.txt",
           "sed '1e echo hi' a.txt",
           "sed 's/.*/echo &/e' a.txt",
           "sed 's/\\(a\\)\\1/x/' a.txt",
           "sed -E 's/(a)\\1/x/' a.txt",
           "sed -n '/\\(o\\)\\1/p' words.txt",
           "sed --debug p a.txt",
           "sed --version",
           "sed L a.txt",
           "sed p /etc/passwd",
           "sed 'r /dev/stdin' a.txt",
           "sed -n 'w a.txt' a.txt",
           "sed -i p b.txt b.txt",
           "sed -i.bak p b.txt b.txt.bak",
           "sed 's/\\bc/C/g' utf8.txt",
           "sed 's/[[=e=]]/x/' a.txt",
           "sed 's/\\<./\\u&/g' words.txt",
           "sed 'w /nonexistent/dir/file' a.txt",
       }) {
    Utf8().Refused(cmd);
  }
  Utf8().Refused("sed -z 's/^a/x/M' nul.txt");
  Utf8().Refused("sed 's/a/b/e' a.txt");
  Utf8().Refused("sed s/./x/", "bad \xff byte\n");
  Utf8().Refused("sed -n '/a/p' /dev/stdin");
  std::vector<std::string> posix_env = {"POSIXLY_CORRECT=1"};
  CHECK(Utf8().Ours("sed p a.txt", "", &posix_env).unsupported != "");
}

TEST_CASE("sed: streams stop early") {
  // `sed -n 1p big | head -1`: the reader needs one line.
  DiskTree t("sed-big", "C.UTF-8");
  std::string big;
  for (int i = 0; i < 200000; ++i) big += "line " + std::to_string(i) + "\n";
  t.Write("big.txt", big);
  t.Import();
  UtilOptions options = t.Options("");
  options.cwd = t.tree.string();
  CommandEnv env{*t.store, options, options.cwd, nullptr, nullptr};
  {
    CommandIo io;
    memhook::utils::FindCommand("sed")->fn({"sed", "5q", "big.txt"}, env, io);
    CHECK(io.unsupported.empty());
    CHECK(io.out.str() == "line 0\nline 1\nline 2\nline 3\nline 4\n");
  }
  {
    CommandIo io;
    io.need.lines = 1;
    memhook::utils::FindCommand("sed")->fn({"sed", "-n", "1p", "big.txt"}, env, io);
    CHECK(io.out.str() == "line 0\n");
  }
  {
    CommandIo io;
    memhook::utils::FindCommand("sed")->fn({"sed", "-n", "$p", "big.txt"}, env, io);
    CHECK(io.out.str() == "line 199999\n");
  }
}

// A -n script whose printing commands all have line-number addresses
// stops reading once the last of those lines has passed: the answers stay
// GNU's (compared here on every address form), and the rest of a large
// file is never read (below: its invalid tail is never seen).
TEST_CASE("sed: a -n script stops after the last line it can print") {
  CompareAll({"sed -n 2p",
              "sed -n '2,4p'",
              "sed -n '4,2p'",
              "sed -n '2,+1p'",
              "sed -n '2,~4p'",
              "sed -n '3,~3p'",
              "sed -n '0~2p'",
              "sed -n '2{p;n;p}'",
              "sed -n '2{N;p}'",
              "sed -n '2,3{N;p}'",
              "sed -n '1!p'",
              "sed -n '2!{p}'",
              "sed -n '2q;p'",
              "sed -n '3q5;1p'",
              "sed -n '1p;3Q7'",
              "sed -n '/t/{2p}'",
              "sed -n '2{/t/p}'",
              "sed -n '1,2{p;2=}'",
              "sed -n '2,3{=;l}'",
              "sed -n 's/o/0/p;2q'",
              "sed -n '2s/o/0/p'",
              "sed -n '2,3s/e/E/gp'",
              "sed -n '1~3p'",
              "sed -n '2,/f/p'",
              "sed -n '2ahello'",
              "sed -n '2ihi'",
              "sed -n '2,3cgone'",
              "sed -n '2F'",
              "sed -n '$p'",
              "sed -n '2p;$='",
              "sed -n 'x;2p'",
              "sed -n '2{x;p;x;p}'",
              "sed -n 'h;3{g;p}'",
              "sed -n '1bx;3p;:x'",
              "sed -n '3{b};2p'",
              "sed -n '2,+1{p}'",
              "sed -n '/o/!d;2,+1p'",
              "sed -n '$!N;2P;D'",
              "sed -n '2p;3w /dev/stdout'",
              "sed -n -s 2p - b.txt",
              "sed -n 2p - b.txt",
              "sed -n 2p b.txt -",
              "sed -n 2p - nope.txt",
              "sed -n 7p",
              "sed 2p"},
             kLines);
  CompareAll({"sed -n 2p nonl.txt", "sed -n '2,5p' nonl.txt", "sed -n 1p nonl2.txt",
              "sed -n 1p empty.txt", "sed -n '3,4p' num.txt a.txt", "sed -n 12p num.txt a.txt"});

  DiskTree t("sed-tail", "C.UTF-8");
  std::string big;
  for (int i = 0; i < 200000; ++i) big += "line " + std::to_string(i) + "\n";
  // memhook refuses a regex over invalid UTF-8 once it reads it.
  t.Write("bad-tail.txt", big + "\xff\xfe\n");
  t.Import();
  UtilOptions options = t.Options("");
  options.cwd = t.tree.string();
  CommandEnv env{*t.store, options, options.cwd, nullptr, nullptr};
  auto run = [&](const std::vector<std::string>& argv, CommandIo& io) {
    memhook::utils::FindCommand("sed")->fn(argv, env, io);
  };
  {
    CommandIo io;
    run({"sed", "-n", "2{/line/p}", "bad-tail.txt"}, io);
    CHECK(io.unsupported.empty());
    CHECK(io.out.str() == "line 1\n");
  }
  {
    CommandIo io;
    run({"sed", "-n", "s/line/LINE/;3,+2p", "bad-tail.txt"}, io);
    CHECK(io.unsupported.empty());
    CHECK(io.out.str() == "LINE 2\nLINE 3\nLINE 4\n");
  }
  {  // The control: a script that can print on any line reads to the end.
    CommandIo io;
    run({"sed", "-n", "/line 1$/p", "bad-tail.txt"}, io);
    CHECK_FALSE(io.unsupported.empty());
  }
}

TEST_CASE("sed: SedWrites") {
  using memhook::utils::SedWrites;
  CHECK(SedWrites({"sed", "-i", "p", "f"}));
  CHECK(SedWrites({"sed", "--in-place=.bak", "p", "f"}));
  CHECK(SedWrites({"sed", "-n", "w out", "f"}));
  CHECK(SedWrites({"sed", "-e", "p", "-e", "s/a/b/w out", "f"}));
  CHECK(SedWrites({"sed", "/x/W out", "f"}));
  CHECK(SedWrites({"sed", "w out\nk", "f"}));
  CHECK(SedWrites({"sed", "-f", "script.sed", "f"}));
  CHECK_FALSE(SedWrites({"sed", "-n", "p", "f"}));
  CHECK_FALSE(SedWrites({"sed", "s/w/x/g;/w/p", "f"}));
  CHECK_FALSE(SedWrites({"sed", "w /dev/stdout", "f"}));
  CHECK_FALSE(SedWrites({"sed", "s/a/b/w /dev/stderr", "f"}));
  CHECK_FALSE(SedWrites({"sed", "-n", "y/w/x/;p", "f"}));
  CHECK_FALSE(SedWrites({"sed", "k;w out", "f"}));
}

TEST_CASE("sed: summary") {
  MESSAGE("compared ", Utf8().compared, " command lines, refused ", Utf8().refused);
}

}  // namespace
