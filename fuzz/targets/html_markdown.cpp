// HTML to Markdown (the normalizer without main-content extraction): any bytes, any charset.
#include "alcor/normalize.hpp"
#include "fuzz_target.hpp"
#include "text/unicode_util.hpp"

ALCOR_FUZZ_TARGET(html_markdown) {
  alcor::NormalizeOptions options;
  options.base_url = "https://example.org/dir/page.html";
  alcor::Result<alcor::NormalizeResult> r = alcor::NormalizeHtml(input, options);
  if (r.ok()) alcor::fuzz::Check(alcor::text::IsValidUtf8(r->text), "NormalizeHtml writes valid UTF-8");
}
