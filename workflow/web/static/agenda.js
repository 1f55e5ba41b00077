/* ratsweg: the Tagesordnung editor's drag-and-drop (SortableJS). Dropping a row posts the new
   order of all items to the server with the session's CSRF token and shows the agenda as the
   server renders it (or its refusal). Without JavaScript the up/down buttons do the same. */
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  function orderOf(box) {
    return Array.prototype.map.call(box.querySelectorAll("tr[data-id]"), function (row) {
      return row.getAttribute("data-id");
    });
  }

  function send(box, before) {
    var order = orderOf(box);
    if (order.join(",") === before) {
      return;
    }
    var body = new URLSearchParams();
    body.set("order", order.join(","));
    box.setAttribute("aria-busy", "true");
    fetch(box.getAttribute("data-order-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "X-CSRF-Token": csrfToken(),
        "Content-Type": "application/x-www-form-urlencoded"
      },
      body: body
    })
      .then(function (response) {
        return response.text().then(function (html) {
          return { ok: response.ok, html: html };
        });
      })
      .then(function (answer) {
        var fresh = new DOMParser().parseFromString(answer.html, "text/html")
          .getElementById("agenda-section");
        var old = document.getElementById("agenda-section");
        if (!fresh || !old) {
          window.location.reload();
          return;
        }
        old.replaceWith(fresh);
        init();
        var status = document.getElementById("agenda-status");
        var alert = document.getElementById("fehler-tagesordnung");
        if (answer.ok && status) {
          status.textContent = status.getAttribute("data-saved");
        } else if (alert) {
          alert.focus();
        }
      })
      .catch(function () {
        window.location.reload();
      });
  }

  function init() {
    var box = document.getElementById("agenda");
    if (!box || !box.getAttribute("data-order-url") || typeof Sortable === "undefined") {
      return;
    }
    var before = orderOf(box).join(",");
    Array.prototype.forEach.call(box.querySelectorAll("tbody[data-part]"), function (tbody) {
      Sortable.create(tbody, {
        handle: ".drag-handle",
        draggable: "tr[data-id]",
        animation: 150,
        onEnd: function () {
          send(box, before);
        }
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
