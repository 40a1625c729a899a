/**
 * A real browser for the dashboard tests: Debian's Chromium (installed with apt by
 * `scripts/chromium.ts` when missing) driven with `puppeteer-core`, headless, no browser download.
 * Screenshots go to `test-output/dashboard/` (git-ignored).
 */
import puppeteer, { type Browser, type Page } from "puppeteer-core";
import { ensureChromium } from "../../scripts/chromium.ts";
import { PROJECT_ROOT } from "../e2e/harness.ts";

/** Where the dashboard tests save their screenshots. */
export const SCREENSHOT_DIR = `${PROJECT_ROOT}test-output/dashboard`;

/** Starts headless Chromium at 1280 × 900; close it with `await using`. */
export async function openBrowser(): Promise<Browser & AsyncDisposable> {
  const executablePath = await ensureChromium();
  const browser = await puppeteer.launch({
    executablePath,
    headless: true,
    // Root in a container: Chromium's own sandbox needs user namespaces it may not have.
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
    defaultViewport: { width: 1280, height: 900 },
  });
  return Object.assign(browser, { [Symbol.asyncDispose]: () => browser.close() });
}

/** What a page recorded: uncaught errors and Content-Security-Policy violations. */
export interface PageRecord {
  errors: string[];
  violations: string[];
}

/** A new page that records its errors and CSP violations. */
export async function recordingPage(browser: Browser | Awaited<ReturnType<Browser["createBrowserContext"]>>) {
  const page = await browser.newPage();
  const record: PageRecord = { errors: [], violations: [] };
  page.on("pageerror", (error) => record.errors.push(String(error)));
  page.on("console", (message) => {
    if (/Content Security Policy/i.test(message.text())) record.violations.push(message.text());
  });
  return { page, record };
}

/** Opens `url` and signs in with `credential` through the page's form. */
export async function signIn(page: Page, url: string, credential: string): Promise<void> {
  await page.goto(url);
  await page.waitForSelector("#login:not([hidden])");
  await page.type("#credential", credential);
  await page.keyboard.press("Enter");
  await page.waitForSelector("#login", { hidden: true });
}

/** Saves a full-page screenshot as `<name>.png` under {@link SCREENSHOT_DIR}; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await Deno.mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = `${SCREENSHOT_DIR}/${name}.png` as const;
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Waits until `selector`'s text matches `pattern`. */
export async function waitForText(page: Page, selector: string, pattern: RegExp, timeout = 120_000) {
  // A string, evaluated in the page: the type check here has no DOM library.
  const check = `new RegExp(${JSON.stringify(pattern.source)}, ${JSON.stringify(pattern.flags)}).test(` +
    `document.querySelector(${JSON.stringify(selector)})?.textContent ?? "")`;
  await page.waitForFunction(check, { timeout, polling: 100 });
}
