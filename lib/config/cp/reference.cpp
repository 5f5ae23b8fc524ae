// The configuration reference (reference.h), rendered from schema_rows(): the key tables that
// decode the YAML are the only source, so the reference cannot name a key the loader refuses or
// miss one it takes.
#include "config/reference.h"

#include "config/cp/load_internal.h"

namespace vfpath::config {

namespace {

using detail::KeyRow;

void table_head(std::string& md) {
    md += "| Key | Type | Default | Example | Meaning |\n|---|---|---|---|---|\n";
}

// `link`: the key names a section of its own below ("[`eal`](#eal)").
void table_row(std::string& md, std::string_view key, const KeyRow& row, bool link = false) {
    md += link ? "| [`" : "| `";
    md += key;
    md += link ? "`](#" + std::string(key) + ") | " : "` | ";
    md += row.doc.type;
    md += " | ";
    md += row.required ? std::string_view("**required**") : row.doc.def;
    md += " | `";
    md += row.doc.example;
    md += "` | ";
    md += row.doc.text;
    md += " |\n";
}

// A document holding only `path` ("ports[].vf.mac", a list at each "[]") set to `example`, in
// flow style: {ports: [{vf: {mac: EXAMPLE}}]}.
std::string document_for(const std::string& path, std::string_view example) {
    std::vector<std::string> segments;
    for (size_t from = 0;;) {
        const size_t dot = path.find('.', from);
        segments.push_back(path.substr(from, dot - from));
        if (dot == std::string::npos) break;
        from = dot + 1;
    }
    std::string value(example);
    for (auto it = segments.rbegin(); it != segments.rend(); ++it) {
        std::string name = *it;
        if (name.ends_with("[]")) {
            name.resize(name.size() - 2);
            value = "[" + value + "]";
        }
        value = "{" + name + ": " + value + "}";
    }
    return value;
}

// The key's path in that document: the first item of each list ("ports[0].vf.mac").
std::string path_in_document(std::string path) {
    for (size_t at; (at = path.find("[]")) != std::string::npos;) path.replace(at, 2, "[0]");
    return path;
}

// Decodes the example through the key tables (type and range checks; the checks between keys
// need a whole job and are not made) and returns why it fails, or "" when it decodes.
std::string example_fails(const KeyRow& row) {
    const std::string text = document_for(row.path, row.doc.example);
    const std::string at = path_in_document(row.path);
    detail::Reader r;
    r.file = "example";
    try {
        (void)detail::decode_config(r, YAML::Load(text));
    } catch (const YAML::Exception& e) {
        return text + ": " + e.what();
    }
    for (const Diag& d : r.diags)
        if (detail::path_at_or_below(d.path, at)) return text + ": " + d.path + ": " + d.message;
    return "";
}

}  // namespace

Reference reference() {
    Reference out;
    const detail::KeyRows rows = detail::schema_rows();
    for (const KeyRow& row : rows)
        if (row.doc.type.empty() || row.doc.def.empty() || row.doc.example.empty() ||
            row.doc.text.empty())
            out.incomplete.push_back(row.path);
        else if (std::string why = example_fails(row); !why.empty())
            out.bad_examples.push_back(row.path + ": example " + why);

    std::string& md = out.markdown;
    const auto is_top = [](const KeyRow& r) {
        return r.path.find_first_of(".[") == std::string::npos;
    };
    md += "### Top-level keys\n\n";
    table_head(md);
    for (size_t i = 0; i < rows.size(); ++i)
        if (is_top(rows[i]))
            table_row(md, rows[i].path, rows[i], i + 1 < rows.size() && !is_top(rows[i + 1]));
    // One section per top-level key with keys of its own; each row names its key below it
    // ("name", "vf.mac" under ports).
    for (size_t i = 0; i < rows.size(); ++i) {
        if (!is_top(rows[i]) || i + 1 == rows.size() || is_top(rows[i + 1])) continue;
        const std::string& top = rows[i].path;
        md += "\n### `" + top + "`\n\n";
        md += rows[i].doc.text;
        md += "\n\n";
        table_head(md);
        for (size_t j = i + 1; j < rows.size() && !is_top(rows[j]); ++j) {
            std::string_view key = rows[j].path;
            key.remove_prefix(top.size());
            if (key.starts_with("[]")) key.remove_prefix(2);
            key.remove_prefix(1);  // the '.'
            table_row(md, key, rows[j]);
        }
    }
    return out;
}

}  // namespace vfpath::config
