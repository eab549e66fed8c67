// SemanticScholarSite (semanticscholar_site.hpp): the Graph API references endpoint.
#include "alcor_testing/emulators/semanticscholar_site.hpp"

#include <cctype>
#include <map>
#include <mutex>

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
  int throttle = 0;                       // guarded by mu
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

Reply Answer(SemanticScholarSite::State* state, const ServerRequest& request, const std::string& prefix) {
  {
    std::lock_guard<std::mutex> lock(state->mu);
    if (state->throttle > 0) {
      --state->throttle;
      return JsonReply(429, {{"message", "Too Many Requests. Please wait and try again or apply for a key for higher rate limits."}});
    }
  }
  std::string rest = PercentDecode(request.path.substr(prefix.size()));
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
  auto wants = [&](const std::string& field) {
    size_t pos = 0;
    while (pos <= fields.size()) {
      size_t comma = fields.find(',', pos);
      if (fields.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos) == field) return true;
      if (comma == std::string::npos) break;
      pos = comma + 1;
    }
    return false;
  };
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

void SemanticScholarSite::InjectThrottle(int n) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->throttle = n;
}

void SemanticScholarSite::Install(TestServer* server, const std::string& prefix) const {
  std::shared_ptr<State> state = state_;
  std::string paper_prefix = prefix + "/paper/";
  server->RoutePrefix(paper_prefix, [state, paper_prefix](const ServerRequest& r) {
    return Answer(state.get(), r, paper_prefix);
  });
}

}  // namespace alcor::testing
