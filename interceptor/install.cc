// memhook install / uninstall (see install.h).
//
// Design: every file is handled by a TargetFormat (the hooks JSON of Claude
// Code and Codex, or the marked block of AGENTS.md) with three pure
// functions over the file's bytes: Install (add or update memhook's
// entries), Strip (remove them) and OwnParams (what memhook's entries in a
// file were made from: the program word, or the block). PlanInstall reads
// the files and decides with them alone; ApplyInstall is the only code that
// writes. uninstall recognises "nobody changed the file since install" by
// recomputing: Install(backup, params found in the file) == file.
#include "interceptor/install.h"

#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

namespace memhook::interceptor {
namespace {

using Json = nlohmann::ordered_json;  // keeps the user's key order
using vfs::Status;

constexpr int kHookTimeoutSeconds = 30;
// Codex clamps SessionEnd handlers to 3 s and warns at every start about a
// file that asks for more.
constexpr int kCodexSessionEndTimeoutSeconds = 3;
constexpr std::string_view kBackupSuffix = ".memhook-backup";
constexpr std::string_view kBlockBegin = "<!-- memhook:begin -->";
constexpr std::string_view kBlockEnd = "<!-- memhook:end -->";
// A hook handler is memhook's own when its command's program is a file of
// one of these names, in any directory (so a new binary path updates it).
constexpr std::string_view kOwnPrograms[] = {"memhook", "memhook-front"};

constexpr std::string_view kClaudeLabel = "Claude Code hooks";
constexpr std::string_view kCodexLabel = "Codex hooks";
constexpr std::string_view kNoteLabel = "the memory note";

// ---------------------------------------------------------------------------
// What memhook registers.

struct Slot {
  std::string_view event;
  std::string_view matcher;  // "" = no "matcher" key (every occurrence)
  int timeout;
};

// Claude Code (hooks reference): PreToolUse of Bash answers commands that
// name the mount, PreToolUse of the file tools stages memory paths;
// PostToolUse takes "*", documented (like "" or no matcher) to match every
// tool: the file tools' import and session capture share one handler. The
// session events match every occurrence without a matcher (UserPromptSubmit
// and Stop take none; SessionStart/SessionEnd/SubagentStop would filter on
// the source, reason or agent type).
constexpr Slot kClaudeSlots[] = {
    {"PreToolUse", "Bash", kHookTimeoutSeconds},
    {"PreToolUse", "Read|Write|Edit|MultiEdit", kHookTimeoutSeconds},
    {"PostToolUse", "*", kHookTimeoutSeconds},
    {"UserPromptSubmit", "", kHookTimeoutSeconds},
    {"Stop", "", kHookTimeoutSeconds},
    {"SubagentStop", "", kHookTimeoutSeconds},
    {"SessionStart", "", kHookTimeoutSeconds},
    {"SessionEnd", "", kHookTimeoutSeconds},
};

// Codex (hooks.json: the same event -> matcher groups -> handlers shape,
// "timeout" in seconds). Its shell tool reaches hooks as "Bash". PostToolUse
// has no matcher: every Codex version matches all tools then, while "*"
// is understood only by recent ones (older ones reject it as a regex).
// Events an older Codex does not know are ignored by it.
constexpr Slot kCodexSlots[] = {
    {"PreToolUse", "Bash", kHookTimeoutSeconds},        {"PostToolUse", "", kHookTimeoutSeconds},
    {"UserPromptSubmit", "", kHookTimeoutSeconds},      {"Stop", "", kHookTimeoutSeconds},
    {"SubagentStop", "", kHookTimeoutSeconds},          {"SessionStart", "", kHookTimeoutSeconds},
    {"SessionEnd", "", kCodexSessionEndTimeoutSeconds},
};

// The command of every handler: memhook-front, beside memhook. The
// agent starts it for every tool call and every session event, so it is
// kept small: it decides a Bash command that cannot name the mount at the
// cost of a bare process start, and hands everything else to memhook's
// warm hook server, or execs memhook (interceptor/front.c, server.h).
// `program` is memhook's shell word, perhaps quoted.
std::string HookCommand(std::string_view program, bool codex) {
  std::string front(program);
  const size_t quote = !front.empty() && (front.back() == '\'' || front.back() == '"')
                           ? front.size() - 1
                           : front.size();
  front.insert(quote, "-front");
  return front + (codex ? " hook --codex" : " hook");
}

// `path` as one shell word: as is when it needs no quoting, else quoted.
std::string ShellWord(std::string_view path) {
  const bool plain = !path.empty() && std::all_of(path.begin(), path.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || std::strchr("/._-+:@%,=", c) != nullptr;
  });
  return plain ? std::string(path) : ShellQuote(path);
}

// The AGENTS.md block ("\n" line ends, no final newline).
std::string NoteBlock(const std::string& mount) {
  std::string m = "`" + mount + "`";
  std::string text;
  text += kBlockBegin;
  text += "\n## Memory (memhook)\n\n";
  text += "Your long-term memory is the directory\n" + m + ".\n";
  text += "It is virtual: memhook answers every shell command that names it from its own\n";
  text += "store, byte for byte as if it were a real directory. Read and search it with\n";
  text += "ordinary commands (`cat`, `grep -rn`, `ls`, `find`, `head`, `tail`, `wc`,\n";
  text += "`jq`, `sed`, `awk`, pipes); other programs cannot open files there, so pipe a\n";
  text += "file into them (`cat " + mount + "/notes.md | python3 -c ...`).\n\n";
  text += "Write to it with ordinary commands too (`>` and `>>`, here-documents, `tee`,\n";
  text += "`mkdir`, `cp`, `mv`, `rm`, `sed -i`). A command that writes runs through\n";
  text += "`memhook run`: when it is blocked, run the exact `memhook run ...` command you\n";
  text += "are given instead. Every change is recorded: `memhook log` lists them and\n";
  text += "`memhook undo` takes the last one back.\n\n";
  text += "Layout:\n";
  text += "- `index.md`: the index of the memory, kept up to date by memhook\n";
  text += "- `*.md`: notes, one subject per file\n";
  text += "- `sessions/<YYYY-MM>/<id>.jsonl`: session logs, one JSON object per line\n";
  text += "- `summaries/`: summaries of past sessions\n";
  text += kBlockEnd;
  return text;
}

// ---------------------------------------------------------------------------
// Small helpers.

Status Invalid(std::string message) {
  return Status::Error(Status::Code::kInvalidArgument, std::move(message));
}

Status IoError(const std::string& what, const std::string& path, int err) {
  return Status::Error(Status::Code::kIoError, what + " " + path + ": " + std::strerror(err));
}

bool IsBlank(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // a UTF-8 BOM
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

bool EndsWith(std::string_view text, std::string_view suffix) {
  return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

std::string Dirname(const std::string& path) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

struct FileState {
  bool exists = false;
  std::string bytes;
};

// Reads `path` (through a symlink); *real_path gets the file the bytes
// live in. A missing file is not an error.
Status ReadState(const std::string& path, FileState* state, std::string* real_path) {
  *state = FileState();
  if (real_path != nullptr) *real_path = path;
  struct stat st;
  if (lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return IoError("cannot read", path, errno);
  }
  std::string target = path;
  if (S_ISLNK(st.st_mode)) {
    char resolved[PATH_MAX];
    if (realpath(path.c_str(), resolved) == nullptr) {
      return Status::Error(Status::Code::kIoError,
                           path + " is a symlink to a missing file; fix or remove the link");
    }
    target = resolved;
  }
  int fd = open(target.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError("cannot read", path, errno);
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Status::Error(Status::Code::kIoError, path + " is not a regular file");
  }
  std::string bytes;
  char buffer[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      return IoError("cannot read", path, err);
    }
    if (n == 0) break;
    bytes.append(buffer, static_cast<size_t>(n));
  }
  close(fd);
  state->exists = true;
  state->bytes = std::move(bytes);
  if (real_path != nullptr) *real_path = target;
  return Status::Ok();
}

// The process umask, read without changing it (umask(2) can only set it).
mode_t CurrentUmask() {
  mode_t mask = 022;
  if (FILE* f = std::fopen("/proc/self/status", "re")) {
    char line[256];
    while (std::fgets(line, sizeof line, f) != nullptr) {
      if (std::strncmp(line, "Umask:", 6) == 0) {
        mask = static_cast<mode_t>(std::strtoul(line + 6, nullptr, 8));
        break;
      }
    }
    std::fclose(f);
  }
  return mask;
}

// Writes `bytes` to `path` atomically: a temporary file in the same
// directory, fsync, rename, fsync of the directory. The new file takes the
// mode and owner of `like` when given (the file it replaces), else 0666
// less the umask.
Status WriteAtomic(const std::string& path, std::string_view bytes, const struct stat* like) {
  const std::string dir = Dirname(path);
  std::string temp = dir + "/." + path.substr(path.rfind('/') + 1) + ".memhook-XXXXXX";
  int fd = mkostemp(temp.data(), O_CLOEXEC);
  if (fd < 0) return IoError("cannot write", path, errno);
  auto fail = [&](int err) {
    close(fd);
    unlink(temp.c_str());
    return IoError("cannot write", path, err);
  };
  for (size_t done = 0; done < bytes.size();) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno);
    done += static_cast<size_t>(n);
  }
  const mode_t mode = like != nullptr ? (like->st_mode & 07777) : (0666 & ~CurrentUmask());
  if (fchmod(fd, mode) != 0) return fail(errno);
  if (like != nullptr && (like->st_uid != geteuid() || like->st_gid != getegid())) {
    // Only root may give a file away; anyone else keeps their own.
    if (fchown(fd, like->st_uid, like->st_gid) != 0) {
    }
  }
  if (fsync(fd) != 0) return fail(errno);
  if (close(fd) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return IoError("cannot write", path, err);
  }
  if (rename(temp.c_str(), path.c_str()) != 0) {
    int err = errno;
    unlink(temp.c_str());
    return IoError("cannot write", path, err);
  }
  int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return Status::Ok();
}

Status MakeDirs(const std::string& path) {
  for (size_t pos = 1; pos <= path.size(); ++pos) {
    if (pos != path.size() && path[pos] != '/') continue;
    const std::string prefix = path.substr(0, pos);
    if (mkdir(prefix.c_str(), 0777) != 0 && errno != EEXIST) {
      return IoError("cannot create directory", prefix, errno);
    }
  }
  struct stat st;
  if (stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    return Status::Error(Status::Code::kIoError, path + " is not a directory");
  }
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// The first word of a shell command, as written and unquoted.

struct ShellWordParts {
  std::string raw;    // the bytes of the command that form it
  std::string value;  // after quote removal
};

std::optional<ShellWordParts> FirstShellWord(std::string_view command) {
  size_t i = command.find_first_not_of(" \t");
  if (i == std::string_view::npos) return std::nullopt;
  const size_t start = i;
  std::string value;
  while (i < command.size()) {
    const char c = command[i];
    if (std::strchr(" \t\n;&|<>()", c) != nullptr) break;
    if (c == '\'') {
      size_t close = command.find('\'', i + 1);
      if (close == std::string_view::npos) return std::nullopt;
      value.append(command.substr(i + 1, close - i - 1));
      i = close + 1;
    } else if (c == '"') {
      for (++i; i < command.size() && command[i] != '"'; ++i) {
        if (command[i] == '\\' && i + 1 < command.size() &&
            std::strchr("\"\\$`", command[i + 1]) != nullptr) {
          ++i;
        }
        value += command[i];
      }
      if (i >= command.size()) return std::nullopt;
      ++i;
    } else if (c == '\\' && i + 1 < command.size()) {
      value += command[i + 1];
      i += 2;
    } else {
      value += c;
      ++i;
    }
  }
  return ShellWordParts{std::string(command.substr(start, i - start)), std::move(value)};
}

// The program word (as written) of a handler that is memhook's own.
std::optional<std::string> OwnProgram(const Json& handler) {
  if (!handler.is_object()) return std::nullopt;
  auto type = handler.find("type");
  if (type != handler.end() && !(type->is_string() && *type == "command")) return std::nullopt;
  auto command = handler.find("command");
  if (command == handler.end() || !command->is_string()) return std::nullopt;
  std::optional<ShellWordParts> word = FirstShellWord(command->get_ref<const std::string&>());
  if (!word) return std::nullopt;
  std::string_view base = word->value;
  if (size_t slash = base.rfind('/'); slash != std::string_view::npos) {
    base.remove_prefix(slash + 1);
  }
  for (std::string_view own : kOwnPrograms) {
    if (base == own) return word->raw;
  }
  return std::nullopt;
}

// "*", "" and no matcher all match every occurrence.
std::string CanonicalMatcher(std::string_view matcher) {
  return matcher.empty() ? "*" : std::string(matcher);
}

std::string GroupMatcher(const Json& group) {
  auto matcher = group.find("matcher");
  if (matcher == group.end() || matcher->is_null()) return "*";
  if (!matcher->is_string()) return matcher->dump();  // never one of ours
  return CanonicalMatcher(matcher->get_ref<const std::string&>());
}

std::string JsonTypeName(const Json& value) { return value.type_name(); }

std::string CleanJsonError(std::string message) {
  // nlohmann prefixes "[json.exception.parse_error.101] ".
  if (!message.empty() && message[0] == '[') {
    if (size_t close = message.find("] "); close != std::string::npos) message.erase(0, close + 2);
  }
  return message;
}

Status ParseJson(const std::string& path, const FileState& file, Json* root) {
  if (!file.exists || IsBlank(file.bytes)) {
    *root = Json::object();
    return Status::Ok();
  }
  try {
    *root = Json::parse(file.bytes);
  } catch (const Json::exception& e) {
    return Invalid(path + ": not valid JSON (" + CleanJsonError(e.what()) + ")");
  }
  if (!root->is_object()) {
    return Invalid(path + ": the top level is " + JsonTypeName(*root) + ", not a JSON object");
  }
  return Status::Ok();
}

Status DumpJson(const std::string& path, const Json& root, std::string* out) {
  try {
    *out = root.dump(2) + "\n";
  } catch (const Json::exception& e) {
    return Invalid(path + ": cannot write JSON (" + CleanJsonError(e.what()) + ")");
  }
  return Status::Ok();
}

struct DesiredHandler {
  const Slot* slot;
  std::string command;
};

// Makes memhook's handlers in root["hooks"] exactly `desired`: a handler of
// memhook's in a group whose matcher fits a wanted slot is updated in place
// (command, type, timeout; its other keys kept); others of memhook's are
// removed; wanted handlers not found are appended, each in a group of its
// own. Groups, event arrays and the "hooks" object that memhook's removals
// leave empty are removed unless `original` (the file before memhook, may
// be null) had them. Everything that is not memhook's stays where it is.
Status EditHooks(const std::string& path, const std::vector<Slot>& slots,
                 const std::vector<DesiredHandler>& desired, const Json* original, Json* root) {
  // The events memhook writes must hold arrays (the agent would reject the
  // file anyway), whether this edit adds to them or removes from them.
  if (auto hooks = root->find("hooks"); hooks != root->end()) {
    if (!hooks->is_object()) {
      return Invalid(path + ": \"hooks\" is " + JsonTypeName(*hooks) + ", not an object");
    }
    for (const Slot& slot : slots) {
      auto event = hooks->find(slot.event);
      if (event != hooks->end() && !event->is_array()) {
        return Invalid(path + ": \"hooks\"." + std::string(slot.event) + " is " +
                       JsonTypeName(*event) + ", not an array");
      }
    }
  }
  std::vector<bool> found(desired.size(), false);
  std::set<std::string> emptied;  // events whose array memhook's removals emptied
  if (auto hooks = root->find("hooks"); hooks != root->end()) {
    for (auto event = hooks->begin(); event != hooks->end(); ++event) {
      Json& groups = event.value();
      if (!groups.is_array()) continue;  // not an event memhook writes (checked above)
      bool removed_group = false;
      for (size_t g = 0; g < groups.size();) {
        Json& group = groups[g];
        auto handlers = group.is_object() ? group.find("hooks") : group.end();
        if (!group.is_object() || handlers == group.end() || !handlers->is_array()) {
          ++g;
          continue;
        }
        bool removed_handler = false;
        for (size_t h = 0; h < handlers->size();) {
          Json& handler = (*handlers)[h];
          if (!OwnProgram(handler)) {
            ++h;
            continue;
          }
          size_t k = 0;
          while (k < desired.size() &&
                 (found[k] || desired[k].slot->event != event.key() ||
                  CanonicalMatcher(desired[k].slot->matcher) != GroupMatcher(group))) {
            ++k;
          }
          if (k == desired.size()) {
            handlers->erase(h);
            removed_handler = true;
            continue;
          }
          found[k] = true;
          handler["type"] = "command";
          handler["command"] = desired[k].command;
          handler["timeout"] = desired[k].slot->timeout;
          ++h;
        }
        if (removed_handler && handlers->empty()) {
          groups.erase(g);
          removed_group = true;
        } else {
          ++g;
        }
      }
      if (removed_group && groups.empty()) emptied.insert(event.key());
    }
  }
  for (size_t k = 0; k < desired.size(); ++k) {
    if (found[k]) continue;
    const Slot& slot = *desired[k].slot;
    Json& hooks = (*root)["hooks"];
    if (hooks.is_null()) hooks = Json::object();
    Json& groups = hooks[std::string(slot.event)];
    if (groups.is_null()) groups = Json::array();
    Json group = Json::object();
    if (!slot.matcher.empty()) group["matcher"] = slot.matcher;
    Json handler = Json::object();
    handler["type"] = "command";
    handler["command"] = desired[k].command;
    handler["timeout"] = slot.timeout;
    group["hooks"] = Json::array({std::move(handler)});
    groups.push_back(std::move(group));
    emptied.erase(std::string(slot.event));
  }
  if (emptied.empty()) return Status::Ok();
  const Json* original_hooks = nullptr;
  if (original != nullptr && original->is_object()) {
    if (auto it = original->find("hooks"); it != original->end() && it->is_object()) {
      original_hooks = &*it;
    }
  }
  Json& hooks = (*root)["hooks"];
  for (const std::string& event : emptied) {
    if (original_hooks == nullptr || !original_hooks->contains(event)) hooks.erase(event);
  }
  if (hooks.empty() && original_hooks == nullptr) root->erase("hooks");
  return Status::Ok();
}

// ---------------------------------------------------------------------------
// File formats.

class TargetFormat {
 public:
  virtual ~TargetFormat() = default;
  // `current` with memhook's entries made from `param` (hooks JSON: the
  // shell word of the memhook program; AGENTS.md: the block). Returns
  // current's bytes when nothing changes for the agent.
  virtual Status Install(const FileState& current, const std::string& param,
                         std::string* out) const = 0;
  // `current` without memhook's entries; *empty when nothing else is left.
  // `original`: the backup, when there is one.
  virtual Status Strip(const FileState& current, const FileState& original, std::string* out,
                       bool* empty) const = 0;
  // The params memhook's entries in `current` were made from (none when
  // memhook has no entries, or the file does not parse).
  virtual std::vector<std::string> OwnParams(const FileState& current) const = 0;
};

class HooksJsonFormat : public TargetFormat {
 public:
  HooksJsonFormat(std::string path, const Slot* slots, size_t slot_count, bool codex)
      : path_(std::move(path)), slots_(slots, slots + slot_count), codex_(codex) {}

  Status Install(const FileState& current, const std::string& program,
                 std::string* out) const override {
    Json root;
    Status status = ParseJson(path_, current, &root);
    if (!status.ok()) return status;
    const Json before = root;
    std::vector<DesiredHandler> desired;
    for (const Slot& slot : slots_) {
      desired.push_back({&slot, HookCommand(program, codex_)});
    }
    status = EditHooks(path_, slots_, desired, nullptr, &root);
    if (!status.ok()) return status;
    if (current.exists && root == before) {
      *out = current.bytes;  // no change for the agent: leave the layout alone
      return Status::Ok();
    }
    return DumpJson(path_, root, out);
  }

  Status Strip(const FileState& current, const FileState& original, std::string* out,
               bool* empty) const override {
    Json root;
    Status status = ParseJson(path_, current, &root);
    if (!status.ok()) return status;
    const Json before = root;
    Json original_root;
    const bool have_original = original.exists && ParseJson(path_, original, &original_root).ok();
    status = EditHooks(path_, slots_, {}, have_original ? &original_root : nullptr, &root);
    if (!status.ok()) return status;
    *empty = root.empty();
    if (root == before) {
      *out = current.bytes;
      return Status::Ok();
    }
    return DumpJson(path_, root, out);
  }

  std::vector<std::string> OwnParams(const FileState& current) const override {
    std::vector<std::string> programs;
    Json root;
    if (!current.exists || !ParseJson(path_, current, &root).ok()) return programs;
    auto hooks = root.find("hooks");
    if (hooks == root.end() || !hooks->is_object()) return programs;
    for (const Json& groups : *hooks) {
      if (!groups.is_array()) continue;
      for (const Json& group : groups) {
        if (!group.is_object()) continue;
        auto handlers = group.find("hooks");
        if (handlers == group.end() || !handlers->is_array()) continue;
        for (const Json& handler : *handlers) {
          std::optional<std::string> program = OwnProgram(handler);
          if (program && std::find(programs.begin(), programs.end(), *program) == programs.end()) {
            programs.push_back(*program);
          }
        }
      }
    }
    return programs;
  }

 private:
  std::string path_;
  std::vector<Slot> slots_;
  bool codex_;
};

// Where the memhook block is in a text.
struct BlockSpan {
  bool found = false;
  bool unterminated = false;
  size_t line_begin = 0;   // start of the begin marker's line
  size_t content_end = 0;  // end of the end marker's line, before its line end
  size_t line_end = 0;     // after the end marker's line end
};

std::string_view TrimBlanks(std::string_view text) {
  size_t first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  size_t last = text.find_last_not_of(" \t\r");
  return text.substr(first, last - first + 1);
}

BlockSpan FindBlock(std::string_view text) {
  BlockSpan span;
  bool in_block = false;
  for (size_t pos = 0; pos < text.size();) {
    size_t newline = text.find('\n', pos);
    size_t end = newline == std::string_view::npos ? text.size() : newline;
    std::string_view line = TrimBlanks(text.substr(pos, end - pos));
    if (!in_block && line == kBlockBegin) {
      in_block = true;
      span.line_begin = pos;
    } else if (in_block && line == kBlockEnd) {
      span.found = true;
      span.content_end = end > pos && text[end - 1] == '\r' ? end - 1 : end;
      span.line_end = newline == std::string_view::npos ? text.size() : newline + 1;
      return span;
    }
    pos = end + 1;
  }
  span.unterminated = in_block;
  return span;
}

class NoteBlockFormat : public TargetFormat {
 public:
  explicit NoteBlockFormat(std::string path) : path_(std::move(path)) {}

  Status Install(const FileState& current, const std::string& block,
                 std::string* out) const override {
    const std::string& text = current.bytes;
    const BlockSpan span = FindBlock(text);
    if (span.unterminated) return Unterminated();
    const std::string eol = Eol(text);
    std::string block_text = WithEol(block, eol);
    if (span.found) {
      *out = text.substr(0, span.line_begin) + block_text + text.substr(span.content_end);
    } else if (text.empty()) {
      *out = block_text + eol;
    } else {
      // A blank line between the file and the block; Strip takes it back.
      *out = text + (EndsWith(text, "\n") ? eol : eol + eol) + block_text + eol;
    }
    return Status::Ok();
  }

  Status Strip(const FileState& current, const FileState& /*original*/, std::string* out,
               bool* empty) const override {
    const std::string& text = current.bytes;
    const BlockSpan span = FindBlock(text);
    if (span.unterminated) return Unterminated();
    *out = text;
    if (span.found) {
      *out = text.substr(0, span.line_begin) + text.substr(span.line_end);
      const std::string eol = Eol(text);
      if (span.line_end == text.size() && EndsWith(*out, eol + eol)) {
        out->resize(out->size() - eol.size());
      }
    }
    *empty = IsBlank(*out);
    return Status::Ok();
  }

  std::vector<std::string> OwnParams(const FileState& current) const override {
    const BlockSpan span = FindBlock(current.bytes);
    if (!span.found) return {};
    std::string block = current.bytes.substr(span.line_begin, span.content_end - span.line_begin);
    // Back to "\n" line ends, the form Install takes.
    std::string plain;
    for (size_t i = 0; i < block.size(); ++i) {
      if (block[i] == '\r' && i + 1 < block.size() && block[i + 1] == '\n') continue;
      plain += block[i];
    }
    return {plain};
  }

 private:
  Status Unterminated() const {
    return Invalid(path_ + ": a \"" + std::string(kBlockBegin) + "\" line has no \"" +
                   std::string(kBlockEnd) + "\" after it; fix the file by hand");
  }
  // The file's own line ends: CRLF when it uses them.
  static std::string Eol(const std::string& text) {
    return text.find("\r\n") != std::string::npos ? "\r\n" : "\n";
  }
  static std::string WithEol(const std::string& block, const std::string& eol) {
    if (eol == "\n") return block;
    std::string out;
    for (char c : block) {
      if (c == '\n') {
        out += eol;
      } else {
        out += c;
      }
    }
    return out;
  }

  std::string path_;
};

// ---------------------------------------------------------------------------
// Targets: the files of an agent in a scope.

struct Target {
  std::string path;
  std::string_view label;
  std::string config_dir;
  std::unique_ptr<TargetFormat> format;
  std::string param;  // what install writes from, for this environment
  // Hooks files: the same file in the other scope, where memhook's hooks
  // would run a second time.
  std::string other_scope_path;
};

std::string ClaudeDir(const InstallEnv& env) {
  return env.claude_config_dir.empty() ? env.home + "/.claude" : env.claude_config_dir;
}

std::string CodexHome(const InstallEnv& env) {
  return env.codex_home.empty() ? env.home + "/.codex" : env.codex_home;
}

std::vector<Target> TargetsFor(const InstallRequest& request, const InstallEnv& env) {
  const bool user = request.scope == InstallScope::kUser;
  const std::string program = ShellWord(env.memhook_path);
  std::vector<Target> targets;
  for (Agent agent : request.agents) {
    if (agent == Agent::kClaude) {
      const std::string user_dir = ClaudeDir(env), project_dir = env.cwd + "/.claude";
      Target t;
      t.config_dir = user ? user_dir : project_dir;
      t.path = t.config_dir + "/settings.json";
      t.label = kClaudeLabel;
      t.format = std::make_unique<HooksJsonFormat>(t.path, kClaudeSlots, std::size(kClaudeSlots),
                                                   /*codex=*/false);
      t.param = program;
      t.other_scope_path = (user ? project_dir : user_dir) + "/settings.json";
      targets.push_back(std::move(t));
    } else {
      const std::string user_dir = CodexHome(env), project_dir = env.cwd + "/.codex";
      Target hooks;
      hooks.config_dir = user ? user_dir : project_dir;
      hooks.path = hooks.config_dir + "/hooks.json";
      hooks.label = kCodexLabel;
      hooks.format = std::make_unique<HooksJsonFormat>(hooks.path, kCodexSlots,
                                                       std::size(kCodexSlots), /*codex=*/true);
      hooks.param = program;
      hooks.other_scope_path = (user ? project_dir : user_dir) + "/hooks.json";
      targets.push_back(std::move(hooks));
      Target note;
      note.config_dir = user ? user_dir : "";
      note.path = (user ? user_dir : env.cwd) + "/AGENTS.md";
      note.label = kNoteLabel;
      note.format = std::make_unique<NoteBlockFormat>(note.path);
      note.param = NoteBlock(env.mount);
      targets.push_back(std::move(note));
    }
  }
  return targets;
}

Status PlanInstallTarget(const Target& t, PlannedFile* file) {
  file->path = t.path;
  file->label = std::string(t.label);
  file->backup_path = t.path + std::string(kBackupSuffix);
  file->config_dir = t.config_dir;
  FileState current, backup;
  Status status = ReadState(t.path, &current, &file->real_path);
  if (!status.ok()) return status;
  status = ReadState(file->backup_path, &backup, nullptr);
  if (!status.ok()) return status;
  file->existed = current.exists;
  file->old_bytes = current.bytes;
  std::string next;
  status = t.format->Install(current, t.param, &next);
  if (!status.ok()) return status;
  if (current.exists && next == current.bytes) {
    file->backup = backup.exists ? PlannedFile::Backup::kExisting : PlannedFile::Backup::kNone;
    return Status::Ok();
  }
  file->change = PlannedFile::Change::kWrite;
  file->new_bytes = std::move(next);
  // The backup holds the file as it was before memhook: taken from a file
  // without memhook entries; one from an earlier install stays otherwise.
  if (current.exists && t.format->OwnParams(current).empty()) {
    file->backup = PlannedFile::Backup::kWrite;
  } else if (backup.exists) {
    file->backup = PlannedFile::Backup::kExisting;
  }
  return Status::Ok();
}

Status PlanUninstallTarget(const Target& t, PlannedFile* file) {
  file->path = t.path;
  file->label = std::string(t.label);
  file->backup_path = t.path + std::string(kBackupSuffix);
  file->config_dir = t.config_dir;
  FileState current, backup;
  Status status = ReadState(t.path, &current, &file->real_path);
  if (!status.ok()) return status;
  status = ReadState(file->backup_path, &backup, nullptr);
  if (!status.ok()) return status;
  file->existed = current.exists;
  file->old_bytes = current.bytes;
  if (!current.exists) return Status::Ok();
  std::string stripped;
  bool empty = false;
  status = t.format->Strip(current, backup, &stripped, &empty);
  if (!status.ok()) return status;
  std::vector<std::string> params = t.format->OwnParams(current);
  if (params.empty()) return Status::Ok();
  if (std::find(params.begin(), params.end(), t.param) == params.end()) {
    params.push_back(t.param);
  }
  // Nobody changed the file since install when installing again over what
  // it was before gives it byte for byte: then give that back exactly.
  const bool symlink = file->real_path != file->path;
  const bool backup_usable = backup.exists && t.format->OwnParams(backup).empty();
  for (const std::string& param : params) {
    std::string installed;
    if (backup_usable && t.format->Install(backup, param, &installed).ok() &&
        installed == current.bytes) {
      file->change = PlannedFile::Change::kWrite;
      file->new_bytes = backup.bytes;
      file->backup = PlannedFile::Backup::kRestore;
      return Status::Ok();
    }
  }
  for (const std::string& param : params) {
    std::string installed;
    if (!symlink && t.format->Install(FileState(), param, &installed).ok() &&
        installed == current.bytes) {
      file->change = PlannedFile::Change::kRemove;
      return Status::Ok();
    }
  }
  if (empty && !backup.exists && !symlink) {
    file->change = PlannedFile::Change::kRemove;
    return Status::Ok();
  }
  file->change = PlannedFile::Change::kWrite;
  file->new_bytes = std::move(stripped);
  if (backup.exists) file->backup = PlannedFile::Backup::kKept;
  return Status::Ok();
}

// Whether Claude Code settings enable a plugin named memhook (from any
// marketplace): its hooks/hooks.json registers the same handlers.
bool PluginEnabled(const std::string& settings) {
  const Json root = Json::parse(settings, nullptr, /*allow_exceptions=*/false);
  if (!root.is_object()) return false;
  auto plugins = root.find("enabledPlugins");
  if (plugins == root.end() || !plugins->is_object()) return false;
  for (auto it = plugins->begin(); it != plugins->end(); ++it) {
    if (it.key().rfind("memhook@", 0) == 0 && *it == true) return true;
  }
  return false;
}

std::string Describe(const PlannedFile& file, bool uninstall, bool dry_run) {
  using Change = PlannedFile::Change;
  using Backup = PlannedFile::Backup;
  std::string line = "memhook: ";
  const std::string would = dry_run ? "would " : "";
  if (!uninstall) {
    if (file.change == Change::kNone) return line + file.label + " in " + file.path + " unchanged";
    line += would + (dry_run ? "install " : "installed ") + file.label + " in " + file.path;
    if (!file.existed) return line + " (new file)";
    if (file.backup == Backup::kWrite || file.backup == Backup::kExisting) {
      line += " (backup: " + file.backup_path + ")";
    }
    return line;
  }
  const std::string removed = dry_run ? "would remove " : "removed ";
  switch (file.change) {
    case Change::kNone:
      return line + "no " + file.label + " in " + file.path;
    case Change::kRemove:
      return line + removed + file.path + " (it held only " + file.label + ")";
    case Change::kWrite:
      line += removed + file.label + " from " + file.path;
      if (file.backup == Backup::kRestore) return line + " (restored " + file.backup_path + ")";
      if (file.backup == Backup::kKept) {
        return line + " (the file changed since install; backup kept: " + file.backup_path + ")";
      }
      return line;
  }
  return line;
}

// ---------------------------------------------------------------------------
// Unified diff over lines (the files are short: an LCS table over the lines
// between the common prefix and suffix, or a plain replacement past a size
// limit).

struct DiffLine {
  std::string_view text;  // without its '\n'
  bool newline = true;    // false for a last line without one
  bool operator==(const DiffLine& other) const {
    return text == other.text && newline == other.newline;
  }
};

std::vector<DiffLine> SplitLines(std::string_view text) {
  std::vector<DiffLine> lines;
  for (size_t pos = 0; pos < text.size();) {
    size_t newline = text.find('\n', pos);
    if (newline == std::string_view::npos) {
      lines.push_back({text.substr(pos), false});
      break;
    }
    lines.push_back({text.substr(pos, newline - pos), true});
    pos = newline + 1;
  }
  return lines;
}

struct Edit {
  char op;   // ' ', '-', '+'
  size_t a;  // lines of the old text before this one
  size_t b;  // lines of the new text before this one
};

std::vector<Edit> EditScript(const std::vector<DiffLine>& a, const std::vector<DiffLine>& b) {
  constexpr size_t kMaxCells = size_t{4} << 20;
  const size_t n = a.size(), m = b.size();
  size_t prefix = 0;
  while (prefix < n && prefix < m && a[prefix] == b[prefix]) ++prefix;
  size_t suffix = 0;
  while (suffix < n - prefix && suffix < m - prefix && a[n - 1 - suffix] == b[m - 1 - suffix]) {
    ++suffix;
  }
  std::vector<Edit> edits;
  for (size_t i = 0; i < prefix; ++i) edits.push_back({' ', i, i});
  const size_t an = n - prefix - suffix, bn = m - prefix - suffix;
  size_t i = 0, j = 0;
  if (an > 0 && bn > 0 && (an + 1) * (bn + 1) <= kMaxCells) {
    // lcs[i][j]: the longest common subsequence of the remaining lines.
    std::vector<uint32_t> lcs((an + 1) * (bn + 1), 0);
    auto at = [&](size_t x, size_t y) -> uint32_t& { return lcs[x * (bn + 1) + y]; };
    for (size_t x = an; x-- > 0;) {
      for (size_t y = bn; y-- > 0;) {
        at(x, y) = a[prefix + x] == b[prefix + y] ? at(x + 1, y + 1) + 1
                                                  : std::max(at(x + 1, y), at(x, y + 1));
      }
    }
    while (i < an && j < bn) {
      if (a[prefix + i] == b[prefix + j]) {
        edits.push_back({' ', prefix + i, prefix + j});
        ++i;
        ++j;
      } else if (at(i + 1, j) >= at(i, j + 1)) {
        edits.push_back({'-', prefix + i, prefix + j});
        ++i;
      } else {
        edits.push_back({'+', prefix + i, prefix + j});
        ++j;
      }
    }
  }
  for (; i < an; ++i) edits.push_back({'-', prefix + i, prefix + j});
  for (; j < bn; ++j) edits.push_back({'+', prefix + an, prefix + j});
  for (size_t k = 0; k < suffix; ++k) edits.push_back({' ', n - suffix + k, m - suffix + k});
  return edits;
}

// A hunk range as GNU diff writes it: "start,count", the count left out
// when it is 1, the start the line before when the count is 0.
std::string HunkRange(size_t before, size_t count) {
  if (count == 1) return std::to_string(before + 1);
  return std::to_string(count == 0 ? before : before + 1) + "," + std::to_string(count);
}

}  // namespace

std::string UnifiedDiff(std::string_view old_text, std::string_view new_text,
                        std::string_view old_label, std::string_view new_label) {
  if (old_text == new_text) return "";
  constexpr size_t kContext = 3;
  const std::vector<DiffLine> a = SplitLines(old_text), b = SplitLines(new_text);
  const std::vector<Edit> edits = EditScript(a, b);
  std::string out;
  out += "--- ";
  out += old_label;
  out += "\n+++ ";
  out += new_label;
  out += "\n";
  const size_t count = edits.size();
  size_t next = 0;  // first edit not yet printed
  for (;;) {
    size_t first = next;
    while (first < count && edits[first].op == ' ') ++first;
    if (first == count) break;
    // Extend over changes separated by at most two contexts of equal lines.
    size_t last = first;
    for (size_t k = first + 1; k < count;) {
      if (edits[k].op != ' ') {
        last = k++;
        continue;
      }
      size_t run_end = k;
      while (run_end < count && edits[run_end].op == ' ') ++run_end;
      if (run_end == count || run_end - k > 2 * kContext) break;
      k = run_end;
    }
    const size_t start = std::max(next, first >= kContext ? first - kContext : 0);
    const size_t end = std::min(count, last + 1 + kContext);
    size_t old_count = 0, new_count = 0;
    for (size_t k = start; k < end; ++k) {
      old_count += edits[k].op != '+';
      new_count += edits[k].op != '-';
    }
    out += "@@ -" + HunkRange(edits[start].a, old_count) + " +" +
           HunkRange(edits[start].b, new_count) + " @@\n";
    for (size_t k = start; k < end; ++k) {
      const DiffLine& line = edits[k].op == '+' ? b[edits[k].b] : a[edits[k].a];
      out += edits[k].op;
      out += line.text;
      out += "\n";
      if (!line.newline) out += "\\ No newline at end of file\n";
    }
    next = end;
  }
  return out;
}

std::string InstallUsage() {
  return "usage: memhook install claude|codex|all [--scope user|project] [--dry-run]\n"
         "       memhook uninstall claude|codex|all [--scope user|project] [--dry-run]\n";
}

vfs::Status ParseInstallArgs(const std::vector<std::string>& args, bool uninstall,
                             InstallRequest* request) {
  *request = InstallRequest();
  request->uninstall = uninstall;
  auto add = [request](Agent agent) {
    if (std::find(request->agents.begin(), request->agents.end(), agent) == request->agents.end()) {
      request->agents.push_back(agent);
    }
  };
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "claude") {
      add(Agent::kClaude);
    } else if (arg == "codex") {
      add(Agent::kCodex);
    } else if (arg == "all") {
      add(Agent::kClaude);
      add(Agent::kCodex);
    } else if (arg == "--dry-run") {
      request->dry_run = true;
    } else if (arg == "-h" || arg == "--help") {
      request->help = true;
    } else if (arg == "--scope" || arg.rfind("--scope=", 0) == 0) {
      std::string value;
      if (arg == "--scope") {
        if (i + 1 == args.size()) return Invalid("--scope needs a value: user or project");
        value = args[++i];
      } else {
        value = arg.substr(8);
      }
      if (value == "user") {
        request->scope = InstallScope::kUser;
      } else if (value == "project") {
        request->scope = InstallScope::kProject;
      } else {
        return Invalid("unknown scope '" + value + "' (user or project)");
      }
    } else if (!arg.empty() && arg[0] == '-') {
      return Invalid("unknown option '" + arg + "'");
    } else {
      return Invalid("unknown agent '" + arg + "' (claude, codex or all)");
    }
  }
  if (request->agents.empty() && !request->help) {
    return Invalid("name the agent: claude, codex or all");
  }
  return Status::Ok();
}

vfs::Status PlanInstall(const InstallRequest& request, const InstallEnv& env, InstallPlan* plan) {
  *plan = InstallPlan();
  plan->uninstall = request.uninstall;
  plan->dry_run = request.dry_run;
  for (const std::string* path : {&env.home, &env.cwd, &env.mount}) {
    if (path->empty() || (*path)[0] != '/') {
      return Invalid("'" + *path +
                     "' is not an absolute path (the home, project and mount directories must be)");
    }
  }
  if (!request.uninstall && (env.memhook_path.empty() || env.memhook_path[0] != '/')) {
    return Invalid("cannot find the memhook binary's own path");
  }
  bool codex_changed = false;
  for (const Target& target : TargetsFor(request, env)) {
    PlannedFile file;
    Status status =
        request.uninstall ? PlanUninstallTarget(target, &file) : PlanInstallTarget(target, &file);
    if (!status.ok()) {
      *plan = InstallPlan();
      return Status::Error(status.code(), status.message() + "; nothing changed");
    }
    if (target.label == kCodexLabel && file.change != PlannedFile::Change::kNone) {
      codex_changed = true;
    }
    if (!request.uninstall && !target.other_scope_path.empty() &&
        target.other_scope_path != target.path) {
      FileState other;
      if (ReadState(target.other_scope_path, &other, nullptr).ok() &&
          !target.format->OwnParams(other).empty()) {
        plan->notes.push_back("memhook: warning: " + target.other_scope_path +
                              " registers memhook too, and both files' hooks run: remove one "
                              "(memhook uninstall with the other --scope)");
      }
    }
    if (!request.uninstall && target.label == kClaudeLabel && PluginEnabled(file.old_bytes)) {
      plan->notes.push_back("memhook: warning: " + target.path +
                            " enables the memhook plugin, whose hooks run as well: disable one");
    }
    plan->files.push_back(std::move(file));
  }
  if (codex_changed && !request.uninstall && !request.dry_run) {
    plan->notes.push_back(
        "memhook: Codex runs new or changed hooks once you have reviewed them: open /hooks in "
        "Codex" +
        std::string(request.scope == InstallScope::kProject
                        ? " (project hooks load only in trusted projects)"
                        : ""));
  }
  return Status::Ok();
}

vfs::Status ApplyInstall(const InstallPlan& plan, std::string* out) {
  using Change = PlannedFile::Change;
  using Backup = PlannedFile::Backup;
  for (const PlannedFile& file : plan.files) {
    if (file.change == Change::kWrite) {
      struct stat st;
      const bool have_stat = file.existed && stat(file.real_path.c_str(), &st) == 0;
      if (file.backup == Backup::kWrite) {
        Status status = WriteAtomic(file.backup_path, file.old_bytes, have_stat ? &st : nullptr);
        if (!status.ok()) return status;
      }
      if (!file.existed) {
        Status status =
            MakeDirs(file.config_dir.empty() ? Dirname(file.real_path) : file.config_dir);
        if (!status.ok()) return status;
      }
      Status status = WriteAtomic(file.real_path, file.new_bytes, have_stat ? &st : nullptr);
      if (!status.ok()) return status;
      if (file.backup == Backup::kRestore && unlink(file.backup_path.c_str()) != 0 &&
          errno != ENOENT) {
        return IoError("cannot remove", file.backup_path, errno);
      }
    } else if (file.change == Change::kRemove) {
      if (unlink(file.path.c_str()) != 0 && errno != ENOENT) {
        return IoError("cannot remove", file.path, errno);
      }
      // The agent's directory goes too when install made it and nothing
      // else is in it (rmdir refuses a directory that is not empty).
      if (!file.config_dir.empty()) rmdir(file.config_dir.c_str());
    }
    *out += Describe(file, plan.uninstall, /*dry_run=*/false) + "\n";
  }
  for (const std::string& note : plan.notes) *out += note + "\n";
  return Status::Ok();
}

std::string RenderDryRun(const InstallPlan& plan) {
  std::string out;
  for (const PlannedFile& file : plan.files) {
    switch (file.change) {
      case PlannedFile::Change::kNone:
        break;
      case PlannedFile::Change::kWrite:
        out += UnifiedDiff(file.old_bytes, file.new_bytes, file.existed ? file.path : "/dev/null",
                           file.path);
        break;
      case PlannedFile::Change::kRemove:
        out += UnifiedDiff(file.old_bytes, "", file.path, "/dev/null");
        break;
    }
  }
  for (const PlannedFile& file : plan.files) {
    out += Describe(file, plan.uninstall, /*dry_run=*/true) + "\n";
  }
  for (const std::string& note : plan.notes) out += note + "\n";
  return out;
}

int RunInstall(const std::vector<std::string>& args, bool uninstall, const InstallEnv& env,
               std::string* out, std::string* err) {
  InstallRequest request;
  Status status = ParseInstallArgs(args, uninstall, &request);
  if (!status.ok()) {
    *err += "memhook: " + status.message() + "\n" + InstallUsage();
    return 2;
  }
  if (request.help) {
    *out += InstallUsage();
    return 0;
  }
  InstallPlan plan;
  status = PlanInstall(request, env, &plan);
  if (!status.ok()) {
    *err += "memhook: " + status.message() + "\n";
    return 1;
  }
  if (request.dry_run) {
    *out += RenderDryRun(plan);
    return 0;
  }
  status = ApplyInstall(plan, out);
  if (!status.ok()) {
    *err += "memhook: " + status.message() + "\n";
    return 1;
  }
  return 0;
}

InstallEnv InstallEnvFromProcess(const Config& config) {
  InstallEnv env;
  env.home = config.home;
  env.mount = config.mount;
  if (char* cwd = getcwd(nullptr, 0)) {
    env.cwd = cwd;
    std::free(cwd);
  }
  env.memhook_path = config.self_path;
  if (env.memhook_path.empty()) {
    char buffer[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", buffer, sizeof buffer - 1);
    if (n > 0) env.memhook_path.assign(buffer, static_cast<size_t>(n));
  }
  if (const char* dir = std::getenv("CLAUDE_CONFIG_DIR"); dir != nullptr && dir[0] == '/') {
    env.claude_config_dir = dir;
  }
  if (const char* dir = std::getenv("CODEX_HOME"); dir != nullptr && dir[0] == '/') {
    env.codex_home = dir;
  }
  return env;
}

int InstallMain(const std::vector<std::string>& args, bool uninstall, const Config& config) {
  std::string out, err;
  int status = RunInstall(args, uninstall, InstallEnvFromProcess(config), &out, &err);
  std::fwrite(out.data(), 1, out.size(), stdout);
  std::fflush(stdout);
  std::fwrite(err.data(), 1, err.size(), stderr);
  return status;
}

}  // namespace memhook::interceptor
