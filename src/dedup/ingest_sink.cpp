// The deduplicating IngestSink used by `alcor ingest`.
#include "alcor/dedup.hpp"
#include "alcor/ingest.hpp"

namespace alcor {
namespace {

class DedupIngestSink : public IngestSink {
 public:
  DedupIngestSink(Store* store, std::unique_ptr<Deduplicator> dedup) : store_(store), dedup_(std::move(dedup)) {}

  Status Offer(Record record, IngestOutcome* outcome) override {
    outcome->id = record.id;
    DedupDecision decision;
    Status s = dedup_->Offer(std::move(record), &decision);
    if (!s.ok()) {
      outcome->kind = IngestOutcome::Kind::kFailed;
      outcome->detail = s.ToString();
      return s;
    }
    outcome->kind = decision.outcome == DedupOutcome::kNew ? IngestOutcome::Kind::kStored
                                                           : IngestOutcome::Kind::kDuplicate;
    outcome->detail = decision.ToString();
    return Status::OK();
  }

  Status Commit() override {
    Transaction txn;
    ALCOR_RETURN_IF_ERROR(dedup_->AddToTransaction(&txn));
    return store_->Commit(&txn);
  }

 private:
  Store* store_;
  std::unique_ptr<Deduplicator> dedup_;
};

}  // namespace

Status NewDedupIngestSink(Store* store, const DedupOptions& options, std::unique_ptr<IngestSink>* sink) {
  std::unique_ptr<Deduplicator> dedup;
  ALCOR_RETURN_IF_ERROR(Deduplicator::Open(store, options, &dedup));
  *sink = std::make_unique<DedupIngestSink>(store, std::move(dedup));
  return Status::OK();
}

}  // namespace alcor
