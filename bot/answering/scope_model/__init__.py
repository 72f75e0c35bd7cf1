"""The scope model: who is asking and for what, learned from written examples instead of listed.

A calibrated classifier over character n-grams (surface and Sudachi reading) tells a business's
need the SME plan serves from a resident's, a household's, an employee's or a consumer's matter,
and names the department that owns the latter. Whether the knowledge covers the topic stays with
retrieval, so uploaded documents become answerable without retraining. ``python -m
bot.answering.scope_model.build`` (or ``navigator train-scope``) retrains it from ``training/scope/``.
"""

from bot.answering.scope_model.model import Judgement, ScopeModel, scope_model

__all__ = ["Judgement", "ScopeModel", "scope_model"]
