"""Which model holds the values of each entity. The apps that own the entities register their
model when they load (``customers``, ``catalog``, ``orders``), so this app needs none of them."""

MODELS: dict[str, type] = {}
SCOPES: dict = {}


def register(entity: str, model, scope=None) -> None:
    """``scope(actor, queryset) -> queryset``: the records of the entity the actor may see."""
    MODELS[entity] = model
    SCOPES[entity] = scope or (lambda actor, qs: qs)


def model_for(entity: str):
    return MODELS[entity]


# Other apps say whether a field is in use somewhere this app cannot see (e.g. a rule's
# condition): ``fn(definition) -> list[str]`` of human-readable places; non-empty refuses a
# type change or a deletion.
USAGE_CHECKS: list = []


def usage_check(fn):
    USAGE_CHECKS.append(fn)
    return fn


def used_by(definition) -> list[str]:
    return [place for fn in USAGE_CHECKS for place in fn(definition)]
