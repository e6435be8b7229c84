#!/usr/bin/env node
// Writes N synthetic input documents as JSON Lines, for the review page's
// scale test: each one is a repository sample (samples/diplomat-scraped.txt
// and the texts of samples/news.jsonl, taken in turn) under a numbered first
// line, so `copydesk clean` gives realistic records (edits, findings, footers).
//
//   node make-input.js 5000 > synthetic.jsonl
'use strict';
const fs = require('fs');
const path = require('path');

const n = Number(process.argv[2] || 5000);
const samples = path.join(__dirname, '..', '..', 'samples');
const bases = [fs.readFileSync(path.join(samples, 'diplomat-scraped.txt'), 'utf8')];
for (const line of fs.readFileSync(path.join(samples, 'news.jsonl'), 'utf8').split('\n')) {
  if (line.trim()) bases.push(JSON.parse(line).text);
}
const out = [];
for (let i = 0; i < n; i++) {
  const id = 'synthetic-' + String(i + 1).padStart(5, '0');
  const text = 'Synthetic document ' + (i + 1) + ' of ' + n + '\n' + bases[i % bases.length];
  out.push(JSON.stringify({ id, text, source: 'samples #' + (i % bases.length) }));
}
process.stdout.write(out.join('\n') + '\n');
