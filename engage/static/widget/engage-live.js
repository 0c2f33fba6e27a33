/*! engage comment widget: live updates. Loaded by engage.js after the thread's first page.
 *
 * New comments arrive by server-sent events (GET /api/v1/stream) and wait behind a button,
 * "3 new comments — show", so that nothing moves under the reader's eyes; a comment already
 * on the page that changes (edited, voted) is updated in place, one that is no longer
 * published goes. Where the stream cannot be had (the server answers 204 under a worker that
 * holds no streams, a proxy blocks it, or the browser has no EventSource) the widget checks
 * the article's comment count every `data-poll` seconds (default 30, at least 5) and fetches
 * the newest comments only when the count grew. `data-live="off"` on the widget turns all
 * of this off.
 */
(function () {
  "use strict";

  (window.engageExtensions = window.engageExtensions || []).push(function (widget, kit) {
    var root = widget.root, T = widget.T, h = kit.h;
    if (/^(off|false|0)$/i.test(root.getAttribute("data-live") || "")) return;
    var poll = Math.max(5, parseInt(root.getAttribute("data-poll") || "30", 10) || 30) * 1000;
    var waiting = {};  // id -> comment, published while the reader was reading
    var button = h("button", { type: "button", class: "engage-new-comments", hidden: true });
    var region = h("p", { class: "engage-live-status", role: "status", "aria-live": "polite" });
    widget.thread.parentNode.insertBefore(h("div", { class: "engage-live" }, [button, region]),
      widget.thread);

    function count() { return Object.keys(waiting).length; }

    function offer(c) {
      var node = widget.nodes[String(c.id)];
      if (node && !node.pending) {  // known: update it where it is
        node.body.textContent = "";
        node.body.appendChild(kit.safeFragment(c.body_html));
        node.data = c;
        var score = node.article.querySelector(".engage-score");
        if (score) score.textContent = kit.num(c.score || 0);
        return;
      }
      waiting[c.id] = c;
      var n = count();
      button.textContent = kit.plural(T.newComments, n);
      button.hidden = false;
      region.textContent = kit.plural(T.newComments, n);
    }

    function remove(id) {
      delete waiting[id];
      var node = widget.nodes[String(id)];
      if (!node || node.pending || node.children.children.length) return;
      node.li.remove();
      delete widget.nodes[String(id)];
      widget.count = Math.max(0, widget.count - 1);
      widget.setHeading();
    }

    button.addEventListener("click", function () {
      var list = Object.keys(waiting).map(function (id) { return waiting[id]; })
        .sort(function (a, b) { return a.id - b.id; });  // parents before their replies
      waiting = {};
      button.hidden = true;
      var first = null;
      list.forEach(function (c) {
        var known = widget.nodes[String(c.id)];
        if (known && !known.pending) return;
        if (known) { known.li.remove(); delete widget.nodes[String(c.id)]; widget.forgetPending(c.id); }
        var el = widget.renderComment(c, false);
        el.classList.add("engage-new");
        widget.count += 1;
        first = first || el;
      });
      widget.setHeading();
      region.textContent = T.newShown;
      if (first) first.focus();
    });

    function resync() {
      waiting = {};
      button.hidden = true;
      widget.thread.textContent = "";
      widget.nodes = {};
      widget.next = null;
      widget.load();
    }

    function listen() {
      if (!window.EventSource) return fallback();
      var source = new EventSource(kit.base + "/stream" + kit.q({ article: widget.article }));
      var opened = false;
      source.addEventListener("open", function () { opened = true; });
      source.addEventListener("comment", function (e) {
        try { offer(JSON.parse(e.data)); } catch (err) { /* a frame we cannot read */ }
      });
      source.addEventListener("remove", function (e) {
        try { remove(JSON.parse(e.data).id); } catch (err) { /* as above */ }
      });
      source.addEventListener("resync", resync);
      source.addEventListener("error", function () {
        // CLOSED: the server said no (204, 4xx) and the browser will not retry; a stream that
        // never opened is blocked on the way. Either way: the periodic check.
        if (source.readyState === 2 || !opened) { source.close(); fallback(); }
      });
    }

    var polling = false;
    function fallback() {
      if (polling) return;
      polling = true;
      setInterval(function () {
        kit.api("/counts" + kit.q({ article: widget.article })).then(function (res) {
          var counts = res.ok && res.data && res.data.counts;
          var now = counts && counts[widget.article] && counts[widget.article].comments;
          if (typeof now !== "number" || now <= widget.count + count()) return;
          return kit.api("/comments" + kit.q({ article: widget.article, sort: "newest", limit: 50 }),
            { cache: "no-cache" }).then(function (page) {
            ((page.ok && page.data && page.data.comments) || []).forEach(function (c) {
              var known = widget.nodes[String(c.id)];
              if (!known || known.pending) offer(c);
            });
          });
        }).catch(function () { /* try again at the next tick */ });
      }, poll);
    }

    listen();
  });
})();
