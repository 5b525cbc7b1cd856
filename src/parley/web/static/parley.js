/* Parley's own script for its pages (no inline script anywhere: the CSP forbids it).
 * - htmx requests carry the page's CSRF token (X-CSRF-Token), as forms carry it in a field;
 * - "/" goes to the search box; the arrow keys move between it and the candidates;
 * - a failed htmx request is said in the page's alert region (texts come translated from
 *   the page's data attributes), and an ended session goes to the sign-in page.
 * The pages work for reading without it. */
(function () {
  "use strict";

  /* Parts that fold away only when this script runs (without it they stay in view). */
  document.documentElement.classList.add("js");

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  document.addEventListener("htmx:configRequest", function (event) {
    event.detail.headers["X-CSRF-Token"] = csrfToken();
  });

  function typingIn(element) {
    return element && (element.isContentEditable ||
      /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function searchBox() {
    return document.getElementById("search-q");
  }

  function candidateLinks() {
    return Array.prototype.slice.call(
      document.querySelectorAll(".candidates a.candidate-name"));
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    var box = searchBox();
    if (event.key === "/" && box && !typingIn(event.target)) {
      event.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") {
      return;
    }
    var links = candidateLinks();
    if (!links.length) {
      return;
    }
    var at = links.indexOf(document.activeElement);
    if (document.activeElement === box && event.key === "ArrowDown") {
      event.preventDefault();
      links[0].focus();
    } else if (at >= 0) {
      event.preventDefault();
      var next = at + (event.key === "ArrowDown" ? 1 : -1);
      if (next < 0 && box) {
        box.focus();
      } else if (next < links.length) {
        links[next].focus();
      }
    }
  });

  function say(kind) {
    var alert = document.getElementById("alert");
    if (!alert) {
      return;
    }
    alert.textContent = alert.getAttribute("data-" + kind) || "";
    alert.hidden = false;
  }

  document.addEventListener("htmx:beforeRequest", function () {
    var alert = document.getElementById("alert");
    if (alert) {
      alert.hidden = true;
    }
  });

  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    if (status === 401) {
      say("signed-out");  /* htmx follows the answer's HX-Redirect to the sign-in page */
    } else {
      say(status === 403 ? "forbidden" : "failed");
    }
  });

  document.addEventListener("htmx:sendError", function () {
    say("offline");
  });
})();
