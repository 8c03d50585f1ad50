"""Answers to questions about the indexed news, every part cited to an exact span (qa.answer.flow says how).

    from qa.answer import ask
    answer = ask(index, "what did Blinken say about Article 5?")
"""

from qa.answer.flow import FROM_ENV, ask, ask_stream, relevance
from qa.answer.verify import VerificationError, verify

__all__ = ["FROM_ENV", "VerificationError", "ask", "ask_stream", "relevance", "verify"]
