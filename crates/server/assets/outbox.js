// The reception form's offline outbox (the server side is crates/server/src/web/outbox.rs).
//
// Saved with no connection, a registration goes to IndexedDB under an idempotency key made
// when the volunteer taps save, encrypted to the user's outbox key: ECDH P-256 with a fresh
// key per entry, HKDF-SHA-256, AES-GCM with the idempotency key as associated data. The
// phone keeps only the public half; the private half comes from the server to a signed-in
// session and stays in this page's memory. Entries are sent when the connection returns
// (on the `online` event, on every page load, every 30 seconds while any wait, and by the
// button), one request each with its key, so a retry after a lost answer or a 5xx replays.
// Sent entries keep no data, and are forgotten on sign-out with the kept page and key.
(() => {
  "use strict";
  if (!window.indexedDB || !window.crypto || !crypto.subtle) return;

  const DB_NAME = "shanyrak-outbox";
  const ENTRIES = "entries";
  const META = "meta";
  const PAGE_CACHE = "shanyrak-pages";
  const RETRY_MS = 30000;
  const ECDH = { name: "ECDH", namedCurve: "P-256" };
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  // --- IndexedDB -----------------------------------------------------------------------
  let database = null;
  function db() {
    if (!database) {
      database = new Promise((resolve, reject) => {
        const request = indexedDB.open(DB_NAME, 1);
        request.onupgradeneeded = () => {
          request.result.createObjectStore(ENTRIES, { keyPath: "key" });
          request.result.createObjectStore(META);
        };
        request.onsuccess = () => resolve(request.result);
        request.onerror = () => reject(request.error);
      });
    }
    return database;
  }
  async function read(store, fn) {
    const tx = (await db()).transaction(store, "readonly");
    const request = fn(tx.objectStore(store));
    return new Promise((resolve, reject) => {
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  // Resolves once the write is on disk ("strict"), so a tab closed right after keeps it.
  async function write(store, fn) {
    const tx = (await db()).transaction(store, "readwrite", { durability: "strict" });
    fn(tx.objectStore(store));
    return new Promise((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
  }
  const entries = () => read(ENTRIES, (s) => s.getAll());
  const publicKey = () => read(META, (s) => s.get("key"));

  // --- Encryption ------------------------------------------------------------------------
  const bytes = (b64) => Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  async function aesKey(privateKey, otherPublic, salt, usage) {
    const shared = await crypto.subtle.deriveBits({ name: "ECDH", public: otherPublic }, privateKey, 256);
    const hkdf = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
    return crypto.subtle.deriveKey(
      { name: "HKDF", hash: "SHA-256", salt, info: encoder.encode("shanyrak-outbox") },
      hkdf,
      { name: "AES-GCM", length: 256 },
      false,
      [usage],
    );
  }
  async function seal(spki, key, fields) {
    const recipient = await crypto.subtle.importKey("spki", spki, ECDH, false, []);
    const ephemeral = await crypto.subtle.generateKey(ECDH, false, ["deriveBits"]);
    const epk = await crypto.subtle.exportKey("raw", ephemeral.publicKey);
    const aes = await aesKey(ephemeral.privateKey, recipient, epk, "encrypt");
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt(
      { name: "AES-GCM", iv, additionalData: encoder.encode(key) },
      aes,
      encoder.encode(JSON.stringify(fields)),
    );
    return { epk, iv, data };
  }
  async function unseal(privateKey, entry) {
    const sender = await crypto.subtle.importKey("raw", entry.epk, ECDH, false, []);
    const aes = await aesKey(privateKey, sender, entry.epk, "decrypt");
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: entry.iv, additionalData: encoder.encode(entry.key) },
      aes,
      entry.data,
    );
    return JSON.parse(decoder.decode(plain));
  }

  // --- The session's key -----------------------------------------------------------------
  // { keyId, privateKey, csrf } while signed in; the private key never leaves this page.
  let session = null;
  async function signedIn() {
    if (session) return session;
    const response = await fetch("/reception/outbox/key", {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    });
    const json = (response.headers.get("content-type") || "").startsWith("application/json");
    if (response.redirected || !response.ok || !json) return null;
    const body = await response.json();
    const spki = bytes(body.public_key);
    await write(META, (s) => s.put({ keyId: body.key_id, spki }, "key"));
    session = {
      keyId: body.key_id,
      privateKey: await crypto.subtle.importKey("pkcs8", bytes(body.private_key), ECDH, false, ["deriveBits"]),
      csrf: body.csrf,
    };
    return session;
  }

  // --- The panel ---------------------------------------------------------------------------
  const panel = () => document.getElementById("outbox");
  const text = (name) => (panel() && panel().dataset[name]) || "";
  function say(message) {
    const status = document.getElementById("outbox-status");
    if (status) status.textContent = message;
  }
  const time = (ms) => new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  const waiting = (e) => e.state === "waiting";
  const toDecide = (e) => e.state === "held" || e.state === "invalid";

  async function render() {
    const root = panel();
    if (!root) return;
    root.hidden = false;
    const key = await publicKey();
    const mine = (await entries()).filter((e) => key && e.keyId === key.keyId);
    mine.sort((a, b) => a.savedAt - b.savedAt);
    document.getElementById("outbox-waiting").textContent = mine.filter(waiting).length;
    document.getElementById("outbox-sent").textContent = mine.filter((e) => e.state === "sent").length;
    document.getElementById("outbox-decide").textContent = mine.filter(toDecide).length;
    const list = document.getElementById("outbox-list");
    list.replaceChildren();
    for (const entry of mine.filter((e) => e.state !== "waiting")) {
      const item = document.createElement("li");
      item.dataset.state = entry.state;
      if (entry.state === "sent") {
        const link = document.createElement("a");
        link.textContent = `${time(entry.savedAt)} · ${text("done")}`;
        if (entry.card) link.href = entry.card;
        item.append(link);
      } else {
        item.append(`${time(entry.savedAt)} · ${text(entry.state)} `);
        const button = document.createElement("button");
        button.type = "button";
        button.className = "secondary";
        button.textContent = text("review");
        button.addEventListener("click", () => review(entry.key));
        item.append(button);
      }
      list.append(item);
    }
  }

  // --- Saving without a connection ---------------------------------------------------------
  // `key` is the form's own submission key when a save already went out and its answer was
  // lost (the server may have it: a retry must replay), else a new one made now.
  async function keep(form, key) {
    const kept = await publicKey();
    if (!kept) {
      say(text("noKey"));
      return false;
    }
    const fields = [];
    for (const [name, value] of new FormData(form)) {
      if (typeof value === "string" && name !== "csrf" && name !== "action") fields.push([name, value]);
    }
    const sealed = await seal(kept.spki, key, fields);
    await write(ENTRIES, (s) => s.put({ key, keyId: kept.keyId, savedAt: Date.now(), state: "waiting", ...sealed }));
    return true;
  }

  // A blank form for the next family: the first member row only.
  function blank(form) {
    form.reset();
    form.querySelectorAll("fieldset.member").forEach((row, i) => { if (i > 0) row.remove(); });
    const count = form.querySelector("input[name=member_count]");
    if (count) count.value = "1";
    form.querySelectorAll(".duplicates").forEach((d) => d.remove());
    const first = form.querySelector("input:not([type=hidden])");
    if (first) first.focus();
    window.scrollTo(0, 0);
  }

  // A member row added with no connection: the first row copied with its numbers changed,
  // the surname carried over as the server does.
  function addRow(form) {
    const rows = form.querySelectorAll("fieldset.member");
    const first = rows[0];
    const count = form.querySelector("input[name=member_count]");
    if (!first || !count) return;
    const n = rows.length;
    const html = first.outerHTML
      .replace(/\bm0([.-])/g, `m${n}$1`)
      .replace(/\b(member|dup-title|dup|remove)-0\b/g, `$1-${n}`)
      .replace(/members([/-])0([/-])/g, `members$1${n}$2`)
      .replace(/(&quot;|")check_member(&quot;|"): (&quot;|")0(&quot;|")/g, `$1check_member$2: $3${n}$4`);
    const template = document.createElement("template");
    template.innerHTML = html;
    const row = template.content.firstElementChild;
    row.querySelectorAll("input[type=hidden]").forEach((i) => i.remove());
    row.querySelectorAll(".field-error, .duplicates").forEach((e) => e.remove());
    row.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
    row.querySelectorAll("input").forEach((input) => {
      if (input.type === "checkbox" || input.type === "radio") input.checked = false;
      else input.value = "";
    });
    row.querySelectorAll("select").forEach((select) => { select.selectedIndex = 0; });
    const legend = row.querySelector("legend");
    if (legend) legend.textContent = legend.textContent.replace(/\d+/, String(n + 1));
    rows[n - 1].after(row);
    const surname = form.querySelector(`[name="m${n}.surname"]`);
    const previous = form.querySelector(`[name="m${n - 1}.surname"]`);
    if (surname && previous) surname.value = previous.value;
    const relationship = form.querySelector(`[name="m${n}.relationship"]`);
    if (relationship) relationship.value = n === 1 ? "spouse" : "child";
    count.value = String(n + 1);
    if (window.htmx) window.htmx.process(row);
    const given = form.querySelector(`[name="m${n}.given_name"]`);
    if (given) given.focus();
  }

  async function offline(form, action, key) {
    if (action === "save") {
      if (await keep(form, key || crypto.randomUUID())) {
        blank(form);
        say(text("saved"));
      }
      await render();
    } else if (action === "add") {
      addRow(form);
    } else {
      say(text("offlineCheck"));
    }
  }

  // --- Sending -------------------------------------------------------------------------------
  let sending = null;
  function send() {
    if (!sending) {
      sending = sendAll()
        .catch(() => say(text("failed")))
        .finally(() => { sending = null; return render(); });
    }
    return sending;
  }
  async function sendAll() {
    let pending = (await entries()).filter((e) => e.state !== "sent");
    if (!pending.length || !navigator.onLine) return;
    const current = await signedIn();
    if (!current) {
      say(text("signIn"));
      return;
    }
    // Another user's entries wait for that user's session: only it can read them. The
    // rest go in the order they were saved.
    pending = pending.filter((e) => e.keyId === current.keyId).sort((a, b) => a.savedAt - b.savedAt);
    for (const entry of pending) {
      say(text("sending"));
      const fields = await unseal(current.privateKey, entry);
      const body = new URLSearchParams(fields);
      body.set("csrf", current.csrf);
      const headers = { Accept: "application/json", "Idempotency-Key": entry.key };
      // A held or faulty entry is only asked after: registered meanwhile (Review) or not.
      // Sent in full again, it would be checked for duplicates again, which is logged and
      // counted against look-ups in partners' records.
      if (toDecide(entry)) headers["Outbox-Probe"] = "1";
      let response;
      try {
        response = await fetch("/reception/outbox", { method: "POST", credentials: "same-origin", headers, body });
      } catch (_) {
        say(text("failed"));
        return;
      }
      const json = (response.headers.get("content-type") || "").startsWith("application/json");
      if (!json) {
        // A 5xx, an expired session or a stale form token: the entry waits for the next try.
        if (response.status === 403 || response.redirected) session = null;
        say(text("failed"));
        return;
      }
      const result = await response.json();
      if (result.outcome === "registered" || result.outcome === "saved_before") {
        await write(ENTRIES, (s) => s.put({
          key: entry.key, keyId: entry.keyId, savedAt: entry.savedAt, sentAt: Date.now(), state: "sent", card: result.card || null,
        }));
      } else if (result.outcome !== "unchanged") {
        const state = result.outcome === "needs_decision" ? "held" : "invalid";
        await write(ENTRIES, (s) => s.put({ ...entry, state }));
      }
    }
    say("");
  }

  // The reception form with the entry's fields, posted as if typed and saved: the server
  // shows the possible duplicates (or the mistakes) and saves under the entry's key, so the
  // next send finds it registered.
  async function review(key) {
    const current = await signedIn();
    const entry = (await entries()).find((e) => e.key === key);
    if (!current || !entry || !entry.data) return;
    const fields = await unseal(current.privateKey, entry);
    const form = document.createElement("form");
    form.method = "post";
    form.action = "/reception";
    form.hidden = true;
    const add = (name, value) => {
      const input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      input.value = value;
      form.append(input);
    };
    for (const [name, value] of fields) if (name !== "submission") add(name, value);
    add("submission", key);
    add("csrf", current.csrf);
    add("action", "save");
    document.body.append(form);
    form.submit();
  }

  // --- Signing out: what was sent, the kept page and the key go. -------------------------------
  async function forget() {
    const sent = (await entries()).filter((e) => e.state === "sent").map((e) => e.key);
    await write(ENTRIES, (s) => sent.forEach((key) => s.delete(key)));
    await write(META, (s) => s.delete("key"));
    if (window.caches) await caches.delete(PAGE_CACHE);
    session = null;
  }

  // --- Wiring --------------------------------------------------------------------------------
  let lastAction = null;
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement)) return;
      if (form.getAttribute("action") === "/logout") {
        event.preventDefault();
        event.stopImmediatePropagation();
        const out = () => form.submit();
        (navigator.onLine ? send() : Promise.resolve()).then(forget).then(out, out);
        return;
      }
      if (form.getAttribute("action") !== "/reception" || !panel()) return;
      const submitter = event.submitter;
      lastAction = submitter && submitter.name === "action" ? submitter.value : "save";
      if (navigator.onLine) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      offline(form, lastAction);
    },
    true,
  );
  // Online by the browser's account, but the save did not get through.
  document.addEventListener("htmx:sendError", (event) => {
    const form = event.detail && event.detail.elt;
    if (!(form instanceof HTMLFormElement) || form.getAttribute("action") !== "/reception") return;
    if (lastAction !== "save") return;
    const submission = form.querySelector("input[name=submission]");
    offline(form, "save", submission && submission.value);
  });

  let timer = null;
  async function start() {
    if (panel()) {
      if (navigator.serviceWorker) {
        navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(() => {});
      }
      document.getElementById("outbox-send").onclick = () => send();
      if (navigator.onLine) await signedIn().catch(() => null);
      await render();
    }
    if (navigator.onLine) await send();
    if (!timer) {
      timer = setInterval(async () => {
        if ((await entries()).some((e) => e.state === "waiting")) send();
      }, RETRY_MS);
    }
  }
  window.addEventListener("online", () => send());
  window.addEventListener("offline", () => say(text("offline")));
  document.addEventListener("DOMContentLoaded", () => start().catch(() => {}));
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.target === document.body) start().catch(() => {});
  });
})();
