// Helpers for tests that need records and stores.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "alcor/record.hpp"
#include "alcor/store.hpp"

namespace alcor::testing {

// A complete, sealed record with a deterministic id "test:<n>" and about text_bytes of text.
Record MakeRecord(uint64_t n, const std::string& source = "test", size_t text_bytes = 200);

// Opens (creating) a writable store at dir; fails the test on error.
std::unique_ptr<Store> OpenStore(const std::string& dir, ShardWriterOptions shard = {});

// Writes records [first, first+count) of source in one transaction.
void WriteRecords(Store* store, uint64_t first, uint64_t count, const std::string& source = "test");

// The current records of the store at dir (superseded lines left out), in the order cat reads
// them; opened read-only. Fails the test on an unreadable store or line.
std::vector<Record> CurrentRecords(const std::string& dir);

// Reads every WARC record of the store's raw archive with warcio, a WARC reader alcor did not
// write (tools/warcio/read_store.mjs, installed by scripts/setup; $ALCOR_SOURCE_DIR locates it), and
// checks it against the store: every record warcio read has a payload whose SHA-256 is its
// WARC-Payload-Digest, and every current record's metadata.raw names a record warcio read at that
// file and offset with that WARC-Record-ID.
// Returns the number of WARC records read; fails the test on any mismatch.
size_t CheckRawArchiveWithWarcio(const std::string& dir);

}  // namespace alcor::testing
