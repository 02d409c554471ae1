// column as util-linux 2.38 prints it (Debian 12's bsdextrautils).
//
// Modes: fill columns (default), fill rows (-x), and the table (-t) that
// libsmartcols lays out: -s, -o, -N, -d, -R, -H, -l, -L, -c, -n. What
// libsmartcols would truncate, wrap, reorder or render as a tree or JSON
// (-T, -W, -E, -O, -r, -J, -e) is refused.
//
// Lines are decoded to wide characters with the C library (the process's
// locale, which must be the command's); bytes that do not decode make the
// whole line re-encoded with \xHH escapes, as column does. Widths are
// wcwidth's: in fill modes summed over printable characters, in table mode
// libsmartcols' mbs_width (control characters and "ESC[...m" sequences
// take no room).
#include <strings.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cwchar>
#include <cwctype>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "utils/getopt.h"
#include "utils/input.h"
#include "utils/options.h"
#include "utils/utils.h"

namespace memhook::utils {


namespace {

constexpr size_t kTabCells = 8;  // fill modes align on tab stops

// util-linux's options, long ones in the order of its longopts table (for
// glibc's ambiguity messages), then letters without a long form.
const std::vector<OptionSpec>& ColumnOptions() {
  static const std::vector<OptionSpec> kSpecs = {
      {'c', "columns", true, 'c'},
      {'x', "fillrows", false, 'x'},
      {'h', "help", false, 'h'},
      {'J', "json", false, 'J'},
      {'L', "keep-empty-lines", false, 'L'},
      {'o', "output-separator", true, 'o'},
      {'\0', "output-width", true, 'c'},
      {'s', "separator", true, 's'},
      {'t', "table", false, 't'},
      {'N', "table-columns", true, 'N'},
      {'l', "table-columns-limit", true, 'l'},
      {'H', "table-hide", true, 'H'},
      {'n', "table-name", true, 'n'},
      {'E', "table-noextreme", true, 'E'},
      {'d', "table-noheadings", false, 'd'},
      {'O', "table-order", true, 'O'},
      {'R', "table-right", true, 'R'},
      {'T', "table-truncate", true, 'T'},
      {'W', "table-wrap", true, 'W'},
      {'\0', "table-empty-lines", false, 'L'},
      {'e', "table-header-repeat", false, 'e'},
      {'r', "tree", true, 'r'},
      {'i', "tree-id", true, 'i'},
      {'p', "tree-parent", true, 'p'},
      {'V', "version", false, 'V'},
  };
  return kSpecs;
}

// Options whose output memhook does not reproduce.
constexpr char kRefusedOptions[] = {'J', 'E', 'O', 'T', 'W', 'e', 'r', 'h', 'V'};

// Mutually exclusive options (util-linux's err_exclusive_options).
constexpr char kExclusive[][2] = {{'J', 'x'}, {'t', 'x'}};

const char* LongName(char letter) {
  for (const OptionSpec& s : ColumnOptions()) {
    if (s.id == letter && s.long_name != nullptr) return s.long_name;
  }
  return "";
}

// util-linux's strtou32_or_err: a whole unsigned decimal; errors name
// ERANGE (negative or too large).
bool ParseU32(const std::string& text, uint32_t* out, bool* range_error) {
  *range_error = false;
  if (text.empty()) return false;
  char* end = nullptr;
  errno = 0;
  intmax_t signed_value = std::strtoimax(text.c_str(), &end, 10);
  if (signed_value < 0) {
    *range_error = true;
    return false;
  }
  errno = 0;
  uintmax_t value = std::strtoumax(text.c_str(), &end, 10);
  if (errno == ERANGE) {
    *range_error = true;
    return false;
  }
  if (end == text.c_str() || *end != '\0') return false;
  if (value > UINT32_MAX) {
    *range_error = true;
    return false;
  }
  *out = static_cast<uint32_t>(value);
  return true;
}

// mbstowcs, or nullopt for bytes that do not decode.
std::optional<std::wstring> Decode(const std::string& bytes) {
  size_t n = std::mbstowcs(nullptr, bytes.c_str(), 0);
  if (n == static_cast<size_t>(-1)) return std::nullopt;
  std::wstring out(n, L'\0');
  std::mbstowcs(out.data(), bytes.c_str(), n + 1);
  return out;
}

std::string Encode(const std::wstring& wide) {
  size_t n = std::wcstombs(nullptr, wide.c_str(), 0);
  if (n == static_cast<size_t>(-1)) return {};
  std::string out(n, '\0');
  std::wcstombs(out.data(), wide.c_str(), n + 1);
  return out;
}

// util-linux's mbs_invalid_encode: undecodable bytes (and a backslash
// before 'x') become \xHH.
std::string InvalidEncode(const std::string& bytes) {
  std::string out;
  std::mbstate_t state{};
  const char* p = bytes.c_str();
  while (*p != '\0') {
    wchar_t wc;
    size_t len = std::mbrtowc(&wc, p, MB_CUR_MAX, &state);
    if (len == 0) break;
    char hex[8];
    if (len == static_cast<size_t>(-1) || len == static_cast<size_t>(-2)) {
      len = 1;
      state = std::mbstate_t{};
      unsigned char c = *p;
      if (!(c >= 0x20 && c < 0x7f)) {
        std::snprintf(hex, sizeof hex, "\\x%02x", c);
        out += hex;
      } else {
        out += *p;
      }
    } else if (*p == '\\' && p[1] == 'x') {
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(*p));
      out += hex;
    } else {
      out.append(p, len);
    }
    p += len;
  }
  return out;
}

// Fill modes: the cells of printable characters.
size_t WideWidth(const std::wstring& s) {
  size_t width = 0;
  for (wchar_t c : s) {
    int w = ::wcwidth(c);
    if (w > 0) width += static_cast<size_t>(w);
  }
  return width;
}

// Table mode: libsmartcols' mbs_width (a control character takes no room,
// and one followed by "[...m" hides that sequence).
size_t CellWidth(std::string_view s) {
  size_t width = 0;
  std::mbstate_t state{};
  size_t p = 0;
  const size_t last = s.empty() ? 0 : s.size() - 1;
  while (p < s.size() && s[p] != '\0') {
    unsigned char c = s[p];
    if (c < 0x20 || c == 0x7f) {
      p++;
      if (p < s.size() && s[p] == '[') {
        size_t e = p;
        while (e < s.size() && e < last && s[e] != 'm') e++;
        if (e < s.size() && s[e] == 'm') p = e + 1;
      }
      continue;
    }
    wchar_t wc;
    size_t len =
        std::mbrtowc(&wc, s.data() + p, std::min<size_t>(MB_CUR_MAX, s.size() - p), &state);
    if (len == 0) break;
    if (len != static_cast<size_t>(-1) && len != static_cast<size_t>(-2) && std::iswprint(wc)) {
      int w = ::wcwidth(wc);
      if (w > 0) width += static_cast<size_t>(w);
    } else if (len == static_cast<size_t>(-1) || len == static_cast<size_t>(-2)) {
      len = 1;
      state = std::mbstate_t{};
    }
    p += len;
  }
  return width;
}

struct Column {
  std::optional<std::string> name;
  bool right = false;
  bool hidden = false;
  size_t width = 0;
};

struct Settings {
  enum Mode { kFillColumns, kFillRows, kTable } mode = kFillColumns;
  size_t termwidth = 0;
  bool greedy = true;  // default separators: runs of blanks
  std::wstring input_separator = L"\t ";
  std::string output_separator = "  ";
  std::optional<std::vector<std::string>> names;  // -N
  bool noheadings = false;                        // -d
  bool keep_empty_lines = false;                  // -L
  uint32_t maxncols = 0;                          // -l
  std::optional<std::string> right;               // -R
  std::optional<std::string> hide;                // -H
};

class ColumnRun {
 public:
  ColumnRun(const Settings& s, CommandIo& io, std::string prog)
      : s_(s), io_(io), prog_(std::move(prog)) {}

  // One input's lines. False: a fatal error was reported.
  void ReadInput(std::string_view data) {
    size_t pos = 0;
    while (pos < data.size()) {
      size_t eol = data.find('\n', pos);
      size_t end = eol == std::string_view::npos ? data.size() : eol;
      std::string line(data.substr(pos, end - pos));
      pos = eol == std::string_view::npos ? data.size() : eol + 1;
      line = line.substr(0, line.find('\0'));  // a C string
      size_t first = 0;
      while (first < line.size() &&
             (line[first] == ' ' || (line[first] >= '\t' && line[first] <= '\r')))
        ++first;
      if (first == line.size()) {
        if (s_.keep_empty_lines) {
          if (s_.mode == Settings::kTable) {
            rows_.emplace_back();
          } else {
            entries_.emplace_back();
          }
        }
        continue;
      }
      std::optional<std::wstring> wide = Decode(line);
      if (!wide) wide = Decode(InvalidEncode(line));
      if (!wide) wide = std::wstring();
      if (s_.mode == Settings::kTable) {
        AddRow(*wide);
      } else {
        maxlength_ = std::max(maxlength_, WideWidth(*wide));
        entries_.push_back(std::move(*wide));
      }
    }
  }

  // Whether the table mode has lines to print.
  bool HasRows() const { return !rows_.empty(); }

  // Prints everything read; false on an error reported (status 1).
  bool Print() {
    if (s_.mode == Settings::kTable) return PrintTable();
    if (entries_.empty()) return true;
    if (maxlength_ >= s_.termwidth) {
      for (const std::wstring& e : entries_) io_.out += Encode(e) + "\n";
    } else if (s_.mode == Settings::kFillColumns) {
      FillColumns();
    } else {
      FillRows();
    }
    return true;
  }

 private:
  // Splits a line into cells (column's add_line_to_table): wcstok over
  // runs of the default blanks, or every separator character with -s; with
  // -l the last cell takes the rest of the line.
  void AddRow(std::wstring line) {
    std::vector<std::optional<std::string>> row;
    const size_t len = line.size();
    size_t nchars = 0, skip = 0;
    size_t next = 0;         // where tokenising resumes
    bool exhausted = false;  // no more tokens
    for (size_t n = 0;; ++n) {
      std::optional<std::wstring> token;
      if (s_.maxncols != 0 && n + 1 == s_.maxncols) {
        if (nchars + skip < len) token = std::wstring(line.c_str() + nchars + skip);
      } else if (!exhausted) {
        size_t start = next;
        if (s_.greedy) {
          while (start < len && s_.input_separator.find(line[start]) != std::wstring::npos) ++start;
          if (start >= len) {
            exhausted = true;
          } else {
            size_t stop = start;
            while (stop < len && s_.input_separator.find(line[stop]) == std::wstring::npos) ++stop;
            token = line.substr(start, stop - start);
            if (stop < len) line[stop] = L'\0';
            next = stop < len ? stop + 1 : len;
            if (n == 0 && nchars == 0 && start > 0) skip = start;
          }
        } else {
          size_t stop = start;
          // The rest of the string as a C string: up to a NUL put there.
          size_t limit = line.find(L'\0', start);
          if (limit == std::wstring::npos) limit = len;
          while (stop < limit && s_.input_separator.find(line[stop]) == std::wstring::npos) ++stop;
          token = line.substr(start, stop - start);
          if (stop < limit) {
            line[stop] = L'\0';
            next = stop + 1;
          } else {
            exhausted = true;
          }
        }
      }
      if (!token) break;
      // A token is a C string: it ends at a NUL written by an earlier cut.
      token = token->substr(0, token->find(L'\0'));
      nchars += token->size() + 1;
      if (columns_.size() < n + 1) columns_.resize(n + 1);
      row.push_back(Encode(*token));
      if (s_.maxncols != 0 && n + 1 == s_.maxncols) break;
    }
    rows_.push_back(std::move(row));
  }

  // A column named or numbered in a -R/-H list; nullopt to ignore it;
  // false after "undefined column name".
  bool FindColumn(const std::string& spec, std::optional<size_t>* out) {
    out->reset();
    bool digits = !spec.empty();
    for (char c : spec) digits = digits && c >= '0' && c <= '9';
    if (digits) {
      uint32_t number;
      bool range;
      if (!ParseU32(spec, &number, &range)) {
        io_.err += prog_ + ": failed to parse column: '" + spec + "'" +
                   (range ? ": Numerical result out of range" : "") + "\n";
        return false;
      }
      uint32_t index = number - 1;  // "0" wraps: no such column
      if (index < columns_.size()) *out = index;
      return true;
    }
    const std::vector<std::string> none;
    const std::vector<std::string>& names = s_.names ? *s_.names : none;
    for (size_t i = 0; i < names.size(); ++i) {
      if (strcasecmp(names[i].c_str(), spec.c_str()) == 0) {
        if (i < columns_.size()) *out = i;
        return true;
      }
    }
    io_.err += prog_ + ": undefined column name '" + spec + "'\n";
    return false;
  }

  // util-linux's strv_split: the non-empty pieces between commas.
  static std::vector<std::string> SplitList(const std::string& list) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= list.size()) {
      size_t comma = list.find(',', start);
      if (comma == std::string::npos) comma = list.size();
      if (comma > start) out.push_back(list.substr(start, comma - start));
      start = comma + 1;
    }
    return out;
  }

  bool ApplyFlag(const std::string& list, bool Column::*flag, bool hide) {
    if (list == "0") {
      for (Column& c : columns_) c.*flag = true;
    }
    bool unnamed = false;
    for (const std::string& one : SplitList(list)) {
      if (hide && one == "-") {
        unnamed = true;
        continue;
      }
      std::optional<size_t> index;
      if (!FindColumn(one, &index)) return false;
      if (index) columns_[*index].*flag = true;
    }
    if (unnamed) {
      for (Column& c : columns_) {
        if (!c.name) c.*flag = true;
      }
    }
    return true;
  }

  bool PrintTable() {
    if (rows_.empty()) return true;
    // Only empty lines (-L): libsmartcols has no column to print them in
    // and fails.
    if (columns_.empty()) return false;
    if (s_.names) {
      for (size_t i = 0; i < s_.names->size(); ++i) {
        if (columns_.size() < i + 1) columns_.resize(i + 1);
        columns_[i].name = (*s_.names)[i];
      }
    }
    if (s_.right && !ApplyFlag(*s_.right, &Column::right, false)) return false;
    if (s_.hide && !ApplyFlag(*s_.hide, &Column::hidden, true)) return false;
    std::vector<size_t> visible;
    for (size_t i = 0; i < columns_.size(); ++i) {
      if (!columns_[i].hidden) visible.push_back(i);
    }
    if (visible.empty()) {
      for (size_t r = 0; r < rows_.size() + (HasHeader() ? 1 : 0); ++r) io_.out += "\n";
      return true;
    }
    const size_t last = visible.back();
    auto cell = [this](size_t row, size_t col) -> std::string_view {
      if (col < rows_[row].size() && rows_[row][col]) return *rows_[row][col];
      return {};
    };
    // Natural widths: the widest cell, at least the header (or 1; 0 for
    // a column with neither header nor data).
    size_t width = 0;
    const size_t sep = CellWidth(s_.output_separator);
    size_t last_max = 0, last_min = 1;
    bool last_extreme = false;
    size_t last_avg = 0;
    for (size_t col : visible) {
      Column& c = columns_[col];
      size_t min = c.name ? std::max<size_t>(CellWidth(*c.name), 1) : 1;
      size_t max = 0, sum = 0;
      for (size_t r = 0; r < rows_.size(); ++r) {
        size_t len = CellWidth(cell(r, col));
        max = std::max(max, len);
        sum += len;
      }
      c.width = std::max(max, min);
      if (max == 0 && !c.name && min == 1 && c.width <= 1) c.width = 0;
      width += c.width + (col == last ? 0 : sep);
      if (col == last) {
        // The last column ignores its "extreme" cells (over twice the
        // average) when the table is too wide.
        last_max = max;
        last_min = min;
        last_avg = sum / rows_.size();
        last_extreme = last_avg != 0 && max > last_avg * 2;
      }
    }
    Column& lc = columns_[last];
    if (width > s_.termwidth && last_extreme) {
      size_t reduced = 0;
      for (size_t r = 0; r < rows_.size(); ++r) {
        size_t len = CellWidth(cell(r, last));
        if (len <= last_avg * 2) reduced = std::max(reduced, len);
      }
      reduced = std::max(reduced, last_min);
      if (lc.width > reduced) width -= lc.width - reduced;
      lc.width = reduced;
    }
    if (width < s_.termwidth && last_extreme) {
      size_t add = s_.termwidth - width;
      if (add != 0 && lc.width + add > last_max) add = last_max - lc.width;
      lc.width += add;
    }
    std::string out;
    auto print_row = [&](auto&& cell_of) {
      for (size_t col : visible) {
        const Column& c = columns_[col];
        std::string_view data = cell_of(col);
        size_t len = CellWidth(data);
        if (!data.empty()) {
          if (c.right) {
            for (size_t i = len; i < c.width; ++i) out += ' ';
            len = std::max(len, c.width);
          }
          out += data;
        }
        if (col == last) break;
        for (size_t i = len; i < c.width; ++i) out += ' ';
        out += s_.output_separator;
      }
      out += '\n';
    };
    if (HasHeader()) {
      print_row([this](size_t col) -> std::string_view {
        return columns_[col].name ? std::string_view(*columns_[col].name) : std::string_view();
      });
    }
    for (size_t r = 0; r < rows_.size(); ++r) {
      print_row([&](size_t col) { return cell(r, col); });
      if (out.size() >= (1u << 16)) {
        io_.out += out;
        out.clear();
        if (io_.OutputEnough()) return true;
      }
    }
    io_.out += out;
    return true;
  }

  bool HasHeader() const { return s_.names.has_value() && !s_.noheadings; }

  void PadToTab(size_t* chcnt, size_t endcol, std::string* out) const {
    size_t cnt;
    while ((cnt = ((*chcnt + kTabCells) & ~(kTabCells - 1))) <= endcol) {
      *out += '\t';
      *chcnt = cnt;
    }
  }

  void FillColumns() {
    const size_t maxlength = (maxlength_ + kTabCells) & ~(kTabCells - 1);
    size_t numcols = s_.termwidth / maxlength;
    if (numcols == 0) numcols = 1;
    const size_t n = entries_.size();
    const size_t numrows = n / numcols + (n % numcols ? 1 : 0);
    std::string out;
    for (size_t row = 0; row < numrows; ++row) {
      size_t endcol = maxlength;
      size_t chcnt = 0;
      for (size_t base = row, col = 0; col < numcols; ++col) {
        out += Encode(entries_[base]);
        chcnt += WideWidth(entries_[base]);
        if ((base += numrows) >= n) break;
        PadToTab(&chcnt, endcol, &out);
        endcol += maxlength;
      }
      out += '\n';
    }
    io_.out += out;
  }

  void FillRows() {
    const size_t maxlength = (maxlength_ + kTabCells) & ~(kTabCells - 1);
    const size_t numcols = s_.termwidth / maxlength;
    size_t endcol = maxlength;
    size_t chcnt = 0, col = 0;
    std::string out;
    for (size_t i = 0; i < entries_.size(); ++i) {
      out += Encode(entries_[i]);
      chcnt += WideWidth(entries_[i]);
      if (i + 1 == entries_.size()) break;
      if (++col == numcols) {
        chcnt = col = 0;
        endcol = maxlength;
        out += '\n';
      } else {
        PadToTab(&chcnt, endcol, &out);
        endcol += maxlength;
      }
    }
    if (chcnt != 0) out += '\n';
    io_.out += out;
  }

  const Settings& s_;
  CommandIo& io_;
  std::string prog_;
  std::vector<std::wstring> entries_;  // fill modes
  size_t maxlength_ = 0;
  std::vector<std::vector<std::optional<std::string>>> rows_;  // table
  std::vector<Column> columns_;
};

}  // namespace

void CmdColumn(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  // util-linux names itself by the base name (program_invocation_short_name).
  std::string prog =
      argv[0].substr(argv[0].rfind('/') == std::string::npos ? 0 : argv[0].rfind('/') + 1);
  auto fail = [&](const std::string& message) {
    io.err += prog + ": " + message + "\n";
    io.status = 1;
  };
  if (env.Getenv("POSIXLY_CORRECT")) {
    io.unsupported = "column under POSIXLY_CORRECT";
    return;
  }
  // Widths and decoding use this process's locale: the command's must have
  // the same charset.
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
    if (utf8 != LocaleIsUtf8()) {
      io.unsupported = "column in a locale other than memhook's own";
      return;
    }
  }
  ParsedArgs args;
  std::string diagnostic;
  GnuGetoptLong(argv, ColumnOptions(), {}, &args, nullptr, &diagnostic);
  Settings s;
  std::optional<uint32_t> termwidth;
  char exclusive_seen[2] = {0, 0};
  bool table_only = false;  // an option that needs -t
  for (const ParsedOption& o : args.options) {
    const char c = static_cast<char>(o.id);
    for (char refused : kRefusedOptions) {
      if (c == refused) {
        io.unsupported = "column " + o.spelling;
        return;
      }
    }
    for (size_t g = 0; g < 2; ++g) {
      if (c != kExclusive[g][0] && c != kExclusive[g][1]) continue;
      if (exclusive_seen[g] == 0) {
        exclusive_seen[g] = c;
      } else if (exclusive_seen[g] != c) {
        io.err += prog + ": mutually exclusive arguments:";
        for (char member : kExclusive[g]) io.err += std::string(" --") + LongName(member);
        io.err += "\n";
        io.status = 1;
        return;
      }
    }
    uint32_t number;
    bool range;
    switch (c) {
      case 'c':
        if (!ParseU32(o.argument, &number, &range)) {
          fail("invalid columns argument: '" + o.argument + "'" +
               (range ? ": Numerical result out of range" : ""));
          return;
        }
        termwidth = number;
        break;
      case 'd':
        s.noheadings = true;
        break;
      case 'H':
        s.hide = o.argument;
        table_only = true;
        break;
      case 'i':
      case 'p':  // tree ids: used only with --tree (refused)
        break;
      case 'L':
        s.keep_empty_lines = true;
        break;
      case 'l':
        if (!ParseU32(o.argument, &number, &range)) {
          fail("invalid columns limit argument: '" + o.argument + "'" +
               (range ? ": Numerical result out of range" : ""));
          return;
        }
        if (number == 0) {
          fail("columns limit must be greater than zero");
          return;
        }
        s.maxncols = number;
        break;
      case 'N': {
        std::vector<std::string> names;
        size_t start = 0;
        const std::string& list = o.argument;
        while (start <= list.size()) {
          size_t comma = list.find(',', start);
          if (comma == std::string::npos) comma = list.size();
          if (comma > start) names.push_back(list.substr(start, comma - start));
          start = comma + 1;
        }
        s.names = std::move(names);
        table_only = true;
        break;
      }
      case 'n':
        table_only = true;  // the name of a JSON table
        break;
      case 'o':
        s.output_separator = o.argument;
        break;
      case 'R':
        s.right = o.argument;
        table_only = true;
        break;
      case 's': {
        std::optional<std::wstring> wide = Decode(o.argument);
        if (!wide) {
          io.unsupported = "column -s with undecodable bytes";
          return;
        }
        s.input_separator = *wide;
        s.greedy = false;
        break;
      }
      case 't':
        s.mode = Settings::kTable;
        break;
      case 'x':
        s.mode = Settings::kFillRows;
        break;
      default:
        io.unsupported = "column " + o.spelling;
        return;
    }
  }
  if (!diagnostic.empty()) {
    io.err += diagnostic;
    io.err += "Try '" + prog + " --help' for more information.\n";
    io.status = 1;
    return;
  }
  if (termwidth) {
    s.termwidth = *termwidth;
  } else {
    // Not a terminal: $COLUMNS when it is a positive int, else 80.
    s.termwidth = 80;
    if (std::optional<std::string_view> columns = env.Getenv("COLUMNS")) {
      std::string text(*columns);
      char* end = nullptr;
      errno = 0;
      long value = std::strtol(text.c_str(), &end, 10);
      if (errno == 0 && end != text.c_str() && *end == '\0' && value > 0 && value <= INT32_MAX)
        s.termwidth = static_cast<size_t>(value);
    }
  }
  if (s.mode != Settings::kTable && table_only) {
    fail("option --table required for all --table-*");
    return;
  }
  ColumnRun run(s, io, prog);
  int status = 0;
  std::vector<std::string> operands = args.operands;
  if (operands.empty()) {
    run.ReadInput(io.stdin_data);
  } else {
    for (const std::string& operand : operands) {
      InputFile input;
      // column fopen()s its operands: "-" is a file of that name.
      InputFile::Open open = input.OpenOperand(env, io, prog, operand == "-" ? "./-" : operand);
      if (open == InputFile::Open::kRefused) return;
      if (open == InputFile::Open::kOk && !input.ReadAll()) open = InputFile::Open::kError;
      if (open == InputFile::Open::kError) {
        io.err += prog + ": " + operand + ": " + ErrnoText(input.error()) + "\n";
        status = 1;
        continue;
      }
      if (open == InputFile::Open::kDirectory) {
        fail(std::string("read failed: ") + ErrnoText(vfs::Status::Code::kIsADirectory));
        return;
      }
      run.ReadInput(input.data());
    }
  }
  // In table mode the status is the printing's alone (column overwrites
  // the errors of unreadable operands with it).
  if (s.mode == Settings::kTable && run.HasRows()) status = 0;
  if (!run.Print()) status = 1;
  io.status = status;
}

}  // namespace memhook::utils
