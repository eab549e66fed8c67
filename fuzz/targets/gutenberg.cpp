// Project Gutenberg plain text: markers, header fields, body.
#include "alcor/book.hpp"
#include "fuzz_target.hpp"

ALCOR_FUZZ_TARGET(gutenberg) {
  alcor::GutenbergText g = alcor::ParseGutenbergText(input);
  (void)g;
  (void)alcor::FindIsbnInText(input);
}
