// Loket review console: the only script. Works without it; it adds two conveniences.
(function () {
  "use strict";
  // "tick all" checkbox of a list page
  document.querySelectorAll("input[data-check-all]").forEach(function (all) {
    all.addEventListener("change", function () {
      var name = all.getAttribute("data-check-all");
      all.form.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (box) {
        box.checked = all.checked;
      });
    });
  });
  // confirmation before destructive actions (revoking a device)
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) event.preventDefault();
    });
  });
  // bulk decisions: the count of ticked records, and the server's confirmation question asked
  // here in a dialog ("Verifikasi 37 pendaftaran?"); confirmed=1 then skips the server's page
  var bulk = document.getElementById("bulk");
  if (bulk && bulk.querySelector("select[name=action]")) {
    var ticked = function () { return bulk.querySelectorAll("input[type=checkbox][name=ids]:checked").length; };
    var counter = bulk.querySelector("[data-ticked-count]");
    var recount = function () { if (counter) counter.textContent = "(" + ticked() + ")"; };
    bulk.addEventListener("change", recount);
    recount();
    bulk.addEventListener("submit", function (event) {
      var action = bulk.querySelector("select[name=action]").value;
      var question = bulk.getAttribute("data-confirm-" + action);
      var n = ticked();
      var reason = bulk.querySelector("select[name=reason]").value;
      var note = bulk.querySelector("input[name=note]").value.trim();
      var incomplete = (action === "rejected" && !reason) || (action === "returned" && !note);
      if (!question || n === 0 || incomplete) return; // the server says what is missing, ticks kept
      if (!window.confirm(question.replace("{n}", String(n)))) { event.preventDefault(); return; }
      var flag = bulk.querySelector("input[name=confirmed]") || document.createElement("input");
      flag.type = "hidden"; flag.name = "confirmed"; flag.value = "1";
      bulk.appendChild(flag);
    });
  }
  // keyboard shortcuts (record page: V verify, X reject, R return, N next record): the key of
  // an element's data-shortcut clicks a button or link, or moves into a field. Never while
  // typing in a field (Esc leaves it), never with Ctrl/Alt/Meta (the browser's own keys).
  var typing = function (el) {
    if (!el || el === document.body) return false;
    if (el.isContentEditable) return true;
    var tag = el.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") return true;
    return tag === "INPUT" && !/^(checkbox|radio|button|submit|reset)$/.test(el.type);
  };
  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.altKey || event.metaKey || event.isComposing) return;
    if (typing(event.target)) {
      if (event.key === "Escape") event.target.blur();
      return;
    }
    var key = (event.key || "").toLowerCase();
    if (key.length !== 1) return;
    var el = document.querySelector('[data-shortcut="' + key + '"]');
    if (!el) return;
    event.preventDefault();
    if (el.tagName === "A" || el.tagName === "BUTTON") el.click(); else el.focus();
  });
  // staff accounts: ticking a province means "only the ticked ones"; "all" clears the ticks
  document.querySelectorAll("fieldset[data-provinces]").forEach(function (set) {
    var all = set.querySelector("input[name=scope][value=all]");
    var some = set.querySelector("input[name=scope][value=some]");
    set.querySelectorAll("input[name=provinces]").forEach(function (box) {
      box.addEventListener("change", function () { if (box.checked) some.checked = true; });
    });
    all.addEventListener("change", function () {
      set.querySelectorAll("input[name=provinces]").forEach(function (box) { box.checked = false; });
    });
  });
})();
