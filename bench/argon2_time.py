"""Time one argon2id password check with the hub's settings: the bound for W6.

A complete password sign-in checks one password hash, so one core cannot do more
sign-ins per second than 1 / (time of one check).
"""

from __future__ import annotations

import statistics
import time

from idp.config import Settings
from idp.services.signin.passwords import Passwords


def main() -> None:
    settings = Settings.from_env()
    passwords = Passwords(
        settings.argon2_time_cost, settings.argon2_memory_kib, settings.argon2_parallelism
    )
    stored = passwords.hash("bench password")
    samples = []
    for _ in range(30):
        start = time.perf_counter()
        passwords.check(stored, "bench password")
        samples.append(time.perf_counter() - start)
    median = statistics.median(samples)
    print(
        f"argon2id check (m={settings.argon2_memory_kib} KiB, t={settings.argon2_time_cost}, "
        f"p={settings.argon2_parallelism}): {median * 1000:.1f} ms median of {len(samples)} "
        f"=> W6 bound {1 / median:.1f} sign-ins/s per core"
    )


if __name__ == "__main__":
    main()
