// grep tests.
//
// Differential: a real directory is built on disk and imported into a
// SQLite store; every command is answered by CmdGrep from the store (with
// the mount pointed at that directory) and by real bash + GNU grep 3.8 on
// the directory itself. stdout, stderr and the exit status must agree
// (recursive outputs compared as sorted lines: GNU walks in readdir order).
// Each recursive command is also answered through a store whose content
// index is a naive scan, to show candidates change nothing.
//
// Unit: the BRE/ERE -> RE2 translation and the literal extraction (a
// property test: every line a pattern matches contains its required text).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
#include <re2/re2.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <clocale>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>

#include "fastpath/fastpath.h"
#include "tests/support/disk_tree.h"
#include "tests/support/test_support.h"
#include "utils/regex_translate.h"
#include "utils/utils.h"
#include "vfs/vfs.h"

namespace fs = std::filesystem;
using memhook::fastpath::Answer;
using memhook::fastpath::Engine;
using memhook::fastpath::EngineOptions;
using memhook::fastpath::Route;
using memhook::testing::ShellQuote;
using memhook::testing::ShellWords;
using memhook::testing::SortedLines;
using memhook::utils::CmdGrep;
using memhook::utils::CommandEnv;
using memhook::utils::CommandIo;
using memhook::utils::RegexSyntax;
using memhook::utils::RequiredText;
using memhook::utils::TranslateGnuRegex;
using memhook::utils::TranslateOptions;
using memhook::utils::Translation;
using memhook::vfs::Stat;
using memhook::vfs::Status;
using memhook::vfs::Store;

namespace {

// Fuzz tests run this many times more iterations (and other seeds) when
// GREP_FUZZ_SCALE is set, for a longer hunt.
int FuzzScale() {
  const char* v = std::getenv("GREP_FUZZ_SCALE");
  return v == nullptr ? 1 : std::max(1, std::atoi(v));
}

bool ContainsFold(std::string_view hay, std::string_view needle) {
  auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; };
  for (size_t i = 0; i + needle.size() <= hay.size(); ++i) {
    size_t k = 0;
    while (k < needle.size() && lower(hay[i + k]) == lower(needle[k])) ++k;
    if (k == needle.size()) return true;
  }
  return needle.empty();
}

bool QueryHolds(const Store::SubstringQuery& q, std::string_view text) {
  switch (q.op) {
    case Store::SubstringQuery::Op::kAtom:
      return ContainsFold(text, q.atom);
    case Store::SubstringQuery::Op::kAnd:
      return std::all_of(q.children.begin(), q.children.end(),
                         [&](const Store::SubstringQuery& c) { return QueryHolds(c, text); });
    case Store::SubstringQuery::Op::kOr:
      return std::any_of(q.children.begin(), q.children.end(),
                         [&](const Store::SubstringQuery& c) { return QueryHolds(c, text); });
  }
  return true;
}

// A store with a content index: forwards everything to a real store and
// answers FindCandidates by scanning (a superset is allowed; this one is
// exact, the most demanding case for the caller).
class IndexedStore : public Store {
 public:
  explicit IndexedStore(Store& inner) : inner_(inner) {}
  Status GetStat(std::string_view path, Stat* out) override { return inner_.GetStat(path, out); }
  Status ReadFile(std::string_view path, std::string* out) override {
    ++reads;
    return inner_.ReadFile(path, out);
  }
  Status ReadLines(std::string_view path, uint64_t first, uint64_t last,
                   std::vector<memhook::vfs::Line>* out, bool* nl) override {
    return inner_.ReadLines(path, first, last, out, nl);
  }
  Status ListDir(std::string_view path, std::vector<memhook::vfs::DirEntry>* out) override {
    return inner_.ListDir(path, out);
  }
  Status Walk(std::string_view path,
              const std::function<bool(const std::string&, const Stat&)>& visit) override {
    return inner_.Walk(path, visit);
  }
  Status WriteFile(std::string_view, std::string_view, uint32_t, int64_t) override {
    return Status::Error(Status::Code::kReadOnly, "read-only");
  }
  Status MakeDirectory(std::string_view, uint32_t, int64_t) override {
    return Status::Error(Status::Code::kReadOnly, "read-only");
  }
  Status Remove(std::string_view) override {
    return Status::Error(Status::Code::kReadOnly, "read-only");
  }
  Status Rename(std::string_view, std::string_view) override {
    return Status::Error(Status::Code::kReadOnly, "read-only");
  }
  Status SetAttributes(std::string_view, const Attributes&) override {
    return Status::Error(Status::Code::kReadOnly, "read-only");
  }
  std::vector<std::string> TakeTrace() override { return {}; }
  Status FindCandidates(std::string_view path, const SubstringQuery& query,
                        std::vector<std::string>* out, const CandidateOptions& options) override {
    ++candidate_calls;
    if (options.order != CandidateOrder::kWalk)
      return Status::Error(Status::Code::kInvalidArgument, "");
    std::vector<std::string> files;
    // Like the real index, never the generated index.md.
    Status st = inner_.Walk(path, [&](const std::string& p, const Stat& s) {
      if (s.kind == memhook::vfs::NodeKind::kFile && s.storage != memhook::vfs::Storage::kVirtual) {
        files.push_back(p);
      }
      return true;
    });
    if (!st.ok()) return st;
    for (const std::string& f : files) {
      std::string content;
      if (inner_.ReadFile(f, &content).ok() && QueryHolds(query, content)) out->push_back(f);
    }
    return Status::Ok();
  }
  int candidate_calls = 0;
  int reads = 0;

 private:
  Store& inner_;
};

struct Result {
  std::string out, err;
  int status = 0;
  std::string unsupported;
};

struct Fixture : memhook::testing::DiskTree {
  Engine engine;

  explicit Fixture(const char* loc = "C.UTF-8") : DiskTree("memhook-grep", loc) {
    MakeDirs("notes/deep/er");
    MakeDirs("sessions/2026");
    MakeDirs("empty-dir");
    Write("MEMORY.md", "# Memory\n\nline two\nline three\n");
    Write("notes/a.md",
          "alpha\nbeta\ngamma\ndelta\nepsilon\nzeta\neta\ntheta\niota\nkappa\nlambda\nmu\n");
    Write("notes/b.md",
          "foo bar\nfoobar\nbar_foo\nfoo-bar\nFOO\nxfoo foo\nnothing here\nBar baz\nfoo\n"
          "a foo_ foo\n");
    Write("notes/code.md",
          "int main() {\n  return a+b;\n}\n// a?b (c) {d} |e| a{1\n1+1=2 x{,2}y xy\naaa\nabab\n"
          "tab\there\n");
    Write("notes/context.md", "m1\nx\nx\nm2\nx\nx\nx\nx\nm3\nm4\nx\nx\nx\nm5\n");
    Write("notes/blank.md", "a\n\nb\n\n");
    Write("notes/dash.md", "-dash-\n--flag\nplain\na -b\n");
    Write("notes/no-newline.md", "first\nsecond\nlast without newline");
    Write("notes/crlf.md", "one\r\ntwo\r\n");
    Write("notes/empty.md", "");
    Write("notes/with space.md", "spaced foo\n");
    Write("notes/unicode.md",
          "caf\xc3\xa9 au lait\nna\xc3\xafve\n\xc3\x89"
          "cole\nstra\xc3\x9f"
          "e\n"
          "\xce\xa3\xce\xaf\xcf\x83\xcf\x85\xcf\x86\xce\xbf\xcf\x82\n"
          "emoji \xf0\x9f\x98\x80 here\n\xe2\x80\x94 dash \xe2\x80\x94\nplain ascii\n");
    Write("notes/.hidden.md", "hidden foo\n");
    Write("notes/deep/er/x.md", "deep foo\nDeep bar\n");
    Write("notes/bin.dat", std::string("abc\0def\nfoo\nbar\n", 16));
    Write("notes/invalid.md", "ok line\nbad \xff byte foo\nfine foo\n");
    std::string long_line(100 * 1024, 'x');
    long_line.replace(long_line.size() - 20, 6, "needle");
    Write("notes/long.md", "start\n" + long_line + "\nend needle\n");
    Write("sessions/2026/s1.jsonl", "{\"a\":1}\n{\"b\":2}\n{\"c\":3}\n");
    Write("sessions/2026/s2.jsonl", "{\"x\":1}\n{\"y\":\"foo\"}");
    // Logs long enough to be read a few lines at a time under -l/-L/-q.
    std::string long_log;
    for (int i = 1; i <= 50; ++i) {
      long_log += "{\"n\":" + std::to_string(i);
      if (i == 9 || i == 33) long_log += ",\"t\":\"foo bar\"";
      if (i == 12) long_log += ",\"t\":\"caf\xc3\xa9 needle\"";
      if (i == 47) long_log += ",\"t\":\"Zeta end\"";
      long_log += "}\n";
    }
    Write("sessions/2026/long.jsonl", long_log);
    long_log.pop_back();
    Write("sessions/2026/long-no-final.jsonl", long_log + "\n{\"last\":\"omega\"}");
    Write("patterns.txt", "foo\nbar\n");
    Write("empty-patterns.txt", "");
    Write("pat-empty-line.txt", "zzz\n\n");
    memhook::vfs::StoreOptions options;
    options.virtual_index = false;  // bash sees no generated index.md
    Import(options);
  }

  // "M/" stands for the mount (left to right: the temporary directory's
  // own name may contain "M/").
  std::string Expand(std::string command) const {
    std::string mount = tree.string();
    for (size_t pos = 0; (pos = command.find("M/", pos)) != std::string::npos;) {
      command.replace(pos, 1, mount);
      pos += mount.size() + 1;
    }
    return command;
  }

  // CmdGrep called directly with the command's words.
  Result Direct(const std::string& command, const std::string& cwd_rel, Store& s,
                std::string_view stdin_data = {}) {
    EngineOptions options = Options(cwd_rel);
    CommandEnv env{s, options, options.cwd, nullptr, nullptr};
    CommandIo io;
    io.stdin_data = stdin_data;
    CmdGrep(ShellWords(command), env, io);
    return {io.out.str(), io.err.str(), io.status, io.unsupported};
  }

  // Real bash + GNU grep on the real directory.
  Result Bash(const std::string& command, const std::string& cwd_rel = "") const {
    const auto real = DiskTree::Bash(command, cwd_rel);
    return {real.out, real.err, real.status, ""};
  }

  // The direct answer agrees with bash; recursive ones also through the
  // indexed store.
  void Agree(const std::string& raw, const std::string& cwd_rel = "", bool sorted = false) {
    std::string command = Expand(raw);
    CAPTURE(command);
    Result ours = Direct(command, cwd_rel, *store);
    REQUIRE_MESSAGE(ours.unsupported.empty(), ours.unsupported);
    Result real = Bash(command, cwd_rel);
    if (sorted) {
      CHECK(SortedLines(ours.out) == SortedLines(real.out));
      CHECK(SortedLines(ours.err) == SortedLines(real.err));
    } else {
      CHECK(ours.out == real.out);
      CHECK(ours.err == real.err);
    }
    CHECK(ours.status == real.status);
    IndexedStore indexed(*store);
    Result via_index = Direct(command, cwd_rel, indexed);
    CHECK(via_index.unsupported.empty());
    CHECK(via_index.out == ours.out);
    CHECK(via_index.err == ours.err);
    CHECK(via_index.status == ours.status);
  }

  // Through the whole engine (pipelines, redirections, stdin).
  void AgreeEngine(const std::string& raw, const std::string& cwd_rel = "", bool sorted = false) {
    std::string command = Expand(raw);
    CAPTURE(command);
    Answer ours =
        engine.Run(command, Options(cwd_rel), [this](std::string*) { return store.get(); });
    REQUIRE_MESSAGE(ours.route == Route::kFastPath, ours.reason);
    Result real = Bash(command, cwd_rel);
    CHECK((sorted ? SortedLines(ours.out) : ours.out) ==
          (sorted ? SortedLines(real.out) : real.out));
    CHECK(ours.err == real.err);
    CHECK(ours.status == real.status);
  }

  // A random command: when CmdGrep answers it, the answer agrees with
  // bash. False when it is sent to the next tier.
  bool AgreeIfAnswered(const std::string& raw) {
    const std::string command = Expand(raw);
    Result ours = Direct(command, "", *store);
    if (!ours.unsupported.empty()) return false;
    Result real = Bash(command);
    CAPTURE(raw);
    CHECK(ours.out == real.out);
    CHECK(ours.err == real.err);
    CHECK(ours.status == real.status);
    return true;
  }

  void Refused(const std::string& raw, const std::string& cwd_rel = "") {
    std::string command = Expand(raw);
    CAPTURE(command);
    Result ours = Direct(command, cwd_rel, *store);
    CHECK_FALSE(ours.unsupported.empty());
  }
};

// Commands answered identically to GNU grep (UTF-8 locale).
const char* const kCommands[] = {
    // Basics and output forms.
    "grep alpha M/notes/a.md",
    "grep -n a M/notes/a.md",
    "grep -c a M/notes/a.md M/MEMORY.md",
    "grep -v a M/notes/a.md",
    "grep -vc a M/notes/a.md",
    "grep -i ALPHA M/notes/a.md",
    "grep -y ALPHA M/notes/a.md",
    "grep -i --no-ignore-case ALPHA M/notes/a.md",
    "grep -w foo M/notes/b.md",
    "grep -x foo M/notes/b.md",
    "grep -o 'o\\+' M/notes/b.md",
    "grep -l foo M/notes/a.md M/notes/b.md M/MEMORY.md",
    "grep -L foo M/notes/a.md M/notes/b.md M/MEMORY.md",
    "grep -h foo M/notes/b.md M/notes/.hidden.md",
    "grep -H foo M/notes/b.md",
    "grep -hH foo M/notes/b.md",
    "grep -Hh foo M/notes/b.md M/notes/.hidden.md",
    "grep -q foo M/notes/b.md",
    "grep -q nothing-here-at-all M/notes/b.md",
    "grep -b foo M/notes/b.md",
    "grep -ob foo M/notes/b.md",
    "grep -nb -A1 bar M/notes/b.md",
    "grep -Z foo M/notes/b.md M/notes/.hidden.md",
    "grep --null -l foo M/notes/b.md M/notes/a.md",
    "grep -cZ foo M/notes/b.md M/notes/a.md",
    // Errors and exit status.
    "grep foo M/nope M/notes/b.md",
    "grep foo M/notes/b.md M/nope",
    "grep -s foo M/nope M/notes/b.md",
    "grep -q foo M/nope M/notes/b.md",
    "grep -q foo M/notes/b.md M/nope",
    "grep -q zzz M/nope M/notes/b.md",
    "grep -qs zzz M/nope",
    "grep foo M/notes",
    "grep -s foo M/notes",
    "grep -c foo M/notes M/notes/b.md",
    "grep -L foo M/notes",
    "grep -l foo M/notes M/notes/b.md",
    "grep foo M/notes/b.md/",
    "grep foo M/notes/nope/x.md",
    "grep foo M/notes/b.md/x",
    "grep -d skip foo M/notes M/notes/b.md",
    "grep -d read foo M/notes",
    "grep --directories=rec foo M/notes/deep",
    "grep -m0 foo M/notes/b.md M/nope",
    "grep -m0 -L foo M/notes/b.md",
    "grep -v '' M/nope",
    "grep -f M/empty-patterns.txt M/nope",
    "grep -f M/nope.txt M/notes/a.md",
    "grep -f M/notes M/notes/a.md",
    "grep -E -F foo M/notes/b.md",
    "grep -G -E foo M/notes/b.md",
    "grep -E -E foo M/notes/b.md",
    "egrep -F foo M/notes/b.md",
    "grep -A x foo M/notes/b.md",
    "grep -C -1 foo M/notes/b.md",
    "grep -m x foo M/notes/b.md",
    "grep",
    "grep -n",
    "grep --binary-files=nope foo M/notes/b.md",
    "grep -D nope foo M/notes/b.md",
    "grep -u foo M/notes/b.md",
    // Max count and context.
    "grep -m 1 foo M/notes/b.md",
    "grep -m1 -c foo M/notes/b.md",
    "grep --max-count=2 -n foo M/notes/b.md",
    "grep -m 2 -A 1 m M/notes/context.md",
    "grep -A2 -m1 x M/notes/context.md",
    "grep -m1 -A3 m M/notes/context.md",
    "grep -A 1 m M/notes/context.md",
    "grep -B 2 m M/notes/context.md",
    "grep -C 1 m M/notes/context.md",
    "grep -2 m M/notes/context.md",
    "grep -n1 m M/notes/context.md",
    "grep -1 -n -2 m M/notes/context.md",
    "grep -C 5 -A 0 m3 M/notes/context.md",
    "grep -n -C1 m3 M/notes/context.md",
    "grep -A0 m M/notes/context.md",
    "grep -B0 m M/notes/context.md",
    "grep -vn -A1 x M/notes/context.md",
    "grep -v -B1 -m2 x M/notes/context.md",
    "grep -c -A1 m M/notes/context.md",
    "grep -l -C2 m M/notes/context.md",
    "grep -o -A1 m M/notes/context.md",
    "grep -o -C1 m. M/notes/context.md",
    "grep -A1 m5 M/notes/context.md M/notes/context.md",
    "grep -A1 -h m1 M/notes/context.md M/notes/a.md M/notes/context.md",
    "grep --group-separator=XX -A1 m M/notes/context.md",
    "grep --group-separator= -A1 m M/notes/context.md",
    "grep --no-group-separator -A1 m M/notes/context.md",
    "grep --after-context=1 m1 M/notes/context.md",
    "grep --before-context=1 m2 M/notes/context.md",
    "grep --context=1 m3 M/notes/context.md",
    "grep -C1 -c x M/notes/context.md",
    "grep -A1 foo M/notes/bin.dat M/notes/b.md",
    // Several patterns and pattern files.
    "grep -e foo -e bar M/notes/b.md",
    "grep -e foo -e foo M/notes/b.md",
    "grep -e foo -e 'a\\' M/notes/code.md",
    "grep -E -e 'foo' -e 'c)' -e '\\(c' M/notes/code.md",
    "grep -e '(c)' -e '{d}' -o M/notes/code.md",
    "grep $'foo\\nbaz' M/notes/b.md",
    "grep -f M/patterns.txt M/notes/b.md",
    "grep -f M/patterns.txt -e baz M/notes/b.md",
    "grep -f M/empty-patterns.txt M/notes/b.md",
    "grep -v -f M/empty-patterns.txt M/notes/a.md",
    "grep -f M/pat-empty-line.txt M/notes/a.md",
    "grep -c -f M/pat-empty-line.txt M/notes/a.md",
    "grep --regexp=foo --regexp=bar M/notes/b.md",
    "grep --file=M/patterns.txt M/notes/b.md",
    "grep -e -dash M/notes/dash.md",
    "grep -- -dash M/notes/dash.md",
    "grep '\\-dash' M/notes/dash.md",
    "grep -e '\\-dash' M/notes/dash.md",
    "grep -F '\\-dash' M/notes/dash.md",
    "grep -- --flag M/notes/dash.md",
    // Syntax: BRE, ERE, fixed strings.
    "grep -E 'foo|bar' M/notes/b.md",
    "grep 'foo\\|bar' M/notes/b.md",
    "grep 'a?b' M/notes/code.md",
    "grep 'a\\?b' M/notes/code.md",
    "grep -E 'a?b' M/notes/code.md",
    "grep -E 'a\\?b' M/notes/code.md",
    "grep 'a+b' M/notes/code.md",
    "grep 'a\\+b' M/notes/code.md",
    "grep -E 'a+b' M/notes/code.md",
    "grep -F 'a+b' M/notes/code.md",
    "grep '|e|' M/notes/code.md",
    "grep -E '\\|e\\|' M/notes/code.md",
    "grep 'a\\{2\\}' M/notes/code.md",
    "grep -E 'a{2}' M/notes/code.md",
    "grep -E 'a{2,}' M/notes/code.md",
    "grep -E 'a{,2}b' -o M/notes/code.md",
    "grep -E 'a{1' M/notes/code.md",
    "grep -E 'x{,2}y' -o M/notes/code.md",
    "grep 'x{,2}y' M/notes/code.md",
    "grep -E '(ab)+' -o M/notes/code.md",
    "grep '\\(ab\\)\\{2\\}' M/notes/code.md",
    "grep '(c)' M/notes/code.md",
    "grep -E '\\(c\\)' M/notes/code.md",
    "grep -E '(c)' -o M/notes/code.md",
    "grep '{d}' M/notes/code.md",
    "grep -E '\\{d\\}' M/notes/code.md",
    "grep -E 'c)' M/notes/code.md",
    "grep '^int' M/notes/code.md",
    "grep 'b;$' M/notes/code.md",
    "grep 'a^b\\|x$y' M/notes/code.md",
    "grep -E '^\\s+return' M/notes/code.md",
    "grep '\\S\\+;' -o M/notes/code.md",
    "grep '\\w\\+(' -o M/notes/code.md",
    "grep '\\W' -c M/notes/code.md",
    "grep '\\bfoo\\b' M/notes/b.md",
    "grep -o '\\bfoo' M/notes/b.md",
    "grep '\\<foo\\>' M/notes/b.md",
    "grep -E '\\<(foo|bar)\\>' -o M/notes/b.md",
    "grep '\\<fo[a-z]*\\>' M/notes/b.md",
    "grep -o '\\<f[a-z_]*o\\>' M/notes/b.md",
    "grep -Eo '\\<(foo|ba)r?\\>' M/notes/b.md",
    "grep -Eo '\\<[[:alpha:]]*o+\\>' M/notes/b.md",
    "grep '\\Bfoo' M/notes/b.md",
    "grep 'foo\\B' M/notes/b.md",
    "grep '\\`foo' M/notes/b.md",
    "grep \"foo\\\\'\" M/notes/b.md",
    "grep '[[:digit:]]\\+' -o M/notes/code.md",
    "grep '[[:upper:]]' M/notes/b.md",
    "grep -i '[[:upper:]]' -c M/notes/b.md",
    "grep -c '[[:space:]]' M/notes/code.md",
    "grep '[[:punct:]][[:punct:]]' -o M/notes/code.md",
    "grep '[]a]' -c M/notes/code.md",
    "grep '[^a-z ]' -o M/notes/code.md",
    "grep '[^]a-z]' -o M/notes/code.md",
    "grep '[a-]x' M/notes/code.md",
    "grep '[*]' M/notes/code.md",
    "grep '\\.' M/notes/a.md",
    "grep 'ta*$' M/notes/a.md",
    "grep '*foo' M/notes/b.md",
    "grep '\\(*\\)' M/notes/code.md",
    "grep '^*' M/notes/code.md",
    "grep -E '*foo' M/notes/b.md",
    "grep -E '+foo|bar' M/notes/b.md",
    "grep -E '(?b)' M/notes/code.md",
    "grep -E 'a**' -c M/notes/code.md",
    "grep -e 'a\\|' -c M/notes/a.md",
    "grep -E '()' -c M/notes/a.md",
    "grep -E 'x|' -c M/notes/a.md",
    "grep '\\d' M/notes/dash.md",
    "grep 'ab*c*' -o M/notes/code.md",
    "grep -E '(a|ab)(c|bcd)?' -o M/notes/code.md",
    "grep -o 'a*' M/notes/code.md",
    "grep -o '' M/notes/a.md",
    "grep -c '' M/notes/a.md M/notes/empty.md M/notes/no-newline.md",
    "grep '' M/notes/no-newline.md",
    "grep -v '' M/notes/a.md",
    "grep -x '' -n M/notes/blank.md",
    "grep -n '^$' M/notes/blank.md",
    "grep -x -e '' -e a M/notes/blank.md",
    "grep -c '^' M/notes/no-newline.md",
    "grep -n last M/notes/no-newline.md",
    "grep -v first M/notes/no-newline.md",
    "egrep 'foo|bar' M/notes/b.md",
    "fgrep 'a+b' M/notes/code.md",
    "fgrep -x foo M/notes/b.md",
    // -w, -x, -o, -i combined.
    "grep -w -o 'foo\\|foobar' M/notes/b.md",
    "grep -ow -e foo -e bar M/notes/b.md",
    "grep -Fw -e foo -e bar M/notes/b.md",
    "grep -Fwo -e foo -e '-bar' M/notes/b.md",
    "grep -Fw foo M/notes/b.md",
    "grep -Fwc -e foo -e _foo M/notes/b.md",
    "grep -xo foo M/notes/b.md",
    "grep -xwo foo M/notes/b.md",
    "grep -Fx foo M/notes/b.md",
    "grep -Fxo -e foo -e FOO M/notes/b.md",
    "grep -Fxi foo M/notes/b.md",
    "grep -wc 'foo.*' M/notes/b.md",
    "grep -w 'foo_\\?' -o M/notes/b.md",
    "grep -i -w 'FOO' M/notes/b.md",
    "grep -iwo 'ba[rz]' M/notes/b.md",
    "grep -w -- '-*' M/notes/dash.md",
    "grep -w '' -c M/notes/blank.md M/notes/dash.md",
    "grep -wx foo M/notes/b.md",
    "grep -ix 'FOO BAR' M/notes/b.md",
    "grep -v -o foo M/notes/b.md",
    "grep -v -o -A1 foo M/notes/b.md",
    "grep -nvo -B1 foo M/notes/b.md",
    "grep -l -v foo M/notes/b.md M/notes/.hidden.md",
    "grep -L -v foo M/notes/b.md M/notes/.hidden.md",
    "grep -c -v foo M/notes/b.md M/notes/.hidden.md",
    "grep -lc foo M/notes/b.md",
    "grep -Ll foo M/notes/b.md M/notes/a.md",
    "grep -ql foo M/notes/b.md",
    "grep -i 'ß' M/notes/unicode.md",
    // Unicode, CRLF, long lines, binary, encoding errors.
    "grep -i 'CAFÉ' M/notes/unicode.md",
    "grep -i 'école' M/notes/unicode.md",
    "grep -io 'σ' M/notes/unicode.md",
    "grep 'caf.' -o M/notes/unicode.md",
    "grep -w 'caf' M/notes/unicode.md",
    "grep -w 'lait' M/notes/unicode.md",
    "grep 'na.ve' M/notes/unicode.md",
    "grep '😀' M/notes/unicode.md",
    "grep -o '[^ ]*😀' M/notes/unicode.md",
    "grep -c . M/notes/unicode.md",
    "grep -o '.$' M/notes/unicode.md",
    "grep -o '\\w\\+' M/notes/unicode.md",
    "grep -c '[[:alpha:]]' M/notes/unicode.md",
    "grep -o '[[:punct:]]' M/notes/unicode.md",
    "grep -c '[[:space:]]' M/notes/unicode.md",
    "grep -o '[^[:alpha:] ]\\+' M/notes/unicode.md",
    "grep -io '[[:upper:]]\\w*' M/notes/unicode.md",
    "grep -wc '\\w*' M/notes/unicode.md",
    "grep -o '\\W' M/notes/unicode.md",
    "grep -o '[a-z]\\+' M/notes/unicode.md",
    "grep -x '.....' M/notes/unicode.md",
    "grep -c o M/notes/crlf.md",
    "grep one M/notes/crlf.md",
    "grep -x one M/notes/crlf.md",
    "grep 'one.$' M/notes/crlf.md",
    "grep -c needle M/notes/long.md",
    "grep -o 'needle[x]*' M/notes/long.md",
    "grep -n end M/notes/long.md",
    "grep foo M/notes/bin.dat",
    "grep -c foo M/notes/bin.dat",
    "grep -c '' M/notes/bin.dat",
    "grep -a foo M/notes/bin.dat",
    "grep --text -c abc M/notes/bin.dat",
    "grep -l abc M/notes/bin.dat",
    "grep -L abc M/notes/bin.dat",
    "grep -I foo M/notes/bin.dat",
    "grep -c -I foo M/notes/bin.dat",
    "grep -L -I foo M/notes/bin.dat",
    "grep --binary-files=without-match foo M/notes/bin.dat M/notes/b.md",
    "grep --binary-files=text -n bar M/notes/bin.dat",
    "grep -x def M/notes/bin.dat",
    "grep -v zzz M/notes/bin.dat",
    "grep -s foo M/notes/bin.dat",
    "grep -q foo M/notes/bin.dat",
    "grep -o abc M/notes/bin.dat",
    "grep -m1 foo M/notes/bin.dat M/notes/b.md",
    "grep foo M/notes/invalid.md",
    "grep -c foo M/notes/invalid.md",
    "grep -n byte M/notes/invalid.md",
    "grep -A1 ok M/notes/invalid.md",
    "grep -F -e fine -e bad M/notes/invalid.md",
    "grep -l foo M/notes/invalid.md",
    "grep -a byte M/notes/invalid.md",
    // Sessions (stored as rows).
    "grep -n '' M/sessions/2026/s1.jsonl M/sessions/2026/s2.jsonl",
    "grep -c '}' M/sessions/2026/s2.jsonl",
    "grep -h '\"' M/sessions/2026/s1.jsonl",
    "grep -n '\"y\"' M/sessions/2026/s2.jsonl",
    // Long options and abbreviations.
    "grep --ignore-case --count FOO M/notes/b.md",
    "grep --word-regexp --invert-match foo M/notes/b.md",
    "grep --line-regexp --files-with-matches foo M/notes/b.md",
    "grep --files-without-match nothing M/notes/b.md",
    "grep --no-filename --with-filename foo M/notes/b.md",
    "grep --only-matching --max-count=1 'o*' M/notes/b.md",
    "grep --quiet foo M/notes/b.md",
    "grep --silent foo M/nope",
    "grep --no-messages foo M/nope",
    "grep --extended-regexp 'fo+' M/notes/b.md",
    "grep --fixed-strings 'a?b' M/notes/code.md",
    "grep --fixed-regexp 'a?b' M/notes/code.md",
    "grep --basic-regexp 'a\\?b' M/notes/code.md",
    "grep --color=never foo M/notes/b.md",
    "grep --colour=auto foo M/notes/b.md",
    "grep --color foo M/notes/b.md",
    "grep --line-n foo M/notes/b.md",
    "grep --ign --inv foo M/notes/b.md",
    "grep --line-buffered foo M/notes/b.md",
    "grep -U foo M/notes/b.md",
    "grep --label=x foo M/notes/b.md",
    "grep --include='*.md' foo M/notes/b.md M/sessions/2026/s2.jsonl",
    "grep --exclude='*.md' foo M/notes/b.md M/sessions/2026/s2.jsonl",
    "grep --exclude='notes/*' foo M/notes/b.md",
    "grep --exclude='b.md' foo M/notes/b.md",
    "grep --exclude-dir=notes foo M/notes",
    "grep 'foo' M/notes/with\\ space.md M/notes/b.md",
    "grep -c foo M/notes/b.md M/notes/b.md",
    "grep -A1 -B1 -n foo M/notes/b.md M/notes/.hidden.md",
    "grep --exclude='*' foo M/notes/b.md M/notes/a.md",
    "grep --include='*.MD' foo M/notes/b.md",
    "grep -e foo -f M/patterns.txt -c M/notes/b.md",
};

// Recursive commands: compared as sorted lines.
const char* const kRecursive[] = {
    "grep -r foo M/notes",
    "grep -rn foo M/",
    "grep -r foo M/notes/",
    "grep -r foo M/notes//",
    "grep -r foo M/notes/.",
    "grep -r foo M/notes/b.md",
    "grep -r foo M/notes/b.md M/notes/deep",
    "grep -rh foo M/notes",
    "grep -rH foo M/notes/b.md",
    "grep -rl foo M/",
    "grep -rL foo M/",
    "grep -rc foo M/notes",
    "grep -rv foo M/notes/deep",
    "grep -rlv foo M/notes",
    "grep -r --include='*.md' foo M/",
    "grep -r --include='*.jsonl' '\"y\"' M/",
    "grep -r --exclude='*.md' foo M/",
    "grep -r --exclude='*.md' --include='b*' foo M/",
    "grep -r --include='b*' --exclude='*.md' foo M/",
    "grep -r --include='*' --exclude=b.md foo M/",
    "grep -r --exclude=b.md --include='*' foo M/",
    "grep -r --exclude-dir=deep foo M/",
    "grep -r --exclude-dir=notes foo M/",
    "grep -r --exclude-dir='de*' --exclude-dir=sessions foo M/",
    "grep -r --exclude-dir=notes foo M/notes",
    "grep -r --exclude-dir=er/ foo M/notes",
    "grep -rni -e FOO -e BAR M/notes",
    "grep -ri DEEP M/",
    "grep -rc '' M/notes/deep",
    "grep -rw foo M/notes",
    "grep -ro --exclude=invalid.md 'fo*' M/notes",
    "grep -r 'fo*' M/notes/deep M/notes/b.md",
    "grep -rx foo M/",
    "grep -rE 'foo|needle' M/notes",
    "grep -rF -e 'foo bar' -e deep M/",
    "grep -r -A1 m M/notes",
    "grep -r -C1 foo M/notes",
    "grep -rq foo M/",
    "grep -rl needle M/",
    "grep -R foo M/notes/deep",
    "grep -d recurse foo M/notes/deep",
    "grep --recursive --line-number foo M/notes/deep",
    "grep -r 'x\\|zzz' M/notes",
    "grep -r '[0-9]' M/sessions",
    "grep -r fo M/notes",
    "grep -r '' M/notes/deep M/empty-dir",
    "grep -r foo M/empty-dir",
    "grep -r foo M/nope M/notes/deep",
    "grep -rs foo M/nope M/notes/deep",
    "grep -r --include=b.md foo M/notes",
    "grep -r --include='*.MD' foo M/",
    "grep -rh --exclude-dir='*' foo M/",
    "grep -rh --exclude-dir='*' foo M/notes/b.md",
    "grep -r --exclude='*.md' --exclude='*.jsonl' . M/",
    "grep -r -L --include='*.jsonl' zzz M/",
};

// Commands run from a working directory inside the mount.
struct RelativeCase {
  const char* command;
  const char* cwd;
  bool sorted;
};
const RelativeCase kRelative[] = {
    {"grep -r foo", "notes", true},
    {"grep -rn foo .", "notes", true},
    {"grep -r foo ./", "notes", true},
    {"grep -r foo ../MEMORY.md deep", "notes", true},
    {"grep -r --exclude-dir=. foo .", "notes", true},
    {"grep -r --exclude-dir=. foo", "notes", true},
    {"grep foo b.md", "notes", false},
    {"grep -H foo b.md ./b.md", "notes", false},
    {"grep -rl '[0-9]'", "sessions", true},
    {"grep -r deep", "notes/deep", true},
    {"grep foo ../notes/b.md ../nope", "notes", false},
};

// Pipelines and shell constructs (through the engine).
const char* const kEngine[] = {
    "cat M/notes/a.md | grep -n eta",
    "grep -c a M/notes/a.md | cat",
    "grep foo M/notes/b.md | head -n 2",
    "grep -q foo M/notes/b.md && echo yes",
    "grep -q nothing-at-all M/notes/b.md || echo no",
    "grep foo M/nope 2>&1",
    "grep foo M/nope M/notes/b.md 2>&1",
    "grep -c foo < M/notes/b.md",
    "grep foo - < M/notes/b.md",
    "grep -H foo < M/notes/b.md",
    "grep foo - M/notes/.hidden.md < M/notes/b.md",
    "cat M/notes/b.md | grep -f M/patterns.txt",
    "cat M/notes/b.md | grep -v foo | head -n 1",
    "cat M/notes/b.md | grep --label=in -H foo",
    "cat M/notes/bin.dat | grep foo",
    "grep -c x M/notes/context.md | wc -l",
    "grep -rl foo M/notes | wc -l",
    "cat M/notes/a.md | grep -f - M/notes/a.md",
};

}  // namespace

TEST_CASE("grep agrees with GNU grep 3.8") {
  Fixture f;
  int count = 0;
  for (const char* c : kCommands) {
    f.Agree(c);
    ++count;
  }
  for (const char* c : kRecursive) {
    f.Agree(c, "", /*sorted=*/true);
    ++count;
  }
  for (const RelativeCase& r : kRelative) {
    f.Agree(r.command, r.cwd, r.sorted);
    ++count;
  }
  MESSAGE("differential grep variants: " << count);
  CHECK(count >= 150);
}

TEST_CASE("grep -l, -L and -q stop reading a session log at its first match, as GNU does") {
  Fixture f;
  for (const char* command : {"grep -rl foo M/sessions",
                              "grep -rL foo M/sessions",
                              "grep -rl omega M/",
                              "grep -rL omega M/",
                              "grep -rli ZETA M/",
                              "grep -rlw needle M/",
                              "grep -rlx '{\"n\":50}' M/",
                              "grep -rl -e zzz -e '\"n\":2[0-9]' M/sessions",
                              "grep -rlE '^\\{\"n\":4[0-9]' M/sessions",
                              "grep -rlF 'foo bar' M/",
                              "grep -rl 'caf\xc3\xa9' M/",
                              "grep -rl '[[:alpha:]]\xc3\xa9' M/sessions",
                              "grep -rl 'n.:4[0-9]' M/sessions",
                              "grep -rlv foo M/sessions",
                              "grep -rl 'o$' M/sessions",
                              "grep -rLi 'OMEGA\"}$' M/sessions",
                              "grep -rq Zeta M/",
                              "grep -rq nowhere-at-all M/",
                              "grep -l foo M/sessions/2026/long.jsonl M/sessions/2026/s1.jsonl",
                              "grep -rl -m1 foo M/sessions",
                              "grep -rlc foo M/sessions"}) {
    f.Agree(command, "", /*sorted=*/true);  // GNU lists directories unsorted
  }
  f.AgreeEngine("grep -rq needle M/ && echo found");
  f.AgreeEngine("grep -rl '\"n\":1' M/sessions | wc -l");
}

TEST_CASE("grep in the C locale") {
  Fixture f("C");
  const char* commands[] = {
      "grep caf M/notes/unicode.md",
      "grep -o 'caf.' M/notes/unicode.md",
      "grep -c '^.....$' M/notes/unicode.md",
      "grep -i 'CAF' M/notes/unicode.md",
      "grep -w caf M/notes/unicode.md",
      "grep -o '[[:alpha:]]*' M/notes/unicode.md",
      "grep foo M/notes/invalid.md",
      "grep -o 'b.te' M/notes/invalid.md",
      "grep -w -- '-*' M/notes/dash.md",
      "grep -Fw -e foo -e bar M/notes/b.md",
      "grep -Fw foo M/notes/b.md",
      "grep -wo 'foo\\|foobar' M/notes/b.md",
      "grep '\\bbar' M/notes/b.md",
      "grep -r -i foo M/notes",
      "grep -i 'é' M/notes/unicode.md",
  };
  for (const char* c : commands) f.Agree(c, "", std::string(c).find(" -r") != std::string::npos);
}

TEST_CASE("grep through the engine") {
  Fixture f;
  for (const char* c : kEngine) f.AgreeEngine(c);
  f.AgreeEngine("grep -rn foo", "notes", /*sorted=*/true);
  f.AgreeEngine("cd M/notes && grep -c foo b.md a.md");
  f.AgreeEngine("grep -c foo *.md", "notes");
  f.AgreeEngine("grep -l foo M/notes/*.md");
  // A stdout that is /dev/null makes GNU grep quiet about binary matches.
  f.AgreeEngine("grep foo M/notes/bin.dat >/dev/null && echo matched");
  f.AgreeEngine("grep -c foo M/notes/bin.dat M/nope >/dev/null || echo failed");
  f.AgreeEngine("grep -l foo M/notes/bin.dat M/notes/b.md 2>&1 >/dev/null");
}

// -P through PCRE2 and the patterns GNU leaves to glibc's regex
// (back-references, equivalence classes, word boundaries next to
// non-ASCII letters), with GNU's own compile errors.
const char* const kPerlAndBackrefs[] = {
    "grep -P 'fo+' M/notes/b.md",
    "grep -P '\\bfoo\\b' M/notes/b.md",
    "grep -P '^foo' M/notes/b.md",
    "grep -P 'foo$' M/notes/b.md",
    "grep -P '\\d+' M/notes/code.md",
    "grep -Po '\\d+' M/notes/code.md",
    "grep -Po 'a(?=b)' M/notes/code.md",
    "grep -Po '(?<=a)b' M/notes/code.md",
    "grep -Po 'foo\\Kbar' M/notes/b.md",
    "grep -Pi 'FOO' M/notes/b.md",
    "grep -Piw 'foo' M/notes/b.md",
    "grep -Pw 'foo' M/notes/b.md",
    "grep -Pwo 'foo' M/notes/b.md",
    "grep -Px 'foo' M/notes/b.md",
    "grep -Pxo 'foo|foobar' M/notes/b.md",
    "grep -Pv 'foo' M/notes/b.md",
    "grep -Pc 'foo' M/notes/b.md",
    "grep -Pn 'bar' M/notes/b.md",
    "grep -Pon 'o' M/notes/b.md",
    "grep -Po '' M/notes/b.md",
    "grep -P '' M/notes/b.md",
    "grep -Pc '^$' M/notes/blank.md",
    "grep -Pr 'foo' M/notes",
    "grep -Prl 'fo{2}' M/notes",
    "grep -Prc 'x' M/notes",
    "grep -P 'caf\\w' M/notes/unicode.md",
    "grep -Po '\\w+' M/notes/unicode.md",
    "grep -Po '.' M/notes/unicode.md",
    "grep -Pio 'É' M/notes/unicode.md",
    "grep -Pi 'CAFÉ' M/notes/unicode.md",
    "grep -P '\\x{1F600}' M/notes/unicode.md",
    "grep -P 'foo' M/notes/invalid.md",
    "grep -Po 'b.te' M/notes/invalid.md",
    "grep -Pa 'b.te' M/notes/invalid.md",
    "grep -P 'foo' M/notes/bin.dat",
    "grep -Pc 'a' M/notes/bin.dat",
    "grep -P '(a' M/notes/b.md",
    "grep -P 'a\\' M/notes/b.md",
    "grep -P '[z-a]' M/notes/b.md",
    "grep -P -e a -e b M/notes/b.md",
    "grep -P -e foo -e foo M/notes/b.md",
    "grep -E -P foo M/notes/b.md",
    "grep -P -F foo M/notes/b.md",
    "grep -P '(?i)bar' M/notes/b.md",
    "grep -P 'a\\Qb+\\E' M/notes/code.md",
    "grep -Pm1 foo M/notes/b.md",
    "grep -P -A1 nothing M/notes/b.md",
    "grep -Pq foo M/notes/b.md",
    "grep -Pl foo M/notes/a.md M/notes/b.md",
    "grep '\\(a\\)\\1' M/notes/code.md",
    "grep -o '\\(a\\)\\1' M/notes/code.md",
    "grep -E '(ab)\\1' M/notes/code.md",
    "grep -Eo '(a|b)\\1' M/notes/code.md",
    "grep -En '(.)\\1' M/notes/code.md",
    "grep -c '\\(.\\)\\1' M/notes/b.md",
    "grep -w '\\(o\\)\\1' M/notes/b.md",
    "grep -x '\\(a\\)\\1*' M/notes/code.md",
    "grep -ix '\\(A\\)\\1\\1' M/notes/code.md",
    "grep -v '\\(.\\)\\1' M/notes/a.md",
    "grep -e foo -e '\\(b\\)\\1' M/notes/b.md M/notes/code.md",
    "grep -o -e ab -e '\\(a\\)\\1' M/notes/code.md",
    "grep -r '\\(o\\)\\1' M/notes/deep M/notes/b.md",
    "grep '\\(a\\)\\2' M/notes/code.md",
    "grep -E '(a)\\2' M/notes/code.md",
    "grep '[[=a=]]' M/notes/code.md",
    "grep '[[.a.]]' M/notes/code.md",
    "grep -o '[[=e=]]' M/notes/unicode.md",
    "grep -o '\\bcaf' M/notes/unicode.md",
    "grep '\\<na' M/notes/unicode.md",
    "grep -o 'e\\>' M/notes/unicode.md",
    "grep -w 'caf' M/notes/unicode.md",
    "grep 'a\\{1' M/notes/code.md",
    "grep '[a' M/notes/code.md",
    "grep -E 'a{1,2' M/notes/code.md",
    "grep -e 'a\\' -e foo M/notes/code.md",
    "grep -e '\\(' -e '[' M/notes/code.md",
};

TEST_CASE("grep -P, back-references and glibc's regex agree with GNU grep 3.8") {
  Fixture f;
  int count = 0;
  for (const char* c : kPerlAndBackrefs) {
    f.Agree(c, "",
            std::string(c).find(" -r") != std::string::npos ||
                std::string(c).find("Pr") != std::string::npos);
    ++count;
  }
  Fixture c("C");
  for (const char* command :
       {"grep -P 'caf.' M/notes/unicode.md", "grep -Po '\\w+' M/notes/unicode.md",
        "grep -Pi 'É' M/notes/unicode.md", "grep '\\(.\\)\\1' M/notes/unicode.md",
        "grep -P 'b.te' M/notes/invalid.md"}) {
    c.Agree(command);
    ++count;
  }
  MESSAGE("-P and glibc variants: " << count);
}

TEST_CASE("what grep cannot answer exactly goes to the next tier") {
  Fixture f;
  f.Refused("grep --color=always foo M/notes/b.md");
  f.Refused("grep -T foo M/notes/b.md");
  f.Refused("grep -z foo M/notes/b.md");
  f.Refused("grep --exclude-from=M/patterns.txt foo M/notes/b.md");
  f.Refused("grep '\\(o\\)\\1' M/notes/invalid.md");  // GNU's DFA screens encoding errors
  f.Refused("grep -E '^*a' M/notes/code.md");
  f.Refused("grep -E '{1}a' M/notes/code.md");
  f.Refused("grep 'x\\<*' M/notes/code.md");
  f.Refused("grep '\\<' M/notes/code.md");
  f.Refused("grep '[:alpha:]' M/notes/code.md");
  f.Refused("grep -o 'b.te' M/notes/invalid.md");
  f.Refused("grep 'a\\{2000\\}' M/notes/code.md");
  f.Refused("grep foo /etc/hostname");
  f.Refused("grep -V");
  f.Refused("grep --help");
  // A NUL byte beyond GNU's first 96 KiB read switches to binary midway.
  f.Write("late-nul.dat", std::string(100 * 1024, 'a') + '\n' + std::string(1, '\0') + "\n");
  REQUIRE(memhook::vfs::ImportTree(*f.store, f.tree.string(), nullptr).ok());
  f.Refused("grep a M/late-nul.dat");
  f.Agree("grep -a -c a M/late-nul.dat");
}

TEST_CASE("recursive grep uses the content index only where it cannot change the answer") {
  Fixture f;
  IndexedStore indexed(*f.store);
  auto run = [&](const std::string& c) {
    indexed.candidate_calls = 0;
    return f.Direct(f.Expand(c), "", indexed);
  };
  run("grep -r foo M/");
  CHECK(indexed.candidate_calls == 1);
  run("grep -rl needle M/");
  CHECK(indexed.candidate_calls == 1);
  for (const char* c : {"grep -rv foo M/", "grep -rc foo M/", "grep -rL foo M/", "grep -rlv foo M/",
                        "grep -r 'fo*' M/", "grep -r '' M/", "grep -r -e foo -e x M/"}) {
    run(c);
    CAPTURE(c);
    CHECK(indexed.candidate_calls == 0);
  }
  // Candidates reduce the files read: notes/long.md and the two long logs.
  indexed.reads = 0;
  run("grep -r needle M/");
  CHECK(indexed.reads == 3);
}

TEST_CASE("the generated index.md is searched with or without the content index") {
  Fixture f;
  memhook::vfs::Status status;
  auto store = memhook::vfs::OpenSqliteStore((f.root / "db.sqlite").string(), {}, &status);
  REQUIRE(store != nullptr);
  memhook::vfs::Stat index;
  REQUIRE(store->GetStat("index.md", &index).ok());
  REQUIRE(index.storage == memhook::vfs::Storage::kVirtual);
  IndexedStore indexed(*store);
  for (const char* c : {"grep -r memhook M/", "grep -rn -i GENERATED M/", "grep -rl memhook M/",
                        "grep -rc memhook M/", "grep -r foo M/"}) {
    CAPTURE(c);
    Result scan = f.Direct(f.Expand(c), "", *store);
    Result via_index = f.Direct(f.Expand(c), "", indexed);
    CHECK(scan.unsupported.empty());
    CHECK(scan.out == via_index.out);
    CHECK(scan.status == via_index.status);
  }
  CHECK(f.Direct(f.Expand("grep -rl memhook M/"), "", indexed).out.find("index.md") !=
        std::string::npos);
}

TEST_CASE("recursive grep reading in parallel answers as reading alone, and as GNU") {
  // Enough files for a second reading thread (a read-only store with
  // parallel_reads, as the hook opens it): session logs whose first match
  // is at every line from the first to none, without final newlines too.
  Fixture f;
  f.MakeDirs("sessions/many");
  f.MakeDirs("notes/many");
  std::mt19937 rng(2026);
  for (int i = 0; i < 900; ++i) {
    const int lines = static_cast<int>(rng() % 40);
    const int match_at = static_cast<int>(rng() % 48);  // >= lines: no match
    std::string bytes;
    for (int line = 0; line < lines; ++line) {
      // From its first match on, every line matches: a common word, which
      // the content index turns down, so every file is read.
      bytes += "{\"i\":" + std::to_string(i) + ",\"line\":" + std::to_string(line) +
               (line >= match_at ? ",\"k\":\"config\"}" : "}") + "\n";
    }
    if (i % 7 == 0 && !bytes.empty()) bytes.pop_back();
    if (i % 3 == 0) {
      f.Write("notes/many/" + std::to_string(i) + ".md", bytes);
    } else {
      f.Write("sessions/many/" + std::to_string(i) + ".jsonl", bytes);
    }
  }
  REQUIRE(memhook::vfs::ImportTree(*f.store, f.tree.string(), nullptr).ok());
  memhook::vfs::StoreOptions options;
  options.read_only = true;
  options.virtual_index = false;  // as on disk
  auto alone = memhook::vfs::OpenSqliteStore((f.root / "db.sqlite").string(), options, nullptr);
  options.parallel_reads = true;
  options.trace = true;
  auto parallel = memhook::vfs::OpenSqliteStore((f.root / "db.sqlite").string(), options, nullptr);
  REQUIRE(alone != nullptr);
  REQUIRE(parallel != nullptr);
  for (const char* c : {"grep -rl config", "grep -rL config", "grep -rc config", "grep -rn config",
                        "grep -rq config", "grep -rl 'conf[i]g'", "grep -rli CONFIG",
                        "grep -rlv config", "grep -rl -m1 line"}) {
    const std::string command = f.Expand(std::string(c) + " M/sessions M/notes/many");
    CAPTURE(command);
    parallel->TakeTrace();
    Result by_one = f.Direct(command, "", *alone);
    Result by_two = f.Direct(command, "", *parallel);
    REQUIRE_MESSAGE(by_one.unsupported.empty(), by_one.unsupported);
    REQUIRE_MESSAGE(by_two.unsupported.empty(), by_two.unsupported);
    CHECK(by_two.out == by_one.out);
    CHECK(by_two.err == by_one.err);
    CHECK(by_two.status == by_one.status);
    const std::vector<std::string> trace = parallel->TakeTrace();
    CHECK(std::any_of(trace.begin(), trace.end(), [](const std::string& line) {
      return line.find("second connection") != std::string::npos;
    }));
    // GNU walks the disk in directory order.
    Result real = f.Bash(command);
    CHECK(SortedLines(by_two.out) == SortedLines(real.out));
    CHECK(by_two.status == real.status);
  }
}

TEST_CASE("what head reads of a pipe: a plain count of lines or bytes, or everything") {
  using memhook::utils::HeadStdinNeed;
  auto lines = [](std::vector<std::string> argv) {
    auto need = HeadStdinNeed(argv);
    return need ? static_cast<int64_t>(need->lines) : -1;
  };
  auto bytes = [](std::vector<std::string> argv) {
    auto need = HeadStdinNeed(argv);
    return need ? static_cast<int64_t>(need->bytes) : -1;
  };
  CHECK(lines({"head"}) == 10);
  CHECK(lines({"head", "-n", "3"}) == 3);
  CHECK(lines({"head", "-n3"}) == 3);
  CHECK(lines({"head", "-3"}) == 3);
  CHECK(lines({"head", "--lines=4"}) == 4);
  CHECK(lines({"head", "-n", "0"}) == 0);
  CHECK(lines({"head", "-q", "-n", "2", "-"}) == 2);
  CHECK(bytes({"head", "-c", "7"}) == 7);
  CHECK(bytes({"head", "-5c"}) == 5);
  // Everything: all but the last N, a file operand, not head, bad counts.
  CHECK(lines({"head", "-n", "-3"}) == -1);
  CHECK(lines({"head", "-n", "3", "file"}) == -1);
  CHECK(lines({"head", "-", "-"}) == -1);
  CHECK(lines({"tail", "-n", "3"}) == -1);
  CHECK(lines({"head", "-n", "x"}) == -1);
  CHECK(lines({"head", "--follow"}) == -1);
}

TEST_CASE("grep before head stops once head has what it reads, as SIGPIPE stops GNU grep") {
  Fixture f;
  // Files named on the command line: GNU's order, so whole answers agree.
  f.AgreeEngine("grep -n a M/notes/a.md M/notes/b.md M/notes/code.md | head -2");
  f.AgreeEngine("grep -h foo M/notes/b.md M/notes/b.md | head -n 3");
  f.AgreeEngine("grep -c a M/notes/a.md M/notes/b.md M/MEMORY.md | head -1");
  f.AgreeEngine("grep -h -v zzz M/notes/a.md M/notes/b.md | head -c 20");
  f.AgreeEngine("grep -h foo M/notes/b.md | head -n 0");
  f.AgreeEngine("grep -h a M/notes/a.md M/notes/b.md | head -5 | wc -l");
  f.AgreeEngine("grep -h a M/notes/a.md M/notes/b.md | head -n -2");
  f.AgreeEngine("grep -h a M/notes/a.md M/nope M/notes/b.md 2>&1 | head -3");
  f.AgreeEngine("grep -A1 -n beta M/notes/a.md M/notes/a.md | head -3");
  f.AgreeEngine("grep -h a M/notes/a.md M/notes/b.md | head -2 > /dev/null; echo $?");
  // Recursive: the same first lines, from fewer files read.
  IndexedStore counting(*f.store);
  auto run = [&](const std::string& c) {
    counting.reads = 0;
    Answer answer = f.engine.Run(f.Expand(c), f.Options(), [&](std::string*) { return &counting; });
    REQUIRE_MESSAGE(answer.route == memhook::fastpath::Route::kFastPath, answer.reason);
    return answer;
  };
  const std::string whole = run("grep -rv zzzz M/").out;
  const int all_reads = counting.reads;
  const Answer head = run("grep -rv zzzz M/ | head -2");
  CHECK(counting.reads < all_reads / 2);
  const size_t second_line = whole.find('\n', whole.find('\n') + 1);
  REQUIRE(second_line != std::string::npos);
  CHECK(head.out == whole.substr(0, second_line + 1));
  CHECK(head.status == 0);
  // Not when head reads a file, or stdout goes elsewhere.
  run("grep -rv zzzz M/ | head -2 M/notes/a.md");
  CHECK(counting.reads >= all_reads);
  run("grep -rv zzzz M/ >&2 | head -2");
  CHECK(counting.reads >= all_reads);
}

TEST_CASE("translation of GNU patterns to RE2") {
  std::setlocale(LC_ALL, "C.UTF-8");
  auto tr = [](const char* p, RegexSyntax syntax = RegexSyntax::kBasic, bool icase = false) {
    TranslateOptions o;
    o.syntax = syntax;
    o.ignore_case = icase;
    return TranslateGnuRegex(p, o);
  };
  CHECK(tr("a\\|b").re2 == "(?:a|b)");
  CHECK(tr("a|b").re2 == "(?:a\\x{7c}b)");
  CHECK(tr("a\\+").re2 == "(?:a)+");
  CHECK(tr("a+").re2 == "(?:a\\x{2b})");
  CHECK(tr("a\\{2,3\\}").re2 == "(?:a){2,3}");
  CHECK(tr("a{2,3}", RegexSyntax::kExtended).re2 == "(?:a){2,3}");
  CHECK(tr("a{,3}", RegexSyntax::kExtended).re2 == "(?:a){0,3}");
  CHECK(tr("*a").re2 == "(?:\\x{2a}a)");
  CHECK(tr("^*").re2 == "(?:^\\x{2a})");
  CHECK(tr("a^b").re2 == "(?:a\\x{5e}b)");
  CHECK(tr("a$b").re2 == "(?:a\\x{24}b)");
  CHECK(tr("a$").re2 == "(?:a$)");
  CHECK(tr("a$").re2_noeol == "(?:a[^\\x00-\\x{10ffff}])");
  CHECK(tr("\\(a\\)*").re2 == "(?:(?:a))*");
  CHECK(tr("[]a-c]").re2 == "[\\x{5d}a-c]");
  CHECK(tr("[^[:alpha:]_]").re2 == "[^\\x{5f}[:alpha:]]");
  CHECK(tr("\\<foo\\>").re2 == "(?:\\bfoo\\b)");
  CHECK(tr("k", RegexSyntax::kBasic, true).re2 == "[kK]");
  // GNU folds i to I and U+0131 (dotless i), whose uppercase is I.
  CHECK(tr("i", RegexSyntax::kBasic, true).re2 == "[iI\\x{131}]");
  CHECK(tr("[[:lower:]]", RegexSyntax::kBasic, true).re2 == "[[:alpha:]]");
  Translation w = tr("*a", RegexSyntax::kExtended);
  CHECK(w.warnings == std::vector<std::string>{"* at start of expression"});
  CHECK(tr("\\1").unsupported != "");
  CHECK(tr("\\(a\\)\\2").unsupported != "");
  CHECK(tr("[[=a=]]").unsupported != "");
  CHECK(tr("a\\{1").unsupported != "");
  CHECK(tr("\\(a").unsupported != "");
  CHECK(tr("(a", RegexSyntax::kExtended).unsupported != "");
  CHECK(tr("a)", RegexSyntax::kExtended).re2 == "(?:a\\x{29})");
  CHECK(tr("\\<.").unsupported != "");
  // \< and \> beside text that may be empty: the edge comes from further in.
  CHECK(tr("\\<foo[a-z]*\\>").re2 == "(?:\\bfoo(?:[a-z])*\\b)");
  CHECK(tr("\\<a*b\\>").unsupported.empty());
  CHECK(tr("\\<a*\\>").unsupported != "");
  CHECK(tr("a[ -]*\\>").unsupported != "");
  CHECK(tr("\\<\\(ab\\|c\\)*d").unsupported.empty());
  CHECK(tr("\\w\\>").re2 == "(?:[\\x{5f}[:alnum:]]\\b)");
  CHECK(tr("a").literal);
  CHECK(tr("a.b").literal == false);
  CHECK(tr("a\\.b").literal);
  CHECK(tr("a*").nullable);
  CHECK_FALSE(tr("a\\+").nullable);
  CHECK(tr("x\\|").nullable);
  CHECK(tr("\\w").locale_classes == std::vector<std::string>{"alnum"});
  CHECK(tr("\\bx").word_assertions);
  TranslateOptions full;
  full.full_classes = true;
  std::string space = TranslateGnuRegex("[[:space:]]", full).re2;
  CHECK(space.find("\\x{3000}") != std::string::npos);  // IDEOGRAPHIC SPACE
  CHECK(tr("[[:digit:]]").locale_classes.empty());
}

TEST_CASE("required literal text") {
  std::setlocale(LC_ALL, "C.UTF-8");
  auto req = [](const char* p, RegexSyntax syntax = RegexSyntax::kBasic, bool icase = false) {
    TranslateOptions o;
    o.syntax = syntax;
    o.ignore_case = icase;
    return TranslateGnuRegex(p, o).required.ToString();
  };
  CHECK(req("foo") == "\"foo\"");
  CHECK(req("FOO") == "\"foo\"");
  CHECK(req("foo.*bar") == "and(\"foo\",\"bar\")");
  CHECK(req("foo\\|bar") == "or(\"bar\",\"foo\")");
  CHECK(req("(foo|bar)baz", RegexSyntax::kExtended) == "or(\"barbaz\",\"foobaz\")");
  CHECK(req("fo*") == "any");
  CHECK(req("foo\\+") == "\"foo\"");
  CHECK(req("ab") == "any");
  CHECK(req("x[abc]yz") == "or(\"xayz\",\"xbyz\",\"xcyz\")");
  CHECK(req("foo\\|b") == "any");
  // -i in UTF-8: 'i' also matches U+0131 (dotless i), which the index
  // cannot fold: it splits the atom.
  CHECK(req("kelvin", RegexSyntax::kBasic, true) == "\"kelv\"");
  CHECK(req("a\\+bc") == "\"abc\"");
  CHECK(req("ABCDE", RegexSyntax::kBasic, true) == "\"abcde\"");
  CHECK(memhook::utils::FixedStringRequired("a+b.c", true, false).ToString() == "\"a+b.c\"");
}

TEST_CASE("property: every matching line contains the required text") {
  std::setlocale(LC_ALL, "C.UTF-8");
  std::mt19937 rng(12345);
  const std::vector<std::string> bre_tokens = {
      "a",    "b", "c",         "ab", "abc", ".",         "*",   "\\+", "\\?", "\\|", "[ab]",
      "[^a]", "x", "\\{1,2\\}", "^",  "$",   "\\(abc\\)", "\\(", "\\)", "\\w", "\\b"};
  const std::vector<std::string> ere_tokens = {"a", "b",     "c", "ab", "abc",   ".",    "*",
                                               "+", "?",     "|", "(",  ")",     "[ab]", "[^a]",
                                               "x", "{1,2}", "^", "$",  "(abc)", "\\w"};
  const std::string alphabet = "abcxAB ";
  int checked = 0, matched = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    bool ere = iter % 2 == 1;
    const auto& tokens = ere ? ere_tokens : bre_tokens;
    std::string pattern;
    int len = 1 + static_cast<int>(rng() % 6);
    for (int i = 0; i < len; ++i) pattern += tokens[rng() % tokens.size()];
    TranslateOptions o;
    o.syntax = ere ? RegexSyntax::kExtended : RegexSyntax::kBasic;
    o.ignore_case = rng() % 4 == 0;
    Translation t = TranslateGnuRegex(pattern, o);
    if (!t.unsupported.empty()) continue;
    RE2::Options ro;
    ro.set_longest_match(true);
    ro.set_log_errors(false);
    RE2 re(t.re2, ro);
    REQUIRE_MESSAGE(re.ok(), pattern << " -> " << t.re2);
    ++checked;
    for (int k = 0; k < 30; ++k) {
      std::string text;
      int tl = static_cast<int>(rng() % 12);
      for (int i = 0; i < tl; ++i) text += alphabet[rng() % alphabet.size()];
      if (!RE2::PartialMatch(text, re)) continue;
      ++matched;
      CAPTURE(pattern);
      CAPTURE(text);
      CHECK(t.required.Holds(text));
    }
  }
  MESSAGE("patterns checked: " << checked << ", matching lines: " << matched);
  CHECK(checked > 1000);
}

TEST_CASE("random patterns agree with GNU grep") {
  // A fuzz-style differential test of the translation: random BRE/ERE
  // patterns over a small alphabet, matched against a file of short lines
  // by GNU grep and by CmdGrep.
  Fixture f;
  std::mt19937 rng(777 * FuzzScale());
  std::string lines;
  const std::string alphabet = "abcx_ -";
  for (int i = 0; i < 60; ++i) {
    int tl = static_cast<int>(rng() % 9);
    for (int k = 0; k < tl; ++k) lines += alphabet[rng() % alphabet.size()];
    lines += "\n";
  }
  f.Write("fuzz.txt", lines);
  REQUIRE(memhook::vfs::ImportTree(*f.store, f.tree.string(), nullptr).ok());
  const std::vector<std::string> bre = {
      "a",         "b", "c", "ab",  ".",   "*",   "\\+", "\\?", "\\|", "[ab]", "[^a]", "x",
      "\\{1,2\\}", "^", "$", "\\(", "\\)", "\\w", "\\b", "\\<", "\\>", "_",    "-",    " "};
  const std::vector<std::string> ere = {"a", "b",    "c",    "ab",  ".",     "*", "+", "?",
                                        "|", "[ab]", "[^a]", "x",   "{1,2}", "^", "$", "(",
                                        ")", "\\w",  "\\b",  "\\<", "\\>",   "_", "-", " "};
  const char* modes[] = {"-n", "-c", "-o", "-w", "-x", "-ow", "-on", "-vc", "-i", "-wo"};
  int compared = 0;
  for (int iter = 0; iter < 400 * FuzzScale(); ++iter) {
    bool is_ere = iter % 2 == 1;
    const auto& tokens = is_ere ? ere : bre;
    std::string pattern;
    int len = 1 + static_cast<int>(rng() % 5);
    for (int i = 0; i < len; ++i) pattern += tokens[rng() % tokens.size()];
    std::string command = std::string("grep ") + (is_ere ? "-E " : "") + modes[iter % 10] + " -e " +
                          ShellQuote(pattern) + " M/fuzz.txt";
    if (f.AgreeIfAnswered(command)) ++compared;
  }
  MESSAGE("random patterns compared: " << compared);
  CHECK(compared > 250);
}

TEST_CASE("random option mixes agree with GNU grep") {
  // Several patterns (GNU may switch to its fixed-string matcher), -F, -i,
  // -w/-x/-o and context, on a file of short lines.
  Fixture f;
  std::mt19937 rng(4242 * FuzzScale());
  std::string lines;
  const std::string alphabet = "abAB_ -.i";
  for (int i = 0; i < 40; ++i) {
    int tl = static_cast<int>(rng() % 8);
    for (int k = 0; k < tl; ++k) lines += alphabet[rng() % alphabet.size()];
    lines += "\n";
  }
  f.Write("mix.txt", lines);
  REQUIRE(memhook::vfs::ImportTree(*f.store, f.tree.string(), nullptr).ok());
  const std::vector<std::string> pieces = {"a", "b", "ab", "A",    "B",    "_",   "-",  " ",
                                           ".", "i", "a*", "b\\+", "[ab]", "\\.", "ba", "aB"};
  const std::vector<std::string> flags = {
      "",   "-i",  "-w",     "-x",     "-o",  "-ow",     "-ox",  "-iw",     "-c",  "-v",
      "-n", "-A1", "-B1 -n", "-C1 -o", "-m2", "-m1 -A2", "-xwo", "-vo -A1", "-wc", "-iwo"};
  int compared = 0;
  for (int iter = 0; iter < 500 * FuzzScale(); ++iter) {
    std::string command = "grep";
    int syntax = static_cast<int>(rng() % 3);
    if (syntax == 1) command += " -E";
    if (syntax == 2) command += " -F";
    command += " " + flags[rng() % flags.size()];
    int npat = 1 + static_cast<int>(rng() % 3);
    for (int p = 0; p < npat; ++p) {
      std::string pattern;
      int len = 1 + static_cast<int>(rng() % 3);
      for (int i = 0; i < len; ++i) pattern += pieces[rng() % pieces.size()];
      command += " -e " + ShellQuote(pattern);
    }
    command += " M/mix.txt";
    if (f.AgreeIfAnswered(command)) ++compared;
  }
  MESSAGE("random option mixes compared: " << compared);
  CHECK(compared > 400);
}

TEST_CASE("plain-text patterns are found at every alignment, as GNU finds them") {
  // Literal patterns take a vectorised search (first and last bytes
  // sixteen starts at a time): plant them, and decoys that share their
  // first and last bytes, at every offset of lines longer than a vector.
  Fixture f;
  f.MakeDirs("align");
  std::mt19937 rng(99 * FuzzScale());
  const std::vector<std::string> needles = {"ab", "a-b", "quokka", "config=x", "abcdefghijklmnopq"};
  std::string text;
  for (const std::string& needle : needles) {
    std::string decoy = needle;
    if (decoy.size() > 2) decoy[decoy.size() / 2] = '#';
    for (size_t offset = 0; offset < 40; ++offset) {
      std::string line(offset + needle.size() + rng() % 20, '.');
      line.replace(offset, needle.size(), rng() % 3 == 0 ? decoy : needle);
      text += line + "\n";
    }
    // At the very end of a file without a final newline, too.
    f.Write("align/end-" + std::to_string(needle.size()) + ".txt", std::string(37, '.') + needle);
  }
  f.Write("align/lines.txt", text);
  REQUIRE(memhook::vfs::ImportTree(*f.store, f.tree.string(), nullptr).ok());
  for (const std::string& needle : needles) {
    // -r walks the disk in directory order: compare sorted lines.
    for (const char* mode : {"-rc", "-rn", "-ron", "-rl"}) {
      f.Agree(std::string("grep ") + mode + " -e " + ShellQuote(needle) + " M/align", "", true);
    }
    const std::string at_end = "grep -c -e " + ShellQuote(needle) + " M/align/end-" +
                               std::to_string(needle.size()) + ".txt";
    CHECK(f.Bash(f.Expand(at_end)).out == "1\n");
    f.Agree(at_end);
  }
}

TEST_CASE("random non-ASCII and binary text agrees with GNU grep") {
  // Letters with unusual case mappings (dotless i, long s, final sigma,
  // Kelvin sign), non-ASCII word characters next to matches, NUL bytes.
  Fixture f;
  f.MakeDirs("align");
  std::mt19937 rng(99 * FuzzScale());
  const std::vector<std::string> chars = {"a",
                                          "i",
                                          "I",
                                          "s",
                                          "S",
                                          "k",
                                          "K",
                                          " ",
                                          "-",
                                          "_",
                                          "\xc3\xa9",
                                          "\xc3\x89",
                                          "\xc4\xb1",
                                          "\xc5\xbf",
                                          "\xcf\x83",
                                          "\xcf\x82",
                                          "\xce\xa3",
                                          "\xe2\x84\xaa",
                                          "\xe2\x80\x94",
                                          "\xc3\x9f",
                                          "\xc2\xa0",
                                          "\xe3\x80\x80",
                                          "\xd9\xa3"};
  std::string text, binary;
  for (int i = 0; i < 50; ++i) {
    int tl = static_cast<int>(rng() % 7);
    for (int k = 0; k < tl; ++k) text += chars[rng() % chars.size()];
    text += "\n";
  }
  binary = text;
  binary.insert(binary.size() / 2, std::string(1, '\0'));
  f.Write("uni.txt", text);
  f.Write("uni.bin", binary);
  REQUIRE(memhook::vfs::ImportTree(*f.store, f.tree.string(), nullptr).ok());
  const std::vector<std::string> flags = {"",   "-i", "-w",   "-x", "-o",  "-io",  "-iw", "-c",
                                          "-v", "-n", "-iwo", "-F", "-Fi", "-Fiw", "-E",  "-ix"};
  int compared = 0;
  for (int iter = 0; iter < 300 * FuzzScale(); ++iter) {
    std::string pattern;
    int len = 1 + static_cast<int>(rng() % 3);
    for (int i = 0; i < len; ++i) {
      int r = static_cast<int>(rng() % 10);
      if (r == 0) {
        static const char* const kClasses[] = {
            ".",           "\\w", "\\W", "[[:alpha:]]", "[[:punct:]]", "[^[:alnum:]]",
            "[[:space:]]", "\\b", "\\s", "[[:upper:]]"};
        pattern += kClasses[rng() % 10];
      } else if (r == 1) {
        pattern += "[" + chars[rng() % chars.size()] + chars[rng() % chars.size()] + "]";
      } else {
        pattern += chars[rng() % chars.size()];
      }
    }
    std::string file = iter % 4 == 3 ? "M/uni.bin" : "M/uni.txt";
    std::string command =
        "grep " + flags[rng() % flags.size()] + " -e " + ShellQuote(pattern) + " " + file;
    if (f.AgreeIfAnswered(command)) ++compared;
  }
  MESSAGE("random non-ASCII patterns compared: " << compared);
  CHECK(compared > 200);
}
