// An arXiv abs page's citation_* meta tags, comments cell and submission history.
#include "fuzz_target.hpp"
#include "sources/arxiv/arxiv_meta.hpp"

ALCOR_FUZZ_TARGET(abs_page) {
  alcor::Result<alcor::ArxivEntry> entry = alcor::ParseAbsPage(input, "2203.02155");
  (void)entry;
}
