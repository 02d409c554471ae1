#include "utils/getopt.h"

#include <algorithm>

namespace memhook::utils::gnu {

Getopt ParseGetopt(const std::vector<std::string>& argv, const std::vector<Option>& table,
                   bool permute, CommandIo& io) {
  std::vector<GetoptOption> raw;
  raw.reserve(table.size());
  for (const Option& o : table) {
    const ArgMode mode = o.arg == Option::kNone       ? ArgMode::kNone
                         : o.arg == Option::kRequired ? ArgMode::kRequired
                                                      : ArgMode::kOptional;
    raw.push_back({o.short_name, o.long_name, mode, o.id});
  }
  GetoptResult r = RunGetopt(argv, raw, permute ? Ordering::kPermute : Ordering::kRequireOrder,
                             /*stop_at_error=*/false);
  Getopt g;
  for (GetoptItem& item : r.items) {
    if (item.id == kHelp || item.id == kVersion) {
      io.unsupported = argv[0] + (item.id == kHelp ? " --help" : " --version");
      g.refused = true;
      return g;
    }
    g.options.push_back(
        GivenOption{item.id, std::move(item.argument), item.has_argument, item.letter});
  }
  g.operands = std::move(r.operands);
  return g;
}

// "PROG: MESSAGE\nTry 'PROG --help' for more information.\n", status 1.
void UsageError(const std::string& prog, const std::string& message, CommandIo& io) {
  if (!message.empty()) io.err += prog + ": " + message + "\n";
  io.err += "Try '" + prog + " --help' for more information.\n";
  io.status = 1;
}

// "PROG: MESSAGE\n" and status 1 (error (EXIT_FAILURE, 0, ...)).
void Die(const std::string& prog, const std::string& message, CommandIo& io) {
  io.err += prog + ": " + message + "\n";
  io.status = 1;
}

GetoptResult RunGetopt(const std::vector<std::string>& argv, const std::vector<GetoptOption>& table,
                       Ordering ordering, bool stop_at_error) {
  GetoptResult out;
  const std::string& prog = argv[0];
  const bool in_order = ordering == Ordering::kReturnInOrder;
  // getopt_long returned '?': the first diagnostic is the program's usage
  // error; past it, the items carry them in order for programs that go on.
  auto fail = [&](std::string message) {
    if (out.diagnostic.empty()) out.diagnostic = prog + ": " + message + "\n";
    if (!stop_at_error) out.items.push_back({kGetoptError, true, std::move(message), false, '\0'});
    return stop_at_error;
  };
  auto operand = [&](const std::string& word, bool late) {
    if (in_order) {
      out.items.push_back({late ? kLateOperandItem : kOperandItem, true, word, false, '\0'});
    }
    out.operands.push_back(word);
  };
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string& word = argv[i];
    if (word == "--") {
      out.option_words.push_back(word);
      for (size_t k = i + 1; k < argv.size(); ++k) operand(argv[k], true);
      break;
    }
    if (word.size() < 2 || word[0] != '-') {
      if (ordering == Ordering::kRequireOrder) {
        for (size_t k = i; k < argv.size(); ++k) operand(argv[k], false);
        break;
      }
      operand(word, false);
      continue;
    }
    out.option_words.push_back(word);
    if (word[1] == '-') {
      std::string_view text = std::string_view(word).substr(2);  // glibc's __nextchar
      size_t eq = text.find('=');
      std::string_view name = text.substr(0, eq);
      const GetoptOption* found = nullptr;
      for (const GetoptOption& o : table) {
        if (o.long_name != nullptr && name == o.long_name) {
          found = &o;
          break;
        }
      }
      if (found == nullptr) {
        // Abbreviations: ambiguous when two prefixes differ in argument
        // mode or value; glibc lists the first one and every differing one.
        std::vector<const GetoptOption*> ambiguous;
        for (const GetoptOption& o : table) {
          if (o.long_name == nullptr ||
              std::string_view(o.long_name).substr(0, name.size()) != name)
            continue;
          if (found == nullptr) {
            found = &o;
          } else if (found->mode != o.mode || found->id != o.id) {
            if (ambiguous.empty()) ambiguous.push_back(found);
            ambiguous.push_back(&o);
          }
        }
        if (!ambiguous.empty()) {
          std::string message = "option '--" + std::string(text) + "' is ambiguous; possibilities:";
          for (const GetoptOption& o : table) {
            if (std::find(ambiguous.begin(), ambiguous.end(), &o) != ambiguous.end())
              message += std::string(" '--") + o.long_name + "'";
          }
          if (fail(std::move(message))) return out;
          continue;
        }
      }
      if (found == nullptr) {
        if (fail("unrecognized option '--" + std::string(text) + "'")) return out;
        continue;
      }
      GetoptItem item{found->id, false, {}, false, found->short_name};
      if (eq != std::string_view::npos) {
        if (found->mode == ArgMode::kNone) {
          if (fail(std::string("option '--") + found->long_name + "' doesn't allow an argument"))
            return out;
          continue;
        }
        item.has_argument = true;
        item.argument = std::string(text.substr(eq + 1));
      } else if (found->mode == ArgMode::kRequired) {
        if (i + 1 >= argv.size()) {
          if (fail(std::string("option '--") + found->long_name + "' requires an argument"))
            return out;
          continue;
        }
        item.has_argument = true;
        item.argument = argv[++i];
        out.option_words.push_back(item.argument);
      }
      out.items.push_back(std::move(item));
      continue;
    }
    for (size_t k = 1; k < word.size(); ++k) {
      const GetoptOption* found = nullptr;
      for (const GetoptOption& o : table) {
        if (o.short_name != '\0' && o.short_name == word[k]) {
          found = &o;
          break;
        }
      }
      if (found == nullptr || word[k] == ':') {
        if (fail(std::string("invalid option -- '") + word[k] + "'")) return out;
        continue;
      }
      GetoptItem item{found->id, false, {}, false, word[k]};
      if (found->mode == ArgMode::kNone) {
        out.items.push_back(std::move(item));
        continue;
      }
      if (k + 1 < word.size()) {
        item.has_argument = true;
        item.argument = word.substr(k + 1);
        item.attached_to_letter = k == 1;
      } else if (found->mode == ArgMode::kRequired) {
        if (i + 1 >= argv.size()) {
          if (fail(std::string("option requires an argument -- '") + word[k] + "'")) return out;
          break;
        }
        item.has_argument = true;
        item.argument = argv[++i];
        out.option_words.push_back(item.argument);
      }
      out.items.push_back(std::move(item));
      break;
    }
  }
  return out;
}

}  // namespace memhook::utils::gnu

namespace memhook::utils {

using gnu::ArgMode;
using gnu::GetoptItem;
using gnu::GetoptOption;
using gnu::GetoptResult;
using gnu::RunGetopt;

bool GnuGetoptLong(const std::vector<std::string>& argv, const std::vector<OptionSpec>& specs,
                   const std::vector<int>& optional_ids, ParsedArgs* parsed,
                   std::vector<std::string>* option_words, std::string* diagnostic) {
  std::vector<GetoptOption> table;
  for (const OptionSpec& s : specs) {
    ArgMode mode = s.takes_argument ? ArgMode::kRequired : ArgMode::kNone;
    if (std::find(optional_ids.begin(), optional_ids.end(), s.id) != optional_ids.end())
      mode = ArgMode::kOptional;
    table.push_back({s.short_name, s.long_name, mode, s.id});
  }
  GetoptResult r = RunGetopt(argv, table, gnu::Ordering::kPermute);
  *diagnostic = r.diagnostic;
  parsed->operands = std::move(r.operands);
  if (option_words != nullptr) *option_words = std::move(r.option_words);
  for (GetoptItem& item : r.items) {
    std::string spelling;
    for (const OptionSpec& s : specs) {
      if (s.id == item.id) {
        spelling = s.long_name != nullptr ? std::string("--") + s.long_name
                                          : std::string("-") + s.short_name;
        break;
      }
    }
    if (item.has_argument &&
        std::find(optional_ids.begin(), optional_ids.end(), item.id) != optional_ids.end())
      spelling += '=';
    parsed->options.push_back({item.id, std::move(item.argument), std::move(spelling)});
  }
  return diagnostic->empty();
}

}  // namespace memhook::utils
