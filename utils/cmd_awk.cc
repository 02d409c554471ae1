// Placeholder: being written.
#include "utils/utils.h"

namespace memhook::utils {

void CmdAwk(const std::vector<std::string>& argv, CommandEnv&, CommandIo& io) {
  io.unsupported = argv[0] + " (not yet implemented)";
}

bool AwkWrites(const std::vector<std::string>&) { return false; }

}  // namespace memhook::utils
