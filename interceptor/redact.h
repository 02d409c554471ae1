// Internal to the interceptor: masking secrets in the lines of an agent's
// transcript before they are kept in the memory (capture.h).
//
// A line is usually one JSON object (Claude Code and Codex transcripts are
// JSON Lines). Secrets are searched in the *decoded* text of every JSON
// string (so `\n`, `\"` or `\u003d` around or inside a secret do not hide
// it) and masked in the raw line by whole escape sequences, so a line that
// was valid JSON stays valid JSON and everything but the secret keeps its
// exact bytes. A line that is not JSON is searched as plain text.
//
// A masked secret becomes `[REDACTED:<kind>]`, kind in lowercase letters,
// digits and '-' (no JSON-special character), e.g. `[REDACTED:github-token]`.
// Masking is idempotent: a redacted line comes back unchanged.
//
// What is masked (kinds in brackets):
//   * provider formats: AWS access key ids AKIA/ASIA/ABIA/ACCA [aws-access-key]
//     and a 40-character secret key named as one or near a key id
//     [aws-secret-key]; GitHub ghp_ gho_ ghu_ ghs_ ghr_ github_pat_
//     [github-token]; GitLab glpat- and siblings [gitlab-token]; Slack xox?-
//     and xapp- [slack-token], Slack/Discord webhook URLs (the path after the
//     host) [webhook]; Stripe sk_/rk_ live and test, whsec_ [stripe-key];
//     Anthropic sk-ant- [anthropic-key]; OpenAI sk-, sk-proj- (random-looking
//     only: "sk-learn" survives) [openai-key]; Google AIza [google-api-key],
//     GOCSPX- and ya29. [google-oauth]; npm_, pypi-, hf_, SG., do?_v1_,
//     shp??_, AGE-SECRET-KEY- [token];
//   * private-key blocks (-----BEGIN ... PRIVATE KEY----- ... END, real or
//     JSON-escaped newlines; the BEGIN/END lines are kept) [private-key];
//   * JWTs (eyJ header, payload, signature) [jwt];
//   * the password of scheme://user:password@host (user and host kept)
//     [url-password]; `Authorization: Basic`, `Bearer TOKEN`, `curl -u
//     user:password`, `--password VALUE` [credential];
//   * assignments whose name says secret (`KEY=value`, `"key": "value"`,
//     `key: value`, JSON members): the last word of the name is password,
//     passwd, pwd, passphrase, secret, token, credential(s), auth,
//     authorization, or key after api/access/private/secret/client/
//     signing/encryption/master/account/auth (`max_tokens`, `token_count`,
//     `primary_key`, `password_file` are not) [password] or [secret]. The
//     value is kept when it is a placeholder: empty, masks (`***`, `xxxx`),
//     references (`${VAR}`, `$VAR`, `%VAR%`, `{{...}}`, `<your-token>`,
//     `process.env.X`, a call `f(...)`), paths, URLs, booleans and null,
//     words like changeme / example / placeholder / your-..., type names
//     (`str`, `string`); in `key: value` form unquoted values must also
//     look like a credential (a digit or symbol, mixed case, or 16+
//     characters), so prose like "Token: expired" survives;
//   * high entropy: a 20-256 character run of [A-Za-z0-9+/=_-] with digits
//     and letters, few symbols, no dictionary-like runs, frequent
//     character-class changes and a Shannon entropy near that of random
//     text [high-entropy]. Hex strings (git SHAs, digests), UUIDs, SRI
//     hashes (sha512-...), go.sum h1: hashes, data: URIs and images,
//     base64 that decodes to text, file paths and prefixed ids (toolu_...,
//     msg_..., req_..., call_..., chatcmpl-...) survive.
#ifndef MEMHOOK_INTERCEPTOR_REDACT_H_
#define MEMHOOK_INTERCEPTOR_REDACT_H_

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>

namespace memhook::interceptor {

struct RedactOptions {
  // The high-entropy fallback for tokens no specific rule knows. Default on.
  bool high_entropy = true;
};

// Counts, accumulated over the lines given to Redact.
struct RedactStats {
  uint64_t lines = 0;                       // lines seen
  uint64_t redacted_lines = 0;              // lines with at least one secret
  uint64_t secrets = 0;                     // markers written
  std::map<std::string, uint64_t> by_kind;  // marker kind -> count
};

class Redactor {
 public:
  explicit Redactor(const RedactOptions& options = RedactOptions());
  ~Redactor();
  Redactor(const Redactor&) = delete;
  Redactor& operator=(const Redactor&) = delete;

  // False if a built-in pattern did not compile (a bug; the others still
  // work). Checked by the tests.
  bool ok() const;

  // `line` (without its '\n') with every secret masked. `stats` may be
  // null. Thread-safe: the only state that changes is each pattern,
  // compiled once (std::call_once) when its needle first occurs.
  std::string Redact(std::string_view line, RedactStats* stats) const;

 private:
  struct Rules;
  std::unique_ptr<const Rules> rules_;
  RedactOptions options_;
};

// Redact with the default options, on one Redactor built at first use
// (its patterns are compiled as their needles first occur) and never
// changed.
std::string Redact(std::string_view line, RedactStats* stats);

}  // namespace memhook::interceptor

#endif  // MEMHOOK_INTERCEPTOR_REDACT_H_
