#include "interceptor/redact.h"

#include <re2/re2.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

namespace memhook::interceptor {
namespace {

// ------------------------------------------------------------------ kinds
// In priority order: when two findings overlap, the one listed first names
// the merged marker (a specific format before a generic rule).
enum Kind : uint8_t {
  kPrivateKey,
  kAwsAccessKey,
  kAwsSecretKey,
  kGithubToken,
  kGitlabToken,
  kSlackToken,
  kWebhook,
  kStripeKey,
  kAnthropicKey,
  kOpenAiKey,
  kGoogleApiKey,
  kGoogleOauth,
  kToken,
  kJwt,
  kUrlPassword,
  kCredential,
  kPassword,
  kSecret,
  kHighEntropy,
  kKindCount,
};
constexpr std::array<const char*, kKindCount> kKindNames = {
    "private-key",    "aws-access-key", "aws-secret-key", "github-token",  "gitlab-token",
    "slack-token",    "webhook",        "stripe-key",     "anthropic-key", "openai-key",
    "google-api-key", "google-oauth",   "token",          "jwt",           "url-password",
    "credential",     "password",       "secret",         "high-entropy",
};

constexpr std::string_view kMarkerPrefix = "[REDACTED:";

// ------------------------------------------------------ character classes
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlpha(char c) { return IsUpper(c) || IsLower(c); }
bool IsAlnum(char c) { return IsAlpha(c) || IsDigit(c); }
bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }
bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
bool IsBase64(char c) { return IsAlnum(c) || c == '+' || c == '/'; }
// The characters of the tokens the high-entropy check looks at: base64 and
// base64url, without the '=' of padding, which would join NAME=value.
bool IsTokenChar(char c) { return IsAlnum(c) || c == '+' || c == '/' || c == '_' || c == '-'; }
char Lower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}
bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// True when s[pos] can start a token: the byte before it is not part of a
// word, or is the letter of a backslash escape (text decoded once still
// holds the `\n` of a JSON text nested in it).
bool StartsToken(std::string_view s, size_t pos) {
  if (pos == 0) return true;
  const char prev = s[pos - 1];
  if (!IsWordChar(prev)) return true;
  return pos >= 2 && s[pos - 2] == '\\' && (prev == 'n' || prev == 't' || prev == 'r');
}
bool EndsToken(std::string_view s, size_t end) { return end >= s.size() || !IsAlnum(s[end]); }

// --------------------------------------------------------- token measures
double ShannonEntropy(std::string_view s) {
  std::array<uint32_t, 256> counts{};
  for (char c : s) ++counts[static_cast<unsigned char>(c)];
  double h = 0;
  const double n = static_cast<double>(s.size());
  for (uint32_t count : counts) {
    if (count == 0) continue;
    const double p = count / n;
    h -= p * std::log2(p);
  }
  return h;
}

struct Shape {
  size_t upper = 0;
  size_t lower = 0;
  size_t digit = 0;
  size_t other = 0;
};

Shape ShapeOf(std::string_view s) {
  Shape shape;
  for (char c : s) {
    (IsUpper(c)   ? shape.upper
     : IsLower(c) ? shape.lower
     : IsDigit(c) ? shape.digit
                  : shape.other)++;
  }
  return shape;
}

// The 110 most frequent letter pairs of English text, a sixth of all 676:
// words and identifiers ("userProfileLoader") consist mostly of them,
// random text only for a sixth.
constexpr std::string_view kCommonBigrams =
    "th he in er an re on at en nd ti es or te of ed is it al ar st to nt ng se ha as ou io le "
    "ve co me de hi ri ro ic ne ea ra ce li ch ll be ma si om ur ca el ta la ns di fo ho pe ec "
    "pr no ct us ac ot il tr ly nc et ut ss so rs un lo wa ge ie wh ee wi em ad ol rt po we na "
    "ul ni ts mo ow pa im mi ai sh ir su id os iv ia am fi ci vi";

struct BigramTable {
  std::array<bool, 26 * 26> common{};
};

constexpr BigramTable MakeBigramTable() {
  BigramTable table;
  for (size_t i = 0; i + 1 < kCommonBigrams.size(); i += 3) {
    table.common[static_cast<size_t>(kCommonBigrams[i] - 'a') * 26 +
                 static_cast<size_t>(kCommonBigrams[i + 1] - 'a')] = true;
  }
  return table;
}
constexpr BigramTable kBigrams = MakeBigramTable();

// True when the token reads as words: at least five letter pairs (case
// folded; not across a camelCase boundary), half or more of them common
// in English.
bool ReadsAsWords(std::string_view s) {
  size_t pairs = 0;
  size_t common = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    const char a = s[i - 1];
    const char b = s[i];
    if (!IsAlpha(a) || !IsAlpha(b) || (IsLower(a) && IsUpper(b))) continue;
    ++pairs;
    common +=
        kBigrams
            .common[static_cast<size_t>(Lower(a) - 'a') * 26 + static_cast<size_t>(Lower(b) - 'a')];
  }
  return pairs >= 5 && common * 2 >= pairs;
}

// Random-looking, for the body of a token whose prefix alone is too common
// to decide (sk-): a digit and letters, not words ("sk-learn-tutorial-2").
bool LooksRandom(std::string_view s) {
  const Shape shape = ShapeOf(s);
  return shape.digit > 0 && shape.upper + shape.lower > 0 && !ReadsAsWords(s);
}

// The Shannon entropy (bits per character) below which a token of length n
// is not random enough: about 0.6 bit under what random base62 text of that
// length reaches (measured in capture_test's calibration case).
double EntropyThreshold(size_t n) {
  if (n < 24) return 3.5;
  if (n < 32) return 3.7;
  if (n < 48) return 4.0;
  if (n < 64) return 4.3;
  return 4.5;
}

int Base64Value(char c) {
  if (IsUpper(c)) return c - 'A';
  if (IsLower(c)) return c - 'a' + 26;
  if (IsDigit(c)) return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// True when `s`, read as base64 (standard or url alphabet), decodes to text:
// base64 of prose or JSON is not a secret, random bytes are.
bool DecodesToText(std::string_view s) {
  std::string bytes;
  uint32_t buffer = 0;
  int bits = 0;
  for (char c : s) {
    if (c == '=') break;
    const int v = Base64Value(c);
    if (v < 0) return false;
    buffer = (buffer << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  if (bytes.size() < 12) return false;
  size_t text = 0;
  for (char b : bytes) {
    const unsigned char u = static_cast<unsigned char>(b);
    if ((u >= 0x20 && u < 0x7F) || u == '\n' || u == '\t' || u == '\r') ++text;
  }
  return text * 10 >= bytes.size() * 9;
}

// Beginnings of base64 that are files, not keys (data of images and
// archives pasted into a conversation). MII: DER (certificates, public
// keys; private keys have their own rule).
constexpr std::array<std::string_view, 11> kFileMagic = {
    "iVBORw0KGgo", "/9j/",    "R0lGOD", "UklGR",       "JVBERi0", "UEsDB",
    "H4sI",        "PD94bWw", "PHN2Zy", "AAAAIGZ0eXA", "MII",
};
// Content digests, which are high-entropy by design.
constexpr std::array<std::string_view, 5> kDigestPrefixes = {"sha1-", "sha256-", "sha384-",
                                                             "sha512-", "md5-"};

// ------------------------------------------------- names and placeholders
// The last word of a name that says its value is secret.
constexpr std::array<std::string_view, 13> kSecretWords = {
    "password",   "passwd",      "pwd",  "passphrase",    "passcode", "secret",     "token",
    "credential", "credentials", "auth", "authorization", "apikey",   "privatekey",
};
// Words before "key" that make it a secret key (api_key, SECRET_KEY...).
constexpr std::array<std::string_view, 15> kKeyQualifiers = {
    "api",     "access", "private", "secret",   "client",  "signing", "encryption", "master",
    "account", "auth",   "app",     "consumer", "license", "service", "shared",
};
// A first word that makes the name a count or a limit (max_tokens).
constexpr std::array<std::string_view, 6> kCountWords = {"max", "min",   "num",
                                                         "n",   "count", "total"};
// One-word names ending with these are secret too (PGPASSWORD, clientsecret).
constexpr std::array<std::string_view, 7> kSecretSuffixes = {
    "password", "passwd", "secret", "token", "apikey", "secretkey", "privatekey",
};

template <size_t N>
bool Contains(const std::array<std::string_view, N>& table, std::string_view word) {
  return std::find(table.begin(), table.end(), word) != table.end();
}

// Splits an identifier into lowercase words at '_', '-', '.', and
// camelCase boundaries ("APIKey" -> api, key).
std::vector<std::string> SplitWords(std::string_view name) {
  std::vector<std::string> words;
  std::string word;
  for (size_t i = 0; i < name.size(); ++i) {
    const char c = name[i];
    if (!IsAlnum(c)) {
      if (!word.empty()) words.push_back(std::move(word));
      word.clear();
      continue;
    }
    const bool boundary = !word.empty() && IsUpper(c) &&
                          (IsLower(name[i - 1]) || IsDigit(name[i - 1]) ||
                           (IsUpper(name[i - 1]) && i + 1 < name.size() && IsLower(name[i + 1])));
    if (boundary) {
      words.push_back(std::move(word));
      word.clear();
    }
    word.push_back(Lower(c));
  }
  if (!word.empty()) words.push_back(std::move(word));
  return words;
}

enum class NameClass { kNone, kPassword, kSecret };

NameClass ClassifyName(std::string_view name) {
  const std::vector<std::string> words = SplitWords(name);
  if (words.empty()) return NameClass::kNone;
  if (words.size() > 1 && Contains(kCountWords, words.front())) return NameClass::kNone;
  const std::string& last = words.back();
  auto password_like = [](std::string_view w) {
    return EndsWith(w, "password") || EndsWith(w, "passwd") || w == "pwd" || w == "passphrase" ||
           w == "passcode" || w == "pass";
  };
  if (Contains(kSecretWords, last)) {
    return password_like(last) ? NameClass::kPassword : NameClass::kSecret;
  }
  if (last == "pass" && words.size() >= 2) return NameClass::kPassword;
  if (last == "key" && words.size() >= 2 && Contains(kKeyQualifiers, words[words.size() - 2])) {
    return NameClass::kSecret;
  }
  if (words.size() == 1) {
    for (std::string_view suffix : kSecretSuffixes) {
      if (last.size() > suffix.size() && EndsWith(last, suffix)) {
        return password_like(last) ? NameClass::kPassword : NameClass::kSecret;
      }
    }
  }
  return NameClass::kNone;
}

// Values that stand for a secret without being one. Decision: well-known
// defaults (changeme, changeit) are placeholders too: they are documented,
// not secret, and masking them would hide what a config file says.
constexpr std::array<std::string_view, 40> kPlaceholderWords = {
    "changeme", "change_me", "change-me", "changeit",    "password", "passwd",    "secret",
    "token",    "example",   "sample",    "placeholder", "dummy",    "fake",      "redacted",
    "masked",   "hidden",    "none",      "null",        "nil",      "undefined", "empty",
    "true",     "false",     "yes",       "no",          "on",       "off",       "todo",
    "tbd",      "n/a",       "na",        "test",        "testing",  "value",     "string",
    "str",      "required",  "optional",  "default",     "secure",
};
constexpr std::array<std::string_view, 10> kPlaceholderParts = {
    "example",  "placeholder", "xxxx",  "****",  "changeme",
    "redacted", "dummy",       "your_", "your-", "<",
};

bool IsPlaceholder(std::string_view value) {
  while (!value.empty() && IsSpace(value.front())) value.remove_prefix(1);
  while (!value.empty() && IsSpace(value.back())) value.remove_suffix(1);
  if (value.empty()) return true;
  // References and templates: ${VAR} $VAR %VAR% {{ x }} <x> [x] (x) @x.
  if (std::strchr("$%{<[(@", value.front()) != nullptr) return true;
  // Masks: ***, xxxx, ...., ----, ????.
  if (value.find_first_not_of("*xX.#-_?") == std::string_view::npos) return true;
  const std::string lower = LowerCopy(value);
  if (Contains(kPlaceholderWords, lower)) return true;
  if (StartsWith(lower, "your") || StartsWith(lower, "my-") || StartsWith(lower, "my_") ||
      StartsWith(lower, "insert") || StartsWith(lower, "replace") || StartsWith(lower, "enter")) {
    return true;
  }
  for (std::string_view part : kPlaceholderParts) {
    if (lower.find(part) != std::string::npos) return true;
  }
  return false;
}

bool IsPathOrUrl(std::string_view value) {
  return StartsWith(value, "/") || StartsWith(value, "~/") || StartsWith(value, "./") ||
         StartsWith(value, "../") || value.find("://") != std::string_view::npos;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), IsDigit);
}

// a.b.c: a member access in code (self.token, process.env.API_KEY).
bool IsDottedIdentifier(std::string_view s) {
  bool start = true;
  bool dotted = false;
  for (char c : s) {
    if (c == '.') {
      if (start) return false;
      start = true;
      dotted = true;
    } else if (IsAlpha(c) || c == '_' || c == '$' || (!start && IsDigit(c))) {
      start = false;
    } else {
      return false;
    }
  }
  return dotted && !start;
}

// snake_case variable names (token=access_token) are code, not values.
bool IsSnakeIdentifier(std::string_view s) {
  if (s.empty() || IsDigit(s.front()) || s.find('_') == std::string_view::npos) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return IsLower(c) || IsDigit(c) || c == '_'; });
}

// How an assigned value was written.
enum class ValueForm {
  kQuoted,  // "value" / 'value', or a JSON member's string
  kEquals,  // NAME=value
  kColon,   // name: value (YAML, headers, prose)
};

bool AcceptValue(std::string_view value, ValueForm form, char next) {
  if (value.empty() || IsPlaceholder(value) || IsPathOrUrl(value)) return false;
  if (StartsWith(value, kMarkerPrefix)) return false;
  if (AllDigits(value) && (form == ValueForm::kColon || value.size() < 6)) return false;
  if (form == ValueForm::kQuoted) return true;
  if (next == '(' || next == '[') return false;  // a call or an index: code
  if (value.size() < 3 || IsDottedIdentifier(value) || IsSnakeIdentifier(value)) return false;
  if (form == ValueForm::kEquals) return true;
  // `name: value` also reads as prose ("Token: expired"): the value must
  // look like a credential.
  if (value.size() < 4) return false;
  const Shape shape = ShapeOf(value);
  const bool mixed_case =
      shape.lower > 0 && (shape.upper > 1 || (shape.upper == 1 && !IsUpper(value[0])));
  return shape.digit > 0 || shape.other > 0 || mixed_case || value.size() >= 16;
}

// ------------------------------------------------------------- the rules
enum class Check : uint8_t {
  kNone,
  kRandom,  // the checked group must look random (LooksRandom)
  kValue,   // the masked group must not be a placeholder nor only digits
  kBearer,  // kValue, and a digit or mixed case
};

struct PatternRule {
  Kind kind;
  // '|'-separated literals one of which must occur for the pattern to run
  // at all ("" = always run): most text holds none, and a substring search
  // is cheaper than a regex pass.
  const char* needles;
  const char* pattern;  // RE2 syntax
  int mask_group;       // the group masked; 0 = the whole match
  int check_group;      // the group Check looks at
  bool boundaries;      // the whole match must start and end a token
  Check check;
};

constexpr PatternRule kPatternRules[] = {
    {kAwsAccessKey, "AKIA|ASIA|ABIA|ACCA", "(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}", 0, 0, true,
     Check::kNone},
    {kAwsSecretKey, "ecret|ECRET",
     R"((?i)aws_?secret_?(?:access_?)?key\\*["']?[ \t]*[:=][ \t]*\\*["']?([A-Za-z0-9/+]{40})(?:[^A-Za-z0-9/+=]|$))",
     1, 1, false, Check::kNone},
    {kGithubToken, "gh", "gh[pousr]_[A-Za-z0-9]{36,251}", 0, 0, true, Check::kNone},
    {kGithubToken, "github_pat_", "github_pat_[A-Za-z0-9_]{50,}", 0, 0, true, Check::kNone},
    {kGitlabToken, "gl", "gl(?:pat|ptt|dt|rt|cbt|imt|soat|ft|agent|oas)-[A-Za-z0-9_-]{20,}", 0, 0,
     true, Check::kNone},
    {kSlackToken, "xox", "xox[abposre]-[A-Za-z0-9-]{10,}", 0, 0, true, Check::kNone},
    {kSlackToken, "xapp-", "xapp-[0-9]+-[A-Za-z0-9-]{10,}", 0, 0, true, Check::kNone},
    {kWebhook, "hooks.slack.com",
     R"(hooks\.slack\.com/(?:services|workflows|triggers)/([A-Za-z0-9/_+-]{16,}))", 1, 1, false,
     Check::kNone},
    {kWebhook, "/api/webhooks/", R"(discord(?:app)?\.com/api/webhooks/([0-9]+/[A-Za-z0-9_-]{20,}))",
     1, 1, false, Check::kNone},
    {kStripeKey, "_live_|_test_", "(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,247}", 0, 0, true,
     Check::kNone},
    {kStripeKey, "whsec_", "whsec_[A-Za-z0-9+/=]{24,}", 0, 0, true, Check::kNone},
    {kAnthropicKey, "sk-ant-", "sk-ant-[A-Za-z0-9_-]{20,}", 0, 0, true, Check::kNone},
    {kOpenAiKey, "sk-", "sk-(?:proj-|svcacct-|admin-|None-)?([A-Za-z0-9_-]{20,})", 0, 1, true,
     Check::kRandom},
    {kGoogleApiKey, "AIza", "AIza[0-9A-Za-z_-]{35}", 0, 0, true, Check::kNone},
    {kGoogleOauth, "GOCSPX-", "GOCSPX-[0-9A-Za-z_-]{20,}", 0, 0, true, Check::kNone},
    {kGoogleOauth, "ya29.", R"(ya29\.[0-9A-Za-z_-]{20,})", 0, 0, true, Check::kNone},
    {kToken, "npm_", "npm_[A-Za-z0-9]{36}", 0, 0, true, Check::kNone},
    {kToken, "pypi-", "pypi-AgE[A-Za-z0-9_-]{50,}", 0, 0, true, Check::kNone},
    {kToken, "hf_", "hf_[A-Za-z0-9]{30,}", 0, 0, true, Check::kNone},
    {kToken, "SG.", R"(SG\.[A-Za-z0-9_-]{16,32}\.[A-Za-z0-9_-]{16,64})", 0, 0, true, Check::kNone},
    {kToken, "_v1_", "do[opr]_v1_[a-f0-9]{64}", 0, 0, true, Check::kNone},
    {kToken, "shp", "shp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}", 0, 0, true, Check::kNone},
    {kToken, "AGE-SECRET-KEY-1", "AGE-SECRET-KEY-1[0-9A-Z]{58}", 0, 0, true, Check::kNone},
    {kJwt, "eyJ", R"(eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]*)", 0, 0, true,
     Check::kNone},
    {kUrlPassword, "://",
     R"([A-Za-z][A-Za-z0-9+.-]{1,19}://[^\s/:@"'<>\\]{0,128}:([^\s/@"'<>\\]{1,256})@)", 1, 1, false,
     Check::kValue},
    {kCredential, "uthorization|UTHORIZATION",
     R"((?i)authorization\\*["']?[ \t]*[:=][ \t]*\\*["']?basic[ \t]+([A-Za-z0-9+/]{6,}={0,2}))", 1,
     1, false, Check::kValue},
    {kCredential, "earer|EARER", R"((?i)\bbearer[ \t]+([A-Za-z0-9._~+/=-]{12,}))", 1, 1, false,
     Check::kBearer},
    {kCredential, "-u|--user",
     R"((?:^|[\s"'])(?:-u|--user)[ =]?\\*["']?[^\s:"'$\\]{1,64}:([^\s"'@\\]{1,128}))", 1, 1, false,
     Check::kValue},
    {kCredential, "--",
     R"((?i)(?:^|[\s"'])--(?:password|passwd|pass|token|api-key|apikey|secret|client-secret|auth-token|access-token)[ \t]+([^\s"'$<{\\-][^\s"'\\]{2,}))",
     1, 1, false, Check::kValue},
};
constexpr size_t kRuleCount = sizeof(kPatternRules) / sizeof(kPatternRules[0]);

// Names followed by an assignment operator; the value is read by hand
// (AcceptValue), since what counts as one depends on how it is written.
constexpr char kAssignmentPattern[] =
    R"((?i)([a-z0-9_.-]*(?:pass|pwd|secret|token|key|auth|credential)[a-z0-9_.-]*)(\\*["'])?[ \t]*(=>|:=|=|:)[ \t]*)";
constexpr char kPrivateKeyPattern[] = "-----BEGIN[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----";

// A finding in decoded text: [begin, end) byte offsets.
struct Hit {
  size_t begin;
  size_t end;
  Kind kind;
};

std::unique_ptr<RE2> Compile(const char* pattern) {
  RE2::Options options;
  options.set_encoding(RE2::Options::EncodingLatin1);  // bytes: patterns are ASCII
  options.set_log_errors(false);
  return std::make_unique<RE2>(pattern, options);
}

}  // namespace

struct Redactor::Rules {
  // kPatternRules, each compiled the first time its needle occurs: the
  // long counted repetitions ({16,247}) make RE2 programs that take ~10 ms
  // to compile all together, most of a capture hook's time, while most
  // text holds no needle at all.
  const RE2& Pattern(size_t rule) const {
    std::call_once(once[rule], [&] { patterns[rule] = Compile(kPatternRules[rule].pattern); });
    return *patterns[rule];
  }
  mutable std::array<std::once_flag, kRuleCount> once;
  mutable std::array<std::unique_ptr<RE2>, kRuleCount> patterns;
  std::unique_ptr<RE2> assignment = Compile(kAssignmentPattern);
  std::unique_ptr<RE2> private_key = Compile(kPrivateKeyPattern);
};

namespace {

bool HasNeedle(std::string_view text, std::string_view needles) {
  if (needles.empty()) return true;
  size_t start = 0;
  while (start <= needles.size()) {
    size_t bar = needles.find('|', start);
    if (bar == std::string_view::npos) bar = needles.size();
    if (text.find(needles.substr(start, bar - start)) != std::string_view::npos) return true;
    start = bar + 1;
  }
  return false;
}

size_t Offset(std::string_view text, const re2::StringPiece& piece) {
  return static_cast<size_t>(piece.data() - text.data());
}

// Finds every non-overlapping match of `re` in `text`; `accept` gets the
// groups and returns true to take the match (the search goes on after it)
// or false (it goes on one byte after the match's start).
template <typename Accept>
void ForEachMatch(const RE2& re, std::string_view text, int groups, const Accept& accept) {
  std::array<re2::StringPiece, 5> g;
  const re2::StringPiece piece(text.data(), text.size());
  size_t pos = 0;
  while (pos <= text.size() &&
         re.Match(piece, pos, text.size(), RE2::UNANCHORED, g.data(), groups)) {
    const size_t begin = Offset(text, g[0]);
    const size_t end = begin + g[0].size();
    pos = accept(g) && end > begin ? end : begin + 1;
  }
}

// `pattern(r)`: the compiled kPatternRules[r].
template <typename PatternOf>
void ScanPatterns(const PatternOf& pattern, std::string_view s, std::vector<Hit>* hits) {
  for (size_t r = 0; r < kRuleCount; ++r) {
    const PatternRule& rule = kPatternRules[r];
    if (!HasNeedle(s, rule.needles) || !pattern(r).ok()) continue;
    const int groups = std::max(rule.mask_group, rule.check_group) + 1;
    ForEachMatch(pattern(r), s, groups, [&](const std::array<re2::StringPiece, 5>& g) {
      const size_t begin = Offset(s, g[0]);
      if (rule.boundaries && (!StartsToken(s, begin) || !EndsToken(s, begin + g[0].size()))) {
        return false;
      }
      const re2::StringPiece& masked = g[static_cast<size_t>(rule.mask_group)];
      const std::string_view checked(g[static_cast<size_t>(rule.check_group)].data(),
                                     g[static_cast<size_t>(rule.check_group)].size());
      if (masked.data() == nullptr || masked.empty()) return false;
      switch (rule.check) {
        case Check::kNone:
          break;
        case Check::kRandom:
          if (!LooksRandom(checked)) return false;
          break;
        case Check::kValue:
        case Check::kBearer: {
          if (IsPlaceholder(checked) || AllDigits(checked) || StartsWith(checked, kMarkerPrefix)) {
            return false;
          }
          if (rule.check == Check::kBearer) {
            const Shape shape = ShapeOf(checked);
            if (shape.digit == 0 && (shape.upper == 0 || shape.lower == 0)) return false;
          }
          break;
        }
      }
      const size_t mb = Offset(s, masked);
      hits->push_back({mb, mb + masked.size(), rule.kind});
      return true;
    });
  }
}

// The separators between the lines of a key block: real whitespace, or the
// `\n` of a text that is itself a JSON or code string.
size_t SkipKeySeparators(std::string_view s, size_t p) {
  while (p < s.size()) {
    if (IsSpace(s[p])) {
      ++p;
    } else if (s[p] == '\\' && p + 1 < s.size() && (s[p + 1] == 'n' || s[p + 1] == 'r')) {
      p += 2;
    } else {
      break;
    }
  }
  return p;
}

// Private-key blocks: the body between the BEGIN and END lines. A block
// cut short (no END in this text) is masked through its last base64 line.
void ScanPrivateKeys(const RE2& begin_line, std::string_view s, std::vector<Hit>* hits) {
  if (s.find("PRIVATE KEY") == std::string_view::npos) return;
  ForEachMatch(begin_line, s, 1, [&](const std::array<re2::StringPiece, 5>& g) {
    const size_t body = Offset(s, g[0]) + g[0].size();
    size_t end_line = s.find("-----END", body);
    if (end_line != std::string_view::npos && end_line - body <= 64 * 1024) {
      if (end_line > body) hits->push_back({body, end_line, kPrivateKey});
      return true;
    }
    size_t masked_to = body;
    size_t p = SkipKeySeparators(s, body);
    while (p < s.size()) {
      size_t word_end = p;
      while (word_end < s.size() && !IsSpace(s[word_end]) && s[word_end] != '\\') ++word_end;
      const std::string_view word = s.substr(p, word_end - p);
      const bool base64 =
          std::all_of(word.begin(), word.end(), [](char c) { return IsBase64(c) || c == '='; });
      const bool header = StartsWith(word, "Proc-Type:") || StartsWith(word, "DEK-Info:") ||
                          StartsWith(word, "Comment:");
      if (header) {
        // The header's value runs to the end of its line.
        while (word_end < s.size() && s[word_end] != '\n' && s[word_end] != '\\') ++word_end;
      } else if (!base64 || (word.size() < 16 && word.find('=') == std::string_view::npos)) {
        break;
      }
      masked_to = word_end;
      p = SkipKeySeparators(s, word_end);
    }
    if (masked_to > body) hits->push_back({body, masked_to, kPrivateKey});
    return true;
  });
}

// A 40-character base64 run near an AWS access key id is its secret key
// (credentials files, `aws configure` output, CSV exports).
void ScanAwsSecretsNearKeyIds(std::string_view s, std::vector<Hit>* hits) {
  const size_t count = hits->size();
  for (size_t h = 0; h < count; ++h) {
    if ((*hits)[h].kind != kAwsAccessKey) continue;
    const size_t from = (*hits)[h].begin > 256 ? (*hits)[h].begin - 256 : 0;
    const size_t to = std::min(s.size(), (*hits)[h].end + 256);
    size_t p = from;
    while (p < to) {
      if (!IsBase64(s[p])) {
        ++p;
        continue;
      }
      size_t e = p;
      while (e < s.size() && IsBase64(s[e])) ++e;
      const bool bounded = (p == 0 || s[p - 1] != '=') && (e >= s.size() || s[e] != '=');
      if (e - p == 40 && bounded) {
        const std::string_view token = s.substr(p, 40);
        const Shape shape = ShapeOf(token);
        if (shape.upper > 0 && shape.lower > 0 && (shape.digit > 0 || shape.other > 0)) {
          hits->push_back({p, e, kAwsSecretKey});
        }
      }
      p = e;
    }
  }
}

struct Value {
  size_t begin = 0;
  size_t end = 0;
  ValueForm form = ValueForm::kEquals;
  char next = '\0';  // the byte after an unquoted value
};

// True at the '&' of a URL query's next parameter ("&name="): it ends the
// value before it. Any other '&' is part of the value.
bool StartsQueryParameter(std::string_view s, size_t p) {
  if (s[p] != '&') return false;
  size_t q = p + 1;
  while (q < s.size() && IsWordChar(s[q])) ++q;
  return q > p + 1 && q < s.size() && s[q] == '=';
}

// Reads the value that starts at s[p] (after the operator and blanks).
Value ReadValue(std::string_view s, size_t p, bool colon) {
  Value v;
  size_t q = p;
  while (q < s.size() && s[q] == '\\') ++q;
  if (q < s.size() && (s[q] == '"' || s[q] == '\'' || s[q] == '`')) {
    const char quote = s[q];
    v.begin = q + 1;
    size_t e = v.begin;
    while (e < s.size() && s[e] != quote && s[e] != '\n' && e - v.begin <= 512) ++e;
    while (e > v.begin && s[e - 1] == '\\') --e;  // the backslashes of an escaped closing quote
    v.end = e;
    v.form = ValueForm::kQuoted;
    return v;
  }
  v.begin = p;
  size_t e = p;
  while (e < s.size() && !IsSpace(s[e]) && std::strchr(",;)}]\"'<>`\\([", s[e]) == nullptr &&
         !StartsQueryParameter(s, e) && e - p < 256) {
    ++e;
  }
  v.end = e;
  v.next = e < s.size() ? s[e] : '\0';
  v.form = colon ? ValueForm::kColon : ValueForm::kEquals;
  return v;
}

Kind KindOf(NameClass name) { return name == NameClass::kPassword ? kPassword : kSecret; }

void ScanAssignments(const RE2& assignment, std::string_view s, std::vector<Hit>* hits) {
  if (s.find_first_of(":=") == std::string_view::npos) return;
  ForEachMatch(assignment, s, 4, [&](const std::array<re2::StringPiece, 5>& g) {
    const size_t begin = Offset(s, g[1]);
    if (!StartsToken(s, begin)) return false;
    // Not the tail of a longer name (x-access-token), and not the user of
    // scheme://user:password@, which is the URL rule's.
    if (begin > 0 && (s[begin - 1] == '-' || s[begin - 1] == '.')) return false;
    if (begin >= 2 && s.substr(begin - 2, 2) == "//") return false;
    std::string_view name(g[1].data(), g[1].size());
    while (!name.empty() && !IsAlnum(name.front())) name.remove_prefix(1);  // --password, .token
    const NameClass name_class = ClassifyName(name);
    if (name_class == NameClass::kNone) return false;
    const std::string_view op(g[3].data(), g[3].size());
    const size_t after = Offset(s, g[0]) + g[0].size();
    if (op == "=" && after < s.size() && s[after] == '=') return false;  // ==: a comparison
    const Value v = ReadValue(s, after, op == ":");
    const std::string_view value = s.substr(v.begin, v.end - v.begin);
    if (!AcceptValue(value, v.form, v.next)) return true;  // nothing to mask; go on after it
    hits->push_back({v.begin, v.end, KindOf(name_class)});
    return true;
  });
}

// One candidate of the high-entropy check, already cut to its token.
bool HighEntropy(std::string_view t) {
  const size_t n = t.size();
  if (n < 20 || n > 256) return false;
  if (t.find_first_not_of("0123456789abcdefABCDEF-") == std::string_view::npos) {
    return false;  // hex: git SHAs, digests, UUIDs
  }
  // Prefixed ids (toolu_01..., msg_..., req_..., call_..., chatcmpl-...,
  // kebab-case names): a lowercase word, then '_' or '-'. Secrets with
  // such prefixes have their own rules above.
  size_t word = 0;
  while (word < n && IsLower(t[word])) ++word;
  if (word >= 2 && word <= 12 && word < n && (t[word] == '_' || t[word] == '-')) return false;
  const Shape shape = ShapeOf(t);
  if (shape.digit == 0 || shape.upper + shape.lower == 0) return false;
  if (shape.other * 100 > n * 15) return false;  // structured: words and separators
  if (ReadsAsWords(t)) return false;
  if (ShannonEntropy(t) < EntropyThreshold(n)) return false;
  return !DecodesToText(t);
}

bool IsDataToken(std::string_view token) {
  for (std::string_view prefix : kDigestPrefixes) {
    if (StartsWith(token, prefix)) return true;
  }
  for (std::string_view magic : kFileMagic) {
    if (StartsWith(token, magic)) return true;
  }
  return false;
}

// A token with '/' is read as a path, component by component, when it
// starts at a root ('/', "~/", "./") or one of its components is a
// lowercase word (src, lib, pod): random base64 seldom has one.
bool IsPathLike(std::string_view token, char before) {
  if (token.find('/') == std::string_view::npos) return false;
  if (token.front() == '/' || before == '~' || before == '.') return true;
  size_t start = 0;
  while (start <= token.size()) {
    size_t slash = token.find('/', start);
    if (slash == std::string_view::npos) slash = token.size();
    const std::string_view part = token.substr(start, slash - start);
    if (part.size() >= 2 && part.size() <= 16 && std::all_of(part.begin(), part.end(), IsLower)) {
      return true;
    }
    start = slash + 1;
  }
  return false;
}

void ScanEntropy(std::string_view s, std::vector<Hit>* hits) {
  size_t p = 0;
  while (p < s.size()) {
    if (!IsTokenChar(s[p])) {
      ++p;
      continue;
    }
    size_t begin = p;
    size_t end = p;
    while (end < s.size() && IsTokenChar(s[end])) ++end;
    p = end;
    // The letter of a backslash escape (`\n` in text decoded once) is not
    // part of the token.
    if (begin > 0 && s[begin - 1] == '\\') {
      if (s[begin] == 'u' && end - begin >= 5) {
        begin += 5;
      } else if (std::strchr("ntrbf/", s[begin]) != nullptr) {
        begin += 1;
      }
    }
    // Long blobs (images, signatures, encrypted reasoning) are data, not
    // keys; so are digests and files, whatever '/' they hold. Before the
    // token: go.sum's "h1:" and data: URIs.
    if (end - begin < 20 || end - begin > 256) continue;
    const std::string_view token = s.substr(begin, end - begin);
    const std::string_view before = s.substr(0, begin);
    if (EndsWith(before, "h1:") || EndsWith(before, "base64,") || IsDataToken(token)) continue;
    if (!IsPathLike(token, begin > 0 ? s[begin - 1] : '\0')) {
      if (HighEntropy(token)) hits->push_back({begin, end, kHighEntropy});
      continue;
    }
    // A path: each component on its own (a random directory name still counts).
    size_t c = begin;
    while (c < end) {
      size_t slash = c;
      while (slash < end && s[slash] != '/') ++slash;
      if (HighEntropy(s.substr(c, slash - c))) hits->push_back({c, slash, kHighEntropy});
      c = slash + 1;
    }
  }
}

// A text to search: the decoded content of one JSON string, or a whole
// line that is not JSON.
struct Text {
  std::string_view bytes;
  const std::vector<uint32_t>* map;  // raw offset of each byte, then the end; null: identity
  size_t raw_base;                   // with identity: raw offset of bytes[0]
  size_t Raw(size_t i) const { return map != nullptr ? (*map)[i] : raw_base + i; }
};

// A masked range of the raw line.
struct Span {
  size_t begin;
  size_t end;
  Kind kind;
};

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool ParseHex4(std::string_view s, size_t p, uint32_t* value) {
  if (p + 4 > s.size()) return false;
  uint32_t v = 0;
  for (size_t i = p; i < p + 4; ++i) {
    if (!IsHex(s[i])) return false;
    const char c = Lower(s[i]);
    v = v * 16 + static_cast<uint32_t>(IsDigit(c) ? c - '0' : c - 'a' + 10);
  }
  *value = v;
  return true;
}

// Decodes the content of a JSON string, line[begin, end), into *out; every
// decoded byte maps to the raw offset of the escape it came from, so that a
// range of decoded bytes always maps to whole escapes.
void DecodeJsonString(std::string_view line, size_t begin, size_t end, std::string* out,
                      std::vector<uint32_t>* map) {
  out->clear();
  map->clear();
  size_t p = begin;
  while (p < end) {
    const size_t start = p;
    if (line[p] != '\\' || p + 1 >= end) {
      out->push_back(line[p++]);
    } else {
      const char e = line[p + 1];
      static constexpr std::string_view kFrom = "\"\\/bfnrt";
      static constexpr std::string_view kTo = "\"\\/\b\f\n\r\t";
      uint32_t cp = 0;
      if (const size_t k = kFrom.find(e); k != std::string_view::npos) {
        out->push_back(kTo[k]);
        p += 2;
      } else if (e == 'u' && ParseHex4(line, p + 2, &cp) && p + 6 <= end) {
        p += 6;
        uint32_t low = 0;
        if (cp >= 0xD800 && cp < 0xDC00 && p + 6 <= end && line[p] == '\\' && line[p + 1] == 'u' &&
            ParseHex4(line, p + 2, &low) && low >= 0xDC00 && low < 0xE000) {
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          p += 6;
        }
        AppendUtf8(cp, out);
      } else {
        out->push_back(line[p++]);  // not an escape JSON knows: kept as it is
      }
    }
    map->resize(out->size(), static_cast<uint32_t>(start));
  }
  map->push_back(static_cast<uint32_t>(end));
}

}  // namespace

Redactor::Redactor(const RedactOptions& options)
    : rules_(std::make_unique<Rules>()), options_(options) {}

Redactor::~Redactor() = default;

bool Redactor::ok() const {
  bool ok = rules_->assignment->ok() && rules_->private_key->ok();
  for (size_t r = 0; r < kRuleCount; ++r) ok = rules_->Pattern(r).ok() && ok;
  return ok;
}

std::string Redactor::Redact(std::string_view line, RedactStats* stats) const {
  std::vector<Span> spans;
  std::vector<Hit> hits;
  auto scan = [&](const Text& text) {
    hits.clear();
    ScanPatterns([this](size_t r) -> const RE2& { return rules_->Pattern(r); }, text.bytes, &hits);
    ScanPrivateKeys(*rules_->private_key, text.bytes, &hits);
    ScanAwsSecretsNearKeyIds(text.bytes, &hits);
    ScanAssignments(*rules_->assignment, text.bytes, &hits);
    if (options_.high_entropy) ScanEntropy(text.bytes, &hits);
    for (const Hit& hit : hits) spans.push_back({text.Raw(hit.begin), text.Raw(hit.end), hit.kind});
  };

  const size_t first = line.find_first_not_of(" \t\r");
  const bool json = first != std::string_view::npos && (line[first] == '{' || line[first] == '[');
  if (!json) {
    scan(Text{line, nullptr, 0});
  } else {
    std::string decoded;
    std::vector<uint32_t> map;
    std::string key;                           // the last member name
    size_t value_at = std::string_view::npos;  // where that member's value starts
    size_t p = first;
    while (p < line.size()) {
      if (line[p] != '"') {
        ++p;
        continue;
      }
      const size_t begin = p + 1;
      size_t end = begin;
      bool escaped = false;
      while (end < line.size() && line[end] != '"') {
        if (line[end] == '\\') {
          escaped = true;
          end = std::min(end + 2, line.size());
        } else {
          ++end;
        }
      }
      Text text{line.substr(begin, end - begin), nullptr, begin};
      if (escaped) {
        DecodeJsonString(line, begin, end, &decoded, &map);
        text = Text{decoded, &map, begin};
      }
      scan(text);
      // A member whose name says secret: its whole string value.
      if (p == value_at) {
        const NameClass name_class = ClassifyName(key);
        if (name_class != NameClass::kNone && AcceptValue(text.bytes, ValueForm::kQuoted, '\0')) {
          spans.push_back({begin, end, KindOf(name_class)});
        }
      }
      size_t after = end + 1;
      while (after < line.size() && IsSpace(line[after])) ++after;
      value_at = std::string_view::npos;
      if (after < line.size() && line[after] == ':') {
        key.assign(text.bytes);
        ++after;
        while (after < line.size() && IsSpace(line[after])) ++after;
        value_at = after;
      }
      p = end + 1;
    }
  }

  if (stats != nullptr) ++stats->lines;
  if (spans.empty()) return std::string(line);
  std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) {
    return a.begin != b.begin ? a.begin < b.begin : a.end > b.end;
  });
  std::vector<Span> merged;
  for (const Span& span : spans) {
    if (span.end <= span.begin) continue;
    if (!merged.empty() && span.begin < merged.back().end) {
      merged.back().end = std::max(merged.back().end, span.end);
      merged.back().kind = std::min(merged.back().kind, span.kind);
    } else {
      merged.push_back(span);
    }
  }
  std::string out;
  out.reserve(line.size());
  size_t copied = 0;
  uint64_t written = 0;
  for (const Span& span : merged) {
    const std::string marker = std::string(kMarkerPrefix) + kKindNames[span.kind] + "]";
    out.append(line.substr(copied, span.begin - copied));
    const std::string_view old = line.substr(span.begin, span.end - span.begin);
    // An earlier redaction found again: not a new secret.
    if (!(StartsWith(old, kMarkerPrefix) && old.back() == ']' && old.find(']') == old.size() - 1)) {
      ++written;
      if (stats != nullptr) ++stats->by_kind[kKindNames[span.kind]];
    }
    out.append(StartsWith(old, kMarkerPrefix) && old.find(']') == old.size() - 1 ? old : marker);
    copied = span.end;
  }
  out.append(line.substr(copied));
  if (stats != nullptr && written > 0) {
    ++stats->redacted_lines;
    stats->secrets += written;
  }
  return out;
}

std::string Redact(std::string_view line, RedactStats* stats) {
  static const Redactor redactor;  // immutable once built
  return redactor.Redact(line, stats);
}

}  // namespace memhook::interceptor
