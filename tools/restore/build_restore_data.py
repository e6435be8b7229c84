#!/usr/bin/env python3
"""Build the restore stage's data (config/restore/) from shared/train.

  python3 tools/restore/build_restore_data.py /work/shared/train config/restore \
      [--holdout /tmp/restore_holdout_gold.jsonl]

The restore stage decodes a deterministic deletion channel: every non-ASCII
character (and the ASCII apostrophe) was deleted. This script runs the same
channel over the training text ("gold" field of every *.jsonl file) and
records, for every gap of the *stripped* text, what had been deleted there.
Everything it writes is therefore indexed by what the stage will see.

Outputs (UTF-8 TSV, '#' comment lines; see config/restore/README.md):
  lexicon.tsv   key, weighted count, capitalised share, forms
                key  = stripped token, ASCII-lowercased ("dont", "countrys")
                forms = "form=count" for each way the key was written with
                        characters the channel deletes ("don\u2019t=5012");
                        the key itself written plainly is the count column.
  glue.tsv      per word: how often it sat left / right of a deleted
                separator that glued it to the next word (dash, nbsp).
  pairs.tsv     word pairs glued by a deleted separator: w1, w2, sep, count.
  gaps.tsv      deletions at punctuation and space gaps, by context class:
                kind, left class, right class, counts per deleted class.
  labels.tsv    line-initial labels ("Q", "END") and the run deleted after them.
  context.tsv   for ambiguous keys (its/it's, were/we're ...): key, form,
                side (L = word before, R = word after), neighbour, count.

Sources are weighted so that each file contributes a fixed share of the
counts (White House text would otherwise be 80% of them). With --holdout,
every 20th Standard Ebooks chapter (by id hash) is left out of the counts and
written there for a genre-mixed check (damage it with shared/eval/damage.py).

Standard library only. Runs in a few minutes on one core.
"""

import argparse
import collections
import hashlib
import json
import math
import os
import re
import sys

# Share of the weighted counts per training file (files not named here get
# OTHER_SHARE each). Fiction/essays and government prose balanced.
SHARES = {
    "whitehouse_2021_2023.jsonl": 0.30,
    "whitehouse_2025_2026.jsonl": 0.15,
    "standard_ebooks.jsonl": 0.25,
    "standard_ebooks_more.jsonl": 0.30,
}
OTHER_SHARE = 0.10
IGNORABLE = {"\u2060", "\u200a", "\u200b", "\ufeff", "\u00ad", "\u200c", "\u200d"}
APOS = {"\u2019", "'", "\u02bc"}
DASHES = {"\u2014", "\u2013", "\u2015", "\u2012", "\u2e3a", "\u2e3b"}
MIN_WORD_COUNT = 1.0       # weighted; lexicon rows below this are dropped
MIN_FORM_COUNT = 1.0
MIN_PAIR_COUNT = 2.0
MIN_CONTEXT_COUNT = 1.5
MIN_TRIPLE_COUNT = 2.5
AMBIG_MIN_SHARE = 0.01     # a key is ambiguous when >= 2 readings each have this share
AMBIG_MIN_COUNT = 5.0


def deleted(ch):
    return ord(ch) > 0x7F or ch == "'"


def strip_channel(text):
    """Returns (s, ins): s = text without deleted characters; ins[i] = what was
    deleted right before s[i] (ignorable invisible characters removed)."""
    out = []
    ins = {}
    pending = []
    for ch in text:
        if deleted(ch):
            if ch not in IGNORABLE:
                pending.append(ch)
        else:
            if pending:
                ins[len(out)] = "".join(pending)
                pending = []
            out.append(ch)
    if pending:
        ins[len(out)] = "".join(pending)
    return "".join(out), ins


def ascii_lower(s):
    return s.translate(_LOWER)


_LOWER = {c: c + 32 for c in range(ord("A"), ord("Z") + 1)}


def sep_class(s):
    """Class of a deleted run: apos, dash, nbsp, letter, quote, other."""
    if all(c in APOS for c in s):
        return "apos"
    if any(c in DASHES for c in s):
        return "dash"
    if all(c.isspace() for c in s):
        return "nbsp"
    if all(c.isalpha() or c in APOS for c in s):
        return "letter"
    if any(c in "\u201c\u201d\u2018\u00ab\u00bb" for c in s):
        return "quote"
    return "other"


def char_class(c):
    if c == "":
        return "^"
    if c == "\n":
        return "N"
    if c == " ":
        return "S"
    if c.isdigit():
        return "D"
    if c.isalpha():
        return "U" if c.isupper() else "l"
    return "P"


def word_class(w):
    """Class of an ASCII token next to a gap (as the C++ stage computes it)."""
    if not w:
        return "-"
    if w.isdigit():
        return "D"
    if any(c.isdigit() for c in w):
        return "X"
    if len(w) == 1:
        return "1"
    if w.isupper():
        return "A"
    if w[0].isupper():
        return "C"
    return "l"


TOKEN = re.compile(r"[A-Za-z0-9]+")


class Counts:
    def __init__(self):
        self.word = collections.Counter()        # key -> plain count
        self.cap = collections.Counter()         # key -> capitalised-initial count
        self.forms = collections.defaultdict(collections.Counter)  # key -> form -> count
        self.glue_left = collections.defaultdict(collections.Counter)   # w1 -> sep -> n
        self.glue_right = collections.defaultdict(collections.Counter)  # w2 -> sep -> n
        self.pairs = collections.Counter()       # (w1, w2, sep) -> n
        self.gaps = collections.Counter()        # (kind, lc, rc, class) -> n
        self.labels = collections.Counter()      # (line-initial token, deleted run after it) -> n
        self.total = 0.0


def token_form(s, ins, b, e):
    """The original of stripped token s[b:e]: interior deletions, plus a trailing
    apostrophe. Returns (parts, seps): parts split where a separator (not an
    apostrophe or letter) was deleted."""
    parts = []
    seps = []
    cur = []
    for i in range(b, e):
        d = ins.get(i) if i > b else None
        if d:
            cls = sep_class(d)
            if cls in ("apos", "letter"):
                cur.append((i, d))
            else:
                parts.append((cur, i))
                seps.append(cls)
                cur = []
    parts.append((cur, e))
    return parts, seps


def render(s, start, end, inserted, ins_end):
    pieces = []
    last = start
    for i, d in inserted:
        pieces.append(s[last:i])
        pieces.append(d)
        last = i
    pieces.append(s[last:end])
    if ins_end:
        pieces.append(ins_end)
    return "".join(pieces)


def count_doc(text, weight, c, ctx_keys, ctx_counts):
    s, ins = strip_channel(text)
    toks = [(m.start(), m.end()) for m in TOKEN.finditer(s)]
    keys = []
    for ti, (b, e) in enumerate(toks):
        parts, seps = token_form(s, ins, b, e)
        start = b
        words = []
        for k, (inserted, pend) in enumerate(parts):
            trail = None
            if k == len(parts) - 1:
                d = ins.get(e)
                if d and d[0] in APOS and s[e - 1:e] in ("s", "S") and not (e < len(s) and s[e].isalnum()):
                    trail = d[0]
            key = ascii_lower(s[start:pend])
            if any(ch.isalpha() for ch in key):
                form = render(s, start, pend, inserted, trail)
                c.total += weight
                if inserted or trail:
                    c.forms[key][ascii_lower(form)] += weight
                else:
                    c.word[key] += weight
                if s[start].isupper():
                    c.cap[key] += weight
            words.append(key)
            start = pend
        for k, sep in enumerate(seps):
            w1, w2 = words[k], words[k + 1]
            c.glue_left[w1][sep] += weight
            c.glue_right[w2][sep] += weight
            c.pairs[(w1, w2, sep)] += weight
        # Unsplit key seen at runtime (the whole stripped token).
        keys.append(ascii_lower(s[b:e]))

    # Gaps at punctuation and spaces (positions in s).
    n = len(s)
    tok_at_end = {e: (b, e) for b, e in toks}
    tok_at_begin = {b: (b, e) for b, e in toks}
    for i in range(1, n + 1):
        prev = s[i - 1]
        nxt = s[i] if i < n else ""
        d = ins.get(i)
        cls = sep_class(d) if d else "none"
        if prev in ",;:.)?!" and nxt.isalpha():
            lw = ""
            if i - 1 in tok_at_end:
                b, e = tok_at_end[i - 1]
                lw = s[b:e]
            rw = ""
            if i in tok_at_begin:
                b, e = tok_at_begin[i]
                rw = s[b:e]
            c.gaps[("punct" + prev, word_class(lw), word_class(rw), cls)] += weight
        elif prev == " " and nxt in (" ", "\n", ""):
            lc = char_class(s[i - 2]) if i >= 2 else "^"
            rc = char_class(s[i + 1]) if nxt == " " and i + 1 < n else char_class(nxt)
            c.gaps[("space" + ("2" if nxt == " " else "N"), lc, rc, cls)] += weight

    # Line-initial labels ("Q", "END" in transcripts): what was deleted after them.
    ls = 0
    while ls < n:
        m = TOKEN.match(s, ls)
        if m and m.end() - m.start() <= 12 and (m.end() == n or s[m.end()] in " \n"):
            c.labels[(s[m.start():m.end()], ins.get(m.end(), ""))] += weight
        nl = s.find("\n", ls)
        if nl < 0:
            break
        ls = nl + 1

    # Context for ambiguous keys (second pass only).
    if ctx_keys is not None:
        for ti, (b, e) in enumerate(toks):
            key = keys[ti]
            if key not in ctx_keys:
                continue
            parts, seps = token_form(s, ins, b, e)
            if seps:
                continue
            inserted = parts[0][0]
            d = ins.get(e)
            trail = None
            if d and d[0] in APOS and s[e - 1:e] in ("s", "S") and not (e < n and s[e].isalnum()):
                trail = d[0]
            form = ascii_lower(render(s, b, e, inserted, trail))
            left = context_token(s, toks, ti, -1)
            right = context_token(s, toks, ti, +1)
            ctx_counts[(key, form, "L", left)] += weight
            ctx_counts[(key, form, "R", right)] += weight
            ctx_counts[(key, form, "T", left + " " + right)] += weight


def context_token(s, toks, ti, direction):
    """The neighbour the C++ stage sees: the next word (lowercased) when only
    spaces separate them, else the punctuation character, <s> / </s> at line
    edges. (Neighbours are read in the stripped text, as at runtime.)"""
    b, e = toks[ti]
    if direction > 0:
        i = e
        while i < len(s) and s[i] == " ":
            i += 1
        if i >= len(s) or s[i] == "\n":
            return "</s>"
        if s[i].isalnum() and ti + 1 < len(toks) and toks[ti + 1][0] == i:
            return ascii_lower(s[i:toks[ti + 1][1]])
        return s[i]
    i = b
    while i > 0 and s[i - 1] == " ":
        i -= 1
    if i == 0 or s[i - 1] == "\n":
        return "<s>"
    if s[i - 1].isalnum() and ti > 0 and toks[ti - 1][1] == i:
        pb, pe = toks[ti - 1]
        return ascii_lower(s[pb:pe])
    return s[i - 1]


def iter_docs(train_dir, holdout_out):
    files = sorted(f for f in os.listdir(train_dir) if f.endswith(".jsonl"))
    for f in files:
        path = os.path.join(train_dir, f)
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                if not line.strip():
                    continue
                rec = json.loads(line)
                if f.startswith("standard_ebooks") and holdout_out is not None:
                    h = int(hashlib.sha1(rec["id"].encode()).hexdigest()[:8], 16)
                    if h % 20 == 0:
                        holdout_out.write(json.dumps({"id": rec["id"], "source": rec.get("source", ""),
                                                      "gold": rec["gold"]}, ensure_ascii=False) + "\n")
                        continue
                yield f, rec["gold"]


def file_weights(train_dir, holdout):
    """Multiplier per file so each file holds its share of the total mass."""
    sizes = {}
    for f, text in iter_docs(train_dir, None):
        sizes[f] = sizes.get(f, 0) + len(text)
    shares = {f: SHARES.get(f, OTHER_SHARE) for f in sizes}
    norm = sum(shares.values())
    total = sum(sizes.values())
    return {f: (shares[f] / norm) * total / sizes[f] for f in sizes}


def fmt(x):
    return str(int(round(x))) if x >= 10 else ("%.1f" % x)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("train_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--holdout", help="write held-out Standard Ebooks chapters (gold JSONL) here")
    args = ap.parse_args(argv)

    weights = file_weights(args.train_dir, None)
    print("weights:", {f: round(w, 3) for f, w in weights.items()}, file=sys.stderr)
    hold = open(args.holdout, "w", encoding="utf-8") if args.holdout else None
    c = Counts()
    docs = []
    for f, text in iter_docs(args.train_dir, hold):
        docs.append((f, text))
        count_doc(text, weights[f], c, None, None)
    if hold:
        hold.close()
    print("pass 1: %d docs, %.0f weighted tokens" % (len(docs), c.total), file=sys.stderr)

    # Ambiguous keys: the plain word and an apostrophe form both frequent, or
    # two apostrophe forms.
    ambiguous = set()
    for key, forms in c.forms.items():
        readings = {key: c.word.get(key, 0.0)}
        for form, n in forms.items():
            readings[form] = n
        tot = sum(readings.values())
        if tot < AMBIG_MIN_COUNT:
            continue
        strong = [r for r, n in readings.items() if n >= AMBIG_MIN_SHARE * tot and n >= 1.0]
        if len(strong) >= 2:
            ambiguous.add(key)
    print("ambiguous keys: %d" % len(ambiguous), file=sys.stderr)
    ctx = collections.Counter()
    for f, text in docs:
        count_doc_ctx(text, weights[f], ambiguous, ctx)

    os.makedirs(args.out_dir, exist_ok=True)
    write_outputs(args.out_dir, c, ambiguous, ctx)


def count_doc_ctx(text, weight, ambiguous, ctx):
    dummy = Counts()
    count_doc(text, weight, dummy, ambiguous, ctx)


HEADER = "# Generated by tools/restore/build_restore_data.py from shared/train; do not edit.\n"


def write_outputs(out, c, ambiguous, ctx):
    keys = set(c.word) | set(c.forms)
    rows = []
    for key in keys:
        plain = c.word.get(key, 0.0)
        forms = {f: n for f, n in c.forms.get(key, {}).items() if n >= MIN_FORM_COUNT}
        total = plain + sum(forms.values())
        if total < MIN_WORD_COUNT:
            continue
        cap = c.cap.get(key, 0.0) / max(total, 1e-9)
        fs = " ".join("%s=%s" % (f, fmt(n)) for f, n in sorted(forms.items(), key=lambda x: -x[1]))
        rows.append((key, fmt(plain), "%.2f" % min(cap, 1.0), fs))
    rows.sort()
    with open(os.path.join(out, "lexicon.tsv"), "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.write("# key\tplain_count\tcap_share\tforms (form=count, space-separated)\n")
        for r in rows:
            fh.write("\t".join(r) + "\n")

    with open(os.path.join(out, "glue.tsv"), "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.write("# word\tside (L: word before the separator, R: after)\tdash\tnbsp\tother\n")
        for side, table in (("L", c.glue_left), ("R", c.glue_right)):
            for w in sorted(table):
                t = table[w]
                if sum(t.values()) < MIN_PAIR_COUNT:
                    continue
                fh.write("%s\t%s\t%s\t%s\t%s\n" % (w, side, fmt(t.get("dash", 0)), fmt(t.get("nbsp", 0)),
                                                   fmt(sum(v for k, v in t.items() if k not in ("dash", "nbsp")))))

    with open(os.path.join(out, "pairs.tsv"), "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.write("# w1\tw2\tseparator class\tcount\n")
        for (w1, w2, sep), n in sorted(c.pairs.items()):
            if n >= MIN_PAIR_COUNT:
                fh.write("%s\t%s\t%s\t%s\n" % (w1, w2, sep, fmt(n)))

    classes = ("none", "nbsp", "dash", "apos", "quote", "letter", "other")
    agg = collections.defaultdict(collections.Counter)
    for (kind, lc, rc, cls), n in c.gaps.items():
        agg[(kind, lc, rc)][cls] += n
    with open(os.path.join(out, "gaps.tsv"), "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.write("# kind\tleft class\tright class\t" + "\t".join(classes) + "\n")
        fh.write("# kinds: punctX = punctuation X glued to a following letter; space2 = two spaces;\n"
                 "# spaceN = a space before a line break. Classes: word tokens - l lower, C capitalised,\n"
                 "# A all caps, 1 one letter, D digits, X mixed; characters - l U D P S N ^.\n")
        for k in sorted(agg):
            t = agg[k]
            if sum(t.values()) < 1.0:
                continue
            fh.write("\t".join(k) + "\t" + "\t".join(fmt(t.get(x, 0)) for x in classes) + "\n")

    totals = collections.Counter()
    for (tok, run), n in c.labels.items():
        totals[tok] += n
    with open(os.path.join(out, "labels.tsv"), "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.write("# line-initial token (a speaker label: Q, END), deleted run after it as code points,\n"
                 "# count with that run, count of the token at a line start followed by a space or line end\n")
        for (tok, run), n in sorted(c.labels.items()):
            if run and all(ch.isspace() for ch in run) and n >= 5 and n >= 0.5 * totals[tok]:
                fh.write("%s\t%s\t%s\t%s\n" % (tok, " ".join("U+%04X" % ord(ch) for ch in run), fmt(n), fmt(totals[tok])))

    with open(os.path.join(out, "context.tsv"), "w", encoding="utf-8") as fh:
        fh.write(HEADER)
        fh.write("# key\tform\tside (L: neighbour before, R: after, T: both, space-separated)\tneighbour\tcount\n")
        for (key, form, side, nb), n in sorted(ctx.items()):
            if n >= (MIN_TRIPLE_COUNT if side == "T" else MIN_CONTEXT_COUNT) and "\t" not in nb:
                fh.write("%s\t%s\t%s\t%s\t%s\n" % (key, form, side, nb, fmt(n)))


if __name__ == "__main__":
    main()
