// Small conveniences on top of forms that work without JavaScript.
(function () {
  "use strict";
  // Language switch: choose and go, no extra button press.
  function wireAutosubmit(root) {
    root.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
      if (select.dataset.wired) return;
      select.dataset.wired = "1";
      var button = select.form && select.form.querySelector("button[type=submit]");
      if (button) button.hidden = true;
      select.addEventListener("change", function () {
        if (select.form.requestSubmit) select.form.requestSubmit(); else select.form.submit();
      });
    });
  }
  // The document type chooses the number's keyboard, pattern and example.
  function applyDocumentFormat(select) {
    var option = select.options[select.selectedIndex];
    var input = document.getElementById(select.dataset.numberInput || "");
    if (!option || !input) return;
    input.placeholder = option.dataset.example || "";
    input.inputMode = option.dataset.inputmode || "text";
    input.disabled = option.value === "none";
  }
  function wireDocuments(root) {
    root.querySelectorAll("select[data-number-input]").forEach(function (select) {
      applyDocumentFormat(select);
      if (select.dataset.wired) return;
      select.dataset.wired = "1";
      select.addEventListener("change", function () { applyDocumentFormat(select); });
    });
  }
  // Check-in by QR: where the phone can read codes (BarcodeDetector), scan into the field.
  function wireScanner(root) {
    root.querySelectorAll("button[data-scan-into]").forEach(function (button) {
      if (!("BarcodeDetector" in window) || !navigator.mediaDevices) return;
      button.hidden = false;
      if (button.dataset.wired) return;
      button.dataset.wired = "1";
      button.addEventListener("click", async function () {
        var input = document.getElementById(button.dataset.scanInto);
        var video = document.createElement("video");
        video.setAttribute("playsinline", "");
        button.after(video);
        var stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" } });
        video.srcObject = stream;
        await video.play();
        var detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        var stop = function () { stream.getTracks().forEach(function (t) { t.stop(); }); video.remove(); };
        var tick = async function () {
          var codes = await detector.detect(video).catch(function () { return []; });
          if (codes.length) { input.value = codes[0].rawValue; stop(); input.form.requestSubmit(); return; }
          requestAnimationFrame(tick);
        };
        tick();
      });
    });
  }
  function wire(root) { wireAutosubmit(root); wireDocuments(root); wireScanner(root); }
  document.addEventListener("DOMContentLoaded", function () { wire(document); });
  document.addEventListener("htmx:load", function (event) { wire(event.target); });
})();
