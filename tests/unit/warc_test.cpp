// WARC records in gzip members (alcor/warc.hpp) and the raw archive writer and its commit
// (alcor/raw_archive.hpp, Store::Commit).
#include <sys/stat.h>

#include <gtest/gtest.h>

#include "alcor/hash.hpp"
#include "alcor/raw_archive.hpp"
#include "alcor/store.hpp"
#include "alcor/validate.hpp"
#include "alcor/warc.hpp"
#include "support/store_helpers.hpp"
#include "support/temp_dir.hpp"

namespace alcor {
namespace {

using testing::ReadFile;
using testing::TempDir;
using testing::WriteFile;

WarcRecord SamplePage(const std::string& body = "<html><body><p>Hello</p></body></html>") {
  return MakeWarcResponse("https://example.test/a", "2026-12-01T10:00:00Z", 200,
                          {{"Content-Type", "text/html; charset=utf-8"}, {"Content-Length", "999"},
                           {"Content-Encoding", "gzip"}, {"X-Evil", "a\r\nWARC-Type: resource"}},
                          body);
}

TEST(WarcTest, ResponseRecordHasTheHeadersAndDigestsTheIssueLists) {
  WarcRecord r = SamplePage();
  std::string bytes = SerializeWarcRecord(r);
  EXPECT_EQ(bytes.rfind("WARC/1.1\r\n", 0), 0u);
  for (const char* field : {"WARC-Type: response\r\n", "WARC-Target-URI: https://example.test/a\r\n",
                            "WARC-Date: 2026-12-01T10:00:00Z\r\n", "WARC-Record-ID: <urn:uuid:",
                            "Content-Type: application/http;msgtype=response\r\n"})
    EXPECT_NE(bytes.find(field), std::string::npos) << field;
  EXPECT_NE(bytes.find("WARC-Payload-Digest: sha256:" + Sha256Hex(r.payload) + "\r\n"), std::string::npos);
  // The payload is stored decoded: its own length, no Content-Encoding; no header injects a line.
  EXPECT_NE(r.http_head.find("Content-Length: " + std::to_string(r.payload.size()) + "\r\n"), std::string::npos);
  EXPECT_EQ(r.http_head.find("Content-Encoding"), std::string::npos);
  EXPECT_EQ(r.http_head.find("\r\nWARC-Type"), std::string::npos);
  EXPECT_EQ(r.http_status(), 200);
  EXPECT_EQ(r.PayloadContentType(), "text/html; charset=utf-8");
  EXPECT_EQ(bytes.substr(bytes.size() - 4), "\r\n\r\n");
  // The same record gets the same id; another payload another.
  EXPECT_EQ(SamplePage().record_id, r.record_id);
  EXPECT_NE(SamplePage("other").record_id, r.record_id);
}

TEST(WarcTest, RecordsRoundTripThroughGzipMembersReadFromTheirOffsets) {
  TempDir dir;
  WarcRecord page = SamplePage();
  WarcRecord file = MakeWarcResource("file:///books/a.txt", "2026-12-01T10:00:01Z", "text/plain", "plain text");
  std::string m1 = GzipMember(SerializeWarcRecord(page));
  std::string m2 = GzipMember(SerializeWarcRecord(file));
  WriteFile(dir.Sub("a.warc.gz"), m1 + m2);

  WarcFileReader reader(Env::Default(), dir.Sub("a.warc.gz"), "a.warc.gz");
  WarcRecord got;
  uint64_t offset = 99, size = 0;
  ASSERT_TRUE(reader.Next(&got, &offset, &size)) << reader.status().ToString();
  EXPECT_EQ(offset, 0u);
  EXPECT_EQ(size, m1.size());
  EXPECT_EQ(got.type, WarcType::kResponse);
  EXPECT_EQ(got.payload, page.payload);
  EXPECT_EQ(got.target_uri, page.target_uri);
  EXPECT_EQ(got.record_id, page.record_id);
  EXPECT_EQ(got.http_status(), 200);
  ASSERT_TRUE(reader.Next(&got, &offset));
  EXPECT_EQ(offset, m1.size());
  EXPECT_EQ(got.type, WarcType::kResource);
  EXPECT_EQ(got.payload, "plain text");
  EXPECT_EQ(got.PayloadContentType(), "text/plain");
  EXPECT_FALSE(reader.Next(&got));
  EXPECT_TRUE(reader.status().ok()) << reader.status().ToString();
  EXPECT_EQ(reader.FileSha256(), Sha256Hex(m1 + m2));

  // Any record alone, from its offset.
  ASSERT_TRUE(ReadWarcRecordAt(Env::Default(), dir.Sub("a.warc.gz"), "a.warc.gz", m1.size(), &got).ok());
  EXPECT_EQ(got.payload, "plain text");
  Status past = ReadWarcRecordAt(Env::Default(), dir.Sub("a.warc.gz"), "a.warc.gz", m1.size() + m2.size(), &got);
  EXPECT_TRUE(past.IsCorruption()) << past.ToString();
}

TEST(WarcTest, TruncatedAndDamagedMembersAreReportedWithFileAndOffset) {
  TempDir dir;
  std::string m1 = GzipMember(SerializeWarcRecord(SamplePage()));
  std::string m2 = GzipMember(SerializeWarcRecord(SamplePage("second page body")));
  WriteFile(dir.Sub("cut.warc.gz"), m1 + m2.substr(0, m2.size() / 2));
  WarcFileReader cut(Env::Default(), dir.Sub("cut.warc.gz"), "raw/x/cut.warc.gz");
  WarcRecord got;
  EXPECT_TRUE(cut.Next(&got));
  EXPECT_FALSE(cut.Next(&got));
  EXPECT_TRUE(cut.status().IsCorruption());
  EXPECT_NE(cut.status().message().find("raw/x/cut.warc.gz@" + std::to_string(m1.size()) + ": "), std::string::npos)
      << cut.status().ToString();
  EXPECT_NE(cut.status().message().find("cut short"), std::string::npos);

  std::string damaged = m2;
  damaged[damaged.size() / 2] ^= 0x55;
  WriteFile(dir.Sub("bad.warc.gz"), m1 + damaged);
  WarcFileReader bad(Env::Default(), dir.Sub("bad.warc.gz"), "bad.warc.gz");
  EXPECT_TRUE(bad.Next(&got));
  EXPECT_FALSE(bad.Next(&got));
  EXPECT_TRUE(bad.status().IsCorruption());
  EXPECT_NE(bad.status().message().find("bad.warc.gz@" + std::to_string(m1.size()) + ": "), std::string::npos)
      << bad.status().ToString();

  // Intact gzip, wrong digest: the payload changed after the record was made.
  WarcRecord forged = SamplePage();
  forged.payload = "<p>changed</p>";
  WriteFile(dir.Sub("forged.warc.gz"), GzipMember(SerializeWarcRecord(forged)));
  Status s = ReadWarcRecordAt(Env::Default(), dir.Sub("forged.warc.gz"), "forged.warc.gz", 0, &got);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("forged.warc.gz@0: WARC-Block-Digest does not match"), std::string::npos) << s.ToString();

  // Not a WARC record at all.
  WriteFile(dir.Sub("text.warc.gz"), GzipMember("hello\r\n\r\nworld"));
  s = ReadWarcRecordAt(Env::Default(), dir.Sub("text.warc.gz"), "text.warc.gz", 0, &got);
  EXPECT_TRUE(s.IsCorruption()) << s.ToString();
}

TEST(WarcTest, AHeaderLargerThanTheLimitIsRefused) {
  std::string huge = "WARC/1.1\r\nX-Pad: " + std::string(kMaxWarcHeaderBytes + 10, 'a') + "\r\n\r\n\r\n\r\n";
  WarcRecord got;
  Status s = ParseWarcRecord(huge, "h.warc.gz@0", &got);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("no WARC header ending within"), std::string::npos) << s.ToString();
  // A Content-Length past the bytes there.
  WarcRecord r = MakeWarcResource("file:///a", "2026-12-01T10:00:00Z", "text/plain", "abc");
  std::string bytes = SerializeWarcRecord(r);
  bytes.replace(bytes.find("Content-Length: 3"), 17, "Content-Length: 3000000");
  s = ParseWarcRecord(bytes, "h.warc.gz@0", &got);
  EXPECT_TRUE(s.IsCorruption());
  EXPECT_NE(s.message().find("shorter than its Content-Length"), std::string::npos) << s.ToString();
}

TEST(RawArchiveTest, CommittedWithTheTransactionListedPrivateAndValid) {
  TempDir dir;
  std::unique_ptr<Store> store = testing::OpenStore(dir.Sub("store"));
  std::unique_ptr<RawArchiveWriter> writer = store->NewRawArchiveWriter("blog/x");
  WarcRecord a = SamplePage("page a"), b = SamplePage("page b"), c = SamplePage("page c");
  RawLocation la, lb, lc;
  ASSERT_TRUE(writer->Append(GzipMember(SerializeWarcRecord(a)), a.record_id, &la).ok());
  ASSERT_TRUE(writer->Append(GzipMember(SerializeWarcRecord(b)), b.record_id, &lb).ok());
  writer->DropLast();  // b is not kept
  ASSERT_TRUE(writer->Append(GzipMember(SerializeWarcRecord(c)), c.record_id, &lc).ok());
  EXPECT_EQ(la.offset, 0u);
  EXPECT_EQ(lc.offset, lb.offset);  // c took b's place
  EXPECT_EQ(la.file, lc.file);
  EXPECT_EQ(la.file.rfind("raw/blog%2Fx/", 0), 0u) << la.file;
  Transaction txn;
  ASSERT_TRUE(writer->Finish(&txn.raw_files).ok());
  ASSERT_EQ(txn.raw_files.size(), 1u);
  EXPECT_FALSE(Env::Default()->FileExists(store->PathOf(la.file)));  // not before the commit
  ASSERT_TRUE(store->Commit(&txn).ok());
  ASSERT_EQ(store->manifest().raw.size(), 1u);
  const RawFileInfo info = store->manifest().raw[0];  // a copy: the store is reopened below
  EXPECT_EQ(info.path, la.file);
  EXPECT_EQ(info.records, 2u);
  std::string bytes = ReadFile(store->PathOf(la.file));
  EXPECT_EQ(info.sha256, Sha256Hex(bytes));
  EXPECT_EQ(info.file_bytes, bytes.size());
  struct stat st;
  ASSERT_EQ(::stat(store->PathOf(la.file).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);

  WarcRecord got;
  ASSERT_TRUE(ReadWarcRecordAt(Env::Default(), store->PathOf(lc.file), lc.file, lc.offset, &got).ok());
  EXPECT_EQ(got.payload, "page c");
  EXPECT_EQ(got.record_id, lc.record_id);

  // The manifest reads back; validate passes, and reports an unlisted or damaged file.
  store.reset();
  store = testing::OpenStore(dir.Sub("store"));
  ASSERT_EQ(store->manifest().raw.size(), 1u);
  EXPECT_EQ(store->manifest().raw[0].sha256, info.sha256);
  store.reset();
  ValidationReport report;
  ASSERT_TRUE(ValidateStore(Env::Default(), dir.Sub("store"), {}, &report).ok());
  EXPECT_TRUE(report.ok()) << report.ToJson().dump(2);
  EXPECT_EQ(report.raw_files, 1u);

  std::string path = dir.Sub("store") + "/" + la.file;
  std::string damaged = bytes;
  damaged[damaged.size() - 10] ^= 0x20;
  WriteFile(path, damaged);
  ::chmod(path.c_str(), 0600);
  WriteFile(dir.Sub("store/raw/blog%2Fx/stray.warc.gz"), bytes);
  ::chmod(dir.Sub("store/raw/blog%2Fx/stray.warc.gz").c_str(), 0600);
  ASSERT_TRUE(ValidateStore(Env::Default(), dir.Sub("store"), {}, &report).ok());
  std::string problems = report.ToJson().dump();
  EXPECT_NE(problems.find(la.file + "@" + std::to_string(lc.offset)), std::string::npos) << problems;
  EXPECT_NE(problems.find("raw archive file not listed in the manifest"), std::string::npos) << problems;
}

TEST(RawArchiveTest, AFailedOrAbandonedWriterLeavesNothing) {
  TempDir dir;
  std::unique_ptr<Store> store = testing::OpenStore(dir.Sub("store"));
  {
    std::unique_ptr<RawArchiveWriter> writer = store->NewRawArchiveWriter("s");
    RawLocation l;
    WarcRecord a = SamplePage();
    ASSERT_TRUE(writer->Append(GzipMember(SerializeWarcRecord(a)), a.record_id, &l).ok());
  }
  std::vector<std::string> names;
  Env::Default()->GetChildren(dir.Sub("store/raw/s"), &names);
  EXPECT_TRUE(names.empty());
  // Every member taken back: no file at all.
  std::unique_ptr<RawArchiveWriter> writer = store->NewRawArchiveWriter("s");
  RawLocation l;
  WarcRecord a = SamplePage();
  ASSERT_TRUE(writer->Append(GzipMember(SerializeWarcRecord(a)), a.record_id, &l).ok());
  writer->DropLast();
  std::vector<PendingRawFile> files;
  ASSERT_TRUE(writer->Finish(&files).ok());
  EXPECT_TRUE(files.empty());
  Env::Default()->GetChildren(dir.Sub("store/raw/s"), &names);
  EXPECT_TRUE(names.empty());
}

TEST(RawArchiveTest, LocationsReadBackFromRecordMetadata) {
  RawLocation l{"raw/s/20261201T000000.000Z-abcd-000001.warc.gz", 1234, "<urn:uuid:x>"};
  Result<RawLocation> back = RawLocation::FromJson(l.ToJson());
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, l);
  EXPECT_FALSE(RawLocation::FromJson({{"file", "../etc/passwd"}, {"offset", 0}, {"record_id", "x"}}).ok());
  EXPECT_FALSE(RawLocation::FromJson("raw").ok());
  EXPECT_EQ(ParseRawRetention("none").value(), RawRetention::kNone);
  EXPECT_FALSE(ParseRawRetention("some").ok());
}

}  // namespace
}  // namespace alcor
