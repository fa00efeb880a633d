import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { main } from '../main.ts';
import type { Output } from '../output.ts';
import { Scp } from '../../simulators/scp/scp.ts';
import { storeFindHandler } from '../../simulators/scp/handlers/store.ts';
import { PROFILES } from '../../simulators/matching/profile.ts';
import { loadStorePaths } from '../../simulators/store/load-paths.ts';
import { peersRequired } from '../../simulators/testing/peers.ts';
import { tempDir } from '../../simulators/testing/temp-dir.ts';
import type { VerdictsDoc } from '../../simulators/conformance/verdicts-doc.ts';

/**
 * The report as a QA engineer meets it: a real conformance run against an archive that breaks
 * rules (our SCP with DCMTK dcmqrscp's matching), its report opened in Debian's Chromium.
 */
const CHROMIUM = '/usr/bin/chromium';
const ROOT = path.join(import.meta.dirname, '../..');
const skip = existsSync(CHROMIUM) ? false : peersRequired() ? false : 'chromium not installed (apt-get install -y chromium); REQUIRE_PEERS=1 makes this a failure';

const quiet: Output = { out() {}, err() {} };

test('the report of a vendor run, in a real browser: counts, a sequence chart, raw bytes, a failed scenario opened at its evidence', { skip, timeout: 240_000 }, async () => {
  assert.ok(existsSync(CHROMIUM), `${CHROMIUM} is missing`);
  const { store } = loadStorePaths([path.join(ROOT, 'scenarios/stores/conformance.yaml')]);
  const scp = new Scp({ aeTitle: 'LIKEDCMTK', find: { handler: storeFindHandler(store, { profile: PROFILES.dcmqrscp!, retrieveAeTitle: 'LIKEDCMTK' }) } });
  await scp.listen(0, '127.0.0.1');
  const report = tempDir('browser-report');
  try {
    const code = await main(['conform', '--target-scp', `127.0.0.1:${scp.port}`, '--called-ae', 'LIKEDCMTK', '--store', path.join(ROOT, 'scenarios/stores/conformance.yaml'), '--tags', '@association or @matching or @cancellation', '--report', report], quiet);
    assert.equal(code, 1, 'the run finds fails');
  } finally {
    await scp.close();
  }
  const doc = JSON.parse(readFileSync(path.join(report, 'verdicts.json'), 'utf8')) as VerdictsDoc;
  assert.ok(doc.summary.fail > 0 && doc.summary.pass > 0);
  const html = path.join(report, 'conformance.html');
  const bytes = statSync(html).size;

  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'] });
  try {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(15_000);
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('requestfailed', (r) => errors.push(`request failed: ${r.url()}`));
    await page.goto(`file://${html}`);
    await page.waitForLoadState('load');

    // Header and summary: the system under test, and the counts of verdicts.json.
    const header = await page.locator('header').innerText();
    assert.match(header, /LIKEDCMTK at 127\.0\.0\.1:\d+/);
    assert.match(header, /archive under test/);
    assert.equal(await page.locator('#check-total').innerText(), String(doc.summary.total));
    for (const v of ['pass', 'fail', 'finding', 'error'] as const) {
      assert.equal(await page.locator(`.tile[data-count="${v}"] .n`).innerText(), String(doc.summary[v]), `${v} tile`);
    }
    assert.equal(await page.locator('#headlines tr.h-fail').count(), doc.summary.fail, 'every fail is listed first');

    // A passing scenario: its chart appears on opening; a C-FIND-RQ opens to its identifier, then to its bytes.
    const passed = page.locator('details.scenario.o-pass', { hasText: 'UID list matching — QR-01' }).first();
    await passed.locator('summary').click();
    const chart = passed.locator('svg.msc').first();
    await chart.waitFor({ state: 'visible' });
    await passed.locator('g.r', { hasText: 'C-FIND-RQ' }).first().click();
    const detail = passed.locator('.detail').first();
    await detail.waitFor({ state: 'visible' });
    assert.match(await detail.innerText(), /QueryRetrieveLevel/);
    await detail.locator('button[data-pdu]').first().click();
    const hex = detail.locator('.hex');
    await hex.waitFor({ state: 'visible' });
    assert.match(await hex.innerText(), /^000000 {2}04 00 /);
    assert.match(await detail.locator('table.fields').innerText(), /PDV 1: Message Control Header/);

    // A failed scenario opens at its decisive exchange, with why in words.
    const failed = page.locator('details.scenario.o-fail').first();
    await failed.locator('summary').click();
    const why = failed.locator('.why');
    await why.waitFor({ state: 'visible' });
    assert.match(await why.innerText(), /PS3\.4/);
    assert.equal(await failed.locator('g.r.decisive.sel').count(), 1);

    // Filters: only the fails.
    await page.selectOption('#f-verdict', 'fail');
    const shownFails = await page.locator('details.scenario:not([hidden])').count();
    assert.equal(shownFails, await page.locator('details.scenario.o-fail').count());
    assert.match(await page.locator('#shown').innerText(), new RegExp(`^${shownFails} of \\d+ scenarios shown$`));
    await page.selectOption('#f-verdict', '');
    await page.fill('#search', 'QR-23');
    assert.equal(await page.locator('details.scenario:not([hidden])').count(), 1);
    await page.fill('#search', '');

    await failed.scrollIntoViewIfNeeded();
    const shots = path.join(ROOT, 'reports');
    mkdirSync(shots, { recursive: true });
    await page.screenshot({ path: path.join(shots, 'report-browser-test.png') });
    assert.deepEqual(errors, []);
    assert.ok(bytes < 3_000_000, `report of ${bytes} bytes`);
  } finally {
    await browser.close();
  }
});
