// The tree-walking interpreter: expansion in bash's order, control flow,
// redirections over a descriptor table, builtins, and the utilities of
// utils/ run on the same streams.
//
// Pipelines run their stages in order, each stage's output buffered and
// handed to the next as its input; a stage whose reader is a plain
// `head -n N` (or `-c N`) stops once that reader has what it takes, as
// SIGPIPE stops a real producer.
#include <fcntl.h>
#include <fnmatch.h>
#include <glob.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstring>
#include <exception>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <sstream>

#include "parser/ast.h"
#include "parser/word_expand.h"
#include "shell/arith.h"
#include "shell/printf.h"
#include "shell/shell.h"
#include "shell/test_expr.h"

namespace memhook::shell {
namespace {

using parser::RedirectOp;
using parser::ast::Assignment;
using parser::ast::CaseItem;
using parser::ast::Command;
using parser::ast::CommandKind;
using parser::ast::CondExpr;
using parser::ast::ParamExpansion;
using parser::ast::ScriptRedirect;
using parser::ast::Word;
using parser::ast::WordPart;

// ------------------------------------------------------------ unwinding
struct Abort {
  ShellResult::Outcome outcome;
  std::string reason;
};
struct BreakLoop {
  int levels;
  int status = 0;  // the loops' status (1 after `break 0`)
};
struct ContinueLoop {
  int levels;
};
struct ReturnFromFunction {
  int status;
};
struct ExitShell {
  int status;
};
// A write to a pipe whose reader has gone (SIGPIPE).
struct BrokenPipe {};
// An expansion error: the command fails (status 1); a non-interactive
// shell stops for some of them (`${x?}`, bad substitution).
struct ExpansionError {
  bool fatal;
  int status = 1;  // the shell's exit status when fatal
};

// ------------------------------------------------------------ streams
// Where bytes written to a descriptor go.
// A file opened for writing by a redirection: the store's file (every
// write appended inside the command line's change) or a host descriptor.
struct FileTarget {
  std::string vfs_path;  // in the store when non-empty
  int host_fd = -1;
  FileTarget() = default;
  FileTarget(const FileTarget&) = delete;
  FileTarget& operator=(const FileTarget&) = delete;
  ~FileTarget() {
    if (host_fd >= 0) ::close(host_fd);
  }
};

struct Sink {
  std::string data;
  std::shared_ptr<FileTarget> file;  // writes go straight to the file
  uint64_t lines = 0;
  bool discard = false;  // /dev/null
  // What the reader of this pipe takes at most (head -n N): once met, the
  // next write breaks the pipe.
  utils::OutputNeed need;
  bool Satisfied() const { return lines >= need.lines || data.size() >= need.bytes; }
  // The command line's own stdout only (ShellOptions::open_stdout_spill):
  // past the threshold, `data` moves to this descriptor and every later
  // write goes straight there.
  bool spillable = false;
  int spill_fd = -1;
  uint64_t spilled = 0;
};

// An open descriptor: a readable buffer with its offset, or a sink.
struct OpenFile {
  std::shared_ptr<Sink> sink;          // writable
  std::shared_ptr<std::string> input;  // readable
  size_t offset = 0;
  bool regular = false;  // a `< file` (wc and read behave per type)
};
using FdTable = std::array<std::shared_ptr<OpenFile>, 10>;

// ------------------------------------------------------------ variables
// An associative array kept the way bash 5.2 keeps it (hashlib.c), because
// bash prints `${!h[@]}`, `${h[@]}` and `declare -p h` in its hash table's
// order: buckets in index order, each bucket's chain from its head.
//  - the hash is 32-bit FNV-1 over the key's bytes, each byte taken as a
//    (signed) char, so bytes >= 0x80 are sign-extended before the XOR;
//  - the bucket is hash & (buckets - 1); a new key goes to the head of its
//    chain;
//  - before a new key is added to a table holding 2 * buckets keys, the
//    table grows 4-fold, moving every chain (buckets in order, each from
//    its head) onto the heads of the new chains;
//  - removing a key only unlinks it (bash never shrinks the table).
class AssocTable {
 public:
  // `declare -A h` makes 1024 buckets (ASSOC_HASH_BUCKETS); a scalar
  // converted by `declare -A` gets the default 128.
  static constexpr uint32_t kNewBuckets = 1024;
  static constexpr uint32_t kConvertedBuckets = 128;

  // The chains are allocated with the first key (every variable holds a
  // table, most never use it).
  explicit AssocTable(uint32_t buckets = kNewBuckets) : buckets_(buckets) {}

  size_t size() const { return size_; }
  uint32_t buckets() const { return buckets_; }

  const std::string* Find(const std::string& key) const {
    if (chains_.empty()) return nullptr;
    const uint32_t hash = Hash(key);
    for (const Entry& e : chains_[hash & (buckets() - 1)])
      if (e.hash == hash && e.key == key) return &e.value;
    return nullptr;
  }

  // The value of `key`, created empty (at its chain's head) when missing.
  std::string& At(const std::string& key) {
    if (chains_.empty()) chains_.resize(buckets_);
    const uint32_t hash = Hash(key);
    for (Entry& e : chains_[hash & (buckets() - 1)])
      if (e.hash == hash && e.key == key) return e.value;
    if (size_ >= 2 * static_cast<size_t>(buckets())) Grow();
    std::vector<Entry>& chain = chains_[hash & (buckets() - 1)];
    chain.push_back(Entry{key, std::string(), hash});
    ++size_;
    return chain.back().value;
  }

  void Erase(const std::string& key) {
    if (chains_.empty()) return;
    const uint32_t hash = Hash(key);
    std::vector<Entry>& chain = chains_[hash & (buckets() - 1)];
    for (auto it = chain.begin(); it != chain.end(); ++it) {
      if (it->hash == hash && it->key == key) {
        chain.erase(it);
        --size_;
        return;
      }
    }
  }

  // Every (key, value) in bash's walking order.
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const std::vector<Entry>& chain : chains_)
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) fn(it->key, it->value);
  }

 private:
  struct Entry {
    std::string key;
    std::string value;
    uint32_t hash;
  };

  static uint32_t Hash(std::string_view key) {
    uint32_t h = 2166136261u;  // FNV offset basis
    for (char c : key) {
      h *= 16777619u;  // FNV prime
      h ^= static_cast<uint32_t>(static_cast<int32_t>(static_cast<signed char>(c)));
    }
    return h;
  }

  void Grow() {
    std::vector<std::vector<Entry>> old = std::move(chains_);
    buckets_ *= 4;
    chains_.assign(buckets_, {});
    for (std::vector<Entry>& chain : old)
      for (auto it = chain.rbegin(); it != chain.rend(); ++it)
        chains_[it->hash & (buckets() - 1)].push_back(std::move(*it));
  }

  // Each chain stored tail first: its head is the vector's back, so that
  // adding at the head is a push_back.
  uint32_t buckets_;
  std::vector<std::vector<Entry>> chains_;
  size_t size_ = 0;
};

struct Variable {
  std::string value;
  std::map<int64_t, std::string> array;  // indexed arrays
  bool is_array = false;
  // declare -A: `assoc` holds the elements (is_array stays false).
  bool is_assoc = false;
  AssocTable assoc;
  bool exported = false;
  bool readonly = false;
  bool integer = false;
  bool declared_unset = false;  // `local x` / `declare x` without a value
  char case_fold = 0;           // declare -u: 'u', declare -l: 'l' (every value assigned)
};

struct State {
  std::map<std::string, Variable> globals;
  std::vector<std::map<std::string, Variable>> locals;  // function scopes
  std::map<std::string, std::shared_ptr<Command>> functions;
  std::vector<std::string> positional;  // $1...
  std::string cwd;
  int last_status = 0;
  std::vector<int> pipestatus{0};
  bool errexit = false, nounset = false, pipefail = false, noglob = false;
  bool extglob = false;
  bool nullglob = false, dotglob = false, globstar = false, failglob = false, nocaseglob = false,
       nocasematch = false;
  std::shared_ptr<Command> exit_trap;
  int line = 1;
  int subshell = 0;  // $BASH_SUBSHELL
  // A simple command forked as a pipeline stage: bash raises
  // $BASH_SUBSHELL after it expands the words (`echo $BASH_SUBSHELL | cat`
  // prints 0, a function called so sees 1).
  bool stage_pending = false;
  // getopts: the next letter within the current argument (0: start the
  // argument at $OPTIND); an assignment to OPTIND starts over.
  size_t getopts_char = 0;
  bool optind_assigned = false;
};

// An output process substitution `>(list)`: bash forks the list when it
// expands the word; this is that fork (the shell's state and descriptors
// then) and the pipe it reads, filled by whoever writes to its /dev/fd/N.
struct OutputSubstitution {
  std::shared_ptr<Command> program;
  State state;
  FdTable fds;
  std::vector<std::string> funcnames;
  int call_depth = 0;
  int loop_depth = 0;
  int in_condition = 0;
  int nesting = 0;  // the (sub)shell that made it: `wait` runs its own only
  // When its command ended and closed the pipe (Interpreter::closings_; 0:
  // still open).
  uint64_t closing = 0;
  std::shared_ptr<Sink> sink;
};

bool IsName(std::string_view s) {
  if (s.empty() || !(std::isalpha(static_cast<unsigned char>(s[0])) || s[0] == '_')) return false;
  for (char c : s)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_')) return false;
  return true;
}

std::string Normalise(std::string_view absolute) {
  std::vector<std::string> stack;
  size_t i = 0;
  while (i <= absolute.size()) {
    size_t slash = absolute.find('/', i);
    if (slash == std::string_view::npos) slash = absolute.size();
    std::string seg(absolute.substr(i, slash - i));
    i = slash + 1;
    if (seg.empty() || seg == ".") continue;
    if (seg == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    stack.push_back(std::move(seg));
  }
  std::string out;
  for (const std::string& s : stack) out += "/" + s;
  return out.empty() ? "/" : out;
}

bool IsInside(std::string_view path, std::string_view dir) {
  return path == dir ||
         (path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/');
}

std::string ToString(int64_t v) { return std::to_string(v); }

// A glob pattern with the characters that were quoted escaped.
struct Field {
  std::string text;
  std::string pattern;
  bool glob = false;  // an unquoted * ? [ is in it
  bool keep = false;  // quoted text (even empty) makes the field survive
};

class Interpreter;

// Arithmetic's view of the interpreter's variables.
class Vars final : public ArithVars {
 public:
  explicit Vars(Interpreter& in) : in_(in) {}
  std::optional<std::string> Get(std::string_view name, std::optional<int64_t> index) override;
  bool Set(std::string_view name, std::optional<int64_t> index, int64_t value,
           std::string* error) override;
  bool IsAssoc(std::string_view name) override;
  std::optional<std::string> GetKey(std::string_view name, std::string_view key) override;
  bool SetKey(std::string_view name, std::string_view key, int64_t value,
              std::string* error) override;

 private:
  Interpreter& in_;
};

class Interpreter {
 public:
  Interpreter(vfs::Store& store, const ShellOptions& options)
      : store_(store), options_(options), start_(std::chrono::steady_clock::now()) {
    state_.cwd = options.util.cwd;
    for (const std::string& entry : options.environment) {
      size_t eq = entry.find('=');
      if (eq == std::string::npos) continue;
      std::string name = entry.substr(0, eq);
      if (!IsName(name)) continue;
      Variable& v = state_.globals[name];
      v.value = entry.substr(eq + 1);
      v.exported = true;
    }
    state_.globals["PWD"].value = state_.cwd;
    state_.globals["PWD"].exported = true;
    // The caller's home is authoritative (the hook's $HOME, or a test's).
    if (!options.util.home.empty()) {
      state_.globals["HOME"].value = options.util.home;
      state_.globals["HOME"].exported = true;
    }
    state_.globals["IFS"].value = " \t\n";
    // The bash this shell answers as: Debian 12's 5.2.15.
    state_.globals["BASH_VERSION"].value = "5.2.15(1)-release";
    state_.globals["OPTIND"].value = "1";
    state_.globals["OPTERR"].value = "1";
    Variable& versinfo = state_.globals["BASH_VERSINFO"];
    versinfo.is_array = true;
    versinfo.readonly = true;
    const char* const kVersInfo[] = {"5", "2", "15", "1", "release", "x86_64-pc-linux-gnu"};
    for (int64_t i = 0; i < 6; ++i) versinfo.array[i] = kVersInfo[i];
    out_ = std::make_shared<Sink>();
    err_ = std::make_shared<Sink>();
    fds_[0] = std::make_shared<OpenFile>();
    fds_[0]->input = std::make_shared<std::string>();
    fds_[1] = std::make_shared<OpenFile>();
    fds_[1]->sink = out_;
    out_->spillable = static_cast<bool>(options.open_stdout_spill);
    fds_[2] = std::make_shared<OpenFile>();
    fds_[2]->sink = err_;
  }

  ShellResult Run(std::string_view source) {
    parser::ast::ScriptParser parser;
    parser::ast::ScriptResult parsed = parser.Parse(source);
    if (!parsed.ok()) {
      ShellResult result;
      result.outcome = ShellResult::Outcome::kUnsupported;
      result.reason = "the command could not be parsed exactly (" + parsed.error + ")";
      return result;
    }
    return Run(*parsed.script);
  }

  // bash -c runs its string a line at a time: an error in an expansion
  // (arithmetic, a bad substitution, a readonly variable, failglob) drops
  // the rest of that line, status 1, and the next line runs; ${x?} and an
  // unbound variable under set -u end the shell.
  void ExecuteTopLevel(const Command& script) {
    if (script.kind != CommandKind::kSequence) {
      Execute(script);
      return;
    }
    int abandoned_line = -1;
    for (size_t i = 0; i < script.children.size(); ++i) {
      const Command& statement = *script.children[i];
      if (!statement.parse_warning.empty()) Write(2, std::string_view(statement.parse_warning));
      if (statement.line == abandoned_line) continue;
      if (script.background[i])
        throw Abort{ShellResult::Outcome::kUnsupported, "a background job (&)"};
      try {
        Execute(statement);
      } catch (const ExpansionError& e) {
        if (e.fatal && e.status == 127) throw ExitShell{state_.errexit ? 1 : 127};
        state_.last_status = 1;
        abandoned_line = statement.line;
      }
    }
  }

  ShellResult Run(const Command& script) {
    ShellResult result;
    try {
      try {
        ExecuteTopLevel(script);
      } catch (const ExitShell& e) {
        state_.last_status = e.status;
      } catch (const ReturnFromFunction& e) {
        state_.last_status = e.status;
      } catch (const BreakLoop&) {
      } catch (const ContinueLoop&) {
      } catch (const BrokenPipe&) {
        state_.last_status = 141;
      } catch (const ExpansionError&) {
        state_.last_status = state_.last_status == 0 ? 1 : state_.last_status;
      }
      RunExitTrap();
      // The shell has exited: every pipe of a `>(...)` sees EOF.
      RunOutputSubstitutions(0);
    } catch (const Abort& a) {
      result.outcome = a.outcome;
      result.reason = a.reason;
      return result;
    }
    result.out = std::move(out_->data);
    result.out_spilled = out_->spilled;
    result.err = std::move(err_->data);
    result.status = state_.last_status & 255;
    return result;
  }

  // ---------------------------------------------------------- variables
  Variable* Find(std::string_view name) {
    for (auto it = state_.locals.rbegin(); it != state_.locals.rend(); ++it) {
      auto found = it->find(std::string(name));
      if (found != it->end()) return &found->second;
    }
    auto found = state_.globals.find(std::string(name));
    return found == state_.globals.end() ? nullptr : &found->second;
  }

  std::optional<std::string> GetScalar(std::string_view name) {
    if (name == "?") return ToString(state_.last_status);
    if (name == "#") return ToString(static_cast<int64_t>(state_.positional.size()));
    if (name == "$") return ToString(static_cast<int64_t>(getpid()));
    if (name == "!") return std::nullopt;
    if (name == "-") {
      // bash's flag letters in its own order; `c` for a -c string.
      std::string flags;
      if (state_.errexit) flags += 'e';
      if (state_.noglob) flags += 'f';
      flags += 'h';
      if (state_.nounset) flags += 'u';
      return flags + "Bc";
    }
    if (name == "BASH_SUBSHELL") return ToString(state_.subshell);
    if (name == "0") return std::string("bash");
    if (!name.empty() && std::isdigit(static_cast<unsigned char>(name[0]))) {
      size_t n = std::stoul(std::string(name));
      if (n >= 1 && n <= state_.positional.size()) return state_.positional[n - 1];
      return std::nullopt;
    }
    if (name == "@" || name == "*") return JoinPositional(name == "*");
    if (name == "RANDOM") return ToString(static_cast<int64_t>(random_() % 32768));
    if (name == "LINENO") return ToString(state_.line);
    if (name == "SECONDS") {
      return ToString(std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::steady_clock::now() - start_)
                          .count());
    }
    if (std::optional<std::vector<std::string>> special = SpecialArray(name)) {
      if (special->empty()) return std::nullopt;
      return special->front();
    }
    Variable* v = Find(name);
    if (v == nullptr || v->declared_unset) return std::nullopt;
    if (v->is_array) {
      auto it = v->array.find(0);
      if (it == v->array.end()) return std::nullopt;
      return it->second;
    }
    // $h of an associative array is ${h[0]}: the key "0".
    if (v->is_assoc) {
      const std::string* value = v->assoc.Find("0");
      return value ? std::optional<std::string>(*value) : std::nullopt;
    }
    return v->value;
  }

  std::string JoinPositional(bool star) {
    std::string sep = " ";
    if (star) {
      std::optional<std::string> ifs = GetScalar("IFS");
      sep = ifs ? ifs->substr(0, 1) : " ";
    }
    std::string out;
    for (size_t i = 0; i < state_.positional.size(); ++i) {
      if (i) out += sep;
      out += state_.positional[i];
    }
    return out;
  }

  // Arrays the shell keeps itself: PIPESTATUS, FUNCNAME (innermost first).
  std::optional<std::vector<std::string>> SpecialArray(std::string_view name) const {
    std::vector<std::string> values;
    if (name == "PIPESTATUS") {
      for (int s : state_.pipestatus) values.push_back(ToString(s));
      return values;
    }
    if (name == "FUNCNAME") {
      values.assign(funcnames_.rbegin(), funcnames_.rend());
      return values;
    }
    return std::nullopt;
  }

  // The elements of `name` for ${name[@]}: positional for @/*.
  std::vector<std::string> ArrayValues(std::string_view name, bool* set) {
    std::vector<std::string> values;
    *set = false;
    if (name == "@" || name == "*") {
      *set = !state_.positional.empty();
      return state_.positional;
    }
    if (std::optional<std::vector<std::string>> special = SpecialArray(name)) {
      *set = !special->empty();
      return *special;
    }
    Variable* v = Find(name);
    if (v == nullptr || v->declared_unset) return values;
    *set = true;
    if (v->is_assoc) {
      v->assoc.ForEach([&](const std::string&, const std::string& val) { values.push_back(val); });
      if (values.empty()) *set = false;
      return values;
    }
    if (!v->is_array) {
      values.push_back(v->value);
      return values;
    }
    for (const auto& [k, val] : v->array) values.push_back(val);
    if (values.empty()) *set = false;
    return values;
  }

  // The scope a new assignment goes to: an existing local, else global.
  Variable& Lookup(const std::string& name) {
    Variable* v = Find(name);
    if (v != nullptr) return *v;
    return state_.globals[name];
  }

  void CheckWritable(const std::string& name, const Variable& v) {
    if (v.readonly) {
      Error(name + ": readonly variable");
      throw ExpansionError{true};
    }
  }

  void SetScalar(const std::string& name, const std::string& value, bool append = false) {
    Variable& v = Lookup(name);
    CheckWritable(name, v);
    // `h=v` on an associative array assigns the key "0".
    if (v.is_assoc) {
      SetKey(name, "0", value, append);
      return;
    }
    v.declared_unset = false;
    std::string val = value;
    if (v.integer)
      val =
          ToString(Arith(append ? (v.value.empty() ? "0" : v.value) + "+(" + value + ")" : value));
    else if (append)
      val = (v.is_array ? (v.array.count(0) ? v.array[0] : "") : v.value) + value;
    val = Fold(v, std::move(val));
    if (v.is_array) {
      v.array[0] = val;
    } else {
      v.value = val;
    }
    if (name == "PWD") state_.cwd = val;
    if (name == "OPTIND") state_.optind_assigned = true;
  }

  void SetElement(const std::string& name, int64_t index, const std::string& value,
                  bool append = false) {
    const Variable* before = Find(name);
    // Every path to an associative element goes through SetKey.
    if (before != nullptr && before->is_assoc)
      throw Abort{ShellResult::Outcome::kUnsupported, "a numeric index into an associative array"};
    const bool had_scalar = before != nullptr && !before->is_array && !before->declared_unset;
    Variable& v = Lookup(name);
    CheckWritable(name, v);
    v.declared_unset = false;
    if (!v.is_array) {
      // A scalar becomes element 0; a new name starts empty.
      v.is_array = true;
      if (had_scalar) v.array[0] = v.value;
      v.value.clear();
    }
    if (index < 0) {
      int64_t size = v.array.empty() ? 0 : v.array.rbegin()->first + 1;
      index += size;
      if (index < 0) {
        Error(name + "[" + ToString(index - size) + "]: bad array subscript");
        throw ExpansionError{false};
      }
    }
    v.array[index] = Fold(v, append ? v.array[index] + value : value);
  }

  // The value an associative element gets: arithmetic under -i (`+=`
  // adds), `+=` appends otherwise; -u / -l fold it.
  std::string KeyValue(const Variable& v, const std::string* old, const std::string& value,
                       bool append) {
    if (v.integer) {
      const std::string base = old != nullptr && !old->empty() ? *old : "0";
      return ToString(Arith(append ? base + "+(" + value + ")" : value));
    }
    return Fold(v, append && old != nullptr ? *old + value : value);
  }

  // An associative subscript as bash expands it: like a word (quotes
  // removed, $ and ` expanded) but neither split, globbed nor
  // tilde-expanded. `sub` is the word the parser made of it, which keeps
  // quote characters (it is lexed for arithmetic); with quotes in `text`
  // the text is parsed again as an assignment value behind an empty "".
  // (A subscript made at run time, `${!x}` with x='h[k]', has no raw text.)
  std::string ExpandKey(const Word& sub) {
    return sub.raw.empty() ? ExpandOne(sub) : ExpandKeyText(sub.raw, &sub);
  }
  std::string ExpandKeyText(const std::string& text, const Word* sub = nullptr) {
    if (text.find_first_of("'\"\\$`") == std::string::npos) return text;
    if (sub != nullptr && text.find_first_of("'\"\\") == std::string::npos) return ExpandOne(*sub);
    parser::ast::ScriptParser parser;
    parser::ast::ScriptResult parsed = parser.Parse("k=\"\"" + text);
    const Command* cmd = parsed.ok() ? parsed.script.get() : nullptr;
    if (cmd != nullptr && cmd->kind == CommandKind::kSequence && cmd->children.size() == 1)
      cmd = cmd->children[0].get();
    if (cmd == nullptr || cmd->kind != CommandKind::kSimple || !cmd->words.empty() ||
        !cmd->redirects.empty() || cmd->assignments.size() != 1 || cmd->assignments[0].is_array ||
        cmd->assignments[0].index || !cmd->assignments[0].value)
      throw Abort{ShellResult::Outcome::kUnsupported, "the associative subscript " + text};
    // The parsed tree must outlive the expansion (a function defined in
    // a command substitution keeps its body).
    scripts_keepalive_.push_back(parsed.script);
    return ExpandOne(*cmd->assignments[0].value);
  }

  // h[key]=value on an associative array (a string key, never arithmetic).
  void SetKey(const std::string& name, const std::string& key, const std::string& value,
              bool append = false) {
    Variable& v = Lookup(name);
    CheckWritable(name, v);
    std::string val = KeyValue(v, v.assoc.Find(key), value, append);
    v.declared_unset = false;
    v.assoc.At(key) = std::move(val);
  }

  // A value assigned to a `declare -u` / `-l` variable.
  static std::string Fold(const Variable& v, std::string value) {
    if (v.case_fold == 0) return value;
    for (char& c : value) {
      unsigned char u = static_cast<unsigned char>(c);
      // bash folds non-ASCII letters too (towupper in UTF-8).
      if (u >= 0x80)
        throw Abort{ShellResult::Outcome::kUnsupported, "case conversion of non-ASCII text"};
      c = static_cast<char>(v.case_fold == 'u' ? std::toupper(u) : std::tolower(u));
    }
    return value;
  }

  // False (with bash's message) for a readonly variable.
  bool Unset(const std::string& name) {
    for (auto it = state_.locals.rbegin(); it != state_.locals.rend(); ++it) {
      auto found = it->find(name);
      if (found != it->end()) {
        if (found->second.readonly) {
          Error("unset: " + name + ": cannot unset: readonly variable");
          return false;
        }
        found->second = Variable();
        found->second.declared_unset = true;
        return true;
      }
    }
    auto found = state_.globals.find(name);
    if (found != state_.globals.end()) {
      if (found->second.readonly) {
        Error("unset: " + name + ": cannot unset: readonly variable");
        return false;
      }
      state_.globals.erase(found);
    }
    return true;
  }

  std::vector<std::string> Environment() {
    std::map<std::string, std::string> env;
    auto add = [&](const std::map<std::string, Variable>& scope) {
      for (const auto& [name, v] : scope) {
        // bash exports no associative array.
        if (v.exported && !v.declared_unset && !v.is_assoc)
          env[name] = v.is_array ? (v.array.count(0) ? v.array.at(0) : "") : v.value;
        else if (env.count(name) && !v.exported)
          env.erase(name);
      }
    };
    add(state_.globals);
    for (const auto& scope : state_.locals) add(scope);
    std::vector<std::string> out;
    for (const auto& [k, v] : env) out.push_back(k + "=" + v);
    return out;
  }

  // ---------------------------------------------------------- output
  // Takes the bytes over when they are the first its sink holds (a large
  // answer is moved, not copied, from the utility to the answer).
  void Write(int fd, std::string&& bytes) {
    if (bytes.empty()) return;
    if (fd >= 0 && fd <= 9 && fds_[fd] && fds_[fd]->sink && fds_[fd]->sink->data.empty() &&
        !fds_[fd]->sink->discard && !fds_[fd]->sink->file && !fds_[fd]->sink->Satisfied() &&
        (!fds_[fd]->sink->spillable ||
         (fds_[fd]->sink->spill_fd < 0 && bytes.size() <= options_.spill_threshold))) {
      Sink& sink = *fds_[fd]->sink;
      sink.lines += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
      total_output_ += bytes.size();
      sink.data = std::move(bytes);
      if (total_output_ > options_.limits.max_output_bytes)
        throw Abort{ShellResult::Outcome::kLimit, "the output limit was reached"};
      return;
    }
    Write(fd, std::string_view(bytes));
  }

  void Write(int fd, std::string_view bytes) {
    if (bytes.empty()) return;
    if (fd < 0 || fd > 9 || !fds_[fd] || !fds_[fd]->sink) {
      if (fd == 2 || !fds_[2] || !fds_[2]->sink) return;
      Error("echo: write error: Bad file descriptor");
      return;
    }
    WriteToSink(*fds_[fd]->sink, bytes);
  }

  void WriteToSink(Sink& sink, std::string_view bytes) {
    if (sink.discard) return;
    if (sink.file) {
      WriteToFile(*sink.file, bytes);
      return;
    }
    if (sink.Satisfied()) throw BrokenPipe{};
    if (Spill(sink, bytes)) return;
    sink.data.append(bytes);
    sink.lines += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
    total_output_ += bytes.size();
    if (total_output_ > options_.limits.max_output_bytes)
      throw Abort{ShellResult::Outcome::kLimit, "the output limit was reached"};
  }

  void Error(const std::string& message) {
    // bash names a -c string "bash", and a function body "environment".
    std::string line = std::string(call_depth_ > 0 ? "environment" : "bash") + ": line " +
                       ToString(state_.line) + ": " + message + "\n";
    if (fds_[2] && fds_[2]->sink && !fds_[2]->sink->discard) {
      if (fds_[2]->sink->file) {
        WriteToFile(*fds_[2]->sink->file, line);
        return;
      }
      if (Spill(*fds_[2]->sink, line)) return;
      fds_[2]->sink->data += line;
      total_output_ += line.size();
    }
  }

  // Writes `bytes` to the sink's spill file when it has one, or opens it
  // when the sink would outgrow ShellOptions::spill_threshold; false when
  // the bytes are for `data` after all.
  bool Spill(Sink& sink, std::string_view bytes) {
    if (!sink.spillable) return false;
    if (sink.spill_fd < 0) {
      if (sink.data.size() + bytes.size() <= options_.spill_threshold) return false;
      sink.spill_fd = options_.open_stdout_spill();
      if (sink.spill_fd < 0) {
        sink.spillable = false;  // in memory after all, within the output limit
        return false;
      }
      SpillWrite(sink, sink.data);
      std::string().swap(sink.data);
    }
    sink.lines += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
    total_output_ += bytes.size();
    if (total_output_ > options_.limits.max_output_bytes)
      throw Abort{ShellResult::Outcome::kLimit, "the output limit was reached"};
    SpillWrite(sink, bytes);
    return true;
  }

  void SpillWrite(Sink& sink, std::string_view bytes) {
    while (!bytes.empty()) {
      ssize_t n = ::write(sink.spill_fd, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0)
        throw Abort{ShellResult::Outcome::kLimit,
                    std::string("cannot write the answer's spool file: ") + std::strerror(errno)};
      sink.spilled += static_cast<uint64_t>(n);
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  // A write to a redirected file. As on a real file, a write that fails
  // (the file was removed meanwhile) is lost silently.
  void WriteToFile(FileTarget& file, std::string_view bytes) {
    if (!file.vfs_path.empty()) {
      (void)store_.AppendFile(file.vfs_path, bytes, -1);
      return;
    }
    while (!bytes.empty()) {
      ssize_t n = ::write(file.host_fd, bytes.data(), bytes.size());
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
  }

  // Opens `target` for `>` (truncating) or `>>`, as bash does: created with
  // mode 0644 (0666 less the usual umask) when missing, its directory
  // required. Null after bash's message when it cannot be opened. Only
  // where writes are allowed (`memhook run`): elsewhere the line is a write.
  std::shared_ptr<OpenFile> OpenForWriting(const std::string& target, bool append) {
    const std::string abs = AbsolutePath(target);
    if (auto o = output_files_.find(abs); o != output_files_.end()) {
      // The pipe of a `>(...)`: neither the store nor the host.
      auto file = std::make_shared<OpenFile>();
      file->sink = o->second->sink;
      return file;
    }
    RefuseDescriptorPath(abs, "writing to");
    if (!options_.allow_writes) throw Abort{ShellResult::Outcome::kWrites, "writing to " + target};
    utils::CommandEnv env = MakeEnv();
    utils::ResolvedPath resolved = env.Resolve(target);
    auto file = std::make_shared<OpenFile>();
    file->sink = std::make_shared<Sink>();
    auto out = std::make_shared<FileTarget>();
    auto fail = [&](vfs::Status::Code code) {
      Error(target + ": " + utils::ErrnoText(code));
      return nullptr;
    };
    if (resolved.where == utils::ResolvedPath::Where::kMount) {
      if (resolved.vfs_path.empty()) return fail(vfs::Status::Code::kIsADirectory);
      vfs::Stat stat;
      vfs::Status st = env.StatResolved(resolved, &stat);
      if (st.ok()) {
        if (stat.kind == vfs::NodeKind::kDirectory) return fail(vfs::Status::Code::kIsADirectory);
        if (!append) st = store_.WriteFile(resolved.vfs_path, "", stat.mode, -1);
      } else if (st.IsNotFound()) {
        if (resolved.trailing_slash) return fail(vfs::Status::Code::kIsADirectory);
        const size_t slash = resolved.vfs_path.rfind('/');
        vfs::Stat parent;
        if (slash != std::string::npos) {
          st = store_.GetStat(resolved.vfs_path.substr(0, slash), &parent);
          if (st.ok() && parent.kind != vfs::NodeKind::kDirectory) {
            st = vfs::Status::Error(vfs::Status::Code::kNotADirectory, "");
          }
        } else {
          st = vfs::Status::Ok();
        }
        if (st.ok()) st = store_.WriteFile(resolved.vfs_path, "", 0644, -1);
      }
      if (!st.ok()) return fail(st.code());
      out->vfs_path = resolved.vfs_path;
    } else {
      NeedHost("writing to a host file (" + target + ")");
      out->host_fd = ::open(resolved.absolute.c_str(),
                            O_WRONLY | O_CREAT | O_CLOEXEC | (append ? O_APPEND : O_TRUNC), 0666);
      if (out->host_fd < 0) {
        Error(target + ": " + std::strerror(errno));
        return nullptr;
      }
    }
    file->sink->file = std::move(out);
    return file;
  }

  void CheckTime() {
    if (options_.limits.max_millis <= 0) return;
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::steady_clock::now() - start_)
                       .count();
    if (elapsed > options_.limits.max_millis)
      throw Abort{ShellResult::Outcome::kLimit,
                  "the time limit (" + ToString(options_.limits.max_millis) + " ms) was reached"};
  }

  void CountIteration() {
    if (++iterations_ > options_.limits.max_loop_iterations)
      throw Abort{ShellResult::Outcome::kLimit,
                  "the loop limit (" +
                      ToString(static_cast<int64_t>(options_.limits.max_loop_iterations)) +
                      " iterations) was reached"};
    if ((iterations_ & 1023) == 0) CheckTime();
  }

  // ---------------------------------------------------------- execution
  void Execute(const Command& cmd) {
    // The process substitutions a command makes (its words, its
    // redirections, a loop's list, a case's subject) hold their descriptor
    // until it ends.
    struct ReleasePaths {
      Interpreter& in;
      size_t mark;
      ~ReleasePaths() {
        if (in.live_process_paths_.size() > mark) ++in.closings_;
        while (in.live_process_paths_.size() > mark) {
          const std::string& path = in.live_process_paths_.back();
          in.proc_files_.erase(path);
          if (auto o = in.output_files_.find(path); o != in.output_files_.end()) {
            o->second->closing = in.closings_;
            in.output_files_.erase(o);
          }
          in.live_process_paths_.pop_back();
        }
      }
    } release{*this, live_process_paths_.size()};
    switch (cmd.kind) {
      case CommandKind::kSequence:
        for (size_t i = 0; i < cmd.children.size(); ++i) {
          if (cmd.background[i])
            throw Abort{ShellResult::Outcome::kUnsupported, "a background job (&)"};
          Execute(*cmd.children[i]);
        }
        return;
      case CommandKind::kAndOr: {
        ++in_condition_;
        for (size_t i = 0; i < cmd.children.size(); ++i) {
          if (i > 0) {
            bool run = cmd.ops[i - 1] == parser::ListOp::kAnd ? state_.last_status == 0
                                                              : state_.last_status != 0;
            if (!run) continue;
          }
          if (i + 1 == cmd.children.size()) --in_condition_;
          Execute(*cmd.children[i]);
          if (i + 1 == cmd.children.size()) ++in_condition_;
        }
        --in_condition_;
        return;
      }
      default:
        break;
    }
    // A simple command applies its redirections after expanding its words,
    // as bash does (RunSimple).
    if (cmd.kind == CommandKind::kSimple) {
      ExecuteBody(cmd);
      return;
    }
    WithRedirects(cmd, [&]() { ExecuteBody(cmd); });
  }

  void MaybeErrexit(const Command& cmd) {
    if (state_.errexit && state_.last_status != 0 && in_condition_ == 0 &&
        !(cmd.kind == CommandKind::kPipeline && cmd.negated))
      throw ExitShell{state_.last_status};
  }

  void ExecuteBody(const Command& cmd) {
    switch (cmd.kind) {
      case CommandKind::kSimple:
        state_.line = cmd.line;
        RunSimple(cmd);
        state_.pipestatus = {state_.last_status};
        MaybeErrexit(cmd);
        return;
      case CommandKind::kPipeline:
        RunPipeline(cmd);
        MaybeErrexit(cmd);
        return;
      case CommandKind::kSubshell:
        Subshell([&]() { Execute(*cmd.children[0]); });
        MaybeErrexit(cmd);
        return;
      case CommandKind::kGroup:
        Execute(*cmd.children[0]);
        return;
      case CommandKind::kIf: {
        size_t i = 0;
        for (; i + 1 < cmd.children.size() || (i + 1 == cmd.children.size() && !cmd.has_else);
             i += 2) {
          if (i + 1 >= cmd.children.size()) break;
          Condition(*cmd.children[i]);
          if (state_.last_status == 0) {
            Execute(*cmd.children[i + 1]);
            return;
          }
        }
        if (cmd.has_else) {
          Execute(*cmd.children.back());
        } else {
          state_.last_status = 0;
        }
        return;
      }
      case CommandKind::kWhile:
      case CommandKind::kUntil: {
        const bool until = cmd.kind == CommandKind::kUntil;
        RunLoop(
            *cmd.children[1],
            [&]() {
              Condition(*cmd.children[0]);
              return until ? state_.last_status != 0 : state_.last_status == 0;
            },
            [] {});
        return;
      }
      case CommandKind::kFor: {
        std::vector<std::string> items;
        if (cmd.has_list) {
          for (const Word& w : cmd.words) ExpandInto(w, &items);
        } else {
          items = state_.positional;
        }
        size_t next = 0;
        RunLoop(
            *cmd.children[0],
            [&]() {
              if (next == items.size()) return false;
              SetScalar(cmd.name, items[next++]);
              return true;
            },
            [] {});
        return;
      }
      case CommandKind::kArithFor: {
        auto eval = [&](const Word& w, bool empty_true) -> int64_t {
          std::string text = ExpandArithText(w);
          if (text.find_first_not_of(" \t\n") == std::string::npos) return empty_true ? 1 : 0;
          return Arith(text);
        };
        eval(cmd.words[0], false);
        RunLoop(
            *cmd.children[0], [&]() { return eval(cmd.words[1], true) != 0; },
            [&]() { eval(cmd.words[2], false); });
        return;
      }
      case CommandKind::kCase: {
        std::string subject = ExpandOne(cmd.words[0]);
        state_.last_status = 0;
        for (size_t i = 0; i < cmd.items.size(); ++i) {
          const CaseItem& item = cmd.items[i];
          bool matched = false;
          for (const Word& p : item.patterns) {
            if (PatternMatch(ExpandPattern(p), subject, state_.nocasematch)) {
              matched = true;
              break;
            }
          }
          if (!matched) continue;
          while (true) {
            if (cmd.items[i].body) Execute(*cmd.items[i].body);
            if (cmd.items[i].terminator == ";&" && i + 1 < cmd.items.size()) {
              ++i;
              continue;
            }
            break;
          }
          // `;;&` goes on testing the next patterns.
          if (cmd.items[i].terminator == ";;&") continue;
          return;
        }
        return;
      }
      case CommandKind::kFunction:
        state_.functions[cmd.name] = cmd.children[0];
        state_.last_status = 0;
        return;
      case CommandKind::kCond: {
        state_.line = cmd.line;
        bool r = EvalCond(*cmd.cond);
        state_.last_status = r ? 0 : 1;
        if (cond_error_) {
          state_.last_status = 2;
          cond_error_ = false;
        }
        MaybeErrexit(cmd);
        return;
      }
      case CommandKind::kArith: {
        state_.line = cmd.line;
        std::string text = ExpandArithText(cmd.words[0]);
        int64_t v = 0;
        try {
          v = Arith(text, "((: ");
        } catch (const ExpansionError& e) {
          if (e.status == 127) throw;  // set -u: the shell exits
          state_.last_status = 1;
          return;
        }
        state_.last_status = v != 0 ? 0 : 1;
        MaybeErrexit(cmd);
        return;
      }
      default:
        throw Abort{ShellResult::Outcome::kUnsupported, "this construct"};
    }
  }

  // One loop: `next` decides (and sets up) each iteration, `body` runs,
  // `after` follows every iteration, `continue` included (for ((;;))'s
  // update). `break N`/`continue N` unwind N loops.
  template <typename Next, typename After>
  void RunLoop(const Command& body, Next&& next, After&& after) {
    struct Depth {
      int& depth;
      explicit Depth(int& d) : depth(d) { ++depth; }
      ~Depth() { --depth; }
    } depth(loop_depth_);
    int status = 0;
    try {
      while (true) {
        CountIteration();
        if (!next()) break;
        try {
          Execute(body);
        } catch (const ContinueLoop& c) {
          if (c.levels > 1) throw ContinueLoop{c.levels - 1};
        }
        status = state_.last_status;
        after();
      }
    } catch (const BreakLoop& b) {
      if (b.levels > 1) throw BreakLoop{b.levels - 1, b.status};
      status = b.status;
    }
    state_.last_status = status;
  }

  void Condition(const Command& cmd) {
    ++in_condition_;
    try {
      Execute(cmd);
    } catch (...) {
      --in_condition_;
      throw;
    }
    --in_condition_;
  }

  // `counts`: the child raises $BASH_SUBSHELL (bash does not for a simple
  // command forked as a pipeline stage).
  template <typename Fn>
  void Subshell(Fn&& fn, bool counts = true) {
    if (++nesting_ > options_.limits.max_nesting)
      throw Abort{ShellResult::Outcome::kLimit, "the nesting limit was reached"};
    State saved = state_;
    FdTable saved_fds = fds_;
    if (counts) ++state_.subshell;
    state_.stage_pending = !counts;
    // A subshell does not inherit the EXIT trap (its own runs at its end).
    state_.exit_trap.reset();
    int status = 0;
    try {
      fn();
      status = state_.last_status;
    } catch (const ExitShell& e) {
      status = e.status;
    } catch (const ReturnFromFunction& e) {
      status = e.status;
    } catch (const BreakLoop&) {
      status = state_.last_status;
    } catch (const ContinueLoop&) {
      status = state_.last_status;
    } catch (const ExpansionError& e) {
      status = e.fatal && e.status == 127 ? 127 : 1;
    } catch (...) {
      state_ = std::move(saved);
      fds_ = saved_fds;
      --nesting_;
      throw;
    }
    RunExitTrap();
    state_ = std::move(saved);
    fds_ = saved_fds;
    --nesting_;
    state_.last_status = status;
  }

  void RunExitTrap() {
    if (!state_.exit_trap) return;
    std::shared_ptr<Command> trap = state_.exit_trap;
    state_.exit_trap.reset();
    int status = state_.last_status;
    try {
      Execute(*trap);
    } catch (const ExitShell& e) {
      status = e.status;
    } catch (const BrokenPipe&) {
    } catch (const ExpansionError&) {
    }
    state_.last_status = status;
  }

  // ---------------------------------------------------------- pipelines
  static std::optional<utils::OutputNeed> HeadNeed(const Command& reader) {
    if (reader.kind != CommandKind::kSimple || !reader.redirects.empty() ||
        !reader.assignments.empty() || reader.words.empty())
      return std::nullopt;
    std::vector<std::string> argv;
    for (const Word& w : reader.words) {
      for (const WordPart& p : w.parts) {
        if (p.kind != WordPart::Kind::kLiteral) return std::nullopt;
        if (!p.quoted && p.text.find_first_of("*?[") != std::string::npos) return std::nullopt;
      }
      std::string text;
      for (const WordPart& p : w.parts) text += p.text;
      argv.push_back(text);
    }
    if (argv[0] != "head") return std::nullopt;
    return utils::HeadStdinNeed(argv);
  }

  void RunPipeline(const Command& cmd) {
    if (cmd.children.size() == 1) {
      state_.line = cmd.children[0]->line;
      Execute(*cmd.children[0]);
      int status = state_.last_status;
      if (cmd.negated) status = status == 0 ? 1 : 0;
      state_.last_status = status;
      state_.pipestatus = {status};
      return;
    }
    std::shared_ptr<std::string> input;
    std::vector<int> statuses;
    FdTable outer = fds_;
    for (size_t i = 0; i < cmd.children.size(); ++i) {
      bool last = i + 1 == cmd.children.size();
      std::shared_ptr<Sink> pipe;
      fds_ = outer;
      if (input) {
        fds_[0] = std::make_shared<OpenFile>();
        fds_[0]->input = input;
      }
      if (!last) {
        pipe = std::make_shared<Sink>();
        if (auto need = HeadNeed(*cmd.children[i + 1])) pipe->need = *need;
        fds_[1] = std::make_shared<OpenFile>();
        fds_[1]->sink = pipe;
        if (cmd.pipe_stderr[i]) fds_[2] = fds_[1];
      }
      int status = 0;
      const size_t mark = pending_outputs_.size();
      try {
        Subshell([&]() { Execute(*cmd.children[i]); },
                 cmd.children[i]->kind != CommandKind::kSimple);
        status = state_.last_status;
      } catch (const BrokenPipe&) {
        status = 141;
      }
      statuses.push_back(status);
      if (pipe) {
        // The next stage reads until the `>(...)` lists made in this one,
        // which write into the pipe too, have ended.
        RunOutputSubstitutions(mark);
        input = std::make_shared<std::string>(std::move(pipe->data));
      }
    }
    fds_ = outer;
    int status = statuses.back();
    if (state_.pipefail) {
      for (int s : statuses)
        if (s != 0) status = s;
    }
    if (cmd.negated) status = status == 0 ? 1 : 0;
    state_.last_status = status;
    state_.pipestatus = statuses;
  }

  // ---------------------------------------------------------- redirections
  template <typename Fn>
  void WithRedirects(const Command& cmd, Fn&& fn) {
    if (cmd.redirects.empty()) {
      fn();
      return;
    }
    FdTable saved = fds_;
    if (!ApplyRedirects(cmd.redirects)) {
      fds_ = saved;
      state_.last_status = 1;
      return;
    }
    try {
      fn();
    } catch (...) {
      fds_ = saved;
      throw;
    }
    // `exec 3< f` keeps its redirections for the rest of the shell.
    if (exec_redirects_) {
      exec_redirects_ = false;
      return;
    }
    fds_ = saved;
  }

  // Resolves a path operand against the cwd, lexically.
  std::string AbsolutePath(std::string_view path) const {
    if (!path.empty() && path[0] == '/') return Normalise(path);
    return Normalise(state_.cwd + "/" + std::string(path));
  }

  bool InMount(const std::string& absolute) const {
    return IsInside(absolute, options_.util.mount);
  }

  utils::CommandEnv MakeEnv() {
    return utils::CommandEnv{store_, options_.util, state_.cwd, nullptr, nullptr};
  }

  // A /dev/fd/N path that is no pipe of a process substitution of ours
  // (or the pipe of one used the wrong way round) names a descriptor of
  // the bash being imitated, not of this process: refused, never opened.
  void RefuseDescriptorPath(const std::string& abs, const std::string& what) {
    if (output_files_.count(abs))
      throw Abort{ShellResult::Outcome::kUnsupported,
                  what + " the path of a process substitution >(...)"};
    if (proc_files_.count(abs))
      throw Abort{ShellResult::Outcome::kUnsupported,
                  what + " the path of a process substitution <(...)"};
    if (IsDescriptorPath(abs))
      throw Abort{ShellResult::Outcome::kUnsupported, what + " a descriptor path (" + abs + ")"};
  }

  // /dev/fd/N or /proc/self/fd/N past stderr.
  static bool IsDescriptorPath(std::string_view abs) {
    for (std::string_view dir : {"/dev/fd/", "/proc/self/fd/"}) {
      if (abs.substr(0, dir.size()) != dir) continue;
      const std::string_view fd = abs.substr(dir.size());
      return fd != "0" && fd != "1" && fd != "2";
    }
    return false;
  }

  // Reads a file for `< path` or `$(<path)`; false with bash's message.
  bool ReadForRedirect(const std::string& path, std::string* out) {
    auto pf = proc_files_.find(path);
    if (pf != proc_files_.end()) {
      *out = *pf->second;
      return true;
    }
    RefuseDescriptorPath(AbsolutePath(path), "reading");
    if (path == "/dev/null") {
      out->clear();
      return true;
    }
    if (path == "/dev/stdin") {
      if (fds_[0] && fds_[0]->input) *out = fds_[0]->input->substr(fds_[0]->offset);
      return true;
    }
    utils::CommandEnv env = MakeEnv();
    utils::ResolvedPath resolved = env.Resolve(path);
    if (resolved.where == utils::ResolvedPath::Where::kMount) {
      vfs::Stat stat;
      vfs::Status st = env.StatResolved(resolved, &stat);
      if (st.ok() && stat.kind == vfs::NodeKind::kDirectory) {
        throw Abort{ShellResult::Outcome::kUnsupported, "input redirected from a directory"};
      }
      if (!st.ok() || !store_.ReadFile(resolved.vfs_path, out).ok()) {
        Error(path + ": " + utils::ErrnoText(st.ok() ? vfs::Status::Code::kIoError : st.code()));
        return false;
      }
      return true;
    }
    if (resolved.where == utils::ResolvedPath::Where::kDevNull) {
      out->clear();
      return true;
    }
    NeedHost("input from a host file (" + path + ")");
    std::ifstream in(resolved.absolute, std::ios::binary);
    if (!in) {
      Error(path + ": " + std::strerror(errno));
      return false;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    *out = ss.str();
    return true;
  }

  void NeedHost(const std::string& what) {
    if (!options_.allow_host) throw Abort{ShellResult::Outcome::kNeedsHost, what};
  }

  bool ApplyRedirects(const std::vector<ScriptRedirect>& redirects) {
    for (const ScriptRedirect& r : redirects) {
      int fd = r.fd;
      switch (r.op) {
        case RedirectOp::kHeredoc: {
          if (fd == -1) fd = 0;
          auto file = std::make_shared<OpenFile>();
          file->input = std::make_shared<std::string>(r.heredoc_quoted ? JoinLiteral(r.target)
                                                                       : ExpandHeredoc(r.target));
          fds_[fd] = file;
          continue;
        }
        case RedirectOp::kHereString: {
          if (fd == -1) fd = 0;
          auto file = std::make_shared<OpenFile>();
          file->input = std::make_shared<std::string>(ExpandOne(r.target) + "\n");
          fds_[fd] = file;
          continue;
        }
        default:
          break;
      }
      std::vector<std::string> targets;
      ExpandInto(r.target, &targets);
      if (targets.size() != 1) {
        Error(r.target.raw + ": ambiguous redirect");
        return false;
      }
      const std::string& target = targets[0];
      if (fd > 9) throw Abort{ShellResult::Outcome::kUnsupported, "a descriptor above 9"};
      switch (r.op) {
        case RedirectOp::kOutput:
        case RedirectOp::kAppend:
        case RedirectOp::kOutputBoth:
        case RedirectOp::kAppendBoth: {
          std::string abs = AbsolutePath(target);
          std::shared_ptr<OpenFile> file;
          if (abs == "/dev/null") {
            file = std::make_shared<OpenFile>();
            file->sink = std::make_shared<Sink>();
            file->sink->discard = true;
          } else if (abs == "/dev/stdout" || abs == "/dev/fd/1") {
            file = fds_[1];
          } else if (abs == "/dev/stderr" || abs == "/dev/fd/2") {
            file = fds_[2];
          } else {
            if (target.empty()) {
              Error(": No such file or directory");
              return false;
            }
            file = OpenForWriting(target,
                                  r.op == RedirectOp::kAppend || r.op == RedirectOp::kAppendBoth);
            if (!file) return false;
          }
          if (r.op == RedirectOp::kOutputBoth || r.op == RedirectOp::kAppendBoth) {
            fds_[1] = file;
            fds_[2] = file;
          } else {
            fds_[fd == -1 ? 1 : fd] = file;
          }
          break;
        }
        case RedirectOp::kInput: {
          auto file = std::make_shared<OpenFile>();
          file->input = std::make_shared<std::string>();
          if (!ReadForRedirect(target, file->input.get())) return false;
          file->regular = proc_files_.count(target) == 0 && target != "/dev/null";
          fds_[fd == -1 ? 0 : fd] = file;
          break;
        }
        case RedirectOp::kReadWrite:
          throw Abort{ShellResult::Outcome::kWrites, "opening " + target + " for writing (<>)"};
        case RedirectOp::kDuplicateOut:
        case RedirectOp::kDuplicateIn: {
          int to = fd == -1 ? (r.op == RedirectOp::kDuplicateOut ? 1 : 0) : fd;
          if (target == "-") {
            fds_[to].reset();
            break;
          }
          if (target.size() >= 2 && target.back() == '-' &&
              target.find_first_not_of("0123456789") == target.size() - 1) {
            // N>&M-: bash leaves M closed after a builtin in ways (the
            // shell's own stdout stays closed) not reproduced here.
            throw Abort{ShellResult::Outcome::kUnsupported, "the move-descriptor form N>&M-"};
          }
          bool digits = !target.empty() && target.size() < 3 &&
                        target.find_first_not_of("0123456789") == std::string::npos;
          if (!digits) {
            if (r.op == RedirectOp::kDuplicateOut && fd == -1) {  // >&file: both, like &>
              std::shared_ptr<OpenFile> file = OpenForWriting(target, false);
              if (!file) return false;
              fds_[1] = file;
              fds_[2] = file;
              break;
            }
            Error(target + ": ambiguous redirect");
            return false;
          }
          int from = std::stoi(target);
          if (from > 9 || !fds_[from]) {
            Error(target + ": Bad file descriptor");
            return false;
          }
          fds_[to] = fds_[from];
          break;
        }
        default:
          throw Abort{ShellResult::Outcome::kUnsupported, "this redirection"};
      }
    }
    return true;
  }

  static std::string JoinLiteral(const Word& w) {
    std::string s;
    for (const WordPart& p : w.parts) s += p.text;
    return s;
  }

  std::string ExpandHeredoc(const Word& w) {
    std::string out;
    for (const WordPart& p : w.parts) out += ExpandPartQuoted(p);
    return out;
  }

  // ---------------------------------------------------------- simple commands
  void RunSimple(const Command& cmd) {
    std::vector<std::string> argv;
    std::vector<std::shared_ptr<Assignment>> decl_assignments;
    try {
      for (const Word& w : cmd.words) {
        if (w.assignment && !argv.empty()) {
          decl_assignments.push_back(w.assignment);
          argv.push_back("\x01" + ToString(static_cast<int64_t>(decl_assignments.size() - 1)));
          continue;
        }
        ExpandInto(w, &argv);
      }
    } catch (const ExpansionError& e) {
      state_.last_status = 1;
      if (e.fatal) throw;
      return;
    }
    // The words are expanded before the redirections are made: a `$(...)`
    // or `>(...)` in them still has the command's own stdout and stderr.
    WithRedirects(cmd, [&]() { RunExpanded(cmd, argv, decl_assignments); });
  }

  void RunExpanded(const Command& cmd, std::vector<std::string>& argv,
                   const std::vector<std::shared_ptr<Assignment>>& decl_assignments) {
    if (state_.stage_pending) {
      state_.stage_pending = false;
      ++state_.subshell;
    }
    if (argv.empty()) {
      // Assignments alone (with redirections already applied around us).
      int status = last_substitution_status_.value_or(0);
      last_substitution_status_.reset();
      try {
        for (const Assignment& a : cmd.assignments) Assign(a);
      } catch (const ExpansionError& e) {
        state_.last_status = 1;
        if (e.fatal) throw;
        return;
      }
      if (last_substitution_status_) status = *last_substitution_status_;
      last_substitution_status_.reset();
      state_.last_status = status;
      return;
    }
    last_substitution_status_.reset();
    // Temporary assignments for this command only.
    std::vector<std::pair<std::string, std::optional<Variable>>> saved;
    for (const Assignment& a : cmd.assignments) {
      Variable* old = Find(a.name);
      saved.emplace_back(a.name, old ? std::optional<Variable>(*old) : std::nullopt);
    }
    try {
      for (const Assignment& a : cmd.assignments) {
        Assign(a);
        Lookup(a.name).exported = true;
      }
    } catch (const ExpansionError&) {
      state_.last_status = 1;
      RestoreTemporaries(saved);
      return;
    }
    try {
      Dispatch(argv, decl_assignments);
    } catch (...) {
      RestoreTemporaries(saved);
      throw;
    }
    // Outside POSIX mode no prefix assignment outlives its command, not
    // even before a special builtin.
    RestoreTemporaries(saved);
  }

  void RestoreTemporaries(std::vector<std::pair<std::string, std::optional<Variable>>>& saved) {
    for (auto it = saved.rbegin(); it != saved.rend(); ++it) {
      if (it->second) {
        Lookup(it->first) = *it->second;
      } else {
        for (auto& scope : state_.locals) scope.erase(it->first);
        state_.globals.erase(it->first);
      }
    }
  }

  // `[key]=value` / `[key]+=value`, an element of a compound assignment:
  // the key's word (without the brackets) and the value's word; false for
  // a plain word. The closing bracket is the one that balances the first,
  // outside quotes.
  static bool SplitKeyedElement(const Word& w, Word* key, Word* value, bool* append) {
    if (w.parts.empty() || w.parts[0].kind != WordPart::Kind::kLiteral || w.parts[0].quoted ||
        w.parts[0].text.empty() || w.parts[0].text[0] != '[')
      return false;
    int depth = 0;
    for (size_t i = 0; i < w.parts.size(); ++i) {
      const WordPart& p = w.parts[i];
      if (p.kind != WordPart::Kind::kLiteral || p.quoted) continue;
      for (size_t j = 0; j < p.text.size(); ++j) {
        if (p.text[j] == '[') ++depth;
        if (p.text[j] != ']' || --depth != 0) continue;
        const std::string_view rest = std::string_view(p.text).substr(j + 1);
        *append = rest.substr(0, 2) == "+=";
        if (!*append && rest.substr(0, 1) != "=") return false;
        key->parts.assign(w.parts.begin(), w.parts.begin() + static_cast<std::ptrdiff_t>(i));
        WordPart before = p;
        before.text = p.text.substr(0, j);
        key->parts.push_back(before);
        key->parts[0].text.erase(0, 1);  // the opening bracket
        WordPart after = p;
        after.text = std::string(rest.substr(*append ? 2 : 1));
        value->parts.assign(1, after);
        value->parts.insert(value->parts.end(),
                            w.parts.begin() + static_cast<std::ptrdiff_t>(i) + 1, w.parts.end());
        return true;
      }
    }
    return false;
  }

  // h=(...) / h+=(...) on an associative array: `[key]=value` elements, or
  // (when the first word is not one) key value key value ... pairs. Words
  // are expanded without splitting; `h=(...)` fills a new table of the
  // same size, so that its values still see the old elements.
  void AssignAssocList(const Assignment& a) {
    CheckWritable(a.name, Lookup(a.name));
    AssocTable fresh(Lookup(a.name).assoc.buckets());
    // The variable is looked up again after each expansion: a command
    // substitution replaces the whole state when it ends.
    auto put = [&](const std::string& key, const std::string& value, bool append) {
      Variable& v = Lookup(a.name);
      AssocTable& table = a.append ? v.assoc : fresh;
      std::string val = KeyValue(v, table.Find(key), value, append);
      v.declared_unset = false;
      table.At(key) = std::move(val);
    };
    Word key, value;
    bool element_append = false;
    const bool pairs =
        !a.elements.empty() && !SplitKeyedElement(a.elements[0], &key, &value, &element_append);
    for (size_t i = 0; i < a.elements.size(); ++i) {
      const Word& w = a.elements[i];
      if (pairs) {
        std::string k = ExpandOne(w);
        // bash quotes the word in this message its own way.
        if (k.empty()) throw Abort{ShellResult::Outcome::kUnsupported, "an empty associative key"};
        std::string val = i + 1 < a.elements.size() ? ExpandOne(a.elements[i + 1]) : "";
        ++i;
        put(k, val, false);
        continue;
      }
      key = Word();
      value = Word();
      if (!SplitKeyedElement(w, &key, &value, &element_append)) {
        Error(a.name + ": '" + w.raw + "': must use subscript when assigning associative array");
        continue;
      }
      std::string k = ExpandOne(key);
      if (k.empty()) throw Abort{ShellResult::Outcome::kUnsupported, "an empty associative key"};
      put(k, ExpandOne(value), element_append);
    }
    Variable& after = Lookup(a.name);
    if (!a.append) after.assoc = std::move(fresh);
    after.declared_unset = false;
  }

  void Assign(const Assignment& a) {
    if (const Variable* target = Find(a.name); target != nullptr && target->is_assoc) {
      if (a.is_array) {
        AssignAssocList(a);
        return;
      }
      if (a.index) {
        std::string value = a.value ? ExpandAssignmentValue(*a.value) : "";
        std::string key = ExpandKey(*a.index);
        if (key.empty()) {
          // Fatal for the rest of the line, as bash's assignment errors.
          Error(a.name + "[" + a.index->raw + "]: bad array subscript");
          throw ExpansionError{true};
        }
        SetKey(a.name, key, value, a.append);
        return;
      }
    }
    if (a.is_array) {
      std::vector<std::string> values;
      std::vector<std::pair<std::optional<int64_t>, std::string>> keyed;
      for (const Word& w : a.elements) {
        // [k]=v elements.
        if (!w.parts.empty() && w.parts[0].kind == WordPart::Kind::kLiteral && !w.parts[0].quoted &&
            !w.parts[0].text.empty() && w.parts[0].text[0] == '[') {
          const std::string& t = w.parts[0].text;
          size_t close = t.find("]=");
          if (close != std::string::npos) {
            int64_t k = Arith(t.substr(1, close - 1));
            Word value;
            WordPart rest = w.parts[0];
            rest.text = t.substr(close + 2);
            value.parts.push_back(rest);
            for (size_t i = 1; i < w.parts.size(); ++i) value.parts.push_back(w.parts[i]);
            keyed.emplace_back(k, ExpandOne(value));
            continue;
          }
        }
        std::vector<std::string> items;
        ExpandInto(w, &items);
        for (std::string& s : items) keyed.emplace_back(std::nullopt, std::move(s));
      }
      Variable& v = Lookup(a.name);
      CheckWritable(a.name, v);
      int64_t next = 0;
      if (a.append && v.is_array && !v.array.empty()) next = v.array.rbegin()->first + 1;
      if (a.append && !v.is_array && !v.declared_unset && Find(a.name) != nullptr) {
        v.array[0] = v.value;
        next = 1;
      }
      if (!a.append) v.array.clear();
      v.is_array = true;
      v.value.clear();
      v.declared_unset = false;
      for (auto& [k, s] : keyed) {
        int64_t idx = k.value_or(next);
        v.array[idx] = Fold(v, std::move(s));
        next = idx + 1;
      }
      return;
    }
    std::string value = a.value ? ExpandAssignmentValue(*a.value) : "";
    if (a.index) {
      std::string sub = ExpandArithText(*a.index);
      SetElement(a.name, Arith(sub), value, a.append);
      return;
    }
    SetScalar(a.name, value, a.append);
  }

  void Dispatch(std::vector<std::string>& argv,
                const std::vector<std::shared_ptr<Assignment>>& decl) {
    const std::string name = argv[0];
    auto fn = state_.functions.find(name);
    if (fn != state_.functions.end() && name.find('\x01') == std::string::npos) {
      // Held by value: the body may redefine or unset the function.
      std::shared_ptr<Command> body = fn->second;
      CallFunction(body, argv);
      return;
    }
    if (RunBuiltin(argv, decl)) return;
    RunUtility(argv);
  }

  void CallFunction(const std::shared_ptr<Command>& body, const std::vector<std::string>& argv) {
    if (++call_depth_ > options_.limits.max_call_depth) {
      --call_depth_;
      throw Abort{ShellResult::Outcome::kLimit, "the function call depth limit (" +
                                                    ToString(options_.limits.max_call_depth) +
                                                    ") was reached"};
    }
    std::vector<std::string> saved_positional = state_.positional;
    state_.positional.assign(argv.begin() + 1, argv.end());
    state_.locals.emplace_back();
    funcnames_.push_back(argv[0]);
    int saved_loop = loop_depth_;
    loop_depth_ = 0;
    auto restore = [&]() {
      funcnames_.pop_back();
      state_.locals.pop_back();
      state_.positional = saved_positional;
      loop_depth_ = saved_loop;
      --call_depth_;
    };
    try {
      Execute(*body);
    } catch (const ReturnFromFunction& r) {
      restore();
      state_.last_status = r.status;
      return;
    } catch (...) {
      restore();
      throw;
    }
    restore();
  }

  // ---------------------------------------------------------- utilities
  // Utilities that write (the store, or host files). They run only where
  // writes are allowed (`memhook run`, after the agent's permission flow):
  // in the hook the line is a write.
  static bool Writes(const std::vector<std::string>& argv) {
    struct WritingUtility {
      const char* name;
      const char* flag;  // writes only with this argument; null: always
    };
    static constexpr WritingUtility kWritingUtilities[] = {
        {"mkdir", nullptr}, {"rm", nullptr},     {"rmdir", nullptr},  {"mv", nullptr},
        {"cp", nullptr},    {"touch", nullptr},  {"chmod", nullptr},  {"truncate", nullptr},
        {"tee", nullptr},   {"find", "-delete"}, {"find", "-fprint"}, {"find", "-fls"},
    };
    if (argv[0] == "sed") return utils::SedWrites(argv);                       // -i, or a w command
    if (argv[0] == "awk" || argv[0] == "mawk") return utils::AwkWrites(argv);  // > >> | system()
    if (argv[0] == "sort") return utils::SortWrites(argv);                     // -o FILE
    if (argv[0] == "uniq") return utils::UniqWrites(argv);                     // OUTPUT operand
    for (const WritingUtility& w : kWritingUtilities) {
      if (argv[0] != w.name) continue;
      if (w.flag == nullptr) return true;
      for (size_t i = 1; i < argv.size(); ++i) {
        if (argv[i].rfind(w.flag, 0) == 0) return true;
      }
    }
    return false;
  }

  // The paths of output substitutions among a utility's arguments. Only
  // tee's file operands may be one: each becomes /dev/null in `argv`, and
  // its pipe is added to `outputs`. Any other mention (sort -o, an awk
  // program, a file to read) is refused, as is a descriptor path no
  // substitution holds. True when every file operand of tee was a
  // substitution (tee then writes nothing of the store's or the host's).
  bool TakeTeeOutputs(std::vector<std::string>& argv, std::vector<std::shared_ptr<Sink>>* outputs) {
    const bool tee = argv[0] == "tee";
    bool options_end = false, other_operand = false;
    for (size_t i = 1; i < argv.size(); ++i) {
      std::string& arg = argv[i];
      const bool operand = tee && (options_end || arg.size() < 2 || arg[0] != '-');
      if (tee && !options_end && arg == "--") {
        options_end = true;
        continue;
      }
      if (operand) {
        const std::string abs = arg.empty() ? arg : AbsolutePath(arg);
        if (auto o = output_files_.find(abs); o != output_files_.end()) {
          outputs->push_back(o->second->sink);
          arg = "/dev/null";
          continue;
        }
        other_operand = true;
        if (!abs.empty()) RefuseDescriptorPath(abs, "tee to");
      } else if (IsDescriptorPath(arg) && proc_files_.count(arg) == 0 &&
                 output_files_.count(arg) == 0) {
        throw Abort{ShellResult::Outcome::kUnsupported,
                    "a descriptor path (" + arg + ") given to " + argv[0]};
      }
      for (const auto& [path, output] : output_files_) {
        if (arg.find(path) != std::string::npos)
          throw Abort{ShellResult::Outcome::kUnsupported,
                      "the path of a process substitution >(...) given to " + argv[0]};
      }
    }
    return !outputs->empty() && !other_operand;
  }

  void RunUtility(std::vector<std::string>& argv) {
    CheckTime();
    const std::string& name = argv[0];
    const utils::CommandSpec* spec =
        name.find('/') == std::string::npos ? utils::FindCommand(name) : nullptr;
    if (spec == nullptr) {
      RunHostProgram(argv);
      return;
    }
    std::vector<std::shared_ptr<Sink>> tee_outputs;
    const bool tee_reads_only = TakeTeeOutputs(argv, &tee_outputs);
    if (!options_.allow_writes && !tee_reads_only && Writes(argv))
      throw Abort{ShellResult::Outcome::kWrites, name + " writes"};
    utils::CommandIo io;
    std::shared_ptr<OpenFile> in = fds_[0];
    std::string_view input;
    if (in && in->input)
      input = std::string_view(*in->input).substr(std::min(in->offset, in->input->size()));
    io.stdin_data = input;
    io.stdin_regular = in && in->regular;
    io.stdout_is_null = !fds_[1] || (fds_[1]->sink && fds_[1]->sink->discard);
    if (fds_[1] && fds_[1]->sink && !fds_[1]->sink->discard) {
      const Sink& s = *fds_[1]->sink;
      if (s.need.lines != UINT64_MAX || s.need.bytes != UINT64_MAX) {
        io.need.lines = s.need.lines == UINT64_MAX ? UINT64_MAX
                                                   : s.need.lines - std::min(s.need.lines, s.lines);
        io.need.bytes =
            s.need.bytes == UINT64_MAX
                ? UINT64_MAX
                : s.need.bytes - std::min(s.need.bytes, static_cast<uint64_t>(s.data.size()));
      }
    }
    std::vector<std::string> environment = Environment();
    utils::CommandEnv env{store_, options_.util, state_.cwd, &environment, nullptr};
    // A utility that does not look /dev/fd/N of a `<(...)` up in
    // env.process_file would open the host's: it reports the path as a
    // host path instead, and the line is refused.
    const bool names_process_file = std::any_of(
        argv.begin() + 1, argv.end(), [&](const std::string& a) { return proc_files_.count(a); });
    env.allow_host = options_.allow_host && !names_process_file;
    // find -execdir moves env.cwd for each call: read it then.
    env.run_command = [this, &env](const std::vector<std::string>& child_argv,
                                   utils::CommandIo& child_io) {
      return RunForUtility(child_argv, child_io, env.cwd);
    };
    env.run_script = [this, &env](const std::string& script, utils::CommandIo& child_io) {
      return RunForUtility({"eval", script}, child_io, env.cwd);
    };
    env.process_file = [this](std::string_view path) -> std::optional<std::string_view> {
      auto it = proc_files_.find(std::string(path));
      if (it == proc_files_.end()) return std::nullopt;
      return std::string_view(*it->second);
    };
    // A large output leaves the utility while it runs. What the writes
    // throw (a reader gone, a limit) waits until the utility returns: the
    // utility itself only sees that its reader has had enough.
    std::exception_ptr drain_error;
    bool drained = false;
    size_t drained_out = 0;  // stdout bytes handed on while the utility ran
    io.drain.threshold = std::min(io.drain.threshold, options_.spill_threshold);
    io.drain.take = [this, &io, &drain_error, &drained,
                     &drained_out](std::vector<utils::Stream::Chunk>& log) {
      drained = true;
      for (const utils::Stream::Chunk& chunk : log)
        if (chunk.fd == 1) drained_out += chunk.bytes.size();
      if (drain_error) return;
      try {
        for (utils::Stream::Chunk& chunk : log) Write(chunk.fd, std::move(chunk.bytes));
      } catch (...) {
        drain_error = std::current_exception();
        io.need.bytes = 0;
      }
    };
    spec->fn(argv, env, io);
    if (drain_error) std::rethrow_exception(drain_error);
    if (!io.unsupported.empty()) {
      if (names_process_file && io.unsupported.find("host") != std::string::npos)
        throw Abort{ShellResult::Outcome::kUnsupported,
                    name + " reading the path of a process substitution <(...)"};
      if (!tee_outputs.empty()) throw Abort{ShellResult::Outcome::kUnsupported, io.unsupported};
      // A utility on host paths only: the host's own program is exact
      // (unless part of this utility's output is already out).
      if (io.unsupported.find("host") != std::string::npos) {
        if (!NamesMount(argv) && !drained) {
          RunHostProgram(argv);
          return;
        }
        // Memory and host paths together: `memhook run` lets the utility
        // read the host files itself.
        if (io.needs_host && !options_.allow_host)
          throw Abort{ShellResult::Outcome::kNeedsHost, io.unsupported};
      }
      throw Abort{ShellResult::Outcome::kUnsupported, io.unsupported};
    }
    // tee copied to /dev/null in place of each `>(...)` what it copied to
    // its stdout (nothing after a usage error).
    for (const std::shared_ptr<Sink>& sink : tee_outputs)
      WriteToSink(*sink, input.substr(0, std::min(drained_out + io.out.size(), input.size())));
    if (in && in->input && ReadsStdin(argv)) {
      // GNU head on a seekable input leaves the offset just after what it
      // printed, so the next reader of the same descriptor goes on there.
      bool head_seeks = argv[0] == "head" && in->regular &&
                        std::find(argv.begin(), argv.end(), "-v") == argv.end();
      in->offset =
          head_seeks ? std::min(in->input->size(), in->offset + io.out.size()) : in->input->size();
    }
    for (utils::Stream::Chunk& chunk : io.log) Write(chunk.fd, std::move(chunk.bytes));
    state_.last_status = io.status;
  }

  // `declare -p NAME`: flags in bash's order, the value quoted as bash
  // quotes it ("..." with \ " $ ` escaped; $'...' for control characters).
  // The attribute letters, in bash's order (declare -p, ${x@a}).
  static std::string AttributeFlags(const Variable& v) {
    std::string flags;
    if (v.is_array) flags += 'a';
    if (v.is_assoc) flags += 'A';
    if (v.integer) flags += 'i';
    if (v.readonly) flags += 'r';
    if (v.exported) flags += 'x';
    if (v.case_fold != 0) flags += v.case_fold;
    return flags;
  }

  // sh_contains_shell_metas: a key declare -p double-quotes. `~` counts at
  // the start or after `=` / `:`, `#` at the start only.
  static bool ContainsShellMeta(std::string_view s) {
    constexpr std::string_view kMetas = " \t\n'\"\\|&;()<>!{}*[?]^$`";
    for (size_t i = 0; i < s.size(); ++i) {
      if (kMetas.find(s[i]) != std::string_view::npos) return true;
      if (s[i] == '~' && (i == 0 || s[i - 1] == '=' || s[i - 1] == ':')) return true;
      if (s[i] == '#' && i == 0) return true;
    }
    return false;
  }

  static std::string DeclareLine(const std::string& name, const Variable& v) {
    std::string flags = AttributeFlags(v);
    if (flags.empty()) flags = "-";
    auto quote = [](const std::string& value) {
      for (char c : value) {
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) return QuoteForShell(value);
      }
      std::string out = "\"";
      for (char c : value) {
        if (c == '"' || c == '\\' || c == '$' || c == '`') out += '\\';
        out += c;
      }
      return out + "\"";
    };
    std::string line = "declare -" + flags + " " + name;
    if (v.is_assoc && !v.declared_unset) {
      // Every element is followed by a blank, the table in bash's order;
      // a key is quoted only when it must be: $'...' for control
      // characters, "..." for shell metacharacters or a lone @ or *.
      line += "=(";
      v.assoc.ForEach([&](const std::string& key, const std::string& value) {
        std::string shown = quote(key);
        if (shown[0] == '"' && !ContainsShellMeta(key) && key != "@" && key != "*") shown = key;
        line += "[" + shown + "]=" + quote(value) + " ";
      });
      line += ")";
    } else if (v.is_array) {
      line += "=(";
      bool first = true;
      for (const auto& [k, value] : v.array) {
        line += (first ? "[" : " [") + ToString(k) + "]=" + quote(value);
        first = false;
      }
      line += ")";
    } else if (!v.declared_unset) {
      line += "=" + quote(v.value);
    }
    return line + "\n";
  }

  bool* ShoptFlag(const std::string& name) {
    if (name == "nullglob") return &state_.nullglob;
    if (name == "dotglob") return &state_.dotglob;
    if (name == "globstar") return &state_.globstar;
    if (name == "failglob") return &state_.failglob;
    if (name == "nocaseglob") return &state_.nocaseglob;
    if (name == "nocasematch") return &state_.nocasematch;
    // Patterns always accept extglob operators (bash rejects them at parse
    // time when it is off); the flag is kept for shopt to report.
    if (name == "extglob") return &state_.extglob;
    return nullptr;
  }

  // `set` options memhook keeps (set -e/-u/-f, -o pipefail ...).
  static std::string SetLetterName(char letter) {
    switch (letter) {
      case 'e':
        return "errexit";
      case 'u':
        return "nounset";
      case 'f':
        return "noglob";
      case 'h':
        return "hashall";
      case 'B':
        return "braceexpand";
      case 'x':
        return "xtrace";
      case 'v':
        return "verbose";
      case 'C':
        return "noclobber";
      case 'n':
        return "noexec";
      case 'a':
        return "allexport";
      default:
        return "";
    }
  }
  bool* SetOptionFlag(const std::string& name) {
    if (name == "errexit") return &state_.errexit;
    if (name == "nounset") return &state_.nounset;
    if (name == "pipefail") return &state_.pipefail;
    if (name == "noglob") return &state_.noglob;
    return nullptr;
  }
  static bool IsKnownSetOption(const std::string& name) {
    static const std::set<std::string> kNames = {"allexport",
                                                 "braceexpand",
                                                 "emacs",
                                                 "errexit",
                                                 "errtrace",
                                                 "functrace",
                                                 "hashall",
                                                 "histexpand",
                                                 "history",
                                                 "ignoreeof",
                                                 "interactive-comments",
                                                 "keyword",
                                                 "monitor",
                                                 "noclobber",
                                                 "noexec",
                                                 "noglob",
                                                 "nolog",
                                                 "notify",
                                                 "nounset",
                                                 "onecmd",
                                                 "physical",
                                                 "pipefail",
                                                 "posix",
                                                 "privileged",
                                                 "verbose",
                                                 "vi",
                                                 "xtrace"};
    return kNames.count(name) > 0;
  }

  // Whether a utility consumed its stdin: the readers of files read it
  // only without a file operand (`grep -c x f` inside `while read` leaves
  // the loop's input alone).
  bool ReadsStdin(const std::vector<std::string>& argv) {
    static const std::set<std::string> kNever = {
        "ls",  "find",     "seq", "date",  "basename", "dirname", "stat", "realpath", "readlink",
        "env", "printenv", "yes", "sleep", "echo",     "pwd",     "true", "false",    ":"};
    if (kNever.count(argv[0])) return false;
    if (argv[0] == "xargs" || argv[0] == "tee") return true;  // tee's operands are outputs
    for (size_t i = 1; i < argv.size(); ++i) {
      if (argv[i] == "-") return true;
      if (argv[i].empty() || argv[i][0] == '-') continue;
      if (Exists(argv[i])) return false;
    }
    return true;
  }

  // xargs and find -exec: run an argv with our lookup, into `io`.
  int RunForUtility(const std::vector<std::string>& argv, utils::CommandIo& io,
                    const std::string& cwd) {
    if (argv.empty()) return 0;
    FdTable saved = fds_;
    State saved_state = state_;
    state_.cwd = cwd;
    auto out = std::make_shared<Sink>();
    auto err = std::make_shared<Sink>();
    // One log keeps the order of stdout and stderr writes.
    auto merged = std::make_shared<Sink>();
    fds_[0] = std::make_shared<OpenFile>();
    fds_[0]->input = std::make_shared<std::string>(io.stdin_data);
    fds_[1] = std::make_shared<OpenFile>();
    fds_[1]->sink = out;
    fds_[2] = std::make_shared<OpenFile>();
    fds_[2]->sink = err;
    std::vector<std::string> copy = argv;
    int status = 0;
    const size_t mark = pending_outputs_.size();
    try {
      Dispatch(copy, {});
      status = state_.last_status;
      RunOutputSubstitutions(mark);
    } catch (const ExitShell& e) {
      status = e.status;
    } catch (const ExpansionError&) {
      status = 1;
    } catch (...) {
      fds_ = saved;
      state_ = std::move(saved_state);
      throw;
    }
    fds_ = saved;
    state_ = std::move(saved_state);
    // Order across the two streams is not kept here: a child's stderr
    // goes first only when it wrote nothing to stdout.
    if (!out->data.empty()) io.out += out->data;
    if (!err->data.empty()) io.err += err->data;
    (void)merged;
    io.status = status;
    return status;
  }

  bool NamesMount(const std::vector<std::string>& argv) const {
    for (size_t i = 1; i < argv.size(); ++i) {
      const std::string& a = argv[i];
      if (a.empty() || a[0] == '-') {
        size_t eq = a.find('=');
        if (eq == std::string::npos) continue;
        if (InMount(AbsolutePath(a.substr(eq + 1)))) return true;
        continue;
      }
      if (InMount(AbsolutePath(a))) return true;
    }
    return InMount(state_.cwd);
  }

  void RunHostProgram(const std::vector<std::string>& argv) {
    const std::string& name = argv[0];
    // Programs that write their operands: with a memory path, a write
    // (served by the write path, not here).
    static const std::set<std::string> kWriters = {
        "tee",   "rm",     "rmdir",  "mkdir", "touch",    "mv", "cp",
        "ln",    "chmod",  "chown",  "chgrp", "truncate", "dd", "install",
        "shred", "unlink", "mkfifo", "mknod", "rsync"};
    // Not on the PATH at all: bash's answer needs no host program.
    if (name.find('/') == std::string::npos && FindInPath(name).empty()) {
      Error(name + ": command not found");
      state_.last_status = 127;
      return;
    }
    // The pipe of a process substitution exists only in here, and a
    // descriptor past stderr is the imitated bash's, not this process's.
    for (size_t i = 1; i < argv.size(); ++i) {
      for (const std::string& path : live_process_paths_) {
        if (argv[i].find(path) != std::string::npos)
          throw Abort{ShellResult::Outcome::kUnsupported,
                      "the path of a process substitution given to the host program " + name};
      }
      if (IsDescriptorPath(argv[i]))
        throw Abort{ShellResult::Outcome::kUnsupported,
                    "a descriptor path (" + argv[i] + ") given to the host program " + name};
    }
    bool names_mount = NamesMount(argv);
    bool in_place = false;  // sed -i, perl -i: write their operands
    if (name == "sed" || name == "perl") {
      for (size_t i = 1; i < argv.size(); ++i) {
        in_place |= argv[i].rfind("-i", 0) == 0 || argv[i].rfind("--in-place", 0) == 0;
      }
    }
    if (names_mount && (kWriters.count(name) || in_place)) {
      if (!options_.allow_writes)
        throw Abort{ShellResult::Outcome::kWrites, name + " on the memory"};
      // The store holds directories and regular files only.
      static const std::set<std::string> kSpecialFiles = {"ln", "mkfifo", "mknod"};
      if (kSpecialFiles.count(name)) {
        Write(2, "memhook: " + name +
                     ": the memory holds only regular files and directories; nothing was "
                     "created\n");
        state_.last_status = 1;
        return;
      }
    }
    // The memory is not on the host's disk: a host program cannot open a
    // memory path (or run with its cwd in the mount). Say how to pipe the
    // file in; nothing runs, status 127.
    if (names_mount) {
      Write(2, "memhook: " + name +
                   ": a host program cannot open memory paths; pipe the file in instead "
                   "(cat FILE | " +
                   name + " ...)\n");
      state_.last_status = 127;
      return;
    }
    if (!options_.allow_host) {
      throw Abort{ShellResult::Outcome::kNeedsHost, "the program " + name};
    }
    std::string path = FindInPath(name);
    if (path.empty()) {
      Error(name + ": command not found");
      state_.last_status = 127;
      return;
    }
    std::string input;
    if (fds_[0] && fds_[0]->input)
      input = fds_[0]->input->substr(std::min(fds_[0]->offset, fds_[0]->input->size()));
    std::string out, err;
    int status = SpawnCapture(path, argv, Environment(), input, &out, &err);
    if (fds_[0] && fds_[0]->input) fds_[0]->offset = fds_[0]->input->size();
    Write(2, err);
    Write(1, out);
    state_.last_status = status;
  }

  std::string FindInPath(const std::string& name) {
    if (name.find('/') != std::string::npos) {
      std::string abs = AbsolutePath(name);
      return access(abs.c_str(), X_OK) == 0 ? abs : "";
    }
    std::string path_var = GetScalar("PATH").value_or("/usr/local/bin:/usr/bin:/bin");
    size_t start = 0;
    while (start <= path_var.size()) {
      size_t colon = path_var.find(':', start);
      if (colon == std::string::npos) colon = path_var.size();
      std::string dir = path_var.substr(start, colon - start);
      if (dir.empty()) dir = ".";
      std::string candidate = dir + "/" + name;
      struct stat st;
      if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
          access(candidate.c_str(), X_OK) == 0)
        return candidate;
      start = colon + 1;
    }
    return "";
  }

  int SpawnCapture(const std::string& path, const std::vector<std::string>& argv,
                   const std::vector<std::string>& env, const std::string& input, std::string* out,
                   std::string* err) {
    int in_pipe[2], out_pipe[2], err_pipe[2];
    if (pipe2(in_pipe, O_CLOEXEC) != 0) return 126;
    if (pipe2(out_pipe, O_CLOEXEC) != 0) return 126;
    if (pipe2(err_pipe, O_CLOEXEC) != 0) return 126;
    std::vector<char*> args, envp;
    for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    for (const std::string& e : env) envp.push_back(const_cast<char*>(e.c_str()));
    envp.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) return 126;
    if (pid == 0) {
      dup2(in_pipe[0], 0);
      dup2(out_pipe[1], 1);
      dup2(err_pipe[1], 2);
      if (chdir(state_.cwd.c_str()) != 0) _exit(126);
      signal(SIGPIPE, SIG_DFL);
      execve(path.c_str(), args.data(), envp.data());
      _exit(126);
    }
    close(in_pipe[0]);
    close(out_pipe[1]);
    close(err_pipe[1]);
    size_t written = 0;
    bool in_open = true;
    if (input.empty()) {
      close(in_pipe[1]);
      in_open = false;
    }
    int outs_open = 2;
    char buffer[65536];
    while (outs_open > 0 || in_open) {
      pollfd fds[3];
      int n = 0;
      fds[n++] = {out_pipe[0], POLLIN, 0};
      fds[n++] = {err_pipe[0], POLLIN, 0};
      if (in_open) fds[n++] = {in_pipe[1], POLLOUT, 0};
      if (poll(fds, n, -1) < 0) break;
      for (int k = 0; k < 2; ++k) {
        if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR))) continue;
        ssize_t got = read(fds[k].fd, buffer, sizeof buffer);
        if (got <= 0) {
          close(fds[k].fd);
          if (k == 0)
            out_pipe[0] = -1;
          else
            err_pipe[0] = -1;
          --outs_open;
        } else {
          (k == 0 ? out : err)->append(buffer, static_cast<size_t>(got));
        }
      }
      if (out_pipe[0] < 0 && err_pipe[0] < 0) outs_open = 0;
      if (in_open && n == 3 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
        ssize_t put = write(in_pipe[1], input.data() + written,
                            std::min<size_t>(input.size() - written, 65536));
        if (put <= 0) {
          close(in_pipe[1]);
          in_open = false;
        } else {
          written += static_cast<size_t>(put);
          if (written == input.size()) {
            close(in_pipe[1]);
            in_open = false;
          }
        }
      }
      // Re-poll only descriptors still open.
      if (out_pipe[0] < 0 && err_pipe[0] < 0 && !in_open) break;
      if (out_pipe[0] < 0 || err_pipe[0] < 0) {
        // Keep the loop simple: read the remaining one to its end.
        int remaining = out_pipe[0] >= 0 ? out_pipe[0] : err_pipe[0];
        if (remaining >= 0 && !in_open) {
          ssize_t got;
          while ((got = read(remaining, buffer, sizeof buffer)) > 0)
            (remaining == out_pipe[0] ? out : err)->append(buffer, static_cast<size_t>(got));
          close(remaining);
          break;
        }
      }
    }
    int wstatus = 0;
    waitpid(pid, &wstatus, 0);
    if (WIFEXITED(wstatus)) return WEXITSTATUS(wstatus);
    if (WIFSIGNALED(wstatus)) return 128 + WTERMSIG(wstatus);
    return 1;
  }

  // ---------------------------------------------------------- builtins
  bool RunBuiltin(std::vector<std::string>& argv,
                  const std::vector<std::shared_ptr<Assignment>>& decl);
  bool ReadBuiltin(std::vector<std::string>& argv);
  bool ReadBuiltinFromFd0(std::vector<std::string>& argv, size_t first, bool raw,
                          const std::string& array, char delim, int64_t nchars, bool exact);
  bool MapfileBuiltin(std::vector<std::string>& argv);
  bool GetoptsBuiltin(std::vector<std::string>& argv);

  // ---------------------------------------------------------- expansion
  std::string IfsValue() {
    std::optional<std::string> ifs = GetScalar("IFS");
    return ifs ? *ifs : std::string(" \t\n");
  }

  // Expands a word to fields (brace expansion was done by the parser).
  void ExpandInto(const Word& word, std::vector<std::string>* out) {
    std::vector<Field> fields(1);
    bool any_unquoted_expansion_only = true;
    for (const WordPart& p : word.parts) {
      if (p.kind == WordPart::Kind::kLiteral) {
        if (p.quoted) {
          AppendQuoted(fields.back(), p.text);
          fields.back().keep = true;
        } else {
          AppendUnquoted(fields.back(), p.text);
          if (!p.text.empty()) fields.back().keep = true;
        }
        any_unquoted_expansion_only = false;
        continue;
      }
      if (p.kind == WordPart::Kind::kTilde) {
        AppendQuoted(fields.back(), Tilde(p.text));
        fields.back().keep = true;
        continue;
      }
      if (p.kind == WordPart::Kind::kParam && p.quoted && IsAtExpansion(*p.param)) {
        std::vector<std::string> items = AtValues(*p.param);
        if (items.empty()) {
          // "$@" with no parameters: no field, unless other text joins.
          continue;
        }
        for (size_t i = 0; i < items.size(); ++i) {
          if (i > 0) fields.emplace_back();
          AppendQuoted(fields.back(), items[i]);
          fields.back().keep = true;
        }
        continue;
      }
      if (p.kind == WordPart::Kind::kProcessSub) {
        AppendQuoted(fields.back(), ProcessSubstitution(p));
        fields.back().keep = true;
        continue;
      }
      if (p.quoted) {
        AppendQuoted(fields.back(), ExpandPartQuoted(p));
        fields.back().keep = true;
        continue;
      }
      // Unquoted expansion: split on IFS.
      std::vector<std::string> pieces;
      if (p.kind == WordPart::Kind::kParam && IsAtExpansion(*p.param)) {
        for (const std::string& item : AtValues(*p.param)) {
          std::vector<std::string> split = Split(item, IfsValue());
          bool leading = false, trailing = false;
          (void)leading;
          (void)trailing;
          for (std::string& s : split) pieces.push_back(std::move(s));
        }
        AppendSplit(fields, pieces, true, true);
        continue;
      }
      std::string value = ExpandPartQuoted(p);
      SplitAppend(fields, value);
    }
    (void)any_unquoted_expansion_only;
    for (Field& f : fields) {
      if (f.text.empty() && !f.keep) continue;
      if (f.glob && !state_.noglob) {
        std::vector<std::string> matches = Glob(f.pattern);
        if (!matches.empty()) {
          out->insert(out->end(), matches.begin(), matches.end());
          continue;
        }
        if (state_.failglob) {
          Error("no match: " + f.text);
          throw ExpansionError{true};
        }
        if (state_.nullglob) continue;
      }
      out->push_back(std::move(f.text));
    }
  }

  static void AppendQuoted(Field& f, std::string_view s) {
    f.text.append(s);
    for (char c : s) {
      if (c == '*' || c == '?' || c == '[' || c == '\\' || c == ']') f.pattern += '\\';
      f.pattern += c;
    }
  }
  static void AppendUnquoted(Field& f, std::string_view s) {
    f.text.append(s);
    for (size_t i = 0; i < s.size(); ++i) {
      char c = s[i];
      if (c == '*' || c == '?' || c == '[') f.glob = true;
      // extglob's @( +( !( (the parser only lets them through after
      // shopt -s extglob).
      if (c == '(' && i > 0 && (s[i - 1] == '@' || s[i - 1] == '+' || s[i - 1] == '!'))
        f.glob = true;
      if (c == '\\') f.pattern += '\\';
      f.pattern += c;
    }
  }

  // IFS field splitting of an unquoted expansion's value into `fields`.
  void SplitAppend(std::vector<Field>& fields, const std::string& value) {
    std::string ifs = IfsValue();
    if (ifs.empty()) {
      AppendUnquoted(fields.back(), value);
      if (!value.empty()) fields.back().keep = true;
      return;
    }
    auto is_ws = [&](char c) {
      return (c == ' ' || c == '\t' || c == '\n') && ifs.find(c) != std::string::npos;
    };
    auto is_sep = [&](char c) { return ifs.find(c) != std::string::npos; };
    size_t i = 0;
    bool first = true;
    // Leading IFS whitespace ends the current field.
    if (!value.empty() && is_ws(value[0])) {
      while (i < value.size() && is_ws(value[i])) ++i;
      if (i < value.size() || true) {
        if (!fields.back().text.empty() || fields.back().keep) fields.emplace_back();
      }
      first = false;
    }
    std::string current;
    bool pending = false;
    while (i < value.size()) {
      char c = value[i];
      if (is_sep(c)) {
        // Field terminator: whitespace* [non-ws sep] whitespace*
        AppendUnquoted(fields.back(), current);
        if (!current.empty()) fields.back().keep = true;
        if (!is_ws(c)) fields.back().keep = true;  // an empty field between separators
        current.clear();
        size_t j = i + 1;
        if (is_ws(c)) {
          while (j < value.size() && is_ws(value[j])) ++j;
          if (j < value.size() && is_sep(value[j]) && !is_ws(value[j])) ++j;
        }
        while (j < value.size() && is_ws(value[j])) ++j;
        i = j;
        fields.emplace_back();
        pending = true;
        continue;
      }
      current += c;
      pending = false;
      ++i;
    }
    (void)first;
    AppendUnquoted(fields.back(), current);
    if (!current.empty()) fields.back().keep = true;
    if (pending) {
      // A trailing separator: the next text starts a new field, but no
      // empty field is produced by it alone.
      fields.back().keep = false;
    }
  }

  void AppendSplit(std::vector<Field>& fields, const std::vector<std::string>& pieces, bool, bool) {
    for (size_t i = 0; i < pieces.size(); ++i) {
      if (i > 0) fields.emplace_back();
      AppendUnquoted(fields.back(), pieces[i]);
      if (!pieces[i].empty()) fields.back().keep = true;
    }
  }

  std::vector<std::string> Split(const std::string& value, const std::string& ifs) {
    std::vector<Field> fields(1);
    std::string saved = ifs;
    SplitAppend(fields, value);
    std::vector<std::string> out;
    for (Field& f : fields)
      if (!f.text.empty() || f.keep) out.push_back(f.text);
    return out;
  }

  // For `read` and `$*`-less splitting of a line: IFS splitting into at
  // most `max` fields (the last takes the rest, trailing IFS whitespace trimmed).
  std::vector<std::string> SplitForRead(const std::string& line, size_t max) {
    std::string ifs = IfsValue();
    auto is_ws = [&](char c) {
      return (c == ' ' || c == '\t' || c == '\n') && ifs.find(c) != std::string::npos;
    };
    auto is_sep = [&](char c) { return ifs.find(c) != std::string::npos; };
    std::vector<std::string> out;
    size_t i = 0;
    while (i < line.size() && is_ws(line[i])) ++i;
    while (i < line.size()) {
      if (out.size() + 1 == max) {
        std::string rest = line.substr(i);
        size_t end = rest.size();
        while (end > 0 && is_ws(rest[end - 1])) --end;
        rest.resize(end);
        // A single trailing non-whitespace separator is also removed.
        if (!rest.empty() && is_sep(rest.back()) && !is_ws(rest.back())) {
          size_t count = 0;
          for (char c : rest)
            if (is_sep(c) && !is_ws(c)) ++count;
          if (count == 1) rest.pop_back();
          end = rest.size();
          while (end > 0 && is_ws(rest[end - 1])) --end;
          rest.resize(end);
        }
        out.push_back(rest);
        return out;
      }
      std::string field;
      while (i < line.size() && !is_sep(line[i])) field += line[i++];
      out.push_back(field);
      // Skip one separator (with surrounding whitespace).
      while (i < line.size() && is_ws(line[i])) ++i;
      if (i < line.size() && is_sep(line[i]) && !is_ws(line[i])) {
        ++i;
        while (i < line.size() && is_ws(line[i])) ++i;
      }
    }
    return out;
  }

  std::string ExpandOne(const Word& w) {
    std::string s;
    for (const WordPart& p : w.parts) {
      if (p.kind == WordPart::Kind::kLiteral) {
        s += p.text;
      } else if (p.kind == WordPart::Kind::kTilde) {
        s += Tilde(p.text);
      } else if (p.kind == WordPart::Kind::kProcessSub) {
        s += ProcessSubstitution(p);
      } else {
        s += ExpandPartQuoted(p);
      }
    }
    return s;
  }

  std::string ExpandAssignmentValue(const Word& w) { return ExpandOne(w); }

  // The text of an arithmetic expression after $-expansion.
  std::string ExpandArithText(const Word& w) {
    std::string s;
    for (const WordPart& p : w.parts) {
      if (p.kind == WordPart::Kind::kLiteral) {
        s += p.text;
      } else {
        s += ExpandPartQuoted(p);
      }
    }
    return s;
  }

  // A pattern (case, [[ == ]], ${x#p}): quoted characters escaped.
  std::string ExpandPattern(const Word& w) {
    Field f;
    for (const WordPart& p : w.parts) {
      if (p.kind == WordPart::Kind::kLiteral) {
        if (p.quoted) {
          AppendQuoted(f, p.text);
        } else {
          // Backslashes in an unquoted pattern escape as in fnmatch.
          f.text += p.text;
          f.pattern += p.text;
        }
      } else if (p.kind == WordPart::Kind::kTilde) {
        AppendQuoted(f, Tilde(p.text));
      } else if (p.quoted) {
        AppendQuoted(f, ExpandPartQuoted(p));
      } else {
        std::string v = ExpandPartQuoted(p);
        f.text += v;
        f.pattern += v;
      }
    }
    return f.pattern;
  }

  bool PatternMatch(const std::string& pattern, const std::string& text, bool nocase) {
    return utils::GlobMatch(pattern, text, utils::GlobMatchOptions{false, nocase, true, Utf8()});
  }

  std::string Tilde(const std::string& user) {
    if (user.empty()) return GetScalar("HOME").value_or(options_.util.home);
    if (user == "+") return state_.cwd;
    if (user == "-") return GetScalar("OLDPWD").value_or("~-");
    throw Abort{ShellResult::Outcome::kUnsupported, "~" + user};
  }

  static bool IsAtExpansion(const ParamExpansion& pe) {
    if (pe.prefix_names) return pe.transform == '@';  // "${!prefix@}": a word each
    if (pe.length) return false;
    // "${!a[*]}" is one word (joined with IFS), "${!a[@]}" a word each.
    if (pe.indirect && pe.subscript) return JoinLiteral(*pe.subscript) == "@";
    if (pe.op != ParamExpansion::Op::kPlain && pe.op != ParamExpansion::Op::kSubstring &&
        pe.op != ParamExpansion::Op::kRemoveSmallPrefix &&
        pe.op != ParamExpansion::Op::kRemoveLargePrefix &&
        pe.op != ParamExpansion::Op::kRemoveSmallSuffix &&
        pe.op != ParamExpansion::Op::kRemoveLargeSuffix &&
        pe.op != ParamExpansion::Op::kReplaceFirst && pe.op != ParamExpansion::Op::kReplaceAll &&
        pe.op != ParamExpansion::Op::kReplacePrefix &&
        pe.op != ParamExpansion::Op::kReplaceSuffix && pe.op != ParamExpansion::Op::kUpperAll &&
        pe.op != ParamExpansion::Op::kUpperFirst && pe.op != ParamExpansion::Op::kLowerAll &&
        pe.op != ParamExpansion::Op::kLowerFirst && pe.op != ParamExpansion::Op::kToggleFirst &&
        pe.op != ParamExpansion::Op::kToggleAll && pe.op != ParamExpansion::Op::kDefault &&
        pe.op != ParamExpansion::Op::kAlternate)
      return false;
    if (pe.subscript) {
      std::string sub = JoinLiteral(*pe.subscript);
      return sub == "@";
    }
    return pe.name == "@";
  }

  // "$@", "${a[@]}", "${@:2}", "${a[@]#x}", "${!a[@]}": one field per element.
  // ${!prefix*} / ${!prefix@}: the names of the variables, sorted.
  std::vector<std::string> PrefixNames(const std::string& prefix) const {
    std::set<std::string> names;
    for (const auto& [k, v] : state_.globals)
      if (k.rfind(prefix, 0) == 0) names.insert(k);
    for (const auto& scope : state_.locals)
      for (const auto& [k, v] : scope)
        if (k.rfind(prefix, 0) == 0 && !v.declared_unset) names.insert(k);
    return {names.begin(), names.end()};
  }

  std::vector<std::string> AtValues(const ParamExpansion& pe) {
    if (pe.prefix_names) return PrefixNames(pe.name);
    std::vector<std::string> values;
    bool set = false;
    if (pe.indirect && pe.subscript) {
      Variable* v = Find(pe.name);
      if (v && v->is_assoc) {
        v->assoc.ForEach([&](const std::string& k, const std::string&) { values.push_back(k); });
      } else if (v && v->is_array) {
        for (const auto& [k, val] : v->array) values.push_back(ToString(k));
      } else if (v && !v->declared_unset) {
        values.push_back("0");
      }
      return values;
    }
    values = ArrayValues(pe.name, &set);
    if (pe.op == ParamExpansion::Op::kDefault || pe.op == ParamExpansion::Op::kAlternate) {
      bool use_operand = pe.op == ParamExpansion::Op::kDefault ? values.empty() : !values.empty();
      if (pe.op == ParamExpansion::Op::kDefault && !use_operand) return values;
      if (!use_operand) return {};
      std::vector<std::string> fields;
      ExpandInto(*pe.operand, &fields);
      return fields;
    }
    if (pe.op == ParamExpansion::Op::kSubstring && pe.subscript) {
      if (const Variable* v = Find(pe.name); v != nullptr && v->is_assoc)
        return AssocSlice(values, pe);
    }
    if (pe.op == ParamExpansion::Op::kSubstring) {
      int64_t offset = Arith(ExpandArithText(*pe.operand));
      std::vector<std::string> all = values;
      int64_t n = static_cast<int64_t>(all.size());
      int64_t start;
      if ((pe.name == "@" || pe.name == "*") && !pe.subscript) {
        // $0 is element 0 for ${@:off}.
        all.insert(all.begin(), "bash");
        n = static_cast<int64_t>(all.size());
      }
      start = offset < 0 ? n + offset : offset;
      if (start < 0 || start > n) return {};
      int64_t len = n - start;
      if (pe.operand2) {
        len = Arith(ExpandArithText(*pe.operand2));
        if (len < 0) {
          Error(ExpandArithText(*pe.operand2) + ": substring expression < 0");
          throw ExpansionError{false};
        }
      }
      std::vector<std::string> out;
      for (int64_t i = start; i < n && i < start + len; ++i)
        out.push_back(all[static_cast<size_t>(i)]);
      return out;
    }
    if (pe.op == ParamExpansion::Op::kPlain) return values;
    for (std::string& v : values) v = ApplyOperator(pe, v);
    return values;
  }

  // ${h[@]:offset:length} of an associative array (assoc_subrange): the
  // elements in the table's order, offsets counted from 1 (0 is 1 too, a
  // negative one from one past the end), and a length of 0 still takes
  // one element.
  std::vector<std::string> AssocSlice(const std::vector<std::string>& values,
                                      const ParamExpansion& pe) {
    const int64_t n = static_cast<int64_t>(values.size());
    int64_t offset = Arith(ExpandArithText(*pe.operand));
    if (offset < 0) offset += n + 1;
    if (offset < 0) return {};
    int64_t length = n;
    if (pe.operand2) {
      length = Arith(ExpandArithText(*pe.operand2));
      if (length < 0) {
        Error(ExpandArithText(*pe.operand2) + ": substring expression < 0");
        throw ExpansionError{false};
      }
    }
    const int64_t first = std::max<int64_t>(offset, 1) - 1;
    if (n == 0 || first >= n) return {};
    const int64_t end = std::min(n, first + std::max<int64_t>(length, 1));
    return {values.begin() + first, values.begin() + end};
  }

  // A part expanded as inside double quotes (no splitting, no globbing).
  std::string ExpandPartQuoted(const WordPart& p) {
    switch (p.kind) {
      case WordPart::Kind::kLiteral:
        return p.text;
      case WordPart::Kind::kTilde:
        return Tilde(p.text);
      case WordPart::Kind::kParam:
        return ExpandParam(*p.param);
      case WordPart::Kind::kCommandSub:
        return CommandSubstitution(*p.program);
      case WordPart::Kind::kArith:
        return ToString(Arith(ExpandArithText(*p.arith)));
      case WordPart::Kind::kProcessSub:
        return ProcessSubstitution(p);
    }
    return "";
  }

  std::string CommandSubstitution(const Command& program) {
    // $(<file)
    if (program.kind == CommandKind::kSequence && program.children.size() == 1) {
      const Command& c = *program.children[0];
      if (c.kind == CommandKind::kSimple && c.words.empty() && c.assignments.empty() &&
          c.redirects.size() == 1 && c.redirects[0].op == RedirectOp::kInput &&
          (c.redirects[0].fd == -1 || c.redirects[0].fd == 0)) {
        std::string path = ExpandOne(c.redirects[0].target);
        std::string data;
        if (!ReadForRedirect(path, &data)) {
          last_substitution_status_ = 1;
          return "";
        }
        while (!data.empty() && data.back() == '\n') data.pop_back();
        last_substitution_status_ = 0;
        return data;
      }
    }
    auto sink = std::make_shared<Sink>();
    FdTable saved = fds_;
    fds_[1] = std::make_shared<OpenFile>();
    fds_[1]->sink = sink;
    int saved_line = state_.line;
    const size_t mark = pending_outputs_.size();
    try {
      Subshell([&]() {
        state_.errexit = false;  // bash's inherit_errexit is off
        Execute(program);
      });
      RunOutputSubstitutions(mark);
    } catch (const BrokenPipe&) {
      fds_ = saved;
      throw;
    } catch (...) {
      fds_ = saved;
      throw;
    }
    fds_ = saved;
    state_.line = saved_line;
    last_substitution_status_ = state_.last_status;
    std::string data = std::move(sink->data);
    while (!data.empty() && data.back() == '\n') data.pop_back();
    // bash drops NUL bytes with a warning.
    if (data.find('\0') != std::string::npos) {
      Error("warning: command substitution: ignored null byte in input");
      data.erase(std::remove(data.begin(), data.end(), '\0'), data.end());
    }
    return data;
  }

  std::string ProcessSubstitution(const WordPart& p) {
    if (p.process_output) return OutputSubstitutionPath(p);
    auto sink = std::make_shared<Sink>();
    FdTable saved = fds_;
    fds_[1] = std::make_shared<OpenFile>();
    fds_[1]->sink = sink;
    int status = state_.last_status;
    const size_t mark = pending_outputs_.size();
    try {
      Subshell([&]() { Execute(*p.program); });
      // The reader of the pipe sees EOF once the lists fed from inside
      // have ended too.
      RunOutputSubstitutions(mark);
    } catch (...) {
      fds_ = saved;
      throw;
    }
    fds_ = saved;
    state_.last_status = status;
    std::string path = NewProcessPath();
    proc_files_[path] = std::make_shared<std::string>(std::move(sink->data));
    return path;
  }

  // bash names a substitution's pipe by its descriptor: the highest free
  // one from 63 down, each held until the command that expanded it ends
  // (`echo <(true); echo <(true)` prints /dev/fd/63 twice; a function's
  // argument keeps 63 while its body makes 62).
  std::string NewProcessPath() {
    for (int fd = 63; fd >= 10; --fd) {
      std::string path = "/dev/fd/" + ToString(fd);
      if (proc_files_.count(path) == 0 && output_files_.count(path) == 0) {
        live_process_paths_.push_back(path);
        return path;
      }
    }
    throw Abort{ShellResult::Outcome::kLimit, "more than 54 process substitutions at once"};
  }

  // `>(list)`: the list is bash's fork, made when the word is expanded. It
  // runs here once its pipe has seen EOF (RunOutputSubstitutions), on what
  // was written to the path meanwhile, with the variables and descriptors
  // it had at the expansion.
  std::string OutputSubstitutionPath(const WordPart& p) {
    auto o = std::make_shared<OutputSubstitution>();
    o->program = p.program;
    o->state = state_;
    o->fds = fds_;
    o->funcnames = funcnames_;
    o->call_depth = call_depth_;
    o->loop_depth = loop_depth_;
    o->in_condition = in_condition_;
    o->nesting = nesting_;
    o->sink = std::make_shared<Sink>();
    std::string path = NewProcessPath();
    output_files_[path] = o;
    pending_outputs_.push_back(std::move(o));
    return path;
  }

  // Runs the lists of the output substitutions made since `mark` (and
  // those they make in turn). A real list runs concurrently and prints
  // when it gets its turn; running them once their writers are gone
  // matches what bash shows in practice (a builtin goes on with the next
  // command before the fork has printed), and the points that call this
  // are those where a reader waits for EOF: the end of a pipeline stage,
  // of $(...), of <(...), of the script; and `wait`. The order is the one
  // bash shows run after run on this machine: the lists of one command in
  // the reverse of the order they were made (`tee >(a) >(b)` prints b's
  // output first), those of successive commands in turn.
  void RunOutputSubstitutions(size_t mark, std::optional<int> nesting = std::nullopt) {
    while (true) {
      std::optional<size_t> next;
      for (size_t i = mark; i < pending_outputs_.size(); ++i) {
        if (nesting && pending_outputs_[i]->nesting != *nesting) continue;
        if (!next || Closing(i) <= Closing(*next)) next = i;
      }
      if (!next) return;
      RunPendingOutput(*next);
    }
  }

  // When pending_outputs_[i]'s pipe was closed (still open: last).
  uint64_t Closing(size_t i) const {
    return pending_outputs_[i]->closing == 0 ? UINT64_MAX : pending_outputs_[i]->closing;
  }

  // Runs pending_outputs_[i]; first any list whose output goes into its
  // pipe (`cmd > >(a) > >(b)`: b's stdout is a's pipe).
  void RunPendingOutput(size_t i) {
    std::shared_ptr<OutputSubstitution> o = pending_outputs_[i];
    pending_outputs_.erase(pending_outputs_.begin() + static_cast<std::ptrdiff_t>(i));
    for (size_t j = 0; j < pending_outputs_.size();) {
      const FdTable& fds = pending_outputs_[j]->fds;
      if (std::any_of(fds.begin(), fds.end(), [&](const std::shared_ptr<OpenFile>& f) {
            return f && f->sink == o->sink;
          })) {
        RunPendingOutput(j);
        j = 0;
        continue;
      }
      ++j;
    }
    RunOutputList(*o);
  }

  void RunOutputList(OutputSubstitution& o) {
    State saved_state = std::move(state_);
    FdTable saved_fds = fds_;
    std::vector<std::string> saved_funcnames = std::move(funcnames_);
    const int saved_call_depth = call_depth_, saved_loop_depth = loop_depth_,
              saved_in_condition = in_condition_;
    auto restore = [&]() {
      state_ = std::move(saved_state);
      fds_ = saved_fds;
      funcnames_ = std::move(saved_funcnames);
      call_depth_ = saved_call_depth;
      loop_depth_ = saved_loop_depth;
      in_condition_ = saved_in_condition;
    };
    state_ = std::move(o.state);
    fds_ = o.fds;
    funcnames_ = std::move(o.funcnames);
    call_depth_ = o.call_depth;
    loop_depth_ = o.loop_depth;
    in_condition_ = o.in_condition;
    fds_[0] = std::make_shared<OpenFile>();
    fds_[0]->input = std::make_shared<std::string>(std::move(o.sink->data));
    // The pipe is closed: what is still written to it is lost.
    o.sink->discard = true;
    const size_t mark = pending_outputs_.size();
    try {
      Subshell([&]() { Execute(*o.program); });
      RunOutputSubstitutions(mark);
    } catch (const BrokenPipe&) {
      // The list's own reader has gone (SIGPIPE): it ends silently.
    } catch (...) {
      restore();
      throw;
    }
    restore();
  }

  std::string ExpandParam(const ParamExpansion& pe) {
    if (pe.op == ParamExpansion::Op::kBad) {
      // The rest of the line is dropped, as for any expansion error.
      Error((pe.bad_text.empty() ? pe.name : pe.bad_text) + ": bad substitution");
      throw ExpansionError{true};
    }
    if (pe.prefix_names) {
      std::string out;
      for (const std::string& n : PrefixNames(pe.name)) out += (out.empty() ? "" : " ") + n;
      return out;
    }
    std::string name = pe.name;
    if (pe.indirect && !pe.subscript) {
      std::optional<std::string> target = GetScalar(name);
      if (!target) {
        Error(name + ": invalid indirect expansion");
        throw ExpansionError{false};
      }
      name = *target;
      ParamExpansion copy = pe;
      copy.indirect = false;
      copy.name = name;
      size_t bracket = name.find('[');
      if (bracket != std::string::npos && name.back() == ']') {
        copy.name = name.substr(0, bracket);
        auto sub = std::make_shared<Word>();
        WordPart lit;
        lit.text = name.substr(bracket + 1, name.size() - bracket - 2);
        sub->parts.push_back(lit);
        copy.subscript = sub;
      } else if (!IsName(name) &&
                 !(name.size() == 1 && std::strchr("@*#?$!-0123456789", name[0]))) {
        Error(pe.name + ": invalid variable name");
        throw ExpansionError{false};
      }
      return ExpandParam(copy);
    }
    if (pe.indirect && pe.subscript) {
      // "${!a[*]}" joins with IFS's first character, as "${a[*]}".
      return JoinList(AtValues(pe), JoinLiteral(*pe.subscript) == "*");
    }
    // The value (unset = nullopt).
    std::optional<std::string> value;
    bool is_list = false;  // ${a[*]} / $* / ${a[@]} in a scalar context
    std::vector<std::string> list;
    if (pe.subscript) {
      std::string sub = JoinLiteral(*pe.subscript);
      if (sub == "@" || sub == "*") {
        bool set = false;
        list = ArrayValues(name, &set);
        is_list = true;
        if (set) value = JoinList(list, sub == "*");
      } else if (std::optional<std::vector<std::string>> special = SpecialArray(name)) {
        int64_t idx = Arith(ExpandArithText(*pe.subscript));
        int64_t n = static_cast<int64_t>(special->size());
        if (idx < 0) idx += n;
        if (idx >= 0 && idx < n) value = (*special)[static_cast<size_t>(idx)];
      } else if (const Variable* assoc = Find(name); assoc != nullptr && assoc->is_assoc) {
        // A string key: expanded, quotes removed, never arithmetic.
        const std::string key = ExpandKey(*pe.subscript);
        if (key.empty()) Error(name + ": bad array subscript");
        const Variable* v = Find(name);
        const std::string* found = v != nullptr && v->is_assoc ? v->assoc.Find(key) : nullptr;
        if (found != nullptr) value = *found;
      } else {
        Variable* v = Find(name);
        int64_t idx = Arith(ExpandArithText(*pe.subscript));
        if (v && !v->declared_unset) {
          if (v->is_array) {
            if (idx < 0) idx += v->array.empty() ? 0 : v->array.rbegin()->first + 1;
            // Before the first element: reported, and the word goes on
            // with the element unset.
            if (idx < 0) Error(name + ": bad array subscript");
            auto it = v->array.find(idx);
            if (it != v->array.end()) value = it->second;
          } else if (idx == 0 || idx == -1) {
            value = v->value;
          }
        }
      }
    } else if (name == "@" || name == "*") {
      list = state_.positional;
      is_list = true;
      if (!list.empty()) value = JoinList(list, name == "*");
    } else {
      value = GetScalar(name);
    }
    // Messages name an element as written: `h[$k]: unbound variable`.
    const std::string shown =
        pe.subscript && !is_list ? name + "[" + pe.subscript->raw + "]" : name;
    if (pe.length) {
      if (is_list) return ToString(static_cast<int64_t>(list.size()));
      if (!value && state_.nounset && name != "@" && name != "*") {
        Error((std::isdigit(static_cast<unsigned char>(name[0])) ? "$" : "") + shown +
              ": unbound variable");
        throw ExpansionError{true, 127};
      }
      return ToString(static_cast<int64_t>(CharLength(value.value_or(""))));
    }
    using Op = ParamExpansion::Op;
    bool is_null = !value || value->empty();
    switch (pe.op) {
      case Op::kDefault:
        if (!value || (pe.colon && is_null)) return ExpandOperandWord(*pe.operand);
        return *value;
      case Op::kAssign:
        if (!value || (pe.colon && is_null)) {
          std::string v = ExpandOperandWord(*pe.operand);
          if (!IsName(name)) {
            Error("$" + name + ": cannot assign in this way");
            throw ExpansionError{true};
          }
          // ${h[key]:=v} assigns that element.
          if (const Variable* target = Find(name);
              pe.subscript && target != nullptr && target->is_assoc) {
            SetKey(name, ExpandKey(*pe.subscript), v);
            return v;
          }
          SetScalar(name, v);
          return v;
        }
        return *value;
      case Op::kError:
        if (!value || (pe.colon && is_null)) {
          std::string msg = pe.operand ? ExpandOperandWord(*pe.operand) : "";
          if (pe.operand && pe.operand->parts.size() == 1 && pe.operand->parts[0].text.empty() &&
              pe.operand->raw.empty())
            msg.clear();
          Error(shown + ": " + (msg.empty() ? "parameter null or not set" : msg));
          throw ExpansionError{true, 127};
        }
        return *value;
      case Op::kAlternate:
        if (!value || (pe.colon && is_null)) return "";
        return ExpandOperandWord(*pe.operand);
      default:
        break;
    }
    if (!value) {
      if (state_.nounset && name != "@" && name != "*") {
        Error((std::isdigit(static_cast<unsigned char>(name[0])) ? "$" : "") + shown +
              ": unbound variable");
        throw ExpansionError{true, 127};
      }
      value = "";
    }
    if (pe.op == Op::kPlain) return *value;
    if (pe.op == Op::kSubstring && !is_list) {
      return Substring(*value, pe);
    }
    if (is_list && pe.op != Op::kSubstring) {
      std::vector<std::string> items = list;
      for (std::string& s : items) s = ApplyOperator(pe, s);
      std::string sub = pe.subscript ? JoinLiteral(*pe.subscript) : name;
      return JoinList(items, sub == "*");
    }
    if (is_list) {
      std::vector<std::string> items = AtValues(pe);
      return JoinList(items, (pe.subscript ? JoinLiteral(*pe.subscript) : name) == "*");
    }
    return ApplyOperator(pe, *value);
  }

  std::string JoinList(const std::vector<std::string>& items, bool star) {
    std::string sep = " ";
    if (star) {
      std::optional<std::string> ifs = GetScalar("IFS");
      sep = ifs ? ifs->substr(0, 1) : " ";
    }
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) {
      if (i) out += sep;
      out += items[i];
    }
    return out;
  }

  // The word after `:-` `-` `:=` `:+` `:?`: quotes inside group, no splitting here
  // (the caller's context splits the result if unquoted).
  std::string ExpandOperandWord(const Word& w) { return ExpandOne(w); }

  // The shell's own character set, from its variables as bash reads them
  // (LC_ALL, then LC_CTYPE, then LANG); the process locale when none is set.
  bool Utf8() {
    for (const char* name : {"LC_ALL", "LC_CTYPE", "LANG"}) {
      std::optional<std::string> value = GetScalar(name);
      if (!value || value->empty()) continue;
      std::string lower;
      for (char c : *value) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      return lower.find("utf-8") != std::string::npos || lower.find("utf8") != std::string::npos;
    }
    return utils::LocaleIsUtf8();
  }

  // Characters (UTF-8 aware under a UTF-8 locale).
  size_t CharLength(const std::string& s) {
    if (!Utf8()) return s.size();
    size_t n = 0;
    for (unsigned char c : s)
      if ((c & 0xC0) != 0x80) ++n;
    return n;
  }

  // Byte offsets of character boundaries.
  std::vector<size_t> Boundaries(const std::string& s) {
    const bool utf8 = Utf8();
    std::vector<size_t> b;
    for (size_t i = 0; i < s.size(); ++i) {
      if (!utf8 || (static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) b.push_back(i);
    }
    b.push_back(s.size());
    return b;
  }

  std::string Substring(const std::string& value, const ParamExpansion& pe) {
    std::vector<size_t> b = Boundaries(value);
    int64_t n = static_cast<int64_t>(b.size()) - 1;
    int64_t offset = Arith(ExpandArithText(*pe.operand));
    if (offset < 0) offset += n;
    if (offset < 0 || offset > n) return "";
    int64_t end = n;
    if (pe.operand2) {
      int64_t len = Arith(ExpandArithText(*pe.operand2));
      if (len < 0) {
        end = n + len;
        if (end < offset) {
          Error(ExpandArithText(*pe.operand2) + ": substring expression < 0");
          throw ExpansionError{false};
        }
      } else {
        end = std::min(n, offset + len);
      }
    }
    return value.substr(b[static_cast<size_t>(offset)],
                        b[static_cast<size_t>(end)] - b[static_cast<size_t>(offset)]);
  }

  // ${x@Q}: single quotes, each ' as '\''; $'...' when control characters
  // are in it.
  static std::string QuoteTransform(const std::string& value) {
    bool control = false;
    for (char c : value) control |= static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
    if (control) return QuoteForShell(value);
    std::string out = "'";
    for (char c : value) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
  }

  std::string ApplyOperator(const ParamExpansion& pe, const std::string& value) {
    using Op = ParamExpansion::Op;
    switch (pe.op) {
      case Op::kRemoveSmallPrefix:
      case Op::kRemoveLargePrefix:
      case Op::kRemoveSmallSuffix:
      case Op::kRemoveLargeSuffix: {
        std::string pattern = ExpandPattern(*pe.operand);
        std::vector<size_t> b = Boundaries(value);
        bool prefix = pe.op == Op::kRemoveSmallPrefix || pe.op == Op::kRemoveLargePrefix;
        bool large = pe.op == Op::kRemoveLargePrefix || pe.op == Op::kRemoveLargeSuffix;
        if (prefix) {
          if (large) {
            for (size_t k = b.size(); k-- > 0;)
              if (PatternMatch(pattern, value.substr(0, b[k]), false)) return value.substr(b[k]);
          } else {
            for (size_t k = 0; k < b.size(); ++k)
              if (PatternMatch(pattern, value.substr(0, b[k]), false)) return value.substr(b[k]);
          }
        } else {
          if (large) {
            for (size_t k = 0; k < b.size(); ++k)
              if (PatternMatch(pattern, value.substr(b[k]), false)) return value.substr(0, b[k]);
          } else {
            for (size_t k = b.size(); k-- > 0;)
              if (PatternMatch(pattern, value.substr(b[k]), false)) return value.substr(0, b[k]);
          }
        }
        return value;
      }
      case Op::kReplaceFirst:
      case Op::kReplaceAll:
      case Op::kReplacePrefix:
      case Op::kReplaceSuffix: {
        std::string pattern = ExpandPattern(*pe.operand);
        std::string replacement = pe.operand2 ? ExpandReplacement(*pe.operand2) : "";
        std::vector<size_t> b = Boundaries(value);
        // An empty pattern anchored at either end inserts there.
        if (pattern.empty() && pe.op == Op::kReplacePrefix)
          return FillReplacement(replacement, "") + value;
        if (pattern.empty() && pe.op == Op::kReplaceSuffix)
          return value + FillReplacement(replacement, "");
        if (pattern.empty()) return value;
        if (pe.op == Op::kReplacePrefix) {
          for (size_t k = b.size(); k-- > 0;)
            if (PatternMatch(pattern, value.substr(0, b[k]), false))
              return FillReplacement(replacement, value.substr(0, b[k])) + value.substr(b[k]);
          return value;
        }
        if (pe.op == Op::kReplaceSuffix) {
          for (size_t k = 0; k < b.size(); ++k)
            if (PatternMatch(pattern, value.substr(b[k]), false))
              return value.substr(0, b[k]) + FillReplacement(replacement, value.substr(b[k]));
          return value;
        }
        std::string out;
        size_t i = 0;  // index into b
        bool done = false;
        while (i + 1 < b.size() || (i + 1 == b.size() && false)) {
          if (done) break;
          size_t best = SIZE_MAX;
          for (size_t k = b.size() - 1; k > i; --k) {
            if (PatternMatch(pattern, value.substr(b[i], b[k] - b[i]), false)) {
              best = k;
              break;
            }
          }
          if (best == SIZE_MAX) {
            out += value.substr(b[i], b[i + 1] - b[i]);
            ++i;
            continue;
          }
          out += FillReplacement(replacement, std::string_view(value).substr(b[i], b[best] - b[i]));
          i = best;
          if (pe.op == Op::kReplaceFirst) done = true;
        }
        if (i < b.size() - 1) out += value.substr(b[i]);
        return out;
      }
      case Op::kUpperFirst:
      case Op::kUpperAll:
      case Op::kLowerFirst:
      case Op::kLowerAll:
      case Op::kToggleFirst:
      case Op::kToggleAll: {
        std::string pattern = pe.operand ? ExpandPattern(*pe.operand) : "";
        // ^ upper, , lower, ~ swap the case.
        bool upper = pe.op == Op::kUpperFirst || pe.op == Op::kUpperAll;
        bool toggle = pe.op == Op::kToggleFirst || pe.op == Op::kToggleAll;
        bool all = pe.op == Op::kUpperAll || pe.op == Op::kLowerAll || pe.op == Op::kToggleAll;
        std::string out = value;
        for (size_t i = 0; i < out.size(); ++i) {
          unsigned char c = static_cast<unsigned char>(out[i]);
          // bash converts non-ASCII letters too (towupper in UTF-8).
          if (c >= 0x80)
            throw Abort{ShellResult::Outcome::kUnsupported, "case conversion of non-ASCII text"};
          if (pattern.empty() ||
              PatternMatch(pattern, std::string(1, static_cast<char>(c)), false)) {
            bool to_upper = toggle ? std::islower(c) != 0 : upper;
            out[i] = static_cast<char>(to_upper ? std::toupper(c) : std::tolower(c));
          }
          if (!all) break;
        }
        return out;
      }
      case Op::kTransform:
        switch (pe.transform) {
          case 'Q':
            return QuoteTransform(value);
          case 'E':
            // Backslash escapes as in $'...'.
            return parser::internal::DecodeAnsiC(value);
          case 'a':
          case 'A': {
            // A variable's attributes; or the assignment that recreates it
            // (scalars only: an array's form differs by subscript).
            const Variable* v = IsName(pe.name) ? Find(pe.name) : nullptr;
            if (pe.transform == 'A' &&
                (pe.subscript || (v != nullptr && (v->is_array || v->is_assoc)) || pe.indirect ||
                 !IsName(pe.name)))
              throw Abort{ShellResult::Outcome::kUnsupported, "${x@A} of this parameter"};
            if (v == nullptr || v->declared_unset) {
              if (!IsName(pe.name)) throw Abort{ShellResult::Outcome::kUnsupported, "${x@a}"};
              return "";
            }
            std::string flags = AttributeFlags(*v);
            if (pe.transform == 'a') return flags;
            std::string assignment = pe.name + "=" + QuoteTransform(value);
            return flags.empty() ? assignment : "declare -" + flags + " " + assignment;
          }
          case 'U': {
            std::string out = value;
            for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            return out;
          }
          case 'L': {
            std::string out = value;
            for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            return out;
          }
          case 'u': {
            std::string out = value;
            if (!out.empty())
              out[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(out[0])));
            return out;
          }
          default:
            throw Abort{ShellResult::Outcome::kUnsupported,
                        std::string("${x@") + pe.transform + "}"};
        }
      case Op::kSubstring:
        return Substring(value, pe);
      default:
        return value;
    }
  }

  // The replacement of ${x/p/r} as a template: quote removal done, and a
  // NUL byte (which no shell string holds) where an unquoted & stands for
  // the matched text (bash 5.2's patsub_replacement).
  std::string ExpandReplacement(const Word& w) {
    std::string out;
    for (size_t i = 0; i < w.parts.size(); ++i) {
      const WordPart& p = w.parts[i];
      std::string text = p.kind == WordPart::Kind::kLiteral ? p.text : ExpandPartQuoted(p);
      if (i == 0 && p.kind == WordPart::Kind::kLiteral && !p.quoted && !text.empty() &&
          text[0] == '~') {
        // bash 5.2 expands a leading tilde of the replacement (even
        // inside double quotes); what it yields is not taken for `&`.
        size_t slash = text.find('/');
        if (slash == std::string::npos) slash = text.size();
        out += Tilde(text.substr(1, slash - 1));
        text = text.substr(slash);
      }
      bool literal_quoted = p.kind == WordPart::Kind::kLiteral && p.quoted;
      for (char c : text) out += (c == '&' && !literal_quoted) ? '\0' : c;
    }
    return out;
  }

  static std::string FillReplacement(const std::string& replacement, std::string_view match) {
    if (replacement.find('\0') == std::string::npos) return replacement;
    std::string out;
    for (char c : replacement) {
      if (c == '\0') {
        out += match;
      } else {
        out += c;
      }
    }
    return out;
  }

  // `context` names the builtin in the message ("let: ", "((: ", "[[: ").
  int64_t Arith(const std::string& text, std::string_view context = {}) {
    Vars vars(*this);
    ArithResult r = EvalArith(text, vars);
    if (!r.ok()) {
      Error(std::string(r.assignment_error ? std::string_view() : context) + r.error);
      // An arithmetic error ends a non-interactive shell (not `(( ))`/let).
      throw ExpansionError{true};
    }
    return r.value;
  }

  // ---------------------------------------------------------- globbing
  std::vector<std::string> Glob(const std::string& pattern) {
    std::string absolute = pattern[0] == '/' ? pattern : state_.cwd + "/" + pattern;
    bool absolute_pattern = pattern[0] == '/';
    std::vector<std::string> segments;
    {
      size_t i = 0;
      while (i <= pattern.size()) {
        size_t slash = pattern.find('/', i);
        if (slash == std::string::npos) slash = pattern.size();
        if (slash > i) segments.push_back(pattern.substr(i, slash - i));
        i = slash + 1;
      }
    }
    bool dirs_only = pattern.back() == '/';
    // A set GLOBIGNORE also lets `*` match leading dots.
    const std::string globignore = GetScalar("GLOBIGNORE").value_or("");
    const bool dotglob = state_.dotglob || !globignore.empty();
    const bool utf8 = Utf8();
    std::vector<std::string> candidates = {absolute_pattern ? "/" : ""};
    auto join = [](const std::string& base, const std::string& name) {
      if (base.empty()) return name;
      if (base.back() == '/') return base + name;
      return base + "/" + name;
    };
    auto has_glob = [](const std::string& seg) {
      for (size_t i = 0; i < seg.size(); ++i) {
        if (seg[i] == '\\') {
          ++i;
          continue;
        }
        if (seg[i] == '*' || seg[i] == '?' || seg[i] == '[') return true;
        if ((seg[i] == '@' || seg[i] == '+' || seg[i] == '!') && i + 1 < seg.size() &&
            seg[i + 1] == '(')
          return true;
      }
      return false;
    };
    auto unescape = [](const std::string& seg) {
      std::string out;
      for (size_t i = 0; i < seg.size(); ++i) {
        if (seg[i] == '\\' && i + 1 < seg.size()) ++i;
        out += seg[i];
      }
      return out;
    };
    for (size_t si = 0; si < segments.size(); ++si) {
      const std::string& segment = segments[si];
      std::vector<std::string> next;
      if (!has_glob(segment)) {
        for (const std::string& c : candidates) next.push_back(join(c, unescape(segment)));
      } else if (segment == "**" && state_.globstar) {
        for (const std::string& c : candidates) {
          next.push_back(c);  // zero directories
          for (const std::string& sub : AllDirsBelow(c)) next.push_back(sub);
        }
        // `**` as the last segment also matches files, and the directory
        // itself (`dir/**` starts with `dir/`).
        if (si + 1 == segments.size()) {
          next.clear();
          for (const std::string& c : candidates) {
            if (!c.empty()) next.push_back(dirs_only || c.back() == '/' ? c : c + "/");
            for (const std::string& sub : AllBelow(c)) next.push_back(sub);
          }
        }
      } else {
        for (const std::string& c : candidates) {
          for (const std::string& name : ListNames(c.empty() ? "." : c)) {
            if (name[0] == '.' && segment[0] != '.' && !dotglob) continue;
            if (dotglob && (name == "." || name == "..")) continue;
            const utils::GlobMatchOptions how{!dotglob, state_.nocaseglob, true, utf8};
            if (utils::GlobMatch(segment, name, how)) next.push_back(join(c, name));
          }
        }
      }
      candidates = std::move(next);
      if (candidates.empty()) break;
    }
    std::vector<std::string> results;
    for (const std::string& c : candidates) {
      if (c.empty()) continue;
      std::optional<bool> is_dir = Exists(c);
      if (!is_dir) continue;
      if (dirs_only && !*is_dir) continue;
      std::string match = dirs_only && c.back() != '/' ? c + "/" : c;
      if (!globignore.empty() && GlobIgnored(match, globignore, utf8)) continue;
      results.push_back(std::move(match));
    }
    // A match on the host is a read of the host: not inside the hook.
    for (const std::string& r : results) {
      std::string abs = AbsolutePath(r);
      if (!InMount(abs) && !IsInside(options_.util.mount, abs)) NeedHost("a glob over host paths");
    }
    std::sort(results.begin(), results.end(), [](const std::string& a, const std::string& b) {
      return utils::CollateCompare(a, b) < 0;
    });
    results.erase(std::unique(results.begin(), results.end()), results.end());
    return results;
  }

  // bash's strmatch with FNM_PATHNAME, as it matches GLOBIGNORE against
  // the whole path: a `/` only matches a `/` of the pattern, so both are
  // compared component by component; but a `*` that ends the pattern takes
  // the rest of the path, slashes included (`*` ignores `d/e`, `*.txt`
  // does not ignore `d/x.txt`).
  static bool PathnameMatch(std::string_view pattern, std::string_view path, bool utf8) {
    const utils::GlobMatchOptions options{false, false, true, utf8};
    while (true) {
      size_t ps = pattern.find('/'), ts = path.find('/');
      if (ps == std::string_view::npos) {
        if (ts == std::string_view::npos) return utils::GlobMatch(pattern, path, options);
        return !pattern.empty() && pattern.back() == '*' &&
               utils::GlobMatch(pattern, path.substr(0, ts), options);
      }
      if (ts == std::string_view::npos) return false;
      if (!utils::GlobMatch(pattern.substr(0, ps), path.substr(0, ts), options)) return false;
      pattern.remove_prefix(ps + 1);
      path.remove_prefix(ts + 1);
    }
  }

  // Whether GLOBIGNORE's colon-separated patterns drop a glob match.
  static bool GlobIgnored(const std::string& match, const std::string& patterns, bool utf8) {
    size_t start = 0;
    while (start <= patterns.size()) {
      size_t colon = patterns.find(':', start);
      if (colon == std::string::npos) colon = patterns.size();
      std::string pattern = patterns.substr(start, colon - start);
      if (!pattern.empty() && PathnameMatch(pattern, match, utf8)) return true;
      start = colon + 1;
    }
    return false;
  }

  // Names in a directory (union FS), without . and ..
  std::vector<std::string> ListNames(const std::string& dir) {
    std::vector<std::string> names;
    std::string abs = AbsolutePath(dir);
    if (InMount(abs)) {
      utils::CommandEnv env = MakeEnv();
      utils::ResolvedPath r = env.Resolve(dir);
      if (r.lookup_error) return names;
      std::vector<vfs::DirEntry> entries;
      if (!store_.ListDir(r.vfs_path, &entries).ok()) return names;
      for (const vfs::DirEntry& e : entries) names.push_back(e.name);
      return names;
    }
    // Inside the hook a glob may look at a few host directories (a word like
    // `--include=*.md` is matched against the cwd) but never walks the host.
    if (!options_.allow_host && ++host_listings_ > kMaxHostListings)
      NeedHost("a glob over host directories");
    // The mount's parents on the host: the mount shows even when absent.
    glob_t g{};
    std::string pat = abs == "/" ? "/*" : abs + "/*";
    std::string pat_dot = abs == "/" ? "/.[!.]*" : abs + "/.[!.]*";
    std::set<std::string> found;
    for (const std::string& p : {pat, pat_dot}) {
      if (glob(p.c_str(), GLOB_NOSORT, nullptr, &g) == 0) {
        for (size_t i = 0; i < g.gl_pathc; ++i) {
          std::string full = g.gl_pathv[i];
          found.insert(full.substr(full.rfind('/') + 1));
        }
      }
      globfree(&g);
      g = glob_t{};
    }
    const std::string& mount = options_.util.mount;
    if (IsInside(mount, abs) && mount != abs) {
      std::string rest = mount.substr(abs == "/" ? 1 : abs.size() + 1);
      found.insert(rest.substr(0, rest.find('/')));
    }
    for (const std::string& n : found) names.push_back(n);
    return names;
  }

  std::vector<std::string> AllDirsBelow(const std::string& base) {
    std::vector<std::string> out;
    for (const std::string& p : AllBelow(base)) {
      std::optional<bool> d = Exists(p);
      if (d && *d) out.push_back(p);
    }
    return out;
  }

  std::vector<std::string> AllBelow(const std::string& base) {
    std::vector<std::string> out;
    std::string abs = AbsolutePath(base.empty() ? "." : base);
    if (!InMount(abs)) NeedHost("a recursive glob over host paths");
    utils::CommandEnv env = MakeEnv();
    utils::ResolvedPath r = env.Resolve(base.empty() ? "." : base);
    if (r.where != utils::ResolvedPath::Where::kMount) return out;
    store_.Walk(r.vfs_path, [&](const std::string& path, const vfs::Stat&) {
      std::string rel = r.vfs_path.empty() ? path : path.substr(r.vfs_path.size() + 1);
      // Hidden components only with dotglob.
      if (!state_.dotglob) {
        if (rel[0] == '.' || rel.find("/.") != std::string::npos) return true;
      }
      out.push_back(base.empty() ? rel : (base.back() == '/' ? base + rel : base + "/" + rel));
      return true;
    });
    return out;
  }

  // nullopt: missing; else whether it is a directory.
  std::optional<bool> Exists(const std::string& path) {
    std::string abs = AbsolutePath(path);
    if (InMount(abs)) {
      utils::CommandEnv env = MakeEnv();
      utils::ResolvedPath r = env.Resolve(path);
      vfs::Stat st;
      if (!env.StatResolved(r, &st).ok()) return std::nullopt;
      return st.kind == vfs::NodeKind::kDirectory;
    }
    if (IsInside(options_.util.mount, abs)) return true;  // a parent of the mount
    struct stat st;
    if (stat(abs.c_str(), &st) != 0) return std::nullopt;
    return S_ISDIR(st.st_mode);
  }

  FileFacts Facts(std::string_view path, bool follow) {
    FileFacts f;
    if (path.empty()) return f;
    std::string p(path);
    if (proc_files_.count(p) || output_files_.count(p)) {
      f.exists = true;
      return f;
    }
    std::string abs = AbsolutePath(p);
    if (InMount(abs)) {
      utils::CommandEnv env = MakeEnv();
      utils::ResolvedPath r = env.Resolve(p);
      vfs::Stat st;
      if (!env.StatResolved(r, &st).ok()) return f;
      f.exists = true;
      f.is_directory = st.kind == vfs::NodeKind::kDirectory;
      f.is_regular = !f.is_directory;
      f.size = st.size;
      f.mode = st.mode;
      f.mtime_ns = st.mtime_ns;
      f.inode = std::hash<std::string>()(r.vfs_path);
      f.device = 0xfeed;
      return f;
    }
    if (IsInside(options_.util.mount, abs)) {
      f.exists = f.is_directory = true;
      f.mode = 0755;
      return f;
    }
    if (abs == "/dev/null") {
      f.exists = true;
      f.mode = 0666;
      return f;
    }
    NeedHost("a file test on a host path (" + p + ")");
    struct stat st;
    int rc = follow ? stat(abs.c_str(), &st) : lstat(abs.c_str(), &st);
    if (rc != 0) return f;
    f.exists = true;
    f.is_directory = S_ISDIR(st.st_mode);
    f.is_regular = S_ISREG(st.st_mode);
    f.is_symlink = S_ISLNK(st.st_mode);
    f.size = static_cast<uint64_t>(st.st_size);
    f.mode = st.st_mode & 07777;
    f.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    f.device = st.st_dev;
    f.inode = st.st_ino;
    return f;
  }

  // ---------------------------------------------------------- [[ ]]
  bool EvalCond(const CondExpr& e) {
    switch (e.kind) {
      case CondExpr::Kind::kAnd:
        return EvalCond(e.children[0]) && EvalCond(e.children[1]);
      case CondExpr::Kind::kOr:
        return EvalCond(e.children[0]) || EvalCond(e.children[1]);
      case CondExpr::Kind::kNot:
        return !EvalCond(e.children[0]);
      case CondExpr::Kind::kWord:
        return !ExpandOne(e.words[0]).empty();
      case CondExpr::Kind::kUnary: {
        std::string operand = ExpandOne(e.words[0]);
        TestResult r = EvalTest({e.op, operand}, false, MakeTestContext());
        if (r.status == 2) {
          cond_error_ = true;
          return false;
        }
        return r.status == 0;
      }
      case CondExpr::Kind::kBinary: {
        std::string left = ExpandOne(e.words[0]);
        if (e.op == "==" || e.op == "=" || e.op == "!=") {
          std::string pattern = ExpandPattern(e.words[1]);
          bool m = PatternMatch(pattern, left, state_.nocasematch);
          return e.op == "!=" ? !m : m;
        }
        if (e.op == "=~") return RegexMatch(left, e.words[1]);
        std::string right = ExpandOne(e.words[1]);
        if (e.op == "<") return std::strcoll(left.c_str(), right.c_str()) < 0;
        if (e.op == ">") return std::strcoll(left.c_str(), right.c_str()) > 0;
        if (e.op == "-eq" || e.op == "-ne" || e.op == "-lt" || e.op == "-le" || e.op == "-gt" ||
            e.op == "-ge") {
          // An arithmetic error makes this comparison false (`||` goes
          // on), and the line goes on.
          int64_t a = 0, b = 0;
          try {
            a = Arith(left, "[[: ");
            b = Arith(right, "[[: ");
          } catch (const ExpansionError& e) {
            if (e.status == 127) throw;
            return false;
          }
          if (e.op == "-eq") return a == b;
          if (e.op == "-ne") return a != b;
          if (e.op == "-lt") return a < b;
          if (e.op == "-le") return a <= b;
          if (e.op == "-gt") return a > b;
          return a >= b;
        }
        TestResult r = EvalTest({left, e.op, right}, false, MakeTestContext());
        if (r.status == 2) {
          cond_error_ = true;
          return false;
        }
        return r.status == 0;
      }
    }
    return false;
  }

  bool RegexMatch(const std::string& text, const Word& w) {
    // Quoted parts match literally.
    std::string re;
    for (const WordPart& p : w.parts) {
      std::string v = p.kind == WordPart::Kind::kLiteral ? p.text : ExpandPartQuoted(p);
      if (p.quoted) {
        for (char c : v) {
          if (std::strchr("\\^$.[]|()*+?{}", c) != nullptr) re += '\\';
          re += c;
        }
      } else {
        re += v;
      }
    }
    regex_t rx;
    if (regcomp(&rx, re.c_str(), REG_EXTENDED | (state_.nocasematch ? REG_ICASE : 0)) != 0) {
      cond_error_ = true;
      return false;
    }
    std::vector<regmatch_t> m(rx.re_nsub + 1);
    bool ok = regexec(&rx, text.c_str(), m.size(), m.data(), 0) == 0;
    Variable& v = Lookup("BASH_REMATCH");
    if (v.is_assoc) throw Abort{ShellResult::Outcome::kUnsupported, "an associative BASH_REMATCH"};
    v.is_array = true;
    v.array.clear();
    v.declared_unset = false;
    if (ok) {
      for (size_t i = 0; i < m.size(); ++i) {
        if (m[i].rm_so < 0) {
          v.array[static_cast<int64_t>(i)] = "";
          continue;
        }
        v.array[static_cast<int64_t>(i)] = text.substr(
            static_cast<size_t>(m[i].rm_so), static_cast<size_t>(m[i].rm_eo - m[i].rm_so));
      }
    }
    regfree(&rx);
    return ok;
  }

  TestContext MakeTestContext() {
    TestContext c;
    c.file = [this](std::string_view path, bool follow) { return Facts(path, follow); };
    c.variable_is_set = [this](std::string_view name) {
      size_t open = name.find('[');
      if (open != std::string_view::npos && open > 0 && name.back() == ']') {
        // `-v a[i]`: that element; `-v a[@]`: any element.
        std::string_view base = name.substr(0, open);
        std::string sub(name.substr(open + 1, name.size() - open - 2));
        Variable* v = Find(base);
        if (v == nullptr || v->declared_unset) return false;
        // An associative array's `@` and `*` are keys like any other.
        if (v->is_assoc) return v->assoc.Find(sub) != nullptr;
        if (sub == "@" || sub == "*") return !v->is_array || !v->array.empty();
        Vars vars(*this);
        return vars.Get(base, Arith(sub)).has_value();
      }
      Variable* v = Find(name);
      return v != nullptr && !v->declared_unset;
    };
    return c;
  }

  // ---------------------------------------------------------- members
  vfs::Store& store_;
  const ShellOptions& options_;
  State state_;
  FdTable fds_;
  std::shared_ptr<Sink> out_, err_;
  std::map<std::string, std::shared_ptr<std::string>> proc_files_;
  // /dev/fd/N of the output substitutions whose descriptor is open: what
  // is written there is the list's stdin.
  std::map<std::string, std::shared_ptr<OutputSubstitution>> output_files_;
  // Counts the commands that closed output substitutions' pipes.
  uint64_t closings_ = 0;
  // The /dev/fd/N paths of both kinds in the order they were made (each
  // command releases those it made: see Execute).
  std::vector<std::string> live_process_paths_;
  // Output substitutions whose list has not run yet, oldest first.
  std::vector<std::shared_ptr<OutputSubstitution>> pending_outputs_;
  std::chrono::steady_clock::time_point start_;
  uint64_t iterations_ = 0;
  uint64_t total_output_ = 0;
  int in_condition_ = 0;
  int loop_depth_ = 0;
  int call_depth_ = 0;
  int nesting_ = 0;
  bool cond_error_ = false;
  std::optional<int> last_substitution_status_;
  std::vector<std::string> funcnames_;  // the function call stack, outermost first
  static constexpr int kMaxHostListings = 16;
  int host_listings_ = 0;
  bool exec_redirects_ = false;
  std::vector<std::shared_ptr<Assignment>> assignments_keepalive_;
  std::vector<std::shared_ptr<Command>> scripts_keepalive_;
  std::minstd_rand random_{static_cast<unsigned>(getpid())};

  friend class Vars;
};

std::optional<std::string> Vars::Get(std::string_view name, std::optional<int64_t> index) {
  if (!index) {
    std::optional<std::string> value = in_.GetScalar(name);
    // set -u holds in arithmetic too (an unset array element does not
    // count, as in bash).
    if (!value && in_.state_.nounset) {
      in_.Error(std::string(name) + ": unbound variable");
      throw ExpansionError{true, 127};
    }
    return value;
  }
  Variable* v = in_.Find(name);
  if (v == nullptr || v->declared_unset) return std::nullopt;
  // bash takes an associative subscript in arithmetic as a string key;
  // EvalArith hands over only its value as a number.
  if (v->is_assoc)
    throw Abort{ShellResult::Outcome::kUnsupported, "an associative array element in arithmetic"};
  if (!v->is_array) return *index == 0 ? std::optional<std::string>(v->value) : std::nullopt;
  int64_t idx = *index;
  if (idx < 0) idx += v->array.empty() ? 0 : v->array.rbegin()->first + 1;
  auto it = v->array.find(idx);
  if (it == v->array.end()) return std::nullopt;
  return it->second;
}

bool Vars::IsAssoc(std::string_view name) {
  const Variable* v = in_.Find(name);
  return v != nullptr && v->is_assoc;
}

// bash expands an associative subscript in arithmetic once more (the
// expression text was expanded before), as a word without splitting.
std::optional<std::string> Vars::GetKey(std::string_view name, std::string_view key) {
  Variable* v = in_.Find(name);
  if (v == nullptr || v->declared_unset) return std::nullopt;
  const std::string expanded = in_.ExpandKeyText(std::string(key));
  // bash reports `n[]` three times over, in two wordings: not imitated.
  if (expanded.empty())
    throw Abort{ShellResult::Outcome::kUnsupported, "an empty associative key in arithmetic"};
  const std::string* found = v->assoc.Find(expanded);
  if (found == nullptr) return std::nullopt;
  return *found;
}

bool Vars::SetKey(std::string_view name, std::string_view key, int64_t value, std::string* error) {
  const Variable* v = in_.Find(name);
  if (v != nullptr && v->readonly) {
    *error = std::string(name) + ": readonly variable";
    return false;
  }
  const std::string expanded = in_.ExpandKeyText(std::string(key));
  if (expanded.empty())
    throw Abort{ShellResult::Outcome::kUnsupported, "an empty associative key in arithmetic"};
  in_.SetKey(std::string(name), expanded, ToString(value));
  return true;
}

bool Vars::Set(std::string_view name, std::optional<int64_t> index, int64_t value,
               std::string* error) {
  Variable* v = in_.Find(name);
  if (v != nullptr && v->readonly) {
    *error = std::string(name) + ": readonly variable";
    return false;
  }
  if (index) {
    if (v != nullptr && v->is_assoc)
      throw Abort{ShellResult::Outcome::kUnsupported, "an associative array element in arithmetic"};
    in_.SetElement(std::string(name), *index, ToString(value));
  } else {
    in_.SetScalar(std::string(name), ToString(value));
  }
  return true;
}

// ------------------------------------------------------------ builtins
bool Interpreter::RunBuiltin(std::vector<std::string>& argv,
                             const std::vector<std::shared_ptr<Assignment>>& decl) {
  const std::string name = argv[0];
  auto status = [this](int s) { state_.last_status = s; };
  auto usage = [&](const std::string& message, int code) {
    Error(message);
    status(code);
  };
  auto is_assignment_marker = [](const std::string& a) { return !a.empty() && a[0] == '\x01'; };
  auto decl_of = [&](const std::string& a) -> const Assignment& {
    return *decl[std::stoul(a.substr(1))];
  };
  if (name == "echo") {
    BuiltinOutput o = Echo(argv);
    Write(1, o.out);
    status(o.status);
    return true;
  }
  if (name == "printf") {
    BuiltinOutput o = Printf(argv, options_.util.now_ns / 1000000000);
    for (size_t k = 0; k < o.errors.size(); ++k) {
      const std::string& e = o.errors[k];
      if (std::find(o.unprefixed.begin(), o.unprefixed.end(), k) != o.unprefixed.end()) {
        Write(2, e.back() == '\n' ? e : e + "\n");
      } else {
        Error(e.back() == '\n' ? e.substr(0, e.size() - 1) : e);
      }
    }
    if (!o.assign_to.empty()) {
      size_t bracket = o.assign_to.find('[');
      if (bracket != std::string::npos) {
        // printf -v 'a[i+1]': the subscript is arithmetic (a key, expanded
        // once more, for an associative array).
        std::string sub = o.assign_to.substr(bracket + 1, o.assign_to.size() - bracket - 2);
        const std::string base = o.assign_to.substr(0, bracket);
        if (const Variable* v = Find(base); v != nullptr && v->is_assoc) {
          const std::string key = ExpandKeyText(sub);
          if (key.empty())
            throw Abort{ShellResult::Outcome::kUnsupported, "printf -v with an empty key"};
          SetKey(base, key, o.out);
        } else {
          SetElement(base, Arith(sub), o.out);
        }
      } else {
        SetScalar(o.assign_to, o.out);
      }
    } else {
      Write(1, o.out);
    }
    status(o.status);
    return true;
  }
  if (name == "test" || name == "[") {
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    TestResult r = EvalTest(args, name == "[", MakeTestContext());
    if (!r.error.empty()) Error(r.error);
    status(r.status);
    return true;
  }
  if (name == "true" || name == ":") {
    status(0);
    return true;
  }
  if (name == "false") {
    status(1);
    return true;
  }
  if (name == "pwd") {
    Write(1, state_.cwd + "\n");
    status(0);
    return true;
  }
  if (name == "cd") {
    std::vector<std::string> args(argv.begin() + 1, argv.end());
    if (!args.empty() && (args[0] == "-L" || args[0] == "-P")) args.erase(args.begin());
    if (!args.empty() && args[0] == "--") args.erase(args.begin());
    if (args.size() > 1) {
      usage("cd: too many arguments", 1);
      return true;
    }
    std::string target;
    bool print = false;
    if (args.empty()) {
      std::optional<std::string> home = GetScalar("HOME");
      if (!home) {
        usage("cd: HOME not set", 1);
        return true;
      }
      target = *home;
    } else if (args[0] == "-") {
      std::optional<std::string> old = GetScalar("OLDPWD");
      if (!old) {
        usage("cd: OLDPWD not set", 1);
        return true;
      }
      target = *old;
      print = true;
    } else {
      target = args[0];
    }
    if (target.empty()) {
      status(0);
      return true;
    }
    // CDPATH: a relative name not starting with . or .. is looked up in
    // each of its directories first; the directory found is printed unless
    // it came from an empty (current directory) entry.
    std::optional<std::string> cdpath = GetScalar("CDPATH");
    if (cdpath && !cdpath->empty() && target[0] != '/' && target.rfind("./", 0) != 0 &&
        target.rfind("../", 0) != 0 && target != "." && target != "..") {
      size_t start = 0;
      while (start <= cdpath->size()) {
        size_t colon = cdpath->find(':', start);
        if (colon == std::string::npos) colon = cdpath->size();
        std::string dir = cdpath->substr(start, colon - start);
        start = colon + 1;
        std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + target;
        std::optional<bool> found = Exists(candidate);
        if (found && *found) {
          target = candidate;
          print = print || !dir.empty();
          break;
        }
      }
    }
    std::string abs = AbsolutePath(target);
    if (!InMount(abs) && !IsInside(options_.util.mount, abs)) NeedHost("cd to a host directory");
    // The kernel resolves each component: a missing or file prefix fails.
    std::string joined = target[0] == '/' ? target : state_.cwd + "/" + target;
    std::optional<bool> is_dir;
    if (InMount(abs)) {
      utils::CommandEnv env = MakeEnv();
      utils::ResolvedPath r = env.Resolve(target);
      vfs::Stat st;
      vfs::Status s = env.StatResolved(r, &st);
      if (!s.ok()) {
        usage("cd: " + target + ": " + utils::ErrnoText(s.code()), 1);
        return true;
      }
      is_dir = st.kind == vfs::NodeKind::kDirectory;
    } else {
      is_dir = Exists(target);
      if (!is_dir) {
        usage("cd: " + target + ": No such file or directory", 1);
        return true;
      }
    }
    if (!*is_dir) {
      usage("cd: " + target + ": Not a directory", 1);
      return true;
    }
    SetScalar("OLDPWD", state_.cwd);
    Lookup("OLDPWD").exported = true;
    state_.cwd = abs;
    SetScalar("PWD", abs);
    if (print) Write(1, abs + "\n");
    status(0);
    return true;
  }
  if (name == "export" || name == "readonly" || name == "declare" || name == "typeset" ||
      name == "local") {
    bool local = name == "local";
    if (local && state_.locals.empty()) {
      usage("local: can only be used in a function", 1);
      return true;
    }
    bool flag_export = name == "export", flag_readonly = name == "readonly", flag_array = false,
         flag_assoc = false, flag_integer = false, flag_print = false, flag_unexport = false,
         flag_global = false;
    // -u / -l given (+u / +l: 0); both at once cancel out, as in bash.
    std::optional<char> upper, lower;
    bool flag_function_names = false;  // -F
    const bool declares = name == "declare" || name == "typeset" || name == "local";
    size_t i = 1;
    for (; i < argv.size(); ++i) {
      const std::string& a = argv[i];
      if (a == "--") {
        ++i;
        break;
      }
      if (a.size() < 2 || (a[0] != '-' && a[0] != '+') || is_assignment_marker(a)) break;
      bool on = a[0] == '-';
      for (size_t k = 1; k < a.size(); ++k) {
        switch (a[k]) {
          case 'x':
            flag_export = on;
            flag_unexport = !on;
            break;
          case 'r':
            flag_readonly = true;
            break;
          case 'a':
            flag_array = true;
            break;
          case 'i':
            flag_integer = on;
            break;
          case 'p':
            flag_print = true;
            break;
          case 'g':
            flag_global = true;
            break;
          case 'u':
          case 'l':
            if (!declares) throw Abort{ShellResult::Outcome::kUnsupported, name + " " + a};
            (a[k] == 'u' ? upper : lower) = on ? a[k] : 0;
            break;
          case 'n':
            if (name == "export") {
              // export -n: no longer exported.
              flag_export = !on;
              flag_unexport = on;
              break;
            }
            throw Abort{ShellResult::Outcome::kUnsupported, name + " " + a};
          case 'F':
            if (!declares || local) throw Abort{ShellResult::Outcome::kUnsupported, name + " " + a};
            flag_function_names = true;
            break;
          case 'A':
            if (!declares || !on) throw Abort{ShellResult::Outcome::kUnsupported, name + " " + a};
            flag_assoc = true;
            break;
          case 'f':
          case 't':
            throw Abort{ShellResult::Outcome::kUnsupported, name + " " + a};
          default:
            usage(name + ": " + a.substr(0, 2) + ": invalid option", 2);
            return true;
        }
      }
    }
    if (flag_function_names) {
      // declare -F [NAME...]: function names only; a missing one fails
      // silently.
      if (flag_integer || flag_array || flag_assoc || flag_readonly || flag_export || upper ||
          lower)
        throw Abort{ShellResult::Outcome::kUnsupported, name + " -F with attributes"};
      if (i == argv.size()) {
        for (const auto& [fn, body] : state_.functions) Write(1, "declare -f " + fn + "\n");
        status(0);
        return true;
      }
      int rc = 0;
      for (; i < argv.size(); ++i) {
        if (state_.functions.count(argv[i])) {
          Write(1, argv[i] + "\n");
        } else {
          rc = 1;
        }
      }
      status(rc);
      return true;
    }
    if (flag_print && i < argv.size() && (name == "declare" || name == "typeset")) {
      int rc = 0;
      for (; i < argv.size(); ++i) {
        Variable* v = Find(argv[i]);
        if (v == nullptr) {
          Error(name + ": " + argv[i] + ": not found");
          rc = 1;
          continue;
        }
        Write(1, DeclareLine(argv[i], *v));
      }
      status(rc);
      return true;
    }
    if (flag_print || i == argv.size()) {
      if (i < argv.size() || name == "local")
        throw Abort{ShellResult::Outcome::kUnsupported, name + " -p"};
      throw Abort{ShellResult::Outcome::kUnsupported, name + " without names"};
    }
    int rc = 0;
    for (; i < argv.size(); ++i) {
      std::string var;
      const Assignment* a = nullptr;
      if (is_assignment_marker(argv[i])) {
        a = &decl_of(argv[i]);
        var = a->name;
      } else {
        var = argv[i];
        size_t eq = var.find('=');
        if (eq != std::string::npos) {
          // An assignment built by expansion (`export "$x=1"`).
          std::string value = var.substr(eq + 1);
          var = var.substr(0, eq);
          if (!IsName(var)) {
            Error(name + ": `" + argv[i] + "': not a valid identifier");
            rc = 1;
            continue;
          }
          auto tmp = std::make_shared<Assignment>();
          tmp->name = var;
          tmp->value = std::make_shared<Word>();
          WordPart p;
          p.quoted = true;
          p.text = value;
          tmp->value->parts.push_back(p);
          assignments_keepalive_.push_back(tmp);
          a = tmp.get();
        }
      }
      if (!IsName(var)) {
        Error(name + ": `" + argv[i] + "': not a valid identifier");
        rc = 1;
        continue;
      }
      // Made by this declaration (not an existing variable given new
      // attributes): an associative array made so starts with 1024
      // buckets, a converted one with 128.
      bool made_here = Find(var) == nullptr;
      // In a function (local, or declare without -g) bash makes a local
      // associative array afresh even over an existing local.
      const bool local_decl = !flag_global && (local || (declares && !state_.locals.empty()));
      if (local && !flag_global) {
        auto& scope = state_.locals.back();
        if (!scope.count(var)) {
          made_here = true;
          Variable fresh;
          Variable* outer = Find(var);
          fresh.declared_unset = true;
          if (outer && outer->exported) fresh.exported = true;
          scope[var] = fresh;
        }
      } else if ((name == "declare" || name == "typeset") && !state_.locals.empty() &&
                 !flag_global) {
        auto& scope = state_.locals.back();
        if (!scope.count(var)) {
          made_here = true;
          Variable fresh;
          fresh.declared_unset = true;
          scope[var] = fresh;
        }
      }
      const bool existed = Find(var) != nullptr;
      Variable& v = (local && !flag_global) ? state_.locals.back()[var] : Lookup(var);
      // `declare y`: declared, still unset.
      if (!existed && a == nullptr && !flag_array) v.declared_unset = true;
      if (flag_assoc && v.is_array) {
        Error(name + ": " + var + ": cannot convert indexed to associative array");
        rc = 1;
        continue;
      }
      if (flag_array && v.is_assoc) {
        Error(name + ": " + var + ": cannot convert associative to indexed array");
        rc = 1;
        continue;
      }
      if (flag_assoc && !v.is_assoc) {
        const bool fresh = made_here || local_decl;
        const bool had_value = !fresh && !v.declared_unset;
        v.assoc = AssocTable(fresh ? AssocTable::kNewBuckets : AssocTable::kConvertedBuckets);
        if (had_value) v.assoc.At("0") = v.value;
        v.value.clear();
        v.is_assoc = true;
      }
      if (flag_integer) v.integer = true;
      if (upper && lower && *upper && *lower) {
        v.case_fold = 0;
      } else if (upper && *upper) {
        v.case_fold = 'u';
      } else if (lower && *lower) {
        v.case_fold = 'l';
      } else if ((upper && v.case_fold == 'u') || (lower && v.case_fold == 'l')) {
        v.case_fold = 0;  // +u / +l
      }
      if (a != nullptr) {
        if (v.readonly) {
          Error(var + ": readonly variable");
          rc = 1;
          continue;
        }
        Assign(*a);
      } else if (flag_array && !v.is_array) {
        v.is_array = true;
        if (!v.declared_unset && !v.value.empty()) v.array[0] = v.value;
        v.value.clear();
        if (Find(var) == &v && v.array.empty()) v.declared_unset = false;
      } else if (name == "export" && v.declared_unset && Find(var) == &v && !local) {
        // `export X` of an unset X marks it for export when it gets a value.
      }
      Variable& after = (local && !flag_global) ? state_.locals.back()[var] : Lookup(var);
      if (flag_export) after.exported = true;
      if (flag_unexport) after.exported = false;
      if (flag_readonly) after.readonly = true;
      if (name == "export" && !flag_unexport && a == nullptr && Find(var) == nullptr) {
        state_.globals[var].declared_unset = true;
        state_.globals[var].exported = true;
      }
    }
    status(rc);
    return true;
  }
  if (name == "unset") {
    size_t i = 1;
    bool functions = false;
    for (; i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-'; ++i) {
      if (argv[i] == "-f")
        functions = true;
      else if (argv[i] == "-v")
        functions = false;
      else if (argv[i] == "--") {
        ++i;
        break;
      } else {
        usage("unset: " + argv[i].substr(0, 2) + ": invalid option", 2);
        return true;
      }
    }
    int rc = 0;
    for (; i < argv.size(); ++i) {
      const std::string& var = argv[i];
      if (functions) {
        state_.functions.erase(var);
        continue;
      }
      size_t bracket = var.find('[');
      if (bracket != std::string::npos && var.back() == ']') {
        std::string base = var.substr(0, bracket);
        Variable* v = Find(base);
        if (v) {
          std::string sub = var.substr(bracket + 1, var.size() - bracket - 2);
          if (v->is_assoc) {
            // The subscript is expanded once more, then is the key
            // (`unset 'h[*]'` removes the key "*").
            const std::string key = ExpandKeyText(sub);
            if (Variable* after = Find(base); after != nullptr && after->is_assoc)
              after->assoc.Erase(key);
          } else if (sub == "@" || sub == "*") {
            if (!Unset(base)) rc = 1;
          } else if (v->is_array) {
            int64_t index = Arith(sub);
            if (index < 0 && !v->array.empty()) index += v->array.rbegin()->first + 1;
            v->array.erase(index);
          } else if (Arith(sub) == 0) {
            if (!Unset(base)) rc = 1;
          }
        }
        continue;
      }
      if (!IsName(var)) {
        Error("unset: `" + var + "': not a valid identifier");
        rc = 1;
        continue;
      }
      if (Find(var) == nullptr && state_.functions.count(var)) {
        state_.functions.erase(var);
        continue;
      }
      if (!Unset(var)) rc = 1;
    }
    status(rc);
    return true;
  }
  if (name == "shift") {
    int64_t n = 1;
    if (argv.size() > 1) {
      char* end = nullptr;
      n = std::strtoll(argv[1].c_str(), &end, 10);
      if (*end != '\0' || argv[1].empty()) {
        usage("shift: " + argv[1] + ": numeric argument required", 1);
        return true;
      }
    }
    if (n < 0 || static_cast<size_t>(n) > state_.positional.size()) {
      if (n < 0) Error("shift: " + argv[1] + ": shift count out of range");
      status(1);
      return true;
    }
    state_.positional.erase(state_.positional.begin(), state_.positional.begin() + n);
    status(0);
    return true;
  }
  if (name == "set") {
    size_t i = 1;
    for (; i < argv.size(); ++i) {
      const std::string& a = argv[i];
      if (a == "--") {
        state_.positional.assign(argv.begin() + static_cast<long>(i) + 1, argv.end());
        status(0);
        return true;
      }
      if (a.size() < 2 || (a[0] != '-' && a[0] != '+')) break;
      bool on = a[0] == '-';
      // Letters, with `o` taking the next word as an option name
      // (`set -euo pipefail`).
      for (size_t k = 1; k < a.size(); ++k) {
        std::string name;
        if (a[k] == 'o') {
          if (i + 1 >= argv.size())
            throw Abort{ShellResult::Outcome::kUnsupported, "set -o without an option"};
          name = argv[++i];
        } else {
          name = SetLetterName(a[k]);
          if (name.empty()) throw Abort{ShellResult::Outcome::kUnsupported, "set " + a};
        }
        bool* flag = SetOptionFlag(name);
        if (flag == nullptr) {
          if (a[k] == 'o' && !IsKnownSetOption(name)) {
            usage("set: " + name + ": invalid option name", 2);
            return true;
          }
          if (name == "hashall" || name == "braceexpand") continue;
          throw Abort{ShellResult::Outcome::kUnsupported, "set -o " + name};
        }
        *flag = on;
      }
    }
    if (i < argv.size()) state_.positional.assign(argv.begin() + static_cast<long>(i), argv.end());
    if (argv.size() == 1) throw Abort{ShellResult::Outcome::kUnsupported, "set without arguments"};
    status(0);
    return true;
  }
  if (name == "shopt") {
    bool set_mode = true, quiet = false;
    size_t i = 1;
    bool has_mode = false;
    for (; i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-'; ++i) {
      for (size_t k = 1; k < argv[i].size(); ++k) {
        char c = argv[i][k];
        if (c == 's') {
          set_mode = true;
          has_mode = true;
        } else if (c == 'u') {
          set_mode = false;
          has_mode = true;
        } else if (c == 'q')
          quiet = true;
        else
          throw Abort{ShellResult::Outcome::kUnsupported, "shopt " + argv[i]};
      }
    }
    if (i == argv.size()) throw Abort{ShellResult::Outcome::kUnsupported, "shopt listing"};
    int rc = 0;
    for (; i < argv.size(); ++i) {
      const std::string& opt = argv[i];
      bool* flag = ShoptFlag(opt);
      // Options memhook does not model keep bash -c's defaults (off).
      bool fixed = opt == "expand_aliases" || opt == "lastpipe";
      if (flag == nullptr && !fixed) {
        Error("shopt: " + opt + ": invalid shell option name");
        rc = 1;
        continue;
      }
      if (!has_mode) {
        // `shopt NAME`: its state; status 1 when one is off.
        bool on = flag != nullptr && *flag;
        if (!on) rc = 1;
        if (!quiet) {
          std::string shown = opt;
          shown.resize(std::max<size_t>(shown.size(), 15), ' ');
          Write(1, shown + "\t" + (on ? "on" : "off") + "\n");
        }
        continue;
      }
      if (fixed) {
        if (set_mode && opt == "lastpipe")
          throw Abort{ShellResult::Outcome::kUnsupported, "shopt -s lastpipe"};
        continue;
      }
      *flag = set_mode;
    }
    status(rc);
    return true;
  }
  if (name == "eval" || name == "source" || name == ".") {
    std::string text;
    if (name == "eval") {
      for (size_t i = 1; i < argv.size(); ++i) text += (i > 1 ? " " : "") + argv[i];
    } else {
      if (argv.size() < 2) {
        usage(name + ": filename argument required\n" + name + ": usage: " + name +
                  " filename [arguments]",
              2);
        return true;
      }
      if (!ReadForRedirect(argv[1], &text)) {
        status(1);
        return true;
      }
    }
    if (++nesting_ > options_.limits.max_nesting)
      throw Abort{ShellResult::Outcome::kLimit, "the nesting limit was reached"};
    parser::ast::ScriptParser parser;
    parser::ast::ScriptResult parsed = parser.Parse(text);
    if (!parsed.ok()) {
      --nesting_;
      throw Abort{ShellResult::Outcome::kUnsupported,
                  name + " of text that could not be parsed exactly (" + parsed.error + ")"};
    }
    for (const auto& statement : parsed.script->children) {
      // bash words the here-document warning of eval'd text differently.
      if (!statement->parse_warning.empty()) {
        --nesting_;
        throw Abort{ShellResult::Outcome::kUnsupported, name + " of an unterminated here-document"};
      }
    }
    scripts_keepalive_.push_back(parsed.script);
    std::vector<std::string> saved_positional = state_.positional;
    bool with_args = name != "eval" && argv.size() > 2;
    if (with_args) state_.positional.assign(argv.begin() + 2, argv.end());
    state_.last_status = 0;
    int saved_line = state_.line;
    try {
      Execute(*parsed.script);
    } catch (const ReturnFromFunction& r) {
      if (name == "eval") {
        --nesting_;
        throw;
      }
      state_.last_status = r.status;
    } catch (...) {
      --nesting_;
      if (with_args) state_.positional = saved_positional;
      throw;
    }
    state_.line = saved_line;
    if (with_args) state_.positional = saved_positional;
    --nesting_;
    return true;
  }
  // exit [N], return [N]: N modulo 256, else the last status; 2 with
  // bash's message for a word that is not a number.
  auto status_argument = [&]() {
    if (argv.size() < 2) return state_.last_status;
    char* end = nullptr;
    long long v = std::strtoll(argv[1].c_str(), &end, 10);
    if (*end != '\0' || argv[1].empty()) {
      Error(name + ": " + argv[1] + ": numeric argument required");
      return 2;
    }
    return static_cast<int>(v & 255);
  };
  if (name == "exit") throw ExitShell{status_argument()};
  if (name == "return") {
    if (call_depth_ == 0 && nesting_ == 0) {
      usage("return: can only `return' from a function or sourced script", 2);
      return true;
    }
    throw ReturnFromFunction{status_argument()};
  }
  if (name == "break" || name == "continue") {
    int n = 1;
    if (loop_depth_ == 0) {
      Error(name + ": only meaningful in a `for', `while', or `until' loop");
      status(0);
      return true;
    }
    if (argv.size() > 1) {
      char* end = nullptr;
      long v = std::strtol(argv[1].c_str(), &end, 10);
      if (*end != '\0' || argv[1].empty()) {
        usage(name + ": " + argv[1] + ": numeric argument required", 128);
        throw BreakLoop{1 << 20};
      }
      if (v < 1) {
        // bash reports it and leaves every enclosing loop, status 1.
        usage(name + ": " + argv[1] + ": loop count out of range", 1);
        throw BreakLoop{loop_depth_, 1};
      }
      n = static_cast<int>(v);
    }
    n = std::min(n, loop_depth_);
    state_.last_status = 0;
    if (name == "break") throw BreakLoop{n};
    throw ContinueLoop{n};
  }
  if (name == "trap") {
    if (argv.size() == 3 && (argv[2] == "EXIT" || argv[2] == "0")) {
      if (argv[1] == "-" || argv[1].empty()) {
        state_.exit_trap.reset();
      } else {
        parser::ast::ScriptParser parser;
        parser::ast::ScriptResult parsed = parser.Parse(argv[1]);
        if (!parsed.ok())
          throw Abort{ShellResult::Outcome::kUnsupported, "a trap that could not be parsed"};
        state_.exit_trap = parsed.script;
      }
      status(0);
      return true;
    }
    throw Abort{ShellResult::Outcome::kUnsupported, "trap other than EXIT"};
  }
  if (name == "type" ||
      (name == "command" && argv.size() > 1 && (argv[1] == "-v" || argv[1] == "-V"))) {
    bool brief = name == "command" ? argv[1] == "-v" : false;
    bool type_t = false;
    size_t i = 1;
    if (name == "command") {
      i = 2;
    } else {
      for (; i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-'; ++i) {
        if (argv[i] == "-t")
          type_t = true;
        else
          throw Abort{ShellResult::Outcome::kUnsupported, "type " + argv[i]};
      }
    }
    static const std::set<std::string> kBuiltins = {
        "echo",  "printf",  "test",      "[",        "true",    "false",   ":",
        "pwd",   "cd",      "export",    "readonly", "declare", "typeset", "local",
        "unset", "shift",   "set",       "shopt",    "eval",    "source",  ".",
        "exit",  "return",  "break",     "continue", "trap",    "type",    "command",
        "read",  "mapfile", "readarray", "let",      "exec"};
    static const std::set<std::string> kKeywords = {
        "if",   "then",     "else", "elif", "fi", "for", "while", "until", "do",   "done",  "case",
        "esac", "function", "[[",   "]]",   "{",  "}",   "!",     "in",    "time", "select"};
    int rc = 0;
    for (; i < argv.size(); ++i) {
      const std::string& n = argv[i];
      if (kKeywords.count(n)) {
        Write(1, brief ? n + "\n" : (type_t ? "keyword\n" : n + " is a shell keyword\n"));
      } else if (state_.functions.count(n)) {
        if (brief)
          Write(1, n + "\n");
        else if (type_t)
          Write(1, std::string_view("function\n"));
        else
          throw Abort{ShellResult::Outcome::kUnsupported, "type of a function"};
      } else if (kBuiltins.count(n)) {
        Write(1, brief ? n + "\n" : (type_t ? "builtin\n" : n + " is a shell builtin\n"));
      } else {
        std::string path = FindInPath(n);
        if (!InMount(state_.cwd) && !options_.allow_host && path.empty() &&
            utils::FindCommand(n) == nullptr) {
          // Not found on the host either: still exact.
        }
        if (path.empty() && utils::FindCommand(n) != nullptr) path = "/usr/bin/" + n;
        if (path.empty()) {
          if (!brief && !type_t && name == "type") Error("type: " + n + ": not found");
          rc = 1;
          continue;
        }
        Write(1, brief ? path + "\n" : (type_t ? "file\n" : n + " is " + path + "\n"));
      }
    }
    status(rc);
    return true;
  }
  if (name == "command") {
    if (argv.size() == 1) {
      status(0);
      return true;
    }
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (rest[0] == "-p") rest.erase(rest.begin());
    if (rest.empty()) {
      status(0);
      return true;
    }
    if (RunBuiltin(rest, decl)) return true;
    RunUtility(rest);
    return true;
  }
  if (name == "builtin") {
    std::vector<std::string> rest(argv.begin() + 1, argv.end());
    if (rest.empty() || !RunBuiltin(rest, decl)) {
      if (!rest.empty())
        usage("builtin: " + rest[0] + ": not a shell builtin", 1);
      else
        status(0);
    }
    return true;
  }
  if (name == "let") {
    if (argv.size() < 2) {
      usage("let: expression expected", 1);
      return true;
    }
    int64_t v = 0;
    try {
      for (size_t i = 1; i < argv.size(); ++i) v = Arith(argv[i], "let: ");
    } catch (const ExpansionError& e) {
      if (e.status == 127) throw;  // set -u: the shell exits
      status(1);
      return true;
    }
    status(v != 0 ? 0 : 1);
    return true;
  }
  if (name == "read") return ReadBuiltin(argv);
  if (name == "getopts") return GetoptsBuiltin(argv);
  if (name == "mapfile" || name == "readarray") return MapfileBuiltin(argv);
  if (name == "exec") {
    if (argv.size() == 1) {
      // `exec 3< f`: the redirections stay for the rest of the shell.
      exec_redirects_ = true;
      status(0);
      return true;
    }
    throw Abort{ShellResult::Outcome::kUnsupported, "exec of a command"};
  }
  if (name == "wait") {
    // Without operands bash waits for this shell's process substitutions
    // too (not those of a pipeline stage's fork).
    if (argv.size() == 1) RunOutputSubstitutions(0, nesting_);
    status(0);
    return true;
  }
  if (name == "sleep" || name == "kill" || name == "jobs" || name == "fg" || name == "bg" ||
      name == "alias" || name == "unalias" || name == "hash" || name == "umask" ||
      name == "ulimit" || name == "times" || name == "history" || name == "fc" || name == "pushd" ||
      name == "popd" || name == "dirs" || name == "disown" || name == "suspend" ||
      name == "logout" || name == "enable" || name == "complete" || name == "compgen" ||
      name == "caller" || name == "coproc" || name == "select" || name == "time") {
    if (name == "sleep") return false;
    throw Abort{ShellResult::Outcome::kUnsupported, "the builtin " + name};
  }
  return false;
}

// read [-r] [-a NAME] [-d DELIM] [-n N] [-N N] [-p PROMPT] [-s] [-t T] [NAME...]
bool Interpreter::ReadBuiltin(std::vector<std::string>& argv) {
  bool raw = false;
  std::string array;
  char delim = '\n';
  int64_t nchars = -1;
  bool exact = false;
  int from_fd = -1;
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a == "--") {
      ++i;
      break;
    }
    if (a.size() < 2 || a[0] != '-') break;
    for (size_t k = 1; k < a.size(); ++k) {
      char c = a[k];
      auto value = [&]() -> std::string {
        if (k + 1 < a.size()) {
          std::string v = a.substr(k + 1);
          k = a.size();
          return v;
        }
        if (i + 1 < argv.size()) return argv[++i];
        Error("read: -" + std::string(1, c) + ": option requires an argument");
        throw ExpansionError{false};
      };
      if (c == 'r')
        raw = true;
      else if (c == 's') {
      } else if (c == 'a')
        array = value();
      else if (c == 'd') {
        std::string d = value();
        delim = d.empty() ? '\0' : d[0];
      } else if (c == 'n' || c == 'N') {
        std::string n = value();
        nchars = std::atoll(n.c_str());
        exact = c == 'N';
      } else if (c == 'p') {
        value();  // the prompt shows only on a terminal
      } else if (c == 't') {
        value();
      } else if (c == 'u') {
        std::string fd = value();
        int n = std::atoi(fd.c_str());
        if (n < 0 || n > 9 || !fds_[n] || !fds_[n]->input) {
          Error("read: " + fd + ": invalid file descriptor: Bad file descriptor");
          state_.last_status = 1;
          return true;
        }
        from_fd = n;
      } else {
        Error("read: -" + std::string(1, c) + ": invalid option");
        Write(
            2,
            std::string_view(
                "read: usage: read [-ers] [-a array] [-d delim] [-i text] [-n nchars] [-N nchars] "
                "[-p prompt] [-t timeout] [-u fd] [name ...]\n"));
        state_.last_status = 2;
        return true;
      }
    }
  }
  if (from_fd < 0) return ReadBuiltinFromFd0(argv, i, raw, array, delim, nchars, exact);
  // -u N: read from N as if it were 0.
  std::swap(fds_[0], fds_[from_fd]);
  bool r = ReadBuiltinFromFd0(argv, i, raw, array, delim, nchars, exact);
  std::swap(fds_[0], fds_[from_fd]);
  return r;
}

bool Interpreter::ReadBuiltinFromFd0(std::vector<std::string>& argv, size_t first, bool raw,
                                     const std::string& array, char delim, int64_t nchars,
                                     bool exact) {
  std::shared_ptr<OpenFile> in = fds_[0];
  if (!in) {
    // `read x <&-`: the variables keep their values.
    Error("read: read error: 0: Bad file descriptor");
    state_.last_status = 1;
    return true;
  }
  std::string line;
  bool got_delim = false;
  if (in && in->input) {
    const std::string& data = *in->input;
    size_t& off = in->offset;
    while (off < data.size()) {
      char c = data[off++];
      if (nchars >= 0 && static_cast<int64_t>(line.size()) >= nchars) {
        --off;
        got_delim = true;
        break;
      }
      if (!exact && c == delim) {
        got_delim = true;
        break;
      }
      if (!raw && c == '\\' && !exact) {
        if (off < data.size()) {
          char n = data[off++];
          if (n == '\n') continue;
          line += '\x00';  // marker: an escaped character follows
          line.back() = '\\';
          line += n;
          continue;
        }
        continue;
      }
      line += c;
      if (nchars >= 0 && static_cast<int64_t>(line.size()) >= nchars) {
        got_delim = true;
        break;
      }
    }
  }
  bool eof_without_data = !got_delim;
  std::vector<std::string> names(argv.begin() + static_cast<long>(first), argv.end());
  // Remove backslashes (escapes) after splitting decisions: we approximate
  // by splitting on the text with escapes kept, then removing them.
  auto unescape = [&](std::string s) {
    if (raw) return s;
    std::string out;
    for (size_t k = 0; k < s.size(); ++k) {
      if (s[k] == '\\' && k + 1 < s.size()) ++k;
      out += s[k];
    }
    return out;
  };
  if (!array.empty()) {
    if (const Variable* target = Find(array); target != nullptr && target->is_assoc) {
      Error("read: " + array + ": not an indexed array");
      state_.last_status = 1;
      return true;
    }
    std::vector<std::string> fields = SplitForRead(line, SIZE_MAX);
    Variable& v = Lookup(array);
    v.is_array = true;
    v.array.clear();
    v.value.clear();
    v.declared_unset = false;
    for (size_t k = 0; k < fields.size(); ++k)
      v.array[static_cast<int64_t>(k)] = unescape(fields[k]);
  } else if (names.empty()) {
    SetScalar("REPLY", unescape(line));
  } else {
    if (exact || nchars >= 0) {
      // -n/-N: still split on IFS into the names.
    }
    std::vector<std::string> fields = SplitForRead(line, names.size());
    for (size_t k = 0; k < names.size(); ++k) {
      if (!IsName(names[k])) {
        Error("read: `" + names[k] + "': not a valid identifier");
        state_.last_status = 1;
        return true;
      }
      SetScalar(names[k], k < fields.size() ? unescape(fields[k]) : "");
    }
  }
  state_.last_status = eof_without_data ? 1 : 0;
  return true;
}

// getopts OPTSTRING NAME [ARG...], as bash's: letters of grouped options
// one call at a time, OPTIND the next argument, OPTARG the argument or
// (with a leading `:` in OPTSTRING) the offending letter.
bool Interpreter::GetoptsBuiltin(std::vector<std::string>& argv) {
  if (argv.size() < 3) {
    Write(2, std::string_view("getopts: usage: getopts optstring name [arg ...]\n"));
    state_.last_status = 2;
    return true;
  }
  const std::string& optstring = argv[1];
  const std::string& var = argv[2];
  if (!IsName(var)) {
    Error("getopts: `" + var + "': not a valid identifier");
    state_.last_status = 1;
    return true;
  }
  std::vector<std::string> args(argv.begin() + 3, argv.end());
  if (argv.size() == 3) args = state_.positional;
  if (state_.optind_assigned) state_.getopts_char = 0;
  int64_t optind = 1;
  {
    std::string text = GetScalar("OPTIND").value_or("1");
    char* end = nullptr;
    long long v = std::strtoll(text.c_str(), &end, 10);
    if (!text.empty() && *end == '\0' && v > 1) optind = v;
  }
  const bool silent = !optstring.empty() && optstring[0] == ':';
  const bool report = !silent && GetScalar("OPTERR").value_or("1") != "0";
  auto finish = [&](const std::string& letter, std::optional<std::string> optarg, int status) {
    SetScalar("OPTIND", ToString(optind));
    state_.optind_assigned = false;
    SetScalar(var, letter);
    if (optarg) {
      SetScalar("OPTARG", *optarg);
    } else {
      Unset("OPTARG");
    }
    state_.last_status = status;
    return true;
  };
  const int64_t argc = static_cast<int64_t>(args.size());
  if (state_.getopts_char == 0) {
    if (optind > argc) return finish("?", std::nullopt, 1);
    const std::string& arg = args[static_cast<size_t>(optind - 1)];
    if (arg.size() < 2 || arg[0] != '-') return finish("?", std::nullopt, 1);
    if (arg == "--") {
      ++optind;
      return finish("?", std::nullopt, 1);
    }
    state_.getopts_char = 1;
  }
  const std::string arg = args[static_cast<size_t>(optind - 1)];
  const char c = arg[state_.getopts_char++];
  if (state_.getopts_char >= arg.size()) {
    state_.getopts_char = 0;
    ++optind;
  }
  const size_t at = c == ':' ? std::string::npos : optstring.find(c);
  if (at == std::string::npos) {
    if (report) Write(2, "bash: illegal option -- " + std::string(1, c) + "\n");
    return finish("?", silent ? std::optional<std::string>(std::string(1, c)) : std::nullopt, 0);
  }
  if (at + 1 >= optstring.size() || optstring[at + 1] != ':')
    return finish(std::string(1, c), std::nullopt, 0);
  if (state_.getopts_char != 0) {
    // -fVALUE
    std::string value = arg.substr(state_.getopts_char);
    state_.getopts_char = 0;
    ++optind;
    return finish(std::string(1, c), value, 0);
  }
  if (optind <= argc) {
    std::string value = args[static_cast<size_t>(optind - 1)];
    ++optind;
    return finish(std::string(1, c), value, 0);
  }
  if (silent) return finish(":", std::string(1, c), 0);
  if (report) Write(2, "bash: option requires an argument -- " + std::string(1, c) + "\n");
  return finish("?", std::nullopt, 0);
}

bool Interpreter::MapfileBuiltin(std::vector<std::string>& argv) {
  bool strip = false;
  char delim = '\n';
  int64_t count = 0, skip = 0;
  int from_fd = 0;
  size_t i = 1;
  for (; i < argv.size() && argv[i].size() > 1 && argv[i][0] == '-'; ++i) {
    const std::string& a = argv[i];
    if (a == "-t")
      strip = true;
    else if (a == "-d" && i + 1 < argv.size()) {
      delim = argv[++i].empty() ? '\0' : argv[i][0];
    } else if (a == "-n" && i + 1 < argv.size()) {
      count = std::atoll(argv[++i].c_str());
    } else if (a == "-s" && i + 1 < argv.size()) {
      skip = std::atoll(argv[++i].c_str());
    } else if (a == "-u" && i + 1 < argv.size()) {
      from_fd = std::atoi(argv[++i].c_str());
      if (from_fd < 0 || from_fd > 9 || !fds_[from_fd] || !fds_[from_fd]->input) {
        Error(argv[0] + ": " + argv[i] + ": invalid file descriptor: Bad file descriptor");
        state_.last_status = 1;
        return true;
      }
    } else {
      throw Abort{ShellResult::Outcome::kUnsupported, argv[0] + " " + a};
    }
  }
  std::string name = i < argv.size() ? argv[i] : "MAPFILE";
  if (const Variable* target = Find(name); target != nullptr && target->is_assoc)
    throw Abort{ShellResult::Outcome::kUnsupported, argv[0] + " into an associative array"};
  Variable& v = Lookup(name);
  v.is_array = true;
  v.array.clear();
  v.value.clear();
  v.declared_unset = false;
  std::shared_ptr<OpenFile> in = fds_[from_fd];
  int64_t index = 0, seen = 0;
  if (in && in->input) {
    const std::string& data = *in->input;
    while (in->offset < data.size()) {
      if (count > 0 && index >= count) break;
      size_t end = data.find(delim, in->offset);
      size_t next = end == std::string::npos ? data.size() : end + 1;
      std::string item = data.substr(in->offset, next - in->offset);
      in->offset = next;
      if (seen++ < skip) continue;
      if (strip && !item.empty() && item.back() == delim) item.pop_back();
      v.array[index++] = item;
    }
  }
  state_.last_status = 0;
  return true;
}

}  // namespace

ShellResult RunScript(std::string_view source, vfs::Store& store, const ShellOptions& options) {
  try {
    Interpreter interpreter(store, options);
    return interpreter.Run(source);
  } catch (const std::exception& e) {
    ShellResult r;
    r.outcome = ShellResult::Outcome::kUnsupported;
    r.reason = std::string("internal error: ") + e.what();
    return r;
  }
}

ShellResult RunProgram(const parser::ast::Command& script, vfs::Store& store,
                       const ShellOptions& options) {
  try {
    Interpreter interpreter(store, options);
    return interpreter.Run(script);
  } catch (const std::exception& e) {
    ShellResult r;
    r.outcome = ShellResult::Outcome::kUnsupported;
    r.reason = std::string("internal error: ") + e.what();
    return r;
  }
}

}  // namespace memhook::shell
