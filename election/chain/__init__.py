"""The chain as data: genesis and history file formats, the audit and its statistics."""
