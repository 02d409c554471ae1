// jq through Debian's libjq (jq 1.6): filters, JSON parsing and printing
// are jq's own code; this file rebuilds the driver of jq 1.6's main.c and
// util.c (options, the input loop, output, exit status) on the libjq API,
// reading operands from the store instead of the host.
//
// What the driver must reproduce beyond libjq:
//  - Inputs: jq 1.6 reads each file with fgets into a 4096-byte buffer and
//    feeds the parser one such piece at a time; line numbers in error
//    positions, NUL handling, raw (-R) lines split at 4095 bytes, a value
//    spanning two files, and the order of "Could not open" messages all
//    follow from that, so Inputs below replays the same pieces.
//  - Output: stdout is a fully buffered stdio stream (4096 bytes on a pipe
//    or file) while stderr is unbuffered, so with 2>&1 jq's errors land
//    before the stdout bytes still buffered. StdoutModel replays glibc's
//    buffering to log both streams in the order a real jq writes them, and
//    to know when a `head` reading the pipe has exited (SIGPIPE).
//  - Builtins that reach outside libjq's sandbox (the process environment,
//    stderr, the input callback's file name, $HOME/.jq, modules, the local
//    time zone) are shadowed by jq definitions or refused (unsupported).
#include <sys/stat.h>

// jq 1.6's headers declare C functions without extern "C" guards.
extern "C" {
#include <jq.h>
#include <jv.h>
}

#include <algorithm>
#include <cerrno>
#include <clocale>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "utils/utils.h"

namespace memhook::utils {
namespace {

// ------------------------------------------------------------ jv lifetimes

// Owns one reference to a jv. libjq's functions mostly consume their jv
// arguments: pass Release() (hand the reference over) or Copy() (a new
// reference) and get() only to the few that borrow (jv_get_kind,
// jv_string_value, jv_number_value, jv_is_valid).
class Jv {
 public:
  Jv() : value_(jv_invalid()) {}
  explicit Jv(jv value) : value_(value) {}
  ~Jv() { jv_free(value_); }
  Jv(Jv&& other) noexcept : value_(other.Release()) {}
  Jv& operator=(Jv&& other) noexcept {
    if (this != &other) {
      jv_free(value_);
      value_ = other.Release();
    }
    return *this;
  }
  Jv(const Jv&) = delete;
  Jv& operator=(const Jv&) = delete;

  jv get() const { return value_; }
  jv Copy() const { return jv_copy(value_); }
  jv Release() {
    jv value = value_;
    value_ = jv_invalid();
    return value;
  }
  jv_kind kind() const { return jv_get_kind(value_); }
  bool valid() const { return jv_is_valid(value_); }
  bool HasMessage() const { return jv_invalid_has_msg(Copy()) != 0; }

 private:
  jv value_;
};

struct JqTeardown {
  void operator()(jq_state* jq) const { jq_teardown(&jq); }
};
using JqStatePtr = std::unique_ptr<jq_state, JqTeardown>;

struct ParserFree {
  void operator()(jv_parser* parser) const { jv_parser_free(parser); }
};
using ParserPtr = std::unique_ptr<jv_parser, ParserFree>;

// A jv string's bytes, NULs included.
std::string StringBytes(const Jv& string) {
  return std::string(jv_string_value(string.get()),
                     static_cast<size_t>(jv_string_length_bytes(string.Copy())));
}

// A jv string as printf's %s shows it: up to the first NUL.
std::string CString(const Jv& string) { return jv_string_value(string.get()); }

// jv_dump_string's bytes (the same bytes jv_dumpf writes).
std::string Dump(jv value, int flags) { return StringBytes(Jv(jv_dump_string(value, flags))); }

// ------------------------------------------------------------ jq 1.6 texts

constexpr const char* kHelpHead =
    "jq - commandline JSON processor [version 1.6]\n"
    "\nUsage:\t%P [options] <jq filter> [file...]\n"
    "\t%P [options] --args <jq filter> [strings...]\n"
    "\t%P [options] --jsonargs <jq filter> [JSON_TEXTS...]\n\n"
    "jq is a tool for processing JSON inputs, applying the given filter to\n"
    "its JSON text inputs and producing the filter's results as JSON on\n"
    "standard output.\n\n"
    "The simplest filter is ., which copies jq's input to its output\n"
    "unmodified (except for formatting, but note that IEEE754 is used\n"
    "for number representation internally, with all that that implies).\n\n"
    "For more advanced filters see the jq(1) manpage (\"man jq\")\n"
    "and/or https://stedolan.github.io/jq\n\n"
    "Example:\n\n\t$ echo '{\"foo\": 0}' | jq .\n"
    "\t{\n\t\t\"foo\": 0\n\t}\n\n";
constexpr const char* kHelpShort = "For a listing of options, use %P --help.\n";
constexpr const char* kHelpLong =
    "Some of the options include:\n"
    "  -c               compact instead of pretty-printed output;\n"
    "  -n               use `null` as the single input value;\n"
    "  -e               set the exit status code based on the output;\n"
    "  -s               read (slurp) all inputs into an array; apply filter to it;\n"
    "  -r               output raw strings, not JSON texts;\n"
    "  -R               read raw strings, not JSON texts;\n"
    "  -C               colorize JSON;\n"
    "  -M               monochrome (don't colorize JSON);\n"
    "  -S               sort keys of objects on output;\n"
    "  --tab            use tabs for indentation;\n"
    "  --arg a v        set variable $a to value <v>;\n"
    "  --argjson a v    set variable $a to JSON value <v>;\n"
    "  --slurpfile a f  set variable $a to an array of JSON texts read from <f>;\n"
    "  --rawfile a f    set variable $a to a string consisting of the contents of <f>;\n"
    "  --args           remaining arguments are string arguments, not files;\n"
    "  --jsonargs       remaining arguments are JSON arguments, not files;\n"
    "  --               terminates argument processing;\n\n"
    "Named arguments are also available as $ARGS.named[], while\n"
    "positional arguments are available as $ARGS.positional[].\n"
    "\nSee the manpage for more options.\n";

// `text` with every %P replaced by the program name.
std::string WithProgname(std::string_view text, const std::string& progname) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 1 < text.size() && text[i + 1] == 'P') {
      out += progname;
      ++i;
    } else {
      out += text[i];
    }
  }
  return out;
}

// main.c's option bits.
enum Option : int {
  kSlurp = 1,
  kRawInput = 2,
  kProvideNull = 4,
  kRawOutput = 8,
  kAsciiOutput = 32,
  kColorOutput = 64,
  kNoColorOutput = 128,
  kSortedOutput = 256,
  kFromFile = 512,
  kRawNoLf = 1024,
  kUnbufferedOutput = 2048,
  kExitStatus = 4096,
  kExitStatusExact = 8192,
  kSeq = 16384,
};

// main.c's isoptish and isoption, character for character: short options
// stack ("-rc"), and each matching letter is counted so that an unknown
// letter in the stack can be reported.
bool IsOptish(const std::string& text) {
  return text.size() >= 2 && text[0] == '-' &&
         (text[1] == '-' || (text[1] >= 'a' && text[1] <= 'z') ||
          (text[1] >= 'A' && text[1] <= 'Z'));
}

bool IsOption(const std::string& text, char short_opt, const char* long_opt, size_t* short_opts) {
  if (text.empty() || text[0] != '-' || (text.size() > 1 && text[1] == '-')) *short_opts = 0;
  if (text.empty() || text[0] != '-') return false;
  if (text.size() > 1 && text[1] == '-') return text.compare(2, std::string::npos, long_opt) == 0;
  if (short_opt == 0) return false;
  if (text.find(short_opt) != std::string::npos) {
    ++*short_opts;
    return true;
  }
  return false;
}

// C's atoi, for --indent.
int Atoi(const std::string& text) {
  const long value = std::strtol(text.c_str(), nullptr, 10);
  return static_cast<int>(value);
}

// main.c's skip_shebang, for -f program files.
const char* SkipShebang(const char* p) {
  if (std::strncmp(p, "#!", 2) != 0) return p;
  const char* n = std::strchr(p, '\n');
  if (n == nullptr || n[1] != '#') return p;
  n = std::strchr(n + 1, '\n');
  if (n == nullptr || n[1] == '#' || n[1] == '\0' || n[-1] != '\\' || n[-2] == '\\') return p;
  n = std::strchr(n + 1, '\n');
  if (n == nullptr) return p;
  return n + 1;
}

// ------------------------------------------------------------ the program

// What a jq program names outside string literals and comments: words
// (function names, keywords, object keys) and $variables. Field names
// (.foo) and formats (@csv) are not words. Used to decide which shadowing
// definitions a program needs and which programs to refuse; a false
// positive only costs a shadow or a fallback to the next tier.
struct ProgramNames {
  std::set<std::string> words;
  std::set<std::string> variables;
};

bool IsIdentStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool IsIdentChar(char c) { return IsIdentStart(c) || (c >= '0' && c <= '9'); }

ProgramNames ScanProgram(std::string_view text) {
  ProgramNames names;
  // A stack of modes: code (with its open parentheses, to find the ')'
  // that closes a string interpolation "\(...)") or string.
  struct Mode {
    bool string;
    int depth;
  };
  std::vector<Mode> stack{{false, 0}};
  size_t i = 0;
  while (i < text.size()) {
    const char c = text[i];
    Mode& mode = stack.back();
    if (mode.string) {
      if (c == '\\' && i + 1 < text.size()) {
        if (text[i + 1] == '(') stack.push_back({false, 0});
        i += 2;
        continue;
      }
      if (c == '"') stack.pop_back();
      ++i;
      continue;
    }
    if (c == '#') {
      while (i < text.size() && text[i] != '\n') ++i;
      continue;
    }
    if (c == '"') {
      stack.push_back({true, 0});
      ++i;
      continue;
    }
    if (c == '(') {
      ++mode.depth;
      ++i;
      continue;
    }
    if (c == ')') {
      if (mode.depth > 0) {
        --mode.depth;
      } else if (stack.size() > 1) {
        stack.pop_back();  // the end of an interpolation: back in the string
      }
      ++i;
      continue;
    }
    if (c >= '0' && c <= '9') {  // a number, 1e5 included
      while (i < text.size() && (IsIdentChar(text[i]) || text[i] == '.')) ++i;
      continue;
    }
    const bool prefixed = c == '.' || c == '$' || c == '@';
    const size_t start = prefixed ? i + 1 : i;
    if (start < text.size() && IsIdentStart(text[start])) {
      size_t end = start;
      while (end < text.size()) {
        if (IsIdentChar(text[end])) {
          ++end;
        } else if (text.compare(end, 2, "::") == 0 && end + 2 < text.size() &&
                   IsIdentStart(text[end + 2])) {
          end += 2;
        } else {
          break;
        }
      }
      std::string name(text.substr(start, end - start));
      if (c == '$') {
        names.variables.insert(std::move(name));
      } else if (!prefixed) {
        names.words.insert(std::move(name));
      }
      i = end;
      continue;
    }
    ++i;
  }
  return names;
}

// ------------------------------------------------------------ stdout

// Bytes jq may write before it is refused: an endless generator (repeat)
// must not fill this process's memory. The shell's own output limit.
constexpr uint64_t kOutputLimit = 512ull << 20;

// jq's stdout: a stdio stream, fully buffered (4096 bytes: st_blksize of a
// pipe or an ext4 file), replayed with glibc's fwrite algorithm so that the
// bytes reach io.out exactly when jq's write(2) calls would happen. Two
// things depend on it: the order of stdout and stderr bytes (stderr is
// unbuffered), and SIGPIPE: once the bytes written satisfy the pipeline's
// reader (io.need: `| head -n N`), head exits, and jq dies at its next
// write(2) with status 141, printing nothing more.
class StdoutModel {
 public:
  static constexpr size_t kBufferSize = 4096;

  explicit StdoutModel(CommandIo& io) : io_(io) {}

  // One fwrite call (raw output: a whole string at once).
  void Fwrite(std::string_view bytes) {
    if (broken_ || bytes.empty()) return;
    total_ += bytes.size();
    if (!allocated_) {
      // The first write allocates the buffer; whole blocks go out at once.
      allocated_ = true;
      pending_.append(bytes);
      Emit(bytes.size() - bytes.size() % kBufferSize);
      return;
    }
    const size_t space = kBufferSize - pending_.size();
    pending_.append(bytes);
    if (bytes.size() <= space) return;  // a full buffer waits for the next write
    Emit(kBufferSize);
    const size_t rest = bytes.size() - space;
    Emit(rest - rest % kBufferSize);
  }

  // Many small fwrite calls: jv_dumpf writes a token (often a character)
  // at a time, so a full buffer is written out once a byte more arrives.
  void FwriteTokens(std::string_view bytes) {
    if (broken_ || bytes.empty()) return;
    total_ += bytes.size();
    allocated_ = true;
    pending_.append(bytes);
    while (!broken_ && pending_.size() > kBufferSize) Emit(kBufferSize);
  }

  // fflush / fclose.
  void Flush() { Emit(pending_.size()); }

  bool broken() const { return broken_; }
  // Bytes jq has written to the stream so far (buffered or not).
  uint64_t total() const { return total_; }

 private:
  // One write(2) of the first `count` buffered bytes.
  void Emit(size_t count) {
    if (broken_ || count == 0) return;
    if (io_.OutputEnough()) {
      broken_ = true;  // the reader has gone: SIGPIPE
      pending_.clear();
      return;
    }
    io_.out.append(std::string_view(pending_).substr(0, count));
    pending_.erase(0, count);
  }

  CommandIo& io_;
  std::string pending_;
  bool allocated_ = false;
  bool broken_ = false;
  uint64_t total_ = 0;
};

// ------------------------------------------------------------ inputs

// Bytes of one input, in pieces. Store files kept as lines are read a batch
// of lines at a time, so that jq stopped early by its reader has not read
// (nor held) the rest of a large session log.
class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // The next piece (valid until the next call); false at the end. Sets
  // *error on a read failure.
  virtual bool Next(std::string_view* piece, bool* error) = 0;
};

class ViewSource : public ByteSource {
 public:
  explicit ViewSource(std::string_view bytes) : bytes_(bytes) {}
  bool Next(std::string_view* piece, bool*) override {
    if (done_ || bytes_.empty()) return false;
    done_ = true;
    *piece = bytes_;
    return true;
  }

 private:
  std::string_view bytes_;
  bool done_ = false;
};

class OwnedSource : public ByteSource {
 public:
  explicit OwnedSource(std::string bytes) : bytes_(std::move(bytes)) {}
  bool Next(std::string_view* piece, bool*) override {
    if (done_ || bytes_.empty()) return false;
    done_ = true;
    *piece = bytes_;
    return true;
  }

 private:
  std::string bytes_;
  bool done_ = false;
};

class StoreFileSource : public ByteSource {
 public:
  StoreFileSource(vfs::Store& store, std::string path, const vfs::Stat& stat, bool pushdown)
      : store_(store), path_(std::move(path)), stat_(stat), pushdown_(pushdown) {}

  bool Next(std::string_view* piece, bool* error) override {
    if (done_) return false;
    if (pushdown_ && stat_.storage == vfs::Storage::kLines) return NextLines(piece, error);
    // A blob: its first 64 KiB, then the rest (the store reads a blob whole
    // or by prefix only).
    if (pushdown_ && offset_ == 0 && stat_.size > kBlobPrefix) {
      bool complete = true;
      if (!store_.ReadPrefix(path_, kBlobPrefix, &bytes_, &complete).ok()) return Fail(error);
      offset_ = bytes_.size();
      done_ = complete;
      *piece = bytes_;
      return !bytes_.empty();
    }
    if (!store_.ReadFile(path_, &bytes_).ok()) return Fail(error);
    done_ = true;
    if (offset_ >= bytes_.size()) return false;
    *piece = std::string_view(bytes_).substr(offset_);
    return true;
  }

 private:
  static constexpr uint64_t kBlobPrefix = 64 * 1024;
  static constexpr uint64_t kMaxBatch = 8192;

  bool NextLines(std::string_view* piece, bool* error) {
    std::vector<vfs::Line> lines;
    bool ends_with_newline = true;
    const uint64_t last = next_line_ + batch_ - 1;
    if (!store_.ReadLines(path_, next_line_, last, &lines, &ends_with_newline).ok()) {
      return Fail(error);
    }
    bytes_.clear();
    for (const vfs::Line& line : lines) {
      bytes_ += line.text;
      // As cat's reader: a final line without '\n' is line line_count + 1.
      if (ends_with_newline || line.number <= stat_.line_count) bytes_ += '\n';
    }
    if (lines.size() < batch_) done_ = true;
    next_line_ = last + 1;
    batch_ = std::min(batch_ * 4, kMaxBatch);
    if (bytes_.empty()) return false;
    *piece = bytes_;
    return true;
  }

  bool Fail(bool* error) {
    *error = true;
    done_ = true;
    return false;
  }

  vfs::Store& store_;
  std::string path_;
  vfs::Stat stat_;
  bool pushdown_;
  std::string bytes_;
  uint64_t offset_ = 0;
  uint64_t next_line_ = 1;
  uint64_t batch_ = 64;
  bool done_ = false;
};

// A FILE* opened on a source, read with fgets(buf, 4096, f) as util.c
// does: feof and ferror as stdio would set them.
class FileReader {
 public:
  explicit FileReader(std::unique_ptr<ByteSource> source, int read_errno = 0)
      : source_(std::move(source)), read_errno_(read_errno) {}

  // fgets: up to 4095 bytes, through the first '\n'. False (NULL) when
  // nothing was read, at the end or on an error.
  bool Fgets(std::string* chunk) {
    chunk->clear();
    if (read_errno_ != 0) {
      error_ = true;  // a directory: open succeeds, read fails (EISDIR)
      return false;
    }
    while (chunk->size() < kChunk) {
      if (piece_.empty() && !Refill()) break;
      const size_t want = kChunk - chunk->size();
      size_t take = std::min(want, piece_.size());
      const size_t newline = piece_.substr(0, take).find('\n');
      if (newline != std::string_view::npos) take = newline + 1;
      chunk->append(piece_.substr(0, take));
      piece_.remove_prefix(take);
      if (chunk->back() == '\n') break;
    }
    if (error_) return false;
    return !chunk->empty();
  }

  bool eof() const { return eof_; }
  bool error() const { return error_; }
  int error_number() const { return read_errno_ != 0 ? read_errno_ : EIO; }
  // clearerr: stdin is never closed; a second "-" reads on from its end.
  void ClearErrors() {
    eof_ = false;
    error_ = false;
  }

 private:
  static constexpr size_t kChunk = 4095;

  bool Refill() {
    bool failed = false;
    std::string_view next;
    while (source_->Next(&next, &failed)) {
      if (!next.empty()) {
        piece_ = next;
        return true;
      }
    }
    if (failed) {
      error_ = true;
    } else {
      eof_ = true;
    }
    return false;
  }

  std::unique_ptr<ByteSource> source_;
  std::string_view piece_;
  int read_errno_;
  bool eof_ = false;
  bool error_ = false;
};

// ------------------------------------------------------------ the driver

class JqRun {
 public:
  JqRun(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io)
      : argv_(argv),
        env_(env),
        io_(io),
        progname_(argv.empty() ? "jq" : argv[0]),
        out_(io),
        stdin_(std::make_unique<ViewSource>(io.stdin_data)) {}

  void Run();

 private:
  // Why the run ended early.
  enum class Exit { kContinue, kDone };

  Exit ParseOptions();
  Exit LoadArgFile(size_t i, const char* which);
  bool CheckEnvironment(const ProgramNames& names);
  bool Compile(const std::string& program, const ProgramNames& names);
  int Process(Jv value);
  void Finish(int ret);

  // util.c's jq_util_input_* on the store.
  jv NextInput();
  bool ReadMore();
  bool OpenNext(const std::string& name);
  std::string Position() const;
  void PublishPosition();

  // jv_load_file over the store (--slurpfile, --rawfile, --argfile, -f).
  // Unset with io_.unsupported on a host path.
  std::optional<Jv> LoadFile(const std::string& name, bool raw);
  // The content of an operand, or an error text; false with unsupported.
  bool ReadOperand(const std::string& name, std::string* content, std::string* error,
                   bool* is_directory);

  void Usage(int code, bool keep_it_short);
  void Die();
  void Unsupported(std::string what) {
    if (io_.unsupported.empty()) io_.unsupported = std::move(what);
  }
  bool Stopped() const { return !io_.unsupported.empty() || out_.broken(); }
  void Err(std::string_view text) { io_.err += text; }

  static jv InputCallback(jq_state* jq, void* data);
  static void DebugCallback(void* data, jv input);
  static void ErrorCallback(void* data, jv message);

  const std::vector<std::string>& argv_;
  CommandEnv& env_;
  CommandIo& io_;
  std::string progname_;
  StdoutModel out_;

  // Options, as main.c keeps them.
  int options_ = 0;
  int dumpopts_ = JV_PRINT_INDENT_FLAGS(2);
  int parser_flags_ = 0;
  std::optional<std::string> program_;
  std::vector<std::string> files_;
  Jv positional_{jv_array()};
  Jv named_{jv_object()};
  int status_ = 0;

  JqStatePtr jq_;
  // A tag only our `stderr` definition passes to `debug`.
  Jv stderr_tag_{jv_string("\x01memhook:stderr\x01")};
  bool publish_position_ = false;
  bool silent_errors_ = false;

  // The input state (util.c's jq_util_input_state).
  ParserPtr parser_;
  Jv slurped_;
  size_t curr_file_ = 0;
  FileReader stdin_;
  std::unique_ptr<FileReader> file_;
  FileReader* current_ = nullptr;
  Jv current_filename_;
  uint64_t current_line_ = 0;
  int failures_ = 0;
  char buf_[4096] = {};
  size_t buf_valid_len_ = 0;
};

void JqRun::Usage(int code, bool keep_it_short) {
  std::string text = WithProgname(kHelpHead, progname_);
  text += keep_it_short ? WithProgname(kHelpShort, progname_) : std::string(kHelpLong);
  if (code == 0) {
    out_.FwriteTokens(text);
  } else {
    Err(text);
  }
  status_ = code;
}

void JqRun::Die() {
  Err("Use " + progname_ + " --help for help with command-line options,\n");
  Err("or see the jq manpage, or online docs  at https://stedolan.github.io/jq\n");
  status_ = 2;
}

// main.c's option loop, in its order: an error stops at the option that
// causes it, as jq exits there.
JqRun::Exit JqRun::ParseOptions() {
  bool further_args_are_strings = false;
  bool further_args_are_json = false;
  bool args_done = false;
  const size_t argc = argv_.size();
  auto add_operand = [&](const std::string& text) {
    if (further_args_are_strings) {
      positional_ = Jv(jv_array_append(positional_.Release(), jv_string(text.c_str())));
    } else if (further_args_are_json) {
      Jv value(jv_parse(text.c_str()));
      // jq 1.6 keeps the invalid value and aborts on an assertion when
      // $ARGS is printed: nothing to reproduce in-process.
      if (!value.valid()) Unsupported("jq --jsonargs with invalid JSON");
      positional_ = Jv(jv_array_append(positional_.Release(), value.Release()));
    } else {
      files_.push_back(text);
    }
  };
  for (size_t i = 1; i < argc; ++i) {
    if (!io_.unsupported.empty()) return Exit::kDone;
    const std::string& arg = argv_[i];
    size_t short_opts = 0;
    if (args_done) {
      add_operand(arg);
      continue;
    }
    if (arg == "--") {
      if (!program_) {
        Usage(2, true);
        return Exit::kDone;
      }
      args_done = true;
      continue;
    }
    if (!IsOptish(arg)) {
      if (program_) {
        add_operand(arg);
      } else {
        program_ = arg;
      }
      continue;
    }
    if (arg[1] == 'L') {
      Unsupported("jq -L (module search paths on the host)");
      return Exit::kDone;
    }
    if (IsOption(arg, 's', "slurp", &short_opts)) {
      options_ |= kSlurp;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 'r', "raw-output", &short_opts)) {
      options_ |= kRawOutput;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 'c', "compact-output", &short_opts)) {
      dumpopts_ &= ~(JV_PRINT_TAB | JV_PRINT_INDENT_FLAGS(7));
      if (!short_opts) continue;
    }
    if (IsOption(arg, 'C', "color-output", &short_opts)) {
      options_ |= kColorOutput;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 'M', "monochrome-output", &short_opts)) {
      options_ |= kNoColorOutput;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 'a', "ascii-output", &short_opts)) {
      options_ |= kAsciiOutput;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 0, "unbuffered", &short_opts)) {
      options_ |= kUnbufferedOutput;
      continue;
    }
    if (IsOption(arg, 'S', "sort-keys", &short_opts)) {
      options_ |= kSortedOutput;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 'R', "raw-input", &short_opts)) {
      options_ |= kRawInput;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 'n', "null-input", &short_opts)) {
      options_ |= kProvideNull;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 'f', "from-file", &short_opts)) {
      options_ |= kFromFile;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 'j', "join-output", &short_opts)) {
      options_ |= kRawOutput | kRawNoLf;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 0, "tab", &short_opts)) {
      dumpopts_ &= ~JV_PRINT_INDENT_FLAGS(7);
      dumpopts_ |= JV_PRINT_TAB | JV_PRINT_PRETTY;
      continue;
    }
    if (IsOption(arg, 0, "indent", &short_opts)) {
      if (i + 1 >= argc) {
        Err(progname_ + ": --indent takes one parameter\n");
        Die();
        return Exit::kDone;
      }
      dumpopts_ &= ~(JV_PRINT_TAB | JV_PRINT_INDENT_FLAGS(7));
      const int indent = Atoi(argv_[i + 1]);
      if (indent < -1 || indent > 7) {
        Err(progname_ + ": --indent takes a number between -1 and 7\n");
        Die();
        return Exit::kDone;
      }
      dumpopts_ |= JV_PRINT_INDENT_FLAGS(indent);
      ++i;
      continue;
    }
    if (IsOption(arg, 0, "seq", &short_opts)) {
      options_ |= kSeq;
      continue;
    }
    if (IsOption(arg, 0, "stream", &short_opts)) {
      parser_flags_ |= JV_PARSE_STREAMING;
      continue;
    }
    if (IsOption(arg, 0, "stream-errors", &short_opts)) {
      parser_flags_ |= JV_PARSE_STREAM_ERRORS;
      continue;
    }
    if (IsOption(arg, 'e', "exit-status", &short_opts)) {
      options_ |= kExitStatus;
      if (!short_opts) continue;
    }
    if (IsOption(arg, 0, "args", &short_opts)) {
      further_args_are_strings = true;
      further_args_are_json = false;
      continue;
    }
    if (IsOption(arg, 0, "jsonargs", &short_opts)) {
      further_args_are_strings = false;
      further_args_are_json = true;
      continue;
    }
    if (IsOption(arg, 0, "arg", &short_opts)) {
      if (i + 2 >= argc) {
        Err(progname_ + ": --arg takes two parameters (e.g. --arg varname value)\n");
        Die();
        return Exit::kDone;
      }
      // The first definition of a name wins.
      if (!jv_object_has(named_.Copy(), jv_string(argv_[i + 1].c_str()))) {
        named_ = Jv(jv_object_set(named_.Release(), jv_string(argv_[i + 1].c_str()),
                                  jv_string(argv_[i + 2].c_str())));
      }
      i += 2;
      continue;
    }
    if (IsOption(arg, 0, "argjson", &short_opts)) {
      if (i + 2 >= argc) {
        Err(progname_ + ": --argjson takes two parameters (e.g. --argjson varname text)\n");
        Die();
        return Exit::kDone;
      }
      if (!jv_object_has(named_.Copy(), jv_string(argv_[i + 1].c_str()))) {
        Jv value(jv_parse(argv_[i + 2].c_str()));
        if (!value.valid()) {
          Err(progname_ + ": invalid JSON text passed to --argjson\n");
          Die();
          return Exit::kDone;
        }
        named_ =
            Jv(jv_object_set(named_.Release(), jv_string(argv_[i + 1].c_str()), value.Release()));
      }
      i += 2;
      continue;
    }
    const bool argfile = IsOption(arg, 0, "argfile", &short_opts);
    const bool rawfile = IsOption(arg, 0, "rawfile", &short_opts);
    const bool slurpfile = IsOption(arg, 0, "slurpfile", &short_opts);
    if (argfile || rawfile || slurpfile) {
      if (LoadArgFile(i, argfile ? "argfile" : rawfile ? "rawfile" : "slurpfile") == Exit::kDone) {
        return Exit::kDone;
      }
      i += 2;
      continue;
    }
    if (IsOption(arg, 0, "debug-dump-disasm", &short_opts) ||
        IsOption(arg, 0, "debug-trace=all", &short_opts) ||
        IsOption(arg, 0, "debug-trace", &short_opts) ||
        IsOption(arg, 0, "run-tests", &short_opts)) {
      Unsupported("jq " + arg);
      return Exit::kDone;
    }
    if (IsOption(arg, 'h', "help", &short_opts)) {
      Usage(0, false);
      return Exit::kDone;
    }
    if (IsOption(arg, 'V', "version", &short_opts)) {
      out_.FwriteTokens("jq-1.6\n");
      status_ = 0;
      return Exit::kDone;
    }
    if (arg.size() != short_opts + 1) {
      Err(progname_ + ": Unknown option " + arg + "\n");
      Die();
      return Exit::kDone;
    }
  }
  return io_.unsupported.empty() ? Exit::kContinue : Exit::kDone;
}

JqRun::Exit JqRun::LoadArgFile(size_t i, const char* which) {
  const std::string w = which;
  if (i + 2 >= argv_.size()) {
    Err(progname_ + ": --" + w + " takes two parameters (e.g. --" + w + " varname filename)\n");
    Die();
    return Exit::kDone;
  }
  const std::string& name = argv_[i + 1];
  const std::string& file = argv_[i + 2];
  if (jv_object_has(named_.Copy(), jv_string(name.c_str()))) return Exit::kContinue;
  std::optional<Jv> data = LoadFile(file, w == "rawfile");
  if (!data) return Exit::kDone;  // unsupported
  if (!data->valid()) {
    Jv message(jv_invalid_get_msg(data->Release()));
    Err(progname_ + ": Bad JSON in --" + w + " " + name + " " + file + ": " + CString(message) +
        "\n");
    status_ = 2;
    return Exit::kDone;
  }
  Jv value = std::move(*data);
  if (w == "argfile" && value.kind() == JV_KIND_ARRAY && jv_array_length(value.Copy()) == 1) {
    value = Jv(jv_array_get(value.Release(), 0));
  }
  named_ = Jv(jv_object_set(named_.Release(), jv_string(name.c_str()), value.Release()));
  return Exit::kContinue;
}

bool JqRun::ReadOperand(const std::string& name, std::string* content, std::string* error,
                        bool* is_directory) {
  *is_directory = false;
  if (name.empty()) {  // open("") fails with ENOENT
    *error = ErrnoText(vfs::Status::Code::kNotFound);
    return true;
  }
  const ResolvedPath path = env_.Resolve(name);
  if (path.where == ResolvedPath::Where::kDevNull) {
    content->clear();
    return true;
  }
  if (path.where == ResolvedPath::Where::kHost) {
    if (!env_.allow_host) {
      Unsupported("jq reading a host path (" + name + ")");
      io_.needs_host = true;
      return false;
    }
    const vfs::Status::Code code = ReadHostFile(env_, name, content);
    *is_directory = code == vfs::Status::Code::kIsADirectory;
    if (code != vfs::Status::Code::kOk && !*is_directory) *error = ErrnoText(code);
    return true;
  }
  vfs::Stat stat;
  const vfs::Status status = env_.StatResolved(path, &stat);
  if (!status.ok()) {
    *error = ErrnoText(status.code());
    return true;
  }
  if (stat.kind == vfs::NodeKind::kDirectory) {
    *is_directory = true;
    return true;
  }
  const vfs::Status read = env_.store.ReadFile(path.vfs_path, content);
  if (!read.ok()) *error = ErrnoText(read.code());
  return true;
}

// The first bytes of a UTF-8 sequence, as jv_utf8_tables.h classifies
// them: 1-4 the sequence's length, 0 invalid, kContinuation a trailing byte.
constexpr int kContinuation = 255;
int Utf8CodingLength(unsigned char c) {
  if (c < 0x80) return 1;
  if (c < 0xC0) return kContinuation;
  if (c < 0xC2) return 0;
  if (c < 0xE0) return 2;
  if (c < 0xF0) return 3;
  if (c < 0xF5) return 4;
  return 0;
}

// jvp_utf8_backtrack(bytes + last, bytes, missing) != NULL: whether the
// codepoint that ends at `last` starts within the bytes, and how many of
// its bytes are missing.
bool Utf8Backtrack(std::string_view bytes, long last, int* missing) {
  if (last == 0) return true;
  int length = 0;
  int seen = 1;
  long at = last;
  while (at >= 0 &&
         (length = Utf8CodingLength(static_cast<unsigned char>(bytes[at]))) == kContinuation) {
    --at;
    ++seen;
  }
  if (length == 0 || length == kContinuation || length - seen < 0) return false;
  *missing = length - seen;
  return true;
}

std::optional<Jv> JqRun::LoadFile(const std::string& name, bool raw) {
  std::string content, error;
  bool is_directory = false;
  if (!ReadOperand(name, &content, &error, &is_directory)) return std::nullopt;
  if (is_directory) error = "It's a directory";
  if (!error.empty()) {
    return Jv(jv_invalid_with_msg(jv_string(("Could not open " + name + ": " + error).c_str())));
  }
  // jv_load_file's loop: fread 4096 bytes, plus the rest of a UTF-8
  // sequence cut at the end; feof once a read comes back short.
  Jv data(raw ? jv_string("") : jv_array());
  ParserPtr parser(raw ? nullptr : jv_parser_new(0));
  std::string buf;
  size_t pos = 0;
  bool eof = false;
  while (!eof) {
    const size_t n = std::min<size_t>(4096, content.size() - pos);
    buf.assign(content, pos, n);
    pos += n;
    if (n < 4096) eof = true;
    if (n == 0) continue;
    int missing = 0;
    if (Utf8Backtrack(buf, static_cast<long>(n) - 1, &missing) && missing > 0 && !eof) {
      const size_t extra = std::min<size_t>(static_cast<size_t>(missing), content.size() - pos);
      buf.append(content, pos, extra);
      pos += extra;
      if (extra < static_cast<size_t>(missing)) eof = true;
    }
    if (raw) {
      data = Jv(jv_string_append_buf(data.Release(), buf.data(), static_cast<int>(buf.size())));
      continue;
    }
    jv_parser_set_buf(parser.get(), buf.data(), static_cast<int>(buf.size()), !eof);
    Jv value;
    while ((value = Jv(jv_parser_next(parser.get()))).valid()) {
      data = Jv(jv_array_append(data.Release(), value.Release()));
    }
    if (value.HasMessage()) {
      data = std::move(value);
      break;
    }
  }
  return data;
}

// Conditions under which libjq in this process would not act as the jq
// the agent runs: refused.
bool JqRun::CheckEnvironment(const ProgramNames& names) {
  // Modules and the library search path live on the host (~/.jq/, -L);
  // get_* report the jq binary's and program's host locations.
  for (const char* word :
       {"import", "include", "modulemeta", "get_search_list", "get_prog_origin", "get_jq_origin"}) {
    if (names.words.count(word) != 0) {
      Unsupported(std::string("jq ") + word + " (modules)");
      return false;
    }
  }
  // jq sets $JQ_COLORS process-wide in libjq (jq_set_colors).
  if (env_.Getenv("JQ_COLORS")) {
    Unsupported("jq with JQ_COLORS");
    return false;
  }
  // libjq's time builtins use this process's TZ and LC_TIME; jq 1.6 never
  // calls setlocale, so it runs in the C locale.
  static constexpr const char* kTimeWords[] = {
      "localtime", "strflocaltime", "mktime",          "gmtime",     "strftime",
      "strptime",  "todate",        "fromdate",        "date",       "dateadd",
      "datesub",   "todateiso8601", "fromdateiso8601", "dateiso8601"};
  for (const char* word : kTimeWords) {
    if (names.words.count(word) == 0) continue;
    const char* process_tz = std::getenv("TZ");
    const std::optional<std::string_view> shell_tz = env_.Getenv("TZ");
    const bool same_tz = process_tz == nullptr ? !shell_tz : shell_tz && *shell_tz == process_tz;
    const char* time_locale = std::setlocale(LC_TIME, nullptr);
    const bool c_time = time_locale != nullptr && (std::strcmp(time_locale, "C") == 0 ||
                                                   std::strcmp(time_locale, "POSIX") == 0 ||
                                                   std::strcmp(time_locale, "C.UTF-8") == 0);
    if (!same_tz || !c_time) {
      Unsupported(std::string("jq ") + word + " with another time zone or locale");
      return false;
    }
    break;
  }
  // libjq loads $HOME/.jq (this process's HOME) into every program, and
  // the agent's jq loads its own: either file would be host code. Only
  // looked at (stat), never read.
  std::vector<std::string> homes;
  if (const char* home = std::getenv("HOME")) homes.emplace_back(home);
  if (auto shell_home = env_.Getenv("HOME")) homes.emplace_back(*shell_home);
  for (const std::string& home : homes) {
    struct stat st;
    if (::stat((home + "/.jq").c_str(), &st) == 0 && !S_ISDIR(st.st_mode)) {
      Unsupported("jq with a ~/.jq file on the host");
      return false;
    }
  }
  return true;
}

// Compiles `program`, shadowing the builtins that would escape to the
// process: env and $ENV (the process environment: the shell passes its
// own), stderr (fd 2 of this process), input_filename and
// input_line_number (they read util.c's input state, which this driver
// replaces). The shadows are definitions put before the program on its
// first line, so line numbers ($__loc__) stay; errors are reported from a
// compilation of the program alone, so their texts stay too.
bool JqRun::Compile(const std::string& program, const ProgramNames& names) {
  const bool env_used = names.words.count("env") != 0 || names.variables.count("ENV") != 0;
  const bool stderr_used = names.words.count("stderr") != 0;
  const bool filename_used = names.words.count("input_filename") != 0;
  const bool line_used = names.words.count("input_line_number") != 0;

  // $ARGS as main.c builds it, before the hidden arguments below.
  Jv args(jv_object());
  args = Jv(jv_object_set(args.Release(), jv_string("positional"), positional_.Copy()));
  args = Jv(jv_object_set(args.Release(), jv_string("named"), named_.Copy()));
  Jv program_arguments(jv_object_set(named_.Copy(), jv_string("ARGS"), args.Release()));

  std::string prefix;
  if (env_used) {
    Jv environment(jv_object());
    if (env_.environment != nullptr) {
      for (const std::string& entry : *env_.environment) {
        const size_t eq = entry.find('=');
        if (eq == std::string::npos) {
          environment = Jv(jv_object_delete(environment.Release(), jv_string(entry.c_str())));
        } else {
          environment = Jv(jv_object_set(environment.Release(),
                                         jv_string_sized(entry.data(), static_cast<int>(eq)),
                                         jv_string(entry.c_str() + eq + 1)));
        }
      }
    }
    program_arguments = Jv(jv_object_set(program_arguments.Release(), jv_string("__memhook_env"),
                                         environment.Release()));
    prefix += "def env: $__memhook_env; ";
  }
  if (stderr_used) {
    program_arguments = Jv(jv_object_set(program_arguments.Release(), jv_string("__memhook_stderr"),
                                         stderr_tag_.Copy()));
    prefix += "def stderr: ([$__memhook_stderr, .] | debug | empty), .; ";
  }
  if (filename_used) prefix += "def input_filename: get_prog_origin; ";
  if (line_used) prefix += "def input_line_number: get_jq_origin; ";
  if (env_used) prefix += "$__memhook_env as $ENV | ";
  publish_position_ = filename_used || line_used;

  if (!prefix.empty()) {
    silent_errors_ = true;
    const bool compiled =
        jq_compile_args(jq_.get(), (prefix + program).c_str(), program_arguments.Copy()) != 0;
    silent_errors_ = false;
    if (compiled) return true;
    // Compile the program alone for jq's own error messages.
    jq_ = JqStatePtr(jq_init());
    if (!jq_) {
      Unsupported("jq: out of memory");
      return false;
    }
    jq_set_error_cb(jq_.get(), ErrorCallback, this);
  }
  const bool compiled =
      jq_compile_args(jq_.get(), program.c_str(), program_arguments.Release()) != 0;
  if (compiled && !prefix.empty()) {
    // The shadows broke a program that compiles alone (it cannot follow a
    // definition): no exact answer.
    Unsupported("jq program that cannot take memhook's definitions");
    return false;
  }
  return compiled;
}

void JqRun::ErrorCallback(void* data, jv message) {
  JqRun* run = static_cast<JqRun*>(data);
  Jv formatted(jq_format_error(message));
  try {
    if (run->silent_errors_) return;
    // default_err_cb: fprintf("%s\n").
    if (formatted.kind() == JV_KIND_STRING) run->Err(CString(formatted) + "\n");
  } catch (...) {
    // Nothing may unwind through libjq.
  }
}

void JqRun::DebugCallback(void* data, jv input) {
  JqRun* run = static_cast<JqRun*>(data);
  Jv value(input);
  try {
    // Our `stderr` definition: jq's f_stderr prints the value compact,
    // without a newline, with no other flag.
    if (value.kind() == JV_KIND_ARRAY && jv_array_length(value.Copy()) == 2) {
      Jv first(jv_array_get(value.Copy(), 0));
      if (jv_equal(first.Release(), run->stderr_tag_.Copy())) {
        run->Err(Dump(jv_array_get(value.Copy(), 1), 0));
        return;
      }
    }
    // main.c's debug_cb.
    jv message = jv_array_append(jv_array_append(jv_array(), jv_string("DEBUG:")), value.Release());
    run->Err(Dump(message, run->dumpopts_ & ~JV_PRINT_PRETTY) + "\n");
  } catch (...) {
    // Nothing may unwind through libjq.
  }
}

jv JqRun::InputCallback(jq_state*, void* data) {
  JqRun* run = static_cast<JqRun*>(data);
  try {
    if (run->Stopped()) return jv_invalid();
    return run->NextInput();
  } catch (...) {
    run->Unsupported("jq: reading an input failed");
    return jv_invalid();
  }
}

// util.c's jq_util_input_get_position.
std::string JqRun::Position() const {
  if (current_filename_.kind() != JV_KIND_STRING) return "<unknown>";
  return CString(current_filename_) + ":" + std::to_string(current_line_);
}

// The values our input_filename and input_line_number definitions read.
void JqRun::PublishPosition() {
  if (!publish_position_ || !jq_) return;
  jq_set_attr(jq_.get(), jv_string("PROGRAM_ORIGIN"),
              current_filename_.valid() ? current_filename_.Copy() : jv_null());
  jq_set_attr(jq_.get(), jv_string("JQ_ORIGIN"), jv_number(static_cast<double>(current_line_)));
}

bool JqRun::OpenNext(const std::string& name) {
  current_filename_ = Jv(jv_string(name.c_str()));
  const ResolvedPath path = env_.Resolve(name);
  std::string error;
  std::unique_ptr<ByteSource> source;
  int read_errno = 0;
  if (name.empty()) {
    error = ErrnoText(vfs::Status::Code::kNotFound);
  } else if (path.where == ResolvedPath::Where::kDevNull) {
    source = std::make_unique<ViewSource>(std::string_view());
  } else if (path.where == ResolvedPath::Where::kHost) {
    std::string content;
    bool is_directory = false;
    if (!ReadOperand(name, &content, &error, &is_directory)) return false;
    if (is_directory) read_errno = EISDIR;
    source = std::make_unique<OwnedSource>(std::move(content));
  } else {
    vfs::Stat stat;
    const vfs::Status status = env_.StatResolved(path, &stat);
    if (!status.ok()) {
      error = ErrnoText(status.code());
    } else if (stat.kind == vfs::NodeKind::kDirectory) {
      read_errno = EISDIR;
      source = std::make_unique<ViewSource>(std::string_view());
    } else {
      source =
          std::make_unique<StoreFileSource>(env_.store, path.vfs_path, stat, env_.options.pushdown);
    }
  }
  if (!error.empty()) {
    Err("jq: error: Could not open file " + name + ": " + error + "\n");
    ++failures_;
    return true;
  }
  file_ = std::make_unique<FileReader>(std::move(source), read_errno);
  current_ = file_.get();
  return true;
}

// util.c's jq_util_input_read_more: the next fgets piece into buf_, moving
// to the next file at the end of one. True when it was the last piece.
bool JqRun::ReadMore() {
  if (current_ == nullptr || current_->eof() || current_->error()) {
    if (current_ != nullptr && current_->error()) {
      Err(std::string("Input error: ") + std::strerror(current_->error_number()) + "\n");
    }
    if (current_ != nullptr) {
      if (current_ == &stdin_) {
        stdin_.ClearErrors();
      } else {
        file_.reset();
      }
      current_ = nullptr;
      current_filename_ = Jv();
      current_line_ = 0;
    }
    if (curr_file_ < files_.size()) {
      const std::string& name = files_[curr_file_++];
      if (name == "-") {
        current_ = &stdin_;
        current_filename_ = Jv(jv_string("<stdin>"));
      } else if (!OpenNext(name)) {
        buf_valid_len_ = 0;
        return true;  // unsupported
      }
      current_line_ = 0;
    }
  }
  std::memset(buf_, 0, sizeof buf_);
  buf_valid_len_ = 0;
  if (current_ != nullptr) {
    std::string chunk;
    if (!current_->Fgets(&chunk)) {
      if (current_->error()) ++failures_;
    } else {
      std::memcpy(buf_, chunk.data(), chunk.size());
      if (chunk.back() == '\n') {
        ++current_line_;
        buf_valid_len_ = chunk.size();
      } else if (parser_) {
        buf_valid_len_ = std::strlen(buf_);  // no NUL in JSON texts
      } else if (current_->eof()) {
        // util.c guesses the length from the last non-NUL byte.
        size_t last = 0;
        for (size_t k = 0; k < sizeof buf_; ++k) {
          if (buf_[k] != '\0') last = k;
        }
        buf_valid_len_ = last + 1;
      } else {
        buf_valid_len_ = sizeof buf_ - 1;
      }
    }
  }
  PublishPosition();
  return curr_file_ == files_.size() &&
         (current_ == nullptr || current_->eof() || current_->error());
}

// util.c's jq_util_input_next_input: the next value (or raw line), a parse
// error, or invalid at the end; the slurped value once at the end.
jv JqRun::NextInput() {
  bool is_last = false;
  bool has_more = false;
  Jv value;
  do {
    if (Stopped()) return jv_invalid();
    if (!parser_) {
      is_last = ReadMore();
      if (buf_valid_len_ == 0) continue;
      const int len = static_cast<int>(buf_valid_len_);
      if (slurped_.valid()) {
        slurped_ = Jv(jv_string_concat(slurped_.Release(), jv_string_sized(buf_, len)));
      } else {
        if (!value.valid()) value = Jv(jv_string(""));
        if (buf_[buf_valid_len_ - 1] == '\n') {
          return jv_string_concat(value.Release(), jv_string_sized(buf_, len - 1));
        }
        value = Jv(jv_string_concat(value.Release(), jv_string_sized(buf_, len)));
        buf_[0] = '\0';
        buf_valid_len_ = 0;
      }
    } else {
      if (jv_parser_remaining(parser_.get()) == 0) {
        is_last = ReadMore();
        jv_parser_set_buf(parser_.get(), buf_, static_cast<int>(buf_valid_len_), !is_last);
      }
      value = Jv(jv_parser_next(parser_.get()));
      if (slurped_.valid()) {
        has_more = jv_parser_remaining(parser_.get()) != 0;
        if (value.valid()) {
          slurped_ = Jv(jv_array_append(slurped_.Release(), value.Release()));
        } else if (value.HasMessage()) {
          return value.Release();
        }
      } else if (value.valid() || value.HasMessage()) {
        return value.Release();
      }
    }
  } while (!is_last || has_more);
  if (slurped_.valid()) return slurped_.Release();
  return value.Release();
}

// main.c's process(): runs the program on one input and prints its
// results; returns main.c's `ret`.
int JqRun::Process(Jv input) {
  int ret = 14;  // no output: -e exits with 4
  jq_start(jq_.get(), input.Release(), 0);
  Jv result;
  while ((result = Jv(jq_next(jq_.get()))).valid()) {
    if ((options_ & kRawOutput) && result.kind() == JV_KIND_STRING) {
      if (options_ & kAsciiOutput) {
        out_.FwriteTokens(Dump(result.Release(), JV_PRINT_ASCII));
      } else {
        out_.Fwrite(StringBytes(result));
      }
      ret = 0;
    } else {
      ret = result.kind() == JV_KIND_FALSE || result.kind() == JV_KIND_NULL ? 11 : 0;
      if (options_ & kSeq) out_.FwriteTokens("\036");
      out_.FwriteTokens(Dump(result.Release(), dumpopts_));
    }
    if (!(options_ & kRawNoLf)) out_.FwriteTokens("\n");
    if (options_ & kUnbufferedOutput) out_.Flush();
    if (out_.total() > kOutputLimit) Unsupported("jq output beyond 512 MiB");
    if (Stopped()) return ret;
  }
  if (Stopped()) return ret;
  if (jq_halted(jq_.get())) {
    // `halt` or `halt_error`: its exit status, exactly.
    options_ |= kExitStatusExact;
    Jv exit_code(jq_get_exit_code(jq_.get()));
    if (!exit_code.valid()) {
      ret = 0;
    } else if (exit_code.kind() == JV_KIND_NUMBER) {
      // C's double to int conversion (cvttsd2si): out of range is INT_MIN.
      const double number = jv_number_value(exit_code.get());
      ret = std::isnan(number) || number >= 2147483648.0 || number <= -2147483649.0
                ? std::numeric_limits<int>::min()
                : static_cast<int>(number);
    } else {
      ret = 5;
    }
    Jv message(jq_get_error_message(jq_.get()));
    if (message.kind() == JV_KIND_STRING) {
      Err(CString(message));
    } else if (message.kind() != JV_KIND_NULL && message.valid()) {
      Err(CString(Jv(jv_dump_string(message.Release(), 0))) + "\n");
    }
  } else if (result.HasMessage()) {
    // An uncaught error.
    Jv message(jv_invalid_get_msg(result.Copy()));
    const std::string position = Position();
    if (message.kind() == JV_KIND_STRING) {
      Err("jq: error (at " + position + "): " + CString(message) + "\n");
    } else {
      Jv dumped(jv_dump_string(message.Release(), 0));
      Err("jq: error (at " + position + ") (not a string): " + CString(dumped) + "\n");
    }
    ret = 5;
  }
  return ret;
}

void JqRun::Finish(int ret) {
  out_.Flush();
  if (out_.broken()) {
    io_.status = 141;  // SIGPIPE
    return;
  }
  if (ret >= 10 && (options_ & kExitStatus)) {
    ret -= 10;
  } else if (ret >= 10 && !(options_ & kExitStatusExact)) {
    ret = 0;
  }
  io_.status = ret & 0xff;
}

void JqRun::Run() {
  if (ParseOptions() == Exit::kDone) {
    if (io_.unsupported.empty()) Finish(status_);
    return;
  }
  if (options_ & kSortedOutput) dumpopts_ |= JV_PRINT_SORTED;
  if (options_ & kAsciiOutput) dumpopts_ |= JV_PRINT_ASCII;
  if (options_ & kColorOutput) dumpopts_ |= JV_PRINT_COLOR;
  if (options_ & kNoColorOutput) dumpopts_ &= ~JV_PRINT_COLOR;

  // Neither stdin nor stdout is a terminal: the program defaults to ".".
  std::string program = program_ ? *program_ : ".";

  // File operands on the host: the host's own jq answers, or `memhook run`.
  for (const std::string& file : files_) {
    if (file != "-" && !file.empty() && env_.Resolve(file).where == ResolvedPath::Where::kHost &&
        !env_.allow_host) {
      Unsupported("jq reading a host path (" + file + ")");
      io_.needs_host = true;
      return;
    }
  }

  if (options_ & kFromFile) {
    std::optional<Jv> data = LoadFile(program, true);
    if (!data) return;
    if (!data->valid()) {
      Jv message(jv_invalid_get_msg(data->Release()));
      Err(progname_ + ": " + CString(message) + "\n");
      Finish(2);
      return;
    }
    program = SkipShebang(jv_string_value(data->get()));
  }

  const ProgramNames names = ScanProgram(program);
  if (!CheckEnvironment(names)) return;

  jq_ = JqStatePtr(jq_init());
  if (!jq_) {
    Unsupported("jq: out of memory");
    return;
  }
  jq_set_error_cb(jq_.get(), ErrorCallback, this);
  if (!Compile(program, names)) {
    if (io_.unsupported.empty()) Finish(3);
    return;
  }
  PublishPosition();

  if (options_ & kSeq) parser_flags_ |= JV_PARSE_SEQ;
  if (!(options_ & kRawInput)) parser_ = ParserPtr(jv_parser_new(parser_flags_));
  if (options_ & kSlurp) slurped_ = Jv(parser_ ? jv_array() : jv_string(""));
  jq_set_input_cb(jq_.get(), InputCallback, this);
  jq_set_debug_cb(jq_.get(), DebugCallback, this);
  if (files_.empty()) files_.push_back("-");

  int ret = 0;
  if (options_ & kProvideNull) {
    ret = Process(Jv(jv_null()));
  } else {
    while (!Stopped() && failures_ == 0) {
      Jv value(NextInput());
      if (Stopped()) break;
      if (value.valid()) {
        ret = Process(std::move(value));
        continue;
      }
      if (!value.HasMessage()) break;
      Jv message(jv_invalid_get_msg(value.Release()));
      if (!(options_ & kSeq)) {
        ret = 4;
        Err("parse error: " + CString(message) + "\n");
        break;
      }
      Err("ignoring parse error: " + CString(message) + "\n");
    }
  }
  if (!io_.unsupported.empty()) return;
  if (failures_ != 0) ret = 2;
  Finish(ret);
}

}  // namespace

void CmdJq(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  try {
    JqRun run(argv, env, io);
    run.Run();
  } catch (const std::exception& e) {
    io.unsupported = std::string("jq: ") + e.what();
  }
}

}  // namespace memhook::utils
