// Main-content extraction of a whole page (reader mode), with its page metadata.
#include "alcor/normalize.hpp"
#include "fuzz_target.hpp"
#include "text/unicode_util.hpp"

ALCOR_FUZZ_TARGET(main_content) {
  alcor::NormalizeOptions options;
  options.base_url = "https://example.org/2024/01/post/";
  options.main_content = true;
  alcor::Result<alcor::NormalizeResult> r = alcor::NormalizeHtml(input, options);
  if (!r.ok()) return;
  alcor::fuzz::Check(alcor::text::IsValidUtf8(r->text), "main content is valid UTF-8");
  (void)r->MetadataJson().dump();
}
