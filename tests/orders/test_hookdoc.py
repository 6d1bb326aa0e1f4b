"""docs/status-machine.md tells the hooks of each action as the registry holds them."""

import pytest
from django.core.management import CommandError, call_command

from zhongshu.orders import hookdoc, hooks


def test_the_status_machine_page_lists_the_registered_hooks():
    text = hookdoc.DOC.read_text(encoding="utf-8")
    assert hookdoc.rewrite(text) == text, (
        "docs/status-machine.md differs from the hook registry: run `zhongshu docs status-machine`"
    )


@pytest.fixture
def extra_guard():
    def refuse_everything(ctx):
        """Refuses every move."""

    # as if an app registered it (hooks a test plugs in for a while are not documented)
    refuse_everything.__module__ = "zhongshu.somewhere.hooks"
    hooks.guard("complete")(refuse_everything)
    yield refuse_everything
    hooks._guards["complete"].remove(refuse_everything)


def test_a_hook_added_without_the_page_following_is_found(extra_guard, tmp_path):
    page = tmp_path / "status-machine.md"
    page.write_text(hookdoc.DOC.read_text(encoding="utf-8"), encoding="utf-8")
    # the committed page no longer matches, and the table names the new guard with its docstring
    assert hookdoc.rewrite(page.read_text(encoding="utf-8")) != page.read_text(encoding="utf-8")
    row = "| `complete` | `somewhere.refuse_everything`: Refuses every move | — | — |"
    assert row in hookdoc.table()
    with pytest.raises(CommandError, match="differs from the hook registry"):
        call_command("docs", "status-machine", "--check", "--path", str(page))
    call_command("docs", "status-machine", "--path", str(page))
    assert hookdoc.rewrite(page.read_text(encoding="utf-8")) == page.read_text(encoding="utf-8")


def test_hooks_a_test_plugs_in_are_not_documented():
    def listen_in_a_test(ctxs):
        pass

    registered = hooks.on_commit_many("complete")(listen_in_a_test)
    try:
        assert "listen_in_a_test" not in hookdoc.table()
    finally:
        hooks._after_commit["complete"].remove(registered)


def test_a_page_without_markers_is_refused(tmp_path):
    page = tmp_path / "page.md"
    page.write_text("# no table here\n", encoding="utf-8")
    with pytest.raises(CommandError, match="markers"):
        call_command("docs", "status-machine", "--path", str(page))
