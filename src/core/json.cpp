#include "alcor/json.hpp"

#include <string>
#include <vector>

namespace alcor {
namespace {

// Builds the DOM from nlohmann's SAX events (as its own DOM parser does), refusing to open a
// container deeper than max_depth: returning false stops the parser at once.
class BoundedDomBuilder {
  using json = nlohmann::json;

 public:
  BoundedDomBuilder(json* root, std::size_t max_depth) : root_(root), max_depth_(max_depth) {}

  bool null() { return Put(json(nullptr)); }
  bool boolean(bool v) { return Put(json(v)); }
  bool number_integer(json::number_integer_t v) { return Put(json(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return Put(json(v)); }
  bool number_float(json::number_float_t v, const json::string_t&) { return Put(json(v)); }
  bool string(json::string_t& v) { return Put(json(std::move(v))); }
  bool binary(json::binary_t& v) { return Put(json::binary(std::move(v))); }
  bool start_object(std::size_t) { return Open(json::value_t::object); }
  bool start_array(std::size_t) { return Open(json::value_t::array); }
  bool end_object() { return Close(); }
  bool end_array() { return Close(); }
  bool key(json::string_t& k) {
    slot_ = &(*stack_.back())[std::move(k)];  // a repeated key keeps its last value, as json::parse does
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    error_ = e.what();
    return false;
  }

  bool too_deep() const { return too_deep_; }
  const std::string& error() const { return error_; }

 private:
  // Stores v where the parser is (the root, the next array element, the value of the last key)
  // and returns where it went.
  json* Place(json&& v) {
    if (stack_.empty()) {
      *root_ = std::move(v);
      return root_;
    }
    json* parent = stack_.back();
    if (parent->is_array()) {
      parent->get_ref<json::array_t&>().push_back(std::move(v));
      return &parent->get_ref<json::array_t&>().back();
    }
    *slot_ = std::move(v);
    return slot_;
  }
  bool Put(json&& v) {
    Place(std::move(v));
    return true;
  }
  bool Open(json::value_t type) {
    if (stack_.size() >= max_depth_) {
      too_deep_ = true;
      return false;
    }
    stack_.push_back(Place(json(type)));
    return true;
  }
  bool Close() {
    stack_.pop_back();
    return true;
  }

  json* root_;
  std::size_t max_depth_;
  std::vector<json*> stack_;  // the open containers, outermost first
  json* slot_ = nullptr;      // the value of the last key read in the innermost object
  bool too_deep_ = false;
  std::string error_;
};

}  // namespace

Result<nlohmann::json> ParseJson(std::string_view text, std::string_view what, const JsonParseOptions& options) {
  nlohmann::json root;
  BoundedDomBuilder builder(&root, options.max_depth);
  bool ok = nlohmann::json::sax_parse(text, &builder, nlohmann::json::input_format_t::json, /*strict=*/true, options.ignore_comments);
  if (ok) return root;
  if (builder.too_deep()) {
    return Status::LimitExceeded(std::string(what) + ": JSON nested deeper than " +
                                 std::to_string(options.max_depth) + " levels");
  }
  std::string detail = builder.error();
  // "[json.exception.parse_error.101] parse error at line 1, column 2: ..." without the tag.
  if (size_t tag_end = detail.find("] "); detail.rfind("[json.exception.", 0) == 0 && tag_end != std::string::npos)
    detail.erase(0, tag_end + 2);
  return Status::InvalidArgument(std::string(what) + ": not valid JSON: " + detail);
}

}  // namespace alcor
