#include "alcor/json.hpp"
#include "alcor/validate.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>
#include <unordered_map>

#include <xxhash.h>

#include "alcor/corpus.hpp"
#include "alcor/record.hpp"
#include "alcor/store.hpp"
#include "alcor/warc.hpp"

namespace alcor {

using nlohmann::json;

std::string ValidationProblem::ToString() const {
  std::string out = path;
  if (line > 0) out += ":" + std::to_string(line);
  out += ": ";
  out += message;
  return out;
}

json ValidationReport::ToJson() const {
  json problems_json = json::array();
  for (const ValidationProblem& p : problems)
    problems_json.push_back({{"path", p.path}, {"line", p.line}, {"problem", p.message}});
  return {{"ok", ok()},
          {"shards", shards},
          {"records", records},
          {"superseded_records", superseded_records},
          {"bytes", jsonl_bytes},
          {"file_bytes", file_bytes},
          {"raw_files", raw_files},
          {"raw_bytes", raw_bytes},
          {"problem_count", problems.size()},
          {"problems", problems_json},
          {"notes", notes}};
}

namespace {

// Ids seen so far, as 64-bit hashes (memory: ~40 bytes per id), with where each was first seen.
class IdSet {
 public:
  // Returns the earlier location of the same id, or nullptr when new.
  const std::pair<uint32_t, uint64_t>* Insert(std::string_view id, uint32_t shard_index, uint64_t line) {
    uint64_t h = XXH3_64bits(id.data(), id.size());
    auto [it, inserted] = seen_.try_emplace(h, shard_index, line);
    return inserted ? nullptr : &it->second;
  }

 private:
  std::unordered_map<uint64_t, std::pair<uint32_t, uint64_t>> seen_;
};

class Validator {
 public:
  Validator(Env* env, const ValidateOptions& options, ValidationReport* report)
      : env_(env), options_(options), report_(report) {}

  // Checks one shard file. expected: its manifest entry, or nullptr.
  void CheckShard(const std::string& display, const std::string& path, const ShardInfo* expected,
                  const std::string& relative) {
    uint32_t index = static_cast<uint32_t>(shard_names_.size());
    shard_names_.push_back(display);
    report_->shards++;
    size_t problems_here = 0, suppressed = 0;
    auto problem = [&](uint64_t line, std::string msg) {
      if (problems_here++ < options_.max_problems_per_shard)
        report_->problems.push_back({display, line, std::move(msg)});
      else
        ++suppressed;
    };

    // A symbolic link in the store is refused, never followed; an empty shard is damage anywhere.
    // (A loose file outside any store may be a link the user made: it is read.)
    Status file = CheckShardFile(env_, path, display);
    bool loose_link = relative.empty() && env_->IsSymlink(path) && env_->FileExists(path);
    if (!file.ok() && !loose_link) {
      problem(0, file.message().substr(std::min(file.message().size(), display.size() + 2)));
      return;
    }
    ShardReader reader(env_, path, display);
    if (expected != nullptr) {
      reader.LimitJsonlBytes(expected->jsonl_bytes);
    } else if (uint64_t file_size = 0; env_->GetFileSize(path, &file_size).ok()) {
      // An unlisted shard states no size: it may expand to kMaxUnlistedShardRatio times its file
      // (real shards compress JSONL 3-20 times), at least kMinUnlistedShardJsonlBytes.
      uint64_t cap = std::max(kMinUnlistedShardJsonlBytes, file_size * kMaxUnlistedShardRatio);
      reader.LimitJsonlBytes(cap, "allowed for an unlisted shard of " + std::to_string(file_size) + " bytes (" +
                                      std::to_string(kMaxUnlistedShardRatio) + " times its size, at least " +
                                      std::to_string(kMinUnlistedShardJsonlBytes) + ")");
    }
    std::string line;
    std::vector<std::string> record_problems;
    std::string id, source;
    while (reader.NextLine(&line)) {
      uint64_t n = reader.line_number();
      record_problems.clear();
      CheckRecordLine(line, /*verify_digest=*/true, &record_problems, &id, &source);
      for (std::string& p : record_problems) problem(n, std::move(p));
      if (expected != nullptr && !source.empty() && source != expected->source)
        problem(n, "record of source '" + source + "' in a shard of source '" + expected->source + "'");
      // Superseded lines are counted apart whether or not they parse, in both modes alike.
      if (options_.is_superseded && !relative.empty() && options_.is_superseded(RecordLocation{relative, n})) {
        report_->superseded_records++;
        continue;
      }
      report_->records++;
      if (id.empty()) continue;
      if (options_.is_removed && options_.is_removed(id))
        problem(n, "record '" + id + "' was removed (alcor removed lists it) but is still visible");
      if (raw_index_ != nullptr) CheckRawPointer(line, n, problem);
      if (const auto* first = ids_.Insert(id, index, n)) {
        problem(n, "duplicate id '" + std::string(id) + "' (first at " + shard_names_[first->first] + ":" +
                       std::to_string(first->second) + ")");
      }
    }
    report_->jsonl_bytes += reader.jsonl_bytes();
    if (!reader.status().ok()) {
      // The reader's message already names the path and line.
      std::string msg = reader.status().message();
      std::string prefix = display + ":";
      uint64_t line_no = 0;
      if (msg.rfind(prefix, 0) == 0) {
        std::string rest = msg.substr(prefix.size());
        size_t colon = rest.find(':');
        line_no = std::strtoull(rest.substr(0, colon).c_str(), nullptr, 10);
        msg = colon == std::string::npos ? rest : rest.substr(colon + 2);
      } else if (msg.rfind(path, 0) == 0) {
        msg = msg.substr(path.size() + (msg.size() > path.size() + 1 ? 2 : 0));
      }
      problem(line_no, msg);
    }
    uint64_t size = 0;
    if (env_->GetFileSize(path, &size).ok()) report_->file_bytes += size;
    if (expected != nullptr && reader.status().ok()) {
      ShardTotals seen{reader.line_number(), reader.jsonl_bytes(), size, reader.FileSha256()};
      for (std::string& p : CompareWithManifest(*expected, seen)) problem(0, std::move(p));
    }
    if (suppressed > 0) report_->problems.push_back({display, 0, std::to_string(suppressed) + " more problems not shown"});
  }

  // Reads every WARC record of a listed raw archive file (framing, digests) and compares the file
  // with its manifest entry; remembers where each record is, for the records' metadata.raw.
  void CheckRawFile(const std::string& path, const RawFileInfo& expected) {
    report_->raw_files++;
    Status file = CheckShardFile(env_, path, path);
    if (!file.ok()) {
      report_->problems.push_back({path, 0, file.message().substr(std::min(file.message().size(), path.size() + 2))});
      return;
    }
    WarcFileReader reader(env_, path, path);
    WarcRecord record;
    uint64_t offset = 0, count = 0;
    while (reader.Next(&record, &offset)) {
      ++count;
      raw_records_[expected.path][offset] = record.record_id;
    }
    if (!reader.status().ok()) {
      report_->problems.push_back({path, 0, reader.status().message()});
      return;
    }
    uint64_t size = 0;
    env_->GetFileSize(path, &size);
    report_->raw_bytes += size;
    if (size != expected.file_bytes)
      report_->problems.push_back({path, 0, "size " + std::to_string(size) + " differs from the manifest's " +
                                                std::to_string(expected.file_bytes)});
    else if (std::string sha = reader.FileSha256(); sha != expected.sha256)
      report_->problems.push_back({path, 0, "sha256 differs from the manifest's"});
    if (count != expected.records)
      report_->problems.push_back({path, 0, std::to_string(count) + " WARC records where the manifest lists " +
                                                std::to_string(expected.records)});
  }
  // From here on, records' metadata.raw is checked against the raw files read.
  void CheckRawPointers() { raw_index_ = &raw_records_; }

 private:
  // A record's metadata.raw must name a listed raw file and the offset of a WARC record there
  // with the same WARC-Record-ID.
  template <typename Problem>
  void CheckRawPointer(const std::string& line, uint64_t n, Problem& problem) {
    if (line.find("\"raw\"") == std::string::npos) return;
    Result<json> j = ParseJson(line, "record");
    if (!j.ok() || !j->is_object() || !j->contains("metadata") || !(*j)["metadata"].is_object() ||
        !(*j)["metadata"].contains("raw"))
      return;
    Result<RawLocation> loc = RawLocation::FromJson((*j)["metadata"]["raw"]);
    if (!loc.ok()) {
      problem(n, loc.status().message());
      return;
    }
    auto file = raw_index_->find(loc->file);
    if (file == raw_index_->end()) {
      problem(n, "metadata.raw names " + loc->file + ", which the manifest does not list (or which does not read)");
      return;
    }
    auto at = file->second.find(loc->offset);
    if (at == file->second.end())
      problem(n, "metadata.raw: no WARC record at " + loc->file + "@" + std::to_string(loc->offset));
    else if (at->second != loc->record_id)
      problem(n, "metadata.raw: the WARC record at " + loc->file + "@" + std::to_string(loc->offset) + " is " +
                     at->second + ", not " + loc->record_id);
  }

  // Raw file path → member offset → WARC-Record-ID.
  std::map<std::string, std::map<uint64_t, std::string>> raw_records_;
  const std::map<std::string, std::map<uint64_t, std::string>>* raw_index_ = nullptr;
  Env* env_;
  const ValidateOptions& options_;
  ValidationReport* report_;
  IdSet ids_;
  std::vector<std::string> shard_names_;
};

std::string NormalPath(const std::string& path) {
  std::error_code ec;
  std::filesystem::path absolute = std::filesystem::absolute(path, ec);
  return (ec ? std::filesystem::path(path) : absolute).lexically_normal().string();
}

// The store folder as a prefix of its files' normal paths ("/abs/corpus/").
std::string StorePathPrefix(const std::string& store_dir) {
  std::string prefix = NormalPath(store_dir);
  if (prefix.empty() || prefix.back() != '/') prefix += '/';
  return prefix;
}

}  // namespace

std::string StoreOfShard(Env* env, const std::string& shard_path) {
  std::filesystem::path shard(NormalPath(shard_path));
  std::filesystem::path shards_dir = shard.parent_path().parent_path();
  if (shards_dir.filename() != store_files::kShardsDir) return "";
  std::string store = shards_dir.parent_path().string();
  return env->FileExists(JoinPath(store, store_files::kMarker)) ? store : "";
}

Status ValidateStore(Env* env, const std::string& store_dir, const ValidateOptions& options,
                     ValidationReport* report) {
  *report = ValidationReport();
  Validator validator(env, options, report);

  // Standalone shard files (no store needed); those inside the store get manifest checks too.
  if (!options.shard_paths.empty()) {
    Manifest manifest;
    bool have_store = env->FileExists(JoinPath(store_dir, store_files::kManifest));
    if (have_store) {
      std::string text;
      if (ReadFileToString(env, JoinPath(store_dir, store_files::kManifest), &text).ok()) {
        Result<Manifest> m = Manifest::Parse(text, JoinPath(store_dir, store_files::kManifest));
        if (m.ok()) manifest = std::move(m).value();
      }
    }
    // A file is the store's when its path, made absolute and normal, lies under the store's:
    // "corpus/shards/x", "./corpus/shards/x" and "/abs/corpus/shards/x" are one shard.
    const std::string prefix = StorePathPrefix(store_dir);
    for (const std::string& path : options.shard_paths) {
      if (!env->FileExists(path) && !env->IsSymlink(path)) {
        report->problems.push_back({path, 0, "no such file"});
        continue;
      }
      const ShardInfo* expected = nullptr;
      std::string rel;
      if (std::string normal = NormalPath(path); have_store && normal.rfind(prefix, 0) == 0) {
        rel = normal.substr(prefix.size());
        for (const ShardInfo& s : manifest.shards)
          if (s.path == rel) expected = &s;
      }
      validator.CheckShard(path, path, expected, rel);
    }
    return Status::OK();
  }

  const std::string manifest_path = JoinPath(store_dir, store_files::kManifest);
  if (!env->FileExists(JoinPath(store_dir, store_files::kMarker))) {
    if (!env->FileExists(manifest_path))
      return Status::NotFound(store_dir + ": no alcor store here (no store marker file " + store_files::kMarker + ")");
    report->problems.push_back({JoinPath(store_dir, store_files::kMarker), 0,
                                std::string("the store marker file ") + store_files::kMarker + " is missing, but " +
                                    store_files::kManifest + " is here: a damaged store ('alcor repair' restores "
                                    "the marker)"});
    return Status::OK();
  }
  std::string text;
  Status s = ReadFileToString(env, JoinPath(store_dir, store_files::kMarker), &text, 1 << 16);
  Result<json> marker_json = s.ok() ? ParseJson(text, store_files::kMarker) : Result<json>(s);
  json marker = marker_json.ok() ? std::move(marker_json).value() : json();
  if (!marker.is_object() || marker.value("format", "") != "alcor-store" || !marker.contains("version") ||
      !marker["version"].is_number_integer()) {
    report->problems.push_back({JoinPath(store_dir, store_files::kMarker), 0, "not an alcor store marker"});
    return Status::OK();
  }
  if (marker["version"].get<int>() != kStoreFormatVersion) {
    report->problems.push_back({JoinPath(store_dir, store_files::kMarker), 0,
                                "store format version " + std::to_string(marker["version"].get<int>()) +
                                    " is not supported (this alcor reads " + std::to_string(kStoreFormatVersion) + ")"});
    return Status::OK();
  }
  s = ReadFileToString(env, manifest_path, &text);
  if (!s.ok()) {
    report->problems.push_back({manifest_path, 0, s.message()});
    return Status::OK();
  }
  Result<Manifest> parsed = Manifest::Parse(text, manifest_path);
  if (!parsed.ok()) {
    report->problems.push_back({manifest_path, 0, parsed.status().message()});
    return Status::OK();
  }
  const Manifest& manifest = parsed.value();

  // A listed file to read: listed once and present; "" (reported) otherwise.
  std::set<std::string> listed;
  auto listed_file = [&](const std::string& rel) -> std::string {
    if (!listed.insert(rel).second) {
      report->problems.push_back({manifest_path, 0, "lists " + rel + " twice"});
      return "";
    }
    std::string path = JoinPath(store_dir, rel);
    if (!env->FileExists(path) && !env->IsSymlink(path)) {
      report->problems.push_back({path, 0, "listed in the manifest but missing"});
      return "";
    }
    return path;
  };
  for (const RawFileInfo& info : manifest.raw)
    if (std::string path = listed_file(info.path); !path.empty()) validator.CheckRawFile(path, info);
  validator.CheckRawPointers();
  for (const ShardInfo& info : manifest.shards)
    if (std::string path = listed_file(info.path); !path.empty()) validator.CheckShard(path, path, &info, info.path);
  for (const auto& [name, rel] : manifest.state) {
    std::string path = JoinPath(store_dir, rel);
    if (env->IsSymlink(path))
      report->problems.push_back({path, 0, "state file '" + name + "' is a symbolic link; a store holds only its own files (not followed)"});
    else if (!env->FileExists(path))
      report->problems.push_back({path, 0, "state file '" + name + "' listed in the manifest but missing"});
  }
  for (const char* file : {store_files::kMarker, store_files::kManifest})
    if (env->IsSymlink(JoinPath(store_dir, file)))
      report->problems.push_back({JoinPath(store_dir, file), 0, "is a symbolic link; a store holds only its own files"});

  // Files in shards/ and raw/ the manifest does not list.
  std::vector<std::string> intent, quarantine;
  ReadCommitIntent(env, store_dir, &intent, &quarantine);
  std::set<std::string> interrupted(intent.begin(), intent.end());
  std::set<std::string> being_quarantined(quarantine.begin(), quarantine.end());
  for (const char* top : {store_files::kShardsDir, store_files::kRawDir}) {
  const std::string what = top == std::string(store_files::kShardsDir) ? "shard" : "raw archive file";
  std::vector<std::string> source_dirs;
  env->GetChildren(JoinPath(store_dir, top), &source_dirs);
  std::sort(source_dirs.begin(), source_dirs.end());
  for (const std::string& d : source_dirs) {
    std::string rel_dir = std::string(top) + "/" + d;
    std::vector<std::string> files;
    if (env->IsSymlink(JoinPath(store_dir, rel_dir))) {
      report->problems.push_back({JoinPath(store_dir, rel_dir), 0, "is a symbolic link; a store holds only its own files (not followed)"});
      continue;
    }
    if (!env->IsDirectory(JoinPath(store_dir, rel_dir))) {
      report->problems.push_back({JoinPath(store_dir, rel_dir), 0, std::string("unexpected file in ") + top + "/"});
      continue;
    }
    env->GetChildren(JoinPath(store_dir, rel_dir), &files);
    std::sort(files.begin(), files.end());
    for (const std::string& f : files) {
      std::string rel = rel_dir + "/" + f;
      if (listed.count(rel)) continue;
      if (store_files::IsTemporaryName(f)) {
        report->notes.push_back(JoinPath(store_dir, rel) + ": unfinished temporary of an interrupted run (removed by the next writer)");
      } else if (being_quarantined.count(rel)) {
        report->notes.push_back(JoinPath(store_dir, rel) + ": set aside by an interrupted repair (moved to quarantine/ by the next writer)");
      } else if (interrupted.count(rel)) {
        report->notes.push_back(JoinPath(store_dir, rel) + ": left by an interrupted commit, not part of the store (removed by the next writer)");
      } else {
        report->problems.push_back({JoinPath(store_dir, rel), 0, what + " not listed in the manifest"});
      }
    }
  }
  }

  // Private permissions, over everything the store holds.
  if (!options.check_permissions) return Status::OK();
  for (const std::string& rel : FindNonPrivatePaths(env, store_dir)) {
    std::string path = rel == "." ? store_dir : JoinPath(store_dir, rel);
    mode_t mode = 0;
    env->GetMode(path, &mode);
    char octal[16];
    std::snprintf(octal, sizeof(octal), "%04o", static_cast<unsigned>(mode));
    report->problems.push_back(
        {path, 0, std::string("permissions ") + octal + " let group or others in; a store must be private (chmod go-rwx)"});
  }
  return Status::OK();
}

}  // namespace alcor
