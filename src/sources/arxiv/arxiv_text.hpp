// Text helpers of the arxiv module: the article of a LaTeXML page, the bibliography section of a
// paper's text, withdrawn papers. Pure functions; thread safe.
#pragma once

#include <string>
#include <string_view>

#include "sources/arxiv/arxiv_atom.hpp"

namespace alcor {

// The <article ...>...</article> element of an arXiv (LaTeXML) HTML page — the paper without the
// site's banner, navigation and footer — or the whole page when it has no single article.
std::string_view LatexmlArticle(std::string_view html);

// What happens to a paper's bibliography.
enum class BibliographyMode {
  kKeep,  // kept as its own section: a bare "References" line (PDF text) becomes "## References"
  kDrop,  // the section is removed, up to the next heading of the same or a higher level
          // (appendices after the references stay) or, in PDF text, an "Appendix" line
};

// Applies mode to the bibliography of text (Markdown from the normalizer, or PDF text): the last
// heading or line that is "References", "Bibliography" or "Works Cited" (numbered or not).
// Returns true when a bibliography was found.
bool ApplyBibliographyMode(std::string* text, BibliographyMode mode);

// True when the entry is a withdrawn paper: its comment or abstract says the paper or version
// has been withdrawn (arXiv's own wording and authors' variants).
bool LooksWithdrawn(const ArxivEntry& entry);

// The text of a withdrawn paper's record: a notice, then the comment and the abstract.
std::string WithdrawnText(const ArxivEntry& entry);

}  // namespace alcor
