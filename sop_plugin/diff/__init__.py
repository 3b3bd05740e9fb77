"""Differences between versions of an SOP: the model (:mod:`.model`) and where old versions come from (:mod:`.history`)."""

from .model import FRONT_FIELDS, STEP_FIELDS, FieldChange, SectionChange, Side, SopDiff, StepChange, diff_sops

__all__ = ["FRONT_FIELDS", "STEP_FIELDS", "FieldChange", "SectionChange", "Side", "SopDiff", "StepChange",
           "diff_sops"]
