// The run report (alcor/pipeline.hpp): runs/<run-id>.json and the end-of-run summary.
#include <algorithm>
#include <cstdio>
#include <functional>

#include "alcor/pipeline.hpp"

namespace alcor {

nlohmann::json SourceRunReport::ToJson() const {
  nlohmann::json j = {{"name", name},
                      {"kind", kind},
                      {"status", status},
                      {"fetched", fetched},
                      {"new", stored_new},
                      {"updated", updated},
                      {"unchanged", unchanged},
                      {"metadata_updated", metadata_updated},
                      {"duplicates_merged", merged},
                      {"robots_skipped", robots_skipped},
                      {"throttled", throttled},
                      {"throttled_seconds", throttled_seconds},
                      {"failed", failed},
                      {"failures", failures},
                      {"http_requests", http_requests},
                      {"bytes", bytes},
                      {"input_bytes", input_bytes},
                      {"seconds", seconds}};
  if (!error.empty()) j["error"] = error;
  if (!notes.empty()) j["notes"] = notes;
  return j;
}

bool RunReport::any_source_failed() const {
  for (const SourceRunReport& s : sources)
    if (s.status == "failed") return true;
  return false;
}

nlohmann::json RunReport::ToJson() const {
  nlohmann::json list = nlohmann::json::array();
  for (const SourceRunReport& s : sources) list.push_back(s.ToJson());
  nlohmann::json j = {{"run_id", run_id},       {"command", command},   {"started_at", started_at},
                      {"finished_at", finished_at}, {"seconds", seconds}, {"dry_run", dry_run},
                      {"interrupted", interrupted}, {"commits", commits}, {"sources", list},
                      {"dedup", dedup.ToJson()}};
  if (!error.empty()) j["error"] = error;
  if (!robots_ignored.empty()) j["robots_ignored"] = robots_ignored;
  return j;
}

namespace {

size_t Utf8Length(std::string_view text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

// text cut to at most width characters (code points), "~" marking a cut.
std::string Fit(std::string_view text, size_t width) {
  if (Utf8Length(text) <= width) return std::string(text);
  if (width == 0) return "";
  std::string out;
  size_t n = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    if ((c & 0xC0) != 0x80 && ++n > width - 1) break;
    out += text[i];
  }
  return out + "~";
}

std::string PadRight(std::string_view text, size_t width) {
  std::string out = Fit(text, width);
  out.append(width - Utf8Length(out), ' ');
  return out;
}

std::string PadLeft(std::string_view text, size_t width) {
  std::string out = Fit(text, width);
  return std::string(width - Utf8Length(out), ' ') + out;
}

// n exactly when it fits width, else shortened: "123k", "12M", "1.2G".
std::string Count(uint64_t n, size_t width) {
  std::string exact = std::to_string(n);
  if (exact.size() <= width) return exact;
  double v = static_cast<double>(n);
  for (char unit : std::string("kMGTP")) {
    v /= 1000;
    if (v < 999.5) {
      char buf[32];
      std::snprintf(buf, sizeof(buf), v < 9.95 ? "%.1f%c" : "%.0f%c", v, unit);
      return buf;
    }
  }
  return exact;
}

// Bytes for people: "512B", "12.3K", "4.1M", "2.0G".
std::string Bytes(uint64_t n) {
  if (n < 1024) return std::to_string(n) + "B";
  static const char* kUnits[] = {"K", "M", "G", "T"};
  double v = static_cast<double>(n);
  const char* unit = "K";
  for (const char* u : kUnits) {
    v /= 1024;
    unit = u;
    if (v < 1024) break;
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), v < 100 ? "%.1f%s" : "%.0f%s", v, unit);
  return buf;
}

// One column of a table: its header, its width, its cell for a row.
struct Column {
  std::string header;
  size_t width;
  std::function<std::string(const SourceRunReport&, size_t width)> cell;
};

Column CountColumn(std::string header, size_t width, uint64_t SourceRunReport::*field) {
  return {std::move(header), width,
          [field](const SourceRunReport& s, size_t w) { return Count(s.*field, w); }};
}

// The right-aligned cells of row, each after a space.
std::string Cells(const std::vector<Column>& columns, const SourceRunReport& row) {
  std::string out;
  for (const Column& c : columns) out += " " + PadLeft(c.cell(row, c.width), c.width);
  return out;
}
std::string Headers(const std::vector<Column>& columns) {
  std::string out;
  for (const Column& c : columns) out += " " + PadLeft(c.header, c.width);
  return out;
}
size_t Width(const std::vector<Column>& columns) {
  size_t n = 0;
  for (const Column& c : columns) n += 1 + c.width;
  return n;
}

SourceRunReport Totals(const std::vector<SourceRunReport>& sources) {
  SourceRunReport total;
  total.name = "total";
  for (const SourceRunReport& s : sources) {
    total.fetched += s.fetched;
    total.stored_new += s.stored_new;
    total.updated += s.updated;
    total.unchanged += s.unchanged;
    total.metadata_updated += s.metadata_updated;
    total.merged += s.merged;
    total.robots_skipped += s.robots_skipped;
    total.failed += s.failed;
    total.http_requests += s.http_requests;
    total.bytes += s.bytes;
  }
  return total;
}

// text broken at spaces into lines of at most width characters, the later ones indented by two
// spaces; a word longer than a line stays whole.
std::string Wrap(const std::string& text, size_t width) {
  std::string out, line;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find(' ', start);
    if (end == std::string::npos) end = text.size();
    std::string word = text.substr(start, end - start);
    if (!line.empty() && Utf8Length(line) + 1 + Utf8Length(word) > width) {
      out += line + "\n";
      line = "  ";
    }
    if (!line.empty() && line != "  ") line += ' ';
    line += word;
    start = end + 1;
  }
  if (!line.empty()) out += line + "\n";
  return out;
}

}  // namespace

std::string FormatDuration(double seconds) {
  char buf[32];
  if (seconds < 0) seconds = 0;
  if (seconds < 59.95) {
    std::snprintf(buf, sizeof(buf), "%.1fs", seconds);
  } else if (seconds < 3600) {
    int s = static_cast<int>(seconds);
    std::snprintf(buf, sizeof(buf), "%dm%02ds", s / 60, s % 60);
  } else {
    int m = static_cast<int>(seconds / 60);
    std::snprintf(buf, sizeof(buf), "%dh%02dm", m / 60, m % 60);
  }
  return buf;
}

std::string RunReport::Summary(int columns) const {
  size_t width = static_cast<size_t>(std::max(columns, 40));
  SourceRunReport total = Totals(sources);
  total.status = interrupted ? "interrupted" : (dry_run ? "dry-run" : "");
  total.seconds = seconds;
  std::vector<Column> figures = {CountColumn("fetched", 7, &SourceRunReport::fetched),
                                 CountColumn("new", 7, &SourceRunReport::stored_new)};
  if (total.updated > 0) figures.push_back(CountColumn("updated", 7, &SourceRunReport::updated));
  if (total.unchanged > 0) figures.push_back(CountColumn("unchanged", 9, &SourceRunReport::unchanged));
  if (total.metadata_updated > 0) {
    figures.push_back(CountColumn("metadata", 8, &SourceRunReport::metadata_updated));
  }
  if (total.merged > 0) figures.push_back(CountColumn("merged", 6, &SourceRunReport::merged));
  if (total.robots_skipped > 0) figures.push_back(CountColumn("robots", 6, &SourceRunReport::robots_skipped));
  figures.push_back(CountColumn("failed", 6, &SourceRunReport::failed));
  figures.push_back({"time", 6, [](const SourceRunReport& s, size_t) { return FormatDuration(s.seconds); }});

  size_t status_width = 6;
  size_t name_wanted = 6;
  for (const SourceRunReport& s : sources) {
    status_width = std::max(status_width, s.status.size());
    name_wanted = std::max(name_wanted, Utf8Length(s.name));
  }
  status_width = std::max(status_width, total.status.size());
  size_t room = width > Width(figures) + 1 + status_width ? width - Width(figures) - 1 - status_width : 6;
  size_t name_width = std::min(name_wanted, std::max<size_t>(room, 6));

  std::string out = PadRight("source", name_width) + " " + PadRight("status", status_width) + Headers(figures) + "\n";
  auto row = [&](const SourceRunReport& s) {
    std::string name = s.name;
    if (Utf8Length(name) > name_width) {
      out += name + "\n";  // whole, on a line of its own
      name.clear();
    }
    std::string line = PadRight(name, name_width) + " " + PadRight(s.status, status_width) + Cells(figures, s);
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  };
  for (const SourceRunReport& s : sources) row(s);
  row(total);
  out += Wrap("http: " + std::to_string(total.http_requests) + " requests, " + Bytes(total.bytes) + " received; " +
                  std::to_string(commits) + (commits == 1 ? " commit" : " commits"),
              width);
  for (const SourceRunReport& s : sources) {
    if (!s.error.empty()) out += Wrap(s.name + ": failed: " + s.error, width);
    for (const std::string& f : s.failures) out += Wrap(s.name + ": " + f, width);
  }
  return out;
}

std::vector<std::string> RunReport::ProgressLines(int columns, int max_lines, double elapsed_seconds) const {
  size_t width = columns > 1 ? static_cast<size_t>(columns - 1) : 0;  // the last column stays empty
  if (max_lines < 3) max_lines = 3;
  SourceRunReport total = Totals(sources);
  total.phase = "elapsed " + FormatDuration(elapsed_seconds);
  total.seconds = elapsed_seconds;

  constexpr size_t kPhaseWidth = 16;  // "Crawl-delay wait", "fetching pages"
  constexpr size_t kNameRoom = 24;    // an extra figure never squeezes the names below this
  std::vector<Column> figures = {CountColumn("requests", 8, &SourceRunReport::http_requests),
                                 CountColumn("items", 8, &SourceRunReport::fetched),
                                 CountColumn("new", 7, &SourceRunReport::stored_new),
                                 CountColumn("failed", 6, &SourceRunReport::failed)};
  // On a wider terminal, more figures, in this order while they fit.
  std::vector<Column> extras = {
      {"items/s", 8,
       [](const SourceRunReport& s, size_t w) {
         if (s.seconds <= 0) return std::string("-");
         char buf[32];
         std::snprintf(buf, sizeof(buf), "%.1f", static_cast<double>(s.fetched) / s.seconds);
         return Fit(buf, w);
       }},
      {"bytes", 7, [](const SourceRunReport& s, size_t) { return Bytes(s.bytes); }},
      CountColumn("unchanged", 9, &SourceRunReport::unchanged),
      CountColumn("merged", 7, &SourceRunReport::merged),
      CountColumn("updated", 7, &SourceRunReport::updated),
  };
  size_t name_wanted = 6;
  for (const SourceRunReport& s : sources) name_wanted = std::max(name_wanted, Utf8Length(s.name));
  for (Column& extra : extras) {
    if (std::min(name_wanted, kNameRoom) + 1 + kPhaseWidth + Width(figures) + 1 + extra.width > width) break;
    figures.push_back(std::move(extra));
  }
  size_t fixed = 1 + kPhaseWidth + Width(figures);
  size_t name_width = width > fixed ? std::min(name_wanted, width - fixed) : 1;

  auto line = [&](const std::string& name, const std::string& phase, const std::string& cells) {
    std::string l = PadRight(name, name_width) + " " + PadRight(phase, kPhaseWidth) + cells;
    return Fit(l, width);
  };
  std::vector<std::string> out;
  out.push_back(line("source", "phase", Headers(figures)));
  // A live source's rate counts from the start of the run.
  std::vector<SourceRunReport> rows = sources;
  for (SourceRunReport& s : rows)
    if (s.status == "running") s.seconds = elapsed_seconds;
  size_t room = static_cast<size_t>(max_lines) - 2;
  size_t hidden = 0;
  if (rows.size() > room) {
    std::stable_partition(rows.begin(), rows.end(), [](const SourceRunReport& s) { return s.status == "running"; });
    hidden = rows.size() - (room - 1);
    rows.resize(room - 1);
  }
  for (const SourceRunReport& s : rows) out.push_back(line(s.name, s.phase, Cells(figures, s)));
  if (hidden > 0) out.push_back(Fit("... and " + std::to_string(hidden) + " more sources", width));
  out.push_back(line("total", total.phase, Cells(figures, total)));
  return out;
}

}  // namespace alcor
