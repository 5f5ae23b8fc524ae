// --log-format json (lib/util/log.cpp): each record is one line holding one JSON object with
// time, level, logger and msg, whatever the message contains.
#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>

#include "util/log.h"

namespace {

// Logs `msg` through a logger named `name` whose sink uses the json formatter; returns the text.
std::string log_json(const std::string& name, spdlog::level::level_enum level,
                     const std::string& msg) {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_st>(out);
    sink->set_formatter(vfpath::log::json_formatter());
    spdlog::logger lg(name, sink);
    lg.set_level(spdlog::level::trace);
    lg.log(level, "{}", msg);
    return out.str();
}

TEST(LogJson, OneObjectPerLineWithTheFourFields) {
    const std::string line = log_json("vfpath.run", spdlog::level::warn, "port p0 is down");
    ASSERT_FALSE(line.empty());
    EXPECT_EQ(line.back(), '\n');
    EXPECT_EQ(line.find('\n'), line.size() - 1);
    const auto j = nlohmann::json::parse(line);
    ASSERT_TRUE(j.is_object());
    EXPECT_EQ(j.size(), 4u);
    EXPECT_EQ(j["level"], "warning");
    EXPECT_EQ(j["logger"], "vfpath.run");
    EXPECT_EQ(j["msg"], "port p0 is down");
    EXPECT_TRUE(std::regex_match(j["time"].get<std::string>(),
                                 std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)")))
        << j["time"];
}

TEST(LogJson, QuotesNewlinesAndControlCharactersAreEscaped) {
    const std::string msg = "plan:\n  \"p0\"\t-> p1\\x\r\x01\x1f end";
    const std::string line = log_json("vfpath.dpdk", spdlog::level::info, msg);
    EXPECT_EQ(line.find('\n'), line.size() - 1) << line;  // the message's newline is escaped
    EXPECT_NE(line.find(R"(\u0001\u001f)"), std::string::npos) << line;
    EXPECT_EQ(nlohmann::json::parse(line)["msg"], msg);
}

TEST(LogJson, Utf8IsKeptAndInvalidBytesBecomeReplacementCharacters) {
    const std::string good = "NUMA node \xc3\xa9t\xc3\xa9 \xe2\x86\x92 \xf0\x9f\x98\x80";
    EXPECT_EQ(nlohmann::json::parse(log_json("x", spdlog::level::info, good))["msg"], good);
    // A stray continuation byte, a truncated sequence, an overlong '/' and a surrogate.
    const std::string bad = "a\x80" "b\xe2\x86" "c\xc0\xaf" "d\xed\xa0\x80";
    const auto j = nlohmann::json::parse(log_json("x", spdlog::level::info, bad));
    const std::string r = "\xef\xbf\xbd";  // U+FFFD
    EXPECT_EQ(j["msg"], "a" + r + "b" + r + r + "c" + r + r + "d" + r + r + r);
}

TEST(LogJson, LevelsUseSpdlogNames) {
    for (auto [lv, name] : {std::pair{spdlog::level::trace, "trace"}, {spdlog::level::debug, "debug"},
                            {spdlog::level::err, "error"}, {spdlog::level::critical, "critical"}})
        EXPECT_EQ(nlohmann::json::parse(log_json("x", lv, "m"))["level"], name);
}

TEST(LogJson, FormatNamesAreChecked) {
    EXPECT_FALSE(vfpath::log::set_format("xml"));
    EXPECT_TRUE(vfpath::log::set_format("json"));
    EXPECT_TRUE(vfpath::log::json());
    EXPECT_TRUE(vfpath::log::set_format("text"));
    EXPECT_FALSE(vfpath::log::json());
}

}  // namespace
