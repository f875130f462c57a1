// The public pages against time and abuse, on a demo whose pre-registrations live thirty
// seconds: an expired pre-registration is gone from the desk's list and its code opens
// nothing; the registrars purge spam in bulk; a flood of submissions from one phone is
// throttled (HTTP 429 with a clear message) while the server keeps answering.

import { check, fillMember, finish, launch, settled, shoot, signInAsAdmin, startServer } from "./common.mjs";

const LIFETIME_SECONDS = 30;

/// Fills the public form with a one-person household and sends it; the code shown.
async function preRegister(page, base, surname) {
  await page.goto(`${base}/pre-register`);
  await fillMember(page, 0, { surname, given: "Дана", sex: "female", birth: "14.05.1991", relationship: "head" });
  await page.fill("#city", "Аксай");
  await Promise.all([page.waitForSelector("#pre-registration-code"), page.click("button[name=action][value=save]")]);
  return (await page.locator("#pre-registration-code").innerText()).trim();
}

/// Sends the form on the page `times` times at once from inside the page (its cookie and
/// token), as a script on a phone would: the HTTP statuses.
async function flood(page, formSelector, times) {
  return page.evaluate(async ({ formSelector, times }) => {
    // `form.action` would be the button named "action": read the attribute.
    const form = document.querySelector(formSelector);
    const body = new URLSearchParams(new FormData(form));
    if (!body.has("action")) body.set("action", "save");
    const sends = Array.from({ length: times }, () =>
      fetch(form.getAttribute("action"), { method: "POST", body, redirect: "manual" }).then((r) => r.status));
    return Promise.all(sends);
  }, { formSelector, times });
}

const { child, base } = await startServer(["--pre-registration-expiry", `${LIFETIME_SECONDS}s`]);
const browser = await launch();
try {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "ru-RU" });
  const family = await phone.newPage();
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ru-RU" })).newPage();
  await signInAsAdmin(desk, base);

  // 1. An entry the desk sees while it lives, and not after.
  const code = await preRegister(family, base, "Истекаева");
  const madeAt = Date.now();
  await desk.goto(`${base}/pre-registrations`);
  check((await desk.locator("#pending").innerText()).includes(code), `the desk lists the pending entry ${code}`);
  await shoot(desk, "30-pre-registrations-pending");
  await desk.waitForTimeout(Math.max(0, madeAt + (LIFETIME_SECONDS + 1) * 1000 - Date.now()));
  await desk.goto(`${base}/pre-registrations`);
  check(!(await desk.locator("main").innerText()).includes(code), "an expired pre-registration is gone from the list");
  await desk.fill("#code", code);
  await desk.click("form[action='/pre-registrations'] button[type=submit]");
  await desk.waitForSelector("#open-problem, #m0-surname");
  check(await desk.locator("#open-problem").count() === 1, "its code opens nothing at the desk");
  check(!/Истекаева/.test(await desk.locator("main").innerText()), "and nothing of it is shown");
  await shoot(desk, "31-pre-registration-expired");

  // 2. Spam purged in bulk from the registrars' list.
  const spam = [await preRegister(family, base, "Спамов"), await preRegister(family, base, "Спамова")];
  await desk.goto(`${base}/pre-registrations`);
  for (const c of spam) {
    await desk.locator("#pending tr", { hasText: c }).locator("input[type=checkbox]").check();
  }
  await Promise.all([desk.waitForURL(/purged=2/), desk.click("form[action='/pre-registrations/purge'] button[type=submit]")]);
  const listed = await desk.locator("main").innerText();
  check(await desk.locator("#purged").count() === 1 && !spam.some((c) => listed.includes(c)), "the ticked entries are purged");
  await shoot(desk, "32-pre-registrations-purged");

  // 3. A flood from one phone: the rest of the address's limit is stored, the others are
  // refused with 429, and the person sees why.
  await family.goto(`${base}/pre-register`);
  await fillMember(family, 0, { surname: "Флудов", given: "Бот", sex: "male", birth: "01.01.1990", relationship: "head" });
  await family.fill("#city", "Аксай");
  const statuses = await flood(family, "form[action='/pre-register']", 40);
  const stored = statuses.filter((s) => s === 201).length;
  const refused = statuses.filter((s) => s === 429).length;
  check(stored + refused === 40 && refused >= 30, `a flood of 40 is throttled (${stored} stored, ${refused} refused with 429; ${[...new Set(statuses)].join(", ")})`);
  await family.click("button[name=action][value=save]");
  await family.waitForSelector("p.notice.error, #pre-registration-code");
  check(/Слишком много/.test(await family.locator("main").innerText()), "the refused person reads why");
  await shoot(family, "33-pre-register-throttled");
  await desk.goto(`${base}/pre-registrations`);
  const waiting = await desk.locator("#pending input[type=checkbox]").count();
  check(waiting <= 10, `at most the address's limit is waiting (${waiting})`);

  // The same for the beds offered.
  const host = await phone.newPage();
  await host.goto(`${base}/offer-a-bed`);
  await host.fill("#city", "Аксай");
  await host.fill("#address", "ул. Победы 12");
  await host.fill("#people", "2");
  await host.check("input[name=rent][value=free]");
  await host.fill("#contact_name", "Бот");
  await host.fill("#contact_phone", "+7 701 300 40 50");
  const offers = await flood(host, "form[action='/offer-a-bed']", 30);
  const offered = offers.filter((s) => s >= 200 && s < 300).length;
  check(offers.filter((s) => s === 429).length >= 24, `a flood of 30 offers is throttled (${offered} stored)`);
  await desk.goto(`${base}/host-offers`);
  await settled(desk);
  const rows = await desk.locator("main tbody tr").count();
  check(rows <= 5, `at most the address's limit of offers is listed (${rows})`);
  // The server kept answering throughout.
  const health = await desk.request.get(`${base}/healthz/live`);
  check(health.ok(), "the server still answers");
  await phone.close();
} catch (e) {
  check(false, `abuse suite: ${e.stack || e}`);
} finally {
  await browser.close();
  child.kill();
}
finish("abuse browser tests");
