// The recovery-code page's print and copy buttons. Without script the page says to print or write
// the codes down, and the buttons stay hidden.
(function () {
  "use strict";
  var tools = document.querySelector(".recovery-code-tools");
  if (!tools) {
    return;
  }
  tools.hidden = false;
  var status = tools.querySelector("[data-copy-status]");
  tools.querySelector("[data-print]").addEventListener("click", function () {
    window.print();
  });
  var copy = tools.querySelector("[data-copy]");
  if (!navigator.clipboard) {
    copy.hidden = true;
    return;
  }
  copy.addEventListener("click", function () {
    var list = document.getElementById(copy.dataset.copy);
    var codes = Array.prototype.map.call(list.querySelectorAll("code"), function (code) {
      return code.textContent;
    });
    navigator.clipboard.writeText(codes.join("\n")).then(function () {
      status.textContent = copy.dataset.copied;
    });
  });
})();
