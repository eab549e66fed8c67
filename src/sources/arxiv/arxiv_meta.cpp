// Semantic Scholar paper answers and arXiv abs pages (sources/arxiv/arxiv_meta.hpp).
#include "sources/arxiv/arxiv_meta.hpp"

#include <gumbo.h>

#include <cctype>

#include <nlohmann/json.hpp>

#include "alcor/arxiv.hpp"
#include "alcor/dates.hpp"
#include "alcor/json.hpp"
#include "alcor/strings.hpp"
#include "formats/html_dom.hpp"
#include "sources/arxiv/arxiv_refs.hpp"

namespace alcor {

namespace {

using json = nlohmann::json;

// A string field: its value, "" when absent or null; *wrong set when present with another type.
std::string StringField(const json& j, const char* key, bool* wrong) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return "";
  if (!it->is_string()) {
    *wrong = true;
    return "";
  }
  return CollapseWhitespace(it->get<std::string>());
}

// "2024/01/10" or "2024-01-10" → "2024-01-10T00:00:00Z"; nullopt when it is no date.
std::optional<std::string> DayToRfc3339(std::string_view text) {
  std::string day(TrimAscii(text).substr(0, 10));
  for (char& c : day)
    if (c == '/') c = '-';
  std::optional<int64_t> seconds = ParseRfc3339(day);
  if (!seconds || day.size() != 10) return std::nullopt;
  return FormatRfc3339Utc(*seconds);
}

// "Quill, Ada" → "Ada Quill"; a name without a comma stays.
std::string FirstLast(std::string_view name) {
  size_t comma = name.find(',');
  if (comma == std::string_view::npos) return CollapseWhitespace(name);
  std::string last = CollapseWhitespace(name.substr(0, comma));
  std::string first = CollapseWhitespace(name.substr(comma + 1));
  return first.empty() ? last : first + " " + last;
}

}  // namespace

PaperMetadata ParseS2Paper(const json& paper, const std::string& asked_id) {
  PaperMetadata m;
  m.id = asked_id;
  if (paper.is_null()) {
    m.problem = "unknown to Semantic Scholar";
    return m;
  }
  if (!paper.is_object()) {
    m.problem = std::string("Semantic Scholar answered a JSON ") + paper.type_name() + " instead of a paper";
    return m;
  }
  std::string found = ArxivIdOfS2Paper(paper);
  if (m.id.empty()) m.id = found;
  if (!found.empty() && found != m.id) {
    m.problem = "Semantic Scholar answered for arXiv:" + found + " instead";
    return m;
  }
  ArxivEntry e;
  e.id = m.id;
  e.metadata_from = "semanticscholar";
  std::vector<std::string> wrong;
  bool bad = false;
  e.title = StringField(paper, "title", &bad);
  if (bad) wrong.push_back("title");
  bad = false;
  e.summary = StringField(paper, "abstract", &bad);
  if (bad) wrong.push_back("abstract");
  bad = false;
  std::string date = StringField(paper, "publicationDate", &bad);
  if (bad) wrong.push_back("publicationDate");
  if (std::optional<std::string> d = DayToRfc3339(date)) {
    e.published = *d;
  } else if (auto year = paper.find("year"); year != paper.end() && year->is_number_integer() &&
                                                year->get<int64_t>() > 1000 && year->get<int64_t>() < 10000) {
    e.published = std::to_string(year->get<int64_t>()) + "-01-01T00:00:00Z";
  }
  bad = false;
  m.venue = e.venue = StringField(paper, "venue", &bad);
  if (auto authors = paper.find("authors"); authors != paper.end() && !authors->is_null()) {
    if (!authors->is_array()) {
      wrong.push_back("authors");
    } else {
      for (const json& a : *authors) {
        if (a.is_object() && a.contains("name") && a["name"].is_string()) {
          std::string name = CollapseWhitespace(a["name"].get<std::string>());
          if (!name.empty()) e.authors.push_back(std::move(name));
        }
      }
    }
  }
  if (auto fos = paper.find("fieldsOfStudy"); fos != paper.end() && fos->is_array()) {
    for (const json& f : *fos)
      if (f.is_string()) m.fields_of_study.push_back(f.get<std::string>());
  }
  if (auto n = paper.find("citationCount"); n != paper.end() && n->is_number_integer()) {
    m.citation_count = e.citation_count = n->get<int64_t>();
  }
  e.fields_of_study = m.fields_of_study;
  if (auto ext = paper.find("externalIds"); ext != paper.end() && ext->is_object()) {
    if (auto doi = ext->find("DOI"); doi != ext->end() && doi->is_string() &&
                                     ArxivIdFromDoi(doi->get<std::string>()).empty()) {
      e.doi = doi->get<std::string>();
    }
  }
  if (e.title.empty()) m.missing.push_back("title");
  if (e.summary.empty()) m.missing.push_back("abstract");
  if (e.authors.empty()) m.missing.push_back("authors");
  if (!e.published) m.missing.push_back("date");
  for (const std::string& w : wrong) m.missing.push_back(w + " (wrong type)");
  m.entry = std::move(e);
  return m;
}

Result<std::vector<PaperMetadata>> ParseS2Batch(std::string_view body, const std::vector<std::string>& ids) {
  Result<json> parsed = ParseJson(body, "Semantic Scholar batch answer");
  if (parsed.status().code() == Status::Code::kLimitExceeded) return parsed.status();
  if (!parsed.ok()) {
    std::string_view head = TrimAscii(body.substr(0, 64));
    bool html = !head.empty() && head.front() == '<';
    return Status::Corruption(std::string("Semantic Scholar batch answer is not JSON") + (html ? " (an HTML page)" : ""));
  }
  json j = std::move(parsed).value();
  if (!j.is_array()) {
    std::string message = SemanticScholarErrorMessage(body);
    return Status::Corruption("Semantic Scholar batch answer is a JSON " + std::string(j.type_name()) +
                              ", not an array" + (message.empty() ? "" : ": " + message));
  }
  if (j.size() != ids.size()) {
    return Status::Corruption("Semantic Scholar batch answer has " + std::to_string(j.size()) + " elements for " +
                              std::to_string(ids.size()) + " ids");
  }
  std::vector<PaperMetadata> out;
  out.reserve(ids.size());
  for (size_t i = 0; i < ids.size(); ++i) out.push_back(ParseS2Paper(j[i], ids[i]));
  return out;
}

Result<S2SearchPage> ParseS2SearchPage(std::string_view body) {
  Result<json> parsed = ParseJson(body, "Semantic Scholar search answer");
  if (parsed.status().code() == Status::Code::kLimitExceeded) return parsed.status();
  if (!parsed.ok()) return Status::Corruption("Semantic Scholar search answer is not JSON");
  json j = std::move(parsed).value();
  if (!j.is_object()) return Status::Corruption("Semantic Scholar search answer is not a JSON object");
  S2SearchPage page;
  if (auto total = j.find("total"); total != j.end() && total->is_number_integer()) page.total = total->get<int64_t>();
  auto offset = j.find("offset");
  int64_t at = offset != j.end() && offset->is_number_integer() ? offset->get<int64_t>() : 0;
  if (auto next = j.find("next"); next != j.end() && next->is_number_integer() && next->get<int64_t>() > at) {
    page.next = next->get<int64_t>();
  }
  auto data = j.find("data");
  if (data == j.end() || data->is_null()) {
    if (data == j.end() && !SemanticScholarErrorMessage(body).empty()) {
      return Status::Corruption("Semantic Scholar search: " + SemanticScholarErrorMessage(body));
    }
    return page;
  }
  if (!data->is_array()) return Status::Corruption("Semantic Scholar search answer: \"data\" is not an array");
  for (const json& item : *data) {
    ++page.items;
    if (!item.is_object() || ArxivIdOfS2Paper(item).empty()) continue;
    PaperMetadata m = ParseS2Paper(item, "");
    if (m.entry) page.papers.push_back(std::move(m));
  }
  return page;
}

Result<ArxivEntry> ParseAbsPage(std::string_view html, const std::string& id) {
  GumboOptions options = kGumboDefaultOptions;
  options.max_errors = 0;
  GumboOutput* g = gumbo_parse_with_options(&options, html.data(), html.size());
  if (g == nullptr) return Status::Corruption("abs page of arXiv:" + id + " could not be parsed");
  ArxivEntry e;
  e.id = id;
  e.metadata_from = "abs";
  {
    text::Dom dom(g->root);
    std::string comments, history;
    for (uint32_t i = 0; i < dom.size(); ++i) {
      const text::DomNode& n = dom[i];
      if (n.tag == GUMBO_TAG_META) {
        std::string_view name = dom.Attr(i, "name");
        std::string content = CollapseWhitespace(dom.Attr(i, "content"));
        if (name == "citation_title" && e.title.empty()) {
          e.title = content;
        } else if (name == "citation_author" && !content.empty()) {
          e.authors.push_back(FirstLast(content));
        } else if (name == "citation_date" && !e.published) {
          e.published = DayToRfc3339(content);
        } else if (name == "citation_online_date") {
          e.updated = DayToRfc3339(content);
        } else if (name == "citation_abstract" && e.summary.empty()) {
          e.summary = content;
        }
      } else if (n.tag == GUMBO_TAG_TD && comments.empty() && text::HasClassToken(dom.Attr(i, "class"), "comments")) {
        comments = dom.TextOf(i);
      } else if (n.tag == GUMBO_TAG_DIV && history.empty() &&
                 text::HasClassToken(dom.Attr(i, "class"), "submission-history")) {
        history = dom.TextOf(i);
      }
    }
    e.comment = comments;
    // The last "[vN]" of the submission history is the latest version.
    for (size_t at = history.find("[v"); at != std::string::npos; at = history.find("[v", at + 2)) {
      size_t end = at + 2;
      int v = 0;
      while (end < history.size() && std::isdigit(static_cast<unsigned char>(history[end])) && v < 100000) {
        v = v * 10 + (history[end++] - '0');
      }
      if (end < history.size() && history[end] == ']' && v > e.version) e.version = v;
    }
  }
  gumbo_destroy_output(&options, g);
  if (e.title.empty()) return Status::Corruption("abs page of arXiv:" + id + " has no citation meta tags");
  return e;
}

void FillMissing(ArxivEntry* entry, const ArxivEntry& from) {
  if (entry->title.empty()) entry->title = from.title;
  if (entry->summary.empty()) entry->summary = from.summary;
  if (entry->authors.empty()) entry->authors = from.authors;
  if (!entry->published) entry->published = from.published;
  if (!entry->updated) entry->updated = from.updated;
  if (entry->comment.empty()) entry->comment = from.comment;
  if (entry->version == 0) entry->version = from.version;
  if (entry->doi.empty()) entry->doi = from.doi;
}

}  // namespace alcor
