/* Parley's own script for its pages (no inline script anywhere: the CSP forbids it).
 * - htmx requests carry the page's CSRF token (X-CSRF-Token), as forms carry it in a field;
 * - "/" goes to the search box; the arrow keys move between it and the candidates;
 * - a failed htmx request is said in the page's alert region (texts come translated from
 *   the page's data attributes), and an ended session goes to the sign-in page;
 * - a file larger than its form takes is said beside the field before it is sent (the
 *   server refuses it all the same).
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

  /* Live updates: one EventSource per page, on /console/live (the browser reconnects by
   * itself and sends Last-Event-ID). A "task" event has the parts of the page that show
   * tasks (data-live-refresh="task") re-read themselves, unless the agent is typing in one
   * (then once they leave it); a "call" event fetches the call's pop-up; "resync" (the
   * stream lost track) re-reads everything. */
  function typingInside(region) {
    var active = document.activeElement;
    return region.contains(active) && typingIn(active) && active.value;
  }

  function refresh(topic) {
    var regions = document.querySelectorAll('[data-live-refresh="' + topic + '"]');
    Array.prototype.forEach.call(regions, function (region) {
      if (typingInside(region)) {
        region.setAttribute("data-live-stale", "true");
        return;
      }
      region.removeAttribute("data-live-stale");
      htmx.trigger(region, "parley-live-" + topic);
    });
  }

  document.addEventListener("focusout", function (event) {
    var region = event.target.closest && event.target.closest("[data-live-stale]");
    if (region) {
      window.setTimeout(function () {
        if (!region.contains(document.activeElement)) {
          refresh(region.getAttribute("data-live-refresh"));
        }
      }, 0);
    }
  });

  function popCall(live, ref) {
    var pops = document.getElementById("call-pops");
    if (!pops || !/^[0-9a-f-]{36}$/.test(ref)) {
      return;
    }
    var slot = document.getElementById("call-" + ref);
    if (!slot) {
      slot = document.createElement("div");
      slot.id = "call-" + ref;
      pops.insertBefore(slot, pops.firstChild);
    }
    htmx.ajax("GET", live.getAttribute("data-calls-url") + ref + "/pop",
      {target: "#call-" + ref, swap: "innerHTML"});
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-dismiss-call]");
    if (button) {
      var slot = button.closest(".call-pops > div");
      if (slot) {
        slot.remove();
      }
    }
  });

  function startLive() {
    var live = document.getElementById("live");
    if (!live || !window.EventSource) {
      return;
    }
    var source = new EventSource(live.getAttribute("data-live-url"));
    source.addEventListener("task", function () { refresh("task"); });
    source.addEventListener("call", function (event) {
      popCall(live, JSON.parse(event.data).ref);
    });
    source.addEventListener("resync", function () { refresh("task"); });
    source.addEventListener("open", function () { live.setAttribute("data-live-open", "true"); });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  /* A file input with data-max-bytes: a file too large is said beside it (in the words
   * of its data-too-large), and its form is not sent, instead of uploading it for nothing. */
  function fileTooLarge(input) {
    var most = parseInt(input.getAttribute("data-max-bytes"), 10);
    var file = input.files && input.files[0];
    return Boolean(file && most && file.size > most);
  }

  function sayAboutFile(input) {
    var error = document.getElementById(input.id + "-error");
    var tooLarge = fileTooLarge(input);
    if (error) {
      error.textContent = tooLarge ? input.getAttribute("data-too-large") : "";
      error.hidden = !tooLarge;
    }
    var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(
      function (id) { return id && id !== input.id + "-error"; });
    if (tooLarge) {
      described.push(input.id + "-error");
      input.setAttribute("aria-invalid", "true");
    } else {
      input.removeAttribute("aria-invalid");
    }
    input.setAttribute("aria-describedby", described.join(" "));
    return tooLarge;
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-max-bytes]")) {
      sayAboutFile(event.target);
    }
  });

  document.addEventListener("submit", function (event) {
    var input = event.target.querySelector("input[type=file][data-max-bytes]");
    if (input && sayAboutFile(input)) {
      event.preventDefault();
      input.focus();
    }
  });

  /* A row of tabs that scrolls sideways (the portal's on a narrow phone): the page's own
   * tab in view. */
  function currentTabInView() {
    var current = document.querySelector(".portal-tabs a[aria-current=page]");
    var row = current && current.closest("ul");
    if (row && row.scrollWidth > row.clientWidth) {
      var tab = current.getBoundingClientRect(), shown = row.getBoundingClientRect();
      row.scrollLeft += tab.left - shown.left - (row.clientWidth - tab.width) / 2;
    }
  }

  function started() {
    currentTabInView();
    startLive();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", started);
  } else {
    started();
  }
})();
