// The parts of include/alcor/http.hpp that do not touch libcurl: secrets, configuration, host
// rules, the User-Agent, statistics and the blocking wrappers over HttpClient::Submit.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <memory>

#include <nlohmann/json.hpp>

#include "alcor/enum_names.hpp"
#include "alcor/http.hpp"
#include "alcor/strings.hpp"
#include "alcor/version.hpp"
#include "net/http_url.hpp"

namespace alcor {

namespace {

bool IsNameStart(char c) { return std::isalpha(static_cast<unsigned char>(c)) || c == '_'; }
bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

}  // namespace

// --- ${ENV} references ----------------------------------------------------------------------

Result<std::string> ExpandEnvReferences(std::string_view text, const EnvLookup& lookup,
                                        std::vector<std::string>* secrets) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] != '$' || i + 1 >= text.size() || text[i + 1] != '{') {
      out.push_back(text[i++]);
      continue;
    }
    size_t close = text.find('}', i + 2);
    if (close == std::string_view::npos) {
      return Status::InvalidArgument("unterminated ${ reference (expected ${NAME})");
    }
    std::string name(text.substr(i + 2, close - i - 2));
    bool valid = !name.empty() && IsNameStart(name[0]) &&
                 std::all_of(name.begin(), name.end(), IsNameChar);
    if (!valid) {
      return Status::InvalidArgument("malformed environment reference ${" + name.substr(0, 64) +
                                     "} (expected ${NAME} with NAME of letters, digits, _)");
    }
    std::optional<std::string> value = lookup(name);
    if (!value) {
      return Status::InvalidArgument("environment variable " + name + " is not set");
    }
    SecretRegistry::Global()->Add(*value, name);
    if (secrets != nullptr && !value->empty()) secrets->push_back(*value);
    out += *value;
    i = close + 1;
  }
  return out;
}

Result<std::string> ExpandEnvReferences(std::string_view text, std::vector<std::string>* secrets) {
  return ExpandEnvReferences(
      text,
      [](const std::string& name) -> std::optional<std::string> {
        const char* v = std::getenv(name.c_str());
        if (v == nullptr) return std::nullopt;
        return std::string(v);
      },
      secrets);
}

Result<HttpHeader> HttpHeader::FromConfig(std::string name, std::string_view configured_value) {
  std::vector<std::string> secrets;
  Result<std::string> value = ExpandEnvReferences(configured_value, &secrets);
  if (!value.ok()) return value.status().WithContext("header " + name);
  bool had_reference = configured_value.find("${") != std::string_view::npos;
  return HttpHeader{std::move(name), std::move(value).value(), had_reference};
}

// --- responses -----------------------------------------------------------------------------------

constexpr EnumName<FetchOutcome> kFetchOutcomeNames[] = {
    {FetchOutcome::kOk, "ok"},
    {FetchOutcome::kNotModified, "not-modified"},
    {FetchOutcome::kRobotsDisallowed, "robots-disallowed"},
};

const char* FetchOutcomeName(FetchOutcome outcome) { return NameIn(kFetchOutcomeNames, outcome, "unknown"); }

const std::string* HttpResponse::Header(std::string_view name) const {
  std::string lower = AsciiLower(name);
  for (const auto& [key, value] : headers) {
    if (key == lower) return &value;
  }
  return nullptr;
}

std::string HttpResponse::charset() const {
  const std::string* type = Header("content-type");
  return type != nullptr ? CharsetOfContentType(*type) : std::string();
}

std::string CharsetOfContentType(std::string_view content_type) {
  // Parameters follow the media type, each after a ';' (RFC 9110 section 8.3).
  size_t at = content_type.find(';');
  while (at != std::string_view::npos) {
    std::string_view param = content_type.substr(at + 1);
    size_t next = param.find(';');
    if (next != std::string_view::npos) param = param.substr(0, next);
    at = next == std::string_view::npos ? next : at + 1 + next;
    while (!param.empty() && (param.front() == ' ' || param.front() == '\t')) param.remove_prefix(1);
    size_t eq = param.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = param.substr(0, eq);
    while (!name.empty() && (name.back() == ' ' || name.back() == '\t')) name.remove_suffix(1);
    if (AsciiLower(name) != "charset") continue;
    std::string_view value = param.substr(eq + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    if (value.size() >= 2 && (value.front() == '"' || value.front() == '\'') && value.back() == value.front()) {
      value = value.substr(1, value.size() - 2);
    }
    return AsciiLower(value);
  }
  return "";
}

// --- options -------------------------------------------------------------------------------------

namespace {

Status KeyError(const std::string& path, std::string_view what) {
  return Status::InvalidArgument(path + ": " + std::string(what));
}

Result<double> NumberIn(const nlohmann::json& v, const std::string& path, double lo, double hi) {
  if (!v.is_number()) return KeyError(path, "must be a number");
  double d = v.get<double>();
  if (!std::isfinite(d) || d < lo || d > hi) {
    return KeyError(path, "must be between " + nlohmann::json(lo).dump() + " and " +
                              nlohmann::json(hi).dump());
  }
  return d;
}

Result<int64_t> IntegerIn(const nlohmann::json& v, const std::string& path, int64_t lo,
                          int64_t hi) {
  if (!v.is_number_integer() && !v.is_number_unsigned()) {
    return KeyError(path, "must be an integer");
  }
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(hi)) {
    return KeyError(path, "must be at most " + std::to_string(hi));
  }
  int64_t n = v.get<int64_t>();
  if (n < lo || n > hi) {
    return KeyError(path, "must be between " + std::to_string(lo) + " and " + std::to_string(hi));
  }
  return n;
}

bool ValidHostPattern(std::string_view p) {
  if (p.empty() || p.size() > 260) return false;
  std::string_view rest = p;
  if (rest.substr(0, 2) == "*.") rest.remove_prefix(2);
  if (rest.empty()) return false;
  size_t colon = rest.rfind(':');
  if (colon != std::string_view::npos) {
    if (p.substr(0, 2) == "*.") return false;  // "*.domain:port" is not a pattern we match
    std::string_view port = rest.substr(colon + 1);
    if (port.empty() || port.size() > 5) return false;
    for (char c : port) {
      if (!std::isdigit(static_cast<unsigned char>(c))) return false;
    }
    rest = rest.substr(0, colon);
  }
  if (rest.empty()) return false;
  for (char c : rest) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_')) {
      return false;
    }
  }
  return true;
}

// A duration in seconds within [min_s, max_s], stored as milliseconds.
Status SecondsInToMillis(const nlohmann::json& value, const std::string& path, double min_s, double max_s,
                         int64_t* millis) {
  Result<double> seconds = NumberIn(value, path, min_s, max_s);
  if (!seconds.ok()) return seconds.status();
  *millis = static_cast<int64_t>(*seconds * 1000);
  return Status::OK();
}

Result<HostRule> ParseHostRule(const nlohmann::json& v, const std::string& path) {
  if (!v.is_object()) return KeyError(path, "must be an object");
  HostRule rule;
  for (const auto& [key, value] : v.items()) {
    std::string key_path = path + "." + key;
    if (key == "concurrency") {
      Result<int64_t> n = IntegerIn(value, key_path, 1, 64);
      if (!n.ok()) return n.status();
      rule.concurrency = static_cast<int>(*n);
    } else if (key == "interval_s") {
      Result<double> d = NumberIn(value, key_path, 0, 86400);
      if (!d.ok()) return d.status();
      rule.interval_s = *d;
    } else if (key == "robots") {
      if (!value.is_string() || (value != "obey" && value != "ignore")) {
        return KeyError(key_path, "must be \"obey\" or \"ignore\"");
      }
      rule.obey_robots = value == "obey";
    } else if (key == "headers") {
      if (!value.is_object()) return KeyError(key_path, "must be an object of strings");
      for (const auto& [name, header_value] : value.items()) {
        if (!header_value.is_string()) return KeyError(key_path + "." + name, "must be a string");
        if (name.empty() || name.find_first_of(":\r\n ") != std::string::npos) {
          return KeyError(key_path + "." + name, "is not a valid header name");
        }
        Result<HttpHeader> h = HttpHeader::FromConfig(name, header_value.get<std::string>());
        if (!h.ok()) return KeyError(key_path + "." + name, h.status().message());
        if (h->value.find_first_of("\r\n") != std::string::npos) {
          return KeyError(key_path + "." + name, "value must not contain a line break");
        }
        rule.headers.push_back(std::move(h).value());
      }
    } else {
      return KeyError(key_path, "unknown key (expected concurrency, interval_s, robots, headers)");
    }
  }
  return rule;
}

}  // namespace

Result<HttpOptions> ParseHttpOptions(const nlohmann::json& http) {
  HttpOptions options;
  if (http.is_null()) return options;
  if (!http.is_object()) return KeyError("http", "must be an object");
  for (const auto& [key, value] : http.items()) {
    std::string path = "http." + key;
    if (key == "contact") {
      if (!value.is_string()) return KeyError(path, "must be a string");
      // May be a ${ENV} reference (an address kept out of the config file): then a secret.
      Result<std::string> contact_value = ExpandEnvReferences(value.get<std::string>());
      if (!contact_value.ok()) return KeyError(path, contact_value.status().message());
      std::string contact = std::move(contact_value).value();
      if (contact.size() > 256 || contact.find_first_of("\r\n()") != std::string::npos) {
        return KeyError(path, "must be a URL or e-mail address without line breaks or parentheses");
      }
      options.contact = contact;
    } else if (key == "max_response_bytes") {
      Result<int64_t> n = IntegerIn(value, path, 1, int64_t{1} << 40);
      if (!n.ok()) return n.status();
      options.max_response_bytes = static_cast<uint64_t>(*n);
    } else if (key == "timeout_s") {
      ALCOR_RETURN_IF_ERROR(SecondsInToMillis(value, path, 0.1, 86400, &options.timeout_ms));
    } else if (key == "connect_timeout_s") {
      ALCOR_RETURN_IF_ERROR(SecondsInToMillis(value, path, 0.1, 3600, &options.connect_timeout_ms));
    } else if (key == "stall_timeout_s") {
      ALCOR_RETURN_IF_ERROR(SecondsInToMillis(value, path, 1, 3600, &options.stall_timeout_ms));
    } else if (key == "max_attempts") {
      Result<int64_t> n = IntegerIn(value, path, 1, 20);
      if (!n.ok()) return n.status();
      options.retry.max_attempts = static_cast<int>(*n);
    } else if (key == "hosts") {
      if (!value.is_object()) return KeyError(path, "must be an object");
      for (const auto& [pattern, rule_json] : value.items()) {
        std::string rule_path = path + "." + pattern;
        if (!ValidHostPattern(pattern)) {
          return KeyError(rule_path, "is not a host, host:port or *.domain pattern");
        }
        Result<HostRule> rule = ParseHostRule(rule_json, rule_path);
        if (!rule.ok()) return rule.status();
        options.hosts[AsciiLower(pattern)] = std::move(rule).value();
      }
    } else {
      return KeyError(path,
                      "unknown key (expected contact, max_response_bytes, hosts, timeout_s, "
                      "connect_timeout_s, stall_timeout_s, max_attempts)");
    }
  }
  return options;
}

HostRule ResolveHostRule(const HttpOptions& options, std::string_view host_in, int port) {
  std::string host = AsciiLower(host_in);
  if (port >= 0) {
    auto it = options.hosts.find(host + ":" + std::to_string(port));
    if (it != options.hosts.end()) return it->second;
  }
  if (auto it = options.hosts.find(host); it != options.hosts.end()) return it->second;
  // Longest "*.domain" whose domain is host or a parent of it.
  const HostRule* best = nullptr;
  size_t best_len = 0;
  for (const auto& [pattern, rule] : options.hosts) {
    if (pattern.size() < 3 || pattern.compare(0, 2, "*.") != 0) continue;
    std::string_view domain = std::string_view(pattern).substr(2);
    bool match = host == domain ||
                 (host.size() > domain.size() &&
                  host.compare(host.size() - domain.size(), domain.size(), domain) == 0 &&
                  host[host.size() - domain.size() - 1] == '.');
    if (match && domain.size() > best_len) {
      best = &rule;
      best_len = domain.size();
    }
  }
  if (best != nullptr) return *best;
  // Built-in rules: services that publish their limits.
  if (host == "export.arxiv.org" || host == "arxiv.org") return HostRule{1, 3.0, {}};
  if (host == "api.semanticscholar.org") return HostRule{1, 1.0, {}};
  return options.default_rule;
}

std::string UserAgentFor(std::string_view contact) {
  std::string ua = std::string("alcor/") + kVersion;
  if (!contact.empty()) ua += " (+" + std::string(contact) + ")";
  return ua;
}

// --- statistics ----------------------------------------------------------------------------------

void HostStats::Add(const HostStats& o) {
  requests += o.requests;
  retries += o.retries;
  bytes += o.bytes;
  robots_skipped += o.robots_skipped;
  not_modified += o.not_modified;
  failures += o.failures;
  max_in_flight = std::max(max_in_flight, o.max_in_flight);
  robots_ignored = robots_ignored || o.robots_ignored;
}

HostStats HttpStats::Total() const {
  HostStats total;
  for (const auto& [host, stats] : hosts) total.Add(stats);
  return total;
}

// --- blocking wrappers ---------------------------------------------------------------------------

std::future<Result<HttpResponse>> HttpClient::FetchAsync(HttpRequest request) {
  auto promise = std::make_shared<std::promise<Result<HttpResponse>>>();
  std::future<Result<HttpResponse>> future = promise->get_future();
  Submit(std::move(request),
         [promise](Result<HttpResponse> result) { promise->set_value(std::move(result)); });
  return future;
}

Result<HttpResponse> HttpClient::Fetch(HttpRequest request) {
  if (OnClientThread()) {
    return Status::InvalidArgument("HttpClient::Fetch called from a fetch callback (would deadlock): " +
                                   request.method + " " +
                                   SecretRegistry::Global()->Redact(DisplayUrl(request.url)));
  }
  return FetchAsync(std::move(request)).get();
}

}  // namespace alcor
