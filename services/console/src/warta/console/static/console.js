// The console's few behaviours, on top of htmx (served from here: no CDN, no build step).
// Pages work without them; with them, uploads show their progress (a post's length is counted as
// typed by the console itself, as the channel counts it: see the workspace's hx-post).
document.addEventListener("htmx:xhr:progress", (event) => {
  const bar = document.getElementById("upload-progress");
  if (!bar || !event.detail.total) return;
  const percent = Math.round((100 * event.detail.loaded) / event.detail.total);
  bar.value = percent;
  document.body.dataset.uploaded = percent; // kept across the swap that follows the upload
});

// A refused form comes back as a page saying why, in the officer's words (a 4xx with the fields
// marked): show it, as the page would without htmx, instead of leaving the form as it was.
htmx.config.responseHandling = [
  { code: "204", swap: false },
  { code: "[23]..", swap: true },
  { code: "[4]..", swap: true, error: false },
  { code: "...", swap: false, error: true },
];
