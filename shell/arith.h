// Internal to the shell library: bash arithmetic ($((...)), ((...)), let,
// array subscripts, ${x:off:len}), evaluated as bash 5.2 does.
//
// The expression text has already been through parameter expansion and
// command substitution (bash expands `$x` in `$(( $x + 1 ))` first);
// names still in it (`x + 1`) are looked up through ArithVars, and their
// values are themselves evaluated as expressions, recursively, as bash does.
#ifndef MEMHOOK_SHELL_ARITH_H_
#define MEMHOOK_SHELL_ARITH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace memhook::shell {

// The interpreter's variables as arithmetic sees them.
class ArithVars {
 public:
  virtual ~ArithVars() = default;
  // The value of `name` (index: nullopt for a scalar, or `name[index]` of an
  // indexed array); nullopt when unset.
  virtual std::optional<std::string> Get(std::string_view name, std::optional<int64_t> index) = 0;
  // Assigns (`x = 1`, `x += 2`, `x++`, `a[i] = 3`). Returns false with
  // `*error` set (e.g. "x: readonly variable") when bash would fail.
  virtual bool Set(std::string_view name, std::optional<int64_t> index, int64_t value,
                   std::string* error) = 0;
  // Whether `name` is an associative array: its subscripts are keys (text,
  // `h[$w]++` counts words), not expressions. Default: none is.
  virtual bool IsAssoc(std::string_view /*name*/) { return false; }
  // The value of `name[key]` of an associative array; nullopt when unset.
  // `key` is the subscript's text, which the variables expand as bash does.
  virtual std::optional<std::string> GetKey(std::string_view /*name*/, std::string_view /*key*/) {
    return std::nullopt;
  }
  // Assigns `name[key]`; false with `*error` as Set.
  virtual bool SetKey(std::string_view name, std::string_view /*key*/, int64_t /*value*/,
                      std::string* error) {
    *error = std::string(name) + ": not an associative array";
    return false;
  }
};

struct ArithResult {
  bool ok() const { return error.empty(); }
  int64_t value = 0;
  // Empty on success; otherwise bash's message without the "bash: line N: "
  // prefix, e.g. `1/0: division by 0 (error token is "0")`, or
  // `1 +: syntax error: operand expected (error token is "+")`.
  std::string error;
  // True when `error` is an assignment's own message ("x: readonly
  // variable"), which bash prints without the builtin's name (`((: `).
  bool assignment_error = false;
};

// Evaluates `expression` with 64-bit wrap-around integers and every bash
// operator: literals in bases 8/10/16 and `BASE#DIGITS`, unary `+ - ! ~`,
// `++`/`--` (pre/post), `**`, `* / %`, `+ -`, `<< >>`, comparisons, `== !=`,
// `& ^ |`, `&& ||` (short-circuit: the unevaluated side assigns nothing),
// `?:`, assignments `= *= /= %= += -= <<= >>= &= ^= |=`, the comma
// operator, parentheses. An empty expression is 0. Recursion through
// variable values stops at depth 1024 ("expression recursion level exceeded").
ArithResult EvalArith(std::string_view expression, ArithVars& vars);

}  // namespace memhook::shell

#endif  // MEMHOOK_SHELL_ARITH_H_
