"""The card agent: a small HTTP service on the user's own computer (127.0.0.1) through
which hub pages reach the smartcard. It lists readers and cards, and signs the hub's
challenge with the card's key after the person types the PIN. It answers only the
hub's origins and signs nothing but a fresh hub challenge."""
