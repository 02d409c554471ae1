// cat, head, tail and wc: the commands that read file contents whole.
#include <wchar.h>

#include <cwchar>
#include <cwctype>
#include <functional>
#include <optional>

#include "utils/options.h"
#include "utils/utils.h"

namespace memhook::utils {
namespace {

// How much of a file a command needs. Reading less is only an
// optimisation: the bytes handed back are always an exact prefix/suffix
// (kFirstLines/kLastLines hold at least the lines asked for, counted as GNU
// counts them; kFirstBytes/kLastBytes at least the bytes) or, for
// kMetadata, none at all with `*stat` filled in.
struct LoadRequest {
  enum class What { kAll, kMetadata, kFirstLines, kLastLines, kFirstBytes, kLastBytes };
  What what = What::kAll;
  uint64_t lines = 0;
  uint64_t bytes = 0;  // kFirstBytes, kLastBytes
  // Set (with kAll): a store file larger than kPieceBytes is handed to it
  // piece by piece and `content` is left empty, so that `cat` of a 500 MB
  // file holds one piece at a time; returning false reads no further.
  std::function<bool(std::string_view piece)> pieces;
};

// The piece size of LoadRequest::pieces: large enough that a piece costs
// one blob read, small enough to be nothing next to the answer.
constexpr uint64_t kPieceBytes = 1 << 20;

// Loads one operand ("-" is stdin). On failure returns the error code; a
// host path sets io.unsupported and returns kInvalidArgument. `*stat` (may
// be null) receives the store's metadata when the operand is a store file;
// `*from_store` tells whether it was.
vfs::Status::Code LoadOperand(const std::string& operand, CommandEnv& env, CommandIo& io,
                              std::string* content, bool* is_directory,
                              const LoadRequest& request = {}, vfs::Stat* stat_out = nullptr,
                              bool* from_store = nullptr) {
  *is_directory = false;
  if (from_store != nullptr) *from_store = false;
  if (operand == "-") {
    content->assign(io.stdin_data);
    return vfs::Status::Code::kOk;
  }
  if (env.process_file && operand.rfind("/dev/fd/", 0) == 0) {
    if (std::optional<std::string_view> made = env.process_file(operand)) {
      content->assign(*made);  // a process substitution <(…): a pipe
      return vfs::Status::Code::kOk;
    }
  }
  ResolvedPath path = env.Resolve(operand);
  if (path.where == ResolvedPath::Where::kDevNull) {
    content->clear();
    return vfs::Status::Code::kOk;
  }
  if (path.where == ResolvedPath::Where::kHost) {
    if (env.allow_host) {
      const vfs::Status::Code code = ReadHostFile(env, operand, content);
      *is_directory = code == vfs::Status::Code::kIsADirectory;
      return code;
    }
    io.unsupported = "reading a host path (" + operand + ")";
    io.needs_host = true;
    return vfs::Status::Code::kInvalidArgument;
  }
  vfs::Stat stat;
  vfs::Status status = env.StatResolved(path, &stat);
  if (!status.ok()) return status.code();
  if (stat.kind == vfs::NodeKind::kDirectory) {
    *is_directory = true;
    return vfs::Status::Code::kIsADirectory;
  }
  if (stat_out != nullptr) *stat_out = stat;
  if (from_store != nullptr) *from_store = true;
  using What = LoadRequest::What;
  if (request.what == What::kMetadata && env.options.pushdown) {
    content->clear();
    return vfs::Status::Code::kOk;
  }
  // Session logs are stored a line per row: read only the rows needed.
  if (env.options.pushdown && stat.storage == vfs::Storage::kLines &&
      (request.what == What::kFirstLines || request.what == What::kLastLines)) {
    content->clear();
    if (request.what == What::kFirstLines && request.lines == 0) return vfs::Status::Code::kOk;
    // A final line without '\n' is line line_count + 1; reading one line
    // early for kLastLines covers both cases, the caller trims.
    uint64_t first = 1, last = request.lines;
    if (request.what == What::kLastLines) {
      first = stat.line_count >= request.lines ? stat.line_count - request.lines + 1 : 1;
      last = 0;
    }
    std::vector<vfs::Line> lines;
    bool ends_with_newline = true;
    status = env.store.ReadLines(path.vfs_path, first, last, &lines, &ends_with_newline);
    if (!status.ok()) return status.code();
    for (const vfs::Line& line : lines) {
      content->append(line.text);
      if (ends_with_newline || line.number <= stat.line_count) content->push_back('\n');
    }
    return vfs::Status::Code::kOk;
  }
  // A file read from its start only as far as needed (head of a large
  // file): growing prefixes until they hold the lines or bytes asked for.
  if (env.options.pushdown &&
      ((stat.storage == vfs::Storage::kBlob && request.what == What::kFirstLines) ||
       (stat.storage != vfs::Storage::kVirtual && request.what == What::kFirstBytes))) {
    uint64_t want = request.what == What::kFirstBytes ? request.bytes : 64 * 1024;
    while (true) {
      bool complete = true;
      status = env.store.ReadPrefix(path.vfs_path, want, content, &complete);
      if (!status.ok()) return status.code();
      if (complete || request.what == What::kFirstBytes ||
          static_cast<uint64_t>(std::count(content->begin(), content->end(), '\n')) >=
              request.lines) {
        return vfs::Status::Code::kOk;
      }
      want *= 4;
    }
  }
  // The end of a large blob: growing suffixes until one holds a '\n'
  // before the lines asked for (or is the whole file).
  if (env.options.pushdown && stat.storage == vfs::Storage::kBlob &&
      (request.what == What::kLastLines || request.what == What::kLastBytes) &&
      stat.size > kPieceBytes) {
    uint64_t want = request.what == What::kLastBytes ? request.bytes : 64 * 1024;
    while (true) {
      const uint64_t from = stat.size > want ? stat.size - want : 0;
      content->clear();
      status = env.store.ReadPieces(
          path.vfs_path, kPieceBytes,
          [content](std::string_view piece) {
            content->append(piece);
            return true;
          },
          from);
      if (!status.ok()) return status.code();
      if (from == 0 || request.what == What::kLastBytes ||
          static_cast<uint64_t>(std::count(content->begin(), content->end(), '\n')) >
              request.lines) {
        return vfs::Status::Code::kOk;
      }
      want *= 4;
    }
  }
  if (request.pieces && stat.storage == vfs::Storage::kBlob && stat.size > kPieceBytes) {
    content->clear();
    return env.store.ReadPieces(path.vfs_path, kPieceBytes, request.pieces).code();
  }
  status = env.store.ReadFile(path.vfs_path, content);
  return status.code();
}

// Multiplier suffixes GNU's xstrtoumax accepts for counts.
struct Suffix {
  const char* text;
  uint64_t factor;
};
constexpr Suffix kSuffixes[] = {
    {"", 1},          {"b", 512},         {"kB", 1000},      {"K", 1024},
    {"k", 1024},      {"KiB", 1024},      {"MB", 1000000},   {"M", 1048576},
    {"MiB", 1048576}, {"GB", 1000000000}, {"G", 1073741824}, {"GiB", 1073741824},
};

// Parses "[sign]digits[suffix]". `sign` receives '+', '-' or '\0'.
std::optional<uint64_t> ParseCount(std::string_view text, char* sign) {
  *sign = '\0';
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) {
    *sign = text[0];
    text.remove_prefix(1);
  }
  size_t digits = 0;
  uint64_t value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    if (value > (UINT64_MAX - 9) / 10) return std::nullopt;
    value = value * 10 + static_cast<uint64_t>(text[digits] - '0');
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  std::string_view suffix = text.substr(digits);
  for (const Suffix& s : kSuffixes) {
    if (suffix == s.text) {
      if (s.factor > 1 && value > UINT64_MAX / s.factor) return std::nullopt;
      return value * s.factor;
    }
  }
  return std::nullopt;
}

// ---------------------------------------------------------------- cat

enum CatOption {
  kNumber,
  kNumberNonblank,
  kShowEnds,
  kShowTabs,
  kShowNonprinting,
  kSqueeze,
  kShowAll,
  kE,
  kT,
  kUnbuffered
};
// cat's options (GNU cat 9.1, all of them).
const std::vector<OptionSpec> kCatOptions = {
    {'n', "number", false, kNumber},
    {'b', "number-nonblank", false, kNumberNonblank},
    {'E', "show-ends", false, kShowEnds},
    {'T', "show-tabs", false, kShowTabs},
    {'v', "show-nonprinting", false, kShowNonprinting},
    {'s', "squeeze-blank", false, kSqueeze},
    {'A', "show-all", false, kShowAll},
    {'e', nullptr, false, kE},
    {'t', nullptr, false, kT},
    {'u', nullptr, false, kUnbuffered},
};

struct CatState {
  bool number = false, number_nonblank = false, show_ends = false, show_tabs = false,
       show_nonprinting = false, squeeze = false;
  // Carried across files exactly as GNU cat carries them.
  uint64_t line_number = 0;
  bool at_line_start = true;
  int blank_run = 0;  // consecutive newlines seen at line start
  // No option changes a byte: the content is the output.
  bool plain() const {
    return !number && !number_nonblank && !show_ends && !show_tabs && !show_nonprinting && !squeeze;
  }
};

void AppendVisible(unsigned char c, const CatState& st, std::string* out) {
  if (c == '\t') {
    *out += st.show_tabs ? "^I" : "\t";
    return;
  }
  if (!st.show_nonprinting) {
    *out += static_cast<char>(c);
    return;
  }
  if (c >= 128) {
    *out += "M-";
    c -= 128;
  }
  if (c < 32) {
    *out += '^';
    *out += static_cast<char>(c + 64);
  } else if (c == 127) {
    *out += "^?";
  } else {
    *out += static_cast<char>(c);
  }
}

void CatBytes(std::string_view data, CatState& st, Stream& out) {
  if (st.plain()) {
    out += data;
    return;
  }
  std::string buffer;
  buffer.reserve(data.size() + data.size() / 8);
  char number_text[32];
  for (unsigned char c : data) {
    if (c == '\n') {
      if (st.at_line_start) {
        ++st.blank_run;
        if (st.squeeze && st.blank_run > 1) continue;
        if (st.number && !st.number_nonblank) {
          std::snprintf(number_text, sizeof number_text, "%6llu\t",
                        static_cast<unsigned long long>(++st.line_number));
          buffer += number_text;
        }
      }
      if (st.show_ends) buffer += '$';
      buffer += '\n';
      st.at_line_start = true;
      continue;
    }
    if (st.at_line_start) {
      st.blank_run = 0;
      if (st.number || st.number_nonblank) {
        std::snprintf(number_text, sizeof number_text, "%6llu\t",
                      static_cast<unsigned long long>(++st.line_number));
        buffer += number_text;
      }
      st.at_line_start = false;
    }
    AppendVisible(c, st, &buffer);
  }
  out += buffer;
}

}  // namespace

void CmdCat(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  ParsedArgs args = ParseOptions(argv, 1, kCatOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "cat " + args.unsupported;
    return;
  }
  CatState st;
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kNumber:
        st.number = true;
        break;
      case kNumberNonblank:
        st.number_nonblank = true;
        break;
      case kShowEnds:
        st.show_ends = true;
        break;
      case kShowTabs:
        st.show_tabs = true;
        break;
      case kShowNonprinting:
        st.show_nonprinting = true;
        break;
      case kSqueeze:
        st.squeeze = true;
        break;
      case kShowAll:
        st.show_nonprinting = st.show_ends = st.show_tabs = true;
        break;
      case kE:
        st.show_nonprinting = st.show_ends = true;
        break;
      case kT:
        st.show_nonprinting = st.show_tabs = true;
        break;
      default:
        break;
    }
  }
  if (args.operands.empty()) args.operands.push_back("-");
  std::string content;
  LoadRequest request;
  // Plain cat forwards a large file as it reads it, and stops reading once
  // its reader has had enough (cat big | head -2).
  if (st.plain()) {
    request.pieces = [&io](std::string_view piece) {
      io.out.append(piece);
      return !io.OutputEnough();
    };
  }
  for (const std::string& operand : args.operands) {
    if (io.OutputEnough()) break;
    bool is_directory = false;
    vfs::Status::Code code = LoadOperand(operand, env, io, &content, &is_directory, request);
    if (!io.unsupported.empty()) return;
    if (code != vfs::Status::Code::kOk) {
      io.err += argv[0] + ": " + QuoteShell(operand, false) + ": " + ErrnoText(code) + "\n";
      io.status = 1;
      continue;
    }
    if (st.plain()) {
      io.out.append(std::move(content));
      content = std::string();
    } else {
      CatBytes(content, st, io.out);
    }
  }
}

// ---------------------------------------------------------------- head / tail

namespace {

enum HeadTailOption { kLines, kBytes, kQuiet, kVerbose, kFollow, kZero };
const std::vector<OptionSpec> kHeadOptions = {
    {'n', "lines", true, kLines},      {'c', "bytes", true, kBytes},
    {'q', "quiet", false, kQuiet},     {'q', "silent", false, kQuiet},
    {'v', "verbose", false, kVerbose},
};
const std::vector<OptionSpec> kTailOptions = {
    {'n', "lines", true, kLines},      {'c', "bytes", true, kBytes},
    {'q', "quiet", false, kQuiet},     {'q', "silent", false, kQuiet},
    {'v', "verbose", false, kVerbose},
};

struct Window {
  bool bytes = false;  // count bytes instead of lines
  char sign = '\0';    // head: '-' = all but the last N; tail: '+' = from N
  uint64_t count = 10;
};

// Position just after the n-th '\n' (or the end when there are fewer).
size_t AfterLine(std::string_view data, uint64_t n) {
  size_t pos = 0;
  for (uint64_t i = 0; i < n; ++i) {
    size_t nl = data.find('\n', pos);
    if (nl == std::string_view::npos) return data.size();
    pos = nl + 1;
  }
  return pos;
}

// Lines as GNU counts them for head -n -N / tail -n N: a final line
// without '\n' counts.
uint64_t CountLines(std::string_view data) {
  uint64_t lines = 0;
  for (char c : data) lines += (c == '\n');
  if (!data.empty() && data.back() != '\n') ++lines;
  return lines;
}

std::string_view HeadSlice(std::string_view data, const Window& w) {
  if (w.bytes) {
    if (w.sign == '-') return data.substr(0, data.size() > w.count ? data.size() - w.count : 0);
    return data.substr(0, std::min<uint64_t>(w.count, data.size()));
  }
  if (w.sign == '-') {
    uint64_t total = CountLines(data);
    return data.substr(0, total > w.count ? AfterLine(data, total - w.count) : 0);
  }
  return data.substr(0, AfterLine(data, w.count));
}

std::string_view TailSlice(std::string_view data, const Window& w) {
  if (w.bytes) {
    if (w.sign == '+') {
      uint64_t skip = w.count == 0 ? 0 : w.count - 1;
      return skip >= data.size() ? std::string_view() : data.substr(skip);
    }
    return data.substr(data.size() > w.count ? data.size() - w.count : 0);
  }
  if (w.sign == '+') {
    uint64_t skip = w.count == 0 ? 0 : w.count - 1;
    return data.substr(AfterLine(data, skip));
  }
  uint64_t total = CountLines(data);
  return data.substr(total > w.count ? AfterLine(data, total - w.count) : 0);
}

// GNU head/tail's obsolete first-argument form: -N, -Nc, -Nl, -Nq, -Nv ...
bool ParseObsolete(const std::string& word, Window* w, bool* quiet, bool* verbose) {
  if (word.size() < 2 || word[0] != '-' || word[1] < '0' || word[1] > '9') return false;
  size_t i = 1;
  uint64_t value = 0;
  while (i < word.size() && word[i] >= '0' && word[i] <= '9') {
    if (value > (UINT64_MAX - 9) / 10) return false;
    value = value * 10 + static_cast<uint64_t>(word[i++] - '0');
  }
  for (; i < word.size(); ++i) {
    switch (word[i]) {
      case 'c':
        w->bytes = true;
        break;
      case 'l':
        w->bytes = false;
        break;
      case 'q':
        *quiet = true;
        break;
      case 'v':
        *verbose = true;
        break;
      default:
        return false;
    }
  }
  w->count = value;
  w->sign = '\0';
  return true;
}

// head's or tail's arguments, parsed.
struct HeadTailArgs {
  Window window;
  bool quiet = false;
  bool verbose = false;
  bool obsolete = false;  // the -N first-argument form
  std::vector<std::string> operands;
  std::string unsupported;  // non-empty: what cannot be answered
};

HeadTailArgs ParseHeadTail(bool is_head, const std::vector<std::string>& argv) {
  HeadTailArgs parsed;
  Window& window = parsed.window;
  size_t first = 1;
  parsed.obsolete =
      argv.size() > 1 && ParseObsolete(argv[1], &window, &parsed.quiet, &parsed.verbose);
  if (parsed.obsolete) first = 2;
  ParsedArgs args = ParseOptions(argv, first, is_head ? kHeadOptions : kTailOptions);
  if (!args.unsupported.empty()) {
    parsed.unsupported = argv[0] + " " + args.unsupported;
    return parsed;
  }
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kLines:
      case kBytes: {
        char sign;
        std::optional<uint64_t> n = ParseCount(o.argument, &sign);
        bool sign_ok = sign == '\0' || (is_head ? sign == '-' : sign == '+' || sign == '-');
        if (!n || !sign_ok) {
          parsed.unsupported = argv[0] + " " + o.spelling + " " + o.argument;
          return parsed;
        }
        window.bytes = o.id == kBytes;
        window.count = *n;
        window.sign = sign == '-' && !is_head ? '\0' : sign;
        break;
      }
      case kQuiet:
        parsed.quiet = true;
        parsed.verbose = false;
        break;
      case kVerbose:
        parsed.verbose = true;
        parsed.quiet = false;
        break;
      default:
        break;
    }
  }
  parsed.operands = std::move(args.operands);
  return parsed;
}

void HeadOrTail(bool is_head, const std::vector<std::string>& argv, CommandEnv& env,
                CommandIo& io) {
  HeadTailArgs args = ParseHeadTail(is_head, argv);
  if (!args.unsupported.empty()) {
    io.unsupported = args.unsupported;
    return;
  }
  const Window& window = args.window;
  const bool obsolete = args.obsolete, quiet = args.quiet, verbose = args.verbose;
  if (obsolete && !is_head && args.operands.size() > 1) {
    // GNU tail accepts the obsolete -N form only with at most one file.
    io.err += argv[0] + ": option used in invalid context -- " + argv[1].substr(1) + "\n";
    io.status = 1;
    return;
  }
  if (args.operands.empty()) args.operands.push_back("-");
  bool headers = verbose || (!quiet && args.operands.size() > 1);
  bool first_header = true;
  std::string content;
  LoadRequest request;
  if (!window.bytes && window.sign == '\0') {
    request.what = is_head ? LoadRequest::What::kFirstLines : LoadRequest::What::kLastLines;
    request.lines = window.count;
  } else if (window.bytes && window.sign == '\0') {
    request.what = is_head ? LoadRequest::What::kFirstBytes : LoadRequest::What::kLastBytes;
    request.bytes = window.count;
  }
  for (const std::string& operand : args.operands) {
    bool is_directory = false;
    vfs::Status::Code code = LoadOperand(operand, env, io, &content, &is_directory, request);
    if (!io.unsupported.empty()) return;
    std::string shown = operand == "-" ? "standard input" : operand;
    if (code != vfs::Status::Code::kOk && !is_directory) {
      io.err += argv[0] + ": cannot open " + QuoteShell(operand, true) +
                " for reading: " + ErrnoText(code) + "\n";
      io.status = 1;
      continue;
    }
    if (headers) {
      io.out += std::string(first_header ? "" : "\n") + "==> " + shown + " <==\n";
      first_header = false;
    }
    if (is_directory) {
      io.err += argv[0] + ": error reading " + QuoteShell(operand, true) + ": Is a directory\n";
      io.status = 1;
      continue;
    }
    io.out += is_head ? HeadSlice(content, window) : TailSlice(content, window);
  }
}

}  // namespace

void CmdHead(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  HeadOrTail(true, argv, env, io);
}

std::optional<OutputNeed> HeadStdinNeed(const std::vector<std::string>& argv) {
  if (argv.empty() || argv[0] != "head") return std::nullopt;
  HeadTailArgs args = ParseHeadTail(true, argv);
  if (!args.unsupported.empty() || args.window.sign != '\0') return std::nullopt;
  if (!(args.operands.empty() || (args.operands.size() == 1 && args.operands[0] == "-"))) {
    return std::nullopt;
  }
  OutputNeed need;
  (args.window.bytes ? need.bytes : need.lines) = args.window.count;
  return need;
}

void CmdTail(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  HeadOrTail(false, argv, env, io);
}

// ---------------------------------------------------------------- wc

namespace {

enum WcOption { kWcLines, kWcWords, kWcChars, kWcBytes, kWcMaxLine };
const std::vector<OptionSpec> kWcOptions = {
    {'l', "lines", false, kWcLines},
    {'w', "words", false, kWcWords},
    {'m', "chars", false, kWcChars},
    {'c', "bytes", false, kWcBytes},
    {'L', "max-line-length", false, kWcMaxLine},
};

struct Counts {
  uint64_t lines = 0, words = 0, chars = 0, bytes = 0, max_line = 0;
};

// GNU wc 9.1's counting loop: whitespace ends a word, printable
// non-space characters are inside one, anything else is neutral.
Counts Count(std::string_view data, bool utf8) {
  Counts c;
  c.bytes = data.size();
  bool in_word = false;
  uint64_t line_pos = 0;
  std::mbstate_t state{};
  size_t i = 0;
  auto end_line = [&] {
    if (line_pos > c.max_line) c.max_line = line_pos;
    line_pos = 0;
  };
  while (i < data.size()) {
    unsigned char byte = static_cast<unsigned char>(data[i]);
    wchar_t wc;
    size_t len = 1;
    if (byte < 0x80) {
      wc = byte;
    } else if (utf8) {
      size_t n = std::mbrtowc(&wc, data.data() + i, data.size() - i, &state);
      if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0) {
        // An invalid byte: counted as a byte only, neutral for words.
        state = std::mbstate_t{};
        ++i;
        continue;
      }
      len = n;
    } else {
      // Single-byte non-ASCII under C: not printable, neutral.
      ++c.chars;
      ++i;
      continue;
    }
    ++c.chars;
    i += len;
    switch (wc) {
      case L'\n':
        ++c.lines;
        [[fallthrough]];
      case L'\r':
      case L'\f':
        end_line();
        c.words += in_word;
        in_word = false;
        break;
      case L'\t':
        line_pos += 8 - (line_pos % 8);
        c.words += in_word;
        in_word = false;
        break;
      case L' ':
        ++line_pos;
        [[fallthrough]];
      case L'\v':
        c.words += in_word;
        in_word = false;
        break;
      default:
        if (std::iswprint(static_cast<wint_t>(wc))) {
          int width = ::wcwidth(wc);
          if (width > 0) line_pos += static_cast<uint64_t>(width);
          if (std::iswspace(static_cast<wint_t>(wc))) {
            c.words += in_word;
            in_word = false;
          } else {
            in_word = true;
          }
        }
        break;
    }
  }
  end_line();
  c.words += in_word;
  return c;
}

}  // namespace

void CmdWc(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  ParsedArgs args = ParseOptions(argv, 1, kWcOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "wc " + args.unsupported;
    return;
  }
  bool lines = false, words = false, chars = false, bytes = false, max_line = false;
  for (const ParsedOption& o : args.options) {
    lines |= o.id == kWcLines;
    words |= o.id == kWcWords;
    chars |= o.id == kWcChars;
    bytes |= o.id == kWcBytes;
    max_line |= o.id == kWcMaxLine;
  }
  if (!lines && !words && !chars && !bytes && !max_line) lines = words = bytes = true;
  int selected = lines + words + chars + bytes + max_line;
  bool from_stdin = args.operands.empty();
  if (from_stdin) args.operands.push_back("-");
  bool utf8 = LocaleIsUtf8();

  struct Row {
    std::string name;
    bool show_name;
    Counts counts;
    vfs::Status::Code error = vfs::Status::Code::kOk;
    bool is_directory = false;
    bool regular = true;
  };
  std::vector<Row> rows;
  std::string content;
  // Line and byte counts of a store file are in its metadata.
  LoadRequest request;
  if (!words && !chars && !max_line) request.what = LoadRequest::What::kMetadata;
  for (const std::string& operand : args.operands) {
    Row row{operand, !from_stdin, {}};
    bool is_directory = false, from_store = false;
    vfs::Stat stat;
    row.error = LoadOperand(operand, env, io, &content, &is_directory, request, &stat, &from_store);
    if (!io.unsupported.empty()) return;
    if (row.error == vfs::Status::Code::kOk && from_store &&
        request.what == LoadRequest::What::kMetadata && env.options.pushdown) {
      row.counts.lines = stat.line_count;
      row.counts.bytes = stat.size;
      rows.push_back(std::move(row));
      continue;
    }
    row.is_directory = is_directory;
    row.regular = operand == "-" ? io.stdin_regular : !is_directory;
    if (operand != "-" && env.Resolve(operand).where == ResolvedPath::Where::kDevNull) {
      row.regular = false;
    }
    if (env.process_file && env.process_file(operand)) row.regular = false;  // a pipe
    if (row.error == vfs::Status::Code::kOk) {
      if (words || chars || max_line) {
        row.counts = Count(content, utf8);
      } else {  // lines and bytes need no decoding (wc -l of a large log)
        row.counts.bytes = content.size();
        row.counts.lines = static_cast<uint64_t>(std::count(content.begin(), content.end(), '\n'));
      }
    }
    rows.push_back(std::move(row));
  }

  // Column width, as compute_number_width() in GNU wc 9.1: one count of one
  // operand needs no padding; otherwise the digits of the total size of the
  // regular files, at least 7 when any input is not a regular file.
  int width = 1;
  bool single = selected == 1 && rows.size() == 1;
  if (!single) {
    uint64_t total_size = 0;
    int minimum = 1;
    for (const Row& row : rows) {
      if (row.error != vfs::Status::Code::kOk && !row.is_directory) continue;
      if (row.regular && !row.is_directory) {
        total_size += row.counts.bytes;
      } else {
        minimum = 7;
      }
    }
    for (; total_size >= 10; total_size /= 10) ++width;
    if (width < minimum) width = minimum;
  }

  auto format = [&](const Counts& c, const std::string* name) {
    std::string line;
    auto field = [&](uint64_t value) {
      char buf[32];
      std::snprintf(buf, sizeof buf, "%*llu", width, static_cast<unsigned long long>(value));
      if (!line.empty()) line += ' ';
      line += buf;
    };
    if (lines) field(c.lines);
    if (words) field(c.words);
    if (chars) field(c.chars);
    if (bytes) field(c.bytes);
    if (max_line) field(c.max_line);
    // GNU wc quotes a name only when it holds a newline (coreutils 9).
    if (name != nullptr)
      line += " " + (name->find('\n') != std::string::npos ? QuoteShell(*name, false) : *name);
    line += '\n';
    return line;
  };

  Counts total;
  for (const Row& row : rows) {
    if (row.error != vfs::Status::Code::kOk) {
      io.err += argv[0] + ": " + QuoteShell(row.name, false) + ": " + ErrnoText(row.error) + "\n";
      io.status = 1;
      if (!row.is_directory) continue;
    }
    io.out += format(row.counts, row.show_name ? &row.name : nullptr);
    total.lines += row.counts.lines;
    total.words += row.counts.words;
    total.chars += row.counts.chars;
    total.bytes += row.counts.bytes;
    total.max_line = std::max(total.max_line, row.counts.max_line);
  }
  if (rows.size() > 1) {
    std::string name = "total";
    io.out += format(total, &name);
  }
}

}  // namespace memhook::utils
