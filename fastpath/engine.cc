// The engine: prefilter, parse, classify, expand and execute a command line
// against the store with bash's semantics for lists, pipelines and
// redirections.
#include <fnmatch.h>
#include <glob.h>

#include <algorithm>
#include <sstream>

#include "fastpath/fastpath.h"
#include "parser/ast.h"
#include "parser/parser.h"
#include "shell/shell.h"
#include "utils/utils.h"

namespace memhook::fastpath {

using utils::CollateCompare;
using utils::CommandEnv;
using utils::CommandIo;
using utils::CommandSpec;
using utils::ErrnoText;
using utils::FindCommand;
using utils::HeadStdinNeed;
using utils::OutputNeed;
using utils::ResolvedPath;
using utils::Stream;

const char* RouteName(Route route) {
  switch (route) {
    case Route::kPassThrough:
      return "pass-through";
    case Route::kFastPath:
      return "fast-path";
    case Route::kShell:
      return "shell";
    case Route::kRun:
      return "run";
    case Route::kNextTier:
      return "next-tier";
  }
  return "?";
}

namespace {

bool IsInside(std::string_view path, std::string_view dir) {
  return path == dir ||
         (path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/');
}

std::string Basename(std::string_view path) {
  size_t slash = path.rfind('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

std::vector<std::string> SplitSegments(std::string_view path) {
  std::vector<std::string> segments;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) segments.emplace_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return segments;
}

bool SegmentHasGlob(std::string_view segment) {
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '\\') {
      ++i;
      continue;
    }
    if (segment[i] == '*' || segment[i] == '?' || segment[i] == '[') return true;
  }
  return false;
}

std::string Unescape(std::string_view segment) {
  std::string out;
  for (size_t i = 0; i < segment.size(); ++i) {
    if (segment[i] == '\\' && i + 1 < segment.size()) ++i;
    out += segment[i];
  }
  return out;
}

std::string Absolute(std::string_view path, std::string_view cwd) {
  if (!path.empty() && path[0] == '/') return std::string(path);
  return std::string(cwd) + "/" + std::string(path);
}

// Lexically normalised absolute path ("." and ".." folded).
std::string Normalise(std::string_view absolute) {
  std::vector<std::string> stack;
  for (std::string& segment : SplitSegments(absolute)) {
    if (segment == ".") continue;
    if (segment == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    stack.push_back(std::move(segment));
  }
  std::string out;
  for (const std::string& s : stack) out += "/" + s;
  return out.empty() ? "/" : out;
}

// Could the glob pattern (absolute) match the mount or anything below it?
bool GlobReachesMount(std::string_view pattern_absolute, std::string_view mount) {
  std::vector<std::string> pattern = SplitSegments(pattern_absolute);
  std::vector<std::string> mount_segments = SplitSegments(mount);
  if (pattern.size() < mount_segments.size()) return false;
  for (size_t i = 0; i < mount_segments.size(); ++i) {
    if (pattern[i] == "." || pattern[i] == "..") return true;  // be conservative
    if (!utils::GlobMatch(pattern[i], mount_segments[i],
                          utils::GlobMatchOptions{true, false, false}))
      return false;
  }
  return true;
}

constexpr size_t kMaxCommandBytes = 64 * 1024;

// Whether a command line reaches the mount, decided on the words as the
// interpreter would resolve them: quotes removed, `~` and $HOME expanded,
// relative paths taken from every directory a literal `cd` may have moved
// to. A word that cannot be resolved statically ($x, $(...)) counts when its
// text names the mount's last component: conservative, never a miss.
class MountScan {
 public:
  explicit MountScan(const EngineOptions& options)
      : options_(options),
        base_(Basename(options.mount)),
        parent_(Basename(options.mount.substr(0, options.mount.rfind('/')))) {
    cwds_.push_back(options.cwd);
  }
  bool touches() const { return touches_; }

  void Command(const parser::ast::Command& cmd) {
    if (touches_) return;
    for (const parser::ast::Assignment& a : cmd.assignments) {
      if (a.value) Word(*a.value);
      for (const parser::ast::Word& w : a.elements) Word(w);
    }
    for (const parser::ast::Word& w : cmd.words) {
      Word(w);
      if (w.assignment && w.assignment->value) Word(*w.assignment->value);
    }
    for (const parser::ast::ScriptRedirect& r : cmd.redirects) {
      if (r.op == parser::RedirectOp::kHeredoc) {
        Parts(r.target, /*paths=*/false);  // substitutions inside the body only
      } else {
        Word(r.target);
      }
    }
    for (const parser::ast::CaseItem& item : cmd.items) {
      for (const parser::ast::Word& w : item.patterns) Parts(w, false);
      if (item.body) Command(*item.body);
    }
    if (cmd.cond) Cond(*cmd.cond);
    for (const auto& child : cmd.children) Command(*child);
    if (cmd.kind == parser::ast::CommandKind::kSimple) {
      Cd(cmd);
      Eval(cmd);
    }
  }

 private:
  // `cd DIR` moves every later relative word; a dynamic target leaves the
  // directory unknown.
  void Cd(const parser::ast::Command& cmd) {
    if (cmd.words.empty()) return;
    std::optional<std::string> name = Static(cmd.words[0]);
    if (!name || (*name != "cd" && *name != "pushd")) return;
    if (cmd.words.size() == 1) {
      cwds_.push_back(options_.home);
      return;
    }
    std::optional<std::string> target = Static(cmd.words.back());
    if (!target) {
      cwd_unknown_ = true;
      return;
    }
    std::vector<std::string> next;
    for (const std::string& cwd : cwds_) next.push_back(Normalise(Absolute(*target, cwd)));
    cwds_.insert(cwds_.end(), next.begin(), next.end());
    for (const std::string& cwd : next) touches_ |= IsInside(cwd, options_.mount);
  }

  // `eval 'cat ~/.memhook/memory/x'`: the text is a command line too.
  void Eval(const parser::ast::Command& cmd) {
    if (cmd.words.empty() || eval_depth_ >= 8) return;
    std::optional<std::string> name = Static(cmd.words[0]);
    if (!name || *name != "eval") return;
    std::string text;
    for (size_t i = 1; i < cmd.words.size(); ++i) {
      std::optional<std::string> word = Static(cmd.words[i]);
      if (!word) return;  // dynamic: Word() already judged its raw text
      text += (i > 1 ? " " : "") + *word;
    }
    parser::ast::ScriptParser parser;
    parser::ast::ScriptResult parsed = parser.Parse(text);
    if (!parsed.ok()) {
      touches_ |= text.find(base_) != std::string::npos;
      return;
    }
    ++eval_depth_;
    Command(*parsed.script);
    --eval_depth_;
  }

  void Cond(const parser::ast::CondExpr& e) {
    for (const parser::ast::Word& w : e.words) Word(w);
    for (const parser::ast::CondExpr& c : e.children) Cond(c);
  }

  void Word(const parser::ast::Word& w) {
    Parts(w, true);
    if (touches_) return;
    std::string pattern;
    bool glob = false;
    std::optional<std::string> text = Static(w, &pattern, &glob);
    if (!text) {
      touches_ |= w.raw.find(base_) != std::string::npos ||
                  (!parent_.empty() && w.raw.find(parent_) != std::string::npos);
      // After a `cd` to the mount's parent, a dynamic relative word may
      // spell the rest (`cd ~/.memhook; cat $d/x`).
      for (size_t i = 1; i < cwds_.size(); ++i) {
        touches_ |= IsInside(options_.mount, cwds_[i]) && cwds_[i] != "/";
      }
      return;
    }
    if (text->empty()) return;
    // `--opt=PATH` and `VAR=PATH` name a path after the '='.
    std::vector<std::string> candidates = {*text};
    std::vector<std::string> patterns = {pattern};
    size_t eq = text->find('=');
    if (eq != std::string::npos && !glob) candidates.push_back(text->substr(eq + 1));
    for (const std::string& cwd : cwds_) {
      if (glob) {
        touches_ |= GlobReachesMount(Absolute(pattern, cwd), options_.mount);
        continue;
      }
      for (const std::string& c : candidates) {
        if (c.empty()) continue;
        touches_ |= IsInside(Normalise(Absolute(c, cwd)), options_.mount);
      }
    }
    if (cwd_unknown_ && text->find(base_) != std::string::npos) touches_ = true;
  }

  // Substitutions inside a word run commands of their own.
  void Parts(const parser::ast::Word& w, bool) {
    for (const parser::ast::WordPart& p : w.parts) {
      if (p.program) Command(*p.program);
      if (p.arith) Parts(*p.arith, false);
      if (p.param) {
        if (p.param->operand) Word(*p.param->operand);
        if (p.param->operand2) Word(*p.param->operand2);
      }
    }
  }

  // The word's value when it does not depend on run time: literal parts,
  // `~`, $HOME. `pattern` gets the fnmatch pattern (quoted characters
  // escaped) and `glob` whether an unquoted *, ? or [ is in it.
  std::optional<std::string> Static(const parser::ast::Word& w, std::string* pattern = nullptr,
                                    bool* glob = nullptr) const {
    std::string text, pat;
    bool has_glob = false;
    auto quoted = [&](const std::string& s) {
      text += s;
      for (char c : s) {
        if (c == '*' || c == '?' || c == '[' || c == '\\' || c == ']') pat += '\\';
        pat += c;
      }
    };
    for (const parser::ast::WordPart& p : w.parts) {
      switch (p.kind) {
        case parser::ast::WordPart::Kind::kLiteral:
          if (p.quoted) {
            quoted(p.text);
          } else {
            text += p.text;
            pat += p.text;
            has_glob |= p.text.find_first_of("*?[") != std::string::npos;
          }
          break;
        case parser::ast::WordPart::Kind::kTilde:
          if (!p.text.empty()) return std::nullopt;
          quoted(options_.home);
          break;
        case parser::ast::WordPart::Kind::kParam:
          if (p.param->name != "HOME" || p.param->op != parser::ast::ParamExpansion::Op::kPlain ||
              p.param->subscript || p.param->length || p.param->indirect)
            return std::nullopt;
          quoted(options_.home);
          break;
        default:
          return std::nullopt;
      }
    }
    if (pattern != nullptr) *pattern = pat;
    if (glob != nullptr) *glob = has_glob;
    return text;
  }

  const EngineOptions& options_;
  std::string base_;
  std::string parent_;  // the mount's parent's last component (".memhook")
  std::vector<std::string> cwds_;
  bool cwd_unknown_ = false;
  bool touches_ = false;
  int eval_depth_ = 0;
};

// Where a command's output descriptor currently points.
enum class Sink { kStdout, kStderr, kNull };

class Executor {
 public:
  Executor(vfs::Store& store, const EngineOptions& options, std::string_view source,
           const std::vector<std::string>* environment)
      : env_{store, options, options.cwd, environment, nullptr},
        single_line_(source.find('\n') == std::string_view::npos) {}

  // Runs the program; returns false (with reason()) when the fast path
  // cannot answer it exactly.
  bool Run(const parser::Program& program) {
    for (const parser::AndOrList& list : program.statements) {
      if (list.background) return Fail("a background job (&)");
      for (size_t i = 0; i < list.pipelines.size(); ++i) {
        if (i > 0) {
          bool run_next = list.ops[i - 1] == parser::ListOp::kAnd ? status_ == 0 : status_ != 0;
          if (!run_next) continue;
        }
        if (!RunPipeline(list.pipelines[i])) return false;
      }
    }
    return true;
  }

  const std::string& reason() const { return reason_; }
  bool writes() const { return writes_; }
  std::string& out() { return out_; }
  std::string& err() { return err_; }
  int status() const { return status_; }

 private:
  bool Fail(std::string reason) {
    if (reason_.empty()) reason_ = std::move(reason);
    return false;
  }

  bool RunPipeline(const parser::Pipeline& pipeline) {
    for (bool piped : pipeline.stderr_piped) {
      if (piped) return Fail("|& (stderr into a pipe)");
    }
    std::string pipe_data;
    for (size_t i = 0; i < pipeline.stages.size(); ++i) {
      bool last = i + 1 == pipeline.stages.size();
      std::string stage_out;
      int stage_status = 0;
      const OutputNeed need = last ? OutputNeed() : NeedOfReader(pipeline.stages[i + 1]);
      if (!RunCommand(pipeline.stages[i], i == 0 ? nullptr : &pipe_data, last ? &out_ : &stage_out,
                      pipeline.stages.size() > 1, &stage_status, need)) {
        return false;
      }
      pipe_data = std::move(stage_out);
      if (last) status_ = stage_status;
    }
    if (pipeline.negated) status_ = status_ == 0 ? 1 : 0;
    return true;
  }

  // What `reader`, the next stage of a pipeline, reads of its stdin at
  // most: a plain `head` (literal words, no redirection) reads a count of
  // lines or bytes; anything else, everything.
  static OutputNeed NeedOfReader(const parser::SimpleCommand& reader) {
    if (!reader.redirects.empty() || !reader.assignments.empty()) return OutputNeed();
    std::vector<std::string> argv;
    for (const parser::Word& word : reader.argv) {
      if (!word.resolved || word.has_glob ||
          word.text.find(parser::kLastStatusMarker) != std::string::npos) {
        return OutputNeed();
      }
      argv.push_back(word.text);
    }
    return HeadStdinNeed(argv).value_or(OutputNeed());
  }

  // Expands one word into zero or more arguments (globs against the store).
  // Replaces each `$?` marker by the status of the previous pipeline.
  static std::string WithStatus(std::string text, int status) {
    const std::string_view marker = parser::kLastStatusMarker;
    const std::string value = std::to_string(status);
    for (size_t pos = 0; (pos = text.find(marker, pos)) != std::string::npos;) {
      text.replace(pos, marker.size(), value);
      pos += value.size();
    }
    return text;
  }

  bool ExpandWord(const parser::Word& raw_word, std::vector<std::string>* out) {
    if (!raw_word.resolved)
      return Fail("the expansion " + raw_word.raw + " (" + raw_word.unresolved_reason + ")");
    parser::Word expanded;
    const parser::Word* word_ptr = &raw_word;
    if (raw_word.text.find(parser::kLastStatusMarker) != std::string::npos) {
      expanded = raw_word;
      expanded.text = WithStatus(raw_word.text, status_);
      expanded.glob_pattern = WithStatus(raw_word.glob_pattern, status_);
      word_ptr = &expanded;
    }
    const parser::Word& word = *word_ptr;
    if (!word.has_glob) {
      out->push_back(word.text);
      return true;
    }
    std::string absolute = Absolute(word.glob_pattern, env_.cwd);
    if (!GlobReachesMount(absolute, env_.options.mount)) {
      // A host glob: expand it on the host; a match makes the command read
      // host paths, which commands refuse; no match stays literal. Only one
      // directory is listed here: a glob in a directory part
      // (`/*/*/*/x`) could walk the whole host, so it goes to the shell.
      size_t last_slash = word.glob_pattern.rfind('/');
      if (last_slash != std::string::npos &&
          SegmentHasGlob(std::string_view(word.glob_pattern).substr(0, last_slash))) {
        return Fail("a glob over host directories (" + word.raw + ")");
      }
      glob_t matches{};
      int rc = glob(word.glob_pattern.c_str(), 0, nullptr, &matches);
      size_t count = rc == 0 ? matches.gl_pathc : 0;
      globfree(&matches);
      if (count > 0) return Fail("a glob over host paths (" + word.raw + ")");
      out->push_back(word.text);
      return true;
    }
    bool absolute_pattern = !word.glob_pattern.empty() && word.glob_pattern[0] == '/';
    bool dirs_only = word.glob_pattern.back() == '/';
    std::vector<std::string> candidates = {absolute_pattern ? "/" : ""};
    std::vector<std::string> segments = SplitSegments(word.glob_pattern);
    auto join = [](const std::string& base, const std::string& name) {
      if (base.empty()) return name;
      if (base.back() == '/') return base + name;
      return base + "/" + name;
    };
    for (const std::string& segment : segments) {
      std::vector<std::string> next;
      if (!SegmentHasGlob(segment)) {
        for (const std::string& c : candidates) next.push_back(join(c, Unescape(segment)));
      } else {
        for (const std::string& c : candidates) {
          ResolvedPath dir = env_.Resolve(c.empty() ? "." : c);
          if (dir.where != ResolvedPath::Where::kMount) {
            return Fail("a glob over host paths (" + word.raw + ")");
          }
          if (dir.lookup_error) continue;
          std::vector<vfs::DirEntry> entries;
          if (!env_.store.ListDir(dir.vfs_path, &entries).ok()) continue;
          for (const vfs::DirEntry& entry : entries) {
            if (utils::GlobMatch(segment, entry.name,
                                 utils::GlobMatchOptions{true, false, false})) {
              next.push_back(join(c, entry.name));
            }
          }
        }
      }
      candidates = std::move(next);
      if (candidates.empty()) break;
    }
    std::vector<std::string> results;
    for (const std::string& c : candidates) {
      ResolvedPath path = env_.Resolve(c);
      if (path.where != ResolvedPath::Where::kMount)
        return Fail("a glob over host paths (" + word.raw + ")");
      vfs::Stat stat;
      if (!env_.StatResolved(path, &stat).ok()) continue;
      if (dirs_only && stat.kind != vfs::NodeKind::kDirectory) continue;
      results.push_back(dirs_only ? c + "/" : c);
    }
    if (results.empty()) {
      out->push_back(word.text);
      return true;
    }
    std::sort(results.begin(), results.end(),
              [](const std::string& a, const std::string& b) { return CollateCompare(a, b) < 0; });
    out->insert(out->end(), results.begin(), results.end());
    return true;
  }

  std::string ShellError(const std::string& message) { return "bash: line 1: " + message + "\n"; }

  // Runs one simple command. `input` is the pipe from the previous stage
  // (null for the first); stdout goes to `stdout_sink`.
  bool RunCommand(const parser::SimpleCommand& command, const std::string* input,
                  std::string* stdout_sink, bool in_pipeline, int* status,
                  const OutputNeed& need = OutputNeed()) {
    if (!command.assignments.empty()) {
      return Fail("variable assignment " + command.assignments[0].name + "=");
    }
    if (!single_line_) return Fail("a multi-line command");
    std::vector<std::string> argv;
    for (const parser::Word& word : command.argv) {
      if (!ExpandWord(word, &argv)) return false;
    }

    // Redirections, in order, over descriptors 0-2.
    Sink fd1 = Sink::kStdout, fd2 = Sink::kStderr;
    std::string stdin_storage;
    bool stdin_regular = false;
    const std::string* stdin_data = input;
    for (const parser::Redirect& r : command.redirects) {
      int fd = r.fd;
      std::vector<std::string> target_words;
      if (r.op != parser::RedirectOp::kHeredoc) {
        if (!ExpandWord(r.target, &target_words)) return false;
        if (target_words.size() != 1) return Fail("an ambiguous redirect (" + r.target.raw + ")");
      }
      const std::string target = target_words.empty() ? "" : target_words[0];
      switch (r.op) {
        case parser::RedirectOp::kOutput:
        case parser::RedirectOp::kAppend:
        case parser::RedirectOp::kOutputBoth:
        case parser::RedirectOp::kAppendBoth: {
          if (env_.Resolve(target).where != ResolvedPath::Where::kDevNull) {
            writes_ = true;
            return Fail("writing to " + target);
          }
          bool both =
              r.op == parser::RedirectOp::kOutputBoth || r.op == parser::RedirectOp::kAppendBoth;
          if (both) {
            fd1 = fd2 = Sink::kNull;
          } else if (fd == -1 || fd == 1) {
            fd1 = Sink::kNull;
          } else if (fd == 2) {
            fd2 = Sink::kNull;
          } else {
            return Fail("redirection of descriptor " + std::to_string(fd));
          }
          break;
        }
        case parser::RedirectOp::kDuplicateOut: {
          Sink source;
          if (target == "1") {
            source = fd1;
          } else if (target == "2") {
            source = fd2;
          } else {
            return Fail("redirection >&" + target);
          }
          if (fd == -1 || fd == 1) {
            fd1 = source;
          } else if (fd == 2) {
            fd2 = source;
          } else {
            return Fail("redirection of descriptor " + std::to_string(fd));
          }
          break;
        }
        case parser::RedirectOp::kInput: {
          if (fd != -1 && fd != 0) return Fail("redirection of descriptor " + std::to_string(fd));
          ResolvedPath path = env_.Resolve(target);
          if (path.where == ResolvedPath::Where::kDevNull) {
            stdin_storage.clear();
          } else if (path.where != ResolvedPath::Where::kMount) {
            return Fail("input from a host path (" + target + ")");
          } else {
            vfs::Stat stat;
            vfs::Status st = env_.StatResolved(path, &stat);
            if (st.ok() && stat.kind == vfs::NodeKind::kDirectory) {
              // bash opens a directory for reading fine; the command's read fails.
              return Fail("input redirected from a directory");
            }
            if (!st.ok() || !env_.store.ReadFile(path.vfs_path, &stdin_storage).ok()) {
              err_ += ShellError(target + ": " +
                                 ErrnoText(st.ok() ? vfs::Status::Code::kIoError : st.code()));
              *status = 1;
              return true;
            }
            stdin_regular = true;
          }
          stdin_data = &stdin_storage;
          break;
        }
        case parser::RedirectOp::kHereString:
          stdin_storage = target + "\n";
          stdin_data = &stdin_storage;
          break;
        case parser::RedirectOp::kHeredoc:
          if (!r.heredoc_expanded) return Fail("a here-document with expansions");
          stdin_storage = r.heredoc_body;
          stdin_data = &stdin_storage;
          break;
        default:
          return Fail("this redirection operator");
      }
    }
    if (argv.empty()) {
      *status = 0;
      return true;
    }

    CommandIo io;
    io.stdin_data = stdin_data == nullptr ? std::string_view() : std::string_view(*stdin_data);
    io.stdin_regular = stdin_regular;
    io.stdout_is_null = fd1 == Sink::kNull;
    // Only while stdout is the pipe: a redirected stdout is read by nobody.
    if (fd1 == Sink::kStdout) io.need = need;
    if (argv[0] == "cd") {
      if (!RunCd(argv, in_pipeline, io)) return false;
    } else {
      const CommandSpec* spec = FindCommand(argv[0]);
      if (spec == nullptr) return Fail("the command " + argv[0]);
      spec->fn(argv, env_, io);
      if (!io.unsupported.empty()) return Fail(io.unsupported);
    }
    for (Stream::Chunk& chunk : io.log) {
      Sink sink = chunk.fd == 1 ? fd1 : fd2;
      std::string* to = sink == Sink::kStdout   ? stdout_sink
                        : sink == Sink::kStderr ? &err_
                                                : nullptr;
      if (to == nullptr) continue;
      // A command's whole output is usually one chunk: moved, not copied
      // (a recursive grep's can be many megabytes).
      if (to->empty()) {
        *to = std::move(chunk.bytes);
      } else {
        *to += chunk.bytes;
      }
    }
    *status = io.status;
    return true;
  }

  bool RunCd(const std::vector<std::string>& argv, bool in_pipeline, CommandIo& io) {
    if (in_pipeline) return Fail("cd inside a pipeline");
    size_t first = 1;
    if (argv.size() > first && argv[first] == "--") ++first;
    if (argv.size() != first + 1) return Fail("cd without exactly one directory");
    const std::string& operand = argv[first];
    if (operand.empty() || operand == "-" || operand[0] == '-') return Fail("cd " + operand);
    ResolvedPath path = env_.Resolve(operand);
    if (path.where != ResolvedPath::Where::kMount) return Fail("cd to a host directory");
    vfs::Stat stat;
    vfs::Status st = env_.StatResolved(path, &stat);
    if (st.ok() && stat.kind != vfs::NodeKind::kDirectory) {
      st = vfs::Status::Error(vfs::Status::Code::kNotADirectory, "");
    }
    if (!st.ok()) {
      io.err += ShellError("cd: " + operand + ": " + ErrnoText(st.code()));
      io.status = 1;
      return true;
    }
    env_.cwd = path.absolute;
    io.status = 0;
    return true;
  }

  CommandEnv env_;
  bool single_line_;
  std::string out_, err_, reason_;
  int status_ = 0;
  bool writes_ = false;
};

std::string DescribeProgram(const parser::Program& program) {
  std::ostringstream os;
  for (const parser::AndOrList& list : program.statements) {
    os << "statement" << (list.background ? " &" : "") << "\n";
    for (size_t p = 0; p < list.pipelines.size(); ++p) {
      if (p > 0) os << "  " << (list.ops[p - 1] == parser::ListOp::kAnd ? "&&" : "||") << "\n";
      const parser::Pipeline& pipeline = list.pipelines[p];
      for (size_t s = 0; s < pipeline.stages.size(); ++s) {
        os << "  " << (s > 0 ? "| " : "") << "command:";
        for (const parser::Word& w : pipeline.stages[s].argv) {
          os << " [" << w.text << (w.resolved ? "" : " (unresolved)")
             << (w.has_glob ? " (glob)" : "") << "]";
        }
        for (const parser::Redirect& r : pipeline.stages[s].redirects) {
          os << " redirect(fd " << r.fd << " op " << static_cast<int>(r.op) << " -> "
             << r.target.text << ")";
        }
        os << "\n";
      }
    }
  }
  for (const std::string& u : program.unsupported) os << "unsupported: " << u << "\n";
  return os.str();
}

}  // namespace

bool MayTouchMount(std::string_view command, const EngineOptions& options) {
  if (IsInside(options.cwd, options.mount)) return true;
  const std::string base = Basename(options.mount);
  if (command.find(base) != std::string_view::npos) return true;
  if (command.find_first_of("*?[") != std::string_view::npos) return true;
  // Quotes and backslashes can split the name (`mem""ory`, `mem\ory`), and
  // $'...' can spell it in escapes; the mount's parent can be reached first
  // and the rest built at run time (`cd ~/.memhook && cat $d/x`).
  if (command.find("$'") != std::string_view::npos) return true;
  const std::string parent = Basename(options.mount.substr(0, options.mount.rfind('/')));
  if (!parent.empty() && command.find(parent) != std::string_view::npos) return true;
  if (command.find_first_of("\"'\\") == std::string_view::npos) return false;
  std::string unquoted;
  unquoted.reserve(command.size());
  for (char c : command) {
    if (c != '"' && c != '\'' && c != '\\') unquoted += c;
  }
  return unquoted.find(base) != std::string::npos;
}

struct Engine::Impl {
  parser::Parser parser;
};

Engine::Engine() : impl_(std::make_unique<Impl>()) {}
Engine::~Engine() = default;

namespace {

Answer NextTier(std::string reason) {
  Answer answer;
  answer.route = Route::kNextTier;
  answer.reason = std::move(reason);
  answer.status = 126;
  return answer;
}

// The virtual shell's answer, or the route that stands for its refusal.
Answer ShellAnswer(std::string_view command, vfs::Store& store, const EngineOptions& options,
                   const RunFlags& flags, std::string fast_path_reason) {
  shell::ShellOptions shell_options;
  shell_options.util = options;
  shell_options.environment = flags.environment;
  shell_options.allow_host = flags.allow_host;
  shell_options.limits.max_millis = flags.shell_millis;
  shell::ShellResult result = shell::RunScript(command, store, shell_options);
  Answer answer;
  switch (result.outcome) {
    case shell::ShellResult::Outcome::kDone:
      answer.route = Route::kShell;
      answer.reason = fast_path_reason.empty() ? "answered by the virtual shell"
                                               : "answered by the virtual shell; the fast path "
                                                 "refused " +
                                                     fast_path_reason;
      answer.out = std::move(result.out);
      answer.err = std::move(result.err);
      answer.status = result.status;
      return answer;
    case shell::ShellResult::Outcome::kNeedsHost:
      answer.route = Route::kRun;
      answer.reason = "needs the host: " + result.reason;
      return answer;
    case shell::ShellResult::Outcome::kWrites: {
      Answer next = NextTier("writing (" + result.reason + ")");
      next.writes = true;
      return next;
    }
    case shell::ShellResult::Outcome::kLimit:
      return NextTier(result.reason);
    case shell::ShellResult::Outcome::kUnsupported:
      break;
  }
  return NextTier(result.reason);
}

}  // namespace

Answer Engine::Run(std::string_view command, const EngineOptions& options,
                   const StoreOpener& open_store, const RunFlags& flags) {
  Answer answer;
  if (!MayTouchMount(command, options)) {
    answer.reason = "the text cannot name the mount";
    return answer;
  }
  bool cwd_inside = IsInside(options.cwd, options.mount);
  bool names_mount = command.find(Basename(options.mount)) != std::string_view::npos;
  bool touches = cwd_inside;
  std::string fast_path_reason;
  parser::ast::ScriptParser script_parser;
  parser::ast::ScriptResult script = script_parser.Parse(command);
  if (script.ok()) {
    MountScan scan(options);
    scan.Command(*script.script);
    touches |= scan.touches();
  } else {
    // Not even the full grammar takes it: if it may name the mount, it is
    // refused (never half-run); otherwise bash will say what is wrong.
    touches |= names_mount;
  }
  if (!touches) {
    answer.reason = "no word names the mount";
    return answer;
  }
  // Utilities are linear, but some inputs are not (a megabyte grep pattern,
  // a pipeline of 100,000 stages): the hook must answer in bounded time.
  if (command.size() > kMaxCommandBytes) {
    return NextTier("a command line of " + std::to_string(command.size()) +
                    " bytes (the limit is " + std::to_string(kMaxCommandBytes) + ")");
  }
  parser::ParseResult parsed = impl_->parser.Parse(command, parser::ParseOptions{options.home});
  if (!parsed.ok()) fast_path_reason = "the command (" + parsed.error + ")";
  std::string error;
  vfs::Store* store = open_store(&error);
  if (store == nullptr) return NextTier("the memory store is unavailable: " + error);
  if (parsed.ok() && parsed.program.unsupported.empty() && flags.fast_path) {
    Executor executor(*store, options, command, &flags.environment);
    if (executor.Run(parsed.program)) {
      answer.route = Route::kFastPath;
      answer.reason = "answered from the store";
      answer.out = std::move(executor.out());
      answer.err = std::move(executor.err());
      answer.status = executor.status();
      return answer;
    }
    fast_path_reason = executor.reason();
  } else if (parsed.ok() && !parsed.program.unsupported.empty()) {
    for (const std::string& u : parsed.program.unsupported)
      fast_path_reason += (fast_path_reason.empty() ? "" : ", ") + u;
  }
  return ShellAnswer(command, *store, options, flags, fast_path_reason);
}

std::string Engine::Explain(std::string_view command, const EngineOptions& options,
                            const StoreOpener& open_store) {
  std::ostringstream os;
  os << "command: " << command << "\n";
  os << "mount: " << options.mount << "\ncwd: " << options.cwd << "\n";
  os << "prefilter: "
     << (MayTouchMount(command, options) ? "may name the mount" : "cannot name the mount") << "\n";
  os << "tree: " << impl_->parser.DebugTree(command) << "\n";
  parser::ParseResult parsed = impl_->parser.Parse(command, parser::ParseOptions{options.home});
  if (!parsed.ok()) {
    os << "parse error: " << parsed.error << "\n";
  } else {
    os << "ir:\n" << DescribeProgram(parsed.program);
  }
  vfs::Store* store = nullptr;
  StoreOpener tracking = [&](std::string* error) {
    store = open_store(error);
    if (store != nullptr) store->TakeTrace();
    return store;
  };
  Answer answer = Run(command, options, tracking);
  os << "route: " << RouteName(answer.route) << " (" << answer.reason << ")\n";
  if (store != nullptr) {
    os << "sql:\n";
    for (const std::string& sql : store->TakeTrace()) os << "  " << sql << "\n";
  }
  if (answer.route == Route::kFastPath) {
    os << "status: " << answer.status << "\nstdout bytes: " << answer.out.size()
       << "\nstderr bytes: " << answer.err.size() << "\n";
  }
  return os.str();
}

}  // namespace memhook::fastpath
