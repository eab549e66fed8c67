// The arXiv API's Atom answer, and the LaTeXML article of an arXiv HTML page.
#include "fuzz_target.hpp"
#include "sources/arxiv/arxiv_atom.hpp"
#include "sources/arxiv/arxiv_text.hpp"

ALCOR_FUZZ_TARGET(arxiv_atom) {
  alcor::Result<alcor::ArxivFeed> feed = alcor::ParseArxivFeed(input);
  if (feed.ok())
    for (const alcor::ArxivEntry& e : feed->entries) (void)alcor::LooksWithdrawn(e);
  (void)alcor::LatexmlArticle(input);
}
