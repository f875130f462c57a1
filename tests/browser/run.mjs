// Browser tests: the real `shanyrak demo` binary driven through Debian's headless
// Chromium with playwright-core. Run by the cli crate's integration test
// (`cargo test -p shanyrak browser`), or by hand:
//
//   SHANYRAK_BIN=target/debug/shanyrak node tests/browser/run.mjs
//
// Screenshots of every step at 360 px and 1280 px go to target/browser-screenshots/.

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ADMIN, PASSWORD, check, fillMember, finish, launch, root, settled, shoot, startServer } from "./common.mjs";
import { community } from "./community.mjs";

const MAX_PAGE_BYTES = 100 * 1024;

// Every message id: none may show up as text on a page.
const messageIds = readFileSync(join(root, "crates", "server", "locales", "ru.ftl"), "utf8")
  .split("\n")
  .map((line) => /^([a-z][a-z0-9-]*)\s*=/.exec(line))
  .filter(Boolean)
  .map((m) => m[1]);

async function pageChecks(page, label) {
  const text = await page.evaluate(() => document.body.innerText);
  const leaked = messageIds.filter((id) => new RegExp(`(^|[^a-z0-9-])${id}([^a-z0-9-]|$)`).test(text));
  check(leaked.length === 0, `${label}: no untranslated message id (${leaked.slice(0, 3).join(", ")})`);
  check(!/\{\s*\$/.test(text), `${label}: no unfilled Fluent placeable`);
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  const viewport = page.viewportSize().width;
  check(width <= viewport, `${label}: fits ${viewport} px without sideways scrolling (${width})`);
  const unlabelled = await page.evaluate(() =>
    [...document.querySelectorAll("input:not([type=hidden]), select, textarea")]
      .filter((el) => !el.hidden && el.type !== "submit")
      .filter((el) => {
        if (el.getAttribute("aria-label")) return false;
        if (el.id && document.querySelector(`label[for="${el.id}"]`)) return false;
        return !el.closest("label");
      })
      .map((el) => el.name || el.id),
  );
  check(unlabelled.length === 0, `${label}: every control has a label (${unlabelled.join(", ")})`);
}

/// Bytes received for one navigation (bodies as transferred, compressed, plus headers).
function meter(page) {
  let bytes = 0;
  const pending = [];
  const onResponse = (response) => {
    pending.push(
      response
        .request()
        .sizes()
        .then((s) => { bytes += s.responseBodySize + s.responseHeadersSize; })
        .catch(() => {}),
    );
  };
  page.on("response", onResponse);
  return async () => {
    // `sizes()` of a request that the navigation cut off (an htmx refresh of the page
    // being left) can stay pending for ever: count what arrived within five seconds.
    await Promise.race([Promise.all(pending), new Promise((done) => setTimeout(done, 5000))]);
    page.off("response", onResponse);
    return bytes;
  };
}

async function visit(page, url, label, { first = false } = {}) {
  const done = meter(page);
  await page.goto(url);
  await settled(page);
  const bytes = await done();
  if (!first) {
    check(bytes < MAX_PAGE_BYTES, `${label}: ${bytes} bytes transferred (< 100 KB)`);
  }
  await pageChecks(page, label);
}

async function figure(page, id) {
  const text = await page.locator(`#${id} strong`).innerText();
  return Number(text.replace(/\D/g, ""));
}

async function login(page, base) {
  await page.goto(`${base}/login`);
  await page.fill("#email", ADMIN);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/reception$/), page.click("form[action='/login'] button[type=submit]")]);
}

async function addMember(page, count) {
  await Promise.all([
    page.waitForSelector(`#member-${count}`),
    page.click("button[name=action][value=add]"),
  ]);
}

async function withJavaScript(browser, base) {
  const context = await browser.newContext({
    viewport: { width: 360, height: 740 },
    locale: "ru-RU",
    extraHTTPHeaders: { "Accept-Language": "ru-RU,ru;q=0.9" },
  });
  const page = await context.newPage();

  // 1. Sign in (the first visit fetches the assets).
  await visit(page, `${base}/login`, "login", { first: true });
  await shoot(page, "01-login");
  await page.fill("#email", ADMIN);
  await page.fill("#password", PASSWORD);
  await Promise.all([page.waitForURL(/\/reception$/), page.click("form[action='/login'] button[type=submit]")]);
  check(true, "signed in and landed on reception");

  // 2. The dashboard before.
  await visit(page, `${base}/dashboard`, "dashboard");
  const occupiedBefore = await figure(page, "figure-occupied");
  await shoot(page, "02-dashboard-before");
  // On a 360 px phone the charts keep readable labels (the chart scrolls sideways).
  const labelHeights = await page.locator("svg.chart text").evaluateAll((texts) => texts.map((t) => t.getBoundingClientRect().height));
  check(labelHeights.length > 0 && Math.min(...labelHeights) >= 10, `chart labels are at least 10 px tall on a phone (smallest ${Math.min(...labelHeights).toFixed(1)} px)`);

  // 3. Register a family of four; one member is already registered.
  await visit(page, `${base}/reception`, "reception");
  await page.fill("#city", "Oral");
  await page.check("input[name=needs][value=shelter]");
  await page.check("input[name=information_given]");
  await fillMember(page, 0, { surname: "Волкова", given: "Мария", sex: "female", birth: "03.04.1975", relationship: "head" });
  await addMember(page, 1);
  await fillMember(page, 1, {
    surname: "Волков", given: "Илья", sex: "male", birth: "24.12.2001", relationship: "child",
    docType: "ru_internal_passport", docNumber: "4520 910011",
  });
  await page.press("#m1-doc_number", "Tab");
  await page.waitForSelector("#dup-1 .duplicates", { timeout: 15000 });
  const warning = await page.locator("#dup-1").innerText();
  check(/Волков Илья/.test(warning) && /24\.12\.2001/.test(warning), "the possible duplicate shows with its evidence");
  await shoot(page, "03-duplicate-warning");
  check(await page.locator("#dup-1 input[type=radio]:checked").count() === 0, "nothing is chosen for the volunteer");
  await page.locator("#dup-1 input[type=radio]:not([value='new'])").first().check();
  await addMember(page, 2);
  await fillMember(page, 2, { surname: "Волкова", given: "Софья", sex: "female", birth: "2015", relationship: "child" });
  await addMember(page, 3);
  await fillMember(page, 3, { surname: "Волков", given: "Максим", sex: "male", birth: "12.06.2018", relationship: "child" });
  check(await page.locator("#dup-1 input[type=radio]:checked:not([value='new'])").count() === 1, "attach choice survives adding members");
  // Saving checks every member again: one that may be registered already and has no
  // answer stops the save with its evidence; the volunteer answers "a different person".
  await page.click("button[name=action][value=save]");
  await Promise.race([
    page.waitForURL(/\/card\?registered=1/),
    page.waitForSelector(".duplicates.invalid, #form-errors", { timeout: 30000 }),
  ]);
  if (!page.url().includes("/card")) {
    const undecided = page.locator(".duplicates.invalid input[type=radio][value='new']");
    check(await undecided.count() > 0, `a save without an answer is stopped with the evidence: ${(await page.locator("main").innerText()).slice(0, 600)}`);
    for (const radio of await undecided.all()) await radio.check();
    await Promise.all([page.waitForURL(/\/card\?registered=1/), page.click("button[name=action][value=save]")]);
  }
  check(page.url().includes("attached=1"), "the attached member is linked");
  const reference = (await page.locator("#reference").innerText()).trim();
  check(/^[0-9A-Z]{3}-[0-9A-Z]{3}-[0-9A-Z]{3}$/.test(reference), `card shows the reference code ${reference}`);
  check(await page.locator(".card svg").count() === 1, "card shows a QR code");
  check(/связан/.test(await page.locator("#registered").innerText()), "card says one member was linked to the existing person");
  await pageChecks(page, "card");
  await shoot(page, "04-card");

  // 4. Find them by a Latin spelling of the Cyrillic name.
  await visit(page, `${base}/find`, "find");
  await page.fill("#q", "Volkova Mariya");
  await Promise.all([page.waitForSelector("#results-title"), page.click("form.search button[type=submit]")]);
  const results = await page.locator("table").innerText();
  check(/Волкова Мария/.test(results) && results.includes(reference), "Latin search finds the Cyrillic name");
  check(!page.url().includes("Volkova"), "the search text stays out of the URL");
  await pageChecks(page, "find results");
  await shoot(page, "05-find");

  // 5. Propose and accept a placement.
  await visit(page, `${base}/dispatch`, "dispatch");
  await page.selectOption("#city", "Oral");
  await Promise.all([page.waitForURL(/\/dispatch\/batches\//), page.click("form[action='/dispatch'] button[type=submit]")]);
  await settled(page);
  const proposals = await page.locator("main").innerText();
  check(proposals.includes(reference), "the new family has a proposal with a reason");
  await pageChecks(page, "proposals");
  await shoot(page, "06-proposals");
  check(await page.locator("input[type=radio][value=accept]:checked").count() === 0, "no proposal is accepted by default");
  // Other sites are offered once searched for, by name or by any name of their town.
  check(await page.locator("optgroup[label='Найдено поиском']").count() === 0, "nothing found before a search");
  await page.fill("#find", "Uralsk");
  await Promise.all([page.waitForURL(/find=Uralsk/), page.click("#find-sites button[type=submit]")]);
  check(await page.locator(`tr:has-text('${reference}') optgroup[label='Найдено поиском'] option`).count() > 0, "a search by another name of the town adds its pools to the row");
  await pageChecks(page, "proposals with a search");
  await shoot(page, "06b-proposals-search");
  await page.locator(`tr:has-text('${reference}') input[type=radio][value=accept]`).check();
  await Promise.all([page.waitForSelector("#decided, .notice"), page.click("form button[type=submit]:has-text('Применить')")]);
  check(await page.locator("#decided").count() === 1, "decisions applied without failures");
  await shoot(page, "07-accepted");

  // 6. Check them in at the site with the code from the card.
  await visit(page, `${base}/sites`, "sites");
  await shoot(page, "08-sites");
  const household = (await page.locator("main").innerText());
  check(/Oral/.test(household), "sites listed by city");
  await page.click("a:has-text('Жайык')");
  await page.waitForSelector("#reference");
  await page.fill("#reference", reference.replace(/-/g, "").toLowerCase());
  await Promise.all([page.waitForSelector("#outcome"), page.click("form[action$='/check-in'] button[type=submit]")]);
  check(/Заселены/.test(await page.locator("#outcome").innerText()), "checked in by reference code");
  await pageChecks(page, "site");
  await shoot(page, "09-checked-in");

  // 7. Hand out essentials: the entitlement shows, a second parcel needs a reason.
  await visit(page, `${base}/distribute`, "distribute");
  await page.fill("#reference", reference);
  await Promise.all([page.waitForURL(/\/distribute\/[0-9a-f-]+\?point=/), page.click("form[action='/distribute'] button[type=submit]")]);
  await pageChecks(page, "entitlements");
  await shoot(page, "10-entitlements");
  const distributeUrl = page.url();
  // Nothing is preset; "everything they are owed" fills the allowances in.
  const presets = await page.locator("form[action^='/distribute/'] input[type=number]").evaluateAll((inputs) => inputs.map((i) => i.value));
  check(presets.length > 0 && presets.every((v) => v === "0"), "no quantity is preset");
  await page.click("#distribute-fill");
  await page.waitForFunction(() => [...document.querySelectorAll("form[action^='/distribute/'] input[type=number]")].some((i) => i.value !== "0"));
  await Promise.all([page.waitForSelector("#distributed"), page.click("#distribute-submit")]);
  check(/записана/.test(await page.locator("#distributed").innerText()), "distribution recorded within the entitlement");
  const food = page.locator("tr:has-text('Продуктовый набор') input[type=number]");
  await food.fill("1");
  await Promise.all([page.waitForSelector("#err-override_reason"), page.click("#distribute-submit")]);
  check(/причину/.test(await page.locator("#err-override_reason").innerText()), "a second food parcel this week needs a reason");
  check(/Продуктовый набор: выдаёте 1, положено ещё 0/.test(await page.locator("#over-items").innerText()), "the error names the item beyond the entitlement");
  await shoot(page, "11-override-needed");
  for (const input of await page.locator("form[action^='/distribute/'] input[type=number]").all()) await input.fill("0");
  await page.locator("tr:has-text('Продуктовый набор') input[type=number]").fill("1");
  await page.fill("#override_reason", "семья из четырёх, дети");
  await Promise.all([page.waitForSelector("#distributed"), page.click("#distribute-submit")]);
  check(/Продуктовый набор × 1/.test(await page.locator("main").innerText()), "the override is recorded and listed");

  // 8. The dashboard count changed.
  await visit(page, `${base}/dashboard`, "dashboard after");
  const occupiedAfter = await figure(page, "figure-occupied");
  check(occupiedAfter === occupiedBefore + 4, `occupied beds went from ${occupiedBefore} to ${occupiedAfter}`);
  await shoot(page, "12-dashboard-after");

  // 9. Switch to English and back; the choice is remembered.
  await Promise.all([page.waitForSelector("h1:has-text('Dashboard')"), page.selectOption("#lang-select", "en")]);
  await pageChecks(page, "dashboard in English");
  await shoot(page, "13-english");
  // The catalogue in the reader's language.
  await visit(page, distributeUrl, "distribution in English");
  check(/Food parcel/.test(await page.locator("main").innerText()), "item names in English");
  check(!/Продуктовый набор/.test(await page.locator("form[action^='/distribute/']").innerText()), "no Russian item name left on the form");
  await shoot(page, "13b-distribute-english");
  await visit(page, `${base}/reception`, "reception in English");
  check(await page.locator("h1").innerText() === "Reception: new registration", "English is remembered on the next page");
  for (const lang of ["kk", "ky"]) {
    await page.selectOption("#lang-select", lang);
    await page.waitForFunction((l) => document.documentElement.lang === l, lang);
    await pageChecks(page, `reception in ${lang}`);
    await shoot(page, `14-reception-${lang}`);
  }
  await Promise.all([page.waitForSelector("h1:has-text('Приём')"), page.selectOption("#lang-select", "ru")]);
  check(true, "switched back to Russian");
  await context.close();
  return reference;
}

async function withoutJavaScript(browser, base, reference) {
  const context = await browser.newContext({
    javaScriptEnabled: false,
    viewport: { width: 360, height: 740 },
    extraHTTPHeaders: { "Accept-Language": "ru" },
  });
  const page = await context.newPage();
  await login(page, base);
  await page.fill("#city", "Oral");
  await page.check("input[name=information_given]");
  await fillMember(page, 0, { surname: "Орлов", given: "Пётр", sex: "male", birth: "1980", relationship: "head" });
  await Promise.all([page.waitForURL(/\/reception$/), page.click("button[name=action][value=add]")]);
  check(await page.locator("#member-1").count() === 1, "without JavaScript: adding a member row works");
  check(await page.inputValue("#m0-surname") === "Орлов", "without JavaScript: typed values survive the round trip");
  await fillMember(page, 1, { surname: "Орлова", given: "Нина", sex: "female", birth: "31.02.1982", relationship: "spouse" });
  await page.click("button[name=action][value=save]");
  await page.waitForLoadState("load");
  check(await page.locator("#err-members-1-birth_date").count() === 1, "without JavaScript: the bad date is pointed out next to its field");
  await pageChecks(page, "reception with errors, no JavaScript");
  await shoot(page, "15-nojs-errors");
  await page.fill("#m1-birth_date", "28.02.1982");
  await Promise.all([page.waitForURL(/\/card\?registered=1/), page.click("button[name=action][value=save]")]);
  check(await page.locator("#reference").count() === 1, "without JavaScript: registration saved");
  await shoot(page, "16-nojs-card");
  await page.goto(`${base}/find`);
  await page.fill("#q", reference);
  await Promise.all([page.waitForURL(/\/find$/), page.click("form.search button[type=submit]")]);
  check(/Волкова Мария/.test(await page.locator("main").innerText()), "without JavaScript: find by reference code");
  await page.click("form[action='/logout'] button");
  await page.waitForURL(/\/login$/);
  await page.goto(`${base}/reception`);
  check(/\/login/.test(page.url()), "after signing out the session no longer works");
  await context.close();
}

const { child, base } = await startServer();
let browser;
try {
  browser = await launch();
  const reference = await withJavaScript(browser, base);
  await withoutJavaScript(browser, base, reference);
  await community(browser, base);
} catch (error) {
  check(false, error.stack || String(error));
} finally {
  if (browser) await browser.close();
  child.kill("SIGTERM");
}
finish("browser tests");
