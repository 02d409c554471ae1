// `ls` answered from the store, as GNU coreutils 9.1 prints it when stdout
// is not a terminal (the agent's Bash tool never gives it one): one name per
// line, no colours, names printed raw (quoting style "literal").
//
// The listing logic mirrors ls.c: every operand is stat'ed first (errors
// are reported then), the operands are sorted, plain files are printed as
// one group, and directories are listed from a LIFO stack so that `-R`
// descends depth-first with siblings in sorted order.
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <iterator>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "utils/options.h"
#include "utils/utils.h"
#include "vfs/vfs.h"

namespace memhook::utils {
namespace {

enum class Hidden {
  kHide,       // default: names starting with '.' are not shown
  kAlmostAll,  // -A: dot files shown, "." and ".." not
  kAll,        // -a: dot files plus "." and ".."
};

enum class SortKey { kName, kTime, kSize };

struct LsOptions {
  bool long_format = false;
  Hidden hidden = Hidden::kHide;
  bool human = false;
  bool recursive = false;
  bool directory = false;
  SortKey sort = SortKey::kName;
  bool reverse = false;
  bool classify = false;
};

using ApplyFlag = void (*)(LsOptions&);

struct LsFlag {
  char short_name;        // '\0': long form only
  const char* long_name;  // nullptr: short form only
  ApplyFlag apply;        // nullptr: GNU knows it, memhook does not serve it
};

// Every option of GNU ls 9.1. The served ones come first; conflicting flags
// follow GNU: the later of -a/-A and of -t/-S wins. The rest are listed so
// that long-option abbreviations resolve (or are ambiguous) exactly as in
// GNU getopt; they, and any short option not listed, go to the next tier.
constexpr LsFlag kFlags[] = {
    // One name per line is already the format for a non-terminal; GNU
    // ignores -1 after -l, and a later -l still wins, so -1 changes nothing.
    {'1', nullptr, [](LsOptions&) {}},
    {'a', "all", [](LsOptions& o) { o.hidden = Hidden::kAll; }},
    {'A', "almost-all", [](LsOptions& o) { o.hidden = Hidden::kAlmostAll; }},
    {'l', nullptr, [](LsOptions& o) { o.long_format = true; }},
    {'h', "human-readable", [](LsOptions& o) { o.human = true; }},
    {'R', "recursive", [](LsOptions& o) { o.recursive = true; }},
    {'d', "directory", [](LsOptions& o) { o.directory = true; }},
    {'t', nullptr, [](LsOptions& o) { o.sort = SortKey::kTime; }},
    {'S', nullptr, [](LsOptions& o) { o.sort = SortKey::kSize; }},
    {'r', "reverse", [](LsOptions& o) { o.reverse = true; }},
    {'F', "classify", [](LsOptions& o) { o.classify = true; }},
    {'\0', "author", nullptr},
    {'\0', "block-size", nullptr},
    {'\0', "color", nullptr},
    {'\0', "context", nullptr},
    {'\0', "dereference", nullptr},
    {'\0', "dereference-command-line", nullptr},
    {'\0', "dereference-command-line-symlink-to-dir", nullptr},
    {'\0', "dired", nullptr},
    {'\0', "escape", nullptr},
    {'\0', "file-type", nullptr},
    {'\0', "format", nullptr},
    {'\0', "full-time", nullptr},
    {'\0', "group-directories-first", nullptr},
    {'\0', "help", nullptr},
    {'\0', "hide", nullptr},
    {'\0', "hide-control-chars", nullptr},
    {'\0', "hyperlink", nullptr},
    {'\0', "ignore", nullptr},
    {'\0', "ignore-backups", nullptr},
    {'\0', "indicator-style", nullptr},
    {'\0', "inode", nullptr},
    {'\0', "kibibytes", nullptr},
    {'\0', "literal", nullptr},
    {'\0', "no-group", nullptr},
    {'\0', "numeric-uid-gid", nullptr},
    {'\0', "quote-name", nullptr},
    {'\0', "quoting-style", nullptr},
    {'\0', "show-control-chars", nullptr},
    {'\0', "si", nullptr},
    {'\0', "size", nullptr},
    {'\0', "sort", nullptr},
    {'\0', "tabsize", nullptr},
    {'\0', "time", nullptr},
    {'\0', "time-style", nullptr},
    {'\0', "version", nullptr},
    {'\0', "width", nullptr},
    {'\0', "zero", nullptr},
};

// GNU getopt semantics (permutation, "--", clusters, abbreviations) come
// from the shared ParseOptions. Returns false (and sets io.unsupported) on
// anything not served.
bool ParseArgs(const std::vector<std::string>& argv, LsOptions* opts,
               std::vector<std::string>* operands, CommandIo& io) {
  std::vector<OptionSpec> specs;
  for (size_t i = 0; i < std::size(kFlags); ++i) {
    specs.push_back({kFlags[i].short_name, kFlags[i].long_name, false, static_cast<int>(i)});
  }
  ParsedArgs parsed = ParseOptions(argv, 1, specs);
  if (!parsed.unsupported.empty()) {
    io.unsupported = "ls " + parsed.unsupported;
    return false;
  }
  for (const ParsedOption& option : parsed.options) {
    const LsFlag& flag = kFlags[option.id];
    if (flag.apply == nullptr) {
      io.unsupported = "ls " + option.spelling;
      return false;
    }
    flag.apply(*opts);
  }
  *operands = std::move(parsed.operands);
  return true;
}

// Environment variables that change what GNU ls prints (date format, name
// quoting, size units, option parsing). When one is set the answer is left
// to the next tier rather than guessed.
constexpr const char* kEnvironmentOverrides[] = {
    "TIME_STYLE", "QUOTING_STYLE", "LS_BLOCK_SIZE", "BLOCK_SIZE", "POSIXLY_CORRECT",
};

bool EnvironmentIsDefault(CommandIo& io) {
  for (const char* name : kEnvironmentOverrides) {
    if (std::getenv(name) != nullptr) {
      io.unsupported = std::string("ls with ") + name + " set";
      return false;
    }
  }
  return true;
}

struct LsEntry {
  std::string name;      // as printed: the operand as typed, or the entry name
  std::string vfs_path;  // where it lives in the store (to list a directory)
  vfs::Stat stat;
};

bool IsDir(const vfs::Stat& st) { return st.kind == vfs::NodeKind::kDirectory; }

// GNU's comparators (cmp_name, cmp_mtime, cmp_size): the key first, ties
// broken by the locale's collation of the names; -r reverses the whole
// comparison, ties included.
int Compare(const LsEntry& a, const LsEntry& b, SortKey key) {
  switch (key) {
    case SortKey::kTime:
      if (a.stat.mtime_ns != b.stat.mtime_ns) return a.stat.mtime_ns > b.stat.mtime_ns ? -1 : 1;
      break;
    case SortKey::kSize:
      if (a.stat.size != b.stat.size) return a.stat.size > b.stat.size ? -1 : 1;
      break;
    case SortKey::kName:
      break;
  }
  return CollateCompare(a.name, b.name);
}

void SortEntries(std::vector<LsEntry>* entries, const LsOptions& opts) {
  std::stable_sort(entries->begin(), entries->end(), [&](const LsEntry& a, const LsEntry& b) {
    return opts.reverse ? Compare(b, a, opts.sort) < 0 : Compare(a, b, opts.sort) < 0;
  });
}

// 512-byte blocks the entry occupies on ext4 (the filesystem the store
// mimics): whole 4 KiB blocks, none for an empty file.
uint64_t Blocks512(const vfs::Stat& st) { return (st.size + 4095) / 4096 * 8; }

// gnulib human_readable() with human_autoscale | human_SI | human_base_1024
// and the default ceiling rounding, as `ls -h` calls it: 1025 -> "1.1K",
// 10241 -> "11K", 1048575 -> "1.0M", below 1024 the plain number.
std::string HumanBytes(uint64_t amt) {
  constexpr unsigned kBase = 1024;
  constexpr char kPowers[] = "KMGTPEZYRQ";
  constexpr int kExponentMax = sizeof(kPowers) - 1;
  unsigned tenths = 0;
  unsigned rounding = 0;  // 0: exact, 1: below half, 2: half, 3: above half
  int exponent = 0;
  std::string fraction;  // ".N" when one decimal is shown
  if (kBase <= amt) {
    do {
      unsigned r10 = static_cast<unsigned>(amt % kBase) * 10 + tenths;
      unsigned r2 = (r10 % kBase) * 2 + (rounding >> 1);
      amt /= kBase;
      tenths = r10 / kBase;
      rounding = r2 < kBase ? (r2 + rounding != 0) : 2 + (kBase < r2 + rounding);
      ++exponent;
    } while (kBase <= amt && exponent < kExponentMax);
    if (amt < 10) {
      if (rounding > 0) {
        ++tenths;
        rounding = 0;
        if (tenths == 10) {
          ++amt;
          tenths = 0;
        }
      }
      if (amt < 10) {
        fraction = std::string(".") + static_cast<char>('0' + tenths);
        tenths = 0;
        rounding = 0;
      }
    }
  }
  if (tenths + rounding > 0) {
    ++amt;
    if (amt == kBase && exponent < kExponentMax) {
      ++exponent;
      fraction = ".0";
      amt = 1;
    }
  }
  std::string text = std::to_string(amt) + fraction;
  if (exponent > 0) text += kPowers[exponent - 1];
  return text;
}

std::string SizeText(uint64_t bytes, const LsOptions& opts) {
  return opts.human ? HumanBytes(bytes) : std::to_string(bytes);
}

// The `total` line: blocks in 1 KiB units (rounded up), or human-readable
// bytes with -h.
std::string TotalText(uint64_t blocks512, const LsOptions& opts) {
  return opts.human ? HumanBytes(blocks512 * 512) : std::to_string((blocks512 + 1) / 2);
}

struct ModeBit {
  uint32_t bit;
  size_t column;
  char letter;
};

// Permission characters of `-rwxr-xr-x`, column by column.
constexpr ModeBit kModeBits[] = {
    {0400, 1, 'r'}, {0200, 2, 'w'}, {0100, 3, 'x'}, {040, 4, 'r'}, {020, 5, 'w'},
    {010, 6, 'x'},  {04, 7, 'r'},   {02, 8, 'w'},   {01, 9, 'x'},
};

struct SpecialBit {
  uint32_t bit;
  size_t column;
  char with_exec;     // the execute bit is also set
  char without_exec;  // it is not
};

// setuid, setgid and sticky replace the execute character of their column.
constexpr SpecialBit kSpecialBits[] = {
    {04000, 3, 's', 'S'},
    {02000, 6, 's', 'S'},
    {01000, 9, 't', 'T'},
};

// The 10-character mode. No 11th ACL/SELinux marker: the store has no ACLs,
// and GNU omits the column when no listed file has one.
std::string ModeString(const vfs::Stat& st) {
  std::string mode(10, '-');
  if (IsDir(st)) mode[0] = 'd';
  for (const ModeBit& m : kModeBits) {
    if (st.mode & m.bit) mode[m.column] = m.letter;
  }
  for (const SpecialBit& s : kSpecialBits) {
    if (st.mode & s.bit) mode[s.column] = mode[s.column] == 'x' ? s.with_exec : s.without_exec;
  }
  return mode;
}

// GNU considers a time recent when it lies within the past six months (half
// a mean Gregorian year, 31556952 s / 2) and not in the future; recent
// times show the clock, others the year.
std::string DateText(int64_t mtime_ns, int64_t now_ns) {
  constexpr int64_t kNsPerSec = 1000000000;
  constexpr int64_t kSixMonthsNs = int64_t{31556952} / 2 * kNsPerSec;
  bool recent = now_ns - kSixMonthsNs < mtime_ns && mtime_ns < now_ns;
  int64_t secs = mtime_ns / kNsPerSec - (mtime_ns % kNsPerSec < 0 ? 1 : 0);
  time_t t = static_cast<time_t>(secs);
  struct tm tm {};
  if (localtime_r(&t, &tm) == nullptr) return std::to_string(secs);
  char buf[64];
  size_t n = strftime(buf, sizeof buf, recent ? "%b %e %H:%M" : "%b %e  %Y", &tm);
  return std::string(buf, n);
}

// Column widths of a long listing, computed over every entry of the group
// being printed (GNU also counts directory operands in the group of file
// operands, although it lists them separately).
struct LongWidths {
  size_t nlink = 0;
  size_t owner = 0;
  size_t group = 0;
  size_t size = 0;
};

void AddWidths(const LsEntry& e, const LsOptions& opts, const UtilOptions& engine, LongWidths* w) {
  w->nlink = std::max(w->nlink, std::to_string(e.stat.nlink).size());
  w->owner = std::max(w->owner, engine.owner.size());
  w->group = std::max(w->group, engine.group.size());
  w->size = std::max(w->size, SizeText(e.stat.size, opts).size());
}

std::string PadLeft(const std::string& s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string PadRight(const std::string& s, size_t width) {
  return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

// -F: '/' after directories, '*' after files with any execute bit.
std::string Indicator(const vfs::Stat& st, const LsOptions& opts) {
  if (!opts.classify) return "";
  if (IsDir(st)) return "/";
  return (st.mode & 0111) ? "*" : "";
}

void PrintEntries(const std::vector<LsEntry>& entries, const LongWidths& widths,
                  const LsOptions& opts, const CommandEnv& env, Stream* out) {
  for (const LsEntry& e : entries) {
    if (opts.long_format) {
      *out += ModeString(e.stat);
      *out += ' ';
      *out += PadLeft(std::to_string(e.stat.nlink), widths.nlink);
      *out += ' ';
      *out += PadRight(env.options.owner, widths.owner);
      *out += ' ';
      *out += PadRight(env.options.group, widths.group);
      *out += ' ';
      *out += PadLeft(SizeText(e.stat.size, opts), widths.size);
      *out += ' ';
      *out += DateText(e.stat.mtime_ns, env.options.now_ns);
      *out += ' ';
    }
    *out += e.name;
    *out += Indicator(e.stat, opts);
    *out += '\n';
  }
}

bool IsHiddenName(std::string_view name) { return !name.empty() && name[0] == '.'; }

// gnulib file_name_concat: one '/' between the parts, none added when the
// directory already ends in one ("d/" + "x" -> "d/x").
std::string ConcatName(const std::string& dir, const std::string& name) {
  if (!dir.empty() && dir.back() == '/') return dir + name;
  return dir + "/" + name;
}

std::string JoinVfs(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

std::string ParentVfs(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

// Lists one directory (print_dir in ls.c). Returns false when the store
// cannot answer; io.unsupported is then set.
// Metadata of the host directory containing the mount, as `ls -l` would
// show it if the mount were a real directory inside it. False when it
// cannot be shown exactly (missing, or owned by another user).
bool HostParentStat(const std::string& mount, const vfs::Stat& root, vfs::Stat* out) {
  size_t slash = mount.rfind('/');
  if (slash == std::string::npos) return false;
  std::string parent = slash == 0 ? "/" : mount.substr(0, slash);
  struct stat st;
  if (::stat(parent.c_str(), &st) != 0) {
    if (errno != ENOENT) return false;
    // The mount's parent does not exist on disk (a fresh install: only the
    // database does). It is shown as the directory an export would create:
    // 0755, holding the mount alone, as old as the mount root.
    out->kind = vfs::NodeKind::kDirectory;
    out->storage = vfs::Storage::kDirectory;
    out->mode = 0755;
    out->mtime_ns = root.mtime_ns;
    out->size = 4096;
    out->nlink = 3;
    return true;
  }
  if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid() || st.st_gid != getegid()) {
    return false;
  }
  struct stat mount_st;
  bool mount_on_disk = ::stat(mount.c_str(), &mount_st) == 0 && S_ISDIR(mount_st.st_mode);
  out->kind = vfs::NodeKind::kDirectory;
  out->storage = vfs::Storage::kDirectory;
  out->mode = st.st_mode & 07777;
  out->mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  out->size = static_cast<uint64_t>(st.st_size);
  out->nlink = static_cast<uint64_t>(st.st_nlink) + (mount_on_disk ? 0 : 1);
  return true;
}

bool ListOne(const LsEntry& dir, bool print_header, bool* first, const LsOptions& opts,
             CommandEnv& env, CommandIo& io, std::vector<LsEntry>* stack) {
  if (print_header) {
    if (!*first) io.out += '\n';
    *first = false;
    io.out += dir.name + ":\n";
  }
  std::vector<vfs::DirEntry> children;
  vfs::Status status = env.store.ListDir(dir.vfs_path, &children);
  if (!status.ok()) {
    io.unsupported = "ls: store error listing " + dir.name + ": " + status.message();
    return false;
  }
  std::vector<LsEntry> entries;
  if (opts.hidden == Hidden::kAll) {
    entries.push_back({".", dir.vfs_path, dir.stat});
    LsEntry dotdot{"..", ParentVfs(dir.vfs_path), {}};
    dotdot.stat.kind = vfs::NodeKind::kDirectory;
    if (dir.vfs_path.empty()) {
      // The mount root's ".." is the host directory above the mount. Its
      // name is all plain `ls -a` needs; otherwise its metadata comes from
      // the host, with one more link for the (virtual) mount directory.
      if ((opts.long_format || opts.sort != SortKey::kName) &&
          !HostParentStat(env.options.mount, dir.stat, &dotdot.stat)) {
        io.unsupported = "ls -a of the mount root with metadata of .. (outside the mount)";
        return false;
      }
    } else {
      status = env.store.GetStat(dotdot.vfs_path, &dotdot.stat);
      if (!status.ok()) {
        io.unsupported = "ls: store error reading " + dotdot.vfs_path + ": " + status.message();
        return false;
      }
    }
    entries.push_back(std::move(dotdot));
  }
  for (vfs::DirEntry& child : children) {
    if (opts.hidden == Hidden::kHide && IsHiddenName(child.name)) continue;
    std::string path = JoinVfs(dir.vfs_path, child.name);
    entries.push_back({std::move(child.name), std::move(path), child.stat});
  }
  SortEntries(&entries, opts);

  LongWidths widths;
  if (opts.long_format) {
    uint64_t blocks = 0;
    for (const LsEntry& e : entries) {
      blocks += Blocks512(e.stat);
      AddWidths(e, opts, env.options, &widths);
    }
    io.out += "total " + TotalText(blocks, opts) + "\n";
  }
  PrintEntries(entries, widths, opts, env, &io.out);

  if (opts.recursive) {
    // Pushed last-first so the first subdirectory in sort order is popped
    // (and listed, with its own subtree) first.
    for (auto it = entries.rbegin(); it != entries.rend(); ++it) {
      if (!IsDir(it->stat) || it->name == "." || it->name == "..") continue;
      stack->push_back({ConcatName(dir.name, it->name), it->vfs_path, it->stat});
    }
  }
  return true;
}

}  // namespace

void CmdLs(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  LsOptions opts;
  std::vector<std::string> operands;
  if (!EnvironmentIsDefault(io) || !ParseArgs(argv, &opts, &operands, io)) return;
  // GNU's n_files: operands as typed; 0 when `ls` lists "." implicitly.
  const size_t typed_operands = operands.size();
  if (operands.empty()) operands.push_back(".");

  // Decide servability before producing anything: one host operand sends
  // the whole command to the next tier.
  std::vector<ResolvedPath> resolved(operands.size());
  for (size_t i = 0; i < operands.size(); ++i) {
    if (operands[i].empty()) continue;  // reported as missing below
    resolved[i] = env.Resolve(operands[i]);
    if (resolved[i].where != ResolvedPath::Where::kMount) {
      io.unsupported = "ls of a host path " + operands[i];
      return;
    }
  }

  // Stat every operand in command-line order; failures are reported now,
  // before anything is listed, as GNU does.
  std::vector<LsEntry> args;
  LongWidths operand_widths;
  for (size_t i = 0; i < operands.size(); ++i) {
    vfs::Stat st;
    vfs::Status status = operands[i].empty()
                             ? vfs::Status::Error(vfs::Status::Code::kNotFound, "empty operand")
                             : env.StatResolved(resolved[i], &st);
    if (!status.ok()) {
      vfs::Status::Code code = status.code();
      if (code != vfs::Status::Code::kNotFound && code != vfs::Status::Code::kNotADirectory) {
        io.unsupported = "ls: store error on " + operands[i] + ": " + status.message();
        return;
      }
      io.err += argv[0] + ": cannot access " + QuoteShell(operands[i], true) + ": " +
                ErrnoText(code) + "\n";
      io.status = 2;
      continue;
    }
    LsEntry entry{operands[i], resolved[i].vfs_path, st};
    if (opts.long_format) AddWidths(entry, opts, env.options, &operand_widths);
    args.push_back(std::move(entry));
  }
  SortEntries(&args, opts);

  std::vector<LsEntry> files;
  std::vector<LsEntry> stack;  // directories still to list; back() is next
  for (auto it = args.rbegin(); it != args.rend(); ++it) {
    if (IsDir(it->stat) && !opts.directory) {
      stack.push_back(*it);
    } else {
      files.push_back(*it);
    }
  }
  std::reverse(files.begin(), files.end());

  // A lone directory operand (or none) is listed without a "dir:" header;
  // anything else, or -R, names every directory.
  bool print_dir_name = true;
  if (!files.empty()) {
    PrintEntries(files, operand_widths, opts, env, &io.out);
    if (!stack.empty()) io.out += '\n';
  } else if (typed_operands <= 1 && stack.size() == 1) {
    print_dir_name = false;
  }

  bool first = true;
  while (!stack.empty()) {
    LsEntry dir = std::move(stack.back());
    stack.pop_back();
    if (!ListOne(dir, opts.recursive || print_dir_name, &first, opts, env, io, &stack)) return;
  }
}

}  // namespace memhook::utils
