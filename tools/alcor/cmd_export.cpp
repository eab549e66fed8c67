// alcor export --out DIR|- [selection] [--format jsonl|text|template] [--template T] [--split
// train=0.98,validation=0.02] [--seed S]: the selected records, streamed (memory does not grow
// with the corpus), as JSONL in the record schema, as plain text (one file per document), or
// rendered through a template into JSONL lines {"id", "text"}. Splits are deterministic
// (alcor/export.hpp) and written as DIR/<split>.jsonl (DIR/<split>/ for text); without --split
// the one part is "all". A summary line per split (records, words) goes to stderr.
#include <cerrno>
#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>

#include "alcor/env.hpp"
#include "alcor/export.hpp"
#include "alcor/json.hpp"
#include "alcor/record.hpp"
#include "alcor/store.hpp"
#include "commands.hpp"

namespace alcor::cli {

namespace {

struct Output {
  std::FILE* file = nullptr;
  std::string path;
  uint64_t records = 0;
  uint64_t words = 0;
};

bool WriteAll(std::FILE* f, std::string_view data) {
  return std::fwrite(data.data(), 1, data.size(), f) == data.size();
}

// A file name from an id: [A-Za-z0-9._-] kept, everything else %XX (as shard folders are named).
std::string FileNameOf(const std::string& id) { return store_files::SourceDirName(id) + ".txt"; }

}  // namespace

CommandRunner SetupExport(CLI::App* app) {
  struct Flags {
    std::string out;
    std::string format;
    std::string template_text;
    std::string split;
    std::string seed = "alcor";
  };
  auto flags = std::make_shared<Flags>();
  app->add_option("--out", flags->out, "a folder for the files, or - for stdout (one part, jsonl or template)")
      ->required();
  auto selection = AddSelectionFlags(app, /*with_query=*/true);
  app->add_option("--format", flags->format,
                  "jsonl (records as stored; the default), text (one file per document: title, blank line, text) "
                  "or template (JSONL lines {\"id\", \"text\"} rendered by --template)")
      ->check(CLI::IsMember({"jsonl", "text", "template"}));
  app->add_option("--template", flags->template_text,
                  "the template, or @FILE to read it: {id} {title} {author} {authors} {username} {karma} {date} "
                  "{source} {url} {tags} {summary} {text} {metadata.KEY}; {{ and }} are braces");
  app->add_option("--split", flags->split,
                  "named parts by fraction, e.g. train=0.98,validation=0.02: each record's part comes from a hash "
                  "of its id and the seed, so it never changes as the corpus grows");
  app->add_option("--seed", flags->seed, "the seed of the split hash (default 'alcor')");
  return [flags, selection](const GlobalOptions& global) {
    std::string format = flags->format;
    if (format.empty()) format = flags->template_text.empty() ? "jsonl" : "template";
    RecordTemplate tmpl;
    if (format == "template") {
      std::string text = flags->template_text;
      if (text.empty()) {
        spdlog::error("--format template needs --template");
        return kExitUsage;
      }
      if (text[0] == '@') {
        Status read = ReadFileToString(Env::Default(), text.substr(1), &text, uint64_t{1} << 20);
        if (!read.ok()) {
          spdlog::error("--template: {}", read.ToString());
          return kExitUsage;
        }
      }
      if (Status s = RecordTemplate::Parse(text, &tmpl); !s.ok()) {
        spdlog::error("{}", s.message());
        return kExitUsage;
      }
    } else if (!flags->template_text.empty()) {
      spdlog::error("--template goes with --format template, not {}", format);
      return kExitUsage;
    }
    SplitSpec split = SplitSpec::Single("all");
    if (!flags->split.empty()) {
      if (Status s = SplitSpec::Parse(flags->split, &split); !s.ok()) {
        spdlog::error("{}", s.message());
        return kExitUsage;
      }
    }
    const bool to_stdout = flags->out == "-";
    if (to_stdout && (format == "text" || split.parts().size() > 1)) {
      spdlog::error("--out -: stdout takes one part of jsonl or template (not --format text, not --split)");
      return kExitUsage;
    }
    std::unique_ptr<Store> store;
    if (int rc = OpenStoreOrExplain(global, StoreAccess::kRead, &store)) return rc;
    if (int rc = PrepareSelectionOrExplain(*store, selection.get())) return rc;

    Env* env = Env::Default();
    std::vector<Output> outputs(split.parts().size());
    static char stdout_buffer[1 << 20];
    for (size_t i = 0; i < outputs.size(); ++i) {
      const std::string& name = split.parts()[i].first;
      Output& o = outputs[i];
      if (to_stdout) {
        std::setvbuf(stdout, stdout_buffer, _IOFBF, sizeof(stdout_buffer));
        o.file = stdout;
        o.path = "stdout";
        continue;
      }
      o.path = format == "text" ? (split.parts().size() > 1 ? JoinPath(flags->out, name) : flags->out)
                                : JoinPath(flags->out, name + ".jsonl");
      Status made = env->CreateDirs(format == "text" ? o.path : flags->out, kPrivateDirMode);
      if (made.ok() && format != "text") {
        o.file = std::fopen(o.path.c_str(), "wb");
        if (!o.file) made = Status::IOError(o.path + ": " + std::strerror(errno));
        else std::setvbuf(o.file, nullptr, _IOFBF, 1 << 20);
      }
      if (!made.ok()) {
        spdlog::error("{}", made.ToString());
        return kExitFailed;
      }
    }

    Status write_error;
    bool pipe_closed = false;
    std::string rendered;
    ScanOptions options;
    Status scanned;
    int rc = ScanSelected(
        *store, *selection, options,
        [&](std::string_view line, const RecordLocation&) {
          RecordText fields;
          if (!ReadRecordText(line, &fields).ok()) return true;  // not reachable: the reading path checked it
          const std::string_view id = fields.id, text = fields.text, title = fields.title;
          Output& o = outputs[split.Assign(id, flags->seed)];
          o.records++;
          o.words += CountWords(text);
          bool ok = true;
          if (format == "jsonl") {
            ok = WriteAll(o.file, line) && std::fputc('\n', o.file) != EOF;
          } else if (format == "template") {
            Result<nlohmann::json> parsed = ParseJson(line, "a record");
            const nlohmann::json record = parsed.ok() ? std::move(parsed).value() : nlohmann::json();
            nlohmann::json out = {{"id", std::string(id)}, {"text", tmpl.Render(record)}};
            rendered = out.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
            rendered.push_back('\n');
            ok = WriteAll(o.file, rendered);
          } else {
            rendered.assign(title);
            rendered += "\n\n";
            rendered.append(text);
            rendered.push_back('\n');
            const std::string path = JoinPath(o.path, FileNameOf(std::string(id)));
            std::FILE* f = std::fopen(path.c_str(), "wb");
            ok = f && WriteAll(f, rendered);
            if (f && std::fclose(f) != 0) ok = false;
            if (!ok) write_error = Status::IOError(path + ": " + std::strerror(errno));
            return ok;
          }
          if (!ok) {
            pipe_closed = to_stdout && errno == EPIPE;
            write_error = Status::IOError(o.path + ": " + std::strerror(errno));
          }
          return ok;
        },
        &scanned);
    if (rc) return rc;
    for (Output& o : outputs) {
      if (!o.file) continue;
      if (std::fflush(o.file) != 0 && write_error.ok()) {
        pipe_closed = to_stdout && errno == EPIPE;
        write_error = Status::IOError(o.path + ": " + std::strerror(errno));
      }
      if (o.file != stdout) std::fclose(o.file);
    }
    if (pipe_closed) return kExitOk;
    if (!write_error.ok()) {
      spdlog::error("{}", write_error.ToString());
      return kExitFailed;
    }
    if (!scanned.ok()) {
      spdlog::error("{} (the export is incomplete)", scanned.ToString());
      return kExitFailed;
    }
    for (size_t i = 0; i < outputs.size(); ++i)
      std::fprintf(stderr, "%s: %llu records, %llu words -> %s\n", split.parts()[i].first.c_str(),
                   static_cast<unsigned long long>(outputs[i].records),
                   static_cast<unsigned long long>(outputs[i].words), outputs[i].path.c_str());
    return kExitOk;
  };
}

}  // namespace alcor::cli
