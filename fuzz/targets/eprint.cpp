// An arXiv e-print: a gzipped tar of TeX sources, one gzipped file, or anything else.
#include "fuzz_target.hpp"
#include "sources/arxiv/arxiv_refs.hpp"

ALCOR_FUZZ_TARGET(eprint) {
  alcor::EprintLimits limits;
  limits.max_total_bytes = uint64_t{16} << 20;
  alcor::Result<alcor::EprintScan> scan = alcor::ScanEprint(input, limits);
  (void)scan;
}
