// Charset detection and conversion: the first byte picks the declared charset (none, common,
// multi-byte, stateful, bogus), the rest is the document.
#include "alcor/normalize.hpp"
#include "fuzz_target.hpp"
#include "text/unicode_util.hpp"

ALCOR_FUZZ_TARGET(charset) {
  static const char* const kDeclared[] = {"",          "utf-8",     "windows-1252", "iso-8859-1", "shift_jis",
                                          "euc-jp",    "gb18030",   "big5",         "utf-16le",   "utf-16be",
                                          "iso-2022-jp", "koi8-r", "x-user-defined", "no-such-charset"};
  if (input.empty()) return;
  const char* declared = kDeclared[static_cast<unsigned char>(input[0]) % std::size(kDeclared)];
  bool sniff = (static_cast<unsigned char>(input[0]) & 0x80) != 0;
  alcor::DecodedText d = alcor::DecodeToUtf8(input.substr(1), declared, sniff);
  alcor::fuzz::Check(alcor::text::IsValidUtf8(d.text), "DecodeToUtf8 returns valid UTF-8");
  alcor::fuzz::Check(alcor::text::IsValidUtf8(alcor::CleanText(d.text)), "CleanText returns valid UTF-8");
}
