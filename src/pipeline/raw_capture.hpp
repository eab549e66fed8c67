// What the pipeline archives for a document (alcor/raw_archive.hpp): the WARC record of its
// capture, or of its body when the source attached none. Shared by the scrape and rebuild.
#pragma once

#include <cstdint>
#include <string>

#include "alcor/convert.hpp"
#include "alcor/warc.hpp"

namespace alcor {

// The capture of a document whose source attached none: its body as a resource record, named
// by its base URL, else record.url, else file://metadata.path, else its origin; the media type
// from content_type, else from its format, with the charset the source knew.
RawCapture BodyCaptureOf(const RawDocument& doc);

// The WARC record of a capture: a response when it is an HTTP answer, else a resource. Dated by
// capture.fetched_micros, else now_micros.
WarcRecord WarcRecordOfCapture(const RawCapture& capture, int64_t now_micros);

// The BodyFormat named by metadata.text_format (BodyFormatName); kDetect when unknown.
BodyFormat BodyFormatNamed(std::string_view name);

}  // namespace alcor
