// StaticSite (static_site.hpp).
#include "alcor_testing/emulators/static_site.hpp"

#include <sys/stat.h>

#include <climits>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>

#include "alcor/dates.hpp"
#include "alcor/env.hpp"
#include "alcor/hash.hpp"
#include "alcor/strings.hpp"

namespace alcor::testing {

struct StaticSiteState {
  struct MemoryFile {
    std::string content;
    std::string content_type;
    int64_t last_modified = 0;
  };
  std::string root;
  std::mutex mu;
  std::map<std::string, MemoryFile> files;  // guarded by mu
};

namespace {

// A decoded relative path that stays inside the served folder.
bool IsSafeRelativePath(const std::string& path) {
  if (path.find('\0') != std::string::npos || path.find('\\') != std::string::npos) return false;
  if (!path.empty() && path[0] == '/') return false;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string::npos) end = path.size();
    if (path.compare(start, end - start, "..") == 0 && end - start == 2) return false;
    start = end + 1;
  }
  return true;
}

std::string HttpDate(int64_t unix_seconds) {
  time_t t = static_cast<time_t>(unix_seconds);
  struct tm tm;
  gmtime_r(&t, &tm);
  char buf[64];
  strftime(buf, sizeof(buf), "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

// The file's bytes and mtime when path (relative) is a regular file under root whose real path
// stays under root (no symlink out).
bool ReadDiskFile(const std::string& root, const std::string& relative, std::string* content, int64_t* mtime) {
  if (root.empty()) return false;
  std::string full = JoinPath(root, relative);
  char real_root[PATH_MAX], real_file[PATH_MAX];
  if (realpath(root.c_str(), real_root) == nullptr || realpath(full.c_str(), real_file) == nullptr) return false;
  std::string r(real_root), f(real_file);
  if (f.compare(0, r.size(), r) != 0 || (f.size() > r.size() && f[r.size()] != '/')) return false;
  struct stat st;
  if (stat(real_file, &st) != 0 || !S_ISREG(st.st_mode)) return false;
  if (!ReadFileToString(Env::Default(), f, content).ok()) return false;
  *mtime = static_cast<int64_t>(st.st_mtime);
  return true;
}

bool EtagMatches(const std::string& header, const std::string& etag) {
  if (header.find('*') != std::string::npos) return true;
  size_t pos = 0;
  while (pos < header.size()) {
    size_t comma = header.find(',', pos);
    std::string one = header.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    size_t b = one.find_first_not_of(" \t"), e = one.find_last_not_of(" \t");
    if (b != std::string::npos) {
      one = one.substr(b, e - b + 1);
      if (one.rfind("W/", 0) == 0) one = one.substr(2);
      if (one == etag) return true;
    }
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return false;
}

Reply Serve(const std::shared_ptr<StaticSiteState>& state, const std::string& prefix, const ServerRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return std::move(Reply::Status(405, "method not allowed\n").WithHeader("Allow", "GET, HEAD"));
  }
  std::string rest = request.path.size() > prefix.size() ? request.path.substr(prefix.size()) : "";
  while (!rest.empty() && rest[0] == '/') rest.erase(0, 1);
  std::string relative = PercentDecode(rest);
  if (!IsSafeRelativePath(relative)) return Reply::Status(403, "forbidden: the path leaves the site\n");
  if (relative.empty() || relative.back() == '/') relative += "index.html";

  std::string content, content_type;
  int64_t mtime = 0;
  bool found = false;
  {
    std::lock_guard<std::mutex> lock(state->mu);
    auto it = state->files.find(relative);
    if (it != state->files.end()) {
      content = it->second.content;
      content_type = it->second.content_type;
      mtime = it->second.last_modified;
      found = true;
    }
  }
  if (!found) found = ReadDiskFile(state->root, relative, &content, &mtime);
  if (!found) return Reply::Status(404, "not found\n");
  if (content_type.empty()) content_type = StaticSite::ContentTypeFor(relative);

  std::string etag = "\"" + Sha256Hex(content).substr(0, 20) + "\"";
  std::string last_modified = HttpDate(mtime);
  bool not_modified = false;
  if (const std::string* inm = request.Header("if-none-match")) {
    not_modified = EtagMatches(*inm, etag);
  } else if (const std::string* ims = request.Header("if-modified-since")) {
    std::optional<int64_t> since = ParseRfc822(*ims);
    not_modified = since && mtime <= *since;
  }
  Reply reply;
  if (not_modified) {
    reply.status = 304;
  } else {
    reply.status = 200;
    reply.body = request.method == "HEAD" ? "" : std::move(content);
    reply.headers.emplace_back("Content-Type", content_type);
  }
  reply.headers.emplace_back("ETag", etag);
  reply.headers.emplace_back("Last-Modified", last_modified);
  return reply;
}

}  // namespace

StaticSite::StaticSite(std::string root_dir) : state_(std::make_shared<StaticSiteState>()) {
  state_->root = std::move(root_dir);
}

StaticSite::~StaticSite() = default;

void StaticSite::SetFile(const std::string& relative_path, std::string content, std::string content_type,
                         int64_t last_modified_unix) {
  std::lock_guard<std::mutex> lock(state_->mu);
  auto& f = state_->files[relative_path];
  f.content = std::move(content);
  f.content_type = std::move(content_type);
  f.last_modified = last_modified_unix != 0 ? last_modified_unix : static_cast<int64_t>(std::time(nullptr));
}

void StaticSite::RemoveFile(const std::string& relative_path) {
  std::lock_guard<std::mutex> lock(state_->mu);
  state_->files.erase(relative_path);
}

void StaticSite::Install(TestServer* server, const std::string& prefix) {
  std::shared_ptr<StaticSiteState> state = state_;
  auto handler = [state, prefix](const ServerRequest& request) { return Serve(state, prefix, request); };
  server->RoutePrefix(prefix + "/", handler);
  server->RouteHandler(prefix, handler);
}

std::string StaticSite::ContentTypeFor(std::string_view path) {
  size_t dot = path.rfind('.');
  size_t slash = path.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  std::string ext(path.substr(dot + 1));
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  static const std::map<std::string, std::string> kTypes = {
      {"html", "text/html; charset=utf-8"},
      {"htm", "text/html; charset=utf-8"},
      {"xhtml", "application/xhtml+xml"},
      {"txt", "text/plain; charset=utf-8"},
      {"md", "text/markdown; charset=utf-8"},
      {"markdown", "text/markdown; charset=utf-8"},
      {"pdf", "application/pdf"},
      {"epub", "application/epub+zip"},
      {"json", "application/json"},
      {"xml", "application/xml"},
      {"css", "text/css"},
      {"js", "text/javascript"},
      {"png", "image/png"},
      {"jpg", "image/jpeg"},
      {"jpeg", "image/jpeg"},
      {"gif", "image/gif"},
      {"svg", "image/svg+xml"},
      {"gz", "application/gzip"},
      {"zip", "application/zip"},
  };
  auto it = kTypes.find(ext);
  return it == kTypes.end() ? "application/octet-stream" : it->second;
}

}  // namespace alcor::testing
