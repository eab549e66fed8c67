// mirror: the offline mirror behind scripts/quickstart. Serves recorded sites written for the
// project (examples/mirror) on loopback ports, answering like the real services and under their
// access rules. On the main port, each under its own prefix: forum GraphQL (/forum/lw,
// /forum/af), the Semantic Scholar Graph API (/s2/graph/v1: batch, search and references, its
// papers those of the arXiv data), blogs with feeds, archives and sitemaps (/blogs/<name>), and
// static files such as books (/books). arXiv has two hosts of its own, like the live service: the
// API host (--arxiv-api-port, /api/query; its robots.txt disallows everything) and the site
// (--arxiv-site-port: /abs, /html, /pdf, /e-print; robots.txt with --crawl-delay and /api
// /e-print /src /search disallowed). configs/quickstart.json points alcor scrape at them.
// --port-file receives "<main> <arxiv api> <arxiv site>". Runs until SIGINT or SIGTERM.
#include <signal.h>

#include <cstdio>
#include <fstream>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "alcor/env.hpp"
#include "alcor_testing/emulators/arxiv_site.hpp"
#include "alcor_testing/emulators/blog_site.hpp"
#include "alcor_testing/emulators/forum_site.hpp"
#include "alcor_testing/emulators/semanticscholar_site.hpp"
#include "alcor_testing/emulators/static_site.hpp"
#include "alcor_testing/test_server.hpp"

namespace {

bool IsDir(const std::string& path) { return alcor::Env::Default()->FileExists(path); }

int Fail(const std::string& what, const alcor::Status& s) {
  std::fprintf(stderr, "mirror: %s: %s\n", what.c_str(), s.ToString().c_str());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"serve the recorded sites of examples/mirror on 127.0.0.1 (offline quickstart)", "mirror"};
  int port = 18089;
  std::string root = "examples/mirror";
  std::string port_file;
  int arxiv_api_port = -1, arxiv_site_port = -1;
  double crawl_delay_s = 0.05;
  app.add_option("--port", port, "port to listen on (0: any free port)")->capture_default_str();
  app.add_option("--arxiv-api-port", arxiv_api_port, "port of the arXiv API host (default: port + 1; 0 with --port 0)");
  app.add_option("--arxiv-site-port", arxiv_site_port, "port of the arXiv site (default: port + 2; 0 with --port 0)");
  app.add_option("--crawl-delay", crawl_delay_s, "Crawl-delay of the arXiv site's robots.txt, in seconds")
      ->capture_default_str();
  app.add_option("--root", root, "folder of recorded sites")->capture_default_str();
  app.add_option("--port-file", port_file, "write the port here once listening");
  CLI11_PARSE(app, argc, argv);

  // Block the stop signals before any thread starts, then wait for them below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  using namespace alcor::testing;
  TestServer server("127.0.0.1", port);
  if (arxiv_api_port < 0) arxiv_api_port = port == 0 ? 0 : port + 1;
  if (arxiv_site_port < 0) arxiv_site_port = port == 0 ? 0 : port + 2;
  TestServer arxiv_api("127.0.0.1", arxiv_api_port);
  TestServer arxiv_site("127.0.0.1", arxiv_site_port);
  std::vector<std::string> robots = {"User-agent: *", "Allow: /"};

  // Kept alive for the server's lifetime.
  std::vector<std::unique_ptr<ForumSite>> forums;
  std::string forum_dir = root + "/forum";
  if (IsDir(forum_dir)) {
    for (auto [prefix, options] : {std::pair{"/forum/lw", ForumSiteOptions::LessWrong()},
                                   std::pair{"/forum/af", ForumSiteOptions::AlignmentForum()}}) {
      auto site = ForumSite::FromDirectory(forum_dir, options);
      if (!site.ok()) return Fail(forum_dir, site.status());
      site.value()->Install(&server, prefix);
      forums.push_back(std::move(site.value()));
    }
  }
  std::vector<ArxivPaper> arxiv_papers;
  if (IsDir(root + "/arxiv")) {
    auto arxiv = ArxivSite::Load(root + "/arxiv");
    if (!arxiv.ok()) return Fail(root + "/arxiv", arxiv.status());
    arxiv->InstallLive(&arxiv_api, &arxiv_site, crawl_delay_s);
    arxiv_papers = arxiv->Papers();
  }
  if (IsDir(root + "/s2")) {
    auto s2 = SemanticScholarSite::Load(root + "/s2");
    if (!s2.ok()) return Fail(root + "/s2", s2.status());
    for (const ArxivPaper& p : arxiv_papers) s2->PutPaper(S2PaperOf(p));
    s2->Install(&server, "/s2/graph/v1");
  }
  if (IsDir(root + "/blogs")) {
    auto lines = InstallBlogsFromDirectory(&server, root + "/blogs", "/blogs");
    if (!lines.ok()) return Fail(root + "/blogs", lines.status());
    for (const std::string& line : lines.value()) robots.push_back(line);
  }
  std::vector<std::unique_ptr<StaticSite>> statics;
  if (IsDir(root + "/books")) {
    statics.push_back(std::make_unique<StaticSite>(root + "/books"));
    statics.back()->Install(&server, "/books");
  }
  std::string robots_text;
  for (const std::string& line : robots) robots_text += line + "\n";
  server.ServeRobots(robots_text);

  if (!port_file.empty()) {
    std::ofstream(port_file) << server.port() << " " << arxiv_api.port() << " " << arxiv_site.port() << "\n";
  }
  std::fprintf(stderr, "mirror: serving %s on %s (arXiv API host %s, arXiv site %s)\n", root.c_str(),
               server.BaseUrl().c_str(), arxiv_api.BaseUrl().c_str(), arxiv_site.BaseUrl().c_str());
  int sig = 0;
  sigwait(&stop_signals, &sig);
  std::fprintf(stderr, "mirror: stopping (signal %d)\n", sig);
  return 0;
}
