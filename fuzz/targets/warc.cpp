// A raw archive file's bytes (gzip members of WARC records) read by WarcFileReader, record by
// record, and one record read alone at an offset taken from the input.
#include "alcor/env.hpp"
#include "alcor/warc.hpp"
#include "fuzz_target.hpp"

ALCOR_FUZZ_TARGET(warc) {
  std::string path = alcor::fuzz::WriteScratchFile("raw.warc.gz", input);
  alcor::Env* env = alcor::Env::Default();
  {
    alcor::WarcFileReader reader(env, path, "raw/fuzz/run-000001.warc.gz");
    alcor::WarcRecord record;
    while (reader.Next(&record)) {
      (void)record.http_status();
      (void)record.PayloadContentType();
    }
    (void)reader.FileSha256();
    uint64_t offset = input.empty() ? 0 : static_cast<unsigned char>(input[0]) % (input.size() + 1);
    (void)alcor::ReadWarcRecordAt(env, path, "raw/fuzz/run-000001.warc.gz", offset, &record);
  }
  // The uncompressed record parser on the bytes themselves.
  alcor::WarcRecord parsed;
  (void)alcor::ParseWarcRecord(input, "fuzz@0", &parsed);
  (void)env->RemoveFile(path);
}
