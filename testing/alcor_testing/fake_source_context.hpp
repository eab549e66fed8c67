// A SourceContext for testing source modules without the pipeline: Emit converts each document
// at once (Convert) and records the result; checkpoints are recorded and become the
// state of the next run with NextRun(). Thread safe for one source thread.
#pragma once

#include <atomic>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "alcor/source.hpp"

namespace testing {

class FakeSourceContext : public alcor::SourceContext {
 public:
  // REQUIRES: http outlives the context.
  FakeSourceContext(std::string source_name, alcor::HttpClient* http);

  const std::string& source_name() const override { return name_; }
  alcor::HttpClient& http() override { return *http_; }
  alcor::Env* env() override;
  alcor::Status Emit(alcor::RawDocument doc) override;
  alcor::Result<std::string> ReadState(const std::string& name) override;
  void Checkpoint(const std::string& name, std::string contents) override;
  bool stopping() const override { return stop_.load(); }
  bool refresh_metadata() const override { return refresh_metadata_run; }
  void CountUnchanged(uint64_t n) override { unchanged += n; }
  void CountThrottled(int64_t waited_micros) override {
    ++throttled;
    throttled_micros += waited_micros;
  }
  void ReportFailure(const std::string& what, const alcor::Status& why) override;
  void Log(const std::string& message) override { logs.push_back(message); }
  void SetNote(const std::string& key, nlohmann::json value) override { notes[key] = std::move(value); }
  void AddToNote(const std::string& key, double n) override { alcor::AddToNoteNumber(&notes, key, n); }

  // Makes the last checkpoint of each state the committed state, and clears what this run
  // recorded (records, failures, counters): the context then behaves as the next run's.
  void NextRun();
  void RequestStop() { stop_ = true; }

  // The record with this id, or nullptr.
  const alcor::Record* Find(const std::string& id) const;
  // The ids of the records, sorted.
  std::vector<std::string> RecordIds() const;

  // Emit returns Interrupted once this many documents were emitted (0: no limit).
  uint64_t limit = 0;
  uint64_t emitted = 0;
  // What refresh_metadata() answers (`alcor scrape --refresh-metadata`); kept by NextRun.
  bool refresh_metadata_run = false;
  // Ids of the documents emitted with RawDocument::update_metadata.
  std::vector<std::string> update_metadata_ids;
  std::vector<alcor::Record> records;                            // converted documents, in order
  // The raw capture each of records was emitted with (RawDocument::capture; null when none).
  std::vector<std::shared_ptr<const alcor::RawCapture>> captures;
  std::vector<std::pair<std::string, std::string>> conversion_failures;  // id, status
  std::vector<std::pair<std::string, std::string>> failures;    // ReportFailure: what, status
  std::vector<std::pair<std::string, std::string>> checkpoints;  // name, contents, in order
  std::map<std::string, std::string> state;                      // committed state (ReadState)
  std::vector<std::string> logs;
  uint64_t unchanged = 0;
  nlohmann::json notes = nlohmann::json::object();  // SetNote/AddToNote of this run
  uint64_t throttled = 0;         // CountThrottled calls
  int64_t throttled_micros = 0;   // and the time they report

 private:
  std::string name_;
  alcor::HttpClient* http_;
  std::atomic<bool> stop_{false};
};

}  // namespace testing
