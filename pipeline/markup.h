// Markup-aware checking: hide what is not prose in Markdown and HTML files
// without moving a single byte, so every offset still points into the file.
//
//   std::string masked = mask_markup(MarkupKind::kMarkdown, file_bytes);
//   // same length; code blocks, front matter, link targets, tags -> '_'
//
// Hidden bytes become '_' (newlines stay), which the stages read as
// punctuation: no word is glued to its neighbour, no double space appears.
#pragma once

#include <string>
#include <string_view>

namespace copydesk {

enum class MarkupKind { kPlain, kMarkdown, kHtml };

// From the file name: .md/.markdown -> Markdown, .html/.htm -> HTML.
MarkupKind markup_for(std::string_view path);

// Returns text of the same byte length with the non-prose parts hidden.
// Markdown: YAML/TOML front matter, fenced and indented code blocks, inline
// code, link and image targets "(url)", autolinks "<http://...>", HTML
// comments and tags. HTML: tags, comments, <script> and <style> contents.
std::string mask_markup(MarkupKind kind, std::string_view text);

}  // namespace copydesk
