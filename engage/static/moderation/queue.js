/* engage moderation queue: keyboard shortcuts and in-place decisions.
 *
 * The page works without this file (every action is a form post). With it:
 * j/k move between cards, a/r/s/p approve/reject/spam/pending, d dismisses the reports (the
 * selection if any, else the current card), x selects, ? toggles the help. Buttons call the JSON
 * API with the session's CSRF token (X-CSRF-Token) and update the page without a reload. A card's
 * staff reply box publishes with its button or Ctrl+Enter; Pin/Unpin flip in place.
 */
(function () {
  "use strict";
  var form = document.getElementById("queue");
  if (!form) return;
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  var live = document.getElementById("live");
  var help = document.getElementById("help");
  var selectAll = document.getElementById("select-all");
  var currentTab = (document.querySelector(".tabs a.current") || {}).dataset || {};
  var KEYS = { a: "approve", r: "reject", s: "spam", p: "pending", d: "dismiss_reports" };
  var STATUS_OF = { approve: "approved", reject: "rejected", spam: "spam", pending: "pending" };
  var active = -1;

  function cards() { return Array.prototype.slice.call(form.querySelectorAll(".card:not(.done)")); }

  function say(text, isError) {
    live.textContent = text;
    live.className = isError ? "live error" : "live";
  }

  /* Wrap the words the rules matched in <mark>, touching only text nodes (body_html is
   * sanitised HTML; we never re-parse it). */
  function highlight(card) {
    var words = JSON.parse(card.dataset.highlight || "[]").filter(Boolean);
    if (!words.length) return;
    var escaped = words.map(function (w) { return w.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
    var pattern = new RegExp("(" + escaped.join("|") + ")", "giu");
    var body = card.querySelector(".body");
    var walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var parts = node.nodeValue.split(pattern);
      if (parts.length < 2) return;
      var fragment = document.createDocumentFragment();
      parts.forEach(function (part, i) {
        if (!part) return;
        if (i % 2) {
          var mark = document.createElement("mark");
          mark.textContent = part;
          fragment.appendChild(mark);
        } else {
          fragment.appendChild(document.createTextNode(part));
        }
      });
      node.parentNode.replaceChild(fragment, node);
    });
  }

  function activate(index) {
    var list = cards();
    if (!list.length) { active = -1; return; }
    index = Math.max(0, Math.min(index, list.length - 1));
    list.forEach(function (card) { card.classList.remove("active"); });
    active = index;
    list[index].classList.add("active");
    list[index].focus({ preventScroll: true });
    list[index].scrollIntoView({ block: "nearest" });
  }

  function selected() {
    return cards().filter(function (card) { return card.querySelector(".pick input").checked; });
  }

  function setSelected(card, on) {
    card.querySelector(".pick input").checked = on;
    card.classList.toggle("selected", on);
  }

  function post(url, payload) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, "Accept": "application/json" },
      body: JSON.stringify(payload)
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var message = (data.error && data.error.message) || ("HTTP " + response.status);
          throw new Error(message);
        }
        return data;
      });
    });
  }

  function updateCounts(counts) {
    Object.keys(counts || {}).forEach(function (status) {
      var el = document.querySelector('[data-count="' + status + '"]');
      if (el) el.textContent = counts[status];
    });
  }

  /* Reports: a card whose reports are closed loses its list and Dismiss button, and leaves
   * the Reported tab. */
  function applyReports(card, item) {
    if (item.report_count) return false;
    card.querySelectorAll(".reports, button[data-action=dismiss_reports]").forEach(function (el) {
      el.hidden = true;
    });
    return currentTab.status === "reported";
  }

  function applyItem(item, action) {
    var card = document.getElementById("c" + item.id);
    if (!card) return;
    var leaves = applyReports(card, item);
    var before = cards().indexOf(card);
    card.dataset.status = item.status;
    card.className = card.className.replace(/status-\w+/, "status-" + item.status);
    card.querySelector(".badge.status").textContent = item.status;
    card.querySelectorAll("button[data-action]").forEach(function (button) {
      if (STATUS_OF[button.dataset.action]) button.hidden = STATUS_OF[button.dataset.action] === item.status;
    });
    setSelected(card, false);
    // Only a published comment can be answered or pinned.
    var approved = item.status === "approved";
    var menu = card.querySelector("[data-reply-menu]");
    if (menu) menu.hidden = !approved;
    var pinButton = card.querySelector("[data-pin]");
    if (pinButton) pinButton.hidden = !approved;
    var decided = card.querySelector(".decided");
    if (!decided) {
      decided = document.createElement("p");
      decided.className = "decided";
      card.querySelector(".actions").before(decided);
    }
    decided.textContent = action === "dismiss_reports" ? "Reports dismissed just now"
      : item.status.charAt(0).toUpperCase() + item.status.slice(1) + " by " + item.decided_by + " just now";
    if (leaves || (currentTab.status && currentTab.status !== "all" &&
                   currentTab.status !== "reported" && currentTab.status !== item.status)) {
      card.classList.add("done");
      card.classList.remove("active");
      card.hidden = true;
      if (before <= active) active -= 1;
    }
  }

  function afterDecision(items, action) {
    items.forEach(function (item) { applyItem(item, action); });
    var list = cards();
    if (!list.length) {
      say("Page done. " + items.length + " × " + action + ". Reload for more.");
      return;
    }
    say(items.length === 1 ? "Comment " + items[0].id + ": " + items[0].status
                           : items.length + " comments: " + action);
    activate(active + 1);
  }

  function note() {
    var field = form.querySelector('input[name="note"]');
    var value = field.value.trim();
    field.value = "";
    return value || undefined;
  }

  function decideCards(targets, action) {
    if (!targets.length) return;
    var ids = targets.map(function (card) { return Number(card.dataset.id); });
    var payload = { action: action, note: note() };
    var request = ids.length === 1
      ? post("/api/v1/moderation/comments/" + ids[0], payload).then(function (d) { return [d.comment, d.counts]; })
      : post("/api/v1/moderation/comments/bulk", Object.assign({ ids: ids }, payload))
          .then(function (d) { return [d.comments, d.counts]; });
    request.then(function (result) {
      var items = Array.isArray(result[0]) ? result[0] : [result[0]];
      updateCounts(result[1]);
      afterDecision(items, action);
    }).catch(function (error) { say("Could not " + action + ": " + error.message, true); });
  }

  function block(card, kind) {
    post("/api/v1/moderation/comments/" + card.dataset.id + "/block", { kind: kind })
      .then(function (data) {
        var params = new URLSearchParams(form.querySelector('input[name="view"]').value);
        params.set("done", "block");
        params.set("n", data.marked);
        params.set("what", data.blocked.kind + " " + data.blocked.value);
        window.location.assign(window.location.pathname + "?" + params.toString());
      })
      .catch(function (error) { say("Could not block: " + error.message, true); });
  }

  function staffReply(card) {
    var box = card.querySelector("[data-reply-menu] textarea");
    var text = box.value.trim();
    if (!text) { say("Write the reply first.", true); box.focus(); return; }
    post("/api/v1/moderation/comments/" + card.dataset.id + "/reply", { body: text })
      .then(function (data) {
        box.value = "";
        card.querySelector("[data-reply-menu]").open = false;
        say("Staff reply #" + data.comment.id + " published under comment " + card.dataset.id + ".");
      })
      .catch(function (error) { say("Could not reply: " + error.message, true); });
  }

  function showPin(card, pinned) {
    var button = card.querySelector("[data-pin]");
    var next = pinned ? "unpin" : "pin";
    button.value = card.dataset.id + ":" + next;
    button.dataset.pin = next;
    button.textContent = pinned ? "Unpin" : "Pin";
    card.querySelector("[data-pinned]").hidden = !pinned;
  }

  function pin(card, action) {
    post("/api/v1/moderation/comments/" + card.dataset.id, { action: action })
      .then(function (data) {
        showPin(card, !!data.comment.pinned_at);
        say("Comment " + card.dataset.id + (data.comment.pinned_at ? " pinned." : " unpinned."));
      })
      .catch(function (error) { say("Could not " + action + ": " + error.message, true); });
  }

  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) &&
        event.target.closest && event.target.closest("[data-reply-menu]")) {
      event.preventDefault();
      staffReply(event.target.closest(".card"));
    }
  });

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !window.fetch) return;
    if (button.name === "one") {
      event.preventDefault();
      var parts = button.value.split(":");
      var card = document.getElementById("c" + parts[0]);
      active = cards().indexOf(card);
      decideCards([card], parts[1]);
    } else if (button.name === "block") {
      event.preventDefault();
      var pair = button.value.split(":");
      block(document.getElementById("c" + pair[0]), pair[1]);
    } else if (button.name === "reply") {
      event.preventDefault();
      staffReply(document.getElementById("c" + button.value));
    } else if (button.name === "pin") {
      event.preventDefault();
      var pinPair = button.value.split(":");
      pin(document.getElementById("c" + pinPair[0]), pinPair[1]);
    } else if (button.name === "action") {
      event.preventDefault();
      var targets = selected();
      if (!targets.length) { say("Select at least one comment first.", true); return; }
      decideCards(targets, button.value);
    }
  });

  form.addEventListener("change", function (event) {
    if (event.target === selectAll) {
      cards().forEach(function (card) { setSelected(card, selectAll.checked); });
    } else if (event.target.name === "ids") {
      event.target.closest(".card").classList.toggle("selected", event.target.checked);
    }
  });
  form.addEventListener("click", function (event) {
    var card = event.target.closest(".card");
    if (card && !card.classList.contains("done")) {
      cards().forEach(function (c) { c.classList.remove("active"); });
      active = cards().indexOf(card);
      card.classList.add("active");
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    var tag = (event.target.tagName || "").toLowerCase();
    if (tag === "input" || tag === "textarea" || tag === "select" || event.target.isContentEditable) return;
    var list = cards();
    var key = event.key;
    if (key === "?") { help.open = !help.open; if (help.open) help.scrollIntoView({ block: "nearest" }); }
    else if (key === "j") activate(active + 1);
    else if (key === "k") activate(active - 1);
    else if (key === "x" && list[active]) {
      var box = list[active].querySelector(".pick input");
      setSelected(list[active], !box.checked);
    } else if (KEYS[key]) {
      var targets = selected();
      if (!targets.length && list[active]) targets = [list[active]];
      if (!targets.length && list.length) { activate(0); targets = [list[0]]; }
      decideCards(targets, KEYS[key]);
    } else return;
    event.preventDefault();
  });

  cards().forEach(highlight);
  if (cards().length) activate(0);
})();
