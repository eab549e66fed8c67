// Documents of their own (books, files given by hand) read from files, folders and URLs: what
// the book and file kinds share. Each document is handed over as its bytes, in a RawDocument
// whose record.id is empty (conversion derives the id and the record, alcor/convert.hpp); every
// problem is reported through the SourceContext and the others go on.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "alcor/convert.hpp"
#include "alcor/http.hpp"
#include "alcor/source.hpp"
#include "alcor/status.hpp"

namespace alcor::sources {

struct OwnDocumentOptions {
  uint64_t max_file_bytes = uint64_t{256} << 20;  // a larger file fails instead of being read
  int max_folder_depth = 64;                      // deeper folders fail (a symbolic link loop)
  bool main_content = false;                      // local HTML: keep only the article body
};

// Receives one document read: key is "path:<path>" for a file, "url:<url asked for>" for a
// URL. The document has body, format, origin (the path or URL asked for), metadata.path (a file)
// or record.url (the canonical final URL) and charset set; the kind adds the rest. Returns what
// SourceContext::Emit returned.
using OwnDocumentFn = std::function<Status(const std::string& key, RawDocument doc)>;

// Reads path, a file or a folder. A folder is walked recursively, its children sorted by name,
// hidden entries (a leading '.') left out; in it, a file of no known type and a file that is not
// regular (a FIFO, socket or device: reading one could block forever) are reported skipped.
// A missing path, an unreadable or too large file, a path given itself that is of no known type
// and a folder nested deeper than max_folder_depth are reported failed. Returns Interrupted once
// the run is stopping or on_document returned Interrupted, else OK.
Status ReadOwnDocuments(SourceContext& ctx, const std::string& path, const OwnDocumentOptions& options,
                        const OwnDocumentFn& on_document);

// Fetches request.url (as configured: conditional GET, max_bytes) as a document of its own, its
// type from Content-Type, then the final URL's extension, then the bytes; HTML is read as a whole
// page (main-content extraction). A 304 is counted unchanged; a failed fetch, a URL robots.txt
// disallows and a document of no known type (whose validators are then forgotten, so it is
// fetched in full next time) are reported failed. Returns Interrupted once the run is stopping
// or on_document returned Interrupted, else OK.
Status FetchOwnDocument(SourceContext& ctx, HttpRequest request, const OwnDocumentFn& on_document);

}  // namespace alcor::sources
