// diff as GNU diffutils 3.8 prints it: normal, context (-c/-C) and unified
// (-u/-U) output, -q/-s, -r over directories, -N/--unidirectional-new-file,
// the whitespace and case options, -B, binary files, labels, stdin and
// process substitutions.
//
// The hunks are GNU's own: the same pipeline runs here.
//  1. The identical prefix and suffix of the two files are found bytewise
//     and trimmed to whole lines, keeping `horizon` lines (the context) on
//     each side (GNU's find_identical_ends).
//  2. The lines in between get equivalence classes: GNU's hash of the line
//     (as the whitespace and case options transform it), then the first
//     class of the same hash whose line compares equal.
//  3. Lines whose class never occurs in the other file are discarded before
//     the comparison, and lines that occur very often are discarded when
//     they sit among such lines (discard_confusing_lines).
//  4. Myers' O(ND) search finds a shortest edit script by bisection at the
//     middle snake, with GNU's tie-breaking, its "too expensive" cut-off
//     (cost over max(4096, ~sqrt(lines))) and, with -H, its heuristic.
//  5. Runs of changes slide up and down to merge with neighbours and to end
//     where the other file's changes end (shift_boundaries).
// Every step is deterministic, so the output is GNU's for any input size.
//
// Refused (io.unsupported): ed/RCS/ifdef/side-by-side output, -I/-F/-p
// regular expressions, --color=always, pagination, -X files, file-name
// case folding, and headers whose time cannot be known (/dev/null, a file
// redirected to /dev/stdin, a time zone other than the process's).
#include <fnmatch.h>
#include <locale.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cinttypes>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "utils/getopt.h"
#include "utils/input.h"
#include "utils/options.h"
#include "utils/utils.h"

namespace memhook::utils {


namespace {

using Lin = int64_t;  // GNU's `lin` (ptrdiff_t)
constexpr Lin kLinMax = INT64_MAX;
constexpr Lin kContextMax = (kLinMax - 1) / 2;

// ============================================================ configuration

enum class Style { kUnspecified, kNormal, kContext, kUnified };

// GNU's DIFF_white_space, in its order: the numeric order matters (options
// raise the level, -E and -Z combine as bits).
enum WhiteSpace : int {
  kNoWhiteSpace = 0,
  kTabExpansion = 1,    // -E
  kTrailingSpace = 2,   // -Z
  kTabAndTrailing = 3,  // -E -Z
  kSpaceChange = 4,     // -b
  kAllSpace = 5,        // -w
};

struct Config {
  Style style = Style::kUnspecified;
  Lin context = 0;
  Lin horizon = 0;
  bool text = false;                     // -a
  bool brief = false;                    // -q
  bool report_identical = false;         // -s
  bool recursive = false;                // -r
  bool new_file = false;                 // -N
  bool unidirectional_new_file = false;  // --unidirectional-new-file
  bool minimal = false;                  // -d
  bool speed_large_files = false;        // -H
  bool ignore_case = false;              // -i
  bool ignore_blank_lines = false;       // -B
  bool strip_trailing_cr = false;
  bool expand_tabs = false;  // -t
  bool initial_tab = false;  // -T
  bool suppress_blank_empty = false;
  int white_space = kNoWhiteSpace;
  size_t tabsize = 8;
  std::optional<std::string> label[2];
  std::vector<std::string> excludes;         // -x
  std::optional<std::string> starting_file;  // -S
  // -q without an option under which different bytes may compare equal:
  // files are compared as bytes.
  bool treat_as_binary = false;
  // Header times as "%a %b %e %T %Y" (-c under a C/POSIX LC_TIME).
  bool posix_time_format = false;
  // " -r -u": the option words, shell-quoted, for "diff -r a/x b/x".
  std::string switch_string;
};

// isspace() and tolower() of the C and C.UTF-8 locales on single bytes.
bool IsSpace(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
unsigned char ToLower(unsigned char c) { return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c; }
bool IsPrint(unsigned char c) { return c >= 0x20 && c < 0x7f; }

// ============================================================== the texts

// A file as GNU's diff holds it: the bytes (CRs stripped before newlines
// with --strip-trailing-cr), with a '\n' appended to a last line that lacks
// one, and where each line starts.
struct Text {
  std::string bytes;
  bool missing_newline = false;
  std::vector<size_t> starts;  // every line's start, then bytes.size()
  Lin lines() const { return static_cast<Lin>(starts.size()) - 1; }
  std::string_view Line(Lin i) const {  // with its '\n'
    return std::string_view(bytes).substr(starts[i], starts[i + 1] - starts[i]);
  }
  // The line as printed: the appended '\n' of an incomplete last line is
  // not part of it.
  bool Incomplete(Lin i) const { return missing_newline && i == lines() - 1; }
};

Text PrepareText(std::string_view data, bool strip_trailing_cr) {
  Text t;
  if (strip_trailing_cr) {
    t.bytes.reserve(data.size() + 1);
    for (size_t i = 0; i < data.size(); ++i) {
      if (data[i] == '\r' && i + 1 < data.size() && data[i + 1] == '\n') continue;
      t.bytes.push_back(data[i]);
    }
  } else {
    t.bytes.reserve(data.size() + 1);
    t.bytes.assign(data);
  }
  if (!t.bytes.empty() && t.bytes.back() != '\n') {
    t.bytes.push_back('\n');
    t.missing_newline = true;
  }
  t.starts.push_back(0);
  for (size_t i = 0; i < t.bytes.size(); ++i) {
    if (t.bytes[i] == '\n') t.starts.push_back(i + 1);
  }
  return t;
}

// ====================================================== line equivalence

// GNU's line hash: each (transformed) byte is added to the hash rotated
// left by 7 bits.
inline uint64_t HashStep(uint64_t h, unsigned char c) { return c + ((h << 7) | (h >> 57)); }

class LineEquality {
 public:
  explicit LineEquality(const Config& config) : config_(config) {}

  // The hash of a line (with its '\n') under the whitespace and case
  // options: what GNU's find_and_hash_each_line computes.
  uint64_t Hash(std::string_view line) const {
    const bool icase = config_.ignore_case;
    auto fold = [icase](unsigned char c) { return icase ? ToLower(c) : c; };
    uint64_t h = 0;
    size_t p = 0;
    unsigned char c;
    switch (config_.white_space) {
      case kAllSpace:  // every blank is ignored
        while ((c = line[p++]) != '\n') {
          if (!IsSpace(c)) h = HashStep(h, fold(c));
        }
        return h;
      case kSpaceChange:  // a run of blanks counts as one space; trailing ones as none
        while ((c = line[p++]) != '\n') {
          if (IsSpace(c)) {
            do {
              if ((c = line[p++]) == '\n') return h;
            } while (IsSpace(c));
            h = HashStep(h, ' ');
          }
          h = HashStep(h, fold(c));
        }
        return h;
      case kTabExpansion:
      case kTabAndTrailing:
      case kTrailingSpace: {
        size_t column = 0;
        while ((c = line[p++]) != '\n') {
          if ((config_.white_space & kTrailingSpace) && IsSpace(c)) {
            size_t q = p;
            unsigned char d;
            bool only_blanks_left = false;
            do {
              if ((d = line[q++]) == '\n') {
                only_blanks_left = true;
                break;
              }
            } while (IsSpace(d));
            if (only_blanks_left) return h;
          }
          size_t repetitions = 1;
          if (config_.white_space & kTabExpansion) {
            // Tabs hash as the spaces they expand to.
            switch (c) {
              case '\b':
                column -= column > 0;
                break;
              case '\t':
                c = ' ';
                repetitions = config_.tabsize - column % config_.tabsize;
                column = column + repetitions < column ? 0 : column + repetitions;
                break;
              case '\r':
                column = 0;
                break;
              default:
                column++;
                break;
            }
          }
          c = fold(c);
          do {
            h = HashStep(h, c);
          } while (--repetitions != 0);
        }
        return h;
      }
      default:
        while ((c = line[p++]) != '\n') h = HashStep(h, fold(c));
        return h;
    }
  }

  // Whether two lines (each with its '\n') differ under the options: GNU's
  // lines_differ, which is consulted only for lines of equal hash.
  bool Differ(std::string_view s1, std::string_view s2) const {
    size_t t1 = 0, t2 = 0;
    size_t column = 0;
    const size_t tabsize = config_.tabsize;
    while (true) {
      unsigned char c1 = s1[t1++];
      unsigned char c2 = s2[t2++];
      if (c1 != c2) {
        switch (config_.white_space) {
          case kAllSpace:
            while (IsSpace(c1) && c1 != '\n') c1 = s1[t1++];
            while (IsSpace(c2) && c2 != '\n') c2 = s2[t2++];
            break;
          case kSpaceChange:
            // A run of blanks is one space, or nothing at the end.
            if (IsSpace(c1)) {
              while (c1 != '\n') {
                c1 = s1[t1++];
                if (!IsSpace(c1)) {
                  --t1;
                  c1 = ' ';
                  break;
                }
              }
            }
            if (IsSpace(c2)) {
              while (c2 != '\n') {
                c2 = s2[t2++];
                if (!IsSpace(c2)) {
                  --t2;
                  c2 = ' ';
                  break;
                }
              }
            }
            if (c1 != c2) {
              // Went too far on one side: back up to its first non-blank.
              if (c2 == ' ' && c1 != '\n' && 1 < t1 && IsSpace(s1[t1 - 2])) {
                --t1;
                continue;
              }
              if (c1 == ' ' && c2 != '\n' && 1 < t2 && IsSpace(s2[t2 - 2])) {
                --t2;
                continue;
              }
            }
            break;
          case kTrailingSpace:
          case kTabAndTrailing:
            if (IsSpace(c1) && IsSpace(c2)) {
              if (OnlyBlanksFrom(s1, t1, c1) && OnlyBlanksFrom(s2, t2, c2)) return false;
              break;
            }
            if (config_.white_space == kTrailingSpace) break;
            [[fallthrough]];
          case kTabExpansion:
            if ((c1 == ' ' && c2 == '\t') || (c1 == '\t' && c2 == ' ')) {
              size_t column2 = column;
              for (;; c1 = s1[t1++]) {
                if (c1 == ' ') {
                  column++;
                } else if (c1 == '\t') {
                  column += tabsize - column % tabsize;
                } else {
                  break;
                }
              }
              for (;; c2 = s2[t2++]) {
                if (c2 == ' ') {
                  column2++;
                } else if (c2 == '\t') {
                  column2 += tabsize - column2 % tabsize;
                } else {
                  break;
                }
              }
              if (column != column2) return true;
            }
            break;
          default:
            break;
        }
        if (config_.ignore_case) {
          c1 = ToLower(c1);
          c2 = ToLower(c2);
        }
        if (c1 != c2) return true;
      }
      if (c1 == '\n') return false;
      column += c1 == '\t' ? tabsize - column % tabsize : 1;
    }
  }

 private:
  // For -Z: whether the line holds only blanks from `c` (just read, before
  // index `next`) to its end.
  static bool OnlyBlanksFrom(std::string_view s, size_t next, unsigned char c) {
    if (c == '\n') return true;
    while (s[next] != '\n' && IsSpace(s[next])) ++next;
    return s[next] == '\n';
  }

  const Config& config_;
};

// ================================================================ analysis

// One change of the edit script: `deleted` lines of file 0 from `line0`
// replaced by `inserted` lines of file 1 from `line1` (0-based, whole-file
// line numbers). An insertion has deleted == 0 and line0 = the line before
// which it goes; likewise for a deletion.
struct Change {
  Lin line0, line1, deleted, inserted;
  bool ignore = false;  // -B: only blank lines (context output)
};

// The comparison of two texts: GNU's analyze.c and io.c over them.
class Analysis {
 public:
  Analysis(const Config& config, const Text& t0, const Text& t1)
      : config_(config), equality_(config), text_{&t0, &t1} {}

  std::vector<Change> Run() {
    FindIdenticalEnds();
    AssignClasses();
    for (int f = 0; f < 2; ++f) changed_[f].assign(buffered_[f] + 2, 0);  // [-1] and [len] are 0
    DiscardConfusingLines();
    CompareAll();
    ShiftBoundaries();
    return BuildScript();
  }

 private:
  // Whether buffered line i of file f is inserted or deleted; lines just
  // outside the buffered range read as unchanged.
  char& Changed(int f, Lin i) { return changed_[f][i + 1]; }
  char IsChanged(int f, Lin i) const { return i < 0 || i >= buffered_[f] ? 0 : changed_[f][i + 1]; }

  // ---- step 1: the identical prefix and suffix (bytes, then whole lines)
  void FindIdenticalEnds() {
    const std::string& b0 = text_[0]->bytes;
    const std::string& b1 = text_[1]->bytes;
    const size_t n0 = b0.size(), n1 = b1.size();
    size_t k = 0;
    const size_t n = std::min(n0, n1);
    while (k < n && b0[k] == b1[k]) ++k;
    // An appended newline must not count as common.
    const bool past0 = k > n0 - text_[0]->missing_newline;
    const bool past1 = k > n1 - text_[1]->missing_newline;
    if (past0 != past1) --k;
    // Back to a line start, then `horizon` more lines.
    Lin keep = config_.horizon;
    while (k != 0 && (b0[k - 1] != '\n' || keep-- != 0)) --k;
    const size_t prefix_end = k;

    size_t suffix0 = n0, suffix1 = n1;
    if (text_[0]->missing_newline == text_[1]->missing_newline) {
      size_t p0 = n0, p1 = n1;
      size_t stop = prefix_end + (n0 < n1 ? 0 : n0 - n1);
      size_t begin = stop;
      while (p0 != stop) {
        if (b0[--p0] != b1[--p1]) {
          ++p0;
          ++p1;
          break;
        }
      }
      begin = p0;
      // Keep `horizon` lines of the suffix, and one more when the suffix
      // does not start a line in both files (shift_boundaries may need it).
      const bool line_start0 = p0 == 0 || b0[p0 - 1] == '\n';
      const bool line_start1 = p1 == 0 || b1[p1 - 1] == '\n';
      Lin skip = config_.horizon + !(line_start0 && line_start1);
      while (skip-- != 0 && p0 != n0) {
        while (b0[p0++] != '\n') {
        }
      }
      suffix0 = p0;
      suffix1 = p1 + (p0 - begin);
    }
    prefix_lines_ = LineIndexAt(*text_[0], prefix_end);
    buffered_[0] = LineIndexAt(*text_[0], suffix0) - prefix_lines_;
    buffered_[1] = LineIndexAt(*text_[1], suffix1) - prefix_lines_;
  }

  // The index of the line that starts at byte `offset` (a line start).
  static Lin LineIndexAt(const Text& t, size_t offset) {
    return std::lower_bound(t.starts.begin(), t.starts.end(), offset) - t.starts.begin();
  }

  std::string_view BufferedLine(int f, Lin i) const { return text_[f]->Line(prefix_lines_ + i); }

  // ---- step 2: equivalence classes of the buffered lines
  void AssignClasses() {
    // The line that founded each class (class 0 is never used).
    std::vector<std::string_view> founders(1);
    // Classes by hash, oldest first; GNU searches its buckets newest
    // first. An incomplete last line can equal only the other file's
    // incomplete line (unless trailing blanks are ignored): its own table.
    std::unordered_map<uint64_t, std::vector<Lin>> by_hash[2];
    const bool compare_any_length = config_.white_space != kNoWhiteSpace;
    const bool compare_same_length = compare_any_length || config_.ignore_case;
    for (int f = 0; f < 2; ++f) {
      equivs_[f].resize(buffered_[f]);
      for (Lin i = 0; i < buffered_[f]; ++i) {
        std::string_view line = BufferedLine(f, i);
        const uint64_t h = equality_.Hash(line);
        const bool incomplete =
            text_[f]->Incomplete(prefix_lines_ + i) && config_.white_space < kTrailingSpace;
        std::vector<Lin>& bucket = by_hash[incomplete][h];
        Lin found = 0;
        for (auto it = bucket.rbegin(); it != bucket.rend(); ++it) {
          std::string_view founder = founders[*it];
          if (founder.size() == line.size()) {
            if (founder == line) {
              found = *it;
              break;
            }
            if (!compare_same_length) continue;
          } else if (!compare_any_length) {
            continue;
          }
          if (!equality_.Differ(founder, line)) {
            found = *it;
            break;
          }
        }
        if (found == 0) {
          found = static_cast<Lin>(founders.size());
          founders.push_back(line);
          bucket.push_back(found);
        }
        equivs_[f][i] = found;
      }
    }
    class_count_ = static_cast<Lin>(founders.size());
  }

  // ---- step 3: discard lines that cannot match (discard_confusing_lines)
  void DiscardConfusingLines() {
    std::vector<Lin> counts[2];
    for (int f = 0; f < 2; ++f) {
      counts[f].assign(class_count_, 0);
      for (Lin c : equivs_[f]) ++counts[f][c];
    }
    // 0: keep; 1: discard (no match in the other file); 2: provisionally
    // discard (matches "many" lines of the other file).
    std::vector<char> discards[2];
    for (int f = 0; f < 2; ++f) {
      const Lin end = buffered_[f];
      discards[f].assign(end, 0);
      // `many` grows with the approximate square root of the line count.
      Lin many = 5;
      for (Lin tem = end / 64; (tem >>= 2) > 0;) many *= 2;
      for (Lin i = 0; i < end; ++i) {
        Lin nmatch = counts[1 - f][equivs_[f][i]];
        if (nmatch == 0) {
          discards[f][i] = 1;
        } else if (nmatch > many) {
          discards[f][i] = 2;
        }
      }
    }
    // Provisional discards stand only inside runs of discards that begin
    // and end with real ones, and not where they cluster.
    for (int f = 0; f < 2; ++f) {
      std::vector<char>& d = discards[f];
      const Lin end = buffered_[f];
      for (Lin i = 0; i < end; ++i) {
        if (d[i] == 2) {
          d[i] = 0;
          continue;
        }
        if (d[i] == 0) continue;
        Lin j = i;
        Lin provisional = 0;
        for (; j < end && d[j] != 0; ++j) {
          if (d[j] == 2) ++provisional;
        }
        while (j > i && d[j - 1] == 2) {
          d[--j] = 0;
          --provisional;
        }
        const Lin length = j - i;
        if (provisional * 4 > length) {
          // A quarter or more provisional: keep them all.
          while (j > i) {
            if (d[--j] == 2) d[j] = 0;
          }
          continue;
        }
        // Subruns of `minimum` or more provisionals are kept
        // (minimum ~ sqrt(length / 4)).
        Lin minimum = 1;
        for (Lin tem = length >> 2; (tem >>= 2) > 0;) minimum <<= 1;
        minimum++;
        Lin consec = 0;
        for (j = 0; j < length; j++) {
          if (d[i + j] != 2) {
            consec = 0;
          } else if (minimum == ++consec) {
            j -= consec;  // back to the subrun's start, to cancel all of it
          } else if (minimum < consec) {
            d[i + j] = 0;
          }
        }
        // From each end of the run, provisionals are kept until three real
        // discards in a row, or a real one at least 8 lines in.
        consec = 0;
        for (j = 0; j < length; j++) {
          if (j >= 8 && d[i + j] == 1) break;
          if (d[i + j] == 2) {
            consec = 0;
            d[i + j] = 0;
          } else if (d[i + j] == 0) {
            consec = 0;
          } else {
            consec++;
          }
          if (consec == 3) break;
        }
        i += length - 1;
        consec = 0;
        for (j = 0; j < length; j++) {
          if (j >= 8 && d[i - j] == 1) break;
          if (d[i - j] == 2) {
            consec = 0;
            d[i - j] = 0;
          } else if (d[i - j] == 0) {
            consec = 0;
          } else {
            consec++;
          }
          if (consec == 3) break;
        }
      }
    }
    for (int f = 0; f < 2; ++f) {
      undiscarded_[f].clear();
      realindexes_[f].clear();
      for (Lin i = 0; i < buffered_[f]; ++i) {
        if (config_.minimal || discards[f][i] == 0) {
          undiscarded_[f].push_back(equivs_[f][i]);
          realindexes_[f].push_back(i);
        } else {
          Changed(f, i) = 1;
        }
      }
    }
  }

  // ---- step 4: Myers' algorithm with GNU's midpoint search (diffseq.h)
  struct Partition {
    Lin xmid, ymid;
    bool lo_minimal, hi_minimal;
  };
  static constexpr Lin kSnakeLimit = 20;  // snakes longer than this are "big"

  bool Equal(Lin x, Lin y) const { return undiscarded_[0][x] == undiscarded_[1][y]; }
  Lin& Fd(Lin d) { return diag_[d + diag_offset_]; }
  Lin& Bd(Lin d) { return diag_[d + diag_offset_ + diag_size_]; }

  void CompareAll() {
    const Lin n0 = static_cast<Lin>(undiscarded_[0].size());
    const Lin n1 = static_cast<Lin>(undiscarded_[1].size());
    Lin diags = n0 + n1 + 3;
    diag_size_ = diags;
    diag_offset_ = n1 + 1;
    diag_.assign(2 * diags, 0);
    // Cost beyond which the search settles for a good-enough midpoint:
    // about the square root of the input size, at least 4096.
    Lin too_expensive = 1;
    for (; diags != 0; diags >>= 2) too_expensive <<= 1;
    too_expensive_ = std::max<Lin>(4096, too_expensive);
    CompareSeq(0, n0, 0, n1, config_.minimal);
  }

  // The midpoint of a shortest edit script of [xoff,xlim) x [yoff,ylim),
  // whose first and last elements differ (GNU's diag).
  void Diag(Lin xoff, Lin xlim, Lin yoff, Lin ylim, bool find_minimal, Partition* part) {
    const Lin dmin = xoff - ylim;  // diagonals in range
    const Lin dmax = xlim - yoff;
    const Lin fmid = xoff - yoff;  // centre of the forward search
    const Lin bmid = xlim - ylim;  // centre of the backward search
    Lin fmin = fmid, fmax = fmid;
    Lin bmin = bmid, bmax = bmid;
    const bool odd = (fmid - bmid) & 1;
    Fd(fmid) = xoff;
    Bd(bmid) = xlim;
    for (Lin c = 1;; ++c) {
      bool big_snake = false;
      // One more edit step forward on every diagonal.
      if (fmin > dmin) {
        Fd(--fmin - 1) = -1;
      } else {
        ++fmin;
      }
      if (fmax < dmax) {
        Fd(++fmax + 1) = -1;
      } else {
        --fmax;
      }
      for (Lin d = fmax; d >= fmin; d -= 2) {
        const Lin tlo = Fd(d - 1), thi = Fd(d + 1);
        const Lin x0 = tlo < thi ? thi : tlo + 1;
        Lin x = x0, y = x0 - d;
        while (x < xlim && y < ylim && Equal(x, y)) {
          ++x;
          ++y;
        }
        if (x - x0 > kSnakeLimit) big_snake = true;
        Fd(d) = x;
        if (odd && bmin <= d && d <= bmax && Bd(d) <= x) {
          *part = {x, y, true, true};
          return;
        }
      }
      // And backward.
      if (bmin > dmin) {
        Bd(--bmin - 1) = kLinMax;
      } else {
        ++bmin;
      }
      if (bmax < dmax) {
        Bd(++bmax + 1) = kLinMax;
      } else {
        --bmax;
      }
      for (Lin d = bmax; d >= bmin; d -= 2) {
        const Lin tlo = Bd(d - 1), thi = Bd(d + 1);
        const Lin x0 = tlo < thi ? tlo : thi - 1;
        Lin x = x0, y = x0 - d;
        while (xoff < x && yoff < y && Equal(x - 1, y - 1)) {
          --x;
          --y;
        }
        if (x0 - x > kSnakeLimit) big_snake = true;
        Bd(d) = x;
        if (!odd && fmin <= d && d <= fmax && x <= Fd(d)) {
          *part = {x, y, true, true};
          return;
        }
      }
      if (find_minimal) continue;

      // -H: a diagonal that has progressed far for its cost, ending in a
      // big snake, is taken as if it were the midpoint.
      if (200 < c && big_snake && config_.speed_large_files) {
        Lin best = 0;
        for (Lin d = fmax; d >= fmin; d -= 2) {
          const Lin dd = d - fmid;
          const Lin x = Fd(d), y = x - d;
          const Lin v = (x - xoff) * 2 - dd;
          if (v > 12 * (c + (dd < 0 ? -dd : dd)) && v > best && xoff + kSnakeLimit <= x &&
              x < xlim && yoff + kSnakeLimit <= y && y < ylim) {
            for (Lin k = 1; Equal(x - k, y - k); k++) {
              if (k == kSnakeLimit) {
                best = v;
                part->xmid = x;
                part->ymid = y;
                break;
              }
            }
          }
        }
        if (best > 0) {
          part->lo_minimal = true;
          part->hi_minimal = false;
          return;
        }
        best = 0;
        for (Lin d = bmax; d >= bmin; d -= 2) {
          const Lin dd = d - bmid;
          const Lin x = Bd(d), y = x - d;
          const Lin v = (xlim - x) * 2 + dd;
          if (v > 12 * (c + (dd < 0 ? -dd : dd)) && v > best && xoff < x &&
              x <= xlim - kSnakeLimit && yoff < y && y <= ylim - kSnakeLimit) {
            for (Lin k = 0; Equal(x + k, y + k); k++) {
              if (k == kSnakeLimit - 1) {
                best = v;
                part->xmid = x;
                part->ymid = y;
                break;
              }
            }
          }
        }
        if (best > 0) {
          part->lo_minimal = false;
          part->hi_minimal = true;
          return;
        }
      }

      // Too expensive: settle halfway, on the diagonal that got furthest
      // (forward: largest x+y; backward: smallest).
      if (c >= too_expensive_) {
        Lin fxybest = -1, fxbest = 0;
        for (Lin d = fmax; d >= fmin; d -= 2) {
          Lin x = std::min(Fd(d), xlim);
          Lin y = x - d;
          if (ylim < y) {
            x = ylim + d;
            y = ylim;
          }
          if (fxybest < x + y) {
            fxybest = x + y;
            fxbest = x;
          }
        }
        Lin bxybest = kLinMax, bxbest = 0;
        for (Lin d = bmax; d >= bmin; d -= 2) {
          Lin x = std::max(xoff, Bd(d));
          Lin y = x - d;
          if (y < yoff) {
            x = yoff + d;
            y = yoff;
          }
          if (x + y < bxybest) {
            bxybest = x + y;
            bxbest = x;
          }
        }
        if ((xlim + ylim) - bxybest < fxybest - (xoff + yoff)) {
          *part = {fxbest, fxybest - fxbest, true, false};
        } else {
          *part = {bxbest, bxybest - bxbest, false, true};
        }
        return;
      }
    }
  }

  // Marks the changed lines of [xoff,xlim) x [yoff,ylim) (GNU's
  // compareseq): trims the common ends, splits at the midpoint, recurses on
  // the smaller half and iterates on the other.
  void CompareSeq(Lin xoff, Lin xlim, Lin yoff, Lin ylim, bool find_minimal) {
    while (true) {
      while (xoff < xlim && yoff < ylim && Equal(xoff, yoff)) {
        ++xoff;
        ++yoff;
      }
      while (xoff < xlim && yoff < ylim && Equal(xlim - 1, ylim - 1)) {
        --xlim;
        --ylim;
      }
      if (xoff == xlim) {
        for (; yoff < ylim; ++yoff) Changed(1, realindexes_[1][yoff]) = 1;
        return;
      }
      if (yoff == ylim) {
        for (; xoff < xlim; ++xoff) Changed(0, realindexes_[0][xoff]) = 1;
        return;
      }
      Partition part;
      Diag(xoff, xlim, yoff, ylim, find_minimal, &part);
      Lin xoff1, xlim1, yoff1, ylim1, xoff2, xlim2, yoff2, ylim2;
      bool minimal1, minimal2;
      if ((xlim + ylim) - (part.xmid + part.ymid) < (part.xmid + part.ymid) - (xoff + yoff)) {
        // The second half is smaller: it goes first (order is irrelevant).
        xoff1 = part.xmid, xlim1 = xlim, yoff1 = part.ymid, ylim1 = ylim;
        minimal1 = part.hi_minimal;
        xoff2 = xoff, xlim2 = part.xmid, yoff2 = yoff, ylim2 = part.ymid;
        minimal2 = part.lo_minimal;
      } else {
        xoff1 = xoff, xlim1 = part.xmid, yoff1 = yoff, ylim1 = part.ymid;
        minimal1 = part.lo_minimal;
        xoff2 = part.xmid, xlim2 = xlim, yoff2 = part.ymid, ylim2 = ylim;
        minimal2 = part.hi_minimal;
      }
      CompareSeq(xoff1, xlim1, yoff1, ylim1, minimal1);
      xoff = xoff2, xlim = xlim2, yoff = yoff2, ylim = ylim2;
      find_minimal = minimal2;
    }
  }

  // ---- step 5: slide runs of changes (shift_boundaries)
  void ShiftBoundaries() {
    for (int f = 0; f < 2; ++f) {
      const int g = 1 - f;
      const std::vector<Lin>& equivs = equivs_[f];
      auto changed = [this, f](Lin i) -> char& { return Changed(f, i); };
      auto other = [this, g](Lin j) -> char { return IsChanged(g, j); };
      const Lin i_end = buffered_[f];
      Lin i = 0, j = 0;
      while (true) {
        // The next run of changes, and the matching point in the other file.
        while (i < i_end && !IsChanged(f, i)) {
          while (other(j++)) {
          }
          i++;
        }
        if (i == i_end) break;
        Lin start = i;
        while (IsChanged(f, ++i)) {
        }
        while (other(j)) j++;
        Lin runlength, corresponding;
        do {
          runlength = i - start;
          // Up, while the line before the run equals its last line: this
          // merges with changes above.
          while (start != 0 && equivs[start - 1] == equivs[i - 1]) {
            changed(--start) = 1;
            changed(--i) = 0;
            while (IsChanged(f, start - 1)) start--;
            while (other(--j)) {
            }
          }
          // Where the run last lined up with changes in the other file
          // (i_end: nowhere).
          corresponding = other(j - 1) ? i : i_end;
          // Then down as far as possible, merging with changes below.
          while (i != i_end && equivs[start] == equivs[i]) {
            changed(start++) = 0;
            changed(i++) = 1;
            while (IsChanged(f, i)) i++;
            while (other(++j)) corresponding = i;
          }
        } while (runlength != i - start);
        // Back up to end where the other file's changes end, if possible.
        while (corresponding < i) {
          changed(--start) = 1;
          changed(--i) = 0;
          while (other(--j)) {
          }
        }
      }
    }
  }

  // The edit script, in order, in whole-file line numbers.
  std::vector<Change> BuildScript() {
    std::vector<Change> script;
    Lin i0 = buffered_[0], i1 = buffered_[1];
    while (i0 >= 0 || i1 >= 0) {
      if (IsChanged(0, i0 - 1) || IsChanged(1, i1 - 1)) {
        const Lin end0 = i0, end1 = i1;
        while (IsChanged(0, i0 - 1)) --i0;
        while (IsChanged(1, i1 - 1)) --i1;
        script.push_back({i0 + prefix_lines_, i1 + prefix_lines_, end0 - i0, end1 - i1});
      }
      --i0;
      --i1;
    }
    std::reverse(script.begin(), script.end());
    return script;
  }

  const Config& config_;
  LineEquality equality_;
  const Text* text_[2];
  Lin prefix_lines_ = 0;        // lines common to both files before the buffered ones
  Lin buffered_[2] = {0, 0};    // lines compared in each file
  std::vector<Lin> equivs_[2];  // class of each buffered line
  Lin class_count_ = 0;
  std::vector<Lin> undiscarded_[2];  // classes of the lines not discarded
  std::vector<Lin> realindexes_[2];  // their buffered line numbers
  std::vector<char> changed_[2];     // per buffered line, with a 0 on each side
  std::vector<Lin> diag_;            // forward then backward diagonals
  Lin diag_size_ = 0, diag_offset_ = 0;
  Lin too_expensive_ = 4096;
};

// ================================================================== output

// GNU's c_escape for file names in headers and "diff -r" lines: quoted
// when they hold a space or a byte to escape (C escapes, octal for other
// control bytes and for bytes >= 0x80, which are negative chars there).
std::string CEscape(std::string_view name) {
  bool must_quote = false;
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    if (c == ' ' || c == '"' || c == '\\' || u < 32 || u >= 0x80) must_quote = true;
  }
  if (!must_quote) return std::string(name);
  std::string out = "\"";
  for (char c : name) {
    unsigned char u = static_cast<unsigned char>(c);
    switch (c) {
      case '\a':
        out += "\\a";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\t':
        out += "\\t";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\v':
        out += "\\v";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\r':
        out += "\\r";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (u < 32 || u >= 0x80) {
          out += '\\';
          out += static_cast<char>('0' + ((u >> 6) & 3));
          out += static_cast<char>('0' + ((u >> 3) & 7));
          out += static_cast<char>('0' + (u & 7));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

// How header times are rendered: the command's time zone must be UTC or
// the process's own (localtime_r then renders it).
struct Zone {
  bool known = true;
  bool utc = true;
};

Zone CommandZone(const CommandEnv& env) {
  const char* process_tz = std::getenv("TZ");
  std::optional<std::string_view> tz;
  if (env.environment != nullptr) {
    tz = env.Getenv("TZ");
  } else if (process_tz != nullptr) {
    tz = process_tz;
  }
  if (!tz) return {process_tz == nullptr, false};  // /etc/localtime, as the process
  std::string_view t = *tz;
  if (!t.empty() && t[0] == ':') t.remove_prefix(1);
  // Names glibc reads as UTC with offset +0000.
  static constexpr std::string_view kUtcNames[] = {
      "",         "UTC",       "UTC0",  "Etc/UTC", "UCT",      "Universal",
      "Zulu",     "Etc/UCT",   "GMT",   "GMT0",    "Etc/GMT",  "Etc/Universal",
      "Etc/Zulu", "Greenwich", "GMT+0", "GMT-0",   "Etc/GMT0", "Etc/Greenwich"};
  for (std::string_view name : kUtcNames) {
    if (t == name) return {true, true};
  }
  if (process_tz != nullptr && *tz == process_tz) return {true, false};
  return {false, false};
}

// Whether LC_TIME names a locale other than C/POSIX that exists (GNU's
// hard_locale): diff -c then prints ISO times.
bool HardTimeLocale(const CommandEnv& env) {
  std::string value;
  if (env.environment != nullptr) {
    for (const char* var : {"LC_ALL", "LC_TIME", "LANG"}) {
      std::optional<std::string_view> v = env.Getenv(var);
      if (v && !v->empty()) {
        value = std::string(*v);
        break;
      }
    }
  } else {
    const char* current = setlocale(LC_TIME, nullptr);
    value = current != nullptr ? current : "C";
  }
  if (value.empty() || value == "C" || value == "POSIX") return false;
  locale_t probe = newlocale(LC_TIME_MASK, value.c_str(), static_cast<locale_t>(0));
  if (probe == static_cast<locale_t>(0)) return false;
  freelocale(probe);
  return true;
}

std::optional<std::string> FormatTime(int64_t ns, const Zone& zone, bool posix_format) {
  if (!zone.known) return std::nullopt;
  int64_t sec = ns / 1'000'000'000;
  int64_t nsec = ns % 1'000'000'000;
  if (nsec < 0) {
    nsec += 1'000'000'000;
    --sec;
  }
  time_t t = static_cast<time_t>(sec);
  struct tm tm;
  if ((zone.utc ? gmtime_r(&t, &tm) : localtime_r(&t, &tm)) == nullptr) return std::nullopt;
  char buf[128];
  if (posix_format) {
    if (std::strftime(buf, sizeof buf, "%a %b %e %T %Y", &tm) == 0) return std::nullopt;
    return std::string(buf);
  }
  if (std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm) == 0) return std::nullopt;
  std::string out = buf;
  char frac[16];
  std::snprintf(frac, sizeof frac, ".%09" PRId64, nsec);
  out += frac;
  if (zone.utc) {
    out += " +0000";
  } else {
    if (std::strftime(buf, sizeof buf, " %z", &tm) == 0) return std::nullopt;
    out += buf;
  }
  return out;
}

// What kind of node a file is (GNU's file_type wording in "File X is a
// ... while file Y is a ...").
enum class Kind { kRegular, kDirectory, kCharDevice, kFifo };

// Where a file's bytes come from.
enum class Source { kNone, kStdin, kProcess, kMount, kDevNull, kHost };

// One side of a comparison: GNU's struct file_data before reading.
struct FileData {
  std::string name;
  // GNU's desc markers: a file not opened yet (it exists), one that does
  // not exist but is compared as empty (-N), a failed stat, or stdin.
  enum class Desc { kUnopened, kNonexistent, kError, kStdin } desc = Desc::kUnopened;
  vfs::Status::Code error = vfs::Status::Code::kOk;
  Kind kind = Kind::kRegular;
  uint64_t size = 0;
  uint32_t mode = 0644;
  int64_t mtime_ns = 0;
  bool mtime_known = true;
  std::string identity;  // equal identities: the same file
  Source source = Source::kNone;
  std::string vfs_path;
  bool IsDir() const { return kind == Kind::kDirectory; }
  const char* TypeName() const {
    switch (kind) {
      case Kind::kDirectory:
        return "directory";
      case Kind::kCharDevice:
        return "character special file";
      case Kind::kFifo:
        return "fifo";
      case Kind::kRegular:
        break;
    }
    return size == 0 ? "regular empty file" : "regular file";
  }
};

struct Comparison {
  FileData file[2];
  const Comparison* parent = nullptr;
};

// gnulib's file_name_concat(DIR, NAME): one '/' between them, none after a
// root or a name already ending in '/'.
std::string FileNameConcat(std::string_view dir, std::string_view name) {
  size_t base = 0;  // last_component(dir)
  while (base < dir.size() && dir[base] == '/') ++base;
  bool last_was_slash = false;
  for (size_t p = base; p < dir.size(); ++p) {
    if (dir[p] == '/') {
      last_was_slash = true;
    } else if (last_was_slash) {
      base = p;
      last_was_slash = false;
    }
  }
  size_t base_len = dir.size() - base;  // base_len: without trailing slashes
  while (base_len > 1 && dir[base + base_len - 1] == '/') --base_len;
  size_t dirlen = base + base_len;
  std::string out(dir.substr(0, dirlen));
  if (base_len != 0) {
    if (dir[dirlen - 1] != '/' && (name.empty() || name[0] != '/')) out += '/';
  } else if (!name.empty() && name[0] == '/') {
    out += '.';
  }
  out += name;
  return out;
}

// gnulib's last_component: the name after the last run of slashes.
std::string_view LastComponent(std::string_view name) {
  size_t base = 0;
  while (base < name.size() && name[base] == '/') ++base;
  bool last_was_slash = false;
  for (size_t p = base; p < name.size(); ++p) {
    if (name[p] == '/') {
      last_was_slash = true;
    } else if (last_was_slash) {
      base = p;
      last_was_slash = false;
    }
  }
  return name.substr(base);
}

// ================================================================ the run

class Diff {
 public:
  Diff(const Config& config, CommandEnv& env, CommandIo& io, std::string_view program)
      : config_(config), env_(env), io_(io), program_(program), zone_(CommandZone(env)) {}

  // GNU's compare_files; a null name: the file exists only on the other
  // side (directory comparisons). Returns 0, 1 or 2.
  int CompareFiles(const Comparison* parent, const std::string* name0, const std::string* name1);

  bool stopped() const { return stopped_ || !io_.unsupported.empty(); }

 private:
  void Message(std::string_view text) { io_.out += text; }
  void PerrorWithName(const std::string& name, vfs::Status::Code code) {
    io_.err += std::string(program_) + ": " + name + ": " + ErrnoText(code) + "\n";
  }
  void Fatal(std::string_view text) {
    io_.err += std::string(program_) + ": " + std::string(text) + "\n";
    stopped_ = true;
    fatal_ = true;
  }
  bool StatFile(FileData* f);
  bool LoadText(const FileData& f, std::string* storage, std::string_view* data);
  int DiffDirs(const Comparison& cmp);
  int DiffTwoFiles(const Comparison& cmp);
  bool ListDir(const FileData& f, std::vector<std::string>* names);
  const std::string& Label(const Comparison& cmp, int f) const {
    return config_.label[f] ? *config_.label[f] : cmp.file[f].name;
  }
  // Prints hunks of `script` over the two texts.
  void PrintScript(const Comparison& cmp, const Text* text, std::vector<Change>& script);
  void BeginOutput(const Comparison& cmp);
  std::optional<std::string> HeaderTime(const FileData& f);
  void PrintLine(const Text& t, Lin i, std::string_view flag, std::string* out) const;
  void OutputLine(std::string_view line, std::string_view flag_text, std::string* out) const;
  enum HunkKind { kUnchanged = 0, kOld = 1, kNew = 2, kChanged = 3 };
  HunkKind AnalyzeHunk(const Text* text, const Change* begin, const Change* end, Lin* first0,
                       Lin* last0, Lin* first1, Lin* last1) const;
  bool TrivialLine(std::string_view line) const;

 public:
  bool fatal() const { return fatal_; }

 private:
  const Config& config_;
  CommandEnv& env_;
  CommandIo& io_;
  std::string_view program_;
  Zone zone_;
  bool stopped_ = false;
  bool fatal_ = false;
  bool output_started_ = false;  // the "diff -r" line and header are out
};

// Stats a named file the way GNU's compare_files does (stat, or fstat of
// stdin for "-"). False when io.unsupported was set.
bool Diff::StatFile(FileData* f) {
  const std::string& name = f->name;
  if (name == "-") {
    f->desc = FileData::Desc::kStdin;
    f->source = Source::kStdin;
    f->kind = io_.stdin_regular ? Kind::kRegular : Kind::kFifo;
    f->size = io_.stdin_data.size();
    f->identity = "stdin";
    f->mtime_ns = env_.options.now_ns;  // POSIX: stdin's time is now
    return true;
  }
  if (env_.process_file && name.rfind("/dev/fd/", 0) == 0) {
    if (std::optional<std::string_view> made = env_.process_file(name)) {
      f->source = Source::kProcess;
      f->kind = Kind::kFifo;
      f->size = made->size();
      f->identity = "process:" + name;
      f->mtime_ns = env_.options.now_ns;  // a pipe's time: its last write
      return true;
    }
  }
  if (name == "/dev/stdin" || name == "/dev/fd/0") {
    f->source = Source::kStdin;
    f->kind = io_.stdin_regular ? Kind::kRegular : Kind::kFifo;
    f->size = io_.stdin_data.size();
    f->identity = "stdin";
    f->mtime_ns = env_.options.now_ns;
    f->mtime_known = !io_.stdin_regular;  // a redirected file's own time
    return true;
  }
  if (name.empty()) {
    f->desc = FileData::Desc::kError;
    f->error = vfs::Status::Code::kNotFound;
    return true;
  }
  ResolvedPath path = env_.Resolve(name);
  switch (path.where) {
    case ResolvedPath::Where::kDevNull:
      f->source = Source::kDevNull;
      f->kind = Kind::kCharDevice;
      f->identity = "/dev/null";
      f->mtime_known = false;
      return true;
    case ResolvedPath::Where::kHost: {
      if (path.absolute.rfind("/dev/", 0) == 0 || path.absolute.rfind("/proc/", 0) == 0) {
        io_.unsupported = std::string(program_) + " reading a device (" + name + ")";
        return false;
      }
      if (!env_.allow_host) {
        io_.unsupported = std::string(program_) + " reading a host path (" + name + ")";
        io_.needs_host = true;
        return false;
      }
      struct stat st;
      if (::stat(path.absolute.c_str(), &st) != 0) {
        f->desc = FileData::Desc::kError;
        f->error = errno == ENOTDIR  ? vfs::Status::Code::kNotADirectory
                   : errno == EACCES ? vfs::Status::Code::kPermissionDenied
                                     : vfs::Status::Code::kNotFound;
        return true;
      }
      if (!S_ISREG(st.st_mode)) {
        io_.unsupported = std::string(program_) + " of a host directory or device (" + name + ")";
        return false;
      }
      f->source = Source::kHost;
      f->size = static_cast<uint64_t>(st.st_size);
      f->mode = st.st_mode & 07777;
      f->mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
      f->identity = "host:" + std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino);
      return true;
    }
    case ResolvedPath::Where::kMount:
      break;
  }
  vfs::Stat st;
  vfs::Status status = env_.StatResolved(path, &st);
  if (!status.ok()) {
    f->desc = FileData::Desc::kError;
    f->error = status.code();
    return true;
  }
  f->source = Source::kMount;
  f->vfs_path = path.vfs_path;
  f->kind = st.kind == vfs::NodeKind::kDirectory ? Kind::kDirectory : Kind::kRegular;
  f->size = st.size;
  f->mode = st.mode;
  f->mtime_ns = st.mtime_ns;
  f->identity = "mount:" + path.vfs_path;
  return true;
}

// The bytes of a file being compared (empty for a nonexistent one).
bool Diff::LoadText(const FileData& f, std::string* storage, std::string_view* data) {
  switch (f.source) {
    case Source::kNone:
    case Source::kDevNull:
      *data = {};
      return true;
    case Source::kStdin:
      *data = io_.stdin_data;
      return true;
    case Source::kProcess:
      *data = *env_.process_file(f.name);
      return true;
    case Source::kMount:
    case Source::kHost:
      break;
  }
  if (f.desc == FileData::Desc::kNonexistent) {
    *data = {};
    return true;
  }
  vfs::Status::Code error = vfs::Status::Code::kOk;
  InputFile::Open open = ReadWholeOperand(env_, io_, program_, f.name, storage, &error);
  if (open == InputFile::Open::kRefused) return false;
  if (open != InputFile::Open::kOk) {
    PerrorWithName(f.name,
                   open == InputFile::Open::kDirectory ? vfs::Status::Code::kIsADirectory : error);
    return false;
  }
  *data = *storage;
  return true;
}

bool Diff::ListDir(const FileData& f, std::vector<std::string>* names) {
  names->clear();
  if (f.desc == FileData::Desc::kNonexistent) return true;
  if (f.source != Source::kMount) {
    io_.unsupported = std::string(program_) + " of a directory outside the memory (" + f.name + ")";
    return false;
  }
  std::vector<vfs::DirEntry> entries;
  vfs::Status status = env_.store.ListDir(f.vfs_path, &entries);
  if (!status.ok()) {
    PerrorWithName(f.name, status.code());
    return false;
  }
  for (vfs::DirEntry& e : entries) {
    bool excluded = false;
    for (const std::string& pattern : config_.excludes) {
      if (::fnmatch(pattern.c_str(), e.name.c_str(), 0) == 0) excluded = true;
    }
    if (!excluded) names->push_back(std::move(e.name));
  }
  // Locale order, ties broken bytewise.
  std::stable_sort(names->begin(), names->end(), [](const std::string& a, const std::string& b) {
    int c = CollateCompare(a, b);
    if (c != 0) return c < 0;
    return a < b;
  });
  return true;
}

// The names of the two directories, merged in locale order: GNU's
// diff_dirs.
int Diff::DiffDirs(const Comparison& cmp) {
  std::vector<std::string> names[2];
  int status = 0;
  for (int f = 0; f < 2; ++f) {
    if (!ListDir(cmp.file[f], &names[f])) {
      if (!io_.unsupported.empty()) return 2;
      status = 2;
    }
  }
  if (status != 0) return status;
  auto compare_names = [](const std::string& a, const std::string& b) {
    int c = CollateCompare(a, b);
    if (c != 0) return c;
    return a.compare(b);
  };
  size_t i[2] = {0, 0};
  if (config_.starting_file && cmp.parent == nullptr) {
    for (int f = 0; f < 2; ++f) {
      while (i[f] < names[f].size() && compare_names(names[f][i[f]], *config_.starting_file) < 0)
        ++i[f];
    }
  }
  while ((i[0] < names[0].size() || i[1] < names[1].size()) && !stopped()) {
    int order = i[0] == names[0].size()   ? 1
                : i[1] == names[1].size() ? -1
                                          : compare_names(names[0][i[0]], names[1][i[1]]);
    const std::string* n0 = order <= 0 ? &names[0][i[0]++] : nullptr;
    const std::string* n1 = order >= 0 ? &names[1][i[1]++] : nullptr;
    status = std::max(status, CompareFiles(&cmp, n0, n1));
  }
  return status;
}

int Diff::CompareFiles(const Comparison* parent, const std::string* name0,
                       const std::string* name1) {
  if (!((name0 != nullptr && name1 != nullptr) ||
        (config_.unidirectional_new_file && name1 != nullptr) || config_.new_file)) {
    const std::string& name = name0 != nullptr ? *name0 : *name1;
    Message("Only in " + parent->file[name0 == nullptr].name + ": " + name + "\n");
    return 1;
  }
  Comparison cmp;
  cmp.parent = parent;
  cmp.file[0].desc = name0 != nullptr ? FileData::Desc::kUnopened : FileData::Desc::kNonexistent;
  cmp.file[1].desc = name1 != nullptr ? FileData::Desc::kUnopened : FileData::Desc::kNonexistent;
  const std::string& raw0 = name0 != nullptr ? *name0 : *name1;
  const std::string& raw1 = name1 != nullptr ? *name1 : *name0;
  if (parent == nullptr) {
    cmp.file[0].name = raw0;
    cmp.file[1].name = raw1;
  } else {
    cmp.file[0].name = FileNameConcat(parent->file[0].name, raw0);
    cmp.file[1].name = FileNameConcat(parent->file[1].name, raw1);
  }
  for (int f = 0; f < 2; ++f) {
    FileData& file = cmp.file[f];
    if (file.desc == FileData::Desc::kNonexistent) continue;
    if (f == 1 && file.name == cmp.file[0].name) {
      file = cmp.file[0];  // the same name: the same file, stat once
      continue;
    }
    if (!StatFile(&file)) return 2;
  }
  // -N and --unidirectional-new-file: a missing top-level operand whose
  // counterpart exists, or an empty file no one may read, is "nonexistent".
  for (int f = 0; f < 2; ++f) {
    FileData& file = cmp.file[f];
    const FileData& other = cmp.file[1 - f];
    if (!(config_.new_file || (f == 0 && config_.unidirectional_new_file))) continue;
    bool mark;
    if (file.desc == FileData::Desc::kUnopened) {
      mark = file.kind == Kind::kRegular && (file.mode & 0777) == 0 && file.size == 0 &&
             file.source == Source::kMount;
    } else {
      mark = file.desc == FileData::Desc::kError && file.error == vfs::Status::Code::kNotFound &&
             parent == nullptr &&
             (other.desc == FileData::Desc::kUnopened || other.desc == FileData::Desc::kStdin);
    }
    if (mark) file.desc = FileData::Desc::kNonexistent;
  }
  for (int f = 0; f < 2; ++f) {
    FileData& file = cmp.file[f];
    if (file.desc != FileData::Desc::kNonexistent) continue;
    // Zeroed stat (time 0), the other side's type.
    file.size = 0;
    file.mode = 0;
    file.mtime_ns = 0;
    file.mtime_known = true;
    file.identity.clear();
    file.source = Source::kNone;
    file.kind = cmp.file[1 - f].kind;
  }
  int status = 0;
  for (int f = 0; f < 2; ++f) {
    if (cmp.file[f].desc == FileData::Desc::kError) {
      PerrorWithName(cmp.file[f].name, cmp.file[f].error);
      status = 2;
    }
  }
  if (status == 0 && parent == nullptr && cmp.file[0].IsDir() != cmp.file[1].IsDir()) {
    // A directory and a file on the command line: the file of the same
    // name in the directory.
    const int dir_arg = cmp.file[0].IsDir() ? 0 : 1;
    const int file_arg = 1 - dir_arg;
    const std::string file_name = cmp.file[file_arg].name;
    FileData& dir = cmp.file[dir_arg];
    dir.name = FileNameConcat(dir.name, LastComponent(file_name));
    if (file_name == "-") {
      Fatal("cannot compare '-' to a directory");
      return 2;
    }
    FileData fresh;
    fresh.name = dir.name;
    if (!StatFile(&fresh)) return 2;
    if (fresh.desc == FileData::Desc::kError) {
      PerrorWithName(fresh.name, fresh.error);
      status = 2;
    } else {
      dir = fresh;
    }
  }
  const FileData& f0 = cmp.file[0];
  const FileData& f1 = cmp.file[1];
  const bool nonexistent0 = f0.desc == FileData::Desc::kNonexistent;
  const bool nonexistent1 = f1.desc == FileData::Desc::kNonexistent;
  bool same_files = false;
  if (status != 0) {
    // Reported already.
  } else if (nonexistent0 && nonexistent1) {
    // Neither exists: nothing to compare.
  } else if ((same_files = !nonexistent0 && !nonexistent1 && f0.identity == f1.identity)) {
    // The same file: identical without reading it.
  } else if (f0.IsDir() && f1.IsDir()) {
    if (parent != nullptr && !config_.recursive) {
      Message("Common subdirectories: " + f0.name + " and " + f1.name + "\n");
    } else {
      status = DiffDirs(cmp);
    }
  } else if (f0.IsDir() || f1.IsDir() ||
             (parent != nullptr && !(f0.kind == Kind::kRegular && f1.kind == Kind::kRegular))) {
    if (nonexistent0 || nonexistent1) {
      if ((f0.IsDir() || f1.IsDir()) && config_.recursive &&
          (config_.new_file || (config_.unidirectional_new_file && nonexistent0))) {
        status = DiffDirs(cmp);
      } else {
        Message("Only in " + parent->file[nonexistent0].name + ": " + raw0 + "\n");
        status = 1;
      }
    } else {
      Message("File " + Label(cmp, 0) + " is a " + f0.TypeName() + " while file " + Label(cmp, 1) +
              " is a " + f1.TypeName() + "\n");
      status = 1;
    }
  } else if (config_.treat_as_binary && f0.kind == Kind::kRegular && f1.kind == Kind::kRegular &&
             f0.size != f1.size && f0.size > 0 && f1.size > 0 && f0.source != Source::kStdin &&
             f1.source != Source::kStdin) {
    Message("Files " + Label(cmp, 0) + " and " + Label(cmp, 1) + " differ\n");
    status = 1;
  } else {
    status = DiffTwoFiles(cmp);
  }
  if (!io_.unsupported.empty() || fatal_) return 2;
  if (status == 0 && config_.report_identical && !f0.IsDir()) {
    Message("Files " + Label(cmp, 0) + " and " + Label(cmp, 1) + " are identical\n");
  }
  if (io_.OutputEnough()) stopped_ = true;
  return status;
}

// GNU's diff_2_files: binary files compare as bytes, text files line by
// line.
int Diff::DiffTwoFiles(const Comparison& cmp) {
  std::string storage[2];
  std::string_view data[2];
  for (int f = 0; f < 2; ++f) {
    if (!LoadText(cmp.file[f], &storage[f], &data[f])) return 2;
  }
  // The first block GNU reads (4096 bytes: the block size of the files
  // and pipes here) decides whether a file is binary.
  constexpr size_t kBinaryProbe = 4096;
  auto binary = [](std::string_view d) {
    return d.substr(0, kBinaryProbe).find('\0') != std::string_view::npos;
  };
  bool as_binary =
      config_.treat_as_binary || (!config_.text && (binary(data[0]) || binary(data[1])));
  if (as_binary) {
    if (data[0] == data[1]) return 0;
    Message(std::string(config_.brief ? "Files " : "Binary files ") + Label(cmp, 0) + " and " +
            Label(cmp, 1) + " differ\n");
    return 1;
  }
  Text text[2] = {PrepareText(data[0], config_.strip_trailing_cr),
                  PrepareText(data[1], config_.strip_trailing_cr)};
  Analysis analysis(config_, text[0], text[1]);
  std::vector<Change> script = analysis.Run();
  bool changes = !script.empty();
  if (config_.ignore_blank_lines && changes) {
    changes = false;
    for (const Change& c : script) {
      Lin a, b, x, y;
      if (AnalyzeHunk(text, &c, &c + 1, &a, &b, &x, &y) != kUnchanged) {
        changes = true;
        break;
      }
    }
  }
  if (config_.brief) {
    if (changes) Message("Files " + Label(cmp, 0) + " and " + Label(cmp, 1) + " differ\n");
  } else if (changes) {
    output_started_ = false;
    PrintScript(cmp, text, script);
  }
  return changes ? 1 : 0;
}

// Whether a line counts as blank for -B (GNU's analyze_hunk: empty, or
// only blanks with -Z/-b/-w, leading ones too with -b/-w).
bool Diff::TrivialLine(std::string_view line) const {
  // `line` has its '\n'.
  size_t len = line.size() - 1;
  size_t p = 0;
  if (config_.white_space >= kTrailingSpace) {
    for (; line[p] != '\n'; ++p) {
      if (!IsSpace(line[p])) {
        if (config_.white_space < kSpaceChange) p = 0;
        break;
      }
    }
  }
  return len - p == 0;
}

Diff::HunkKind Diff::AnalyzeHunk(const Text* text, const Change* begin, const Change* end,
                                 Lin* first0, Lin* last0, Lin* first1, Lin* last1) const {
  bool trivial = config_.ignore_blank_lines;
  Lin show_from = 0, show_to = 0;
  *first0 = begin->line0;
  *first1 = begin->line1;
  for (const Change* c = begin; c != end; ++c) {
    *last0 = c->line0 + c->deleted - 1;
    *last1 = c->line1 + c->inserted - 1;
    show_from += c->deleted;
    show_to += c->inserted;
    for (Lin i = c->line0; i <= *last0 && trivial; ++i) trivial = TrivialLine(text[0].Line(i));
    for (Lin i = c->line1; i <= *last1 && trivial; ++i) trivial = TrivialLine(text[1].Line(i));
  }
  if (trivial) return kUnchanged;
  return static_cast<HunkKind>((show_from ? kOld : 0) | (show_to ? kNew : 0));
}

std::optional<std::string> Diff::HeaderTime(const FileData& f) {
  if (!f.mtime_known) return std::nullopt;
  return FormatTime(f.mtime_ns, zone_, config_.posix_time_format);
}

// The "diff -r ..." line of a recursive comparison and the -c/-u header,
// printed before the first hunk.
void Diff::BeginOutput(const Comparison& cmp) {
  if (output_started_) return;
  output_started_ = true;
  std::string names[2] = {CEscape(Label(cmp, 0)), CEscape(Label(cmp, 1))};
  std::string out;
  if (cmp.parent != nullptr)
    out += "diff" + config_.switch_string + " " + names[0] + " " + names[1] + "\n";
  if (config_.style == Style::kContext || config_.style == Style::kUnified) {
    const bool unified = config_.style == Style::kUnified;
    const char* marks[2] = {unified ? "---" : "***", unified ? "+++" : "---"};
    for (int f = 0; f < 2; ++f) {
      if (config_.label[f]) {
        out += std::string(marks[f]) + " " + *config_.label[f] + "\n";
        continue;
      }
      std::optional<std::string> when = HeaderTime(cmp.file[f]);
      if (!when) {
        io_.unsupported = std::string(program_) + " header time of " + cmp.file[f].name +
                          " (unknown here, or another time zone)";
        return;
      }
      out += std::string(marks[f]) + " " + names[f] + "\t" + *when + "\n";
    }
  }
  io_.out += out;
}

// Writes a line's text (without its '\n'), expanding tabs with -t: GNU's
// output_1_line. `flag_text` is repeated after an inner CR with -t.
void Diff::OutputLine(std::string_view line, std::string_view flag_text, std::string* out) const {
  if (!config_.expand_tabs) {
    out->append(line);
    return;
  }
  size_t column = 0;
  for (size_t k = 0; k < line.size(); ++k) {
    unsigned char c = line[k];
    switch (c) {
      case '\t': {
        size_t spaces = config_.tabsize - column % config_.tabsize;
        column += spaces;
        out->append(spaces, ' ');
        break;
      }
      case '\r':
        out->push_back('\r');
        if (!flag_text.empty() && k + 1 < line.size() && line[k + 1] != '\n')
          out->append(flag_text);
        column = 0;
        break;
      case '\b':
        if (column == 0) continue;
        column--;
        out->push_back('\b');
        break;
      default:
        column += IsPrint(c);
        out->push_back(static_cast<char>(c));
        break;
    }
  }
}

// One line with its flag ("<", ">", "!", "+", "-", " " or none), as GNU's
// print_1_line_nl then the newline: an incomplete line gets the "\ No
// newline at end of file" marker instead.
void Diff::PrintLine(const Text& t, Lin i, std::string_view flag, std::string* out) const {
  std::string_view line = t.Line(i);
  line.remove_suffix(1);  // its '\n' (real or appended)
  const bool empty = line.empty();
  std::string flag_text;
  if (!flag.empty()) {
    flag_text = std::string(flag) + (config_.initial_tab ? "\t" : " ");
    if (config_.suppress_blank_empty && empty) {
      out->append(flag == " " ? std::string_view() : flag);
    } else {
      out->append(flag_text);
    }
  }
  OutputLine(line, flag_text, out);
  out->append(t.Incomplete(i) ? "\n\\ No newline at end of file\n" : "\n");
}

// The hunks of a script in the chosen style.
void Diff::PrintScript(const Comparison& cmp, const Text* text, std::vector<Change>& script) {
  const Lin context = config_.context;
  auto number = [](Lin n) { return std::to_string(n); };
  if (config_.style == Style::kNormal) {
    for (const Change& c : script) {
      Lin first0, last0, first1, last1;
      HunkKind kind = AnalyzeHunk(text, &c, &c + 1, &first0, &last0, &first1, &last1);
      if (kind == kUnchanged) continue;
      BeginOutput(cmp);
      if (!io_.unsupported.empty()) return;
      // A range prints as "a,b", or just the one line (for an empty range:
      // the line before it).
      auto range = [&number](Lin a, Lin b) {
        Lin ta = a + 1, tb = b + 1;
        return tb > ta ? number(ta) + "," + number(tb) : number(tb);
      };
      std::string out = range(first0, last0) + " dac"[kind] + range(first1, last1) + "\n";
      if (kind & kOld) {
        for (Lin i = first0; i <= last0; ++i) PrintLine(text[0], i, "<", &out);
      }
      if (kind == kChanged) out += "---\n";
      if (kind & kNew) {
        for (Lin i = first1; i <= last1; ++i) PrintLine(text[1], i, ">", &out);
      }
      io_.out += out;
      if (io_.OutputEnough()) {
        stopped_ = true;
        return;
      }
    }
    return;
  }
  // Context and unified output group changes less than 2*context+1 lines
  // apart (context lines when the next change is only blank lines, -B).
  for (Change& c : script) {
    Lin a, b, x, y;
    c.ignore =
        config_.ignore_blank_lines && AnalyzeHunk(text, &c, &c + 1, &a, &b, &x, &y) == kUnchanged;
  }
  const Lin total0 = text[0].lines(), total1 = text[1].lines();
  size_t next = 0;
  while (next < script.size()) {
    size_t begin = next, end = next;
    while (true) {
      const Lin top0 = script[end].line0 + script[end].deleted;
      ++end;
      if (end == script.size()) break;
      const Lin threshold = script[end].ignore ? context : 2 * context + 1;
      if (script[end].line0 - top0 >= threshold) break;
    }
    next = end;
    Lin first0, last0, first1, last1;
    HunkKind kind = AnalyzeHunk(text, &script[begin], &script[begin] + (end - begin), &first0,
                                &last0, &first1, &last1);
    if (kind == kUnchanged) continue;
    first0 = std::max<Lin>(first0 - context, 0);
    first1 = std::max<Lin>(first1 - context, 0);
    last0 = last0 < total0 - context ? last0 + context : total0 - 1;
    last1 = last1 < total1 - context ? last1 + context : total1 - 1;
    BeginOutput(cmp);
    if (!io_.unsupported.empty()) return;
    std::string out;
    if (config_.style == Style::kUnified) {
      auto range = [&number](Lin a, Lin b) {
        Lin ta = a + 1, tb = b + 1;
        if (tb <= ta) return tb < ta ? number(tb) + ",0" : number(tb);
        return number(ta) + "," + number(tb - ta + 1);
      };
      out = "@@ -" + range(first0, last0) + " +" + range(first1, last1) + " @@\n";
      Lin i = first0, j = first1;
      size_t k = begin;
      while (i <= last0 || j <= last1) {
        if (k == end || i < script[k].line0) {
          // Context, from file 0.
          std::string_view line = text[0].Line(i);
          const bool blank = line.size() == 1;
          if (!(config_.suppress_blank_empty && blank)) out += config_.initial_tab ? '\t' : ' ';
          std::string_view body = line.substr(0, line.size() - 1);
          OutputLine(body, "", &out);
          out += text[0].Incomplete(i) ? "\n\\ No newline at end of file\n" : "\n";
          ++i;
          ++j;
          continue;
        }
        for (int f = 0; f < 2; ++f) {
          Lin& at = f == 0 ? i : j;
          Lin count = f == 0 ? script[k].deleted : script[k].inserted;
          for (; count > 0; --count, ++at) {
            std::string_view line = text[f].Line(at);
            out += f == 0 ? '-' : '+';
            if (config_.initial_tab && !(config_.suppress_blank_empty && line.size() == 1))
              out += '\t';
            OutputLine(line.substr(0, line.size() - 1), "", &out);
            out += text[f].Incomplete(at) ? "\n\\ No newline at end of file\n" : "\n";
          }
        }
        ++k;
      }
    } else {
      auto range = [&number](Lin a, Lin b) {
        Lin ta = a + 1, tb = b + 1;
        return tb <= ta ? number(tb) : number(ta) + "," + number(tb);
      };
      out = "***************\n*** " + range(first0, last0) + " ****\n";
      // Each file's lines, marked "!" (changed: the change has lines on
      // both sides), "-" or "+" (only on this side), " " (context).
      for (int f = 0; f < 2; ++f) {
        if (f == 1) out += "--- " + range(first1, last1) + " ----\n";
        if (!(kind & (f == 0 ? kOld : kNew))) continue;
        const Lin first = f == 0 ? first0 : first1, last = f == 0 ? last0 : last1;
        size_t k = begin;
        for (Lin i = first; i <= last; ++i) {
          auto start = [f](const Change& c) { return f == 0 ? c.line0 : c.line1; };
          auto count = [f](const Change& c) { return f == 0 ? c.deleted : c.inserted; };
          auto other = [f](const Change& c) { return f == 0 ? c.inserted : c.deleted; };
          while (k < end && start(script[k]) + count(script[k]) <= i) ++k;
          std::string_view flag = " ";
          if (k < end && start(script[k]) <= i)
            flag = other(script[k]) > 0 ? "!" : (f == 0 ? "-" : "+");
          PrintLine(text[f], i, flag, &out);
        }
      }
    }
    io_.out += out;
    if (io_.OutputEnough()) {
      stopped_ = true;
      return;
    }
  }
}

// ============================================================ command line

// Option ids: the short letter, or one of these for long-only options and
// for long forms whose argument is optional where the letter's is not.
enum DiffOption : int {
  kBinaryOpt = 256,
  kChangedGroupFormatOpt,
  kColorOpt,
  kContextLongOpt,
  kFromFileOpt,
  kHelpOpt,
  kHorizonLinesOpt,
  kIgnoreFileNameCaseOpt,
  kInhibitHunkMergeOpt,
  kLeftColumnOpt,
  kLineFormatOpt,
  kNewGroupFormatOpt,
  kNewLineFormatOpt,
  kNoDereferenceOpt,
  kNoIgnoreFileNameCaseOpt,
  kNormalOpt,
  kOldGroupFormatOpt,
  kOldLineFormatOpt,
  kPaletteOpt,
  kSdiffMergeAssistOpt,
  kStripTrailingCrOpt,
  kSuppressBlankEmptyOpt,
  kSuppressCommonLinesOpt,
  kTabsizeOpt,
  kToFileOpt,
  kUnchangedGroupFormatOpt,
  kUnchangedLineFormatOpt,
  kUnifiedLongOpt,
  kPresumeTtyOpt,
};

// diff's options, long ones in the order of GNU's longopts table (its
// order lists ambiguous abbreviations), then the letters without a long
// form.
const std::vector<OptionSpec>& DiffOptions() {
  static const std::vector<OptionSpec> kSpecs = {
      {'\0', "binary", false, kBinaryOpt},
      {'q', "brief", false, 'q'},
      {'\0', "changed-group-format", true, kChangedGroupFormatOpt},
      {'\0', "color", false, kColorOpt},          // optional argument
      {'\0', "context", false, kContextLongOpt},  // optional argument
      {'e', "ed", false, 'e'},
      {'x', "exclude", true, 'x'},
      {'X', "exclude-from", true, 'X'},
      {'t', "expand-tabs", false, 't'},
      {'f', "forward-ed", false, 'f'},
      {'\0', "from-file", true, kFromFileOpt},
      {'\0', "help", false, kHelpOpt},
      {'\0', "horizon-lines", true, kHorizonLinesOpt},
      {'D', "ifdef", true, 'D'},
      {'w', "ignore-all-space", false, 'w'},
      {'B', "ignore-blank-lines", false, 'B'},
      {'i', "ignore-case", false, 'i'},
      {'\0', "ignore-file-name-case", false, kIgnoreFileNameCaseOpt},
      {'I', "ignore-matching-lines", true, 'I'},
      {'b', "ignore-space-change", false, 'b'},
      {'E', "ignore-tab-expansion", false, 'E'},
      {'Z', "ignore-trailing-space", false, 'Z'},
      {'\0', "inhibit-hunk-merge", false, kInhibitHunkMergeOpt},
      {'T', "initial-tab", false, 'T'},
      {'L', "label", true, 'L'},
      {'\0', "left-column", false, kLeftColumnOpt},
      {'\0', "line-format", true, kLineFormatOpt},
      {'d', "minimal", false, 'd'},
      {'N', "new-file", false, 'N'},
      {'\0', "new-group-format", true, kNewGroupFormatOpt},
      {'\0', "new-line-format", true, kNewLineFormatOpt},
      {'\0', "no-dereference", false, kNoDereferenceOpt},
      {'\0', "no-ignore-file-name-case", false, kNoIgnoreFileNameCaseOpt},
      {'\0', "normal", false, kNormalOpt},
      {'\0', "old-group-format", true, kOldGroupFormatOpt},
      {'\0', "old-line-format", true, kOldLineFormatOpt},
      {'l', "paginate", false, 'l'},
      {'\0', "palette", true, kPaletteOpt},
      {'n', "rcs", false, 'n'},
      {'r', "recursive", false, 'r'},
      {'s', "report-identical-files", false, 's'},
      {'\0', "sdiff-merge-assist", false, kSdiffMergeAssistOpt},
      {'p', "show-c-function", false, 'p'},
      {'F', "show-function-line", true, 'F'},
      {'y', "side-by-side", false, 'y'},
      {'H', "speed-large-files", false, 'H'},
      {'S', "starting-file", true, 'S'},
      {'\0', "strip-trailing-cr", false, kStripTrailingCrOpt},
      {'\0', "suppress-blank-empty", false, kSuppressBlankEmptyOpt},
      {'\0', "suppress-common-lines", false, kSuppressCommonLinesOpt},
      {'\0', "tabsize", true, kTabsizeOpt},
      {'a', "text", false, 'a'},
      {'\0', "to-file", true, kToFileOpt},
      {'\0', "unchanged-group-format", true, kUnchangedGroupFormatOpt},
      {'\0', "unchanged-line-format", true, kUnchangedLineFormatOpt},
      {'P', "unidirectional-new-file", false, 'P'},
      {'\0', "unified", false, kUnifiedLongOpt},  // optional argument
      {'v', "version", false, 'v'},
      {'W', "width", true, 'W'},
      {'\0', "-presume-output-tty", false, kPresumeTtyOpt},
      {'0', nullptr, false, '0'},
      {'1', nullptr, false, '1'},
      {'2', nullptr, false, '2'},
      {'3', nullptr, false, '3'},
      {'4', nullptr, false, '4'},
      {'5', nullptr, false, '5'},
      {'6', nullptr, false, '6'},
      {'7', nullptr, false, '7'},
      {'8', nullptr, false, '8'},
      {'9', nullptr, false, '9'},
      {'c', nullptr, false, 'c'},
      {'C', nullptr, true, 'C'},
      {'h', nullptr, false, 'h'},
      {'u', nullptr, false, 'u'},
      {'U', nullptr, true, 'U'},
  };
  return kSpecs;
}

// What memhook does not print exactly: these options are refused.
constexpr int kRefusedOptions[] = {
    'e',
    'f',
    'n',
    'y',
    'D',
    'I',
    'F',
    'p',
    'l',
    'X',
    'v',
    kHelpOpt,
    kChangedGroupFormatOpt,
    kNewGroupFormatOpt,
    kOldGroupFormatOpt,
    kUnchangedGroupFormatOpt,
    kLineFormatOpt,
    kNewLineFormatOpt,
    kOldLineFormatOpt,
    kUnchangedLineFormatOpt,
    kIgnoreFileNameCaseOpt,
    kSdiffMergeAssistOpt,
    kPaletteOpt,
    kPresumeTtyOpt,
};

// strtoimax's reading of a whole decimal argument (leading blanks and a
// sign allowed; clamped on overflow). nullopt when bytes are left over.
std::optional<intmax_t> WholeDecimal(const std::string& arg) {
  errno = 0;
  char* end = nullptr;
  intmax_t value = std::strtoimax(arg.c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return value;
}

}  // namespace

void CmdDiff(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  auto try_help = [&](const std::string& reason) {
    if (!reason.empty()) io.err += prog + ": " + reason + "\n";
    io.err += prog + ": Try '" + prog + " --help' for more information.\n";
    io.status = 2;
  };
  if (env.Getenv("POSIXLY_CORRECT")) {
    io.unsupported = "diff under POSIXLY_CORRECT";
    return;
  }
  ParsedArgs args;
  std::vector<std::string> option_words;
  std::string diagnostic;
  GnuGetoptLong(argv, DiffOptions(), {kColorOpt, kContextLongOpt, kUnifiedLongOpt}, &args,
                &option_words, &diagnostic);
  Config config;
  Lin ocontext = -1;
  bool explicit_context = false;
  int prev = -1;
  size_t width = 0, tabsize = 0;
  std::optional<std::string> from_file, to_file;
  auto specify_style = [&](Style style) {
    if (config.style != style && config.style != Style::kUnspecified) {
      try_help("conflicting output style options");
      return false;
    }
    config.style = style;
    return true;
  };
  for (const ParsedOption& o : args.options) {
    const int c = o.id;
    if (std::find(std::begin(kRefusedOptions), std::end(kRefusedOptions), c) !=
        std::end(kRefusedOptions)) {
      io.unsupported = "diff " + o.spelling;
      return;
    }
    switch (c) {
      case '0':
      case '1':
      case '2':
      case '3':
      case '4':
      case '5':
      case '6':
      case '7':
      case '8':
      case '9': {
        // -NUM: obsolete context length; digits in a row accumulate.
        Lin digit = c - '0';
        bool prev_digit = prev >= '0' && prev <= '9';
        if (!prev_digit) {
          ocontext = digit;
        } else if (ocontext - (digit <= kContextMax % 10) < kContextMax / 10) {
          ocontext = 10 * ocontext + digit;
        } else {
          ocontext = kContextMax;
        }
        break;
      }
      case 'a':
        config.text = true;
        break;
      case 'b':
        if (config.white_space < kSpaceChange) config.white_space = kSpaceChange;
        break;
      case 'Z':
        if (config.white_space < kSpaceChange) config.white_space |= kTrailingSpace;
        break;
      case 'E':
        if (config.white_space < kSpaceChange) config.white_space |= kTabExpansion;
        break;
      case 'w':
        config.white_space = kAllSpace;
        break;
      case 'B':
        config.ignore_blank_lines = true;
        break;
      case 'C':
      case 'U':
      case kContextLongOpt:
      case kUnifiedLongOpt: {
        Lin value = 3;
        if (c == 'C' || c == 'U' || o.spelling.back() == '=') {
          std::optional<intmax_t> v = WholeDecimal(o.argument);
          if (!v || *v < 0) {
            try_help("invalid context length '" + o.argument + "'");
            return;
          }
          value = std::min<intmax_t>(*v, kContextMax);
        }
        if (!specify_style(c == 'U' || c == kUnifiedLongOpt ? Style::kUnified : Style::kContext))
          return;
        if (config.context < value) config.context = value;
        explicit_context = true;
        break;
      }
      case 'c':
      case 'u':
        if (!specify_style(c == 'u' ? Style::kUnified : Style::kContext)) return;
        if (config.context < 3) config.context = 3;
        break;
      case 'd':
        config.minimal = true;
        break;
      case 'h':                   // no effect in GNU diff
      case kInhibitHunkMergeOpt:  // obsolete, accepted
      case kBinaryOpt:            // no effect on POSIX systems
      case kNoDereferenceOpt:     // the memory has no symbolic links
      case kNoIgnoreFileNameCaseOpt:
      case kLeftColumnOpt:  // side-by-side only
      case kSuppressCommonLinesOpt:
        break;
      case 'H':
        config.speed_large_files = true;
        break;
      case 'i':
        config.ignore_case = true;
        break;
      case 'L':
        if (!config.label[0]) {
          config.label[0] = o.argument;
        } else if (!config.label[1]) {
          config.label[1] = o.argument;
        } else {
          io.err += prog + ": too many file label options\n";
          io.status = 2;
          return;
        }
        break;
      case 'N':
        config.new_file = true;
        break;
      case 'P':
        config.unidirectional_new_file = true;
        break;
      case 'q':
        config.brief = true;
        break;
      case 'r':
        config.recursive = true;
        break;
      case 's':
        config.report_identical = true;
        break;
      case 'S':
        if (config.starting_file && *config.starting_file != o.argument) {
          io.err += prog + ": conflicting -S option value '" + o.argument + "'\n";
          try_help("");
          return;
        }
        config.starting_file = o.argument;
        break;
      case 't':
        config.expand_tabs = true;
        break;
      case 'T':
        config.initial_tab = true;
        break;
      case 'x':
        config.excludes.push_back(o.argument);
        break;
      case 'W': {
        std::optional<intmax_t> v = WholeDecimal(o.argument);
        if (!v || *v <= 0) {
          try_help("invalid width '" + o.argument + "'");
          return;
        }
        if (width != static_cast<size_t>(*v)) {
          if (width != 0) {
            io.err += prog + ": conflicting width options\n";
            io.status = 2;
            return;
          }
          width = static_cast<size_t>(*v);
        }
        break;
      }
      case kColorOpt:
        // Colours only on a terminal (auto), which a hook never writes to.
        if (o.spelling.back() == '=' && o.argument != "auto" && o.argument != "never") {
          if (o.argument == "always") {
            io.unsupported = "diff --color=always";
            return;
          }
          try_help("invalid color '" + o.argument + "'");
          return;
        }
        break;
      case kFromFileOpt:
      case kToFileOpt: {
        std::optional<std::string>& slot = c == kFromFileOpt ? from_file : to_file;
        if (slot && *slot != o.argument) {
          io.err += prog + ": conflicting " + o.spelling + " option value '" + o.argument + "'\n";
          try_help("");
          return;
        }
        slot = o.argument;
        break;
      }
      case kHorizonLinesOpt: {
        std::optional<intmax_t> v = WholeDecimal(o.argument);
        if (!v || *v < 0) {
          try_help("invalid horizon length '" + o.argument + "'");
          return;
        }
        config.horizon = std::max<Lin>(config.horizon, *v);
        break;
      }
      case kNormalOpt:
        if (!specify_style(Style::kNormal)) return;
        break;
      case kStripTrailingCrOpt:
        config.strip_trailing_cr = true;
        break;
      case kSuppressBlankEmptyOpt:
        config.suppress_blank_empty = true;
        break;
      case kTabsizeOpt: {
        std::optional<intmax_t> v = WholeDecimal(o.argument);
        if (!v || *v <= 0 || static_cast<uintmax_t>(*v) > SIZE_MAX - 3) {
          try_help("invalid tabsize '" + o.argument + "'");
          return;
        }
        if (tabsize != static_cast<size_t>(*v)) {
          if (tabsize != 0) {
            io.err += prog + ": conflicting tabsize options\n";
            io.status = 2;
            return;
          }
          tabsize = static_cast<size_t>(*v);
        }
        break;
      }
      default:
        io.unsupported = "diff " + o.spelling;
        return;
    }
    prev = c;
  }
  if (!diagnostic.empty()) {  // getopt's error, after the options before it
    io.err += diagnostic;
    try_help("");
    return;
  }
  if (config.style == Style::kUnspecified) config.style = Style::kNormal;
  config.posix_time_format = config.style == Style::kContext && !HardTimeLocale(env);
  if (ocontext >= 0 && (config.style == Style::kContext || config.style == Style::kUnified) &&
      (config.context < ocontext || (ocontext < config.context && !explicit_context))) {
    config.context = ocontext;
  }
  if (tabsize != 0) config.tabsize = tabsize;
  if (config.horizon < config.context) config.horizon = config.context;
  config.treat_as_binary = config.brief && !config.ignore_blank_lines && !config.ignore_case &&
                           !config.strip_trailing_cr && config.white_space == kNoWhiteSpace;
  for (const std::string& word : option_words)
    config.switch_string += " " + QuoteShell(word, false);

  Diff diff(config, env, io, prog);
  int status = 0;
  const std::vector<std::string>& operands = args.operands;
  if (from_file && to_file) {
    io.err += prog + ": --from-file and --to-file both specified\n";
    io.status = 2;
    return;
  }
  if (from_file || to_file) {
    for (const std::string& operand : operands) {
      if (diff.stopped()) break;
      status = std::max(status, from_file ? diff.CompareFiles(nullptr, &*from_file, &operand)
                                          : diff.CompareFiles(nullptr, &operand, &*to_file));
    }
  } else {
    if (operands.size() != 2) {
      if (operands.size() < 2) {
        // argv's last word after getopt moved the options first.
        const std::string& last = !operands.empty()       ? operands.back()
                                  : !option_words.empty() ? option_words.back()
                                                          : prog;
        try_help("missing operand after '" + last + "'");
      } else {
        try_help("extra operand '" + operands[2] + "'");
      }
      return;
    }
    status = diff.CompareFiles(nullptr, &operands[0], &operands[1]);
  }
  if (!io.unsupported.empty()) return;
  io.status = diff.fatal() ? 2 : status;
}

}  // namespace memhook::utils
