// File naming of the store, with its inverse parser, in one place.
#include <cstdio>
#include <string>

#include "alcor/store.hpp"

namespace alcor::store_files {
namespace {
bool IsSafeChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}
}  // namespace

std::string SourceDirName(std::string_view source) {
  std::string out;
  for (size_t i = 0; i < source.size(); ++i) {
    char c = source[i];
    // A leading '.' would hide the folder and ".." would climb out of shards/: encode it.
    if (IsSafeChar(c) && !(c == '.' && i == 0)) {
      out += c;
    } else {
      char buf[4];
      std::snprintf(buf, sizeof(buf), "%%%02X", static_cast<unsigned char>(c));
      out += buf;
    }
  }
  return out.empty() ? "%00" : out;
}

namespace {
// "<top>/<source dir>/<run id>-<seq 6 digits><suffix>"
std::string FilePath(std::string_view top, std::string_view suffix, std::string_view source, std::string_view run_id,
                     uint64_t sequence) {
  char seq[32];
  std::snprintf(seq, sizeof(seq), "%06llu", static_cast<unsigned long long>(sequence));
  return std::string(top) + "/" + SourceDirName(source) + "/" + std::string(run_id) + "-" + seq + std::string(suffix);
}

bool ParseFilePath(std::string_view path, std::string_view top, std::string_view suffix, std::string* source_dir,
                   std::string* run_id, uint64_t* sequence) {
  if (path.substr(0, top.size()) != top || path.size() <= top.size() || path[top.size()] != '/') return false;
  path.remove_prefix(top.size() + 1);
  size_t slash = path.find('/');
  if (slash == std::string_view::npos || slash == 0) return false;
  std::string_view dir = path.substr(0, slash);
  std::string_view file = path.substr(slash + 1);
  if (file.size() <= suffix.size() || file.substr(file.size() - suffix.size()) != suffix) return false;
  file.remove_suffix(suffix.size());
  size_t dash = file.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || file.size() - dash - 1 != 6) return false;
  uint64_t seq = 0;
  for (char c : file.substr(dash + 1)) {
    if (c < '0' || c > '9') return false;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  if (file.find('/') != std::string_view::npos) return false;
  *source_dir = std::string(dir);
  *run_id = std::string(file.substr(0, dash));
  *sequence = seq;
  return true;
}
}  // namespace

std::string ShardPath(std::string_view source, std::string_view run_id, uint64_t sequence) {
  return FilePath(kShardsDir, kShardSuffix, source, run_id, sequence);
}

bool ParseShardPath(std::string_view path, std::string* source_dir, std::string* run_id, uint64_t* sequence) {
  return ParseFilePath(path, kShardsDir, kShardSuffix, source_dir, run_id, sequence);
}

std::string RawPath(std::string_view source, std::string_view run_id, uint64_t sequence) {
  return FilePath(kRawDir, kRawSuffix, source, run_id, sequence);
}

bool ParseRawPath(std::string_view path, std::string* source_dir, std::string* run_id, uint64_t* sequence) {
  return ParseFilePath(path, kRawDir, kRawSuffix, source_dir, run_id, sequence);
}

bool IsRawPath(std::string_view path) {
  std::string d, r;
  uint64_t q;
  return ParseRawPath(path, &d, &r, &q);
}

bool IsTemporaryName(std::string_view name) {
  return name.size() > 5 && name[0] == '.' && name.substr(name.size() - 4) == ".tmp";
}

std::string StateFilePath(std::string_view name, uint64_t generation) {
  char gen[32];
  std::snprintf(gen, sizeof(gen), "%06llu", static_cast<unsigned long long>(generation));
  return std::string(kStateDir) + "/" + std::string(name) + "." + gen;
}

std::string QuarantinePath(std::string_view shard_path) {
  std::string_view rest = shard_path;
  std::string_view prefix = kShardsDir;
  if (rest.substr(0, prefix.size()) == prefix && rest.size() > prefix.size() && rest[prefix.size()] == '/')
    rest.remove_prefix(prefix.size() + 1);
  return std::string(kQuarantineDir) + "/" + std::string(rest);
}

}  // namespace alcor::store_files
