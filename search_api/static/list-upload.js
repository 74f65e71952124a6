// Watchlist and batch pages: read a chosen TXT/CSV file into the list's text area (the form still works
// without JavaScript: paste the list). Sets the format from the file name.
(function () {
  "use strict";
  document.querySelectorAll("input[type=file][data-fill]").forEach(function (input) {
    input.addEventListener("change", function () {
      var file = input.files && input.files[0];
      var area = document.getElementById(input.dataset.fill);
      if (!file || !area) return;
      var format = document.getElementById(input.dataset.format || "");
      if (format) format.value = /\.csv$/i.test(file.name) ? "csv" : "txt";
      file.text().then(function (text) { area.value = text; area.focus(); });
    });
  });
})();
