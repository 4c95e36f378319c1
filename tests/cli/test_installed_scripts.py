"""The installed console scripts, run for real: in a real terminal for the prompt
(pexpect), and as plain processes for pipes and exit codes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from tests.conftest import snapshot

BIN = Path(sys.executable).parent


def script(name: str) -> str:
    path = BIN / name
    if not path.exists():
        pytest.fail(f"the {name} script is not installed: run pip install -e '.[test]' first")
    return str(path)


def run(*args: str, db: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [script("backorder"), "--db", str(db), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "COLUMNS": "200"},
    )


def in_terminal(db: Path, *args: str) -> pexpect.spawn:
    """The installed script in a real (pseudo-)terminal, 200 columns wide."""
    return pexpect.spawn(
        script("backorder"),
        ["--db", str(db), *args],
        encoding="utf-8",
        timeout=30,
        dimensions=(40, 200),
    )


@pytest.fixture
def sample_file(shop: Path) -> Path:
    """The sample company's file, as `init --sample` makes it (a copy: see conftest)."""
    return shop


def test_the_prompt_in_a_real_terminal_is_answered_yes(sample_file: Path) -> None:
    child = in_terminal(sample_file, "create", "2401")
    child.expect_exact(
        "This will cancel order no. #2401 and create a new one for the undelivered items."
    )
    child.expect_exact("Continue? [y/N] ")
    child.sendline("y")
    child.expect_exact("Backorder #2402 created with the undelivered items of order #2401")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = json.loads(run("orders", "show", "2402", "--format", "json", db=sample_file).stdout)
    assert shown["comment"] == "Backorder from order #2401"


def test_the_prompt_in_a_real_terminal_defaults_to_no(sample_file: Path) -> None:
    child = in_terminal(sample_file, "create", "2401")
    child.expect_exact("Continue? [y/N] ")
    child.sendline("")
    child.expect_exact("Aborted: nothing was changed.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    status = json.loads(run("orders", "show", "2401", "--format", "json", db=sample_file).stdout)
    assert (status["status"], status["archived"]) == ("partially_shipped", False)


def test_the_orders_script_lists_archived_orders(sample_file: Path) -> None:
    result = subprocess.run(
        [script("orders"), "--db", str(sample_file), "list", "--archived", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert [o["number"] for o in json.loads(result.stdout)] == [2390]


def test_data_goes_to_stdout_and_messages_to_stderr(sample_file: Path) -> None:
    added = run("orders", "add", "--customer", "Pipe Test", "BOX-68=1", db=sample_file)
    assert (added.returncode, added.stdout) == (0, "2402\n")
    refused = run("create", "2396", "--yes", db=sample_file)
    assert refused.returncode == 1
    assert refused.stdout == ""
    assert refused.stderr.startswith("Error: order #2396 has nothing shipped yet")
    assert len(refused.stderr.strip().splitlines()) == 1
    assert "Traceback" not in refused.stderr


def test_a_question_on_a_pipe_is_refused_before_it_is_asked(sample_file: Path) -> None:
    result = run("create", "2401", db=sample_file, stdin="")
    assert result.returncode == 2
    assert result.stderr == "Error: no terminal to confirm on - pass --yes\n"
    assert "Continue?" not in result.stderr


def test_python_dash_m_runs_the_tool(sample_file: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "backorder_cli",
            "--db",
            str(sample_file),
            "orders",
            "list",
            "--format",
            "json",
            "--limit",
            "1",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert [o["number"] for o in json.loads(result.stdout)] == [2401]


def test_the_pipe_from_the_issue_runs_for_real_through_a_shell(sample_file: Path) -> None:
    """orders list --status partially-shipped --format ids | backorder create - --yes --invoice"""
    pipeline = (
        f"{script('orders')} --db {sample_file} list --status partially-shipped --format ids"
        f" | {script('backorder')} --db {sample_file} create - --yes --invoice"
    )
    result = subprocess.run(
        ["bash", "-o", "pipefail", "-c", pipeline], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[-1] == "3 backorders created, 0 refused"
    assert result.stdout.count("Backorder #") == 3
    left = run("orders", "list", "--status", "partially-shipped", "--format", "ids", db=sample_file)
    assert left.stdout == ""


def completions(sample_file: Path, shell: str, line: str) -> list[str]:
    """What the shell's completion function gets back for the command `line`."""
    env = {
        **os.environ,
        "_BACKORDER_COMPLETE": f"complete_{shell}",
        "BACKORDER_DB": str(sample_file),
    }
    if shell == "bash":
        words = len(line.split())
        env |= {"COMP_WORDS": line, "COMP_CWORD": str(words if line.endswith(" ") else words - 1)}
    else:
        env |= {"_TYPER_COMPLETE_ARGS": line}
    result = subprocess.run(
        [script("backorder")], capture_output=True, text=True, env=env, timeout=60
    )
    assert result.returncode == 0, result.stderr
    if shell == "bash":
        return result.stdout.split()
    return re.findall(r'"([^"]*)"', result.stdout)  # _arguments '*: :(("2398" "2399"))'


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_completing_create_offers_the_partially_shipped_orders(
    sample_file: Path, shell: str
) -> None:
    offered = completions(sample_file, shell, "backorder create ")
    assert offered == ["2398", "2399", "2401"]
    assert completions(sample_file, shell, "backorder create 240") == ["2401"]


@pytest.mark.parametrize("shell", ["bash", "zsh"])
def test_install_completion_writes_the_shell_script(tmp_path: Path, shell: str) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run(
        [script("backorder"), "--install-completion", shell],
        capture_output=True,
        text=True,
        timeout=60,
        # Name the shell instead of detecting the one running the tests.
        env={**os.environ, "HOME": str(home), "_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION": "1"},
    )
    assert result.returncode == 0, result.stderr
    rc = home / (".bashrc" if shell == "bash" else ".zshrc")
    assert rc.exists()
    installed = list(home.rglob("*backorder*"))
    assert installed, "no completion script was written"
    assert any("_BACKORDER_COMPLETE" in p.read_text() for p in installed if p.is_file())


def test_a_progress_bar_shows_at_a_terminal_and_results_still_reach_a_redirected_stdout(
    sample_file: Path, tmp_path: Path
) -> None:
    out = tmp_path / "results.txt"
    command = f"{script('backorder')} --db {sample_file} create --all --yes --invoice > {out}"
    child = pexpect.spawn("bash", ["-c", command], encoding="utf-8", timeout=60)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    terminal = child.before
    assert "Creating backorders" in terminal  # the bar, on stderr, at a terminal
    assert "3 backorders created, 0 refused" in terminal
    assert "Backorder #" not in terminal
    assert out.read_text().count("Backorder #") == 3


def test_undo_asks_in_a_real_terminal_and_gives_the_items_back(sample_file: Path) -> None:
    assert run("create", "2401", "--yes", db=sample_file).returncode == 0
    child = in_terminal(sample_file, "undo", "2402")
    child.expect_exact("Backorder #2402 (Hansen & Søn VVS): 150 x CABLE-15, 12 x SWITCH-1 go back")
    child.expect_exact(
        "This will cancel backorder no. #2402 and give its items back to order #2401."
    )
    child.expect_exact("Continue? [y/N] ")
    child.sendline("yes")
    child.expect_exact("Backorder #2402 undone: its items are back on order #2401")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = json.loads(run("orders", "show", "2401", "--format", "json", db=sample_file).stdout)
    assert (shown["status"], shown["archived"]) == ("partially_shipped", False)


def test_ready_ship_asks_in_a_real_terminal_and_no_changes_nothing(sample_file: Path) -> None:
    before = snapshot(sample_file)
    child = in_terminal(sample_file, "ready", "--ship")
    child.expect_exact("This will ship 3 orders from stock on hand: 3 in full, 0 in part")
    child.expect_exact("Continue? [y/N] ")
    child.sendline("n")
    child.expect_exact("Aborted: nothing was changed.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert snapshot(sample_file) == before


def test_close_asks_in_a_real_terminal_and_closes_the_rest_short(sample_file: Path) -> None:
    child = in_terminal(sample_file, "close", "2401", "SWITCH-1", "--reason", "not wanted")
    child.expect_exact(
        "This will close order #2401 short: 12 x SWITCH-1 canceled (then partially shipped)."
    )
    child.expect_exact("Continue? [y/N] ")
    child.sendline("y")
    child.expect_exact("Order #2401 closed short: 12 x SWITCH-1 canceled (now partially shipped).")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    shown = json.loads(run("orders", "show", "2401", "--format", "json", db=sample_file).stdout)
    assert shown["history"][-1]["detail"] == "closed short (not wanted): 12 x SWITCH-1 canceled"
    assert run("check", db=sample_file).returncode == 0


def test_orders_cancel_in_a_real_terminal_defaults_to_no(sample_file: Path) -> None:
    before = snapshot(sample_file)
    child = in_terminal(sample_file, "orders", "cancel", "2396")
    child.expect_exact("This will cancel order #2396 (50 x CABLE-25, 20 x BOX-68 canceled).")
    child.expect_exact("Continue? [y/N] ")
    child.sendline("")
    child.expect_exact("Aborted: nothing was changed.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert snapshot(sample_file) == before
