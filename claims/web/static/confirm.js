// Forms that remove something ask first: their data-confirm attribute holds the question, in
// the page's language. Without JavaScript the form submits as before.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute ? form.getAttribute("data-confirm") : null;
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
}());
