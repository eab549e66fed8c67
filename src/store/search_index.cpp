// The search index (alcor/search.hpp): SQLite FTS5 kept in step with the manifest.
#include "alcor/search.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <spdlog/spdlog.h>

#include <condition_variable>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "alcor/corpus.hpp"
#include "alcor/dedup.hpp"
#include "alcor/strings.hpp"

namespace alcor {

namespace {

constexpr const char* kIndexFormat = "alcor-search 1";
constexpr char kListSeparator = '\n';

std::string JoinList(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& s : items) {
    if (!out.empty()) out.push_back(kListSeparator);
    out += s;
  }
  return out;
}

std::vector<std::string> SplitList(std::string_view text) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t end = text.find(kListSeparator, start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  return out;
}

bool IsDamage(int code) {
  int primary = code & 0xff;
  return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

// One prepared statement, finalized on destruction.
class Statement {
 public:
  Statement() = default;
  Statement(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }
  sqlite3_stmt** out() { return &stmt_; }
  sqlite3_stmt* get() const { return stmt_; }
  void Bind(int i, std::string_view text) {
    sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
  }
  void Bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  std::string Text(int col) const {
    const unsigned char* t = sqlite3_column_text(stmt_, col);
    return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(stmt_, col)))
             : std::string();
  }
  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Double(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  void Reset() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace

constexpr int kQueryCacheKiB = 64 * 1024;
constexpr int kWriterCacheKiB = 8 * 1024;

struct SearchIndex::Impl {
  // What the index follows: the store's folder and the manifest to bring the index to (the
  // store's own, or a follower's copy of a published one).
  Env* env = nullptr;
  std::string dir;
  const Manifest* manifest = nullptr;
  std::string path;
  sqlite3* db = nullptr;
  int last_code = SQLITE_OK;
  // SQLite's page cache. Queries read much of a large index and gain from a big cache; a writer
  // that keeps the index open through a whole scrape (SearchIndexFollower) would otherwise grow
  // to the full cache as the corpus grows, so it uses kWriterCacheKiB.
  int cache_kib = kQueryCacheKiB;

  ~Impl() { Close(); }
  void Close() {
    if (db) sqlite3_close_v2(db);
    db = nullptr;
  }

  Status Error(const std::string& what) {
    last_code = db ? sqlite3_extended_errcode(db) : SQLITE_ERROR;
    std::string message = path + ": " + what + ": " + (db ? sqlite3_errmsg(db) : "cannot open");
    return IsDamage(last_code) ? Status::Corruption(message) : Status::IOError(message);
  }
  Status Exec(const char* sql) {
    char* err = nullptr;
    int rc = sqlite3_exec(db, sql, nullptr, nullptr, &err);
    sqlite3_free(err);
    if (rc != SQLITE_OK) return Error(std::string("cannot run ") + std::string(sql).substr(0, 40));
    return Status::OK();
  }
  Status Prepare(const char* sql, Statement* stmt) {
    if (sqlite3_prepare_v2(db, sql, -1, stmt->out(), nullptr) != SQLITE_OK)
      return Error(std::string("cannot prepare ") + std::string(sql).substr(0, 40));
    return Status::OK();
  }
  // Steps a statement that returns no rows (or whose rows are not wanted).
  Status Run(Statement* stmt, const char* what) {
    int rc = sqlite3_step(stmt->get());
    stmt->Reset();
    if (rc != SQLITE_DONE && rc != SQLITE_ROW) return Error(what);
    return Status::OK();
  }

  Status OpenFile();
  Status CreateSchema();
  Status ReadMeta(const std::string& key, std::string* value);
  Status WriteMeta(const std::string& key, const std::string& value);
  Status Sync(SyncStats* stats);
  Status SyncInTransaction(SyncStats* stats);

  // When set and true, a shard that cannot be read is skipped without a warning (a follower
  // whose manifest a newer commit replaced).
  std::function<bool()> quiet_shard_failures;
};

Status SearchIndex::Impl::OpenFile() {
  Close();
  // The file is created private before SQLite opens it: its journal files take its modes.
  if (!env->FileExists(path)) {
    ALCOR_RETURN_IF_ERROR(env->CreateDirs(JoinPath(dir, store_files::kStateDir), kPrivateDirMode));
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, kPrivateFileMode);
    if (fd < 0) return Status::IOError(path + ": cannot create the search index");
    ::close(fd);
  }
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_FULLMUTEX, nullptr) != SQLITE_OK)
    return Error("cannot open the search index");
  sqlite3_busy_timeout(db, 30000);
  const std::string pragmas =
      "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL; PRAGMA cache_size=-" + std::to_string(cache_kib);
  ALCOR_RETURN_IF_ERROR(Exec(pragmas.c_str()));
  return CreateSchema();
}

Status SearchIndex::Impl::CreateSchema() {
  ALCOR_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status s = [&]() -> Status {
    Statement has_meta;
    ALCOR_RETURN_IF_ERROR(Prepare("SELECT 1 FROM sqlite_master WHERE name='meta'", &has_meta));
    int rc = sqlite3_step(has_meta.get());
    if (rc == SQLITE_ROW) {
      std::string format;
      ALCOR_RETURN_IF_ERROR(ReadMeta("format", &format));
      if (format != kIndexFormat)
        return Status::Corruption(path + ": not a search index of this alcor (format '" + format + "')");
      return Status::OK();
    }
    if (rc != SQLITE_DONE) return Error("cannot read the schema");
    ALCOR_RETURN_IF_ERROR(Exec(
        "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
        "CREATE TABLE shards(path TEXT PRIMARY KEY, sha256 TEXT NOT NULL);"
        "CREATE TABLE docs(rowid INTEGER PRIMARY KEY, shard TEXT NOT NULL, line INTEGER NOT NULL,"
        " id TEXT NOT NULL, url TEXT NOT NULL, source TEXT NOT NULL, source_kind TEXT NOT NULL, also_at TEXT NOT NULL,"
        " date TEXT NOT NULL, tags TEXT NOT NULL, karma REAL, af INTEGER NOT NULL, feed INTEGER NOT NULL);"
        "CREATE INDEX docs_location ON docs(shard, line);"
        "CREATE INDEX docs_id ON docs(id);"
        "CREATE INDEX docs_url ON docs(url) WHERE url != '';"
        "CREATE VIRTUAL TABLE fts USING fts5(title, text, tokenize='unicode61 remove_diacritics 2');"
        "INSERT INTO fts(fts, rank) VALUES('rank', 'bm25(4.0, 1.0)');"));
    return WriteMeta("format", kIndexFormat);
  }();
  if (!s.ok()) {
    Exec("ROLLBACK");
    return s;
  }
  return Exec("COMMIT");
}

Status SearchIndex::Impl::ReadMeta(const std::string& key, std::string* value) {
  Statement stmt;
  ALCOR_RETURN_IF_ERROR(Prepare("SELECT value FROM meta WHERE key=?", &stmt));
  stmt.Bind(1, key);
  int rc = sqlite3_step(stmt.get());
  if (rc == SQLITE_ROW) *value = stmt.Text(0);
  else if (rc == SQLITE_DONE) value->clear();
  else return Error("cannot read meta");
  return Status::OK();
}

Status SearchIndex::Impl::WriteMeta(const std::string& key, const std::string& value) {
  Statement stmt;
  ALCOR_RETURN_IF_ERROR(Prepare("INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", &stmt));
  stmt.Bind(1, key);
  stmt.Bind(2, value);
  return Run(&stmt, "cannot write meta");
}

Status SearchIndex::Impl::Sync(SyncStats* stats) {
  ALCOR_RETURN_IF_ERROR(Exec("BEGIN IMMEDIATE"));
  Status s = SyncInTransaction(stats);
  if (!s.ok()) {
    Exec("ROLLBACK");
    return s;
  }
  return Exec("COMMIT");
}

Status SearchIndex::Impl::SyncInTransaction(SyncStats* stats) {
  std::map<std::string, std::string> indexed;  // path → sha256
  {
    Statement stmt;
    ALCOR_RETURN_IF_ERROR(Prepare("SELECT path, sha256 FROM shards", &stmt));
    int rc;
    while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW) indexed[stmt.Text(0)] = stmt.Text(1);
    if (rc != SQLITE_DONE) return Error("cannot read the indexed shards");
  }
  std::map<std::string, const ShardInfo*> listed;
  for (const ShardInfo& shard : manifest->shards) listed.emplace(shard.path, &shard);

  Statement delete_fts, delete_docs, delete_shard;
  ALCOR_RETURN_IF_ERROR(Prepare("DELETE FROM fts WHERE rowid IN (SELECT rowid FROM docs WHERE shard=?)", &delete_fts));
  ALCOR_RETURN_IF_ERROR(Prepare("DELETE FROM docs WHERE shard=?", &delete_docs));
  ALCOR_RETURN_IF_ERROR(Prepare("DELETE FROM shards WHERE path=?", &delete_shard));
  for (const auto& [path, sha] : indexed) {
    auto it = listed.find(path);
    if (it != listed.end() && it->second->sha256 == sha) continue;
    for (Statement* stmt : {&delete_fts, &delete_docs, &delete_shard}) {
      stmt->Bind(1, path);
      ALCOR_RETURN_IF_ERROR(Run(stmt, "cannot drop a shard"));
    }
    ++stats->shards_dropped;
  }

  // Lines superseded (older versions, removed records) since the index last looked.
  SupersededSet superseded;
  auto superseded_state = manifest->state.find(kSupersededState);
  const std::string superseded_file =
      superseded_state == manifest->state.end() ? "" : JoinPath(dir, superseded_state->second);
  ALCOR_RETURN_IF_ERROR(LoadSupersededFile(env, superseded_file, &superseded));
  std::string indexed_superseded;
  ALCOR_RETURN_IF_ERROR(ReadMeta("superseded", &indexed_superseded));
  if (indexed_superseded != superseded_file) {
    Statement lines, delete_row_fts, delete_row;
    ALCOR_RETURN_IF_ERROR(Prepare("SELECT rowid, line FROM docs WHERE shard=?", &lines));
    ALCOR_RETURN_IF_ERROR(Prepare("DELETE FROM fts WHERE rowid=?", &delete_row_fts));
    ALCOR_RETURN_IF_ERROR(Prepare("DELETE FROM docs WHERE rowid=?", &delete_row));
    for (const std::string& shard : superseded.Shards()) {
      std::vector<int64_t> rows;
      lines.Bind(1, shard);
      int rc;
      while ((rc = sqlite3_step(lines.get())) == SQLITE_ROW)
        if (superseded.Contains(shard, static_cast<uint64_t>(lines.Int(1)))) rows.push_back(lines.Int(0));
      lines.Reset();
      if (rc != SQLITE_DONE) return Error("cannot read indexed lines");
      for (int64_t row : rows) {
        for (Statement* stmt : {&delete_row_fts, &delete_row}) {
          stmt->Bind(1, row);
          ALCOR_RETURN_IF_ERROR(Run(stmt, "cannot delete a superseded line"));
        }
        ++stats->lines_deleted;
      }
    }
  }

  Statement insert_doc, insert_fts, insert_shard;
  ALCOR_RETURN_IF_ERROR(Prepare(
      "INSERT INTO docs(shard, line, id, source, source_kind, also_at, date, tags, karma, af, feed, url)"
      " VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
      &insert_doc));
  ALCOR_RETURN_IF_ERROR(Prepare("INSERT INTO fts(rowid, title, text) VALUES(?,?,?)", &insert_fts));
  ALCOR_RETURN_IF_ERROR(Prepare("INSERT INTO shards(path, sha256) VALUES(?,?)", &insert_shard));
  for (const ShardInfo& shard : manifest->shards) {
    auto it = indexed.find(shard.path);
    if (it != indexed.end() && it->second == shard.sha256) continue;
    ALCOR_RETURN_IF_ERROR(Exec("SAVEPOINT shard"));
    uint64_t added = 0;
    Status failed;
    Status read = ReadListedShard(
        env, dir, shard, ReadShardOptions(), [&](std::string_view line, const RecordLocation& where) {
          if (superseded.Contains(where)) return true;
          RecordFacts facts;
          RecordText fields;
          if (!ReadRecordFacts(line, &facts).ok() || !ReadRecordText(line, &fields).ok())
            return true;  // not reachable: the reading path checked every line
          const std::string_view title = fields.title, text = fields.text;
          insert_doc.Bind(1, shard.path);
          insert_doc.Bind(2, static_cast<int64_t>(where.line));
          insert_doc.Bind(3, facts.id);
          insert_doc.Bind(4, facts.source);
          insert_doc.Bind(5, facts.source_kind);
          insert_doc.Bind(6, JoinList(facts.also_at_sources));
          insert_doc.Bind(7, facts.date_published);
          insert_doc.Bind(8, JoinList(facts.tags));
          if (facts.karma) sqlite3_bind_double(insert_doc.get(), 9, *facts.karma);
          insert_doc.Bind(10, int64_t{facts.af});
          insert_doc.Bind(11, int64_t{facts.feed_entry});
          insert_doc.Bind(12, facts.url);
          if (failed = Run(&insert_doc, "cannot index a record"); !failed.ok()) return false;
          insert_fts.Bind(1, sqlite3_last_insert_rowid(db));
          insert_fts.Bind(2, title);
          insert_fts.Bind(3, text);
          if (failed = Run(&insert_fts, "cannot index a record"); !failed.ok()) return false;
          ++added;
          return true;
        });
    if (!failed.ok()) return failed;
    if (!read.ok()) {
      // A damaged shard is left out (readers report it); the next sync tries again. A shard a
      // newer commit removed while a follower read it is not worth a warning.
      if (!quiet_shard_failures || !quiet_shard_failures())
        spdlog::warn("search index: {} is not indexed: {}", shard.path, read.ToString());
      ++stats->shards_skipped;
      ALCOR_RETURN_IF_ERROR(Exec("ROLLBACK TO shard; RELEASE shard"));
      continue;
    }
    insert_shard.Bind(1, shard.path);
    insert_shard.Bind(2, shard.sha256);
    ALCOR_RETURN_IF_ERROR(Run(&insert_shard, "cannot record an indexed shard"));
    ALCOR_RETURN_IF_ERROR(Exec("RELEASE shard"));
    ++stats->shards_added;
    stats->documents_added += added;
  }
  ALCOR_RETURN_IF_ERROR(WriteMeta("superseded", superseded_file));
  return WriteMeta("generation", std::to_string(manifest->generation));
}

namespace {

// Opens and syncs; a damaged index (or one of another format) is deleted and built again.
Status OpenAndSync(SearchIndex::Impl* impl, bool rebuild, SyncStats* stats) {
  Env* env = impl->env;
  auto remove_files = [&]() {
    impl->Close();
    for (const char* suffix : {"", "-journal", "-wal", "-shm"})
      if (env->FileExists(impl->path + suffix)) env->RemoveFile(impl->path + suffix);
  };
  if (rebuild) remove_files();
  stats->rebuilt = rebuild || !env->FileExists(impl->path);
  Status s = impl->OpenFile();
  if (s.ok()) s = impl->Sync(stats);
  if (s.IsCorruption()) {
    spdlog::warn("search index damaged ({}); rebuilding it from the shards", s.ToString());
    remove_files();
    *stats = SyncStats();
    stats->rebuilt = true;
    s = impl->OpenFile();
    if (s.ok()) s = impl->Sync(stats);
  }
  return s;
}

}  // namespace

SearchIndex::SearchIndex(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SearchIndex::~SearchIndex() = default;

Status SearchIndex::Open(const Store& store, bool rebuild, std::unique_ptr<SearchIndex>* out, SyncStats* stats) {
  auto impl = std::make_unique<Impl>();
  impl->env = store.env();
  impl->dir = store.dir();
  impl->manifest = &store.manifest();
  impl->path = store.PathOf(kSearchIndexPath);
  SyncStats local;
  ALCOR_RETURN_IF_ERROR(OpenAndSync(impl.get(), rebuild, stats ? stats : &local));
  out->reset(new SearchIndex(std::move(impl)));
  return Status::OK();
}

Status SyncSearchIndex(const Store& store, SyncStats* stats) {
  SearchIndex::Impl impl;
  impl.cache_kib = kWriterCacheKiB;
  impl.env = store.env();
  impl.dir = store.dir();
  impl.manifest = &store.manifest();
  impl.path = store.PathOf(kSearchIndexPath);
  SyncStats local;
  return OpenAndSync(&impl, false, stats ? stats : &local);
}

namespace {

Status QueryError(sqlite3* db, const std::string& query) {
  std::string message = sqlite3_errmsg(db);
  int code = sqlite3_extended_errcode(db);
  if (IsDamage(code)) return Status::Corruption("search index: " + message);
  return Status::InvalidArgument("query '" + query + "': " + message +
                                 " (words, \"a phrase\", prefix*, AND, OR, NOT; quote words with punctuation)");
}

}  // namespace

namespace {

// The facts a selection reads, and where the record is, from the docs row of rowid (false when
// there is none).
bool ReadFacts(Statement* facts_stmt, int64_t rowid, RecordFacts* f, RecordLocation* where = nullptr) {
  facts_stmt->Bind(1, rowid);
  const bool found = sqlite3_step(facts_stmt->get()) == SQLITE_ROW;
  if (found) {
    f->id = facts_stmt->Text(0);
    f->source = facts_stmt->Text(1);
    f->source_kind = facts_stmt->Text(2);
    f->also_at_sources = SplitList(facts_stmt->Text(3));
    f->date_published = facts_stmt->Text(4);
    f->tags = SplitList(facts_stmt->Text(5));
    if (!facts_stmt->IsNull(6)) f->karma = facts_stmt->Double(6);
    f->af = facts_stmt->Int(7) != 0;
    f->feed_entry = facts_stmt->Int(8) != 0;
    if (where) *where = RecordLocation{facts_stmt->Text(9), static_cast<uint64_t>(facts_stmt->Int(10))};
  }
  facts_stmt->Reset();
  return found;
}

// alcor_selected(rowid), an SQL function for the ranked query: 1 when the selection passes the
// record. Filtering in SQL keeps the snippets (computed per returned row) to the rows returned.
struct SelectionFilter {
  const Selection* selection;
  Statement* facts;
};

void SelectedFunction(sqlite3_context* ctx, int, sqlite3_value** argv) {
  auto* filter = static_cast<SelectionFilter*>(sqlite3_user_data(ctx));
  RecordFacts f;
  const bool passes = ReadFacts(filter->facts, sqlite3_value_int64(argv[0]), &f) && filter->selection->Matches(f);
  sqlite3_result_int(ctx, passes ? 1 : 0);
}

}  // namespace

Status SearchIndex::Search(const std::string& query, const Selection& selection, size_t limit,
                           std::vector<SearchHit>* hits, SearchStats* stats) {
  hits->clear();
  Impl& m = *impl_;
  SearchStats local;
  if (!stats) stats = &local;
  *stats = SearchStats();
  Statement facts_stmt, filter_facts;
  const char* kFacts =
      "SELECT id, source, source_kind, also_at, date, tags, karma, af, feed, shard, line FROM docs WHERE rowid=?";
  ALCOR_RETURN_IF_ERROR(m.Prepare(kFacts, &facts_stmt));
  // Ranking scores every match, at a few microseconds each. So a query matching more than a
  // window of records is ranked window by window, newest rowids (the most recently indexed
  // records) first, until the limit is filled. Each statement costs a prefix the merge of the
  // posting lists of every word it covers, so there are two per window: where the window starts
  // (none when the rest fits in it) and the ranking.
  const bool all = selection.SelectsAll();
  SelectionFilter filter{&selection, &filter_facts};
  if (!all) {
    ALCOR_RETURN_IF_ERROR(m.Prepare(kFacts, &filter_facts));
    if (sqlite3_create_function_v2(m.db, "alcor_selected", 1, SQLITE_UTF8, &filter, SelectedFunction, nullptr,
                                   nullptr, nullptr) != SQLITE_OK)
      return m.Error("cannot register the selection filter");
  }
  struct Unregister {
    sqlite3* db;
    bool active;
    ~Unregister() {
      if (active) sqlite3_create_function_v2(db, "alcor_selected", 1, SQLITE_UTF8, nullptr, nullptr, nullptr, nullptr, nullptr);
    }
  } unregister{m.db, !all};

  Statement window_start, ranked;
  ALCOR_RETURN_IF_ERROR(m.Prepare(
      "SELECT rowid FROM fts WHERE fts MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT 1 OFFSET ?", &window_start));
  // FTS5 sorts by rank itself, so the title and snippet are made only for the rows returned.
  ALCOR_RETURN_IF_ERROR(m.Prepare(all ? "SELECT rowid, rank, title, snippet(fts, 1, '**', '**', '...', 24) FROM fts"
                                        " WHERE fts MATCH ? AND rowid >= ? AND rowid < ? ORDER BY rank LIMIT ?"
                                      : "SELECT rowid, rank, title, snippet(fts, 1, '**', '**', '...', 24) FROM fts"
                                        " WHERE fts MATCH ? AND rowid >= ? AND rowid < ? AND alcor_selected(rowid)"
                                        " ORDER BY rank LIMIT ?",
                                  &ranked));
  // A prefix merges the posting lists of every word it covers for each match it scores, about four
  // times the work of a word: its windows are a fifth as long.
  const uint64_t window =
      query.find('*') != std::string::npos ? std::max<uint64_t>(1, ranked_window_ / 5) : ranked_window_;
  stats->window = window;
  int64_t high = std::numeric_limits<int64_t>::max();  // exclusive
  while (hits->size() < limit) {
    int64_t low = std::numeric_limits<int64_t>::min();  // inclusive
    window_start.Bind(1, query);
    window_start.Bind(2, high);
    window_start.Bind(3, static_cast<int64_t>(window - 1));
    int start_rc = sqlite3_step(window_start.get());
    if (start_rc == SQLITE_ROW) low = window_start.Int(0);
    window_start.Reset();
    if (start_rc != SQLITE_ROW && start_rc != SQLITE_DONE) return QueryError(m.db, query);
    if (start_rc == SQLITE_ROW) ++stats->full_windows;
    ranked.Bind(1, query);
    ranked.Bind(2, low);
    ranked.Bind(3, high);
    ranked.Bind(4, static_cast<int64_t>(limit - hits->size()));
    int rc;
    while ((rc = sqlite3_step(ranked.get())) == SQLITE_ROW) {
      SearchHit hit;
      hit.score = -ranked.Double(1);
      hit.title = ranked.Text(2);
      hit.snippet = CollapseWhitespace(ranked.Text(3));
      RecordFacts f;
      if (!ReadFacts(&facts_stmt, ranked.Int(0), &f, &hit.where)) continue;
      hit.id = std::move(f.id);
      hit.source = std::move(f.source);
      hit.date = std::move(f.date_published);
      hits->push_back(std::move(hit));
    }
    ranked.Reset();
    if (rc != SQLITE_DONE) return QueryError(m.db, query);
    if (low == std::numeric_limits<int64_t>::min()) break;
    high = low;
  }
  return Status::OK();
}

Status SearchIndex::MatchingLocations(const std::string& query, std::set<RecordLocation>* where) {
  where->clear();
  Impl& m = *impl_;
  Statement stmt;
  ALCOR_RETURN_IF_ERROR(
      m.Prepare("SELECT d.shard, d.line FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ?", &stmt));
  stmt.Bind(1, query);
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW)
    where->insert(RecordLocation{stmt.Text(0), static_cast<uint64_t>(stmt.Int(1))});
  if (rc != SQLITE_DONE) return QueryError(m.db, query);
  return Status::OK();
}

Status SearchIndex::Locate(const std::string& id_or_url, std::vector<RecordLocation>* where) {
  where->clear();
  Impl& m = *impl_;
  Statement stmt;
  ALCOR_RETURN_IF_ERROR(m.Prepare("SELECT shard, line FROM docs WHERE id=?1 UNION SELECT shard, line FROM docs "
                                  "WHERE url=?1 AND url != ''",
                                  &stmt));
  stmt.Bind(1, id_or_url);
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW)
    where->push_back(RecordLocation{stmt.Text(0), static_cast<uint64_t>(stmt.Int(1))});
  if (rc != SQLITE_DONE) return m.Error("cannot look up a record");
  return Status::OK();
}

Status SearchIndex::Sources(std::vector<std::string>* sources) {
  Impl& m = *impl_;
  std::set<std::string> names;
  Statement stmt;
  ALCOR_RETURN_IF_ERROR(m.Prepare("SELECT DISTINCT source FROM docs UNION SELECT DISTINCT also_at FROM docs", &stmt));
  int rc;
  while ((rc = sqlite3_step(stmt.get())) == SQLITE_ROW)
    for (std::string& s : SplitList(stmt.Text(0))) names.insert(std::move(s));
  if (rc != SQLITE_DONE) return m.Error("cannot list sources");
  sources->assign(names.begin(), names.end());
  return Status::OK();
}

uint64_t SearchIndex::documents() {
  Statement stmt;
  if (!impl_->Prepare("SELECT count(*) FROM docs", &stmt).ok() || sqlite3_step(stmt.get()) != SQLITE_ROW) return 0;
  return static_cast<uint64_t>(stmt.Int(0));
}

}  // namespace alcor

namespace alcor {

struct SearchIndexFollower::State {
  State() { impl.cache_kib = kWriterCacheKiB; }
  SearchIndex::Impl impl;
  std::mutex mu;
  std::condition_variable changed;
  std::optional<Manifest> posted;  // the newest manifest not yet taken by the thread
  bool busy = false;               // the thread is syncing
  bool stopping = false;
  std::thread thread;

  void Loop() {
    std::unique_lock<std::mutex> lock(mu);
    while (true) {
      changed.wait(lock, [&] { return posted.has_value() || stopping; });
      if (!posted) return;  // stopping, and everything posted is indexed
      Manifest manifest = std::move(*posted);
      posted.reset();
      busy = true;
      lock.unlock();
      SyncTo(manifest);
      lock.lock();
      busy = false;
      changed.notify_all();
    }
  }

  // Syncs to manifest. A failure while a newer manifest waits is most likely a file that newer
  // commit replaced under the sync (a state file, a compacted shard): the newer sync redoes it.
  void SyncTo(const Manifest& manifest) {
    impl.manifest = &manifest;
    SyncStats stats;
    Status s = impl.db ? impl.Sync(&stats) : OpenAndSync(&impl, false, &stats);
    if (s.IsCorruption()) {
      stats = SyncStats();
      s = OpenAndSync(&impl, false, &stats);
    }
    impl.manifest = nullptr;
    if (!s.ok()) {
      impl.Close();  // reopened (and checked) by the next sync
      if (!NewerPosted())
        spdlog::warn("committed, but the search index is behind ({}); the next search brings it up to date",
                     s.ToString());
    }
  }

  bool NewerPosted() {
    std::lock_guard<std::mutex> lock(mu);
    return posted.has_value();
  }
};

SearchIndexFollower::SearchIndexFollower(Env* env, std::string dir) : state_(std::make_unique<State>()) {
  state_->impl.env = env;
  state_->impl.path = JoinPath(dir, kSearchIndexPath);
  state_->impl.dir = std::move(dir);
  state_->impl.quiet_shard_failures = [state = state_.get()] { return state->NewerPosted(); };
  state_->thread = std::thread([state = state_.get()] { state->Loop(); });
}

SearchIndexFollower::~SearchIndexFollower() {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->stopping = true;
  }
  state_->changed.notify_all();
  state_->thread.join();
}

void SearchIndexFollower::Post(const Manifest& manifest) {
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->posted = manifest;
  }
  state_->changed.notify_all();
}

void SearchIndexFollower::WaitUntilCurrent() {
  std::unique_lock<std::mutex> lock(state_->mu);
  state_->changed.wait(lock, [&] { return !state_->posted && !state_->busy; });
}

}  // namespace alcor
