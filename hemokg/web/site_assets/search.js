/* Client-side search over the labels and synonyms in search-index.js (window.HEMO_INDEX): no server, works
   from file:// too. Text is folded like hemokg's lookup: case, accents, punctuation, British spellings. */
(function () {
  "use strict";
  function fold(text) {
    return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, " ").trim()
      .replace(/ae/g, "e").replace(/oe/g, "e").replace(/leuc/g, "leuk").replace(/isation/g, "ization");
  }
  function search(query, index) {
    var q = fold(query), hits = [];
    if (!q) { return hits; }
    index.forEach(function (term) {
      var best = null;
      [term.l].concat(term.s || []).forEach(function (name, i) {
        var f = fold(name), score;
        if (f === q) { score = 0; } else if (f.indexOf(q) === 0) { score = 1; } else if (f.indexOf(q) > 0) { score = 2; }
        else { return; }
        score = score * 2 + (i === 0 ? 0 : 1);
        if (best === null || score < best.score) { best = { score: score, name: name, label: i === 0 }; }
      });
      if (term.c && term.c.toLowerCase() === query.trim().toLowerCase()) { best = { score: -1, name: term.c, label: true }; }
      if (best) { hits.push({ term: term, score: best.score, name: best.name, label: best.label }); }
    });
    hits.sort(function (a, b) { return a.score - b.score || a.term.l.localeCompare(b.term.l); });
    return hits.slice(0, 25);
  }
  function start() {
    var input = document.getElementById("search"), list = document.getElementById("search-results");
    var root = document.body.getAttribute("data-root") || "";
    var index = window.HEMO_INDEX || [];
    if (!input || !list) { return; }
    function show() {
      var hits = search(input.value, index);
      list.innerHTML = "";
      hits.forEach(function (hit, n) {
        var li = document.createElement("li"), a = document.createElement("a");
        a.href = root + hit.term.u;
        a.textContent = hit.term.l;
        if (n === 0) { a.className = "active"; }
        if (!hit.label) {
          var why = document.createElement("span");
          why.className = "why";
          why.textContent = "synonym: " + hit.name;
          a.appendChild(why);
        }
        li.appendChild(a);
        list.appendChild(li);
      });
      list.hidden = hits.length === 0;
    }
    input.addEventListener("input", show);
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        var first = list.querySelector("a");
        if (first) { window.location.href = first.href; }
      } else if (event.key === "Escape") { list.hidden = true; }
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", start); } else { start(); }
  window.hemoSearch = search;
}());
