"""Who made a change and why, for the history row simple_history writes on the next save."""


def track(instance, actor, reason: str) -> None:
    """Set the acting user and the reason on `instance` before it is saved (or deleted)."""
    instance._history_user = actor
    instance._change_reason = str(reason)
