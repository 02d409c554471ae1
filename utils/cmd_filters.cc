// sort, uniq and cut: the filters agents put after grep, ls and find.
// Each reads its operands (store files, or stdin) whole, like GNU does.
#include <algorithm>
#include <cstdlib>
#include <optional>

#include "utils/utils.h"
#include "utils/options.h"

namespace memhook::utils {
namespace {

// Reads every operand ("-" or none = stdin) into one buffer, as the GNU
// filters concatenate their inputs. An unreadable operand is reported in
// the command's own words: sort and uniq stop there (returning false), cut
// goes on with the next operand. Returns false too when the command must go
// to the next tier (io.unsupported set).
bool ReadInputs(const std::string& name, const std::vector<std::string>& operands, CommandEnv& env,
                CommandIo& io, std::string* data) {
  std::vector<std::string> inputs = operands.empty() ? std::vector<std::string>{"-"} : operands;
  for (const std::string& operand : inputs) {
    if (operand == "-") {
      data->append(io.stdin_data);
      continue;
    }
    ResolvedPath path = env.Resolve(operand);
    if (path.where == ResolvedPath::Where::kDevNull) continue;
    if (path.where != ResolvedPath::Where::kMount) {
      io.unsupported = name + " of a host path (" + operand + ")";
      return false;
    }
    vfs::Stat stat;
    vfs::Status status = env.StatResolved(path, &stat);
    bool directory = status.ok() && stat.kind == vfs::NodeKind::kDirectory;
    std::string content;
    if (status.ok() && !directory) status = env.store.ReadFile(path.vfs_path, &content);
    if (status.ok() && !directory) {
      data->append(content);
      continue;
    }
    const char* why = directory ? "Is a directory" : ErrnoText(status.code());
    if (name == "sort") {
      io.err += directory ? "sort: read failed: " : "sort: cannot read: ";
      io.err += QuoteShell(operand, false) + ": " + why + "\n";
      io.status = 2;
      return false;
    }
    if (name == "uniq") {
      io.err += directory ? "uniq: error reading " + QuoteShell(operand, true) + "\n"
                          : "uniq: " + QuoteShell(operand, false) + ": " + why + "\n";
      io.status = 1;
      return false;
    }
    io.err += name + ": " + QuoteShell(operand, false) + ": " + why + "\n";
    io.status = 1;
  }
  return true;
}

// Splits into lines; a final line without '\n' is a line (GNU adds the
// newline back on output).
std::vector<std::string_view> SplitLines(std::string_view data) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < data.size()) {
    size_t nl = data.find('\n', start);
    if (nl == std::string_view::npos) nl = data.size();
    lines.push_back(data.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

bool IsBlank(char c) { return c == ' ' || c == '\t'; }

// ---------------------------------------------------------------- sort

enum SortOption { kReverse, kNumeric, kUnique, kFold, kKey, kSeparator, kStable, kIgnoreBlanks };
// sort's supported options; anything else (-h -M -V -g -R -o -z ...) goes
// to the next tier.
const std::vector<OptionSpec> kSortOptions = {
    {'r', "reverse", false, kReverse}, {'n', "numeric-sort", false, kNumeric},
    {'u', "unique", false, kUnique},   {'f', "ignore-case", false, kFold},
    {'k', "key", true, kKey},          {'t', "field-separator", true, kSeparator},
    {'s', "stable", false, kStable},   {'b', "ignore-leading-blanks", false, kIgnoreBlanks},
};

struct SortKey {
  size_t start_field = 1;  // 1-based
  size_t end_field = 0;    // 0 = end of line
  bool numeric = false, reverse = false, fold = false, blanks = false;
  bool has_own_flags = false;
};

struct SortSettings {
  std::vector<SortKey> keys;
  SortKey global;  // flags given outside -k apply to keys without their own
  std::optional<char> separator;
  bool unique = false, stable = false;
};

std::optional<SortKey> ParseKey(const std::string& text) {
  SortKey key;
  size_t i = 0;
  auto number = [&](size_t* out) {
    size_t start = i;
    size_t value = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      value = value * 10 + static_cast<size_t>(text[i] - '0');
      if (value > 1000000) return false;
      ++i;
    }
    *out = value;
    return i > start;
  };
  auto flags = [&]() {
    while (i < text.size() && text[i] != ',') {
      switch (text[i]) {
        case 'n':
          key.numeric = true;
          break;
        case 'r':
          key.reverse = true;
          break;
        case 'f':
          key.fold = true;
          break;
        case 'b':
          key.blanks = true;
          break;
        default:
          return false;
      }
      key.has_own_flags = true;
      ++i;
    }
    return true;
  };
  if (!number(&key.start_field) || key.start_field == 0) return std::nullopt;
  if (!flags()) return std::nullopt;  // character offsets (N.C) are not served
  if (i < text.size() && text[i] == ',') {
    ++i;
    if (!number(&key.end_field) || key.end_field == 0) return std::nullopt;
    if (!flags()) return std::nullopt;
  }
  if (i != text.size()) return std::nullopt;
  return key;
}

// The byte range of fields [start, end] as GNU sort's begfield/limfield
// compute it: without -t a field is its leading blanks plus non-blanks.
std::string_view KeyText(std::string_view line, const SortKey& key,
                         const std::optional<char>& sep) {
  auto field_start = [&](size_t field) {
    size_t pos = 0;
    for (size_t f = 1; f < field && pos < line.size(); ++f) {
      if (sep) {
        size_t next = line.find(*sep, pos);
        pos = next == std::string_view::npos ? line.size() : next + 1;
      } else {
        while (pos < line.size() && IsBlank(line[pos])) ++pos;
        while (pos < line.size() && !IsBlank(line[pos])) ++pos;
      }
    }
    return std::min(pos, line.size());
  };
  size_t begin = field_start(key.start_field);
  if (key.blanks) {
    while (begin < line.size() && IsBlank(line[begin])) ++begin;
  }
  size_t end = line.size();
  if (key.end_field != 0) {
    size_t pos = field_start(key.end_field);
    if (sep) {
      size_t next = line.find(*sep, pos);
      end = next == std::string_view::npos ? line.size() : next;
    } else {
      while (pos < line.size() && IsBlank(line[pos])) ++pos;
      while (pos < line.size() && !IsBlank(line[pos])) ++pos;
      end = pos;
    }
  }
  if (end < begin) end = begin;
  return line.substr(begin, end - begin);
}

// GNU sort -n: leading blanks, optional '-', digits with an optional
// decimal point; anything else compares as zero. Compared as decimal
// strings so that no precision is lost.
int NumericCompare(std::string_view a, std::string_view b) {
  auto parse = [](std::string_view s, bool* negative, std::string_view* integer,
                  std::string_view* fraction) {
    size_t i = 0;
    while (i < s.size() && IsBlank(s[i])) ++i;
    *negative = i < s.size() && s[i] == '-';
    if (*negative) ++i;
    size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    *integer = s.substr(start, i - start);
    while (!integer->empty() && integer->front() == '0') integer->remove_prefix(1);
    *fraction = std::string_view();
    if (i < s.size() && s[i] == '.') {
      size_t f = ++i;
      while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
      *fraction = s.substr(f, i - f);
      while (!fraction->empty() && fraction->back() == '0') fraction->remove_suffix(1);
    }
    if (integer->empty() && fraction->empty()) *negative = false;  // -0 == 0
  };
  bool na, nb;
  std::string_view ia, fa, ib, fb;
  parse(a, &na, &ia, &fa);
  parse(b, &nb, &ib, &fb);
  if (na != nb) return na ? -1 : 1;
  int magnitude;
  if (ia.size() != ib.size()) {
    magnitude = ia.size() < ib.size() ? -1 : 1;
  } else if (int c = ia.compare(ib); c != 0) {
    magnitude = c < 0 ? -1 : 1;
  } else {
    int f = fa.compare(fb);
    magnitude = f < 0 ? -1 : (f > 0 ? 1 : 0);
  }
  return na ? -magnitude : magnitude;
}

int FoldedCollate(std::string_view a, std::string_view b) {
  std::string fa(a), fb(b);
  for (char& c : fa) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (char& c : fb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return CollateCompare(fa, fb);
}

int CompareKey(std::string_view a, std::string_view b, const SortKey& key) {
  int c;
  if (key.numeric) {
    c = NumericCompare(a, b);
  } else if (key.fold) {
    c = FoldedCollate(a, b);
  } else {
    c = CollateCompare(a, b);
  }
  return key.reverse ? -c : c;
}

}  // namespace

void CmdSort(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  ParsedArgs args = ParseOptions(argv, 1, kSortOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "sort " + args.unsupported;
    return;
  }
  SortSettings settings;
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kReverse:
        settings.global.reverse = true;
        break;
      case kNumeric:
        settings.global.numeric = true;
        break;
      case kFold:
        settings.global.fold = true;
        break;
      case kIgnoreBlanks:
        settings.global.blanks = true;
        break;
      case kUnique:
        settings.unique = true;
        break;
      case kStable:
        settings.stable = true;
        break;
      case kSeparator:
        if (o.argument.size() != 1) {
          io.unsupported = "sort -t " + o.argument;
          return;
        }
        settings.separator = o.argument[0];
        break;
      case kKey: {
        std::optional<SortKey> key = ParseKey(o.argument);
        if (!key) {
          io.unsupported = "sort -k " + o.argument;
          return;
        }
        settings.keys.push_back(*key);
        break;
      }
      default:
        break;
    }
  }
  // Keys without flags of their own inherit the global ones.
  for (SortKey& key : settings.keys) {
    if (!key.has_own_flags) {
      key.numeric = settings.global.numeric;
      key.reverse = settings.global.reverse;
      key.fold = settings.global.fold;
      key.blanks = settings.global.blanks;
    }
  }
  std::string data;
  if (!ReadInputs("sort", args.operands, env, io, &data)) return;
  std::vector<std::string_view> lines = SplitLines(data);

  SortKey whole = settings.global;
  auto compare_keys = [&](std::string_view a, std::string_view b) {
    if (settings.keys.empty()) {
      std::string_view ka = a, kb = b;
      if (whole.blanks) {
        while (!ka.empty() && IsBlank(ka.front())) ka.remove_prefix(1);
        while (!kb.empty() && IsBlank(kb.front())) kb.remove_prefix(1);
      }
      return CompareKey(ka, kb, whole);
    }
    for (const SortKey& key : settings.keys) {
      int c =
          CompareKey(KeyText(a, key, settings.separator), KeyText(b, key, settings.separator), key);
      if (c != 0) return c;
    }
    return 0;
  };
  // GNU's last resort: equal keys are ordered by the whole line (byte
  // order under the C locale, collation otherwise), reversed by a global
  // -r; -s and -u skip it.
  bool keyed = !settings.keys.empty() || whole.numeric || whole.fold || whole.blanks;
  auto full_compare = [&](std::string_view a, std::string_view b) {
    int c = compare_keys(a, b);
    if (c != 0 || settings.stable || settings.unique || !keyed) return c;
    int last = CollateCompare(a, b);
    return settings.global.reverse ? -last : last;
  };
  std::stable_sort(lines.begin(), lines.end(),
                   [&](std::string_view a, std::string_view b) { return full_compare(a, b) < 0; });
  std::string out;
  out.reserve(data.size() + 1);
  for (size_t i = 0; i < lines.size(); ++i) {
    if (settings.unique && i > 0 && compare_keys(lines[i - 1], lines[i]) == 0) continue;
    out.append(lines[i]);
    out.push_back('\n');
  }
  io.out += out;
}

// ---------------------------------------------------------------- uniq

namespace {

enum UniqOption { kCount, kRepeated, kUniqueOnly, kIgnoreCase };
const std::vector<OptionSpec> kUniqOptions = {
    {'c', "count", false, kCount},
    {'d', "repeated", false, kRepeated},
    {'u', "unique", false, kUniqueOnly},
    {'i', "ignore-case", false, kIgnoreCase},
};

bool SameLine(std::string_view a, std::string_view b, bool ignore_case) {
  if (a.size() != b.size()) return false;
  if (!ignore_case) return a == b;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

}  // namespace

void CmdUniq(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  ParsedArgs args = ParseOptions(argv, 1, kUniqOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "uniq " + args.unsupported;
    return;
  }
  // uniq's second operand is an output file: a write.
  if (args.operands.size() > 1) {
    io.unsupported = "uniq with an output file";
    return;
  }
  bool count = false, repeated = false, unique_only = false, ignore_case = false;
  for (const ParsedOption& o : args.options) {
    count |= o.id == kCount;
    repeated |= o.id == kRepeated;
    unique_only |= o.id == kUniqueOnly;
    ignore_case |= o.id == kIgnoreCase;
  }
  std::string data;
  if (!ReadInputs("uniq", args.operands, env, io, &data)) return;
  std::vector<std::string_view> lines = SplitLines(data);
  std::string out;
  for (size_t i = 0; i < lines.size();) {
    size_t j = i + 1;
    while (j < lines.size() && SameLine(lines[i], lines[j], ignore_case)) ++j;
    size_t n = j - i;
    bool show = (!repeated || n > 1) && (!unique_only || n == 1);
    if (show) {
      if (count) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%7zu ", n);
        out += buf;
      }
      out.append(lines[i]);
      out.push_back('\n');
    }
    i = j;
  }
  io.out += out;
}

// ---------------------------------------------------------------- cut

namespace {

enum CutOption { kFields, kChars, kBytes, kDelimiter, kOnlyDelimited };
const std::vector<OptionSpec> kCutOptions = {
    {'f', "fields", true, kFields},
    {'c', "characters", true, kChars},
    {'b', "bytes", true, kBytes},
    {'d', "delimiter", true, kDelimiter},
    {'s', "only-delimited", false, kOnlyDelimited},
};

// A cut LIST ("1,3-5,7-") as sorted, merged inclusive ranges; 0 = open end.
std::optional<std::vector<std::pair<size_t, size_t>>> ParseList(const std::string& text) {
  std::vector<std::pair<size_t, size_t>> ranges;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string part = text.substr(start, comma - start);
    start = comma + 1;
    if (part.empty()) return std::nullopt;
    size_t dash = part.find('-');
    auto number = [](const std::string& s) -> std::optional<size_t> {
      if (s.empty() || s.size() > 9 || s.find_first_not_of("0123456789") != std::string::npos) {
        return std::nullopt;
      }
      size_t v = std::strtoul(s.c_str(), nullptr, 10);
      if (v == 0) return std::nullopt;
      return v;
    };
    if (dash == std::string::npos) {
      auto n = number(part);
      if (!n) return std::nullopt;
      ranges.push_back({*n, *n});
    } else {
      std::string lo = part.substr(0, dash), hi = part.substr(dash + 1);
      if (lo.empty() && hi.empty()) return std::nullopt;
      auto l = lo.empty() ? std::optional<size_t>(1) : number(lo);
      auto h = hi.empty() ? std::optional<size_t>(0) : number(hi);
      if (!l || !h || (*h != 0 && *h < *l)) return std::nullopt;
      ranges.push_back({*l, *h});
    }
    if (comma == text.size()) break;
  }
  return ranges;
}

bool Selected(const std::vector<std::pair<size_t, size_t>>& ranges, size_t index) {
  for (const auto& [lo, hi] : ranges) {
    if (index >= lo && (hi == 0 || index <= hi)) return true;
  }
  return false;
}

}  // namespace

void CmdCut(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  ParsedArgs args = ParseOptions(argv, 1, kCutOptions);
  if (!args.unsupported.empty()) {
    io.unsupported = "cut " + args.unsupported;
    return;
  }
  std::optional<std::vector<std::pair<size_t, size_t>>> list;
  bool fields = false, only_delimited = false;
  int lists = 0;
  char delimiter = '\t';
  for (const ParsedOption& o : args.options) {
    switch (o.id) {
      case kFields:
      case kChars:
      case kBytes:
        ++lists;
        fields = o.id == kFields;
        list = ParseList(o.argument);
        if (!list) {
          io.unsupported = "cut " + o.spelling + " " + o.argument;
          return;
        }
        break;
      case kDelimiter:
        if (o.argument.size() != 1) {
          io.unsupported = "cut -d " + o.argument;
          return;
        }
        delimiter = o.argument[0];
        break;
      case kOnlyDelimited:
        only_delimited = true;
        break;
      default:
        break;
    }
  }
  if (lists != 1) {
    io.unsupported = "cut without exactly one list";
    return;
  }
  std::string data;
  if (!ReadInputs("cut", args.operands, env, io, &data) && !io.unsupported.empty()) return;
  std::string out;
  for (std::string_view line : SplitLines(data)) {
    if (!fields) {
      // GNU cut 9.1 treats -c like -b: byte positions.
      for (size_t i = 0; i < line.size(); ++i) {
        if (Selected(*list, i + 1)) out.push_back(line[i]);
      }
      out.push_back('\n');
      continue;
    }
    if (line.find(delimiter) == std::string_view::npos) {
      if (!only_delimited) {
        out.append(line);
        out.push_back('\n');
      }
      continue;
    }
    size_t field = 1, start = 0;
    bool first = true;
    while (true) {
      size_t end = line.find(delimiter, start);
      if (end == std::string_view::npos) end = line.size();
      if (Selected(*list, field)) {
        if (!first) out.push_back(delimiter);
        out.append(line.substr(start, end - start));
        first = false;
      }
      if (end == line.size()) break;
      start = end + 1;
      ++field;
    }
    out.push_back('\n');
  }
  io.out += out;
}

}  // namespace memhook::utils
