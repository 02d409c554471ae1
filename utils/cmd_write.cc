// mkdir, rm, rmdir, touch, chmod, truncate, tee: GNU coreutils 9.1 over the
// mount (and, under `memhook run`, the host), through write_fs.h. cp and mv
// are in write_copy.cc.
//
// Each utility is a port of its coreutils source's control flow (the order
// of checks decides which message a failing operand gets); what it cannot
// reproduce exactly (interactive prompts, SELinux contexts, set-id bits,
// host symlinks) sets io.unsupported.
#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "utils/options.h"
#include "utils/utils.h"
#include "utils/write_fs.h"
#include "utils/write_util.h"

namespace memhook::utils {

namespace {

using wfs::Diagnose;
using wfs::DiagnoseErrno;
using wfs::Fs;
using wfs::Kind;
using wfs::Loc;
using wfs::Node;
using wfs::UsageError;

// ------------------------------------------------------------ modes

// gnulib modechange.c: one compiled clause of a mode.
struct ModeChange {
  char op = '=';
  enum class Flag { kOrdinary, kCopyExisting, kXIfAnyX } flag = Flag::kOrdinary;
  uint32_t affected = 0;
  uint32_t value = 0;
  uint32_t mentioned = 0;
};

constexpr uint32_t kModeBits = 07777;
constexpr uint32_t kSetUid = 04000, kSetGid = 02000, kSticky = 01000;
constexpr uint32_t kUser = 0700, kGroup = 0070, kOther = 0007;
constexpr uint32_t kRead = 0444, kWrite = 0222, kExec = 0111;

// mode_compile(): nullopt for an invalid mode.
std::optional<std::vector<ModeChange>> CompileMode(std::string_view s) {
  std::vector<ModeChange> changes;
  size_t p = 0;
  auto at = [&s](size_t i) { return i < s.size() ? s[i] : '\0'; };
  auto is_octal = [](char c) { return c >= '0' && c <= '7'; };
  if (is_octal(at(0))) {
    uint32_t octal = 0;
    do {
      octal = 8 * octal + static_cast<uint32_t>(at(p++) - '0');
      if (octal > kModeBits) return std::nullopt;
    } while (is_octal(at(p)));
    if (p != s.size()) return std::nullopt;
    ModeChange c;
    c.op = '=';
    c.affected = kModeBits;
    c.value = octal;
    c.mentioned = p < 5 ? (octal & (kSetUid | kSetGid)) | kSticky | 0777 : kModeBits;
    changes.push_back(c);
    return changes;
  }
  for (;; ++p) {
    uint32_t affected = 0;
    for (;; ++p) {
      char c = at(p);
      if (c == 'u') {
        affected |= kSetUid | kUser;
      } else if (c == 'g') {
        affected |= kSetGid | kGroup;
      } else if (c == 'o') {
        affected |= kSticky | kOther;
      } else if (c == 'a') {
        affected |= kModeBits;
      } else if (c == '=' || c == '+' || c == '-') {
        break;
      } else {
        return std::nullopt;
      }
    }
    do {
      ModeChange change;
      change.op = at(p++);
      uint32_t mentioned = 0;
      change.flag = ModeChange::Flag::kCopyExisting;
      char c = at(p);
      if (is_octal(c)) {
        uint32_t octal = 0;
        do {
          octal = 8 * octal + static_cast<uint32_t>(at(p++) - '0');
          if (octal > kModeBits) return std::nullopt;
        } while (is_octal(at(p)));
        if (affected != 0 || (at(p) != '\0' && at(p) != ',')) return std::nullopt;
        affected = mentioned = kModeBits;
        change.value = octal;
        change.flag = ModeChange::Flag::kOrdinary;
      } else if (c == 'u') {
        change.value = kUser;
        ++p;
      } else if (c == 'g') {
        change.value = kGroup;
        ++p;
      } else if (c == 'o') {
        change.value = kOther;
        ++p;
      } else {
        change.value = 0;
        change.flag = ModeChange::Flag::kOrdinary;
        for (;; ++p) {
          char v = at(p);
          if (v == 'r') {
            change.value |= kRead;
          } else if (v == 'w') {
            change.value |= kWrite;
          } else if (v == 'x') {
            change.value |= kExec;
          } else if (v == 'X') {
            change.flag = ModeChange::Flag::kXIfAnyX;
          } else if (v == 's') {
            change.value |= kSetUid | kSetGid;
          } else if (v == 't') {
            change.value |= kSticky;
          } else {
            break;
          }
        }
      }
      change.affected = affected;
      change.mentioned = mentioned != 0  ? mentioned
                         : affected != 0 ? affected & change.value
                                         : change.value;
      changes.push_back(change);
    } while (at(p) == '=' || at(p) == '+' || at(p) == '-');
    if (at(p) != ',') break;
  }
  if (p != s.size()) return std::nullopt;
  return changes;
}

// mode_adjust().
uint32_t AdjustMode(uint32_t old_mode, bool dir, uint32_t umask_value,
                    const std::vector<ModeChange>& changes) {
  uint32_t mode = old_mode & kModeBits;
  for (const ModeChange& change : changes) {
    uint32_t omit = (dir ? kSetUid | kSetGid : 0) & ~change.mentioned;
    uint32_t value = change.value;
    if (change.flag == ModeChange::Flag::kCopyExisting) {
      value &= mode;
      value |=
          ((value & 0444) ? 0444 : 0) | ((value & 0222) ? 0222 : 0) | ((value & 0111) ? 0111 : 0);
    } else if (change.flag == ModeChange::Flag::kXIfAnyX) {
      if ((mode & kExec) != 0 || dir) value |= kExec;
    }
    value &= (change.affected != 0 ? change.affected : ~umask_value) & ~omit;
    if (change.op == '=') {
      uint32_t preserved = (change.affected != 0 ? ~change.affected : 0) | omit;
      mode = (mode & preserved) | value;
    } else if (change.op == '+') {
      mode |= value;
    } else {
      mode &= ~value;
    }
  }
  return mode & kModeBits;
}

// "rwxr-xr-x" (strmode without the type letter), permission bits only.
std::string ModeLetters(uint32_t mode) {
  std::string s = "---------";
  const char* letters = "rwxrwxrwx";
  for (int i = 0; i < 9; ++i) {
    if (mode & (0400u >> i)) s[i] = letters[i];
  }
  return s;
}

std::string Octal4(uint32_t mode) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04o", mode);
  return buf;
}

}  // namespace

// ------------------------------------------------------------ mkdir

void CmdMkdir(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  enum { kParents, kMode, kVerbose };
  static const std::vector<OptionSpec> kSpecs = {
      {'p', "parents", false, kParents},
      {'m', "mode", true, kMode},
      {'v', "verbose", false, kVerbose},
  };
  const std::string& prog = argv[0];
  ParsedArgs args;
  if (!wfs::ParseOrRoute(argv, kSpecs, &args, io)) return;
  bool parents = false, verbose = false;
  std::optional<std::string> mode_text;
  for (const ParsedOption& o : args.options) {
    if (o.id == kParents) parents = true;
    if (o.id == kVerbose) verbose = true;
    if (o.id == kMode) mode_text = o.argument;
  }
  if (args.operands.empty()) {
    UsageError(prog, "missing operand", io);
    return;
  }
  uint32_t mode = 0777 & ~wfs::kUmask;
  if (mode_text) {
    std::optional<std::vector<ModeChange>> changes = CompileMode(*mode_text);
    if (!changes) {
      Diagnose(prog, "invalid mode " + QuoteLocale(*mode_text), io);
      io.status = 1;
      return;
    }
    mode = AdjustMode(0777, true, wfs::kUmask, *changes);
  }
  if (mode & ~0777u) {
    io.unsupported = "mkdir -m with set-id or sticky bits";
    return;
  }
  // Ancestors made by -p: u+wx whatever the mode (mkdir.c).
  const uint32_t parent_mode = (0777 & ~wfs::kUmask) | 0300;
  Fs fs(env, io);
  // Host operands are refused before anything is written.
  std::vector<Loc> locs(args.operands.size());
  for (size_t i = 0; i < args.operands.size(); ++i) {
    if (!fs.Resolve(args.operands[i], prog, &locs[i], io)) return;
  }
  auto announce = [&](const std::string& name) {
    if (verbose) io.out += prog + ": created directory " + QuoteShell(name, true) + "\n";
  };
  for (size_t i = 0; i < args.operands.size(); ++i) {
    const std::string& dir = args.operands[i];
    if (parents) {
      // gnulib mkancesdirs(): every component followed by a '/' and more
      // is made (but not "." or "..") and entered.
      bool failed = false;
      size_t start = 0;
      while (start < dir.size()) {
        size_t sep = dir.find('/', start);
        if (sep == std::string::npos) break;
        size_t next = dir.find_first_not_of('/', sep);
        if (next == std::string::npos) break;  // only trailing slashes follow
        std::string_view component = std::string_view(dir).substr(start, sep - start);
        const std::string prefix = dir.substr(0, sep);
        // The mount stands for a real directory: its ancestors exist, as
        // directories, whether or not they are on this disk.
        const std::string absolute = env.Resolve(prefix).absolute;
        if (!absolute.empty() &&
            (absolute == "/" || env.options.mount.rfind(absolute + "/", 0) == 0)) {
          start = next;
          continue;
        }
        if (sep > start && component != ".") {
          Loc loc;
          if (!fs.Resolve(prefix, prog, &loc, io)) return;
          int make_err = 0;
          if (component != "..") {
            make_err = fs.MakeDir(loc, parent_mode);
            if (make_err == 0) announce(prefix);
          }
          Node node;
          int err = fs.Stat(loc, &node);
          if (err == 0 && node.kind != Kind::kDir) err = ENOTDIR;
          if (err != 0) {
            if (make_err != 0 && err == EEXIST) err = make_err;
            DiagnoseErrno(prog, "cannot create directory " + QuoteLocale(prefix), err, io);
            io.status = 1;
            failed = true;
            break;
          }
        }
        start = next;
      }
      if (failed) continue;
    }
    const Loc loc = fs.Refresh(locs[i]);
    int err = fs.MakeDir(loc, mode);
    if (err == 0) {
      announce(dir);
      continue;
    }
    if (parents) {
      Node node;
      if (fs.Stat(loc, &node) == 0 && node.kind == Kind::kDir) continue;
    }
    DiagnoseErrno(prog, "cannot create directory " + QuoteLocale(dir), err, io);
    io.status = 1;
  }
}

// ------------------------------------------------------------ rm

namespace {

struct RmOptions {
  bool force = false;
  bool recursive = false;
  bool empty_dirs = false;  // -d
  bool verbose = false;
};

// Removes `loc` (shown as `name`) as remove.c's rm_fts would; true when
// it is gone.
bool RemoveEntry(Fs& fs, const Loc& loc, const std::string& name, bool root,
                 const RmOptions& options, const std::string& prog, CommandIo& io) {
  auto excise = [&](bool is_dir) {
    int err = is_dir ? fs.Rmdir(loc) : fs.Unlink(loc);
    if (err == 0) {
      if (options.verbose) {
        io.out +=
            std::string(is_dir ? "removed directory " : "removed ") + QuoteShell(name, true) + "\n";
      }
      return true;
    }
    if (options.force && (err == ENOENT || err == ENOTDIR)) return true;
    DiagnoseErrno(prog, "cannot remove " + QuoteShell(name, true), err, io);
    return false;
  };
  Node node;
  int err = fs.Stat(loc, &node);
  if (err != 0) {
    // FTS_NS: the unlink is tried anyway and tells the error.
    if (options.force && (err == ENOENT || err == ENOTDIR)) return true;
    DiagnoseErrno(prog, "cannot remove " + QuoteShell(name, true), err, io);
    return false;
  }
  if (node.kind == Kind::kOther) {
    io.unsupported = prog + " of a host file that is neither a file nor a directory";
    return false;
  }
  if (node.kind == Kind::kFile) return excise(false);
  std::vector<std::string> names;
  bool empty = false;
  if (!options.recursive || options.empty_dirs) {
    if (int e = fs.List(loc, &names); e == 0) empty = names.empty();
  }
  if (!options.recursive && !(options.empty_dirs && empty)) {
    DiagnoseErrno(prog, "cannot remove " + QuoteShell(name, true),
                  options.empty_dirs ? ENOTEMPTY : EISDIR, io);
    return false;
  }
  if (root && wfs::IsDotOrDotDot(name)) {
    Diagnose(prog,
             "refusing to remove " + QuoteShell(".", true) + " or " + QuoteShell("..", true) +
                 " directory: skipping " + QuoteShell(name, true),
             io);
    return false;
  }
  if (options.recursive) {
    if (int e = fs.List(loc, &names); e != 0) {
      DiagnoseErrno(prog, "cannot remove " + QuoteShell(name, true), e, io);
      return false;
    }
    bool all = true;
    for (const std::string& child : names) {
      all &= RemoveEntry(fs, Fs::Child(loc, child), wfs::FtsChildName(name, child), false, options,
                         prog, io);
      if (!io.unsupported.empty()) return false;
    }
    // A directory whose entry could not be removed stays, silently (its
    // entry's message said why).
    if (!all) return false;
  }
  return excise(true);
}

}  // namespace

void CmdRm(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  enum { kForce, kRecursive, kDir, kVerbose, kInteractive, kPreserveRoot };
  static const std::vector<OptionSpec> kSpecs = {
      {'f', "force", false, kForce},
      {'r', "recursive", false, kRecursive},
      {'R', nullptr, false, kRecursive},
      {'d', "dir", false, kDir},
      {'v', "verbose", false, kVerbose},
      {'i', nullptr, false, kInteractive},
      {'I', nullptr, false, kInteractive},
      {'\0', "interactive", true, kInteractive},
      {'\0', "preserve-root", false, kPreserveRoot},
  };
  const std::string& prog = argv[0];
  ParsedArgs args;
  if (!wfs::ParseOrRoute(argv, kSpecs, &args, io)) return;
  RmOptions options;
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kForce:
        options.force = true;
        break;
      case kRecursive:
        options.recursive = true;
        break;
      case kDir:
        options.empty_dirs = true;
        break;
      case kVerbose:
        options.verbose = true;
        break;
      case kInteractive:
        // Prompts read the terminal, which the agent's shell has not.
        io.unsupported = prog + " -i";
        return;
      default:
        break;
    }
  }
  if (args.operands.empty()) {
    if (!options.force) UsageError(prog, "missing operand", io);
    return;
  }
  Fs fs(env, io);
  std::vector<Loc> locs(args.operands.size());
  for (size_t i = 0; i < args.operands.size(); ++i) {
    if (!fs.Resolve(args.operands[i], prog, &locs[i], io)) return;
  }
  for (size_t i = 0; i < args.operands.size(); ++i) {
    if (!RemoveEntry(fs, fs.Refresh(locs[i]), wfs::FtsRootName(args.operands[i]), true, options,
                     prog, io)) {
      if (!io.unsupported.empty()) return;
      io.status = 1;
    }
  }
}

// ------------------------------------------------------------ rmdir

void CmdRmdir(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  enum { kParents, kVerbose, kIgnore };
  static const std::vector<OptionSpec> kSpecs = {
      {'p', "parents", false, kParents},
      {'v', "verbose", false, kVerbose},
      {'\0', "ignore-fail-on-non-empty", false, kIgnore},
  };
  const std::string& prog = argv[0];
  ParsedArgs args;
  if (!wfs::ParseOrRoute(argv, kSpecs, &args, io)) return;
  bool parents = false, verbose = false, ignore = false;
  for (const ParsedOption& o : args.options) {
    if (o.id == kParents) parents = true;
    if (o.id == kVerbose) verbose = true;
    if (o.id == kIgnore) ignore = true;
  }
  if (args.operands.empty()) {
    UsageError(prog, "missing operand", io);
    return;
  }
  Fs fs(env, io);
  std::vector<Loc> locs(args.operands.size());
  for (size_t i = 0; i < args.operands.size(); ++i) {
    if (!fs.Resolve(args.operands[i], prog, &locs[i], io)) return;
  }
  // ignorable_failure(): a directory that is not empty.
  auto ignorable = [&](int err) { return ignore && (err == ENOTEMPTY || err == EEXIST); };
  auto announce = [&](const std::string& dir) {
    if (verbose) io.out += prog + ": removing directory, " + QuoteShell(dir, true) + "\n";
  };
  for (size_t i = 0; i < args.operands.size(); ++i) {
    const std::string& dir = args.operands[i];
    announce(dir);
    int err = fs.Rmdir(fs.Refresh(locs[i]));
    if (err != 0) {
      if (ignorable(err)) continue;
      DiagnoseErrno(prog, "failed to remove " + QuoteShell(dir, true), err, io);
      io.status = 1;
      continue;
    }
    if (!parents) continue;
    // remove_parents(): each prefix up to a '/', trailing slashes dropped.
    std::string path = dir;
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    for (;;) {
      size_t slash = path.rfind('/');
      if (slash == std::string::npos) break;
      while (slash > 0 && path[slash] == '/') --slash;
      path.resize(slash + 1);
      announce(path);
      Loc loc;
      if (!fs.Resolve(path, prog, &loc, io)) return;
      int e = fs.Rmdir(loc);
      if (e != 0) {
        if (!ignorable(e)) {
          DiagnoseErrno(
              prog,
              std::string(e != ENOTDIR ? "failed to remove directory " : "failed to remove ") +
                  QuoteShell(path, true),
              e, io);
          io.status = 1;
        }
        break;
      }
    }
  }
}

// ------------------------------------------------------------ touch

namespace {

// A date string as GNU's parse_datetime reads it, through `date -d` (one
// parser for both utilities): nanoseconds since the epoch; nullopt with
// io.unsupported set, or with *invalid set.
std::optional<int64_t> ParseDateString(const std::string& text, CommandEnv& env, CommandIo& io,
                                       bool* invalid) {
  *invalid = false;
  CommandIo date_io;
  CmdDate({"date", "-d", text, "+%s %N"}, env, date_io);
  if (!date_io.unsupported.empty()) {
    io.unsupported = "touch -d " + text + " (" + date_io.unsupported + ")";
    return std::nullopt;
  }
  if (date_io.status != 0) {
    *invalid = true;
    return std::nullopt;
  }
  std::string out = date_io.out.str();
  size_t space = out.find(' ');
  if (space == std::string::npos) {
    io.unsupported = "touch -d " + text;
    return std::nullopt;
  }
  int64_t sec = std::strtoll(out.c_str(), nullptr, 10);
  int64_t ns = std::strtoll(out.c_str() + space + 1, nullptr, 10);
  return sec * 1000000000 + ns;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// posixtime() for touch -t: [[CC]YY]MMDDhhmm[.ss], in the command's zone
// (through `date -d`). nullopt and *invalid, or io.unsupported.
std::optional<int64_t> ParseStamp(const std::string& stamp, CommandEnv& env, CommandIo& io,
                                  bool* invalid) {
  *invalid = true;
  std::string_view s = stamp;
  std::string_view seconds = "00";
  size_t dot = s.find('.');
  if (dot != std::string_view::npos) {
    seconds = s.substr(dot + 1);
    s = s.substr(0, dot);
    if (seconds.size() != 2 || !AllDigits(seconds)) return std::nullopt;
  }
  if (!AllDigits(s) || (s.size() != 8 && s.size() != 10 && s.size() != 12)) return std::nullopt;
  std::string year;
  if (s.size() == 12) {
    year = std::string(s.substr(0, 4));
    s.remove_prefix(4);
  } else if (s.size() == 10) {
    int yy = std::atoi(std::string(s.substr(0, 2)).c_str());
    year = std::to_string(yy < 69 ? 2000 + yy : 1900 + yy);
    s.remove_prefix(2);
  } else {
    // MMDDhhmm: this year, in the command's zone.
    CommandIo date_io;
    CmdDate({"date", "+%Y"}, env, date_io);
    if (!date_io.unsupported.empty() || date_io.status != 0) {
      io.unsupported = "touch -t " + stamp;
      *invalid = false;
      return std::nullopt;
    }
    year = date_io.out.str();
    while (!year.empty() && year.back() == '\n') year.pop_back();
  }
  int month = std::atoi(std::string(s.substr(0, 2)).c_str());
  int day = std::atoi(std::string(s.substr(2, 2)).c_str());
  int hour = std::atoi(std::string(s.substr(4, 2)).c_str());
  int minute = std::atoi(std::string(s.substr(6, 2)).c_str());
  int second = std::atoi(std::string(seconds).c_str());
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59) {
    return std::nullopt;
  }
  if (second > 59) {
    // A leap second: posixtime's normalisation is not reproduced.
    io.unsupported = "touch -t " + stamp;
    *invalid = false;
    return std::nullopt;
  }
  char text[64];
  std::snprintf(text, sizeof text, "%s-%02d-%02d %02d:%02d:%02d", year.c_str(), month, day, hour,
                minute, second);
  // date -d rejects a day past the month's end, as posixtime does.
  return ParseDateString(text, env, io, invalid);
}

}  // namespace

void CmdTouch(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  enum { kAtime, kNoCreate, kDate, kMtime, kReference, kStamp, kForce };
  static const std::vector<OptionSpec> kSpecs = {
      {'a', nullptr, false, kAtime},        {'c', "no-create", false, kNoCreate},
      {'d', "date", true, kDate},           {'m', nullptr, false, kMtime},
      {'r', "reference", true, kReference}, {'t', nullptr, true, kStamp},
      {'f', nullptr, false, kForce},
  };
  const std::string& prog = argv[0];
  ParsedArgs args;
  if (!wfs::ParseOrRoute(argv, kSpecs, &args, io)) return;
  bool atime = false, mtime = false, no_create = false;
  std::optional<std::string> date_text, reference;
  std::optional<int64_t> when;
  Fs fs(env, io);
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kAtime:
        atime = true;
        break;
      case kMtime:
        mtime = true;
        break;
      case kNoCreate:
        no_create = true;
        break;
      case kDate:
        date_text = o.argument;
        break;
      case kReference:
        reference = o.argument;
        break;
      case kStamp: {
        // -t is parsed where getopt meets it: a bad one ends touch at once.
        bool invalid = false;
        when = ParseStamp(o.argument, env, io, &invalid);
        if (!when) {
          if (!io.unsupported.empty()) return;
          Diagnose(prog, "invalid date format " + QuoteLocale(o.argument), io);
          io.status = 1;
          return;
        }
        break;
      }
      default:
        break;
    }
  }
  if (when && (reference || date_text)) {
    UsageError(prog, "cannot specify times from more than one source", io);
    return;
  }
  if (reference) {
    if (date_text) {
      io.unsupported = "touch -r with -d";
      return;
    }
    Loc ref;
    if (!fs.Resolve(*reference, prog, &ref, io)) return;
    Node node;
    int err = fs.Stat(ref, &node);
    if (err == 0 && node.kind == Kind::kOther) {
      io.unsupported = "touch -r of a host symlink or special file";
      return;
    }
    if (err != 0) {
      DiagnoseErrno(prog, "failed to get attributes of " + QuoteShell(*reference, true), err, io);
      io.status = 1;
      return;
    }
    when = node.mtime_ns;
  } else if (date_text) {
    bool invalid = false;
    when = ParseDateString(*date_text, env, io, &invalid);
    if (!when) {
      if (!io.unsupported.empty()) return;
      Diagnose(prog, "invalid date format " + QuoteLocale(*date_text), io);
      io.status = 1;
      return;
    }
  }
  if (args.operands.empty()) {
    UsageError(prog, "missing file operand", io);
    return;
  }
  std::vector<Loc> locs(args.operands.size());
  for (size_t i = 0; i < args.operands.size(); ++i) {
    if (args.operands[i] == "-") {
      io.unsupported = "touch - (standard output)";
      return;
    }
    if (!fs.Resolve(args.operands[i], prog, &locs[i], io)) return;
  }
  // Only the modification time is stored: -a alone changes nothing visible.
  const bool set_mtime = mtime || !atime;
  const int64_t mtime_ns = when ? *when : -1;
  for (size_t i = 0; i < args.operands.size(); ++i) {
    const std::string& file = args.operands[i];
    const Loc loc = fs.Refresh(locs[i]);
    int open_err = 0;
    bool created = false;
    if (!no_create) {
      Node node;
      int err = fs.Stat(loc, &node);
      if (err == ENOENT && !loc.trailing_slash) {
        // A new file gets the time at once (no second write).
        open_err = fs.WriteFile(loc, "", 0666 & ~wfs::kUmask);
        created = open_err == 0;
        if (created && set_mtime && when) open_err = fs.SetAttributes(loc, std::nullopt, *when);
      } else if (err == ENOENT || err == ENOTDIR) {
        open_err = fs.WriteFile(loc, "", 0666 & ~wfs::kUmask);
      }
      // open(O_WRONLY) of a directory fails with EISDIR, which touch
      // ignores: the times are still set.
      if (open_err == EISDIR) open_err = 0;
    }
    int err = 0;
    if (created) {
      err = open_err;
    } else {
      Node node;
      err = fs.Stat(loc, &node);
      if (err == 0 && set_mtime) err = fs.SetAttributes(loc, std::nullopt, mtime_ns);
    }
    if (err == 0) continue;
    if (open_err != 0) {
      DiagnoseErrno(prog, "cannot touch " + QuoteShell(file, true), open_err, io);
    } else {
      if (no_create && err == ENOENT) continue;
      DiagnoseErrno(prog, "setting times of " + QuoteShell(file, true), err, io);
    }
    io.status = 1;
  }
}

// ------------------------------------------------------------ chmod

namespace {

struct ChmodOptions {
  std::vector<ModeChange> changes;
  bool recursive = false;
  bool verbose = false;
  bool changes_only = false;
  bool force = false;
  bool diagnose_surprises = false;  // a mode given as an option (-w)
};

bool ChmodOne(Fs& fs, const Loc& loc, const std::string& name, const ChmodOptions& options,
              const std::string& prog, CommandIo& io) {
  Node node;
  int err = fs.Stat(loc, &node);
  if (err == 0 && node.kind == Kind::kOther) {
    io.unsupported = prog + " of a host symlink or special file";
    return false;
  }
  if (err != 0) {
    if (!options.force) DiagnoseErrno(prog, "cannot access " + QuoteShell(name, true), err, io);
    return false;
  }
  const bool dir = node.kind == Kind::kDir;
  uint32_t old_mode = node.mode & kModeBits;
  uint32_t new_mode = AdjustMode(old_mode, dir, wfs::kUmask, options.changes);
  if ((old_mode | new_mode) & ~0777u) {
    io.unsupported = prog + " with set-id or sticky bits";
    return false;
  }
  bool ok = true;
  bool changed = new_mode != old_mode;
  if (changed) {
    err = fs.SetAttributes(loc, new_mode, std::nullopt);
    if (err != 0) {
      if (!options.force) {
        DiagnoseErrno(prog, "changing permissions of " + QuoteShell(name, true), err, io);
      }
      return false;
    }
  }
  if (options.verbose || (options.changes_only && changed)) {
    if (changed) {
      io.out += "mode of " + QuoteShell(name, true) + " changed from " + Octal4(old_mode) + " (" +
                ModeLetters(old_mode) + ") to " + Octal4(new_mode) + " (" + ModeLetters(new_mode) +
                ")\n";
    } else {
      io.out += "mode of " + QuoteShell(name, true) + " retained as " + Octal4(new_mode) + " (" +
                ModeLetters(new_mode) + ")\n";
    }
  }
  if (options.diagnose_surprises) {
    uint32_t naive = AdjustMode(old_mode, dir, 0, options.changes);
    if (new_mode & ~naive) {
      Diagnose(prog,
               QuoteShell(name, false) + ": new permissions are " + ModeLetters(new_mode) +
                   ", not " + ModeLetters(naive),
               io);
      ok = false;
    }
  }
  if (options.recursive && dir) {
    std::vector<std::string> names;
    err = fs.List(loc, &names);
    if (err != 0) {
      if (!options.force)
        DiagnoseErrno(prog, "cannot read directory " + QuoteShell(name, true), err, io);
      return false;
    }
    for (const std::string& child : names) {
      ok &= ChmodOne(fs, Fs::Child(loc, child), wfs::FtsChildName(name, child), options, prog, io);
      if (!io.unsupported.empty()) return false;
    }
  }
  return ok;
}

// A word GNU chmod takes as a mode although it starts with '-' ("-w",
// "-x"): getopt sees mode letters as options and chmod collects them.
bool IsDashMode(const std::string& word) {
  return word.size() == 2 && word[0] == '-' &&
         std::string_view("rwxXst").find(word[1]) != std::string_view::npos;
}

}  // namespace

void CmdChmod(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  enum { kRecursive, kVerbose, kChanges, kForce };
  static const std::vector<OptionSpec> kSpecs = {
      {'R', "recursive", false, kRecursive}, {'v', "verbose", false, kVerbose},
      {'c', "changes", false, kChanges},     {'f', "silent", false, kForce},
      {'\0', "quiet", false, kForce},
  };
  const std::string& prog = argv[0];
  // Mode words that look like options are taken out first; a cluster
  // mixing them with options ("-Rw") goes to the next tier.
  std::vector<std::string> rest = {argv[0]};
  std::string dash_mode;
  bool options_done = false;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& w = argv[i];
    if (!options_done && w == "--") options_done = true;
    if (!options_done && IsDashMode(w)) {
      dash_mode += (dash_mode.empty() ? "" : ",") + w;
      continue;
    }
    if (!options_done && w.size() > 2 && w[0] == '-' && w[1] != '-' &&
        w.find_first_of("rwxXstugoa,+=01234567", 1) != std::string::npos) {
      io.unsupported = prog + " " + w;
      return;
    }
    rest.push_back(w);
  }
  ParsedArgs args;
  if (!wfs::ParseOrRoute(rest, kSpecs, &args, io)) return;
  ChmodOptions options;
  for (const ParsedOption& o : args.options) {
    if (o.id == kRecursive) options.recursive = true;
    if (o.id == kVerbose) options.verbose = true;
    if (o.id == kChanges) options.changes_only = true;
    if (o.id == kForce) options.force = true;
  }
  std::vector<std::string> files = args.operands;
  std::string mode;
  if (!dash_mode.empty()) {
    mode = dash_mode;
    options.diagnose_surprises = true;
  } else if (!files.empty()) {
    mode = files.front();
    files.erase(files.begin());
  } else {
    UsageError(prog, "missing operand", io);
    return;
  }
  if (files.empty()) {
    UsageError(prog, "missing operand after " + QuoteLocale(mode), io);
    return;
  }
  std::optional<std::vector<ModeChange>> changes = CompileMode(mode);
  if (!changes) {
    UsageError(prog, "invalid mode: " + QuoteLocale(mode), io);
    return;
  }
  options.changes = std::move(*changes);
  Fs fs(env, io);
  std::vector<Loc> locs(files.size());
  for (size_t i = 0; i < files.size(); ++i) {
    if (!fs.Resolve(files[i], prog, &locs[i], io)) return;
  }
  for (size_t i = 0; i < files.size(); ++i) {
    if (!ChmodOne(fs, fs.Refresh(locs[i]), files[i], options, prog, io)) {
      if (!io.unsupported.empty()) return;
      io.status = 1;
    }
  }
}

// ------------------------------------------------------------ truncate

namespace {

enum class RelMode { kAbsolute, kRelative, kAtMost, kAtLeast, kRoundDown, kRoundUp };

// Files truncate may grow to; beyond, the next tier (the store keeps
// blobs in memory).
constexpr int64_t kTruncateLimit = int64_t{256} << 20;

// xdectoimax() with truncate's suffixes "EgGkKmMPtTYZ0": false when not a
// number; *overflow when out of range.
bool ParseSize(std::string_view s, int64_t* out, bool* overflow) {
  *overflow = false;
  size_t p = 0;
  while (p < s.size() && (s[p] == ' ' || (s[p] >= '\t' && s[p] <= '\r'))) ++p;
  bool negative = false;
  if (p < s.size() && (s[p] == '+' || s[p] == '-')) negative = s[p++] == '-';
  size_t digits = p;
  __int128 value = 0;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') {
    value = value * 10 + (s[p++] - '0');
    if (value > (static_cast<__int128>(1) << 100)) *overflow = true;
  }
  if (p == digits) {
    // No digits: a lone suffix means 1 of it (xstrtol).
    if (p >= s.size() || std::string_view("EgGkKmMPtTYZ").find(s[p]) == std::string_view::npos) {
      return false;
    }
    value = 1;
  }
  if (p < s.size()) {
    char suffix = s[p++];
    int power = 0;
    switch (suffix) {
      case 'k':
      case 'K':
        power = 1;
        break;
      case 'm':
      case 'M':
        power = 2;
        break;
      case 'g':
      case 'G':
        power = 3;
        break;
      case 't':
      case 'T':
        power = 4;
        break;
      case 'P':
        power = 5;
        break;
      case 'E':
        power = 6;
        break;
      case 'Z':
        power = 7;
        break;
      case 'Y':
        power = 8;
        break;
      default:
        return false;
    }
    int base = 1024;
    if (p + 1 < s.size() + 1 && p < s.size()) {
      if (s[p] == 'i' && p + 1 < s.size() && s[p + 1] == 'B') {
        p += 2;
      } else if (s[p] == 'B' || s[p] == 'D') {
        base = 1000;
        ++p;
      }
    }
    for (int i = 0; i < power; ++i) {
      value *= base;
      if (value > (static_cast<__int128>(1) << 100)) *overflow = true;
    }
    if (p != s.size()) return false;
  }
  if (negative) value = -value;
  if (value > INT64_MAX || value < INT64_MIN) *overflow = true;
  if (!*overflow) *out = static_cast<int64_t>(value);
  return true;
}

}  // namespace

void CmdTruncate(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  enum { kNoCreate, kReference, kSize };
  static const std::vector<OptionSpec> kSpecs = {
      {'c', "no-create", false, kNoCreate},
      {'r', "reference", true, kReference},
      {'s', "size", true, kSize},
  };
  const std::string& prog = argv[0];
  ParsedArgs args;
  if (!wfs::ParseOrRoute(argv, kSpecs, &args, io)) return;
  bool no_create = false, got_size = false;
  std::optional<std::string> reference;
  RelMode rel = RelMode::kAbsolute;
  int64_t size = 0;
  for (const ParsedOption& o : args.options) {
    if (o.id == kNoCreate) no_create = true;
    if (o.id == kReference) reference = o.argument;
    if (o.id != kSize) continue;
    std::string_view arg = o.argument;
    auto skip_space = [&arg]() {
      while (!arg.empty() && (arg[0] == ' ' || (arg[0] >= '\t' && arg[0] <= '\r'))) {
        arg.remove_prefix(1);
      }
    };
    skip_space();
    rel = RelMode::kAbsolute;
    if (!arg.empty()) {
      switch (arg[0]) {
        case '<':
          rel = RelMode::kAtMost;
          break;
        case '>':
          rel = RelMode::kAtLeast;
          break;
        case '/':
          rel = RelMode::kRoundDown;
          break;
        case '%':
          rel = RelMode::kRoundUp;
          break;
        default:
          break;
      }
      if (rel != RelMode::kAbsolute) arg.remove_prefix(1);
    }
    skip_space();
    if (!arg.empty() && (arg[0] == '+' || arg[0] == '-')) {
      if (rel != RelMode::kAbsolute) {
        UsageError(prog, "multiple relative modifiers specified", io);
        return;
      }
      rel = RelMode::kRelative;
    }
    bool overflow = false;
    if (!ParseSize(arg, &size, &overflow)) {
      Diagnose(prog, "Invalid number: " + QuoteLocale(o.argument), io);
      io.status = 1;
      return;
    }
    if (overflow) {
      io.unsupported = prog + " -s " + o.argument + " (out of range)";
      return;
    }
    if ((rel == RelMode::kRoundDown || rel == RelMode::kRoundUp) && size == 0) {
      Diagnose(prog, "division by zero", io);
      io.status = 1;
      return;
    }
    got_size = true;
  }
  if (!got_size && !reference) {
    UsageError(
        prog,
        "you must specify either " + QuoteLocale("--size") + " or " + QuoteLocale("--reference"),
        io);
    return;
  }
  if (reference && got_size && rel == RelMode::kAbsolute) {
    UsageError(prog,
               "you must specify a relative " + QuoteLocale("--size") + " with " +
                   QuoteLocale("--reference"),
               io);
    return;
  }
  if (args.operands.empty()) {
    UsageError(prog, "missing file operand", io);
    return;
  }
  Fs fs(env, io);
  std::optional<int64_t> ref_size;
  if (reference) {
    Loc ref;
    if (!fs.Resolve(*reference, prog, &ref, io)) return;
    Node node;
    int err = fs.Stat(ref, &node);
    if (err == 0 && node.kind != Kind::kFile) {
      io.unsupported = "truncate -r of a directory or special file";
      return;
    }
    if (err != 0) {
      DiagnoseErrno(prog, "cannot stat " + QuoteShell(*reference, true), err, io);
      io.status = 1;
      return;
    }
    ref_size = static_cast<int64_t>(node.size);
    if (!got_size) size = *ref_size;
  }
  std::vector<Loc> locs(args.operands.size());
  for (size_t i = 0; i < args.operands.size(); ++i) {
    if (!fs.Resolve(args.operands[i], prog, &locs[i], io)) return;
  }
  for (size_t i = 0; i < args.operands.size(); ++i) {
    const std::string& file = args.operands[i];
    const Loc loc = fs.Refresh(locs[i]);
    // open(O_WRONLY [| O_CREAT]).
    Node node;
    int err = fs.Stat(loc, &node);
    bool exists = err == 0;
    if (exists && node.kind == Kind::kOther) {
      io.unsupported = "truncate of a host special file";
      return;
    }
    if (exists && node.kind == Kind::kDir) {
      err = EISDIR;
    } else if (!no_create && (loc.trailing_slash || loc.dot_last) &&
               (err == 0 || err == ENOENT || err == ENOTDIR)) {
      // O_CREAT with a name ending in '/': the kernel refuses it as a
      // directory once the parent is found.
      err = EISDIR;
    } else if (err == ENOENT && !no_create) {
      err = 0;
    }
    if (err != 0) {
      if (!(no_create && err == ENOENT)) {
        DiagnoseErrno(prog, "cannot open " + QuoteShell(file, true) + " for writing", err, io);
        io.status = 1;
      }
      continue;
    }
    int64_t current = exists ? static_cast<int64_t>(node.size) : 0;
    int64_t base = ref_size && rel != RelMode::kAbsolute ? *ref_size : current;
    int64_t target = size;
    switch (rel) {
      case RelMode::kAbsolute:
        break;
      case RelMode::kRelative:
        target = base + size;
        break;
      case RelMode::kAtMost:
        target = std::min(base, size);
        break;
      case RelMode::kAtLeast:
        target = std::max(base, size);
        break;
      case RelMode::kRoundDown:
        target = base / size * size;
        break;
      case RelMode::kRoundUp:
        target = (base + size - 1) / size * size;
        break;
    }
    if (target < 0) target = 0;
    if (target > kTruncateLimit) {
      io.unsupported = "truncate to more than 256 MiB";
      return;
    }
    std::string content;
    if (exists && target > 0) {
      err = fs.ReadFile(loc, &content);
      if (err != 0) {
        DiagnoseErrno(prog, "cannot open " + QuoteShell(file, true) + " for writing", err, io);
        io.status = 1;
        continue;
      }
    }
    content.resize(static_cast<size_t>(target), '\0');
    err = fs.WriteFile(loc, content, 0666 & ~wfs::kUmask);
    if (err != 0) {
      DiagnoseErrno(prog, "cannot open " + QuoteShell(file, true) + " for writing", err, io);
      io.status = 1;
    }
  }
}

// ------------------------------------------------------------ tee

void CmdTee(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  enum { kAppend, kIgnoreInterrupts, kPipe };
  static const std::vector<OptionSpec> kSpecs = {
      {'a', "append", false, kAppend},
      {'i', "ignore-interrupts", false, kIgnoreInterrupts},
      {'p', nullptr, false, kPipe},
  };
  const std::string& prog = argv[0];
  ParsedArgs args;
  if (!wfs::ParseOrRoute(argv, kSpecs, &args, io)) return;
  bool append = false;
  for (const ParsedOption& o : args.options) {
    if (o.id == kAppend) append = true;
  }
  Fs fs(env, io);
  // /dev/null takes the bytes without host access; other host files need it.
  std::vector<std::optional<Loc>> locs(args.operands.size());
  for (size_t i = 0; i < args.operands.size(); ++i) {
    const std::string& file = args.operands[i];
    if (file.empty()) continue;
    if (env.Resolve(file).where == ResolvedPath::Where::kDevNull) continue;
    Loc loc;
    if (!fs.Resolve(file, prog, &loc, io)) return;
    locs[i] = std::move(loc);
  }
  // Every file is opened (and truncated) before the first byte is copied,
  // so open errors come first; each then receives all of stdin.
  const std::string_view data = io.stdin_data;
  for (size_t i = 0; i < args.operands.size(); ++i) {
    const std::string& file = args.operands[i];
    int err = 0;
    if (file.empty()) {
      err = ENOENT;
    } else if (locs[i]) {
      Node node;
      locs[i] = fs.Refresh(*locs[i]);
      int st = fs.Stat(*locs[i], &node);
      if (st == 0 && node.kind == Kind::kOther) {
        io.unsupported = "tee to a host special file";
        return;
      }
      err = append ? fs.AppendFile(*locs[i], data, 0666 & ~wfs::kUmask)
                   : fs.WriteFile(*locs[i], data, 0666 & ~wfs::kUmask);
    }
    if (err != 0) {
      DiagnoseErrno(prog, QuoteShell(file, false), err, io);
      io.status = 1;
    }
  }
  io.out += data;
}

}  // namespace memhook::utils
