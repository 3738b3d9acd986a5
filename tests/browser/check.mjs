// Loads a built report in Debian's Chromium (headless) and reports, as JSON on stdout:
// requests that left the page, console errors, whether injected script ran, the
// page's visible text, and where the screenshot and printed PDF were saved.
// usage: node check.mjs REPORT.html ARTIFACT_DIR
import { chromium } from 'playwright-core';

const [, , report, artifacts] = process.argv;
const executablePath = process.env.CHROMIUM || '/usr/bin/chromium';
const browser = await chromium.launch({
  executablePath,
  args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const result = { requests: [], console_errors: [], page_errors: [], dialogs: [] };
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('request', (r) => {
    const url = r.url();
    if (!url.startsWith('file:') && !url.startsWith('data:') && !url.startsWith('about:')) result.requests.push(url);
  });
  page.on('console', (m) => { if (m.type() === 'error') result.console_errors.push(m.text()); });
  page.on('pageerror', (e) => result.page_errors.push(String(e)));
  page.on('dialog', async (d) => { result.dialogs.push(d.message()); await d.dismiss(); });
  await page.goto('file://' + report, { waitUntil: 'load' });
  result.pwned = await page.evaluate(() => window.__pwned ?? null);
  result.text = await page.evaluate(() => document.body.innerText);
  result.lang = await page.evaluate(() => document.documentElement.lang);
  result.script_elements = await page.evaluate(() => document.querySelectorAll('script').length);
  result.external_resources = await page.evaluate(() =>
    [...document.querySelectorAll('[src],link[href]')].map((e) => e.getAttribute('src') || e.getAttribute('href')));
  // What a leader sees before scrolling, on a 1366 × 768 screen.
  await page.setViewportSize({ width: 1366, height: 768 });
  result.first_screen = await page.evaluate(() =>
    [...document.querySelectorAll('h1, h2, h3, p, li, .card .label, .card .value, .card div')]
      .filter((e) => { const r = e.getBoundingClientRect(); return r.height > 0 && r.top < 768; })
      .map((e) => e.innerText).join('\n'));
  result.screenshot = artifacts + '/report.png';
  await page.screenshot({ path: result.screenshot, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  result.mobile_screenshot = artifacts + '/report-mobile.png';
  await page.screenshot({ path: result.mobile_screenshot });
  result.pdf = artifacts + '/report.pdf';
  await page.emulateMedia({ media: 'print' });
  await page.pdf({ path: result.pdf, format: 'A4', printBackground: true });
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result));
