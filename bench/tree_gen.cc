#include "bench/tree_gen.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <set>
#include <string_view>

namespace memhook::bench {
namespace {

constexpr int kMonths = 36;           // 2023-01 .. 2025-12
constexpr int64_t kFirstDay = 19358;  // 2023-01-01, days since the epoch
constexpr int kSessionEventsSample = 60;

constexpr std::string_view kTopics[] = {
    "ledger",  "payments", "admin-ui", "ci",      "deploys",    "oncall",  "migrations", "auth",
    "billing", "refunds",  "webhooks", "search",  "infra",      "metrics", "alerts",     "docs",
    "testing", "perf",     "security", "release", "onboarding", "api",     "storage",    "queue"};

// The ordinary vocabulary: none of the planted words appears here.
constexpr std::string_view kWords[] = {
    "the",         "a",           "to",         "of",        "and",       "in",         "for",
    "with",        "on",          "when",       "after",     "before",    "because",    "we",
    "it",          "this",        "that",       "is",        "was",       "not",        "now",
    "config",      "config",      "config",     "service",   "request",   "response",   "handler",
    "endpoint",    "refund",      "payment",    "ledger",    "account",   "balance",    "invoice",
    "customer",    "merchant",    "settlement", "batch",     "job",       "worker",     "queue",
    "retry",       "timeout",     "error",      "failure",   "success",   "test",       "flaky",
    "fixture",     "mock",        "database",   "migration", "schema",    "column",     "index",
    "query",       "transaction", "lock",       "row",       "table",     "cache",      "redis",
    "postgres",    "kafka",       "topic",      "consumer",  "producer",  "event",      "webhook",
    "signature",   "token",       "session",    "user",      "admin",     "dashboard",  "export",
    "import",      "report",      "metric",     "alert",     "latency",   "throughput", "deploy",
    "release",     "branch",      "commit",     "review",    "merge",     "pipeline",   "build",
    "lint",        "staging",     "production", "rollback",  "feature",   "flag",       "default",
    "value",       "field",       "struct",     "interface", "function",  "method",     "package",
    "module",      "import",      "logger",     "trace",     "span",      "context",    "deadline",
    "cancel",      "channel",     "goroutine",  "mutex",     "race",      "condition",  "order",
    "idempotency", "key",         "header",     "body",      "status",    "code",       "409",
    "500",         "nil",         "pointer",    "panic",     "recover",   "wrap",       "unwrap",
    "sqlc",        "generated",   "helper",     "fix",       "bug",       "issue",      "ticket",
    "plan",        "design",      "doc",        "note",      "follow-up", "owner",      "team",
    "tomorrow",    "yesterday",   "slow",       "fast",      "old",       "new",        "first",
    "last",        "every",       "night",      "UTC"};

constexpr std::string_view kCodePaths[] = {"internal/ledger/refund.go",
                                           "internal/store/queries/refunds.sql",
                                           "web/src/api/client.ts",
                                           "cmd/worker/main.go",
                                           "internal/flags/flags.go",
                                           "internal/settlement/batch.go",
                                           "Makefile",
                                           ".github/workflows/ci.yml",
                                           "internal/webhook/verify.go",
                                           "migrations/0042_refund_idempotency.sql",
                                           "web/src/pages/Export.tsx",
                                           "internal/store/tx.go"};

constexpr std::string_view kBranches[] = {
    "main",       "feat/refund-idempotency", "fix/settlement-flake", "feat/admin-export",
    "chore/deps", "fix/webhook-retry",       "feat/search-index",    "release/2025.3"};

// splitmix64: small, fast, and the same on every platform.
class Rng {
 public:
  explicit Rng(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  uint64_t Below(uint64_t n) { return Next() % n; }
  int Range(int lo, int hi) {
    return lo + static_cast<int>(Below(static_cast<uint64_t>(hi - lo + 1)));
  }
  bool PerMille(int p) { return Below(1000) < static_cast<uint64_t>(p); }
  template <size_t N>
  std::string_view Pick(const std::string_view (&a)[N]) {
    return a[Below(N)];
  }

 private:
  uint64_t state_;
};

struct Date {
  int year, month, day;
};

// Howard Hinnant's civil_from_days.
Date CivilFromDays(int64_t z) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int d = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int m = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return {static_cast<int>(yoe + era * 400 + (m <= 2 ? 1 : 0)), m, d};
}

int64_t DaysFromCivil(int y, int m, int d) {
  y -= m <= 2 ? 1 : 0;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

std::string Format(const char* fmt, auto... args) {
  char buf[128];
  std::snprintf(buf, sizeof buf, fmt, args...);
  return buf;
}

std::string Hex(Rng& rng, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < digits; ++i) s += kHex[rng.Below(16)];
  return s;
}

std::string Uuid(Rng& rng) {
  return Hex(rng, 8) + "-" + Hex(rng, 4) + "-4" + Hex(rng, 3) + "-a" + Hex(rng, 3) + "-" +
         Hex(rng, 12);
}

void AppendJsonString(std::string_view s, std::string* out) {
  *out += '"';
  for (char c : s) {
    switch (c) {
      case '"':
        *out += "\\\"";
        break;
      case '\\':
        *out += "\\\\";
        break;
      case '\n':
        *out += "\\n";
        break;
      case '\t':
        *out += "\\t";
        break;
      default:
        *out += c;
    }
  }
  *out += '"';
}

// What one file must contain besides its ordinary text.
struct Plant {
  bool rare = false;
  bool alt_a = false;
  bool alt_b = false;
};

void AppendSentence(Rng& rng, std::string* out) {
  const int n = rng.Range(6, 16);
  for (int i = 0; i < n; ++i) {
    std::string_view w = rng.Pick(kWords);
    if (i > 0) *out += ' ';
    if (i == 0) {
      *out += static_cast<char>(w[0] >= 'a' && w[0] <= 'z' ? w[0] - 32 : w[0]);
      *out += w.substr(1);
    } else if (rng.PerMille(40)) {
      *out += '`';
      *out += rng.Pick(kCodePaths);
      *out += '`';
    } else {
      *out += w;
    }
  }
  *out += rng.PerMille(100) ? ':' : '.';
}

// The planted sentences, one per planted word.
std::vector<std::string> PlantedSentences(const Plant& plant) {
  std::vector<std::string> s;
  if (plant.rare) s.push_back("Root cause was the quokkafix retry loop in the ledger worker.");
  if (plant.alt_a) s.push_back("Saw a deadlock between the refund job and the settlement batch.");
  if (plant.alt_b) s.push_back("The consumer group hit a livelock while rebalancing partitions.");
  return s;
}

std::string Title(Rng& rng) {
  std::string t;
  const int n = rng.Range(2, 5);
  for (int i = 0; i < n; ++i) {
    if (i > 0) t += ' ';
    t += rng.Pick(kWords);
  }
  return t;
}

std::string Summary(Rng& rng, const Date& d, const Plant& plant) {
  std::string out = "# Session summary — " + Title(rng) + "\n\n";
  out += Format("Date: %04d-%02d-%02d\n", d.year, d.month, d.day);
  out += "Session: " + Uuid(rng) + "\n";
  out += "Branch: `" + std::string(rng.Pick(kBranches)) + "`\n\n## What happened\n";
  std::vector<std::string> planted = PlantedSentences(plant);
  const int bullets = rng.Range(3, 8);
  for (int i = 0; i < bullets; ++i) {
    out += "- ";
    AppendSentence(rng, &out);
    out += '\n';
    if (i == 1) {
      for (const std::string& p : planted) out += "- " + p + "\n";
    }
  }
  out += "\n## Decisions\n";
  for (int i = rng.Range(1, 4); i > 0; --i) {
    out += "- ";
    AppendSentence(rng, &out);
    out += '\n';
  }
  out += "\n## Follow-ups\n";
  for (int i = rng.Range(1, 3); i > 0; --i) {
    out += rng.PerMille(300) ? "- [x] " : "- [ ] ";
    AppendSentence(rng, &out);
    out += '\n';
  }
  return out;
}

std::string Note(Rng& rng, std::string_view topic, const Plant& plant) {
  std::string out = "# " + std::string(topic) + ": " + Title(rng) + "\n\n";
  for (int i = rng.Range(2, 5); i > 0; --i) {
    AppendSentence(rng, &out);
    out += ' ';
  }
  out.back() = '\n';
  std::vector<std::string> planted = PlantedSentences(plant);
  for (int section = rng.Range(1, 3); section > 0; --section) {
    out += "\n## " + Title(rng) + "\n\n";
    for (int i = rng.Range(2, 6); i > 0; --i) {
      out += "- ";
      AppendSentence(rng, &out);
      out += '\n';
    }
    for (const std::string& p : planted) out += "- " + p + "\n";
    planted.clear();
    if (rng.PerMille(250)) {
      out +=
          "\n```go\nif err := store.Refund(ctx, key); err != nil {\n"
          "\treturn fmt.Errorf(\"refund: %w\", err)\n}\n```\n";
    }
  }
  return out;
}

std::string Session(Rng& rng, int64_t day, const Plant& plant, int events) {
  const std::string session_id = Uuid(rng);
  const std::string project = "/home/dev/" + std::string(rng.Pick(kTopics));
  const std::string branch(rng.Pick(kBranches));
  std::vector<std::string> planted = PlantedSentences(plant);
  // Put the planted sentences in one event near the middle.
  const int plant_at = events / 2;
  int64_t ms = (day * 86400 + rng.Range(7 * 3600, 20 * 3600)) * 1000;
  std::string parent;
  std::string out;
  std::string pending_tool;  // tool_use id awaiting its result
  for (int e = 0; e < events; ++e) {
    const bool user = e % 2 == 0;
    const std::string uuid = Uuid(rng);
    ms += rng.Range(2'000, 40'000);
    const int64_t secs = ms / 1000;
    const Date d = CivilFromDays(secs / 86400);
    const int64_t sod = secs % 86400;
    const std::string stamp = Format("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", d.year, d.month, d.day,
                                     static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                                     static_cast<int>(sod % 60), static_cast<int>(ms % 1000));
    std::string text;
    for (int i = rng.Range(1, user ? 2 : 4); i > 0; --i) {
      AppendSentence(rng, &text);
      text += rng.PerMille(300) ? "\n\n" : " ";
    }
    if (e == plant_at) {
      for (const std::string& p : planted) text += p + " ";
    }
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n')) text.pop_back();

    out += "{\"parentUuid\":";
    out += parent.empty() ? "null" : "\"" + parent + "\"";
    out += ",\"isSidechain\":false,\"userType\":\"external\",\"cwd\":\"" + project +
           "\",\"sessionId\":\"" + session_id + "\",\"version\":\"2.0.37\",\"gitBranch\":\"" +
           branch + "\",\"type\":\"" + (user ? "user" : "assistant") + "\",\"uuid\":\"" + uuid +
           "\",\"timestamp\":\"" + stamp + "\",";
    if (user) {
      out += "\"message\":{\"role\":\"user\",\"content\":";
      if (!pending_tool.empty()) {
        out += "[{\"tool_use_id\":\"" + pending_tool + "\",\"type\":\"tool_result\",\"content\":";
        AppendJsonString(text, &out);
        out += ",\"is_error\":false}]";
        pending_tool.clear();
      } else {
        AppendJsonString(text, &out);
      }
      out += "}}\n";
    } else {
      out += "\"requestId\":\"req_011C" + Hex(rng, 18) + "\",\"message\":{\"id\":\"msg_01" +
             Hex(rng, 22) +
             "\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-"
             "20250929\",\"content\":[{\"type\":\"text\",\"text\":";
      AppendJsonString(text, &out);
      out += "}";
      if (rng.PerMille(400)) {
        pending_tool = "toolu_01" + Hex(rng, 22);
        std::string command = "grep -rn \"" + std::string(rng.Pick(kWords)) + "\" " +
                              std::string(rng.Pick(kCodePaths));
        out += ",{\"type\":\"tool_use\",\"id\":\"" + pending_tool +
               "\",\"name\":\"Bash\",\"input\":{\"command\":";
        AppendJsonString(command, &out);
        out += ",\"description\":\"Search the code\"}}";
      }
      out += Format(
          "],\"stop_reason\":\"%s\",\"usage\":{\"input_tokens\":%d,\"cache_read_input_tokens\":%d,"
          "\"output_tokens\":%d}}}\n",
          pending_tool.empty() ? "end_turn" : "tool_use", rng.Range(3, 4000), rng.Range(0, 90000),
          rng.Range(20, 2000));
    }
    parent = uuid;
  }
  return out;
}

std::string Memory() {
  return "# Memory\n\n"
         "Long-lived facts for this workspace. Details live in notes/, one summary per\n"
         "session in summaries/, raw session logs in sessions/.\n\n"
         "## Project\n"
         "- Repo: `payments-api` (Go service + TypeScript admin UI in `web/`).\n"
         "- CI runs `make check`; staging deploys from `main` every night.\n\n"
         "## Conventions\n"
         "- Error wrapping: `fmt.Errorf(\"op: %w\", err)`.\n"
         "- SQL lives in `internal/store/queries/*.sql`, generated with sqlc.\n";
}

class TreeWriter {
 public:
  TreeWriter(std::string root, std::string* error) : root_(std::move(root)), error_(error) {}

  bool MakeDirs(const std::string& rel) {
    if (rel.empty() || dirs_.count(rel)) return true;
    const size_t slash = rel.rfind('/');
    if (slash != std::string::npos && !MakeDirs(rel.substr(0, slash))) return false;
    const std::string path = root_ + "/" + rel;
    if (::mkdir(path.c_str(), 0755) != 0 && errno != EEXIST) return Fail("mkdir " + path);
    dirs_.insert(rel);
    return true;
  }

  bool Write(const std::string& rel, std::string_view data, int64_t mtime_s) {
    const size_t slash = rel.rfind('/');
    if (slash != std::string::npos && !MakeDirs(rel.substr(0, slash))) return false;
    const std::string path = root_ + "/" + rel;
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) return Fail("open " + path);
    size_t done = 0;
    bool ok = true;
    while (ok && done < data.size()) {
      const ssize_t n = ::write(fd, data.data() + done, data.size() - done);
      if (n < 0 && errno == EINTR) continue;
      ok = n > 0;
      if (ok) done += static_cast<size_t>(n);
    }
    const timespec times[2] = {{mtime_s, 0}, {mtime_s, 0}};
    ok = ok && ::futimens(fd, times) == 0;
    ok = (::close(fd) == 0) && ok;
    if (!ok) return Fail("write " + path);
    return true;
  }

  // Gives every directory the same fixed mtime, once all files are written.
  bool StampDirs(int64_t mtime_s) {
    const timespec times[2] = {{mtime_s, 0}, {mtime_s, 0}};
    for (const std::string& rel : dirs_) {
      const std::string path = root_ + "/" + rel;
      if (::utimensat(AT_FDCWD, path.c_str(), times, 0) != 0) return Fail("utimensat " + path);
    }
    return true;
  }

  uint64_t dir_count() const { return dirs_.size(); }

 private:
  bool Fail(const std::string& what) {
    *error_ = what + ": " + std::strerror(errno);
    return false;
  }

  std::string root_;
  std::string* error_;
  std::set<std::string> dirs_;
};

}  // namespace

bool GenerateTree(const std::string& root, uint64_t files, uint64_t seed, TreeManifest* manifest,
                  std::string* error) {
  if (files < 20) {
    *error = "a tree needs at least 20 files";
    return false;
  }
  if (::mkdir(root.c_str(), 0755) != 0 && errno != EEXIST) {
    *error = "mkdir " + root + ": " + std::strerror(errno);
    return false;
  }
  *manifest = TreeManifest{};
  TreeWriter writer(root, error);
  const int64_t last_day = DaysFromCivil(2025, 12, 31);
  const std::string memory = Memory();
  if (!writer.Write("MEMORY.md", memory, last_day * 86400)) return false;
  manifest->files = 1;
  manifest->bytes = memory.size();

  const uint64_t n = files - 1;  // generated files, j in [0, n)
  const uint64_t rare = std::min<uint64_t>(kRareFileCount, n);
  // Spread over the tree and over the kinds: summary, note, session, ...
  std::set<uint64_t> rare_at;
  for (uint64_t k = 0; k < rare; ++k) {
    const uint64_t base = k * n / rare + n / (2 * rare);
    uint64_t j = std::min(base - base % 10 + (k * 3) % 10, n - 1);
    while (rare_at.count(j)) --j;
    rare_at.insert(j);
  }

  for (uint64_t j = 0; j < n; ++j) {
    Rng rng(seed * 0x100000001b3ULL ^ (j + 1) * 0x9e3779b97f4a7c15ULL);
    const int month = static_cast<int>(rng.Below(kMonths));
    const int year = 2023 + month / 12;
    const int mon = month % 12 + 1;
    const int dom = rng.Range(1, 28);
    const int64_t day = DaysFromCivil(year, mon, dom);
    const Date date{year, mon, dom};
    Plant plant;
    plant.rare = rare_at.count(j) > 0;
    plant.alt_a = rng.PerMille(15);
    plant.alt_b = rng.PerMille(15);
    const int64_t mtime = day * 86400 + rng.Range(0, 86399);
    const uint64_t kind = j % 10;
    std::string rel, data;
    if (kind < 6) {
      std::string slug(rng.Pick(kWords));
      slug += "-";
      slug += rng.PerMille(20) ? std::string_view(kFindWord) : rng.Pick(kWords);
      if (kind < 3) {
        const std::string dir = Format("summaries/%04d-%02d", year, mon);
        rel = dir + Format("/%04d-%02d-%02d-", year, mon, dom) + slug + "-" + std::to_string(j) +
              ".md";
        data = Summary(rng, date, plant);
        if (j == 0) {
          manifest->summary_file = rel;
          manifest->summary_month_dir = dir;
        }
      } else {
        const std::string_view topic = rng.Pick(kTopics);
        rel = "notes/" + std::string(topic) + "/" + slug + "-" + std::to_string(j) + ".md";
        data = Note(rng, topic, plant);
        if (manifest->note_file.empty()) manifest->note_file = rel;
      }
    } else {
      const std::string dir = Format("sessions/%04d-%02d", year, mon);
      const bool sample = j == 6;
      rel = dir + "/" + Uuid(rng) + ".jsonl";
      data = Session(rng, day, plant, sample ? kSessionEventsSample : rng.Range(4, 16));
      if (sample) {
        manifest->session_file = rel;
        manifest->session_month_dir = dir;
      }
    }
    if (!writer.Write(rel, data, mtime)) return false;
    if (plant.rare) manifest->rare_files.push_back(rel);
    ++manifest->files;
    manifest->bytes += data.size();
  }
  if (!writer.StampDirs(last_day * 86400)) return false;
  manifest->dirs = writer.dir_count();
  return true;
}

}  // namespace memhook::bench
