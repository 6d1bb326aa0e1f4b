"""The messages the code and the templates ask to be translated, found the way ``makemessages``
finds them: Python calls to the gettext family with literal arguments, and the ``{% translate %}`` /
``{% blocktranslate %}`` tags of every template (through Django's own ``templatize``)."""

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation.template import templatize

SINGULAR = {"_", "_lazy", "gettext", "gettext_lazy", "gettext_noop", "gettext_now"}
PLURAL = {"ngettext", "ngettext_lazy"}
CONTEXT = {"pgettext", "pgettext_lazy"}
CONTEXT_PLURAL = {"npgettext", "npgettext_lazy"}
ALL = SINGULAR | PLURAL | CONTEXT | CONTEXT_PLURAL

CALL = re.compile(r"\b(" + "|".join(sorted(ALL, key=len, reverse=True)) + r")\(")
LITERAL = re.compile(r"""\s*(u?'(?:[^'\\]|\\.)*'|u?"(?:[^"\\]|\\.)*")\s*(,|\))""")


@dataclass(frozen=True)
class Message:
    msgid: str
    plural: str | None
    context: str | None
    where: str

    @property
    def key(self) -> object:
        """How the compiled catalogue stores this message."""
        msgid = f"{self.context}\x04{self.msgid}" if self.context else self.msgid
        return (msgid, 0) if self.plural else msgid


def _message(name: str, args: list[str], where: str) -> Message | None:
    need = 2 if name in PLURAL | CONTEXT else 3 if name in CONTEXT_PLURAL else 1
    if len(args) < need:
        return None
    if name in SINGULAR:
        return Message(args[0], None, None, where)
    if name in PLURAL:
        return Message(args[0], args[1], None, where)
    if name in CONTEXT:
        return Message(args[1], None, args[0], where)
    return Message(args[1], args[2], args[0], where)


def _callee(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def python_messages(path: Path, root: Path) -> Iterator[Message]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or _callee(node) not in ALL:
            continue
        args = []
        for arg in node.args:
            if not (isinstance(arg, ast.Constant) and isinstance(arg.value, str)):
                break
            args.append(arg.value)
        message = _message(str(_callee(node)), args, f"{path.relative_to(root)}:{node.lineno}")
        if message and message.msgid:
            yield message


def template_messages(path: Path, root: Path) -> Iterator[Message]:
    text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
    for call in CALL.finditer(text):
        args, pos = [], call.end()
        while match := LITERAL.match(text, pos):
            args.append(ast.literal_eval(match.group(1).lstrip("u")))
            pos = match.end()
            if match.group(2) == ")":
                break
        line = text.count("\n", 0, call.start()) + 1
        message = _message(call.group(1), args, f"{path.relative_to(root)}:{line}")
        if message and message.msgid:
            yield message


def messages(root: Path) -> list[Message]:
    found: list[Message] = []
    for path in sorted(root.rglob("*.py")):
        if "migrations" not in path.parts:
            found.extend(python_messages(path, root))
    for path in sorted(root.rglob("templates/**/*.html")) + sorted(
        root.rglob("templates/**/*.txt")
    ):
        found.extend(template_messages(path, root))
    return found
