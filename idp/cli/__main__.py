"""``python -m idp.cli``: the ``idp`` command."""

from __future__ import annotations

from . import main

if __name__ == "__main__":
    main()
