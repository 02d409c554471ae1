// base64, the digests (md5sum, sha1sum, sha224sum, sha256sum, sha384sum,
// sha512sum, b2sum) and cksum, byte for byte as GNU coreutils 9.1 prints
// them, including the check mode (-c) and all its messages.
//
// The digests come from OpenSSL's libcrypto, opened with dlopen the first
// time one is needed, so that no other command line pays for loading it;
// where it cannot be loaded the command is refused. cksum's CRC and the
// BSD and System V sums are computed here.
#include <dlfcn.h>
#include <openssl/evp.h>

#include <array>
#include <cctype>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "utils/getopt.h"
#include "utils/input.h"
#include "utils/utils.h"

namespace memhook::utils {
namespace {

using gnu::Die;
using gnu::GivenOption;
using gnu::Getopt;
using gnu::kGetoptError;
using gnu::kHelp;
using gnu::kVersion;
using gnu::Option;
using gnu::UsageError;

// glibc getopt_long, permuting operands (no digest's option string starts
// with '+').
Getopt ParseGetopt(const std::vector<std::string>& argv, const std::vector<Option>& table,
                   CommandIo& io) {
  return gnu::ParseGetopt(argv, table, /*permute=*/true, io);
}

// stdout. GNU's error() flushes stdout before it writes to stderr, so the
// output and the diagnostics interleave in program order.
class Output {
 public:
  explicit Output(CommandIo& io) : io_(io) {}
  void Put(std::string_view bytes) { io_.out.append(bytes); }
  void Put(char c) { io_.out.append(std::string_view(&c, 1)); }
  bool Enough() const { return io_.OutputEnough(); }

 private:
  CommandIo& io_;
};

// Feeds the bytes of an opened operand to `consume` as they are read;
// with `out`, stops once the reader of the output has enough. False on a
// read error.
template <typename Consume>
bool FeedFile(InputFile& file, Consume&& consume, const Output* out = nullptr) {
  size_t done = 0;
  while (true) {
    std::string_view data = file.data();
    if (data.size() > done) {
      consume(data.substr(done));
      done = data.size();
    }
    if (file.complete() || (out != nullptr && out->Enough())) return true;
    if (!file.Grow()) return file.error() == vfs::Status::Code::kOk;
  }
}

// ------------------------------------------------------------ libcrypto

// The few libcrypto entry points the digests use, resolved with dlsym.
struct Crypto {
  const EVP_MD* (*get_digestbyname)(const char*);
  EVP_MD_CTX* (*ctx_new)();
  int (*init)(EVP_MD_CTX*, const EVP_MD*, ENGINE*);
  int (*update)(EVP_MD_CTX*, const void*, size_t);
  int (*final)(EVP_MD_CTX*, unsigned char*, unsigned int*);
  void (*ctx_free)(EVP_MD_CTX*);
};

std::optional<Crypto> LoadCrypto() {
  void* handle = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) return std::nullopt;
  Crypto c;
  // Each symbol is cast to the type of the member it fills.
  auto resolve = [&](auto* member, const char* name) {
    void* symbol = dlsym(handle, name);
    *member = reinterpret_cast<std::remove_pointer_t<decltype(member)>>(symbol);
    return symbol != nullptr;
  };
  bool ok = resolve(&c.get_digestbyname, "EVP_get_digestbyname") &&
            resolve(&c.ctx_new, "EVP_MD_CTX_new") && resolve(&c.init, "EVP_DigestInit_ex") &&
            resolve(&c.update, "EVP_DigestUpdate") && resolve(&c.final, "EVP_DigestFinal_ex") &&
            resolve(&c.ctx_free, "EVP_MD_CTX_free");
  if (!ok) return std::nullopt;  // the library stays loaded: harmless
  return c;
}

// The library, loaded the first time a digest is needed. The function-local
// static is initialised once (thread-safe) and never modified afterwards.
const Crypto* GetCrypto() {
  static const std::optional<Crypto> crypto = LoadCrypto();
  return crypto ? &*crypto : nullptr;
}

// An incremental digest of one input.
class Hasher {
 public:
  // `openssl_name` as EVP_get_digestbyname knows it. ok() is false when
  // libcrypto or the digest is not available.
  explicit Hasher(const char* openssl_name) : crypto_(GetCrypto()) {
    if (crypto_ == nullptr) return;
    const EVP_MD* md = crypto_->get_digestbyname(openssl_name);
    if (md == nullptr) return;
    ctx_ = crypto_->ctx_new();
    if (ctx_ != nullptr && crypto_->init(ctx_, md, nullptr) != 1) {
      crypto_->ctx_free(ctx_);
      ctx_ = nullptr;
    }
  }
  ~Hasher() {
    if (ctx_ != nullptr) crypto_->ctx_free(ctx_);
  }
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  bool ok() const { return ctx_ != nullptr; }
  void Update(std::string_view data) { crypto_->update(ctx_, data.data(), data.size()); }
  // The digest in lowercase hex.
  std::string HexFinal() {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    crypto_->final(ctx_, md, &len);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (unsigned int i = 0; i < len; ++i) {
      hex += kHex[md[i] >> 4];
      hex += kHex[md[i] & 15];
    }
    return hex;
  }

 private:
  const Crypto* crypto_;
  EVP_MD_CTX* ctx_ = nullptr;
};

// ------------------------------------------------------------ algorithms

// A digest as the utilities name it.
struct DigestAlgo {
  const char* program;     // md5sum ...
  const char* cksum_name;  // cksum -a NAME
  const char* openssl;     // EVP_get_digestbyname
  const char* tag;         // BSD-style tag and DIGEST_TYPE_STRING
  size_t hex_length;
};
constexpr DigestAlgo kDigests[] = {
    {"md5sum", "md5", "MD5", "MD5", 32},
    {"sha1sum", "sha1", "SHA1", "SHA1", 40},
    {"sha224sum", "sha224", "SHA224", "SHA224", 56},
    {"sha256sum", "sha256", "SHA256", "SHA256", 64},
    {"sha384sum", "sha384", "SHA384", "SHA384", 96},
    {"sha512sum", "sha512", "SHA512", "SHA512", 128},
    {"b2sum", "blake2b", "BLAKE2B512", "BLAKE2b", 128},
    {nullptr, "sm3", "SM3", "SM3", 64},
};

// The POSIX cksum CRC (polynomial 0x04C11DB7, most significant bit
// first): a table of the CRC of each byte value, computed at compile time.
constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t crc = i << 24;
    for (int bit = 0; bit < 8; ++bit)
      crc = (crc & 0x80000000u) ? (crc << 1) ^ 0x04C11DB7u : crc << 1;
    table[i] = crc;
  }
  return table;
}
constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

class Crc {
 public:
  void Update(std::string_view data) {
    for (char c : data) {
      crc_ = (crc_ << 8) ^ kCrcTable[((crc_ >> 24) ^ static_cast<unsigned char>(c)) & 0xff];
    }
    length_ += data.size();
  }
  // The CRC of the data followed by its length (least significant byte
  // first, as few bytes as it takes), complemented.
  uint32_t Final() const {
    uint32_t crc = crc_;
    for (uint64_t n = length_; n != 0; n >>= 8) {
      crc = (crc << 8) ^ kCrcTable[((crc >> 24) ^ (n & 0xff)) & 0xff];
    }
    return ~crc;
  }
  uint64_t length() const { return length_; }

 private:
  uint32_t crc_ = 0;
  uint64_t length_ = 0;
};

// BLAKE2b of any length (RFC 7693), for b2sum -l and cksum -a blake2b -l
// other than 512 bits, which OpenSSL 3.0's BLAKE2B512 cannot give.
class Blake2b {
 public:
  explicit Blake2b(size_t out_bytes) : out_bytes_(out_bytes) {
    h_ = kIv;
    // Parameter block: digest length, no key, fanout 1, depth 1.
    h_[0] ^= 0x01010000u ^ out_bytes;
  }
  void Update(std::string_view data) {
    for (char c : data) {
      // A full block is compressed only once more data follows: the last
      // block must be flagged as such.
      if (fill_ == kBlock) {
        counter_ += kBlock;
        Compress(false);
        fill_ = 0;
      }
      block_[fill_++] = static_cast<unsigned char>(c);
    }
  }
  std::string HexFinal() {
    counter_ += fill_;
    std::fill(block_.begin() + static_cast<long>(fill_), block_.end(), 0);
    Compress(true);
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (size_t i = 0; i < out_bytes_; ++i) {
      unsigned byte = static_cast<unsigned>((h_[i / 8] >> (8 * (i % 8))) & 0xff);
      hex += kHex[byte >> 4];
      hex += kHex[byte & 15];
    }
    return hex;
  }

 private:
  static constexpr size_t kBlock = 128;
  static constexpr std::array<uint64_t, 8> kIv = {
      0x6a09e667f3bcc908ULL, 0xbb67ae8584caa73bULL, 0x3c6ef372fe94f82bULL, 0xa54ff53a5f1d36f1ULL,
      0x510e527fade682d1ULL, 0x9b05688c2b3e6c1fULL, 0x1f83d9abfb41bd6bULL, 0x5be0cd19137e2179ULL};
  // The message word schedule of each round (rounds 10 and 11 reuse 0, 1).
  static constexpr uint8_t kSigma[10][16] = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
      {14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3},
      {11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4},
      {7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8},
      {9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13},
      {2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9},
      {12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11},
      {13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10},
      {6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5},
      {10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0},
  };
  static uint64_t Rotr(uint64_t x, int n) { return (x >> n) | (x << (64 - n)); }

  void Compress(bool last) {
    uint64_t m[16];
    for (int i = 0; i < 16; ++i) {
      uint64_t w = 0;
      for (int b = 7; b >= 0; --b) w = (w << 8) | block_[static_cast<size_t>(i * 8 + b)];
      m[i] = w;
    }
    uint64_t v[16];
    for (int i = 0; i < 8; ++i) {
      v[i] = h_[static_cast<size_t>(i)];
      v[i + 8] = kIv[static_cast<size_t>(i)];
    }
    v[12] ^= counter_;  // the high half of the 128-bit counter stays 0
    if (last) v[14] = ~v[14];
    auto g = [&v](int a, int b, int c, int d, uint64_t x, uint64_t y) {
      v[a] = v[a] + v[b] + x;
      v[d] = Rotr(v[d] ^ v[a], 32);
      v[c] = v[c] + v[d];
      v[b] = Rotr(v[b] ^ v[c], 24);
      v[a] = v[a] + v[b] + y;
      v[d] = Rotr(v[d] ^ v[a], 16);
      v[c] = v[c] + v[d];
      v[b] = Rotr(v[b] ^ v[c], 63);
    };
    for (int round = 0; round < 12; ++round) {
      const uint8_t* s = kSigma[round % 10];
      g(0, 4, 8, 12, m[s[0]], m[s[1]]);
      g(1, 5, 9, 13, m[s[2]], m[s[3]]);
      g(2, 6, 10, 14, m[s[4]], m[s[5]]);
      g(3, 7, 11, 15, m[s[6]], m[s[7]]);
      g(0, 5, 10, 15, m[s[8]], m[s[9]]);
      g(1, 6, 11, 12, m[s[10]], m[s[11]]);
      g(2, 7, 8, 13, m[s[12]], m[s[13]]);
      g(3, 4, 9, 14, m[s[14]], m[s[15]]);
    }
    for (int i = 0; i < 8; ++i) h_[static_cast<size_t>(i)] ^= v[i] ^ v[i + 8];
  }

  size_t out_bytes_;
  std::array<uint64_t, 8> h_;
  std::array<unsigned char, kBlock> block_{};
  size_t fill_ = 0;
  uint64_t counter_ = 0;
};

// ------------------------------------------------------------ names

// A file name as the digests print it: with `escape`, '\\', '\n' and '\r'
// become \\ \n \r (the line then starts with a backslash).
bool NeedsEscape(std::string_view name) {
  return name.find_first_of("\\\n\r") != std::string_view::npos;
}
std::string EscapeName(std::string_view name) {
  std::string out;
  for (char c : name) {
    switch (c) {
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      default:
        out += c;
    }
  }
  return out;
}

// The message for an operand that cannot be read: "PROG: NAME: why".
void ReportUnreadable(const std::string& prog, const std::string& name, InputFile::Open open,
                      const InputFile& file, CommandIo& io) {
  io.err += prog + ": " + QuoteShell(name, false) + ": " +
            (open == InputFile::Open::kDirectory ? "Is a directory" : ErrnoText(file.error())) +
            "\n";
  io.status = 1;
}

// ------------------------------------------------------------ digests

enum DigestOpt {
  kOptBinary,
  kOptCheck,
  kOptTag,
  kOptText,
  kOptZero,
  kOptIgnoreMissing,
  kOptQuiet,
  kOptStatus,
  kOptStrict,
  kOptWarn,
  kOptLength,
  kOptAlgorithm,
  kOptUntagged,
  kOptDebug,
};
const std::vector<Option> kDigestOptions = {
    {'b', "binary", Option::kNone, kOptBinary},
    {'c', "check", Option::kNone, kOptCheck},
    {'\0', "ignore-missing", Option::kNone, kOptIgnoreMissing},
    {'\0', "quiet", Option::kNone, kOptQuiet},
    {'\0', "status", Option::kNone, kOptStatus},
    {'t', "text", Option::kNone, kOptText},
    {'w', "warn", Option::kNone, kOptWarn},
    {'\0', "strict", Option::kNone, kOptStrict},
    {'\0', "tag", Option::kNone, kOptTag},
    {'z', "zero", Option::kNone, kOptZero},
    {'\0', "help", Option::kNone, kHelp},
    {'\0', "version", Option::kNone, kVersion},
};
const std::vector<Option> kB2sumOptions = [] {
  std::vector<Option> t = kDigestOptions;
  t.insert(t.begin() + 1, Option{'l', "length", Option::kRequired, kOptLength});
  return t;
}();
const std::vector<Option> kCksumOptions = {
    {'a', "algorithm", Option::kRequired, kOptAlgorithm},
    {'\0', "debug", Option::kNone, kOptDebug},
    {'l', "length", Option::kRequired, kOptLength},
    {'c', "check", Option::kNone, kOptCheck},
    {'\0', "ignore-missing", Option::kNone, kOptIgnoreMissing},
    {'\0', "quiet", Option::kNone, kOptQuiet},
    {'\0', "status", Option::kNone, kOptStatus},
    {'w', "warn", Option::kNone, kOptWarn},
    {'\0', "strict", Option::kNone, kOptStrict},
    {'\0', "tag", Option::kNone, kOptTag},
    {'\0', "untagged", Option::kNone, kOptUntagged},
    {'z', "zero", Option::kNone, kOptZero},
    {'\0', "help", Option::kNone, kHelp},
    {'\0', "version", Option::kNone, kVersion},
};

// cksum's algorithms besides the digests: how each prints.
enum class SumKind { kCrc, kSysv, kBsd, kDigest };

struct DigestSettings {
  const DigestAlgo* algo = nullptr;  // kDigest
  SumKind kind = SumKind::kDigest;
  bool cksum = false;  // the program is cksum (-a, tagged by default)
  bool check = false, tag = false, zero = false, ignore_missing = false, quiet = false,
       status_only = false, strict = false, warn = false;
  int binary = -1;  // -1 unset, 0 -t, 1 -b
  int bits = 0;     // BLAKE2b's length (-l); 0 is the full 512
  bool length_given = false;
};

bool IsBlake2(const DigestAlgo* algo) {
  return algo != nullptr && std::string_view(algo->tag) == "BLAKE2b";
}
// BLAKE2b shorter than 512 bits: computed here, named BLAKE2b-N.
bool ShortBlake2(const DigestSettings& s) {
  return IsBlake2(s.algo) && s.bits != 0 && s.bits != 512;
}

// Reads one operand and computes its sum line's value: the hex digest, or
// for cksum's CRC and sums their printed numbers. nullopt when unreadable
// (reported) or refused (io.unsupported).
struct FileSum {
  std::string text;  // hex digest, or "CRC SIZE" / "SUM BLOCKS"
};

enum class ReadResult { kOk, kFailed, kRefused };

ReadResult SumOperand(const std::string& prog, const std::string& name, const DigestSettings& s,
                      CommandEnv& env, CommandIo& io, std::string* text, bool* missing,
                      bool report = true, bool* stdin_used = nullptr) {
  InputFile file;
  // stdin named a second time reads as empty: the pipe is at its end.
  const bool is_stdin = name == "-" || name == "/dev/stdin" || name == "/dev/fd/0";
  const bool again = is_stdin && stdin_used != nullptr && *stdin_used;
  if (is_stdin && stdin_used != nullptr) *stdin_used = true;
  InputFile::Open open = file.OpenOperand(env, io, prog, again ? "/dev/null" : name);
  if (open == InputFile::Open::kRefused) return ReadResult::kRefused;
  if (missing != nullptr) {
    *missing = open == InputFile::Open::kError && file.error() == vfs::Status::Code::kNotFound;
  }
  if (open == InputFile::Open::kDirectory && s.kind == SumKind::kCrc) {
    // cksum's CRC reads a directory as empty (its read error is ignored).
    *text = std::to_string(Crc().Final()) + " 0";
    return ReadResult::kOk;
  }
  if (open != InputFile::Open::kOk) {
    if (report) ReportUnreadable(prog, name, open, file, io);
    return ReadResult::kFailed;
  }
  switch (s.kind) {
    case SumKind::kCrc: {
      Crc crc;
      if (!FeedFile(file, [&](std::string_view d) { crc.Update(d); })) {
        ReportUnreadable(prog, name, InputFile::Open::kError, file, io);
        return ReadResult::kFailed;
      }
      *text = std::to_string(crc.Final()) + " " + std::to_string(crc.length());
      return ReadResult::kOk;
    }
    case SumKind::kSysv: {
      // The sum of all bytes, folded to 16 bits; blocks of 512 bytes.
      uint64_t sum = 0, size = 0;
      FeedFile(file, [&](std::string_view d) {
        for (char c : d) sum += static_cast<unsigned char>(c);
        size += d.size();
      });
      uint32_t s32 = static_cast<uint32_t>(sum);
      uint32_t r = (s32 & 0xffff) + (s32 >> 16);
      uint32_t checksum = (r & 0xffff) + (r >> 16);
      *text = std::to_string(checksum) + " " + std::to_string((size + 511) / 512);
      return ReadResult::kOk;
    }
    case SumKind::kBsd: {
      // A 16-bit rotating checksum; blocks of 1024 bytes.
      uint32_t checksum = 0;
      uint64_t size = 0;
      FeedFile(file, [&](std::string_view d) {
        for (char c : d) {
          checksum = (checksum >> 1) + ((checksum & 1) << 15);
          checksum = (checksum + static_cast<unsigned char>(c)) & 0xffff;
        }
        size += d.size();
      });
      char buf[64];
      std::snprintf(buf, sizeof buf, "%05u %5llu", checksum,
                    static_cast<unsigned long long>((size + 1023) / 1024));
      *text = buf;
      return ReadResult::kOk;
    }
    case SumKind::kDigest:
      break;
  }
  if (ShortBlake2(s)) {
    Blake2b blake(static_cast<size_t>(s.bits) / 8);
    if (!FeedFile(file, [&](std::string_view d) { blake.Update(d); })) {
      ReportUnreadable(prog, name, InputFile::Open::kError, file, io);
      return ReadResult::kFailed;
    }
    *text = blake.HexFinal();
    return ReadResult::kOk;
  }
  Hasher hasher(s.algo->openssl);
  if (!hasher.ok()) {
    io.unsupported = prog + " (libcrypto's " + s.algo->openssl + " is not available)";
    return ReadResult::kRefused;
  }
  if (!FeedFile(file, [&](std::string_view d) { hasher.Update(d); })) {
    ReportUnreadable(prog, name, InputFile::Open::kError, file, io);
    return ReadResult::kFailed;
  }
  *text = hasher.HexFinal();
  return ReadResult::kOk;
}

// One line of a checksum file, parsed as split_3 does.
struct CheckLine {
  std::string hex;
  std::string name;
  const DigestAlgo* algo = nullptr;  // cksum: the tagged line's algorithm
  int bits = 0;                      // BLAKE2b: the line's length
};

// A file name with \\ \n \r escapes undone; nullopt when invalid.
std::optional<std::string> Unescape(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\0') return std::nullopt;
    if (s[i] != '\\') {
      out += s[i];
      continue;
    }
    if (++i == s.size()) return std::nullopt;
    switch (s[i]) {
      case 'n':
        out += '\n';
        break;
      case 'r':
        out += '\r';
        break;
      case '\\':
        out += '\\';
        break;
      default:
        return std::nullopt;
    }
  }
  return out;
}

bool IsHex(char c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f'); }
bool AllHex(std::string_view s, size_t length) {
  if (s.size() != length) return false;
  for (char c : s) {
    if (!IsHex(c)) return false;
  }
  return true;
}
bool IsCSpace(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

// Parses a line; false when improperly formatted. `bsd_reversed` is the
// state GNU keeps across lines: -1 unknown, 0 standard, 1 "HASH NAME".
// Sets io.unsupported for lines memhook cannot check (BLAKE2b lengths).
bool ParseCheckLine(std::string_view s, const DigestSettings& settings, int* bsd_reversed,
                    const DigestAlgo** detected, CheckLine* out, const std::string& prog,
                    CommandIo& io) {
  size_t i = 0;
  while (i < s.size() && IsCSpace(s[i])) ++i;
  bool escaped = false;
  if (i < s.size() && s[i] == '\\') {
    ++i;
    escaped = true;
  }
  // BSD-style "ALGO (NAME) = HASH".
  const DigestAlgo* tagged = nullptr;
  if (settings.cksum && settings.algo == nullptr) {
    // cksum -c without -a: the line's tag (up to a blank, '-' or '(')
    // names the algorithm, which stays the current one (for -w's words)
    // until another tag names another. The old sums are not checked.
    size_t end = i;
    while (end < s.size() && end - i <= 7 && s[end] != ' ' && s[end] != '\t' && s[end] != '-' &&
           s[end] != '(') {
      ++end;
    }
    std::string_view tag = s.substr(i, end - i);
    for (const DigestAlgo& a : kDigests) {
      if (tag == a.tag) tagged = &a;
    }
    if (tagged == nullptr) return false;
    *detected = tagged;
  } else if (s.substr(i, std::string_view(settings.algo->tag).size()) == settings.algo->tag) {
    tagged = settings.algo;
  }
  size_t hex_length = tagged != nullptr ? tagged->hex_length : 0;
  if (tagged != nullptr) {
    i += std::string_view(tagged->tag).size();
    if (IsBlake2(tagged) && i < s.size() && s[i] == '-') {
      // BLAKE2b-N: N bits, a multiple of 8 up to 512.
      size_t j = i + 1;
      uint64_t n = 0;
      while (j < s.size() && s[j] >= '0' && s[j] <= '9' && n <= 512)
        n = n * 10 + static_cast<uint64_t>(s[j++] - '0');
      if (j == i + 1 || n == 0 || n > 512 || n % 8 != 0) return false;
      out->bits = static_cast<int>(n);
      hex_length = n / 4;
      i = j;
    }
    if (i < s.size() && s[i] == ' ') ++i;
    if (i >= s.size() || s[i] != '(') return false;
    ++i;
    std::string_view rest = s.substr(i);
    if (rest.empty()) return false;
    size_t close = rest.rfind(')');
    if (close == std::string_view::npos) return false;
    std::string_view name = rest.substr(0, close);
    if (escaped) {
      std::optional<std::string> u = Unescape(name);
      if (!u) return false;
      out->name = *u;
    } else {
      out->name = std::string(name.substr(0, name.find('\0')));
    }
    size_t k = close + 1;
    while (k < rest.size() && (rest[k] == ' ' || rest[k] == '\t')) ++k;
    if (k >= rest.size() || rest[k] != '=') return false;
    ++k;
    while (k < rest.size() && (rest[k] == ' ' || rest[k] == '\t')) ++k;
    std::string_view hex = rest.substr(k);
    if (!AllHex(hex, hex_length)) return false;
    out->hex = std::string(hex);
    out->algo = tagged;
    return true;
  }
  if (settings.algo == nullptr) return false;
  hex_length = settings.algo->hex_length;
  if (IsBlake2(settings.algo)) {
    // The length is that of the line's hex digits.
    size_t j = i;
    while (j < s.size() && IsHex(s[j])) ++j;
    if (j - i != hex_length) {
      if (settings.cksum) {
        io.unsupported = prog + " -c of untagged BLAKE2b other than 512 bits";
        return false;
      }
      if (j - i < 2 || (j - i) % 2 != 0 || j - i > 128) return false;
      hex_length = j - i;
      out->bits = static_cast<int>(hex_length * 4);
    }
  }
  if (s.size() - i < hex_length + 2) return false;
  std::string_view hex = s.substr(i, hex_length);
  i += hex_length;
  if (!IsCSpace(s[i])) return false;
  ++i;
  if (!AllHex(hex, hex_length)) return false;
  if (s.size() - i == 1 || (s[i] != ' ' && s[i] != '*')) {
    if (*bsd_reversed == 0) return false;
    *bsd_reversed = 1;
  } else if (*bsd_reversed != 1) {
    *bsd_reversed = 0;
    ++i;
  }
  std::string_view name = s.substr(i);
  if (escaped) {
    std::optional<std::string> u = Unescape(name);
    if (!u) return false;
    out->name = *u;
  } else {
    out->name = std::string(name.substr(0, name.find('\0')));
  }
  out->hex = std::string(hex);
  out->algo = settings.algo;
  return true;
}

std::string Plural(uint64_t n, const char* one, const char* many) {
  return "WARNING: " + std::to_string(n) + " " + (n == 1 ? one : many);
}

// Checks the lines of one checksum file (digest_check). False when the
// file fails (a mismatch, an unreadable file, no proper line, or with
// --strict an improper one). Returns nullopt when refused.
std::optional<bool> CheckFile(const std::string& prog, const std::string& checkfile,
                              DigestSettings& s, CommandEnv& env, CommandIo& io, Output& out,
                              int* bsd_reversed, const DigestAlgo** detected) {
  const bool is_stdin = checkfile == "-";
  const std::string shown = QuoteShell(is_stdin ? "standard input" : checkfile, false);
  InputFile file;
  InputFile::Open open = file.OpenOperand(env, io, prog, checkfile);
  if (open == InputFile::Open::kRefused) return std::nullopt;
  if (open == InputFile::Open::kOk && !file.ReadAll()) open = InputFile::Open::kError;
  if (open == InputFile::Open::kDirectory) {
    io.err += prog + ": " + shown + ": read error\n";
    return false;
  }
  if (open == InputFile::Open::kError) {
    io.err += prog + ": " + shown + ": " + ErrnoText(file.error()) + "\n";
    return false;
  }
  std::string_view data = file.data();
  uint64_t line_number = 0, misformatted = 0, read_failures = 0, mismatched = 0, matched = 0;
  bool proper = false;
  size_t pos = 0;
  while (pos < data.size() && !out.Enough()) {
    size_t end = data.find('\n', pos);
    std::string_view line =
        data.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
    pos = end == std::string_view::npos ? data.size() : end + 1;
    ++line_number;
    // Comments and empty lines are passed over; a carriage return before
    // the newline is not part of the line.
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty() || line[0] == '#') continue;
    CheckLine parsed;
    bool ok = ParseCheckLine(line, s, bsd_reversed, detected, &parsed, prog, io);
    if (!io.unsupported.empty()) return std::nullopt;
    if (!ok || (is_stdin && parsed.name == "-")) {
      ++misformatted;
      if (s.warn) {
        const DigestAlgo* current = s.algo != nullptr ? s.algo : *detected;
        std::string type = current != nullptr ? current->tag : "CRC";
        io.err += prog + ": " + shown + ": " + std::to_string(line_number) +
                  ": improperly formatted " + type + " checksum line\n";
      }
      continue;
    }
    proper = true;
    DigestSettings line_settings = s;
    line_settings.algo = parsed.algo;
    line_settings.kind = SumKind::kDigest;
    line_settings.bits = parsed.bits;
    std::string digest;
    bool missing = false;
    // With --ignore-missing a missing file is passed over in silence.
    ReadResult r = SumOperand(prog, parsed.name, line_settings, env, io, &digest, &missing,
                              /*report=*/!(s.ignore_missing));
    if (r == ReadResult::kRefused) return std::nullopt;
    // Names are escaped here only when they hold a newline.
    const bool escape = parsed.name.find('\n') != std::string::npos;
    const std::string printed = (escape ? "\\" + EscapeName(parsed.name) : parsed.name);
    if (r == ReadResult::kFailed) {
      if (s.ignore_missing && missing) continue;
      if (s.ignore_missing) {
        // Other errors are reported all the same.
        InputFile again;
        InputFile::Open o = again.OpenOperand(env, io, prog, parsed.name);
        ReportUnreadable(prog, parsed.name, o, again, io);
      }
      ++read_failures;
      if (!s.status_only) out.Put(printed + ": FAILED open or read\n");
      continue;
    }
    bool same = true;
    for (size_t k = 0; k < digest.size(); ++k) {
      same &=
          static_cast<char>(std::tolower(static_cast<unsigned char>(parsed.hex[k]))) == digest[k];
    }
    if (same) {
      ++matched;
      if (!s.status_only && !s.quiet) out.Put(printed + ": OK\n");
    } else {
      ++mismatched;
      if (!s.status_only) out.Put(printed + ": FAILED\n");
    }
  }
  if (!proper) {
    io.err += prog + ": " + shown + ": no properly formatted checksum lines found\n";
  } else {
    if (!s.status_only) {
      if (misformatted != 0) {
        io.err +=
            prog + ": " +
            Plural(misformatted, "line is improperly formatted", "lines are improperly formatted") +
            "\n";
      }
      if (read_failures != 0) {
        io.err += prog + ": " +
                  Plural(read_failures, "listed file could not be read",
                         "listed files could not be read") +
                  "\n";
      }
      if (mismatched != 0) {
        io.err += prog + ": " +
                  Plural(mismatched, "computed checksum did NOT match",
                         "computed checksums did NOT match") +
                  "\n";
      }
    }
    if (s.ignore_missing && matched + mismatched == 0) {
      io.err += prog + ": " + shown + ": no file was verified\n";
    }
  }
  return proper && mismatched == 0 && read_failures == 0 && (!s.strict || misformatted == 0) &&
         (!s.ignore_missing || matched + mismatched > 0);
}

// The digests and cksum share this after their options are read.
void RunDigests(const std::string& prog, const std::vector<std::string>& operands,
                DigestSettings& s, CommandEnv& env, CommandIo& io) {
  std::vector<std::string> files = operands.empty() ? std::vector<std::string>{"-"} : operands;
  Output out(io);
  if (s.check) {
    int bsd_reversed = -1;
    const DigestAlgo* detected = nullptr;  // cksum: the last tag's algorithm
    bool all_ok = true;
    for (const std::string& f : files) {
      if (out.Enough()) break;
      std::optional<bool> ok = CheckFile(prog, f, s, env, io, out, &bsd_reversed, &detected);
      if (!ok) return;
      all_ok &= *ok;
    }
    io.status = all_ok ? 0 : 1;
    return;
  }
  const char eol = s.zero ? '\0' : '\n';
  bool stdin_used = false;
  for (const std::string& name : files) {
    if (out.Enough()) break;
    std::string text;
    ReadResult r = SumOperand(prog, name, s, env, io, &text, nullptr, true, &stdin_used);
    if (r == ReadResult::kRefused) return;
    if (r == ReadResult::kFailed) continue;
    if (s.kind != SumKind::kDigest) {
      // cksum's CRC and sums: no name for stdin, names printed raw.
      out.Put(text);
      if (!operands.empty()) out.Put(" " + name);
      out.Put(eol);
      continue;
    }
    const bool escape = !s.zero && NeedsEscape(name);
    const std::string shown = escape ? EscapeName(name) : name;
    std::string line = escape ? "\\" : "";
    if (s.tag) {
      std::string tag = s.algo->tag;
      if (ShortBlake2(s)) tag += "-" + std::to_string(s.bits);
      line += tag + " (" + shown + ") = " + text;
    } else {
      line += text + (s.binary == 1 ? " *" : "  ") + shown;
    }
    line += eol;
    out.Put(line);
  }
}

// -l for BLAKE2b: bits, a multiple of 8 up to 512 (0: 512). nullopt
// after GNU's diagnostics (or a refusal of numbers past 64 bits).
std::optional<int> BlakeLength(const std::string& prog, const std::string& a, CommandIo& io) {
  const bool digits = !a.empty() && a.find_first_not_of("0123456789") == std::string::npos;
  if (!digits) {
    Die(prog, "invalid length: " + QuoteLocale(a), io);
    return std::nullopt;
  }
  if (a.size() > 18) {
    io.unsupported = prog + " -l " + a;
    return std::nullopt;
  }
  const uint64_t bits = std::stoull(a);
  const std::string invalid = "invalid length: " + QuoteLocale(a) + "\n" + prog + ": ";
  if (bits % 8 != 0) {
    Die(prog, invalid + "length is not a multiple of 8", io);
    return std::nullopt;
  }
  if (bits > 512) {
    Die(prog, invalid + "maximum digest length for " + QuoteLocale("BLAKE2b") + " is 512 bits", io);
    return std::nullopt;
  }
  return static_cast<int>(bits);
}

}  // namespace

void CmdDigest(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  std::string_view base = prog;
  if (size_t slash = base.rfind('/'); slash != std::string_view::npos)
    base.remove_prefix(slash + 1);
  DigestSettings s;
  for (const DigestAlgo& a : kDigests) {
    if (a.program != nullptr && base == a.program) s.algo = &a;
  }
  if (s.algo == nullptr) {
    io.unsupported = prog + " (unknown digest)";
    return;
  }
  const bool b2 = std::string_view(s.algo->tag) == "BLAKE2b";
  Getopt g = ParseGetopt(argv, b2 ? kB2sumOptions : kDigestOptions, io);
  if (g.refused) return;
  for (const GivenOption& o : g.options) {
    switch (o.id) {
      case kGetoptError:
        return UsageError(prog, o.arg, io);
      case kOptBinary:
        s.binary = 1;
        break;
      case kOptText:
        s.binary = 0;
        break;
      case kOptCheck:
        s.check = true;
        break;
      case kOptTag:
        s.tag = true;
        s.binary = 1;
        break;
      case kOptZero:
        s.zero = true;
        break;
      case kOptIgnoreMissing:
        s.ignore_missing = true;
        break;
      case kOptQuiet:
        s.quiet = true;
        s.status_only = false;
        s.warn = false;
        break;
      case kOptStatus:
        s.status_only = true;
        s.quiet = false;
        s.warn = false;
        break;
      case kOptStrict:
        s.strict = true;
        break;
      case kOptWarn:
        s.warn = true;
        s.status_only = false;
        s.quiet = false;
        break;
      case kOptLength: {
        std::optional<int> bits = BlakeLength(prog, o.arg, io);
        if (!bits) return;
        s.bits = *bits;
        s.length_given = true;
        break;
      }
    }
  }
  // GNU's checks of combinations, in its order.
  struct Conflict {
    bool applies;
    const char* message;
  };
  const Conflict conflicts[] = {
      {s.zero && s.check, "the --zero option is not supported when verifying checksums"},
      {s.tag && s.check, "the --tag option is meaningless when verifying checksums"},
      {s.binary >= 0 && s.check,
       "the --binary and --text options are meaningless when verifying checksums"},
      {s.ignore_missing && !s.check,
       "the --ignore-missing option is meaningful only when verifying checksums"},
      {s.status_only && !s.check,
       "the --status option is meaningful only when verifying checksums"},
      {s.warn && !s.check, "the --warn option is meaningful only when verifying checksums"},
      {s.quiet && !s.check, "the --quiet option is meaningful only when verifying checksums"},
      {s.strict && !s.check, "the --strict option is meaningful only when verifying checksums"},
      {s.tag && s.binary == 0, "--tag does not support --text mode"},
  };
  for (const Conflict& c : conflicts) {
    if (c.applies) return UsageError(prog, c.message, io);
  }
  if (s.check && s.length_given) {
    io.unsupported = prog + " -c with -l";
    return;
  }
  RunDigests(prog, g.operands, s, env, io);
}

void CmdCksum(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  Getopt g = ParseGetopt(argv, kCksumOptions, io);
  if (g.refused) return;
  DigestSettings s;
  s.cksum = true;
  s.kind = SumKind::kCrc;
  s.tag = true;
  bool algorithm_given = false;
  std::optional<std::string> length;
  // -a's names, exactly (no abbreviations), in GNU's order for the list.
  static constexpr const char* kNames[] = {"bsd",    "sysv",    "crc",    "md5",
                                           "sha1",   "sha224",  "sha256", "sha384",
                                           "sha512", "blake2b", "sm3"};
  for (const GivenOption& o : g.options) {
    switch (o.id) {
      case kGetoptError:
        return UsageError(prog, o.arg, io);
      case kOptAlgorithm: {
        std::string_view name = o.arg;
        bool known = false;
        for (const char* n : kNames) known |= name == n;
        if (!known) {
          std::string message = "invalid argument " + QuoteLocale(o.arg) + " for " +
                                QuoteLocale("--algorithm") + "\nValid arguments are:";
          for (const char* n : kNames) message += "\n  - " + QuoteLocale(n);
          return UsageError(prog, message, io);
        }
        algorithm_given = true;
        s.algo = nullptr;
        if (name == "bsd") {
          s.kind = SumKind::kBsd;
        } else if (name == "sysv") {
          s.kind = SumKind::kSysv;
        } else if (name == "crc") {
          s.kind = SumKind::kCrc;
        } else {
          s.kind = SumKind::kDigest;
          for (const DigestAlgo& a : kDigests) {
            if (name == a.cksum_name) s.algo = &a;
          }
        }
        break;
      }
      case kOptDebug:
        io.unsupported = prog + " --debug";
        return;
      case kOptLength:
        length = o.arg;
        break;
      case kOptCheck:
        s.check = true;
        break;
      case kOptTag:
        s.tag = true;
        break;
      case kOptUntagged:
        s.tag = false;
        break;
      case kOptZero:
        s.zero = true;
        break;
      case kOptIgnoreMissing:
        s.ignore_missing = true;
        break;
      case kOptQuiet:
        s.quiet = true;
        s.status_only = s.warn = false;
        break;
      case kOptStatus:
        s.status_only = true;
        s.quiet = s.warn = false;
        break;
      case kOptStrict:
        s.strict = true;
        break;
      case kOptWarn:
        s.warn = true;
        s.status_only = s.quiet = false;
        break;
    }
  }
  if (length) {
    if (!IsBlake2(s.algo)) {
      return Die(prog, "--length is only supported with --algorithm=blake2b", io);
    }
    std::optional<int> bits = BlakeLength(prog, *length, io);
    if (!bits) return;
    s.bits = *bits;
    s.length_given = true;
  }
  if (s.check && algorithm_given && s.kind != SumKind::kDigest) {
    return Die(prog, "--check is not supported with --algorithm={bsd,sysv,crc}", io);
  }
  struct Conflict {
    bool applies;
    const char* message;
  };
  const Conflict conflicts[] = {
      {s.zero && s.check, "the --zero option is not supported when verifying checksums"},
      {s.ignore_missing && !s.check,
       "the --ignore-missing option is meaningful only when verifying checksums"},
      {s.status_only && !s.check,
       "the --status option is meaningful only when verifying checksums"},
      {s.warn && !s.check, "the --warn option is meaningful only when verifying checksums"},
      {s.quiet && !s.check, "the --quiet option is meaningful only when verifying checksums"},
      {s.strict && !s.check, "the --strict option is meaningful only when verifying checksums"},
  };
  for (const Conflict& c : conflicts) {
    if (c.applies) return UsageError(prog, c.message, io);
  }
  if (s.check && s.length_given) {
    io.unsupported = prog + " -c with -l";
    return;
  }
  if (s.check && !algorithm_given) s.algo = nullptr;  // each line names its own
  RunDigests(prog, g.operands, s, env, io);
}

// ------------------------------------------------------------ base64

namespace {

constexpr char kBase64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The value of a base64 character, or -1.
int Base64Value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

// Decodes one group of up to 4 characters as gnulib's decode_4 does,
// appending what it can; false when the group is invalid or incomplete.
bool DecodeGroup(std::string_view g, std::string* out) {
  if (g.size() < 2) return false;
  int a = Base64Value(g[0]), b = Base64Value(g[1]);
  if (a < 0 || b < 0) return false;
  out->push_back(static_cast<char>((a << 2) | (b >> 4)));
  if (g.size() == 2) return false;
  if (g[2] == '=') {
    return g.size() == 4 && g[3] == '=';
  }
  int c = Base64Value(g[2]);
  if (c < 0) return false;
  out->push_back(static_cast<char>(((b & 15) << 4) | (c >> 2)));
  if (g.size() == 3) return false;
  if (g[3] == '=') return true;
  int d = Base64Value(g[3]);
  if (d < 0) return false;
  out->push_back(static_cast<char>(((c & 3) << 6) | d));
  return true;
}

enum Base64Opt { kB64Decode, kB64Ignore, kB64Wrap };
const std::vector<Option> kBase64Options = {
    {'d', "decode", Option::kNone, kB64Decode}, {'i', "ignore-garbage", Option::kNone, kB64Ignore},
    {'w', "wrap", Option::kRequired, kB64Wrap}, {'\0', "help", Option::kNone, kHelp},
    {'\0', "version", Option::kNone, kVersion},
};

}  // namespace

void CmdBase64(const std::vector<std::string>& argv, CommandEnv& env, CommandIo& io) {
  const std::string& prog = argv[0];
  Getopt g = ParseGetopt(argv, kBase64Options, io);
  if (g.refused) return;
  bool decode = false, ignore = false;
  uint64_t wrap = 76;
  for (const GivenOption& o : g.options) {
    switch (o.id) {
      case kGetoptError:
        return UsageError(prog, o.arg, io);
      case kB64Decode:
        decode = true;
        break;
      case kB64Ignore:
        ignore = true;
        break;
      case kB64Wrap: {
        // xstrtoimax: blanks and a sign allowed; negative is invalid;
        // too large means "no wrapping".
        std::string_view a = o.arg;
        size_t i = 0;
        while (i < a.size() && (a[i] == ' ' || (a[i] >= '\t' && a[i] <= '\r'))) ++i;
        bool negative = false;
        if (i < a.size() && (a[i] == '+' || a[i] == '-')) negative = a[i++] == '-';
        bool valid = i < a.size();
        uint64_t value = 0;
        bool big = false;
        for (; i < a.size() && valid; ++i) {
          if (a[i] < '0' || a[i] > '9') {
            valid = false;
            break;
          }
          if (value > (UINT64_MAX - 9) / 10) big = true;
          if (!big) value = value * 10 + static_cast<uint64_t>(a[i] - '0');
        }
        if (!valid || (negative && (value != 0 || big))) {
          return Die(prog, "invalid wrap size: " + QuoteLocale(o.arg), io);
        }
        wrap = big || value > static_cast<uint64_t>(INT64_MAX) ? 0 : value;
        break;
      }
    }
  }
  if (g.operands.size() > 1) {
    return UsageError(prog, "extra operand " + QuoteLocale(g.operands[1]), io);
  }
  const std::string name = g.operands.empty() ? "-" : g.operands[0];
  InputFile file;
  InputFile::Open open = file.OpenOperand(env, io, prog, name);
  if (open == InputFile::Open::kRefused) return;
  if (open == InputFile::Open::kDirectory) return Die(prog, "read error: Is a directory", io);
  if (open == InputFile::Open::kError) {
    return Die(prog, QuoteShell(name, false) + ": " + ErrnoText(file.error()), io);
  }
  Output out(io);
  if (!decode) {
    // Encoded in groups of 3 bytes, wrapped every `wrap` columns.
    uint64_t column = 0;
    std::string carry, text;
    auto emit = [&](std::string_view chars) {
      for (char c : chars) {
        if (wrap != 0 && column == wrap) {
          text += '\n';
          column = 0;
        }
        text += c;
        ++column;
      }
    };
    auto encode = [&](std::string_view bytes, bool last) {
      size_t i = 0;
      char quad[4];
      for (; i + 3 <= bytes.size(); i += 3) {
        uint32_t v = (static_cast<unsigned char>(bytes[i]) << 16) |
                     (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                     static_cast<unsigned char>(bytes[i + 2]);
        for (int k = 0; k < 4; ++k) quad[k] = kBase64[(v >> (18 - 6 * k)) & 63];
        emit(std::string_view(quad, 4));
      }
      if (last && i < bytes.size()) {
        uint32_t v = static_cast<unsigned char>(bytes[i]) << 16;
        if (i + 1 < bytes.size()) v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        quad[0] = kBase64[(v >> 18) & 63];
        quad[1] = kBase64[(v >> 12) & 63];
        quad[2] = i + 1 < bytes.size() ? kBase64[(v >> 6) & 63] : '=';
        quad[3] = '=';
        emit(std::string_view(quad, 4));
        i = bytes.size();
      }
      return i;
    };
    FeedFile(
        file,
        [&](std::string_view data) {
          carry.append(data);
          size_t used = encode(carry, false);
          carry.erase(0, used);
          out.Put(text);
          text.clear();
        },
        &out);
    encode(carry, true);
    if (wrap != 0 && column > 0) text += '\n';
    out.Put(text);
    return;
  }
  // Decoding: newlines are skipped (with -i, everything but the alphabet
  // and '='); each group of four characters gives up to three bytes.
  std::string group, decoded;
  bool failed = false;
  FeedFile(
      file,
      [&](std::string_view data) {
        for (char c : data) {
          if (failed) return;
          if (ignore ? (Base64Value(c) < 0 && c != '=') : c == '\n') continue;
          group += c;
          if (group.size() == 4) {
            failed = !DecodeGroup(group, &decoded);
            group.clear();
          }
        }
        out.Put(decoded);
        decoded.clear();
      },
      &out);
  if (out.Enough()) return;  // the reader has gone: nothing more is seen
  if (!failed && !group.empty()) {
    DecodeGroup(group, &decoded);
    failed = true;
  }
  out.Put(decoded);
  if (failed) Die(prog, "invalid input", io);
}

}  // namespace memhook::utils
