// Internal to the utils library: GNU sed 4.9's script language, compiled
// (sed_compile.cc) into the form cmd_sed.cc executes.
//
// The compiler reads a script the way sed's compile.c does, character by
// character with one character of push-back, so that its diagnostics name
// the same "char N" (or "line N" of a -f file) as GNU's. Regular
// expressions go through the BRE/ERE -> RE2 translation grep uses; what it
// cannot translate exactly (back-references in a pattern, constructs whose
// meaning depends on the locale beyond what RE2 knows) makes the whole
// command unsupported rather than answered differently.
#ifndef MEMHOOK_UTILS_SED_PROGRAM_H_
#define MEMHOOK_UTILS_SED_PROGRAM_H_

#include <re2/re2.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace memhook::utils::sed {

// sed.c's posixicity: GNU extensions on (default), POSIXLY_CORRECT set in
// the environment, or --posix.
enum class Posixicity { kExtended, kCorrect, kBasic };

struct Regex {
  std::unique_ptr<RE2> re;
  int groups = 0;          // capturing groups (re_nsub)
  bool multiline = false;  // the M flag
  // \b \B \< \> are RE2's ASCII word boundaries: exact only on text
  // without non-ASCII word characters (checked when matching, UTF-8 only).
  bool word_assertions = false;
  bool locale_ranges = false;
};

enum class AddrType { kNull, kRegex, kNum, kNumMod, kStep, kStepMod, kLast };

struct Address {
  AddrType type = AddrType::kNull;
  uint64_t number = ~uint64_t{0};
  uint64_t step = 0;
  int regex = -1;  // index into Program::regexes; -1: the empty regex (last used)
};

// Case conversions of a replacement part (execute.c's replacement_types).
enum ReplType : int {
  kReplAsIs = 0,
  kReplUppercase = 1,
  kReplLowercase = 2,
  kReplUppercaseFirst = 4,
  kReplLowercaseFirst = 8,
  kReplModifiers = kReplUppercaseFirst | kReplLowercaseFirst,
};

struct ReplPart {
  std::string prefix;  // literal text before the reference
  int group = -1;      // \0-\9 or & (0); -1: none
  int type = kReplAsIs;
};

struct Subst {
  int regex = -1;  // -1: the empty regex
  std::vector<ReplPart> replacement;
  bool has_replacement = false;  // false for an empty replacement
  int max_id = 0;
  bool global = false;
  int print = 0;  // bit 0: p before e, bit 1: p after e
  bool eval = false;
  uint64_t numb = 0;
  int outf = -1;  // index into Program::outputs
};

struct Command {
  Address a1, a2;
  bool has_a1 = false, has_a2 = false;
  bool bang = false;
  char cmd = '\0';
  // a, i, c (text with its final newline), e.
  std::string text;
  bool has_text = false;
  size_t jump = 0;       // {, b, t, T: index of the target command
  std::string label;     // b, t, T, : (resolved after compilation)
  int64_t int_arg = -1;  // q, Q, l, L
  std::string fname;     // r
  bool append = true;    // r: false for 0r (prepend)
  int file = -1;         // R: Program::inputs; w, W: Program::outputs
  int subst = -1;        // s: Program::substs
  // y: byte map (single-byte locales), or pairs of characters (UTF-8).
  std::vector<unsigned char> ymap;
  std::vector<std::pair<std::string, std::string>> ypairs;
};

// A file written by w, W or s///w: opened (truncated) when compiled.
struct OutputFile {
  std::string name;
  bool special_stdout = false;  // /dev/stdout
  bool special_stderr = false;  // /dev/stderr
};

struct Program {
  std::vector<Command> cmds;
  std::vector<Regex> regexes;
  std::vector<Subst> substs;
  std::vector<OutputFile> outputs;
  std::vector<std::string> inputs;  // R files, by name
  // "#n" on the first line of the first script: -n.
  bool hash_n = false;
  // Where a run-time error of the script (no previous regular expression)
  // is reported: compile.c's last position.
  std::string error_prefix;
};

// How a script chunk reaches the compiler.
struct ScriptChunk {
  std::string text;
  bool from_file = false;
  std::string file_name;  // -f NAME ("-" for stdin)
};

struct CompileOptions {
  Posixicity posix = Posixicity::kExtended;
  bool extended = false;  // -E (as of this chunk: sed reads it at compile time)
  bool utf8 = true;
  bool codepoint_collation = true;
  bool sandbox = false;
  bool null_data = false;  // -z
};

struct CompileResult {
  std::string error;        // GNU's full message line, without "\n"
  int status = 0;           // 1 (bad usage) or 4 (panic)
  std::string unsupported;  // non-empty: refuse the command
};

// Compiles the chunks in order into `program` (sed's compile_string /
// compile_file, then check_final_program). `extended` per chunk: -E is
// applied to the chunks compiled after it.
class Compiler {
 public:
  Compiler(const std::string& program_name, Program* program);
  ~Compiler();
  Compiler(const Compiler&) = delete;
  Compiler& operator=(const Compiler&) = delete;

  // How `w FILE` creates (truncates) its file at compile time, as sed's
  // fopen(FILE, "w"): false with `error` holding strerror's text, or with
  // it empty when the file cannot be served (the command is refused).
  void SetOutputOpener(std::function<bool(const std::string& name, std::string* error)> opener);

  // False on an error or a refusal (see result()).
  bool AddChunk(const ScriptChunk& chunk, const CompileOptions& options);
  bool Finish();
  const CompileResult& result() const { return result_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  CompileResult result_;
};

// GNU's `l` rendering of `text` (do_list), lines wrapped at `line_len`
// (0 or less: never), each ended by `delimiter`.
std::string ListText(std::string_view text, int64_t line_len, char delimiter);

}  // namespace memhook::utils::sed

#endif  // MEMHOOK_UTILS_SED_PROGRAM_H_
