// StaticSite: files served under a path prefix of a TestServer, as a plain web server serves
// them: Content-Type from the extension, ETag and Last-Modified on every answer, 304 to a
// matching If-None-Match or a not-older If-Modified-Since, 404 for what is not there, 403 for a
// path that tries to leave the folder ("..", encoded or not, a backslash, a NUL, a symlink out).
// The book source's tests and the offline mirror (prefix /books, and generic files) use it.
//
//   StaticSite site("examples/mirror/books");
//   site.SetFile("notes/late.md", "# Added in memory\n");  // wins over a file on disk
//   site.Install(&server, "/books");   // GET /books/raven.txt serves <dir>/raven.txt
//
// Files on disk are read at request time, so a test may change them between requests (their
// ETag follows the content, their Last-Modified the file's mtime). HEAD answers carry the
// headers only.
//
// Thread safety: SetFile / RemoveFile may be called while the server runs. The routes keep the
// site's data alive on their own: the StaticSite may be destroyed before the server.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "alcor_testing/test_server.hpp"

namespace alcor::testing {

struct StaticSiteState;  // static_site.cpp

class StaticSite {
 public:
  // Serves root_dir's files ("" serves in-memory files only).
  explicit StaticSite(std::string root_dir = "");
  ~StaticSite();

  // Adds or replaces an in-memory file at relative_path ("a/b.pdf"). content_type "" means by
  // extension; last_modified_unix 0 means now.
  void SetFile(const std::string& relative_path, std::string content, std::string content_type = "",
               int64_t last_modified_unix = 0);
  // Removes an in-memory file (a file on disk at the same path shows again).
  void RemoveFile(const std::string& relative_path);

  // Installs the routes under prefix ("/books", no trailing slash) on server.
  void Install(TestServer* server, const std::string& prefix);

  // "application/pdf" for "x.pdf", "text/html; charset=utf-8" for "a.html", ...,
  // "application/octet-stream" when the extension is unknown.
  static std::string ContentTypeFor(std::string_view path);

 private:
  std::shared_ptr<StaticSiteState> state_;
};

}  // namespace alcor::testing
