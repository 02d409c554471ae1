// Shared helpers for command implementations, and the command table.
#include <fcntl.h>
#include <langinfo.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <cwchar>

#include "utils/utils.h"

namespace memhook::utils {

Stream& Stream::append(std::string_view bytes) {
  if (bytes.empty()) return *this;
  size_ += bytes.size();
  lines_ += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
  if (!log_->empty() && log_->back().fd == fd_) {
    log_->back().bytes.append(bytes);
  } else {
    log_->push_back({fd_, std::string(bytes)});
  }
  MaybeDrain(bytes.size());
  return *this;
}

Stream& Stream::append(std::string&& bytes) {
  if (bytes.empty()) return *this;
  if (!log_->empty() && log_->back().fd == fd_) return append(std::string_view(bytes));
  const size_t added = bytes.size();
  size_ += added;
  lines_ += static_cast<uint64_t>(std::count(bytes.begin(), bytes.end(), '\n'));
  log_->push_back({fd_, std::move(bytes)});
  MaybeDrain(added);
  return *this;
}

void Stream::MaybeDrain(size_t added) {
  if (drain_ == nullptr || !drain_->take) return;
  drain_->pending += added;
  if (drain_->pending < drain_->threshold) return;
  drain_->take(*log_);
  log_->clear();
  drain_->pending = 0;
}

std::string Stream::str() const {
  std::string result;
  for (const Chunk& chunk : *log_) {
    if (chunk.fd == fd_) result += chunk.bytes;
  }
  return result;
}

namespace {

// Splits "a/b//c" into components, skipping empty ones.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (start <= path.size()) {
    size_t slash = path.find('/', start);
    if (slash == std::string_view::npos) slash = path.size();
    if (slash > start) parts.push_back(path.substr(start, slash - start));
    start = slash + 1;
  }
  return parts;
}

}  // namespace

std::optional<std::string_view> CommandEnv::Getenv(std::string_view name) const {
  if (environment == nullptr) return std::nullopt;
  for (const std::string& entry : *environment) {
    if (entry.size() > name.size() && entry[name.size()] == '=' &&
        std::string_view(entry).substr(0, name.size()) == name) {
      return std::string_view(entry).substr(name.size() + 1);
    }
  }
  return std::nullopt;
}

ResolvedPath CommandEnv::Resolve(std::string_view operand) const {
  ResolvedPath result;
  std::string joined = (!operand.empty() && operand[0] == '/') ? std::string(operand)
                                                               : cwd + "/" + std::string(operand);
  std::vector<std::string_view> parts = SplitPath(joined);
  result.trailing_slash =
      !operand.empty() &&
      (operand.back() == '/' || (!parts.empty() && (parts.back() == "." || parts.back() == "..")));
  if (operand.empty()) {
    result.where = ResolvedPath::Where::kHost;
    result.absolute = "";
    return result;
  }

  // Lexical normalisation. Every component followed by another one must be
  // a directory for the kernel's lookup to succeed; when "." or ".." would
  // hide a file or missing component from the store lookup, check the
  // prefixes explicitly (only then: it costs a lookup per component).
  bool has_dots = false;
  for (std::string_view part : parts) has_dots |= (part == "." || part == "..");
  std::vector<std::string_view> stack;
  const std::string& mount = options.mount;
  auto in_mount = [&mount](const std::string& abs) {
    return abs == mount || (abs.size() > mount.size() && abs.compare(0, mount.size(), mount) == 0 &&
                            abs[mount.size()] == '/');
  };
  auto join = [](const std::vector<std::string_view>& comps) {
    std::string abs;
    for (std::string_view c : comps) {
      abs += '/';
      abs += c;
    }
    return abs.empty() ? std::string("/") : abs;
  };
  for (size_t i = 0; i < parts.size(); ++i) {
    std::string_view part = parts[i];
    if (has_dots && !stack.empty() && !result.lookup_error) {
      std::string prefix = join(stack);
      if (in_mount(prefix)) {
        vfs::Stat st;
        std::string vpath = prefix.size() > mount.size() ? prefix.substr(mount.size() + 1) : "";
        vfs::Status status = store.GetStat(vpath, &st);
        if (!status.ok()) {
          result.lookup_error = status.code();
        } else if (st.kind != vfs::NodeKind::kDirectory) {
          result.lookup_error = vfs::Status::Code::kNotADirectory;
        }
      }
    }
    if (part == ".") continue;
    if (part == "..") {
      if (!stack.empty()) stack.pop_back();
      continue;
    }
    stack.push_back(part);
  }
  result.absolute = join(stack);
  if (in_mount(result.absolute)) {
    result.where = ResolvedPath::Where::kMount;
    result.vfs_path =
        result.absolute.size() > mount.size() ? result.absolute.substr(mount.size() + 1) : "";
  } else if (result.absolute == "/dev/null") {
    result.where = ResolvedPath::Where::kDevNull;
  } else {
    result.where = ResolvedPath::Where::kHost;
  }
  return result;
}

vfs::Status CommandEnv::StatResolved(const ResolvedPath& path, vfs::Stat* out) const {
  if (path.lookup_error) return vfs::Status::Error(*path.lookup_error, "lookup");
  vfs::Status status = store.GetStat(path.vfs_path, out);
  if (status.ok() && path.trailing_slash && out->kind != vfs::NodeKind::kDirectory) {
    return vfs::Status::Error(vfs::Status::Code::kNotADirectory, "trailing slash on a file");
  }
  return status;
}

const char* ErrnoText(vfs::Status::Code code) {
  switch (code) {
    case vfs::Status::Code::kNotFound:
      return "No such file or directory";
    case vfs::Status::Code::kNotADirectory:
      return "Not a directory";
    case vfs::Status::Code::kIsADirectory:
      return "Is a directory";
    case vfs::Status::Code::kReadOnly:
      return "Read-only file system";
    case vfs::Status::Code::kInvalidArgument:
      return "Invalid argument";
    case vfs::Status::Code::kPermissionDenied:
      return "Permission denied";
    default:
      return "Input/output error";
  }
}

bool LocaleIsUtf8() {
  const char* codeset = nl_langinfo(CODESET);
  return codeset != nullptr && std::strcmp(codeset, "UTF-8") == 0;
}

int CollateCompare(std::string_view a, std::string_view b) {
  std::string left(a), right(b);
  return std::strcoll(left.c_str(), right.c_str());
}

namespace {

// Characters that make gnulib's shell quoting styles wrap a name in quotes.
bool IsShellSpecial(char c, size_t index, size_t length) {
  switch (c) {
    case '#':
    case '~':
      return index == 0;
    case '{':
    case '}':
      return length == 1;
    case ' ':
    case '!':
    case '"':
    case '$':
    case '&':
    case '(':
    case ')':
    case '*':
    case ';':
    case '<':
    case '=':
    case '>':
    case '[':
    case ']':
    case '^':
    case '`':
    case '|':
    case '?':
    case '\\':
    case '\t':
      return true;
    default:
      return false;
  }
}

// Bytes that are not printable in the current locale (control characters,
// and under a non-UTF-8 locale every non-ASCII byte; under UTF-8 invalid
// sequences) — gnulib escapes them.
std::vector<bool> UnprintableMask(std::string_view name, bool utf8) {
  std::vector<bool> mask(name.size(), false);
  size_t i = 0;
  std::mbstate_t state{};
  while (i < name.size()) {
    unsigned char c = static_cast<unsigned char>(name[i]);
    if (c < 0x80) {
      mask[i] = c < 0x20 || c == 0x7f;
      ++i;
      continue;
    }
    if (!utf8) {
      mask[i++] = true;
      continue;
    }
    wchar_t wc;
    size_t n = std::mbrtowc(&wc, name.data() + i, name.size() - i, &state);
    if (n == static_cast<size_t>(-1) || n == static_cast<size_t>(-2) || n == 0 ||
        !std::iswprint(static_cast<wint_t>(wc))) {
      state = std::mbstate_t{};
      mask[i++] = true;
      continue;
    }
    i += n;
  }
  return mask;
}

std::string EscapeByte(unsigned char c) {
  switch (c) {
    case '\a':
      return "\\a";
    case '\b':
      return "\\b";
    case '\f':
      return "\\f";
    case '\n':
      return "\\n";
    case '\r':
      return "\\r";
    case '\t':
      return "\\t";
    case '\v':
      return "\\v";
    default: {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\%03o", c);
      return buf;
    }
  }
}

}  // namespace

std::string QuoteShell(std::string_view name, bool always) {
  bool utf8 = LocaleIsUtf8();
  std::vector<bool> unprintable = UnprintableMask(name, utf8);
  bool has_unprintable = false, has_special = false, has_quote = false, has_dq_unsafe = false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (unprintable[i] && c != '\t') has_unprintable = true;
    if (IsShellSpecial(c, i, name.size())) has_special = true;
    if (c == '\'') has_quote = true;
    if (c == '$' || c == '`' || c == '\\' || c == '!' || c == '"') has_dq_unsafe = true;
  }
  if (name.empty()) return "''";
  if (!always && !has_unprintable && !has_special && !has_quote) return std::string(name);
  if (has_quote && !has_unprintable && !has_dq_unsafe) return "\"" + std::string(name) + "\"";
  // gnulib's state machine: a run of unprintable bytes becomes one $'...'
  // segment ('a'$'\303\251''b'); the closing quote of the last segment
  // doubles as the closing quote of the whole name.
  std::string out = "'";
  bool in_escape = false;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    if (unprintable[i]) {
      if (!in_escape) out += "'$'";
      in_escape = true;
      out += EscapeByte(static_cast<unsigned char>(c));
      continue;
    }
    if (in_escape) {
      out += "''";
      in_escape = false;
    }
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += "'";
  return out;
}

std::string QuoteLocale(std::string_view name) {
  bool utf8 = LocaleIsUtf8();
  std::vector<bool> unprintable = UnprintableMask(name, utf8);
  std::string out = utf8 ? "\xe2\x80\x98" : "'";
  for (size_t i = 0; i < name.size(); ++i) {
    if (unprintable[i]) {
      out += EscapeByte(static_cast<unsigned char>(name[i]));
    } else if (name[i] == '\\') {
      out += "\\\\";
    } else {
      out += name[i];
    }
  }
  out += utf8 ? "\xe2\x80\x99" : "'";
  return out;
}

namespace {

// Shell builtins the fast path evaluates itself; they never touch files.
void CmdTrue(const std::vector<std::string>&, CommandEnv&, CommandIo& io) { io.status = 0; }
void CmdFalse(const std::vector<std::string>&, CommandEnv&, CommandIo& io) { io.status = 1; }

void CmdPwd(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  for (size_t i = 1; i < argv.size(); ++i) {
    if (argv[i] != "-L") {
      io.unsupported = "pwd " + argv[i];
      return;
    }
  }
  io.out += env.cwd;
  io.out += '\n';
}

// bash's builtin echo: -n, -e, -E (combinable); stops at the first
// argument that is not such an option.
void CmdEcho(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  bool newline = true, escapes = false;
  size_t i = 1;
  for (; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    if (a.size() < 2 || a[0] != '-' || a.find_first_not_of("neE", 1) != std::string::npos) break;
    for (char c : a.substr(1)) {
      if (c == 'n') newline = false;
      if (c == 'e') escapes = true;
      if (c == 'E') escapes = false;
    }
  }
  if (escapes) {
    io.unsupported = "echo -e";
    return;
  }
  std::string text;
  for (size_t j = i; j < argv.size(); ++j) {
    if (j > i) text += ' ';
    text += argv[j];
  }
  if (newline) text += '\n';
  io.out += text;
}

// The commands the fast path serves. Flags each one supports are listed in
// its own implementation's option table; anything else is `unsupported`.
constexpr CommandSpec kCommands[] = {
    {"cat", CmdCat, "cat [-nAbsETv] [--] FILE... (stdin when none)"},
    {"head", CmdHead, "head [-n [-]N|-N|-c [-]N] [-q|-v] FILE..."},
    {"tail", CmdTail, "tail [-n [+]N|-N|-c [+]N] [-q|-v] FILE..."},
    {"wc", CmdWc, "wc [-lwcmL] FILE... (with total)"},
    {"ls", CmdLs, "ls [-1aAlhRdtSrF] OPERAND..."},
    {"find", CmdFind,
     "find PATH... [-name -iname -path -type -maxdepth -mindepth -empty -size ...]"},
    {"grep", CmdGrep,
     "grep [-EFGPrRiywxvclLnhHoqsZab] [-m N] [-A|-B|-C N] [-e PAT] [-f FILE] "
     "[--include/--exclude/--exclude-dir=GLOB] ..."},
    {"egrep", CmdGrep, "egrep: grep -E"},
    {"fgrep", CmdGrep, "fgrep: grep -F"},
    {"sort", CmdSort,
     "sort [-bdfghiMnrRVcCmsuz] [-t C] [-k F[.C][OPTS][,F[.C][OPTS]]] [-o FILE] FILE... "
     "(-R refused)"},
    {"uniq", CmdUniq, "uniq [-cduiDz] [-f N] [-s N] [-w N] [--group] [INPUT [OUTPUT]]"},
    {"cut", CmdCut,
     "cut -f|-c|-b LIST [-d C] [-s] [-z] [--complement] [--output-delimiter=S] FILE..."},
    {"echo", CmdEcho, "bash builtin echo [-nE]"},
    {"pwd", CmdPwd, "bash builtin pwd"},
    {"true", CmdTrue, "bash builtin true"},
    {"false", CmdFalse, "bash builtin false"},
    {":", CmdTrue, "bash builtin :"},
    {"basename", CmdBasename, "basename NAME [SUFFIX] | -a -s SUFFIX -z NAME..."},
    {"dirname", CmdDirname, "dirname [-z] NAME..."},
    {"seq", CmdSeq, "seq [-s SEP] [-w] [-f FMT] [FIRST [INCR]] LAST"},
    {"realpath", CmdRealpath, "realpath [-e -m -s -q --relative-to] FILE..."},
    {"readlink", CmdReadlink, "readlink [-f -e -m -n] FILE..."},
    {"stat", CmdStat, "stat [-c FORMAT] [--printf FORMAT] [-L] FILE..."},
    {"env", CmdEnv, "env [-i] [-u NAME] [NAME=VALUE]... [COMMAND [ARG]...]"},
    {"printenv", CmdPrintenv, "printenv [-0] [NAME]..."},
    {"date", CmdDate, "date [-u] [-d STRING] [-I[FMT]] [-R] [+FORMAT]"},
    {"sleep", CmdSleep, "sleep NUMBER[smhd]... (within the time limit)"},
    {"yes", CmdYes, "yes [STRING]... (until its reader has enough)"},
    {"xargs", CmdXargs, "xargs [-0] [-d C] [-n N] [-L N] [-I STR] [-r] [-t] [COMMAND [ARG]...]"},
    {"mkdir", CmdMkdir, "mkdir [-p] [-m MODE] [-v] DIR..."},
    {"rm", CmdRm, "rm [-rRfdv] [--] FILE..."},
    {"rmdir", CmdRmdir, "rmdir [-pv] [--ignore-fail-on-non-empty] DIR..."},
    {"mv", CmdMv, "mv [-fnTv] [-t DIR] SOURCE... DEST"},
    {"cp", CmdCp, "cp [-rRapnfTv] [-t DIR] [--preserve=mode,timestamps] SOURCE... DEST"},
    {"touch", CmdTouch, "touch [-acm] [-d DATE | -t STAMP | -r REF] FILE..."},
    {"chmod", CmdChmod, "chmod [-Rvcf] MODE[,MODE]... | OCTAL FILE..."},
    {"truncate", CmdTruncate, "truncate [-c] -s [+-<>/%]SIZE | -r REF FILE..."},
    {"tee", CmdTee, "tee [-aip] FILE..."},
    {"sed", CmdSed,
     "sed [-nEsz] [-i[SUF]] [-e SCRIPT] [-f FILE] [--posix] SCRIPT FILE... (e and s///e refused)"},
    {"jq", CmdJq,
     "jq [-rjcsneaSRCM] [--tab] [--indent N] [--arg/--argjson/--slurpfile/--rawfile N V] "
     "[--args|--jsonargs] FILTER FILE... (import/include and -L refused)"},
    {"awk", CmdAwk, "awk (mawk 1.3.4) [-F FS] [-v VAR=VAL] [-f FILE] PROGRAM FILE..."},
    {"mawk", CmdAwk, "mawk: awk"},
    {"tr", CmdTr, "tr [-cdst] SET1 [SET2]"},
    {"paste", CmdPaste, "paste [-sz] [-d LIST] FILE..."},
    {"nl", CmdNl, "nl [-b STYLE] [-n FMT] [-w N] [-s SEP] [-v N] [-i N] FILE..."},
    {"tac", CmdTac, "tac [-br] [-s SEP] FILE..."},
    {"rev", CmdRev, "rev FILE..."},
    {"fold", CmdFold, "fold [-bs] [-w N] FILE..."},
    {"fmt", CmdFmt, "fmt [-w N] [-s] [-u] [-p PREFIX] FILE..."},
    {"expand", CmdExpand, "expand [-i] [-t LIST] FILE..."},
    {"unexpand", CmdUnexpand, "unexpand [-a] [--first-only] [-t LIST] FILE..."},
    {"strings", CmdStrings, "strings [-a] [-n N] [-t o|d|x] FILE..."},
    {"base64", CmdBase64, "base64 [-d] [-i] [-w N] FILE"},
    {"md5sum", CmdDigest, "md5sum [-c] [--tag] [-z] FILE..."},
    {"sha1sum", CmdDigest, "sha1sum [-c] [--tag] [-z] FILE..."},
    {"sha224sum", CmdDigest, "sha224sum [-c] [--tag] [-z] FILE..."},
    {"sha256sum", CmdDigest, "sha256sum [-c] [--tag] [-z] FILE..."},
    {"sha384sum", CmdDigest, "sha384sum [-c] [--tag] [-z] FILE..."},
    {"sha512sum", CmdDigest, "sha512sum [-c] [--tag] [-z] FILE..."},
    {"b2sum", CmdDigest, "b2sum [-c] [-l BITS] [--tag] [-z] FILE..."},
    {"cksum", CmdCksum, "cksum [-a ALGORITHM] [--tag|--untagged] [-c] FILE..."},
    {"diff", CmdDiff, "diff [-u|-U N|-c|-C N|-q|-s|-r|-i|-w|-b|-B] FROM TO"},
    {"cmp", CmdCmp, "cmp [-b -l -s -n N -i SKIP] FILE1 [FILE2]"},
    {"comm", CmdComm, "comm [-123] [--check-order|--nocheck-order] [--output-delimiter=S] FILE1 FILE2"},
    {"join", CmdJoin, "join [-a N] [-v N] [-e S] [-i] [-j F] [-1 F] [-2 F] [-o LIST] [-t C] FILE1 FILE2"},
    {"column", CmdColumn, "column [-t] [-s SEP] [-o SEP] [-n] [-c N] [-x] FILE..."},
    {"od", CmdOd, "od [-A RADIX] [-t TYPE] [-N N] [-j N] [-v] [-w N] [-bcdox] FILE..."},
    {"expr", CmdExpr, "expr EXPRESSION"},
    {"numfmt", CmdNumfmt, "numfmt [--from=UNIT] [--to=UNIT] [--padding=N] [--format=FMT] [--field=N] [-d C] NUMBER..."},
};

}  // namespace

const CommandSpec* FindCommand(std::string_view name) {
  for (const CommandSpec& spec : kCommands) {
    if (name == spec.name) return &spec;
  }
  return nullptr;
}

vfs::Status::Code ReadHostFile(const CommandEnv& env, std::string_view operand,
                               std::string* content) {
  using Code = vfs::Status::Code;
  const std::string path = !operand.empty() && operand[0] == '/'
                               ? std::string(operand)
                               : env.cwd + "/" + std::string(operand);
  auto code_of = [](int err) {
    switch (err) {
      case ENOENT:
        return Code::kNotFound;
      case ENOTDIR:
        return Code::kNotADirectory;
      case EISDIR:
        return Code::kIsADirectory;
      case EACCES:
      case EPERM:
        return Code::kPermissionDenied;
      default:
        return Code::kIoError;
    }
  };
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return code_of(errno);
  struct stat st;
  if (::fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
    const int err = S_ISDIR(st.st_mode) ? EISDIR : errno;
    ::close(fd);
    return code_of(err);
  }
  content->clear();
  char buffer[65536];
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      ::close(fd);
      return code_of(err);
    }
    if (n == 0) break;
    content->append(buffer, static_cast<size_t>(n));
  }
  ::close(fd);
  return Code::kOk;
}

}  // namespace memhook::utils
