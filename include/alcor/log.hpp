// Logging: spdlog to stderr, as text for people or one JSON object per line for cron.
// Every module logs through spdlog's default logger after InitLogging; stdout stays for data.
#pragma once

#include <string_view>

namespace alcor {

enum class LogFormat { kText, kJson };

struct LogOptions {
  LogFormat format = LogFormat::kText;
  bool quiet = false;    // warnings and errors only
  bool verbose = false;  // debug messages too
};

// Installs the default logger (thread safe; may be called again to change options).
void InitLogging(const LogOptions& options);

// Parses "text" or "json"; false for anything else.
bool ParseLogFormat(std::string_view name, LogFormat* format);

}  // namespace alcor
