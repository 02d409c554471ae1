#include "interceptor/doctor.h"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vfs/vfs.h"

namespace memhook::interceptor {

namespace {

using Level = Finding::Level;

// The events memhook registers for each agent, and whether a missing one
// breaks memhook (kFail) or only a feature (kWarn).
struct ExpectedHook {
  const char* event;
  const char* tool;  // a tool the matcher must cover; null: no matcher
  Level if_missing;
  const char* feature;
};
constexpr ExpectedHook kClaudeHooks[] = {
    {"PreToolUse", "Bash", Level::kFail, "commands on the memory run on the real disk"},
    {"PreToolUse", "Read", Level::kWarn, "Read/Write/Edit of memory files miss the store"},
    {"PostToolUse", "Edit", Level::kWarn, "edits of memory files are not imported"},
    {"SessionStart", nullptr, Level::kWarn, "the agent is not told about its memory"},
    {"UserPromptSubmit", nullptr, Level::kWarn, "sessions are not captured"},
    {"Stop", nullptr, Level::kWarn, "sessions are not captured at the end of a turn"},
    {"SubagentStop", nullptr, Level::kWarn, "subagent turns are not captured"},
    {"SessionEnd", nullptr, Level::kWarn,
     "sessions are neither captured nor summarised at the end"},
};
constexpr ExpectedHook kCodexHooks[] = {
    {"PreToolUse", "Bash", Level::kFail, "commands on the memory run on the real disk"},
    {"SessionStart", nullptr, Level::kWarn, "the agent is not told about its memory"},
    {"Stop", nullptr, Level::kWarn, "sessions are not captured"},
};

// Claude Code's matcher: empty or "*" matches every tool; letters, digits,
// '_' and '|' are an exact list; anything else is a regular expression (a
// plain substring test stands in for it here).
bool MatcherCovers(const std::string& matcher, const std::string& tool) {
  if (matcher.empty() || matcher == "*") return true;
  if (matcher.find_first_not_of(
          "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_|") ==
      std::string::npos) {
    std::stringstream list(matcher);
    std::string item;
    while (std::getline(list, item, '|'))
      if (item == tool) return true;
    return false;
  }
  return matcher.find(tool) != std::string::npos || matcher.find(".*") != std::string::npos;
}

// The program a hook command runs: its first word, unquoted.
std::string CommandProgram(const std::string& command) {
  std::string word;
  size_t i = command.find_first_not_of(" \t");
  if (i == std::string::npos) return word;
  char quote = 0;
  for (; i < command.size(); ++i) {
    const char c = command[i];
    if (quote != 0) {
      if (c == quote) {
        quote = 0;
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (c == ' ' || c == '\t') {
      break;
    } else {
      word += c;
    }
  }
  return word;
}

bool IsMemhookProgram(const std::string& program) {
  const std::string base = program.substr(program.rfind('/') + 1);
  return base == "memhook" || base == "memhook-front";
}

bool SameFile(const std::string& a, const std::string& b) {
  struct stat sa, sb;
  return stat(a.c_str(), &sa) == 0 && stat(b.c_str(), &sb) == 0 && sa.st_dev == sb.st_dev &&
         sa.st_ino == sb.st_ino;
}

std::string HomePath(const Config& config, const std::string& path) {
  return path.rfind(config.home, 0) == 0 ? "~" + path.substr(config.home.size()) : path;
}

// Reads a JSON settings file; nullopt-like false when missing.
enum class Loaded { kMissing, kBad, kOk };
Loaded LoadJson(const std::string& path, nlohmann::json* out, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Loaded::kMissing;
  std::stringstream text;
  text << in.rdbuf();
  if (text.str().find_first_not_of(" \t\r\n") == std::string::npos) {
    *out = nlohmann::json::object();
    return Loaded::kOk;
  }
  try {
    *out = nlohmann::json::parse(text.str());
  } catch (const std::exception& e) {
    *error = e.what();
    return Loaded::kBad;
  }
  return Loaded::kOk;
}

// Checks one agent's hook files (several scopes; together they are merged).
void CheckAgentHooks(const Config& config, const DoctorContext& context, const char* agent,
                     const std::vector<std::string>& files, const ExpectedHook* expected,
                     size_t expected_count, const char* install, std::vector<Finding>* out) {
  std::vector<bool> found(expected_count, false);
  bool any_file = false;
  std::vector<std::string> siblings;
  std::vector<std::string> binaries;
  for (const std::string& file : files) {
    nlohmann::json settings;
    std::string error;
    Loaded loaded = LoadJson(file, &settings, &error);
    if (loaded == Loaded::kMissing) continue;
    any_file = true;
    if (loaded == Loaded::kBad) {
      out->push_back({Level::kFail,
                      std::string(agent) + ": " + HomePath(config, file) + " is not valid JSON (" +
                          error + ")",
                      std::string("fix the file by hand (the agent ignores it as it is), then `") +
                          install + "`"});
      continue;
    }
    const nlohmann::json* hooks = &settings;
    if (settings.is_object() && settings.contains("hooks")) hooks = &settings["hooks"];
    if (!hooks->is_object()) continue;
    for (const auto& [event, groups] : hooks->items()) {
      if (!groups.is_array()) continue;
      for (const nlohmann::json& group : groups) {
        if (!group.is_object() || !group.contains("hooks") || !group["hooks"].is_array()) continue;
        const std::string matcher =
            group.contains("matcher") && group["matcher"].is_string() ? group["matcher"] : "";
        for (const nlohmann::json& handler : group["hooks"]) {
          if (!handler.is_object() || !handler.contains("command") ||
              !handler["command"].is_string())
            continue;
          const std::string program = CommandProgram(handler["command"]);
          if (!IsMemhookProgram(program)) {
            if (event == "PreToolUse" && MatcherCovers(matcher, "Bash"))
              siblings.push_back(HomePath(config, file) + ": " +
                                 handler["command"].get<std::string>());
            continue;
          }
          binaries.push_back(program);
          for (size_t i = 0; i < expected_count; ++i) {
            if (event != expected[i].event) continue;
            if (expected[i].tool == nullptr || MatcherCovers(matcher, expected[i].tool))
              found[i] = true;
          }
        }
      }
    }
  }
  if (!any_file) {
    out->push_back({Level::kWarn,
                    std::string(agent) + ": no hook settings (" + HomePath(config, files.front()) +
                        " is missing)",
                    std::string("if you use ") + agent + ": `" + install + "`"});
    return;
  }
  for (size_t i = 0; i < expected_count; ++i) {
    std::string what = std::string(agent) + ": " + expected[i].event +
                       (expected[i].tool ? std::string(" (") + expected[i].tool + ")" : "");
    if (found[i]) {
      out->push_back({Level::kOk, what + " hook registered", ""});
    } else {
      out->push_back({expected[i].if_missing, what + " hook missing: " + expected[i].feature,
                      std::string("`") + install + "`"});
    }
  }
  for (const std::string& program : binaries) {
    std::string resolved = program;
    if (resolved.rfind("~/", 0) == 0) resolved = config.home + resolved.substr(1);
    if (access(resolved.c_str(), X_OK) != 0) {
      out->push_back({Level::kFail,
                      std::string(agent) + ": the registered hook " + program + " cannot be run",
                      std::string("`") + install + "` with the memhook you use now"});
      break;
    }
    std::string sibling_memhook = resolved.substr(0, resolved.rfind('/') + 1) + "memhook";
    if (!context.self_path.empty() && !SameFile(sibling_memhook, context.self_path)) {
      out->push_back({Level::kWarn,
                      std::string(agent) + ": the hooks run " + program + ", not this memhook (" +
                          context.self_path + ")",
                      std::string("`") + install + "` from the memhook you mean to use"});
      break;
    }
  }
  for (const std::string& sibling : siblings) {
    out->push_back(
        {Level::kWarn,
         std::string(agent) + ": another PreToolUse hook also sees Bash commands: " + sibling,
         "when several PreToolUse hooks answer one call, Claude Code may drop "
         "memhook's rewritten command and run the original on the disk; narrow that "
         "hook's matcher or make sure it prints nothing for commands on the memory"});
  }
}

void CheckPrivateDirectory(const Config& config, const std::string& dir, const char* role,
                           bool required, std::vector<Finding>* out) {
  struct stat st;
  if (lstat(dir.c_str(), &st) != 0) {
    if (required)
      out->push_back({Level::kWarn, std::string(role) + " " + dir + " does not exist yet",
                      "nothing to do: memhook creates it (mode 0700) when needed"});
    else
      out->push_back({Level::kOk, std::string(role) + " " + dir + " not created yet", ""});
    return;
  }
  (void)config;
  if (S_ISLNK(st.st_mode) || !S_ISDIR(st.st_mode)) {
    out->push_back({Level::kFail, std::string(role) + " " + dir + " is not a directory",
                    "remove it; memhook recreates it privately"});
    return;
  }
  if (st.st_uid != geteuid()) {
    out->push_back({Level::kFail,
                    std::string(role) + " " + dir + " belongs to another user (uid " +
                        std::to_string(st.st_uid) + ")",
                    "remove it (as its owner or root); memhook recreates it privately"});
    return;
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    out->push_back({Level::kWarn, std::string(role) + " " + dir + " has mode " + mode,
                    "chmod 700 " + dir + " (memhook also tightens it on its next use)"});
    return;
  }
  out->push_back({Level::kOk, std::string(role) + " " + dir + " is private (0700, yours)", ""});
}

// Files under `dir`, and how many are older than `age_ns`.
void CountFiles(const std::string& dir, int64_t now_ns, int64_t age_ns, size_t* files,
                size_t* old) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    const std::string path = dir + "/" + name;
    struct stat st;
    if (lstat(path.c_str(), &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      CountFiles(path, now_ns, age_ns, files, old);
    } else {
      ++*files;
      const int64_t mtime = int64_t{st.st_mtim.tv_sec} * 1'000'000'000 + st.st_mtim.tv_nsec;
      if (now_ns - mtime > age_ns) ++*old;
    }
  }
  closedir(d);
}

}  // namespace

std::vector<Finding> RunDoctor(const Config& config, const DoctorContext& context) {
  std::vector<Finding> out;
  // 1. Hook registration.
  CheckAgentHooks(config, context, "Claude Code",
                  {config.home + "/.claude/settings.json", context.cwd + "/.claude/settings.json",
                   context.cwd + "/.claude/settings.local.json"},
                  kClaudeHooks, std::size(kClaudeHooks), "memhook install claude", &out);
  CheckAgentHooks(config, context, "Codex",
                  {config.home + "/.codex/hooks.json", context.cwd + "/.codex/hooks.json"},
                  kCodexHooks, std::size(kCodexHooks), "memhook install codex", &out);

  // 2. The database.
  struct stat st;
  if (stat(config.db_path.c_str(), &st) != 0) {
    out.push_back({Level::kWarn, "database " + HomePath(config, config.db_path) + " does not exist",
                   "`memhook import DIR` (or the first write) creates it"});
  } else {
    vfs::StoreOptions options;
    options.read_only = true;
    options.create_if_missing = false;
    vfs::Status status;
    std::unique_ptr<vfs::Store> store = vfs::OpenSqliteStore(config.db_path, options, &status);
    std::string integrity;
    if (!store) {
      out.push_back({Level::kFail,
                     "database " + config.db_path + " does not open: " + status.message(),
                     "check its permissions; restore it from a backup if it is damaged"});
    } else if (!(status = store->CheckIntegrity(&integrity)).ok() || integrity != "ok") {
      out.push_back({Level::kFail,
                     "database integrity_check: " +
                         (status.ok() ? integrity.substr(0, 200) : status.message()),
                     "copy the database aside, then `memhook export DIR` what still reads and "
                     "`memhook import DIR` into a new one"});
    } else {
      out.push_back({Level::kOk,
                     "database " + HomePath(config, config.db_path) + ": integrity_check ok (" +
                         std::to_string(st.st_size / 1024) + " KiB)",
                     ""});
    }
    struct stat wal;
    const std::string wal_path = config.db_path + "-wal";
    if (stat(wal_path.c_str(), &wal) == 0) {
      const int64_t mib = wal.st_size >> 20;
      if (mib >= 64) {
        out.push_back({Level::kWarn,
                       "write-ahead log " + wal_path + " is " + std::to_string(mib) + " MiB",
                       "a long-running reader keeps SQLite from checkpointing: end stray "
                       "`memhook` processes; the next write then folds it back"});
      } else {
        out.push_back(
            {Level::kOk, "write-ahead log " + std::to_string(wal.st_size / 1024) + " KiB", ""});
      }
    }
  }

  // 3. Spool and staging directories.
  CheckPrivateDirectory(config, config.spool_dir, "spool directory", false, &out);
  const std::string staging = config.spool_dir + "/files";
  CheckPrivateDirectory(config, staging, "staging directory", false, &out);
  size_t files = 0, old = 0;
  CountFiles(staging, context.now_ns, int64_t{3600} * 1'000'000'000, &files, &old);
  if (old > 0) {
    out.push_back({Level::kWarn,
                   std::to_string(old) + " staged file(s) older than an hour in " + staging,
                   "a Write/Edit whose PostToolUse hook never ran: check that PostToolUse is "
                   "registered; they are swept after an hour"});
  } else {
    out.push_back({Level::kOk, std::to_string(files) + " staged file(s) pending", ""});
  }

  // 4. A real directory at the mount path.
  if (lstat(config.mount.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
    size_t real_files = 0, unused = 0;
    CountFiles(config.mount, context.now_ns, 0, &real_files, &unused);
    if (real_files > 0) {
      out.push_back({Level::kWarn,
                     "a real directory with " + std::to_string(real_files) +
                         " file(s) exists at the mount " + config.mount,
                     "commands on the mount read the store, not these files: `memhook import " +
                         config.mount + "` brings them in, then remove the directory"});
    }
  }
  return out;
}

int DoctorCommand(const Config& config, const std::vector<std::string>& args) {
  if (!args.empty()) {
    std::fputs("usage: memhook doctor\n", stderr);
    return 2;
  }
  DoctorContext context;
  char buffer[4096];
  context.cwd = getcwd(buffer, sizeof buffer) != nullptr ? buffer : "/";
  const ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
  if (n > 0) context.self_path.assign(buffer, static_cast<size_t>(n));
  timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  context.now_ns = int64_t{ts.tv_sec} * 1'000'000'000 + ts.tv_nsec;
  bool failed = false;
  std::string text;
  for (const Finding& f : RunDoctor(config, context)) {
    const char* tag = f.level == Level::kOk ? "ok  " : f.level == Level::kWarn ? "warn" : "FAIL";
    failed |= f.level == Level::kFail;
    text += std::string(tag) + "  " + f.what + "\n";
    if (!f.fix.empty()) text += "      fix: " + f.fix + "\n";
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return failed ? 1 : 0;
}

}  // namespace memhook::interceptor
