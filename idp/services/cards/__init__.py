"""Institution and personnel smartcards (醫事機構卡, 醫事人員卡): whether a card's
certificate is trusted and what it says (``certificates``, with ``der``, ``cms`` and
``ocsp``), the hub's challenge and the card's signature over it (``challenge``,
``signature``), signing in with a card (``signin``), enrolling a personnel card
(``enrolment``), verifying a unit admin's application with the institution card
(``verification``), and development cards on SoftHSM2 (``devcard``)."""
