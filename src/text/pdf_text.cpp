// PDF text extraction (alcor/pdf.hpp). The poppler-based implementation is built by the books
// issue (#9); until then every PDF is refused with NotSupported so callers report it clearly.
#include "alcor/pdf.hpp"

namespace alcor {

Result<PdfText> ExtractPdfText(std::string_view bytes, const PdfTextOptions& options) {
  return Status::NotSupported("PDF text extraction is not built yet");
}

}  // namespace alcor
