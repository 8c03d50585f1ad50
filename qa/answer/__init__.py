"""Answers to questions about the indexed news, every part cited to an exact span (qa.answer.flow says how).

    from qa.answer import ask
    answer = ask(index, "what did Blinken say about Article 5?")
"""

from qa.answer.flow import FROM_ENV, ask, ask_stream, relevance
from qa.answer.timeline import Timeline, speaker_timeline
from qa.answer.verify import VerificationError, verify

__all__ = ["FROM_ENV", "Timeline", "VerificationError", "ask", "ask_stream", "relevance", "speaker_timeline", "verify"]
