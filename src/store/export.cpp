#include "alcor/export.hpp"

#include <cmath>
#include <algorithm>
#include <cctype>
#include <cstdlib>

#include "alcor/hash.hpp"
#include "alcor/suggest.hpp"

namespace alcor {

namespace {

const std::vector<std::string>& TemplateFields() {
  static const std::vector<std::string> fields = {"id",   "title",  "author", "authors", "username", "karma",
                                                   "date", "source", "url",    "tags",    "summary",  "text"};
  return fields;
}

std::string ValueText(const nlohmann::json& v) {
  if (v.is_null()) return "";
  if (v.is_string()) return v.get<std::string>();
  return v.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string StringOf(const nlohmann::json& record, const char* key) {
  auto it = record.find(key);
  return it == record.end() ? "" : ValueText(*it);
}

std::string JoinedStrings(const nlohmann::json& record, const char* key) {
  std::string out;
  auto it = record.find(key);
  if (it == record.end() || !it->is_array()) return out;
  for (const nlohmann::json& v : *it) out += (out.empty() ? "" : ", ") + ValueText(v);
  return out;
}

const nlohmann::json* Metadata(const nlohmann::json& record, std::string_view key) {
  auto m = record.find("metadata");
  if (m == record.end() || !m->is_object()) return nullptr;
  auto it = m->find(key);
  return it == m->end() ? nullptr : &*it;
}

std::string Field(const nlohmann::json& record, const std::string& name) {
  if (name.rfind("metadata.", 0) == 0) {
    const nlohmann::json* v = Metadata(record, std::string_view(name).substr(9));
    return v ? ValueText(*v) : "";
  }
  if (name == "author") {
    auto it = record.find("authors");
    return it != record.end() && it->is_array() && !it->empty() ? ValueText((*it)[0]) : "";
  }
  if (name == "authors") return JoinedStrings(record, "authors");
  if (name == "tags") return JoinedStrings(record, "tags");
  if (name == "username") {
    if (const nlohmann::json* u = Metadata(record, "author_username"); u && u->is_string() && !u->empty())
      return u->get<std::string>();
    if (const nlohmann::json* us = Metadata(record, "author_usernames"); us && us->is_array() && !us->empty())
      return ValueText((*us)[0]);
    return Field(record, "author");
  }
  if (name == "karma") {
    const nlohmann::json* k = Metadata(record, "karma");
    return k ? ValueText(*k) : "";
  }
  if (name == "date") return StringOf(record, "date_published").substr(0, 10);
  return StringOf(record, name.c_str());
}

}  // namespace

Status RecordTemplate::Parse(std::string_view text, RecordTemplate* out) {
  RecordTemplate t;
  std::string literal;
  auto where = [](size_t i) { return " at character " + std::to_string(i + 1); };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '}') {
      if (i + 1 < text.size() && text[i + 1] == '}') {
        literal.push_back('}');
        ++i;
        continue;
      }
      return Status::InvalidArgument("--template: a lone '}'" + where(i) + " (write '}}' for a brace)");
    }
    if (c != '{') {
      literal.push_back(c);
      continue;
    }
    if (i + 1 < text.size() && text[i + 1] == '{') {
      literal.push_back('{');
      ++i;
      continue;
    }
    size_t close = text.find('}', i + 1);
    size_t next_open = text.find('{', i + 1);
    if (close == std::string_view::npos || (next_open != std::string_view::npos && next_open < close))
      return Status::InvalidArgument("--template: an unclosed '{'" + where(i) + " (write '{{' for a brace)");
    std::string name(text.substr(i + 1, close - i - 1));
    const std::vector<std::string>& fields = TemplateFields();
    bool known = std::find(fields.begin(), fields.end(), name) != fields.end() ||
                 (name.rfind("metadata.", 0) == 0 && name.size() > 9);
    if (!known) {
      std::vector<std::string> candidates = fields;
      candidates.push_back("metadata.KEY");
      return Status::InvalidArgument("--template: unknown field {" + name + "}" + where(i) +
                                     DidYouMean(name, candidates) +
                                     " (fields: id title author authors username karma date source url tags summary "
                                     "text metadata.KEY)");
    }
    if (!literal.empty()) t.pieces_.push_back(Piece{true, std::move(literal)});
    literal.clear();
    t.pieces_.push_back(Piece{false, std::move(name)});
    i = close;
  }
  if (!literal.empty()) t.pieces_.push_back(Piece{true, std::move(literal)});
  *out = std::move(t);
  return Status::OK();
}

std::string RecordTemplate::Render(const nlohmann::json& record) const {
  std::string out;
  for (const Piece& p : pieces_) out += p.literal ? p.text : Field(record, p.text);
  return out;
}

Status SplitSpec::Parse(std::string_view text, SplitSpec* out) {
  SplitSpec spec;
  double sum = 0;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view part = text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos || eq == 0)
      return Status::InvalidArgument("--split: '" + std::string(part) + "' is not NAME=FRACTION (train=0.98,validation=0.02)");
    std::string name(part.substr(0, eq));
    for (char c : name)
      if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-'))
        return Status::InvalidArgument("--split: the name '" + name + "' may hold only letters, digits, '_' and '-'");
    std::string number(part.substr(eq + 1));
    char* end = nullptr;
    double fraction = std::strtod(number.c_str(), &end);
    if (number.empty() || end != number.c_str() + number.size() || !std::isfinite(fraction) || fraction <= 0 ||
        fraction > 1)
      return Status::InvalidArgument("--split: '" + number + "' (of " + name + ") is not a fraction in (0, 1]");
    for (const auto& [n, f] : spec.parts_)
      if (n == name) return Status::InvalidArgument("--split: the part '" + name + "' is named twice");
    spec.parts_.emplace_back(std::move(name), fraction);
    sum += fraction;
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  if (std::fabs(sum - 1.0) > 1e-6)
    return Status::InvalidArgument("--split: the fractions sum to " + std::to_string(sum) + ", not 1");
  *out = std::move(spec);
  return Status::OK();
}

SplitSpec SplitSpec::Single(std::string name) {
  SplitSpec spec;
  spec.parts_.emplace_back(std::move(name), 1.0);
  return spec;
}

size_t SplitSpec::Assign(std::string_view id, std::string_view seed) const {
  if (parts_.size() <= 1) return 0;
  // SHA-256 of seed, a NUL and the id: the first 8 bytes as a number in [0, 1).
  std::string input(seed);
  input.push_back('\0');
  input.append(id);
  const uint64_t v = std::strtoull(Sha256Hex(input).substr(0, 16).c_str(), nullptr, 16);
  const double u = static_cast<double>(v >> 11) / static_cast<double>(uint64_t{1} << 53);
  double cumulative = 0;
  for (size_t i = 0; i < parts_.size(); ++i) {
    cumulative += parts_[i].second;
    if (u < cumulative) return i;
  }
  return parts_.size() - 1;
}

}  // namespace alcor
