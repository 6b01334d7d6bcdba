// Claim page: fetch the similar and conflicting claims panel after the page has rendered
// (scoring candidates is the costly part of the page, so it is not done on every view).
(function () {
  "use strict";
  var holder = document.getElementById("match-candidates");
  if (!holder || !holder.dataset.src) { return; }
  var section = document.getElementById("matches");
  fetch(holder.dataset.src, { credentials: "same-origin", headers: { "Accept": "text/html" } })
    .then(function (response) { return response.ok ? response.text() : ""; })
    .then(function (html) {
      if (!html.trim()) { return; }
      // Server-rendered and escaped by Jinja, from our own origin.
      holder.innerHTML = html;
      if (section) { section.hidden = false; }
    })
    .catch(function () { /* the panel is optional; the page works without it */ });
}());
