#include "interceptor/stats.h"

#include <time.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>

namespace memhook::interceptor {

namespace {

int64_t NowNs() {
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
}

std::unique_ptr<vfs::Store> OpenForStats(const Config& config, bool writable, int lock_budget_ms,
                                         std::string* error) {
  vfs::StoreOptions options = WritableStoreOptions(config);
  options.read_only = !writable;
  // Logging never creates a store: the hook reports a missing one as such.
  options.create_if_missing = false;
  options.write_lock_timeout_ms = lock_budget_ms;
  vfs::Status status;
  std::unique_ptr<vfs::Store> store = vfs::OpenSqliteStore(config.db_path, options, &status);
  if (!store) *error = status.message();
  return store;
}

// Routes in the order the report lists them, with what each means.
struct RouteRow {
  const char* route;
  const char* meaning;
  bool answered_in_hook;  // counts as a fast-path hit
};
constexpr RouteRow kRoutes[] = {
    {"fast-path", "answered in the hook (read-only profile, SQL pushdowns)", true},
    {"shell", "answered in the hook by the plain interpreter", true},
    {"run", "rewritten to `memhook run` (writes or host files)", false},
    {"next-tier", "refused (not supported exactly, or a limit)", false},
    {"file-tool", "Read/Write/Edit/MultiEdit on a memory path", false},
    {"capture", "session transcript lines captured", false},
    {"context", "SessionStart context given", false},
};

double Percentile(std::vector<int64_t> values, double p) {
  if (values.empty()) return NAN;
  std::sort(values.begin(), values.end());
  const double rank = p / 100.0 * static_cast<double>(values.size() - 1);
  const size_t lo = static_cast<size_t>(std::floor(rank));
  const size_t hi = std::min(values.size() - 1, lo + 1);
  const double frac = rank - static_cast<double>(lo);
  return static_cast<double>(values[lo]) * (1 - frac) + static_cast<double>(values[hi]) * frac;
}

std::string Ms(double us) {
  if (std::isnan(us)) return "-";
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", us / 1000.0);
  return text;
}

std::string Bytes(int64_t n) {
  char text[32];
  if (n < 10 * 1024) {
    std::snprintf(text, sizeof text, "%lld B", static_cast<long long>(n));
  } else if (n < 10 * 1024 * 1024) {
    std::snprintf(text, sizeof text, "%.1f KiB", static_cast<double>(n) / 1024);
  } else {
    std::snprintf(text, sizeof text, "%.1f MiB", static_cast<double>(n) / (1024 * 1024));
  }
  return text;
}

std::string Pad(std::string text, size_t width) {
  if (text.size() < width) text.append(width - text.size(), ' ');
  return text;
}

std::string PadLeft(std::string text, size_t width) {
  if (text.size() < width) text.insert(0, width - text.size(), ' ');
  return text;
}

std::string FormatWhen(int64_t ns) {
  const time_t seconds = static_cast<time_t>(ns / 1'000'000'000);
  struct tm tm;
  char text[64];
  if (localtime_r(&seconds, &tm) == nullptr ||
      std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm) == 0)
    return std::to_string(ns);
  return text;
}

// Latency histogram buckets (upper bounds in microseconds).
constexpr int64_t kBuckets[] = {500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, INT64_MAX};
constexpr const char* kBucketNames[] = {"< 0.5 ms", "< 1 ms",  "< 2 ms",   "< 5 ms",   "< 10 ms",
                                        "< 20 ms",  "< 50 ms", "< 100 ms", ">= 100 ms"};

bool ParseSince(const std::vector<std::string>& args, size_t* i, int64_t* since_ns,
                std::string* since_text) {
  if (args[*i] != "--since" || *i + 1 >= args.size()) return false;
  int64_t span = 0;
  if (!ParseDuration(args[*i + 1], &span)) return false;
  *since_ns = NowNs() - span;
  *since_text = args[*i + 1];
  ++*i;
  return true;
}

}  // namespace

std::string CommandKind(std::string_view command) {
  size_t start = command.find_first_not_of(" \t\n");
  if (start == std::string_view::npos) return "(empty)";
  // Leading assignments (LC_ALL=C grep ...) are not the command.
  while (true) {
    size_t end = command.find_first_of(" \t\n;|&<>()", start);
    std::string_view word =
        command.substr(start, end == std::string_view::npos ? end : end - start);
    size_t eq = word.find('=');
    if (eq == std::string_view::npos || eq == 0 || end == std::string_view::npos) break;
    size_t next = command.find_first_not_of(" \t\n", end);
    if (next == std::string_view::npos) break;
    start = next;
  }
  size_t end = command.find_first_of(" \t\n;|&<>()", start);
  std::string kind(command.substr(start, end == std::string_view::npos ? end : end - start));
  if (kind.empty()) kind = std::string(1, command[start]);
  const size_t slash = kind.rfind('/');
  if (slash != std::string::npos && slash + 1 < kind.size()) kind = kind.substr(slash + 1);
  if (kind.size() > 32) kind.resize(32);
  if (end != std::string_view::npos && command.find_first_of(";|&", end) != std::string_view::npos)
    kind += "+pipe";
  return kind;
}

void LogHookCalls(const Config& config, const std::vector<vfs::Store::HookCall>& calls,
                  int lock_budget_ms) {
  std::string error;
  std::unique_ptr<vfs::Store> store = OpenForStats(config, true, lock_budget_ms, &error);
  if (!store) return;
  for (const vfs::Store::HookCall& call : calls) (void)store->LogHookCall(call);
}

bool ParseDuration(std::string_view text, int64_t* ns) {
  if (text.size() < 2) return false;
  struct Unit {
    char suffix;
    int64_t seconds;
  };
  static constexpr Unit kUnits[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}, {'w', 604800}};
  const char suffix = text.back();
  const std::string_view digits = text.substr(0, text.size() - 1);
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string_view::npos)
    return false;
  for (const Unit& unit : kUnits) {
    if (unit.suffix != suffix) continue;
    *ns = std::stoll(std::string(digits)) * unit.seconds * 1'000'000'000;
    return true;
  }
  return false;
}

std::string FormatStats(const std::vector<vfs::Store::HookCall>& calls, std::string_view since) {
  std::string out =
      "memhook stats" +
      (since.empty() ? std::string(" (everything logged)") : " (last " + std::string(since) + ")") +
      ": " + std::to_string(calls.size()) + " hook calls touched the memory\n";
  if (calls.empty()) return out + "(pass-through calls are never logged)\n";
  std::map<std::string, size_t> per_route;
  std::map<std::string, std::vector<int64_t>> per_kind;
  std::vector<int64_t> latencies;
  int64_t served = 0, captured = 0, errors = 0, writes = 0, answered = 0;
  for (const vfs::Store::HookCall& call : calls) {
    ++per_route[call.route];
    latencies.push_back(call.latency_us);
    if (call.route == "capture") {
      captured += call.bytes;
      continue;
    }
    if (call.route == "context") continue;
    per_kind[call.kind].push_back(call.latency_us);
    if (call.route == "fast-path" || call.route == "shell") {
      ++answered;
      served += call.bytes;
    }
    if (call.route == "run") ++writes;
    if (!call.error.empty()) ++errors;
  }
  out += "\nroute       calls  share  meaning\n";
  for (const RouteRow& row : kRoutes) {
    auto it = per_route.find(row.route);
    if (it == per_route.end()) continue;
    char share[16];
    std::snprintf(share, sizeof share, "%5.1f%%",
                  100.0 * static_cast<double>(it->second) / static_cast<double>(calls.size()));
    out += Pad(row.route, 10) + PadLeft(std::to_string(it->second), 7) + "  " + share + "  " +
           row.meaning + "\n";
  }
  const size_t commands = calls.size() - per_route["capture"] - per_route["context"];
  if (commands > 0) {
    char rate[32];
    std::snprintf(rate, sizeof rate, "%.1f%%",
                  100.0 * static_cast<double>(answered) / static_cast<double>(commands));
    out += "\nfast-path hit rate: " + std::string(rate) + " (" + std::to_string(answered) + " of " +
           std::to_string(commands) + " commands answered inside the hook)\n";
  }
  out += "latency (ms): p50 " + Ms(Percentile(latencies, 50)) + "  p95 " +
         Ms(Percentile(latencies, 95)) + "  p99 " + Ms(Percentile(latencies, 99)) + "\n";
  out += "bytes served: " + Bytes(served) +
         "; commands sent to `memhook run`: " + std::to_string(writes) +
         "; errors: " + std::to_string(errors) + "; captured: " + Bytes(captured) + "\n";

  out += "\ncommand type        calls   p50 ms   p95 ms   p99 ms\n";
  std::vector<std::pair<std::string, std::vector<int64_t>>> kinds(per_kind.begin(), per_kind.end());
  std::stable_sort(kinds.begin(), kinds.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  for (size_t i = 0; i < kinds.size() && i < 15; ++i) {
    const auto& [kind, values] = kinds[i];
    out += Pad(kind, 18) + PadLeft(std::to_string(values.size()), 7) +
           PadLeft(Ms(Percentile(values, 50)), 9) + PadLeft(Ms(Percentile(values, 95)), 9) +
           PadLeft(Ms(Percentile(values, 99)), 9) + "\n";
  }
  if (kinds.size() > 15) out += "(" + std::to_string(kinds.size() - 15) + " more types)\n";

  size_t counts[std::size(kBuckets)] = {};
  for (int64_t us : latencies) {
    for (size_t b = 0; b < std::size(kBuckets); ++b) {
      if (us < kBuckets[b]) {
        ++counts[b];
        break;
      }
    }
  }
  const size_t most = *std::max_element(std::begin(counts), std::end(counts));
  out += "\nlatency histogram\n";
  for (size_t b = 0; b < std::size(kBuckets); ++b) {
    const size_t bar = most == 0 ? 0 : (counts[b] * 40 + most - 1) / most;
    std::string bars;
    for (size_t k = 0; k < bar; ++k) bars += "\u2588";
    out += PadLeft(kBucketNames[b], 10) + " " + PadLeft(std::to_string(counts[b]), 7) + " " + bars +
           "\n";
  }
  return out;
}

int StatsCommand(const Config& config, const std::vector<std::string>& args) {
  int64_t since_ns = 0;
  std::string since_text;
  for (size_t i = 0; i < args.size(); ++i) {
    if (!ParseSince(args, &i, &since_ns, &since_text)) {
      std::fputs("usage: memhook stats [--since DURATION]   (DURATION: 90s, 30m, 1h, 7d, 2w)\n",
                 stderr);
      return 2;
    }
  }
  std::string error;
  std::unique_ptr<vfs::Store> store = OpenForStats(config, false, 0, &error);
  if (!store) {
    std::fprintf(stderr, "memhook: stats: %s\n", error.c_str());
    return 1;
  }
  std::vector<vfs::Store::HookCall> calls;
  vfs::Status status = store->ListHookCalls(since_ns, &calls);
  if (!status.ok()) {
    std::fprintf(stderr, "memhook: stats: %s\n", status.message().c_str());
    return 1;
  }
  const std::string report = FormatStats(calls, since_text);
  std::fwrite(report.data(), 1, report.size(), stdout);
  return 0;
}

int ErrorLogCommand(const Config& config, const std::vector<std::string>& args) {
  int64_t since_ns = 0;
  std::string since_text;
  size_t limit = 50;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--errors") continue;
    if (args[i] == "-n" && i + 1 < args.size() &&
        args[i + 1].find_first_not_of("0123456789") == std::string::npos && !args[i + 1].empty() &&
        args[i + 1].size() < 9) {
      limit = static_cast<size_t>(std::stoul(args[++i]));
      continue;
    }
    if (ParseSince(args, &i, &since_ns, &since_text)) continue;
    std::fputs("usage: memhook log --errors [--since DURATION] [-n N]\n", stderr);
    return 2;
  }
  std::string error;
  std::unique_ptr<vfs::Store> store = OpenForStats(config, false, 0, &error);
  if (!store) {
    std::fprintf(stderr, "memhook: log: %s\n", error.c_str());
    return 1;
  }
  std::vector<vfs::Store::HookCall> calls;
  vfs::Status status = store->ListHookCalls(since_ns, &calls);
  if (!status.ok()) {
    std::fprintf(stderr, "memhook: log: %s\n", status.message().c_str());
    return 1;
  }
  std::string out;
  size_t shown = 0;
  for (auto it = calls.rbegin(); it != calls.rend() && shown < limit; ++it) {
    if (it->error.empty()) continue;
    ++shown;
    out += FormatWhen(it->time_ns) + "  " + it->event + "  " + it->route + "  " + it->kind +
           "  status " + std::to_string(it->status) + "\n    " + it->error + "\n";
  }
  if (shown == 0) out = "memhook: no errors logged\n";
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

}  // namespace memhook::interceptor
