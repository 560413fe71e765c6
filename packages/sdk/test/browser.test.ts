import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateBearerToken } from '../src/index.js';
import { type SdkFixture, startSdkFixture } from './support/vault-fixture.js';

const CHROMIUM = process.env.STRONGROOM_CHROMIUM ?? '/usr/bin/chromium';
const required = Boolean(process.env.CI || process.env.STRONGROOM_REQUIRE_POSTGRES);
const available = existsSync(CHROMIUM);
if (!available && !required) {
  process.stderr.write(
    `\n*** NOTICE: ${CHROMIUM} is missing; the SDK browser test is SKIPPED.\n*** Install it with: apt-get install -y --no-install-recommends chromium\n\n`,
  );
}

/** A minimal browser app: plain module code, loaded the way a page loads the bundle. */
const APP_PAGE = `<!doctype html>
<title>app</title>
<script type="module">
  import * as sdk from '/app/strongroom-sdk.js';
  window.runScenario = async (vaultId) => {
    const client = new sdk.Skyflow({
      vaultConfigs: [{ vaultId, vaultURL: location.origin }],
      skyflowCredentials: {
        // The backend hands out short-lived tokens; the page never sees service-account credentials.
        getBearerToken: async () => (await (await fetch('/app/token')).json()).accessToken,
      },
    });
    const inserted = await client
      .vault()
      .insert(new sdk.InsertRequest('persons', [{ name: 'Browser Person', ssn: '321-54-9876' }]), { returnTokens: true });
    const record = inserted.insertedFields[0];
    const detokenized = await client.vault().detokenize(
      new sdk.DetokenizeRequest([
        { token: record.name, redactionType: sdk.RedactionType.PLAIN_TEXT },
        { token: record.ssn, redactionType: sdk.RedactionType.MASKED },
      ]),
    );
    return {
      skyflowId: record.skyflowId,
      nameToken: record.name,
      values: detokenized.detokenizedFields.map((d) => d.value),
      errors: detokenized.errors.length,
      userAgent: navigator.userAgent,
    };
  };
  window.appReady = true;
</script>
<p>app</p>`;

const sdkRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The SDK bundle in a real Chromium page, against a real server: the page's origin is the server's (its
 * HTML and the bundle are served by intercepting two paths of that origin), and its credentials are a
 * `getBearerToken` callback asking "the backend" (this test) for a short-lived token, as a browser app
 * would. The page never holds service-account credentials.
 */
describe.skipIf(!available && !required)('the SDK in a browser', () => {
  let f: SdkFixture;
  let browser: Browser;
  let bundle: string;
  let bundleDir: string;
  let tokensHanded = 0;

  beforeAll(async () => {
    if (!available) throw new Error(`${CHROMIUM} is required in CI; install chromium (see .ci/run).`);
    bundleDir = mkdtempSync(path.join(tmpdir(), 'strongroom-sdk-bundle-'));
    // The package's own bundling step, so the test loads what the package ships.
    const built = spawnSync(process.execPath, [path.join(sdkRoot, 'scripts/bundle.mjs'), bundleDir], {
      encoding: 'utf8',
    });
    if (built.status !== 0) throw new Error(`bundling failed: ${built.stderr}`);
    bundle = readFileSync(path.join(bundleDir, 'browser/strongroom-sdk.js'), 'utf8');
    f = await startSdkFixture();
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--headless=new'] });
  });

  afterAll(async () => {
    await browser?.close();
    await f?.close();
    if (bundleDir) rmSync(bundleDir, { recursive: true, force: true });
  });

  it('inserts and detokenizes with a getBearerToken callback', async () => {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.route(`${f.url}/app/**`, async (route) => {
      const { pathname } = new URL(route.request().url());
      if (pathname === '/app/index.html') {
        return route.fulfill({ contentType: 'text/html', body: APP_PAGE });
      }
      if (pathname === '/app/strongroom-sdk.js') return route.fulfill({ contentType: 'text/javascript', body: bundle });
      if (pathname === '/app/token') {
        // "The backend": mints a short-lived bearer token for the signed-in user; the page gets only that.
        tokensHanded++;
        const { accessToken } = await generateBearerToken(f.owner.credentialsPath, { ctx: 'browser-user' });
        return route.fulfill({ contentType: 'application/json', body: JSON.stringify({ accessToken }) });
      }
      return route.fulfill({ status: 404, body: '' });
    });
    await page.goto(`${f.url}/app/index.html`);

    await page.waitForFunction('window.appReady === true');
    const result = (await page.evaluate(`window.runScenario(${JSON.stringify(f.vaultId)})`)) as {
      skyflowId: string;
      nameToken: string;
      values: string[];
      errors: number;
      userAgent: string;
    };

    expect(errors).toEqual([]);
    expect(result.userAgent).toMatch(/Chrome/);
    expect(result.skyflowId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.nameToken).not.toBe('Browser Person');
    expect(result.values).toEqual(['Browser Person', 'XXX-XX-9876']);
    expect(result.errors).toBe(0);
    // One token for both calls: the SDK cached what the backend handed it.
    expect(tokensHanded).toBe(1);
    await page.close();
  });
});
