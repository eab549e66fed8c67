// s3://BUCKET/PREFIX addresses, and where the S3 settings and credentials come from (alcor/s3.hpp).
#include <gtest/gtest.h>

#include <cstdlib>

#include "alcor/hash.hpp"
#include "alcor/s3.hpp"
#include "alcor/secrets.hpp"
#include "alcor_testing/test_server.hpp"

namespace alcor {
namespace {

TEST(S3Url, ParsesBucketAndPrefix) {
  Result<S3Url> url = S3Url::Parse("s3://team-corpus/alignment/v2/");
  ASSERT_TRUE(url.ok()) << url.status().ToString();
  EXPECT_EQ(url->bucket, "team-corpus");
  EXPECT_EQ(url->prefix, "alignment/v2");
  EXPECT_EQ(url->Key("manifest.json"), "alignment/v2/manifest.json");
  EXPECT_EQ(url->ToString(), "s3://team-corpus/alignment/v2");
  Result<S3Url> root = S3Url::Parse("s3://team-corpus");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(root->prefix, "");
  EXPECT_EQ(root->Key("manifest.json"), "manifest.json");
}

TEST(S3Url, RefusesWhatIsNoBucketAddress) {
  for (const char* bad : {"team-corpus/x", "s3://", "s3://ab", "s3://Upper/x", "s3://b_c/x", "s3://bucket/a//b",
                          "s3://bucket/a/../b", "s3://bucket/./b"}) {
    Result<S3Url> url = S3Url::Parse(bad);
    EXPECT_FALSE(url.ok()) << bad;
    if (!url.ok()) {
      EXPECT_EQ(url.status().code(), Status::Code::kInvalidArgument) << bad;
      EXPECT_NE(url.status().message().find(bad), std::string::npos) << url.status().ToString();
    }
  }
  EXPECT_TRUE(IsS3Url("s3://b/p"));
  EXPECT_FALSE(IsS3Url("/srv/corpus"));
}

TEST(S3Options, ConfigSectionExpandsEnvReferencesAndRegistersTheSecrets) {
  setenv("ALCOR_TEST_S3_SECRET", "s3-secret-from-env-91c2", 1);
  S3Options options;
  nlohmann::json section = {{"endpoint", "https://s3.example.org"},
                            {"region", "eu-west-3"},
                            {"access_key_id", "AKIAEXAMPLE"},
                            {"secret_access_key", "${ALCOR_TEST_S3_SECRET}"},
                            {"session_token", "literal-session-token-55aa"},
                            {"server_side_encryption", "AES256"}};
  ASSERT_TRUE(S3OptionsFromConfig(section, "team.json: object_store", &options).ok());
  EXPECT_EQ(options.endpoint, "https://s3.example.org");
  EXPECT_EQ(options.region, "eu-west-3");
  EXPECT_EQ(options.secret_access_key, "s3-secret-from-env-91c2");
  EXPECT_EQ(options.server_side_encryption, "AES256");
  // Neither credential can reach a log line or a message.
  std::string line = SecretRegistry::Global()->Redact("key s3-secret-from-env-91c2 token literal-session-token-55aa");
  EXPECT_EQ(line.find("s3-secret-from-env-91c2"), std::string::npos) << line;
  EXPECT_EQ(line.find("literal-session-token-55aa"), std::string::npos) << line;
}

TEST(S3Options, ConfigSectionMistakesNameWhere) {
  S3Options options;
  Status s = S3OptionsFromConfig({{"secret_acess_key", "x"}}, "team.json: object_store", &options);
  EXPECT_EQ(s.code(), Status::Code::kInvalidArgument);
  EXPECT_NE(s.message().find("object_store.secret_acess_key"), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find("secret_access_key"), std::string::npos) << "did you mean: " << s.ToString();
  s = S3OptionsFromConfig({{"region", 3}}, "c.json: object_store", &options);
  EXPECT_NE(s.message().find("object_store.region: must be a string"), std::string::npos) << s.ToString();
  unsetenv("ALCOR_TEST_S3_UNSET");
  s = S3OptionsFromConfig({{"access_key_id", "${ALCOR_TEST_S3_UNSET}"}}, "c.json: object_store", &options);
  EXPECT_NE(s.message().find("ALCOR_TEST_S3_UNSET"), std::string::npos) << s.ToString();
}

TEST(S3Options, EnvironmentVariablesOfTheEcosystem) {
  setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9000", 1);
  unsetenv("AWS_REGION");
  setenv("AWS_DEFAULT_REGION", "ap-south-1", 1);
  setenv("AWS_ACCESS_KEY_ID", "id-1", 1);
  setenv("AWS_SECRET_ACCESS_KEY", "env-secret-value-3b7e", 1);
  setenv("AWS_SESSION_TOKEN", "env-session-token-8d1f", 1);
  S3Options options;
  S3OptionsFromEnvironment(&options);
  EXPECT_EQ(options.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(options.region, "ap-south-1");
  EXPECT_EQ(options.access_key_id, "id-1");
  EXPECT_EQ(options.session_token, "env-session-token-8d1f");
  std::string line = SecretRegistry::Global()->Redact("env-secret-value-3b7e env-session-token-8d1f");
  EXPECT_EQ(line.find("env-"), std::string::npos) << line;
  setenv("AWS_REGION", "us-west-2", 1);
  S3OptionsFromEnvironment(&options);
  EXPECT_EQ(options.region, "us-west-2");
}

TEST(S3Client, OpenNamesWhatIsMissing) {
  std::unique_ptr<S3Client> client;
  S3Options options;
  Status s = S3Client::Open(options, "bucket", &client);
  EXPECT_NE(s.message().find("AWS_ENDPOINT_URL"), std::string::npos) << s.ToString();
  options.endpoint = "ftp://example.org";
  s = S3Client::Open(options, "bucket", &client);
  EXPECT_NE(s.message().find("not an http:// or https:// URL"), std::string::npos) << s.ToString();
  options.endpoint = "http://127.0.0.1:9";
  s = S3Client::Open(options, "bucket", &client);
  EXPECT_NE(s.message().find("AWS_SECRET_ACCESS_KEY"), std::string::npos) << s.ToString();
  options.access_key_id = "a";
  options.secret_access_key = "b";
  EXPECT_TRUE(S3Client::Open(options, "bucket", &client).ok());
}

}  // namespace
}  // namespace alcor

namespace alcor {
namespace {

// What an upload sends, seen by a loopback server: a SigV4 signature over the payload's sha256
// (x-amz-content-sha256, which curl does not add itself), the server-side encryption header only
// when asked for, and never an ACL (objects stay private).
TEST(S3Client, UploadSignsThePayloadAndSendsEncryptionOnlyWhenAsked) {
  testing::TestServer server;
  server.RoutePrefix("/bucket/", [](const testing::ServerRequest&) {
    return testing::Reply::Text("").WithHeader("ETag", "\"5d41402abc4b2a76b9719d911017c592\"");
  });
  for (const std::string sse : {"", "AES256"}) {
    S3Options options;
    options.endpoint = server.BaseUrl();
    options.access_key_id = "AKIDEXAMPLE";
    options.secret_access_key = "wJalrXUtnFEMI-test-secret";
    options.server_side_encryption = sse;
    std::unique_ptr<S3Client> client;
    ASSERT_TRUE(S3Client::Open(options, "bucket", &client).ok());
    server.ClearRequests();
    Status put = client->Put("corpus/manifest.json", "hello");
    ASSERT_TRUE(put.ok()) << put.ToString();
    std::vector<testing::ServerRequest> requests = server.RequestsFor("/bucket/corpus/manifest.json");
    ASSERT_EQ(requests.size(), 1u);
    const testing::ServerRequest& r = requests[0];
    EXPECT_EQ(r.method, "PUT");
    EXPECT_EQ(r.body, "hello");
    ASSERT_NE(r.Header("authorization"), nullptr);
    EXPECT_EQ(r.Header("authorization")->rfind("AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/", 0), 0u)
        << *r.Header("authorization");
    ASSERT_NE(r.Header("x-amz-content-sha256"), nullptr);
    EXPECT_EQ(*r.Header("x-amz-content-sha256"), Sha256Hex("hello"));
    EXPECT_EQ(r.Header("x-amz-acl"), nullptr);
    if (sse.empty()) {
      EXPECT_EQ(r.Header("x-amz-server-side-encryption"), nullptr);
    } else {
      ASSERT_NE(r.Header("x-amz-server-side-encryption"), nullptr);
      EXPECT_EQ(*r.Header("x-amz-server-side-encryption"), sse);
    }
  }
}

}  // namespace
}  // namespace alcor
