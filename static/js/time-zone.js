/* Sign-up: send the browser's time zone (an IANA name such as "America/New_York") in the
   hidden input marked data-browser-time-zone, so times are shown in the person's own zone from
   the first page on. Without JavaScript the field stays empty and the organization's zone is used. */
(function () {
  "use strict";
  let zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (error) {
    return;
  }
  document.querySelectorAll("input[data-browser-time-zone]").forEach(function (input) {
    if (!input.value) { input.value = zone; }
  });
})();
