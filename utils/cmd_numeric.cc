// Placeholder: being written.
#include "utils/utils.h"

namespace memhook::utils {

void CmdOd(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdExpr(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

void CmdNumfmt(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

bool SortWrites(const std::vector<std::string>&) { return false; }
bool UniqWrites(const std::vector<std::string>&) { return false; }

}  // namespace memhook::utils
