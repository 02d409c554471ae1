// Placeholder: being written.
#include "utils/utils.h"

namespace memhook::utils {

void CmdTr(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdPaste(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdNl(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdTac(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdRev(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdFold(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdFmt(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdExpand(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdUnexpand(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdStrings(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

}  // namespace memhook::utils
