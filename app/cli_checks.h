// Argument checks for the CLI: each rejects a bad value before anything runs, with one line that
// names the argument (CLI11 prefixes the option name), what is allowed and what was given.
// CLI11's own NonNegativeNumber accepts "nan" and prints DBL_MAX in full, hence these.
#pragma once

#include <CLI/CLI.hpp>
#include <initializer_list>
#include <optional>
#include <string>

namespace vfpath::app {

// Seconds: a finite decimal >= 0 ("10", "0.5", "1e1"); not nan, inf, negative, "10s", hex
// ("0x10") or with blanks.
CLI::Validator seconds();

// A whole number 0..max written in decimal digits only ("-1", "1.5", "0x10" are refused).
CLI::Validator whole(unsigned long long max);

// A file to read (a config): it exists and is a regular file (a symlink to one is fine). A
// directory, device node or FIFO is refused: reading a FIFO would wait forever.
CLI::Validator config_file();

// One word out of a fixed list.
CLI::Validator one_of(std::initializer_list<const char*> words);

// Prints a parse error as one line, "error: <what> (see 'vfpath <command> --help')", naming the
// deepest command the arguments reached; an unknown or missing command lists the valid ones.
// Returns the exit code (2). `message` (when given) receives the text printed after "error: ".
int usage_error(const CLI::App& app, int argc, char** argv, const CLI::ParseError& e,
                std::string* message = nullptr);

// The --log-format value anywhere before "--", read before parsing so that a usage error is
// printed in the format asked for (JSON for log shippers). nullopt when not given.
std::optional<std::string> early_log_format(int argc, char** argv);

}  // namespace vfpath::app
