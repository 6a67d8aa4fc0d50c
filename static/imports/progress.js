// The progress bar of a background import (imports/views.py: the job's page). Polls the
// job's JSON on this site (the Content Security Policy allows nothing else) every second,
// moves the bar, and goes to the result (or the preview) once the worker is done.
(function () {
  "use strict";
  var box = document.getElementById("import-progress");
  if (!box) {
    return;
  }
  var url = box.getAttribute("data-url");
  var bar = document.getElementById("import-bar");
  var done = document.getElementById("import-done");
  var total = document.getElementById("import-total");
  var status = document.getElementById("import-status");
  var delay = 1000;

  function show(data) {
    if (data.total > 0) {
      bar.max = data.total;
      bar.value = Math.min(data.done, data.total);
    }
    done.textContent = data.done;
    total.textContent = data.total;
    if (data.status === "running" && status.getAttribute("data-running")) {
      status.textContent = status.getAttribute("data-running");
    }
  }

  function poll() {
    fetch(url, {
      credentials: "same-origin",
      cache: "no-store",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        if (response.redirected || response.status === 403 || response.status === 404) {
          // Logged out, or the job is gone: the page itself says what happened.
          window.location.reload();
        }
        if (!response.ok) {
          throw new Error("status " + response.status); // busy: try again a little later
        }
        return response.json();
      })
      .then(function (data) {
        show(data);
        if (data.finished) {
          window.location.assign(data.next);
          return;
        }
        delay = 1000;
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        delay = Math.min(delay * 2, 10000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
