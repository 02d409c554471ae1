// corpus_replay: differential test of `memhook hook` against real bash +
// GNU tools.
//
//   corpus_replay --memhook PATH --corpus DIR [--filter SUBSTR] [--verbose] [--keep]
//
// 1. Copies DIR/tree to ROOT/src (a fresh temp root), dropping `.gitkeep`
//    placeholders (they stand for empty directories), with git-checkout
//    modes and deterministic, distinct mtimes spread from 10 days to about
//    two years back.
// 2. With HOME=ROOT/home, MEMHOOK_DB=ROOT/memhook.db, LC_ALL=C.UTF-8, TZ=UTC
//    runs `memhook import ROOT/src` and `memhook export ROOT/home/.memhook/memory`:
//    the exported directory is the reference on which real bash runs.
// 3. For every line `ROUTE FLAGS CWD COMMAND` of DIR/commands.txt sends the
//    PreToolUse JSON to `memhook hook`, checks the route, and compares
//    `bash -c <rewritten>` (or the original, for pass-through) with
//    `bash -c <original>` on the reference tree: stdout (as sorted lines
//    with the `sorted` flag), stderr and exit status must agree. `next`
//    commands must answer status 126 with a one-line `memhook:` message and
//    must not have changed the reference tree.
// 4. Prints a table per command type with hook latencies, a latency bench
//    of one fast-path and one pass-through hook call, and `N passed, M failed`.
//
// Exit status: 0 iff every command passed; 1 if some failed; 2 on a setup
// error (bad arguments, unreadable corpus, import/export failure).

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tests/support/test_support.h"

namespace {

namespace fs = std::filesystem;

constexpr int kCommandTimeoutMs = 10'000;
constexpr int kHookTimeoutMs = 30'000;
constexpr size_t kMaxCapture = 64u << 20;  // per stream
constexpr int kBenchRuns = 50;
constexpr int64_t kDayNs = 86'400LL * 1'000'000'000LL;
constexpr int64_t kSecondNs = 1'000'000'000LL;
constexpr const char* kMountRel = ".memhook/memory";

// ---------------------------------------------------------------------------
// Small utilities.

std::string Escape(std::string_view s, size_t limit) {
  std::string out;
  for (size_t i = 0; i < s.size() && i < limit; ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c == 0x7f) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\x%02x", c);
          out += buf;
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  if (s.size() > limit) out += "...(" + std::to_string(s.size()) + " bytes)";
  return out;
}

uint64_t Fnv1a(std::string_view data) {
  uint64_t h = 1469598103934665603ULL;
  for (char c : data) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ULL;
  }
  return h;
}

bool ReadWholeFile(const fs::path& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  std::ostringstream ss;
  ss << in.rdbuf();
  *out = ss.str();
  return true;
}

bool WriteWholeFile(const fs::path& path, std::string_view data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return false;
  out.write(data.data(), static_cast<std::streamsize>(data.size()));
  return static_cast<bool>(out);
}

double Percentile(std::vector<double> values, double p) {
  if (values.empty()) return 0.0;
  std::sort(values.begin(), values.end());
  // Nearest rank.
  size_t rank = static_cast<size_t>(p / 100.0 * static_cast<double>(values.size()) + 0.999999);
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

// ---------------------------------------------------------------------------
// Running processes (tests/support/test_support.h).

using memhook::testing::ExecSpec;
using memhook::testing::LastLine;
using memhook::testing::ProcResult;
using memhook::testing::RunProcess;
using memhook::testing::SortedLines;
using memhook::testing::TempDir;

// Every process corpus_replay runs: the whole environment given, at most
// kMaxCapture bytes kept per stream, kCommandTimeoutMs unless said.
ExecSpec Spec(const std::vector<std::string>* env) {
  ExecSpec spec;
  spec.env = env;
  spec.max_out = kMaxCapture;
  spec.max_err = kMaxCapture;
  spec.timeout_ms = kCommandTimeoutMs;
  return spec;
}

// ---------------------------------------------------------------------------
// The corpus.

// pass: not the mount's; fast: the fast path's profile; shell: the virtual
// shell inside the hook; run: rewritten to `memhook run` (host files or
// programs), left to the permission flow; next: refused with status 126.
// write: writes the memory (and maybe the host): rewritten to `memhook run`
// with no decision; after it ran, the memory and the home must be exactly
// what bash left on a real directory.
enum class Route { kPass, kFast, kShell, kRun, kNext, kWrite };

const char* RouteName(Route r) {
  switch (r) {
    case Route::kPass:
      return "pass";
    case Route::kFast:
      return "fast";
    case Route::kShell:
      return "shell";
    case Route::kRun:
      return "run";
    case Route::kNext:
      return "next";
    case Route::kWrite:
      return "write";
  }
  return "?";
}

struct CorpusCommand {
  int line = 0;
  Route route = Route::kPass;
  bool sorted = false;
  std::string cwd;  // as written: ~ or ~/...
  std::string command;
};

std::string Trim(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && (s[b] == ' ' || s[b] == '\t' || s[b] == '\r')) ++b;
  while (e > b && (s[e - 1] == ' ' || s[e - 1] == '\t' || s[e - 1] == '\r')) --e;
  return std::string(s.substr(b, e - b));
}

// Splits off the next whitespace-delimited field of `rest`.
std::string NextField(std::string_view* rest) {
  size_t b = 0;
  while (b < rest->size() && ((*rest)[b] == ' ' || (*rest)[b] == '\t')) ++b;
  size_t e = b;
  while (e < rest->size() && (*rest)[e] != ' ' && (*rest)[e] != '\t') ++e;
  std::string field(rest->substr(b, e - b));
  rest->remove_prefix(e);
  return field;
}

bool ParseCorpus(const std::string& text, std::vector<CorpusCommand>* out, std::string* error) {
  std::istringstream in(text);
  std::string raw;
  int line_no = 0;
  while (std::getline(in, raw)) {
    ++line_no;
    const std::string line = Trim(raw);
    if (line.empty() || line[0] == '#') continue;
    std::string_view rest = line;
    CorpusCommand cmd;
    cmd.line = line_no;
    const std::string route = NextField(&rest);
    const std::string flags = NextField(&rest);
    cmd.cwd = NextField(&rest);
    cmd.command = Trim(rest);
    auto fail = [&](const std::string& why) {
      *error = "commands.txt:" + std::to_string(line_no) + ": " + why;
      return false;
    };
    if (route == "pass") {
      cmd.route = Route::kPass;
    } else if (route == "fast") {
      cmd.route = Route::kFast;
    } else if (route == "next") {
      cmd.route = Route::kNext;
    } else if (route == "shell") {
      cmd.route = Route::kShell;
    } else if (route == "run") {
      cmd.route = Route::kRun;
    } else if (route == "write") {
      cmd.route = Route::kWrite;
    } else {
      return fail("unknown route '" + route + "'");
    }
    if (flags != "-") {
      std::string_view f = flags;
      while (!f.empty()) {
        const size_t comma = f.find(',');
        const std::string_view flag = f.substr(0, comma);
        if (flag == "sorted") {
          cmd.sorted = true;
        } else {
          return fail("unknown flag '" + std::string(flag) + "'");
        }
        f.remove_prefix(comma == std::string_view::npos ? f.size() : comma + 1);
      }
    }
    if (cmd.cwd != "~" && cmd.cwd.rfind("~/", 0) != 0) return fail("CWD must be ~ or ~/...");
    if (cmd.command.empty()) return fail("missing command");
    out->push_back(std::move(cmd));
  }
  return true;
}

// Type for the report: the command name for a simple command, `pipeline`
// or `list` for compound ones (decided on unquoted operators), `cd` lists
// counted as lists too.
std::string CommandType(std::string_view command) {
  bool in_single = false, in_double = false, pipe = false, list = false;
  for (size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (in_single) {
      if (c == '\'') in_single = false;
      continue;
    }
    if (c == '\\') {
      ++i;
      continue;
    }
    if (in_double) {
      if (c == '"') in_double = false;
      continue;
    }
    if (c == '\'') {
      in_single = true;
    } else if (c == '"') {
      in_double = true;
    } else if (c == ';' || (c == '&' && i + 1 < command.size() && command[i + 1] == '&')) {
      list = true;
    } else if (c == '|') {
      if (i + 1 < command.size() && command[i + 1] == '|') {
        list = true;
        ++i;
      } else {
        pipe = true;
      }
    }
  }
  if (list) return "list";
  if (pipe) return "pipeline";
  std::string_view rest = command;
  return NextField(&rest);
}

// ---------------------------------------------------------------------------
// Tree preparation.

// Copies the corpus tree with git-checkout modes (0755 for directories and
// executable files, 0644 otherwise), dropping `.gitkeep` placeholders.
bool CopyTree(const fs::path& from, const fs::path& to, std::string* error) {
  std::error_code ec;
  fs::create_directories(to, ec);
  if (ec) {
    *error = "mkdir " + to.string() + ": " + ec.message();
    return false;
  }
  ::chmod(to.c_str(), 0755);
  std::vector<fs::directory_entry> entries;
  for (fs::directory_iterator it(from, ec), end; !ec && it != end; it.increment(ec)) {
    entries.push_back(*it);
  }
  if (ec) {
    *error = "read " + from.string() + ": " + ec.message();
    return false;
  }
  for (const fs::directory_entry& entry : entries) {
    const fs::path target = to / entry.path().filename();
    if (entry.is_directory(ec)) {
      if (!CopyTree(entry.path(), target, error)) return false;
    } else if (entry.is_regular_file(ec)) {
      if (entry.path().filename() == ".gitkeep") continue;
      std::string data;
      if (!ReadWholeFile(entry.path(), &data) || !WriteWholeFile(target, data)) {
        *error = "copy " + entry.path().string() + ": failed";
        return false;
      }
      struct stat st;
      const bool exec = ::stat(entry.path().c_str(), &st) == 0 && (st.st_mode & 0111) != 0;
      ::chmod(target.c_str(), exec ? 0755 : 0644);
    }
  }
  return true;
}

// Assigns every file and directory under `root` (and `root` itself) a
// distinct mtime between 10 days and ~2 years ago. The order is a hash of
// the path, so `ls -t` is not just `ls -r`; nothing lands near the six-month
// boundary where `ls -l` switches between `HH:MM` and ` YYYY`.
bool AssignMtimes(const fs::path& root, int64_t now_ns, std::string* error) {
  std::vector<std::pair<std::string, bool>> nodes;  // relative path, is_dir
  nodes.emplace_back("", true);
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    nodes.emplace_back(fs::relative(it->path(), root).string(), it->is_directory());
  }
  if (ec) {
    *error = "walk " + root.string() + ": " + ec.message();
    return false;
  }
  std::vector<std::string> order;
  for (const auto& n : nodes) order.push_back(n.first);
  std::sort(order.begin(), order.end(), [](const std::string& a, const std::string& b) {
    const uint64_t ha = Fnv1a(a), hb = Fnv1a(b);
    return ha != hb ? ha < hb : a < b;
  });
  std::map<std::string, int64_t> mtime;
  const int64_t count = static_cast<int64_t>(order.size());
  const int64_t span_ns = 720 * kDayNs;
  const int64_t half_year_ns = 15'778'476LL * kSecondNs;  // what GNU ls uses
  for (int64_t i = 0; i < count; ++i) {
    int64_t age = 10 * kDayNs + (count > 1 ? span_ns / (count - 1) * i : 0) + i * 1237 * kSecondNs;
    if (age > half_year_ns - 4 * kDayNs && age < half_year_ns + 4 * kDayNs) age += 9 * kDayNs;
    const int64_t nsec = (i * 7919 + 13) * 104'729 % kSecondNs;
    mtime[order[i]] = (now_ns - age) / kSecondNs * kSecondNs + nsec;
  }
  // Files first, then directories from the deepest up, so that nothing set
  // later could disturb a directory's time.
  std::vector<std::pair<std::string, bool>> sorted = nodes;
  std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return !a.second;
    return std::count(a.first.begin(), a.first.end(), '/') + !a.first.empty() >
           std::count(b.first.begin(), b.first.end(), '/') + !b.first.empty();
  });
  for (const auto& [rel, is_dir] : sorted) {
    const int64_t t = mtime[rel];
    timespec times[2];
    times[0] = {static_cast<time_t>(t / kSecondNs), static_cast<long>(t % kSecondNs)};
    times[1] = times[0];
    const fs::path p = rel.empty() ? root : root / rel;
    if (::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW) != 0) {
      *error = "utimensat " + p.string() + ": " + std::strerror(errno);
      return false;
    }
  }
  return true;
}

// Host files outside the mount that pass-through commands read.
bool MakeHostFiles(const fs::path& home, std::string* error) {
  const std::vector<std::pair<std::string, std::string>> files = {
      {"notes.txt", "host notes, not memory\nsecond line\n"},
      {"project/README.md", "# project\n\nA host project next to the memory mount.\n"},
      {"project/src/main.go", "package main\n\nfunc main() {}\n"},
      {".memhook/memory-old/x.md", "# old memory\n\nNot the mount: a sibling directory.\n"},
      {".memhook/config.toml", "mount = \"~/.memhook/memory\"\n"},
  };
  for (const auto& [rel, content] : files) {
    std::error_code ec;
    fs::create_directories((home / rel).parent_path(), ec);
    if (ec || !WriteWholeFile(home / rel, content)) {
      *error = "cannot create " + (home / rel).string();
      return false;
    }
  }
  return true;
}

// A listing of everything below `root`: type, mode, size, mtime and a
// content hash, to detect writes that must not have happened.
std::map<std::string, std::string> Snapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    std::string desc = std::to_string(st.st_mode) + " " + std::to_string(st.st_size) + " " +
                       std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
    if (S_ISREG(st.st_mode)) {
      std::string data;
      ReadWholeFile(it->path(), &data);
      desc += " " + std::to_string(Fnv1a(data));
    }
    out[fs::relative(it->path(), root).string()] = desc;
  }
  struct stat st;
  out["."] = ::stat(root.c_str(), &st) == 0 ? std::to_string(st.st_mode) : "missing";
  return out;
}

std::string DiffSnapshots(const std::map<std::string, std::string>& before,
                          const std::map<std::string, std::string>& after) {
  std::string out;
  for (const auto& [path, desc] : before) {
    auto it = after.find(path);
    if (it == after.end()) {
      out += " removed:" + path;
    } else if (it->second != desc) {
      out += " changed:" + path;
    }
  }
  for (const auto& [path, desc] : after) {
    if (!before.count(path)) out += " added:" + path;
  }
  return out;
}

// ---------------------------------------------------------------------------
// The replay.

struct Options {
  std::string memhook;
  std::string corpus;
  std::string filter;
  bool verbose = false;
  bool keep = false;
};

struct Context {
  Options options;
  fs::path root;
  fs::path home;
  fs::path mount;
  std::string bash;
  std::vector<std::string> env;
};

struct HookReply {
  std::optional<Route> route;  // nullopt: the reply itself is broken
  std::string reason;
  std::string rewritten;
  std::string problem;  // protocol violation
  int64_t elapsed_us = 0;
};

std::string ExpandCwd(const Context& ctx, const std::string& cwd) {
  return cwd == "~" ? ctx.home.string() : (ctx.home / cwd.substr(2)).string();
}

HookReply CallHook(const Context& ctx, const std::string& command, const std::string& cwd,
                   int serial, const std::vector<std::string>* env = nullptr) {
  const std::string session = "5f0c2a9e-3b1d-4c6e-9a7f-2d8e4b6c1a03";
  char tool_use_id[64];
  std::snprintf(tool_use_id, sizeof tool_use_id, "toolu_01CorpusReplay%06d", serial);
  const nlohmann::json input = {
      {"session_id", session},
      {"transcript_path",
       (ctx.home / ".claude/projects/-home-dev-payments-api" / (session + ".jsonl")).string()},
      {"cwd", cwd},
      {"permission_mode", "default"},
      {"hook_event_name", "PreToolUse"},
      {"tool_name", "Bash"},
      {"tool_input", {{"command", command}, {"description", "corpus"}, {"timeout", 120000}}},
      {"tool_use_id", tool_use_id},
  };
  ExecSpec spec = Spec(env != nullptr ? env : &ctx.env);
  spec.program = ctx.options.memhook;
  spec.argv = {ctx.options.memhook, "hook"};
  spec.cwd = cwd;
  spec.stdin_data = input.dump();
  // The hook answers within its own limits (10 s of interpreter time, a
  // 20 s watchdog); a sanitizer build may use all of them.
  spec.timeout_ms = kHookTimeoutMs;
  const ProcResult r = RunProcess(spec);
  HookReply reply;
  reply.elapsed_us = r.elapsed_us;
  auto broken = [&](const std::string& why) {
    reply.problem = why;
    if (!r.err.empty()) reply.problem += "; hook stderr: " + Escape(r.err, 300);
    return reply;
  };
  if (!r.spawn_error.empty()) return broken(r.spawn_error);
  if (r.timed_out) return broken("hook timed out");
  if (r.status != 0) return broken("hook exit status " + std::to_string(r.status));
  if (r.out.empty()) {
    reply.route = Route::kPass;
    return reply;
  }
  const nlohmann::json j = nlohmann::json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded() || r.out[0] != '{') return broken("stdout is not one JSON object");
  const nlohmann::json* hso = j.contains("hookSpecificOutput") ? &j["hookSpecificOutput"] : nullptr;
  if (hso == nullptr || !hso->is_object()) return broken("no hookSpecificOutput object");
  if (hso->value("hookEventName", "") != "PreToolUse") return broken("hookEventName");
  reply.reason = hso->value("permissionDecisionReason", "");
  if (reply.reason.rfind("memhook: fast-path", 0) == 0) {
    reply.route = Route::kFast;
  } else if (reply.reason.rfind("memhook: shell", 0) == 0) {
    reply.route = Route::kShell;
  } else if (reply.reason.rfind("memhook: run", 0) == 0) {
    reply.route = Route::kRun;
  } else if (reply.reason.rfind("memhook: next-tier", 0) == 0) {
    reply.route = Route::kNext;
  } else {
    return broken("reason has no route word: " + Escape(reply.reason, 200));
  }
  if (hso->contains("permissionDecision") && (*hso)["permissionDecision"] != "allow") {
    return broken("permissionDecision is not allow");
  }
  if ((reply.route == Route::kFast || reply.route == Route::kShell) &&
      !hso->contains("permissionDecision")) {
    return broken("answer without permissionDecision allow");
  }
  if (reply.route == Route::kRun && hso->contains("permissionDecision")) {
    return broken("a `memhook run` rewrite must leave the decision to the permission flow");
  }
  const nlohmann::json* upd = hso->contains("updatedInput") ? &(*hso)["updatedInput"] : nullptr;
  if (upd == nullptr || !upd->is_object() || !upd->contains("command") ||
      !(*upd)["command"].is_string()) {
    return broken("no updatedInput.command");
  }
  if (upd->value("description", "") != "corpus" || upd->value("timeout", 0) != 120000) {
    return broken("updatedInput dropped original tool_input fields");
  }
  reply.rewritten = (*upd)["command"].get<std::string>();
  return reply;
}

// `bash -c COMMAND` in `cwd`, with the context's environment.
ProcResult Bash(const Context& ctx, const std::string& command, const std::string& cwd) {
  ExecSpec spec = Spec(&ctx.env);
  spec.program = ctx.bash;
  spec.argv = {"bash", "-c", command};
  spec.cwd = cwd;
  return RunProcess(spec);
}

struct Outcome {
  bool passed = false;
  std::vector<std::string> problems;  // one-liners
  std::string details;                // for --verbose
  int64_t hook_us = 0;
  std::optional<Route> got_route;
};

void AppendDiff(const char* what, const std::string& expected, const std::string& got,
                std::string* details) {
  size_t at = 0;
  while (at < expected.size() && at < got.size() && expected[at] == got[at]) ++at;
  const size_t from = at > 80 ? at - 80 : 0;
  *details += "    " + std::string(what) + " differs at byte " + std::to_string(at) + ":\n";
  *details += "      expected: \"" + Escape(std::string_view(expected).substr(from), 400) + "\"\n";
  *details += "      got:      \"" + Escape(std::string_view(got).substr(from), 400) + "\"\n";
}

// What a write must reproduce: every node's type, mode and bytes (not its
// mtime: "now" differs between the two runs). The root's generated
// index.md is left out: the reference tree holds it as a plain file.
std::map<std::string, std::string> ContentSnapshot(const fs::path& root) {
  std::map<std::string, std::string> out;
  std::error_code ec;
  for (fs::recursive_directory_iterator it(root, ec), end; !ec && it != end; it.increment(ec)) {
    struct stat st;
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    const std::string rel = fs::relative(it->path(), root).string();
    if (rel == "index.md") continue;
    std::string desc = std::to_string(st.st_mode);
    if (S_ISREG(st.st_mode)) {
      std::string data;
      ReadWholeFile(it->path(), &data);
      desc += " " + std::to_string(st.st_size) + " " + std::to_string(Fnv1a(data));
    }
    out[rel] = desc;
  }
  return out;
}

// The home (host files and the reference mount) and the store back as they
// were before any write command.
bool ResetForWrites(const Context& ctx, std::string* error) {
  ExecSpec spec = Spec(&ctx.env);
  spec.program = "/bin/sh";
  spec.argv = {"sh",
               "-c",
               "rm -rf \"$1\" && cp -a \"$2\" \"$1\" && rm -f \"$3\" \"$3-wal\" \"$3-shm\" && "
               "cp \"$4\" \"$3\" && { [ ! -e \"$4-wal\" ] || cp \"$4-wal\" \"$3-wal\"; }",
               "sh",
               ctx.home.string(),
               (ctx.root / "pristine-home").string(),
               (ctx.root / "write.db").string(),
               (ctx.root / "pristine.db").string()};
  spec.cwd = ctx.root.string();
  const ProcResult r = RunProcess(spec);
  if (r.status != 0 || !r.spawn_error.empty()) {
    *error = "reset failed: " + r.err + r.spawn_error;
    return false;
  }
  return true;
}

void CompareTrees(const char* what, const std::map<std::string, std::string>& want,
                  const std::map<std::string, std::string>& got, Outcome* o) {
  const std::string diff = DiffSnapshots(want, got);
  if (!diff.empty()) o->problems.push_back(std::string(what) + " differs:" + Escape(diff, 400));
}

// A write command: bash on the real home, then memhook (both ways) on a
// copy of the pristine store, from the same home path so that messages
// agree; the memory memhook leaves is exported and compared.
Outcome ReplayWrite(const Context& ctx, const CorpusCommand& cmd) {
  Outcome o;
  std::string error;
  if (!ResetForWrites(ctx, &error)) {
    o.problems.push_back(error);
    return o;
  }
  const std::string cwd = ExpandCwd(ctx, cmd.cwd);
  std::vector<std::string> env = ctx.env;
  for (std::string& e : env) {
    if (e.rfind("MEMHOOK_DB=", 0) == 0) e = "MEMHOOK_DB=" + (ctx.root / "write.db").string();
  }
  const HookReply reply = CallHook(ctx, cmd.command, cwd, cmd.line, &env);
  o.hook_us = reply.elapsed_us;
  o.got_route = reply.route;
  if (!reply.problem.empty()) {
    o.problems.push_back("hook: " + reply.problem);
    return o;
  }
  if (*reply.route != Route::kRun) {
    o.problems.push_back(std::string("route: expected run (a write), got ") +
                         RouteName(*reply.route) + " (" + Escape(reply.reason, 160) + ")");
    return o;
  }
  const ProcResult want = Bash(ctx, cmd.command, cwd);
  const auto want_memory = ContentSnapshot(ctx.mount);
  auto host = [&ctx] {
    auto all = ContentSnapshot(ctx.home);
    for (auto it = all.begin(); it != all.end();) {
      it = it->first.rfind(kMountRel, 0) == 0 ? all.erase(it) : std::next(it);
    }
    return all;
  };
  const auto want_host = host();
  const std::string want_out = cmd.sorted ? SortedLines(want.out, LastLine::kMark) : want.out;
  for (const bool forced : {false, true}) {
    const char* how = forced ? "forced interpreter: " : "";
    if (!ResetForWrites(ctx, &error)) {
      o.problems.push_back(error);
      return o;
    }
    std::vector<std::string> run_env = env;
    if (forced) run_env.push_back("MEMHOOK_FASTPATH=0");
    ExecSpec spec = Spec(&run_env);
    spec.program = ctx.bash;
    spec.argv = {"bash", "-c", reply.rewritten};
    spec.cwd = cwd;
    const ProcResult got = RunProcess(spec);
    const std::string got_out = cmd.sorted ? SortedLines(got.out, LastLine::kMark) : got.out;
    if (got_out != want_out) {
      o.problems.push_back(std::string(how) + "stdout differs");
      AppendDiff("stdout", want_out, got_out, &o.details);
    }
    if (got.err != want.err) {
      o.problems.push_back(std::string(how) + "stderr differs");
      AppendDiff("stderr", want.err, got.err, &o.details);
    }
    if (got.status != want.status) {
      o.problems.push_back(std::string(how) + "status: expected " + std::to_string(want.status) +
                           ", got " + std::to_string(got.status));
    }
    CompareTrees((std::string(how) + "host files").c_str(), want_host, host(), &o);
    // The memory as memhook left it.
    const fs::path exported = ctx.root / "write-export";
    std::error_code ec;
    fs::remove_all(exported, ec);
    ExecSpec ex = Spec(&env);
    ex.program = ctx.options.memhook;
    ex.argv = {ctx.options.memhook, "export", exported.string()};
    ex.cwd = ctx.root.string();
    const ProcResult exp = RunProcess(ex);
    if (exp.status != 0) {
      o.problems.push_back(std::string(how) + "export failed: " + Escape(exp.err, 200));
    } else {
      CompareTrees((std::string(how) + "memory tree").c_str(), want_memory,
                   ContentSnapshot(exported), &o);
    }
    if (!o.problems.empty()) break;
  }
  if (!ResetForWrites(ctx, &error)) o.problems.push_back(error);
  o.passed = o.problems.empty();
  return o;
}

Outcome Replay(const Context& ctx, const CorpusCommand& cmd,
               const std::map<std::string, std::string>& pristine) {
  if (cmd.route == Route::kWrite) return ReplayWrite(ctx, cmd);
  Outcome o;
  const std::string cwd = ExpandCwd(ctx, cmd.cwd);
  const HookReply reply = CallHook(ctx, cmd.command, cwd, cmd.line);
  o.hook_us = reply.elapsed_us;
  o.got_route = reply.route;
  if (!reply.problem.empty()) {
    o.problems.push_back("hook: " + reply.problem);
    return o;
  }
  if (*reply.route != cmd.route) {
    o.problems.push_back(std::string("route: expected ") + RouteName(cmd.route) + ", got " +
                         RouteName(*reply.route) +
                         (reply.reason.empty() ? "" : " (" + Escape(reply.reason, 160) + ")"));
  }

  if (cmd.route == Route::kNext) {
    // Never run the original: it may write. Run the rewrite only if memhook
    // produced a refusal (a `memhook run` rewrite would write too).
    if (reply.route == Route::kPass || reply.route == Route::kRun) return o;
    const ProcResult r = Bash(ctx, reply.rewritten, cwd);
    if (*reply.route == Route::kNext) {
      if (!r.spawn_error.empty() || r.timed_out) {
        o.problems.push_back("rewritten command did not run: " +
                             (r.timed_out ? std::string("timeout") : r.spawn_error));
      } else if (r.status != 126) {
        o.problems.push_back("next-tier status " + std::to_string(r.status) + ", want 126");
      }
      if (!r.out.empty()) o.problems.push_back("next-tier wrote to stdout");
      if (r.err.rfind("memhook: ", 0) != 0 || r.err.empty() || r.err.back() != '\n' ||
          r.err.find('\n') != r.err.size() - 1) {
        o.problems.push_back("next-tier stderr is not one `memhook: ...` line: " +
                             Escape(r.err, 200));
      }
    }
    const std::string changes = DiffSnapshots(pristine, Snapshot(ctx.mount));
    if (!changes.empty()) o.problems.push_back("reference tree changed:" + changes);
    o.passed = o.problems.empty();
    return o;
  }

  // pass / fast: compare with bash on the reference tree. A next-tier
  // answer cannot agree (it exits 126), so only its route is reported.
  if (*reply.route == Route::kNext) return o;
  const ProcResult got =
      Bash(ctx, *reply.route == Route::kPass ? cmd.command : reply.rewritten, cwd);
  const ProcResult want = Bash(ctx, cmd.command, cwd);
  for (const ProcResult* r : {&want, &got}) {
    const char* which = r == &want ? "reference" : "answer";
    if (!r->spawn_error.empty()) o.problems.push_back(std::string(which) + ": " + r->spawn_error);
    if (r->timed_out) o.problems.push_back(std::string(which) + ": timed out after 10 s");
  }
  const std::string want_out = cmd.sorted ? SortedLines(want.out, LastLine::kMark) : want.out;
  const std::string got_out = cmd.sorted ? SortedLines(got.out, LastLine::kMark) : got.out;
  if (want_out != got_out) {
    o.problems.push_back(cmd.sorted ? "stdout differs (as sorted lines)" : "stdout differs");
    AppendDiff("stdout", want_out, got_out, &o.details);
  }
  if (want.err != got.err) {
    o.problems.push_back("stderr differs");
    AppendDiff("stderr", want.err, got.err, &o.details);
  }
  if (want.status != got.status) {
    o.problems.push_back("status: expected " + std::to_string(want.status) + ", got " +
                         std::to_string(got.status));
  }
  if (*reply.route == Route::kFast && ctx.options.verbose) {
    o.details += "    rewritten: " + Escape(reply.rewritten, 300) + "\n";
  }
  // The same command with the fast path forced off: the plain interpreter
  // must give the same bytes.
  if (*reply.route == Route::kFast || *reply.route == Route::kShell) {
    std::vector<std::string> forced_env = ctx.env;
    forced_env.push_back("MEMHOOK_FASTPATH=0");
    const HookReply forced = CallHook(ctx, cmd.command, cwd, cmd.line + 500000, &forced_env);
    if (!forced.problem.empty()) {
      o.problems.push_back("forced interpreter: hook: " + forced.problem);
    } else if (*forced.route != Route::kShell) {
      o.problems.push_back(std::string("forced interpreter: route ") + RouteName(*forced.route) +
                           " (" + Escape(forced.reason, 160) + ")");
    } else {
      const ProcResult again = Bash(ctx, forced.rewritten, cwd);
      const std::string again_out =
          cmd.sorted ? SortedLines(again.out, LastLine::kMark) : again.out;
      if (again_out != want_out || again.err != want.err || again.status != want.status) {
        o.problems.push_back("forced interpreter: the answer differs");
        if (again_out != want_out) AppendDiff("forced stdout", want_out, again_out, &o.details);
        if (again.err != want.err) AppendDiff("forced stderr", want.err, again.err, &o.details);
      }
    }
  }
  o.passed = o.problems.empty();
  return o;
}

struct Row {
  int count = 0;
  int agreed = 0;
  std::vector<double> latencies_ms;
};

void PrintTable(const std::map<std::string, Row>& rows, const char* title) {
  std::printf("%-14s %6s %7s %7s %11s %9s\n", title, "count", "agreed", "failed", "median_ms",
              "p95_ms");
  for (const auto& [name, row] : rows) {
    std::printf("%-14s %6d %7d %7d %11.2f %9.2f\n", name.c_str(), row.count, row.agreed,
                row.count - row.agreed, Percentile(row.latencies_ms, 50),
                Percentile(row.latencies_ms, 95));
  }
}

// Repeated hook calls for the headline latency numbers.
void Bench(const Context& ctx) {
  struct Case {
    const char* label;
    const char* command;
    Route route;
  };
  const Case cases[] = {
      {"fast-path cat", "cat ~/.memhook/memory/MEMORY.md", Route::kFast},
      {"pass-through", "git status --short", Route::kPass},
  };
  std::printf("\nhook latency over %d runs each:\n", kBenchRuns);
  for (const Case& c : cases) {
    std::vector<double> ms;
    std::string note;
    for (int i = 0; i < kBenchRuns; ++i) {
      const HookReply r = CallHook(ctx, c.command, ctx.home.string(), 900000 + i);
      ms.push_back(static_cast<double>(r.elapsed_us) / 1000.0);
      if (!r.problem.empty()) {
        note = " (hook problem: " + r.problem + ")";
      } else if (*r.route != c.route) {
        note =
            std::string(" (route was ") + RouteName(*r.route) + ", not " + RouteName(c.route) + ")";
      }
    }
    std::printf("  %-14s median %.2f ms, p95 %.2f ms  [%s]%s\n", c.label, Percentile(ms, 50),
                Percentile(ms, 95), c.command, note.c_str());
  }
}

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    auto value = [&](std::string* out) {
      if (i + 1 >= argc) return false;
      *out = argv[++i];
      return true;
    };
    if (a == "--memhook") {
      if (!value(&o->memhook)) return false;
    } else if (a == "--corpus") {
      if (!value(&o->corpus)) return false;
    } else if (a == "--filter") {
      if (!value(&o->filter)) return false;
    } else if (a == "--verbose") {
      o->verbose = true;
    } else if (a == "--keep") {
      o->keep = true;
    } else {
      return false;
    }
  }
  return !o->memhook.empty() && !o->corpus.empty();
}

std::string FindInPath(const std::string& name, const std::string& path_var) {
  std::string_view rest = path_var;
  while (true) {
    const size_t colon = rest.find(':');
    const std::string dir(rest.substr(0, colon));
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    if (colon == std::string_view::npos) return "";
    rest.remove_prefix(colon + 1);
  }
}

int Fatal(const std::string& message) {
  std::fprintf(stderr, "corpus_replay: %s\n", message.c_str());
  return 2;
}

int RealMain(int argc, char** argv) {
  Context ctx;
  if (!ParseArgs(argc, argv, &ctx.options)) {
    std::fprintf(stderr,
                 "usage: corpus_replay --memhook PATH --corpus DIR [--filter SUBSTR] [--verbose] "
                 "[--keep]\n");
    return 2;
  }
  // Writing a child's stdin must not kill us when it exits early; children
  // get SIGPIPE back to default before exec.
  ::signal(SIGPIPE, SIG_IGN);
  // Files that bash and memhook create get the same modes.
  ::umask(022);

  std::error_code ec;
  ctx.options.memhook = fs::absolute(ctx.options.memhook, ec).string();
  ctx.options.corpus = fs::absolute(ctx.options.corpus, ec).string();
  if (::access(ctx.options.memhook.c_str(), X_OK) != 0) {
    return Fatal("not executable: " + ctx.options.memhook);
  }
  std::string commands_text;
  if (!ReadWholeFile(fs::path(ctx.options.corpus) / "commands.txt", &commands_text)) {
    return Fatal("cannot read " + ctx.options.corpus + "/commands.txt");
  }
  std::vector<CorpusCommand> commands;
  std::string error;
  if (!ParseCorpus(commands_text, &commands, &error)) return Fatal(error);

  const char* path_env = std::getenv("PATH");
  const std::string path_var = path_env && *path_env ? path_env : "/usr/local/bin:/usr/bin:/bin";
  ctx.bash = FindInPath("bash", path_var);
  if (ctx.bash.empty()) return Fatal("bash not found in PATH");

  const char* tmp = std::getenv("TMPDIR");
  TempDir temp("memhook-corpus", tmp && *tmp ? tmp : "/tmp");
  if (!temp.ok()) return Fatal(std::string("mkdtemp: ") + std::strerror(errno));
  if (ctx.options.keep) temp.Keep();
  ctx.root = temp.path();
  ctx.home = ctx.root / "home";
  ctx.mount = ctx.home / kMountRel;
  if (ctx.options.keep) std::printf("temp root: %s\n", ctx.root.c_str());

  const fs::path src = ctx.root / "src";
  const int64_t now_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
  if (!CopyTree(fs::path(ctx.options.corpus) / "tree", src, &error) ||
      !AssignMtimes(src, now_ns, &error) || !MakeHostFiles(ctx.home, &error)) {
    return Fatal(error);
  }

  ctx.env = {"PATH=" + path_var, "HOME=" + ctx.home.string(),
             "MEMHOOK_DB=" + (ctx.root / "memhook.db").string(), "LC_ALL=C.UTF-8", "TZ=UTC"};
  for (const char* keep : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"}) {
    if (const char* v = std::getenv(keep)) ctx.env.push_back(std::string(keep) + "=" + v);
  }

  for (const std::vector<std::string>& step :
       {std::vector<std::string>{"import", src.string()},
        std::vector<std::string>{"export", ctx.mount.string()}}) {
    ExecSpec spec = Spec(&ctx.env);
    spec.program = ctx.options.memhook;
    spec.argv = {ctx.options.memhook};
    spec.argv.insert(spec.argv.end(), step.begin(), step.end());
    spec.cwd = ctx.root.string();
    spec.timeout_ms = 60'000;
    const ProcResult r = RunProcess(spec);
    if (!r.spawn_error.empty() || r.timed_out || r.status != 0) {
      return Fatal("memhook " + step[0] + " failed (status " + std::to_string(r.status) +
                   "): " + r.spawn_error + Escape(r.err, 500));
    }
  }
  if (!fs::is_directory(ctx.mount, ec)) return Fatal("export did not create " + ctx.mount.string());
  const std::map<std::string, std::string> pristine = Snapshot(ctx.mount);
  // Write commands start from copies of the home and the store as they
  // are now (see ResetForWrites).
  {
    ExecSpec spec = Spec(&ctx.env);
    spec.program = "/bin/sh";
    spec.argv = {"sh",
                 "-c",
                 "cp -a \"$1\" \"$2\" && cp \"$3\" \"$4\" && "
                 "{ [ ! -e \"$3-wal\" ] || cp \"$3-wal\" \"$4-wal\"; }",
                 "sh",
                 ctx.home.string(),
                 (ctx.root / "pristine-home").string(),
                 (ctx.root / "memhook.db").string(),
                 (ctx.root / "pristine.db").string()};
    spec.cwd = ctx.root.string();
    const ProcResult r = RunProcess(spec);
    if (r.status != 0) return Fatal("cannot copy the pristine home and store: " + r.err);
  }

  std::map<std::string, Row> by_type;
  std::map<std::string, Row> by_route;
  int passed = 0, failed = 0;
  for (const CorpusCommand& cmd : commands) {
    if (!ctx.options.filter.empty() && cmd.command.find(ctx.options.filter) == std::string::npos) {
      continue;
    }
    const Outcome o = Replay(ctx, cmd, pristine);
    const double ms = static_cast<double>(o.hook_us) / 1000.0;
    for (Row* row : {&by_type[CommandType(cmd.command)], &by_route[RouteName(cmd.route)]}) {
      ++row->count;
      row->agreed += o.passed ? 1 : 0;
      row->latencies_ms.push_back(ms);
    }
    if (o.passed) {
      ++passed;
      continue;
    }
    ++failed;
    std::printf("FAIL line %d [%s %s] %s\n", cmd.line, RouteName(cmd.route), cmd.cwd.c_str(),
                cmd.command.c_str());
    for (const std::string& p : o.problems) std::printf("    %s\n", p.c_str());
    if (ctx.options.verbose) std::printf("%s", o.details.c_str());
  }

  // No command, fast or otherwise, may have changed the reference tree.
  const std::string changes = DiffSnapshots(pristine, Snapshot(ctx.mount));
  if (!changes.empty())
    std::printf("WARNING: reference tree changed during the run:%s\n", changes.c_str());

  std::printf("\n");
  PrintTable(by_type, "type");
  std::printf("\n");
  PrintTable(by_route, "route");
  if (ctx.options.filter.empty()) Bench(ctx);
  std::printf("\n%d passed, %d failed\n", passed, failed);
  std::fflush(stdout);
  return failed == 0 && changes.empty() ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return RealMain(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "corpus_replay: unexpected error: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "corpus_replay: unexpected error\n");
  }
  return 2;
}
