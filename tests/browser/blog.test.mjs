// blogd real-browser test: Debian's chromium, driven by playwright-core, walks
// the pages of SPEC.md ("Pages") as a visitor would: index -> post -> add a
// comment -> latest comments -> delete it (confirm dismissed, then accepted).
//
// Run by ctest after the stack fixture started the stack:
//   node tests/browser/blog.test.mjs
// The URL comes from $BLOGD_URL, else from $BLOGD_TEST_VAR/stack.env
// (default /tmp/blogd-ctest-var). Screenshots go to $BLOGD_SCREENSHOT_DIR
// (default tests/browser/screenshots/). Exit code 0 only if every step passed.

import { chromium } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHROMIUM = process.env.BLOGD_CHROMIUM || '/usr/bin/chromium';
const STEP_MS = 10_000; // hard limit per step
const ACTION_MS = 8_000; // each Playwright action/assertion; below STEP_MS so its message wins
const LAUNCH_MS = 30_000; // starting chromium (first start on a cold machine is slow)
const TOTAL_MS = 120_000; // the whole test
const CONFIRM_TEXT = 'Are you sure you want to delete this entry?';
const SEED_TITLES = ['Post The First', 'Post The Second', 'Post The Third'];

// --- configuration -----------------------------------------------------------

function baseUrl() {
  let url = process.env.BLOGD_URL;
  if (!url) {
    const varDir = process.env.BLOGD_TEST_VAR || '/tmp/blogd-ctest-var';
    const envFile = join(varDir, 'stack.env');
    if (!existsSync(envFile)) {
      throw new Error(`no BLOGD_URL and no ${envFile}: is the stack running?`);
    }
    for (const line of readFileSync(envFile, 'utf8').split('\n')) {
      const m = /^\s*BLOGD_URL=(.*)$/.exec(line);
      if (m) url = m[1].trim().replace(/^(['"])(.*)\1$/, '$2');
    }
    if (!url) throw new Error(`${envFile} has no BLOGD_URL line`);
  }
  return url.replace(/\/+$/, '');
}

const screenshotDir = process.env.BLOGD_SCREENSHOT_DIR || join(HERE, 'screenshots');

// --- tiny harness --------------------------------------------------------------

let passed = 0;
let failed = 0;
let skipped = 0;
let stopRest = false;

function check(cond, message) {
  if (!cond) throw new Error(message);
}

function withTimeout(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// step(name, fn, {always}): later steps depend on earlier ones, so after a
// failure the rest are skipped, except those marked always.
async function step(name, fn, { always = false, ms = STEP_MS } = {}) {
  if (stopRest && !always) {
    skipped++;
    console.log(`SKIP  ${name}`);
    return;
  }
  const t0 = Date.now();
  try {
    await withTimeout(Promise.resolve().then(fn), ms, name);
    passed++;
    console.log(`PASS  ${name} (${Date.now() - t0} ms)`);
  } catch (err) {
    failed++;
    stopRest = true;
    const msg = String(err && err.message ? err.message : err).replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(0, 6).join('\n      ');
    console.log(`FAIL  ${name} (${Date.now() - t0} ms)\n      ${msg}`);
  }
}

// --- the test -------------------------------------------------------------------

async function main() {
  const base = baseUrl();
  mkdirSync(screenshotDir, { recursive: true });
  console.log(`browser: testing ${base} with ${CHROMIUM}; screenshots in ${screenshotDir}`);

  const problems = []; // console errors, page errors, CSP violations, failed loads
  const stamp = Date.now();
  const commentText = `browser test ✓ <b>not bold</b> & "quotes" ünïcödé 日本語 ${stamp}`;
  let commentId = null; // numeric id of the comment we add
  const postRequests = []; // every POST the browser sent: "METHOD url"

  const userDataDir = mkdtempSync(join(tmpdir(), 'blogd-chromium-'));
  let context = null;
  try {
    await step('launch chromium', async () => {
      context = await chromium.launchPersistentContext(userDataDir, {
        executablePath: CHROMIUM,
        headless: true,
        args: [
          '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
          '--disable-background-networking', '--disable-component-update', '--disable-sync',
        ],
        viewport: { width: 1100, height: 800 },
        timeout: LAUNCH_MS,
      });
      context.setDefaultTimeout(ACTION_MS);
      context.setDefaultNavigationTimeout(ACTION_MS);
      // CSP violations are reported to the page as events; forward them to us.
      await context.exposeBinding('__blogdReport', ({ page }, what) => {
        problems.push(`CSP violation on ${page ? page.url() : '?'}: ${what}`);
      });
      await context.addInitScript(() => {
        document.addEventListener('securitypolicyviolation', (e) => {
          window.__blogdReport(`${e.violatedDirective} blocked ${e.blockedURI || '(inline)'}`);
        });
      });
    }, { ms: LAUNCH_MS + 5_000 });

    const page = context ? (context.pages()[0] || (await context.newPage())) : null;
    if (page) {
      page.on('console', (msg) => {
        if (msg.type() === 'error') problems.push(`console error on ${page.url()}: ${msg.text()}`);
      });
      page.on('pageerror', (err) => problems.push(`page error on ${page.url()}: ${err.message}`));
      page.on('response', (resp) => {
        if (resp.status() >= 400) problems.push(`HTTP ${resp.status()} for ${resp.request().method()} ${resp.url()}`);
      });
      page.on('requestfailed', (req) => {
        problems.push(`request failed: ${req.method()} ${req.url()}: ${req.failure()?.errorText}`);
      });
      page.on('request', (req) => {
        if (req.method() === 'POST') postRequests.push(`POST ${new URL(req.url()).pathname}`);
      });
    }

    const path = () => new URL(page.url()).pathname;
    const commentOnPost = () => page.locator('.comment').filter({ hasText: String(stamp) });

    // Submits a form by clicking `button`; resolves once the POST was answered
    // and the next page has loaded. Returns the POST's (redirect) response.
    async function submitAndLoad(button) {
      const [, resp] = await Promise.all([
        page.waitForEvent('load'),
        page.waitForResponse((r) => r.request().method() === 'POST' && r.request().isNavigationRequest()),
        button.click(),
      ]);
      return resp;
    }

    await step('index: title "Posts - blogd", three seed posts linked, stylesheet applied', async () => {
      const resp = await page.goto(`${base}/`);
      check(resp && resp.status() === 200, `GET / answered ${resp && resp.status()}`);
      check((await page.title()) === 'Posts - blogd', `page title is "${await page.title()}"`);
      check((await page.locator('h1').first().innerText()).trim() === 'Posts', 'no "Posts" heading');
      const nav = page.locator('nav');
      for (const name of ['blogd', 'Comments', 'About']) {
        check((await nav.getByRole('link', { name, exact: true }).count()) === 1, `nav bar has no "${name}" link`);
      }
      const links = await page.locator('main h2 a').evaluateAll((as) =>
        as.map((a) => [a.textContent.trim(), new URL(a.href).pathname]));
      const seed = links.filter(([t]) => SEED_TITLES.includes(t));
      check(JSON.stringify(seed) === JSON.stringify(SEED_TITLES.map((t, i) => [t, `/${i + 1}/`])),
        `seed posts listed (oldest first, linking /<id>/) as ${JSON.stringify(links)}`);
      // style.css applied: the browser default is a transparent body in a serif font, margin 8px.
      const style = await page.evaluate(() => {
        const s = getComputedStyle(document.body);
        return { bg: s.backgroundColor, font: s.fontFamily, margin: s.marginTop };
      });
      check(style.bg !== 'rgba(0, 0, 0, 0)' && !/^"?Times/.test(style.font) && style.margin === '0px',
        `/static/style.css not applied: body computed style ${JSON.stringify(style)}`);
      await page.screenshot({ path: join(screenshotDir, 'index.png'), fullPage: true });
    });

    await step('click "Post The Second": post page /2/', async () => {
      await Promise.all([
        page.waitForURL(`${base}/2/`),
        page.getByRole('link', { name: 'Post The Second', exact: true }).click(),
      ]);
      check((await page.title()) === 'Post The Second - blogd', `page title is "${await page.title()}"`);
      check((await page.locator('h1').first().innerText()).trim() === 'Post The Second', 'heading is not the post title');
      check((await page.getByText('Content for the Second post').count()) === 1, 'post content not shown');
      check((await page.getByRole('heading', { name: 'Comments' }).count()) >= 1, 'no "Comments" heading');
    });

    await step('add a comment: 303 back to /2/, shown there with its markup escaped', async () => {
      await page.getByPlaceholder('Comment').fill(commentText);
      const resp = await submitAndLoad(page.getByRole('button', { name: 'Add comment' }));
      check(resp.status() === 303, `POST /2/ answered ${resp.status()}, expected 303`);
      check(path() === '/2/', `after adding, the browser is at ${page.url()}, expected /2/`);
      const mine = commentOnPost();
      await mine.first().waitFor();
      check((await mine.count()) === 1, `the comment is shown ${await mine.count()} times on /2/`);
      const text = (await mine.locator('.text').textContent()).trim();
      check(text === commentText, `comment text shown as ${JSON.stringify(text)}, sent ${JSON.stringify(commentText)}`);
      check((await mine.locator('b').count()) === 0, 'the <b> in the comment was rendered as markup (not escaped)');
      const idText = (await mine.locator('.comment-id').textContent()).trim();
      const m = /^#(\d+)$/.exec(idText);
      check(m, `comment id shown as "${idText}", expected #<id>`);
      commentId = Number(m[1]);
      // the seed comments are still there, oldest first, ours last
      const all = await page.locator('.comment .text').allTextContents();
      check(all.length >= 3 && all[all.length - 1].trim() === commentText,
        `comments on /2/ are not oldest first with ours last: ${JSON.stringify(all)}`);
      await page.screenshot({ path: join(screenshotDir, 'post.png'), fullPage: true });
    });

    await step('nav "Comments": "Latest Comments" lists the new comment first, "On Post The Second"', async () => {
      await Promise.all([
        page.waitForURL(`${base}/comments/`),
        page.locator('nav').getByRole('link', { name: 'Comments', exact: true }).click(),
      ]);
      check((await page.title()) === 'Latest Comments - blogd', `page title is "${await page.title()}"`);
      check((await page.locator('h1').first().innerText()).trim() === 'Latest Comments', 'no "Latest Comments" heading');
      const first = page.locator('.comment').first();
      const text = (await first.locator('.text').textContent()).trim();
      check(text === commentText, `first comment is ${JSON.stringify(text)}, expected ours`);
      const idText = (await first.locator('.comment-id').textContent()).trim();
      check(idText === `(#${commentId})`, `first comment id shown as "${idText}", expected "(#${commentId})"`);
      const on = (await first.locator('.on').innerText()).trim();
      check(on === 'On Post The Second', `first comment says "${on}", expected "On Post The Second"`);
      const href = await first.getByRole('link', { name: 'Post The Second' }).getAttribute('href');
      check(new URL(href, base).pathname === '/2/', `"On Post The Second" links to ${href}`);
      await page.screenshot({ path: join(screenshotDir, 'comments.png'), fullPage: true });
    });

    await step('back to the post; "Delete Comment", confirm dismissed: nothing sent, comment stays', async () => {
      await Promise.all([
        page.waitForURL(`${base}/2/`),
        page.locator('.comment').first().getByRole('link', { name: 'Post The Second' }).click(),
      ]);
      const postsBefore = postRequests.length;
      const dialog = page.waitForEvent('dialog');
      const clicked = commentOnPost().getByRole('button', { name: 'Delete Comment' }).click({ noWaitAfter: true });
      const d = await dialog;
      const type = d.type();
      const message = d.message();
      await d.dismiss();
      await clicked;
      check(type === 'confirm', `dialog is a ${type}, expected a confirm`);
      check(message === CONFIRM_TEXT, `confirm says ${JSON.stringify(message)}`);
      await page.waitForTimeout(700); // a submission, if any, would start now
      check(postRequests.length === postsBefore, `dismissing still sent ${postRequests.slice(postsBefore).join(', ')}`);
      check(path() === '/2/', `dismissing left the page for ${page.url()}`);
      check((await commentOnPost().count()) === 1, 'comment gone although the confirm was dismissed');
    });

    await step('"Delete Comment", confirm accepted: 303 to /2/, comment gone there', async () => {
      let message = null;
      page.once('dialog', (d) => {
        message = d.message();
        d.accept();
      });
      const resp = await submitAndLoad(commentOnPost().getByRole('button', { name: 'Delete Comment' }));
      check(message === CONFIRM_TEXT, `confirm said ${JSON.stringify(message)}`);
      check(new URL(resp.url()).pathname === `/comments/${commentId}/delete`,
        `the delete button posted to ${resp.url()}, expected /comments/${commentId}/delete`);
      check(resp.status() === 303, `POST /comments/${commentId}/delete answered ${resp.status()}, expected 303`);
      check(path() === '/2/', `after deleting, the browser is at ${page.url()}, expected /2/`);
      await page.locator('h1', { hasText: 'Post The Second' }).waitFor();
      check((await commentOnPost().count()) === 0, 'the deleted comment is still shown on /2/');
      check((await page.locator(`#c${commentId}`).count()) === 0, `#c${commentId} still on /2/`);
      const rest = await page.locator('.comment .text').allTextContents();
      check(rest.some((t) => t.trim() === 'Comment for the second post'),
        `a seed comment of post 2 vanished too: ${JSON.stringify(rest)}`);
    });

    await step('the deleted comment is gone from /comments/ too', async () => {
      const resp = await page.goto(`${base}/comments/`);
      check(resp && resp.status() === 200, `GET /comments/ answered ${resp && resp.status()}`);
      await page.locator('h1', { hasText: 'Latest Comments' }).waitFor();
      check((await page.locator('.comment').filter({ hasText: String(stamp) }).count()) === 0,
        'the deleted comment is still listed on /comments/');
      const ids = await page.locator('.comment .comment-id').allTextContents();
      check(!ids.map((s) => s.trim()).includes(`(#${commentId})`), `(#${commentId}) still listed on /comments/`);
    });

    await step('no console errors, page errors, CSP violations or failed loads', async () => {
      if (page) await page.waitForTimeout(200); // let late reports arrive
      check(page !== null, 'no page to watch');
      check(problems.length === 0, `${problems.length} problem(s):\n${problems.join('\n')}`);
    }, { always: true });
  } finally {
    if (context) {
      await withTimeout(context.close(), 10_000, 'closing chromium').catch((e) => console.log(`warning: ${e.message}`));
    }
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

const watchdog = setTimeout(() => {
  console.log(`FAIL  whole test exceeded ${TOTAL_MS / 1000}s`);
  console.log(`browser: ${passed} passed, ${failed + 1} failed`);
  process.exit(1);
}, TOTAL_MS);
watchdog.unref();

try {
  await main();
} catch (err) {
  failed++;
  console.log(`FAIL  ${err && err.message ? err.message : err}`);
}
clearTimeout(watchdog);
console.log(`browser: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
