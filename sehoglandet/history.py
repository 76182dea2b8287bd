"""Who made a change and why, for the history row simple_history writes on the next save."""


def track(instance, actor, code: str) -> None:
    """Set the acting user and the reason on `instance` before it is saved (or deleted). The reason
    is an event code (sehoglandet.events), stored as it is and translated only when shown."""
    instance._history_user = actor
    instance._change_reason = str(code)
