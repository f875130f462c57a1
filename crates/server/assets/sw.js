// Shanyrak's service worker, registered by outbox.js for the whole site: keeps the assets
// and the blank reception page so that the form opens with no connection on a phone that
// has opened it once; every other request goes to the network untouched. The server fills
// in the version and the assets' URLs.
"use strict";

const VERSION = "__VERSION__";
const ASSETS = "__ASSETS__";
const ASSET_CACHE = `shanyrak-assets-${VERSION}`;
// The blank reception page only (it names the signed-in volunteer, nothing else); emptied
// by outbox.js on sign-out.
const PAGE_CACHE = "shanyrak-pages";
const PAGE = "/reception";

async function keepPage(response) {
  const type = response.headers.get("content-type") || "";
  if (response.ok && !response.redirected && type.startsWith("text/html")) {
    const cache = await caches.open(PAGE_CACHE);
    await cache.put(PAGE, response);
  }
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(ASSET_CACHE);
      await cache.addAll(ASSETS);
      try {
        await keepPage(await fetch(PAGE, { credentials: "same-origin" }));
      } catch (_) {
        // Kept on the next visit instead.
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("shanyrak-assets-") && name !== ASSET_CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (url.pathname === PAGE && url.search === "") {
    // The network first: the page carries a fresh form token; the kept copy without it.
    event.respondWith(
      (async () => {
        try {
          const response = await fetch(request);
          await keepPage(response.clone());
          return response;
        } catch (error) {
          const kept = await caches.match(PAGE, { cacheName: PAGE_CACHE });
          if (kept) return kept;
          throw error;
        }
      })(),
    );
  } else if (url.pathname.startsWith("/assets/")) {
    event.respondWith(
      (async () => (await caches.match(request, { cacheName: ASSET_CACHE })) || fetch(request))(),
    );
  }
});
