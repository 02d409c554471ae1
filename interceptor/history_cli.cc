// memhook log / show / undo / restore, and rm (a removal the user can undo).
#include "interceptor/history_cli.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "interceptor/paths.h"
#include "vfs/vfs.h"

namespace memhook::interceptor {
namespace {

constexpr size_t kPathsPerChange = 20;  // `log` lists at most this many paths per change

int Fail(const std::string& verb, const std::string& message) {
  std::fprintf(stderr, "memhook: %s: %s\n", verb.c_str(), message.c_str());
  return 1;
}

int UsageError(const std::string& verb) {
  static constexpr struct {
    const char* verb;
    const char* usage;
  } kUsage[] = {
      {"log", "memhook log [PATH] [--session ID] [-n N]"},
      {"show", "memhook show PATH[@CHANGE]"},
      {"undo", "memhook undo [CHANGE]"},
      {"restore", "memhook restore PATH@CHANGE"},
      {"rm", "memhook rm PATH..."},
  };
  for (const auto& u : kUsage) {
    if (verb == u.verb) std::fprintf(stderr, "usage: %s\n", u.usage);
  }
  return 2;
}

bool ParseId(std::string_view text, int64_t* id) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != text.npos)
    return false;
  *id = std::stoll(std::string(text));
  return *id > 0;
}

// A memory path as the user typed it (absolute, ~/..., or relative to the
// cwd inside the mount, else to the mount) as a VFS path.
bool ToVfsPath(const Config& config, const std::string& cwd, const std::string& typed,
               std::string* vfs_path) {
  std::string absolute;
  if (typed.rfind("~/", 0) == 0) {
    absolute = config.home + typed.substr(1);
  } else if (!typed.empty() && typed[0] == '/') {
    absolute = typed;
  } else {
    const bool cwd_inside = cwd == config.mount || cwd.rfind(config.mount + "/", 0) == 0;
    absolute = (cwd_inside ? cwd : config.mount) + "/" + typed;
  }
  absolute = NormalisePath(absolute);
  if (absolute == config.mount) {
    vfs_path->clear();
    return true;
  }
  if (absolute.rfind(config.mount + "/", 0) != 0) return false;
  *vfs_path = absolute.substr(config.mount.size() + 1);
  return true;
}

// "PATH@CHANGE" -> path and id (0 when there is no @CHANGE; an '@' not
// followed by a change number is part of the name).
void SplitVersion(const std::string& arg, std::string* path, int64_t* id) {
  *id = 0;
  const size_t at = arg.rfind('@');
  if (at != std::string::npos && ParseId(std::string_view(arg).substr(at + 1), id)) {
    *path = arg.substr(0, at);
  } else {
    *path = arg;
  }
}

std::string FormatTime(int64_t ns) {
  const time_t seconds = static_cast<time_t>(ns / 1000000000);
  struct tm tm;
  char text[64];
  if (localtime_r(&seconds, &tm) == nullptr ||
      std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S %Z", &tm) == 0) {
    return std::to_string(ns);
  }
  return text;
}

std::unique_ptr<vfs::Store> OpenStore(const Config& config, bool writable, std::string* error) {
  vfs::StoreOptions options = WritableStoreOptions(config);
  options.read_only = !writable;
  options.create_if_missing = writable;
  vfs::Status status;
  std::unique_ptr<vfs::Store> store = vfs::OpenSqliteStore(config.db_path, options, &status);
  if (!store) *error = status.message();
  return store;
}

std::string CurrentDirectory() {
  char buffer[4096];
  return getcwd(buffer, sizeof buffer) != nullptr ? buffer : "/";
}

vfs::Store::ChangeInfo CliChange(const std::vector<std::string>& argv, const std::string& cwd,
                                 const char* origin) {
  std::string command = "memhook";
  for (const std::string& arg : argv) command += " " + arg;
  const char* session = std::getenv("MEMHOOK_SESSION_ID");
  return {command, session != nullptr ? session : "", cwd, origin};
}

int Log(const Config& config, const std::vector<std::string>& args, const std::string& cwd) {
  vfs::Store::ChangeFilter filter;
  for (size_t i = 0; i < args.size(); ++i) {
    int64_t n = 0;
    if (args[i] == "--session" && i + 1 < args.size()) {
      filter.session_id = args[++i];
    } else if (args[i] == "-n" && i + 1 < args.size() && ParseId(args[i + 1], &n)) {
      filter.limit = static_cast<size_t>(n);
      ++i;
    } else if (!args[i].empty() && args[i][0] != '-' && filter.path.empty()) {
      if (!ToVfsPath(config, cwd, args[i], &filter.path))
        return Fail("log", "'" + args[i] + "' is not in the memory (" + config.mount + ")");
    } else {
      return UsageError("log");
    }
  }
  std::string error;
  std::unique_ptr<vfs::Store> store = OpenStore(config, false, &error);
  if (!store) return Fail("log", error);
  std::vector<vfs::Store::ChangeRecord> changes;
  vfs::Status st = store->ListChanges(filter, &changes);
  if (!st.ok()) return Fail("log", st.message());
  std::string out;
  for (const vfs::Store::ChangeRecord& c : changes) {
    out += "change " + std::to_string(c.id) + "  " + FormatTime(c.time_ns);
    if (!c.info.session_id.empty()) out += "  session " + c.info.session_id;
    out += "  (" + c.info.origin;
    if (c.undoes != 0) out += ", undoes " + std::to_string(c.undoes);
    if (c.undone_by != 0) out += ", undone by " + std::to_string(c.undone_by);
    out += ")\n    " + c.info.command + "\n";
    for (size_t i = 0; i < c.paths.size() && i < kPathsPerChange; ++i) {
      // + created, - removed, ~ changed: the states around the change.
      vfs::Store::Version before, after;
      char mark = '~';
      if (store->ReadVersion(c.paths[i], c.id - 1, &before).ok() &&
          store->ReadVersion(c.paths[i], c.id, &after).ok()) {
        if (!before.exists && after.exists) mark = '+';
        if (before.exists && !after.exists) mark = '-';
        const bool dir = (after.exists ? after.kind : before.kind) == vfs::NodeKind::kDirectory;
        out += std::string("    ") + mark + " " + c.paths[i] + (dir ? "/" : "") + "\n";
      }
    }
    if (c.paths.size() > kPathsPerChange) {
      out += "    ... and " + std::to_string(c.paths.size() - kPathsPerChange) + " more\n";
    }
  }
  std::fwrite(out.data(), 1, out.size(), stdout);
  return 0;
}

int Show(const Config& config, const std::vector<std::string>& args, const std::string& cwd) {
  if (args.size() != 1) return UsageError("show");
  std::string typed, path;
  int64_t id = 0;
  SplitVersion(args[0], &typed, &id);
  if (!ToVfsPath(config, cwd, typed, &path))
    return Fail("show", "'" + typed + "' is not in the memory (" + config.mount + ")");
  std::string error;
  std::unique_ptr<vfs::Store> store = OpenStore(config, false, &error);
  if (!store) return Fail("show", error);
  vfs::Store::Version version;
  vfs::Status st = store->ReadVersion(path, id == 0 ? -1 : id, &version);
  if (!st.ok()) return Fail("show", st.message());
  const std::string when = id == 0 ? "now" : "after change " + std::to_string(id);
  if (!version.exists) return Fail("show", "'" + typed + "' did not exist " + when);
  if (version.kind == vfs::NodeKind::kDirectory)
    return Fail("show", "'" + typed + "' was a directory " + when);
  std::fwrite(version.bytes.data(), 1, version.bytes.size(), stdout);
  return 0;
}

int Undo(const Config& config, const std::vector<std::string>& args, const std::string& cwd) {
  int64_t id = 0;
  if (args.size() > 1 || (args.size() == 1 && !ParseId(args[0], &id))) return UsageError("undo");
  std::string error;
  std::unique_ptr<vfs::Store> store = OpenStore(config, true, &error);
  if (!store) return Fail("undo", error);
  std::vector<std::string> argv = {"undo"};
  argv.insert(argv.end(), args.begin(), args.end());
  int64_t undone = 0;
  vfs::Status st = store->Undo(id, CliChange(argv, cwd, "undo"), &undone);
  if (!st.ok()) return Fail("undo", st.message());
  std::vector<vfs::Store::ChangeRecord> latest;
  vfs::Store::ChangeFilter filter;
  filter.limit = 1;
  std::string what;
  if (store->ListChanges(filter, &latest).ok() && !latest.empty()) {
    what = " (as change " + std::to_string(latest[0].id) + ")";
  }
  std::printf("memhook: undid change %lld%s\n", static_cast<long long>(undone), what.c_str());
  return 0;
}

int Restore(const Config& config, const std::vector<std::string>& args, const std::string& cwd) {
  if (args.size() != 1) return UsageError("restore");
  std::string typed, path;
  int64_t id = 0;
  SplitVersion(args[0], &typed, &id);
  if (id == 0) return UsageError("restore");
  if (!ToVfsPath(config, cwd, typed, &path))
    return Fail("restore", "'" + typed + "' is not in the memory (" + config.mount + ")");
  std::string error;
  std::unique_ptr<vfs::Store> store = OpenStore(config, true, &error);
  if (!store) return Fail("restore", error);
  vfs::Status st = store->Restore(path, id, CliChange({"restore", args[0]}, cwd, "restore"));
  if (!st.ok()) return Fail("restore", st.message());
  std::printf("memhook: restored %s as it was after change %lld\n", typed.c_str(),
              static_cast<long long>(id));
  return 0;
}

// Files or whole directories, all of them or none (one change). Options are
// refused rather than ignored: `rm -rf` habits must not silently mean
// something else; `--` ends them for a path that starts with '-'.
int Rm(const Config& config, const std::vector<std::string>& args, const std::string& cwd) {
  std::vector<std::string> typed;
  bool options_done = false;
  for (const std::string& arg : args) {
    if (!options_done && arg == "--") {
      options_done = true;
    } else if (!options_done && arg.size() > 1 && arg[0] == '-') {
      return UsageError("rm");
    } else {
      typed.push_back(arg);
    }
  }
  if (typed.empty()) return UsageError("rm");
  std::vector<std::string> paths;
  for (const std::string& t : typed) {
    std::string path;
    if (!ToVfsPath(config, cwd, t, &path))
      return Fail("rm", "'" + t + "' is not in the memory (" + config.mount + ")");
    if (path.empty()) return Fail("rm", "cannot remove the memory's root '" + t + "'");
    paths.push_back(std::move(path));
  }
  std::string error;
  std::unique_ptr<vfs::Store> store = OpenStore(config, true, &error);
  if (!store) return Fail("rm", error);
  std::vector<std::string> argv = {"rm"};
  argv.insert(argv.end(), args.begin(), args.end());
  vfs::Status st = store->BeginChange(CliChange(argv, cwd, "rm"));
  if (!st.ok()) return Fail("rm", st.message());
  for (size_t i = 0; i < paths.size(); ++i) {
    vfs::Stat stat;
    st = store->GetStat(paths[i], &stat);
    // Named twice, or inside a directory named before: already gone.
    const bool gone = std::any_of(paths.begin(), paths.begin() + i, [&](const std::string& p) {
      return paths[i] == p || paths[i].rfind(p + "/", 0) == 0;
    });
    if (gone) continue;
    if (st.ok()) st = store->Remove(paths[i]);
    if (!st.ok()) {
      store->RollbackChange();
      const bool missing = st.IsNotFound() || st.code() == vfs::Status::Code::kNotADirectory;
      return Fail("rm",
                  "cannot remove '" + typed[i] + "': " +
                      (missing ? "no such file or directory (nothing was removed)" : st.message()));
    }
  }
  int64_t change_id = 0;
  st = store->CommitChange(&change_id);
  if (!st.ok()) return Fail("rm", st.message());
  std::printf("memhook: removed %zu path%s (change %lld; memhook undo puts %s back)\n",
              paths.size(), paths.size() == 1 ? "" : "s", static_cast<long long>(change_id),
              paths.size() == 1 ? "it" : "them");
  return 0;
}

}  // namespace

bool IsHistoryVerb(const std::string& verb) {
  return verb == "log" || verb == "show" || verb == "undo" || verb == "restore" || verb == "rm";
}

int HistoryCommand(const Config& config, const std::string& verb,
                   const std::vector<std::string>& args, const std::string& cwd) {
  const std::string where = NormalisePath(cwd.empty() ? CurrentDirectory() : cwd);
  if (verb == "log") return Log(config, args, where);
  if (verb == "show") return Show(config, args, where);
  if (verb == "undo") return Undo(config, args, where);
  if (verb == "restore") return Restore(config, args, where);
  if (verb == "rm") return Rm(config, args, where);
  return UsageError(verb);
}

}  // namespace memhook::interceptor
