// SupersededSet: which record lines of a store are older versions (dedup rule 2) or merged
// duplicates that were rewritten. Format in dedup.hpp.
#include <algorithm>
#include <charconv>

#include "alcor/dedup.hpp"

namespace alcor {
namespace {
constexpr std::string_view kHeader = "alcor-superseded 1";
constexpr size_t kMaxSupersededFileBytes = size_t{2} << 30;
}  // namespace

bool SupersededSet::Contains(std::string_view shard, uint64_t line) const {
  auto it = lines_.find(shard);
  if (it == lines_.end()) return false;
  return std::binary_search(it->second.begin(), it->second.end(), line);
}

void SupersededSet::Add(std::string_view shard, uint64_t line) {
  auto it = lines_.find(shard);
  if (it == lines_.end()) it = lines_.emplace(std::string(shard), std::vector<uint64_t>{}).first;
  std::vector<uint64_t>& v = it->second;
  if (v.empty() || v.back() < line) {
    v.push_back(line);
  } else {
    auto pos = std::lower_bound(v.begin(), v.end(), line);
    if (pos != v.end() && *pos == line) return;
    v.insert(pos, line);
  }
  ++size_;
}

void SupersededSet::RemoveShard(std::string_view shard) {
  auto it = lines_.find(shard);
  if (it == lines_.end()) return;
  size_ -= it->second.size();
  lines_.erase(it);
}

std::vector<std::string> SupersededSet::Shards() const {
  std::vector<std::string> out;
  for (const auto& [shard, lines] : lines_) out.push_back(shard);
  return out;
}

std::string SupersededSet::Serialize() const {
  std::string out(kHeader);
  out.push_back('\n');
  char buf[24];
  for (const auto& [shard, lines] : lines_) {
    if (lines.empty()) continue;
    out.append(shard);
    out.push_back('\t');
    for (size_t i = 0; i < lines.size(); ++i) {
      if (i) out.push_back(',');
      auto r = std::to_chars(buf, buf + sizeof(buf), lines[i]);
      out.append(buf, r.ptr);
    }
    out.push_back('\n');
  }
  out.append("end ");
  out.append(std::to_string(size_));
  out.push_back('\n');
  return out;
}

Status SupersededSet::Parse(std::string_view text, std::string_view path, SupersededSet* out) {
  SupersededSet set;
  auto corrupt = [&](size_t line_no, std::string_view what) {
    return Status::Corruption(std::string(path) + ":" + std::to_string(line_no) + ": " + std::string(what));
  };
  size_t pos = 0, line_no = 0;
  bool ended = false;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) return corrupt(line_no + 1, "superseded set is cut short");
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    if (ended) return corrupt(line_no, "text after the end line");
    if (line_no == 1) {
      if (line != kHeader) return corrupt(1, "not a superseded set (bad header)");
      continue;
    }
    if (line.substr(0, 4) == "end ") {
      uint64_t total = 0;
      auto r = std::from_chars(line.data() + 4, line.data() + line.size(), total);
      if (r.ec != std::errc() || r.ptr != line.data() + line.size() || total != set.size_)
        return corrupt(line_no, "end line does not match the number of entries");
      ended = true;
      continue;
    }
    size_t tab = line.find('\t');
    if (tab == std::string_view::npos || tab == 0) return corrupt(line_no, "expected '<shard>\\t<lines>'");
    std::string_view shard = line.substr(0, tab);
    if (set.lines_.count(shard)) return corrupt(line_no, "shard listed twice");
    std::vector<uint64_t>& v = set.lines_[std::string(shard)];
    const char* p = line.data() + tab + 1;
    const char* end = line.data() + line.size();
    while (p < end) {
      uint64_t n = 0;
      auto r = std::from_chars(p, end, n);
      if (r.ec != std::errc() || n == 0) return corrupt(line_no, "bad line number");
      if (!v.empty() && n <= v.back()) return corrupt(line_no, "line numbers not ascending");
      v.push_back(n);
      p = r.ptr;
      if (p < end) {
        if (*p != ',') return corrupt(line_no, "bad separator");
        ++p;
        if (p == end) return corrupt(line_no, "trailing comma");
      }
    }
    if (v.empty()) return corrupt(line_no, "shard without lines");
    set.size_ += v.size();
  }
  if (!ended) return corrupt(line_no, "superseded set has no end line (cut short)");
  *out = std::move(set);
  return Status::OK();
}

Status LoadSuperseded(const Store& store, SupersededSet* set) {
  return LoadSupersededFile(store.env(), store.CurrentStateFile(kSupersededState), set);
}

Status LoadSupersededFile(Env* env, const std::string& path, SupersededSet* set) {
  *set = SupersededSet();
  if (path.empty()) return Status::OK();
  std::string text;
  ALCOR_RETURN_IF_ERROR(ReadFileToString(env, path, &text, kMaxSupersededFileBytes));
  return SupersededSet::Parse(text, path, set);
}

}  // namespace alcor
