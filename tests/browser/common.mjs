// What the browser suites share: the demo server, the browser's path, checks,
// screenshots and filling in a member row.

import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
export const root = resolve(here, "..", "..");
export const binary = process.env.SHANYRAK_BIN || join(root, "target", "debug", "shanyrak");
export const chromiumPath = process.env.CHROMIUM || "/usr/bin/chromium";
export const shots = process.env.SCREENSHOT_DIR || join(root, "target", "browser-screenshots");
mkdirSync(shots, { recursive: true });

export const PASSWORD = "shanyrak-demo";
export const ADMIN = "admin@kainar.example.org";

let failures = 0;
export function check(condition, message) {
  if (!condition) {
    failures += 1;
    console.error(`FAIL: ${message}`);
  } else {
    console.log(`ok: ${message}`);
  }
}

/// Prints the verdict the cargo test looks for and exits with it.
export function finish(label) {
  console.log(failures === 0 ? `${label}: all passed` : `${label}: ${failures} failed`);
  process.exit(failures === 0 ? 0 : 1);
}

/// `shanyrak demo --scale small` on a free loopback port, with `extra` arguments:
/// `{ child, base }`.
export function startServer(extra = []) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(binary, ["demo", "--scale", "small", "--bind", "127.0.0.1:0", ...extra], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, RUST_LOG: "warn" },
    });
    let out = "";
    const timer = setTimeout(() => reject(new Error(`demo did not start:\n${out}`)), 60000);
    child.stdout.on("data", (chunk) => {
      out += chunk.toString();
      const m = /running at (http:\/\/[0-9.:]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise({ child, base: m[1] });
      }
    });
    child.stderr.on("data", () => {});
    child.on("exit", (code) => reject(new Error(`demo exited with ${code}:\n${out}`)));
  });
}

/// Debian's headless Chromium.
export function launch() {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
}

export async function shoot(page, name) {
  const size = page.viewportSize();
  await page.screenshot({ path: join(shots, `${name}-360.png`), fullPage: true });
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.screenshot({ path: join(shots, `${name}-1280.png`), fullPage: true });
  await page.setViewportSize(size);
}

/// Signs the demo's admin in on `page`; it lands on the reception form.
export async function signInAsAdmin(page, base) {
  await page.goto(`${base}/login`);
  await page.fill("#email", ADMIN);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/reception$/), page.click("form[action='/login'] button[type=submit]")]);
}

/// Fills member row `i` of the reception form.
export async function fillMember(page, i, m) {
  await page.fill(`#m${i}-surname`, m.surname);
  await page.fill(`#m${i}-given_name`, m.given);
  await page.selectOption(`#m${i}-sex`, m.sex);
  await page.fill(`#m${i}-birth_date`, m.birth);
  await page.selectOption(`#m${i}-relationship`, m.relationship);
  if (m.docType) {
    await page.selectOption(`#m${i}-doc_type`, m.docType);
    await page.fill(`#m${i}-doc_number`, m.docNumber);
  }
}

// A page is settled when the network has been quiet for half a second; a service worker
// or a slow CI machine can keep it busy longer, and then the page's load event is enough.
export async function settled(page) {
  await page.waitForLoadState("networkidle", { timeout: 15000 }).catch(() => page.waitForLoadState("load"));
}
