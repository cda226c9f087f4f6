from pathlib import Path

from conftest import demands_cmd


def test_list_us(run):
    r = run("list", "--party", "us", "--format", "ids")
    assert r.exit_code == 0, r.output
    # US-1 to US-9, and the agreement both sides share
    assert r.stdout.split() == [f"US-{n}" for n in range(1, 10)] + ["US-CN-1"]


def test_installed_script(workspace: Path):
    r = demands_cmd("list", "-p", "cn", "-o", "ids", cwd=workspace)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split()[0] == "CN-1"
