// printf, echo and %q quoting against bash 5.2 itself.
//
// Differential: every case is an argv; bash runs the same words
// (single-quoted) under LC_ALL=C.UTF-8 TZ=UTC, and its stdout, stderr
// (each diagnostic with bash's "bash: line 1: " prefix) and status must
// equal what Printf/Echo answer.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "shell/printf.h"

#include <doctest/doctest.h>
#include <stdlib.h>

#include <clocale>
#include <ctime>
#include <string>
#include <vector>

#include "tests/support/test_support.h"

namespace {

using memhook::shell::BuiltinOutput;
using memhook::shell::Echo;
using memhook::shell::Printf;
using memhook::shell::QuoteForShell;

using memhook::testing::ShellQuote;
using Result = memhook::testing::ProcResult;

// The locale for both sides, and bash to compare with.
class Sandbox {
 public:
  Sandbox() {
    setenv("LC_ALL", "C.UTF-8", 1);
    setenv("TZ", "UTC", 1);
    std::setlocale(LC_ALL, "");
    tzset();
    const Result probe = Bash("exit 0");
    REQUIRE_MESSAGE(probe.spawn_error.empty(), probe.spawn_error);
  }
  Sandbox(const Sandbox&) = delete;
  Sandbox& operator=(const Sandbox&) = delete;

  // `bash -c SCRIPT` under this process's environment, stdin /dev/null.
  Result Bash(const std::string& script) const { return memhook::testing::RunBash(script); }
};

const Sandbox& Box() {
  static const Sandbox* box = new Sandbox();
  return *box;
}

std::string Words(const std::vector<std::string>& argv) {
  std::string s;
  for (const std::string& w : argv) s += (s.empty() ? "" : " ") + ShellQuote(w);
  return s;
}

Result Ours(const BuiltinOutput& o) {
  Result r;
  r.out = o.out;
  for (size_t i = 0; i < o.errors.size(); ++i) {
    bool raw = false;
    for (size_t k : o.unprefixed) raw |= k == i;
    r.err += (raw ? "" : "bash: line 1: ") + o.errors[i];
  }
  r.status = o.status;
  return r;
}

void Check(const std::vector<std::string>& argv, long long now_s = 0) {
  const std::string words = Words(argv);
  CAPTURE(words);
  Result expected = Box().Bash(words);
  BuiltinOutput o = argv[0] == "echo" ? Echo(argv) : Printf(argv, now_s);
  if (!o.assign_to.empty()) {
    // printf -v: compare the variable's value.
    expected = Box().Bash(words + "; s=$?; printf %s \"${" + o.assign_to + "}\"; exit $s");
  }
  Result got = Ours(o);
  CHECK(got.out == expected.out);
  CHECK(got.err == expected.err);
  CHECK(got.status == expected.status);
}

using Argv = std::vector<std::string>;

const std::vector<Argv> kPrintfCases = {
    // plain text and format escapes
    {"printf", "hello"},
    {"printf", "hello\\n"},
    {"printf", "a\\tb\\\\c\\n"},
    {"printf", "\\a\\b\\e\\E\\f\\n\\r\\t\\v"},
    {"printf", "\\101\\0101\\18\\7777\\n"},
    {"printf", "\\x41\\x4a4\\xg\\n"},
    {"printf", "\\x"},
    {"printf", "\\u00e9\\U0001F600\\u41\\u\\n"},
    {"printf", "\\U\\n"},
    {"printf", "\\\"\\'\\?\\q\\c\\n"},
    {"printf", "trailing\\"},
    {"printf", "a\\cb"},
    {"printf", "100%%\\n"},
    {"printf", "%"},
    {"printf", "abc%"},
    {"printf", "%5"},
    {"printf", "%-"},
    {"printf", "%z"},
    {"printf", "%ld|%hhd|%lld|%jd|%zd\\n", "1", "2", "3", "4", "5"},
    {"printf", "x%ky"},
    {"printf", "x%ky", "a"},
    {"printf", ""},
    {"printf", "", "a", "b"},
    // %s
    {"printf", "%s\\n", "a", "b", "c"},
    {"printf", "%s %s\\n", "a", "b", "c"},
    {"printf", "[%5s][%-5s][%.2s][%5.2s][%-5.1s]\\n", "ab", "ab", "abcdef", "abcdef", "xyz"},
    {"printf", "[%*s][%-*s][%.*s]\\n", "6", "a", "4", "b", "2", "abcdef"},
    {"printf", "[%*s]\\n", "-6", "a"},
    {"printf", "[%.*s]\\n", "-1", "abc"},
    {"printf", "[%*s]\\n", "x", "a"},
    {"printf", "[%s]\\n"},
    {"printf", "[%s][%s]\\n", "only"},
    {"printf", "[%5s]\\n", "\xc3\xa9"},
    {"printf", "[%ls][%lc]\\n", "\xc3\xa9", "\xc3\xa9"},
    {"printf", "x\\n", "a", "b"},
    {"printf", "%s", "a b", " c "},
    {"printf", "%s\\n", "-n"},
    {"printf", "[%.0s]\\n", "abc"},
    {"printf", "[%.s]\\n", "abc"},
    // %c
    {"printf", "[%c]\\n", "hello"},
    {"printf", "[%c]", ""},
    {"printf", "[%c]"},
    {"printf", "[%3c][%-3c]\\n", "a", "b"},
    {"printf", "%c", "\xc3\xa9"},
    // integers
    {"printf", "%d\\n", "42"},
    {"printf", "%d %i\\n", "-7", "+8"},
    {"printf", "%d\\n", "abc"},
    {"printf", "%d\\n", "12abc"},
    {"printf", "%d\\n", "08"},
    {"printf", "%d\\n", "0x"},
    {"printf", "%d\\n", "0x1F"},
    {"printf", "%d\\n", "010"},
    {"printf", "%d\\n", ""},
    {"printf", "%d\\n", " 12"},
    {"printf", "%d\\n", "12 "},
    {"printf", "%d\\n", "1.5"},
    {"printf", "%d\\n", "99999999999999999999"},
    {"printf", "%d\\n", "-99999999999999999999"},
    {"printf", "%d\\n", "'A"},
    {"printf", "%d\\n", "\"\xc3\xa9"},
    {"printf", "%d\\n", "'"},
    {"printf", "%d %d\\n", "'ab", "\"z"},
    {"printf", "%d|%d|%d\\n", "1", "x", "3"},
    {"printf", "[%5d][%-5d][%05d][%+d][% d][%+.3d]\\n", "42", "42", "42", "7", "7", "5"},
    {"printf", "[%.0d][%.0d]\\n", "0", "1"},
    {"printf", "%x %X %o %u\\n", "255", "255", "8", "42"},
    {"printf", "%x\\n", "-1"},
    {"printf", "%u\\n", "-1"},
    {"printf", "%o\\n", "-8"},
    {"printf", "%#x %#o %#X\\n", "255", "8", "171"},
    {"printf", "%x\\n", "0x"},
    {"printf", "%08.3x|\\n", "31"},
    {"printf", "%'d\\n", "1234567"},
    {"printf", "%d\\n", "9223372036854775807"},
    {"printf", "%u\\n", "18446744073709551616"},
    {"printf", "%*d|\\n", "99999999999", "1"},
    {"printf", "%d %d %d\\n", "1", "2", "3", "4"},
    // floats
    {"printf", "%f\\n", "3.14159"},
    {"printf", "%.2f|%8.3f|%-8.1f|%08.2f\\n", "3.14159", "2.5", "1", "-1.5"},
    {"printf", "%e %E\\n", "12345.678", "0.000123"},
    {"printf", "%g %g %g %G\\n", "0.0001", "100000", "1e-5", "1e20"},
    {"printf", "%a %A\\n", "1", "0.5"},
    {"printf", "%f\\n", "abc"},
    {"printf", "%f\\n", "1.5x"},
    {"printf", "%f\\n", "1e99999"},
    {"printf", "%f %f\\n", "inf", "-nan"},
    {"printf", "%f\\n", "0x1p3"},
    {"printf", "%.10g\\n", "0.1"},
    {"printf", "%.20f\\n", "0.1"},
    {"printf", "%f\\n", "'a"},
    {"printf", "%F\\n", "2"},
    {"printf", "%#g %#.0f\\n", "1", "3"},
    {"printf", "%f\\n"},
    {"printf", "%.*f\\n", "3", "2.71828"},
    // %b
    {"printf", "%b\\n", "a\\tb\\nc"},
    {"printf", "%b|\\n", "a\\101\\0101\\q\\\"\\'"},
    {"printf", "%b|%b\\n", "x\\cy", "z"},
    {"printf", "%b\\n", "\\0"},
    {"printf", "%b", "\\0"},
    {"printf", "%b\\n", "\\01234"},
    {"printf", "%b\\n", "\\x41\\xg"},
    {"printf", "%b\\n", "\\u263a\\U0001F600"},
    {"printf", "%b\\n", "\\u"},
    {"printf", "%b\\n", "trail\\"},
    {"printf", "[%5b][%-5b][%.2b]\\n", "a\\tb", "c", "xyz"},
    {"printf", "%b %s\\n", "1\\n", "2", "3\\c", "4"},
    {"printf", "%s\\n", "a\\tb"},
    // %q %Q
    {"printf", "%q\\n", "a b", "it's", "\"x\"", "$HOME", "a\\b"},
    {"printf", "%q\\n", ""},
    {"printf", "%q\\n"},
    {"printf", "%q\\n", "\ttab", "line\nbreak", "\x1b[0m", "\x7f", "\x01"},
    {"printf", "%q\\n", "~x", "a~b", "x=~y", "a:~", "#x", "a#b"},
    {"printf", "%q\\n", "\xc3\xa9t\xc3\xa9", "\xff", "\xc3\xa9\x01", "\xc3"},
    {"printf", "%q\\n", "!@#$%^&*()_+-=[]{}|;:,.<>/?`"},
    {"printf", "%q\\n", "plain_word-1.2/x"},
    {"printf", "[%10q][%-10q][%.2q]\\n", "a b", "c d", "e f"},
    {"printf", "[%Q][%.2Q][%5.2Q][%.*Q]\\n", "a b c", "a b c", "a b c", "1", "a b"},
    {"printf", "%Q\\n", "it's"},
    // %(...)T
    {"printf", "%(%Y-%m-%d %H:%M:%S)T\\n", "86400"},
    {"printf", "%(%s)T\\n", "1700000000"},
    {"printf", "[%20(%F)T][%-12(%d)T][%.4(%F)T]\\n", "0", "0", "0"},
    {"printf", "%()T|\\n", "3661"},
    {"printf", "%(%Y)T\\n", "abc"},
    {"printf", "%(%Y)x\\n"},
    {"printf", "%(%a %b %e %j %Z %z)T\\n", "1234567890"},
    // errors and options
    {"printf", "%y\\n", "a"},
    {"printf", "a%Wb\\n"},
    {"printf"},
    {"printf", "-x"},
    {"printf", "-v"},
    {"printf", "--"},
    {"printf", "--", "-x\\n"},
    {"printf", "--help"},
    {"printf", "--hel"},
    {"printf", "-", "a"},
    {"printf", "-v", "1x", "a"},
    {"printf", "-v", "var", "%s-%d", "a", "5"},
    {"printf", "-vvar", "%05.1f", "3.14159"},
    {"printf", "-v", "x", "%d", "abc"},
    {"printf", "-v", "x", "%b", "a\\cb"},
    {"printf", "-v", "x", "-v", "y", "1"},
    {"printf", "%s %d\\n", "a", "1", "b"},
    {"printf", "%d%%\\n", "50", "60"},
};

const std::vector<Argv> kEchoCases = {
    {"echo"},
    {"echo", "a", "b"},
    {"echo", "-n", "a"},
    {"echo", "-n"},
    {"echo", "-e", "a\\tb"},
    {"echo", "-E", "a\\tb"},
    {"echo", "a\\tb"},
    {"echo", "-eE", "a\\tb"},
    {"echo", "-Ee", "a\\tb"},
    {"echo", "-ne", "a\\nb"},
    {"echo", "-n", "-e", "x\\ty"},
    {"echo", "-x", "a"},
    {"echo", "-nx", "a"},
    {"echo", "-", "a"},
    {"echo", "--", "a"},
    {"echo", "-n-", "a"},
    {"echo", "a", "-n"},
    {"echo", "-e", "x\\cy", "z"},
    {"echo", "-e", "a\\101b\\0101c\\1"},
    {"echo", "-e", "\\0"},
    {"echo", "-e", "\\x41\\xg\\x"},
    {"echo", "-e", "\\u00e9\\U0001F600\\u\\U"},
    {"echo", "-e", "\\q\\'\\\"\\?\\\\"},
    {"echo", "-e", "trail\\"},
    {"echo", "-e", "\\a\\b\\e\\E\\f\\n\\r\\t\\v"},
    {"echo", "-e", "\\u{41}\\x{41}"},
    {"echo", "-e", "\\07777"},
    {"echo", "-e", "-n"},
    {"echo", "-ee", "-E", "\\t"},
    {"echo", "--help"},
    {"echo", "", "", "x"},
};

TEST_CASE("printf matches bash") {
  for (const Argv& argv : kPrintfCases) Check(argv);
  CHECK(kPrintfCases.size() >= 120);
}

TEST_CASE("echo matches bash") {
  for (const Argv& argv : kEchoCases) Check(argv);
}

TEST_CASE("printf %(...)T with the current time") {
  const long long now = static_cast<long long>(std::time(nullptr));
  Result expected = Box().Bash("printf '%(%Y-%m-%d)T'");
  CHECK(Printf({"printf", "%(%Y-%m-%d)T"}, now).out == expected.out);
  CHECK(Printf({"printf", "%(%s)T", "-1"}, 1234).out == "1234");
  CHECK(Printf({"printf", "%(%s)T"}, 1234).out == "1234");
}

TEST_CASE("QuoteForShell round-trips through bash") {
  const std::vector<std::string> words = {
      "", "a", "a b", "it's", "$x", "\t", "\n", "\xc3\xa9", "\xff\xfe", "~", "~/x", "a=~", "#",
      "x#", "{a,b}", "*?[]", "\\", "'", "\"", "\x01\x02", "mixed 'q' \x03 end"};
  for (const std::string& w : words) {
    CAPTURE(w);
    Result expected = Box().Bash("printf %q " + ShellQuote(w));
    CHECK(QuoteForShell(w) == expected.out);
    // eval of the quoted form gives the word back.
    Result back = Box().Bash("q=" + ShellQuote(QuoteForShell(w)) + "; eval \"printf %s $q\"");
    CHECK(back.out == w);
  }
}

}  // namespace
