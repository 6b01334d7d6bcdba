// Claim form: while the claim text is typed, show existing claims that say the same thing.
(function () {
  "use strict";
  var panel = document.getElementById("match-panel");
  var input = document.getElementById("text");
  if (!panel || !input) { return; }
  var list = document.getElementById("match-list");
  var dismissed = {};
  var timer = null;
  var lastQuery = null;

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function csrfToken() {
    var field = input.form ? input.form.querySelector("input[name=csrf_token]") : null;
    return field ? field.value : "";
  }

  function decide(item, relation, row) {
    var body = new FormData();
    body.append("csrf_token", csrfToken());
    body.append("other_id", String(item.id));
    body.append("relation", relation);
    fetch(panel.dataset.decide, { method: "POST", body: body, credentials: "same-origin" })
      .then(function (response) {
        if (response.ok) { row.replaceChildren(el("span", "muted small", panel.dataset.labelSaved)); }
      });
  }

  function render(candidates) {
    list.replaceChildren();
    var shown = candidates.filter(function (c) { return !dismissed[c.id]; });
    panel.hidden = shown.length === 0;
    shown.forEach(function (item) {
      var row = el("li", "relation-" + item.relation);
      row.dataset.claim = String(item.id);
      var pillClass = item.relation === "conflict" ? "pill pill-danger" :
        (item.relation === "same" ? "pill pill-warn" : "pill pill-muted");
      row.appendChild(el("span", pillClass, item.relation_label));
      var score = el("span", "muted small", panel.dataset.labelScore + " " + item.score.toFixed(2));
      score.dir = "ltr";
      row.appendChild(score);
      row.appendChild(el("span", "badge status-" + item.status, item.status_label));
      var link = el("a", "", "#" + item.id + " " + item.text.slice(0, 200));
      link.href = item.url;
      link.dir = "auto";
      link.target = "_blank";
      link.rel = "noopener";
      row.appendChild(link);
      (item.reasons || []).forEach(function (r) {
        var reason = el("span", "pill pill-muted", r);
        reason.dir = "auto";
        row.appendChild(reason);
      });
      if (panel.dataset.decide && item.relation !== "conflict") {
        var same = el("button", "btn btn-small", panel.dataset.labelConfirm);
        same.type = "button";
        same.addEventListener("click", function () { decide(item, "duplicate", row); });
        row.appendChild(same);
      }
      var dismiss = el("button", "btn btn-small btn-ghost", panel.dataset.labelDismiss);
      dismiss.type = "button";
      dismiss.addEventListener("click", function () {
        dismissed[item.id] = true;
        if (panel.dataset.decide) { decide(item, "dismissed", row); } else { row.remove(); }
        panel.hidden = list.children.length === 0;
      });
      row.appendChild(dismiss);
      list.appendChild(row);
    });
  }

  function lookup() {
    // The first 1,200 characters (whole code points) are plenty to find a claim, and keep
    // the address under the server's request-line limit (Arabic is 6 bytes per letter there).
    var query = Array.from(input.value.trim()).slice(0, 1200).join("");
    if (query === lastQuery) { return; }
    lastQuery = query;
    if (query.length < 8) { render([]); return; }
    var url = panel.dataset.endpoint + "?text=" + encodeURIComponent(query) +
      "&exclude=" + encodeURIComponent(panel.dataset.exclude || "");
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { candidates: [] }; })
      .then(function (data) { if (query === lastQuery) { render(data.candidates || []); } })
      .catch(function () { render([]); });
  }

  input.addEventListener("input", function () {
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(lookup, 350);
  });
  if (input.value.trim()) { lookup(); }
})();
