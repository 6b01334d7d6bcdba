// Article workbench: turn a selected part of the article into a claim (offsets in code points).
(function () {
  "use strict";
  var article = document.getElementById("wb-article");
  var form = document.getElementById("wb-selection");
  if (!article || !form) { return; }
  var formLink = document.getElementById("selection-form");
  var preview = document.getElementById("selection-preview");

  function offsetOf(node, offset) {
    var range = document.createRange();
    range.setStart(article, 0);
    range.setEnd(node, offset);
    return Array.from(range.toString()).length;  // Python counts code points, not UTF-16 units
  }

  function sentenceOf(node) {
    var element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    return element ? element.closest(".wb-sent") : null;
  }

  function update() {
    var selection = window.getSelection();
    // A collapsed selection or one outside the article keeps the last choice on offer, so
    // clicking the bar's button (which may clear the selection) still works.
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) { return; }
    var range = selection.getRangeAt(0);
    if (!article.contains(range.startContainer) || !article.contains(range.endContainer)) {
      return;
    }
    var selected = range.toString();
    var lead = selected.length - selected.replace(/^\s+/, "").length;
    var start = offsetOf(range.startContainer, range.startOffset);
    var end = offsetOf(range.endContainer, range.endOffset);
    var trimmed = selected.trim();
    if (!trimmed) { return; }
    start += Array.from(selected.slice(0, lead)).length;
    end = start + Array.from(trimmed).length;
    var sentence = sentenceOf(range.startContainer);
    var speaker = sentence ? sentence.dataset.speaker || "" : "";
    form.elements.span_start.value = String(start);
    form.elements.span_end.value = String(end);
    form.elements.selected.value = trimmed;
    form.elements.speaker.value = speaker;
    var params = new URLSearchParams({ source: form.dataset.source, text: trimmed,
      span_start: String(start), span_end: String(end), speaker: speaker });
    preview.textContent = trimmed.length > 160 ? trimmed.slice(0, 160) + "…" : trimmed;
    formLink.href = form.dataset.formUrl + "?" + params.toString();
    form.hidden = false;
  }

  document.addEventListener("selectionchange", function () { window.setTimeout(update, 0); });
  article.addEventListener("mouseup", update);
  article.addEventListener("keyup", update);
})();
