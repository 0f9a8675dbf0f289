// lib: what the browser tests share: finding their stack (stack.env), the step runner with
// its per-step time limit, and the run's ending (a watchdog over the whole test, the summary
// line, the exit code: 0 only if every step passed).

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

// The stack's directory: $BLOGD_TEST_VAR (the ctest fixture sets it), else the default given.
export function stackVar(fallback) {
  return process.env.BLOGD_TEST_VAR || fallback;
}

// $VAR/stack.env as an object (values unquoted); null when there is no such file.
export function stackEnv(dir) {
  const envFile = join(dir, 'stack.env');
  if (!existsSync(envFile)) return null;
  const env = {};
  for (const line of readFileSync(envFile, 'utf8').split('\n')) {
    const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]] = m[2].trim().replace(/^(['"])(.*)\1$/, '$2');
  }
  return env;
}

// The stack's URL without a trailing slash: $BLOGD_URL, else stack.env's BLOGD_URL.
export function baseUrl(dir) {
  let url = process.env.BLOGD_URL;
  if (!url) {
    const envFile = join(dir, 'stack.env');
    const env = stackEnv(dir);
    if (!env) throw new Error(`no BLOGD_URL and no ${envFile}: is the stack running?`);
    url = env.BLOGD_URL;
    if (!url) throw new Error(`${envFile} has no BLOGD_URL line`);
  }
  return url.replace(/\/+$/, '');
}

export function check(cond, message) {
  if (!cond) throw new Error(message);
}

export function withTimeout(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: timed out after ${ms / 1000}s`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

// The counts of the run, and step(name, fn, {always, independent, ms}): later steps depend on
// earlier ones, so after a failure the rest are skipped, except those marked always; a failed
// independent step does not stop the ones after it.
export const results = { passed: 0, failed: 0, skipped: 0, stopRest: false };

export function steps(defaultMs) {
  return async function step(name, fn, { always = false, independent = false, ms = defaultMs } = {}) {
    if (results.stopRest && !always) {
      results.skipped++;
      console.log(`SKIP  ${name}`);
      return;
    }
    const t0 = Date.now();
    try {
      await withTimeout(Promise.resolve().then(fn), ms, name);
      results.passed++;
      console.log(`PASS  ${name} (${Date.now() - t0} ms)`);
    } catch (err) {
      results.failed++;
      if (!independent) results.stopRest = true;
      const msg = String(err && err.message ? err.message : err).replace(/\x1b\[[0-9;]*m/g, '').split('\n').slice(0, 6).join('\n      ');
      console.log(`FAIL  ${name} (${Date.now() - t0} ms)\n      ${msg}`);
    }
  };
}

// Runs main under a watchdog of totalMs, prints the summary and exits.
export async function run(main, totalMs) {
  const watchdog = setTimeout(() => {
    console.log(`FAIL  whole test exceeded ${totalMs / 1000}s`);
    console.log(`browser: ${results.passed} passed, ${results.failed + 1} failed`);
    process.exit(1);
  }, totalMs);
  watchdog.unref();
  try {
    await main();
  } catch (err) {
    results.failed++;
    console.log(`FAIL  ${err && err.message ? err.message : err}`);
  }
  clearTimeout(watchdog);
  const { passed, failed, skipped } = results;
  console.log(`browser: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
  process.exit(failed === 0 && passed > 0 ? 0 : 1);
}
