"""The one exception type a user is meant to see: its message is a single clear line."""


class QAError(Exception):
    """A user-facing error (bad input, bad index, bad query). The CLI prints it without a traceback."""
