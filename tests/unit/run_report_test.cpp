// What `alcor scrape` shows people: the live progress display (RunReport::ProgressLines) fits the
// terminal at 80 and 160 columns, with a header, a row per source with its phase and requests,
// and a total with the elapsed time; the end-of-run summary (RunReport::Summary) fits 80 columns.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "alcor/pipeline.hpp"

namespace alcor {
namespace {

size_t Columns(const std::string& line) {
  size_t n = 0;
  for (unsigned char c : line) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

SourceRunReport Source(std::string name, std::string status, std::string phase, uint64_t fetched) {
  SourceRunReport s;
  s.name = std::move(name);
  s.status = std::move(status);
  s.phase = std::move(phase);
  s.fetched = fetched;
  s.stored_new = fetched;
  s.http_requests = fetched + 3;
  s.bytes = fetched * 12345;
  return s;
}

RunReport ARun() {
  RunReport r;
  r.sources = {Source("lesswrong", "running", "fetching pages", 1234),
               Source("blog:a-rather-long-source-name-that-goes-on-and-on", "running", "Crawl-delay wait", 12),
               Source("arxiv", "running", "starting", 0), Source("books", "ok", "done", 2)};
  r.sources[0].unchanged = 4;
  r.sources[0].merged = 2;
  return r;
}

TEST(ProgressLinesTest, FitEightyColumnsWithHeaderPhasesRequestsAndTotal) {
  std::vector<std::string> lines = ARun().ProgressLines(80, 39, 83.4);
  ASSERT_EQ(lines.size(), 6u);
  for (const std::string& l : lines) EXPECT_LT(Columns(l), 80u) << "[" << l << "]";
  EXPECT_EQ(lines[0].rfind("source", 0), 0u) << lines[0];
  for (const char* header : {"phase", "requests", "items", "new", "failed"})
    EXPECT_NE(lines[0].find(header), std::string::npos) << header << " in " << lines[0];
  EXPECT_NE(lines[1].find("fetching pages"), std::string::npos) << lines[1];
  EXPECT_NE(lines[1].find("1237"), std::string::npos) << "requests made: " << lines[1];
  EXPECT_NE(lines[2].find("Crawl-delay wait"), std::string::npos) << "a cut name keeps the columns: " << lines[2];
  EXPECT_NE(lines[2].find('~'), std::string::npos) << "the long name is cut, marked: " << lines[2];
  EXPECT_NE(lines[3].find("starting"), std::string::npos) << "no \"0 items 0.0/s\" before a first document: " << lines[3];
  EXPECT_NE(lines[4].find("done"), std::string::npos) << lines[4];
  EXPECT_EQ(lines[5].rfind("total", 0), 0u) << lines[5];
  EXPECT_NE(lines[5].find("elapsed 1m23s"), std::string::npos) << lines[5];
  EXPECT_NE(lines[5].find("1248"), std::string::npos) << "the total of the items: " << lines[5];
  EXPECT_EQ(lines[0].find("items/s"), std::string::npos) << "no room for the extras at 80 columns";
}

TEST(ProgressLinesTest, AWideTerminalShowsMoreFiguresAndWholeNames) {
  std::vector<std::string> lines = ARun().ProgressLines(160, 39, 10);
  for (const std::string& l : lines) EXPECT_LT(Columns(l), 160u) << "[" << l << "]";
  for (const char* header : {"items/s", "bytes", "unchanged", "merged", "updated"})
    EXPECT_NE(lines[0].find(header), std::string::npos) << header << " in " << lines[0];
  EXPECT_NE(lines[2].find("blog:a-rather-long-source-name-that-goes-on-and-on"), std::string::npos) << lines[2];
}

TEST(ProgressLinesTest, NarrowTerminalsAndFewRowsAreCutNeverWrapped) {
  for (int columns : {10, 30, 50, 79, 81, 120}) {
    for (const std::string& l : ARun().ProgressLines(columns, 39, 1)) {
      EXPECT_LT(Columns(l), static_cast<size_t>(columns)) << columns << ": [" << l << "]";
    }
  }
  std::vector<std::string> lines = ARun().ProgressLines(80, 4, 1);
  ASSERT_EQ(lines.size(), 4u) << "header, one source, the rest counted, total";
  EXPECT_NE(lines[1].find("lesswrong"), std::string::npos) << "a running source first: " << lines[1];
  EXPECT_NE(lines[2].find("... and 3 more sources"), std::string::npos) << lines[2];
  EXPECT_EQ(lines[3].rfind("total", 0), 0u);
}

TEST(SummaryTest, FitsEightyColumnsWithLongNamesAndLargeFigures) {
  RunReport r = ARun();
  for (SourceRunReport& s : r.sources) s.status = "ok";
  r.sources[1].status = "failed";
  r.sources[1].error = "HTTP 503 from GET http://127.0.0.1:1/a-very-long-path/with/many/parts/feed.xml; body: "
                       "the service is down for maintenance, come back later please";
  r.sources[0].fetched = 123456789;
  r.sources[0].updated = 7;
  r.sources[0].robots_skipped = 3;
  r.sources[0].failures = {"one item failed: a reason"};
  r.sources[2].seconds = 4000;
  r.interrupted = true;
  r.seconds = 65;
  std::string summary = r.Summary(80);
  std::vector<std::string> lines = Lines(summary);
  for (const std::string& l : lines) EXPECT_LE(Columns(l), 80u) << "[" << l << "]\n" << summary;
  ASSERT_GE(lines.size(), 8u) << summary;
  for (const char* header : {"source", "status", "fetched", "new", "updated", "unchanged", "merged", "robots",
                             "failed", "time"})
    EXPECT_NE(lines[0].find(header), std::string::npos) << header << "\n" << summary;
  EXPECT_NE(summary.find("123M"), std::string::npos) << "a figure too wide for its column is shortened\n" << summary;
  EXPECT_NE(summary.find("\nblog:a-rather-long-source-name-that-goes-on-and-on\n"), std::string::npos)
      << "a long name whole, on its own line\n" << summary;
  EXPECT_NE(summary.find("1h06m"), std::string::npos) << summary;
  EXPECT_NE(summary.find("interrupted"), std::string::npos) << summary;
  EXPECT_NE(summary.find("1m05s"), std::string::npos) << summary;
  EXPECT_NE(summary.find("lesswrong: one item failed: a reason"), std::string::npos) << summary;
  EXPECT_NE(summary.find("please\n"), std::string::npos) << "messages wrap, not cut\n" << summary;
  EXPECT_NE(summary.find("\n  "), std::string::npos) << "a wrapped line goes on indented\n" << summary;
}

TEST(SummaryTest, ColumnsThatAreZeroForEverySourceAreLeftOut) {
  RunReport r;
  r.sources = {Source("a", "ok", "done", 5)};
  std::string header = Lines(r.Summary())[0];
  EXPECT_NE(header.find("fetched"), std::string::npos);
  EXPECT_NE(header.find("new"), std::string::npos);
  EXPECT_NE(header.find("failed"), std::string::npos);
  EXPECT_EQ(header.find("unchanged"), std::string::npos) << header;
  EXPECT_EQ(header.find("robots"), std::string::npos) << header;
}

TEST(FormatDurationTest, AtMostSixCharacters) {
  EXPECT_EQ(FormatDuration(0), "0.0s");
  EXPECT_EQ(FormatDuration(59.9), "59.9s");
  EXPECT_EQ(FormatDuration(60), "1m00s");
  EXPECT_EQ(FormatDuration(3599), "59m59s");
  EXPECT_EQ(FormatDuration(3600 * 99 + 59 * 60), "99h59m");
}

}  // namespace
}  // namespace alcor

TEST(SourceNotesTest, SetReplacesAndAddSumsIntoTheReportJson) {
  nlohmann::json notes = nlohmann::json::object();
  alcor::AddToNoteNumber(&notes, "throttled", 1);
  alcor::AddToNoteNumber(&notes, "throttled", 2);
  alcor::AddToNoteNumber(&notes, "waited_seconds", 0.5);
  alcor::AddToNoteNumber(&notes, "waited_seconds", 0.25);
  notes["feed"] = "full";
  notes["feed"] = "summary-only";
  alcor::AddToNoteNumber(&notes, "feed", 1);  // not a number: starts again from 0
  EXPECT_TRUE(notes["throttled"].is_number_integer());
  EXPECT_EQ(notes["throttled"].get<int64_t>(), 3);
  EXPECT_DOUBLE_EQ(notes["waited_seconds"].get<double>(), 0.75);
  EXPECT_EQ(notes["feed"].get<int64_t>(), 1);

  alcor::SourceRunReport report;
  report.name = "blog:x";
  EXPECT_FALSE(report.ToJson().contains("notes"));  // absent when the source stated nothing
  report.notes = notes;
  EXPECT_EQ(report.ToJson()["notes"]["throttled"].get<int64_t>(), 3);
}
