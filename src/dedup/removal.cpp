// The removal list and RemoveRecords (alcor/removal.hpp).
#include "alcor/removal.hpp"

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <set>

#include <spdlog/spdlog.h>

#include "alcor/corpus.hpp"
#include "alcor/dates.hpp"
#include "alcor/json.hpp"
#include "alcor/dedup.hpp"
#include "fingerprint.hpp"

namespace alcor {

namespace {
constexpr std::string_view kRemovedHeader = "alcor-removed 1";
constexpr size_t kMaxRemovedFileBytes = size_t{1} << 30;
// The deduplicator's DedupOptions::min_words_exact: shorter texts are not compared for themselves.
constexpr size_t kMinWordsForTextKey = 10;
}  // namespace

nlohmann::json Removal::ToJson() const {
  return {{"id", id},           {"source", source},     {"url", url},       {"also_at", also_at},
          {"content_sha256", content_sha256}, {"text_key", text_key}, {"reason", reason}, {"time", time}};
}

void RemovalList::Add(Removal removal) {
  const size_t i = entries_.size();
  by_id_.emplace(removal.id, i);
  if (!removal.url.empty()) by_url_.emplace(removal.url, i);
  for (const std::string& url : removal.also_at)
    if (!url.empty()) by_url_.emplace(url, i);
  if (!removal.content_sha256.empty()) by_sha_.emplace(removal.content_sha256, i);
  if (!removal.text_key.empty()) by_text_.emplace(removal.text_key, i);
  entries_.push_back(std::move(removal));
}

const Removal* RemovalList::FindId(std::string_view id) const {
  auto it = by_id_.find(id);
  return it == by_id_.end() ? nullptr : &entries_[it->second];
}

const Removal* RemovalList::Refuses(const Record& record) const {
  if (entries_.empty()) return nullptr;
  auto find = [&](const auto& map, std::string_view key) -> const Removal* {
    if (key.empty()) return nullptr;
    auto it = map.find(key);
    return it == map.end() ? nullptr : &entries_[it->second];
  };
  if (const Removal* r = find(by_id_, record.id)) return r;
  if (const Removal* r = find(by_url_, record.url)) return r;
  for (const AlsoAt& a : record.also_at)
    if (const Removal* r = find(by_url_, a.url)) return r;
  if (const Removal* r = find(by_sha_, record.content_sha256)) return r;
  if (!by_text_.empty())
    if (const Removal* r = find(by_text_, RemovalTextKey(record.text))) return r;
  return nullptr;
}

std::string RemovalList::Serialize() const {
  std::string out(kRemovedHeader);
  out.push_back('\n');
  for (const Removal& r : entries_) {
    out += r.ToJson().dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out.push_back('\n');
  }
  return out;
}

Status RemovalList::Parse(std::string_view text, std::string_view path, RemovalList* out) {
  RemovalList list;
  size_t pos = 0, line_no = 0;
  auto corrupt = [&](std::string_view what) {
    return Status::Corruption(std::string(path) + ":" + std::to_string(line_no) + ": " + std::string(what));
  };
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    ++line_no;
    if (nl == std::string_view::npos) return corrupt("removal list is cut short");
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    if (line_no == 1) {
      if (line != kRemovedHeader) return corrupt("not a removal list (bad header)");
      continue;
    }
    Result<nlohmann::json> parsed = ParseJson(line, std::string(path) + ":" + std::to_string(line_no));
    if (!parsed.ok() || !parsed.value().is_object()) return corrupt("not a JSON object");
    const nlohmann::json& j = parsed.value();
    Removal r;
    for (auto [field, value] : {std::pair{"id", &r.id}, {"source", &r.source}, {"url", &r.url},
                                {"content_sha256", &r.content_sha256}, {"text_key", &r.text_key},
                                {"reason", &r.reason}, {"time", &r.time}}) {
      auto it = j.find(field);
      if (it == j.end() || !it->is_string()) return corrupt(std::string("field '") + field + "' must be a string");
      *value = it->get<std::string>();
    }
    // also_at came later: a list written before it has none.
    if (auto it = j.find("also_at"); it != j.end()) {
      if (!it->is_array()) return corrupt("field 'also_at' must be an array of strings");
      for (const nlohmann::json& url : *it) {
        if (!url.is_string()) return corrupt("field 'also_at' must be an array of strings");
        r.also_at.push_back(url.get<std::string>());
      }
    }
    if (r.id.empty()) return corrupt("field 'id' is empty");
    list.Add(std::move(r));
  }
  if (line_no == 0) return corrupt("removal list is empty (no header)");
  *out = std::move(list);
  return Status::OK();
}

std::string RemovalTextKey(std::string_view text) {
  dedup::Fingerprint fp = dedup::ComputeFingerprint(text);
  if (fp.words < kMinWordsForTextKey || fp.exact_hash == 0) return "";
  char buf[17];
  std::snprintf(buf, sizeof(buf), "%016llx", static_cast<unsigned long long>(fp.exact_hash));
  return buf;
}

Status LoadRemovals(const Store& store, RemovalList* list) {
  *list = RemovalList();
  std::string path = store.CurrentStateFile(kRemovedState);
  if (path.empty()) return Status::OK();
  std::string text;
  ALCOR_RETURN_IF_ERROR(ReadFileToString(store.env(), path, &text, kMaxRemovedFileBytes));
  return RemovalList::Parse(text, path, list);
}

namespace {

// Writes a complete, synced state file under state/ for a transaction.
Status WriteStateTemp(Store* store, const std::string& logical, const std::string& content, std::string* path) {
  static std::atomic<uint64_t> sequence{0};
  ALCOR_RETURN_IF_ERROR(store->env()->CreateDirs(store->StateDir(), kPrivateDirMode));
  *path = JoinPath(store->StateDir(), "." + logical + "." + store->run_id() + "-r" + std::to_string(++sequence) + ".tmp");
  std::unique_ptr<WritableFile> f;
  Status s = store->env()->NewWritableFile(*path, kPrivateFileMode, &f);
  if (s.ok()) s = f->Append(content);
  if (s.ok()) s = f->Sync();
  if (s.ok()) s = f->Close();
  if (!s.ok()) store->env()->RemoveFile(*path);
  return s;
}

}  // namespace

Status RemoveRecords(Store* store, const std::vector<std::string>& ids, const std::string& reason,
                     std::vector<Removal>* removed) {
  removed->clear();
  if (store->read_only()) return Status::InvalidArgument(store->dir() + ": removing records needs a writable store");
  SupersededSet superseded;
  ALCOR_RETURN_IF_ERROR(LoadSuperseded(*store, &superseded));
  RemovalList list;
  ALCOR_RETURN_IF_ERROR(LoadRemovals(*store, &list));

  const std::set<std::string, std::less<>> wanted(ids.begin(), ids.end());
  std::set<std::string, std::less<>> found;
  std::vector<RecordLocation> lines;
  const std::string now = FormatRfc3339UtcMicros(store->env()->NowMicros());
  ScanOptions scan;
  scan.is_superseded = [&](const RecordLocation& where) { return superseded.Contains(where); };
  Status read = ScanStore(*store, scan, [&](std::string_view line, const RecordLocation& where) {
    std::string id;
    std::vector<std::string> problems;
    CheckRecordLine(line, false, &problems, &id);
    if (!wanted.count(id)) return true;
    Result<Record> record = Record::FromJsonLine(line);
    if (!record.ok()) return true;  // not reachable: the reading path checked the line
    lines.push_back(where);
    if (!found.insert(id).second) return true;  // a second live line of the same id goes too
    Removal r;
    r.id = id;
    r.source = record.value().source;
    r.url = record.value().url;
    for (const AlsoAt& a : record.value().also_at) r.also_at.push_back(a.url);
    r.content_sha256 = record.value().content_sha256;
    r.text_key = RemovalTextKey(record.value().text);
    r.reason = reason;
    r.time = now;
    removed->push_back(std::move(r));
    return true;
  });
  ALCOR_RETURN_IF_ERROR(read);

  std::vector<std::string> missing;
  for (const std::string& id : ids) {
    if (found.count(id)) continue;
    const Removal* earlier = list.FindId(id);
    missing.push_back("'" + id + "'" + (earlier ? " (removed already, " + earlier->time + ")" : ""));
  }
  if (!missing.empty()) {
    removed->clear();
    std::string names;
    for (const std::string& m : missing) names += (names.empty() ? "" : ", ") + m;
    return Status::InvalidArgument("no record with id " + names + " in the store; nothing was removed");
  }

  for (const RecordLocation& where : lines) superseded.Add(where.shard, where.line);
  for (const Removal& r : *removed) list.Add(r);
  Transaction txn;
  std::string superseded_path, removed_path;
  ALCOR_RETURN_IF_ERROR(WriteStateTemp(store, kSupersededState, superseded.Serialize(), &superseded_path));
  if (Status s = WriteStateTemp(store, kRemovedState, list.Serialize(), &removed_path); !s.ok()) {
    store->env()->RemoveFile(superseded_path);
    return s;
  }
  txn.state_files[kSupersededState] = superseded_path;
  txn.state_files[kRemovedState] = removed_path;
  Status s = store->Commit(&txn);
  if (!s.ok()) {
    store->env()->RemoveFile(superseded_path);
    store->env()->RemoveFile(removed_path);
    removed->clear();
  }
  return s;
}

}  // namespace alcor
