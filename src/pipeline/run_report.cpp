// The run report (alcor/pipeline.hpp): runs/<run-id>.json and the end-of-run summary.
#include <cstdio>

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
                      {"duplicates_merged", merged},
                      {"robots_skipped", robots_skipped},
                      {"failed", failed},
                      {"failures", failures},
                      {"http_requests", http_requests},
                      {"bytes", bytes},
                      {"input_bytes", input_bytes},
                      {"seconds", seconds}};
  if (!error.empty()) j["error"] = error;
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
  nlohmann::json j = {{"run_id", run_id},       {"command", "scrape"},   {"started_at", started_at},
                      {"finished_at", finished_at}, {"seconds", seconds}, {"dry_run", dry_run},
                      {"interrupted", interrupted}, {"commits", commits}, {"sources", list},
                      {"dedup", dedup.ToJson()}};
  if (!error.empty()) j["error"] = error;
  return j;
}

std::string RunReport::Summary() const {
  std::string out;
  char line[512];
  std::snprintf(line, sizeof(line), "%-22s %-11s %8s %7s %8s %9s %7s %7s %7s %10s %8s\n", "source", "status",
                "fetched", "new", "updated", "unchanged", "merged", "robots", "failed", "bytes", "seconds");
  out += line;
  SourceRunReport total;
  for (const SourceRunReport& s : sources) {
    std::snprintf(line, sizeof(line), "%-22s %-11s %8llu %7llu %8llu %9llu %7llu %7llu %7llu %10llu %8.1f\n",
                  s.name.c_str(), s.status.c_str(), (unsigned long long)s.fetched, (unsigned long long)s.stored_new,
                  (unsigned long long)s.updated, (unsigned long long)s.unchanged, (unsigned long long)s.merged,
                  (unsigned long long)s.robots_skipped, (unsigned long long)s.failed, (unsigned long long)s.bytes,
                  s.seconds);
    out += line;
    total.fetched += s.fetched;
    total.stored_new += s.stored_new;
    total.updated += s.updated;
    total.unchanged += s.unchanged;
    total.merged += s.merged;
    total.robots_skipped += s.robots_skipped;
    total.failed += s.failed;
    total.bytes += s.bytes;
  }
  std::snprintf(line, sizeof(line), "%-22s %-11s %8llu %7llu %8llu %9llu %7llu %7llu %7llu %10llu %8.1f\n", "total",
                interrupted ? "interrupted" : (dry_run ? "dry-run" : ""), (unsigned long long)total.fetched,
                (unsigned long long)total.stored_new, (unsigned long long)total.updated,
                (unsigned long long)total.unchanged, (unsigned long long)total.merged,
                (unsigned long long)total.robots_skipped, (unsigned long long)total.failed,
                (unsigned long long)total.bytes, seconds);
  out += line;
  for (const SourceRunReport& s : sources) {
    if (!s.error.empty()) out += s.name + ": failed: " + s.error + "\n";
    for (const std::string& f : s.failures) out += s.name + ": " + f + "\n";
  }
  return out;
}

}  // namespace alcor
