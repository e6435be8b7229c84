// Real-browser test of the review page (`copydesk review`), in Debian's
// Chromium driven by playwright-core. tools/browser-test.sh builds the pages
// and sets:
//   REVIEW_PAGE        page of the samples run (the seed article first)
//   REVIEW_BIG_PAGE    page of a 5,000-document synthetic run (optional)
//   REVIEW_OUT         folder for screenshots and timings (build/)
//   CHROMIUM           browser binary (default /usr/bin/chromium)
// Run: node --test review.test.js
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('fs');
const path = require('path');
const { pathToFileURL } = require('url');
const { chromium } = require('playwright-core');

const PAGE = process.env.REVIEW_PAGE;
const BIG_PAGE = process.env.REVIEW_BIG_PAGE;
const OUT = process.env.REVIEW_OUT || path.join(__dirname, '..', '..', 'build');
const APOSTROPHE = '\u2019';

async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

// A page that records script errors and refuses every request that is not the
// file itself: the review page must work offline.
async function openPage(browser, file) {
  const context = await browser.newContext({ viewport: { width: 1360, height: 900 } });
  const page = await context.newPage();
  const problems = [];
  page.on('pageerror', (e) => problems.push('page error: ' + e.message));
  page.on('console', (m) => { if (m.type() === 'error') problems.push('console error: ' + m.text()); });
  await page.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    problems.push('network request: ' + url);
    return route.abort();
  });
  const started = Date.now();
  await page.goto(pathToFileURL(file).href, { timeout: 120000 });
  await page.waitForFunction(() => window.reviewReady === true, null, { timeout: 120000 });
  return { page, problems, loadMs: Date.now() - started };
}

const docTitle = (page) => page.locator('#doc-view h2.doc-id').textContent();

// Hovers an element and returns the tooltip text. Scrolling hides the tooltip
// (the page listens for scroll), so scroll first, let it settle, then hover;
// retry when a late scroll event hid it again.
async function hoverTip(page, locator) {
  const tip = page.locator('#tip');
  for (let attempt = 0; attempt < 5; attempt++) {
    await locator.scrollIntoViewIfNeeded();
    await page.waitForTimeout(100);
    await page.mouse.move(0, 0);
    await locator.hover();
    try {
      await tip.waitFor({ state: 'visible', timeout: 2000 });
      return await tip.textContent();
    } catch (e) {
      if (attempt === 4) throw e;
    }
  }
  return '';
}

test('review page of the samples run: summary, seed findings, restorations, paging', {
  skip: !PAGE && 'REVIEW_PAGE is not set (run tools/browser-test.sh)',
}, async (t) => {
  const browser = await launch();
  try {
    const { page, problems } = await openPage(browser, PAGE);
    const index = await page.evaluate(() => JSON.parse(document.getElementById('review-index').textContent));
    const n = index.docs.length;
    assert.ok(n >= 2, 'the samples run has several documents');

    // Summary: cards and the charts, one bar per rule with findings.
    await page.locator('#summary-view').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#summary-view .card').count(), 4);
    assert.ok(await page.locator('#summary-view .chart').count() >= 3);
    const ruleBars = page.locator('#summary-view .chart').first().locator('.bar-row');
    assert.equal(await ruleBars.count(), index.summary.findings_by_rule.length);
    await page.screenshot({ path: path.join(OUT, 'review-summary.png') });

    // The list shows every document (small run: all rows are rendered).
    assert.equal(await page.locator('#list .row').count(), n);

    // The seed article: open it from the list.
    const seedIndex = index.docs.findIndex((d) => /diplomat/.test(d[0]));
    assert.ok(seedIndex >= 0, 'the seed document is in the run');
    await page.locator(`#list .row[data-doc="${seedIndex}"]`).click();
    await page.locator('#doc-view').waitFor({ state: 'visible' });
    assert.match(await docTitle(page), /diplomat/);

    // The "Istanbul" finding: highlighted in the text, its note visible under the line.
    const istanbul = page.locator('#doc-view .doc-text .fd', { hasText: 'Istanbul' }).first();
    await istanbul.waitFor({ state: 'visible' });
    const note = page.locator('#doc-view .note', { hasText: 'Istanbul' }).first();
    await note.waitFor({ state: 'visible' });
    t.diagnostic('Istanbul finding: ' + (await note.locator('.note-msg').textContent()));
    assert.match(await hoverTip(page, istanbul), /Istanbul/);

    // A restored apostrophe: an edit span whose cleaned text is U+2019, with
    // the original (nothing) and the rule on hover.
    const restored = page.locator('#doc-view .doc-text .ed', { hasText: APOSTROPHE });
    assert.ok(await restored.count() >= 1, 'a restored apostrophe is highlighted');
    const first = restored.first();
    assert.equal(await first.textContent(), APOSTROPHE);
    const tip = await hoverTip(page, first);
    assert.match(tip, /Original: \(nothing\)/);
    assert.match(tip, /apostrophe/);
    assert.ok(await page.locator('#tip').isVisible());

    // The footer is shown apart, with its parsed items.
    const seedDoc = await page.evaluate((i) => JSON.parse(document.getElementById('doc-' + i).textContent), seedIndex);
    if (seedDoc.footer) {
      await page.locator('#doc-view .footer').waitFor({ state: 'visible' });
      assert.equal(await page.locator('#doc-view .footer table.items tbody tr').count(), seedDoc.footer.items.length);
      assert.ok(!(await page.locator('#doc-view .doc-text').textContent()).includes(seedDoc.footer.raw.slice(0, 40)),
                'the footer text is not in the body');
    } else {
      t.diagnostic('the seed record has no footer yet (split-footer stage)');
    }
    // Every finding of the document has its note.
    assert.equal(await page.locator('#doc-view .note').count(), seedDoc.findings.length);
    await page.locator('#view').evaluate((v) => { v.scrollTop = 0; });
    await istanbul.scrollIntoViewIfNeeded();
    await istanbul.hover();
    await page.screenshot({ path: path.join(OUT, 'review-screenshot.png') });

    // Filter by the Istanbul finding's rule: the list keeps the seed document
    // and the rule's marks are outlined.
    const rule = (await note.locator('.note-meta').textContent()).split(' \u00b7 ')[0];
    const value = await page.evaluate((r) => {
      const o = [...document.querySelectorAll('#rule-filter option')].find((e) => e.textContent.startsWith(r + ' ('));
      return o ? o.value : null;
    }, rule);
    assert.ok(value !== null, 'the rule filter lists ' + rule);
    await page.locator('#rule-filter').selectOption(value);
    assert.ok(await page.locator(`#list .row[data-doc="${seedIndex}"]`).count() === 1);
    assert.ok(await page.locator('#doc-view .hot').count() >= 1);
    await page.locator('#rule-filter').selectOption('-1');

    // Keyboard: n focuses the first finding; j and k move between documents.
    await page.locator('body').click({ position: { x: 5, y: 5 } }).catch(() => {});
    await page.keyboard.press('n');
    assert.ok(await page.locator('#doc-view .note.flash').count() === 1);
    const expectNext = index.docs[(seedIndex + 1) % n][0];
    if (seedIndex + 1 < n) {
      await page.keyboard.press('j');
      assert.equal(await docTitle(page), expectNext);
      await page.keyboard.press('k');
      assert.match(await docTitle(page), /diplomat/);
    }

    // Click through to a second document with the "next" button.
    const target = seedIndex + 1 < n ? seedIndex + 1 : seedIndex - 1;
    await page.locator(seedIndex + 1 < n ? '#next' : '#prev').click();
    assert.equal(await docTitle(page), index.docs[target][0]);
    assert.match(await page.locator('#doc-view .doc-stats').textContent(),
                 new RegExp('Document ' + (target + 1) + ' of ' + n));
    assert.equal(await page.locator('#list .row.current').getAttribute('data-doc'), String(target));
    await page.screenshot({ path: path.join(OUT, 'review-second.png') });

    // Only one document is ever in the DOM.
    assert.equal(await page.locator('#doc-view .doc-text').count(), 1);
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});

test('review page of 5,000 documents opens and pages quickly', {
  skip: !BIG_PAGE && 'REVIEW_BIG_PAGE is not set',
}, async (t) => {
  const browser = await launch();
  try {
    const { page, problems, loadMs } = await openPage(browser, BIG_PAGE);
    const startup = await page.evaluate(() => window.reviewTimings);
    assert.ok(startup.documents >= 5000, 'the page holds the whole run');
    // The list is virtual: a screenful of rows, not one per document.
    const rows = await page.locator('#list .row').count();
    assert.ok(rows > 0 && rows < 100, `rows in the DOM: ${rows}`);

    // Paging: open documents one after another (in-page render time), then
    // the same through key presses (wall time, including the browser round trip).
    await page.evaluate(() => window.reviewOpen(0));
    const renders = [];
    for (let i = 0; i < 40; i++) {
      await page.keyboard.press('j');
      renders.push(await page.evaluate(() => window.reviewLastRenderMs));
    }
    const expected = await page.evaluate(() => JSON.parse(document.getElementById('review-index').textContent).docs[40][0]);
    assert.equal(await docTitle(page), expected);
    // Wall time of key presses: the handler renders synchronously, so each
    // press returns after the next document is in the DOM.
    const keysStart = Date.now();
    for (let i = 0; i < 40; i++) await page.keyboard.press('j');
    const keyMs = (Date.now() - keysStart) / 40;
    const expected80 = await page.evaluate(() => JSON.parse(document.getElementById('review-index').textContent).docs[80][0]);
    assert.equal(await docTitle(page), expected80);
    const jumpStart = Date.now();
    await page.evaluate((i) => window.reviewOpen(i), startup.documents - 1);
    await page.locator('#doc-view .doc-text').waitFor();
    const jumpMs = Date.now() - jumpStart;
    const filterStart = Date.now();
    await page.locator('#show-filter').selectOption('warnings');
    const filterMs = Date.now() - filterStart;
    await page.locator('#list').evaluate((l) => { l.scrollTop = l.scrollHeight / 2; });
    await page.waitForTimeout(50);
    assert.ok(await page.locator('#list .row').count() < 100);
    renders.sort((a, b) => a - b);
    const timings = {
      documents: startup.documents,
      page_bytes: fs.statSync(BIG_PAGE).size,
      load_to_ready_ms: loadMs,
      script_startup_ms: Math.round(startup.startupMs),
      render_median_ms: Math.round(renders[Math.floor(renders.length / 2)] * 10) / 10,
      render_max_ms: Math.round(renders[renders.length - 1] * 10) / 10,
      keypress_wall_ms: Math.round(keyMs * 10) / 10,
      jump_to_last_ms: jumpMs,
      filter_ms: filterMs,
    };
    t.diagnostic(JSON.stringify(timings));
    fs.writeFileSync(path.join(OUT, 'review-timings.json'), JSON.stringify(timings, null, 2) + '\n');
    await page.screenshot({ path: path.join(OUT, 'review-big.png') });
    assert.ok(timings.render_median_ms < 250, 'a document renders in well under a second');
    assert.ok(timings.script_startup_ms < 3000, 'the page script starts quickly');
    assert.deepEqual(problems, []);
  } finally {
    await browser.close();
  }
});
