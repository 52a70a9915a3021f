"""Panel simulators on pseudo-terminals that answer byte for byte as the protocol reference says."""

from tests.panel_sim.base import PtySimulator
from tests.panel_sim.lg import LgSimulator
from tests.panel_sim.nec import NecSimulator
from tests.panel_sim.samsung import SamsungSimulator

__all__ = ["LgSimulator", "NecSimulator", "PtySimulator", "SamsungSimulator"]
