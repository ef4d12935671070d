// The admin's autocomplete boxes (select2) draw a combobox of their own that is named only by
// its current value, so an empty one has no name at all: name it by the field's label too.
// select2 builds its boxes when jQuery is ready, which may come after the page's load event,
// so the boxes are named as they appear.
(function () {
  "use strict";

  function nameAutocompleteBoxes() {
    for (const select of document.querySelectorAll("select.admin-autocomplete[id]")) {
      const label = document.querySelector(`label[for="${select.id}"]`);
      const container = select.nextElementSibling;
      const combobox = container && container.querySelector(".select2-selection[role=combobox]");
      if (!label || !combobox || combobox.dataset.hcNamed) continue;
      label.id = label.id || `${select.id}_label`;
      const renderedId = combobox.getAttribute("aria-labelledby") || "";
      combobox.setAttribute("aria-labelledby", `${label.id} ${renderedId}`.trim());
      combobox.dataset.hcNamed = "1";
      // The chosen value's own box: named by the label; its text is the value.
      const rendered = renderedId && document.getElementById(renderedId);
      if (rendered) rendered.setAttribute("aria-labelledby", label.id);
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameAutocompleteBoxes();
    new MutationObserver(nameAutocompleteBoxes).observe(document.body, {
      childList: true,
      subtree: true,
    });
  });
})();
