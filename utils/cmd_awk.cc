// awk as Debian 12's mawk 1.3.4 20200120 prints it (/usr/bin/awk is mawk).
//
// awk_compile.cc turns the program into a tree; this file runs it with
// mawk's semantics where they show in the output:
//  - values are mawk's cells: uninitialised, number, string, strnum (a
//    number read from input), with mawk's number-to-string rule (integral
//    values within ±2147483647 print as integers, others through OFMT or
//    CONVFMT) and its comparison rules;
//  - arrays are mawk's split arrays and dual (integer and string) hash
//    tables with move-to-front lists and table doubling, so that
//    `for (k in a)` walks keys in mawk's order;
//  - fields split lazily, and assignments to $0, $n and NF rebuild as
//    mawk's field_assign does;
//  - output goes through a model of glibc's stdio buffering (4096-byte
//    blocks when stdout is a pipe), so that messages on stderr, output of
//    commands run by system() and pipes, and awk's own output interleave
//    as they do from the real process; files written with > and >> are
//    created through the writing utilities' file system (write_fs.h);
//  - printf and sprintf follow mawk's do_printf (%c and %s by hand, other
//    conversions through the C library, integers clamped to 32 bits).
// What cannot be reproduced (the clock, an unseeded rand(), commands
// without a shell, runaway loops) is refused with io.unsupported.
#include <stdlib.h>  // random_r, initstate_r

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "utils/awk_program.h"
#include "utils/input.h"
#include "utils/utils.h"
#include "utils/write_fs.h"

namespace memhook::utils {

namespace {

using awk::ArrayRef;
using awk::Builtin;
using awk::Expr;
using awk::ExprKind;
using awk::Program;
using awk::Regex;
using awk::Stmt;
using awk::StmtKind;

constexpr int32_t kMaxInt = 2147483647;
constexpr int32_t kNotAnIvalue = -kMaxInt - 1;
// Limits that keep a runaway program from hanging the shell.
constexpr uint64_t kMaxOps = 100'000'000;
constexpr int kMaxCallDepth = 1000;
constexpr int64_t kMaxEvalCells = 950;
constexpr size_t kMaxOutput = size_t{512} << 20;
constexpr size_t kMaxPrintfWidth = 1 << 20;
// glibc's buffer for a FILE on a pipe or a regular file (st_blksize).
constexpr size_t kStdioBlock = 4096;
// mawk's sprintf buffer (SPRINTF_LIMIT).
constexpr size_t kSprintfLimit = 8192;
// mawk's input blocks (BUFFSZ), for what a command run by system() finds
// left on a shared stdin.
constexpr size_t kInputBlock = 4096;

// mawk's d_to_I: doubles to ints, clamped to ±Max_Int, NaN to -Max_Int.
int32_t DToI(double d) {
  if (d >= kMaxInt) return kMaxInt;
  if (d > -kMaxInt) return static_cast<int32_t>(d);
  return -kMaxInt;
}
// d_to_U: clamped to [0, UINT_MAX], NaN to 0.
uint32_t DToU(double d) {
  if (d >= 4294967295.0) return 4294967295u;
  if (d > 0) return static_cast<uint32_t>(d);
  return 0;
}

// ---------------------------------------------------------------------------
// Values (mawk's CELL).

struct Value {
  // The order matters: mawk tests `type < C_STRING` for "not a string".
  enum Type : uint8_t { kNoInit, kDouble, kString, kStrnum, kMbstrn };
  Type type = kNoInit;
  double d = 0;
  std::string s;

  static Value Num(double x) {
    Value v;
    v.type = kDouble;
    v.d = x;
    return v;
  }
  static Value Str(std::string_view x) {
    Value v;
    v.type = kString;
    v.s.assign(x);
    return v;
  }
  bool IsString() const { return type >= kString; }
};

const std::string kEmptyString;
const Value kEmptyStringValue = Value::Str("");

// The spaces of mawk's scanner at run time (field splitting, strnum
// tests): space, tab and newline.
bool IsRunSpace(unsigned char c) { return c == ' ' || c == '\t' || c == '\n'; }
// ... and while the command line is read (-v): space, tab, \f, \r, \v.
bool IsCompileSpace(unsigned char c) {
  return c == ' ' || c == '\t' || c == '\f' || c == '\r' || c == '\v';
}

// strtod on the whole string, as mawk casts (a C string: a NUL ends it).
double StrToD(const std::string& s) {
  // Plain digits: exact without strtod.
  size_t n = s.size();
  if (n > 0 && n <= 15) {
    uint64_t v = 0;
    size_t i = 0;
    for (; i < n; ++i) {
      unsigned char c = static_cast<unsigned char>(s[i]);
      if (c < '0' || c > '9') break;
      v = v * 10 + (c - '0');
    }
    if (i == n) return static_cast<double>(v);
  }
  return std::strtod(s.c_str(), nullptr);
}

// mawk's check_strnum: does the string read as a number?
bool LooksNumeric(const std::string& s, bool compile_time, double* out) {
  auto space = compile_time ? IsCompileSpace : IsRunSpace;
  size_t b = 0;
  size_t e = s.size();
  while (b < e && space(static_cast<unsigned char>(s[b]))) ++b;
  if (b == e) return false;
  while (space(static_cast<unsigned char>(s[e - 1]))) --e;
  unsigned char last = static_cast<unsigned char>(s[e - 1]);
  if (!((last >= '0' && last <= '9') || last == '.')) return false;
  unsigned char first = static_cast<unsigned char>(s[b]);
  if (!((first >= '0' && first <= '9') || first == '+' || first == '-' || first == '.')) {
    return false;
  }
  errno = 0;
  char* end = nullptr;
  const char* start = s.c_str() + b;
  double d = std::strtod(start, &end);
  if (errno == ERANGE) return false;
  if (end < s.c_str() + e) return false;
  *out = d;
  return true;
}

void CheckStrnum(Value* v, bool compile_time = false) {
  if (v->type != Value::kMbstrn) return;
  double d;
  if (LooksNumeric(v->s, compile_time, &d)) {
    v->type = Value::kStrnum;
    v->d = d;
  } else {
    v->type = Value::kString;
  }
}

void AppendInt(int32_t i, std::string* out) {
  char buf[16];
  auto r = std::to_chars(buf, buf + sizeof buf, i);
  out->append(buf, r.ptr);
}

// mawk's cast of a double to a string with `fmt` (CONVFMT or OFMT).
void AppendNumber(double d, const std::string& fmt, std::string* out) {
  int32_t i = DToI(d);
  if (static_cast<double>(i) == d) {
    AppendInt(i, out);
    return;
  }
  char buf[512];
  int n = std::snprintf(buf, sizeof buf, fmt.c_str(), d);
  if (n < 0) return;
  if (static_cast<size_t>(n) < sizeof buf) {
    out->append(buf, static_cast<size_t>(n));
    return;
  }
  std::string big(static_cast<size_t>(n) + 1, '\0');
  std::snprintf(big.data(), big.size(), fmt.c_str(), d);
  out->append(big.data(), static_cast<size_t>(n));
}

// FNV-1, mawk's hash2 for array keys.
uint32_t Fnv1(std::string_view s) {
  uint32_t h = 2166136261u;
  for (unsigned char c : s) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

// ---------------------------------------------------------------------------
// Arrays: mawk's array.w, reproduced for its iteration order.

class AwkArray {
 public:
  enum Type { kNull = 0, kInt = 1, kStr = 2, kSplit = 4 };

  size_t size() const { return size_; }

  // array_find. `convfmt` formats non-integral numeric subscripts.
  Value* Find(const Value& key, const std::string& convfmt, bool create) {
    if (size_ == 0 && !create) return nullptr;
    Node* node = nullptr;
    switch (key.type) {
      case Value::kDouble: {
        int32_t ival = DToI(key.d);
        if (static_cast<double>(ival) == key.d) {
          if (type_ == kSplit) {
            if (ival >= 1 && static_cast<size_t>(ival) <= size_) return &split_[ival - 1];
            if (!create) return nullptr;
            ConvertSplit();
          } else if (type_ == kNull) {
            MakeEmpty(kInt);
          }
          node = FindByIval(ival, create);
        } else {
          std::string s;
          AppendNumber(key.d, convfmt, &s);
          bool redo;
          node = FindBySval(s, create, &redo);
        }
        break;
      }
      case Value::kNoInit: {
        bool redo;
        node = FindBySval("", create, &redo);
        break;
      }
      default: {
        bool redo;
        node = FindBySval(key.s, create, &redo);
        break;
      }
    }
    return node ? &node->cell : nullptr;
  }

  // array_delete.
  void Delete(const Value& key, const std::string& convfmt) {
    if (size_ == 0) return;
    Node* ap = nullptr;
    bool redo;
    switch (key.type) {
      case Value::kDouble: {
        int32_t ival = DToI(key.d);
        if (static_cast<double>(ival) == key.d) {
          if (type_ == kSplit) {
            if (ival >= 1 && static_cast<size_t>(ival) <= size_) {
              ConvertSplit();
            } else {
              return;
            }
          }
          ap = FindByIval(ival, false);
          if (ap) {
            table_[static_cast<uint32_t>(ap->ival) & hmask_].ilink = ap->ilink;
            if (ap->has_sval) RemoveFromSlist(ap);
            Free(ap);
            if (--size_ == 0) Clear();
          }
          return;
        }
        std::string s;
        AppendNumber(key.d, convfmt, &s);
        ap = FindBySval(s, false, &redo);
        break;
      }
      case Value::kNoInit:
        ap = FindBySval("", false, &redo);
        break;
      default:
        ap = FindBySval(key.s, false, &redo);
        break;
    }
    if (ap) {
      table_[ap->hval & hmask_].slink = ap->slink;
      if (ap->ival != kNotAnIvalue) RemoveFromIlist(ap);
      Free(ap);
      if (--size_ == 0) Clear();
    }
  }

  // array_clear.
  void Clear() {
    pool_.clear();
    free_.clear();
    split_.clear();
    table_.clear();
    type_ = kNull;
    size_ = 0;
    limit_ = 0;
    hmask_ = 0;
  }

  // array_load: the pieces of split().
  void Load(std::vector<std::string>&& pieces) {
    size_t cnt = pieces.size();
    if (type_ != kSplit || limit_ < cnt) {
      Clear();
      limit_ = (cnt & ~size_t{3}) + 4;
      type_ = kSplit;
    }
    split_.resize(cnt);
    for (size_t i = 0; i < cnt; ++i) {
      split_[i].type = Value::kMbstrn;
      split_[i].s = std::move(pieces[i]);
    }
    size_ = cnt;
  }

  // array_loop_vector: the keys as strings, in table order.
  std::vector<std::string> Keys(bool sorted) {
    std::vector<std::string> keys;
    if (size_ == 0) return keys;
    if (!(type_ & kStr)) AddStringAssociations();
    keys.reserve(size_);
    for (uint32_t i = 0; i <= hmask_; ++i) {
      for (Node* p = table_[i].slink; p; p = p->slink) keys.push_back(p->sval);
    }
    if (sorted) {
      std::sort(keys.begin(), keys.end(), [](const std::string& a, const std::string& b) {
        return std::strcmp(a.c_str(), b.c_str()) < 0;
      });
    }
    return keys;
  }

 private:
  static constexpr uint32_t kStartingHmask = 63;
  static constexpr size_t kMaxAveListLength = 12;
  static size_t HmaskToLimit(uint32_t x) {
    return (static_cast<size_t>(x) + 1) * kMaxAveListLength;
  }

  struct Node {
    Node* slink = nullptr;
    Node* ilink = nullptr;
    bool has_sval = false;
    std::string sval;
    uint32_t hval = 0;
    int32_t ival = kNotAnIvalue;
    Value cell;
  };
  struct DualLink {
    Node* slink = nullptr;
    Node* ilink = nullptr;
  };

  Node* NewNode() {
    if (!free_.empty()) {
      Node* n = free_.back();
      free_.pop_back();
      *n = Node();
      return n;
    }
    pool_.emplace_back();
    return &pool_.back();
  }
  void Free(Node* n) {
    n->cell = Value();
    n->sval.clear();
    free_.push_back(n);
  }

  void MakeEmpty(Type type) {
    type_ = type;
    hmask_ = kStartingHmask;
    limit_ = HmaskToLimit(kStartingHmask);
    table_.assign(kStartingHmask + 1, DualLink());
  }

  void ConvertSplit() {
    hmask_ = kStartingHmask;
    limit_ = HmaskToLimit(kStartingHmask);
    while (size_ > limit_) {
      hmask_ = (hmask_ << 1) + 1;
      limit_ = HmaskToLimit(hmask_);
    }
    table_.assign(static_cast<size_t>(hmask_) + 1, DualLink());
    uint32_t j = 1;
    for (size_t i = 0; i < size_; ++i) {
      Node* p = NewNode();
      p->ival = static_cast<int32_t>(i + 1);
      p->cell = std::move(split_[i]);
      p->ilink = table_[j].ilink;
      table_[j].ilink = p;
      j = (j + 1) & hmask_;
    }
    split_.clear();
    type_ = kInt;
  }

  void DoubleTable() {
    uint32_t old_hmask = hmask_;
    uint32_t new_hmask = (old_hmask << 1) + 1;
    table_.resize(static_cast<size_t>(new_hmask) + 1);
    if (type_ & kStr) {
      for (uint32_t i = 0, j = old_hmask + 1; i <= old_hmask; ++i, ++j) {
        Node dummy0;
        Node dummy1;
        Node* q = &dummy0;
        Node* p = table_[i].slink;
        q->slink = p;
        Node* tail = &dummy1;
        while (p) {
          if ((p->hval & new_hmask) != i) {
            q->slink = p->slink;
            tail = tail->slink = p;
          } else {
            q = p;
          }
          p = q->slink;
        }
        table_[i].slink = dummy0.slink;
        tail->slink = nullptr;
        table_[j].slink = dummy1.slink;
      }
    }
    if (type_ & kInt) {
      for (uint32_t i = 0, j = old_hmask + 1; i <= old_hmask; ++i, ++j) {
        Node dummy0;
        Node dummy1;
        Node* q = &dummy0;
        Node* p = table_[i].ilink;
        q->ilink = p;
        Node* tail = &dummy1;
        while (p) {
          if ((static_cast<uint32_t>(p->ival) & new_hmask) != i) {
            q->ilink = p->ilink;
            tail = tail->ilink = p;
          } else {
            q = p;
          }
          p = q->ilink;
        }
        table_[i].ilink = dummy0.ilink;
        tail->ilink = nullptr;
        table_[j].ilink = dummy1.ilink;
      }
    }
    hmask_ = new_hmask;
    limit_ = HmaskToLimit(new_hmask);
  }

  void AddStringAssociations() {
    if (type_ == kNull) {
      MakeEmpty(kStr);
      return;
    }
    if (type_ == kSplit) ConvertSplit();
    for (uint32_t i = 0; i <= hmask_; ++i) {
      for (Node* p = table_[i].ilink; p; p = p->ilink) {
        p->sval.clear();
        AppendInt(p->ival, &p->sval);
        p->has_sval = true;
        p->hval = Fnv1(p->sval);
        p->slink = table_[hmask_ & p->hval].slink;
        table_[hmask_ & p->hval].slink = p;
      }
    }
    type_ |= kStr;
  }

  Node* FindByIval(int32_t ival, bool create) {
    uint32_t indx = static_cast<uint32_t>(ival) & hmask_;
    Node* p = table_[indx].ilink;
    Node* q = nullptr;
    for (;;) {
      if (!p) {
        if (type_ & kStr) {
          std::string s;
          AppendInt(ival, &s);
          bool redo;
          // mawk keeps `indx` even if the table doubled meanwhile.
          p = FindBySval(s, create, &redo);
          if (!p) return nullptr;
        } else if (create) {
          p = NewNode();
          p->cell = Value();
          if (++size_ > limit_) {
            DoubleTable();
            indx = hmask_ & static_cast<uint32_t>(ival);
          }
        } else {
          return nullptr;
        }
        p->ival = ival;
        type_ |= kInt;
        break;
      }
      if (p->ival == ival) {
        if (!q) return p;
        q->ilink = p->ilink;
        break;
      }
      q = p;
      p = q->ilink;
    }
    p->ilink = table_[indx].ilink;
    table_[indx].ilink = p;
    return p;
  }

  Node* FindBySval(std::string_view sval, bool create, bool* redo) {
    uint32_t hval = Fnv1(sval);
    if (!(type_ & kStr)) AddStringAssociations();
    uint32_t indx = hval & hmask_;
    Node* p = table_[indx].slink;
    Node* q = nullptr;
    *redo = false;
    for (;;) {
      if (!p) {
        if (!create) return nullptr;
        p = NewNode();
        p->sval.assign(sval);
        p->has_sval = true;
        p->ival = kNotAnIvalue;
        p->hval = hval;
        if (++size_ > limit_) {
          DoubleTable();
          indx = hval & hmask_;
          *redo = true;
        }
        break;
      }
      if (p->hval == hval && p->sval == sval) {
        if (!q) return p;
        q->slink = p->slink;
        break;
      }
      q = p;
      p = q->slink;
    }
    p->slink = table_[indx].slink;
    table_[indx].slink = p;
    return p;
  }

  void RemoveFromSlist(Node* ap) {
    uint32_t indx = ap->hval & hmask_;
    Node* p = table_[indx].slink;
    Node* q = nullptr;
    while (p && p != ap) {
      q = p;
      p = q->slink;
    }
    if (!p) return;
    if (q) {
      q->slink = p->slink;
    } else {
      table_[indx].slink = p->slink;
    }
  }
  void RemoveFromIlist(Node* ap) {
    uint32_t indx = static_cast<uint32_t>(ap->ival) & hmask_;
    Node* p = table_[indx].ilink;
    Node* q = nullptr;
    while (p && p != ap) {
      q = p;
      p = q->ilink;
    }
    if (!p) return;
    if (q) {
      q->ilink = p->ilink;
    } else {
      table_[indx].ilink = p->ilink;
    }
  }

  int type_ = kNull;
  size_t size_ = 0;
  size_t limit_ = 0;
  uint32_t hmask_ = 0;
  std::vector<Value> split_;
  std::vector<DualLink> table_;
  std::deque<Node> pool_;  // stable addresses
  std::vector<Node*> free_;
};

// ---------------------------------------------------------------------------
// glibc's full buffering of a FILE (the block of a pipe or a regular file):
// how many of the bytes written so far have reached the file descriptor.

class StdioModel {
 public:
  // `n` more bytes written; returns how many buffered bytes (oldest first,
  // including the new ones) are written out now.
  size_t Add(size_t n) {
    size_t out = 0;
    if (!allocated_) {
      allocated_ = true;
      size_t direct = n - n % kStdioBlock;
      out = direct;
      buffered_ = n - direct;
      return out;
    }
    size_t room = kStdioBlock - buffered_;
    if (n <= room) {
      buffered_ += n;
      return 0;
    }
    out = kStdioBlock;  // the filled buffer
    size_t rest = n - room;
    size_t direct = rest - rest % kStdioBlock;
    out += direct;
    buffered_ = rest - direct;
    return out;
  }
  // fflush: everything buffered goes out.
  size_t Flush() {
    size_t out = buffered_;
    buffered_ = 0;
    return out;
  }

 private:
  size_t buffered_ = 0;
  bool allocated_ = false;
};

// ---------------------------------------------------------------------------
// Input: one record source (mawk's FIN).

struct Reader {
  InputFile file;
  std::string owned;  // a command's output
  bool use_owned = false;
  size_t pos = 0;
  bool start = true;       // no record read yet (RS="" trims leading newlines)
  bool directory = false;  // read() would fail: "read error (Is a directory)"
  bool is_stdin = false;
  bool eof = false;  // semi-closed
  int grows = 0;     // prefix reads so far

  std::string_view Data() const { return use_owned ? std::string_view(owned) : file.data(); }
  bool Complete() const { return use_owned || file.complete(); }
};

// How RS splits records (mawk's rs_shadow).
struct RecordSep {
  enum Kind { kChar, kStr, kRegex, kParagraph } kind = kChar;
  char c = '\n';
  std::string str;
  std::shared_ptr<const Regex> re;
};

// How FS or split()'s separator cuts (mawk's cast_for_split result).
struct FieldSep {
  enum Kind { kSpace, kNull, kRegex } kind = kSpace;
  std::shared_ptr<const Regex> re;
};

// A named stream of print, getline, close (mawk's FILE_NODE).
struct FileNode {
  enum Type { kIn, kPipeIn, kPipeOut, kAppend, kTrunc };
  enum Std { kNotStd, kStdout, kStderr, kStdin };
  std::string name;
  Type type = kTrunc;
  Std std_stream = kNotStd;
  bool open = true;  // false: the /dev/stdin entry before its first use
  // Files written with > and >>.
  bool dev_null = false;
  wfs::Loc loc;
  std::string flushed;  // bytes that reached the file (by the stdio model)
  std::string pending;  // still in the FILE's buffer
  StdioModel model;
  size_t committed = 0;  // bytes of `flushed` written to the store
  bool created = false;  // opened (truncated or created) in the store
  // Pipes to a command.
  std::string pipe_data;
  int status = 0;
  // Inputs.
  std::unique_ptr<Reader> reader;
  bool IsOutput() const { return type == kPipeOut || type == kAppend || type == kTrunc; }
};

// Control flow out of statements.
enum class Flow { kNormal, kBreak, kContinue, kNext, kNextFile, kReturn };

struct ExitRequest {};    // exit, or a fatal error (status set)
struct RefuseRequest {};  // io.unsupported is set
struct StopRequest {};    // the reader of stdout is gone

struct Local {
  Value v;
  AwkArray* array = nullptr;
  std::unique_ptr<AwkArray> owned;
};

// The options of mawk's command line (process_cmdline).
struct MawkOption {
  char letter;
  bool takes_argument;
  const char* meaning;
};
constexpr MawkOption kMawkOptions[] = {
    {'f', true, "program file (several are read in order)"},
    {'F', true, "FS, escape sequences processed"},
    {'v', true, "var=value assigned before the program is read"},
    {'W', true, "implementation options (refused)"},
    {'-', false, "end of options"},
};

// `mawk` alone prints this on stderr and exits 0.
constexpr const char* kUsage =
    "Usage: mawk [Options] [Program] [file ...]\n"
    "\n"
    "Program:\n"
    "    The -f option value is the name of a file containing program text.\n"
    "    If no -f option is given, a \"--\" ends option processing; the following\n"
    "    parameters are the program text.\n"
    "\n"
    "Options:\n"
    "    -f program-file  Program  text is read from file instead of from the\n"
    "                     command-line.  Multiple -f options are accepted.\n"
    "    -F value         sets the field separator, FS, to value.\n"
    "    -v var=value     assigns value to program variable var.\n"
    "    --               unambiguous end of options.\n"
    "\n"
    "    Implementation-specific options are prefixed with \"-W\".  They can be\n"
    "    abbreviated:\n"
    "\n"
    "    -W version       show version information and exit.\n"
    "    -W dump          show assembler-like listing of program and exit.\n"
    "    -W help          show this message and exit.\n"
    "    -W interactive   set unbuffered output, line-buffered input.\n"
    "    -W exec file     use file as program as well as last option.\n"
    "    -W random=number set initial random seed.\n"
    "    -W sprintf=number adjust size of sprintf buffer.\n"
    "    -W posix_space   do not consider \"\\n\" a space.\n"
    "    -W usage         show this message and exit.\n";

// Long options mawk names but goes on after (bad_option's exceptions).
constexpr const char* kForgivenLongOptions[] = {"--lint", "--lint-old", "--posix", "--re-interval",
                                                "--traditional"};

// A parsed command line.
struct CommandLine {
  std::vector<std::string> program_files;
  std::string program_text;
  bool have_text = false;
  // -F and -v, in order: {kind, text}.
  std::vector<std::pair<char, std::string>> early;
  std::vector<std::string> args;  // ARGV[1..]
  std::string messages;           // "not an option" lines printed first
  bool exit_now = false;          // mawk exits before reading a program
  int exit_status = 0;
  std::string unsupported;
};

CommandLine ParseCommandLine(const std::vector<std::string>& argv, const std::string& prog,
                             const CommandEnv& env) {
  CommandLine cl;
  size_t argc = argv.size();
  if (argc <= 1) {
    cl.messages = kUsage;
    cl.exit_now = true;
    return cl;
  }
  size_t i = 1;
  size_t next = 1;
  bool have_file = false;
  for (; i < argc && !argv[i].empty() && argv[i][0] == '-'; i = next) {
    const std::string& a = argv[i];
    if (a.size() == 1) {  // "-" alone
      if (!have_file) {
        cl.exit_now = true;
        return cl;
      }
      break;
    }
    if (a.size() > 2 && a[0] == '-' && a[1] == '-') {
      if (env.Getenv("MAWK_LONG_OPTIONS").has_value()) {
        cl.unsupported = "awk with MAWK_LONG_OPTIONS";
        return cl;
      }
      if (a == "--help" || a == "--version") {
        cl.unsupported = "awk " + a;
        return cl;
      }
      cl.messages += prog + ": not an option: " + a + "\n";
      bool forgiven = false;
      for (const char* f : kForgivenLongOptions) forgiven = forgiven || a == f;
      if (!forgiven) {
        cl.exit_now = true;
        cl.exit_status = 2;
        return cl;
      }
      next = i + 1;
      continue;
    }
    const MawkOption* opt = nullptr;
    for (const MawkOption& o : kMawkOptions) {
      if (o.letter == a[1]) opt = &o;
    }
    std::string arg;
    if (a.size() == 2) {
      if (i == argc - 1 && a[1] != '-') {
        if (opt != nullptr && opt->takes_argument) {
          cl.messages += prog + ": option " + a + " lacks argument\n";
        } else {
          cl.messages += prog + ": not an option: " + a + "\n";
        }
        cl.exit_now = true;
        cl.exit_status = 2;
        return cl;
      }
      arg = i + 1 < argc ? argv[i + 1] : "";
      next = i + 2;
    } else {
      arg = a.substr(2);
      next = i + 1;
    }
    if (opt == nullptr) {
      cl.messages += prog + ": not an option: " + a + "\n";
      cl.exit_now = true;
      cl.exit_status = 2;
      return cl;
    }
    switch (opt->letter) {
      case 'W':
        cl.unsupported = "awk -W " + arg;
        return cl;
      case 'v':
      case 'F':
        cl.early.emplace_back(opt->letter, arg);
        break;
      case 'f':
        cl.program_files.push_back(arg);
        have_file = true;
        break;
      case '-':
        if (a.size() != 2) {
          cl.messages += prog + ": not an option: " + a + "\n";
          cl.exit_now = true;
          cl.exit_status = 2;
          return cl;
        }
        ++i;
        goto no_more_opts;
    }
  }
no_more_opts:
  if (have_file) {
    for (size_t k = i; k < argc; ++k) cl.args.push_back(argv[k]);
    return cl;
  }
  if (i >= argc) {
    cl.exit_now = true;
    return cl;
  }
  cl.program_text = argv[i];
  cl.have_text = true;
  for (size_t k = i + 1; k < argc; ++k) cl.args.push_back(argv[k]);
  return cl;
}

// ---------------------------------------------------------------------------
// The interpreter.

class Runtime {
 public:
  Runtime(const std::string& prog, CommandEnv& env, CommandIo& io)
      : prog_(prog), env_(env), io_(io), fs_(env, io), started_(std::chrono::steady_clock::now()) {
    std::memset(&random_data_, 0, sizeof random_data_);
    std::memset(random_state_, 0, sizeof random_state_);
    initstate_r(0, random_state_, sizeof random_state_, &random_data_);
  }

  void Run(const std::vector<std::string>& argv);

 private:
  // ------------------------------------------------------------- errors
  [[noreturn]] void Refuse(const std::string& why) {
    if (io_.unsupported.empty()) io_.unsupported = why;
    throw RefuseRequest{};
  }
  // errmsg + mawk_exit(2).
  [[noreturn]] void Fatal(const std::string& message) {
    ErrWrite(prog_ + ": " + message + "\n");
    exit_code_ = 2;
    fatal_ = true;
    throw ExitRequest{};
  }
  // rt_error.
  [[noreturn]] void RtError(const std::string& message) {
    std::string where;
    std::string buf;
    const std::string& fname = ToStr(globals_[awk::kSlotFILENAME], buf);
    where = "\tFILENAME=\"" + fname.substr(0, fname.find('\0')) +
            "\" FNR=" + std::to_string(rt_fnr_) + " NR=" + std::to_string(rt_nr_) + "\n";
    ErrWrite(prog_ + ": run time error: " + message + "\n" + where);
    exit_code_ = 2;
    fatal_ = true;
    throw ExitRequest{};
  }
  [[noreturn]] void RtOverflow(const std::string& what, size_t size) {
    std::string buf;
    const std::string& fname = ToStr(globals_[awk::kSlotFILENAME], buf);
    ErrWrite(prog_ + ": program limit exceeded: " + what + " size=" + std::to_string(size) + "\n" +
             "\tFILENAME=\"" + fname.substr(0, fname.find('\0')) +
             "\" FNR=" + std::to_string(rt_fnr_) + " NR=" + std::to_string(rt_nr_) + "\n");
    exit_code_ = 2;
    fatal_ = true;
    throw ExitRequest{};
  }
  void ErrWrite(std::string_view s) { io_.err.append(s); }

  void CountOps(uint64_t n = 1) {
    ops_ += n;
    if (ops_ > kMaxOps) Refuse("awk: the operation limit was reached");
    if ((ops_ & 0xFFFFF) < n) {
      auto elapsed = std::chrono::steady_clock::now() - started_;
      if (elapsed > std::chrono::seconds(10)) Refuse("awk: the time limit was reached");
    }
  }

  // ------------------------------------------------------ conversions
  double ToNum(const Value& v) const {
    switch (v.type) {
      case Value::kNoInit:
        return 0;
      case Value::kDouble:
      case Value::kStrnum:
        return v.d;
      default:
        return StrToD(v.s);
    }
  }
  // The string form (CONVFMT for numbers); `buf` holds it when needed.
  const std::string& ToStr(const Value& v, std::string& buf) const {
    switch (v.type) {
      case Value::kNoInit:
        return kEmptyString;
      case Value::kDouble:
        buf.clear();
        AppendNumber(v.d, convfmt_fmt_, &buf);
        return buf;
      default:
        return v.s;
    }
  }
  void AppendStr(const Value& v, std::string* out) const {
    switch (v.type) {
      case Value::kNoInit:
        return;
      case Value::kDouble:
        AppendNumber(v.d, convfmt_fmt_, out);
        return;
      default:
        out->append(v.s);
        return;
    }
  }
  // mawk's test(): the truth of a value.
  static bool Truth(const Value& v) {
    switch (v.type) {
      case Value::kNoInit:
        return false;
      case Value::kDouble:
      case Value::kStrnum:
        return v.d != 0.0;
      case Value::kString:
        return !v.s.empty();
      case Value::kMbstrn: {
        double d;
        if (LooksNumeric(v.s, false, &d)) return d != 0.0;
        return !v.s.empty();
      }
    }
    return false;
  }

  // mawk's compare(): <0, 0, >0. A maybe-number (input) is settled
  // without copying it.
  int Compare(const Value& a, const Value& b) {
    enum Kind { kNone, kNum, kStr };
    auto classify = [](const Value& v, double* d) {
      switch (v.type) {
        case Value::kNoInit:
          *d = 0;
          return kNone;
        case Value::kDouble:
        case Value::kStrnum:
          *d = v.d;
          return kNum;
        case Value::kString:
          return kStr;
        case Value::kMbstrn:
          return LooksNumeric(v.s, false, d) ? kNum : kStr;
      }
      return kStr;
    };
    double x = 0;
    double y = 0;
    Kind ka = classify(a, &x);
    Kind kb = classify(b, &y);
    if (ka == kNone && kb == kNone) return 0;
    // Numbers (and uninitialised values) compare as numbers; a string on
    // either side makes it a string comparison.
    if (ka != kStr && kb != kStr) return x > y ? 1 : x < y ? -1 : 0;
    std::string ba;
    std::string bb;
    const std::string& sa = ToStr(a, ba);
    const std::string& sb = ToStr(b, bb);
    size_t len = std::min(sa.size(), sb.size());
    int r = len ? std::memcmp(sa.data(), sb.data(), len) : 0;
    if (r != 0) return r;
    if (sa.size() != len) return 1;
    if (sb.size() != len) return -1;
    return 0;
  }

  // ------------------------------------------------------------ fields
  void SetRecord(std::string_view rec) {
    field0_.type = rec.empty() ? Value::kString : Value::kMbstrn;
    field0_.s.assign(rec.data(), rec.size());
    nf_ = -1;
  }

  void EnsureField(size_t i) {
    if (fields_.size() <= i) fields_.resize(i + 1);
  }

  // split_field0.
  void SplitRecord() {
    std::string buf;
    const std::string& src = field0_.IsString() ? field0_.s : ToStr(field0_, buf);
    size_t cnt = 0;
    if (!src.empty()) {
      switch (fs_split_.kind) {
        case FieldSep::kNull:
          EnsureField(src.size());
          for (size_t i = 0; i < src.size(); ++i) SetPiece(++cnt, std::string_view(&src[i], 1));
          break;
        case FieldSep::kSpace:
          cnt = SpaceSplit(src, [this](size_t n, std::string_view p) { SetPiece(n, p); });
          break;
        case FieldSep::kRegex:
          cnt = RegexSplit(src, *fs_split_.re,
                           [this](size_t n, std::string_view p) { SetPiece(n, p); });
          break;
      }
    }
    nf_ = static_cast<int64_t>(cnt);
    nf_cell_ = Value::Num(static_cast<double>(cnt));
  }
  void SetPiece(size_t n, std::string_view piece) {
    EnsureField(n);
    Value& f = fields_[n];
    f.type = Value::kMbstrn;
    f.s.assign(piece.data(), piece.size());
  }

  template <typename Sink>
  static size_t SpaceSplit(std::string_view s, Sink&& sink) {
    size_t cnt = 0;
    size_t i = 0;
    size_t n = s.size();
    for (;;) {
      while (i < n && IsRunSpace(static_cast<unsigned char>(s[i]))) ++i;
      if (i >= n) return cnt;
      size_t start = i++;
      while (i < n && !IsRunSpace(static_cast<unsigned char>(s[i]))) ++i;
      sink(++cnt, s.substr(start, i - start));
    }
  }

  // re_pos_match: the first match of positive length at or after `from`.
  static bool PosMatch(const Regex& re, std::string_view s, size_t from, bool no_bol, size_t* at,
                       size_t* len) {
    while (from < s.size()) {
      size_t start;
      size_t mlen;
      if (!re.Find(s, from, no_bol, &start, &mlen)) return false;
      if (mlen > 0) {
        *at = start;
        *len = mlen;
        return true;
      }
      from = start + 1;
      no_bol = true;
    }
    return false;
  }

  // re_split.
  template <typename Sink>
  static size_t RegexSplit(std::string_view s, const Regex& re, Sink&& sink) {
    size_t cnt = 0;
    size_t pos = 0;
    bool no_bol = false;
    while (pos < s.size()) {
      size_t at;
      size_t len;
      if (PosMatch(re, s, pos, no_bol, &at, &len)) {
        sink(++cnt, s.substr(pos, at - pos));
        pos = at + len;
        no_bol = true;
      } else {
        sink(++cnt, s.substr(pos));
        return cnt;
      }
    }
    sink(++cnt, std::string_view());
    return cnt;
  }

  const Value& FieldRef(int64_t i) {
    if (i == 0) return field0_;
    if (nf_ < 0) SplitRecord();
    if (i <= nf_) return fields_[static_cast<size_t>(i)];
    return kEmptyStringValue;
  }

  // d_to_index for $expr.
  int64_t FieldIndex(double d) {
    if (d >= kMaxInt) return kMaxInt;
    if (d >= 0.0) return static_cast<int64_t>(static_cast<int32_t>(d));
    char buf[64];
    std::snprintf(buf, sizeof buf, "negative field index $%.6g", d);
    RtError(buf);
  }

  // F_PUSHA / FE_PUSHA: a field about to be assigned or modified in place.
  void PrepareFieldTarget(int64_t i) {
    if (i == 0) return;
    if (nf_ < 0) SplitRecord();
    if (i > nf_) {
      if (i > 100'000'000) Refuse("awk field index too large");
      EnsureField(static_cast<size_t>(i));
      fields_[static_cast<size_t>(i)] = kEmptyStringValue;
    }
  }

  // field_assign for $i.
  void AssignField(int64_t i, Value v) {
    if (i == 0) {
      field0_ = std::move(v);
      nf_ = -1;
      return;
    }
    if (nf_ < 0) SplitRecord();
    if (i > 100'000'000) Refuse("awk field index too large");
    EnsureField(static_cast<size_t>(i));
    fields_[static_cast<size_t>(i)] = std::move(v);
    if (i > nf_) {
      for (int64_t j = nf_ + 1; j < i; ++j) fields_[static_cast<size_t>(j)] = kEmptyStringValue;
      nf_ = i;
      nf_cell_ = Value::Num(static_cast<double>(i));
    }
    BuildRecord();
  }

  // build_field0.
  void BuildRecord() {
    if (nf_ == 0) {
      field0_ = kEmptyStringValue;
      return;
    }
    if (nf_ == 1) {
      field0_ = fields_[1];
      return;
    }
    std::string ofs_buf;
    const std::string& ofs_full = ToStr(globals_[awk::kSlotOFS], ofs_buf);
    // mawk copies the separator as a C string.
    std::string_view ofs(ofs_full.data(), std::strlen(ofs_full.c_str()));
    std::string out;
    for (int64_t j = 1; j <= nf_; ++j) {
      if (j > 1) out.append(ofs);
      const Value& f = fields_[static_cast<size_t>(j)];
      if (f.type == Value::kDouble) {
        AppendNumber(f.d, convfmt_fmt_, &out);
      } else if (f.type != Value::kNoInit) {
        out.append(f.s);
      }
    }
    field0_.type = Value::kString;
    field0_.s = std::move(out);
  }

  // The pseudo-fields: NF, RS, FS, OFMT, CONVFMT.
  const Value& SpecialRef(int which) {
    switch (which) {
      case awk::kSpecialNF:
        if (nf_ < 0) SplitRecord();
        return nf_cell_;
      case awk::kSpecialRS:
        return rs_cell_;
      case awk::kSpecialFS:
        return fs_cell_;
      case awk::kSpecialOFMT:
        return ofmt_cell_;
      default:
        return convfmt_cell_;
    }
  }

  void AssignSpecial(int which, Value v) {
    if (nf_ < 0) SplitRecord();
    switch (which) {
      case awk::kSpecialNF: {
        nf_cell_ = v;
        int32_t j = DToI(ToNum(v));
        if (j < 0) RtError("negative value assigned to NF");
        if (j > 100'000'000) Refuse("awk NF too large");
        if (j > nf_) {
          EnsureField(static_cast<size_t>(j));
          for (int64_t i = nf_ + 1; i <= j; ++i)
            fields_[static_cast<size_t>(i)] = kEmptyStringValue;
        }
        nf_ = j;
        BuildRecord();
        break;
      }
      case awk::kSpecialRS:
        rs_cell_ = std::move(v);
        SetRecordSep();
        break;
      case awk::kSpecialFS:
        fs_cell_ = std::move(v);
        fs_split_ = SplitterFor(fs_cell_);
        break;
      case awk::kSpecialOFMT:
      case awk::kSpecialCONVFMT: {
        bool conv = which == awk::kSpecialCONVFMT;
        Value& cell = conv ? convfmt_cell_ : ofmt_cell_;
        std::string& fmt = conv ? convfmt_fmt_ : ofmt_fmt_;
        cell = std::move(v);
        if (!cell.IsString()) {
          fmt = "%.6g";
        } else {
          fmt = cell.s.substr(0, cell.s.find('\0'));
          CheckNumberFormat(fmt, conv ? "CONVFMT" : "OFMT");
        }
        break;
      }
      default:
        break;
    }
  }

  // valid_format (one conversion at most, no `*`), then the conversions
  // that would read the double as something else are refused (mawk prints
  // whatever the C library makes of them).
  void CheckNumberFormat(const std::string& fmt, const char* what) {
    size_t q = 0;
    int args = 0;
    bool refuse = false;
    auto invalid = [&]() {
      RtError(std::string("illegal format assigned to ") + what + ": " + fmt);
    };
    while (q < fmt.size()) {
      if (fmt[q++] != '%') continue;
      if (++args > 1) invalid();
      while (q < fmt.size() && std::strchr("-+ #0'", fmt[q]) != nullptr) ++q;
      if (q < fmt.size() && fmt[q] == '*') invalid();
      while (q < fmt.size() && fmt[q] >= '0' && fmt[q] <= '9') ++q;
      if (q < fmt.size() && fmt[q] == '.') {
        ++q;
        if (q < fmt.size() && fmt[q] == '*') invalid();
        while (q < fmt.size() && fmt[q] >= '0' && fmt[q] <= '9') ++q;
      }
      if (q < fmt.size() && (fmt[q] == 'l' || fmt[q] == 'h')) {
        if (fmt[q] == 'h') refuse = true;
        ++q;
      }
      char conv = q < fmt.size() ? fmt[q] : '\0';
      ++q;
      if (conv != '\0' && std::strchr("egfEG", conv) != nullptr) continue;
      if (conv != '\0' && std::strchr("scdioxXu", conv) != nullptr) {
        refuse = true;
        continue;
      }
      invalid();
    }
    if (refuse) Refuse(std::string("awk ") + what + " " + fmt);
  }

  // cast_for_split.
  FieldSep SplitterFor(const Value& v) {
    std::string buf;
    const std::string& s = ToStr(v, buf);
    FieldSep sep;
    if (s.size() == 1) {
      char c = s[0];
      if (c == ' ') {
        sep.kind = FieldSep::kSpace;
        return sep;
      }
      if (c == '\0') Refuse("awk a NUL field separator");
      sep.kind = FieldSep::kRegex;
      std::string source = std::strchr("^$.*+?|[]()", c) != nullptr ? std::string("\\") + c : s;
      sep.re = DynamicRegex(source);
      return sep;
    }
    if (s.empty()) {
      sep.kind = FieldSep::kNull;
      return sep;
    }
    sep.kind = FieldSep::kRegex;
    sep.re = DynamicRegex(s);
    if (sep.re->empty()) sep.kind = FieldSep::kNull;
    return sep;
  }

  // set_rs_shadow.
  void SetRecordSep() {
    std::string buf;
    const std::string& s = ToStr(rs_cell_, buf);
    RecordSep rs;
    if (s.size() == 1) {
      rs.kind = RecordSep::kChar;
      rs.c = s[0];
    } else if (s.empty()) {
      rs.kind = RecordSep::kParagraph;
      rs.re = DynamicRegex("\n\n+");
    } else {
      std::shared_ptr<const Regex> re = DynamicRegex(s);
      if (re->literal()) {
        if (re->literal_text().size() == 1) {
          rs.kind = RecordSep::kChar;
          rs.c = re->literal_text()[0];
        } else {
          rs.kind = RecordSep::kStr;
          rs.str = re->literal_text();
        }
      } else {
        rs.kind = RecordSep::kRegex;
        rs.re = re;
      }
    }
    rs_ = std::move(rs);
  }

  std::shared_ptr<const Regex> DynamicRegex(const std::string& source) {
    auto it = regex_cache_.find(source);
    if (it != regex_cache_.end()) return it->second;
    std::string error;
    std::shared_ptr<const Regex> re = awk::CompileRegex(source, &error);
    if (!re) {
      if (error.empty()) Refuse("awk regular expression " + source);
      if (error.rfind(awk::kRegexPanic, 0) == 0) {
        ErrWrite(error + "\n");
        exit_code_ = 100;
        fatal_ = true;
        throw ExitRequest{};
      }
      RtError("regular expression compile failed (" + error + ")\n" +
              source.substr(0, source.find('\0')));
    }
    if (regex_cache_.size() > 10000) regex_cache_.clear();
    regex_cache_.emplace(source, re);
    return re;
  }

  // ------------------------------------------------------------- output
  // Bytes for awk's own stdout.
  void StdoutWrite(std::string_view s) {
    stdout_pending_.append(s);
    size_t out = stdout_model_.Add(s.size());
    if (out > 0) EmitStdout(out);
  }
  void EmitStdout(size_t n) {
    n = std::min(n, stdout_pending_.size());
    if (n == 0) return;
    if (n == stdout_pending_.size()) {
      io_.out.append(std::move(stdout_pending_));
      stdout_pending_.clear();
    } else {
      io_.out.append(std::string_view(stdout_pending_).substr(0, n));
      stdout_pending_.erase(0, n);
    }
    if (io_.out.size() > kMaxOutput) Refuse("awk output too large");
  }
  void FlushStdout() { EmitStdout(stdout_model_.Flush()); }

  void NodeWrite(FileNode& node, std::string_view s) {
    switch (node.std_stream) {
      case FileNode::kStdout:
        StdoutWrite(s);
        return;
      case FileNode::kStderr:
        ErrWrite(s);
        return;
      default:
        break;
    }
    if (node.type == FileNode::kPipeOut) {
      node.pipe_data.append(s);
      if (node.pipe_data.size() > kMaxOutput) Refuse("awk output too large");
      return;
    }
    if (node.dev_null) return;
    node.pending.append(s);
    size_t out = node.model.Add(s.size());
    if (out > 0) {
      node.flushed.append(node.pending, 0, out);
      node.pending.erase(0, out);
    }
    if (node.flushed.size() + node.pending.size() > kMaxOutput) Refuse("awk output too large");
  }

  // What the file holds now, in the store.
  void CommitFile(FileNode& node) {
    if (node.dev_null || node.std_stream != FileNode::kNotStd) return;
    int err = 0;
    if (!node.created) {
      node.created = true;
      std::string_view data = node.flushed;
      err = node.type == FileNode::kTrunc ? fs_.WriteFile(node.loc, data, 0666 & ~wfs::kUmask)
                                          : fs_.AppendFile(node.loc, data, 0666 & ~wfs::kUmask);
    } else if (node.committed < node.flushed.size()) {
      err = fs_.AppendFile(node.loc, std::string_view(node.flushed).substr(node.committed),
                           0666 & ~wfs::kUmask);
    }
    if (!io_.unsupported.empty()) throw RefuseRequest{};
    if (err != 0) Refuse("awk write to " + node.name + " failed");
    node.committed = node.flushed.size();
  }

  // fflush on one output.
  void FlushNode(FileNode& node) {
    if (node.std_stream == FileNode::kStdout) {
      FlushStdout();
      return;
    }
    if (node.type == FileNode::kAppend || node.type == FileNode::kTrunc) {
      node.model.Flush();
      node.flushed.append(node.pending);
      node.pending.clear();
    }
  }

  // Before a command runs: the files it may read hold what stdio wrote.
  void CommitAllFiles() {
    for (auto& n : files_) {
      if (n->type == FileNode::kAppend || n->type == FileNode::kTrunc) CommitFile(*n);
    }
  }

  // flush_all_output.
  void FlushAllOutput() {
    for (auto& n : files_) {
      if (n->IsOutput()) FlushNode(*n);
    }
  }

  // fclose of an output node (close() and the exit).
  int CloseOutput(FileNode& node) {
    switch (node.type) {
      case FileNode::kPipeOut:
        return RunPipeOut(node);
      case FileNode::kAppend:
      case FileNode::kTrunc:
        if (node.std_stream == FileNode::kStdout) {
          FlushStdout();
          return 0;
        }
        FlushNode(node);
        CommitFile(node);
        return 0;
      default:
        return 0;
    }
  }

  // A command run by sh -c with `input` on its stdin; its stdout goes to
  // `capture` (getline) or to our stdout, its stderr to our stderr.
  int RunCommand(const std::string& command, std::string_view input, std::string* capture) {
    if (!env_.run_script) Refuse("awk running a command (" + command + ") outside a shell");
    CommitAllFiles();
    CommandIo child;
    child.stdin_data = input;
    int status = env_.run_script(command, child);
    if (!child.unsupported.empty()) Refuse(child.unsupported);
    for (Stream::Chunk& chunk : child.log) {
      if (chunk.fd == 1) {
        if (capture != nullptr) {
          capture->append(chunk.bytes);
        } else {
          io_.out.append(std::move(chunk.bytes));
        }
      } else {
        io_.err.append(std::move(chunk.bytes));
      }
    }
    if (io_.out.size() > kMaxOutput) Refuse("awk output too large");
    // mawk's wait_status: a signal shows as 256 + its number; a shell
    // reports it as 128 + N, which cannot be told from an exit status.
    return status;
  }

  int RunPipeOut(FileNode& node) {
    std::string data = std::move(node.pipe_data);
    node.pipe_data.clear();
    return RunCommand(node.name, data, nullptr);
  }

  // What a command started now finds on the shared stdin.
  std::string_view StdinLeft() const {
    std::string_view in = io_.stdin_data;
    if (!stdin_used_) return in;
    size_t consumed = stdin_consumed_;
    size_t blocks = (consumed + kInputBlock - 1) / kInputBlock * kInputBlock;
    return in.substr(std::min(in.size(), blocks));
  }

  // file_find: the node for `name` and `type`, opened if needed.
  FileNode* FindFile(const std::string& name, FileNode::Type type) {
    auto same_kind = [](FileNode::Type a, FileNode::Type b) {
      bool out_a = a == FileNode::kAppend || a == FileNode::kTrunc;
      bool out_b = b == FileNode::kAppend || b == FileNode::kTrunc;
      return a == b || (out_a && out_b);
    };
    for (size_t i = 0; i < files_.size(); ++i) {
      FileNode& n = *files_[i];
      if (n.open && std::strcmp(n.name.c_str(), name.c_str()) == 0 && same_kind(n.type, type)) {
        std::unique_ptr<FileNode> moved = std::move(files_[i]);
        files_.erase(files_.begin() + static_cast<long>(i));
        files_.insert(files_.begin(), std::move(moved));
        return files_.front().get();
      }
    }
    auto node = std::make_unique<FileNode>();
    node->name = name;
    node->type = type;
    switch (type) {
      case FileNode::kTrunc:
      case FileNode::kAppend:
        OpenOutputFile(*node);
        break;
      case FileNode::kIn:
        if (!OpenInputFile(*node)) return nullptr;
        break;
      case FileNode::kPipeOut:
        FlushStdout();
        if (!env_.run_script) Refuse("awk running a command (" + name + ") outside a shell");
        break;
      case FileNode::kPipeIn: {
        FlushStdout();
        node->reader = std::make_unique<Reader>();
        node->reader->use_owned = true;
        node->status = RunCommand(name, StdinLeft(), &node->reader->owned);
        break;
      }
    }
    files_.insert(files_.begin(), std::move(node));
    return files_.front().get();
  }

  void OpenOutputFile(FileNode& node) {
    const std::string& name = node.name;
    if (name == "/dev/null") {
      node.dev_null = true;
      return;
    }
    std::string cname = name.substr(0, name.find('\0'));
    if (cname.rfind("/dev/", 0) == 0 || cname.rfind("/proc/", 0) == 0) {
      Refuse("awk writing to a device (" + cname + ")");
    }
    if (cname.empty()) {
      Fatal("cannot open \"\" for output (No such file or directory)");
    }
    wfs::Loc loc;
    if (!fs_.Resolve(cname, "awk", &loc, io_)) throw RefuseRequest{};
    int err = CheckCreatable(loc);
    if (err != 0)
      Fatal("cannot open \"" + cname + "\" for output (" + wfs::ErrnoMessage(err) + ")");
    for (const auto& other : files_) {
      if ((other->type == FileNode::kAppend || other->type == FileNode::kTrunc) &&
          other->std_stream == FileNode::kNotStd && !other->dev_null && SameLoc(other->loc, loc)) {
        Refuse("awk writing one file under two names (" + cname + ")");
      }
    }
    node.loc = loc;
  }

  static bool SameLoc(const wfs::Loc& a, const wfs::Loc& b) {
    if (a.host != b.host) return false;
    return a.host ? a.host_path == b.host_path : a.vfs == b.vfs;
  }

  // The errno fopen(name, "w") would fail with (0: it would succeed).
  int CheckCreatable(const wfs::Loc& loc) {
    wfs::Node st;
    int err = fs_.Stat(loc, &st);
    if (err == 0) {
      if (st.kind == wfs::Kind::kDir) return EISDIR;
      if (st.kind == wfs::Kind::kOther) Refuse("awk writing to a special file");
      return 0;
    }
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
    err = fs_.Stat(parent, &st);
    if (err != 0) return err;
    if (st.kind != wfs::Kind::kDir) return ENOTDIR;
    return loc.trailing_slash ? EISDIR : 0;
  }

  // FINopen for getline < name; false when open() would fail.
  bool OpenInputFile(FileNode& node) {
    std::string cname = node.name.substr(0, node.name.find('\0'));
    auto reader = std::make_unique<Reader>();
    if (cname == "-" || cname == "/dev/stdin") {
      OpenStdin(*reader);
      node.reader = std::move(reader);
      return true;
    }
    // A file still open for output: mawk reads what stdio flushed so far.
    wfs::Loc loc;
    if (!cname.empty() && env_.Resolve(cname).where == ResolvedPath::Where::kMount &&
        fs_.Resolve(cname, "awk", &loc, io_)) {
      for (const auto& out : files_) {
        if ((out->type == FileNode::kAppend || out->type == FileNode::kTrunc) &&
            out->std_stream == FileNode::kNotStd && !out->dev_null && SameLoc(out->loc, loc)) {
          CommitFile(*out);
        }
      }
    }
    InputFile::Open open = reader->file.OpenOperand(env_, io_, "awk", cname);
    switch (open) {
      case InputFile::Open::kOk:
        break;
      case InputFile::Open::kError:
        return false;
      case InputFile::Open::kDirectory:
        reader->directory = true;
        break;
      case InputFile::Open::kRefused:
        throw RefuseRequest{};
    }
    node.reader = std::move(reader);
    return true;
  }

  // A second reader of stdin: refused (mawk's readers would share it
  // block by block), except after `-f -`, which read it all.
  void UseStdin() {
    if (stdin_used_ && !stdin_program_) Refuse("awk reading stdin twice");
    stdin_used_ = true;
  }
  void OpenStdin(Reader& r) {
    UseStdin();
    r.is_stdin = true;
    if (stdin_program_) {
      r.use_owned = true;  // nothing left
      return;
    }
    r.file.OpenOperand(env_, io_, "awk", "-");
  }

  // file_close: every node of that name.
  int CloseFile(const std::string& name) {
    int retval = -1;
    for (size_t i = 0; i < files_.size();) {
      FileNode& n = *files_[i];
      if (std::strcmp(n.name.c_str(), name.c_str()) != 0) {
        ++i;
        continue;
      }
      if (n.std_stream != FileNode::kNotStd) Refuse("awk close(\"" + name + "\")");
      std::unique_ptr<FileNode> node = std::move(files_[i]);
      files_.erase(files_.begin() + static_cast<long>(i));
      switch (node->type) {
        case FileNode::kTrunc:
        case FileNode::kAppend:
          CloseOutput(*node);
          retval = 0;
          break;
        case FileNode::kPipeOut:
          retval = CloseOutput(*node);
          break;
        case FileNode::kIn:
          retval = 0;
          break;
        case FileNode::kPipeIn:
          retval = node->status;
          break;
      }
    }
    return retval;
  }

  // mawk_exit: every output closed in list order.
  void CloseAll() {
    for (size_t i = 0; i < files_.size(); ++i) {
      FileNode& n = *files_[i];
      if (!n.IsOutput()) continue;
      if (n.std_stream == FileNode::kStderr) continue;
      CloseOutput(n);
    }
    FlushStdout();
  }

  // --------------------------------------------------------------- input
  // FINgets: the next record of `r`; false at the end.
  bool ReadRecord(Reader& r, std::string_view* rec) {
    if (r.eof) return false;
    if (r.directory) Fatal("read error (Is a directory)");
    for (;;) {
      std::string_view data = r.Data();
      if (r.pos >= data.size()) {
        if (!r.Complete() && Grow(r)) continue;
        r.eof = true;
        return false;
      }
      if (r.start) {
        r.start = false;
        if (rs_.kind == RecordSep::kParagraph) {
          while (r.pos < data.size() && data[r.pos] == '\n') ++r.pos;
          if (r.pos >= data.size()) continue;
        }
      }
      size_t end = std::string_view::npos;
      size_t sep_len = 0;
      switch (rs_.kind) {
        case RecordSep::kChar: {
          const void* q = std::memchr(data.data() + r.pos, rs_.c, data.size() - r.pos);
          if (q != nullptr) {
            end = static_cast<size_t>(static_cast<const char*>(q) - data.data());
            sep_len = 1;
          }
          break;
        }
        case RecordSep::kStr:
          end = data.find(rs_.str, r.pos);
          sep_len = rs_.str.size();
          break;
        case RecordSep::kRegex:
        case RecordSep::kParagraph: {
          size_t at;
          size_t len;
          if (PosMatch(*rs_.re, data, r.pos, r.pos != 0, &at, &len)) {
            if (at + len < data.size() || r.Complete()) {
              end = at;
              sep_len = len;
            }
          }
          break;
        }
      }
      if (end != std::string_view::npos) {
        *rec = data.substr(r.pos, end - r.pos);
        r.pos = end + sep_len;
        if (r.is_stdin) stdin_consumed_ = std::max(stdin_consumed_, r.pos);
        return true;
      }
      if (!r.Complete()) {
        if (Grow(r)) continue;
      }
      // The last record, without a terminator.
      *rec = data.substr(r.pos);
      r.pos = data.size();
      if (rs_.kind == RecordSep::kParagraph && !rec->empty() && rec->back() == '\n') {
        rec->remove_suffix(1);
      }
      if (r.is_stdin) stdin_consumed_ = std::max(stdin_consumed_, r.pos);
      return true;
    }
  }

  // A large file is read as a growing prefix (a program may stop early);
  // after one step the rest is read at once.
  bool Grow(Reader& r) {
    if (r.use_owned) return false;
    bool grown = ++r.grows > 1 ? r.file.ReadAll() : r.file.Grow();
    if (grown) return true;
    if (r.file.error() != vfs::Status::Code::kOk) Refuse("awk input read error");
    return false;
  }

  // open_main / next_main.
  void OpenMain() {
    main_opened_ = true;
    double argc = ToNum(globals_[awk::kSlotARGC]);
    if (argc == 1.0) {
      MainToStdin();
      return;
    }
    NextMain(true);
  }

  void MainToStdin() {
    globals_[awk::kSlotFILENAME] = Value::Str("-");
    globals_[awk::kSlotFNR] = Value::Num(0);
    rt_fnr_ = 0;
    main_ = std::make_unique<Reader>();
    OpenStdin(*main_);
  }

  // Returns false when the input is exhausted.
  bool NextMain(bool open_flag) {
    main_.reset();
    AwkArray& argv = *arrays_[awk::kArrayARGV];
    for (;;) {
      double argc = ToNum(globals_[awk::kSlotARGC]);
      if (!(argi_ < argc)) break;
      Value key = Value::Num(argi_);
      argi_ += 1.0;
      Value* cell = argv.Find(key, convfmt_fmt_, false);
      if (cell == nullptr) continue;
      std::string buf;
      std::string name = ToStr(*cell, buf);
      Value arg = *cell;
      if (name.empty()) continue;
      if (CommandLineAssign(name, false)) continue;
      std::string cname = name.substr(0, name.find('\0'));
      auto reader = std::make_unique<Reader>();
      if (cname == "-" || cname == "/dev/stdin") {
        OpenStdin(*reader);
      } else {
        InputFile::Open open = reader->file.OpenOperand(env_, io_, "awk", cname);
        switch (open) {
          case InputFile::Open::kOk:
            break;
          case InputFile::Open::kDirectory:
            reader->directory = true;
            break;
          case InputFile::Open::kRefused:
            throw RefuseRequest{};
          case InputFile::Open::kError:
            Fatal("cannot open " + cname + " (" + ErrnoText(reader->file.error()) + ")");
        }
      }
      if (!arg.IsString()) arg = Value::Str(name);
      globals_[awk::kSlotFILENAME] = arg;
      globals_[awk::kSlotFNR] = Value::Num(0);
      rt_fnr_ = 0;
      main_ = std::move(reader);
      return true;
    }
    if (open_flag) {
      MainToStdin();
      return true;
    }
    main_done_ = true;
    return false;
  }

  // The next main record into $0; false at the end of all input.
  bool NextMainRecord(std::string_view* rec) {
    if (!main_opened_) OpenMain();
    for (;;) {
      if (main_done_) return false;
      if (main_ && ReadRecord(*main_, rec)) return true;
      if (!NextMain(false)) return false;
    }
  }

  void CountRecord() {
    Value& nr = globals_[awk::kSlotNR];
    Value& fnr = globals_[awk::kSlotFNR];
    if (nr.type != Value::kDouble || fnr.type != Value::kDouble) {
      nr = Value::Num(ToNum(nr));
      fnr = Value::Num(ToNum(fnr));
    }
    nr.d += 1.0;
    fnr.d += 1.0;
    ++rt_nr_;
    ++rt_fnr_;
  }

  // is_cmdline_assign: NAME=value operands and -v.
  bool CommandLineAssign(const std::string& arg, bool compile_time) {
    if (arg.empty()) return false;
    auto idchar = [](unsigned char c) {
      return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    };
    if (!idchar(static_cast<unsigned char>(arg[0]))) return false;
    size_t p = 1;
    while (p < arg.size() &&
           (idchar(static_cast<unsigned char>(arg[p])) || (arg[p] >= '0' && arg[p] <= '9'))) {
      ++p;
    }
    if (p >= arg.size() || arg[p] != '=') return false;
    std::string name = arg.substr(0, p);
    std::string raw = arg.substr(p + 1);
    std::string value = awk::RemoveEscapes(raw.substr(0, raw.find('\0')));
    Value v;
    v.type = Value::kMbstrn;
    v.s = std::move(value);
    CheckStrnum(&v, compile_time);
    auto it = program_->symbols.find(name);
    awk::Symbol::Kind kind = it == program_->symbols.end() ? awk::Symbol::kNone : it->second.kind;
    switch (kind) {
      case awk::Symbol::kNone:
        return true;  // a variable the program never uses
      case awk::Symbol::kVar:
        globals_[static_cast<size_t>(it->second.index)] = std::move(v);
        return true;
      case awk::Symbol::kField:
        AssignSpecial(it->second.index, std::move(v));
        return true;
      default:
        RtError("cannot command line assign to " + name + "\n\ttype clash or keyword");
    }
  }

  // -------------------------------------------------------- expressions
  Value& GlobalRef(int32_t i) { return globals_[static_cast<size_t>(i)]; }
  Local& LocalRef(int32_t i) { return (*frame_)[static_cast<size_t>(i)]; }

  AwkArray& ArrayOf(const ArrayRef& a) {
    if (!a.local) return *arrays_[static_cast<size_t>(a.index)];
    Local& l = LocalRef(a.index);
    if (l.array == nullptr) {
      l.owned = std::make_unique<AwkArray>();
      l.array = l.owned.get();
    }
    return *l.array;
  }

  // The subscript of kElem/kIn/kDelete: one value, or the values joined by
  // SUBSEP (array_cat).
  [[gnu::noinline]] Value Subscript(const std::vector<std::unique_ptr<Expr>>& kids) {
    if (kids.size() == 1) return Eval(*kids[0]);
    std::string buf;
    std::string subsep = ToStr(globals_[awk::kSlotSUBSEP], buf);
    Value key;
    key.type = Value::kString;
    for (size_t i = 0; i < kids.size(); ++i) {
      if (i > 0) key.s.append(subsep);
      Value part = Eval(*kids[i]);
      AppendStr(part, &key.s);
    }
    return key;
  }

  // The value an expression denotes, by reference when it is stored.
  const Value& EvalRef(const Expr& e, Value& tmp) {
    switch (e.kind) {
      case ExprKind::kGlobal:
        return GlobalRef(e.index);
      case ExprKind::kLocal:
        return LocalRef(e.index).v;
      case ExprKind::kFieldConst:
        return FieldRef(e.index);
      case ExprKind::kSpecial:
        return SpecialRef(e.index);
      default:
        tmp = Eval(e);
        return tmp;
    }
  }

  double EvalNum(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kNumber:
        return e.num;
      case ExprKind::kGlobal:
        return ToNum(GlobalRef(e.index));
      case ExprKind::kLocal:
        return ToNum(LocalRef(e.index).v);
      case ExprKind::kFieldConst:
        return ToNum(FieldRef(e.index));
      case ExprKind::kArith:
        return Arith(e);
      default: {
        Value v = Eval(e);
        return ToNum(v);
      }
    }
  }

  bool EvalTest(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kCompare:
        return CompareExpr(e);
      case ExprKind::kRegex:
        return MatchRecord(*e.re);
      case ExprKind::kMatch:
        return MatchExpr(e);
      case ExprKind::kAnd:
        return EvalTest(*e.kids[0]) && EvalTest(*e.kids[1]);
      case ExprKind::kOr:
        return EvalTest(*e.kids[0]) || EvalTest(*e.kids[1]);
      case ExprKind::kNot:
        return !EvalTest(*e.kids[0]);
      default: {
        Value tmp;
        return Truth(EvalRef(e, tmp));
      }
    }
  }

  bool MatchRecord(const Regex& re) {
    std::string buf;
    return re.Test(ToStr(field0_, buf));
  }

  [[gnu::noinline]] bool MatchExpr(const Expr& e) {
    Value tmp;
    std::string buf;
    const Value& subject = EvalRef(*e.kids[0], tmp);
    bool result;
    if (e.re) {
      result = e.re->Test(ToStr(subject, buf));
    } else {
      Value copy;
      const Value* s = &subject;
      if (!e.kids[1]->pure) {
        copy = subject;
        s = &copy;
      }
      Value pattern = Eval(*e.kids[1]);
      std::string pbuf;
      std::shared_ptr<const Regex> re = DynamicRegex(ToStr(pattern, pbuf));
      result = re->Test(ToStr(*s, buf));
    }
    return e.op ? !result : result;
  }

  [[gnu::noinline]] bool CompareExpr(const Expr& e) {
    Value ta;
    const Value& a = EvalRef(*e.kids[0], ta);
    const Value* left = &a;
    Value copy;
    if (!e.kids[1]->pure && left != &ta) {
      copy = a;
      left = &copy;
    }
    Value tb;
    const Value& b = EvalRef(*e.kids[1], tb);
    int c = Compare(*left, b);
    switch (e.op) {
      case awk::kCmpEq:
        return c == 0;
      case awk::kCmpNe:
        return c != 0;
      case awk::kCmpLt:
        return c < 0;
      case awk::kCmpLe:
        return c <= 0;
      case awk::kCmpGt:
        return c > 0;
      default:
        return c >= 0;
    }
  }

  double Arith(const Expr& e) {
    double x = EvalNum(*e.kids[0]);
    double y = EvalNum(*e.kids[1]);
    switch (e.op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        return x / y;
      case '%':
        return std::fmod(x, y);
      default:
        return std::pow(x, y);
    }
  }

  static double ApplyOp(uint8_t op, double x, double y) {
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        return x / y;
      case '%':
        return std::fmod(x, y);
      default:
        return std::pow(x, y);
    }
  }

  Value Eval(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kNumber:
        return Value::Num(e.num);
      case ExprKind::kString:
        return Value::Str(e.str);
      case ExprKind::kRegex:
        return Value::Num(MatchRecord(*e.re) ? 1 : 0);
      case ExprKind::kGlobal:
        return GlobalRef(e.index);
      case ExprKind::kLocal:
        return LocalRef(e.index).v;
      case ExprKind::kSpecial:
        return SpecialRef(e.index);
      case ExprKind::kFieldConst:
        return FieldRef(e.index);
      case ExprKind::kField:
        return FieldRef(FieldIndex(EvalNum(*e.kids[0])));
      case ExprKind::kElem:
        return EvalElem(e);
      case ExprKind::kArrayName:
        Refuse("awk an array used as a value");
      case ExprKind::kAssign:
        return Assign(e);
      case ExprKind::kCond:
        return EvalTest(*e.kids[0]) ? Eval(*e.kids[1]) : Eval(*e.kids[2]);
      case ExprKind::kAnd:
      case ExprKind::kOr:
      case ExprKind::kCompare:
      case ExprKind::kMatch:
        return Value::Num(EvalTest(e) ? 1 : 0);
      case ExprKind::kNot:
        return Value::Num(EvalTest(*e.kids[0]) ? 0 : 1);
      case ExprKind::kNeg:
        return Value::Num(-EvalNum(*e.kids[0]));
      case ExprKind::kUPlus:
        return Value::Num(EvalNum(*e.kids[0]));
      case ExprKind::kArith:
        return Value::Num(Arith(e));
      case ExprKind::kConcat:
        return EvalConcat(e);
      case ExprKind::kIn:
        return Value::Num(EvalIn(e) ? 1 : 0);
      case ExprKind::kIncDec:
        return IncDec(e);
      case ExprKind::kBuiltin:
        return CallBuiltin(e);
      case ExprKind::kLengthArray:
        return Value::Num(static_cast<double>(ArrayOf(e.array).size()));
      case ExprKind::kCall:
        return CallFunction(e);
      case ExprKind::kGetline:
        return Value::Num(Getline(e));
    }
    return Value();
  }

  // The less common expressions, out of Eval so that its frame (one per
  // nesting level of a recursive awk function) stays small.
  [[gnu::noinline]] Value EvalElem(const Expr& e) {
    Value key = Subscript(e.kids);
    return *ArrayOf(e.array).Find(key, convfmt_fmt_, true);
  }
  [[gnu::noinline]] Value EvalConcat(const Expr& e) {
    Value v;
    v.type = Value::kString;
    for (const auto& k : e.kids) {
      Value tmp;
      AppendStr(EvalRef(*k, tmp), &v.s);
    }
    return v;
  }
  [[gnu::noinline]] bool EvalIn(const Expr& e) {
    Value key = Subscript(e.kids);
    return ArrayOf(e.array).Find(key, convfmt_fmt_, false) != nullptr;
  }

  // A cell becomes a number (its string's storage is kept for reuse).
  static void SetNumber(Value* cell, double d) {
    cell->type = Value::kDouble;
    cell->d = d;
    cell->s.clear();
  }

  // Stores `v` in the lvalue `target` (already prepared), mawk's way.
  void Store(const Expr& target, Value v, int64_t field_index) {
    CheckStrnum(&v);  // C_MBSTRN is not propagated by assignment
    switch (target.kind) {
      case ExprKind::kGlobal:
        GlobalRef(target.index) = std::move(v);
        return;
      case ExprKind::kLocal:
        LocalRef(target.index).v = std::move(v);
        return;
      case ExprKind::kSpecial:
        AssignSpecial(target.index, std::move(v));
        return;
      case ExprKind::kFieldConst:
      case ExprKind::kField:
        AssignField(field_index, std::move(v));
        return;
      default:
        return;
    }
  }

  // The field index of a field lvalue, prepared as F_PUSHA does.
  int64_t FieldTarget(const Expr& target) {
    int64_t i =
        target.kind == ExprKind::kFieldConst ? target.index : FieldIndex(EvalNum(*target.kids[0]));
    PrepareFieldTarget(i);
    return i;
  }

  [[gnu::noinline]] Value Assign(const Expr& e) {
    const Expr& target = *e.kids[0];
    const Expr& rhs = *e.kids[1];
    if (target.kind == ExprKind::kElem) {
      Value key = Subscript(target.kids);
      AwkArray& array = ArrayOf(target.array);
      Value* cell = array.Find(key, convfmt_fmt_, true);
      if (e.op == '=') {
        Value v = Eval(rhs);
        CheckStrnum(&v);
        if (!rhs.pure) cell = ArrayOf(target.array).Find(key, convfmt_fmt_, true);
        *cell = std::move(v);
        return *cell;
      }
      double y = EvalNum(rhs);
      if (!rhs.pure) cell = ArrayOf(target.array).Find(key, convfmt_fmt_, true);
      double x = ToNum(*cell);
      *cell = Value::Num(ApplyOp(e.op, x, y));
      return *cell;
    }
    if (e.op != '=' && (target.kind == ExprKind::kGlobal || target.kind == ExprKind::kLocal)) {
      // x op= y on a variable: the number is updated in place.
      double y = EvalNum(rhs);
      Value& cell =
          target.kind == ExprKind::kGlobal ? GlobalRef(target.index) : LocalRef(target.index).v;
      double x = ToNum(cell);
      SetNumber(&cell, ApplyOp(e.op, x, y));
      return Value::Num(cell.d);
    }
    int64_t field_index = 0;
    if (target.kind == ExprKind::kFieldConst || target.kind == ExprKind::kField) {
      field_index = FieldTarget(target);
    }
    if (e.op == '=') {
      Value v = Eval(rhs);
      Store(target, v, field_index);
      CheckStrnum(&v);
      return v;
    }
    double y = EvalNum(rhs);
    double x;
    if (target.kind == ExprKind::kFieldConst || target.kind == ExprKind::kField) {
      x = ToNum(FieldRef(field_index));
    } else {
      Value tmp;
      x = ToNum(EvalRef(target, tmp));
    }
    Value v = Value::Num(ApplyOp(e.op, x, y));
    Store(target, v, field_index);
    return v;
  }

  [[gnu::noinline]] Value IncDec(const Expr& e) {
    const Expr& target = *e.kids[0];
    double delta = (e.op == awk::kPreInc || e.op == awk::kPostInc) ? 1.0 : -1.0;
    bool post = e.op == awk::kPostInc || e.op == awk::kPostDec;
    if (target.kind == ExprKind::kElem) {
      Value key = Subscript(target.kids);
      Value* cell = ArrayOf(target.array).Find(key, convfmt_fmt_, true);
      double old = ToNum(*cell);
      *cell = Value::Num(old + delta);
      return Value::Num(post ? old : old + delta);
    }
    if (target.kind == ExprKind::kGlobal || target.kind == ExprKind::kLocal) {
      Value& cell =
          target.kind == ExprKind::kGlobal ? GlobalRef(target.index) : LocalRef(target.index).v;
      double old = ToNum(cell);
      SetNumber(&cell, old + delta);
      return Value::Num(post ? old : old + delta);
    }
    int64_t field_index = 0;
    double old;
    if (target.kind == ExprKind::kSpecial) {
      old = ToNum(SpecialRef(target.index));
    } else {
      field_index = FieldTarget(target);
      old = ToNum(FieldRef(field_index));
    }
    Store(target, Value::Num(old + delta), field_index);
    return Value::Num(post ? old : old + delta);
  }

  // ------------------------------------------------------------ getline
  [[gnu::noinline]] double Getline(const Expr& e) {
    const Expr* target = e.kids[0].get();
    // The target's address is taken first (F_PUSHA for a field).
    int64_t field_index = 0;
    Value elem_key;
    if (target != nullptr) {
      if (target->kind == ExprKind::kFieldConst || target->kind == ExprKind::kField) {
        field_index = FieldTarget(*target);
      } else if (target->kind == ExprKind::kElem) {
        elem_key = Subscript(target->kids);
        ArrayOf(target->array).Find(elem_key, convfmt_fmt_, true);
      }
    }
    std::string_view rec;
    switch (e.op) {
      case awk::kGetlineMain:
        if (!NextMainRecord(&rec)) return 0;
        CountRecord();
        break;
      case awk::kGetlineFile:
      case awk::kGetlineCommand: {
        Value name_value = Eval(*e.kids[1]);
        std::string buf;
        std::string name = ToStr(name_value, buf);
        FileNode* node =
            FindFile(name, e.op == awk::kGetlineFile ? FileNode::kIn : FileNode::kPipeIn);
        if (node == nullptr) return -1;
        if (!ReadRecord(*node->reader, &rec)) return 0;
        break;
      }
    }
    Value v;
    if (rec.empty()) {
      v = kEmptyStringValue;
    } else {
      v.type = Value::kMbstrn;
      v.s.assign(rec.data(), rec.size());
    }
    if (target == nullptr) {
      field0_ = std::move(v);
      nf_ = -1;
      return 1;
    }
    switch (target->kind) {
      case ExprKind::kGlobal:
        GlobalRef(target->index) = std::move(v);
        break;
      case ExprKind::kLocal:
        LocalRef(target->index).v = std::move(v);
        break;
      case ExprKind::kElem:
        *ArrayOf(target->array).Find(elem_key, convfmt_fmt_, true) = std::move(v);
        break;
      case ExprKind::kSpecial:
        AssignSpecial(target->index, std::move(v));
        break;
      default:
        AssignField(field_index, std::move(v));
        break;
    }
    return 1;
  }

  // ------------------------------------------------------------ builtins
  [[gnu::noinline]] Value CallBuiltin(const Expr& e) {
    const auto& k = e.kids;
    switch (e.builtin) {
      case Builtin::kLength: {
        if (k.empty()) {
          std::string buf;
          return Value::Num(static_cast<double>(ToStr(field0_, buf).size()));
        }
        Value tmp;
        std::string buf;
        return Value::Num(static_cast<double>(ToStr(EvalRef(*k[0], tmp), buf).size()));
      }
      case Builtin::kIndex: {
        Value a = Eval(*k[0]);
        Value b = Eval(*k[1]);
        std::string ba;
        std::string bb;
        const std::string& s = ToStr(a, ba);
        const std::string& t = ToStr(b, bb);
        if (t.empty()) return Value::Num(1);
        size_t at = s.find(t);
        return Value::Num(at == std::string::npos ? 0 : static_cast<double>(at + 1));
      }
      case Builtin::kSubstr:
        return Substr(e);
      case Builtin::kSprintf: {
        std::vector<Value> args;
        args.reserve(k.size());
        for (const auto& a : k) args.push_back(Eval(*a));
        std::string buf;
        std::string format = ToStr(args[0], buf);
        Value v;
        v.type = Value::kString;
        DoPrintf(format, args, 1, true, &v.s);
        return v;
      }
      case Builtin::kSin:
        return Value::Num(std::sin(EvalNum(*k[0])));
      case Builtin::kCos:
        return Value::Num(std::cos(EvalNum(*k[0])));
      case Builtin::kAtan2: {
        double y = EvalNum(*k[0]);
        double x = EvalNum(*k[1]);
        return Value::Num(std::atan2(y, x));
      }
      case Builtin::kExp:
        return Value::Num(std::exp(EvalNum(*k[0])));
      case Builtin::kLog:
        return Value::Num(std::log(EvalNum(*k[0])));
      case Builtin::kInt: {
        double d = EvalNum(*k[0]);
        return Value::Num(d >= 0.0 ? std::floor(d) : std::ceil(d));
      }
      case Builtin::kSqrt:
        return Value::Num(std::sqrt(EvalNum(*k[0])));
      case Builtin::kRand: {
        if (!seeded_) Refuse("awk rand() without srand(seed): mawk seeds it from the clock");
        int32_t r = 0;
        random_r(&random_data_, &r);
        return Value::Num(static_cast<double>(r) / static_cast<double>(kMaxInt));
      }
      case Builtin::kSrand:
        return Srand(e);
      case Builtin::kClose: {
        Value v = Eval(*k[0]);
        std::string buf;
        std::string name = ToStr(v, buf);
        return Value::Num(CloseFile(name));
      }
      case Builtin::kSystem: {
        Value v = Eval(*k[0]);
        std::string buf;
        std::string command = ToStr(v, buf);
        FlushAllOutput();
        int status = RunCommand(command.substr(0, command.find('\0')), StdinLeft(), nullptr);
        return Value::Num(status);
      }
      case Builtin::kToupper:
      case Builtin::kTolower: {
        Value v = Eval(*k[0]);
        std::string buf;
        std::string s = ToStr(v, buf);
        bool upper = e.builtin == Builtin::kToupper;
        // mawk stops at a NUL and leaves the rest zeroed.
        size_t nul = s.find('\0');
        for (size_t i = 0; i < s.size(); ++i) {
          if (nul != std::string::npos && i >= nul) {
            s[i] = '\0';
            continue;
          }
          char& c = s[i];
          if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
          if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return Value::Str(s);
      }
      case Builtin::kFflush: {
        if (k.empty()) {
          FlushStdout();
          return Value::Num(0);
        }
        Value v = Eval(*k[0]);
        std::string buf;
        std::string name = ToStr(v, buf);
        if (name.empty()) {
          FlushAllOutput();
          return Value::Num(0);
        }
        bool found = false;
        for (auto& n : files_) {
          if (n->IsOutput() && n->name == name) {
            found = true;
            FlushNode(*n);
          }
        }
        return Value::Num(found ? 0 : -1);
      }
      case Builtin::kSystime:
      case Builtin::kMktime:
      case Builtin::kStrftime:
        Refuse("awk time functions");
      case Builtin::kSplit:
        return Split(e);
      case Builtin::kMatch:
        return Match(e);
      case Builtin::kSub:
        return Sub(e, false);
      case Builtin::kGsub:
        return Sub(e, true);
    }
    return Value();
  }

  Value Substr(const Expr& e) {
    const auto& k = e.kids;
    Value sv = Eval(*k[0]);
    std::string buf;
    std::string s = ToStr(sv, buf);
    if (s.empty()) {
      // The other arguments are still evaluated.
      for (size_t i = 1; i < k.size(); ++i) Eval(*k[i]);
      return Value::Str("");
    }
    int32_t len = static_cast<int32_t>(std::min<size_t>(s.size(), kMaxInt));
    double dstart = EvalNum(*k[1]);
    int32_t n;
    if (k.size() == 2) {
      n = len;
    } else {
      n = DToI(EvalNum(*k[2]));
    }
    // int arithmetic as mawk's (wrapping).
    int32_t i = static_cast<int32_t>(static_cast<uint32_t>(DToI(dstart)) - 1u);
    if (i > len) n = 0;
    if (i < 0) {
      n = static_cast<int32_t>(static_cast<uint32_t>(n) - static_cast<uint32_t>(i + 1));
      i = 0;
    }
    if (n > len - i) n = len - i;
    if (n <= 0) return Value::Str("");
    return Value::Str(std::string_view(s).substr(static_cast<size_t>(i), static_cast<size_t>(n)));
  }

  // `discard`: the value srand returns (the previous seed) is not used.
  Value Srand(const Expr& e, bool discard = false) {
    if (e.kids.empty()) {
      // Seeded from the clock: what follows cannot be reproduced.
      Value old = seed_cell_;
      if (seed_from_clock_ && !discard) Refuse("awk srand() returns the clock");
      seed_cell_ = Value();
      seed_from_clock_ = true;
      seeded_ = false;
      return old;
    }
    Value arg = Eval(*e.kids[0]);
    if (arg.type != Value::kDouble && arg.type != Value::kStrnum) {
      Refuse("awk srand() of a non-numeric value");
    }
    Value old = seed_cell_;
    bool old_clock = seed_from_clock_;
    seed_cell_ = arg;
    seed_from_clock_ = false;
    seeded_ = true;
    srandom_r(static_cast<unsigned>(DToI(arg.d)), &random_data_);
    if (old_clock && !discard) Refuse("awk srand() returns the clock");
    return old;
  }

  Value Split(const Expr& e) {
    Value sv = Eval(*e.kids[0]);
    FieldSep sep;
    switch (e.op) {
      case 0:
        sep = fs_split_;
        break;
      case 2:
        if (!e.re) Refuse("awk split regular expression");
        sep.kind = e.re->empty() ? FieldSep::kNull : FieldSep::kRegex;
        sep.re = e.re;
        break;
      default: {
        Value sepv = Eval(*e.kids[1]);
        sep = SplitterFor(sepv);
        break;
      }
    }
    std::string buf;
    const std::string& s = ToStr(sv, buf);
    std::vector<std::string> pieces;
    if (!s.empty()) {
      auto sink = [&pieces](size_t, std::string_view p) { pieces.emplace_back(p); };
      switch (sep.kind) {
        case FieldSep::kNull:
          for (char c : s) pieces.emplace_back(1, c);
          break;
        case FieldSep::kSpace:
          SpaceSplit(s, sink);
          break;
        case FieldSep::kRegex:
          RegexSplit(s, *sep.re, sink);
          break;
      }
    }
    double n = static_cast<double>(pieces.size());
    ArrayOf(e.array).Load(std::move(pieces));
    return Value::Num(n);
  }

  std::shared_ptr<const Regex> RegexArg(const Expr& e, size_t kid) {
    if (e.re) return e.re;
    Value v = Eval(*e.kids[kid]);
    std::string buf;
    return DynamicRegex(ToStr(v, buf));
  }

  Value Match(const Expr& e) {
    Value subject = Eval(*e.kids[0]);
    std::shared_ptr<const Regex> re = RegexArg(e, 1);
    std::string buf;
    const std::string& s = ToStr(subject, buf);
    size_t start;
    size_t len;
    double rstart = 0;
    double rlength = -1;
    if (re->Find(s, 0, false, &start, &len)) {
      rstart = static_cast<double>(start + 1);
      rlength = static_cast<double>(len);
    }
    globals_[awk::kSlotRSTART] = Value::Num(rstart);
    globals_[awk::kSlotRLENGTH] = Value::Num(rlength);
    return Value::Num(rstart);
  }

  // The replacement of sub/gsub with `matched` for each unescaped &.
  struct Replacement {
    std::vector<std::string> pieces;  // literal text
    std::vector<bool> is_match;       // a piece that is the matched text
    bool has_match = false;
  };
  static Replacement CompileReplacement(const std::string& text) {
    Replacement r;
    std::string cur;
    // mawk reads the replacement as a C string.
    std::string s = text.substr(0, text.find('\0'));
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == '\\' && i + 1 < s.size() && (s[i + 1] == '&' || s[i + 1] == '\\')) {
        cur += s[i + 1];
        ++i;
        continue;
      }
      if (c == '&') {
        if (!cur.empty()) {
          r.pieces.push_back(cur);
          r.is_match.push_back(false);
          cur.clear();
        }
        r.pieces.emplace_back();
        r.is_match.push_back(true);
        r.has_match = true;
        continue;
      }
      cur += c;
    }
    if (!cur.empty() || r.pieces.empty()) {
      r.pieces.push_back(cur);
      r.is_match.push_back(false);
    }
    return r;
  }
  static void AppendReplacement(const Replacement& r, std::string_view matched, std::string* out) {
    for (size_t i = 0; i < r.pieces.size(); ++i) {
      if (r.is_match[i]) {
        out->append(matched);
      } else {
        out->append(r.pieces[i]);
      }
    }
  }

  // sub and gsub (bi_sub, gsub3).
  Value Sub(const Expr& e, bool global) {
    const Expr& target = *e.kids[2];
    // The arguments are evaluated in order; the regex is compiled by
    // bi_sub itself, after them.
    Value re_value;
    if (!e.re) re_value = Eval(*e.kids[0]);
    Value repl_value = Eval(*e.kids[1]);
    std::string rbuf;
    Replacement repl = CompileReplacement(ToStr(repl_value, rbuf));
    // The target's address, then its current value.
    int64_t field_index = 0;
    Value elem_key;
    Value current;
    switch (target.kind) {
      case ExprKind::kFieldConst:
      case ExprKind::kField:
        field_index = FieldTarget(target);
        current = FieldRef(field_index);
        break;
      case ExprKind::kElem:
        elem_key = Subscript(target.kids);
        current = *ArrayOf(target.array).Find(elem_key, convfmt_fmt_, true);
        break;
      case ExprKind::kSpecial:
        current = SpecialRef(target.index);
        break;
      default: {
        Value tmp;
        current = EvalRef(target, tmp);
        break;
      }
    }
    std::shared_ptr<const Regex> re = e.re;
    if (!re) {
      std::string rbuf2;
      re = DynamicRegex(ToStr(re_value, rbuf2));
    }
    std::string buf;
    const std::string input = ToStr(current, buf);
    std::string output;
    double count = 0;
    if (!global) {
      size_t where;
      size_t len;
      if (re->Find(input, 0, false, &where, &len)) {
        output.append(input, 0, where);
        AppendReplacement(repl, std::string_view(input).substr(where, len), &output);
        output.append(input, where + len, std::string::npos);
        count = 1;
      }
    } else {
      long skip0 = -1;
      size_t n = input.size();
      output.reserve(n);
      for (size_t j = 0; j <= n; ++j) {
        CountOps();
        size_t where;
        size_t howmuch;
        if (!re->Find(input, j, j != 0, &where, &howmuch)) {
          output.append(input, j, std::string::npos);
          break;
        }
        if (where > j) {
          skip0 = -1;
          output.append(input, j, where - j);
        }
        if (howmuch > 0 || static_cast<long>(j) != skip0) {
          ++count;
          AppendReplacement(repl, std::string_view(input).substr(where, howmuch), &output);
        }
        if (howmuch > 0) {
          j = where + howmuch - 1;
        } else {
          j = where;
          if (j < n) output += input[j];
        }
        skip0 = howmuch != 0 ? static_cast<long>(j + 1) : -1;
      }
    }
    if (count > 0) {
      Value v = Value::Str(output);
      switch (target.kind) {
        case ExprKind::kFieldConst:
        case ExprKind::kField:
          AssignField(field_index, std::move(v));
          break;
        case ExprKind::kElem:
          *ArrayOf(target.array).Find(elem_key, convfmt_fmt_, true) = std::move(v);
          break;
        case ExprKind::kSpecial:
          AssignSpecial(target.index, std::move(v));
          break;
        case ExprKind::kGlobal:
          GlobalRef(target.index) = std::move(v);
          break;
        case ExprKind::kLocal:
          LocalRef(target.index).v = std::move(v);
          break;
        default:
          break;
      }
    }
    return Value::Num(count);
  }

  // ------------------------------------------------------------- printf
  // mawk's do_printf; args[first...] are the arguments.
  // printf writes as it goes: what precedes an error is output (`dest`).
  void DoPrintf(const std::string& format_full, std::vector<Value>& args, size_t first,
                bool is_sprintf, std::string* out, FileNode* dest = nullptr) {
    const char* who = is_sprintf ? "sprintf" : "printf";
    std::string format = format_full.substr(0, format_full.find('\0'));
    size_t q = 0;
    size_t argi = first;
    int num_conversion = 0;
    auto partial = [&]() {
      if (!is_sprintf && !out->empty()) {
        std::string done = std::move(*out);
        out->clear();
        Emit(dest, done);
      }
    };
    auto not_enough = [&]() {
      partial();
      RtError(std::string("not enough arguments passed to ") + who + "(\"" + format + "\")");
    };
    auto bad_conversion = [&]() {
      partial();
      RtError("improper conversion(number " + std::to_string(num_conversion) + ") in " + who +
              "(\"" + format + "\")");
    };
    auto overflow_check = [&](size_t need) {
      if (is_sprintf && out->size() + need + 1 >= kSprintfLimit) {
        RtOverflow("sprintf buffer", kSprintfLimit);
      }
    };
    for (;;) {
      size_t pct = format.find('%', q);
      if (pct == std::string::npos) {
        out->append(format, q, std::string::npos);
        if (is_sprintf && out->size() > kSprintfLimit) RtOverflow("sprintf buffer", kSprintfLimit);
        return;
      }
      out->append(format, q, pct - q);
      q = pct + 1;
      ++num_conversion;
      if (q < format.size() && format[q] == '%') {
        out->push_back('%');
        ++q;
        continue;
      }
      size_t spec_start = pct;
      while (q < format.size() && std::strchr("-+ #0'", format[q]) != nullptr) ++q;
      int ast[2] = {0, 0};
      int ast_cnt = 0;
      auto star = [&]() {
        if (argi >= args.size()) Refuse("awk printf * without an argument");
        ast[ast_cnt++] = DToI(ToNum(args[argi++]));
        ++q;
      };
      if (q < format.size() && format[q] == '*') {
        star();
      } else {
        while (q < format.size() && format[q] >= '0' && format[q] <= '9') ++q;
      }
      if (q < format.size() && format[q] == '.') {
        ++q;
        if (q < format.size() && format[q] == '*') {
          star();
        } else {
          while (q < format.size() && format[q] >= '0' && format[q] <= '9') ++q;
        }
      }
      if (argi >= args.size()) not_enough();
      bool l_flag = false;
      bool h_flag = false;
      if (q < format.size() && format[q] == 'l') {
        l_flag = true;
        ++q;
      } else if (q < format.size() && format[q] == 'h') {
        h_flag = true;
        ++q;
      }
      char conv = q < format.size() ? format[q] : '\0';
      ++q;
      Value& arg = args[argi];
      std::string spec = format.substr(spec_start, q - spec_start);
      // A width or precision too large for memory: refused.
      for (size_t i = 0; i < spec.size(); ++i) {
        if (spec[i] >= '1' && spec[i] <= '9') {
          size_t j = i;
          while (j < spec.size() && spec[j] >= '0' && spec[j] <= '9') ++j;
          if (j - i > 7 || std::stoul(spec.substr(i, j - i)) > kMaxPrintfWidth) {
            Refuse("awk printf width");
          }
          i = j;
        }
      }
      for (int a = 0; a < ast_cnt; ++a) {
        if (ast[a] > static_cast<int>(kMaxPrintfWidth) ||
            ast[a] < -static_cast<int>(kMaxPrintfWidth)) {
          Refuse("awk printf width");
        }
      }
      switch (conv) {
        case 's':
        case 'c': {
          if (l_flag || h_flag) bad_conversion();
          std::string one;
          std::string sbuf;
          std::string_view text;
          if (conv == 's') {
            text = ToStr(arg, sbuf);
          } else {
            int32_t ival = 0;
            switch (arg.type) {
              case Value::kNoInit:
                break;
              case Value::kDouble:
              case Value::kStrnum:
                ival = DToI(arg.d);
                break;
              case Value::kString:
                ival = arg.s.empty() ? 0 : arg.s[0];
                break;
              case Value::kMbstrn:
                CheckStrnum(&arg);
                ival = arg.type == Value::kString ? (arg.s.empty() ? 0 : arg.s[0]) : DToI(arg.d);
                break;
            }
            one.assign(1, static_cast<char>(ival));
            text = one;
          }
          PutSFormat(spec, ast, text, out, overflow_check);
          break;
        }
        case 'd':
        case 'i': {
          int32_t ival = DToI(ToNum(arg));
          char buf[128];
          if (l_flag) {
            long v = static_cast<long>(static_cast<uint32_t>(ival));
            FormatC(spec, ast, ast_cnt, buf, sizeof buf, out, v);
          } else {
            FormatC(spec, ast, ast_cnt, buf, sizeof buf, out, ival);
          }
          break;
        }
        case 'o':
        case 'x':
        case 'X':
        case 'u': {
          uint32_t uval = DToU(ToNum(arg));
          char buf[128];
          if (l_flag) {
            FormatC(spec, ast, ast_cnt, buf, sizeof buf, out, static_cast<unsigned long>(uval));
          } else {
            FormatC(spec, ast, ast_cnt, buf, sizeof buf, out, uval);
          }
          break;
        }
        case 'e':
        case 'g':
        case 'f':
        case 'E':
        case 'G': {
          if (l_flag || h_flag) bad_conversion();
          char buf[512];
          FormatC(spec, ast, ast_cnt, buf, sizeof buf, out, ToNum(arg));
          break;
        }
        default:
          bad_conversion();
      }
      ++argi;
    }
  }

  template <typename T>
  static void FormatC(const std::string& spec, const int* ast, int ast_cnt, char* buf, size_t size,
                      std::string* out, T value) {
    int n;
    switch (ast_cnt) {
      case 0:
        n = std::snprintf(buf, size, spec.c_str(), value);
        break;
      case 1:
        n = std::snprintf(buf, size, spec.c_str(), ast[0], value);
        break;
      default:
        n = std::snprintf(buf, size, spec.c_str(), ast[0], ast[1], value);
        break;
    }
    if (n < 0) return;
    if (static_cast<size_t>(n) < size) {
      out->append(buf, static_cast<size_t>(n));
      return;
    }
    std::string big(static_cast<size_t>(n) + 1, '\0');
    switch (ast_cnt) {
      case 0:
        std::snprintf(big.data(), big.size(), spec.c_str(), value);
        break;
      case 1:
        std::snprintf(big.data(), big.size(), spec.c_str(), ast[0], value);
        break;
      default:
        std::snprintf(big.data(), big.size(), spec.c_str(), ast[0], ast[1], value);
        break;
    }
    out->append(big.data(), static_cast<size_t>(n));
  }

  // make_sfmt + puts_sfmt: %s and %c by hand (nawk-style flags).
  template <typename Check>
  void PutSFormat(const std::string& spec, const int* ast, std::string_view text, std::string* out,
                  Check&& overflow_check) {
    enum { kSpace = 1, kMinus = 2, kZeros = 4, kWidth = 8, kPrec = 16 };
    int width = 0;
    int prec = 0;
    int flags = 0;
    {
      size_t f = 1;
      bool ok_flag = true;
      while (f < spec.size() && ok_flag) {
        switch (spec[f]) {
          case ' ':
            flags |= kSpace;
            ++f;
            break;
          case '-':
            flags |= kMinus;
            ++f;
            break;
          case '0':
            flags |= kZeros;
            ++f;
            break;
          case '+':
          case '#':
            ++f;
            break;
          default:
            ok_flag = false;
            break;
        }
      }
      int parts = 0;
      int digits = 0;
      int value = 0;
      int used = 0;
      bool success = true;
      while (f < spec.size() && success) {
        char ch = spec[f++];
        if (ch >= '0' && ch <= '9') {
          if (digits < 0) {
            success = false;
          } else if (digits++ == 0) {
            value = ch - '0';
          } else {
            value = 10 * value + (ch - '0');
          }
        } else if (ch == '.') {
          if (parts) {
            success = false;
          } else {
            if (digits) {
              width = value;
              flags |= kWidth;
              digits = 0;
              value = 0;
            }
            parts = 1;
          }
        } else if (ch == '*') {
          if (digits == 0) {
            value = ast[used++];
            digits = -1;
          } else {
            success = false;
          }
        } else if (ch == 'c' || ch == 's') {
          if (digits) {
            if (parts) {
              prec = value;
              flags |= kPrec;
            } else {
              width = value;
              flags |= kWidth;
            }
          }
          if (f < spec.size()) success = false;
        } else {
          success = false;
        }
      }
    }
    long src_len = static_cast<long>(text.size());
    if (width < 0) {
      width = -width;
      flags |= kMinus;
    }
    if ((flags & kPrec) && prec < 0) Refuse("awk printf negative precision");
    if ((flags & kSpace) && src_len == 0) {
      overflow_check(1);
      out->push_back(' ');
    }
    if ((flags & kPrec) && src_len > prec) src_len = prec;
    long w = (flags & kWidth) ? width : src_len;
    if (!(flags & kMinus) && src_len < w) {
      overflow_check(static_cast<size_t>(w - src_len));
      out->append(static_cast<size_t>(w - src_len), ' ');
      w = src_len;
    }
    overflow_check(static_cast<size_t>(src_len));
    out->append(text.substr(0, static_cast<size_t>(src_len)));
    if (src_len < w) {
      overflow_check(static_cast<size_t>(w - src_len));
      out->append(static_cast<size_t>(w - src_len), ' ');
    }
  }

  // ------------------------------------------------------------- print
  void PrintCell(const Value& v, std::string* out) const {
    switch (v.type) {
      case Value::kNoInit:
        return;
      case Value::kDouble:
        AppendNumber(v.d, ofmt_fmt_, out);
        return;
      default:
        out->append(v.s);
        return;
    }
  }

  FileNode* Destination(const Stmt& s) {
    if (s.redirect == awk::kNoRedirect) return nullptr;
    Value d = Eval(*s.dest);
    std::string buf;
    std::string name = ToStr(d, buf);
    FileNode::Type type = s.redirect == awk::kRedirectPipe     ? FileNode::kPipeOut
                          : s.redirect == awk::kRedirectAppend ? FileNode::kAppend
                                                               : FileNode::kTrunc;
    return FindFile(name, type);
  }

  void Emit(FileNode* node, std::string_view bytes) {
    if (node == nullptr) {
      StdoutWrite(bytes);
      if (io_.OutputEnough()) throw StopRequest{};
    } else {
      NodeWrite(*node, bytes);
      if (node->std_stream == FileNode::kStdout && io_.OutputEnough()) throw StopRequest{};
    }
  }

  [[gnu::noinline]] void Print(const Stmt& s) {
    std::string line;
    if (s.exprs.empty()) {
      FileNode* node = Destination(s);
      PrintCell(field0_, &line);
      PrintCell(globals_[awk::kSlotORS], &line);
      Emit(node, line);
      return;
    }
    bool pure = true;
    for (const auto& e : s.exprs) pure = pure && e->pure;
    if (pure) {
      // Nothing an argument does can change OFS or another argument: the
      // line is built as the arguments are evaluated.
      for (size_t i = 0; i < s.exprs.size(); ++i) {
        if (i > 0) PrintCell(globals_[awk::kSlotOFS], &line);
        Value tmp;
        PrintCell(EvalRef(*s.exprs[i], tmp), &line);
      }
      FileNode* node = Destination(s);
      PrintCell(globals_[awk::kSlotORS], &line);
      Emit(node, line);
      return;
    }
    std::vector<Value> values;
    values.reserve(s.exprs.size());
    for (const auto& e : s.exprs) values.push_back(Eval(*e));
    FileNode* node = Destination(s);
    for (size_t i = 0; i < values.size(); ++i) {
      if (i > 0) PrintCell(globals_[awk::kSlotOFS], &line);
      PrintCell(values[i], &line);
    }
    PrintCell(globals_[awk::kSlotORS], &line);
    Emit(node, line);
  }

  [[gnu::noinline]] void Printf(const Stmt& s) {
    std::vector<Value> values;
    values.reserve(s.exprs.size());
    for (const auto& e : s.exprs) values.push_back(Eval(*e));
    FileNode* node = Destination(s);
    std::string buf;
    std::string format = ToStr(values[0], buf);
    std::string out;
    DoPrintf(format, values, 1, false, &out, node);
    Emit(node, out);
  }

  // ---------------------------------------------------------- functions
  [[gnu::noinline]] Value CallFunction(const Expr& e) {
    const awk::Function& f = program_->functions[static_cast<size_t>(e.index)];
    if (!f.body) Refuse("awk call of an undefined function");
    if (++depth_ > kMaxCallDepth) Refuse("awk recursion too deep");
    // mawk's evaluation stack holds 1024 values (fewer than 16 free stops
    // it: "program limit exceeded: eval stack"): a recursion that might
    // come near it is refused.
    int64_t cells = f.nparams + e.stack_bound;
    eval_cells_ += cells;
    if (eval_cells_ > kMaxEvalCells) Refuse("awk recursion deeper than mawk's evaluation stack");
    struct Release {
      int64_t* total;
      int64_t n;
      ~Release() { *total -= n; }
    } release{&eval_cells_, cells};
    CountOps();
    std::vector<Local> frame(static_cast<size_t>(std::max<int32_t>(f.nparams, 0)));
    size_t nargs = e.kids.size();
    for (size_t i = 0; i < nargs && i < frame.size(); ++i) {
      const Expr& a = *e.kids[i];
      if (a.kind == ExprKind::kArrayName) {
        frame[i].array = &ArrayOf(a.array);
      } else if (a.kind == ExprKind::kLocal && f.param_is_array[i]) {
        // An untyped local of the caller, used as an array by the callee.
        frame[i].array = &ArrayOf(ArrayRef{true, a.index});
      } else {
        frame[i].v = Eval(a);
      }
    }
    for (size_t i = nargs; i < frame.size(); ++i) {
      if (f.param_is_array[i]) {
        frame[i].owned = std::make_unique<AwkArray>();
        frame[i].array = frame[i].owned.get();
      }
    }
    std::vector<Local>* saved = frame_;
    frame_ = &frame;
    Value ret;
    Value* saved_ret = return_value_;
    return_value_ = &ret;
    try {
      Exec(*f.body);
    } catch (...) {
      frame_ = saved;
      return_value_ = saved_ret;
      --depth_;
      throw;
    }
    frame_ = saved;
    return_value_ = saved_ret;
    --depth_;
    return ret;
  }

  // ----------------------------------------------------------- statements
  Flow ExecList(const std::vector<std::unique_ptr<Stmt>>& list) {
    for (const auto& s : list) {
      if (!s) continue;
      Flow f = Exec(*s);
      if (f != Flow::kNormal) return f;
    }
    return Flow::kNormal;
  }

  // Statements with locals, out of Exec (see EvalElem).
  [[gnu::noinline]] void ExecExpr(const Expr& e) {
    switch (e.kind) {
      case ExprKind::kAssign:
        Assign(e);
        break;
      case ExprKind::kIncDec:
        IncDec(e);
        break;
      case ExprKind::kBuiltin:
        if (e.builtin == Builtin::kSrand) {
          Srand(e, true);  // the previous seed is not used
          break;
        }
        Eval(e);
        break;
      default:
        Eval(e);
        break;
    }
  }

  [[gnu::noinline]] Flow ExecForIn(const Stmt& s) {
    bool sorted = env_.Getenv("WHINY_USERS").has_value();  // gawk compatibility in mawk
    std::vector<std::string> keys = ArrayOf(s.array).Keys(sorted);
    const Expr& var = *s.exprs[0];
    for (std::string& k : keys) {
      CountOps();
      Value v;
      v.type = Value::kString;
      v.s = std::move(k);
      if (var.kind == ExprKind::kGlobal) {
        GlobalRef(var.index) = std::move(v);
      } else {
        LocalRef(var.index).v = std::move(v);
      }
      if (!s.body[0]) continue;
      Flow f = Exec(*s.body[0]);
      if (f == Flow::kBreak) break;
      if (f == Flow::kContinue) continue;
      if (f != Flow::kNormal) return f;
    }
    return Flow::kNormal;
  }

  [[gnu::noinline]] void ExecReturn(const Stmt& s) {
    if (return_value_ == nullptr) return;
    if (!s.exprs.empty()) {
      *return_value_ = Eval(*s.exprs[0]);
    } else {
      *return_value_ = Value();
    }
  }

  [[gnu::noinline]] void ExecDelete(const Stmt& s) {
    Value key = Subscript(s.exprs);
    ArrayOf(s.array).Delete(key, convfmt_fmt_);
  }

  Flow Exec(const Stmt& s) {
    CountOps();
    switch (s.kind) {
      case StmtKind::kExpr:
        ExecExpr(*s.exprs[0]);
        return Flow::kNormal;
      case StmtKind::kPrint:
        Print(s);
        return Flow::kNormal;
      case StmtKind::kPrintf:
        Printf(s);
        return Flow::kNormal;
      case StmtKind::kIf:
        if (EvalTest(*s.exprs[0])) return s.body[0] ? Exec(*s.body[0]) : Flow::kNormal;
        if (s.body.size() > 1 && s.body[1]) return Exec(*s.body[1]);
        return Flow::kNormal;
      case StmtKind::kWhile:
        while (EvalTest(*s.exprs[0])) {
          CountOps();
          if (!s.body[0]) continue;
          Flow f = Exec(*s.body[0]);
          if (f == Flow::kBreak) break;
          if (f == Flow::kContinue) continue;
          if (f != Flow::kNormal) return f;
        }
        return Flow::kNormal;
      case StmtKind::kDo:
        do {
          CountOps();
          if (!s.body[0]) continue;
          Flow f = Exec(*s.body[0]);
          if (f == Flow::kBreak) break;
          if (f == Flow::kContinue) continue;
          if (f != Flow::kNormal) return f;
        } while (EvalTest(*s.exprs[0]));
        return Flow::kNormal;
      case StmtKind::kFor: {
        if (s.exprs[0]) Eval(*s.exprs[0]);
        for (;;) {
          CountOps();
          if (s.exprs[1] && !EvalTest(*s.exprs[1])) break;
          if (s.body[0]) {
            Flow f = Exec(*s.body[0]);
            if (f == Flow::kBreak) break;
            if (f != Flow::kNormal && f != Flow::kContinue) return f;
          }
          if (s.exprs[2]) Eval(*s.exprs[2]);
        }
        return Flow::kNormal;
      }
      case StmtKind::kForIn:
        return ExecForIn(s);
      case StmtKind::kBlock:
        return ExecList(s.body);
      case StmtKind::kNext:
        return Flow::kNext;
      case StmtKind::kNextFile:
        return Flow::kNextFile;
      case StmtKind::kExit:
        if (!s.exprs.empty()) exit_code_ = DToI(EvalNum(*s.exprs[0]));
        throw ExitRequest{};
      case StmtKind::kReturn:
        ExecReturn(s);
        return Flow::kReturn;
      case StmtKind::kBreak:
        return Flow::kBreak;
      case StmtKind::kContinue:
        return Flow::kContinue;
      case StmtKind::kDelete:
        ExecDelete(s);
        return Flow::kNormal;
      case StmtKind::kDeleteAll:
        ArrayOf(s.array).Clear();
        return Flow::kNormal;
    }
    return Flow::kNormal;
  }

  // ----------------------------------------------------------- the run
  void RunProgram();
  void MainLoop();
  void Prepare(const CommandLine& cl);

  std::string prog_;
  CommandEnv& env_;
  CommandIo& io_;
  wfs::Fs fs_;
  std::chrono::steady_clock::time_point started_;
  std::unique_ptr<Program> program_;

  std::vector<Value> globals_;
  std::vector<std::unique_ptr<AwkArray>> arrays_;
  std::vector<Local>* frame_ = nullptr;
  Value* return_value_ = nullptr;
  int depth_ = 0;
  int64_t eval_cells_ = 0;  // bound of mawk's evaluation stack in use

  Value field0_ = kEmptyStringValue;
  std::vector<Value> fields_;
  int64_t nf_ = 0;
  Value nf_cell_ = Value::Num(0);
  Value rs_cell_ = Value::Str("\n");
  Value fs_cell_ = Value::Str(" ");
  Value ofmt_cell_ = Value::Str("%.6g");
  Value convfmt_cell_ = Value::Str("%.6g");
  std::string ofmt_fmt_ = "%.6g";
  std::string convfmt_fmt_ = "%.6g";
  FieldSep fs_split_;
  RecordSep rs_;
  std::unordered_map<std::string, std::shared_ptr<const Regex>> regex_cache_;

  // Input.
  std::unique_ptr<Reader> main_;
  bool main_opened_ = false;
  bool main_done_ = false;
  double argi_ = 1.0;
  unsigned rt_nr_ = 0;
  unsigned rt_fnr_ = 0;
  bool stdin_used_ = false;
  bool stdin_program_ = false;  // -f - read stdin
  size_t stdin_consumed_ = 0;

  // Output.
  std::string stdout_pending_;
  StdioModel stdout_model_;
  std::vector<std::unique_ptr<FileNode>> files_;

  // rand().
  struct random_data random_data_;
  char random_state_[128];
  Value seed_cell_;
  bool seed_from_clock_ = true;
  bool seeded_ = false;

  int exit_code_ = 0;
  bool fatal_ = false;
  bool stopped_early_ = false;
  uint64_t ops_ = 0;
  std::vector<bool> range_active_;
};

void Runtime::Prepare(const CommandLine& cl) {
  // The builtin variables.
  globals_.assign(awk::kFirstUserGlobal, Value());
  globals_[awk::kSlotNR] = Value::Num(0);
  globals_[awk::kSlotFNR] = Value::Num(0);
  globals_[awk::kSlotFILENAME] = Value::Str("");
  globals_[awk::kSlotOFS] = Value::Str(" ");
  globals_[awk::kSlotORS] = Value::Str("\n");
  globals_[awk::kSlotSUBSEP] = Value::Str("\034");
  program_ = std::make_unique<Program>();
  // -v names are variables before the program is read.
  std::vector<std::string> predeclared;
  for (const auto& [kind, text] : cl.early) {
    if (kind != 'v') continue;
    size_t eq = text.find('=');
    if (eq != std::string::npos) predeclared.push_back(text.substr(0, eq));
  }
  // A bad -v stops mawk while it reads its options.
  for (const auto& [kind, text] : cl.early) {
    if (kind != 'v') continue;
    size_t eq = text.find('=');
    bool ok = eq != std::string::npos && eq > 0;
    if (ok) {
      unsigned char c0 = static_cast<unsigned char>(text[0]);
      ok = c0 == '_' || (c0 >= 'a' && c0 <= 'z') || (c0 >= 'A' && c0 <= 'Z');
      for (size_t i = 1; ok && i < eq; ++i) {
        unsigned char c = static_cast<unsigned char>(text[i]);
        ok = c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      }
    }
    if (!ok) Fatal("improper assignment: -v " + text);
    // Names that are keywords, builtins or ENVIRON cannot be assigned.
    static constexpr const char* kNotAssignable[] = {
        "print",  "printf",   "do",      "while",    "for",    "break",  "continue", "if",
        "else",   "in",       "delete",  "split",    "match",  "BEGIN",  "END",      "exit",
        "next",   "nextfile", "return",  "getline",  "sub",    "gsub",   "function", "length",
        "index",  "substr",   "sprintf", "sin",      "cos",    "atan2",  "exp",      "log",
        "int",    "sqrt",     "rand",    "srand",    "close",  "system", "toupper",  "tolower",
        "fflush", "systime",  "mktime",  "strftime", "ENVIRON"};
    std::string name = text.substr(0, eq);
    for (const char* bad : kNotAssignable) {
      if (name == bad) {
        RtError("cannot command line assign to " + name + "\n\ttype clash or keyword");
      }
    }
  }
  // The program text.
  std::vector<awk::SourceText> sources;
  if (cl.have_text) sources.push_back({cl.program_text, ""});
  for (const std::string& f : cl.program_files) {
    awk::SourceText src;
    src.file_name = f;
    if (f == "-" || f == "/dev/stdin") {
      UseStdin();
      stdin_program_ = true;
      src.text = std::string(io_.stdin_data);
      stdin_consumed_ = io_.stdin_data.size();
    } else {
      vfs::Status::Code code = vfs::Status::Code::kOk;
      InputFile::Open open = ReadWholeOperand(env_, io_, "awk", f, &src.text, &code);
      if (open == InputFile::Open::kRefused) throw RefuseRequest{};
      if (open == InputFile::Open::kError) Fatal("cannot open " + f + " (" + ErrnoText(code) + ")");
      if (open == InputFile::Open::kDirectory) Fatal("read error (Is a directory)");
    }
    sources.push_back(std::move(src));
  }
  awk::CompileOutput compiled;
  awk::CompileProgram(sources, prog_, predeclared, program_.get(), &compiled);
  if (!program_->unsupported.empty()) Refuse(program_->unsupported);
  globals_.resize(static_cast<size_t>(program_->num_globals));
  arrays_.clear();
  for (int32_t i = 0; i < program_->num_arrays; ++i)
    arrays_.push_back(std::make_unique<AwkArray>());
  // -F and -v values, in command line order.
  for (const auto& [kind, text] : cl.early) {
    if (kind == 'F') {
      AssignSpecial(awk::kSpecialFS, Value::Str(awk::RemoveEscapes(text)));
    } else if (text.rfind("ARGV=", 0) != 0) {
      // (-v ARGV=... makes a variable that ARGV, made afterwards, hides.)
      CommandLineAssign(text, true);
    }
  }
  if (!compiled.errors.empty()) ErrWrite(compiled.errors);
  if (compiled.status != 0) {
    exit_code_ = compiled.status;
    fatal_ = true;
    throw ExitRequest{};
  }
  if (compiled.empty) throw ExitRequest{};
  // ARGV and ARGC; ENVIRON.
  AwkArray& av = *arrays_[awk::kArrayARGV];
  *av.Find(Value::Num(0), convfmt_fmt_, true) = Value::Str(prog_);
  double i = 1;
  for (const std::string& a : cl.args) {
    Value v;
    v.type = Value::kMbstrn;
    v.s = a;
    *av.Find(Value::Num(i), convfmt_fmt_, true) = std::move(v);
    i += 1;
  }
  globals_[awk::kSlotARGC] = Value::Num(i);
  AwkArray& envv = *arrays_[awk::kArrayENVIRON];
  if (env_.environment != nullptr) {
    for (const std::string& entry : *env_.environment) {
      size_t eq = entry.find('=');
      if (eq == std::string::npos) continue;
      Value v;
      v.type = Value::kMbstrn;
      v.s = entry.substr(eq + 1);
      *envv.Find(Value::Str(entry.substr(0, eq)), convfmt_fmt_, true) = std::move(v);
    }
  }
  // mawk's list of named streams: stdin, stdout, stderr.
  files_.clear();
  auto add_std = [this](const char* name, FileNode::Type type, FileNode::Std which, bool open) {
    auto n = std::make_unique<FileNode>();
    n->name = name;
    n->type = type;
    n->std_stream = which;
    n->open = open;
    files_.push_back(std::move(n));
  };
  add_std("/dev/stdin", FileNode::kIn, FileNode::kStdin, false);
  add_std("/dev/stdout", FileNode::kTrunc, FileNode::kStdout, true);
  add_std("/dev/stderr", FileNode::kTrunc, FileNode::kStderr, true);
}

void Runtime::MainLoop() {
  const std::vector<awk::Rule>& rules = program_->rules;
  range_active_.assign(rules.size(), false);
  std::string_view rec;
  while (NextMainRecord(&rec)) {
    CountRecord();
    SetRecord(rec);
    CountOps();
    for (size_t i = 0; i < rules.size(); ++i) {
      const awk::Rule& r = rules[i];
      if (r.range) {
        if (!range_active_[i]) {
          if (!EvalTest(*r.pattern)) continue;
          range_active_[i] = true;
        }
        if (EvalTest(*r.pattern2)) range_active_[i] = false;
      } else if (r.pattern && !EvalTest(*r.pattern)) {
        continue;
      }
      Flow f = Flow::kNormal;
      if (r.action) {
        f = Exec(*r.action);
      } else {
        std::string line;
        PrintCell(field0_, &line);
        PrintCell(globals_[awk::kSlotORS], &line);
        Emit(nullptr, line);
      }
      if (f == Flow::kNext) break;
      if (f == Flow::kNextFile) {
        if (main_) main_->eof = true;
        break;
      }
    }
  }
}

void Runtime::RunProgram() {
  bool has_main = !program_->rules.empty() || program_->has_end;
  try {
    for (const auto& b : program_->begin) Exec(*b);
    if (!has_main) return;
    MainLoop();
  } catch (const ExitRequest&) {
    if (fatal_) throw;
    if (!program_->has_end) return;
  }
  for (const auto& e : program_->end) Exec(*e);
}

void Runtime::Run(const std::vector<std::string>& argv) {
  CommandLine cl = ParseCommandLine(argv, prog_, env_);
  if (!cl.unsupported.empty()) {
    io_.unsupported = cl.unsupported;
    return;
  }
  io_.err.append(cl.messages);
  if (cl.exit_now) {
    io_.status = cl.exit_status;
    return;
  }
  try {
    Prepare(cl);
    RunProgram();
  } catch (const ExitRequest&) {
  } catch (const StopRequest&) {
    stopped_early_ = true;
  } catch (const RefuseRequest&) {
    return;
  } catch (const awk::RegexBudgetExceeded&) {
    io_.unsupported = "awk: a regular expression match took too long";
    return;
  }
  if (!io_.unsupported.empty()) return;
  try {
    if (stopped_early_) {
      // The reader of stdout is gone: mawk dies of SIGPIPE at its next
      // write, leaving its files and pipes unflushed.
      for (const auto& n : files_) {
        if (n->IsOutput() && n->std_stream == FileNode::kNotStd) {
          Refuse("awk stopped by its reader with files open");
        }
      }
      FlushStdout();
      io_.status = 0;
      return;
    }
    CloseAll();
  } catch (const RefuseRequest&) {
    return;
  } catch (const ExitRequest&) {
    FlushStdout();
  } catch (const StopRequest&) {
  }
  io_.status = exit_code_ & 0xff;
}

}  // namespace

void CmdAwk(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  std::string prog = argv.empty() ? "awk" : argv[0];
  size_t slash = prog.find_last_of('/');
  if (slash != std::string::npos) prog = prog.substr(slash + 1);
  Runtime runtime(prog, env, io);
  runtime.Run(argv);
}

bool AwkWrites(const std::vector<std::string>& argv) {
  // mawk's options end at the first word not starting with '-'.
  size_t argc = argv.size();
  size_t i = 1;
  while (i < argc && argv[i].size() > 1 && argv[i][0] == '-') {
    const std::string& a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a[1] == '-') {
      ++i;
      continue;
    }
    if (a[1] == 'f') return true;  // a program file: assume it writes
    bool takes_argument = false;
    for (const MawkOption& o : kMawkOptions) {
      if (o.letter == a[1]) takes_argument = o.takes_argument;
    }
    i += (takes_argument && a.size() == 2) ? 2 : 1;
  }
  if (i >= argc) return false;
  awk::Program program;
  awk::CompileOutput out;
  awk::CompileProgram({{argv[i], ""}}, "awk", {}, &program, &out);
  return program.writes_files;
}

}  // namespace memhook::utils
