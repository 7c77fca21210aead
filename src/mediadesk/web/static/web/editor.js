/* mediadesk — a small rich-text editor for WeChat article bodies.
 *
 * Progressive enhancement of a <textarea> inside <div data-rte>: the editable area shows the
 * article, the toolbar adds bold, headings, lists, links and pictures from the media library,
 * and every change writes sanitised HTML back into the textarea (library pictures as
 * <img src="asset:N">, the form the content service stores). Without JavaScript the textarea
 * stays and takes the HTML as it is; the server sanitises either way.
 */
(function () {
  "use strict";

  // Elements kept (after renaming), and the attributes each may keep.
  var RENAME = { B: "STRONG", I: "EM", DIV: "P", H1: "H2", H4: "H3", H5: "H3", H6: "H3" };
  var KEEP = {
    P: [], BR: [], STRONG: [], EM: [], U: [], H2: [], H3: [], UL: [], OL: [], LI: [],
    BLOCKQUOTE: [], A: ["href"], IMG: ["src", "alt"]
  };
  var DROP = { SCRIPT: 1, STYLE: 1, IFRAME: 1, OBJECT: 1, EMBED: 1, SVG: 1, MATH: 1, TEMPLATE: 1,
    FORM: 1, INPUT: 1, BUTTON: 1, SELECT: 1, TEXTAREA: 1, META: 1, LINK: 1, HEAD: 1, TITLE: 1 };
  var ASSET = /^asset:(\d+)$/;

  function safeHref(value) {
    return /^(https?:|mailto:)/i.test((value || "").trim());
  }

  // Copy the allowed part of `source`'s children into `target` (a fresh, inert tree).
  function clean(source, target, toEditor, urlFor) {
    Array.prototype.forEach.call(source.childNodes, function (node) {
      if (node.nodeType === 3) {
        target.appendChild(document.createTextNode(node.nodeValue));
        return;
      }
      if (node.nodeType !== 1) return;
      var tag = node.tagName.toUpperCase();
      if (DROP[tag]) return;
      tag = RENAME[tag] || tag;
      if (!KEEP[tag]) {
        clean(node, target, toEditor, urlFor); // unknown wrapper: keep what is inside
        return;
      }
      if (tag === "IMG") {
        var id = node.getAttribute("data-asset");
        var match = ASSET.exec(node.getAttribute("src") || "");
        if (!id && match) id = match[1];
        if (!id) return; // pictures come from the media library only
        var img = document.createElement("img");
        img.setAttribute("src", toEditor ? urlFor(id) : "asset:" + id);
        if (toEditor) img.setAttribute("data-asset", id);
        if (node.getAttribute("alt")) img.setAttribute("alt", node.getAttribute("alt"));
        target.appendChild(img);
        return;
      }
      var copy = document.createElement(tag.toLowerCase());
      if (tag === "A") {
        var href = node.getAttribute("href");
        if (safeHref(href)) copy.setAttribute("href", href.trim());
      }
      clean(node, copy, toEditor, urlFor);
      target.appendChild(copy);
    });
    return target;
  }

  function parse(html) {
    return new DOMParser().parseFromString("<body>" + (html || ""), "text/html").body;
  }

  function init(root) {
    if (root.getAttribute("data-rte-ready")) return;
    root.setAttribute("data-rte-ready", "1");
    var textarea = root.querySelector("textarea");
    var area = root.querySelector(".rte-area");
    var toolbar = root.querySelector(".rte-toolbar");
    var template = root.getAttribute("data-asset-url") || "";
    var urlFor = function (id) { return template.replace("__id__", id); };
    var saved = null;
    var timer = null;

    area.appendChild(clean(parse(textarea.value), document.createDocumentFragment(), true, urlFor));
    if (!area.firstChild) area.innerHTML = "<p><br></p>"; // typing starts inside a paragraph
    document.execCommand("defaultParagraphSeparator", false, "p");
    area.hidden = false;
    toolbar.hidden = false;
    root.classList.add("is-ready");

    // Until the author changes something, the stored HTML goes back as it came: re-writing it
    // here (attribute order, empty alt) would make a new revision out of nothing.
    function serialize() {
      if (!root.hasAttribute("data-rte-dirty")) return false;
      var out = clean(area, document.createElement("div"), false, urlFor);
      var html = out.innerHTML.replace(/<p>(<br>)?<\/p>/g, "");
      if (html === "<br>") html = "";
      if (textarea.value !== html) {
        textarea.value = html;
        return true;
      }
      return false;
    }

    function changed() {
      root.setAttribute("data-rte-dirty", "1");
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        if (serialize()) textarea.dispatchEvent(new Event("change", { bubbles: true }));
      }, 600);
    }

    function remember() {
      var sel = window.getSelection();
      if (sel.rangeCount && area.contains(sel.getRangeAt(0).commonAncestorContainer)) {
        saved = sel.getRangeAt(0).cloneRange();
      }
    }

    function restore() {
      area.focus();
      if (saved) {
        var sel = window.getSelection();
        sel.removeAllRanges();
        sel.addRange(saved);
      }
    }

    function run(cmd) {
      restore();
      if (cmd === "bold") document.execCommand("bold");
      else if (cmd === "h2" || cmd === "h3" || cmd === "p") document.execCommand("formatBlock", false, "<" + cmd + ">");
      else if (cmd === "ul") document.execCommand("insertUnorderedList");
      else if (cmd === "ol") document.execCommand("insertOrderedList");
      else if (cmd === "clear") {
        document.execCommand("removeFormat");
        document.execCommand("formatBlock", false, "<p>");
      } else if (cmd === "link") {
        var button = toolbar.querySelector("[data-cmd=link]");
        var url = window.prompt(button.getAttribute("data-prompt") || "URL", "https://");
        restore();
        if (url && safeHref(url)) document.execCommand("createLink", false, url.trim());
      }
      remember();
      changed();
    }

    function insertPicture(id, title) {
      restore();
      var img = document.createElement("img");
      img.setAttribute("src", urlFor(id));
      img.setAttribute("data-asset", id);
      if (title) img.setAttribute("alt", title);
      document.execCommand("insertHTML", false, img.outerHTML);
      var details = toolbar.querySelector(".rte-images");
      if (details) details.open = false;
      remember();
      changed();
    }

    // Keep the selection in the text while the toolbar is clicked.
    toolbar.addEventListener("mousedown", function (event) {
      if (event.target.closest("button")) event.preventDefault();
    });
    toolbar.addEventListener("click", function (event) {
      var button = event.target.closest("button");
      if (!button) return;
      if (button.hasAttribute("data-insert-asset")) {
        insertPicture(button.getAttribute("data-insert-asset"), button.getAttribute("data-title"));
      } else if (button.hasAttribute("data-cmd")) {
        run(button.getAttribute("data-cmd"));
      }
    });
    // Where the caret is, whatever moved it (keys, mouse, an input method's composition).
    document.addEventListener("selectionchange", remember);
    area.addEventListener("input", changed);
    area.addEventListener("blur", function () { serialize(); });
    // Pasted text keeps only what the article may hold.
    area.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      if (!data) return;
      event.preventDefault();
      var html = data.getData("text/html");
      var piece;
      if (html) {
        piece = clean(parse(html), document.createElement("div"), true, urlFor).innerHTML;
      } else {
        var text = data.getData("text/plain") || "";
        var div = document.createElement("div");
        text.split(/\n{2,}/).forEach(function (para) {
          var p = document.createElement("p");
          p.textContent = para;
          div.appendChild(p);
        });
        piece = div.innerHTML;
      }
      document.execCommand("insertHTML", false, piece);
      changed();
    });
    var form = root.closest("form");
    if (form) form.addEventListener("submit", serialize);
  }

  function initAll(scope) {
    (scope || document).querySelectorAll("[data-rte]").forEach(init);
  }

  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:load", function (event) { initAll(event.target); });

  // Before htmx collects the form for a preview, the editors write what they hold.
  document.addEventListener("htmx:configRequest", function (event) {
    document.querySelectorAll("[data-rte-dirty]").forEach(function (root) {
      var textarea = root.querySelector("textarea");
      var area = root.querySelector(".rte-area");
      var template = root.getAttribute("data-asset-url") || "";
      var html = clean(area, document.createElement("div"), false, function (id) {
        return template.replace("__id__", id);
      }).innerHTML;
      textarea.value = html;
      if (event.detail && event.detail.parameters && textarea.name) {
        var params = event.detail.parameters;
        if (typeof params.set === "function") params.set(textarea.name, html);
        else params[textarea.name] = html;
      }
    });
  });
})();
