#include "utils/input.h"

namespace memhook::utils {

namespace {
// Files larger than this are read as a growing prefix (pushdown profile).
constexpr uint64_t kFirstPrefix = 256 * 1024;
}  // namespace

InputFile::Open InputFile::OpenOperand(CommandEnv& env, CommandIo& io, std::string_view program,
                                       std::string_view operand) {
  env_ = &env;
  complete_ = true;
  error_ = vfs::Status::Code::kOk;
  if (env.process_file && operand.rfind("/dev/fd/", 0) == 0) {
    if (std::optional<std::string_view> made = env.process_file(operand)) {
      view_ = *made;  // a process substitution <(…): a pipe
      return Open::kOk;
    }
  }
  if (operand == "-" || operand == "/dev/stdin" || operand == "/dev/fd/0") {
    view_ = io.stdin_data;
    regular_ = io.stdin_regular;
    return Open::kOk;
  }
  if (operand.empty()) {
    error_ = vfs::Status::Code::kNotFound;
    return Open::kError;
  }
  ResolvedPath path = env.Resolve(operand);
  if (path.where == ResolvedPath::Where::kDevNull) {
    view_ = {};
    return Open::kOk;
  }
  if (path.where == ResolvedPath::Where::kHost) {
    if (path.absolute.rfind("/dev/", 0) == 0 || path.absolute.rfind("/proc/", 0) == 0) {
      io.unsupported = std::string(program) + " reading a device (" + std::string(operand) + ")";
      return Open::kRefused;
    }
    if (!env.allow_host) {
      io.unsupported =
          std::string(program) + " reading a host path (" + std::string(operand) + ")";
      io.needs_host = true;
      return Open::kRefused;
    }
    vfs::Status::Code code = ReadHostFile(env, operand, &storage_);
    if (code == vfs::Status::Code::kIsADirectory) return Open::kDirectory;
    if (code != vfs::Status::Code::kOk) {
      error_ = code;
      return Open::kError;
    }
    view_ = storage_;
    regular_ = true;
    return Open::kOk;
  }
  vfs::Stat st;
  vfs::Status status = env.StatResolved(path, &st);
  if (!status.ok()) {
    error_ = status.code();
    return Open::kError;
  }
  if (st.kind == vfs::NodeKind::kDirectory) return Open::kDirectory;
  mode_ = st.mode;
  regular_ = true;
  if (env.options.pushdown && st.storage != vfs::Storage::kVirtual && st.size > kFirstPrefix) {
    prefix_ = kFirstPrefix;
    vfs_path_ = path.vfs_path;
    status = env.store.ReadPrefix(vfs_path_, prefix_, &storage_, &complete_);
  } else {
    status = env.store.ReadFile(path.vfs_path, &storage_);
  }
  if (!status.ok()) {
    error_ = status.code();
    return Open::kError;
  }
  view_ = storage_;
  return Open::kOk;
}

bool InputFile::Grow() {
  if (complete_ || env_ == nullptr) return false;
  prefix_ *= 4;
  vfs::Status status = env_->store.ReadPrefix(vfs_path_, prefix_, &storage_, &complete_);
  if (!status.ok()) {
    error_ = status.code();
    complete_ = true;
    return false;
  }
  view_ = storage_;
  return true;
}

bool InputFile::ReadAll() {
  if (complete_) return error_ == vfs::Status::Code::kOk;
  vfs::Status status = env_->store.ReadFile(vfs_path_, &storage_);
  complete_ = true;
  if (!status.ok()) {
    error_ = status.code();
    return false;
  }
  view_ = storage_;
  return true;
}

InputFile::Open ReadWholeOperand(CommandEnv& env, CommandIo& io, std::string_view program,
                                 std::string_view operand, std::string* content,
                                 vfs::Status::Code* error) {
  InputFile file;
  InputFile::Open open = file.OpenOperand(env, io, program, operand);
  if (open == InputFile::Open::kOk && !file.ReadAll()) open = InputFile::Open::kError;
  if (open == InputFile::Open::kError) *error = file.error();
  if (open == InputFile::Open::kOk) content->assign(file.data());
  return open;
}

}  // namespace memhook::utils
