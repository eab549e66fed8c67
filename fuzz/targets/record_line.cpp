// One JSONL line as every reader takes it: a stored record (schema check, Record), and a line of
// `alcor normalize --jsonl`.
#include "alcor/normalize.hpp"
#include "alcor/record.hpp"
#include "fuzz_target.hpp"

ALCOR_FUZZ_TARGET(record_line) {
  std::vector<std::string> problems;
  std::string id, source;
  alcor::CheckRecordLine(input, true, &problems, &id, &source);
  alcor::Result<alcor::Record> record = alcor::Record::FromJsonLine(input);
  if (record.ok()) (void)record->ToJsonLine();
  std::string out;
  (void)alcor::NormalizeJsonLine(input, alcor::NormalizeOptions{}, &out, &id);
}
