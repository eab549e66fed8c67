#include "alcor/corpus.hpp"

#include <cstdio>
#include <set>

#include "alcor/json.hpp"
#include "alcor/record.hpp"
#include "alcor/selection.hpp"

namespace alcor {

using nlohmann::json;

Status CheckShardFile(Env* env, const std::string& path, const std::string& display) {
  if (env->IsSymlink(path))
    return Status::Corruption(display + ": is a symbolic link; a store holds only its own files (not followed)");
  if (!env->FileExists(path)) return Status::Corruption(display + ": listed in the manifest but missing");
  if (env->IsDirectory(path)) return Status::Corruption(display + ": is a folder, not a shard file");
  uint64_t size = 0;
  ALCOR_RETURN_IF_ERROR(env->GetFileSize(path, &size));
  if (size == 0) return Status::Corruption(display + ": is empty (0 bytes); a shard holds at least one zstd frame");
  return Status::OK();
}

std::vector<std::string> CompareWithManifest(const ShardInfo& expected, const ShardTotals& seen) {
  std::vector<std::string> out;
  if (seen.file_bytes != expected.file_bytes)
    out.push_back("file is " + std::to_string(seen.file_bytes) + " bytes, manifest says " +
                  std::to_string(expected.file_bytes));
  if (seen.sha256 != expected.sha256)
    out.push_back("sha256 " + seen.sha256 + " does not match the manifest's " + expected.sha256);
  if (seen.records != expected.records)
    out.push_back(std::to_string(seen.records) + " records, manifest says " + std::to_string(expected.records));
  if (seen.jsonl_bytes != expected.jsonl_bytes)
    out.push_back(std::to_string(seen.jsonl_bytes) + " bytes of JSONL, manifest says " +
                  std::to_string(expected.jsonl_bytes));
  return out;
}

std::vector<std::string> ShardsListedTwice(const Manifest& manifest) {
  std::set<std::string_view> seen, reported;
  std::vector<std::string> twice;
  for (const ShardInfo& s : manifest.shards)
    if (!seen.insert(s.path).second && reported.insert(s.path).second) twice.push_back(s.path);
  return twice;
}

Status ReadListedShard(Env* env, const std::string& store_dir, const ShardInfo& info, const ReadShardOptions& options,
                       const std::function<bool(std::string_view, const RecordLocation&)>& visit,
                       uint64_t* damage_count) {
  const std::string path = JoinPath(store_dir, info.path);
  uint64_t damages = 0;
  Status first;
  auto damage = [&](Status s) {
    ++damages;
    if (first.ok()) first = std::move(s);
  };
  auto finish = [&]() {
    if (damage_count) *damage_count = damages;
    return first;
  };
  if (Status s = CheckShardFile(env, path, path); !s.ok()) {
    damage(s);
    return finish();
  }
  ShardReader reader(env, path, path);
  reader.LimitJsonlBytes(info.jsonl_bytes);
  std::string line;
  std::vector<std::string> problems;
  RecordLocation where{info.path, 0};
  while (reader.NextLine(&line)) {
    where.line = reader.line_number();
    problems.clear();
    CheckRecordLine(line, /*verify_digest=*/false, &problems);
    if (!problems.empty()) {
      damage(Status::Corruption(path + ":" + std::to_string(where.line) + ": " + problems[0]));
      if (!options.keep_going) return finish();
      continue;
    }
    if (!visit(line, where)) return finish();
  }
  if (!reader.status().ok()) {
    damage(reader.status());
    return finish();
  }
  ShardTotals seen;
  seen.records = reader.line_number();
  seen.jsonl_bytes = reader.jsonl_bytes();
  seen.sha256 = reader.FileSha256();
  ALCOR_RETURN_IF_ERROR(env->GetFileSize(path, &seen.file_bytes));
  for (const std::string& problem : CompareWithManifest(info, seen)) damage(Status::Corruption(path + ": " + problem));
  return finish();
}

Status CheckStoreReadable(Env* env, const std::string& store_dir, const Manifest& manifest) {
  std::vector<std::string> twice = ShardsListedTwice(manifest);
  if (!twice.empty())
    return Status::Corruption(JoinPath(store_dir, store_files::kManifest) + ": lists " + twice[0] + " twice");
  for (const ShardInfo& shard : manifest.shards)
    ALCOR_RETURN_IF_ERROR(ReadListedShard(env, store_dir, shard, ReadShardOptions(),
                                          [](std::string_view, const RecordLocation&) { return true; }));
  return Status::OK();
}

Status ScanStore(const Store& store, const ScanOptions& options,
                 const std::function<bool(std::string_view, const RecordLocation&)>& visit) {
  std::vector<std::string> twice = ShardsListedTwice(store.manifest());
  if (!twice.empty()) {
    Status listed_twice =
        Status::Corruption(store.PathOf(store_files::kManifest) + ": lists " + twice[0] + " twice");
    if (!options.skip_damaged) return listed_twice;
    if (options.on_damaged) options.on_damaged(listed_twice);
  }
  std::set<std::string_view> read;
  ReadShardOptions read_options;
  read_options.keep_going = options.skip_damaged;
  bool stopped = false;
  for (const ShardInfo& shard : store.manifest().shards) {
    if (!options.source.empty() && shard.source != options.source) continue;
    if (!read.insert(shard.path).second) continue;  // listed twice: read once (skip_damaged only)
    Status s = ReadListedShard(store.env(), store.dir(), shard, read_options,
                               [&](std::string_view line, const RecordLocation& where) {
                                 if (options.is_superseded && options.is_superseded(where)) return true;
                                 if (!visit(line, where)) stopped = true;
                                 return !stopped;
                               });
    if (stopped) return Status::OK();
    if (s.ok()) continue;
    if (!options.skip_damaged) return s;
    if (options.on_damaged) options.on_damaged(s);
  }
  return Status::OK();
}

namespace {
void Add(SourceStats* into, const SourceStats& from) {
  into->records += from.records;
  into->shards += from.shards;
  into->jsonl_bytes += from.jsonl_bytes;
  into->file_bytes += from.file_bytes;
  into->words += from.words;
  into->also_held += from.also_held;
  into->raw_bytes += from.raw_bytes;
  if (from.earliest && (!into->earliest || *from.earliest < *into->earliest)) into->earliest = from.earliest;
  if (from.latest && (!into->latest || *from.latest > *into->latest)) into->latest = from.latest;
}

json StatsJson(const SourceStats& s) {
  return {{"records", s.records},
          {"shards", s.shards},
          {"bytes", s.jsonl_bytes},
          {"file_bytes", s.file_bytes},
          {"words", s.words},
          {"also_held", s.also_held},
          {"raw_bytes", s.raw_bytes},
          {"earliest", s.earliest ? json(*s.earliest) : json(nullptr)},
          {"latest", s.latest ? json(*s.latest) : json(nullptr)}};
}

std::string HumanBytes(uint64_t bytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
  double v = static_cast<double>(bytes);
  int u = 0;
  while (v >= 1024 && u < 4) v /= 1024, ++u;
  char buf[32];
  std::snprintf(buf, sizeof(buf), u == 0 ? "%.0f %s" : "%.1f %s", v, units[u]);
  return buf;
}
}  // namespace

Status ComputeStats(const Store& store, const ScanOptions& options, StoreStats* stats) {
  *stats = StoreStats();
  for (const ShardInfo& shard : store.manifest().shards) {
    if (!options.source.empty() && shard.source != options.source) continue;
    SourceStats& s = stats->sources[shard.source];
    s.shards++;
    s.file_bytes += shard.file_bytes;
  }
  for (const RawFileInfo& raw : store.manifest().raw) {
    if (!options.source.empty() && raw.source != options.source) continue;
    stats->sources[raw.source].raw_bytes += raw.file_bytes;
  }
  Status status = ScanStore(store, options, [&](std::string_view line, const RecordLocation& where) {
    Result<json> parsed = ParseJson(line, where.shard);
    if (!parsed.ok() || !parsed->is_object()) return true;
    const json& j = *parsed;
    std::string source = j.value("source", "");
    SourceStats& s = stats->sources[source];
    s.records++;
    s.jsonl_bytes += line.size() + 1;
    if (auto t = j.find("text"); t != j.end() && t->is_string()) s.words += CountWords(t->get_ref<const std::string&>());
    if (auto d = j.find("date_published"); d != j.end() && d->is_string()) {
      const std::string& date = d->get_ref<const std::string&>();
      if (!s.earliest || date < *s.earliest) s.earliest = date;
      if (!s.latest || date > *s.latest) s.latest = date;
    }
    if (auto a = j.find("also_at"); a != j.end() && a->is_array()) {
      std::set<std::string> others;
      for (const json& copy : *a) {
        if (!copy.is_object()) continue;
        auto other = copy.find("source");
        if (other == copy.end() || !other->is_string() || other->get_ref<const std::string&>() == source) continue;
        if (!options.source.empty() && other->get_ref<const std::string&>() != options.source) continue;
        others.insert(other->get<std::string>());
      }
      for (const std::string& other : others) stats->sources[other].also_held++;
    }
    return true;
  });
  for (const auto& [name, s] : stats->sources) Add(&stats->total, s);
  return status;
}

Status ComputeStatsBy(const Store& store, const ScanOptions& options, std::string_view by, StoreStats* stats) {
  if (by == "source") return ComputeStats(store, options, stats);
  *stats = StoreStats();
  stats->by = std::string(by);
  RecordFacts facts;
  std::vector<std::string> keys;
  // A group's shards are those holding at least one of its records. ScanStore reads one shard
  // after another, so a group counts a shard when its first record there is met.
  uint32_t shard_number = 0;
  std::string current_shard;
  std::map<std::string, uint32_t, std::less<>> last_shard_of_group;
  return ScanStore(store, options, [&](std::string_view line, const RecordLocation& where) {
    if (where.shard != current_shard || shard_number == 0) {
      current_shard = where.shard;
      ++shard_number;
      stats->total.shards++;
    }
    if (!ReadRecordFacts(line, &facts).ok()) return true;
    Result<json> parsed = ParseJson(line, "a record");
    const json j = parsed.ok() ? std::move(parsed).value() : json();
    SourceStats one;
    one.records = 1;
    one.jsonl_bytes = line.size() + 1;
    if (auto t = j.find("text"); t != j.end() && t->is_string()) one.words = CountWords(t->get_ref<const std::string&>());
    if (!facts.date_published.empty()) one.earliest = one.latest = facts.date_published;
    keys.clear();
    if (by == "year") keys.push_back(facts.date_published.empty() ? "unknown" : facts.date_published.substr(0, 4));
    else if (by == "kind") keys.push_back(RecordKind(facts));
    else if (by == "tag") keys = facts.tags;
    else if (by == "author") keys = facts.authors;
    if (keys.empty()) keys.push_back("(none)");
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    for (const std::string& key : keys) {
      SourceStats& group = stats->sources[key];
      Add(&group, one);
      uint32_t& last = last_shard_of_group[key];
      if (last != shard_number) {
        last = shard_number;
        group.shards++;
      }
    }
    Add(&stats->total, one);
    return true;
  });
}

json StoreStats::ToJson() const {
  json sources_json = json::object();
  for (const auto& [name, s] : sources) sources_json[name] = StatsJson(s);
  if (by != "source") return {{"by", by}, {"groups", sources_json}, {"total", StatsJson(total)}};
  return {{"sources", sources_json}, {"total", StatsJson(total)}};
}

std::string StoreStats::ToText() const {
  std::string out;
  char buf[512];
  // "also at" only when some source reached records another keeps (the column would be all zeros).
  bool also = total.also_held > 0;
  // "raw" (the raw archive's bytes) only when there is a raw archive.
  bool raw = total.raw_bytes > 0;
  std::snprintf(buf, sizeof(buf), "%-24s %10s %7s %11s %12s  %-10s  %-10s%s%s\n", by.c_str(), "records", "shards",
                "bytes", "words", "earliest", "latest", also ? "  also at" : "", raw ? "         raw" : "");
  out += buf;
  auto row = [&](const std::string& name, const SourceStats& s) {
    std::snprintf(buf, sizeof(buf), "%-24s %10llu %7llu %11s %12llu  %-10s  %-10s", name.c_str(),
                  static_cast<unsigned long long>(s.records), static_cast<unsigned long long>(s.shards),
                  HumanBytes(s.jsonl_bytes).c_str(), static_cast<unsigned long long>(s.words),
                  s.earliest ? s.earliest->substr(0, 10).c_str() : "-", s.latest ? s.latest->substr(0, 10).c_str() : "-");
    out += buf;
    if (also) {
      std::snprintf(buf, sizeof(buf), "  %7llu", static_cast<unsigned long long>(s.also_held));
      out += buf;
    }
    if (raw) {
      std::snprintf(buf, sizeof(buf), "  %10s", HumanBytes(s.raw_bytes).c_str());
      out += buf;
    }
    out += "\n";
  };
  for (const auto& [name, s] : sources) row(name, s);
  row("total", total);
  return out;
}

}  // namespace alcor
