// sort, uniq, cut, od, expr and numfmt against GNU coreutils 9.1 (Debian
// 12's own tools).
//
// Differential: a real directory is imported into a SQLite store; each
// command line is answered by the utility called directly on the store and
// by real bash + the GNU tool on the directory itself. stdout, stderr and
// status must agree and the utility must not report itself unsupported.
// Commands that write (sort -o, uniq IN OUT) run on a fresh tree each and
// the store (exported) must then hold what GNU left on the disk. What
// memhook refuses is listed and checked to be refused, never answered.
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

void BuildTree(DiskTree& t) {
  t.MakeDirs("d/sub");
  t.Write("a.txt", "pear\napple\nbanana\napple\ncherry\nBanana\n\nzebra\n");
  t.Write("b.txt", "one\ntwo\nthree\n");
  t.Write("nonl.txt", "zz\naa\nlast without newline");
  t.Write("nonl2.txt", "x");
  t.Write("empty.txt", "");
  t.Write("num.txt", "10\n9\n-3\n2.5\n+4\n007\n-0\n0\n1e3\n 42\nabc\n-.5\n.5\n1,000\n");
  t.Write("human.txt", "1K\n2M\n500\n1G\n3k\n-1M\n0.5K\n1T\n1k\n");
  t.Write("gen.txt", "1e3\n10\n-inf\nnan\n0x10\n1.5\nabc\n+7\n-2e-1\ninf\n");
  t.Write("months.txt", "mar 3\nJan 1\nDEC 12\nfeb 2\nxyz 0\n  apr 4\nmay\n");
  t.Write("ver.txt",
          "file10.txt\nfile9.txt\nfile1.10\nfile1.9\nv1.2.3\nv1.10.0\nfoo.tar.gz\nfoo\n.hidden\n");
  t.Write("cols.txt", "b 2 x\na 10 y\nc 1 z\na 2 w\nb  10 v\n\tc 3 u\n");
  t.Write("csv.txt", "id,name,score\n3,carol,88\n1,alice,92\n2,bob,75\n4,dave,92\n");
  t.Write("tsv.txt", "k1\tv1\tw1\nk2\tv2\nk3\nk4\t\tw4\n");
  t.Write("dup.txt", "a\na\nb\nc\nc\nc\nA\na\nd\n");
  t.Write("dupf.txt", "1 x foo\n2 y foo\n3 y bar\nX  bar\nz BAR\n");
  t.Write("utf8.txt", "été\nÉcole\nabc\nzèbre\n日本\nAbc\n");
  t.Write("bad.txt", "ok\n\xff\xfe bad\nz\n\xc3(\n");
  t.Write("nul.txt", std::string("b\0a\nb\0\na\0c\n", 12));
  t.Write("zero.txt", std::string("c\0a\0b\0b\0", 8));
  t.Write("sorted.txt", "a\nb\nb\nc\n");
  t.Write("sorted2.txt", "a\nc\nd\n");
  t.Write("unsorted.txt", "b\na\nc\n");
  static constexpr char kBin[] =
      "\x00\x01\x02\x03\x7f\x80\xff\x10hello world\n\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
      "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x02";
  t.Write("bin.dat", std::string(kBin, sizeof kBin - 1));
  t.Write("floats.dat",
          std::string("\x00\x00\x80\x3f\x00\x00\x00\xc0\x00\x00\x00\x00\x00\x00\xf0\x3f"
                      "\x9a\x99\x99\x99\x99\x99\xb9\x3f",
                      24));
  t.Write("d/x.md", "inner\nline\n");
  t.Write("log.jsonl",
          "{\"type\":\"user\",\"n\":3}\n{\"type\":\"assistant\",\"n\":1}\n{\"type\":\"user\",\"n\":"
          "2}\n");
}

using Fixture = memhook::testing::UtilityDiff;

Fixture& Utf8() {
  static Fixture* f = new Fixture("filters-test", "C.UTF-8", BuildTree);
  return *f;
}

void CompareAll(const std::vector<std::string>& commands, const std::string& input = "") {
  for (const std::string& c : commands) Utf8().Compare(c, input);
}

const char* kWords = "delta\nAlpha\ncharlie\nbravo\nalpha\n\nDelta\n";

TEST_CASE("sort: plain, reverse, unique, stable, files") {
  CompareAll({
      "sort a.txt",
      "sort -r a.txt",
      "sort -u a.txt",
      "sort -ru a.txt",
      "sort a.txt b.txt",
      "sort a.txt nonl.txt b.txt",
      "sort nonl.txt nonl2.txt",
      "sort empty.txt",
      "sort empty.txt empty.txt",
      "sort",
      "sort -",
      "sort - b.txt",
      "sort b.txt - -",
      "sort -f a.txt",
      "sort -fu a.txt",
      "sort -f -s a.txt",
      "sort -d a.txt",
      "sort -i bin.dat",
      "sort -b cols.txt",
      "sort -s -k1,1 cols.txt",
      "sort -u -k1,1 cols.txt",
      "sort utf8.txt",
      "sort -f utf8.txt",
      "sort -r utf8.txt",
      "sort bad.txt",
      "sort -u dup.txt",
      "sort -z zero.txt",
      "sort -zr zero.txt",
      "sort nul.txt",
      "sort -u nul.txt",
      "sort --reverse --unique a.txt",
      "sort --ignore-case --stable a.txt",
      "sort --zero-terminated zero.txt",
      "sort -- a.txt",
      "sort -S 1M a.txt",
      "sort --buffer-size=10 -T /tmp a.txt",
      "sort --parallel=2 a.txt",
      "sort --batch-size=4 a.txt",
      "sort --compress-program=gzip a.txt",
      "sort a.txt /dev/null",
      "sort d/x.md a.txt",
  });
  Utf8().Compare("sort", kWords);
  Utf8().Compare("sort -f", kWords);
  Utf8().Compare("sort -fu", kWords);
  Utf8().Compare("sort -r", "b\na\nc");
  Utf8().Compare("sort -u", "x\nx\nx");
  Utf8().Compare("sort -b", "  b\n a\n\tc\na\n");
  Utf8().Compare("sort -bu", "  b\n a\n\tc\na\nb\n");
}

TEST_CASE("sort: numeric, human, general, month, version") {
  CompareAll({
      "sort -n num.txt",
      "sort -nr num.txt",
      "sort -nu num.txt",
      "sort -ns num.txt",
      "sort -n -k1 num.txt",
      "sort -h human.txt",
      "sort -hr human.txt",
      "sort -hu human.txt",
      "sort -g gen.txt",
      "sort -gr gen.txt",
      "sort -gu gen.txt",
      "sort -g num.txt",
      "sort -M months.txt",
      "sort -Mr months.txt",
      "sort -M -u months.txt",
      "sort -V ver.txt",
      "sort -Vr ver.txt",
      "sort -V -u ver.txt",
      "sort --numeric-sort num.txt",
      "sort --human-numeric-sort human.txt",
      "sort --general-numeric-sort gen.txt",
      "sort --month-sort months.txt",
      "sort --version-sort ver.txt",
      "sort --sort=numeric num.txt",
      "sort --sort=human-numeric human.txt",
      "sort --sort=version ver.txt",
      "sort --sort=month months.txt",
      "sort --sort general-numeric gen.txt",
      "sort -n human.txt",
      "sort -n ver.txt",
      "sort -k2n cols.txt",
      "sort -k2,2n -k1,1r cols.txt",
  });
  Utf8().Compare("sort -n", "3\n-1\n\n2\n-0.0\n0\n1.\n1.0\n0.999\n");
  Utf8().Compare("sort -un", "1\n01\n1.0\n2\n");
  Utf8().Compare("sort -h", "1.5K\n1K\n1024\n2K\n0K\n-2K\n1,5K\n");
  Utf8().Compare("sort -V", "a1\na01\na\na-1\n1.0~rc1\n1.0\n1.0a\n~x\n\n");
}

TEST_CASE("sort: keys and separators") {
  CompareAll({
      "sort -k2 cols.txt",
      "sort -k2,2 cols.txt",
      "sort -k2,2n cols.txt",
      "sort -k2n,2 cols.txt",
      "sort -k3 cols.txt",
      "sort -k3,3r cols.txt",
      "sort -k1.2 cols.txt",
      "sort -k1.2,1.2 cols.txt",
      "sort -k2.1b,2.2 cols.txt",
      "sort -k2b,2 cols.txt",
      "sort -b -k2,2 cols.txt",
      "sort -k2,2 -b cols.txt",
      "sort -k2,2bn cols.txt",
      "sort -k5 cols.txt",
      "sort -k1,1 -k2,2nr cols.txt",
      "sort -t, -k2 csv.txt",
      "sort -t, -k3n csv.txt",
      "sort -t, -k3,3nr -k2,2 csv.txt",
      "sort -t, -k3,3 -u csv.txt",
      "sort -t , -k 3n,3 -s csv.txt",
      "sort --field-separator=, --key=2,2 csv.txt",
      "sort -t, -k2.2,2.3 csv.txt",
      "sort -t, -k1.1,1.1 -k3,3.1 csv.txt",
      "sort -t '\t' -k2 tsv.txt",
      "sort -t '\t' -k2,2 -k3 tsv.txt",
      "sort -t: -k1 a.txt",
      "sort -t '\\0' -k2 nul.txt",
      "sort -k1,1f a.txt",
      "sort -k1,1d a.txt",
      "sort -k1,1 -f a.txt",
      "sort -k1,1r -r a.txt",
      "sort -r -k1,1 a.txt",
      "sort -k2,1 cols.txt",
      "sort -k1.5 a.txt",
      "sort -k1.1,1.0 cols.txt",
      "sort -k2,2.0 cols.txt",
      "sort -k +2 cols.txt",
      "sort -k 999999999999999999999999 cols.txt",
      "sort -k2M months.txt",
      "sort -k1,1M -k2n months.txt",
      "sort -k1V ver.txt",
      "sort -t. -k2V ver.txt",
      "sort -k1,1 -t, -k2,2 csv.txt",
      "sort -t '\"' -k4 log.jsonl",
  });
  Utf8().Compare("sort -t: -k2,2n -k1,1", "b:2\na:2\nc:1\nd:\n:3\n");
  Utf8().Compare("sort -k1b", "  x\ny\n z\n");
  Utf8().Compare("sort -z -k2", std::string("a b\nz\0c a\0b c\0", 14));
}

TEST_CASE("sort: check, merge, errors") {
  CompareAll({
      "sort -c sorted.txt",
      "sort -c unsorted.txt",
      "sort -C unsorted.txt",
      "sort -C sorted.txt",
      "sort -cu sorted.txt",
      "sort -c -r sorted.txt",
      "sort -c -n num.txt",
      "sort --check sorted.txt",
      "sort --check=quiet unsorted.txt",
      "sort --check=silent unsorted.txt",
      "sort --check=diagnose-first unsorted.txt",
      "sort -c a.txt b.txt",
      "sort -c nofile",
      "sort -c d",
      "sort -c empty.txt",
      "sort -cz zero.txt",
      "sort -c -o out.txt a.txt",
      "sort -cC a.txt",
      "sort -m sorted.txt sorted2.txt",
      "sort -m unsorted.txt sorted.txt",
      "sort -mu sorted.txt sorted2.txt",
      "sort -m -r sorted.txt sorted2.txt",
      "sort -m -k1,1 sorted.txt b.txt",
      "sort -m sorted.txt nofile",
      "sort nofile",
      "sort a.txt nofile",
      "sort d",
      "sort d nofile",
      "sort a.txt d",
      "sort -k0 a.txt",
      "sort -k1.0 a.txt",
      "sort -kx a.txt",
      "sort -k1x a.txt",
      "sort -k1,0 a.txt",
      "sort -k1,x a.txt",
      "sort -k1. a.txt",
      "sort -k1,1. a.txt",
      "sort -k -1 a.txt",
      "sort -t ab a.txt",
      "sort -t '' a.txt",
      "sort -t, -t: a.txt",
      "sort -t, -t, a.txt",
      "sort -gn a.txt",
      "sort -k1dn a.txt",
      "sort -k1,1Mn a.txt",
      "sort -dV a.txt",
      "sort -fi a.txt",
      "sort --bogus a.txt",
      "sort -j a.txt",
      "sort -k",
      "sort --key",
      "sort --reverse=1 a.txt",
      "sort -o",
      "sort -o out1 -o out2 a.txt",
      "sort --sor=numeric num.txt",
  });
  Utf8().Compare("sort -c", "a\nc\nb\n");
  Utf8().Compare("sort -c -", "a\nb\nb\n");
  Utf8().Compare("sort -cu", "a\nb\nb\n");
  Utf8().Compare("sort -c", "");
}

TEST_CASE("sort: C locale") {
  Fixture& f = Utf8();
  for (const char* cmd :
       {"sort utf8.txt", "sort -f utf8.txt", "sort a.txt", "sort -f a.txt", "sort -d bin.dat",
        "sort -k0 a.txt", "sort -t ab a.txt", "sort -u dup.txt", "sort -M months.txt"}) {
    f.CompareWith({"LC_ALL=C"}, cmd);
    f.CompareWith({"LC_ALL=C.UTF-8"}, cmd);
    f.CompareWith({"LC_ALL=POSIX"}, cmd);
    f.CompareWith({"LC_ALL=xx_YY.UTF-8"}, cmd);
  }
}

TEST_CASE("uniq") {
  CompareAll({
      "uniq dup.txt",
      "uniq -c dup.txt",
      "uniq -d dup.txt",
      "uniq -u dup.txt",
      "uniq -i dup.txt",
      "uniq -ic dup.txt",
      "uniq -D dup.txt",
      "uniq -Di dup.txt",
      "uniq --all-repeated dup.txt",
      "uniq --all-repeated=none dup.txt",
      "uniq --all-repeated=prepend dup.txt",
      "uniq --all-repeated=separate dup.txt",
      "uniq --all-repeated=sep dup.txt",
      "uniq --all-repeated=bogus dup.txt",
      "uniq --group dup.txt",
      "uniq --group=prepend dup.txt",
      "uniq --group=append dup.txt",
      "uniq --group=separate dup.txt",
      "uniq --group=both dup.txt",
      "uniq --group=both empty.txt",
      "uniq --group=x dup.txt",
      "uniq --group -c dup.txt",
      "uniq --group -d dup.txt",
      "uniq -D -c dup.txt",
      "uniq -f 1 dupf.txt",
      "uniq -f1 -c dupf.txt",
      "uniq -f 2 -i dupf.txt",
      "uniq -s 2 dupf.txt",
      "uniq -w 1 dup.txt",
      "uniq -w1 -c dupf.txt",
      "uniq -s 1 -w 1 dupf.txt",
      "uniq +2 dupf.txt",
      "uniq -f x dup.txt",
      "uniq -s -1 dup.txt",
      "uniq -w '' dup.txt",
      "uniq --skip-fields=1 --count dupf.txt",
      "uniq --check-chars=1 --repeated dup.txt",
      "uniq -z zero.txt",
      "uniq -zc zero.txt",
      "uniq nonl.txt",
      "uniq -c nonl2.txt",
      "uniq empty.txt",
      "uniq -c empty.txt",
      "uniq nofile",
      "uniq d",
      "uniq a.txt b.txt c.txt",
      "uniq -k dup.txt",
      "uniq --bogus dup.txt",
      "uniq -f",
      "uniq utf8.txt",
      "uniq -i utf8.txt",
      "uniq bad.txt",
      "uniq - ",
      "uniq -u -d dup.txt",
      "uniq -cd dup.txt",
      "uniq -cu dup.txt",
      "uniq /dev/null",
  });
  Utf8().Compare("uniq", "a\na\nb");
  Utf8().Compare("uniq -c", "a\na\nb\nb\nb\n");
  Utf8().Compare("uniq -D", "x\nx\ny\nz\nz\n");
  Utf8().Compare("uniq --all-repeated=separate", "x\nx\ny\nz\nz\nw\nw\n");
  Utf8().Compare("uniq --group=both", "x\nx\ny\n");
  Utf8().Compare("uniq -c -", "\n\n\n");
}

TEST_CASE("cut") {
  CompareAll({
      "cut -f1 tsv.txt",
      "cut -f2 tsv.txt",
      "cut -f2- tsv.txt",
      "cut -f-2 tsv.txt",
      "cut -f1,3 tsv.txt",
      "cut -f3,1 tsv.txt",
      "cut -f1-2,2-3 tsv.txt",
      "cut -s -f2 tsv.txt",
      "cut -f2 -s tsv.txt",
      "cut --complement -f2 tsv.txt",
      "cut -d, -f2 csv.txt",
      "cut -d , -f1,3 csv.txt",
      "cut -d, -f2- csv.txt",
      "cut -d, -f3 --output-delimiter=' | ' csv.txt",
      "cut -d, -f1,3 --output-delimiter=' | ' csv.txt",
      "cut -d, -f1,3 --output-delimiter='' csv.txt",
      "cut -d, --complement -f1 csv.txt",
      "cut -d ' ' -f2 cols.txt",
      "cut -d ' ' -f1,3 dupf.txt",
      "cut -d' ' -f2 -s dupf.txt",
      "cut -c1-3 a.txt",
      "cut -c2 a.txt",
      "cut -c-2 a.txt",
      "cut -c3- a.txt",
      "cut -b1,3 a.txt",
      "cut -b1-2,4-5 --output-delimiter=: a.txt",
      "cut -b1-2,3-4 --output-delimiter=: a.txt",
      "cut -b1-3,2-5 --output-delimiter=: a.txt",
      "cut --complement -c2-3 a.txt",
      "cut -c1-2 utf8.txt",
      "cut -c1 bad.txt",
      "cut -n -b1-2 a.txt",
      "cut -z -f1 -d a zero.txt",
      "cut -z -c1 zero.txt",
      "cut -f1 nonl.txt",
      "cut -c1-2 nonl.txt",
      "cut -f1 empty.txt",
      "cut -f1 a.txt b.txt",
      "cut -f1 nofile a.txt",
      "cut -f1 d a.txt",
      "cut -f1 -d: log.jsonl",
      "cut -d'\"' -f4 log.jsonl",
      "cut -d'\"' -f2,4 --output-delimiter== log.jsonl",
      "cut",
      "cut a.txt",
      "cut -f1 -c1 a.txt",
      "cut -c1 -d, a.txt",
      "cut -c1 -s a.txt",
      "cut -f0 a.txt",
      "cut -b0 a.txt",
      "cut -f x a.txt",
      "cut -c x a.txt",
      "cut -f 3-1 a.txt",
      "cut -f - a.txt",
      "cut -f 1--2 a.txt",
      "cut -f 0-2 a.txt",
      "cut -f 99999999999999999999999 a.txt",
      "cut -b 99999999999999999999999 a.txt",
      "cut -f '' a.txt",
      "cut -f , a.txt",
      "cut -f '1 3' tsv.txt",
      "cut -d ab -f1 a.txt",
      "cut -d '' -f1 nul.txt",
      "cut -k1 a.txt",
      "cut --bogus a.txt",
      "cut -f",
      "cut --fields",
      "cut --complement=1 -f1 a.txt",
  });
  Utf8().Compare("cut -f2", "a\tb\tc\nno tab\n\tx\n");
  Utf8().Compare("cut -f1", "abc");
  Utf8().Compare("cut -s -f1", "abc\na\tb");
  Utf8().Compare("cut -d '\n' -f1", "a\nb\nc\n");
  Utf8().Compare("cut -d '\n' -f2", "a\nb\nc\n");
  Utf8().Compare("cut -d '\n' -f1,2 --output-delimiter=,", "a\nb\nc");
  Utf8().Compare("cut -c2-", "abc\n\nx");
}

TEST_CASE("od") {
  CompareAll({
      "od bin.dat",
      "od -c bin.dat",
      "od -a bin.dat",
      "od -b bin.dat",
      "od -d bin.dat",
      "od -o bin.dat",
      "od -s bin.dat",
      "od -x bin.dat",
      "od -i bin.dat",
      "od -l bin.dat",
      "od -f floats.dat",
      "od -v bin.dat",
      "od -An -tx1 bin.dat",
      "od -Ad -tx1 bin.dat",
      "od -Ax -tx1 bin.dat",
      "od -Ao -tc bin.dat",
      "od -An -c b.txt",
      "od -tx1z bin.dat",
      "od -tx1z -w8 bin.dat",
      "od -tx2z bin.dat",
      "od -tc -tx1 bin.dat",
      "od -tx1 -tc -td2 bin.dat",
      "od -td1 bin.dat",
      "od -td2 bin.dat",
      "od -td4 bin.dat",
      "od -td8 bin.dat",
      "od -tu1 bin.dat",
      "od -tu2 bin.dat",
      "od -tu4 bin.dat",
      "od -tu8 bin.dat",
      "od -to1 bin.dat",
      "od -to4 bin.dat",
      "od -to8 bin.dat",
      "od -tx4 bin.dat",
      "od -tx8 bin.dat",
      "od -tdC -tdS -tdI -tdL bin.dat",
      "od -tf4 floats.dat",
      "od -tf8 floats.dat",
      "od -tfF -tfD floats.dat",
      "od -tf floats.dat",
      "od -tfL floats.dat",
      "od -tf4 -tx4 floats.dat",
      "od --endian=big -tx2 bin.dat",
      "od --endian=little -tx4 bin.dat",
      "od --endian=big -tf4 floats.dat",
      "od -N 5 -c bin.dat",
      "od -N5 -j3 -c bin.dat",
      "od -j 16 -tx1 bin.dat",
      "od -j 0x10 -tx1 bin.dat",
      "od -j 010 -tx1 bin.dat",
      "od -j1k -tx1 bin.dat",
      "od -N 1b -tx1 bin.dat",
      "od -N x bin.dat",
      "od --read-bytes=1x bin.dat",
      "od -N 99999999999999999999999 bin.dat",
      "od -j 100 bin.dat",
      "od -j 58 bin.dat",
      "od -w4 -tx1 bin.dat",
      "od -w3 -tx2 bin.dat",
      "od -w0 -tx1 b.txt",
      "od -w -tx1 bin.dat",
      "od --width=8 -c bin.dat",
      "od --width -c bin.dat",
      "od -vw4 -tx1 bin.dat",
      "od -c a.txt b.txt",
      "od -c nonl2.txt nonl2.txt",
      "od -c b.txt nofile nonl2.txt",
      "od -c nofile",
      "od -c d b.txt",
      "od -c empty.txt",
      "od empty.txt",
      "od -An empty.txt",
      "od -c",
      "od -c -",
      "od -A q bin.dat",
      "od -t q bin.dat",
      "od -t d3 bin.dat",
      "od -t d16 bin.dat",
      "od -t f2 bin.dat",
      "od -t x1q bin.dat",
      "od -k bin.dat",
      "od --bogus bin.dat",
      "od -t",
      "od -tx1 -j2 -N2 nofile b.txt",
      "od -c utf8.txt",
      "od -tx1 -N 4 nul.txt nofile",
  });
  Utf8().Compare("od -c", "hello\tworld\n");
  Utf8().Compare("od -An -tx1", std::string(40, 'a'));
  Utf8().Compare("od -tx1", std::string(48, '\0') + "x");
}

TEST_CASE("expr") {
  CompareAll({
      "expr 1 + 2",
      "expr 10 - 3",
      "expr 6 \\* 7",
      "expr 7 / 2",
      "expr -7 / 2",
      "expr 7 % 3",
      "expr -7 % 3",
      "expr 7 % -3",
      "expr 5 / 0",
      "expr 5 % 0",
      "expr a + 1",
      "expr 1 + a",
      "expr 99999999999999999999 \\* 99999999999999999999",
      "expr 18446744073709551615 + 1",
      "expr -9223372036854775808 - 1",
      "expr 1 +",
      "expr 1 2",
      "expr '(' 1",
      "expr '(' 1 2",
      "expr ')'",
      "expr '(' 1 + 2 ')' \\* 3",
      "expr",
      "expr --",
      "expr -- 5",
      "expr 0",
      "expr -0",
      "expr 00",
      "expr ''",
      "expr abc",
      "expr -5",
      "expr 1 = 1",
      "expr 1 == 01",
      "expr a = a",
      "expr a != b",
      "expr a \\< b",
      "expr 10 \\< 9",
      "expr 10 \\< 9a",
      "expr 2 \\<= 2",
      "expr b \\> a",
      "expr b \\>= c",
      "expr 1 \\| 0",
      "expr 0 \\| 0",
      "expr '' \\| x",
      "expr 0 \\& 5",
      "expr 3 \\& 5",
      "expr 3 \\& ''",
      "expr 0 \\& 1 / 0",
      "expr 1 \\| 1 / 0",
      "expr abc : 'a\\(.*\\)'",
      "expr abc : 'a.*'",
      "expr abc : 'b'",
      "expr abc : 'x\\(.*\\)'",
      "expr hello.txt : '.*\\.\\(.*\\)'",
      "expr 'a(b' : '\\('",
      "expr abc : 'a\\{2'",
      "expr match abc 'a\\(b\\)'",
      "expr match abc b",
      "expr length hello",
      "expr length ''",
      "expr length héllo",
      "expr length",
      "expr index hello l",
      "expr index hello xyz",
      "expr index héllo l",
      "expr index hello ''",
      "expr substr hello 2 3",
      "expr substr hello 0 3",
      "expr substr hello 4 10",
      "expr substr hello 9 1",
      "expr substr hello a 1",
      "expr substr héllo 2 2",
      "expr substr hello 2 -1",
      "expr + match",
      "expr + /",
      "expr +",
      "expr length + length",
      "expr x : '.*' + 1",
      "expr 1 + 2 \\* 3 - 4 / 2",
      "expr \\( 1 \\)",
      "expr 3 + -2",
      "expr 3 - - 2",
      "expr --help x",
      "expr -x",
      "expr é : '.'",
      "expr éa : '\\(.\\)'",
  });
}

TEST_CASE("write: sort -o, uniq OUTPUT") {
  struct WriteCase {
    const char* command;
    const char* setup = "";
  };
  int cases = 0;
  for (const WriteCase& c : std::vector<WriteCase>{
           {"sort -o out.txt a.txt"},
           {"sort -o a.txt a.txt"},
           {"sort -u -o a.txt a.txt b.txt"},
           {"sort a.txt -o out.txt"},
           {"sort --output=out.txt -r b.txt"},
           {"sort -o out.txt nofile"},
           {"sort -o out.txt d"},
           {"sort -o existing.txt d", "echo old > existing.txt"},
           {"sort -o existing.txt b.txt", "printf 'old old old old\\n' > existing.txt"},
           {"sort -o nodir/out.txt a.txt"},
           {"sort -o d a.txt"},
           {"sort -m -o out.txt sorted.txt sorted2.txt"},
           {"sort -o out.txt -o out.txt a.txt"},
           {"uniq dup.txt out.txt"},
           {"uniq -c dup.txt out.txt"},
           {"uniq dup.txt dup.txt"},
           {"uniq nofile out.txt"},
           {"uniq d out.txt"},
           {"uniq dup.txt nodir/out.txt"},
           {"uniq dup.txt existing.txt", "echo old > existing.txt"},
           {"uniq - out.txt"},
       }) {
    const std::string command = c.command;
    CAPTURE(command);
    DiskTree t("filters-write", "C.UTF-8");
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
    io.stdin_data = "b\na\na\n";
    std::vector<std::string> argv = ShellWords(command);
    memhook::utils::FindCommand(argv[0])->fn(argv, env, io);
    REQUIRE_MESSAGE(io.unsupported.empty(), io.unsupported);
    auto real = t.Bash(
        "umask 022 && cd " + memhook::testing::ShellQuote(t.tree.string()) + " && " + command, "",
        std::string("b\na\na\n"));
    CHECK(io.out.str() == real.out);
    CHECK(io.err.str() == real.err);
    CHECK(io.status == real.status);
    fs::path out = t.root / "export";
    REQUIRE(memhook::vfs::ExportTree(*t.store, out.string()).ok());
    auto describe = [](const fs::path& dir) {
      std::vector<std::string> lines;
      for (auto it = fs::recursive_directory_iterator(dir);
           it != fs::recursive_directory_iterator(); ++it) {
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
    };
    CHECK(describe(out) == describe(t.tree));
    ++cases;
  }
  MESSAGE("write cases: ", cases);
}

TEST_CASE("SortWrites / UniqWrites") {
  using memhook::utils::SortWrites;
  using memhook::utils::UniqWrites;
  CHECK(SortWrites({"sort", "-o", "x", "a"}));
  CHECK(SortWrites({"sort", "-ox", "a"}));
  CHECK(SortWrites({"sort", "--output=x", "a"}));
  CHECK(SortWrites({"sort", "--out", "x", "a"}));
  CHECK(SortWrites({"sort", "-rno", "x"}));
  CHECK_FALSE(SortWrites({"sort", "-r", "a"}));
  CHECK_FALSE(SortWrites({"sort", "--", "-o", "x"}));
  CHECK_FALSE(SortWrites({"sort", "-k", "1", "o"}));
  CHECK(UniqWrites({"uniq", "a", "b"}));
  CHECK(UniqWrites({"uniq", "-c", "-", "out"}));
  CHECK_FALSE(UniqWrites({"uniq", "a"}));
  CHECK_FALSE(UniqWrites({"uniq", "-f", "1", "a"}));
  CHECK_FALSE(UniqWrites({"uniq", "+3", "a"}));
}

TEST_CASE("refused") {
  for (const char* cmd : {
           "sort -R a.txt",
           "sort --random-sort a.txt",
           "sort --random-source=/dev/zero a.txt",
           "sort --sort=random a.txt",
           "sort --debug a.txt",
           "sort --help",
           "sort --version",
           "sort --files0-from=x",
           "sort +1 -2 a.txt",
           "uniq --help",
           "uniq -2 dupf.txt",
           "cut --help",
           "od --help",
           "od --traditional bin.dat",
           "od -S 3 bin.dat",
           "od bin.dat +1",
           "expr --help",
           "expr --version",
           "sort /etc/passwd",
           "cut -f1 /etc/passwd",
       }) {
    Utf8().Refused(cmd);
  }
  MESSAGE("compared: ", Utf8().compared, ", refused: ", Utf8().refused);
}

}  // namespace
