// Bytes of unknown encoding → UTF-8: BOM, declared charset, <meta>, UTF-8 validity, uchardet, ICU.
#include <algorithm>
#include <cctype>
#include <memory>

#include <uchardet/uchardet.h>
#include <unicode/ucnv.h>
#include <unicode/unistr.h>

#include "alcor/normalize.hpp"
#include "text/unicode_util.hpp"

namespace alcor {
namespace {

std::string LowerTrim(std::string_view s) {
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.front())) || s.front() == '"' || s.front() == '\''))
    s.remove_prefix(1);
  while (!s.empty() && (std::isspace(static_cast<unsigned char>(s.back())) || s.back() == '"' || s.back() == '\''))
    s.remove_suffix(1);
  std::string r(s);
  for (char& c : r) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return r;
}

// WHATWG label rules where they differ from ICU's: the Latin-1 family and ASCII are read as
// windows-1252 (what browsers do, and what such pages really contain), GB2312/GBK as GB18030,
// EUC-KR as windows-949. "utf-16" in a <meta> cannot be right (the meta was readable as ASCII).
std::string CanonicalLabel(std::string_view label, bool from_meta) {
  std::string l = LowerTrim(label);
  if (l == "utf8" || l == "utf-8" || l == "unicode-1-1-utf-8" || l == "x-unicode20utf8") return "utf-8";
  if (l == "iso-8859-1" || l == "iso8859-1" || l == "latin1" || l == "l1" || l == "us-ascii" ||
      l == "ascii" || l == "ansi_x3.4-1968" || l == "cp1252" || l == "windows-1252" || l == "x-cp1252" ||
      l == "iso_8859-1" || l == "cp819" || l == "ibm819")
    return "windows-1252";
  if (l == "gb2312" || l == "gbk" || l == "x-gbk" || l == "cp936") return "gb18030";
  if (l == "euc-kr" || l == "ks_c_5601-1987" || l == "cp949") return "windows-949";
  if (from_meta && (l == "utf-16" || l == "utf-16le" || l == "utf-16be")) return "utf-8";
  return l;
}

// The charset a <meta charset=...> or <meta http-equiv=Content-Type content="...; charset=...">
// in the first 4 KiB names, or "".
std::string SniffMetaCharset(std::string_view bytes) {
  std::string head(bytes.substr(0, 4096));
  for (char& c : head) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  size_t pos = 0;
  while ((pos = head.find("<meta", pos)) != std::string::npos) {
    size_t end = head.find('>', pos);
    if (end == std::string::npos) break;
    std::string_view tag(head.data() + pos, end - pos);
    size_t cs = tag.find("charset");
    if (cs != std::string_view::npos) {
      size_t k = cs + 7;
      while (k < tag.size() && std::isspace(static_cast<unsigned char>(tag[k]))) ++k;
      if (k < tag.size() && tag[k] == '=') {
        ++k;
        while (k < tag.size() && (std::isspace(static_cast<unsigned char>(tag[k])) || tag[k] == '"' || tag[k] == '\''))
          ++k;
        size_t v = k;
        while (k < tag.size() && (std::isalnum(static_cast<unsigned char>(tag[k])) || tag[k] == '-' || tag[k] == '_' ||
                                  tag[k] == ':' || tag[k] == '.'))
          ++k;
        if (k > v) return std::string(tag.substr(v, k - v));
      }
    }
    pos = end;
  }
  return "";
}

std::string Detect(std::string_view bytes) {
  std::unique_ptr<std::remove_pointer_t<uchardet_t>, void (*)(uchardet_t)> ud(uchardet_new(), uchardet_delete);
  if (!ud) return "";
  // The first 64 KiB decide; detection time stays bounded on huge inputs.
  std::string_view sample = bytes.substr(0, 64 * 1024);
  if (uchardet_handle_data(ud.get(), sample.data(), sample.size()) != 0) return "";
  uchardet_data_end(ud.get());
  const char* cs = uchardet_get_charset(ud.get());
  return cs ? std::string(cs) : "";
}

// Converts with ICU; false when ICU does not know the charset.
bool ConvertWithIcu(std::string_view bytes, const std::string& charset, std::string* out) {
  UErrorCode err = U_ZERO_ERROR;
  UConverter* conv = ucnv_open(charset.c_str(), &err);
  if (U_FAILURE(err) || !conv) return false;
  ucnv_close(conv);
  icu::UnicodeString us(bytes.data(), static_cast<int32_t>(std::min<size_t>(bytes.size(), INT32_MAX)),
                        charset.c_str());
  out->clear();
  us.toUTF8String(*out);
  return true;
}

}  // namespace

DecodedText DecodeToUtf8(std::string_view bytes, std::string_view declared_charset, bool sniff_html_meta) {
  DecodedText r;
  // 1. A byte-order mark wins over every declaration (HTML's encoding sniffing does the same).
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") {
    r.charset = "utf-8";
    r.text = ReplaceInvalidUtf8(bytes.substr(3), &r.invalid_utf8_replaced);
    return r;
  }
  std::string charset;
  if (bytes.substr(0, 2) == "\xFF\xFE") {
    charset = "utf-16le";
    bytes.remove_prefix(2);
  } else if (bytes.substr(0, 2) == "\xFE\xFF") {
    charset = "utf-16be";
    bytes.remove_prefix(2);
  }
  // 2. The declaration, then 3. <meta>.
  if (charset.empty() && !declared_charset.empty()) charset = CanonicalLabel(declared_charset, false);
  if (charset.empty() && sniff_html_meta) {
    std::string meta = SniffMetaCharset(bytes);
    if (!meta.empty()) charset = CanonicalLabel(meta, true);
  }
  // A declared legacy charset on bytes that are valid non-ASCII UTF-8 is almost always a stale
  // declaration (CMS templates); UTF-8 is then the safer reading.
  // Seven-bit encodings (ISO-2022-*, UTF-7, HZ) are valid ASCII and so never overridden.
  bool valid_utf8 = text::IsValidUtf8(bytes);
  bool seven_bit = charset.find("2022") != std::string::npos || charset == "utf-7" || charset == "hz-gb-2312";
  bool utf16 = charset.rfind("utf-16", 0) == 0 || charset.rfind("utf-32", 0) == 0;
  if (charset.empty() || (charset != "utf-8" && valid_utf8 && !utf16 && !seven_bit)) {
    if (valid_utf8) {
      charset = "utf-8";
    } else if (charset.empty()) {
      // 4. Detection by uchardet, else windows-1252 (the web's most common legacy encoding).
      std::string detected = Detect(bytes);
      charset = detected.empty() ? "windows-1252" : CanonicalLabel(detected, false);
    }
  }
  if (charset == "utf-8") {
    r.charset = charset;
    r.text = ReplaceInvalidUtf8(bytes, &r.invalid_utf8_replaced);
    return r;
  }
  std::string converted;
  if (ConvertWithIcu(bytes, charset, &converted)) {
    r.charset = charset;
    r.text = ReplaceInvalidUtf8(converted, &r.invalid_utf8_replaced);
    return r;
  }
  // An unknown label: read as UTF-8 with replacement rather than fail.
  r.charset = "utf-8";
  r.text = ReplaceInvalidUtf8(bytes, &r.invalid_utf8_replaced);
  return r;
}

}  // namespace alcor
