// Convert(RawDocument) with the format detected from the bytes: the entry every ingested file
// takes (HTML, PDF, EPUB, Gutenberg and plain text, Markdown), to a sealed record.
#include "alcor/convert.hpp"
#include "alcor/record.hpp"
#include "fuzz_target.hpp"

ALCOR_FUZZ_TARGET(convert) {
  alcor::RawDocument doc;
  doc.body = std::string(input);
  doc.format = alcor::BodyFormat::kDetect;
  doc.origin = "fuzz-input";
  doc.record.source = "files";
  doc.record.source_kind = "file";
  alcor::Record record;
  if (!alcor::Convert(std::move(doc), &record).ok()) return;
  std::vector<std::string> problems;
  alcor::CheckRecordLine(record.ToJsonLine(), true, &problems);
  alcor::fuzz::Check(problems.empty(), "a converted record passes the schema check");
}
