"""Process analysis: the flow graph (:mod:`.paths`), exact timing (:mod:`.timing`, :mod:`.core`)
and the discrete-event simulation (:mod:`.simulate`).  No module here imports another's caller."""

from .core import PATH_LIMIT, Analysis, analyse
from .paths import Edge, EndShare, Flow, Loop, Path, build_flow
from .simulate import SimConfig, SimResult, simulate

__all__ = ["PATH_LIMIT", "Analysis", "EndShare", "analyse", "build_flow", "Flow", "Edge", "Loop", "Path",
           "simulate", "SimConfig", "SimResult"]
