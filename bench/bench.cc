// memhook_bench: whole-process latency per command type, as the agent pays
// it, for memhook against GNU bash + coreutils and the just-bash CLI, on
// generated memory trees of several sizes. Writes a markdown report, and a
// gnuplot plot if asked.
//
//   memhook_bench --memhook PATH --floor PATH --out REPORT.md [--rss PATH]
//                 [--sizes 1000,10000,100000] [--runs N] [--just-bash PATH]
//                 [--jb-runs N] [--jb-timeout S] [--pass-reps N] [--max-reps N]
//                 [--plot PNG] [--scratch DIR] [--tmpfs DIR] [--seed S] [--label TEXT]
//                 [--keep]
//   memhook_bench --list-types
//
// Per size: generate a tree (tree_gen.h), `memhook import` it, `memhook
// export` it to tmpfs and to disk, then for every iteration and every command
// type run each contender once, round-robin with a rotating first contender:
//   memhook    `memhook hook` (PreToolUse JSON on stdin), then `bash -c` on
//              the rewritten command (or the original, for pass-through)
//   GNU tmpfs  `bash -c CMD` with HOME such that the mount is the tmpfs export
//   GNU disk   the same on the disk export
//   just-bash  `just-bash -c CMD --root EXPORT` (mount path → /home/user/project)
// Pass-through rows also run the process floor (a trivial C program fed the
// same JSON), `bash -c true` and `memhook` without arguments (start-up only).
// Cheap command types repeat within an iteration; before the iterations each
// type gets one cold query on a DB copy dropped from the page cache, and at the
// largest size `memhook explain` tells what SQL each command issues.
//
// The write types run after the read iterations, on a copy of the DB (the
// write base: the imported tree plus a directory of kBulkFiles files) and on
// the two exports given the same directory; just-bash gets its own export of
// the write base. Every timed write starts from the same state: after each
// contender's run, untimed, the DB file is made byte-identical to the write
// base again (only the pages that differ are written, then fdatasync'ed; WAL
// and -shm removed) and the files the command touched in the trees are put
// back. `log appends` is a series of --appends appends to one new session log,
// each timed, without restoring in between; the DB and trees are restored
// before each series.
#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "bench/tree_gen.h"
#include "tests/support/test_support.h"
#include "tests/support/unique_fd.h"

namespace memhook::bench {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* kMountRel = ".memhook/memory";
constexpr const char* kSessionId = "00000000-0000-4000-8000-000000000bench";
constexpr const char* kJustBashMount = "/home/user/project";
constexpr size_t kMaxKeptOutput = 256u << 20;
constexpr size_t kMaxKeptErr = 64u << 10;
// A command type whose round (memhook + both GNU) costs less than this is
// repeated within an iteration, up to --max-reps times.
constexpr double kRepBudgetMs = 250;
// The transcript line a tool call adds in the capture measurement: a
// typical tool result's size.
constexpr size_t kCaptureLineBytes = 2000;
// "Never slowing the agent by more than a few ms": the capture hook's
// target.
constexpr double kCaptureTargetMs = 5;
// cat/head/ls as the agent pays them (hook + replay), over GNU bash on tmpfs.
constexpr double kAgentTarget = 1.6;
// The pause after each call through the hook server (Bench::Settle): the
// server holds its own work back 50 ms after an answer, then needs a few.
constexpr int kSettleMs = 80;
// just-bash runs in the first --jb-runs iterations, and in every iteration
// where its first runs took less than this.
constexpr double kCheapJustBashMs = 1000;

// The write types' fixtures (mount-relative): a directory of kBulkFiles
// small notes for `mv`, moved to kBulkMoved; the 1 MB file; the session log
// that `log appends` grows. The first and last kAppendWindow appends of a
// series are compared.
constexpr int kBulkFiles = 1000;
constexpr const char* kBulkDir = "notes/inbox";
constexpr const char* kBulkMoved = "notes/inbox-2026";
constexpr const char* kBigFile = "big.md";
constexpr const char* kLogName = "bench-log.jsonl";
constexpr int kAppendWindow = 100;
// A write type's round also pays its restores: its repetitions get a larger
// budget than the reads'.
constexpr double kWriteRepBudgetMs = 1000;

// ---------------------------------------------------------------------------
// Processes.

using Fd = memhook::testing::UniqueFd;
using memhook::testing::ExecSpec;
using memhook::testing::ProcResult;
using memhook::testing::RunProcess;
using memhook::testing::ShellQuote;
using memhook::testing::Slurp;
using memhook::testing::SortedLines;

// A process as the bench runs it (tests/support/test_support.h): stdout
// counted but not kept (set max_out to keep it), stderr kept up to
// kMaxKeptErr, two minutes at most.
ExecSpec BenchSpec() {
  ExecSpec spec;
  spec.max_out = 0;
  spec.max_err = kMaxKeptErr;
  spec.timeout_ms = 120'000;
  return spec;
}

// Puts a round's contenders in an order of its own (seeded: a run is
// repeatable): with a fixed cyclic order each contender would always follow
// the same one, and inherit whatever that one leaves behind.
template <typename Who>
void ShuffleRound(std::vector<Who>* who, uint64_t seed, uint64_t round) {
  std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + round);
  std::shuffle(who->begin(), who->end(), rng);
}

// Wall time from spawn to reaping.
double WallMs(const ProcResult& r) { return static_cast<double>(r.elapsed_us) / 1000.0; }

std::string FirstLine(const std::string& s) { return s.substr(0, s.find('\n')); }

// ---------------------------------------------------------------------------
// Statistics and formatting.

struct Samples {
  std::vector<double> ms;
  int timeouts = 0;
  int failures = 0;  // could not run, or a hook problem
  std::string problem;
  bool empty() const { return ms.empty(); }
  double Median() const {
    if (ms.empty()) return NAN;
    std::vector<double> v = ms;
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }
  double Min() const { return ms.empty() ? NAN : *std::min_element(ms.begin(), ms.end()); }
  double Max() const { return ms.empty() ? NAN : *std::max_element(ms.begin(), ms.end()); }
};

// The median of a[i] / b[i] over samples taken in the same round: steadier
// than a ratio of medians when the machine's load drifts.
double PairedRatio(const Samples& a, const Samples& b) {
  if (a.ms.size() != b.ms.size() || a.ms.empty()) return NAN;
  Samples r;
  for (size_t i = 0; i < a.ms.size(); ++i) r.ms.push_back(a.ms[i] / b.ms[i]);
  return r.Median();
}

std::string Fmt(const char* fmt, auto... args) {
  char buf[512];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string Ms(double v) {
  if (std::isnan(v)) return "—";
  if (v >= 100) return Fmt("%.0f", v);
  if (v >= 10) return Fmt("%.1f", v);
  return Fmt("%.2f", v);
}

std::string Cell(const Samples& s) {
  if (s.empty()) {
    if (s.timeouts > 0) return "timeout";
    if (s.failures > 0) return "failed";
    return "—";
  }
  std::string c = Ms(s.Median()) + " (" + Ms(s.Min()) + "–" + Ms(s.Max()) + ")";
  if (s.timeouts > 0) c += Fmt(" +%d timeout", s.timeouts);
  return c;
}

std::string Ratio(double v) {
  if (std::isnan(v) || std::isinf(v)) return "—";
  if (v >= 100) return Fmt("%.0f×", v);
  if (v >= 10) return Fmt("%.1f×", v);
  return Fmt("%.2f×", v);
}

std::string Files(uint64_t n) {
  if (n >= 1000 && n % 1000 == 0) return std::to_string(n / 1000) + "k";
  return std::to_string(n);
}

std::string Mb(uint64_t bytes) { return Fmt("%.1f", static_cast<double>(bytes) / 1e6); }

std::string Replace(std::string s, std::string_view from, std::string_view to) {
  for (size_t at = 0; (at = s.find(from, at)) != std::string::npos; at += to.size()) {
    s.replace(at, from.size(), to);
  }
  return s;
}

// "yes", "yes (sorted lines)" or "NO", comparing stdout and exit status with
// each side's mount path replaced by a placeholder.
std::string Agreement(const ProcResult& a, const std::string& mount_a, const ProcResult& b,
                      const std::string& mount_b) {
  if (a.status != b.status) return Fmt("NO (status %d vs %d)", a.status, b.status);
  const std::string x = Replace(a.out, mount_a, "<M>");
  const std::string y = Replace(b.out, mount_b, "<M>");
  if (x == y) return "yes";
  if (SortedLines(x) == SortedLines(y)) return "yes (sorted lines)";
  return Fmt("NO (stdout differs: %zu vs %zu B)", a.out.size(), b.out.size());
}

// The peak RSS that memhook_bench_rss printed last on stderr, or -1.
long ParseRss(const std::string& err) {
  static constexpr std::string_view kTag = "memhook_bench_rss: maxrss_kb=";
  const size_t at = err.rfind(kTag);
  return at == std::string::npos ? -1 : std::atol(err.c_str() + at + kTag.size());
}

size_t CountLines(const std::string& s) {
  return static_cast<size_t>(std::count(s.begin(), s.end(), '\n'));
}

// ---------------------------------------------------------------------------
// The benchmark.

struct Options {
  std::string memhook, floor, rss, just_bash, out, plot, label;
  // The hook's first process as installed (memhook-front, which execs
  // memhook when the command may touch the mount); empty: memhook itself.
  std::string front;
  std::vector<uint64_t> sizes = {1000, 10000, 100000};
  int runs = 5;
  int jb_runs = 3;
  int jb_timeout_s = 120;
  int pass_reps = 20;
  int max_reps = 10;
  int appends = 1000;   // appends in a `log appends` series
  int append_runs = 3;  // series per size (at most --runs)
  uint64_t seed = 1;
  std::string scratch, tmpfs = "/dev/shm";
  bool keep = false;
};

// kWrite: one write, restored after every run; kAppends: the series of
// appends to one session log.
enum class Kind { kRead, kWrite, kAppends, kPipeline, kPass };

bool IsWrite(Kind k) { return k == Kind::kWrite || k == Kind::kAppends; }

struct CommandType {
  std::string name;
  std::string command;  // for memhook and GNU: paths under ~/.memhook/memory
  Kind kind = Kind::kRead;
  // Writes only. `check` is a read-only command whose output shows the
  // result (compared between contenders); `files` are the mount-relative
  // files the command creates or changes, put back from the write base (or
  // removed) after each run; `moved_from` / `moved_to` a rename it makes,
  // undone; `na_note` is shown for memhook while its run fails (a feature not
  // built yet) instead of a time.
  std::string check;
  std::vector<std::string> files;
  std::string moved_from, moved_to;
  std::string na_note;
};

// Answered inside the hook: by the fast path's profile or the virtual shell.
bool Answered(const std::string& route) { return route == "fast" || route == "shell"; }

// The row labels, in report order; the smoke test checks every one.
const std::vector<std::string>& TypeNames() {
  static const std::vector<std::string> names = {"cat",
                                                 "head",
                                                 "tail",
                                                 "ls",
                                                 "ls -R",
                                                 "wc",
                                                 "find",
                                                 "grep rare",
                                                 "grep common",
                                                 "grep regex",
                                                 "pipeline",
                                                 "shell loop",
                                                 "shell $(...)",
                                                 "find -exec",
                                                 "xargs",
                                                 "jq sessions",
                                                 "sed -n",
                                                 "awk sum",
                                                 "tr | sort | uniq -c",
                                                 "write",
                                                 "append",
                                                 "write 1 MB",
                                                 "log appends",
                                                 "mv 1000 files",
                                                 "sed -i",
                                                 "pass-through"};
  return names;
}

// The k-th line (from 1) that `log appends` adds to its session log: a
// Claude Code-like event of about 200 bytes.
std::string LogLine(int k) {
  return Fmt(
      "{\"type\":\"user\",\"seq\":%d,\"sessionId\":\"%s\",\"message\":{\"role\":\"user\","
      "\"content\":\"memhook_bench appends event %d to this session log\"},"
      "\"timestamp\":\"2026-12-05T12:00:00.000Z\"}",
      k, kSessionId, k);
}

std::string AppendCommand(const std::string& log, int k) {
  return "echo '" + LogLine(k) + "' >> ~/" + kMountRel + "/" + log;
}

std::vector<CommandType> MakeCommands(const TreeManifest& m) {
  const std::string root = std::string("~/") + kMountRel;
  const std::string r = " " + root;
  const std::vector<std::string> commands = {
      "cat " + root + "/" + m.summary_file,
      "head -n 20 " + root + "/" + m.session_file,
      "tail -n 20 " + root + "/" + m.session_file,
      "ls " + root + "/" + m.summary_month_dir,
      "ls -R" + r,
      "wc -l " + root + "/" + m.session_month_dir + "/*.jsonl",
      "find" + r + " -name '*" + kFindWord + "*'",
      std::string("grep -rw ") + kRareWord + r,
      std::string("grep -rl ") + kCommonWord + r,
      std::string("grep -rE '") + kAltWordA + "|" + kAltWordB + "'" + r,
      std::string("grep -rh ") + kRareWord + r + " | sort | uniq -c | sort -rn | head -n 5",
      // The virtual shell's types: a loop over files, a substitution, find
      // -exec and xargs running utilities per batch.
      "for f in " + root + "/" + m.summary_month_dir + "/*; do head -n 1 \"$f\"; done",
      std::string("n=$(grep -rlw ") + kRareWord + r + " | wc -l); echo \"$n files\"",
      "find " + root + "/" + m.summary_month_dir + " -type f -exec wc -l {} +",
      "find " + root + "/" + m.summary_month_dir + " -type f | sort | xargs grep -c " + kCommonWord,
      // The text toolbox over session logs and notes.
      "jq -r .type " + root + "/" + m.session_month_dir + "/*.jsonl | sort | uniq -c",
      "sed -n '10,20p' " + root + "/" + m.session_file,
      "awk '{n += NF} END {print n}' " + root + "/" + m.summary_month_dir + "/*",
      "cat " + root + "/" + m.summary_month_dir +
          "/* | tr -cs 'A-Za-z' '\\n' | tr A-Z a-z | sort | uniq -c | sort -rn | head -n 5",
      "echo x > " + root + "/new.md",
      "echo '- 2026-12-05: the retry budget is per request, not per call' >> " + root + "/" +
          m.note_file,
      "printf '%*s' 1000000 '' > " + root + "/" + kBigFile,
      AppendCommand(m.session_month_dir + "/" + kLogName, 1),
      "mv " + root + "/" + kBulkDir + " " + root + "/" + kBulkMoved,
      "sed -i 's/config/setting/g' " + root + "/" + m.note_file,
      "git --version",
  };
  std::vector<CommandType> out;
  for (size_t i = 0; i < commands.size(); ++i) {
    CommandType t;
    t.name = TypeNames()[i];
    t.command = commands[i];
    const std::string note = root + "/" + m.note_file;
    if (t.name == "pipeline") t.kind = Kind::kPipeline;
    if (t.name == "pass-through") t.kind = Kind::kPass;
    if (t.name == "write") {
      t.kind = Kind::kWrite;
      t.check = "cat " + root + "/new.md";
      t.files = {"new.md"};
    } else if (t.name == "append") {
      t.kind = Kind::kWrite;
      t.check = "wc -c " + note + "; tail -n 2 " + note;
      t.files = {m.note_file};
    } else if (t.name == "write 1 MB") {
      t.kind = Kind::kWrite;
      t.check = "wc -c -w " + root + "/" + kBigFile;
      t.files = {kBigFile};
    } else if (t.name == "log appends") {
      const std::string log = m.session_month_dir + "/" + kLogName;
      t.kind = Kind::kAppends;
      t.check = "wc -l " + root + "/" + log + "; tail -n 1 " + root + "/" + log;
      t.files = {log};
    } else if (t.name == "mv 1000 files") {
      t.kind = Kind::kWrite;
      t.check = "ls " + root + "/" + kBulkMoved + " | wc -l; ls " + root + "/" + kBulkMoved +
                " | head -n 3; test -e " + root + "/" + kBulkDir + "; echo $?";
      t.moved_from = kBulkDir;
      t.moved_to = kBulkMoved;
    } else if (t.name == "sed -i") {
      t.kind = Kind::kWrite;
      t.check = "grep -c setting " + note + "; wc -c " + note;
      t.files = {m.note_file};
      t.na_note = "sed: issue 11";
    }
    out.push_back(t);
  }
  return out;
}

struct TypeResult {
  Samples total, hook, replay, gnu_tmpfs, gnu_disk, jb;
  double cold_total = NAN, cold_hook = NAN;
  double cold_residency = NAN;  // fraction of the DB copy in the page cache before
  long maxrss_kb = -1;          // the hook's peak RSS (memhook_bench_rss), -1: not measured
  std::string route = "?";      // pass / fast / next / error
  bool spooled = false;
  std::string agree = "—", jb_agree = "—";
  uint64_t out_bytes = 0, out_lines = 0;  // GNU tmpfs, first run
  int gnu_status = -1;
  int reps = 1;  // per iteration after the first
  // `memhook explain` at the largest size: SQL statements issued, of which
  // per-file content reads, reads of a whole table (no WHERE, no LIMIT) and
  // full-text (MATCH) queries. -1: not collected.
  int sql_total = -1, sql_content = 0, sql_whole = 0, sql_match = 0;
  // Writes. `na`: memhook's run failed where GNU's succeeded (its message in
  // na_problem), so it is not timed. `restore`: making the DB the write base
  // again after memhook's run (untimed). For `log appends` the main samples
  // hold the last window of each series and first_* the first.
  bool na = false;
  std::string na_problem;
  Samples restore;
  Samples first_total, first_hook, first_replay, first_gnu_tmpfs, first_gnu_disk, first_jb;
  int series = 0, window = 0;
  uint64_t series_bytes = 0;  // the log's size after a series (GNU tmpfs)
  long run_maxrss_kb = -1;    // `memhook run`'s peak RSS (memhook_bench_rss)
};

struct SizeResult {
  uint64_t files = 0, dirs = 0, bytes = 0, db_bytes = 0;
  double gen_s = 0, import_s = 0, export_tmpfs_s = 0, export_disk_s = 0;
  long import_maxrss_kb = -1;
  std::vector<CommandType> commands;
  std::vector<TypeResult> types;
  Samples floor, bash_true, memhook_noop, memhook_noop_c, gnu_cat;
  // The installed hook on `true ~/.memhook/memory`: a command that touches
  // the mount and whose answer costs nothing (no file read), so it measures
  // the front's start, the hand-over to the hook server, JSON, parse and
  // the rewrite: what every answered command pays before its own work.
  Samples served_noop;
  // PostToolUse with one new transcript line (kCaptureLineBytes) to
  // capture, through the installed entry (memhook-front when given), into a
  // store of its own (the read types' tree stays as GNU's).
  Samples capture;
  bool ran_jb = false;
  // The write phase: preparing the write base (the DB copy with the
  // kBulkFiles directory, the trees given it, just-bash's export), its size.
  double write_setup_s = NAN;
  uint64_t write_db_bytes = 0;
};

struct Env {
  std::vector<std::string> memhook, gnu_tmpfs, gnu_disk, jb, plain, c_locale;
};

struct SizeContext {
  fs::path disk_dir, tmpfs_dir;
  std::string memhook_home, tmpfs_home, disk_home, db, cold_db, tmpfs_mount, disk_mount;
  Env env;
  // The write phase: the DB the writes change, the write base it is restored
  // from, just-bash's own tree, and the write types' files as they are in the
  // write base (mount-relative; nullopt: absent).
  std::string write_db, write_base, jb_mount;
  std::map<std::string, std::optional<std::string>> pristine;
};

class Bench {
 public:
  explicit Bench(Options o) : o_(std::move(o)) {}
  int Main();

 private:
  bool RunSize(uint64_t files, SizeResult* result);
  bool Prepare(uint64_t files, SizeContext* ctx, SizeResult* result);
  void RunMemhook(const SizeContext& ctx, const CommandType& t, const std::string& db, bool keep,
                  TypeResult* tr, Samples* total, Samples* hook, Samples* replay,
                  ProcResult* answer);
  ProcResult RunShell(const std::vector<std::string>& env, const std::string& home,
                      const std::string& command, bool keep);
  ProcResult RunJustBash(const SizeContext& ctx, const CommandType& t, bool keep);
  ProcResult RunJustBash(const SizeContext& ctx, const std::string& root,
                         const std::string& command, bool write, bool keep);
  bool PrepareWrites(SizeContext* ctx, SizeResult* result);
  void RunWrites(const SizeContext& ctx, SizeResult* result);
  void RunSeries(const SizeContext& ctx, const CommandType& t, bool with_jb, TypeResult* tr);
  ProcResult RunMemhookDirect(const SizeContext& ctx, const std::string& command);
  bool RestoreDb(const SizeContext& ctx, TypeResult* tr) const;
  void ColdRun(const SizeContext& ctx, const CommandType& t, TypeResult* tr);
  void Explain(const SizeContext& ctx, const CommandType& t, TypeResult* tr);
  std::string HookJson(const std::string& command, const std::string& cwd);
  // One PostToolUse hook call that captures a new transcript line.
  void RunCapture(const SizeContext& ctx, Samples* samples);
  // After a call through the hook server: waits until its deferred work
  // (held back kYieldToReplayMs, then a stats row or a capture, and the next
  // standby's fork) is over, so that it is not charged to the next
  // contender. An agent's next command comes seconds after the last one.
  static void Settle() { std::this_thread::sleep_for(std::chrono::milliseconds(kSettleMs)); }
  std::string Report() const;
  std::string Targets() const;
  std::string Writes() const;
  void WritePlot() const;
  std::string Tool(std::vector<std::string> argv) const;

  Options o_;
  std::vector<SizeResult> results_;
  std::vector<std::string> base_env_;
  uint64_t counter_ = 0;
  std::string started_, load_start_, load_end_, kernel_;
  uint64_t memhook_size_ = 0;
  int memhook_libs_ = 0;
  // Rounds run so far: each shuffles its contenders with its own seed.
  uint64_t rounds_ = 0;
  uint64_t front_size_ = 0;
  int front_libs_ = 0;  // lines of `ldd` (1 for a static binary's message)
  double total_s_ = 0;
};

void Record(const ProcResult& r, Samples* s) {
  if (!r.spawn_error.empty()) {
    ++s->failures;
    s->problem = r.spawn_error;
  } else if (r.timed_out) {
    ++s->timeouts;
  } else {
    s->ms.push_back(WallMs(r));
  }
}

std::string Bench::HookJson(const std::string& command, const std::string& cwd) {
  nlohmann::json j = {
      {"session_id", kSessionId},
      {"transcript_path", "/dev/null"},
      {"cwd", cwd},
      {"permission_mode", "default"},
      {"hook_event_name", "PreToolUse"},
      {"tool_name", "Bash"},
      {"tool_input", {{"command", command}, {"description", "bench"}, {"timeout", 120000}}},
      {"tool_use_id", "toolu_bench_" + std::to_string(++counter_)}};
  return j.dump();
}

ProcResult Bench::RunShell(const std::vector<std::string>& env, const std::string& home,
                           const std::string& command, bool keep) {
  ExecSpec spec = BenchSpec();
  spec.argv = {"bash", "-c", command};
  spec.env = &env;
  spec.cwd = home;
  spec.max_out = keep ? kMaxKeptOutput : 0;
  return RunProcess(spec);
}

void Bench::RunCapture(const SizeContext& ctx, Samples* samples) {
  const std::string transcript = (ctx.disk_dir / "capture-transcript.jsonl").string();
  {
    // What a tool call adds to the transcript, written before the hook runs.
    std::ofstream line(transcript, std::ios::app | std::ios::binary);
    line << nlohmann::json{{"type", "user"},
                           {"message", {{"content", std::string(kCaptureLineBytes, 'x')}}}}
                .dump()
         << "\n";
  }
  std::vector<std::string> env = ctx.env.memhook;
  env.push_back("MEMHOOK_DB=" + (ctx.disk_dir / "capture.db").string());
  ExecSpec spec = BenchSpec();
  spec.argv = {o_.front.empty() ? o_.memhook : o_.front, "hook"};
  spec.env = &env;
  spec.cwd = ctx.memhook_home;
  spec.stdin_data = nlohmann::json{{"session_id", "bench-capture"},
                                   {"transcript_path", transcript},
                                   {"cwd", ctx.memhook_home},
                                   {"hook_event_name", "PostToolUse"},
                                   {"tool_name", "Bash"},
                                   {"tool_input", {{"command", "true"}}},
                                   {"tool_response", {{"stdout", ""}}}}
                        .dump();
  Record(RunProcess(spec), samples);
}

// One memhook measurement: the hook, then bash on its rewrite.
void Bench::RunMemhook(const SizeContext& ctx, const CommandType& t, const std::string& db,
                       bool keep, TypeResult* tr, Samples* total, Samples* hook, Samples* replay,
                       ProcResult* answer) {
  std::vector<std::string> env = ctx.env.memhook;
  env.push_back("MEMHOOK_DB=" + db);
  ExecSpec spec = BenchSpec();
  spec.argv = {o_.front.empty() ? o_.memhook : o_.front, "hook"};
  spec.env = &env;
  spec.cwd = ctx.memhook_home;
  spec.stdin_data = HookJson(t.command, ctx.memhook_home);
  spec.max_out = kMaxKeptOutput;
  const ProcResult h = RunProcess(spec);
  std::string problem = h.spawn_error;
  if (problem.empty() && h.timed_out) problem = "hook timed out";
  if (problem.empty() && h.status != 0)
    problem = Fmt("hook exit %d: ", h.status) + FirstLine(h.err);
  std::string route = "pass", command = t.command;
  if (problem.empty() && !h.out.empty()) {
    const nlohmann::json j = nlohmann::json::parse(h.out, nullptr, false);
    const std::string reason =
        j.is_discarded() ? ""
                         : j.value("/hookSpecificOutput/permissionDecisionReason"_json_pointer, "");
    if (j.is_discarded() || !j.contains("hookSpecificOutput")) {
      problem = "hook output is not JSON";
    } else {
      route = reason.rfind("memhook: fast-path", 0) == 0   ? "fast"
              : reason.rfind("memhook: shell", 0) == 0     ? "shell"
              : reason.rfind("memhook: run", 0) == 0       ? "run"
              : reason.rfind("memhook: next-tier", 0) == 0 ? "next"
                                                           : "?";
      command = j.value("/hookSpecificOutput/updatedInput/command"_json_pointer, "");
      // Spooled answers replay through memhook-replay (or `memhook replay`).
      tr->spooled = command.find("memhook-replay") != std::string::npos ||
                    command.find(" replay ") != std::string::npos;
    }
  }
  if (!problem.empty()) {
    ++total->failures;
    total->problem = problem;
    tr->route = "error";
    return;
  }
  tr->route = route;
  const ProcResult b = RunShell(env, ctx.memhook_home, command, keep);
  if (!b.spawn_error.empty() || b.timed_out) {
    Record(b, total);
    return;
  }
  total->ms.push_back(WallMs(h) + WallMs(b));
  if (hook != nullptr) hook->ms.push_back(WallMs(h));
  if (replay != nullptr) replay->ms.push_back(WallMs(b));
  if (answer != nullptr) *answer = b;
}

ProcResult Bench::RunJustBash(const SizeContext& ctx, const CommandType& t, bool keep) {
  return RunJustBash(ctx, ctx.tmpfs_mount, t.command, IsWrite(t.kind), keep);
}

ProcResult Bench::RunJustBash(const SizeContext& ctx, const std::string& root,
                              const std::string& command, bool write, bool keep) {
  ExecSpec spec = BenchSpec();
  spec.argv = {o_.just_bash, "-c", Replace(command, std::string("~/") + kMountRel, kJustBashMount),
               "--root", root};
  if (write) spec.argv.push_back("--allow-write");
  spec.env = &ctx.env.jb;
  spec.cwd = ctx.tmpfs_dir.string();
  spec.max_out = keep ? kMaxKeptOutput : 0;
  spec.timeout_ms = o_.jb_timeout_s * 1000;
  // The CLI exits before a piped stdout drains, losing all but the first
  // 64 KiB: give it a file.
  spec.stdout_path = (ctx.tmpfs_dir / "just-bash.out").string();
  return RunProcess(spec);
}

// Fraction of `path`'s pages in the page cache.
double Residency(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  struct stat st {};
  if (fd.get() < 0 || ::fstat(fd.get(), &st) != 0 || st.st_size == 0) return NAN;
  void* map = ::mmap(nullptr, static_cast<size_t>(st.st_size), PROT_READ, MAP_SHARED, fd.get(), 0);
  if (map == MAP_FAILED) return NAN;
  const long page = ::sysconf(_SC_PAGESIZE);
  const size_t pages = (static_cast<size_t>(st.st_size) + page - 1) / page;
  std::vector<unsigned char> vec(pages);
  double fraction = NAN;
  if (::mincore(map, static_cast<size_t>(st.st_size), vec.data()) == 0) {
    fraction = static_cast<double>(
                   std::count_if(vec.begin(), vec.end(), [](unsigned char c) { return c & 1; })) /
               static_cast<double>(pages);
  }
  ::munmap(map, static_cast<size_t>(st.st_size));
  return fraction;
}

// Copies the DB (and its WAL) to `to`.
bool CopyDb(const std::string& from, const std::string& to) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(to + suffix, ec);
  for (const char* suffix : {"", "-wal"}) {
    if (fs::exists(from + suffix) && !fs::copy_file(from + suffix, to + suffix, ec)) return false;
  }
  return true;
}

// Syncs the DB copy and drops its pages (and only its pages) from the page
// cache; the shared-memory index is rebuilt by the next connection.
bool Evict(const std::string& db) {
  std::error_code ec;
  fs::remove(db + "-shm", ec);
  for (const char* suffix : {"", "-wal"}) {
    if (!fs::exists(db + suffix)) continue;
    Fd fd(::open((db + suffix).c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0 || ::fsync(fd.get()) != 0) return false;
    if (::posix_fadvise(fd.get(), 0, 0, POSIX_FADV_DONTNEED) != 0) return false;
  }
  return true;
}

// The first query of this command type on the fresh DB copy, out of the
// page cache.
void Bench::ColdRun(const SizeContext& ctx, const CommandType& t, TypeResult* tr) {
  if (!Evict(ctx.cold_db)) return;
  tr->cold_residency = Residency(ctx.cold_db);
  Samples total, hook;
  RunMemhook(ctx, t, ctx.cold_db, false, tr, &total, &hook, nullptr, nullptr);
  Settle();
  if (!total.empty()) tr->cold_total = total.ms[0];
  if (!hook.empty()) tr->cold_hook = hook.ms[0];
}

// Counts the SQL that `memhook explain` reports for the command.
void Bench::Explain(const SizeContext& ctx, const CommandType& t, TypeResult* tr) {
  std::vector<std::string> env = ctx.env.memhook;
  env.push_back("MEMHOOK_DB=" + ctx.db);
  ExecSpec spec = BenchSpec();
  spec.argv = {o_.memhook, "explain", "--cwd", ctx.memhook_home, t.command};
  spec.env = &env;
  spec.cwd = ctx.memhook_home;
  spec.max_out = kMaxKeptOutput;
  const ProcResult r = RunProcess(spec);
  if (!r.spawn_error.empty() || r.timed_out || r.status != 0) return;
  std::istringstream in(r.out);
  std::string line;
  bool in_sql = false;
  tr->sql_total = 0;
  while (std::getline(in, line)) {
    if (line == "sql:") {
      in_sql = true;
      continue;
    }
    if (!in_sql) continue;
    if (line.rfind("  ", 0) != 0) break;
    if (line == "  BEGIN" || line == "  COMMIT" || line == "  ROLLBACK") continue;
    ++tr->sql_total;
    if (line.find("SELECT content FROM") != std::string::npos) ++tr->sql_content;
    if (line.find(" MATCH ") != std::string::npos) ++tr->sql_match;
    if (line.find(" FROM ") != std::string::npos && line.find(" WHERE ") == std::string::npos &&
        line.find(" LIMIT ") == std::string::npos) {
      ++tr->sql_whole;
    }
  }
}

bool Bench::Prepare(uint64_t files, SizeContext* ctx, SizeResult* result) {
  const std::string tag = "n" + std::to_string(files);
  ctx->disk_dir = fs::path(o_.scratch) / tag;
  ctx->tmpfs_dir = fs::path(o_.tmpfs) / tag;
  std::error_code ec;
  fs::remove_all(ctx->disk_dir, ec);
  fs::remove_all(ctx->tmpfs_dir, ec);
  fs::create_directories(ctx->disk_dir / "home-memhook", ec);
  fs::create_directories(ctx->tmpfs_dir / "home" / ".memhook", ec);
  fs::create_directories(ctx->disk_dir / "home" / ".memhook", ec);
  fs::create_directories(ctx->tmpfs_dir / "run", ec);
  ctx->memhook_home = (ctx->disk_dir / "home-memhook").string();
  ctx->tmpfs_home = (ctx->tmpfs_dir / "home").string();
  ctx->disk_home = (ctx->disk_dir / "home").string();
  ctx->tmpfs_mount = ctx->tmpfs_home + "/" + kMountRel;
  ctx->disk_mount = ctx->disk_home + "/" + kMountRel;
  ctx->db = (ctx->disk_dir / "memhook.db").string();
  ctx->cold_db = (ctx->disk_dir / "cold.db").string();
  ctx->env.plain = base_env_;
  ctx->env.plain.push_back("HOME=" + (ctx->disk_dir).string());
  ctx->env.jb = ctx->env.plain;
  ctx->env.c_locale = ctx->env.plain;
  for (std::string& e : ctx->env.c_locale) {
    if (e.rfind("LC_ALL=", 0) == 0) e = "LC_ALL=C";
  }
  ctx->env.gnu_tmpfs = base_env_;
  ctx->env.gnu_tmpfs.push_back("HOME=" + ctx->tmpfs_home);
  ctx->env.gnu_disk = base_env_;
  ctx->env.gnu_disk.push_back("HOME=" + ctx->disk_home);
  // Large answers are spooled under $XDG_RUNTIME_DIR, tmpfs as /run/user is.
  ctx->env.memhook = base_env_;
  ctx->env.memhook.push_back("HOME=" + ctx->memhook_home);
  ctx->env.memhook.push_back("XDG_RUNTIME_DIR=" + (ctx->tmpfs_dir / "run").string());

  std::fprintf(stderr, "[%s files] generating...\n", Files(files).c_str());
  const fs::path src = ctx->disk_dir / "src";
  TreeManifest manifest;
  std::string error;
  auto t0 = Clock::now();
  if (!GenerateTree(src.string(), files, o_.seed, &manifest, &error)) {
    std::fprintf(stderr, "memhook_bench: %s\n", error.c_str());
    return false;
  }
  result->gen_s = std::chrono::duration<double>(Clock::now() - t0).count();
  result->files = manifest.files;
  result->dirs = manifest.dirs;
  result->bytes = manifest.bytes;
  result->commands = MakeCommands(manifest);

  std::vector<std::string> env = ctx->env.memhook;
  env.push_back("MEMHOOK_DB=" + ctx->db);
  auto step = [&](std::vector<std::string> args, double* seconds, long* rss) {
    ExecSpec spec = BenchSpec();
    if (!o_.rss.empty()) spec.argv.push_back(o_.rss);
    spec.argv.push_back(o_.memhook);
    spec.argv.insert(spec.argv.end(), args.begin(), args.end());
    spec.env = &env;
    spec.cwd = ctx->disk_dir.string();
    spec.timeout_ms = 1800'000;
    std::fprintf(stderr, "[%s files] memhook %s...\n", Files(files).c_str(), args[0].c_str());
    const ProcResult r = RunProcess(spec);
    if (!r.spawn_error.empty() || r.timed_out || r.status != 0) {
      std::fprintf(stderr, "memhook_bench: memhook %s failed (status %d): %s%s\n", args[0].c_str(),
                   r.status, r.spawn_error.c_str(), r.err.c_str());
      return false;
    }
    *seconds = WallMs(r) / 1000;
    if (rss != nullptr) *rss = ParseRss(r.err);
    return true;
  };
  if (!step({"import", src.string()}, &result->import_s, &result->import_maxrss_kb) ||
      !step({"export", ctx->tmpfs_mount}, &result->export_tmpfs_s, nullptr) ||
      !step({"export", ctx->disk_mount}, &result->export_disk_s, nullptr)) {
    return false;
  }
  for (const char* suffix : {"", "-wal"}) {
    if (fs::exists(ctx->db + suffix)) result->db_bytes += fs::file_size(ctx->db + suffix, ec);
  }
  // The source tree is no longer needed: the exports are the reference.
  fs::remove_all(src, ec);
  return true;
}

bool Bench::RunSize(uint64_t files, SizeResult* result) {
  SizeContext ctx;
  if (!Prepare(files, &ctx, result)) return false;
  const std::vector<CommandType>& commands = result->commands;
  result->types.resize(commands.size());
  const bool jb = !o_.just_bash.empty();
  result->ran_jb = jb;

  if (CopyDb(ctx.db, ctx.cold_db)) {
    for (size_t i = 0; i < commands.size(); ++i) {
      if (commands[i].kind != Kind::kPass && !IsWrite(commands[i].kind)) {
        ColdRun(ctx, commands[i], &result->types[i]);
      }
    }
  }
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(ctx.cold_db + suffix, ec);
  if (files == o_.sizes.back()) {
    for (size_t i = 0; i < commands.size(); ++i) {
      if (commands[i].kind != Kind::kPass) Explain(ctx, commands[i], &result->types[i]);
    }
  }
  enum Who {
    kMemhook,
    kGnuTmpfs,
    kGnuDisk,
    kJustBash,
    kFloor,
    kBashTrue,
    kNoop,
    kNoopC,
    kCat,
    kCapture,
    kServedNoop
  };
  for (int it = 0; it < o_.runs; ++it) {
    std::fprintf(stderr, "[%s files] iteration %d/%d\n", Files(files).c_str(), it + 1, o_.runs);
    for (size_t i = 0; i < commands.size(); ++i) {
      const CommandType& t = commands[i];
      TypeResult& tr = result->types[i];
      if (IsWrite(t.kind)) continue;  // after the reads: RunWrites
      // Cheap types repeat within an iteration (more samples on a noisy
      // machine); just-bash runs once per iteration, in the first `jb_runs`.
      if (it == 1 && t.kind != Kind::kPass && !tr.total.empty() && !tr.gnu_tmpfs.empty() &&
          !tr.gnu_disk.empty()) {
        const double round = tr.total.ms[0] + tr.gnu_tmpfs.ms[0] + tr.gnu_disk.ms[0];
        tr.reps = std::clamp(static_cast<int>(kRepBudgetMs / round), 1, o_.max_reps);
      }
      const int reps = t.kind == Kind::kPass ? o_.pass_reps : it == 0 ? 1 : tr.reps;
      for (int rep = 0; rep < reps; ++rep) {
        const bool first = it == 0 && rep == 0;
        std::vector<Who> who = {kMemhook, kGnuTmpfs, kGnuDisk};
        if (t.kind == Kind::kPass) {
          who = {kMemhook, kGnuTmpfs, kGnuDisk, kFloor,   kBashTrue,
                 kNoop,    kNoopC,    kCat,     kCapture, kServedNoop};
        } else if (jb && rep == 0 && (it < o_.jb_runs || tr.jb.Median() < kCheapJustBashMs)) {
          who.push_back(kJustBash);
        }
        ProcResult mine, gnu, theirs;
        ShuffleRound(&who, o_.seed, ++rounds_);
        for (size_t k = 0; k < who.size(); ++k) {
          switch (who[k]) {
            case kMemhook:
              RunMemhook(ctx, t, ctx.db, first, &tr, &tr.total, &tr.hook, &tr.replay, &mine);
              Settle();
              break;
            case kGnuTmpfs: {
              const ProcResult r = RunShell(ctx.env.gnu_tmpfs, ctx.tmpfs_home, t.command, first);
              Record(r, &tr.gnu_tmpfs);
              if (first) gnu = r;
              break;
            }
            case kGnuDisk:
              Record(RunShell(ctx.env.gnu_disk, ctx.disk_home, t.command, false), &tr.gnu_disk);
              break;
            case kJustBash: {
              const ProcResult r = RunJustBash(ctx, t, first);
              Record(r, &tr.jb);
              if (first) theirs = r;
              break;
            }
            case kFloor: {
              ExecSpec spec = BenchSpec();
              spec.argv = {o_.floor};
              spec.env = &ctx.env.memhook;
              spec.cwd = ctx.memhook_home;
              spec.stdin_data = HookJson(t.command, ctx.memhook_home);
              Record(RunProcess(spec), &result->floor);
              break;
            }
            case kBashTrue:
              Record(RunShell(ctx.env.plain, ctx.memhook_home, "true", false), &result->bash_true);
              break;
            case kNoop: {
              ExecSpec spec = BenchSpec();
              spec.argv = {o_.memhook};
              spec.env = &ctx.env.memhook;
              spec.cwd = ctx.memhook_home;
              Record(RunProcess(spec), &result->memhook_noop);
              break;
            }
            case kNoopC: {
              ExecSpec spec = BenchSpec();
              spec.argv = {o_.memhook};
              spec.env = &ctx.env.c_locale;
              spec.cwd = ctx.memhook_home;
              Record(RunProcess(spec), &result->memhook_noop_c);
              break;
            }
            case kCat: {
              ExecSpec spec = BenchSpec();
              spec.argv = {"cat", "/dev/null"};
              spec.env = &ctx.env.plain;
              spec.cwd = ctx.memhook_home;
              Record(RunProcess(spec), &result->gnu_cat);
              break;
            }
            case kCapture:
              RunCapture(ctx, &result->capture);
              Settle();
              break;
            case kServedNoop: {
              std::vector<std::string> env = ctx.env.memhook;
              env.push_back("MEMHOOK_DB=" + ctx.db);
              ExecSpec spec = BenchSpec();
              spec.argv = {o_.front.empty() ? o_.memhook : o_.front, "hook"};
              spec.env = &env;
              spec.cwd = ctx.memhook_home;
              spec.stdin_data = HookJson("true ~/.memhook/memory", ctx.memhook_home);
              Record(RunProcess(spec), &result->served_noop);
              Settle();
              break;
            }
          }
        }
        if (!first) continue;
        tr.out_bytes = gnu.out_bytes;
        tr.out_lines = CountLines(gnu.out);
        tr.gnu_status = gnu.status;
        if (Answered(tr.route) || tr.route == "pass") {
          tr.agree = Agreement(mine, ctx.memhook_home + "/" + kMountRel, gnu, ctx.tmpfs_mount);
        }
        if (!theirs.spawn_error.empty() || theirs.timed_out) {
          tr.jb_agree = "—";
        } else if (jb && t.kind != Kind::kPass) {
          tr.jb_agree = Agreement(theirs, kJustBashMount, gnu, ctx.tmpfs_mount);
        }
      }
    }
  }
  if (!PrepareWrites(&ctx, result)) return false;
  RunWrites(ctx, result);
  // Peak RSS of the hook, warm, from a small parent (the largest of two runs).
  if (!o_.rss.empty()) {
    std::vector<std::string> env = ctx.env.memhook;
    env.push_back("MEMHOOK_DB=" + ctx.db);
    for (size_t i = 0; i < commands.size(); ++i) {
      for (int k = 0; k < 2; ++k) {
        ExecSpec spec = BenchSpec();
        spec.argv = {o_.rss, o_.memhook, "hook"};
        spec.env = &env;
        spec.cwd = ctx.memhook_home;
        spec.stdin_data = HookJson(commands[i].command, ctx.memhook_home);
        const ProcResult r = RunProcess(spec);
        result->types[i].maxrss_kb = std::max(result->types[i].maxrss_kb, ParseRss(r.err));
      }
    }
  }
  if (!o_.keep) {
    fs::remove_all(ctx.disk_dir, ec);
    fs::remove_all(ctx.tmpfs_dir, ec);
  }
  return true;
}

// ---------------------------------------------------------------------------
// The write types.

bool ReadAt(int fd, char* buf, size_t len, size_t off) {
  while (len > 0) {
    const ssize_t n = ::pread(fd, buf, len, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf += n;
    off += static_cast<size_t>(n);
    len -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteAt(int fd, const char* buf, size_t len, size_t off) {
  while (len > 0) {
    const ssize_t n = ::pwrite(fd, buf, len, static_cast<off_t>(off));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    buf += n;
    off += static_cast<size_t>(n);
    len -= static_cast<size_t>(n);
  }
  return true;
}

// Makes `to` byte-identical to `from` by writing only the 4 KiB pages that
// differ (and truncating or extending it), then fdatasync's it if anything
// was written. Both files stay in the page cache, so this costs reading
// both, not copying one, and leaves no dirty page behind.
bool SyncBytes(const std::string& from, const std::string& to) {
  Fd src(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  Fd dst(::open(to.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  struct stat a {};
  struct stat b {};
  if (src.get() < 0 || dst.get() < 0 || ::fstat(src.get(), &a) != 0 ||
      ::fstat(dst.get(), &b) != 0) {
    return false;
  }
  const size_t n = static_cast<size_t>(a.st_size);
  const size_t m = static_cast<size_t>(b.st_size);
  constexpr size_t kChunk = 1u << 20;
  constexpr size_t kPage = 4096;
  std::vector<char> x(kChunk), y(kChunk);
  bool wrote = m != n;
  for (size_t off = 0; off < n; off += kChunk) {
    const size_t len = std::min(kChunk, n - off);
    const size_t have = off < m ? std::min(len, m - off) : 0;
    if (!ReadAt(src.get(), x.data(), len, off)) return false;
    if (have > 0 && !ReadAt(dst.get(), y.data(), have, off)) return false;
    for (size_t p = 0; p < len; p += kPage) {
      const size_t q = std::min(kPage, len - p);
      if (p + q <= have && std::memcmp(x.data() + p, y.data() + p, q) == 0) continue;
      if (!WriteAt(dst.get(), x.data() + p, q, off + p)) return false;
      wrote = true;
    }
  }
  if (m > n && ::ftruncate(dst.get(), static_cast<off_t>(n)) != 0) return false;
  return !wrote || ::fdatasync(dst.get()) == 0;
}

bool SyncFile(const std::string& path) {
  Fd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  return fd.get() >= 0 && ::fsync(fd.get()) == 0;
}

// Replaces the file's content and writes it back at once (untimed), so that
// no dirty page of ours is written back during a later, timed run. (Not
// syncfs: the disk is shared with other builds.)
bool WriteSynced(const std::string& path, const std::string& bytes) {
  Fd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  return fd.get() >= 0 && WriteAt(fd.get(), bytes.data(), bytes.size(), 0) &&
         ::fdatasync(fd.get()) == 0;
}

// A write's result, compared between contenders: its stdout, the stdout of
// the type's check after it, and its exit status.
ProcResult Outcome(const std::string& out, const std::string& check, int status) {
  ProcResult r;
  r.out = out + check + Fmt("status %d\n", status);
  r.status = 0;
  return r;
}

// Puts back, in the tree at `mount`, what a write type changed there: its
// files as they are in the write base, and its rename.
void RestoreTree(const SizeContext& ctx, const CommandType& t, const std::string& mount) {
  std::error_code ec;
  for (const std::string& f : t.files) {
    const std::optional<std::string>& bytes = ctx.pristine.at(f);
    const std::string path = mount + "/" + f;
    if (!bytes) {
      fs::remove_all(path, ec);
      continue;
    }
    if (!WriteSynced(path, *bytes)) {
      throw std::runtime_error("cannot restore " + path + ": " + std::strerror(errno));
    }
  }
  if (!t.moved_from.empty() && fs::exists(mount + "/" + t.moved_to) &&
      !fs::exists(mount + "/" + t.moved_from)) {
    fs::rename(mount + "/" + t.moved_to, mount + "/" + t.moved_from);
  }
}

// Makes the write DB the write base again (untimed; timed into tr->restore).
bool Bench::RestoreDb(const SizeContext& ctx, TypeResult* tr) const {
  const auto t0 = Clock::now();
  std::error_code ec;
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(ctx.write_db + suffix, ec);
  if (!SyncBytes(ctx.write_base, ctx.write_db)) {
    throw std::runtime_error("cannot restore " + ctx.write_db + " from " + ctx.write_base + ": " +
                             std::strerror(errno));
  }
  if (tr != nullptr) {
    tr->restore.ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
  }
  return true;
}

// `memhook run` without the hook or bash, on the write DB: the write base's
// own preparation and the checks.
ProcResult Bench::RunMemhookDirect(const SizeContext& ctx, const std::string& command) {
  std::vector<std::string> env = ctx.env.memhook;
  env.push_back("MEMHOOK_DB=" + ctx.write_db);
  ExecSpec spec = BenchSpec();
  spec.argv = {o_.memhook,  "run",      "--cwd", ctx.memhook_home,
               "--session", kSessionId, "-c",    command};
  spec.env = &env;
  spec.cwd = ctx.memhook_home;
  spec.max_out = kMaxKeptOutput;
  return RunProcess(spec);
}

// The write base: the DB and both exports given a directory of kBulkFiles
// notes (for `mv`), and just-bash's own export of it.
bool Bench::PrepareWrites(SizeContext* ctx, SizeResult* result) {
  const auto t0 = Clock::now();
  std::fprintf(stderr, "[%s files] preparing the writes...\n", Files(result->files).c_str());
  ctx->write_db = (ctx->disk_dir / "write.db").string();
  ctx->write_base = (ctx->disk_dir / "write-base.db").string();
  std::error_code ec;
  if (!CopyDb(ctx->db, ctx->write_db)) {
    std::fprintf(stderr, "memhook_bench: cannot copy %s\n", ctx->db.c_str());
    return false;
  }
  const fs::path stage = ctx->tmpfs_dir / "inbox";
  fs::create_directories(stage, ec);
  for (int i = 1; i <= kBulkFiles; ++i) {
    std::ofstream(stage / Fmt("%04d.md", i), std::ios::binary)
        << Fmt("# Inbox item %d\n\n- captured during a session, to be filed under notes/.\n", i);
  }
  const ProcResult r = RunMemhookDirect(
      *ctx, "cp -r " + ShellQuote(stage.string()) + " ~/" + kMountRel + "/" + kBulkDir);
  if (!r.spawn_error.empty() || r.timed_out || r.status != 0) {
    std::fprintf(stderr, "memhook_bench: memhook run cp -r failed (status %d): %s%s\n", r.status,
                 r.spawn_error.c_str(), r.err.c_str());
    return false;
  }
  for (const std::string& mount : {ctx->tmpfs_mount, ctx->disk_mount}) {
    fs::copy(stage, mount + "/" + kBulkDir, fs::copy_options::recursive, ec);
    if (ec) {
      std::fprintf(stderr, "memhook_bench: cannot copy %s: %s\n", stage.c_str(),
                   ec.message().c_str());
      return false;
    }
  }
  fs::remove_all(stage, ec);
  // memhook run's connection checkpointed the WAL when it closed.
  if (fs::exists(ctx->write_db + "-wal") && fs::file_size(ctx->write_db + "-wal", ec) > 0) {
    std::fprintf(stderr, "memhook_bench: %s-wal is not empty after memhook run\n",
                 ctx->write_db.c_str());
    return false;
  }
  for (const char* suffix : {"-wal", "-shm"}) fs::remove(ctx->write_db + suffix, ec);
  if (!CopyDb(ctx->write_db, ctx->write_base) || !SyncFile(ctx->write_db) ||
      !SyncFile(ctx->write_base)) {
    std::fprintf(stderr, "memhook_bench: cannot make the write base %s\n", ctx->write_base.c_str());
    return false;
  }
  result->write_db_bytes = fs::file_size(ctx->write_base, ec);
  if (!o_.just_bash.empty()) {
    // Its writes stay in memory; only `log appends` changes this tree (see
    // RunSeries).
    fs::create_directories(ctx->tmpfs_dir / "jb", ec);
    ctx->jb_mount = (ctx->tmpfs_dir / "jb" / "memory").string();
    std::vector<std::string> env = ctx->env.memhook;
    env.push_back("MEMHOOK_DB=" + ctx->write_db);
    ExecSpec spec = BenchSpec();
    spec.argv = {o_.memhook, "export", ctx->jb_mount};
    spec.env = &env;
    spec.cwd = ctx->disk_dir.string();
    spec.timeout_ms = 1800'000;
    const ProcResult e = RunProcess(spec);
    if (!e.spawn_error.empty() || e.timed_out || e.status != 0) {
      std::fprintf(stderr, "memhook_bench: memhook export failed (status %d): %s%s\n", e.status,
                   e.spawn_error.c_str(), e.err.c_str());
      return false;
    }
  }
  for (const CommandType& c : result->commands) {
    for (const std::string& f : c.files) {
      const fs::path path = fs::path(ctx->tmpfs_mount) / f;
      ctx->pristine[f] = fs::exists(path) ? std::optional<std::string>(Slurp(path)) : std::nullopt;
    }
  }
  RestoreDb(*ctx, nullptr);
  ::sync();  // once: the fresh exports and copies
  result->write_setup_s = std::chrono::duration<double>(Clock::now() - t0).count();
  return true;
}

void Bench::RunWrites(const SizeContext& ctx, SizeResult* result) {
  const std::vector<CommandType>& commands = result->commands;
  const bool jb = !o_.just_bash.empty();
  const std::string memhook_mount = ctx.memhook_home + "/" + kMountRel;
  const int series_runs = std::min(o_.append_runs, o_.runs);
  enum Who { kMemhook, kGnuTmpfs, kGnuDisk, kJustBash };
  for (int it = 0; it < o_.runs; ++it) {
    std::fprintf(stderr, "[%s files] writes, iteration %d/%d\n", Files(result->files).c_str(),
                 it + 1, o_.runs);
    for (size_t i = 0; i < commands.size(); ++i) {
      const CommandType& t = commands[i];
      TypeResult& tr = result->types[i];
      if (t.kind == Kind::kAppends && it < series_runs) RunSeries(ctx, t, jb && it == 0, &tr);
      if (t.kind != Kind::kWrite) continue;
      if (it == 0) {
        // Cold: the first write on the write base dropped from the page cache.
        if (Evict(ctx.write_db)) {
          tr.cold_residency = Residency(ctx.write_db);
          Samples total, hook;
          RunMemhook(ctx, t, ctx.write_db, false, &tr, &total, &hook, nullptr, nullptr);
          Settle();
          if (!total.empty()) tr.cold_total = total.ms[0];
          if (!hook.empty()) tr.cold_hook = hook.ms[0];
        }
        RestoreDb(ctx, nullptr);
      }
      if (it == 1 && !tr.gnu_tmpfs.empty() && !tr.gnu_disk.empty() &&
          (tr.na || (!tr.total.empty() && !tr.restore.empty()))) {
        double round = tr.gnu_tmpfs.ms[0] + tr.gnu_disk.ms[0];
        if (!tr.na) round += tr.total.ms[0] + tr.restore.ms[0];
        tr.reps = std::clamp(static_cast<int>(kWriteRepBudgetMs / round), 1, o_.max_reps);
      }
      const int reps = it == 0 ? 1 : tr.reps;
      for (int rep = 0; rep < reps; ++rep) {
        const bool first = it == 0 && rep == 0;
        std::vector<Who> who = {kGnuTmpfs, kGnuDisk};
        if (!tr.na) who.insert(who.begin(), kMemhook);
        if (jb && rep == 0 && (it < o_.jb_runs || tr.jb.Median() < kCheapJustBashMs)) {
          who.push_back(kJustBash);
        }
        ProcResult mine, gnu;
        std::string mine_check, gnu_check;
        ShuffleRound(&who, o_.seed, ++rounds_);
        for (size_t k = 0; k < who.size(); ++k) {
          switch (who[k]) {
            case kMemhook:
              RunMemhook(ctx, t, ctx.write_db, first, &tr, &tr.total, &tr.hook, &tr.replay, &mine);
              Settle();
              if (first) mine_check = RunMemhookDirect(ctx, t.check).out;
              RestoreDb(ctx, &tr);
              break;
            case kGnuTmpfs: {
              const ProcResult r = RunShell(ctx.env.gnu_tmpfs, ctx.tmpfs_home, t.command, first);
              Record(r, &tr.gnu_tmpfs);
              if (first) {
                gnu = r;
                gnu_check = RunShell(ctx.env.gnu_tmpfs, ctx.tmpfs_home, t.check, true).out;
              }
              RestoreTree(ctx, t, ctx.tmpfs_mount);
              break;
            }
            case kGnuDisk:
              Record(RunShell(ctx.env.gnu_disk, ctx.disk_home, t.command, false), &tr.gnu_disk);
              RestoreTree(ctx, t, ctx.disk_mount);
              break;
            case kJustBash:
              Record(RunJustBash(ctx, ctx.jb_mount, t.command, true, false), &tr.jb);
              break;
          }
        }
        if (!first) continue;
        tr.out_bytes = gnu.out_bytes;
        tr.out_lines = CountLines(gnu.out);
        tr.gnu_status = gnu.status;
        const ProcResult theirs_ref = Outcome(gnu.out, gnu_check, gnu.status);
        if (tr.route == "error" || mine.status != gnu.status) {
          // memhook cannot make this write yet: no time for it.
          tr.na = true;
          tr.na_problem = tr.route == "error" ? tr.total.problem : FirstLine(mine.err);
          tr.total = tr.hook = tr.replay = tr.restore = Samples{};
          tr.cold_total = tr.cold_hook = NAN;
        } else {
          tr.agree = Agreement(Outcome(mine.out, mine_check, mine.status), memhook_mount,
                               theirs_ref, ctx.tmpfs_mount);
        }
        if (jb) {
          // Its writes vanish with the process: the check runs in the same one.
          const ProcResult theirs =
              RunJustBash(ctx, ctx.jb_mount,
                          t.command + "\ns=$?\n" + t.check + "\necho \"status $s\"", true, true);
          if (theirs.spawn_error.empty() && !theirs.timed_out) {
            ProcResult r;
            r.out = theirs.out;
            r.status = 0;
            tr.jb_agree = Agreement(r, kJustBashMount, theirs_ref, ctx.tmpfs_mount);
          }
        }
      }
    }
  }
  // Peak RSS of `memhook run` per write, warm, from a small parent (the
  // larger of two runs, each on the write base).
  if (!o_.rss.empty()) {
    std::vector<std::string> env = ctx.env.memhook;
    env.push_back("MEMHOOK_DB=" + ctx.write_db);
    for (size_t i = 0; i < commands.size(); ++i) {
      if (commands[i].kind != Kind::kWrite || result->types[i].na) continue;
      for (int k = 0; k < 2; ++k) {
        ExecSpec spec = BenchSpec();
        spec.argv = {
            o_.rss, o_.memhook,         "run", "--cwd", ctx.memhook_home, "--session", kSessionId,
            "-c",   commands[i].command};
        spec.env = &env;
        spec.cwd = ctx.memhook_home;
        const ProcResult r = RunProcess(spec);
        result->types[i].run_maxrss_kb = std::max(result->types[i].run_maxrss_kb, ParseRss(r.err));
        RestoreDb(ctx, nullptr);
      }
    }
  }
}

// One series of --appends appends to a new session log, each timed as the
// agent pays it, without restoring in between: the first and last windows
// are kept. just-bash (with_jb) runs in the windows only; since its writes
// stay in its memory, the bench appends the same line to its tree after
// each append, so that every contender's k-th append meets a log of k-1
// lines. Starts and ends with everything as in the write base.
void Bench::RunSeries(const SizeContext& ctx, const CommandType& t, bool with_jb, TypeResult* tr) {
  enum Who { kMemhook, kGnuTmpfs, kGnuDisk, kJustBash };
  auto restore = [&] {
    RestoreDb(ctx, nullptr);
    RestoreTree(ctx, t, ctx.tmpfs_mount);
    RestoreTree(ctx, t, ctx.disk_mount);
    if (!ctx.jb_mount.empty()) RestoreTree(ctx, t, ctx.jb_mount);
  };
  restore();
  const std::string& log = t.files.front();
  const int n = o_.appends;
  const int window = std::min(kAppendWindow, n / 2);
  tr->window = window;
  Samples middle[6];
  for (int k = 1; k <= n; ++k) {
    CommandType a = t;
    a.command = AppendCommand(log, k);
    const bool head = k <= window;
    const bool tail = k > n - window;
    Samples* total = head ? &tr->first_total : tail ? &tr->total : &middle[0];
    Samples* hook = head ? &tr->first_hook : tail ? &tr->hook : &middle[1];
    Samples* replay = head ? &tr->first_replay : tail ? &tr->replay : &middle[2];
    Samples* gnu_tmpfs = head ? &tr->first_gnu_tmpfs : tail ? &tr->gnu_tmpfs : &middle[3];
    Samples* gnu_disk = head ? &tr->first_gnu_disk : tail ? &tr->gnu_disk : &middle[4];
    Samples* jb = head ? &tr->first_jb : &tr->jb;
    std::vector<Who> who = {kMemhook, kGnuTmpfs, kGnuDisk};
    if (with_jb && (head || tail)) who.push_back(kJustBash);
    const size_t shift = static_cast<size_t>(k) % who.size();
    for (size_t i = 0; i < who.size(); ++i) {
      switch (who[(i + shift) % who.size()]) {
        case kMemhook: {
          ProcResult mine;
          RunMemhook(ctx, a, ctx.write_db, false, tr, total, hook, replay, &mine);
          if (mine.spawn_error.empty() && mine.status > 0) {
            ++total->failures;
            total->problem = FirstLine(mine.err);
          }
          break;
        }
        case kGnuTmpfs: {
          const ProcResult r = RunShell(ctx.env.gnu_tmpfs, ctx.tmpfs_home, a.command, false);
          Record(r, gnu_tmpfs);
          if (k == 1) tr->gnu_status = r.status;
          break;
        }
        case kGnuDisk:
          Record(RunShell(ctx.env.gnu_disk, ctx.disk_home, a.command, false), gnu_disk);
          break;
        case kJustBash:
          Record(RunJustBash(ctx, ctx.jb_mount, a.command, true, false), jb);
          break;
      }
    }
    if (with_jb) {
      std::ofstream(ctx.jb_mount + "/" + log, std::ios::binary | std::ios::app)
          << LogLine(k) << "\n";
    }
  }
  std::error_code ec;
  tr->series_bytes = fs::file_size(ctx.tmpfs_mount + "/" + log, ec);
  if (tr->series++ == 0) {
    const ProcResult mine = RunMemhookDirect(ctx, t.check);
    const ProcResult gnu = RunShell(ctx.env.gnu_tmpfs, ctx.tmpfs_home, t.check, true);
    const ProcResult ref = Outcome("", gnu.out, gnu.status);
    tr->agree = Agreement(Outcome("", mine.out, mine.status), ctx.memhook_home + "/" + kMountRel,
                          ref, ctx.tmpfs_mount);
    if (with_jb) {
      // One more append and the check, in one just-bash process, on its
      // tree (the log of n lines), against GNU's on its own.
      const std::string more = AppendCommand(log, n + 1);
      const ProcResult gnu_more = RunShell(ctx.env.gnu_tmpfs, ctx.tmpfs_home, more, true);
      const ProcResult gnu_check = RunShell(ctx.env.gnu_tmpfs, ctx.tmpfs_home, t.check, true);
      const ProcResult theirs = RunJustBash(
          ctx, ctx.jb_mount, more + "\ns=$?\n" + t.check + "\necho \"status $s\"", true, true);
      if (theirs.spawn_error.empty() && !theirs.timed_out) {
        ProcResult r;
        r.out = theirs.out;
        r.status = 0;
        tr->jb_agree =
            Agreement(r, kJustBashMount, Outcome(gnu_more.out, gnu_check.out, gnu_more.status),
                      ctx.tmpfs_mount);
      }
    }
  }
  restore();
}

std::string Bench::Tool(std::vector<std::string> argv) const {
  ExecSpec spec = BenchSpec();
  spec.argv = std::move(argv);
  spec.env = &base_env_;
  spec.max_out = kMaxKeptOutput;
  spec.timeout_ms = 30'000;
  const ProcResult r = RunProcess(spec);
  if (!r.spawn_error.empty() || r.timed_out) return "unavailable";
  return FirstLine(r.out.empty() ? r.err : r.out);
}

// The npm package's version (the CLI's --version prints its own number).
std::string JustBashVersion(const std::string& bin) {
  std::error_code ec;
  const fs::path js = fs::canonical(bin, ec);
  std::ifstream in(js.parent_path().parent_path().parent_path() / "package.json");
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  if (j.is_discarded()) return "unknown version";
  return "npm " + j.value("name", std::string("?")) + "@" + j.value("version", std::string("?"));
}

std::string ReadFirstLine(const char* path) {
  std::ifstream in(path);
  std::string line;
  std::getline(in, line);
  return line;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) return line.substr(line.find(':') + 2);
  }
  return "unknown";
}

int Bench::Main() {
  ::signal(SIGPIPE, SIG_IGN);
  const char* path = std::getenv("PATH");
  base_env_ = {std::string("PATH=") + (path ? path : "/usr/local/bin:/usr/bin:/bin"),
               "LC_ALL=C.UTF-8", "TZ=UTC"};
  for (const char* keep : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* v = std::getenv(keep)) base_env_.push_back(std::string(keep) + "=" + v);
  }
  std::error_code ec;
  o_.memhook = fs::absolute(o_.memhook, ec).string();
  o_.floor = fs::absolute(o_.floor, ec).string();
  if (!o_.front.empty()) o_.front = fs::absolute(o_.front, ec).string();
  if (!o_.rss.empty()) o_.rss = fs::absolute(o_.rss, ec).string();
  o_.out = fs::absolute(o_.out, ec).string();
  if (!o_.plot.empty()) o_.plot = fs::absolute(o_.plot, ec).string();
  if (!o_.just_bash.empty()) o_.just_bash = fs::absolute(o_.just_bash, ec).string();
  if (o_.scratch.empty()) {
    const char* tmp = std::getenv("TMPDIR");
    o_.scratch = std::string(tmp && *tmp ? tmp : "/tmp") + "/memhook-bench";
  }
  o_.scratch += "/" + std::to_string(::getpid());
  o_.tmpfs += "/memhook-bench-" + std::to_string(::getpid());
  fs::create_directories(o_.scratch, ec);
  fs::create_directories(o_.tmpfs, ec);
  const std::time_t now = std::time(nullptr);
  char stamp[64];
  std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  started_ = stamp;
  utsname uts{};
  if (::uname(&uts) == 0) kernel_ = std::string(uts.sysname) + " " + uts.release;
  memhook_size_ = fs::file_size(o_.memhook, ec);
  {
    ExecSpec spec = BenchSpec();
    spec.argv = {"ldd", o_.memhook};
    spec.env = &base_env_;
    spec.max_out = kMaxKeptOutput;
    memhook_libs_ = static_cast<int>(CountLines(RunProcess(spec).out));
  }
  if (!o_.front.empty()) {
    front_size_ = fs::file_size(o_.front, ec);
    ExecSpec spec = BenchSpec();
    spec.argv = {"ldd", o_.front};
    spec.env = &base_env_;
    spec.max_out = kMaxKeptOutput;
    const ProcResult r = RunProcess(spec);
    front_libs_ = r.status == 0 ? static_cast<int>(CountLines(r.out)) : 0;
  }
  load_start_ = ReadFirstLine("/proc/loadavg");
  const auto t0 = Clock::now();
  bool ok = true;
  for (uint64_t n : o_.sizes) {
    results_.emplace_back();
    if (!RunSize(n, &results_.back())) {
      results_.pop_back();
      ok = false;
      break;
    }
  }
  total_s_ = std::chrono::duration<double>(Clock::now() - t0).count();
  load_end_ = ReadFirstLine("/proc/loadavg");
  if (ok) {
    std::ofstream out(o_.out, std::ios::trunc);
    out << Report();
    out.close();
    if (!out) {
      std::fprintf(stderr, "memhook_bench: cannot write %s\n", o_.out.c_str());
      ok = false;
    } else {
      std::fprintf(stderr, "wrote %s\n", o_.out.c_str());
      if (!o_.plot.empty()) WritePlot();
    }
  }
  if (!o_.keep) {
    fs::remove_all(o_.scratch, ec);
    fs::remove_all(o_.tmpfs, ec);
  }
  return ok ? 0 : 1;
}

// ---------------------------------------------------------------------------
// The report.

std::string RouteText(const TypeResult& t) {
  if (t.route == "fast") return t.spooled ? "fast (replay)" : "fast (inline)";
  if (t.route == "shell") return t.spooled ? "shell (replay)" : "shell (inline)";
  if (t.route == "next") return "next tier (126)";
  if (t.route == "run") return "memhook run";
  if (t.route == "pass") return "pass-through";
  return t.route;
}

// Pipelines wait for the next tier: memhook has no answer to time.
bool NotBuilt(const CommandType& c, const TypeResult& t) {
  return c.kind == Kind::kPipeline && t.route == "next";
}

const TypeResult* Find(const SizeResult& s, const std::string& name) {
  for (size_t i = 0; i < s.commands.size(); ++i) {
    if (s.commands[i].name == name) return &s.types[i];
  }
  return nullptr;
}

std::string Bench::Targets() const {
  const SizeResult& big = results_.back();
  const std::string at = Files(big.files) + " files";
  const bool full = big.files >= 100000;
  std::ostringstream md, why;
  md << "## Targets\n\n";
  if (!full) {
    md << "The largest tree of this run has " << at
       << "; the targets are stated for 100k files, so the verdicts below are indicative only.\n\n";
  }
  md << "| target | measured | verdict |\n| --- | --- | --- |\n";
  auto verdict = [](bool met) { return met ? "**met**" : "**missed**"; };
  const double floor_ms = big.floor.Median();
  const double bash_ms = big.bash_true.Median();
  const double noop_ms = big.memhook_noop.Median();
  const TypeResult* pass = Find(big, "pass-through");
  const double pass_hook = pass ? pass->hook.Median() : NAN;

  // 1. Pass-through against the process floor.
  {
    const double r = pass_hook / floor_ms;
    std::string per_size;
    for (const SizeResult& s : results_) {
      const TypeResult* p = Find(s, "pass-through");
      if (!per_size.empty()) per_size += ", ";
      per_size += Files(s.files) + ": " + Ratio(p->hook.Median() / s.floor.Median());
    }
    md << "| pass-through hook ≤ 1.1× the process floor | hook " << Ms(pass_hook) << " ms ÷ floor "
       << Ms(floor_ms) << " ms = **" << Ratio(r) << "** at " << at << " (" << per_size
       << "; median of per-round ratios at " << at << ": "
       << Ratio(PairedRatio(pass->hook, big.floor)) << ") | " << verdict(r <= 1.1) << " |\n";
    if (!(r <= 1.1) && !o_.front.empty()) {
      why << "- **Pass-through " << Ratio(r) << " the floor.** The hook is `memhook-front`, a "
          << (front_libs_ <= 1 ? "static " : "") << "C program of "
          << Fmt("%.0f", front_size_ / 1e3)
          << " KB (no C++ runtime, no locale, no store, no parser): on a command that cannot "
          << "name the mount it reads the JSON, scans the command's text and exits without "
          << "output, the floor program's work plus a scan. Their fastest runs at " << at
          << ": front " << Ms(pass->hook.Min()) << " ms, floor " << Ms(big.floor.Min()) << " ms ("
          << Ratio(pass->hook.Min() / big.floor.Min()) << "); their spreads (min–max) are "
          << Ms(pass->hook.Min()) << "–" << Ms(pass->hook.Max()) << " and " << Ms(big.floor.Min())
          << "–" << Ms(big.floor.Max())
          << " ms on this shared machine: the gap between the medians is within their "
          << "spread, and it is not work the front could drop (it has none left: it is the "
          << "floor's read of the request plus a scan of its text).\n";
    } else if (!(r <= 1.1)) {
      const double noop_c = big.memhook_noop_c.Median();
      const double cat_ms = big.gnu_cat.Median();
      why << "- **Pass-through " << Ratio(r) << " the floor.** `memhook` with no arguments "
          << "(start-up only: no JSON, no parse) takes " << Ms(noop_ms)
          << " ms = " << Ratio(noop_ms / floor_ms) << " the " << Ms(floor_ms)
          << " ms floor; with `LC_ALL=C` "
          << "(no locale files for `setlocale` to load) " << Ms(noop_c)
          << " ms, so loading C.UTF-8 costs ≈ " << Ms(noop_ms - noop_c) << " ms and the rest ≈ "
          << Ms(noop_c - floor_ms) << " ms is mapping and relocating a " << Mb(memhook_size_)
          << " MB binary (" << memhook_libs_ << " shared objects per `ldd`) and its static "
          << "initialisers. For scale, GNU `cat /dev/null` takes " << Ms(cat_ms)
          << " ms = " << Ratio(cat_ms / floor_ms)
          << " the floor. What would close it: the installed "
          << "`memhook-front`, which decides pass-through without starting memhook.\n";
    }
  }
  // 1b. Capture on every tool call: a few ms at most.
  {
    const double ms = big.capture.Median();
    md << "| capture hook (PostToolUse, one new line) ≤ " << Ms(kCaptureTargetMs) << " ms | "
       << Ms(ms) << " ms (floor " << Ms(floor_ms) << " ms) at " << at << " | "
       << verdict(ms <= kCaptureTargetMs) << " |\n";
    if (!(ms <= kCaptureTargetMs)) {
      why << "- **Capture " << Ms(ms) << " ms.** The hook starts the full memhook (≈ "
          << Ms(noop_ms) << " ms bare), opens the store read-write and commits one change.\n";
    }
  }
  // 2. cat/head/ls as the agent pays them within 1.6× GNU on tmpfs.
  const double served_ms = big.served_noop.Median();
  for (const char* name : {"cat", "head", "ls"}) {
    const TypeResult* t = Find(big, name);
    const double r = t->total.Median() / t->gnu_tmpfs.Median();
    const bool answered = Answered(t->route);
    md << "| `" << name << "` ≤ " << Ratio(kAgentTarget) << " GNU on tmpfs at 100k | memhook "
       << Ms(t->total.Median()) << " ms ÷ GNU " << Ms(t->gnu_tmpfs.Median()) << " ms = **"
       << Ratio(r) << "** at " << at
       << " (per round, median: " << Ratio(PairedRatio(t->total, t->gnu_tmpfs)) << ")"
       << (answered ? "" : " (" + RouteText(*t) + ")") << " | "
       << verdict(answered && r <= kAgentTarget) << " |\n";
    if (!(answered && r <= kAgentTarget)) {
      const double hook = t->hook.Median(), replay = t->replay.Median();
      const double gnu = t->gnu_tmpfs.Median();
      const double budget = kAgentTarget * gnu - replay;
      why << "- **`" << name << "` " << Ratio(r) << " GNU.** memhook pays two processes: the hook "
          << Ms(hook) << " ms, then bash replaying the answer, " << Ms(replay) << " ms ("
          << (t->spooled ? "spooled: a bash and the small `memhook-replay`" : "inline printf")
          << "); GNU pays one bash and one `" << name << "`: " << Ms(gnu) << " ms. ";
      if (!o_.front.empty() && !big.served_noop.empty()) {
        why << "Of the hook, a command whose answer costs nothing (`true ~/.memhook/memory`: "
            << "the front, the hand-over to the hook server, JSON, parse and rewrite) takes "
            << Ms(served_ms) << " ms, so the store and `" << name << "` take ≈ "
            << Ms(hook - served_ms) << " ms. ";
      }
      why << "The two starts alone (the floor program + `bash -c true`) cost "
          << Ms(floor_ms + bash_ms) << " ms = " << Ratio((floor_ms + bash_ms) / gnu)
          << " GNU. With this replay, " << Ratio(kAgentTarget) << " GNU leaves the hook "
          << (budget > 0 ? Ms(budget) + " ms" : std::string("no time at all")) << ".\n";
    }
  }
  // 3. Rare-word grep at least 10× faster than GNU.
  {
    const TypeResult* t = Find(big, "grep rare");
    const double r = t->gnu_tmpfs.Median() / t->total.Median();
    const bool answered = Answered(t->route);
    md << "| rare-word `grep -rw` ≥ 10× faster than GNU at 100k | GNU tmpfs "
       << Ms(t->gnu_tmpfs.Median()) << " ms ÷ memhook " << Ms(t->total.Median()) << " ms = **"
       << Ratio(r) << "** at " << at << "; GNU disk (page cache) ÷ memhook "
       << Ratio(t->gnu_disk.Median() / t->total.Median())
       << (answered ? "" : "; " + RouteText(*t) + ": not answered in this run") << " | "
       << verdict(answered && r >= 10) << " |\n";
    if (!answered) {
      why << "- **Rare-word grep: not answered.** In this build `grep -rw` on the mount routes to "
          << "the next tier (exit 126, a one-line `memhook:` error), so the time shown is the "
          << "cost of that refusal, not of an answer. What would close it: the fast-path grep.\n";
    } else if (!(r >= 10)) {
      const double hook = t->hook.Median();
      const double answer = hook - pass_hook;
      why << "- **Rare-word grep: GNU ÷ memhook = " << Ratio(r) << ".** The hook takes " << Ms(hook)
          << " ms, of which ≈ " << Ms(answer) << " ms answering (the rest is start-up and parse); "
          << "GNU grep reads all " << Mb(big.bytes) << " MB from tmpfs in "
          << Ms(t->gnu_tmpfs.Median()) << " ms ("
          << Fmt("%.0f", static_cast<double>(big.bytes) / 1e3 / t->gnu_tmpfs.Median())
          << " MB/s). `memhook explain` shows " << t->sql_total << " SQL statements, "
          << t->sql_content << " of them per-file content reads and " << t->sql_match
          << " full-text queries"
          << (t->sql_content > static_cast<int>(big.files / 2)
                  ? ": the hook reads every file's content, so it cannot beat a grep that reads "
                    "the same bytes from memory by 10×. What would close it: ask a content index "
                    "(e.g. SQLite FTS5 with the trigram tokenizer) for the few candidate files "
                    "first and run the regex on those only.\n"
                  : ": the content reads are already narrowed to few files, so the remaining "
                    "time is in the index query and the tree walk; what would close it is "
                    "making those proportional to the matches rather than to the tree.\n");
    }
  }
  // 4. Every type at least 50× faster than just-bash.
  if (!big.ran_jb) {
    md << "| every type ≥ 50× faster than just-bash | not measured in this run (just-bash "
          "skipped) | — |\n";
  } else {
    int met = 0, total = 0;
    std::string worst, misses, excluded;
    double worst_r = INFINITY;
    for (size_t i = 0; i < big.commands.size(); ++i) {
      const CommandType& c = big.commands[i];
      const TypeResult& t = big.types[i];
      if (c.kind == Kind::kPass) continue;
      // Writes count once memhook makes them (through `memhook run`).
      const bool run = t.route == "run" && !t.na && !t.total.empty();
      if (!Answered(t.route) && !run) {
        if (!excluded.empty()) excluded += ", ";
        excluded += "`" + c.name + "` (" +
                    (NotBuilt(c, t)               ? std::string("n/a: next tier not built")
                     : t.na && !c.na_note.empty() ? "n/a: " + c.na_note
                                                  : RouteText(t)) +
                    ")";
        continue;
      }
      ++total;
      const double jb = t.jb.empty() ? NAN : t.jb.Median();
      const double r = t.jb.empty() && t.jb.timeouts > 0 ? INFINITY : jb / t.total.Median();
      if (r >= 50) {
        ++met;
      } else {
        if (!misses.empty()) misses += ", ";
        misses += "`" + c.name + "` " + Ratio(r);
        const double need = jb / 50;
        const double m = t.total.Median();
        // The hook's own start: the front (about the floor) when installed.
        // A write pays a third start: the `memhook run` that bash runs.
        const double hook_start = o_.front.empty() ? noop_ms : floor_ms;
        const double starts = hook_start + bash_ms + (run ? noop_ms : 0);
        why << "- **`" << c.name << "`: just-bash ÷ memhook = " << Ratio(r)
            << ".** just-bash takes " << Ms(jb) << " ms, so 50× needs memhook ≤ " << Ms(need)
            << " ms; memhook takes " << Ms(m) << " ms (hook " << Ms(t.hook.Median())
            << (run ? " ms + bash running `memhook run` " : " ms + bash replaying the answer ")
            << Ms(t.replay.Median()) << " ms), of which "
            << (o_.front.empty()
                    ? (run ? "three bare process starts (`memhook` without arguments twice + "
                             "`bash -c true`) are "
                           : "two bare process starts (`memhook` without arguments + `bash -c "
                             "true`) are ")
                    : (run ? "three bare process starts (the floor program for the front, "
                             "`bash -c true` and `memhook` without arguments for the run) are "
                           : "two bare process starts (the floor program for the front + `bash "
                             "-c true`) are "))
            << Ms(starts) << " ms and parsing, " << (run ? "store and write" : "store and answer")
            << " the other " << Ms(m - starts) << " ms. "
            << (need < starts
                    ? (o_.front.empty()
                           ? std::string("The target is below the cost of those starts: only a "
                                         "faster start-up (see pass-through)") +
                                 (run ? ", or making the write in the hook (no `memhook run` "
                                        "process),"
                                      : "") +
                                 " can reach it.\n"
                           : std::string("The target is below the cost of those starts: the "
                                         "agent runs a hook process and then bash for every "
                                         "command, so no hook can reach it") +
                                 (run ? " while the write takes a `memhook run` process too" : "") +
                                 ".\n")
                    : Fmt("Closing it means cutting %s ms: ", Ms(m - need).c_str()) +
                          (m - starts > m - need
                               ? std::string("less than the parse, store and "
                                             "answer part, so a faster answer alone "
                                             "could do it.\n")
                               : std::string("more than the parse, store and answer "
                                             "part, so start-up must shrink too.\n")));
      }
      if (r < worst_r) {
        worst_r = r;
        worst = c.name;
      }
    }
    md << "| every type ≥ 50× faster than just-bash | " << met << " of " << total
       << " types memhook answers (in the hook, or through `memhook run` for the writes) at " << at
       << "; slowest ratio **" << Ratio(worst_r) << "** (`" << worst << "`)"
       << (misses.empty() ? "" : "; missed: " + misses)
       << (excluded.empty() ? "" : "; not comparable: " + excluded) << " | "
       << verdict(met == total && total > 0) << " |\n";
  }
  // The text toolbox (issue 11): each type ≤ 1.5× GNU bash on tmpfs.
  {
    std::string rows, misses;
    int met = 0, total = 0;
    for (const char* name : {"jq sessions", "sed -n", "awk sum", "tr | sort | uniq -c"}) {
      const TypeResult* t = Find(big, name);
      if (t == nullptr || t->na || t->total.empty() || t->gnu_tmpfs.empty()) continue;
      const double r = t->total.Median() / t->gnu_tmpfs.Median();
      ++total;
      if (r <= 1.5) {
        ++met;
      } else {
        misses += std::string(misses.empty() ? "" : ", ") + name;
      }
      rows += std::string(rows.empty() ? "" : ", ") + "`" + name + "` " + Ratio(r);
    }
    md << "| text toolbox (jq, sed -n, awk, tr | sort | uniq -c) ≤ 1.5× GNU bash on tmpfs | "
       << (total == 0 ? std::string("not measured") : rows) << " at " << at
       << (misses.empty() ? "" : "; missed: " + misses) << " | "
       << verdict(total > 0 && met == total) << " |\n";
  }
  // 5. Writes: an append within 2× GNU; appends to a session log flat as it grows.
  if (const TypeResult* t = Find(big, "append"); t != nullptr && !t->na && !t->total.empty()) {
    const double m = t->total.Median();
    const double g = t->gnu_tmpfs.Median();
    const double r = m / g;
    std::string per_size;
    for (const SizeResult& s : results_) {
      const TypeResult* a = Find(s, "append");
      if (!per_size.empty()) per_size += ", ";
      per_size += Files(s.files) + ": " + Ratio(a->total.Median() / a->gnu_tmpfs.Median());
    }
    md << "| append (`echo … >> note`) ≤ 2× GNU bash on tmpfs | memhook " << Ms(m) << " ms ÷ GNU "
       << Ms(g) << " ms = **" << Ratio(r) << "** at " << at << " (" << per_size << ") | "
       << verdict(r <= 2) << " |\n";
    if (!(r <= 2)) {
      const double hook_start = o_.front.empty() ? noop_ms : floor_ms;
      const double starts = hook_start + noop_ms + bash_ms;
      const double two = hook_start + bash_ms;
      why << "- **Append " << Ratio(r) << " GNU.** GNU pays one process: bash, whose `echo` and "
          << "`>>` are built in (" << Ms(g) << " ms). memhook pays three: the hook "
          << Ms(t->hook.Median()) << " ms (parse and rewrite; the pass-through hook is "
          << Ms(pass_hook) << " ms), then bash running `memhook run`, " << Ms(t->replay.Median())
          << " ms (the write, its change and history, the commit and the checkpoint on close). "
          << (o_.front.empty()
                  ? "Three bare starts (`memhook` with no arguments twice + `bash -c true`) "
                  : "Three bare starts (the floor program for the front, `memhook` with no "
                    "arguments for the run, `bash -c true`) ")
          << "already cost " << Ms(starts) << " ms = " << Ratio(starts / g)
          << " GNU, so the target cannot be met "
          << "while a write takes a second memhook process. What would close it: make the write "
          << "in the hook (the opt-in `MEMHOOK_ALLOW_MEMORY_WRITES` path already dry-runs it "
          << "there) and hand bash a `:`, leaving two starts, " << Ms(two)
          << " ms = " << Ratio(two / g) << " GNU.\n";
    }
  }
  if (const TypeResult* t = Find(big, "log appends");
      t != nullptr && !t->first_total.empty() && !t->total.empty()) {
    const double a = t->first_total.Median();
    const double b = t->total.Median();
    const double r = b / a;
    std::string per_size;
    for (const SizeResult& s : results_) {
      const TypeResult* x = Find(s, "log appends");
      if (!per_size.empty()) per_size += ", ";
      per_size += Files(s.files) + ": " + Ratio(x->total.Median() / x->first_total.Median());
    }
    md << "| per-append cost flat as a session log grows (last " << t->window << " ÷ first "
       << t->window << " of " << o_.appends << " appends ≤ 1.2×) | memhook " << Ms(b) << " ms ÷ "
       << Ms(a) << " ms = **" << Ratio(r) << "** at " << at << " (" << per_size
       << "); GNU tmpfs for scale: " << Ratio(t->gnu_tmpfs.Median() / t->first_gnu_tmpfs.Median())
       << " | " << verdict(r <= 1.2) << " |\n";
    if (!(r <= 1.2)) {
      why << "- **Appends to a session log grow " << Ratio(r) << " dearer** over " << o_.appends
          << " appends (first " << t->window << ": hook " << Ms(t->first_hook.Median())
          << " ms + run " << Ms(t->first_replay.Median()) << " ms; last " << t->window << ": hook "
          << Ms(t->hook.Median()) << " ms + run " << Ms(t->replay.Median())
          << " ms): the part that grows is where the cost proportional to the log is.\n";
    }
  }
  md << "\n";
  const std::string w = why.str();
  if (!w.empty()) md << "### Where a target is missed, and what would close it\n\n" << w << "\n";
  return md.str();
}

std::string Bench::Writes() const {
  std::ostringstream md;
  md << "## Appends to one session log\n\n"
     << "Each append is `echo '<event k>' >> ~/.memhook/memory/<month>/" << kLogName
     << "`, one agent command (for memhook: the hook, then bash running `memhook run`), k = 1 … "
     << o_.appends << " (about 200 bytes a line), on the same log without restoring in between. "
     << "Per append, median (min–max) of the first and of the last window of every series; "
        "*last ÷ first* flat (≈ 1×) means the cost does not grow with the log.\n\n"
     << "| files | memhook first | memhook last | last ÷ first | hook first → last | `memhook "
        "run` (bash) first → last | GNU tmpfs first | GNU tmpfs last | last ÷ first | GNU disk "
        "first → last | just-bash first | just-bash last | memhook ÷ GNU tmpfs (last) | "
        "just-bash ÷ memhook (last) | log after a series | series |\n"
     << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- "
        "| --- |\n";
  for (const SizeResult& s : results_) {
    const TypeResult* t = Find(s, "log appends");
    if (t == nullptr) continue;
    md << "| " << Files(s.files) << " | " << Cell(t->first_total) << " | " << Cell(t->total)
       << " | " << Ratio(t->total.Median() / t->first_total.Median()) << " | "
       << Ms(t->first_hook.Median()) << " → " << Ms(t->hook.Median()) << " | "
       << Ms(t->first_replay.Median()) << " → " << Ms(t->replay.Median()) << " | "
       << Cell(t->first_gnu_tmpfs) << " | " << Cell(t->gnu_tmpfs) << " | "
       << Ratio(t->gnu_tmpfs.Median() / t->first_gnu_tmpfs.Median()) << " | "
       << Ms(t->first_gnu_disk.Median()) << " → " << Ms(t->gnu_disk.Median()) << " | "
       << Cell(t->first_jb) << " | " << Cell(t->jb) << " | "
       << Ratio(t->total.Median() / t->gnu_tmpfs.Median()) << " | "
       << Ratio(t->jb.Median() / t->total.Median()) << " | "
       << Fmt("%.1f KB", static_cast<double>(t->series_bytes) / 1e3) << " | " << t->series << " × "
       << o_.appends << " |\n";
  }
  md << "\nWindows: the first and last " << Find(results_.back(), "log appends")->window
     << " appends of each series. The state after a series is compared with GNU's by `wc -l` "
        "and `tail -n 1` of the log (the *log appends* row of the latency tables).\n\n";

  md << "## The write base and its restores\n\n"
     << "| files | write base DB MB | preparing the write base s | DB restore after a memhook "
        "write, ms (untimed) |\n| --- | --- | --- | --- |\n";
  for (const SizeResult& s : results_) {
    Samples all;
    for (const TypeResult& t : s.types) {
      all.ms.insert(all.ms.end(), t.restore.ms.begin(), t.restore.ms.end());
    }
    md << "| " << Files(s.files) << " | " << Mb(s.write_db_bytes) << " | "
       << Fmt("%.2f", s.write_setup_s) << " | " << Cell(all) << " |\n";
  }
  md << "\nPreparing: copying the imported DB, `memhook run` copying the " << kBulkFiles
     << " notes of `" << kBulkDir << "/` in, copying them into both exports, syncing, and "
     << "just-bash's export. A restore reads the write DB and the write base (both in the page "
        "cache) and rewrites the pages that differ; it is not part of any timed run.\n\n";

  md << "## Peak RSS of `memhook run` for the writes (MB)\n\n"
     << "Measured like the hook's below (`memhook_bench_rss`), on the write base, the larger of "
        "two runs."
     << (o_.rss.empty() ? " Not measured in this run (no `--rss`)." : "") << "\n\n| type |";
  for (const SizeResult& s : results_) md << " " << Files(s.files) << " |";
  md << "\n| --- |";
  for (size_t i = 0; i < results_.size(); ++i) md << " --- |";
  md << "\n";
  for (size_t i = 0; i < results_.front().commands.size(); ++i) {
    if (results_.front().commands[i].kind != Kind::kWrite) continue;
    md << "| " << results_.front().commands[i].name << " |";
    for (const SizeResult& s : results_) {
      const long kb = s.types[i].run_maxrss_kb;
      md << " " << (kb < 0 ? std::string("—") : Fmt("%.1f", static_cast<double>(kb) / 1024))
         << " |";
    }
    md << "\n";
  }
  md << "\n";
  return md.str();
}

std::string Bench::Report() const {
  std::ostringstream md;
  md << "# memhook benchmarks\n\n"
     << "<!-- Generated by bench/run.sh (memhook_bench); do not edit by hand. -->\n\n"
     << "Regenerate with `bash bench/run.sh` (options: `--sizes 1000,10000,100000 --runs N`). "
     << "This run: sizes ";
  for (size_t i = 0; i < o_.sizes.size(); ++i) md << (i ? "," : "") << o_.sizes[i];
  md << ", " << o_.runs << " runs (" << (o_.just_bash.empty() ? 0 : std::min(o_.jb_runs, o_.runs))
     << " for just-bash; within a run, types whose round costs under " << Fmt("%.0f", kRepBudgetMs)
     << " ms repeat up to " << o_.max_reps << "×, pass-through " << o_.pass_reps << "×), seed "
     << o_.seed << "; started " << started_ << ", " << Fmt("%.1f", total_s_ / 60) << " min in all"
     << (o_.label.empty() ? "" : "; " + o_.label) << ".\n\n"
     << "Every number is the **whole-process latency the agent pays**, in milliseconds: "
     << "median (min–max) over the runs, measured from spawn to reaping.\n\n"
     << (o_.front.empty()
             ? "- **memhook**: `memhook hook`"
             : "- **memhook**: `memhook-front hook` as installed (a small C program that "
               "answers nothing itself when the command surely cannot touch the mount, and "
               "otherwise hands the request to memhook's hook server, or execs `memhook hook` "
               "when none runs; the first call of a run starts the server)")
     << " with the PreToolUse JSON on stdin, then `bash -c` on the "
        "rewritten command it returns (`printf` inline, or `memhook-replay SPOOL_FILE`); for "
        "pass-through, `bash -c` on the original command. *hook only* is the first process alone.\n"
     << "- **GNU tmpfs / GNU disk**: `bash -c CMD` with the same command text, `HOME` chosen so "
        "that `~/.memhook/memory` is a `memhook export` of the same tree on /dev/shm or on disk "
        "(the disk export is in the page cache: caches are not dropped machine-wide).\n"
     << "- **just-bash**: the npm `just-bash@3.4.2` CLI, `just-bash -c CMD --root EXPORT` on the "
        "tmpfs export (`--allow-write` for the write, whose result stays in memory). Its root is "
        "mounted at `/home/user/project`, so `~/.memhook/memory` is rewritten to that path "
        "(`~` is `/` there). Its stdout goes to a file on tmpfs, not a pipe: the CLI exits before "
        "a piped stdout drains and loses everything past the first 64 KiB. Its `--version` prints "
        "`1.0.0`; the package version is read from its package.json. It runs in the first "
        "`--jb-runs` iterations, and in every iteration where it took under "
     << Fmt("%.0f", kCheapJustBashMs) << " ms.\n"
     << "- Contenders run one of each per round (an iteration and command type, or one of its "
        "repeats), in an order shuffled for every round (seeded), so that none always follows "
        "the same one; the machine is shared (2 cores), see the load averages below. "
        "After each call through the hook server (not within the *log appends* series) the "
        "bench waits "
     << kSettleMs
     << " ms before the next contender, as an agent's next "
        "command comes seconds later: the server holds back its own work (the stats row, a "
        "capture, the next standby) until the answer has been replayed, and that work is not "
        "charged to whichever contender comes next.\n"
     << "- **cold**: the first query on a fresh copy of the DB, evicted from the page cache "
        "with `posix_fadvise(DONTNEED)` (only that file; residency checked with `mincore`). The "
        "binary and libraries stay cached. Warm runs use the imported DB.\n"
     << "- **writes** (`write` to `sed -i`): measured after the reads, as the agent pays them. "
        "memhook: `memhook hook`, which rewrites the command to `memhook run --cwd DIR --session "
        "ID -c CMD`, then `bash -c` on that (the run makes the write as one change, with "
        "history, and commits); *hook only* is the hook, *bash on the rewrite* is bash with "
        "`memhook run`. GNU: `bash -c CMD` on the exports; just-bash: its CLI with "
        "`--allow-write` on its own export, where writes stay in its memory. All start from the "
        "same *write base*: the imported tree plus `"
     << kBulkDir << "/` with " << kBulkFiles
     << " small notes (for `mv`), made by one `memhook run cp -r` on a copy of the DB and "
        "copied into the exports. After every run, untimed, the contender's state is put back: "
        "the DB file is made byte-identical to the write base (only the 4 KiB pages that differ "
        "are rewritten, then `fdatasync`; WAL and `-shm` removed), and in the GNU trees the "
        "files the command changed are rewritten from the write base's bytes (and "
        "`fdatasync`ed, so that no dirty page of ours is written back during a later run), "
        "created ones removed, a rename undone. *same output as GNU* compares the command's output "
        "and status plus a "
        "read-only check of the result (e.g. `wc -c` of the file). `log appends`: "
     << o_.appends << " appends to one new session log, each a separate agent command, "
     << "nothing restored within a series (" << std::min(o_.append_runs, o_.runs)
     << " series per size; just-bash in the first, on its windows only: its writes vanish, so "
        "the bench adds each line to its tree itself); see *Appends to one session log*.\n\n";
  md << Targets();

  for (const SizeResult& s : results_) {
    md << "## Latency at " << Files(s.files) << " files (" << Mb(s.bytes) << " MB)\n\n"
       << "| type | memhook (hook + bash) | hook only | bash on the rewrite | GNU tmpfs | GNU disk "
          "| "
          "just-bash | "
          "memhook ÷ GNU tmpfs | just-bash ÷ memhook | route | same output as GNU | GNU output "
          "| samples |\n"
       << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
    for (size_t i = 0; i < s.commands.size(); ++i) {
      const CommandType& c = s.commands[i];
      const TypeResult& t = s.types[i];
      const bool na = NotBuilt(c, t) || t.na;
      const std::string mark = t.route == "next" ? " †" : c.kind == Kind::kAppends ? " ‡" : "";
      const double mine = t.total.Median();
      const std::string na_text =
          t.na ? "n/a (" + (c.na_note.empty() ? t.na_problem : c.na_note) + ")"
               : "n/a: next tier not built";
      md << "| " << c.name << " | " << (na ? na_text : Cell(t.total) + mark) << " | "
         << (na ? "—" : Cell(t.hook)) << " | " << (na ? "—" : Cell(t.replay)) << " | "
         << Cell(t.gnu_tmpfs) << " | " << Cell(t.gnu_disk) << " | "
         << (c.kind == Kind::kPass ? "n/a" : Cell(t.jb)) << " | "
         << (na ? "—" : Ratio(mine / t.gnu_tmpfs.Median()) + mark) << " | "
         << (na || c.kind == Kind::kPass ? "—" : Ratio(t.jb.Median() / mine) + mark) << " | "
         << RouteText(t) << (NotBuilt(c, t) ? " in " + Ms(mine) + " ms" : "") << " | " << t.agree
         << " | " << t.out_lines << " lines, " << t.out_bytes << " B"
         << (t.gnu_status != 0 ? Fmt(", exit %d", t.gnu_status) : "") << " | "
         << t.total.ms.size() + t.total.timeouts + t.total.failures << " / "
         << t.jb.ms.size() + t.jb.timeouts + t.jb.failures << " |\n";
    }
    for (size_t i = 0; i < s.commands.size(); ++i) {
      for (const Samples* x :
           {&s.types[i].total, &s.types[i].gnu_tmpfs, &s.types[i].gnu_disk, &s.types[i].jb}) {
        if (x->failures > 0) {
          md << "\n**" << s.commands[i].name << "**: " << x->failures
             << " run(s) failed: " << x->problem << "\n";
        }
      }
    }
    md << "\n*samples*: memhook and GNU / just-bash. † routed to the next tier: memhook answers "
          "with a one-line `memhook:` error and exit "
          "status 126, not with the command's result; the time is what the agent pays today. ‡ "
          "per append, the last "
       << Find(s, "log appends")->window << " of " << o_.appends
       << " appends to one session log (the first are in *Appends to one session log*).";
    for (size_t i = 0; i < s.commands.size(); ++i) {
      if (s.types[i].na) {
        md << " " << s.commands[i].name << ": memhook's run fails (`"
           << Replace(s.types[i].na_problem, "`", "'") << "`), so it is not timed.";
      }
    }
    if (s.ran_jb) {
      md << " just-bash output compared with GNU's (mount paths aside): ";
      std::string list;
      for (size_t i = 0; i < s.commands.size(); ++i) {
        if (s.commands[i].kind == Kind::kPass) continue;
        if (!list.empty()) list += "; ";
        list += s.commands[i].name + " " + s.types[i].jb_agree;
      }
      md << list << ".";
    }
    md << "\n\n";
  }

  md << Writes();
  md << "## Process floor and pass-through\n\n"
     << "| files | C floor (JSON on stdin) | `bash -c true` | `memhook` (no arguments: start-up "
        "only) | `memhook`, `LC_ALL=C` | `cat /dev/null` | hook, pass-through | hook ÷ floor | "
        "per-round hook ÷ floor (median) | hook, trivial answer (`true ~/.memhook/memory`) | "
        "pass-through total (hook + command) | GNU "
        "(command alone) | agent's extra cost per non-memory command |\n"
     << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const SizeResult& s : results_) {
    const TypeResult* p = Find(s, "pass-through");
    md << "| " << Files(s.files) << " | " << Cell(s.floor) << " | " << Cell(s.bash_true) << " | "
       << Cell(s.memhook_noop) << " | " << Cell(s.memhook_noop_c) << " | " << Cell(s.gnu_cat)
       << " | " << Cell(p->hook) << " | " << Ratio(p->hook.Median() / s.floor.Median()) << " | "
       << Ratio(PairedRatio(p->hook, s.floor)) << " | "
       << (s.served_noop.empty() ? std::string("—") : Cell(s.served_noop)) << " | "
       << Cell(p->total) << " | " << Cell(p->gnu_tmpfs) << " | "
       << Ms(p->total.Median() - p->gnu_tmpfs.Median()) << " ms |\n";
  }
  md << "\nThe pass-through command is `" << results_.front().commands.back().command << "`.\n\n";

  md << "## Capture (PostToolUse)\n\n"
     << "A tool call's PostToolUse hook with one new " << kCaptureLineBytes
     << "-byte transcript line to capture (read from the last offset, redacted, appended to "
        "`sessions/<month>/<id>.jsonl` as one change), through the installed entry, into a store "
        "of its own.\n\n"
     << "| files | capture hook | ÷ floor | above the floor |\n| --- | --- | --- | --- |\n";
  for (const SizeResult& s : results_) {
    md << "| " << Files(s.files) << " | " << Cell(s.capture) << " | "
       << Ratio(s.capture.Median() / s.floor.Median()) << " | "
       << Ms(s.capture.Median() - s.floor.Median()) << " ms |\n";
  }
  md << "\n";

  md << "## Cold and warm (memhook, hook + bash)\n\n| type |";
  for (const SizeResult& s : results_) md << " " << Files(s.files) << " cold | warm |";
  md << "\n| --- |";
  for (size_t i = 0; i < results_.size(); ++i) md << " --- | --- |";
  md << "\n";
  for (size_t i = 0; i + 1 < results_.front().commands.size(); ++i) {
    md << "| " << results_.front().commands[i].name << " |";
    for (const SizeResult& s : results_) {
      md << " " << Ms(s.types[i].cold_total) << " | " << Ms(s.types[i].total.Median()) << " |";
    }
    md << "\n";
  }
  md << "\nCold: one fresh copy of the DB per tree size; before each command type's first query "
        "the copy is fsync'ed and its pages dropped from the page cache "
        "(`posix_fadvise(DONTNEED)` on that file only) and its `-shm` removed; for a write, the "
        "write DB, restored to the write base, is dropped the same way before its first run "
        "(`log appends`: no cold run). Largest page-cache residency of the copy just before a "
        "cold query (`mincore`): ";
  for (size_t k = 0; k < results_.size(); ++k) {
    double worst = NAN;
    for (const TypeResult& t : results_[k].types) {
      if (!std::isnan(t.cold_residency) && !(worst >= t.cold_residency)) worst = t.cold_residency;
    }
    md << (k ? ", " : "") << Files(results_[k].files) << " "
       << (std::isnan(worst) ? std::string("?") : Fmt("%.1f%%", worst * 100));
  }
  md << ". One sample per cell.\n\n";

  {
    const SizeResult& big = results_.back();
    md << "## What the hook asks SQLite (`memhook explain`, " << Files(big.files) << " files)\n\n"
       << "| type | SQL statements | per-file content reads | whole-table reads (no WHERE, no "
          "LIMIT) | full-text MATCH queries |\n| --- | --- | --- | --- | --- |\n";
    for (size_t i = 0; i < big.commands.size(); ++i) {
      const TypeResult& t = big.types[i];
      if (t.sql_total < 0) continue;
      md << "| " << big.commands[i].name << " | " << t.sql_total << " | " << t.sql_content << " | "
         << t.sql_whole << " | " << t.sql_match << " |\n";
    }
    md << "\n";
  }

  md << "## Import and storage\n\n"
     << "| files | dirs | raw MB | generate s | import s | import files/s | import MB/s | DB MB "
        "| DB ÷ raw | export tmpfs s | export disk s | import peak RSS MB |\n"
     << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const SizeResult& s : results_) {
    md << "| " << s.files << " | " << s.dirs << " | " << Mb(s.bytes) << " | "
       << Fmt("%.2f", s.gen_s) << " | " << Fmt("%.2f", s.import_s) << " | "
       << Fmt("%.0f", static_cast<double>(s.files) / s.import_s) << " | "
       << Fmt("%.1f", static_cast<double>(s.bytes) / 1e6 / s.import_s) << " | " << Mb(s.db_bytes)
       << " | " << Ratio(static_cast<double>(s.db_bytes) / static_cast<double>(s.bytes)) << " | "
       << Fmt("%.2f", s.export_tmpfs_s) << " | " << Fmt("%.2f", s.export_disk_s) << " | "
       << (s.import_maxrss_kb < 0 ? std::string("—")
                                  : Fmt("%.1f", static_cast<double>(s.import_maxrss_kb) / 1024))
       << " |\n";
  }
  md << "\nRaw = the bytes of the generated files; the export adds memhook's virtual "
        "`index.md`.\n\n";

  md << "## Peak RSS of the hook (MB)\n\nMeasured by `memhook_bench_rss`, which forks the hook "
        "from a small parent and reads `ru_maxrss` (a child spawned by the benchmark itself would "
        "report the benchmark's own high-water mark, kept across `exec`); warm, the larger of "
        "two runs after the timed ones. The import's peak RSS above is measured the same way."
     << (o_.rss.empty() ? " Not measured in this run (no `--rss`)." : "") << "\n\n| type |";
  for (const SizeResult& s : results_) md << " " << Files(s.files) << " |";
  md << "\n| --- |";
  for (size_t i = 0; i < results_.size(); ++i) md << " --- |";
  md << "\n";
  for (size_t i = 0; i < results_.front().commands.size(); ++i) {
    md << "| " << results_.front().commands[i].name << " |";
    for (const SizeResult& s : results_) {
      const long kb = s.types[i].maxrss_kb;
      md << " " << (kb < 0 ? std::string("—") : Fmt("%.1f", static_cast<double>(kb) / 1024))
         << " |";
    }
    md << "\n";
  }

  md << "\n## Commands\n\n| type | memhook and GNU (at the largest size) | just-bash |\n"
     << "| --- | --- | --- |\n";
  for (const CommandType& c : results_.back().commands) {
    const std::string jb =
        c.kind == Kind::kPass
            ? "n/a (not a memory command)"
            : "`" + Replace(c.command, std::string("~/") + kMountRel, kJustBashMount) + "`" +
                  (IsWrite(c.kind) ? " with `--allow-write`" : "");
    const std::string more = c.kind == Kind::kAppends
                                 ? Fmt(" (k = 1 … %d: `seq` and the text carry k)", o_.appends)
                                 : "";
    md << "| " << c.name << " | `" << Replace(c.command, "|", "\\|") << "`" << more << " | "
       << Replace(jb, "|", "\\|") << " |\n";
  }
  md << "\nWrite checks (read-only, run after the write to compare results):";
  for (const CommandType& c : results_.back().commands) {
    if (IsWrite(c.kind)) md << " " << c.name << ": `" << Replace(c.check, "|", "\\|") << "`;";
  }
  md << " all on the write base (`" << kBulkDir << "/` holds " << kBulkFiles
     << " notes). `write 1 MB` uses bash's and memhook's builtin `printf`: `memhook explain` "
        "routes it to `memhook run` as a write, not to a host program.\n";
  md << "\nThe trees come from `memhook_bench_gen` (bench/tree_gen.cc): `MEMORY.md`, summaries in "
        "markdown under `summaries/YYYY-MM/`, notes under `notes/<topic>/`, Claude Code-like "
        "session logs (one JSON event a line) under `sessions/YYYY-MM/`; the rare word `"
     << kRareWord << "` is in exactly " << kRareFileCount << " files, `" << kAltWordA << "` and `"
     << kAltWordB << "` in about 1.5% of files each, `" << kCommonWord
     << "` in most files; `find` looks for `" << kFindWord << "` in file names.\n\n";

  md << "## Setup\n\n"
     << "- CPU: " << CpuModel() << ", " << ::sysconf(_SC_NPROCESSORS_ONLN) << " online; kernel "
     << kernel_ << "\n"
     << "- load average at start: " << load_start_ << "; at end: " << load_end_ << "\n"
     << "- memhook: " << Mb(memhook_size_) << " MB binary, " << memhook_libs_ << " shared objects\n"
     << "- " << Tool({"bash", "--version"}) << "; " << Tool({"cat", "--version"}) << "; "
     << Tool({"grep", "--version"}) << "; " << Tool({"find", "--version"}) << "\n"
     << "- just-bash: " << (o_.just_bash.empty() ? "skipped" : JustBashVersion(o_.just_bash))
     << "; node " << Tool({"node", "--version"}) << "\n";
  if (!o_.plot.empty()) {
    md << "\n![latency against tree size](" << fs::path(o_.plot).filename().string() << ")\n";
  }
  return md.str();
}

void Bench::WritePlot() const {
  const fs::path dat = fs::path(o_.scratch) / "latency.dat";
  const fs::path gp = fs::path(o_.scratch) / "latency.gp";
  std::ofstream d(dat, std::ios::trunc);
  std::ostringstream script;
  const size_t rows = (results_.front().commands.size() + 4) / 5;
  script << "set terminal pngcairo size 2000," << 350 * rows << " font ',10'\n"
         << "set output '" << o_.plot << "'\n"
         << "set multiplot layout " << (results_.front().commands.size() + 4) / 5
         << ",5 title 'memhook vs GNU bash+coreutils vs just-bash: median "
            "whole-process latency (ms, log) against tree size (files, log)'\n"
         << "set logscale xy\nset key top left font ',8'\nset grid\nset datafile missing 'NaN'\n"
         << "set xtics (";
  for (size_t i = 0; i < results_.size(); ++i) {
    script << (i ? ", " : "") << "'" << Files(results_[i].files) << "' " << results_[i].files;
  }
  script << ")\nset xrange [" << results_.front().files * 0.7 << ":" << results_.back().files * 1.4
         << "]\n";
  const char* names[] = {"memhook", "GNU tmpfs", "GNU disk", "just-bash"};
  const char* styles[] = {"lw 2 lc rgb '#d62728' pt 7", "lc rgb '#1f77b4' pt 5",
                          "lc rgb '#2ca02c' pt 9 dt 2", "lc rgb '#7f7f7f' pt 13"};
  const auto& commands = results_.front().commands;
  for (size_t i = 0; i < commands.size(); ++i) {
    bool has[4] = {false, false, false, false};
    for (const SizeResult& s : results_) {
      const TypeResult& t = s.types[i];
      double v[4] = {NotBuilt(s.commands[i], t) || t.na ? NAN : t.total.Median(),
                     t.gnu_tmpfs.Median(), t.gnu_disk.Median(), t.jb.Median()};
      d << s.files;
      for (int k = 0; k < 4; ++k) {
        d << " " << (std::isnan(v[k]) ? std::string("NaN") : Fmt("%.4f", v[k]));
        has[k] = has[k] || !std::isnan(v[k]);
      }
      d << "\n";
    }
    d << "\n\n";
    const TypeResult& last = results_.back().types[i];
    script << "set title \"" << commands[i].name
           << (last.route == "next"                 ? " (memhook: next tier, 126)"
               : last.na                            ? " (memhook: n/a)"
               : commands[i].kind == Kind::kAppends ? " (per append, last window)"
                                                    : "")
           << "\"\nplot ";
    bool any = false;
    for (int k = 0; k < 4; ++k) {
      if (!has[k]) continue;
      script << (any ? ", " : "") << "'" << dat.string() << "' index " << i << " using 1:" << k + 2
             << " with linespoints " << styles[k] << " title '" << names[k] << "'";
      any = true;
    }
    if (!any) script << "NaN notitle";
    script << "\n";
  }
  script << "unset multiplot\n";
  d.close();
  std::ofstream(gp, std::ios::trunc) << script.str();
  ExecSpec spec = BenchSpec();
  spec.argv = {"gnuplot", gp.string()};
  spec.env = &base_env_;
  spec.max_out = kMaxKeptOutput;
  ProcResult r = RunProcess(spec);
  if (r.status != 0 || !r.spawn_error.empty()) {
    // gnuplot without cairo: fall back to the libgd terminal.
    std::string text = script.str();
    text.replace(0, text.find('\n'), Fmt("set terminal png size 2000,%zu", 350 * rows));
    std::ofstream(gp, std::ios::trunc) << text;
    r = RunProcess(spec);
  }
  if (r.status != 0 || !r.spawn_error.empty()) {
    std::fprintf(stderr, "memhook_bench: gnuplot failed: %s%s\n", r.spawn_error.c_str(),
                 r.err.c_str());
  } else {
    std::fprintf(stderr, "wrote %s\n", o_.plot.c_str());
  }
}

bool ParseList(const std::string& text, std::vector<uint64_t>* out) {
  out->clear();
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    char* end = nullptr;
    const unsigned long long v = std::strtoull(item.c_str(), &end, 10);
    if (item.empty() || *end != '\0' || v < 20) return false;
    out->push_back(v);
  }
  std::sort(out->begin(), out->end());
  return !out->empty();
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (i + 1 >= argc && a != "--keep") return false;
    auto next = [&] { return std::string(argv[++i]); };
    auto number = [&](int* v) {
      *v = std::atoi(argv[++i]);
      return *v >= 0;
    };
    bool ok = true;
    if (a == "--memhook") {
      o->memhook = next();
    } else if (a == "--floor") {
      o->floor = next();
    } else if (a == "--front") {
      o->front = next();
    } else if (a == "--rss") {
      o->rss = next();
    } else if (a == "--just-bash") {
      o->just_bash = next();
    } else if (a == "--out") {
      o->out = next();
    } else if (a == "--plot") {
      o->plot = next();
    } else if (a == "--label") {
      o->label = next();
    } else if (a == "--scratch") {
      o->scratch = next();
    } else if (a == "--tmpfs") {
      o->tmpfs = next();
    } else if (a == "--sizes") {
      ok = ParseList(next(), &o->sizes);
    } else if (a == "--runs") {
      ok = number(&o->runs) && o->runs > 0;
    } else if (a == "--jb-runs") {
      ok = number(&o->jb_runs);
    } else if (a == "--jb-timeout") {
      ok = number(&o->jb_timeout_s) && o->jb_timeout_s > 0;
    } else if (a == "--max-reps") {
      ok = number(&o->max_reps) && o->max_reps > 0;
    } else if (a == "--pass-reps") {
      ok = number(&o->pass_reps) && o->pass_reps > 0;
    } else if (a == "--appends") {
      ok = number(&o->appends) && o->appends >= 2;
    } else if (a == "--append-runs") {
      ok = number(&o->append_runs) && o->append_runs > 0;
    } else if (a == "--seed") {
      o->seed = std::strtoull(argv[++i], nullptr, 10);
    } else if (a == "--keep") {
      o->keep = true;
    } else {
      ok = false;
    }
    if (!ok) return false;
  }
  return !o->memhook.empty() && !o->floor.empty() && !o->out.empty();
}

}  // namespace
}  // namespace memhook::bench

int main(int argc, char** argv) {
  using memhook::bench::TypeNames;
  if (argc == 2 && std::string(argv[1]) == "--list-types") {
    for (const std::string& name : TypeNames()) std::printf("%s\n", name.c_str());
    return 0;
  }
  memhook::bench::Options options;
  if (!memhook::bench::ParseArgs(argc, argv, &options)) {
    std::fprintf(stderr,
                 "usage: memhook_bench --memhook PATH --floor PATH --out REPORT.md [--rss PATH] "
                 "[--sizes 1000,10000,100000]\n"
                 "         [--runs N] [--just-bash PATH] [--jb-runs N] [--jb-timeout S] "
                 "[--pass-reps N] [--max-reps N]\n"
                 "         [--plot PNG] [--scratch DIR] [--tmpfs DIR] [--seed S] [--label TEXT] "
                 "[--keep]\n"
                 "       memhook_bench --list-types\n");
    return 2;
  }
  try {
    return memhook::bench::Bench(std::move(options)).Main();
  } catch (const std::exception& e) {
    std::fprintf(stderr, "memhook_bench: %s\n", e.what());
  }
  return 1;
}
