#include "pipeline/markup.h"

#include <algorithm>
#include <cctype>

namespace copydesk {
namespace {

void hide(std::string& s, size_t begin, size_t end) {
  end = std::min(end, s.size());
  for (size_t i = begin; i < end; ++i)
    if (s[i] != '\n') s[i] = '_';
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Hides HTML comments, and tags (with <script>/<style> bodies) in [from, to).
void hide_html(std::string& s, std::string_view orig, size_t from, size_t to, bool tags) {
  size_t i = from;
  while (i < to) {
    size_t lt = orig.find('<', i);
    if (lt == std::string_view::npos || lt >= to) break;
    if (orig.compare(lt, 4, "<!--") == 0) {
      size_t end = orig.find("-->", lt + 4);
      end = end == std::string_view::npos ? to : std::min(to, end + 3);
      hide(s, lt, end);
      i = end;
      continue;
    }
    if (!tags) {
      i = lt + 1;
      continue;
    }
    // A tag starts with a letter, '/' or '!'.
    if (lt + 1 >= to || !(std::isalpha(static_cast<unsigned char>(orig[lt + 1])) ||
                          orig[lt + 1] == '/' || orig[lt + 1] == '!')) {
      i = lt + 1;
      continue;
    }
    size_t gt = orig.find('>', lt);
    if (gt == std::string_view::npos || gt >= to) break;
    std::string name;
    for (size_t k = lt + 1; k < gt && (std::isalnum(static_cast<unsigned char>(orig[k]))); ++k)
      name += static_cast<char>(std::tolower(static_cast<unsigned char>(orig[k])));
    size_t end = gt + 1;
    if (name == "script" || name == "style") {
      std::string close = "</" + name;
      std::string low = lower(orig.substr(gt, to - gt));
      size_t c = low.find(close);
      if (c != std::string::npos) {
        size_t cgt = orig.find('>', gt + c);
        end = cgt == std::string_view::npos ? to : std::min(to, cgt + 1);
      } else {
        end = to;
      }
    }
    hide(s, lt, end);
    i = end;
  }
}

std::string mask_markdown(std::string_view text) {
  std::string s(text);
  size_t pos = 0;
  // Front matter: "---" (YAML) or "+++" (TOML) on the first line, to the closing fence.
  for (std::string_view fence : {"---", "+++"}) {
    if (text.substr(0, 4) == std::string(fence) + "\n") {
      size_t close = text.find("\n" + std::string(fence), 3);
      if (close != std::string_view::npos) {
        size_t end = text.find('\n', close + 1);
        end = end == std::string_view::npos ? text.size() : end;
        hide(s, 0, end);
        pos = end;
      }
    }
  }
  // Line by line: fenced and indented code blocks.
  bool in_fence = false;
  std::string fence_marker;
  bool prev_blank = true;
  while (pos < text.size()) {
    size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    size_t indent = line.find_first_not_of(' ');
    std::string_view stripped = indent == std::string_view::npos ? "" : line.substr(indent);
    if (in_fence) {
      hide(s, pos, eol);
      if (stripped.substr(0, fence_marker.size()) == fence_marker) in_fence = false;
    } else if (indent != std::string_view::npos && indent < 4 &&
               (stripped.substr(0, 3) == "```" || stripped.substr(0, 3) == "~~~")) {
      in_fence = true;
      fence_marker = std::string(stripped.substr(0, 3));
      hide(s, pos, eol);
    } else if (prev_blank && (line.substr(0, 4) == "    " || (!line.empty() && line[0] == '\t')) &&
               !stripped.empty()) {
      hide(s, pos, eol);  // indented code block (after a blank line)
      prev_blank = false;
      pos = eol + 1;
      continue;
    }
    prev_blank = stripped.empty();
    pos = eol + 1;
  }
  // Inline: code spans, link targets, autolinks, HTML comments and tags.
  std::string_view view = s;  // already-hidden parts are '_' and never match
  for (size_t i = 0; i < view.size(); ++i) {
    char c = view[i];
    if (c == '`') {
      size_t run = 1;
      while (i + run < view.size() && view[i + run] == '`') ++run;
      std::string ticks(run, '`');
      size_t close = view.find(ticks, i + run);
      if (close != std::string_view::npos) {
        hide(s, i, close + run);
        i = close + run - 1;
      } else {
        i += run - 1;
      }
    } else if (c == ']' && i + 1 < view.size() && view[i + 1] == '(') {
      size_t close = view.find(')', i + 2);
      size_t nl = view.find('\n', i + 2);
      if (close != std::string_view::npos && (nl == std::string_view::npos || close < nl)) {
        hide(s, i + 1, close + 1);
        i = close;
      }
    } else if (c == '<' && i + 1 < view.size() &&
               (view.compare(i + 1, 4, "http") == 0 || view.compare(i + 1, 7, "mailto:") == 0)) {
      size_t close = view.find('>', i);
      if (close != std::string_view::npos) {
        hide(s, i, close + 1);
        i = close;
      }
    }
  }
  // Reference-style link definitions: "[id]: url".
  pos = 0;
  while (pos < s.size()) {
    size_t eol = s.find('\n', pos);
    if (eol == std::string::npos) eol = s.size();
    std::string_view line = std::string_view(s).substr(pos, eol - pos);
    if (!line.empty() && line[0] == '[') {
      size_t close = line.find("]:");
      if (close != std::string_view::npos) hide(s, pos, eol);
    }
    pos = eol + 1;
  }
  std::string copy = s;
  hide_html(s, copy, 0, copy.size(), /*tags=*/true);
  return s;
}

}  // namespace

MarkupKind markup_for(std::string_view path) {
  std::string p = lower(path);
  if (ends_with(p, ".md") || ends_with(p, ".markdown")) return MarkupKind::kMarkdown;
  if (ends_with(p, ".html") || ends_with(p, ".htm")) return MarkupKind::kHtml;
  return MarkupKind::kPlain;
}

std::string mask_markup(MarkupKind kind, std::string_view text) {
  switch (kind) {
    case MarkupKind::kPlain:
      return std::string(text);
    case MarkupKind::kMarkdown:
      return mask_markdown(text);
    case MarkupKind::kHtml: {
      std::string s(text);
      hide_html(s, text, 0, text.size(), /*tags=*/true);
      return s;
    }
  }
  return std::string(text);
}

}  // namespace copydesk
