// The console's few behaviours, on top of htmx (served from here: no CDN, no build step).
// Pages work without them; with them, uploads show their progress (a post's length is counted as
// typed by the console itself, as the channel counts it: see the workspace's hx-post).
// On a phone the menu folds behind its button; without JavaScript it simply stays open.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", () => {
  const toggle = document.querySelector(".menu-toggle");
  if (!toggle) return;
  toggle.hidden = false;
  toggle.addEventListener("click", () => {
    toggle.setAttribute("aria-expanded", String(toggle.getAttribute("aria-expanded") !== "true"));
  });
});

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

// The fields typed in since the page came, by their form and name: a part of the page fetched
// again (after an upload) would otherwise show them as last saved, and the typing would be lost.
const typed = new Set();
document.addEventListener("input", (event) => {
  const field = event.target;
  const written = field.type !== "file" && field.type !== "checkbox" && field.type !== "radio";
  if (field.form && field.name && written) typed.add(fieldKey(field.form, field.name));
  const draft = field.form && field.form.elements.namedItem("draft_typed");
  if (draft) draft.value = "yes";
});

// A draft form says whether anything was typed in it: sending the version saves the draft only then.
function draftsUntyped() {
  document.querySelectorAll('input[name="draft_typed"]').forEach((flag) => {
    if (flag.value === "unknown") flag.value = "no";
  });
}
document.addEventListener("DOMContentLoaded", draftsUntyped);
document.addEventListener("htmx:afterSettle", draftsUntyped);

function fieldKey(form, name) {
  return JSON.stringify([form.getAttribute("action"), name]);
}

function typedNotSaved() {
  const kept = [];
  typed.forEach((key) => {
    const [action, name] = JSON.parse(key);
    const form = document.querySelector(`form[action="${CSS.escape(action)}"]`);
    const field = form && form.elements.namedItem(name);
    if (field && "value" in field) kept.push([action, name, field.value]);
  });
  return kept;
}

function typeAgain(kept) {
  for (const [action, name, value] of kept) {
    const form = document.querySelector(`form[action="${CSS.escape(action)}"]`);
    const field = form && form.elements.namedItem(name);
    if (!field || !("value" in field) || field.value === value) continue;
    field.value = value;
    field.dispatchEvent(new Event("input", { bubbles: true })); // counted again, and still unsaved
  }
}

// Photos and videos go over tus (tus-js-client, served from here): sent in pieces, and after a
// dropped connection resumed from where the coverage service says the upload stands, rather than
// from the start. Without JavaScript the form posts the file whole.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (form.id !== "upload-form" || !window.tus || !window.tus.isSupported) return;
  const input = form.querySelector('input[type="file"]');
  const file = input && input.files[0];
  if (!file) return; // the page itself says a file is missing
  event.preventDefault();
  const bar = document.getElementById("upload-progress");
  const upload = new tus.Upload(file, {
    endpoint: form.dataset.tus,
    chunkSize: Number(form.dataset.chunk),
    retryDelays: [0, 1000, 3000, 5000, 10000],
    metadata: { filename: file.name, filetype: file.type },
    removeFingerprintOnSuccess: true,
    onProgress: (sent, total) => {
      const percent = Math.round((100 * sent) / total);
      bar.value = percent;
      document.body.dataset.uploaded = percent;
    },
    onError: (error) => showRefusal(form, refusalOf(error, form.dataset.failed)),
    // The page's media and checklist again, as htmx fetches them (the progress stays shown), with
    // whatever the officer had typed and not yet saved typed in again.
    onSuccess: () => {
      const kept = typedNotSaved();
      htmx
        .ajax("GET", window.location.pathname, { target: "main", select: "main", swap: "outerHTML" })
        .then(() => typeAgain(kept));
    },
  });
  // A file this browser began before (a closed tab, a lost connection) goes on where it stopped.
  upload.findPreviousUploads().then((earlier) => {
    if (earlier.length) upload.resumeFromPreviousUpload(earlier[0]);
    upload.start();
  });
});

function refusalOf(error, otherwise) {
  const response = error.originalResponse;
  if (!response) return otherwise;
  try {
    return JSON.parse(response.getBody()).said || otherwise;
  } catch (notJson) {
    return otherwise;
  }
}

function showRefusal(form, text) {
  let shown = document.getElementById("file-error");
  if (!shown) {
    shown = document.createElement("p");
    shown.id = "file-error";
    shown.className = "field-error";
    shown.setAttribute("role", "alert");
    form.querySelector('input[type="file"]').after(shown);
  }
  shown.textContent = text;
}

// A list's columns sort by a click on their heading (the rows shown; the register's pages come
// newest first from the intake). A cell's data-sort, where given, is what it sorts by (a date's
// ISO form); otherwise its text, compared as Indonesian readers order words and numbers.
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table[data-sortable]")) {
    const headings = [...table.tHead.rows[0].cells];
    headings.forEach((heading, column) => {
      if (heading.hasAttribute("data-unsorted") || !heading.textContent.trim()) return;
      const button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      button.append(...heading.childNodes);
      heading.append(button);
      heading.setAttribute("aria-sort", "none");
      button.addEventListener("click", () => {
        const ascending = heading.getAttribute("aria-sort") !== "ascending";
        headings.forEach((other) => other.hasAttribute("aria-sort") && other.setAttribute("aria-sort", "none"));
        heading.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        sortRows(table.tBodies[0], column, ascending);
      });
    });
  }
});

function sortRows(body, column, ascending) {
  const valueOf = (row) => {
    const cell = row.cells[column];
    return cell ? cell.dataset.sort ?? cell.textContent.trim() : "";
  };
  const order = new Intl.Collator("id", { numeric: true, sensitivity: "base" });
  const rows = [...body.rows].filter((row) => row.cells.length > 1); // not an "empty list" row
  rows.sort((a, b) => (ascending ? 1 : -1) * order.compare(valueOf(a), valueOf(b)));
  body.append(...rows);
}

// A table wider than a phone's screen scrolls sideways inside its own box (console.css); a
// keyboard must be able to reach and scroll that box, so then it takes the focus, named by the
// table's caption or the heading before it. The table itself keeps its table semantics.
function scrollableTables() {
  for (const table of document.querySelectorAll("main table")) {
    let box = table.parentElement;
    if (!box.classList.contains("table-scroll")) {
      box = document.createElement("div");
      box.className = "table-scroll";
      table.before(box);
      box.append(table);
    }
    if (box.scrollWidth > box.clientWidth + 1) {
      const heading = table.caption || box.previousElementSibling;
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      box.setAttribute("aria-label", (heading && heading.textContent.trim()) || document.title);
    } else {
      box.removeAttribute("tabindex");
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
}
document.addEventListener("DOMContentLoaded", scrollableTables);
window.addEventListener("resize", scrollableTables);
document.addEventListener("htmx:afterSettle", scrollableTables);
