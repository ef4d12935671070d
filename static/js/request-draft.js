// A request form keeps its summary and description in this browser (localStorage) while they
// are typed, so a session that expires or a refused submit loses nothing: the text comes back
// when the form opens again empty. The page shown after a request is filed drops the draft.
(function () {
  let store;
  try {
    store = window.localStorage;
    store.getItem("");
  } catch (error) {
    return; // storage turned off: the form works as before, without drafts
  }

  for (const marker of document.querySelectorAll("[data-draft-clear]")) {
    const prefix = marker.dataset.draftClear;
    for (const key of Object.keys(store)) {
      if (key.startsWith(prefix)) store.removeItem(key);
    }
  }

  const form = document.querySelector("form[data-draft-key]");
  if (!form) return;
  const key = form.dataset.draftKey;
  const fields = ["summary", "description"]
    .map((name) => form.elements.namedItem(name))
    .filter(Boolean);
  const notice = form.querySelector("[data-draft-notice]");

  let saved = {};
  try {
    saved = JSON.parse(store.getItem(key) || "{}");
  } catch (error) {
    saved = {};
  }
  let restored = false;
  for (const field of fields) {
    if (!field.value && saved[field.name]) {
      field.value = saved[field.name];
      restored = true;
    }
  }
  if (restored && notice) notice.hidden = false;

  function save() {
    const draft = {};
    for (const field of fields) {
      if (field.value.trim()) draft[field.name] = field.value;
    }
    if (Object.keys(draft).length) store.setItem(key, JSON.stringify(draft));
    else store.removeItem(key);
  }
  for (const field of fields) field.addEventListener("input", save);
  // A form shown again with the user's text (a refused submit) is saved as it stands.
  save();

  const discard = form.querySelector("[data-draft-discard]");
  if (discard) {
    discard.addEventListener("click", function () {
      for (const field of fields) field.value = "";
      store.removeItem(key);
      if (notice) notice.hidden = true;
      if (fields[0]) fields[0].focus();
    });
  }
})();
