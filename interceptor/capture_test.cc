// Session capture, redaction, the SessionStart context and summaries.
//
//  * Redaction: a corpus of real-looking secrets (generated here in their
//    providers' formats, none real), each in five settings (a JSON string,
//    next to JSON escapes, a plain line, JSON inside JSON, a tool result),
//    must be masked with the line staying valid JSON; a corpus of
//    look-alikes (git SHAs, UUIDs, digests, ids, paths, prose) must come
//    back byte for byte.
//  * Capture: offsets, partial lines, a month path that stays, truncation
//    and replacement, the ignore switches, two processes capturing the same
//    session for 100 rounds, and the bytes one more line costs after a 50 MB
//    transcript.
//  * Summaries with stub commands: one that works, fails, prints nothing,
//    sleeps past the limit; the detached drainer, one at a time.
//
// The binary is also the drainer the detached tests start: `capture_test
// summarize --queue` runs RunSummarize as `memhook summarize` would.
#define DOCTEST_CONFIG_IMPLEMENT
#include "interceptor/capture.h"

#include <doctest/doctest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "interceptor/redact.h"

namespace memhook::interceptor {
namespace {

namespace fs = std::filesystem;
using Json = nlohmann::json;
using vfs::Status;
using Code = vfs::Status::Code;

// 2026-01-15T12:00:00Z and neighbours, in nanoseconds.
constexpr int64_t kJan15 = int64_t{1768478400} * 1000000000;
constexpr int64_t kJan31Late = int64_t{1769903999} * 1000000000;  // 2026-01-31T23:59:59Z
constexpr int64_t kFeb1 = int64_t{1769904000} * 1000000000;       // 2026-02-01T00:00:00Z

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "memhook-capture-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

void WriteHostFile(const std::string& path, const std::string& bytes, bool append = false) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream out(path, std::ios::binary | (append ? std::ios::app : std::ios::trunc));
  out << bytes;
  REQUIRE(out.good());
}

std::string ReadHostFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

std::unique_ptr<vfs::Store> OpenStore(const std::string& db) {
  Status status;
  std::unique_ptr<vfs::Store> store = vfs::OpenSqliteStore(db, vfs::StoreOptions(), &status);
  REQUIRE_MESSAGE(store != nullptr, status.message());
  return store;
}

std::string ReadStore(vfs::Store& store, const std::string& path) {
  std::string bytes;
  Status st = store.ReadFile(path, &bytes);
  return st.ok() ? bytes : "<" + st.message() + ">";
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t nl = text.find('\n', start);
    if (nl == std::string::npos) nl = text.size();
    lines.push_back(text.substr(start, nl - start));
    start = nl + 1;
  }
  return lines;
}

// Deterministic random text in a provider's alphabet.
class Gen {
 public:
  std::string From(std::string_view alphabet, size_t n) {
    std::string out;
    std::uniform_int_distribution<size_t> pick(0, alphabet.size() - 1);
    for (size_t i = 0; i < n; ++i) out += alphabet[pick(rng_)];
    return out;
  }
  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_{20260115};
};

constexpr std::string_view kUpper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
constexpr std::string_view kAlnum =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
constexpr std::string_view kBase64 =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kBase64Url =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
constexpr std::string_view kHex = "0123456789abcdef";
constexpr std::string_view kDigits = "0123456789";

std::string Base64(std::string_view bytes, bool url = false) {
  const std::string_view table = url ? kBase64Url : kBase64;
  std::string out;
  size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t v = (uint32_t(uint8_t(bytes[i])) << 16) | (uint32_t(uint8_t(bytes[i + 1])) << 8) |
                 uint8_t(bytes[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += table[(v >> s) & 63];
  }
  if (i < bytes.size()) {
    uint32_t v = uint32_t(uint8_t(bytes[i])) << 16;
    if (i + 1 < bytes.size()) v |= uint32_t(uint8_t(bytes[i + 1])) << 8;
    out += table[(v >> 18) & 63];
    out += table[(v >> 12) & 63];
    if (i + 1 < bytes.size()) out += table[(v >> 6) & 63];
    if (!url) out += i + 1 < bytes.size() ? "=" : "==";
  }
  return out;
}

// ------------------------------------------------------------ redaction
struct SecretCase {
  std::string name;
  std::string snippet;              // the text holding the secret
  std::vector<std::string> secret;  // what must be gone (each piece)
  std::vector<std::string> keep;    // what must stay (user, host, names)
};

std::vector<SecretCase> SecretCorpus() {
  Gen g;
  std::vector<SecretCase> c;
  auto add = [&c](std::string name, std::string snippet, std::vector<std::string> secret,
                  std::vector<std::string> keep = {}) {
    c.push_back({std::move(name), std::move(snippet), std::move(secret), std::move(keep)});
  };
  auto b32 = [&g](size_t n) { return g.From("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", n); };
  // AWS
  for (int i = 0; i < 3; ++i) {
    const std::string id = "AKIA" + b32(16);
    add("aws key id " + std::to_string(i), "aws_access_key_id = " + id, {id},
        {"aws_access_key_id"});
  }
  {
    const std::string id = "ASIA" + b32(16);
    add("aws session key id", "Using credentials " + id + " for the upload", {id},
        {"Using credentials"});
  }
  {
    const std::string secret = g.From(kBase64, 40);
    add("aws secret named", "aws_secret_access_key = " + secret, {secret},
        {"aws_secret_access_key"});
  }
  {
    const std::string secret = g.From(kBase64, 40);
    add("aws secret env", "export AWS_SECRET_ACCESS_KEY=" + secret, {secret},
        {"export AWS_SECRET_ACCESS_KEY="});
  }
  {
    const std::string id = "AKIA" + b32(16);
    const std::string secret =
        g.From(kAlnum, 20) + "/" + g.From(kAlnum, 9) + "+" + g.From(kAlnum, 9);
    add("aws csv pair", "User name,Access key ID,Secret access key\ndeploy," + id + "," + secret,
        {id, secret}, {"deploy,"});
  }
  // GitHub
  for (const char* prefix : {"ghp_", "gho_", "ghu_", "ghs_", "ghr_"}) {
    const std::string token = prefix + g.From(kAlnum, 36);
    add(std::string("github ") + prefix,
        "git clone https://x-access-token:" + token + "@github.com/o/r.git", {token},
        {"github.com/o/r.git"});
  }
  {
    const std::string token = "github_pat_" + g.From(kAlnum, 22) + "_" + g.From(kAlnum, 59);
    add("github fine-grained", "GH_TOKEN=" + token + " gh pr list", {token}, {"gh pr list"});
  }
  {
    const std::string token = "ghp_" + g.From(kAlnum, 36);
    add("github in prose", "My token is " + token + ", please use it.", {token}, {"please use it"});
  }
  // GitLab
  {
    const std::string token = "glpat-" + g.From(kBase64Url, 20);
    add("gitlab pat",
        "curl --header \"PRIVATE-TOKEN: " + token + "\" https://gitlab.com/api/v4/projects",
        {token}, {"https://gitlab.com/api/v4/projects"});
  }
  // Slack
  for (const char* prefix : {"xoxb-", "xoxp-", "xoxa-", "xoxr-", "xoxs-"}) {
    const std::string token =
        prefix + g.From(kDigits, 12) + "-" + g.From(kDigits, 13) + "-" + g.From(kAlnum, 24);
    add(std::string("slack ") + prefix, "SLACK_BOT=" + token, {token});
  }
  {
    const std::string path = "T" + g.From("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) + "/B" +
                             g.From("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8) + "/" +
                             g.From(kAlnum, 24);
    add("slack webhook", "post to https://hooks.slack.com/services/" + path + " when done", {path},
        {"https://hooks.slack.com/services/", "when done"});
  }
  // Stripe
  for (const char* prefix : {"sk_live_", "rk_live_", "sk_test_"}) {
    const std::string key = prefix + g.From(kAlnum, 24);
    add(std::string("stripe ") + prefix, "Stripe.api_key = '" + key + "'", {key});
  }
  // OpenAI, Anthropic
  {
    const std::string key = "sk-" + g.From(kAlnum, 20) + "T3BlbkFJ" + g.From(kAlnum, 20);
    add("openai legacy", "OPENAI_API_KEY=" + key, {key});
  }
  {
    const std::string key =
        "sk-proj-" + g.From(kBase64Url, 48) + "T3BlbkFJ" + g.From(kBase64Url, 48);
    add("openai project", "client = OpenAI(api_key=\"" + key + "\")", {key}, {"client = OpenAI("});
  }
  {
    const std::string key = "sk-" + g.From(kAlnum, 48);
    add("openai in prose", "try " + key + " instead", {key}, {"instead"});
  }
  {
    const std::string key = "sk-ant-api03-" + g.From(kBase64Url, 93) + "AA";
    add("anthropic", "ANTHROPIC_API_KEY=" + key, {key});
  }
  {
    const std::string key = "sk-ant-admin01-" + g.From(kBase64Url, 80);
    add("anthropic admin", "the admin key " + key + " was rotated", {key}, {"was rotated"});
  }
  // Google
  for (int i = 0; i < 2; ++i) {
    const std::string key = "AIza" + g.From(kBase64Url, 35);
    add("google api key " + std::to_string(i), "https://maps.googleapis.com/maps/api/js?key=" + key,
        {key}, {"https://maps.googleapis.com/maps/api/js?key="});
  }
  {
    const std::string secret = "GOCSPX-" + g.From(kBase64Url, 28);
    add("google oauth client secret", "\"client_secret\": \"" + secret + "\"", {secret},
        {"client_secret"});
  }
  {
    const std::string token = "ya29." + g.From(kBase64Url, 120);
    add("google oauth access token", "access_token=" + token, {token});
  }
  // Private keys
  auto pem_body = [&g](size_t lines) {
    std::string body;
    for (size_t i = 0; i < lines; ++i) body += g.From(kBase64, 64) + "\n";
    return body + g.From(kBase64, 20) + "==";
  };
  auto body_lines = [](const std::string& body) {
    std::vector<std::string> parts;
    for (const std::string& line : SplitLines(body)) {
      if (line.size() >= 16) parts.push_back(line);
    }
    return parts;
  };
  for (const char* type : {"RSA ", "EC ", "OPENSSH ", ""}) {
    const std::string body = pem_body(6);
    add(std::string("private key ") + type,
        std::string("-----BEGIN ") + type + "PRIVATE KEY-----\n" + body + "\n-----END " + type +
            "PRIVATE KEY-----",
        body_lines(body), {std::string("-----BEGIN ") + type + "PRIVATE KEY-----"});
  }
  {
    const std::string body = pem_body(5);
    add("pgp private key block",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n" + body +
            "\n-----END PGP PRIVATE KEY BLOCK-----",
        body_lines(body));
  }
  {
    const std::string body = pem_body(4);
    add("private key cut short", "-----BEGIN RSA PRIVATE KEY-----\n" + body, body_lines(body));
  }
  {
    const std::string body = pem_body(4);
    add(
        "private key in a code string",
        "KEY = \"-----BEGIN PRIVATE KEY-----\\n" +
            [&] {
              std::string escaped = body;
              for (size_t p = 0; (p = escaped.find('\n', p)) != std::string::npos; p += 2)
                escaped.replace(p, 1, "\\n");
              return escaped;
            }() +
            "\\n-----END PRIVATE KEY-----\\n\"",
        body_lines(body));
  }
  // JWTs
  for (int i = 0; i < 2; ++i) {
    const std::string jwt =
        Base64("{\"alg\":\"HS256\",\"typ\":\"JWT\"}", true) + "." +
        Base64("{\"sub\":\"" + g.From(kDigits, 10) + "\",\"name\":\"Jane\",\"iat\":1516239022}",
               true) +
        "." + g.From(kBase64Url, 43);
    add("jwt " + std::to_string(i), "Cookie: session=" + jwt, {jwt});
  }
  // Passwords in URLs
  {
    const std::string pw = g.From(kAlnum, 14);
    add("postgres url", "DATABASE_URL=postgres://admin:" + pw + "@db.example.com:5432/app", {pw},
        {"postgres://admin:", "@db.example.com:5432/app"});
  }
  {
    const std::string pw = "S3cr3t!" + g.From(kAlnum, 6);
    add("mysql url", "mysql://root:" + pw + "@localhost/shop", {pw},
        {"mysql://root:", "@localhost/shop"});
  }
  {
    const std::string pw = g.From(kAlnum, 10);
    add("redis url no user", "REDIS_URL=redis://:" + pw + "@cache:6379/0", {pw}, {"@cache:6379/0"});
  }
  {
    const std::string pw = "hunter2" + g.From(kDigits, 3);
    add("https url", "fetching https://jane:" + pw + "@example.com/private", {pw},
        {"https://jane:", "@example.com/private"});
  }
  // Assignments
  {
    const std::string pw = "Tr0ub4dor&3" + g.From(kAlnum, 3);
    add("PASSWORD=", "PASSWORD=" + pw, {pw}, {"PASSWORD="});
  }
  {
    const std::string pw = g.From(kAlnum, 12);
    add("DB_PASSWORD quoted", "DB_PASSWORD=\"" + pw + "\"", {pw}, {"DB_PASSWORD="});
  }
  {
    const std::string pw = "correct horse battery staple";
    add("password with spaces", "password = 'correct horse battery staple'", {pw},
        {"password = '"});
  }
  {
    const std::string key = g.From(kHex, 32);
    add("api_key yaml", "api_key: " + key, {key}, {"api_key: "});
  }
  {
    const std::string key = g.From(kHex, 40);
    add("x-api-key header", "X-Api-Key: " + key, {key}, {"X-Api-Key: "});
  }
  {
    const std::string token = g.From(kAlnum, 20);
    add("export token", "export NPM_AUTH_TOKEN=" + token, {token}, {"export NPM_AUTH_TOKEN="});
  }
  {
    const std::string token = g.From(kAlnum, 30);
    add("yaml token", "  token: " + token, {token}, {"token: "});
  }
  {
    const std::string token = g.From(kBase64Url, 40);
    add("bearer", "Authorization: Bearer " + token, {token}, {"Authorization: Bearer "});
  }
  {
    const std::string basic = Base64("admin:" + g.From(kAlnum, 12));
    add("basic auth", "Authorization: Basic " + basic, {basic}, {"Authorization: Basic "});
  }
  {
    const std::string pw = "Pa55w0rd" + g.From(kAlnum, 4);
    add("curl -u", "curl -u admin:" + pw + " https://api.example.com", {pw}, {"curl -u admin:"});
  }
  {
    const std::string pw = "pw" + g.From(kAlnum, 10);
    add("--password flag", "mysqldump --user root --password " + pw + " shop", {pw},
        {"--password ", " shop"});
  }
  {
    const std::string pw = g.From(kAlnum, 16);
    add("PGPASSWORD", "PGPASSWORD=" + pw + " psql -h db", {pw}, {"psql -h db"});
  }
  {
    const std::string key =
        "django-insecure-" + g.From("abcdefghijklmnopqrstuvwxyz0123456789!@#%^&*(-_=+)", 40);
    add("django SECRET_KEY", "SECRET_KEY = '" + key + "'", {key.substr(16)}, {"SECRET_KEY = '"});
  }
  {
    const std::string secret = g.From(kAlnum, 24);
    add("json client secret", "{\"clientSecret\": \"" + secret + "\"}", {secret}, {"clientSecret"});
  }
  {
    const std::string key = g.From(kBase64, 86) + "==";
    add("azure account key",
        "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=" + key +
            ";EndpointSuffix=core.windows.net",
        {key}, {"AccountName=acct", "EndpointSuffix=core.windows.net"});
  }
  // Other providers
  {
    const std::string token = "npm_" + g.From(kAlnum, 36);
    add("npm", "//registry.npmjs.org/:_authToken=" + token, {token});
  }
  {
    const std::string token = "hf_" + g.From(kAlnum, 34);
    add("huggingface", "HF_TOKEN=" + token, {token});
  }
  {
    const std::string token = "SG." + g.From(kBase64Url, 22) + "." + g.From(kBase64Url, 43);
    add("sendgrid", "sg = SendGridAPIClient('" + token + "')", {token});
  }
  {
    const std::string token = "pypi-AgEIcHlwaS5vcmc" + g.From(kBase64Url, 60);
    add("pypi", "password = " + token, {token});
  }
  {
    const std::string token = "shpat_" + g.From(kHex, 32);
    add("shopify", "X-Shopify-Access-Token: " + token, {token});
  }
  {
    const std::string key = "AGE-SECRET-KEY-1" + g.From("QPZRY9X8GF2TVDW0S3JN54KHCE6MUA7L", 58);
    add("age", "# created: 2026\n" + key, {key}, {"# created: 2026"});
  }
  {
    const std::string token = "dop_v1_" + g.From(kHex, 64);
    add("digitalocean", "DIGITALOCEAN_ACCESS_TOKEN=" + token, {token});
  }
  {
    const std::string secret = "whsec_" + g.From(kAlnum, 32);
    add("stripe webhook secret", "endpoint secret " + secret, {secret}, {"endpoint secret "});
  }
  // High entropy, no known format
  for (int i = 0; i < 4; ++i) {
    std::string token;
    do {
      token = g.From(kAlnum, 24 + 8 * static_cast<size_t>(i));
    } while (token.find_first_of(kDigits) == std::string::npos);
    add("high entropy " + std::to_string(i), "the value is " + token + " and it works", {token},
        {"the value is ", " and it works"});
  }
  return c;
}

// Settings a snippet is tried in; true when the line is JSON.
struct Setting {
  const char* name;
  bool json;
  std::string (*make)(const std::string& snippet);
};

const Setting kSettings[] = {
    {"json string", true,
     [](const std::string& s) {
       return Json{{"type", "user"}, {"message", {{"role", "user"}, {"content", s}}}}.dump();
     }},
    {"between escapes", true,
     [](const std::string& s) {
       return Json{{"type", "assistant"}, {"text", "before:\n" + s + "\n\"after\"\ttab"}}.dump();
     }},
    {"plain line", false, [](const std::string& s) { return "log: " + s; }},
    {"json in json", true,
     [](const std::string& s) {
       const std::string inner = Json{{"stdout", "$ cat .env\n" + s + "\n"}, {"code", 0}}.dump();
       return Json{{"type", "user"}, {"toolUseResult", inner}}.dump();
     }},
    {"tool result", true,
     [](const std::string& s) {
       return Json{
           {"type", "user"},
           {"message",
            {{"role", "user"},
             {"content",
              Json::array({{{"type", "tool_result"},
                            {"tool_use_id", "toolu_01XFDUDYJgAACzvnptvVoYEL"},
                            {"content", Json::array({{{"type", "text"}, {"text", s}}})}}})}}}}
           .dump();
     }},
};

TEST_CASE("redaction: the built-in patterns compile") {
  Redactor redactor;
  CHECK(redactor.ok());
}

TEST_CASE("redaction: real-looking secrets are masked, lines stay valid JSON") {
  const std::vector<SecretCase> corpus = SecretCorpus();
  CHECK(corpus.size() >= 60);
  Redactor redactor;
  size_t checks = 0;
  for (const SecretCase& secret : corpus) {
    for (const Setting& setting : kSettings) {
      const std::string line = setting.make(secret.snippet);
      RedactStats stats;
      const std::string out = redactor.Redact(line, &stats);
      INFO("case: " << secret.name << ", setting: " << setting.name << "\nin:  " << line
                    << "\nout: " << out);
      CHECK(out.find("[REDACTED:") != std::string::npos);
      CHECK(stats.secrets >= 1);
      for (const std::string& piece : secret.secret) {
        CHECK(out.find(piece) == std::string::npos);
        // Nor any sizeable part of it.
        if (piece.size() >= 24)
          CHECK(out.find(piece.substr(piece.size() / 2 - 6, 12)) == std::string::npos);
      }
      if (setting.json) {
        CHECK(Json::accept(out));
        // What must stay is still there once decoded.
        const Json parsed = Json::parse(out, nullptr, false);
        std::string flat = parsed.dump();
        if (std::string(setting.name) == "json in json") {
          flat = Json::parse(parsed["toolUseResult"].get<std::string>(), nullptr, false).dump();
        }
        for (const std::string& keep : secret.keep) {
          CHECK(flat.find(Json(keep).dump().substr(1, Json(keep).dump().size() - 2)) !=
                std::string::npos);
        }
      } else {
        for (const std::string& keep : secret.keep) CHECK(out.find(keep) != std::string::npos);
      }
      // Idempotent: a redacted line comes back as it is.
      RedactStats again;
      CHECK(redactor.Redact(out, &again) == out);
      CHECK(again.secrets == 0);
      ++checks;
    }
  }
  CHECK(checks == corpus.size() * std::size(kSettings));
}

TEST_CASE("redaction: a JSON member whose name says secret loses its string value") {
  Redactor redactor;
  const std::string line =
      R"({"env":{"API_KEY":"abc123def456","DB_PASSWORD":"hunter2hunter2","HOME":"/home/u","max_tokens":"4096"},"auth":"dXNlcjpwYXNzd29yZA=="})";
  RedactStats stats;
  const std::string out = redactor.Redact(line, &stats);
  CHECK(
      out ==
      R"({"env":{"API_KEY":"[REDACTED:secret]","DB_PASSWORD":"[REDACTED:password]","HOME":"/home/u","max_tokens":"4096"},"auth":"[REDACTED:secret]"})");
  CHECK(stats.secrets == 3);
  CHECK(stats.by_kind["secret"] == 2);
  CHECK(stats.by_kind["password"] == 1);
  CHECK(stats.redacted_lines == 1);
}

TEST_CASE("redaction: a secret next to JSON escapes keeps the escapes whole") {
  Redactor redactor;
  const std::string key = "ghp_" + std::string(36, 'a').replace(3, 5, "B7c9D");
  // \n right before, \" right after, \u0041 inside a neighbouring word.
  const std::string line = "{\"t\":\"x\\n" + key + "\\\"y\\u0041\"}";
  const std::string out = redactor.Redact(line, nullptr);
  CHECK(out == "{\"t\":\"x\\n[REDACTED:github-token]\\\"y\\u0041\"}");
  CHECK(Json::accept(out));
}

std::vector<std::string> LookAlikeCorpus() {
  Gen g;
  std::vector<std::string> c;
  for (int i = 0; i < 4; ++i) c.push_back("commit " + g.From(kHex, 40));
  c.push_back("git checkout " + g.From(kHex, 7) + " && git log -1");
  c.push_back("Merge: " + g.From(kHex, 12) + " " + g.From(kHex, 12));
  for (int i = 0; i < 3; ++i) {
    c.push_back("\"sessionId\":\"" + g.From(kHex, 8) + "-" + g.From(kHex, 4) + "-4" +
                g.From(kHex, 3) + "-a" + g.From(kHex, 3) + "-" + g.From(kHex, 12) + "\"");
  }
  c.push_back("sha256sum: " + g.From(kHex, 64) + "  dist/app.tar.gz");
  c.push_back("image: ghcr.io/org/app@sha256:" + g.From(kHex, 64));
  for (int i = 0; i < 3; ++i)
    c.push_back("\"integrity\": \"sha512-" + g.From(kBase64, 86) + "==\"");
  c.push_back("\"integrity\": \"sha1-" + g.From(kBase64, 27) + "=\"");
  c.push_back("golang.org/x/sys v0.15.0 h1:" + g.From(kBase64, 43) + "=");
  c.push_back(
      "data:image/"
      "png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+"
      "M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==");
  c.push_back("{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo" +
              g.From(kBase64, 2000) + "\"}");
  c.push_back("\"signature\":\"" + g.From(kBase64, 600) + "\"");
  c.push_back("\"encrypted_content\":\"gAAAAAB" + g.From(kBase64Url, 900) + "\"");
  c.push_back("pip install scikit-learn  # sk-learn");
  c.push_back("see sk-learn-tutorial-for-beginners-in-python for details");
  c.push_back("the task-runner and the disk-usage-reporter-service");
  c.push_back("The token is invalid or expired.");
  c.push_back("Each token costs money; tokens are counted per request.");
  c.push_back("\"max_tokens\": 4096");
  c.push_back(
      "\"usage\":{\"input_tokens\":12,\"output_tokens\":345,\"cache_read_input_tokens\":67}");
  c.push_back("token_count: 5");
  c.push_back("password: ");
  c.push_back("password:");
  c.push_back("Password: required");
  c.push_back("password_file: /etc/app/password.txt");
  c.push_back("Password must be at least 8 characters long.");
  c.push_back("Enable passwordless login with a passkey.");
  c.push_back("https://github.com/anthropics/claude-code/issues/1234");
  c.push_back("git@github.com:org/repo.git");
  c.push_back("https://user@example.com/path");
  c.push_back("ssh://git@host:2222/repo.git");
  c.push_back("AWS access key ids start with AKIA, temporary ones with ASIA.");
  c.push_back("The AKIA prefix is followed by sixteen characters.");
  c.push_back("GitHub tokens start with ghp_ and GitLab ones with glpat-.");
  c.push_back("password = os.environ['DB_PASSWORD']");
  c.push_back("token = get_token()");
  c.push_back("api_key: ${API_KEY}");
  c.push_back("password: ${{ secrets.DB_PASSWORD }}");
  c.push_back("POSTGRES_PASSWORD: changeme");
  c.push_back("token: <your-token>");
  c.push_back("password: ********");
  c.push_back("api_key=YOUR_API_KEY_HERE");
  c.push_back("\"password\": \"\"");
  c.push_back("apiKey: process.env.API_KEY");
  c.push_back("def login(username: str, password: str) -> bool:");
  c.push_back("interface Creds { token: string; secret?: string }");
  c.push_back("if token == \"\": raise ValueError");
  c.push_back("connect(user=user, password=password)");
  c.push_back("headers = {'Authorization': f'Bearer {token}'}");
  c.push_back("Bearer tokens are sent in the Authorization header.");
  c.push_back("\"tool_use_id\":\"toolu_01XFDUDYJgAACzvnptvVoYEL\"");
  c.push_back("\"id\":\"msg_01ABCdef234GHIjkl567MNOpq\"");
  c.push_back("\"requestId\":\"req_011CVaBc3dEfGh4iJkLmN5oPq\"");
  c.push_back("\"call_id\":\"call_Xy7Zq9Lm2Np4Rs6Tu8Vw0AbC\"");
  c.push_back("\"id\":\"chatcmpl-9xYz8WvU7tS6rQ5pO4nM3lK2j\"");
  c.push_back("/home/jane/projects/memhook/interceptor/capture_test.cc:123");
  c.push_back("/usr/lib/x86_64-linux-gnu/libstdc++.so.6.0.30");
  c.push_back("src/components/UserProfileCard/UserProfileCard.tsx");
  c.push_back("pod/api-server-5d8f7b9c4-x2k4j restarted");
  c.push_back("reports/2024-01-15_report_final_v2.pdf");
  c.push_back("getUserProfileSettingsForAccount2(accountId)");
  c.push_back("echo aGVsbG8gd29ybGQsIHRoaXMgaXMgb3JkaW5hcnkgdGV4dA== | base64 -d");
  c.push_back("\"timestamp\":\"2026-01-31T12:34:56.789Z\",\"version\":\"2.1.3-beta.4\"");
  c.push_back("id 1700000000123456789 at 17:00");
  c.push_back("email jane.doe@example.com, colour #ff00aa");
  c.push_back("secret: true");
  c.push_back("auth: required");
  c.push_back("author: Jane Doe");
  c.push_back("tokenizer: gpt2");
  c.push_back("primary_key: id");
  c.push_back("keyboard: us");
  c.push_back("TODO: rotate the secret key next week");
  c.push_back("\"password\": {\"type\": \"string\", \"minLength\": 8}");
  c.push_back("PWD=/home/jane/project OLDPWD=/home/jane");
  c.push_back("npm install @types/node@20.11.5 --save-dev");
  c.push_back(
      "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA\n-----END PUBLIC "
      "KEY-----");
  c.push_back(
      "-----BEGIN CERTIFICATE-----\nMIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBa\n-----END "
      "CERTIFICATE-----");
  c.push_back("[REDACTED:github-token] was masked earlier");
  return c;
}

TEST_CASE("redaction: look-alikes come back byte for byte") {
  const std::vector<std::string> corpus = LookAlikeCorpus();
  CHECK(corpus.size() >= 60);
  Redactor redactor;
  for (const std::string& snippet : corpus) {
    for (const Setting& setting : kSettings) {
      const std::string line = setting.make(snippet);
      RedactStats stats;
      const std::string out = redactor.Redact(line, &stats);
      INFO("setting: " << setting.name << "\nin:  " << line << "\nout: " << out);
      CHECK(out == line);
      CHECK(stats.secrets == 0);
    }
  }
}

TEST_CASE("redaction: whole transcript lines of both agents without secrets are unchanged") {
  const std::vector<std::string> lines = {
      R"({"parentUuid":"8f2c1a4e-7b3d-4e5f-9a1b-2c3d4e5f6a7b","isSidechain":false,"userType":"external","cwd":"/home/jane/app","sessionId":"0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e","version":"2.0.31","gitBranch":"main","message":{"id":"msg_01Hq3vXkT9w2Lr8bNcY5pZaE","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"tool_use","id":"toolu_01XFDUDYJgAACzvnptvVoYEL","name":"Bash","input":{"command":"git log --oneline -3","description":"Show recent commits"}}],"usage":{"input_tokens":4,"cache_creation_input_tokens":2093,"cache_read_input_tokens":14171,"output_tokens":97}},"requestId":"req_011CUdzZ8xK3wYp7Tq2mNc4R","type":"assistant","uuid":"4e5f6a7b-8c9d-4e0f-a1b2-c3d4e5f6a7b8","timestamp":"2026-01-15T12:00:01.123Z"})",
      R"({"type":"user","message":{"role":"user","content":[{"tool_use_id":"toolu_01XFDUDYJgAACzvnptvVoYEL","type":"tool_result","content":"a1b2c3d fix: keep the offset\n9f8e7d6 capture: redact secrets\n0c1d2e3 vfs: meta values","is_error":false}]},"uuid":"5f6a7b8c-9d0e-4f1a-b2c3-d4e5f6a7b8c9","timestamp":"2026-01-15T12:00:02.456Z"})",
      R"({"timestamp":"2026-01-15T12:00:03.000Z","type":"response_item","payload":{"type":"function_call","name":"shell","arguments":"{\"command\":[\"bash\",\"-lc\",\"ls -la\"],\"workdir\":\"/home/jane/app\"}","call_id":"call_Xy7Zq9Lm2Np4Rs6Tu8Vw0AbC"}})",
      R"({"timestamp":"2026-01-15T12:00:04.000Z","type":"session_meta","payload":{"id":"0199a2b3-c4d5-7e6f-8a9b-0c1d2e3f4a5b","cwd":"/home/jane/app","originator":"codex_cli_rs","cli_version":"0.46.0","instructions":null}})",
  };
  Redactor redactor;
  for (const std::string& line : lines) {
    INFO(line);
    CHECK(redactor.Redact(line, nullptr) == line);
  }
}

TEST_CASE("redaction calibration: random tokens are caught, structured ones are not") {
  Gen g;
  Redactor redactor;
  auto caught = [&](const std::string& token) {
    return redactor.Redact("value " + token + " end", nullptr) != "value " + token + " end";
  };
  size_t total = 0, hits = 0;
  for (size_t n : {20, 24, 32, 40, 64, 128}) {
    for (std::string_view alphabet :
         {kAlnum, kBase64Url, std::string_view("abcdefghijklmnopqrstuvwxyz0123456789")}) {
      for (int i = 0; i < 200; ++i) {
        std::string token = g.From(alphabet, n);
        if (token.find_first_of(kDigits) == std::string::npos ||
            (token[0] >= 'a' && token[0] <= 'z' && token.find_first_of("_-") < 13))
          continue;
        ++total;
        hits += caught(token);
      }
    }
  }
  INFO("caught " << hits << " of " << total);
  CHECK(hits * 100 >= total * 95);
  // Identifiers, file names and words joined by separators.
  const char* words[] = {"user", "Profile", "settings", "Account", "report", "final",
                         "v2",   "2024",    "config",   "Loader",  "test",   "Handler",
                         "data", "x86",     "64",       "linux"};
  size_t structured = 0, flagged = 0;
  std::uniform_int_distribution<size_t> pick(0, std::size(words) - 1);
  for (int i = 0; i < 2000; ++i) {
    std::string token;
    const char* separators[] = {"", "_", "-", "/"};
    const char* sep = separators[i % 4];
    while (token.size() < 24) token += std::string(token.empty() ? "" : sep) + words[pick(g.rng())];
    ++structured;
    flagged += caught(token);
  }
  INFO("flagged " << flagged << " of " << structured);
  CHECK(flagged * 100 <= structured);
}

// ---------------------------------------------------------------- capture
struct CaptureFixture {
  TempDir dir;
  std::string db = dir.path() + "/memhook.db";
  std::string home = dir.path() + "/home";
  std::string project = home + "/project";
  std::string transcript = home + "/.claude/projects/p/0b1c2d3e-4f5a.jsonl";

  CaptureFixture() { fs::create_directories(project); }

  CaptureRequest Request(int64_t now = kJan15, const std::string& session = "0b1c2d3e-4f5a") const {
    CaptureRequest r;
    r.session_id = session;
    r.transcript_path = transcript;
    r.agent = "claude";
    r.cwd = project;
    r.home = home;
    r.now_ns = now;
    return r;
  }
};

std::string TranscriptLine(int i) {
  return Json{{"type", "user"}, {"n", i}, {"message", {{"content", "line " + std::to_string(i)}}}}
             .dump() +
         "\n";
}

TEST_CASE("capture: whole lines only, from the last offset, redacted, as one change") {
  CaptureFixture f;
  auto store = OpenStore(f.db);
  const std::string secret = "ghp_" + std::string("aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dF3hJ5");
  const std::string first =
      TranscriptLine(1) + "{\"type\":\"user\",\"text\":\"" + secret + "\"}\n" + TranscriptLine(3);
  WriteHostFile(f.transcript, first + "{\"type\":\"partial");

  CaptureResult r;
  Status st = CaptureTranscript(*store, f.Request(), &r);
  REQUIRE_MESSAGE(st.ok(), st.message());
  CHECK_FALSE(r.skipped);
  CHECK(r.log_path == "sessions/2026-01/0b1c2d3e-4f5a.jsonl");
  CHECK(r.offset_before == 0);
  CHECK(r.offset_after == first.size());
  CHECK(r.lines == 3);
  CHECK(r.redactions.secrets == 1);
  CHECK(r.change_id > 0);
  const std::string log = ReadStore(*store, r.log_path);
  CHECK(log == TranscriptLine(1) + "{\"type\":\"user\",\"text\":\"[REDACTED:github-token]\"}\n" +
                   TranscriptLine(3));

  // The change: origin capture, this session, the log path.
  std::vector<vfs::Store::ChangeRecord> changes;
  REQUIRE(store->ListChanges({}, &changes).ok());
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].info.origin == "capture");
  CHECK(changes[0].info.session_id == "0b1c2d3e-4f5a");
  CHECK(changes[0].info.cwd == f.project);
  CHECK(std::find(changes[0].paths.begin(), changes[0].paths.end(), r.log_path) !=
        changes[0].paths.end());

  // Nothing new: nothing read beyond the tail check, no change.
  st = CaptureTranscript(*store, f.Request(), &r);
  REQUIRE(st.ok());
  CHECK(r.lines == 0);
  CHECK(r.change_id == 0);
  CHECK(r.bytes_read <= 256);

  // The partial line completed, one more after it.
  WriteHostFile(f.transcript, "\",\"n\":4}\n" + TranscriptLine(5), /*append=*/true);
  st = CaptureTranscript(*store, f.Request(), &r);
  REQUIRE(st.ok());
  CHECK(r.lines == 2);
  CHECK(r.offset_before == first.size());
  CHECK(SplitLines(ReadStore(*store, r.log_path)).size() == 5);
  CHECK(SplitLines(ReadStore(*store, r.log_path))[3] == "{\"type\":\"partial\",\"n\":4}");
  REQUIRE(store->ListChanges({}, &changes).ok());
  CHECK(changes.size() == 2);
}

TEST_CASE("capture: a half line alone records nothing; a removed log is not refilled") {
  CaptureFixture f;
  auto store = OpenStore(f.db);
  WriteHostFile(f.transcript, "{\"type\":\"us");
  CaptureResult r;
  REQUIRE(CaptureTranscript(*store, f.Request(), &r).ok());
  CHECK(r.lines == 0);
  CHECK(r.change_id == 0);
  std::string meta;
  bool found = true;
  REQUIRE(store->GetMeta("capture/0b1c2d3e-4f5a", &meta, &found).ok());
  CHECK_FALSE(found);
  std::vector<vfs::Store::ChangeRecord> changes;
  REQUIRE(store->ListChanges({}, &changes).ok());
  CHECK(changes.empty());

  WriteHostFile(f.transcript, "er\"}\n" + TranscriptLine(2), true);
  REQUIRE(CaptureTranscript(*store, f.Request(), &r).ok());
  CHECK(r.lines == 2);
  // The user removes the log: what was captured stays gone, new lines come.
  REQUIRE(store->Remove(r.log_path).ok());
  WriteHostFile(f.transcript, TranscriptLine(3), true);
  REQUIRE(CaptureTranscript(*store, f.Request(), &r).ok());
  CHECK(ReadStore(*store, r.log_path) == TranscriptLine(3));
}

TEST_CASE("capture: the month of the first capture stays the session's") {
  CaptureFixture f;
  auto store = OpenStore(f.db);
  WriteHostFile(f.transcript, TranscriptLine(1));
  CaptureResult r;
  REQUIRE(CaptureTranscript(*store, f.Request(kJan31Late), &r).ok());
  CHECK(r.log_path == "sessions/2026-01/0b1c2d3e-4f5a.jsonl");
  WriteHostFile(f.transcript, TranscriptLine(2), true);
  REQUIRE(CaptureTranscript(*store, f.Request(kFeb1), &r).ok());
  CHECK(r.log_path == "sessions/2026-01/0b1c2d3e-4f5a.jsonl");
  CHECK(ReadStore(*store, r.log_path) == TranscriptLine(1) + TranscriptLine(2));
  vfs::Stat stat;
  CHECK(store->GetStat("sessions/2026-02", &stat).IsNotFound());
  std::string path;
  REQUIRE(FindSessionLog(*store, "0b1c2d3e-4f5a", &path).ok());
  CHECK(path == "sessions/2026-01/0b1c2d3e-4f5a.jsonl");

  // Another session, started in February, goes to February.
  const std::string other = f.home + "/other.jsonl";
  WriteHostFile(other, TranscriptLine(9));
  CaptureRequest request = f.Request(kFeb1, "second-session");
  request.transcript_path = other;
  REQUIRE(CaptureTranscript(*store, request, &r).ok());
  CHECK(r.log_path == "sessions/2026-02/second-session.jsonl");
}

TEST_CASE("capture: a transcript that shrank or was replaced is taken again from 0") {
  CaptureFixture f;
  auto store = OpenStore(f.db);
  WriteHostFile(f.transcript, TranscriptLine(1) + TranscriptLine(2) + TranscriptLine(3));
  CaptureResult r;
  REQUIRE(CaptureTranscript(*store, f.Request(), &r).ok());
  CHECK_FALSE(r.restarted);

  // Shorter than what was captured.
  WriteHostFile(f.transcript, TranscriptLine(7));
  REQUIRE(CaptureTranscript(*store, f.Request(), &r).ok());
  CHECK(r.restarted);
  CHECK(r.offset_after == TranscriptLine(7).size());
  CHECK(ReadStore(*store, r.log_path) ==
        TranscriptLine(1) + TranscriptLine(2) + TranscriptLine(3) + TranscriptLine(7));
  std::vector<vfs::Store::ChangeRecord> changes;
  REQUIRE(store->ListChanges({}, &changes).ok());
  REQUIRE(!changes.empty());
  CHECK(changes[0].info.command.find("shrank") != std::string::npos);

  // Longer, but other bytes before the offset: replaced.
  WriteHostFile(f.transcript, TranscriptLine(8) + TranscriptLine(9) + TranscriptLine(10));
  REQUIRE(CaptureTranscript(*store, f.Request(), &r).ok());
  CHECK(r.restarted);
  CHECK(r.lines == 3);
  REQUIRE(store->ListChanges({}, &changes).ok());
  CHECK(changes[0].info.command.find("replaced") != std::string::npos);

  // A copy with the same bytes (rewritten by rename) is not a restart.
  const std::string copy = f.transcript + ".tmp";
  WriteHostFile(copy,
                TranscriptLine(8) + TranscriptLine(9) + TranscriptLine(10) + TranscriptLine(11));
  fs::rename(copy, f.transcript);
  REQUIRE(CaptureTranscript(*store, f.Request(), &r).ok());
  CHECK_FALSE(r.restarted);
  CHECK(r.lines == 1);
}

TEST_CASE("capture: .memhook-ignore and MEMHOOK_CAPTURE=0 turn it off") {
  CaptureFixture f;
  auto store = OpenStore(f.db);
  WriteHostFile(f.transcript, TranscriptLine(1));
  CaptureResult r;

  CaptureRequest off = f.Request();
  off.capture_setting = "0";
  REQUIRE(CaptureTranscript(*store, off, &r).ok());
  CHECK(r.skipped);
  CHECK(r.skip_reason == "MEMHOOK_CAPTURE=0");

  // From the environment, through the hook's request.
  setenv("MEMHOOK_CAPTURE", "0", 1);
  Config config;
  config.home = f.home;
  CaptureRequest from_hook;
  REQUIRE(CaptureRequestFromHook(
      Json{{"session_id", "abc"}, {"transcript_path", f.transcript}, {"cwd", f.project}}, config,
      false, &from_hook));
  unsetenv("MEMHOOK_CAPTURE");
  CHECK(from_hook.capture_setting == "0");
  CHECK(from_hook.agent == "claude");
  std::string reason;
  CHECK(CaptureDisabled(from_hook, &reason));
  CHECK(CaptureRequestFromHook(
      Json{{"session_id", "abc"}, {"transcript_path", "/t"}, {"turn_id", "1"}}, config, false,
      &from_hook));
  CHECK(from_hook.agent == "codex");
  CHECK_FALSE(CaptureRequestFromHook(Json{{"session_id", "abc"}}, config, false, &from_hook));

  // An ignore file in a parent of cwd, below HOME.
  const std::string sub = f.project + "/src/deep";
  fs::create_directories(sub);
  WriteHostFile(f.project + "/.memhook-ignore", "");
  CaptureRequest ignored = f.Request();
  ignored.cwd = sub;
  REQUIRE(CaptureTranscript(*store, ignored, &r).ok());
  CHECK(r.skipped);
  CHECK(r.skip_reason == f.project + "/.memhook-ignore exists");
  fs::remove(f.project + "/.memhook-ignore");

  // Above HOME it does not count.
  WriteHostFile(f.dir.path() + "/.memhook-ignore", "");
  REQUIRE(CaptureTranscript(*store, ignored, &r).ok());
  CHECK_FALSE(r.skipped);
  CHECK(r.lines == 1);

  // In HOME itself it does.
  WriteHostFile(f.home + "/.memhook-ignore", "");
  CHECK(CaptureDisabled(ignored, &reason));
}

TEST_CASE("capture: session ids that are not safe file names are refused") {
  CaptureFixture f;
  auto store = OpenStore(f.db);
  WriteHostFile(f.transcript, TranscriptLine(1));
  for (const char* bad : {"", "../x", "a/b", ".hidden", "..", "x y", "a\\b", "tab\tid"}) {
    CaptureResult r;
    INFO(bad);
    CHECK(CaptureTranscript(*store, f.Request(kJan15, bad), &r).code() == Code::kInvalidArgument);
  }
  std::vector<vfs::DirEntry> entries;
  REQUIRE(store->ListDir("", &entries).ok());
  CHECK(std::none_of(entries.begin(), entries.end(),
                     [](const vfs::DirEntry& e) { return e.name == "sessions"; }));
  CaptureResult r;
  CHECK(CaptureTranscript(*store, f.Request(kJan15, std::string(129, 'a')), &r).code() ==
        Code::kInvalidArgument);
  CHECK(CaptureTranscript(*store, f.Request(kJan15, "rollout-2026-01-15T12-00-00-0199a2b3.c4d5_e6"),
                          &r)
            .ok());
}

TEST_CASE("capture: no transcript yet is not an error") {
  CaptureFixture f;
  auto store = OpenStore(f.db);
  CaptureResult r;
  REQUIRE(CaptureTranscript(*store, f.Request(), &r).ok());
  CHECK(r.skipped);
}

TEST_CASE("capture: a Codex rollout is captured line for line") {
  CaptureFixture f;
  auto store = OpenStore(f.db);
  const std::string rollout =
      f.home + "/.codex/sessions/2026/01/15/rollout-2026-01-15T12-00-00-0199a2b3.jsonl";
  const std::string lines =
      R"({"timestamp":"2026-01-15T12:00:00.000Z","type":"session_meta","payload":{"id":"0199a2b3","cwd":"/home/jane/app"}})"
      "\n"
      R"({"timestamp":"2026-01-15T12:00:01.000Z","type":"response_item","payload":{"type":"message","role":"user","content":[{"type":"input_text","text":"deploy with OPENAI_API_KEY=sk-proj-Ab3dEf5gHi7jKl9mNo1pQr3sTu5vWx7yZa9bCd1eFg3h"}]}})"
      "\n";
  WriteHostFile(rollout, lines);
  CaptureRequest request = f.Request(kJan15, "0199a2b3");
  request.transcript_path = rollout;
  request.agent = "codex";
  CaptureResult r;
  REQUIRE(CaptureTranscript(*store, request, &r).ok());
  CHECK(r.lines == 2);
  const std::vector<std::string> log = SplitLines(ReadStore(*store, r.log_path));
  REQUIRE(log.size() == 2);
  CHECK(log[0] == SplitLines(lines)[0]);
  CHECK(log[1].find("OPENAI_API_KEY=[REDACTED:") != std::string::npos);
  CHECK(Json::accept(log[1]));
  std::string meta;
  bool found = false;
  REQUIRE(store->GetMeta("capture/0199a2b3", &meta, &found).ok());
  REQUIRE(found);
  CHECK(Json::parse(meta)["agent"] == "codex");
}

TEST_CASE("capture: max_bytes splits a large backlog into calls that resume exactly") {
  CaptureFixture f;
  auto store = OpenStore(f.db);
  std::string all;
  for (int i = 0; i < 300; ++i) all += TranscriptLine(i);
  WriteHostFile(f.transcript, all);
  CaptureRequest request = f.Request();
  request.max_bytes = 4000;
  CaptureResult r;
  int calls = 0;
  do {
    REQUIRE(CaptureTranscript(*store, request, &r).ok());
    ++calls;
  } while (r.more && calls < 1000);
  CHECK(calls > 3);
  CHECK(ReadStore(*store, r.log_path) == all);
}

TEST_CASE("capture: two processes capturing the same session, 100 rounds, every line once") {
  CaptureFixture f;
  { auto store = OpenStore(f.db); }  // created before the children open it
  WriteHostFile(f.transcript, "");
  constexpr int kRounds = 100;
  struct Child {
    pid_t pid;
    int go;    // parent -> child
    int done;  // child -> parent
  };
  std::vector<Child> children;
  for (int c = 0; c < 2; ++c) {
    int to_child[2], to_parent[2];
    REQUIRE(pipe(to_child) == 0);
    REQUIRE(pipe(to_parent) == 0);
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      close(to_child[1]);
      close(to_parent[0]);
      // The first child's pipe ends, inherited here: its EOF must not wait for us.
      for (const Child& earlier : children) {
        close(earlier.go);
        close(earlier.done);
      }
      Status status;
      std::unique_ptr<vfs::Store> store = vfs::OpenSqliteStore(f.db, vfs::StoreOptions(), &status);
      if (!store) _exit(3);
      char byte;
      while (read(to_child[0], &byte, 1) == 1) {
        CaptureResult r;
        char answer = CaptureTranscript(*store, f.Request(), &r).ok() ? 'y' : 'n';
        if (write(to_parent[1], &answer, 1) != 1) _exit(4);
      }
      _exit(0);
    }
    close(to_child[0]);
    close(to_parent[1]);
    children.push_back({pid, to_child[1], to_parent[0]});
  }
  std::string expected;
  std::string pending;  // a line written in two halves across rounds
  int failures = 0;
  for (int round = 0; round < kRounds; ++round) {
    std::string add;
    if (!pending.empty()) {
      add += pending;
      expected += TranscriptLine(1000 + round - 1);
      pending.clear();
    }
    for (int k = 0; k <= round % 3; ++k) {
      add += TranscriptLine(round * 10 + k);
      expected += TranscriptLine(round * 10 + k);
    }
    if (round % 4 == 1) {
      const std::string split = TranscriptLine(1000 + round);
      add += split.substr(0, split.size() / 2);
      pending = split.substr(split.size() / 2);
    }
    WriteHostFile(f.transcript, add, true);
    for (const Child& child : children) REQUIRE(write(child.go, "g", 1) == 1);
    for (const Child& child : children) {
      char answer = 0;
      REQUIRE(read(child.done, &answer, 1) == 1);
      failures += answer != 'y';
    }
  }
  for (const Child& child : children) {
    close(child.go);
    int status = 0;
    waitpid(child.pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    close(child.done);
  }
  CHECK(failures == 0);
  auto store = OpenStore(f.db);
  std::string path;
  REQUIRE(FindSessionLog(*store, "0b1c2d3e-4f5a", &path).ok());
  const std::string log = ReadStore(*store, path);
  CHECK(log.size() == expected.size());
  CHECK(log == expected);
  // No line twice.
  const std::vector<std::string> lines = SplitLines(log);
  CHECK(std::set<std::string>(lines.begin(), lines.end()).size() == lines.size());
}

TEST_CASE("capture: two processes capturing while the transcript grows in pieces") {
  CaptureFixture f;
  { auto store = OpenStore(f.db); }
  WriteHostFile(f.transcript, "");
  const std::string stop = f.dir.path() + "/stop";
  std::vector<pid_t> children;
  for (int c = 0; c < 2; ++c) {
    const pid_t pid = fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      Status status;
      std::unique_ptr<vfs::Store> store = vfs::OpenSqliteStore(f.db, vfs::StoreOptions(), &status);
      if (!store) _exit(3);
      CaptureResult r;
      bool ok = true;
      while (!fs::exists(stop)) ok &= CaptureTranscript(*store, f.Request(), &r).ok();
      ok &= CaptureTranscript(*store, f.Request(), &r).ok();
      _exit(ok ? 0 : 1);
    }
    children.push_back(pid);
  }
  // Lines written in two pieces each, the second a little later: captures
  // see half lines all the time.
  const int fd = open(f.transcript.c_str(), O_WRONLY | O_APPEND);
  REQUIRE(fd >= 0);
  std::string expected;
  std::mt19937 rng(7);
  for (int i = 0; i < 1500; ++i) {
    const std::string line = TranscriptLine(i);
    const size_t cut = std::uniform_int_distribution<size_t>(0, line.size())(rng);
    REQUIRE(write(fd, line.data(), cut) == static_cast<ssize_t>(cut));
    if (i % 7 == 0) std::this_thread::sleep_for(std::chrono::microseconds(200));
    REQUIRE(write(fd, line.data() + cut, line.size() - cut) ==
            static_cast<ssize_t>(line.size() - cut));
    expected += line;
  }
  close(fd);
  WriteHostFile(stop, "");
  for (pid_t pid : children) {
    int status = 0;
    REQUIRE(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  auto store = OpenStore(f.db);
  std::string path;
  REQUIRE(FindSessionLog(*store, "0b1c2d3e-4f5a", &path).ok());
  CHECK(ReadStore(*store, path) == expected);
  std::vector<vfs::Store::ChangeRecord> changes;
  vfs::Store::ChangeFilter all;
  all.limit = 100000;
  REQUIRE(store->ListChanges(all, &changes).ok());
  MESSAGE("captured in " << changes.size() << " changes");
  CHECK(changes.size() > 1);
}

uint64_t ProcessBytesRead() {
  std::ifstream io("/proc/self/io");
  std::string key;
  uint64_t value = 0;
  while (io >> key >> value) {
    if (key == "rchar:") return value;
  }
  return 0;
}

TEST_CASE("capture: after a 50 MB transcript, one more line costs a small read") {
  CaptureFixture f;
  auto store = OpenStore(f.db);
  {
    fs::create_directories(fs::path(f.transcript).parent_path());
    std::ofstream out(f.transcript, std::ios::binary);
    Gen g;
    std::string filler = g.From("abcdefghijklmnopqrstuvwxyz     ", 900);
    size_t written = 0;
    for (int i = 0; written < (size_t{50} << 20); ++i) {
      const std::string line =
          Json{{"type", i % 2 ? "assistant" : "user"},
               {"n", i},
               {"uuid", g.From(kHex, 32)},
               {"message", {{"content", filler.substr(static_cast<size_t>(i) % 100)}}}}
              .dump() +
          "\n";
      out << line;
      written += line.size();
    }
  }
  REQUIRE(fs::exists(f.transcript));
  const uint64_t size = fs::file_size(f.transcript);
  CaptureResult r;
  REQUIRE(CaptureTranscript(*store, f.Request(), &r).ok());
  CHECK(r.offset_after == size);
  CHECK(r.bytes_read >= size);

  const std::string line = TranscriptLine(424242);
  WriteHostFile(f.transcript, line, true);
  const uint64_t before = ProcessBytesRead();
  REQUIRE(CaptureTranscript(*store, f.Request(), &r).ok());
  const uint64_t read_by_process = ProcessBytesRead() - before;
  CHECK(r.lines == 1);
  CHECK(r.offset_after == size + line.size());
  // The new line and the 256-byte tail check, twice (before and after the lock).
  CHECK(r.bytes_read <= line.size() + 2 * 256);
  INFO("the process read " << read_by_process << " bytes (transcript and database)");
  CHECK(read_by_process < (size_t{1} << 20));
  std::vector<vfs::Line> last;
  bool newline = false;
  vfs::Stat stat;
  REQUIRE(store->GetStat(r.log_path, &stat).ok());
  REQUIRE(store->ReadLines(r.log_path, stat.line_count, 0, &last, &newline).ok());
  REQUIRE(last.size() == 1);
  CHECK(last[0].text + "\n" == line);
}

// ------------------------------------------------------ SessionStart context
TEST_CASE("SessionStart: the context says where, what, how, in at most 2000 bytes") {
  TempDir dir;
  auto store = OpenStore(dir.path() + "/m.db");
  REQUIRE(store->WriteFile("notes/decisions.md", "# Decisions\n", 0644, kJan15).ok());
  REQUIRE(store->WriteFile("sessions/2026-01/a.jsonl", "{}\n", 0644, kJan15).ok());
  REQUIRE(store->WriteFile("sessions/2026-02/b.jsonl", "{}\n", 0644, kJan15).ok());
  REQUIRE(store->WriteFile("summaries/2026-01/a.md", "# A\n", 0644, kJan15).ok());
  const std::string mount = "/home/jane/.memhook/memory";
  const std::string text = SessionStartContext(*store, mount);
  INFO(text);
  CHECK(text.size() <= 2000);
  CHECK(text.find(mount) != std::string::npos);
  CHECK(text.find("cat, grep -rn, ls, find, head") != std::string::npos);
  CHECK(text.find("jq, sed, awk") != std::string::npos);
  CHECK(text.find("memhook undo") != std::string::npos);
  CHECK(text.find("  notes/\n") != std::string::npos);
  CHECK(text.find("  sessions/ (2 session logs") != std::string::npos);
  CHECK(text.find("  summaries/ (1 session summaries") != std::string::npos);
  CHECK(text.find("  index.md\n") != std::string::npos);
  // The first lines of the (virtual) index.md, as the store serves it.
  std::vector<vfs::Line> index;
  bool newline = false;
  REQUIRE(store->ReadLines("index.md", 1, 20, &index, &newline).ok());
  REQUIRE(!index.empty());
  for (const vfs::Line& line : index)
    CHECK(text.find("  " + line.text.substr(0, 100)) != std::string::npos);

  // A big index and many entries still fit, cut at whole lines.
  std::string big_index;
  for (int i = 0; i < 100; ++i)
    big_index += "- " + std::string(300, 'x') + " é " + std::to_string(i) + "\n";
  REQUIRE(store->WriteFile("index.md", big_index, 0644, kJan15).ok());
  for (int i = 0; i < 60; ++i)
    REQUIRE(store->MakeDirectory("topic-" + std::to_string(i), 0755, kJan15).ok());
  const std::string small = SessionStartContext(*store, mount);
  CHECK(small.size() <= 2000);
  CHECK(small.back() == '\n');
  CHECK(small.find("more)") != std::string::npos);
  CHECK(Json::accept(Json(small).dump()));

  const std::string answer = SessionStartHookJson(text);
  CHECK(answer.back() == '\n');
  const Json parsed = Json::parse(answer);
  CHECK(parsed.size() == 1);
  CHECK(parsed["hookSpecificOutput"]["hookEventName"] == "SessionStart");
  CHECK(parsed["hookSpecificOutput"]["additionalContext"] == text);
}

// Sets environment variables for one test, and puts them back.
class ScopedEnv {
 public:
  void Set(const char* name, const std::string& value) {
    const char* old = std::getenv(name);
    saved_.emplace_back(name, old != nullptr ? std::optional<std::string>(old) : std::nullopt);
    setenv(name, value.c_str(), 1);
  }
  ~ScopedEnv() {
    for (auto it = saved_.rbegin(); it != saved_.rend(); ++it) {
      if (it->second) {
        setenv(it->first.c_str(), it->second->c_str(), 1);
      } else {
        unsetenv(it->first.c_str());
      }
    }
  }

 private:
  std::vector<std::pair<std::string, std::optional<std::string>>> saved_;
};

// A process that exists and is not a zombie (a killed grandchild may wait
// for a reaper that is slow in a container).
bool Running(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  if (!std::getline(stat, line)) return false;
  const size_t paren = line.rfind(')');
  return paren != std::string::npos && paren + 2 < line.size() && line[paren + 2] != 'Z';
}

bool WaitFor(const std::function<bool()>& done, std::chrono::seconds limit) {
  const auto end = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < end) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

// -------------------------------------------------------------- summaries
struct SummaryFixture {
  TempDir dir;
  std::string db = dir.path() + "/memhook.db";
  std::string stubs = dir.path() + "/stubs";
  SummarizeOptions options;
  std::string log = TranscriptLine(1) + TranscriptLine(2);

  SummaryFixture() {
    fs::create_directories(stubs);
    options.state_dir = dir.path() + "/state/memhook";
    options.now_ns = kFeb1;
    options.timeout_ms = 10000;
    auto store = OpenStore(db);
    REQUIRE(store->WriteFile("sessions/2026-01/s1.jsonl", log, 0644, kJan15).ok());
  }
  std::string Stub(const std::string& name, const std::string& body) {
    const std::string path = stubs + "/" + name;
    WriteHostFile(path, "#!/bin/sh\n" + body);
    fs::permissions(path, fs::perms::owner_all);
    return path;
  }
};

TEST_CASE("summarize: the stub's output becomes summaries/<month>/<id>.md, one change") {
  SummaryFixture f;
  f.options.command = f.Stub("ok.sh",
                             "cat > \"$(dirname \"$0\")/input\"\n"
                             "printf '%s' \"$1\" > \"$(dirname \"$0\")/prompt\"\n"
                             "echo \"$MEMHOOK_CAPTURE\" > \"$(dirname \"$0\")/env\"\n"
                             "echo '# Session s1'\necho 'Fixed the offset.'\n");
  auto store = OpenStore(f.db);
  SummarizeResult r;
  Status st = Summarize(*store, "s1", f.options, &r);
  REQUIRE_MESSAGE(st.ok(), st.message());
  CHECK(r.summary_path == "summaries/2026-01/s1.md");
  CHECK(ReadStore(*store, r.summary_path) == "# Session s1\nFixed the offset.\n");
  CHECK(ReadHostFile(f.stubs + "/input") == f.log);
  CHECK(ReadHostFile(f.stubs + "/prompt") == kSummaryPrompt);
  CHECK(ReadHostFile(f.stubs + "/env") == "0\n");
  std::vector<vfs::Store::ChangeRecord> changes;
  REQUIRE(store->ListChanges({}, &changes).ok());
  REQUIRE(changes.size() == 1);
  CHECK(changes[0].id == r.change_id);
  CHECK(changes[0].info.origin == "summarize");
  CHECK(changes[0].info.session_id == "s1");

  // A second run replaces it (undoable).
  f.options.command = f.Stub("ok2.sh", "cat >/dev/null; echo '# Again'\n");
  REQUIRE(Summarize(*store, "s1", f.options, &r).ok());
  CHECK(ReadStore(*store, r.summary_path) == "# Again\n");
}

TEST_CASE("summarize: failures change nothing and are logged") {
  SummaryFixture f;
  auto store = OpenStore(f.db);
  const std::string log_file = f.options.state_dir + "/summarize.log";
  SummarizeResult r;

  f.options.command = f.Stub("fail.sh", "cat >/dev/null; echo 'model overloaded' >&2; exit 3\n");
  Status st = Summarize(*store, "s1", f.options, &r);
  CHECK(st.code() == Code::kIoError);
  CHECK(st.message().find("exited with status 3") != std::string::npos);
  CHECK(ReadHostFile(log_file).find("summarize s1: the summariser") != std::string::npos);
  CHECK(ReadHostFile(log_file).find("  | model overloaded") != std::string::npos);

  f.options.command = f.Stub("empty.sh", "cat >/dev/null; echo '   '\n");
  st = Summarize(*store, "s1", f.options, &r);
  CHECK(st.code() == Code::kIoError);
  CHECK(st.message().find("printed nothing") != std::string::npos);

  // Past the limit: killed with its children, well before it would end.
  const std::string pid_file = f.stubs + "/pid";
  f.options.command = f.Stub("sleep.sh", "echo $$ > \"$(dirname \"$0\")/pid\"\nexec sleep 30\n");
  f.options.timeout_ms = 300;
  const auto start = std::chrono::steady_clock::now();
  st = Summarize(*store, "s1", f.options, &r);
  const auto took = std::chrono::steady_clock::now() - start;
  CHECK(st.code() == Code::kIoError);
  CHECK(st.message().find("did not finish within 300 ms") != std::string::npos);
  CHECK(took < std::chrono::seconds(5));
  const pid_t sleeper = static_cast<pid_t>(std::stol(ReadHostFile(pid_file)));
  CHECK(WaitFor([sleeper] { return !Running(sleeper); }, std::chrono::seconds(5)));

  // A command that does not read its input at all: no SIGPIPE for us.
  f.options.timeout_ms = 10000;
  f.options.max_input_bytes = size_t{8} << 20;
  {
    auto writable = OpenStore(f.db);
    std::string big;
    for (int i = 0; big.size() < (size_t{4} << 20); ++i) big += TranscriptLine(i);
    REQUIRE(writable->WriteFile("sessions/2026-01/big.jsonl", big, 0644, kJan15).ok());
  }
  f.options.command = f.Stub("deaf.sh", "exit 1\n");
  st = Summarize(*store, "big", f.options, &r);
  CHECK(st.code() == Code::kIoError);

  // No session log.
  st = Summarize(*store, "missing", f.options, &r);
  CHECK(st.code() == Code::kNotFound);
  CHECK(ReadHostFile(log_file).find("summarize missing: no session log") != std::string::npos);

  // Nothing was written, the session log is intact.
  vfs::Stat stat;
  CHECK(store->GetStat("summaries", &stat).IsNotFound());
  CHECK(ReadStore(*store, "sessions/2026-01/s1.jsonl") == f.log);
}

TEST_CASE("summarize: a long log is cut to its start and end") {
  SummaryFixture f;
  auto store = OpenStore(f.db);
  std::string log;
  for (int i = 0; i < 400; ++i) log += TranscriptLine(i);
  REQUIRE(store->WriteFile("sessions/2026-01/long.jsonl", log, 0644, kJan15).ok());
  f.options.max_input_bytes = 4000;
  f.options.command = f.Stub("ok.sh", "cat > \"$(dirname \"$0\")/input\"; echo summary\n");
  SummarizeResult r;
  REQUIRE(Summarize(*store, "long", f.options, &r).ok());
  CHECK(r.input_cut);
  const std::string input = ReadHostFile(f.stubs + "/input");
  CHECK(input.size() < 4200);
  CHECK(input.rfind(TranscriptLine(0), 0) == 0);
  CHECK(input.find("bytes of the session log left out here]\n") != std::string::npos);
  CHECK(input.size() >= TranscriptLine(399).size());
  CHECK(input.compare(input.size() - TranscriptLine(399).size(), std::string::npos,
                      TranscriptLine(399)) == 0);
}

TEST_CASE("memhook summarize: the verb's statuses") {
  SummaryFixture f;
  Config config;
  config.db_path = f.db;
  config.mount = "/m";
  f.options.command = f.Stub("ok.sh", "cat >/dev/null; echo '# S'\n");
  CHECK(RunSummarize(config, f.options, {}) == 2);
  CHECK(RunSummarize(config, f.options, {"a", "b"}) == 2);
  CHECK(RunSummarize(config, f.options, {"../etc"}) == 2);
  CHECK(RunSummarize(config, f.options, {"nothing-here"}) == 1);
  CHECK(RunSummarize(config, f.options, {"s1"}) == 0);
  auto store = OpenStore(f.db);
  CHECK(ReadStore(*store, "summaries/2026-01/s1.md") == "# S\n");
}

TEST_CASE("summaries in the background: the caller never waits, one summariser at a time") {
  SummaryFixture f;
  {
    auto store = OpenStore(f.db);
    REQUIRE(store->WriteFile("sessions/2026-01/s2.jsonl", f.log, 0644, kJan15).ok());
    REQUIRE(store->WriteFile("sessions/2026-01/s3.jsonl", f.log, 0644, kJan15).ok());
  }
  // Held at a gate the test opens (30 s at most), and it notices a second
  // copy of itself running at the same time.
  const std::string stub =
      f.Stub("slow.sh",
             "d=\"$(dirname \"$0\")\"\n"
             "mkdir \"$d/running\" 2>/dev/null || echo overlap >> \"$d/overlap\"\n"
             "cat >/dev/null\n"
             "i=0; while [ ! -e \"$d/go\" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done\n"
             "sleep 0.2\n"
             "rmdir \"$d/running\"\n"
             "echo \"# summary by $$\"\n");
  ScopedEnv env;
  env.Set("MEMHOOK_DB", f.db);
  env.Set("XDG_STATE_HOME", f.dir.path() + "/state");
  env.Set("MEMHOOK_SUMMARIZE_COMMAND", stub);
  const Config config = ConfigFromEnvironment();
  const SummarizeOptions options = SummarizeOptionsFromEnvironment(config);
  CHECK(options.state_dir == f.options.state_dir);
  CHECK(options.command == stub);

  auto summaries = [&] {
    Status status;
    vfs::StoreOptions read_only;
    read_only.read_only = true;
    auto store = vfs::OpenSqliteStore(f.db, read_only, &status);
    int found = 0;
    vfs::Stat stat;
    for (const char* path :
         {"summaries/2026-01/s1.md", "summaries/2026-01/s2.md", "summaries/2026-01/s3.md"}) {
      found += store && store->GetStat(path, &stat).ok() ? 1 : 0;
    }
    return found;
  };
  for (const char* id : {"s1", "s2", "s3"}) {
    Status st = StartSummaryDetached(options, id);  // this binary: summarize --queue
    REQUIRE_MESSAGE(st.ok(), st.message());
  }
  // The caller never waits: every summariser is still held at the gate.
  CHECK(summaries() == 0);
  // Detached: not our children.
  CHECK(waitpid(-1, nullptr, WNOHANG) < 0);

  WriteHostFile(f.stubs + "/go", "");
  CHECK(WaitFor([&] { return summaries() == 3; }, std::chrono::seconds(60)));
  CHECK_FALSE(fs::exists(f.stubs + "/overlap"));
  CHECK(WaitFor([&] { return fs::is_empty(options.state_dir + "/summarize-queue"); },
                std::chrono::seconds(10)));
  auto store = OpenStore(f.db);
  CHECK(ReadStore(*store, "summaries/2026-01/s2.md").rfind("# summary by ", 0) == 0);
  std::vector<vfs::Store::ChangeRecord> changes;
  REQUIRE(store->ListChanges({}, &changes).ok());
  CHECK(changes.size() == 3);
}

// ------------------------------------------------------------ hook events
// The hook's configuration over the fixture's store and home.
Config HookConfig(const CaptureFixture& f) {
  Config config;
  config.home = f.home;
  config.db_path = f.db;
  config.mount = f.home + "/.memhook/memory";
  return config;
}

TEST_CASE("hook events: SessionStart captures and answers the context; SessionEnd queues") {
  CaptureFixture f;
  ScopedEnv env;
  env.Set("XDG_STATE_HOME", f.dir.path() + "/state");
  env.Set("MEMHOOK_SUMMARIZE", "0");
  const Config config = HookConfig(f);
  WriteHostFile(f.transcript, TranscriptLine(1));
  const Json start = {{"session_id", "0b1c2d3e-4f5a"},
                      {"transcript_path", f.transcript},
                      {"cwd", f.project},
                      {"hook_event_name", "SessionStart"},
                      {"source", "startup"}};
  CHECK(IsSessionEvent(start));
  CHECK_FALSE(IsSessionEvent(Json{{"hook_event_name", "PreToolUse"}}));
  HookOutput out = HandleSessionEvent(start, config);
  CHECK(out.exit_code == 0);
  const Json answer = Json::parse(out.stdout_text);
  const std::string context = answer["hookSpecificOutput"]["additionalContext"];
  CHECK(context.find(config.mount) != std::string::npos);
  CHECK(context.find("sessions/ (1 session logs") != std::string::npos);

  WriteHostFile(f.transcript, TranscriptLine(2), true);
  Json stop = start;
  stop["hook_event_name"] = "Stop";
  out = HandleSessionEvent(stop, config);
  CHECK(out.stdout_text.empty());
  Json end = start;
  end["hook_event_name"] = "SessionEnd";
  out = HandleSessionEvent(end, config);
  CHECK(out.stdout_text.empty());
  CHECK_FALSE(fs::exists(f.dir.path() + "/state/memhook/summarize-queue/0b1c2d3e-4f5a"));
  auto store = OpenStore(f.db);
  std::string path;
  REQUIRE(FindSessionLog(*store, "0b1c2d3e-4f5a", &path).ok());
  CHECK(ReadStore(*store, path) == TranscriptLine(1) + TranscriptLine(2));
  // What the caller logs for `memhook stats`.
  CHECK(out.log_call == false);  // SessionEnd: nothing new
  out = HandleSessionEvent(start, config);
  CHECK(out.log_call);
  CHECK(out.call.route == "context");
  WriteHostFile(f.transcript, TranscriptLine(3), true);
  out = HandleSessionEvent(stop, config);
  CHECK(out.log_call);
  CHECK(out.call.route == "capture");
  CHECK(out.call.bytes == static_cast<int64_t>(TranscriptLine(3).size()));
}

TEST_CASE("hook events: every PostToolUse captures what the tool call added, through HandleHook") {
  CaptureFixture f;
  ScopedEnv env;
  env.Set("XDG_STATE_HOME", f.dir.path() + "/state");
  env.Set("MEMHOOK_SUMMARIZE", "0");
  const Config config = HookConfig(f);
  auto post = [&](const std::string& tool, const Json& input) {
    const Json request = {{"session_id", "0b1c2d3e-4f5a"},
                          {"transcript_path", f.transcript},
                          {"cwd", f.project},
                          {"hook_event_name", "PostToolUse"},
                          {"tool_name", tool},
                          {"tool_input", input},
                          {"tool_response", Json::object()}};
    CHECK_FALSE(IsSessionEvent(request));  // HandleHook's own dispatch
    return HandleHook(request.dump(), config);
  };
  // Capture off: not even the store is opened (nor created).
  WriteHostFile(f.transcript, TranscriptLine(1));
  env.Set("MEMHOOK_CAPTURE", "0");
  HookOutput out = post("Bash", {{"command", "ls"}});
  CHECK(out.stdout_text.empty());
  CHECK_FALSE(out.log_call);
  CHECK_FALSE(fs::exists(f.db));
  env.Set("MEMHOOK_CAPTURE", "1");

  out = post("Bash", {{"command", "ls"}});
  CHECK(out.exit_code == 0);
  CHECK(out.stdout_text.empty());
  CHECK(out.stderr_text.empty());
  REQUIRE(out.log_call);
  CHECK(out.call.route == "capture");
  CHECK(out.call.event == "PostToolUse");
  CHECK(out.call.bytes == static_cast<int64_t>(TranscriptLine(1).size()));
  // Another tool, a file outside the memory: its lines, nothing twice.
  WriteHostFile(f.transcript, TranscriptLine(2) + TranscriptLine(3), true);
  out = post("Write", {{"file_path", f.project + "/x.md"}, {"content", "x"}});
  CHECK(out.exit_code == 0);
  CHECK(out.call.bytes == static_cast<int64_t>((TranscriptLine(2) + TranscriptLine(3)).size()));
  out = post("Read", {{"file_path", f.project + "/x.md"}});
  CHECK_FALSE(out.log_call);  // nothing new
  auto store = OpenStore(f.db);
  std::string path;
  REQUIRE(FindSessionLog(*store, "0b1c2d3e-4f5a", &path).ok());
  CHECK(ReadStore(*store, path) == TranscriptLine(1) + TranscriptLine(2) + TranscriptLine(3));
}

}  // namespace
}  // namespace memhook::interceptor

int main(int argc, char** argv) {
  // The detached summariser the tests start: `capture_test summarize --queue`.
  if (argc >= 2 && std::string(argv[1]) == "summarize") {
    using namespace memhook::interceptor;
    const Config config = ConfigFromEnvironment();
    return RunSummarize(config, SummarizeOptionsFromEnvironment(config),
                        std::vector<std::string>(argv + 2, argv + argc));
  }
  doctest::Context context(argc, argv);
  return context.run();
}
