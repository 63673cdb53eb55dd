"""Domain errors raised by services and turned into messages by views."""


class DomainError(Exception):
    """A refused action, with a message for the user and optionally the field at fault."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field

    @property
    def errors(self):
        """As a marshmallow-style error dict, so forms show it next to the field."""
        return {self.field or "_form": [self.message]}


class NotFound(DomainError):
    """What does not exist, or may not be seen by this member."""


class Forbidden(DomainError):
    """An action this member may not take."""


class Conflict(DomainError):
    """Someone else saved first: nothing was written, the user's text is kept."""
