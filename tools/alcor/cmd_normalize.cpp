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
#include <cstdlib>
#include <string>

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
  std::string links;  // "" = auto
};

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

int RunJsonl(const NormalizeOptions& options) {
  static char out_buffer[1 << 16];
  std::setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
  char* buf = nullptr;
  size_t cap = 0;
  ssize_t len;
  size_t line_no = 0, failed = 0;
  std::string out, id;
  int rc = kExitOk;
  // getline: one line at a time, whatever its length (a 50 MB line is one allocation).
  while ((len = getline(&buf, &cap, stdin)) >= 0) {
    ++line_no;
    std::string_view line(buf, static_cast<size_t>(len));
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    Status s = NormalizeJsonLine(line, options, &out, &id);
    if (!s.ok()) {
      ++failed;
      if (id.empty()) std::fprintf(stderr, "alcor normalize: line %zu: %s\n", line_no, s.ToString().c_str());
      else std::fprintf(stderr, "alcor normalize: line %zu (id %s): %s\n", line_no, id.c_str(), s.ToString().c_str());
      continue;
    }
    // Flushed per record: a reader downstream in a pipe gets each record as it is done.
    if (!WriteAll(out) || std::fflush(stdout) != 0) {
      rc = errno == EPIPE ? kExitOk : kExitFailed;
      break;
    }
  }
  std::free(buf);
  if (rc != kExitOk) return rc;
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
  app->add_option("--links", flags->links,
                  "inline: [text](url); text: the link text only (default: text with --main-content, else inline)")
      ->check(CLI::IsMember({"inline", "text"}));
  return [flags](const GlobalOptions&) {
    NormalizeOptions options;
    options.base_url = flags->base_url;
    options.main_content = flags->main_content;
    options.images_as_alt = !flags->no_images;
    options.links = flags->links == "text"     ? LinkStyle::kTextOnly
                    : flags->links == "inline" ? LinkStyle::kInline
                                               : LinkStyle::kAuto;
    return flags->jsonl ? RunJsonl(options) : RunDocument(options);
  };
}

}  // namespace alcor::cli
