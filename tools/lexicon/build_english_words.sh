#!/usr/bin/env bash
# Builds config/lexicon/english_words.txt from Debian's wamerican package
# (SCOWL "american-english", size 50): the lowercase forms of its words of
# three or more ASCII letters, sorted, one per line, under a header that
# carries SCOWL's copyright notice (its licence asks for it in every copy).
# restore reads the list (stages/restore.cc): a token that is an English word
# is not split as two glued words ("persona" is no "person" + "a"), nor given
# an archaic elision whose stem is no word ("pled" is no "ple’d").
#   tools/lexicon/build_english_words.sh [OUT]   (default config/lexicon/english_words.txt)
# Needs apt-get (the package is downloaded, not installed) and dpkg-deb.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=${1:-config/lexicon/english_words.txt}
VERSION=2020.12.07-2
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
(cd "$W" && apt-get download -q "wamerican=$VERSION" >/dev/null)
dpkg-deb -x "$W"/wamerican_"$VERSION"_all.deb "$W/x"
{
  cat <<HEADER
# english_words.txt: lowercase English words of three or more letters, for the
# restore stage's guards (glued words, elisions). Made by tools/lexicon/build_english_words.sh
# from Debian's wamerican $VERSION (/usr/share/dict/american-english, SCOWL);
# see README.md in this folder. Derived from SCOWL, whose notice follows:
#
#   Copyright 2000-2011 by Kevin Atkinson
#
#   Permission to use, copy, modify, distribute and sell these word lists, the
#   associated scripts, the output created from the scripts, and its
#   documentation for any purpose is hereby granted without fee, provided that
#   the above copyright notice appears in all copies and that both that
#   copyright notice and this permission notice appear in supporting
#   documentation. Kevin Atkinson makes no representations about the
#   suitability of this array for any purpose. It is provided "as is" without
#   express or implied warranty.
#
#   (The full copyright file of the Debian package names further contributors
#   and their equally permissive terms: /usr/share/doc/wamerican/copyright.)
HEADER
  LC_ALL=C grep -E '^[A-Za-z]{3,}$' "$W/x/usr/share/dict/american-english" | tr 'A-Z' 'a-z' | LC_ALL=C sort -u
} >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
echo "wrote $OUT: $(grep -vc '^#' "$OUT") words"
