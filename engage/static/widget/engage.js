/*! engage comment widget. Plain JavaScript, no dependencies, no build step.
 *
 * Embedding and every data-* option: README "Embedding" (and "Languages"). In short:
 *   <div id="engage-comments" data-article="KEY"></div>
 *   <script src="https://comments.example.com/widget/engage.js" async></script>
 *
 * Security contract: the only markup inserted is the server-sanitised `body_html`, parsed
 * into an inert <template> and cleaned again; every other value goes in through textContent
 * or attributes. No inline handlers, no eval, no inline styles: it runs under a CSP without
 * 'unsafe-inline'.
 */
(function () {
  "use strict";

  var script = document.currentScript ||
    document.querySelector('script[src*="/widget/"][src*="engage.js"]');
  if (!script || !script.src) return;
  // The API lives where the script came from, not where the page is.
  var SRC = new URL(script.src, location.href);
  var API = SRC.origin + "/api/v1";
  var CSS_URL = SRC.href.replace(/engage\.js(\?|#|$)/, "engage.css$1");
  var MAX_DEPTH = 5;
  var PAGE_SIZE = 50;
  var TOKEN_MAX_AGE_MS = 60 * 60 * 1000;
  var COUNT_BATCH = 100;  // the server's limit per /counts call
  var FRESH_MS = 5 * 60 * 1000;
  var MAX_TITLE = 300, MAX_URL = 2000;  // the server's limits for article_title, article_url
  var SITE = null;  // set by start(): every call names it (none: the site "default")
  var SORTS = ["oldest", "newest", "best"];
  // Loaded after the thread, to keep the first paint small; each pushes a
  // function(widget, kit) onto window.engageExtensions.
  var EXTENSIONS = ["engage-actions.js", "engage-live.js"];

  // Texts come from the message catalogs beside this script (i18n/<lang>.json, README
  // "Languages"); LANG is the locale that Intl formats numbers, dates and plurals for.
  var I18N_BASE = new URL("i18n/", SRC.href).href;
  var LANG = "en";
  var TAG_RE = /^[a-z]{2,3}(-[a-z0-9]{1,8}){0,4}$/;

  // ---- small pure helpers ------------------------------------------------------------

  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (m, k) { return k in values ? values[k] : m; });
  }

  /** n formatted for the reader's locale (digits, grouping) by Intl. */
  function num(n) {
    try { return new Intl.NumberFormat(LANG).format(n); } catch (e) { return String(n); }
  }

  /** A message that depends on n: an object of plural forms ("=0", then the Intl.PluralRules
   *  category, then "other"), or a plain string; {n} becomes num(n), `values` fill the rest. */
  function plural(message, n, values) {
    var text = message;
    if (message && typeof message === "object") {
      var category = "other";
      try { category = new Intl.PluralRules(LANG).select(n); } catch (e) { if (n === 1) category = "one"; }
      text = message["=" + n] || message[category] || message.other;
    }
    var all = { n: num(n) };
    for (var k in (values || {})) all[k] = values[k];
    return fmt(text, all);
  }

  /** fmt() with numbers formatted for the reader: validation limits and the like. */
  function fmtNum(text, values) {
    var all = {};
    for (var k in values) all[k] = typeof values[k] === "number" ? num(values[k]) : values[k];
    return fmt(text, all);
  }

  /** Same as the server's badge (pageviews/badge.py): cut, never rounded up.
   *  999 -> "999", 1234 -> "1.2k", 123456 -> "123k", 3400000 -> "3.4M". */
  function compact(n) {
    n = Math.max(0, Math.floor(Number(n) || 0));
    var steps = [[1e9, "B"], [1e6, "M"], [1e3, "k"]];
    for (var i = 0; i < steps.length; i++) {
      if (n >= steps[i][0]) {
        var tenths = Math.floor(n * 10 / steps[i][0]);
        if (tenths >= 1000) return Math.floor(tenths / 10) + steps[i][1];
        return (tenths % 10 ? (tenths / 10).toFixed(1) : String(tenths / 10)) + steps[i][1];
      }
    }
    return String(n);
  }

  /** Mirror of the server's normalize_article_key, to find our keys in its answers. */
  function normKey(key) {
    key = String(key || "").trim();
    if (/^https?:\/\//i.test(key)) { try { key = new URL(key).pathname || "/"; } catch (e) { /* keep */ } }
    key = key.split("#")[0].split("?")[0];
    if (key.length > 1) key = key.replace(/\/+$/, "") || "/";
    return key;
  }

  /** The URL if it is absolute http(s), else null: never let a javascript: URL into an href. */
  function safeUrl(value) {
    if (!value) return null;
    try {
      var u = new URL(String(value));
      return (u.protocol === "http:" || u.protocol === "https:") ? u.href : null;
    } catch (e) { return null; }
  }

  function charCount(s) { return Array.from(s).length; }

  var EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

  /** Client-side copy of engage/comments/schemas.py: same limits, same (English) messages.
   *  Returns {field: message}; empty when valid. */
  function validate(d, T) {
    var e = {};
    var name = charCount(d.author_name), body = charCount(d.body);
    if (name < 1 || name > 100) e.author_name = fmtNum(T.nameLen, { min: 1, max: 100 });
    if (!EMAIL_RE.test(d.author_email)) e.author_email = T.emailInvalid;
    else if (charCount(d.author_email) > 254) e.author_email = fmtNum(T.emailLong, { max: 254 });
    if (d.author_url) {
      if (charCount(d.author_url) > 200) e.author_url = fmtNum(T.urlLong, { max: 200 });
      else if (!safeUrl(d.author_url) || /\s/.test(d.author_url)) e.author_url = T.urlInvalid;
    }
    if (body < 1 || body > 10000) e.body = fmtNum(T.bodyLen, { min: 1, max: 10000 });
    else if (!d.body.trim()) e.body = T.bodyBlank;
    return e;
  }

  function relTime(date, lang, T) {
    var s = Math.min(0, (date.getTime() - Date.now()) / 1000);
    if (s > -45) return T.justNow;
    var units = [["year", 31536000], ["month", 2592000], ["week", 604800], ["day", 86400],
      ["hour", 3600], ["minute", 60]];
    if (!window.Intl || !Intl.RelativeTimeFormat) return date.toLocaleDateString(lang);
    var rtf = new Intl.RelativeTimeFormat(lang, { numeric: "auto" });
    for (var i = 0; i < units.length; i++) {
      if (-s >= units[i][1] || units[i][0] === "minute") {
        return rtf.format(Math.round(s / units[i][1]), units[i][0]);
      }
    }
  }

  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    for (var k in (attrs || {})) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) continue;
      if (k === "text") el.textContent = v;
      else if (k === "class") el.className = v;
      else el.setAttribute(k, v === true ? "" : v);
    }
    (children || []).forEach(function (c) {
      if (c) el.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return el;
  }

  var BAD_TAGS = "script,style,iframe,object,embed,form,input,button,textarea,select,link,meta,base,frame,frameset,svg,math";

  /** Second line of defence behind the server's sanitiser: parse inert, drop anything active. */
  function safeFragment(html) {
    var tpl = document.createElement("template");
    tpl.innerHTML = String(html || "");
    var root = tpl.content;
    Array.prototype.forEach.call(root.querySelectorAll(BAD_TAGS), function (n) { n.remove(); });
    Array.prototype.forEach.call(root.querySelectorAll("*"), function (n) {
      Array.prototype.slice.call(n.attributes).forEach(function (a) {
        var name = a.name.toLowerCase();
        if (name.indexOf("on") === 0 || name === "style" || name === "srcdoc" ||
            ((name === "href" || name === "src" || name === "action" || name === "formaction" ||
              name === "xlink:href") && !/^(https?:|mailto:|#|\/(?!\/))/i.test(a.value.trim()))) {
          n.removeAttribute(a.name);
        }
      });
      if (n.tagName === "A") n.setAttribute("rel", "nofollow ugc noopener");
    });
    return root;
  }

  function store(kind) {
    try { var s = window[kind]; s.setItem("engage:t", "1"); s.removeItem("engage:t"); return s; }
    catch (e) { return null; }
  }

  function getJSON(s, key) { try { return JSON.parse(s.getItem(key) || "null"); } catch (e) { return null; } }

  var READER_KEY_RE = /^[A-Za-z0-9_-]{22,128}$/;
  var memoryReaderKey = null;

  /** This browser's reader key (engage/readers.py): 256 random bits, base64url, made the first
   *  time the reader posts and kept in localStorage. It is what proves that comments come from
   *  the same reader: trust and the avatar rest on it, never on the email, which anyone can
   *  type. Without storage it lives as long as the page; without crypto there is none. */
  function readerKey(local) {
    var key = local && local.getItem("engage:reader");
    if (key && READER_KEY_RE.test(key)) return key;
    if (memoryReaderKey) return memoryReaderKey;
    if (!window.crypto || !crypto.getRandomValues) return null;
    var bytes = crypto.getRandomValues(new Uint8Array(32));
    key = btoa(String.fromCharCode.apply(null, bytes))
      .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
    try { if (local) local.setItem("engage:reader", key); } catch (e) { /* memory only */ }
    memoryReaderKey = key;
    return key;
  }

  /** #engage-confirm=TOKEN + this browser's key → its mailbox proof (engage/readers.py). */
  function claimProof(local) {
    var m = /engage-confirm=([\w.-]+)/.exec(location.hash), key = m && readerKey(local);
    if (!m) return;
    try { history.replaceState(null, "", location.pathname + location.search); } catch (e) { /* */ }
    if (key) api("/readers/proof", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ token: m[1], reader_key: key, site: SITE }) }).then(function (r) {
      if (r.ok && r.data && local) local.setItem("engage:proof", r.data.proof);
    }, function () { /* the link can be opened again */ });
  }

  // ---- network -----------------------------------------------------------------------

  function api(path, opts) {
    opts = opts || {};
    opts.mode = "cors";
    opts.credentials = "omit";
    return fetch(API + path, opts).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { /* not JSON */ }
        return { status: res.status, ok: res.ok, data: data, headers: res.headers };
      });
    });
  }

  /** A query string of `params`, with the site when there is one. */
  function q(params) {
    var parts = SITE ? ["site=" + encodeURIComponent(SITE)] : [];
    Object.keys(params).forEach(function (k) {
      [].concat(params[k]).forEach(function (v) {
        if (v !== null && v !== undefined) parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(v));
      });
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  /** One view, as a CORS simple request (no body, no custom headers, so no preflight). */
  function recordView(key) {
    var url = API + "/views" + q({ article: key });
    function beacon() { if (navigator.sendBeacon) navigator.sendBeacon(url); return null; }
    if (!window.fetch) return Promise.resolve(beacon());
    return fetch(url, { method: "POST", mode: "cors", credentials: "omit", keepalive: true })
      .then(function (r) { return r.ok ? r.json() : null; }, beacon)
      .catch(function () { return null; });
  }

  // ---- page counts (views badges, comment counts on list pages) ---------------------

  function countTargets(article) {
    var els = document.querySelectorAll("[data-engage-views],[data-engage-comments]");
    return Array.prototype.map.call(els, function (el) {
      var isViews = el.hasAttribute("data-engage-views");
      var key = el.getAttribute(isViews ? "data-engage-views" : "data-engage-comments") || article;
      return { el: el, kind: isViews ? "views" : "comments", key: key };
    }).filter(function (t) { return t.key; });
  }

  /** The short form of a count: the server badge's own (compact) in English, Intl's compact
   *  notation, cut rather than rounded up, in other languages. */
  function shortCount(n) {
    if (LANG.split("-")[0] === "en") return compact(n);
    try {
      return new Intl.NumberFormat(LANG, { notation: "compact", maximumFractionDigits: 1,
        roundingMode: "trunc" }).format(Math.max(0, Math.floor(Number(n) || 0)));
    } catch (e) { return compact(n); }
  }

  function fillCount(t, n, T) {
    t.el.textContent = shortCount(n);
    if (t.kind === "views") t.el.setAttribute("title", plural(T.views, Number(n)));
    t.el.setAttribute("data-engage-count", String(n));
  }

  function loadCounts(article, known, T) {
    var targets = countTargets(article);
    var keys = [];
    targets.forEach(function (t) { if (keys.indexOf(t.key) < 0) keys.push(t.key); });
    for (var i = 0; i < keys.length; i += COUNT_BATCH) {
      api("/counts" + q({ article: keys.slice(i, i + COUNT_BATCH) })).then(function (res) {
        var counts = (res.ok && res.data && res.data.counts) || {};
        targets.forEach(function (t) {
          var c = counts[t.key] || counts[normKey(t.key)];
          if (!c || c[t.kind] === undefined) return;
          var n = c[t.kind];
          if (t.kind === "views" && known[t.key] !== undefined) n = Math.max(n, known[t.key]);
          fillCount(t, n, T);
        });
      }).catch(function () { /* counts are decoration; leave the placeholders */ });
    }
  }

  /** Badges (<img src=".../badge.svg?article=K">) loaded before this view was counted
   *  show one less; point them at a URL for the new total (still cacheable). */
  function refreshBadges(article, views) {
    Array.prototype.forEach.call(document.images, function (img) {
      var u;
      try { u = new URL(img.src); } catch (e) { return; }
      if (u.origin + u.pathname !== API + "/badge.svg" || normKey(u.searchParams.get("article")) !== normKey(article)) return;
      if ((u.searchParams.get("site") || null) !== SITE) return;
      u.searchParams.set("v", String(views));
      img.src = u.href;
    });
  }

  // ---- theme -------------------------------------------------------------------------

  function pageIsDark(el) {
    for (var n = el.parentElement; n; n = n.parentElement) {
      var m = getComputedStyle(n).backgroundColor.match(/[\d.]+/g);
      if (m && m.length >= 3 && (m.length < 4 || Number(m[3]) > 0.5)) {
        return (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]) / 255 < 0.5;
      }
    }
    return !!(window.matchMedia && matchMedia("(prefers-color-scheme: dark)").matches);
  }

  function applyTheme(root, option) {
    var theme = option === "light" || option === "dark" ? option : (pageIsDark(root) ? "dark" : "light");
    root.setAttribute("data-engage-theme", theme);
  }

  // ---- the comment section -----------------------------------------------------------

  /** The comment section; its texts (T), locale (lang) and direction (dir) are set from the
   *  catalog before build(). */
  function Widget(root, article) {
    this.root = root; this.T = null; this.lang = "en"; this.dir = "ltr"; this.article = article;
    this.count = 0; this.next = null; this.nodes = {}; this.replyTo = null;
    this.token = null; this.tokenAt = 0;
    this.session = store("sessionStorage"); this.local = store("localStorage");
    // one origin may embed several sites: the site is part of what is remembered per article
    this.storeKey = (SITE ? SITE + ":" : "") + article;
    this.pendingKey = "engage:pending:" + this.storeKey;
    this.details = articleDetails(root);
    var sort = this.local && this.local.getItem("engage:sort");
    this.sort = SORTS.indexOf(sort) >= 0 ? sort : "oldest";
    this.hooks = [];  // function(comment, node) per rendered comment, added by extensions
  }

  /** The article's title and URL for the queue and feeds (see the header for the defaults).
   *  A canonical link on another origin is not sent: engage refuses URLs off the site's
   *  origins (422), and the page's own origin is one of them. */
  function articleDetails(root) {
    var title = (root.getAttribute("data-title") || document.title || "").replace(/\s+/g, " ").trim();
    var url = root.getAttribute("data-url");
    if (!url) {
      var link = document.querySelector('link[rel="canonical"]');
      url = link && link.href;
      var sameOrigin = false;
      try { sameOrigin = !!url && new URL(url).origin === location.origin; } catch (e) { /* no */ }
      if (!sameOrigin) url = location.origin + location.pathname;
    }
    url = safeUrl(url);
    return { title: Array.from(title).slice(0, MAX_TITLE).join("") || null,
             url: url && url.length <= MAX_URL ? url : null };
  }

  Widget.prototype.build = function () {
    var T = this.T;
    this.heading = h("h2", { class: "engage-title", text: T.loading });
    this.thread = h("ol", { class: "engage-thread" });
    this.moreBtn = h("button", { type: "button", class: "engage-more", hidden: true, text: T.more });
    this.loadStatus = h("p", { class: "engage-load-status", role: "status" });
    this.respond = this.buildForm();
    this.home = h("div", { class: "engage-respond-home" }, [this.respond]);
    this.root.textContent = "";
    this.root.classList.add("engage");
    this.root.setAttribute("lang", this.lang);
    this.root.setAttribute("dir", this.dir);
    this.root.appendChild(h("section", { class: "engage-comments", "aria-labelledby": "engage-title" },
      [this.heading, this.thread, this.moreBtn, this.loadStatus, this.home]));
    this.heading.id = "engage-title";
    var self = this;
    this.moreBtn.addEventListener("click", function () { self.load(); });
  };

  Widget.prototype.field = function (name, label, type, required, autocomplete) {
    var id = "engage-" + name;
    var input = type === "textarea"
      ? h("textarea", { id: id, name: name, rows: 8, required: required })
      : h("input", { id: id, name: name, type: type, required: required, autocomplete: autocomplete });
    var err = h("span", { class: "engage-error", id: id + "-error", hidden: true });
    input.setAttribute("aria-describedby", err.id);
    this.inputs[name] = input; this.errors[name] = err;
    return h("p", { class: "engage-field engage-field-" + name }, [
      h("label", { for: id }, [label, required ? " " : null,
        required ? h("span", { class: "engage-req", "aria-hidden": "true", text: "*" }) : null]),
      input, err]);
  };

  Widget.prototype.buildForm = function () {
    var T = this.T, self = this;
    this.inputs = {}; this.errors = {};
    this.formTitle = h("h3", { class: "engage-form-title", id: "engage-form-title", text: T.leave });
    this.cancelBtn = h("button", { type: "button", class: "engage-cancel", hidden: true, text: T.cancel });
    this.remember = h("input", { type: "checkbox", id: "engage-remember", name: "remember" });
    // Honeypot, sent as `phone`. Named so that browsers' and password managers' autofill, which
    // would otherwise fill a "phone" field for real people, leave it alone.
    this.honeypot = h("input", { type: "text", name: "engage-hp", id: "engage-hp", tabindex: "-1",
      autocomplete: "off", "data-lpignore": "true", "data-1p-ignore": "true" });
    this.submitBtn = h("button", { type: "submit", class: "engage-submit", text: T.post });
    this.status = h("div", { class: "engage-status", role: "status", "aria-live": "polite" });
    this.form = h("form", { class: "engage-form", novalidate: true, "aria-labelledby": "engage-form-title" }, [
      h("p", { class: "engage-notes" }, [h("span", { text: T.notes }), " ", h("span", {}, T.required.split("{*}")
        .reduce(function (acc, part, i) {
          if (i) acc.push(h("span", { class: "engage-req", text: "*" }));
          return acc.concat([part]);
        }, []))]),
      this.field("body", T.comment, "textarea", true),
      this.field("author_name", T.name, "text", true, "name"),
      this.field("author_email", T.email, "email", true, "email"),
      this.field("author_url", T.website, "url", false, "url"),
      h("div", { class: "engage-hp", "aria-hidden": "true" }, [h("label", { for: "engage-hp", text: "Leave this field empty" }), this.honeypot]),
      h("p", { class: "engage-remember" }, [this.remember, " ", h("label", { for: "engage-remember", text: T.remember })]),
      h("p", { class: "engage-actions" }, [this.submitBtn]),
      this.status]);
    var saved = this.local && getJSON(this.local, "engage:author");
    if (saved) {
      this.inputs.author_name.value = saved.name || "";
      this.inputs.author_email.value = saved.email || "";
      this.inputs.author_url.value = saved.url || "";
      this.remember.checked = true;
    }
    var warm = function () { self.formToken(); };
    this.form.addEventListener("focusin", warm);
    this.form.addEventListener("input", warm);
    this.form.addEventListener("submit", function (e) { e.preventDefault(); self.submit(); });
    this.form.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && self.replyTo) { e.preventDefault(); self.cancelReply(true); }
    });
    this.cancelBtn.addEventListener("click", function () { self.cancelReply(true); });
    return h("div", { class: "engage-respond" }, [
      h("div", { class: "engage-form-head" }, [this.formTitle, this.cancelBtn]), this.form]);
  };

  Widget.prototype.setHeading = function () {
    var T = this.T, n = this.count;
    this.heading.textContent = plural(T.comments, n);
  };

  Widget.prototype.renderComment = function (c, pending) {
    var T = this.T, self = this;
    var id = String(c.id);
    var parent = c.parent_id !== null && c.parent_id !== undefined ? this.nodes[String(c.parent_id)] : null;
    var depth = parent ? parent.depth + 1 : 1;
    // The API speaks UTC; a timestamp without an offset must not be read as local time.
    var stamp = String(c.created_at || "");
    var date = new Date(/(Z|[+-]\d\d:?\d\d)$/i.test(stamp) ? stamp : stamp + "Z");
    var valid = !isNaN(date.getTime());
    var site = safeUrl(c.author_url);
    var avatar = safeUrl(c.avatar_url);
    var name = site
      ? h("a", { class: "engage-author", href: site, rel: "nofollow ugc noopener", text: c.author_name || "" })
      : h("span", { class: "engage-author", text: c.author_name || "" });
    var time = h("time", {
      datetime: valid ? date.toISOString() : null,
      title: valid ? date.toLocaleString(this.lang, { dateStyle: "long", timeStyle: "short" }) : null,
      text: valid ? relTime(date, this.lang, T) : ""
    });
    var body = h("div", { class: "engage-body" });
    body.appendChild(safeFragment(c.body_html));
    var reply = h("button", { type: "button", class: "engage-reply", text: T.reply,
      "aria-label": fmt(T.replyLabel, { name: c.author_name || "" }) });
    var article = h("article", { class: "engage-comment-body", id: "engage-comment-" + id, tabindex: "-1" }, [
      avatar ? h("img", { class: "engage-avatar", src: avatar, alt: "", width: 40, height: 40, loading: "lazy" })
        : h("span", { class: "engage-avatar engage-avatar-empty", "aria-hidden": "true" }),
      h("div", { class: "engage-main" }, [
        // Staff replies carry their badge (the server's text), pinned comments the marker.
        h("header", { class: "engage-meta" }, [name, " ",
          c.staff ? h("span", { class: "engage-staff", text: c.staff }) : null,
          c.pinned ? h("span", { class: "engage-pin", text: T.pinned }) : null,
          h("a", { class: "engage-permalink", href: "#engage-comment-" + id }, [time])]),
        pending ? h("p", { class: "engage-pending-note", text: T.pending + " " + T.preview }) : null,
        body,
        pending ? null : h("footer", { class: "engage-actions-row" }, [reply])])]);
    var children = h("ol", { class: "engage-children" });
    var li = h("li", { class: "engage-comment engage-depth-" + Math.min(depth, MAX_DEPTH) +
      (pending ? " engage-pending" : "") }, [article, children]);
    // Below MAX_DEPTH replies nest; deeper ones join their parent's list so lines stay readable.
    var list = !parent ? this.thread : parent.depth < MAX_DEPTH ? parent.children : parent.list;
    var firstPending = pending ? null : list.querySelector(":scope > .engage-pending");
    list.insertBefore(li, firstPending);
    this.nodes[id] = { li: li, article: article, children: children, list: list, depth: depth,
      name: c.author_name || "", pending: !!pending, data: c, body: body, meta: article.querySelector("header"),
      footer: article.querySelector("footer") };
    reply.addEventListener("click", function () { self.openReply(id, reply); });
    this.hooks.forEach(function (hook) { hook(c, self.nodes[id]); });
    return article;
  };

  /** Threads are publicly cached for a few seconds; a reader who just posted here skips
   *  that cache (revalidates), or a reload would briefly hide their own comment. */
  Widget.prototype.fetchPage = function () {
    var posted = this.session && Number(this.session.getItem("engage:posted:" + this.storeKey));
    var fresh = posted && Date.now() - posted < FRESH_MS;
    return api("/comments" + q({ article: this.article, limit: PAGE_SIZE, cursor: this.next,
      sort: this.sort === "oldest" ? null : this.sort }),
      fresh ? { cache: "no-cache" } : {});
  };

  /** Render the next page; `pending` is an already started fetchPage() (the first page). */
  Widget.prototype.load = function (pending) {
    var self = this, T = this.T;
    this.moreBtn.disabled = true;
    this.loadStatus.textContent = this.next ? T.loading : "";
    return (pending || this.fetchPage())
      .then(function (res) {
        if (!res.ok || !res.data) throw new Error("status " + res.status);
        var d = res.data;
        self.count = typeof d.count === "number" ? d.count : self.count;
        (d.comments || []).forEach(function (c) {
          var known = self.nodes[String(c.id)];
          if (known && !known.pending) return;
          if (known) { known.li.remove(); delete self.nodes[String(c.id)]; self.forgetPending(c.id); }
          self.renderComment(c, false);
        });
        if (d.closed === true) self.close();
        self.next = d.next || null;
        self.moreBtn.hidden = !self.next;
        self.moreBtn.disabled = false;
        self.loadStatus.textContent = "";
        self.setHeading();
        self.showPending();
        // A permalink (#engage-comment-N) can only be followed once its comment exists.
        var target = location.hash.indexOf("#engage-comment-") === 0 && document.getElementById(location.hash.slice(1));
        if (target && !self.jumped) { self.jumped = true; target.scrollIntoView(); target.focus(); }
      })
      .catch(function () {
        self.moreBtn.disabled = false;
        if (self.heading.textContent === T.loading) self.heading.textContent = T.title;
        self.loadStatus.textContent = T.loadError + " ";
        var retry = h("button", { type: "button", class: "engage-retry", text: T.retry });
        retry.addEventListener("click", function () { self.load(); });
        self.loadStatus.appendChild(retry);
      });
  };

  /** A closed article (the thread says `closed: true`): comments stay, the form goes. */
  Widget.prototype.close = function () {
    if (this.replyTo) this.cancelReply(false);
    this.root.classList.add("engage-is-closed");
    this.home.textContent = "";
    this.home.appendChild(h("p", { class: "engage-closed", text: this.T.closed }));
  };

  // Held comments are shown to their author only: they live in this tab's sessionStorage.
  Widget.prototype.pendingList = function () {
    return (this.session && getJSON(this.session, this.pendingKey)) || [];
  };

  Widget.prototype.forgetPending = function (id) {
    if (!this.session) return;
    var rest = this.pendingList().filter(function (c) { return String(c.id) !== String(id); });
    this.session.setItem(this.pendingKey, JSON.stringify(rest));
  };

  Widget.prototype.showPending = function () {
    var self = this;
    this.pendingList().forEach(function (c) {
      var parentReady = c.parent_id === null || c.parent_id === undefined || self.nodes[String(c.parent_id)];
      if (!self.nodes[String(c.id)] && parentReady) self.renderComment(c, true);
    });
  };

  Widget.prototype.openReply = function (id, button) {
    var node = this.nodes[id];
    if (!node) return;
    this.replyTo = id; this.replyButton = button;
    node.li.insertBefore(this.respond, node.children);
    this.formTitle.textContent = fmt(this.T.replyTo, { name: node.name });
    this.cancelBtn.hidden = false;
    this.inputs.body.focus();
  };

  Widget.prototype.cancelReply = function (restoreFocus) {
    var button = this.replyButton;
    this.replyTo = null; this.replyButton = null;
    this.home.appendChild(this.respond);
    this.formTitle.textContent = this.T.leave;
    this.cancelBtn.hidden = true;
    if (restoreFocus && button && document.contains(button)) button.focus();
  };

  /** The form token, fetched once the reader starts writing; a failed fetch is retried
   *  after 10 s at the earliest (the comment is then sent without one). */
  Widget.prototype.formToken = function () {
    var self = this;
    var age = Date.now() - this.tokenAt;
    if (this.token && age < (this.tokenOk ? TOKEN_MAX_AGE_MS : 10000)) return this.token;
    this.tokenAt = Date.now();
    this.tokenOk = false;
    this.token = api("/form-token" + q({ article: this.article })).then(function (res) {
      var token = res.ok && res.data && res.data.form_token;
      self.tokenOk = !!token;
      return token || null;
    }, function () { return null; });
    return this.token;
  };

  Widget.prototype.say = function (text, kind) {
    this.status.textContent = text;
    this.status.className = "engage-status" + (kind ? " engage-status-" + kind : "");
  };

  Widget.prototype.showErrors = function (errors) {
    var first = null;
    for (var name in this.inputs) {
      var msg = errors[name];
      var input = this.inputs[name], err = this.errors[name];
      err.textContent = msg ? [].concat(msg).join(" ") : "";
      err.hidden = !msg;
      if (msg) { input.setAttribute("aria-invalid", "true"); first = first || input; }
      else input.removeAttribute("aria-invalid");
    }
    return first;
  };

  Widget.prototype.submit = function () {
    var self = this, T = this.T;
    if (this.busy) return;
    var d = {
      author_name: this.inputs.author_name.value.trim(),
      author_email: this.inputs.author_email.value.trim(),
      author_url: this.inputs.author_url.value.trim(),
      body: this.inputs.body.value
    };
    var first = this.showErrors(validate(d, T));
    if (first) { this.say(T.fix, "error"); first.focus(); return; }
    this.setBusy(true);
    this.say("");
    Promise.resolve(this.formToken()).then(function (token) {
      var payload = { article: self.article, author_name: d.author_name, author_email: d.author_email,
        body: d.body, phone: self.honeypot.value, notify: self.notify, lang: self.lang };
      if (d.author_url) payload.author_url = d.author_url;
      if (SITE) payload.site = SITE;
      if (self.details.title) payload.article_title = self.details.title;
      if (self.details.url) payload.article_url = self.details.url;
      if (self.replyTo) payload.parent_id = isNaN(Number(self.replyTo)) ? self.replyTo : Number(self.replyTo);
      if (token) payload.form_token = token;
      var key = readerKey(self.local);
      if (key) payload.reader_key = key;
      var proof = self.local && self.local.getItem("engage:proof");
      if (key && proof) payload.reader_proof = proof;
      return api("/comments" + q({}), { method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify(payload) });
    }).then(function (res) {
      self.setBusy(false);
      self.handleResult(res, d);
    }, function () {
      self.setBusy(false);
      self.say(T.network, "error");
    });
  };

  Widget.prototype.setBusy = function (busy) {
    this.busy = busy;
    this.submitBtn.disabled = busy;
    this.submitBtn.textContent = busy ? this.T.posting : this.T.post;
  };

  Widget.prototype.handleResult = function (res, d) {
    var T = this.T, self = this;
    var data = res.data || {};
    if ((res.status === 201 || res.status === 202) && data.comment) {
      this.saveAuthor(d);
      if (this.session) this.session.setItem("engage:posted:" + this.storeKey, String(Date.now()));
      var pending = res.status === 202 || data.status === "pending";
      var c = data.comment;
      // The author's edit key stays in this browser (engage-actions.js sends it).
      var keys = (this.local && getJSON(this.local, "engage:keys")) || {};
      if (data.edit_key && this.local) {
        keys[c.id] = { key: data.edit_key, until: data.edit_until };
        this.local.setItem("engage:keys", JSON.stringify(keys));
      }
      if (pending && this.session) {
        var list = this.pendingList().concat([c]);
        this.session.setItem(this.pendingKey, JSON.stringify(list));
      }
      this.inputs.body.value = "";
      this.token = null;
      if (this.replyTo) this.cancelReply(false);
      var el = this.renderComment(c, pending);
      if (!pending) {
        this.count += 1; this.setHeading();
        document.querySelectorAll('[data-engage-comments="' + CSS.escape(this.article) + '"]')
          .forEach(function (e) { fillCount({ el: e, kind: "comments" }, self.count, T); });
      }
      el.classList.add("engage-new");
      el.focus();
      this.say(pending ? T.pending : T.published, pending ? "pending" : "success");
      return;
    }
    var err = data.error || {};
    var fields = err.fields || {};
    var mapped = {}, other = [];
    Object.keys(fields).forEach(function (k) {
      if (self.inputs[k]) mapped[k] = fields[k];
      else other = other.concat(fields[k]);
      if (k === "form_token") self.token = null;
    });
    var first = this.showErrors(mapped);
    var msg;
    if (res.status === 429) {
      var wait = parseInt(res.headers.get("Retry-After") || err.retry_after || "0", 10) || 15;
      msg = plural(T.slow, wait);
      this.submitBtn.disabled = true;
      setTimeout(function () { if (!self.busy) self.submitBtn.disabled = false; }, wait * 1000);
    } else if (res.status === 422 && first) msg = T.fix + (other.length ? " " + other.join(" ") : "");
    else if (res.status === 409) msg = T.duplicate;
    else if (res.status === 403) msg = err.code === "comments_closed" ? T.closed : (err.message || T.generic);
    else if (res.status === 413) msg = T.tooLarge;
    else msg = (err.message ? err.message + (other.length ? " " + other.join(" ") : "") : T.generic);
    this.say(msg, "error");
    if (first) first.focus();
  };

  Widget.prototype.saveAuthor = function (d) {
    if (!this.local) return;
    if (this.remember.checked) {
      this.local.setItem("engage:author", JSON.stringify({ name: d.author_name, email: d.author_email, url: d.author_url }));
    } else this.local.removeItem("engage:author");
  };

  // ---- start -------------------------------------------------------------------------

  /** Resolves when engage.css is applied (or after 3 s), so the honeypot never flashes visible. */
  function loadCss(root) {
    if (root && /^(off|false|0)$/i.test(root.getAttribute("data-css") || "")) return Promise.resolve();
    var present = Array.prototype.some.call(document.querySelectorAll('link[rel="stylesheet"]'),
      function (l) { return l.href === CSS_URL; });
    if (present) return Promise.resolve();
    return new Promise(function (resolve) {
      var link = h("link", { rel: "stylesheet", href: CSS_URL });
      link.addEventListener("load", resolve);
      link.addEventListener("error", resolve);
      setTimeout(resolve, 3000);
      var head = document.head || document.documentElement;
      head.insertBefore(link, head.firstChild);
    });
  }

  /** The language tag the page asks for: data-lang on the widget or the script tag, the
   *  page's <html lang>, the browser's language; malformed values are skipped. */
  function pickLang(root) {
    var asked = [root && root.getAttribute("data-lang"), script.getAttribute("data-lang"),
      document.documentElement.lang, navigator.language, "en"];
    for (var i = 0; i < asked.length; i++) {
      var tag = String(asked[i] || "").trim().toLowerCase().replace(/_/g, "-");
      if (TAG_RE.test(tag)) return tag;
    }
    return "en";
  }

  /** The catalog for `tag`: {T: messages, lang: the Intl locale, dir}. The server resolves the
   *  tag (itself, its base language, English) and fills untranslated keys from English; the
   *  locale stays the asked tag when the catalog is of its language (pt-BR formats dates the
   *  Brazilian way with the pt texts). English is tried when the asked one cannot be had. */
  function loadCatalog(tag) {
    return fetch(I18N_BASE + encodeURIComponent(tag) + ".json", { mode: "cors", credentials: "omit" })
      .then(function (res) { if (!res.ok) throw new Error("status " + res.status); return res.json(); })
      .then(function (d) {
        var lang = String(d.lang || "en");
        var locale = tag.split("-")[0] === lang.split("-")[0] ? tag : lang;
        try { locale = Intl.getCanonicalLocales(locale)[0] || lang; } catch (e) { locale = lang; }
        return { T: d.messages || {}, lang: locale, dir: d.dir === "rtl" ? "rtl" : "ltr" };
      })
      .catch(function (error) { if (tag === "en") throw error; return loadCatalog("en"); });
  }

  /** Load the extensions once and hand each the widget and the helpers it needs. */
  function loadExtensions(widget) {
    var kit = { api: api, q: q, h: h, fmt: fmt, plural: plural, num: num, getJSON: getJSON,
      safeFragment: safeFragment, site: SITE, sorts: SORTS, base: API };
    EXTENSIONS.forEach(function (name) {
      var s = h("script", { src: SRC.href.replace(/engage\.js(\?|#|$)/, name + "$1"), async: true });
      s.addEventListener("load", function () {
        (window.engageExtensions || []).forEach(function (ext) {
          if (!ext.started) { ext.started = true; ext(widget, kit); }
        });
      });
      document.head.appendChild(s);
    });
  }

  function start() {
    var root = document.getElementById("engage-comments");
    if (root && root.hasAttribute("data-engage-ready")) return;
    SITE = (root && root.getAttribute("data-site")) || script.getAttribute("data-site") || null;
    var article = root ? (root.getAttribute("data-article") || location.pathname) : null;
    if (!root && !countTargets(article).length) return;
    var catalog = loadCatalog(pickLang(root)).then(function (c) { LANG = c.lang; return c; });
    // Without texts the widget cannot speak: it then leaves the page as it is.
    catalog.catch(function () { /* nothing to show */ });
    var known = {};
    var viewed = Promise.resolve();
    if (root && !/^(off|false|0)$/i.test(root.getAttribute("data-views") || "")) {
      viewed = recordView(article).then(function (r) {
        if (!r || typeof r.views !== "number") return;
        known[article] = r.views;
        if (r.counted) refreshBadges(article, r.views);
        return catalog.then(function (c) {
          countTargets(article).forEach(function (t) {
            if (t.kind === "views" && t.key === article) fillCount(t, r.views, c.T);
          });
        });
      });
    }
    Promise.all([catalog, viewed]).then(function (r) { loadCounts(article, known, r[0].T); },
      function () { /* no catalog: counts keep their placeholders */ });
    if (!root) return;
    root.setAttribute("data-engage-ready", "");
    var widget = new Widget(root, article);
    claimProof(widget.local);
    var option = root.getAttribute("data-theme") || "auto";
    var firstPage = widget.fetchPage();
    firstPage.catch(function () { /* reported by load() */ });
    Promise.all([catalog, loadCss(root)]).then(function (r) {
      widget.T = r[0].T; widget.lang = r[0].lang; widget.dir = r[0].dir;
      widget.build();
      applyTheme(root, option);
      // "auto" follows the page: the OS setting, and sites' own light/dark toggles, which
      // flip a class or attribute on <html> or <body>.
      var again = function () { applyTheme(root, option); };
      if (window.matchMedia) {
        var mq = matchMedia("(prefers-color-scheme: dark)");
        if (mq.addEventListener) mq.addEventListener("change", again);
      }
      if (option === "auto" && window.MutationObserver) {
        var watch = new MutationObserver(again);
        [document.documentElement, document.body].forEach(function (n) {
          if (n) watch.observe(n, { attributes: true, attributeFilter: ["class", "style", "data-theme"] });
        });
      }
      widget.load(firstPage).then(function () { loadExtensions(widget); });
    }, function () { /* no catalog: see above */ });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
