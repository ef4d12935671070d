"""The support engineers' triage: queues, the request list, the request page and bulk actions.

Who sees what is decided by `tickets.selectors` (`tickets_for_support`, `is_support_engineer`);
every change goes through `tickets.services`, exactly as on the portal, so history, response
clocks and emails stay right."""

from tickets.admin import catalogue, display, organizations, requests

__all__ = ["catalogue", "display", "organizations", "requests"]
