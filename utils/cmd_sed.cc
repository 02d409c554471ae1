// GNU sed 4.9: options, input, and the execution of a compiled script
// (sed.c and execute.c's behaviour; the compiler is sed_compile.cc).
//
// Writes (-i and w FILE) are deferred to the end of the run and made only
// when the command is answered, never when it is refused: a refused
// command is run again by the next tier, which must find the files as
// they were. Deferring is exact because every case where sed would read a
// file it has written in the same run (an input that is also a w file, the
// same file twice under -i, a backup name that is an input) is refused.
#include <wchar.h>
#include <wctype.h>

#include <clocale>
#include <cstring>
#include <cwchar>
#include <cwctype>
#include <map>
#include <optional>
#include <utility>

#include "utils/sed_program.h"
#include "utils/utils.h"
#include "utils/write_fs.h"

namespace memhook::utils {
namespace {

using sed::Address;
using sed::AddrType;
using sed::Command;
using sed::Posixicity;
using sed::Program;

constexpr int kExitBadUsage = 1;
constexpr int kExitBadInput = 2;
constexpr int kExitPanic = 4;

constexpr const char* kUsageBody =
    "\n"
    "  -n, --quiet, --silent\n"
    "                 suppress automatic printing of pattern space\n"
    "      --debug\n"
    "                 annotate program execution\n"
    "  -e script, --expression=script\n"
    "                 add the script to the commands to be executed\n"
    "  -f script-file, --file=script-file\n"
    "                 add the contents of script-file to the commands to be executed\n"
    "  --follow-symlinks\n"
    "                 follow symlinks when processing in place\n"
    "  -i[SUFFIX], --in-place[=SUFFIX]\n"
    "                 edit files in place (makes backup if SUFFIX supplied)\n"
    "  -l N, --line-length=N\n"
    "                 specify the desired line-wrap length for the `l' command\n"
    "  --posix\n"
    "                 disable all GNU extensions.\n"
    "  -E, -r, --regexp-extended\n"
    "                 use extended regular expressions in the script\n"
    "                 (for portability use POSIX -E).\n"
    "  -s, --separate\n"
    "                 consider files as separate rather than as a single,\n"
    "                 continuous long stream.\n"
    "      --sandbox\n"
    "                 operate in sandbox mode (disable e/r/w commands).\n"
    "  -u, --unbuffered\n"
    "                 load minimal amounts of data from the input files and flush\n"
    "                 the output buffers more often\n"
    "  -z, --null-data\n"
    "                 separate lines by NUL characters\n"
    "      --help     display this help and exit\n"
    "      --version  output version information and exit\n"
    "\n"
    "If no -e, --expression, -f, or --file option is given, then the first\n"
    "non-option argument is taken as the sed script to interpret.  All\n"
    "remaining arguments are names of input files; if no input files are\n"
    "specified, then the standard input is read.\n"
    "\n"
    "GNU sed home page: <https://www.gnu.org/software/sed/>.\n"
    "General help using GNU software: <https://www.gnu.org/gethelp/>.\n";

std::string UsageText(const std::string& program, bool help) {
  std::string text = "Usage: " + program +
                     " [OPTION]... {script-only-if-no-other-script} [input-file]...\n" + kUsageBody;
  if (help) text += "E-mail bug reports to: <bug-sed@gnu.org>.\n";
  return text;
}

// ------------------------------------------------------------ options

enum OptId {
  kOptBinary,
  kOptExtended,
  kOptDebug,
  kOptExpression,
  kOptFile,
  kOptInPlace,
  kOptLineLength,
  kOptNullData,
  kOptQuiet,
  kOptPosix,
  kOptSandbox,
  kOptSeparate,
  kOptUnbuffered,
  kOptVersion,
  kOptHelp,
  kOptFollow,
  kOptV,  // -V: in sed's option string, but a usage error
};

enum class ArgKind { kNone, kRequired, kOptional };

struct LongOpt {
  const char* name;
  ArgKind arg;
  OptId id;
};

constexpr LongOpt kLongOpts[] = {
    {"binary", ArgKind::kNone, kOptBinary},
    {"regexp-extended", ArgKind::kNone, kOptExtended},
    {"debug", ArgKind::kNone, kOptDebug},
    {"expression", ArgKind::kRequired, kOptExpression},
    {"file", ArgKind::kRequired, kOptFile},
    {"in-place", ArgKind::kOptional, kOptInPlace},
    {"line-length", ArgKind::kRequired, kOptLineLength},
    {"null-data", ArgKind::kNone, kOptNullData},
    {"zero-terminated", ArgKind::kNone, kOptNullData},
    {"quiet", ArgKind::kNone, kOptQuiet},
    {"posix", ArgKind::kNone, kOptPosix},
    {"silent", ArgKind::kNone, kOptQuiet},
    {"sandbox", ArgKind::kNone, kOptSandbox},
    {"separate", ArgKind::kNone, kOptSeparate},
    {"unbuffered", ArgKind::kNone, kOptUnbuffered},
    {"version", ArgKind::kNone, kOptVersion},
    {"help", ArgKind::kNone, kOptHelp},
    {"follow-symlinks", ArgKind::kNone, kOptFollow},
};

struct ShortOpt {
  char name;
  ArgKind arg;
  OptId id;
};

// sed.c's SHORTOPTS "bsnrzuEe:f:l:i::V:".
constexpr ShortOpt kShortOpts[] = {
    {'b', ArgKind::kNone, kOptBinary},      {'s', ArgKind::kNone, kOptSeparate},
    {'n', ArgKind::kNone, kOptQuiet},       {'r', ArgKind::kNone, kOptExtended},
    {'z', ArgKind::kNone, kOptNullData},    {'u', ArgKind::kNone, kOptUnbuffered},
    {'E', ArgKind::kNone, kOptExtended},    {'e', ArgKind::kRequired, kOptExpression},
    {'f', ArgKind::kRequired, kOptFile},    {'l', ArgKind::kRequired, kOptLineLength},
    {'i', ArgKind::kOptional, kOptInPlace}, {'V', ArgKind::kRequired, kOptV},
};

struct Opt {
  OptId id;
  bool has_arg = false;
  std::string arg;
};

struct ParsedCommandLine {
  std::vector<Opt> opts;  // in order
  std::vector<std::string> operands;
  std::string error;  // getopt's message (then usage, status 1)
  bool usage_error = false;
  std::string unsupported;
};

// getopt_long with GNU's permutation: options anywhere until "--".
ParsedCommandLine ParseCommandLine(const std::vector<std::string>& argv) {
  ParsedCommandLine out;
  const std::string& prog = argv[0];
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      for (size_t k = i + 1; k < argv.size(); ++k) out.operands.push_back(argv[k]);
      break;
    }
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      std::string body = a.substr(2);
      size_t eq = body.find('=');
      std::string name = body.substr(0, eq);
      const LongOpt* match = nullptr;
      int matches = 0;
      for (const LongOpt& lo : kLongOpts) {
        if (name == lo.name) {
          match = &lo;
          matches = 1;
          break;
        }
        if (std::string_view(lo.name).substr(0, name.size()) == name) {
          // Abbreviations of two names for the same option are one match.
          if (match == nullptr || match->id != lo.id || match->arg != lo.arg) ++matches;
          if (match == nullptr) match = &lo;
        }
      }
      if (match == nullptr) {
        out.error = prog + ": unrecognized option '" + a + "'\n";
        out.usage_error = true;
        return out;
      }
      if (matches > 1) {
        out.unsupported = "sed ambiguous option " + a;
        return out;
      }
      Opt opt{match->id};
      if (eq != std::string::npos) {
        if (match->arg == ArgKind::kNone) {
          out.error = prog + ": option '--" + match->name + "' doesn't allow an argument\n";
          out.usage_error = true;
          return out;
        }
        opt.has_arg = true;
        opt.arg = body.substr(eq + 1);
      } else if (match->arg == ArgKind::kRequired) {
        if (i + 1 >= argv.size()) {
          out.error = prog + ": option '--" + match->name + "' requires an argument\n";
          out.usage_error = true;
          return out;
        }
        opt.has_arg = true;
        opt.arg = argv[++i];
      }
      out.opts.push_back(opt);
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      for (size_t k = 1; k < a.size(); ++k) {
        const ShortOpt* so = nullptr;
        for (const ShortOpt& s : kShortOpts) {
          if (s.name == a[k]) so = &s;
        }
        if (so == nullptr) {
          out.error = prog + ": invalid option -- '" + std::string(1, a[k]) + "'\n";
          out.usage_error = true;
          return out;
        }
        Opt opt{so->id};
        if (so->arg == ArgKind::kNone) {
          out.opts.push_back(opt);
          continue;
        }
        if (k + 1 < a.size()) {
          opt.has_arg = true;
          opt.arg = a.substr(k + 1);
        } else if (so->arg == ArgKind::kRequired) {
          if (i + 1 >= argv.size()) {
            out.error = prog + ": option requires an argument -- '" + std::string(1, a[k]) + "'\n";
            out.usage_error = true;
            return out;
          }
          opt.has_arg = true;
          opt.arg = argv[++i];
        }
        out.opts.push_back(opt);
        break;
      }
      continue;
    }
    out.operands.push_back(a);
  }
  return out;
}

// ------------------------------------------------------------ execution

struct Line {
  std::string text;
  bool chomped = true;  // the line had its delimiter
};

// One output stream of sed (stdout, an in-place file, a w file), with
// output_line's "missing newline" memory.
struct Sink {
  Stream* stream = nullptr;
  std::string* buffer = nullptr;
  bool missing_newline = false;
  void Write(std::string_view bytes) {
    if (bytes.empty()) return;
    if (stream != nullptr) {
      stream->append(bytes);
    } else {
      buffer->append(bytes);
    }
  }
};

struct AppendItem {
  std::string text;
  bool is_file = false;  // r FILE: text is the file name
};

// An input file being read: the whole content, or (a large file in the
// store) a growing prefix of it.
struct Source {
  std::string data;
  size_t pos = 0;
  bool complete = true;
  std::string vfs_path;  // for growing the prefix
  uint64_t prefix = 0;
};

// A deferred in-place result.
struct InPlaceWrite {
  wfs::Loc target;
  std::string content;
  uint32_t mode = 0644;
  bool backup = false;
  wfs::Loc backup_loc;
};

constexpr uint64_t kNoBound = UINT64_MAX;

// The commands a -n script may hold for LastPrintingLine: those that print
// (their addresses must bound them) and those that only move text between
// the pattern and hold spaces or jump (they print nothing, wherever they
// run). Any other command (r R w W e, D's restarted cycles, s///w, s///e)
// keeps the run reading to the end.
constexpr std::string_view kPrintingCommands = "pP=laicF";
constexpr std::string_view kSilentCommands = "dgGhHxyzbtT:{}nNv#";

// The last line a command can run on, from its own addresses.
uint64_t AddressBound(const Command& c, bool linear) {
  if (!c.has_a1 || c.bang || c.a1.type != AddrType::kNum) return kNoBound;
  const uint64_t first = c.a1.number;
  if (!c.has_a2) return first;
  switch (c.a2.type) {
    case AddrType::kNum:  // a range closes at its end line whenever it opened
      return std::max(first, c.a2.number);
    case AddrType::kStep:
    case AddrType::kStepMod:
      // Counted from the line the range opened on: `first` only when every
      // cycle reaches the command on every line.
      if (!linear || c.a2.step > kNoBound / 4 || first > kNoBound / 4) return kNoBound;
      return first + c.a2.step;
    default:
      return kNoBound;
  }
}

// The last input line on which a -n script can still print anything (or
// end with a status of its own), known from its addresses alone: `sed -n
// 1p huge.md`, `sed -n '10,20p'`. Past it, reading on changes nothing but
// the time, so the run stops there. kNoBound when any printing command may
// run on a later line.
uint64_t LastPrintingLine(const Program& program, bool quiet, bool separate) {
  if (!quiet || separate) return kNoBound;
  // Whether every command runs once on every line: nothing branches,
  // reads a line in the middle of a cycle, skips a block or ends a cycle
  // early (a range counted from where it opened needs it).
  bool linear = true;
  for (const Command& c : program.cmds) {
    if (std::string_view("btTnN{dDc").find(c.cmd) != std::string_view::npos) linear = false;
  }
  uint64_t last = 0;
  // The bounds of the open blocks: a command runs only where its block does.
  std::vector<std::pair<size_t, uint64_t>> blocks;  // (index of '}', bound)
  for (size_t i = 0; i < program.cmds.size(); ++i) {
    const Command& c = program.cmds[i];
    while (!blocks.empty() && blocks.back().first < i) blocks.pop_back();
    const uint64_t enclosing = blocks.empty() ? kNoBound : blocks.back().second;
    uint64_t bound = std::min(enclosing, AddressBound(c, linear));
    if (c.cmd == '{') {
      // Compiled as "jump past the block unless the address matches" (the
      // negated address, as sed's compile.c does): the block runs where
      // the typed address matches.
      Command typed = c;
      typed.bang = !typed.bang;
      bound = std::min(enclosing, AddressBound(typed, linear));
    }
    if ((c.has_a1 && c.a1.type == AddrType::kRegex && c.a1.regex < 0) ||
        (c.has_a2 && c.a2.type == AddrType::kRegex && c.a2.regex < 0)) {
      return kNoBound;  // the empty regex can fail at run time on any line
    }
    if (c.cmd == '{') {
      blocks.emplace_back(c.jump, bound);
      continue;
    }
    bool prints = kPrintingCommands.find(c.cmd) != std::string_view::npos;
    if (c.cmd == 's') {
      const sed::Subst& subst = program.substs[static_cast<size_t>(c.subst)];
      if (subst.outf >= 0 || subst.eval || subst.regex < 0) return kNoBound;
      prints = subst.print != 0;
    } else if (c.cmd == 'q' || c.cmd == 'Q') {
      prints = c.int_arg > 0;  // an exit status of its own
    } else if (!prints && kSilentCommands.find(c.cmd) == std::string_view::npos) {
      return kNoBound;
    }
    if (prints) last = std::max(last, bound);
    if (last == kNoBound) return kNoBound;
  }
  return last;
}

class SedRun {
 public:
  SedRun(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io)
      : argv_(argv), env_(env), io_(io), fs_(env, io), prog_name_(argv[0]) {}

  void Run();

 private:
  bool Refuse(std::string why) {
    if (io_.unsupported.empty()) io_.unsupported = std::move(why);
    return false;
  }
  bool Failed() const { return !io_.unsupported.empty() || stopped_; }

  // Locale (as grep decides it).
  bool SetupLocale();
  bool LoadScriptFile(const std::string& name, std::string* text);
  bool ResolveLoc(const std::string& name, wfs::Loc* loc);
  int CheckCreatable(const wfs::Loc& loc);
  bool SameFile(const wfs::Loc& a, const wfs::Loc& b) const;

  // Input.
  enum class OpenStatus { kOk, kError, kDirectory, kRefused };
  OpenStatus OpenSource(const std::string& operand, Source* src, std::string* error,
                        uint32_t* mode);
  bool GrowSource();
  bool CheckEncoding(std::string_view data);
  bool ReadFileLine();
  bool ReadPatternSpace(bool append);
  void OpenNextFile(const std::string& name);
  void Closedown();
  bool LastFileWithDataP();
  bool TestEof();
  bool HasMoreData();

  // Output.
  void OutputLine(std::string_view text, bool nl, Sink* sink);
  void OutputMissingNewline(Sink* sink);
  void DumpAppendQueue();
  bool ReadWholeFile(const std::string& name, bool for_r, std::string* content, bool* found);

  // Script.
  bool MatchAddress(const Address& addr);
  bool MatchAddressP(size_t index);
  bool MatchRegex(int index, std::string_view buf, size_t start, int nsub,
                  std::vector<re2::StringPiece>* regs);
  void DoSubst(const sed::Subst& sub);
  void AppendModified(std::string* to, std::string_view text, int type);
  void TranslateY(const Command& cmd);
  int ExecuteProgram();
  void Panic(const std::string& message) {
    io_.err += prog_name_ + ": " + message + "\n";
    panic_status_ = kExitPanic;
    stopped_ = true;
  }
  void Commit();

  const std::vector<std::string>& argv_;
  CommandEnv& env_;
  CommandIo& io_;
  wfs::Fs fs_;
  std::string prog_name_;

  Program program_;
  bool utf8_ = true;
  bool codepoint_collation_ = true;
  bool quiet_ = false;
  bool separate_ = false;
  bool in_place_ = false;
  std::string in_place_suffix_;  // with '*' for the name
  char delim_ = '\n';
  Posixicity posix_ = Posixicity::kExtended;
  int64_t line_len_ = 70;
  bool stdin_used_ = false;

  // Input state (execute.c's struct input).
  std::vector<std::string> files_;
  size_t next_file_ = 0;
  bool have_fp_ = false;  // a file is open (fp != NULL)
  bool is_dir_ = false;   // ... and it is a directory (reads fail)
  Source src_;
  std::string in_file_name_;
  uint64_t line_number_ = 0;
  // LastPrintingLine: once the last input reaches it, the run ends.
  uint64_t last_printing_line_ = kNoBound;
  uint64_t bad_count_ = 0;
  bool reset_at_next_file_ = true;
  wfs::Loc in_place_loc_;
  uint32_t in_place_mode_ = 0644;
  std::string in_place_out_;

  Line line_;
  Line hold_;
  bool replaced_ = false;
  std::vector<AppendItem> append_;
  std::vector<int> range_state_;     // per command
  std::vector<uint64_t> a2_number_;  // per command: a2's moving line number
  int regex_last_ = -2;              // -2: none yet
  Sink stdout_sink_;
  Sink stderr_sink_;
  Sink inplace_sink_;
  Sink* output_ = nullptr;
  std::vector<Sink> outputs_;  // w files
  std::vector<std::string> output_data_;
  std::vector<wfs::Loc> output_locs_;
  std::vector<std::string> r_cache_names_;
  std::vector<std::string> r_cache_data_;
  std::vector<bool> r_cache_found_;
  std::vector<std::string> rfile_data_;  // R files
  std::vector<size_t> rfile_pos_;
  std::vector<bool> rfile_loaded_;
  std::vector<bool> rfile_found_;
  std::vector<InPlaceWrite> in_place_writes_;
  std::vector<wfs::Loc> input_locs_;  // for conflicts with w files

  bool stopped_ = false;
  int panic_status_ = 0;
  int runtime_error_status_ = 0;
};

enum RangeState { kRangeInactive, kRangeActive, kRangeClosed };

bool SedRun::SetupLocale() {
  utf8_ = LocaleIsUtf8();
  if (!utf8_) {
    const char* ctype = std::setlocale(LC_CTYPE, nullptr);
    std::string_view name = ctype == nullptr ? "C" : ctype;
    if (name != "C" && name != "POSIX") {
      return Refuse("sed in a single-byte locale " + std::string(name));
    }
  }
  const char* collate = std::setlocale(LC_COLLATE, nullptr);
  std::string_view name = collate == nullptr ? "C" : collate;
  codepoint_collation_ = name == "C" || name == "POSIX" || name == "C.UTF-8" || name == "C.utf8";
  return true;
}

bool SedRun::CheckEncoding(std::string_view data) {
  if (!utf8_) return true;
  std::mbstate_t state{};
  size_t i = 0;
  while (i < data.size()) {
    if (static_cast<unsigned char>(data[i]) < 0x80) {
      ++i;
      continue;
    }
    size_t n = std::mbrtowc(nullptr, data.data() + i, data.size() - i, &state);
    if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) {
      // glibc's regex and RE2 read invalid bytes differently.
      return Refuse("sed on text with invalid UTF-8");
    }
    i += n;
  }
  return true;
}

bool SedRun::ResolveLoc(const std::string& name, wfs::Loc* loc) {
  if (name.rfind("/dev/", 0) == 0 && name != "/dev/null") {
    return Refuse("sed on a device " + name);
  }
  return fs_.Resolve(name, "sed", loc, io_);
}

// The errno fopen(name, "w") would fail with (0: it would succeed).
int SedRun::CheckCreatable(const wfs::Loc& loc) {
  wfs::Node node;
  int err = fs_.Stat(loc, &node);
  if (err == 0) return node.kind == wfs::Kind::kDir ? EISDIR : 0;
  if (err != ENOENT) return err;
  wfs::Loc parent = loc;
  if (loc.host) {
    size_t slash = loc.host_path.find_last_of('/');
    parent.host_path = slash == 0 ? "/" : loc.host_path.substr(0, slash);
  } else {
    if (loc.lookup_error) return ENOENT;
    size_t slash = loc.vfs.find_last_of('/');
    parent.vfs = slash == std::string::npos ? "" : loc.vfs.substr(0, slash);
  }
  parent.trailing_slash = false;
  err = fs_.Stat(parent, &node);
  if (err != 0) return err;
  if (node.kind != wfs::Kind::kDir) return ENOTDIR;
  return loc.trailing_slash ? EISDIR : 0;
}

bool SedRun::SameFile(const wfs::Loc& a, const wfs::Loc& b) const {
  if (a.host != b.host) return false;
  if (a.host) return a.host_path == b.host_path;
  return a.vfs == b.vfs;
}

bool SedRun::LoadScriptFile(const std::string& name, std::string* text) {
  if (name == "-") {
    *text = std::string(io_.stdin_data);
    stdin_used_ = true;
    return true;
  }
  Source src;
  std::string error;
  uint32_t mode = 0;
  OpenStatus status = OpenSource(name, &src, &error, &mode);
  if (status == OpenStatus::kRefused) return false;
  if (status == OpenStatus::kError) {
    Panic("couldn't open file " + name + ": " + error);
    return false;
  }
  if (status == OpenStatus::kDirectory) {
    // getc fails at once: an empty script.
    text->clear();
    return true;
  }
  while (!src.complete) {
    src.prefix *= 4;
    if (!env_.store.ReadPrefix(src.vfs_path, src.prefix, &src.data, &src.complete).ok()) {
      return Refuse("sed script file read error");
    }
  }
  *text = std::move(src.data);
  return true;
}

SedRun::OpenStatus SedRun::OpenSource(const std::string& operand, Source* src, std::string* error,
                                      uint32_t* mode) {
  *src = Source();
  *mode = 0644;
  if (operand.empty()) {
    *error = "No such file or directory";
    return OpenStatus::kError;
  }
  if (operand.rfind("/dev/", 0) == 0 && operand != "/dev/null") {
    Refuse("sed reading a device " + operand);
    return OpenStatus::kRefused;
  }
  ResolvedPath path = env_.Resolve(operand);
  if (path.where == ResolvedPath::Where::kDevNull) return OpenStatus::kOk;
  if (path.where == ResolvedPath::Where::kHost) {
    if (!env_.allow_host) {
      Refuse("reading a host path (" + operand + ")");
      io_.needs_host = true;
      return OpenStatus::kRefused;
    }
    vfs::Status::Code code = ReadHostFile(env_, operand, &src->data);
    if (code == vfs::Status::Code::kIsADirectory) return OpenStatus::kDirectory;
    if (code != vfs::Status::Code::kOk) {
      *error = ErrnoText(code);
      return OpenStatus::kError;
    }
    wfs::Loc loc;
    wfs::Node node;
    if (fs_.Resolve(operand, "sed", &loc, io_) && fs_.Stat(loc, &node) == 0) *mode = node.mode;
    return OpenStatus::kOk;
  }
  vfs::Stat st;
  vfs::Status status = env_.StatResolved(path, &st);
  if (!status.ok()) {
    *error = ErrnoText(status.code());
    return OpenStatus::kError;
  }
  if (st.kind == vfs::NodeKind::kDirectory) return OpenStatus::kDirectory;
  *mode = st.mode;
  // A large file is read from its start as far as the script gets (sed 5q).
  constexpr uint64_t kFirstPrefix = 256 * 1024;
  if (env_.options.pushdown && st.storage != vfs::Storage::kVirtual && st.size > kFirstPrefix) {
    src->prefix = kFirstPrefix;
    src->vfs_path = path.vfs_path;
    status = env_.store.ReadPrefix(path.vfs_path, src->prefix, &src->data, &src->complete);
  } else {
    status = env_.store.ReadFile(path.vfs_path, &src->data);
  }
  if (!status.ok()) {
    *error = ErrnoText(status.code());
    return OpenStatus::kError;
  }
  return OpenStatus::kOk;
}

bool SedRun::GrowSource() {
  if (src_.complete) return false;
  src_.prefix *= 4;
  size_t checked = src_.data.size();
  if (!env_.store.ReadPrefix(src_.vfs_path, src_.prefix, &src_.data, &src_.complete).ok()) {
    Refuse("sed input read error");
    return false;
  }
  // A character cut at the old prefix's end is whole now.
  size_t from = checked > 4 ? checked - 4 : 0;
  while (from > 0 && (static_cast<unsigned char>(src_.data[from]) & 0xC0) == 0x80) --from;
  if (!program_.regexes.empty() && !CheckEncoding(std::string_view(src_.data).substr(from))) {
    return false;
  }
  return true;
}

bool SedRun::HasMoreData() {
  while (src_.pos >= src_.data.size()) {
    if (!GrowSource()) return false;
  }
  return true;
}

// read_file_line: one line, its delimiter dropped.
bool SedRun::ReadFileLine() {
  if (!have_fp_) return false;
  if (is_dir_) {
    Panic("read error on " + in_file_name_ + ": Is a directory");
    return false;
  }
  size_t end;
  for (;;) {
    end = src_.data.find(delim_, src_.pos);
    if (end != std::string::npos || src_.complete) break;
    if (!GrowSource()) return false;
  }
  if (src_.pos >= src_.data.size()) return false;
  if (end == std::string::npos) {
    line_.text.append(src_.data, src_.pos, std::string::npos);
    line_.chomped = false;
    src_.pos = src_.data.size();
  } else {
    line_.text.append(src_.data, src_.pos, end - src_.pos);
    src_.pos = end + 1;
  }
  return true;
}

void SedRun::OpenNextFile(const std::string& name) {
  in_file_name_ = name;
  have_fp_ = false;
  is_dir_ = false;
  if (name == "-" && !in_place_) {
    src_ = Source();
    src_.data = std::string(io_.stdin_data);
    if (stdin_used_) src_.data.clear();
    stdin_used_ = true;
    if (!program_.regexes.empty() && !CheckEncoding(src_.data)) return;
    have_fp_ = true;
    output_ = &stdout_sink_;
    return;
  }
  std::string error;
  uint32_t mode = 0644;
  OpenStatus status = OpenSource(name, &src_, &error, &mode);
  if (status == OpenStatus::kRefused) return;
  if (status == OpenStatus::kError) {
    io_.err += prog_name_ + ": can't read " + name + ": " + error + "\n";
    ++bad_count_;
    return;
  }
  have_fp_ = true;
  is_dir_ = status == OpenStatus::kDirectory;
  if (!is_dir_ && !program_.regexes.empty() && !CheckEncoding(src_.data)) return;
  if (in_place_) {
    if (is_dir_) {
      Panic("couldn't edit " + name + ": not a regular file");
      return;
    }
    if (!ResolveLoc(name, &in_place_loc_)) return;
    for (const InPlaceWrite& w : in_place_writes_) {
      if (SameFile(w.target, in_place_loc_) ||
          (w.backup && SameFile(w.backup_loc, in_place_loc_))) {
        Refuse("sed -i editing a file twice");
        return;
      }
    }
    in_place_mode_ = mode;
    in_place_out_.clear();
    inplace_sink_ = Sink();
    inplace_sink_.buffer = &in_place_out_;
    output_ = &inplace_sink_;
  } else {
    output_ = &stdout_sink_;
  }
  if (!in_place_ && !program_.outputs.empty()) {
    wfs::Loc loc;
    if (name != "/dev/null" && ResolveLoc(name, &loc)) input_locs_.push_back(loc);
  }
}

void SedRun::Closedown() {
  if (!have_fp_) return;
  have_fp_ = false;
  if (in_place_ && !is_dir_ && Failed() == false) {
    InPlaceWrite w;
    w.target = in_place_loc_;
    w.content = std::move(in_place_out_);
    w.mode = in_place_mode_;
    if (in_place_suffix_ != "*") {
      std::string backup;
      const std::string& name = in_file_name_;
      for (char c : in_place_suffix_) {
        if (c == '*') {
          backup += name;
        } else {
          backup += c;
        }
      }
      w.backup = true;
      if (!ResolveLoc(backup, &w.backup_loc)) return;
      int err = w.backup_loc.host != w.target.host ? EXDEV : CheckCreatable(w.backup_loc);
      if (err != 0) {
        Panic("cannot rename " + name + ": " + wfs::ErrnoMessage(err));
        return;
      }
      for (const std::string& f : files_) {
        wfs::Loc other;
        if (ResolveLoc(f, &other) && SameFile(other, w.backup_loc)) {
          Refuse("sed -i backup name that is an input");
          return;
        }
      }
    }
    in_place_writes_.push_back(std::move(w));
  }
}

// read_pattern_space.
bool SedRun::ReadPatternSpace(bool append) {
  if (!append_.empty()) DumpAppendQueue();
  replaced_ = false;
  if (!append) line_.text.clear();
  line_.chomped = true;
  while (!ReadFileLine()) {
    if (Failed()) return false;
    Closedown();
    if (Failed()) return false;
    if (next_file_ >= files_.size()) return false;
    if (reset_at_next_file_) {
      line_number_ = 0;
      hold_ = Line();
      for (size_t i = 0; i < program_.cmds.size(); ++i) {
        const Command& c = program_.cmds[i];
        range_state_[i] = (c.has_a1 && c.a1.type == AddrType::kNum && c.a1.number == 0)
                              ? kRangeActive
                              : kRangeInactive;
      }
      for (size_t i = 0; i < rfile_pos_.size(); ++i) rfile_pos_[i] = 0;
      if (in_place_) inplace_sink_.missing_newline = false;
      reset_at_next_file_ = separate_;
    }
    OpenNextFile(files_[next_file_++]);
    if (Failed()) return false;
  }
  ++line_number_;
  return true;
}

bool SedRun::LastFileWithDataP() {
  for (;;) {
    Closedown();
    if (Failed()) return true;
    if (next_file_ >= files_.size()) return true;
    OpenNextFile(files_[next_file_++]);
    if (Failed()) return true;
    if (have_fp_ && !is_dir_ && HasMoreData()) return false;
    if (Failed()) return true;
  }
}

bool SedRun::TestEof() {
  if (have_fp_ && !is_dir_ && HasMoreData()) return false;
  if (Failed()) return true;
  return separate_ || LastFileWithDataP();
}

// ------------------------------------------------------------ output

void SedRun::OutputMissingNewline(Sink* sink) {
  if (sink->missing_newline) {
    sink->Write(std::string_view(&delim_, 1));
    sink->missing_newline = false;
  }
}

void SedRun::OutputLine(std::string_view text, bool nl, Sink* sink) {
  OutputMissingNewline(sink);
  sink->Write(text);
  if (nl) {
    sink->Write(std::string_view(&delim_, 1));
  } else {
    sink->missing_newline = true;
  }
}

// A file read by r (the whole of it, each time) or R: missing files are
// empty (POSIX), a directory is a read error.
bool SedRun::ReadWholeFile(const std::string& name, bool for_r, std::string* content, bool* found) {
  *found = false;
  content->clear();
  Source src;
  std::string error;
  uint32_t mode;
  OpenStatus status = OpenSource(name, &src, &error, &mode);
  if (status == OpenStatus::kRefused) return false;
  if (status == OpenStatus::kError) return true;
  if (status == OpenStatus::kDirectory) {
    if (for_r) {
      Panic("read error on " + name + ": Is a directory");
      return false;
    }
    return Refuse("sed R of a directory");
  }
  while (!src.complete) {
    src.prefix *= 4;
    if (!env_.store.ReadPrefix(src.vfs_path, src.prefix, &src.data, &src.complete).ok()) {
      return Refuse("sed read error");
    }
  }
  wfs::Loc loc;
  if (name != "/dev/null" && ResolveLoc(name, &loc)) {
    for (const wfs::Loc& w : output_locs_) {
      if (SameFile(w, loc)) return Refuse("sed reading a file it writes (" + name + ")");
    }
  }
  *found = true;
  *content = std::move(src.data);
  return true;
}

void SedRun::DumpAppendQueue() {
  OutputMissingNewline(output_);
  for (const AppendItem& item : append_) {
    if (!item.is_file) {
      output_->Write(item.text);
      continue;
    }
    size_t k = 0;
    while (k < r_cache_names_.size() && r_cache_names_[k] != item.text) ++k;
    if (k == r_cache_names_.size()) {
      std::string data;
      bool found = false;
      if (!ReadWholeFile(item.text, true, &data, &found)) break;
      r_cache_names_.push_back(item.text);
      r_cache_data_.push_back(std::move(data));
      r_cache_found_.push_back(found);
    }
    output_->Write(r_cache_data_[k]);
  }
  append_.clear();
}

// ------------------------------------------------------------ matching

bool SedRun::MatchRegex(int index, std::string_view buf, size_t start, int nsub,
                        std::vector<re2::StringPiece>* regs) {
  if (index < 0) {
    if (regex_last_ < 0) {
      io_.err += program_.error_prefix + "no previous regular expression\n";
      runtime_error_status_ = kExitBadUsage;
      stopped_ = true;
      return false;
    }
    index = regex_last_;
  } else {
    regex_last_ = index;
  }
  const sed::Regex& regex = program_.regexes[static_cast<size_t>(index)];
  if (utf8_ && (regex.word_assertions || regex.locale_ranges)) {
    for (char c : buf) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        Refuse("sed word boundary or range on non-ASCII text");
        stopped_ = true;
        return false;
      }
    }
  }
  int n = std::min(nsub, regex.groups + 1);
  if (regs != nullptr) {
    regs->assign(static_cast<size_t>(std::max(n, 1)), re2::StringPiece());
  }
  if (start > buf.size()) return false;
  return regex.re->Match(buf, start, buf.size(), RE2::UNANCHORED,
                         regs == nullptr ? nullptr : regs->data(),
                         regs == nullptr ? 0 : std::max(n, 1));
}

bool SedRun::MatchAddress(const Address& addr) {
  switch (addr.type) {
    case AddrType::kNull:
      return true;
    case AddrType::kRegex:
      return MatchRegex(addr.regex, line_.text, 0, 0, nullptr);
    case AddrType::kNumMod:
      return line_number_ >= addr.number && (line_number_ - addr.number) % addr.step == 0;
    case AddrType::kStep:
    case AddrType::kStepMod:
      return addr.number <= line_number_;
    case AddrType::kLast:
      return TestEof();
    case AddrType::kNum:
      return addr.number == line_number_;
  }
  return false;
}

// match_address_p, with the range states of execute.c.
bool SedRun::MatchAddressP(size_t index) {
  const Command& cmd = program_.cmds[index];
  if (!cmd.has_a1) return true;
  int& state = range_state_[index];
  Address a2 = cmd.a2;
  a2.number = a2_number_[index];
  if (state != kRangeActive) {
    if (!cmd.has_a2) return MatchAddress(cmd.a1);
    if (cmd.a1.type == AddrType::kNum) {
      if (state == kRangeClosed || line_number_ < cmd.a1.number) return false;
    } else if (!MatchAddress(cmd.a1)) {
      return false;
    }
    state = kRangeActive;
    switch (cmd.a2.type) {
      case AddrType::kRegex:
        return true;
      case AddrType::kNum:
        if (line_number_ >= cmd.a2.number) state = kRangeClosed;
        return line_number_ <= cmd.a2.number || MatchAddress(cmd.a1);
      case AddrType::kStep:
        a2_number_[index] = line_number_ + cmd.a2.step;
        return true;
      case AddrType::kStepMod:
        a2_number_[index] = line_number_ + cmd.a2.step - (line_number_ % cmd.a2.step);
        return true;
      default:
        break;
    }
  }
  if (cmd.a2.type == AddrType::kNum) {
    if (line_number_ >= cmd.a2.number) state = kRangeClosed;
    return line_number_ <= cmd.a2.number;
  }
  a2.number = a2_number_[index];
  if (MatchAddress(a2)) state = kRangeClosed;
  return true;
}

// ------------------------------------------------------------ s and y

// str_append_modified: case conversion of replacement text.
void SedRun::AppendModified(std::string* to, std::string_view text, int type) {
  using sed::kReplAsIs;
  using sed::kReplLowercaseFirst;
  using sed::kReplUppercase;
  using sed::kReplUppercaseFirst;
  if (type == kReplAsIs) {
    to->append(text);
    return;
  }
  auto encode = [&](wint_t wc) {
    if (!utf8_) {
      // The C locale: wctob of WEOF (a byte above 0x7f) writes 0xff.
      int b = wctob(wc);
      to->push_back(static_cast<char>(b == EOF ? 0xff : b));
      return;
    }
    char buf[MB_LEN_MAX];
    std::mbstate_t st{};
    size_t n = std::wcrtomb(buf, static_cast<wchar_t>(wc), &st);
    if (n != static_cast<size_t>(-1)) to->append(buf, n);
  };
  std::mbstate_t state{};
  size_t i = 0;
  while (i < text.size()) {
    wchar_t wc;
    size_t n;
    if (!utf8_) {
      wint_t w = btowc(static_cast<unsigned char>(text[i]));
      wc = static_cast<wchar_t>(w);
      n = 1;
      if (w == WEOF) wc = static_cast<wchar_t>(WEOF);
    } else {
      n = std::mbrtowc(&wc, text.data() + i, text.size() - i, &state);
    }
    if (n == static_cast<size_t>(-1)) {
      type &= ~(kReplUppercaseFirst | kReplLowercaseFirst);
      if (type == kReplAsIs) {
        to->append(text.substr(i));
        return;
      }
      to->push_back(text[i]);
      state = std::mbstate_t{};
      ++i;
      continue;
    }
    if (n == 0 || n == static_cast<size_t>(-2)) {
      to->append(text.substr(i));
      return;
    }
    i += n;
    wint_t w = static_cast<wint_t>(wc);
    if (type & (kReplUppercaseFirst | kReplLowercaseFirst)) {
      w = (type & kReplUppercaseFirst) ? std::towupper(w) : std::towlower(w);
      type &= ~(kReplUppercaseFirst | kReplLowercaseFirst);
      if (type == kReplAsIs) {
        encode(w);
        to->append(text.substr(i));
        return;
      }
    } else if (type & kReplUppercase) {
      w = std::towupper(w);
    } else {
      w = std::towlower(w);
    }
    encode(w);
  }
}

void SedRun::DoSubst(const sed::Subst& sub) {
  std::vector<re2::StringPiece> regs;
  const std::string& text = line_.text;
  const int nsub = sub.max_id + 1;
  if (!MatchRegex(sub.regex, text, 0, nsub, &regs)) return;
  std::string accum;
  size_t start = 0, last_end = 0;
  uint64_t count = 0;
  bool again = true;
  const char* base = text.data();
  auto offset_of = [&](const re2::StringPiece& sp) {
    return static_cast<size_t>(sp.data() - base);
  };
  do {
    size_t offset = offset_of(regs[0]);
    size_t matched = regs[0].size();
    if (start < offset) {
      accum.append(text, start, offset - start);
      start = offset;
    }
    if ((matched > 0 || count == 0 || offset > last_end) && ++count >= sub.numb) {
      replaced_ = true;
      // append_replacement.
      int repl_mod = 0;
      for (const sed::ReplPart& p : sub.replacement) {
        int curr_type = (p.type & sed::kReplModifiers) ? p.type : p.type | repl_mod;
        repl_mod = 0;
        if (!p.prefix.empty()) {
          AppendModified(&accum, p.prefix, curr_type);
          curr_type &= ~sed::kReplModifiers;
        }
        if (p.group >= 0) {
          re2::StringPiece g;
          if (static_cast<size_t>(p.group) < regs.size()) g = regs[static_cast<size_t>(p.group)];
          if (g.empty() && (p.type & sed::kReplModifiers)) {
            repl_mod = curr_type & sed::kReplModifiers;
          } else if (!g.empty()) {
            AppendModified(&accum, std::string_view(g.data(), g.size()), curr_type);
          }
        }
      }
      again = sub.global;
    } else {
      if (matched == 0) {
        if (start < text.size()) {
          matched = 1;
        } else {
          break;
        }
      }
      accum.append(text, offset, matched);
    }
    start = offset + matched;
    last_end = offset_of(regs[0]) + regs[0].size();
  } while (again && start <= text.size() && MatchRegex(sub.regex, text, start, nsub, &regs));
  if (Failed()) return;
  if (start < text.size()) accum.append(text, start, std::string::npos);
  line_.text = std::move(accum);
  if (count < sub.numb) return;
  if (sub.print & 1) OutputLine(line_.text, line_.chomped, output_);
  if (sub.print & 2) OutputLine(line_.text, line_.chomped, output_);
  if (sub.outf >= 0)
    OutputLine(line_.text, line_.chomped, &outputs_[static_cast<size_t>(sub.outf)]);
}

void SedRun::TranslateY(const Command& cmd) {
  std::string& s = line_.text;
  if (!utf8_) {
    for (char& c : s) c = static_cast<char>(cmd.ymap[static_cast<unsigned char>(c)]);
    return;
  }
  std::string out;
  std::mbstate_t st{};
  size_t i = 0;
  while (i < s.size()) {
    size_t n = std::mbrlen(s.data() + i, s.size() - i, &st);
    if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) n = 1;
    std::string_view ch(s.data() + i, n);
    bool done = false;
    for (const auto& [from, to] : cmd.ypairs) {
      if (from == ch) {
        out += to.empty() ? std::string(1, '\0') : to;
        done = true;
        break;
      }
    }
    if (!done) out += ch;
    i += n;
  }
  s = std::move(out);
}

// ------------------------------------------------------------ the script

int SedRun::ExecuteProgram() {
  const std::vector<Command>& cmds = program_.cmds;
  size_t pc = 0;
  while (pc < cmds.size()) {
    if (Failed()) return -1;
    const Command& cmd = cmds[pc];
    bool matched = MatchAddressP(pc);
    if (Failed()) return -1;
    if (matched != cmd.bang) {
      switch (cmd.cmd) {
        case 'a':
          if (cmd.has_text) append_.push_back({cmd.text, false});
          break;
        case '{':
        case 'b':
          pc = cmd.jump;
          continue;
        case '}':
        case ':':
          break;
        case 'c':
          if (range_state_[pc] != kRangeActive && cmd.has_text) {
            OutputLine(std::string_view(cmd.text).substr(0, cmd.text.size() - 1), true, output_);
          }
          return -1;
        case 'd':
          return -1;
        case 'D': {
          size_t nl = line_.text.find(delim_);
          if (nl == std::string::npos) return -1;
          line_.text.erase(0, nl + 1);
          pc = 0;
          continue;
        }
        case 'g':
          line_ = hold_;
          break;
        case 'G':
          line_.text += delim_;
          line_.text += hold_.text;
          line_.chomped = hold_.chomped;
          break;
        case 'h':
          hold_ = line_;
          break;
        case 'H':
          hold_.text += delim_;
          hold_.text += line_.text;
          hold_.chomped = line_.chomped;
          break;
        case 'i':
          if (cmd.has_text) {
            OutputLine(std::string_view(cmd.text).substr(0, cmd.text.size() - 1), true, output_);
          }
          break;
        case 'l':
          OutputMissingNewline(output_);
          output_->Write(
              sed::ListText(line_.text, cmd.int_arg == -1 ? line_len_ : cmd.int_arg, delim_));
          break;
        case 'n':
          if (!quiet_) OutputLine(line_.text, line_.chomped, output_);
          if (TestEof() || !ReadPatternSpace(false)) return -1;
          break;
        case 'N':
          line_.text += delim_;
          if (TestEof() || !ReadPatternSpace(true)) {
            line_.text.pop_back();
            if (posix_ == Posixicity::kExtended && !quiet_ && !Failed()) {
              OutputLine(line_.text, line_.chomped, output_);
            }
            return -1;
          }
          break;
        case 'p':
          OutputLine(line_.text, line_.chomped, output_);
          break;
        case 'P': {
          size_t nl = line_.text.find(delim_);
          OutputLine(std::string_view(line_.text).substr(0, nl),
                     nl != std::string::npos ? true : line_.chomped, output_);
          break;
        }
        case 'q':
          if (!quiet_) OutputLine(line_.text, line_.chomped, output_);
          DumpAppendQueue();
          return cmd.int_arg == -1 ? 0 : static_cast<int>(cmd.int_arg & 0xff);
        case 'Q':
          return cmd.int_arg == -1 ? 0 : static_cast<int>(cmd.int_arg & 0xff);
        case 'r':
          if (cmd.append) {
            append_.push_back({cmd.fname, true});
          } else {
            std::string data;
            bool found;
            if (!ReadWholeFile(cmd.fname, true, &data, &found)) return -1;
            output_->Write(data);
          }
          break;
        case 'R': {
          size_t f = static_cast<size_t>(cmd.file);
          if (!rfile_loaded_[f]) {
            bool found = false;
            if (!ReadWholeFile(program_.inputs[f], false, &rfile_data_[f], &found)) return -1;
            rfile_found_[f] = found;
            rfile_loaded_[f] = true;
          }
          const std::string& data = rfile_data_[f];
          size_t& pos = rfile_pos_[f];
          if (rfile_found_[f] && pos < data.size()) {
            size_t end = data.find(delim_, pos);
            end = end == std::string::npos ? data.size() : end + 1;
            append_.push_back({data.substr(pos, end - pos), false});
            pos = end;
          }
          break;
        }
        case 's':
          DoSubst(program_.substs[static_cast<size_t>(cmd.subst)]);
          break;
        case 't':
          if (replaced_) {
            replaced_ = false;
            pc = cmd.jump;
            continue;
          }
          break;
        case 'T':
          if (!replaced_) {
            pc = cmd.jump;
            continue;
          }
          replaced_ = false;
          break;
        case 'w':
          OutputLine(line_.text, line_.chomped, &outputs_[static_cast<size_t>(cmd.file)]);
          break;
        case 'W': {
          size_t nl = line_.text.find(delim_);
          OutputLine(std::string_view(line_.text).substr(0, nl),
                     nl != std::string::npos ? true : line_.chomped,
                     &outputs_[static_cast<size_t>(cmd.file)]);
          break;
        }
        case 'x':
          std::swap(line_, hold_);
          break;
        case 'y':
          TranslateY(cmd);
          break;
        case 'z':
          line_.text.clear();
          break;
        case '=':
          OutputMissingNewline(output_);
          output_->Write(std::to_string(line_number_) + std::string(1, delim_));
          break;
        case 'F':
          OutputMissingNewline(output_);
          output_->Write(in_file_name_ + std::string(1, delim_));
          break;
        default:
          Refuse(std::string("sed command ") + cmd.cmd);
          return -1;
      }
    }
    ++pc;
  }
  if (!quiet_ && !Failed()) OutputLine(line_.text, line_.chomped, output_);
  return -1;
}

// The deferred writes: w files, then the in-place results in order.
void SedRun::Commit() {
  if (!io_.unsupported.empty()) return;
  for (size_t i = 0; i < output_locs_.size(); ++i) {
    if (program_.outputs[i].special_stdout || program_.outputs[i].special_stderr) continue;
    int err = fs_.WriteFile(output_locs_[i], output_data_[i], 0666 & ~wfs::kUmask);
    if (err != 0 && io_.unsupported.empty()) Refuse("sed w FILE write failed");
  }
  for (const InPlaceWrite& w : in_place_writes_) {
    if (w.backup) {
      if (fs_.Rename(w.target, w.backup_loc) != 0) {
        Refuse("sed -i backup failed");
        return;
      }
    }
    int err = fs_.WriteFile(w.target, w.content, w.mode);
    if (err != 0) {
      Refuse("sed -i write failed");
      return;
    }
  }
}

void SedRun::Run() {
  if (!SetupLocale()) return;
  if (env_.Getenv("POSIXLY_CORRECT").has_value()) {
    Refuse("sed under POSIXLY_CORRECT");
    return;
  }
  if (std::optional<std::string_view> cols = env_.Getenv("COLS")) {
    long t = std::atol(std::string(*cols).c_str());
    if (t > 1) line_len_ = t - 1;
  }
  ParsedCommandLine cl = ParseCommandLine(argv_);
  if (!cl.unsupported.empty()) {
    Refuse(cl.unsupported);
    return;
  }
  sed::Compiler compiler(prog_name_, &program_);
  compiler.SetOutputOpener([this](const std::string& name, std::string* error) {
    wfs::Loc loc;
    error->clear();
    if (!ResolveLoc(name, &loc)) return false;
    int err = CheckCreatable(loc);
    if (err != 0) {
      *error = wfs::ErrnoMessage(err);
      return false;
    }
    output_locs_.push_back(loc);
    return true;
  });
  sed::CompileOptions copts;
  copts.utf8 = utf8_;
  copts.codepoint_collation = codepoint_collation_;
  bool have_program = false;
  bool sandbox = false;
  auto compile_error = [&]() {
    const sed::CompileResult& r = compiler.result();
    if (!r.unsupported.empty()) {
      Refuse(r.unsupported);
      return;
    }
    if (!Failed()) {
      io_.err += r.error + "\n";
      io_.status = r.status;
    }
  };
  auto finish_failure = [&]() {
    // Compilation stopped (w files created so far are left, empty).
    if (!io_.unsupported.empty()) return;
    if (panic_status_ != 0) io_.status = panic_status_;
    output_data_.assign(output_locs_.size(), std::string());
    Commit();
  };
  // Options in order: -e and -f compile as they come (with the -E, -z,
  // --posix seen so far), as getopt hands them to sed.c.
  for (const Opt& opt : cl.opts) {
    switch (opt.id) {
      case kOptQuiet:
        quiet_ = true;
        break;
      case kOptExpression:
      case kOptFile: {
        sed::ScriptChunk chunk;
        if (opt.id == kOptFile) {
          chunk.from_file = true;
          chunk.file_name = opt.arg;
          if (!LoadScriptFile(opt.arg, &chunk.text)) {
            finish_failure();
            return;
          }
        } else {
          chunk.text = opt.arg;
        }
        if (utf8_ && !CheckEncoding(chunk.text)) return;
        copts.posix = posix_;
        copts.sandbox = sandbox;
        copts.null_data = delim_ == '\0';
        if (!compiler.AddChunk(chunk, copts)) {
          compile_error();
          finish_failure();
          return;
        }
        have_program = true;
        break;
      }
      case kOptNullData:
        delim_ = '\0';
        break;
      case kOptFollow:
        if (env_.allow_host) {
          Refuse("sed --follow-symlinks");
          return;
        }
        break;
      case kOptInPlace:
        separate_ = true;
        in_place_ = true;
        if (!opt.has_arg) {
          in_place_suffix_ = "*";
        } else if (opt.arg.find('*') != std::string::npos) {
          in_place_suffix_ = opt.arg;
        } else {
          in_place_suffix_ = "*" + opt.arg;
        }
        break;
      case kOptLineLength:
        line_len_ = std::atoi(opt.arg.c_str());
        break;
      case kOptPosix:
        posix_ = Posixicity::kBasic;
        break;
      case kOptBinary:
      case kOptUnbuffered:
        break;
      case kOptExtended:
        copts.extended = true;
        break;
      case kOptSeparate:
        separate_ = true;
        break;
      case kOptSandbox:
        sandbox = true;
        break;
      case kOptDebug:
        Refuse("sed --debug");
        return;
      case kOptVersion:
        Refuse("sed --version");
        return;
      case kOptHelp:
        io_.out += UsageText(prog_name_, true);
        io_.status = 0;
        return;
      case kOptV:
        io_.err += UsageText(prog_name_, false);
        io_.status = kExitBadUsage;
        return;
    }
  }
  if (cl.usage_error) {
    io_.err += cl.error + UsageText(prog_name_, false);
    io_.status = kExitBadUsage;
    finish_failure();
    return;
  }
  std::vector<std::string> operands = cl.operands;
  if (!have_program) {
    if (operands.empty()) {
      io_.err += UsageText(prog_name_, false);
      io_.status = kExitBadUsage;
      return;
    }
    sed::ScriptChunk chunk;
    chunk.text = operands.front();
    operands.erase(operands.begin());
    if (utf8_ && !CheckEncoding(chunk.text)) return;
    copts.posix = posix_;
    copts.sandbox = sandbox;
    copts.null_data = delim_ == '\0';
    if (!compiler.AddChunk(chunk, copts)) {
      compile_error();
      finish_failure();
      return;
    }
  }
  if (!compiler.Finish()) {
    compile_error();
    finish_failure();
    return;
  }
  if (program_.hash_n) quiet_ = true;
  if (!in_place_) last_printing_line_ = LastPrintingLine(program_, quiet_, separate_);

  // Execution state.
  range_state_.assign(program_.cmds.size(), kRangeInactive);
  a2_number_.resize(program_.cmds.size());
  for (size_t i = 0; i < program_.cmds.size(); ++i) a2_number_[i] = program_.cmds[i].a2.number;
  rfile_data_.assign(program_.inputs.size(), std::string());
  rfile_pos_.assign(program_.inputs.size(), 0);
  rfile_loaded_.assign(program_.inputs.size(), false);
  rfile_found_.assign(program_.inputs.size(), false);
  stdout_sink_.stream = &io_.out;
  stderr_sink_.stream = &io_.err;
  output_data_.assign(program_.outputs.size(), std::string());
  outputs_.resize(program_.outputs.size());
  {
    size_t loc_index = 0;
    std::vector<wfs::Loc> locs;
    for (size_t i = 0; i < program_.outputs.size(); ++i) {
      const sed::OutputFile& o = program_.outputs[i];
      if (o.special_stdout) {
        outputs_[i].stream = &io_.out;
        locs.emplace_back();
      } else if (o.special_stderr) {
        outputs_[i].stream = &io_.err;
        locs.emplace_back();
      } else {
        outputs_[i].buffer = &output_data_[i];
        locs.push_back(output_locs_[loc_index++]);
      }
    }
    output_locs_ = std::move(locs);
    // Two names of one file are two streams in GNU, clobbering each other.
    for (size_t i = 0; i < output_locs_.size(); ++i) {
      for (size_t j = 0; j < i; ++j) {
        if (!outputs_[i].stream && !outputs_[j].stream &&
            SameFile(output_locs_[i], output_locs_[j])) {
          Refuse("sed w to one file under two names");
          return;
        }
      }
    }
  }
  output_ = &stdout_sink_;

  if (operands.empty()) {
    if (in_place_) {
      io_.err += prog_name_ + ": no input files\n";
      io_.status = kExitPanic;
      Commit();
      return;
    }
    operands.push_back("-");
  }
  files_ = operands;
  // Inputs that are also w files: GNU reads what it has truncated.
  for (const std::string& f : files_) {
    if (f == "-" && !in_place_) continue;
    if (f.rfind("/dev/", 0) == 0) continue;
    wfs::Loc loc;
    if (!ResolveLoc(f, &loc)) return;
    for (size_t i = 0; i < output_locs_.size(); ++i) {
      if (!outputs_[i].stream && SameFile(loc, output_locs_[i])) {
        Refuse("sed input that is also a w file");
        return;
      }
    }
  }

  int status = 0;
  while (ReadPatternSpace(false)) {
    status = ExecuteProgram();
    if (Failed()) break;
    if (status == -1) {
      status = 0;
    } else {
      break;
    }
    // The reader of the pipe has what it wants: sed would be stopped.
    if (!in_place_ && io_.OutputEnough()) break;
    // Nothing can print any more: the rest of the last input is not read
    // (what `a` queued is printed, as the next read would have).
    if (line_number_ >= last_printing_line_ && next_file_ >= files_.size()) {
      if (!append_.empty()) DumpAppendQueue();
      break;
    }
  }
  if (!io_.unsupported.empty()) return;
  if (!stopped_) Closedown();
  if (!io_.unsupported.empty()) return;
  if (runtime_error_status_ != 0) {
    status = runtime_error_status_;
  } else if (panic_status_ != 0) {
    status = panic_status_;
  } else if (bad_count_ > 0) {
    status = kExitBadInput;
  }
  io_.status = status;
  Commit();
}

}  // namespace

bool SedWrites(const std::vector<std::string>& argv) {
  if (argv.empty()) return false;
  ParsedCommandLine cl = ParseCommandLine(argv);
  Program program;
  sed::Compiler compiler(argv[0], &program);
  bool writes = false;
  compiler.SetOutputOpener([&writes](const std::string&, std::string*) {
    writes = true;
    return true;
  });
  sed::CompileOptions copts;
  copts.utf8 = LocaleIsUtf8();
  bool have_program = false;
  for (const Opt& opt : cl.opts) {
    switch (opt.id) {
      case kOptInPlace:
      case kOptFile:  // the script is in a file: assume it may write
        return true;
      case kOptExtended:
        copts.extended = true;
        break;
      case kOptPosix:
        copts.posix = Posixicity::kBasic;
        break;
      case kOptSandbox:
        copts.sandbox = true;
        break;
      case kOptExpression: {
        sed::ScriptChunk chunk;
        chunk.text = opt.arg;
        have_program = true;
        if (!compiler.AddChunk(chunk, copts)) return writes;
        break;
      }
      default:
        break;
    }
  }
  if (!have_program && !cl.operands.empty()) {
    sed::ScriptChunk chunk;
    chunk.text = cl.operands.front();
    compiler.AddChunk(chunk, copts);
  }
  return writes;
}

void CmdSed(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  SedRun run(argv, env, io);
  run.Run();
}

}  // namespace memhook::utils
