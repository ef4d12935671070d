/* The support engineers' triage in the admin: keyboard shortcuts (j/k/r/a and ? for the list),
   canned responses, due times in the engineer's own zone, and the collision notice. */
(function () {
  "use strict";

  const QUEUE_KEY = "hc-triage-queue";
  const POLL_MS = 15000;

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function typingIn(target) {
    return target instanceof HTMLElement &&
      (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
  }

  function postJSON(url) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    }).then(function (response) {
      if (!response.ok) { throw new Error(response.statusText); }
      return response.json();
    });
  }

  /* The shortcuts overlay. */
  const overlay = document.getElementById("shortcuts-overlay");
  function toggleOverlay(show) {
    if (!overlay) { return; }
    overlay.hidden = show === undefined ? !overlay.hidden : !show;
    if (!overlay.hidden) { overlay.querySelector("[data-shortcuts-close]").focus(); }
  }
  document.querySelectorAll("[data-shortcuts-open]").forEach(function (button) {
    button.addEventListener("click", function () { toggleOverlay(true); });
  });
  if (overlay) {
    overlay.querySelector("[data-shortcuts-close]").addEventListener("click", function () {
      toggleOverlay(false);
    });
    overlay.addEventListener("click", function (event) {
      if (event.target === overlay) { toggleOverlay(false); }
    });
  }

  /* The list: a cursor row moved with j/k; the queue is remembered for the request page. */
  const list = document.getElementById("result_list");
  const rows = list ? Array.from(list.querySelectorAll("tbody tr")) : [];
  let cursor = -1;

  function rowLink(row) {
    const link = row.querySelector("th a, td a");
    return link ? link.href : null;
  }

  if (list) {
    sessionStorage.setItem(QUEUE_KEY, JSON.stringify({
      list: window.location.href,
      items: rows.map(rowLink).filter(Boolean).map(function (href) { return new URL(href).pathname; }),
    }));
  }

  function moveCursor(step) {
    if (!rows.length) { return; }
    if (cursor >= 0) { rows[cursor].classList.remove("hc-cursor"); }
    cursor = Math.min(rows.length - 1, Math.max(0, cursor + step));
    const row = rows[cursor];
    row.classList.add("hc-cursor");
    row.setAttribute("aria-current", "true");
    rows.forEach(function (other) { if (other !== row) { other.removeAttribute("aria-current"); } });
    row.scrollIntoView({ block: "nearest" });
  }

  /* The request page. */
  const page = document.getElementById("ticket-triage");
  const body = document.getElementById("id_body");
  const form = document.getElementById("triage-form");

  function queueNeighbour(step) {
    let queue;
    try { queue = JSON.parse(sessionStorage.getItem(QUEUE_KEY) || "null"); } catch (error) { queue = null; }
    if (!queue) { return null; }
    const here = queue.items.indexOf(window.location.pathname);
    if (here < 0) { return null; }
    return queue.items[here + step] || null;
  }

  function leave(url) {
    if (!url) { return; }
    if (body && body.value.trim() && !window.confirm(page.dataset.leaveMessage)) {
      return;
    }
    window.location.href = url;
  }

  function assignToMe() {
    if (page) {
      postJSON(page.dataset.assignUrl).then(function (data) {
        document.getElementById("ticket-assignee").textContent = data.assignee;
        const select = document.getElementById("id_assignee");
        const initial = document.getElementById("initial-id_assignee");
        if (select) { select.value = String(data.id); }
        if (initial) { initial.value = String(data.id); }
      });
    } else if (cursor >= 0) {
      const href = rowLink(rows[cursor]);
      if (href) {
        postJSON(new URL("../assign-to-me/", href).href).then(function () { window.location.reload(); });
      }
    }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {
      if (overlay && !overlay.hidden) { toggleOverlay(false); } else if (typingIn(event.target)) { event.target.blur(); }
      return;
    }
    if (typingIn(event.target)) { return; }
    switch (event.key) {
      case "?":
        toggleOverlay();
        break;
      case "j":
      case "k": {
        const step = event.key === "j" ? 1 : -1;
        if (list) { moveCursor(step); } else if (page) { leave(queueNeighbour(step)); }
        break;
      }
      case "Enter":
        if (list && cursor >= 0) { leave(rowLink(rows[cursor])); } else { return; }
        break;
      case "r":
        if (body) { body.focus(); } else { return; }
        break;
      case "a":
        assignToMe();
        break;
      default:
        return;
    }
    event.preventDefault();
  });

  /* Canned responses go in at the cursor. */
  const picker = document.getElementById("canned-response");
  if (picker && body) {
    picker.addEventListener("change", function () {
      if (!picker.value) { return; }
      const start = body.selectionStart ?? body.value.length;
      const end = body.selectionEnd ?? body.value.length;
      body.value = body.value.slice(0, start) + picker.value + body.value.slice(end);
      body.focus();
      picker.value = "";
    });
  }

  /* The collision notice: a light poll says who else has the request open and which comments
     arrived; the draft stays where it is. */
  if (!page || !form) { return; }
  const notice = document.getElementById("collision-notice");
  const viewersText = notice.querySelector("[data-collision-viewers]");
  const commentsBox = notice.querySelector("[data-collision-comments]");
  const commentsText = notice.querySelector("[data-collision-comments-text]");
  const seen = form.querySelector("[data-seen-comment]");
  const latest = document.getElementById("latest-messages");
  let after = Number(page.dataset.latestComment || "0");
  let unread = 0;
  const conversation = document.getElementById("conversation");
  conversation.scrollTop = conversation.scrollHeight;

  function showComment(comment) {
    const entry = document.createElement("article");
    entry.className = "hc-entry" + (comment.internal ? " hc-entry-internal" : "");
    entry.dataset.testid = comment.internal ? "internal-note" : "comment";
    entry.dataset.commentId = comment.id;
    const meta = document.createElement("div");
    meta.className = "hc-entry-meta";
    meta.textContent = comment.author + " · " + new Date(comment.created_at).toLocaleString();
    const text = document.createElement("div");
    text.className = "hc-entry-body";
    text.textContent = comment.body;
    entry.append(meta, text);
    latest.append(entry);
    conversation.scrollTop = conversation.scrollHeight;
  }

  function refreshNotice() {
    notice.hidden = !viewersText.textContent.trim() && commentsBox.hidden;
  }

  function poll() {
    fetch(page.dataset.activityUrl + "?after=" + after, {
      credentials: "same-origin", headers: { Accept: "application/json" },
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (data) {
      if (!data) { return; }
      viewersText.textContent = data.viewers.map(function (viewer) {
        return viewer.name + " " + notice.dataset.openedText;
      }).join(" ");
      data.comments.forEach(function (comment) {
        showComment(comment);
        after = Math.max(after, comment.id);
        unread += 1;
      });
      if (unread) {
        commentsText.textContent = (unread === 1 ? notice.dataset.newOne : notice.dataset.newMany)
          .replace("%s", String(unread));
        commentsBox.hidden = false;
      }
      refreshNotice();
    }).catch(function () { /* the next poll tries again */ });
  }

  notice.querySelector("[data-collision-ack]").addEventListener("click", function () {
    seen.value = String(after);
    unread = 0;
    commentsBox.hidden = true;
    refreshNotice();
  });
  window.setInterval(poll, POLL_MS);
  window.setTimeout(poll, 1000);
})();
