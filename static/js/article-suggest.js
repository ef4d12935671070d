// Answers before asking: while the customer types the summary, ask /articles/suggest/ (after a
// pause in typing) and list up to five articles and resolved requests below the field. Text is
// inserted as text, never as HTML; the server decides what this user may see.
(function () {
  const box = document.getElementById("summary-suggestions");
  const form = document.getElementById("request-form");
  const summary = form && form.querySelector("input[name=summary]");
  if (!box || !summary) return;
  const list = box.querySelector("[data-suggestion-list]");
  const DEBOUNCE_MS = 300;
  const MIN_LENGTH = 3;
  let timer = null;
  let controller = null;
  let lastQuery = "";

  function terms(query) {
    return (query.toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).filter((t) => t.length > 2);
  }

  function escapeRegExp(text) {
    return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  }

  function appendHighlighted(parent, text, query) {
    const words = terms(query);
    if (!words.length) {
      parent.textContent = text;
      return;
    }
    const pattern = new RegExp("(" + words.map(escapeRegExp).join("|") + ")", "giu");
    let last = 0;
    for (const match of text.matchAll(pattern)) {
      parent.append(document.createTextNode(text.slice(last, match.index)));
      const mark = document.createElement("mark");
      mark.textContent = match[0];
      parent.append(mark);
      last = match.index + match[0].length;
    }
    parent.append(document.createTextNode(text.slice(last)));
  }

  function hide() {
    box.hidden = true;
    list.replaceChildren();
  }

  function link(item, query) {
    const url = new URL(item.url, window.location.origin);
    if (item.kind === "article") {
      url.searchParams.set("from", "suggestion");
      url.searchParams.set("portal", box.dataset.portal);
      url.searchParams.set("summary", query);
    }
    return url.pathname + url.search;
  }

  function render(items, query) {
    if (!items.length) {
      hide();
      return;
    }
    const rows = items.map(function (item) {
      const row = document.createElement("li");
      row.className = "list-group-item";
      row.dataset.kind = item.kind;
      row.dataset.testid = "suggestion";
      const badge = document.createElement("span");
      badge.className = "badge me-2 " + (item.kind === "article" ? "text-bg-primary" : "text-bg-secondary");
      badge.textContent = item.kind === "article" ? box.dataset.articleLabel : box.dataset.requestLabel;
      const anchor = document.createElement("a");
      anchor.href = link(item, query);
      anchor.className = "fw-semibold";
      anchor.textContent = item.title;
      const snippet = document.createElement("div");
      snippet.className = "small text-body-secondary";
      appendHighlighted(snippet, item.snippet || "", query);
      row.append(badge, anchor, snippet);
      return row;
    });
    list.replaceChildren(...rows);
    box.hidden = false;
  }

  async function suggest() {
    const query = summary.value.trim();
    if (query.length < MIN_LENGTH) {
      lastQuery = "";
      hide();
      return;
    }
    if (query === lastQuery) return;
    lastQuery = query;
    if (controller) controller.abort();
    controller = new AbortController();
    const url = new URL(box.dataset.suggestUrl, window.location.origin);
    url.searchParams.set("q", query);
    try {
      const response = await fetch(url, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!response.ok) {
        hide();
        return;
      }
      render(await response.json(), query);
    } catch (error) {
      if (error.name !== "AbortError") hide();
    }
  }

  summary.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(suggest, DEBOUNCE_MS);
  });
  if (summary.value.trim()) suggest();
})();
