// EPUB 2 and 3 (alcor/book.hpp): the zip through libarchive, the container and package
// documents through pugixml, the spine's XHTML through the normalizer.
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include <pugixml.hpp>

#include "alcor/book.hpp"
#include "alcor/dates.hpp"
#include "alcor/normalize.hpp"
#include "alcor/strings.hpp"

namespace alcor {

namespace {

// ---- the archive -----------------------------------------------------------------------------

// What has been inflated so far, across the passes over one archive.
struct InflateBudget {
  uint64_t archive_bytes = 0;
  uint64_t inflated = 0;
};

// An entry name that would land outside a folder the archive was extracted into: absolute,
// a drive letter, or a ".." component (with either slash).
bool IsUnsafeEntryName(std::string_view name) {
  if (name.empty()) return false;
  if (name[0] == '/' || name[0] == '\\') return true;
  if (name.size() >= 2 && name[1] == ':' && std::isalpha(static_cast<unsigned char>(name[0]))) return true;
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find_first_of("/\\", start);
    if (end == std::string_view::npos) end = name.size();
    if (name.substr(start, end - start) == "..") return true;
    start = end + 1;
  }
  return false;
}

struct ArchiveDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};

std::string ArchiveError(struct archive* a) {
  const char* e = archive_error_string(a);
  return e != nullptr ? e : "unknown error";
}

// One pass over the zip's entries: every regular file's name goes to *names (checked for
// traversal), and the contents of those `want` accepts to *files, within the caps.
template <typename Want>
Status ReadArchivePass(std::string_view bytes, const EpubOptions& options, const Want& want, InflateBudget* budget,
                       std::vector<std::string>* names, std::map<std::string, std::string>* files) {
  std::unique_ptr<struct archive, ArchiveDeleter> a(archive_read_new());
  archive_read_support_format_zip_seekable(a.get());
  if (archive_read_open_memory(a.get(), bytes.data(), bytes.size()) != ARCHIVE_OK) {
    return Status::Corruption("broken zip archive (truncated, or not a zip): " + ArchiveError(a.get()));
  }
  names->clear();
  size_t entries = 0;
  while (true) {
    struct archive_entry* entry = nullptr;
    int rc = archive_read_next_header(a.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc == ARCHIVE_FATAL || rc == ARCHIVE_RETRY || entry == nullptr) {
      return Status::Corruption("broken zip archive: " + ArchiveError(a.get()));
    }
    if (++entries > options.max_entries) {
      return Status::LimitExceeded("the archive has more than " + std::to_string(options.max_entries) + " entries");
    }
    const char* raw_name = archive_entry_pathname_utf8(entry);
    if (raw_name == nullptr) raw_name = archive_entry_pathname(entry);
    std::string name = raw_name != nullptr ? raw_name : "";
    if (IsUnsafeEntryName(name)) {
      return Status::InvalidArgument("unsafe entry path '" + name + "' (it leaves the archive)");
    }
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    names->push_back(name);
    if (!want(name)) continue;
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) > 0 &&
        static_cast<uint64_t>(archive_entry_size(entry)) > options.max_entry_bytes) {
      return Status::LimitExceeded("entry '" + name + "' of " + std::to_string(archive_entry_size(entry)) +
                                   " bytes is above the cap of " + std::to_string(options.max_entry_bytes));
    }
    std::string data;
    char buf[1 << 16];
    while (true) {
      la_ssize_t n = archive_read_data(a.get(), buf, sizeof(buf));
      if (n == 0) break;
      if (n < 0) return Status::Corruption("broken zip archive: entry '" + name + "': " + ArchiveError(a.get()));
      data.append(buf, static_cast<size_t>(n));
      budget->inflated += static_cast<uint64_t>(n);
      // The declared size may lie: the caps are checked on what actually comes out.
      if (data.size() > options.max_entry_bytes) {
        return Status::LimitExceeded("entry '" + name + "' inflates to more than the cap of " +
                                     std::to_string(options.max_entry_bytes) + " bytes");
      }
      if (budget->inflated > options.max_total_bytes) {
        return Status::LimitExceeded("the archive inflates to more than the cap of " +
                                     std::to_string(options.max_total_bytes) + " bytes");
      }
      if (budget->inflated > options.min_bytes_for_ratio_check &&
          static_cast<double>(budget->inflated) > options.max_compression_ratio * static_cast<double>(budget->archive_bytes)) {
        return Status::LimitExceeded("compression ratio above " +
                                     std::to_string(static_cast<int>(options.max_compression_ratio)) +
                                     ":1 (entry '" + name + "'): refusing a likely zip bomb");
      }
    }
    (*files)[name] = std::move(data);
  }
  return Status::OK();
}

// ---- paths inside the book -------------------------------------------------------------------

// Resolves href (relative to the folder base_dir, "" for the root) to an entry name; fails when
// it climbs above the archive's root or is absolute.
Result<std::string> ResolveHref(const std::string& base_dir, std::string_view href) {
  size_t cut = href.find_first_of("#?");
  std::string path = PercentDecode(href.substr(0, cut));
  if (path.find("://") != std::string::npos || (!path.empty() && path[0] == '/')) {
    return Status::InvalidArgument("href '" + std::string(href) + "' leaves the archive");
  }
  std::vector<std::string> parts;
  std::string joined = base_dir.empty() ? path : base_dir + "/" + path;
  size_t start = 0;
  while (start <= joined.size()) {
    size_t end = joined.find('/', start);
    if (end == std::string::npos) end = joined.size();
    std::string part = joined.substr(start, end - start);
    if (part == "..") {
      if (parts.empty()) return Status::InvalidArgument("href '" + std::string(href) + "' leaves the archive");
      parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    start = end + 1;
  }
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : "/") + p;
  return out;
}

std::string DirOf(const std::string& entry) {
  size_t slash = entry.rfind('/');
  return slash == std::string::npos ? "" : entry.substr(0, slash);
}

// Exact entry name, else a case-insensitive match (books written on case-insensitive systems).
std::string FindEntry(const std::vector<std::string>& names, const std::string& wanted) {
  for (const std::string& n : names)
    if (n == wanted) return n;
  std::string lw = AsciiLower(wanted);
  for (const std::string& n : names)
    if (AsciiLower(n) == lw) return n;
  return "";
}

// ---- XML helpers -----------------------------------------------------------------------------

std::string_view LocalName(const char* name) {
  std::string_view n(name);
  size_t colon = n.find(':');
  return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

// The attribute with this local name (any prefix), or an empty attribute.
pugi::xml_attribute AttributeByLocalName(const pugi::xml_node& node, std::string_view local) {
  for (pugi::xml_attribute a : node.attributes())
    if (LocalName(a.name()) == local) return a;
  return {};
}

pugi::xml_node ChildByLocalName(const pugi::xml_node& node, std::string_view local) {
  for (pugi::xml_node c : node.children())
    if (c.type() == pugi::node_element && LocalName(c.name()) == local) return c;
  return {};
}

std::string Trimmed(std::string_view s) {
  size_t b = 0, e = s.size();
  while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
  // Inner runs of whitespace (XML line breaks inside a title) become one space.
  std::string out;
  for (size_t i = b; i < e; ++i) {
    if (std::isspace(static_cast<unsigned char>(s[i]))) {
      if (!out.empty() && out.back() != ' ') out += ' ';
    } else {
      out += s[i];
    }
  }
  return out;
}

std::string NodeText(const pugi::xml_node& node) { return Trimmed(node.text().get()); }

Result<pugi::xml_document*> ParseXml(const std::string& data, const std::string& what, pugi::xml_document* doc) {
  // parse_default expands only the predefined and numeric entities; there are no DTD entities in
  // pugixml, so an entity bomb cannot expand.
  pugi::xml_parse_result parsed = doc->load_buffer(data.data(), data.size(), pugi::parse_default);
  if (!parsed) {
    return Status::Corruption(what + " is not well-formed XML: " + parsed.description() + " at byte " +
                              std::to_string(parsed.offset));
  }
  return doc;
}

std::optional<std::string> BookDate(std::string_view text) {
  std::string t = Trimmed(text);
  // "1865" and "1865-11" are common in dc:date; they mean the start of that period.
  bool digits4 = t.size() >= 4 && std::all_of(t.begin(), t.begin() + 4, [](char c) { return std::isdigit(c); });
  if (digits4 && t.size() == 4) t += "-01-01";
  else if (digits4 && t.size() == 7 && t[4] == '-') t += "-01";
  return NormalizeDateToUtc(t);
}

bool LooksLikeUuid(std::string_view s) {
  if (s.size() != 36) return false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (s[i] != '-') return false;
    } else if (!std::isxdigit(static_cast<unsigned char>(s[i]))) {
      return false;
    }
  }
  return true;
}

struct Refinement {
  std::string role;
  std::string file_as;
  std::string title_type;
  std::string identifier_type;
};

void ReadMetadata(const pugi::xml_node& metadata, EpubBook* book) {
  // EPUB 3 <meta refines="#id" property="...">value</meta>, by the id they refine.
  std::map<std::string, Refinement> refines;
  for (pugi::xml_node meta : metadata.children()) {
    if (meta.type() != pugi::node_element || LocalName(meta.name()) != "meta") continue;
    std::string target = meta.attribute("refines").value();
    std::string property = meta.attribute("property").value();
    if (property == "dcterms:modified" && target.empty()) {
      if (!book->modified) book->modified = BookDate(NodeText(meta));
      continue;
    }
    if (target.empty() || target[0] != '#') continue;
    Refinement& r = refines[target.substr(1)];
    if (property == "role") r.role = NodeText(meta);
    if (property == "file-as") r.file_as = NodeText(meta);
    if (property == "title-type") r.title_type = NodeText(meta);
    if (property == "identifier-type") r.identifier_type = NodeText(meta);
  }
  auto refinement = [&](const pugi::xml_node& node) -> Refinement {
    auto it = refines.find(node.attribute("id").value());
    return it == refines.end() ? Refinement{} : it->second;
  };

  std::string first_title, main_title;
  for (pugi::xml_node node : metadata.children()) {
    if (node.type() != pugi::node_element) continue;
    std::string_view name = LocalName(node.name());
    std::string value = NodeText(node);
    if (name == "title") {
      if (first_title.empty()) first_title = value;
      if (main_title.empty() && refinement(node).title_type == "main") main_title = value;
    } else if (name == "creator" && !value.empty()) {
      Refinement r = refinement(node);
      EpubCreator c;
      c.name = value;
      // EPUB 2 states them as opf:role / opf:file-as attributes; EPUB 3 as refinements.
      c.role = AttributeByLocalName(node, "role") ? AttributeByLocalName(node, "role").value() : r.role;
      c.file_as = AttributeByLocalName(node, "file-as") ? AttributeByLocalName(node, "file-as").value() : r.file_as;
      book->creators.push_back(std::move(c));
    } else if (name == "language") {
      if (book->language.empty()) book->language = value;
    } else if (name == "identifier" && !value.empty()) {
      book->identifiers.push_back(value);
      std::string scheme = AsciiLower(AttributeByLocalName(node, "scheme").value());
      std::string type = refinement(node).identifier_type;
      std::string lower = AsciiLower(value);
      bool says_isbn = scheme == "isbn" || type == "15" || type == "02" || lower.rfind("urn:isbn:", 0) == 0 ||
                       lower.rfind("isbn:", 0) == 0;
      if (book->isbn.empty()) {
        std::optional<std::string> isbn = NormalizeIsbn(value);
        // A bare number is taken for an ISBN only when its check digit agrees.
        if (isbn && (says_isbn || lower.find_first_not_of("0123456789-x ") == std::string::npos)) book->isbn = *isbn;
      }
      std::string uuid = lower;
      if (uuid.rfind("urn:uuid:", 0) == 0) uuid = uuid.substr(9);
      if (uuid.rfind("uuid:", 0) == 0) uuid = uuid.substr(5);
      if (book->uuid.empty() && LooksLikeUuid(uuid)) book->uuid = uuid;
    } else if (name == "date") {
      std::string event = AsciiLower(AttributeByLocalName(node, "event").value());
      if (event == "modification") {
        if (!book->modified) book->modified = BookDate(value);
      } else if (!book->date || event == "publication") {
        if (auto d = BookDate(value)) book->date = d;
      }
    } else if (name == "publisher") {
      if (book->publisher.empty()) book->publisher = value;
    } else if (name == "description") {
      if (book->description.empty()) {
        // Descriptions are often escaped HTML.
        NormalizeOptions o;
        o.links = LinkStyle::kTextOnly;
        o.input_is_utf8 = true;
        Result<NormalizeResult> r = NormalizeHtml(node.text().get(), o);
        if (r.ok()) book->description = Trimmed(r->text);
      }
    } else if (name == "subject" && !value.empty()) {
      book->subjects.push_back(value);
    }
  }
  book->title = !main_title.empty() ? main_title : first_title;
  for (const EpubCreator& c : book->creators)
    if (c.role.empty() || c.role == "aut") book->authors.push_back(c.name);
  if (book->authors.empty())
    for (const EpubCreator& c : book->creators) book->authors.push_back(c.name);
}

bool IsXhtmlItem(const std::string& media_type, const std::string& href) {
  std::string mt = AsciiLower(media_type);
  if (mt == "application/xhtml+xml" || mt == "text/html" || mt == "text/x-oeb1-document") return true;
  if (!mt.empty()) return false;
  std::string h = AsciiLower(href);
  for (const char* ext : {".xhtml", ".html", ".htm"}) {
    size_t n = std::strlen(ext);
    if (h.size() >= n && h.compare(h.size() - n, n, ext) == 0) return true;
  }
  return false;
}

}  // namespace

Result<EpubBook> ReadEpub(std::string_view bytes, const EpubOptions& options) {
  InflateBudget budget;
  budget.archive_bytes = bytes.size();
  std::vector<std::string> names;
  std::map<std::string, std::string> files;

  // Pass 1: the container and package documents.
  ALCOR_RETURN_IF_ERROR(ReadArchivePass(
      bytes, options,
      [](const std::string& n) { return n == "META-INF/container.xml" || AsciiLower(n).ends_with(".opf"); }, &budget,
      &names, &files));

  std::string opf_path;
  if (auto it = files.find("META-INF/container.xml"); it != files.end()) {
    pugi::xml_document container;
    Result<pugi::xml_document*> parsed = ParseXml(it->second, "META-INF/container.xml", &container);
    if (!parsed.ok()) return parsed.status();
    pugi::xml_node rootfiles = ChildByLocalName(ChildByLocalName(container, "container"), "rootfiles");
    for (pugi::xml_node rf : rootfiles.children()) {
      if (rf.type() != pugi::node_element || LocalName(rf.name()) != "rootfile") continue;
      std::string media = rf.attribute("media-type").value();
      if (!media.empty() && media != "application/oebps-package+xml") continue;
      Result<std::string> resolved = ResolveHref("", rf.attribute("full-path").value());
      if (!resolved.ok()) return resolved.status().WithContext("META-INF/container.xml");
      opf_path = *resolved;
      break;
    }
    if (opf_path.empty()) return Status::Corruption("META-INF/container.xml names no package document (rootfile)");
  } else {
    std::vector<std::string> opfs;
    for (const auto& [name, data] : files)
      if (AsciiLower(name).ends_with(".opf")) opfs.push_back(name);
    if (opfs.size() != 1) {
      return Status::Corruption(names.empty() ? "not an EPUB: the archive is empty"
                                              : "not an EPUB: no META-INF/container.xml");
    }
    opf_path = opfs[0];
  }
  std::string opf_entry = FindEntry(names, opf_path);
  auto opf_it = files.find(opf_entry);
  if (opf_entry.empty() || opf_it == files.end()) {
    return Status::Corruption("the package document '" + opf_path + "' named by META-INF/container.xml is missing");
  }

  pugi::xml_document opf;
  Result<pugi::xml_document*> parsed = ParseXml(opf_it->second, opf_entry, &opf);
  if (!parsed.ok()) return parsed.status();
  pugi::xml_node package = ChildByLocalName(opf, "package");
  if (!package) return Status::Corruption(opf_entry + " has no <package> element");

  EpubBook book;
  book.version = std::atoi(package.attribute("version").value()) >= 3 ? 3 : 2;
  ReadMetadata(ChildByLocalName(package, "metadata"), &book);

  // Manifest: id → (entry, media type).
  std::string opf_dir = DirOf(opf_entry);
  std::map<std::string, std::pair<std::string, std::string>> manifest;
  for (pugi::xml_node item : ChildByLocalName(package, "manifest").children()) {
    if (item.type() != pugi::node_element || LocalName(item.name()) != "item") continue;
    Result<std::string> entry = ResolveHref(opf_dir, item.attribute("href").value());
    if (!entry.ok()) return entry.status().WithContext(opf_entry);
    manifest[item.attribute("id").value()] = {*entry, item.attribute("media-type").value()};
  }

  // Spine: the reading order. A document the spine lists again is read once, at its first place:
  // a spine naming one chapter 200,000 times made it converted 200,000 times (minutes, gigabytes).
  std::vector<std::string> chapters;
  std::set<std::string> listed;
  size_t itemrefs = 0;
  for (pugi::xml_node ref : ChildByLocalName(package, "spine").children()) {
    if (ref.type() != pugi::node_element || LocalName(ref.name()) != "itemref") continue;
    if (++itemrefs > options.max_spine_items) {
      return Status::LimitExceeded(opf_entry + ": the spine lists more than " + std::to_string(options.max_spine_items) +
                                   " items");
    }
    auto it = manifest.find(ref.attribute("idref").value());
    if (it == manifest.end()) continue;  // a dangling idref: nothing to read
    if (AsciiLower(ref.attribute("linear").value()) == "no" && !options.include_non_linear) {
      ++book.skipped_non_linear;
      continue;
    }
    if (!IsXhtmlItem(it->second.second, it->second.first)) continue;
    std::string entry = FindEntry(names, it->second.first);
    if (!entry.empty() && listed.insert(entry).second) chapters.push_back(entry);
  }
  if (chapters.empty()) return Status::InvalidArgument("the EPUB's spine names no readable XHTML document");

  // Pass 2: the chapters.
  files.clear();
  ALCOR_RETURN_IF_ERROR(ReadArchivePass(
      bytes, options, [&](const std::string& n) { return listed.count(n) > 0; }, &budget, &names, &files));

  NormalizeOptions normalize;
  normalize.main_content = false;
  normalize.links = LinkStyle::kTextOnly;
  for (const std::string& entry : chapters) {
    auto it = files.find(entry);
    if (it == files.end()) continue;
    Result<NormalizeResult> chapter = NormalizeHtml(it->second, normalize);
    if (!chapter.ok()) return chapter.status().WithContext(entry);
    std::string text = std::move(chapter->text);
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
    ++book.chapters;
    if (text.empty()) continue;
    if (!book.text.empty()) book.text += "\n\n";
    book.text += text;
  }
  if (book.text.empty()) return Status::InvalidArgument("the EPUB has no text in its spine");
  book.text += '\n';
  return book;
}

}  // namespace alcor
