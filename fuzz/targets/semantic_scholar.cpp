// Semantic Scholar references JSON, its error bodies, and arXiv ids cited in free text.
#include "fuzz_target.hpp"
#include "sources/arxiv/arxiv_refs.hpp"

ALCOR_FUZZ_TARGET(semantic_scholar) {
  alcor::Result<alcor::ReferencesPage> page = alcor::ParseReferencesPage(input);
  (void)page;
  (void)alcor::SemanticScholarErrorMessage(input);
  (void)alcor::FindArxivIdsInText(input, 100);
}
