// Restock console: the only script. Pages work without it; it adds the editors' live
// check (the rules editor's with the same diagnostics as `restock rules check`, the
// template editor's loading the whole set with the text, both from the server) and line
// numbers with the lines that have problems marked. No inline script, no other origin.
(function () {
  "use strict";

  // Uncaught errors are kept where the browser tests read them.
  window.restockErrors = [];
  window.addEventListener("error", function (e) {
    window.restockErrors.push(String(e.message || e));
  });
  document.addEventListener("securitypolicyviolation", function (e) {
    window.restockErrors.push("CSP blocked " + e.blockedURI + " (" + e.violatedDirective + ")");
  });

  function lineNumbers(gutter, text, bad) {
    var count = text.split("\n").length;
    gutter.textContent = "";
    for (var i = 1; i <= count; i++) {
      var n = document.createElement("span");
      n.textContent = String(i);
      if (bad[i]) {
        n.className = "bad";
        n.title = bad[i];
      }
      gutter.appendChild(n);
      gutter.appendChild(document.createTextNode("\n"));
    }
  }

  // A problem's place: its line and column, and its file when it is another than the
  // one being edited (a template can break the set in a file that includes it).
  function showProblems(box, body, file) {
    box.textContent = "";
    if (body.ok) {
      var ok = document.createElement("p");
      ok.className = "ok";
      ok.textContent = body.summary;
      box.appendChild(ok);
      return;
    }
    var list = document.createElement("ul");
    body.problems.forEach(function (p) {
      var item = document.createElement("li");
      item.className = "problem";
      if (p.line) item.setAttribute("data-line", String(p.line));
      var other = p.file && p.file !== file ? p.file : null;
      var place = [other, p.line && "line " + p.line, p.column && "column " + p.column];
      place = place.filter(Boolean).join(", ");
      if (place) {
        var where = document.createElement("span");
        where.className = "where";
        where.textContent = place;
        item.appendChild(where);
        item.appendChild(document.createTextNode(": "));
      }
      item.appendChild(document.createTextNode(p.message));
      if (p.help) {
        var help = document.createElement("span");
        help.className = "help";
        help.textContent = " (" + p.help + ")";
        item.appendChild(help);
      }
      list.appendChild(item);
    });
    (body.others || []).forEach(function (o) {
      var item = document.createElement("li");
      item.className = "problem";
      item.textContent = o;
      list.appendChild(item);
    });
    box.appendChild(list);
  }

  function editor(textarea) {
    var gutter = document.getElementById("gutter");
    var box = document.getElementById("problems");
    var url = textarea.getAttribute("data-check-url");
    var file = textarea.getAttribute("data-file");
    var bad = {};
    var timer = null;
    var asked = 0;

    function marks(problems) {
      bad = {};
      problems.forEach(function (p) {
        bad[p.line] = p.message + (p.help ? " (" + p.help + ")" : "");
      });
      lineNumbers(gutter, textarea.value, bad);
    }

    function check() {
      var ticket = ++asked;
      box.setAttribute("aria-busy", "true");
      fetch(url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "content-type": "application/json", accept: "application/json" },
        body: JSON.stringify({ file: file, text: textarea.value })
      })
        .then(function (r) {
          if (!r.ok) throw new Error("the check answered " + r.status);
          return r.json();
        })
        .then(function (body) {
          if (ticket !== asked) return; // a newer check is on its way
          showProblems(box, body, file);
          marks(body.problems);
        })
        .catch(function (e) {
          box.textContent = "The live check is unavailable (" + e.message + "); use Check.";
        })
        .then(function () {
          box.removeAttribute("aria-busy");
        });
    }

    textarea.addEventListener("input", function () {
      lineNumbers(gutter, textarea.value, bad);
      clearTimeout(timer);
      timer = setTimeout(check, 300);
    });
    textarea.addEventListener("scroll", function () {
      gutter.scrollTop = textarea.scrollTop;
    });
    Array.prototype.forEach.call(box.querySelectorAll(".problem[data-line]"), function (li) {
      bad[li.getAttribute("data-line")] = li.textContent;
    });
    lineNumbers(gutter, textarea.value, bad);
    textarea.setAttribute("data-live", "on");
  }

  document.addEventListener("DOMContentLoaded", function () {
    var textarea = document.querySelector("textarea[data-check-url]");
    if (textarea) editor(textarea);
  });
})();
