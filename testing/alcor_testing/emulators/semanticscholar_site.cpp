// SemanticScholarSite (semanticscholar_site.hpp): the Graph API batch, search and references
// endpoints.
#include "alcor_testing/emulators/semanticscholar_site.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <map>
#include <mutex>
#include <optional>

#include <nlohmann/json.hpp>

#include "alcor/env.hpp"
#include "alcor/strings.hpp"

namespace alcor::testing {

struct SemanticScholarSite::State {
  struct Paper {
    std::string paper_id;
    std::vector<S2Reference> references;
  };
  std::mutex mu;
  std::map<std::string, Paper> by_arxiv;  // guarded by mu
  std::vector<S2Paper> papers;            // guarded by mu: batch and search data, in Put order
  int throttle = 0;                       // guarded by mu
  std::string throttle_retry_after;       // guarded by mu
  int burst_every = 0, burst_length = 0;  // guarded by mu
  int64_t requests = 0;                   // guarded by mu
  std::vector<Reply> batch_replies;       // guarded by mu
};

namespace {

using json = nlohmann::json;

Reply JsonReply(int status, const json& body) {
  Reply r = Reply::Text(body.dump(), "application/json");
  r.status = status;
  return r;
}

bool ParseNumber(const std::string& text, long* out) {
  if (text.empty() || text.size() > 9) return false;
  for (char c : text)
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  *out = std::stol(text);
  return true;
}

bool WantsField(const std::string& fields, const std::string& field) {
  size_t pos = 0;
  while (pos <= fields.size()) {
    size_t comma = fields.find(',', pos);
    if (fields.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos) == field) return true;
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return false;
}

json Nullable(const std::string& s) { return s.empty() ? json() : json(s); }

// A paper as the Graph API returns it: paperId and the fields asked for.
json PaperJson(const S2Paper& p, const std::string& fields) {
  json j = {{"paperId", p.paper_id}};
  if (WantsField(fields, "externalIds")) {
    json ids = {{"CorpusId", static_cast<int>(std::hash<std::string>()(p.paper_id) % 100000000)}};
    if (!p.arxiv.empty()) ids["ArXiv"] = p.arxiv;
    if (!p.doi.empty()) ids["DOI"] = p.doi;
    j["externalIds"] = ids;
  }
  if (WantsField(fields, "title")) j["title"] = Nullable(p.title);
  if (WantsField(fields, "abstract")) j["abstract"] = Nullable(p.abstract);
  if (WantsField(fields, "venue")) j["venue"] = p.venue;
  if (WantsField(fields, "year")) j["year"] = p.year > 0 ? json(p.year) : json();
  if (WantsField(fields, "publicationDate")) j["publicationDate"] = Nullable(p.publication_date);
  if (WantsField(fields, "citationCount")) j["citationCount"] = p.citation_count;
  if (WantsField(fields, "fieldsOfStudy")) j["fieldsOfStudy"] = p.fields_of_study.empty() ? json() : json(p.fields_of_study);
  if (WantsField(fields, "authors")) {
    json authors = json::array();
    for (size_t i = 0; i < p.authors.size(); ++i) {
      authors.push_back({{"authorId", std::to_string(1000 + i)}, {"name", p.authors[i]}});
    }
    j["authors"] = authors;
  }
  return j;
}

// "ARXIV:2401.00001" (any case of the prefix) → "2401.00001"; "" for other id forms.
std::string ArxivKey(const std::string& id) {
  if (id.size() > 6 && AsciiLower(id.substr(0, 6)) == "arxiv:") return id.substr(6);
  return "";
}

Reply BatchAnswer(SemanticScholarSite::State* state, const ServerRequest& request) {
  if (request.method != "POST") return JsonReply(405, {{"error", "Method not allowed"}});
  {
    std::lock_guard<std::mutex> lock(state->mu);
    if (!state->batch_replies.empty()) {
      Reply r = state->batch_replies.front();
      state->batch_replies.erase(state->batch_replies.begin());
      return r;
    }
  }
  json body = json::parse(request.body, nullptr, false);
  if (!body.is_object() || !body.contains("ids") || !body["ids"].is_array()) {
    return JsonReply(400, {{"error", "Body must be a JSON object with an \"ids\" array"}});
  }
  if (body["ids"].size() > 500) return JsonReply(400, {{"error", "-ids: too many ids (at most 500)"}});
  std::string fields = ParseQueryString(request.query)["fields"];
  std::vector<S2Paper> papers;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    papers = state->papers;
  }
  std::string out = "[";
  for (size_t i = 0; i < body["ids"].size(); ++i) {
    const json& id = body["ids"][i];
    if (!id.is_string()) return JsonReply(400, {{"error", "ids must be strings"}});
    std::string key = ArxivKey(id.get<std::string>());
    std::string element = "null";
    for (const S2Paper& p : papers) {
      if (key.empty() ? p.paper_id != id.get<std::string>() : p.arxiv != key) continue;
      element = p.raw.empty() ? PaperJson(p, fields).dump() : p.raw;
      break;
    }
    out += (i ? "," : "") + element;
  }
  Reply r = Reply::Text(out + "]", "application/json");
  return r;
}

Reply SearchAnswer(SemanticScholarSite::State* state, const ServerRequest& request, bool bulk) {
  std::map<std::string, std::string> params = ParseQueryString(request.query);
  std::string query = params["query"];
  if (CollapseWhitespace(query).empty()) return JsonReply(400, {{"error", "Query parameter 'query' is required"}});
  long offset = 0, limit = 100;
  std::string offset_param = bulk ? params["token"] : params["offset"];
  if (!offset_param.empty() && !ParseNumber(offset_param, &offset)) {
    return JsonReply(400, {{"error", bulk ? "Invalid token" : "Unacceptable query params: offset"}});
  }
  if (bulk) {
    limit = 1000;
  } else {
    if (params.count("limit") && !ParseNumber(params["limit"], &limit)) {
      return JsonReply(400, {{"error", "Unacceptable query params: limit"}});
    }
    if (limit > 100) return JsonReply(400, {{"error", "Unacceptable query params: limit must be <= 100"}});
    if (offset + limit > 1000) return JsonReply(400, {{"error", "offset + limit must be < 1000"}});
  }
  std::vector<std::string> words;
  for (std::string_view rest = query; !rest.empty();) {
    size_t sp = rest.find(' ');
    std::string word = AsciiLower(rest.substr(0, sp));
    if (!word.empty()) words.push_back(word);
    rest = sp == std::string_view::npos ? std::string_view() : rest.substr(sp + 1);
  }
  std::vector<S2Paper> hits;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    for (const S2Paper& p : state->papers) {
      std::string hay = AsciiLower(p.title + "\n" + p.abstract);
      if (std::all_of(words.begin(), words.end(), [&](const std::string& w) { return hay.find(w) != std::string::npos; })) {
        hits.push_back(p);
      }
    }
  }
  std::string fields = params["fields"];
  size_t first = std::min<size_t>(static_cast<size_t>(offset), hits.size());
  size_t last = std::min<size_t>(first + static_cast<size_t>(limit), hits.size());
  json data = json::array();
  for (size_t i = first; i < last; ++i) data.push_back(PaperJson(hits[i], fields));
  json out = {{"total", hits.size()}, {"data", data}};
  if (bulk) {
    if (last < hits.size()) out["token"] = std::to_string(last);
  } else {
    out["offset"] = first;
    if (last < hits.size()) out["next"] = last;
  }
  return JsonReply(200, out);
}

// A 429 when a throttle or burst is due, else nothing.
std::optional<Reply> Throttled(SemanticScholarSite::State* state) {
  std::lock_guard<std::mutex> lock(state->mu);
  ++state->requests;
  if (state->burst_every > 0 && state->throttle <= 0 && state->requests % state->burst_every == 0) {
    state->throttle = state->burst_length;
  }
  if (state->throttle <= 0) return std::nullopt;
  --state->throttle;
  Reply r = JsonReply(429, {{"message", "Too Many Requests. Please wait and try again or apply for a key for higher rate limits."}});
  if (!state->throttle_retry_after.empty()) r.WithHeader("Retry-After", state->throttle_retry_after);
  return r;
}

Reply Answer(SemanticScholarSite::State* state, const ServerRequest& request, const std::string& prefix) {
  if (std::optional<Reply> throttled = Throttled(state)) return *throttled;
  std::string rest = PercentDecode(request.path.substr(prefix.size()));
  if (rest == "batch") return BatchAnswer(state, request);
  if (rest == "search") return SearchAnswer(state, request, false);
  if (rest == "search/bulk") return SearchAnswer(state, request, true);
  const std::string suffix = "/references";
  if (rest.size() <= suffix.size() || rest.compare(rest.size() - suffix.size(), suffix.size(), suffix) != 0) {
    return JsonReply(404, {{"error", "Requested resource not found"}});
  }
  std::string id = rest.substr(0, rest.size() - suffix.size());
  std::map<std::string, std::string> params = ParseQueryString(request.query);
  long offset = 0, limit = 100;
  if (params.count("offset") && !ParseNumber(params["offset"], &offset)) {
    return JsonReply(400, {{"error", "Unacceptable query params: offset"}});
  }
  if (params.count("limit") && !ParseNumber(params["limit"], &limit)) {
    return JsonReply(400, {{"error", "Unacceptable query params: limit"}});
  }
  if (limit > 1000) return JsonReply(400, {{"error", "Unacceptable query params: limit must be <= 1000"}});
  std::string fields = params.count("fields") ? params["fields"] : "";
  auto wants = [&](const std::string& field) { return WantsField(fields, field); };
  SemanticScholarSite::State::Paper paper;
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    std::string key = id;
    if (key.size() > 6 && (key.compare(0, 6, "ARXIV:") == 0 || key.compare(0, 6, "arXiv:") == 0 || key.compare(0, 6, "arxiv:") == 0)) {
      auto it = state->by_arxiv.find(key.substr(6));
      if (it != state->by_arxiv.end()) {
        paper = it->second;
        found = true;
      }
    } else {
      for (const auto& [arxiv, p] : state->by_arxiv) {
        if (!p.paper_id.empty() && p.paper_id == key) {
          paper = p;
          found = true;
        }
      }
    }
  }
  if (!found) return JsonReply(404, {{"error", "Paper with id " + id + " not found"}});
  json data = json::array();
  size_t total = paper.references.size();
  size_t first = std::min<size_t>(static_cast<size_t>(offset), total);
  size_t last = std::min<size_t>(first + static_cast<size_t>(limit), total);
  for (size_t i = first; i < last; ++i) {
    const S2Reference& ref = paper.references[i];
    json cited = {{"paperId", ref.paper_id.empty() ? json() : json(ref.paper_id)}};
    if (wants("title")) cited["title"] = ref.title;
    if (wants("externalIds")) {
      if (ref.paper_id.empty()) {
        cited["externalIds"] = nullptr;
      } else {
        json ids = json::object();
        if (!ref.arxiv.empty()) ids["ArXiv"] = ref.arxiv;
        if (!ref.doi.empty()) ids["DOI"] = ref.doi;
        ids["CorpusId"] = static_cast<int>(std::hash<std::string>()(ref.paper_id) % 100000000);
        cited["externalIds"] = ids;
      }
    }
    data.push_back({{"citedPaper", cited}});
  }
  json body = {{"offset", first}, {"data", data}};
  if (last < total) body["next"] = last;
  return JsonReply(200, body);
}

}  // namespace

SemanticScholarSite::SemanticScholarSite() : state_(std::make_shared<State>()) {}

Result<SemanticScholarSite> SemanticScholarSite::Load(const std::string& dir) {
  std::string path = JoinPath(dir, "references.json");
  std::string text;
  Status s = ReadFileToString(Env::Default(), path, &text);
  if (!s.ok()) return s;
  json j = json::parse(text, nullptr, false);
  if (!j.is_object()) return Status::InvalidArgument(path + ": must be a JSON object keyed by arXiv id");
  SemanticScholarSite site;
  try {
    for (const auto& [arxiv, paper] : j.items()) {
      std::vector<S2Reference> refs;
      for (const json& r : paper.at("references")) {
        refs.push_back({r.value("paperId", ""), r.value("title", ""), r.value("arxiv", ""), r.value("doi", "")});
      }
      site.Put(arxiv, paper.value("paperId", ""), std::move(refs));
    }
  } catch (const json::exception& e) {
    return Status::InvalidArgument(path + ": " + e.what());
  }
  return site;
}

void SemanticScholarSite::Put(const std::string& arxiv_id, const std::string& paper_id,
                              std::vector<S2Reference> references) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->by_arxiv[arxiv_id] = {paper_id, std::move(references)};
}

void SemanticScholarSite::PutPaper(S2Paper paper) {
  std::lock_guard<std::mutex> lock(state_->mu);
  for (S2Paper& p : state_->papers) {
    if (p.arxiv == paper.arxiv) {
      p = std::move(paper);
      return;
    }
  }
  state_->papers.push_back(std::move(paper));
}

void SemanticScholarSite::InjectThrottle(int n, const std::string& retry_after) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->throttle = n;
  state_->throttle_retry_after = retry_after;
}

void SemanticScholarSite::ThrottleBursts(int every, int length, const std::string& retry_after) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->burst_every = every;
  state_->burst_length = length;
  state_->throttle_retry_after = retry_after;
}

void SemanticScholarSite::InjectBatchReply(Reply reply) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->batch_replies.push_back(std::move(reply));
}

S2Paper S2PaperOf(const ArxivPaper& paper) {
  S2Paper p;
  p.arxiv = paper.id;
  p.paper_id = "s2-" + paper.id;
  p.title = CollapseWhitespace(paper.title);
  p.abstract = paper.summary;
  p.authors = paper.authors;
  if (paper.published.size() >= 10) {
    p.publication_date = paper.published.substr(0, 10);
    p.year = std::atoi(paper.published.substr(0, 4).c_str());
  }
  p.doi = paper.doi;
  p.venue = paper.journal_ref.empty() ? "arXiv.org" : paper.journal_ref;
  p.fields_of_study = {"Computer Science"};
  return p;
}

void SemanticScholarSite::Install(TestServer* server, const std::string& prefix) const {
  std::shared_ptr<State> state = state_;
  std::string paper_prefix = prefix + "/paper/";
  server->RoutePrefix(paper_prefix, [state, paper_prefix](const ServerRequest& r) {
    return Answer(state.get(), r, paper_prefix);
  });
}

}  // namespace alcor::testing
