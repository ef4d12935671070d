// The support admin's request page: a canned response is inserted into the reply at the cursor.
(function () {
  const picker = document.getElementById("canned-response");
  const body = picker && document.getElementById(picker.dataset.insertInto);
  if (!picker || !body) { return; }
  picker.addEventListener("change", function () {
    if (!picker.value) { return; }
    const start = body.selectionStart ?? body.value.length;
    const end = body.selectionEnd ?? body.value.length;
    body.value = body.value.slice(0, start) + picker.value + body.value.slice(end);
    body.focus();
    picker.value = "";
  });
})();
