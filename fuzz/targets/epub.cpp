// EPUB 2 and 3 archives: container, package document, manifest, spine, every chapter's HTML.
#include "alcor/book.hpp"
#include "fuzz_target.hpp"

ALCOR_FUZZ_TARGET(epub) {
  alcor::Result<alcor::EpubBook> book = alcor::ReadEpub(input);
  (void)book;
}
