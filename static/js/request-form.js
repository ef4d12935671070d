// Choosing a cluster fills in its organization, environment and version; choosing an
// organization hides the clusters of other organizations. The server checks all of it again.
(function () {
  const facts = JSON.parse(document.getElementById("cluster-facts").textContent);
  const form = document.getElementById("request-form");
  const organization = form.querySelector("select[name=organization]");
  const cluster = form.querySelector("select[name=cluster]");
  const version = form.querySelector("input[name=affects_version]");

  function filterClusters() {
    const chosen = organization.value;
    for (const option of cluster.options) {
      const fact = facts[option.value];
      option.hidden = Boolean(fact && chosen && String(fact.organization) !== chosen);
    }
    const current = facts[cluster.value];
    if (current && chosen && String(current.organization) !== chosen) cluster.value = "";
  }

  cluster.addEventListener("change", function () {
    const fact = facts[cluster.value];
    if (!fact) return;
    if ([...organization.options].some((o) => o.value === String(fact.organization))) {
      organization.value = String(fact.organization);
    }
    const environment = form.querySelector(`input[name=environment][value="${fact.environment}"]`);
    if (environment) environment.checked = true;
    if (version) version.value = fact.version;
    filterClusters();
  });
  organization.addEventListener("change", filterClusters);
  filterClusters();
})();
