// The configuration reference: every config key with its type, default, an example and what it
// does, in Markdown, from the loader's own key tables (lib/config/cp). tools/config-reference
// writes it into docs/configuration.md, and the `config-reference` test fails when that file is
// stale.
#pragma once

#include <string>
#include <vector>

namespace vfpath::config {

struct Reference {
    std::string markdown;
    // Keys whose table entry lacks a type, default, example or text (empty when complete).
    std::vector<std::string> incomplete;
    // Examples the loader refuses: each key's example is decoded as the value of that key (in a
    // document holding only it) and must give no error at or below the key. One line per failure.
    std::vector<std::string> bad_examples;
};

Reference reference();

}  // namespace vfpath::config
