/* Publishing calendar: drag a waiting post to another day (month) or hour (week) to move it.
   The move goes to the server (re-checked and audited there); a refusal is shown and the chip
   stays where it was. Without script the post page's move form does the same. */
(function () {
  "use strict";

  function csrfToken() {
    var input = document.querySelector("#cal-csrf input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function say(text, ok) {
    var box = document.getElementById("cal-status");
    if (!box) return;
    box.textContent = text;
    box.classList.toggle("is-ok", !!ok);
    box.hidden = false;
  }

  function move(chip, cell, confirmed) {
    var body = new FormData();
    body.append("csrfmiddlewaretoken", csrfToken());
    body.append("version", chip.getAttribute("data-version"));
    body.append("day", cell.getAttribute("data-drop-day"));
    var hour = cell.getAttribute("data-drop-hour");
    if (hour !== null) body.append("hour", hour);
    if (confirmed) body.append("confirm", "on");
    chip.classList.add("is-moving");
    fetch(chip.getAttribute("data-move-url"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-CSRFToken": csrfToken() }
    }).then(function (response) {
      return response.json().then(function (data) { return { status: response.status, data: data }; });
    }).then(function (answer) {
      chip.classList.remove("is-moving");
      var data = answer.data || {};
      if (data.ok) {
        say(data.message, true);
        window.location.reload(); // the day's warnings and the chip's new place come from the server
        return;
      }
      if (data.needs_confirmation && window.confirm(data.message + "\n\n" + data.question)) {
        move(chip, cell, true);
        return;
      }
      say(data.message || "—", false); // refused: the chip never left its day
    }).catch(function () {
      chip.classList.remove("is-moving");
      say(document.documentElement.lang && document.documentElement.lang.indexOf("zh") === 0
        ? "网络错误，未移动。" : "Network error: nothing was moved.", false);
    });
  }

  var dragged = null;
  document.addEventListener("dragstart", function (event) {
    var chip = event.target.closest && event.target.closest(".chip[data-move-url]");
    if (!chip) return;
    dragged = chip;
    chip.classList.add("is-dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.getAttribute("data-chip"));
  });
  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("is-dragging");
    dragged = null;
    document.querySelectorAll(".cal-drop").forEach(function (el) { el.classList.remove("cal-drop"); });
  });
  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    var cell = event.target.closest && event.target.closest("[data-drop-day]");
    if (!cell) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    document.querySelectorAll(".cal-drop").forEach(function (el) {
      if (el !== cell) el.classList.remove("cal-drop");
    });
    cell.classList.add("cal-drop");
  });
  document.addEventListener("drop", function (event) {
    if (!dragged) return;
    var cell = event.target.closest && event.target.closest("[data-drop-day]");
    if (!cell) return;
    event.preventDefault();
    cell.classList.remove("cal-drop");
    var chip = dragged;
    var from = chip.closest("[data-drop-day]");
    if (from === cell) return;
    move(chip, cell, false);
  });

  // Scheduling: choosing other content asks for its account's next free best slot.
  document.addEventListener("change", function (event) {
    var select = event.target;
    if (!select.matches || !select.matches("#schedule-form select[name=variant]")) return;
    var params = new URLSearchParams(window.location.search);
    params.set("variant", select.value);
    window.location.search = params.toString();
  });
})();
