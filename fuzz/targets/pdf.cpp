// PDF text layers (poppler).
#include "alcor/pdf.hpp"
#include "fuzz_target.hpp"

ALCOR_FUZZ_TARGET(pdf) {
  alcor::Result<alcor::PdfText> text = alcor::ExtractPdfText(input);
  (void)text;
}
