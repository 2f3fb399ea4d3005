// Search as you type on the patient list. Progressive enhancement: without this script
// the form submits as usual. The page is fetched as HTML from the same route and only
// its result list is swapped in, so there is one way of rendering results.
(function () {
  "use strict";
  var form = document.getElementById("patient-search");
  var input = document.getElementById("q");
  if (!form || !input || !window.fetch || !window.DOMParser) return;
  var timer = null;
  var latest = 0;
  function refresh() {
    var q = input.value.trim();
    var url = form.action + "?q=" + encodeURIComponent(q);
    var ticket = ++latest;
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) { return response.ok || response.status === 422 ? response.text() : null; })
      .then(function (html) {
        if (html === null || ticket !== latest) return;
        var page = new DOMParser().parseFromString(html, "text/html");
        ["patient-list", "list-title"].forEach(function (id) {
          var fresh = page.getElementById(id);
          var current = document.getElementById(id);
          if (fresh && current) current.replaceWith(fresh);
        });
        history.replaceState(null, "", url);
      })
      .catch(function () { /* the form still works: nothing to do */ });
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 250);
  });
})();
