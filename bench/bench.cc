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
#include <sstream>
#include <string>
#include <string_view>
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
constexpr const char* kJustBashMount = "/home/user/project";
constexpr size_t kMaxKeptOutput = 256u << 20;
constexpr size_t kMaxKeptErr = 64u << 10;
// A command type whose round (memhook + both GNU) costs less than this is
// repeated within an iteration, up to --max-reps times.
constexpr double kRepBudgetMs = 250;
// just-bash runs in the first --jb-runs iterations, and in every iteration
// where its first runs took less than this.
constexpr double kCheapJustBashMs = 1000;

// ---------------------------------------------------------------------------
// Processes.

using Fd = memhook::testing::UniqueFd;
using memhook::testing::ExecSpec;
using memhook::testing::ProcResult;
using memhook::testing::RunProcess;
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
  std::vector<uint64_t> sizes = {1000, 10000, 100000};
  int runs = 5;
  int jb_runs = 3;
  int jb_timeout_s = 120;
  int pass_reps = 10;
  int max_reps = 10;
  uint64_t seed = 1;
  std::string scratch, tmpfs = "/dev/shm";
  bool keep = false;
};

enum class Kind { kRead, kWrite, kPipeline, kPass };

struct CommandType {
  std::string name;
  std::string command;  // for memhook and GNU: paths under ~/.memhook/memory
  Kind kind = Kind::kRead;
};

// Answered inside the hook: by the fast path's profile or the virtual shell.
bool Answered(const std::string& route) { return route == "fast" || route == "shell"; }

// The row labels, in report order; the smoke test checks every one.
const std::vector<std::string>& TypeNames() {
  static const std::vector<std::string> names = {
      "cat",        "head",        "tail",        "ls",         "ls -R",
      "wc",         "find",        "grep rare",   "grep common", "grep regex",
      "pipeline",   "shell loop",  "shell $(...)", "find -exec", "xargs",
      "write",      "pass-through"};
  return names;
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
      "find " + root + "/" + m.summary_month_dir + " -type f | sort | xargs grep -c " +
          kCommonWord,
      "echo x > " + root + "/new.md",
      "git --version"};
  std::vector<CommandType> out;
  for (size_t i = 0; i < commands.size(); ++i) {
    CommandType t{TypeNames()[i], commands[i], Kind::kRead};
    if (t.name == "pipeline") t.kind = Kind::kPipeline;
    if (t.name == "write") t.kind = Kind::kWrite;
    if (t.name == "pass-through") t.kind = Kind::kPass;
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
};

struct SizeResult {
  uint64_t files = 0, dirs = 0, bytes = 0, db_bytes = 0;
  double gen_s = 0, import_s = 0, export_tmpfs_s = 0, export_disk_s = 0;
  long import_maxrss_kb = -1;
  std::vector<CommandType> commands;
  std::vector<TypeResult> types;
  Samples floor, bash_true, memhook_noop, memhook_noop_c, gnu_cat;
  bool ran_jb = false;
};

struct Env {
  std::vector<std::string> memhook, gnu_tmpfs, gnu_disk, jb, plain, c_locale;
};

struct SizeContext {
  fs::path disk_dir, tmpfs_dir;
  std::string memhook_home, tmpfs_home, disk_home, db, cold_db, tmpfs_mount, disk_mount;
  Env env;
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
  void ColdRun(const SizeContext& ctx, const CommandType& t, TypeResult* tr);
  void Explain(const SizeContext& ctx, const CommandType& t, TypeResult* tr);
  std::string HookJson(const std::string& command, const std::string& cwd);
  std::string Report() const;
  std::string Targets() const;
  void WritePlot() const;
  std::string Tool(std::vector<std::string> argv) const;

  Options o_;
  std::vector<SizeResult> results_;
  std::vector<std::string> base_env_;
  uint64_t counter_ = 0;
  std::string started_, load_start_, load_end_, kernel_;
  uint64_t memhook_size_ = 0;
  int memhook_libs_ = 0;
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
      {"session_id", "00000000-0000-4000-8000-000000000bench"},
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

// One memhook measurement: the hook, then bash on its rewrite.
void Bench::RunMemhook(const SizeContext& ctx, const CommandType& t, const std::string& db,
                       bool keep, TypeResult* tr, Samples* total, Samples* hook, Samples* replay,
                       ProcResult* answer) {
  std::vector<std::string> env = ctx.env.memhook;
  env.push_back("MEMHOOK_DB=" + db);
  ExecSpec spec = BenchSpec();
  spec.argv = {o_.memhook, "hook"};
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
  ExecSpec spec = BenchSpec();
  spec.argv = {o_.just_bash, "-c",
               Replace(t.command, std::string("~/") + kMountRel, kJustBashMount), "--root",
               ctx.tmpfs_mount};
  if (t.kind == Kind::kWrite) spec.argv.push_back("--allow-write");
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
      if (commands[i].kind != Kind::kPass) ColdRun(ctx, commands[i], &result->types[i]);
    }
  }
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm"}) fs::remove(ctx.cold_db + suffix, ec);
  if (files == o_.sizes.back()) {
    for (size_t i = 0; i < commands.size(); ++i) {
      if (commands[i].kind != Kind::kPass) Explain(ctx, commands[i], &result->types[i]);
    }
  }
  enum Who { kMemhook, kGnuTmpfs, kGnuDisk, kJustBash, kFloor, kBashTrue, kNoop, kNoopC, kCat };
  for (int it = 0; it < o_.runs; ++it) {
    std::fprintf(stderr, "[%s files] iteration %d/%d\n", Files(files).c_str(), it + 1, o_.runs);
    for (size_t i = 0; i < commands.size(); ++i) {
      const CommandType& t = commands[i];
      TypeResult& tr = result->types[i];
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
          who = {kMemhook, kGnuTmpfs, kGnuDisk, kFloor, kBashTrue, kNoop, kNoopC, kCat};
        } else if (jb && rep == 0 && (it < o_.jb_runs || tr.jb.Median() < kCheapJustBashMs)) {
          who.push_back(kJustBash);
        }
        ProcResult mine, gnu, theirs;
        const size_t shift = static_cast<size_t>(it * reps + rep) % who.size();
        for (size_t k = 0; k < who.size(); ++k) {
          switch (who[(k + shift) % who.size()]) {
            case kMemhook:
              RunMemhook(ctx, t, ctx.db, first, &tr, &tr.total, &tr.hook, &tr.replay, &mine);
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
          }
          if (t.kind == Kind::kWrite) {
            std::error_code ec;
            fs::remove(ctx.tmpfs_mount + "/new.md", ec);
            fs::remove(ctx.disk_mount + "/new.md", ec);
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
    md << "| pass-through hook ≤ 1.3× the process floor | hook " << Ms(pass_hook) << " ms ÷ floor "
       << Ms(floor_ms) << " ms = **" << Ratio(r) << "** at " << at << " (" << per_size
       << "; median of per-round ratios at " << at << ": "
       << Ratio(PairedRatio(pass->hook, big.floor)) << ") | " << verdict(r <= 1.3) << " |\n";
    if (!(r <= 1.3)) {
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
          << "initialisers. Reading the JSON and parsing the command add "
          << (pass_hook - noop_ms < 0.05 ? "no measurable time (" + Ms(pass_hook - noop_ms) + " ms)"
                                         : Ms(pass_hook - noop_ms) + " ms")
          << ". For scale, GNU `cat /dev/null` (which also calls "
          << "`setlocale` in C.UTF-8) takes " << Ms(cat_ms) << " ms = " << Ratio(cat_ms / floor_ms)
          << " the floor. What would close it: "
          << (memhook_libs_ > 5 ? "link the libraries statically; " : "")
          << "call `setlocale` only once a command is known to touch the mount (deciding "
          << "pass-through needs no locale), and make that decision from the raw command text "
          << "before JSON and tree-sitter parsing when it cannot name the mount (no mount path, "
          << "no `~`, no `$`, no cwd inside the mount); a smaller, stripped binary with fewer "
          << "relocations for the rest.\n";
    }
  }
  // 2. cat/head/ls within 2× GNU on tmpfs.
  for (const char* name : {"cat", "head", "ls"}) {
    const TypeResult* t = Find(big, name);
    const double r = t->total.Median() / t->gnu_tmpfs.Median();
    const bool answered = Answered(t->route);
    md << "| `" << name << "` ≤ 2× GNU on tmpfs at 100k | memhook " << Ms(t->total.Median())
       << " ms ÷ GNU " << Ms(t->gnu_tmpfs.Median()) << " ms = **" << Ratio(r) << "** at " << at
       << (answered ? "" : " (" + RouteText(*t) + ")") << " | " << verdict(answered && r <= 2)
       << " |\n";
    if (!(answered && r <= 2)) {
      const double hook = t->hook.Median();
      why << "- **`" << name << "` " << Ratio(r) << " GNU.** memhook pays two processes: the hook "
          << Ms(hook) << " ms (start-up and parse ≈ " << Ms(pass_hook)
          << " ms, the pass-through hook; store and answer ≈ " << Ms(hook - pass_hook)
          << " ms) then bash replaying the answer, " << Ms(t->replay.Median()) << " ms ("
          << (t->spooled ? "spooled: a bash and the small `memhook-replay`" : "inline printf")
          << "); GNU pays one bash and one `" << name << "`: " << Ms(t->gnu_tmpfs.Median())
          << " ms. Two bare starts (`memhook` with no arguments + `bash -c true`) already cost "
          << Ms(noop_ms + bash_ms) << " ms = " << Ratio((noop_ms + bash_ms) / t->gnu_tmpfs.Median())
          << " GNU. What would close it: a faster hook start (see pass-through)"
          << (t->spooled ? ", and a larger inline limit (fewer spooled answers)" : "") << ".\n";
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
      if (!Answered(t.route)) {
        if (!excluded.empty()) excluded += ", ";
        excluded += "`" + c.name + "` (" +
                    (NotBuilt(c, t) ? "n/a: next tier not built" : RouteText(t)) + ")";
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
        const double starts = noop_ms + bash_ms;
        why << "- **`" << c.name << "`: just-bash ÷ memhook = " << Ratio(r)
            << ".** just-bash takes " << Ms(jb) << " ms, so 50× needs memhook ≤ " << Ms(need)
            << " ms; memhook takes " << Ms(m) << " ms (hook " << Ms(t.hook.Median())
            << " ms + bash replaying the answer " << Ms(t.replay.Median())
            << " ms), of which two bare process starts (`memhook` "
            << "without arguments + `bash -c true`) are " << Ms(starts) << " ms and parsing, "
            << "store and answer the other " << Ms(m - starts) << " ms. "
            << (need < starts ? "The target is below the cost of those two starts: only a faster "
                                "start-up (see pass-through) can reach it.\n"
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
       << " answered types at " << at << "; slowest ratio **" << Ratio(worst_r) << "** (`" << worst
       << "`)" << (misses.empty() ? "" : "; missed: " + misses)
       << (excluded.empty() ? "" : "; not comparable: " + excluded) << " | "
       << verdict(met == total && total > 0) << " |\n";
  }
  md << "\n";
  const std::string w = why.str();
  if (!w.empty()) md << "### Where a target is missed, and what would close it\n\n" << w << "\n";
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
     << "- **memhook**: `memhook hook` with the PreToolUse JSON on stdin, then `bash -c` on the "
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
     << "- Contenders run round-robin, one of each per iteration and command type, the first "
        "rotating every iteration; the machine is shared (2 cores), see the load averages below.\n"
     << "- **cold**: the first query on a fresh copy of the DB, evicted from the page cache "
        "with `posix_fadvise(DONTNEED)` (only that file; residency checked with `mincore`). The "
        "binary and libraries stay cached. Warm runs use the imported DB.\n\n";
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
      const bool na = NotBuilt(c, t);
      const std::string mark = t.route == "next" ? " †" : "";
      const double mine = t.total.Median();
      md << "| " << c.name << " | " << (na ? "n/a: next tier not built" : Cell(t.total) + mark)
         << " | " << (na ? "—" : Cell(t.hook)) << " | " << (na ? "—" : Cell(t.replay)) << " | "
         << Cell(t.gnu_tmpfs) << " | " << Cell(t.gnu_disk) << " | "
         << (c.kind == Kind::kPass ? "n/a" : Cell(t.jb)) << " | "
         << (na ? "—" : Ratio(mine / t.gnu_tmpfs.Median()) + mark) << " | "
         << (na || c.kind == Kind::kPass ? "—" : Ratio(t.jb.Median() / mine) + mark) << " | "
         << RouteText(t) << (na ? " in " + Ms(mine) + " ms" : "") << " | " << t.agree << " | "
         << t.out_lines << " lines, " << t.out_bytes << " B"
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
          "status 126, not with the command's result; the time is what the agent pays today.";
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

  md << "## Process floor and pass-through\n\n"
     << "| files | C floor (JSON on stdin) | `bash -c true` | `memhook` (no arguments: start-up "
        "only) | `memhook`, `LC_ALL=C` | `cat /dev/null` | hook, pass-through | hook ÷ floor | "
        "per-round hook ÷ floor (median) | "
        "pass-through total (hook + command) | GNU "
        "(command alone) | agent's extra cost per non-memory command |\n"
     << "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n";
  for (const SizeResult& s : results_) {
    const TypeResult* p = Find(s, "pass-through");
    md << "| " << Files(s.files) << " | " << Cell(s.floor) << " | " << Cell(s.bash_true) << " | "
       << Cell(s.memhook_noop) << " | " << Cell(s.memhook_noop_c) << " | " << Cell(s.gnu_cat)
       << " | " << Cell(p->hook) << " | " << Ratio(p->hook.Median() / s.floor.Median()) << " | "
       << Ratio(PairedRatio(p->hook, s.floor)) << " | " << Cell(p->total) << " | "
       << Cell(p->gnu_tmpfs) << " | " << Ms(p->total.Median() - p->gnu_tmpfs.Median()) << " ms |\n";
  }
  md << "\nThe pass-through command is `" << results_.front().commands.back().command << "`.\n\n";

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
        "(`posix_fadvise(DONTNEED)` on that file only) and its `-shm` removed. Largest page-cache "
        "residency of the copy just before a cold query (`mincore`): ";
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
                  (c.kind == Kind::kWrite ? " with `--allow-write`" : "");
    md << "| " << c.name << " | `" << Replace(c.command, "|", "\\|") << "` | "
       << Replace(jb, "|", "\\|") << " |\n";
  }
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
  script << "set terminal pngcairo size 1800,1400 font ',10'\n"
         << "set output '" << o_.plot << "'\n"
         << "set multiplot layout 4,4 title 'memhook vs GNU bash+coreutils vs just-bash: median "
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
      double v[4] = {NotBuilt(s.commands[i], t) ? NAN : t.total.Median(), t.gnu_tmpfs.Median(),
                     t.gnu_disk.Median(), t.jb.Median()};
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
           << (last.route == "next" ? " (memhook: next tier, 126)" : "") << "\"\nplot ";
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
    text.replace(0, text.find('\n'), "set terminal png size 1800,1400");
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
