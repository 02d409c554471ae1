// cmp (GNU diffutils 3.8), comm and join (GNU coreutils 9.1), and the
// getopt_long that diff, cmp, comm, join and column share.
//
// Every input operand is read through InputFile. What the tools print is
// reproduced from their documented behaviour: cmp's "differ: byte N, line M"
// and "EOF on F after byte N, line M" texts, comm's three columns and its
// order check, join's field splitting, -o formats and unsorted-input
// warnings.
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <clocale>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "utils/getopt.h"
#include "utils/input.h"
#include "utils/options.h"
#include "utils/utils.h"

namespace memhook::utils {

// ================================================================== shared

namespace {

using gnu::ArgMode;
using gnu::GetoptItem;
using gnu::GetoptOption;
using gnu::GetoptResult;
using gnu::kLateOperandItem;
using gnu::kOperandItem;
using gnu::RunGetopt;

// GNU's hard_locale for the command: its LC_ALL, category variable or
// LANG names a locale other than C/POSIX that exists (the process's own
// locale when the command has no environment of its own).
bool HardLocale(const CommandEnv& env, const char* variable, int category) {
  std::string value;
  if (env.environment != nullptr) {
    for (const char* var : {"LC_ALL", variable, "LANG"}) {
      std::optional<std::string_view> v = env.Getenv(var);
      if (v && !v->empty()) {
        value = std::string(*v);
        break;
      }
    }
  } else {
    const char* name = setlocale(category, nullptr);
    value = name != nullptr ? name : "C";
  }
  if (value.empty() || value == "C" || value == "POSIX") return false;
  locale_t probe = newlocale(LC_ALL_MASK, value.c_str(), static_cast<locale_t>(0));
  if (probe == static_cast<locale_t>(0)) return false;
  freelocale(probe);
  return true;
}

// QuoteLocale ('x' or ‘x’ by the charset), as the command's locale quotes:
// refused when the command's charset is not the process's.
std::string Quote(const CommandEnv& env, CommandIo& io, std::string_view text) {
  if (env.environment != nullptr) {
    std::string value = "C";
    for (const char* var : {"LC_ALL", "LC_CTYPE", "LANG"}) {
      std::optional<std::string_view> v = env.Getenv(var);
      if (v && !v->empty()) {
        value = std::string(*v);
        break;
      }
    }
    bool utf8 = value.find("UTF-8") != std::string::npos || value.find("utf8") != std::string::npos;
    if (utf8 != LocaleIsUtf8()) io.unsupported = "quoting in a locale other than memhook's own";
  }
  return QuoteLocale(text);
}

// gnulib's memcoll: equal bytes are equal; otherwise strcoll on the
// NUL-separated pieces in turn, a shorter list of pieces first.
int MemColl(std::string_view a, std::string_view b) {
  if (a == b) return 0;
  while (true) {
    size_t na = a.find('\0'), nb = b.find('\0');
    std::string_view pa = a.substr(0, na), pb = b.substr(0, nb);
    int diff = CollateCompare(pa, pb);
    if (diff != 0) return diff;
    if (na == std::string_view::npos) return nb == std::string_view::npos ? 0 : -1;
    if (nb == std::string_view::npos) return 1;
    a.remove_prefix(na + 1);
    b.remove_prefix(nb + 1);
  }
}

// Byte order, a prefix first (memcmp, then the lengths).
int MemCmp2(std::string_view a, std::string_view b) {
  int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : a.size() != b.size();
}

// Records of `data` ending in `delim` (the last one may lack it), without
// their delimiter.
std::vector<std::string_view> SplitRecords(std::string_view data, char delim) {
  std::vector<std::string_view> out;
  size_t pos = 0;
  while (pos < data.size()) {
    size_t end = data.find(delim, pos);
    if (end == std::string_view::npos) end = data.size();
    out.push_back(data.substr(pos, end - pos));
    pos = end + 1;
  }
  return out;
}

// "Try 'PROG --help' for more information." after coreutils' usage errors
// (status 1).
void CoreutilsUsageError(const std::string& prog, const std::string& message, CommandIo& io) {
  if (!message.empty()) io.err += prog + ": " + message + "\n";
  io.err += "Try '" + prog + " --help' for more information.\n";
  io.status = 1;
}

// An input operand read whole; false after reporting (status `failure`)
// or refusing.
bool ReadOperand(CommandEnv& env, CommandIo& io, const std::string& prog,
                 const std::string& operand, std::string* content, int failure) {
  vfs::Status::Code error = vfs::Status::Code::kOk;
  InputFile::Open open = ReadWholeOperand(env, io, prog, operand, content, &error);
  switch (open) {
    case InputFile::Open::kOk:
      return true;
    case InputFile::Open::kRefused:
      return false;
    case InputFile::Open::kDirectory:
      error = vfs::Status::Code::kIsADirectory;
      break;
    case InputFile::Open::kError:
      break;
  }
  io.err += prog + ": " + QuoteShell(operand, false) + ": " + ErrnoText(error) + "\n";
  io.status = failure;
  return false;
}

// ===================================================================== cmp

// gnulib's xstrtoimax with cmp's suffixes "kKMGTPEZY0": base 0 (0x..,
// 0...), a multiplier suffix (K 1024, KB 1000, KiB 1024 ...), a bare
// suffix meaning 1 of it.
struct IntParse {
  bool ok = false;              // LONGINT_OK
  bool invalid_suffix = false;  // only LONGINT_INVALID_SUFFIX_CHAR
  intmax_t value = 0;
  size_t end = 0;  // where parsing stopped
};

IntParse XStrToIMax(const std::string& s, size_t from) {
  constexpr std::string_view kSuffixes = "kKMGTPEZY0";
  IntParse r;
  const char* start = s.c_str() + from;
  char* end = nullptr;
  errno = 0;
  intmax_t value = std::strtoimax(start, &end, 0);
  bool overflow = false;
  if (end == start) {
    if (*start != '\0' && kSuffixes.find(*start) != std::string_view::npos) {
      value = 1;
    } else {
      r.end = from;
      return r;  // LONGINT_INVALID
    }
  } else if (errno == ERANGE) {
    overflow = true;
  }
  bool bad_suffix = false;
  if (*end != '\0') {
    if (kSuffixes.find(*end) == std::string_view::npos) {
      r.value = value;
      r.end = end - s.c_str();
      r.invalid_suffix = !overflow;
      return r;
    }
    intmax_t base = 1024;
    int length = 1;
    if (end[1] == 'i') {
      if (end[2] == 'B') length += 2;
    } else if (end[1] == 'B' || end[1] == 'D') {
      base = 1000;
      length++;
    }
    // The power of the base each suffix letter stands for.
    static constexpr struct {
      char letter;
      int power;
    } kPowers[] = {{'k', 1}, {'K', 1}, {'M', 2}, {'G', 3}, {'T', 4},
                   {'P', 5}, {'E', 6}, {'Z', 7}, {'Y', 8}};
    int power = 0;
    for (const auto& p : kPowers) {
      if (p.letter == *end) power = p.power;
    }
    if (power == 0) {  // '0' itself is no multiplier
      r.value = value;
      r.end = end - s.c_str();
      r.invalid_suffix = !overflow;
      return r;
    }
    for (int k = 0; k < power; ++k) {
      if (value > INTMAX_MAX / base) {
        value = INTMAX_MAX;
        overflow = true;
      } else if (value < INTMAX_MIN / base) {
        value = INTMAX_MIN;
        overflow = true;
      } else {
        value *= base;
      }
    }
    end += length;
    if (*end != '\0') bad_suffix = true;
  }
  r.value = value;
  r.end = end - s.c_str();
  r.ok = !overflow && !bad_suffix;
  r.invalid_suffix = !overflow && bad_suffix;
  return r;
}

// cat -t's picture of a byte (cmp -b): M- for the high bit, ^ for controls.
std::string PictureByte(unsigned char c) {
  std::string out;
  if (!(c >= 0x20 && c < 0x7f)) {
    if (c >= 128) {
      out += "M-";
      c -= 128;
    }
    if (c < 32) {
      out += '^';
      c += 64;
    } else if (c == 127) {
      out += '^';
      c = '?';
    }
  }
  out += static_cast<char>(c);
  return out;
}

std::string Octal3(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "%3o", c);
  return buf;
}

// Writes stdout and stderr as a process with a fully buffered stdout (a
// pipe's 4096 bytes) and an unbuffered stderr would: stdout's writes reach
// the descriptor in whole buffers, so a message written to stderr lands
// after the last full buffer.
void EmitBuffered(const std::string& out, const std::string& err, CommandIo& io) {
  constexpr size_t kBuffer = 4096;
  size_t flushed = out.empty() ? 0 : (out.size() - 1) / kBuffer * kBuffer;
  if (err.empty()) flushed = out.size();
  io.out += std::string_view(out).substr(0, flushed);
  io.err += err;
  io.out += std::string_view(out).substr(flushed);
}

}  // namespace

void CmdCmp(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  enum { kHelp = 256 };
  // cmp's long_options order.
  static const std::vector<GetoptOption> kTable = {
      {'b', "print-bytes", ArgMode::kNone, 'b'},
      {'c', "print-chars", ArgMode::kNone, 'c'},
      {'i', "ignore-initial", ArgMode::kRequired, 'i'},
      {'l', "verbose", ArgMode::kNone, 'l'},
      {'n', "bytes", ArgMode::kRequired, 'n'},
      {'s', "silent", ArgMode::kNone, 's'},
      {'\0', "quiet", ArgMode::kNone, 's'},
      {'v', "version", ArgMode::kNone, 'v'},
      {'\0', "help", ArgMode::kNone, kHelp},
  };
  auto try_help = [&](const std::string& reason) {
    if (!reason.empty()) io.err += prog + ": " + reason + "\n";
    io.err += prog + ": Try '" + prog + " --help' for more information.\n";
    io.status = 2;
  };
  if (env.Getenv("POSIXLY_CORRECT")) {
    io.unsupported = "cmp under POSIXLY_CORRECT";
    return;
  }
  GetoptResult parsed = RunGetopt(argv, kTable, gnu::Ordering::kPermute);
  // What cmp prints: the first difference, all of them (-l), nothing on
  // stdout because it is /dev/null, or only the status (-s).
  enum Type { kFirstDiff, kAllDiffs, kNoStdout, kStatus };
  Type type = kFirstDiff;
  bool type_set = false;
  bool print_bytes = false;
  intmax_t ignore_initial[2] = {0, 0};
  intmax_t bytes = -1;
  // Reads SKIP (or SKIP1 of SKIP1:SKIP2 when `delimiter` is ':').
  auto skip_value = [&](int f, const std::string& arg, size_t from, char delimiter,
                        size_t* end) -> bool {
    IntParse p = XStrToIMax(arg, from);
    if (!((p.ok || (p.invalid_suffix && arg[p.end] == delimiter && delimiter != '\0')) &&
          p.value >= 0)) {
      try_help("invalid --ignore-initial value '" + arg.substr(from) + "'");
      return false;
    }
    if (ignore_initial[f] < p.value) ignore_initial[f] = p.value;
    *end = p.end;
    return true;
  };
  for (const GetoptItem& item : parsed.items) {
    switch (item.id) {
      case 'b':
      case 'c':
        print_bytes = true;
        break;
      case 'i': {
        size_t end = 0;
        if (!skip_value(0, item.argument, 0, ':', &end)) return;
        if (end < item.argument.size() && item.argument[end] == ':') {
          if (!skip_value(1, item.argument, end + 1, '\0', &end)) return;
        } else if (ignore_initial[1] < ignore_initial[0]) {
          ignore_initial[1] = ignore_initial[0];
        }
        break;
      }
      case 'l':
      case 's': {
        Type t = item.id == 'l' ? kAllDiffs : kStatus;
        if (type_set && type != t) {
          try_help("options -l and -s are incompatible");
          return;
        }
        type = t;
        type_set = true;
        break;
      }
      case 'n': {
        IntParse p = XStrToIMax(item.argument, 0);
        if (!p.ok || p.value < 0) {
          try_help("invalid --bytes value '" + item.argument + "'");
          return;
        }
        if (!(0 <= bytes && bytes < p.value)) bytes = p.value;
        break;
      }
      default:
        io.unsupported = "cmp --help/--version";
        return;
    }
  }
  if (!parsed.diagnostic.empty()) {
    io.err += parsed.diagnostic;
    try_help("");
    return;
  }
  const std::vector<std::string>& ops = parsed.operands;
  if (ops.empty()) {
    const std::string& last = !parsed.option_words.empty() ? parsed.option_words.back() : prog;
    try_help("missing operand after '" + last + "'");
    return;
  }
  std::string file[2] = {ops[0], ops.size() > 1 ? ops[1] : "-"};
  for (size_t f = 0; f < 2 && f + 2 < ops.size(); ++f) {
    size_t end = 0;
    if (!skip_value(static_cast<int>(f), ops[f + 2], 0, '\0', &end)) return;
  }
  if (ops.size() > 4) {
    try_help("extra operand '" + ops[4] + "'");
    return;
  }
  if (type != kStatus && io.stdout_is_null) type = kNoStdout;

  // Open both (errors in order), then read.
  std::string storage[2];
  std::string_view data[2];
  bool regular[2] = {false, false};
  bool is_dir[2] = {false, false};
  std::string identity[2];
  for (int f = 0; f < 2; ++f) {
    if (f == 1 && ignore_initial[0] == ignore_initial[1] && file[0] == file[1]) {
      io.status = 0;
      return;
    }
    InputFile input;
    InputFile::Open open = input.OpenOperand(env, io, prog, file[f]);
    if (open == InputFile::Open::kRefused) return;
    if (open == InputFile::Open::kOk && !input.ReadAll()) open = InputFile::Open::kError;
    if (open == InputFile::Open::kError) {
      if (type != kStatus) {
        io.err += prog + ": " + file[f] + ": " + ErrnoText(input.error()) + "\n";
      }
      io.status = 2;
      return;
    }
    is_dir[f] = open == InputFile::Open::kDirectory;
    if (!is_dir[f]) {
      storage[f].assign(input.data());
      data[f] = storage[f];
      regular[f] = input.regular();
    }
    ResolvedPath path = env.Resolve(file[f]);
    identity[f] = file[f] == "-"                              ? "stdin"
                  : path.where == ResolvedPath::Where::kMount ? "mount:" + path.vfs_path
                                                              : "other:" + file[f];
  }
  // The same file at the same offset: identical, unread.
  if (identity[0] == identity[1] && ignore_initial[0] == ignore_initial[1]) {
    io.status = 0;
    return;
  }
  for (int f = 0; f < 2; ++f) {
    if (is_dir[f]) {
      // read() fails on a directory; file 0 is read first.
      io.err += prog + ": " + file[f] + ": " + ErrnoText(vfs::Status::Code::kIsADirectory) + "\n";
      io.status = 2;
      return;
    }
  }
  // The compared ranges: after the skips, at most `bytes` of each.
  std::string_view part[2];
  for (int f = 0; f < 2; ++f) {
    size_t skip = static_cast<size_t>(std::min<intmax_t>(ignore_initial[f], data[f].size()));
    part[f] = data[f].substr(skip);
    if (bytes >= 0 && static_cast<uintmax_t>(bytes) < part[f].size())
      part[f] = part[f].substr(0, bytes);
  }
  const size_t common = std::min(part[0].size(), part[1].size());
  std::string out, err;
  bool differing = false;
  // With -l, offsets are as wide as the largest possible one.
  int offset_width = 1;
  if (type == kAllDiffs) {
    intmax_t max = bytes >= 0 ? bytes : INTMAX_MAX;
    for (int f = 0; f < 2; ++f) {
      if (!regular[f]) continue;
      intmax_t file_bytes = static_cast<intmax_t>(data[f].size()) - ignore_initial[f];
      if (file_bytes < max) max = file_bytes;
    }
    while ((max /= 10) != 0) offset_width++;
  }
  const bool hard_messages = HardLocale(env, "LC_MESSAGES", LC_MESSAGES);
  size_t k = 0;
  while (k < common && part[0][k] == part[1][k]) ++k;
  if (k < common) {
    differing = true;
    if (type == kFirstDiff) {
      size_t line = 1 + std::count(part[0].begin(), part[0].begin() + k, '\n');
      std::string where = std::to_string(k + 1) + ", line " + std::to_string(line);
      if (!print_bytes) {
        // POSIX's "char" in the C locale, "byte" elsewhere.
        out += file[0] + " " + file[1] + " differ: " + (hard_messages ? "byte " : "char ") + where +
               "\n";
      } else {
        unsigned char c0 = part[0][k], c1 = part[1][k];
        out += file[0] + " " + file[1] + " differ: byte " + where + " is " + Octal3(c0) + " " +
               PictureByte(c0) + " " + Octal3(c1) + " " + PictureByte(c1) + "\n";
      }
    } else if (type == kAllDiffs) {
      for (; k < common; ++k) {
        unsigned char c0 = part[0][k], c1 = part[1][k];
        if (c0 == c1) continue;
        // "%*s %3o %3o" (with -b: "%*s %3o %-4s %3o %s").
        std::string offset = std::to_string(k + 1);
        if (offset.size() < static_cast<size_t>(offset_width))
          offset.insert(0, offset_width - offset.size(), ' ');
        out += offset + " " + Octal3(c0) + " ";
        if (print_bytes) {
          std::string picture = PictureByte(c0);
          if (picture.size() < 4) picture.append(4 - picture.size(), ' ');
          out += picture + " " + Octal3(c1) + " " + PictureByte(c1) + "\n";
        } else {
          out += Octal3(c1) + "\n";
        }
      }
    }
  }
  const bool stop_at_first = differing && type != kAllDiffs;
  if (!stop_at_first && part[0].size() != part[1].size()) {
    if (type != kStatus) {
      const std::string& shorter = file[part[1].size() < part[0].size()];
      if (common == 0) {
        err = "cmp: EOF on " + shorter + " which is empty\n";
      } else if (type == kFirstDiff) {
        bool at_line_start = part[0][common - 1] == '\n';
        size_t line = 1 + std::count(part[0].begin(), part[0].begin() + common, '\n') -
                      (at_line_start ? 1 : 0);
        err = "cmp: EOF on " + shorter + " after byte " + std::to_string(common) +
              (at_line_start ? ", line " : ", in line ") + std::to_string(line) + "\n";
      } else {
        err = "cmp: EOF on " + shorter + " after byte " + std::to_string(common) + "\n";
      }
    }
    differing = true;
  }
  EmitBuffered(out, err, io);
  io.status = differing ? 1 : 0;
}

// ==================================================================== comm

void CmdComm(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  enum { kCheckOrder = 256, kNoCheckOrder, kOutputDelimiter, kTotal, kHelp, kVersion };
  // comm's long_options order, then the letters.
  static const std::vector<GetoptOption> kTable = {
      {'\0', "check-order", ArgMode::kNone, kCheckOrder},
      {'\0', "nocheck-order", ArgMode::kNone, kNoCheckOrder},
      {'\0', "output-delimiter", ArgMode::kRequired, kOutputDelimiter},
      {'\0', "total", ArgMode::kNone, kTotal},
      {'z', "zero-terminated", ArgMode::kNone, 'z'},
      {'\0', "help", ArgMode::kNone, kHelp},
      {'\0', "version", ArgMode::kNone, kVersion},
      {'1', nullptr, ArgMode::kNone, '1'},
      {'2', nullptr, ArgMode::kNone, '2'},
      {'3', nullptr, ArgMode::kNone, '3'},
  };
  if (env.Getenv("POSIXLY_CORRECT")) {
    io.unsupported = "comm under POSIXLY_CORRECT";
    return;
  }
  GetoptResult parsed = RunGetopt(argv, kTable, gnu::Ordering::kPermute);
  bool show[4] = {false, true, true, true};  // columns 1, 2, 3
  char delim = '\n';
  enum { kCheckDefault, kCheckEnabled, kCheckDisabled } check = kCheckDefault;
  std::optional<std::string> separator;
  bool total = false;
  for (const GetoptItem& item : parsed.items) {
    switch (item.id) {
      case '1':
      case '2':
      case '3':
        show[item.id - '0'] = false;
        break;
      case 'z':
        delim = '\0';
        break;
      case kCheckOrder:
        check = kCheckEnabled;
        break;
      case kNoCheckOrder:
        check = kCheckDisabled;
        break;
      case kOutputDelimiter:
        if (separator && *separator != item.argument) {
          io.err += prog + ": multiple output delimiters specified\n";
          io.status = 1;
          return;
        }
        separator = item.argument;
        break;
      case kTotal:
        total = true;
        break;
      default:
        io.unsupported = "comm --help/--version";
        return;
    }
  }
  if (!parsed.diagnostic.empty()) {
    io.err += parsed.diagnostic;
    CoreutilsUsageError(prog, "", io);
    return;
  }
  // An empty delimiter separates columns with a NUL byte (but the --total
  // line prints it as the empty string).
  std::string col_sep = separator ? *separator : "\t";
  std::string total_sep = col_sep;
  if (col_sep.empty()) col_sep = std::string(1, '\0');
  const std::vector<std::string>& ops = parsed.operands;
  if (ops.size() < 2) {
    const std::string& last = !ops.empty()                   ? ops.back()
                              : !parsed.option_words.empty() ? parsed.option_words.back()
                                                             : prog;
    CoreutilsUsageError(
        prog, ops.empty() ? "missing operand" : "missing operand after " + Quote(env, io, last),
        io);
    return;
  }
  if (ops.size() > 2) {
    CoreutilsUsageError(prog, "extra operand " + Quote(env, io, ops[2]), io);
    return;
  }
  if (ops[0] == "-" && ops[1] == "-") {
    io.unsupported = "comm reading stdin twice";
    return;
  }
  std::string content[2];
  std::vector<std::string_view> lines[2];
  for (int f = 0; f < 2; ++f) {
    if (!ReadOperand(env, io, prog, ops[f], &content[f], 1)) return;
    lines[f] = SplitRecords(content[f], delim);
  }
  const bool hard = HardLocale(env, "LC_COLLATE", LC_COLLATE);
  auto compare = [hard](std::string_view a, std::string_view b) {
    return hard ? MemColl(a, b) : MemCmp2(a, b);
  };
  bool seen_unpairable = false;
  bool warned[2] = {false, false};
  std::string out;
  // check_order: a line before its predecessor; fatal with --check-order,
  // else a warning once per file, and only once lines stopped pairing.
  auto check_order = [&](std::string_view prev, std::string_view current, int f) {
    if (check == kCheckDisabled || !(check == kCheckEnabled || seen_unpairable) || warned[f])
      return true;
    if (compare(prev, current) <= 0) return true;
    io.out += out;
    out.clear();
    io.err += prog + ": file " + std::to_string(f + 1) + " is not in sorted order\n";
    if (check == kCheckEnabled) {
      io.status = 1;
      return false;
    }
    warned[f] = true;
    return true;
  };
  uint64_t counts[3] = {0, 0, 0};
  size_t pos[2] = {0, 0};
  const size_t n[2] = {lines[0].size(), lines[1].size()};
  while (pos[0] < n[0] || pos[1] < n[1]) {
    int order;
    if (pos[0] == n[0]) {
      order = 1;
    } else if (pos[1] == n[1]) {
      order = -1;
    } else {
      order = compare(lines[0][pos[0]], lines[1][pos[1]]);
    }
    // Column 2 is indented by column 1's separator when column 1 shows;
    // column 3 by both.
    if (order == 0) {
      counts[2]++;
      if (show[3]) {
        if (show[1]) out += col_sep;
        if (show[2]) out += col_sep;
        out += lines[1][pos[1]];
        out += delim;
      }
    } else {
      seen_unpairable = true;
      if (order < 0) {
        counts[0]++;
        if (show[1]) {
          out += lines[0][pos[0]];
          out += delim;
        }
      } else {
        counts[1]++;
        if (show[2]) {
          if (show[1]) out += col_sep;
          out += lines[1][pos[1]];
          out += delim;
        }
      }
    }
    for (int f = 0; f < 2; ++f) {
      if (f == 0 ? order > 0 : order < 0) continue;
      ++pos[f];
      if (pos[f] < n[f]) {
        if (!check_order(lines[f][pos[f] - 1], lines[f][pos[f]], f)) return;
      } else if (pos[f] >= 2) {
        // At the end, the last two lines again: lines may have stopped
        // pairing since they were read.
        if (!check_order(lines[f][pos[f] - 2], lines[f][pos[f] - 1], f)) return;
      }
    }
    if (out.size() >= (1u << 16)) {
      io.out += out;
      out.clear();
      if (io.OutputEnough()) return;
    }
  }
  if (total) {
    out += std::to_string(counts[0]) + total_sep + std::to_string(counts[1]) + total_sep +
           std::to_string(counts[2]) + total_sep + "total" + delim;
  }
  io.out += out;
  if (warned[0] || warned[1]) {
    io.err += prog + ": input is not in sorted order\n";
    io.status = 1;
    return;
  }
  io.status = 0;
}

// ==================================================================== join

namespace {

struct JoinLine {
  std::string_view text;  // without its delimiter
  std::vector<std::string_view> fields;
};

class Join {
 public:
  Join(const std::string& prog, CommandIo& io) : prog_(prog), io_(io) {}

  // Settings, as join's options set them.
  bool print_unpairables[2] = {false, false};
  bool print_pairables = true;
  std::optional<std::string> empty_filler;
  bool autoformat = false;
  size_t join_field[2] = {SIZE_MAX, SIZE_MAX};
  struct OutSpec {
    int file;  // 0: the join field; 1 or 2: a field of that file
    size_t field;
  };
  std::vector<OutSpec> outlist;
  int tab = -1;  // -1: blanks; else the separator byte ('\n': whole line)
  enum { kCheckDefault, kCheckEnabled, kCheckDisabled } check = kCheckDefault;
  bool ignore_case = false;
  bool header = false;
  char eol = '\n';
  bool hard_collate = false;
  std::string names[2];

  // Splits every line of both inputs, then joins. Returns the status.
  int Run(std::string_view data0, std::string_view data1) {
    for (int f = 0; f < 2; ++f) {
      for (std::string_view text : SplitRecords(f == 0 ? data0 : data1, eol)) {
        lines_[f].push_back({text, Fields(text)});
      }
    }
    if (!JoinAll()) return 1;
    io_.out += out_;
    out_.clear();
    if (warned_[0] || warned_[1]) {
      io_.err += prog_ + ": input is not in sorted order\n";
      return 1;
    }
    return 0;
  }

 private:
  static bool FieldSep(unsigned char c) { return c == ' ' || c == '\t' || c == '\n'; }

  // join's xfields: blank-separated fields (leading blanks ignored, a
  // trailing run makes an empty last field), or fields between `tab`s.
  std::vector<std::string_view> Fields(std::string_view line) const {
    std::vector<std::string_view> fields;
    if (line.empty()) return fields;
    size_t ptr = 0;
    const size_t lim = line.size();
    if (tab >= 0 && tab != '\n') {
      size_t sep;
      while ((sep = line.find(static_cast<char>(tab), ptr)) != std::string_view::npos) {
        fields.push_back(line.substr(ptr, sep - ptr));
        ptr = sep + 1;
      }
    } else if (tab < 0) {
      while (FieldSep(line[ptr])) {
        if (++ptr == lim) return fields;
      }
      do {
        size_t sep = ptr + 1;
        while (sep != lim && !FieldSep(line[sep])) ++sep;
        fields.push_back(line.substr(ptr, sep - ptr));
        if (sep == lim) return fields;
        for (ptr = sep + 1; ptr != lim && FieldSep(line[ptr]); ++ptr) {
        }
      } while (ptr != lim);
    }
    fields.push_back(line.substr(ptr, lim - ptr));
    return fields;
  }

  int KeyCompare(const JoinLine& a, const JoinLine& b, size_t jf_a, size_t jf_b) const {
    std::string_view ka = jf_a < a.fields.size() ? a.fields[jf_a] : std::string_view();
    std::string_view kb = jf_b < b.fields.size() ? b.fields[jf_b] : std::string_view();
    if (ka.empty()) return kb.empty() ? 0 : -1;
    if (kb.empty()) return 1;
    int diff = 0;
    if (ignore_case) {
      // memcasecmp: bytes compared as upper case.
      for (size_t i = 0; i < std::min(ka.size(), kb.size()) && diff == 0; ++i) {
        diff = std::toupper(static_cast<unsigned char>(ka[i])) -
               std::toupper(static_cast<unsigned char>(kb[i]));
      }
    } else {
      if (hard_collate) return MemColl(ka, kb);
      diff = std::memcmp(ka.data(), kb.data(), std::min(ka.size(), kb.size()));
    }
    if (diff != 0) return diff;
    return ka.size() < kb.size() ? -1 : ka.size() != kb.size();
  }

  // A line out of order: a warning once per file (only after an
  // unpairable line, unless --check-order, which makes it fatal).
  bool CheckOrder(const JoinLine& prev, const JoinLine& current, int f) {
    if (check == kCheckDisabled || !(check == kCheckEnabled || seen_unpairable_) || warned_[f])
      return true;
    if (KeyCompare(prev, current, join_field[f], join_field[f]) <= 0) return true;
    io_.out += out_;
    out_.clear();
    std::string shown(current.text);
    if (eol != '\n') shown += eol;  // only a '\n' delimiter is left out
    io_.err += prog_ + ": " + names[f] + ":" + std::to_string(line_no_[f]) +
               ": is not sorted: " + shown + "\n";
    if (check == kCheckEnabled) {
      fatal_ = true;
      return false;
    }
    warned_[f] = true;
    return true;
  }

  // get_line: the next line of file f (null at its end), checked against
  // the previous one.
  const JoinLine* GetLine(int f) {
    if (next_[f] == lines_[f].size()) return nullptr;
    const JoinLine* line = &lines_[f][next_[f]++];
    ++line_no_[f];
    if (prev_[f] != nullptr && !CheckOrder(*prev_[f], *line, f)) return nullptr;
    prev_[f] = line;
    return line;
  }

  struct Seq {
    std::vector<const JoinLine*> lines;
    size_t count = 0;
  };
  bool GetSeq(Seq& seq, int f) {
    const JoinLine* line = GetLine(f);
    if (line == nullptr) return false;
    if (seq.lines.size() <= seq.count) seq.lines.resize(seq.count + 1);
    seq.lines[seq.count++] = line;
    return true;
  }
  bool AdvanceSeq(Seq& seq, bool first, int f) {
    if (first) seq.count = 0;
    return GetSeq(seq, f);
  }

  void PrintField(size_t n, const JoinLine& line) {
    if (n < line.fields.size() && !line.fields[n].empty()) {
      out_ += line.fields[n];
    } else if (empty_filler) {
      out_ += *empty_filler;
    }
  }

  void PrintFields(const JoinLine& line, size_t jf, size_t autocount, char sep) {
    size_t nfields = autoformat ? autocount : line.fields.size();
    for (size_t i = 0; i < jf && i < nfields; ++i) {
      out_ += sep;
      PrintField(i, line);
    }
    for (size_t i = jf + 1; i < nfields; ++i) {
      out_ += sep;
      PrintField(i, line);
    }
  }

  void PrintJoin(const JoinLine& line1, const JoinLine& line2) {
    const char sep = tab < 0 ? ' ' : static_cast<char>(tab);
    const bool blank1 = &line1 == &blank_;
    if (!outlist.empty()) {
      for (size_t k = 0; k < outlist.size(); ++k) {
        const OutSpec& o = outlist[k];
        if (o.file == 0) {
          PrintField(blank1 ? join_field[1] : join_field[0], blank1 ? line2 : line1);
        } else {
          PrintField(o.field, o.file == 1 ? line1 : line2);
        }
        if (k + 1 < outlist.size()) out_ += sep;
      }
    } else {
      PrintField(blank1 ? join_field[1] : join_field[0], blank1 ? line2 : line1);
      PrintFields(line1, join_field[0], autocount_[0], sep);
      PrintFields(line2, join_field[1], autocount_[1], sep);
    }
    out_ += eol;
    if (out_.size() >= (1u << 16)) {
      io_.out += out_;
      out_.clear();
    }
  }

  // join's main loop, reading lazily as GNU's does (the order warnings
  // come where it reads the offending line).
  bool JoinAll() {
    Seq seq1, seq2;
    GetSeq(seq1, 0);
    if (fatal_) return false;
    GetSeq(seq2, 1);
    if (fatal_) return false;
    if (autoformat) {
      autocount_[0] = seq1.count ? seq1.lines[0]->fields.size() : 0;
      autocount_[1] = seq2.count ? seq2.lines[0]->fields.size() : 0;
    }
    if (header && (seq1.count || seq2.count)) {
      PrintJoin(seq1.count ? *seq1.lines[0] : blank_, seq2.count ? *seq2.lines[0] : blank_);
      prev_[0] = prev_[1] = nullptr;
      if (seq1.count) AdvanceSeq(seq1, true, 0);
      if (fatal_) return false;
      if (seq2.count) AdvanceSeq(seq2, true, 1);
      if (fatal_) return false;
    }
    while (seq1.count && seq2.count) {
      if (io_.OutputEnough()) return true;
      int diff = KeyCompare(*seq1.lines[0], *seq2.lines[0], join_field[0], join_field[1]);
      if (diff < 0) {
        if (print_unpairables[0]) PrintJoin(*seq1.lines[0], blank_);
        AdvanceSeq(seq1, true, 0);
        if (fatal_) return false;
        seen_unpairable_ = true;
        continue;
      }
      if (diff > 0) {
        if (print_unpairables[1]) PrintJoin(blank_, *seq2.lines[0]);
        AdvanceSeq(seq2, true, 1);
        if (fatal_) return false;
        seen_unpairable_ = true;
        continue;
      }
      // The run of lines of each file with this key.
      bool eof1 = false;
      do {
        if (!AdvanceSeq(seq1, false, 0)) {
          if (fatal_) return false;
          eof1 = true;
          ++seq1.count;
          break;
        }
      } while (
          !KeyCompare(*seq1.lines[seq1.count - 1], *seq2.lines[0], join_field[0], join_field[1]));
      bool eof2 = false;
      do {
        if (!AdvanceSeq(seq2, false, 1)) {
          if (fatal_) return false;
          eof2 = true;
          ++seq2.count;
          break;
        }
      } while (
          !KeyCompare(*seq1.lines[0], *seq2.lines[seq2.count - 1], join_field[0], join_field[1]));
      if (print_pairables) {
        for (size_t i = 0; i + 1 < seq1.count; ++i) {
          for (size_t j = 0; j + 1 < seq2.count; ++j) PrintJoin(*seq1.lines[i], *seq2.lines[j]);
        }
      }
      if (!eof1) {
        std::swap(seq1.lines[0], seq1.lines[seq1.count - 1]);
        seq1.count = 1;
      } else {
        seq1.count = 0;
      }
      if (!eof2) {
        std::swap(seq2.lines[0], seq2.lines[seq2.count - 1]);
        seq2.count = 1;
      } else {
        seq2.count = 0;
      }
    }
    // The tails: printed with -a/-v, and read to check their order.
    const bool checktail = check != kCheckDisabled && !(warned_[0] && warned_[1]);
    Seq* seqs[2] = {&seq1, &seq2};
    for (int f = 0; f < 2; ++f) {
      if (!((print_unpairables[f] || checktail) && seqs[f]->count)) continue;
      if (print_unpairables[f]) {
        if (f == 0) {
          PrintJoin(*seq1.lines[0], blank_);
        } else {
          PrintJoin(blank_, *seq2.lines[0]);
        }
      }
      if (seqs[1 - f]->count) seen_unpairable_ = true;
      while (const JoinLine* line = GetLine(f)) {
        if (print_unpairables[f]) {
          if (f == 0) {
            PrintJoin(*line, blank_);
          } else {
            PrintJoin(blank_, *line);
          }
        }
        if (warned_[f] && !print_unpairables[f]) break;
      }
      if (fatal_) return false;
    }
    return true;
  }

 public:
  bool fatal() const { return fatal_; }
  void Flush() {
    io_.out += out_;
    out_.clear();
  }

 private:
  const std::string& prog_;
  CommandIo& io_;
  std::vector<JoinLine> lines_[2];
  size_t next_[2] = {0, 0};
  uint64_t line_no_[2] = {0, 0};
  const JoinLine* prev_[2] = {nullptr, nullptr};
  bool seen_unpairable_ = false;
  bool warned_[2] = {false, false};
  bool fatal_ = false;
  size_t autocount_[2] = {0, 0};
  JoinLine blank_;
  std::string out_;
};

// coreutils' xstrtoul / xstrtoumax with no suffixes: decimal digits after
// optional blanks and '+'; nullopt if invalid; SIZE_MAX when too large.
std::optional<uintmax_t> ParseUnsigned(const std::string& s, bool* overflow) {
  size_t p = 0;
  while (p < s.size() && (s[p] == ' ' || (s[p] >= '\t' && s[p] <= '\r'))) ++p;
  if (p < s.size() && s[p] == '-') return std::nullopt;
  errno = 0;
  char* end = nullptr;
  uintmax_t v = std::strtoumax(s.c_str(), &end, 10);
  if (end == s.c_str() || *end != '\0') return std::nullopt;
  *overflow = errno == ERANGE;
  return v;
}

}  // namespace

void CmdJoin(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  enum { kCheckOrder = 256, kNoCheckOrder, kHeader, kHelp, kVersion };
  // join's longopts order, then the letters.
  static const std::vector<GetoptOption> kTable = {
      {'i', "ignore-case", ArgMode::kNone, 'i'},
      {'\0', "check-order", ArgMode::kNone, kCheckOrder},
      {'\0', "nocheck-order", ArgMode::kNone, kNoCheckOrder},
      {'z', "zero-terminated", ArgMode::kNone, 'z'},
      {'\0', "header", ArgMode::kNone, kHeader},
      {'\0', "help", ArgMode::kNone, kHelp},
      {'\0', "version", ArgMode::kNone, kVersion},
      {'a', nullptr, ArgMode::kRequired, 'a'},
      {'e', nullptr, ArgMode::kRequired, 'e'},
      {'1', nullptr, ArgMode::kRequired, '1'},
      {'2', nullptr, ArgMode::kRequired, '2'},
      {'j', nullptr, ArgMode::kRequired, 'j'},
      {'o', nullptr, ArgMode::kRequired, 'o'},
      {'t', nullptr, ArgMode::kRequired, 't'},
      {'v', nullptr, ArgMode::kRequired, 'v'},
  };
  auto die = [&](const std::string& message) {
    io.err += prog + ": " + message + "\n";
    io.status = 1;
  };
  Join join(prog, io);
  join.hard_collate = HardLocale(env, "LC_COLLATE", LC_COLLATE);
  // "invalid field number" unless a whole positive number.
  auto join_field_number = [&](const std::string& s, size_t* out) {
    bool overflow = false;
    std::optional<uintmax_t> v = ParseUnsigned(s, &overflow);
    if (v && (overflow || *v > SIZE_MAX)) {
      *out = SIZE_MAX - 1;
      return true;
    }
    if (!v || *v == 0) {
      die("invalid field number: " + Quote(env, io, s));
      return false;
    }
    *out = static_cast<size_t>(*v - 1);
    return true;
  };
  auto set_join_field = [&](size_t* var, size_t value) {
    if (*var != SIZE_MAX && *var != value) {
      die("incompatible join fields " + std::to_string(*var + 1) + ", " +
          std::to_string(value + 1));
      return false;
    }
    *var = value;
    return true;
  };
  auto add_field_list = [&](const std::string& list) {
    size_t start = 0;
    while (true) {
      size_t stop = list.find_first_of(", \t", start);
      std::string spec =
          list.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
      Join::OutSpec o{0, 0};
      if (!spec.empty() && spec[0] == '0') {
        if (spec.size() > 1) {
          die("invalid field specifier: " + Quote(env, io, spec));
          return false;
        }
      } else if (!spec.empty() && (spec[0] == '1' || spec[0] == '2')) {
        if (spec.size() < 2 || spec[1] != '.') {
          die("invalid field specifier: " + Quote(env, io, spec));
          return false;
        }
        o.file = spec[0] - '0';
        if (!join_field_number(spec.substr(2), &o.field)) return false;
      } else {
        die("invalid file number in field spec: " + Quote(env, io, spec));
        return false;
      }
      join.outlist.push_back(o);
      if (stop == std::string::npos) return true;
      start = stop + 1;
    }
  };
  // Operands may be the arguments of a preceding -j1, -j2 or -o (join's
  // add_file_name): decided when a third one shows up.
  enum Status { kMustBeOperand, kMightBeJ1Arg, kMightBeJ2Arg, kMightBeOArg };
  std::string names[2];
  Status operand_status[2] = {kMustBeOperand, kMustBeOperand};
  int joption_count[2] = {0, 0};
  int nfiles = 0;
  Status prev_status = kMustBeOperand;
  Status optc_status = kMustBeOperand;
  auto add_file_name = [&](const std::string& name) {
    int n = nfiles;
    if (n == 2) {
      bool op0 = operand_status[0] == kMustBeOperand;
      std::string arg = names[op0];
      switch (operand_status[op0]) {
        case kMustBeOperand:
          CoreutilsUsageError(prog, "extra operand " + QuoteShell(name, true), io);
          return false;
        case kMightBeJ1Arg:
          joption_count[0]--;
          {
            size_t v;
            if (!join_field_number(arg, &v) || !set_join_field(&join.join_field[0], v))
              return false;
          }
          break;
        case kMightBeJ2Arg:
          joption_count[1]--;
          {
            size_t v;
            if (!join_field_number(arg, &v) || !set_join_field(&join.join_field[1], v))
              return false;
          }
          break;
        case kMightBeOArg:
          if (!add_field_list(arg)) return false;
          break;
      }
      if (!op0) {
        operand_status[0] = operand_status[1];
        names[0] = names[1];
      }
      n = 1;
    }
    operand_status[n] = prev_status;
    names[n] = name;
    nfiles = n + 1;
    if (prev_status == kMightBeOArg) optc_status = kMightBeOArg;
    return true;
  };
  if (env.Getenv("POSIXLY_CORRECT")) {
    io.unsupported = "join under POSIXLY_CORRECT";
    return;
  }
  GetoptResult parsed = RunGetopt(argv, kTable, gnu::Ordering::kReturnInOrder);
  bool late = false;
  for (const GetoptItem& item : parsed.items) {
    if (item.id == kLateOperandItem) {
      if (!late) prev_status = kMustBeOperand;  // operands after "--"
      late = true;
      if (!add_file_name(item.argument)) return;
      continue;
    }
    optc_status = kMustBeOperand;
    switch (item.id) {
      case 'v':
        join.print_pairables = false;
        [[fallthrough]];
      case 'a': {
        bool overflow = false;
        std::optional<uintmax_t> v = ParseUnsigned(item.argument, &overflow);
        if (!v || overflow || (*v != 1 && *v != 2)) {
          die("invalid field number: " + Quote(env, io, item.argument));
          return;
        }
        join.print_unpairables[*v - 1] = true;
        break;
      }
      case 'e':
        if (join.empty_filler && *join.empty_filler != item.argument) {
          die("conflicting empty-field replacement strings");
          return;
        }
        join.empty_filler = item.argument;
        break;
      case 'i':
        join.ignore_case = true;
        break;
      case '1':
      case '2': {
        size_t v;
        if (!join_field_number(item.argument, &v) ||
            !set_join_field(&join.join_field[item.id - '1'], v))
          return;
        break;
      }
      case 'j':
        if ((item.argument == "1" || item.argument == "2") && item.attached_to_letter) {
          // "-j1" / "-j2": the field, or -j with the next word as field.
          int is_j2 = item.argument == "2";
          joption_count[is_j2]++;
          optc_status = is_j2 ? kMightBeJ2Arg : kMightBeJ1Arg;
        } else {
          size_t v;
          if (!join_field_number(item.argument, &v) || !set_join_field(&join.join_field[0], v) ||
              !set_join_field(&join.join_field[1], join.join_field[0]))
            return;
        }
        break;
      case 'o':
        if (item.argument == "auto") {
          join.autoformat = true;
        } else {
          if (!add_field_list(item.argument)) return;
          optc_status = kMightBeOArg;
        }
        break;
      case 't': {
        const std::string& a = item.argument;
        int newtab;
        if (a.empty()) {
          newtab = '\n';  // the whole line is the field
        } else if (a.size() > 1) {
          if (a != "\\0") {
            die("multi-character tab " + Quote(env, io, a));
            return;
          }
          newtab = '\0';
        } else {
          newtab = static_cast<unsigned char>(a[0]);
        }
        if (join.tab >= 0 && join.tab != newtab) {
          die("incompatible tabs");
          return;
        }
        join.tab = newtab;
        break;
      }
      case 'z':
        join.eol = '\0';
        break;
      case kNoCheckOrder:
        join.check = Join::kCheckDisabled;
        break;
      case kCheckOrder:
        join.check = Join::kCheckEnabled;
        break;
      case kHeader:
        join.header = true;
        break;
      case kOperandItem:
        if (!add_file_name(item.argument)) return;
        break;
      default:
        io.unsupported = "join --help/--version";
        return;
    }
    prev_status = optc_status;
  }
  if (!parsed.diagnostic.empty()) {
    io.err += parsed.diagnostic;
    CoreutilsUsageError(prog, "", io);
    return;
  }
  if (nfiles != 2) {
    CoreutilsUsageError(
        prog,
        nfiles == 0 ? "missing operand" : "missing operand after " + Quote(env, io, argv.back()),
        io);
    return;
  }
  for (int i = 0; i < 2; ++i) {
    if (joption_count[i] != 0) {
      if (!set_join_field(&join.join_field[0], i) || !set_join_field(&join.join_field[1], i))
        return;
    }
  }
  for (size_t& jf : join.join_field) {
    if (jf == SIZE_MAX) jf = 0;
  }
  if (names[0] == "-" && names[1] == "-") {
    io.unsupported = "join reading stdin twice";
    return;
  }
  std::string content[2];
  for (int f = 0; f < 2; ++f) {
    InputFile::Open open;
    vfs::Status::Code error = vfs::Status::Code::kOk;
    open = ReadWholeOperand(env, io, prog, names[f], &content[f], &error);
    if (open == InputFile::Open::kRefused) return;
    if (open == InputFile::Open::kError) {
      die(QuoteShell(names[f], false) + ": " + ErrnoText(error));
      return;
    }
    if (open == InputFile::Open::kDirectory) {
      // fopen succeeds; the first read fails.
      if (f == 0) {
        // Both are opened before the first read.
        if (names[1] != "-") {
          std::string other;
          InputFile::Open o2 = ReadWholeOperand(env, io, prog, names[1], &other, &error);
          if (o2 == InputFile::Open::kRefused) return;
          if (o2 == InputFile::Open::kError) {
            die(QuoteShell(names[1], false) + ": " + ErrnoText(error));
            return;
          }
        }
      }
      die("read error: " + std::string(ErrnoText(vfs::Status::Code::kIsADirectory)));
      return;
    }
  }
  join.names[0] = names[0];
  join.names[1] = names[1];
  int status = join.Run(content[0], content[1]);
  if (join.fatal()) {
    join.Flush();
    io.status = 1;
    return;
  }
  io.status = status;
}

}  // namespace memhook::utils
