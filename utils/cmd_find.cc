// `find` answered from the store, as GNU findutils 4.9.0 behaves with stdout
// not a terminal (names printed raw).
//
// The expression is built the way findutils builds it (parser.c, tree.c),
// so that malformed expressions fail with GNU's exact messages: the user's
// tokens are wrapped in an artificial "( ... )", an implicit -a joins
// adjacent terms, -print is appended when no action is given, and the
// recursive-descent parser below (GetExpr / ScanRest) is a port of tree.c.
//
// Traversal differs from GNU in one documented way: GNU walks in readdir
// order, which no two filesystems agree on; memhook walks siblings in C
// byte order (the differential tests compare sorted lines).
#include <fnmatch.h>
#include <locale.h>

#include <charconv>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "utils/utils.h"
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
};

enum class Cmp { kLt, kEq, kGt };

// -type bits for the two node kinds the store has.
constexpr unsigned kTypeFile = 1;
constexpr unsigned kTypeDir = 2;

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
  bool takes_arg;
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
  bool depth_first = false;  // -depth: directories after their contents
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

constexpr TokType P = TokType::kPrimary;
constexpr bool kArg = true;  // the primary takes the next word
constexpr bool kNoArg = false;

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
    {"prune", Kind::kNonPrintAction, Op::kPrune, P, kNoPrec, kNoArg, nullptr},
    {"quit", Kind::kNonPrintAction, Op::kQuit, P, kNoPrec, kNoArg, nullptr},
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
    // timestamps, formatting, and anything that runs or writes.
    NotServed(","),
    NotServed("amin"),
    NotServed("anewer"),
    NotServed("atime"),
    NotServed("cmin"),
    NotServed("cnewer"),
    NotServed("context"),
    NotServed("ctime"),
    NotServed("daystart"),
    NotServed("delete"),
    NotServed("exec"),
    NotServed("execdir"),
    NotServed("executable"),
    NotServed("files0-from"),
    NotServed("fls"),
    NotServed("follow"),
    NotServed("fprint"),
    NotServed("fprint0"),
    NotServed("fprintf"),
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
    NotServed("printf"),
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
    std::string arg;
    if (spec->takes_arg) {
      if (i + 1 >= args.size()) return Fail(p, "missing argument to `" + token + "'");
      arg = args[++i];
    }
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
int BuildTree(Parse& p) {
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
  bool empty_dir;  // a directory without entries
};

struct EvalState {
  bool prune = false;
  bool quit = false;
  Stream* out = nullptr;
};

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
      *state.out += v.path;
      *state.out += '\n';
      return true;
    case Op::kPrint0:
      *state.out += v.path;
      *state.out += '\0';
      return true;
    case Op::kPrune:
      state.prune = true;
      return true;
    case Op::kQuit:
      state.quit = true;
      return true;
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
std::string ChildPath(const std::string& start, const std::string& rel) {
  if (!start.empty() && start.back() == '/') return start + rel;
  return start + "/" + rel;
}

struct Item {
  std::string rel;  // relative to the start point; "" for the start itself
  vfs::Stat stat;
  int depth = 0;
  bool has_children = false;
};

// Collects the start point and everything below it that -maxdepth lets find
// see, in pre-order. Directories just past the depth limit still mark
// their parent non-empty for -empty.
vfs::Status Collect(CommandEnv& env, const std::string& vfs_path, const vfs::Stat& start_stat,
                    int maxdepth, std::vector<Item>* items) {
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
  return env.store.Walk(vfs_path, [&](const std::string& path, const vfs::Stat& st) {
    std::string rel = path.substr(prefix);
    int depth = 1;
    for (char c : rel) depth += c == '/';
    if (maxdepth >= 0 && depth > maxdepth + 1) return true;
    if (static_cast<size_t>(depth) <= ancestors.size()) {
      (*items)[ancestors[depth - 1]].has_children = true;
    }
    if (maxdepth >= 0 && depth > maxdepth) return true;
    ancestors.resize(depth);
    ancestors.push_back(items->size());
    items->push_back({std::move(rel), st, depth, false});
    return true;
  });
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
    Visit visit{path, base, item.stat, !item.has_children};
    Eval(p.nodes, root, visit, state);
  };

  if (p.depth_first) {
    // Post-order: a directory is evaluated once everything below it has
    // been; -prune has no effect (GNU: do_dir_first is false).
    std::vector<size_t> pending;
    for (size_t i = 0; i < items.size(); ++i) {
      while (!pending.empty() && items[pending.back()].depth >= items[i].depth) {
        evaluate(items[pending.back()]);
        pending.pop_back();
        if (state.quit) return false;
      }
      if (items[i].stat.kind == vfs::NodeKind::kDirectory) {
        pending.push_back(i);
      } else {
        evaluate(items[i]);
        if (state.quit) return false;
      }
    }
    while (!pending.empty()) {
      evaluate(items[pending.back()]);
      pending.pop_back();
      if (state.quit) return false;
    }
    return true;
  }

  std::string pruned;  // rel + "/" of a pruned directory, while inside it
  for (const Item& item : items) {
    if (!pruned.empty()) {
      if (item.rel.compare(0, pruned.size(), pruned) == 0) continue;
      pruned.clear();
    }
    evaluate(item);
    if (state.quit) return false;
    if (state.prune && item.stat.kind == vfs::NodeKind::kDirectory) {
      if (item.rel.empty()) return true;  // the start itself: nothing below
      pruned = item.rel + "/";
    }
  }
  return true;
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

  Parse p(argv[0], env, io);
  int root = -1;
  if (i < argv.size()) {
    if (!Tokenize(p, argv, i)) {
      if (!io.unsupported.empty()) return;
      io.err += p.program + ": " + p.fatal + "\n";
      io.status = 1;
      return;
    }
    Finish(p);
    root = BuildTree(p);
    if (root < 0) {
      io.err += p.program + ": " + p.fatal + "\n";
      io.status = 1;
      return;
    }
  } else {
    Node print;
    print.op = Op::kPrint;
    print.name = "-print";
    p.nodes.push_back(std::move(print));
    root = 0;
  }

  CtypeScope ctype;
  EvalState state;
  state.out = &io.out;
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
    status = Collect(env, resolved[s].vfs_path, st, p.maxdepth, &items);
    if (!status.ok()) {
      io.unsupported = "find: store error walking " + starts[s] + ": " + status.message();
      return;
    }
    if (!Traverse(p, root, starts[s], items, state)) return;
  }
}

}  // namespace memhook::utils
