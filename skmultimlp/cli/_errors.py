"""What a command that cannot go on raises: one line for the user, exit status 1."""


class CommandError(Exception):
    """A command that cannot go on; the message is one line for the user."""


def one_line(exc):
    return " ".join(str(exc).split())
