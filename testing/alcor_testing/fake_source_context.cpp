#include "alcor_testing/fake_source_context.hpp"

#include <algorithm>

#include "alcor/env.hpp"

namespace testing {

FakeSourceContext::FakeSourceContext(std::string source_name, alcor::HttpClient* http)
    : name_(std::move(source_name)), http_(http) {}

alcor::Env* FakeSourceContext::env() { return alcor::Env::Default(); }

alcor::Status FakeSourceContext::Emit(alcor::RawDocument doc) {
  if (stop_.load() || (limit > 0 && emitted >= limit)) return alcor::Status::Interrupted("stopping");
  ++emitted;
  std::string id = doc.record.id;
  if (doc.update_metadata) update_metadata_ids.push_back(id);
  alcor::Record record;
  std::shared_ptr<const alcor::RawCapture> capture = doc.capture;
  alcor::Status s = alcor::Convert(std::move(doc), &record);
  if (s.ok()) {
    records.push_back(std::move(record));
    captures.push_back(std::move(capture));
  } else {
    conversion_failures.emplace_back(id, s.ToString());
  }
  return alcor::Status::OK();
}

alcor::Result<std::string> FakeSourceContext::ReadState(const std::string& name) {
  auto it = state.find(name);
  if (it == state.end()) return alcor::Status::NotFound("no state " + name);
  return it->second;
}

void FakeSourceContext::Checkpoint(const std::string& name, std::string contents) {
  checkpoints.emplace_back(name, std::move(contents));
}

void FakeSourceContext::ReportFailure(const std::string& what, const alcor::Status& why) {
  failures.emplace_back(what, why.ToString());
}

void FakeSourceContext::NextRun() {
  for (auto& [name, contents] : checkpoints) state[name] = contents;
  checkpoints.clear();
  records.clear();
  conversion_failures.clear();
  failures.clear();
  logs.clear();
  unchanged = 0;
  notes = nlohmann::json::object();
  throttled = 0;
  throttled_micros = 0;
  emitted = 0;
  update_metadata_ids.clear();
  stop_ = false;
}

const alcor::Record* FakeSourceContext::Find(const std::string& id) const {
  for (const alcor::Record& r : records)
    if (r.id == id) return &r;
  return nullptr;
}

std::vector<std::string> FakeSourceContext::RecordIds() const {
  std::vector<std::string> ids;
  for (const alcor::Record& r : records) ids.push_back(r.id);
  std::sort(ids.begin(), ids.end());
  return ids;
}

}  // namespace testing
