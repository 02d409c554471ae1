// basename, dirname, seq, realpath, readlink, stat, env, printenv, date,
// sleep, yes: GNU coreutils 9.1 over the virtual filesystem. What cannot be
// reproduced exactly (host paths, device numbers, time zones other than UTC
// and the process's own, date strings outside a common subset) sets
// io.unsupported.
#include <grp.h>
#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "utils/options.h"
#include "utils/utils.h"

namespace memhook::utils {

namespace {

constexpr size_t kOutputLimit = 64u << 20;  // bytes a generator may write

// "NAME: MESSAGE\nTry 'NAME --help' for more information.\n", status 1.
void UsageError(const std::string& name, const std::string& message, CommandIo& io,
                int status = 1) {
  if (!message.empty()) io.err += name + ": " + message + "\n";
  io.err += "Try '" + name + " --help' for more information.\n";
  io.status = status;
}

const OptionSpec* FindLong(const std::vector<OptionSpec>& specs, std::string_view name) {
  const OptionSpec* found = nullptr;
  for (const OptionSpec& s : specs) {
    if (s.long_name == nullptr) continue;
    std::string_view full(s.long_name);
    if (full == name) return &s;
    if (full.substr(0, name.size()) == name) {
      if (found != nullptr) return nullptr;  // ambiguous
      found = &s;
    }
  }
  return found;
}

// getopt with a leading '+' in its option string: options end at the first
// operand. `numbers_are_operands`: a word like -1 or -.5 ends them too (seq).
ParsedArgs ParseLeadingOptions(const std::vector<std::string>& argv,
                               const std::vector<OptionSpec>& specs,
                               bool numbers_are_operands = false) {
  size_t i = 1;
  while (i < argv.size()) {
    const std::string& w = argv[i];
    if (w == "--") {
      ++i;
      break;
    }
    if (w.size() < 2 || w[0] != '-') break;
    if (numbers_are_operands && (w[1] == '.' || (w[1] >= '0' && w[1] <= '9'))) break;
    if (w[1] == '-') {
      size_t eq = w.find('=');
      const OptionSpec* s = FindLong(specs, std::string_view(w).substr(2, eq == std::string::npos
                                                                              ? std::string::npos
                                                                              : eq - 2));
      if (s != nullptr && s->takes_argument && eq == std::string::npos) ++i;
      ++i;
      continue;
    }
    for (size_t k = 1; k < w.size(); ++k) {
      const OptionSpec* s = nullptr;
      for (const OptionSpec& spec : specs) {
        if (spec.short_name == w[k]) s = &spec;
      }
      if (s != nullptr && s->takes_argument) {
        if (k + 1 == w.size()) ++i;
        break;
      }
    }
    ++i;
  }
  i = std::min(i, argv.size());
  std::vector<std::string> prefix(argv.begin(), argv.begin() + static_cast<long>(i));
  ParsedArgs parsed = ParseOptions(prefix, 1, specs);
  for (size_t j = i; j < argv.size(); ++j) parsed.operands.push_back(argv[j]);
  return parsed;
}

// An unknown short option as GNU getopt reports it, when the word is a
// plain cluster of letters; nullopt otherwise (route to the next tier).
std::optional<std::string> GetoptError(const std::string& word, const std::string& known) {
  if (word.size() >= 2 && word[0] == '-' && word[1] != '-') {
    for (size_t k = 1; k < word.size(); ++k) {
      if (known.find(word[k]) == std::string::npos) {
        return std::string("invalid option -- '") + word[k] + "'";
      }
    }
  }
  return std::nullopt;
}

// parse_gnu_standard_options_only(): no options but --help and --version,
// permuted; the first "--" ends them. False when the command must stop
// (an error written, or unsupported set).
bool StandardOptionsOnly(const std::vector<std::string>& argv, CommandIo& io,
                         std::vector<std::string>* operands) {
  const std::string& name = argv[0];
  bool done = false;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& w = argv[i];
    if (done || w.size() < 2 || w[0] != '-') {
      operands->push_back(w);
      continue;
    }
    if (w == "--") {
      done = true;
      continue;
    }
    if (w[1] == '-') {
      std::string_view opt = std::string_view(w).substr(2, w.find('=') - 2);
      if (std::string_view("help").substr(0, opt.size()) == opt ||
          std::string_view("version").substr(0, opt.size()) == opt) {
        io.unsupported = name + " " + w;
      } else {
        UsageError(name, "unrecognized option '" + w + "'", io);
      }
      return false;
    }
    UsageError(name, std::string("invalid option -- '") + w[1] + "'", io);
    return false;
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------- basename

namespace {

enum BasenameOption { kBnMultiple, kBnSuffix, kBnZero };
const std::vector<OptionSpec> kBasenameOptions = {
    {'a', "multiple", false, kBnMultiple},
    {'s', "suffix", true, kBnSuffix},
    {'z', "zero", false, kBnZero},
};

std::string BaseName(const std::string& name) {
  if (name.empty()) return "";
  size_t end = name.size();
  while (end > 0 && name[end - 1] == '/') --end;
  if (end == 0) return "/";
  size_t start = name.rfind('/', end - 1);
  start = start == std::string::npos ? 0 : start + 1;
  return name.substr(start, end - start);
}

}  // namespace

void CmdBasename(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  const std::string& name = argv[0];
  ParsedArgs args = ParseLeadingOptions(argv, kBasenameOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "basename " + args.unsupported;
    return;
  }
  bool multiple = false;
  char terminator = '\n';
  std::optional<std::string> suffix;
  for (const ParsedOption& o : args.options) {
    if (o.id == kBnMultiple) multiple = true;
    if (o.id == kBnSuffix) {
      multiple = true;
      suffix = o.argument;
    }
    if (o.id == kBnZero) terminator = '\0';
  }
  if (args.operands.empty()) {
    UsageError(name, "missing operand", io);
    return;
  }
  std::vector<std::string> names = args.operands;
  if (!multiple) {
    if (names.size() > 2) {
      UsageError(name, "extra operand " + QuoteLocale(names[2]), io);
      return;
    }
    if (names.size() == 2) suffix = names[1];
    names.resize(1);
  }
  for (const std::string& n : names) {
    std::string base = BaseName(n);
    if (suffix && !suffix->empty() && base != "/" && base.size() > suffix->size() &&
        base.compare(base.size() - suffix->size(), suffix->size(), *suffix) == 0) {
      base.resize(base.size() - suffix->size());
    }
    io.out += base;
    io.out += terminator;
  }
}

// ---------------------------------------------------------------- dirname

namespace {

enum DirnameOption { kDnZero };
const std::vector<OptionSpec> kDirnameOptions = {{'z', "zero", false, kDnZero}};

// gnulib dir_len() and dirname's "." for an empty result.
std::string DirName(const std::string& file) {
  size_t prefix = (!file.empty() && file[0] == '/') ? 1 : 0;
  size_t base = 0;
  while (base < file.size() && file[base] == '/') ++base;
  bool last_was_slash = false;
  for (size_t p = base; p < file.size(); ++p) {
    if (file[p] == '/') {
      last_was_slash = true;
    } else if (last_was_slash) {
      base = p;
      last_was_slash = false;
    }
  }
  size_t length = base;
  while (prefix < length && file[length - 1] == '/') --length;
  if (length == 0) return ".";
  return file.substr(0, length);
}

}  // namespace

void CmdDirname(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  ParsedArgs args = ParseOptions(argv, 1, kDirnameOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "dirname " + args.unsupported;
    return;
  }
  char terminator = args.options.empty() ? '\n' : '\0';
  if (args.operands.empty()) {
    UsageError(argv[0], "missing operand", io);
    return;
  }
  for (const std::string& n : args.operands) {
    io.out += DirName(n);
    io.out += terminator;
  }
}

// ---------------------------------------------------------------- seq

namespace {

enum SeqOption { kSeqFormat, kSeqSeparator, kSeqWidth };
const std::vector<OptionSpec> kSeqOptions = {
    {'f', "format", true, kSeqFormat},
    {'s', "separator", true, kSeqSeparator},
    {'w', "equal-width", false, kSeqWidth},
};

struct SeqOperand {
  long double value = 1;
  long long width = 1;
  int precision = 0;
};

constexpr int kNoPrecision = 2147483647;

// xstrtold: the whole string must convert; overflow is an error.
bool ParseLongDouble(const std::string& s, long double* out) {
  errno = 0;
  char* end = nullptr;
  long double v = std::strtold(s.c_str(), &end);
  if (end == s.c_str() || *end != '\0') return false;
  if (errno == ERANGE && std::fabs(static_cast<double>(v)) > 1) return false;
  *out = v;
  return true;
}

// seq.c scan_arg() after a successful conversion.
SeqOperand ScanSeqArg(const std::string& text, long double value) {
  SeqOperand ret;
  ret.value = value;
  size_t start = 0;
  while (start < text.size() && (std::isspace(static_cast<unsigned char>(text[start])) ||
                                 text[start] == '+')) {
    ++start;
  }
  std::string arg = text.substr(start);
  ret.width = 0;
  ret.precision = kNoPrecision;
  size_t dot = arg.find('.');
  if (dot == std::string::npos && arg.find('p') == std::string::npos) ret.precision = 0;
  if (arg.find_first_of("xX") == std::string::npos && std::isfinite(value)) {
    long long fraction_len = 0;
    ret.width = static_cast<long long>(arg.size());
    if (dot != std::string::npos) {
      size_t frac_end = arg.find_first_of("eE", dot + 1);
      if (frac_end == std::string::npos) frac_end = arg.size();
      fraction_len = static_cast<long long>(frac_end - dot - 1);
      ret.precision = static_cast<int>(fraction_len);
      ret.width += fraction_len == 0
                       ? -1
                       : ((dot == 0 || !(arg[dot - 1] >= '0' && arg[dot - 1] <= '9')) ? 1 : 0);
    }
    size_t e = arg.find('e');
    if (e == std::string::npos) e = arg.find('E');
    if (e != std::string::npos) {
      long exponent = std::strtol(arg.c_str() + e + 1, nullptr, 10);
      ret.precision += exponent < 0 ? static_cast<int>(-exponent)
                                    : -static_cast<int>(std::min<long>(ret.precision, exponent));
      ret.width -= static_cast<long long>(arg.size() - e);
      if (exponent < 0) {
        if (dot != std::string::npos) {
          if (e == dot + 1) ret.width++;
        } else {
          ret.width++;
        }
        exponent = -exponent;
      } else {
        if (dot != std::string::npos && ret.precision == 0 && fraction_len) ret.width--;
        exponent = -std::min<long>(ret.precision, exponent);
      }
      ret.width += exponent;
    }
  }
  return ret;
}

struct SeqLayout {
  size_t prefix_len = 0;
  size_t suffix_len = 0;
};

// seq.c long_double_format(): the -f format with 'L' inserted, or an error.
bool LongDoubleFormat(const std::string& fmt, SeqLayout* layout, std::string* out,
                      std::string* error) {
  size_t i = 0;
  size_t prefix_len = 0;
  auto at = [&fmt](size_t k) { return k < fmt.size() ? fmt[k] : '\0'; };
  for (; !(at(i) == '%' && at(i + 1) != '%'); i += (at(i) == '%') + 1) {
    if (at(i) == '\0') {
      *error = "format " + QuoteLocale(fmt) + " has no % directive";
      return false;
    }
    ++prefix_len;
  }
  ++i;
  while (at(i) != '\0' && std::strchr("-+#0 '", at(i)) != nullptr) ++i;
  while (at(i) >= '0' && at(i) <= '9') ++i;
  if (at(i) == '.') {
    ++i;
    while (at(i) >= '0' && at(i) <= '9') ++i;
  }
  size_t modifier = i;
  bool has_l = at(i) == 'L';
  i += has_l;
  if (at(i) == '\0') {
    *error = "format " + QuoteLocale(fmt) + " ends in %";
    return false;
  }
  if (std::strchr("efgaEFGA", at(i)) == nullptr) {
    *error = "format " + QuoteLocale(fmt) + " has unknown %" + std::string(1, at(i)) + " directive";
    return false;
  }
  size_t suffix_len = 0;
  for (++i;; i += (at(i) == '%') + 1) {
    if (at(i) == '%' && at(i + 1) != '%') {
      *error = "format " + QuoteLocale(fmt) + " has too many % directives";
      return false;
    }
    if (at(i) == '\0') break;
    ++suffix_len;
  }
  *out = fmt.substr(0, modifier) + "L" + fmt.substr(modifier + has_l);
  layout->prefix_len = prefix_len;
  layout->suffix_len = suffix_len;
  return true;
}

std::string FormatLd(const std::string& fmt, long double x) {
  int n = std::snprintf(nullptr, 0, fmt.c_str(), x);
  if (n <= 0) return "";
  std::string buf(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(buf.data(), buf.size(), fmt.c_str(), x);
  buf.resize(static_cast<size_t>(n));
  return buf;
}

// Appends `piece` to a generator's output; false when it may stop (the
// reader has enough) or must (the limit).
bool GeneratorAppend(const std::string& piece, const char* what, CommandIo& io) {
  io.out += piece;
  if (io.OutputEnough()) return false;
  if (io.out.size() >= kOutputLimit) {
    io.unsupported = what;
    return false;
  }
  return true;
}

}  // namespace

void CmdSeq(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  const std::string& name = argv[0];
  ParsedArgs args = ParseLeadingOptions(argv, kSeqOptions, /*numbers_are_operands=*/true);
  if (!args.unsupported.empty()) {
    for (size_t i = 1; i < argv.size(); ++i) {
      if (argv[i] == "--" || argv[i].size() < 2 || argv[i][0] != '-') break;
      if (auto e = GetoptError(argv[i], "fsw")) {
        UsageError(name, *e, io);
        return;
      }
      if (argv[i][1] == '-') {
        std::string_view opt = std::string_view(argv[i]).substr(2, argv[i].find('=') - 2);
        bool known = false;
        for (std::string_view full : {"format", "separator", "equal-width", "help", "version"}) {
          known |= full.substr(0, opt.size()) == opt;
        }
        if (!known) {
          UsageError(name, "unrecognized option '" + argv[i] + "'", io);
          return;
        }
      }
    }
    io.unsupported = "seq " + args.unsupported;
    return;
  }
  std::optional<std::string> format;
  std::string separator = "\n";
  bool equal_width = false;
  for (const ParsedOption& o : args.options) {
    if (o.id == kSeqFormat) format = o.argument;
    if (o.id == kSeqSeparator) separator = o.argument;
    if (o.id == kSeqWidth) equal_width = true;
  }
  const std::vector<std::string>& ops = args.operands;
  if (ops.empty()) {
    UsageError(name, "missing operand", io);
    return;
  }
  if (ops.size() > 3) {
    UsageError(name, "extra operand " + QuoteLocale(ops[3]), io);
    return;
  }
  SeqLayout layout;
  std::string ldfmt;
  if (format) {
    std::string error;
    if (!LongDoubleFormat(*format, &layout, &ldfmt, &error)) {
      io.err += name + ": " + error + "\n";
      io.status = 1;
      return;
    }
    if (equal_width) {
      UsageError(name, "format string may not be specified when printing equal width strings",
                 io);
      return;
    }
  }
  SeqOperand values[3];
  for (size_t k = 0; k < ops.size(); ++k) {
    long double v = 0;
    if (!ParseLongDouble(ops[k], &v)) {
      UsageError(name, "invalid floating point argument: " + QuoteLocale(ops[k]), io);
      return;
    }
    if (std::isnan(v)) {
      UsageError(name, "invalid " + QuoteLocale("not-a-number") + " argument: " +
                           QuoteLocale(ops[k]),
                 io);
      return;
    }
    values[k] = ScanSeqArg(ops[k], v);
    if (ops.size() == 3 && k == 1 && v == 0) {
      UsageError(name, "invalid Zero increment value: " + QuoteLocale(ops[1]), io);
      return;
    }
    // Beyond 2^63 GNU's integer fast path prints exact digits; long double
    // does not.
    if (std::isfinite(v) && std::fabs(static_cast<double>(v)) >= 9e18) {
      io.unsupported = "seq with numbers beyond 2^63";
      return;
    }
  }
  SeqOperand first, step, last;
  if (ops.size() == 1) {
    last = values[0];
  } else if (ops.size() == 2) {
    first = values[0];
    last = values[1];
  } else {
    first = values[0];
    step = values[1];
    last = values[2];
  }
  if (!format) {
    int prec = std::max(first.precision, step.precision);
    if (prec != kNoPrecision && last.precision != kNoPrecision) {
      if (equal_width) {
        long long first_width = first.width + (prec - first.precision);
        long long last_width = last.width + (prec - last.precision);
        if (last.precision && prec == 0) last_width--;
        if (last.precision == 0 && prec) last_width++;
        if (first.precision == 0 && prec) first_width++;
        long long width = std::max(first_width, last_width);
        ldfmt = "%0" + std::to_string(width) + "." + std::to_string(prec) + "Lf";
      } else {
        ldfmt = "%." + std::to_string(prec) + "Lf";
      }
    } else {
      ldfmt = "%Lg";
    }
  }
  // print_numbers()
  const long double a = first.value, s = step.value, z = last.value;
  bool out_of_range = s < 0 ? a < z : z < a;
  if (out_of_range) return;
  const char* what = "seq output larger than 64 MiB";
  std::string chunk;
  long double x = a;
  for (long double i = 1;; i++) {
    long double x0 = x;
    chunk += FormatLd(ldfmt, x);
    x = a + i * s;
    out_of_range = s < 0 ? x < z : z < x;
    if (out_of_range) {
      bool print_extra = false;
      std::string xs = FormatLd(ldfmt, x);
      xs.resize(xs.size() >= layout.suffix_len ? xs.size() - layout.suffix_len : 0);
      long double xv = 0;
      if (layout.prefix_len <= xs.size() && ParseLongDouble(xs.substr(layout.prefix_len), &xv) &&
          xv == z) {
        std::string x0s = FormatLd(ldfmt, x0);
        x0s.resize(x0s.size() >= layout.suffix_len ? x0s.size() - layout.suffix_len : 0);
        print_extra = x0s != xs;
      }
      if (!print_extra) break;
    }
    chunk += separator;
    if (chunk.size() >= 4096) {
      if (!GeneratorAppend(chunk, what, io)) return;
      chunk.clear();
    }
    if (out_of_range) {
      // The extra number, then stop.
      chunk += FormatLd(ldfmt, x);
      break;
    }
  }
  chunk += '\n';
  io.out += chunk;
}

// ---------------------------------------------------------------- realpath, readlink

namespace {

enum CanonMode { kCanonAllButLast, kCanonExisting, kCanonMissing };

// Canonicalises `operand` over the store. Returns the absolute path, or
// nullopt with *error set (errno text); sets io.unsupported for host paths.
std::optional<std::string> Canonicalize(const std::string& operand, CanonMode mode,
                                        CommandEnv& env, CommandIo& io, const char* what,
                                        vfs::Status::Code* error) {
  if (operand.empty()) {
    *error = vfs::Status::Code::kNotFound;
    return std::nullopt;
  }
  ResolvedPath r = env.Resolve(operand);
  if (r.where == ResolvedPath::Where::kDevNull) return std::string("/dev/null");
  if (r.where != ResolvedPath::Where::kMount) {
    io.unsupported = what;
    return std::nullopt;
  }
  if (mode == kCanonMissing) return r.absolute;
  vfs::Stat st;
  vfs::Status status = env.StatResolved(r, &st);
  if (status.ok()) return r.absolute;
  if (mode == kCanonExisting || status.code() != vfs::Status::Code::kNotFound ||
      r.lookup_error || r.vfs_path.empty()) {
    *error = status.code();
    return std::nullopt;
  }
  // The last component may be missing; its parent must be a directory.
  size_t slash = r.vfs_path.rfind('/');
  std::string parent = slash == std::string::npos ? "" : r.vfs_path.substr(0, slash);
  vfs::Status ps = env.store.GetStat(parent, &st);
  if (!ps.ok()) {
    *error = ps.code();
    return std::nullopt;
  }
  if (st.kind != vfs::NodeKind::kDirectory) {
    *error = vfs::Status::Code::kNotADirectory;
    return std::nullopt;
  }
  return r.absolute;
}

enum RealpathOption {
  kRpExisting,
  kRpMissing,
  kRpLogical,
  kRpPhysical,
  kRpQuiet,
  kRpStrip,
  kRpZero,
  kRpRelativeTo,
  kRpRelativeBase,
};
const std::vector<OptionSpec> kRealpathOptions = {
    {'e', "canonicalize-existing", false, kRpExisting},
    {'m', "canonicalize-missing", false, kRpMissing},
    {'L', "logical", false, kRpLogical},
    {'P', "physical", false, kRpPhysical},
    {'q', "quiet", false, kRpQuiet},
    {'s', "strip", false, kRpStrip},
    {'\0', "no-symlinks", false, kRpStrip},
    {'z', "zero", false, kRpZero},
    {'\0', "relative-to", true, kRpRelativeTo},
    {'\0', "relative-base", true, kRpRelativeBase},
};

}  // namespace

void CmdRealpath(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  ParsedArgs args = ParseOptions(argv, 1, kRealpathOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "realpath " + args.unsupported;
    return;
  }
  CanonMode mode = kCanonAllButLast;
  bool quiet = false;
  char terminator = '\n';
  for (const ParsedOption& o : args.options) {
    if (o.id == kRpExisting) mode = kCanonExisting;
    if (o.id == kRpMissing) mode = kCanonMissing;
    if (o.id == kRpQuiet) quiet = true;
    if (o.id == kRpZero) terminator = '\0';
    if (o.id == kRpRelativeTo || o.id == kRpRelativeBase) {
      io.unsupported = "realpath " + o.spelling;
      return;
    }
  }
  if (args.operands.empty()) {
    UsageError(argv[0], "missing operand", io);
    return;
  }
  std::string out, err;
  int status = 0;
  for (const std::string& op : args.operands) {
    vfs::Status::Code code = vfs::Status::Code::kOk;
    std::optional<std::string> path =
        Canonicalize(op, mode, env, io, "realpath of a host path", &code);
    if (!io.unsupported.empty()) return;
    if (path) {
      io.out += *path;
      io.out += terminator;
    } else {
      if (!quiet) io.err += argv[0] + ": " + QuoteShell(op, false) + ": " + ErrnoText(code) + "\n";
      status = 1;
    }
  }
  io.status = status;
}

namespace {

enum ReadlinkOption { kRlCanon, kRlExisting, kRlMissing, kRlNoNewline, kRlQuiet, kRlVerbose, kRlZero };
const std::vector<OptionSpec> kReadlinkOptions = {
    {'f', "canonicalize", false, kRlCanon},
    {'e', "canonicalize-existing", false, kRlExisting},
    {'m', "canonicalize-missing", false, kRlMissing},
    {'n', "no-newline", false, kRlNoNewline},
    {'q', "quiet", false, kRlQuiet},
    {'s', "silent", false, kRlQuiet},
    {'v', "verbose", false, kRlVerbose},
    {'z', "zero", false, kRlZero},
};

}  // namespace

void CmdReadlink(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  ParsedArgs args = ParseOptions(argv, 1, kReadlinkOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "readlink " + args.unsupported;
    return;
  }
  std::optional<CanonMode> mode;
  bool no_newline = false, verbose = false;
  char terminator = '\n';
  for (const ParsedOption& o : args.options) {
    if (o.id == kRlCanon) mode = kCanonAllButLast;
    if (o.id == kRlExisting) mode = kCanonExisting;
    if (o.id == kRlMissing) mode = kCanonMissing;
    if (o.id == kRlNoNewline) no_newline = true;
    if (o.id == kRlQuiet) verbose = false;
    if (o.id == kRlVerbose) verbose = true;
    if (o.id == kRlZero) terminator = '\0';
  }
  if (args.operands.empty()) {
    UsageError(argv[0], "missing operand", io);
    return;
  }
  if (args.operands.size() > 1 && no_newline) {
    io.err += argv[0] + ": ignoring --no-newline with multiple arguments\n";
    no_newline = false;
  }
  int status = 0;
  for (const std::string& op : args.operands) {
    vfs::Status::Code code = vfs::Status::Code::kOk;
    std::optional<std::string> path;
    if (mode) {
      path = Canonicalize(op, *mode, env, io, "readlink of a host path", &code);
    } else {
      // No symbolic links in the store: every existing operand is "not a
      // link" (EINVAL).
      ResolvedPath r = env.Resolve(op);
      if (op.empty()) {
        code = vfs::Status::Code::kNotFound;
      } else if (r.where != ResolvedPath::Where::kMount) {
        io.unsupported = "readlink of a host path";
      } else {
        vfs::Stat st;
        vfs::Status s = env.StatResolved(r, &st);
        code = s.ok() ? vfs::Status::Code::kInvalidArgument : s.code();
      }
    }
    if (!io.unsupported.empty()) return;
    if (path) {
      io.out += *path;
      if (!no_newline) io.out += terminator;
    } else {
      if (verbose) io.err += argv[0] + ": " + QuoteShell(op, false) + ": " + ErrnoText(code) + "\n";
      status = 1;
    }
  }
  io.status = status;
}

// ---------------------------------------------------------------- time zones and formatting

namespace {

// The time zone a command formats in: UTC under a UTC-like TZ (or -u), or
// the process's own local time when the command's TZ is the process's.
struct Zone {
  bool utc = true;
  const char* abbreviation = "UTC";  // for utc
};

std::optional<Zone> CommandZone(const CommandEnv& env, bool force_utc) {
  Zone zone;
  if (force_utc) return zone;
  const char* process_tz = std::getenv("TZ");
  // Without an environment of its own, the command has the process's.
  std::optional<std::string_view> tz;
  if (env.environment != nullptr) {
    tz = env.Getenv("TZ");
  } else if (process_tz != nullptr) {
    tz = process_tz;
  }
  if (tz) {
    std::string_view t = *tz;
    if (!t.empty() && t[0] == ':') t.remove_prefix(1);
    if (t == "UTC" || t == "UTC0" || t == "Etc/UTC" || t == "UCT" || t == "Universal" ||
        t == "Zulu" || t == "Etc/Universal" || t == "Etc/Zulu") {
      return zone;
    }
    if (t == "GMT" || t == "GMT0" || t == "Etc/GMT" || t == "Greenwich") {
      zone.abbreviation = "GMT";
      return zone;
    }
    if (process_tz != nullptr && *tz == process_tz) {
      zone.utc = false;
      return zone;
    }
    return std::nullopt;
  }
  if (process_tz == nullptr) {
    zone.utc = false;
    return zone;
  }
  return std::nullopt;
}

bool BreakDown(int64_t sec, const Zone& zone, struct tm* out) {
  time_t t = static_cast<time_t>(sec);
  if (zone.utc) {
    if (gmtime_r(&t, out) == nullptr) return false;
    out->tm_zone = zone.abbreviation;
    out->tm_gmtoff = 0;
    return true;
  }
  return localtime_r(&t, out) != nullptr;
}

int64_t MakeTime(struct tm* tm, const Zone& zone) {
  if (zone.utc) return static_cast<int64_t>(timegm(tm));
  tm->tm_isdst = -1;
  return static_cast<int64_t>(mktime(tm));
}

std::string Strftime(const char* fmt, const struct tm& tm) {
  char buf[256];
  size_t n = std::strftime(buf, sizeof buf, fmt, &tm);
  return std::string(buf, n);
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}
std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

std::string NumericZone(long offset, int colons) {
  char sign = offset < 0 ? '-' : '+';
  long a = offset < 0 ? -offset : offset;
  long h = a / 3600, m = a / 60 % 60, s = a % 60;
  char buf[32];
  if (colons == 0) {
    std::snprintf(buf, sizeof buf, "%c%02ld%02ld", sign, h, m);
  } else if (colons == 1) {
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", sign, h, m);
  } else if (colons == 2) {
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld:%02ld", sign, h, m, s);
  } else if (s != 0) {
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld:%02ld", sign, h, m, s);
  } else if (m != 0) {
    std::snprintf(buf, sizeof buf, "%c%02ld:%02ld", sign, h, m);
  } else {
    std::snprintf(buf, sizeof buf, "%c%02ld", sign, h);
  }
  return buf;
}

// GNU date's format (gnulib nstrftime) for the common directives, flags
// - _ 0 ^ #, a field width, and colons for %z. Returns false for what it
// does not know how to reproduce.
bool FormatTime(std::string_view fmt, const struct tm& tm, int64_t sec, int64_t ns,
                std::string* out) {
  for (size_t i = 0; i < fmt.size(); ++i) {
    if (fmt[i] != '%') {
      *out += fmt[i];
      continue;
    }
    const size_t start = i++;
    char pad = 0;
    bool upper = false, swap_case = false;
    while (i < fmt.size() && std::strchr("-_0^#", fmt[i]) != nullptr) {
      if (fmt[i] == '^') {
        upper = true;
      } else if (fmt[i] == '#') {
        swap_case = true;
      } else {
        pad = fmt[i];
      }
      ++i;
    }
    int width = -1;
    if (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
      width = 0;
      while (i < fmt.size() && fmt[i] >= '0' && fmt[i] <= '9') {
        width = std::min(width * 10 + (fmt[i] - '0'), 4096);
        ++i;
      }
    }
    int colons = 0;
    while (i < fmt.size() && fmt[i] == ':') {
      ++colons;
      ++i;
    }
    while (i < fmt.size() && (fmt[i] == 'E' || fmt[i] == 'O')) ++i;
    if (i >= fmt.size()) {
      out->append(fmt.substr(start));
      return true;
    }
    const char conv = fmt[i];
    if (colons > 0 && conv != 'z') {
      out->append(fmt.substr(start, i - start + 1));
      continue;
    }
    // Numbers: value, natural digits, default padding.
    auto number = [&](long long value, int digits, char default_pad) {
      char p = pad == 0 ? default_pad : pad;
      std::string digits_text = std::to_string(value < 0 ? -value : value);
      int w = width >= 0 ? width : digits;
      std::string text;
      if (p == '-') {
        text = digits_text;
        if (value < 0) text = "-" + text;
      } else {
        std::string sign = value < 0 ? "-" : "";
        int fill = w - static_cast<int>(digits_text.size() + sign.size());
        if (p == '_') {
          text = std::string(std::max(fill, 0), ' ') + sign + digits_text;
        } else {
          text = sign + std::string(std::max(fill, 0), '0') + digits_text;
        }
      }
      *out += text;
    };
    auto text = [&](std::string s, bool swap_to_lower) {
      if (upper) s = Upper(s);
      if (swap_case) s = swap_to_lower ? Lower(s) : Upper(s);
      if (width > static_cast<int>(s.size())) {
        s = std::string(static_cast<size_t>(width) - s.size(), pad == '0' ? '0' : ' ') + s;
      }
      *out += s;
    };
    auto composite = [&](const char* sub) {
      std::string s;
      if (!FormatTime(sub, tm, sec, ns, &s)) return false;
      text(s, false);
      return true;
    };
    const int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
    switch (conv) {
      case '%':
        text("%", false);
        break;
      case 'n':
        text("\n", false);
        break;
      case 't':
        text("\t", false);
        break;
      case 'a':
        text(Strftime("%a", tm), false);
        break;
      case 'A':
        text(Strftime("%A", tm), false);
        break;
      case 'b':
      case 'h':
        text(Strftime("%b", tm), false);
        break;
      case 'B':
        text(Strftime("%B", tm), false);
        break;
      case 'p':
        text(Strftime("%p", tm), true);
        break;
      case 'P':
        text(Lower(Strftime("%p", tm)), false);
        break;
      case 'Z':
        text(tm.tm_zone != nullptr ? tm.tm_zone : "", true);
        break;
      case 'c':
        if (!composite("%a %b %e %H:%M:%S %Y")) return false;
        break;
      case 'D':
      case 'x':
        if (!composite("%m/%d/%y")) return false;
        break;
      case 'F':
        if (width >= 0 || pad != 0) return false;
        if (!composite("%Y-%m-%d")) return false;
        break;
      case 'T':
      case 'X':
        if (!composite("%H:%M:%S")) return false;
        break;
      case 'R':
        if (!composite("%H:%M")) return false;
        break;
      case 'r':
        if (!composite("%I:%M:%S %p")) return false;
        break;
      case 'd':
        number(tm.tm_mday, 2, '0');
        break;
      case 'e':
        number(tm.tm_mday, 2, '_');
        break;
      case 'H':
        number(tm.tm_hour, 2, '0');
        break;
      case 'k':
        number(tm.tm_hour, 2, '_');
        break;
      case 'I':
        number(hour12, 2, '0');
        break;
      case 'l':
        number(hour12, 2, '_');
        break;
      case 'j':
        number(tm.tm_yday + 1, 3, '0');
        break;
      case 'm':
        number(tm.tm_mon + 1, 2, '0');
        break;
      case 'M':
        number(tm.tm_min, 2, '0');
        break;
      case 'S':
        number(tm.tm_sec, 2, '0');
        break;
      case 'y':
        number((tm.tm_year + 1900) % 100, 2, '0');
        break;
      case 'Y':
        if (tm.tm_year + 1900 < 0) return false;
        number(tm.tm_year + 1900, 4, '0');
        break;
      case 'C':
        if (tm.tm_year + 1900 < 0) return false;
        number((tm.tm_year + 1900) / 100, 2, '0');
        break;
      case 'G':
        number(std::atoll(Strftime("%G", tm).c_str()), 4, '0');
        break;
      case 'g':
        number(std::atoll(Strftime("%g", tm).c_str()), 2, '0');
        break;
      case 'U':
      case 'W':
      case 'V': {
        const char f[3] = {'%', conv, '\0'};
        number(std::atoll(Strftime(f, tm).c_str()), 2, '0');
        break;
      }
      case 'u':
        number(tm.tm_wday == 0 ? 7 : tm.tm_wday, 1, '0');
        break;
      case 'w':
        number(tm.tm_wday, 1, '0');
        break;
      case 'q':
        number(tm.tm_mon / 3 + 1, 1, '0');
        break;
      case 's':
        number(sec, 1, '0');
        break;
      case 'N': {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(ns));
        std::string digits = buf;
        if (width > 0 && width < 9) {
          digits.resize(static_cast<size_t>(width));
        } else if (width > 9) {
          digits += std::string(static_cast<size_t>(width) - 9, '0');
        }
        if (pad == '-' || pad == '_') return false;
        *out += digits;
        break;
      }
      case 'z':
        if (width >= 0 || pad != 0) return false;
        *out += NumericZone(tm.tm_gmtoff, colons);
        break;
      default:
        // Unknown conversions are printed as they are.
        out->append(fmt.substr(start, i - start + 1));
        break;
    }
  }
  return true;
}

}  // namespace

// ---------------------------------------------------------------- stat

namespace {

enum StatOption { kStFormat, kStPrintf, kStDereference, kStTerse, kStFilesystem, kStCached };
const std::vector<OptionSpec> kStatOptions = {
    {'c', "format", true, kStFormat},
    {'\0', "printf", true, kStPrintf},
    {'L', "dereference", false, kStDereference},
    {'t', "terse", false, kStTerse},
    {'f', "file-system", false, kStFilesystem},
    {'\0', "cached", true, kStCached},
};

std::string ModeString(const vfs::Stat& st) {
  std::string s(10, '-');
  s[0] = st.kind == vfs::NodeKind::kDirectory ? 'd' : '-';
  const char* rwx = "rwxrwxrwx";
  for (int k = 0; k < 9; ++k) {
    if (st.mode & (0400u >> k)) s[static_cast<size_t>(k + 1)] = rwx[k];
  }
  if (st.mode & 04000) s[3] = (st.mode & 0100) ? 's' : 'S';
  if (st.mode & 02000) s[6] = (st.mode & 010) ? 's' : 'S';
  if (st.mode & 01000) s[9] = (st.mode & 01) ? 't' : 'T';
  return s;
}

std::optional<uint32_t> UserId(const std::string& name) {
  struct passwd pw, *result = nullptr;
  std::vector<char> buf(16384);
  if (getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &result) != 0 || result == nullptr) {
    return std::nullopt;
  }
  return pw.pw_uid;
}

std::optional<uint32_t> GroupId(const std::string& name) {
  struct group gr, *result = nullptr;
  std::vector<char> buf(16384);
  if (getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &result) != 0 || result == nullptr) {
    return std::nullopt;
  }
  return gr.gr_gid;
}

// make_format(): keep only the allowed flags.
std::string PrintfSpec(const std::string& modifiers, const char* allowed_flags) {
  std::string spec = "%";
  size_t k = 0;
  while (k < modifiers.size() && std::strchr("'-+ #0", modifiers[k]) != nullptr) {
    if (std::strchr(allowed_flags, modifiers[k]) != nullptr) spec += modifiers[k];
    ++k;
  }
  spec += modifiers.substr(k);
  return spec;
}

std::string FormatString(const std::string& modifiers, const std::string& s) {
  std::string spec = PrintfSpec(modifiers, "-") + "s";
  int n = std::snprintf(nullptr, 0, spec.c_str(), s.c_str());
  if (n <= 0) return "";
  std::string buf(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(buf.data(), buf.size(), spec.c_str(), s.c_str());
  buf.resize(static_cast<size_t>(n));
  return buf;
}

std::string FormatUnsigned(const std::string& modifiers, unsigned long long v, char conv) {
  std::string spec =
      PrintfSpec(modifiers, conv == 'u' ? "'-0" : "-#0") + "ll" + std::string(1, conv);
  int n = std::snprintf(nullptr, 0, spec.c_str(), v);
  if (n <= 0) return "";
  std::string buf(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(buf.data(), buf.size(), spec.c_str(), v);
  buf.resize(static_cast<size_t>(n));
  return buf;
}

// One file's output for a stat format; false with io.unsupported set when
// a directive needs what the store does not have.
bool StatFormat(const std::string& prog, const std::string& format, bool escapes,
                const std::string& name, const vfs::Stat& st, const Zone& zone, CommandEnv& env,
                CommandIo& io, std::string* out) {
  for (size_t i = 0; i < format.size(); ++i) {
    char c = format[i];
    if (c == '\\' && escapes) {
      ++i;
      if (i >= format.size()) {
        io.err += prog + ": warning: backslash at end of format\n";
        *out += '\\';
        break;
      }
      char e = format[i];
      if (e >= '0' && e <= '7') {
        int v = 0, n = 0;
        while (n < 3 && i < format.size() && format[i] >= '0' && format[i] <= '7') {
          v = v * 8 + (format[i++] - '0');
          ++n;
        }
        --i;
        *out += static_cast<char>(v);
      } else if (e == 'x' && i + 1 < format.size() && std::isxdigit(static_cast<unsigned char>(format[i + 1]))) {
        int v = 0, n = 0;
        ++i;
        while (n < 2 && i < format.size() && std::isxdigit(static_cast<unsigned char>(format[i]))) {
          char h = format[i++];
          v = v * 16 + (std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
          ++n;
        }
        --i;
        *out += static_cast<char>(v);
      } else {
        const char* from = "abefnrtv";
        const char* to = "\a\b\x1b\f\n\r\t\v";
        const char* p = std::strchr(from, e);
        if (p != nullptr && e != '\0') {
          *out += to[p - from];
        } else {
          if (e != '"' && e != '\\') {
            io.err += prog + ": warning: unrecognized escape '\\" + std::string(1, e) + "'\n";
          }
          *out += e;
        }
      }
      continue;
    }
    if (c != '%') {
      *out += c;
      continue;
    }
    size_t j = i + 1;
    while (j < format.size() && std::strchr("'-+ #0", format[j]) != nullptr) ++j;
    while (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) ++j;
    if (j < format.size() && format[j] == '.') {
      ++j;
      while (j < format.size() && std::isdigit(static_cast<unsigned char>(format[j]))) ++j;
    }
    const std::string modifiers = format.substr(i + 1, j - i - 1);
    if (j >= format.size() || format[j] == '%') {
      if (!modifiers.empty()) {
        io.unsupported = "stat with an invalid directive";
        return false;
      }
      *out += '%';
      i = j >= format.size() ? format.size() : j;
      continue;
    }
    const char conv = format[j];
    i = j;
    const bool dir = st.kind == vfs::NodeKind::kDirectory;
    const uint32_t type_bits = dir ? 0040000u : 0100000u;
    switch (conv) {
      case 'n':
        *out += FormatString(modifiers, name);
        break;
      case 'N':
        *out += FormatString(modifiers, QuoteShell(name, true));
        break;
      case 'F':
        *out += FormatString(modifiers, dir ? "directory"
                                            : (st.size == 0 ? "regular empty file" : "regular file"));
        break;
      case 'A':
        *out += FormatString(modifiers, ModeString(st));
        break;
      case 'U':
        *out += FormatString(modifiers, env.options.owner);
        break;
      case 'G':
        *out += FormatString(modifiers, env.options.group);
        break;
      case 'a':
        *out += FormatUnsigned(modifiers, st.mode & 07777, 'o');
        break;
      case 'f':
        *out += FormatUnsigned(modifiers, type_bits | (st.mode & 07777), 'x');
        break;
      case 's':
        *out += FormatUnsigned(modifiers, st.size, 'u');
        break;
      case 'h':
        *out += FormatUnsigned(modifiers, st.nlink, 'u');
        break;
      case 'B':
        *out += FormatUnsigned(modifiers, 512, 'u');
        break;
      case 'r':
        *out += FormatUnsigned(modifiers, 0, 'u');
        break;
      case 'R':
      case 't':
      case 'T':
        *out += FormatUnsigned(modifiers, 0, 'x');
        break;
      case 'u':
      case 'g': {
        std::optional<uint32_t> id =
            conv == 'u' ? UserId(env.options.owner) : GroupId(env.options.group);
        if (!id) {
          io.unsupported = "stat %u/%g of an unknown owner";
          return false;
        }
        *out += FormatUnsigned(modifiers, *id, 'u');
        break;
      }
      case 'x':
      case 'y':
      case 'z': {
        if (!modifiers.empty()) {
          io.unsupported = "stat time directive with modifiers";
          return false;
        }
        int64_t sec = st.mtime_ns >= 0 ? st.mtime_ns / 1000000000 : -((-st.mtime_ns + 999999999) / 1000000000);
        int64_t ns = st.mtime_ns - sec * 1000000000;
        struct tm tm;
        if (!BreakDown(sec, zone, &tm) ||
            !FormatTime("%Y-%m-%d %H:%M:%S.%N %z", tm, sec, ns, out)) {
          io.unsupported = "stat time out of range";
          return false;
        }
        break;
      }
      case 'X':
      case 'Y':
      case 'Z': {
        int64_t sec = st.mtime_ns >= 0 ? st.mtime_ns / 1000000000 : -((-st.mtime_ns + 999999999) / 1000000000);
        int64_t ns = st.mtime_ns - sec * 1000000000;
        if (modifiers.empty()) {
          *out += std::to_string(sec);
        } else if (modifiers.size() >= 2 && modifiers[0] == '.' &&
                   modifiers.find_first_not_of("0123456789", 1) == std::string::npos &&
                   modifiers.size() <= 2) {
          int prec = modifiers[1] - '0';
          *out += std::to_string(sec);
          if (prec > 0) {
            char buf[16];
            std::snprintf(buf, sizeof buf, "%09lld", static_cast<long long>(ns));
            *out += "." + std::string(buf, static_cast<size_t>(prec));
          }
        } else {
          io.unsupported = "stat time directive with modifiers";
          return false;
        }
        break;
      }
      case 'b':
      case 'C':
      case 'd':
      case 'D':
      case 'i':
      case 'm':
      case 'o':
      case 'w':
      case 'W':
        io.unsupported = std::string("stat %") + conv;
        return false;
      default:
        *out += '?';
        break;
    }
  }
  return true;
}

}  // namespace

void CmdStat(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  ParsedArgs args = ParseOptions(argv, 1, kStatOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "stat " + args.unsupported;
    return;
  }
  std::optional<std::string> format;
  bool escapes = false;
  for (const ParsedOption& o : args.options) {
    if (o.id == kStFormat) {
      format = o.argument;
      escapes = false;
    } else if (o.id == kStPrintf) {
      format = o.argument;
      escapes = true;
    } else if (o.id == kStTerse || o.id == kStFilesystem || o.id == kStCached) {
      io.unsupported = "stat " + o.spelling;
      return;
    }
  }
  if (args.operands.empty()) {
    UsageError(argv[0], "missing operand", io);
    return;
  }
  std::optional<Zone> zone = CommandZone(env, false);
  int status = 0;
  for (const std::string& op : args.operands) {
    ResolvedPath r = env.Resolve(op);
    if (op.empty()) {
      io.err += argv[0] + ": cannot statx '': No such file or directory\n";
      status = 1;
      continue;
    }
    if (r.where != ResolvedPath::Where::kMount) {
      io.unsupported = "stat of a host path";
      return;
    }
    vfs::Stat st;
    vfs::Status s = env.StatResolved(r, &st);
    if (!s.ok()) {
      io.err += argv[0] + ": cannot statx " + QuoteShell(op, true) + ": " + ErrnoText(s.code()) +
                "\n";
      status = 1;
      continue;
    }
    if (!format) {
      io.unsupported = "stat without a format (device and inode numbers)";
      return;
    }
    if (!zone) {
      io.unsupported = "stat under a time zone other than UTC";
      return;
    }
    std::string out;
    if (!StatFormat(argv[0], *format, escapes, op, st, *zone, env, io, &out)) return;
    if (!escapes) out += '\n';
    io.out += out;
  }
  io.status = status;
}

// ---------------------------------------------------------------- env, printenv

namespace {

enum EnvOption { kEnvIgnore, kEnvNull, kEnvUnset, kEnvOther };
const std::vector<OptionSpec> kEnvOptions = {
    {'i', "ignore-environment", false, kEnvIgnore},
    {'0', "null", false, kEnvNull},
    {'u', "unset", true, kEnvUnset},
    {'C', "chdir", true, kEnvOther},
    {'S', "split-string", true, kEnvOther},
    {'v', "debug", false, kEnvOther},
};

std::string_view EntryName(std::string_view entry) {
  size_t eq = entry.find('=');
  return eq == std::string_view::npos ? entry : entry.substr(0, eq);
}

}  // namespace

void CmdEnv(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& name = argv[0];
  ParsedArgs args = ParseLeadingOptions(argv, kEnvOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "env " + args.unsupported;
    return;
  }
  bool ignore = false, null = false;
  std::vector<std::string> unset;
  for (const ParsedOption& o : args.options) {
    if (o.id == kEnvIgnore) ignore = true;
    if (o.id == kEnvNull) null = true;
    if (o.id == kEnvUnset) unset.push_back(o.argument);
    if (o.id == kEnvOther) {
      io.unsupported = "env " + o.spelling;
      return;
    }
  }
  size_t k = 0;
  const std::vector<std::string>& ops = args.operands;
  if (k < ops.size() && ops[k] == "-") {
    ignore = true;
    ++k;
  }
  std::vector<std::string> list;
  if (!ignore && env.environment != nullptr) list = *env.environment;
  for (const std::string& u : unset) {
    if (u.empty() || u.find('=') != std::string::npos) {
      io.err += name + ": cannot unset " + QuoteLocale(u) + ": Invalid argument\n";
      io.status = 125;
      return;
    }
    list.erase(std::remove_if(list.begin(), list.end(),
                              [&u](const std::string& e) { return EntryName(e) == u; }),
               list.end());
  }
  bool assigned = false;
  for (; k < ops.size() && ops[k].find('=') != std::string::npos; ++k) {
    const std::string& a = ops[k];
    if (a[0] == '=') {
      io.unsupported = "env with an empty variable name";
      return;
    }
    assigned = true;
    std::string_view var = EntryName(a);
    auto it = std::find_if(list.begin(), list.end(),
                           [var](const std::string& e) { return EntryName(e) == var; });
    if (it != list.end()) {
      *it = a;
    } else {
      list.push_back(a);
    }
  }
  if (k >= ops.size()) {
    for (const std::string& e : list) {
      io.out += e;
      io.out += null ? '\0' : '\n';
    }
    return;
  }
  if (null) {
    UsageError(name, "cannot specify --null (-0) with command", io, 125);
    return;
  }
  if (ignore || !unset.empty() || assigned) {
    io.unsupported = "env running a command in a modified environment";
    return;
  }
  if (!env.run_command) {
    io.unsupported = "env running a command";
    return;
  }
  std::vector<std::string> command(ops.begin() + static_cast<long>(k), ops.end());
  CommandIo sub;
  sub.stdin_data = io.stdin_data;
  sub.stdin_regular = io.stdin_regular;
  sub.stdout_is_null = io.stdout_is_null;
  sub.need = io.need;
  int status = env.run_command(command, sub);
  if (!sub.unsupported.empty()) {
    io.unsupported = sub.unsupported;
    return;
  }
  if (status == 126 || status == 127) {
    // GNU env's own "cannot run" messages differ from the shell's.
    io.unsupported = "env with a command that cannot run";
    return;
  }
  for (const Stream::Chunk& chunk : sub.log) {
    (chunk.fd == 1 ? io.out : io.err) += chunk.bytes;
  }
  io.status = status;
}

namespace {

enum PrintenvOption { kPeNull };
const std::vector<OptionSpec> kPrintenvOptions = {{'0', "null", false, kPeNull}};

}  // namespace

void CmdPrintenv(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  ParsedArgs args = ParseLeadingOptions(argv, kPrintenvOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "printenv " + args.unsupported;
    return;
  }
  const char terminator = args.options.empty() ? '\n' : '\0';
  std::vector<std::string> empty;
  const std::vector<std::string>& list = env.environment != nullptr ? *env.environment : empty;
  if (args.operands.empty()) {
    for (const std::string& e : list) {
      io.out += e;
      io.out += terminator;
    }
    return;
  }
  int missing = 0;
  for (const std::string& var : args.operands) {
    bool found = false;
    if (var.find('=') == std::string::npos) {
      for (const std::string& e : list) {
        if (EntryName(e) == var && e.size() > var.size()) {
          io.out += std::string_view(e).substr(var.size() + 1);
          io.out += terminator;
          found = true;
        }
      }
    }
    if (!found) ++missing;
  }
  io.status = missing == 0 ? 0 : 1;
}

// ---------------------------------------------------------------- date

namespace {

struct Instant {
  int64_t sec = 0;
  int64_t ns = 0;
};

std::vector<std::string> SplitWords(std::string_view s) {
  std::vector<std::string> words;
  std::string cur;
  for (char c : s) {
    if (c == ' ' || c == '\t' || c == '\n') {
      if (!cur.empty()) words.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
  }
  if (!cur.empty()) words.push_back(cur);
  return words;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.find_first_not_of("0123456789") == std::string_view::npos;
}

// "YYYY-MM-DD" -> fields.
bool ParseCalendarDate(std::string_view s, int* y, int* m, int* d) {
  if (s.size() != 10 || s[4] != '-' || s[7] != '-' || !AllDigits(s.substr(0, 4)) ||
      !AllDigits(s.substr(5, 2)) || !AllDigits(s.substr(8, 2))) {
    return false;
  }
  *y = std::atoi(std::string(s.substr(0, 4)).c_str());
  *m = std::atoi(std::string(s.substr(5, 2)).c_str());
  *d = std::atoi(std::string(s.substr(8, 2)).c_str());
  return true;
}

// "HH:MM" or "HH:MM:SS".
bool ParseClock(std::string_view s, int* h, int* mi, int* sec) {
  auto two = [](std::string_view p) { return p.size() >= 1 && p.size() <= 2 && AllDigits(p); };
  size_t c1 = s.find(':');
  if (c1 == std::string_view::npos) return false;
  size_t c2 = s.find(':', c1 + 1);
  std::string_view hh = s.substr(0, c1);
  std::string_view mm = s.substr(c1 + 1, c2 == std::string_view::npos ? std::string_view::npos : c2 - c1 - 1);
  std::string_view ss = c2 == std::string_view::npos ? std::string_view("0") : s.substr(c2 + 1);
  if (!two(hh) || mm.size() != 2 || !AllDigits(mm) || (c2 != std::string_view::npos && (ss.size() != 2 || !AllDigits(ss)))) {
    return false;
  }
  *h = std::atoi(std::string(hh).c_str());
  *mi = std::atoi(std::string(mm).c_str());
  *sec = std::atoi(std::string(ss).c_str());
  return true;
}

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return m == 2 && leap ? 29 : kDays[m - 1];
}

enum class DateParse { kOk, kInvalid, kUnsupported };

// A subset of GNU parse_datetime: @EPOCH[.frac], [YYYY-MM-DD][( |T)HH:MM[:SS]]
// followed by relative items ([+-]N unit [ago], now, today, yesterday,
// tomorrow). kInvalid only where GNU certainly rejects (bad calendar
// fields); kUnsupported for everything else outside the subset.
DateParse ParseDate(std::string_view text, const Instant& now, const Zone& zone, Instant* out) {
  std::string_view t = text;
  while (!t.empty() && (t.front() == ' ' || t.front() == '\t')) t.remove_prefix(1);
  while (!t.empty() && (t.back() == ' ' || t.back() == '\t')) t.remove_suffix(1);
  if (!t.empty() && t[0] == '@') {
    std::string num(t.substr(1));
    size_t k = 0;
    bool negative = false;
    if (k < num.size() && (num[k] == '-' || num[k] == '+')) negative = num[k++] == '-';
    size_t dot = num.find('.', k);
    std::string whole = num.substr(k, dot == std::string::npos ? std::string::npos : dot - k);
    std::string frac = dot == std::string::npos ? "" : num.substr(dot + 1);
    if (!AllDigits(whole) || whole.size() > 15 || (dot != std::string::npos && !AllDigits(frac))) {
      return DateParse::kUnsupported;
    }
    int64_t sec = std::atoll(whole.c_str());
    frac = (frac + "000000000").substr(0, 9);
    int64_t ns = std::atoll(frac.c_str());
    if (negative) {
      sec = -sec;
      if (ns > 0) {
        sec -= 1;
        ns = 1000000000 - ns;
      }
    }
    *out = {sec, ns};
    return DateParse::kOk;
  }
  std::vector<std::string> words = SplitWords(t);
  size_t k = 0;
  bool have_date = false, have_time = false;
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
  if (k < words.size()) {
    std::string w = words[k];
    std::string clock;
    size_t tpos = w.find('t');
    if (w.size() > 10 && tpos == 10) {
      clock = w.substr(11);
      w = w.substr(0, 10);
    }
    if (ParseCalendarDate(w, &y, &mo, &d)) {
      have_date = true;
      ++k;
      if (mo < 1 || mo > 12 || d < 1 || d > DaysInMonth(y, mo)) return DateParse::kInvalid;
      if (!clock.empty()) {
        if (!ParseClock(clock, &h, &mi, &s)) return DateParse::kUnsupported;
        have_time = true;
      }
    }
  }
  if (!have_time && k < words.size() && words[k].find(':') != std::string::npos) {
    if (!ParseClock(words[k], &h, &mi, &s)) return DateParse::kUnsupported;
    have_time = true;
    ++k;
  }
  if (have_time && (h > 23 || mi > 59 || s > 59)) return DateParse::kInvalid;
  long long rel_year = 0, rel_month = 0, rel_day = 0, rel_seconds = 0;
  while (k < words.size()) {
    std::string w = words[k++];
    if (w == "now" || w == "today") continue;
    if (w == "yesterday") {
      rel_day -= 1;
      continue;
    }
    if (w == "tomorrow") {
      rel_day += 1;
      continue;
    }
    // [+-]N, then a unit (attached or the next word).
    long long n = 1;
    size_t p = 0;
    bool has_number = false;
    if (p < w.size() && (w[p] == '+' || w[p] == '-' || std::isdigit(static_cast<unsigned char>(w[p])))) {
      bool neg = w[p] == '-';
      if (w[p] == '+' || w[p] == '-') ++p;
      size_t q = p;
      while (q < w.size() && std::isdigit(static_cast<unsigned char>(w[q]))) ++q;
      if (q == p || q - p > 9) return DateParse::kUnsupported;
      n = std::atoll(w.substr(p, q - p).c_str());
      if (neg) n = -n;
      has_number = true;
      w = w.substr(q);
      if (w.empty()) {
        if (k >= words.size()) return DateParse::kUnsupported;
        w = words[k++];
      }
    }
    (void)has_number;
    if (k < words.size() && words[k] == "ago") {
      n = -n;
      ++k;
    }
    auto unit_is = [&w](const char* singular) {
      return w == singular || w == std::string(singular) + "s";
    };
    if (unit_is("year")) {
      rel_year += n;
    } else if (unit_is("month")) {
      rel_month += n;
    } else if (unit_is("fortnight")) {
      rel_day += 14 * n;
    } else if (unit_is("week")) {
      rel_day += 7 * n;
    } else if (unit_is("day")) {
      rel_day += n;
    } else if (unit_is("hour")) {
      rel_seconds += 3600 * n;
    } else if (unit_is("minute") || unit_is("min")) {
      rel_seconds += 60 * n;
    } else if (unit_is("second") || unit_is("sec")) {
      rel_seconds += n;
    } else {
      return DateParse::kUnsupported;
    }
  }
  // The base: the given date/time (local midnight without a time), or now.
  struct tm tm;
  if (!BreakDown(now.sec, zone, &tm)) return DateParse::kUnsupported;
  int64_t ns = now.ns;
  if (have_date || have_time || words.empty()) {
    if (have_date) {
      tm.tm_year = y - 1900;
      tm.tm_mon = mo - 1;
      tm.tm_mday = d;
    }
    tm.tm_hour = h;
    tm.tm_min = mi;
    tm.tm_sec = s;
    ns = 0;
  }
  if (!zone.utc && (rel_year || rel_month || rel_day || have_date || have_time)) {
    // Local wall-clock arithmetic across DST transitions: not reproduced.
    return DateParse::kUnsupported;
  }
  tm.tm_year += static_cast<int>(rel_year);
  tm.tm_mon += static_cast<int>(rel_month);
  tm.tm_mday += static_cast<int>(rel_day);
  int64_t sec = MakeTime(&tm, zone) + rel_seconds;
  *out = {sec, ns};
  return DateParse::kOk;
}

enum DateOption {
  kDtDate,
  kDtFile,
  kDtIso,
  kDtReference,
  kDtRfcEmail,
  kDtRfc3339,
  kDtSet,
  kDtUtc,
  kDtDebug,
  kDtResolution,
};

struct LongDateOption {
  const char* name;
  DateOption id;
  int argument;  // 0 none, 1 required, 2 optional
};
constexpr LongDateOption kDateLong[] = {
    {"date", kDtDate, 1},         {"file", kDtFile, 1},           {"iso-8601", kDtIso, 2},
    {"reference", kDtReference, 1}, {"rfc-email", kDtRfcEmail, 0}, {"rfc-822", kDtRfcEmail, 0},
    {"rfc-2822", kDtRfcEmail, 0}, {"rfc-3339", kDtRfc3339, 1},    {"set", kDtSet, 1},
    {"universal", kDtUtc, 0},     {"utc", kDtUtc, 0},             {"uct", kDtUtc, 0},
    {"debug", kDtDebug, 0},       {"resolution", kDtResolution, 0},
};

// argmatch: an exact match or an unambiguous prefix of one of `choices`.
std::optional<size_t> ArgMatch(const std::string& arg, const std::vector<std::string>& choices) {
  std::optional<size_t> found;
  for (size_t i = 0; i < choices.size(); ++i) {
    if (choices[i] == arg) return i;
    if (!arg.empty() && choices[i].compare(0, arg.size(), arg) == 0) {
      if (found) return std::nullopt;
      found = i;
    }
  }
  return found;
}

}  // namespace

void CmdDate(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& name = argv[0];
  std::vector<std::string> operands;
  std::optional<std::string> date_text, reference, output_format;
  bool utc = false;
  int formats = 0;
  auto set_format = [&](const std::string& f) {
    ++formats;
    output_format = f;
  };
  auto iso = [&](const std::string& arg) -> bool {
    static const char* const kIso[] = {"%Y-%m-%d", "%Y-%m-%dT%H%:z", "%Y-%m-%dT%H:%M%:z",
                                       "%Y-%m-%dT%H:%M:%S%:z", "%Y-%m-%dT%H:%M:%S,%N%:z"};
    if (arg.empty()) {
      set_format(kIso[0]);
      return true;
    }
    auto m = ArgMatch(arg, {"date", "hours", "minutes", "seconds", "ns"});
    if (!m) return false;
    set_format(kIso[*m]);
    return true;
  };
  auto rfc3339 = [&](const std::string& arg) -> bool {
    static const char* const kRfc[] = {"%Y-%m-%d", "%Y-%m-%d %H:%M:%S%:z",
                                       "%Y-%m-%d %H:%M:%S.%N%:z"};
    auto m = ArgMatch(arg, {"date", "seconds", "ns"});
    if (!m) return false;
    set_format(kRfc[*m]);
    return true;
  };
  bool options_done = false;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& w = argv[i];
    if (options_done || w.size() < 2 || w[0] != '-') {
      operands.push_back(w);
      continue;
    }
    if (w == "--") {
      options_done = true;
      continue;
    }
    if (w[1] == '-') {
      size_t eq = w.find('=');
      std::string lname = w.substr(2, eq == std::string::npos ? std::string::npos : eq - 2);
      const LongDateOption* match = nullptr;
      bool ambiguous = false;
      for (const LongDateOption& o : kDateLong) {
        std::string_view full(o.name);
        if (full == lname) {
          match = &o;
          ambiguous = false;
          break;
        }
        if (!lname.empty() && full.substr(0, lname.size()) == lname) {
          if (match != nullptr && match->id != o.id) ambiguous = true;
          match = &o;
        }
      }
      if (match == nullptr || ambiguous) {
        io.unsupported = "date " + w;
        return;
      }
      std::string arg;
      bool has_arg = eq != std::string::npos;
      if (has_arg) arg = w.substr(eq + 1);
      if (match->argument == 1 && !has_arg) {
        if (i + 1 >= argv.size()) {
          io.unsupported = "date " + w + " without its argument";
          return;
        }
        arg = argv[++i];
        has_arg = true;
      }
      if (match->argument == 0 && has_arg) {
        io.unsupported = "date " + w;
        return;
      }
      switch (match->id) {
        case kDtDate:
          date_text = arg;
          break;
        case kDtReference:
          reference = arg;
          break;
        case kDtIso:
          if (!iso(arg)) {
            io.unsupported = "date " + w;
            return;
          }
          break;
        case kDtRfc3339:
          if (!rfc3339(arg)) {
            io.unsupported = "date " + w;
            return;
          }
          break;
        case kDtRfcEmail:
          set_format("%a, %d %b %Y %H:%M:%S %z");
          break;
        case kDtUtc:
          utc = true;
          break;
        default:
          io.unsupported = "date " + w;
          return;
      }
      continue;
    }
    for (size_t k = 1; k < w.size(); ++k) {
      char c = w[k];
      std::string rest = w.substr(k + 1);
      if (c == 'u') {
        utc = true;
      } else if (c == 'R') {
        set_format("%a, %d %b %Y %H:%M:%S %z");
      } else if (c == 'I') {
        if (!iso(rest)) {
          io.unsupported = "date -I" + rest;
          return;
        }
        break;
      } else if (c == 'd' || c == 'r') {
        std::string arg = rest;
        if (arg.empty()) {
          if (i + 1 >= argv.size()) {
            io.unsupported = std::string("date -") + c + " without its argument";
            return;
          }
          arg = argv[++i];
        }
        (c == 'd' ? date_text : reference) = arg;
        break;
      } else {
        io.unsupported = std::string("date -") + c;
        return;
      }
    }
  }
  if (date_text && reference) {
    io.unsupported = "date -d with -r";
    return;
  }
  for (size_t k = 0; k < operands.size(); ++k) {
    const std::string& op = operands[k];
    if (k == 0 && !op.empty() && op[0] == '+') {
      set_format(op.substr(1));
      continue;
    }
    if (k == 0) {
      io.unsupported = "date setting the clock";
      return;
    }
    UsageError(name, "extra operand " + QuoteLocale(op), io);
    return;
  }
  if (formats > 1) {
    io.err += name + ": multiple output formats specified\n";
    io.status = 1;
    return;
  }
  std::optional<Zone> zone = CommandZone(env, utc);
  if (!zone) {
    io.unsupported = "date under a time zone other than UTC";
    return;
  }
  const int64_t now_ns = env.options.now_ns;
  Instant now{now_ns >= 0 ? now_ns / 1000000000 : -((-now_ns + 999999999) / 1000000000), 0};
  now.ns = now_ns - now.sec * 1000000000;
  Instant when = now;
  if (date_text) {
    DateParse p = ParseDate(*date_text, now, *zone, &when);
    if (p == DateParse::kUnsupported) {
      io.unsupported = "date -d " + *date_text;
      return;
    }
    if (p == DateParse::kInvalid) {
      io.err += name + ": invalid date " + QuoteLocale(*date_text) + "\n";
      io.status = 1;
      return;
    }
  } else if (reference) {
    ResolvedPath r = env.Resolve(*reference);
    if (r.where != ResolvedPath::Where::kMount) {
      io.unsupported = "date -r of a host path";
      return;
    }
    vfs::Stat st;
    vfs::Status s = env.StatResolved(r, &st);
    if (!s.ok()) {
      io.err += name + ": " + QuoteShell(*reference, false) + ": " + ErrnoText(s.code()) + "\n";
      io.status = 1;
      return;
    }
    when.sec = st.mtime_ns >= 0 ? st.mtime_ns / 1000000000 : -((-st.mtime_ns + 999999999) / 1000000000);
    when.ns = st.mtime_ns - when.sec * 1000000000;
  }
  struct tm tm;
  if (!BreakDown(when.sec, *zone, &tm)) {
    io.unsupported = "date out of range";
    return;
  }
  std::string out;
  const std::string fmt = output_format.value_or("%a %b %e %H:%M:%S %Z %Y");
  if (!FormatTime(fmt, tm, when.sec, when.ns, &out)) {
    io.unsupported = "date +" + fmt;
    return;
  }
  io.out += out + "\n";
}

// ---------------------------------------------------------------- sleep, yes

void CmdSleep(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  const std::string& name = argv[0];
  std::vector<std::string> operands;
  if (!StandardOptionsOnly(argv, io, &operands)) return;
  if (operands.empty()) {
    UsageError(name, "missing operand", io);
    return;
  }
  double total = 0;
  bool ok = true;
  for (const std::string& a : operands) {
    errno = 0;
    char* end = nullptr;
    double s = std::strtod(a.c_str(), &end);
    bool valid = end != a.c_str() || errno == ERANGE;
    if (valid && !(s >= 0)) valid = false;
    if (valid && *end != '\0' && end[1] != '\0') valid = false;
    if (valid && *end != '\0') {
      switch (*end) {
        case 's':
          break;
        case 'm':
          s *= 60;
          break;
        case 'h':
          s *= 3600;
          break;
        case 'd':
          s *= 86400;
          break;
        default:
          valid = false;
      }
    }
    if (!valid) {
      io.err += name + ": invalid time interval " + QuoteLocale(a) + "\n";
      ok = false;
      continue;
    }
    total += s;
  }
  if (!ok) {
    UsageError(name, "", io);
    return;
  }
  if (!(total <= 10)) {
    io.unsupported = "sleep longer than the time limit";
    return;
  }
  struct timespec ts;
  ts.tv_sec = static_cast<time_t>(total);
  ts.tv_nsec = static_cast<long>((total - static_cast<double>(ts.tv_sec)) * 1e9);
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
  }
}

void CmdYes(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  std::vector<std::string> operands;
  if (!StandardOptionsOnly(argv, io, &operands)) return;
  std::string line;
  for (size_t k = 0; k < operands.size(); ++k) line += (k > 0 ? " " : "") + operands[k];
  if (operands.empty()) line = "y";
  line += '\n';
  // Lines a pipe reader still needs, when it counts lines.
  while (!io.OutputEnough()) {
    if (io.out.size() >= kOutputLimit) {
      io.unsupported = "yes without a reader that stops it";
      return;
    }
    uint64_t lines = 1024;
    if (io.need.lines != UINT64_MAX) lines = std::min<uint64_t>(lines, io.need.lines - io.out.lines());
    if (io.need.bytes != UINT64_MAX) {
      lines = std::min<uint64_t>(lines, (io.need.bytes - io.out.size()) / line.size() + 1);
    }
    std::string chunk;
    chunk.reserve(lines * line.size());
    for (uint64_t k = 0; k < lines; ++k) chunk += line;
    io.out += chunk;
  }
}

}  // namespace memhook::utils
