#include "alcor/corpus.hpp"

#include <cstdio>

#include "alcor/record.hpp"

namespace alcor {

using nlohmann::json;

Status ScanStore(const Store& store, const ScanOptions& options,
                 const std::function<bool(std::string_view, const RecordLocation&)>& visit) {
  std::string line;
  for (const ShardInfo& shard : store.manifest().shards) {
    if (!options.source.empty() && shard.source != options.source) continue;
    std::string path = store.PathOf(shard.path);
    ShardReader reader(store.env(), path);
    RecordLocation where{shard.path, 0};
    while (reader.NextLine(&line)) {
      where.line = reader.line_number();
      if (options.is_superseded && options.is_superseded(where)) continue;
      if (!visit(line, where)) return Status::OK();
    }
    ALCOR_RETURN_IF_ERROR(reader.status());
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
  if (from.earliest && (!into->earliest || *from.earliest < *into->earliest)) into->earliest = from.earliest;
  if (from.latest && (!into->latest || *from.latest > *into->latest)) into->latest = from.latest;
}

json StatsJson(const SourceStats& s) {
  return {{"records", s.records},
          {"shards", s.shards},
          {"bytes", s.jsonl_bytes},
          {"file_bytes", s.file_bytes},
          {"words", s.words},
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
  Status status = ScanStore(store, options, [&](std::string_view line, const RecordLocation& where) {
    json j = json::parse(line, nullptr, false);
    if (!j.is_object()) return true;
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
    return true;
  });
  for (const auto& [name, s] : stats->sources) Add(&stats->total, s);
  return status;
}

json StoreStats::ToJson() const {
  json sources_json = json::object();
  for (const auto& [name, s] : sources) sources_json[name] = StatsJson(s);
  return {{"sources", sources_json}, {"total", StatsJson(total)}};
}

std::string StoreStats::ToText() const {
  std::string out;
  char buf[512];
  std::snprintf(buf, sizeof(buf), "%-24s %10s %7s %11s %12s  %-10s  %-10s\n", "source", "records", "shards", "bytes",
                "words", "earliest", "latest");
  out += buf;
  auto row = [&](const std::string& name, const SourceStats& s) {
    std::snprintf(buf, sizeof(buf), "%-24s %10llu %7llu %11s %12llu  %-10s  %-10s\n", name.c_str(),
                  static_cast<unsigned long long>(s.records), static_cast<unsigned long long>(s.shards),
                  HumanBytes(s.jsonl_bytes).c_str(), static_cast<unsigned long long>(s.words),
                  s.earliest ? s.earliest->substr(0, 10).c_str() : "-", s.latest ? s.latest->substr(0, 10).c_str() : "-");
    out += buf;
  };
  for (const auto& [name, s] : sources) row(name, s);
  row("total", total);
  return out;
}

}  // namespace alcor
