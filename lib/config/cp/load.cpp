// Entry points of the loader: text or file -> LoadResult. This is the boundary where yaml-cpp's
// exceptions stop (STYLE §2, §10): whatever the input, callers get a config or a list of Diags.
#include <yaml-cpp/eventhandler.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <limits>
#include <memory>
#include <sstream>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/cp/load_internal.h"
#include "util/escape.h"

namespace vfpath::config {

namespace {

// A config is a few KiB; refusing anything past this keeps `-c /dev/zero` from eating memory.
constexpr size_t k_max_file_bytes = size_t{1} << 20;

bool is_hex(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    });
}

// Records where each document starts; the nodes are built by YAML::Load afterwards.
class DocumentStarts : public YAML::EventHandler {
public:
    YAML::Mark start;

    void OnDocumentStart(const YAML::Mark& mark) override { start = mark; }
    void OnDocumentEnd() override {}
    void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
    void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
    void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  const std::string&) override {}
    void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {}
    void OnSequenceEnd() override {}
    void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {}
    void OnMapEnd() override {}
};

// The start of the first two documents in the text (a config is one; a second is an error).
// YAML::LoadAll is not used because yaml-cpp 0.7 returns empty documents forever, consuming
// nothing, when a document starts with a stray ',' (found by fuzzing): we stop after two and
// compare their positions instead.
std::vector<YAML::Mark> scan_documents(const std::string& text) {
    std::istringstream in(text);
    YAML::Parser parser(in);
    DocumentStarts handler;
    std::vector<YAML::Mark> starts;
    while (starts.size() < 2 && parser.HandleNextDocument(handler)) starts.push_back(handler.start);
    return starts;
}

}  // namespace

namespace detail {

bool is_pci_address(std::string_view s) {
    // [domain:]bus:device.function, as rte_pci_addr_parse() reads it.
    const size_t dot = s.rfind('.');
    if (dot == std::string_view::npos || dot + 2 != s.size() || s[dot + 1] < '0' ||
        s[dot + 1] > '7')
        return false;
    std::string_view head = s.substr(0, dot);  // [domain:]bus:device
    const size_t last = head.rfind(':');
    if (last == std::string_view::npos) return false;
    const std::string_view device = head.substr(last + 1);
    head = head.substr(0, last);
    const size_t first = head.rfind(':');
    const std::string_view bus = first == std::string_view::npos ? head : head.substr(first + 1);
    if (first != std::string_view::npos) {
        const std::string_view domain = head.substr(0, first);
        if (domain.size() < 4 || domain.size() > 8 || !is_hex(domain)) return false;
    }
    // PCI device numbers are 5 bits (0x00..0x1f).
    return bus.size() == 2 && is_hex(bus) && device.size() == 2 && is_hex(device) &&
           device[0] <= '1';
}

bool is_vdev_spec(std::string_view s) {
    const std::string_view name = s.substr(0, s.find(','));
    if (name.size() <= 4 || name.substr(0, 4) != "net_" || !is_port_name(name)) return false;
    // Arguments go to the PMD verbatim; control characters can only be a paste accident.
    return std::none_of(s.begin(), s.end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; });
}

std::string device_identity(std::string_view device) {
    if (!is_pci_address(device)) return std::string(device.substr(0, device.find(',')));
    std::string id(device);
    std::transform(id.begin(), id.end(), id.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    // "3b:02.0" has two ':'s, "0000:3b:02.0" three: add the default domain.
    if (std::count(id.begin(), id.end(), ':') == 1) id = "0000:" + id;
    return id;
}

bool is_port_name(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '_' || c == '-';
    });
}

}  // namespace detail

std::string Diag::str() const {
    // Appended piecewise: GCC 12 -O3 warns (-Wrestrict, a false positive) on "lit" + string&&.
    std::string out = file;
    if (loc.line > 0) {
        out += ':';
        out += std::to_string(loc.line);
        if (loc.col > 0) {
            out += ':';
            out += std::to_string(loc.col);
        }
    }
    out += ": ";
    // Errors about the document as a whole (syntax, empty file) have no key path.
    if (!path.empty()) {
        out += path;
        out += ": ";
    }
    out += message;
    // A value quoted in the message may hold control characters (an ESC sequence, a NUL from
    // "\0"): shown as \xNN, never passed to the terminal.
    return escape_control(out);
}

bool PortConfig::is_pci() const {
    return detail::is_pci_address(device);
}

const PortConfig* Config::find_port(std::string_view name) const {
    const auto it = std::find_if(ports.begin(), ports.end(),
                                 [name](const PortConfig& p) { return p.name == name; });
    return it == ports.end() ? nullptr : &*it;
}

LoadResult load_string(std::string_view text, std::string_view file, const Env& env) {
    detail::Reader r{std::string(file), {}, env, {}};
    size_t expand_errors = 0;
    std::vector<std::string> unexpanded;
    Config cfg;
    try {
        const std::string owned(text);
        const std::vector<YAML::Mark> starts = scan_documents(owned);
        if (starts.empty()) {
            r.error(Loc{}, "",
                    "the configuration is empty; it needs at least a 'ports' list (see "
                    "config/default.yaml)");
        } else if (starts.size() == 2 && starts[1].pos == starts[0].pos) {
            // The parser did not move (see scan_documents): what is there cannot start a document.
            const auto at = static_cast<size_t>(std::max(starts[0].pos, 0));
            std::string message = "YAML syntax error: unexpected ";
            message += at < owned.size() ? std::string{'\'', owned[at], '\''} : "end";
            r.error(detail::loc_of(starts[0]), "", std::move(message));
        } else {
            if (starts.size() == 2)
                r.error(detail::loc_of(starts[1]), "",
                        "a second YAML document starts here; a configuration is one document");
            const YAML::Node root = YAML::Load(owned);
            unexpanded = detail::expand_env(r, root);
            expand_errors = r.diags.size();
            cfg = detail::decode_config(r, root);
            detail::validate_config(r, cfg);
        }
    } catch (const YAML::ParserException& e) {
        // scan_documents reads the first two documents before anything is decoded, so a syntax
        // error there is the only error: there is no tree to check. One in a third document is
        // never seen, but the second already fails the config.
        std::string message = "YAML syntax error: " + e.msg;
        // A plain ${VAR} inside [...] or {...} ends the collection at its '{' or '}'.
        if (text.find("${") != std::string_view::npos && e.msg.find("flow") != std::string::npos)
            message += " (inside [...] or {...}, quote a variable: key: \"${VAR}\")";
        r.error(detail::loc_of(e.mark), "", std::move(message));
    } catch (const std::exception& e) {
        // Not expected (we use only non-throwing accessors on checked nodes), but a config error
        // must never become a crash.
        r.error(Loc{}, "",
                std::string("internal error while reading the configuration: ") + e.what());
    }

    // A value that could not be expanded was decoded as written ("${X}"): what its decoder then
    // says about it is noise next to the expansion error.
    if (!unexpanded.empty()) {
        size_t i = 0;
        std::erase_if(r.diags, [&](const Diag& d) {
            if (i++ < expand_errors) return false;
            return std::any_of(unexpanded.begin(), unexpanded.end(), [&](const std::string& u) {
                return detail::path_at_or_below(d.path, u);
            });
        });
    }
    // File order reads best; errors without a position (empty file) go last.
    std::stable_sort(r.diags.begin(), r.diags.end(), [](const Diag& a, const Diag& b) {
        auto key = [](const Diag& d) {
            return std::pair(d.loc.line ? d.loc.line : std::numeric_limits<int>::max(), d.loc.col);
        };
        return key(a) < key(b);
    });
    LoadResult result;
    if (r.diags.empty()) result.config = std::move(cfg);
    result.errors = std::move(r.diags);
    return result;
}

LoadResult load_file(const std::string& path, const Env& env) {
    auto fail = [&path](std::string message) {
        LoadResult result;
        result.errors.push_back(Diag{path, Loc{}, "", std::move(message)});
        return result;
    };
    // O_NONBLOCK: opening a FIFO for reading would wait for a writer forever. Only a regular
    // file is read; a FIFO, device node or directory is refused by name.
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return fail(std::string("cannot open the configuration: ") + std::strerror(errno));
    struct stat st{};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        ::close(fd);
        return fail(std::string("cannot read the configuration: not a regular file (") +
                    (S_ISDIR(st.st_mode)    ? "a directory"
                     : S_ISFIFO(st.st_mode) ? "a FIFO"
                     : S_ISCHR(st.st_mode)  ? "a character device"
                     : S_ISBLK(st.st_mode)  ? "a block device"
                                            : "not a file") +
                    "); a configuration is a YAML file");
    }
    ::fcntl(fd, F_SETFL, O_RDONLY);  // a regular file: back to blocking reads
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(::fdopen(fd, "rb"), std::fclose);
    if (!f) {
        ::close(fd);
        return fail(std::string("cannot open the configuration: ") + std::strerror(errno));
    }
    std::string text;
    char buf[4096];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) {
        text.append(buf, n);
        if (text.size() > k_max_file_bytes)
            return fail("the file is larger than " + std::to_string(k_max_file_bytes >> 10) +
                        " KiB; that is not a vfpath configuration");
    }
    // A directory opens fine on Linux and fails on the first read (EISDIR).
    if (std::ferror(f.get()))
        return fail(std::string("cannot read the configuration: ") + std::strerror(errno));
    return load_string(text, path, env);
}

}  // namespace vfpath::config
