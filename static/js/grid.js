/* The quarterly grid (returns/templates/returns/grid.html), as fast as paper.

   The Tab order is the server's (tabindex: the figures along each row, then the next row;
   then the buttons; then notes and comments), so it holds without this file. This file adds:
   - Enter moves down the column, Shift+Enter up, like a spreadsheet; Enter never submits
     the form (in any field of the grid);
   - a figure's text is selected when the cell is entered, so typing replaces it;
   - the totals row and each cell's change from last quarter follow what is typed (the
     server computes both on every page; the highlighting of unusual figures is the
     server's, from the validation rules, and is not guessed here);
   - after a save with errors, the first cell in error takes the focus; after a submit, the
     confirmation does. */
(function () {
  "use strict";

  var form = document.getElementById("grid-form");
  if (!form) {
    return;
  }
  var table = document.getElementById("grid");

  function figureInputs(name) {
    return Array.prototype.slice.call(
      table.querySelectorAll('input[data-figure="' + name + '"]')
    );
  }

  function move(input, step) {
    var column = figureInputs(input.getAttribute("data-figure"));
    var index = column.indexOf(input) + step;
    if (index >= 0 && index < column.length) {
      column[index].focus();
    }
  }

  /* What the server accepts (returns/figures.py parse_figure), read for the totals only:
     full-width digits and commas, spaces around, commas between thousands. */
  function parse(text) {
    var plain = String(text)
      .replace(/[\uFF10-\uFF19]/g, function (ch) {
        return String.fromCharCode(ch.charCodeAt(0) - 0xfee0);
      })
      .replace(/\uFF0C/g, ",")
      .replace(/[\uFF0B]/g, "+")
      .replace(/[\uFF0D]/g, "-")
      .replace(/^[\s\u3000]+|[\s\u3000]+$/g, "");
    if (plain === "") {
      return null;
    }
    if (!/^[+-]?(\d+|\d{1,3}(,\d{3})+)$/.test(plain)) {
      return NaN;
    }
    return parseInt(plain.replace(/,/g, ""), 10);
  }

  var grouping = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });

  function show(value) {
    return grouping.format(value);
  }

  function signed(change) {
    if (change === 0) {
      return "±0";
    }
    return (change > 0 ? "+" : "−") + show(Math.abs(change));
  }

  function cellValue(td) {
    var input = td.querySelector("input[data-figure]");
    if (input) {
      return parse(input.value);
    }
    return td.hasAttribute("data-value") ? parseInt(td.getAttribute("data-value"), 10) : null;
  }

  function updateCell(td) {
    var delta = td.querySelector(".prev .delta");
    if (!delta || !td.hasAttribute("data-previous")) {
      return;
    }
    var value = cellValue(td);
    var previous = parseInt(td.getAttribute("data-previous"), 10);
    delta.textContent = value === null || isNaN(value) ? "" : signed(value - previous);
  }

  function updateTotal(name) {
    var total = table.querySelector('td[data-total="' + name + '"]');
    if (!total) {
      return;
    }
    // As the server adds up (returns/views/grid.py): the cells it can read; one it cannot
    // read is marked on the cell itself.
    var sum = 0;
    var any = false;
    var complete = true;
    var previous = 0;
    var anyPrevious = false;
    table.querySelectorAll('tbody td[data-figure="' + name + '"]').forEach(function (td) {
      var value = cellValue(td);
      if (value === null) {
        if (td.hasAttribute("data-previous")) {
          complete = false;
        }
      } else if (isNaN(value)) {
        complete = false;
      } else {
        sum += value;
        any = true;
      }
      if (td.hasAttribute("data-previous")) {
        previous += parseInt(td.getAttribute("data-previous"), 10);
        anyPrevious = true;
      }
    });
    total.querySelector(".total-value").textContent = any ? show(sum) : "";
    var delta = total.querySelector(".prev .delta");
    if (delta) {
      delta.textContent = any && anyPrevious && complete ? signed(sum - previous) : "";
    }
  }

  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || target.tagName !== "INPUT") {
      return;
    }
    if (target.type === "submit" || target.type === "button") {
      return;
    }
    event.preventDefault(); // Enter never submits the grid
    if (target.hasAttribute("data-figure")) {
      move(target, event.shiftKey ? -1 : 1);
    }
  });

  table.addEventListener("focusin", function (event) {
    var target = event.target;
    if (target.hasAttribute && target.hasAttribute("data-figure")) {
      target.select();
    }
  });

  table.addEventListener("input", function (event) {
    var target = event.target;
    if (!target.hasAttribute("data-figure")) {
      return;
    }
    updateCell(target.closest("td"));
    updateTotal(target.getAttribute("data-figure"));
  });

  var confirmation = document.getElementById("confirm-submit");
  var firstError = table.querySelector("td.invalid input[data-figure]");
  if (confirmation) {
    confirmation.focus();
  } else if (firstError) {
    firstError.focus();
  }
})();
