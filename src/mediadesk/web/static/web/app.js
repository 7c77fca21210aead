/* mediadesk — small progressive enhancements; every page works without them. */
(function () {
  "use strict";

  // Ask before a destructive form is sent: <form data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);

  // Preview a chosen image before it is uploaded: <input type="file" data-preview="#img-id">.
  document.addEventListener("change", function (event) {
    var input = event.target;
    var selector = input.getAttribute && input.getAttribute("data-preview");
    if (!selector || !input.files || !input.files[0]) return;
    var img = document.querySelector(selector);
    if (!img) return;
    img.src = URL.createObjectURL(input.files[0]);
    img.hidden = false;
    var empty = img.parentNode.querySelector("[data-preview-empty]");
    if (empty) empty.hidden = true;
  });

  document.addEventListener("click", function (event) {
    // Close a flash message.
    var close = event.target.closest("[data-dismiss]");
    if (close) {
      var flash = close.closest(".flash");
      if (flash) flash.remove();
      return;
    }
    // Copy a value to the clipboard: <button data-copy="#input-id" data-copied="Copied">.
    var button = event.target.closest("[data-copy]");
    if (!button) return;
    var input = document.querySelector(button.getAttribute("data-copy"));
    if (!input) return;
    var done = function () {
      var label = button.textContent;
      button.textContent = button.getAttribute("data-copied") || label;
      window.setTimeout(function () { button.textContent = label; }, 2000);
    };
    input.select();
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(input.value).then(done, function () {
        document.execCommand("copy");
        done();
      });
    } else {
      document.execCommand("copy");
      done();
    }
  });
})();
