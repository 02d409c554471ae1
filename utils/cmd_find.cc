// `find` answered from the store, as GNU findutils 4.9.0 behaves with stdout
// not a terminal (names printed raw).
//
// The expression is built the way findutils builds it (parser.c, tree.c),
// so that malformed expressions fail with GNU's exact messages: the user's
// tokens are wrapped in an artificial "( ... )", an implicit -a joins
// adjacent terms, -print is appended when no action is given, and the
// recursive-descent parser below (GetExpr / ScanRest) is a port of tree.c.
//
// -exec/-execdir (';' and '+') run their command lines through the shell's
// runner (env.run_command) at the moment GNU would: ';' at each file, '+'
// when 128 KiB of arguments are gathered, when -execdir's directory
// changes (as fts reports it) and at the end or at -quit. -printf is a port
// of print.c (segments, escapes, warnings, printf-style flags). -delete
// removes through write_fs.h, as pred_delete does (it implies -depth).
// -fprint, -fprint0 and -fprintf write files as GNU does: each file is
// created (truncated) when its primary is parsed, names of one file share
// one stream, /dev/stdout and /dev/stderr are find's own streams, and the
// bytes reach the file (store or host, through write_fs.h) when find ends.
// -ok, -okdir, -ls and -fls (inode numbers) go to the next tier.
//
// Traversal differs from GNU in one documented way: GNU walks in readdir
// order, which no two filesystems agree on; memhook walks siblings in C
// byte order (the differential tests compare sorted lines).
#include <fnmatch.h>
#include <locale.h>
#include <sys/stat.h>

#include <cctype>
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "utils/utils.h"
#include "utils/write_fs.h"
#include "vfs/vfs.h"

namespace memhook::utils {
namespace {

// GNU find prints command-line warnings only when its stdin is a terminal
// (or after -warn). The agent's Bash tool runs commands without one, so
// warnings start disabled.
constexpr bool kStdinIsTty = false;

constexpr int64_t kNsPerSec = 1000000000;

// Node shapes of findutils' predicate list.
enum class TokType { kPrimary, kUniOp, kBiOp, kOpenParen, kCloseParen };

// Binding strength (findutils' enum predicate_precedence).
enum Prec : int { kNoPrec = 0, kCommaPrec, kOrPrec, kAndPrec, kNegatePrec };

enum class Op {
  kAnd,
  kOr,
  kNot,
  kOpenParen,
  kCloseParen,
  kTrue,  // -true, and every option (GNU inserts options as always-true terms)
  kFalse,
  kName,
  kIName,
  kPath,
  kIPath,
  kType,
  kEmpty,
  kSize,
  kNewer,
  kMmin,
  kMtime,
  kPrint,
  kPrint0,
  kPrune,
  kQuit,
  kExec,    // -exec / -execdir, ';' or '+'
  kPrintf,  // -printf FORMAT
  kDelete,
};

enum class Cmp { kLt, kEq, kGt };

// -type bits for the two node kinds the store has.
constexpr unsigned kTypeFile = 1;
constexpr unsigned kTypeDir = 2;

// One piece of a -printf format (print.c's struct segment).
struct PrintfSegment {
  enum class Kind { kPlain, kStop, kFormat };
  Kind kind = Kind::kPlain;
  // kPlain/kStop: bytes written as they are. kFormat: the printf format up
  // to (not including) its conversion letter: literal text, '%', flags,
  // width and precision.
  std::string text;
  char directive = 0;  // kFormat: the letter after the flags
  char aux = 0;        // %T, %A, %C: the time format letter
};

struct Node {
  TokType type = TokType::kPrimary;
  Op op = Op::kTrue;
  std::string name;  // the token as typed ("-name", "!", "("), for messages
  int prec = kNoPrec;
  bool artificial = false;  // inserted by the parser, not typed
  int left = -1;
  int right = -1;

  std::string pattern;      // -name/-iname/-path/-ipath
  unsigned type_mask = 0;   // -type
  Cmp cmp = Cmp::kEq;       // -size/-mmin/-mtime
  uint64_t units = 0;       // -size: N
  uint64_t unit_bytes = 0;  // -size: bytes per unit
  int64_t ref_ns = 0;       // -newer/-mmin/-mtime: reference time
  int64_t window_ns = 0;    // -mmin/-mtime: width of the "exactly N" window

  // -exec/-execdir: the command words up to ';' (or up to "{}" '+').
  std::vector<std::string> command;
  bool in_dir = false;    // -execdir: runs in the file's directory on ./NAME
  bool multiple = false;  // terminated by '+': paths are batched
  int batch = -1;         // multiple: index in EvalState::batches

  std::vector<PrintfSegment> segments;  // -printf

  std::string file;  // -fprintf: the FILE word (the format is the parse argument)
  int output = -1;   // -fprint/-fprint0/-fprintf: index in Parse::outputs
};

// One file of -fprint/-fprint0/-fprintf (GNU's open_output_file): where
// its bytes go, and the bytes gathered for it.
struct OutputFile {
  enum class Sink {
    kStdout,  // "/dev/stdout": find's own stdout stream (GNU compares the name)
    kStderr,  // "/dev/stderr"
    kNull,    // /dev/null
    kFile,    // a file of the store, or of the host under `memhook run`
  };
  Sink sink = Sink::kFile;
  wfs::Loc loc;       // kFile
  std::string key;    // kFile: the file's identity (GNU shares by device and inode)
  std::string bytes;  // kFile: written when find ends
};

enum class Kind {
  kPunctuation,       // ! not ( ) a and o or
  kTest,              // a test (-name, -type, ...)
  kAction,            // suppresses the default -print
  kNonPrintAction,    // an action that leaves the default -print (-prune, -quit)
  kGlobalOption,      // -maxdepth etc.: warned about after a non-option
  kPositionalOption,  // -warn/-nowarn: never warned about
  kUnsupported,       // known to GNU, not served here
};

struct Parse;
// Checks and stores a primary's argument (empty when it takes none) and
// applies its side effects on the parse; false stops parsing (a GNU error
// in Parse::fatal, or io.unsupported).
using ParseFn = bool (*)(Parse& p, Node& node, const std::string& arg);

struct PrimarySpec {
  std::string_view name;  // without the leading '-'
  Kind kind;
  Op op;
  TokType type;
  int prec;
  int args;       // words taken after the name (kNoArg, kArg, kTwoArgs)
  ParseFn parse;  // null: nothing to check or apply
};

// Parse state for one command.
struct Parse {
  Parse(std::string prog, CommandEnv& e, CommandIo& i) : program(std::move(prog)), env(e), io(i) {}
  std::string program;  // argv[0], which prefixes GNU's messages
  CommandEnv& env;
  CommandIo& io;
  std::vector<Node> nodes;
  bool warnings = kStdinIsTty;
  std::string first_nonoption;  // for the global-option warning
  std::string fatal;            // GNU's message when the command line is rejected
  bool has_action = false;
  int maxdepth = -1;
  int mindepth = -1;
  bool depth_first = false;     // -depth: directories after their contents
  bool explicit_depth = false;  // -depth or -d typed (not implied by -delete)
  bool has_delete = false;
  bool has_prune = false;
  int batches = 0;  // -exec/-execdir ... + seen
  bool has_exec = false;
  bool has_execdir_batch = false;
  // Files of -fprint/-fprint0/-fprintf, one per distinct file.
  std::vector<OutputFile> outputs;
  // A first pass over the expression that creates no file: what is
  // refused is known before anything is written.
  bool dry_run = false;
  // Some test or directive looks at sizes or times (see StaleOutputVisit).
  bool reads_stat = false;
};

bool Fail(Parse& p, std::string message) {
  p.fatal = std::move(message);
  return false;
}

bool Unsupported(Parse& p, std::string what) {
  p.io.unsupported = std::move(what);
  return false;
}

bool AllDigits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return true;
}

// Parses a decimal number already checked by AllDigits; false when it does
// not fit.
bool ToNumber(std::string_view digits, uint64_t* value) {
  auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), *value);
  return error == std::errc() && end == digits.data() + digits.size();
}

// A leading '+' or '-' (GNU get_comp_type).
Cmp TakeComparison(std::string_view* s) {
  if (!s->empty() && (*s)[0] == '+') {
    s->remove_prefix(1);
    return Cmp::kGt;
  }
  if (!s->empty() && (*s)[0] == '-') {
    s->remove_prefix(1);
    return Cmp::kLt;
  }
  return Cmp::kEq;
}

bool ParsePattern(Parse& p, Node& node, const std::string& arg) {
  node.pattern = arg;
  // check_name_arg(): a basename never contains '/'.
  if (p.warnings && arg.find('/') != std::string::npos) {
    bool icase = node.op == Op::kIName;
    p.io.err += p.program + ": warning: " + QuoteLocale(icase ? "-iname" : "-name") +
                " matches against basenames only, but the given pattern contains a directory "
                "separator (" +
                QuoteLocale("/") +
                "), thus the expression will evaluate to false all the time.  Did you mean " +
                QuoteLocale(icase ? "-iwholename" : "-wholename") + "?\n";
  }
  return true;
}

bool ParseWholePattern(Parse&, Node& node, const std::string& arg) {
  node.pattern = arg;
  return true;
}

struct TypeLetter {
  char letter;
  unsigned mask;  // 0: a type the store never holds (matches nothing)
};

// Letters GNU -type accepts; the store holds only files and directories.
// 'D' (door) is rejected by GNU on Linux with its own message.
constexpr TypeLetter kTypeLetters[] = {
    {'f', kTypeFile}, {'d', kTypeDir}, {'b', 0}, {'c', 0}, {'p', 0}, {'l', 0}, {'s', 0},
};

// insert_type(): a comma-separated list of single letters.
bool ParseType(Parse& p, Node& node, const std::string& arg) {
  if (arg.empty()) return Fail(p, "Arguments to -type should contain at least one letter");
  std::string seen;
  for (size_t i = 0; i < arg.size(); i += 2) {
    char c = arg[i];
    if (c == 'D') {
      return Fail(p,
                  "-type D is not supported because Solaris doors are not supported on the "
                  "platform find was compiled on.");
    }
    const TypeLetter* found = nullptr;
    for (const TypeLetter& t : kTypeLetters) {
      if (t.letter == c) found = &t;
    }
    if (found == nullptr) return Fail(p, std::string("Unknown argument to -type: ") + c);
    if (seen.find(c) != std::string::npos) {
      return Fail(p, std::string("Duplicate file type '") + c + "' in the argument list to -type.");
    }
    seen += c;
    node.type_mask |= found->mask;
    if (i + 1 < arg.size()) {
      if (arg[i + 1] != ',') {
        return Fail(p, "Must separate multiple arguments to -type using: ','");
      }
      if (i + 2 == arg.size()) {
        return Fail(p,
                    "Last file type in list argument to -type is missing, i.e., list is ending "
                    "on: ','");
      }
    }
  }
  return true;
}

struct SizeUnit {
  char suffix;
  uint64_t bytes;
};

// -size suffixes; a trailing digit means the default 512-byte blocks.
constexpr SizeUnit kSizeUnits[] = {
    {'b', 512}, {'c', 1}, {'w', 2}, {'k', 1024}, {'M', 1024 * 1024}, {'G', 1024 * 1024 * 1024},
};

bool ParseSize(Parse& p, Node& node, const std::string& arg) {
  if (arg.empty()) return Fail(p, "invalid null argument to -size");
  std::string_view number = arg;
  char last = arg.back();
  node.unit_bytes = 0;
  if (last >= '0' && last <= '9') {
    node.unit_bytes = 512;
  } else {
    for (const SizeUnit& u : kSizeUnits) {
      if (u.suffix == last) node.unit_bytes = u.bytes;
    }
    if (node.unit_bytes == 0) return Fail(p, std::string("invalid -size type `") + last + "'");
    number.remove_suffix(1);
  }
  node.cmp = TakeComparison(&number);
  if (!AllDigits(number)) {
    // strtoumax would also take leading blanks or a second sign; leave
    // those oddities to the next tier, report the plainly invalid.
    bool odd = !number.empty() && (number[0] == ' ' || number[0] == '\t' || number[0] == '+');
    if (odd) return Unsupported(p, "find -size " + arg);
    return Fail(p, "Invalid argument `" + arg + "' to -size");
  }
  if (!ToNumber(number, &node.units)) return Unsupported(p, "find -size " + arg);
  return true;
}

bool ParseDepth(Parse& p, int* limit, const std::string& option, const std::string& arg) {
  if (!AllDigits(arg)) {
    return Fail(p, "Expected a positive decimal integer argument to " + option + ", but got " +
                       QuoteLocale(arg));
  }
  uint64_t value = 0;
  if (!ToNumber(arg, &value) || value > 1000000000) {
    return Unsupported(p, "find " + option + " " + arg);
  }
  *limit = static_cast<int>(value);
  return true;
}

bool ParseMaxdepth(Parse& p, Node& node, const std::string& arg) {
  return ParseDepth(p, &p.maxdepth, node.name, arg);
}

bool ParseMindepth(Parse& p, Node& node, const std::string& arg) {
  return ParseDepth(p, &p.mindepth, node.name, arg);
}

bool ParseNewer(Parse& p, Node& node, const std::string& arg) {
  vfs::Stat st;
  vfs::Status status = vfs::Status::Error(vfs::Status::Code::kNotFound, "empty operand");
  if (!arg.empty()) {
    ResolvedPath ref = p.env.Resolve(arg);
    if (ref.where != ResolvedPath::Where::kMount) {
      return Unsupported(p, "find -newer of a host path " + arg);
    }
    status = p.env.StatResolved(ref, &st);
  }
  if (!status.ok()) {
    if (status.code() != vfs::Status::Code::kNotFound &&
        status.code() != vfs::Status::Code::kNotADirectory) {
      return Unsupported(p, "find: store error on " + arg + ": " + status.message());
    }
    return Fail(p, QuoteLocale(arg) + ": " + ErrnoText(status.code()));
  }
  node.ref_ns = st.mtime_ns;
  return true;
}

// -mmin/-mtime (get_relative_timestamp): the reference is origin - N units
// and the comparison is inverted (+N: older than the reference). Only
// integer N is served; fractional values involve GNU's floating point.
bool ParseRelativeTime(Parse& p, Node& node, const std::string& arg, int64_t unit_ns) {
  std::string_view number = arg;
  Cmp cmp = TakeComparison(&number);
  if (!AllDigits(number)) {
    std::string rest(number);
    char* end = nullptr;
    std::strtod(rest.c_str(), &end);
    if (!rest.empty() && end != nullptr && *end == '\0') {
      return Unsupported(p, "find " + node.name + " " + arg);
    }
    return Fail(p, "invalid argument `" + arg + "' to `" + node.name + "'");
  }
  uint64_t count = 0;
  // Far past or future references would overflow nanoseconds.
  if (!ToNumber(number, &count) || count > (uint64_t{1} << 62) / static_cast<uint64_t>(unit_ns)) {
    return Unsupported(p, "find " + node.name + " " + arg);
  }
  int64_t origin = p.env.options.now_ns;
  if (node.op == Op::kMtime) {
    // options.cur_day_start is "now" minus a day; for -N, parse_time
    // moves it to the end of that day.
    origin -= 86400 * kNsPerSec;
    if (cmp == Cmp::kLt) origin += 86399 * kNsPerSec;
  }
  node.ref_ns = origin - static_cast<int64_t>(count) * unit_ns;
  node.window_ns = unit_ns;
  node.cmp = cmp == Cmp::kGt ? Cmp::kLt : cmp == Cmp::kLt ? Cmp::kGt : Cmp::kEq;
  return true;
}

bool ParseMmin(Parse& p, Node& node, const std::string& arg) {
  return ParseRelativeTime(p, node, arg, 60 * kNsPerSec);
}

bool ParseMtime(Parse& p, Node& node, const std::string& arg) {
  return ParseRelativeTime(p, node, arg, 86400 * kNsPerSec);
}

bool ParseWarn(Parse& p, Node&, const std::string&) {
  p.warnings = true;
  return true;
}

bool ParseNowarn(Parse& p, Node&, const std::string&) {
  p.warnings = false;
  return true;
}

bool ParseDepthFirst(Parse& p, Node&, const std::string&) {
  p.depth_first = true;
  p.explicit_depth = true;
  return true;
}

// -d is BSD's spelling of -depth; GNU accepts it with a warning.
bool ParseD(Parse& p, Node& node, const std::string& arg) {
  if (p.warnings) {
    p.io.err += p.program +
                ": warning: the -d option is deprecated; please use -depth instead, because the "
                "latter is a POSIX-compliant feature.\n";
  }
  return ParseDepthFirst(p, node, arg);
}

// -printf escapes (print.c parse_escape_char()); 0: not an escape.
char EscapeChar(char c) {
  switch (c) {
    case 'a':
      return '\a';
    case 'b':
      return '\b';
    case 'f':
      return '\f';
    case 'n':
      return '\n';
    case 'r':
      return '\r';
    case 't':
      return '\t';
    case 'v':
      return '\v';
    case '\\':
      return '\\';
    default:
      return 0;
  }
}

// get_format_flags_length(): '%', then flags "-+ #", width, precision.
size_t FormatFlagsLength(const std::string& f, size_t percent) {
  auto at = [&](size_t i) { return i < f.size() ? f[i] : '\0'; };
  size_t n = 0;
  while (true) {
    char c = at(percent + ++n);
    if (c == '\0' || std::strchr("-+ #", c) == nullptr) break;
  }
  while (std::isdigit(static_cast<unsigned char>(at(percent + n)))) ++n;
  if (at(percent + n) == '.') {
    for (++n; std::isdigit(static_cast<unsigned char>(at(percent + n))); ++n) {
    }
  }
  return n;
}

// get_format_specifer_length(): 1 for a one-letter directive, 2 for the
// time families, 0 for an unknown one.
size_t FormatSpecifierLength(char c) {
  if (c != '\0' && std::strchr("abcdDfFgGhHiklmMnpPsStuUyYZ%", c) != nullptr) return 1;
  if (c != '\0' && std::strchr("ABCT", c) != nullptr) return 2;
  return 0;
}

bool IsTimeDirective(char c) { return std::strchr("aAcCtT", c) != nullptr; }

// insert_fprintf(): splits the format into segments, with GNU's warnings
// (printed at once) and errors.
bool ParsePrintf(Parse& p, Node& node, const std::string& arg) {
  using Kind = PrintfSegment::Kind;
  std::string f = arg;  // escapes are decoded in place, as GNU does
  auto at = [&](size_t i) { return i < f.size() ? f[i] : '\0'; };
  auto warn = [&](const std::string& text) { p.io.err += p.program + ": warning: " + text + "\n"; };
  std::vector<PrintfSegment>& segs = node.segments;
  bool uses_time = false;
  size_t segstart = 0;
  size_t i = 0;
  for (; i < f.size(); ++i) {
    if (f[i] == '\\' && at(i + 1) == 'c') {
      segs.push_back({Kind::kStop, f.substr(segstart, i - segstart), 0, 0});
      segstart = f.size();
      i = f.size();
      break;
    }
    if (f[i] == '\\') {
      size_t readpos = 1;
      char next = at(i + 1);
      if (next >= '0' && next <= '7') {
        int value = 0;
        size_t digits = 0;
        while (digits < 3 && at(i + 1 + digits) >= '0' && at(i + 1 + digits) <= '7') {
          value = 8 * value + (at(i + 1 + digits) - '0');
          ++digits;
        }
        readpos += digits - 1;
        f[i] = static_cast<char>(value);
      } else {
        char value = EscapeChar(next);
        if (value == 0) {
          if (next == '\0') return Unsupported(p, "find -printf ending in a backslash");
          warn(std::string("unrecognized escape `\\") + next + "'");
          i += readpos;
          continue;
        }
        f[i] = value;
      }
      segs.push_back({Kind::kPlain, f.substr(segstart, i - segstart + 1), 0, 0});
      segstart = i + readpos + 1;
      i += readpos;
    } else if (f[i] == '%') {
      if (at(i + 1) == '\0') {
        return Fail(p, "error: " + f.substr(i) + " at end of format string");
      }
      size_t len = at(i + 1) == '%' ? 1 : FormatFlagsLength(f, i);
      size_t d = i + len;
      char directive = at(d);
      if (directive == '\0') return Unsupported(p, "find -printf " + arg);
      size_t spec = FormatSpecifierLength(directive);
      if (spec != 0 && at(d + spec - 1) != '\0') {
        if (directive == '%' && len != 1) return Unsupported(p, "find -printf " + arg);
        if (std::strchr("iDFUGZB", directive) != nullptr) {
          return Unsupported(p, std::string("find -printf %") + directive);
        }
        if (IsTimeDirective(directive)) uses_time = true;
        segs.push_back({Kind::kFormat, f.substr(segstart, d - segstart), directive,
                        spec == 2 ? at(d + 1) : '\0'});
        d += spec - 1;
      } else {
        if (std::strchr("{[(", directive) != nullptr) {
          return Fail(p, std::string("error: the format directive `%") + directive +
                             "' is reserved for future use");
        }
        if (spec == 2 && at(d + 1) == '\0') {
          warn(std::string("format directive `%") + directive +
               "' should be followed by another character");
        } else {
          warn(std::string("unrecognized format directive `%") + directive + "'");
        }
        segs.push_back({Kind::kPlain, f.substr(segstart, d + 1 - segstart), 0, 0});
      }
      segstart = d + 1;
      i = d;
    }
  }
  if (segstart < f.size()) segs.push_back({Kind::kPlain, f.substr(segstart), 0, 0});
  if (uses_time) {
    // Times are rendered in this process's time zone; the command's must
    // be the same.
    const char* process_tz = std::getenv("TZ");
    std::optional<std::string_view> command_tz = p.env.Getenv("TZ");
    bool same = process_tz == nullptr ? !command_tz.has_value()
                                      : command_tz.has_value() && *command_tz == process_tz;
    if (!same) return Unsupported(p, "find -printf times in another time zone");
  }
  return true;
}

// -delete implies -depth (parse_delete).
bool ParseDelete(Parse& p, Node&, const std::string&) {
  p.depth_first = true;
  p.has_delete = true;
  return true;
}

bool ParsePrune(Parse& p, Node&, const std::string&) {
  p.has_prune = true;
  return true;
}

// Directives of -printf that show a size or a time.
bool PrintfReadsStat(const Node& node) {
  for (const PrintfSegment& seg : node.segments) {
    if (seg.kind == PrintfSegment::Kind::kFormat && std::strchr("sSkbaAcCtT", seg.directive)) {
      return true;
    }
  }
  return false;
}

// The names GNU find maps to its own streams instead of opening them.
struct StreamName {
  std::string_view name;
  OutputFile::Sink sink;
};
constexpr StreamName kStreamNames[] = {
    {"/dev/stdout", OutputFile::Sink::kStdout},
    {"/dev/stderr", OutputFile::Sink::kStderr},
};

// open_output_file(): the file is created (or truncated) at once, like
// fopen(FILE, "w"), even if nothing ever matches; a failure stops find
// before it walks anything. Names of a file already open share its stream.
bool OpenOutput(Parse& p, Node& node, const std::string& name) {
  OutputFile out;
  for (const StreamName& s : kStreamNames) {
    if (name == s.name) out.sink = s.sink;
  }
  if (out.sink == OutputFile::Sink::kFile &&
      p.env.Resolve(name).where == ResolvedPath::Where::kDevNull) {
    out.sink = OutputFile::Sink::kNull;
  }
  if (out.sink == OutputFile::Sink::kFile) {
    wfs::Fs fs(p.env, p.io);
    if (!fs.Resolve(name, p.program, &out.loc, p.io)) return false;
    wfs::Node st;
    bool exists = fs.Stat(out.loc, &st) == 0;
    // A fifo, device or symlink on the host: not a plain file to write.
    if (exists && st.kind == wfs::Kind::kOther) {
      return Unsupported(p, "find " + node.name + " to a host special file " + name);
    }
    if (!p.dry_run) {
      int err = fs.WriteFile(out.loc, "", 0666 & ~wfs::kUmask);
      if (!p.io.unsupported.empty()) return false;  // a read-only store
      if (err != 0) return Fail(p, QuoteLocale(name) + ": " + wfs::ErrnoMessage(err));
    }
    if (out.loc.host) {
      struct stat host_st;
      if (!p.dry_run && ::stat(out.loc.host_path.c_str(), &host_st) == 0) {
        out.key = "h" + std::to_string(host_st.st_dev) + ":" + std::to_string(host_st.st_ino);
      } else {
        out.key = "p" + out.loc.host_path;
      }
    } else {
      out.key = "m" + out.loc.vfs;  // the store has no links: one path, one file
    }
  }
  for (size_t k = 0; k < p.outputs.size(); ++k) {
    const OutputFile& other = p.outputs[k];
    if (other.sink == out.sink && other.key == out.key) {
      node.output = static_cast<int>(k);
      return true;
    }
  }
  node.output = static_cast<int>(p.outputs.size());
  p.outputs.push_back(std::move(out));
  return true;
}

bool ParseOutput(Parse& p, Node& node, const std::string& arg) { return OpenOutput(p, node, arg); }

// parse_fprintf(): the file is opened before the format is read, so the
// format's warnings and errors come after it is created.
bool ParseFprintf(Parse& p, Node& node, const std::string& format) {
  if (!OpenOutput(p, node, node.file)) return false;
  if (!ParsePrintf(p, node, format)) return false;
  p.reads_stat = p.reads_stat || PrintfReadsStat(node);
  return true;
}

bool ParseStdoutPrintf(Parse& p, Node& node, const std::string& format) {
  if (!ParsePrintf(p, node, format)) return false;
  p.reads_stat = p.reads_stat || PrintfReadsStat(node);
  return true;
}

// Tests that look at a file's size or times (see StaleOutputVisit).
constexpr Op kStatTests[] = {Op::kEmpty, Op::kSize, Op::kNewer, Op::kMmin, Op::kMtime};

constexpr TokType P = TokType::kPrimary;
constexpr int kNoArg = 0;
constexpr int kArg = 1;      // the primary takes the next word
constexpr int kTwoArgs = 2;  // -fprintf FILE FORMAT

constexpr PrimarySpec NotServed(std::string_view name) {
  return {name, Kind::kUnsupported, Op::kTrue, P, kNoPrec, kNoArg, nullptr};
}

// Every name GNU find 4.9 knows (find_parser's table; a leading '-' is
// optional there too, so "-(" is "("). Names absent from this table get
// GNU's "unknown predicate" error; kUnsupported ones go to the next tier.
constexpr PrimarySpec kPrimaries[] = {
    // Operators.
    {"!", Kind::kPunctuation, Op::kNot, TokType::kUniOp, kNegatePrec, kNoArg, nullptr},
    {"not", Kind::kPunctuation, Op::kNot, TokType::kUniOp, kNegatePrec, kNoArg, nullptr},
    {"(", Kind::kPunctuation, Op::kOpenParen, TokType::kOpenParen, kNoPrec, kNoArg, nullptr},
    {")", Kind::kPunctuation, Op::kCloseParen, TokType::kCloseParen, kNoPrec, kNoArg, nullptr},
    {"a", Kind::kPunctuation, Op::kAnd, TokType::kBiOp, kAndPrec, kNoArg, nullptr},
    {"and", Kind::kPunctuation, Op::kAnd, TokType::kBiOp, kAndPrec, kNoArg, nullptr},
    {"o", Kind::kPunctuation, Op::kOr, TokType::kBiOp, kOrPrec, kNoArg, nullptr},
    {"or", Kind::kPunctuation, Op::kOr, TokType::kBiOp, kOrPrec, kNoArg, nullptr},
    // Tests.
    {"name", Kind::kTest, Op::kName, P, kNoPrec, kArg, ParsePattern},
    {"iname", Kind::kTest, Op::kIName, P, kNoPrec, kArg, ParsePattern},
    {"path", Kind::kTest, Op::kPath, P, kNoPrec, kArg, ParseWholePattern},
    {"wholename", Kind::kTest, Op::kPath, P, kNoPrec, kArg, ParseWholePattern},
    {"ipath", Kind::kTest, Op::kIPath, P, kNoPrec, kArg, ParseWholePattern},
    {"iwholename", Kind::kTest, Op::kIPath, P, kNoPrec, kArg, ParseWholePattern},
    {"type", Kind::kTest, Op::kType, P, kNoPrec, kArg, ParseType},
    {"empty", Kind::kTest, Op::kEmpty, P, kNoPrec, kNoArg, nullptr},
    {"size", Kind::kTest, Op::kSize, P, kNoPrec, kArg, ParseSize},
    {"newer", Kind::kTest, Op::kNewer, P, kNoPrec, kArg, ParseNewer},
    {"mmin", Kind::kTest, Op::kMmin, P, kNoPrec, kArg, ParseMmin},
    {"mtime", Kind::kTest, Op::kMtime, P, kNoPrec, kArg, ParseMtime},
    {"true", Kind::kTest, Op::kTrue, P, kNoPrec, kNoArg, nullptr},
    {"false", Kind::kTest, Op::kFalse, P, kNoPrec, kNoArg, nullptr},
    // Actions.
    {"print", Kind::kAction, Op::kPrint, P, kNoPrec, kNoArg, nullptr},
    {"print0", Kind::kAction, Op::kPrint0, P, kNoPrec, kNoArg, nullptr},
    {"prune", Kind::kNonPrintAction, Op::kPrune, P, kNoPrec, kNoArg, ParsePrune},
    {"quit", Kind::kNonPrintAction, Op::kQuit, P, kNoPrec, kNoArg, nullptr},
    {"printf", Kind::kAction, Op::kPrintf, P, kNoPrec, kArg, ParseStdoutPrintf},
    {"fprint", Kind::kAction, Op::kPrint, P, kNoPrec, kArg, ParseOutput},
    {"fprint0", Kind::kAction, Op::kPrint0, P, kNoPrec, kArg, ParseOutput},
    {"fprintf", Kind::kAction, Op::kPrintf, P, kNoPrec, kTwoArgs, ParseFprintf},
    {"delete", Kind::kAction, Op::kDelete, P, kNoPrec, kNoArg, ParseDelete},
    // The command words are taken by ParseExec (Tokenize).
    {"exec", Kind::kAction, Op::kExec, P, kNoPrec, kNoArg, nullptr},
    {"execdir", Kind::kAction, Op::kExec, P, kNoPrec, kNoArg, nullptr},
    // Options: always-true terms with a global effect. The store has one
    // filesystem and no leaves to optimise, so -xdev/-noleaf change nothing.
    {"maxdepth", Kind::kGlobalOption, Op::kTrue, P, kNoPrec, kArg, ParseMaxdepth},
    {"mindepth", Kind::kGlobalOption, Op::kTrue, P, kNoPrec, kArg, ParseMindepth},
    {"depth", Kind::kGlobalOption, Op::kTrue, P, kNoPrec, kNoArg, ParseDepthFirst},
    {"d", Kind::kGlobalOption, Op::kTrue, P, kNoPrec, kNoArg, ParseD},
    {"xdev", Kind::kGlobalOption, Op::kTrue, P, kNoPrec, kNoArg, nullptr},
    {"mount", Kind::kGlobalOption, Op::kTrue, P, kNoPrec, kNoArg, nullptr},
    {"noleaf", Kind::kGlobalOption, Op::kTrue, P, kNoPrec, kNoArg, nullptr},
    {"ignore_readdir_race", Kind::kGlobalOption, Op::kTrue, P, kNoPrec, kNoArg, nullptr},
    {"noignore_readdir_race", Kind::kGlobalOption, Op::kTrue, P, kNoPrec, kNoArg, nullptr},
    {"warn", Kind::kPositionalOption, Op::kTrue, P, kNoPrec, kNoArg, ParseWarn},
    {"nowarn", Kind::kPositionalOption, Op::kTrue, P, kNoPrec, kNoArg, ParseNowarn},
    // Known to GNU, not served: ownership, permissions, regexes, other
    // timestamps, -ok (reads the terminal), -ls and -fls (inode numbers).
    NotServed(","),
    NotServed("amin"),
    NotServed("anewer"),
    NotServed("atime"),
    NotServed("cmin"),
    NotServed("cnewer"),
    NotServed("context"),
    NotServed("ctime"),
    NotServed("daystart"),
    NotServed("executable"),
    NotServed("files0-from"),
    NotServed("fls"),  // -ls's first column is the inode number
    NotServed("follow"),
    NotServed("fstype"),
    NotServed("gid"),
    NotServed("group"),
    NotServed("help"),
    NotServed("ilname"),
    NotServed("inum"),
    NotServed("iregex"),
    NotServed("links"),
    NotServed("lname"),
    NotServed("ls"),
    NotServed("nogroup"),
    NotServed("nouser"),
    NotServed("ok"),
    NotServed("okdir"),
    NotServed("perm"),
    NotServed("readable"),
    NotServed("regex"),
    NotServed("regextype"),
    NotServed("samefile"),
    NotServed("uid"),
    NotServed("used"),
    NotServed("user"),
    NotServed("version"),
    NotServed("writable"),
    NotServed("xtype"),
};

// find_parser(): "-newerXY" (any two letters) is its own family; otherwise
// one leading '-' is dropped and the rest looked up.
const PrimarySpec* FindPrimary(std::string_view token, bool* newer_xy) {
  *newer_xy = token.size() == 8 && token.substr(0, 6) == "-newer";
  if (*newer_xy) return nullptr;
  if (!token.empty() && token[0] == '-') token.remove_prefix(1);
  for (const PrimarySpec& spec : kPrimaries) {
    if (spec.name == token) return &spec;
  }
  return nullptr;
}

// looks_like_expression(): "-x", "!" and "(" start the expression; ")" and
// "," do too once past the start points; a lone "-" is a path.
bool LooksLikeExpression(std::string_view arg, bool leading) {
  if (arg.empty()) return false;
  switch (arg[0]) {
    case '-':
      return arg.size() > 1;
    case ')':
    case ',':
      return arg.size() == 1 && !leading;
    case '!':
    case '(':
      return arg.size() == 1;
    default:
      return false;
  }
}

// Appends a node; an implicit -a goes between a term and a following term,
// '!' or '(' (get_new_pred_chk_op).
void Append(Parse& p, Node node) {
  bool needs_and = node.type == TokType::kPrimary || node.type == TokType::kUniOp ||
                   node.type == TokType::kOpenParen;
  if (needs_and && !p.nodes.empty()) {
    TokType last = p.nodes.back().type;
    if (last == TokType::kPrimary || last == TokType::kCloseParen) {
      Node and_node;
      and_node.type = TokType::kBiOp;
      and_node.op = Op::kAnd;
      and_node.name = "-a";
      and_node.prec = kAndPrec;
      and_node.artificial = true;
      p.nodes.push_back(std::move(and_node));
    }
  }
  p.nodes.push_back(std::move(node));
}

// Whether `arg` names an existing file, as access(arg, F_OK) would see it.
// Returns false with io.unsupported set when that cannot be known.
bool Exists(Parse& p, const std::string& arg, bool* exists) {
  *exists = false;
  if (arg.empty()) return true;
  ResolvedPath r = p.env.Resolve(arg);
  if (r.where == ResolvedPath::Where::kDevNull) {
    *exists = true;
    return true;
  }
  if (r.where != ResolvedPath::Where::kMount) {
    return Unsupported(p, "find: whether the host path " + arg + " exists");
  }
  vfs::Stat st;
  *exists = p.env.StatResolved(r, &st).ok();
  return true;
}

// check_path_safety(): -execdir refuses a $PATH that names the current or
// a relative directory.
bool CheckPathSafety(Parse& p, const std::string& action) {
  std::optional<std::string_view> path = p.env.Getenv("PATH");
  if (!path) return true;
  size_t pos = 0;
  while (true) {
    size_t colon = path->find(':', pos);
    std::string_view entry =
        path->substr(pos, colon == std::string_view::npos ? std::string_view::npos : colon - pos);
    if (entry.empty() || entry == ".") {
      return Fail(p,
                  "The current directory is included in the PATH environment variable, which is "
                  "insecure in combination with the " +
                      action +
                      " action of find.  Please remove the current directory from your $PATH "
                      "(that is, remove \".\", double colons, or leading or trailing colons)");
    }
    if (entry[0] != '/') {
      return Fail(p, "The relative path " + QuoteLocale(entry) +
                         " is included in the PATH environment variable, which is insecure in "
                         "combination with the " +
                         action + " action of find.  Please remove that entry from $PATH");
    }
    if (colon == std::string_view::npos) return true;
    pos = colon + 1;
  }
}

// new_insert_exec_ok(): the command runs up to a lone ";" or up to a "+"
// right after a word containing "{}" (then paths are batched). *i is left
// on the terminator.
bool ParseExec(Parse& p, Node& node, bool in_dir, const std::vector<std::string>& args, size_t* i) {
  if (in_dir && !CheckPathSafety(p, node.name)) return false;
  const size_t start = *i + 1;
  size_t end = start;
  bool saw_braces = false;
  int brace_count = 0;
  const std::string* brace_arg = nullptr;
  bool multiple = false;
  for (; end < args.size() && args[end] != ";"; ++end) {
    if (args[end] == "+" && saw_braces) {
      multiple = true;
      break;
    }
    saw_braces = false;
    if (args[end].find("{}") != std::string::npos) {
      saw_braces = true;
      brace_arg = &args[end];
      ++brace_count;
    }
  }
  if (end >= args.size()) return Fail(p, "missing argument to `" + node.name + "'");
  if (end == start) {
    return Fail(p, "invalid argument `" + args[end] + "' to `" + node.name + "'");
  }
  if (multiple) {
    const std::string suffix = in_dir ? "dir" : "";
    if (brace_count > 1) {
      return Fail(p, "Only one instance of {} is supported with -exec" + suffix + " ... +");
    }
    if (brace_arg->size() != 2) {
      return Fail(p, "In " + QuoteLocale("-exec" + suffix + " ... {} +") + " the " +
                         QuoteLocale("{}") + " must appear by itself, but you specified " +
                         QuoteLocale(*brace_arg));
    }
  }
  node.command.assign(args.begin() + static_cast<std::ptrdiff_t>(start),
                      args.begin() + static_cast<std::ptrdiff_t>(end));
  node.in_dir = in_dir;
  node.multiple = multiple;
  if (multiple) {
    node.command.pop_back();  // the "{}"
    node.batch = p.batches++;
    if (in_dir) p.has_execdir_batch = true;
  }
  p.has_exec = true;
  *i = end;
  return true;
}

// Turns the expression arguments into the predicate list. False: a GNU
// error (p.fatal) or unsupported.
bool Tokenize(Parse& p, const std::vector<std::string>& args, size_t begin) {
  Node open;
  open.type = TokType::kOpenParen;
  open.op = Op::kOpenParen;
  open.name = "(";
  open.artificial = true;
  p.nodes.push_back(std::move(open));
  std::string last_name;  // the last predicate parsed, for GNU's hint
  for (size_t i = begin; i < args.size(); ++i) {
    const std::string& token = args[i];
    if (!LooksLikeExpression(token, false)) {
      std::string message = "paths must precede expression: `" + token + "'";
      bool exists = false;
      if (!Exists(p, token, &exists)) return false;
      // GNU guesses at a shell-expanded glob when the word is a real file.
      if (exists) {
        message +=
            "\n" + p.program + ": possible unquoted pattern after predicate `" + last_name + "'?";
      }
      return Fail(p, message);
    }
    bool newer_xy = false;
    const PrimarySpec* spec = FindPrimary(token, &newer_xy);
    if (newer_xy) return Unsupported(p, "find " + token);
    if (spec == nullptr) return Fail(p, "unknown predicate `" + token + "'");
    if (spec->kind == Kind::kUnsupported) return Unsupported(p, "find " + token);

    // found_parser(): the warning about a global option placed after tests
    // names the first non-option argument.
    if (spec->kind == Kind::kGlobalOption) {
      if (!p.first_nonoption.empty() && p.warnings) {
        p.io.err += p.program + ": warning: you have specified the global option " + token +
                    " after the argument " + p.first_nonoption +
                    ", but global options are not positional, i.e., " + token +
                    " affects tests specified before it as well as those specified after it.  "
                    "Please specify global options before other arguments.\n";
      }
    } else if (spec->kind != Kind::kPositionalOption && p.first_nonoption.empty()) {
      p.first_nonoption = token;
    }

    Node node;
    node.type = spec->type;
    node.op = spec->op;
    node.name = token;
    node.prec = spec->prec;
    if (spec->op == Op::kExec) {
      if (!ParseExec(p, node, spec->name == "execdir", args, &i)) return false;
      p.has_action = true;
      last_name = token;
      Append(p, std::move(node));
      continue;
    }
    std::string arg;
    if (spec->args >= kArg) {
      if (i + 1 >= args.size()) return Fail(p, "missing argument to `" + token + "'");
      arg = args[++i];
    }
    if (spec->args == kTwoArgs) {
      // GNU names the first word when the second is missing.
      if (i + 1 >= args.size()) {
        return Fail(p, "invalid argument `" + arg + "' to `" + token + "'");
      }
      node.file = std::move(arg);
      arg = args[++i];
    }
    for (Op op : kStatTests) p.reads_stat = p.reads_stat || op == spec->op;
    if (spec->parse != nullptr && !spec->parse(p, node, arg)) return false;
    if (spec->kind == Kind::kAction) p.has_action = true;
    last_name = token;
    Append(p, std::move(node));
  }
  return true;
}

// Closes the artificial parenthesis and adds the implied -print.
void Finish(Parse& p) {
  Node close;
  close.type = TokType::kCloseParen;
  close.op = Op::kCloseParen;
  close.name = ")";
  close.artificial = true;
  p.nodes.push_back(std::move(close));
  if (!p.has_action) {
    Node print;
    print.op = Op::kPrint;
    print.name = "-print";
    print.artificial = true;
    Append(p, std::move(print));
  }
}

int ScanRest(Parse& p, size_t* pos, int head, int prev_prec);

// tree.c get_expr(): one operand, then any operators binding tighter than
// prev_prec. Returns the subtree root, or -1 with p.fatal set.
int GetExpr(Parse& p, size_t* pos, int prev_prec, int prev_pred) {
  if (*pos >= p.nodes.size()) {
    Fail(p, "invalid expression");
    return -1;
  }
  int here = static_cast<int>(*pos);
  int next = -1;
  const Node& node = p.nodes[here];
  switch (node.type) {
    case TokType::kBiOp:
      Fail(p, "invalid expression; you have used a binary operator '" + node.name +
                  "' with nothing before it.");
      return -1;
    case TokType::kCloseParen: {
      const Node* prev = prev_pred >= 0 ? &p.nodes[prev_pred] : nullptr;
      if (prev != nullptr && (prev->type == TokType::kUniOp || prev->type == TokType::kBiOp) &&
          !node.artificial) {
        Fail(p, "expected an expression between '" + prev->name + "' and ')'");
      } else if (node.artificial && prev != nullptr) {
        Fail(p, "expected an expression after '" + prev->name + "'");
      } else {
        Fail(p, "invalid expression; you have too many ')'");
      }
      return -1;
    }
    case TokType::kPrimary:
      next = here;
      ++*pos;
      break;
    case TokType::kUniOp:
      next = here;
      ++*pos;
      {
        int operand = GetExpr(p, pos, kNegatePrec, here);
        if (operand < 0) return -1;
        p.nodes[here].right = operand;
      }
      break;
    case TokType::kOpenParen: {
      if (*pos + 1 >= p.nodes.size() || p.nodes[*pos + 1].artificial) {
        Fail(p,
             "invalid expression; expected to find a ')' but didn't see one. Perhaps you need an "
             "extra predicate after '" +
                 node.name + "'");
        return -1;
      }
      ++*pos;
      if (p.nodes[*pos].type == TokType::kCloseParen) {
        Fail(p, "invalid expression; empty parentheses are not allowed.");
        return -1;
      }
      next = GetExpr(p, pos, kNoPrec, here);
      if (next < 0) return -1;
      if (*pos >= p.nodes.size() || p.nodes[*pos].type != TokType::kCloseParen) {
        Fail(p, "invalid expression; I was expecting to find a ')' somewhere but did not see one.");
        return -1;
      }
      ++*pos;
      break;
    }
  }
  if (*pos >= p.nodes.size()) return next;
  if (p.nodes[*pos].prec > prev_prec) {
    next = ScanRest(p, pos, next, prev_prec);
    if (next < 0 && p.fatal.empty()) Fail(p, "invalid expression");
  }
  return next;
}

// tree.c scan_rest(): folds binary operators while they bind tighter than
// prev_prec.
int ScanRest(Parse& p, size_t* pos, int head, int prev_prec) {
  int tree = head;
  while (*pos < p.nodes.size() && p.nodes[*pos].prec > prev_prec) {
    Node& op = p.nodes[*pos];
    if (op.type == TokType::kCloseParen) return tree;
    if (op.type != TokType::kBiOp) {
      Fail(p, "invalid expression");
      return -1;
    }
    int op_index = static_cast<int>(*pos);
    p.nodes[op_index].left = tree;
    ++*pos;
    int right = GetExpr(p, pos, p.nodes[op_index].prec, op_index);
    if (right < 0) return -1;
    p.nodes[op_index].right = right;
    tree = op_index;
  }
  return tree;
}

// Builds the tree; returns its root, or -1 (p.fatal or io.unsupported set).
// Parsing and evaluation recurse once per operator: a bound on the terms
// keeps a pathological command line from exhausting the stack.
constexpr size_t kMaxExpressionTerms = 10000;

int BuildTree(Parse& p) {
  if (p.nodes.size() > kMaxExpressionTerms) {
    Unsupported(p,
                "a find expression of more than " + std::to_string(kMaxExpressionTerms) + " terms");
    return -1;
  }
  size_t pos = 0;
  int root = GetExpr(p, &pos, kNoPrec, -1);
  if (root < 0) return -1;
  if (pos < p.nodes.size()) {
    const Node& extra = p.nodes[pos];
    if (extra.type == TokType::kCloseParen) {
      Fail(p, "you have too many ')'");
    } else {
      Fail(p, "unexpected extra predicate '" + extra.name + "'");
    }
    return -1;
  }
  return root;
}

// Sets the thread's LC_CTYPE for fnmatch (so '?' matches one UTF-8
// character under a UTF-8 locale, one byte under C) and restores it.
class CtypeScope {
 public:
  CtypeScope() {
    locale_ = newlocale(LC_CTYPE_MASK, LocaleIsUtf8() ? "C.UTF-8" : "C", static_cast<locale_t>(0));
    if (locale_ != static_cast<locale_t>(0)) previous_ = uselocale(locale_);
  }
  ~CtypeScope() {
    if (locale_ != static_cast<locale_t>(0)) {
      uselocale(previous_);
      freelocale(locale_);
    }
  }
  CtypeScope(const CtypeScope&) = delete;
  CtypeScope& operator=(const CtypeScope&) = delete;

 private:
  locale_t locale_ = static_cast<locale_t>(0);
  locale_t previous_ = static_cast<locale_t>(0);
};

// One node being visited.
struct Visit {
  const std::string& path;  // as printed
  std::string_view base;    // what -name matches
  const vfs::Stat& stat;
  bool empty_dir;            // a directory without entries
  int depth = 0;             // 0: the start point
  const std::string& start;  // the start point as typed
  std::string_view rel;      // below the start point ("" for itself)
};

// bc_use_sensible_arg_max(): the argument bytes (each with its NUL) GNU
// packs into one command line of -exec ... +.
constexpr size_t kArgMax = 128 * 1024;

// The pending command line of one -exec/-execdir ... +.
struct Batch {
  std::vector<std::string> args;  // the command words, then the paths
  size_t initial = 0;             // command words
  size_t chars = 0;               // bytes of args, NULs included
  std::string wd;                 // -execdir: where it runs
  bool Pending() const { return args.size() > initial; }
};

struct EvalState {
  bool prune = false;
  bool quit = false;
  Stream* out = nullptr;
  // For -exec and -printf.
  CommandEnv* env = nullptr;
  CommandIo* io = nullptr;
  const std::vector<Node>* nodes = nullptr;
  int root = -1;
  std::string program;
  std::vector<Batch> batches;
  bool aborted = false;  // io.unsupported was set: stop everything
  // -execdir ... +: the directory (as fts would have it) of the last entry
  // fts returned; a change runs the pending command lines.
  std::string dir_key;
  // -delete: the start point being walked, resolved.
  const wfs::Loc* start_loc = nullptr;
  // -fprint/-fprint0/-fprintf files (Parse::outputs).
  std::vector<OutputFile>* outputs = nullptr;
};

// Where the output of an action goes: stdout, or its -f* file.
void Emit(EvalState& state, int output, std::string_view bytes) {
  if (output < 0) {
    *state.out += bytes;
    return;
  }
  OutputFile& file = (*state.outputs)[static_cast<size_t>(output)];
  switch (file.sink) {
    case OutputFile::Sink::kStdout:
      *state.out += bytes;
      break;
    case OutputFile::Sink::kStderr:
      state.io->err += bytes;
      break;
    case OutputFile::Sink::kNull:
      break;
    case OutputFile::Sink::kFile:
      file.bytes += bytes;
      break;
  }
}

void Abort(EvalState& state, std::string what) {
  state.io->unsupported = std::move(what);
  state.aborted = true;
  state.quit = true;
}

// gnulib last_component(): the offset of the last file name component.
size_t LastComponent(std::string_view name) {
  size_t base = 0;
  while (base < name.size() && name[base] == '/') ++base;
  bool last_was_slash = false;
  for (size_t k = base; k < name.size(); ++k) {
    if (name[k] == '/') {
      last_was_slash = true;
    } else if (last_was_slash) {
      base = k;
      last_was_slash = false;
    }
  }
  return base;
}

// gnulib base_len(): the length without trailing slashes (at least 1).
size_t BaseLen(std::string_view name) {
  size_t len = name.size();
  while (len > 1 && name[len - 1] == '/') --len;
  return len;
}

// gnulib base_name(): the last component with one trailing slash kept;
// "/" for a name of slashes only.
std::string GnuBaseName(std::string_view name) {
  std::string_view base = name.substr(LastComponent(name));
  if (base.empty()) return std::string(name.substr(0, BaseLen(name)));
  size_t length = BaseLen(base);
  if (length < base.size() && base[length] == '/') ++length;
  return std::string(base.substr(0, length));
}

// gnulib mdir_name(): the directory part, "." when there is none.
std::string GnuDirName(std::string_view name) {
  size_t prefix = !name.empty() && name[0] == '/' ? 1 : 0;
  size_t length = LastComponent(name);
  for (; prefix < length; --length) {
    if (name[length - 1] != '/') break;
  }
  if (length == 0) return ".";
  return std::string(name.substr(0, length));
}

// Runs one command line (in `wd` when not null) through the shell's
// runner, copying its output. Returns its exit status; an exec() failure
// is reported as GNU's child does (status 1); -1 once aborted.
int RunChild(EvalState& state, const std::vector<std::string>& argv, const std::string* wd) {
  CommandEnv& env = *state.env;
  CommandIo& io = *state.io;
  // /bin/echo (coreutils) answers a lone --help / --version itself.
  if (argv.size() == 2 && argv[0] == "echo" && (argv[1] == "--help" || argv[1] == "--version")) {
    Abort(state, "find -exec /bin/echo " + argv[1]);
    return -1;
  }
  CommandIo child;
  child.stdout_is_null = io.stdout_is_null;
  std::string saved_cwd;
  if (wd != nullptr) {
    saved_cwd = env.cwd;
    env.cwd = *wd;
  }
  int status = env.run_command(argv, child);
  if (wd != nullptr) env.cwd = saved_cwd;
  if (!child.unsupported.empty()) {
    Abort(state, child.unsupported);
    return -1;
  }
  for (const Stream::Chunk& chunk : child.log) {
    if (chunk.fd == 2) {
      io.err += chunk.bytes;
    } else {
      io.out += chunk.bytes;
    }
  }
  if ((status == 127 || status == 126) && child.log.empty()) {
    io.err += state.program + ": " + QuoteLocale(argv[0]) + ": " +
              (status == 127 ? "No such file or directory" : "Permission denied") + "\n";
    return 1;
  }
  return status;
}

void RunBatch(EvalState& state, int index) {
  Batch& batch = state.batches[index];
  if (!batch.Pending() || state.aborted) return;
  std::vector<std::string> argv = batch.args;
  const bool in_dir = !batch.wd.empty();
  std::string wd = batch.wd;
  batch.args.resize(batch.initial);
  batch.chars = 0;
  for (const std::string& a : batch.args) batch.chars += a.size() + 1;
  batch.wd.clear();
  int status = RunChild(state, argv, in_dir ? &wd : nullptr);
  if (status > 0) state.io->status = 1;  // a failed "+" batch fails find
}

// Runs the pending command lines of -exec ... + (execdir false) or of
// -execdir ... + (true), in expression order (traverse_tree).
void RunPending(EvalState& state, int index, bool in_dir) {
  if (index < 0 || state.aborted) return;
  const Node& n = (*state.nodes)[index];
  RunPending(state, n.left, in_dir);
  if (n.op == Op::kExec && n.multiple && n.in_dir == in_dir) RunBatch(state, n.batch);
  RunPending(state, n.right, in_dir);
}

// fts returned an entry whose working directory is `key`.
void EnterDir(EvalState& state, const std::string& key) {
  if (key == state.dir_key) return;
  state.dir_key = key;
  RunPending(state, state.root, true);
}

// The file -execdir works on: its name and the host directory it runs in.
void ExecDirTarget(const EvalState& state, const Visit& v, std::string* target, std::string* wd) {
  if (v.depth == 0) {
    *target = GnuBaseName(v.start);
    *wd = state.env->Resolve(GnuDirName(v.start)).absolute;
  } else {
    *target = std::string(v.base);
    *wd = state.env->Resolve(std::string_view(v.path).substr(0, v.path.size() - v.base.size()))
              .absolute;
  }
  if (target->empty() || (*target)[0] != '/') *target = "./" + *target;
}

// bc_do_insert(): every "{}" in `arg` replaced by `target`.
std::string InsertPath(const std::string& arg, const std::string& target) {
  std::string out;
  size_t pos = 0;
  for (size_t hit; (hit = arg.find("{}", pos)) != std::string::npos; pos = hit + 2) {
    out.append(arg, pos, hit - pos);
    out += target;
  }
  out.append(arg, pos, std::string::npos);
  return out;
}

bool EvalExec(const Node& n, const Visit& v, EvalState& state) {
  std::string target = v.path;
  std::string wd;
  if (n.in_dir) ExecDirTarget(state, v, &target, &wd);
  if (n.multiple) {
    Batch& batch = state.batches[n.batch];
    size_t len = target.size() + 1;
    if (batch.chars + len > kArgMax) {
      if (!batch.Pending()) {
        Abort(state, "find -exec: a path beyond the argument size limit");
        return false;
      }
      RunBatch(state, n.batch);
      if (state.aborted) return false;
    }
    if (!batch.Pending()) batch.wd = wd;  // record_exec_dir()
    batch.args.push_back(std::move(target));
    batch.chars += len;
    return true;  // POSIX: '+' is always true
  }
  std::vector<std::string> argv;
  argv.reserve(n.command.size());
  for (const std::string& word : n.command) argv.push_back(InsertPath(word, target));
  int status = RunChild(state, argv, n.in_dir ? &wd : nullptr);
  return status == 0;
}

// 512-byte blocks a file occupies on ext4 (as ls): whole 4 KiB blocks.
uint64_t Blocks512(const vfs::Stat& st) { return (st.size + 4095) / 4096 * 8; }

// filemodestring(): "drwxr-xr-x".
std::string ModeString(const vfs::Stat& st) {
  const uint32_t m = st.mode;
  std::string s = st.kind == vfs::NodeKind::kDirectory ? "d" : "-";
  auto triple = [&](uint32_t r, uint32_t w, uint32_t x, uint32_t special, char set, char unset) {
    s += (m & r) ? 'r' : '-';
    s += (m & w) ? 'w' : '-';
    if (m & special) {
      s += (m & x) ? set : unset;
    } else {
      s += (m & x) ? 'x' : '-';
    }
  };
  triple(0400, 0200, 0100, 04000, 's', 'S');
  triple(0040, 0020, 0010, 02000, 's', 'S');
  triple(0004, 0002, 0001, 01000, 't', 'T');
  return s;
}

// scan_for_digit_differences() (with GNU's check of q only).
bool DigitDifferences(const std::string& p, const std::string& q, size_t* first, size_t* n) {
  bool seen = false;
  size_t i = 0;
  for (; i < p.size() && i < q.size(); ++i) {
    if (p[i] == q[i]) continue;
    if (!std::isdigit(static_cast<unsigned char>(q[i]))) return false;
    if (!seen) {
      *first = i;
      *n = 1;
      seen = true;
    } else if (i - *first == *n) {
      ++*n;
    } else {
      return false;
    }
  }
  return p.size() == q.size();
}

// do_time_format(): strftime, with the nanoseconds put after the seconds
// when GNU finds them (the only two digits that change with tm_sec).
bool TimeFormat(const std::string& fmt, const struct tm& tm, const std::string& ns,
                std::string* out) {
  const std::string timefmt = "_" + fmt;
  char buf[1024];
  size_t used = std::strftime(buf, sizeof buf, timefmt.c_str(), &tm);
  if (used == 0) return false;
  std::string s(buf, used);
  if (!ns.empty()) {
    struct tm altered = tm;
    altered.tm_sec = tm.tm_sec >= 11 ? tm.tm_sec - 11 : tm.tm_sec + 11;
    size_t alt_used = std::strftime(buf, sizeof buf, timefmt.c_str(), &altered);
    std::string alt(buf, alt_used);
    size_t i = 0;
    size_t n = 0;
    if (DigitDifferences(s, alt, &i, &n) && n == 2 &&
        !(i + n < s.size() && std::isdigit(static_cast<unsigned char>(s[i + n])))) {
      s.insert(i + n, ns);
    }
  }
  *out = s.substr(1);
  return true;
}

// A time as -printf renders it: kind 0 is %t/%a/%c (ctime_format), else the
// letter after %T/%A/%C (format_date). False: not renderable here.
bool RenderTime(int64_t ns_since_epoch, char kind, std::string* out) {
  if (ns_since_epoch < 0) return false;
  const time_t secs = static_cast<time_t>(ns_since_epoch / kNsPerSec);
  const long nanos = static_cast<long>(ns_since_epoch % kNsPerSec);
  char ns_buf[32];
  std::snprintf(ns_buf, sizeof ns_buf, ".%09ld0", nanos);
  struct tm tm;
  if (localtime_r(&secs, &tm) == nullptr) return false;
  if (kind == 0) {
    static constexpr const char* kWeekdays[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static constexpr const char* kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                              "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    char buf[128];
    std::snprintf(buf, sizeof buf, "%3s %3s %2d %02d:%02d:%02d%s %04d", kWeekdays[tm.tm_wday],
                  kMonths[tm.tm_mon], tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ns_buf,
                  1900 + tm.tm_year);
    *out = buf;
    return true;
  }
  if (kind == '@') {
    *out = std::to_string(secs) + ns_buf;
    return true;
  }
  const bool with_ns = kind == '+' || kind == 'S' || kind == 'T' || kind == 'X';
  const std::string fmt = kind == '+' ? std::string("%F+%T") : std::string("%") + kind;
  return TimeFormat(fmt, tm, with_ns ? std::string(ns_buf) : std::string(), out);
}

// printf into a std::string with a format built at run time.
template <typename T>
std::string FormatOne(const std::string& fmt, T value) {
  int n = std::snprintf(nullptr, 0, fmt.c_str(), value);
  if (n <= 0) return std::string();
  std::string out(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(out.data(), out.size(), fmt.c_str(), value);
  out.resize(static_cast<size_t>(n));
  return out;
}

// pred_fprintf(): the bytes of one -printf/-fprintf for `v`.
void FormatPrintf(const Node& n, const Visit& v, EvalState& state, std::string& out) {
  using Kind = PrintfSegment::Kind;
  for (const PrintfSegment& seg : n.segments) {
    if (seg.kind != Kind::kFormat) {
      out += seg.text;
      if (seg.kind == Kind::kStop) return;
      continue;
    }
    std::string value;
    switch (seg.directive) {
      case '%':
        out += FormatOne(seg.text + "%", 0);  // "...%%": a literal '%'
        continue;
      case 'd':
        out += FormatOne(seg.text + "d", v.depth);
        continue;
      case 'm':
        out += FormatOne(seg.text + "o", static_cast<unsigned>(v.stat.mode & 07777));
        continue;
      case 'S': {
        double sparseness = v.stat.size == 0 ? 1.0
                                             : static_cast<double>(Blocks512(v.stat)) * 512.0 /
                                                   static_cast<double>(v.stat.size);
        out += FormatOne(seg.text + "g", sparseness);
        continue;
      }
      case 'p':
        value = v.path;
        break;
      case 'f':
        value = GnuBaseName(v.path);
        break;
      case 'h': {
        // The leading directories, trailing slashes of the name aside.
        size_t slash = v.path.rfind('/', BaseLen(v.path) - 1);
        value = slash == std::string::npos ? std::string(".") : v.path.substr(0, slash);
        break;
      }
      case 'P':
        if (v.depth > 0) {
          value = v.path.substr(v.start.size());
          if (!value.empty() && value[0] == '/') value.erase(0, 1);
        }
        break;
      case 'H':
        value = v.start;
        break;
      case 's':
        value = std::to_string(v.stat.size);
        break;
      case 'k':
        value = std::to_string((Blocks512(v.stat) + 1) / 2);
        break;
      case 'b':
        value = std::to_string(Blocks512(v.stat));
        break;
      case 'n':
        value = std::to_string(v.stat.nlink);
        break;
      case 'M':
        value = ModeString(v.stat);
        break;
      case 'y':
      case 'Y':
        value = v.stat.kind == vfs::NodeKind::kDirectory ? "d" : "f";
        break;
      case 'u':
        value = state.env->options.owner;
        break;
      case 'g':
        value = state.env->options.group;
        break;
      case 'l':
        break;  // the store holds no symbolic links
      case 'a':
      case 'c':
      case 't':
      case 'A':
      case 'C':
      case 'T':
        // The store keeps one time: access and change times are mtime.
        if (!RenderTime(v.stat.mtime_ns,
                        std::islower(static_cast<unsigned char>(seg.directive)) ? '\0' : seg.aux,
                        &value)) {
          Abort(state, "find -printf of this time");
          return;
        }
        break;
      default:
        Abort(state, std::string("find -printf %") + seg.directive);
        return;
    }
    out += FormatOne(seg.text + "s", value.c_str());
  }
}

void EvalPrintf(const Node& n, const Visit& v, EvalState& state) {
  std::string bytes;
  FormatPrintf(n, v, state, bytes);
  if (!state.aborted) Emit(state, n.output, bytes);
}

bool Compare(Cmp cmp, int64_t value, int64_t reference) {
  switch (cmp) {
    case Cmp::kLt:
      return value < reference;
    case Cmp::kGt:
      return value > reference;
    case Cmp::kEq:
      return value == reference;
  }
  return false;
}

// pred_delete(): unlink, or rmdir for a directory; the start point "."
// itself is left alone. A failure is reported and makes find exit 1.
bool EvalDelete(const Visit& v, EvalState& state) {
  if (v.depth == 0 && v.path == ".") return true;
  wfs::Fs fs(*state.env, *state.io);
  wfs::Loc loc = v.rel.empty() ? *state.start_loc : wfs::Fs::Child(*state.start_loc, v.rel);
  int err = v.stat.kind == vfs::NodeKind::kDirectory ? fs.Rmdir(loc) : fs.Unlink(loc);
  if (err == 0) return true;
  if (!state.io->unsupported.empty()) {  // a read-only store: the next tier deletes
    state.aborted = state.quit = true;
    return false;
  }
  state.io->err += state.program + ": cannot delete " + QuoteLocale(v.path) + ": " +
                   wfs::ErrnoMessage(err) + "\n";
  state.io->status = 1;
  return false;
}

bool Eval(const std::vector<Node>& nodes, int index, const Visit& v, EvalState& state) {
  if (state.quit) return false;  // -quit ran: nothing else is evaluated
  const Node& n = nodes[index];
  const bool is_dir = v.stat.kind == vfs::NodeKind::kDirectory;
  switch (n.op) {
    case Op::kAnd:
      return Eval(nodes, n.left, v, state) && Eval(nodes, n.right, v, state);
    case Op::kOr:
      return Eval(nodes, n.left, v, state) || Eval(nodes, n.right, v, state);
    case Op::kNot:
      return !Eval(nodes, n.right, v, state);
    case Op::kOpenParen:
    case Op::kCloseParen:
    case Op::kTrue:
      return true;
    case Op::kFalse:
      return false;
    case Op::kName:
      return fnmatch(n.pattern.c_str(), std::string(v.base).c_str(), 0) == 0;
    case Op::kIName:
      return fnmatch(n.pattern.c_str(), std::string(v.base).c_str(), FNM_CASEFOLD) == 0;
    case Op::kPath:
      return fnmatch(n.pattern.c_str(), v.path.c_str(), 0) == 0;
    case Op::kIPath:
      return fnmatch(n.pattern.c_str(), v.path.c_str(), FNM_CASEFOLD) == 0;
    case Op::kType:
      return (n.type_mask & (is_dir ? kTypeDir : kTypeFile)) != 0;
    case Op::kEmpty:
      return is_dir ? v.empty_dir : v.stat.size == 0;
    case Op::kSize: {
      // Sizes are counted in whole units, rounded up: -size -1M matches
      // only empty files.
      uint64_t units = v.stat.size / n.unit_bytes + (v.stat.size % n.unit_bytes != 0);
      switch (n.cmp) {
        case Cmp::kLt:
          return units < n.units;
        case Cmp::kGt:
          return units > n.units;
        case Cmp::kEq:
          return units == n.units;
      }
      return false;
    }
    case Op::kNewer:
      return v.stat.mtime_ns > n.ref_ns;
    case Op::kMmin:
    case Op::kMtime:
      if (n.cmp == Cmp::kEq) {
        // pred_timewindow(): within (reference, reference + one unit].
        int64_t delta = v.stat.mtime_ns - n.ref_ns;
        return delta > 0 && delta <= n.window_ns;
      }
      return Compare(n.cmp, v.stat.mtime_ns, n.ref_ns);
    case Op::kPrint:
    case Op::kPrint0: {
      if (n.output < 0) {  // stdout, the common case: no copy
        *state.out += v.path;
        *state.out += n.op == Op::kPrint ? '\n' : '\0';
        return true;
      }
      std::string line = v.path;
      line += n.op == Op::kPrint ? '\n' : '\0';
      Emit(state, n.output, line);
      return true;
    }
    case Op::kPrune:
      state.prune = true;
      return true;
    case Op::kQuit:
      state.quit = true;
      return true;
    case Op::kExec:
      return EvalExec(n, v, state);
    case Op::kPrintf:
      EvalPrintf(n, v, state);
      return true;
    case Op::kDelete:
      return EvalDelete(v, state);
  }
  return false;
}

// base_name() of a start point with trailing slashes stripped ("d/" -> "d",
// "/" stays "/").
std::string_view StartBase(std::string_view start) {
  while (start.size() > 1 && start.back() == '/') start.remove_suffix(1);
  size_t slash = start.rfind('/');
  if (slash == std::string_view::npos || start.size() == 1) return start;
  return start.substr(slash + 1);
}

// fts names children "start/rel", dropping one trailing '/' of the start
// ("d//" gives "d//x").
std::string ChildPath(const std::string& start, std::string_view rel) {
  std::string path = start;
  if (path.empty() || path.back() != '/') path += '/';
  path += rel;
  return path;
}

struct Item {
  // Relative to the start point; "" for the start itself. In the buffer
  // Collect fills (no allocation per file on a walk of the whole memory).
  std::string_view rel;
  vfs::Stat stat;
  int depth = 0;
  bool has_children = false;
};

// Collects the start point and everything below it that -maxdepth lets find
// see, in pre-order. Directories just past the depth limit still mark
// their parent non-empty for -empty.
vfs::Status Collect(CommandEnv& env, const std::string& vfs_path, const vfs::Stat& start_stat,
                    int maxdepth, std::vector<Item>* items, std::string* names) {
  items->push_back({"", start_stat, 0, false});
  if (start_stat.kind != vfs::NodeKind::kDirectory) return vfs::Status::Ok();
  if (maxdepth == 0) {
    // Nothing below is visited; -empty still needs to know whether there is
    // anything, and the first entry tells.
    return env.store.Walk(vfs_path, [&](const std::string&, const vfs::Stat&) {
      (*items)[0].has_children = true;
      return false;
    });
  }
  const size_t prefix = vfs_path.empty() ? 0 : vfs_path.size() + 1;
  std::vector<size_t> ancestors = {0};  // index of the latest item at each depth
  std::vector<size_t> offsets = {0};    // of each item's rel in *names
  vfs::Status status = env.store.Walk(vfs_path, [&](const std::string& path, const vfs::Stat& st) {
    const std::string_view rel = std::string_view(path).substr(prefix);
    int depth = 1;
    for (char c : rel) depth += c == '/';
    if (maxdepth >= 0 && depth > maxdepth + 1) return true;
    if (static_cast<size_t>(depth) <= ancestors.size()) {
      (*items)[ancestors[depth - 1]].has_children = true;
    }
    if (maxdepth >= 0 && depth > maxdepth) return true;
    ancestors.resize(depth);
    ancestors.push_back(items->size());
    offsets.push_back(names->size());
    names->append(rel);
    items->push_back({std::string_view(), st, depth, false});
    return true;
  });
  // *names is complete: point each item at its name.
  for (size_t i = 1; i < items->size(); ++i) {
    const size_t end = i + 1 < items->size() ? offsets[i + 1] : names->size();
    (*items)[i].rel = std::string_view(*names).substr(offsets[i], end - offsets[i]);
  }
  return status;
}

// The working directory fts has when it returns `item` (-execdir ... +
// runs its pending command lines when that changes): the start point's
// own for the start, else the item's directory.
std::string DirKey(const Item& item) {
  if (item.rel.empty()) return std::string(1, '\x01');
  size_t slash = item.rel.rfind('/');
  if (slash == std::string::npos) return std::string(1, '\x02');
  return std::string(item.rel.substr(0, slash));
}

// glibc's buffer for a file stream (st_blksize): GNU's -f* files receive
// nothing before that much is gathered.
constexpr size_t kStdioBuffer = 4096;

// Whether `item` is a -f* file that GNU would already have written to
// (its size and time changed) when an expression that looks at sizes or
// times reaches it; memhook writes the files only at the end.
bool StaleOutputVisit(const Parse& p, const EvalState& state, const Item& item) {
  if (!p.reads_stat) return false;
  for (const OutputFile& out : *state.outputs) {
    if (out.sink != OutputFile::Sink::kFile || out.loc.host || out.bytes.size() < kStdioBuffer) {
      continue;
    }
    const std::string& start = state.start_loc->vfs;
    std::string vfs = item.rel.empty() ? start
                      : start.empty()  ? std::string(item.rel)
                                       : start + "/" + std::string(item.rel);
    if (vfs == out.loc.vfs) return true;
  }
  return false;
}

// Evaluates the expression over one start point's items. Returns false
// once -quit has run.
bool Traverse(const Parse& p, int root, const std::string& start, const std::vector<Item>& items,
              EvalState& state) {
  auto evaluate = [&](const Item& item) {
    state.prune = false;
    if (item.depth < p.mindepth) return;
    std::string path = item.rel.empty() ? start : ChildPath(start, item.rel);
    std::string_view base = item.rel.empty() ? StartBase(start) : std::string_view(item.rel);
    if (!item.rel.empty()) {
      size_t slash = base.rfind('/');
      if (slash != std::string_view::npos) base.remove_prefix(slash + 1);
    }
    Visit visit{path, base, item.stat, !item.has_children, item.depth, start, item.rel};
    if (!p.outputs.empty() && StaleOutputVisit(p, state, item)) {
      Abort(state, "find: a -fprint file examined after GNU would have written to it");
      return;
    }
    Eval(p.nodes, root, visit, state);
  };
  // fts returns `item` (pre- or post-order).
  auto returned = [&](const Item& item) {
    if (p.has_execdir_batch) EnterDir(state, DirKey(item));
  };

  // Directories entered and not yet left, for their post-order return.
  std::vector<size_t> pending;
  if (p.depth_first) {
    // Post-order: a directory is evaluated once everything below it has
    // been; -prune has no effect (GNU: do_dir_first is false).
    for (size_t i = 0; i < items.size(); ++i) {
      while (!pending.empty() && items[pending.back()].depth >= items[i].depth) {
        returned(items[pending.back()]);
        evaluate(items[pending.back()]);
        pending.pop_back();
        if (state.quit) return false;
      }
      returned(items[i]);
      if (items[i].stat.kind == vfs::NodeKind::kDirectory) {
        pending.push_back(i);
      } else {
        evaluate(items[i]);
        if (state.quit) return false;
      }
    }
    while (!pending.empty()) {
      returned(items[pending.back()]);
      evaluate(items[pending.back()]);
      pending.pop_back();
      if (state.quit) return false;
    }
    return true;
  }

  std::string pruned;  // rel + "/" of a pruned directory, while inside it
  for (size_t i = 0; i < items.size(); ++i) {
    const Item& item = items[i];
    if (!pruned.empty()) {
      if (item.rel.compare(0, pruned.size(), pruned) == 0) continue;
      pruned.clear();
    }
    while (!pending.empty() && items[pending.back()].depth >= item.depth) {
      returned(items[pending.back()]);
      pending.pop_back();
    }
    if (state.aborted) return false;
    returned(item);
    evaluate(item);
    if (state.quit) return false;
    if (item.stat.kind == vfs::NodeKind::kDirectory) {
      if (state.prune) {
        if (item.rel.empty()) return true;  // the start itself: nothing below
        pruned = std::string(item.rel) + "/";
      } else {
        pending.push_back(i);
      }
    }
  }
  while (!pending.empty()) {
    returned(items[pending.back()]);
    pending.pop_back();
  }
  return !state.aborted;
}

// How parsing the expression ended.
enum class Parsed {
  kOk,
  kFatal,    // GNU rejects the command line: p.fatal
  kRefused,  // io.unsupported
};

// Parses the expression words argv[i...] as GNU does before it walks:
// the predicates (creating the -f* files unless p.dry_run), the tree and
// the option checks. With no words, the expression is -print.
Parsed ParseExpression(Parse& p, const std::vector<std::string>& argv, size_t i, int* root) {
  if (i >= argv.size()) {
    Node print;
    print.op = Op::kPrint;
    print.name = "-print";
    p.nodes.push_back(std::move(print));
    *root = 0;
    return Parsed::kOk;
  }
  if (!Tokenize(p, argv, i)) return p.io.unsupported.empty() ? Parsed::kFatal : Parsed::kRefused;
  Finish(p);
  *root = BuildTree(p);
  if (*root < 0) return p.io.unsupported.empty() ? Parsed::kFatal : Parsed::kRefused;
  // check_option_combinations(): -delete's implied -depth makes -prune
  // a no-op, so the pair needs an explicit -depth.
  if (p.has_delete && p.has_prune && !p.explicit_depth) {
    p.fatal =
        "The -delete action automatically turns on -depth, but -prune does nothing when -depth "
        "is in effect.  If you want to carry on anyway, just explicitly use the -depth option.";
    return Parsed::kFatal;
  }
  return Parsed::kOk;
}

// What a parsed expression needs that cannot be given exactly: sets
// io.unsupported and returns false.
bool Servable(const Parse& p, const CommandEnv& env, CommandIo& io) {
  if (p.has_exec) {
    if (!env.run_command) {
      io.unsupported = "find -exec without a shell";
      return false;
    }
    // A command would inherit find's stdin and read an unknown part of it.
    if (!io.stdin_data.empty()) {
      io.unsupported = "find -exec with a non-empty stdin";
      return false;
    }
  }
  // GNU's file streams reach the disk in 4 KiB blocks while it walks; a
  // command of -exec, or -delete, could see (or remove) the file half
  // written. memhook writes it once, at the end.
  for (const OutputFile& out : p.outputs) {
    if (out.sink == OutputFile::Sink::kFile && (p.has_exec || p.has_delete)) {
      io.unsupported = "find -fprint together with -exec or -delete";
      return false;
    }
  }
  return true;
}

// The -f* files receive their bytes when find ends (GNU: at exit, or as
// its stream buffers fill; nothing reads them in between).
void WriteOutputs(const Parse& p, CommandEnv& env, CommandIo& io) {
  wfs::Fs fs(env, io);
  for (const OutputFile& out : p.outputs) {
    if (out.sink != OutputFile::Sink::kFile || out.bytes.empty()) continue;
    int err = fs.WriteFile(out.loc, out.bytes, 0666 & ~wfs::kUmask);
    if (!io.unsupported.empty()) return;
    if (err != 0) {
      // Created at parse time, it cannot fail now the way GNU would.
      io.unsupported = "find: writing " + out.key.substr(1) + ": " + wfs::ErrnoMessage(err);
      return;
    }
  }
}

}  // namespace

void CmdFind(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  // POSIXLY_CORRECT changes GNU find's warnings and block sizes.
  if (std::getenv("POSIXLY_CORRECT") != nullptr) {
    io.unsupported = "find with POSIXLY_CORRECT set";
    return;
  }
  // Leading options: -P (the default), -H and -L only change how symlinks
  // are followed, and the store has none. -D and -O go to the next tier.
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& arg = argv[i];
    if (arg == "-P" || arg == "-H" || arg == "-L") continue;
    if (arg == "--") {
      ++i;
      break;
    }
    if (arg == "-D" || arg.rfind("-O", 0) == 0) {
      io.unsupported = "find " + arg;
      return;
    }
    break;
  }
  std::vector<std::string> starts;
  for (; i < argv.size() && !LooksLikeExpression(argv[i], true); ++i) starts.push_back(argv[i]);
  if (starts.empty()) starts.push_back(".");

  // A start point outside the mount sends the whole command on.
  std::vector<ResolvedPath> resolved(starts.size());
  for (size_t s = 0; s < starts.size(); ++s) {
    if (starts[s].empty()) continue;  // reported as missing below
    resolved[s] = env.Resolve(starts[s]);
    if (resolved[s].where != ResolvedPath::Where::kMount) {
      io.unsupported = "find of a host path " + starts[s];
      return;
    }
  }

  // A first pass that creates no file, so that whatever is refused is
  // refused before GNU's parse-time creation of the -f* files happens.
  {
    CommandIo scratch;
    Parse dry(argv[0], env, scratch);
    dry.dry_run = true;
    int dry_root = -1;
    Parsed parsed = ParseExpression(dry, argv, i, &dry_root);
    if (parsed == Parsed::kRefused) {
      io.unsupported = scratch.unsupported;
      return;
    }
    if (parsed == Parsed::kOk && !Servable(dry, env, io)) return;
  }

  Parse p(argv[0], env, io);
  int root = -1;
  Parsed parsed = ParseExpression(p, argv, i, &root);
  if (parsed == Parsed::kRefused) return;
  if (parsed == Parsed::kFatal) {
    io.err += p.program + ": " + p.fatal + "\n";
    io.status = 1;
    return;
  }

  CtypeScope ctype;
  EvalState state;
  state.out = &io.out;
  state.env = &env;
  state.io = &io;
  state.nodes = &p.nodes;
  state.root = root;
  state.program = p.program;
  state.outputs = &p.outputs;
  state.batches.resize(static_cast<size_t>(p.batches));
  for (const Node& n : p.nodes) {
    if (n.op != Op::kExec || !n.multiple) continue;
    Batch& batch = state.batches[static_cast<size_t>(n.batch)];
    batch.args = n.command;
    batch.initial = n.command.size();
    for (const std::string& a : n.command) batch.chars += a.size() + 1;
  }
  // cleanup(): at the end, or when -quit runs, the pending command lines of
  // -exec ... + and then of -execdir ... + run.
  auto finish = [&]() {
    if (state.aborted) return;
    RunPending(state, root, false);
    RunPending(state, root, true);
    if (!state.aborted) WriteOutputs(p, env, io);
  };
  for (size_t s = 0; s < starts.size(); ++s) {
    vfs::Stat st;
    vfs::Status status = starts[s].empty()
                             ? vfs::Status::Error(vfs::Status::Code::kNotFound, "empty operand")
                             : env.StatResolved(resolved[s], &st);
    if (!status.ok()) {
      vfs::Status::Code code = status.code();
      if (code != vfs::Status::Code::kNotFound && code != vfs::Status::Code::kNotADirectory) {
        io.unsupported = "find: store error on " + starts[s] + ": " + status.message();
        return;
      }
      io.err += p.program + ": " + QuoteLocale(starts[s]) + ": " + ErrnoText(code) + "\n";
      io.status = 1;
      continue;
    }
    std::vector<Item> items;
    std::string names;
    wfs::Loc start_loc;
    start_loc.vfs = resolved[s].vfs_path;
    state.start_loc = &start_loc;
    status = Collect(env, resolved[s].vfs_path, st, p.maxdepth, &items, &names);
    if (!status.ok()) {
      io.unsupported = "find: store error walking " + starts[s] + ": " + status.message();
      return;
    }
    if (!Traverse(p, root, starts[s], items, state)) {
      finish();
      return;
    }
  }
  finish();
}

}  // namespace memhook::utils
