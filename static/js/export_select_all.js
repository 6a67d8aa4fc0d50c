/* The admin export page's "select all" checkbox (templates/admin/import_export/export.html):
   ticks or clears every field of the export. django-import-export wires it with an inline
   onchange attribute, which the Content Security Policy blocks; this file does it instead. */
(function () {
  "use strict";

  function toggleAll(event) {
    var checked = event.target.checked;
    document
      .querySelectorAll('.selectable-field-export-row input[type="checkbox"]')
      .forEach(function (checkbox) {
        checkbox.checked = checked;
      });
  }

  function wire() {
    document.querySelectorAll("input.select-toggle").forEach(function (toggle) {
      toggle.addEventListener("change", toggleAll);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
})();
