// What `alcor export` needs beyond the selection: record templates and deterministic splits.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "alcor/status.hpp"

namespace alcor {

// A template renders a record into one text for fine-tuning ("username: {username}, Karma:
// {karma}, post: {text}"). Placeholders:
//   {id} {title} {author} (the first author) {authors} (", "-joined) {username} (the forum
//   username: metadata.author_username, else the first of metadata.author_usernames, else the
//   first author) {karma} (metadata.karma) {date} (date_published as YYYY-MM-DD) {source} {url}
//   {tags} (", "-joined) {summary} {text} {metadata.KEY} (a string as is, any other JSON value
//   as JSON).
// "{{" and "}}" stand for literal braces. A missing or null value renders empty. Values are
// inserted as they are: braces inside a record's text are never read as placeholders.
class RecordTemplate {
 public:
  // InvalidArgument naming what is wrong and where ("--template: unknown field {autor} at
  // character 12, did you mean 'author'?", "an unclosed '{' at character 3", "a lone '}' ...").
  static Status Parse(std::string_view text, RecordTemplate* out);
  std::string Render(const nlohmann::json& record) const;

 private:
  struct Piece {
    bool literal = true;
    std::string text;  // the literal, or the field name ("metadata.karma")
  };
  std::vector<Piece> pieces_;
};

// "train=0.98,validation=0.02": named parts whose fractions sum to 1. A record's part depends
// only on its id and the seed (a hash of both), so it never changes as the corpus grows, and a
// part's share of a large corpus approaches its fraction.
class SplitSpec {
 public:
  // InvalidArgument naming what is wrong ("--split: fractions sum to 0.9, not 1").
  static Status Parse(std::string_view text, SplitSpec* out);
  // One part, "all", when no --split is given.
  static SplitSpec Single(std::string name);
  const std::vector<std::pair<std::string, double>>& parts() const { return parts_; }
  // Index of the part of a record.
  size_t Assign(std::string_view id, std::string_view seed) const;

 private:
  std::vector<std::pair<std::string, double>> parts_;
};

}  // namespace alcor
