// The benchmark drives the same loopback server the tests use. Tool targets link alcor_core
// only, so the server's one source file is compiled into this executable here.
#include "support/test_server.cpp"  // NOLINT(bugprone-suspicious-include)
