"""Answering a question, one module per stage: parse the Question once (question.py), retrieve and
fuse (index.py, retrieve.py), select the records an answer names (select.py), quote (asks.py,
quotes.py), judge (verdict.py, eligibility.py, scope.py), compose the Reply (compose.py,
contacts.py), and orchestrate a conversation's turns (conversation.py, intents.py)."""
