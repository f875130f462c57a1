// The reception form with no connection, in a real browser: the real `shanyrak demo`
// binary behind a small proxy that can cut the line (offline for the service worker too,
// whatever the browser emulates) and can answer 502 after the server has done the work.
// Run by the cli crate's integration test (`cargo test -p shanyrak browser`), or by hand:
//
//   SHANYRAK_BIN=target/debug/shanyrak node tests/browser/offline.mjs
//
// Offline, three families are registered and the page reloaded; online again, exactly three
// households arrive although the first send is answered 502 after it was saved; a fourth
// registration that may be a registered person is held and listed for a decision, not
// created; nothing readable is kept on the phone; signing out forgets what was sent.

import http from "node:http";
import { ADMIN, PASSWORD, check, fillMember, finish, launch, shoot, startServer } from "./common.mjs";

/// A proxy in front of the server: `offline` drops every connection, `failOutbox` answers
/// that many outbox sends with 502 after the server has answered them.
function startProxy(target) {
  const upstream = new URL(target);
  const state = { offline: false, failOutbox: 0, outboxSends: 0, failedOutbox: 0 };
  const server = http.createServer((request, response) => {
    if (state.offline) {
      request.socket.destroy();
      return;
    }
    const forward = http.request(
      { host: upstream.hostname, port: upstream.port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        if (request.method === "POST" && request.url === "/reception/outbox") {
          state.outboxSends += 1;
          if (state.failOutbox > 0) {
            state.failOutbox -= 1;
            state.failedOutbox += 1;
            answer.resume();
            answer.on("end", () => {
              response.writeHead(502, { "content-type": "text/plain" });
              response.end("bad gateway");
            });
            return;
          }
        }
        response.writeHead(answer.statusCode, answer.headers);
        answer.pipe(response);
      },
    );
    forward.on("error", () => {
      response.writeHead(502);
      response.end();
    });
    request.pipe(forward);
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      resolve({ state, server, base: `http://127.0.0.1:${server.address().port}` });
    });
  });
}

async function apiToken(base) {
  const response = await fetch(`${base}/api/v1/auth/token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: ADMIN, password: PASSWORD }),
  });
  return (await response.json()).token;
}

/// Households with a member of each surname, counted through the API (and their members,
/// under `members`).
async function households(base, token, surnames) {
  const counts = Object.fromEntries(surnames.map((s) => [s, 0]));
  counts.members = Object.fromEntries(surnames.map((s) => [s, 0]));
  let cursor = "";
  do {
    const response = await fetch(`${base}/api/v1/households?limit=200${cursor ? `&cursor=${cursor}` : ""}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const page = await response.json();
    for (const household of page.items) {
      for (const surname of surnames) {
        if (household.members.some((m) => m.surname === surname)) {
          counts[surname] += 1;
          counts.members[surname] += household.members.length;
        }
      }
    }
    cursor = page.next_cursor ? encodeURIComponent(page.next_cursor) : "";
  } while (cursor);
  return counts;
}

const FAMILIES = [
  { surname: "Офлайнов", members: [{ given: "Олег", sex: "male", birth: "01.02.1985", relationship: "head" }] },
  {
    surname: "Безсетева",
    members: [
      { given: "Анна", sex: "female", birth: "11.03.1990", relationship: "head" },
      { given: "Пётр", sex: "male", birth: "05.06.1988", relationship: "spouse" },
    ],
  },
  { surname: "Тихонов", members: [{ given: "Ильдар", sex: "male", birth: "1979", relationship: "head" }] },
];

async function fillFamily(page, family) {
  await page.fill("#city", "Oral");
  await page.check("input[name=information_given]");
  for (const [i, m] of family.members.entries()) {
    if (i > 0) {
      await page.click("button[name=action][value=add]");
      await page.waitForSelector(`#m${i}-given_name`);
    }
    await fillMember(page, i, { surname: family.surname, ...m });
  }
}

/// Waits (up to 20 s) for a condition of the test's own state.
async function until(condition, what) {
  const deadline = Date.now() + 20000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

const count = async (page, id) => Number(await page.locator(`#outbox-${id}`).innerText());

/// What the outbox holds, read straight from IndexedDB as anyone holding the phone could.
const outboxRaw = (page) =>
  page.evaluate(
    () =>
      new Promise((resolve, reject) => {
        const open = indexedDB.open("shanyrak-outbox");
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const names = [...db.objectStoreNames];
          if (!names.includes("entries")) return resolve({ entries: [], meta: [] });
          const tx = db.transaction(names, "readonly");
          const all = tx.objectStore("entries").getAll();
          const meta = tx.objectStore("meta").getAllKeys();
          tx.oncomplete = () => {
            const text = (buffer) => (buffer ? new TextDecoder("utf-8", { fatal: false }).decode(buffer) : "");
            resolve({
              entries: all.result.map((e) => ({ state: e.state, key: e.key, hasData: "data" in e, text: text(e.data) + JSON.stringify(e) })),
              meta: meta.result,
            });
          };
        };
      }),
  );

async function offlineRegistration(browser, base, proxy, token) {
  const surnames = FAMILIES.map((f) => f.surname).concat(["Волков"]);
  const before = await households(base, token, surnames);
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    locale: "ru-RU",
    extraHTTPHeaders: { "Accept-Language": "ru-RU,ru;q=0.9" },
  });
  const page = await context.newPage();
  await page.goto(`${proxy.base}/login`);
  await page.fill("#email", ADMIN);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/reception$/), page.click("form[action='/login'] button[type=submit]")]);
  // Opened once with a connection: the worker takes the page over and the key is kept.
  await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, null, { timeout: 20000 });
  await page.waitForSelector("#outbox:not([hidden])");
  const kept = await outboxRaw(page);
  check(kept.meta.includes("key"), "the outbox key's public half is kept for use without a connection");
  check(
    (await page.evaluate(() => caches.keys())).includes("shanyrak-pages"),
    "the service worker keeps the reception page",
  );

  // Offline: the line is cut for the page and the worker alike.
  proxy.state.offline = true;
  await context.setOffline(true);
  for (const [n, family] of FAMILIES.entries()) {
    await fillFamily(page, family);
    await page.click("button[name=action][value=save]");
    await page.waitForFunction((expected) => document.getElementById("outbox-waiting").textContent === String(expected), n + 1);
    check(await page.inputValue("#m0-surname") === "", `offline: family ${n + 1} is kept and the form is blank for the next one`);
  }
  check(await page.locator("fieldset.member").count() === 1, "offline: a blank form has one member row again");
  await shoot(page, "offline-01-three-waiting");
  await page.reload();
  await page.waitForSelector("#outbox:not([hidden])");
  await page.waitForFunction(() => document.getElementById("outbox-waiting").textContent === "3");
  check(true, "offline: after a reload, served by the service worker, three registrations wait");
  const raw = await outboxRaw(page);
  check(raw.entries.length === 3 && raw.entries.every((e) => e.state === "waiting"), "offline: three entries in IndexedDB");
  const readable = raw.entries.filter((e) => FAMILIES.some((f) => e.text.includes(f.surname)) || e.text.includes("Oral"));
  check(readable.length === 0, "offline: nothing of a registration is readable in IndexedDB");
  const keys = new Set(raw.entries.map((e) => e.key));
  check(keys.size === 3 && [...keys].every((k) => /^[0-9a-f-]{36}$/.test(k)), "offline: each entry has its own idempotency key");
  const whileOffline = await households(base, token, surnames);
  check(FAMILIES.every((f) => whileOffline[f.surname] === before[f.surname]), "offline: nothing reached the server");

  // A fourth one, offline too: one member may be a person registered already.
  await fillFamily(page, {
    surname: "Волков",
    members: [{
      given: "Илья", sex: "male", birth: "24.12.2001", relationship: "head",
      docType: "ru_internal_passport", docNumber: "4520 910011",
    }],
  });
  await page.click("button[name=action][value=save]");
  await page.waitForFunction(() => document.getElementById("outbox-waiting").textContent === "4");

  // Online again; the first send is saved by the server but answered 502.
  proxy.state.failOutbox = 1;
  proxy.state.offline = false;
  await context.setOffline(false);
  await until(() => proxy.state.failedOutbox === 1, "the first send goes out by itself when the line is back");
  await page.waitForFunction(() => /не отправлено/.test(document.getElementById("outbox-status").textContent), null, { timeout: 20000 });
  check(proxy.state.failedOutbox === 1, "online: the first send was answered 502, and the page says it will try again");
  check(await count(page, "waiting") === 4, `online: after the 502 all four still wait (${await count(page, "waiting")})`);
  const afterFailure = await households(base, token, surnames);
  check(
    afterFailure[FAMILIES[0].surname] === before[FAMILIES[0].surname] + 1 &&
      FAMILIES.slice(1).every((f) => afterFailure[f.surname] === before[f.surname]),
    "online: the first family saved, sent first and answered 502, was saved by the server",
  );
  await page.click("#outbox-send");
  await page.waitForFunction(() => document.getElementById("outbox-waiting").textContent === "0", null, { timeout: 30000 });
  check(await count(page, "sent") === 3, "online: three sent");
  check(await count(page, "decide") === 1, "online: one needs a decision");
  const after = await households(base, token, surnames);
  for (const family of FAMILIES) {
    check(after[family.surname] === before[family.surname] + 1, `exactly one household for ${family.surname} (${after[family.surname] - before[family.surname]})`);
  }
  check(after.members["Безсетева"] - before.members["Безсетева"] === 2, "the member row added offline arrived");
  check(after["Волков"] === before["Волков"], "the possible duplicate was held, not created");
  const held = page.locator("#outbox-list li[data-state=held]");
  check(await held.count() === 1, "the held registration is listed");
  await shoot(page, "offline-02-sent-and-held");

  // The volunteer decides: the form comes back with the evidence, saved under the same key.
  await Promise.all([page.waitForSelector(".duplicates"), held.locator("button").click()]);
  check(await page.locator(".duplicates input[type=radio]").count() >= 2, "the review shows the possible duplicate");
  await page.locator(".duplicates input[type=radio][value='new']").first().check();
  await Promise.all([page.waitForURL(/\/card\?registered=1/), page.click("button[name=action][value=save]")]);
  await page.goto(`${proxy.base}/reception`);
  await page.waitForFunction(() => document.getElementById("outbox-sent").textContent === "4", null, { timeout: 30000 });
  check(await count(page, "decide") === 0, "decided: nothing left to decide");
  const decided = await households(base, token, surnames);
  check(decided["Волков"] === before["Волков"] + 1, "decided: the fourth household is registered once");
  const stored = await outboxRaw(page);
  check(stored.entries.length === 4 && stored.entries.every((e) => e.state === "sent" && !e.hasData), "sent entries keep no data");

  // Signing out forgets what was sent, the kept page and the key.
  await Promise.all([page.waitForURL(/\/login$/), page.click("form[action='/logout'] button")]);
  const left = await outboxRaw(page);
  check(left.entries.length === 0, `signed out: no sent entry is left (${left.entries.length})`);
  check(!left.meta.includes("key"), "signed out: the outbox key is gone");
  check(!(await page.evaluate(() => caches.keys())).includes("shanyrak-pages"), "signed out: the kept page is gone");
  await context.close();
}

const { child, base } = await startServer();
const proxy = await startProxy(base);
let browser;
try {
  browser = await launch();
  await offlineRegistration(browser, base, proxy, await apiToken(base));
} catch (error) {
  check(false, error.stack || String(error));
} finally {
  if (browser) await browser.close();
  proxy.server.close();
  child.kill("SIGTERM");
}
finish("offline browser tests");
