"""The ``sop-lint`` pre-commit hook and the CI templates in docs/guide/ci/.

The hook test runs pre-commit itself (its file filtering, argument passing
and exit codes) on the hook as declared in ``.pre-commit-hooks.yaml``; only
the language is switched to ``system`` so that the test does not build a
fresh virtualenv of the package (``pre-commit try-repo`` does that, see
docs/guide/authoring.md).  The template test reads every command the
templates run and checks that the program exists and accepts the
sub-command and options given.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import VALID_SOP, VALID_UNITS, mutate
from sop_plugin.cli import build_parser

REPO = Path(__file__).resolve().parent.parent
MANIFEST = REPO / ".pre-commit-hooks.yaml"
CI = REPO / "docs" / "guide" / "ci"
BIN = Path(sys.executable).parent


def run(args, cwd, **env):
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env}, check=False)


def test_manifest_is_valid():
    proc = run([sys.executable, "-m", "pre_commit", "validate-manifest", str(MANIFEST)], REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    hooks = yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))
    assert [h["id"] for h in hooks] == ["sop-lint"]


@pytest.fixture
def hooked_repo(tmp_path):
    """A git repository of SOPs whose .pre-commit-config.yaml uses the sop-lint hook as declared."""
    hook = dict(yaml.safe_load(MANIFEST.read_text(encoding="utf-8"))[0])
    program, *rest = shlex.split(hook["entry"])
    assert program == "sop" and hook["language"] == "python"
    hook.update(language="system", entry=shlex.join([str(BIN / "sop"), *rest]))
    root = tmp_path / "repo"
    (root / "sops" / "biro-umum").mkdir(parents=True)
    (root / "sops" / "units.yml").write_text(VALID_UNITS, encoding="utf-8")
    (root / "sops" / "biro-umum" / "baik.md").write_text(VALID_SOP, encoding="utf-8")
    bad = mutate(VALID_SOP, "    - pelaksana: Bendahara", "    - pelaksanaa: Bendahara")
    bad = mutate(bad, "nomor: SOP-UMUM-004", "nomor: SOP-UMUM-005")
    (root / "sops" / "biro-umum" / "buruk.md").write_text(bad, encoding="utf-8")
    (root / "sops" / "README.md").write_text("# Folder SOP\n\nSatu berkas per SOP.\n", encoding="utf-8")
    (root / "catatan.md").write_text("bukan SOP\n", encoding="utf-8")
    (root / ".pre-commit-config.yaml").write_text(
        yaml.safe_dump({"repos": [{"repo": "local", "hooks": [hook]}]}, allow_unicode=True), encoding="utf-8")
    for args in (["init", "-q"], ["add", "-A"]):
        subprocess.run(["git", *args], cwd=root, check=True, capture_output=True)
    return root


def precommit(root, *args):
    return run([sys.executable, "-m", "pre_commit", "run", "sop-lint", *args], root,
               PRE_COMMIT_HOME=str(root.parent / "pre-commit-home"))


def test_hook_rejects_a_bad_file_and_passes_a_good_one(hooked_repo):
    bad = precommit(hooked_repo, "--files", "sops/biro-umum/buruk.md")
    assert bad.returncode == 1
    assert "Failed" in bad.stdout
    # in the site's language, Indonesian by default
    assert re.search(r"sops/biro-umum/buruk\.md:\d+:1: SOP303 error: langkah 2: isian 'pelaksanaa' tidak dikenal "
                     r"\(mungkin maksud Anda 'pelaksana'\?\)", bad.stdout), bad.stdout
    good = precommit(hooked_repo, "--files", "sops/biro-umum/baik.md")
    assert good.returncode == 0, good.stdout
    assert "Passed" in good.stdout
    # README files and Markdown outside sops/ are not SOPs: skipped, not failed
    other = precommit(hooked_repo, "--files", "sops/README.md", "catatan.md")
    assert other.returncode == 0 and "no files to check" in other.stdout.lower()


# -- CI templates ---------------------------------------------------------------------

def _github_commands(data) -> list[str]:
    out = []
    for job in data["jobs"].values():
        for step in job.get("steps", []):
            if "run" in step:
                out.extend(line for line in step["run"].splitlines() if line.strip())
            else:
                assert re.fullmatch(r"actions/[a-z-]+@v\d+", step["uses"]), step
    return out


def _gitlab_commands(data) -> list[str]:
    out = list(data["default"].get("before_script", []))
    for name, job in data.items():
        if isinstance(job, dict) and "script" in job:
            out.extend(job["script"])
            out.extend(job.get("before_script", []))
    return out


def _simple_commands(line: str) -> list[list[str]]:
    """``a && b; c | d`` -> the words of each simple command (variables expanded to a placeholder)."""
    line = line.replace('"$PORTAL_PACKAGE"', ".[mkdocs]")
    out, words = [], []
    for w in shlex.split(line):
        if w in ("&&", "||", ";", "|"):
            out.append(words)
            words = []
        else:
            words.append(w)
    out.append(words)
    return [w for w in out if w]


def _check(words: list[str], variables: dict[str, str]) -> None:
    program, *args = words
    if program == "sop":
        build_parser().parse_args(args)  # exits 2 on an unknown sub-command or option
        return
    path = shutil.which(program, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    assert path, f"'{program}' is not a program here"
    if program == "mkdocs":
        sub = args[0]
        help_text = run([path, sub, "--help"], REPO).stdout
        for opt in (a for a in args[1:] if a.startswith("-")):
            assert opt in help_text, f"mkdocs {sub} has no option {opt}"
    if program == "pip":
        assert args[0] == "install" and args[-1] in (".[mkdocs]", *variables.values())


@pytest.mark.parametrize("name", ["github-actions.yml", "gitlab-ci.yml"])
def test_every_command_in_the_ci_templates_exists(name):
    data = yaml.safe_load((CI / name).read_text(encoding="utf-8"))
    if name.startswith("github"):
        commands, variables = _github_commands(data), data["env"]
    else:
        commands, variables = _gitlab_commands(data), data["variables"]
    assert variables["PORTAL_PACKAGE"] == ".[mkdocs]"
    programs = []
    for line in commands:
        for words in _simple_commands(line):
            _check(words, variables)
            programs.append(words[:2])
    # lint strict, build strict, deploy and the scheduled review check are all there
    flat = [" ".join(shlex.split(c)) for c in commands]
    assert "sop lint --strict" in flat and "sop due --within 30" in flat
    assert any(c.startswith("mkdocs build --strict") for c in flat)
    assert ["sop", "lint"] in programs


def test_templates_in_the_guide_match_the_files():
    guide = (REPO / "docs" / "guide" / "authoring.md").read_text(encoding="utf-8")
    for name in ("github-actions.yml", "gitlab-ci.yml"):
        text = (CI / name).read_text(encoding="utf-8")
        assert f"```yaml\n{text}```" in guide, f"the copy of {name} in authoring.md is out of date"


def test_lint_command_of_the_templates_passes_on_the_bundled_sops():
    proc = run([str(BIN / "sop"), "lint", "--strict"], REPO)
    assert proc.returncode == 0, proc.stdout + proc.stderr
