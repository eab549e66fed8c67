// CaptureOf (alcor/source.hpp): an HTTP answer as the raw archive keeps it.
#include "alcor/source.hpp"

namespace alcor {

std::shared_ptr<const RawCapture> CaptureOf(const HttpResponse& response, bool is_body) {
  auto c = std::make_shared<RawCapture>();
  c->uri = response.final_url.empty() ? response.url : response.final_url;
  c->http_status = response.status > 0 ? response.status : 200;
  c->headers = response.headers;
  c->payload = response.body;
  c->is_body = is_body;
  return c;
}

}  // namespace alcor
