from ninja import Schema


class StepOut(Schema):
    key: str
    label: str
    count: int
    done: bool
    url: str
    hint: str
    detail: str


class ChecklistOut(Schema):
    complete: bool
    done: int
    total: int
    steps: list[StepOut]
