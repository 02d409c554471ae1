#include "utils/options.h"

#include <cstring>

namespace memhook::utils {

ParsedArgs ParseOptions(const std::vector<std::string>& argv, size_t first,
                        const std::vector<OptionSpec>& specs) {
  ParsedArgs result;
  bool options_done = false;
  for (size_t i = first; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (options_done || word.size() < 2 || word[0] != '-') {
      result.operands.push_back(word);
      continue;
    }
    if (word == "--") {
      options_done = true;
      continue;
    }
    if (word[1] == '-') {
      std::string_view body = std::string_view(word).substr(2);
      size_t eq = body.find('=');
      std::string_view name = body.substr(0, eq);
      const OptionSpec* match = nullptr;
      int matches = 0;
      for (const OptionSpec& spec : specs) {
        if (spec.long_name == nullptr) continue;
        if (name == spec.long_name) {
          match = &spec;
          matches = 1;
          break;
        }
        if (std::strncmp(spec.long_name, name.data(), name.size()) == 0 &&
            std::strlen(spec.long_name) > name.size()) {
          // Several spellings of one option (same id) are not ambiguous.
          if (match == nullptr || match->id != spec.id) ++matches;
          match = &spec;
        }
      }
      if (matches != 1) {
        result.unsupported = word;
        return result;
      }
      ParsedOption option{match->id, "", "--" + std::string(match->long_name)};
      if (match->takes_argument) {
        if (eq != std::string_view::npos) {
          option.argument = std::string(body.substr(eq + 1));
        } else if (i + 1 < argv.size()) {
          option.argument = argv[++i];
        } else {
          result.unsupported = word + " without its argument";
          return result;
        }
      } else if (eq != std::string_view::npos) {
        result.unsupported = word;
        return result;
      }
      result.options.push_back(std::move(option));
      continue;
    }
    for (size_t k = 1; k < word.size(); ++k) {
      const OptionSpec* match = nullptr;
      for (const OptionSpec& spec : specs) {
        if (spec.short_name != '\0' && spec.short_name == word[k]) {
          match = &spec;
          break;
        }
      }
      if (match == nullptr) {
        result.unsupported = "-" + std::string(1, word[k]);
        return result;
      }
      ParsedOption option{match->id, "", "-" + std::string(1, word[k])};
      if (match->takes_argument) {
        if (k + 1 < word.size()) {
          option.argument = word.substr(k + 1);
        } else if (i + 1 < argv.size()) {
          option.argument = argv[++i];
        } else {
          result.unsupported = option.spelling + " without its argument";
          return result;
        }
        result.options.push_back(std::move(option));
        break;
      }
      result.options.push_back(std::move(option));
    }
  }
  return result;
}

}  // namespace memhook::utils
