#include "alcor/log.hpp"

#include <sys/ioctl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>

#include <spdlog/pattern_formatter.h>
#include <spdlog/sinks/sink.h>
#include <spdlog/spdlog.h>

#include <nlohmann/json.hpp>

#include "alcor/dates.hpp"
#include "alcor/secrets.hpp"

namespace alcor {
namespace {

// The fields of the line being logged by this thread (set by LogEvent around the logger call:
// spdlog's default logger formats on the calling thread) and the thread's ScopedLogSource.
thread_local const LogFields* t_fields = nullptr;
thread_local std::string t_source;

std::string Redacted(std::string_view text) { return SecretRegistry::Global()->Redact(text); }

// {"time":"2026-11-28T00:15:03Z","level":"warn","event":"...","source":"...",...,"msg":"..."}:
// one object per line; the fields of LogFields that are set, between level and msg.
class JsonFormatter : public spdlog::formatter {
 public:
  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    auto secs = std::chrono::duration_cast<std::chrono::seconds>(msg.time.time_since_epoch()).count();
    spdlog::string_view_t level = spdlog::level::to_string_view(msg.level);
    nlohmann::ordered_json j = {{"time", FormatRfc3339Utc(secs)}, {"level", std::string(level.data(), level.size())}};
    const LogFields* f = t_fields;
    std::string source = f != nullptr && !f->source.empty() ? f->source : t_source;
    j["event"] = f != nullptr && !f->event.empty() ? f->event : "log";
    if (!source.empty()) j["source"] = Redacted(source);
    if (f != nullptr) {
      if (!f->method.empty()) j["method"] = f->method;
      if (!f->url.empty()) j["url"] = Redacted(f->url);
      if (f->status >= 0) j["status"] = f->status;
      if (f->bytes >= 0) j["bytes"] = f->bytes;
      if (f->ms >= 0) j["ms"] = f->ms;
    }
    j["msg"] = std::string(msg.payload.data(), msg.payload.size());
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    line += '\n';
    dest.append(line.data(), line.data() + line.size());
  }
  std::unique_ptr<spdlog::formatter> clone() const override { return std::make_unique<JsonFormatter>(); }
};

// stderr and the status block shown at its bottom; one lock for both.
class Terminal {
 public:
  static Terminal& Get() {
    static Terminal* terminal = new Terminal();  // never deleted: threads may log at exit
    return *terminal;
  }

  void WriteLogLine(std::string_view line) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    EraseBlock(&out);
    out.append(line);
    DrawBlock(&out);
    Write(out);
  }

  void Show(const std::vector<std::string>& lines) {
    std::lock_guard<std::mutex> lock(mu_);
    std::string out;
    EraseBlock(&out);
    block_ = lines;
    DrawBlock(&out);
    Write(out);
  }

 private:
  // From the line below the block: up to its first line, and clear to the end of the screen.
  void EraseBlock(std::string* out) const {
    if (block_.empty()) return;
    *out += "\r\x1b[" + std::to_string(block_.size()) + "A\x1b[J";
  }
  void DrawBlock(std::string* out) const {
    for (const std::string& line : block_) {
      *out += line;
      *out += '\n';
    }
  }
  static void Write(const std::string& out) {
    std::fwrite(out.data(), 1, out.size(), stderr);
    std::fflush(stderr);
  }

  std::mutex mu_;
  std::vector<std::string> block_;  // guarded by mu_
};

// The logger's one sink: formats (redacted) and hands each line to the Terminal.
class TerminalSink final : public spdlog::sinks::sink {
 public:
  void log(const spdlog::details::log_msg& msg) override {
    std::string payload = Redacted(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg redacted(msg);
    redacted.payload = spdlog::string_view_t(payload.data(), payload.size());
    spdlog::memory_buf_t buf;
    {
      std::lock_guard<std::mutex> lock(formatter_mu_);
      formatter_->format(redacted, buf);
    }
    Terminal::Get().WriteLogLine(std::string_view(buf.data(), buf.size()));
  }
  void flush() override { std::fflush(stderr); }
  void set_pattern(const std::string& pattern) override {
    set_formatter(std::make_unique<spdlog::pattern_formatter>(pattern));
  }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    std::lock_guard<std::mutex> lock(formatter_mu_);
    formatter_ = std::move(formatter);
  }

 private:
  std::mutex formatter_mu_;
  std::unique_ptr<spdlog::formatter> formatter_ = std::make_unique<spdlog::pattern_formatter>();
};

spdlog::level::level_enum SpdLevel(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug: return spdlog::level::debug;
    case LogLevel::kInfo: return spdlog::level::info;
    case LogLevel::kWarn: return spdlog::level::warn;
    case LogLevel::kError: return spdlog::level::err;
  }
  return spdlog::level::info;
}

int EnvNumber(const char* name, int fallback) {
  const char* value = std::getenv(name);
  int n = value != nullptr ? std::atoi(value) : 0;
  return n > 0 ? n : fallback;
}

}  // namespace

void InitLogging(const LogOptions& options) {
  auto sink = std::make_shared<TerminalSink>();
  auto logger = std::make_shared<spdlog::logger>("alcor", sink);
  if (options.format == LogFormat::kJson) {
    logger->set_formatter(std::make_unique<JsonFormatter>());
  } else {
    logger->set_pattern("alcor: %^%l%$: %v");
  }
  logger->set_level(options.quiet ? spdlog::level::warn
                                  : options.verbose ? spdlog::level::debug : spdlog::level::info);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

bool ParseLogFormat(std::string_view name, LogFormat* format) {
  if (name == "text") *format = LogFormat::kText;
  else if (name == "json") *format = LogFormat::kJson;
  else return false;
  return true;
}

void LogEvent(LogLevel level, const LogFields& fields, std::string_view message) {
  spdlog::logger* logger = spdlog::default_logger_raw();
  spdlog::level::level_enum lvl = SpdLevel(level);
  if (!logger->should_log(lvl)) return;
  const LogFields* previous = t_fields;
  t_fields = &fields;
  logger->log(lvl, spdlog::string_view_t(message.data(), message.size()));
  t_fields = previous;
}

ScopedLogSource::ScopedLogSource(std::string source) : previous_(std::move(t_source)) { t_source = std::move(source); }
ScopedLogSource::~ScopedLogSource() { t_source = std::move(previous_); }

bool StderrIsInteractiveTerminal() {
  if (::isatty(STDERR_FILENO) == 0) return false;
  const char* term = std::getenv("TERM");
  return term != nullptr && *term != '\0' && std::strcmp(term, "dumb") != 0;
}

int TerminalColumns() {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0) return ws.ws_col;
  return EnvNumber("COLUMNS", 80);
}

int TerminalRows() {
  struct winsize ws {};
  if (::ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_row > 0) return ws.ws_row;
  return EnvNumber("LINES", 24);
}

void ShowStatusBlock(const std::vector<std::string>& lines) { Terminal::Get().Show(lines); }

void ClearStatusBlock() { Terminal::Get().Show({}); }

}  // namespace alcor
