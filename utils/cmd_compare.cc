// Placeholder: being written.
#include "utils/utils.h"

namespace memhook::utils {

void CmdCmp(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdComm(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdJoin(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

}  // namespace memhook::utils
