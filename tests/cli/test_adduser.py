import os
import shutil
import subprocess
import sys

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.utils import translation

from tests.support.db import sqlite_template
from zhongshu.accounts.models import Region

User = get_user_model()


def test_adduser_creates_a_user_with_roles_and_new_regions(db, capsys):
    # given no regions yet
    # when
    call_command(
        "adduser", "li.na", "--role", "sales", "--role", "qc", "--region", "华东",
        "--region", "西南", "--password", "Quiet-river-77",
    )  # fmt: skip
    # then
    user = User.objects.get(username="li.na")
    assert sorted(user.groups.values_list("name", flat=True)) == ["qc", "sales"]
    assert sorted(user.profile.regions.values_list("name", flat=True)) == ["华东", "西南"]
    assert sorted(Region.objects.values_list("name", flat=True)) == ["华东", "西南"]
    assert user.check_password("Quiet-river-77")
    assert "Created li.na" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "boss", "--password", "Quiet-river-77"], "roles: Unknown role: boss"),
        (["--role", "sales", "--password", "123"], "password: "),
    ],
)
def test_adduser_refuses_bad_input_and_creates_nothing(db, args, message):
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command("adduser", "wang", *args)
    assert message in str(exc.value)
    assert not User.objects.filter(username="wang").exists()


def test_adduser_refuses_a_duplicate_username(db):
    call_command("adduser", "wang", "--role", "planner", "--password", "Quiet-river-77")
    with translation.override("en"), pytest.raises(CommandError) as exc:
        call_command("adduser", "wang", "--role", "sales", "--password", "Quiet-river-77")
    assert str(exc.value) == "username: User wang already exists."
    assert list(User.objects.get(username="wang").groups.values_list("name", flat=True)) == [
        "planner"
    ]


@pytest.mark.slow
def test_the_zhongshu_command_reports_errors_without_a_traceback(tmp_path):
    # given a fresh data directory on the embedded database
    env = {**os.environ, "ZHONGSHU_DATA_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)
    zhongshu = [sys.executable, "-m", "zhongshu.cli"]
    shutil.copyfile(sqlite_template(), tmp_path / "zhongshu.sqlite3")  # migrated once per run
    subprocess.run([*zhongshu, "migrate", "-v0"], env=env, check=True, timeout=120)
    # when a user is added with an unknown role
    result = subprocess.run(
        [*zhongshu, "adduser", "zhao", "--role", "boss", "--password", "Quiet-river-77"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    # then
    assert result.returncode == 1
    assert "boss" in result.stderr
    assert "Traceback" not in result.stderr
    # and the help lists the commands
    help_text = subprocess.run(
        [*zhongshu, "help"], env=env, capture_output=True, text=True, timeout=60
    ).stdout
    for command in ("adduser", "demo", "migrate", "serve"):
        assert f"    {command}\n" in help_text
