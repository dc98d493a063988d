"""A small relying party, run three times as the demo subsystems 婦幼, 癌整 and 戒菸."""

from .app import RelyingParty, create_rp

__all__ = ["RelyingParty", "create_rp"]
