/* "Select all" boxes: <input type="checkbox" data-select-all="ids"> ticks or clears every
   checkbox named "ids" in its form, and follows them (ticked when all are). Used by the
   review of quarterly returns (returns/templates/returns/review.html). Without JavaScript
   the box still works: it is posted, and the server applies the action to every row shown. */
(function () {
  "use strict";

  function boxes(toggle) {
    var name = toggle.getAttribute("data-select-all");
    return Array.prototype.slice.call(
      toggle.form.querySelectorAll('input[type="checkbox"][name="' + name + '"]')
    );
  }

  function wire(toggle) {
    var rows = boxes(toggle);
    toggle.addEventListener("change", function () {
      rows.forEach(function (box) {
        box.checked = toggle.checked;
      });
    });
    rows.forEach(function (box) {
      box.addEventListener("change", function () {
        toggle.checked = rows.every(function (other) {
          return other.checked;
        });
      });
    });
  }

  function start() {
    document.querySelectorAll("input[data-select-all]").forEach(wire);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
