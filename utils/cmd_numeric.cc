// od and expr as GNU coreutils 9.1 prints them.
//
// od formats the concatenation of its inputs block by block, opening each
// input only when the stream needs its bytes (so that its diagnostics come
// where GNU's come). expr evaluates with arbitrary-precision integers (GNU
// links GMP) and matches `:` with glibc's own regex engine, as GNU does.
#include <regex.h>
#include <wchar.h>

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <climits>
#include <clocale>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <numeric>
#include <optional>

#include "utils/input.h"
#include "utils/options.h"
#include "utils/getopt.h"
#include "utils/utils.h"

namespace memhook::utils {

namespace {

// ---------------------------------------------------------------- od

enum OdOptionId {
  kOdAddress,
  kOdSkip,
  kOdReadBytes,
  kOdFormat,
  kOdDuplicates,
  kOdStrings,
  kOdTraditional,
  kOdWidth,
  kOdWidthValue,
  kOdEndian,
  kOdHelp,
  kOdVersion,
  kOdOld,  // the traditional one-letter formats, by letter below
};

// GNU od 9.1's options ("A:aBbcDdeFfHhIij:LlN:OoS:st:vw::Xx"). -w and
// --width take an optional argument: NormalizeOdArgs spells an attached
// one as the hidden "width\x01" entry and its value.
const std::vector<OptionSpec> kOdOptions = {
    {'A', "address-radix", true, kOdAddress},
    {'j', "skip-bytes", true, kOdSkip},
    {'N', "read-bytes", true, kOdReadBytes},
    {'t', "format", true, kOdFormat},
    {'v', "output-duplicates", false, kOdDuplicates},
    {'S', "strings", true, kOdStrings},
    {'\0', "traditional", false, kOdTraditional},
    {'w', "width", false, kOdWidth},
    {'\0', "width\x01", true, kOdWidthValue},
    {'\0', "endian", true, kOdEndian},
    {'\0', "help", false, kOdHelp},
    {'\0', "version", false, kOdVersion},
    {'a', nullptr, false, kOdOld},
    {'B', nullptr, false, kOdOld},
    {'b', nullptr, false, kOdOld},
    {'c', nullptr, false, kOdOld},
    {'D', nullptr, false, kOdOld},
    {'d', nullptr, false, kOdOld},
    {'e', nullptr, false, kOdOld},
    {'F', nullptr, false, kOdOld},
    {'f', nullptr, false, kOdOld},
    {'H', nullptr, false, kOdOld},
    {'h', nullptr, false, kOdOld},
    {'I', nullptr, false, kOdOld},
    {'i', nullptr, false, kOdOld},
    {'L', nullptr, false, kOdOld},
    {'l', nullptr, false, kOdOld},
    {'O', nullptr, false, kOdOld},
    {'o', nullptr, false, kOdOld},
    {'s', nullptr, false, kOdOld},
    {'X', nullptr, false, kOdOld},
    {'x', nullptr, false, kOdOld},
};

// The traditional options and the -t types they stand for.
constexpr std::pair<char, const char*> kOdOldFormats[] = {
    {'a', "a"},  {'b', "o1"}, {'c', "c"},  {'D', "u4"}, {'d', "u2"}, {'F', "fD"}, {'e', "fD"},
    {'f', "fF"}, {'X', "x4"}, {'H', "x4"}, {'i', "dI"}, {'I', "dL"}, {'L', "dL"}, {'l', "dL"},
    {'O', "o4"}, {'B', "o2"}, {'o', "o2"}, {'s', "d2"}, {'h', "x2"}, {'x', "x2"},
};

// "-w" ends its cluster and takes the rest of the word (possibly
// nothing); "--width=N" likewise. Both become "--width\x01" N or "--width".
std::vector<std::string> NormalizeOdArgs(const std::vector<std::string>& argv) {
  std::vector<std::string> out;
  out.push_back(argv[0]);
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word == "--") {
      out.insert(out.end(), argv.begin() + static_cast<long>(i), argv.end());
      break;
    }
    if (word.rfind("--", 0) == 0) {
      size_t eq = word.find('=');
      std::string_view name =
          std::string_view(word).substr(2, eq == std::string::npos ? eq : eq - 2);
      if (!name.empty() && std::string_view("width").substr(0, name.size()) == name) {
        if (eq == std::string::npos) {
          out.push_back("--width");
        } else {
          out.push_back("--width\x01");
          out.push_back(word.substr(eq + 1));
        }
        continue;
      }
      out.push_back(word);
      // A long option with a required argument keeps its next word.
      continue;
    }
    if (word.size() < 2 || word[0] != '-') {
      out.push_back(word);
      continue;
    }
    // Split the cluster at an option taking an argument or at 'w'.
    std::string cluster = "-";
    size_t k = 1;
    for (; k < word.size(); ++k) {
      char c = word[k];
      if (c == 'w') {
        if (cluster.size() > 1) out.push_back(cluster);
        cluster = "-";
        if (k + 1 < word.size()) {
          out.push_back("--width\x01");
          out.push_back(word.substr(k + 1));
        } else {
          out.push_back("--width");
        }
        k = word.size();
        break;
      }
      cluster += c;
      if (std::strchr("AjNSt", c) != nullptr) {
        out.push_back(cluster + word.substr(k + 1));
        cluster = "-";
        if (k + 1 == word.size() && i + 1 < argv.size()) out.push_back(argv[++i]);
        k = word.size();
        break;
      }
    }
    if (cluster.size() > 1) out.push_back(cluster);
  }
  return out;
}

enum class OdFormat { kSigned, kUnsigned, kOctal, kHex, kFloat, kNamed, kChar };

struct OdSpec {
  OdFormat format;
  int size;  // bytes per datum
  int field_width;
  bool trailer = false;  // 'z'
  int pad_width = 0;
};

constexpr int kOctDigits[] = {0, 3, 6, 8, 11, 14, 16, 19, 22};
constexpr int kSignedDecDigits[] = {1, 4, 6, 8, 11, 13, 16, 18, 20};
constexpr int kUnsignedDecDigits[] = {0, 3, 5, 8, 10, 13, 15, 17, 20};
constexpr int kHexDigits[] = {0, 2, 4, 6, 8, 10, 12, 14, 16};

// decode_format_string: the specs of one -t argument; false with GNU's
// message printed.
bool DecodeOdFormat(const CommandEnv& env, const std::string& prog, const std::string& text,
                    std::vector<OdSpec>* specs, CommandIo& io) {
  size_t i = 0;
  while (i < text.size()) {
    OdSpec spec{};
    char c = text[i];
    auto size_error = [&](unsigned long size, const char* kind) {
      io.err += prog + ": invalid type string " + QuoteForCommand(env, text) +
                ";\nthis system doesn't provide a " + std::to_string(size) + "-byte " + kind +
                " type\n";
      return false;
    };
    auto read_size = [&](unsigned long* size, bool* given) {
      size_t start = i;
      unsigned long v = 0;
      while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
        unsigned long d = static_cast<unsigned long>(text[i] - '0');
        if (v > (ULONG_MAX - d) / 10) return false;
        v = v * 10 + d;
        ++i;
      }
      *given = i > start;
      *size = v;
      return true;
    };
    switch (c) {
      case 'd':
      case 'o':
      case 'u':
      case 'x': {
        ++i;
        unsigned long size = 4;
        char letter = i < text.size() ? text[i] : '\0';
        static constexpr std::pair<char, int> kNamedSizes[] = {
            {'C', 1}, {'S', 2}, {'I', 4}, {'L', 8}};
        bool named = false;
        for (const auto& [l, n] : kNamedSizes) {
          if (letter == l) {
            size = static_cast<unsigned long>(n);
            named = true;
          }
        }
        if (named) {
          ++i;
        } else {
          bool given;
          if (!read_size(&size, &given)) {
            io.err += prog + ": invalid type string " + QuoteForCommand(env, text) + "\n";
            return false;
          }
          if (!given) size = 4;
          if (size > 8 || (size != 1 && size != 2 && size != 4 && size != 8)) {
            return size_error(size, "integral");
          }
        }
        spec.size = static_cast<int>(size);
        spec.format = c == 'd'   ? OdFormat::kSigned
                      : c == 'u' ? OdFormat::kUnsigned
                      : c == 'o' ? OdFormat::kOctal
                                 : OdFormat::kHex;
        spec.field_width = c == 'd'   ? kSignedDecDigits[size]
                           : c == 'u' ? kUnsignedDecDigits[size]
                           : c == 'o' ? kOctDigits[size]
                                      : kHexDigits[size];
        break;
      }
      case 'f': {
        ++i;
        unsigned long size = 8;
        char letter = i < text.size() ? text[i] : '\0';
        if (letter == 'F' || letter == 'D' || letter == 'L') {
          size = letter == 'F' ? 4 : letter == 'D' ? 8 : 16;
          ++i;
        } else {
          bool given;
          if (!read_size(&size, &given)) {
            io.err += prog + ": invalid type string " + QuoteForCommand(env, text) + "\n";
            return false;
          }
          if (!given) size = 8;
          if (size != 4 && size != 8 && size != 16) return size_error(size, "floating point");
        }
        spec.size = static_cast<int>(size);
        spec.format = OdFormat::kFloat;
        // FLT/DBL/LDBL_STRLEN_BOUND_L with a one-byte decimal point.
        spec.field_width = size == 4 ? 15 : size == 8 ? 24 : 29;
        break;
      }
      case 'a':
      case 'c':
        ++i;
        spec.size = 1;
        spec.format = c == 'a' ? OdFormat::kNamed : OdFormat::kChar;
        spec.field_width = 3;
        break;
      default:
        io.err += prog + ": invalid character '" + std::string(1, c) + "' in type string " +
                  QuoteForCommand(env, text) + "\n";
        return false;
    }
    if (i < text.size() && text[i] == 'z') {
      spec.trailer = true;
      ++i;
    }
    specs->push_back(spec);
  }
  return true;
}

// xstrtoumax with od's multipliers ("bEGKkMmPTYZ0"): 0 OK, else the
// xstrtol error kind (1 invalid, 2 invalid suffix, 3 overflow).
int OdNumber(const std::string& text, uint64_t* out) {
  const char* s = text.c_str();
  const char* p = s;
  while (*p == ' ' || (*p >= '\t' && *p <= '\r')) ++p;
  if (*p == '-') return 1;
  errno = 0;
  char* end;
  unsigned long long v = std::strtoull(s, &end, 0);
  bool overflow = errno == ERANGE;
  if (end == s) {
    // No number: a suffix alone means 1 of it.
    if (*s != '\0' && std::strchr("bEGKkMmPTYZ", *s) != nullptr) {
      v = 1;
    } else {
      return 1;
    }
  }
  if (*end != '\0') {
    int base = 1024;
    size_t suffix_len = 1;
    if (std::strchr("bEGKkMmPTYZ", *end) == nullptr) return overflow ? 3 : 2;
    if (end[1] == 'i' && end[2] == 'B') {
      suffix_len = 3;
    } else if (end[1] == 'B' || end[1] == 'D') {
      base = 1000;
      suffix_len = 2;
    }
    int power = 0;
    switch (*end) {
      case 'b':
        if (suffix_len != 1) return overflow ? 3 : 2;
        if (v > UINT64_MAX / 512) overflow = true;
        v *= 512;
        break;
      case 'k':
      case 'K':
        power = 1;
        break;
      case 'm':
      case 'M':
        power = 2;
        break;
      case 'G':
        power = 3;
        break;
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
        break;
    }
    for (int k = 0; k < power; ++k) {
      if (v > UINT64_MAX / static_cast<unsigned>(base)) overflow = true;
      v *= static_cast<unsigned>(base);
    }
    if (end[suffix_len] != '\0') return overflow ? 3 : 2;
  }
  if (overflow) return 3;
  *out = v;
  return 0;
}

class Od {
 public:
  Od(CommandEnv& env, CommandIo& io, const std::string& prog) : env_(env), io_(io), prog_(prog) {}
  void Run(const std::vector<std::string>& argv);

 private:
  // The next input opened (GNU's open_next_file): false at the end.
  bool OpenNext();
  // Appends up to `n` more bytes of the stream to pending_; false when
  // the stream is exhausted first.
  bool Fill(size_t n);
  void WriteAddress(uint64_t address);
  void WriteBlock(uint64_t offset, size_t n, std::string_view block);
  void PrintSpec(const OdSpec& spec, size_t fields, size_t blank, std::string_view block);

  CommandEnv& env_;
  CommandIo& io_;
  const std::string& prog_;
  std::vector<std::string> files_;
  size_t next_file_ = 0;
  std::unique_ptr<InputFile> current_;
  std::string_view current_data_;
  size_t current_pos_ = 0;
  bool open_ = false;
  bool stdin_read_ = false;
  bool ok_ = true;

  std::vector<OdSpec> specs_;
  int address_base_ = 8;
  int address_pad_ = 7;
  bool no_address_ = false;
  bool swap_ = false;
  bool abbreviate_ = true;
  size_t bytes_per_block_ = 16;
  std::string prev_block_;
  bool first_ = true;
  bool prev_pair_equal_ = false;
  std::string line_;
};

bool Od::OpenNext() {
  while (next_file_ < files_.size()) {
    const std::string& name = files_[next_file_++];
    current_pos_ = 0;
    if (name == "-") {
      current_data_ = stdin_read_ ? std::string_view() : io_.stdin_data;
      stdin_read_ = true;
      open_ = true;
      return true;
    }
    current_ = std::make_unique<InputFile>();
    InputFile::Open open = current_->OpenOperand(env_, io_, prog_, name);
    if (open == InputFile::Open::kRefused) return false;
    vfs::Status::Code code = current_->error();
    if (open == InputFile::Open::kDirectory) code = vfs::Status::Code::kIsADirectory;
    if (open == InputFile::Open::kOk && !current_->ReadAll()) {
      open = InputFile::Open::kError;
      code = current_->error();
    }
    if (open != InputFile::Open::kOk) {
      io_.out += line_;
      line_.clear();
      io_.err += prog_ + ": " + QuoteShell(name, false) + ": " + ErrnoText(code) + "\n";
      ok_ = false;
      continue;
    }
    current_data_ = current_->data();
    open_ = true;
    return true;
  }
  open_ = false;
  return false;
}

bool Od::Fill(size_t n) {
  while (n > 0) {
    if (!open_ || current_pos_ == current_data_.size()) {
      if (open_ && current_pos_ == current_data_.size()) open_ = false;
      if (!OpenNext()) return false;
      continue;
    }
    size_t take = std::min(n, current_data_.size() - current_pos_);
    prev_block_.append(current_data_.substr(current_pos_, take));
    current_pos_ += take;
    n -= take;
  }
  return true;
}

void Od::WriteAddress(uint64_t address) {
  if (no_address_) return;
  char buf[32];
  const char* fmt = address_base_ == 8 ? "%0*llo" : address_base_ == 10 ? "%0*llu" : "%0*llx";
  std::snprintf(buf, sizeof buf, fmt, address_pad_, static_cast<unsigned long long>(address));
  line_ += buf;
}

// A datum of `size` bytes at `p`, in the input's byte order (swapped for
// --endian against the host's little-endian order).
uint64_t Datum(const char* p, int size, bool swap) {
  unsigned char bytes[8];
  for (int j = 0; j < size; ++j) bytes[j] = static_cast<unsigned char>(p[swap ? size - 1 - j : j]);
  uint64_t v = 0;
  for (int j = size - 1; j >= 0; --j) v = (v << 8) | bytes[j];
  return v;
}

// ftoastr: the shortest "%.*g" that reads back as the same value.
template <typename T>
std::string FloatText(T x) {
  constexpr int kDig = sizeof(T) == 4 ? 6 : sizeof(T) == 8 ? 15 : 18;
  constexpr int kBound = sizeof(T) == 4 ? 9 : sizeof(T) == 8 ? 17 : 21;
  T minimum = sizeof(T) == 4   ? static_cast<T>(1.17549435e-38F)
              : sizeof(T) == 8 ? static_cast<T>(2.2250738585072014e-308)
                               : static_cast<T>(LDBL_MIN);
  T magnitude = x < 0 ? -x : x;
  char buf[64];
  for (int prec = magnitude < minimum ? 1 : kDig;; ++prec) {
    int n;
    if constexpr (sizeof(T) == 16) {
      n = std::snprintf(buf, sizeof buf, "%.*Lg", prec, x);
    } else {
      n = std::snprintf(buf, sizeof buf, "%.*g", prec, static_cast<double>(x));
    }
    T back;
    if constexpr (sizeof(T) == 4) {
      back = std::strtof(buf, nullptr);
    } else if constexpr (sizeof(T) == 8) {
      back = std::strtod(buf, nullptr);
    } else {
      back = std::strtold(buf, nullptr);
    }
    if (n < 0 || kBound <= prec || back == x) return buf;
  }
}

void Od::PrintSpec(const OdSpec& spec, size_t fields, size_t blank, std::string_view block) {
  static constexpr const char* kNames[] = {
      "nul", "soh", "stx", "etx", "eot", "enq", "ack", "bel", "bs",  "ht",  "nl",
      "vt",  "ff",  "cr",  "so",  "si",  "dle", "dc1", "dc2", "dc3", "dc4", "nak",
      "syn", "etb", "can", "em",  "sub", "esc", "fs",  "gs",  "rs",  "us",  "sp"};
  int pad_remaining = spec.pad_width;
  const char* p = block.data();
  char buf[96];
  for (size_t i = fields; blank < i; --i) {
    int next_pad =
        static_cast<int>(spec.pad_width * static_cast<long>(i - 1) / static_cast<long>(fields));
    int width = pad_remaining - next_pad + spec.field_width;
    std::string text;
    switch (spec.format) {
      case OdFormat::kSigned: {
        uint64_t v = Datum(p, spec.size, swap_);
        int shift = 64 - 8 * spec.size;
        long long s = static_cast<long long>(v << shift) >> shift;
        std::snprintf(buf, sizeof buf, "%*lld", width, s);
        text = buf;
        break;
      }
      case OdFormat::kUnsigned:
        std::snprintf(buf, sizeof buf, "%*llu", width,
                      static_cast<unsigned long long>(Datum(p, spec.size, swap_)));
        text = buf;
        break;
      case OdFormat::kOctal:
        std::snprintf(buf, sizeof buf, "%*.*llo", width, spec.field_width,
                      static_cast<unsigned long long>(Datum(p, spec.size, swap_)));
        text = buf;
        break;
      case OdFormat::kHex:
        std::snprintf(buf, sizeof buf, "%*.*llx", width, spec.field_width,
                      static_cast<unsigned long long>(Datum(p, spec.size, swap_)));
        text = buf;
        break;
      case OdFormat::kFloat: {
        char raw[16];
        for (int j = 0; j < spec.size; ++j) raw[j] = p[swap_ ? spec.size - 1 - j : j];
        std::string f;
        if (spec.size == 4) {
          float x;
          std::memcpy(&x, raw, 4);
          f = FloatText(x);
        } else if (spec.size == 8) {
          double x;
          std::memcpy(&x, raw, 8);
          f = FloatText(x);
        } else {
          long double x;
          std::memset(&x, 0, sizeof x);
          std::memcpy(&x, raw, 16);
          f = FloatText(x);
        }
        std::snprintf(buf, sizeof buf, "%*s", width, f.c_str());
        text = buf;
        break;
      }
      case OdFormat::kNamed: {
        int c = static_cast<unsigned char>(*p) & 0x7f;
        std::string s = c == 127   ? "del"
                        : c <= 040 ? kNames[c]
                                   : std::string(1, static_cast<char>(c));
        std::snprintf(buf, sizeof buf, "%*s", width, s.c_str());
        text = buf;
        break;
      }
      case OdFormat::kChar: {
        unsigned char c = static_cast<unsigned char>(*p);
        static constexpr std::pair<unsigned char, const char*> kEscapes[] = {
            {'\0', "\\0"}, {'\a', "\\a"}, {'\b', "\\b"}, {'\f', "\\f"},
            {'\n', "\\n"}, {'\r', "\\r"}, {'\t', "\\t"}, {'\v', "\\v"}};
        std::string s;
        for (const auto& [e, t] : kEscapes) {
          if (e == c) s = t;
        }
        if (s.empty()) {
          char small[8];
          std::snprintf(small, sizeof small, c >= 0x20 && c < 0x7f ? "%c" : "%03o", c);
          s = small;
        }
        std::snprintf(buf, sizeof buf, "%*s", width, s.c_str());
        text = buf;
        break;
      }
    }
    line_ += text;
    p += spec.size;
    pad_remaining = next_pad;
  }
}

void Od::WriteBlock(uint64_t offset, size_t n, std::string_view block) {
  // prev_block_ holds the previous full block followed by this one.
  std::string_view prev = std::string_view(prev_block_).substr(0, bytes_per_block_);
  if (abbreviate_ && !first_ && n == bytes_per_block_ &&
      prev == block.substr(0, bytes_per_block_)) {
    if (!prev_pair_equal_) {
      line_ += "*\n";
      prev_pair_equal_ = true;
    }
  } else {
    prev_pair_equal_ = false;
    for (size_t i = 0; i < specs_.size(); ++i) {
      const OdSpec& spec = specs_[i];
      size_t fields = bytes_per_block_ / static_cast<size_t>(spec.size);
      size_t blank = (bytes_per_block_ - n) / static_cast<size_t>(spec.size);
      if (i == 0) {
        WriteAddress(offset);
      } else {
        line_.append(static_cast<size_t>(address_pad_), ' ');
      }
      PrintSpec(spec, fields, blank, block);
      if (spec.trailer) {
        int pad =
            static_cast<int>(spec.pad_width * static_cast<long>(blank) / static_cast<long>(fields));
        line_.append(blank * static_cast<size_t>(spec.field_width) + static_cast<size_t>(pad), ' ');
        line_ += "  >";
        for (size_t k = 0; k < n; ++k) {
          unsigned char c = static_cast<unsigned char>(block[k]);
          line_ += c >= 0x20 && c < 0x7f ? static_cast<char>(c) : '.';
        }
        line_ += '<';
      }
      line_ += '\n';
    }
  }
  first_ = false;
  if (line_.size() >= 64 * 1024) {
    io_.out += line_;
    line_.clear();
  }
}

void Od::Run(const std::vector<std::string>& raw_argv) {
  std::vector<std::string> argv = NormalizeOdArgs(raw_argv);
  ParsedArgs args = ParseOptions(argv, 1, kOdOptions);
  bool modern = false, width_given = false;
  uint64_t skip = 0, limit = 0;
  bool limited = false;
  size_t desired_width = 0;
  auto number_error = [&](int kind, const ParsedOption& o) {
    std::string option = o.spelling;
    static constexpr const char* kShapes[] = {"", "invalid %s argument %s",
                                              "invalid suffix in %s argument %s",
                                              "%s argument %s too large"};
    std::string shape = kShapes[kind];
    std::string quoted = "'" + o.argument + "'";
    size_t at = shape.find("%s");
    shape.replace(at, 2, option);
    at = shape.find("%s");
    shape.replace(at, 2, quoted);
    io_.err += prog_ + ": " + shape + "\n";
    io_.status = 1;
  };
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kOdAddress: {
        modern = true;
        char c = o.argument.empty() ? '\0' : o.argument[0];
        static constexpr struct {
          char letter;
          int base;
          int pad;
        } kRadixes[] = {{'d', 10, 7}, {'o', 8, 7}, {'x', 16, 6}, {'n', 0, 0}};
        bool found = false;
        for (const auto& r : kRadixes) {
          if (r.letter == c) {
            found = true;
            no_address_ = r.base == 0;
            if (!no_address_) address_base_ = r.base;
            address_pad_ = r.pad;
          }
        }
        if (!found) {
          io_.err += prog_ + ": invalid output address radix '" + std::string(1, c) +
                     "'; it must be one character from [doxn]\n";
          io_.status = 1;
          return;
        }
        break;
      }
      case kOdSkip:
      case kOdReadBytes: {
        modern = true;
        uint64_t value = 0;
        int err = OdNumber(o.argument, &value);
        if (err != 0) return number_error(err, o);
        if (o.id == kOdSkip) {
          skip = value;
        } else {
          limit = value;
          limited = true;
        }
        break;
      }
      case kOdFormat:
        modern = true;
        if (!DecodeOdFormat(env_, prog_, o.argument, &specs_, io_)) ok_ = false;
        break;
      case kOdDuplicates:
        modern = true;
        abbreviate_ = false;
        break;
      case kOdWidth:
      case kOdWidthValue: {
        modern = true;
        width_given = true;
        if (o.id == kOdWidth) {
          desired_width = 32;
          break;
        }
        size_t pos = 0;
        const std::string& t = o.argument;
        while (pos < t.size() && (t[pos] == ' ' || (t[pos] >= '\t' && t[pos] <= '\r'))) ++pos;
        if (pos < t.size() && t[pos] == '+') ++pos;
        size_t start = pos;
        uint64_t w = 0;
        bool overflow = false;
        for (; pos < t.size() && t[pos] >= '0' && t[pos] <= '9'; ++pos) {
          uint64_t d = static_cast<uint64_t>(t[pos] - '0');
          if (w > (UINT64_MAX - d) / 10) overflow = true;
          w = w * 10 + d;
        }
        if (pos == start || pos != t.size() || overflow) {
          io_.unsupported = "od -w " + t;
          return;
        }
        if (w > 1u << 20) {
          io_.unsupported = "od -w " + t;
          return;
        }
        desired_width = static_cast<size_t>(w);
        break;
      }
      case kOdEndian:
        if (o.argument == "big" || o.argument == "b" || o.argument == "bi") {
          swap_ = true;
        } else if (!o.argument.empty() &&
                   std::string_view("little").substr(0, o.argument.size()) == o.argument) {
          swap_ = false;
        } else {
          io_.unsupported = "od --endian=" + o.argument;
          return;
        }
        break;
      case kOdOld: {
        char letter = o.spelling[1];
        for (const auto& [l, type] : kOdOldFormats) {
          if (l == letter) DecodeOdFormat(env_, prog_, type, &specs_, io_);
        }
        break;
      }
      default:
        io_.unsupported = "od " + o.spelling;
        return;
    }
  }
  if (!args.unsupported.empty()) {
    ReportOptionError(prog_, args, kOdOptions, 1, io_);
    return;
  }
  if (!ok_) {
    io_.status = 1;
    return;
  }
  files_ = args.operands;
  if (!modern) {
    // The traditional offset operands ([+]OFFSET[.][b]) are not served.
    size_t n = files_.size();
    if ((n == 1 && files_[0].size() > 0 && files_[0][0] == '+') ||
        (n == 2 && !files_[1].empty() &&
         (files_[1][0] == '+' || (files_[1][0] >= '0' && files_[1][0] <= '9')))) {
      io_.unsupported = "od with an offset operand";
      return;
    }
  }
  if (limited && skip + limit < skip) {
    io_.err += prog_ + ": skip-bytes + read-bytes is too large\n";
    io_.status = 1;
    return;
  }
  if (specs_.empty()) DecodeOdFormat(env_, prog_, "oS", &specs_, io_);
  if (files_.empty()) files_.push_back("-");

  if (!OpenNext()) {
    if (!io_.unsupported.empty()) return;
    io_.out += line_;
    io_.status = 1;
    return;
  }
  // skip(): across inputs; only the inputs it reaches are opened.
  uint64_t to_skip = skip;
  while (to_skip > 0) {
    size_t avail = current_data_.size() - current_pos_;
    size_t take = static_cast<size_t>(std::min<uint64_t>(to_skip, avail));
    current_pos_ += take;
    to_skip -= take;
    if (to_skip == 0) break;
    open_ = false;
    if (!OpenNext()) {
      if (!io_.unsupported.empty()) return;
      io_.err += prog_ + ": cannot skip past end of combined input\n";
      io_.status = 1;
      return;
    }
  }
  if (!io_.unsupported.empty()) return;

  size_t lcm = 1;
  for (const OdSpec& s : specs_) lcm = std::lcm(lcm, static_cast<size_t>(s.size));
  if (width_given) {
    if (desired_width != 0 && desired_width % lcm == 0) {
      bytes_per_block_ = desired_width;
    } else {
      io_.err += prog_ + ": warning: invalid width " + std::to_string(desired_width) + "; using " +
                 std::to_string(lcm) + " instead\n";
      bytes_per_block_ = lcm;
    }
  } else {
    bytes_per_block_ = lcm < 16 ? lcm * (16 / lcm) : lcm;
  }
  size_t width_per_block = 0;
  for (const OdSpec& s : specs_) {
    size_t fields = bytes_per_block_ / static_cast<size_t>(s.size);
    width_per_block = std::max(width_per_block, (static_cast<size_t>(s.field_width) + 1) * fields);
  }
  for (OdSpec& s : specs_) {
    size_t fields = bytes_per_block_ / static_cast<size_t>(s.size);
    s.pad_width = static_cast<int>(width_per_block - static_cast<size_t>(s.field_width) * fields);
  }

  uint64_t offset = skip;
  const uint64_t end_offset = skip + limit;
  size_t n_read = 0;
  // prev_block_ = previous block (bytes_per_block_) + the block being read.
  prev_block_.assign(bytes_per_block_, '\0');
  while (true) {
    size_t needed = bytes_per_block_;
    if (limited) {
      if (offset >= end_offset) {
        n_read = 0;
        break;
      }
      needed = static_cast<size_t>(std::min<uint64_t>(end_offset - offset, bytes_per_block_));
    }
    prev_block_.resize(bytes_per_block_);
    Fill(needed);
    if (!io_.unsupported.empty()) return;
    n_read = prev_block_.size() - bytes_per_block_;
    if (n_read < bytes_per_block_) break;
    WriteBlock(offset, n_read, std::string_view(prev_block_).substr(bytes_per_block_));
    prev_block_.erase(0, bytes_per_block_);
    offset += n_read;
    if (io_.OutputEnough()) {
      io_.out += line_;
      return;
    }
  }
  if (n_read > 0) {
    size_t to_write = lcm * ((n_read + lcm - 1) / lcm);
    prev_block_.append(to_write - n_read, '\0');
    prev_block_.append(bytes_per_block_ - to_write, '\0');
    WriteBlock(offset, n_read, std::string_view(prev_block_).substr(bytes_per_block_));
    offset += n_read;
  }
  if (!no_address_) {
    WriteAddress(offset);
    line_ += '\n';
  }
  io_.out += line_;
  line_.clear();
  if (!ok_) io_.status = 1;
}

// ---------------------------------------------------------------- expr

// A non-negative arbitrary-precision integer as decimal digits (most
// significant first, no leading zeros; "0" for zero) and a sign: expr's
// GMP values.
struct BigInt {
  bool negative = false;
  std::string digits = "0";

  static BigInt FromString(std::string_view s) {
    BigInt v;
    v.negative = !s.empty() && s[0] == '-';
    if (v.negative) s.remove_prefix(1);
    while (s.size() > 1 && s[0] == '0') s.remove_prefix(1);
    v.digits = std::string(s);
    if (v.digits == "0") v.negative = false;
    return v;
  }
  static BigInt FromInt(uint64_t n) { return FromString(std::to_string(n)); }
  bool zero() const { return digits == "0"; }
  std::string ToString() const { return (negative ? "-" : "") + digits; }
};

int CompareMagnitude(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
  int c = a.compare(b);
  return c < 0 ? -1 : c > 0;
}

std::string AddMagnitude(const std::string& a, const std::string& b) {
  std::string out;
  int carry = 0;
  for (size_t i = 0; i < std::max(a.size(), b.size()) || carry; ++i) {
    int d = carry;
    if (i < a.size()) d += a[a.size() - 1 - i] - '0';
    if (i < b.size()) d += b[b.size() - 1 - i] - '0';
    out.push_back(static_cast<char>('0' + d % 10));
    carry = d / 10;
  }
  std::reverse(out.begin(), out.end());
  return out;
}

// a - b with a >= b.
std::string SubMagnitude(const std::string& a, const std::string& b) {
  std::string out;
  int borrow = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    int d = a[a.size() - 1 - i] - '0' - borrow;
    if (i < b.size()) d -= b[b.size() - 1 - i] - '0';
    borrow = d < 0;
    if (d < 0) d += 10;
    out.push_back(static_cast<char>('0' + d));
  }
  while (out.size() > 1 && out.back() == '0') out.pop_back();
  std::reverse(out.begin(), out.end());
  return out;
}

BigInt Normalized(bool negative, std::string digits) {
  BigInt v;
  v.digits = std::move(digits);
  v.negative = negative && v.digits != "0";
  return v;
}

BigInt Add(const BigInt& a, const BigInt& b) {
  if (a.negative == b.negative) return Normalized(a.negative, AddMagnitude(a.digits, b.digits));
  int c = CompareMagnitude(a.digits, b.digits);
  if (c == 0) return BigInt();
  return c > 0 ? Normalized(a.negative, SubMagnitude(a.digits, b.digits))
               : Normalized(b.negative, SubMagnitude(b.digits, a.digits));
}

BigInt Negate(BigInt v) {
  if (!v.zero()) v.negative = !v.negative;
  return v;
}

BigInt Multiply(const BigInt& a, const BigInt& b) {
  std::vector<int> acc(a.digits.size() + b.digits.size(), 0);
  for (size_t i = 0; i < a.digits.size(); ++i) {
    for (size_t j = 0; j < b.digits.size(); ++j) {
      acc[i + j + 1] += (a.digits[i] - '0') * (b.digits[j] - '0');
    }
  }
  for (size_t k = acc.size() - 1; k > 0; --k) {
    acc[k - 1] += acc[k] / 10;
    acc[k] %= 10;
  }
  std::string out;
  for (int d : acc) {
    if (out.empty() && d == 0) continue;
    out.push_back(static_cast<char>('0' + d));
  }
  if (out.empty()) out = "0";
  return Normalized(a.negative != b.negative, out);
}

// Truncating division (mpz_tdiv_q / mpz_tdiv_r): the quotient rounds
// toward zero, the remainder has the dividend's sign.
void Divide(const BigInt& a, const BigInt& b, BigInt* quotient, BigInt* remainder) {
  std::string q, r = "0";
  for (char c : a.digits) {
    r = r == "0" ? std::string(1, c) : r + c;
    int d = 0;
    while (CompareMagnitude(r, b.digits) >= 0) {
      r = SubMagnitude(r, b.digits);
      ++d;
    }
    if (!(q.empty() && d == 0)) q.push_back(static_cast<char>('0' + d));
  }
  if (q.empty()) q = "0";
  *quotient = Normalized(a.negative != b.negative, q);
  *remainder = Normalized(a.negative, r);
}

// One multibyte character's length at `i` (gnulib mbiter: an invalid
// byte is one character, an incomplete one at the end is the rest).
size_t CharLength(std::string_view s, size_t i, bool utf8) {
  if (!utf8 || static_cast<unsigned char>(s[i]) < 0x80) return 1;
  std::mbstate_t state{};
  wchar_t wc;
  size_t n = std::mbrtowc(&wc, s.data() + i, s.size() - i, &state);
  if (n == static_cast<size_t>(-1)) return 1;
  if (n == static_cast<size_t>(-2)) return s.size() - i;
  return n == 0 ? 1 : n;
}

std::vector<std::string_view> Chars(std::string_view s, bool utf8) {
  std::vector<std::string_view> out;
  for (size_t i = 0; i < s.size();) {
    size_t n = CharLength(s, i, utf8);
    out.push_back(s.substr(i, n));
    i += n;
  }
  return out;
}

bool LooksLikeInteger(std::string_view s) {
  if (!s.empty() && s[0] == '-') s.remove_prefix(1);
  if (s.empty()) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

struct ExprValue {
  bool is_int = false;
  BigInt i;
  std::string s;

  static ExprValue Int(BigInt v) {
    ExprValue e;
    e.is_int = true;
    e.i = std::move(v);
    return e;
  }
  static ExprValue Str(std::string v) {
    ExprValue e;
    e.s = std::move(v);
    return e;
  }
  std::string Text() const { return is_int ? i.ToString() : s; }
  // null(): zero, the empty string, or a string of zeros (with '-').
  bool Null() const {
    if (is_int) return i.zero();
    if (s.empty()) return true;
    std::string_view v = s;
    if (v[0] == '-') v.remove_prefix(1);
    if (v.empty()) return false;
    return std::all_of(v.begin(), v.end(), [](char c) { return c == '0'; });
  }
  bool ToArith() {
    if (is_int) return true;
    if (!LooksLikeInteger(s)) return false;
    i = BigInt::FromString(s);
    is_int = true;
    return true;
  }
};

// The evaluation stops at the first error: GNU dies there.
struct ExprError {
  int status;
  std::string message;
};

class Expr {
 public:
  Expr(const CommandEnv& env, const std::vector<std::string>& args, bool utf8)
      : env_(env), args_(args), utf8_(utf8) {}

  std::optional<ExprValue> Evaluate(ExprError* error) {
    error_ = error;
    std::optional<ExprValue> v = Or(true);
    if (!v) return std::nullopt;
    if (pos_ < args_.size()) {
      return Fail(2, "syntax error: unexpected argument " + QuoteForCommand(env_, args_[pos_]));
    }
    return v;
  }

 private:
  std::optional<ExprValue> Fail(int status, std::string message) {
    if (error_->message.empty()) *error_ = {status, std::move(message)};
    return std::nullopt;
  }
  bool Next(const char* token) {
    if (pos_ < args_.size() && args_[pos_] == token) {
      ++pos_;
      return true;
    }
    return false;
  }
  bool RequireMore() {
    if (pos_ < args_.size()) return true;
    Fail(2, "syntax error: missing argument after " + QuoteForCommand(env_, args_[pos_ - 1]));
    return false;
  }

  std::optional<ExprValue> Primary(bool evaluate) {
    if (!RequireMore()) return std::nullopt;
    if (Next("(")) {
      std::optional<ExprValue> v = Or(evaluate);
      if (!v) return v;
      if (pos_ >= args_.size()) {
        return Fail(2,
                    "syntax error: expecting ')' after " + QuoteForCommand(env_, args_[pos_ - 1]));
      }
      if (!Next(")")) {
        return Fail(2,
                    "syntax error: expecting ')' instead of " + QuoteForCommand(env_, args_[pos_]));
      }
      return v;
    }
    if (Next(")")) return Fail(2, "syntax error: unexpected ')'");
    return ExprValue::Str(args_[pos_++]);
  }

  std::optional<ExprValue> Unary(bool evaluate) {
    if (Next("+")) {
      if (!RequireMore()) return std::nullopt;
      return ExprValue::Str(args_[pos_++]);
    }
    if (Next("length")) {
      std::optional<ExprValue> r = Unary(evaluate);
      if (!r) return r;
      return ExprValue::Int(BigInt::FromInt(Chars(r->Text(), utf8_).size()));
    }
    if (Next("match")) {
      std::optional<ExprValue> l = Unary(evaluate);
      if (!l) return l;
      std::optional<ExprValue> r = Unary(evaluate);
      if (!r) return r;
      return evaluate ? Colon(*l, *r) : l;
    }
    if (Next("index")) {
      std::optional<ExprValue> l = Unary(evaluate);
      if (!l) return l;
      std::optional<ExprValue> r = Unary(evaluate);
      if (!r) return r;
      std::string hay = l->Text(), accept = r->Text();
      uint64_t found = 0;
      if (!accept.empty()) {
        std::vector<std::string_view> accepted = Chars(accept, utf8_);
        std::vector<std::string_view> chars = Chars(hay, utf8_);
        for (size_t k = 0; k < chars.size() && found == 0; ++k) {
          for (std::string_view a : accepted) {
            if (a == chars[k]) {
              found = k + 1;
              break;
            }
          }
        }
      }
      return ExprValue::Int(BigInt::FromInt(found));
    }
    if (Next("substr")) {
      std::optional<ExprValue> l = Unary(evaluate);
      if (!l) return l;
      std::optional<ExprValue> p = Unary(evaluate);
      if (!p) return p;
      std::optional<ExprValue> n = Unary(evaluate);
      if (!n) return n;
      std::string text = l->Text();
      if (!p->ToArith() || !n->ToArith()) return ExprValue::Str("");
      auto size = [](const BigInt& v) -> uint64_t {
        if (v.negative) return UINT64_MAX;
        if (v.digits.size() > 19) return UINT64_MAX - 1;
        unsigned long long x = std::strtoull(v.digits.c_str(), nullptr, 10);
        return x < UINT64_MAX ? x : UINT64_MAX - 1;
      };
      uint64_t pos = size(p->i), len = size(n->i);
      std::vector<std::string_view> chars = Chars(text, utf8_);
      if (chars.size() < pos || pos == 0 || len == 0 || len == UINT64_MAX)
        return ExprValue::Str("");
      uint64_t count = std::min<uint64_t>(len, chars.size() - pos + 1);
      std::string out;
      for (uint64_t k = pos - 1; k < pos - 1 + count; ++k) out.append(chars[k]);
      return ExprValue::Str(out);
    }
    return Primary(evaluate);
  }

  // docolon: an anchored BRE match through glibc, as GNU compiles it.
  std::optional<ExprValue> Colon(const ExprValue& l, const ExprValue& r) {
    std::string subject = l.Text(), pattern = r.Text();
    re_pattern_buffer buffer;
    std::memset(&buffer, 0, sizeof buffer);
    char fastmap[256];
    buffer.fastmap = fastmap;
    re_syntax_options = RE_SYNTAX_POSIX_BASIC & ~RE_CONTEXT_INVALID_DUP & ~RE_NO_EMPTY_RANGES;
    const char* err = re_compile_pattern(pattern.data(), pattern.size(), &buffer);
    if (err != nullptr) return Fail(2, err);
    buffer.newline_anchor = 0;
    re_registers regs;
    std::memset(&regs, 0, sizeof regs);
    regoff_t len =
        re_match(&buffer, subject.data(), static_cast<regoff_t>(subject.size()), 0, &regs);
    ExprValue v;
    if (len >= 0) {
      if (buffer.re_nsub > 0) {
        v = regs.end[1] < 0
                ? ExprValue::Str("")
                : ExprValue::Str(subject.substr(static_cast<size_t>(regs.start[1]),
                                                static_cast<size_t>(regs.end[1] - regs.start[1])));
      } else {
        size_t chars = 0;
        for (size_t i = 0; i < static_cast<size_t>(len);) {
          i += CharLength(subject, i, utf8_);
          ++chars;
        }
        v = ExprValue::Int(BigInt::FromInt(chars));
      }
    } else if (len == -1) {
      v = buffer.re_nsub > 0 ? ExprValue::Str("") : ExprValue::Int(BigInt());
    } else {
      buffer.fastmap = nullptr;
      regfree(&buffer);
      return Fail(3, "error in regular expression matcher");
    }
    if (regs.num_regs > 0) {
      std::free(regs.start);
      std::free(regs.end);
    }
    buffer.fastmap = nullptr;
    regfree(&buffer);
    return v;
  }

  std::optional<ExprValue> Match(bool evaluate) {
    std::optional<ExprValue> l = Unary(evaluate);
    if (!l) return l;
    while (Next(":")) {
      std::optional<ExprValue> r = Unary(evaluate);
      if (!r) return r;
      if (evaluate) {
        l = Colon(*l, *r);
        if (!l) return l;
      }
    }
    return l;
  }

  std::optional<ExprValue> Product(bool evaluate) {
    std::optional<ExprValue> l = Match(evaluate);
    if (!l) return l;
    while (true) {
      char op = Next("*") ? '*' : Next("/") ? '/' : Next("%") ? '%' : '\0';
      if (op == '\0') return l;
      std::optional<ExprValue> r = Match(evaluate);
      if (!r) return r;
      if (!evaluate) continue;
      if (!l->ToArith() || !r->ToArith()) return Fail(2, "non-integer argument");
      if (op != '*' && r->i.zero()) return Fail(2, "division by zero");
      if (op == '*') {
        l = ExprValue::Int(Multiply(l->i, r->i));
      } else {
        BigInt q, rem;
        Divide(l->i, r->i, &q, &rem);
        l = ExprValue::Int(op == '/' ? q : rem);
      }
    }
  }

  std::optional<ExprValue> Sum(bool evaluate) {
    std::optional<ExprValue> l = Product(evaluate);
    if (!l) return l;
    while (true) {
      char op = Next("+") ? '+' : Next("-") ? '-' : '\0';
      if (op == '\0') return l;
      std::optional<ExprValue> r = Product(evaluate);
      if (!r) return r;
      if (!evaluate) continue;
      if (!l->ToArith() || !r->ToArith()) return Fail(2, "non-integer argument");
      l = ExprValue::Int(Add(l->i, op == '+' ? r->i : Negate(r->i)));
    }
  }

  std::optional<ExprValue> Comparison(bool evaluate) {
    std::optional<ExprValue> l = Sum(evaluate);
    if (!l) return l;
    while (true) {
      // The operators in GNU's order of tests.
      static constexpr const char* kOps[] = {"<", "<=", "=", "==", "!=", ">=", ">"};
      int op = -1;
      for (int k = 0; k < 7 && op < 0; ++k) {
        if (Next(kOps[k])) op = k;
      }
      if (op < 0) return l;
      std::optional<ExprValue> r = Sum(evaluate);
      if (!r) return r;
      bool val = false;
      if (evaluate) {
        std::string a = l->Text(), b = r->Text();
        int cmp;
        if (LooksLikeInteger(a) && LooksLikeInteger(b)) {
          BigInt x = BigInt::FromString(a), y = BigInt::FromString(b);
          BigInt d = Add(x, Negate(y));
          cmp = d.zero() ? 0 : d.negative ? -1 : 1;
        } else {
          cmp = std::strcoll(a.c_str(), b.c_str());
        }
        switch (op) {
          case 0:
            val = cmp < 0;
            break;
          case 1:
            val = cmp <= 0;
            break;
          case 2:
          case 3:
            val = cmp == 0;
            break;
          case 4:
            val = cmp != 0;
            break;
          case 5:
            val = cmp >= 0;
            break;
          default:
            val = cmp > 0;
            break;
        }
      }
      l = ExprValue::Int(BigInt::FromInt(val ? 1 : 0));
    }
  }

  std::optional<ExprValue> And(bool evaluate) {
    std::optional<ExprValue> l = Comparison(evaluate);
    if (!l) return l;
    while (Next("&")) {
      std::optional<ExprValue> r = Comparison(evaluate && !l->Null());
      if (!r) return r;
      if (l->Null() || r->Null()) l = ExprValue::Int(BigInt());
    }
    return l;
  }

  std::optional<ExprValue> Or(bool evaluate) {
    std::optional<ExprValue> l = And(evaluate);
    if (!l) return l;
    while (Next("|")) {
      std::optional<ExprValue> r = And(evaluate && l->Null());
      if (!r) return r;
      if (l->Null()) {
        l = r;
        if (l->Null()) l = ExprValue::Int(BigInt());
      }
    }
    return l;
  }

  const CommandEnv& env_;
  const std::vector<std::string>& args_;
  bool utf8_;
  size_t pos_ = 0;
  ExprError* error_ = nullptr;
};

// The character encoding the command's environment selects (LC_ALL,
// LC_CTYPE, LANG), or nullopt without an environment.
std::optional<bool> EnvironmentUtf8(const CommandEnv& env) {
  if (env.environment == nullptr) return std::nullopt;
  for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
    std::optional<std::string_view> v = env.Getenv(name);
    if (v && !v->empty()) {
      std::string lower;
      for (char c : *v) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return lower.find("utf-8") != std::string::npos || lower.find("utf8") != std::string::npos;
    }
  }
  return false;
}

}  // namespace

void CmdOd(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  Od od(env, io, argv[0]);
  od.Run(argv);
}

void CmdExpr(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  if (args.size() == 1 && args[0].size() >= 3 && args[0].rfind("--", 0) == 0 &&
      (std::string_view("--help").substr(0, args[0].size()) == args[0] ||
       std::string_view("--version").substr(0, args[0].size()) == args[0])) {
    io.unsupported = "expr " + args[0];
    return;
  }
  if (!args.empty() && args[0] == "--") args.erase(args.begin());
  if (args.empty()) {
    io.err += prog + ": missing operand\nTry '" + prog + " --help' for more information.\n";
    io.status = 2;
    return;
  }
  bool utf8 = LocaleIsUtf8();
  std::optional<bool> wanted = EnvironmentUtf8(env);
  if (wanted && *wanted != utf8) {
    // Another encoding than this process's: exact only for ASCII.
    for (const std::string& a : args) {
      for (char c : a) {
        if (static_cast<unsigned char>(c) >= 0x80) {
          io.unsupported = "expr on non-ASCII text in another locale";
          return;
        }
      }
    }
  }
  Expr expr(env, args, utf8);
  ExprError error{0, ""};
  std::optional<ExprValue> v = expr.Evaluate(&error);
  if (!v) {
    io.err += prog + ": " + error.message + "\n";
    io.status = error.status;
    return;
  }
  io.out += v->Text() + "\n";
  io.status = v->Null() ? 1 : 0;
}

}  // namespace memhook::utils
