#include <otpsim/sim/token.hpp>

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <fstream>
#include <stdexcept>

#include <otpsim/sim/limits.hpp>

std::string build_id() { return OTPSIM_BUILD_ID; }

namespace {

// A token quoted in an error: long ones are cut (a 1 MiB token is not echoed whole).
std::string shown(const std::string& t) { return t.size() <= 200 ? t : t.substr(0, 200) + "..."; }

std::string encode(const std::vector<uint32_t>& v) {
  if (v.empty()) return "0*0";
  std::string s;
  for (size_t i = 0; i < v.size();) {
    size_t j = i;
    while (j < v.size() && v[j] == v[i]) ++j;
    if (!s.empty()) s += '.';
    s += std::to_string(v[i]);
    if (j - i > 2) {
      s += '*' + std::to_string(j - i);
      i = j;
    } else {
      ++i;
    }
  }
  return s;
}

// A plain decimal number: digits only (no sign, space or '+'), at most UINT64_MAX.
uint64_t number(const std::string& s, const std::string& what, const std::string& token) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("malformed replay token '" + shown(token) + "': " + what + " '" + shown(s) + "' " + why);
  };
  if (s.empty()) throw bad("is not a number (empty)");
  uint64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') throw bad("is not a number (digits only)");
    uint64_t d = static_cast<uint64_t>(c - '0');
    if (n > (UINT64_MAX - d) / 10) throw bad("is out of range (at most 18446744073709551615)");
    n = n * 10 + d;
  }
  return n;
}

// The choice list, run-length expanded: at most kTokenChoices values in all, so a short
// token cannot ask for gigabytes ("0*100000000.0*100000000...").
std::vector<uint32_t> decode(const std::string& s, const std::string& token) {
  std::vector<uint32_t> out;
  size_t pos = 0;
  while (pos <= s.size()) {
    size_t dot = s.find('.', pos);
    std::string item = s.substr(pos, dot == std::string::npos ? std::string::npos : dot - pos);
    size_t star = item.find('*');
    uint64_t v = number(item.substr(0, star), "choice", token);
    uint64_t n = star == std::string::npos ? 1 : number(item.substr(star + 1), "repeat count", token);
    if (v > UINT32_MAX)
      throw std::invalid_argument("malformed replay token '" + shown(token) + "': choice " + std::to_string(v) +
                                  " out of range (at most 4294967295)");
    if (n > otp::sim::limits::kTokenChoices - out.size())
      throw std::invalid_argument("malformed replay token '" + shown(token) + "': more than " +
                                  std::to_string(otp::sim::limits::kTokenChoices) + " choices (the limit)");
    out.insert(out.end(), n, static_cast<uint32_t>(v));
    if (dot == std::string::npos) break;
    pos = dot + 1;
  }
  return out;
}

}  // namespace

std::string make_token(const std::string& target, uint64_t seed, const std::optional<std::vector<uint32_t>>& choices) {
  return "otpsim2:" + build_id() + ":" + std::to_string(seed) + ":" + (choices ? encode(*choices) : "-") + ":" + target;
}

std::string shell_quoted(const std::string& token) {
  std::string out = "'";
  for (char c : token) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

Token parse_token(const std::string& text) {
  if (text.size() > otp::sim::limits::kTokenBytes)
    throw std::invalid_argument("malformed replay token '" + shown(text) + "': " + std::to_string(text.size()) +
                                " bytes long; the limit is " + std::to_string(otp::sim::limits::kTokenBytes));
  auto bad = [&](const char* why) {
    return std::invalid_argument("malformed replay token '" + shown(text) + "': " + why +
                                 " (expected otpsim2:<build>:<seed>:<choices|->:<scenario or suite/name>)");
  };
  int version = text.rfind("otpsim2:", 0) == 0 ? 2 : text.rfind("otpsim1:", 0) == 0 ? 1 : 0;
  if (version == 0) throw bad("unknown format version");
  std::vector<std::string> fields;
  size_t pos = 8;
  for (int i = 0; i < version + 1; ++i) {  // build, seed[, choices]; the target may hold ':'
    size_t c = text.find(':', pos);
    if (c == std::string::npos) throw bad(i == 0 ? "no seed" : "no target");
    fields.push_back(text.substr(pos, c - pos));
    pos = c + 1;
  }
  Token t;
  t.build = fields[0];
  if (t.build.empty()) throw bad("empty build");  // every build has an id ("unknown" outside git)
  t.seed = number(fields[1], "seed", text);
  if (version == 2 && fields[2] != "-") t.choices = decode(fields[2], text);
  t.target = text.substr(pos);
  if (t.target.empty()) throw bad("empty target");
  return t;
}

void write_token_file(const std::string& token, unsigned job, const std::string& program) {
  const std::string path = job == 0 ? "otpsim-last-token.txt" : "otpsim-last-token." + std::to_string(job) + ".txt";
  std::ofstream f(path);
  f << program << " replay " << shell_quoted(token) << '\n';
  f.flush();
  // Best effort (the run goes on), but said once: a crash or a hang would leave no token behind.
  static std::atomic<bool> warned{false};
  if (!f && !warned.exchange(true))
    std::fprintf(stderr, "note: cannot write '%s' in the working directory: a crash or hang would leave no token on disk; "
                 "failures still print theirs\n", path.c_str());
}

TokenFile::TokenFile(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) throw std::invalid_argument("cannot write the token file '" + path_ + "': " + std::strerror(errno));
}

TokenFile::~TokenFile() {
  if (fd_ >= 0) ::close(fd_);
}

void TokenFile::write(const std::string& line) {
  std::string text = line + "\n";
  // Best effort: a full disk must not fail the test run itself.
  if (::pwrite(fd_, text.data(), text.size(), 0) == static_cast<ssize_t>(text.size()))
    (void)!::ftruncate(fd_, static_cast<off_t>(text.size()));
}
