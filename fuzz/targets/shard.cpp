// A shard file's bytes (zstd frames of JSONL) read by ShardReader, record by record.
#include "alcor/env.hpp"
#include "alcor/shard.hpp"
#include "fuzz_target.hpp"

ALCOR_FUZZ_TARGET(shard) {
  std::string path = alcor::fuzz::WriteScratchFile("shard.jsonl.zst", input);
  alcor::Env* env = alcor::Env::Default();
  {
    alcor::ShardReader reader(env, path, "shards/fuzz/run-1.jsonl.zst", uint64_t{1} << 20);
    alcor::Record record;
    while (reader.Next(&record)) {
    }
    (void)reader.FileSha256();
  }
  (void)env->RemoveFile(path);
}
