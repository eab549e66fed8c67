// Redaction and concealment of secrets (alcor/secrets.hpp): excerpts are redacted before they are
// cut and a secret's prefix at the cut goes too; stored text names a secret by its ${NAME}.
#include "alcor/secrets.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "net/http_url.hpp"

namespace alcor {
namespace {

constexpr const char* kKey = "Qz7Lp2Vx9Kd4Wm8T";  // 16 characters

TEST(RedactedExcerptTest, RedactsBeforeCutting) {
  SecretRegistry::Global()->Add(kKey, "ALCOR_UNIT_EXCERPT_KEY");
  std::string text = std::string("key: ") + kKey + " and more";
  // Cut after the whole secret: it is redacted, not cut into.
  EXPECT_EQ(RedactedExcerpt(text, 1000), "key: [REDACTED] and more");
  // The secret straddles the cut: 10 of its characters would be left, they are redacted.
  std::string straddling = std::string(90, '-') + kKey;
  std::string cut = RedactedExcerpt(straddling, 100);
  EXPECT_EQ(cut, std::string(90, '-') + "[REDACTED]");
  EXPECT_EQ(cut.find("Qz7Lp2Vx"), std::string::npos);
}

TEST(RedactedExcerptTest, PrefixesShorterThanEightCharactersStay) {
  SecretRegistry::Global()->Add(kKey, "ALCOR_UNIT_EXCERPT_KEY");
  const std::string key = kKey;
  // A whole secret is redacted before the cut, whatever part of "[REDACTED]" the cut leaves.
  EXPECT_EQ(RedactedExcerpt(std::string(95, '-') + key, 100), std::string(95, '-') + "[REDA");
  // Text cut before it came here (a truncated answer): 5 characters of the secret stay, 8 go.
  EXPECT_EQ(RedactedExcerpt(std::string(95, '-') + key.substr(0, 5), 100), std::string(95, '-') + "Qz7Lp");
  EXPECT_EQ(RedactedExcerpt(std::string(92, '-') + key.substr(0, 8), 100), std::string(92, '-') + "[REDACTED]");
}

TEST(RedactedExcerptTest, ExtraSecretsAndUtf8Boundary) {
  EXPECT_EQ(RedactedExcerpt("hdr Zr4Tn8Yb2Qw6", 100, {"Zr4Tn8Yb2Qw6"}), "hdr [REDACTED]");
  EXPECT_EQ(RedactedExcerpt("hdr Zr4Tn8Yb2Qw6", 8, {"Zr4Tn8Yb2Qw6"}), "hdr [RED");  // cut after redaction
  // "é" is two bytes: a cut inside it backs up before it.
  EXPECT_EQ(RedactedExcerpt("ab\xC3\xA9", 3), "ab");
}

TEST(RedactCutPrefixTest, OnlyAtTheEnd) {
  EXPECT_EQ(RedactCutPrefix("x Mk3Jd8Wq5", {"Mk3Jd8Wq5Zp1"}), "x [REDACTED]");
  EXPECT_EQ(RedactCutPrefix("Mk3Jd8Wq5 x", {"Mk3Jd8Wq5Zp1"}), "Mk3Jd8Wq5 x");
  EXPECT_EQ(RedactCutPrefix("x Mk3Jd8W", {"Mk3Jd8Wq5Zp1"}), "x Mk3Jd8W");  // 7 characters
}

TEST(SecretRegistryTest, ConcealWritesTheReferenceAndRevealTurnsItBack) {
  SecretRegistry registry;
  registry.Add("Pk2Xs7Hq/9+w", "FEED_KEY");
  registry.Add("Nn5Rt8Lc3Vb1");  // no name
  EXPECT_EQ(registry.Conceal("https://h/feed?key=Pk2Xs7Hq/9+w"), "https://h/feed?key=${FEED_KEY}");
  // In a URL the key may be percent-encoded: that form is concealed as well.
  EXPECT_EQ(registry.Conceal("https://h/feed?key=Pk2Xs7Hq%2F9%2Bw"), "https://h/feed?key=${FEED_KEY}");
  EXPECT_EQ(registry.Redact("k=Pk2Xs7Hq%2F9%2Bw"), "k=[REDACTED]");
  EXPECT_EQ(registry.Conceal("t Nn5Rt8Lc3Vb1"), "t [REDACTED]");
  EXPECT_EQ(registry.Reveal("{\"u\":\"https://h/feed?key=${FEED_KEY}\",\"o\":\"${OTHER}\"}"),
            "{\"u\":\"https://h/feed?key=Pk2Xs7Hq/9+w\",\"o\":\"${OTHER}\"}");
  nlohmann::json j = {{"feed_url", "https://h/?key=Pk2Xs7Hq/9+w"}, {"list", {"Nn5Rt8Lc3Vb1", 3}},
                      {"Pk2Xs7Hq/9+w", true}};
  registry.ConcealJson(&j);
  EXPECT_EQ(j.dump(), R"({"${FEED_KEY}":true,"feed_url":"https://h/?key=${FEED_KEY}","list":["[REDACTED]",3]})");
}

TEST(LoopbackHostTest, LoopbackAndNot) {
  for (const char* host : {"localhost", "127.0.0.1", "127.1.2.3", "[::1]", "api.localhost"})
    EXPECT_TRUE(IsLoopbackHost(host)) << host;
  for (const char* host : {"example.org", "127.0.0.1.example.org", "10.0.0.1", "[::2]", "localhost.example"})
    EXPECT_FALSE(IsLoopbackHost(host)) << host;
}

}  // namespace
}  // namespace alcor
