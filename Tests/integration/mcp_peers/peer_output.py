"""What the SDK client peers (endpoint_client.py, endpoint_client_v1.py) report, in one form
for both SDK majors."""


def describe(error: BaseException) -> str:
    """What the SDK raised, task groups unwrapped to the errors inside."""
    if isinstance(error, BaseExceptionGroup):
        return "; ".join(describe(inner) for inner in error.exceptions)
    return f"{type(error).__name__}: {error}"


def dump(model) -> dict:
    return model.model_dump(by_alias=True, mode="json", exclude_none=True)
