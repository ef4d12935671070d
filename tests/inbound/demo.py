"""The demo data the email tests talk about (alice, bob, carol, the engineers, TECH-1, BILL-1,
Globex), without the knowledge-base articles, which no email test reads and which take most of
the seeding time."""

from helpcenter.demo import seed
from helpcenter.demo.seed import Demo


def seed_demo_requests(monkeypatch) -> Demo:
    monkeypatch.setattr(seed, "seed_knowledge", lambda **kwargs: None)
    return seed.seed_demo()
