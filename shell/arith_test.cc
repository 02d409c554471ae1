// Differential tests: every expression is evaluated by EvalArith / EvalTest
// and by the real bash (/bin/bash -c), and the two answers must agree:
// stdout, stderr (bash's "bash: line 1: " + our message) and status.
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include "shell/arith.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "shell/test_expr.h"
#include "tests/support/test_support.h"

namespace memhook::shell {
namespace {

using BashRun = testing::ProcResult;

// Runs `script` with /bin/bash -c in the C locale, capturing both outputs.
BashRun RunBash(const std::string& script) {
  testing::BashOptions options;
  options.bash = "/bin/bash";
  options.env = {"LC_ALL=C"};
  BashRun run = testing::RunBash(script, options);
  REQUIRE_MESSAGE(run.spawn_error.empty(), run.spawn_error);
  REQUIRE(!run.timed_out);
  REQUIRE(run.status >= 0);
  return run;
}

// Shell variables as bash keeps them: every variable an indexed array, a
// scalar being element 0.
class MapVars : public ArithVars {
 public:
  std::optional<std::string> Get(std::string_view name, std::optional<int64_t> index) override {
    auto it = vars_.find(std::string(name));
    if (it == vars_.end()) return std::nullopt;
    int64_t i = index.value_or(0);
    if (i < 0 && !it->second.empty()) i += it->second.rbegin()->first + 1;
    auto element = it->second.find(i);
    if (element == it->second.end()) return std::nullopt;
    return element->second;
  }
  bool Set(std::string_view name, std::optional<int64_t> index, int64_t value,
           std::string* error) override {
    const std::string key(name);
    if (readonly_.count(key)) {
      *error = key + ": readonly variable";
      return false;
    }
    auto& array = vars_[key];
    int64_t i = index.value_or(0);
    if (i < 0 && !array.empty()) i += array.rbegin()->first + 1;
    if (i < 0) {
      *error = key + "[" + std::to_string(*index) + "]: bad array subscript";
      return false;
    }
    array[i] = std::to_string(value);
    return true;
  }
  void Preset(const std::string& name, int64_t index, const std::string& value) {
    vars_[name][index] = value;
  }
  void MakeReadonly(const std::string& name) { readonly_.insert(name); }
  // What `echo "x=${!x[*]}:${x[*]}"` prints.
  std::string Show(const std::string& name) const {
    std::string indices, values;
    auto it = vars_.find(name);
    if (it != vars_.end()) {
      for (const auto& [i, v] : it->second) {
        if (i != it->second.begin()->first) {
          indices += ' ';
          values += ' ';
        }
        indices += std::to_string(i);
        values += v;
      }
    }
    return name + "=" + indices + ":" + values + "\n";
  }

 private:
  std::map<std::string, std::map<int64_t, std::string>> vars_;
  std::set<std::string> readonly_;
};

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Parses a setup such as "x=5; a[1]='1 +'; readonly r=2" into `vars`, and
// collects the variable names to show afterwards.
void ApplySetup(const std::string& setup, MapVars* vars, std::set<std::string>* names) {
  size_t p = 0;
  while (p < setup.size()) {
    while (p < setup.size() && (setup[p] == ' ' || setup[p] == ';')) ++p;
    if (p >= setup.size()) break;
    bool readonly = false;
    if (setup.compare(p, 9, "readonly ") == 0) {
      readonly = true;
      p += 9;
    }
    size_t q = p;
    while (q < setup.size() && IsNameChar(setup[q])) ++q;
    const std::string name = setup.substr(p, q - p);
    int64_t index = 0;
    if (setup[q] == '[') {
      const size_t close = setup.find(']', q);
      index = std::stoll(setup.substr(q + 1, close - q - 1));
      q = close + 1;
    }
    REQUIRE(setup[q] == '=');
    ++q;
    std::string value;
    if (q < setup.size() && setup[q] == '\'') {
      const size_t close = setup.find('\'', q + 1);
      value = setup.substr(q + 1, close - q - 1);
      q = close + 1;
    } else {
      while (q < setup.size() && setup[q] != ';' && setup[q] != ' ') value += setup[q++];
    }
    vars->Preset(name, index, value);
    if (readonly) vars->MakeReadonly(name);
    names->insert(name);
    p = q;
  }
}

// Names used in an expression (not the letters of 0x1F or 16#ff).
void CollectNames(const std::string& expr, std::set<std::string>* names) {
  for (size_t i = 0; i < expr.size();) {
    const bool after_word =
        i > 0 && (IsNameChar(expr[i - 1]) || expr[i - 1] == '#' || expr[i - 1] == '@');
    if (IsNameStart(expr[i]) && !after_word) {
      size_t j = i;
      while (j < expr.size() && IsNameChar(expr[j])) ++j;
      names->insert(expr.substr(i, j - i));
      i = j;
    } else {
      ++i;
    }
  }
}

struct ArithCase {
  std::string setup;  // bash assignments, e.g. "x=5; a[1]=2"
  std::string expr;
  bool use_let = false;  // for texts $((...)) cannot hold, e.g. "(1"
};

// Compares EvalArith with bash on one case: the value (or the error and the
// status) and then the variables' values.
void CheckArith(const ArithCase& c) {
  MapVars vars;
  std::set<std::string> names;
  ApplySetup(c.setup, &vars, &names);
  CollectNames(c.expr, &names);

  std::string script = c.setup + (c.setup.empty() ? "" : "; ");
  if (c.use_let) {
    script += "let " + testing::ShellQuote(c.expr) + "; echo \"status=$?\"";
  } else {
    script += "echo $((" + c.expr + "))";
  }
  for (const auto& name : names) {
    script += "; echo \"" + name + "=${!" + name + "[*]}:${" + name + "[*]}\"";
  }
  const BashRun bash = RunBash(script);

  const ArithResult ours = EvalArith(c.expr, vars);
  BashRun mine;
  if (c.use_let) {
    if (!ours.ok()) mine.err = "bash: line 1: let: " + ours.error + "\n";
    mine.out = "status=" + std::string(ours.ok() && ours.value != 0 ? "0" : "1") + "\n";
    mine.status = 0;
  } else if (!ours.ok()) {
    // A failed expansion ends `bash -c`.
    mine.err = "bash: line 1: " + ours.error + "\n";
    mine.status = 1;
  } else {
    mine.out = std::to_string(ours.value) + "\n";
    mine.status = 0;
  }
  if (ours.ok() || c.use_let) {
    for (const auto& name : names) mine.out += vars.Show(name);
  }

  INFO("setup: " << c.setup);
  INFO("expression: " << c.expr);
  CHECK(mine.err == bash.err);
  CHECK(mine.out == bash.out);
  CHECK(mine.status == bash.status);
}

const std::vector<ArithCase>& ArithCases() {
  static const auto* const kCases = new std::vector<ArithCase>{
      // Operators and precedence.
      {"", ""},
      {"", "   "},
      {"", "1+2"},
      {"", "2*3+4"},
      {"", "2+3*4"},
      {"", "(2+3)*4"},
      {"", "10/3"},
      {"", "-10/3"},
      {"", "10%3"},
      {"", "-10%3"},
      {"", "10%-3"},
      {"", "7/-2"},
      {"", "2**10"},
      {"", "2**62"},
      {"", "2**63"},
      {"", "2**64"},
      {"", "3**40"},
      {"", "(-2)**3"},
      {"", "-2**2"},
      {"", "2**3**2"},
      {"", "0**0"},
      {"", "3**0"},
      {"", "1<<4"},
      {"", "-1>>1"},
      {"", "-16>>2"},
      {"", "1<<63"},
      {"", "1<<64"},
      {"", "1<<65"},
      {"", "1<<-1"},
      {"", "-8>>65"},
      {"", "1 << 63 >> 63"},
      {"", "5&3"},
      {"", "5|3"},
      {"", "5^3"},
      {"", "~5"},
      {"", "!5"},
      {"", "!0"},
      {"", "!!7"},
      {"", "1<2"},
      {"", "2<1"},
      {"", "1<=1"},
      {"", "2>=3"},
      {"", "3>2"},
      {"", "1<1"},
      {"", "-1<0"},
      {"", "1<=0"},
      {"", "0<=1"},
      {"", "2>=2"},
      {"", "2>=1"},
      {"", "2>2"},
      {"", "2>1"},
      {"", "2==3"},
      {"", "2!=3"},
      {"", "-9223372036854775807-1 < 9223372036854775807"},
      {"", "1==1"},
      {"", "1!=1"},
      {"", "1 && 0"},
      {"", "1 && 2"},
      {"", "0 || 0"},
      {"", "0 || 3"},
      {"", "1 ? 2 : 3"},
      {"", "0 ? 2 : 3"},
      {"", "1 ? 2 : 0 ? 4 : 5"},
      {"", "0 ? 2 : 0 ? 4 : 5"},
      {"", "0 ? 2 : 1 ? 4 : 5"},
      {"", "1 ? 2, 3 : 4"},
      {"", "1,2,3"},
      {"", "(1,2)+3"},
      {"", "3 > 2 > 1"},
      {"", "1 + 2 * 3 - 4 / 2 % 3"},
      {"", "5 & 3 == 3"},
      {"", "1 | 2 ^ 3 & 4"},
      {"", "6 ^ 3 | 8"},
      {"", "1 << 2 + 1"},
      {"", "1 < 2 == 1"},
      {"", "2 < 1 || 3 > 2 && 0"},
      {"", "2 + - 3"},
      {"", "- - 3"},
      {"", "--3"},
      {"", "++3"},
      {"", "+-+-3"},
      {"", "~~5"},
      {"", "!-1"},
      {"", "-~0"},
      {"", "1++2"},
      {"", "1--2"},
      {"", "1 +\n2"},
      {"", "1 + \xc3\xa9"},
      {"", "x\xc3\xa9"},
      {"", "\t3\t*\t4"},
      // 64-bit wrap-around.
      {"", "-9223372036854775807-1"},
      {"", "9223372036854775807+1"},
      {"", "-(-9223372036854775807-1)"},
      {"", "(-9223372036854775807-1)/-1"},
      {"", "(-9223372036854775807-1)%-1"},
      {"", "(-9223372036854775807-1)*-1"},
      {"", "9223372036854775807*2"},
      {"", "99999999999999999999"},
      {"", "18446744073709551616"},
      {"", "3000000000*3000000000"},
      {"", "~(-9223372036854775807-1)"},
      // Literals and bases.
      {"", "0x1F"},
      {"", "0X1f"},
      {"", "0x7fffffffffffffff"},
      {"", "0xFFFFFFFFFFFFFFFF"},
      {"", "017"},
      {"", "0"},
      {"", "00"},
      {"", "0x"},
      {"", "2#101"},
      {"", "8#777"},
      {"", "16#ff"},
      {"", "16#FF"},
      {"", "36#zz"},
      {"", "36#ZZ"},
      {"", "37#A"},
      {"", "37#a"},
      {"", "62#Z"},
      {"", "64#@"},
      {"", "64#_"},
      {"", "64#@_"},
      {"", "64#10"},
      {"", "64#zZ"},
      {"", "10#123"},
      {"", "10#0123"},
      {"", "2#11+0x1"},
      // Literal errors.
      {"", "08"},
      {"", "09"},
      {"", "0xG"},
      {"", "0x1G"},
      {"", "2#"},
      {"", "2#3"},
      {"", "37#"},
      {"", "65#1"},
      {"", "1#1"},
      {"", "0#1"},
      {"", "010#1"},
      {"", "1_000"},
      {"", "12ab"},
      {"", "2#1@"},
      {"", "16#-1"},
      {"", "3 + 2#2"},
      {"", "08 + 1"},
      {"", "1 + 0x1G * 2"},
      {"", "2#12 , 3"},
      {"x=5", "x 0#1 + 3"},
      {"x='1 + 09 - 2'", "x"},
      // Syntax and evaluation errors.
      {"", "1/0"},
      {"", " 1/0 "},
      {"", "1/ 0"},
      {"", "5 % 0"},
      {"", "1 + 4 / (2 - 2) * 7"},
      {"", "2**-1"},
      {"", "1 +"},
      {"", "1 + "},
      {"", "1 2"},
      {"", "1 = 2"},
      {"", " 1 = 2"},
      {"", "@"},
      {"", "1 @"},
      {"", "1 +* 2"},
      {"", "*2"},
      {"", "1 **"},
      {"", "1 ,"},
      {"", ", 1"},
      {"", "1 ? 2"},
      {"", "1 ? : 3"},
      {"", "1 ?"},
      {"", "1 ? 2 : "},
      {"", "1 ? 2 : 3 : 4"},
      {"", "= 1"},
      {"", "1 =="},
      {"", "!"},
      {"", "~"},
      {"", "-"},
      {"", "++"},
      {"", "3 x"},
      {"", "x y"},
      {"", "a b c"},
      {"", "x 08"},
      {"", "x @"},
      {"", "--x++"},
      {"", "++x++"},
      {"", "0 && 1/0"},
      {"", "1 || 1/0"},
      {"", "0 ? 1/0 : 2"},
      {"", "1 ? 2 : 1/0"},
      {"", "0 && 2**-1"},
      {"", "(1", true},
      {"", "1)", true},
      {"", "()", true},
      {"", "(", true},
      {"", "((1+2)*3", true},
      {"", "(1+2))", true},
      {"", "1 2 3", true},
      {"", "0", true},
      {"", "7", true},
      // Variables.
      {"x=5", "x"},
      {"x=5", "x+1"},
      {"x=5", "x*x"},
      {"x=5", "x+=2"},
      {"x=5", "x-=2"},
      {"x=5", "x*=3"},
      {"x=5", "x/=2"},
      {"x=5", "x%=3"},
      {"x=5", "x<<=2"},
      {"x=5", "x>>=1"},
      {"x=5", "x&=4"},
      {"x=5", "x|=2"},
      {"x=5", "x^=1"},
      {"x=5", "x=7"},
      {"x=5", "x++"},
      {"x=5", "x--"},
      {"x=5", "++x"},
      {"x=5", "--x"},
      {"x=5", "x++ + x"},
      {"x=5", "x+++x"},
      {"x=5", "x---x"},
      {"x=5", "++x + x++"},
      {"x=5", "- -x"},
      {"x=5", "-x"},
      {"x=5", "!x"},
      {"x=5", "x /= 0"},
      {"x=5", "x %= 0"},
      {"x=5", "x++ = 3"},
      {"x=5", "x++=7"},
      {"x=5", "--x=7"},
      {"x=5", "(x) = 1"},
      {"x=5", "x**=2"},
      {"x=5", "x++ +"},
      {"x=5", "x ++"},
      {"x=5", "x = x + 1, x * 2"},
      {"x=5; y=2", "x---y"},
      {"x=5; y=2", "x+++y"},
      {"x=5; y=2", "x += y += 2"},
      {"x=5; y=2", "x == 5 && y == 2"},
      {"", "y"},
      {"", "y+1"},
      {"", "y++"},
      {"", "++y"},
      {"", "y=3, y*2"},
      {"", "x = y = 3"},
      {"", "x = 1 ? 2 : 3"},
      {"", "1 ? 2 : x = 3"},
      {"", "x = 1 + (y = 2)"},
      {"", "0 && (x=5)"},
      {"", "1 && (x=5)"},
      {"", "1 || (x=5)"},
      {"", "0 || (x=5)"},
      {"", "0 ? x=1 : 2"},
      {"", "1 ? x=1 : (y=2)"},
      {"", "0 ? x=1 : (y=2)"},
      {"", "0 && x++"},
      {"", "1 || x++"},
      {"", "0 && ++x"},
      {"", "0 && (x += 3)"},
      {"", "x=1, y=x+1"},
      {"", "_a1 = 4, _a1 * 2"},
      {"", "x = 9223372036854775807, x++, x"},
      // Values evaluated as expressions.
      {"x='3+4'", "x*2"},
      {"x='y+1'; y=2", "x"},
      {"x=abc", "x"},
      {"x=' '", "x+1"},
      {"x=''", "x+1"},
      {"x='1 +'", "x*2"},
      {"x='1/0'", "2+x"},
      {"x=x", "x"},
      {"x=y; y=x", "x+1"},
      {"x='a b'", "x"},
      {"x=0x10", "x"},
      {"x=010", "x"},
      {"x=08", "x"},
      {"x='2#11'", "x"},
      {"x='y=5'", "x"},
      {"x='z++'; z=1", "x + x"},
      {"x=' 7 '", "x"},
      {"x='(1'", "x"},
      {"x='5'", "x=x+1"},
      {"x='1,2'", "x"},
      // Arrays.
      {"a[0]=1; a[1]=2; a[2]=3", "a[1]+a[2]"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[-1]"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[1+1]"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[5]=7"},
      {"a[0]=1; a[1]=2; a[2]=3; i=0", "a[i++]=i"},
      {"a[0]=1; a[1]=2; a[2]=3; i=0", "a[i++]+=10"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[1]++"},
      {"a[0]=1; a[1]=2; a[2]=3", "++a[2]"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[1] *= 4"},
      {"a[0]=1; a[1]=2; a[2]=3", "a"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[0]"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[ 1 ]"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[ ]"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[a[0]]"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[1]=a[2]=9"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[1/0]"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[1"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[1 +]"},
      {"a[0]=1; a[1]=2; a[2]=3", "0 && a[1/0]"},
      {"a[0]=1; a[1]=2; a[2]=3", "a[-1]--"},
      {"a[3]='1+1'", "a[3]*3"},
      {"", "b[3]=4"},
      {"", "b[3]"},
      {"", "b[2]++, b[2]"},
      {"x=5", "x[0]"},
      {"x=5", "x[1]=2"},
      // Readonly variables.
      {"readonly r=1", "r=2"},
      {"readonly r=1", "r+1"},
      {"readonly r=1", "r++"},
      {"readonly r=1", "0 && (r=2)"},
      {"readonly r=1", "r += 1, 3"},
  };
  return *kCases;
}

TEST_CASE("EvalArith agrees with bash") {
  const auto& cases = ArithCases();
  CHECK(cases.size() >= 150);
  for (const auto& c : cases) CheckArith(c);
}

// A directory with every kind of file the test operators distinguish.
class TestTree {
 public:
  TestTree() {
    REQUIRE(temp_.ok());
    dir_ = temp_.path().string();
    Write("file", "hello\n", 0644);
    Write("empty", "", 0644);
    Write("exec", "#!/bin/sh\n", 0755);
    Write("noperm", "x", 0000);
    Write("setuid", "x", 04755);
    Write("old", "x", 0644);
    REQUIRE(mkdir((dir_ + "/dir").c_str(), 0755) == 0);
    REQUIRE(mkdir((dir_ + "/sticky").c_str(), 01777) == 0);
    REQUIRE(chmod((dir_ + "/sticky").c_str(), 01777) == 0);
    REQUIRE(chmod((dir_ + "/setuid").c_str(), 04755) == 0);
    REQUIRE(symlink("file", (dir_ + "/link").c_str()) == 0);
    REQUIRE(symlink("missing", (dir_ + "/dangling").c_str()) == 0);
    const timespec old_times[2] = {{946684800, 0}, {946684800, 0}};
    REQUIRE(utimensat(AT_FDCWD, (dir_ + "/old").c_str(), old_times, 0) == 0);
  }
  const std::string& dir() const { return dir_; }

  TestContext Context() const {
    TestContext context;
    const std::string dir = dir_;
    context.file = [dir](std::string_view path, bool follow) {
      FileFacts facts;
      if (path.empty()) return facts;
      const std::string full = path[0] == '/' ? std::string(path) : dir + "/" + std::string(path);
      struct stat st;
      if ((follow ? stat(full.c_str(), &st) : lstat(full.c_str(), &st)) != 0) return facts;
      facts.exists = true;
      facts.is_directory = S_ISDIR(st.st_mode);
      facts.is_regular = S_ISREG(st.st_mode);
      facts.is_symlink = S_ISLNK(st.st_mode);
      facts.size = static_cast<uint64_t>(st.st_size);
      facts.mode = st.st_mode & 07777;
      facts.mtime_ns = int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec;
      facts.device = st.st_dev;
      facts.inode = st.st_ino;
      return facts;
    };
    context.variable_is_set = [](std::string_view name) { return name == "x"; };
    return context;
  }

 private:
  void Write(const std::string& name, const std::string& content, mode_t mode) {
    const std::string path = dir_ + "/" + name;
    const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    REQUIRE(fd >= 0);
    REQUIRE(write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()));
    close(fd);
    REQUIRE(chmod(path.c_str(), mode) == 0);
  }

  testing::TempDir temp_{"memhook_arith_test"};
  std::string dir_;
};

// Runs `test ARGS` (or `[ ARGS`, the words given as they are) in bash and
// through EvalTest, and compares.
void CheckTest(const TestTree& tree, const std::vector<std::string>& args, bool bracket) {
  std::string script = "cd " + testing::ShellQuote(tree.dir()) + " && x=1 && unset -v y && ";
  script += bracket ? "[" : "test";
  for (const auto& arg : args) script += " " + testing::ShellQuote(arg);
  const BashRun bash = RunBash(script);

  const TestResult ours = EvalTest(args, bracket, tree.Context());
  std::string command = bracket ? "[" : "test";
  for (const auto& arg : args) command += " " + testing::ShellQuote(arg);
  INFO("command: " << command);
  CHECK(bash.out.empty());
  // bash reports the line a multi-line command ends on.
  const std::string line = std::to_string(1 + std::count(script.begin(), script.end(), '\n'));
  CHECK((ours.error.empty() ? "" : "bash: line " + line + ": " + ours.error + "\n") == bash.err);
  CHECK(ours.status == bash.status);
}

const std::vector<std::vector<std::string>>& TestCases() {
  static const auto* const kCases = new std::vector<std::vector<std::string>>{
      // By argument count.
      {},
      {"x"},
      {""},
      {"-n"},
      {"!"},
      {"("},
      {"-f"},
      {"-t"},
      {"-n", "x"},
      {"-n", ""},
      {"-z", ""},
      {"-z", "x"},
      {"!", "x"},
      {"!", ""},
      {"!", "!"},
      {"foo", "bar"},
      {"-q", "x"},
      {"-", "x"},
      {"x", "-n"},
      {"x", "-lt"},
      {"-eq", "1"},
      {"-t", "1"},
      {"-t", "x"},
      {"-v", "x"},
      {"-v", "y"},
      {"-o", "braceexpand"},
      {"-o", "errexit"},
      {"-o", "nosuchoption"},
      {"-R", "x"},
      // File operators.
      {"-e", "file"},
      {"-e", "missing"},
      {"-e", ""},
      {"-a", "file"},
      {"-f", "file"},
      {"-f", "dir"},
      {"-f", "link"},
      {"-f", "dangling"},
      {"-d", "dir"},
      {"-d", "file"},
      {"-d", "."},
      {"-d", "/"},
      {"-s", "file"},
      {"-s", "empty"},
      {"-s", "missing"},
      {"-h", "link"},
      {"-L", "link"},
      {"-h", "file"},
      {"-L", "dangling"},
      {"-e", "dangling"},
      {"-h", ""},
      {"-r", "file"},
      {"-r", "noperm"},
      {"-w", "file"},
      {"-w", "noperm"},
      {"-x", "file"},
      {"-x", "exec"},
      {"-x", "dir"},
      {"-x", "noperm"},
      {"-r", "missing"},
      {"-O", "file"},
      {"-G", "file"},
      {"-O", "missing"},
      {"-u", "setuid"},
      {"-u", "file"},
      {"-g", "file"},
      {"-k", "sticky"},
      {"-k", "dir"},
      {"-p", "file"},
      {"-S", "file"},
      {"-b", "file"},
      {"-c", "file"},
      // Binary operators.
      {"a", "=", "a"},
      {"a", "==", "b"},
      {"a", "!=", "b"},
      {"a", "!=", "a"},
      {"a", "<", "b"},
      {"b", "<", "a"},
      {"a", ">", "B"},
      {"abc", "<", "abd"},
      {"ab", "<", "abc"},
      {"", "=", ""},
      {"=", "=", "="},
      {"1", "-eq", "1"},
      {"1", "-eq", "2"},
      {" 1", "-eq", "1 "},
      {"\t1\t", "-eq", "1"},
      {"1\n", "-eq", "1"},
      {"-1", "-lt", "0"},
      {"+5", "-gt", "4"},
      {"1", "-eq", "a"},
      {"a", "-eq", "1"},
      {"", "-eq", "0"},
      {"-", "-eq", "0"},
      {"9223372036854775807", "-gt", "0"},
      {"-9223372036854775808", "-lt", "0"},
      {"9223372036854775808", "-gt", "0"},
      {"1 2", "-eq", "1"},
      {"010", "-eq", "10"},
      {"0x10", "-eq", "16"},
      {"1", "-ne", "2"},
      {"1", "-ne", "1"},
      {"1", "-lt", "1"},
      {"1", "-lt", "2"},
      {"1", "-gt", "1"},
      {"2", "-gt", "1"},
      {"1", "-le", "0"},
      {"0", "-le", "1"},
      {"0", "-ge", "1"},
      {"a", "<", "a"},
      {"a", ">", "a"},
      {"b", ">", "a"},
      {"\xc3\xa9", ">", "z"},
      {"file", "-nt", "file"},
      {"file", "-ot", "file"},
      {"link", "-ot", "file"},
      {"2", "-le", "2"},
      {"3", "-ge", "4"},
      {"3", "-ge", "3"},
      {"file", "-nt", "old"},
      {"old", "-nt", "file"},
      {"file", "-ot", "old"},
      {"old", "-ot", "file"},
      {"missing", "-ot", "file"},
      {"file", "-ot", "missing"},
      {"file", "-nt", "missing"},
      {"missing", "-nt", "file"},
      {"missing", "-nt", "missing2"},
      {"file", "-ef", "link"},
      {"file", "-ef", "file"},
      {"file", "-ef", "empty"},
      {"missing", "-ef", "missing"},
      {"x", "=~", "x"},
      {"x", "-xx", "y"},
      // Three arguments.
      {"x", "-a", "y"},
      {"x", "-a", ""},
      {"", "-o", "y"},
      {"", "-o", ""},
      {"!", "-n", "x"},
      {"!", "-z", "x"},
      {"!", "x", "y"},
      {"!", "", ""},
      {"(", "x", ")"},
      {"(", "", ")"},
      {"(x", "y", ")z"},
      {"x", "y", "z"},
      {"-n", "-n", "-n"},
      {"-n", "x", "-a"},
      {"-e", "file", "extra"},
      {"-t", "1", "x"},
      // Four arguments.
      {"!", "a", "=", "b"},
      {"!", "a", "=", "a"},
      {"(", "-n", "x", ")"},
      {"(", "-z", "x", ")"},
      {"(", "x", "y", ")"},
      {"!", "!", "!", "x"},
      {"a", "=", "b", "c"},
      {"-n", "x", "-a", "y"},
      {"x", "-a", "-n", "y"},
      {"-n", "x", "-a", "-n"},
      {"-a", "x", "-a", "y"},
      {"a", "-o", "b", "c"},
      // Longer expressions.
      {"-n", "x", "-a", "-n", "y"},
      {"-n", "x", "-o", "-z", "x"},
      {"-z", "x", "-o", "-z", "y"},
      {"!", "-n", "x", "-a", "y"},
      {"(", "a", "=", "a", ")"},
      {"(", "a", "=", "b", ")", "-o", "x"},
      {"(", "x", "-a", "y"},
      {"(", "(", "x", ")", ")"},
      {"x", "-a", "(", "y", "-o", "", ")"},
      {"-f", "file", "-a", "-d", "dir"},
      {"-f", "file", "-a", "-d", "file"},
      {"a", "=", "a", "-o", "b", "=", "c"},
      {"1", "-eq", "1", "-a", "2", "-lt", "1"},
      {"1", "-eq", "1", "-o", "2", "-lt", "x"},
      {"0", "-eq", "1", "-a", "2", "-lt", "x"},
      {"!", "!", "x", "-a", "y"},
      {"-n", "a", "-a", "-n", "b", "-x"},
      {"x", "y", "z", "w", "v"},
      {"(", "x", ")", "-a", "(", "", ")"},
      {"(", "x", "-o", ")"},
      {"x", "-o", "!"},
      {"x", "-a", "!", "-a"},
      {"-t", "-a", "x", "-o", "y"},
      {"!", "(", "x", "=", "y", ")"},
  };
  return *kCases;
}

TEST_CASE("EvalTest agrees with bash for test and [") {
  const TestTree tree;
  const auto& cases = TestCases();
  CHECK(cases.size() >= 100);
  for (const auto& args : cases) {
    CheckTest(tree, args, false);
    std::vector<std::string> bracketed = args;
    bracketed.push_back("]");
    CheckTest(tree, bracketed, true);
  }
  // `[` without its `]`.
  CheckTest(tree, {}, true);
  CheckTest(tree, {"x"}, true);
  CheckTest(tree, {"x", "]", "y"}, true);
  CheckTest(tree, {"]", "]"}, true);
}

}  // namespace
}  // namespace memhook::shell
