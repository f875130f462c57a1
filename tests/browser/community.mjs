// Capacity from the community, in the run.mjs suite: a family pre-registers on a 360 px
// phone, the desk confirms it in one tap and the household counts in the figures only
// then; a local offers a bed, a coordinator verifies it and the next placement run
// proposes that bed. Screenshots at 360 and 1280 px, like the other steps.

import { check, fillMember, settled, shoot, signInAsAdmin } from "./common.mjs";

/// The dashboard's figure of people registered.
async function persons(page, base) {
  await page.goto(`${base}/dashboard`);
  const text = await page.locator("#figure-persons strong").innerText();
  return Number(text.replace(/\D/g, ""));
}

/// The figure as it settles: figures are snapshots taken at most every 30 s.
async function personsAfter(page, base, seconds, until) {
  const deadline = Date.now() + seconds * 1000;
  let n = await persons(page, base);
  while (!until(n) && Date.now() < deadline) {
    await page.waitForTimeout(3000);
    n = await persons(page, base);
  }
  return n;
}

export async function community(browser, base) {
  const phone = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: "ru-RU" });
  const family = await phone.newPage();
  const desk = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "ru-RU" })).newPage();

  await signInAsAdmin(desk, base);
  const before = await persons(desk, base);

  // 1. The family, in the queue, on its own phone.
  await family.goto(`${base}/pre-register`);
  check(/Предварительная регистрация/.test(await family.locator("h1").innerText()), "the pre-registration page opens without signing in, in Russian");
  const width = await family.evaluate(() => document.documentElement.scrollWidth);
  check(width <= 360, `the pre-registration page fits a 360 px phone (${width})`);
  await fillMember(family, 0, { surname: "Есенова", given: "Дана", sex: "female", birth: "14.05.1991", relationship: "head" });
  await Promise.all([family.waitForLoadState("load"), family.click("button[name=action][value=add]")]);
  await family.waitForSelector("#m1-surname");
  await fillMember(family, 1, { surname: "Есенов", given: "Тимур", sex: "male", birth: "02.02.2017", relationship: "child" });
  await family.fill("#city", "Аксай");
  await family.check("input[name=needs][value=shelter]");
  await shoot(family, "20-pre-register-form");
  await Promise.all([family.waitForSelector("#pre-registration-code"), family.click("button[name=action][value=save]")]);
  const code = (await family.locator("#pre-registration-code").innerText()).trim();
  check(/^[0-9A-Z-]{9,11}$/.test(code), `the family gets a short code (${code})`);
  check(await family.locator(".card svg").count() === 1, "and its QR code");
  check(!/Есенова/.test(await family.locator("main").innerText()), "nothing entered is shown back");
  await shoot(family, "21-pre-register-code");

  // Not a registration yet: the figure does not move (watched for longer than a snapshot).
  const waiting = await personsAfter(desk, base, 35, (n) => n !== before);
  check(waiting === before, `a pre-registration counts in no figure (${before} → ${waiting})`);

  // 2. The desk: the code, the pre-filled form, one tap.
  await desk.goto(`${base}/pre-registrations`);
  await desk.fill("#code", code.toLowerCase());
  await Promise.all([desk.waitForURL(/\/reception\?pre_registration=/), desk.click("form[action='/pre-registrations'] button[type=submit]")]);
  check(await desk.inputValue("#m0-surname") === "Есенова", "the reception form is filled in from the entry");
  await shoot(desk, "22-desk-pre-filled");
  await desk.click("button[name=action][value=save]");
  await desk.waitForURL(/\/card\?registered=1|\/reception$/, { timeout: 20000 });
  await settled(desk);
  if (!/registered=1/.test(desk.url())) {
    check(false, `one tap: ${(await desk.locator(".field-error, #form-errors").allInnerTexts()).join(" / ")}`);
  }
  check(await desk.locator("#reference").count() === 1, "one tap registers the unchanged family");
  await shoot(desk, "23-desk-registered");
  const after = await personsAfter(desk, base, 45, (n) => n === before + 2);
  check(after === before + 2, `the family counts once confirmed (${before} → ${after})`);

  // 3. A local offers a bed in the same town.
  const host = await phone.newPage();
  await host.goto(`${base}/offer-a-bed`);
  check(/Предложить жильё/.test(await host.locator("h1").innerText()), "the offer page opens without signing in");
  const hostWidth = await host.evaluate(() => document.documentElement.scrollWidth);
  check(hostWidth <= 360, `the offer page fits a 360 px phone (${hostWidth})`);
  await host.fill("#city", "Аксай");
  await host.fill("#address", "ул. Победы 12");
  await host.fill("#people", "3");
  await host.check("input[name=rent][value=free]");
  await host.fill("#contact_name", "Айжан");
  await host.fill("#contact_phone", "+7 701 300 40 50");
  await shoot(host, "24-offer-form");
  await Promise.all([host.waitForSelector("#offer-done"), host.click("form[action='/offer-a-bed'] button[type=submit]")]);
  check(await host.locator("#withdraw-link").count() === 1, "the host gets a private withdrawal link");
  await shoot(host, "25-offer-done");

  // 4. The coordinator verifies it; it is a site with a pool.
  await desk.goto(`${base}/host-offers`);
  await shoot(desk, "26-host-offers");
  await Promise.all([desk.waitForURL(/\/host-offers\/[0-9a-f-]+$/), desk.locator("main table a").first().click()]);
  check(/ул\. Победы 12/.test(await desk.locator("main").innerText()), "the coordinator sees the address");
  await desk.fill("#note", "Позвонили, всё подтвердилось");
  await Promise.all([desk.waitForURL(/\/sites\/[0-9a-f-]+$/), desk.click("button[name=action][value=verify]")]);
  check(/частное жильё/.test(await desk.locator("main").innerText()), "the verified offer is a private-accommodation site");
  const sitePath = new URL(desk.url()).pathname;
  await shoot(desk, "27-host-site");

  // 5. The next placement run proposes its bed to the family.
  await desk.goto(`${base}/dispatch`);
  const city = await desk.locator("#city option").evaluateAll((options) =>
    (options.find((o) => /Аксай/.test(o.textContent)) || {}).value);
  check(Boolean(city), "the family's town is in the dispatcher's list");
  if (city) await desk.selectOption("#city", city);
  await Promise.all([desk.waitForURL(/\/dispatch\/batches\//), desk.click("form[action='/dispatch'] button[type=submit]")]);
  await settled(desk);
  const proposals = await desk.locator("main").innerText();
  check(/Частное жильё/.test(proposals) && /частное жильё/.test(proposals), "the placement run proposes the host's bed, marked as a private home");
  await shoot(desk, "28-proposal-host-bed");

  // 6. The site's A4 poster with the pre-registration form's QR code.
  await desk.goto(`${base}${sitePath}/poster`);
  check(await desk.locator(".poster svg").count() === 1, "the site's poster carries a QR code");
  check(/\/pre-register$/.test(await desk.locator(".poster-url").innerText()), "pointing at the pre-registration form");
  await shoot(desk, "29-poster");
  await phone.close();
  await desk.context().close();
}
