#include "alcor/ingest.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "alcor/env.hpp"
#include "alcor/hash.hpp"

namespace alcor {

std::string IngestOutcome::ToString() const {
  switch (kind) {
    case Kind::kStored: return "stored " + id + " (" + input + ")";
    case Kind::kDuplicate: return "duplicate " + input + ": " + detail;
    case Kind::kSkipped: return "skipped " + input + ": " + detail;
    case Kind::kFailed: return "failed " + input + ": " + detail;
  }
  return input;
}

namespace {

bool EndsWith(const std::string& s, std::string_view suffix) {
  if (s.size() < suffix.size()) return false;
  for (size_t i = 0; i < suffix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(s[s.size() - suffix.size() + i])) != suffix[i]) return false;
  return true;
}

// Text, not binary: no NUL bytes and few control characters in the first 8 KiB.
bool LooksLikeText(std::string_view bytes) {
  std::string_view head = bytes.substr(0, 8192);
  size_t control = 0;
  for (unsigned char c : head) {
    if (c == 0) return false;
    if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') ++control;
  }
  return control * 100 <= head.size();
}

std::string_view TrimView(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

std::string TitleOf(std::string_view text, DocumentFormat format, const std::string& display_path) {
  size_t pos = 0;
  std::string_view first_line;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    std::string_view line = TrimView(text.substr(pos, nl == std::string_view::npos ? text.npos : nl - pos));
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (line.empty()) continue;
    if (format == DocumentFormat::kMarkdown && line.substr(0, 2) == "# ") return std::string(TrimView(line.substr(2)));
    if (first_line.empty()) first_line = line;
    if (format != DocumentFormat::kMarkdown) break;
  }
  if (!first_line.empty()) {
    std::string title(first_line.substr(0, 200));
    while (!title.empty() && title.front() == '#') title.erase(0, 1);
    title = std::string(TrimView(title));
    if (!title.empty()) return title;
  }
  return display_path == "-" ? "stdin" : BaseName(display_path);
}

}  // namespace

DocumentFormat DetectDocumentFormat(const std::string& path, std::string_view bytes) {
  if (EndsWith(path, ".md") || EndsWith(path, ".markdown")) return DocumentFormat::kMarkdown;
  if (EndsWith(path, ".txt") || EndsWith(path, ".text")) return DocumentFormat::kPlainText;
  if (!LooksLikeText(bytes)) return DocumentFormat::kUnknown;
  // No telling extension: Markdown when it opens with a heading, else plain text.
  std::string_view head = TrimView(bytes.substr(0, 4096));
  if (head.substr(0, 3) == "\xEF\xBB\xBF") head.remove_prefix(3);
  if (!head.empty() && head[0] == '<') return DocumentFormat::kUnknown;  // markup: not this format
  return head.substr(0, 2) == "# " ? DocumentFormat::kMarkdown : DocumentFormat::kPlainText;
}

Result<Record> RecordFromTextDocument(const std::string& display_path, std::string bytes, DocumentFormat format,
                                      const std::string& source) {
  Record r;
  r.id = "file:" + Sha256Hex(bytes);
  std::string text;
  text.reserve(bytes.size());
  std::string_view in = bytes;
  if (in.substr(0, 3) == "\xEF\xBB\xBF") in.remove_prefix(3);
  for (size_t i = 0; i < in.size(); ++i) {
    if (in[i] == '\r') {
      text += '\n';
      if (i + 1 < in.size() && in[i + 1] == '\n') ++i;
    } else {
      text += in[i];
    }
  }
  size_t replaced = ReplaceInvalidUtf8(&text);
  // Trailing blank lines and spaces carry nothing.
  while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
  if (TrimView(text).empty()) return Status::InvalidArgument("document is empty");
  r.source = source;
  r.source_kind = "file";
  r.title = TitleOf(text, format, display_path);
  r.text = std::move(text);
  r.metadata = {{"path", display_path},
                {"format", format == DocumentFormat::kMarkdown ? "markdown" : "text"},
                {"file_bytes", bytes.size()}};
  if (replaced > 0) r.metadata["invalid_utf8_replaced"] = replaced;
  r.Seal();
  return r;
}

Ingester::Ingester(IngestSink* sink, IngestOptions options) : sink_(sink), options_(std::move(options)) {}

void Ingester::Ingest(const std::string& input, const std::function<void(const IngestOutcome&)>& on_outcome) {
  if (input == "-") {
    std::string bytes;
    char buf[1 << 16];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof(buf), stdin)) > 0) {
      if (bytes.size() + n > options_.max_document_bytes) {
        ++failed_;
        on_outcome({"-", IngestOutcome::Kind::kFailed, "",
                    "stdin is larger than " + std::to_string(options_.max_document_bytes) + " bytes"});
        return;
      }
      bytes.append(buf, n);
    }
    DocumentFormat format = DetectDocumentFormat("-", bytes);
    if (format == DocumentFormat::kUnknown) {
      ++failed_;
      on_outcome({"-", IngestOutcome::Kind::kFailed, "", "stdin is not text or Markdown"});
      return;
    }
    IngestBytes("-", std::move(bytes), format, on_outcome);
    return;
  }
  Env* env = Env::Default();
  if (!env->FileExists(input)) {
    ++failed_;
    on_outcome({input, IngestOutcome::Kind::kFailed, "", "no such file or folder"});
    return;
  }
  if (env->IsDirectory(input)) {
    IngestFolder(input, 0, on_outcome);
  } else {
    IngestFile(input, true, on_outcome);
  }
}

void Ingester::IngestFolder(const std::string& path, int depth,
                            const std::function<void(const IngestOutcome&)>& on_outcome) {
  Env* env = Env::Default();
  if (depth > options_.max_folder_depth) {
    ++failed_;
    on_outcome({path, IngestOutcome::Kind::kFailed, "",
                "folders nested deeper than " + std::to_string(options_.max_folder_depth) + " (a symlink loop?)"});
    return;
  }
  std::vector<std::string> names;
  Status s = env->GetChildren(path, &names);
  if (!s.ok()) {
    ++failed_;
    on_outcome({path, IngestOutcome::Kind::kFailed, "", s.message()});
    return;
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (name.empty() || name[0] == '.') continue;  // hidden files and folders
    std::string child = JoinPath(path, name);
    if (env->IsDirectory(child)) IngestFolder(child, depth + 1, on_outcome);
    else IngestFile(child, false, on_outcome);
  }
}

void Ingester::IngestFile(const std::string& path, bool explicit_argument,
                          const std::function<void(const IngestOutcome&)>& on_outcome) {
  Env* env = Env::Default();
  std::string bytes;
  Status s = ReadFileToString(env, path, &bytes, options_.max_document_bytes);
  if (!s.ok()) {
    ++failed_;
    on_outcome({path, IngestOutcome::Kind::kFailed, "", s.message()});
    return;
  }
  DocumentFormat format = DetectDocumentFormat(path, bytes);
  if (format == DocumentFormat::kUnknown) {
    if (explicit_argument) {
      ++failed_;
      on_outcome({path, IngestOutcome::Kind::kFailed, "", "unsupported document type (not text or Markdown)"});
    } else {
      on_outcome({path, IngestOutcome::Kind::kSkipped, "", "unsupported document type"});
    }
    return;
  }
  IngestBytes(path, std::move(bytes), format, on_outcome);
}

void Ingester::IngestBytes(const std::string& display, std::string bytes, DocumentFormat format,
                           const std::function<void(const IngestOutcome&)>& on_outcome) {
  IngestOutcome outcome{display, IngestOutcome::Kind::kFailed, "", ""};
  Result<Record> record = RecordFromTextDocument(display, std::move(bytes), format, options_.source);
  if (!record.ok()) {
    ++failed_;
    outcome.detail = record.status().message();
    on_outcome(outcome);
    return;
  }
  Status s = sink_->Offer(std::move(record).value(), &outcome);
  if (!s.ok()) {
    ++failed_;
    outcome.kind = IngestOutcome::Kind::kFailed;
    outcome.detail = s.ToString();
  }
  on_outcome(outcome);
}

}  // namespace alcor
