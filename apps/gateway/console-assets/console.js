// The console's only script, served by the gateway from its own origin (CSP: script-src 'self').
// Everything works without it except copying to the clipboard and the live tool preview.

function announce(button, text) {
  const status = document.getElementById(button.getAttribute("data-status") || "");
  if (status) status.textContent = text;
}

async function copyFrom(button) {
  const source = document.getElementById(button.getAttribute("data-copy-target") || "");
  if (!source) return;
  const text = "value" in source ? source.value : source.textContent;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    // Without clipboard permission: select the text, so Ctrl-C copies it.
    if (typeof source.select === "function") source.select();
    announce(button, "Select the text and press Ctrl-C to copy it");
    return;
  }
  announce(button, "Copied");
}

function previewQuery(form) {
  const params = new URLSearchParams();
  for (const field of form.querySelectorAll("input[name='methods']:checked, input[name='tags']:checked")) {
    params.append(field.name, field.value);
  }
  for (const field of form.querySelectorAll("input[name^='scope_']")) {
    if (field.value.trim() !== "") params.append(field.name, field.value.trim());
  }
  return params.toString();
}

function setupPreview(form) {
  const url = form.getAttribute("data-preview-url");
  const target = document.getElementById(form.getAttribute("data-preview-target") || "");
  const submit = form.querySelector("button[type='submit']");
  if (!url || !target) return;
  let timer;
  let latest = 0;
  const refresh = async () => {
    const ticket = ++latest;
    const response = await fetch(`${url}?${previewQuery(form)}`, {
      credentials: "same-origin",
      headers: { accept: "text/html" },
    });
    if (ticket !== latest) return; // an older answer arriving late must not overwrite a newer one
    if (response.redirected || !response.ok) {
      window.location.reload();
      return;
    }
    target.innerHTML = await response.text();
    const matches = target.querySelector("[data-matches]");
    if (submit && matches) submit.disabled = matches.getAttribute("data-matches") !== "true";
  };
  form.addEventListener("change", (event) => {
    const name = event.target instanceof Element ? event.target.getAttribute("name") : "";
    if (name !== "methods" && name !== "tags" && !(name || "").startsWith("scope_")) return;
    clearTimeout(timer);
    timer = setTimeout(refresh, 120);
  });
}

document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("button[data-copy-target]") : null;
  if (button) {
    event.preventDefault();
    void copyFrom(button);
  }
});

for (const form of document.querySelectorAll("form[data-preview-url]")) setupPreview(form);

// Copy buttons exist only for people with this script; without it the text field stays selectable.
for (const button of document.querySelectorAll("button[data-copy-target]")) button.hidden = false;
