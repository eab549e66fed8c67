// alcor normalize [--jsonl] [--main-content] [--base-url URL]: HTML on stdin → Markdown on stdout.
//
// Without --jsonl: one HTML document (raw bytes; charset from BOM, <meta> or detection) → its text.
// With --jsonl: one JSON object per line with an "html" string (and optional "id", "url"); each is
// written back with "html" removed, "text" set and the page metadata under "metadata" (added
// to an existing metadata object only where it lacks a key). Lines are streamed one at a time.
// A failing line is reported on stderr with its line number and id; the others go on; the exit
// code is then 1.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <iostream>
#include <string>

#include <nlohmann/json.hpp>
#include <spdlog/spdlog.h>

#include "alcor/normalize.hpp"
#include "commands.hpp"

namespace alcor::cli {
namespace {

struct NormalizeFlags {
  bool jsonl = false;
  bool main_content = false;
  bool no_images = false;
  std::string base_url;
  std::string links = "inline";
};

// Reads one line (without '\n') from stdin; false at end of input.
bool ReadLine(std::FILE* in, std::string* line) {
  line->clear();
  char buf[1 << 16];
  while (std::fgets(buf, sizeof buf, in)) {
    size_t n = std::strlen(buf);
    // fgets stops at '\n' or a full buffer; a NUL byte inside the line shortens n, which only
    // matters for binary garbage (then the JSON parse fails and the line is reported).
    if (n > 0 && buf[n - 1] == '\n') {
      line->append(buf, n - 1);
      return true;
    }
    line->append(buf, n);
  }
  return !line->empty();
}

bool WriteAll(std::string_view s) { return std::fwrite(s.data(), 1, s.size(), stdout) == s.size(); }

int RunDocument(const NormalizeOptions& options) {
  std::string raw;
  char buf[1 << 16];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof buf, stdin)) > 0) {
    raw.append(buf, n);
    if (raw.size() > options.max_input_bytes) break;
  }
  Result<NormalizeResult> r = NormalizeHtml(raw, options);
  if (!r.ok()) {
    spdlog::error("normalize: {}", r.status().ToString());
    return kExitFailed;
  }
  if (r->invalid_utf8_replaced > 0)
    spdlog::warn("normalize: {} invalid UTF-8 sequences replaced", r->invalid_utf8_replaced);
  if (!WriteAll(r->text) || std::fflush(stdout) != 0) return errno == EPIPE ? kExitOk : kExitFailed;
  return kExitOk;
}

int RunJsonl(NormalizeOptions options) {
  options.input_is_utf8 = true;  // JSON strings are text already
  const std::string default_base = options.base_url;
  static char out_buffer[1 << 16];
  std::setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
  std::string line;
  size_t line_no = 0, failed = 0;
  while (ReadLine(stdin, &line)) {
    ++line_no;
    size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos) continue;
    nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    std::string id;
    auto fail = [&](const std::string& why) {
      ++failed;
      if (id.empty()) std::fprintf(stderr, "alcor normalize: line %zu: %s\n", line_no, why.c_str());
      else std::fprintf(stderr, "alcor normalize: line %zu (id %s): %s\n", line_no, id.c_str(), why.c_str());
    };
    if (j.is_discarded() || !j.is_object()) {
      fail("not a JSON object");
      continue;
    }
    if (auto it = j.find("id"); it != j.end()) id = it->is_string() ? it->get<std::string>() : it->dump();
    auto html = j.find("html");
    if (html == j.end() || !html->is_string()) {
      fail("no \"html\" string field");
      continue;
    }
    options.base_url = default_base;
    if (options.base_url.empty())
      if (auto u = j.find("url"); u != j.end() && u->is_string()) options.base_url = u->get<std::string>();
    Result<NormalizeResult> r = NormalizeHtml(html->get_ref<const std::string&>(), options);
    if (!r.ok()) {
      fail(r.status().ToString());
      continue;
    }
    j.erase("html");
    j["text"] = std::move(r->text);
    nlohmann::json meta = r->MetadataJson();
    auto existing = j.find("metadata");
    if (existing == j.end()) {
      j["metadata"] = std::move(meta);
    } else if (existing->is_object()) {
      for (auto& [key, value] : meta.items())
        if (!existing->contains(key)) (*existing)[key] = value;
    }
    std::string out = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    out += '\n';
    if (!WriteAll(out)) return errno == EPIPE ? kExitOk : kExitFailed;
  }
  if (std::fflush(stdout) != 0 && errno != EPIPE) return kExitFailed;
  if (failed > 0) {
    std::fprintf(stderr, "alcor normalize: %zu of %zu lines failed\n", failed, line_no);
    return kExitFailed;
  }
  return kExitOk;
}

}  // namespace

CommandRunner SetupNormalize(CLI::App* app) {
  auto flags = std::make_shared<NormalizeFlags>();
  app->add_flag("--jsonl", flags->jsonl, "read JSON objects with an \"html\" field, one per line");
  app->add_flag("--main-content", flags->main_content,
                "whole web pages: keep the article body, drop navigation, comments, sidebars...");
  app->add_option("--base-url", flags->base_url,
                  "resolve relative links against this URL (default with --jsonl: each object's \"url\")");
  app->add_flag("--no-images", flags->no_images, "drop images instead of writing their alt text");
  app->add_option("--links", flags->links, "inline: [text](url); text: the link text only")
      ->check(CLI::IsMember({"inline", "text"}));
  return [flags](const GlobalOptions&) {
    NormalizeOptions options;
    options.base_url = flags->base_url;
    options.main_content = flags->main_content;
    options.images_as_alt = !flags->no_images;
    options.links = flags->links == "text" ? LinkStyle::kTextOnly : LinkStyle::kInline;
    return flags->jsonl ? RunJsonl(options) : RunDocument(options);
  };
}

}  // namespace alcor::cli
