#!/usr/bin/env python3
"""Fits config/restore/glued.tsv: the probability that a cut the glued-word
segmenter proposes (stages/restore_glued.h) is a deleted separator.

    python3 tools/restore/fit_glued.py --train /work/shared/train \
        --examples-bin build/copydesk_glued_examples --model-dir config/restore \
        --exclude /tmp/restore_holdout_gold.jsonl --out config/restore/glued.tsv

Every --every-th training document (field `gold`, minus the --exclude ids) is
run through the deletion channel by copydesk_glued_examples (the build makes
it from tools/restore/glued_examples.cc), which segments the unknown tokens of the
stripped text and writes one labelled line per candidate cut. Documents are
weighted so that each file holds the same share as in the restore model
(README.md of config/restore). Half of the documents (by a hash of the id)
fit an L2-regularised logistic regression (Newton's method); the other half
fit a monotone calibration of its output (pool-adjacent-violators in bins).
stdlib only.
"""
import argparse, hashlib, json, math, os, subprocess, sys

SHARES = {'whitehouse_2021_2023.jsonl': 0.30, 'whitehouse_2025_2026.jsonl': 0.15,
          'standard_ebooks.jsonl': 0.25, 'standard_ebooks_more.jsonl': 0.30}
NFEAT = 22
FIRST_FEATURE = 5  # columns: weight, label, separator, token, cut, features...
NAMES = ['bias', 'logit', 'camel_cut', 'all_camel', 'capital', 'log_min_count', 'log_left',
         'log_right', 'min_len', 'short', 'cuts', 'log_pair', 'log_glue_l', 'log_glue_r',
         'acronym', 'length', 'dash_logit', 'doc_left', 'doc_right', 'doc_token', 'line_end',
         'doc_splits']


def half(doc_id):
    return hashlib.md5(doc_id.encode()).digest()[0] & 1


def examples(args, weights=None):
    exclude = set()
    if args.exclude:
        exclude = {json.loads(l)['id'] for l in open(args.exclude)}
    rows = {0: [], 1: []}
    chars, sampled = {}, {}
    for name in SHARES:
        docs = []
        chars[name] = 0
        with open(os.path.join(args.train, name)) as f:
            for n, line in enumerate(f):
                d = json.loads(line)
                chars[name] += len(d['gold'])
                if n % args.every or d['id'] in exclude:
                    continue
                docs.append((d['id'], d['gold']))
        sampled[name] = docs
    for name, share in SHARES.items():
        docs = sampled[name]
        # One token's weighted count in the lexicon (`copydesk train`: share /
        # chars of the file * chars of all files).
        token_weight = share / chars[name] * sum(chars.values())
        total = sum(len(g) for _, g in docs)
        for h in (0, 1):
            part = [(i, g) for i, g in docs if half(i) == h]
            payload = ''.join('%.6g %.6g\n%s\x1e' % (share * 1e6 / total, token_weight,
                                                        g.replace('\x1e', ' '))
                              for _, g in part)
            cmd = [args.examples_bin, args.model_dir] + ([weights] if weights else [])
            out = subprocess.run(cmd, input=payload.encode(),
                                 stdout=subprocess.PIPE, check=True).stdout.decode()
            for line in out.splitlines():
                f = line.split('\t')
                rows[h].append((float(f[0]), int(f[1]), f[2], f[3],
                                [float(v) for v in f[FIRST_FEATURE:]]))
        print('%s: %d documents' % (name, len(docs)), file=sys.stderr)
    for h in (0, 1):  # mean weight 1, so that the L2 term means the same at any sample size
        mean = sum(r[0] for r in rows[h]) / len(rows[h])
        rows[h] = [(r[0] / mean,) + r[1:] for r in rows[h]]
    return rows


def solve(a, b):
    n = len(b)
    m = [row[:] + [b[i]] for i, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(n):
            if r != c and m[r][c]:
                k = m[r][c] / m[c][c]
                for j in range(c, n + 1):
                    m[r][j] -= k * m[c][j]
    return [m[i][n] / m[i][i] for i in range(n)]


def fit(rows, l2):
    w = [0.0] * NFEAT
    for it in range(25):
        g = [0.0] * NFEAT
        h = [[0.0] * NFEAT for _ in range(NFEAT)]
        ll = 0.0
        for wt, y, _, _, x in rows:
            z = sum(wi * xi for wi, xi in zip(w, x))
            p = 1 / (1 + math.exp(-max(-30, min(30, z))))
            ll += wt * (math.log(max(p, 1e-12)) if y else math.log(max(1 - p, 1e-12)))
            r = wt * (y - p)
            s = wt * p * (1 - p)
            for i in range(NFEAT):
                if x[i]:
                    g[i] += r * x[i]
                    xs = s * x[i]
                    hi = h[i]
                    for j in range(i, NFEAT):
                        if x[j]:
                            hi[j] += xs * x[j]
        for i in range(NFEAT):
            g[i] -= l2 * w[i]
            h[i][i] += l2
            for j in range(i):
                h[i][j] = h[j][i]
        step = solve(h, g)
        w = [wi + si for wi, si in zip(w, step)]
        print('iteration %d: log-likelihood %.1f' % (it, ll), file=sys.stderr)
        if max(abs(s) for s in step) < 1e-6:
            break
    return w


def predict(w, x):
    z = sum(wi * xi for wi, xi in zip(w, x))
    return 1 / (1 + math.exp(-max(-30, min(30, z))))


def calibrate(w, rows, bins=40):
    """Pool-adjacent-violators over the logistic's output, then bins of at
    least 1/bins of the weight; returns [(lower edge, probability)]."""
    pts = sorted((predict(w, x), wt, y) for wt, y, _, _, x in rows)
    total = sum(p[1] for p in pts)
    blocks = []  # [lower edge, weight, weighted positives]
    cur = [pts[0][0], 0.0, 0.0]
    for p, wt, y in pts:
        if cur[1] >= total / bins:
            blocks.append(cur)
            cur = [p, 0.0, 0.0]
        cur[1] += wt
        cur[2] += wt * y
    blocks.append(cur)
    merged = []
    for b in blocks:
        merged.append(b[:])
        while len(merged) > 1 and merged[-2][2] / merged[-2][1] >= merged[-1][2] / merged[-1][1]:
            last = merged.pop()
            merged[-1][1] += last[1]
            merged[-1][2] += last[2]
    return [(0.0 if i == 0 else b[0], b[2] / b[1]) for i, b in enumerate(merged)]


def write(path, args, w, v, s, cal, rows):
    pos = sum(r[0] * r[1] for r in rows[0]) / sum(r[0] for r in rows[0])
    with open(path, 'w') as f:
        f.write('# Glued-word cuts: logistic weights of a first (w) and second (v) pass and a\n'
                '# monotone calibration (c) of the probability that a cut stages/restore_glued.cc\n'
                '# proposes is a deleted separator; logistic weights (s) of the probability that\n'
                '# such a separator was a dash. Made by tools/restore/fit_glued.py (see there and\n'
                '# config/restore/README.md) from one shared/train document in %d: %d fitting\n'
                '# cuts (%.3f right), %d calibration cuts. Derived weights only, no text.\n'
                % (args.every, len(rows[0]), pos, len(rows[1])))
        for kind, ws in (('w', w), ('v', v), ('s', s)):
            for n, x in zip(NAMES, ws):
                f.write('%s\t%s\t%.5f\n' % (kind, n, x))
        for edge, p in cal:
            f.write('c\t%.5f\t%.4f\n' % (edge, p))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('--train', required=True)
    ap.add_argument('--examples-bin', required=True)
    ap.add_argument('--model-dir', default='config/restore')
    ap.add_argument('--exclude')
    ap.add_argument('--every', type=int, default=4)
    ap.add_argument('--l2', type=float, default=1.0)
    ap.add_argument('--out', required=True)
    ap.add_argument('--dump', help='also write the examples here (TSV)')
    args = ap.parse_args()
    # First pass: no document feature (its column is 0).
    rows = examples(args)
    w = fit(rows[0], args.l2)
    write(args.out + '.first', args, w, w, w, [], rows)
    # Second pass: the document feature from the first pass's sure cuts.
    rows = examples(args, args.out + '.first')
    os.remove(args.out + '.first')
    if args.dump:
        with open(args.dump, 'w') as f:
            for h in (0, 1):
                for wt, y, sep, tok, x in rows[h]:
                    f.write('%d\t%g\t%d\t%s\t%s\t%s\n' % (h, wt, y, sep, tok,
                                                        '\t'.join('%g' % v for v in x)))
    v = fit(rows[0], args.l2)
    cal = calibrate(v, rows[1])
    # The separator at the true cuts: dash (1) or space (0).
    seps = [(wt, 1 if sep == 'd' else 0, sep, tok, x) for wt, y, sep, tok, x in rows[0] if y]
    s = fit(seps, args.l2)
    write(args.out, args, w, v, s, cal, rows)
    print('wrote %s' % args.out, file=sys.stderr)


if __name__ == '__main__':
    main()
