// Logging: spdlog to stderr, as text for people or one JSON object per line for cron.
// Every module logs through spdlog's default logger after InitLogging; stdout stays for data.
//
// Every line written passes through SecretRegistry::Global() (alcor/secrets.hpp): an expanded
// ${ENV} value never reaches the log, whatever the message or field it is in.
//
// Structured fields: LogEvent logs a message with fields (the event, the source, the URL, the
// HTTP status...). With --log-format json they are keys of the line's object beside "time",
// "level" and "msg"; the text format shows the message only, which states them for people.
// ScopedLogSource names the source of every line a thread logs (the scraper's source threads).
//
// A terminal's status block (the live progress display of `alcor scrape`): lines kept at the
// bottom of stderr. While one is shown, each log line is printed above it: the block is erased,
// the line printed and the block drawn again under one lock, so neither tears the other.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace alcor {

enum class LogFormat { kText, kJson };

struct LogOptions {
  LogFormat format = LogFormat::kText;
  bool quiet = false;    // warnings and errors only
  bool verbose = false;  // debug messages too (one line per HTTP transfer among them)
};

// Installs the default logger (thread safe; may be called again to change options).
void InitLogging(const LogOptions& options);

// Parses "text" or "json"; false for anything else.
bool ParseLogFormat(std::string_view name, LogFormat* format);

enum class LogLevel { kDebug, kInfo, kWarn, kError };

// The fields of one log line; empty strings and negative numbers are left out of the JSON.
struct LogFields {
  std::string event;   // what happened, one fixed word: "http_request", "item_failed", ...
  std::string source;  // the configured source instance ("": the thread's ScopedLogSource)
  std::string method;  // HTTP method
  std::string url;     // never with a secret (redacted again on the way out)
  int status = -1;     // HTTP status (0: no answer)
  int64_t bytes = -1;  // body bytes received
  int64_t ms = -1;     // duration in milliseconds
};

// Logs message at level with fields through the default logger.
void LogEvent(LogLevel level, const LogFields& fields, std::string_view message);

// While it lives, lines logged by this thread without a source of their own carry `source`.
class ScopedLogSource {
 public:
  explicit ScopedLogSource(std::string source);
  ~ScopedLogSource();
  ScopedLogSource(const ScopedLogSource&) = delete;
  ScopedLogSource& operator=(const ScopedLogSource&) = delete;

 private:
  std::string previous_;
};

// True when stderr is a terminal that takes cursor movements (TERM is not "dumb"): only then may
// a status block be shown. Never true under cron or with stderr in a pipe or a file.
bool StderrIsInteractiveTerminal();
// The width of stderr's terminal in columns (TIOCGWINSZ, else $COLUMNS, else 80), and its height
// in rows (else $LINES, else 24).
int TerminalColumns();
int TerminalRows();

// Shows lines (each without '\n', already fitted to the terminal's width, fewer than its rows) as
// the status block, replacing the one shown: nothing of a longer earlier block stays behind.
// REQUIRES: StderrIsInteractiveTerminal().
void ShowStatusBlock(const std::vector<std::string>& lines);
// Erases the status block; log lines are printed as usual again. No-op without one.
void ClearStatusBlock();

}  // namespace alcor
