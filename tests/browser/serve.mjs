// The search page of `litsearch serve` in a real browser: Debian's headless Chromium driven by
// playwright-core (no browser download). Usage: node serve.mjs BASE_URL ARTIFACT_DIR
// Run by tests/serve_browser.rs, which starts the server; exits non-zero on the first failure.
import { chromium } from 'playwright-core';
import { contrastProblems, focusProblems } from './contrast.mjs';
import { mkdtempSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [base, artifacts] = process.argv.slice(2);
if (!base || !artifacts) {
  console.error('usage: node serve.mjs BASE_URL ARTIFACT_DIR');
  process.exit(2);
}
mkdirSync(artifacts, { recursive: true });
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const args = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--no-first-run'];
const WAIT = 15000; // bounded waits, milliseconds

function check(cond, what) {
  if (!cond) throw new Error('FAILED: ' + what);
  console.log('ok - ' + what);
}

const summaryTotal = async (page) => {
  const text = await page.locator('.summary').first().innerText();
  const m = text.match(/^(\d+) paper/);
  return m ? Number(m[1]) : 0;
};
const titles = (page) => page.locator('.hit a.title').allInnerTexts();
const param = (page, name) => new URL(page.url()).searchParams.getAll(name);

// `expected`: console errors the body causes on purpose (the status of a page it asks for).
async function withContext(options, body, expected = null) {
  const profile = mkdtempSync(join(tmpdir(), 'litsearch-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath, args, headless: true, timeout: 60000, ...options,
  });
  context.setDefaultTimeout(WAIT);
  const errors = [];
  try {
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (m) => {
      if (m.type() === 'error' && !(expected && expected.test(m.text()))) errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(String(e)));
    await body(page, context);
    check(errors.length === 0, 'no console errors or CSP violations: ' + JSON.stringify(errors));
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

// Pages the contrast checks visit, found by the first run.
let sharedUrl;
let paperUrl;

// With JavaScript: live results, facets, pages, keyboard, history.
await withContext({ viewport: { width: 1000, height: 680 } }, async (page) => {
  await page.goto(base + '/');
  for (const el of await page.locator('input:not([type=hidden]), select').all()) {
    const labelled = await el.evaluate((e) => e.labels && e.labels.length > 0);
    check(labelled, 'control ' + (await el.getAttribute('name')) + ' has a label');
  }
  await page.keyboard.press('/');
  check(await page.evaluate(() => document.activeElement.id) === 'q', '/ focuses the search box');

  // A slow answer to an earlier query must not overwrite the later one.
  await page.route('**/results?q=steering*', async (route) => {
    await new Promise((r) => setTimeout(r, 1200));
    try { await route.continue(); } catch { /* aborted by the newer request */ }
  });
  await page.keyboard.type('steering', { delay: 20 });
  await page.waitForTimeout(450);
  await page.fill('#q', '');
  await page.keyboard.type('sparse autoencoder', { delay: 20 });
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'sparse autoencoder');
  await page.locator('.hit mark').first().waitFor();
  await page.waitForTimeout(1500); // past the slow answer
  check(param(page, 'q')[0] === 'sparse autoencoder', 'the URL follows typing');
  const marks = await page.locator('.hit mark').allInnerTexts();
  check(marks.some((m) => /sparse|autoencoder/i.test(m)), 'results for the latest query, with marks');
  check(!marks.some((m) => /^steering$/i.test(m)), 'a stale response did not overwrite newer results');
  await page.unroute('**/results?q=steering*');
  await page.screenshot({ path: join(artifacts, 'results.png'), fullPage: false });
  console.log('ok - screenshot ' + join(artifacts, 'results.png'));

  // A tag facet: the URL, the checkbox and the counts change.
  const before = await summaryTotal(page);
  const facet = page.locator('.facet[data-field=tag] .facet-value[aria-checked=false]').nth(1);
  const value = await facet.locator('.value').innerText();
  const count = Number(await facet.locator('.count').innerText());
  await facet.click();
  await page.waitForFunction((v) => new URL(location.href).searchParams.getAll('tag').includes(v), value);
  await page.locator('.facet-value[aria-checked=true]').first().waitFor();
  const after = await summaryTotal(page);
  check(after === count && after < before, `tag facet "${value}": ${before} -> ${after} papers, as its count said`);
  sharedUrl = page.url();
  const sharedTitles = await titles(page);

  // The shared URL, reloaded, shows the same state.
  await page.reload();
  check(page.url() === sharedUrl, 'reload keeps the URL');
  check(JSON.stringify(await titles(page)) === JSON.stringify(sharedTitles), 'reload shows the same results');
  check(await page.locator('.facet-value[aria-checked=true]').count() >= 1, 'reload keeps the facet checked');
  check(await page.inputValue('#q') === 'sparse autoencoder', 'reload keeps the query in the box');

  // The chosen filter's chip removes it.
  await page.locator('.chosen a').first().click();
  await page.waitForFunction(() => new URL(location.href).searchParams.getAll('tag').length === 0);
  await page.locator('.facet-value[aria-checked=true]').waitFor({ state: 'detached' });
  check(await summaryTotal(page) === before, 'removing the filter restores the count');

  // Page 2 of a broad query.
  await page.fill('#q', 'model');
  await page.press('#q', 'Enter');
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'model');
  await page.locator('a[rel=next]').first().waitFor();
  const page1 = await titles(page);
  await page.locator('a[rel=next]').first().click();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('offset') === '10');
  await page.locator('ol.hit-list[start="11"]').waitFor();
  const page2 = await titles(page);
  check(page2.length > 0 && page2[0] !== page1[0], 'page 2 shows the next hits');

  // Back and forward.
  await page.goBack();
  await page.waitForFunction(() => !new URL(location.href).searchParams.get('offset'));
  await page.locator('ol.hit-list[start="1"]').waitFor();
  check(JSON.stringify(await titles(page)) === JSON.stringify(page1), 'back returns to page 1');
  await page.goForward();
  await page.locator('ol.hit-list[start="11"]').waitFor();
  check(JSON.stringify(await titles(page)) === JSON.stringify(page2), 'forward returns to page 2');
  await page.goBack();
  await page.goBack();
  await page.waitForFunction(() => new URL(location.href).searchParams.get('q') === 'sparse autoencoder');
  await page.goBack();
  await page.waitForFunction(() => new URL(location.href).searchParams.getAll('tag').length === 1);
  await page.locator('.facet-value[aria-checked=true]').first().waitFor();
  check(await page.inputValue('#q') === 'sparse autoencoder', 'back restores the box and the facet');

  // Keyboard: arrows move through the hits, Enter opens one.
  await page.goto(base + '/?q=sparse+autoencoder');
  await page.keyboard.press('/');
  await page.keyboard.press('ArrowDown');
  const first = await page.evaluate(() => document.activeElement.textContent);
  await page.keyboard.press('ArrowDown');
  const second = await page.evaluate(() => document.activeElement.textContent);
  const t = await titles(page);
  check(first === t[0] && second === t[1], 'arrow keys move through the hits: ' + JSON.stringify([first, second, t.slice(0, 2)]));
  await page.keyboard.press('ArrowUp');
  await Promise.all([page.waitForURL(/\/papers\/[0-9a-f]{16}$/), page.keyboard.press('Enter')]);
  check(await page.locator('h1').innerText() === t[0], 'Enter opens the focused paper');

  // The paper's page and its similar papers.
  const similar = page.locator('.similar a.title');
  check(await similar.count() > 0, 'the paper page lists similar papers');
  const next = await similar.first().innerText();
  await Promise.all([page.waitForURL(/\/papers\//), similar.first().click()]);
  check(await page.locator('h1').innerText() === next, 'a similar paper opens');

  paperUrl = page.url();
});

// WCAG AA contrast, focus outlines and 320 px, on every kind of page (two of them answered
// 400 and 404 on purpose).
await withContext({ viewport: { width: 1000, height: 680 } }, async (page) => {
  // The start, results with a filter in force (marks, facet counts, chips, pager), featured
  // papers (badges), a paper, a refused query, a missing page.
  const pages = [
    ['start', base + '/'],
    ['results', sharedUrl],
    ['results page 2', base + '/?q=model&offset=10'],
    ['featured', base + '/?featured=true'],
    ['paper', paperUrl],
    ['bad query', base + '/?q=%22open'],
    ['missing page', base + '/nowhere'],
  ];
  for (const [what, url] of pages) {
    await page.setViewportSize({ width: 1000, height: 680 });
    await page.goto(url);
    await page.waitForFunction(() => !document.querySelector('[aria-busy=true]'));
    const { problems, checked } = await contrastProblems(page);
    check(checked.text > 5 && problems.length === 0,
      `${what}: text contrast ≥ 4.5:1 (3:1 large) for ${checked.text} elements, ${checked.links} ` +
      `links also as visited, ${checked.placeholders} placeholders: ${JSON.stringify(problems)}`);
    const focus = await focusProblems(page);
    check(focus.focused > 3 && focus.problems.length === 0,
      `${what}: focus outline ≥ 3:1 on ${focus.focused} kinds of element: ${JSON.stringify(focus.problems)}`);

    // 320 px wide: nothing scrolls sideways.
    await page.setViewportSize({ width: 320, height: 700 });
    await page.goto(url);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    check(overflow <= 320, `${what}: fits 320 px (scroll width ${overflow})`);
    if (what === 'results') {
      await page.screenshot({ path: join(artifacts, 'results-320.png'), fullPage: false });
    }
  }
}, /the server responded with a status of 40[04]/);

// Without JavaScript: the form submits, facets and pages are plain links.
await withContext({ javaScriptEnabled: false, viewport: { width: 1000, height: 800 } }, async (page) => {
  await page.goto(base + '/');
  await page.fill('#q', 'reward hacking');
  await Promise.all([page.waitForURL(/q=reward\+hacking/), page.press('#q', 'Enter')]);
  check(await page.locator('.hit mark').count() > 0, 'no JS: the form submits and shows marked results');
  const before = await summaryTotal(page);
  const facet = page.locator('.facet[data-field=year] .facet-value').first();
  const count = Number(await facet.locator('.count').innerText());
  await Promise.all([page.waitForURL(/year=/), facet.click()]);
  check(await summaryTotal(page) === count && count <= before, 'no JS: a facet link filters');
  await page.fill('#since', '2024-01');
  await Promise.all([page.waitForURL(/since=2024-01/), page.locator('.refine button').click()]);
  check(param(page, 'year').length === 1, 'no JS: the date range keeps the facet filter');
});
console.log('browser tests passed');
