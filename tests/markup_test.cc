#include "pipeline/markup.h"

#include <doctest/doctest.h>

using copydesk::MarkupKind;
using copydesk::mask_markup;

TEST_CASE("markup masking keeps byte offsets and hides non-prose") {
  struct Row {
    const char* label;
    MarkupKind kind;
    std::string in;
    std::string out;
  } rows[] = {
      {"front matter", MarkupKind::kMarkdown, "---\ntitle: x\n---\nIts prose.",
       "___\n________\n___\nIts prose."},
      {"fenced code", MarkupKind::kMarkdown, "Text.\n```\nthe the\n```\nMore.",
       "Text.\n___\n_______\n___\nMore."},
      {"inline code", MarkupKind::kMarkdown, "Use `dont` here.", "Use ______ here."},
      {"link target", MarkupKind::kMarkdown, "See [the site](http://a.b/c) now.",
       "See [the site]______________ now."},
      {"autolink", MarkupKind::kMarkdown, "At <https://x.y> ok", "At _____________ ok"},
      {"html comment in md", MarkupKind::kMarkdown, "a <!-- b --> c", "a __________ c"},
      {"plain markdown untouched", MarkupKind::kMarkdown, "# Title\n\n- item *one*",
       "# Title\n\n- item *one*"},
      {"html tags", MarkupKind::kHtml, "<p class=\"x\">Caf\u00e9</p>",
       "_____________Caf\u00e9____"},
      {"script body", MarkupKind::kHtml, "<script>var a=1;</script>Hi",
       "_________________________Hi"},
      {"less-than in text", MarkupKind::kHtml, "1 < 2 <b>x</b>", "1 < 2 ___x____"},
  };
  for (const auto& r : rows) {
    INFO(std::string(r.label));
    std::string got = mask_markup(r.kind, r.in);
    CHECK(got.size() == r.in.size());
    CHECK(got == r.out);
  }
}
