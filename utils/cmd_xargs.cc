// `xargs` as GNU findutils 4.9.0 behaves: it reads its stdin, builds
// command lines and runs each through the shell's runner (env.run_command),
// with an empty stdin (GNU gives children /dev/null).
//
// The input parsers are ports of xargs.c read_line() (blank/newline
// splitting with quotes and backslashes, -E, -L line counting with
// trailing-blank continuation) and read_string() (-0 / -d), and command
// lines are packed like buildcmd.c: 131072 bytes of arguments at most
// (bc_use_sensible_arg_max; each argument counts its terminating NUL), -n
// arguments, or -L lines per command.
//
// Served: -0 -d C -E STR -e[STR] -I STR -i[STR] -L N -l[N] -n N -r -t -P 1
// and their long forms (unique prefixes too). Refused (io.unsupported):
// -a, -p, -o, -s, -x, -P other than 1, --show-limits, --process-slot-var,
// --help, --version, argument lines beyond the size limit under -L/-I.
#include <cerrno>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "utils/utils.h"

namespace memhook::utils {
namespace {

// bc_use_sensible_arg_max(): the command buffer GNU uses.
constexpr size_t kArgMax = 128 * 1024;

struct XargsOptions {
  bool use_delimiter = false;  // -0 / -d: read_string()
  char delimiter = '\0';
  std::optional<std::string> eof_str;      // -E
  std::optional<std::string> replace_pat;  // -I
  uint64_t lines_per_exec = 0;             // -L
  uint64_t args_per_exec = 0;              // -n
  bool always_run = true;                  // cleared by -r
  bool print_command = false;              // -t
};

// What parsing the command line decided.
enum class ParseOutcome { kRun, kFatal, kUnsupported };

struct Parser {
  CommandIo& io;
  XargsOptions opts;
  std::string fatal;  // the whole stderr text of a fatal usage error

  void WarnExclusive(const char* option, const char* offending) {
    io.err += std::string("xargs: warning: options ") + offending + " and " + option +
              " are mutually exclusive, ignoring previous " + offending + " value\n";
  }

  // parse_num(): strtol, then the minimum.
  bool ParseNum(const std::string& text, char option, long min, uint64_t* out) {
    const char* begin = text.c_str();
    char* end = nullptr;
    errno = 0;
    long value = std::strtol(begin, &end, 10);
    if (end == begin || *end != '\0') {
      fatal = "xargs: invalid number \"" + text + "\" for -" + option +
              " option\nTry 'xargs --help' for more information.\n";
      return false;
    }
    if (value < min) {
      fatal = "xargs: value " + text + " for -" + option +
              " option should be >= " + std::to_string(min) +
              "\nTry 'xargs --help' for more information.\n";
      return false;
    }
    *out = static_cast<uint64_t>(value);
    return true;
  }

  // get_input_delimiter() and get_char_oct_or_hex_escape().
  bool ParseDelimiter(const std::string& s) {
    if (s.size() == 1) {
      opts.delimiter = s[0];
      return true;
    }
    if (s.empty() || s[0] != '\\') {
      fatal = "xargs: Invalid input delimiter specification " + s +
              ": the delimiter must be either a single character or an escape sequence "
              "starting with \\.\n";
      return false;
    }
    switch (s[1]) {
      case 'a':
        opts.delimiter = '\a';
        return true;
      case 'b':
        opts.delimiter = '\b';
        return true;
      case 'f':
        opts.delimiter = '\f';
        return true;
      case 'n':
        opts.delimiter = '\n';
        return true;
      case 'r':
        opts.delimiter = '\r';
        return true;
      case 't':
        opts.delimiter = '\t';
        return true;
      case 'v':
        opts.delimiter = '\v';
        return true;
      case '\\':
        opts.delimiter = '\\';
        return true;
      default:
        break;
    }
    int base = 0;
    const char* p = nullptr;
    if (s[1] == 'x') {
      base = 16;
      p = s.c_str() + 2;
    } else if (s[1] >= '0' && s[1] <= '9') {
      base = 8;
      p = s.c_str() + 1;
    } else {
      fatal = "xargs: Invalid escape sequence " + s + " in input delimiter specification.\n";
      return false;
    }
    char* end = nullptr;
    errno = 0;
    unsigned long value = std::strtoul(p, &end, base);
    if ((errno == ERANGE && value == ULONG_MAX) || value > 255) {
      fatal = "xargs: Invalid escape sequence " + s +
              " in input delimiter specification; character values must not exceed " +
              (base == 16 ? "ff" : "377") + ".\n";
      return false;
    }
    if (*end != '\0') {
      fatal = "xargs: Invalid escape sequence " + s +
              " in input delimiter specification; trailing characters " + std::string(end) +
              " not recognised.\n";
      return false;
    }
    opts.delimiter = static_cast<char>(value);
    return true;
  }

  // Applies one option (GNU's short letter); arg is null when none given.
  // Returns kRun to go on.
  ParseOutcome Apply(char c, const std::string* arg) {
    switch (c) {
      case '0':
        opts.use_delimiter = true;
        opts.delimiter = '\0';
        return ParseOutcome::kRun;
      case 'd':
        opts.use_delimiter = true;
        return ParseDelimiter(*arg) ? ParseOutcome::kRun : ParseOutcome::kFatal;
      case 'E':
      case 'e':
        if (arg != nullptr && !arg->empty()) {
          opts.eof_str = *arg;
        } else {
          opts.eof_str.reset();
        }
        return ParseOutcome::kRun;
      case 'I':
      case 'i':
        opts.replace_pat = arg != nullptr ? *arg : std::string("{}");
        if (opts.replace_pat->empty()) {
          io.unsupported = "xargs -I with an empty replace string";
          return ParseOutcome::kUnsupported;
        }
        if (opts.args_per_exec != 0) {
          WarnExclusive("--replace/-I/-i", "--max-args");
          opts.args_per_exec = 0;
        }
        if (opts.lines_per_exec != 0) {
          WarnExclusive("--replace/-I/-i", "--max-lines");
          opts.lines_per_exec = 0;
        }
        return ParseOutcome::kRun;
      case 'L':
      case 'l': {
        uint64_t n = 1;
        if (arg != nullptr && !ParseNum(*arg, c, 1, &n)) return ParseOutcome::kFatal;
        opts.lines_per_exec = n;
        const char* name = c == 'L' ? "-L" : "--max-lines/-l";
        if (opts.args_per_exec != 0) {
          WarnExclusive(name, "--max-args");
          opts.args_per_exec = 0;
        }
        if (opts.replace_pat) {
          WarnExclusive(name, "--replace");
          opts.replace_pat.reset();
        }
        return ParseOutcome::kRun;
      }
      case 'n': {
        uint64_t n = 0;
        if (!ParseNum(*arg, 'n', 1, &n)) return ParseOutcome::kFatal;
        opts.args_per_exec = n;
        if (opts.lines_per_exec != 0) {
          WarnExclusive("--max-args/-n", "--max-lines");
          opts.lines_per_exec = 0;
        }
        if (opts.replace_pat) {
          if (n == 1) {
            opts.args_per_exec = 0;  // fine with POSIX: -I already runs per line
          } else {
            WarnExclusive("--max-args/-n", "--replace");
            opts.replace_pat.reset();
          }
        }
        return ParseOutcome::kRun;
      }
      case 'P': {
        uint64_t n = 0;
        if (!ParseNum(*arg, 'P', 0, &n)) return ParseOutcome::kFatal;
        if (n != 1) {
          io.unsupported = "xargs -P " + *arg;
          return ParseOutcome::kUnsupported;
        }
        return ParseOutcome::kRun;
      }
      case 'r':
        opts.always_run = false;
        return ParseOutcome::kRun;
      case 't':
        opts.print_command = true;
        return ParseOutcome::kRun;
      default:
        io.unsupported = std::string("xargs -") + c;
        return ParseOutcome::kUnsupported;
    }
  }
};

enum class ArgKind { kNone, kRequired, kOptional };

struct LongOption {
  std::string_view name;
  ArgKind arg;
  char letter;  // the short option it stands for; '\0': refused
};

constexpr LongOption kLongOptions[] = {
    {"null", ArgKind::kNone, '0'},          {"arg-file", ArgKind::kRequired, 'a'},
    {"delimiter", ArgKind::kRequired, 'd'}, {"eof", ArgKind::kOptional, 'e'},
    {"replace", ArgKind::kOptional, 'I'},   {"max-lines", ArgKind::kOptional, 'l'},
    {"max-args", ArgKind::kRequired, 'n'},  {"open-tty", ArgKind::kNone, 'o'},
    {"interactive", ArgKind::kNone, 'p'},   {"no-run-if-empty", ArgKind::kNone, 'r'},
    {"max-chars", ArgKind::kRequired, 's'}, {"verbose", ArgKind::kNone, 't'},
    {"show-limits", ArgKind::kNone, 'S'},   {"exit", ArgKind::kNone, 'x'},
    {"max-procs", ArgKind::kRequired, 'P'}, {"process-slot-var", ArgKind::kRequired, 'V'},
    {"version", ArgKind::kNone, 'v'},       {"help", ArgKind::kNone, 'h'},
};

// Short options: "+0a:E:e::i::I:l::L:n:oprs:txP:d:".
ArgKind ShortArg(char c, bool* known) {
  *known = true;
  switch (c) {
    case '0':
    case 'o':
    case 'p':
    case 'r':
    case 't':
    case 'x':
      return ArgKind::kNone;
    case 'a':
    case 'E':
    case 'I':
    case 'L':
    case 'n':
    case 's':
    case 'P':
    case 'd':
      return ArgKind::kRequired;
    case 'e':
    case 'i':
    case 'l':
      return ArgKind::kOptional;
    default:
      *known = false;
      return ArgKind::kNone;
  }
}

bool Served(char c) {
  switch (c) {
    case '0':
    case 'd':
    case 'E':
    case 'e':
    case 'I':
    case 'i':
    case 'L':
    case 'l':
    case 'n':
    case 'P':
    case 'r':
    case 't':
      return true;
    default:
      return false;
  }
}

// getopt_long with '+': options until the first operand or "--". Returns
// the index of the command, or nullopt (fatal or unsupported).
std::optional<size_t> ParseOptions(const std::vector<std::string>& argv, Parser& parser,
                                   ParseOutcome* outcome) {
  *outcome = ParseOutcome::kRun;
  size_t i = 1;
  auto apply = [&](char c, const std::string* arg) {
    if (!Served(c)) {
      parser.io.unsupported = std::string("xargs option -") + c;
      *outcome = ParseOutcome::kUnsupported;
      return false;
    }
    *outcome = parser.Apply(c, arg);
    return *outcome == ParseOutcome::kRun;
  };
  while (i < argv.size()) {
    const std::string& word = argv[i];
    if (word == "--") return i + 1;
    if (word.size() < 2 || word[0] != '-') return i;
    if (word[1] == '-') {
      std::string_view body = std::string_view(word).substr(2);
      size_t eq = body.find('=');
      std::string_view name = body.substr(0, eq);
      const LongOption* found = nullptr;
      int matches = 0;
      for (const LongOption& o : kLongOptions) {
        if (o.name == name) {
          found = &o;
          matches = 1;
          break;
        }
        if (o.name.substr(0, name.size()) == name) {
          found = &o;
          ++matches;
        }
      }
      if (matches != 1 || name.empty()) {
        parser.io.unsupported = "xargs " + word;
        *outcome = ParseOutcome::kUnsupported;
        return std::nullopt;
      }
      std::optional<std::string> arg;
      if (eq != std::string_view::npos) {
        if (found->arg == ArgKind::kNone) {
          parser.io.unsupported = "xargs " + word;
          *outcome = ParseOutcome::kUnsupported;
          return std::nullopt;
        }
        arg = std::string(body.substr(eq + 1));
      } else if (found->arg == ArgKind::kRequired) {
        if (i + 1 >= argv.size()) {
          parser.io.unsupported = "xargs " + word + " without its argument";
          *outcome = ParseOutcome::kUnsupported;
          return std::nullopt;
        }
        arg = argv[++i];
      }
      if (!apply(found->letter, arg ? &*arg : nullptr)) return std::nullopt;
      ++i;
      continue;
    }
    // A cluster of short options.
    for (size_t k = 1; k < word.size(); ++k) {
      char c = word[k];
      bool known = false;
      ArgKind kind = ShortArg(c, &known);
      if (!known) {
        parser.io.unsupported = std::string("xargs -") + c;
        *outcome = ParseOutcome::kUnsupported;
        return std::nullopt;
      }
      if (kind == ArgKind::kNone) {
        if (!apply(c, nullptr)) return std::nullopt;
        continue;
      }
      std::optional<std::string> arg;
      if (k + 1 < word.size()) {
        arg = word.substr(k + 1);
      } else if (kind == ArgKind::kRequired) {
        if (i + 1 >= argv.size()) {
          parser.io.unsupported = std::string("xargs -") + c + " without its argument";
          *outcome = ParseOutcome::kUnsupported;
          return std::nullopt;
        }
        arg = argv[++i];
      }
      if (!apply(c, arg ? &*arg : nullptr)) return std::nullopt;
      break;
    }
    ++i;
  }
  return i;
}

bool IsBlank(int c) { return c == ' ' || c == '\t'; }
bool IsSpace(int c) { return IsBlank(c) || c == '\n' || c == '\r' || c == '\f' || c == '\v'; }

// One xargs run: the input reader, the command line being built and the
// runs so far.
class Xargs {
 public:
  Xargs(const XargsOptions& opts, std::vector<std::string> command, CommandEnv& env, CommandIo& io)
      : opts_(opts), env_(env), io_(io), initial_(std::move(command)) {
    for (const std::string& a : initial_) initial_chars_ += a.size() + 1;
    ClearArgs();
  }

  void Run() {
    if (initial_chars_ > kArgMax) {
      io_.unsupported = "xargs: command longer than the argument size limit";
      return;
    }
    if (opts_.eof_str && opts_.use_delimiter) {
      io_.err += "xargs: warning: the -E option has no effect if -0 or -d is used.\n\n";
    }
    if (!opts_.replace_pat) {
      int len = 0;
      while (!stopped_ && (len = ReadArgs()) != -1) {
        if (stopped_) break;
        if (opts_.lines_per_exec != 0 && lineno_ >= opts_.lines_per_exec) {
          Exec();
          lineno_ = 0;
        }
      }
      if (!stopped_ &&
          (args_.size() != initial_.size() || (opts_.always_run && !procs_executed_))) {
        Exec();
      }
    } else {
      while (!stopped_ && ReadArgs() != -1) {
        if (stopped_) break;
        args_.clear();
        args_.push_back(initial_[0]);
        for (size_t i = 1; i < initial_.size(); ++i) args_.push_back(Insert(initial_[i]));
        for (const std::string& a : args_) {
          if (a.size() + 1 > kArgMax) {
            io_.unsupported = "xargs -I: argument beyond the size limit";
            stopped_ = true;
            return;
          }
        }
        Exec();
      }
    }
    if (!stopped_) io_.status = child_error_;
  }

 private:
  // bc_do_insert(): every occurrence of the pattern replaced by the line.
  std::string Insert(const std::string& arg) const {
    const std::string& pat = *opts_.replace_pat;
    std::string out;
    size_t pos = 0;
    for (size_t hit; (hit = arg.find(pat, pos)) != std::string::npos; pos = hit + pat.size()) {
      out.append(arg, pos, hit - pos);
      out += linebuf_;
    }
    out.append(arg, pos, std::string::npos);
    return out;
  }

  void ClearArgs() {
    args_ = initial_;
    chars_ = initial_chars_;
  }

  // bc_push_arg() for one input argument.
  void Push(const std::string& arg) {
    if (stopped_) return;
    size_t len = arg.size() + 1;
    if (chars_ + len > kArgMax) {
      if (args_.size() == initial_.size() || opts_.lines_per_exec != 0) {
        io_.unsupported = "xargs: argument list beyond the size limit";
        stopped_ = true;
        return;
      }
      Exec();
      if (stopped_) return;
    }
    if (opts_.args_per_exec != 0 && args_.size() - initial_.size() == opts_.args_per_exec) {
      Exec();
      if (stopped_) return;
    }
    args_.push_back(arg);
    chars_ += len;
  }

  bool EofStr(const std::string& s) const { return opts_.eof_str && *opts_.eof_str == s; }

  // exec_if_possible(): before dying on bad input, run what was gathered.
  void ExecIfPossible() {
    if (opts_.replace_pat || opts_.lines_per_exec != 0 || args_.size() == initial_.size()) return;
    Exec();
  }

  // Fatal input error (after exec_if_possible).
  void Die(const std::string& message) {
    ExecIfPossible();
    if (stopped_) return;
    io_.err += "xargs: " + message + "\n";
    io_.status = 1;
    stopped_ = true;
  }

  int Get() { return pos_ < input().size() ? static_cast<unsigned char>(input()[pos_++]) : -1; }
  std::string_view input() const { return io_.stdin_data; }

  int ReadArgs() { return opts_.use_delimiter ? ReadString() : ReadLine(); }

  // Guards GNU's "argument line too long" (the line buffer's end).
  bool LineFits() {
    if (linebuf_.size() + 1 >= kArgMax - initial_chars_) {
      io_.unsupported = "xargs: argument line too long";
      stopped_ = true;
      return false;
    }
    return true;
  }

  // xargs.c read_line().
  int ReadLine() {
    enum State { kNorm, kSpace, kQuote, kBackslash };
    if (eof_) return -1;
    State state = kSpace;
    int prevc = 0;
    int quotc = 0;
    int c = -1;
    bool first = true;
    bool seen_arg = false;
    linebuf_.clear();
    while (true) {
      prevc = c;
      c = Get();
      if (c == -1) {
        eof_ = true;
        if (linebuf_.empty()) return -1;
        int len = static_cast<int>(linebuf_.size()) + 1;
        if (state == kQuote) {
          Die(std::string("unmatched ") + (quotc == '"' ? "double" : "single") +
              " quote; by default quotes are special to xargs unless you use the -0 option");
          return -1;
        }
        if (first && EofStr(linebuf_)) return -1;
        if (!opts_.replace_pat) Push(linebuf_);
        return len;
      }
      switch (state) {
        case kSpace:
          if (IsSpace(c)) continue;
          state = kNorm;
          [[fallthrough]];
        case kNorm:
          if (c == '\n') {
            if (!IsBlank(prevc)) ++lineno_;
            if (linebuf_.empty() && !seen_arg) {
              state = kSpace;
              continue;
            }
            int len = static_cast<int>(linebuf_.size()) + 1;
            if (EofStr(linebuf_)) {
              eof_ = true;
              return first ? -1 : len;
            }
            if (!opts_.replace_pat) Push(linebuf_);
            return len;
          }
          seen_arg = true;
          if (!opts_.replace_pat && IsBlank(c)) {
            if (EofStr(linebuf_)) {
              eof_ = true;
              return first ? -1 : static_cast<int>(linebuf_.size()) + 1;
            }
            Push(linebuf_);
            if (stopped_) return -1;
            linebuf_.clear();
            state = kSpace;
            first = false;
            continue;
          }
          if (c == '\\') {
            state = kBackslash;
            continue;
          }
          if (c == '\'' || c == '"') {
            state = kQuote;
            quotc = c;
            continue;
          }
          break;
        case kQuote:
          if (c == '\n') {
            Die(std::string("unmatched ") + (quotc == '"' ? "double" : "single") +
                " quote; by default quotes are special to xargs unless you use the -0 option");
            return -1;
          }
          if (c == quotc) {
            state = kNorm;
            seen_arg = true;
            continue;
          }
          break;
        case kBackslash:
          state = kNorm;
          break;
      }
      if (c == 0 && !null_warning_given_) {
        io_.err +=
            "xargs: WARNING: a NUL character occurred in the input.  It cannot be passed "
            "through in the argument list.  Did you mean to use the --null option?\n";
        null_warning_given_ = true;
      }
      if (!LineFits()) return -1;
      linebuf_ += static_cast<char>(c);
    }
  }

  // xargs.c read_string(): items end at the delimiter.
  int ReadString() {
    if (eof_) return -1;
    linebuf_.clear();
    while (true) {
      int c = Get();
      if (c == -1) {
        eof_ = true;
        if (linebuf_.empty()) return -1;
        if (!opts_.replace_pat) Push(linebuf_);
        return static_cast<int>(linebuf_.size()) + 1;
      }
      if (c == static_cast<unsigned char>(opts_.delimiter)) {
        ++lineno_;
        if (!opts_.replace_pat) Push(linebuf_);
        return static_cast<int>(linebuf_.size()) + 1;
      }
      if (!LineFits()) return -1;
      linebuf_ += static_cast<char>(c);
    }
  }

  // xargs_do_exec() + wait: runs the command line built so far.
  void Exec() {
    std::vector<std::string> argv = args_;
    ClearArgs();
    // exec() sees C strings: an argument ends at its first NUL.
    for (std::string& a : argv) {
      size_t nul = a.find('\0');
      if (nul != std::string::npos) a.resize(nul);
    }
    if (opts_.print_command) {
      std::string line;
      for (size_t i = 0; i < argv.size(); ++i) {
        if (i > 0) line += ' ';
        line += QuoteShell(argv[i], false);
      }
      io_.err += line + "\n";
    }
    // /bin/echo (coreutils) answers a lone --help / --version itself.
    if (argv.size() == 2 && argv[0] == "echo" && (argv[1] == "--help" || argv[1] == "--version")) {
      io_.unsupported = "xargs: /bin/echo " + argv[1];
      stopped_ = true;
      return;
    }
    CommandIo child;
    child.stdout_is_null = io_.stdout_is_null;
    if (io_.need.lines != UINT64_MAX) child.need.lines = io_.need.lines - io_.out.lines();
    if (io_.need.bytes != UINT64_MAX) child.need.bytes = io_.need.bytes - io_.out.size();
    int status = env_.run_command(argv, child);
    procs_executed_ = true;
    if (!child.unsupported.empty()) {
      io_.unsupported = child.unsupported;
      stopped_ = true;
      return;
    }
    for (const Stream::Chunk& chunk : child.log) {
      if (chunk.fd == 2) {
        io_.err += chunk.bytes;
      } else {
        io_.out += chunk.bytes;
      }
    }
    if ((status == 127 || status == 126) && child.log.empty()) {
      // execvp() failed: GNU reports errno and stops.
      io_.err += "xargs: " + argv[0] + ": " +
                 (status == 127 ? "No such file or directory" : "Permission denied") + "\n";
      io_.status = status;
      stopped_ = true;
      return;
    }
    if (status == 255) {
      io_.err += "xargs: " + argv[0] + ": exited with status 255; aborting\n";
      io_.status = 124;
      stopped_ = true;
      return;
    }
    if (status != 0) child_error_ = 123;
    if (io_.OutputEnough()) {
      // The reader has all it wants; the real xargs would die of SIGPIPE.
      io_.status = child_error_;
      stopped_ = true;
    }
  }

  const XargsOptions& opts_;
  CommandEnv& env_;
  CommandIo& io_;
  std::vector<std::string> initial_;
  size_t initial_chars_ = 0;
  std::vector<std::string> args_;
  size_t chars_ = 0;
  std::string linebuf_;
  size_t pos_ = 0;
  bool eof_ = false;
  uint64_t lineno_ = 0;
  bool null_warning_given_ = false;
  bool procs_executed_ = false;
  bool stopped_ = false;
  int child_error_ = 0;
};

}  // namespace

void CmdXargs(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  if (!env.run_command) {
    io.unsupported = "xargs without a shell";
    return;
  }
  if (std::getenv("POSIXLY_CORRECT") != nullptr || env.Getenv("POSIXLY_CORRECT")) {
    io.unsupported = "xargs with POSIXLY_CORRECT set";
    return;
  }
  Parser parser{io, {}, {}};
  ParseOutcome outcome = ParseOutcome::kRun;
  std::optional<size_t> command_at = ParseOptions(argv, parser, &outcome);
  if (outcome == ParseOutcome::kUnsupported) return;
  if (outcome == ParseOutcome::kFatal || !command_at) {
    io.err += parser.fatal;
    io.status = 1;
    return;
  }
  std::vector<std::string> command(argv.begin() + static_cast<std::ptrdiff_t>(*command_at),
                                   argv.end());
  if (command.empty()) command.push_back("echo");
  Xargs run(parser.opts, std::move(command), env, io);
  run.Run();
}

}  // namespace memhook::utils
