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
