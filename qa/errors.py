"""The one exception type a user is meant to see: its message is a single clear line."""


class QAError(Exception):
    """A user-facing error (bad input, bad index, bad query). The CLI prints it without a traceback."""


class IndexBusyError(QAError):
    """Another process kept writing to the index for longer than the caller would wait; the message
    names it. A server answers it with 409, not 400: the request was fine, the moment was not."""
