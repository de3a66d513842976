"""The command line as a whole: help on every command, version, usage errors, the bench alias."""

from typer.testing import CliRunner

from analyzer.cli.app import build_app

runner = CliRunner()
app = build_app()


def _commands(group) -> list[list[str]]:
    import typer.main

    click_group = typer.main.get_command(group)
    found = []
    for name, command in click_group.commands.items():
        found.append([name])
        for sub in getattr(command, "commands", {}):
            found.append([name, sub])
    return found


def test_every_command_has_help():
    commands = _commands(app)
    assert {"analyze", "batch", "dashboard", "metrics", "eval", "compose", "bench", "models", "sessions"} <= {
        c[0] for c in commands}
    for command in commands:
        result = runner.invoke(app, [*command, "--help"])
        assert result.exit_code == 0, (command, result.output)
        assert "Usage" in result.output


def test_version_and_usage_error_exit_codes():
    assert runner.invoke(app, ["--version"]).output.startswith("floorshare ")
    assert runner.invoke(app, ["analyze"]).exit_code == 2
    assert runner.invoke(app, ["analyze", "x.wav", "--device", "tpu", "--no-store"]).exit_code == 2


def test_bench_batch_is_the_batch_benchmark():
    assert runner.invoke(app, ["bench", "batch"]).exit_code == 2
    result = runner.invoke(app, ["bench", "batch", "/nonexistent-folder"])
    assert result.exit_code == 1
    assert "/nonexistent-folder" in result.output
