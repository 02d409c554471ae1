// numfmt against GNU coreutils 9.1 on this machine.
//
// Differential: a real directory is imported into a SQLite store; each
// command line is answered by numfmt called directly on the store and by
// real bash + the real numfmt on the directory itself. stdout, stderr and
// status must agree (and their interleaving, `2>&1`), and memhook must not
// report itself unsupported. What memhook refuses is listed and checked to
// be refused, never answered. The C locale runs in a child process of this
// test (the locale is read once per process).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "tests/support/disk_tree.h"
#include "tests/support/test_support.h"
#include "tests/support/utility_diff.h"

namespace {

using memhook::testing::DiskTree;

// The files every case can read (numfmt reads only stdin: `< FILE`).
void BuildTree(DiskTree& t) {
  t.Write("sizes.txt",
          "0\n1\n999\n1000\n1023\n1024\n1536\n999999\n1000000\n1048576\n"
          "123456789\n9876543210\n1099511627776\n-1\n-1500\n-1048576\n");
  t.Write("fracs.txt",
          "0.1\n0.5\n0.05\n1.5\n2.25\n9.95\n9.99\n99.95\n999.5\n999.9\n"
          "1023.9\n-0.5\n-2.5\n.5\n-.25\n12.000\n3.14159\n");
  t.Write("human.txt", "1K\n1.5K\n2M\n3G\n4T\n5P\n6E\n7Z\n8Y\n0.5K\n1Ki\n1Mi\n1.5Gi\n");
  t.Write("iec_i.txt", "1Ki\n2Mi\n3Gi\n1.5Ti\n4Pi\n");
  t.Write("ls.txt",
          "total 48\n"
          "-rw-r--r-- 1 root root   12345 Jan  1 00:00 a.md\n"
          "-rw-r--r-- 1 root root 1048576 Jan  1 00:00 big.bin\n"
          "drwxr-xr-x 2 root root    4096 Jan  1 00:00 dir\n"
          "-rw-r--r-- 1 root root       0 Jan  1 00:00 empty\n"
          "-rw-r--r-- 1 root root 987654321 Jan  1 00:00 huge.log\n");
  t.Write("wc.txt",
          "   1234 notes/a.md\n  56789 notes/b.md\n 999999 notes/c.md\n"
          "1057022 total\n");
  t.Write("csv.txt", "name,bytes,files\nalpha,123456,12\nbeta,7890123,345\ngamma,1,0\n");
  t.Write("tabs.txt", "a\t1000\t2000\nb\t3000000\t4\n");
  t.Write("mixed.txt", "1000\nabc\n2000\n12Q\n3000\n");
  t.Write("nonl.txt", "1000\n2000");
  t.Write("empty.txt", "");
  t.Write("blank.txt", "\n\n  \n");
  t.Write("spaces.txt", "  1000\n    2000  \n\t3000\n 4000 5000\n");
  t.Write("suffixed.txt", "100B\n2048B\n1.5KB\nB\n99\n");
  t.Write("nul.txt", std::string("1000\0junk\n2000\n", 15));
  t.Write("zero.txt", std::string("1000\0"
                                  "2000\0"
                                  "3000 4000\n5000\0",
                                  26));
  t.Write("zhdr.txt", std::string("head\0"
                                  "2048\0",
                                  10));
  t.Write("crlf.txt", "1000\r\n2000\r\n");
  t.Write("utf8.txt", "café 1000\n€ 2000\n1000 naïve\n");
  t.Write("big.txt",
          "1000000000000000000\n12345678901234567\n123456789012345678901234567\n"
          "999999999999999999999999999\n1234567890123456789012\n");
  t.Write("blank_field.txt", "12 ,3\n7\t,8\n1 K,2\n");
  t.Write("hdr.txt", "SIZE NAME\nBYTES TOO\n4096 a\n8192 b\n");
  {
    std::string many;
    for (int i = 0; i < 3000; ++i) many += std::to_string(i * 7919LL % 100003 * 1013) + "\n";
    t.Write("many.txt", many);
  }
}

// Every comparison also checks the interleaving of stdout and stderr.
class Fixture : public memhook::testing::UtilityDiff {
 public:
  explicit Fixture(const char* locale) : UtilityDiff("numfmt-test", locale, BuildTree) {
    set_stdin_redirects(true);
  }
  void Compare(const std::string& command, const std::string& input = "") {
    UtilityDiff::Compare(command, input, /*merged=*/true);
  }
};

bool InCLocaleChild() { return memhook::testing::InLocaleChild("NUMFMT_TEST_C_LOCALE"); }

Fixture& Fx() {
  static Fixture* f = new Fixture(InCLocaleChild() ? "C" : "C.UTF-8");
  return *f;
}

void CompareAll(const std::vector<std::string>& commands, const std::string& input = "") {
  for (const std::string& c : commands) Fx().Compare(c, input);
}

// ================================================================ numbers

const std::vector<std::string> kPlain = {
    "numfmt 0",
    "numfmt 1 22 333",
    "numfmt 1234567",
    "numfmt 1.5 2.25 3.000",
    "numfmt .5 0.05",
    "numfmt -- -1 -0 -2.5 -.25",
    "numfmt 1234567890123456789",
    "numfmt 12345678901234567890",
    "numfmt 123456789012345678",
    "numfmt 1.23456789012345678",
    "numfmt 0.000000000000000001",
    "numfmt 000000000000000000000000000001",
    "numfmt 1234567890123456789012345678",
    "numfmt x",
    "numfmt ''",
    "numfmt +5",
    "numfmt .",
    "numfmt 5.",
    "numfmt 1.-5",
    "numfmt 1..5",
    "numfmt 1.5.3",
    "numfmt 12Q",
    "numfmt 1K",
    "numfmt 1k",
    "numfmt 1e5",
    "numfmt 0x10",
    "numfmt -",
    "numfmt -- --5",
    "numfmt '12 '",
    "numfmt ' 12'",
    "numfmt '1 2 3'",
    "numfmt 1000 x 2000",
    "numfmt 1,000",
};

TEST_CASE("plain numbers") { CompareAll(kPlain); }

// ================================================================ --to

const std::vector<std::string> kTo = {
    "numfmt --to=si -- 0 1 9 10 99 999 999.4 999.5 1000 1001 1049 1050 1051 1099 1100",
    "numfmt --to=si -- 9949 9950 9951 9999 10000 10001 99499 99500 99999 999999 1000000",
    "numfmt --to=si -- -1 -999 -1000 -1500 -9999 -10000 -0.5 0.5 0.04 9.95 9.96 99.95",
    "numfmt --to=si 1e3",
    "numfmt --to=si 1000000000 1000000000000 1000000000000000 1000000000000000000",
    "numfmt --to=si 123456789012345678901234567 999999999999999999999999999",
    "numfmt --to=iec -- 0 1 1023 1024 1025 1536 10239 10240 10241 1048575 1048576",
    "numfmt --to=iec -- -1 -1023 -1024 -2047 -1048577 0.5 1023.5",
    "numfmt --to=iec 1152921504606846976 1180591620717411303424 1208925819614629174706176",
    "numfmt --to=iec-i -- 0 1 1023 1024 4096 1048576 -2048 123456789",
    "numfmt --to=none 1234.5",
    "numfmt --to=s 2000",
    "numfmt --to=iec- 2000",
    "numfmt --to=auto 1",
    "numfmt --to= 1",
    "numfmt --to=SI 1",
    "numfmt --to=si < sizes.txt",
    "numfmt --to=iec < sizes.txt",
    "numfmt --to=iec-i < sizes.txt",
    "numfmt --to=si < fracs.txt",
    "numfmt --to=iec < fracs.txt",
    "numfmt --to=si < big.txt",
    "numfmt < big.txt",
    "numfmt --invalid=warn < big.txt",
    "numfmt --to=si < many.txt",
};

TEST_CASE("--to") { CompareAll(kTo); }

// ================================================================ --from

const std::vector<std::string> kFrom = {
    "numfmt --from=si < human.txt",
    "numfmt --from=iec < human.txt",
    "numfmt --from=auto < human.txt",
    "numfmt --from=iec-i < iec_i.txt",
    "numfmt --from=iec-i < human.txt",
    "numfmt --from=auto --invalid=warn < human.txt",
    "numfmt --from=none 1K",
    "numfmt --from=si 1K 1.5M 2G 1k",
    "numfmt --from=si '1 K'",
    "numfmt --from=si 1Ki",
    "numfmt --from=auto 1Ki 1KiB 1K 2Mi",
    "numfmt --from=auto 1Kx",
    "numfmt --from=iec 1.5K 0.5M 3Y",
    "numfmt --from=iec 1000Y",
    "numfmt --from=iec-i 1K",
    "numfmt --from=iec-i 1Ki 1",
    "numfmt --from=iec-i 5",
    "numfmt --from=si 999999999999999999999999999Y",
    "numfmt --from=si --to=si 1.5M 999K 1G",
    "numfmt --from=iec --to=si 1K 1M 1G",
    "numfmt --from=si --to=iec 1K 1M 1G",
    "numfmt --from=auto --to=iec-i 1Ki 10M",
    "numfmt --from=x 1",
    "numfmt --from=i 1",
    "numfmt --from= 1",
    "numfmt --from=a 1K",
    "numfmt --from=iec-i --to=iec-i 1Ki 1.5Mi",
    "numfmt --from=si 1.5K --format=%.3f",
    "numfmt --from=si --to=none 1.25M",
    "numfmt --fr=si 1",
    "numfmt --f 1",
};

TEST_CASE("--from") { CompareAll(kFrom); }

// ================================================================ units

const std::vector<std::string> kUnits = {
    "numfmt --from-unit=1024 1 2 3",
    "numfmt --from-unit=512 --to=iec 2048",
    "numfmt --to-unit=1000 1500 999 1",
    "numfmt --to-unit=K 1500000",
    "numfmt --to-unit=Ki 10000",
    "numfmt --from-unit=Ki 1",
    "numfmt --from-unit=KiB 1",
    "numfmt --from-unit=K 1",
    "numfmt --from-unit=M --to=si 3",
    "numfmt --from-unit=1E 10",
    "numfmt --to-unit=1E 10",
    "numfmt --to-unit=16Ei 10",
    "numfmt --to-unit=0 1",
    "numfmt --to-unit=-1 1",
    "numfmt --to-unit=' +5' 10",
    "numfmt --to-unit=i 1",
    "numfmt --to-unit=5i 1",
    "numfmt --to-unit= 1",
    "numfmt --to-unit=5B 1",
    "numfmt --to-unit=5x 1",
    "numfmt --to-unit=99999999999999999999999 1",
    "numfmt --from-unit=3 --to-unit=7 100",
    "numfmt --from-unit=1024 --to=iec < sizes.txt",
};

TEST_CASE("unit sizes") { CompareAll(kUnits); }

// ================================================================ --round

const std::vector<std::string> kRound = {
    "numfmt --to=si --round=up -- 1001 1999 -1001 -1999 9.91 0.01",
    "numfmt --to=si --round=down -- 1001 1999 -1001 -1999 9.99 999999",
    "numfmt --to=si --round=from-zero -- 1001 1999 -1001 -1999",
    "numfmt --to=si --round=towards-zero -- 1001 1999 -1001 -1999 999999",
    "numfmt --to=si --round=nearest -- 1049 1050 1051 -1049 -1050 -1051 999499 999500",
    "numfmt --to=iec --round=nearest -- 1024 1075 1076 1127 -1076",
    "numfmt --round=up --format=%.1f -- 1.21 -1.21",
    "numfmt --round=down --format=%.1f -- 1.29 -1.29",
    "numfmt --round=nearest --format=%.0f -- 2.5 3.5 -2.5",
    "numfmt --round=towards-zero --format=%.2f -- 1.239 -1.239",
    "numfmt --round=n --to=si 1050",
    "numfmt --round=from 1050",
    "numfmt --round=x 1",
    "numfmt --round= 1",
    "numfmt --round=up --to=si < fracs.txt",
    "numfmt --round=nearest --to=iec < sizes.txt",
};

TEST_CASE("--round") { CompareAll(kRound); }

// ================================================================ --format

const std::vector<std::string> kFormat = {
    "numfmt --format=%f 1234.5",
    "numfmt --format=%10f 1234",
    "numfmt --format=%-10f 1234",
    "numfmt --format='%-10f|' 1234",
    "numfmt --format=%010f 1234",
    "numfmt --format=%010f -- -1234",
    "numfmt --format=%08.3f 12345",
    "numfmt --to=si --format=%08.3f 12345",
    "numfmt --format=%.2f 1 2.5 3.14159",
    "numfmt --format=%.0f 2.5 3.5 1.49",
    "numfmt --format=%.f 2.5",
    "numfmt --format=%.3f --to=si 1234567 999999 1",
    "numfmt --format=%.1f --to=iec 1048575 1536",
    "numfmt --format=%.10f --to=si 1234567",
    "numfmt --format=%.30f --to=si 1234567",
    "numfmt --format=%.200f --to=si 5",
    "numfmt --format=%.20f 1",
    "numfmt --format=%.17f 1",
    "numfmt --format=%.18f 0.5",
    "numfmt --format='%'\"'\"'f' 1234567",
    "numfmt --format='%'\"'\"'10f' 1234567",
    "numfmt --format='%'\"'\"'f' --to=si 1234567",
    "numfmt --format='size: %f bytes' 1024",
    "numfmt --format='%f%%' 50",
    "numfmt --format='%%%f' 50",
    "numfmt --format='%%abc%f' 5",
    "numfmt --format='a%%b%f' 5",
    "numfmt --format='[%8f]' --to=iec 123456",
    "numfmt --format='% 8f' 12",
    "numfmt --format='%0 8f' 12",
    "numfmt --format='%0-8f|' 12",
    "numfmt --format='%+8f' 12",
    "numfmt --format='%--8f' 12",
    "numfmt --format='%-0f' 12",
    "numfmt --format=%0f 12",
    "numfmt --format=%150f 12",
    "numfmt --format=%0150f 12",
    "numfmt --format=%0120f --to=si 12",
    "numfmt --format=%99999999999999999999f 1",
    "numfmt --format=%d 1",
    "numfmt --format=%e 1",
    "numfmt --format=%Lf 1",
    "numfmt --format=abc 1",
    "numfmt --format='' 1",
    "numfmt --format=% 1",
    "numfmt --format=abc% 1",
    "numfmt --format=%f%f 1",
    "numfmt --format=%f% 1",
    "numfmt --format='%%' 1",
    "numfmt --format=%.-1f 1",
    "numfmt --format='%. 3f' 1",
    "numfmt --format=%.+3f 1",
    "numfmt --format='%.3 f' 1",
    "numfmt --format=%.99999999999999999999f 1",
    "numfmt --format=%f --grouping 1",
    "numfmt --grouping --format=%f 1",
    "numfmt --format=%f --padding=8 12",
    "numfmt --padding=8 --format=%5f 12",
    "numfmt --padding=8 --format=%-5f 12",
    "numfmt --padding=8 --format=%05f 12",
    "numfmt --format='%5f' --field=2 < tabs.txt",
    "numfmt --format='<%f>' --to=si < sizes.txt",
};

TEST_CASE("--format") { CompareAll(kFormat); }

// ================================================================ padding

const std::vector<std::string> kPadding = {
    "numfmt --padding=8 1 22 333",
    "numfmt --padding=-8 1 22 333",
    "numfmt --padding=2 12345",
    "numfmt --padding=' +5' 1",
    "numfmt --padding=0 1",
    "numfmt --padding=x 1",
    "numfmt --padding=5k 1",
    "numfmt --padding= 1",
    "numfmt --padding=99999999999999999999 1",
    "numfmt --padding=10 --to=si < sizes.txt",
    "numfmt --padding=-10 --to=iec --suffix=B < sizes.txt",
    "numfmt --to=si < spaces.txt",
    "numfmt --to=si --field=- < spaces.txt",
    "numfmt --to=si --padding=3 --field=- < spaces.txt",
    "numfmt --to=si --field=5 --header < ls.txt",
    "numfmt --to=iec --field=1 < wc.txt",
    "numfmt --to=si --field=1 --padding=8 < wc.txt",
    "numfmt --to=iec --suffix=B --field=1 < wc.txt",
};

TEST_CASE("--padding") { CompareAll(kPadding); }

// ================================================================ fields

const std::vector<std::string> kFields = {
    "numfmt --field=2 --to=si 'a 1000 2000'",
    "numfmt --field=2- --to=si 'a 1000 2000'",
    "numfmt --field=-2 --to=si '1000 2000 3000'",
    "numfmt --field=1,3 --to=si '1000 2000 3000'",
    "numfmt --field=1-2,3 --to=si '1000 2000 3000 4000'",
    "numfmt --field='1 3' --to=si '1000 2000 3000'",
    "numfmt --field=3,1 --to=si '1000 2000 3000'",
    "numfmt --field=2-3,1-2 --to=si '1000 2000 3000 4000'",
    "numfmt --field=- --to=si '1000 2000 3000'",
    "numfmt --field=5 --to=si '1000 2000'",
    "numfmt --field=0 1",
    "numfmt --field= 1",
    "numfmt --field=, 1",
    "numfmt --field=3-1 1",
    "numfmt --field=1-2-3 1",
    "numfmt --field=-0 1",
    "numfmt --field=0-2 1",
    "numfmt --field=1,x 1",
    "numfmt --field=a 1",
    "numfmt --field=99999999999999999999999 1",
    "numfmt --field=18446744073709551615 1",
    "numfmt --field=1 --field=2 1",
    "numfmt --field 2 --to=iec < tabs.txt",
    "numfmt --field 2,3 --to=iec < tabs.txt",
    "numfmt --field=- --to=si < tabs.txt",
    "numfmt -d, --field=2 --to=si --header < csv.txt",
    "numfmt -d , --field=2,3 --to=si --header < csv.txt",
    "numfmt -d, --field=2 --to=si < csv.txt",
    "numfmt -d, --field=2 --to=si --invalid=ignore < csv.txt",
    "numfmt --delimiter=, --field=2- --to=iec --header < csv.txt",
    "numfmt -d: --field=2 --to=si 'x:2000:y'",
    "numfmt -d: --to=si '::'",
    "numfmt -d ab 1",
    "numfmt -d '' 1000",
    "numfmt -d '' --to=si 1000",
    "numfmt -d → 1",
    "numfmt -d ' ' --field=2 --to=si 'a  2000'",
    "numfmt -d ' ' --field=3 --to=si 'a  2000'",
    "numfmt -d, --to=si --padding=6 '1000,2000'",
    "numfmt -d, --from=si < blank_field.txt",
    "numfmt -d, --from=si --field=- --invalid=warn < blank_field.txt",
    "numfmt -d, --from=auto --field=- --invalid=fail < blank_field.txt",
    "numfmt -d, --from=iec-i < blank_field.txt",
    "numfmt -d, < blank_field.txt",
    "numfmt -d, --from=si --suffix=B '12 B,3'",
    "numfmt --field=2 --to=si < utf8.txt",
    "numfmt --field=1 --to=si --invalid=warn < utf8.txt",
};

TEST_CASE("--field and -d") { CompareAll(kFields); }

// ================================================================ suffix

const std::vector<std::string> kSuffix = {
    "numfmt --suffix=B 1000 2048",
    "numfmt --suffix=B --to=si 1000B 2048",
    "numfmt --suffix=B --from=si 1.5KB 2KB",
    "numfmt --suffix=B --from=si --to=iec < suffixed.txt",
    "numfmt --suffix=B --invalid=warn < suffixed.txt",
    "numfmt --suffix=' bytes' --to=si 123456",
    "numfmt --suffix=€ --to=si 123456 1000€",
    "numfmt --suffix=B B",
    "numfmt --suffix=B 1BB",
    "numfmt --suffix=KB 5KB",
    "numfmt --suffix= 5",
    "numfmt --suffix=B --padding=8 --to=si 1000",
    "numfmt --suffix=B --format='%-8f|' 12B",
    "numfmt --suffix=" + std::string(130, 'x') + " --to=si 1000",
    "numfmt --suffix=" + std::string(130, 'x') + " 1000",
};

TEST_CASE("--suffix") { CompareAll(kSuffix); }

// ================================================================ header, -z, stdin

const std::vector<std::string> kStdin = {
    "numfmt --header --to=si < hdr.txt",
    "numfmt --header=2 --to=si < hdr.txt",
    "numfmt --header=10 --to=si < hdr.txt",
    "numfmt --header=0 < hdr.txt",
    "numfmt --header=-1 < hdr.txt",
    "numfmt --header=x < hdr.txt",
    "numfmt --header=' 2' --to=si < hdr.txt",
    "numfmt --header= < hdr.txt",
    "numfmt --header 5000",
    "numfmt --header --field=1 --to=iec < ls.txt",
    "numfmt --to=si < empty.txt",
    "numfmt --to=si < blank.txt",
    "numfmt --to=si < nonl.txt",
    "numfmt --to=si < nul.txt",
    "numfmt --to=si < crlf.txt",
    "numfmt --to=si --invalid=warn < crlf.txt",
    "numfmt -z --to=si < zero.txt",
    "numfmt -z --to=si --field=- < zero.txt",
    "numfmt -z --header --to=iec < zhdr.txt",
    "numfmt --zero-terminated --to=si < nonl.txt",
    "numfmt --to=si < mixed.txt",
    "numfmt --to=si --invalid=fail < mixed.txt",
    "numfmt --to=si --invalid=warn < mixed.txt",
    "numfmt --to=si --invalid=ignore < mixed.txt",
    "numfmt --to=si --invalid=abort < mixed.txt",
    "numfmt --invalid=w --to=si < mixed.txt",
    "numfmt --invalid=x 1",
    "numfmt --invalid=fail 1 x 2 y",
    "numfmt --invalid=warn 1 x 2",
    "numfmt --invalid=ignore 1 x 2",
    "numfmt --invalid=fail 123456789012345678901234567890 1",
    "numfmt --invalid=fail 1234567890123456789012 1",
    "numfmt --invalid=fail --format=%.10f 12345678901",
    "numfmt --invalid=warn --to=si 9999999999999999999999999999",
};

// Lines given on stdin: what numfmt reads past a field that ends in
// blanks is what earlier lines left in its buffer.
const std::vector<std::pair<std::string, std::string>> kStdinInputs = {
    {"numfmt -d, --from=si", "123456\n12 \n"},
    {"numfmt -d, --from=si", "123456\n12 "},
    {"numfmt -d, --from=si", "1,23456\n12 "},
    {"numfmt -d, --from=si --invalid=warn", "1,23456\n12 \n12 "},
    {"numfmt -d, --from=auto --invalid=warn", "xxxxxxxxxi\n1 \n"},
    {"numfmt -d, --from=auto", "12345678\n9 ,i\n"},
    {"numfmt -d, --from=iec-i --field=-", "1 ,i\n"},
    {"numfmt -d, --from=iec-i --field=-", "1 ,x\n"},
    {"numfmt --to=si --field=2", "a 1000\nb\t2000\nc  3000 d\n"},
    {"numfmt --to=iec", "  1024\n\t2048\n"},
    {"numfmt --to=si -z", std::string("1000\n2000\0"
                                      "3000",
                                      14)},
    {"numfmt --header=3 --to=si", "h1\nh2\n"},
    {"numfmt --to=si", ""},
    {"numfmt --to=si", "\n"},
    {"numfmt --to=si --invalid=warn", "1e3\n-\n--1\n1000"},
};

TEST_CASE("stdin, --header, -z, --invalid") {
  CompareAll(kStdin);
  for (const auto& [command, input] : kStdinInputs) Fx().Compare(command, input);
}

// ================================================================ --debug, usage

const std::vector<std::string> kDebug = {
    "numfmt --debug 5",
    "numfmt --debug --to=si 5000",
    "numfmt --debug --grouping 5",
    "numfmt --debug --header --to=si 5000",
    "numfmt --debug --padding=8 --format=%5f 12",
    "numfmt --debug --padding=8 --format=%05f 12",
    "numfmt --debug --padding=8 --format=%-5f 12",
    "numfmt --debug --to=si x",
    "numfmt --debug --to=si --invalid=fail x 1",
    "numfmt --debug --to=si --invalid=ignore x 1",
    "numfmt --debug 12345678901234567890",
    "numfmt --debug --to=si < mixed.txt",
    "numfmt --debug --to=si --invalid=warn < mixed.txt",
    "numfmt --debug --format=%f 1",
    "numfmt --d 1",
    "numfmt --bogus 1",
    "numfmt -x 1",
    "numfmt -5",
    "numfmt --to=si -1000",
    "numfmt --grouping=1 1",
    "numfmt --to",
    "numfmt -d",
    "numfmt --grouping 1234567",
    "numfmt --grouping --to=si 1234567",
    "numfmt --gr 1234567",
    "numfmt --z 1",
    "numfmt --to=si --from=si --round=up --padding=6 --suffix=B -- 1K 2.5K -1M",
    "numfmt --from=si 1000000000000000000000000000Y",
    "numfmt --to=si 999999999999999999999999999",
    "numfmt --from-unit=1000000000000000000 --to=si 999999999",
    "numfmt --from=si --from-unit=1E 999Y",
    "numfmt --to=iec --format=%.5f 1099511627776",
    "numfmt --format=%.3f --to=si -- 0.0001 -0.0001",
    "numfmt --to=si --round=up 0.0001",
    "numfmt --to=si --field=- '1000 x 3000'",
    "numfmt --to=si --field=- --invalid=fail '1000 x 3000'",
    "numfmt -z 1 2000",
    "numfmt -z --to=si 1 2000",
    "numfmt --from=auto 1i",
    "numfmt --from=si 1Ki",
    "numfmt ' 1' '  22'",
    "numfmt -- -0.0 0.00",
    "numfmt --to=si -- -0.0 -0.04",
    "numfmt -d, --field=2 --padding=5 --to=si 'a,1000,b'",
    "numfmt --to=si --suffix=B --padding=-8 1000 2000000",
    "numfmt --to=iec-i --suffix=B --format='%-10f|' 1048576",
    "numfmt --from=iec-i --to=iec-i 1Ki 1023Ki 1024Ki",
};

TEST_CASE("--debug and usage errors") { CompareAll(kDebug); }

// ================================================================ random values

// Numbers of every magnitude, with fractions, signs and suffixes, one a
// line, run through the conversions (--invalid=warn: every line is
// answered): the rounding of each digit must agree.
std::string RandomNumbers(int count, uint32_t seed) {
  uint32_t state = seed * 2654435761u + 12345u;
  auto next = [&]() {
    state = state * 1103515245u + 12345u;
    return (state >> 8) & 0xffffff;
  };
  static const char* kSuffixes[] = {"", "", "", "K", "M", "G", "T", "P", "E", "Z", "Y", "Ki", "Mi"};
  std::string out;
  for (int i = 0; i < count; ++i) {
    std::string n;
    if (next() % 5 == 0) n += '-';
    int digits = 1 + static_cast<int>(next() % 22);
    for (int d = 0; d < digits; ++d) n += static_cast<char>('0' + next() % 10);
    if (next() % 3 == 0) {
      n += '.';
      int frac = 1 + static_cast<int>(next() % 6);
      for (int d = 0; d < frac; ++d) n += static_cast<char>('0' + next() % 10);
    }
    if (next() % 4 == 0) {
      // Values near the rounding edges: 9.95, 999.5, 1023.95 ...
      static const char* kEdges[] = {"9.95",  "99.95", "999.5", "999.95", "1023.95", "1024",
                                     "10239", "10240", "9994",  "9995",   "-999.5",  "0.05"};
      n = kEdges[next() % (sizeof kEdges / sizeof *kEdges)];
    }
    n += kSuffixes[next() % (sizeof kSuffixes / sizeof *kSuffixes)];
    out += n + "\n";
  }
  return out;
}

const std::vector<std::string> kRandomCommands = {
    "numfmt --invalid=warn --to=si",
    "numfmt --invalid=warn --to=iec",
    "numfmt --invalid=warn --to=iec-i",
    "numfmt --invalid=warn --from=auto",
    "numfmt --invalid=warn --from=auto --to=si",
    "numfmt --invalid=warn --from=si --to=iec --round=nearest",
    "numfmt --invalid=warn --from=iec --to=si --round=up",
    "numfmt --invalid=warn --from=auto --to=iec --round=down",
    "numfmt --invalid=warn --from=auto --to=si --round=towards-zero",
    "numfmt --invalid=warn --from=auto --format=%.3f",
    "numfmt --invalid=warn --from=auto --to=si --format=%.2f",
    "numfmt --invalid=warn --from=auto --to=iec --format=%010.1f",
    "numfmt --invalid=warn --format=%.1f --round=nearest",
    "numfmt --invalid=warn --from=auto --from-unit=3 --to-unit=7",
    "numfmt --invalid=warn --from=auto --to=si --to-unit=1000 --padding=9",
};

TEST_CASE("random values") {
  std::string input = RandomNumbers(600, 7);
  for (const std::string& c : kRandomCommands) Fx().Compare(c, input);
  std::string more = RandomNumbers(600, 11);
  for (const std::string& c : kRandomCommands) Fx().Compare(c, more);
}

// ================================================================ environment

TEST_CASE("locale from the environment") {
  if (InCLocaleChild()) return;
  Fx().CompareWith({"LC_ALL=C"}, "numfmt x");
  Fx().CompareWith({"LC_ALL=C"}, "numfmt --from=x 1");
  Fx().CompareWith({"LC_ALL=C.UTF-8"}, "numfmt --debug 1");
  Fx().CompareWith({"LC_ALL=en_US.UTF-8"}, "numfmt --debug 1");
  Fx().CompareWith({"LC_ALL=", "LANG=fr_FR"}, "numfmt --debug --to=si 1");
  Fx().CompareWith({"LC_ALL=", "LC_NUMERIC=xx"}, "numfmt --debug --to=si 1");
  Fx().CompareWith({"POSIXLY_CORRECT=1"}, "numfmt 1000 --to=si");
}

// ================================================================ refused

TEST_CASE("refused") {
  for (const char* cmd : {
           "numfmt --help",
           "numfmt --version",
           "numfmt ---debug 1",
           "numfmt --to=si --help",
           "numfmt --padding=99999999 1",
           "numfmt -d, --from=si '12 '",
           "numfmt --format=%.3000000000f --to=si 1",
       }) {
    Fx().Refused(cmd);
  }
  // The last line has no newline: what follows the NUL in numfmt's buffer
  // was never written.
  Fx().Refused("numfmt -d, --from=si", "12 ");
}

// ================================================================ C locale

TEST_CASE("C locale (child process)") {
  if (InCLocaleChild()) {
    CompareAll(kPlain);
    CompareAll(kTo);
    CompareAll(kFrom);
    CompareAll(kUnits);
    CompareAll(kRound);
    CompareAll(kFormat);
    CompareAll(kPadding);
    CompareAll(kFields);
    CompareAll(kSuffix);
    CompareAll(kStdin);
    CompareAll(kDebug);
    for (const auto& [command, input] : kStdinInputs) Fx().Compare(command, input);
    MESSAGE("C locale: compared ", Fx().compared);
    return;
  }
  memhook::testing::RunLocaleChild("C locale (child process)", "NUMFMT_TEST_C_LOCALE");
}

TEST_CASE("summary") {
  if (InCLocaleChild()) return;
  MESSAGE("compared ", Fx().compared, " command lines, refused ", Fx().refused);
}

}  // namespace
