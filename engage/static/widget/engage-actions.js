/*! engage comment widget: votes, the sort control, reports, and editing and deleting one's
 * own comments. Loaded by engage.js after the thread's first page, so that reading stays within
 * engage.js's size budget; it registers one extension, which engage.js calls with the widget
 * and the helpers it shares (`kit`: api, q, h, fmt, plural, num, getJSON, safeFragment, site).
 *
 * Contract: votes are remembered per comment in localStorage ("engage:votes") only to show
 * which button is pressed; the server counts one vote per visitor whatever the browser says.
 * Edit keys ("engage:keys", written by engage.js from the post answer) are sent only as the
 * Authorization header of PATCH and DELETE to this comment's own URL, and forgotten once their
 * time is over. Reports: a form under the comment.
 * Every text goes in through textContent; comment bodies through safeFragment.
 */
(function () {
  "use strict";

  (window.engageExtensions = window.engageExtensions || []).push(function (widget, kit) {
    var T = widget.T, h = kit.h, local = widget.local;
    var votes = (local && kit.getJSON(local, "engage:votes")) || {};

    function keys() {
      var all = (local && kit.getJSON(local, "engage:keys")) || {}, now = Date.now(), live = {};
      Object.keys(all).forEach(function (id) {
        if (all[id] && Date.parse(all[id].until) > now) live[id] = all[id];
      });
      if (local) local.setItem("engage:keys", JSON.stringify(live));
      return live;
    }

    function say(text, kind) { widget.say(text, kind); }

    /** After a change of this reader's, their next thread read revalidates instead of
     *  taking the browser's cached page (engage.js fetchPage). */
    function fresh() {
      if (widget.session) widget.session.setItem("engage:posted:" + widget.storeKey, String(Date.now()));
    }

    // ---- mail notifications (data-notify="on"; engage.js sends widget.notify) --------
    var row = widget.form && widget.form.querySelector(".engage-actions");
    if (row && /^(on|1|true)$/i.test(widget.root.getAttribute("data-notify") || "")) {
      var pick = h("select", { id: "engage-notify" }, ["none", "replies", "article"].map(function (v) {
        return h("option", { value: v, text: T["notify_" + v] });
      }));
      pick.addEventListener("change", function () { widget.notify = pick.value; });
      widget.form.insertBefore(h("p", { class: "engage-notify" },
        [h("label", { for: "engage-notify", text: T.notify }), " ", pick]), row);
      // A reader who asked is told where the confirmation link went. The answer never says
      // whether the address was confirmed before (that would tell anyone who typed it).
      var handled = widget.handleResult;
      widget.handleResult = function (res, d) {
        var asked = widget.notify && widget.notify !== "none";
        handled.call(widget, res, d);
        if (asked && res.data && res.data.comment && T.notify_sent) {
          widget.status.textContent += " " + T.notify_sent;
        }
      };
    }

    // ---- sort ----------------------------------------------------------------------
    var select = h("select", { id: "engage-sort", class: "engage-sort" }, kit.sorts.map(function (s) {
      var key = "sort" + s.charAt(0).toUpperCase() + s.slice(1);
      return h("option", { value: s, selected: s === widget.sort, text: T[key] });
    }));
    widget.heading.parentNode.insertBefore(h("p", { class: "engage-sort-row" }, [
      h("label", { for: "engage-sort", text: T.sortLabel }), " ", select]), widget.thread);
    select.addEventListener("change", function () {
      widget.sort = select.value;
      if (local) local.setItem("engage:sort", widget.sort);
      if (widget.replyTo) widget.cancelReply(false);
      widget.thread.textContent = "";
      widget.nodes = {};
      widget.next = null;
      widget.load().then(function () { say(T.sorted, ""); });
    });

    // ---- per comment ---------------------------------------------------------------
    function decorate(c, node) {
      if (node.pending || !node.footer || node.decorated) return;
      node.decorated = true;
      if (c.deleted) {
        node.body.textContent = "";
        node.body.appendChild(h("p", { class: "engage-deleted", text: T.deleted }));
        return;
      }
      if (c.edited) markEdited(node);
      addVotes(c, node);
      addReport(c, node);
      var mine = keys()[c.id];
      if (mine) addOwnerActions(c, node, mine);
    }

    function markEdited(node) {
      if (node.meta.querySelector(".engage-edited")) return;
      node.meta.appendChild(h("span", { class: "engage-edited", text: " · " + T.edited }));
    }

    function addVotes(c, node) {
      var score = h("span", { class: "engage-score", "aria-live": "polite" });
      var up = h("button", { type: "button", class: "engage-vote engage-vote-up",
        "aria-label": kit.fmt(T.voteUp, { name: node.name }), text: "▲" });
      var down = h("button", { type: "button", class: "engage-vote engage-vote-down",
        "aria-label": kit.fmt(T.voteDown, { name: node.name }), text: "▼" });
      function show(tally) {
        var mine = votes[c.id] || 0;
        up.setAttribute("aria-pressed", mine === 1 ? "true" : "false");
        down.setAttribute("aria-pressed", mine === -1 ? "true" : "false");
        score.textContent = kit.num(tally.score);
        score.title = kit.plural(T.votes, tally.up + tally.down);
      }
      function cast(value) {
        var next = (votes[c.id] || 0) === value ? 0 : value;
        up.disabled = down.disabled = true;
        kit.api("/comments/" + c.id + "/votes" + kit.q({}), { method: "POST",
          headers: { "Content-Type": "application/json" }, body: JSON.stringify({ value: next }) })
          .then(function (res) {
            if (res.ok && res.data) {
              if (next) votes[c.id] = next; else delete votes[c.id];
              if (local) local.setItem("engage:votes", JSON.stringify(votes));
              fresh();
              show(res.data);
            } else say(res.status === 429 ? T.voteSlow : T.generic, "error");
          }, function () { say(T.network, "error"); })
          .then(function () { up.disabled = down.disabled = false; });
      }
      up.addEventListener("click", function () { cast(1); });
      down.addEventListener("click", function () { cast(-1); });
      show({ score: c.score || 0, up: c.up || 0, down: c.down || 0 });
      node.footer.insertBefore(h("span", { class: "engage-votes", role: "group",
        "aria-label": T.votesLabel }, [up, score, down]), node.footer.firstChild);
    }

    function addReport(c, node) {
      var b = h("button", { type: "button", class: "engage-report", "aria-expanded": "false",
        "aria-label": kit.fmt(T.reportLabel, { name: node.name }), text: T.report });
      node.footer.appendChild(b);
      b.addEventListener("click", function () { if (node.rf) close(1); else open(); });
      function close(back) {
        node.rf.remove();
        node.rf = null;
        b.setAttribute("aria-expanded", "false");
        if (back) b.focus();
      }
      function open() {
        var id = "engage-r" + c.id;
        var note = h("textarea", { id: id + "-n", rows: 3, maxlength: 2000 });
        var faith = h("input", { type: "checkbox", id: id + "-g" });
        var mail = h("input", { type: "email", id: id + "-e" });
        var dsa = h("div", { class: "engage-dsa", hidden: true }, [h("p", { text: T.illegalHelp }),
          h("label", {}, [faith, " ", T.goodFaith]), h("label", { for: id + "-e", text: T.reportEmail }), mail]);
        var err = h("p", { class: "engage-error", role: "alert", hidden: true });
        var f = node.rf = h("form", { class: "engage-report-form" }, [
          h("fieldset", {}, [h("legend", { text: T.reportTitle })].concat(
            ["spam", "abuse", "off_topic", "illegal", "other"].map(function (r) {
              return h("label", {}, [h("input", { type: "radio", name: id, value: r }), " ", T["reason_" + r]]);
            }))),
          h("label", { for: id + "-n", text: T.reportNote }), note, dsa, err,
          h("p", { class: "engage-actions" }, [h("button", { type: "submit", text: T.sendReport }), " ",
            h("button", { type: "button", value: "x", text: T.cancelEdit })])]);
        function reason() { var x = f.querySelector(":checked[type=radio]"); return x && x.value; }
        function fail(m) { err.textContent = m; err.hidden = false; }
        f.addEventListener("change", function () { dsa.hidden = reason() !== "illegal"; });
        f.addEventListener("click", function (e) { if (e.target.value === "x") close(1); });
        f.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); close(1); } });
        f.addEventListener("submit", function (e) {
          e.preventDefault();
          var r = reason(), body = { reason: r, message: note.value.trim() || undefined };
          if (!r) return fail(T.reportChoose);
          if (r === "illegal") {
            if (!body.message) return fail(T.illegalHelp);
            if (!faith.checked) return fail(T.goodFaith);
            body.good_faith = true;
            body.email = mail.value.trim() || undefined;
          }
          kit.api("/comments/" + c.id + "/reports" + kit.q({}), { method: "POST",
            headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) })
            .then(function (res) {
              var d = res.data || {};
              if (!d.reference) return fail(res.status === 429 ? T.reportSlow : T.generic);
              close();
              var done = h("span", { class: "engage-reported", tabindex: "-1", text: kit.fmt(T.reported, { ref: d.reference }) });
              b.replaceWith(done);
              done.focus();
            }, function () { fail(T.network); });
        });
        node.footer.parentNode.insertBefore(f, node.footer.nextSibling);
        b.setAttribute("aria-expanded", "true");
        f.querySelector("input").focus();
      }
    }

    function send(c, mine, method, body) {
      var opts = { method: method, headers: { Authorization: "Bearer " + mine.key } };
      if (body) {
        opts.headers["Content-Type"] = "application/json";
        opts.body = JSON.stringify(body);
      }
      return kit.api("/comments/" + c.id + kit.q({}), opts);
    }

    function addOwnerActions(c, node, mine) {
      var edit = h("button", { type: "button", class: "engage-edit", text: T.edit });
      var remove = h("button", { type: "button", class: "engage-delete", text: T.remove });
      var armed = false;
      edit.addEventListener("click", function () { openEditor(c, node, mine, edit); });
      remove.addEventListener("click", function () {
        if (!armed) {  // two steps, so one stray key press never deletes
          armed = true;
          remove.textContent = T.confirmDelete;
          return;
        }
        remove.disabled = true;
        send(c, mine, "DELETE").then(function (res) {
          remove.disabled = false;
          if (!res.ok) { say(res.status === 403 ? T.tooLate : T.generic, "error"); return; }
          fresh();
          if (res.data && res.data.kept_for_replies) {
            node.body.textContent = "";
            node.body.appendChild(h("p", { class: "engage-deleted", text: T.deleted }));
            var name = node.meta.querySelector(".engage-author");
            if (name) name.replaceWith(h("span", { class: "engage-author", text: T.deleted }));
            node.footer.textContent = "";
          } else {
            node.li.remove();
            delete widget.nodes[String(c.id)];
            widget.count = Math.max(0, widget.count - 1);
            widget.setHeading();
          }
          say(T.deletedDone, "success");
          widget.heading.setAttribute("tabindex", "-1");  // focus must not vanish with the comment
          widget.heading.focus();
        }, function () { remove.disabled = false; say(T.network, "error"); });
      });
      node.footer.appendChild(edit);
      node.footer.appendChild(remove);
    }

    function openEditor(c, node, mine, editButton) {
      if (node.editing) return;
      node.editing = true;
      var id = "engage-edit-" + c.id;
      var area = h("textarea", { id: id, rows: 6, class: "engage-edit-text", "aria-describedby": id + "-error" });
      area.value = node.source || textOf(node.body);
      var error = h("span", { class: "engage-error", id: id + "-error", hidden: true });
      var save = h("button", { type: "submit", class: "engage-save", text: T.save });
      var cancel = h("button", { type: "button", class: "engage-cancel-edit", text: T.cancelEdit });
      var form = h("form", { class: "engage-edit-form", novalidate: true }, [
        h("label", { for: id, text: T.editLabel }), area, error,
        h("p", { class: "engage-actions" }, [save, " ", cancel])]);
      node.body.hidden = true;
      node.body.parentNode.insertBefore(form, node.body.nextSibling);
      area.focus();
      function close() {
        form.remove();
        node.body.hidden = false;
        node.editing = false;
        editButton.focus();
      }
      cancel.addEventListener("click", close);
      form.addEventListener("keydown", function (e) { if (e.key === "Escape") { e.preventDefault(); close(); } });
      form.addEventListener("submit", function (e) {
        e.preventDefault();
        var text = area.value;
        if (!text.trim()) return fail(T.bodyBlank);
        save.disabled = true;
        send(c, mine, "PATCH", { body: text }).then(function (res) {
          save.disabled = false;
          var d = res.data || {};
          if ((res.status === 200 || res.status === 202) && d.comment) {
            fresh();
            node.source = text;
            node.body.textContent = "";
            node.body.appendChild(kit.safeFragment(d.comment.body_html));
            markEdited(node);
            close();
            say(res.status === 202 ? T.editHeld : T.editSaved, res.status === 202 ? "pending" : "success");
            return;
          }
          var fields = (d.error && d.error.fields) || {};
          fail(res.status === 403 ? T.tooLate : fields.body ? [].concat(fields.body).join(" ")
            : (d.error && d.error.message) || T.generic);
        }, function () { save.disabled = false; fail(T.network); });
      });
      function fail(message) {
        error.textContent = message;
        error.hidden = false;
        area.setAttribute("aria-invalid", "true");
        area.focus();
      }
    }

    /** The comment's text as the reader sees it, a starting point when the source is unknown
     *  (a reload: the public answer carries the rendered HTML only). */
    function textOf(el) {
      return Array.prototype.map.call(el.querySelectorAll("p"), function (p) { return p.textContent; })
        .join("\n\n") || el.textContent;
    }

    widget.hooks.push(decorate);
    Object.keys(widget.nodes).forEach(function (id) { decorate(widget.nodes[id].data, widget.nodes[id]); });
  });
})();
